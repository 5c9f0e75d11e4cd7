// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_lenframe.c - the stream de-framer: frames split anywhere, many frames
 * in one chunk, runts (lengths 0 and 1), a length over the maximum (70000),
 * compaction of a partial frame, and the "frames left" predicate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../src/net/lenframe.h"

#define MAXF 65553
#define CAP (MAXF + LENFRAME_HDR)

static uint8_t buf[CAP];

/* prefix + @len bytes of pattern @seed into @out; Return: bytes written */
static size_t mk(uint8_t *out, uint32_t len, uint8_t seed)
{
	lenframe_put_hdr(out, len);
	for (uint32_t i = 0; i < len; i++)
		out[LENFRAME_HDR + i] = (uint8_t)(seed + i);
	return LENFRAME_HDR + len;
}

static void feed(struct lenframe_rx *r, const uint8_t *in, size_t n)
{
	size_t room;
	uint8_t *dst = lenframe_rx_space(r, &room);

	assert_true(room >= n);
	memcpy(dst, in, n);
	lenframe_rx_commit(r, n);
}

static void test_init_checks_capacity(void **state)
{
	struct lenframe_rx r;

	(void)state;
	assert_false(lenframe_rx_init(&r, buf, MAXF, MAXF));
	assert_true(lenframe_rx_init(&r, buf, CAP, MAXF));
}

static void test_byte_by_byte(void **state)
{
	static uint8_t wire[2 * (LENFRAME_HDR + 1500)];
	struct lenframe_rx r;
	const uint8_t *f;
	uint32_t len;
	size_t n = mk(wire, 1500, 7), got = 0;

	(void)state;
	n += mk(wire + n, 60, 99);
	assert_true(lenframe_rx_init(&r, buf, CAP, MAXF));
	for (size_t i = 0; i < n; i++) {
		feed(&r, wire + i, 1);
		if (lenframe_rx_next(&r, &f, &len) == LENFRAME_FRAME) {
			if (got == 0) {
				assert_int_equal(len, 1500);
				assert_int_equal(f[0], 7);
				assert_int_equal(f[1499], (uint8_t)(7 + 1499));
				assert_int_equal(i, LENFRAME_HDR + 1500 - 1);
			} else {
				assert_int_equal(len, 60);
				assert_int_equal(f[59], (uint8_t)(99 + 59));
			}
			got++;
		}
	}
	assert_int_equal(got, 2);
	assert_int_equal(lenframe_rx_pending(&r), 0);
}

static void test_many_in_one_chunk(void **state)
{
	static uint8_t wire[100 * (LENFRAME_HDR + 64)];
	struct lenframe_rx r;
	const uint8_t *f;
	uint32_t len;
	size_t n = 0;
	unsigned got = 0;

	(void)state;
	for (unsigned i = 0; i < 100; i++)
		n += mk(wire + n, 64, (uint8_t)i);
	assert_true(lenframe_rx_init(&r, buf, CAP, MAXF));
	feed(&r, wire, n);
	while (lenframe_rx_next(&r, &f, &len) == LENFRAME_FRAME) {
		assert_int_equal(len, 64);
		assert_int_equal(f[0], (uint8_t)got);
		got++;
	}
	assert_int_equal(got, 100);
	assert_false(lenframe_rx_ready(&r));
}

static void test_runts_keep_sync(void **state)
{
	uint8_t wire[64];
	struct lenframe_rx r;
	const uint8_t *f;
	uint32_t len;
	size_t n = 0;

	(void)state;
	n += mk(wire + n, 0, 0);
	n += mk(wire + n, 1, 0);
	n += mk(wire + n, 20, 5);
	assert_true(lenframe_rx_init(&r, buf, CAP, MAXF));
	feed(&r, wire, n);
	assert_int_equal(lenframe_rx_next(&r, &f, &len), LENFRAME_RUNT_FRAME);
	assert_int_equal(len, 0);
	assert_int_equal(lenframe_rx_next(&r, &f, &len), LENFRAME_RUNT_FRAME);
	assert_int_equal(len, 1);
	assert_int_equal(lenframe_rx_next(&r, &f, &len), LENFRAME_FRAME);
	assert_int_equal(len, 20);
	assert_int_equal(f[0], 5);
	assert_int_equal(lenframe_rx_next(&r, &f, &len), LENFRAME_NEED_MORE);
}

static void test_too_big(void **state)
{
	uint8_t wire[LENFRAME_HDR + 8] = { 0 };
	struct lenframe_rx r;
	const uint8_t *f;
	uint32_t len;

	(void)state;
	lenframe_put_hdr(wire, 70000);
	assert_true(lenframe_rx_init(&r, buf, CAP, MAXF));
	feed(&r, wire, 3);
	assert_false(lenframe_rx_ready(&r));
	assert_int_equal(lenframe_rx_next(&r, &f, &len), LENFRAME_NEED_MORE);
	feed(&r, wire + 3, sizeof(wire) - 3);
	assert_true(lenframe_rx_ready(&r));
	assert_int_equal(lenframe_rx_next(&r, &f, &len), LENFRAME_TOO_BIG);
	assert_int_equal(len, 70000);
	/* nothing consumed: it stays an error until the caller resets */
	assert_int_equal(lenframe_rx_next(&r, &f, &len), LENFRAME_TOO_BIG);
	lenframe_rx_reset(&r);
	assert_int_equal(lenframe_rx_pending(&r), 0);
	/* the largest frame is still fine */
	lenframe_put_hdr(wire, MAXF);
	feed(&r, wire, LENFRAME_HDR);
	assert_int_equal(lenframe_rx_next(&r, &f, &len), LENFRAME_NEED_MORE);
}

/* A maximal frame that begins late in the buffer is moved to the front and completes. */
static void test_compaction(void **state)
{
	static uint8_t wire[2 * CAP];
	struct lenframe_rx r;
	const uint8_t *f;
	uint32_t len;
	size_t n = 0, off = 0, room;

	(void)state;
	n += mk(wire, 30000, 1);
	n += mk(wire + n, MAXF, 2);
	assert_true(lenframe_rx_init(&r, buf, CAP, MAXF));
	/* fill as a socket would: as much as there is room for */
	while (off < n) {
		uint8_t *dst = lenframe_rx_space(&r, &room);
		size_t k = room < n - off ? room : n - off;
		enum lenframe_status st;

		assert_true(room > 0);
		memcpy(dst, wire + off, k);
		lenframe_rx_commit(&r, k);
		off += k;
		while ((st = lenframe_rx_next(&r, &f, &len)) == LENFRAME_FRAME) {
			if (len == MAXF) {
				assert_int_equal(f[0], 2);
				assert_int_equal(f[MAXF - 1], (uint8_t)(2 + MAXF - 1));
				assert_int_equal(off, n);
			} else {
				assert_int_equal(len, 30000);
			}
		}
		assert_int_equal(st, LENFRAME_NEED_MORE);
	}
	assert_int_equal(lenframe_rx_pending(&r), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_checks_capacity),
		cmocka_unit_test(test_byte_by_byte),
		cmocka_unit_test(test_many_in_one_chunk),
		cmocka_unit_test(test_runts_keep_sync),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_compaction),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
