// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vhost_mem.c - guest memory regions, address translation, dirty log and
 * the SIGBUS guard. See vhost_mem.h for the theory of operation.
 *
 * Security model: every number here comes from a hostile front-end. Region
 * bounds are checked for overflow before they are stored; translations
 * compare offsets (gpa - start < size), never end addresses, so no sum can
 * wrap; the backing file must be long enough when mapped, and if it shrinks
 * later the SIGBUS guard contains the damage to the offending port.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/log.h"
#include "../base/util.h"
#include "vhost_mem.h"

/* ---- SIGBUS guard ---------------------------------------------------------------------- */

/*
 * One slot per guest mapping. A slot is published by storing @start last
 * (release) and retired by clearing @start first, so the handler, which
 * may run on any thread at any moment, never sees a half-written slot.
 */
struct guard_slot {
	uintptr_t start;
	size_t size;
	int hit;
};

static struct guard_slot guard_slots[VHOST_MEM_GUARD_SLOTS];
static struct sigaction guard_old_action;
static int guard_installed;
static long guard_page_size = 4096;

static void guard_handler(int sig, siginfo_t *si, void *uctx)
{
	uintptr_t a = (uintptr_t)si->si_addr;

	for (unsigned i = 0; i < VHOST_MEM_GUARD_SLOTS; i++) {
		uintptr_t start = __atomic_load_n(&guard_slots[i].start, __ATOMIC_ACQUIRE);
		size_t size = __atomic_load_n(&guard_slots[i].size, __ATOMIC_RELAXED);
		void *page;

		if (!start || start == (uintptr_t)-1 || a - start >= size)
			continue;
		/* The front-end truncated the file under us: give the access a private zero page. */
		page = (void *)(a & ~((uintptr_t)guard_page_size - 1));
		if (mmap(page, (size_t)guard_page_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
			break;
		__atomic_store_n(&guard_slots[i].hit, 1, __ATOMIC_RELEASE);
		return;
	}
	/* Not guest memory: behave as if we were never installed. */
	if ((guard_old_action.sa_flags & SA_SIGINFO) && guard_old_action.sa_sigaction) {
		guard_old_action.sa_sigaction(sig, si, uctx);
	} else if (guard_old_action.sa_handler != SIG_DFL &&
		   guard_old_action.sa_handler != SIG_IGN) {
		guard_old_action.sa_handler(sig);
	} else {
		/* returning re-executes the access, which now takes the default action */
		signal(SIGBUS, SIG_DFL);
	}
}

static int guard_install(void)
{
	struct sigaction sa = { 0 }, cur;

	/* installed, and still ours (a test harness or a library may have replaced it)? */
	if (__atomic_load_n(&guard_installed, __ATOMIC_ACQUIRE) && !sigaction(SIGBUS, NULL, &cur) &&
	    (cur.sa_flags & SA_SIGINFO) && cur.sa_sigaction == guard_handler)
		return 0;
	guard_page_size = sysconf(_SC_PAGESIZE);
	sa.sa_sigaction = guard_handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGBUS, &sa, &guard_old_action))
		return -errno;
	__atomic_store_n(&guard_installed, 1, __ATOMIC_RELEASE);
	return 0;
}

