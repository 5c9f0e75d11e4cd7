#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 55-vxlan-vtep-restart.sh - a remote VTEP goes away and comes back: its
# remote MAC entries age out on A, nothing hangs meanwhile, and traffic and
# learning resume when it returns. Then B's vnetd is killed (-9) and
# restarted: its map and remote VTEPs come back from the saved state.
#
#   VM a1 10.10.0.1/24                        VM b1 10.10.0.2/24
#   +---------------------------+             +---------------------------+
#   | host A: vnetd sw0 aging=3 |             | host B: vnetd sw0 aging=3 |
#   | vx0 aging=3, 10<->5010    |             | vx0 aging=3, 20<->5010    |
#   +-------------+-------------+             +-------------+-------------+
#       10.200.0.1 |                                        | 10.200.0.2 (link
#   ---------------+----------------------------------------+--- goes down/up)
#                          underlay bridge "ul"
. "$(dirname "$0")/../lib.sh"

. "$(dirname "$0")/_vxlan.sh"

step "hosts A and B with 3-second aging"
underlay_add
ns_add A B
vm_add a1
vm_add b1
underlay_join A 1
underlay_join B 2
for h in A B; do
  host_start $h
  hctl $h switch/add sw0 aging=3
done
hctl A port/add sw0 vx0 type=vxlan local=10.200.0.1 aging=3
hctl A vxlan/map sw0 vlan=10 vni=5010
hctl A vxlan/remote-add sw0 vni=5010 remote=10.200.0.2
hctl B port/add sw0 vx0 type=vxlan local=10.200.0.2 aging=3
hctl B vxlan/map sw0 vlan=20 vni=5010
hctl B vxlan/remote-add sw0 vni=5010 remote=10.200.0.1
vm_plug A sw0 a1 a1 10.10.0.1/24 1450 tag=10
vm_plug B sw0 b1 b1 10.10.0.2/24 1450 tag=20
assert_ping a1 10.10.0.2
MAC_B1=$(vm_mac b1 b1)
assert_eq "$(vx_vtep_of A sw0 "$MAC_B1")" 10.200.0.2 "A learned b1 behind B"

step "B's underlay link goes down: A's entries age out, A keeps answering"
ip -n "$(nsn B)" link set "$(ifn u2)" down
assert_no_ping a1 10.10.0.2
wait_for "[ -z \"\$(vx_vtep_of A sw0 $MAC_B1)\" ]" 10 || fail "b1's remote entry did not age out"
echo "ok: b1's remote entry aged out"
wait_for "[ -z \"\$(h_fdb_port A sw0 $MAC_B1 10)\" ]" 10 || fail "b1's MAC entry did not age out"
echo "ok: b1's MAC entry aged out of the switch"
T0=$(date +%s%N)
hctl A vxlan/show sw0 >/dev/null
hctl A stats/show sw0 >/dev/null
assert_num $((($(date +%s%N) - T0) / 1000000)) -lt 2000 "control answers in ms while the VTEP is away"
assert_num "$(vx_count A sw0 macs_aged)" -ge 1 "A counted aged entries"

step "B comes back: traffic and learning resume"
ip -n "$(nsn B)" link set "$(ifn u2)" up
assert_ping a1 10.10.0.2
assert_eq "$(vx_vtep_of A sw0 "$MAC_B1")" 10.200.0.2 "A re-learned b1 behind B"

step "B's vnetd is killed (-9) and restarted: map and remotes come back"
host_kill9 B
assert_no_ping a1 10.10.0.2
host_start B
assert_eq "$(json_get "$(hctlj B vxlan/show sw0)" '[.vnis[] | select(.vni == 5010) | .vlan] | first')" \
  20 "B: VLAN 20 <-> VNI 5010 restored"
assert_eq "$(json_get "$(hctlj B vxlan/show sw0)" '.vnis[0].remotes | join(",")')" 10.200.0.1 \
  "B: remote VTEP restored"
ns_del_dev() { ip -n "$(nsn b1)" link del "$(ifn b1)" 2>/dev/null || true; }
ns_del_dev
vm_plug B sw0 b1 b1 10.10.0.2/24 1450 tag=20
assert_ping a1 10.10.0.2
assert_eq "$(vx_vtep_of A sw0 "$(vm_mac b1 b1)")" 10.200.0.2 "A learned the new b1 behind B"
for h in A B; do
  host_stop $h
done
t_pass
