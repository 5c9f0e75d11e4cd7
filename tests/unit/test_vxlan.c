// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_vxlan.c - the vxlan port type in-process: switches with dummy and
 * vxlan ports, remote VTEPs played by UDP sockets on loopback addresses
 * (127.0.0.x and ::1 only). Covers encapsulation format, VLAN <-> VNI
 * translation, head-end replication, learning, aging, limits, tenant
 * isolation, malformed input, MTU and TSO, persistence of the map and the
 * remotes in the port's options, and run-time reconfiguration.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "../../src/base/dp.h"
#include "../../src/base/log.h"
#include "../../src/base/util.h"
#include "../../src/net/csum.h"
#include "../../src/net/eth.h"
#include "../../src/port/dummy.h"
#include "../../src/port/vxlan.h"
#include "../../src/switch/bridge.h"

#define T0_NS (1000 * NS_PER_S) /* the fake clock starts here */
#define MAX_DGRAM 70000

static struct dp dp;
static uint16_t P; /* the test's VXLAN UDP port (free on 127.0.0.0/8) */
static uint16_t P6; /* a second one, for two VTEPs on ::1 */

/* ---- helpers -------------------------------------------------------------- */

static void parse_opts(struct kv_list *kv, const char *fmt, ...)
{
	char buf[2048], err[256], *argv[KV_MAX];
	int argc = 0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	memset(kv, 0, sizeof(*kv));
	for (char *t = strtok(buf, " "); t; t = strtok(NULL, " "))
		argv[argc++] = t;
	if (!kv_parse(kv, argc, argv, err, sizeof(err)))
		fail_msg("kv_parse: %s", err);
}

static struct bridge *mkbr(const char *name)
{
	struct kv_list kv = { 0 };
	char err[256];
	struct bridge *br = bridge_create(&dp, name, &kv, err, sizeof(err));

	assert_non_null(br);
	return br;
}

static struct port *addp(struct bridge *br, const char *name, const char *fmt, ...)
{
	char opts[2048], err[256] = "";
	struct kv_list kv;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(opts, sizeof(opts), fmt, ap);
	va_end(ap);
	parse_opts(&kv, "%s", opts);
	if (bridge_port_add(br, name, &kv, err, sizeof(err)))
		fail_msg("port_add %s %s: %s", name, opts, err);
	return bridge_port_find(br, name);
}

/* A UDP socket playing a remote VTEP on @ip port @port. */
static int vtep_sock(const char *ip, uint16_t port)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t len;
	int fd;

	if (strchr(ip, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		assert_int_equal(inet_pton(AF_INET6, ip, &s6->sin6_addr), 1);
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		assert_int_equal(inet_pton(AF_INET, ip, &s4->sin_addr), 1);
		len = sizeof(*s4);
	}
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	if (bind(fd, (struct sockaddr *)&ss, len))
		fail_msg("bind %s:%u: %s", ip, port, strerror(errno));
	return fd;
}

/* A UDP port that is free on 127.0.0.1 and ::1 (the kernel's pick for one of them). */
static uint16_t free_port(void)
{
	for (int tries = 0; tries < 50; tries++) {
		struct sockaddr_in s4 = { .sin_family = AF_INET };
		struct sockaddr_in6 s6 = { .sin6_family = AF_INET6,
					   .sin6_addr = IN6ADDR_LOOPBACK_INIT };
		socklen_t len = sizeof(s4);
		int fd = socket(AF_INET, SOCK_DGRAM, 0), fd6 = socket(AF_INET6, SOCK_DGRAM, 0);
		uint16_t port;
		bool ok;

		s4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		assert_int_equal(bind(fd, (struct sockaddr *)&s4, sizeof(s4)), 0);
		assert_int_equal(getsockname(fd, (struct sockaddr *)&s4, &len), 0);
		port = ntohs(s4.sin_port);
		s6.sin6_port = s4.sin_port;
		ok = bind(fd6, (struct sockaddr *)&s6, sizeof(s6)) == 0;
		close(fd);
		close(fd6);
		if (ok)
			return port;
	}
	fail_msg("no free UDP port");
	return 0;
}

/* Receive one datagram if there is one. */
static bool rx_dgram(int fd, uint8_t *buf, size_t *size, struct sockaddr_storage *from)
{
	socklen_t len = sizeof(*from);
	ssize_t r = recvfrom(fd, buf, MAX_DGRAM, MSG_DONTWAIT, (struct sockaddr *)from, &len);

	if (r < 0)
		return false;
	*size = (size_t)r;
	return true;
}

static unsigned drain(int fd)
{
	static uint8_t buf[MAX_DGRAM];
	struct sockaddr_storage from;
	unsigned n = 0;
	size_t size;

	while (rx_dgram(fd, buf, &size, &from))
		n++;
	return n;
}

