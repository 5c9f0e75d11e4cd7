// SPDX-License-Identifier: GPL-2.0-or-later
/* mirror.c - port mirroring to an output port (SPAN) or an output VLAN (RSPAN); see mirror.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/log.h"
#include "../base/util.h"
#include "../net/eth.h"
#include "mirror.h"

_Static_assert(MIRROR_MAX <= 16, "the per-frame dedup mask is 16 bits");

/* A port or mirror name: 1..PORT_NAME_MAX-1 of [A-Za-z0-9_.-], not starting with '-'. */
static bool mirror_name_ok(const char *s, size_t n)
{
	if (n == 0 || n >= PORT_NAME_MAX || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

/* "p1,p2" into @names (appended after *@n). */
static bool mirror_parse_names(const char *key, const char *val, char names[][PORT_NAME_MAX],
			       unsigned *n, unsigned *total, char *err, size_t errsz)
{
	const char *s = val;

	if (!*val) {
		snprintf(err, errsz, "%s: expected PORT[,PORT...]", key);
		return false;
	}
	while (*s) {
		const char *e = strchr(s, ',');
		size_t len = e ? (size_t)(e - s) : strlen(s);

		if (!mirror_name_ok(s, len)) {
			snprintf(err, errsz, "%s=%s: '%.*s' is not a port name", key, val,
				 (int)MIN(len, (size_t)40), s);
			return false;
		}
		if (*total >= MIRROR_SEL_PORTS_MAX) {
			snprintf(err, errsz, "%s: at most %d ports in ingress= and egress=", key,
				 MIRROR_SEL_PORTS_MAX);
			return false;
		}
		memcpy(names[*n], s, len);
		names[*n][len] = '\0';
		(*n)++;
		(*total)++;
		s += len;
		if (*s == ',' && !*++s) {
			snprintf(err, errsz, "%s=%s: trailing comma", key, val);
			return false;
		}
	}
	return true;
}

static bool mirror_has_name(char names[][PORT_NAME_MAX], unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++) {
		if (!strcmp(names[i], name))
			return true;
	}
	return false;
}

bool mirror_parse(struct mirror *m, const struct kv_list *opts_in, char *err, size_t errsz)
{
	struct kv_list opts = *opts_in;
	const char *in, *out, *vlans, *oport, *k;
	uint64_t ovlan = 0, snaplen = 0;
	unsigned total = 0;

	opts.used = 0;
	m->n_in = m->n_out = 0;
	m->any_vlans = false;
	m->out_port[0] = '\0';
	m->out_vlan = 0;
	m->snaplen = 0;
	in = kv_get(&opts, "ingress");
	out = kv_get(&opts, "egress");
	vlans = kv_get(&opts, "vlans");
	oport = kv_get(&opts, "output");
	if (!kv_get_u64(&opts, "output_vlan", 1, 4094, &ovlan, err, errsz) ||
	    !kv_get_u64(&opts, "snaplen", MIRROR_SNAPLEN_MIN, MIRROR_SNAPLEN_MAX, &snaplen, err,
			errsz))
		return false;
	k = kv_first_unused(&opts);
	if (k) {
		snprintf(err, errsz,
			 "unknown mirror option '%s' (ingress= egress= vlans= output= "
			 "output_vlan= snaplen=)",
			 k);
		return false;
	}
	if (in && !mirror_parse_names("ingress", in, m->in_names, &m->n_in, &total, err, errsz))
		return false;
	if (out && !mirror_parse_names("egress", out, m->out_names, &m->n_out, &total, err, errsz))
		return false;
	if (vlans) {
		char verr[200];

		if (!*vlans ||
		    !vlan_cfg_parse(&m->vlans, "trunk", NULL, vlans, verr, sizeof(verr))) {
			snprintf(err, errsz, "vlans=%s: %s", vlans, *vlans ? verr : "empty");
			return false;
		}
		m->any_vlans = true;
	}
	if (!m->n_in && !m->n_out && !m->any_vlans) {
		snprintf(err, errsz, "a mirror needs ingress=PORTS, egress=PORTS or vlans=LIST");
		return false;
	}
	if (!!oport == !!ovlan) {
		snprintf(err, errsz, "a mirror needs exactly one of output=PORT and output_vlan=N");
		return false;
	}
	if (oport) {
		if (!mirror_name_ok(oport, strlen(oport))) {
			snprintf(err, errsz, "output=%.40s: not a port name", oport);
			return false;
		}
		if (mirror_has_name(m->in_names, m->n_in, oport) ||
		    mirror_has_name(m->out_names, m->n_out, oport)) {
			snprintf(err, errsz,
				 "output=%s: the output port cannot be one of the mirrored ports",
				 oport);
			return false;
		}
		snprintf(m->out_port, sizeof(m->out_port), "%s", oport);
	}
	if (ovlan && m->any_vlans && vlan_member(&m->vlans, (uint16_t)ovlan)) {
		snprintf(err, errsz, "output_vlan=%llu: the output VLAN cannot be a mirrored VLAN",
			 (unsigned long long)ovlan);
		return false;
	}
	m->out_vlan = (uint16_t)ovlan;
	m->snaplen = (uint32_t)snaplen;
	m->opts = *opts_in;
	m->opts.used = 0;
	return true;
}

int mirror_validate(const struct kv_list *opts, char *err, size_t errsz)
{
	struct mirror *m = malloc(sizeof(*m));
	bool ok;

	if (!m) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	ok = mirror_parse(m, opts, err, errsz);
	free(m);
	return ok ? 0 : -EINVAL;
}

struct mirror *mirror_find(const struct bridge *br, const char *name)
{
	for (unsigned i = 0; br->mirrors && i < MIRROR_MAX; i++) {
		if (br->mirrors->m[i] && !strcmp(br->mirrors->m[i]->name, name))
			return br->mirrors->m[i];
	}
	return NULL;
}

struct mirror *mirror_next(const struct bridge *br, const struct mirror *prev)
{
	unsigned i = 0;

	if (!br->mirrors)
		return NULL;
	if (prev) {
		while (i < MIRROR_MAX && br->mirrors->m[i] != prev)
			i++;
		i++;
	}
	for (; i < MIRROR_MAX; i++) {
		if (br->mirrors->m[i])
			return br->mirrors->m[i];
	}
	return NULL;
}

const char *mirror_state(const struct bridge *br, const struct mirror *m, char *buf, size_t size)
{
	(void)br;
	if (m->active)
		snprintf(buf, size, "active");
	else
		snprintf(buf, size, "inactive: output port %s does not exist", m->out_port);
	return buf;
}

static void mirror_bit_set(uint64_t *bm, uint16_t idx)
{
	bm[idx / 64] |= 1ull << (idx % 64);
}

static inline bool mirror_bit(const uint64_t *bm, uint16_t idx)
{
	return bm[idx / 64] >> (idx % 64) & 1;
}

/* The tap bits of the ports @m watches: ingress (every port for a VLAN-only mirror), egress. */
static void mirror_mark_ports(struct bridge *br, const struct mirror *m)
{
	bool vlan_only = !m->n_in && !m->n_out;

	for (struct port *p = bridge_port_next(br, NULL); p; p = bridge_port_next(br, p)) {
		if (vlan_only || mirror_bit(m->sel_in, p->idx))
			br->tap[p->idx] |= BRIDGE_TAP_MIRROR_IN;
		if (mirror_bit(m->sel_out, p->idx))
			br->tap[p->idx] |= BRIDGE_TAP_MIRROR_EG;
	}
}

void mirror_ports_changed(struct bridge *br)
{
	struct mirror_set *ms = br->mirrors;
	unsigned n = 0;

	for (unsigned i = 0; i < BRIDGE_MAX_PORTS; i++)
		br->tap[i] &= (uint8_t) ~(BRIDGE_TAP_MIRROR_OUT | BRIDGE_TAP_MIRROR_IN |
					  BRIDGE_TAP_MIRROR_EG);
	for (unsigned i = 0; ms && i < MIRROR_MAX; i++) {
		struct mirror *m = ms->m[i];
		struct port *p;

		if (!m)
			continue;
		memset(m->sel_in, 0, sizeof(m->sel_in));
		memset(m->sel_out, 0, sizeof(m->sel_out));
		for (unsigned j = 0; j < m->n_in; j++) {
			p = bridge_port_find(br, m->in_names[j]);
			if (p)
				mirror_bit_set(m->sel_in, p->idx);
		}
		for (unsigned j = 0; j < m->n_out; j++) {
			p = bridge_port_find(br, m->out_names[j]);
			if (p)
				mirror_bit_set(m->sel_out, p->idx);
		}
		m->out_idx = MIRROR_PORT_NONE;
		if (m->out_port[0]) {
			p = bridge_port_find(br, m->out_port);
			if (p) {
				m->out_idx = p->idx;
				br->tap[p->idx] |= BRIDGE_TAP_MIRROR_OUT;
			}
		}
		m->active = !m->out_port[0] || m->out_idx != MIRROR_PORT_NONE;
		n += m->active;
		if (m->active)
			mirror_mark_ports(br, m);
	}
	br->n_tap_mirrors = (uint16_t)n;
	br->tapped = br->n_tap_captures + br->n_tap_mirrors;
}

int mirror_add(struct bridge *br, const char *name, const struct kv_list *opts, char *err,
	       size_t errsz)
{
	struct mirror_set *ms = br->mirrors;
	struct mirror *m, *old = mirror_find(br, name);
	unsigned slot = 0;

	if (!mirror_name_ok(name, strlen(name))) {
		snprintf(err, errsz, "invalid mirror name '%.40s': use 1..%d of A-Z a-z 0-9 _ . -",
			 name, PORT_NAME_MAX - 1);
		return -EINVAL;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	if (!mirror_parse(m, opts, err, errsz)) {
		free(m);
		return -EINVAL;
	}
	if (!ms) {
		ms = calloc(1, sizeof(*ms));
		if (!ms) {
			free(m);
			snprintf(err, errsz, "out of memory");
			return -ENOMEM;
		}
		br->mirrors = ms;
	}
	if (old) {
		/* new settings, same counters */
		m->packets = old->packets;
		m->bytes = old->bytes;
		m->truncated = old->truncated;
		m->drops = old->drops;
		while (ms->m[slot] != old)
			slot++;
		free(old);
	} else {
		while (slot < MIRROR_MAX && ms->m[slot])
			slot++;
		if (slot == MIRROR_MAX) {
			free(m);
			snprintf(err, errsz, "switch %s already has %d mirrors", br->name,
				 MIRROR_MAX);
			return -ENOSPC;
		}
		ms->n++;
	}
	snprintf(m->name, sizeof(m->name), "%s", name);
	ms->m[slot] = m;
	mirror_ports_changed(br);
	info("switch %s: mirror %s %s", br->name, name, old ? "changed" : "added");
	return 0;
}

int mirror_del(struct bridge *br, const char *name)
{
	struct mirror_set *ms = br->mirrors;
	struct mirror *m = mirror_find(br, name);

	if (!m)
		return -ENOENT;
	for (unsigned i = 0; i < MIRROR_MAX; i++) {
		if (ms->m[i] == m)
			ms->m[i] = NULL;
	}
	free(m);
	if (!--ms->n) {
		free(ms);
		br->mirrors = NULL;
	}
	mirror_ports_changed(br);
	info("switch %s: mirror %s deleted", br->name, name);
	return 0;
}

void mirror_set_destroy(struct mirror_set *ms)
{
	if (!ms)
		return;
	for (unsigned i = 0; i < MIRROR_MAX; i++)
		free(ms->m[i]);
	free(ms);
}

/* Does @m take frame @pk on this crossing (VLAN filter and its own output VLAN)? */
static inline bool mirror_vlan_ok(const struct mirror *m, const struct pkt *pk)
{
	if (m->out_vlan && pk->vlan == m->out_vlan)
		return false; /* its own output: never again */
	return !m->any_vlans || vlan_member(&m->vlans, pk->vlan);
}

/*
 * Send @n selected frames (@tci: the tag each had on the selected port's
 * wire; @src: its input port; @excl: a port that must not get it, or
 * MIRROR_PORT_NONE) to @m's output.
 */
static void mirror_emit(struct bridge *br, struct mirror *m, struct pkt **pkts, const uint16_t *tci,
			const uint16_t *src, uint16_t excl, unsigned n)
{
	struct pkt *copies[PKT_BATCH], *sel[PKT_BATCH], *fr[PKT_BATCH];
	uint16_t selt[PKT_BATCH], sels[PKT_BATCH], t[PKT_BATCH];
	unsigned n_copies = 0, n_sel = 0, k;

	for (unsigned i = 0; i < n && i < PKT_BATCH; i++) {
		struct pkt *pk = pkts[i];
		uint32_t keep = m->snaplen; /* an 802.1Q tag the output inserts comes on top */

		if (keep && pk->size > keep) {
			struct pkt *c = pkt_alloc(br->dp->pool);

			if (!c) {
				m->drops++;
				continue;
			}
			memcpy(c->data, pk->data, keep);
			c->size = keep;
			c->vlan = pk->vlan;
			c->pcp = pk->pcp;
			c->in_port = pk->in_port;
			copies[n_copies++] = c;
			m->truncated++;
			sel[n_sel] = c;
		} else {
			sel[n_sel] = pk;
		}
		selt[n_sel] = tci[i];
		sels[n_sel++] = src[i];
		m->packets++;
		m->bytes += pk->size;
	}
	if (m->out_idx != MIRROR_PORT_NONE) {
		struct port *o = br->ports[m->out_idx];

		if (o && n_sel)
			bridge_emit(br, o, sel, selt, n_sel);
	} else {
		for (unsigned j = 0; j < br->n_ports && n_sel; j++) {
			struct port *p = br->dense[j];
			uint16_t tag;

			if (p->state != PORT_UP || !vlan_member(&p->vlan, m->out_vlan) ||
			    (br->tap[p->idx] & BRIDGE_TAP_MIRROR_OUT) || p->idx == excl)
				continue;
			tag = vlan_egress_tagged(&p->vlan, m->out_vlan) ? m->out_vlan : 0;
			k = 0;
			for (unsigned i = 0; i < n_sel; i++) {
				if (sels[i] == p->idx)
					continue;
				fr[k] = sel[i];
				t[k++] = tag ? (uint16_t)((unsigned)sel[i]->pcp << 13 | tag) : 0;
			}
			if (k)
				bridge_emit(br, p, fr, t, k);
		}
	}
	pkt_free_burst(br->dp->pool, copies, n_copies);
}

/* The tag frame @pk had (or would have had) on the wire of port @p: 0 for none. */
static inline uint16_t mirror_wire_tci(const struct port *p, const struct pkt *pk)
{
	if (!vlan_egress_tagged(&p->vlan, pk->vlan))
		return 0;
	return (uint16_t)((unsigned)pk->pcp << 13 | pk->vlan);
}

void mirror_ingress(struct bridge *br, struct port *in, struct pkt **pkts, const uint16_t *dst,
		    unsigned n)
{
	struct mirror_set *ms = br->mirrors;

	if (!ms)
		return;
	if (ms->fresh) {
		memset(ms->done, 0, sizeof(ms->done));
		ms->fresh = false;
	}
	for (unsigned b = 0; b < MIRROR_MAX; b++) {
		struct mirror *m = ms->m[b];
		struct pkt *sel[PKT_BATCH];
		uint16_t tci[PKT_BATCH], src[PKT_BATCH];
		bool by_port;
		unsigned k = 0;

		if (!m || !m->active)
			continue;
		by_port = m->n_in || m->n_out;
		if (by_port && !mirror_bit(m->sel_in, in->idx))
			continue;
		for (unsigned i = 0; i < n; i++) {
			if (dst[i] == BRIDGE_DST_DROP || !mirror_vlan_ok(m, pkts[i]))
				continue;
			ms->done[i] |= (uint16_t)(1u << b);
			sel[k] = pkts[i];
			tci[k] = mirror_wire_tci(in, pkts[i]);
			src[k++] = in->idx;
		}
		if (k)
			mirror_emit(br, m, sel, tci, src, MIRROR_PORT_NONE, k);
	}
}

void mirror_egress(struct bridge *br, struct port *o, struct pkt **pkts, const uint16_t *tci,
		   unsigned n)
{
	struct mirror_set *ms = br->mirrors;

	if (!ms)
		return;
	if (ms->fresh) {
		memset(ms->done, 0, sizeof(ms->done));
		ms->fresh = false;
	}
	for (unsigned b = 0; b < MIRROR_MAX; b++) {
		struct mirror *m = ms->m[b];
		struct pkt *sel[PKT_BATCH];
		uint16_t t[PKT_BATCH], src[PKT_BATCH];
		unsigned k = 0;

		if (!m || !m->active || !mirror_bit(m->sel_out, o->idx))
			continue;
		for (unsigned i = 0; i < n && k < PKT_BATCH; i++) {
			unsigned j = 0;

			if (!mirror_vlan_ok(m, pkts[i]))
				continue;
			/* copied already (on its way in, or to another selected port)? */
			while (j < ms->burst_n && ms->burst[j] != pkts[i])
				j++;
			if (j < ms->burst_n) {
				if (ms->done[j] & (1u << b))
					continue;
				ms->done[j] |= (uint16_t)(1u << b);
			}
			sel[k] = pkts[i];
			t[k] = tci[i];
			src[k++] = pkts[i]->in_port;
		}
		if (k)
			mirror_emit(br, m, sel, t, src, o->idx, k);
	}
}
