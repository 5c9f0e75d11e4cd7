/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * port.h - a switch port, and the vtable each port type fills in.
 *
 * Theory of operation
 * -------------------
 * A port type (tap, internal, dummy, vhost-user, ...) is a struct port_ops
 * registered in port.c's table. port_create() parses the generic options
 * (type, vlan_mode, tag, trunks, mtu) and hands the rest to ops->open(),
 * which must consume every key it understands; a key nobody consumed is an
 * error ("unknown option"). open() registers the port's fds with
 * p->dp->loop; when an fd is readable the type calls port_poll(), which
 * pulls bursts with ops->rx_burst() and hands them to p->input (set by the
 * switch the port is attached to). The switch sends with ops->tx_burst().
 *
 * Buffer ownership: rx_burst() hands over frames that the caller gives back
 * with port_rx_done() (ops->rx_done when the type keeps frames in its own
 * memory, pkt_free_burst() otherwise). tx_burst() never takes ownership: it
 * copies what it sends, so the same frame can be flooded to many ports.
 */
#ifndef VNET_PORT_H
#define VNET_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/dp.h"
#include "../base/drop.h"
#include "../base/kv.h"
#include "../base/pkt.h"
#include "../net/vlan.h"
#include "guard.h"

#define PORT_NAME_MAX 32 /* bytes in a port name, including NUL */
#define PORT_MTU_DEFAULT 1500 /* L3 MTU; frames may be this + 14 + tags */
#define PORT_MTU_MAX 65535

/* Offloads a port can take on transmit; the switch completes the rest in software. */
#define PORT_CAP_CSUM (1u << 0) /* frames with NEEDS_CSUM */
#define PORT_CAP_TSO4 (1u << 1) /* GSO_TCPV4 super-frames */
#define PORT_CAP_TSO6 (1u << 2) /* GSO_TCPV6 super-frames */
#define PORT_CAP_TSO_ECN (1u << 3) /* GSO with the ECN bit */
#define PORT_CAP_UFO (1u << 4) /* GSO_UDP super-frames */

enum port_state { PORT_DOWN, PORT_UP };

/**
 * struct port_stats - counters of one port
 * @rx_packets/@rx_bytes: frames received from the port's peer and accepted
 * @tx_packets/@tx_bytes: frames sent to the peer
 * @rx_gso/@tx_gso:       of those, TSO/GSO super-frames (each counted once)
 * @gso_segmented:        super-frames segmented in software for this port
 * @csum_completed:       checksums completed in software for this port
 * @drops:                frames dropped, by reason (ingress reasons count on
 *                        the input port, egress ones on the output port)
 */
struct port_stats {
	uint64_t rx_packets, rx_bytes;
	uint64_t tx_packets, tx_bytes;
	uint64_t rx_gso, tx_gso;
	uint64_t gso_segmented, csum_completed;
	uint64_t drops[N_DROP];
};

struct port;
struct json_t;

/**
 * struct port_ops - what a port type provides
 * @type:     name used in type=
 * @help:     one line listing the type's options, for vnetctl help
 * @validate: check type-specific options without side effects (config
 *            loading uses it); consume the keys it knows. NULL = no options.
 *            Return: 0, or -EINVAL with @err set.
 * @open:     create/attach the device and register fds; consume the keys it
 *            knows. Return: 0, or -errno with @err set (nothing left open).
 * @close:    release everything open() took. Must accept a half-down port.
 * @rx_burst: receive up to @n frames into @pkts (allocated by the type,
 *            usually from p->dp->pool). The switch validates and counts
 *            rx_packets/rx_bytes; the type counts only what it drops itself
 *            (e.g. DROP_NO_BUFFERS, DROP_RX_ERROR). Return: frames received.
 * @rx_done:  give back frames from rx_burst (NULL = pkt_free_burst)
 * @tx_burst: send @n frames; @tci[i] is the 802.1Q TCI to insert after the
 *            MAC addresses of frame i, or 0 for none (shift csum_start and
 *            hdr_len by 4 when inserting). Frames are copied, never kept.
 *            The type counts tx_packets/tx_bytes/tx_gso for what it sent and
 *            a drop reason (TX_FULL, TX_ERROR, PORT_DOWN...) for each frame it
 *            did not. Return: frames sent.
 * @reconfigure: apply changed type-specific options at run time (NULL =
 *            none can change). Return: 0 or -errno with @err set.
 * @info:     add type-specific status (ifname, state detail, features...)
 *            to the JSON object @obj for port/list. May be NULL.
 * @tick:     called about once a second from the daemon's timer, for
 *            housekeeping a type cannot get from its fds (NULL = none)
 * @vm_facing: the peer is a VM's own virtio driver (vhost-user, QEMU sockets):
 *            port security guards default to on (guard.h)
 */
