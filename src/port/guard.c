// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * guard.c - port security checks (see guard.h for the options).
 *
 * Everything here reads only what frame_parse() found inside the frame's
 * bounds, plus fixed offsets it re-checks against @size. Policers are token
 * buckets kept in token-nanoseconds so a refill is one multiply.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "../net/eth.h"
#include "guard.h"

#define GUARD_IPPROTO_ICMP 1
#define GUARD_IPPROTO_UDP 17
#define GUARD_IPPROTO_ICMPV6 58
#define GUARD_BOOTPS 67 /* DHCPv4 server port */
#define GUARD_BOOTPC 68 /* DHCPv4 client port */
#define GUARD_DHCP6_CLIENT 546
#define GUARD_DHCP6_SERVER 547
#define GUARD_NH_HOPOPTS 0
#define GUARD_NH_ROUTING 43
#define GUARD_NH_FRAGMENT 44
#define GUARD_NH_DSTOPTS 60
#define GUARD_IPV6_MAX_EXT 32 /* a longer chain from a guarded port is dropped */
#define GUARD_ICMP6_RA 134
#define GUARD_ICMP6_REDIRECT 137
#define GUARD_NOT_ICMP6 (-1)
#define GUARD_HIDDEN (-2)
#define GUARD_KBPS_MAX 100000000ull /* 100 Gbit/s */
#define GUARD_PPS_MAX 1000000000ull
#define GUARD_BURST_MIN (8 * (65536ull + 128)) /* default ingress burst floor, bytes */

void tbucket_init(struct tbucket *b, uint64_t rate, uint64_t burst)
{
	b->rate = rate;
	b->burst = burst ? burst : rate;
	b->tokens = b->burst * NS_PER_S;
	b->last_ns = 0;
}

bool tbucket_take(struct tbucket *b, uint64_t n, uint64_t now_ns)
{
	uint64_t cap = b->burst * NS_PER_S, elapsed;

	if (!b->rate)
		return true;
	if (b->last_ns == 0)
		b->last_ns = now_ns;
	elapsed = now_ns - b->last_ns;
	b->last_ns = now_ns;
	if (elapsed >= NS_PER_S)
		b->tokens = cap;
	else
		b->tokens = MIN(cap, b->tokens + elapsed * b->rate);
	if (b->tokens < n * NS_PER_S)
		return false;
	b->tokens -= n * NS_PER_S;
	return true;
}

static bool guard_onoff(struct kv_list *opts, const char *key, bool *out, char *err, size_t errsz)
{
	const char *v = kv_get(opts, key);

	if (!v)
		return true;
	if (!strcmp(v, "on") || !strcmp(v, "true") || !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "off") || !strcmp(v, "false") || !strcmp(v, "0"))
		*out = false;
	else {
		snprintf(err, errsz, "%s=%.32s: expected on or off", key, v);
		return false;
	}
	return true;
}

static bool guard_parse_macs(struct port_guard *g, const char *v, char *err, size_t errsz)
{
	char buf[KV_VAL_MAX];

	snprintf(buf, sizeof(buf), "%s", v);
	for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (g->n_macs == GUARD_MAX_MACS) {
			snprintf(err, errsz, "mac=: at most %d addresses", GUARD_MAX_MACS);
			return false;
		}
		if (!eth_mac_parse(t, g->macs[g->n_macs]) || eth_is_multicast(g->macs[g->n_macs])) {
			snprintf(err, errsz, "mac=%.32s: not a unicast MAC address", t);
			return false;
		}
		g->n_macs++;
	}
	return true;
}

