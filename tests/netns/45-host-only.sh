#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 45-host-only - a host-only network: the host's internal port holds .1, VMs get leases
# with no router, reach the host (ping, a TCP server bound to .1) and each other, and do not
# reach a server in another namespace that stands for "the outside" (which the host itself
# reaches). The gateway answers DNS and ping at .2, but does no NAT: the host's loopback
# services are not reachable through it.
#
#   root ns: v<ID>ho 10.83.0.1/24 (internal port)     v<ID>ox 198.51.100.1/24 --- ns o
#            HTTP server on 10.83.0.1                                   198.51.100.2 HTTP
#        |
#   +----|-------------------------------------------+
#   |  host   network "ho" (host-only)   gw .2 (DHCP, DNS, no NAT)
#   +------------|-----------------------|-----------+
#                | pa                    | pb
#           ns a (udhcpc)           ns b (dhclient)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_svc.sh"
require_cmd curl python3

HO=$(ifn ho)
OX=$(ifn ox)
PORT=$(free_port)

vnetd_start
vctl network/add ho mode=host-only subnet=10.83.0.0/24 ifname="$HO"
T_LINKS+=("$HO")
assert_eq "$(port_field ho host type)" internal "host port type"
wait_for "ip -4 addr show dev $HO | grep -q 10.83.0.1/24" 5 || fail "$HO does not hold 10.83.0.1/24"
echo "ok: the host holds 10.83.0.1/24 on $HO"
vm_add ho pa a 52:54:00:45:00:0a
vm_add ho pb b 52:54:00:45:00:0b
udhcpc_get a "$(ifn pa)" || fail "a: no lease"
dhclient_get b "$(ifn pb)" || fail "b: no lease"
assert_eq "$(lease_var a router)" "" "no router given"
assert_eq "$(lease_var a dns)" 10.83.0.2 "DNS at .2"
assert_eq "$(in_ns a ip route show default)" "" "no default route in a"

step "the outside: a namespace the host reaches"
ns_add o
ip link add "$OX" type veth peer name "${OX}o"
T_LINKS+=("$OX")
ip link set "${OX}o" netns "$(nsn o)"
ip addr add 198.51.100.1/24 dev "$OX"
ip link set "$OX" up
in_ns o ip addr add 198.51.100.2/24 dev "${OX}o"
in_ns o ip link set "${OX}o" up
bg_run in_ns o python3 -m http.server 8080 --bind 198.51.100.2 --directory "$SVC_DIR"
wait_for "curl -s -o /dev/null http://198.51.100.2:8080/" 10 || fail "the host cannot reach the outside server"
echo "ok: the host reaches the outside server"

step "VMs reach the host and each other"
echo "host-only hello" >"$SVC_DIR/hello"
bg_run python3 -m http.server "$PORT" --bind 10.83.0.1 --directory "$SVC_DIR"
wait_for "curl -s -o /dev/null http://10.83.0.1:$PORT/" 10 || fail "host server did not start"
assert_ping a 10.83.0.1
assert_eq "$(in_ns a curl -s -m 5 "http://10.83.0.1:$PORT/hello")" "host-only hello" "a fetches from the host"
assert_ping a "$(lease_var b ip)"
assert_ping b "$(lease_var a ip)"
assert_ping a 10.83.0.2

step "VMs reach nothing else"
assert_no_ping a 198.51.100.2
in_ns a curl -s -m 3 http://198.51.100.2:8080/ && fail "a reached the outside server"
echo "ok: a does not reach the outside server"
bg_run python3 -m http.server "$((PORT + 1))" --bind 127.0.0.1 --directory "$SVC_DIR"
in_ns a curl -s -m 3 "http://10.83.0.2:$((PORT + 1))/hello" && fail "the gateway did NAT in host-only mode"
echo "ok: no NAT at .2 (the host's loopback is not reachable)"
assert_eq "$(json_get "$(vctlj network/list)" '.[0].mode')" host-only "network/list mode"
vctl nat/show ho && fail "nat/show works on a host-only network"
assert_vnetd_alive
t_pass
