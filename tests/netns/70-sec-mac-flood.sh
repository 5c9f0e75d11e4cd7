#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vnet-test: serial
# 70-sec-mac-flood - two VMs flood random source MACs at once: f1 has mac_limit=16, f2 has
# no limit. f1 never holds more than 16 entries (the rest counted as mac_limit drops); f2
# fills the table to fdb_max, and fair eviction takes only f2's own entries, so the victims'
# entries survive and the victims' TCP throughput and pings go on.
#
#   ns f1 mac_flood      ns f2 mac_flood        ns a 10.0.0.1    ns b 10.0.0.2 (iperf3 -s)
#    | pf1 mac_limit=16   | pf2                   | pa             | pb
#   +|--------------------|-----------------------|----------------|-----------+
#   |                 vnetd switch sw0 fdb_max=2048                            |
#   +-----------------------------------------------------------------------+
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_sec.sh"
require_tool mac_flood

MAX=2048
LIMIT=16
ns_add f1 f2 a b
vnetd_start
vctl switch/add sw0 fdb_max=$MAX
tap_add sw0 pf1 f1 mac_limit=$LIMIT
tap_add sw0 pf2 f2
tap_add sw0 pa a
tap_add sw0 pb b
ns_addr a "$(ifn pa)" 10.0.0.1/24
ns_addr b "$(ifn pb)" 10.0.0.2/24
assert_ping a 10.0.0.2
mac_a=$(mac_of a "$(ifn pa)")
mac_b=$(mac_of b "$(ifn pb)")
iperf_srv b

step "victim throughput before the attack"
before=$(tput a 10.0.0.2 2)
assert_num "$before" -gt 0 "a -> b before (Mbit/s)"

step "flood: f1 and f2 send 30000 random source MACs each"
bg_run in_ns f1 "$TOOLS/mac_flood" -i "$(ifn pf1)" -n 30000 -r 15000 -t 20 -s 1
p1=$BG_PID
bg_run in_ns f2 "$TOOLS/mac_flood" -i "$(ifn pf2)" -n 30000 -r 15000 -t 20 -s 2
p2=$BG_PID
bg_run ip netns exec "$(nsn a)" ping -n -q -i 0.1 -w 60 10.0.0.2 >"$SEC_DIR/ping.out" 2>&1
ping_pid=$BG_PID
during=$(tput a 10.0.0.2 2)
max_f1=0
for ((i = 0; i < 200; i++)); do
  j=$(vctlj fdb/show sw0)
  n=$(json_get "$j" '[.[] | select(.port == "pf1")] | length')
  [ "$n" -gt "$max_f1" ] && max_f1=$n
  [ "$(json_get "$j" 'length')" -le $MAX ] || fail "fdb over fdb_max $MAX"
  kill -0 $p1 2>/dev/null || kill -0 $p2 2>/dev/null || break
  sleep 0.1
done
wait $p1 || fail "mac_flood f1 failed"
wait $p2 || fail "mac_flood f2 failed"
kill -INT $ping_pid 2>/dev/null || true
wait $ping_pid 2>/dev/null || true

step "mac_limit held on f1, fair eviction on f2, the victims' entries survived"
j=$(vctlj stats/show sw0)
assert_num "$max_f1" -le $LIMIT "most entries f1 ever held"
assert_num "$(json_get "$(vctlj fdb/show sw0)" '[.[] | select(.port == "pf1")] | length')" -eq $LIMIT "f1 entries now"
assert_num "$(port_drop sw0 pf1 mac_limit)" -ge 5000 "mac_limit drops on pf1 (of 30000 sent)"
assert_num "$(json_get "$j" '.fdb.evictions')" -gt 0 "evictions (f2 filled the table)"
assert_num "$(json_get "$j" '.fdb.entries')" -le $MAX "fdb entries"
assert_eq "$(fdb_port sw0 "$mac_a" 0)" pa "a's MAC still on pa"
assert_eq "$(fdb_port sw0 "$mac_b" 0)" pb "b's MAC still on pb"
assert_eq "$(port_drop sw0 pa mac_limit)" 0 "no drops charged to the victim"

step "the victims kept working"
cat "$SEC_DIR/ping.out"
sent=$(grep -o '[0-9]* packets transmitted' "$SEC_DIR/ping.out" | cut -d' ' -f1)
got=$(grep -o '[0-9]* received' "$SEC_DIR/ping.out" | cut -d' ' -f1)
assert_num "$((${got:-0} * 10))" -ge "$((${sent:-1} * 9))" "ping replies during the flood ($got of $sent)"
assert_num "$during" -gt 0 "a -> b during (Mbit/s)"
after=$(tput a 10.0.0.2 2)
assert_num "$after" -gt 0 "a -> b after (Mbit/s)"
result 70-sec-mac-flood before_mbps=$before during_mbps=$during after_mbps=$after \
  during_pct=$(pct "$during" "$before") ping_lost=$((sent - got))/$sent f1_max_entries=$max_f1
assert_vnetd_alive
t_pass