static bool guard_parse_ips(struct port_guard *g, const char *v, char *err, size_t errsz)
{
	char buf[KV_VAL_MAX];

	snprintf(buf, sizeof(buf), "%s", v);
	for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		bool ok;

		if (strchr(t, ':'))
			ok = g->n_ip6 < GUARD_MAX_IPS &&
			     inet_pton(AF_INET6, t, &g->ip6[g->n_ip6++]) == 1;
		else
			ok = g->n_ip4 < GUARD_MAX_IPS &&
			     inet_pton(AF_INET, t, &g->ip4[g->n_ip4++]) == 1;
		if (!ok) {
			snprintf(
				err, errsz,
				"ip=%.48s: expected IPv4/IPv6 addresses, at most %d of each family",
				t, GUARD_MAX_IPS);
			return false;
		}
	}
	return true;
}

bool guard_parse(struct port_guard *g, struct kv_list *opts, bool vm_default, char *err,
		 size_t errsz)
{
	uint64_t bcast = 0, mcast = 0, unknown = 0, kbps = 0, pps = 0, burst_kb = 0, limit = 0;
	const char *v;

	memset(g, 0, sizeof(*g));
	g->mac_spoof = g->dhcp = g->router = vm_default;
	if (!guard_onoff(opts, "mac_spoof_guard", &g->mac_spoof, err, errsz) ||
	    !guard_onoff(opts, "ip_guard", &g->ip, err, errsz) ||
	    !guard_onoff(opts, "dhcp_guard", &g->dhcp, err, errsz) ||
	    !guard_onoff(opts, "router_guard", &g->router, err, errsz) ||
	    !guard_onoff(opts, "protected", &g->protect, err, errsz))
		return false;
	v = kv_get(opts, "mac");
	if (v && *v && !guard_parse_macs(g, v, err, errsz))
		return false;
	v = kv_get(opts, "ip");
	if (v && *v && !guard_parse_ips(g, v, err, errsz))
		return false;
	if (!kv_get_u64(opts, "storm_bcast_pps", 0, GUARD_PPS_MAX, &bcast, err, errsz) ||
	    !kv_get_u64(opts, "storm_mcast_pps", 0, GUARD_PPS_MAX, &mcast, err, errsz) ||
	    !kv_get_u64(opts, "storm_unknown_pps", 0, GUARD_PPS_MAX, &unknown, err, errsz) ||
	    !kv_get_u64(opts, "ingress_kbps", 0, GUARD_KBPS_MAX, &kbps, err, errsz) ||
	    !kv_get_u64(opts, "ingress_pps", 0, GUARD_PPS_MAX, &pps, err, errsz) ||
	    !kv_get_u64(opts, "ingress_burst_kb", 0, 1000000, &burst_kb, err, errsz) ||
	    !kv_get_u64(opts, "mac_limit", 0, 1000000, &limit, err, errsz))
		return false;
	tbucket_init(&g->storm_bcast, bcast, 0);
	tbucket_init(&g->storm_mcast, mcast, 0);
	tbucket_init(&g->storm_unknown, unknown, 0);
	/*
	 * bytes/s; the burst defaults to 100 ms worth, and at least room for a few 64 KiB TSO
	 * frames: with less, TCP over segmentation offload loses whole super-frames and gets
	 * half the rate (measured: 9 of 20 Mbit/s with 256 KiB, 19 with GUARD_BURST_MIN).
	 */
	tbucket_init(&g->rate_bytes, kbps * 125,
		     burst_kb ? burst_kb * 1024 : MAX(kbps * 125 / 10, GUARD_BURST_MIN));
	tbucket_init(&g->rate_pps, pps, pps / 10 ? pps / 10 : 1);
	g->mac_limit = (uint32_t)limit;
	return true;
}

static bool guard_mac_ok(struct port_guard *g, const uint8_t *src)
{
	for (unsigned i = 0; i < g->n_macs; i++) {
		if (!memcmp(g->macs[i], src, ETH_ALEN))
			return true;
	}
	if (g->n_macs == 0 && !g->sticky_set) {
		/* sticky: the first address the port uses becomes its address */
		memcpy(g->macs[0], src, ETH_ALEN);
		g->n_macs = 1;
		g->sticky_set = true;
		return true;
	}
	return false;
}

