#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 56-vxlan-mtu.sh - the tunnel never fragments: with VMs left at MTU 1500 on
# a 1500-byte underlay, packets up to the inner MTU (1450) cross, larger ones
# are dropped, counted and logged with the MTU to use. A 9000-byte underlay
# (underlay_mtu=9000, set at run time) carries full 1500-byte packets.
#
#   VM a1 10.10.0.1/24 mtu 1500               VM b1 10.10.0.2/24 mtu 1500
#   +---------------------------+             +---------------------------+
#   | host A: vnetd, vx0 vni=7  |             | host B: vnetd, vx0 vni=7  |
#   +-------------+-------------+             +-------------+-------------+
#       10.200.0.1 |                                        | 10.200.0.2
#   ---------------+----------------------------------------+---------------
#                  underlay bridge "ul" (MTU 1500, then 9000)
. "$(dirname "$0")/../lib.sh"

. "$(dirname "$0")/_vxlan.sh"

step "hosts A and B, VMs with MTU 1500"
underlay_add
ns_add A B
vm_add a1
vm_add b1
underlay_join A 1
underlay_join B 2
for h in A B; do
  host_start $h
  hctl $h switch/add sw0
done
hctl A port/add sw0 vx0 type=vxlan local=10.200.0.1 vni=7 remotes=7@10.200.0.2
hctl B port/add sw0 vx0 type=vxlan local=10.200.0.2 vni=7 remotes=7@10.200.0.1
vm_plug A sw0 a1 a1 10.10.0.1/24 1500
vm_plug B sw0 b1 b1 10.10.0.2/24 1500
assert_ping a1 10.10.0.2

step "1450-byte packets cross, 1451-byte ones are dropped, counted and logged"
in_ns a1 ping -n -q -c 3 -i 0.2 -W 2 -M "do" -s 1422 10.10.0.2 >/dev/null ||
  fail "a 1450-byte packet did not cross"
echo "ok: 1450-byte packets cross"
TOO0=$(vx_count A sw0 tx_too_big)
if in_ns a1 ping -n -q -c 3 -i 0.2 -W 1 -M "do" -s 1423 10.10.0.2 >/dev/null; then
  fail "a 1451-byte packet crossed a 1500-byte underlay"
fi
echo "ok: 1451-byte packets do not cross"
assert_num "$(($(vx_count A sw0 tx_too_big) - TOO0))" -ge 3 "tx_too_big"
assert_num "$(h_port_drop A sw0 vx0 oversize)" -ge 3 "oversize drops on vx0"
grep -q "inner MTU 1450" "$T_DIR/A/vnetd.log" || fail "no log line naming the inner MTU"
echo "ok: logged: $(grep -m1 "inner MTU 1450" "$T_DIR/A/vnetd.log")"
assert_eq "$(json_get "$(hctlj A port/list sw0)" '.[] | select(.name == "vx0") | .info.inner_mtu')" \
  1450 "port/list shows the inner MTU"

step "a 9000-byte underlay carries 1500-byte packets"
ip -n "$(nsn ul)" link set "$(ifn p1)" mtu 9000
ip -n "$(nsn ul)" link set "$(ifn p2)" mtu 9000
ip -n "$(nsn A)" link set "$(ifn u1)" mtu 9000
ip -n "$(nsn B)" link set "$(ifn u2)" mtu 9000
for h in A B; do
  hctl $h port/set sw0 vx0 underlay_mtu=9000
done
in_ns a1 ping -n -q -c 3 -i 0.2 -W 2 -M "do" -s 1472 10.10.0.2 >/dev/null ||
  fail "a 1500-byte packet did not cross a 9000-byte underlay"
echo "ok: 1500-byte packets cross a 9000-byte underlay"
assert_eq "$(json_get "$(hctlj A vxlan/show sw0)" '.inner_mtu')" 8950 "inner MTU on 9000"
for h in A B; do
  host_stop $h
done
t_pass
