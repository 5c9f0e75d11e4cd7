/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * network.h - networks: a switch set up for one of three modes, the way
 * VMware ("NAT", "host-only"), Hyper-V ("internal", "private") and libvirt
 * ("default") users know them.
 *
 *   nat        VMs reach whatever the host can reach through the gateway
 *              port's NAT engine; no root or firewall rules needed for it.
 *   host-only  an internal port gives the host .1 on the network; VMs reach
 *              the host and each other, and nothing else (no router given).
 *   private    VMs only; DHCP optional.
 *
 * A network named NAME is switch NAME with port "gw" of type gateway (DHCP,
 * DNS, ping, NAT; see svc_port.h) and, for host-only (or nat with host=on),
 * port "host" of type internal. It is persisted like any switch (the control
 * plane saves the ports' options); leases, reservations and forwards live in
 * the state dir (svc_port.h). Without subnet=, the first 10.N.0.0/24
 * (N = NETWORK_AUTO_FIRST..NETWORK_AUTO_LAST) that overlaps neither a host
 * route nor another network is taken.
 */
#ifndef VNET_NETWORK_H
#define VNET_NETWORK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/dp.h"
#include "../base/kv.h"
#include "../switch/bridge.h"
#include "svc_port.h"

#define NETWORK_GW_PORT "gw"
#define NETWORK_HOST_PORT "host"
#define NETWORK_NAME_MAX 15 /* characters: it names the switch and the DNS domain */
#define NETWORK_AUTO_FIRST 213 /* automatic subnets: 10.213.0.0/24 ... */
#define NETWORK_AUTO_LAST 254 /* ... 10.254.0.0/24 */
#define NETWORK_DEFAULT_NAME "default"
#define NETWORK_DEFAULT_IFNAME "vnet0"
#define NETWORK_ROUTES "/proc/net/route"

/** network_name_valid() - 1..NETWORK_NAME_MAX of a-z 0-9 -, not starting or ending with '-' */
bool network_name_valid(const char *name);

/**
 * network_subnet_clash() - does @net/@plen overlap a host route or another
 * network among @existing?
 * @why: out: what it overlaps (may be NULL)
 */
bool network_subnet_clash(uint32_t net, unsigned plen, struct bridge *const *existing, size_t n,
			  char *why, size_t whysz);

/**
 * network_create() - build the switch of a new network (not yet in any table)
 * @opts: mode=nat|host-only|private (required), subnet=A.B.C.0/LEN,
 *        dhcp=on|off, mtu=N (gateway and host port MTU, and DHCP option 26),
 *        lease_time=S, host=on|off (nat: add the host's internal port too),
 *        ifname=NAME (the internal port's device; default "vh-NAME")
 * @state_dir: where the gateway keeps leases and forwards ("" for nowhere)
 * @existing/@n: the switches running now (names and subnets to avoid)
 * Return: the switch, or NULL with @err set.
 */
struct bridge *network_create(struct dp *dp, const char *name, struct kv_list *opts,
			      const char *state_dir, struct bridge *const *existing, size_t n,
			      char *err, size_t errsz);

/**
 * network_create_default() - the network vnetd brings up on first start: a
 * nat network "default" on an automatic subnet, with (when @host_port) the
 * host's internal port vnet0 (port and device both named vnet0) at .1, as
 * VMware's VMnet8, so "start vnetd, plug in a VM" gives the VM an address and
 * the outside world. Without CAP_NET_ADMIN (rootless) there can be no host
 * device, and NAT alone needs no privilege: pass @host_port false.
 * Return: the switch, or NULL with @err set.
 */
struct bridge *network_create_default(struct dp *dp, const char *state_dir, bool host_port,
				      struct bridge *const *existing, size_t n, char *err,
				      size_t errsz);

/** network_find() - the services of network @name among @brs, or NULL */
struct svc *network_find(struct bridge *const *brs, size_t n, const char *name);

#endif /* VNET_NETWORK_H */