/* Send a VXLAN datagram from @fd to @ip:@port. */
static void tx_vxlan(int fd, const char *ip, uint16_t port, uint8_t flags, uint32_t vni,
		     const uint8_t *inner, size_t isize)
{
	uint8_t buf[MAX_DGRAM] = { flags,	 0, 0, 0, (uint8_t)(vni >> 16), (uint8_t)(vni >> 8),
				   (uint8_t)vni, 0 };
	struct sockaddr_storage ss = { 0 };
	socklen_t len;

	memcpy(buf + 8, inner, isize);
	if (strchr(ip, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		inet_pton(AF_INET6, ip, &s6->sin6_addr);
		len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		inet_pton(AF_INET, ip, &s4->sin_addr);
		len = sizeof(*s4);
	}
	assert_int_equal(sendto(fd, buf, 8 + isize, 0, (struct sockaddr *)&ss, len),
			 (ssize_t)(8 + isize));
}

static void tx_raw(int fd, const char *ip, uint16_t port, const uint8_t *buf, size_t size)
{
	struct sockaddr_in s4 = { .sin_family = AF_INET, .sin_port = htons(port) };

	inet_pton(AF_INET, ip, &s4.sin_addr);
	assert_int_equal(sendto(fd, buf, size, 0, (struct sockaddr *)&s4, sizeof(s4)),
			 (ssize_t)size);
}

/* An untagged frame: dst, src, EtherType, payload bytes i & 0xff, @size bytes in all. */
static size_t mkframe(uint8_t *f, const char *dst, const char *src, uint16_t type, size_t size)
{
	assert_true(eth_mac_parse(dst, f));
	assert_true(eth_mac_parse(src, f + 6));
	f[12] = (uint8_t)(type >> 8);
	f[13] = (uint8_t)type;
	for (size_t i = 14; i < size; i++)
		f[i] = (uint8_t)i;
	return size;
}

static void inject(struct port *p, const char *dst, const char *src, size_t size)
{
	uint8_t f[2048];

	mkframe(f, dst, src, 0x88b5, size);
	assert_int_equal(dummy_inject(p, f, size, NULL), 0);
}

/* Frames a dummy port captured (consumed); the last one into @last if given. */
static unsigned captured(struct port *p, uint8_t *last, size_t *last_size)
{
	uint8_t f[PKT_DATA_MAX];
	unsigned n = 0;
	size_t size;

	while (dummy_capture_next(p, f, sizeof(f), &size)) {
		if (last) {
			memcpy(last, f, MIN(size, sizeof(f)));
			*last_size = size;
		}
		n++;
	}
	return n;
}

static void poll_port(struct port *p)
{
	port_poll(p, 8);
}

/* A counter of the port's vxlan/show "counters" object. */
static long long vcnt(struct port *p, const char *name)
{
	json_t *o = vxlan_show(p);
	json_t *v = json_object_get(json_object_get(o, "counters"), name);
	long long n;

	assert_non_null(v);
	n = json_integer_value(v);
	json_decref(o);
	return n;
}

static unsigned n_macs(struct port *p)
{
	json_t *o = vxlan_show(p);
	unsigned n = (unsigned)json_array_size(json_object_get(o, "macs"));

	json_decref(o);
	return n;
}

static const char *vtep_of(struct port *p, uint16_t vlan, const char *mac)
{
	static char buf[64];
	uint8_t m[6];

	assert_true(eth_mac_parse(mac, m));
	if (!vxlan_fdb_vtep(p, vlan, m, buf, sizeof(buf)))
		return "";
	return buf;
}

#define MA "02:00:00:00:00:0a"
#define MB "02:00:00:00:00:0b"
#define MX "02:00:00:00:00:99"
#define BCAST "ff:ff:ff:ff:ff:ff"

static int setup(void **state)
{
	(void)state;
	log_set_level(LOG_LVL_ERR);
	dp.pool = pkt_pool_create(256);
	if (!dp.pool || evloop_init(&dp.loop))
		return -1;
	dp.now_ns = T0_NS;
	P = free_port();
	do
		P6 = free_port();
	while (P6 == P);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	evloop_fini(&dp.loop);
	pkt_pool_destroy(dp.pool);
	return 0;
}

/* ---- tests ---------------------------------------------------------------- */

static void expect_invalid(const char *opts, const char *needle)
{
	struct kv_list kv;
	char err[256] = "";

	parse_opts(&kv, "%s", opts);
	if (vxlan_port_ops.validate(&kv, err, sizeof(err)) != -EINVAL)
		fail_msg("options '%s' were accepted", opts);
	if (!strstr(err, needle))
		fail_msg("options '%s': error '%s' does not mention '%s'", opts, err, needle);
}

static void test_options(void **state)
{
	struct kv_list kv;
	char err[256] = "";

	(void)state;
	expect_invalid("dstport=4789", "local=IP is required");
	expect_invalid("local=foo", "local=foo");
	expect_invalid("local=10.0.0.1 dstport=0", "dstport");
	expect_invalid("local=10.0.0.1 map=10:5010,11:5010", "VNI 5010");
	expect_invalid("local=10.0.0.1 map=10:5010,10:5011", "VLAN 10");
	expect_invalid("local=10.0.0.1 map=4095:1", "VLAN 0..4094");
	expect_invalid("local=10.0.0.1 map=10", "VLAN:VNI");
	expect_invalid("local=10.0.0.1 vni=7 map=10:7", "VNI 7");
	expect_invalid("local=10.0.0.1 vni=16777216", "vni");
	expect_invalid("local=10.0.0.1 remotes=5010@::1", "family");
	expect_invalid("local=10.0.0.1 remotes=5010@10.0.0.2:0", "not an IP address");
	expect_invalid("local=10.0.0.1 remotes=5010", "VNI@ADDR");
	expect_invalid("local=10.0.0.1 static=5010/ff:ff:ff:ff:ff:ff@10.0.0.2", "unicast");
	expect_invalid("local=10.0.0.1 static=5010/02:00:00:00:00:01", "VNI/MAC@ADDR");
	expect_invalid("local=10.0.0.1 restrict=maybe", "restrict");
	expect_invalid("local=10.0.0.1 underlay_mtu=100", "underlay_mtu");
	expect_invalid("local=10.0.0.1 srcports=65", "srcports");

	parse_opts(&kv, "local=10.0.0.1 dstport=4790 vni=7 map=10:5010,20:5020 map.2=30:5030 "
			"remotes=5010@10.0.0.2+10.0.0.3:4000,5020@10.0.0.4 remotes.2=5030@10.0.0.5 "
			"static=5010/02:00:00:00:00:01@10.0.0.2 restrict=on underlay_mtu=9000 "
			"aging=60 macs_max=1000 srcports=4 other=1");
	assert_int_equal(vxlan_port_ops.validate(&kv, err, sizeof(err)), 0);
	/* every key but the foreign one was consumed */
	assert_string_equal(kv_first_unused(&kv), "other");
	parse_opts(&kv, "local=fd00::1 remotes=5010@fd00::2+[fd00::3]:4000");
	assert_int_equal(vxlan_port_ops.validate(&kv, err, sizeof(err)), 0);
}

/* The datagram format: flags, reserved bits, VNI, inner frame, UDP source port. */
static void test_encap_format(void **state)
{
	struct bridge *br = mkbr("a");
	struct port *d1, *vx;
	int r3 = vtep_sock("127.0.0.3", P);
	uint8_t f[128], dg[MAX_DGRAM];
	struct sockaddr_storage from;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&from;
	size_t size;
	json_t *o, *ports, *v;
	bool known = false;
	size_t i;

	(void)state;
	d1 = addp(br, "d1", "type=dummy tag=10");
	vx = addp(br, "vx",
		  "type=vxlan local=127.0.0.1 dstport=%u map=10:5010 remotes=5010@127.0.0.3", P);
	assert_int_equal(vx->caps, 0);
	assert_int_equal(vx->vlan.mode, VLAN_MODE_TRUNK);
	mkframe(f, BCAST, MA, 0x88b5, 60);
	assert_int_equal(dummy_inject(d1, f, 60, NULL), 0);
	assert_true(rx_dgram(r3, dg, &size, &from));
	assert_int_equal(size, 8 + 60);
	assert_int_equal(dg[0], 0x08); /* I flag only */
	assert_int_equal(dg[1] | dg[2] | dg[3] | dg[7], 0);
	assert_int_equal(dg[4] << 16 | dg[5] << 8 | dg[6], 5010);
	assert_memory_equal(dg + 8, f, 60); /* untagged inner frame */
	assert_int_equal(ntohl(s4->sin_addr.s_addr), 0x7f000001);
	o = vxlan_show(vx);
	ports = json_object_get(o, "srcports");
	assert_int_equal(json_array_size(ports), 16);
	json_array_foreach(ports, i, v)
	{
		known |= json_integer_value(v) == ntohs(s4->sin_port);
	}
	json_decref(o);
	assert_true(known);
	assert_false(rx_dgram(r3, dg, &size, &from)); /* exactly one */
	assert_int_equal(vx->stats.tx_packets, 1);
	assert_int_equal(vx->stats.tx_bytes, 60);
	assert_int_equal(vxlan_inner_mtu(vx), 1450);
	close(r3);
	bridge_destroy(br);
}

/* The UDP source port follows the inner flow: one flow one port, many flows many ports. */
static void test_srcport_entropy(void **state)
{
	struct bridge *br = mkbr("a");
	struct port *d1 = addp(br, "d1", "type=dummy"), *vx;
	int r3 = vtep_sock("127.0.0.3", P);
	uint8_t f[128], dg[MAX_DGRAM];
	struct sockaddr_storage from;
	uint16_t first = 0;
	unsigned distinct = 0;
	bool seen[65536] = { false };
	size_t size;

	(void)state;
	vx = addp(br, "vx", "type=vxlan local=127.0.0.1 dstport=%u vni=7 remotes=7@127.0.0.3", P);
	for (unsigned flow = 0; flow < 64; flow++) {
		for (unsigned rep = 0; rep < 2; rep++) {
			uint16_t sport;

			/* IPv4/UDP from 10.0.0.1:flow to 10.0.0.2:9 */
			mkframe(f, BCAST, MA, ETH_P_IP_, 60);
			memset(f + 14, 0, 28);
			f[14] = 0x45;
			f[23] = IPPROTO_UDP;
			f[26] = 10, f[29] = 1, f[30] = 10, f[33] = 2;
			f[34] = (uint8_t)(flow >> 8), f[35] = (uint8_t)flow, f[37] = 9;
			assert_int_equal(dummy_inject(d1, f, 60, NULL), 0);
			assert_true(rx_dgram(r3, dg, &size, &from));
			sport = ntohs(((struct sockaddr_in *)&from)->sin_port);
			if (rep == 0) {
				first = sport;
				distinct += !seen[sport];
				seen[sport] = true;
			} else {
				assert_int_equal(sport, first);
			}
		}
	}
	assert_true(distinct >= 8); /* 64 flows over 16 ports */
	(void)vx;
	close(r3);
	bridge_destroy(br);
}

/*
 * Two switches joined by VNI 5010: VLAN 10 on A, VLAN 30 on B. Frames cross
 * untagged on the dummy (access) ports, B learns A's MAC behind A's address,
 * and the answer goes back by unicast only.
 */
static void test_two_hosts_translation(void **state)
{
	struct bridge *a = mkbr("a"), *b = mkbr("b");
	struct port *da, *db, *va, *vb;
	int r4 = vtep_sock("127.0.0.4", P);
	uint8_t f[2048], g[2048];
	size_t size;

	(void)state;
	da = addp(a, "d", "type=dummy tag=10");
	va = addp(a, "vx",
		  "type=vxlan local=127.0.0.1 dstport=%u map=10:5010 remotes=5010@127.0.0.2", P);
	db = addp(b, "d", "type=dummy tag=30");
	vb = addp(b, "vx",
		  "type=vxlan local=127.0.0.2 dstport=%u map=30:5010 "
		  "remotes=5010@127.0.0.1+127.0.0.4",
		  P);
	mkframe(f, BCAST, MA, 0x88b5, 100);
	assert_int_equal(dummy_inject(da, f, 100, NULL), 0);
	poll_port(vb);
	assert_int_equal(captured(db, g, &size), 1);
	assert_int_equal(size, 100);
	assert_memory_equal(g, f, 100);
	assert_string_equal(vtep_of(vb, 30, MA), "127.0.0.1");
	assert_int_equal(fdb_lookup(b->fdb, 30, (const uint8_t[]){ 2, 0, 0, 0, 0, 0x0a }), vb->idx);
	assert_int_equal(vb->stats.rx_packets, 1);

	/* the answer: unicast to MA, known behind 127.0.0.1, so 127.0.0.4 gets nothing */
	mkframe(f, MA, MB, 0x88b5, 80);
	assert_int_equal(dummy_inject(db, f, 80, NULL), 0);
	assert_int_equal(drain(r4), 0);
	poll_port(va);
	assert_int_equal(captured(da, g, &size), 1);
	assert_memory_equal(g, f, 80);
	assert_string_equal(vtep_of(va, 10, MB), "127.0.0.2");
	assert_int_equal(vcnt(vb, "tx_flood_copies"), 0);
	close(r4);
	bridge_destroy(a);
	bridge_destroy(b);
}

/* Broadcast and unknown unicast: one copy per remote VTEP of the VNI, none to other VNIs. */
static void test_flood_once_per_vtep(void **state)
{
	struct bridge *br = mkbr("a");
	struct port *d1, *vx;
	int r[4] = { vtep_sock("127.0.0.3", P), vtep_sock("127.0.0.4", P),
		     vtep_sock("127.0.0.5", P), vtep_sock("127.0.0.6", P) };
	uint8_t f[128];

	(void)state;
	d1 = addp(br, "d1", "type=dummy tag=10");
	vx = addp(br, "vx",
		  "type=vxlan local=127.0.0.1 dstport=%u map=10:5010,20:5020 "
		  "remotes=5010@127.0.0.3+127.0.0.4+127.0.0.5,5020@127.0.0.6",
		  P);
	inject(d1, BCAST, MA, 60);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(drain(r[i]), 1);
	assert_int_equal(drain(r[3]), 0);
	inject(d1, MX, MA, 60); /* unknown unicast */
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(drain(r[i]), 1);
	assert_int_equal(drain(r[3]), 0);
	assert_int_equal(vcnt(vx, "tx_flood_copies"), 6);
	assert_int_equal(vx->stats.tx_packets, 2);

	/* MX speaks from 127.0.0.4: from now on unicast to MX goes there only */
	mkframe(f, MA, MX, 0x88b5, 60);
	tx_vxlan(r[1], "127.0.0.1", P, 0x08, 5010, f, 60);
	poll_port(vx);
	assert_int_equal(captured(d1, NULL, NULL), 1);
	inject(d1, MX, MA, 60);
	assert_int_equal(drain(r[0]), 0);
	assert_int_equal(drain(r[1]), 1);
	assert_int_equal(drain(r[2]), 0);
	for (unsigned i = 0; i < 4; i++)
		close(r[i]);
	bridge_destroy(br);
}

/* VNIs 5010 and 5020 never mix, and learning is per VNI, even for one MAC. */
static void test_tenant_isolation(void **state)
{
	struct bridge *br = mkbr("a");
	struct port *d10, *d20, *vx;
	int r3 = vtep_sock("127.0.0.3", P), r4 = vtep_sock("127.0.0.4", P);
	uint8_t f[128];

	(void)state;
	d10 = addp(br, "d10", "type=dummy tag=10");
	d20 = addp(br, "d20", "type=dummy tag=20");
	vx = addp(br, "vx",
		  "type=vxlan local=127.0.0.1 dstport=%u map=10:5010,20:5020 "
		  "remotes=5010@127.0.0.3,5020@127.0.0.4",
		  P);
	mkframe(f, BCAST, MX, 0x88b5, 60);
	tx_vxlan(r3, "127.0.0.1", P, 0x08, 5010, f, 60);
	poll_port(vx);
	assert_int_equal(captured(d10, NULL, NULL), 1);
	assert_int_equal(captured(d20, NULL, NULL), 0);
	tx_vxlan(r4, "127.0.0.1", P, 0x08, 5020, f, 60); /* the same MAC in the other tenant */
	poll_port(vx);
	assert_int_equal(captured(d10, NULL, NULL), 0);
	assert_int_equal(captured(d20, NULL, NULL), 1);
	assert_string_equal(vtep_of(vx, 10, MX), "127.0.0.3");
	assert_string_equal(vtep_of(vx, 20, MX), "127.0.0.4");
	inject(d20, MX, MA, 60);
	assert_int_equal(drain(r3), 0);
	assert_int_equal(drain(r4), 1);
	inject(d10, MX, MB, 60);
	assert_int_equal(drain(r3), 1);
	assert_int_equal(drain(r4), 0);
	assert_int_equal(vcnt(vx, "mac_moves"), 0);
	close(r3);
	close(r4);
	bridge_destroy(br);
}

/* Each kind of bad datagram is dropped with its own counter; reserved bits are ignored. */
static void test_bad_input(void **state)
{
	struct bridge *br = mkbr("a");
	struct port *d1, *vx;
	int r3 = vtep_sock("127.0.0.3", P), r7 = vtep_sock("127.0.0.7", P);
	uint8_t f[128], tagged[128], good[128];
	static const struct {
		const char *counter;
	} cases[] = { { "rx_truncated_header" }, { "rx_no_i_flag" },	{ "rx_unknown_vni" },
		      { "rx_runt_inner" },	 { "rx_inner_tagged" }, { "rx_unknown_vtep" } };

	(void)state;
	d1 = addp(br, "d1", "type=dummy tag=10");
	vx = addp(br, "vx",
		  "type=vxlan local=127.0.0.1 dstport=%u map=10:5010 remotes=5010@127.0.0.3 "
		  "restrict=on",
		  P);
	mkframe(f, BCAST, MX, 0x88b5, 60);
	tx_raw(r3, "127.0.0.1", P, (const uint8_t[]){ 0x08, 0, 0, 0 }, 4);
	tx_vxlan(r3, "127.0.0.1", P, 0x00, 5010, f, 60);
	tx_vxlan(r3, "127.0.0.1", P, 0x08, 9999, f, 60);
	tx_vxlan(r3, "127.0.0.1", P, 0x08, 5010, f, 10);
	mkframe(tagged, BCAST, MX, 0x8100, 64);
	tx_vxlan(r3, "127.0.0.1", P, 0x08, 5010, tagged, 64);
	tx_vxlan(r7, "127.0.0.1", P, 0x08, 5010, f, 60); /* not a remote of 5010: spoofed */
	/* reserved bits and unknown flags set: still accepted (RFC 7348 5.) */
	good[0] = 0xff, good[1] = 0xaa, good[2] = 0xbb, good[3] = 0xcc;
	good[4] = 0, good[5] = 0x13, good[6] = 0x92, good[7] = 0xdd; /* VNI 5010 */
	memcpy(good + 8, f, 60);
	tx_raw(r3, "127.0.0.1", P, good, 68);
	poll_port(vx);
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		if (vcnt(vx, cases[i].counter) != 1)
			fail_msg("%s = %lld, expected 1", cases[i].counter,
				 vcnt(vx, cases[i].counter));
	}
	assert_int_equal(vx->stats.drops[DROP_RX_ERROR], ARRAY_SIZE(cases));
	assert_int_equal(vx->stats.rx_packets, 1);
	assert_int_equal(captured(d1, NULL, NULL), 1);
	/* the spoofed VTEP taught nothing; the good one did */
	assert_string_equal(vtep_of(vx, 10, MX), "127.0.0.3");
	close(r3);
	close(r7);
	bridge_destroy(br);
}

