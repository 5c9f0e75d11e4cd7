#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 16-internal-port - the host reaches a namespace through an internal port: a tap that
# stays in the root namespace and gets the address given with address=.
#
#   root namespace: vt<ID>-host0 10.N.0.1/24 (internal port)
#        |
#   +----|--------------------------------------+
#   |  host0     vnetd switch sw0           ph  |
#   +-----------------------------------------|-+
#                                             | tap
#                                     ns h  10.N.0.2/24
#
# N is the first of 10.230-10.249 with no address or route on this host.
. "$(dirname "$0")/../lib.sh"

net=
for n in $(seq 230 249); do
  if [ -z "$(ip -4 route show to match 10.$n.0.0/24 | grep -v '^default')" ] &&
    ! ip -4 addr | grep -q " 10\.$n\."; then
    net=10.$n.0
    break
  fi
done
[ -n "$net" ] || skip "no free 10.230-249.0.0/24 subnet on this host"
host0=$(ifn host0)

ns_add h
vnetd_start
vctl switch/add sw0
vctl port/add sw0 host0 type=internal ifname="$host0" address="$net.1/24"
tap_add sw0 ph h
ns_addr h "$(ifn ph)" "$net.2/24"

step "the internal port is up in the root namespace with its address"
assert_eq "$(port_field sw0 host0 type)" internal "host0 type"
assert_eq "$(port_field sw0 host0 state)" up "host0 state"
assert_eq "$(port_field sw0 host0 info.address)" "$net.1/24" "host0 address in port/list"
ip -4 -j addr show dev "$host0" | jq -e --arg h "$net.1" '.[0].addr_info[] | select(.local == $h)' >/dev/null ||
  fail "$host0 does not hold $net.1"
assert_eq "$(ip -j link show dev "$host0" | jq -r '.[0].flags | map(select(. == "UP" or . == "LOWER_UP")) | join(",")')" \
  UP,LOWER_UP "$host0 link flags"

step "host <-> namespace"
wait_for "ping -n -c 1 -W 1 $net.2" 10 || fail "the host cannot reach $net.2"
ping -n -q -c 3 -i 0.2 -W 2 "$net.2" | tail -n 2
assert_ping h "$net.1"

step "TCP host -> namespace"
if command -v iperf3 >/dev/null; then
  bg_run in_ns h iperf3 -s -1 -B "$net.2"
  wait_for "in_ns h ss -ltn | grep -q ':5201 '" 10 || fail "iperf3 server did not start"
  out=$(timeout 30 iperf3 -c "$net.2" -t 2 -J) || fail "iperf3 host -> namespace failed"
  echo "host -> namespace: $(echo "$out" | jq -r '.end.sum_received.bits_per_second / 1e9 | . * 100 | floor / 100') Gbit/s"
fi

step "port/del removes the host's interface"
vctl port/del sw0 host0
wait_for "! ip link show dev $host0" 5 || fail "$host0 still exists after port/del"
echo "ok: $host0 removed"
assert_no_ping h "$net.1"

t_pass
