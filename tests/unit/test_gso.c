// SPDX-License-Identifier: GPL-2.0-or-later
/* test_gso.c - software TSO/UFO/UDP-GSO checked field by field against independent references. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../src/base/pkt.h"
#include "../../src/net/gso.h"

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif

#define POOL_N 64
#define SEG_MAX 64
#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_ECE 0x40
#define TCP_CWR 0x80

/**
 * struct spec - a super-frame to build
 * @ipv6:     IPv6, else IPv4
 * @tagged:   carry an 802.1Q tag in the frame
 * @proto:    6 or 17
 * @payload:  L4 payload bytes
 * @gso_type: VIRTIO_NET_HDR_GSO_*
 * @gso_size: MSS (or fragment payload for UFO)
 * @flags:    TCP flags
 * @seq:      TCP sequence number
 * @linux_partial: put the pseudo-header sum with the super-frame length in the
 *            check field, as Linux does; else a pseudo-header without length, as Windows
 */
struct spec {
	bool ipv6;
	bool tagged;
	uint8_t proto;
	uint32_t payload;
	uint8_t gso_type;
	uint16_t gso_size;
	uint8_t flags;
	uint32_t seq;
	bool linux_partial;
};

/**
 * struct built - where the headers of a built frame are
 */
struct built {
	uint32_t l3;
	uint32_t l4;
	uint32_t hl;
};

static struct pkt_pool *pool;
static uint64_t rng_state = 0x243f6a8885a308d3ull;

static uint8_t rnd8(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint8_t)(rng_state >> 24);
}

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

