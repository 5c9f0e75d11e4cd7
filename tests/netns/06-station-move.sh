#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 06-station-move - a MAC address that shows up on another port moves there, and traffic follows.
#
#   ns a                    ns b                    ns c
#   02:00:00:00:06:01       (takes over the MAC     10.0.0.3
#   10.0.0.1 (first)         and 10.0.0.1 later)
#        |                       |                       |
#       pa (tap)                pb (tap)                pc (tap)     d1 d2 d3 (dummy)
#   +----|-----------------------|-----------------------|------------|--|--|---+
#   |                           vnetd switch sw0                                |
#   +---------------------------------------------------------------------------+
. "$(dirname "$0")/../lib.sh"

M=02:00:00:00:06:01
ns_add a b c
# IPv4 only: IPv6 neighbour discovery and MLD would flood multicast to pa
# whenever addresses change, blurring the count of frames pa gets below.
for n in a b c; do in_ns $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1; done
vnetd_start
vctl switch/add sw0
tap_add sw0 pa a
tap_add sw0 pb b
tap_add sw0 pc c
ns_mac a "$(ifn pa)" $M
ns_addr a "$(ifn pa)" 10.0.0.1/24
ns_addr c "$(ifn pc)" 10.0.0.3/24

step "the station is on pa"
assert_ping c 10.0.0.1
assert_eq "$(fdb_port sw0 $M 0)" pa "fdb entry of $M"
moves0=$(json_get "$(vctlj stats/show sw0)" '.fdb.moves')

step "the station moves to b (same MAC, same IP), as a migrated VM would"
# a gives up the address and the MAC but stays up, so frames wrongly sent
# to pa would still be counted as transmitted there.
in_ns a ip addr flush dev "$(ifn pa)"
ns_mac a "$(ifn pa)" 02:00:00:00:06:09
ns_mac b "$(ifn pb)" $M
ns_addr b "$(ifn pb)" 10.0.0.1/24
# b's first frame (an ARP request for c) teaches the switch where M is now.
in_ns b ping -c 1 -W 1 10.0.0.3 >/dev/null 2>&1 || true
wait_for '[ "$(fdb_port sw0 '$M' 0)" = pb ]' 5 ||
  fail "fdb did not follow the move: $(vctl fdb/show sw0 | tr '\n' ' ')"
echo "ok: $M now on pb"
assert_num "$(json_get "$(vctlj stats/show sw0)" '.fdb.moves')" -gt "$moves0" "fdb moves counter"

step "traffic follows: c reaches 10.0.0.1 at its new port, and none of it goes to pa"
tx_pa=$(port_stat sw0 pa tx_packets)
assert_ping c 10.0.0.1 5
tx_pa2=$(port_stat sw0 pa tx_packets)
# Unicast to M must not go to pa any more (broadcasts may: allow a few).
assert_num $((tx_pa2 - tx_pa)) -le 2 "frames sent to the old port pa during 5 pings"

step "the same with dummy ports, exactly"
dummy_add sw0 d1
dummy_add sw0 d2
dummy_add sw0 d3
X=02:00:00:00:06:02
inject sw0 d1 "$(frame ff:ff:ff:ff:ff:ff $X)"
assert_eq "$(fdb_port sw0 $X 0)" d1 "$X on d1"
inject sw0 d2 "$(frame ff:ff:ff:ff:ff:ff $X)"
assert_eq "$(fdb_port sw0 $X 0)" d2 "$X moved to d2"
capture sw0 d1 >/dev/null
capture sw0 d2 >/dev/null
inject sw0 d3 "$(frame $X 02:00:00:00:06:03)"
assert_eq "$(capture_src sw0 d2 02:00:00:00:06:03 | wc -l)" 1 "unicast to $X delivered to d2"
assert_eq "$(capture_src sw0 d1 02:00:00:00:06:03 | wc -l)" 0 "and not to d1"

step "a static entry does not move"
vctl fdb/add sw0 02:00:00:00:06:04 0 d1
inject sw0 d2 "$(frame ff:ff:ff:ff:ff:ff 02:00:00:00:06:04)"
assert_eq "$(fdb_port sw0 02:00:00:00:06:04 0)" d1 "static entry stays on d1"

t_pass