static bool guard_ip4_ok(const struct port_guard *g, const uint8_t *a)
{
	struct in_addr x;

	memcpy(&x, a, 4);
	if (x.s_addr == 0 || (g->snoop4.s_addr && x.s_addr == g->snoop4.s_addr))
		return true;
	for (unsigned i = 0; i < g->n_ip4; i++) {
		if (g->ip4[i].s_addr == x.s_addr)
			return true;
	}
	return false;
}

static bool guard_ip6_ok(const struct port_guard *g, const uint8_t *a)
{
	static const uint8_t any[16];

	if (!memcmp(a, any, 16) || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80))
		return true; /* unspecified (DAD) and link-local */
	for (unsigned i = 0; i < g->n_ip6; i++) {
		if (!memcmp(g->ip6[i].s6_addr, a, 16))
			return true;
	}
	return false;
}

static uint16_t guard_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* A DHCP server's message (to a client's port, or from a server's), IPv4 or IPv6? */
static bool guard_dhcp_server_msg(const struct frame_info *fi, uint16_t sport, uint16_t dport)
{
	if (fi->is_ipv4)
		return sport == GUARD_BOOTPS || dport == GUARD_BOOTPC;
	return fi->is_ipv6 && (sport == GUARD_DHCP6_SERVER || dport == GUARD_DHCP6_CLIENT);
}

/*
 * The ICMPv6 type of an IPv6 packet whose upper-layer header frame_parse() did
 * not report (it walks at most FRAME_IPV6_MAX_EXT extension headers). Walks
 * the chain to its end, at most GUARD_IPV6_MAX_EXT headers, inside @size.
 * Return: the ICMPv6 type, GUARD_NOT_ICMP6 when the packet is not ICMPv6 or is
 * a later fragment, or GUARD_HIDDEN when the chain cannot be followed.
 */
static int guard_ipv6_icmp_type(const uint8_t *frame, size_t size, const struct frame_info *fi)
{
	size_t off = fi->l3_off + 40, len;
	uint8_t nh = frame[fi->l3_off + 6];

	for (unsigned i = 0; i < GUARD_IPV6_MAX_EXT; i++) {
		if (nh == GUARD_IPPROTO_ICMPV6)
			return off < size ? frame[off] : GUARD_HIDDEN;
		if (nh != GUARD_NH_HOPOPTS && nh != GUARD_NH_ROUTING && nh != GUARD_NH_DSTOPTS &&
		    nh != GUARD_NH_FRAGMENT)
			return GUARD_NOT_ICMP6;
		if (off > size || size - off < 8)
			return GUARD_HIDDEN;
		if (nh == GUARD_NH_FRAGMENT) {
			if (guard_rd16(frame + off + 2) & 0xfff8)
				return GUARD_NOT_ICMP6; /* a later fragment */
			len = 8;
		} else {
			len = ((size_t)frame[off + 1] + 1) * 8;
		}
		nh = frame[off];
		off += len;
	}
	return GUARD_HIDDEN;
}

