// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_stream.c - the stream port type in-process, with the test playing
 * QEMU on a unix socket: options, the QEMU argument, frames split across
 * writes, runts (lengths 0 and 1), a length of 70000 (connection dropped
 * and counted, the port listens again), a peer that closes mid-frame, a peer
 * that never reads (bounded backlog, drops counted, no blocking), VLAN tag
 * insertion, one peer at a time, and client mode reconnecting after the
 * peer goes away.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "../../src/base/dp.h"
#include "../../src/base/log.h"
#include "../../src/base/util.h"
#include "../../src/net/lenframe.h"
#include "../../src/port/stream.h"

static struct dp dp;
static char dir[64], sock_path[128];
static unsigned n_rx;
static uint32_t rx_len[256];
static uint8_t rx_first[256];

static void capture(struct port *p, struct pkt **pkts, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (n_rx < ARRAY_SIZE(rx_len)) {
			rx_len[n_rx] = pkts[i]->size;
			rx_first[n_rx] = pkts[i]->data[ETH_HLEN];
		}
		n_rx++;
	}
	pkt_free_burst(p->dp->pool, pkts, n);
}

static void pump(unsigned rounds)
{
	for (unsigned i = 0; i < rounds; i++)
		evloop_run_once(&dp.loop, 10);
}

