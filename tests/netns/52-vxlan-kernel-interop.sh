#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 52-vxlan-kernel-interop.sh - a vnet host and a host built from a Linux
# kernel VXLAN device and a kernel bridge share VNI 5010: VMs ping and run
# TCP in both directions, and each side learns the other's VM behind the
# right VTEP.
#
#   VM a1 10.10.0.1/24 mtu 1450              VM k1 10.10.0.4/24 mtu 1450
#        | tap (access VLAN 10)                   | veth
#   +----+------------------------+         +-----+------------------------+
#   | host A: vnetd sw0           |         | host K: kernel bridge br0    |
#   | vx0 VLAN 10 <-> VNI 5010    |         | vx5010 (type vxlan id 5010   |
#   |                             |         |  dstport 4789), flood list   |
#   +-------------+---------------+         +-------------+----------------+
#        10.200.0.1 |                            10.200.0.4 |
#   ----------------+-----------------------------------------+--------------
#                          underlay bridge "ul"
. "$(dirname "$0")/../lib.sh"

require_cmd iperf3 bridge

. "$(dirname "$0")/_vxlan.sh"

step "underlay, vnet host A, kernel host K"
underlay_add
ns_add A K
vm_add a1
vm_add k1
underlay_join A 1
underlay_join K 4
host_start A
hctl A switch/add sw0
hctl A port/add sw0 vx0 type=vxlan local=10.200.0.1
hctl A vxlan/map sw0 vlan=10 vni=5010
hctl A vxlan/remote-add sw0 vni=5010 remote=10.200.0.4
vm_plug A sw0 a1 a1 10.10.0.1/24 1450 vlan_mode=access tag=10

K="ip -n $(nsn K)"
$K link add vx5010 type vxlan id 5010 local 10.200.0.4 dstport 4789 dev "$(ifn u4)"
$K link add br0 type bridge
$K link set vx5010 master br0
$K link add "$(ifn k1)" type veth peer name k1p netns "$(nsn k1)"
$K link set "$(ifn k1)" master br0 up
$K link set vx5010 up
$K link set br0 up
bridge -n "$(nsn K)" fdb append 00:00:00:00:00:00 dev vx5010 dst 10.200.0.1
ip -n "$(nsn k1)" link set k1p mtu 1450 up
ip -n "$(nsn k1)" addr add 10.10.0.4/24 dev k1p

step "vnet -> kernel and kernel -> vnet"
assert_ping a1 10.10.0.4
ip -n "$(nsn a1)" neigh flush all
ip -n "$(nsn k1)" neigh flush all
assert_ping k1 10.10.0.1

step "both sides learned the other's VM behind the other's VTEP"
MAC_A1=$(vm_mac a1 a1)
MAC_K1=$(ip netns exec "$(nsn k1)" cat /sys/class/net/k1p/address)
assert_eq "$(vx_vtep_of A sw0 "$MAC_K1")" 10.200.0.4 "vnet: k1 behind the kernel VTEP"
wait_for "in_ns a1 ping -c 1 -W 1 10.10.0.4 && bridge -n $(nsn K) fdb show dev vx5010 | grep -q '^$MAC_A1 dst 10.200.0.1'" 10 ||
  fail "kernel: no fdb entry $MAC_A1 dst 10.200.0.1: $(bridge -n "$(nsn K)" fdb show dev vx5010)"
echo "ok: kernel: $MAC_A1 behind 10.200.0.1"

step "TCP both ways"
for dir in a1:k1:10.10.0.4 k1:a1:10.10.0.1; do
  IFS=: read -r cli srv ip <<<"$dir"
  bg_run in_ns "$srv" iperf3 -s -1 -B "$ip"
  wait_for "in_ns $srv ss -ltn | grep -q ':5201'" 10 || fail "iperf3 server did not start"
  OUT=$(in_ns "$cli" timeout 30 iperf3 -c "$ip" -t 2 -J) || fail "iperf3 $cli -> $srv failed"
  BPS=$(json_get "$OUT" '.end.sum_received.bits_per_second')
  echo "iperf3 $cli -> $srv: $(awk "BEGIN { printf \"%.2f\", $BPS / 1e9 }") Gbit/s"
  assert_num "$(awk "BEGIN { print int($BPS / 1e6) }")" -gt 10 "TCP $cli -> $srv in Mbit/s"
  wait_for "! in_ns $srv ss -ltn | grep -q ':5201'" 10 || true
done
assert_eq "$(h_port_drop A sw0 vx0 rx_error)" 0 "vnet dropped nothing from the kernel VTEP"
host_stop A
t_pass