enum drop_reason guard_ingress(struct port_guard *g, const uint8_t *frame, size_t size,
			       const struct frame_info *fi, uint64_t now_ns)
{
	const uint8_t *l4 = fi->l4_hlen ? frame + fi->l4_off : NULL;

	if (!tbucket_take(&g->rate_pps, 1, now_ns) || !tbucket_take(&g->rate_bytes, size, now_ns))
		return DROP_RATE_LIMIT;
	if (g->mac_spoof && !guard_mac_ok(g, frame + ETH_ALEN))
		return DROP_MAC_SPOOF;
	if (l4 && fi->l3_proto == GUARD_IPPROTO_UDP) {
		uint16_t sport = guard_rd16(l4), dport = guard_rd16(l4 + 2);

		if (g->dhcp && guard_dhcp_server_msg(fi, sport, dport))
			return DROP_DHCP_GUARD;
	}
	if (g->router && fi->is_ipv6) {
		int type = l4 ? (fi->l3_proto == GUARD_IPPROTO_ICMPV6 ? l4[0] : GUARD_NOT_ICMP6)
			      : guard_ipv6_icmp_type(frame, size, fi);

		if (type == GUARD_ICMP6_RA || type == GUARD_ICMP6_REDIRECT || type == GUARD_HIDDEN)
			return DROP_ROUTER_GUARD;
	}
	if (l4 && g->router && fi->is_ipv4 && fi->l3_proto == GUARD_IPPROTO_ICMP && l4[0] == 5)
		return DROP_ROUTER_GUARD; /* ICMPv4 redirect */
	if (!g->ip)
		return N_DROP;
	if (fi->is_ipv4 && !guard_ip4_ok(g, frame + fi->l3_off + 12))
		return DROP_IP_SPOOF;
	if (fi->is_ipv6) {
		if (!guard_ip6_ok(g, frame + fi->l3_off + 8))
			return DROP_IP_SPOOF;
		/* a neighbour advertisement may only claim the port's own addresses */
		if (l4 && fi->l3_proto == GUARD_IPPROTO_ICMPV6 && l4[0] == 136 &&
		    fi->l4_off + 24 <= size && !guard_ip6_ok(g, l4 + 8))
			return DROP_IP_SPOOF;
	}
	if (fi->ethertype == ETH_P_ARP_) {
		/* sender protocol address of an Ethernet/IPv4 ARP packet */
		if (size < fi->l3_off + 28)
			return DROP_IP_SPOOF;
		if (!guard_ip4_ok(g, frame + fi->l3_off + 14))
			return DROP_IP_SPOOF;
	}
	return N_DROP;
}

enum drop_reason guard_flood(struct port_guard *g, enum guard_flood_kind kind, uint64_t now_ns)
{
	switch (kind) {
	case GUARD_BCAST:
		return tbucket_take(&g->storm_bcast, 1, now_ns) ? N_DROP : DROP_STORM_BCAST;
	case GUARD_MCAST:
		return tbucket_take(&g->storm_mcast, 1, now_ns) ? N_DROP : DROP_STORM_MCAST;
	case GUARD_UNKNOWN:
		return tbucket_take(&g->storm_unknown, 1, now_ns) ? N_DROP : DROP_STORM_UNKNOWN;
	}
	return N_DROP;
}

void guard_snoop_egress(struct port_guard *g, const uint8_t *frame, size_t size)
{
	struct frame_info fi;
	const uint8_t *bootp, *opt, *end;
	size_t off;

	if (!g->ip || frame_parse(frame, size, &fi) != FRAME_OK || !fi.is_ipv4 ||
	    fi.l3_proto != GUARD_IPPROTO_UDP || !fi.l4_hlen)
		return;
	off = fi.l4_off;
	if (guard_rd16(frame + off) != 67 || guard_rd16(frame + off + 2) != 68)
		return;
	off += 8;
	/* BOOTP: op(1) ... yiaddr at 16, magic cookie at 236, options after */
	if (size < off + 240)
		return;
	bootp = frame + off;
	if (bootp[0] != 2 || guard_rd16(bootp + 236) != 0x6382 || guard_rd16(bootp + 238) != 0x5363)
		return;
	for (opt = bootp + 240, end = frame + size; opt < end && *opt != 255;) {
		if (*opt == 0) {
			opt++;
			continue;
		}
		if (opt + 2 > end || opt + 2 + opt[1] > end)
			return;
		if (opt[0] == 53 && opt[1] == 1) {
			if (opt[2] == 5) /* DHCPACK */
				memcpy(&g->snoop4, bootp + 16, 4);
			return;
		}
		opt += 2 + opt[1];
	}
}
