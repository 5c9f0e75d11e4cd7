/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pkt.h - packet buffers and their preallocated pool.
 *
 * Theory of operation
 * -------------------
 * Every frame inside vnetd lives in a struct pkt taken from a struct pkt_pool
 * that is allocated once at startup; the datapath never calls malloc. A buffer
 * holds one whole frame, up to a 64 KiB TSO/GSO super-frame, after
 * PKT_HEADROOM bytes of headroom so that a VLAN tag or a tunnel header can be
 * pushed in front without a copy.
 *
 * Offload metadata travels with the frame in @vnet, in the virtio-net header
 * layout (struct virtio_net_hdr): NEEDS_CSUM with csum_start/csum_offset, and
 * the GSO type/size/hdr_len of a super-frame. Offsets in it are relative to
 * @data, i.e. to the frame as currently stored. Inside the switch frames are
 * stored untagged: the ingress port's 802.1Q tag is popped into @vlan/@pcp
 * and the egress port pushes what it needs.
 */
#ifndef VNET_PKT_H
#define VNET_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_net.h>

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5 /* USO; missing from Debian 12's kernel headers */
#endif

#define PKT_BATCH 32 /* frames per burst */
#define PKT_HEADROOM 128 /* bytes in front of the frame */
#define PKT_DATA_MAX (65536 + 64) /* largest frame incl. tags: 64 KiB GSO frame */
#define PKT_BUF_SIZE (PKT_HEADROOM + PKT_DATA_MAX)
#define PKT_POOL_DEFAULT_N 1024 /* buffers per datapath thread */

/**
 * struct pkt - one frame and its metadata
 * @data:     first byte of the Ethernet header
 * @size:     frame bytes from @data (no virtio-net header)
 * @vnet:     offload metadata (virtio-net header layout; offsets relative to @data)
 * @vlan:     VLAN the frame belongs to, set by ingress classification (0..4095)
 * @pcp:      802.1p priority from the ingress tag (0 if none)
 * @in_port:  index of the input port on its switch
 * @pool_idx: index in the owning pool (internal)
 * @buf:      storage; @data points inside it
 */
struct pkt {
	uint8_t *data;
	uint32_t size;
	struct virtio_net_hdr vnet;
	uint16_t vlan;
	uint8_t pcp;
	uint16_t in_port;
	uint32_t pool_idx;
	uint8_t buf[PKT_BUF_SIZE] __attribute__((aligned(64)));
};

/**
 * struct pkt_pool - fixed set of packet buffers, LIFO free stack
 * @n:        buffers in the pool
 * @n_free:   buffers free now
 * @free:     stack of free indices
 * @pkts:     the buffers
 * @n_exhausted: allocations that failed because the pool was empty
 */
struct pkt_pool {
	uint32_t n;
	uint32_t n_free;
	uint32_t *free;
	struct pkt *pkts;
	uint64_t n_exhausted;
};

/**
 * pkt_pool_create() - allocate a pool of @n buffers (startup only)
 * Return: the pool, or NULL on allocation failure.
 */
struct pkt_pool *pkt_pool_create(uint32_t n);
/** pkt_pool_destroy() - free the pool; accepts NULL */
void pkt_pool_destroy(struct pkt_pool *pool);

/**
 * pkt_alloc_burst() - take up to @n buffers, reset (data at headroom, size 0, no offloads)
 * Return: how many were taken.
 */
unsigned pkt_alloc_burst(struct pkt_pool *pool, struct pkt **pkts, unsigned n);
/** pkt_alloc() - take one buffer, or NULL when the pool is empty */
struct pkt *pkt_alloc(struct pkt_pool *pool);
/** pkt_free_burst() - give @n buffers back; NULL entries are skipped */
void pkt_free_burst(struct pkt_pool *pool, struct pkt **pkts, unsigned n);
void pkt_free(struct pkt_pool *pool, struct pkt *p);

/** pkt_reset() - empty frame at the default headroom, no offload metadata */
static inline void pkt_reset(struct pkt *p)
{
	p->data = p->buf + PKT_HEADROOM;
	p->size = 0;
	p->vlan = 0;
	p->pcp = 0;
	p->in_port = 0;
	p->vnet = (struct virtio_net_hdr){ 0 };
}

/** pkt_tailroom() - bytes that can still be appended after the frame */
static inline size_t pkt_tailroom(const struct pkt *p)
{
	return (size_t)(p->buf + PKT_BUF_SIZE - (p->data + p->size));
}

/** pkt_headroom() - bytes free in front of the frame */
static inline size_t pkt_headroom(const struct pkt *p)
{
	return (size_t)(p->data - p->buf);
}

/** pkt_is_gso() - is the frame a TSO/GSO super-frame that needs segmenting somewhere? */
static inline bool pkt_is_gso(const struct pkt *p)
{
	return (p->vnet.gso_type & ~VIRTIO_NET_HDR_GSO_ECN) != VIRTIO_NET_HDR_GSO_NONE;
}

/** pkt_needs_csum() - does the frame carry a partial L4 checksum to complete? */
static inline bool pkt_needs_csum(const struct pkt *p)
{
	return p->vnet.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM;
}

#endif /* VNET_PKT_H */
