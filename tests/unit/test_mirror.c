// SPDX-License-Identifier: GPL-2.0-or-later
/* test_mirror.c - port mirroring (SPAN, RSPAN) driven through dummy ports. */
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
#include "../../src/net/eth.h"
#include "../../src/port/dummy.h"
#include "../../src/switch/bridge.h"
#include "../../src/switch/mirror.h"

static struct dp dp;

static void parse_kv(struct kv_list *kv, const char *opts)
{
	char err[256] = "", buf[512], *argv[KV_MAX];
	int argc = 0;

	*kv = (struct kv_list){ 0 };
	snprintf(buf, sizeof(buf), "%s", opts ? opts : "");
	for (char *t = strtok(buf, " "); t; t = strtok(NULL, " "))
		argv[argc++] = t;
	assert_true(kv_parse(kv, argc, argv, err, sizeof(err)));
}

static struct bridge *mkbr(void)
{
	struct kv_list kv = { 0 };
	char err[256] = "";
	struct bridge *br = bridge_create(&dp, "sw0", &kv, err, sizeof(err));

	assert_non_null(br);
	return br;
}

static void addp(struct bridge *br, const char *name, const char *opts)
{
	struct kv_list kv;
	char err[256] = "", buf[256];

	snprintf(buf, sizeof(buf), "type=dummy %s", opts ? opts : "");
	parse_kv(&kv, buf);
	if (bridge_port_add(br, name, &kv, err, sizeof(err)))
		fail_msg("port_add %s: %s", name, err);
}

static int madd(struct bridge *br, const char *name, const char *opts)
{
	struct kv_list kv;
	char err[256] = "";
	int rc;

	parse_kv(&kv, opts);
	rc = mirror_add(br, name, &kv, err, sizeof(err));
	if (rc)
		print_message("mirror_add %s %s: %s\n", name, opts, err);
	return rc;
}

static struct port *P(struct bridge *br, const char *name)
{
	struct port *p = bridge_port_find(br, name);

	assert_non_null(p);
	return p;
}

/* A 100-byte broadcast (or unicast to @dst) from @src, tagged @vid unless -1. */
static void inject(struct bridge *br, const char *port, const char *dst, const char *src, int vid)
{
	uint8_t f[128] = { 0 };
	size_t o = 12;

	assert_true(eth_mac_parse(dst, f));
	assert_true(eth_mac_parse(src, f + 6));
	if (vid >= 0) {
		f[o++] = 0x81;
		f[o++] = 0x00;
		f[o++] = (uint8_t)(vid >> 8);
		f[o++] = (uint8_t)vid;
	}
	f[o++] = 0x88;
	f[o++] = 0xb5;
	for (size_t i = o; i < 100; i++)
		f[i] = (uint8_t)i;
	assert_int_equal(dummy_inject(P(br, port), f, 100, NULL), 0);
}

/* Frames captured on @port: how many; *@vid gets the last one's VLAN (-1 untagged), *@size its size. */
static unsigned drain(struct bridge *br, const char *port, int *vid, size_t *size)
{
	uint8_t f[2048];
	size_t sz;
	unsigned n = 0;

	while (dummy_capture_next(P(br, port), f, sizeof(f), &sz)) {
		n++;
		if (vid)
			*vid = sz >= 16 && f[12] == 0x81 && f[13] == 0
				       ? ((f[14] << 8) | f[15]) & 0xfff
				       : -1;
		if (size)
			*size = sz;
	}
	return n;
}

#define A "02:00:00:00:00:0a"
#define B "02:00:00:00:00:0b"
#define BCAST "ff:ff:ff:ff:ff:ff"

static void test_parse_refusals(void **state)
{
	static const char *const bad[] = {
		"output=mon", /* nothing selected */
		"ingress=p1", /* no output */
		"ingress=p1 output=mon output_vlan=9", /* two outputs */
		"ingress=p1,mon output=mon", /* output is a source */
		"egress=mon output=mon", /* the same, egress */
		"vlans=5,9 output_vlan=9", /* the output VLAN is mirrored */
		"ingress=p1 output_vlan=4095", /* VLAN range */
		"ingress=p1 output=mon snaplen=10", /* snaplen too small */
		"ingress=p1 output=mon colour=red", /* unknown option */
		"ingress=p1,,p2 output=mon", /* empty name */
		"ingress=p1, output=mon", /* trailing comma */
		"ingress=-x output=mon", /* not a port name */
		"vlans= output=mon", /* empty VLAN list */
		"vlans=5000 output=mon", /* bad VLAN list */
	};
	struct kv_list kv;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		parse_kv(&kv, bad[i]);
		err[0] = '\0';
		if (mirror_validate(&kv, err, sizeof(err)) != -EINVAL)
			fail_msg("accepted: %s", bad[i]);
		assert_true(err[0] != '\0');
	}
	parse_kv(&kv, "ingress=p1,p2 egress=p3 vlans=1-10 output=mon snaplen=64");
	assert_int_equal(mirror_validate(&kv, err, sizeof(err)), 0);
	parse_kv(&kv, "vlans=10 output_vlan=99");
	assert_int_equal(mirror_validate(&kv, err, sizeof(err)), 0);
}

