// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_guard.c - libFuzzer target for the port guards: what a hostile VM sends, and DHCP snooping. */

/*
 * Input: one byte of settings, then a frame. Bit 0 picks a port with every
 * guard on and tight limits (mac=, ip= of both families, storm and rate
 * limits) or one with the sticky MAC and no ip=; bit 1 feeds the frame to
 * guard_snoop_egress() first, as if the switch sent it to the port (a DHCP
 * ACK teaches ip_guard an address). The frame is then judged by
 * guard_ingress() and guard_flood() on libFuzzer's exact-size copy, so ASan
 * sees any overread.
 *
 * Invariants checked: a frame the parser sees as an IPv6 router
 * advertisement or redirect, an ICMPv4 redirect, or a UDP datagram to a DHCP
 * client port never passes a port with the router and DHCP guards on; a
 * spoofed source MAC never passes the guard with mac=.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/base/kv.h"
#include "../../src/net/eth.h"
#include "../../src/net/frame.h"
#include "../../src/port/guard.h"

#define FUZZ_CHECK(cond)         \
	do {                     \
		if (!(cond))     \
			abort(); \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t fuzz_mac[ETH_ALEN] = { 0x02, 0, 0, 0, 0, 0x01 };

static void fuzz_guard_make(struct port_guard *g, bool strict)
{
	char *strict_opts[] = { "mac_spoof_guard=on",	"mac=02:00:00:00:00:01",
				"ip_guard=on",		"ip=10.0.0.1,fd00::1",
				"storm_bcast_pps=2",	"storm_mcast_pps=2",
				"storm_unknown_pps=2",	"ingress_pps=1000000",
				"ingress_kbps=1000000", "mac_limit=1" };
	char *sticky_opts[] = { "mac_spoof_guard=on", "ip_guard=on", "dhcp_guard=on",
				"router_guard=on" };
	struct kv_list kv = { 0 };
	char err[128];

	if (strict)
		FUZZ_CHECK(kv_parse(&kv, sizeof(strict_opts) / sizeof(strict_opts[0]), strict_opts,
				    err, sizeof(err)));
	else
		FUZZ_CHECK(kv_parse(&kv, sizeof(sticky_opts) / sizeof(sticky_opts[0]), sticky_opts,
				    err, sizeof(err)));
	/* strict: dhcp and router guards come from the VM-facing default */
	FUZZ_CHECK(guard_parse(g, &kv, true, err, sizeof(err)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct port_guard g;
	struct frame_info fi;
	enum drop_reason why;
	bool strict;
	const uint8_t *frame;

	if (size < 1)
		return 0;
	strict = data[0] & 1;
	fuzz_guard_make(&g, strict);
	frame = data + 1;
	size--;
	if (data[0] & 2)
		guard_snoop_egress(&g, frame, size);
	if (frame_parse(frame, size, &fi) != FRAME_OK)
		return 0;
	why = guard_ingress(&g, frame, size, &fi, 1000000000ull);
	FUZZ_CHECK(why <= N_DROP);
	if (strict && memcmp(frame + ETH_ALEN, fuzz_mac, ETH_ALEN))
		FUZZ_CHECK(why != N_DROP);
	if (fi.l4_hlen) {
		const uint8_t *l4 = frame + fi.l4_off;
		bool ra = fi.is_ipv6 && fi.l3_proto == 58 && (l4[0] == 134 || l4[0] == 137);
		bool redirect = fi.is_ipv4 && fi.l3_proto == 1 && l4[0] == 5;
		bool dhcp = fi.l3_proto == 17 && ((fi.is_ipv4 && (l4[2] << 8 | l4[3]) == 68) ||
						  (fi.is_ipv6 && (l4[2] << 8 | l4[3]) == 546));

		if (ra || redirect || dhcp)
			FUZZ_CHECK(why != N_DROP);
	}
	if (why == N_DROP)
		(void)guard_flood(&g,
				  eth_is_broadcast(frame)   ? GUARD_BCAST
				  : eth_is_multicast(frame) ? GUARD_MCAST
							    : GUARD_UNKNOWN,
				  1000000000ull);
	return 0;
}
