#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 01-tap-ping - two namespaces attached to one switch by tap ports ping each other, IPv4 and IPv6.
#
#   ns a                                          ns b
#   +-----------------------+                     +-----------------------+
#   | vt<ID>-pa 10.0.0.1/24 |                     | vt<ID>-pb 10.0.0.2/24 |
#   |           fd00::1/64  |                     |           fd00::2/64  |
#   +-----------|-----------+                     +-----------|-----------+
#               | tap                                         | tap
#   +-----------|---------------------------------------------|-----------+
#   |           pa                vnetd switch sw0            pb          |
#   +---------------------------------------------------------------------+
. "$(dirname "$0")/../lib.sh"

ns_add a b
vnetd_start
vctl switch/add sw0
tap_add sw0 pa a
tap_add sw0 pb b
ns_addr a "$(ifn pa)" 10.0.0.1/24 fd00::1/64
ns_addr b "$(ifn pb)" 10.0.0.2/24 fd00::2/64

step "ports are up"
assert_eq "$(port_field sw0 pa state)" up "port pa state"
assert_eq "$(port_field sw0 pb state)" up "port pb state"

step "IPv4 both ways"
assert_ping a 10.0.0.2
assert_ping b 10.0.0.1

step "IPv6 both ways"
assert_ping a fd00::2
assert_ping b fd00::1

step "both MACs learned on the right ports"
mac_a=$(ip -n "$(nsn a)" -j link show "$(ifn pa)" | jq -r '.[0].address')
mac_b=$(ip -n "$(nsn b)" -j link show "$(ifn pb)" | jq -r '.[0].address')
assert_eq "$(fdb_port sw0 "$mac_a" 0)" pa "fdb entry of a's MAC"
assert_eq "$(fdb_port sw0 "$mac_b" 0)" pb "fdb entry of b's MAC"

step "counters moved"
assert_num "$(port_stat sw0 pa rx_packets)" -ge 10 "pa rx_packets"
assert_num "$(port_stat sw0 pb tx_packets)" -ge 10 "pb tx_packets"

t_pass
