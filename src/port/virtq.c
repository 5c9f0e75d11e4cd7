// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * virtq.c - split virtqueues in guest memory: descriptor walker, used ring,
 * interrupt suppression, and the frame copies of a virtio-net device.
 *
 * Security model (see also virtq.h and vhost_mem.h): the guest shares the
 * rings with us and rewrites them whenever it likes. Every value read from
 * them is read exactly once into a local (ld16() and read_desc(), followed
 * by a compiler barrier so the local is never re-read from guest memory),
 * then bounds-checked; every buffer address goes through vhost_mem_gpa();
 * every chain walk has a descriptor budget, so a loop ends as a violation
 * rather than a hang. We never trust a length to size anything of ours:
 * copies are bounded by our own buffer sizes. A zero-copy frame (a pkt
 * whose data is guest memory) is different in one way only: the guest can
 * change its bytes while the switch looks at them. Sizes stay ours, so
 * reads remain inside [data, data + size); a parser that reads a field
 * twice may see two values, which is why zero copy also requires
 * VIRTQ_ZC_SLACK bytes of the same region on both sides of the frame: a
 * re-read offset that is off by a header length still lands in that
 * guest's own memory, never outside a mapping.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <linux/virtio_net.h>

#include "../base/util.h"
#include "../net/eth.h"
#include "../net/frame.h"
#include "port.h"
#include "virtq.h"

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5 /* newer than Debian 12's linux-libc-dev */
#endif

/* Compiler barrier: what was copied out of guest memory stays copied. */
#define barrier() __asm__ __volatile__("" ::: "memory")

static inline uint16_t ld16(const void *p)
{
	return le16toh(__atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED));
}

static inline uint16_t ld16_acquire(const void *p)
{
	return le16toh(__atomic_load_n((const uint16_t *)p, __ATOMIC_ACQUIRE));
}

static inline void st16(void *p, uint16_t v)
{
	__atomic_store_n((uint16_t *)p, htole16(v), __ATOMIC_RELAXED);
}

static void read_desc(const struct vring_desc *src, struct vring_desc *d)
{
	memcpy(d, src, sizeof(*d));
	barrier();
	d->addr = le64toh(d->addr);
	d->len = le32toh(d->len);
	d->flags = le16toh(d->flags);
	d->next = le16toh(d->next);
}

static int violate(struct virtq *vq, const char *why)
{
	if (!vq->violation)
		vq->violation = why;
	return -1;
}

/* vring_need_event() of the virtio spec: did [old, new) cross the guest's event index? */
static inline bool need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

static inline uint16_t *avail_event(const struct virtq *vq)
{
	return (uint16_t *)(void *)&vq->used->ring[vq->num];
}

static inline uint16_t *used_event(const struct virtq *vq)
{
	return (uint16_t *)(void *)&vq->avail->ring[vq->num];
}

/* log a write to the used ring at byte @off from its start */
static inline void log_used(struct virtq *vq, uint64_t off, uint64_t size)
{
	if (unlikely(vq->log_used))
		vhost_mem_log_write(vq->mem, vq->log_used_gpa + off, size);
}

void virtq_init(struct virtq *vq, struct vhost_mem *mem)
{
	memset(vq, 0, sizeof(*vq));
	vq->mem = mem;
	vq->call_fd = -1;
	vq->hdr_size = sizeof(struct virtio_net_hdr);
}

int virtq_map(struct virtq *vq, uint16_t num, uint64_t desc_qva, uint64_t avail_qva,
	      uint64_t used_qva)
{
	void *desc, *avail, *used;

	if (num == 0 || (num & (num - 1)))
		return -EINVAL;
	if (desc_qva % 16 || avail_qva % 2 || used_qva % 4)
		return -EINVAL;
	desc = vhost_mem_qva(vq->mem, desc_qva, (uint64_t)num * sizeof(struct vring_desc));
	avail = vhost_mem_qva(vq->mem, avail_qva, 6 + 2 * (uint64_t)num);
	used = vhost_mem_qva(vq->mem, used_qva, 6 + 8 * (uint64_t)num);
	if (!desc || !avail || !used)
		return -EFAULT;
	/* a hostile mmap offset could misalign our view of an aligned address */
	if ((uintptr_t)desc % 16 || (uintptr_t)avail % 2 || (uintptr_t)used % 4)
		return -EINVAL;
	vq->num = num;
	vq->mask = (uint16_t)(num - 1);
	vq->desc = desc;
	vq->avail = avail;
	vq->used = used;
	return 0;
}