/* Reference one's-complement sum, big-endian words, not complemented, folded. */
static uint16_t ref_sum(const uint8_t *b, size_t n, uint32_t sum)
{
	uint64_t s = sum;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += get16(b + i);
	if (n & 1)
		s += (uint32_t)b[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* Pseudo-header sum (big-endian domain) for an L4 part of @l4_size bytes. */
static uint16_t ref_pseudo(const uint8_t *l3, bool ipv6, uint8_t proto, uint32_t l4_size)
{
	uint32_t s = ipv6 ? ref_sum(l3 + 8, 32, 0) : ref_sum(l3 + 12, 8, 0);

	return ref_sum(NULL, 0, s + proto + l4_size);
}

/* Does the L4 checksum of the datagram/segment at @l4 verify? */
static bool ref_l4_ok(const uint8_t *l3, bool ipv6, uint8_t proto, const uint8_t *l4,
		      uint32_t l4_size)
{
	return ref_sum(l4, l4_size, ref_pseudo(l3, ipv6, proto, l4_size)) == 0xffff;
}

static struct built build(struct pkt *p, const struct spec *s)
{
	struct built b = { 0 };
	uint8_t *d = p->data;
	uint32_t l4_hlen = s->proto == 6 ? 32 : 8;
	uint32_t l3_hlen = s->ipv6 ? 40 : 20;
	uint32_t l4_size = l4_hlen + s->payload;
	uint16_t partial;
	uint8_t *ip, *l4;

	memset(d, 0, 128);
	memcpy(d, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	b.l3 = 14;
	if (s->tagged) {
		put16(d + 12, 0x8100);
		put16(d + 14, 0x6064);
		b.l3 = 18;
	}
	put16(d + b.l3 - 2, s->ipv6 ? 0x86dd : 0x0800);
	ip = d + b.l3;
	b.l4 = b.l3 + l3_hlen;
	b.hl = b.l4 + l4_hlen;
	l4 = d + b.l4;
	if (s->ipv6) {
		ip[0] = 0x60;
		put16(ip + 4, l4_size);
		ip[6] = s->proto;
		ip[7] = 64;
		memcpy(ip + 8, "\xfd\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xab\xcd\x00\x01",
		       16);
		memcpy(ip + 24, "\xfd\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xab\xcd\x00\x02",
		       16);
	} else {
		ip[0] = 0x45;
		put16(ip + 2, l3_hlen + l4_size);
		put16(ip + 4, 0xfff0); /* ids wrap during the test */
		put16(ip + 6, 0x4000);
		ip[8] = 64;
		ip[9] = s->proto;
		memcpy(ip + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
		put16(ip + 10, (uint16_t)~ref_sum(ip, 20, 0));
	}
	put16(l4, 40000);
	put16(l4 + 2, 5201);
	if (s->proto == 6) {
		put32(l4 + 4, s->seq);
		put32(l4 + 8, 0x01020304);
		l4[12] = 8 << 4;
		l4[13] = s->flags;
		put16(l4 + 14, 512);
		memcpy(l4 + 20, "\x01\x01\x08\x0a\x00\x00\x10\x00\x00\x00\x20\x00", 12);
	} else {
		put16(l4 + 4, l4_size);
	}
	for (uint32_t i = 0; i < s->payload; i++)
		d[b.hl + i] = rnd8();
	p->size = b.hl + s->payload;
	partial = s->linux_partial ? ref_pseudo(ip, s->ipv6, s->proto, l4_size)
				   : ref_pseudo(ip, s->ipv6, s->proto, 0);
	put16(l4 + (s->proto == 6 ? 16 : 6), partial);
	p->vnet = (struct virtio_net_hdr){
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = s->gso_type,
		.hdr_len = (uint16_t)b.hl,
		.gso_size = s->gso_size,
		.csum_start = (uint16_t)b.l4,
		.csum_offset = s->proto == 6 ? 16 : 6,
	};
	p->vlan = 100;
	p->pcp = 3;
	p->in_port = 7;
	return b;
}

static bool vnet_is_zero(const struct pkt *s)
{
	static const struct virtio_net_hdr zero;

	return memcmp(&s->vnet, &zero, sizeof(zero)) == 0;
}

static void check_meta(const struct pkt *s)
{
	assert_true(vnet_is_zero(s));
	assert_int_equal(s->vlan, 100);
	assert_int_equal(s->pcp, 3);
	assert_int_equal(s->in_port, 7);
}

/* IPv4 header of segment @i of @n: valid checksum, length, and id / fragment fields. */
static void check_ipv4(const uint8_t *ip, const uint8_t *orig_ip, uint32_t l3_size, uint16_t id,
		       uint16_t frag)
{
	assert_int_equal(ref_sum(ip, 20, 0), 0xffff);
	assert_int_equal(get16(ip + 2), l3_size);
	assert_int_equal(get16(ip + 4), id);
	assert_int_equal(get16(ip + 6), frag);
	assert_memory_equal(ip + 8, orig_ip + 8, 2);
	assert_memory_equal(ip + 12, orig_ip + 12, 8);
}

static void run_tcp(const struct spec *sp)
{
	struct pkt *p = pkt_alloc(pool), *seg[SEG_MAX];
	uint32_t free_before = pool->n_free;
	struct built b;
	unsigned n, want;
	uint32_t off = 0;

	assert_non_null(p);
	b = build(p, sp);
	want = sp->payload ? (sp->payload + sp->gso_size - 1) / sp->gso_size : 1;
	n = gso_segment(p, pool, seg, SEG_MAX);
	assert_int_equal(n, want);
	assert_int_equal(pool->n_free, free_before - n);
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *d = seg[i]->data, *ip = d + b.l3, *th = d + b.l4;
		uint32_t chunk = i == n - 1 ? sp->payload - off : sp->gso_size;
		uint8_t flags = sp->flags;

		assert_int_equal(seg[i]->size, b.hl + chunk);
		check_meta(seg[i]);
		assert_memory_equal(d, p->data, b.l3); /* L2, tag included */
		if (sp->ipv6) {
			assert_int_equal(get16(ip + 4), seg[i]->size - b.l3 - 40);
			assert_memory_equal(ip + 6, p->data + b.l3 + 6, 34);
		} else {
			check_ipv4(ip, p->data + b.l3, seg[i]->size - b.l3, (uint16_t)(0xfff0 + i),
				   0x4000);
		}
		assert_int_equal(get32(th + 4), sp->seq + off);
		assert_memory_equal(th + 8, p->data + b.l4 + 8, 4); /* ack */
		if (i != 0)
			flags &= (uint8_t)~TCP_CWR;
		if (i != n - 1)
			flags &= (uint8_t) ~(TCP_FIN | TCP_PSH);
		assert_int_equal(th[13], flags);
		assert_memory_equal(th + 20, p->data + b.l4 + 20, 12); /* options */
		assert_true(ref_l4_ok(ip, sp->ipv6, 6, th, seg[i]->size - b.l4));
		assert_memory_equal(d + b.hl, p->data + b.hl + off, chunk);
		off += chunk;
	}
	assert_int_equal(off, sp->payload);
	pkt_free_burst(pool, seg, n);
	pkt_free(pool, p);
	assert_int_equal(pool->n_free, POOL_N);
}

static void test_tcpv4_64k(void **state)
{
	struct spec sp = { .proto = 6,
			   .payload = 64000,
			   .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
			   .gso_size = 1448,
			   .flags = TCP_ACK | TCP_PSH | TCP_FIN | TCP_CWR | TCP_ECE,
			   .seq = 0xffff0000, /* wraps during the burst */
			   .linux_partial = true };

	(void)state;
	run_tcp(&sp); /* 44 full segments and one of 288 bytes */
	sp.gso_type |= VIRTIO_NET_HDR_GSO_ECN;
	sp.linux_partial = false; /* the guest's partial sum must not matter */
	sp.flags = TCP_ACK;
	run_tcp(&sp);
}

static void test_tcpv6_64k(void **state)
{
	struct spec sp = { .ipv6 = true,
			   .tagged = true,
			   .proto = 6,
			   .payload = 64000,
			   .gso_type = VIRTIO_NET_HDR_GSO_TCPV6,
			   .gso_size = 1448,
			   .flags = TCP_ACK | TCP_PSH | TCP_CWR,
			   .seq = 12345,
			   .linux_partial = true };

	(void)state;
	run_tcp(&sp);
	sp.payload = 1448 * 10; /* no short last segment */
	run_tcp(&sp);
}

static void test_tcp_single_and_empty(void **state)
{
	struct spec sp = { .proto = 6,
			   .payload = 1000,
			   .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
			   .gso_size = 1448,
			   .flags = TCP_ACK | TCP_PSH | TCP_FIN | TCP_CWR,
			   .seq = 1,
			   .linux_partial = true };

	(void)state;
	run_tcp(&sp); /* one segment keeps every flag */
	sp.payload = 0;
	run_tcp(&sp);
	sp.payload = 1449;
	sp.ipv6 = true;
	sp.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	run_tcp(&sp);
}

/* UFO: IPv4 fragments of one datagram; reassemble and verify the UDP checksum. */
static void test_ufo(void **state)
{
	struct spec sp = { .proto = 17,
			   .tagged = true,
			   .payload = 8000,
			   .gso_type = VIRTIO_NET_HDR_GSO_UDP,
			   .gso_size = 1483, /* fragments carry 1480, a multiple of 8 */
			   .linux_partial = true };
	struct pkt *p = pkt_alloc(pool), *seg[SEG_MAX];
	uint32_t dgram = 8 + sp.payload, off = 0;
	uint8_t *re = malloc(dgram);
	struct built b;
	unsigned n;

	(void)state;
	assert_non_null(p);
	assert_non_null(re);
	b = build(p, &sp);
	n = gso_segment(p, pool, seg, SEG_MAX);
	assert_int_equal(n, (dgram + 1479) / 1480);
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *d = seg[i]->data;
		uint32_t chunk = seg[i]->size - b.l4;

		check_meta(seg[i]);
		assert_memory_equal(d, p->data, b.l3);
		assert_int_equal(chunk, i == n - 1 ? dgram - off : 1480);
		check_ipv4(d + b.l3, p->data + b.l3, 20 + chunk, 0xfff0,
			   (uint16_t)(off / 8 | (i == n - 1 ? 0 : 0x2000)));
		memcpy(re + off, d + b.l4, chunk);
		off += chunk;
	}
	assert_int_equal(off, dgram);
	assert_int_equal(get16(re + 4), dgram);
	assert_true(ref_l4_ok(p->data + b.l3, false, 17, re, dgram));
	assert_memory_equal(re + 8, p->data + b.hl, sp.payload);
	pkt_free_burst(pool, seg, n);

	/* a datagram that fits in one fragment is sent whole, DF kept */
	sp.payload = 1000;
	b = build(p, &sp);
	assert_int_equal(gso_segment(p, pool, seg, SEG_MAX), 1);
	check_ipv4(seg[0]->data + b.l3, p->data + b.l3, 20 + 8 + 1000, 0xfff0, 0x4000);
	assert_true(ref_l4_ok(seg[0]->data + b.l3, false, 17, seg[0]->data + b.l4, 1008));
	pkt_free(pool, seg[0]);
	pkt_free(pool, p);
	free(re);
	assert_int_equal(pool->n_free, POOL_N);
}

static void run_udp_l4(bool ipv6)
{
	struct spec sp = { .ipv6 = ipv6,
			   .proto = 17,
			   .payload = 30000,
			   .gso_type = VIRTIO_NET_HDR_GSO_UDP_L4,
			   .gso_size = 1400,
			   .linux_partial = true };
	struct pkt *p = pkt_alloc(pool), *seg[SEG_MAX];
	uint32_t off = 0;
	struct built b;
	unsigned n;

	assert_non_null(p);
	b = build(p, &sp);
	n = gso_segment(p, pool, seg, SEG_MAX);
	assert_int_equal(n, (sp.payload + 1399) / 1400);
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *d = seg[i]->data, *uh = d + b.l4;
		uint32_t chunk = i == n - 1 ? sp.payload - off : 1400;

		check_meta(seg[i]);
		assert_int_equal(seg[i]->size, b.hl + chunk);
		if (ipv6)
			assert_int_equal(get16(d + b.l3 + 4), 8 + chunk);
		else
			check_ipv4(d + b.l3, p->data + b.l3, 20 + 8 + chunk, (uint16_t)(0xfff0 + i),
				   0x4000);
		assert_memory_equal(uh, p->data + b.l4, 4); /* ports */
		assert_int_equal(get16(uh + 4), 8 + chunk);
		assert_true(get16(uh + 6) != 0);
		assert_true(ref_l4_ok(d + b.l3, ipv6, 17, uh, 8 + chunk));
		assert_memory_equal(d + b.hl, p->data + b.hl + off, chunk);
		off += chunk;
	}
	assert_int_equal(off, sp.payload);
	pkt_free_burst(pool, seg, n);
	pkt_free(pool, p);
	assert_int_equal(pool->n_free, POOL_N);
}

static void test_udp_l4(void **state)
{
	(void)state;
	run_udp_l4(false);
	run_udp_l4(true);
}

/* A UDP checksum that computes to 0 goes out as ffff: 0 would mean "no checksum". */
static void test_udp_zero_csum(void **state)
{
	struct spec sp = { .proto = 17,
			   .payload = 100,
			   .gso_type = VIRTIO_NET_HDR_GSO_UDP_L4,
			   .gso_size = 1000,
			   .linux_partial = true };
	struct pkt *p = pkt_alloc(pool), *seg[SEG_MAX];
	struct built b;
	uint16_t c;

	(void)state;
	assert_non_null(p);
	b = build(p, &sp);
	p->data[p->size - 2] = p->data[p->size - 1] = 0;
	assert_int_equal(gso_segment(p, pool, seg, SEG_MAX), 1);
	c = get16(seg[0]->data + b.l4 + 6);
	pkt_free(pool, seg[0]);
	/* the last word now brings the sum to exactly ffff: the checksum becomes 0 */
	put16(p->data + p->size - 2, c);
	assert_int_equal(gso_segment(p, pool, seg, SEG_MAX), 1);
	assert_int_equal(get16(seg[0]->data + b.l4 + 6), 0xffff);
	assert_true(ref_l4_ok(seg[0]->data + b.l3, false, 17, seg[0]->data + b.l4, 108));
	pkt_free(pool, seg[0]);
	pkt_free(pool, p);
	assert_int_equal(pool->n_free, POOL_N);
}

/* Too few buffers or too small an output array: 0, and nothing stays allocated. */
static void test_exhaustion(void **state)
{
	struct spec sp = { .proto = 6,
			   .payload = 64000,
			   .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
			   .gso_size = 1448,
			   .flags = TCP_ACK,
			   .linux_partial = true };
	struct pkt *p = pkt_alloc(pool), *seg[SEG_MAX], *hold[POOL_N];
	uint64_t exhausted = pool->n_exhausted;
	unsigned n_hold;

	(void)state;
	assert_non_null(p);
	build(p, &sp);
	/* leave 20 free buffers for a burst that needs 45 */
	n_hold = pkt_alloc_burst(pool, hold, pool->n_free - 20);
	assert_int_equal(pool->n_free, 20);
	assert_int_equal(gso_segment(p, pool, seg, SEG_MAX), 0);
	assert_int_equal(pool->n_free, 20);
	assert_true(pool->n_exhausted > exhausted);
	pkt_free_burst(pool, hold, n_hold);

	assert_int_equal(gso_segment(p, pool, seg, 44), 0);
	assert_int_equal(pool->n_free, POOL_N - 1);
	assert_int_equal(gso_segment(p, pool, seg, 45), 45);
	pkt_free_burst(pool, seg, 45);
	pkt_free(pool, p);
	assert_int_equal(pool->n_free, POOL_N);
}

static void test_refused(void **state)
{
	struct spec sp = { .proto = 17,
			   .payload = 3000,
			   .gso_type = VIRTIO_NET_HDR_GSO_UDP_L4,
			   .gso_size = 1000,
			   .linux_partial = true };
	struct pkt *p = pkt_alloc(pool), *seg[SEG_MAX];

	(void)state;
	assert_non_null(p);
	build(p, &sp);
	assert_int_equal(gso_segment(p, pool, seg, SEG_MAX), 3);
	pkt_free_burst(pool, seg, 3);
	p->vnet.gso_type = VIRTIO_NET_HDR_GSO_NONE; /* not a super-frame */
	assert_int_equal(gso_segment(p, pool, seg, SEG_MAX), 0);
	p->vnet.gso_type = VIRTIO_NET_HDR_GSO_TCPV4; /* TSO of a UDP frame */
	assert_int_equal(gso_segment(p, pool, seg, SEG_MAX), 0);
	p->vnet.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
	p->vnet.gso_size = 0;
	assert_int_equal(gso_segment(p, pool, seg, SEG_MAX), 0);
	p->vnet.gso_size = 1000;
	p->vnet.flags = 0;
	assert_int_equal(gso_segment(p, pool, seg, SEG_MAX), 0);
	p->vnet.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	p->size = 20; /* runt */
	assert_int_equal(gso_segment(p, pool, seg, SEG_MAX), 0);
	pkt_free(pool, p);
	assert_int_equal(pool->n_free, POOL_N);
}

static int setup(void **state)
{
	(void)state;
	pool = pkt_pool_create(POOL_N);
	return pool ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	pkt_pool_destroy(pool);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcpv4_64k),
		cmocka_unit_test(test_tcpv6_64k),
		cmocka_unit_test(test_tcp_single_and_empty),
		cmocka_unit_test(test_ufo),
		cmocka_unit_test(test_udp_l4),
		cmocka_unit_test(test_udp_zero_csum),
		cmocka_unit_test(test_exhaustion),
		cmocka_unit_test(test_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
