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

# ---- VXLAN scenario helpers (the same block in every 5x-vxlan script) -------
# Hosts are namespaces with their own vnetd (private socket and state dir in
# $T_DIR/HOST), joined by an underlay: namespace "ul" holding a Linux bridge,
# one veth per host, 10.200.0.N/24. VMs are namespaces on tap ports.
declare -A H_PID=() H_SOCK=()

# hctl HOST ARGS... / hctlj HOST ARGS... - vnetctl (--json) against HOST's vnetd
hctl() {
  local h=$1
  shift
  "$VNETCTL" --socket "${H_SOCK[$h]}" "$@"
}
hctlj() {
  local h=$1
  shift
  "$VNETCTL" --socket "${H_SOCK[$h]}" --json "$@"
}

# host_start HOST - start vnetd in namespace HOST (state kept across restarts)
host_start() {
  local h=$1 d=$T_DIR/$1
  mkdir -p "$d/state"
  H_SOCK[$h]=$d/vnetd.sock
  echo "---- vnetd start $(date +%T.%3N)" >>"$d/vnetd.log"
  ip netns exec "$(nsn "$h")" "$VNETD" --socket "$d/vnetd.sock" --state-dir "$d/state" \
    --no-default >>"$d/vnetd.log" 2>&1 &
  H_PID[$h]=$!
  wait_for "[ -S '$d/vnetd.sock' ] && hctl $h switch/list" 15 || {
    tail -n 20 "$d/vnetd.log"
    fail "vnetd on $h did not start"
  }
}

# host_check_log HOST - fail on a sanitizer report in HOST's vnetd log
host_check_log() {
  ! grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: UndefinedBehavior' \
    "$T_DIR/$1/vnetd.log" || fail "sanitizer report in the vnetd log of $1"
}

# host_stop HOST - SIGTERM its vnetd; fail unless it exits 0 within 15 s
host_stop() {
  local h=$1 pid=${H_PID[$1]:-} st=0 i
  [ -n "$pid" ] || return 0
  H_PID[$h]=
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 150; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
  wait "$pid" || st=$?
  [ "$st" = 0 ] || fail "vnetd on $h exited with status $st on SIGTERM"
  host_check_log "$h"
}

# host_kill9 HOST - a crash of its vnetd
host_kill9() {
  local pid=${H_PID[$1]}
  H_PID[$1]=
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null || true
}

hosts_cleanup() {
  local h
  for h in "${!H_PID[@]}"; do
    [ -n "${H_PID[$h]}" ] && kill -TERM "${H_PID[$h]}" 2>/dev/null
  done
  sleep 0.3
}
at_exit hosts_cleanup

# underlay_add - the underlay namespace "ul" with a bridge
underlay_add() {
  ns_add ul
  ip -n "$(nsn ul)" link add br0 type bridge
  ip -n "$(nsn ul)" link set br0 up
}

# underlay_join HOST N - HOST gets veth "u" with 10.200.0.N/24 on the underlay bridge
underlay_join() {
  local h=$1 n=$2 dev
  dev=$(ifn "u$n")
  ip link add "$dev" netns "$(nsn "$h")" type veth peer name "$(ifn "p$n")" netns "$(nsn ul)"
  ip -n "$(nsn ul)" link set "$(ifn "p$n")" master br0 up
  ip -n "$(nsn "$h")" addr add "10.200.0.$n/24" dev "$dev"
  ip -n "$(nsn "$h")" link set "$dev" up
}

# vm_add NAME - a VM namespace with IPv6 off (no ND/MLD noise in the counters)
vm_add() {
  ns_add "$1"
  ip netns exec "$(nsn "$1")" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
    net.ipv6.conf.default.disable_ipv6=1
}

# vm_plug HOST SWITCH PORT VM IP/LEN MTU [key=value...] - a tap port of HOST's
# switch, moved into VM as its interface $(ifn PORT) with address IP/LEN
vm_plug() {
  local h=$1 sw=$2 port=$3 vm=$4 addr=$5 mtu=$6 dev
  shift 6
  dev=$(ifn "$port")
  if ! hctl "$h" port/list "$sw" | grep -q "^$sw  *$port "; then
    hctl "$h" port/add "$sw" "$port" type=tap ifname="$dev" "$@" ||
      fail "port/add $sw $port on $h failed"
  fi
  wait_for "ip -n $(nsn "$h") link show dev $dev" 5 || fail "tap $dev did not appear on $h"
  ip -n "$(nsn "$h")" link set dev "$dev" netns "$(nsn "$vm")"
  ip -n "$(nsn "$vm")" link set dev "$dev" mtu "$mtu" up
  ip -n "$(nsn "$vm")" addr add "$addr" dev "$dev"
}

# vm_mac VM PORT - the MAC address of VM's interface on port PORT
vm_mac() {
  ip netns exec "$(nsn "$1")" cat "/sys/class/net/$(ifn "$2")/address"
}

# vx_count HOST SWITCH COUNTER - one counter of vxlan/show
vx_count() {
  json_get "$(hctlj "$1" vxlan/show "$2")" ".counters.$3"
}

# vx_vtep_of HOST SWITCH MAC - the VTEP vxlan/show lists for a remote MAC ("" if none)
vx_vtep_of() {
  json_get "$(hctlj "$1" vxlan/show "$2")" "[.macs[] | select(.mac == \"$3\") | .vtep] | first // \"\""
}

# h_port_stat HOST SWITCH PORT FIELD / h_port_drop HOST SWITCH PORT REASON
h_port_stat() {
  json_get "$(hctlj "$1" stats/show "$2")" ".ports[] | select(.name == \"$3\") | .$4"
}
h_port_drop() {
  json_get "$(hctlj "$1" stats/show "$2")" ".ports[] | select(.name == \"$3\") | .drops.\"$4\""
}
# h_fdb_port HOST SWITCH MAC VLAN - the port holding (MAC, VLAN) in fdb/show, or ""
h_fdb_port() {
  json_get "$(hctlj "$1" fdb/show "$2")" \
    "[.[] | select(.mac == \"$3\" and .vlan == $4) | .port] | first // \"\""
}
# ---- end of the VXLAN scenario helpers ---------------------------------------

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