/* Inner frames up to underlay MTU - 36 (IPv4) cross; longer ones are dropped and counted. */
static void test_mtu(void **state)
{
	struct bridge *br = mkbr("a");
	struct port *d1, *vx;
	int r3 = vtep_sock("127.0.0.3", P);

	(void)state;
	d1 = addp(br, "d1", "type=dummy");
	vx = addp(br, "vx", "type=vxlan local=127.0.0.1 dstport=%u vni=1 remotes=1@127.0.0.3", P);
	inject(d1, BCAST, MA, 1464);
	assert_int_equal(drain(r3), 1);
	inject(d1, BCAST, MA, 1465);
	assert_int_equal(drain(r3), 0);
	assert_int_equal(vcnt(vx, "tx_too_big"), 1);
	assert_int_equal(vx->stats.drops[DROP_OVERSIZE], 1);
	assert_int_equal(vx->stats.tx_packets, 1);
	/* a jumbo underlay carries a full 1500-byte inner MTU */
	assert_int_equal(port_set(vx,
				  &(struct kv_list){ .n = 1, .kv = { { "underlay_mtu", "9000" } } },
				  (char[256]){ 0 }, 256),
			 0);
	assert_int_equal(vxlan_inner_mtu(vx), 9000 - 50);
	inject(d1, BCAST, MA, 1514);
	assert_int_equal(drain(r3), 1);
	close(r3);
	bridge_destroy(br);
}

