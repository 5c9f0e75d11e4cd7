#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 91-capture-stall - a capture client that stops reading (SIGSTOP) costs forwarding
# nothing: its ring fills, frames are dropped and counted, and after CAPTURE_STALL_S
# the capture is torn down and counted as stalled; the client, resumed, says so and
# exits 1. A capture nobody connects to is dropped and counted as abandoned. A
# capture socket left by a vnetd killed with SIGKILL is removed at the next start.
#
#   ns a 10.0.0.1            ns b 10.0.0.2
#        |                        |
#       pa (tap)                 pb (tap)
#   +----|------------------------|----+
#   |        vnetd switch sw0          |
#   +----------------------------------+
#        ^ vnetctl capture sw0 pa (then SIGSTOP)
. "$(dirname "$0")/../lib.sh"

require_cmd socat tcpdump
ns_add a b
vnetd_start
vctl switch/add sw0
tap_add sw0 pa a
tap_add sw0 pb b
ns_addr a "$(ifn pa)" 10.0.0.1/24
ns_addr b "$(ifn pb)" 10.0.0.2/24
assert_ping a 10.0.0.2 1

capj() {
  vctlj capture/list sw0
}

step "a capture nobody connects to"
# the bare control request, as a client other than vnetctl sends it
reply=$(echo '{"cmd":"capture","args":["sw0","pb","direction=in"]}' | socat -t 5 - "UNIX-CONNECT:$T_SOCK")
assert_eq "$(json_get "$reply" .ok)" true "capture request accepted"
[ -S "$(json_get "$reply" .result.socket)" ] || fail "no capture socket at $(json_get "$reply" .result.socket)"
assert_eq "$(capj | jq -r '.captures[0].state')" listening "state before a client connects"

step "a capture client that stops reading"
bg_run "$VNETCTL" --socket "$T_SOCK" capture sw0 pa -w "$T_DIR/stopped.pcap"
cap_pid=$BG_PID
wait_for "[ \"\$(capj | jq '[.captures[] | select(.state == \"running\")] | length')\" = 1 ]" 10 ||
  fail "capture did not start"
kill -STOP "$cap_pid"
at_exit "kill -CONT $cap_pid"

# 1400-byte pings in both directions: far more than the 4 MiB ring and the socket buffer
out=$(in_ns a ping -n -q -f -s 1400 -c 6000 -W 1 10.0.0.2 2>&1) || true
echo "$out" | tail -n 2
rcvd=$(echo "$out" | sed -n 's/.* \([0-9]*\) received.*/\1/p')
assert_num "${rcvd:-0}" -ge 5700 "flood ping replies while the capture client is stopped (of 6000)"
assert_ping a 10.0.0.2 3

step "the ring overflowed: frames dropped and counted, then the capture is torn down"
wait_for "[ \"\$(capj | jq .stalled)\" = 1 ]" 15 || fail "stalled capture not torn down: $(capj)"
assert_num "$(capj | jq .frames_dropped)" -gt 0 "frames dropped on the full ring"
assert_eq "$(capj | jq '[.captures[] | select(.port == "pa")] | length')" 0 "pa's capture gone"
assert_vnetd_alive

step "the resumed client learns it was dropped and exits 1"
kill -CONT "$cap_pid"
st=0
wait "$cap_pid" || st=$?
assert_eq "$st" 1 "exit status of the dropped client"
tcpdump -nr "$T_DIR/stopped.pcap" >"$T_DIR/stopped.txt" 2>&1 || fail "tcpdump cannot read the pcap"
assert_num "$(grep -c 'ICMP echo' "$T_DIR/stopped.txt")" -gt 0 "what it had read is a readable pcap"

step "the unconnected capture was abandoned"
wait_for "[ \"\$(capj | jq .abandoned)\" = 1 ]" 15 || fail "unconnected capture not dropped: $(capj)"
assert_eq "$(capj | jq '.captures | length')" 0 "no capture left"
assert_eq "$(find "$T_DIR" -maxdepth 1 -name 'vnetd.sock.cap-*' | wc -l)" 0 "capture sockets removed"

step "forwarding as before"
assert_ping a 10.0.0.2 3
assert_ping b 10.0.0.1 3

step "a capture socket left by a crashed vnetd is removed when vnetd starts again"
reply=$(echo '{"cmd":"capture","args":["sw0","pb"]}' | socat -t 5 - "UNIX-CONNECT:$T_SOCK")
assert_eq "$(json_get "$reply" .ok)" true "capture request accepted"
assert_eq "$(find "$T_DIR" -maxdepth 1 -name 'vnetd.sock.cap-*' -type s | wc -l)" 1 "capture socket made"
vnetd_kill9
assert_eq "$(find "$T_DIR" -maxdepth 1 -name 'vnetd.sock.cap-*' -type s | wc -l)" 1 "left behind by kill -9"
vnetd_start
assert_eq "$(find "$T_DIR" -maxdepth 1 -name 'vnetd.sock.cap-*' | wc -l)" 0 "stale capture socket swept"
t_pass
