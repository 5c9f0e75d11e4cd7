/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * frame.h - bounds-checked parsing of an Ethernet frame's headers.
 *
 * Every frame from a port is untrusted. frame_parse() walks the L2 header,
 * up to two VLAN tags, and the L3/L4 headers when present, without reading
 * past @size, and reports where each starts. frame_check_vnet() validates a
 * virtio-net offload header against the parsed frame; the switch drops a
 * frame whose header it cannot honour.
 */
#ifndef VNET_FRAME_H
#define VNET_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/virtio_net.h>

#define FRAME_MAX_TAGS 2

enum frame_error {
	FRAME_OK = 0,
	FRAME_RUNT, /* shorter than an Ethernet header */
	FRAME_TRUNC_VLAN, /* a TPID with no room for its tag */
	FRAME_TOO_MANY_TAGS, /* more than FRAME_MAX_TAGS tags */
};

/**
 * struct frame_info - what frame_parse() found; offsets are from the frame start
 * @n_tags:     VLAN tags present (0..FRAME_MAX_TAGS)
 * @tci:        each tag's TCI, host order, outermost first
 * @tpid:       each tag's TPID, host order
 * @ethertype:  EtherType after the tags, host order
 * @l3_off:     start of the L3 header (after the tags)
 * @l3_proto:   IP protocol (6 TCP, 17 UDP...) if IPv4/IPv6 was parsed, else 0
 * @l4_off:     start of the L4 header, 0 if not found
 * @l4_hlen:    L4 header length (TCP data offset * 4, 8 for UDP, 8 for ICMP and
 *              ICMPv6: the fixed part), 0 if not found
 * @is_ipv4/@is_ipv6: the L3 header is complete and well formed
 */
struct frame_info {
	unsigned n_tags;
	uint16_t tci[FRAME_MAX_TAGS];
	uint16_t tpid[FRAME_MAX_TAGS];
	uint16_t ethertype;
	uint32_t l3_off;
	uint8_t l3_proto;
	uint32_t l4_off;
	uint32_t l4_hlen;
	bool is_ipv4;
	bool is_ipv6;
};

/**
 * frame_parse() - parse the headers of @frame (@size bytes)
 * Never reads outside [frame, frame + size). L3/L4 fields are filled only
 * when those headers are complete; their absence is not an error.
 * Return: FRAME_OK or the L2 reason the frame is unusable.
 */
enum frame_error frame_parse(const uint8_t *frame, size_t size, struct frame_info *fi);

/**
 * frame_check_vnet() - is the offload header @vh consistent with the frame?
 * Checks: known flags and gso_type; csum_start + csum_offset + 2 <= size;
 * for GSO, gso_size non-zero and the frame is TCPv4/TCPv6 (or UDP for
 * GSO_UDP) with headers that fit; hdr_len not past the frame.
 * @fi must come from frame_parse() of the same frame.
 * Return: true if the switch can honour it.
 */
bool frame_check_vnet(const struct virtio_net_hdr *vh, const uint8_t *frame, size_t size,
		      const struct frame_info *fi);

#endif /* VNET_FRAME_H */
