#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 57-vxlan-dhcp-mtu - a network whose switch carries a VXLAN tunnel tells its VMs the inner
# MTU by DHCP (option 26): 1450 on a 1500-byte underlay, 8950 once the port's underlay_mtu
# is 9000, no option once the tunnel port is gone, and the network's own mtu= always wins.
#
#   ns a (udhcpc)
#        | pa (tap)
#   +----|------------------------------------------------------------+
#   |  network "ov": mode=private subnet=10.57.0.0/24                 |
#   |  vx0: type=vxlan local=127.0.0.1 (VNI 57, no remote VTEP)       |
#   +-----------------------------------------------------------------+
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_svc.sh"
require_cmd udhcpc

vnetd_start
vctl network/add ov mode=private subnet=10.57.0.0/24
vm_add ov pa a 52:54:00:57:00:0a
dport=$((30000 + RANDOM % 20000))

step "no tunnel: no MTU option"
udhcpc_get a "$(ifn pa)" || fail "no lease: $(tail -3 "$SVC_DIR/udhcpc-a.log")"
assert_eq "$(lease_var a mtu)" "" "MTU option without a tunnel"

step "a VXLAN port on a 1500-byte underlay: MTU 1450"
vctl port/add ov vx0 type=vxlan local=127.0.0.1 dstport=$dport vni=57
assert_eq "$(port_field ov vx0 info.inner_mtu)" 1450 "the port's inner MTU"
udhcpc_get a "$(ifn pa)" || fail "no lease with the tunnel"
assert_eq "$(lease_var a mtu)" 1450 "MTU option with the tunnel"
assert_eq "$(in_ns a cat /sys/class/net/"$(ifn pa)"/mtu)" 1450 "the client applied it"

step "underlay_mtu=9000 at run time: MTU 8950"
vctl port/set ov vx0 underlay_mtu=9000
udhcpc_get a "$(ifn pa)" || fail "no lease after underlay_mtu=9000"
assert_eq "$(lease_var a mtu)" 8950 "MTU option on a 9000-byte underlay"

step "the tunnel port is deleted: no MTU option again"
vctl port/del ov vx0
udhcpc_get a "$(ifn pa)" || fail "no lease after the tunnel went"
assert_eq "$(lease_var a mtu)" "" "MTU option after the tunnel went"

step "an explicit network mtu= wins over the tunnel's"
vctl network/add ov2 mode=private subnet=10.58.0.0/24 mtu=1400
vctl port/add ov2 vx1 type=vxlan local=127.0.0.1 dstport=$((dport + 1)) vni=58
vm_add ov2 pb b 52:54:00:57:00:0b
udhcpc_get b "$(ifn pb)" || fail "no lease on ov2"
assert_eq "$(lease_var b mtu)" 1400 "MTU option with mtu=1400 and a tunnel"
assert_vnetd_alive
t_pass
