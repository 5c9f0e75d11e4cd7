// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vxlan.c - the vxlan port type: a VXLAN tunnel endpoint (RFC 7348).
 *
 * Theory of operation
 * -------------------
 * The port is a trunk of the switch. It owns the switch's VLAN <-> VNI map
 * (a switch has one vxlan port), the remote VTEPs of each VNI, and a table
 * of remote MACs: (VNI, inner source MAC) -> the VTEP it came from.
 *
 * Receive: one nonblocking UDP socket bound to local:dstport, with UDP_GRO,
 * drained with recvmmsg() into pool buffers. A message is one datagram, or
 * a train of datagrams of one size (a sender's UDP_SEGMENT, or a NIC's GRO).
 * vxlan_rx_check() checks each datagram (header length, I flag, VNI
 * carried, source VTEP allowed when restrict=on, inner frame at least an
 * Ethernet header and untagged) and learns the inner source MAC behind the
 * source VTEP, whose identity is its address (its source port is entropy,
 * see below). Consecutive TCP segments are coalesced back into TSO frames
 * (see "Receive coalescing"). The VXLAN header then turns into an 802.1Q tag
 * carrying the mapped local VLAN, in place: the MAC addresses move 4 bytes
 * forward. VLAN 0, the port's untagged traffic, is the vni= VNI: its frames
 * stay untagged. Reserved bits and other flags are ignored, as the RFC asks.
 * Every drop has its own counter and counts as rx_error on the port. A
 * message not taken apart when the burst is full stays held for the next
 * call.
 *
 * Transmit: the switch hands frames with the egress TCI it computed for a
 * trunk; its VLAN selects the VNI (TCI 0: the vni= VNI). A unicast
 * destination with a remote-MAC entry goes to that VTEP; anything else
 * (broadcast, multicast, unknown unicast) is replicated at the head end, one
 * copy per remote VTEP of the VNI. The UDP payload is an iovec pair (the
 * VNI's prebuilt 8-byte header, the frame): the switch's buffer is never
 * written, so one frame can be flooded to many ports and VTEPs. Copies go
 * out with sendmmsg() in batches; the segments of one TSO frame to one VTEP
 * go as one UDP_SEGMENT send (udpcsum= explains when that is off).
 *
 * Source port entropy: the kernel picks the outer UDP source port of a UDP
 * socket from its binding, so the port opens srcports= transmit sockets
 * bound to kernel-chosen ports (ip_local_port_range, the Linux default
 * range 32768-60999) and picks one with a hash of the inner flow (MACs, and
 * IP addresses, protocol and ports when present). A flow always uses one
 * source port; different flows spread over srcports values for underlay
 * ECMP. The transmit sockets have a BPF filter that drops everything
 * addressed to them, so they never queue input.
 *
 * MTU: the port takes no offloads from the switch (caps 0), so the switch
 * segments TSO frames and completes checksums before tx_burst. A frame
 * longer than the underlay allows after encapsulation (underlay_mtu - IP -
 * UDP - VXLAN: 1464 bytes of Ethernet frame, an inner MTU of 1450, on a
 * 1500-byte IPv4 underlay) is dropped, counted and logged (rate-limited).
 * The sockets set IP_PMTUDISC_DO, so the kernel never fragments either.
 *
 * Learning: the remote-MAC table is preallocated (macs_max=) and hashed by
 * (VNI, MAC) with a per-port random seed. Each VTEP keeps its learned
 * entries on an LRU list; a full table evicts the oldest entry of the VTEP
 * holding the most, so one VTEP flooding random MACs can only evict its own
 * once it owns the largest share. Aging runs at most once a second, from
 * the datapath and from vxlan/show (there is no timer: an idle port holds
 * its stale entries, and lookups ignore them). Static entries never age or
 * move. Unknown sources get a VTEP slot when restrict=off (freed once they
 * have no entries and sent nothing for the aging time).
 *
 * Configuration and persistence: the map, the remote VTEPs and the static
 * entries are port options (map=, remotes=, static=, vni=), so saving the
 * port's options saves them. The vxlan/ commands edit a copy of the parsed
 * configuration, write it back into a copy of the options (continuation
 * keys map.2, remotes.2... when a value would pass KV_VAL_MAX), and only
 * then apply both; a change that cannot be saved is refused. Applying
 * rebuilds the VNI table and the flood lists and re-adds static entries;
 * learned entries and per-VTEP counters survive.
 *
 * Everything runs on the datapath thread that owns the port, control
 * commands included, so nothing is locked.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <netinet/udp.h>
#include <unistd.h>
#include <jansson.h>

#include "../base/log.h"
#include "../base/util.h"
#include "../net/csum.h"
#include "../net/eth.h"
#include "../net/frame.h"
#include "vxlan.h"

#define VXLAN_NONE16 0xffffu
#define VXLAN_NONE32 0xffffffffu
#define VXLAN_NO_VNI 0xffffffffu
#define VXLAN_VNI_TABLE_MAX VLAN_N_VID /* VNIs carried: VLAN 0 (untagged) .. 4094 */
#define VXLAN_VNI_SLOTS 8192 /* open-addressing slots for VNI lookup (power of 2) */
#define VXLAN_VTEP_BUCKETS 2048 /* hash chains for VTEP lookup (power of 2) */
#define VXLAN_CFG_PAIRS_MAX 2048 /* (VNI, remote) pairs in the flood lists */
#define VXLAN_CFG_STATIC_MAX 1024 /* static MAC entries */
#define VXLAN_TX_BATCH 64 /* datagrams per sendmmsg() */
#define VXLAN_GSO_SEGS_MAX 64 /* datagrams per UDP_SEGMENT send (the kernel's limit) */
#define VXLAN_GSO_BYTES_MAX 65000 /* UDP payload per UDP_SEGMENT send (< 64 KiB - headers) */
#define VXLAN_POLL_BUDGET 8 /* bursts per readiness event */
#define VXLAN_RX_MSGS PKT_BATCH /* messages per recvmmsg() */
#define VXLAN_SOCKBUF_SIZE (4 << 20) /* socket buffers: absorb bursts of 64 KiB frames */
#define VXLAN_AGE_INTERVAL_NS NS_PER_S /* aging runs at most this often */
#define VXLAN_REFRESH_NS (NS_PER_S / 4) /* relink a learned entry on the LRU at most this often */
#define VXLAN_IPV4_HLEN 20
#define VXLAN_IPV6_HLEN 40
#define VXLAN_UDP_HLEN 8
#define VXLAN_ADDR_STRLEN 64 /* "[ipv6]:port" */
#define VXLAN_GRO_MAX_SEGS 44 /* segments per coalesced frame: 64 KiB of 1.4 KiB segments */
#define VXLAN_TCP_FLAGS_OK 0x18 /* ACK and PSH: other flags end a train */

union vxlan_addr {
	struct sockaddr sa;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
};

/* One remote VTEP in a flood list, and one static entry, as configured. */
struct vxlan_pair_cfg {
	uint32_t vni;
	union vxlan_addr addr;
};

struct vxlan_static_cfg {
	uint32_t vni;
	uint8_t mac[ETH_ALEN];
	union vxlan_addr addr;
};

/**
 * struct vxlan_cfg - the parsed options (heap: the commands edit copies)
 * @local:     local address; its port is @dstport
 * @dstport:   UDP port of every VTEP of the fabric
 * @vlan_vni:  VNI of each local VLAN, VXLAN_NO_VNI if none (VLAN 0 = untagged, vni=)
 * @pairs:     flood lists: (VNI, remote) pairs, in configuration order
 * @statics:   static (VNI, MAC) -> remote entries
 * @restrict_vteps: accept a VNI only from its listed remotes
 * @udp_csum:  outer UDP checksum over IPv4 (udpcsum=; IPv6 always has one)
 */
struct vxlan_cfg {
	union vxlan_addr local;
	uint16_t dstport;
	uint32_t vlan_vni[VLAN_N_VID];
	unsigned n_pairs;
	struct vxlan_pair_cfg pairs[VXLAN_CFG_PAIRS_MAX];
	unsigned n_statics;
	struct vxlan_static_cfg statics[VXLAN_CFG_STATIC_MAX];
	bool restrict_vteps;
	bool udp_csum;
	uint32_t macs_max;
	uint32_t aging_s;
	uint32_t n_srcports;
	uint32_t underlay_mtu;
};

/**
 * struct vxlan_vni - one VNI the port carries (rebuilt on every apply)
 * @hdr:      its VXLAN header, sent as the first iovec of every copy
 * @vlan:     local VLAN (0: untagged)
 * @remotes:  flood list: VTEP indices, sorted (binary search for restrict=on)
 */
struct vxlan_vni {
	uint32_t vni;
	uint16_t vlan;
	uint16_t n_remotes;
	uint16_t *remotes;
	uint8_t hdr[VXLAN_HLEN];
};

/**
 * struct vxlan_vtep - one remote VTEP, configured or learned
 * @next:      hash chain
 * @n_lists:   flood lists naming it (0: learned only)
 * @n_static:  static entries pointing at it
 * @n_learned: learned entries pointing at it, on the @lru list (oldest first)
 */
struct vxlan_vtep {
	union vxlan_addr addr;
	uint16_t next;
	bool in_use;
	uint32_t n_lists;
	uint32_t n_static;
	uint32_t n_learned;
	uint32_t lru_head, lru_tail;
	uint64_t last_rx_ns;
	uint64_t rx_packets, rx_bytes;
	uint64_t tx_packets, tx_bytes;
};

/* One (VNI, MAC) -> VTEP entry; free entries are chained through @next. */
struct vxlan_mac {
	uint8_t mac[ETH_ALEN];
	uint16_t vtep;
	uint32_t vni;
	uint32_t next;
	uint32_t lru_prev, lru_next;
	uint64_t seen_ns;
	bool in_use;
	bool is_static;
};

/* A received message not yet fully taken apart (see vxlan_rx_burst()). */
struct vxlan_rxmsg {
	struct pkt *pk; /* the buffer */
	uint32_t len; /* bytes in it */
	uint32_t seg; /* datagram size of a UDP GRO train, 0 for one datagram */
	uint32_t off; /* the next datagram */
	union vxlan_addr src; /* the sender */
};

/**
 * struct vxlan - a vxlan port's state
 * @ev:        the receive socket in the loop
 * @tx_fd:     transmit sockets, one per UDP source port (@tx_port, host order)
 * @cfg:       configuration in force
 * @family:    AF_INET or AF_INET6 (local and every remote)
 * @inner_max: longest inner Ethernet frame the underlay carries
 * @vlan_vni:  index + 1 in @vnis of the VNI carrying each VLAN, 0 if none
 */
struct vxlan {
	struct ev_source ev;
	int tx_fd[VXLAN_SRCPORTS_MAX];
	uint16_t tx_port[VXLAN_SRCPORTS_MAX];
	unsigned n_tx;
	struct vxlan_cfg *cfg;
	int family;
	uint32_t inner_max;
	uint64_t aging_ns;
	uint32_t seed;
	uint64_t next_age_ns;
	bool gso; /* UDP segmentation offload on transmit (UDP_SEGMENT) */

	unsigned n_vnis;
	struct vxlan_vni vnis[VXLAN_VNI_TABLE_MAX];
	uint16_t vni_slot[VXLAN_VNI_SLOTS];
	uint16_t vlan_vni[VLAN_N_VID];

	unsigned n_vteps;
	struct vxlan_vtep vteps[VXLAN_VTEP_MAX];
	uint16_t vtep_bucket[VXLAN_VTEP_BUCKETS];

	uint32_t macs_max, n_macs, mac_mask, mac_free;
	struct vxlan_mac *macs;
	uint32_t *mac_bucket;

	struct vxlan_rxmsg held[VXLAN_RX_MSGS];
	unsigned held_first, held_n;
	bool rx_out_armed; /* EPOLLOUT requested: held messages wait for a call */

	uint64_t cnt[N_VXLAN_CNT];
};

static const char *const vxlan_cnt_names[N_VXLAN_CNT] = {
#define VXLAN_CNT_NAME_(e, name, desc) name,
	VXLAN_COUNTERS(VXLAN_CNT_NAME_)
#undef VXLAN_CNT_NAME_
};

bool vxlan_is(const struct port *p)
{
	return p && p->ops == &vxlan_port_ops;
}

static uint64_t vxlan_now(const struct port *p)
{
	return p->dp->now_ns ? p->dp->now_ns : now_ns();
}

/* ---- hashing -------------------------------------------------------------- */

static inline uint32_t vxlan_mix(uint32_t h, uint32_t v)
{
	h ^= v * 0xcc9e2d51u;
	h = (h << 13) | (h >> 19);
	return h * 5 + 0xe6546b64u;
}

static inline uint32_t vxlan_fmix(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	return h ^ (h >> 16);
}

static inline uint32_t vxlan_load32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t vxlan_mac_hash(const struct vxlan *vx, uint32_t vni, const uint8_t *mac)
{
	uint32_t h = vxlan_mix(vx->seed, vni);

	h = vxlan_mix(h, vxlan_load32(mac));
	h = vxlan_mix(h, (uint32_t)mac[4] << 8 | mac[5]);
	return vxlan_fmix(h);
}

/* The IP address only: a VTEP sends from any source port (see vxlan_vtep_find()). */
static uint32_t vxlan_addr_hash(const struct vxlan *vx, const union vxlan_addr *a)
{
	uint32_t h = vx->seed;

	if (a->sa.sa_family == AF_INET)
		return vxlan_fmix(vxlan_mix(h, a->sin.sin_addr.s_addr));
	for (unsigned i = 0; i < 16; i += 4)
		h = vxlan_mix(h, vxlan_load32(a->sin6.sin6_addr.s6_addr + i));
	return vxlan_fmix(h);
}

/*
 * The inner flow, for the UDP source port: MAC addresses, and for IPv4/IPv6
 * the addresses, the protocol and (unfragmented TCP/UDP) the ports. Every
 * read is checked against @size.
 */
static uint32_t vxlan_flow_hash(const struct vxlan *vx, const uint8_t *f, uint32_t size)
{
	uint32_t h = vx->seed;
	uint16_t type;
	const uint8_t *ip;

	if (size < ETH_HLEN)
		return h;
	h = vxlan_mix(h, vxlan_load32(f));
	h = vxlan_mix(h, vxlan_load32(f + 4));
	h = vxlan_mix(h, vxlan_load32(f + 8));
	type = (uint16_t)(f[12] << 8 | f[13]);
	ip = f + ETH_HLEN;
	size -= ETH_HLEN;
	if (type == ETH_P_IP_ && size >= VXLAN_IPV4_HLEN) {
		unsigned ihl = (ip[0] & 0x0fu) * 4;
		bool frag = ((ip[6] << 8 | ip[7]) & 0x3fff) != 0;

		h = vxlan_mix(h, vxlan_load32(ip + 12));
		h = vxlan_mix(h, vxlan_load32(ip + 16));
		h = vxlan_mix(h, ip[9]);
		if (ihl >= VXLAN_IPV4_HLEN && !frag &&
		    (ip[9] == IPPROTO_TCP || ip[9] == IPPROTO_UDP) && size >= ihl + 4)
			h = vxlan_mix(h, vxlan_load32(ip + ihl));
	} else if (type == ETH_P_IPV6_ && size >= VXLAN_IPV6_HLEN) {
		for (unsigned i = 8; i < VXLAN_IPV6_HLEN; i += 4)
			h = vxlan_mix(h, vxlan_load32(ip + i));
		h = vxlan_mix(h, ip[6]);
		if ((ip[6] == IPPROTO_TCP || ip[6] == IPPROTO_UDP) && size >= VXLAN_IPV6_HLEN + 4)
			h = vxlan_mix(h, vxlan_load32(ip + VXLAN_IPV6_HLEN));
	}
	return vxlan_fmix(h);
}

/* ---- addresses ------------------------------------------------------------ */

static bool vxlan_ip_eq(const union vxlan_addr *a, const union vxlan_addr *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return false;
	if (a->sa.sa_family == AF_INET)
		return a->sin.sin_addr.s_addr == b->sin.sin_addr.s_addr;
	return !memcmp(&a->sin6.sin6_addr, &b->sin6.sin6_addr, sizeof(struct in6_addr));
}

static bool vxlan_addr_eq(const union vxlan_addr *a, const union vxlan_addr *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return false;
	if (a->sa.sa_family == AF_INET)
		return a->sin.sin_port == b->sin.sin_port &&
		       a->sin.sin_addr.s_addr == b->sin.sin_addr.s_addr;
	return a->sin6.sin6_port == b->sin6.sin6_port &&
	       !memcmp(&a->sin6.sin6_addr, &b->sin6.sin6_addr, sizeof(struct in6_addr));
}

static uint16_t vxlan_addr_port(const union vxlan_addr *a)
{
	return ntohs(a->sa.sa_family == AF_INET ? a->sin.sin_port : a->sin6.sin6_port);
}

static socklen_t vxlan_addr_len(const union vxlan_addr *a)
{
	return a->sa.sa_family == AF_INET ? sizeof(a->sin) : sizeof(a->sin6);
}

/* An IP address (no port) into @a, with port @port. */
static bool vxlan_ip_parse(const char *s, uint16_t port, union vxlan_addr *a)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, s, &a->sin.sin_addr) == 1) {
		a->sin.sin_family = AF_INET;
		a->sin.sin_port = htons(port);
		return true;
	}
	if (inet_pton(AF_INET6, s, &a->sin6.sin6_addr) == 1) {
		a->sin6.sin6_family = AF_INET6;
		a->sin6.sin6_port = htons(port);
		return true;
	}
	return false;
}

