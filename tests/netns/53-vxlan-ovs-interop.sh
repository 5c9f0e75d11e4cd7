#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 53-vxlan-ovs-interop.sh - a vnet host and an Open vSwitch host (userspace
# netdev datapath, a type=vxlan port, key 5010) share VNI 5010: VMs ping
# and run TCP in both directions. Skipped (77) when OVS is not installed.
#
#   VM a1 10.10.0.1/24 mtu 1450              VM o1 10.10.0.5/24 mtu 1450
#        | tap (access VLAN 10)                   | tap (OVS type=tap)
#   +----+------------------------+         +-----+------------------------+
#   | host A: vnetd sw0           |         | host O: ovs-vswitchd (netdev)|
#   | vx0 VLAN 10 <-> VNI 5010    |         |  br-int: o1, vx0 (type=vxlan |
#   |                             |         |    remote_ip=10.200.0.1,     |
#   |                             |         |    key=5010)                 |
#   |                             |         |  br-phy 10.200.0.5: the      |
#   |                             |         |    underlay veth (AF_PACKET) |
#   +-------------+---------------+         +-------------+----------------+
#        10.200.0.1 |                                     |
#   ----------------+-------------------------------------+------------------
#                          underlay bridge "ul"
. "$(dirname "$0")/../lib.sh"

require_cmd iperf3 ovsdb-tool ovsdb-server ovs-vswitchd ovs-vsctl ovs-appctl
OVS_SCHEMA=/usr/share/openvswitch/vswitch.ovsschema
[ -f "$OVS_SCHEMA" ] || skip "no $OVS_SCHEMA"

. "$(dirname "$0")/_vxlan.sh"

step "underlay, vnet host A"
underlay_add
ns_add A O
vm_add a1
vm_add o1
underlay_join A 1
underlay_join O 5
ip -n "$(nsn O)" addr flush dev "$(ifn u5)" # the address lives on OVS's br-phy
host_start A
hctl A switch/add sw0
# OVS reads its underlay veth with AF_PACKET, where a UDP checksum stays
# partial: vnet sends zero checksums to it (RFC 7348's default, see doc/vxlan.md)
hctl A port/add sw0 vx0 type=vxlan local=10.200.0.1 udpcsum=off
hctl A vxlan/map sw0 vlan=10 vni=5010
hctl A vxlan/remote-add sw0 vni=5010 remote=10.200.0.5
vm_plug A sw0 a1 a1 10.10.0.1/24 1450 vlan_mode=access tag=10

step "host O: a private Open vSwitch, userspace datapath"
OVS=$T_DIR/ovs
mkdir -p "$OVS"
export OVS_RUNDIR=$OVS OVS_LOGDIR=$OVS OVS_DBDIR=$OVS OVS_SYSCONFDIR=$OVS
ovsdb-tool create "$OVS/conf.db" "$OVS_SCHEMA"
bg_run ip netns exec "$(nsn O)" ovsdb-server "$OVS/conf.db" --remote="punix:$OVS/db.sock" \
  --unixctl="$OVS/ovsdb.ctl" --log-file="$OVS/ovsdb.log" --no-chdir
wait_for "[ -S $OVS/db.sock ]" 10 || fail "ovsdb-server did not start"
VS="ovs-vsctl --db=unix:$OVS/db.sock --timeout=20"
$VS --no-wait init
bg_run ip netns exec "$(nsn O)" ovs-vswitchd "unix:$OVS/db.sock" --unixctl="$OVS/vswitchd.ctl" \
  --log-file="$OVS/vswitchd.log" --no-chdir
wait_for "[ -S $OVS/vswitchd.ctl ]" 10 || fail "ovs-vswitchd did not start"
at_exit "ovs-appctl -t $OVS/vswitchd.ctl exit --cleanup"
$VS add-br br-phy -- set bridge br-phy datapath_type=netdev
$VS add-port br-phy "$(ifn u5)"
ip -n "$(nsn O)" addr add 10.200.0.5/24 dev br-phy
ip -n "$(nsn O)" link set br-phy up
$VS add-br br-int -- set bridge br-int datapath_type=netdev
$VS add-port br-int vx0 -- set interface vx0 type=vxlan options:remote_ip=10.200.0.1 \
  options:key=5010
$VS add-port br-int o1tap -- set interface o1tap type=tap
wait_for "ip -n $(nsn O) link show o1tap" 10 || fail "OVS did not create its tap"
ip -n "$(nsn O)" link set o1tap netns "$(nsn o1)"
ip -n "$(nsn o1)" link set o1tap mtu 1450 up
ip -n "$(nsn o1)" addr add 10.10.0.5/24 dev o1tap
# OVS's tunnel needs a route and the remote's MAC: both come from host O's stack on br-phy
wait_for "in_ns O ping -c 1 -W 1 10.200.0.1" 15 || fail "host O cannot reach 10.200.0.1"

step "vnet -> OVS and OVS -> vnet"
assert_ping a1 10.10.0.5
ip -n "$(nsn a1)" neigh flush all
ip -n "$(nsn o1)" neigh flush all
assert_ping o1 10.10.0.1
assert_eq "$(vx_vtep_of A sw0 "$(ip netns exec "$(nsn o1)" cat /sys/class/net/o1tap/address)")" \
  10.200.0.5 "vnet: o1 behind the OVS VTEP"

step "TCP both ways"
for dir in a1:o1:10.10.0.5 o1:a1:10.10.0.1; do
  IFS=: read -r cli srv ip <<<"$dir"
  bg_run in_ns "$srv" iperf3 -s -1 -B "$ip"
  wait_for "in_ns $srv ss -ltn | grep -q ':5201'" 10 || fail "iperf3 server did not start"
  OUT=$(in_ns "$cli" timeout 30 iperf3 -c "$ip" -t 2 -J) || fail "iperf3 $cli -> $srv failed"
  BPS=$(json_get "$OUT" '.end.sum_received.bits_per_second')
  echo "iperf3 $cli -> $srv: $(awk "BEGIN { printf \"%.2f\", $BPS / 1e9 }") Gbit/s"
  assert_num "$(awk "BEGIN { print int($BPS / 1e6) }")" -gt 10 "TCP $cli -> $srv in Mbit/s"
  wait_for "! in_ns $srv ss -ltn | grep -q ':5201'" 10 || true
done
assert_eq "$(h_port_drop A sw0 vx0 rx_error)" 0 "vnet dropped nothing from the OVS VTEP"
host_stop A
$VS --if-exists del-br br-int
$VS --if-exists del-br br-phy
t_pass
