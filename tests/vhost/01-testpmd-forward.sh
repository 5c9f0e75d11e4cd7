#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 01-testpmd-forward - DPDK virtio-user front-ends on two vhost-user server
# ports exchange frames through vnetd; counters agree on both sides; the
# ports go down when testpmd quits or is killed, and come back when it returns.
#
#   testpmd (io forwarding, "start tx_first")
#     net_virtio_user0 ---- v1.sock                        v2.sock ---- net_virtio_user1
#                            [vhost-user v1] -- sw0 -- [vhost-user v2]
#                                   (mode=server)      (mode=server)
#
# Frames loop: testpmd sends a first burst on each port, vnetd floods/forwards
# it to the other port, testpmd forwards what it receives back out of the
# other port, and so on.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_testpmd.sh"

vnetd_start
vctl switch/add sw0
vctl port/add sw0 v1 type=vhost-user mode=server path="$T_DIR/v1.sock"
vctl port/add sw0 v2 type=vhost-user mode=server path="$T_DIR/v2.sock"
assert_eq "$(port_field sw0 v1 state)" down "v1 down before a front-end connects"

step "testpmd connects to both ports"
tp_start tp "net_virtio_user0,path=$T_DIR/v1.sock,queues=1" \
  "net_virtio_user1,path=$T_DIR/v2.sock,queues=1" -- --forward-mode=io
wait_port_state sw0 v1 up
wait_port_state sw0 v2 up
feat=$(vhost_info sw0 v1 '.features | join(" ")')
echo "negotiated on v1: $feat"
# (DPDK virtio-user has no EVENT_IDX; the QEMU guest tests check it)
for f in VERSION_1 MRG_RXBUF; do
  case " $feat " in
  *" $f "*) echo "ok: $f negotiated" ;;
  *) fail "$f not negotiated with testpmd (got: $feat)" ;;
  esac
done
assert_eq "$(vhost_info sw0 v1 .connected)" true "v1 reports a connection"

step "idle: vnetd must not spin while both front-ends are connected"
t0=$(cpu_ticks "$VNETD_PID")
sleep 3
t1=$(cpu_ticks "$VNETD_PID")
echo "vnetd used $((t1 - t0)) clock ticks in 3 s idle"
[ $((t1 - t0)) -le 10 ] || fail "vnetd used $((t1 - t0)) ticks (> 10) while idle"

step "traffic: start tx_first 4, forward for 3 s"
tp_cmd tp "start tx_first 4"
sleep 3
tp_cmd tp "stop"
sleep 1
tx0=$(tp_port_stat tp 0 TX-packets)
rx0=$(tp_port_stat tp 0 RX-packets)
tx1=$(tp_port_stat tp 1 TX-packets)
rx1=$(tp_port_stat tp 1 RX-packets)
v1rx=$(port_stat sw0 v1 rx_packets)
v1tx=$(port_stat sw0 v1 tx_packets)
v2rx=$(port_stat sw0 v2 rx_packets)
v2tx=$(port_stat sw0 v2 tx_packets)
echo "testpmd: port0 tx=$tx0 rx=$rx0, port1 tx=$tx1 rx=$rx1"
echo "vnetd:   v1 rx=$v1rx tx=$v1tx, v2 rx=$v2rx tx=$v2tx"
[ "$tx0" -ge 10000 ] || fail "only $tx0 frames forwarded in 3 s"
# every frame testpmd sent, vnetd received (nothing is in flight after stop)
assert_eq "$v1rx" "$tx0" "vnetd v1 rx_packets = testpmd port0 TX-packets"
assert_eq "$v2rx" "$tx1" "vnetd v2 rx_packets = testpmd port1 TX-packets"
# everything vnetd sent, testpmd received, except at most one ring's worth still queued
[ "$v1tx" -ge "$rx0" ] && [ $((v1tx - rx0)) -le 256 ] ||
  fail "v1 tx_packets $v1tx vs testpmd port0 RX-packets $rx0"
[ "$v2tx" -ge "$rx1" ] && [ $((v2tx - rx1)) -le 256 ] ||
  fail "v2 tx_packets $v2tx vs testpmd port1 RX-packets $rx1"
echo "ok: counters agree on both sides"
assert_eq "$(port_drop sw0 v1 bad_vnet_hdr)" 0 "no bad virtio-net headers"
assert_eq "$(vhost_info sw0 v1 .violations)" 0 "no protocol violations"
zc=$(vhost_info sw0 v1 '[.vrings[] | select(.dir == "tx") | .zerocopy] | add')
echo "v1: $zc frames passed zero-copy"
[ "$zc" -gt 0 ] || fail "no zero-copy frames from testpmd's single-segment mbufs"

step "testpmd quits: both ports go down"
tp_quit tp
wait_port_state sw0 v1 down
wait_port_state sw0 v2 down
echo "v1 down_reason: $(port_field sw0 v1 down_reason)"

step "testpmd comes back: ports up again, traffic flows again"
tp_start tp2 "net_virtio_user0,path=$T_DIR/v1.sock,queues=1" \
  "net_virtio_user1,path=$T_DIR/v2.sock,queues=1" -- --forward-mode=io
wait_port_state sw0 v1 up
wait_port_state sw0 v2 up
before=$(port_stat sw0 v1 rx_packets)
tp_cmd tp2 "start tx_first 4"
sleep 2
tp_cmd tp2 "stop"
sleep 1
after=$(port_stat sw0 v1 rx_packets)
echo "v1 rx_packets $before -> $after"
[ $((after - before)) -ge 1000 ] || fail "traffic did not resume after testpmd restarted"

step "testpmd killed with SIGKILL: ports go down; a new one brings them up"
tp_kill9 tp2
wait_port_state sw0 v1 down
wait_port_state sw0 v2 down
tp_start tp3 "net_virtio_user0,path=$T_DIR/v1.sock,queues=1" \
  "net_virtio_user1,path=$T_DIR/v2.sock,queues=1" -- --forward-mode=io
wait_port_state sw0 v1 up
wait_port_state sw0 v2 up
before=$(port_stat sw0 v2 rx_packets)
tp_cmd tp3 "start tx_first 4"
sleep 2
tp_cmd tp3 "stop"
sleep 1
after=$(port_stat sw0 v2 rx_packets)
echo "v2 rx_packets $before -> $after"
[ $((after - before)) -ge 1000 ] || fail "traffic did not resume after a SIGKILLed testpmd"
tp_quit tp3
assert_vnetd_alive
t_pass
