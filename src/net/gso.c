// SPDX-License-Identifier: GPL-2.0-or-later
/* gso.c - software TSO/UFO/UDP-GSO: cut a super-frame into wire-sized frames. */

/*
 * Theory of operation
 * -------------------
 * A super-frame is headers + payload. Every segment is a fresh pool buffer
 * holding a copy of the headers (L2 with any tags, L3, and for TCP and
 * UDP_L4 the L4 header) followed by the next slice of the payload, after
 * which the per-segment fields are rewritten:
 *
 *   TCPV4/TCPV6  slice = gso_size bytes of TCP payload; IPv4 total length,
 *                id + i and header checksum, or IPv6 payload length; TCP
 *                seq + offset, FIN/PSH on the last only, CWR on the first
 *                only; full TCP checksum.
 *   UDP_L4       slice = gso_size bytes of UDP payload; each segment is a
 *                datagram of its own: L3 as for TCP, UDP length, full UDP
 *                checksum.
 *   UDP (UFO)    slice = gso_size rounded down to 8 bytes of the IPv4
 *                payload (the UDP header travels in the first slice); one
 *                datagram sent as IPv4 fragments sharing the id, with the
 *                UDP checksum of the whole datagram in the first. IPv4
 *                options are copied into every fragment.
 *
 * Checksums are computed from scratch, pseudo-header included, instead of
 * adjusting the partial sum the guest left in the check field: guests do
 * not agree on it (Linux includes the super-frame's length, Windows and
 * DPDK leave the length out), and a wrong one would only be the sender's
 * problem, but a correct checksum costs one pass over data that the copy
 * has just brought into the cache.
 *
 * The header length is taken from the parsed frame, never from hdr_len,
 * which guests fill inconsistently. The frame is validated again with
 * frame_check_vnet(), so gso_segment() is safe on any input.
 */
#include <arpa/inet.h>
#include <string.h>

#include "../base/pkt.h"
#include "../base/util.h"
#include "csum.h"
#include "frame.h"
#include "gso.h"

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5 /* newer than Debian 12's linux-libc-dev */
#endif

#define GSO_IPPROTO_TCP 6
#define GSO_IPPROTO_UDP 17
#define GSO_IPV6_HLEN 40
#define GSO_UDP_HLEN 8
#define GSO_IPV4_DF 0x4000
#define GSO_IPV4_MF 0x2000
#define GSO_TCP_FIN 0x01
#define GSO_TCP_PSH 0x08
#define GSO_TCP_CWR 0x80

/**
 * struct gso_job - one super-frame being cut
 * @p:      the super-frame
 * @fi:     its parsed headers
 * @hl:     header bytes copied in front of every slice
 * @slice:  payload bytes per segment (the last may carry fewer)
 * @n:      segments
 */
struct gso_job {
	const struct pkt *p;
	struct frame_info fi;
	uint32_t hl;
	uint32_t slice;
	unsigned n;
};

static inline uint16_t gso_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void gso_wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void gso_store_csum(uint8_t *p, uint16_t c)
{
	memcpy(p, &c, sizeof(c)); /* checksums are in memory order, see csum.c */
}

/* Pseudo-header sum for an L4 segment of @l4_size bytes (< 64 KiB, checked by frame_check_vnet). */
static uint32_t gso_pseudo(const uint8_t *l3, bool ipv6, uint8_t proto, uint32_t l4_size)
{
	uint32_t sum = ipv6 ? csum_partial(l3 + 8, 32, 0) : csum_partial(l3 + 12, 8, 0);

	return sum + htons(proto) + htons((uint16_t)l4_size);
}

/* Set the L3 length fields of segment @d (@size bytes); IPv4 gets @id, @frag_off and its checksum. */
static void gso_fix_l3(const struct gso_job *job, uint8_t *d, uint32_t size, uint16_t id,
		       uint16_t frag_off)
{
	uint8_t *ip = d + job->fi.l3_off;
	uint32_t ihl;

	if (job->fi.is_ipv6) {
		gso_wr16(ip + 4, (uint16_t)(size - job->fi.l3_off - GSO_IPV6_HLEN));
		return;
	}
	ihl = (uint32_t)(ip[0] & 0xf) * 4;
	gso_wr16(ip + 2, (uint16_t)(size - job->fi.l3_off));
	gso_wr16(ip + 4, id);
	gso_wr16(ip + 6, frag_off);
	gso_wr16(ip + 10, 0);
	gso_store_csum(ip + 10, csum_fold(csum_partial(ip, ihl, 0)));
}

/* Segment @i: headers, then the slice at @i * job->slice, and the frame's metadata. */
static void gso_fill(const struct gso_job *job, struct pkt *s, unsigned i)
{
	const struct pkt *p = job->p;
	uint32_t pay_off = job->hl + i * job->slice;
	uint32_t size = MIN(job->slice, p->size - pay_off);

	memcpy(s->data, p->data, job->hl);
	memcpy(s->data + job->hl, p->data + pay_off, size);
	s->size = job->hl + size;
	s->vlan = p->vlan;
	s->pcp = p->pcp;
	s->in_port = p->in_port;
}

