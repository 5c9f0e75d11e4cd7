/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * afxdp.h - AF_XDP sockets on an interface's receive queues, with the small
 * XDP program that steers the switch's unicast to them: the uplink port's
 * fast backend where the driver has native XDP.
 */
#ifndef VNET_AFXDP_H
#define VNET_AFXDP_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "../base/evloop.h"
#include "port.h"

#define AFXDP_MAX_QUEUES 8 /* receive queues served; an interface with more falls back */
#define AFXDP_FRAME_SIZE 4096u /* bytes per UMEM frame */
#define AFXDP_RX_FRAMES 2048u /* UMEM frames on the fill/RX side, per queue */
#define AFXDP_TX_FRAMES 1024u /* UMEM frames on the TX/completion side, per queue */
/* largest frame a UMEM frame holds (XDP headroom, one VLAN tag) */
#define AFXDP_FRAME_MAX (AFXDP_FRAME_SIZE - 256u - 4u)

/**
 * struct afxdp_stats - what the kernel's XDP_STATISTICS report, summed over the queues
 * @rx_dropped:       frames dropped for other reasons (e.g. frame larger than a UMEM frame)
 * @rx_ring_full:     frames dropped because the RX ring was full (the switch too slow)
 * @rx_fill_empty:    frames dropped because no fill buffer was posted
 * @rx_invalid:       invalid RX descriptors
 * @tx_invalid:       invalid TX descriptors
 * @tx_ring_empty:    times the kernel found the TX ring empty
 * @tx_no_frame:      frames not sent because every TX UMEM frame was in flight
 */
struct afxdp_stats {
	uint64_t rx_dropped;
	uint64_t rx_ring_full;
	uint64_t rx_fill_empty;
	uint64_t rx_invalid;
	uint64_t tx_invalid;
	uint64_t tx_ring_empty;
	uint64_t tx_no_frame;
};

struct afxdp_queue;

/**
 * struct afxdp - the XDP program, its socket map and one socket per queue
 * @ifindex:   the interface
 * @ifname:    its name (libxdp binds by name)
 * @mac:       the host's MAC on it: unicast to it stays with the host
 * @prog_fd:   the steering program
 * @map_fd:    its XSKMAP (queue index -> socket)
 * @link_fd:   the bpf_link attaching it: closing it detaches, even on SIGKILL
 * @native:    attached in native (driver) mode, not generic (skb) mode
 * @zerocopy:  the sockets run in zero-copy mode
 * @n_queues:  sockets open
 * @q:         per-queue state
 * @rx_next:   queue the next receive burst starts with (fairness)
 * @stats:     counters (refreshed by afxdp_poll_stats)
 */
struct afxdp {
	unsigned ifindex;
	char ifname[IF_NAMESIZE];
	uint8_t mac[6];
	int prog_fd, map_fd, link_fd;
	bool native;
	bool zerocopy;
	unsigned n_queues;
	struct afxdp_queue *q[AFXDP_MAX_QUEUES];
	unsigned rx_next;
	struct afxdp_stats stats;
};

/**
 * afxdp_open() - attach the steering program and open a socket per receive queue
 * @a:        state to fill
 * @p:        the port (its loop: each socket's fd is registered with @cb/@arg)
 * @ifindex/@ifname: the interface
 * @mac:      the host's MAC on the interface
 * @allow_generic: fall back to generic (skb) XDP when native attach fails
 * @rx_cb:    readiness callback for the sockets, called with @p as arg
 * Return: 0, or -errno with @err set to the reason (nothing left open).
 */
int afxdp_open(struct afxdp *a, struct port *p, unsigned ifindex, const char *ifname,
	       const uint8_t mac[static 6], bool allow_generic, ev_cb rx_cb, char *err,
	       size_t errsz);

/** afxdp_close() - detach, close the sockets, free the UMEMs; accepts a closed @a */
void afxdp_close(struct afxdp *a, struct port *p);

/** afxdp_rx_burst() - copy up to @n received frames into pool buffers. Return: frames */
unsigned afxdp_rx_burst(struct afxdp *a, struct port *p, struct pkt **pkts, unsigned n);

/**
 * afxdp_tx_burst() - copy @n complete frames (no offloads left) into UMEM frames and send
 * @tci: 802.1Q TCI to insert per frame, 0 for none
 * Counts tx_packets/tx_bytes and a drop reason for each frame not sent.
 * Return: frames sent.
 */
unsigned afxdp_tx_burst(struct afxdp *a, struct port *p, struct pkt **pkts, const uint16_t *tci,
			unsigned n);

/** afxdp_set_mac() - the host's MAC changed: reload the steering program. Return: 0/-errno */
int afxdp_set_mac(struct afxdp *a, const uint8_t mac[static 6]);

/** afxdp_poll_stats() - refresh @a->stats from the sockets */
void afxdp_poll_stats(struct afxdp *a);

#endif /* VNET_AFXDP_H */
