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
