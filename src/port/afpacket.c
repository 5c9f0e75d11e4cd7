// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * afpacket.c - AF_PACKET with a TPACKET_V3 receive ring and sendmmsg() transmit.
 *
 * Theory of operation
 * -------------------
 * Receive: the kernel writes frames into an mmap'ed ring of AFPACKET_N_BLOCKS
 * blocks. It fills one block with as many frames as fit and hands the block
 * over (TP_STATUS_USER) when it is full or AFPACKET_BLOCK_TIMEOUT_MS after its
 * first frame; only then does the socket poll readable. One wake-up therefore
 * carries a whole block under load, and no system call is made per frame.
 * The reader copies frames into pool buffers (the switch floods and keeps
 * frames past the burst, and a block must go back to the kernel as soon as
 * possible) and returns each block when it has read its last frame. When no
 * block is free the kernel drops and counts (tp_drops): those are the ring
 * drops port/list shows, never a stall of the switch.
 *
 * Each frame is preceded by a virtio-net header (PACKET_VNET_HDR), so frames
 * the kernel merged with GRO, or received with a partial checksum (from a
 * local veth peer), arrive marked as such instead of with a wrong checksum,
 * and the switch forwards them as super-frames or completes them for ports
 * that need it. A block is AFPACKET_BLOCK_SIZE so that a 64 KiB GRO frame
 * fits; a longer one (BIG TCP) is truncated by the kernel and dropped here.
 * The kernel strips the 802.1Q tag of a received frame into tp_vlan_tci; it
 * is put back while copying so the switch's trunk logic sees the wire frame.
 *
 * Transmit: one sendmmsg() per burst of PKT_BATCH, each frame with its
 * virtio-net header, so the kernel (or the NIC) completes checksums and
 * segments TSO frames, and an egress VLAN tag spliced in by the iovec.
 *
 * The socket never sees its own transmissions, nor the host's
 * (PACKET_IGNORE_OUTGOING): the host's traffic on the NIC is its own business.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "../base/log.h"
#include "../base/util.h"
#include "../net/eth.h"
#include "afpacket.h"

#define AFPACKET_FRAME_NOMINAL 2048u /* tp_frame_size: only a count for TPACKET_V3 */

/* cBPF: accept a frame only if its destination MAC has the group bit */
static struct sock_filter afpacket_mcast_insns[] = {
	{ BPF_LD | BPF_B | BPF_ABS, 0, 0, 0 },
	{ BPF_JMP | BPF_JSET | BPF_K, 0, 1, 1 },
	{ BPF_RET | BPF_K, 0, 0, 0xffffffffu },
	{ BPF_RET | BPF_K, 0, 0, 0 },
};

