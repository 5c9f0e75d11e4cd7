// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bridge.c - the 802.1Q learning bridge: switch objects and forwarding.
 *
 * Theory of operation
 * -------------------
 * A port's receive callback hands a burst of up to PKT_BATCH frames to
 * bridge_input(). Pass one classifies each frame in order:
 *
 *   parse (bounded)            -> runt / truncated_vlan / stacked_vlan
 *   source MAC multicast?      -> src_multicast
 *   destination 01:80:c2:00:00:0x -> reserved_dst (never forwarded)
 *   offload header sane?       -> bad_vnet_hdr
 *   VLAN ingress (vlan.h)      -> tagged_on_access / vlan_not_allowed
 *   pop the 802.1Q tag into pkt->vlan/pcp; frames are stored untagged
 *   size within the port MTU?  -> oversize (TSO frames excepted)
 *   learn (VLAN, source MAC) -> input port
 *   look up (VLAN, destination MAC): a port, or flood
 *
 * and records one destination per frame: a port index, FLOOD or DROPPED.
 * Pass two visits each port once and sends it, in one tx_burst, every frame
 * addressed to it or flooded within a VLAN it carries, never back to the input
 * port, with the 802.1Q TCI that port wants (vlan_egress_tagged()). A frame
 * needing an offload the output port lacks is completed here: checksum in
 * place (valid for everyone) or segmented into fresh buffers (gso.c).
 *
 * bridge_trace() walks the same decisions for one frame without learning,
 * counting or sending, and writes each step down.
 *
 * Tap points for live captures (capture.c) and mirrors (mirror.c): the raw
 * burst on entry (when bridge::tapped), accepted frames after pass one, each
 * output burst before and at transmit. Each tests the port's bridge::tap
 * byte, one predictable branch, so unwatched ports pay nothing more when
 * other ports are watched. Mirror copies leave through bridge_emit(), which
 * bypasses forwarding and mirroring.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/log.h"
#include "../base/util.h"
#include "../net/csum.h"
#include "../net/eth.h"
#include "../net/frame.h"
#include "../net/gso.h"
#include "bridge.h"
#include "capture.h"
#include "mirror.h"

#define BRIDGE_GSO_MAX_SEGS 64 /* segments per super-frame; more is a gso_failed drop */

