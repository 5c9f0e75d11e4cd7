#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 51-vxlan-tenants.sh - tenant isolation over VXLAN: three tenants use the
# same IP addresses on two hosts; each VM reaches only its own tenant's peer,
# learning is per VNI (the same MAC may exist in two tenants), and a port
# with no map carries one VNI untagged (vni=).
#
#   red:   ra 10.1.0.1 (A VLAN 10)  <-- VNI 5010 -->  rb 10.1.0.2 (B VLAN 10)
#   blue:  ba 10.1.0.1 (A VLAN 20)  <-- VNI 5020 -->  bb 10.1.0.2 (B VLAN 20)
#   green: ga 10.1.0.1 (A sw1)      <-- VNI 5030 -->  gb 10.1.0.2 (B sw1)
#
#   +------------------------------+          +------------------------------+
#   | host A                       |          | host B                       |
#   |  sw0: ra(10) ba(20) vx0      |          |  sw0: rb(10) bb(20) vx0      |
#   |       vx0 10.200.0.1         |          |       vx0 10.200.0.2         |
#   |  sw1: ga vx1 10.200.0.11     |          |  sw1: gb vx1 10.200.0.12     |
#   |       (vni=5030, untagged)   |          |       (vni=5030, untagged)   |
#   +--------------+---------------+          +--------------+---------------+
#                  |          underlay bridge "ul"           |
#   ---------------+-----------------------------------------+---------------
. "$(dirname "$0")/../lib.sh"

. "$(dirname "$0")/_vxlan.sh"

step "underlay, hosts, switches"
underlay_add
ns_add A B
underlay_join A 1
underlay_join B 2
ip -n "$(nsn A)" addr add 10.200.0.11/24 dev "$(ifn u1)"
ip -n "$(nsn B)" addr add 10.200.0.12/24 dev "$(ifn u2)"
for v in ra rb ba bb ga gb; do
  vm_add $v
done
host_start A
host_start B
for h in A B; do
  hctl $h switch/add sw0
  hctl $h switch/add sw1
done
# the map and the remotes given as port options at creation
hctl A port/add sw0 vx0 type=vxlan local=10.200.0.1 map=10:5010,20:5020 \
  remotes=5010@10.200.0.2,5020@10.200.0.2 restrict=on
hctl B port/add sw0 vx0 type=vxlan local=10.200.0.2 map=10:5010,20:5020 \
  remotes=5010@10.200.0.1,5020@10.200.0.1 restrict=on
hctl A port/add sw1 vx1 type=vxlan local=10.200.0.11 vni=5030 remotes=5030@10.200.0.12
hctl B port/add sw1 vx1 type=vxlan local=10.200.0.12 vni=5030 remotes=5030@10.200.0.11

step "VMs with the same addresses in three tenants"
vm_plug A sw0 ra ra 10.1.0.1/24 1450 tag=10
vm_plug A sw0 ba ba 10.1.0.1/24 1450 tag=20
vm_plug B sw0 rb rb 10.1.0.2/24 1450 tag=10
vm_plug B sw0 bb bb 10.1.0.2/24 1450 tag=20
vm_plug A sw1 ga ga 10.1.0.1/24 1450
vm_plug B sw1 gb gb 10.1.0.2/24 1450

step "each VM reaches its own tenant's peer, and resolves it to that peer's MAC"
for t in r b g; do
  assert_ping ${t}a 10.1.0.2
  assert_ping ${t}b 10.1.0.1
  got=$(ip -n "$(nsn ${t}a)" neigh show 10.1.0.2 | awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }')
  assert_eq "$got" "$(vm_mac ${t}b ${t}b)" "tenant $t: 10.1.0.2 is ${t}b"
done

step "learning is per VNI"
assert_eq "$(json_get "$(hctlj A vxlan/show sw0)" \
  "[.macs[] | select(.mac == \"$(vm_mac rb rb)\") | .vni] | first")" 5010 "rb learned in VNI 5010"
assert_eq "$(json_get "$(hctlj A vxlan/show sw0)" \
  "[.macs[] | select(.mac == \"$(vm_mac bb bb)\") | .vni] | first")" 5020 "bb learned in VNI 5020"

step "the same MAC in two tenants stays two entries"
ip -n "$(nsn bb)" link set "$(ifn bb)" down
ip -n "$(nsn bb)" link set "$(ifn bb)" address "$(vm_mac rb rb)"
ip -n "$(nsn bb)" link set "$(ifn bb)" up
ip -n "$(nsn ba)" neigh flush all
assert_ping ba 10.1.0.2
assert_ping ra 10.1.0.2
assert_eq "$(json_get "$(hctlj A vxlan/show sw0)" \
  "[.macs[] | select(.mac == \"$(vm_mac rb rb)\")] | length")" 2 "one MAC, two VNIs"
assert_eq "$(vx_count A sw0 mac_moves)" 0 "no station move across tenants"

step "with blue's peer gone, blue gets nothing from red (same IP, same MAC)"
ip -n "$(nsn bb)" link set "$(ifn bb)" down
ip -n "$(nsn ba)" neigh flush all
assert_no_ping ba 10.1.0.2
assert_ping ra 10.1.0.2

step "the tunnels carried only what they map"
assert_eq "$(vx_count A sw0 rx_unknown_vni)" 0 "no unknown VNI"
assert_eq "$(vx_count A sw0 rx_unknown_vtep)" 0 "no unknown VTEP"
for h in A B; do
  host_stop $h
done
t_pass