/* A TSO frame from a VM is segmented by the switch before encapsulation (the port has no caps). */
static void test_tso_segmented(void **state)
{
	struct bridge *br = mkbr("a");
	struct port *d1, *vx;
	int r3 = vtep_sock("127.0.0.3", P);
	static uint8_t f[20000], dg[MAX_DGRAM], payload[20000];
	struct virtio_net_hdr vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				     .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
				     .hdr_len = 54,
				     .gso_size = 1398,
				     .csum_start = 34,
				     .csum_offset = 16 };
	struct sockaddr_storage from;
	size_t size, total = 0, plen = 10000;
	unsigned n = 0;

	(void)state;
	d1 = addp(br, "d1", "type=dummy");
	vx = addp(br, "vx", "type=vxlan local=127.0.0.1 dstport=%u vni=1 remotes=1@127.0.0.3", P);
	mkframe(f, MB, MA, ETH_P_IP_, 54 + plen);
	memset(f + 14, 0, 40);
	f[14] = 0x45;
	f[16] = (uint8_t)((40 + plen) >> 8), f[17] = (uint8_t)(40 + plen);
	f[22] = 64, f[23] = IPPROTO_TCP;
	f[26] = 10, f[29] = 1, f[30] = 10, f[33] = 2;
	f[35] = 80, f[37] = 81;
	f[46] = 0x50, f[47] = 0x18; /* data offset 5, PSH ACK */
	for (size_t i = 0; i < plen; i++)
		f[54 + i] = payload[i] = (uint8_t)(i * 7);
	assert_int_equal(dummy_inject(d1, f, 54 + plen, &vh), 0);
	while (rx_dgram(r3, dg, &size, &from)) {
		const uint8_t *ip = dg + 8 + 14;

		assert_true(size <= 8 + 1464);
		assert_int_equal(csum_fold(csum_partial(ip, 20, 0)), 0);
		assert_memory_equal(dg + 8 + 54, payload + total, size - 8 - 54);
		total += size - 8 - 54;
		n++;
	}
	assert_int_equal(n, (plen + 1397) / 1398);
	assert_int_equal(total, plen);
	assert_int_equal(vx->stats.gso_segmented, 1);
	close(r3);
	bridge_destroy(br);
}

