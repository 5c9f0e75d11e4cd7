#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 02-vhost-restart - vnetd is killed with SIGKILL while two guests ping each
# other, then started again from its saved configuration: the ports come back
# without restarting the guests, and traffic resumes (ping goes on, then a TCP
# transfer runs over the new vnetd). vA is a client-mode port (the recommended
# mode: vnetd reconnects to QEMU's socket); vB a server-mode port, to which
# QEMU (reconnect=1) comes back on its own.
#
#   guest gA 10.0.0.1                  guest gB 10.0.0.2
#   QEMU chardev server=on             QEMU chardev client, reconnect=1
#        |  vA.sock                         |  vB.sock
#   [vhost-user vA, mode=client] -- sw0 -- [vhost-user vB, mode=server]
#                 ^ vnetd: kill -9 ... start again (same state dir)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_vm.sh"

vm_prepare
vnetd_start
vctl switch/add sw0
vctl port/add sw0 vA type=vhost-user mode=client path="$T_DIR/vA.sock"
vctl port/add sw0 vB type=vhost-user mode=server path="$T_DIR/vB.sock"

# gA pings for 45 s (0.2 s apart), then runs iperf3 against gB
vm_boot gB 10.0.0.2/24 52:54:00:00:0b:02 "vhost-user:$T_DIR/vB.sock" 'iperf3 -s -1'
vm_boot gA 10.0.0.1/24 52:54:00:00:0a:01 "vhost-user-server:$T_DIR/vA.sock" \
  'gwait 10.0.0.2 90 && iping -c 225 -i 0.2 -W 1 10.0.0.2; giperf 10.0.0.2 -t 3'
wait_port_state sw0 vA up 90
wait_port_state sw0 vB up 90
vm_wait gA 'gwait: 10.0.0.2 reachable' 120

# the highest icmp_seq gA has had an answer for so far
last_seq() {
  tr -d '\r' <"$T_DIR/gA.log" | sed -n 's/.*icmp_seq=\([0-9]*\) ttl.*/\1/p' | sort -n | tail -1
}
wait_for '[ "$(last_seq)" -ge 10 ] 2>/dev/null' 60 || fail "gA gets no ping replies"
s0=$(last_seq)
step "ping flows (reply to icmp_seq $s0); kill -9 vnetd"
vnetd_kill9
sleep 3
s1=$(last_seq)
echo "replies up to icmp_seq $s1 while vnetd was dead (should be about $s0)"

step "start vnetd again: the configuration comes back and the ports reconnect"
vnetd_start
wait_port_state sw0 vA up 60
wait_port_state sw0 vB up 60
assert_eq "$(vhost_info sw0 vA .counters.connects)" 1 "the new vnetd connected to gA's QEMU"
assert_eq "$(vhost_info sw0 vB .counters.connects)" 1 "gB's QEMU reconnected to the new vnetd"
wait_for "[ \"\$(last_seq)\" -ge $((s1 + 10)) ]" 60 ||
  fail "ping did not resume after the restart (last reply icmp_seq $(last_seq), before $s1)"
s2=$(last_seq)
echo "ok: ping resumed: replies up to icmp_seq $s2 after the restart"

rcA=$(vm_rc gA 240)
rcB=$(vm_rc gB 60)
vm_console gA | grep -vE 'icmp_seq=' || true
assert_eq "$rcA" 0 "gA: iperf3 to gB over the restarted vnetd succeeded"
assert_eq "$rcB" 0 "gB: served the iperf3 test"
rate=$(tr -d '\r' <"$T_DIR/gA.log" | awk '/sender$/ { print $(NF-3), $(NF-2) }' | tail -1)
echo "iperf3 after the restart: $rate"
[ -n "$rate" ] || fail "no iperf3 result after the restart"
[ "$(port_stat sw0 vA rx_gso)" -gt 0 ] || fail "no TSO frames after the restart"
assert_vnetd_alive
t_pass
