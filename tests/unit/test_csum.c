// SPDX-License-Identifier: GPL-2.0-or-later
/* test_csum.c - RFC 1071 checksum against known vectors and a naive reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../src/base/pkt.h"
#include "../../src/net/csum.h"

/* Reference: 16-bit big-endian words, one at a time. Return: the checksum, host order. */
static uint16_t ref_csum(const uint8_t *b, size_t n, uint32_t sum)
{
	uint64_t s = sum;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* The library's checksum as the big-endian value it puts on the wire. */
static uint16_t lib_csum(const void *b, size_t n)
{
	uint16_t c = csum_fold(csum_partial(b, n, 0));
	uint8_t w[2];

	memcpy(w, &c, 2);
	return (uint16_t)(w[0] << 8 | w[1]);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint8_t rnd8(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint8_t)(rng_state >> 24);
}

static void test_rfc1071_example(void **state)
{
	/* RFC 1071 section 3: the sum of these words is ddf2, so the checksum is 220d */
	static const uint8_t b[8] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

	(void)state;
	assert_int_equal(lib_csum(b, sizeof(b)), 0x220d);
	assert_int_equal(ref_csum(b, sizeof(b), 0), 0x220d);
}

static void test_ipv4_header(void **state)
{
	/* a captured IPv4 header: 192.168.0.1 -> 192.168.0.199, UDP, checksum b861 */
	uint8_t h[20] = { 0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			  0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7 };

	(void)state;
	assert_int_equal(lib_csum(h, 20), 0); /* a correct header sums to all ones */
	h[10] = h[11] = 0;
	assert_int_equal(lib_csum(h, 20), 0xb861);
}

static void test_fold(void **state)
{
	(void)state;
	assert_int_equal(csum_fold(0), 0xffff);
	assert_int_equal(csum_fold(0xffff), 0);
	assert_int_equal(csum_fold(0x10000), 0xfffe); /* end-around carry */
	assert_int_equal(csum_fold(0xffffffff), 0);
}

/* Every length 0..600 at every alignment 0..7, with and without a starting sum. */
static void test_against_reference(void **state)
{
	static uint8_t buf[700];

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = rnd8();
	for (size_t align = 0; align < 8; align++) {
		for (size_t n = 0; n <= 600; n++) {
			assert_int_equal(lib_csum(buf + align, n), ref_csum(buf + align, n, 0));
		}
	}
	/* a starting sum is added in memory order: 0x1234 as bytes 12 34 */
	{
		uint8_t w[2] = { 0x12, 0x34 };
		uint16_t v;
		uint16_t c;

		memcpy(&v, w, 2);
		c = csum_fold(csum_partial(buf, 99, v));
		memcpy(w, &c, 2);
		assert_int_equal(w[0] << 8 | w[1], ref_csum(buf, 99, 0x1234));
	}
	/* all-ones data maximises carries */
	memset(buf, 0xff, sizeof(buf));
	for (size_t n = 0; n <= 600; n += 7)
		assert_int_equal(lib_csum(buf, n), ref_csum(buf, n, 0));
	assert_int_equal(csum_fold(csum_partial(buf, 600, 0xffffffffu)),
			 csum_fold(csum_partial(buf, 600, 0xffff)));
}

static void test_large_and_split(void **state)
{
	size_t n = 65600;
	uint8_t *b = malloc(n);
	uint32_t s;

	(void)state;
	assert_non_null(b);
	for (size_t i = 0; i < n; i++)
		b[i] = rnd8();
	assert_int_equal(lib_csum(b, n), ref_csum(b, n, 0));
	/* sums of even-length pieces chain into the sum of the whole */
	s = csum_partial(b, 1000, 0);
	s = csum_partial(b + 1000, 34, s);
	s = csum_partial(b + 1034, n - 1034 - 1, s);
	assert_int_equal(csum_fold(s), csum_fold(csum_partial(b, n - 1, 0)));
	free(b);
}

/*
 * An IPv4/UDP or TCP frame in @p with NEEDS_CSUM and the pseudo-header sum in
 * the check field, as Linux sends it. Return: the L4 offset.
 */
static uint32_t build_partial(struct pkt *p, uint8_t proto, size_t payload)
{
	uint8_t *d = p->data;
	uint32_t l4 = 34, hl = proto == 6 ? 20 : 8, l4_size = hl + (uint32_t)payload;
	uint16_t coff = proto == 6 ? 16 : 6;
	uint8_t ph[12] = { 10, 0, 0, 1, 10, 0, 0, 2, 0, proto };
	uint16_t pseudo;

	memset(d, 0, 34 + hl);
	d[12] = 0x08;
	d[14] = 0x45;
	d[23] = proto;
	memcpy(d + 26, ph, 8);
	for (size_t i = 0; i < payload; i++)
		d[l4 + hl + i] = rnd8();
	d[l4] = 0x30;
	d[l4 + 3] = 0x35;
	if (proto == 6) {
		d[l4 + 12] = 0x50;
		d[l4 + 13] = 0x18;
	} else {
		d[l4 + 4] = (uint8_t)(l4_size >> 8);
		d[l4 + 5] = (uint8_t)l4_size;
	}
	ph[10] = (uint8_t)(l4_size >> 8);
	ph[11] = (uint8_t)l4_size;
	pseudo = (uint16_t)~ref_csum(ph, 12, 0); /* folded, not complemented */
	d[l4 + coff] = (uint8_t)(pseudo >> 8);
	d[l4 + coff + 1] = (uint8_t)pseudo;
	p->size = l4 + l4_size;
	p->vnet = (struct virtio_net_hdr){ .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
					   .csum_start = (uint16_t)l4,
					   .csum_offset = coff };
	return l4;
}

/* Does the L4 checksum of IPv4 frame @p verify against an independently built pseudo-header? */
static bool l4_verifies(const struct pkt *p, uint32_t l4, uint8_t proto)
{
	uint8_t ph[12];
	uint32_t l4_size = p->size - l4;
	uint16_t ps;

	memcpy(ph, p->data + 26, 8);
	ph[8] = 0;
	ph[9] = proto;
	ph[10] = (uint8_t)(l4_size >> 8);
	ph[11] = (uint8_t)l4_size;
	ps = (uint16_t)~ref_csum(ph, 12, 0);
	return ref_csum(p->data + l4, l4_size, ps) == 0;
}

static void test_complete_pkt(void **state)
{
	struct pkt_pool *pool = pkt_pool_create(1);
	struct pkt *p;
	uint32_t l4;

	(void)state;
	assert_non_null(pool);
	p = pkt_alloc(pool);
	assert_non_null(p);
	for (size_t payload = 0; payload < 1500; payload += 111) {
		l4 = build_partial(p, 6, payload);
		assert_false(l4_verifies(p, l4, 6));
		assert_true(csum_complete_pkt(p));
		assert_true(l4_verifies(p, l4, 6));
		assert_false(pkt_needs_csum(p));

		l4 = build_partial(p, 17, payload);
		assert_true(csum_complete_pkt(p));
		assert_true(l4_verifies(p, l4, 17));
	}
	/* without NEEDS_CSUM there is nothing to do */
	l4 = build_partial(p, 6, 100);
	p->vnet.flags = 0;
	assert_true(csum_complete_pkt(p));
	assert_false(l4_verifies(p, l4, 6));
	pkt_free(pool, p);
	pkt_pool_destroy(pool);
}

static void test_complete_pkt_bad_offsets(void **state)
{
	struct pkt_pool *pool = pkt_pool_create(1);
	struct pkt *p;
	uint8_t before[200];

	(void)state;
	assert_non_null(pool);
	p = pkt_alloc(pool);
	assert_non_null(p);
	build_partial(p, 17, 100);
	memcpy(before, p->data, p->size);
	p->vnet.csum_start = (uint16_t)(p->size - 7);
	p->vnet.csum_offset = 6; /* the field would end one byte past the frame */
	assert_false(csum_complete_pkt(p));
	assert_true(pkt_needs_csum(p));
	assert_memory_equal(before, p->data, p->size);
	p->vnet.csum_start = 0xffff;
	p->vnet.csum_offset = 0xffff;
	assert_false(csum_complete_pkt(p));
	p->vnet.csum_start = (uint16_t)(p->size - 8);
	assert_true((uint32_t)p->vnet.csum_start + 6 + 2 == p->size);
	p->vnet.csum_offset = 6;
	assert_true(csum_complete_pkt(p));
	pkt_free(pool, p);
	pkt_pool_destroy(pool);
}

/* A checksum that computes to 0 is sent as ffff: for UDP, 0 means "none". */
static void test_complete_pkt_zero(void **state)
{
	struct pkt_pool *pool = pkt_pool_create(1);
	struct pkt *p;
	uint32_t l4;
	uint16_t sum;

	(void)state;
	assert_non_null(pool);
	p = pkt_alloc(pool);
	assert_non_null(p);
	l4 = build_partial(p, 17, 20);
	/* make the last payload word bring the sum to exactly ffff */
	p->data[p->size - 2] = p->data[p->size - 1] = 0;
	sum = (uint16_t)~ref_csum(p->data + l4, p->size - l4, 0);
	sum = (uint16_t)(0xffff - sum);
	p->data[p->size - 2] = (uint8_t)(sum >> 8);
	p->data[p->size - 1] = (uint8_t)sum;
	assert_int_equal(ref_csum(p->data + l4, p->size - l4, 0), 0);
	assert_true(csum_complete_pkt(p));
	assert_int_equal(p->data[l4 + 6], 0xff);
	assert_int_equal(p->data[l4 + 7], 0xff);
	assert_true(l4_verifies(p, l4, 17));
	pkt_free(pool, p);
	pkt_pool_destroy(pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc1071_example),
		cmocka_unit_test(test_ipv4_header),
		cmocka_unit_test(test_fold),
		cmocka_unit_test(test_against_reference),
		cmocka_unit_test(test_large_and_split),
		cmocka_unit_test(test_complete_pkt),
		cmocka_unit_test(test_complete_pkt_bad_offsets),
		cmocka_unit_test(test_complete_pkt_zero),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