void virtq_unmap(struct virtq *vq)
{
	vq->desc = NULL;
	vq->avail = NULL;
	vq->used = NULL;
}

bool virtq_start(struct virtq *vq, uint16_t base)
{
	uint16_t u = ld16_acquire(&vq->used->idx);
	bool ok = u == base;

	if (!ok)
		base = u;
	vq->last_avail = base;
	vq->avail_cache = base;
	vq->used_idx = base;
	vq->used_pub = base;
	vq->signalled_valid = false;
	return ok;
}

int virtq_pop(struct virtq *vq, uint16_t *head)
{
	uint16_t h;

	if (vq->last_avail == vq->avail_cache) {
		uint16_t a = ld16_acquire(&vq->avail->idx);

		if ((uint16_t)(a - vq->last_avail) > vq->num)
			return violate(vq, "avail index ran more than the ring size ahead");
		vq->avail_cache = a;
		if (a == vq->last_avail)
			return 0;
	}
	h = ld16(&vq->avail->ring[vq->last_avail & vq->mask]);
	if (h >= vq->num)
		return violate(vq, "avail ring entry out of range");
	vq->last_avail++;
	*head = h;
	return 1;
}

void virtq_iter_start(struct virtq *vq, uint16_t head, bool write, struct virtq_iter *it)
{
	it->vq = vq;
	it->table = vq->desc;
	it->table_len = vq->num;
	it->idx = head;
	it->budget = vq->num;
	it->in_indirect = false;
	it->write = write;
	it->more = true;
	it->gpa = 0;
	it->left = 0;
}

/* load the next descriptor of the chain into it->gpa/left. Return: 1, 0 (end), -1 */
static int iter_load(struct virtq_iter *it)
{
	struct virtq *vq = it->vq;
	struct vring_desc d;

	for (;;) {
		if (!it->more)
			return 0;
		if (it->budget == 0)
			return violate(vq, "descriptor chain loops or is longer than its table");
		it->budget--;
		if (it->idx >= it->table_len)
			return violate(vq, "descriptor index out of range");
		read_desc(&it->table[it->idx], &d);
		if (d.flags & VRING_DESC_F_INDIRECT) {
			uint64_t contig;
			void *t;

			if (!vq->indirect)
				return violate(vq, "indirect descriptor without INDIRECT_DESC");
			if (it->in_indirect)
				return violate(vq, "nested indirect descriptor table");
			if (d.flags & VRING_DESC_F_NEXT)
				return violate(vq, "indirect descriptor with NEXT");
			if (d.len == 0 || d.len % sizeof(struct vring_desc) ||
			    d.len / sizeof(struct vring_desc) > VIRTQ_SIZE_MAX)
				return violate(vq, "bad indirect table size");
			t = vhost_mem_gpa(vq->mem, d.addr, d.len, &contig, NULL);
			if (!t || contig != d.len)
				return violate(vq, "indirect table outside guest memory");
			it->table = t;
			it->table_len = d.len / sizeof(struct vring_desc);
			it->budget = it->table_len;
			it->idx = 0;
			it->in_indirect = true;
			continue;
		}
		if (!!(d.flags & VRING_DESC_F_WRITE) != it->write)
			return violate(vq, it->write ? "read-only descriptor in a receive chain"
						     : "writable descriptor in a transmit chain");
		if (d.len == 0)
			return violate(vq, "zero-length descriptor");
		it->gpa = d.addr;
		it->left = d.len;
		if (d.flags & VRING_DESC_F_NEXT)
			it->idx = d.next;
		else
			it->more = false;
		return 1;
	}
}