static int setup(void **state)
{
	(void)state;
	log_set_level(LOG_LVL_ERR);
	snprintf(dir, sizeof(dir), "/tmp/test_stream.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(sock_path, sizeof(sock_path), "%s/vm.sock", dir);
	dp.pool = pkt_pool_create(256);
	return !dp.pool || evloop_init(&dp.loop);
}

static int teardown(void **state)
{
	(void)state;
	unlink(sock_path);
	rmdir(dir);
	evloop_fini(&dp.loop);
	pkt_pool_destroy(dp.pool);
	return 0;
}

static struct port *mkport(const char *name, const char *mode, const char *backlog)
{
	struct kv_list o = { 0 };
	char err[256] = "";
	struct port *p;

	kv_set(&o, "type", "stream");
	kv_set(&o, "path", sock_path);
	if (mode)
		kv_set(&o, "mode", mode);
	if (backlog)
		kv_set(&o, "backlog", backlog);
	p = port_create(&dp, name, &o, err, sizeof(err));
	if (!p)
		fail_msg("port_create: %s", err);
	p->input = capture;
	n_rx = 0;
	return p;
}

static int peer_connect(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strcpy(sa.sun_path, sock_path);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* a frame of @len bytes (at least an Ethernet header) with payload byte @mark */
static size_t mkframe(uint8_t *out, uint32_t len, uint8_t mark)
{
	static const uint8_t mac_a[6] = { 0x52, 0x54, 0, 0, 0, 0xa },
			     mac_b[6] = { 0x52, 0x54, 0, 0, 0, 0xb };

	lenframe_put_hdr(out, len);
	memset(out + LENFRAME_HDR, mark, len);
	if (len >= ETH_HLEN) {
		memcpy(out + LENFRAME_HDR, mac_b, 6);
		memcpy(out + LENFRAME_HDR + 6, mac_a, 6);
		out[LENFRAME_HDR + 12] = 0x08;
		out[LENFRAME_HDR + 13] = 0x00;
	}
	return LENFRAME_HDR + len;
}

static void test_options(void **state)
{
	struct kv_list o = { 0 };
	char err[256], q[512];
	const char *opts[] = { "server=off", "addr.path=/a,b" };

	(void)state;
	kv_set(&o, "type", "stream");
	assert_int_equal(port_validate(&o, err, sizeof(err)), -EINVAL);
	kv_set(&o, "path", "/x");
	kv_set(&o, "addr", "127.0.0.1:1");
	assert_int_equal(port_validate(&o, err, sizeof(err)), -EINVAL);
	kv_del(&o, "path");
	assert_int_equal(port_validate(&o, err, sizeof(err)), 0);
	kv_set(&o, "addr", "localhost:1"); /* no name lookups in the datapath */
	assert_int_equal(port_validate(&o, err, sizeof(err)), -EINVAL);
	kv_set(&o, "addr", "[::1]:5555");
	assert_int_equal(port_validate(&o, err, sizeof(err)), 0);
	kv_set(&o, "addr", "127.0.0.1:70000");
	assert_int_equal(port_validate(&o, err, sizeof(err)), -EINVAL);
	kv_set(&o, "addr", "127.0.0.1:5555");
	kv_set(&o, "mode", "both");
	assert_int_equal(port_validate(&o, err, sizeof(err)), -EINVAL);
	kv_set(&o, "mode", "client");
	kv_set(&o, "backlog", "100");
	assert_int_equal(port_validate(&o, err, sizeof(err)), -EINVAL);
	kv_set(&o, "backlog", "1048576");
	assert_int_equal(port_validate(&o, err, sizeof(err)), 0);
	stream_qemu_arg(q, sizeof(q), "stream", "9vm", opts, 2);
	assert_string_equal(q, "-netdev stream,id=n9vm,server=off,addr.path=/a,,b "
			       "-device virtio-net-pci,netdev=n9vm");
}

static void test_qemu_arg_in_info(void **state)
{
	struct port *p = mkport("vm3", NULL, NULL);
	json_t *js = json_object();
	char want[256];

	(void)state;
	(p->ops->info)(p, js);
	snprintf(want, sizeof(want),
		 "-netdev stream,id=vm3,server=off,addr.type=unix,addr.path=%s "
		 "-device virtio-net-pci,netdev=vm3",
		 sock_path);
	assert_string_equal(json_string_value(json_object_get(js, "qemu")), want);
	json_decref(js);
	port_destroy(p);
	assert_int_equal(access(sock_path, F_OK), -1); /* the socket left with the port */
}

/* Frames split at every byte, runts in between, then a frame over the maximum. */
static void test_rx_split_runts_and_too_big(void **state)
{
	static uint8_t wire[4096];
	struct port *p = mkport("vm", NULL, NULL);
	size_t n = 0;
	int fd;

	(void)state;
	assert_int_equal(p->state, PORT_DOWN);
	fd = peer_connect();
	pump(3);
	assert_int_equal(p->state, PORT_UP);
	n += mkframe(wire + n, 60, 1);
	n += mkframe(wire + n, 0, 0);
	n += mkframe(wire + n, 1, 0);
	n += mkframe(wire + n, 1514, 2);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(write(fd, wire + i, 1), 1);
		if (i % 97 == 0)
			pump(1);
	}
	pump(5);
	assert_int_equal(n_rx, 2);
	assert_int_equal(rx_len[0], 60);
	assert_int_equal(rx_first[0], 1);
	assert_int_equal(rx_len[1], 1514);
	assert_int_equal(rx_first[1], 2);
	assert_int_equal(p->stats.drops[DROP_RUNT], 2);

	/* 70000: the stream cannot be resynchronised; the connection goes */
	lenframe_put_hdr(wire, 70000);
	assert_int_equal(write(fd, wire, LENFRAME_HDR), LENFRAME_HDR);
	pump(5);
	assert_int_equal(p->stats.drops[DROP_STREAM_LENGTH], 1);
	assert_int_equal(p->state, PORT_DOWN);
	assert_int_equal(read(fd, wire, 1), 0); /* vnetd closed its end */
	close(fd);

	/* and listens again */
	fd = peer_connect();
	n = mkframe(wire, 100, 3);
	assert_int_equal(write(fd, wire, n), (ssize_t)n);
	pump(5);
	assert_int_equal(p->state, PORT_UP);
	assert_int_equal(n_rx, 3);
	assert_int_equal(rx_first[2], 3);
	close(fd);
	port_destroy(p);
}

static void test_close_mid_frame(void **state)
{
	uint8_t wire[2048];
	struct port *p = mkport("vm", NULL, NULL);
	json_t *js = json_object();
	int fd = peer_connect();
	size_t n = mkframe(wire, 1000, 4);

	(void)state;
	assert_int_equal(write(fd, wire, 500), 500);
	pump(3);
	close(fd);
	pump(3);
	assert_int_equal(n_rx, 0);
	assert_int_equal(p->state, PORT_DOWN);
	assert_int_equal(p->stats.drops[DROP_RX_ERROR], 1);
	(p->ops->info)(p, js);
	assert_int_equal(json_integer_value(json_object_get(js, "truncated")), 1);
	json_decref(js);
	/* the next peer starts clean: nothing of the old half frame is left */
	fd = peer_connect();
	assert_int_equal(write(fd, wire, n), (ssize_t)n);
	pump(3);
	assert_int_equal(n_rx, 1);
	assert_int_equal(rx_len[0], 1000);
	close(fd);
	port_destroy(p);
}

/* A second connection waits in the accept queue and gets the port when the first leaves. */
static void test_one_peer_at_a_time(void **state)
{
	uint8_t wire[128];
	struct port *p = mkport("vm", NULL, NULL);
	int a = peer_connect(), b;
	size_t n = mkframe(wire, 64, 7);

	(void)state;
	pump(2);
	b = peer_connect();
	assert_int_equal(write(b, wire, n), (ssize_t)n);
	pump(3);
	assert_int_equal(n_rx, 0); /* b is not the VM's link */
	close(a);
	pump(5);
	assert_int_equal(n_rx, 1);
	assert_int_equal(rx_first[0], 7);
	close(b);
	port_destroy(p);
}

static unsigned tx_frames(struct port *p, unsigned n, uint32_t len, uint16_t tci)
{
	struct pkt *pk[PKT_BATCH];
	uint16_t tcis[PKT_BATCH];
	unsigned sent = 0;

	assert_true(n <= PKT_BATCH);
	assert_int_equal(pkt_alloc_burst(dp.pool, pk, n), n);
	for (unsigned i = 0; i < n; i++) {
		uint8_t tmp[LENFRAME_HDR + 9000];

		mkframe(tmp, len, (uint8_t)i);
		memcpy(pk[i]->data, tmp + LENFRAME_HDR, len);
		pk[i]->size = len;
		tcis[i] = tci;
	}
	sent = p->ops->tx_burst(p, pk, tcis, n);
	pkt_free_burst(dp.pool, pk, n);
	return sent;
}

static void test_tx_and_vlan(void **state)
{
	uint8_t buf[4096];
	struct port *p = mkport("vm", NULL, NULL);
	int fd = peer_connect();
	ssize_t r;

	(void)state;
	pump(2);
	assert_int_equal(tx_frames(p, 1, 100, 0), 1);
	assert_int_equal(tx_frames(p, 1, 100, 42), 1);
	r = recv(fd, buf, 2 * LENFRAME_HDR + 100 + 104, MSG_WAITALL);
	assert_int_equal(r, 2 * LENFRAME_HDR + 100 + 104);
	assert_int_equal(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), -1); /* nothing more */
	assert_memory_equal(buf, "\0\0\0\x64", 4);
	assert_memory_equal(buf + LENFRAME_HDR + 100, "\0\0\0\x68", 4);
	/* tag after the MAC addresses */
	assert_memory_equal(buf + 2 * LENFRAME_HDR + 100 + 12, "\x81\x00\x00\x2a\x08\x00", 6);
	assert_int_equal(p->stats.tx_packets, 2);
	close(fd);
	port_destroy(p);
}

