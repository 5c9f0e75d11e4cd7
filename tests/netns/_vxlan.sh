# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# _vxlan.sh - helpers shared by the 5x-vxlan scenarios (sourced after ../lib.sh; not a test).
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
