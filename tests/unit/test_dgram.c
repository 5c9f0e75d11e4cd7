// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_dgram.c - the dgram port type in-process, with the test playing QEMU
 * on a bound unix datagram socket: options and the QEMU argument, frames
 * both ways (one per datagram, VLAN tag inserted), runts, datagrams from a
 * socket other than peer= (dropped and counted), an over-long datagram, and
 * sending while QEMU's socket is not there.
 */
#include <errno.h>
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
#include "../../src/port/dgram.h"
#include "../../src/port/stream.h"

static struct dp dp;
static char dir[64], path[128], peer[128], other[128];
static unsigned n_rx;
static uint32_t rx_len[64];

static void capture(struct port *p, struct pkt **pkts, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (n_rx < ARRAY_SIZE(rx_len))
			rx_len[n_rx] = pkts[i]->size;
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
	snprintf(dir, sizeof(dir), "/tmp/test_dgram.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/vnet.sock", dir);
	snprintf(peer, sizeof(peer), "%s/qemu.sock", dir);
	snprintf(other, sizeof(other), "%s/other.sock", dir);
	dp.pool = pkt_pool_create(128);
	return !dp.pool || evloop_init(&dp.loop);
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	unlink(peer);
	unlink(other);
	rmdir(dir);
	evloop_fini(&dp.loop);
	pkt_pool_destroy(dp.pool);
	return 0;
}

static int bound(const char *p)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	strcpy(sa.sun_path, p);
	unlink(p);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void send_to_port(int fd, const void *buf, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	strcpy(sa.sun_path, path);
	assert_int_equal(sendto(fd, buf, len, 0, (struct sockaddr *)&sa, sizeof(sa)), (ssize_t)len);
}

static struct port *mkport(void)
{
	struct kv_list o = { 0 };
	char err[256] = "";
	struct port *p;

	kv_set(&o, "type", "dgram");
	kv_set(&o, "path", path);
	kv_set(&o, "peer", peer);
	p = port_create(&dp, "vm2", &o, err, sizeof(err));
	if (!p)
		fail_msg("port_create: %s", err);
	p->input = capture;
	n_rx = 0;
	return p;
}

static void test_options(void **state)
{
	struct kv_list o = { 0 };
	char err[256];

	(void)state;
	kv_set(&o, "type", "dgram");
	kv_set(&o, "path", "/a");
	assert_int_equal(port_validate(&o, err, sizeof(err)), -EINVAL);
	kv_set(&o, "peer", "/a");
	assert_int_equal(port_validate(&o, err, sizeof(err)), -EINVAL);
	kv_set(&o, "peer", "/b");
	assert_int_equal(port_validate(&o, err, sizeof(err)), 0);
}

static void test_both_ways(void **state)
{
	static uint8_t frame[9000], got[70000];
	struct port *p = mkport();
	int q = bound(peer), x = bound(other);
	struct pkt *pk;
	uint16_t tci = 7;
	json_t *js = json_object();
	char want[512];

	(void)state;
	assert_int_equal(p->state, PORT_UP);
	memset(frame, 0xab, sizeof(frame));
	send_to_port(q, frame, 60);
	send_to_port(q, frame, 9000); /* jumbo: no 1504-byte cap */
	send_to_port(q, frame, 10); /* runt */
	send_to_port(x, frame, 60); /* not QEMU's socket */
	pump(3);
	assert_int_equal(n_rx, 2);
	assert_int_equal(rx_len[0], 60);
	assert_int_equal(rx_len[1], 9000);
	assert_int_equal(p->stats.drops[DROP_RUNT], 1);
	assert_int_equal(p->stats.drops[DROP_RX_ERROR], 1);

	pk = pkt_alloc(dp.pool);
	memcpy(pk->data, frame, 100);
	pk->size = 100;
	assert_int_equal(p->ops->tx_burst(p, &pk, &tci, 1), 1);
	assert_int_equal(recv(q, got, sizeof(got), 0), 104);
	assert_memory_equal(got + 12, "\x81\x00\x00\x07", 4);
	pkt_free(dp.pool, pk);

	(p->ops->info)(p, js);
	assert_int_equal(json_integer_value(json_object_get(js, "foreign")), 1);
	snprintf(want, sizeof(want),
		 "-netdev dgram,id=vm2,local.type=unix,local.path=%s,remote.type=unix,"
		 "remote.path=%s -device virtio-net-pci,netdev=vm2",
		 peer, path);
	assert_string_equal(json_string_value(json_object_get(js, "qemu")), want);
	json_decref(js);
	close(q);
	close(x);
	port_destroy(p);
}

