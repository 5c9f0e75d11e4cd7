#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 54-vxlan-bad-input.sh - hostile VXLAN datagrams: a truncated header, the I
# flag missing, an unknown VNI, a runt inner frame, a VLAN-tagged inner frame
# and a spoofed source VTEP (restrict=on) are each dropped and counted once;
# a flood of garbage does not stop the tunnel between A and B.
#
#   VM a1 10.10.0.1 (VLAN 10)                 VM b1 10.10.0.2 (VLAN 10)
#   +---------------------------+             +---------------------------+
#   | host A: vnetd, vx0        |             | host B: vnetd, vx0        |
#   | restrict=on, remote B     |             | remote A                  |
#   +-------------+-------------+             +-------------+-------------+
#       10.200.0.1 |       namespace "evil" 10.200.0.66      | 10.200.0.2
#                  |       raw_send: forged VXLAN datagrams  |
#   ---------------+----------------------+------------------+---------------
#                          underlay bridge "ul"
. "$(dirname "$0")/../lib.sh"

require_tool raw_send

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

step "underlay, hosts A and B, the attacker"
underlay_add
ns_add A B evil
vm_add a1
vm_add b1
underlay_join A 1
underlay_join B 2
underlay_join evil 66
for h in A B; do
  host_start $h
  hctl $h switch/add sw0
done
hctl A port/add sw0 vx0 type=vxlan local=10.200.0.1 map=10:5010 remotes=5010@10.200.0.2 restrict=on
hctl B port/add sw0 vx0 type=vxlan local=10.200.0.2 map=10:5010 remotes=5010@10.200.0.1
vm_plug A sw0 a1 a1 10.10.0.1/24 1450 tag=10
vm_plug B sw0 b1 b1 10.10.0.2/24 1450 tag=10
assert_ping a1 10.10.0.2

MAC_A_UL=$(ip netns exec "$(nsn A)" cat "/sys/class/net/$(ifn u1)/address" | tr -d :)
MAC_EVIL=$(ip netns exec "$(nsn evil)" cat "/sys/class/net/$(ifn u66)/address" | tr -d :)
INNER="ffffffffffff02000000000588b5$(printf '%092d' 0)" # broadcast, EtherType 88b5, 60 bytes
VXH_5010=0800000000139200                                 # I flag, VNI 5010

# dgram SRC_IP PAYLOAD_HEX - an Ethernet/IPv4/UDP frame to A's port 4789 (raw_send -f
# fills in the IPv4 length and header checksum; the UDP checksum is 0, allowed over IPv4)
dgram() {
  local src=$1 pl=$2 a b c d
  IFS=. read -r a b c d <<<"$src"
  printf '%s%s0800' "$MAC_A_UL" "$MAC_EVIL"
  printf '450000000000400040110000%02x%02x%02x%02x0ac80001' "$a" "$b" "$c" "$d"
  printf '9c4012b5%04x0000%s\n' $((${#pl} / 2 + 8)) "$pl"
}

# send_bad COUNTER SRC_IP PAYLOAD_HEX - send one datagram; COUNTER must grow by exactly one
send_bad() {
  local counter=$1 before after rx0 rx1
  before=$(vx_count A sw0 "$counter")
  rx0=$(h_port_stat A sw0 vx0 rx_packets)
  in_ns evil "$TOOLS/raw_send" -i "$(ifn u66)" -f "$(dgram "$2" "$3")"
  wait_for "[ \$(vx_count A sw0 $counter) -gt $before ]" 5 || true
  after=$(vx_count A sw0 "$counter")
  rx1=$(h_port_stat A sw0 vx0 rx_packets)
  assert_eq "$((after - before))" 1 "$counter counted once"
  assert_eq "$((rx1 - rx0))" 0 "nothing of it reached the switch"
}

step "one datagram of each kind, each dropped and counted"
send_bad rx_truncated_header 10.200.0.2 08000000
send_bad rx_no_i_flag 10.200.0.2 "0000000000139200$INNER"
send_bad rx_unknown_vni 10.200.0.2 "0800000000270f00$INNER"
send_bad rx_runt_inner 10.200.0.2 "${VXH_5010}ffffffffffff02000000"
send_bad rx_inner_tagged 10.200.0.2 "${VXH_5010}ffffffffffff0200000000058100000a0806$(printf '%056d' 0)"
send_bad rx_unknown_vtep 10.200.0.77 "$VXH_5010$INNER"
assert_eq "$(h_port_drop A sw0 vx0 rx_error)" 6 "vx0 rx_error drops"

step "reserved bits set, from the listed remote: accepted (RFC 7348: ignored on receive)"
RX0=$(h_port_stat A sw0 vx0 rx_packets)
in_ns evil "$TOOLS/raw_send" -i "$(ifn u66)" -f "$(dgram 10.200.0.2 "ffaabbcc001392dd$INNER")"
wait_for "[ \$(h_port_stat A sw0 vx0 rx_packets) -gt $RX0 ]" 5 || fail "a valid datagram was not accepted"
echo "ok: accepted"

step "a garbage flood does not stop the tunnel"
bg_run in_ns a1 ping -q -i 0.05 -c 100 -W 1 10.10.0.2
PING_PID=$BG_PID
for kind in 08000000 "0000000000139200$INNER" "0800000000270f00$INNER" "$VXH_5010$INNER"; do
  in_ns evil "$TOOLS/raw_send" -i "$(ifn u66)" -f -c 5000 "$(dgram 10.200.0.99 "$kind")"
done
wait "$PING_PID" || fail "pings across the tunnel were lost during the flood"
echo "ok: 100 pings answered during the flood"
assert_num "$(h_port_drop A sw0 vx0 rx_error)" -ge 20000 "flood dropped and counted"
assert_ping a1 10.10.0.2
for h in A B; do
  host_stop $h
done
t_pass