/* virtq_iter_next(), inlined into the datapath loops below */
static inline __attribute__((always_inline)) int iter_next(struct virtq_iter *it,
							   struct virtq_seg *seg)
{
	uint64_t contig, room;
	void *p;

	if (it->left == 0) {
		int r = iter_load(it);

		if (r <= 0)
			return r;
	}
	p = vhost_mem_gpa(it->vq->mem, it->gpa, it->left, &contig, &room);
	if (!p)
		return violate(it->vq, "descriptor buffer outside guest memory");
	seg->hva = p;
	seg->gpa = it->gpa;
	seg->len = (uint32_t)contig;
	seg->room = room;
	it->gpa += contig;
	it->left -= (uint32_t)contig;
	return 1;
}

int virtq_iter_next(struct virtq_iter *it, struct virtq_seg *seg)
{
	return iter_next(it, seg);
}

void virtq_push(struct virtq *vq, uint16_t head, uint32_t len)
{
	struct vring_used_elem e = { .id = htole32(head), .len = htole32(len) };
	uint16_t i = vq->used_idx & vq->mask;

	memcpy(&vq->used->ring[i], &e, sizeof(e));
	log_used(vq, 4 + 8 * (uint64_t)i, sizeof(e));
	vq->used_idx++;
}

void virtq_flush(struct virtq *vq)
{
	if (vq->used_idx == vq->used_pub)
		return;
	/* release: the entries must be visible before the index that publishes them */
	__atomic_store_n(&vq->used->idx, htole16(vq->used_idx), __ATOMIC_RELEASE);
	log_used(vq, 2, 2);
	vq->used_pub = vq->used_idx;
}

void virtq_notify(struct virtq *vq)
{
	static const uint64_t one = 1;

	/* full barrier: our used->idx store must be ordered before reading the guest's wishes */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vq->event_idx) {
		uint16_t ev = ld16(used_event(vq));
		bool need = !vq->signalled_valid || need_event(ev, vq->used_pub, vq->signalled);

		vq->signalled = vq->used_pub;
		vq->signalled_valid = true;
		if (!need)
			return;
	} else if (ld16(&vq->avail->flags) & VRING_AVAIL_F_NO_INTERRUPT) {
		return;
	}
	/* non-blocking fd: a full eventfd counter means the guest is interrupted anyway */
	if (vq->call_fd >= 0 && write(vq->call_fd, &one, sizeof(one)) == sizeof(one))
		vq->st.notifies++;
}

bool virtq_kick_enable(struct virtq *vq)
{
	if (vq->event_idx) {
		st16(avail_event(vq), vq->last_avail);
		log_used(vq, 4 + 8 * (uint64_t)vq->num, 2);
	} else if (ld16(&vq->used->flags) & VRING_USED_F_NO_NOTIFY) {
		st16(&vq->used->flags, 0);
		log_used(vq, 0, 2);
	}
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return ld16_acquire(&vq->avail->idx) != vq->last_avail;
}

void virtq_kick_disable(struct virtq *vq)
{
	/* with EVENT_IDX an avail_event we stop moving is suppression enough */
	if (!vq->event_idx && !(ld16(&vq->used->flags) & VRING_USED_F_NO_NOTIFY)) {
		st16(&vq->used->flags, VRING_USED_F_NO_NOTIFY);
		log_used(vq, 0, 2);
	}
}

/* ---- transmit: guest -> switch ------------------------------------------------------------ */

static void hdr_from_guest(const uint8_t *raw, struct virtio_net_hdr *vh)
{
	memcpy(vh, raw, sizeof(*vh));
	vh->hdr_len = le16toh(vh->hdr_len);
	vh->gso_size = le16toh(vh->gso_size);
	vh->csum_start = le16toh(vh->csum_start);
	vh->csum_offset = le16toh(vh->csum_offset);
}

