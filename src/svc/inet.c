// SPDX-License-Identifier: GPL-2.0-or-later
/* inet.c - IPv4, UDP, ARP and ICMP echo parsing and building for the services. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inet.h"

#define INET_ETH_P_IP 0x0800
#define INET_ETH_P_ARP 0x0806
#define INET_IP4_MF 0x2000
#define INET_IP4_OFFMASK 0x1fff
#define INET_ICMP_ECHO 8
#define INET_ICMP_ECHOREPLY 0
#define INET_ICMP_HLEN 8

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

uint16_t inet_csum(const void *buf, size_t size, uint32_t sum)
{
	const uint8_t *b = buf;
	uint64_t s = sum;

	while (size > 1) {
		s += rd16(b);
		b += 2;
		size -= 2;
	}
	if (size)
		s += (uint32_t)b[0] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* Pseudo-header sum for UDP/TCP over IPv4. */
static uint32_t inet_pseudo(uint32_t src, uint32_t dst, uint8_t proto, size_t l4_size)
{
	return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) + proto +
	       (uint32_t)l4_size;
}

/*
 * Common IPv4 checks. Return: the IPv4 header length, or 0 if the frame is
 * not acceptable; *@ip_size is the datagram size from the header.
 */
static size_t inet_ip4_check(const uint8_t *frame, size_t size, size_t *ip_size)
{
	const uint8_t *ip = frame + INET_ETH_HLEN;
	size_t ihl, tot;

	if (size < INET_ETH_HLEN + INET_IP4_HLEN || rd16(frame + 12) != INET_ETH_P_IP)
		return 0;
	if (ip[0] >> 4 != 4)
		return 0;
	ihl = (size_t)(ip[0] & 0xf) * 4;
	tot = rd16(ip + 2);
	if (ihl < INET_IP4_HLEN || tot < ihl || tot > size - INET_ETH_HLEN)
		return 0;
	if (rd16(ip + 6) & (INET_IP4_MF | INET_IP4_OFFMASK))
		return 0; /* fragments: the services never need them */
	if (inet_csum(ip, ihl, 0) != 0)
		return 0;
	*ip_size = tot;
	return ihl;
}

bool inet_udp4_parse(const uint8_t *frame, size_t size, bool verify_l4, struct inet_udp4 *u)
{
	const uint8_t *ip = frame + INET_ETH_HLEN, *udp;
	size_t ihl, tot, ulen;

	ihl = inet_ip4_check(frame, size, &tot);
	if (!ihl || ip[9] != INET_PROTO_UDP || tot - ihl < INET_UDP_HLEN)
		return false;
	udp = ip + ihl;
	ulen = rd16(udp + 4);
	if (ulen < INET_UDP_HLEN || ulen > tot - ihl)
		return false;
	u->eth_dst = frame;
	u->eth_src = frame + 6;
	u->ip_src = rd32(ip + 12);
	u->ip_dst = rd32(ip + 16);
	u->sport = rd16(udp);
	u->dport = rd16(udp + 2);
	u->payload = udp + INET_UDP_HLEN;
	u->payload_size = ulen - INET_UDP_HLEN;
	if (verify_l4 && rd16(udp + 6) != 0 &&
	    inet_csum(udp, ulen, inet_pseudo(u->ip_src, u->ip_dst, INET_PROTO_UDP, ulen)) != 0)
		return false;
	return true;
}

size_t inet_udp4_encap(uint8_t *buf, size_t payload_size, const uint8_t eth_dst[static 6],
		       const uint8_t eth_src[static 6], uint32_t ip_src, uint32_t ip_dst,
		       uint16_t sport, uint16_t dport)
{
	uint8_t *ip = buf + INET_ETH_HLEN, *udp = ip + INET_IP4_HLEN;
	size_t ulen = INET_UDP_HLEN + payload_size;
	uint16_t c;

	memcpy(buf, eth_dst, 6);
	memcpy(buf + 6, eth_src, 6);
	wr16(buf + 12, INET_ETH_P_IP);
	ip[0] = 0x45;
	ip[1] = 0;
	wr16(ip + 2, (uint16_t)(INET_IP4_HLEN + ulen));
	wr16(ip + 4, 0);
	wr16(ip + 6, 0x4000); /* DF */
	ip[8] = INET_TTL_DEFAULT;
	ip[9] = INET_PROTO_UDP;
	wr16(ip + 10, 0);
	wr32(ip + 12, ip_src);
	wr32(ip + 16, ip_dst);
	wr16(ip + 10, inet_csum(ip, INET_IP4_HLEN, 0));
	wr16(udp, sport);
	wr16(udp + 2, dport);
	wr16(udp + 4, (uint16_t)ulen);
	wr16(udp + 6, 0);
	c = inet_csum(udp, ulen, inet_pseudo(ip_src, ip_dst, INET_PROTO_UDP, ulen));
	wr16(udp + 6, c ? c : 0xffff);
	return INET_UDP4_HLEN + payload_size;
}

