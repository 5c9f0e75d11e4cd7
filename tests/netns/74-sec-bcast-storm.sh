#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vnet-test: serial
# 74-sec-bcast-storm - VM s floods broadcast frames at line rate into VLAN 10 with
# storm_bcast_pps=1000. At most ~1000 per second are flooded (the rest counted as
# storm_bcast), none reaches VLAN 20, and the victims' TCP throughput, unicast in VLAN 10
# (a -> b) and in VLAN 20 (c -> d), is measured before and during the storm.
#
#   ns s (storm)   ns a      ns b        ns c      ns d        dummy o10     dummy o20
#    | ps           | pa      | pb        | pc      | pd         | (observer) | (observer)
#   +|--------------|---------|-----------|---------|------------|------------|----+
#   |  vnetd sw0:  VLAN 10: ps (storm_bcast_pps=1000), pa, pb, o10                 |
#   |              VLAN 20: pc, pd, o20                                            |
#   +------------------------------------------------------------------------------+
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_sec.sh"

PPS=1000
SECS=5
MS=02:74:00:00:00:0e
ns_add s a b c d
vnetd_start
vctl switch/add sw0
tap_add sw0 ps s tag=10 storm_bcast_pps=$PPS
ns_mac s "$(ifn ps)" $MS
tap_add sw0 pa a tag=10
tap_add sw0 pb b tag=10
tap_add sw0 pc c tag=20
tap_add sw0 pd d tag=20
dummy_add sw0 o10 tag=10
assert_eq "$(port_field sw0 ps security.storm_bcast_pps)" $PPS "port/list security shows the storm limit"
assert_eq "$(port_field sw0 pa security.storm_bcast_pps)" null "port/list security: no storm limit on pa"
dummy_add sw0 o20 tag=20
ns_addr a "$(ifn pa)" 10.0.10.1/24
ns_addr b "$(ifn pb)" 10.0.10.2/24
ns_addr c "$(ifn pc)" 10.0.20.1/24
ns_addr d "$(ifn pd)" 10.0.20.2/24
assert_ping a 10.0.10.2
assert_ping c 10.0.20.2
iperf_srv b
iperf_srv d

step "victim throughput before the storm"
before10=$(tput a 10.0.10.2 2)
before20=$(tput c 10.0.20.2 2)
assert_num "$before10" -gt 0 "VLAN 10 a -> b before (Mbit/s)"
assert_num "$before20" -gt 0 "VLAN 20 c -> d before (Mbit/s)"

step "s floods broadcasts at line rate for $SECS s"
o10_0=$(port_stat sw0 o10 tx_packets)
bcast=$(mkframe udp ff:ff:ff:ff:ff:ff $MS 10.0.10.66 10.0.10.255 9 9 64)
bg_run in_ns s "$TOOLS/frame_storm" -i "$(ifn ps)" -t $SECS -n 50000000 "$bcast"
storm=$BG_PID
t0=$(date +%s%N)
sleep 0.3
during10=$(tput a 10.0.10.2 2)
during20=$(tput c 10.0.20.2 2)
wait $storm || fail "frame_storm failed"
t1=$(date +%s%N)

step "the storm was cut to the limit, stayed in VLAN 10, and the victims kept working"
drops=$(port_drop sw0 ps storm_bcast)
flooded=$(($(port_stat sw0 o10 tx_packets) - o10_0))
secs_ms=$(((t1 - t0) / 1000000))
echo "storm: ${secs_ms} ms, storm_bcast drops $drops, broadcasts flooded to o10: $flooded"
assert_num "$drops" -ge $PPS "storm_bcast drops on ps"
# one second's burst, then PPS per second (plus the victims' own ARP/ND)
assert_num "$flooded" -le $((PPS + PPS * (secs_ms / 1000 + 1) + 100)) "broadcasts that reached VLAN 10"
assert_num "$flooded" -ge $((PPS * 2)) "broadcasts that reached VLAN 10 (the limit lets some through)"
assert_eq "$(capture_src sw0 o20 $MS | wc -l)" 0 "storm frames in VLAN 20"
assert_num "$during10" -gt 0 "VLAN 10 a -> b during (Mbit/s)"
assert_num "$during20" -gt 0 "VLAN 20 c -> d during (Mbit/s)"
assert_ping a 10.0.10.2
assert_ping c 10.0.20.2
result 74-sec-bcast-storm before10_mbps=$before10 during10_mbps=$during10 \
  during10_pct=$(pct "$during10" "$before10") before20_mbps=$before20 during20_mbps=$during20 \
  during20_pct=$(pct "$during20" "$before20") storm_drops=$drops flooded=$flooded
assert_vnetd_alive
t_pass