/* may a guest that negotiated @tx_offloads send header @vh? */
static bool offloads_allowed(const struct virtio_net_hdr *vh, uint32_t tx_offloads)
{
	uint8_t gso = vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;

	if (vh->flags & ~(VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID))
		return false;
	if ((vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && !(tx_offloads & PORT_CAP_CSUM))
		return false;
	if ((vh->gso_type & VIRTIO_NET_HDR_GSO_ECN) && !(tx_offloads & PORT_CAP_TSO_ECN))
		return false;
	switch (gso) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return !(vh->gso_type & VIRTIO_NET_HDR_GSO_ECN);
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return tx_offloads & PORT_CAP_TSO4;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return tx_offloads & PORT_CAP_TSO6;
	default:
		return false;
	}
}

static uint8_t *copy_segs(uint8_t *dst, const struct virtq_seg *segs, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		memcpy(dst, segs[i].hva, segs[i].len);
		dst += segs[i].len;
	}
	return dst;
}

/*
 * dq_chain() - turn the chain at @head into frame @p
 * Return: 1 frame ready, 0 frame dropped (counted), -1 violation.
 */
static int dq_chain(struct virtq *vq, uint16_t head, struct pkt *p, bool zerocopy, uint64_t *drops)
{
	struct virtq_seg seg, segs[VIRTQ_DQ_SEGS];
	uint8_t raw[VIRTQ_NET_HDR_MAX];
	unsigned hgot = 0, nseg = 0;
	uint8_t *dst = p->data;
	bool copying = false;
	struct virtq_iter it;
	uint64_t size = 0;
	int r;

	virtq_iter_start(vq, head, false, &it);
	while ((r = iter_next(&it, &seg)) == 1) {
		if (hgot < vq->hdr_size) {
			uint32_t n = MIN(seg.len, (uint32_t)(vq->hdr_size - hgot));

			if (likely(n == VIRTQ_NET_HDR_MAX))
				memcpy(raw, seg.hva, VIRTQ_NET_HDR_MAX); /* one move, no call */
			else
				memcpy(raw + hgot, seg.hva, n);
			hgot += n;
			seg.hva += n;
			seg.gpa += n;
			seg.len -= n;
			seg.room -= n;
			if (!seg.len)
				continue;
		}
		if (seg.len > PKT_DATA_MAX - size) {
			drops[DROP_OVERSIZE]++;
			vq->st.dropped++;
			return 0;
		}
		size += seg.len;
		if (nseg && segs[nseg - 1].hva + segs[nseg - 1].len == seg.hva &&
		    segs[nseg - 1].gpa + segs[nseg - 1].len == seg.gpa) {
			/* adjacent pieces (page frags of one compound page) coalesce */
			segs[nseg - 1].len += seg.len;
			continue;
		}
		if (nseg == VIRTQ_DQ_SEGS) {
			dst = copy_segs(dst, segs, nseg);
			nseg = 0;
			copying = true;
		}
		segs[nseg++] = seg;
	}
	if (r < 0)
		return -1;
	barrier();
	if (hgot < vq->hdr_size || size < ETH_HLEN) {
		drops[DROP_RUNT]++;
		vq->st.dropped++;
		return 0;
	}
	if (!copying && nseg == 1 && zerocopy && segs[0].room >= segs[0].len &&
	    segs[0].room - segs[0].len >= VIRTQ_ZC_SLACK &&
	    vhost_mem_gpa_before(vq->mem, segs[0].gpa) >= VIRTQ_ZC_SLACK) {
		p->data = segs[0].hva;
		vq->st.zerocopy++;
	} else {
		copy_segs(dst, segs, nseg);
		vq->st.copied++;
	}
	p->size = (uint32_t)size;
	hdr_from_guest(raw, &p->vnet);
	if (p->vnet.flags || p->vnet.gso_type) {
		struct frame_info fi;

		if (!offloads_allowed(&p->vnet, vq->tx_offloads) ||
		    frame_parse(p->data, p->size, &fi) != FRAME_OK ||
		    !frame_check_vnet(&p->vnet, p->data, p->size, &fi)) {
			drops[DROP_BAD_VNET_HDR]++;
			vq->st.dropped++;
			return 0;
		}
		/* DATA_VALID is a receive-side hint; it means nothing coming from a guest */
		p->vnet.flags &= VIRTIO_NET_HDR_F_NEEDS_CSUM;
	}
	return 1;
}

