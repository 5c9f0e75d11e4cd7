/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtq.h - split virtqueues in a guest's memory: the descriptor-chain
 * walker, and the copies of frames out of a transmit queue and into a
 * receive queue (virtio-net, mergeable buffers, event-idx).
 *
 * Theory of operation
 * -------------------
 * The guest's driver owns the descriptor table and the avail ring; we own
 * the used ring. virtq_pop() takes the next head from avail, a
 * struct virtq_iter walks its chain (direct, or through one indirect
 * table) as segments of our address space, and virtq_push() queues the
 * head in the used ring. Nothing is visible to the guest until
 * virtq_flush() publishes used->idx, so a frame that does not fit can be
 * rolled back by restoring two indices. virtq_notify() then decides with
 * EVENT_IDX (or the NO_INTERRUPT flag) whether the guest wants an
 * interrupt, and writes its call eventfd if so.
 *
 * Transmit (guest -> switch), virtq_dequeue(): the virtio-net header is
 * copied out and checked; if the frame behind it is one contiguous piece
 * of guest memory with VIRTQ_ZC_SLACK bytes of the same region on both
 * sides, the pkt points straight into guest memory (zero copy: the only
 * copy is the one into the destination). Otherwise it is copied into the
 * pkt's own buffer. The head goes back to the guest when the switch is
 * done with the frame (the caller pushes it).
 *
 * Receive (switch -> guest), virtq_enqueue_one(): header + frame (with an
 * 802.1Q tag inserted after the MAC addresses when asked) are copied into
 * as many buffers as needed (MRG_RXBUF) or into one chain.
 *
 * Security model: the guest writes the rings and descriptors concurrently
 * with us and may lie in every field. Each ring field and descriptor is
 * read once into a local (READ_ONCE semantics) and checked before use:
 * head and next indices against the ring or indirect table size, chain
 * length against a budget (so loops end), lengths non-zero, the direction
 * of every descriptor, indirect tables (size, no nesting, inside guest
 * memory), and every buffer through vhost_mem_gpa(). A violation marks the
 * queue (vq->violation, a static string) and stops processing; the owner
 * resets the port. Frames that are merely malformed are dropped and
 * counted, and their buffers returned.
 */
#ifndef VNET_VIRTQ_H
#define VNET_VIRTQ_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/virtio_ring.h>

#include "../base/drop.h"
#include "../base/pkt.h"
#include "vhost_mem.h"

#define VIRTQ_SIZE_MAX 32768 /* largest split ring (virtio spec) */
#define VIRTQ_NET_HDR_MAX 12 /* virtio_net_hdr_mrg_rxbuf */
#define VIRTQ_ZC_SLACK 256 /* bytes of the same region around a zero-copy frame */
#define VIRTQ_DQ_SEGS 8 /* data segments gathered before falling back to copying */

/**
 * struct virtq_seg - a piece of a descriptor's buffer, mapped in our address space
 * @hva:  our pointer
 * @gpa:  its guest physical address (for the dirty log)
 * @len:  bytes
 * @room: bytes from @hva to the end of its region (>= @len)
 */
struct virtq_seg {
	uint8_t *hva;
	uint64_t gpa;
	uint32_t len;
	uint64_t room;
};

/**
 * struct virtq_stats - per-queue counters
 * @packets/@bytes: frames moved through the queue
 * @zerocopy/@copied: transmit frames passed by reference / copied
 * @kicks:   guest notifications received (counted by the owner)
 * @notifies: interrupts sent to the guest (call eventfd writes)
 * @no_room: receive frames dropped because the guest posted no buffers
 * @dropped: frames dropped for any other reason
 */
struct virtq_stats {
	uint64_t packets, bytes;
	uint64_t zerocopy, copied;
	uint64_t kicks, notifies;
	uint64_t no_room, dropped;
};

/**
 * struct virtq - one split virtqueue
 * @num/@mask:   ring size (power of two) and num - 1; 0 while unset
 * @desc/@avail/@used: the ring in our address space (NULL until mapped)
 * @last_avail:  next avail entry to take
 * @avail_cache: avail->idx as last read
 * @used_idx:    next used entry to fill (published by virtq_flush)
 * @used_pub:    value last stored in used->idx
 * @signalled:   @used_pub at the last interrupt (EVENT_IDX); @signalled_valid
 * @hdr_size:    virtio-net header bytes (10, or 12 with VERSION_1/MRG_RXBUF)
 * @event_idx/@indirect/@mrg_rxbuf: negotiated ring features
 * @rx_caps:     PORT_CAP_* offloads the guest takes on receive (GUEST_*)
 * @tx_offloads: PORT_CAP_* offloads the guest may use on transmit (CSUM, HOST_*)
 * @log_used:    log used-ring writes at @log_used_gpa (VHOST_VRING_F_LOG)
 * @mem:         the guest's memory
 * @call_fd:     eventfd to interrupt the guest, -1 for none (owned by the caller)
 * @violation:   why the guest broke the rules, NULL while it has not
 * @st:          counters
 */
struct virtq {
	uint16_t num, mask;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t last_avail;
	uint16_t avail_cache;
	uint16_t used_idx;
	uint16_t used_pub;
	uint16_t signalled;
	bool signalled_valid;
	uint8_t hdr_size;
	bool event_idx, indirect, mrg_rxbuf;
	uint32_t rx_caps, tx_offloads;
	bool log_used;
	uint64_t log_used_gpa;
	struct vhost_mem *mem;
	int call_fd;
	const char *violation;
	struct virtq_stats st;
};