int afpacket_open(struct afpacket *a, unsigned ifindex, enum afpacket_filter filter, char *err,
		  size_t errsz)
{
	struct tpacket_req3 req = {
		.tp_block_size = AFPACKET_BLOCK_SIZE,
		.tp_block_nr = AFPACKET_N_BLOCKS,
		.tp_frame_size = AFPACKET_FRAME_NOMINAL,
		.tp_frame_nr = AFPACKET_BLOCK_SIZE / AFPACKET_FRAME_NOMINAL * AFPACKET_N_BLOCKS,
		.tp_retire_blk_tov = AFPACKET_BLOCK_TIMEOUT_MS,
	};
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL),
				   .sll_ifindex = (int)ifindex };
	struct packet_mreq mr = { .mr_ifindex = (int)ifindex, .mr_type = PACKET_MR_PROMISC };
	struct sock_fprog prog = { .len = ARRAY_SIZE(afpacket_mcast_insns),
				   .filter = afpacket_mcast_insns };
	int one = 1, v3 = TPACKET_V3, sndbuf = AFPACKET_SNDBUF_BYTES, rc;
	const char *what;
	void *ring;

	*a = (struct afpacket){ .fd = -1 };
	/* protocol 0: nothing is queued before the ring and filter are in place */
	a->fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (a->fd < 0) {
		rc = -errno;
		snprintf(err, errsz, "AF_PACKET socket: %s%s", strerror(errno),
			 errno == EPERM ? " (needs CAP_NET_RAW)" : "");
		return rc;
	}
	what = "PACKET_VERSION TPACKET_V3";
	if (setsockopt(a->fd, SOL_PACKET, PACKET_VERSION, &v3, sizeof(v3)))
		goto fail;
	what = "PACKET_VNET_HDR";
	if (setsockopt(a->fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)))
		goto fail;
	what = "PACKET_IGNORE_OUTGOING";
	if (setsockopt(a->fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)))
		goto fail;
	what = "SO_ATTACH_FILTER";
	if (filter == AFPACKET_MULTICAST &&
	    setsockopt(a->fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)))
		goto fail;
	/* the default send buffer holds three 64 KiB TSO frames: too few for a burst */
	if (setsockopt(a->fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)))
		setsockopt(a->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	what = "PACKET_RX_RING";
	if (setsockopt(a->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)))
		goto fail;
	ring = mmap(NULL, (size_t)AFPACKET_BLOCK_SIZE * AFPACKET_N_BLOCKS, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_LOCKED, a->fd, 0);
	if (ring == MAP_FAILED) /* MAP_LOCKED may exceed RLIMIT_MEMLOCK: try without */
		ring = mmap(NULL, (size_t)AFPACKET_BLOCK_SIZE * AFPACKET_N_BLOCKS,
			    PROT_READ | PROT_WRITE, MAP_SHARED, a->fd, 0);
	what = "mmap of the ring";
	if (ring == MAP_FAILED)
		goto fail;
	a->ring = ring;
	what = "bind";
	if (bind(a->fd, (struct sockaddr *)&sll, sizeof(sll)))
		goto fail;
	what = "promiscuous mode (PACKET_ADD_MEMBERSHIP)";
	if (setsockopt(a->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)))
		goto fail;
	return 0;

fail:
	rc = -errno;
	snprintf(err, errsz, "AF_PACKET %s: %s", what, strerror(errno));
	afpacket_close(a);
	return rc;
}

void afpacket_close(struct afpacket *a)
{
	if (a->ring)
		munmap(a->ring, (size_t)AFPACKET_BLOCK_SIZE * AFPACKET_N_BLOCKS);
	a->ring = NULL;
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
	a->frame = NULL;
	a->left = 0;
}

static struct tpacket_block_desc *afpacket_block(struct afpacket *a, unsigned i)
{
	return (struct tpacket_block_desc *)(a->ring + (size_t)i * AFPACKET_BLOCK_SIZE);
}

/* Hand the current block back to the kernel and move to the next one. */
static void afpacket_release_block(struct afpacket *a)
{
	struct tpacket_block_desc *bd = afpacket_block(a, a->block);

	__atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
	a->block = (a->block + 1) % AFPACKET_N_BLOCKS;
	a->frame = NULL;
	a->left = 0;
}

/* Is the next frame ready? Enters the current block when the kernel has handed it over. */
static bool afpacket_next_ready(struct afpacket *a)
{
	struct tpacket_block_desc *bd;

	if (a->frame)
		return true;
	bd = afpacket_block(a, a->block);
	if (!(__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER))
		return false;
	if (!bd->hdr.bh1.num_pkts || bd->hdr.bh1.offset_to_first_pkt >= AFPACKET_BLOCK_SIZE) {
		afpacket_release_block(a);
		return false;
	}
	a->left = bd->hdr.bh1.num_pkts;
	a->frame = (uint8_t *)bd + bd->hdr.bh1.offset_to_first_pkt;
	return true;
}

/*
 * Copy one ring frame into @pk. Return: false if it cannot be a frame
 * (counted by the caller).
 */