/* "IPv4", "IPv4:PORT", "IPv6" or "[IPv6]:PORT"; @port when none is given. */
static bool vxlan_addr_parse(const char *s, uint16_t port, union vxlan_addr *a)
{
	char buf[VXLAN_ADDR_STRLEN];
	const char *ip = buf, *ps = NULL;
	size_t n = strlen(s);

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n + 1);
	if (buf[0] == '[') {
		char *close = strchr(buf, ']');

		if (!close || (close[1] && close[1] != ':') || (close[1] == ':' && !close[2]))
			return false;
		*close = '\0';
		ip = buf + 1;
		if (close[1])
			ps = close + 2;
		if (!strchr(ip, ':'))
			return false; /* brackets are for IPv6 */
	} else {
		char *colon = strchr(buf, ':');

		if (colon && !strchr(colon + 1, ':')) { /* exactly one colon: IPv4:PORT */
			*colon = '\0';
			ps = colon + 1;
		}
	}
	if (ps) {
		char *end;
		unsigned long v;

		if (!isdigit((unsigned char)*ps))
			return false;
		v = strtoul(ps, &end, 10);
		if (*end || v < 1 || v > 65535)
			return false;
		port = (uint16_t)v;
	}
	if (!vxlan_ip_parse(ip, port, a))
		return false;
	return !ps || a->sa.sa_family == AF_INET || buf[0] == '[';
}

/* Address as text; the port only when it is not @dstport. */
static char *vxlan_addr_format(const union vxlan_addr *a, uint16_t dstport,
			       char buf[static VXLAN_ADDR_STRLEN])
{
	char ip[INET6_ADDRSTRLEN];
	uint16_t port = vxlan_addr_port(a);

	if (a->sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &a->sin.sin_addr, ip, sizeof(ip));
		if (port == dstport)
			snprintf(buf, VXLAN_ADDR_STRLEN, "%s", ip);
		else
			snprintf(buf, VXLAN_ADDR_STRLEN, "%s:%u", ip, port);
	} else if (a->sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &a->sin6.sin6_addr, ip, sizeof(ip));
		if (port == dstport)
			snprintf(buf, VXLAN_ADDR_STRLEN, "%s", ip);
		else
			snprintf(buf, VXLAN_ADDR_STRLEN, "[%s]:%u", ip, port);
	} else {
		snprintf(buf, VXLAN_ADDR_STRLEN, "?");
	}
	return buf;
}

/* ---- configuration: options <-> struct vxlan_cfg ------------------------- */

/* Is @key @base or a continuation key @base.N? */
static bool vxlan_key_is(const char *key, const char *base)
{
	size_t n = strlen(base);

	if (strncmp(key, base, n))
		return false;
	if (!key[n])
		return true;
	if (key[n] != '.' || !key[n + 1])
		return false;
	for (const char *c = key + n + 1; *c; c++) {
		if (!isdigit((unsigned char)*c))
			return false;
	}
	return true;
}

