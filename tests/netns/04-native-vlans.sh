#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 04-native-vlans - native-untagged and native-tagged ports behave as in Open vSwitch:
# untagged (and priority-tagged) frames join the native VLAN; on egress the native VLAN
# leaves untagged on native-untagged and tagged on native-tagged; other trunk VLANs are
# tagged on both. (VLAN subinterfaces: kernel ones, or tests/tools/vlan_subif.)
#
#   ns nu: vt<ID>-nu 10.0.10.1 (untagged)    ns nt: vt<ID>-nt (untagged, for learning only)
#          vt<ID>-nu.20 10.0.20.1                   vt<ID>-nt.10 10.0.10.3
#                  |                                vt<ID>-nt.20 10.0.20.3
#                  |                                       |
#        nu native-untagged tag=10 trunks=20     nt native-tagged tag=10 trunks=20
#   +--------------|---------------------------------------|--------------------+
#   |                              vnetd switch sw0                             |
#   |    dummy ports: dnu (native-untagged 10, trunks 20), dnt (native-tagged   |
#   |    10, trunks 20), d10 (access 10), d20 (access 20)                       |
#   +------|------------------------|-------------------------------------------+
#      pa access 10             pb access 20
#          |                        |
#   ns a 10.0.10.2           ns b 10.0.20.2
. "$(dirname "$0")/../lib.sh"

ns_add nu nt a b
vnetd_start
vctl switch/add sw0
tap_add sw0 nu nu vlan_mode=native-untagged tag=10 trunks=20
tap_add sw0 nt nt vlan_mode=native-tagged tag=10 trunks=20
tap_add sw0 pa a vlan_mode=access tag=10
tap_add sw0 pb b vlan_mode=access tag=20
dnu=$(ifn nu) dnt=$(ifn nt)
ns_addr nu "$dnu" 10.0.10.1/24
vlan_subif nu "$dnu" 20
ns_addr nu "$dnu.20" 10.0.20.1/24
for v in 10 20; do
  vlan_subif nt "$dnt" $v
  ns_addr nt "$dnt.$v" 10.0.$v.3/24
done
ns_addr a "$(ifn pa)" 10.0.10.2/24
ns_addr b "$(ifn pb)" 10.0.20.2/24

step "port/list shows the modes"
assert_eq "$(port_field sw0 nu vlan_mode)" native-untagged "nu vlan_mode"
assert_eq "$(port_field sw0 nt vlan_mode)" native-tagged "nt vlan_mode"
assert_eq "$(port_field sw0 nt tag)" 10 "nt native VLAN"

step "native-untagged: untagged traffic is VLAN 10 both ways (the base interface answers)"
assert_ping a 10.0.10.1
step "native-untagged: VLAN 20 is tagged both ways (the .20 subinterface answers)"
assert_ping b 10.0.20.1
step "native-tagged: VLAN 10 leaves tagged (the .10 subinterface answers)"
assert_ping a 10.0.10.3
step "native-tagged: VLAN 20 leaves tagged"
assert_ping b 10.0.20.3
step "between the two native ports, VLAN 10 and VLAN 20"
assert_ping nu 10.0.10.3
assert_ping nu 10.0.20.3

step "an untagged frame on the native-tagged port joins VLAN 10"
require_tool raw_send
in_ns nt "$TOOLS/raw_send" -i "$dnt" "$(frame ff:ff:ff:ff:ff:ff 02:00:00:00:04:01)"
wait_for '[ "$(fdb_port sw0 02:00:00:00:04:01 10)" = nt ]' 5 ||
  fail "untagged frame from nt not learned in VLAN 10 (fdb: $(vctl fdb/show sw0 | tr '\n' ' '))"
echo "ok: learned in VLAN 10 on nt"

step "a priority-tagged (VID 0) frame on the native-untagged port joins VLAN 10"
in_ns nu "$TOOLS/raw_send" -i "$dnu" "$(frame ff:ff:ff:ff:ff:ff 02:00:00:00:04:02 0)"
wait_for '[ "$(fdb_port sw0 02:00:00:00:04:02 10)" = nu ]' 5 ||
  fail "priority-tagged frame from nu not learned in VLAN 10"
echo "ok: learned in VLAN 10 on nu"

step "VLAN 30 is not allowed on either native port"
before=$(port_drop sw0 nu vlan_not_allowed)
in_ns nu "$TOOLS/raw_send" -i "$dnu" "$(frame ff:ff:ff:ff:ff:ff 02:00:00:00:04:03 30)"
wait_for "[ \$(port_drop sw0 nu vlan_not_allowed) -gt $before ]" 5 ||
  fail "VLAN 30 frame on nu not counted as vlan_not_allowed"
echo "ok: vlan_not_allowed counted on nu"

step "exact egress tags, checked on dummy ports"
dummy_add sw0 dnu vlan_mode=native-untagged tag=10 trunks=20
dummy_add sw0 dnt vlan_mode=native-tagged tag=10 trunks=20
dummy_add sw0 d10 vlan_mode=access tag=10
dummy_add sw0 d20 vlan_mode=access tag=20
for p in dnu dnt d10 d20; do capture sw0 $p >/dev/null; done
# A broadcast in VLAN 10 from d10, one in VLAN 20 from d20.
inject sw0 d10 "$(frame ff:ff:ff:ff:ff:ff 02:00:00:00:05:10)"
inject sw0 d20 "$(frame ff:ff:ff:ff:ff:ff 02:00:00:00:05:20)"
tags() { capture_src sw0 "$1" "$2" | while read -r f; do frame_vlan "$f"; done | tr '\n' ' '; }
# capture_src consumes the whole queue, so take each port's frames once.
cap_dnu=$(capture sw0 dnu)
cap_dnt=$(capture sw0 dnt)
vlans_of() {
  echo "$1" | while read -r f; do
    if [ "${f:12:12}" = "$2" ]; then frame_vlan "$f"; fi
  done | tr '\n' ' '
}
assert_eq "$(vlans_of "$cap_dnu" 020000000510)" "- " "VLAN 10 leaves the native-untagged port untagged"
assert_eq "$(vlans_of "$cap_dnu" 020000000520)" "20 " "VLAN 20 leaves the native-untagged port tagged"
assert_eq "$(vlans_of "$cap_dnt" 020000000510)" "10 " "VLAN 10 leaves the native-tagged port tagged"
assert_eq "$(vlans_of "$cap_dnt" 020000000520)" "20 " "VLAN 20 leaves the native-tagged port tagged"
# Untagged into the native-tagged port reaches the access-10 port untagged, and not VLAN 20.
capture sw0 d10 >/dev/null
capture sw0 d20 >/dev/null
inject sw0 dnt "$(frame ff:ff:ff:ff:ff:ff 02:00:00:00:05:01)"
assert_eq "$(tags d10 02:00:00:00:05:01)" "- " "untagged frame from the native-tagged port, seen on access 10"
assert_eq "$(tags d20 02:00:00:00:05:01)" "" "nothing leaked into VLAN 20"

t_pass
