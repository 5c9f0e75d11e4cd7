// SPDX-License-Identifier: GPL-2.0-or-later
/* frame.c - bounds-checked header parsing and virtio-net offload header checks. */

/*
 * Theory of operation
 * -------------------
 * frame_parse() walks a frame front to back. Every step first checks that
 * the bytes it is about to read lie inside [frame, frame + size); a step
 * that does not fit ends the walk, and what was found so far is reported.
 * Only a frame too short for its L2 header (Ethernet plus tags) is an
 * error: an IP header that is cut short or malformed just leaves the L3/L4
 * fields empty, because the switch forwards such frames unchanged.
 *
 * L4 headers are reported for TCP and UDP only (the protocols whose
 * checksums and segmentation virtio-net can offload), and never for a
 * non-first fragment, whose payload does not start with one. IPv6
 * hop-by-hop, routing and destination-options headers are skipped, at most
 * FRAME_IPV6_MAX_EXT of them; any other extension header ends the walk.
 *
 * frame_check_vnet() decides whether the switch can honour an offload
 * header from a port. It accepts exactly what Linux's tap and virtio-net
 * send (csum_start at the L4 header with csum_offset 16 for TCP or 6 for
 * UDP; TSO for TCP over IPv4/IPv6; UFO over IPv4; UDP_L4) plus a checksum
 * request for an inner TCP/UDP header inside the payload of a tunnel, which
 * Linux sends for VXLAN or GENEVE traffic over a device with HW_CSUM.
 */
#include <string.h>

#include "eth.h"
#include "frame.h"

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4 5 /* newer than Debian 12's linux-libc-dev */
#endif

#define FRAME_IPV4_HLEN 20
#define FRAME_IPV6_HLEN 40
#define FRAME_TCP_HLEN 20
#define FRAME_UDP_HLEN 8
#define FRAME_IPPROTO_TCP 6
#define FRAME_IPPROTO_UDP 17
#define FRAME_IPPROTO_ICMP 1
#define FRAME_IPPROTO_ICMPV6 58
#define FRAME_ICMP_HLEN 8
#define FRAME_IPV4_MF 0x2000
#define FRAME_IPV4_OFFSET 0x1fff
#define FRAME_IPV6_MAX_EXT 8 /* extension headers walked before giving up */
#define FRAME_IP_MAX_SIZE 65535 /* IPv4 total length / IPv6 payload / UDP length fields */
#define FRAME_TCP_CSUM_OFF 16 /* offsetof(struct tcphdr, check) */
#define FRAME_UDP_CSUM_OFF 6 /* offsetof(struct udphdr, check) */
#define FRAME_UFO_MIN_GSO 8 /* UFO fragments carry multiples of 8 bytes */

enum frame_ipv6_nexthdr {
	FRAME_NH_HOPOPTS = 0,
	FRAME_NH_ROUTING = 43,
	FRAME_NH_FRAGMENT = 44,
	FRAME_NH_DSTOPTS = 60,
};

static inline uint16_t frame_rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void frame_parse_l4(const uint8_t *frame, size_t size, struct frame_info *fi, size_t off)
{
	size_t avail, hlen;

	if (off > size)
		return;
	avail = size - off;
	if (fi->l3_proto == FRAME_IPPROTO_TCP) {
		if (avail < FRAME_TCP_HLEN)
			return;
		hlen = (size_t)(frame[off + 12] >> 4) * 4;
		if (hlen < FRAME_TCP_HLEN || hlen > avail)
			return;
	} else if (fi->l3_proto == FRAME_IPPROTO_UDP) {
		if (avail < FRAME_UDP_HLEN)
			return;
		hlen = FRAME_UDP_HLEN;
	} else if (fi->l3_proto == FRAME_IPPROTO_ICMP || fi->l3_proto == FRAME_IPPROTO_ICMPV6) {
		/* type, code, checksum, and 4 bytes: what the port guards read */
		if (avail < FRAME_ICMP_HLEN)
			return;
		hlen = FRAME_ICMP_HLEN;
	} else {
		return;
	}
	fi->l4_off = (uint32_t)off;
	fi->l4_hlen = (uint32_t)hlen;
}

static void frame_parse_ipv4(const uint8_t *frame, size_t size, struct frame_info *fi)
{
	const uint8_t *ip = frame + fi->l3_off;
	size_t avail = size - fi->l3_off, ihl;

	if (avail < FRAME_IPV4_HLEN || ip[0] >> 4 != 4)
		return;
	ihl = (size_t)(ip[0] & 0xf) * 4;
	if (ihl < FRAME_IPV4_HLEN || ihl > avail)
		return;
	fi->is_ipv4 = true;
	fi->l3_proto = ip[9];
	if (frame_rd16(ip + 6) & FRAME_IPV4_OFFSET)
		return; /* a later fragment: no L4 header here */
	frame_parse_l4(frame, size, fi, fi->l3_off + ihl);
}

