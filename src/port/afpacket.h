/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * afpacket.h - an AF_PACKET socket on an existing interface with a TPACKET_V3
 * receive ring and batched transmit: the uplink port's portable backend.
 */
#ifndef VNET_AFPACKET_H
#define VNET_AFPACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "port.h"

#define AFPACKET_BLOCK_SIZE (256u * 1024) /* bytes per ring block: > a 64 KiB GRO frame */
#define AFPACKET_N_BLOCKS 32u /* blocks in the receive ring (8 MiB of mmap'ed memory) */
#define AFPACKET_BLOCK_TIMEOUT_MS 1u /* a partly filled block is handed over after this */
#define AFPACKET_SNDBUF_BYTES (4u * 1024 * 1024) /* in-flight transmit bytes before TX_FULL */

/** enum afpacket_filter - which frames the socket receives */
enum afpacket_filter {
	AFPACKET_ALL, /* every frame the interface receives (the AF_PACKET backend) */
	AFPACKET_MULTICAST, /* group-addressed frames only (beside AF_XDP, which takes unicast) */
};

/**
 * struct afpacket_stats - what the kernel and the ring walker dropped or refused
 * @ring_drops:   frames the kernel dropped because the ring had no free block
 *                (PACKET_STATISTICS tp_drops, accumulated)
 * @ring_freezes: times the ring was full and the queue froze (tp_freeze_q_cnt)
 * @truncated:    frames longer than a ring block, dropped (counted OVERSIZE too)
 * @rx_errors:    socket errors on receive (ENETDOWN while the link is down included)
 * @tx_errors:    sendmmsg() failures other than a full queue or a down link
 */
struct afpacket_stats {
	uint64_t ring_drops;
	uint64_t ring_freezes;
	uint64_t truncated;
	uint64_t rx_errors;
	uint64_t tx_errors;
};

/**
 * struct afpacket - one socket and its receive ring
 * @fd:        the packet socket (-1 when closed)
 * @ring:      the mmap'ed TPACKET_V3 ring, AFPACKET_N_BLOCKS blocks
 * @block:     block the reader is in
 * @frame:     next frame to read in @block, NULL when @block is not ours yet
 * @left:      frames left to read in @block
 * @stats:     counters
 */
struct afpacket {
	int fd;
	uint8_t *ring;
	unsigned block;
	uint8_t *frame;
	unsigned left;
	struct afpacket_stats stats;
};

/**
 * afpacket_open() - bind a packet socket with a receive ring to interface @ifindex
 * @a:       zeroed or closed state to fill
 * @ifindex: the interface
 * @filter:  which frames to receive
 * The socket puts the interface in promiscuous mode through a PACKET_MR_PROMISC
 * membership, which the kernel drops when the socket closes, even on SIGKILL.
 * It never receives what it sent itself, nor anything else the host transmits
 * (PACKET_IGNORE_OUTGOING), and frames cross with a virtio-net header.
 * Return: 0, or -errno with @err set (nothing left open).
 */
int afpacket_open(struct afpacket *a, unsigned ifindex, enum afpacket_filter filter, char *err,
		  size_t errsz);

/** afpacket_close() - close the socket and unmap the ring; accepts a closed @a */
void afpacket_close(struct afpacket *a);

/**
 * afpacket_rx_burst() - copy up to @n frames out of the ring into pool buffers
 * @p: the port (its pool, its drop counters)
 * An 802.1Q tag the kernel moved into metadata is put back into the frame,
 * and the virtio-net header (partial checksum, GRO super-frame) is kept in
 * pkt->vnet, adjusted for the tag.
 * Return: frames stored in @pkts.
 */
unsigned afpacket_rx_burst(struct afpacket *a, struct port *p, struct pkt **pkts, unsigned n);

/**
 * afpacket_tx_burst() - send @n frames with one sendmmsg() per batch
 * @tci:      802.1Q TCI to insert per frame, 0 for none
 * @gso_size: per frame, the segment size to put in the virtio-net header
 *            (the caller's clamp to the interface MTU; ignored for non-GSO frames)
 * Counts tx_packets/tx_bytes/tx_gso and a drop reason for each unsent frame.
 * Return: frames sent.
 */
unsigned afpacket_tx_burst(struct afpacket *a, struct port *p, struct pkt **pkts,
			   const uint16_t *tci, const uint16_t *gso_size, unsigned n);

/**
 * afpacket_poll_stats() - fold the kernel's ring counters into @a->stats
 * (PACKET_STATISTICS resets on read, so this accumulates)
 */
void afpacket_poll_stats(struct afpacket *a);

/**
 * afpacket_clear_error() - read and clear a pending socket error
 * Return: the error (ENETDOWN, ENODEV...) or 0.
 */
int afpacket_clear_error(struct afpacket *a);

#endif /* VNET_AFPACKET_H */
