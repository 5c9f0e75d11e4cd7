#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 47-dhcp-hostile - the DHCP server under bad input: truncated messages, no magic cookie,
# options without an end option or running past the message, a malformed message type, an
# illegal overload, a client hardware address that is not the frame's source MAC, relayed
# messages: none is answered, each is counted. A VM that claims another VM's MAC from its
# own port gets nothing while the owner's port exists, and the lease once that port is gone.
# Requests for an address outside the pool or leased to another client are NAKed.
#
#   ns a (udhcpc, MAC A)        ns b (MAC A too: the spoofer; also dhcpc.py)
#        | pa                        | pb
#   +----|---------------------------|-------------+
#   |  network "hd" (private) 10.87.0.0/24         |
#   +----------------------------------------------+
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_svc.sh"
require_cmd python3

MA=52:54:00:47:00:0a
MB=52:54:00:47:00:0b

dcount() {
  json_get "$(vctlj network/list)" ".[0].counters.dhcp.$1"
}

vnetd_start
vctl network/add hd mode=private subnet=10.87.0.0/24
vm_add hd pa a $MA
vm_add hd pb b $MB
udhcpc_get a "$(ifn pa)" vm-a || fail "a: no lease"
IPA=$(lease_var a ip)

step "malformed and refused messages get no reply and are counted"
assert_eq "$(dhcpc b "$(ifn pb)" bad 52:54:00:47:00:0c | tail -n 1)" 0 "replies to bad messages"
assert_num "$(dcount malformed)" -ge 7 "malformed counted"
assert_num "$(dcount mac_mismatch)" -ge 1 "client hardware address mismatch counted"
assert_num "$(dcount relayed)" -ge 1 "relayed counted"
assert_eq "$(lease_of hd 52:54:00:47:00:0c ip)" "" "no lease from bad messages"

step "requests for addresses the client may not have are NAKed"
assert_eq "$(dhcpc b "$(ifn pb)" request 52:54:00:47:00:0d 10.87.0.10)" NAK "outside the pool"
assert_eq "$(dhcpc b "$(ifn pb)" request 52:54:00:47:00:0d "$IPA")" NAK "leased to a"
assert_eq "$(dhcpc b "$(ifn pb)" request 52:54:00:47:00:0d 10.87.0.254)" NAK "the server's own address"
assert_eq "$(dhcpc b "$(ifn pb)" request 52:54:00:47:00:0d 10.87.0.200)" ACK "a free pool address"

step "b claims a's MAC from its own port: ignored while a's port exists"
ns_mac b "$(ifn pb)" $MA
udhcpc_get b "$(ifn pb)" && fail "the spoofer got a lease: $(cat "$(lease_file b).bound")"
echo "ok: the spoofer got nothing"
assert_num "$(dcount port_mismatch)" -ge 1 "port_mismatch counted"
assert_eq "$(lease_of hd $MA port)" pa "a's lease still on pa"

step "a's port removed (the VM moved): the MAC's lease follows it to pb"
vctl port/del hd pa
udhcpc_get b "$(ifn pb)" || fail "b: no lease after pa went away"
assert_eq "$(lease_var b ip)" "$IPA" "the moved VM keeps its address"
assert_eq "$(lease_of hd $MA port)" pb "lease now on pb"
assert_vnetd_alive
t_pass
