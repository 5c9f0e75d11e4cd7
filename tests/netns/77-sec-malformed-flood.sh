#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vnet-test: serial
# 77-sec-malformed-flood - VM m sends mangled frames at line rate for 5 s (frame_storm -m:
# truncated down to 1 byte, header bytes overwritten, one to three stacked 802.1Q/802.1ad
# tags pushed, padded past the MTU, random payloads; built from IPv4/UDP, ARP, IPv6 RA and
# DHCP templates) into a port with every guard on. vnetd stays up, the drop counters rise
# under their reasons, and victims a and b keep their TCP throughput and pings.
#
#   ns m (mangler, all guards)   ns a 10.0.0.1      ns b 10.0.0.2 (iperf3 -s)
#    | pm                         | pa               | pb
#   +|----------------------------|------------------|-----+
#   |                 vnetd switch sw0                     |
#   +------------------------------------------------------+
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_sec.sh"

MM=02:77:00:00:00:0e
ns_add m a b
vnetd_start
vctl switch/add sw0
tap_add sw0 pm m mac_spoof_guard=on mac=$MM ip_guard=on ip=10.0.0.66 dhcp_guard=on \
  router_guard=on storm_bcast_pps=1000 storm_unknown_pps=1000 mac_limit=4
ns_mac m "$(ifn pm)" $MM
tap_add sw0 pa a
tap_add sw0 pb b
ns_addr a "$(ifn pa)" 10.0.0.1/24
ns_addr b "$(ifn pb)" 10.0.0.2/24
assert_ping a 10.0.0.2
MB=$(mac_of b "$(ifn pb)")
iperf_srv b
before=$(tput a 10.0.0.2 2)
assert_num "$before" -gt 0 "a -> b before (Mbit/s)"

step "m mangles and sends for 5 s"
tpl=(
  "$(mkframe udp "$MB" $MM 10.0.0.66 10.0.0.2 9 9 64)"
  "$(mkframe udp ff:ff:ff:ff:ff:ff $MM 10.0.0.66 10.0.0.255 67 68 300)"
  "$(mkframe garp $MM 10.0.0.66)"
  "$(mkframe ra $MM 2001:db8:77:: 3)"
  "$(mkframe udp "$MB" $MM 10.0.0.66 10.0.0.2 9 9 1400 10 20)"
)
d0=$(port_stat sw0 pm drops_total)
bg_run in_ns m "$TOOLS/frame_storm" -i "$(ifn pm)" -m -s 77 -t 5 -n 50000000 "${tpl[@]}"
storm=$BG_PID
sleep 0.3
during=$(tput a 10.0.0.2 2)
bg_run ip netns exec "$(nsn a)" ping -n -q -i 0.1 -w 30 10.0.0.2 >"$SEC_DIR/ping.out" 2>&1
ping_pid=$BG_PID
wait $storm || fail "frame_storm failed"
kill -INT $ping_pid 2>/dev/null || true
wait $ping_pid 2>/dev/null || true

step "vnetd is alive, the drops were counted, the victims kept working"
assert_vnetd_alive
j=$(vctlj stats/show sw0)
drops=$(($(json_get "$j" '.ports[] | select(.name == "pm") | .drops_total') - d0))
echo "pm drops by reason: $(json_get "$j" '.ports[] | select(.name == "pm") | .drops | with_entries(select(.value > 0))' | tr -d ' \n')"
assert_num "$drops" -ge 1000 "drops on pm during the flood"
nreasons=$(json_get "$j" '[.ports[] | select(.name == "pm") | .drops | to_entries[] | select(.value > 0)] | length')
assert_num "$nreasons" -ge 5 "distinct drop reasons on pm"
cat "$SEC_DIR/ping.out"
psent=$(grep -o '[0-9]* packets transmitted' "$SEC_DIR/ping.out" | cut -d' ' -f1)
pgot=$(grep -o '[0-9]* received' "$SEC_DIR/ping.out" | cut -d' ' -f1)
assert_num "$((${pgot:-0} * 2))" -ge "${psent:-1}" "ping replies during the flood, at least half ($pgot of $psent)"
assert_num "$during" -gt 0 "a -> b during (Mbit/s)"
assert_ping a 10.0.0.2
result 77-sec-malformed-flood before_mbps=$before during_mbps=$during during_pct=$(pct "$during" "$before") \
  drops=$drops reasons=$nreasons ping_lost=$((psent - pgot))/$psent
t_pass
