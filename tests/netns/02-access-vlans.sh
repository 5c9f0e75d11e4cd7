#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 02-access-vlans - access ports in VLAN 10 and VLAN 20 are isolated from each other.
#
# All four namespaces share one IP subnet, so only the switch keeps them apart.
#
#   ns a1 10.0.0.11   ns a2 10.0.0.12   ns b1 10.0.0.21   ns b2 10.0.0.22
#        |                 |                 |                 |
#      pa1 access 10     pa2 access 10     pb1 access 20     pb2 access 20
#   +----|-----------------|-----------------|-----------------|----+
#   |                      vnetd switch sw0                         |
#   +---------------------------------------------------------------+
. "$(dirname "$0")/../lib.sh"

ns_add a1 a2 b1 b2
vnetd_start
vctl switch/add sw0
tap_add sw0 pa1 a1 vlan_mode=access tag=10
tap_add sw0 pa2 a2 vlan_mode=access tag=10
tap_add sw0 pb1 b1 vlan_mode=access tag=20
tap_add sw0 pb2 b2 tag=20 # vlan_mode defaults to access when a tag is given (OVS)
ns_addr a1 "$(ifn pa1)" 10.0.0.11/24
ns_addr a2 "$(ifn pa2)" 10.0.0.12/24
ns_addr b1 "$(ifn pb1)" 10.0.0.21/24
ns_addr b2 "$(ifn pb2)" 10.0.0.22/24

step "port/list shows the VLAN settings"
assert_eq "$(port_field sw0 pa1 vlan_mode)" access "pa1 vlan_mode"
assert_eq "$(port_field sw0 pa1 tag)" 10 "pa1 tag"
assert_eq "$(port_field sw0 pb2 vlan_mode)" access "pb2 vlan_mode (implied by tag=)"
assert_eq "$(port_field sw0 pb2 tag)" 20 "pb2 tag"

step "same VLAN: reachable"
assert_ping a1 10.0.0.12
assert_ping b1 10.0.0.22

step "across VLANs: isolated"
assert_no_ping a1 10.0.0.21
assert_no_ping a2 10.0.0.22
assert_no_ping b2 10.0.0.11

step "fdb/show lists each MAC in its VLAN"
mac() { ip -n "$(nsn "$1")" -j link show "$(ifn "$2")" | jq -r '.[0].address'; }
assert_eq "$(fdb_port sw0 "$(mac a1 pa1)" 10)" pa1 "a1's MAC in VLAN 10"
assert_eq "$(fdb_port sw0 "$(mac b1 pb1)" 20)" pb1 "b1's MAC in VLAN 20"
assert_eq "$(fdb_port sw0 "$(mac a1 pa1)" 20)" "" "a1's MAC not in VLAN 20"
assert_eq "$(fdb_port sw0 "$(mac b1 pb1)" 10)" "" "b1's MAC not in VLAN 10"

step "moving pb1 to VLAN 10 with port/set joins it to a1/a2"
vctl port/set sw0 pb1 tag=10
assert_eq "$(port_field sw0 pb1 tag)" 10 "pb1 tag after port/set"
assert_ping b1 10.0.0.11
assert_no_ping b1 10.0.0.22

t_pass
