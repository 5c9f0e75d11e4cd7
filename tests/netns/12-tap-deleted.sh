#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 12-tap-deleted - a tap device deleted from under vnetd ("ip link del"): its port goes
# down with a reason in port/list, the other ports keep forwarding, and the port can be
# deleted and re-added.
#
#   ns a 10.0.0.1     ns b 10.0.0.2     ns c 10.0.0.3
#        |                 |                 |  <- "ip link del" here
#       pa                pb                pc
#   +----|-----------------|-----------------|----+
#   |            vnetd switch sw0                 |
#   +---------------------------------------------+
. "$(dirname "$0")/../lib.sh"

ns_add a b c
vnetd_start
vctl switch/add sw0
tap_add sw0 pa a
tap_add sw0 pb b
tap_add sw0 pc c
ns_addr a "$(ifn pa)" 10.0.0.1/24
ns_addr b "$(ifn pb)" 10.0.0.2/24
ns_addr c "$(ifn pc)" 10.0.0.3/24
assert_ping a 10.0.0.3
assert_ping a 10.0.0.2

step "delete c's tap device from under vnetd"
bg_run in_ns a ping -n -q -i 0.1 -w 60 10.0.0.2
in_ns c ip link del "$(ifn pc)"
wait_for '[ "$(port_field sw0 pc state)" = down ]' 10 ||
  fail "pc not reported down: $(vctl port/list sw0 | tr '\n' ' ')"
reason=$(port_field sw0 pc down_reason)
assert_ne "$reason" "" "pc down_reason"
vctl port/list sw0

step "the other ports are unaffected"
assert_ping a 10.0.0.2 10
assert_ping b 10.0.0.1
assert_eq "$(port_field sw0 pa state)" up "pa state"
assert_eq "$(port_field sw0 pb state)" up "pb state"
step "traffic towards the dead port goes nowhere, harmlessly"
assert_no_ping a 10.0.0.3
vctl fdb/show sw0
echo "drops on pc: $(vctlj stats/show sw0 | jq -c '.ports[] | select(.name == "pc") | .drops | with_entries(select(.value > 0))')"
assert_vnetd_alive
assert_ping b 10.0.0.1

step "the dead port can be deleted and re-added"
vctl port/del sw0 pc
assert_eq "$(port_field sw0 pc state)" "" "pc gone from port/list"
tap_add sw0 pc c
ns_addr c "$(ifn pc)" 10.0.0.3/24
assert_ping c 10.0.0.1

t_pass
