// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * uplink.c - the uplink port: a switch bridged onto an existing interface.
 *
 * Theory of operation
 * -------------------
 * `port/add sw0 up0 type=uplink ifname=eth1 [backend=auto|afxdp|afpacket]`
 * attaches the switch to eth1 so the VMs sit on eth1's LAN with their own
 * MAC addresses (VMware "bridged", Hyper-V "external").
 *
 * Backends. backend=afpacket is a TPACKET_V3 ring (afpacket.c) and works on
 * any interface. backend=afxdp steers the VMs' unicast to AF_XDP sockets with
 * a small XDP program (afxdp.c), native mode first, generic mode when the
 * driver has none; group-addressed frames, which the host needs as well,
 * come through a companion AF_PACKET socket. backend=auto (the default)
 * takes AF_XDP only where the driver runs XDP natively (generic XDP copies
 * every frame into an skb first and gains nothing over AF_PACKET) and falls
 * back to AF_PACKET otherwise, logging why and showing it in port/list.
 * It also falls back when the sockets can only run in copy mode (veth, and
 * drivers without AF_XDP zero-copy): copying frames through a UMEM loses
 * GRO and TSO, and AF_PACKET, which keeps them, is faster for TCP there
 * (bench/w5.sh). backend=afxdp uses AF_XDP in any mode.
 *
 * Promiscuous mode. The VMs' MACs are not the NIC's, so the NIC must accept
 * every frame. The packet socket holds a PACKET_MR_PROMISC membership: the
 * kernel counts it separately from the administrator's `ip link set promisc
 * on` and drops it when the socket closes, so the previous state comes back
 * on port/del, on exit, after SIGTERM and even after SIGKILL. The same goes
 * for the XDP program, which hangs off a bpf_link fd.
 *
 * The host keeps its own traffic: the AF_PACKET backend copies frames and
 * never steals them, and the XDP program passes the host's own unicast and all
 * group-addressed frames to the stack. Frames the switch or the host sent
 * are never received back (PACKET_IGNORE_OUTGOING). The host does not hear
 * what the switch sends out of the NIC either, so the host reaches its VMs
 * through an `internal` port on the same switch (doc/uplink.md).
 *
 * Link state. A netlink socket (RTMGRP_LINK) tells us when the interface
 * goes down or up, loses carrier, changes MTU or MAC, is deleted or
 * re-created. The port follows: down (with the reason) while the interface
 * is down, up again when it is; on deletion the backend is released and the
 * port stays down, then re-attaches by name when an interface of that name
 * appears again (as Open vSwitch does for system ports). The 1 s tick checks
 * the same things in case a netlink message was lost.
 *
 * Offloads. Frames from the NIC carry a virtio-net header (AF_PACKET): GRO
 * super-frames and partial checksums are marked, and the switch passes them
 * on or completes them per output port. On transmit the port takes checksum
 * offload and TSO from the switch; each super-frame's segment size is clamped
 * to the interface MTU (uplink_gso_size), then the kernel segments it
 * (AF_PACKET, or the NIC's TSO) or gso.c does (AF_XDP, which has no offloads).
 * A frame over the MTU that is not a super-frame is dropped as oversize by
 * the switch. The port MTU follows the interface's unless mtu= is given.
 *
 * AF_XDP frames come with no metadata at all. From a physical NIC their
 * checksums are complete, but a local peer (a veth's other end, the usual
 * test rig and a common container setup) transmits with checksum offload and
 * leaves only the pseudo-header sum in the TCP/UDP checksum field. A frame
 * whose field holds exactly that sum is marked NEEDS_CSUM here
 * (uplink_mark_partial_csum), so the switch completes it for ports that need
 * it. A complete checksum that happens to equal the pseudo-header sum (1 in
 * 65536) is recomputed to the same value, so the test is safe either way.
 *
 * Nor does AF_XDP get GRO: every TCP segment would cross the switch and be
 * written to a VM on its own. uplink_gro_burst() merges, within one receive
 * burst, consecutive in-order TCP/IPv4 segments of one flow whose headers
 * match as Linux's GRO requires (and whose checksums verify) into one
 * super-frame marked TCPV4 with a partial checksum; ports with TSO take it
 * whole, and the switch segments it again for those without.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/capability.h>
#include <net/if_arp.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <jansson.h>

#include "../base/log.h"
#include "../base/util.h"
#include "../net/csum.h"
#include "../net/eth.h"
#include "../net/frame.h"
#include "../net/gso.h"
#include "afpacket.h"
#include "afxdp.h"
#include "uplink.h"

#define UPLINK_POLL_BUDGET 8 /* bursts per readiness event before yielding */
#define UPLINK_NL_BUF_SIZE 8192 /* bytes of netlink messages read at once */
#define UPLINK_NL_MAX_READS 16 /* netlink reads per event, so a storm cannot starve the loop */
#define UPLINK_GSO_MAX_SEGS 64 /* segments of one super-frame on the AF_XDP path */
#define UPLINK_DRAIN_MAX 256 /* frames discarded per event while the port is down */
#define UPLINK_GRO_MAX_SEGS 44 /* segments merged into one super-frame (as Linux's GRO) */
#define UPLINK_GRO_MAX_SIZE 65535 /* bytes in a merged frame: IPv4 total length + 14 */

enum uplink_link { UPLINK_LINK_UP, UPLINK_LINK_DOWN, UPLINK_LINK_ABSENT };

/**
 * struct uplink - state of one uplink port
 * @ifname:      the interface, as configured (re-attach goes by name)
 * @want:        backend= as configured (auto, afxdp, afpacket)
 * @active:      backend in use, UPLINK_NONE while detached
 * @fallback:    why auto did not use AF_XDP ("" if it did or was not asked)
 * @ifindex:     the interface's index while attached
 * @mac:         its MAC (the host's address on it)
 * @if_mtu:      its L3 MTU
 * @mtu_fixed:   mtu= was configured: do not follow the interface
 * @link:        up, down or absent
 * @pk:          the AF_PACKET socket: the backend, or AF_XDP's group-address companion
 * @pk_ev:       @pk's fd in the loop
 * @xdp:         the AF_XDP backend
 * @nl:          netlink link-event socket
 * @link_changes: up/down transitions seen
 * @reattached:  times the interface came back after deletion
 * @gso_clamped: super-frames whose segment size was cut to the MTU
 * @gso_segmented: super-frames segmented here (AF_XDP)
 * @csum_partial_marked: AF_XDP frames found with a partial checksum and marked
 * @gro_merged:  AF_XDP segments merged into a preceding one (software GRO)
 */
struct uplink {
	char ifname[IF_NAMESIZE];
	enum uplink_backend want;
	enum uplink_backend active;
	char fallback[256];
	unsigned ifindex;
	uint8_t mac[ETH_ALEN];
	uint32_t if_mtu;
	bool mtu_fixed;
	enum uplink_link link;
	struct afpacket pk;
	struct ev_source pk_ev;
	struct afxdp xdp;
	struct ev_source nl;
	uint64_t link_changes;
	uint64_t reattached;
	uint64_t gso_clamped;
	uint64_t gso_segmented;
	uint64_t csum_partial_marked;
	uint64_t gro_merged;
};

/* ---- pure helpers ------------------------------------------------------- */

bool uplink_parse_backend(const char *s, enum uplink_backend *out)
{
	if (!s || !strcmp(s, "auto"))
		*out = UPLINK_AUTO;
	else if (!strcmp(s, "afxdp"))
		*out = UPLINK_AFXDP;
	else if (!strcmp(s, "afpacket"))
		*out = UPLINK_AFPACKET;
	else
		return false;
	return true;
}

const char *uplink_backend_name(enum uplink_backend b)
{
	switch (b) {
	case UPLINK_AUTO:
		return "auto";
	case UPLINK_AFXDP:
		return "afxdp";
	case UPLINK_AFPACKET:
		return "afpacket";
	default:
		return "none";
	}
}

uint16_t uplink_gso_size(const struct pkt *pk, uint32_t mtu)
{
	struct frame_info fi;
	uint32_t hdrs, room;

	if (frame_parse(pk->data, pk->size, &fi) != FRAME_OK || !fi.l4_off || !fi.l4_hlen ||
	    fi.l4_off < fi.l3_off)
		return 0;
	hdrs = fi.l4_off - fi.l3_off + fi.l4_hlen;
	if (mtu <= hdrs)
		return 0;
	room = mtu - hdrs;
	if (!pk->vnet.gso_size)
		return 0;
	return (uint16_t)MIN((uint32_t)pk->vnet.gso_size, room);
}

bool uplink_mark_partial_csum(struct pkt *pk)
{
	struct frame_info fi;
	uint8_t ph[40];
	size_t phlen;
	const uint8_t *l3;
	uint32_t l4len, coff;
	uint16_t field, partial;

	if (pk->vnet.flags || frame_parse(pk->data, pk->size, &fi) != FRAME_OK || !fi.l4_off ||
	    fi.l4_off <= fi.l3_off)
		return false;
	if (fi.l3_proto == 6)
		coff = 16; /* offsetof(struct tcphdr, check) */
	else if (fi.l3_proto == 17)
		coff = 6; /* offsetof(struct udphdr, check) */
	else
		return false;
	if (fi.l4_off + coff + 2 > pk->size)
		return false;
	l3 = pk->data + fi.l3_off;
	if (fi.is_ipv4) {
		uint32_t tot = (uint32_t)l3[2] << 8 | l3[3];

		if ((l3[6] & 0x3f) || l3[7] || tot < fi.l4_off - fi.l3_off) /* MF or offset */
			return false;
		l4len = tot - (fi.l4_off - fi.l3_off);
		memcpy(ph, l3 + 12, 8);
		ph[8] = 0;
		ph[9] = fi.l3_proto;
		ph[10] = (uint8_t)(l4len >> 8);
		ph[11] = (uint8_t)l4len;
		phlen = 12;
	} else if (fi.is_ipv6) {
		uint32_t pl = (uint32_t)l3[4] << 8 | l3[5], ext = fi.l4_off - fi.l3_off - 40;

		if (fi.l4_off - fi.l3_off < 40 || pl < ext)
			return false;
		l4len = pl - ext;
		memcpy(ph, l3 + 8, 32);
		ph[32] = (uint8_t)(l4len >> 24);
		ph[33] = (uint8_t)(l4len >> 16);
		ph[34] = (uint8_t)(l4len >> 8);
		ph[35] = (uint8_t)l4len;
		ph[36] = ph[37] = ph[38] = 0;
		ph[39] = fi.l3_proto;
		phlen = 40;
	} else {
		return false;
	}
	if (fi.l4_off + l4len > pk->size)
		return false;
	/* Linux leaves the folded, uncomplemented pseudo-header sum in the field */
	partial = (uint16_t)~csum_fold(csum_partial(ph, phlen, 0));
	memcpy(&field, pk->data + fi.l4_off + coff, sizeof(field));
	if (field != partial || (fi.l3_proto == 17 && field == 0))
		return false;
	pk->vnet.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	pk->vnet.csum_start = (uint16_t)fi.l4_off;
	pk->vnet.csum_offset = (uint16_t)coff;
	return true;
}

/* Read a big-endian 16/32-bit field. */
static uint32_t uplink_be16(const uint8_t *b)
{
	return (uint32_t)b[0] << 8 | b[1];
}

static uint32_t uplink_be32(const uint8_t *b)
{
	return uplink_be16(b) << 16 | uplink_be16(b + 2);
}

/**
 * struct uplink_seg - a TCP/IPv4 segment that may be merged
 * @l3/@l4:   header offsets
 * @thlen:    TCP header length
 * @payload:  TCP payload bytes
 * @seq:      sequence number
 */
struct uplink_seg {
	uint32_t l3, l4, thlen, payload, seq;
};

/*
 * Is @pk a plain TCP/IPv4 data segment whose checksums hold (or that is
 * marked NEEDS_CSUM by uplink_mark_partial_csum)? Fills @s.
 */
static bool uplink_gro_seg(const struct pkt *pk, struct uplink_seg *s)
{
	struct frame_info fi;
	const uint8_t *ip, *th;
	uint32_t tot;
	uint8_t flags;

	if (pkt_is_gso(pk) || frame_parse(pk->data, pk->size, &fi) != FRAME_OK || !fi.is_ipv4 ||
	    fi.l3_proto != 6 || !fi.l4_off || fi.l4_off != fi.l3_off + 20)
		return false;
	ip = pk->data + fi.l3_off;
	th = pk->data + fi.l4_off;
	tot = uplink_be16(ip + 2);
	flags = th[13];
	/* ACK, optionally PSH; nothing else (SYN, FIN, RST, URG, ECE, CWR end a merge) */
	if ((flags & ~0x08) != 0x10 || (ip[6] & 0x3f) || ip[7] || fi.l3_off + tot > pk->size ||
	    tot <= 20 + fi.l4_hlen || csum_fold(csum_partial(ip, 20, 0)) != 0)
		return false;
	s->l3 = fi.l3_off;
	s->l4 = fi.l4_off;
	s->thlen = fi.l4_hlen;
	s->payload = tot - 20 - fi.l4_hlen;
	s->seq = uplink_be32(th + 4);
	if (pkt_needs_csum(pk))
		return pk->vnet.csum_start == fi.l4_off && pk->vnet.csum_offset == 16;
	/* verify the TCP checksum: merging must not launder a damaged segment */
	uint8_t ph[12];

	memcpy(ph, ip + 12, 8);
	ph[8] = 0;
	ph[9] = 6;
	ph[10] = (uint8_t)((tot - 20) >> 8);
	ph[11] = (uint8_t)(tot - 20);
	return csum_fold(csum_partial(th, tot - 20, csum_partial(ph, sizeof(ph), 0))) == 0;
}

/* May segment @b (described by @sb) follow the merged frame @a (its last segment @sa)? */
static bool uplink_gro_follows(const struct pkt *a, const struct uplink_seg *sa,
			       const struct pkt *b, const struct uplink_seg *sb, uint32_t mss)
{
	const uint8_t *ia = a->data + sa->l3, *ib = b->data + sb->l3;
	const uint8_t *ta = a->data + sa->l4, *tb = b->data + sb->l4;

	return sa->l3 == sb->l3 && sa->thlen == sb->thlen && !memcmp(a->data, b->data, sa->l3) &&
	       /* IPv4: version/IHL, TOS, DF, TTL, protocol, addresses */
	       ia[0] == ib[0] && ia[1] == ib[1] && ia[6] == ib[6] && ia[8] == ib[8] &&
	       ia[9] == ib[9] && !memcmp(ia + 12, ib + 12, 8) &&
	       /* TCP: ports, ack, window, options equal; no PSH before the end */
	       !memcmp(ta, tb, 4) && !memcmp(ta + 8, tb + 8, 4) && !memcmp(ta + 14, tb + 14, 2) &&
	       !memcmp(ta + 20, tb + 20, sa->thlen - 20) && !(ta[13] & 0x08) &&
	       sb->seq == sa->seq + sa->payload && sb->payload <= mss &&
	       pkt_needs_csum(a) == pkt_needs_csum(b);
}

unsigned uplink_gro_burst(struct pkt_pool *pool, struct pkt **pkts, unsigned n)
{
	unsigned out = 0;

	for (unsigned i = 0; i < n;) {
		struct pkt *a = pkts[i];
		struct uplink_seg sa, last, sb;
		uint32_t mss, total, n_merged = 1;
		unsigned j = i + 1;

		pkts[out++] = a;
		if (!uplink_gro_seg(a, &sa)) {
			i++;
			continue;
		}
		mss = sa.payload;
		last = sa;
		total = sa.l4 + sa.thlen + sa.payload;
		/* the merged frame is the first, its payloads appended */
		while (j < n && uplink_gro_seg(pkts[j], &sb) && last.payload == mss &&
		       n_merged < UPLINK_GRO_MAX_SEGS &&
		       total + sb.payload <= UPLINK_GRO_MAX_SIZE &&
		       total + sb.payload <= (size_t)(a->buf + PKT_BUF_SIZE - a->data) &&
		       uplink_gro_follows(a, &last, pkts[j], &sb, mss)) {
			struct pkt *b = pkts[j];

			memcpy(a->data + total, b->data + sb.l4 + sb.thlen, sb.payload);
			total += sb.payload;
			a->data[sa.l4 + 13] |= b->data[sb.l4 + 13] & 0x08; /* PSH */
			last.seq = sb.seq;
			last.payload = sb.payload;
			n_merged++;
			pkt_free(pool, b);
			j++;
		}
		i = j;
		if (n_merged == 1)
			continue;
		/* one super-frame: IPv4 length and checksum, partial TCP checksum, GSO metadata */
		uint8_t *ip = a->data + sa.l3, ph[12];
		uint32_t l4len = total - sa.l4;
		uint16_t c;

		a->size = total;
		ip[2] = (uint8_t)((total - sa.l3) >> 8);
		ip[3] = (uint8_t)(total - sa.l3);
		ip[10] = ip[11] = 0;
		c = csum_fold(csum_partial(ip, 20, 0));
		memcpy(ip + 10, &c, 2);
		memcpy(ph, ip + 12, 8);
		ph[8] = 0;
		ph[9] = 6;
		ph[10] = (uint8_t)(l4len >> 8);
		ph[11] = (uint8_t)l4len;
		c = (uint16_t)~csum_fold(csum_partial(ph, sizeof(ph), 0));
		memcpy(a->data + sa.l4 + 16, &c, 2);
		a->vnet.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		a->vnet.csum_start = (uint16_t)sa.l4;
		a->vnet.csum_offset = 16;
		a->vnet.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
		a->vnet.gso_size = (uint16_t)mss;
		a->vnet.hdr_len = (uint16_t)(sa.l4 + sa.thlen);
	}
	return out;
}

const char *uplink_missing_caps(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3] = { 0 };
	bool raw, admin;

	if (syscall(SYS_capget, &h, d))
		return NULL; /* cannot tell: let the socket calls report it */
	raw = d[CAP_NET_RAW / 32].effective & (1u << (CAP_NET_RAW % 32));
	admin = d[CAP_NET_ADMIN / 32].effective & (1u << (CAP_NET_ADMIN % 32));
	if (!raw && !admin)
		return "CAP_NET_RAW and CAP_NET_ADMIN";
	if (!raw)
		return "CAP_NET_RAW";
	if (!admin)
		return "CAP_NET_ADMIN";
	return NULL;
}

static bool uplink_ifname_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= IF_NAMESIZE || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '/' || s[i] == ':' || s[i] <= ' ' || s[i] > '~')
			return false;
	}
	return true;
}

static int uplink_check_opts(struct kv_list *opts, enum uplink_backend *b, char *err, size_t errsz)
{
	const char *ifname = kv_get(opts, "ifname");
	const char *backend = kv_get(opts, "backend");

	if (!ifname) {
		snprintf(err, errsz, "an uplink port needs ifname=INTERFACE");
		return -EINVAL;
	}
	if (!uplink_ifname_ok(ifname)) {
		snprintf(err, errsz, "ifname=%.32s: not a valid interface name (1..15 characters)",
			 ifname);
		return -EINVAL;
	}
	if (!uplink_parse_backend(backend, b)) {
		snprintf(err, errsz, "backend=%.32s: expected auto, afxdp or afpacket", backend);
		return -EINVAL;
	}
	return 0;
}

static int uplink_validate(struct kv_list *opts, char *err, size_t errsz)
{
	enum uplink_backend b;

	return uplink_check_opts(opts, &b, err, errsz);
}

/* ---- the interface ------------------------------------------------------ */

/*
 * Read the interface's flags, MAC and MTU. Return: 0, or -errno with @err set
 * (-ENODEV when it does not exist, -EPROTOTYPE when it is not Ethernet).
 */
static int uplink_if_query(struct uplink *u, short *flags, char *err, size_t errsz)
{
	struct ifreq ifr = { 0 };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;

	if (s < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", u->ifname);
	if (ioctl(s, SIOCGIFHWADDR, &ifr)) {
		rc = -errno;
		snprintf(err, errsz, "ifname=%s: %s", u->ifname,
			 errno == ENODEV ? "no such interface" : strerror(errno));
		goto out;
	}
	if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER) {
		rc = -EPROTOTYPE;
		snprintf(err, errsz, "ifname=%s: not an Ethernet interface", u->ifname);
		goto out;
	}
	memcpy(u->mac, ifr.ifr_hwaddr.sa_data, ETH_ALEN);
	if (ioctl(s, SIOCGIFMTU, &ifr)) {
		rc = -errno;
		snprintf(err, errsz, "ifname=%s: MTU: %s", u->ifname, strerror(errno));
		goto out;
	}
	u->if_mtu = (uint32_t)ifr.ifr_mtu;
	if (ioctl(s, SIOCGIFFLAGS, &ifr)) {
		rc = -errno;
		snprintf(err, errsz, "ifname=%s: flags: %s", u->ifname, strerror(errno));
		goto out;
	}
	*flags = ifr.ifr_flags;
	u->ifindex = if_nametoindex(u->ifname);
	if (!u->ifindex) {
		rc = -ENODEV;
		snprintf(err, errsz, "ifname=%s: no such interface", u->ifname);
	}
out:
	close(s);
	return rc;
}

/* The port follows the interface: up only when it is up with a carrier and attached. */
static void uplink_follow(struct port *p, struct uplink *u, unsigned flags)
{
	enum uplink_link was = u->link;

	if (u->active == UPLINK_NONE)
		return;
	u->link = (flags & IFF_UP) && (flags & IFF_RUNNING) ? UPLINK_LINK_UP : UPLINK_LINK_DOWN;
	if (u->link != was)
		u->link_changes++;
	if (u->link == UPLINK_LINK_UP)
		port_set_up(p);
	else if (!(flags & IFF_UP))
		port_set_down(p, "interface %s is down", u->ifname);
	else
		port_set_down(p, "interface %s has no carrier", u->ifname);
}

static void uplink_mtu_changed(struct port *p, struct uplink *u, uint32_t mtu)
{
	if (mtu == u->if_mtu)
		return;
	info("port %s: %s MTU %u -> %u%s", p->name, u->ifname, u->if_mtu, mtu,
	     u->mtu_fixed ? " (port keeps its configured mtu=)" : "");
	u->if_mtu = mtu;
	if (!u->mtu_fixed)
		p->mtu = mtu;
}

/* ---- attach and detach -------------------------------------------------- */

static void uplink_event(struct ev_source *src, uint32_t events);

static void uplink_detach(struct port *p, struct uplink *u)
{
	if (u->active == UPLINK_AFXDP)
		afxdp_close(&u->xdp, p);
	if (u->pk.fd >= 0) {
		evloop_del(&p->dp->loop, &u->pk_ev);
		afpacket_poll_stats(&u->pk);
		afpacket_close(&u->pk);
	}
	u->active = UPLINK_NONE;
}

/*
 * Attach the backend to interface u->ifname. Return: 0, or -errno with @err
 * set; nothing is left open on error.
 */
static int uplink_attach(struct port *p, struct uplink *u, char *err, size_t errsz)
{
	char why[256] = "";
	short flags = 0;
	int rc;

	rc = uplink_if_query(u, &flags, err, errsz);
	if (rc)
		return rc;
	if (!u->mtu_fixed)
		p->mtu = u->if_mtu;
	u->fallback[0] = '\0';
	if (u->want == UPLINK_AFXDP || u->want == UPLINK_AUTO) {
		if (u->if_mtu + ETH_HLEN + VLAN_HLEN > AFXDP_FRAME_MAX) {
			snprintf(why, sizeof(why), "MTU %u is larger than an AF_XDP frame holds",
				 u->if_mtu);
			rc = -EMSGSIZE;
		} else {
			rc = afxdp_open(&u->xdp, p, u->ifindex, u->ifname, u->mac,
					u->want == UPLINK_AFXDP, uplink_event, why, sizeof(why));
		}
		if (!rc && u->want == UPLINK_AUTO && !u->xdp.zerocopy) {
			/* copy mode loses GRO and TSO and gains little: measured in doc/uplink.md */
			snprintf(why, sizeof(why), "%s",
				 "native XDP but no AF_XDP zero-copy on this driver; AF_PACKET "
				 "keeps GRO/TSO and is faster in copy mode (backend=afxdp forces "
				 "it)");
			afxdp_close(&u->xdp, p);
			rc = -EOPNOTSUPP;
		}
		if (!rc) {
			rc = afpacket_open(&u->pk, u->ifindex, AFPACKET_MULTICAST, why,
					   sizeof(why));
			if (rc)
				afxdp_close(&u->xdp, p);
		}
		if (!rc) {
			u->active = UPLINK_AFXDP;
		} else if (u->want == UPLINK_AFXDP) {
			snprintf(err, errsz, "backend=afxdp on %s: %s", u->ifname, why);
			return rc;
		} else {
			snprintf(u->fallback, sizeof(u->fallback), "%s", why);
			info("port %s: AF_XDP not used on %s (%s); using AF_PACKET", p->name,
			     u->ifname, why);
		}
	}
	if (u->active == UPLINK_NONE) {
		rc = afpacket_open(&u->pk, u->ifindex, AFPACKET_ALL, why, sizeof(why));
		if (rc) {
			snprintf(err, errsz, "ifname=%s: %s", u->ifname, why);
			return rc;
		}
		u->active = UPLINK_AFPACKET;
	}
	u->pk_ev = (struct ev_source){ .fd = u->pk.fd, .cb = uplink_event, .arg = p };
	rc = evloop_add(&p->dp->loop, &u->pk_ev, EPOLLIN);
	if (rc) {
		snprintf(err, errsz, "epoll: %s", strerror(-rc));
		uplink_detach(p, u);
		return rc;
	}
	u->link = UPLINK_LINK_ABSENT; /* so uplink_follow logs the first state */
	uplink_follow(p, u, (unsigned short)flags);
	info("port %s: attached to %s (ifindex %u) with %s%s, MTU %u", p->name, u->ifname,
	     u->ifindex, u->active == UPLINK_AFXDP ? "AF_XDP" : "AF_PACKET",
	     u->active != UPLINK_AFXDP ? ""
	     : u->xdp.native	       ? " (native XDP)"
				       : " (generic XDP)",
	     u->if_mtu);
	return 0;
}

/* The interface went away: release everything, stay down until it returns. */
static void uplink_gone(struct port *p, struct uplink *u)
{
	if (u->active == UPLINK_NONE)
		return;
	uplink_detach(p, u);
	u->link = UPLINK_LINK_ABSENT;
	u->link_changes++;
	port_set_down(p, "interface %s was deleted; re-attaches when it returns", u->ifname);
}

static void uplink_try_reattach(struct port *p, struct uplink *u)
{
	char err[256];

	if (u->active != UPLINK_NONE || !if_nametoindex(u->ifname))
		return;
	if (uplink_attach(p, u, err, sizeof(err))) {
		log_ratelimited(LOG_LVL_WARN, "port %s: re-attaching: %s", p->name, err);
		return;
	}
	u->reattached++;
}

/* ---- netlink ------------------------------------------------------------ */

static void uplink_nl_link(struct port *p, struct uplink *u, const struct nlmsghdr *nh)
{
	const struct ifinfomsg *ifi = NLMSG_DATA(nh);
	int len = (int)nh->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*ifi));
	const char *name = NULL;
	const uint8_t *mac = NULL;
	uint32_t mtu = 0;

	if (len < 0)
		return;
	for (const struct rtattr *rta = IFLA_RTA(ifi); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		size_t plen = RTA_PAYLOAD(rta);

		if (rta->rta_type == IFLA_IFNAME && plen >= 1 && memchr(RTA_DATA(rta), '\0', plen))
			name = RTA_DATA(rta);
		else if (rta->rta_type == IFLA_MTU && plen == sizeof(uint32_t))
			memcpy(&mtu, RTA_DATA(rta), sizeof(mtu));
		else if (rta->rta_type == IFLA_ADDRESS && plen == ETH_ALEN)
			mac = RTA_DATA(rta);
	}
	if (u->active == UPLINK_NONE) {
		if (nh->nlmsg_type == RTM_NEWLINK && name && !strcmp(name, u->ifname))
			uplink_try_reattach(p, u);
		return;
	}
	if (ifi->ifi_index != (int)u->ifindex)
		return;
	if (nh->nlmsg_type == RTM_DELLINK) {
		uplink_gone(p, u);
		return;
	}
	if (mtu)
		uplink_mtu_changed(p, u, mtu);
	if (mac && memcmp(mac, u->mac, ETH_ALEN)) {
		memcpy(u->mac, mac, ETH_ALEN);
		if (u->active == UPLINK_AFXDP && afxdp_set_mac(&u->xdp, mac))
			warn("port %s: could not follow %s's new MAC", p->name, u->ifname);
	}
	if (name && strcmp(name, u->ifname)) {
		info("port %s: %s renamed to %s", p->name, u->ifname, name);
		snprintf(u->ifname, sizeof(u->ifname), "%s", name);
	}
	uplink_follow(p, u, ifi->ifi_flags);
}

static void uplink_nl_event(struct ev_source *src, uint32_t events)
{
	struct port *p = src->arg;
	struct uplink *u = p->priv;
	static uint8_t buf[UPLINK_NL_BUF_SIZE] __attribute__((aligned(4)));

	(void)events;
	for (unsigned r = 0; r < UPLINK_NL_MAX_READS; r++) {
		ssize_t n = recv(src->fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0) {
			if (errno == ENOBUFS) /* messages lost: the tick resynchronises */
				continue;
			return;
		}
		for (const struct nlmsghdr *nh = (const struct nlmsghdr *)buf;
		     NLMSG_OK(nh, (size_t)n); nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_type == RTM_NEWLINK || nh->nlmsg_type == RTM_DELLINK)
				uplink_nl_link(p, u, nh);
		}
	}
}

static int uplink_nl_open(struct port *p, struct uplink *u, char *err, size_t errsz)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE), rc;

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		rc = -errno;
		snprintf(err, errsz, "netlink link events: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return rc;
	}
	u->nl = (struct ev_source){ .fd = fd, .cb = uplink_nl_event, .arg = p };
	rc = evloop_add(&p->dp->loop, &u->nl, EPOLLIN);
	if (rc) {
		snprintf(err, errsz, "epoll: %s", strerror(-rc));
		close(fd);
		u->nl.fd = -1;
	}
	return rc;
}

/* ---- port ops ----------------------------------------------------------- */

static int uplink_open(struct port *p, struct kv_list *opts, char *err, size_t errsz)
{
	enum uplink_backend want;
	const char *missing;
	struct uplink *u;
	int rc;

	rc = uplink_check_opts(opts, &want, err, errsz);
	if (rc)
		return rc;
	missing = uplink_missing_caps();
	if (missing) {
		snprintf(err, errsz,
			 "an uplink port needs %s, which vnetd does not have (run it as root, or "
			 "grant it, e.g. AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN CAP_BPF)",
			 missing);
		return -EPERM;
	}
	u = calloc(1, sizeof(*u));
	if (!u) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	u->pk.fd = -1;
	u->nl.fd = -1;
	u->want = want;
	u->mtu_fixed = kv_get(opts, "mtu") != NULL;
	snprintf(u->ifname, sizeof(u->ifname), "%s", kv_get(opts, "ifname"));
	p->priv = u;
	rc = uplink_nl_open(p, u, err, errsz);
	if (rc)
		goto fail;
	rc = uplink_attach(p, u, err, errsz);
	if (rc)
		goto fail_nl;
	p->caps = PORT_CAP_CSUM | PORT_CAP_TSO4 | PORT_CAP_TSO6 | PORT_CAP_TSO_ECN;
	return 0;

fail_nl:
	evloop_del(&p->dp->loop, &u->nl);
	close(u->nl.fd);
fail:
	free(u);
	p->priv = NULL;
	return rc;
}

static void uplink_close(struct port *p)
{
	struct uplink *u = p->priv;

	if (!u)
		return;
	uplink_detach(p, u);
	if (u->nl.fd >= 0) {
		evloop_del(&p->dp->loop, &u->nl);
		close(u->nl.fd);
	}
	free(u);
	p->priv = NULL;
}

static unsigned uplink_rx_burst(struct port *p, struct pkt **pkts, unsigned n)
{
	struct uplink *u = p->priv;
	unsigned got = 0;

	if (u->active == UPLINK_AFXDP) {
		got = afxdp_rx_burst(&u->xdp, p, pkts, n);
		for (unsigned i = 0; i < got; i++)
			u->csum_partial_marked += uplink_mark_partial_csum(pkts[i]);
		if (got > 1) {
			unsigned merged = uplink_gro_burst(p->dp->pool, pkts, got);

			u->gro_merged += got - merged;
			got = merged;
		}
	}
	if (got < n)
		got += afpacket_rx_burst(&u->pk, p, pkts + got, n - got);
	return got;
}

static void uplink_event(struct ev_source *src, uint32_t events)
{
	struct port *p = src->arg;
	struct uplink *u = p->priv;

	if ((events & EPOLLERR) && src == &u->pk_ev) {
		int e = afpacket_clear_error(&u->pk);

		if (e && e != ENETDOWN)
			debug("port %s: %s: %s", p->name, u->ifname, strerror(e));
		if (e == ENODEV) {
			uplink_gone(p, u);
			return;
		}
	}
	if (p->state == PORT_UP) {
		port_poll(p, UPLINK_POLL_BUDGET);
		return;
	}
	/* down: what is still in the rings is stale; empty them so the fd quietens */
	for (unsigned i = 0; i < UPLINK_DRAIN_MAX / PKT_BATCH; i++) {
		struct pkt *pkts[PKT_BATCH];
		unsigned k = u->active == UPLINK_NONE ? 0 : uplink_rx_burst(p, pkts, PKT_BATCH);

		if (!k)
			break;
		port_count_drop(p, DROP_PORT_DOWN, k);
		pkt_free_burst(p->dp->pool, pkts, k);
	}
}

/* AF_XDP: segment super-frame @pk to the MTU and send the segments. */
static void uplink_xdp_tx_gso(struct port *p, struct uplink *u, struct pkt *pk, uint16_t tci,
			      uint16_t gso_size)
{
	struct pkt *segs[UPLINK_GSO_MAX_SEGS];
	uint16_t tcis[UPLINK_GSO_MAX_SEGS];
	uint16_t orig = pk->vnet.gso_size;
	unsigned n;

	/* the frame may be flooded to other ports too: restore its header afterwards */
	pk->vnet.gso_size = gso_size;
	n = gso_segment(pk, p->dp->pool, segs, UPLINK_GSO_MAX_SEGS);
	pk->vnet.gso_size = orig;
	if (!n) {
		port_count_drop(p, DROP_GSO_FAILED, 1);
		return;
	}
	u->gso_segmented++;
	p->stats.gso_segmented++;
	for (unsigned i = 0; i < n; i++)
		tcis[i] = tci;
	afxdp_tx_burst(&u->xdp, p, segs, tcis, n);
	pkt_free_burst(p->dp->pool, segs, n);
}

static unsigned uplink_tx_burst(struct port *p, struct pkt **pkts, const uint16_t *tci, unsigned n)
{
	struct uplink *u = p->priv;
	struct pkt *out[PKT_BATCH];
	uint16_t otci[PKT_BATCH], ogso[PKT_BATCH];
	unsigned m = 0, sent = 0;

	if (u->active == UPLINK_NONE) {
		port_count_drop(p, DROP_PORT_DOWN, n);
		return 0;
	}
	for (unsigned i = 0; i < n; i++) {
		struct pkt *pk = pkts[i];
		uint16_t gso = 0;

		if (pkt_is_gso(pk)) {
			gso = uplink_gso_size(pk, p->mtu);
			if (!gso) {
				port_count_drop(p, DROP_OVERSIZE, 1);
				continue;
			}
			u->gso_clamped += gso < pk->vnet.gso_size;
			if (u->active == UPLINK_AFXDP) {
				sent += afxdp_tx_burst(&u->xdp, p, out, otci, m);
				m = 0;
				uplink_xdp_tx_gso(p, u, pk, tci[i], gso);
				continue;
			}
		} else if (u->active == UPLINK_AFXDP && pkt_needs_csum(pk)) {
			if (!csum_complete_pkt(pk)) { /* valid for every destination */
				port_count_drop(p, DROP_BAD_VNET_HDR, 1);
				continue;
			}
			p->stats.csum_completed++;
		}
		out[m] = pk;
		otci[m] = tci[i];
		ogso[m++] = gso;
		if (m == PKT_BATCH) {
			sent += u->active == UPLINK_AFXDP
					? afxdp_tx_burst(&u->xdp, p, out, otci, m)
					: afpacket_tx_burst(&u->pk, p, out, otci, ogso, m);
			m = 0;
		}
	}
	if (m)
		sent += u->active == UPLINK_AFXDP
				? afxdp_tx_burst(&u->xdp, p, out, otci, m)
				: afpacket_tx_burst(&u->pk, p, out, otci, ogso, m);
	return sent;
}

/* Once a second: the ring counters, and whatever netlink may have missed. */
static void uplink_tick(struct port *p)
{
	struct uplink *u = p->priv;
	char name[IF_NAMESIZE];
	struct ifreq ifr = { 0 };
	int s;

	if (!u)
		return;
	if (u->active == UPLINK_NONE) {
		uplink_try_reattach(p, u);
		return;
	}
	afpacket_poll_stats(&u->pk);
	if (u->active == UPLINK_AFXDP)
		afxdp_poll_stats(&u->xdp);
	if (!if_indextoname(u->ifindex, name)) {
		uplink_gone(p, u);
		return;
	}
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (!ioctl(s, SIOCGIFFLAGS, &ifr))
		uplink_follow(p, u, (unsigned short)ifr.ifr_flags);
	if (!ioctl(s, SIOCGIFMTU, &ifr) && ifr.ifr_mtu > 0)
		uplink_mtu_changed(p, u, (uint32_t)ifr.ifr_mtu);
	close(s);
	/* port/set may have added or removed mtu=: without it the port follows the NIC */
	u->mtu_fixed = kv_get(&p->opts, "mtu") != NULL;
	if (!u->mtu_fixed && p->mtu != u->if_mtu)
		p->mtu = u->if_mtu;
}

static void uplink_info(struct port *p, struct json_t *obj)
{
	struct uplink *u = p->priv;
	static const char *const links[] = { "up", "down", "absent" };
	char mac[18];

	if (!u)
		return;
	afpacket_poll_stats(&u->pk);
	if (u->active == UPLINK_AFXDP)
		afxdp_poll_stats(&u->xdp);
	json_object_set_new(obj, "ifname", json_string(u->ifname));
	json_object_set_new(obj, "ifindex", json_integer(u->active ? u->ifindex : 0));
	json_object_set_new(obj, "backend", json_string(uplink_backend_name(u->active)));
	json_object_set_new(obj, "backend_requested", json_string(uplink_backend_name(u->want)));
	if (u->fallback[0])
		json_object_set_new(obj, "fallback_reason", json_string(u->fallback));
	if (u->active == UPLINK_AFXDP) {
		json_object_set_new(obj, "xdp_mode",
				    json_string(u->xdp.native ? "native" : "generic"));
		json_object_set_new(obj, "xdp_zerocopy", json_boolean(u->xdp.zerocopy));
		json_object_set_new(obj, "xdp_queues", json_integer(u->xdp.n_queues));
	}
	json_object_set_new(obj, "link", json_string(links[u->link]));
	json_object_set_new(obj, "promisc", json_boolean(u->active != UPLINK_NONE));
	json_object_set_new(obj, "host_mac", json_string(eth_mac_format(u->mac, mac)));
	json_object_set_new(obj, "if_mtu", json_integer(u->if_mtu));
	json_object_set_new(obj, "link_changes", json_integer((json_int_t)u->link_changes));
	json_object_set_new(obj, "reattached", json_integer((json_int_t)u->reattached));
	json_object_set_new(obj, "gso_clamped", json_integer((json_int_t)u->gso_clamped));
	json_object_set_new(obj, "gso_segmented", json_integer((json_int_t)u->gso_segmented));
	json_object_set_new(obj, "csum_partial_marked",
			    json_integer((json_int_t)u->csum_partial_marked));
	json_object_set_new(obj, "gro_merged", json_integer((json_int_t)u->gro_merged));
	/* ring drops and why */
	json_t *ring = json_object();

	json_object_set_new(ring, "afpacket_ring_full",
			    json_integer((json_int_t)u->pk.stats.ring_drops));
	json_object_set_new(ring, "afpacket_ring_freezes",
			    json_integer((json_int_t)u->pk.stats.ring_freezes));
	json_object_set_new(ring, "afpacket_truncated",
			    json_integer((json_int_t)u->pk.stats.truncated));
	json_object_set_new(ring, "afpacket_rx_errors",
			    json_integer((json_int_t)u->pk.stats.rx_errors));
	json_object_set_new(ring, "afpacket_tx_errors",
			    json_integer((json_int_t)u->pk.stats.tx_errors));
	if (u->active == UPLINK_AFXDP) {
		const struct afxdp_stats *x = &u->xdp.stats;

		json_object_set_new(ring, "xdp_rx_ring_full",
				    json_integer((json_int_t)x->rx_ring_full));
		json_object_set_new(ring, "xdp_rx_fill_empty",
				    json_integer((json_int_t)x->rx_fill_empty));
		json_object_set_new(ring, "xdp_rx_dropped",
				    json_integer((json_int_t)x->rx_dropped));
		json_object_set_new(ring, "xdp_rx_invalid",
				    json_integer((json_int_t)x->rx_invalid));
		json_object_set_new(ring, "xdp_tx_invalid",
				    json_integer((json_int_t)x->tx_invalid));
		json_object_set_new(ring, "xdp_tx_ring_empty",
				    json_integer((json_int_t)x->tx_ring_empty));
		json_object_set_new(ring, "xdp_tx_no_frame",
				    json_integer((json_int_t)x->tx_no_frame));
	}
	json_object_set_new(obj, "ring", ring);
}

const struct port_ops uplink_port_ops = {
	.type = "uplink",
	.help = "ifname=NAME (existing interface, e.g. a NIC) backend=auto|afxdp|afpacket "
		"(bridged mode: VMs on the interface's LAN; needs CAP_NET_RAW, CAP_NET_ADMIN)",
	.validate = uplink_validate,
	.open = uplink_open,
	.close = uplink_close,
	.rx_burst = uplink_rx_burst,
	.tx_burst = uplink_tx_burst,
	.info = uplink_info,
	.tick = uplink_tick,
};