/* An IPv6 underlay: two VTEPs on ::1 with their own ports; inner MTU 1430 on 1500. */
static void test_ipv6(void **state)
{
	struct bridge *a = mkbr("a"), *b = mkbr("b");
	struct port *da, *db, *va, *vb;
	uint8_t g[2048];
	size_t size;

	(void)state;
	da = addp(a, "d", "type=dummy");
	db = addp(b, "d", "type=dummy");
	va = addp(a, "vx", "type=vxlan local=::1 dstport=%u vni=5010 remotes=5010@[::1]:%u", P, P6);
	vb = addp(b, "vx", "type=vxlan local=::1 dstport=%u vni=5010 remotes=5010@[::1]:%u", P6, P);
	assert_int_equal(vxlan_inner_mtu(va), 1430);
	inject(da, BCAST, MA, 1444);
	poll_port(vb);
	assert_int_equal(captured(db, g, &size), 1);
	assert_int_equal(size, 1444);
	inject(da, BCAST, MA, 1445);
	poll_port(vb);
	assert_int_equal(captured(db, NULL, NULL), 0);
	inject(db, MA, MB, 60);
	poll_port(va);
	assert_int_equal(captured(da, NULL, NULL), 1);
	assert_int_equal(vcnt(vb, "tx_flood_copies"), 0); /* MA was learned behind [::1]:P */
	bridge_destroy(a);
	bridge_destroy(b);
}

static const char *opt(struct port *p, const char *key)
{
	for (unsigned i = 0; i < p->opts.n; i++) {
		if (!strcmp(p->opts.kv[i].key, key))
			return p->opts.kv[i].val;
	}
	return NULL;
}

/* The control API edits the options, so the state file saves exactly what is in force. */
static void test_commands_persist(void **state)
{
	struct bridge *br = mkbr("a"), *br2;
	struct port *vx, *vx2;
	char err[256] = "", k[KV_KEY_MAX];
	uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
	struct kv_list kv;
	json_t *o1, *o2;
	int rc = 0;
	unsigned n;

	(void)state;
	vx = addp(br, "vx", "type=vxlan local=127.0.0.1 dstport=%u", P);
	assert_int_equal(vxlan_map(vx, 10, 5010, err, sizeof(err)), 0);
	assert_int_equal(vxlan_map(vx, 20, 5020, err, sizeof(err)), 0);
	assert_int_equal(vxlan_map(vx, 0, 7, err, sizeof(err)), 0);
	assert_int_equal(vxlan_map(vx, 10, 5010, err, sizeof(err)), 0); /* again: no-op */
	assert_int_equal(vxlan_map(vx, 30, 5020, err, sizeof(err)), -EEXIST);
	assert_int_equal(vxlan_map(vx, 4095, 1, err, sizeof(err)), -EINVAL);
	assert_int_equal(vxlan_remote_add(vx, 5010, "127.0.0.3", NULL, err, sizeof(err)), 0);
	assert_int_equal(vxlan_remote_add(vx, 5010, "127.0.0.4:4000", NULL, err, sizeof(err)), 0);
	assert_int_equal(vxlan_remote_add(vx, 5010, "127.0.0.3", NULL, err, sizeof(err)), 0);
	assert_int_equal(vxlan_remote_add(vx, 5020, "::1", NULL, err, sizeof(err)), -EINVAL);
	assert_int_equal(vxlan_remote_add(vx, 5020, "127.0.0.5", mac, err, sizeof(err)), 0);
	assert_string_equal(opt(vx, "map"), "10:5010,20:5020");
	assert_string_equal(opt(vx, "vni"), "7");
	assert_string_equal(opt(vx, "remotes"), "5010@127.0.0.3+127.0.0.4:4000");
	assert_string_equal(opt(vx, "static"), "5020/02:00:00:00:00:01@127.0.0.5");
	assert_string_equal(vtep_of(vx, 20, "02:00:00:00:00:01"), "127.0.0.5");

	/* a port created from the saved options has the same state */
	br2 = mkbr("b");
	kv = vx->opts;
	kv_set(&kv, "dstport", "4791");
	kv_del(&kv, "type");
	kv_set(&kv, "type", "vxlan");
	if (bridge_port_add(br2, "vx", &kv, err, sizeof(err)))
		fail_msg("re-adding from options: %s", err);
	vx2 = bridge_port_find(br2, "vx");
	o1 = vxlan_show(vx);
	o2 = vxlan_show(vx2);
	assert_true(json_equal(json_object_get(o1, "vnis"), json_object_get(o2, "vnis")));
	json_decref(o1);
	json_decref(o2);
	bridge_destroy(br2);

	assert_int_equal(vxlan_unmap(vx, true, 5020, err, sizeof(err)), 0);
	assert_int_equal(vxlan_unmap(vx, true, 5020, err, sizeof(err)), -ENOENT);
	assert_int_equal(vxlan_unmap(vx, false, 0, err, sizeof(err)), 0);
	assert_null(opt(vx, "vni"));
	assert_string_equal(opt(vx, "map"), "10:5010");
	assert_int_equal(vxlan_remote_del(vx, 5010, "127.0.0.9", NULL, err, sizeof(err)), -ENOENT);
	assert_int_equal(vxlan_remote_del(vx, 5010, "127.0.0.4:4000", NULL, err, sizeof(err)), 0);
	assert_int_equal(vxlan_remote_del(vx, 5020, "127.0.0.5", mac, err, sizeof(err)), 0);
	assert_null(opt(vx, "static"));
	assert_string_equal(opt(vx, "remotes"), "5010@127.0.0.3");

	/* many remotes spill into continuation keys, up to what the options can hold */
	for (n = 0; n < 600 && !rc; n++) {
		char ip[32];

		snprintf(ip, sizeof(ip), "127.0.%u.%u", 1 + n / 200, 1 + n % 200);
		rc = vxlan_remote_add(vx, 5010, ip, NULL, err, sizeof(err));
	}
	assert_int_equal(rc, -ENOSPC);
	assert_true(n > 128); /* enough for the W4 fan-out benchmark */
	assert_non_null(opt(vx, "remotes.2"));
	o1 = vxlan_show(vx);
	assert_int_equal(json_array_size(json_object_get(
				 json_array_get(json_object_get(o1, "vnis"), 0), "remotes")),
			 n); /* 127.0.0.3 + the n - 1 that fit */
	json_decref(o1);
	/* and they parse back */
	kv = vx->opts;
	assert_int_equal(vxlan_port_ops.validate(&kv, err, sizeof(err)), 0);
	for (unsigned i = 2; i < 10; i++) {
		snprintf(k, sizeof(k), "remotes.%u", i);
		if (opt(vx, k))
			assert_true(strlen(opt(vx, k)) < KV_VAL_MAX);
	}
	bridge_destroy(br);
}