static bool afpacket_copy_frame(struct afpacket *a, const struct tpacket3_hdr *h, struct pkt *pk)
{
	const uint8_t *blk = (const uint8_t *)afpacket_block(a, a->block);
	const uint8_t *mac = (const uint8_t *)h + h->tp_mac;
	uint32_t len = h->tp_snaplen;
	bool tagged = h->tp_status & TP_STATUS_VLAN_VALID;

	/* the kernel wrote these offsets; still, never read outside the block */
	if (h->tp_mac < sizeof(struct virtio_net_hdr) || mac + len > blk + AFPACKET_BLOCK_SIZE ||
	    len < 2 * ETH_ALEN || len + (tagged ? VLAN_HLEN : 0) > PKT_DATA_MAX)
		return false;
	memcpy(&pk->vnet, mac - sizeof(struct virtio_net_hdr), sizeof(pk->vnet));
	if (!tagged) {
		memcpy(pk->data, mac, len);
		pk->size = len;
		return true;
	}
	/* put back the tag the kernel took out (skb_vlan_untag) */
	uint16_t tpid = (h->tp_status & TP_STATUS_VLAN_TPID_VALID) && h->hv1.tp_vlan_tpid
				? h->hv1.tp_vlan_tpid
				: ETH_P_8021Q;
	uint16_t be[2] = { htons(tpid), htons((uint16_t)h->hv1.tp_vlan_tci) };

	memcpy(pk->data, mac, 2 * ETH_ALEN);
	memcpy(pk->data + 2 * ETH_ALEN, be, VLAN_HLEN);
	memcpy(pk->data + 2 * ETH_ALEN + VLAN_HLEN, mac + 2 * ETH_ALEN, len - 2 * ETH_ALEN);
	pk->size = len + VLAN_HLEN;
	if (pk->vnet.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
		pk->vnet.csum_start += VLAN_HLEN;
	if (pk->vnet.hdr_len)
		pk->vnet.hdr_len += VLAN_HLEN;
	return true;
}

unsigned afpacket_rx_burst(struct afpacket *a, struct port *p, struct pkt **pkts, unsigned n)
{
	struct pkt *bufs[PKT_BATCH];
	unsigned got = 0, m, used = 0;

	if (a->fd < 0 || !afpacket_next_ready(a))
		return 0;
	m = pkt_alloc_burst(p->dp->pool, bufs, MIN(n, PKT_BATCH));
	if (!m) {
		/* leave the frames in the ring: the kernel drops (and counts) if it fills */
		port_count_drop(p, DROP_NO_BUFFERS, 1);
		return 0;
	}
	while (used < m && afpacket_next_ready(a)) {
		const struct tpacket3_hdr *h = (const struct tpacket3_hdr *)a->frame;
		uint8_t *blk = (uint8_t *)afpacket_block(a, a->block);

		if (h->tp_snaplen < h->tp_len) {
			a->stats.truncated++;
			port_count_drop(p, DROP_OVERSIZE, 1);
		} else if (afpacket_copy_frame(a, h, bufs[used])) {
			pkts[got++] = bufs[used++];
		} else {
			port_count_drop(p, DROP_RUNT, 1);
		}
		if (--a->left == 0 || !h->tp_next_offset ||
		    a->frame + h->tp_next_offset >= blk + AFPACKET_BLOCK_SIZE)
			afpacket_release_block(a);
		else
			a->frame += h->tp_next_offset;
	}
	pkt_free_burst(p->dp->pool, bufs + used, m - used);
	return got;
}

/* One frame's iovec: virtio-net header, the frame, a VLAN tag spliced after the MACs. */
static unsigned afpacket_tx_iov(const struct pkt *pk, uint16_t tci, uint16_t gso_size,
				struct virtio_net_hdr *vh, uint16_t tag[2], struct iovec *iov)
{
	unsigned niov = 0;

	*vh = pk->vnet;
	vh->flags &= VIRTIO_NET_HDR_F_NEEDS_CSUM;
	if (pkt_is_gso(pk))
		vh->gso_size = gso_size;
	iov[niov++] = (struct iovec){ vh, sizeof(*vh) };
	if (tci && pk->size >= 2 * ETH_ALEN) {
		tag[0] = htons(ETH_P_8021Q);
		tag[1] = htons(tci);
		if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
			vh->csum_start += VLAN_HLEN;
		if (vh->hdr_len)
			vh->hdr_len += VLAN_HLEN;
		iov[niov++] = (struct iovec){ pk->data, 2 * ETH_ALEN };
		iov[niov++] = (struct iovec){ tag, VLAN_HLEN };
		iov[niov++] = (struct iovec){ pk->data + 2 * ETH_ALEN, pk->size - 2 * ETH_ALEN };
	} else {
		iov[niov++] = (struct iovec){ pk->data, pk->size };
	}
	return niov;
}

unsigned afpacket_tx_burst(struct afpacket *a, struct port *p, struct pkt **pkts,
			   const uint16_t *tci, const uint16_t *gso_size, unsigned n)
{
	struct virtio_net_hdr vh[PKT_BATCH];
	uint16_t tag[PKT_BATCH][2];
	struct mmsghdr msgs[PKT_BATCH];
	struct iovec iov[PKT_BATCH][4];
	unsigned done = 0, sent = 0;

	if (a->fd < 0) {
		port_count_drop(p, DROP_PORT_DOWN, n);
		return 0;
	}
	while (done < n) {
		unsigned m = MIN(n - done, PKT_BATCH);
		int r, e;

		for (unsigned i = 0; i < m; i++) {
			unsigned niov = afpacket_tx_iov(pkts[done + i], tci[done + i],
							gso_size[done + i], &vh[i], tag[i], iov[i]);

			msgs[i].msg_hdr = (struct msghdr){ .msg_iov = iov[i], .msg_iovlen = niov };
		}
		r = sendmmsg(a->fd, msgs, m, MSG_DONTWAIT);
		e = errno;
		if (r < 0)
			r = 0;
		for (unsigned i = 0; i < (unsigned)r; i++) {
			p->stats.tx_packets++;
			p->stats.tx_bytes += msgs[i].msg_len - sizeof(struct virtio_net_hdr);
			p->stats.tx_gso += pkt_is_gso(pkts[done + i]);
		}
		sent += (unsigned)r;
		if ((unsigned)r < m) {
			/* the first unsent frame failed: drop it and carry on after it */
			if (e == ENETDOWN || e == ENXIO || e == ENODEV) {
				port_count_drop(p, DROP_PORT_DOWN, 1);
			} else if (e == EAGAIN || e == ENOBUFS) {
				port_count_drop(p, DROP_TX_FULL, 1);
			} else {
				a->stats.tx_errors++;
				port_count_drop(p, DROP_TX_ERROR, 1);
				log_ratelimited(LOG_LVL_WARN, "port %s: AF_PACKET send: %s",
						p->name, strerror(e));
			}
			r++;
		}
		done += (unsigned)r;
	}
	return sent;
}

void afpacket_poll_stats(struct afpacket *a)
{
	struct tpacket_stats_v3 st;
	socklen_t len = sizeof(st);

	if (a->fd < 0 || getsockopt(a->fd, SOL_PACKET, PACKET_STATISTICS, &st, &len))
		return;
	a->stats.ring_drops += st.tp_drops;
	a->stats.ring_freezes += st.tp_freeze_q_cnt;
}

int afpacket_clear_error(struct afpacket *a)
{
	int soerr = 0;
	socklen_t len = sizeof(soerr);

	if (a->fd < 0 || getsockopt(a->fd, SOL_SOCKET, SO_ERROR, &soerr, &len))
		return 0;
	if (soerr)
		a->stats.rx_errors++;
	return soerr;
}
