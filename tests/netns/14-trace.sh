#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 14-trace - "vnetctl trace" shows every forwarding decision for a synthetic frame
# (parse, VLAN, learn, lookup or flood, per-output tagging) without changing any state.
#
#   ns a (tap pa, access 10)
#        |
#   +----|-----------------------------------------------------+
#   |   pa    d10 (access 10)   d20 (access 20)   t (trunk)    | vnetd switch sw0
#   +----------------------------------------------------------+
. "$(dirname "$0")/../lib.sh"

ns_add a
vnetd_start
vctl switch/add sw0
tap_add sw0 pa a tag=10
dummy_add sw0 d10 tag=10
dummy_add sw0 d20 tag=20
dummy_add sw0 t vlan_mode=trunk trunks=10,20

S=02:00:00:00:14:01
D=02:00:00:00:14:02
# outputs JSON - "port:vlan-or-untagged ..." of a trace's outputs, sorted
outputs() { json_get "$1" '[.outputs[] | "\(.port):\(if .tagged then .vlan else "-" end)"] | sort | join(" ")'; }

step "unknown unicast from d10: learn would happen, flood in VLAN 10"
vctl trace sw0 d10 src=$S dst=$D
j=$(vctlj trace sw0 d10 src=$S dst=$D)
lines=$(json_get "$j" '.lines | join("\n")')
echo "$lines" | grep -q "^parse:" || fail "no parse line"
echo "$lines" | grep -q "^vlan:.*VLAN 10" || fail "no VLAN decision"
echo "$lines" | grep -q "^learn:.*would be learned on port d10" || fail "no learn decision"
echo "$lines" | grep -qi "^lookup:.*unknown.*flood" || fail "no flood decision"
assert_eq "$(outputs "$j")" "pa:- t:10" "flood outputs (d20 not in VLAN 10, never back to d10)"
assert_eq "$(json_get "$j" .dropped)" false "dropped"
assert_eq "$(fdb_port sw0 $S 10)" "" "trace learned nothing"
assert_num "$(port_stat sw0 d10 rx_packets)" -eq 0 "trace counted nothing"

step "after real learning, the lookup finds the port"
inject sw0 d20 "$(frame ff:ff:ff:ff:ff:ff $D)"
inject sw0 t "$(frame ff:ff:ff:ff:ff:ff $D 10)"
j=$(vctlj trace sw0 d10 src=$S dst=$D)
json_get "$j" '.lines[]'
json_get "$j" '.lines | join("\n")' | grep -q "^lookup:.*-> port t" || fail "no lookup hit on t"
assert_eq "$(outputs "$j")" "t:10" "known unicast output"

step "a tagged frame on an access port is dropped, and the trace says why"
j=$(vctlj trace sw0 d10 src=$S dst=$D vlan=20)
json_get "$j" '.lines[]'
assert_eq "$(json_get "$j" .dropped)" true "dropped"
assert_eq "$(json_get "$j" .drop_reason)" tagged_on_access "drop reason"

step "a station move is shown as such"
j=$(vctlj trace sw0 d10 src=$D dst=$S)
json_get "$j" '.lines | join("\n")' | grep -q "^learn:.*would move from port t to d10" ||
  fail "no move decision: $(json_get "$j" '.lines | join(" | ")')"

step "a raw hex frame on the tap port: broadcast ARP"
arp="ffffffffffff$(mac_hex $S)0806000108000604000102000000140a0000000100000000000a000002"
j=$(vctlj trace sw0 pa "$arp")
json_get "$j" '.lines[]'
assert_eq "$(outputs "$j")" "d10:- t:10" "broadcast outputs from pa"
json_get "$j" '.lines | join("\n")' | grep -q "^lookup:.*flood" || fail "no flood line for a broadcast"

step "bad trace requests get one-line errors"
for args in "sw0 d10 src=$S" "sw0 nosuch src=$S dst=$D" "sw0 d10 src=zz dst=$D" "sw0 d10 0x12zz" \
  "nosuch d10 src=$S dst=$D" "sw0 d10 src=$S dst=$D vlan=5000" "sw0 d10 src=$S dst=$D colour=red"; do
  rc=0
  err=$(vctl trace $args 2>&1 >/dev/null) || rc=$?
  assert_num $rc -ne 0 "trace $args fails ($err)"
done

step "a runt: refused with a reason, or traced as a runt drop"
rc=0
j=$(vctlj trace sw0 d10 0102 2>&1) || rc=$?
if [ $rc -ne 0 ]; then
  assert_eq "$(echo "$j" | wc -l)" 1 "one-line error for a 2-byte frame ($j)"
else
  assert_eq "$(json_get "$j" .dropped)" true "2-byte frame dropped"
  assert_eq "$(json_get "$j" .drop_reason)" runt "2-byte frame drop reason"
fi

t_pass