static void test_oversize_and_no_peer(void **state)
{
	static uint8_t big[STREAM_FRAME_MAX + 100];
	struct port *p = mkport();
	int q = bound(peer);
	struct pkt *pk;
	uint16_t tci = 0;
	int sz = 1 << 20;

	(void)state;
	setsockopt(q, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	send_to_port(q, big, sizeof(big));
	pump(3);
	assert_int_equal(n_rx, 0);
	assert_int_equal(p->stats.drops[DROP_OVERSIZE], 1);
	close(q);
	unlink(peer); /* QEMU is gone */
	pk = pkt_alloc(dp.pool);
	pk->size = 60;
	assert_int_equal(p->ops->tx_burst(p, &pk, &tci, 1), 0);
	assert_int_equal(p->stats.drops[DROP_PORT_DOWN], 1);
	pkt_free(dp.pool, pk);
	port_destroy(p);
	assert_int_equal(access(path, F_OK), -1);
}

static unsigned tx_n(struct port *p, unsigned n, uint8_t mark0)
{
	struct pkt *pk[PKT_BATCH];
	uint16_t tci[PKT_BATCH] = { 0 };
	unsigned sent;

	assert_int_equal(pkt_alloc_burst(dp.pool, pk, n), n);
	for (unsigned i = 0; i < n; i++) {
		memset(pk[i]->data, (uint8_t)(mark0 + i), 1000);
		pk[i]->size = 1000;
	}
	sent = p->ops->tx_burst(p, pk, tci, n);
	pkt_free_burst(dp.pool, pk, n);
	return sent;
}

/*
 * QEMU's socket holds only max_dgram_qlen datagrams: what does not fit waits in
 * the bounded backlog and arrives in order once QEMU reads; when QEMU restarts
 * (a new socket on the same path) the port connects to the new one.
 */
static void test_backlog_and_peer_restart(void **state)
{
	static uint8_t got[2048];
	struct port *p = mkport();
	int q = bound(peer);
	unsigned sent = 0, rcvd = 0;
	json_t *js = json_object();

	(void)state;
	for (unsigned b = 0; b < 4; b++)
		sent += tx_n(p, PKT_BATCH, (uint8_t)(b * PKT_BATCH));
	assert_int_equal(sent, 4 * PKT_BATCH); /* 128 kB: all fit the backlog */
	(p->ops->info)(p, js);
	assert_true(json_integer_value(json_object_get(js, "backlog")) > 0);
	json_decref(js);
	/* QEMU reads: the loop drains the backlog into it, in order */
	for (unsigned i = 0; i < 2000 && rcvd < sent; i++) {
		ssize_t r = recv(q, got, sizeof(got), MSG_DONTWAIT);

		if (r < 0) {
			pump(1);
			continue;
		}
		assert_int_equal(r, 1000);
		assert_int_equal(got[0], (uint8_t)rcvd);
		rcvd++;
	}
	assert_int_equal(rcvd, sent);
	assert_int_equal(p->stats.drops[DROP_TX_FULL], 0);

	/* QEMU restarts: the old socket is gone, a new one has the path */
	close(q);
	q = bound(peer);
	assert_int_equal(tx_n(p, 1, 0), 0); /* refused by the dead socket: counted, not queued */
	assert_int_equal(p->stats.drops[DROP_PORT_DOWN], 1);
	assert_int_equal(tx_n(p, 1, 0x55), 1); /* connected to the new one */
	assert_int_equal(recv(q, got, sizeof(got), 0), 1000);
	assert_int_equal(got[0], 0x55);
	close(q);
	port_destroy(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_both_ways),
		cmocka_unit_test(test_oversize_and_no_peer),
		cmocka_unit_test(test_backlog_and_peer_restart),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
