#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 13-mac-flood - 100,000 random source MACs from one port: the MAC table stays within
# fdb_max, the other ports' entries survive (per-port fair eviction), and traffic between
# the other ports keeps flowing during and after the flood.
#
#   ns f: mac_flood (AF_PACKET, 100000 frames at 40 kpps,       ns a 10.0.0.1     ns b 10.0.0.2
#         random sources, unknown unicast dst)            |                 |
#        |                                               pa                pb
#       pf                                                |                 |
#   +----|------------------------------------------------|-----------------|----+
#   |                 vnetd switch sw0  fdb_max=4096                             |
#   +----------------------------------------------------------------------------+
. "$(dirname "$0")/../lib.sh"
require_tool mac_flood

MAX=4096
ns_add f a b
vnetd_start
vctl switch/add sw0 fdb_max=$MAX
tap_add sw0 pf f
tap_add sw0 pa a
tap_add sw0 pb b
ns_addr a "$(ifn pa)" 10.0.0.1/24
ns_addr b "$(ifn pb)" 10.0.0.2/24
assert_ping a 10.0.0.2
assert_ping b 10.0.0.1
mac_a=$(ip -n "$(nsn a)" -j link show "$(ifn pa)" | jq -r '.[0].address')
mac_b=$(ip -n "$(nsn b)" -j link show "$(ifn pb)" | jq -r '.[0].address')
assert_eq "$(json_get "$(vctlj switch/list)" '.[] | select(.name == "sw0") | .fdb_max')" $MAX "fdb_max"

step "flood 100000 random source MACs from f, with a pinging b meanwhile"
# ip netns exec execs ping, so $BG_PID is ping's and SIGINT makes it print its summary.
bg_run ip netns exec "$(nsn a)" ping -n -q -i 0.1 -w 200 10.0.0.2 >"$T_DIR/ping.out" 2>&1
ping_pid=$BG_PID
sleep 0.5
# Paced at 40 kpps: unpaced, the tap's queue in the kernel drops most frames
# before vnetd sees them, and the test is about what vnetd does with them.
bg_run in_ns f "$TOOLS/mac_flood" -i "$(ifn pf)" -n 100000 -r 40000 -t 90
flood_pid=$BG_PID
max_seen=0
for ((i = 0; i < 600; i++)); do
  n=$(json_get "$(vctlj stats/show sw0)" '.fdb.entries')
  [ "$n" -gt "$max_seen" ] && max_seen=$n
  [ "$n" -le $MAX ] || fail "fdb has $n entries, over fdb_max $MAX"
  kill -0 $flood_pid 2>/dev/null || break
  sleep 0.2
done
wait $flood_pid || fail "mac_flood failed"
echo "largest table seen during the flood: $max_seen entries"
# Let the ping run a few seconds past the flood, then read its summary.
sleep 2
kill -INT $ping_pid 2>/dev/null || true
wait $ping_pid 2>/dev/null || true

j=$(vctlj stats/show sw0)
echo "fdb: $(json_get "$j" '.fdb' | tr -d ' \n')"
echo "pf: rx_packets $(json_get "$j" '.ports[] | select(.name == "pf") | .rx_packets')," \
  "drops $(json_get "$j" '.ports[] | select(.name == "pf") | .drops_total')"
step "the table is bounded and the flood really filled it"
assert_num "$(json_get "$j" '.fdb.entries')" -le $MAX "fdb entries after the flood"
assert_num "$(fdb_count sw0)" -le $MAX "fdb/show entries after the flood"
assert_num "$(json_get "$j" '.fdb.evictions')" -gt 0 "evictions (the table did fill up)"
assert_num "$(json_get "$j" '.ports[] | select(.name == "pf") | .rx_packets')" -ge 50000 \
  "flood frames that reached the switch (of 100000 sent)"
assert_num "$(json_get "$j" '.fdb.learned')" -ge 50000 "addresses learned (each flood frame has a new one)"

step "the other ports' entries survived (per-port fair eviction)"
assert_eq "$(fdb_port sw0 "$mac_a" 0)" pa "a's MAC still on pa"
assert_eq "$(fdb_port sw0 "$mac_b" 0)" pb "b's MAC still on pb"

step "traffic kept flowing during the flood and flows after it"
cat "$T_DIR/ping.out"
sent=$(grep -o '[0-9]* packets transmitted' "$T_DIR/ping.out" | cut -d' ' -f1)
got=$(grep -o '[0-9]* received' "$T_DIR/ping.out" | cut -d' ' -f1)
assert_num "${sent:-0}" -ge 10 "pings sent during the flood"
assert_num "$((${got:-0} * 2))" -ge "$sent" "replies during the flood (at least half of $sent)"
assert_ping a 10.0.0.2 10
assert_ping b 10.0.0.1

t_pass
