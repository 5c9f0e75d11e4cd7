// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_capture.c - live capture: the record stream a client reads, tags as on
 * the port's wire, count= and snaplen=, a full ring (drops counted, forwarding
 * untouched), stalled and abandoned clients, a bad token, the port going away.
 * Driven through dummy ports and the real epoll loop, with a test-set clock.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../src/base/dp.h"
#include "../../src/base/log.h"
#include "../../src/base/util.h"
#include "../../src/net/eth.h"
#include "../../src/port/dummy.h"
#include "../../src/switch/bridge.h"
#include "../../src/switch/capture.h"

static struct dp dp;
static char tmpdir[64];
static char sock_base[128];

static struct bridge *mkbr(void)
{
	struct kv_list kv = { 0 };
	char err[256] = "";
	struct bridge *br = bridge_create(&dp, "sw0", &kv, err, sizeof(err));

	assert_non_null(br);
	return br;
}

static void addp(struct bridge *br, const char *name, const char *vlan)
{
	struct kv_list kv = { 0 };
	char err[256] = "";

	kv_set(&kv, "type", "dummy");
	if (vlan)
		kv_set(&kv, "tag", vlan);
	if (bridge_port_add(br, name, &kv, err, sizeof(err)))
		fail_msg("port_add %s: %s", name, err);
}

static struct port *P(struct bridge *br, const char *name)
{
	struct port *p = bridge_port_find(br, name);

	assert_non_null(p);
	return p;
}

/* A broadcast of @size bytes from @port, tagged @vid unless -1. */
static void inject(struct bridge *br, const char *port, int vid, size_t size)
{
	static uint8_t f[2048];
	size_t o = 12;

	memset(f, 0, size);
	memset(f, 0xff, 6);
	assert_true(eth_mac_parse("02:00:00:00:00:0a", f + 6));
	if (vid >= 0) {
		f[o++] = 0x81;
		f[o++] = 0x00;
		f[o++] = (uint8_t)(vid >> 8);
		f[o++] = (uint8_t)vid;
	}
	f[o++] = 0x88;
	f[o++] = 0xb5;
	assert_int_equal(dummy_inject(P(br, port), f, size, NULL), 0);
}

static unsigned drain(struct bridge *br, const char *port)
{
	uint8_t f[2048];
	size_t sz;
	unsigned n = 0;

	while (dummy_capture_next(P(br, port), f, sizeof(f), &sz))
		n++;
	return n;
}

/* Run the loop until nothing is ready. */
static void pump(void)
{
	for (int i = 0; i < 64 && evloop_run_once(&dp.loop, 0) > 0; i++)
		;
}

static struct capture *find(struct bridge *br, unsigned id)
{
	for (unsigned i = 0; br->captures && i < CAPTURE_MAX; i++) {
		if (br->captures->cap[i] && br->captures->cap[i]->id == id)
			return br->captures->cap[i];
	}
	return NULL;
}

/* Start a capture and connect a client that sends @token (NULL: the right one). */
static int start(struct bridge *br, const char *port, unsigned dir, uint32_t snaplen,
		 uint64_t count, const char *token, struct capture_ticket *t)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char err[256] = "", line[64];
	int fd;

	if (capture_start(br, sock_base, port, dir, snaplen, count, t, err, sizeof(err)))
		fail_msg("capture_start: %s", err);
	assert_int_equal(find(br, t->id)->state, CAPTURE_LISTENING);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", t->path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	snprintf(line, sizeof(line), "%s\n", token ? token : t->token);
	assert_int_equal(write(fd, line, strlen(line)), (ssize_t)strlen(line));
	pump();
	return fd;
}

