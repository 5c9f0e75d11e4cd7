// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_uplink.c - the uplink port's pure parts: backend= parsing, the TSO segment size clamp
 * to the NIC's MTU, and the partial-checksum detection for AF_XDP frames, checked against an
 * independent one's-complement reference.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../src/base/pkt.h"
#include "../../src/net/csum.h"
#include "../../src/net/gso.h"
#include "../../src/port/uplink.h"

#define POOL_N 128

static struct pkt_pool *pool;
static struct pkt *pk;

static void put16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Reference: the 16-bit one's-complement sum of big-endian words, folded, not complemented. */
static uint16_t ref_sum(const uint8_t *b, size_t n, uint32_t sum)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	if (n & 1)
		sum += (uint32_t)b[n - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * Build Ethernet + IPv4/IPv6 + TCP/UDP with @payload bytes into pk; @tagged adds an
 * 802.1Q tag. Return: the L4 offset.
 */
static uint32_t build(bool ipv6, uint8_t proto, uint32_t payload, bool tagged, uint32_t tcp_opts)
{
	uint8_t *f = pk->data;
	uint32_t o = 12, l3, l4, l4len = (proto == 6 ? 20 + tcp_opts : 8) + payload;

	pkt_reset(pk);
	f = pk->data;
	memset(f, 0, 2000);
	memcpy(f, "\x52\x54\x00\x00\x00\x01\x52\x54\x00\x00\x00\x02", 12);
	if (tagged) {
		put16(f + o, 0x8100);
		put16(f + o + 2, 10);
		o += 4;
	}
	put16(f + o, ipv6 ? 0x86dd : 0x0800);
	l3 = o + 2;
	if (ipv6) {
		f[l3] = 0x60;
		put16(f + l3 + 4, l4len);
		f[l3 + 6] = proto;
		f[l3 + 7] = 64;
		for (int i = 0; i < 32; i++)
			f[l3 + 8 + i] = (uint8_t)(0x20 + i);
		l4 = l3 + 40;
	} else {
		f[l3] = 0x45;
		put16(f + l3 + 2, 20 + l4len);
		f[l3 + 8] = 64;
		f[l3 + 9] = proto;
		memcpy(f + l3 + 12, "\x0a\x37\x00\x01\x0a\x37\x00\x64", 8);
		l4 = l3 + 20;
	}
	put16(f + l4, 40000);
	put16(f + l4 + 2, 80);
	if (proto == 6)
		f[l4 + 12] = (uint8_t)((20 + tcp_opts) / 4 << 4);
	else
		put16(f + l4 + 4, l4len);
	for (uint32_t i = 0; i < payload; i++)
		f[l4 + l4len - payload + i] = (uint8_t)(i * 7 + 3);
	pk->size = l4 + l4len;
	return l4;
}

/* The pseudo-header sum for the frame just built, by the reference. */
static uint16_t ref_pseudo(bool ipv6, uint32_t l4)
{
	const uint8_t *f = pk->data;
	uint32_t l3 = ipv6 ? l4 - 40 : l4 - 20, len = pk->size - l4;
	uint8_t tail[4] = { 0, (uint8_t)(ipv6 ? f[l3 + 6] : f[l3 + 9]), (uint8_t)(len >> 8),
			    (uint8_t)len };
	uint16_t s = ref_sum(f + l3 + (ipv6 ? 8 : 12), ipv6 ? 32 : 8, 0);

	return ref_sum(tail, 4, s);
}

static void test_backend_parse(void **state)
{
	enum uplink_backend b;

	(void)state;
	assert_true(uplink_parse_backend(NULL, &b));
	assert_int_equal(b, UPLINK_AUTO);
	assert_true(uplink_parse_backend("afxdp", &b));
	assert_int_equal(b, UPLINK_AFXDP);
	assert_true(uplink_parse_backend("afpacket", &b));
	assert_int_equal(b, UPLINK_AFPACKET);
	assert_true(uplink_parse_backend("auto", &b));
	assert_int_equal(b, UPLINK_AUTO);
	assert_false(uplink_parse_backend("", &b));
	assert_false(uplink_parse_backend("AF_XDP", &b));
	assert_false(uplink_parse_backend("afxdp ", &b));
	assert_string_equal(uplink_backend_name(UPLINK_AFPACKET), "afpacket");
	assert_string_equal(uplink_backend_name(UPLINK_NONE), "none");
}

static void test_gso_size_clamp(void **state)
{
	(void)state;
	/* IPv4 TCP, 20-byte header: 1500 leaves 1460 */
	build(false, 6, 30000, false, 0);
	pk->vnet.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	pk->vnet.gso_size = 8948;
	assert_int_equal(uplink_gso_size(pk, 1500), 1460);
	/* already small enough: unchanged */
	pk->vnet.gso_size = 1200;
	assert_int_equal(uplink_gso_size(pk, 1500), 1200);
	/* TCP options count: 32-byte TCP header leaves 1448 */
	build(false, 6, 30000, false, 12);
	pk->vnet.gso_size = 8948;
	assert_int_equal(uplink_gso_size(pk, 1500), 1448);
	/* the tag does not eat into the L3 MTU */
	build(false, 6, 30000, true, 12);
	pk->vnet.gso_size = 8948;
	assert_int_equal(uplink_gso_size(pk, 1500), 1448);
	/* IPv6: 40 + 20 */
	build(true, 6, 30000, false, 0);
	pk->vnet.gso_size = 9000;
	assert_int_equal(uplink_gso_size(pk, 1500), 1440);
	/* UDP (USO): 20 + 8 */
	build(false, 17, 30000, false, 0);
	pk->vnet.gso_size = 9000;
	assert_int_equal(uplink_gso_size(pk, 1500), 1472);
	/* headers fill the MTU: cannot be sent */
	build(false, 6, 3000, false, 0);
	pk->vnet.gso_size = 1000;
	assert_int_equal(uplink_gso_size(pk, 40), 0);
	assert_int_equal(uplink_gso_size(pk, 68), 28);
	/* no gso_size, or no L4 header to be found */
	pk->vnet.gso_size = 0;
	assert_int_equal(uplink_gso_size(pk, 1500), 0);
	pk->size = 30;
	pk->vnet.gso_size = 1000;
	assert_int_equal(uplink_gso_size(pk, 1500), 0);
}

static void check_partial(bool ipv6, uint8_t proto, bool tagged)
{
	uint32_t l4 = build(ipv6, proto, 333, tagged, 0);
	uint32_t coff = proto == 6 ? 16 : 6;
	uint16_t ph = ref_pseudo(ipv6, l4), full;

	/* Linux's checksum offload: the folded pseudo-header sum in the field */
	put16(pk->data + l4 + coff, ph);
	assert_true(uplink_mark_partial_csum(pk));
	assert_int_equal(pk->vnet.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(pk->vnet.csum_start, l4);
	assert_int_equal(pk->vnet.csum_offset, coff);
	/* completing it gives the reference checksum */
	assert_true(csum_complete_pkt(pk));
	put16(pk->data + l4 + coff, 0);
	full = (uint16_t)~ref_sum(pk->data + l4, pk->size - l4, ph);
	if (proto == 17 && full == 0)
		full = 0xffff;
	pk->data[l4 + coff] = (uint8_t)(full >> 8);
	pk->data[l4 + coff + 1] = (uint8_t)full;
	/* a complete checksum is left alone */
	pk->vnet = (struct virtio_net_hdr){ 0 };
	assert_false(uplink_mark_partial_csum(pk));
	assert_int_equal(pk->vnet.flags, 0);
}

static void test_partial_csum(void **state)
{
	(void)state;
	check_partial(false, 6, false);
	check_partial(false, 17, false);
	check_partial(true, 6, false);
	check_partial(true, 17, false);
	check_partial(false, 6, true);
}

static void test_partial_csum_left_alone(void **state)
{
	uint32_t l4;

	(void)state;
	/* fragments are not touched */
	l4 = build(false, 6, 100, false, 0);
	put16(pk->data + l4 + 16, ref_pseudo(false, l4));
	pk->data[14 + 6] = 0x20; /* MF */
	assert_false(uplink_mark_partial_csum(pk));
	/* frames that already carry offload flags are not touched */
	l4 = build(false, 6, 100, false, 0);
	put16(pk->data + l4 + 16, ref_pseudo(false, l4));
	pk->vnet.flags = VIRTIO_NET_HDR_F_DATA_VALID;
	assert_false(uplink_mark_partial_csum(pk));
	/* UDP without a checksum */
	l4 = build(false, 17, 100, false, 0);
	put16(pk->data + l4 + 6, 0);
	assert_false(uplink_mark_partial_csum(pk));
	/* an IPv4 length past the frame */
	l4 = build(false, 6, 100, false, 0);
	put16(pk->data + l4 + 16, ref_pseudo(false, l4));
	put16(pk->data + 14 + 2, 1400);
	assert_false(uplink_mark_partial_csum(pk));
	/* not IP */
	build(false, 6, 100, false, 0);
	put16(pk->data + 12, 0x88b5);
	assert_false(uplink_mark_partial_csum(pk));
	/* runt */
	pk->size = 10;
	assert_false(uplink_mark_partial_csum(pk));
}

/* A TCP/IPv4 segment with valid checksums (or a partial one) in a fresh buffer. */
static struct pkt *seg(uint32_t seq, uint32_t payload, uint8_t flags, uint16_t sport, bool partial)
{
	struct pkt *save = pk, *p = pkt_alloc(pool);
	uint32_t l4;
	uint16_t ph, c;

	assert_non_null(p);
	pk = p;
	l4 = build(false, 6, payload, false, 12);
	pk = save;
	put16(p->data + l4, sport);
	p->data[l4 + 4] = (uint8_t)(seq >> 24);
	p->data[l4 + 5] = (uint8_t)(seq >> 16);
	p->data[l4 + 6] = (uint8_t)(seq >> 8);
	p->data[l4 + 7] = (uint8_t)seq;
	p->data[l4 + 8] = 0x11; /* ack */
	p->data[l4 + 13] = flags;
	put16(p->data + l4 + 14, 500); /* window */
	memcpy(p->data + l4 + 20, "\x01\x01\x08\x0a\x00\x00\x00\x07\x00\x00\x00\x09", 12);
	put16(p->data + 14 + 4, seq & 0xffff); /* IP id varies */
	put16(p->data + 14 + 10, (uint16_t)~ref_sum(p->data + 14, 20, 0));
	{
		/* ref_sum(ip) with the checksum field 0 at the time of summing */
		uint8_t ip[20];

		memcpy(ip, p->data + 14, 20);
		ip[10] = ip[11] = 0;
		put16(p->data + 14 + 10, (uint16_t)~ref_sum(ip, 20, 0));
	}
	pk = p;
	ph = ref_pseudo(false, l4);
	pk = save;
	c = partial ? ph : (uint16_t)~ref_sum(p->data + l4, p->size - l4, ph);
	put16(p->data + l4 + 16, c);
	if (partial) {
		p->vnet.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		p->vnet.csum_start = (uint16_t)l4;
		p->vnet.csum_offset = 16;
	}
	return p;
}

static uint32_t seq_of(const struct pkt *p)
{
	const uint8_t *t = p->data + 34;

	return (uint32_t)t[4] << 24 | (uint32_t)t[5] << 16 | (uint32_t)t[6] << 8 | t[7];
}

static void check_gro_roundtrip(bool partial)
{
	struct pkt *in[8], *orig[8], *segs[16];
	uint8_t expect[8][1500];
	unsigned n, k;

	for (unsigned i = 0; i < 5; i++) {
		in[i] = seg(1000 + i * 1000, i == 4 ? 400 : 1000, i == 4 ? 0x18 : 0x10, 40000,
			    partial);
		memcpy(expect[i], in[i]->data + 66, in[i]->size - 66);
		orig[i] = in[i];
	}
	n = uplink_gro_burst(pool, in, 5);
	assert_int_equal(n, 1);
	assert_ptr_equal(in[0], orig[0]);
	assert_int_equal(in[0]->size, 66 + 4400);
	assert_int_equal(in[0]->vnet.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(in[0]->vnet.gso_size, 1000);
	assert_int_equal(in[0]->vnet.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(in[0]->vnet.csum_start, 34);
	assert_int_equal(in[0]->data[34 + 13] & 0x08, 0x08); /* the last one's PSH */
	/* segmenting it again gives back the original segments */
	k = gso_segment(in[0], pool, segs, 16);
	assert_int_equal(k, 5);
	for (unsigned i = 0; i < k; i++) {
		uint32_t len = i == 4 ? 400 : 1000;

		assert_int_equal(segs[i]->size, 66 + len);
		assert_int_equal(seq_of(segs[i]), 1000 + i * 1000);
		assert_memory_equal(segs[i]->data + 66, expect[i], len);
		/* checksums complete and valid */
		assert_int_equal(ref_sum(segs[i]->data + 14, 20, 0), 0xffff);
		pk = segs[i];
		assert_int_equal(
			ref_sum(segs[i]->data + 34, segs[i]->size - 34, ref_pseudo(false, 34)),
			0xffff);
	}
	pkt_free_burst(pool, segs, k);
	pkt_free(pool, in[0]);
}

static void test_gro_merge(void **state)
{
	struct pkt *save = pk;

	(void)state;
	check_gro_roundtrip(false);
	check_gro_roundtrip(true);
	pk = save;
	assert_int_equal(pool->n_free, POOL_N - 1);
}

static void test_gro_refuses(void **state)
{
	struct pkt *in[8];
	unsigned n;

	(void)state;
	/* a gap in the sequence, a SYN, another flow in between, a bad checksum */
	in[0] = seg(1000, 1000, 0x10, 40000, false);
	in[1] = seg(3000, 1000, 0x10, 40000, false); /* gap */
	in[2] = seg(4000, 1000, 0x12, 40000, false); /* SYN|ACK */
	in[3] = seg(5000, 1000, 0x10, 40000, false);
	in[4] = seg(1000, 1000, 0x10, 40001, false); /* other flow */
	in[5] = seg(6000, 1000, 0x10, 40000, false);
	in[6] = seg(7000, 1000, 0x10, 40000, false);
	in[6]->data[100] ^= 0x55; /* damaged */
	struct pkt *orig[7];

	memcpy(orig, in, sizeof(orig));
	n = uplink_gro_burst(pool, in, 7);
	assert_int_equal(n, 7);
	for (unsigned i = 0; i < 7; i++) {
		assert_ptr_equal(in[i], orig[i]);
		assert_int_equal(in[i]->vnet.gso_type, 0);
	}
	pkt_free_burst(pool, in, n);
	/* a short segment ends a merge: the next one stays separate */
	in[0] = seg(1000, 1000, 0x10, 40000, false);
	in[1] = seg(2000, 500, 0x10, 40000, false);
	in[2] = seg(2500, 1000, 0x10, 40000, false);
	n = uplink_gro_burst(pool, in, 3);
	assert_int_equal(n, 2);
	assert_int_equal(in[0]->size, 66 + 1500);
	assert_int_equal(seq_of(in[1]), 2500);
	pkt_free_burst(pool, in, n);
	assert_int_equal(pool->n_free, POOL_N - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backend_parse),
		cmocka_unit_test(test_gso_size_clamp),
		cmocka_unit_test(test_partial_csum),
		cmocka_unit_test(test_partial_csum_left_alone),
		cmocka_unit_test(test_gro_merge),
		cmocka_unit_test(test_gro_refuses),
	};
	int rc;

	pool = pkt_pool_create(POOL_N);

	pk = pkt_alloc(pool);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	pkt_free(pool, pk);
	pkt_pool_destroy(pool);
	return rc;
}