/* Learning: limit with fair eviction, moves, static entries, aging, learned VTEPs freed. */
static void test_learning(void **state)
{
	struct bridge *br = mkbr("a");
	struct port *d1, *vx;
	int r3 = vtep_sock("127.0.0.3", P), r4 = vtep_sock("127.0.0.4", P),
	    r5 = vtep_sock("127.0.0.5", P);
	uint8_t f[128];
	json_t *o;

	(void)state;
	dp.now_ns = T0_NS;
	d1 = addp(br, "d1", "type=dummy");
	vx = addp(br, "vx",
		  "type=vxlan local=127.0.0.1 dstport=%u vni=1 remotes=1@127.0.0.3 macs_max=64 "
		  "aging=10 static=1/02:00:00:00:00:5a@127.0.0.3",
		  P);
	mkframe(f, BCAST, MA, 0x88b5, 60);
	tx_vxlan(r3, "127.0.0.1", P, 0x08, 1, f, 60);
	poll_port(vx);
	/* 127.0.0.4 (not configured, restrict=off) floods 500 source MACs */
	for (unsigned i = 0; i < 500; i++) {
		f[9] = 0x44; /* never MA */
		f[10] = (uint8_t)(i >> 8);
		f[11] = (uint8_t)i;
		tx_vxlan(r4, "127.0.0.1", P, 0x08, 1, f, 60);
		if (i % 32 == 31)
			poll_port(vx);
	}
	poll_port(vx);
	captured(d1, NULL, NULL);
	assert_true(n_macs(vx) <= 64);
	assert_true(vcnt(vx, "macs_evicted") >= 500 - 64);
	assert_string_equal(vtep_of(vx, 0, MA), "127.0.0.3"); /* the flood evicted only its own */

	/* a static entry does not move; a learned one does */
	mkframe(f, BCAST, "02:00:00:00:00:5a", 0x88b5, 60);
	tx_vxlan(r5, "127.0.0.1", P, 0x08, 1, f, 60);
	mkframe(f, BCAST, MA, 0x88b5, 60);
	tx_vxlan(r5, "127.0.0.1", P, 0x08, 1, f, 60);
	poll_port(vx);
	assert_string_equal(vtep_of(vx, 0, "02:00:00:00:00:5a"), "127.0.0.3");
	assert_string_equal(vtep_of(vx, 0, MA), "127.0.0.5");
	assert_int_equal(vcnt(vx, "mac_moves"), 1);

	/* aging: 11 s later every learned entry is gone, the static one stays */
	dp.now_ns = T0_NS + 11 * NS_PER_S;
	assert_int_equal(n_macs(vx), 1);
	assert_true(vcnt(vx, "macs_aged") >= 1);
	assert_string_equal(vtep_of(vx, 0, MA), "");
	/* learned-only VTEPs (127.0.0.4, .5) were freed; the configured one stays */
	o = vxlan_show(vx);
	assert_int_equal(json_array_size(json_object_get(o, "vteps")), 1);
	json_decref(o);
	/* and they come back when they speak again */
	tx_vxlan(r5, "127.0.0.1", P, 0x08, 1, f, 60);
	poll_port(vx);
	assert_string_equal(vtep_of(vx, 0, MA), "127.0.0.5");
	dp.now_ns = T0_NS;
	close(r3);
	close(r4);
	close(r5);
	bridge_destroy(br);
}

/* Frames in a VLAN with no VNI are not sent; a VNI with no remote sends nothing. */
static void test_unmapped(void **state)
{
	struct bridge *br = mkbr("a");
	struct port *d10, *d20, *vx;

	(void)state;
	d10 = addp(br, "d10", "type=dummy tag=10");
	d20 = addp(br, "d20", "type=dummy tag=20");
	vx = addp(br, "vx", "type=vxlan local=127.0.0.1 dstport=%u map=10:5010", P);
	inject(d20, BCAST, MA, 60);
	assert_int_equal(vcnt(vx, "tx_unmapped_vlan"), 1);
	assert_int_equal(vx->stats.drops[DROP_VLAN_NOT_ALLOWED], 1);
	inject(d10, BCAST, MA, 60);
	assert_int_equal(vcnt(vx, "tx_no_remote"), 1);
	assert_int_equal(vx->stats.tx_packets, 0);
	bridge_destroy(br);
}

/* port/set: restrict= and the map change at run time; local= does not. */
static void test_reconfigure(void **state)
{
	struct bridge *br = mkbr("a");
	struct port *d1, *vx;
	int r7 = vtep_sock("127.0.0.7", P);
	uint8_t f[128];
	char err[256] = "";
	struct kv_list kv;

	(void)state;
	d1 = addp(br, "d1", "type=dummy");
	vx = addp(br, "vx", "type=vxlan local=127.0.0.1 dstport=%u vni=1 remotes=1@127.0.0.3", P);
	mkframe(f, BCAST, MX, 0x88b5, 60);
	tx_vxlan(r7, "127.0.0.1", P, 0x08, 1, f, 60);
	poll_port(vx);
	assert_int_equal(captured(d1, NULL, NULL), 1);
	parse_opts(&kv, "restrict=on");
	assert_int_equal(bridge_port_set(br, "vx", &kv, err, sizeof(err)), 0);
	tx_vxlan(r7, "127.0.0.1", P, 0x08, 1, f, 60);
	poll_port(vx);
	assert_int_equal(captured(d1, NULL, NULL), 0);
	assert_int_equal(vcnt(vx, "rx_unknown_vtep"), 1);
	parse_opts(&kv, "remotes=1@127.0.0.3+127.0.0.7");
	assert_int_equal(bridge_port_set(br, "vx", &kv, err, sizeof(err)), 0);
	tx_vxlan(r7, "127.0.0.1", P, 0x08, 1, f, 60);
	poll_port(vx);
	assert_int_equal(captured(d1, NULL, NULL), 1);
	parse_opts(&kv, "local=127.0.0.2");
	assert_int_equal(bridge_port_set(br, "vx", &kv, err, sizeof(err)), -EOPNOTSUPP);
	assert_non_null(strstr(err, "cannot change"));
	parse_opts(&kv, "map=5:1"); /* VNI 1 is vni= already */
	assert_int_equal(bridge_port_set(br, "vx", &kv, err, sizeof(err)), -EINVAL);
	close(r7);
	bridge_destroy(br);
}

