// SPDX-License-Identifier: GPL-2.0-or-later
/* test_guard.c - port security: spoof, DHCP and router guards, isolation, storm and rate limits. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../src/base/dp.h"
#include "../../src/base/log.h"
#include "../../src/base/util.h"
#include "../../src/net/eth.h"
#include "../../src/port/dummy.h"
#include "../../src/switch/bridge.h"

static struct dp dp;

static struct bridge *mkbr(const char *opt)
{
	struct kv_list kv = { 0 };
	char err[256];
	struct bridge *br;

	if (opt) {
		char *argv[] = { (char *)opt };

		assert_true(kv_parse(&kv, 1, argv, err, sizeof(err)));
	}
	br = bridge_create(&dp, "sw0", &kv, err, sizeof(err));
	assert_non_null(br);
	return br;
}

static void addp(struct bridge *br, const char *name, const char *opts)
{
	struct kv_list kv = { 0 };
	char err[256] = "", buf[512], *argv[16];
	int argc = 0;

	snprintf(buf, sizeof(buf), "type=dummy %s", opts ? opts : "");
	for (char *t = strtok(buf, " "); t; t = strtok(NULL, " "))
		argv[argc++] = t;
	assert_true(kv_parse(&kv, argc, argv, err, sizeof(err)));
	if (bridge_port_add(br, name, &kv, err, sizeof(err)))
		fail_msg("port_add %s: %s", name, err);
}

static struct port *P(struct bridge *br, const char *name)
{
	struct port *p = bridge_port_find(br, name);

	assert_non_null(p);
	return p;
}

static unsigned drain(struct bridge *br, const char *port)
{
	uint8_t f[2048];
	size_t size;
	unsigned n = 0;

	while (dummy_capture_next(P(br, port), f, sizeof(f), &size))
		n++;
	return n;
}

/* Ethernet + IPv4 + UDP (or ICMP when sport == 0) frame. */
static size_t mk_ip(uint8_t *f, const char *dst, const char *src, const uint8_t sip[4],
		    uint8_t proto, uint16_t sport, uint16_t dport, size_t payload)
{
	size_t l4 = proto == 17 ? 8 : 8, size = 14 + 20 + l4 + payload;

	memset(f, 0, size);
	eth_mac_parse(dst, f);
	eth_mac_parse(src, f + 6);
	f[12] = 0x08;
	f[14] = 0x45;
	f[16] = (uint8_t)((size - 14) >> 8);
	f[17] = (uint8_t)(size - 14);
	f[22] = 64;
	f[23] = proto;
	memcpy(f + 26, sip, 4);
	memcpy(f + 30, (uint8_t[]){ 10, 0, 0, 99 }, 4);
	if (proto == 17) {
		f[34] = (uint8_t)(sport >> 8);
		f[35] = (uint8_t)sport;
		f[36] = (uint8_t)(dport >> 8);
		f[37] = (uint8_t)dport;
		f[38] = (uint8_t)((8 + payload) >> 8);
		f[39] = (uint8_t)(8 + payload);
	} else {
		f[34] = (uint8_t)sport; /* ICMP type */
	}
	return size;
}

/* A DHCPACK from a server giving @yiaddr. */
static size_t mk_dhcp_ack(uint8_t *f, const char *dst, const char *src, const uint8_t yiaddr[4])
{
	size_t size = mk_ip(f, dst, src, (uint8_t[]){ 10, 0, 0, 1 }, 17, 67, 68, 240 + 4);
	uint8_t *bootp = f + 42;

	bootp[0] = 2;
	memcpy(bootp + 16, yiaddr, 4);
	memcpy(bootp + 236, (uint8_t[]){ 0x63, 0x82, 0x53, 0x63 }, 4);
	memcpy(bootp + 240, (uint8_t[]){ 53, 1, 5, 255 }, 4);
	return size;
}

static void xmit(struct bridge *br, const char *port, const uint8_t *f, size_t n)
{
	assert_int_equal(dummy_inject(P(br, port), f, n, NULL), 0);
}

#define VM1 "02:00:00:00:00:01"
#define VM2 "02:00:00:00:00:02"
#define EVIL "02:00:00:00:00:66"
#define BCAST "ff:ff:ff:ff:ff:ff"
static const uint8_t IP1[4] = { 10, 0, 0, 1 }, IP2[4] = { 10, 0, 0, 2 };

