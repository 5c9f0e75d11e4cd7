#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 31-uplink-afxdp-lan - the same bridged-mode walk-through as 30, over AF_XDP: the steering
# XDP program on the veth "NIC" (native mode on veth; generic only if native fails) sends the
# VMs' unicast to AF_XDP sockets, and the host keeps its own unicast and a copy of every
# broadcast. The LAN end sends with checksum offload, so frames arrive with partial checksums
# that the uplink must mark (csum_partial_marked) for TCP to work at all.
#
#   ns lan: wire 10.55.0.1/24 + dnsmasq (DHCP .100-.150)
#      |  veth (XDP program "vnet_uplink" on nic)
#   ns host: nic 10.55.0.254/24 (later moved to internal port host0)
#   +--|--------------------------------------------------+
#   |  up0 type=uplink ifname=nic backend=afxdp      sw0  |
#   +----|---------------------|------------------|-------+
#      pa (tap)              pb (tap)          host0 (internal)
#   ns a: udhcpc          ns b: dhclient
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_svc.sh"
. "$(dirname "$0")/_uplink.sh"

up_lan_scenario afxdp
t_pass