static bool vxlan_u32_parse(const char *s, uint32_t max, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* The VLAN carrying @vni in @c, or -1. */
static int vxlan_cfg_vlan_of(const struct vxlan_cfg *c, uint32_t vni)
{
	for (unsigned v = 0; v < VLAN_N_VID; v++) {
		if (c->vlan_vni[v] == vni)
			return (int)v;
	}
	return -1;
}

static bool vxlan_cfg_set_map(struct vxlan_cfg *c, uint32_t vlan, uint32_t vni, const char *key,
			      char *err, size_t errsz)
{
	int other = vxlan_cfg_vlan_of(c, vni);

	if (c->vlan_vni[vlan] != VXLAN_NO_VNI && c->vlan_vni[vlan] != vni) {
		snprintf(err, errsz, "%s: VLAN %u is mapped twice (VNI %u and %u)", key, vlan,
			 c->vlan_vni[vlan], vni);
		return false;
	}
	if (other >= 0 && (uint32_t)other != vlan) {
		snprintf(err, errsz, "%s: VNI %u is mapped to VLAN %d and VLAN %u", key, vni, other,
			 vlan);
		return false;
	}
	c->vlan_vni[vlan] = vni;
	return true;
}

static int vxlan_cfg_find_pair(const struct vxlan_cfg *c, uint32_t vni, const union vxlan_addr *a)
{
	for (unsigned i = 0; i < c->n_pairs; i++) {
		if (c->pairs[i].vni == vni && vxlan_addr_eq(&c->pairs[i].addr, a))
			return (int)i;
	}
	return -1;
}

static int vxlan_cfg_find_static(const struct vxlan_cfg *c, uint32_t vni, const uint8_t *mac)
{
	for (unsigned i = 0; i < c->n_statics; i++) {
		if (c->statics[i].vni == vni && !memcmp(c->statics[i].mac, mac, ETH_ALEN))
			return (int)i;
	}
	return -1;
}

/* A remote address of the port's family; @what names it in errors. */
static bool vxlan_cfg_remote(const struct vxlan_cfg *c, const char *s, union vxlan_addr *a,
			     const char *what, char *err, size_t errsz)
{
	if (!vxlan_addr_parse(s, c->dstport, a)) {
		snprintf(err, errsz,
			 "%s: '%.64s' is not an IP address (IP, IPv4:PORT or [IPv6]:PORT)", what,
			 s);
		return false;
	}
	if (a->sa.sa_family != c->local.sa.sa_family) {
		snprintf(err, errsz, "%s: %.64s is not of the family of local= (IPv%c)", what, s,
			 c->local.sa.sa_family == AF_INET ? '4' : '6');
		return false;
	}
	return true;
}

static bool vxlan_cfg_add_pair(struct vxlan_cfg *c, uint32_t vni, const union vxlan_addr *a,
			       const char *what, char *err, size_t errsz)
{
	if (vxlan_cfg_find_pair(c, vni, a) >= 0)
		return true;
	if (c->n_pairs == VXLAN_CFG_PAIRS_MAX) {
		snprintf(err, errsz, "%s: more than %d (VNI, remote) pairs", what,
			 VXLAN_CFG_PAIRS_MAX);
		return false;
	}
	c->pairs[c->n_pairs].vni = vni;
	c->pairs[c->n_pairs++].addr = *a;
	return true;
}

static bool vxlan_cfg_add_static(struct vxlan_cfg *c, uint32_t vni, const uint8_t *mac,
				 const union vxlan_addr *a, const char *what, char *err,
				 size_t errsz)
{
	int i = vxlan_cfg_find_static(c, vni, mac);

	if (eth_is_multicast(mac) || eth_is_zero(mac)) {
		snprintf(err, errsz, "%s: a static entry needs a unicast MAC address", what);
		return false;
	}
	if (i < 0) {
		if (c->n_statics == VXLAN_CFG_STATIC_MAX || c->n_statics >= c->macs_max / 2) {
			snprintf(err, errsz, "%s: more than %u static entries", what,
				 MIN((unsigned)VXLAN_CFG_STATIC_MAX, c->macs_max / 2));
			return false;
		}
		i = (int)c->n_statics++;
	}
	c->statics[i].vni = vni;
	memcpy(c->statics[i].mac, mac, ETH_ALEN);
	c->statics[i].addr = *a;
	return true;
}

/* map=VLAN:VNI,... */
static bool vxlan_parse_map(struct vxlan_cfg *c, const char *key, char *val, char *err,
			    size_t errsz)
{
	char *save = NULL;

	for (char *t = strtok_r(val, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(t, ':');
		uint32_t vlan, vni;

		if (!colon) {
			snprintf(err, errsz, "%s: '%.32s': expected VLAN:VNI", key, t);
			return false;
		}
		*colon = '\0';
		if (!vxlan_u32_parse(t, VLAN_N_VID - 2, &vlan) ||
		    !vxlan_u32_parse(colon + 1, VXLAN_VNI_MAX, &vni)) {
			snprintf(err, errsz,
				 "%s: '%.16s:%.16s': expected VLAN:VNI, VLAN 0..4094, VNI 0..%u",
				 key, t, colon + 1, VXLAN_VNI_MAX);
			return false;
		}
		if (!vxlan_cfg_set_map(c, vlan, vni, key, err, errsz))
			return false;
	}
	return true;
}

/* remotes=VNI@ADDR+ADDR,VNI@ADDR... */
static bool vxlan_parse_remotes(struct vxlan_cfg *c, const char *key, char *val, char *err,
				size_t errsz)
{
	char *save = NULL;

	for (char *t = strtok_r(val, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *at = strchr(t, '@'), *save2 = NULL;
		uint32_t vni;

		if (!at || !vxlan_u32_parse((*at = '\0', t), VXLAN_VNI_MAX, &vni)) {
			snprintf(err, errsz, "%s: expected VNI@ADDR+ADDR..., VNI 0..%u", key,
				 VXLAN_VNI_MAX);
			return false;
		}
		for (char *a = strtok_r(at + 1, "+", &save2); a; a = strtok_r(NULL, "+", &save2)) {
			union vxlan_addr addr;

			if (!vxlan_cfg_remote(c, a, &addr, key, err, errsz) ||
			    !vxlan_cfg_add_pair(c, vni, &addr, key, err, errsz))
				return false;
		}
	}
	return true;
}

/* static=VNI/MAC@ADDR,... */
static bool vxlan_parse_statics(struct vxlan_cfg *c, const char *key, char *val, char *err,
				size_t errsz)
{
	char *save = NULL;

	for (char *t = strtok_r(val, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		char *slash = strchr(t, '/'), *at = strchr(t, '@');
		union vxlan_addr addr;
		uint8_t mac[ETH_ALEN];
		uint32_t vni;

		if (!slash || !at || at < slash) {
			snprintf(err, errsz, "%s: expected VNI/MAC@ADDR", key);
			return false;
		}
		*slash = '\0';
		*at = '\0';
		if (!vxlan_u32_parse(t, VXLAN_VNI_MAX, &vni) || strlen(slash + 1) != 17 ||
		    !eth_mac_parse(slash + 1, mac)) {
			snprintf(err, errsz, "%s: expected VNI/MAC@ADDR, VNI 0..%u", key,
				 VXLAN_VNI_MAX);
			return false;
		}
		if (!vxlan_cfg_remote(c, at + 1, &addr, key, err, errsz) ||
		    !vxlan_cfg_add_static(c, vni, mac, &addr, key, err, errsz))
			return false;
	}
	return true;
}

/* Distinct remote addresses in flood lists and static entries: bounded by VXLAN_REMOTES_MAX. */
static bool vxlan_cfg_check_remotes(const struct vxlan_cfg *c, char *err, size_t errsz)
{
	unsigned n = 0;

	for (unsigned i = 0; i < c->n_pairs + c->n_statics; i++) {
		const union vxlan_addr *a =
			i < c->n_pairs ? &c->pairs[i].addr : &c->statics[i - c->n_pairs].addr;
		bool seen = false;

		for (unsigned j = 0; j < i && !seen; j++)
			seen = vxlan_addr_eq(a, j < c->n_pairs ? &c->pairs[j].addr
							       : &c->statics[j - c->n_pairs].addr);
		n += !seen;
	}
	if (n > VXLAN_REMOTES_MAX) {
		snprintf(err, errsz, "more than %d distinct remote VTEPs", VXLAN_REMOTES_MAX);
		return false;
	}
	return true;
}

/* underlay_mtu must leave room for the headers and a 68-byte inner IP MTU */
static uint32_t vxlan_cfg_inner_max(const struct vxlan_cfg *c)
{
	uint32_t ip = c->local.sa.sa_family == AF_INET ? VXLAN_IPV4_HLEN : VXLAN_IPV6_HLEN;
	uint32_t hdrs = ip + VXLAN_UDP_HLEN + VXLAN_HLEN;

	return c->underlay_mtu > hdrs ? c->underlay_mtu - hdrs : 0;
}

/*
 * vxlan_cfg_parse() - the type's options from @opts (consumed); NULL with
 * @err set when they are invalid.
 */
static struct vxlan_cfg *vxlan_cfg_parse(struct kv_list *opts, char *err, size_t errsz)
{
	struct vxlan_cfg *c = calloc(1, sizeof(*c));
	const char *local = kv_get(opts, "local"), *restr = kv_get(opts, "restrict");
	const char *csum = kv_get(opts, "udpcsum");
	uint64_t dstport = VXLAN_DSTPORT_DEFAULT, vni = VXLAN_NO_VNI;
	uint64_t macs = VXLAN_MACS_DEFAULT_MAX, aging = VXLAN_AGING_DEFAULT_S;
	uint64_t srcports = VXLAN_SRCPORTS_DEFAULT, mtu = VXLAN_UNDERLAY_MTU_DEFAULT;

	if (!c) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	for (unsigned v = 0; v < VLAN_N_VID; v++)
		c->vlan_vni[v] = VXLAN_NO_VNI;
	if (!kv_get_u64(opts, "dstport", 1, 65535, &dstport, err, errsz) ||
	    !kv_get_u64(opts, "vni", 0, VXLAN_VNI_MAX, &vni, err, errsz) ||
	    !kv_get_u64(opts, "macs_max", VXLAN_MACS_MIN, VXLAN_MACS_MAX_MAX, &macs, err, errsz) ||
	    !kv_get_u64(opts, "aging", 1, VXLAN_AGING_MAX_S, &aging, err, errsz) ||
	    !kv_get_u64(opts, "srcports", 1, VXLAN_SRCPORTS_MAX, &srcports, err, errsz) ||
	    !kv_get_u64(opts, "underlay_mtu", 128, 65535, &mtu, err, errsz))
		goto err;
	c->dstport = (uint16_t)dstport;
	c->macs_max = (uint32_t)macs;
	c->aging_s = (uint32_t)aging;
	c->n_srcports = (uint32_t)srcports;
	c->underlay_mtu = (uint32_t)mtu;
	if (!local) {
		snprintf(err, errsz, "local=IP is required: this VTEP's underlay address");
		goto err;
	}
	if (!vxlan_ip_parse(local, c->dstport, &c->local)) {
		snprintf(err, errsz, "local=%.64s: not an IPv4 or IPv6 address", local);
		goto err;
	}
	if (vxlan_cfg_inner_max(c) < ETH_HLEN + 68) {
		snprintf(err, errsz, "underlay_mtu=%u leaves no room for an inner frame",
			 c->underlay_mtu);
		goto err;
	}
	if (restr && strcmp(restr, "on") && strcmp(restr, "off") && strcmp(restr, "true") &&
	    strcmp(restr, "false")) {
		snprintf(err, errsz, "restrict=%.32s: expected on or off", restr);
		goto err;
	}
	c->restrict_vteps = restr && (!strcmp(restr, "on") || !strcmp(restr, "true"));
	if (csum && strcmp(csum, "on") && strcmp(csum, "off")) {
		snprintf(err, errsz, "udpcsum=%.32s: expected on or off", csum);
		goto err;
	}
	c->udp_csum = !csum || !strcmp(csum, "on");
	if (vni != VXLAN_NO_VNI)
		c->vlan_vni[0] = (uint32_t)vni;
	for (unsigned i = 0; i < opts->n; i++) {
		char key[KV_KEY_MAX], val[KV_VAL_MAX];
		bool ok = true;

		snprintf(key, sizeof(key), "%s", opts->kv[i].key);
		if (!vxlan_key_is(key, "map") && !vxlan_key_is(key, "remotes") &&
		    !vxlan_key_is(key, "static"))
			continue;
		snprintf(val, sizeof(val), "%s", kv_get(opts, key));
		if (vxlan_key_is(key, "map"))
			ok = vxlan_parse_map(c, key, val, err, errsz);
		else if (vxlan_key_is(key, "remotes"))
			ok = vxlan_parse_remotes(c, key, val, err, errsz);
		else
			ok = vxlan_parse_statics(c, key, val, err, errsz);
		if (!ok)
			goto err;
	}
	if (!vxlan_cfg_check_remotes(c, err, errsz))
		goto err;
	return c;
err:
	free(c);
	return NULL;
}

static struct vxlan_cfg *vxlan_cfg_dup(const struct vxlan_cfg *c)
{
	struct vxlan_cfg *d = malloc(sizeof(*d));

	if (d)
		memcpy(d, c, sizeof(*d));
	return d;
}

/*
 * Writing a list into options: items joined by ',', and split over @base,
 * @base.2, @base.3... when a value would be longer than KV_VAL_MAX. Items of
 * the same group (the "VNI@" of remotes) share one prefix, joined by '+'.
 */
struct vxlan_kvw {
	struct kv_list *kv;
	const char *base;
	unsigned part;
	size_t len;
	bool ok;
	char group[24];
	char val[KV_VAL_MAX];
};

static void vxlan_kvw_flush(struct vxlan_kvw *w)
{
	char key[KV_KEY_MAX];

	if (!w->len)
		return;
	if (w->part == 0)
		snprintf(key, sizeof(key), "%s", w->base);
	else
		snprintf(key, sizeof(key), "%s.%u", w->base, w->part + 1);
	if (!kv_set(w->kv, key, w->val))
		w->ok = false;
	w->part++;
	w->len = 0;
	w->val[0] = '\0';
	w->group[0] = '\0';
}

static void vxlan_kvw_put(struct vxlan_kvw *w, const char *group, const char *item)
{
	size_t gl = strlen(group), il = strlen(item);

	if (gl && !strcmp(group, w->group) && w->len + 1 + il < KV_VAL_MAX) {
		w->val[w->len++] = '+';
	} else {
		if (w->len + 1 + gl + il >= KV_VAL_MAX)
			vxlan_kvw_flush(w);
		if (w->len)
			w->val[w->len++] = ',';
		memcpy(w->val + w->len, group, gl);
		w->len += gl;
		snprintf(w->group, sizeof(w->group), "%s", group);
	}
	memcpy(w->val + w->len, item, il + 1);
	w->len += il;
}

/*
 * vxlan_cfg_to_kv() - replace the map, remote and static options in @kv
 * with @c's. Return: false with @err set if they do not fit in KV_MAX options.
 */
static bool vxlan_cfg_to_kv(const struct vxlan_cfg *c, struct kv_list *kv, char *err, size_t errsz)
{
	struct vxlan_kvw w = { .kv = kv, .ok = true };
	char item[2 * VXLAN_ADDR_STRLEN], group[24], mac[18], a[VXLAN_ADDR_STRLEN];

	for (unsigned i = 0; i < kv->n;) {
		char key[KV_KEY_MAX];

		snprintf(key, sizeof(key), "%s", kv->kv[i].key);
		if (vxlan_key_is(key, "map") || vxlan_key_is(key, "remotes") ||
		    vxlan_key_is(key, "static") || !strcmp(key, "vni"))
			kv_del(kv, key);
		else
			i++;
	}
	if (c->vlan_vni[0] != VXLAN_NO_VNI) {
		snprintf(item, sizeof(item), "%u", c->vlan_vni[0]);
		w.ok &= kv_set(kv, "vni", item);
	}
	w.base = "map";
	for (unsigned v = 1; v < VLAN_N_VID; v++) {
		if (c->vlan_vni[v] == VXLAN_NO_VNI)
			continue;
		snprintf(item, sizeof(item), "%u:%u", v, c->vlan_vni[v]);
		vxlan_kvw_put(&w, "", item);
	}
	vxlan_kvw_flush(&w);
	w.base = "remotes";
	w.part = 0;
	for (unsigned i = 0; i < c->n_pairs; i++) {
		/* group the pairs of one VNI: the first of each VNI pulls in the others */
		bool first = true;

		for (unsigned j = 0; j < i && first; j++)
			first = c->pairs[j].vni != c->pairs[i].vni;
		if (!first)
			continue;
		snprintf(group, sizeof(group), "%u@", c->pairs[i].vni);
		for (unsigned j = i; j < c->n_pairs; j++) {
			if (c->pairs[j].vni == c->pairs[i].vni)
				vxlan_kvw_put(&w, group,
					      vxlan_addr_format(&c->pairs[j].addr, c->dstport, a));
		}
	}
	vxlan_kvw_flush(&w);
	w.base = "static";
	w.part = 0;
	for (unsigned i = 0; i < c->n_statics; i++) {
		snprintf(item, sizeof(item), "%u/%s@%s", c->statics[i].vni,
			 eth_mac_format(c->statics[i].mac, mac),
			 vxlan_addr_format(&c->statics[i].addr, c->dstport, a));
		vxlan_kvw_put(&w, "", item);
	}
	vxlan_kvw_flush(&w);
	if (!w.ok) {
		snprintf(err, errsz,
			 "the map, remote VTEPs and static entries no longer fit in the port's %d "
			 "options of %d bytes, so they could not be saved",
			 KV_MAX, KV_VAL_MAX - 1);
		return false;
	}
	kv->used = 0;
	return true;
}

/* ---- tables --------------------------------------------------------------- */

static struct vxlan_vni *vxlan_vni_find(const struct vxlan *vx, uint32_t vni)
{
	uint32_t s = vxlan_fmix(vni) & (VXLAN_VNI_SLOTS - 1);

	for (unsigned n = 0; n < VXLAN_VNI_SLOTS; n++, s = (s + 1) & (VXLAN_VNI_SLOTS - 1)) {
		uint16_t i = vx->vni_slot[s];

		if (!i)
			return NULL;
		if (vx->vnis[i - 1].vni == vni)
			return (struct vxlan_vni *)&vx->vnis[i - 1];
	}
	return NULL;
}

/*
 * The VTEP at @a, or VXLAN_NONE16. With @any_port, the first VTEP with @a's
 * IP address: received datagrams come from a source port chosen for
 * entropy, and a VTEP is known by its address and the port it listens on.
 */
static uint16_t vxlan_vtep_find(const struct vxlan *vx, const union vxlan_addr *a, bool any_port)
{
	uint16_t i = vx->vtep_bucket[vxlan_addr_hash(vx, a) & (VXLAN_VTEP_BUCKETS - 1)];

	while (i != VXLAN_NONE16) {
		if (any_port ? vxlan_ip_eq(&vx->vteps[i].addr, a)
			     : vxlan_addr_eq(&vx->vteps[i].addr, a))
			return i;
		i = vx->vteps[i].next;
	}
	return VXLAN_NONE16;
}

static void vxlan_vtep_free(struct vxlan *vx, uint16_t idx)
{
	struct vxlan_vtep *t = &vx->vteps[idx];
	uint16_t *pp = &vx->vtep_bucket[vxlan_addr_hash(vx, &t->addr) & (VXLAN_VTEP_BUCKETS - 1)];

	while (*pp != idx)
		pp = &vx->vteps[*pp].next;
	*pp = t->next;
	memset(t, 0, sizeof(*t));
	vx->n_vteps--;
}

static uint16_t vxlan_vtep_new(struct vxlan *vx, const union vxlan_addr *a)
{
	uint32_t b = vxlan_addr_hash(vx, a) & (VXLAN_VTEP_BUCKETS - 1);
	uint16_t i;

	for (i = 0; i < VXLAN_VTEP_MAX && vx->vteps[i].in_use; i++)
		;
	if (i == VXLAN_VTEP_MAX)
		return VXLAN_NONE16;
	memset(&vx->vteps[i], 0, sizeof(vx->vteps[i]));
	vx->vteps[i].addr = *a;
	vx->vteps[i].in_use = true;
	vx->vteps[i].lru_head = vx->vteps[i].lru_tail = VXLAN_NONE32;
	vx->vteps[i].next = vx->vtep_bucket[b];
	vx->vtep_bucket[b] = i;
	vx->n_vteps++;
	return i;
}

static bool vxlan_vtep_unused(const struct vxlan_vtep *t)
{
	return t->in_use && !t->n_lists && !t->n_static && !t->n_learned;
}

/* MAC entries */

static uint32_t vxlan_mac_find(const struct vxlan *vx, uint32_t vni, const uint8_t *mac)
{
	uint32_t i = vx->mac_bucket[vxlan_mac_hash(vx, vni, mac) & vx->mac_mask];

	while (i != VXLAN_NONE32) {
		const struct vxlan_mac *m = &vx->macs[i];

		if (m->vni == vni && !memcmp(m->mac, mac, ETH_ALEN))
			return i;
		i = m->next;
	}
	return VXLAN_NONE32;
}

static void vxlan_lru_unlink(struct vxlan *vx, uint32_t i)
{
	struct vxlan_mac *m = &vx->macs[i];
	struct vxlan_vtep *t = &vx->vteps[m->vtep];

	if (m->lru_prev != VXLAN_NONE32)
		vx->macs[m->lru_prev].lru_next = m->lru_next;
	else
		t->lru_head = m->lru_next;
	if (m->lru_next != VXLAN_NONE32)
		vx->macs[m->lru_next].lru_prev = m->lru_prev;
	else
		t->lru_tail = m->lru_prev;
	m->lru_prev = m->lru_next = VXLAN_NONE32;
}

static void vxlan_lru_append(struct vxlan *vx, uint32_t i)
{
	struct vxlan_mac *m = &vx->macs[i];
	struct vxlan_vtep *t = &vx->vteps[m->vtep];

	m->lru_next = VXLAN_NONE32;
	m->lru_prev = t->lru_tail;
	if (t->lru_tail != VXLAN_NONE32)
		vx->macs[t->lru_tail].lru_next = i;
	else
		t->lru_head = i;
	t->lru_tail = i;
}

/* Unlink from its VTEP (LRU list and counts). */
static void vxlan_mac_detach(struct vxlan *vx, uint32_t i)
{
	struct vxlan_mac *m = &vx->macs[i];

	if (m->is_static) {
		vx->vteps[m->vtep].n_static--;
	} else {
		vxlan_lru_unlink(vx, i);
		vx->vteps[m->vtep].n_learned--;
	}
}

static void vxlan_mac_attach(struct vxlan *vx, uint32_t i, uint16_t vtep)
{
	struct vxlan_mac *m = &vx->macs[i];

	m->vtep = vtep;
	if (m->is_static) {
		vx->vteps[vtep].n_static++;
	} else {
		vx->vteps[vtep].n_learned++;
		vxlan_lru_append(vx, i);
	}
}

static void vxlan_mac_del(struct vxlan *vx, uint32_t i)
{
	struct vxlan_mac *m = &vx->macs[i];
	uint32_t *pp = &vx->mac_bucket[vxlan_mac_hash(vx, m->vni, m->mac) & vx->mac_mask];

	vxlan_mac_detach(vx, i);
	while (*pp != i)
		pp = &vx->macs[*pp].next;
	*pp = m->next;
	memset(m, 0, sizeof(*m));
	m->next = vx->mac_free;
	vx->mac_free = i;
	vx->n_macs--;
}

/* The oldest learned entry of the VTEP holding the most learned entries. */
static uint32_t vxlan_mac_victim(const struct vxlan *vx)
{
	uint32_t best = 0;
	uint16_t who = VXLAN_NONE16;

	for (uint16_t i = 0; i < VXLAN_VTEP_MAX; i++) {
		if (vx->vteps[i].in_use && vx->vteps[i].n_learned > best) {
			best = vx->vteps[i].n_learned;
			who = i;
		}
	}
	return who == VXLAN_NONE16 ? VXLAN_NONE32 : vx->vteps[who].lru_head;
}

/* A new entry, evicting if needed (unless @is_static and... statics may evict learned ones). */
static uint32_t vxlan_mac_new(struct vxlan *vx, uint32_t vni, const uint8_t *mac, bool is_static)
{
	uint32_t i, b;

	if (vx->mac_free == VXLAN_NONE32) {
		uint32_t victim = vxlan_mac_victim(vx);

		if (victim == VXLAN_NONE32) {
			vx->cnt[VXLAN_CNT_MACS_FULL]++;
			return VXLAN_NONE32;
		}
		vxlan_mac_del(vx, victim);
		vx->cnt[VXLAN_CNT_MACS_EVICTED]++;
	}
	i = vx->mac_free;
	vx->mac_free = vx->macs[i].next;
	b = vxlan_mac_hash(vx, vni, mac) & vx->mac_mask;
	memset(&vx->macs[i], 0, sizeof(vx->macs[i]));
	vx->macs[i].in_use = true;
	vx->macs[i].is_static = is_static;
	vx->macs[i].vni = vni;
	memcpy(vx->macs[i].mac, mac, ETH_ALEN);
	vx->macs[i].lru_prev = vx->macs[i].lru_next = VXLAN_NONE32;
	vx->macs[i].next = vx->mac_bucket[b];
	vx->mac_bucket[b] = i;
	vx->n_macs++;
	return i;
}

static bool vxlan_mac_expired(const struct vxlan *vx, const struct vxlan_mac *m, uint64_t now)
{
	return !m->is_static && now - m->seen_ns >= vx->aging_ns && now > m->seen_ns;
}

/* Learn (@vni, @mac) behind VTEP @vtep, seen at @now. */
static void vxlan_learn(struct vxlan *vx, uint32_t vni, const uint8_t *mac, uint16_t vtep,
			uint64_t now)
{
	uint32_t i = vxlan_mac_find(vx, vni, mac);
	struct vxlan_mac *m;

	if (i == VXLAN_NONE32) {
		i = vxlan_mac_new(vx, vni, mac, false);
		if (i == VXLAN_NONE32)
			return;
		vx->macs[i].seen_ns = now;
		vxlan_mac_attach(vx, i, vtep);
		vx->cnt[VXLAN_CNT_MACS_LEARNED]++;
		return;
	}
	m = &vx->macs[i];
	if (m->is_static)
		return; /* static entries do not move */
	if (m->vtep != vtep) {
		vxlan_mac_detach(vx, i);
		vxlan_mac_attach(vx, i, vtep);
		vx->cnt[VXLAN_CNT_MAC_MOVES]++;
	} else if (now - m->seen_ns >= VXLAN_REFRESH_NS) {
		/* keep the LRU list in age order, to within VXLAN_REFRESH_NS */
		vxlan_lru_unlink(vx, i);
		vxlan_lru_append(vx, i);
	}
	m->seen_ns = now;
}

/*
 * vxlan_age() - remove learned entries older than the aging time (walking
 * each VTEP's LRU list from its oldest entry) and free learned VTEPs that
 * hold nothing and have been silent as long. From the datapath at most once
 * per interval; @force (vxlan/show) runs it now.
 */
static void vxlan_age(struct vxlan *vx, uint64_t now, bool force)
{
	if (now < vx->next_age_ns && !force)
		return;
	vx->next_age_ns = now + VXLAN_AGE_INTERVAL_NS;
	for (uint16_t t = 0; t < VXLAN_VTEP_MAX; t++) {
		struct vxlan_vtep *v = &vx->vteps[t];

		if (!v->in_use)
			continue;
		while (v->lru_head != VXLAN_NONE32 &&
		       vxlan_mac_expired(vx, &vx->macs[v->lru_head], now)) {
			vxlan_mac_del(vx, v->lru_head);
			vx->cnt[VXLAN_CNT_MACS_AGED]++;
		}
		if (vxlan_vtep_unused(v) && now - v->last_rx_ns >= vx->aging_ns)
			vxlan_vtep_free(vx, t);
	}
}

/* ---- applying a configuration -------------------------------------------- */

/* Does @c name remote @a in a flood list or a static entry? */
static bool vxlan_cfg_names(const struct vxlan_cfg *c, const union vxlan_addr *a)
{
	for (unsigned i = 0; i < c->n_pairs; i++) {
		if (vxlan_addr_eq(&c->pairs[i].addr, a))
			return true;
	}
	for (unsigned i = 0; i < c->n_statics; i++) {
		if (vxlan_addr_eq(&c->statics[i].addr, a))
			return true;
	}
	return false;
}

static int vxlan_cmp_u16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

/* A VTEP slot for a configured remote: evict a learned-only VTEP when full. */
static uint16_t vxlan_vtep_get(struct vxlan *vx, const union vxlan_addr *a)
{
	uint16_t i = vxlan_vtep_find(vx, a, false), victim = VXLAN_NONE16;

	if (i != VXLAN_NONE16)
		return i;
	i = vxlan_vtep_new(vx, a);
	if (i != VXLAN_NONE16)
		return i;
	for (uint16_t t = 0; t < VXLAN_VTEP_MAX; t++) {
		const struct vxlan_vtep *v = &vx->vteps[t];

		if (v->in_use && !v->n_lists && !v->n_static &&
		    (victim == VXLAN_NONE16 || v->last_rx_ns < vx->vteps[victim].last_rx_ns))
			victim = t;
	}
	if (victim == VXLAN_NONE16)
		return VXLAN_NONE16;
	while (vx->vteps[victim].lru_head != VXLAN_NONE32)
		vxlan_mac_del(vx, vx->vteps[victim].lru_head);
	vxlan_vtep_free(vx, victim);
	return vxlan_vtep_new(vx, a);
}

static void vxlan_vni_add(struct vxlan *vx, uint32_t vni, uint16_t vlan)
{
	struct vxlan_vni *v = &vx->vnis[vx->n_vnis++];
	uint32_t s = vxlan_fmix(vni) & (VXLAN_VNI_SLOTS - 1);

	memset(v, 0, sizeof(*v));
	v->vni = vni;
	v->vlan = vlan;
	v->hdr[0] = VXLAN_FLAG_I;
	v->hdr[4] = (uint8_t)(vni >> 16);
	v->hdr[5] = (uint8_t)(vni >> 8);
	v->hdr[6] = (uint8_t)vni;
	while (vx->vni_slot[s])
		s = (s + 1) & (VXLAN_VNI_SLOTS - 1);
	vx->vni_slot[s] = (uint16_t)vx->n_vnis;
	vx->vlan_vni[vlan] = (uint16_t)vx->n_vnis;
}

static void vxlan_vnis_clear(struct vxlan *vx)
{
	for (unsigned i = 0; i < vx->n_vnis; i++)
		free(vx->vnis[i].remotes);
	vx->n_vnis = 0;
	memset(vx->vni_slot, 0, sizeof(vx->vni_slot));
	memset(vx->vlan_vni, 0, sizeof(vx->vlan_vni));
}

/*
 * udpcsum=: the outer UDP checksum over IPv4. RFC 7348 says it SHOULD be
 * zero, and allows a correct one; vnet sends one by default because the
 * kernel segments (UDP_SEGMENT) only datagrams that have one, and it covers
 * the inner frame end to end. udpcsum=off sends zero and gives up
 * segmentation offload: for a peer that reads the underlay with AF_PACKET
 * off a veth on the same host (Open vSwitch's netdev datapath), where the
 * checksum stays partial. IPv6 always has a checksum.
 */
static void vxlan_apply_csum(struct vxlan *vx, const struct vxlan_cfg *c)
{
	int no_check = !c->udp_csum;

	if (vx->family != AF_INET) {
		vx->gso = true;
		return;
	}
	for (unsigned i = 0; i < vx->n_tx; i++)
		setsockopt(vx->tx_fd[i], SOL_SOCKET, SO_NO_CHECK, &no_check, sizeof(no_check));
	vx->gso = c->udp_csum;
}

/*
 * vxlan_apply() - put configuration @c (taken over) in force: VNI table,
 * flood lists, static entries. Learned entries of VNIs no longer carried
 * are flushed; other learned entries and VTEP counters stay.
 * Return: 0, or -ENOMEM with @err set (then nothing changed).
 */
static int vxlan_apply(struct vxlan *vx, struct vxlan_cfg *c, char *err, size_t errsz)
{
	uint16_t *lists[VXLAN_VNI_TABLE_MAX] = { 0 };
	unsigned n_list[VXLAN_VNI_TABLE_MAX] = { 0 };
	struct vxlan_vni *v;

	/* allocate the flood lists first, so that nothing can fail half-way */
	for (unsigned vlan = 0; vlan < VLAN_N_VID; vlan++) {
		unsigned n = 0;

		if (c->vlan_vni[vlan] == VXLAN_NO_VNI)
			continue;
		for (unsigned i = 0; i < c->n_pairs; i++)
			n += c->pairs[i].vni == c->vlan_vni[vlan];
		if (!n)
			continue;
		lists[vlan] = malloc(n * sizeof(uint16_t));
		if (!lists[vlan]) {
			for (unsigned j = 0; j < vlan; j++)
				free(lists[j]);
			snprintf(err, errsz, "out of memory");
			return -ENOMEM;
		}
	}
	vxlan_vnis_clear(vx);
	for (unsigned vlan = 0; vlan < VLAN_N_VID; vlan++) {
		if (c->vlan_vni[vlan] != VXLAN_NO_VNI)
			vxlan_vni_add(vx, c->vlan_vni[vlan], (uint16_t)vlan);
	}
	/* flood lists */
	for (uint16_t t = 0; t < VXLAN_VTEP_MAX; t++)
		vx->vteps[t].n_lists = 0;
	for (unsigned i = 0; i < c->n_pairs; i++) {
		uint16_t t;

		v = vxlan_vni_find(vx, c->pairs[i].vni);
		if (!v)
			continue; /* VNI not carried: kept in the configuration only */
		t = vxlan_vtep_get(vx, &c->pairs[i].addr);
		if (t == VXLAN_NONE16)
			continue; /* cannot happen: VXLAN_REMOTES_MAX < VXLAN_VTEP_MAX */
		lists[v->vlan][n_list[v->vlan]++] = t;
		vx->vteps[t].n_lists++;
	}
	for (unsigned vlan = 0; vlan < VLAN_N_VID; vlan++) {
		if (!vx->vlan_vni[vlan])
			continue;
		v = &vx->vnis[vx->vlan_vni[vlan] - 1];
		v->remotes = lists[vlan];
		v->n_remotes = (uint16_t)n_list[vlan];
		if (v->n_remotes > 1)
			qsort(v->remotes, v->n_remotes, sizeof(uint16_t), vxlan_cmp_u16);
	}
	/* static entries: drop them all, then add the configured ones */
	for (uint32_t i = 0; i < vx->macs_max; i++) {
		if (vx->macs[i].in_use && vx->macs[i].is_static)
			vxlan_mac_del(vx, i);
	}
	for (unsigned i = 0; i < c->n_statics; i++) {
		const struct vxlan_static_cfg *s = &c->statics[i];
		uint16_t t = vxlan_vtep_get(vx, &s->addr);
		uint32_t m = vxlan_mac_find(vx, s->vni, s->mac);

		if (t == VXLAN_NONE16)
			continue;
		if (m != VXLAN_NONE32)
			vxlan_mac_del(vx, m); /* a learned entry gives way */
		m = vxlan_mac_new(vx, s->vni, s->mac, true);
		if (m == VXLAN_NONE32)
			continue; /* cannot happen: statics <= macs_max / 2 */
		vxlan_mac_attach(vx, m, t);
	}
	/* learned entries of VNIs no longer carried */
	for (uint32_t i = 0; i < vx->macs_max; i++) {
		if (vx->macs[i].in_use && !vxlan_vni_find(vx, vx->macs[i].vni))
			vxlan_mac_del(vx, i);
	}
	/* VTEPs the old configuration named and nothing uses any more go now */
	for (uint16_t t = 0; t < VXLAN_VTEP_MAX; t++) {
		if (vxlan_vtep_unused(&vx->vteps[t]) && vx->cfg &&
		    vxlan_cfg_names(vx->cfg, &vx->vteps[t].addr))
			vxlan_vtep_free(vx, t);
	}
	vxlan_apply_csum(vx, c);
	free(vx->cfg);
	vx->cfg = c;
	vx->aging_ns = (uint64_t)c->aging_s * NS_PER_S;
	vx->inner_max = vxlan_cfg_inner_max(c);
	return 0;
}

/* ---- sockets -------------------------------------------------------------- */

static void vxlan_sockbuf(int fd, int opt_force, int opt)
{
	int size = VXLAN_SOCKBUF_SIZE;

	if (setsockopt(fd, SOL_SOCKET, opt_force, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, opt, &size, sizeof(size));
}

/* A UDP socket of the local family bound to local:@port (0: kernel's choice). */
static int vxlan_socket(const struct vxlan_cfg *c, uint16_t port, bool rx, char *err, size_t errsz)
{
	union vxlan_addr a = c->local;
	int fd, one = 1, rc;
	char s[VXLAN_ADDR_STRLEN];

	fd = socket(a.sa.sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errsz, "UDP socket: %s", strerror(errno));
		return rc;
	}
	if (a.sa.sa_family == AF_INET6) {
		a.sin6.sin6_port = htons(port);
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	} else {
		a.sin.sin_port = htons(port);
	}
	if (rx) {
		vxlan_sockbuf(fd, SO_RCVBUFFORCE, SO_RCVBUF);
		/* trains of datagrams (UDP_SEGMENT senders, NIC GRO) come in as one message */
		setsockopt(fd, SOL_UDP, UDP_GRO, &one, sizeof(one));
	} else {
		/* never fragment: too-big frames are refused (EMSGSIZE), not split */
		int pmtu = a.sa.sa_family == AF_INET ? IP_PMTUDISC_DO : IPV6_PMTUDISC_DO;
		/* transmit sockets take no input: a filter that accepts nothing */
		struct sock_filter drop_all = BPF_STMT(BPF_RET | BPF_K, 0);
		struct sock_fprog prog = { .len = 1, .filter = &drop_all };

		if (a.sa.sa_family == AF_INET) {
			rc = setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtu, sizeof(pmtu));
		} else {
			rc = setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &pmtu, sizeof(pmtu));
		}
		if (rc || setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog))) {
			rc = -errno;
			snprintf(err, errsz, "UDP socket options: %s", strerror(errno));
			close(fd);
			return rc;
		}
		vxlan_sockbuf(fd, SO_SNDBUFFORCE, SO_SNDBUF);
	}
	if (bind(fd, &a.sa, vxlan_addr_len(&a)) < 0) {
		rc = -errno;
		if (rx && errno == EADDRINUSE)
			snprintf(err, errsz,
				 "local=%s dstport=%u: UDP port in use (a kernel vxlan device or "
				 "another VTEP?)",
				 vxlan_addr_format(&c->local, c->dstport, s), port);
		else
			snprintf(err, errsz, "local=%s: bind: %s",
				 vxlan_addr_format(&c->local, c->dstport, s), strerror(errno));
		close(fd);
		return rc;
	}
	return fd;
}