static void test_mac_spoof(void **state)
{
	struct bridge *br = mkbr(NULL);
	uint8_t f[512];

	(void)state;
	addp(br, "vm1", "mac_spoof_guard=on mac=" VM1);
	addp(br, "sticky", "mac_spoof_guard=on");
	addp(br, "out", NULL);
	xmit(br, "vm1", f, mk_ip(f, BCAST, VM1, IP1, 17, 1, 2, 10));
	xmit(br, "vm1", f, mk_ip(f, BCAST, EVIL, IP1, 17, 1, 2, 10));
	assert_int_equal(drain(br, "out"), 1);
	assert_int_equal(P(br, "vm1")->stats.drops[DROP_MAC_SPOOF], 1);
	/* sticky: the first MAC is pinned, a second one is spoofing */
	xmit(br, "sticky", f, mk_ip(f, BCAST, VM2, IP2, 17, 1, 2, 10));
	xmit(br, "sticky", f, mk_ip(f, BCAST, EVIL, IP2, 17, 1, 2, 10));
	xmit(br, "sticky", f, mk_ip(f, BCAST, VM2, IP2, 17, 1, 2, 10));
	assert_int_equal(drain(br, "out"), 2);
	assert_int_equal(P(br, "sticky")->stats.drops[DROP_MAC_SPOOF], 1);
	bridge_destroy(br);
}

static void test_dhcp_and_router_guard(void **state)
{
	struct bridge *br = mkbr(NULL);
	uint8_t f[512];

	(void)state;
	addp(br, "vm", "dhcp_guard=on router_guard=on");
	addp(br, "srv", NULL);
	addp(br, "out", NULL);
	xmit(br, "vm", f, mk_dhcp_ack(f, BCAST, EVIL, IP2)); /* rogue DHCP server */
	xmit(br, "vm", f, mk_ip(f, BCAST, EVIL, IP1, 1, 5, 0, 20)); /* ICMP redirect */
	xmit(br, "vm", f, mk_ip(f, BCAST, VM1, IP1, 17, 68, 67, 300)); /* DHCP client: fine */
	assert_int_equal(drain(br, "out"), 1);
	assert_int_equal(P(br, "vm")->stats.drops[DROP_DHCP_GUARD], 1);
	assert_int_equal(P(br, "vm")->stats.drops[DROP_ROUTER_GUARD], 1);
	/* the same from an unguarded port passes */
	xmit(br, "srv", f, mk_dhcp_ack(f, BCAST, VM2, IP2));
	assert_int_equal(drain(br, "out"), 1);
	bridge_destroy(br);
}

/* An IPv6 router advertisement behind @n_ext destination-options headers (8 bytes each). */
static size_t mk_ra(uint8_t *f, const char *src, unsigned n_ext)
{
	size_t off = 14 + 40, size = off + n_ext * 8 + 16;

	memset(f, 0, size);
	eth_mac_parse("33:33:00:00:00:01", f);
	eth_mac_parse(src, f + 6);
	f[12] = 0x86;
	f[13] = 0xdd;
	f[14] = 0x60;
	f[18] = (uint8_t)((size - off) >> 8);
	f[19] = (uint8_t)(size - off);
	f[20] = n_ext ? 60 : 58;
	f[21] = 255;
	f[22] = 0xfe; /* source fe80::1 */
	f[23] = 0x80;
	f[37] = 1;
	f[38] = 0xff; /* destination ff02::1 */
	f[39] = 0x02;
	f[53] = 1;
	for (unsigned i = 0; i < n_ext; i++, off += 8)
		f[off] = i + 1 < n_ext ? 60 : 58; /* next header; length 0 = 8 bytes */
	f[off] = 134; /* ICMPv6 router advertisement */
	return size;
}

