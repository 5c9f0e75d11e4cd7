#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 05-aging - learned MAC entries age out after the switch's aging time; static ones stay.
#
#   ns a 10.0.0.1      ns b 10.0.0.2
#        |                  |
#       pa (tap)           pb (tap)         d1, d2 (dummy)
#   +----|------------------|------------------|------|-----+
#   |          vnetd switch sw0  aging=2 s                  |
#   +-------------------------------------------------------+
. "$(dirname "$0")/../lib.sh"

ns_add a b
vnetd_start
vctl switch/add sw0 aging=2
tap_add sw0 pa a
tap_add sw0 pb b
dummy_add sw0 d1
dummy_add sw0 d2
ns_addr a "$(ifn pa)" 10.0.0.1/24
ns_addr b "$(ifn pb)" 10.0.0.2/24
assert_eq "$(json_get "$(vctlj switch/list)" '.[] | select(.name == "sw0") | .aging')" 2 "aging in switch/list"

step "a synthetic station is learned, then forgotten after ~2 s"
inject sw0 d1 "$(frame ff:ff:ff:ff:ff:ff 02:00:00:00:05:01)"
assert_eq "$(fdb_port sw0 02:00:00:00:05:01 0)" d1 "learned on d1"
t0=$(date +%s%N)
wait_for '[ -z "$(fdb_port sw0 02:00:00:00:05:01 0)" ]' 8 || fail "entry still present 8 s later"
ms=$((($(date +%s%N) - t0) / 1000000))
echo "entry gone after ${ms} ms"
assert_num $ms -ge 1500 "not aged before the aging time"
assert_num $ms -le 5000 "aged within aging time + timer granularity"
assert_num "$(json_get "$(vctlj stats/show sw0)" '.fdb.aged')" -ge 1 "fdb aged counter"

step "a static entry does not age"
vctl fdb/add sw0 02:00:00:00:05:02 0 d2
sleep 4
assert_eq "$(fdb_port sw0 02:00:00:00:05:02 0)" d2 "static entry after 4 s"
assert_eq "$(json_get "$(vctlj fdb/show sw0)" '.[] | select(.mac == "02:00:00:00:05:02") | .static')" true "static flag"

step "a station that keeps talking is refreshed and stays"
for _ in 1 2 3 4 5 6 7 8; do
  inject sw0 d1 "$(frame ff:ff:ff:ff:ff:ff 02:00:00:00:05:03)"
  sleep 0.5
done
assert_eq "$(fdb_port sw0 02:00:00:00:05:03 0)" d1 "refreshed entry after 4 s of traffic"

step "tap stations age out too once they go quiet"
assert_ping a 10.0.0.2
mac_a=$(ip -n "$(nsn a)" -j link show "$(ifn pa)" | jq -r '.[0].address')
# Silence a: no more IPv6 autoconfiguration chatter or pings.
in_ns a ip link set "$(ifn pa)" down
wait_for '[ -z "$(fdb_port sw0 '"$mac_a"' 0)" ]' 8 || fail "a's MAC did not age out"
echo "ok: a's MAC aged out"

step "switch/set changes the aging time at run time"
vctl switch/set sw0 aging=600
assert_eq "$(json_get "$(vctlj switch/list)" '.[] | select(.name == "sw0") | .aging')" 600 "aging after switch/set"
inject sw0 d1 "$(frame ff:ff:ff:ff:ff:ff 02:00:00:00:05:04)"
sleep 4
assert_eq "$(fdb_port sw0 02:00:00:00:05:04 0)" d1 "entry kept with aging=600"

t_pass
