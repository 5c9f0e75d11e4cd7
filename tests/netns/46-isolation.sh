#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 46-isolation - private and host-only networks are isolated from each other and from the
# host: even with addresses of the other network configured by hand, a VM cannot reach the
# other network's VMs or host port, and none of its frames (ARP included) shows up on the
# other switch. A private network has no host port; with dhcp=off no DHCP is served, and VMs
# with static addresses still talk to each other.
#
#   ns p1 (udhcpc)         ns h1 (udhcpc)          ns q1 10.86.0.11   ns q2 10.86.0.12
#      | pp                    | ph                       | pq1             | pq2
#   +--|-----------------+  +--|-------------------+  +---|-----------------|----+
#   | "pv" private       |  | "ho" host-only       |  | "pv2" private, dhcp=off   |
#   | 10.84.0.0/24       |  | 10.85.0.0/24, host .1|  | 10.86.0.0/24              |
#   +--------------------+  +----------------------+  +---------------------------+
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_svc.sh"

vnetd_start
vctl network/add pv mode=private subnet=10.84.0.0/24
vctl network/add ho mode=host-only subnet=10.85.0.0/24 ifname="$(ifn ho)"
T_LINKS+=("$(ifn ho)")
vctl network/add pv2 mode=private dhcp=off subnet=10.86.0.0/24
assert_eq "$(vctlj port/list pv | jq -r '[.[].name] | sort | join(",")')" gw "private network: gateway port only"
vm_add pv pp p1 52:54:00:46:00:01
vm_add ho ph h1 52:54:00:46:00:02
vm_add pv2 pq1 q1 52:54:00:46:00:03
vm_add pv2 pq2 q2 52:54:00:46:00:04
udhcpc_get p1 "$(ifn pp)" || fail "p1: no lease"
udhcpc_get h1 "$(ifn ph)" || fail "h1: no lease"
P1=$(lease_var p1 ip)
H1=$(lease_var h1 ip)
assert_eq "$(lease_var p1 router)" "" "private: no router"
assert_ping p1 10.84.0.2

step "private cannot reach host-only, even with its addresses configured by hand"
in_ns p1 ip addr add 10.85.0.77/24 dev "$(ifn pp)"
in_ns h1 ip addr add 10.84.0.77/24 dev "$(ifn ph)"
assert_no_ping p1 "$H1"
assert_no_ping p1 10.85.0.1
assert_no_ping h1 "$P1"
assert_eq "$(fdb_port ho 52:54:00:46:00:01 0)" "" "p1's MAC never seen on the host-only switch"
assert_eq "$(fdb_port pv 52:54:00:46:00:02 0)" "" "h1's MAC never seen on the private switch"

step "private cannot reach the host"
assert_no_ping p1 10.85.0.1
ip -4 -o addr show | awk '{ print $4 }' | cut -d/ -f1 | grep -v '^127\.' | head -n 3 | while read -r a; do
  in_ns p1 ping -c 1 -W 1 "$a" >/dev/null 2>&1 && fail "p1 reaches the host address $a"
  echo "ok: p1 does not reach the host address $a"
done

step "dhcp=off: no lease, but static addresses work"
udhcpc_get q1 "$(ifn pq1)" && fail "q1 got a lease on a dhcp=off network"
echo "ok: no lease on a dhcp=off network"
assert_eq "$(json_get "$(vctlj network/list)" '[.[] | select(.name == "pv2")][0].counters.dhcp.offer')" 0 "no offers"
ns_addr q1 "$(ifn pq1)" 10.86.0.11/24
ns_addr q2 "$(ifn pq2)" 10.86.0.12/24
assert_ping q1 10.86.0.12
assert_ping q1 10.86.0.2
assert_no_ping q1 "$P1"
assert_vnetd_alive
t_pass
