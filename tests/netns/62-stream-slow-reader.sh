#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 62-stream-slow-reader - a peer that never reads while another floods it with
# broadcast frames: vnetd does not block (the control socket answers during the
# flood), the transmit backlog stays within its limit, the excess is dropped and
# counted (tx_full), and vnetd's RSS stays bounded.
# vnet-test: serial
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_stream.sh"

vnetd_start
vctl switch/add sw0
vctl port/add sw0 slow type=stream path="$T_DIR/slow.sock" backlog=262144
vctl port/add sw0 fast type=stream path="$T_DIR/fast.sock"
rss0=$(vnetd_rss_kb)
step "flooding the slow peer for 6 s (RSS before: $rss0 KiB)"
python3 "$STREAM_PY" noread "$T_DIR/slow.sock" "$T_DIR/fast.sock" 6 >"$T_DIR/flood.out" 2>&1 &
flood=$!
T_BG+=("$flood")
sleep 2
# the control plane stays responsive in the middle of the flood
t0=$(date +%s%N)
vctl port/list sw0 >/dev/null || fail "vnetctl failed during the flood"
ms=$((($(date +%s%N) - t0) / 1000000))
echo "port/list during the flood: ${ms} ms"
assert_num "$ms" -lt 5000 "control socket latency during the flood"
backlog=$(port_info sw0 slow backlog)
echo "slow backlog mid-flood: $backlog"
assert_num "$backlog" -le 262144 "backlog within its limit"
rss1=$(vnetd_rss_kb)
wait "$flood" || fail "flood peer failed: $(cat "$T_DIR/flood.out")"
cat "$T_DIR/flood.out"
sent=$(awk '/^sent/ { print $2 }' "$T_DIR/flood.out")
rss2=$(vnetd_rss_kb)
echo "RSS: before $rss0 KiB, mid-flood $rss1 KiB, after $rss2 KiB; frames sent $sent"
assert_num "$sent" -gt 1000 "the fast peer got frames through"
assert_num "$(port_drop sw0 slow tx_full)" -gt 0 "frames for the slow peer dropped as tx_full"
assert_num "$(port_info sw0 slow backlog_max)" -le 262144 "backlog never over its limit"
# pool buffers and both socket buffers are preallocated: growth beyond a few MiB means a leak
assert_num $((rss2 - rss0)) -lt 16384 "RSS growth under the flood (KiB)"
assert_vnetd_alive
t_pass
