#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vnet-test: serial
# 71-sec-spoof - VM e impersonates VM b: frames and gratuitous ARPs from b's MAC
# (mac_spoof_guard), and from its own MAC claiming b's IP (ip_guard), at line rate. Every one
# is dropped and counted under its reason; b's fdb entry and a's ARP entry for b stay b's,
# and a's throughput to b goes on. Last, the control: with ip_guard off, the same gratuitous
# ARP does poison a's cache, so the frames would have worked.
#
#   ns a 10.0.0.1 (MA)     ns b 10.0.0.2 (MB, iperf3 -s)     ns e 10.0.0.66 (ME): spoofs MB, 10.0.0.2
#    | pa                   | pb                              | pe
#   +|----------------------|---------------------------------|------+
#   |  vnetd sw0: every port mac_spoof_guard=on mac=M ip_guard=on ip=IP  |
#   +-------------------------------------------------------------------+
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_sec.sh"

MA=02:71:00:00:00:0a
MB=02:71:00:00:00:0b
ME=02:71:00:00:00:0e
ns_add a b e
vnetd_start
vctl switch/add sw0
for x in a:MA:10.0.0.1 b:MB:10.0.0.2 e:ME:10.0.0.66; do
  IFS=: read -r n m ip <<<"$x"
  tap_add sw0 "p$n" "$n" mac_spoof_guard=on mac="${!m}" ip_guard=on ip="$ip"
  ns_mac "$n" "$(ifn "p$n")" "${!m}"
  ns_addr "$n" "$(ifn "p$n")" "$ip/24"
done
assert_eq "$(port_field sw0 pe security.mac_spoof_guard)" true "port/list shows mac_spoof_guard on pe"
assert_ping a 10.0.0.2
assert_ping e 10.0.0.1
iperf_srv b
neigh_b() {
  in_ns a ip -j neigh show 10.0.0.2 dev "$(ifn pa)" | jq -r '.[0].lladdr // ""'
}
assert_eq "$(neigh_b)" $MB "a's ARP entry for 10.0.0.2"

# (b's own drops so far: what its tap sent from the kernel's MAC before ns_mac changed it)
b_drops=$(port_stat sw0 pb drops_total)
step "victim throughput before the attack"
before=$(tput a 10.0.0.2 2)
assert_num "$before" -gt 0 "a -> b before (Mbit/s)"

step "e spoofs b at line rate for 4 s: b's MAC, and b's IP from its own MAC"
garp_mb=$(mkframe garp $MB 10.0.0.2)
udp_mb=$(mkframe udp $MA $MB 10.0.0.2 10.0.0.1 9 9 64)
garp_me=$(mkframe garp $ME 10.0.0.2)
udp_me=$(mkframe udp $MA $ME 10.0.0.2 10.0.0.1 9 9 64)
bg_run in_ns e "$TOOLS/frame_storm" -i "$(ifn pe)" -t 4 -n 2000000 "$garp_mb" "$udp_mb" "$garp_me" "$udp_me"
storm=$BG_PID
sleep 0.5
during=$(tput a 10.0.0.2 2)
wait $storm || fail "frame_storm failed"

step "every spoofed frame was dropped and counted; b's entries stayed b's"
mac_drops=$(port_drop sw0 pe mac_spoof)
ip_drops=$(port_drop sw0 pe ip_spoof)
rx=$(port_stat sw0 pe rx_packets)
echo "pe: rx_packets $rx, mac_spoof $mac_drops, ip_spoof $ip_drops"
assert_num "$mac_drops" -ge 1000 "mac_spoof drops on pe"
assert_num "$ip_drops" -ge 1000 "ip_spoof drops on pe"
assert_num "$rx" -le 50 "frames accepted from e (its few own pings and neighbour discovery)"
assert_eq "$(fdb_port sw0 $MB 0)" pb "b's MAC still on pb"
assert_eq "$(neigh_b)" $MB "a's ARP entry for 10.0.0.2 still b's"
assert_eq "$(port_stat sw0 pb drops_total)" "$b_drops" "no new drops on b's port"
assert_num "$during" -gt 0 "a -> b during (Mbit/s)"
assert_ping a 10.0.0.2 5

step "control: with ip_guard off on pe, the same gratuitous ARP poisons a's cache"
vctl port/set sw0 pe ip_guard=off
# Linux ignores ARP updates for an entry within locktime (1 s) of its last change
wait_for "in_ns e '$TOOLS/raw_send' -i $(ifn pe) $garp_me >/dev/null; sleep 0.3; [ \"\$(neigh_b)\" = $ME ]" 15 ||
  fail "the gratuitous ARP did not change a's cache even unguarded: the check above proves nothing"
echo "ok: unguarded, a's entry for 10.0.0.2 became $(neigh_b)"
result 71-sec-spoof before_mbps=$before during_mbps=$during during_pct=$(pct "$during" "$before") \
  mac_spoof_drops=$mac_drops ip_spoof_drops=$ip_drops
assert_vnetd_alive
t_pass