/* Regressions: server messages from odd source ports, RAs behind long header chains. */
static void test_guard_evasions(void **state)
{
	struct bridge *br = mkbr(NULL);
	uint8_t f[512];

	(void)state;
	addp(br, "vm", "dhcp_guard=on router_guard=on");
	addp(br, "out", NULL);
	/* clients filter on their own port only: an OFFER from port 4242 reaches them */
	xmit(br, "vm", f, mk_ip(f, BCAST, EVIL, IP1, 17, 4242, 68, 300));
	assert_int_equal(P(br, "vm")->stats.drops[DROP_DHCP_GUARD], 1);
	/* 8 headers: frame_parse() stops walking there; 40: the guard gives up and drops */
	for (unsigned n = 0; n <= 12; n += 2)
		xmit(br, "vm", f, mk_ra(f, EVIL, n));
	xmit(br, "vm", f, mk_ra(f, EVIL, 40));
	assert_int_equal(P(br, "vm")->stats.drops[DROP_ROUTER_GUARD], 8);
	assert_int_equal(drain(br, "out"), 0);
	/* neither guard: everything passes */
	addp(br, "free", "dhcp_guard=off router_guard=off");
	xmit(br, "free", f, mk_ip(f, BCAST, VM1, IP1, 17, 4242, 68, 300));
	xmit(br, "free", f, mk_ra(f, VM1, 12));
	assert_int_equal(drain(br, "out"), 2);
	bridge_destroy(br);
}

/* Regression: outer tag = a native VLAN around another tag (the 802.1Q double-tagging hop). */
static void test_native_double_tag(void **state)
{
	struct bridge *br = mkbr(NULL);
	uint8_t f[512], t[512];
	size_t n = mk_ip(f, BCAST, VM1, IP1, 17, 1, 2, 10);

	(void)state;
	addp(br, "y", "vlan_mode=native-untagged tag=10");
	addp(br, "up", "vlan_mode=native-untagged tag=10 trunks=20");
	/* tags 10 (outer) and 20 (inner) after the MAC addresses */
	memcpy(t, f, 12);
	memcpy(t + 12, (uint8_t[]){ 0x81, 0x00, 0x00, 10, 0x81, 0x00, 0x00, 20 }, 8);
	memcpy(t + 20, f + 12, n - 12);
	xmit(br, "y", t, n + 8);
	assert_int_equal(drain(br, "up"), 0);
	assert_int_equal(P(br, "y")->stats.drops[DROP_STACKED_VLAN], 1);
	/* one tag, the native VID: an ordinary frame in VLAN 10 */
	memmove(t + 16, t + 20, n - 12);
	xmit(br, "y", t, n + 4);
	assert_int_equal(drain(br, "up"), 1);
	bridge_destroy(br);
}

static void test_ip_guard_with_dhcp_snooping(void **state)
{
	struct bridge *br = mkbr(NULL);
	uint8_t f[512];

	(void)state;
	addp(br, "vm", "ip_guard=on ip=10.0.0.1");
	addp(br, "srv", NULL);
	addp(br, "out", NULL);
	xmit(br, "vm", f, mk_ip(f, BCAST, VM1, IP1, 17, 1, 2, 10));
	xmit(br, "vm", f, mk_ip(f, BCAST, VM1, IP2, 17, 1, 2, 10));
	assert_int_equal(P(br, "vm")->stats.drops[DROP_IP_SPOOF], 1);
	drain(br, "out");
	drain(br, "srv");
	/* the server hands 10.0.0.2 to the VM: snooped, now allowed */
	xmit(br, "srv", f, mk_dhcp_ack(f, BCAST, VM2, IP2));
	xmit(br, "vm", f, mk_ip(f, BCAST, VM1, IP2, 17, 1, 2, 10));
	assert_int_equal(P(br, "vm")->stats.drops[DROP_IP_SPOOF], 1);
	assert_int_equal(drain(br, "out"), 2);
	bridge_destroy(br);
}

static void test_protected_and_isolated(void **state)
{
	struct bridge *br = mkbr("isolated_vlans=20");
	uint8_t f[512];

	(void)state;
	addp(br, "p1", "protected=on");
	addp(br, "p2", "protected=on");
	addp(br, "up", NULL);
	xmit(br, "p1", f, mk_ip(f, BCAST, VM1, IP1, 17, 1, 2, 10));
	assert_int_equal(drain(br, "p2"), 0);
	assert_int_equal(drain(br, "up"), 1);
	xmit(br, "up", f, mk_ip(f, BCAST, VM2, IP2, 17, 1, 2, 10));
	assert_int_equal(drain(br, "p1"), 1);
	assert_int_equal(drain(br, "p2"), 1);
	/* isolated VLAN 20: access ports cannot reach each other, the trunk reaches both */
	addp(br, "a", "tag=20");
	addp(br, "b", "tag=20");
	addp(br, "t", "trunks=20");
	xmit(br, "a", f, mk_ip(f, BCAST, "02:00:00:00:00:0a", IP1, 17, 1, 2, 10));
	assert_int_equal(drain(br, "b"), 0);
	assert_int_equal(drain(br, "t"), 1);
	bridge_destroy(br);
}

