#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 32-uplink-trunk - an uplink in trunk mode carries the VMs' VLANs 10 and 20 to the LAN, where
# VLAN subinterfaces of the wire end answer; VLAN 30, outside trunks=, is dropped and counted
# (vlan_not_allowed) on the uplink. Run over AF_PACKET, then AF_XDP. The kernel strips received
# tags into packet metadata before AF_PACKET sees them, so this also checks that the uplink puts
# them back. (Without CONFIG_VLAN_8021Q the subinterfaces are tests/tools/vlan_subif.)
#
#   ns lan: wire.10 10.0.10.1   wire.20 10.0.20.1   wire.30 10.0.30.1
#      |  veth (tagged frames)
#   ns host: nic
#   +--|-----------------------------------------------------------+
#   |  up0 type=uplink ifname=nic vlan_mode=trunk trunks=10,20 sw0 |
#   +----|-----------------|-----------------|---------------------+
#      pa access 10      pb access 20      pc access 30
#   ns a 10.0.10.2     ns b 10.0.20.2     ns c 10.0.30.2
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_uplink.sh"

up_rig
vctl switch/add sw0
up_vm sw0 pa a vlan_mode=access tag=10
up_vm sw0 pb b vlan_mode=access tag=20
up_vm sw0 pc c vlan_mode=access tag=30
ns_addr a "$(ifn pa)" 10.0.10.2/24
ns_addr b "$(ifn pb)" 10.0.20.2/24
ns_addr c "$(ifn pc)" 10.0.30.2/24
for v in 10 20 30; do
  vlan_subif "$UP_LAN" "$UP_WIRE" $v
  ns_addr "$UP_LAN" "$UP_WIRE.$v" 10.0.$v.1/24
done
mac_lan=$(in_lan ip -j link show "$UP_WIRE" | jq -r '.[0].address')

for b in afpacket afxdp; do
  step "backend=$b: trunk uplink"
  up_add sw0 up0 "$b" vlan_mode=trunk trunks=10,20
  assert_eq "$(up_info sw0 up0 backend)" "$b" "backend"
  assert_eq "$(port_field sw0 up0 'trunks | map(tostring) | join(",")')" 10,20 "uplink trunks"

  step "backend=$b: VLANs 10 and 20 cross the uplink both ways"
  assert_ping a 10.0.10.1
  assert_ping "$UP_LAN" 10.0.20.2
  assert_ping b 10.0.20.1
  assert_eq "$(fdb_port sw0 "$mac_lan" 10)" up0 "LAN MAC learned on up0 in VLAN 10"
  assert_eq "$(fdb_port sw0 "$mac_lan" 20)" up0 "LAN MAC learned on up0 in VLAN 20"

  step "backend=$b: VLAN 30 is not carried"
  before=$(port_drop sw0 up0 vlan_not_allowed)
  assert_no_ping "$UP_LAN" 10.0.30.2
  assert_no_ping c 10.0.30.1
  assert_num "$(port_drop sw0 up0 vlan_not_allowed)" -gt "$before" "vlan_not_allowed drops on up0"
  assert_num "$(port_drop sw0 pa tagged_on_access)" -eq 0 "no tagged frame from the access side"
  vctl port/del sw0 up0
done
t_pass