/* A peer that never reads: transmit never blocks, the backlog stays bounded, drops count. */
static void test_peer_never_reads(void **state)
{
	struct port *p = mkport("vm", NULL, "131072");
	int fd = peer_connect();
	json_t *js = json_object();
	unsigned sent = 0;

	(void)state;
	pump(2);
	for (unsigned i = 0; i < 200; i++) {
		sent += tx_frames(p, PKT_BATCH, 1514, 0);
		pump(1);
	}
	assert_true(sent < 200 * PKT_BATCH);
	assert_int_equal(p->stats.drops[DROP_TX_FULL], 200 * PKT_BATCH - sent);
	(p->ops->info)(p, js);
	assert_true(json_integer_value(json_object_get(js, "backlog")) <= 131072);
	assert_true(json_integer_value(json_object_get(js, "backlog_max")) <= 131072);
	assert_true(json_integer_value(json_object_get(js, "backlog_max")) > 0);
	json_decref(js);
	/* and once the peer reads, the backlog drains in frame order */
	{
		uint8_t b[LENFRAME_HDR + 1514];

		assert_int_equal(recv(fd, b, sizeof(b), MSG_WAITALL), (ssize_t)sizeof(b));
		assert_memory_equal(b, "\0\0\x05\xea", 4);
	}
	close(fd);
	pump(3);
	assert_int_equal(p->state, PORT_DOWN);
	port_destroy(p);
}

/* Client mode: vnetd connects, and reconnects after the peer goes away. */
static void test_client_reconnects(void **state)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), c;
	struct port *p;
	struct pollfd pfd;
	json_t *js;

	(void)state;
	strcpy(sa.sun_path, sock_path);
	p = mkport("vmc", "client", NULL); /* nothing listening yet */
	assert_int_equal(p->state, PORT_DOWN);
	assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(l, 4), 0);
	for (unsigned i = 0; i < 100 && p->state != PORT_UP; i++)
		pump(1); /* the first retry is due after 100 ms */
	assert_int_equal(p->state, PORT_UP);
	c = accept(l, NULL, NULL);
	assert_true(c >= 0);
	close(c); /* the peer restarts */
	for (unsigned i = 0; i < 20 && p->state == PORT_UP; i++)
		pump(1);
	assert_int_equal(p->state, PORT_DOWN);
	for (unsigned i = 0; i < 200 && p->state != PORT_UP; i++)
		pump(1);
	assert_int_equal(p->state, PORT_UP);
	c = accept4(l, NULL, NULL, SOCK_NONBLOCK); /* the reconnection */
	assert_true(c >= 0);
	pfd = (struct pollfd){ .fd = l, .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 0), 0); /* one connection, not one per retry */
	js = json_object();
	(p->ops->info)(p, js);
	assert_int_equal(json_integer_value(json_object_get(js, "connects")), 2);
	json_decref(js);
	close(c);
	close(l);
	port_destroy(p);
	unlink(sock_path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_qemu_arg_in_info),
		cmocka_unit_test(test_rx_split_runts_and_too_big),
		cmocka_unit_test(test_close_mid_frame),
		cmocka_unit_test(test_one_peer_at_a_time),
		cmocka_unit_test(test_tx_and_vlan),
		cmocka_unit_test(test_peer_never_reads),
		cmocka_unit_test(test_client_reconnects),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