static void frame_parse_ipv6(const uint8_t *frame, size_t size, struct frame_info *fi)
{
	const uint8_t *ip = frame + fi->l3_off;
	size_t off = fi->l3_off + FRAME_IPV6_HLEN, len;
	uint8_t nh;

	if (size - fi->l3_off < FRAME_IPV6_HLEN || ip[0] >> 4 != 6)
		return;
	fi->is_ipv6 = true;
	nh = ip[6];
	/* one pass per extension header, plus one for the upper-layer header after the last */
	for (unsigned i = 0; i <= FRAME_IPV6_MAX_EXT; i++) {
		bool ext = nh == FRAME_NH_HOPOPTS || nh == FRAME_NH_ROUTING ||
			   nh == FRAME_NH_DSTOPTS || nh == FRAME_NH_FRAGMENT;

		if (ext && i == FRAME_IPV6_MAX_EXT)
			break; /* too many: L4 unknown */
		switch (nh) {
		case FRAME_NH_HOPOPTS:
		case FRAME_NH_ROUTING:
		case FRAME_NH_DSTOPTS:
			if (size - off < 8)
				goto stop;
			len = ((size_t)frame[off + 1] + 1) * 8;
			if (len > size - off)
				goto stop;
			nh = frame[off];
			off += len;
			break;
		case FRAME_NH_FRAGMENT:
			if (size - off < 8)
				goto stop;
			nh = frame[off];
			if (frame_rd16(frame + off + 2) & 0xfff8) {
				fi->l3_proto = nh; /* a later fragment: no L4 header here */
				return;
			}
			off += 8;
			break;
		default:
			fi->l3_proto = nh;
			frame_parse_l4(frame, size, fi, off);
			return;
		}
	}
stop:
	fi->l3_proto = nh;
}

enum frame_error frame_parse(const uint8_t *frame, size_t size, struct frame_info *fi)
{
	size_t off = 2 * ETH_ALEN;
	uint16_t type;

	*fi = (struct frame_info){ 0 };
	if (size < ETH_HLEN)
		return FRAME_RUNT;
	type = frame_rd16(frame + off);
	off += 2;
	while (eth_is_tpid(type)) {
		if (fi->n_tags == FRAME_MAX_TAGS)
			return FRAME_TOO_MANY_TAGS;
		if (size - off < VLAN_HLEN)
			return FRAME_TRUNC_VLAN;
		fi->tpid[fi->n_tags] = type;
		fi->tci[fi->n_tags++] = frame_rd16(frame + off);
		type = frame_rd16(frame + off + 2);
		off += VLAN_HLEN;
	}
	fi->ethertype = type;
	fi->l3_off = (uint32_t)off;
	if (type == ETH_P_IP_)
		frame_parse_ipv4(frame, size, fi);
	else if (type == ETH_P_IPV6_)
		frame_parse_ipv6(frame, size, fi);
	return FRAME_OK;
}

enum frame_ip_flag {
	FRAME_IP_FRAGMENT = 1 << 0, /* IPv4 MF/offset, or an IPv6 fragment header */
	FRAME_IP_ROUTED = 1 << 1, /* IPv6 routing header: pseudo-header dst is not ip6->daddr */
};

/*
 * What frame_parse() does not report: is the packet an IP fragment, and
 * does an IPv6 routing header put the pseudo-header destination elsewhere?
 * Only called when an L4 header was found, so the IPv6 walk is bounded by
 * it. Return: enum frame_ip_flag bits.
 */
static unsigned frame_ip_flags(const uint8_t *frame, size_t size, const struct frame_info *fi)
{
	size_t off = fi->l3_off, len;
	unsigned flags = 0;
	uint8_t nh;

	if (fi->is_ipv4) {
		if (size < off + FRAME_IPV4_HLEN)
			return FRAME_IP_FRAGMENT;
		if (frame_rd16(frame + off + 6) & (FRAME_IPV4_MF | FRAME_IPV4_OFFSET))
			flags |= FRAME_IP_FRAGMENT;
		return flags;
	}
	if (size < off + FRAME_IPV6_HLEN || fi->l4_off > size)
		return FRAME_IP_FRAGMENT;
	nh = frame[off + 6];
	off += FRAME_IPV6_HLEN;
	for (unsigned i = 0; off < fi->l4_off; i++) {
		if (i == FRAME_IPV6_MAX_EXT || fi->l4_off - off < 8)
			return FRAME_IP_FRAGMENT | FRAME_IP_ROUTED; /* inconsistent with @fi */
		if (nh == FRAME_NH_ROUTING)
			flags |= FRAME_IP_ROUTED;
		if (nh == FRAME_NH_FRAGMENT)
			flags |= FRAME_IP_FRAGMENT;
		len = nh == FRAME_NH_FRAGMENT ? 8 : ((size_t)frame[off + 1] + 1) * 8;
		nh = frame[off];
		off += len;
	}
	return flags;
}