static void bridge_tracef_(struct bridge_trace *tr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Arguments are evaluated only when tracing: formatting MACs costs more than forwarding. */
#define bridge_tracef(tr, ...)                           \
	do {                                             \
		if (unlikely(tr))                        \
			bridge_tracef_(tr, __VA_ARGS__); \
	} while (0)

static void bridge_tracef_(struct bridge_trace *tr, const char *fmt, ...)
{
	va_list ap;

	if (!tr || tr->n >= BRIDGE_TRACE_LINES)
		return;
	va_start(ap, fmt);
	vsnprintf(tr->line[tr->n++], BRIDGE_TRACE_LINE_MAX, fmt, ap);
	va_end(ap);
}

static bool bridge_any_bit(const struct vlan_cfg *c)
{
	for (size_t i = 0; i < ARRAY_SIZE(c->trunks); i++) {
		if (c->trunks[i])
			return true;
	}
	return false;
}

static bool bridge_parse_opts(struct kv_list *opts, uint64_t *fdb_max, uint64_t *aging,
			      struct vlan_cfg *isolated, char *err, size_t errsz)
{
	const char *k, *iso;

	if (!kv_get_u64(opts, "fdb_max", 1, FDB_MAX_MAX_ENTRIES, fdb_max, err, errsz) ||
	    !kv_get_u64(opts, "aging", 1, FDB_AGING_MAX_S, aging, err, errsz))
		return false;
	iso = kv_get(opts, "isolated_vlans");
	memset(isolated, 0, sizeof(*isolated));
	if (iso && *iso && !vlan_cfg_parse(isolated, "trunk", NULL, iso, err, errsz)) {
		char inner[200];

		snprintf(inner, sizeof(inner), "%s", err);
		snprintf(err, errsz, "isolated_vlans: %s", inner);
		return false;
	}
	k = kv_first_unused(opts);
	if (k) {
		snprintf(err, errsz, "unknown switch option '%s'", k);
		return false;
	}
	return true;
}

int bridge_validate(const struct kv_list *opts_in, char *err, size_t errsz)
{
	struct kv_list opts = *opts_in;
	uint64_t fdb_max = FDB_DEFAULT_MAX_ENTRIES, aging = FDB_AGING_DEFAULT_S;
	struct vlan_cfg iso;

	opts.used = 0;
	return bridge_parse_opts(&opts, &fdb_max, &aging, &iso, err, errsz) ? 0 : -EINVAL;
}

struct bridge *bridge_create(struct dp *dp, const char *name, const struct kv_list *opts_in,
			     char *err, size_t errsz)
{
	struct kv_list opts = *opts_in;
	uint64_t fdb_max = FDB_DEFAULT_MAX_ENTRIES, aging = FDB_AGING_DEFAULT_S;
	struct vlan_cfg iso;
	struct bridge *br;

	if (!*name || strlen(name) >= BRIDGE_NAME_MAX) {
		snprintf(err, errsz, "switch name must be 1..%d characters", BRIDGE_NAME_MAX - 1);
		return NULL;
	}
	opts.used = 0;
	if (!bridge_parse_opts(&opts, &fdb_max, &aging, &iso, err, errsz))
		return NULL;
	br = calloc(1, sizeof(*br));
	if (!br) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	br->fdb = fdb_create((uint32_t)fdb_max, (uint32_t)aging);
	if (!br->fdb) {
		snprintf(err, errsz, "out of memory for a MAC table of %llu entries",
			 (unsigned long long)fdb_max);
		free(br);
		return NULL;
	}
	strcpy(br->name, name);
	br->isolated = iso;
	br->any_isolated = bridge_any_bit(&iso);
	br->dp = dp;
	br->opts = opts;
	br->opts.used = 0;
	return br;
}

void bridge_destroy(struct bridge *br)
{
	if (!br)
		return;
	capture_set_destroy(br->captures);
	mirror_set_destroy(br->mirrors);
	for (unsigned i = 0; i < BRIDGE_MAX_PORTS; i++)
		port_destroy(br->ports[i]);
	fdb_destroy(br->fdb);
	free(br);
}

int bridge_set(struct bridge *br, const struct kv_list *changes, char *err, size_t errsz)
{
	struct kv_list merged = br->opts;
	uint64_t fdb_max = FDB_DEFAULT_MAX_ENTRIES, aging = FDB_AGING_DEFAULT_S;
	struct vlan_cfg iso;

	for (unsigned i = 0; i < changes->n; i++) {
		if (!strcmp(changes->kv[i].key, "fdb_max")) {
			snprintf(err, errsz, "fdb_max cannot change on a running switch");
			return -EINVAL;
		}
		if (!kv_set(&merged, changes->kv[i].key, changes->kv[i].val)) {
			snprintf(err, errsz, "too many options");
			return -EINVAL;
		}
	}
	merged.used = 0;
	if (!bridge_parse_opts(&merged, &fdb_max, &aging, &iso, err, errsz))
		return -EINVAL;
	fdb_set_aging(br->fdb, (uint32_t)aging);
	br->isolated = iso;
	br->any_isolated = bridge_any_bit(&iso);
	merged.used = 0;
	br->opts = merged;
	return 0;
}

struct port *bridge_port_find(const struct bridge *br, const char *name)
{
	for (unsigned i = 0; i < BRIDGE_MAX_PORTS; i++) {
		if (br->ports[i] && !strcmp(br->ports[i]->name, name))
			return br->ports[i];
	}
	return NULL;
}

struct port *bridge_port_next(const struct bridge *br, const struct port *prev)
{
	for (unsigned i = prev ? prev->idx + 1u : 0; i < BRIDGE_MAX_PORTS; i++) {
		if (br->ports[i])
			return br->ports[i];
	}
	return NULL;
}

int bridge_port_add(struct bridge *br, const char *name, const struct kv_list *opts, char *err,
		    size_t errsz)
{
	struct port *p;
	unsigned idx;

	if (bridge_port_find(br, name)) {
		snprintf(err, errsz, "port %s already exists on switch %s", name, br->name);
		return -EEXIST;
	}
	for (idx = 0; idx < BRIDGE_MAX_PORTS && br->ports[idx]; idx++)
		;
	if (idx == BRIDGE_MAX_PORTS) {
		snprintf(err, errsz, "switch %s has the maximum of %d ports", br->name,
			 BRIDGE_MAX_PORTS);
		return -ENOSPC;
	}
	p = port_create(br->dp, name, opts, err, errsz);
	if (!p)
		return -EINVAL;
	p->idx = (uint16_t)idx;
	p->input = bridge_input;
	p->input_arg = br;
	br->ports[idx] = p;
	br->dense[br->n_ports++] = p;
	if (br->mirrors)
		mirror_ports_changed(br);
	info("switch %s: port %s added (%s)", br->name, name, p->ops->type);
	return 0;
}

int bridge_port_del(struct bridge *br, const char *name)
{
	struct port *p = bridge_port_find(br, name);

	if (!p)
		return -ENOENT;
	if (br->captures)
		capture_port_gone(br, p);
	fdb_flush(br->fdb, p->idx, true);
	br->ports[p->idx] = NULL;
	for (unsigned i = 0; i < br->n_ports; i++) {
		if (br->dense[i] == p) {
			br->dense[i] = br->dense[--br->n_ports];
			break;
		}
	}
	if (br->mirrors)
		mirror_ports_changed(br);
	port_destroy(p);
	info("switch %s: port %s deleted", br->name, name);
	return 0;
}

int bridge_port_set(struct bridge *br, const char *name, const struct kv_list *changes, char *err,
		    size_t errsz)
{
	struct port *p = bridge_port_find(br, name);
	struct vlan_cfg old;
	int rc;

	if (!p) {
		snprintf(err, errsz, "no port %s on switch %s", name, br->name);
		return -ENOENT;
	}
	old = p->vlan;
	rc = port_set(p, changes, err, errsz);
	if (rc)
		return rc;
	if (memcmp(&old, &p->vlan, sizeof(old)))
		fdb_flush(br->fdb, p->idx, false);
	return 0;
}

int bridge_fdb_add(struct bridge *br, uint16_t vlan, const uint8_t mac[static 6],
		   const char *port_name)
{
	struct port *p = bridge_port_find(br, port_name);

	if (!p)
		return -ENOENT;
	if (vlan >= VLAN_N_VID)
		return -EINVAL;
	return fdb_add_static(br->fdb, vlan, mac, p->idx);
}

void bridge_age(struct bridge *br, uint64_t now_ns)
{
	fdb_age(br->fdb, now_ns);
	if (br->captures)
		capture_tick(br, now_ns);
	for (struct port *p = bridge_port_next(br, NULL); p; p = bridge_port_next(br, p)) {
		if (p->ops->tick)
			p->ops->tick(p);
	}
}

/*
 * Ingress classification of one frame: checks, VLAN, tag pop.
 * Return: N_DROP if accepted, else the drop reason.
 */
static enum drop_reason bridge_ingress(struct port *in, struct pkt *pk, struct bridge_trace *tr)
{
	const struct eth_hdr *eh = (const struct eth_hdr *)pk->data;
	struct frame_info fi;
	enum frame_error fe;
	enum drop_reason why;
	bool tagged, is8021q;
	uint16_t vid = 0, vlan;
	char s1[18], s2[18];

	fe = frame_parse(pk->data, pk->size, &fi);
	if (fe == FRAME_RUNT)
		return DROP_RUNT;
	if (fe == FRAME_TRUNC_VLAN)
		return DROP_TRUNC_VLAN;
	if (fe != FRAME_OK)
		return DROP_STACKED_VLAN;
	bridge_tracef(tr, "parse: %s > %s, %u bytes, %u tag(s), ethertype 0x%04x",
		      eth_mac_format(eh->src, s1), eth_mac_format(eh->dst, s2), pk->size, fi.n_tags,
		      fi.ethertype);
	if (eth_is_multicast(eh->src))
		return DROP_SRC_MULTICAST;
	if (eth_is_reserved(eh->dst))
		return DROP_RESERVED_DST;
	if ((pk->vnet.flags || pk->vnet.gso_type) &&
	    !frame_check_vnet(&pk->vnet, pk->data, pk->size, &fi))
		return DROP_BAD_VNET_HDR;

	/* Only an outer 802.1Q tag is a VLAN tag; an access port refuses any tag. */
	is8021q = fi.n_tags && fi.tpid[0] == ETH_P_8021Q_;
	tagged = in->vlan.mode == VLAN_MODE_ACCESS ? fi.n_tags > 0 : is8021q;
	if (tagged)
		vid = fi.tci[0] & VLAN_VID_MASK;
	if (tagged && !is8021q && vid == 0)
		vid = VLAN_VID_MASK; /* a non-802.1Q outer tag is never a priority tag */
	if (!vlan_ingress(&in->vlan, tagged, vid, fi.n_tags > 1, &vlan, &why))
		return why;
	/*
	 * Double-tagging VLAN hop: the native VID tagged explicitly around another tag. Popped,
	 * the frame would leave every native-untagged egress with the inner tag exposed, and
	 * the next switch would read that tag as the frame's VLAN.
	 */
	if (is8021q && fi.n_tags > 1 && vid == in->vlan.tag &&
	    (in->vlan.mode == VLAN_MODE_NATIVE_TAGGED ||
	     in->vlan.mode == VLAN_MODE_NATIVE_UNTAGGED))
		return DROP_STACKED_VLAN;
	why = guard_ingress(&in->guard, pk->data, pk->size, &fi, in->dp->now_ns);
	if (why != N_DROP) {
		bridge_tracef(tr, "guard: port %s: %s", in->name, drop_name(why));
		return why;
	}
	pk->vlan = vlan;
	pk->pcp = tagged ? (uint8_t)(fi.tci[0] >> 13) : 0;
	if (is8021q) {
		/* pop: move the MAC addresses over the tag */
		memmove(pk->data + VLAN_HLEN, pk->data, 2 * ETH_ALEN);
		pk->data += VLAN_HLEN;
		pk->size -= VLAN_HLEN;
		if (pk->vnet.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
			pk->vnet.csum_start -= VLAN_HLEN;
		if (pk->vnet.hdr_len > VLAN_HLEN)
			pk->vnet.hdr_len -= VLAN_HLEN;
	}
	bridge_tracef(tr, "vlan: port %s (%s) %s vid %u -> VLAN %u%s", in->name,
		      vlan_mode_name(in->vlan.mode), tagged ? "tagged" : "untagged", vid, vlan,
		      is8021q ? ", tag popped" : "");
	if (!pkt_is_gso(pk) && pk->size > in->mtu + ETH_HLEN + (fi.n_tags > 1 ? VLAN_HLEN : 0))
		return DROP_OVERSIZE;
	return N_DROP;
}

/* mac_limit: may @in learn one more address? */
static bool bridge_mac_limit_ok(struct bridge *br, struct port *in, const uint8_t *src,
				uint16_t vlan)
{
	if (!in->guard.mac_limit || fdb_port_count(br->fdb, in->idx) < in->guard.mac_limit)
		return true;
	return fdb_lookup(br->fdb, vlan, src) == in->idx;
}

/* Storm control on a frame about to be flooded. Return: N_DROP or the reason. */
static enum drop_reason bridge_storm(struct port *in, const uint8_t *dst, struct bridge_trace *tr)
{
	enum guard_flood_kind kind = eth_is_broadcast(dst)   ? GUARD_BCAST
				     : eth_is_multicast(dst) ? GUARD_MCAST
							     : GUARD_UNKNOWN;
	enum drop_reason why;

	if (tr)
		return N_DROP; /* tracing takes no tokens */
	why = guard_flood(&in->guard, kind, in->dp->now_ns);
	return why;
}

/*
 * Where does an accepted frame go? Learns (unless tracing) and looks up.
 * Return: a port index, BRIDGE_DST_FLOOD, or BRIDGE_DST_DROP with *@why set.
 */
static uint16_t bridge_lookup(struct bridge *br, struct port *in, struct pkt *pk,
			      struct bridge_trace *tr, enum drop_reason *why)
{
	const struct eth_hdr *eh = (const struct eth_hdr *)pk->data;
	char s[18];
	uint16_t out;

	if (!bridge_mac_limit_ok(br, in, eh->src, pk->vlan)) {
		bridge_tracef(tr, "guard: port %s has %u learned MACs (mac_limit): drop", in->name,
			      in->guard.mac_limit);
		*why = DROP_MAC_LIMIT;
		return BRIDGE_DST_DROP;
	}
	if (!tr) {
		fdb_learn(br->fdb, pk->vlan, eh->src, in->idx, br->dp->now_ns);
	} else {
		uint16_t known = fdb_lookup(br->fdb, pk->vlan, eh->src);

		if (known == in->idx)
			bridge_tracef(tr, "learn: %s VLAN %u already on port %s (refresh)",
				      eth_mac_format(eh->src, s), pk->vlan, in->name);
		else if (known == FDB_PORT_NONE)
			bridge_tracef(tr, "learn: %s VLAN %u would be learned on port %s",
				      eth_mac_format(eh->src, s), pk->vlan, in->name);
		else
			bridge_tracef(tr, "learn: %s VLAN %u would move from port %s to %s",
				      eth_mac_format(eh->src, s), pk->vlan,
				      br->ports[known] ? br->ports[known]->name : "?", in->name);
	}
	if (eth_is_multicast(eh->dst)) {
		bridge_tracef(tr, "lookup: %s is %s: flood in VLAN %u", eth_mac_format(eh->dst, s),
			      eth_is_broadcast(eh->dst) ? "broadcast" : "multicast", pk->vlan);
		*why = bridge_storm(in, eh->dst, tr);
		return *why == N_DROP ? BRIDGE_DST_FLOOD : BRIDGE_DST_DROP;
	}
	out = fdb_lookup(br->fdb, pk->vlan, eh->dst);
	if (out == FDB_PORT_NONE || out >= BRIDGE_MAX_PORTS || !br->ports[out]) {
		bridge_tracef(tr, "lookup: %s VLAN %u unknown: flood in VLAN %u",
			      eth_mac_format(eh->dst, s), pk->vlan, pk->vlan);
		*why = bridge_storm(in, eh->dst, tr);
		return *why == N_DROP ? BRIDGE_DST_FLOOD : BRIDGE_DST_DROP;
	}
	bridge_tracef(tr, "lookup: %s VLAN %u -> port %s", eth_mac_format(eh->dst, s), pk->vlan,
		      br->ports[out]->name);
	return out;
}

/* Protected ports, and access ports within an isolated VLAN, do not talk to each other. */
static inline bool bridge_protected(const struct bridge *br, const struct port *in,
				    const struct port *o, uint16_t vlan)
{
	if (in->guard.protect && o->guard.protect)
		return true;
	return br->any_isolated && in->vlan.mode == VLAN_MODE_ACCESS &&
	       o->vlan.mode == VLAN_MODE_ACCESS && vlan_member(&br->isolated, vlan);
}

static inline uint16_t bridge_egress_tci(const struct port *o, const struct pkt *pk)
{
	if (!vlan_egress_tagged(&o->vlan, pk->vlan))
		return 0;
	return (uint16_t)((unsigned)pk->pcp << 13 | pk->vlan);
}

static bool bridge_needs_gso(const struct port *o, const struct pkt *pk)
{
	unsigned t = pk->vnet.gso_type & ~VIRTIO_NET_HDR_GSO_ECN;

	if (t == VIRTIO_NET_HDR_GSO_NONE)
		return false;
	if ((pk->vnet.gso_type & VIRTIO_NET_HDR_GSO_ECN) && !(o->caps & PORT_CAP_TSO_ECN))
		return true;
	switch (t) {
	case VIRTIO_NET_HDR_GSO_TCPV4:
		return !(o->caps & PORT_CAP_TSO4);
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return !(o->caps & PORT_CAP_TSO6);
	default:
		return !(o->caps & PORT_CAP_UFO);
	}
}

/* Send @n frames to @o with their tags; counts nothing the port does not. */
static void bridge_tx(struct bridge *br, struct port *o, struct pkt **pkts, const uint16_t *tci,
		      unsigned n)
{
	if (!n)
		return;
	if (o->state != PORT_UP) {
		port_count_drop(o, DROP_PORT_DOWN, n);
		return;
	}
	if (unlikely(br->tap[o->idx] & BRIDGE_TAP_CAP_OUT))
		capture_tx(br, o, pkts, tci, n);
	o->ops->tx_burst(o, pkts, tci, n);
}

/* Forwarded frames to @o: mirrors may copy them first. */
static void bridge_send(struct bridge *br, struct port *o, struct pkt **pkts, const uint16_t *tci,
			unsigned n)
{
	if (unlikely(br->tap[o->idx] & BRIDGE_TAP_MIRROR_EG) && n)
		mirror_egress(br, o, pkts, tci, n);
	bridge_tx(br, o, pkts, tci, n);
}

/* Segment super-frame @pk in software for @o and send the segments. */
static void bridge_tx_segmented(struct bridge *br, struct port *o, struct pkt *pk, uint16_t tci)
{
	struct pkt *segs[BRIDGE_GSO_MAX_SEGS];
	uint16_t tcis[BRIDGE_GSO_MAX_SEGS];
	unsigned n = gso_segment(pk, br->dp->pool, segs, BRIDGE_GSO_MAX_SEGS);

	if (!n) {
		port_count_drop(o, DROP_GSO_FAILED, 1);
		log_ratelimited(LOG_LVL_WARN, "switch %s: port %s: cannot segment a %u-byte frame",
				br->name, o->name, pk->size);
		return;
	}
	o->stats.gso_segmented++;
	for (unsigned i = 0; i < n; i++)
		tcis[i] = tci;
	bridge_tx(br, o, segs, tcis, n);
	pkt_free_burst(br->dp->pool, segs, n);
}

/* What bridge_fit() found a frame needs before it leaves through a port. */
enum bridge_fit { BRIDGE_FIT_SEND, BRIDGE_FIT_SEGMENT, BRIDGE_FIT_DROPPED };

/*
 * bridge_fit() - make @pk fit to leave through @o: an oversize frame is dropped and counted, a
 * super-frame @o cannot take is to be segmented, a partial checksum @o cannot complete is
 * completed in place (valid for every other destination too).
 */
static inline enum bridge_fit bridge_fit(struct port *o, struct pkt *pk)
{
	if (!pkt_is_gso(pk) && pk->size > o->mtu + ETH_HLEN) {
		port_count_drop(o, DROP_OVERSIZE, 1);
		return BRIDGE_FIT_DROPPED;
	}
	if (pkt_is_gso(pk) && bridge_needs_gso(o, pk))
		return BRIDGE_FIT_SEGMENT;
	if (pkt_needs_csum(pk) && !(o->caps & PORT_CAP_CSUM)) {
		if (!csum_complete_pkt(pk)) {
			port_count_drop(o, DROP_BAD_VNET_HDR, 1);
			return BRIDGE_FIT_DROPPED;
		}
		o->stats.csum_completed++;
	}
	return BRIDGE_FIT_SEND;
}

/* Pass two for one output port: gather its frames, fix offloads, send. */
static void bridge_output(struct bridge *br, struct port *in, struct port *o, struct pkt **pkts,
			  const uint16_t *dst, unsigned n)
{
	struct pkt *out[PKT_BATCH];
	uint16_t tci[PKT_BATCH];
	unsigned m = 0;

	if (unlikely(br->tap[o->idx] & BRIDGE_TAP_MIRROR_OUT))
		return; /* a mirror's output port carries mirrored frames only */
	for (unsigned i = 0; i < n; i++) {
		struct pkt *pk = pkts[i];

		if (dst[i] != o->idx && (dst[i] != BRIDGE_DST_FLOOD || o == in ||
					 !vlan_member(&o->vlan, pk->vlan) || o->state != PORT_UP))
			continue;
		if (!vlan_member(&o->vlan, pk->vlan)) {
			port_count_drop(o, DROP_VLAN_NOT_ALLOWED, 1);
			continue;
		}
		if (bridge_protected(br, in, o, pk->vlan)) {
			if (dst[i] == o->idx)
				port_count_drop(in, DROP_PROTECTED, 1);
			continue;
		}
		if (o->guard.ip)
			guard_snoop_egress(&o->guard, pk->data, pk->size);
		switch (bridge_fit(o, pk)) {
		case BRIDGE_FIT_DROPPED:
			continue;
		case BRIDGE_FIT_SEGMENT: {
			uint16_t t = bridge_egress_tci(o, pk);

			bridge_send(br, o, out, tci, m);
			m = 0;
			if (unlikely(br->tap[o->idx] & BRIDGE_TAP_MIRROR_EG))
				mirror_egress(br, o, &pk, &t, 1);
			bridge_tx_segmented(br, o, pk, t);
			continue;
		}
		case BRIDGE_FIT_SEND:
			break;
		}
		out[m] = pk;
		tci[m++] = bridge_egress_tci(o, pk);
	}
	bridge_send(br, o, out, tci, m);
}

void bridge_emit(struct bridge *br, struct port *o, struct pkt **pkts, const uint16_t *tci,
		 unsigned n)
{
	struct pkt *out[PKT_BATCH];
	uint16_t t[PKT_BATCH];
	unsigned m = 0;

	for (unsigned i = 0; i < n && i < PKT_BATCH; i++) {
		struct pkt *pk = pkts[i];

		switch (bridge_fit(o, pk)) {
		case BRIDGE_FIT_DROPPED:
			continue;
		case BRIDGE_FIT_SEGMENT:
			bridge_tx(br, o, out, t, m);
			m = 0;
			bridge_tx_segmented(br, o, pk, tci[i]);
			continue;
		case BRIDGE_FIT_SEND:
			break;
		}
		out[m] = pk;
		t[m++] = tci[i];
	}
	bridge_tx(br, o, out, t, m);
}

void bridge_input(struct port *in, struct pkt **pkts, unsigned n)
{
	struct bridge *br = in->input_arg;
	uint16_t dst[PKT_BATCH];
	bool flood = false;
	unsigned n_ok = 0;

	if (unlikely(br->tapped)) {
		if (br->mirrors)
			mirror_burst_begin(br->mirrors, pkts, n);
		if (br->tap[in->idx] & BRIDGE_TAP_CAP_IN)
			capture_rx(br, in, pkts, n);
		if (br->tap[in->idx] & BRIDGE_TAP_MIRROR_OUT) {
			port_count_drop(in, DROP_MIRROR_PORT, n);
			port_rx_done(in, pkts, n);
			return;
		}
	}

	/* Pass one: classify. */
	for (unsigned i = 0; i < n; i++) {
		struct pkt *pk = pkts[i];
		enum drop_reason why;

		pk->in_port = in->idx;
		why = bridge_ingress(in, pk, NULL);
		if (why != N_DROP) {
			port_count_drop(in, why, 1);
			log_ratelimited(LOG_LVL_INFO, "switch %s: port %s: dropped a frame: %s",
					br->name, in->name, drop_name(why));
			dst[i] = BRIDGE_DST_DROP;
			continue;
		}
		dst[i] = bridge_lookup(br, in, pk, NULL, &why);
		if (dst[i] == BRIDGE_DST_DROP) {
			port_count_drop(in, why, 1);
			log_ratelimited(LOG_LVL_INFO, "switch %s: port %s: dropped a frame: %s",
					br->name, in->name, drop_name(why));
			continue;
		}
		in->stats.rx_packets++;
		in->stats.rx_bytes += pk->size;
		in->stats.rx_gso += pkt_is_gso(pk);
		if (dst[i] == in->idx) {
			port_count_drop(in, DROP_LOOPBACK, 1);
			dst[i] = BRIDGE_DST_DROP;
			continue;
		}
		flood |= dst[i] == BRIDGE_DST_FLOOD;
		n_ok++;
	}

	if (unlikely(br->tap[in->idx] & BRIDGE_TAP_MIRROR_IN) && n_ok)
		mirror_ingress(br, in, pkts, dst, n);

	/* Pass two: one burst per output port. */
	if (n_ok) {
		if (flood) {
			for (unsigned i = 0; i < br->n_ports; i++) {
				if (br->dense[i] != in)
					bridge_output(br, in, br->dense[i], pkts, dst, n);
			}
		} else {
			/* unicast only: visit each distinct destination once */
			for (unsigned i = 0; i < n; i++) {
				bool seen = false;

				if (dst[i] == BRIDGE_DST_DROP)
					continue;
				for (unsigned j = 0; j < i && !seen; j++)
					seen = dst[j] == dst[i];
				if (!seen)
					bridge_output(br, in, br->ports[dst[i]], pkts, dst, n);
			}
		}
	}
	port_rx_done(in, pkts, n);
}

void bridge_trace(struct bridge *br, struct port *in, const uint8_t *frame, size_t size,
		  struct bridge_trace *tr)
{
	struct pkt *pk = pkt_alloc(br->dp->pool);
	enum drop_reason why;
	uint16_t dst;

	memset(tr, 0, sizeof(*tr));
	if (!pk) {
		tr->dropped = true;
		snprintf(tr->drop_reason, sizeof(tr->drop_reason), "%s",
			 drop_name(DROP_NO_BUFFERS));
		bridge_tracef(tr, "no packet buffer free");
		return;
	}
	if (size > PKT_DATA_MAX)
		size = PKT_DATA_MAX;
	memcpy(pk->data, frame, size);
	pk->size = (uint32_t)size;
	pk->in_port = in->idx;
	bridge_tracef(tr, "input: switch %s port %s (%s, %s)", br->name, in->name, in->ops->type,
		      in->state == PORT_UP ? "up" : "down");
	why = bridge_ingress(in, pk, tr);
	if (why != N_DROP) {
		tr->dropped = true;
		snprintf(tr->drop_reason, sizeof(tr->drop_reason), "%s", drop_name(why));
		bridge_tracef(tr, "drop: %s", drop_name(why));
		goto out;
	}
	dst = bridge_lookup(br, in, pk, tr, &why);
	if (dst == BRIDGE_DST_DROP) {
		tr->dropped = true;
		snprintf(tr->drop_reason, sizeof(tr->drop_reason), "%s", drop_name(why));
		bridge_tracef(tr, "drop: %s", drop_name(why));
		goto out;
	}
	if (dst == in->idx) {
		tr->dropped = true;
		snprintf(tr->drop_reason, sizeof(tr->drop_reason), "%s", drop_name(DROP_LOOPBACK));
		bridge_tracef(tr, "drop: destination is the input port");
		goto out;
	}
	for (struct port *o = bridge_port_next(br, NULL); o; o = bridge_port_next(br, o)) {
		uint16_t tci;

		if (o == in || (dst != BRIDGE_DST_FLOOD && dst != o->idx))
			continue;
		if (!vlan_member(&o->vlan, pk->vlan)) {
			if (dst == o->idx)
				bridge_tracef(tr, "output: port %s does not carry VLAN %u: drop",
					      o->name, pk->vlan);
			continue;
		}
		if (o->state != PORT_UP) {
			bridge_tracef(tr, "output: port %s is down: skip", o->name);
			continue;
		}
		if (bridge_protected(br, in, o, pk->vlan)) {
			bridge_tracef(tr, "output: port %s: protected/isolated from %s: skip",
				      o->name, in->name);
			continue;
		}
		tci = bridge_egress_tci(o, pk);
		if (tci)
			bridge_tracef(tr, "output: port %s (%s), push tag VLAN %u PCP %u", o->name,
				      vlan_mode_name(o->vlan.mode), tci & VLAN_VID_MASK, tci >> 13);
		else
			bridge_tracef(tr, "output: port %s (%s), untagged", o->name,
				      vlan_mode_name(o->vlan.mode));
		if (tr->n_out < BRIDGE_MAX_PORTS) {
			tr->out_port[tr->n_out] = o->idx;
			tr->out_tci[tr->n_out++] = tci;
		}
	}
	if (!tr->n_out)
		bridge_tracef(tr, "result: no output port");
	else
		bridge_tracef(tr, "result: %u output port(s)", tr->n_out);
out:
	pkt_free(br->dp->pool, pk);
}
