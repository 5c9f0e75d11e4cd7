#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 94-mirror-persist - mirrors survive a restart and a crash; deleting a mirror's output
# port makes the mirror inactive (it stays configured, forwarding goes on, vnetd is
# fine) and adding the port back revives it; mirror/list counts; a bad mirror in a
# --config file is refused with file, field and reason.
#
#       d1 access 10    d2 access 10    dm (dummy): s1's output     (no port in VLAN 99)
#   +----|---------------|---------------|------------------------------------------+
#   |            vnetd switch sw0: s1 ingress=d1 -> dm, r1 vlans=10 -> VLAN 99       |
#   +--------------------------------------------------------------------------------+
. "$(dirname "$0")/../lib.sh"

vnetd_start
vctl switch/add sw0
dummy_add sw0 d1 tag=10
dummy_add sw0 d2 tag=10
dummy_add sw0 dm
vctl mirror/add sw0 s1 ingress=d1 output=dm snaplen=128
vctl mirror/add sw0 r1 vlans=10 output_vlan=99

SRC=02:00:00:00:94:01
# send - one broadcast from d1 (payload 200 bytes, so snaplen cuts it)
send() {
  inject sw0 d1 "$(frame ff:ff:ff:ff:ff:ff $SRC - 88b5 200)"
}
mir() {
  vctlj mirror/list sw0 | jq -r "[.[] | select(.name == \"$1\")][0].$2"
}

step "a frame from d1: forwarded once to d2, mirrored once to dm (cut to 128 bytes)"
send
assert_eq "$(capture_count sw0 d2)" 1 "frames on d2"
out=$(capture sw0 dm)
assert_eq "$(echo "$out" | grep -c .)" 1 "copies on dm"
assert_eq "$((${#out} / 2))" 128 "bytes of the copy (snaplen=128)"
assert_eq "$(mir s1 packets)" 1 "s1 packets"
assert_eq "$(mir s1 truncated)" 1 "s1 truncated"
assert_eq "$(mir r1 packets)" 1 "r1 packets (VLAN 99 has no port yet: nothing sent)"

step "deleting the output port: s1 goes inactive, forwarding goes on"
vctl port/del sw0 dm
assert_eq "$(mir s1 active)" false "s1 active after its output port is deleted"
mir s1 state | grep -q "output port dm does not exist" || fail "s1 state: $(mir s1 state)"
send
send
assert_eq "$(capture_count sw0 d2)" 2 "frames on d2 with s1 inactive"
assert_eq "$(mir s1 packets)" 1 "s1 packets while inactive"
assert_vnetd_alive
vctl config/show | jq -e '.switches[0].mirrors | map(.name) == ["s1", "r1"]' >/dev/null ||
  fail "config/show lost a mirror: $(vctl config/show | jq -c .switches[0].mirrors)"

step "adding a port named dm back revives s1"
dummy_add sw0 dm
assert_eq "$(mir s1 active)" true "s1 active again"
send
assert_eq "$(capture_count sw0 dm)" 1 "copies on the new dm"

snapshot() {
  vctlj mirror/list sw0 | jq -cS '[.[] | {name, options, state, active, snaplen}]'
}
before=$(snapshot)
echo "$before"

step "clean restart: the mirrors come back, and work"
vnetd_stop
vnetd_start
assert_eq "$(snapshot)" "$before" "mirrors after SIGTERM + restart"
send
assert_eq "$(capture_count sw0 dm)" 1 "copies on dm after the restart"
assert_eq "$(mir s1 packets)" 1 "s1 counts from zero after a restart"

step "crash restart (kill -9)"
vctl mirror/del sw0 r1
before=$(snapshot)
vnetd_kill9
vnetd_start
assert_eq "$(snapshot)" "$before" "mirrors after kill -9 + restart"

step "a bad mirror in --config is refused with file, field and reason"
bad=$T_DIR/bad.json
vctl config/show | jq '.switches[0].mirrors[0].options.output_vlan = "5000"' >"$bad"
vnetd_stop
vnetd_start --config "$bad"
grep -E "bad\.json: switches\[0\]\.mirrors\[0\]\.options\.output_vlan: .*4094" "$VNETD_LOG" ||
  fail "no error naming the file, the field and the reason in vnetd's log"
assert_eq "$(snapshot)" "$before" "mirrors after a refused --config"
t_pass
