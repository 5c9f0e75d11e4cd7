#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 20-tap-guests - two real Linux guests (virtio_net, QEMU under TCG) attached by tap, the
# way the README's quick start does it: a persistent tap with a virtio-net header that
# QEMU opens (-netdev tap,...,vnet_hdr=on), and a vnetd tap port on its network side
# (attach=netdev). gA's attachment is the other order: QEMU first creates its own tap,
# then port/add attaches to it (attach=auto sees that QEMU holds it). The guests ping and
# run iperf3; their TSO super-frames cross the switch unsegmented.
#
#   guest gA 10.0.0.1                       guest gB 10.0.0.2
#   virtio-net, -netdev tap (QEMU's tap)    virtio-net, -netdev tap (persistent tap)
#          | vt<ID>-ga                               | vt<ID>-gb
#   [tap port ga, attach=auto -> netdev] -- sw0 -- [tap port gb, attach=netdev]
#
# gA: ping gB, then iperf3 -c gB (TCP gA -> gB, 5 s); gB: iperf3 -s.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_vm.sh"

vm_prepare
vnetd_start
vctl switch/add sw0
ta=$(ifn ga) tb=$(ifn gb)

step "gB: persistent tap first, port on its network side, then QEMU opens it"
ip tuntap add dev "$tb" mode tap vnet_hdr
T_LINKS+=("$tb")
ip link set dev "$tb" up
vctl port/add sw0 gb type=tap ifname="$tb" attach=netdev
vm_boot gB 10.0.0.2/24 52:54:00:00:0b:02 "tap:$tb" 'iperf3 -s -1'

step "gA: QEMU creates its tap first, then the port attaches to it"
vm_boot gA 10.0.0.1/24 52:54:00:00:0a:01 "tap:$ta" \
  'gwait 10.0.0.2 90 && iping -c 5 -i 0.3 10.0.0.2 && giperf 10.0.0.2 -t 5'
wait_for "ip link show dev $ta" 30 || fail "QEMU did not create $ta"
ip link set dev "$ta" up
vctl port/add sw0 ga type=tap ifname="$ta"
vctl port/list sw0
assert_eq "$(port_field sw0 ga info.attach)" netdev "ga attached to the network side of QEMU's tap"
assert_eq "$(port_field sw0 gb info.attach)" netdev "gb attach mode"

rcA=$(vm_rc gA 300)
rcB=$(vm_rc gB 60)
vm_console gA
vm_console gB
assert_eq "$rcA" 0 "gA: ping and iperf3 to gB succeeded"
assert_eq "$rcB" 0 "gB: iperf3 server served gA"
grep -q ' 0% packet loss' "$T_DIR/gA.log" || fail "ping lost packets"
rate=$(tr -d '\r' <"$T_DIR/gA.log" | awk '/sender$/ { print $(NF-3), $(NF-2) }' | tail -1)
echo "iperf3 gA -> gB: $rate"
[ -n "$rate" ] || fail "no iperf3 result"

featA=$(vm_features gA)
echo "gA negotiated: $featA"
vctl stats/show sw0
rx_gso=$(port_stat sw0 ga rx_gso)
tx_gso=$(port_stat sw0 gb tx_gso)
assert_num "$rx_gso" -gt 100 "TSO frames from gA (ga rx_gso)"
assert_num "$tx_gso" -gt 100 "TSO frames to gB (gb tx_gso)"
assert_num "$(port_stat sw0 gb gso_segmented)" -eq 0 "no software segmentation towards gB"
t_pass