static void gso_tcp(const struct gso_job *job, struct pkt **out)
{
	const uint8_t *src = job->p->data;
	const uint8_t *sth = src + job->fi.l4_off;
	uint32_t seq = (uint32_t)gso_rd16(sth + 4) << 16 | gso_rd16(sth + 6);
	uint16_t id = job->fi.is_ipv4 ? gso_rd16(src + job->fi.l3_off + 4) : 0;
	uint16_t frag = job->fi.is_ipv4 ? gso_rd16(src + job->fi.l3_off + 6) : 0;

	for (unsigned i = 0; i < job->n; i++) {
		struct pkt *s = out[i];
		uint8_t *th = s->data + job->fi.l4_off;
		uint32_t l4_size, sseq = seq + i * job->slice;

		gso_fill(job, s, i);
		l4_size = s->size - job->fi.l4_off;
		gso_fix_l3(job, s->data, s->size, (uint16_t)(id + i), frag);
		gso_wr16(th + 4, (uint16_t)(sseq >> 16));
		gso_wr16(th + 6, (uint16_t)sseq);
		if (i != 0)
			th[13] &= (uint8_t)~GSO_TCP_CWR;
		if (i != job->n - 1)
			th[13] &= (uint8_t) ~(GSO_TCP_FIN | GSO_TCP_PSH);
		gso_wr16(th + 16, 0);
		gso_store_csum(
			th + 16,
			csum_fold(csum_partial(th, l4_size,
					       gso_pseudo(s->data + job->fi.l3_off, job->fi.is_ipv6,
							  GSO_IPPROTO_TCP, l4_size))));
	}
}

/*
 * UDP checksum of a datagram of @dgram bytes: @size bytes at @uh (check field
 * zeroed) plus @more, the sum of the rest of it when that is elsewhere.
 */
static uint16_t gso_udp_csum(const uint8_t *l3, bool ipv6, const uint8_t *uh, uint32_t size,
			     uint32_t dgram, uint32_t more)
{
	uint32_t sum = gso_pseudo(l3, ipv6, GSO_IPPROTO_UDP, dgram) + more;
	uint16_t c = csum_fold(csum_partial(uh, size, sum));

	return c ? c : 0xffff; /* 0 means "no checksum" */
}

static void gso_udp_l4(const struct gso_job *job, struct pkt **out)
{
	const uint8_t *src = job->p->data;
	uint16_t id = job->fi.is_ipv4 ? gso_rd16(src + job->fi.l3_off + 4) : 0;
	uint16_t frag = job->fi.is_ipv4 ? gso_rd16(src + job->fi.l3_off + 6) : 0;

	for (unsigned i = 0; i < job->n; i++) {
		struct pkt *s = out[i];
		uint8_t *uh = s->data + job->fi.l4_off;
		uint32_t l4_size;

		gso_fill(job, s, i);
		l4_size = s->size - job->fi.l4_off;
		gso_fix_l3(job, s->data, s->size, (uint16_t)(id + i), frag);
		gso_wr16(uh + 4, (uint16_t)l4_size);
		gso_wr16(uh + 6, 0);
		gso_store_csum(uh + 6, gso_udp_csum(s->data + job->fi.l3_off, job->fi.is_ipv6, uh,
						    l4_size, l4_size, 0));
	}
}

static void gso_ufo(const struct gso_job *job, struct pkt **out)
{
	const uint8_t *src = job->p->data;
	uint32_t dgram = job->p->size - job->fi.l4_off;
	uint16_t id = gso_rd16(src + job->fi.l3_off + 4);
	/* one fragment is just the datagram: keep its DF bit */
	uint16_t df = job->n == 1 ? gso_rd16(src + job->fi.l3_off + 6) & GSO_IPV4_DF : 0;
	uint8_t *uh = out[0]->data + job->fi.l4_off;
	uint32_t rest;

	for (unsigned i = 0; i < job->n; i++) {
		struct pkt *s = out[i];
		uint16_t frag = (uint16_t)((i * job->slice) >> 3) | df;

		gso_fill(job, s, i);
		if (i != job->n - 1)
			frag |= GSO_IPV4_MF;
		gso_fix_l3(job, s->data, s->size, id, frag);
	}
	/* The checksum covers the whole datagram, most of it in later fragments: sum the source. */
	gso_wr16(uh + 4, (uint16_t)dgram);
	gso_wr16(uh + 6, 0);
	rest = csum_partial(src + job->fi.l4_off + GSO_UDP_HLEN, dgram - GSO_UDP_HLEN, 0);
	gso_store_csum(uh + 6, gso_udp_csum(out[0]->data + job->fi.l3_off, false, uh, GSO_UDP_HLEN,
					    dgram, rest));
}

unsigned gso_segment(const struct pkt *p, struct pkt_pool *pool, struct pkt **out, unsigned max)
{
	struct gso_job job = { .p = p };
	uint8_t type = p->vnet.gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	uint32_t payload;
	unsigned got;

	if (!pkt_is_gso(p) || frame_parse(p->data, p->size, &job.fi) != FRAME_OK ||
	    !frame_check_vnet(&p->vnet, p->data, p->size, &job.fi))
		return 0;
	if (type == VIRTIO_NET_HDR_GSO_UDP) {
		job.hl = job.fi.l4_off; /* the UDP header is payload of the first fragment */
		job.slice = p->vnet.gso_size & ~7u;
	} else {
		job.hl = job.fi.l4_off + job.fi.l4_hlen;
		job.slice = p->vnet.gso_size;
	}
	payload = p->size - job.hl;
	job.n = payload ? (payload + job.slice - 1) / job.slice : 1;
	if (job.n > max)
		return 0;
	got = pkt_alloc_burst(pool, out, job.n);
	if (got != job.n) {
		pkt_free_burst(pool, out, got);
		return 0;
	}
	switch (type) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
	case VIRTIO_NET_HDR_GSO_TCPV6:
		gso_tcp(&job, out);
		break;
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		gso_udp_l4(&job, out);
		break;
	default:
		gso_ufo(&job, out);
		break;
	}
	return job.n;
}
