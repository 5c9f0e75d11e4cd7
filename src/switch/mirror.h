/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mirror.h - port mirroring: copies of selected frames to an output port
 * (SPAN) or into an output VLAN (RSPAN), as Open vSwitch's Mirror table does.
 *
 * Theory of operation
 * -------------------
 * A mirror selects frames by where they cross the switch:
 *
 *   ingress=P1,P2   frames the switch accepted from these ports
 *   egress=P3       frames the switch sends to these ports
 *   vlans=LIST      only frames in these VLANs; alone, every frame of them
 *                   (taken once, when the switch accepts it)
 *
 * and sends each selected frame once per mirror, even when it is selected on
 * its way in and on several ways out (a flood): a per-burst bitmap records
 * which mirror has copied which frame of the burst. Copies go
 *
 *   output=PORT     to that port, with the 802.1Q tag the frame had on the
 *                   selected port's wire (SPAN). The output port is
 *                   dedicated to the mirror: the switch forwards nothing else
 *                   to it and drops what it receives (mirror_port), as OVS
 *                   does, so an analyzer there sees each frame exactly once.
 *   output_vlan=N   to every other port that carries VLAN N, tagged as that
 *                   port tags VLAN N (RSPAN; the original tag is replaced).
 *                   Frames already in VLAN N are never selected, so two
 *                   switches mirroring into one RSPAN VLAN cannot loop.
 *
 * snaplen=N cuts copies to N bytes, plus the 802.1Q tag the output inserts
 * if any (a copy in a pool buffer; the original is never touched). Copies leave through bridge_emit(): they are never
 * forwarded, learned or mirrored again, and a mirror's output port can be
 * none of its sources, so a mirror cannot see its own output.
 *
 * Ports are named, not held: a mirror whose output port is deleted goes
 * inactive (mirror/list says why) and comes back when a port of that name is
 * added again; selected ports that do not exist select nothing. The datapath
 * enters this file only when bridge::tapped is non-zero.
 */
#ifndef VNET_MIRROR_H
#define VNET_MIRROR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/kv.h"
#include "../base/pkt.h"
#include "../net/vlan.h"
#include "../port/port.h"
#include "bridge.h"

#define MIRROR_MAX 16 /* mirrors per switch (bits of the per-burst dedup mask) */
#define MIRROR_NAME_MAX 32 /* bytes in a mirror name, including NUL */
#define MIRROR_SNAPLEN_MIN 64 /* shortest snaplen= */
#define MIRROR_SNAPLEN_MAX 65535
#define MIRROR_SEL_PORTS_MAX 32 /* port names in ingress= plus egress= */
#define MIRROR_PORT_NONE 0xffff

/**
 * struct mirror - one mirror
 * @name:     unique within its switch
 * @opts:     the options as configured, for persistence and mirror/list
 * @in_names/@out_names: ports selected on ingress / egress (@n_in, @n_out)
 * @vlans:    VLANs selected when @any_vlans (else every VLAN)
 * @out_port: SPAN output port name ("" for RSPAN)
 * @out_vlan: RSPAN output VLAN (0 for SPAN)
 * @snaplen:  bytes kept per copy (0: whole frames)
 * @out_idx:  the output port's index, MIRROR_PORT_NONE while it does not exist
 * @active:   copies are being made (for SPAN: the output port exists)
 * @sel_in/@sel_out: selected port indices as bitmaps (resolved from the names)
 * @packets/@bytes: frames copied, and their bytes before truncation
 * @truncated: copies cut to @snaplen
 * @drops:    copies not made: no free buffer for a truncated copy
 */