struct port_ops {
	const char *type;
	const char *help;
	int (*validate)(struct kv_list *opts, char *err, size_t errsz);
	int (*open)(struct port *p, struct kv_list *opts, char *err, size_t errsz);
	void (*close)(struct port *p);
	unsigned (*rx_burst)(struct port *p, struct pkt **pkts, unsigned n);
	void (*rx_done)(struct port *p, struct pkt **pkts, unsigned n);
	unsigned (*tx_burst)(struct port *p, struct pkt **pkts, const uint16_t *tci, unsigned n);
	int (*reconfigure)(struct port *p, struct kv_list *opts, char *err, size_t errsz);
	void (*info)(struct port *p, struct json_t *obj);
	void (*tick)(struct port *p);
	bool vm_facing;
};

/**
 * struct port - one port
 * @name:     unique within its switch
 * @ops:      its type
 * @priv:     the type's state (owned by the type: set in open, freed in close)
 * @dp:       the datapath thread that owns it
 * @opts:     the options as configured (type= included), for persistence
 * @vlan:     VLAN configuration
 * @mtu:      L3 MTU; longer frames are dropped as oversize on ingress/egress
 * @caps:     PORT_CAP_* the port takes on transmit
 * @state:    up or down
 * @down_reason: why it is down, for port/list
 * @idx:      index in its switch
 * @input:    where received bursts go (set by the switch)
 * @input_arg: the switch
 * @guard:    port security settings and state (guard.h)
 * @stats:    counters
 */
struct port {
	char name[PORT_NAME_MAX];
	const struct port_ops *ops;
	void *priv;
	struct dp *dp;
	struct kv_list opts;
	struct vlan_cfg vlan;
	uint32_t mtu;
	uint32_t caps;
	enum port_state state;
	char down_reason[128];
	uint16_t idx;
	void (*input)(struct port *p, struct pkt **pkts, unsigned n);
	void *input_arg;
	struct port_guard guard;
	struct port_stats stats;
};

/** port_ops_find() - the registered type named @type, or NULL */
const struct port_ops *port_ops_find(const char *type);
/** port_ops_foreach() - the registered types, NULL-terminated */
const struct port_ops *const *port_ops_all(void);

/**
 * port_validate() - check a full option list (type=, VLAN, mtu and the type's) without side effects
 * Return: 0, or -EINVAL with @err set ("unknown option 'x'", "tag=5000: ...").
 */
int port_validate(const struct kv_list *opts, char *err, size_t errsz);

/**
 * port_create() - create a port of type opts["type"] (default "tap") on datapath @dp
 * Return: the port (state set by the type), or NULL with @err set.
 */
struct port *port_create(struct dp *dp, const char *name, const struct kv_list *opts, char *err,
			 size_t errsz);
/** port_destroy() - close and free; accepts NULL */
void port_destroy(struct port *p);

/**
 * port_set() - change options at run time (VLAN settings, mtu, type-specific)
 * @changes: the keys to change; type= cannot change
 * On error nothing changes. Return: 0, or -errno with @err set.
 */
int port_set(struct port *p, const struct kv_list *changes, char *err, size_t errsz);

/**
 * port_poll() - pull up to @budget bursts from the port and pass them to p->input
 * Called by a port type from its fd callback. Return: frames received.
 */
unsigned port_poll(struct port *p, unsigned budget);

/** port_rx_done() - give back frames a port's rx_burst() produced */
void port_rx_done(struct port *p, struct pkt **pkts, unsigned n);

/**
 * port_set_down() - mark the port down with a reason (logged once) / up again
 */
void port_set_down(struct port *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void port_set_up(struct port *p);

/** port_count_drop() - count @n drops of reason @r on @p */
static inline void port_count_drop(struct port *p, enum drop_reason r, unsigned n)
{
	p->stats.drops[r] += n;
}

#endif /* VNET_PORT_H */
