#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 30-uplink-afpacket-lan - bridged mode over AF_PACKET (TPACKET_V3): VMs on tap ports get
# addresses from the LAN's own DHCP server through an uplink port on the host's "NIC" (a veth),
# reach the LAN host and are reached by it, TCP crosses both ways, the host's own address on
# the NIC keeps working, and the host reaches the VMs through an internal port (Hyper-V style).
#
#   ns lan: wire 10.55.0.1/24 + dnsmasq (DHCP .100-.150)
#      |  veth
#   ns host: nic 10.55.0.254/24 (later moved to internal port host0)
#   +--|--------------------------------------------------+
#   |  up0 type=uplink ifname=nic backend=afpacket   sw0  |
#   +----|---------------------|------------------|-------+
#      pa (tap)              pb (tap)          host0 (internal)
#   ns a: udhcpc          ns b: dhclient
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_svc.sh"
. "$(dirname "$0")/_uplink.sh"

up_lan_scenario afpacket
t_pass