struct mirror {
	char name[MIRROR_NAME_MAX];
	struct kv_list opts;
	char in_names[MIRROR_SEL_PORTS_MAX][PORT_NAME_MAX];
	char out_names[MIRROR_SEL_PORTS_MAX][PORT_NAME_MAX];
	unsigned n_in, n_out;
	struct vlan_cfg vlans;
	bool any_vlans;
	char out_port[PORT_NAME_MAX];
	uint16_t out_vlan;
	uint32_t snaplen;
	uint16_t out_idx;
	bool active;
	uint64_t sel_in[BRIDGE_MAX_PORTS / 64];
	uint64_t sel_out[BRIDGE_MAX_PORTS / 64];
	uint64_t packets, bytes, truncated, drops;
};

/**
 * struct mirror_set - the mirrors of one switch
 * @m:      mirrors; NULL slots are free
 * @n:      mirrors configured
 * @done:   per frame of the burst being forwarded: mirrors that copied it
 * @fresh:  @done is stale (a new burst began and nothing was copied yet)
 * @burst/@burst_n: that burst (to find a frame's index on egress)
 */
struct mirror_set {
	struct mirror *m[MIRROR_MAX];
	unsigned n;
	uint16_t done[PKT_BATCH];
	bool fresh;
	struct pkt **burst;
	unsigned burst_n;
};

/**
 * mirror_burst_begin() - datapath: a burst enters the switch (whenever mirrors
 * exist; a few stores, so that ports no mirror selects pay nothing more)
 */
static inline void mirror_burst_begin(struct mirror_set *ms, struct pkt **pkts, unsigned n)
{
	ms->burst = pkts;
	ms->burst_n = n;
	ms->fresh = true;
}

/**
 * mirror_parse() - parse mirror options into @m (name and counters untouched)
 * Checks syntax and consistency only (exactly one of output= and
 * output_vlan=, something selected, the output not among the sources);
 * ports need not exist. Return: true, or false with @err set.
 */
bool mirror_parse(struct mirror *m, const struct kv_list *opts, char *err, size_t errsz);

/** mirror_validate() - mirror_parse() without keeping the result. Return: 0 or -EINVAL */
int mirror_validate(const struct kv_list *opts, char *err, size_t errsz);

/**
 * mirror_add() - add mirror @name to @br, or replace its options (counters kept)
 * Return: 0, -EINVAL (bad options or name), -ENOSPC (MIRROR_MAX), -ENOMEM, with @err set.
 */
int mirror_add(struct bridge *br, const char *name, const struct kv_list *opts, char *err,
	       size_t errsz);

/** mirror_del() - remove mirror @name. Return: 0 or -ENOENT */
int mirror_del(struct bridge *br, const char *name);

/** mirror_find() - mirror @name of @br, or NULL */
struct mirror *mirror_find(const struct bridge *br, const char *name);

/** mirror_next() - the mirror after @prev (NULL: the first), or NULL */
struct mirror *mirror_next(const struct bridge *br, const struct mirror *prev);

/** mirror_state() - "active", or why not ("output port p3 does not exist") into @buf */
const char *mirror_state(const struct bridge *br, const struct mirror *m, char *buf, size_t size);

/** mirror_ports_changed() - re-resolve port names after a port was added or deleted */
void mirror_ports_changed(struct bridge *br);

/**
 * mirror_ingress() - datapath, after classification: copy the accepted
 * frames (@dst[i] != BRIDGE_DST_DROP) that a mirror selects (only called
 * for ports with BRIDGE_TAP_MIRROR_IN)
 */
void mirror_ingress(struct bridge *br, struct port *in, struct pkt **pkts, const uint16_t *dst,
		    unsigned n);

/**
 * mirror_egress() - datapath: frames of the current burst on their way to
 * @o with tags @tci; copy those a mirror selects and has not copied yet
 * (only called for ports with BRIDGE_TAP_MIRROR_EG)
 */
void mirror_egress(struct bridge *br, struct port *o, struct pkt **pkts, const uint16_t *tci,
		   unsigned n);

/** mirror_set_destroy() - free every mirror; accepts NULL */
void mirror_set_destroy(struct mirror_set *ms);

#endif /* VNET_MIRROR_H */
