// SPDX-License-Identifier: GPL-2.0-or-later
/* test_bridge.c - forwarding decisions of the bridge, driven through dummy ports. */
#include <errno.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "../../src/base/dp.h"
#include "../../src/base/log.h"
#include "../../src/net/csum.h"
#include "../../src/net/eth.h"
#include "../../src/port/dummy.h"
#include "../../src/switch/bridge.h"

static struct dp dp;

static struct bridge *mkbr(const char *opts)
{
	struct kv_list kv = { 0 };
	char err[256] = "", buf[256], *argv[8];
	int argc = 0;
	struct bridge *br;

	if (opts) {
		snprintf(buf, sizeof(buf), "%s", opts);
		for (char *t = strtok(buf, " "); t; t = strtok(NULL, " "))
			argv[argc++] = t;
		assert_true(kv_parse(&kv, argc, argv, err, sizeof(err)));
	}
	br = bridge_create(&dp, "sw0", &kv, err, sizeof(err));
	assert_non_null(br);
	return br;
}

static void addp(struct bridge *br, const char *name, const char *opts)
{
	struct kv_list kv = { 0 };
	char err[256] = "", buf[256], *argv[8];
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

/* A frame: dst, src (last byte varies), optional 802.1Q tag, IPv4 ethertype, payload. */
static size_t mkframe(uint8_t *f, const char *dst, const char *src, int vid, size_t len)
{
	size_t o = 12;

	memset(f, 0, len + 4);
	assert_true(eth_mac_parse(dst, f));
	assert_true(eth_mac_parse(src, f + 6));
	if (vid >= 0) {
		f[o++] = 0x81;
		f[o++] = 0x00;
		f[o++] = (uint8_t)(vid >> 8);
		f[o++] = (uint8_t)vid;
	}
	f[o++] = 0x08;
	f[o++] = 0x06; /* ARP: no L3 parsing needed */
	for (size_t i = o; i < len; i++)
		f[i] = (uint8_t)i;
	return len;
}

static void inject(struct bridge *br, const char *port, const char *dst, const char *src, int vid)
{
	uint8_t f[128];
	size_t n = mkframe(f, dst, src, vid, vid >= 0 ? 64 : 60);

	assert_int_equal(dummy_inject(P(br, port), f, n, NULL), 0);
}

/* Pop the next captured frame of @port; return its VLAN (-1 untagged), or -2 if none. */
static int captured(struct bridge *br, const char *port)
{
	uint8_t f[2048];
	size_t size;

	if (!dummy_capture_next(P(br, port), f, sizeof(f), &size))
		return -2;
	if (size >= 16 && f[12] == 0x81 && f[13] == 0x00)
		return ((f[14] << 8) | f[15]) & 0xfff;
	return -1;
}

static int setup(void **state)
{
	(void)state;
	log_set_level(LOG_LVL_WARN);
	dp.pool = pkt_pool_create(256);
	return dp.pool ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	pkt_pool_destroy(dp.pool);
	return 0;
}

#define A "02:00:00:00:00:0a"
#define B "02:00:00:00:00:0b"
#define C "02:00:00:00:00:0c"
#define BCAST "ff:ff:ff:ff:ff:ff"

static void test_learn_and_unicast(void **state)
{
	struct bridge *br = mkbr(NULL);

	(void)state;
	addp(br, "p1", NULL);
	addp(br, "p2", NULL);
	addp(br, "p3", NULL);
	inject(br, "p1", B, A, -1); /* unknown: flooded to p2, p3 */
	assert_int_equal(captured(br, "p2"), -1);
	assert_int_equal(captured(br, "p3"), -1);
	assert_int_equal(captured(br, "p1"), -2); /* never back out of the input port */
	inject(br, "p2", A, B, -1); /* A known on p1 now: unicast */
	assert_int_equal(captured(br, "p1"), -1);
	assert_int_equal(captured(br, "p3"), -2);
	assert_int_equal(P(br, "p1")->stats.rx_packets, 1);
	assert_int_equal(P(br, "p1")->stats.tx_packets, 1);
	bridge_destroy(br);
}

static void test_access_vlans_isolated(void **state)
{
	struct bridge *br = mkbr(NULL);

	(void)state;
	addp(br, "a10", "tag=10");
	addp(br, "b10", "vlan_mode=access tag=10");
	addp(br, "a20", "tag=20");
	addp(br, "tr", "vlan_mode=trunk trunks=10,20");
	inject(br, "a10", BCAST, A, -1);
	assert_int_equal(captured(br, "b10"), -1);
	assert_int_equal(captured(br, "a20"), -2);
	assert_int_equal(captured(br, "tr"), 10); /* trunk gets it tagged */
	/* tagged frame on an access port: dropped, counted */
	inject(br, "a10", BCAST, A, 20);
	assert_int_equal(captured(br, "a20"), -2);
	assert_int_equal(captured(br, "b10"), -2);
	assert_int_equal(P(br, "a10")->stats.drops[DROP_TAGGED_ON_ACCESS], 1);
	/* priority-tagged (VID 0) frame on an access port joins its VLAN */
	inject(br, "a20", BCAST, B, 0);
	assert_int_equal(captured(br, "tr"), 20);
	assert_int_equal(captured(br, "a10"), -2);
	/* trunk frame in VLAN 20 reaches only a20, untagged */
	inject(br, "tr", BCAST, C, 20);
	assert_int_equal(captured(br, "a20"), -1);
	assert_int_equal(captured(br, "a10"), -2);
	/* VLAN 30 not allowed on the trunk */
	inject(br, "tr", BCAST, C, 30);
	assert_int_equal(P(br, "tr")->stats.drops[DROP_VLAN_NOT_ALLOWED], 1);
	bridge_destroy(br);
}

static void test_native_modes(void **state)
{
	struct bridge *br = mkbr(NULL);

	(void)state;
	addp(br, "nu", "vlan_mode=native-untagged tag=10 trunks=20");
	addp(br, "nt", "vlan_mode=native-tagged tag=10 trunks=20");
	addp(br, "a10", "tag=10");
	addp(br, "a20", "tag=20");
	/* untagged into native-untagged joins VLAN 10 */
	inject(br, "nu", BCAST, A, -1);
	assert_int_equal(captured(br, "a10"), -1);
	assert_int_equal(captured(br, "nt"), 10); /* native-tagged always tags */
	assert_int_equal(captured(br, "a20"), -2);
	/* VLAN 10 out of native-untagged is untagged, VLAN 20 tagged */
	inject(br, "a10", BCAST, B, -1);
	assert_int_equal(captured(br, "nu"), -1);
	assert_int_equal(captured(br, "nt"), 10);
	inject(br, "a20", BCAST, C, -1);
	assert_int_equal(captured(br, "nu"), 20);
	assert_int_equal(captured(br, "nt"), 20);
	bridge_destroy(br);
}

static void test_reserved_and_src_multicast(void **state)
{
	struct bridge *br = mkbr(NULL);

	(void)state;
	addp(br, "p1", NULL);
	addp(br, "p2", NULL);
	inject(br, "p1", "01:80:c2:00:00:00", A, -1);
	inject(br, "p1", "01:80:c2:00:00:0e", A, -1);
	inject(br, "p1", B, "01:00:5e:00:00:01", -1);
	assert_int_equal(captured(br, "p2"), -2);
	assert_int_equal(P(br, "p1")->stats.drops[DROP_RESERVED_DST], 2);
	assert_int_equal(P(br, "p1")->stats.drops[DROP_SRC_MULTICAST], 1);
	/* 01:80:c2:00:00:10 is not reserved: flooded */
	inject(br, "p1", "01:80:c2:00:00:10", A, -1);
	assert_int_equal(captured(br, "p2"), -1);
	bridge_destroy(br);
}

static void test_runt_and_oversize(void **state)
{
	struct bridge *br = mkbr(NULL);
	uint8_t f[4000] = { 0 };

	(void)state;
	addp(br, "p1", NULL);
	addp(br, "p2", NULL);
	assert_int_equal(dummy_inject(P(br, "p1"), f, 10, NULL), 0);
	mkframe(f, B, A, -1, 3000);
	assert_int_equal(dummy_inject(P(br, "p1"), f, 3000, NULL), 0);
	/* truncated VLAN tag */
	mkframe(f, B, A, 5, 64);
	assert_int_equal(dummy_inject(P(br, "p1"), f, 15, NULL), 0);
	assert_int_equal(P(br, "p1")->stats.drops[DROP_RUNT], 1);
	assert_int_equal(P(br, "p1")->stats.drops[DROP_OVERSIZE], 1);
	assert_int_equal(P(br, "p1")->stats.drops[DROP_TRUNC_VLAN], 1);
	assert_int_equal(captured(br, "p2"), -2);
	bridge_destroy(br);
}

static void test_station_move_and_port_del(void **state)
{
	struct bridge *br = mkbr(NULL);

	(void)state;
	addp(br, "p1", NULL);
	addp(br, "p2", NULL);
	addp(br, "p3", NULL);
	inject(br, "p1", BCAST, A, -1);
	assert_int_equal(fdb_lookup(br->fdb, 0, (uint8_t[]){ 2, 0, 0, 0, 0, 0xa }),
			 P(br, "p1")->idx);
	inject(br, "p2", BCAST, A, -1); /* A moved to p2 */
	assert_int_equal(fdb_lookup(br->fdb, 0, (uint8_t[]){ 2, 0, 0, 0, 0, 0xa }),
			 P(br, "p2")->idx);
	while (captured(br, "p3") != -2)
		;
	while (captured(br, "p1") != -2)
		;
	inject(br, "p3", A, C, -1);
	assert_int_equal(captured(br, "p2"), -1);
	assert_int_equal(captured(br, "p1"), -2);
	assert_int_equal(bridge_port_del(br, "p2"), 0);
	assert_int_equal(fdb_lookup(br->fdb, 0, (uint8_t[]){ 2, 0, 0, 0, 0, 0xa }), FDB_PORT_NONE);
	bridge_destroy(br);
}

static void test_port_set_vlan(void **state)
{
	struct bridge *br = mkbr(NULL);
	struct kv_list kv = { 0 };
	char err[256];

	(void)state;
	addp(br, "p1", "tag=10");
	addp(br, "p2", "tag=20");
	inject(br, "p1", BCAST, A, -1);
	assert_int_equal(captured(br, "p2"), -2);
	kv_set(&kv, "tag", "20");
	assert_int_equal(bridge_port_set(br, "p1", &kv, err, sizeof(err)), 0);
	inject(br, "p1", BCAST, A, -1);
	assert_int_equal(captured(br, "p2"), -1);
	/* bad values are refused and change nothing */
	kv_set(&kv, "tag", "5000");
	assert_int_not_equal(bridge_port_set(br, "p1", &kv, err, sizeof(err)), 0);
	assert_int_equal(P(br, "p1")->vlan.tag, 20);
	kv = (struct kv_list){ 0 };
	kv_set(&kv, "bogus", "1");
	assert_int_not_equal(bridge_port_set(br, "p1", &kv, err, sizeof(err)), 0);
	bridge_destroy(br);
}

/* A TCP/IPv4 super-frame with NEEDS_CSUM, to a port without offloads: segmented in software. */
static void test_gso_to_port_without_offload(void **state)
{
	struct bridge *br = mkbr(NULL);
	static uint8_t f[20000];
	struct virtio_net_hdr vh = { 0 };
	size_t payload = 10000, size = 14 + 20 + 20 + payload;
	uint8_t *ip = f + 14, *tcp = ip + 20;
	uint32_t sum;
	unsigned n = 0;

	(void)state;
	addp(br, "p1", NULL);
	addp(br, "full", NULL);
	addp(br, "plain", "nooffload=true");
	memset(f, 0, sizeof(f));
	eth_mac_parse(BCAST, f);
	eth_mac_parse(A, f + 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[2] = (uint8_t)((size - 14) >> 8);
	ip[3] = (uint8_t)(size - 14);
	ip[8] = 64;
	ip[9] = 6;
	memcpy(ip + 12, (uint8_t[]){ 10, 0, 0, 1, 10, 0, 0, 2 }, 8);
	{
		uint16_t c = csum_fold(csum_partial(ip, 20, 0));

		memcpy(ip + 10, &c, 2);
	}
	tcp[12] = 5 << 4;
	tcp[13] = 0x18;
	/* pseudo-header partial sum in the checksum field, as Linux leaves it */
	sum = csum_partial(ip + 12, 8, 0) + htons(6) + htons((uint16_t)(20 + payload));
	{
		uint16_t c = (uint16_t)~csum_fold(sum);

		memcpy(tcp + 16, &c, 2);
	}
	vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh.gso_size = 1448;
	vh.hdr_len = 54;
	vh.csum_start = 34;
	vh.csum_offset = 16;
	assert_int_equal(dummy_inject(P(br, "p1"), f, size, &vh), 0);
	assert_int_equal(P(br, "full")->stats.tx_gso, 1);
	assert_int_equal(dummy_capture_count(P(br, "full")), 1);
	while (captured(br, "plain") == -1)
		n++;
	assert_int_equal(n, (payload + 1447) / 1448);
	assert_int_equal(P(br, "plain")->stats.gso_segmented, 1);
	assert_int_equal(P(br, "p1")->stats.rx_gso, 1);
	bridge_destroy(br);
}

static void test_trace(void **state)
{
	struct bridge *br = mkbr(NULL);
	struct bridge_trace tr;
	uint8_t f[128];
	size_t n;

	(void)state;
	addp(br, "p1", "tag=10");
	addp(br, "p2", "tag=10");
	addp(br, "t", "trunks=10");
	n = mkframe(f, B, A, -1, 60);
	bridge_trace(br, P(br, "p1"), f, n, &tr);
	assert_false(tr.dropped);
	assert_int_equal(tr.n_out, 2);
	assert_int_equal(fdb_lookup(br->fdb, 10, (uint8_t[]){ 2, 0, 0, 0, 0, 0xa }), FDB_PORT_NONE);
	assert_int_equal(captured(br, "p2"), -2); /* nothing sent */
	n = mkframe(f, B, A, 10, 64);
	bridge_trace(br, P(br, "p1"), f, n, &tr);
	assert_true(tr.dropped);
	assert_string_equal(tr.drop_reason, "tagged_on_access");
	bridge_destroy(br);
}

static void test_options_refused(void **state)
{
	struct bridge *br = mkbr(NULL);
	struct kv_list kv = { 0 };
	char err[256];

	(void)state;
	kv_set(&kv, "type", "nosuch");
	assert_int_not_equal(bridge_port_add(br, "x", &kv, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "unknown port type"));
	kv = (struct kv_list){ 0 };
	kv_set(&kv, "type", "dummy");
	kv_set(&kv, "color", "blue");
	assert_int_not_equal(bridge_port_add(br, "x", &kv, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "color"));
	kv_del(&kv, "color");
	assert_int_equal(bridge_port_add(br, "x", &kv, err, sizeof(err)), 0);
	assert_int_equal(bridge_port_add(br, "x", &kv, err, sizeof(err)), -EEXIST);
	kv = (struct kv_list){ 0 };
	kv_set(&kv, "fdb_max", "0");
	assert_int_not_equal(bridge_validate(&kv, err, sizeof(err)), 0);
	bridge_destroy(br);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_learn_and_unicast),
		cmocka_unit_test(test_access_vlans_isolated),
		cmocka_unit_test(test_native_modes),
		cmocka_unit_test(test_reserved_and_src_multicast),
		cmocka_unit_test(test_runt_and_oversize),
		cmocka_unit_test(test_station_move_and_port_del),
		cmocka_unit_test(test_port_set_vlan),
		cmocka_unit_test(test_gso_to_port_without_offload),
		cmocka_unit_test(test_trace),
		cmocka_unit_test(test_options_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
