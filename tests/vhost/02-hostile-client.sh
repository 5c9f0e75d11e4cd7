#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 02-hostile-client - a hostile vhost-user front-end (tests/tools/vhost_hostile)
# sends every kind of bad message and bad descriptor to port h1, one attack per
# connection. Each one gets the port reset (connection closed, counted) or the
# frame dropped and counted; vnetd survives, leaks no fds, and the testpmd pair
# on v1/v2 keeps forwarding the whole time.
#
#   testpmd (io loop)                               vhost_hostile
#   net_virtio_user0   net_virtio_user1             (bad messages, forged rings,
#        |                  |                        a memfd it truncates...;
#        |                  |                        testpmd's unknown-unicast
#        |                  |                        frames flood to h1 and meet
#        |                  |                        its forged receive ring)
#     v1.sock            v2.sock                         h1.sock
#   [vhost-user v1] -- [vhost-user v2] -- sw0 -- [vhost-user h1]
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_testpmd.sh"
require_tool vhost_hostile

vnetd_start
vctl switch/add sw0
vctl port/add sw0 v1 type=vhost-user mode=server path="$T_DIR/v1.sock"
vctl port/add sw0 v2 type=vhost-user mode=server path="$T_DIR/v2.sock"
vctl port/add sw0 h1 type=vhost-user mode=server path="$T_DIR/h1.sock"

tp_start tp "net_virtio_user0,path=$T_DIR/v1.sock,queues=1" \
  "net_virtio_user1,path=$T_DIR/v2.sock,queues=1" -- --forward-mode=io
wait_port_state sw0 v1 up
wait_port_state sw0 v2 up
fds0=$(ls "/proc/$VNETD_PID/fd" | wc -l)
echo "vnetd has $fds0 fds open before the attacks"

step "testpmd forwards through v1/v2 while the attacks run"
tp_cmd tp "start tx_first 4"
sleep 1
rx0=$(port_stat sw0 v1 rx_packets)

"$TOOLS/vhost_hostile" -l
n_reset=$("$TOOLS/vhost_hostile" -l | awk '$2 == "RESET"' | wc -l)
step "vhost_hostile: $n_reset attacks expect a reset"
# -r: receive-ring attacks too; testpmd's frames to unknown MACs are flooded to h1
"$TOOLS/vhost_hostile" -r -s "$T_DIR/h1.sock" || fail "vnetd reacted unexpectedly to a hostile client (above)"
assert_vnetd_alive

rx1=$(port_stat sw0 v1 rx_packets)
echo "v1 rx_packets during the attacks: $rx0 -> $rx1"
[ $((rx1 - rx0)) -ge 1000 ] || fail "v1/v2 stopped forwarding during the attacks"
assert_eq "$(port_field sw0 v1 state)" up "v1 still up"
assert_eq "$(port_field sw0 v2 state)" up "v2 still up"
assert_eq "$(vhost_info sw0 v1 .violations)" 0 "v1 untouched"

viol=$(vhost_info sw0 h1 .violations)
echo "h1: $viol violations counted; last: $(vhost_info sw0 h1 .last_violation)"
[ "$viol" -ge "$n_reset" ] || fail "h1 counted $viol violations, expected at least $n_reset"
[ "$(port_drop sw0 h1 bad_vnet_hdr)" -ge 1 ] || fail "bad virtio-net header not counted on h1"
[ "$(port_drop sw0 h1 runt)" -ge 2 ] || fail "runt frames not counted on h1"
echo "ok: h1 drops: bad_vnet_hdr=$(port_drop sw0 h1 bad_vnet_hdr) runt=$(port_drop sw0 h1 runt)"
grep -q 'SIGBUS' "$VNETD_LOG" || fail "the truncated-memory attack was not caught by the SIGBUS guard"
echo "ok: SIGBUS from a shrunk memory file was contained: $(grep -m1 SIGBUS "$VNETD_LOG")"

tp_cmd tp "stop"
wait_port_state sw0 h1 down
fds1=$(ls "/proc/$VNETD_PID/fd" | wc -l)
echo "vnetd has $fds1 fds open after the attacks"
assert_eq "$fds1" "$fds0" "no fd leaked by any attack"

step "h1 still works for a well-behaved client afterwards"
"$TOOLS/vhost_hostile" -s "$T_DIR/h1.sock" -c good-frame || fail "h1 refuses a good client after the attacks"
tp_quit tp
assert_vnetd_alive
t_pass
