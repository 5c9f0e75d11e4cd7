#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vnet-test: serial
# 73-sec-rogue-ra - VM r advertises itself as an IPv6 router (default route, prefix
# 2001:db8:73::/64 for autoconfiguration), plainly and behind 2, 8 and 40 destination-options
# headers (RA-guard evasion, RFC 7113), as a burst of 20000. The victim v installs neither
# the route nor an address, every RA is dropped as router_guard, and v's IPv6 traffic to w
# goes on. Control: with router_guard off, the same RA does configure v.
#
#   ns v fd00::1 (accept_ra=1)   ns w fd00::2     ns r: RAs from fe80::...
#    | pv                         | pw             | pr router_guard=on
#   +|----------------------------|----------------|-----+
#   |                 vnetd switch sw0                   |
#   +----------------------------------------------------+
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_sec.sh"

MR=02:73:00:00:00:0e
ns_add v w r
vnetd_start
vctl switch/add sw0
tap_add sw0 pv v
tap_add sw0 pw w
tap_add sw0 pr r router_guard=on
ns_mac r "$(ifn pr)" $MR
DV=$(ifn pv)
for k in accept_ra=1 accept_ra_defrtr=1 accept_ra_pinfo=1 autoconf=1 forwarding=0; do
  in_ns v sysctl -qw "net.ipv6.conf.$DV.${k%=*}=${k#*=}"
done
ns_addr v "$DV" fd00::1/64
ns_addr w "$(ifn pw)" fd00::2/64
assert_ping v fd00::2
iperf_srv w

# v_configured - did v take anything from an RA?
v_configured() {
  in_ns v ip -6 route show default | grep -q . || in_ns v ip -6 addr show dev "$DV" | grep -q 2001:db8:73:
}

before=$(tput v fd00::2 2)
assert_num "$before" -gt 0 "v -> w before (Mbit/s)"

step "r sends router advertisements, plain and behind extension headers"
ras=()
for n in 0 2 8 40; do
  ras+=("$(mkframe ra $MR 2001:db8:73:: $n)")
done
bg_run in_ns r "$TOOLS/frame_storm" -i "$(ifn pr)" -n 20000 -t 10 -r 5000 "${ras[@]}"
storm=$BG_PID
during=$(tput v fd00::2 2)
wait $storm || fail "frame_storm failed"
drops=$(port_drop sw0 pr router_guard)
echo "router_guard drops on pr: $drops"
assert_num "$drops" -ge 20000 "every RA dropped as router_guard"
v_configured && fail "v installed a route or address from a rogue RA: $(in_ns v ip -6 route; in_ns v ip -6 addr)"
echo "ok: v has no default route and no 2001:db8:73:: address"
assert_num "$during" -gt 0 "v -> w during (Mbit/s)"
assert_ping v fd00::2

step "control: with router_guard off, the plain RA configures v"
vctl port/set sw0 pr router_guard=off
wait_for "in_ns r '$TOOLS/raw_send' -i $(ifn pr) ${ras[0]} >/dev/null; sleep 0.3; v_configured" 10 ||
  fail "v ignored the RA even unguarded: the check above proves nothing"
echo "ok: unguarded, v took: $(in_ns v ip -6 route show default | head -n 1)"
result 73-sec-rogue-ra before_mbps=$before during_mbps=$during during_pct=$(pct "$during" "$before") \
  router_guard_drops=$drops
assert_vnetd_alive
t_pass
