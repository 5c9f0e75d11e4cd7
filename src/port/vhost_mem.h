/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vhost_mem.h - a vhost-user guest's memory table, the one accessor that
 * translates guest addresses, and the dirty-page log for live migration.
 *
 * Theory of operation
 * -------------------
 * The front-end (QEMU, DPDK virtio-user) shares guest RAM as up to
 * VHOST_MEM_REGIONS_MAX regions, each an fd we mmap. A region has three
 * addresses: its guest physical address (GPA, what descriptors hold), the
 * front-end's own virtual address (QVA, what ring addresses hold) and ours
 * (HVA). vhost_mem_gpa() and vhost_mem_qva() are the only ways guest
 * addresses become pointers; both check that the whole range lies inside
 * one mapped region, with no arithmetic that can overflow.
 *
 * A region's fd stays in the front-end's hands: it could shrink the file
 * after we mapped it, and touching a page past the new end raises SIGBUS.
 * Every mapping is therefore registered with a process-wide SIGBUS guard
 * (vhost_mem_guard_*): the handler replaces the faulting page with a
 * private zero page, flags the mapping, and returns. The owner sees the
 * flag (vhost_mem_faulted()) and resets the port. A fault anywhere else is
 * re-raised with the default action, as before.
 *
 * Dirty log: while a migration runs (VHOST_F_LOG_ALL), each write into
 * guest memory must set one bit per 4 KiB guest page in a bitmap the
 * front-end shares (SET_LOG_BASE). vhost_mem_log_write() does that with
 * atomic ORs, ignoring pages past the end of the log.
 */
#ifndef VNET_VHOST_MEM_H
#define VNET_VHOST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VHOST_MEM_REGIONS_MAX 32 /* regions (memory slots) we accept from a front-end */
#define VHOST_MEM_SET_TABLE_MAX 8 /* regions in one SET_MEM_TABLE message (protocol) */
#define VHOST_LOG_PAGE_SIZE 0x1000 /* one dirty-log bit covers this many bytes */
#define VHOST_MEM_GUARD_SLOTS 4096 /* mappings the SIGBUS guard tracks, process-wide */

/**
 * struct vhost_mem_region - one mapped region of guest memory
 * @gpa:       guest physical address of the first byte
 * @size:      bytes
 * @qva:       front-end's user address of the first byte
 * @hva:       our address of the first byte
 * @map_base:  what mmap() returned (mapping starts mmap_offset before @hva)
 * @map_size:  bytes mapped
 * @guard:     SIGBUS guard slot
 */
struct vhost_mem_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t qva;
	uint8_t *hva;
	void *map_base;
	size_t map_size;
	int guard;
};

/**
 * struct vhost_mem - the memory table of one connection, and its dirty log
 * @n:        regions in use, sorted by nothing (few; lookups cache @last)
 * @last:     index of the region the previous lookup hit
 * @r:        the regions
 * @log:      dirty bitmap (NULL when none was given)
 * @log_size: bytes in @log
 * @log_map/@log_map_size/@log_guard: its mapping
 * @logging:  VHOST_F_LOG_ALL is on: writes must be logged
 * @log_writes: writes logged so far (for port/list)
 */
struct vhost_mem {
	unsigned n;
	unsigned last;
	struct vhost_mem_region r[VHOST_MEM_REGIONS_MAX];
	uint8_t *log;
	uint64_t log_size;
	void *log_map;
	size_t log_map_size;
	int log_guard;
	bool logging;
	uint64_t log_writes;
};

/** vhost_mem_init() - empty table, no log */
void vhost_mem_init(struct vhost_mem *m);

/**
 * vhost_mem_add() - map a region the front-end shared
 * @fd:      the region's fd; always consumed (closed), on success too: the
 *           mapping keeps the memory alive
 * @mmap_offset: where the region starts in @fd
 * Checks: non-empty, no address overflow, no overlap with another region
 * (by GPA or QVA), the file is at least @mmap_offset + @size bytes long.
 * Return: 0, -EINVAL (bad region), -ENOSPC (table or guard full), -errno of mmap/fstat.
 */