/* RFC 1624 incremental update: checksum field @f after a 32-bit word changed from @old to @new. */
static uint16_t inet_csum_adjust(uint16_t f, uint32_t old, uint32_t new)
{
	uint32_t s = (uint16_t)~f;

	s += (uint16_t) ~(old >> 16) + (uint16_t) ~(old & 0xffff);
	s += (new >> 16) + (new & 0xffff);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

bool inet_udp4_rewrite(uint8_t *frame, size_t size, uint32_t src, uint32_t dst)
{
	uint8_t *ip = frame + INET_ETH_HLEN, *udp;
	size_t ihl, tot;

	ihl = inet_ip4_check(frame, size, &tot);
	if (!ihl || ip[9] != INET_PROTO_UDP || tot - ihl < INET_UDP_HLEN)
		return false;
	udp = ip + ihl;
	for (int i = 0; i < 2; i++) {
		uint32_t nv = i ? dst : src, old;
		uint8_t *field = ip + (i ? 16 : 12);

		if (!nv)
			continue;
		old = rd32(field);
		wr32(field, nv);
		wr16(ip + 10, inet_csum_adjust(rd16(ip + 10), old, nv));
		if (rd16(udp + 6)) {
			uint16_t c = inet_csum_adjust(rd16(udp + 6), old, nv);

			wr16(udp + 6, c ? c : 0xffff);
		}
	}
	return true;
}

bool inet_arp_parse(const uint8_t *frame, size_t size, struct inet_arp *a)
{
	const uint8_t *p = frame + INET_ETH_HLEN;

	if (size < INET_ARP_FRAME_SIZE || rd16(frame + 12) != INET_ETH_P_ARP)
		return false;
	/* Ethernet (1), IPv4, 6-byte and 4-byte addresses */
	if (rd16(p) != 1 || rd16(p + 2) != INET_ETH_P_IP || p[4] != 6 || p[5] != 4)
		return false;
	a->op = rd16(p + 6);
	if (a->op != 1 && a->op != 2)
		return false;
	a->sha = p + 8;
	a->spa = rd32(p + 14);
	a->tha = p + 18;
	a->tpa = rd32(p + 24);
	return true;
}

size_t inet_arp_reply(uint8_t *buf, const struct inet_arp *req, const uint8_t mac[static 6],
		      uint32_t ip)
{
	uint8_t *p = buf + INET_ETH_HLEN;

	memcpy(buf, req->sha, 6);
	memcpy(buf + 6, mac, 6);
	wr16(buf + 12, INET_ETH_P_ARP);
	wr16(p, 1);
	wr16(p + 2, INET_ETH_P_IP);
	p[4] = 6;
	p[5] = 4;
	wr16(p + 6, 2);
	memcpy(p + 8, mac, 6);
	wr32(p + 14, ip);
	memcpy(p + 18, req->sha, 6);
	wr32(p + 24, req->spa);
	return INET_ARP_FRAME_SIZE;
}

size_t inet_icmp4_echo_reply(const uint8_t *frame, size_t size, uint32_t ip_addr,
			     const uint8_t mac[static 6], uint8_t *out, size_t cap)
{
	const uint8_t *ip = frame + INET_ETH_HLEN;
	size_t ihl, tot, n;
	uint8_t *oip, *icmp;

	ihl = inet_ip4_check(frame, size, &tot);
	if (!ihl || ip[9] != INET_PROTO_ICMP || tot - ihl < INET_ICMP_HLEN)
		return 0;
	if (rd32(ip + 16) != ip_addr || ip[ihl] != INET_ICMP_ECHO || ip[ihl + 1] != 0)
		return 0;
	if (inet_csum(ip + ihl, tot - ihl, 0) != 0)
		return 0;
	n = INET_ETH_HLEN + INET_IP4_HLEN + (tot - ihl); /* options are not echoed */
	if (n > cap)
		return 0;
	memcpy(out, frame + 6, 6);
	memcpy(out + 6, mac, 6);
	wr16(out + 12, INET_ETH_P_IP);
	oip = out + INET_ETH_HLEN;
	oip[0] = 0x45;
	oip[1] = ip[1];
	wr16(oip + 2, (uint16_t)(INET_IP4_HLEN + tot - ihl));
	wr16(oip + 4, rd16(ip + 4));
	wr16(oip + 6, 0);
	oip[8] = INET_TTL_DEFAULT;
	oip[9] = INET_PROTO_ICMP;
	wr16(oip + 10, 0);
	memcpy(oip + 12, ip + 16, 4);
	memcpy(oip + 16, ip + 12, 4);
	wr16(oip + 10, inet_csum(oip, INET_IP4_HLEN, 0));
	icmp = oip + INET_IP4_HLEN;
	memcpy(icmp, ip + ihl, tot - ihl);
	icmp[0] = INET_ICMP_ECHOREPLY;
	wr16(icmp + 2, 0);
	wr16(icmp + 2, inet_csum(icmp, tot - ihl, 0));
	return n;
}

bool inet_parse_addr(const char *s, uint32_t *addr)
{
	struct in_addr a;

	if (!s || inet_pton(AF_INET, s, &a) != 1)
		return false;
	*addr = ntohl(a.s_addr);
	return true;
}

bool inet_parse_cidr(const char *s, uint32_t *addr, unsigned *plen)
{
	char buf[32], *slash, *end;
	unsigned long l;

	if (!s || strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (!slash || !slash[1])
		return false;
	*slash = '\0';
	l = strtoul(slash + 1, &end, 10);
	if (*end || l > 32 || slash[1] < '0' || slash[1] > '9')
		return false;
	if (!inet_parse_addr(buf, addr))
		return false;
	*plen = (unsigned)l;
	return true;
}

char *inet_format_addr(uint32_t addr, char buf[static 16])
{
	snprintf(buf, 16, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 0xff, (addr >> 8) & 0xff,
		 addr & 0xff);
	return buf;
}
