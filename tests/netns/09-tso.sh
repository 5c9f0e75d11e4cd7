#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 09-tso - TCP between two namespaces crosses the switch as TSO super-frames, end to end:
# counted as GSO on input and output, never segmented in software, and the average frame
# is far larger than the 1500-byte MTU.
#
#   ns a: iperf3 -c 10.0.0.2 -t 3          ns b: iperf3 -s
#   vt<ID>-pa 10.0.0.1/24                     vt<ID>-pb 10.0.0.2/24
#        |  tap, IFF_VNET_HDR + TSO              |  tap, IFF_VNET_HDR + TSO
#       pa                                      pb
#   +----|---------------------------------------|----+
#   |               vnetd switch sw0                  |
#   +-------------------------------------------------+
. "$(dirname "$0")/../lib.sh"
require_cmd iperf3

ns_add a b
vnetd_start
vctl switch/add sw0
tap_add sw0 pa a
tap_add sw0 pb b
ns_addr a "$(ifn pa)" 10.0.0.1/24
ns_addr b "$(ifn pb)" 10.0.0.2/24
assert_ping a 10.0.0.2

step "the taps offer TSO to the namespaces"
if command -v ethtool >/dev/null; then
  in_ns a ethtool -k "$(ifn pa)" | grep -E '^(tcp-segmentation-offload|tx-checksumming|scatter-gather):'
  assert_eq "$(in_ns a ethtool -k "$(ifn pa)" | awk '/^tcp-segmentation-offload:/ { print $2 }')" on \
    "TSO on a's tap"
fi

vctl stats/clear sw0
step "iperf3 TCP a -> b for 3 s"
bg_run in_ns b iperf3 -s -1 -B 10.0.0.2
wait_for "in_ns b ss -ltn | grep -q ':5201 '" 10 || fail "iperf3 server did not start"
out=$(in_ns a timeout 30 iperf3 -c 10.0.0.2 -t 3 -J) || fail "iperf3 failed: $(echo "$out" | tail -n 5)"
gbps=$(echo "$out" | jq -r '.end.sum_received.bits_per_second / 1e9 | . * 100 | floor / 100')
echo "throughput: $gbps Gbit/s"

vctl stats/show sw0
j=$(vctlj stats/show sw0)
pa() { json_get "$j" ".ports[] | select(.name == \"pa\") | .$1"; }
pb() { json_get "$j" ".ports[] | select(.name == \"pb\") | .$1"; }
step "super-frames in and out, none segmented"
assert_num "$(pa rx_gso)" -gt 0 "GSO frames received from a (pa rx_gso)"
assert_num "$(pb tx_gso)" -gt 0 "GSO frames sent to b (pb tx_gso)"
assert_num "$(pa gso_segmented)" -eq 0 "pa gso_segmented"
assert_num "$(pb gso_segmented)" -eq 0 "pb gso_segmented"
avg=$(($(pa rx_bytes) / ($(pa rx_packets) + 1)))
echo "average frame from a: $avg bytes ($(pa rx_packets) frames, $(pa rx_bytes) bytes)"
assert_num "$avg" -gt 6000 "average bytes per frame from a (MTU 1500)"
avg=$(($(pb tx_bytes) / ($(pb tx_packets) + 1)))
assert_num "$avg" -gt 6000 "average bytes per frame to b"
assert_num "$(pa drops_total)" -eq 0 "drops on pa"

t_pass
