#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 90-capture - "vnetctl capture" writes pcap that tshark and tcpdump read: the ICMP
# packets a namespace sends are in it, --direction picks received or sent frames,
# --count stops after N, and frames carry the 802.1Q tag of the captured port's wire.
#
#   ns a 10.0.0.1            ns b 10.0.0.2
#        |                        |
#       pa (tap)                 pb (tap)          d1 access 10 (dummy)   d2 trunk (dummy)
#   +----|------------------------|----------------------|---------------------|-------+
#   |                              vnetd switch sw0                                     |
#   +-----------------------------------------------------------------------------------+
#        ^ vnetctl capture sw0 pa ...                                   ^ capture sw0 d2
. "$(dirname "$0")/../lib.sh"

require_cmd tshark tcpdump

ns_add a b
vnetd_start
vctl switch/add sw0
tap_add sw0 pa a
tap_add sw0 pb b
ns_addr a "$(ifn pa)" 10.0.0.1/24
ns_addr b "$(ifn pb)" 10.0.0.2/24
for n in a b; do in_ns $n sysctl -qw net.ipv6.conf.all.disable_ipv6=1; done
dummy_add sw0 d1 tag=10
dummy_add sw0 d2
assert_ping a 10.0.0.2 1

# running_captures - captures of sw0 whose client is connected and taking frames
running_captures() {
  vctlj capture/list sw0 | jq '[.captures[] | select(.state == "running")] | length'
}

# icmp_count FILE TYPE - ICMP echo requests (8) or replies (0) between a and b in FILE
icmp_count() {
  tshark -r "$1" -Y "icmp.type == $2 && ip.addr == 10.0.0.1 && ip.addr == 10.0.0.2" 2>/dev/null | wc -l
}

# capture_start FILE ARGS... - start "vnetctl capture sw0 ARGS -w FILE" and wait until it runs
capture_start() {
  local f=$1
  shift
  bg_run "$VNETCTL" --socket "$T_SOCK" capture sw0 "$@" -w "$f"
  CAP_PID=$BG_PID
  wait_for '[ "$(running_captures)" = 1 ]' 10 || fail "capture $* did not start"
}

# capture_end - Ctrl-C the capture client; it must exit 0
capture_end() {
  kill -INT "$CAP_PID"
  local st=0
  wait "$CAP_PID" || st=$?
  assert_eq "$st" 0 "capture client exit status after Ctrl-C"
  wait_for '[ "$(running_captures)" = 0 ]' 5 || fail "capture still listed after its client left"
}

step "both directions: tshark finds the 5 echo requests and 5 replies"
capture_start "$T_DIR/both.pcap" pa
in_ns a ping -n -q -c 5 -i 0.2 10.0.0.2 >/dev/null
wait_for "[ \$(icmp_count $T_DIR/both.pcap 0) -ge 5 ]" 5 || true
capture_end
assert_eq "$(icmp_count "$T_DIR/both.pcap" 8)" 5 "echo requests in the capture"
assert_eq "$(icmp_count "$T_DIR/both.pcap" 0)" 5 "echo replies in the capture"
assert_num "$(tcpdump -nr "$T_DIR/both.pcap" 2>/dev/null | grep -c 'ICMP echo')" -eq 10 "tcpdump reads it too"

step "--direction in: only what pa's peer sent (requests)"
capture_start "$T_DIR/in.pcap" pa --direction in
in_ns a ping -n -q -c 4 -i 0.2 10.0.0.2 >/dev/null
sleep 0.5
capture_end
assert_eq "$(icmp_count "$T_DIR/in.pcap" 8)" 4 "requests with --direction in"
assert_eq "$(icmp_count "$T_DIR/in.pcap" 0)" 0 "replies with --direction in"

step "--direction out: only what the switch sent to pa (replies)"
capture_start "$T_DIR/out.pcap" pa --direction out
in_ns a ping -n -q -c 4 -i 0.2 10.0.0.2 >/dev/null
sleep 0.5
capture_end
assert_eq "$(icmp_count "$T_DIR/out.pcap" 8)" 0 "requests with --direction out"
assert_eq "$(icmp_count "$T_DIR/out.pcap" 0)" 4 "replies with --direction out"

step "--count 3 ends by itself after 3 frames; pcap on stdout through a pipe to tcpdump -r -"
(
  "$VNETCTL" --socket "$T_SOCK" capture sw0 pb --direction in --count 3 |
    tcpdump -enr - 2>/dev/null >"$T_DIR/count.txt"
) &
cnt_pid=$!
T_BG+=("$cnt_pid")
wait_for '[ "$(running_captures)" = 1 ]' 10 || fail "capture --count did not start"
in_ns b ping -n -q -c 6 -i 0.2 10.0.0.1 >/dev/null
wait_for "! kill -0 $cnt_pid" 10 || fail "capture --count 3 did not end by itself"
assert_eq "$(wc -l <"$T_DIR/count.txt")" 3 "frames tcpdump read from the pipe"
# (b may send an ARP probe among its echo requests: every frame is still b's)
bmac=$(in_ns b cat "/sys/class/net/$(ifn pb)/address")
assert_eq "$(grep -c "^[0-9:.]* $bmac > " "$T_DIR/count.txt")" 3 "all three are frames b sent"
assert_num "$(grep -c 'ICMP echo request' "$T_DIR/count.txt")" -ge 2 "b's echo requests among them"

step "frames carry the tag of the captured port's wire: VLAN 10 on trunk d2, none on access d1"
capture_start "$T_DIR/d2.pcap" d2 --direction out
src=02:00:00:00:90:01
inject sw0 d1 "$(frame ff:ff:ff:ff:ff:ff $src)"
inject sw0 d1 "$(frame ff:ff:ff:ff:ff:ff $src)"
wait_for "[ \$(tshark -r $T_DIR/d2.pcap -Y 'vlan.id == 10 && eth.src == $src' 2>/dev/null | wc -l) -ge 2 ]" 5 || true
capture_end
assert_eq "$(tshark -r "$T_DIR/d2.pcap" -Y "vlan.id == 10 && eth.src == $src" 2>/dev/null | wc -l)" 2 \
  "frames on trunk d2 tagged VLAN 10"
capture_start "$T_DIR/d1.pcap" d1 --direction in
inject sw0 d1 "$(frame ff:ff:ff:ff:ff:ff $src)"
sleep 0.3
capture_end
assert_eq "$(tshark -r "$T_DIR/d1.pcap" -Y "eth.src == $src && !vlan" 2>/dev/null | wc -l)" 1 \
  "the frame as access port d1 received it: untagged"

step "bad requests are refused"
vctl capture sw0 nosuch 2>/dev/null && fail "capture of a missing port accepted"
vctl capture sw0 pa direction=sideways 2>/dev/null && fail "direction=sideways accepted"
"$VNETCTL" --socket "$T_SOCK" capture sw0 pa --direction sideways -w /dev/null 2>/dev/null &&
  fail "vnetctl accepted --direction sideways"
assert_eq "$(vctlj capture/list sw0 | jq '.captures | length')" 0 "no capture left behind"
assert_num "$(vctlj capture/list sw0 | jq .completed)" -ge 5 "completed captures counted"
assert_ping a 10.0.0.2 1
t_pass
