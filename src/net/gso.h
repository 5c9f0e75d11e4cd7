/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * gso.h - software segmentation of TSO/GSO super-frames for ports that
 * cannot take them (VIRTIO_NET_HDR_GSO_TCPV4, _TCPV6, and _UDP(UFO) / UDP_L4).
 */
#ifndef VNET_GSO_H
#define VNET_GSO_H

#include <stdint.h>

struct pkt;
struct pkt_pool;

/**
 * gso_segment() - cut super-frame @p into MSS-sized frames
 * @p:     GSO frame (not modified); headers = first vnet.hdr_len bytes, or
 *         computed from the parsed headers when hdr_len is 0 or wrong.
 * @pool:  where segments are allocated from
 * @out:   receives the segments, each a complete frame with correct IPv4
 *         total length / id / header checksum (or IPv6 payload length),
 *         TCP sequence numbers, flags (FIN/PSH only on the last, CWR only on
 *         the first) and a complete TCP/UDP checksum; vnet header cleared.
 * @max:   capacity of @out
 * Return: segments produced (>= 1), or 0 on error (bad frame, pool or @out
 *         too small): then nothing is left allocated.
 */
unsigned gso_segment(const struct pkt *p, struct pkt_pool *pool, struct pkt **out, unsigned max);

#endif /* VNET_GSO_H */