/**
 * struct virtq_iter - walks one descriptor chain (see virtq_iter_next())
 */
struct virtq_iter {
	struct virtq *vq;
	const struct vring_desc *table;
	uint32_t table_len;
	uint32_t idx;
	uint32_t budget;
	bool in_indirect;
	bool write;
	bool more;
	uint64_t gpa;
	uint32_t left;
};

/** virtq_init() - an unset queue on memory @mem */
void virtq_init(struct virtq *vq, struct vhost_mem *mem);

/**
 * virtq_map() - translate the ring's front-end addresses (SET_VRING_ADDR)
 * Checks the ring size (power of two up to VIRTQ_SIZE_MAX), the alignment
 * of each part and that each lies whole inside one region.
 * Return: 0, or -EINVAL (bad size/alignment) / -EFAULT (not in guest memory).
 */
int virtq_map(struct virtq *vq, uint16_t num, uint64_t desc_qva, uint64_t avail_qva,
	      uint64_t used_qva);
/** virtq_unmap() - forget the ring pointers (memory table about to change) */
void virtq_unmap(struct virtq *vq);
/** virtq_ready() - mapped and not broken */
static inline bool virtq_ready(const struct virtq *vq)
{
	return vq->desc && !vq->violation;
}

/**
 * virtq_start() - begin processing at avail index @base (SET_VRING_BASE)
 * If the used ring says otherwise (the previous back-end died with
 * buffers in flight), trust used->idx: transmit frames may be sent again,
 * receive buffers are refilled. Return: true if @base was adopted as is.
 */
bool virtq_start(struct virtq *vq, uint16_t base);

/**
 * virtq_pop() - take the next available head
 * Return: 1 with *@head set, 0 if none, -1 on a violation.
 */
int virtq_pop(struct virtq *vq, uint16_t *head);
/** virtq_unpop() - give back the last @n heads taken (not yet pushed) */
static inline void virtq_unpop(struct virtq *vq, uint16_t n)
{
	vq->last_avail = (uint16_t)(vq->last_avail - n);
}
/** virtq_pending() - are avail entries waiting (as of the last read of avail->idx)? */
static inline bool virtq_pending(const struct virtq *vq)
{
	return vq->last_avail != vq->avail_cache;
}

/** virtq_iter_start() - walk the chain at @head; @write: a receive chain (device-writable) */
void virtq_iter_start(struct virtq *vq, uint16_t head, bool write, struct virtq_iter *it);
/**
 * virtq_iter_next() - the next segment of the chain
 * A descriptor crossing a region boundary yields one segment per region.
 * Return: 1 with *@seg set, 0 at the end of the chain, -1 on a violation.
 */
int virtq_iter_next(struct virtq_iter *it, struct virtq_seg *seg);

/** virtq_push() - queue @head as used with @len bytes written (invisible until flushed) */
void virtq_push(struct virtq *vq, uint16_t head, uint32_t len);
/** virtq_flush() - publish the pushed entries (used->idx) */
void virtq_flush(struct virtq *vq);
/**
 * virtq_notify() - interrupt the guest if it asked for it (EVENT_IDX /
 * NO_INTERRUPT) and anything was published since the last interrupt
 */
void virtq_notify(struct virtq *vq);

/**
 * virtq_kick_enable() - ask the guest to kick on its next avail entry
 * Return: true if entries arrived meanwhile (poll again: no kick is coming).
 */
bool virtq_kick_enable(struct virtq *vq);
/** virtq_kick_disable() - ask the guest not to kick (we are polling) */
void virtq_kick_disable(struct virtq *vq);

/**
 * virtq_dequeue() - take up to @n frames from a transmit queue
 * @pool:     where pkt structs (and copy buffers) come from
 * @pkts:     out: the frames
 * @heads:    out: the head of each frame's chain, to virtq_push() when done
 * @zerocopy: frames may point into guest memory
 * @drops:    per-reason drop counters to add to (bad headers, runts...);
 *            such frames' heads are pushed here already
 * Stops early when the ring is empty, the pool is empty, or on a violation.
 * Return: frames taken.
 */
unsigned virtq_dequeue(struct virtq *vq, struct pkt_pool *pool, struct pkt **pkts, uint16_t *heads,
		       unsigned n, bool zerocopy, uint64_t *drops);

/**
 * virtq_enqueue_one() - copy one frame into a receive queue
 * @tci: 802.1Q TCI to insert after the MAC addresses, 0 for none
 * @drops: per-reason drop counters to add to when the frame cannot go
 * The frame becomes visible to the guest at the next virtq_flush().
 * Return: true if it was queued.
 */
bool virtq_enqueue_one(struct virtq *vq, const struct pkt *p, uint16_t tci, uint64_t *drops);

/** virtq_pkt_is_guest() - does @p's data point into guest memory (a zero-copy frame)? */
static inline bool virtq_pkt_is_guest(const struct pkt *p)
{
	uintptr_t d = (uintptr_t)p->data, b = (uintptr_t)p->buf;

	return d - b >= PKT_BUF_SIZE;
}

#endif /* VNET_VIRTQ_H */
