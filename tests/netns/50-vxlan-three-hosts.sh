#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 50-vxlan-three-hosts.sh - three vnet hosts joined by VXLAN VNI 5010: every
# pair of VMs pings, TCP runs through the tunnel (segmented in software for
# the underlay), local VLAN 10 on A and C and VLAN 30 on B meet in VNI 5010,
# and a broadcast reaches each remote VTEP exactly once.
#
#   VM a1 10.10.0.1/24        VM b1 10.10.0.2/24        VM c1 10.10.0.3/24
#    mtu 1450 |                mtu 1450 |                mtu 1450 |
#   tap a1 access 10         tap b1 access 30          tap c1 access 10
#   +---------+----------+   +--------+-----------+   +---------+----------+
#   | host A: vnetd sw0  |   | host B: vnetd sw0  |   | host C: vnetd sw0  |
#   | vx0 VLAN 10<->5010 |   | vx0 VLAN 30<->5010 |   | vx0 VLAN 10<->5010 |
#   +---------+----------+   +---------+----------+   +---------+----------+
#     10.200.0.1 |              10.200.0.2 |              10.200.0.3 |
#   -------------+-------------------------+-------------------------+------
#                  underlay: Linux bridge in namespace "ul"
. "$(dirname "$0")/../lib.sh"

require_cmd iperf3 tcpdump
require_tool raw_send

. "$(dirname "$0")/_vxlan.sh"

step "underlay and hosts"
underlay_add
ns_add A B C
vm_add a1
vm_add b1
vm_add c1
underlay_join A 1
underlay_join B 2
underlay_join C 3
for h in A B C; do
  host_start $h
  hctl $h switch/add sw0
done

step "VXLAN ports, the VLAN <-> VNI maps and the remote VTEPs (vnetctl vxlan/...)"
hctl A port/add sw0 vx0 type=vxlan local=10.200.0.1
hctl B port/add sw0 vx0 type=vxlan local=10.200.0.2 dstport=4789
hctl C port/add sw0 vx0 type=vxlan local=10.200.0.3
hctl A vxlan/map sw0 vlan=10 vni=5010
hctl B vxlan/map sw0 vlan=30 vni=5010
hctl C vxlan/map sw0 vlan=10 vni=5010
for pair in A:2 A:3 B:1 B:3 C:1 C:2; do
  hctl "${pair%:*}" vxlan/remote-add sw0 vni=5010 remote=10.200.0."${pair#*:}"
done
hctl A vxlan/show sw0

step "VMs: a1 on A (VLAN 10), b1 on B (VLAN 30), c1 on C (VLAN 10), inner MTU 1450"
vm_plug A sw0 a1 a1 10.10.0.1/24 1450 vlan_mode=access tag=10
vm_plug B sw0 b1 b1 10.10.0.2/24 1450 vlan_mode=access tag=30
vm_plug C sw0 c1 c1 10.10.0.3/24 1450 vlan_mode=access tag=10
assert_eq "$(json_get "$(hctlj A vxlan/show sw0)" '.inner_mtu')" 1450 "inner MTU on a 1500 underlay"

step "every pair of VMs reaches each other"
assert_ping a1 10.10.0.2
assert_ping a1 10.10.0.3
assert_ping b1 10.10.0.3
assert_ping c1 10.10.0.1

step "learning: A knows b1 behind 10.200.0.2 and c1 behind 10.200.0.3"
MAC_B1=$(vm_mac b1 b1)
MAC_C1=$(vm_mac c1 c1)
MAC_A1=$(vm_mac a1 a1)
assert_eq "$(vx_vtep_of A sw0 "$MAC_B1")" 10.200.0.2 "A: b1's VTEP"
assert_eq "$(vx_vtep_of A sw0 "$MAC_C1")" 10.200.0.3 "A: c1's VTEP"
assert_eq "$(vx_vtep_of B sw0 "$MAC_A1")" 10.200.0.1 "B: a1's VTEP"
# the switch's MAC table has them on the vxlan port, in the local VLAN of each host
assert_eq "$(h_fdb_port A sw0 "$MAC_B1" 10)" vx0 "A: MAC table, b1 in VLAN 10 -> vx0"
assert_eq "$(h_fdb_port B sw0 "$MAC_A1" 30)" vx0 "B: MAC table, a1 in VLAN 30 -> vx0"

step "a broadcast from a1 reaches B and C exactly once each"
N=25
declare -A DUMP=()
for hn in B:2 C:3; do
  h=${hn%:*}
  bg_run ip netns exec "$(nsn "$h")" tcpdump -i "$(ifn u${hn#*:})" -U -n -w "$T_DIR/bc-$h.pcap" \
    'udp dst port 4789 and udp[16:4] = 0xffffffff and udp[20:2] = 0xffff and udp[28:2] = 0x88b5' \
    2>"$T_DIR/tcpdump-$h.log"
  DUMP[$h]=$BG_PID
done
wait_for "grep -q listening $T_DIR/tcpdump-B.log && grep -q listening $T_DIR/tcpdump-C.log" 10 ||
  fail "tcpdump did not start"
COPIES0=$(vx_count A sw0 tx_flood_copies)
RXB0=$(json_get "$(hctlj B vxlan/show sw0)" '.vteps[] | select(.address == "10.200.0.1") | .rx_packets')
FRAME="ffffffffffff$(echo "$MAC_A1" | tr -d :)88b5$(printf '%092d' 0)"
in_ns a1 "$TOOLS/raw_send" -i "$(ifn a1)" -c $N "$FRAME"
sleep 1
for h in B C; do
  kill -INT "${DUMP[$h]}"
  wait "${DUMP[$h]}" 2>/dev/null || true
  got=$(tcpdump -r "$T_DIR/bc-$h.pcap" -n 2>/dev/null | grep -c "4789: VXLAN")
  assert_eq "$got" "$N" "host $h received each broadcast once"
done
assert_eq "$(($(vx_count A sw0 tx_flood_copies) - COPIES0))" $((2 * N)) "A sent 2 copies per broadcast"
RXB1=$(json_get "$(hctlj B vxlan/show sw0)" '.vteps[] | select(.address == "10.200.0.1") | .rx_packets')
assert_num $((RXB1 - RXB0)) -ge $N "B's per-VTEP counter for A"

step "TCP through the tunnel: iperf3 a1 -> b1, TSO frames segmented for the underlay"
bg_run in_ns b1 iperf3 -s -1 -B 10.10.0.2
wait_for "in_ns b1 ss -ltn | grep -q ':5201'" 10 || fail "iperf3 server did not start"
SEG0=$(h_port_stat A sw0 vx0 gso_segmented)
OUT=$(in_ns a1 timeout 30 iperf3 -c 10.10.0.2 -t 3 -J) || fail "iperf3 failed: $(echo "$OUT" | tail -n 5)"
BPS=$(json_get "$OUT" '.end.sum_received.bits_per_second')
echo "iperf3 a1 -> b1 through VXLAN: $(awk "BEGIN { printf \"%.2f\", $BPS / 1e9 }") Gbit/s"
assert_num "$(awk "BEGIN { print int($BPS / 1e6) }")" -gt 10 "TCP throughput in Mbit/s"
assert_num "$(($(h_port_stat A sw0 vx0 gso_segmented) - SEG0))" -gt 0 "TSO frames segmented for vx0"
assert_eq "$(h_port_drop A sw0 vx0 oversize)" 0 "no oversize drop with MTU 1450 VMs"

step "clean shutdown"
for h in A B C; do
  host_stop $h
done
t_pass