int vhost_mem_add(struct vhost_mem *m, uint64_t gpa, uint64_t size, uint64_t qva,
		  uint64_t mmap_offset, int fd);

/**
 * vhost_mem_remove() - unmap the region with exactly this GPA, size and QVA
 * Return: 0 or -ENOENT.
 */
int vhost_mem_remove(struct vhost_mem *m, uint64_t gpa, uint64_t size, uint64_t qva);

/** vhost_mem_clear() - unmap every region (the log stays) */
void vhost_mem_clear(struct vhost_mem *m);
/** vhost_mem_log_clear() - unmap the dirty log */
void vhost_mem_log_clear(struct vhost_mem *m);

/** vhost_mem_find() - the region holding @gpa, or NULL (the slow path of the accessor) */
struct vhost_mem_region *vhost_mem_find(struct vhost_mem *m, uint64_t gpa);

/**
 * vhost_mem_gpa() - the accessor: our pointer to guest physical range [@gpa, @gpa + @size)
 * @contig: out: bytes from @gpa that are contiguous in our mapping, at most
 *          @size (a range may continue in the next region); may be NULL
 * @room:   out: bytes from @gpa to the end of the region, at least *@contig; may be NULL
 * Inline: the region of the previous lookup is tried first (one compare on
 * the datapath). Offsets are compared, never gpa + size, so nothing wraps.
 * Return: the pointer, or NULL if @gpa is in no region. Callers that need
 * the whole range in one piece check *@contig == @size.
 */
static inline void *vhost_mem_gpa(struct vhost_mem *m, uint64_t gpa, uint64_t size,
				  uint64_t *contig, uint64_t *room)
{
	struct vhost_mem_region *r = &m->r[m->last];
	uint64_t off, left;

	/* entries past m->n are stale (unmapped): the index check comes first */
	if (__builtin_expect(m->last >= m->n || gpa - r->gpa >= r->size, 0)) {
		r = vhost_mem_find(m, gpa);
		if (!r)
			return NULL;
	}
	off = gpa - r->gpa;
	left = r->size - off;
	if (contig)
		*contig = size < left ? size : left;
	if (room)
		*room = left;
	return r->hva + off;
}

/** vhost_mem_gpa_before() - bytes of the same region mapped before @gpa (0 if unmapped) */
static inline uint64_t vhost_mem_gpa_before(struct vhost_mem *m, uint64_t gpa)
{
	struct vhost_mem_region *r = &m->r[m->last];

	if (__builtin_expect(m->last >= m->n || gpa - r->gpa >= r->size, 0)) {
		r = vhost_mem_find(m, gpa);
		if (!r)
			return 0;
	}
	return gpa - r->gpa;
}

/**
 * vhost_mem_qva() - our pointer to front-end address range [@qva, @qva + @size), all in one region
 * Return: the pointer, or NULL.
 */
void *vhost_mem_qva(struct vhost_mem *m, uint64_t qva, uint64_t size);

/**
 * vhost_mem_log_set() - map the dirty log (SET_LOG_BASE)
 * @fd: consumed (closed) in every case
 * Return: 0, -EINVAL, or -errno.
 */
int vhost_mem_log_set(struct vhost_mem *m, int fd, uint64_t size, uint64_t offset);

/**
 * vhost_mem_log_write() - mark guest range [@gpa, @gpa + @size) dirty, if logging
 */
void vhost_mem_log_write(struct vhost_mem *m, uint64_t gpa, uint64_t size);

/** vhost_mem_faulted() - did the SIGBUS guard catch an access to any of @m's mappings? */
bool vhost_mem_faulted(const struct vhost_mem *m);

/**
 * vhost_mem_guard_add() - protect mapping [@start, @start + @size) against SIGBUS
 * Installs the handler on first use. Return: slot (>= 0) or -ENOSPC / -errno.
 */
int vhost_mem_guard_add(void *start, size_t size);
/** vhost_mem_guard_del() - forget a slot (before munmap); accepts -1 */
void vhost_mem_guard_del(int slot);
/** vhost_mem_guard_hit() - did a SIGBUS hit the slot's mapping? */
bool vhost_mem_guard_hit(int slot);

#endif /* VNET_VHOST_MEM_H */