static void test_fast_path_flag(void **state)
{
	struct bridge *br = mkbr();

	(void)state;
	addp(br, "p1", NULL);
	addp(br, "mon", NULL);
	assert_int_equal(br->tapped, 0);
	assert_int_equal(madd(br, "m0", "ingress=p1 output=mon"), 0);
	assert_int_equal(br->tapped, 1);
	assert_true(br->tap[P(br, "mon")->idx] & BRIDGE_TAP_MIRROR_OUT);
	assert_int_equal(madd(br, "m0", "ingress=p1 output=mon"), 0); /* replace, not add */
	assert_int_equal(br->tapped, 1);
	assert_int_equal(mirror_del(br, "m0"), 0);
	assert_int_equal(mirror_del(br, "m0"), -ENOENT);
	assert_int_equal(br->tapped, 0);
	assert_null(br->mirrors);
	assert_false(br->tap[P(br, "mon")->idx] & BRIDGE_TAP_MIRROR_OUT);
	bridge_destroy(br);
}

static void test_span_once_per_frame(void **state)
{
	struct bridge *br = mkbr();
	struct mirror *m;

	(void)state;
	addp(br, "p1", NULL);
	addp(br, "p2", NULL);
	addp(br, "p3", NULL);
	addp(br, "mon", NULL);
	/* p1's broadcast is selected on the way in and on its way out of p2 and p3 */
	assert_int_equal(madd(br, "m0", "ingress=p1 egress=p2,p3 output=mon"), 0);
	inject(br, "p1", BCAST, A, -1);
	assert_int_equal(drain(br, "p2", NULL, NULL), 1);
	assert_int_equal(drain(br, "p3", NULL, NULL), 1);
	assert_int_equal(drain(br, "mon", NULL, NULL), 1); /* once, and no flooded copy */
	m = mirror_find(br, "m0");
	assert_int_equal(m->packets, 1);
	/* p2's broadcast: not selected on ingress; out of p3 (selected) and p1 (not): once */
	inject(br, "p2", BCAST, B, -1);
	assert_int_equal(drain(br, "mon", NULL, NULL), 1);
	assert_int_equal(drain(br, "p1", NULL, NULL), 1);
	/* unicast p1 -> B (learned on p2): in and out, once */
	inject(br, "p1", B, A, -1);
	assert_int_equal(drain(br, "p2", NULL, NULL), 1);
	assert_int_equal(drain(br, "mon", NULL, NULL), 1);
	assert_int_equal(m->packets, 3);
	/* what the output port receives is dropped: it only transmits */
	inject(br, "mon", BCAST, "02:00:00:00:00:99", -1);
	assert_int_equal(drain(br, "p1", NULL, NULL) + drain(br, "p2", NULL, NULL), 0);
	assert_int_equal(P(br, "mon")->stats.drops[DROP_MIRROR_PORT], 1);
	bridge_destroy(br);
}

static void test_span_wire_tags(void **state)
{
	struct bridge *br = mkbr();
	int vid = -3;

	(void)state;
	addp(br, "t1", "vlan_mode=trunk");
	addp(br, "a10", "tag=10");
	addp(br, "mon",
	     "vlan_mode=access tag=77"); /* the output's own VLAN settings do not matter */
	assert_int_equal(madd(br, "m0", "ingress=t1 output=mon"), 0);
	inject(br, "t1", BCAST, A, 10);
	assert_int_equal(drain(br, "a10", &vid, NULL), 1);
	assert_int_equal(vid, -1);
	assert_int_equal(drain(br, "mon", &vid, NULL), 1);
	assert_int_equal(vid, 10); /* as it was on t1's wire */
	assert_int_equal(madd(br, "m0", "egress=a10 output=mon"), 0);
	inject(br, "t1", BCAST, A, 10);
	assert_int_equal(drain(br, "a10", NULL, NULL), 1);
	assert_int_equal(drain(br, "mon", &vid, NULL), 1);
	assert_int_equal(vid, -1); /* as it left a10: untagged */
	bridge_destroy(br);
}

