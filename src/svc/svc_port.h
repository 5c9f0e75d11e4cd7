/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * svc_port.h - the gateway port: a network's services (DHCP, DNS, ARP and
 * ping for its own addresses, and in nat mode the NAT engine) joined to the
 * switch as one port of type "gateway".
 *
 * Theory of operation
 * -------------------
 * The switch treats the gateway like any port: it learns the gateway's MAC
 * from the frames the port sends, and hands the port (tx_burst) broadcasts,
 * unknown unicast and frames for that MAC. The port classifies each frame:
 *
 *   ARP request for the DHCP address (or the gateway, without NAT)  -> ARP reply
 *   UDP to port 67 (when dhcp=on)                                   -> dhcp.c
 *   UDP to the gateway's port 53                                    -> dns.c:
 *       reply, or (nat) forwarded to the engine's resolver address
 *   ICMP echo to the DHCP address (or the gateway, without NAT)     -> echo reply
 *   any other IPv4 or ARP to the gateway's MAC (nat)                -> the NAT engine
 *   everything else (IPv6, other VMs' unicast, multicast)           -> ignored
 *
 * Replies and frames from the NAT engine are copied into packet buffers and
 * queued on a bounded ring (SVC_RING_MAX); rx_burst() hands them to the
 * switch. The ring is drained from the port's own events: an eventfd kicked
 * after a tx_burst that queued something (tx_burst runs inside the switch's
 * forwarding of another port's burst, so it must not re-enter the switch),
 * and the NAT engine's flush after its own socket and timer events. The
 * port copies what it needs and never keeps the switch's frames.
 *
 * Address plan of a subnet (VMware's, extended to any /16../29):
 *   .1 the host's internal port (host-only; nat with host=on)
 *   .2 the gateway: router, DNS server, and the host's loopback (nat)
 *   .3 reserved (the NAT engine's internal resolver address)
 *   upper half up to broadcast-2: the DHCP pool (.128-.253 in a /24; at
 *      most DHCP_POOL_MAX addresses)
 *   broadcast-1: the DHCP server (.254 in a /24)
 *
 * Persistence, when the port has a state_dir=: STATE_DIR/net-NET.leases
 * (written atomically before every ACK that changes it) and
 * STATE_DIR/net-NET.json (reservations and port forwards, written by the
 * commands that change them). The port's own options (mode, subnet...) are
 * saved by the control plane with the switch like any port's.
 */
#ifndef VNET_SVC_PORT_H
#define VNET_SVC_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "../port/port.h"
#include "nat.h"

struct bridge;

#define SVC_RING_MAX 256 /* frames queued towards the switch */
#define SVC_NET_NAME_MAX 32 /* bytes in a network name (its DNS domain), including NUL */
#define SVC_PLEN_MIN 16
#define SVC_PLEN_MAX 29
#define SVC_STATE_VERSION 1

enum svc_mode { SVC_MODE_NAT, SVC_MODE_HOST_ONLY, SVC_MODE_PRIVATE };

/** struct svc_plan - a network's addresses (host order); see the top of this file */
struct svc_plan {
	uint32_t net;
	unsigned plen;
	uint32_t host, gw, nat_dns, dhcp, pool_first, pool_last, bcast;
};

/**
 * svc_plan_make() - the address plan of subnet @net/@plen (16..29)
 * Return: true, or false with @err set.
 */
bool svc_plan_make(uint32_t net, unsigned plen, struct svc_plan *pl, char *err, size_t errsz);

/** svc_mode_name() - "nat", "host-only" or "private" */
const char *svc_mode_name(enum svc_mode m);
/** svc_mode_parse() - the reverse. Return: true if known */
bool svc_mode_parse(const char *s, enum svc_mode *m);

extern const struct port_ops gateway_port_ops;

struct svc;

/** svc_of() - the services of gateway port @p, or NULL if @p is another type */
struct svc *svc_of(struct port *p);
/** svc_find() - the gateway port of switch @br, or NULL (a switch that is no network) */
struct svc *svc_find(const struct bridge *br);

const char *svc_net(const struct svc *s);
enum svc_mode svc_mode(const struct svc *s);
const struct svc_plan *svc_plan(const struct svc *s);
/** svc_nat() - the NAT engine (nat mode), or NULL */
struct nat *svc_nat(struct svc *s);

/** svc_status_json() - mode, addresses, DHCP state and every counter */
json_t *svc_status_json(struct svc *s);
/** svc_leases_json() - leases (with seconds left) and reservations */
json_t *svc_leases_json(struct svc *s);

/**
 * svc_reserve() - reserve @ip (inside the subnet, none of the plan's own
 * addresses, not leased to another MAC) for @mac, and save
 * Return: 0 or -errno with @err set (nothing changed).
 */
int svc_reserve(struct svc *s, const uint8_t mac[static 6], uint32_t ip, const char *hostname,
		char *err, size_t errsz);
/** svc_unreserve() - remove @mac's reservation and save. Return: 0 or -errno with @err set */
int svc_unreserve(struct svc *s, const uint8_t mac[static 6], char *err, size_t errsz);

/** svc_forward_add() - nat_fwd_add() and save. Return: 0 or -errno with @err set */
int svc_forward_add(struct svc *s, const struct nat_fwd *f, char *err, size_t errsz);
/** svc_forward_del() - nat_fwd_del() and save. Return: 0 or -errno with @err set */
int svc_forward_del(struct svc *s, enum nat_proto proto, uint32_t host_ip, uint16_t host_port,
		    char *err, size_t errsz);

/**
 * svc_forget_state() - delete a network's state files (network/del)
 * Return: 0, or -errno of the first failure other than "missing".
 */
int svc_forget_state(const char *state_dir, const char *net);

#endif /* VNET_SVC_PORT_H */