static void vxlan_event(struct ev_source *src, uint32_t events);

static void vxlan_close_sockets(struct port *p, struct vxlan *vx)
{
	if (vx->ev.fd >= 0) {
		evloop_del(&p->dp->loop, &vx->ev);
		close(vx->ev.fd);
		vx->ev.fd = -1;
	}
	for (unsigned i = 0; i < vx->n_tx; i++)
		close(vx->tx_fd[i]);
	vx->n_tx = 0;
}

static int vxlan_open_sockets(struct port *p, struct vxlan *vx, const struct vxlan_cfg *c,
			      char *err, size_t errsz)
{
	int rc;

	vx->ev.fd = vxlan_socket(c, c->dstport, true, err, errsz);
	if (vx->ev.fd < 0)
		return vx->ev.fd;
	for (unsigned i = 0; i < c->n_srcports; i++) {
		union vxlan_addr a;
		socklen_t len = sizeof(a);
		int fd = vxlan_socket(c, 0, false, err, errsz);

		if (fd < 0) {
			rc = fd;
			goto err;
		}
		vx->tx_fd[vx->n_tx++] = fd;
		if (getsockname(fd, &a.sa, &len) < 0) {
			rc = -errno;
			snprintf(err, errsz, "getsockname: %s", strerror(errno));
			goto err;
		}
		vx->tx_port[i] = vxlan_addr_port(&a);
	}
	vx->ev.cb = vxlan_event;
	vx->ev.arg = p;
	rc = evloop_add(&p->dp->loop, &vx->ev, EPOLLIN);
	if (rc) {
		snprintf(err, errsz, "epoll: %s", strerror(-rc));
		goto err;
	}
	return 0;
err:
	vxlan_close_sockets(p, vx);
	return rc;
}

