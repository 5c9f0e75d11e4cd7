#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 93-mirror-rspan - RSPAN: frames of VLAN 10 mirrored into VLAN 99 reach every port of
# VLAN 99 exactly once: untagged on access port pm, tagged 99 (original tag replaced) on
# trunk pt. Selecting a whole VLAN takes each frame once, requests and replies. A mirror
# never selects frames of its own output VLAN, and refuses to mirror VLAN 99 into itself.
#
#   ns a 10.0.0.1      ns b 10.0.0.2      ns m (tcpdump)         ns t (tcpdump, tagged)
#        |                  |                  |                      |
#     pa access 10       pb access 10       pm access 99           pt trunk 10,99     d9 trunk 10,99 (dummy)
#   +----|------------------|------------------|----------------------|----+
#   |                         vnetd switch sw0                             |
#   +----------------------------------------------------------------------+
. "$(dirname "$0")/../lib.sh"

require_cmd tcpdump tshark

ns_add a b m t
vnetd_start
vctl switch/add sw0
tap_add sw0 pa a tag=10
tap_add sw0 pb b tag=10
tap_add sw0 pm m tag=99
tap_add sw0 pt t vlan_mode=trunk trunks=10,99
ns_addr a "$(ifn pa)" 10.0.0.1/24
ns_addr b "$(ifn pb)" 10.0.0.2/24
for n in a b m t; do in_ns $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1; done
assert_ping a 10.0.0.2 1

# mon_start NS PORT NAME - tcpdump in NS on PORT's tap into $T_DIR/NAME.pcap
mon_start() {
  local log=$T_DIR/$3.log
  bg_run ip netns exec "$(nsn "$1")" tcpdump -i "$(ifn "$2")" --immediate-mode -U -n -w "$T_DIR/$3.pcap" 2>"$log"
  MON_PIDS+=("$BG_PID")
  wait_for "grep -q listening $log" 10 || fail "tcpdump in $1 did not start: $(cat "$log")"
}

mon_stop() {
  sleep 0.5
  kill -INT "${MON_PIDS[@]}"
  wait "${MON_PIDS[@]}" 2>/dev/null || true
  MON_PIDS=()
}

# seen NAME TYPE [FILTER] - ICMP echo requests (8) / replies (0) between a and b in NAME.pcap
seen() {
  tshark -r "$T_DIR/$1.pcap" \
    -Y "icmp.type == $2 && ip.addr == 10.0.0.1 && ip.addr == 10.0.0.2 ${3:+&& $3}" 2>/dev/null | wc -l
}

pings() {
  local out
  out=$(in_ns a ping -n -q -c "$1" -i 0.2 -W 2 10.0.0.2 2>&1) || true
  grep -q " $1 received" <<<"$out" || fail "pings from a to b lost: $out"
}

MON_PIDS=()
step "ingress of pa into VLAN 99"
vctl mirror/add sw0 r0 ingress=pa output_vlan=99
mon_start m pm m1
mon_start t pt t1
pings 5
mon_stop
assert_eq "$(seen m1 8 '!vlan')" 5 "requests on access port pm, untagged"
assert_eq "$(seen m1 0)" 0 "replies on pm"
assert_eq "$(seen t1 8 'vlan.id == 99')" 5 "requests on trunk pt, tagged 99"
assert_eq "$(seen t1 8 'vlan.id == 10')" 0 "no request on pt with its original VLAN 10"
assert_eq "$(seen t1 0)" 0 "replies on pt"

step "a whole VLAN: vlans=10 takes every frame of VLAN 10 once"
vctl mirror/del sw0 r0
vctl mirror/add sw0 r1 vlans=10 output_vlan=99 snaplen=96
mon_start m pm m2
pings 4
mon_stop
assert_eq "$(seen m2 8)" 4 "requests seen in VLAN 99"
assert_eq "$(seen m2 0)" 4 "replies seen in VLAN 99"
assert_eq "$(tshark -r "$T_DIR/m2.pcap" -T fields -e frame.len -Y icmp 2>/dev/null | sort -u)" 96 \
  "copies cut to snaplen=96"
assert_num "$(vctlj mirror/list sw0 | jq '.[0].truncated')" -ge 8 "truncated copies counted"

step "no loops: VLAN 99 cannot be mirrored into itself; VLAN 99 frames are never selected"
vctl mirror/add sw0 r2 vlans=99 output_vlan=99 2>/dev/null && fail "vlans=99 output_vlan=99 accepted"
dummy_add sw0 d9 vlan_mode=trunk trunks=10,99
vctl mirror/add sw0 r3 ingress=d9 output_vlan=99
vctl mirror/add sw0 r4 vlans=99 output_vlan=98
for i in 1 2 3; do inject sw0 d9 "$(frame ff:ff:ff:ff:ff:ff 02:00:00:00:93:01 99)"; done
assert_eq "$(vctlj mirror/list sw0 | jq '[.[] | select(.name == "r3")][0].packets')" 0 \
  "frames d9 received in VLAN 99 were not mirrored into VLAN 99"
assert_eq "$(vctlj mirror/list sw0 | jq '[.[] | select(.name == "r4")][0].packets')" 3 \
  "while r4 (vlans=99 into VLAN 98) took all three"
inject sw0 d9 "$(frame ff:ff:ff:ff:ff:ff 02:00:00:00:93:01 10)"
assert_eq "$(vctlj mirror/list sw0 | jq '[.[] | select(.name == "r3")][0].packets')" 1 \
  "a frame d9 received in VLAN 10 was"
assert_vnetd_alive
assert_ping a 10.0.0.2 1
t_pass
