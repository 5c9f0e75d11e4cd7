#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vnet-test: serial (creates vnet0 in the root namespace)
# 15-default-network - vnetd started without --no-default in a fresh state dir creates the
# built-in network: switch "default" with the host's internal port vnet0 holding the
# first free 10.(213+N).0.1/24. A namespace attached by tap to it reaches the host.
# Restarting on the saved state does not create a second one.
#
#   root namespace: vnet0 10.213.0.1/24 (internal port, made by vnetd)
#        |
#   +----|------------------------------------+
#   |  vnet0    vnetd switch "default"    pg  |
#   +---------------------------------------|-+
#                                           | tap
#                                   ns g  10.213.0.100/24
#
# This scenario changes the root namespace (vnet0 and its route), so it skips
# when a vnet0 already exists (a vnetd of the system or of another test).
. "$(dirname "$0")/../lib.sh"

ip link show dev vnet0 >/dev/null 2>&1 && skip "vnet0 already exists in the root namespace"
ns_add g
VNETD_DEFAULT=1 vnetd_start

step "the default network exists"
assert_eq "$(json_get "$(vctlj switch/list)" '[.[].name] | join(",")')" default "switches"
assert_eq "$(port_field default vnet0 type)" internal "vnet0 type"
assert_eq "$(port_field default vnet0 state)" up "vnet0 state"
addr=$(port_field default vnet0 info.address)
echo "vnet0 address: $addr"
[[ $addr =~ ^10\.([0-9]+)\.0\.1/24$ ]] || fail "unexpected default address '$addr'"
host=${addr%/*}
net=${host%.1}
ip -4 -j addr show dev vnet0 | jq -e --arg h "$host" '.[0].addr_info[] | select(.local == $h)' >/dev/null ||
  fail "vnet0 in the root namespace does not hold $host"
echo "ok: vnet0 holds $host in the root namespace"

step "a namespace attached by tap reaches the host, and the host reaches it"
tap_add default pg g
ns_addr g "$(ifn pg)" "$net.100/24"
assert_ping g "$host"
ping -n -q -c 3 -i 0.2 -W 2 "$net.100" >/dev/null || fail "the host cannot reach $net.100"
echo "ok: the host reaches $net.100"

step "a restart on the saved state keeps one default network with the same address"
vnetd_stop
wait_for '! ip link show dev vnet0' 5 || fail "vnet0 left behind after vnetd stopped"
VNETD_DEFAULT=1 vnetd_start
assert_eq "$(json_get "$(vctlj switch/list)" '[.[].name] | join(",")')" default "switches after restart"
assert_eq "$(port_field default vnet0 info.address)" "$addr" "vnet0 address after restart"
# The tap is new after the restart: move it into g again.
wait_for "ip link show dev $(ifn pg)" 5 || fail "tap of pg not recreated"
ip link set dev "$(ifn pg)" netns "$(nsn g)"
in_ns g ip link set dev "$(ifn pg)" up
in_ns g ip addr replace "$net.100/24" dev "$(ifn pg)"
assert_ping g "$host"

step "vnet0 goes away with vnetd"
vnetd_stop
wait_for '! ip link show dev vnet0' 5 || fail "vnet0 left behind after vnetd stopped"
echo "ok: vnet0 removed"

t_pass