int vhost_mem_guard_add(void *start, size_t size)
{
	int rc = guard_install();

	if (rc)
		return rc;
	for (int i = 0; i < VHOST_MEM_GUARD_SLOTS; i++) {
		uintptr_t zero = 0;

		if (__atomic_load_n(&guard_slots[i].start, __ATOMIC_RELAXED))
			continue;
		/* claim with a sentinel so two threads cannot take one slot */
		if (!__atomic_compare_exchange_n(&guard_slots[i].start, &zero, (uintptr_t)-1, false,
						 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
			continue;
		__atomic_store_n(&guard_slots[i].size, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&guard_slots[i].hit, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&guard_slots[i].size, size, __ATOMIC_RELAXED);
		__atomic_store_n(&guard_slots[i].start, (uintptr_t)start, __ATOMIC_RELEASE);
		return i;
	}
	return -ENOSPC;
}

void vhost_mem_guard_del(int slot)
{
	if (slot < 0 || slot >= VHOST_MEM_GUARD_SLOTS)
		return;
	__atomic_store_n(&guard_slots[slot].start, 0, __ATOMIC_RELEASE);
}

bool vhost_mem_guard_hit(int slot)
{
	if (slot < 0 || slot >= VHOST_MEM_GUARD_SLOTS)
		return false;
	return __atomic_load_n(&guard_slots[slot].hit, __ATOMIC_ACQUIRE);
}

/* ---- mapping ----------------------------------------------------------------------------- */

/*
 * map_fd() - mmap [0, @offset + @size) of @fd shared, after checking the
 * file is that long. Closes @fd in every case.
 */
static int map_fd(int fd, uint64_t offset, uint64_t size, void **base, size_t *map_size, int *guard)
{
	struct stat st;
	uint64_t len;
	void *p;
	int rc;

	if (size == 0 || offset > UINT64_MAX - size || offset + size > (uint64_t)SIZE_MAX / 2) {
		rc = -EINVAL;
		goto out;
	}
	len = offset + size;
	if (fstat(fd, &st)) {
		rc = -errno;
		goto out;
	}
	/* memfd, hugetlbfs and /dev/shm files are regular files; sockets, pipes, devices are not */
	if (!S_ISREG(st.st_mode) || st.st_size < 0 || (uint64_t)st.st_size < len) {
		rc = -EINVAL;
		goto out;
	}
	p = mmap(NULL, (size_t)len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		rc = -errno;
		goto out;
	}
	*guard = vhost_mem_guard_add(p, (size_t)len);
	if (*guard < 0) {
		rc = *guard;
		munmap(p, (size_t)len);
		goto out;
	}
	/* guest RAM has no business in our core dumps */
	madvise(p, (size_t)len, MADV_DONTDUMP);
	*base = p;
	*map_size = (size_t)len;
	rc = 0;
out:
	close(fd);
	return rc;
}

static void unmap(void *base, size_t size, int *guard)
{
	vhost_mem_guard_del(*guard);
	*guard = -1;
	if (base)
		munmap(base, size);
}

void vhost_mem_init(struct vhost_mem *m)
{
	memset(m, 0, sizeof(*m));
	m->log_guard = -1;
}

/* ranges [a, a + asize) and [b, b + bsize), both known not to wrap, overlap? */
static bool overlaps(uint64_t a, uint64_t asize, uint64_t b, uint64_t bsize)
{
	return a < b + bsize && b < a + asize;
}

int vhost_mem_add(struct vhost_mem *m, uint64_t gpa, uint64_t size, uint64_t qva,
		  uint64_t mmap_offset, int fd)
{
	struct vhost_mem_region *r;
	int rc;

	if (fd < 0)
		return -EINVAL;
	if (size == 0 || gpa > UINT64_MAX - size || qva > UINT64_MAX - size) {
		close(fd);
		return -EINVAL;
	}
	if (m->n >= VHOST_MEM_REGIONS_MAX) {
		close(fd);
		return -ENOSPC;
	}
	for (unsigned i = 0; i < m->n; i++) {
		if (overlaps(gpa, size, m->r[i].gpa, m->r[i].size) ||
		    overlaps(qva, size, m->r[i].qva, m->r[i].size)) {
			close(fd);
			return -EINVAL;
		}
	}
	r = &m->r[m->n];
	rc = map_fd(fd, mmap_offset, size, &r->map_base, &r->map_size, &r->guard);
	if (rc)
		return rc;
	r->gpa = gpa;
	r->size = size;
	r->qva = qva;
	r->hva = (uint8_t *)r->map_base + mmap_offset;
	m->n++;
	return 0;
}

int vhost_mem_remove(struct vhost_mem *m, uint64_t gpa, uint64_t size, uint64_t qva)
{
	for (unsigned i = 0; i < m->n; i++) {
		struct vhost_mem_region *r = &m->r[i];

		if (r->gpa != gpa || r->size != size || r->qva != qva)
			continue;
		unmap(r->map_base, r->map_size, &r->guard);
		m->r[i] = m->r[--m->n];
		m->last = 0;
		return 0;
	}
	return -ENOENT;
}

void vhost_mem_clear(struct vhost_mem *m)
{
	for (unsigned i = 0; i < m->n; i++)
		unmap(m->r[i].map_base, m->r[i].map_size, &m->r[i].guard);
	m->n = 0;
	m->last = 0;
}

void vhost_mem_log_clear(struct vhost_mem *m)
{
	unmap(m->log_map, m->log_map_size, &m->log_guard);
	m->log_map = NULL;
	m->log_map_size = 0;
	m->log = NULL;
	m->log_size = 0;
}

struct vhost_mem_region *vhost_mem_find(struct vhost_mem *m, uint64_t gpa)
{
	for (unsigned i = 0; i < m->n; i++) {
		struct vhost_mem_region *r = &m->r[i];

		if (gpa - r->gpa < r->size) {
			m->last = i;
			return r;
		}
	}
	return NULL;
}

void *vhost_mem_qva(struct vhost_mem *m, uint64_t qva, uint64_t size)
{
	for (unsigned i = 0; i < m->n; i++) {
		struct vhost_mem_region *r = &m->r[i];
		uint64_t off = qva - r->qva;

		if (off < r->size && size <= r->size - off)
			return r->hva + off;
	}
	return NULL;
}

int vhost_mem_log_set(struct vhost_mem *m, int fd, uint64_t size, uint64_t offset)
{
	void *base;
	size_t map_size;
	int guard, rc;

	rc = map_fd(fd, offset, size, &base, &map_size, &guard);
	if (rc)
		return rc;
	unmap(m->log_map, m->log_map_size, &m->log_guard);
	m->log_map = base;
	m->log_map_size = map_size;
	m->log_guard = guard;
	m->log = (uint8_t *)base + offset;
	m->log_size = size;
	return 0;
}

void vhost_mem_log_write(struct vhost_mem *m, uint64_t gpa, uint64_t size)
{
	uint64_t page, last;

	if (likely(!m->logging) || !m->log || size == 0)
		return;
	m->log_writes++;
	page = gpa / VHOST_LOG_PAGE_SIZE;
	/* the last byte's page, computed without forming gpa + size */
	last = page + (gpa % VHOST_LOG_PAGE_SIZE + (size - 1)) / VHOST_LOG_PAGE_SIZE;
	for (; page <= last && page / 8 < m->log_size; page++)
		__atomic_fetch_or(&m->log[page / 8], (uint8_t)(1u << (page % 8)), __ATOMIC_RELAXED);
}

bool vhost_mem_faulted(const struct vhost_mem *m)
{
	for (unsigned i = 0; i < m->n; i++) {
		if (vhost_mem_guard_hit(m->r[i].guard))
			return true;
	}
	return vhost_mem_guard_hit(m->log_guard);
}
