#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vnet-test: serial (creates vnet0 in the root namespace)
# 49-default-network - zero setup: vnetd started with no configuration brings up the nat
# network "default" (host port vnet0 at .1, gateway .2, DHCP); a VM plugged into it gets an
# address and reaches a server on the host's loopback through NAT, and the host reaches the
# VM through vnet0. A restart keeps exactly one default network, on the same subnet.
#
#   root ns: vnet0 10.x.0.1/24        127.0.0.1:HTTP
#        |                                 ^ (NAT)
#   +----|---------------------------------|----+
#   |  vnet0   network "default" (nat)    gw .2 |
#   +----------------|--------------------------+
#                    | pv (tap)
#              ns v (udhcpc)
#
# Changes the root namespace (vnet0), so it skips when a vnet0 exists already.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_svc.sh"
require_cmd curl python3

ip link show dev vnet0 >/dev/null 2>&1 && skip "vnet0 already exists in the root namespace"
PORT=$(free_port)
VNETD_DEFAULT=1 vnetd_start
assert_eq "$(json_get "$(vctlj network/list)" '[.[].name] | join(",")')" default "networks"
assert_eq "$(net_field default mode)" nat "default mode"
subnet=$(net_field default subnet)
net=${subnet%.0}
assert_eq "$(port_field default vnet0 type)" internal "vnet0 is the host port"
wait_for "ip -4 addr show dev vnet0 | grep -q '$net.1/24'" 5 || fail "vnet0 does not hold $net.1/24"
echo "ok: vnet0 holds $net.1/24"

step "plug in a VM: it gets an address and the outside world"
vm_add default pv v 52:54:00:49:00:0a
udhcpc_get v "$(ifn pv)" || fail "no lease on the default network"
assert_eq "$(lease_var v router)" "$net.2" "router"
echo "zero setup" >"$SVC_DIR/z"
bg_run python3 -m http.server "$PORT" --bind 127.0.0.1 --directory "$SVC_DIR"
wait_for "curl -s -o /dev/null http://127.0.0.1:$PORT/" 10 || fail "HTTP server did not start"
assert_eq "$(in_ns v curl -s -m 5 "http://$net.2:$PORT/z")" "zero setup" "VM fetches from the host's loopback"
ping -c 2 -W 2 "$(lease_var v ip)" >/dev/null || fail "the host cannot reach the VM through vnet0"
echo "ok: the host reaches the VM"

step "a restart keeps one default network on the same subnet"
vnetd_stop
VNETD_DEFAULT=1 vnetd_start
assert_eq "$(json_get "$(vctlj network/list)" '[.[].name] | join(",")')" default "networks after restart"
assert_eq "$(net_field default subnet)" "$subnet" "subnet after restart"
vnetd_stop
wait_for '! ip link show dev vnet0' 5 || fail "vnet0 left behind after vnetd stopped"
echo "ok: vnet0 removed with vnetd"
t_pass