/* Does the GSO type fit the frame, and will every segment's lengths fit their fields? */
static bool frame_check_gso(const struct virtio_net_hdr *vh, size_t size,
			    const struct frame_info *fi)
{
	size_t hdr_end = fi->l4_off + fi->l4_hlen, payload = size - hdr_end;
	size_t seg_l3 = hdr_end - fi->l3_off + (payload < vh->gso_size ? payload : vh->gso_size);

	if (vh->gso_size == 0 || vh->csum_start != fi->l4_off)
		return false;
	if (fi->is_ipv6)
		seg_l3 -= FRAME_IPV6_HLEN; /* the payload length field excludes the fixed header */
	if (seg_l3 > FRAME_IP_MAX_SIZE)
		return false;
	switch (vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return fi->is_ipv4 && fi->l3_proto == FRAME_IPPROTO_TCP;
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return fi->is_ipv6 && fi->l3_proto == FRAME_IPPROTO_TCP;
	case VIRTIO_NET_HDR_GSO_UDP:
		/*
		 * UFO is done as IPv4 fragmentation only: IPv6 UFO needs a
		 * fragment identification that is unique per destination,
		 * i.e. state this stateless code does not keep.
		 */
		return fi->is_ipv4 && fi->l3_proto == FRAME_IPPROTO_UDP &&
		       vh->gso_size >= FRAME_UFO_MIN_GSO && size - fi->l3_off <= FRAME_IP_MAX_SIZE;
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		return fi->l3_proto == FRAME_IPPROTO_UDP;
	}
	return false;
}

bool frame_check_vnet(const struct virtio_net_hdr *vh, const uint8_t *frame, size_t size,
		      const struct frame_info *fi)
{
	uint8_t gso = vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;
	bool ecn = vh->gso_type & VIRTIO_NET_HDR_GSO_ECN;
	uint32_t start = vh->csum_start, coff = vh->csum_offset;
	unsigned ipf;

	if (vh->flags & ~(VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID))
		return false;
	if (vh->hdr_len > size)
		return false;
	switch (gso) {
	case VIRTIO_NET_HDR_GSO_NONE:
		if (ecn)
			return false;
		if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
			return true;
		break;
	case VIRTIO_NET_HDR_GSO_TCPV4:
	case VIRTIO_NET_HDR_GSO_TCPV6:
		break;
	case VIRTIO_NET_HDR_GSO_UDP:
	case VIRTIO_NET_HDR_GSO_UDP_L4:
		if (ecn) /* Linux sets ECN only with TCP */
			return false;
		break;
	default:
		return false;
	}

	/* Checksum offload, which every GSO frame needs too. */
	if (!(vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return false;
	if (start + coff + 2 > size)
		return false;
	if (!fi->l4_hlen || (!fi->is_ipv4 && !fi->is_ipv6) || fi->l4_off + fi->l4_hlen > size)
		return false;
	ipf = frame_ip_flags(frame, size, fi);
	if (ipf & FRAME_IP_FRAGMENT) /* Linux checksums before it fragments */
		return false;
	if (start == fi->l4_off) {
		if (coff !=
		    (fi->l3_proto == FRAME_IPPROTO_TCP ? FRAME_TCP_CSUM_OFF : FRAME_UDP_CSUM_OFF))
			return false;
	} else if (start < fi->l4_off + fi->l4_hlen ||
		   (coff != FRAME_TCP_CSUM_OFF && coff != FRAME_UDP_CSUM_OFF)) {
		/* not the L4 header, nor an inner one inside a tunnel's payload */
		return false;
	}
	if (gso == VIRTIO_NET_HDR_GSO_NONE)
		return true;
	/* gso_segment() builds pseudo-headers from the IPv6 header's destination */
	if (ipf & FRAME_IP_ROUTED)
		return false;
	return frame_check_gso(vh, size, fi);
}
