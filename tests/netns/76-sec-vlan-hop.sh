#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vnet-test: serial
# 76-sec-vlan-hop - 802.1Q double tagging (outer VLAN 10, inner VLAN 20) aimed at VLAN 20,
# at line rate: from x on an access port in VLAN 10 (dropped as tagged_on_access), and from
# y, a trunk whose native VLAN is 10 and which may use VLAN 10 only, with the outer tag
# being the native VID 10 and with a priority tag (VID 0) outside. No frame reaches VLAN 20
# inside the switch (victim v's port, observer o20), and none leaves the uplink (a trunk
# with native VLAN 10 untagged) with the inner tag 20 exposed, which the next switch would
# read as VLAN 20. Victim v's throughput to u in VLAN 20 is measured before and during.
#
#   ns x (access 10)   ns y (native-untagged 10)   ns v 10.20.0.1   ns u 10.20.0.2   dummies
#    | px               | py                         | pv (access 20) | pu (access 20)  o20 (access 20)
#   +|------------------|----------------------------|----------------|----------  up (native-untagged
#   |                  vnetd switch sw0                                        |    10, trunks 20)
#   +---------------------------------------------------------------------------+
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_sec.sh"

MX=02:76:00:00:00:0e
MY=02:76:00:00:00:0f
ns_add x y v u
vnetd_start
vctl switch/add sw0
tap_add sw0 px x tag=10
tap_add sw0 py y vlan_mode=native-untagged tag=10
tap_add sw0 pv v tag=20
tap_add sw0 pu u tag=20
dummy_add sw0 o20 tag=20
dummy_add sw0 up vlan_mode=native-untagged tag=10 trunks=20
ns_mac x "$(ifn px)" $MX
ns_mac y "$(ifn py)" $MY
ns_addr v "$(ifn pv)" 10.20.0.1/24
ns_addr u "$(ifn pu)" 10.20.0.2/24
assert_ping v 10.20.0.2
MV=$(mac_of v "$(ifn pv)")
iperf_srv u
before=$(tput v 10.20.0.2 2)
assert_num "$before" -gt 0 "v -> u before (Mbit/s)"

step "double-tagged frames to v's MAC and to broadcast, from x and y, for 4 s"
fx=()
fy=()
for dst in "$MV" ff:ff:ff:ff:ff:ff; do
  fx+=("$(mkframe udp "$dst" $MX 10.20.0.66 10.20.0.1 9 9 64 10 20)")
  fy+=("$(mkframe udp "$dst" $MY 10.20.0.66 10.20.0.1 9 9 64 10 20)")
  fy+=("$(mkframe udp "$dst" $MY 10.20.0.66 10.20.0.1 9 9 64 0 20)")
done
pv0=$(port_stat sw0 pv tx_packets)
capture sw0 up >/dev/null
bg_run in_ns x "$TOOLS/frame_storm" -i "$(ifn px)" -t 4 -n 50000000 "${fx[@]}"
sx=$BG_PID
bg_run in_ns y "$TOOLS/frame_storm" -i "$(ifn py)" -t 4 -n 50000000 "${fy[@]}"
sy=$BG_PID
sleep 0.3
during=$(tput v 10.20.0.2 2)
wait $sx || fail "frame_storm x failed"
wait $sy || fail "frame_storm y failed"

step "nothing reached VLAN 20"
dx=$(port_drop sw0 px tagged_on_access)
echo "px drops: $(json_get "$(vctlj stats/show sw0)" '.ports[] | select(.name == "px") | .drops' | tr -d ' \n')"
echo "py drops: $(json_get "$(vctlj stats/show sw0)" '.ports[] | select(.name == "py") | .drops' | tr -d ' \n')"
assert_num "$dx" -ge 1000 "x's double-tagged frames dropped as tagged_on_access"
assert_num "$(port_stat sw0 py drops_total)" -ge 1000 "y's double-tagged frames dropped"
assert_eq "$(capture_src sw0 o20 $MX | wc -l)" 0 "x's frames seen in VLAN 20"
assert_eq "$(capture_src sw0 o20 $MY | wc -l)" 0 "y's frames seen in VLAN 20"
pv_tx=$(($(port_stat sw0 pv tx_packets) - pv0))
# v's port carries v's iperf3 ACKs and neighbour discovery, but not 2 x 4 s of line rate
assert_num "$pv_tx" -lt 1000000 "frames to v during the attack ($pv_tx)"
exposed=0
seen=0
capture sw0 up >"$SEC_DIR/up.hex"
while read -r f; do
  case ${f:12:12} in
  "$(mac_hex $MX)" | "$(mac_hex $MY)") ;;
  *) continue ;;
  esac
  seen=$((seen + 1))
  [ "$(frame_vlan "$f")" = 20 ] && exposed=$((exposed + 1))
done <"$SEC_DIR/up.hex"
echo "attack frames on the uplink: $seen; first: $(grep -m1 -e "$(mac_hex $MY)" "$SEC_DIR/up.hex" | cut -c1-64)"
assert_eq "$exposed" 0 "attack frames leaving the uplink with tag 20 exposed"
assert_num "$during" -gt 0 "v -> u during (Mbit/s)"
assert_ping v 10.20.0.2
result 76-sec-vlan-hop before_mbps=$before during_mbps=$during during_pct=$(pct "$during" "$before") \
  x_drops=$dx y_drops=$(port_stat sw0 py drops_total)
assert_vnetd_alive
t_pass
