#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 51-vxlan-tenants.sh - tenant isolation over VXLAN: three tenants use the
# same IP addresses on two hosts; each VM reaches only its own tenant's peer,
# learning is per VNI (the same MAC may exist in two tenants), and a port
# with no map carries one VNI untagged (vni=).
#
#   red:   ra 10.1.0.1 (A VLAN 10)  <-- VNI 5010 -->  rb 10.1.0.2 (B VLAN 10)
#   blue:  ba 10.1.0.1 (A VLAN 20)  <-- VNI 5020 -->  bb 10.1.0.2 (B VLAN 20)
#   green: ga 10.1.0.1 (A sw1)      <-- VNI 5030 -->  gb 10.1.0.2 (B sw1)
#
#   +------------------------------+          +------------------------------+
#   | host A                       |          | host B                       |
#   |  sw0: ra(10) ba(20) vx0      |          |  sw0: rb(10) bb(20) vx0      |
#   |       vx0 10.200.0.1         |          |       vx0 10.200.0.2         |
#   |  sw1: ga vx1 10.200.0.11     |          |  sw1: gb vx1 10.200.0.12     |
#   |       (vni=5030, untagged)   |          |       (vni=5030, untagged)   |
#   +--------------+---------------+          +--------------+---------------+
#                  |          underlay bridge "ul"           |
#   ---------------+-----------------------------------------+---------------
. "$(dirname "$0")/../lib.sh"

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

step "underlay, hosts, switches"
underlay_add
ns_add A B
underlay_join A 1
underlay_join B 2
ip -n "$(nsn A)" addr add 10.200.0.11/24 dev "$(ifn u1)"
ip -n "$(nsn B)" addr add 10.200.0.12/24 dev "$(ifn u2)"
for v in ra rb ba bb ga gb; do
  vm_add $v
done
host_start A
host_start B
for h in A B; do
  hctl $h switch/add sw0
  hctl $h switch/add sw1
done
# the map and the remotes given as port options at creation
hctl A port/add sw0 vx0 type=vxlan local=10.200.0.1 map=10:5010,20:5020 \
  remotes=5010@10.200.0.2,5020@10.200.0.2 restrict=on
hctl B port/add sw0 vx0 type=vxlan local=10.200.0.2 map=10:5010,20:5020 \
  remotes=5010@10.200.0.1,5020@10.200.0.1 restrict=on
hctl A port/add sw1 vx1 type=vxlan local=10.200.0.11 vni=5030 remotes=5030@10.200.0.12
hctl B port/add sw1 vx1 type=vxlan local=10.200.0.12 vni=5030 remotes=5030@10.200.0.11

step "VMs with the same addresses in three tenants"
vm_plug A sw0 ra ra 10.1.0.1/24 1450 tag=10
vm_plug A sw0 ba ba 10.1.0.1/24 1450 tag=20
vm_plug B sw0 rb rb 10.1.0.2/24 1450 tag=10
vm_plug B sw0 bb bb 10.1.0.2/24 1450 tag=20
vm_plug A sw1 ga ga 10.1.0.1/24 1450
vm_plug B sw1 gb gb 10.1.0.2/24 1450

step "each VM reaches its own tenant's peer, and resolves it to that peer's MAC"
for t in r b g; do
  assert_ping ${t}a 10.1.0.2
  assert_ping ${t}b 10.1.0.1
  got=$(ip -n "$(nsn ${t}a)" neigh show 10.1.0.2 | awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }')
  assert_eq "$got" "$(vm_mac ${t}b ${t}b)" "tenant $t: 10.1.0.2 is ${t}b"
done

step "learning is per VNI"
assert_eq "$(json_get "$(hctlj A vxlan/show sw0)" \
  "[.macs[] | select(.mac == \"$(vm_mac rb rb)\") | .vni] | first")" 5010 "rb learned in VNI 5010"
assert_eq "$(json_get "$(hctlj A vxlan/show sw0)" \
  "[.macs[] | select(.mac == \"$(vm_mac bb bb)\") | .vni] | first")" 5020 "bb learned in VNI 5020"

step "the same MAC in two tenants stays two entries"
ip -n "$(nsn bb)" link set "$(ifn bb)" down
ip -n "$(nsn bb)" link set "$(ifn bb)" address "$(vm_mac rb rb)"
ip -n "$(nsn bb)" link set "$(ifn bb)" up
ip -n "$(nsn ba)" neigh flush all
assert_ping ba 10.1.0.2
assert_ping ra 10.1.0.2
assert_eq "$(json_get "$(hctlj A vxlan/show sw0)" \
  "[.macs[] | select(.mac == \"$(vm_mac rb rb)\")] | length")" 2 "one MAC, two VNIs"
assert_eq "$(vx_count A sw0 mac_moves)" 0 "no station move across tenants"

step "with blue's peer gone, blue gets nothing from red (same IP, same MAC)"
ip -n "$(nsn bb)" link set "$(ifn bb)" down
ip -n "$(nsn ba)" neigh flush all
assert_no_ping ba 10.1.0.2
assert_ping ra 10.1.0.2

step "the tunnels carried only what they map"
assert_eq "$(vx_count A sw0 rx_unknown_vni)" 0 "no unknown VNI"
assert_eq "$(vx_count A sw0 rx_unknown_vtep)" 0 "no unknown VTEP"
for h in A B; do
  host_stop $h
done
t_pass
