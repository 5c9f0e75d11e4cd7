// SPDX-License-Identifier: GPL-2.0-or-later
/* test_frame.c - frame_parse() edge cases and frame_check_vnet() acceptance rules. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../src/net/frame.h"

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5
#endif

#define BUF_SIZE 4096

/* A frame under construction: headers are appended one after the other. */
struct tframe {
	uint8_t b[BUF_SIZE];
	size_t size;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void t_eth(struct tframe *f, uint16_t type)
{
	memset(f->b, 0, sizeof(f->b));
	memcpy(f->b, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01", 12);
	put16(f->b + 12, type);
	f->size = 14;
}

static void t_tag(struct tframe *f, uint16_t tci, uint16_t next)
{
	put16(f->b + f->size, tci);
	put16(f->b + f->size + 2, next);
	f->size += 4;
}

static void t_ipv4(struct tframe *f, uint8_t proto, unsigned ihl, uint16_t frag_off)
{
	uint8_t *ip = f->b + f->size;

	ip[0] = (uint8_t)(0x40 | ihl);
	put16(ip + 2, 0); /* frame_parse does not read the total length */
	put16(ip + 6, frag_off);
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	f->size += ihl * 4;
}

static void t_ipv6(struct tframe *f, uint8_t nh)
{
	uint8_t *ip = f->b + f->size;

	ip[0] = 0x60;
	ip[6] = nh;
	ip[7] = 64;
	ip[8] = 0xfd;
	ip[23] = 1;
	ip[24] = 0xfd;
	ip[39] = 2;
	f->size += 40;
}

/* IPv6 extension header of (len8 + 1) * 8 bytes */
static void t_ext6(struct tframe *f, uint8_t nh, uint8_t len8)
{
	f->b[f->size] = nh;
	f->b[f->size + 1] = len8;
	f->size += ((size_t)len8 + 1) * 8;
}

static void t_tcp(struct tframe *f, unsigned doff)
{
	f->b[f->size + 12] = (uint8_t)(doff << 4);
	f->b[f->size + 13] = 0x10;
	f->size += doff * 4;
}

static void t_udp(struct tframe *f)
{
	f->size += 8;
}

static void t_payload(struct tframe *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		f->b[f->size + i] = (uint8_t)i;
	f->size += n;
}

static void test_runt(void **state)
{
	struct frame_info fi;
	uint8_t b[14] = { 0 };

	(void)state;
	assert_int_equal(frame_parse(b, 0, &fi), FRAME_RUNT);
	assert_int_equal(frame_parse(b, 13, &fi), FRAME_RUNT);
	b[12] = 0x08;
	b[13] = 0x06;
	assert_int_equal(frame_parse(b, 14, &fi), FRAME_OK);
	assert_int_equal(fi.ethertype, 0x0806);
	assert_int_equal(fi.l3_off, 14);
	assert_int_equal(fi.n_tags, 0);
	assert_false(fi.is_ipv4);
}

static void test_trunc_tag(void **state)
{
	struct tframe f;
	struct frame_info fi;

	(void)state;
	t_eth(&f, 0x8100);
	assert_int_equal(frame_parse(f.b, 14, &fi), FRAME_TRUNC_VLAN);
	assert_int_equal(frame_parse(f.b, 17, &fi), FRAME_TRUNC_VLAN);
	t_tag(&f, 0x0005, 0x88a8); /* a second TPID with nothing after it */
	assert_int_equal(frame_parse(f.b, 18, &fi), FRAME_TRUNC_VLAN);
	assert_int_equal(frame_parse(f.b, 21, &fi), FRAME_TRUNC_VLAN);
	t_tag(&f, 0x0006, 0x0800);
	assert_int_equal(frame_parse(f.b, 22, &fi), FRAME_OK);
	assert_int_equal(fi.n_tags, 2);
	assert_int_equal(fi.l3_off, 22);
	assert_false(fi.is_ipv4); /* no room for an IP header */
}

static void test_stacked_tags(void **state)
{
	struct tframe f;
	struct frame_info fi;

	(void)state;
	t_eth(&f, 0x88a8);
	t_tag(&f, 0x2064, 0x8100);
	t_tag(&f, 0xe00a, 0x0800);
	t_ipv4(&f, 17, 5, 0);
	t_udp(&f);
	t_payload(&f, 10);
	assert_int_equal(frame_parse(f.b, f.size, &fi), FRAME_OK);
	assert_int_equal(fi.n_tags, 2);
	assert_int_equal(fi.tpid[0], 0x88a8);
	assert_int_equal(fi.tci[0], 0x2064);
	assert_int_equal(fi.tpid[1], 0x8100);
	assert_int_equal(fi.tci[1], 0xe00a);
	assert_int_equal(fi.ethertype, 0x0800);
	assert_int_equal(fi.l3_off, 22);
	assert_true(fi.is_ipv4);
	assert_int_equal(fi.l3_proto, 17);
	assert_int_equal(fi.l4_off, 42);
	assert_int_equal(fi.l4_hlen, 8);

	/* 0x9100 is a TPID too, and a third tag is refused */
	t_eth(&f, 0x9100);
	t_tag(&f, 1, 0x8100);
	t_tag(&f, 2, 0x8100);
	t_tag(&f, 3, 0x0800);
	assert_int_equal(frame_parse(f.b, f.size, &fi), FRAME_TOO_MANY_TAGS);
}

static void test_bad_ipv4(void **state)
{
	struct tframe f;
	struct frame_info fi;

	(void)state;
	/* IHL below 5 */
	t_eth(&f, 0x0800);
	t_ipv4(&f, 6, 5, 0);
	f.b[14] = 0x44;
	t_tcp(&f, 5);
	assert_int_equal(frame_parse(f.b, f.size, &fi), FRAME_OK);
	assert_false(fi.is_ipv4);
	assert_int_equal(fi.l3_proto, 0);
	assert_int_equal(fi.l4_off, 0);

	/* IHL 15 past the end of the frame */
	f.b[14] = 0x4f;
	assert_int_equal(frame_parse(f.b, 14 + 59, &fi), FRAME_OK);
	assert_false(fi.is_ipv4);

	/* wrong version under EtherType IPv4 */
	f.b[14] = 0x65;
	assert_int_equal(frame_parse(f.b, f.size, &fi), FRAME_OK);
	assert_false(fi.is_ipv4);
	assert_false(fi.is_ipv6);

	/* a header one byte short */
	f.b[14] = 0x45;
	assert_int_equal(frame_parse(f.b, 33, &fi), FRAME_OK);
	assert_false(fi.is_ipv4);
	assert_int_equal(frame_parse(f.b, 34, &fi), FRAME_OK);
	assert_true(fi.is_ipv4);
	assert_int_equal(fi.l4_off, 0); /* no room for TCP */
}

static void test_ipv4_options_and_fragments(void **state)
{
	struct tframe f;
	struct frame_info fi;

	(void)state;
	t_eth(&f, 0x0800);
	t_ipv4(&f, 6, 6, 0x4000);
	t_tcp(&f, 5);
	assert_int_equal(frame_parse(f.b, f.size, &fi), FRAME_OK);
	assert_true(fi.is_ipv4);
	assert_int_equal(fi.l4_off, 14 + 24);
	assert_int_equal(fi.l4_hlen, 20);

	/* first fragment (MF, offset 0) still starts with the L4 header */
	t_eth(&f, 0x0800);
	t_ipv4(&f, 17, 5, 0x2000);
	t_udp(&f);
	assert_int_equal(frame_parse(f.b, f.size, &fi), FRAME_OK);
	assert_int_equal(fi.l4_off, 34);

	/* a later fragment does not */
	put16(f.b + 14 + 6, 0x0001);
	assert_int_equal(frame_parse(f.b, f.size, &fi), FRAME_OK);
	assert_true(fi.is_ipv4);
	assert_int_equal(fi.l3_proto, 17);
	assert_int_equal(fi.l4_off, 0);
	assert_int_equal(fi.l4_hlen, 0);
}

static void test_tcp_header_length(void **state)
{
	struct tframe f;
	struct frame_info fi;

	(void)state;
	t_eth(&f, 0x0800);
	t_ipv4(&f, 6, 5, 0);
	t_tcp(&f, 8); /* 12 bytes of options */
	assert_int_equal(frame_parse(f.b, f.size, &fi), FRAME_OK);
	assert_int_equal(fi.l4_off, 34);
	assert_int_equal(fi.l4_hlen, 32);
	/* options cut short */
	assert_int_equal(frame_parse(f.b, f.size - 1, &fi), FRAME_OK);
	assert_int_equal(fi.l4_hlen, 0);
	assert_int_equal(fi.l4_off, 0);
	/* data offset below 5 */
	f.b[34 + 12] = 0x40;
	assert_int_equal(frame_parse(f.b, f.size, &fi), FRAME_OK);
	assert_int_equal(fi.l4_hlen, 0);
	/* data offset 15 beyond the frame */
	f.b[34 + 12] = 0xf0;
	assert_int_equal(frame_parse(f.b, f.size, &fi), FRAME_OK);
	assert_int_equal(fi.l4_hlen, 0);
	/* a truncated fixed header */
	f.b[34 + 12] = 0x50;
	assert_int_equal(frame_parse(f.b, 34 + 19, &fi), FRAME_OK);
	assert_int_equal(fi.l4_hlen, 0);
	assert_int_equal(frame_parse(f.b, 34 + 20, &fi), FRAME_OK);
	assert_int_equal(fi.l4_hlen, 20);
}

static void test_udp_icmp(void **state)
{
	struct tframe f;
	struct frame_info fi;

	(void)state;
	t_eth(&f, 0x0800);
	t_ipv4(&f, 17, 5, 0);
	t_udp(&f);
	assert_int_equal(frame_parse(f.b, f.size - 1, &fi), FRAME_OK);
	assert_int_equal(fi.l4_hlen, 0);
	assert_int_equal(frame_parse(f.b, f.size, &fi), FRAME_OK);
	assert_int_equal(fi.l4_hlen, 8);

	t_eth(&f, 0x0800);
	t_ipv4(&f, 1, 5, 0);
	t_payload(&f, 8);
	assert_int_equal(frame_parse(f.b, f.size, &fi), FRAME_OK);
	assert_int_equal(fi.l3_proto, 1);
	/* ICMP's fixed 8-byte header is located for the port guards */
	assert_int_equal(fi.l4_off, 34);
	assert_int_equal(fi.l4_hlen, 8);
	/* but a checksum offload on it is never accepted */
	{
		struct virtio_net_hdr vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
					     .csum_start = 34,
					     .csum_offset = 2 };

		assert_false(frame_check_vnet(&vh, f.b, f.size, &fi));
	}
	assert_int_equal(frame_parse(f.b, f.size - 1, &fi), FRAME_OK);
	assert_int_equal(fi.l4_hlen, 0);
}

static void test_ipv6(void **state)
{
	struct tframe f;
	struct frame_info fi;

	(void)state;
	t_eth(&f, 0x86dd);
	t_ipv6(&f, 6);
	t_tcp(&f, 5);
	assert_int_equal(frame_parse(f.b, f.size, &fi), FRAME_OK);
	assert_true(fi.is_ipv6);
	assert_false(fi.is_ipv4);
	assert_int_equal(fi.l3_proto, 6);
	assert_int_equal(fi.l4_off, 54);
	assert_int_equal(fi.l4_hlen, 20);
	assert_int_equal(frame_parse(f.b, 53, &fi), FRAME_OK);
	assert_false(fi.is_ipv6);

	/* hop-by-hop, then destination options, then UDP */
	t_eth(&f, 0x86dd);
	t_ipv6(&f, 0);
	t_ext6(&f, 60, 0);
	t_ext6(&f, 17, 2);
	t_udp(&f);
	assert_int_equal(frame_parse(f.b, f.size, &fi), FRAME_OK);
	assert_int_equal(fi.l3_proto, 17);
	assert_int_equal(fi.l4_off, 54 + 8 + 24);
	/* the second extension header cut short */
	assert_int_equal(frame_parse(f.b, 54 + 8 + 20, &fi), FRAME_OK);
	assert_true(fi.is_ipv6);
	assert_int_equal(fi.l4_off, 0);

	/* an unknown extension header (AH) ends the walk */
	t_eth(&f, 0x86dd);
	t_ipv6(&f, 51);
	t_ext6(&f, 6, 1);
	t_tcp(&f, 5);
	assert_int_equal(frame_parse(f.b, f.size, &fi), FRAME_OK);
	assert_int_equal(fi.l3_proto, 51);
	assert_int_equal(fi.l4_off, 0);

	/* more extension headers than the walk allows */
	t_eth(&f, 0x86dd);
	t_ipv6(&f, 60);
	for (int i = 0; i < 9; i++)
		t_ext6(&f, 60, 0);
	assert_int_equal(frame_parse(f.b, f.size, &fi), FRAME_OK);
	assert_true(fi.is_ipv6);
	assert_int_equal(fi.l4_off, 0);

	/* exactly as many as the walk allows: the TCP header after them is found */
	t_eth(&f, 0x86dd);
	t_ipv6(&f, 60);
	for (int i = 0; i < 7; i++)
		t_ext6(&f, 60, 0);
	t_ext6(&f, 6, 0);
	t_tcp(&f, 5);
	assert_int_equal(frame_parse(f.b, f.size, &fi), FRAME_OK);
	assert_int_equal(fi.l3_proto, 6);
	assert_int_equal(fi.l4_off, 54 + 8 * 8);
	assert_int_equal(fi.l4_hlen, 20);

	/* one more, and it is not */
	t_eth(&f, 0x86dd);
	t_ipv6(&f, 60);
	for (int i = 0; i < 8; i++)
		t_ext6(&f, 60, 0);
	t_ext6(&f, 6, 0);
	t_tcp(&f, 5);
	assert_int_equal(frame_parse(f.b, f.size, &fi), FRAME_OK);
	assert_int_equal(fi.l4_off, 0);
}

static void test_ipv6_fragment(void **state)
{
	struct tframe f;
	struct frame_info fi;

	(void)state;
	t_eth(&f, 0x86dd);
	t_ipv6(&f, 44);
	f.b[f.size] = 17;
	put16(f.b + f.size + 2, 0x0001); /* offset 0, M */
	f.size += 8;
	t_udp(&f);
	assert_int_equal(frame_parse(f.b, f.size, &fi), FRAME_OK);
	assert_int_equal(fi.l3_proto, 17);
	assert_int_equal(fi.l4_off, 62);

	put16(f.b + 54 + 2, 0x00b8); /* offset 23 * 8 */
	assert_int_equal(frame_parse(f.b, f.size, &fi), FRAME_OK);
	assert_int_equal(fi.l3_proto, 17);
	assert_int_equal(fi.l4_off, 0);
}

/* Parse every prefix of a frame from an exact-size heap copy: ASan flags any overread. */
static void test_every_prefix(void **state)
{
	struct tframe f;
	struct frame_info fi;

	(void)state;
	t_eth(&f, 0x88a8);
	t_tag(&f, 7, 0x8100);
	t_tag(&f, 8, 0x86dd);
	t_ipv6(&f, 0);
	t_ext6(&f, 43, 1); /* hop-by-hop, 16 bytes */
	t_ext6(&f, 44, 0); /* routing, 8 bytes */
	t_ext6(&f, 6, 0); /* fragment, offset 0 */
	t_tcp(&f, 10);
	t_payload(&f, 3);
	for (size_t n = 0; n <= f.size; n++) {
		uint8_t *copy = malloc(n ? n : 1);
		enum frame_error e;

		assert_non_null(copy);
		memcpy(copy, f.b, n);
		e = frame_parse(copy, n, &fi);
		if (n < 14)
			assert_int_equal(e, FRAME_RUNT);
		else if (n < 22)
			assert_int_equal(e, FRAME_TRUNC_VLAN);
		else
			assert_int_equal(e, FRAME_OK);
		assert_true(fi.l4_off + fi.l4_hlen <= n);
		/* the L4 header is found exactly when all of it is there */
		assert_int_equal(fi.l4_hlen != 0, n >= 22 + 40 + 16 + 8 + 8 + 40);
		free(copy);
	}
}

static struct virtio_net_hdr vh_csum(uint16_t start, uint16_t off)
{
	return (struct virtio_net_hdr){ .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
					.csum_start = start,
					.csum_offset = off };
}

static bool check(const struct virtio_net_hdr *vh, const struct tframe *f)
{
	struct frame_info fi;

	assert_int_equal(frame_parse(f->b, f->size, &fi), FRAME_OK);
	return frame_check_vnet(vh, f->b, f->size, &fi);
}

static void test_vnet_flags_and_types(void **state)
{
	struct tframe f;
	struct virtio_net_hdr vh = { 0 };

	(void)state;
	t_eth(&f, 0x0806);
	t_payload(&f, 28);
	assert_true(check(&vh, &f));
	vh.flags = VIRTIO_NET_HDR_F_DATA_VALID;
	assert_true(check(&vh, &f));
	vh.flags = 4;
	assert_false(check(&vh, &f));
	vh.flags = 0;
	vh.gso_type = VIRTIO_NET_HDR_GSO_ECN;
	assert_false(check(&vh, &f));
	vh.gso_type = 2;
	assert_false(check(&vh, &f));
	vh.gso_type = 6;
	assert_false(check(&vh, &f));
	vh.gso_type = 0;
	vh.hdr_len = (uint16_t)(f.size + 1);
	assert_false(check(&vh, &f));
	/* a checksum request on a frame with no L4 header */
	vh = vh_csum(14, 6);
	assert_false(check(&vh, &f));
}

static void test_vnet_csum(void **state)
{
	struct tframe f;
	struct virtio_net_hdr vh;

	(void)state;
	t_eth(&f, 0x0800);
	t_ipv4(&f, 6, 5, 0x4000);
	t_tcp(&f, 5);
	t_payload(&f, 100);
	vh = vh_csum(34, 16);
	assert_true(check(&vh, &f));
	vh.csum_offset = 6; /* UDP's offset on a TCP header */
	assert_false(check(&vh, &f));
	vh = vh_csum(14, 16); /* would overwrite the IP header */
	assert_false(check(&vh, &f));
	vh = vh_csum(40, 16); /* inside the TCP header */
	assert_false(check(&vh, &f));
	vh = vh_csum(54, 16); /* an inner header in the payload, as with VXLAN */
	assert_true(check(&vh, &f));
	vh = vh_csum(54, 10);
	assert_false(check(&vh, &f));
	vh = vh_csum((uint16_t)(f.size - 18), 16); /* field ends exactly at the frame end */
	assert_true(check(&vh, &f));
	vh = vh_csum((uint16_t)(f.size - 17), 16);
	assert_false(check(&vh, &f));
	vh = vh_csum(0xffff, 0xffff);
	assert_false(check(&vh, &f));

	/* UDP */
	t_eth(&f, 0x0800);
	t_ipv4(&f, 17, 5, 0);
	t_udp(&f);
	t_payload(&f, 10);
	vh = vh_csum(34, 6);
	assert_true(check(&vh, &f));
	vh.csum_offset = 16;
	assert_false(check(&vh, &f));

	/* a fragment: Linux completes checksums before fragmenting */
	put16(f.b + 14 + 6, 0x2000);
	vh = vh_csum(34, 6);
	assert_false(check(&vh, &f));
}

static void test_vnet_gso(void **state)
{
	struct tframe f, f6;
	struct virtio_net_hdr vh;

	(void)state;
	t_eth(&f, 0x0800);
	t_ipv4(&f, 6, 5, 0x4000);
	t_tcp(&f, 8);
	t_payload(&f, 1500);
	vh = vh_csum(34, 16);
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh.gso_size = 1448;
	vh.hdr_len = 66;
	assert_true(check(&vh, &f));
	vh.hdr_len = 0; /* wrong hdr_len values are tolerated */
	assert_true(check(&vh, &f));
	vh.hdr_len = 34;
	assert_true(check(&vh, &f));
	vh.gso_type |= VIRTIO_NET_HDR_GSO_ECN;
	assert_true(check(&vh, &f));
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	assert_false(check(&vh, &f));
	vh.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	assert_false(check(&vh, &f));
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh.gso_size = 0;
	assert_false(check(&vh, &f));
	vh.gso_size = 1448;
	vh.flags = 0;
	assert_false(check(&vh, &f));
	vh = vh_csum(54, 16); /* GSO needs the checksum at the L4 header */
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh.gso_size = 1448;
	assert_false(check(&vh, &f));

	t_eth(&f6, 0x86dd);
	t_ipv6(&f6, 6);
	t_tcp(&f6, 5);
	t_payload(&f6, 3000);
	vh = vh_csum(54, 16);
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	vh.gso_size = 1440;
	assert_true(check(&vh, &f6));
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	assert_false(check(&vh, &f6));

	/* UDP: UFO over IPv4 only, UDP_L4 over both */
	t_eth(&f, 0x0800);
	t_ipv4(&f, 17, 5, 0);
	t_udp(&f);
	t_payload(&f, 1800);
	vh = vh_csum(34, 6);
	vh.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	vh.gso_size = 1480;
	assert_true(check(&vh, &f));
	vh.gso_size = 7; /* no room for one 8-byte fragment unit */
	assert_false(check(&vh, &f));
	vh.gso_type = VIRTIO_NET_HDR_GSO_UDP | VIRTIO_NET_HDR_GSO_ECN;
	vh.gso_size = 1480;
	assert_false(check(&vh, &f));
	vh.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
	assert_true(check(&vh, &f));

	t_eth(&f6, 0x86dd);
	t_ipv6(&f6, 17);
	t_udp(&f6);
	t_payload(&f6, 1800);
	vh = vh_csum(54, 6);
	vh.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
	vh.gso_size = 1400;
	assert_true(check(&vh, &f6));
	vh.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	assert_false(check(&vh, &f6));
}

static void test_vnet_ipv6_routing(void **state)
{
	struct tframe f;
	struct virtio_net_hdr vh;

	(void)state;
	t_eth(&f, 0x86dd);
	t_ipv6(&f, 43);
	t_ext6(&f, 6, 2);
	t_tcp(&f, 5);
	t_payload(&f, 2000);
	/* the guest's pseudo-header sum already names the final destination */
	vh = vh_csum(54 + 24, 16);
	assert_true(check(&vh, &f));
	/* segmenting would need it, and gso_segment() uses the IPv6 header's */
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	vh.gso_size = 1000;
	assert_false(check(&vh, &f));
}

static void test_vnet_segment_length_limit(void **state)
{
	struct tframe big;
	struct virtio_net_hdr vh;
	struct frame_info fi;
	uint8_t *b;
	size_t size = 65600;

	(void)state;
	b = calloc(1, size);
	assert_non_null(b);
	t_eth(&big, 0x0800);
	t_ipv4(&big, 6, 5, 0);
	t_tcp(&big, 5);
	memcpy(b, big.b, big.size);
	assert_int_equal(frame_parse(b, size, &fi), FRAME_OK);
	vh = vh_csum(34, 16);
	vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	vh.gso_size = 65535; /* one segment of 65586 IPv4 bytes: too long for tot_len */
	assert_false(frame_check_vnet(&vh, b, size, &fi));
	vh.gso_size = 65535 - 40;
	assert_true(frame_check_vnet(&vh, b, size, &fi));
	vh.gso_size = 65535 - 39;
	assert_false(frame_check_vnet(&vh, b, size, &fi));
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runt),
		cmocka_unit_test(test_trunc_tag),
		cmocka_unit_test(test_stacked_tags),
		cmocka_unit_test(test_bad_ipv4),
		cmocka_unit_test(test_ipv4_options_and_fragments),
		cmocka_unit_test(test_tcp_header_length),
		cmocka_unit_test(test_udp_icmp),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_ipv6_fragment),
		cmocka_unit_test(test_every_prefix),
		cmocka_unit_test(test_vnet_flags_and_types),
		cmocka_unit_test(test_vnet_csum),
		cmocka_unit_test(test_vnet_gso),
		cmocka_unit_test(test_vnet_ipv6_routing),
		cmocka_unit_test(test_vnet_segment_length_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