/* A remote VTEP goes away (nobody listens: ICMP unreachable) and comes back. */
static void test_vtep_gone_and_back(void **state)
{
	struct bridge *br = mkbr("a");
	struct port *d1, *vx;
	int r3 = vtep_sock("127.0.0.3", P);

	(void)state;
	d1 = addp(br, "d1", "type=dummy");
	vx = addp(br, "vx", "type=vxlan local=127.0.0.1 dstport=%u vni=1 remotes=1@127.0.0.3", P);
	inject(d1, BCAST, MA, 60);
	assert_int_equal(drain(r3), 1);
	close(r3);
	for (unsigned i = 0; i < 100; i++)
		inject(d1, BCAST, MA, 60);
	poll_port(vx); /* nothing to read, and nothing breaks */
	r3 = vtep_sock("127.0.0.3", P);
	inject(d1, BCAST, MA, 60);
	assert_int_equal(drain(r3), 1);
	assert_int_equal(vx->stats.tx_packets, 102);
	assert_int_equal(vx->state, PORT_UP);
	close(r3);
	bridge_destroy(br);
}

/* IPv4/TCP frame MB <- MA, 10.0.0.1:80 -> 10.0.0.2:81, @plen payload bytes (seq-derived). */
enum tcp_csum { CSUM_GOOD, CSUM_PARTIAL, CSUM_BAD };

static size_t mk_tcp(uint8_t *f, uint32_t seq, size_t plen, uint8_t flags, enum tcp_csum cs)
{
	size_t size = 54 + plen;
	uint32_t sum;
	uint16_t c;

	mkframe(f, MB, MA, ETH_P_IP_, size);
	memset(f + 14, 0, 40);
	f[14] = 0x45;
	f[16] = (uint8_t)((40 + plen) >> 8), f[17] = (uint8_t)(40 + plen);
	f[20] = 0x40; /* DF */
	f[22] = 64, f[23] = IPPROTO_TCP;
	f[26] = 10, f[29] = 1, f[30] = 10, f[33] = 2;
	f[35] = 80, f[37] = 81;
	f[38] = (uint8_t)(seq >> 24), f[39] = (uint8_t)(seq >> 16), f[40] = (uint8_t)(seq >> 8),
	f[41] = (uint8_t)seq;
	f[45] = 1; /* ack */
	f[46] = 0x50, f[47] = flags;
	f[48] = 0x10; /* window */
	for (size_t i = 0; i < plen; i++)
		f[54 + i] = (uint8_t)((seq + i) * 13);
	c = csum_fold(csum_partial(f + 14, 20, 0));
	memcpy(f + 24, &c, 2);
	sum = csum_partial(f + 26, 8, 0) + htons(IPPROTO_TCP) + htons((uint16_t)(20 + plen));
	if (cs == CSUM_PARTIAL) {
		c = (uint16_t)~csum_fold(sum);
	} else {
		c = csum_fold(csum_partial(f + 34, 20 + plen, sum));
		if (cs == CSUM_BAD)
			c ^= 0x1234;
	}
	memcpy(f + 50, &c, 2);
	return size;
}

/* Does the IPv4/TCP frame @f verify (header and TCP checksums)? */
static bool tcp_ok(const uint8_t *f, size_t size)
{
	uint32_t l4 = (uint32_t)size - 34;
	uint32_t sum = csum_partial(f + 26, 8, 0) + htons(IPPROTO_TCP) + htons((uint16_t)l4);

	return csum_fold(csum_partial(f + 14, 20, 0)) == 0 &&
	       csum_fold(csum_partial(f + 34, l4, sum)) == 0;
}

/*
 * A train of TCP segments from a remote VTEP is coalesced into one TSO frame;
 * a bad checksum or a gap in the sequence ends a train; a port without TSO
 * gets MTU-sized segments back.
 */
static void test_gro(void **state)
{
	struct bridge *br = mkbr("a");
	struct port *d1, *d2, *vx;
	int r3 = vtep_sock("127.0.0.3", P);
	static uint8_t f[2048], g[70000];
	size_t size, n;
	uint32_t seq = 1000;

	(void)state;
	d1 = addp(br, "d1", "type=dummy");
	vx = addp(br, "vx", "type=vxlan local=127.0.0.1 dstport=%u vni=1 remotes=1@127.0.0.3", P);
	/* ten full segments and a short one: one frame */
	for (unsigned i = 0; i < 11; i++) {
		n = mk_tcp(f, seq, i < 10 ? 1398 : 500, 0x10, CSUM_GOOD);
		seq += (uint32_t)n - 54;
		tx_vxlan(r3, "127.0.0.1", P, 0x08, 1, f, n);
	}
	poll_port(vx);
	assert_int_equal(captured(d1, g, &size), 1);
	assert_int_equal(size, 54 + 10 * 1398 + 500);
	assert_int_equal(g[16] << 8 | g[17], 40 + 10 * 1398 + 500); /* IPv4 total length */
	assert_int_equal(csum_fold(csum_partial(g + 14, 20, 0)), 0);
	for (size_t i = 0; i < size - 54; i++) /* the payload, in order */
		if (g[54 + i] != (uint8_t)((1000 + i) * 13))
			fail_msg("payload byte %zu", i);
	assert_int_equal(vcnt(vx, "rx_coalesced"), 10);

	/* a bad checksum and a gap each end a train */
	seq = 5000;
	n = mk_tcp(f, seq, 1398, 0x10, CSUM_GOOD);
	tx_vxlan(r3, "127.0.0.1", P, 0x08, 1, f, n);
	n = mk_tcp(f, seq + 1398, 1398, 0x10, CSUM_BAD);
	tx_vxlan(r3, "127.0.0.1", P, 0x08, 1, f, n);
	n = mk_tcp(f, seq + 2 * 1398, 1398, 0x10, CSUM_GOOD);
	tx_vxlan(r3, "127.0.0.1", P, 0x08, 1, f, n);
	n = mk_tcp(f, seq + 4 * 1398, 1398, 0x10, CSUM_GOOD); /* gap */
	tx_vxlan(r3, "127.0.0.1", P, 0x08, 1, f, n);
	poll_port(vx);
	assert_int_equal(captured(d1, NULL, NULL), 4);
	assert_int_equal(vcnt(vx, "rx_coalesced"), 10);

	/* a port without TSO gets the train back as segments that fit the inner MTU */
	d2 = addp(br, "d2", "type=dummy nooffload=true");
	seq = 9000;
	for (unsigned i = 0; i < 6; i++) {
		n = mk_tcp(f, seq, 1398, 0x10, CSUM_GOOD);
		seq += 1398;
		tx_vxlan(r3, "127.0.0.1", P, 0x08, 1, f, n);
	}
	poll_port(vx);
	assert_int_equal(captured(d1, NULL, NULL), 1);
	n = 0;
	while (dummy_capture_next(d2, g, sizeof(g), &size)) {
		assert_true(size <= 1464);
		assert_true(tcp_ok(g, size));
		n++;
	}
	assert_int_equal(n, 6);
	close(r3);
	bridge_destroy(br);
}