/* Read what is there (nonblocking) into @buf. Return: bytes; *@eof if the stream ended. */
static size_t slurp(int fd, uint8_t *buf, size_t size, bool *eof)
{
	size_t len = 0;

	*eof = false;
	while (len < size) {
		ssize_t n = recv(fd, buf + len, size - len, MSG_DONTWAIT);

		if (n == 0)
			*eof = true;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	return len;
}

/* The record at @off; advances @off past it. */
static const uint8_t *rec(const uint8_t *buf, size_t len, size_t *off, struct capture_rec *h)
{
	const uint8_t *payload;

	assert_true(*off + sizeof(*h) <= len);
	memcpy(h, buf + *off, sizeof(*h));
	payload = buf + *off + sizeof(*h);
	*off += sizeof(*h) + h->caplen;
	assert_true(*off <= len);
	return payload;
}

static void test_stream_and_tags(void **state)
{
	struct bridge *br = mkbr();
	struct capture_ticket t;
	struct capture_rec h;
	uint8_t buf[4096];
	const uint8_t *f;
	size_t len, off = 0;
	struct stat st;
	bool eof;
	int fd;

	(void)state;
	addp(br, "t1", NULL); /* trunk */
	addp(br, "a10", "10");
	assert_int_equal(br->tapped, 0);
	fd = start(br, "t1", CAPTURE_DIR_BOTH, CAPTURE_SNAPLEN_MAX, 0, NULL, &t);
	assert_int_equal(find(br, t.id)->state, CAPTURE_RUNNING);
	assert_int_equal(br->tapped, 1);
	assert_int_equal(br->tap[P(br, "t1")->idx], BRIDGE_TAP_CAP_IN | BRIDGE_TAP_CAP_OUT);
	assert_int_equal(stat(t.path, &st), -1); /* the listening socket is gone once connected */

	inject(br, "a10", -1, 100); /* leaves t1 tagged 10 */
	inject(br, "t1", 10, 104); /* arrives on t1 tagged 10 */
	pump();
	len = slurp(fd, buf, sizeof(buf), &eof);
	assert_false(eof);
	rec(buf, len, &off, &h);
	assert_int_equal(h.type, CAPTURE_REC_START);
	assert_int_equal(h.len, CAPTURE_SNAPLEN_MAX);
	f = rec(buf, len, &off, &h);
	assert_int_equal(h.type, CAPTURE_REC_FRAME);
	assert_int_equal(h.dir, CAPTURE_DIR_OUT);
	assert_int_equal(h.len, 104);
	assert_int_equal(h.caplen, 104);
	assert_true(h.ts_ns > 1600000000ull * NS_PER_S); /* wall clock, not monotonic */
	assert_memory_equal(f + 12, "\x81\x00\x00\x0a\x88\xb5", 6);
	f = rec(buf, len, &off, &h);
	assert_int_equal(h.dir, CAPTURE_DIR_IN);
	assert_int_equal(h.len, 104);
	assert_memory_equal(f + 12, "\x81\x00\x00\x0a\x88\xb5", 6);
	assert_int_equal(off, len);
	assert_int_equal(find(br, t.id)->frames, 2);

	/* the client hangs up: the capture ends, the fast path is back */
	close(fd);
	pump();
	assert_null(find(br, t.id));
	assert_int_equal(br->tapped, 0);
	assert_int_equal(br->captures->completed, 1);
	bridge_destroy(br);
}

static void test_count_and_snaplen(void **state)
{
	struct bridge *br = mkbr();
	struct capture_ticket t;
	struct capture_rec h;
	struct capture_rec_end e;
	uint8_t buf[4096];
	size_t len, off = 0;
	bool eof;
	int fd;

	(void)state;
	addp(br, "p1", NULL);
	addp(br, "p2", NULL);
	fd = start(br, "p1", CAPTURE_DIR_IN, 64, 2, NULL, &t);
	for (int i = 0; i < 3; i++)
		inject(br, "p1", -1, 100);
	assert_int_equal(drain(br, "p2"), 3); /* forwarding is not the capture's business */
	pump();
	len = slurp(fd, buf, sizeof(buf), &eof);
	assert_true(eof); /* closed after the END record */
	rec(buf, len, &off, &h);
	assert_int_equal(h.type, CAPTURE_REC_START);
	for (int i = 0; i < 2; i++) {
		rec(buf, len, &off, &h);
		assert_int_equal(h.type, CAPTURE_REC_FRAME);
		assert_int_equal(h.caplen, 64);
		assert_int_equal(h.len, 100);
	}
	memcpy(&e, rec(buf, len, &off, &h), sizeof(e));
	assert_int_equal(h.type, CAPTURE_REC_END);
	assert_int_equal(e.frames, 2);
	assert_int_equal(e.reason, CAPTURE_END_COUNT);
	assert_int_equal(off, len);
	assert_null(find(br, t.id));
	assert_int_equal(br->tapped, 0);
	close(fd);
	bridge_destroy(br);
}

static void test_full_ring_and_stall(void **state)
{
	struct bridge *br = mkbr();
	struct capture_ticket t;
	struct capture *c;
	unsigned n = 0;
	uint8_t *buf;
	size_t len;
	bool eof;
	int fd;

	(void)state;
	addp(br, "p1", NULL);
	addp(br, "p2", NULL);
	fd = start(br, "p1", CAPTURE_DIR_BOTH, CAPTURE_SNAPLEN_MAX, 0, NULL, &t);
	c = find(br, t.id);
	/* a client that reads nothing: more than the ring and the socket buffer */
	for (unsigned i = 0; i < 2 * CAPTURE_RING_SIZE / 1500; i++) {
		inject(br, "p1", -1, 1500);
		n += drain(br, "p2");
		pump();
	}
	assert_int_equal(n, 2 * CAPTURE_RING_SIZE / 1500); /* every frame forwarded */
	assert_true(c->dropped > 0);
	assert_int_equal(c->state, CAPTURE_RUNNING);
	assert_int_equal(br->captures->dropped, c->dropped);
	/* not yet stalled, then stalled */
	dp.now_ns += (CAPTURE_STALL_S - 1) * NS_PER_S;
	capture_tick(br, dp.now_ns);
	assert_non_null(find(br, t.id));
	dp.now_ns += 2 * NS_PER_S;
	capture_tick(br, dp.now_ns);
	assert_null(find(br, t.id));
	assert_int_equal(br->captures->stalled, 1);
	assert_int_equal(br->tapped, 0);
	/* the client finds what the socket held, then the end */
	buf = malloc(CAPTURE_RING_SIZE);
	assert_non_null(buf);
	len = slurp(fd, buf, CAPTURE_RING_SIZE, &eof);
	assert_true(len > 0);
	assert_true(eof);
	free(buf);
	close(fd);
	bridge_destroy(br);
}

static void test_abandoned_and_bad_token(void **state)
{
	struct bridge *br = mkbr();
	struct capture_ticket t, t2;
	char err[256];
	struct stat st;
	int fd;

	(void)state;
	addp(br, "p1", NULL);
	assert_int_equal(capture_start(br, sock_base, "nosuch", CAPTURE_DIR_IN, 100, 0, &t, err,
				       sizeof(err)),
			 -ENOENT);
	assert_int_equal(capture_start(br, sock_base, "p1", 0, 100, 0, &t, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(capture_start(br, "", "p1", CAPTURE_DIR_IN, 100, 0, &t, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(
		capture_start(br, sock_base, "p1", CAPTURE_DIR_IN, 100, 0, &t, err, sizeof(err)),
		0);
	assert_int_equal(stat(t.path, &st), 0);
	assert_int_equal(br->tapped, 0); /* nothing is captured before a client is there */
	fd = start(br, "p1", CAPTURE_DIR_IN, 100, 0, "0123456789abcdef0123456789abcdef", &t2);
	assert_null(find(br, t2.id)); /* wrong token: closed and gone */
	close(fd);
	dp.now_ns += (CAPTURE_CONNECT_S + 1) * NS_PER_S;
	capture_tick(br, dp.now_ns);
	assert_null(find(br, t.id));
	assert_int_equal(br->captures->abandoned, 1);
	assert_int_equal(stat(t.path, &st), -1);
	for (int i = 0; i < CAPTURE_MAX; i++)
		assert_int_equal(capture_start(br, sock_base, "p1", CAPTURE_DIR_IN, 100, 0, &t, err,
					       sizeof(err)),
				 0);
	assert_int_equal(
		capture_start(br, sock_base, "p1", CAPTURE_DIR_IN, 100, 0, &t, err, sizeof(err)),
		-ENOSPC);
	bridge_destroy(br); /* closes and unlinks all of them */
	assert_int_equal(stat(t.path, &st), -1);
}

static void test_port_gone(void **state)
{
	struct bridge *br = mkbr();
	struct capture_ticket t;
	struct capture_rec h;
	struct capture_rec_end e;
	uint8_t buf[4096];
	size_t len, off = 0;
	bool eof;
	int fd;

	(void)state;
	addp(br, "p1", NULL);
	addp(br, "p2", NULL);
	fd = start(br, "p2", CAPTURE_DIR_OUT, 128, 0, NULL, &t);
	inject(br, "p1", -1, 100);
	assert_int_equal(bridge_port_del(br, "p2"), 0);
	assert_int_equal(br->tapped, 0);
	addp(br, "p3", NULL); /* may reuse p2's index: not captured */
	inject(br, "p1", -1, 100);
	pump();
	len = slurp(fd, buf, sizeof(buf), &eof);
	assert_true(eof);
	rec(buf, len, &off, &h);
	assert_int_equal(h.type, CAPTURE_REC_START);
	rec(buf, len, &off, &h);
	assert_int_equal(h.type, CAPTURE_REC_FRAME);
	memcpy(&e, rec(buf, len, &off, &h), sizeof(e));
	assert_int_equal(h.type, CAPTURE_REC_END);
	assert_int_equal(e.reason, CAPTURE_END_PORT_GONE);
	assert_int_equal(e.frames, 1);
	close(fd);
	bridge_destroy(br);
}

static int setup(void **state)
{
	(void)state;
	log_set_level(LOG_LVL_ERR);
	dp.pool = pkt_pool_create(256);
	dp.now_ns = 1000 * NS_PER_S;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_capture.XXXXXX");
	if (!dp.pool || evloop_init(&dp.loop) < 0 || !mkdtemp(tmpdir))
		return -1;
	snprintf(sock_base, sizeof(sock_base), "%s/ctl.sock", tmpdir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	evloop_fini(&dp.loop);
	pkt_pool_destroy(dp.pool);
	return rmdir(tmpdir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream_and_tags),
		cmocka_unit_test(test_count_and_snaplen),
		cmocka_unit_test(test_full_ring_and_stall),
		cmocka_unit_test(test_abandoned_and_bad_token),
		cmocka_unit_test(test_port_gone),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
