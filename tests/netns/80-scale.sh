#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vnet-test: serial
# 80-scale - many ports on one switch, many switches, many MAC entries: every one is
# listed, memory grows by a bounded amount per port, per switch and per MAC entry, and
# adding a port stays fast when the switch is full. Sizes come from the environment, so
# bench/scale.sh runs the big version (1,000 ports, 100 switches, 100,000 MACs) with the
# same script; the test suite runs a smaller one.
#
#   switch s0: SCALE_PORTS dummy ports           switches x0..x(SCALE_SWITCHES-1): one dummy each
#   switch m0 fdb_max=2*SCALE_MACS: tap pf <- ns f: mac_flood, SCALE_MACS random source MACs
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_sec.sh"
require_tool mac_flood

PORTS=${SCALE_PORTS:-200}
SWITCHES=${SCALE_SWITCHES:-20}
MACS=${SCALE_MACS:-20000}
# generous bounds: a loaded 2-core machine, an ASan build
MAX_PORT_KB=${SCALE_MAX_PORT_KB:-256}
MAX_SWITCH_KB=${SCALE_MAX_SWITCH_KB:-4096}
MAX_MAC_B=${SCALE_MAX_MAC_B:-512}
MAX_ADD_MS=${SCALE_MAX_ADD_MS:-500}
if grep -q __asan_init "$VNETD"; then
  # redzones and the free quarantine: the figures are ASan's, not vnetd's; keep the
  # bounds only as a runaway check
  MAX_PORT_KB=$((MAX_PORT_KB * 8)) MAX_SWITCH_KB=$((MAX_SWITCH_KB * 8)) MAX_MAC_B=$((MAX_MAC_B * 8))
  echo "ASan build: memory bounds x8"
fi

rss_kb() {
  awk '/^VmRSS:/ { print $2 }' "/proc/$VNETD_PID/status"
}
now_ms() {
  date +%s%3N
}

ns_add f
vnetd_start
rss0=$(rss_kb)

step "$PORTS dummy ports on switch s0"
vctl switch/add s0
t0=$(now_ms)
for ((i = 0; i < PORTS; i++)); do
  vctl port/add s0 "d$i" type=dummy >/dev/null || fail "port/add s0 d$i failed"
done
t1=$(now_ms)
rss1=$(rss_kb)
# the cost of one more port on a full switch (the save of the whole config included)
t2=$(now_ms)
vctl port/add s0 last type=dummy
last_ms=$(($(now_ms) - t2))
vctl port/del s0 last
assert_eq "$(vctlj port/list s0 | jq length)" $PORTS "ports listed on s0"
port_ms=$(((t1 - t0) / PORTS))
port_kb=$(((rss1 - rss0) / PORTS))
echo "ports: $PORTS in $((t1 - t0)) ms ($port_ms ms each), the next one $last_ms ms; RSS +$((rss1 - rss0)) KiB ($port_kb KiB each)"

step "$SWITCHES switches with one port each"
rss2=$(rss_kb)
t0=$(now_ms)
for ((i = 0; i < SWITCHES; i++)); do
  vctl switch/add "x$i" >/dev/null || fail "switch/add x$i failed"
  vctl port/add "x$i" p type=dummy >/dev/null || fail "port/add x$i p failed"
done
t1=$(now_ms)
rss3=$(rss_kb)
assert_eq "$(vctlj switch/list | jq length)" $((SWITCHES + 1)) "switches listed"
switch_ms=$(((t1 - t0) / SWITCHES))
switch_kb=$(((rss3 - rss2) / SWITCHES))
echo "switches: $SWITCHES in $((t1 - t0)) ms ($switch_ms ms each with its port); RSS +$((rss3 - rss2)) KiB ($switch_kb KiB each)"

step "$MACS MAC entries"
vctl switch/add m0 fdb_max=$((MACS * 2))
tap_add m0 pf f
rss4=$(rss_kb)
# the same seed each pass: frames the tap's queue dropped (a slow, e.g. ASan, build) come again
for ((pass = 0; pass < 4; pass++)); do
  in_ns f "$TOOLS/mac_flood" -i "$(ifn pf)" -n "$MACS" -r 25000 -t 60 -s 80 >/dev/null
  wait_for "[ \$(json_get \"\$(vctlj stats/show m0)\" .fdb.entries) -ge $((MACS * 9 / 10)) ]" 5 && break
done
[ "$(json_get "$(vctlj stats/show m0)" .fdb.entries)" -ge $((MACS * 9 / 10)) ] ||
  fail "only $(json_get "$(vctlj stats/show m0)" .fdb.entries) of $MACS MACs learned"
entries=$(json_get "$(vctlj stats/show m0)" .fdb.entries)
rss5=$(rss_kb)
mac_b=$(((rss5 - rss4) * 1024 / entries))
echo "MACs: $entries entries; RSS +$((rss5 - rss4)) KiB ($mac_b bytes each, table preallocated for $((MACS * 2)))"

step "bounds"
assert_num "$port_kb" -le "$MAX_PORT_KB" "KiB per port"
assert_num "$switch_kb" -le "$MAX_SWITCH_KB" "KiB per switch"
assert_num "$mac_b" -le "$MAX_MAC_B" "bytes per MAC entry"
assert_num "$last_ms" -le "$MAX_ADD_MS" "ms to add port $((PORTS + 1))"
result 80-scale ports=$PORTS port_add_ms=$port_ms port_add_full_ms=$last_ms port_kb=$port_kb \
  switches=$SWITCHES switch_add_ms=$switch_ms switch_kb=$switch_kb macs=$entries mac_bytes=$mac_b \
  rss_total_kb=$(rss_kb)
assert_vnetd_alive
t_pass