unsigned virtq_dequeue(struct virtq *vq, struct pkt_pool *pool, struct pkt **pkts, uint16_t *heads,
		       unsigned n, bool zerocopy, uint64_t *drops)
{
	unsigned got = 0, have;
	uint16_t head;
	int r = virtq_pop(vq, &head);

	if (r <= 0)
		return 0;
	/* one allocation for the burst: as many buffers as frames are waiting */
	have = pkt_alloc_burst(pool, pkts,
			       MIN(n, (unsigned)(uint16_t)(vq->avail_cache - vq->last_avail) + 1u));
	if (!have) {
		virtq_unpop(vq, 1);
		return 0;
	}
	for (;;) {
		struct pkt *p = pkts[got];

		r = dq_chain(vq, head, p, zerocopy, drops);
		if (r < 0)
			break;
		if (r == 0) {
			pkt_reset(p); /* dropped: the buffer serves the next frame */
			virtq_push(vq, head, 0);
		} else {
			vq->st.packets++;
			vq->st.bytes += p->size;
			heads[got++] = head;
		}
		if (got == have || virtq_pop(vq, &head) <= 0)
			break;
	}
	pkt_free_burst(pool, pkts + got, have - got);
	return got;
}

/* ---- receive: switch -> guest ------------------------------------------------------------- */

/* can a guest with receive offloads @caps take header @vh as is? */
static bool offloads_taken(const struct virtio_net_hdr *vh, uint32_t caps)
{
	uint8_t gso = vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;

	if ((vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) && !(caps & PORT_CAP_CSUM))
		return false;
	if ((vh->gso_type & VIRTIO_NET_HDR_GSO_ECN) && !(caps & PORT_CAP_TSO_ECN))
		return false;
	switch (gso) {
	case VIRTIO_NET_HDR_GSO_NONE:
		return true;
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return caps & PORT_CAP_TSO4;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return caps & PORT_CAP_TSO6;
	case VIRTIO_NET_HDR_GSO_UDP:
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		return caps & PORT_CAP_UFO;
	default:
		return false;
	}
}

/* the byte stream written into the guest's buffers: header, frame, maybe a tag */
struct enq_src {
	const uint8_t *p;
	uint32_t len;
};

