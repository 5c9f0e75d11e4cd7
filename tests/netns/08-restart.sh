#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 08-restart - the configuration survives a clean restart (SIGTERM) and a crash (kill -9):
# switches, ports with their VLAN settings and static MAC entries come back identical,
# and traffic flows again. A --config file that does not validate is refused with the
# file, field and reason, and the last good state is kept.
#
#   ns a 10.0.0.1                 ns b 10.0.0.2
#        |                             |
#       pa access 10 (tap)            pb access 10 (tap)       d1 trunk 10,20 (dummy)
#   +----|-----------------------------|------------------------|--------+
#   |            vnetd switch sw0 (aging=100, fdb_max=5000)               |
#   +---------------------------------------------------------------------+
#   +---------------------------------------------------------------------+
#   |            vnetd switch sw1 (empty)                                 |
#   +---------------------------------------------------------------------+
. "$(dirname "$0")/../lib.sh"

ns_add a b
vnetd_start
vctl switch/add sw0 aging=100 fdb_max=5000
vctl switch/add sw1
tap_add sw0 pa a vlan_mode=access tag=10
tap_add sw0 pb b vlan_mode=access tag=10 mtu=9000
dummy_add sw0 d1 vlan_mode=trunk trunks=10,20
vctl fdb/add sw0 02:00:00:00:08:01 10 d1
vctl port/set sw0 d1 trunks=10,20,30

# attach NS PORT ADDR - after a restart the tap is new: put it back into NS
attach() {
  local dev
  dev=$(ifn "$2")
  wait_for "ip link show dev $dev || ip -n $(nsn "$1") link show dev $dev" 5 ||
    fail "tap $dev of port $2 missing after the restart"
  if ip link show dev "$dev" >/dev/null 2>&1; then
    ip link set dev "$dev" netns "$(nsn "$1")"
  fi
  in_ns "$1" ip link set dev "$dev" up
  in_ns "$1" ip addr replace "$3" dev "$dev"
}
attach a pa 10.0.0.1/24
attach b pb 10.0.0.2/24
assert_ping a 10.0.0.2

# snapshot - the configuration as the CLI shows it, without run-time state
snapshot() {
  echo "switches: $(vctlj switch/list | jq -cS '[.[] | {name, fdb_max, aging}] | sort_by(.name)')"
  echo "ports: $(vctlj port/list | jq -cS '[.[] | {switch, name, type, vlan_mode, tag, trunks, mtu, options}] | sort_by(.switch, .name)')"
  echo "static: $(vctlj fdb/show sw0 | jq -cS '[.[] | select(.static) | {mac, vlan, port}] | sort_by(.mac)')"
}
before=$(snapshot)
echo "$before"
[ -s "$T_STATE/config.json" ] || fail "no state file $T_STATE/config.json"
jq -e . "$T_STATE/config.json" >/dev/null || fail "state file is not valid JSON"

step "clean restart (SIGTERM)"
vnetd_stop
vnetd_start
assert_eq "$(snapshot)" "$before" "configuration after SIGTERM + restart"
attach a pa 10.0.0.1/24
attach b pb 10.0.0.2/24
assert_ping a 10.0.0.2
assert_eq "$(port_field sw0 pa state)" up "pa state after restart"

step "crash restart (kill -9)"
vctl port/add sw1 q1 type=dummy tag=7
before=$(snapshot)
vnetd_kill9
vnetd_start
assert_eq "$(snapshot)" "$before" "configuration after kill -9 + restart"
attach a pa 10.0.0.1/24
attach b pb 10.0.0.2/24
assert_ping a 10.0.0.2
assert_ping b 10.0.0.1

step "a bad --config file is refused with file, field and reason; the last good state is kept"
before=$(snapshot)
bad=$T_DIR/bad.json
vctl config/show | jq '.switches[0].ports[0].options.tag = "5000"' >"$bad"
vnetd_stop
vnetd_start --config "$bad"
grep -E "bad\.json: switches\[0\]\.ports\[0\]\.options\.tag: .*4094" "$VNETD_LOG" ||
  fail "no error naming the file, the field and the reason in vnetd's log"
assert_eq "$(snapshot)" "$before" "configuration after a refused --config"
attach a pa 10.0.0.1/24
attach b pb 10.0.0.2/24
assert_ping a 10.0.0.2

step "no temp files left in the state dir"
assert_eq "$(find "$T_STATE" -type f ! -name config.json | wc -l)" 0 "stray files in $T_STATE"

t_pass
