#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 07-flood-scope - broadcast, multicast and unknown unicast flood only to ports in the
# frame's VLAN, never back out of the input port; reserved 01:80:c2:00:00:0x destinations
# are not forwarded and multicast sources are dropped.
#
#   d10a d10b (access 10)  d20 (access 20)  t10 (trunk 10)  t20 (trunk 20)  tall (trunk, all)
#     |    |                 |                |               |               |
#   +-|----|-----------------|----------------|---------------|---------------|-----+
#   |                            vnetd switch sw0                                   |
#   +-----|---------------------------|---------------------------------------------+
#        pa access 10 (tap)          pb access 20 (tap)
#         |                           |
#   ns a (silent: IPv6 off)     ns b (silent: IPv6 off)
. "$(dirname "$0")/../lib.sh"

ns_add a b
# No IPv6 autoconfiguration chatter: the tap counters below must be exact.
for n in a b; do in_ns $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1; done
vnetd_start
vctl switch/add sw0
dummy_add sw0 d10a tag=10
dummy_add sw0 d10b tag=10
dummy_add sw0 d20 tag=20
dummy_add sw0 t10 vlan_mode=trunk trunks=10
dummy_add sw0 t20 vlan_mode=trunk trunks=20
dummy_add sw0 tall vlan_mode=trunk
tap_add sw0 pa a tag=10
tap_add sw0 pb b tag=20
PORTS="d10a d10b d20 t10 t20 tall"

S=02:00:00:00:07:01
# flood_check DST: inject one frame to DST from d10a; print "port:vlan" for each copy seen
flood_check() {
  local p
  for p in $PORTS; do capture sw0 $p >/dev/null; done
  inject sw0 d10a "$(frame "$1" $S)"
  for p in $PORTS; do
    capture_src sw0 $p $S | while read -r f; do echo "$p:$(frame_vlan "$f")"; done
  done | tr '\n' ' '
}
# The copies a VLAN-10 flood must make: untagged to d10b, tagged to the trunks
# that carry VLAN 10; never to d10a itself, d20 or t20.
WANT="d10b:- t10:10 tall:10 "

step "broadcast"
tx_pa=$(port_stat sw0 pa tx_packets)
tx_pb=$(port_stat sw0 pb tx_packets)
assert_eq "$(flood_check ff:ff:ff:ff:ff:ff)" "$WANT" "copies of a VLAN 10 broadcast"
step "multicast"
assert_eq "$(flood_check 01:00:5e:00:00:fb)" "$WANT" "copies of a VLAN 10 multicast"
step "unknown unicast"
assert_eq "$(flood_check 02:00:00:00:07:99)" "$WANT" "copies of a VLAN 10 unknown unicast"
step "the tap ports saw the same: 3 frames on VLAN 10's pa, none on VLAN 20's pb"
assert_eq $(($(port_stat sw0 pa tx_packets) - tx_pa)) 3 "frames sent to pa"
assert_eq $(($(port_stat sw0 pb tx_packets) - tx_pb)) 0 "frames sent to pb"

step "a known unicast goes to one port only"
inject sw0 d10b "$(frame ff:ff:ff:ff:ff:ff 02:00:00:00:07:02)"
assert_eq "$(flood_check 02:00:00:00:07:02)" "d10b:- " "copies of a known unicast"

step "a unicast to a MAC known only in another VLAN is flooded in the frame's VLAN"
inject sw0 d20 "$(frame ff:ff:ff:ff:ff:ff 02:00:00:00:07:03)"
assert_eq "$(flood_check 02:00:00:00:07:03)" "$WANT" "copies of a unicast known only in VLAN 20"

step "reserved 01:80:c2:00:00:0x destinations are not forwarded"
for d in 01:80:c2:00:00:00 01:80:c2:00:00:03 01:80:c2:00:00:0e; do
  assert_eq "$(flood_check $d)" "" "copies of a frame to $d"
done
assert_num "$(port_drop sw0 d10a reserved_dst)" -eq 3 "reserved_dst drops on d10a"

step "a multicast source is dropped and not learned"
for p in $PORTS; do capture sw0 $p >/dev/null; done
inject sw0 d10a "$(frame ff:ff:ff:ff:ff:ff 01:00:5e:00:00:01)"
assert_num "$(port_drop sw0 d10a src_multicast)" -eq 1 "src_multicast drops on d10a"
assert_eq "$(fdb_port sw0 01:00:5e:00:00:01 10)" "" "multicast source not learned"
assert_eq "$(capture_src sw0 d10b 01:00:5e:00:00:01 | wc -l)" 0 "frame not forwarded"

t_pass
