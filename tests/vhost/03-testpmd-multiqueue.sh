#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 03-testpmd-multiqueue - two queue pairs per port: testpmd's virtio-user
# negotiates MQ, GET_QUEUE_NUM says 2, both transmit rings carry traffic into
# the switch, and port/list reports both pairs running.
#
#   testpmd --rxq=2 --txq=2 (io forwarding, one stream per queue)
#     net_virtio_user0 (queues=2) ---- v1.sock        v2.sock ---- net_virtio_user1 (queues=2)
#                     [vhost-user v1 queues=2] -- sw0 -- [vhost-user v2 queues=2]
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_testpmd.sh"

vnetd_start
vctl switch/add sw0
vctl port/add sw0 v1 type=vhost-user mode=server path="$T_DIR/v1.sock" queues=2
vctl port/add sw0 v2 type=vhost-user mode=server path="$T_DIR/v2.sock" queues=2

# cq=1: virtio-user's control queue, which tells the device how many pairs to use
tp_start tp "net_virtio_user0,path=$T_DIR/v1.sock,queues=2,cq=1" \
  "net_virtio_user1,path=$T_DIR/v2.sock,queues=2,cq=1" -- --forward-mode=io --rxq=2 --txq=2
wait_port_state sw0 v1 up
wait_port_state sw0 v2 up
assert_eq "$(vhost_info sw0 v1 .queues)" 2 "v1 configured with 2 queue pairs"
wait_for '[ "$(vhost_info sw0 v1 .queues_running)" = 2 ]' 10 ||
  fail "v1 runs $(vhost_info sw0 v1 .queues_running) queue pairs, expected 2"
echo "ok: both queue pairs running on v1"
case " $(vhost_info sw0 v1 '.features | join(" ")') " in
*" MQ "*) echo "ok: MQ negotiated" ;;
*) fail "MQ not negotiated" ;;
esac

tp_cmd tp "start tx_first 4"
sleep 3
tp_cmd tp "stop"
sleep 1
q1=$(vhost_info sw0 v1 '.vrings[1].packets')
q3=$(vhost_info sw0 v1 '.vrings[3].packets')
echo "v1 transmit rings: vring 1 carried $q1 frames, vring 3 carried $q3"
# tx_first puts 4 bursts of 32 on each queue; after that, frames come back on the
# receive ring the flow hash picks (one flow here), and testpmd forwards them on
# the matching queue
[ "$q1" -ge 128 ] && [ "$q3" -ge 128 ] || fail "both transmit rings should carry traffic"
[ $((q1 + q3)) -gt 10000 ] || fail "only $((q1 + q3)) frames forwarded in 3 s"
rx=$(port_stat sw0 v1 rx_packets)
assert_eq "$rx" "$((q1 + q3))" "v1 rx_packets = sum over its transmit rings"
tx=$(port_stat sw0 v2 tx_packets)
rxq=$(vhost_info sw0 v2 '[.vrings[] | select(.dir == "rx") | .packets] | add')
assert_eq "$rxq" "$tx" "v2 tx_packets = sum over its receive rings"
tp_quit tp
assert_vnetd_alive
t_pass
