/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * inet.h - the few IPv4 wire formats the services speak: bounds-checked
 * parsing of Ethernet/IPv4/UDP, ARP and ICMP echo frames, and building the
 * replies. Addresses are in host byte order everywhere in the services;
 * only the wire is big-endian.
 *
 * Every parser reads only inside [frame, frame + size) and accepts only
 * untagged, unfragmented IPv4 with a valid header checksum: the services
 * answer their own small protocols and have no use for anything else.
 */
#ifndef VNET_INET_H
#define VNET_INET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define INET_ETH_HLEN 14
#define INET_IP4_HLEN 20 /* without options */
#define INET_UDP_HLEN 8
#define INET_UDP4_HLEN (INET_ETH_HLEN + INET_IP4_HLEN + INET_UDP_HLEN) /* built frames */
#define INET_ARP_FRAME_SIZE 42
#define INET_IP4_BROADCAST 0xffffffffu
#define INET_TTL_DEFAULT 64
#define INET_PROTO_ICMP 1
#define INET_PROTO_UDP 17

/**
 * struct inet_udp4 - a parsed Ethernet/IPv4/UDP frame
 * @eth_dst/@eth_src: MAC addresses (point into the frame)
 * @ip_src/@ip_dst:   IPv4 addresses, host order
 * @sport/@dport:     UDP ports, host order
 * @payload:          UDP payload (points into the frame)
 * @payload_size:     its length, from the UDP header
 */
struct inet_udp4 {
	const uint8_t *eth_dst, *eth_src;
	uint32_t ip_src, ip_dst;
	uint16_t sport, dport;
	const uint8_t *payload;
	size_t payload_size;
};

/**
 * inet_udp4_parse() - parse an untagged Ethernet/IPv4/UDP frame
 * @verify_l4: check the UDP checksum when one is present (pass false for a
 *             frame whose checksum is still partial: NEEDS_CSUM)
 * Return: true if the frame is well-formed IPv4 UDP, not a fragment.
 */
bool inet_udp4_parse(const uint8_t *frame, size_t size, bool verify_l4, struct inet_udp4 *u);

/**
 * inet_udp4_encap() - write the Ethernet, IPv4 and UDP headers in front of a
 * payload already stored at @buf + INET_UDP4_HLEN, with both checksums
 * Return: the frame size (INET_UDP4_HLEN + @payload_size).
 */
size_t inet_udp4_encap(uint8_t *buf, size_t payload_size, const uint8_t eth_dst[static 6],
		       const uint8_t eth_src[static 6], uint32_t ip_src, uint32_t ip_dst,
		       uint16_t sport, uint16_t dport);

/**
 * inet_udp4_rewrite() - change the IPv4 source and/or destination address of
 * a UDP frame in place, fixing both checksums incrementally
 * @src/@dst: new addresses, or 0 to leave one alone
 * Return: false if the frame is not IPv4 UDP (then it is unchanged).
 */
bool inet_udp4_rewrite(uint8_t *frame, size_t size, uint32_t src, uint32_t dst);

/**
 * struct inet_arp - a parsed Ethernet/IPv4 ARP packet
 * @op:  1 request, 2 reply
 * @sha/@tha: sender/target hardware addresses (into the frame)
 * @spa/@tpa: sender/target protocol addresses, host order
 */
struct inet_arp {
	uint16_t op;
	const uint8_t *sha, *tha;
	uint32_t spa, tpa;
};

/** inet_arp_parse() - parse an untagged Ethernet ARP frame for IPv4. Return: true if valid */
bool inet_arp_parse(const uint8_t *frame, size_t size, struct inet_arp *a);

/**
 * inet_arp_reply() - build the reply to request @req: "@ip is at @mac"
 * @buf: at least INET_ARP_FRAME_SIZE bytes
 * Return: the frame size.
 */
size_t inet_arp_reply(uint8_t *buf, const struct inet_arp *req, const uint8_t mac[static 6],
		      uint32_t ip);

/**
 * inet_icmp4_echo_reply() - answer an ICMP echo request addressed to @ip
 * Copies the request into @out (capacity @cap), swaps the addresses and
 * turns it into an echo reply with fresh checksums.
 * Return: the reply size, or 0 if @frame is not a well-formed echo request
 * to @ip or does not fit.
 */
size_t inet_icmp4_echo_reply(const uint8_t *frame, size_t size, uint32_t ip,
			     const uint8_t mac[static 6], uint8_t *out, size_t cap);

/** inet_csum() - the Internet checksum (RFC 1071) of @size bytes, plus @sum, folded */
uint16_t inet_csum(const void *buf, size_t size, uint32_t sum);

/**
 * inet_parse_cidr() - "a.b.c.d/len" to address and prefix length
 * Return: true if valid (the address need not be the network address).
 */
bool inet_parse_cidr(const char *s, uint32_t *addr, unsigned *plen);

/** inet_parse_addr() - "a.b.c.d" to a host-order address. Return: true if valid */
bool inet_parse_addr(const char *s, uint32_t *addr);

/** inet_format_addr() - host-order address to "a.b.c.d"; @buf holds 16 bytes */
char *inet_format_addr(uint32_t addr, char buf[static 16]);

/** inet_mask() - the netmask of a prefix length (0..32), host order */
static inline uint32_t inet_mask(unsigned plen)
{
	return plen ? ~0u << (32 - plen) : 0;
}

#endif /* VNET_INET_H */
