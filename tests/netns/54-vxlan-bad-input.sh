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

. "$(dirname "$0")/_vxlan.sh"

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
