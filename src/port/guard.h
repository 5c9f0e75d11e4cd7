/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guard.h - port security: what a port may send, and how much.
 *
 * Hyper-V's and OpenStack's per-port protections, as generic port options
 * (any port type, set with port/add or port/set):
 *
 *   mac_spoof_guard=on|off  the source MAC must be one of mac=MAC[,MAC...]; with no
 *                           mac= the first source MAC seen is pinned ("sticky")
 *   ip_guard=on|off         IPv4/IPv6 sources, ARP senders and NDP targets must be one
 *                           of ip=ADDR[,ADDR...] or the address a DHCP ACK gave the
 *                           port (snooped on egress); 0.0.0.0, :: and fe80::/10 pass
 *   dhcp_guard=on|off       DHCP/DHCPv6 server messages from the port are dropped: UDP
 *                           to a client port (68, 546) or from a server port (67, 547)
 *   router_guard=on|off     IPv6 router advertisements and redirects (behind any
 *                           extension headers), and ICMPv4 redirects, from the port
 *                           are dropped
 *   protected=on|off        protected ports cannot talk to each other
 *   storm_bcast_pps= storm_mcast_pps= storm_unknown_pps=   flood limits, packets/s
 *   ingress_kbps= ingress_pps= ingress_burst_kb=           token-bucket policer (burst
 *                           default: 100 ms of ingress_kbps, at least 8 x 64 KiB)
 *   mac_limit=N             at most N learned MACs on the port
 *
 * Defaults: guards are on for port types that face a VM's own driver
 * (ops->vm_facing: vhost-user, stream, dgram) unless the port is a trunk, and off
 * for everything else (tap ports also carry containers and routers; uplinks
 * and tunnels carry many hosts). Limits default to none.
 */
#ifndef VNET_GUARD_H
#define VNET_GUARD_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/drop.h"
#include "../base/kv.h"
#include "../net/frame.h"

#define GUARD_MAX_MACS 8 /* mac= entries per port */
#define GUARD_MAX_IPS 8 /* ip= entries per port, per family */

/** struct tbucket - token bucket; rate 0 = unlimited */
struct tbucket {
	uint64_t rate; /* tokens per second */
	uint64_t burst; /* bucket size */
	uint64_t tokens; /* available, scaled by 1e9 (token-nanoseconds) */
	uint64_t last_ns;
};

/**
 * struct port_guard - one port's security settings and state
 * @sticky_set: the sticky MAC has been pinned (mac_spoof_guard with no mac=)
 * @snoop4:     IPv4 address learned from a DHCP ACK sent to the port (0 = none)
 */
struct port_guard {
	bool mac_spoof, ip, dhcp, router, protect;
	unsigned n_macs;
	uint8_t macs[GUARD_MAX_MACS][6];
	bool sticky_set;
	unsigned n_ip4, n_ip6;
	struct in_addr ip4[GUARD_MAX_IPS];
	struct in6_addr ip6[GUARD_MAX_IPS];
	struct in_addr snoop4;
	struct tbucket storm_bcast, storm_mcast, storm_unknown;
	struct tbucket rate_pps, rate_bytes;
	uint32_t mac_limit;
};

enum guard_flood_kind { GUARD_BCAST, GUARD_MCAST, GUARD_UNKNOWN };

/**
 * guard_parse() - read the guard options from @opts (consuming them) into @g
 * @vm_default: default for mac_spoof/dhcp/router guards (VM-facing, non-trunk port)
 * Return: true, or false with @err naming the option.
 */
bool guard_parse(struct port_guard *g, struct kv_list *opts, bool vm_default, char *err,
		 size_t errsz);

/**
 * guard_ingress() - may this frame enter the switch from the port?
 * @frame/@size/@fi: the frame as received (tags not yet popped) and its parse
 * Return: N_DROP to accept, or the reason.
 */
enum drop_reason guard_ingress(struct port_guard *g, const uint8_t *frame, size_t size,
			       const struct frame_info *fi, uint64_t now_ns);

/** guard_flood() - storm control for a frame about to be flooded. Return: N_DROP or reason */
enum drop_reason guard_flood(struct port_guard *g, enum guard_flood_kind kind, uint64_t now_ns);

/**
 * guard_snoop_egress() - note a DHCP ACK leaving through the port (IPv4 untagged
 * frame @frame) so ip_guard lets the port use the address it was given
 */
void guard_snoop_egress(struct port_guard *g, const uint8_t *frame, size_t size);

/** tbucket_init() - @rate per second, @burst tokens (0 burst = one second's worth) */
void tbucket_init(struct tbucket *b, uint64_t rate, uint64_t burst);
/** tbucket_take() - take @n tokens if available. Return: true if taken (or unlimited) */
bool tbucket_take(struct tbucket *b, uint64_t n, uint64_t now_ns);

#endif /* VNET_GUARD_H */
