#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 35-uplink-oversize-flood - bad sizes and floods on the uplink, both backends:
#  - a VM with a 9000-byte MTU sends a 3000-byte frame: over the NIC's 1500, dropped and
#    counted as oversize on the uplink;
#  - the same VM's TCP (the LAN end also has MTU 9000, so both sides agree on MSS 8960)
#    arrives as TSO super-frames, which the uplink segments to the NIC's MTU (gso_clamped);
#  - a broadcast flood from the LAN: the switch keeps forwarding or drops with counters,
#    never wedges; with storm_bcast_pps set the excess is counted as storm_bcast.
#
#   ns lan: wire 10.55.0.1/24 (mtu 9000) <- frame_storm floods broadcast here
#      |  veth
#   ns host: nic (mtu 1500)
#   +--|------------------------------+
#   |  up0 type=uplink ifname=nic sw0 |
#   +----|----------------------------+
#      pa (tap, mtu=9000)
#   ns a 10.55.0.10/24 mtu 9000
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_uplink.sh"

require_cmd iperf3 ss
require_tool frame_storm
up_rig
in_lan ip link set "$UP_WIRE" mtu 9000
vctl switch/add sw0
up_vm sw0 pa a mtu=9000
in_ns a ip link set "$(ifn pa)" mtu 9000
ns_addr a "$(ifn pa)" "$UP_NET.10/24"
bcast=$(frame ff:ff:ff:ff:ff:ff 02:00:00:35:00:01)

for b in afpacket afxdp; do
  step "backend=$b"
  up_add sw0 up0 "$b"
  assert_eq "$(port_field sw0 up0 mtu)" 1500 "uplink MTU follows the NIC"
  assert_ping a "$UP_NET.1"

  step "backend=$b: a frame over the NIC's MTU from the VM is dropped and counted"
  before=$(port_drop sw0 up0 oversize)
  in_ns a ping -n -c 3 -i 0.2 -W 1 -M "do" -s 3000 "$UP_NET.1" >/dev/null 2>&1 &&
    fail "a 3000-byte ping crossed a 1500-byte uplink"
  assert_num "$(port_drop sw0 up0 oversize)" -ge $((before + 3)) "oversize drops on up0"

  step "backend=$b: TSO frames from the VM are segmented to the NIC's MTU"
  clamped=$(up_info sw0 up0 gso_clamped)
  up_iperf a "$UP_LAN" "$UP_NET.1"
  # (a lone full-size 8960-byte segment is no super-frame: it is dropped as oversize, as on
  # any L2 switch, so the rate is poor; what matters is that the super-frames got through)
  assert_num "$UP_BYTES" -gt 10000 "TCP bytes VM -> LAN with MSS 8960 over a 1500 uplink"
  assert_num "$(up_info sw0 up0 gso_clamped)" -gt "$clamped" "super-frames clamped to the MTU"

  step "backend=$b: a broadcast flood from the LAN does not wedge the switch"
  rx0=$(port_stat sw0 up0 rx_packets)
  out=$(in_lan "$TOOLS/frame_storm" -i "$UP_WIRE" -n 300000 -t 4 "$bcast") || fail "frame_storm: $out"
  sent=${out##* }
  assert_vnetd_alive
  rx1=$(port_stat sw0 up0 rx_packets)
  ring=$(up_info sw0 up0 ring.afpacket_ring_full)
  echo "flood: sent $sent, uplink rx $((rx1 - rx0)), AF_PACKET ring drops $ring"
  assert_num $((rx1 - rx0)) -gt 1000 "flood frames received by the switch"
  assert_num $((rx1 - rx0)) -le "$sent" "no more received than sent"
  assert_ping a "$UP_NET.1"

  step "backend=$b: with storm control the excess broadcast is counted"
  vctl port/set sw0 up0 storm_bcast_pps=1000
  before=$(port_drop sw0 up0 storm_bcast)
  in_lan "$TOOLS/frame_storm" -i "$UP_WIRE" -n 50000 -t 3 "$bcast" >/dev/null
  assert_num "$(port_drop sw0 up0 storm_bcast)" -gt $((before + 1000)) "storm_bcast drops on up0"
  assert_ping a "$UP_NET.1"
  vctl port/del sw0 up0
done
t_pass
