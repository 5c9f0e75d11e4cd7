/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * bridge.h - one virtual switch: its ports, its MAC table, and the
 * forwarding of bursts between them (an 802.1Q learning bridge).
 *
 * The forwarding path, bridge_input(), works in two passes over a burst
 * (as netmap's VALE does): first classify every frame (parse, VLAN ingress,
 * drop checks, learn, look up) and record its destination set; then, for
 * each output port, push one burst with the 802.1Q tags that port needs,
 * segmenting or completing checksums in software only for ports that lack
 * the offload.
 */
#ifndef VNET_BRIDGE_H
#define VNET_BRIDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/dp.h"
#include "../base/kv.h"
#include "../port/port.h"
#include "fdb.h"

#define BRIDGE_NAME_MAX 32 /* bytes in a switch name, including NUL */
#define BRIDGE_MAX_PORTS 1024 /* ports per switch (<= FDB_MAX_PORTS) */

/* A frame's destination after classification: a port index, or one of these. */
#define BRIDGE_DST_FLOOD 0xfffe
#define BRIDGE_DST_DROP 0xffff

/* struct bridge::tap bits, per port: who watches it. */
#define BRIDGE_TAP_CAP_IN (1u << 0) /* a capture takes the frames it receives */
#define BRIDGE_TAP_CAP_OUT (1u << 1) /* a capture takes the frames sent to it */
#define BRIDGE_TAP_MIRROR_OUT (1u << 2) /* a mirror's output port: nothing else goes to it */
#define BRIDGE_TAP_MIRROR_IN (1u << 3) /* a mirror selects frames arriving on it */
#define BRIDGE_TAP_MIRROR_EG (1u << 4) /* a mirror selects frames leaving on it */

struct capture_set;
struct mirror_set;

/**
 * struct bridge - one switch
 * @name:    unique switch name
 * @dp:      the datapath thread that runs it
 * @opts:    switch options as configured (fdb_max=, aging=), for persistence
 * @ports:   ports by index; NULL slots are free
 * @n_ports: ports in use (slots may be sparse: iterate to BRIDGE_MAX_PORTS
 *           or use bridge_port_next())
 * @dense:   the ports in use, packed (first @n_ports entries), for flooding
 *           without scanning empty slots
 * @fdb:     the MAC table; port numbers in it are port indices
 * @isolated: VLANs where access ports cannot reach each other (private-VLAN
 *           "isolated"); trunk-like ports there stay promiscuous
 * @drops:   drops not attributable to one port (rare)
 * @tapped:  captures running plus mirrors active (@n_tap_captures +
 *           @n_tap_mirrors): while 0 bridge_input() skips its tap point with
 *           one predictable branch per burst (capture.h, mirror.h)
 * @tap:     per port index, BRIDGE_TAP_* bits: who watches the port. The
 *           per-port tap points test only this byte, so ports nobody
 *           watches pay the same single branch whether or not other ports
 *           of the switch are captured or mirrored
 * @captures: live captures (capture.h), NULL until the first
 * @mirrors: mirrors (mirror.h), NULL until the first
 */
struct bridge {
	char name[BRIDGE_NAME_MAX];
	struct dp *dp;
	struct kv_list opts;
	struct port *ports[BRIDGE_MAX_PORTS];
	unsigned n_ports;
	struct port *dense[BRIDGE_MAX_PORTS];
	struct fdb *fdb;
	struct vlan_cfg isolated;
	bool any_isolated;
	uint64_t drops[N_DROP];
	uint32_t tapped;
	uint16_t n_tap_captures, n_tap_mirrors;
	uint8_t tap[BRIDGE_MAX_PORTS];
	struct capture_set *captures;
	struct mirror_set *mirrors;
};

/**
 * bridge_validate() - check switch options (fdb_max=1..1000000, aging=1..1000000 s,
 * isolated_vlans=LIST)
 * Return: 0 or -EINVAL with @err set.
 */
int bridge_validate(const struct kv_list *opts, char *err, size_t errsz);
/** bridge_create() - new empty switch. Return: switch, or NULL with @err set */
struct bridge *bridge_create(struct dp *dp, const char *name, const struct kv_list *opts, char *err,
			     size_t errsz);
/** bridge_destroy() - destroy all ports and the switch; accepts NULL */
void bridge_destroy(struct bridge *br);
/** bridge_set() - change switch options at run time (aging=; fdb_max= only on restart). */
int bridge_set(struct bridge *br, const struct kv_list *opts, char *err, size_t errsz);

/**
 * bridge_port_add() - create a port from @opts (see port_create) and attach it
 * Return: 0, -EEXIST, -ENOSPC, or -errno from the port type, with @err set.
 */
int bridge_port_add(struct bridge *br, const char *name, const struct kv_list *opts, char *err,
		    size_t errsz);
/** bridge_port_del() - detach and destroy; flushes its MAC entries. Return: 0 or -ENOENT */
int bridge_port_del(struct bridge *br, const char *name);
/** bridge_port_set() - port_set(), then flush the port's MAC entries if its VLANs changed */
int bridge_port_set(struct bridge *br, const char *name, const struct kv_list *changes, char *err,
		    size_t errsz);
/** bridge_port_find() - port by name, or NULL */
struct port *bridge_port_find(const struct bridge *br, const char *name);
/** bridge_port_next() - next port with index > @prev (NULL to start), or NULL when done */
struct port *bridge_port_next(const struct bridge *br, const struct port *prev);

/**
 * bridge_fdb_add() - static entry (@vlan, @mac) -> port @port_name
 * Return: 0, -ENOENT (no such port), -ENOSPC (table full).
 */
int bridge_fdb_add(struct bridge *br, uint16_t vlan, const uint8_t mac[static 6],
		   const char *port_name);

/**
 * bridge_input() - forward a burst received on @in (the port's ->input hook)
 * Consumes the frames (gives them back with port_rx_done()).
 */
void bridge_input(struct port *in, struct pkt **pkts, unsigned n);

/**
 * struct bridge_trace - what bridge_trace() records: one line per decision
 */
#define BRIDGE_TRACE_LINES 64
#define BRIDGE_TRACE_LINE_MAX 160
struct bridge_trace {
	unsigned n;
	char line[BRIDGE_TRACE_LINES][BRIDGE_TRACE_LINE_MAX];
	/* outputs: the ports the frame would leave on, and with which tag */
	unsigned n_out;
	uint16_t out_port[BRIDGE_MAX_PORTS];
	uint16_t out_tci[BRIDGE_MAX_PORTS];
	bool dropped;
	char drop_reason[32];
};

/**
 * bridge_trace() - run one synthetic frame through the forwarding decisions
 * without learning, transmitting or counting anything, and record each step
 * (parse, VLAN ingress, drop checks, what learning would do, lookup/flood,
 * per-output tag and offload handling).
 */
void bridge_trace(struct bridge *br, struct port *in, const uint8_t *frame, size_t size,
		  struct bridge_trace *tr);

/**
 * bridge_emit() - send frames the switch itself originates (mirror copies) to
 * @o, at most PKT_BATCH: completes the offloads @o lacks and transmits
 * (captures on @o see them); never learned, forwarded or mirrored.
 * @tci: the 802.1Q TCI to insert per frame, or 0
 */
void bridge_emit(struct bridge *br, struct port *o, struct pkt **pkts, const uint16_t *tci,
		 unsigned n);

/** bridge_age() - run MAC aging and the ports' ->tick (called from the daemon's 1 s timer). */
void bridge_age(struct bridge *br, uint64_t now_ns);

#endif /* VNET_BRIDGE_H */