/*
 * A kernel VTEP on the same host leaves inner checksums partial and sends
 * TCP super-frames (veth keeps both): the port completes the one and passes
 * the other on as TSO.
 */
static void test_rx_offload(void **state)
{
	struct bridge *br = mkbr("a");
	struct port *d1, *vx;
	int r3 = vtep_sock("127.0.0.3", P);
	static uint8_t f[8192], g[8192];
	size_t size, n;

	(void)state;
	d1 = addp(br, "d1", "type=dummy nooffload=true");
	vx = addp(br, "vx", "type=vxlan local=127.0.0.1 dstport=%u vni=1 remotes=1@127.0.0.3", P);
	n = mk_tcp(f, 1, 100, 0x18, CSUM_PARTIAL);
	tx_vxlan(r3, "127.0.0.1", P, 0x08, 1, f, n);
	poll_port(vx);
	assert_int_equal(captured(d1, g, &size), 1);
	assert_true(tcp_ok(g, size));
	assert_int_equal(vcnt(vx, "rx_csum_completed"), 1);
	/* a complete checksum is left alone */
	n = mk_tcp(f, 101, 100, 0x18, CSUM_GOOD);
	tx_vxlan(r3, "127.0.0.1", P, 0x08, 1, f, n);
	poll_port(vx);
	assert_int_equal(captured(d1, g, &size), 1);
	assert_memory_equal(g, f, n);
	assert_int_equal(vcnt(vx, "rx_csum_completed"), 1);
	/* a 5000-byte TCP frame: segmented for d1 (no TSO) at the inner MTU */
	n = mk_tcp(f, 201, 5000 - 54, 0x10, CSUM_PARTIAL);
	tx_vxlan(r3, "127.0.0.1", P, 0x08, 1, f, n);
	poll_port(vx);
	n = 0;
	while (dummy_capture_next(d1, g, sizeof(g), &size)) {
		assert_true(size <= 1464);
		assert_true(tcp_ok(g, size));
		n++;
	}
	assert_int_equal(n, 4); /* 4946 bytes of payload in segments of 1410 */
	assert_int_equal(vcnt(vx, "rx_superframes"), 1);
	close(r3);
	bridge_destroy(br);
}

/*
 * vnet to vnet: a TSO frame leaves A as one UDP_SEGMENT send, reaches B as
 * one UDP GRO message and is coalesced back into one frame.
 */
static void test_udp_gso_end_to_end(void **state)
{
	struct bridge *a = mkbr("a"), *b = mkbr("b");
	struct port *da, *db, *va, *vb;
	static uint8_t f[70000], g[70000];
	struct virtio_net_hdr vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				     .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
				     .hdr_len = 54,
				     .gso_size = 1398,
				     .csum_start = 34,
				     .csum_offset = 16 };
	size_t size, plen = 40000;

	(void)state;
	da = addp(a, "d", "type=dummy");
	db = addp(b, "d", "type=dummy");
	va = addp(a, "vx", "type=vxlan local=127.0.0.1 dstport=%u vni=1 remotes=1@127.0.0.2", P);
	vb = addp(b, "vx", "type=vxlan local=127.0.0.2 dstport=%u vni=1 remotes=1@127.0.0.1", P);
	mk_tcp(f, 77, plen, 0x10, CSUM_PARTIAL);
	assert_int_equal(dummy_inject(da, f, 54 + plen, &vh), 0);
	assert_int_equal(vcnt(va, "tx_gso_sends"), 1);
	poll_port(vb);
	assert_int_equal(captured(db, g, &size), 1);
	assert_int_equal(size, 54 + plen);
	assert_memory_equal(g + 54, f + 54, plen);
	assert_int_equal(vcnt(vb, "rx_coalesced"), (plen + 1397) / 1398 - 1);
	bridge_destroy(a);
	bridge_destroy(b);
}

/* udpcsum=off: zero outer checksums over IPv4 (RFC 7348's default), no segmentation offload. */
static void test_udpcsum_off(void **state)
{
	struct bridge *br = mkbr("a");
	struct port *d1, *vx;
	int r3 = vtep_sock("127.0.0.3", P),
	    raw = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK, IPPROTO_UDP);
	static uint8_t f[8192], buf[70000];
	struct virtio_net_hdr vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				     .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
				     .hdr_len = 54,
				     .gso_size = 1398,
				     .csum_start = 34,
				     .csum_offset = 16 };
	bool seen_zero = false, seen_nonzero = false;
	ssize_t r;

	(void)state;
	assert_true(raw >= 0);
	d1 = addp(br, "d1", "type=dummy");
	vx = addp(br, "vx", "type=vxlan local=127.0.0.1 dstport=%u vni=1 remotes=1@127.0.0.3", P);
	inject(d1, BCAST, MA, 60);
	assert_int_equal(drain(r3), 1);
	bridge_port_del(br, "vx");
	vx = addp(br, "vx",
		  "type=vxlan local=127.0.0.1 dstport=%u vni=1 remotes=1@127.0.0.3 udpcsum=off", P);
	inject(d1, BCAST, MA, 60);
	mk_tcp(f, 1, 5000, 0x10, CSUM_PARTIAL);
	assert_int_equal(dummy_inject(d1, f, 54 + 5000, &vh), 0);
	assert_int_equal(drain(r3), 1 + 4);
	assert_int_equal(vcnt(vx, "tx_gso_sends"), 0);
	/* the raw socket saw every datagram to 127.0.0.3:P: the first with a checksum, then zeros */
	while ((r = recv(raw, buf, sizeof(buf), 0)) > 28) {
		if (buf[16] != 127 || buf[19] != 3 || (buf[22] << 8 | buf[23]) != P)
			continue;
		if (buf[26] | buf[27])
			seen_nonzero = true;
		else
			seen_zero = true;
	}
	assert_true(seen_nonzero);
	assert_true(seen_zero);
	close(raw);
	close(r3);
	bridge_destroy(br);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_encap_format),
		cmocka_unit_test(test_srcport_entropy),
		cmocka_unit_test(test_two_hosts_translation),
		cmocka_unit_test(test_flood_once_per_vtep),
		cmocka_unit_test(test_tenant_isolation),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_mtu),
		cmocka_unit_test(test_tso_segmented),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_commands_persist),
		cmocka_unit_test(test_learning),
		cmocka_unit_test(test_unmapped),
		cmocka_unit_test(test_reconfigure),
		cmocka_unit_test(test_vtep_gone_and_back),
		cmocka_unit_test(test_gro),
		cmocka_unit_test(test_rx_offload),
		cmocka_unit_test(test_udp_gso_end_to_end),
		cmocka_unit_test(test_udpcsum_off),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