static void test_storm_and_rate(void **state)
{
	struct bridge *br = mkbr(NULL);
	uint8_t f[512];
	unsigned got;

	(void)state;
	addp(br, "noisy", "storm_bcast_pps=10");
	addp(br, "slow", "ingress_pps=5");
	addp(br, "out", NULL);
	dp.now_ns = 1000 * NS_PER_S;
	for (int i = 0; i < 100; i++)
		xmit(br, "noisy", f, mk_ip(f, BCAST, VM1, IP1, 17, 1, 2, 10));
	got = drain(br, "out");
	assert_int_equal(got, 10); /* one second's burst, the clock stands still */
	assert_int_equal(P(br, "noisy")->stats.drops[DROP_STORM_BCAST], 90);
	dp.now_ns += NS_PER_S / 2; /* half a second later: five more */
	for (int i = 0; i < 100; i++)
		xmit(br, "noisy", f, mk_ip(f, BCAST, VM1, IP1, 17, 1, 2, 10));
	assert_int_equal(drain(br, "out"), 5);
	for (int i = 0; i < 10; i++)
		xmit(br, "slow", f, mk_ip(f, BCAST, VM2, IP2, 17, 1, 2, 10));
	assert_int_equal(drain(br, "out"), 1); /* burst of pps/10, at least 1 */
	assert_int_equal(P(br, "slow")->stats.drops[DROP_RATE_LIMIT], 9);
	dp.now_ns = 0;
	bridge_destroy(br);
}

static void test_mac_limit(void **state)
{
	struct bridge *br = mkbr(NULL);
	uint8_t f[512];
	char mac[18];

	(void)state;
	addp(br, "vm", "mac_limit=4");
	addp(br, "out", NULL);
	for (int i = 0; i < 10; i++) {
		snprintf(mac, sizeof(mac), "02:00:00:00:01:%02x", i);
		xmit(br, "vm", f, mk_ip(f, BCAST, mac, IP1, 17, 1, 2, 10));
	}
	assert_int_equal(fdb_port_count(br->fdb, P(br, "vm")->idx), 4);
	assert_int_equal(P(br, "vm")->stats.drops[DROP_MAC_LIMIT], 6);
	/* a known address still passes */
	xmit(br, "vm", f, mk_ip(f, BCAST, "02:00:00:00:01:00", IP1, 17, 1, 2, 10));
	assert_int_equal(P(br, "vm")->stats.drops[DROP_MAC_LIMIT], 6);
	bridge_destroy(br);
}

static void test_bad_options(void **state)
{
	struct bridge *br = mkbr(NULL);
	struct kv_list kv = { 0 };
	char err[256];

	(void)state;
	addp(br, "p", NULL);
	kv_set(&kv, "mac_spoof_guard", "maybe");
	assert_int_not_equal(bridge_port_set(br, "p", &kv, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "mac_spoof_guard"));
	kv = (struct kv_list){ 0 };
	kv_set(&kv, "mac", "ff:ff:ff:ff:ff:ff");
	assert_int_not_equal(bridge_port_set(br, "p", &kv, err, sizeof(err)), 0);
	kv = (struct kv_list){ 0 };
	kv_set(&kv, "ip", "10.0.0.300");
	assert_int_not_equal(bridge_port_set(br, "p", &kv, err, sizeof(err)), 0);
	kv = (struct kv_list){ 0 };
	kv_set(&kv, "ingress_kbps", "-1");
	assert_int_not_equal(bridge_port_set(br, "p", &kv, err, sizeof(err)), 0);
	bridge_destroy(br);
}

static int setup(void **state)
{
	(void)state;
	log_set_level(LOG_LVL_ERR);
	dp.pool = pkt_pool_create(128);
	return dp.pool ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	pkt_pool_destroy(dp.pool);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mac_spoof),
		cmocka_unit_test(test_dhcp_and_router_guard),
		cmocka_unit_test(test_guard_evasions),
		cmocka_unit_test(test_native_double_tag),
		cmocka_unit_test(test_ip_guard_with_dhcp_snooping),
		cmocka_unit_test(test_protected_and_isolated),
		cmocka_unit_test(test_storm_and_rate),
		cmocka_unit_test(test_mac_limit),
		cmocka_unit_test(test_bad_options),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