static void test_rspan(void **state)
{
	struct bridge *br = mkbr();
	int vid = -3;
	size_t size = 0;

	(void)state;
	addp(br, "p1", "tag=10");
	addp(br, "p2", "tag=10");
	addp(br, "r1", "tag=99");
	addp(br, "r2", "vlan_mode=trunk trunks=10,99");
	assert_int_equal(madd(br, "m0", "ingress=p1 output_vlan=99 snaplen=64"), 0);
	inject(br, "p1", BCAST, A, -1);
	assert_int_equal(drain(br, "p2", NULL, NULL), 1);
	assert_int_equal(drain(br, "r1", &vid, &size), 1);
	assert_int_equal(vid, -1); /* access port of VLAN 99 */
	assert_int_equal(size, 64); /* snaplen */
	/* r2 gets the original (tagged 10, flooded) and the copy (tagged 99), in some order */
	{
		uint8_t f[2048];
		size_t sz;
		int seen = 0;

		while (dummy_capture_next(P(br, "r2"), f, sizeof(f), &sz)) {
			assert_true(sz >= 16 && f[12] == 0x81 && f[13] == 0);
			seen |= (((f[14] << 8) | f[15]) & 0xfff) == 99 ? 1 : 2;
			assert_int_equal(sz, (seen & 1) && (((f[14] << 8) | f[15]) & 0xfff) == 99
						     ? 64 + 4
						     : 100 + 4);
		}
		assert_int_equal(seen, 3);
	}
	assert_int_equal(drain(br, "p1", NULL, NULL), 0);
	assert_int_equal(mirror_find(br, "m0")->truncated, 1);
	/* a whole VLAN, but never the mirror's own output VLAN */
	assert_int_equal(madd(br, "m1", "vlans=10,99 output_vlan=98"), 0);
	assert_int_equal(madd(br, "m2", "ingress=r2 output_vlan=99"), 0);
	inject(br, "r2", BCAST, B, 99);
	assert_int_equal(mirror_find(br, "m2")->packets, 0);
	assert_int_equal(mirror_find(br, "m1")->packets, 1);
	inject(br, "r2", BCAST, B, 10);
	assert_int_equal(mirror_find(br, "m2")->packets, 1);
	assert_int_equal(drain(br, "r2", NULL, NULL), 0); /* nothing back to where it came from */
	bridge_destroy(br);
}

static void test_output_port_deleted(void **state)
{
	struct bridge *br = mkbr();
	struct mirror *m;
	char buf[96];

	(void)state;
	addp(br, "p1", NULL);
	addp(br, "p2", NULL);
	addp(br, "mon", NULL);
	assert_int_equal(madd(br, "m0", "ingress=p1 output=mon"), 0);
	m = mirror_find(br, "m0");
	assert_int_equal(bridge_port_del(br, "mon"), 0);
	assert_false(m->active);
	assert_int_equal(br->tapped, 0);
	assert_non_null(strstr(mirror_state(br, m, buf, sizeof(buf)), "does not exist"));
	inject(br, "p1", BCAST, A, -1);
	assert_int_equal(drain(br, "p2", NULL, NULL), 1);
	assert_int_equal(m->packets, 0);
	/* a new port takes the old index: it must not inherit anything */
	addp(br, "p3", NULL);
	inject(br, "p1", BCAST, A, -1);
	assert_int_equal(drain(br, "p3", NULL, NULL), 1);
	assert_int_equal(m->packets, 0);
	addp(br, "mon", NULL);
	assert_true(m->active);
	inject(br, "p1", BCAST, A, -1);
	assert_int_equal(drain(br, "mon", NULL, NULL), 1);
	assert_int_equal(drain(br, "p3", NULL, NULL), 1);
	/* a deleted source port selects nothing; mirrors go with their switch */
	assert_int_equal(bridge_port_del(br, "p1"), 0);
	assert_true(m->active);
	bridge_destroy(br);
}

static void test_snaplen_without_buffers(void **state)
{
	struct bridge *br = mkbr();
	struct pkt *held[512];
	unsigned n_held = 0;
	size_t size = 0;
	struct mirror *m;

	(void)state;
	addp(br, "p1", NULL);
	addp(br, "p2", NULL);
	addp(br, "mon", NULL);
	assert_int_equal(madd(br, "m0", "ingress=p1 output=mon snaplen=64"), 0);
	m = mirror_find(br, "m0");
	inject(br, "p1", BCAST, A, -1);
	assert_int_equal(drain(br, "mon", NULL, &size), 1);
	assert_int_equal(size, 64);
	/* every buffer but the one the injected frame needs: no room for the cut copy */
	while (dp.pool->n_free > 1)
		held[n_held++] = pkt_alloc(dp.pool);
	inject(br, "p1", BCAST, A, -1);
	pkt_free_burst(dp.pool, held, n_held);
	assert_int_equal(drain(br, "p2", NULL, NULL), 2); /* forwarding unaffected */
	assert_int_equal(drain(br, "mon", NULL, NULL), 0); /* no copy, and never an uncut one */
	assert_int_equal(m->drops, 1);
	assert_int_equal(m->truncated, 1);
	bridge_destroy(br);
}

static int setup(void **state)
{
	(void)state;
	log_set_level(LOG_LVL_ERR);
	dp.pool = pkt_pool_create(256);
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
		cmocka_unit_test(test_parse_refusals),
		cmocka_unit_test(test_fast_path_flag),
		cmocka_unit_test(test_span_once_per_frame),
		cmocka_unit_test(test_span_wire_tags),
		cmocka_unit_test(test_rspan),
		cmocka_unit_test(test_output_port_deleted),
		cmocka_unit_test(test_snaplen_without_buffers),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
