#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 92-mirror-span - SPAN: the monitor namespace m, on mirror output port pm, sees each
# mirrored frame exactly once: ingress-only, egress-only, and a frame selected on its
# way in and on its way out (still once). pm carries nothing but mirrored frames, and
# what m sends is dropped (mirror_port). mirror/list counts.
#
#   ns a 10.0.0.1          ns b 10.0.0.2          ns m (tcpdump)
#        |                      |                      |
#       pa (tap)               pb (tap)               pm (tap): mirror output
#   +----|----------------------|----------------------|-----+
#   |                   vnetd switch sw0                     |
#   +--------------------------------------------------------+
. "$(dirname "$0")/../lib.sh"

require_cmd tcpdump tshark

ns_add a b m
vnetd_start
vctl switch/add sw0
tap_add sw0 pa a
tap_add sw0 pb b
tap_add sw0 pm m
ns_addr a "$(ifn pa)" 10.0.0.1/24
ns_addr b "$(ifn pb)" 10.0.0.2/24
ns_addr m "$(ifn pm)" 10.0.0.9/24
# no IPv6 chatter from the namespaces: only the test's frames cross
for n in a b m; do in_ns $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1; done
assert_ping a 10.0.0.2 1

# mon_start NAME - tcpdump in ns m writes $T_DIR/NAME.pcap; returns when it listens
mon_start() {
  local log=$T_DIR/$1.log
  bg_run ip netns exec "$(nsn m)" tcpdump -i "$(ifn pm)" --immediate-mode -U -n -w "$T_DIR/$1.pcap" 2>"$log"
  MON_PID=$BG_PID
  wait_for "grep -q listening $log" 10 || fail "tcpdump in m did not start: $(cat "$log")"
}

# mon_stop - stop tcpdump once it has written what arrived
mon_stop() {
  sleep 0.5
  kill -INT "$MON_PID"
  wait "$MON_PID" 2>/dev/null || true
}

# seen NAME TYPE - ICMP echo requests (8) or replies (0) between a and b that m saw
seen() {
  tshark -r "$T_DIR/$1.pcap" -Y "icmp.type == $2 && ip.addr == 10.0.0.1 && ip.addr == 10.0.0.2" 2>/dev/null | wc -l
}

# pings N - N pings from a to b, all answered
pings() {
  local out
  out=$(in_ns a ping -n -q -c "$1" -i 0.2 -W 2 10.0.0.2 2>&1) || true
  grep -q " $1 received" <<<"$out" || fail "pings from a to b lost: $out"
}

step "ingress of pa: m sees a's 5 requests once each, no replies"
vctl mirror/add sw0 m0 ingress=pa output=pm
assert_eq "$(vctlj mirror/list sw0 | jq -r '.[0].state')" active "m0 state"
mon_start ingress
pings 5
mon_stop
assert_eq "$(seen ingress 8)" 5 "requests seen by m (ingress=pa)"
assert_eq "$(seen ingress 0)" 0 "replies seen by m (ingress=pa)"
assert_num "$(vctlj mirror/list sw0 | jq '.[0].packets')" -ge 5 "mirror/list counts m0's copies"

step "egress of pa: only the replies"
vctl mirror/del sw0 m0
vctl mirror/add sw0 m1 egress=pa output=pm
mon_start egress
pings 5
mon_stop
assert_eq "$(seen egress 8)" 0 "requests seen by m (egress=pa)"
assert_eq "$(seen egress 0)" 5 "replies seen by m (egress=pa)"

step "ingress of pa and egress of pb select each request twice: m still sees it once"
vctl mirror/add sw0 m1 ingress=pa egress=pb output=pm
mon_start twice
pings 5
mon_stop
assert_eq "$(seen twice 8)" 5 "requests seen by m (ingress=pa egress=pb)"
assert_eq "$(seen twice 0)" 0 "replies seen by m (ingress=pa egress=pb)"

step "both ports both ways: every frame once; broadcasts too (pm gets no flooded copy)"
vctl mirror/add sw0 m1 ingress=pa,pb egress=pa,pb output=pm
in_ns a ip neigh flush all
in_ns b ip neigh flush all
mon_start all
pings 5
mon_stop
assert_eq "$(seen all 8)" 5 "requests seen by m"
assert_eq "$(seen all 0)" 5 "replies seen by m"
assert_eq "$(tshark -r "$T_DIR/all.pcap" -Y 'arp.opcode == 1 && arp.src.proto_ipv4 == 10.0.0.1' 2>/dev/null | wc -l)" 1 \
  "a's ARP broadcast seen by m exactly once"
dups=$(tshark -r "$T_DIR/all.pcap" -T fields -e frame.len -e eth.src -e eth.dst -e ip.id -e icmp.seq \
  -Y icmp 2>/dev/null | sort | uniq -d | wc -l)
assert_eq "$dups" 0 "no frame seen twice"

step "the output port only transmits: what m sends is dropped and counted"
assert_no_ping m 10.0.0.2
assert_num "$(port_drop sw0 pm mirror_port)" -gt 0 "mirror_port drops on pm"
vctl mirror/add sw0 m2 ingress=pa output=pa 2>/dev/null &&
  fail "a mirror whose output is its own source was accepted"
vctl mirror/add sw0 m2 ingress=nosuch output=pm 2>/dev/null &&
  fail "a mirror of a missing port was accepted"
vctl mirror/add sw0 m2 ingress=pa 2>/dev/null && fail "a mirror without an output was accepted"

step "deleting the mirror: pm is an ordinary port again"
vctl mirror/del sw0 m1
assert_eq "$(vctlj mirror/list sw0 | jq length)" 0 "mirrors left"
assert_ping m 10.0.0.2 1
assert_ping a 10.0.0.2 1
t_pass
