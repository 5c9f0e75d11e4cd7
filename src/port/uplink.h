/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * uplink.h - the uplink port type: a switch attached to an existing network
 * interface (a physical NIC), VMware's "bridged" network and Hyper-V's
 * "external" switch. Backends: AF_XDP (afxdp.c) and AF_PACKET (afpacket.c).
 */
#ifndef VNET_UPLINK_H
#define VNET_UPLINK_H

#include <stdbool.h>
#include <stdint.h>

#include "port.h"

extern const struct port_ops uplink_port_ops;

/** enum uplink_backend - backend= values; UPLINK_NONE = not attached */
enum uplink_backend { UPLINK_NONE, UPLINK_AUTO, UPLINK_AFXDP, UPLINK_AFPACKET };

/**
 * uplink_parse_backend() - "auto", "afxdp" or "afpacket" (NULL = auto)
 * Return: true with *@out set, false for anything else.
 */
bool uplink_parse_backend(const char *s, enum uplink_backend *out);

/** uplink_backend_name() - the backend= spelling of @b ("none" for UPLINK_NONE) */
const char *uplink_backend_name(enum uplink_backend b);

/**
 * uplink_gso_size() - the segment size for TSO/USO super-frame @pk so that
 * every segment fits an L3 MTU of @mtu: the frame's own gso_size, or less.
 * Return: the size, or 0 when the frame's headers leave no room (or cannot
 * be parsed), so the frame cannot be sent.
 */
uint16_t uplink_gso_size(const struct pkt *pk, uint32_t mtu);

/**
 * uplink_mark_partial_csum() - mark a frame whose TCP/UDP checksum field holds
 * only the pseudo-header sum (what Linux leaves for checksum offload) with
 * VIRTIO_NET_HDR_F_NEEDS_CSUM, csum_start and csum_offset. Frames that already
 * carry offload flags, fragments and other protocols are left alone.
 * Return: true if @pk was marked.
 */
bool uplink_mark_partial_csum(struct pkt *pk);

/**
 * uplink_gro_burst() - software GRO over one receive burst (AF_XDP frames)
 * @pool: where merged-away buffers go back
 * @pkts: the burst, compacted in place
 * Consecutive TCP/IPv4 segments of one flow (same L2 header, IP header bar
 * length/id/checksum, ports, ack, window and options; contiguous sequence
 * numbers; equal-sized except the last; only ACK/PSH flags; valid or
 * partial checksums) become one super-frame: IPv4 length and checksum
 * rewritten, TCP checksum left partial, vnet header TCPV4 with gso_size =
 * the first segment's payload. Anything else passes unchanged and in order.
 * Return: frames left in @pkts.
 */
unsigned uplink_gro_burst(struct pkt_pool *pool, struct pkt **pkts, unsigned n);

/**
 * uplink_missing_caps() - the capability the daemon lacks to attach an uplink
 * Return: "CAP_NET_RAW", "CAP_NET_ADMIN", "CAP_NET_RAW and CAP_NET_ADMIN", or
 * NULL when it has both (in its effective set).
 */
const char *uplink_missing_caps(void);

#endif /* VNET_UPLINK_H */
