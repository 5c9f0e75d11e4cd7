#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 40-dhcp-clients - the built-in DHCP server hands real clients (busybox udhcpc and ISC
# dhclient) leases with the right options: address in the pool .128-.253, mask, router and
# DNS at .2, domain = network name, lease time, server .254, interface MTU (option 26).
# Renewal, release, a reservation and persistence of the leases in the state dir.
#
#   ns a (udhcpc, "vm-a")     ns b (dhclient, "vm-b")    ns c (udhcpc, reserved .50)
#        | pa (tap)                | pb (tap)                 | pc (tap)
#   +----|-------------------------|--------------------------|--------------------+
#   |    network "lab": mode=nat subnet=10.77.0.0/24 mtu=9000                       |
#   |    gw: DHCP .254, DNS+router .2, pool .128-.253                              |
#   +-------------------------------------------------------------------------------+
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_svc.sh"

MA=52:54:00:40:00:0a
MB=52:54:00:40:00:0b
MC=52:54:00:40:00:0c

vnetd_start
vctl network/add lab mode=nat subnet=10.77.0.0/24 mtu=9000 lease_time=120
assert_eq "$(net_field lab mode)" nat "network mode"
assert_eq "$(net_field lab gateway)" 10.77.0.2 "gateway"
assert_eq "$(net_field lab dhcp_server)" 10.77.0.254 "DHCP server"
vm_add lab pa a $MA mtu=9000
vm_add lab pb b $MB mtu=9000
vm_add lab pc c $MC mtu=9000

step "udhcpc gets a lease with every option"
udhcpc_get a "$(ifn pa)" vm-a || fail "udhcpc got no lease: $(tail -3 "$SVC_DIR/udhcpc-a.log")"
ip_a=$(lease_var a ip)
[[ $ip_a =~ ^10\.77\.0\.([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -ge 128 ] && [ "${BASH_REMATCH[1]}" -le 253 ] ||
  fail "udhcpc address $ip_a is not in the pool"
assert_eq "$(lease_var a mask)" 24 "udhcpc mask"
assert_eq "$(lease_var a router)" 10.77.0.2 "udhcpc router"
assert_eq "$(lease_var a dns)" 10.77.0.2 "udhcpc DNS"
assert_eq "$(lease_var a domain)" lab "udhcpc domain"
assert_eq "$(lease_var a mtu)" 9000 "udhcpc MTU (option 26)"
assert_eq "$(lease_var a lease)" 120 "udhcpc lease time"
assert_eq "$(lease_var a server)" 10.77.0.254 "udhcpc server id"
assert_eq "$(in_ns a cat /sys/class/net/"$(ifn pa)"/mtu)" 9000 "MTU applied in a"

step "dhclient gets a lease with every option"
dhclient_get b "$(ifn pb)" vm-b || fail "dhclient got no lease: $(tail -5 "$SVC_DIR/dhclient-b.log")"
ip_b=$(lease_var b ip)
[[ $ip_b =~ ^10\.77\.0\.([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -ge 128 ] && [ "${BASH_REMATCH[1]}" -le 253 ] ||
  fail "dhclient address $ip_b is not in the pool"
assert_ne "$ip_b" "$ip_a" "the two clients got different addresses"
assert_eq "$(lease_var b mask)" 24 "dhclient mask"
assert_eq "$(lease_var b router)" 10.77.0.2 "dhclient router"
assert_eq "$(lease_var b dns)" 10.77.0.2 "dhclient DNS"
assert_eq "$(lease_var b domain)" lab "dhclient domain"
assert_eq "$(lease_var b mtu)" 9000 "dhclient MTU (option 26)"
assert_eq "$(lease_var b lease)" 120 "dhclient lease time"
assert_eq "$(lease_var b server)" 10.77.0.254 "dhclient server id"

step "the leases as vnetd shows them"
assert_eq "$(lease_of lab $MA ip)" "$ip_a" "lease of a"
assert_eq "$(lease_of lab $MA state)" bound "state of a's lease"
assert_eq "$(lease_of lab $MA hostname)" vm-a "host name of a"
assert_eq "$(lease_of lab $MA port)" pa "port of a"
assert_eq "$(lease_of lab $MB hostname)" vm-b "host name of b"
assert_eq "$(lease_of lab $MB ip)" "$ip_b" "lease of b"
assert_ping a "$ip_b"
assert_ping a 10.77.0.2
assert_ping a 10.77.0.254

step "renewal (udhcpc, SIGUSR1) extends the lease"
udhcpc_start a "$(ifn pa)" vm-a
left1=$(lease_of lab $MA expires_in)
sleep 3
kill -USR1 "$(cat "$SVC_DIR/udhcpc-a.pid")"
wait_for "[ -f $(lease_file a).renew ]" 10 || fail "udhcpc did not renew"
left2=$(lease_of lab $MA expires_in)
assert_eq "$(lease_var a ip renew)" "$ip_a" "same address after renewal"
assert_num "$left2" -gt "$((left1 - 2))" "lease extended by the renewal"
assert_num "$(json_get "$(vctlj network/list)" '.[0].counters.dhcp.ack')" -ge 4 "ACKs counted"

step "release (udhcpc -R on exit) frees the address"
kill -TERM "$(cat "$SVC_DIR/udhcpc-a.pid")"
wait_for "[ \"\$(lease_of lab $MA state)\" = released ]" 10 || fail "lease of a not released"
echo "ok: a's lease released"

step "a reservation: c always gets 10.77.0.50 and the reserved name"
vctl dhcp/reserve lab $MC 10.77.0.50 hostname=db
udhcpc_get c "$(ifn pc)" whatever || fail "udhcpc in c got no lease"
assert_eq "$(lease_var c ip)" 10.77.0.50 "reserved address"
assert_eq "$(lease_of lab $MC hostname)" db "reserved name"
assert_eq "$(json_get "$(vctlj dhcp/leases lab)" '.reservations[0].ip')" 10.77.0.50 "dhcp/leases lists the reservation"
vctl dhcp/reserve lab 52:54:00:40:00:0d 10.77.0.50 && fail "a second reservation of .50 was accepted"
vctl dhcp/reserve lab 52:54:00:40:00:0d 10.77.0.2 && fail "the gateway's address was reservable"
vctl dhcp/reserve lab 52:54:00:40:00:0d "$ip_b" && fail "b's leased address was reservable"
echo "ok: bad reservations refused"

step "the leases are in the state dir"
jq -e --arg ip "$ip_b" '.leases[] | select(.ip == $ip and .state == "bound")' "$T_STATE/net-lab.leases" >/dev/null ||
  fail "b's lease is not in $T_STATE/net-lab.leases"
jq -e '.reservations[] | select(.ip == "10.77.0.50")' "$T_STATE/net-lab.json" >/dev/null ||
  fail "the reservation is not in $T_STATE/net-lab.json"
echo "ok: leases and reservation saved"
assert_vnetd_alive
t_pass
