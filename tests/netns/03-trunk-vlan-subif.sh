#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 03-trunk-vlan-subif - a trunk port carries 802.1Q tags to kernel VLAN subinterfaces;
# a VLAN outside its trunks= list is dropped and counted as vlan_not_allowed.
# (On a kernel without CONFIG_VLAN_8021Q the subinterfaces are tests/tools/vlan_subif.)
#
#          ns t: vt<ID>-pt (no address)
#          +-- vt<ID>-pt.10 10.0.10.1/24
#          +-- vt<ID>-pt.20 10.0.20.1/24
#          +-- vt<ID>-pt.30 10.0.30.1/24
#                  |
#                  pt  trunk trunks=10,20
#   +--------------|----------------------------------------------+
#   |              vnetd switch sw0                               |
#   +----|-----------------|-----------------|--------------------+
#      pa access 10      pb access 20      pc access 30
#        |                 |                 |
#   ns a 10.0.10.2    ns b 10.0.20.2    ns c 10.0.30.2
. "$(dirname "$0")/../lib.sh"

ns_add t a b c
vnetd_start
vctl switch/add sw0
tap_add sw0 pt t vlan_mode=trunk trunks=10,20
tap_add sw0 pa a vlan_mode=access tag=10
tap_add sw0 pb b vlan_mode=access tag=20
tap_add sw0 pc c vlan_mode=access tag=30
pt=$(ifn pt)
for v in 10 20 30; do
  vlan_subif t "$pt" $v
  ns_addr t "$pt.$v" 10.0.$v.1/24
done
ns_addr a "$(ifn pa)" 10.0.10.2/24
ns_addr b "$(ifn pb)" 10.0.20.2/24
ns_addr c "$(ifn pc)" 10.0.30.2/24

step "port/list shows the trunk"
assert_eq "$(port_field sw0 pt vlan_mode)" trunk "pt vlan_mode"
assert_eq "$(port_field sw0 pt 'trunks | map(tostring) | join(",")')" 10,20 "pt trunks"

step "VLAN 10 and 20 reach their access ports through the trunk"
assert_ping t 10.0.10.2
assert_ping b 10.0.20.1

step "tagged frames were learned in their VLANs on the trunk port"
mac_t=$(ip -n "$(nsn t)" -j link show "$pt" | jq -r '.[0].address')
assert_eq "$(fdb_port sw0 "$mac_t" 10)" pt "trunk MAC in VLAN 10"
assert_eq "$(fdb_port sw0 "$mac_t" 20)" pt "trunk MAC in VLAN 20"

step "VLAN 30 is not allowed on the trunk"
before=$(port_drop sw0 pt vlan_not_allowed)
assert_no_ping t 10.0.30.2
assert_no_ping c 10.0.30.1
after=$(port_drop sw0 pt vlan_not_allowed)
assert_num "$after" -gt "$before" "vlan_not_allowed drops on pt"
assert_eq "$(fdb_port sw0 "$mac_t" 30)" "" "trunk MAC not learned in VLAN 30"

step "allowing VLAN 30 with port/set makes it pass"
vctl port/set sw0 pt trunks=10,20,30
assert_ping t 10.0.30.2

step "access ports stayed clean: no tagged frame reached an access namespace"
assert_num "$(port_drop sw0 pa tagged_on_access)" -eq 0 "tagged_on_access on pa"

t_pass