bool virtq_enqueue_one(struct virtq *vq, const struct pkt *p, uint16_t tci, uint64_t *drops)
{
	uint16_t saved_avail = vq->last_avail, saved_used = vq->used_idx, nbufs = 0;
	struct virtio_net_hdr_mrg_rxbuf h = { .num_buffers = htole16(1) };
	struct virtio_net_hdr vh = p->vnet;
	struct enq_src src[4];
	unsigned nsrc = 0, si = 0;
	uint8_t *nb_at = NULL;
	uint64_t nb_gpa = 0, remaining;
	uint32_t soff = 0;
	uint8_t tag[VLAN_HLEN];

	if (p->size < ETH_HLEN) {
		drops[DROP_RUNT]++;
		vq->st.dropped++;
		return false;
	}
	if (!offloads_taken(&vh, vq->rx_caps)) {
		/* the switch completes offloads for ports without them; this is a bug upstream */
		drops[DROP_TX_ERROR]++;
		vq->st.dropped++;
		return false;
	}
	if (tci) {
		if (vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
			vh.csum_start += VLAN_HLEN;
		if (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE && vh.hdr_len)
			vh.hdr_len += VLAN_HLEN;
	}
	h.hdr.flags = vh.flags;
	h.hdr.gso_type = vh.gso_type;
	h.hdr.hdr_len = htole16(vh.hdr_len);
	h.hdr.gso_size = htole16(vh.gso_size);
	h.hdr.csum_start = htole16(vh.csum_start);
	h.hdr.csum_offset = htole16(vh.csum_offset);

	src[nsrc++] = (struct enq_src){ (const uint8_t *)&h, vq->hdr_size };
	if (tci) {
		tag[0] = ETH_P_8021Q_ >> 8;
		tag[1] = ETH_P_8021Q_ & 0xff;
		tag[2] = (uint8_t)(tci >> 8);
		tag[3] = (uint8_t)tci;
		src[nsrc++] = (struct enq_src){ p->data, 2 * ETH_ALEN };
		src[nsrc++] = (struct enq_src){ tag, VLAN_HLEN };
		src[nsrc++] = (struct enq_src){ p->data + 2 * ETH_ALEN, p->size - 2 * ETH_ALEN };
	} else {
		src[nsrc++] = (struct enq_src){ p->data, p->size };
	}
	remaining = (uint64_t)vq->hdr_size + p->size + (tci ? VLAN_HLEN : 0);

	while (remaining) {
		struct virtq_iter it;
		struct virtq_seg seg;
		uint32_t written = 0;
		uint16_t head;
		int r = virtq_pop(vq, &head);

		if (r <= 0) {
			if (r == 0) {
				drops[DROP_TX_FULL]++;
				vq->st.no_room++;
			}
			goto rollback;
		}
		virtq_iter_start(vq, head, true, &it);
		while (remaining && (r = iter_next(&it, &seg)) == 1) {
			uint32_t off = 0;

			if (vq->mrg_rxbuf && nbufs == 0 && written == 0) {
				if (seg.len < vq->hdr_size) {
					violate(vq, "receive buffer shorter than the virtio-net "
						    "header");
					goto rollback;
				}
				nb_at = seg.hva +
					offsetof(struct virtio_net_hdr_mrg_rxbuf, num_buffers);
				nb_gpa = seg.gpa +
					 offsetof(struct virtio_net_hdr_mrg_rxbuf, num_buffers);
			}
			if (nbufs == 0 && written == 0 && seg.len >= remaining &&
			    vq->hdr_size == VIRTQ_NET_HDR_MAX) {
				/* the usual case: all of it fits the first segment; fixed-size
				 * moves the compiler inlines instead of the piece loop */
				uint8_t *d = seg.hva;

				memcpy(d, &h, VIRTQ_NET_HDR_MAX);
				d += VIRTQ_NET_HDR_MAX;
				if (tci) {
					memcpy(d, p->data, 2 * ETH_ALEN);
					memcpy(d + 2 * ETH_ALEN, tag, VLAN_HLEN);
					d += 2 * ETH_ALEN + VLAN_HLEN;
					memcpy(d, p->data + 2 * ETH_ALEN, p->size - 2 * ETH_ALEN);
				} else {
					memcpy(d, p->data, p->size);
				}
				off = (uint32_t)remaining;
				remaining = 0;
			}
			while (off < seg.len && remaining) {
				uint32_t n = MIN(seg.len - off, src[si].len - soff);

				memcpy(seg.hva + off, src[si].p + soff, n);
				off += n;
				soff += n;
				remaining -= n;
				if (soff == src[si].len) {
					si++;
					soff = 0;
				}
			}
			if (unlikely(vq->mem->logging))
				vhost_mem_log_write(vq->mem, seg.gpa, off);
			written += off;
		}
		if (r < 0)
			goto rollback;
		virtq_push(vq, head, written);
		nbufs++;
		if (remaining && !vq->mrg_rxbuf) {
			/* one chain must hold the frame, and this one is too short */
			drops[DROP_OVERSIZE]++;
			vq->st.dropped++;
			goto rollback;
		}
	}
	if (nb_at && nbufs > 1) {
		uint16_t nb = htole16(nbufs);

		memcpy(nb_at, &nb, sizeof(nb));
		vhost_mem_log_write(vq->mem, nb_gpa, sizeof(nb));
	}
	vq->st.packets++;
	vq->st.bytes += p->size + (tci ? VLAN_HLEN : 0);
	return true;

rollback:
	vq->last_avail = saved_avail;
	vq->used_idx = saved_used;
	return false;
}