/* ---- port operations ------------------------------------------------------ */

static int vxlan_validate(struct kv_list *opts, char *err, size_t errsz)
{
	struct vxlan_cfg *c = vxlan_cfg_parse(opts, err, errsz);

	if (!c)
		return -EINVAL;
	free(c);
	return 0;
}

static void vxlan_free(struct vxlan *vx)
{
	vxlan_vnis_clear(vx);
	free(vx->macs);
	free(vx->mac_bucket);
	free(vx->cfg);
	free(vx);
}

static int vxlan_open(struct port *p, struct kv_list *opts, char *err, size_t errsz)
{
	struct vxlan_cfg *c = vxlan_cfg_parse(opts, err, errsz);
	struct vxlan *vx;
	uint32_t buckets = 64;
	int rc;

	if (!c)
		return -EINVAL;
	vx = calloc(1, sizeof(*vx));
	if (!vx) {
		free(c);
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	vx->ev.fd = -1;
	while (buckets < c->macs_max)
		buckets <<= 1;
	vx->macs_max = c->macs_max;
	vx->mac_mask = buckets - 1;
	vx->macs = calloc(c->macs_max, sizeof(*vx->macs));
	vx->mac_bucket = malloc(buckets * sizeof(uint32_t));
	if (!vx->macs || !vx->mac_bucket) {
		snprintf(err, errsz, "out of memory for %u remote MAC entries", c->macs_max);
		free(c);
		vxlan_free(vx);
		return -ENOMEM;
	}
	memset(vx->mac_bucket, 0xff, buckets * sizeof(uint32_t));
	for (uint32_t i = 0; i < c->macs_max; i++)
		vx->macs[i].next = i + 1 < c->macs_max ? i + 1 : VXLAN_NONE32;
	vx->mac_free = 0;
	memset(vx->vtep_bucket, 0xff, sizeof(vx->vtep_bucket));
	if (getrandom(&vx->seed, sizeof(vx->seed), GRND_NONBLOCK) != sizeof(vx->seed))
		vx->seed = (uint32_t)now_ns();
	vx->family = c->local.sa.sa_family;
	rc = vxlan_open_sockets(p, vx, c, err, errsz);
	if (rc) {
		free(c);
		vxlan_free(vx);
		return rc;
	}
	rc = vxlan_apply(vx, c, err, errsz);
	if (rc) {
		free(c);
		vxlan_close_sockets(p, vx);
		vxlan_free(vx);
		return rc;
	}
	p->priv = vx;
	p->caps = 0; /* the switch segments and completes checksums for us */
	port_set_up(p);
	return 0;
}

static void vxlan_close(struct port *p)
{
	struct vxlan *vx = p->priv;

	if (!vx)
		return;
	for (unsigned i = 0; i < vx->held_n; i++)
		pkt_free(p->dp->pool, vx->held[vx->held_first + i].pk);
	vx->held_n = 0;
	vxlan_close_sockets(p, vx);
	vxlan_free(vx);
	p->priv = NULL;
}

/* Options that need new sockets or tables: refused at run time. */
static bool vxlan_cfg_same_base(const struct vxlan_cfg *a, const struct vxlan_cfg *b)
{
	return vxlan_addr_eq(&a->local, &b->local) && a->dstport == b->dstport &&
	       a->n_srcports == b->n_srcports && a->macs_max == b->macs_max;
}

static int vxlan_reconfigure(struct port *p, struct kv_list *changes, char *err, size_t errsz)
{
	struct vxlan *vx = p->priv;
	struct kv_list merged = p->opts;
	struct vxlan_cfg *c;
	int rc;

	for (unsigned i = 0; i < changes->n; i++) {
		if (!kv_set(&merged, changes->kv[i].key, changes->kv[i].val)) {
			snprintf(err, errsz, "too many options");
			return -EINVAL;
		}
	}
	for (unsigned i = 0; i < merged.n; i++) { /* empty value = remove the option */
		if (!merged.kv[i].val[0])
			kv_del(&merged, merged.kv[i--].key);
	}
	merged.used = 0;
	c = vxlan_cfg_parse(&merged, err, errsz);
	if (!c)
		return -EINVAL;
	if (!vxlan_cfg_same_base(c, vx->cfg)) {
		free(c);
		snprintf(err, errsz,
			 "local, dstport, srcports and macs_max of a vxlan port cannot change at "
			 "run time; delete and re-add the port");
		return -EOPNOTSUPP;
	}
	rc = vxlan_apply(vx, c, err, errsz);
	if (rc)
		free(c);
	return rc;
}

static void vxlan_event(struct ev_source *src, uint32_t events)
{
	struct port *p = src->arg;
	struct vxlan *vx = p->priv;
	bool want_out;

	if (events & EPOLLERR) {
		/* an ICMP error queued on the socket: read it off, keep going */
		int e = 0;
		socklen_t len = sizeof(e);

		getsockopt(src->fd, SOL_SOCKET, SO_ERROR, &e, &len);
	}
	port_poll(p, VXLAN_POLL_BUDGET);
	/*
	 * Messages still held (the budget ran out in the middle of a UDP GRO
	 * train) need another call even if nothing more arrives: ask for
	 * EPOLLOUT, which a UDP socket reports at once, until they are gone.
	 */
	want_out = vx->held_n > 0 && vx->ev.fd >= 0;
	if (want_out != vx->rx_out_armed && vx->ev.fd >= 0 &&
	    !evloop_mod(&p->dp->loop, &vx->ev, want_out ? EPOLLIN | EPOLLOUT : EPOLLIN))
		vx->rx_out_armed = want_out;
}

/* ---- receive ---------------------------------------------------------------- */

static bool vxlan_drop_rx(struct port *p, struct vxlan *vx, enum vxlan_counter c,
			  const union vxlan_addr *src, uint32_t vni)
{
	char s[VXLAN_ADDR_STRLEN];

	vx->cnt[c]++;
	port_count_drop(p, DROP_RX_ERROR, 1);
	log_ratelimited(LOG_LVL_INFO, "port %s: dropped a datagram from %s (VNI %u): %s", p->name,
			vxlan_addr_format(src, 0, s), vni, vxlan_cnt_names[c]);
	return false;
}

/* Is VTEP @t in @v's flood list? (sorted: binary search) */
static bool vxlan_vni_has_remote(const struct vxlan_vni *v, uint16_t t)
{
	unsigned lo = 0, hi = v->n_remotes;

	while (lo < hi) {
		unsigned mid = (lo + hi) / 2;

		if (v->remotes[mid] == t)
			return true;
		if (v->remotes[mid] < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static inline uint16_t vxlan_load16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/*
 * Offload state that only a sender on the same host leaves in a frame. A
 * kernel VTEP in another namespace hands its skbs to the underlay veth with
 * the inner L4 checksum still partial (CHECKSUM_PARTIAL: the field holds
 * the pseudo-header sum) and, for TCP, as one GSO super-frame; a UDP socket
 * delivers both as they are. So:
 *  - an inner TCP frame longer than the port's MTU (a super-frame, or a
 *    datagram the kernel reassembled from fragments) goes on as a TSO frame
 *    with a partial checksum and an MSS that fits the inner MTU, and the
 *    switch segments it if the output port needs that;
 *  - a TCP/UDP checksum field equal to the pseudo-header sum, over data
 *    that does not verify, is completed here. A frame that verifies is left
 *    alone, so a complete checksum that happens to equal the pseudo-header
 *    sum is never touched.
 * Frames from a real wire carry complete checksums and MTU-sized frames:
 * for them this costs a header parse and a 16-bit compare.
 */
static void vxlan_rx_offload(struct port *p, struct vxlan *vx, uint8_t *f, uint32_t size,
			     struct virtio_net_hdr *vh)
{
	struct frame_info fi;
	uint32_t l4len, pseudo, sum;
	uint16_t field, partial, c, off;
	bool tcp;

	if (frame_parse(f, size, &fi) != FRAME_OK || !fi.l4_off || fi.n_tags ||
	    (fi.l3_proto != IPPROTO_TCP && fi.l3_proto != IPPROTO_UDP))
		return;
	tcp = fi.l3_proto == IPPROTO_TCP;
	if (size > p->mtu + ETH_HLEN) {
		uint32_t hdrs = fi.l4_off - ETH_HLEN + fi.l4_hlen, mtu = vx->inner_max - ETH_HLEN;
		uint32_t iplen = fi.is_ipv4
					 ? ntohs(vxlan_load16(f + fi.l3_off + 2))
					 : VXLAN_IPV6_HLEN + ntohs(vxlan_load16(f + fi.l3_off + 4));

		/* else the switch drops it as oversize */
		if (!tcp || hdrs + 1 >= mtu || iplen != size - fi.l3_off ||
		    size - fi.l4_off - fi.l4_hlen <= mtu - hdrs)
			return;
		vh->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh->gso_type = fi.is_ipv4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6;
		vh->gso_size = (uint16_t)(mtu - hdrs);
		vh->hdr_len = (uint16_t)(fi.l4_off + fi.l4_hlen);
		vh->csum_start = (uint16_t)fi.l4_off;
		vh->csum_offset = 16;
		vx->cnt[VXLAN_CNT_RX_SUPERFRAMES]++;
		return;
	}
	if (fi.is_ipv4) {
		uint32_t end = fi.l3_off + ntohs(vxlan_load16(f + fi.l3_off + 2));

		if (end > size || end < fi.l4_off)
			return;
		l4len = end - fi.l4_off;
		pseudo = csum_partial(f + fi.l3_off + 12, 8, 0);
	} else {
		uint32_t end = fi.l3_off + VXLAN_IPV6_HLEN + ntohs(vxlan_load16(f + fi.l3_off + 4));

		if (end > size || end < fi.l4_off)
			return;
		l4len = end - fi.l4_off;
		pseudo = csum_partial(f + fi.l3_off + 8, 32, 0);
	}
	off = tcp ? 16 : 6;
	if (l4len < (uint32_t)off + 2)
		return;
	pseudo += htons(fi.l3_proto) + htons((uint16_t)l4len);
	field = vxlan_load16(f + fi.l4_off + off);
	partial = (uint16_t)~csum_fold(pseudo);
	if (field != partial || (!tcp && field == 0))
		return;
	sum = csum_partial(f + fi.l4_off, l4len, 0);
	if (csum_fold(sum + pseudo) == 0)
		return; /* the sum verifies: a complete checksum that looks partial */
	c = csum_fold(sum);
	if (!tcp && c == 0)
		c = 0xffff;
	memcpy(f + fi.l4_off + off, &c, sizeof(c));
	vx->cnt[VXLAN_CNT_RX_CSUM_COMPLETED]++;
}

/*
 * vxlan_rx_check() - validate one datagram (@d, @len bytes) from @src and
 * learn its inner source MAC. Return: the VNI it belongs to, or NULL if it
 * was dropped (and counted).
 */
static const struct vxlan_vni *vxlan_rx_check(struct port *p, struct vxlan *vx, const uint8_t *d,
					      uint32_t len, const union vxlan_addr *src,
					      uint64_t now)
{
	const uint8_t *inner = d + VXLAN_HLEN;
	const struct vxlan_vni *v;
	uint32_t vni;
	uint16_t t;

	if (src->sa.sa_family != vx->family) {
		vxlan_drop_rx(p, vx, VXLAN_CNT_RX_UNKNOWN_VTEP, src, 0);
		return NULL;
	}
	if (len < VXLAN_HLEN) {
		vxlan_drop_rx(p, vx, VXLAN_CNT_RX_TRUNC_HDR, src, 0);
		return NULL;
	}
	vni = (uint32_t)d[4] << 16 | (uint32_t)d[5] << 8 | d[6];
	if (!(d[0] & VXLAN_FLAG_I)) {
		vxlan_drop_rx(p, vx, VXLAN_CNT_RX_NO_I_FLAG, src, vni);
		return NULL;
	}
	v = vxlan_vni_find(vx, vni);
	if (!v) {
		vxlan_drop_rx(p, vx, VXLAN_CNT_RX_UNKNOWN_VNI, src, vni);
		return NULL;
	}
	t = vxlan_vtep_find(vx, src, true);
	if (vx->cfg->restrict_vteps && (t == VXLAN_NONE16 || !vxlan_vni_has_remote(v, t))) {
		vxlan_drop_rx(p, vx, VXLAN_CNT_RX_UNKNOWN_VTEP, src, vni);
		return NULL;
	}
	if (len - VXLAN_HLEN < ETH_HLEN) {
		vxlan_drop_rx(p, vx, VXLAN_CNT_RX_RUNT_INNER, src, vni);
		return NULL;
	}
	if (eth_is_tpid((uint16_t)(inner[12] << 8 | inner[13]))) {
		vxlan_drop_rx(p, vx, VXLAN_CNT_RX_INNER_TAGGED, src, vni);
		return NULL;
	}
	if (t == VXLAN_NONE16) {
		union vxlan_addr a; /* a new VTEP listens on our dstport */

		memcpy(&a, src, vxlan_addr_len(src));
		if (a.sa.sa_family == AF_INET)
			a.sin.sin_port = htons(vx->cfg->dstport);
		else
			a.sin6.sin6_port = htons(vx->cfg->dstport);
		t = vxlan_vtep_new(vx, &a);
		if (t == VXLAN_NONE16)
			vx->cnt[VXLAN_CNT_VTEPS_FULL]++;
	}
	if (t != VXLAN_NONE16) {
		struct vxlan_vtep *vt = &vx->vteps[t];

		vt->last_rx_ns = now;
		vt->rx_packets++;
		vt->rx_bytes += len - VXLAN_HLEN;
		if (!eth_is_multicast(inner + ETH_ALEN) && !eth_is_zero(inner + ETH_ALEN))
			vxlan_learn(vx, vni, inner + ETH_ALEN, t, now);
	}
	return v;
}

/*
 * The VXLAN header's VNI becomes an 802.1Q tag with the local VLAN (none
 * for VLAN 0): the MAC addresses move 4 bytes forward, into the room the
 * header (or the buffer's headroom) leaves.
 */
static void vxlan_rx_tag(struct pkt *pk, uint16_t vlan)
{
	uint8_t *d = pk->data - VLAN_HLEN;

	if (!vlan)
		return;
	memmove(d, pk->data, 2 * ETH_ALEN);
	d[12] = ETH_P_8021Q_ >> 8;
	d[13] = ETH_P_8021Q_ & 0xff;
	d[14] = (uint8_t)(vlan >> 8);
	d[15] = (uint8_t)vlan;
	pk->data = d;
	pk->size += VLAN_HLEN;
	if (pk->vnet.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
		pk->vnet.csum_start += VLAN_HLEN;
		pk->vnet.hdr_len += VLAN_HLEN;
	}
}

bool vxlan_decap(struct port *p, struct pkt *pk, const struct sockaddr *src_sa, uint64_t now)
{
	struct vxlan *vx = p->priv;
	const struct vxlan_vni *v = vxlan_rx_check(
		p, vx, pk->data, pk->size, (const union vxlan_addr *)(const void *)src_sa, now);

	if (!v)
		return false;
	pk->data += VXLAN_HLEN;
	pk->size -= VXLAN_HLEN;
	vxlan_rx_offload(p, vx, pk->data, pk->size, &pk->vnet);
	vxlan_rx_tag(pk, v->vlan);
	return true;
}

/*
 * Receive coalescing (GRO)
 * ------------------------
 * A TSO frame sent by a VM behind a remote VTEP crosses the underlay as a
 * train of MSS-sized TCP segments: consecutive datagrams in one burst, or,
 * from a sender using UDP segmentation offload, one UDP GRO message of up
 * to 64 KiB. Handing them to a tap one by one costs a write and a pass
 * through the VM's TCP stack each; merged back into one TSO frame
 * (GSO_TCPV4/6, NEEDS_CSUM, the MSS as gso_size) they cost one, and the
 * switch re-segments for any port that cannot take TSO. A segment joins the
 * frame being built only if everything but the IPv4 id, the lengths and the
 * checksums matches (VNI, MACs, addresses, ports, ACK, window, TTL/TOS, TCP
 * options), its sequence number follows on, it carries only ACK (and PSH,
 * which closes the frame), all segments but the last have the same size,
 * and its checksum verifies, as the kernel's GRO requires: the merged
 * frame's checksum is recomputed, so a bad segment must not hide in it.
 * Frames are merged untagged; the tag goes in when the frame is finished.
 */
struct vxlan_gro {
	struct pkt *head; /* the frame being built (already in the output), or NULL */
	uint16_t vlan; /* its local VLAN, tagged on when finished */
	struct frame_info fi;
	uint32_t hdrs; /* bytes of headers in every segment */
	uint32_t next_seq; /* host order */
	uint32_t mss;
	unsigned n;
	bool closed; /* a short or PSH segment ended the train */
};

static inline uint32_t vxlan_load32be(const uint8_t *p)
{
	return ntohl(vxlan_load32(p));
}

/* Pseudo-header sum of the frame's IPv4/IPv6 header for @l4len bytes of TCP. */
static uint32_t vxlan_pseudo(const uint8_t *f, const struct frame_info *fi, uint32_t l4len)
{
	uint32_t sum = fi->is_ipv4 ? csum_partial(f + fi->l3_off + 12, 8, 0)
				   : csum_partial(f + fi->l3_off + 8, 32, 0);

	return sum + htons(IPPROTO_TCP) + htons((uint16_t)l4len);
}

/*
 * Can this untagged frame (@f, @size bytes, parsed as @fi) be merged? TCP
 * over IPv4 without options or IPv6 without extension headers, no fragment,
 * only ACK/PSH, data, exactly as long as the IP header says, and a checksum
 * that verifies.
 */
static bool vxlan_gro_candidate(const uint8_t *f, uint32_t size, const struct frame_info *fi)
{
	const uint8_t *ip = f + fi->l3_off, *th = f + fi->l4_off;
	uint32_t l4len = size - fi->l4_off;

	if (fi->n_tags || fi->l3_proto != IPPROTO_TCP || !fi->l4_hlen)
		return false;
	if (fi->is_ipv4) {
		if (ip[0] != 0x45 || ((ip[6] << 8 | ip[7]) & 0x3fff) ||
		    ntohs(vxlan_load16(ip + 2)) != size - fi->l3_off)
			return false;
	} else if (!fi->is_ipv6 || fi->l4_off != fi->l3_off + VXLAN_IPV6_HLEN ||
		   ntohs(vxlan_load16(ip + 4)) != size - fi->l4_off) {
		return false;
	}
	if ((th[13] & ~VXLAN_TCP_FLAGS_OK) || l4len <= fi->l4_hlen)
		return false;
	return csum_fold(csum_partial(th, l4len, vxlan_pseudo(f, fi, l4len))) == 0;
}

/* Does the frame @b (@size bytes, parsed as @fi, in VLAN @vlan) continue @g's train? */
static bool vxlan_gro_follows(const struct vxlan_gro *g, const uint8_t *b, uint32_t size,
			      const struct frame_info *fi, uint16_t vlan)
{
	const uint8_t *a = g->head->data;
	const struct frame_info *fa = &g->fi;
	uint32_t plen = size - g->hdrs, l3 = fa->l3_off;

	if (g->closed || g->n >= VXLAN_GRO_MAX_SEGS || vlan != g->vlan || fi->n_tags ||
	    fi->l4_off != fa->l4_off || fi->l4_hlen != fa->l4_hlen || fi->is_ipv4 != fa->is_ipv4 ||
	    size <= g->hdrs || plen > g->mss || g->head->size + plen - l3 > 65535)
		return false;
	if (memcmp(a, b, l3)) /* Ethernet header */
		return false;
	if (fa->is_ipv4) {
		/* TOS, flags, TTL, protocol, addresses; not length, id, checksum */
		if (a[l3 + 1] != b[l3 + 1] || a[l3 + 6] != b[l3 + 6] || a[l3 + 8] != b[l3 + 8] ||
		    a[l3 + 9] != b[l3 + 9] || memcmp(a + l3 + 12, b + l3 + 12, 8))
			return false;
	} else if (memcmp(a + l3, b + l3, 4) || memcmp(a + l3 + 6, b + l3 + 6, 34)) {
		return false;
	}
	/* TCP: ports, then ack, data offset, window, urgent pointer and options; flags apart */
	a += fa->l4_off;
	b += fa->l4_off;
	return vxlan_load32(a) == vxlan_load32(b) && vxlan_load32be(b + 4) == g->next_seq &&
	       vxlan_load32(a + 8) == vxlan_load32(b + 8) && a[12] == b[12] &&
	       vxlan_load16(a + 14) == vxlan_load16(b + 14) &&
	       !memcmp(a + 18, b + 18, fa->l4_hlen - 18);
}

/*
 * Finish the frame being built: a merged train becomes a TSO frame
 * (lengths, IPv4 header checksum, partial TCP checksum, offload header),
 * then it gets its tag.
 */
static void vxlan_gro_finish(struct vxlan *vx, struct vxlan_gro *g)
{
	struct pkt *h = g->head;
	uint8_t *ip, *th;
	uint32_t l4len;
	uint16_t v;

	if (!h)
		return;
	g->head = NULL;
	if (g->n > 1) {
		ip = h->data + g->fi.l3_off;
		th = h->data + g->fi.l4_off;
		l4len = h->size - g->fi.l4_off;
		if (g->fi.is_ipv4) {
			v = htons((uint16_t)(h->size - g->fi.l3_off));
			memcpy(ip + 2, &v, 2);
			memset(ip + 10, 0, 2);
			v = csum_fold(csum_partial(ip, VXLAN_IPV4_HLEN, 0));
			memcpy(ip + 10, &v, 2);
		} else {
			v = htons((uint16_t)l4len);
			memcpy(ip + 4, &v, 2);
		}
		v = (uint16_t)~csum_fold(vxlan_pseudo(h->data, &g->fi, l4len));
		memcpy(th + 16, &v, 2);
		h->vnet.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		h->vnet.csum_start = (uint16_t)g->fi.l4_off;
		h->vnet.csum_offset = 16;
		h->vnet.gso_type =
			g->fi.is_ipv4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6;
		h->vnet.gso_size = (uint16_t)g->mss;
		h->vnet.hdr_len = (uint16_t)g->hdrs;
		vx->cnt[VXLAN_CNT_RX_COALESCED] += g->n - 1;
	}
	vxlan_rx_tag(h, g->vlan);
}

/* The output of one rx_burst call, and the frame being coalesced. */
struct vxlan_rxout {
	struct pkt **pkts;
	unsigned n, cap;
	struct vxlan_gro gro;
};

/*
 * One datagram (@d, @len bytes) from @src into the output: checked, then
 * appended to the frame being coalesced, or made a frame of its own. @own
 * is the buffer @d is alone in (then it becomes the frame, or is freed), or
 * NULL when @d is one of several datagrams of a UDP GRO message (then it is
 * copied into a new buffer).
 */
static void vxlan_rx_dgram(struct port *p, struct vxlan *vx, struct vxlan_rxout *o, uint8_t *d,
			   uint32_t len, const union vxlan_addr *src, uint64_t now, struct pkt *own)
{
	const struct vxlan_vni *v = vxlan_rx_check(p, vx, d, len, src, now);
	struct vxlan_gro *g = &o->gro;
	uint8_t *f = d + VXLAN_HLEN;
	uint32_t size = len - VXLAN_HLEN;
	struct frame_info fi;
	struct pkt *pk;
	bool tcp;

	if (!v) {
		if (own)
			pkt_free(p->dp->pool, own);
		return;
	}
	tcp = frame_parse(f, size, &fi) == FRAME_OK && fi.l3_proto == IPPROTO_TCP && fi.l4_hlen;
	if (tcp && g->head && vxlan_gro_follows(g, f, size, &fi, v->vlan) &&
	    vxlan_gro_candidate(f, size, &fi)) {
		uint32_t plen = size - g->hdrs;
		uint8_t flags = f[fi.l4_off + 13];

		memcpy(g->head->data + g->head->size, f + g->hdrs, plen);
		g->head->size += plen;
		g->head->data[g->fi.l4_off + 13] |= flags;
		g->next_seq += plen;
		g->closed = plen < g->mss || (flags & 0x08);
		g->n++;
		if (own)
			pkt_free(p->dp->pool, own);
		return;
	}
	vxlan_gro_finish(vx, g);
	if (own) {
		pk = own;
		pk->data = f;
		pk->size = size;
	} else {
		pk = pkt_alloc(p->dp->pool);
		if (!pk) {
			port_count_drop(p, DROP_NO_BUFFERS, 1);
			return;
		}
		memcpy(pk->data, f, size);
		pk->size = size;
	}
	o->pkts[o->n++] = pk;
	if (tcp && size <= p->mtu + ETH_HLEN && vxlan_gro_candidate(pk->data, size, &fi)) {
		g->head = pk;
		g->vlan = v->vlan;
		g->fi = fi;
		g->hdrs = fi.l4_off + fi.l4_hlen;
		g->mss = size - g->hdrs;
		g->next_seq = vxlan_load32be(pk->data + fi.l4_off + 4) + g->mss;
		g->n = 1;
		g->closed = pk->data[fi.l4_off + 13] & 0x08;
		return;
	}
	vxlan_rx_offload(p, vx, pk->data, pk->size, &pk->vnet);
	vxlan_rx_tag(pk, v->vlan);
}

unsigned vxlan_decap_train(struct port *p, const uint8_t *buf, uint32_t size, uint32_t seg,
			   const struct sockaddr *src, uint64_t now, struct pkt **out, unsigned cap)
{
	struct vxlan *vx = p->priv;
	struct vxlan_rxout o = { .pkts = out, .cap = cap };
	uint32_t off = 0;

	if (seg >= size)
		seg = 0;
	while (off < size && o.n < o.cap) {
		uint32_t left = size - off, dl = seg && left > seg ? seg : left;

		/* rx_dgram only reads a datagram it does not own */
		vxlan_rx_dgram(p, vx, &o, (uint8_t *)(uintptr_t)(buf + off), dl,
			       (const union vxlan_addr *)(const void *)src, now, NULL);
		off += dl;
	}
	vxlan_gro_finish(vx, &o.gro);
	return o.n;
}

/*
 * Receive up to VXLAN_RX_MSGS messages into held buffers. A message is one
 * datagram, or with UDP GRO a train of datagrams of one size (the last may
 * be shorter), given by the UDP_GRO control message. Return: messages held.
 */
static unsigned vxlan_rx_fill(struct port *p, struct vxlan *vx)
{
	struct pkt *bufs[VXLAN_RX_MSGS];
	struct mmsghdr msgs[VXLAN_RX_MSGS];
	struct iovec iov[VXLAN_RX_MSGS];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} cbuf[VXLAN_RX_MSGS];
	unsigned m = pkt_alloc_burst(p->dp->pool, bufs, VXLAN_RX_MSGS);
	int r;

	if (!m) {
		port_count_drop(p, DROP_NO_BUFFERS, 1);
		return 0;
	}
	for (unsigned i = 0; i < m; i++) {
		iov[i] = (struct iovec){ bufs[i]->data, PKT_DATA_MAX };
		msgs[i].msg_hdr = (struct msghdr){ .msg_name = &vx->held[i].src,
						   .msg_namelen = sizeof(vx->held[i].src),
						   .msg_iov = &iov[i],
						   .msg_iovlen = 1,
						   .msg_control = cbuf[i].buf,
						   .msg_controllen = sizeof(cbuf[i].buf) };
	}
	r = recvmmsg(vx->ev.fd, msgs, m, MSG_DONTWAIT, NULL);
	if (r < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_ratelimited(LOG_LVL_WARN, "port %s: recvmmsg: %s", p->name,
					strerror(errno));
		r = 0;
	}
	for (unsigned i = 0; i < m; i++) {
		struct vxlan_rxmsg *h = &vx->held[i];
		struct cmsghdr *cm;

		if (i >= (unsigned)r) {
			pkt_free(p->dp->pool, bufs[i]);
			continue;
		}
		h->pk = bufs[i];
		h->len = msgs[i].msg_len;
		h->off = 0;
		h->seg = 0;
		for (cm = CMSG_FIRSTHDR(&msgs[i].msg_hdr); cm;
		     cm = CMSG_NXTHDR(&msgs[i].msg_hdr, cm)) {
			int seg;

			if (cm->cmsg_level == SOL_UDP && cm->cmsg_type == UDP_GRO) {
				memcpy(&seg, CMSG_DATA(cm), sizeof(seg));
				h->seg = seg > 0 && (uint32_t)seg < h->len ? (uint32_t)seg : 0;
			}
		}
	}
	vx->held_first = 0;
	vx->held_n = (unsigned)r;
	return (unsigned)r;
}

/*
 * Messages are taken apart datagram by datagram until the output is full;
 * what is left stays held for the next call (vxlan_event() makes sure
 * there is one). The frame being coalesced is always finished before
 * returning, so nothing spans two bursts but the held messages.
 */
static unsigned vxlan_rx_burst(struct port *p, struct pkt **pkts, unsigned n)
{
	struct vxlan *vx = p->priv;
	struct vxlan_rxout o = { .pkts = pkts, .cap = n };
	uint64_t now = vxlan_now(p);
	bool aged = false;

	if (vx->ev.fd < 0)
		return 0;
	while (o.n < o.cap) {
		if (!vx->held_n && (o.n || !vxlan_rx_fill(p, vx)))
			break;
		if (!aged) {
			vxlan_age(vx, now, false);
			aged = true;
		}
		while (vx->held_n && o.n < o.cap) {
			struct vxlan_rxmsg *h = &vx->held[vx->held_first];
			uint32_t left = h->len - h->off;
			uint32_t dl = h->seg && left > h->seg ? h->seg : left;
			bool alone = h->off == 0 && dl == h->len;

			vxlan_rx_dgram(p, vx, &o, h->pk->data + h->off, dl, &h->src, now,
				       alone ? h->pk : NULL);
			h->off += dl;
			if (h->off >= h->len) {
				if (!alone)
					pkt_free(p->dp->pool, h->pk);
				h->pk = NULL;
				vx->held_first++;
				vx->held_n--;
			}
		}
	}
	vxlan_gro_finish(vx, &o.gro);
	return o.n;
}

/* ---- transmit --------------------------------------------------------------- */

/*
 * The datagrams of one tx_burst call: each is (VXLAN header, frame) to a
 * VTEP through one of the transmit sockets. @frame is the index in the
 * burst, for the per-frame accounting.
 */
struct vxlan_txq {
	unsigned n;
	struct mmsghdr msgs[VXLAN_TX_BATCH];
	struct iovec iov[VXLAN_TX_BATCH][2];
	uint8_t sock[VXLAN_TX_BATCH];
	uint16_t vtep[VXLAN_TX_BATCH];
	uint16_t frame[VXLAN_TX_BATCH];
	uint16_t copies_ok[PKT_BATCH * 2];
	int last_errno[PKT_BATCH * 2];
};

/* Account datagrams [@first, @first + @n) of the queue as sent. */
static void vxlan_txq_sent(struct vxlan *vx, struct vxlan_txq *q, unsigned first, unsigned n)
{
	for (unsigned i = first; i < first + n; i++) {
		struct vxlan_vtep *t = &vx->vteps[q->vtep[i]];

		t->tx_packets++;
		t->tx_bytes += q->iov[i][1].iov_len;
		q->copies_ok[q->frame[i]]++;
	}
}

/* Account datagrams [@first, @first + @n) as refused with @err. */
static void vxlan_txq_failed(struct port *p, struct vxlan *vx, struct vxlan_txq *q, unsigned first,
			     unsigned n, int err)
{
	char s[VXLAN_ADDR_STRLEN];

	for (unsigned i = first; i < first + n; i++)
		q->last_errno[q->frame[i]] = err;
	vx->cnt[VXLAN_CNT_TX_SEND_ERROR] += n;
	if (err == EMSGSIZE)
		vx->cnt[VXLAN_CNT_TX_TOO_BIG] += n;
	log_ratelimited(LOG_LVL_WARN, "port %s: send to %s: %s", p->name,
			vxlan_addr_format(&vx->vteps[q->vtep[first]].addr, 0, s), strerror(err));
}

/*
 * Send what is queued: one sendmmsg() per run of datagrams on the same
 * socket. With UDP segmentation offload (gso), consecutive datagrams to the
 * same VTEP of one size (the last may be shorter), as the segments of one
 * TSO frame are, go as one message with UDP_SEGMENT: the kernel builds them
 * from one pass through its stack. The iovecs of a group are already
 * contiguous in the queue (header, frame, header, frame...).
 */
static void vxlan_txq_flush(struct port *p, struct vxlan *vx, struct vxlan_txq *q)
{
	struct mmsghdr om[VXLAN_TX_BATCH];
	uint8_t first[VXLAN_TX_BATCH], count[VXLAN_TX_BATCH];
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} cbuf[VXLAN_TX_BATCH];
	unsigned done = 0;

	while (done < q->n) {
		unsigned sock = q->sock[done], nm = 0, i = done, sent = 0;
		bool gso = vx->gso;

		while (i < q->n && q->sock[i] == sock) {
			size_t seg = VXLAN_HLEN + q->iov[i][1].iov_len, total = seg;
			unsigned k = 1;

			while (gso && i + k < q->n && q->sock[i + k] == sock &&
			       q->vtep[i + k] == q->vtep[i] && k < VXLAN_GSO_SEGS_MAX) {
				size_t s2 = VXLAN_HLEN + q->iov[i + k][1].iov_len;

				if (s2 > seg || total + s2 > VXLAN_GSO_BYTES_MAX)
					break;
				total += s2;
				k++;
				if (s2 < seg)
					break; /* a shorter one ends a group */
			}
			om[nm].msg_hdr = q->msgs[i].msg_hdr;
			om[nm].msg_hdr.msg_iovlen = 2 * k;
			if (k > 1) {
				struct cmsghdr *cm = (struct cmsghdr *)cbuf[nm].buf;
				uint16_t gso_size = (uint16_t)seg;

				om[nm].msg_hdr.msg_control = cbuf[nm].buf;
				om[nm].msg_hdr.msg_controllen = sizeof(cbuf[nm].buf);
				cm->cmsg_level = SOL_UDP;
				cm->cmsg_type = UDP_SEGMENT;
				cm->cmsg_len = CMSG_LEN(sizeof(uint16_t));
				memcpy(CMSG_DATA(cm), &gso_size, sizeof(gso_size));
			}
			first[nm] = (uint8_t)i;
			count[nm++] = (uint8_t)k;
			i += k;
		}
		while (sent < nm) {
			int r = sendmmsg(vx->tx_fd[sock], om + sent, nm - sent, MSG_DONTWAIT), err;
			unsigned bad;

			if (r < 0)
				r = 0;
			for (unsigned j = sent; j < sent + (unsigned)r; j++) {
				vxlan_txq_sent(vx, q, first[j], count[j]);
				vx->cnt[VXLAN_CNT_TX_GSO_SENDS] += count[j] > 1;
			}
			sent += (unsigned)r;
			if (sent == nm)
				break;
			err = errno;
			bad = sent;
			if (count[bad] > 1 && err != EAGAIN && err != ENOBUFS && err != EMSGSIZE) {
				/* the kernel or the route refuses segmentation offload: stop using it */
				vx->gso = false;
				warn("port %s: UDP segmentation offload refused (%s); sending "
				     "datagrams one by one from now on",
				     p->name, strerror(err));
				break;
			}
			vxlan_txq_failed(p, vx, q, first[bad], count[bad], err);
			sent++;
		}
		/* resume after what was sent or refused; a group given up on goes again without gso */
		done = sent < nm ? first[sent] : i;
	}
	q->n = 0;
}

static void vxlan_txq_add(struct port *p, struct vxlan *vx, struct vxlan_txq *q,
			  const struct vxlan_vni *v, struct pkt *pk, unsigned frame, unsigned sock,
			  uint16_t vtep)
{
	unsigned i;

	if (q->n == VXLAN_TX_BATCH)
		vxlan_txq_flush(p, vx, q);
	i = q->n++;
	q->iov[i][0] = (struct iovec){ (void *)v->hdr, VXLAN_HLEN };
	q->iov[i][1] = (struct iovec){ pk->data, pk->size };
	q->msgs[i].msg_hdr = (struct msghdr){ .msg_name = &vx->vteps[vtep].addr,
					      .msg_namelen = vxlan_addr_len(&vx->vteps[vtep].addr),
					      .msg_iov = q->iov[i],
					      .msg_iovlen = 2 };
	q->sock[i] = (uint8_t)sock;
	q->vtep[i] = vtep;
	q->frame[i] = (uint16_t)frame;
}

static unsigned vxlan_tx_burst(struct port *p, struct pkt **pkts, const uint16_t *tci, unsigned n)
{
	struct vxlan *vx = p->priv;
	struct vxlan_txq q;
	unsigned sent = 0, n_frames = MIN(n, PKT_BATCH * 2);
	uint64_t now = vxlan_now(p);

	if (vx->ev.fd < 0 || !vx->n_tx) {
		port_count_drop(p, DROP_PORT_DOWN, n);
		return 0;
	}
	if (n > n_frames) { /* the switch never sends more than a burst, segments included */
		sent = vxlan_tx_burst(p, pkts + n_frames, tci + n_frames, n - n_frames);
		n = n_frames;
	}
	vxlan_age(vx, now, false);
	q.n = 0;
	memset(q.copies_ok, 0, n * sizeof(q.copies_ok[0]));
	for (unsigned i = 0; i < n; i++) {
		struct pkt *pk = pkts[i];
		uint16_t vi = vx->vlan_vni[tci[i] & VLAN_VID_MASK];
		const struct vxlan_vni *v;
		const uint16_t *to;
		unsigned n_to, sock;
		uint16_t one;

		q.last_errno[i] = 0;
		if (!vi) {
			vx->cnt[VXLAN_CNT_TX_UNMAPPED_VLAN]++;
			port_count_drop(p, DROP_VLAN_NOT_ALLOWED, 1);
			continue;
		}
		v = &vx->vnis[vi - 1];
		if (pk->size < ETH_HLEN) {
			port_count_drop(p, DROP_RUNT, 1);
			continue;
		}
		if (pk->size > vx->inner_max) {
			vx->cnt[VXLAN_CNT_TX_TOO_BIG]++;
			port_count_drop(p, DROP_OVERSIZE, 1);
			log_ratelimited(
				LOG_LVL_WARN,
				"port %s: dropped a %u-byte frame of VNI %u: a %u-byte underlay "
				"carries inner frames of at most %u bytes (inner MTU %u); set "
				"the VMs' MTU to %u",
				p->name, pk->size, v->vni, vx->cfg->underlay_mtu, vx->inner_max,
				vx->inner_max - ETH_HLEN, vx->inner_max - ETH_HLEN);
			continue;
		}
		to = v->remotes;
		n_to = v->n_remotes;
		if (!eth_is_multicast(pk->data)) {
			uint32_t m = vxlan_mac_find(vx, v->vni, pk->data);

			if (m != VXLAN_NONE32 && !vxlan_mac_expired(vx, &vx->macs[m], now)) {
				one = vx->macs[m].vtep;
				to = &one;
				n_to = 1;
			}
		}
		if (!n_to) {
			vx->cnt[VXLAN_CNT_TX_NO_REMOTE]++;
			continue;
		}
		if (to != &one)
			vx->cnt[VXLAN_CNT_TX_FLOOD_COPIES] += n_to;
		sock = vx->n_tx > 1 ? vxlan_flow_hash(vx, pk->data, pk->size) % vx->n_tx : 0;
		for (unsigned k = 0; k < n_to; k++)
			vxlan_txq_add(p, vx, &q, v, pk, i, sock, to[k]);
	}
	vxlan_txq_flush(p, vx, &q);
	for (unsigned i = 0; i < n; i++) {
		if (q.copies_ok[i]) {
			sent++;
			p->stats.tx_packets++;
			p->stats.tx_bytes += pkts[i]->size;
		} else if (q.last_errno[i]) {
			int e = q.last_errno[i];

			port_count_drop(p,
					e == EAGAIN || e == ENOBUFS ? DROP_TX_FULL
					: e == EMSGSIZE		    ? DROP_OVERSIZE
								    : DROP_TX_ERROR,
					1);
		}
	}
	return sent;
}

/* ---- status and control ----------------------------------------------------- */

uint32_t vxlan_inner_mtu(const struct port *p)
{
	const struct vxlan *vx = vxlan_is(p) ? p->priv : NULL;

	return vx ? vx->inner_max - ETH_HLEN : 0;
}

static void vxlan_info(struct port *p, struct json_t *obj)
{
	struct vxlan *vx = p->priv;
	char s[VXLAN_ADDR_STRLEN];
	json_t *cnt;

	if (!vx)
		return;
	json_object_set_new(obj, "local",
			    json_string(vxlan_addr_format(&vx->cfg->local, vx->cfg->dstport, s)));
	json_object_set_new(obj, "dstport", json_integer(vx->cfg->dstport));
	if (vx->cfg->vlan_vni[0] != VXLAN_NO_VNI)
		json_object_set_new(obj, "vni", json_integer(vx->cfg->vlan_vni[0]));
	json_object_set_new(obj, "vnis", json_integer(vx->n_vnis));
	json_object_set_new(obj, "vteps", json_integer(vx->n_vteps));
	json_object_set_new(obj, "remote_macs", json_integer(vx->n_macs));
	json_object_set_new(obj, "inner_mtu", json_integer(vx->inner_max - ETH_HLEN));
	cnt = json_object();
	for (unsigned i = 0; i < N_VXLAN_CNT; i++)
		json_object_set_new(cnt, vxlan_cnt_names[i], json_integer((json_int_t)vx->cnt[i]));
	json_object_set_new(obj, "vxlan", cnt);
}

struct json_t *vxlan_show(struct port *p)
{
	struct vxlan *vx = p->priv;
	uint64_t now = vxlan_now(p);
	json_t *o = json_object(), *vnis = json_array(), *vteps = json_array();
	json_t *macs = json_array(), *cnt = json_object(), *ports = json_array();
	char s[VXLAN_ADDR_STRLEN], mac[18];
	const struct vxlan_cfg *c;

	if (!vx)
		return o;
	vxlan_age(vx, now, true);
	c = vx->cfg;
	json_object_set_new(o, "port", json_string(p->name));
	json_object_set_new(o, "local", json_string(vxlan_addr_format(&c->local, c->dstport, s)));
	json_object_set_new(o, "dstport", json_integer(c->dstport));
	json_object_set_new(o, "restrict", json_boolean(c->restrict_vteps));
	json_object_set_new(o, "underlay_mtu", json_integer(c->underlay_mtu));
	json_object_set_new(o, "inner_mtu", json_integer(vx->inner_max - ETH_HLEN));
	json_object_set_new(o, "aging", json_integer(c->aging_s));
	json_object_set_new(o, "macs_max", json_integer(c->macs_max));
	for (unsigned i = 0; i < vx->n_tx; i++)
		json_array_append_new(ports, json_integer(vx->tx_port[i]));
	json_object_set_new(o, "srcports", ports);

	/* every VNI of the configuration: carried ones with their VLAN, others with their remotes */
	for (unsigned vlan = 0; vlan < VLAN_N_VID; vlan++) {
		json_t *e, *rem;

		if (c->vlan_vni[vlan] == VXLAN_NO_VNI)
			continue;
		rem = json_array();
		for (unsigned i = 0; i < c->n_pairs; i++) {
			if (c->pairs[i].vni == c->vlan_vni[vlan])
				json_array_append_new(
					rem, json_string(vxlan_addr_format(&c->pairs[i].addr,
									   c->dstport, s)));
		}
		e = json_pack("{s:I, s:i, s:b, s:o}", "vni", (json_int_t)c->vlan_vni[vlan], "vlan",
			      (int)vlan, "untagged", vlan == 0, "remotes", rem);
		json_array_append_new(vnis, e);
	}
	for (unsigned i = 0; i < c->n_pairs; i++) {
		bool first = vxlan_cfg_vlan_of(c, c->pairs[i].vni) < 0;
		json_t *rem;

		for (unsigned j = 0; j < i && first; j++)
			first = c->pairs[j].vni != c->pairs[i].vni;
		if (!first)
			continue;
		rem = json_array();
		for (unsigned j = i; j < c->n_pairs; j++) {
			if (c->pairs[j].vni == c->pairs[i].vni)
				json_array_append_new(
					rem, json_string(vxlan_addr_format(&c->pairs[j].addr,
									   c->dstport, s)));
		}
		json_array_append_new(vnis, json_pack("{s:I, s:n, s:b, s:o}", "vni",
						      (json_int_t)c->pairs[i].vni, "vlan",
						      "untagged", false, "remotes", rem));
	}
	json_object_set_new(o, "vnis", vnis);

	for (uint16_t t = 0; t < VXLAN_VTEP_MAX; t++) {
		const struct vxlan_vtep *v = &vx->vteps[t];

		if (!v->in_use)
			continue;
		json_array_append_new(
			vteps,
			json_pack("{s:s, s:i, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "address",
				  vxlan_addr_format(&v->addr, c->dstport, s), "port",
				  (int)vxlan_addr_port(&v->addr), "configured",
				  v->n_lists || v->n_static, "flood_lists", (json_int_t)v->n_lists,
				  "macs", (json_int_t)(v->n_learned + v->n_static), "rx_packets",
				  (json_int_t)v->rx_packets, "rx_bytes", (json_int_t)v->rx_bytes,
				  "tx_packets", (json_int_t)v->tx_packets, "tx_bytes",
				  (json_int_t)v->tx_bytes, "last_rx_s",
				  v->last_rx_ns && now > v->last_rx_ns
					  ? (json_int_t)((now - v->last_rx_ns) / NS_PER_S)
					  : (json_int_t)-1));
	}
	json_object_set_new(o, "vteps", vteps);

	for (uint32_t i = 0; i < vx->macs_max; i++) {
		const struct vxlan_mac *m = &vx->macs[i];
		const struct vxlan_vni *v;

		if (!m->in_use || vxlan_mac_expired(vx, m, now))
			continue;
		v = vxlan_vni_find(vx, m->vni);
		json_array_append_new(
			macs,
			json_pack("{s:I, s:i, s:s, s:s, s:I, s:b}", "vni", (json_int_t)m->vni,
				  "vlan", v ? (int)v->vlan : -1, "mac", eth_mac_format(m->mac, mac),
				  "vtep",
				  vxlan_addr_format(&vx->vteps[m->vtep].addr, c->dstport, s), "age",
				  (json_int_t)(m->is_static || now < m->seen_ns
						       ? 0
						       : (now - m->seen_ns) / NS_PER_S),
				  "static", m->is_static));
	}
	json_object_set_new(o, "macs", macs);
	for (unsigned i = 0; i < N_VXLAN_CNT; i++)
		json_object_set_new(cnt, vxlan_cnt_names[i], json_integer((json_int_t)vx->cnt[i]));
	json_object_set_new(o, "counters", cnt);
	return o;
}

bool vxlan_fdb_vtep(struct port *p, uint16_t vlan, const uint8_t mac[static 6], char *buf,
		    size_t size)
{
	struct vxlan *vx = vxlan_is(p) ? p->priv : NULL;
	char s[VXLAN_ADDR_STRLEN];
	uint32_t m;

	if (!vx || vlan >= VLAN_N_VID || !vx->vlan_vni[vlan])
		return false;
	m = vxlan_mac_find(vx, vx->vnis[vx->vlan_vni[vlan] - 1].vni, mac);
	if (m == VXLAN_NONE32 || vxlan_mac_expired(vx, &vx->macs[m], vxlan_now(p)))
		return false;
	snprintf(buf, size, "%s",
		 vxlan_addr_format(&vx->vteps[vx->macs[m].vtep].addr, vx->cfg->dstport, s));
	return true;
}

/* Save @c into a copy of the options, then put both in force; @c is taken over. */
static int vxlan_commit(struct port *p, struct vxlan_cfg *c, char *err, size_t errsz)
{
	struct vxlan *vx = p->priv;
	struct kv_list kv = p->opts;
	int rc;

	if (!vxlan_cfg_check_remotes(c, err, errsz)) {
		free(c);
		return -ENOSPC;
	}
	if (!vxlan_cfg_to_kv(c, &kv, err, errsz)) {
		free(c);
		return -ENOSPC;
	}
	rc = vxlan_apply(vx, c, err, errsz);
	if (rc) {
		free(c);
		return rc;
	}
	p->opts = kv;
	return 0;
}

static struct vxlan_cfg *vxlan_edit(struct port *p, char *err, size_t errsz)
{
	struct vxlan *vx = vxlan_is(p) ? p->priv : NULL;
	struct vxlan_cfg *c;

	if (!vx) {
		snprintf(err, errsz, "port %s is not a vxlan port", p->name);
		return NULL;
	}
	c = vxlan_cfg_dup(vx->cfg);
	if (!c)
		snprintf(err, errsz, "out of memory");
	return c;
}

int vxlan_map(struct port *p, uint16_t vlan, uint32_t vni, char *err, size_t errsz)
{
	struct vxlan_cfg *c;
	int other;

	if (vlan >= VLAN_N_VID - 1 || vni > VXLAN_VNI_MAX) {
		snprintf(err, errsz, "expected VLAN 0..4094 and VNI 0..%u", VXLAN_VNI_MAX);
		return -EINVAL;
	}
	c = vxlan_edit(p, err, errsz);
	if (!c)
		return -ENOMEM;
	if (c->vlan_vni[vlan] == vni) {
		free(c);
		return 0;
	}
	other = vxlan_cfg_vlan_of(c, vni);
	if (other >= 0) {
		snprintf(err, errsz, "VNI %u is already carried by %s %d (vxlan/unmap it first)",
			 vni, other ? "VLAN" : "the untagged VLAN", other);
		free(c);
		return -EEXIST;
	}
	c->vlan_vni[vlan] = vni;
	return vxlan_commit(p, c, err, errsz);
}

int vxlan_unmap(struct port *p, bool by_vni, uint32_t id, char *err, size_t errsz)
{
	struct vxlan_cfg *c = vxlan_edit(p, err, errsz);
	int vlan;

	if (!c)
		return -ENOMEM;
	vlan = by_vni ? vxlan_cfg_vlan_of(c, id) : id < VLAN_N_VID ? (int)id : -1;
	if (vlan < 0 || c->vlan_vni[vlan] == VXLAN_NO_VNI) {
		snprintf(err, errsz, "%s %u is not mapped on port %s", by_vni ? "VNI" : "VLAN", id,
			 p->name);
		free(c);
		return -ENOENT;
	}
	c->vlan_vni[vlan] = VXLAN_NO_VNI;
	return vxlan_commit(p, c, err, errsz);
}

int vxlan_remote_add(struct port *p, uint32_t vni, const char *remote, const uint8_t *mac,
		     char *err, size_t errsz)
{
	struct vxlan_cfg *c = vxlan_edit(p, err, errsz);
	union vxlan_addr a;

	if (!c)
		return -ENOMEM;
	if (vni > VXLAN_VNI_MAX) {
		snprintf(err, errsz, "vni=%u: expected 0..%u", vni, VXLAN_VNI_MAX);
		free(c);
		return -EINVAL;
	}
	if (!vxlan_cfg_remote(c, remote, &a, "remote", err, errsz) ||
	    (mac ? !vxlan_cfg_add_static(c, vni, mac, &a, "remote", err, errsz)
		 : !vxlan_cfg_add_pair(c, vni, &a, "remote", err, errsz))) {
		free(c);
		return -EINVAL;
	}
	return vxlan_commit(p, c, err, errsz);
}

int vxlan_remote_del(struct port *p, uint32_t vni, const char *remote, const uint8_t *mac,
		     char *err, size_t errsz)
{
	struct vxlan_cfg *c = vxlan_edit(p, err, errsz);
	union vxlan_addr a;
	int i;

	if (!c)
		return -ENOMEM;
	if (!vxlan_cfg_remote(c, remote, &a, "remote", err, errsz)) {
		free(c);
		return -EINVAL;
	}
	if (mac) {
		i = vxlan_cfg_find_static(c, vni, mac);
		if (i < 0 || !vxlan_addr_eq(&c->statics[i].addr, &a)) {
			snprintf(err, errsz, "no static entry for that MAC in VNI %u via %s", vni,
				 remote);
			free(c);
			return -ENOENT;
		}
		memmove(&c->statics[i], &c->statics[i + 1],
			(c->n_statics - (unsigned)i - 1) * sizeof(c->statics[0]));
		c->n_statics--;
	} else {
		i = vxlan_cfg_find_pair(c, vni, &a);
		if (i < 0) {
			snprintf(err, errsz, "%s is not a remote VTEP of VNI %u", remote, vni);
			free(c);
			return -ENOENT;
		}
		memmove(&c->pairs[i], &c->pairs[i + 1],
			(c->n_pairs - (unsigned)i - 1) * sizeof(c->pairs[0]));
		c->n_pairs--;
	}
	return vxlan_commit(p, c, err, errsz);
}

const struct port_ops vxlan_port_ops = {
	.type = "vxlan",
	.help = "local=IP [dstport=4789] [vni=N] [map=VLAN:VNI,...] "
		"[remotes=VNI@IP+IP,...] [static=VNI/MAC@IP,...] [restrict=on|off] "
		"[underlay_mtu=1500] [udpcsum=on|off] [aging=300] [macs_max=4096] [srcports=16] "
		"(VXLAN tunnel endpoint, a trunk; see doc/vxlan.md)",
	.validate = vxlan_validate,
	.open = vxlan_open,
	.close = vxlan_close,
	.rx_burst = vxlan_rx_burst,
	.tx_burst = vxlan_tx_burst,
	.reconfigure = vxlan_reconfigure,
	.info = vxlan_info,
};
