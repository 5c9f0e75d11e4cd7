#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 60-stream-lengths - a stream port's peer sends length prefixes 0 and 1 (runts:
# skipped and counted, the stream stays in sync, the next frame crosses the
# switch intact), then 70000 (over the maximum frame: the connection is dropped
# and counted as stream_length); the peer reconnects and frames flow again.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_stream.sh"

vnetd_start
stream_pair
assert_eq "$(port_field sw0 a state)" down "a waits for QEMU"
speer lengths "$T_DIR/a.sock" "$T_DIR/b.sock"
assert_num "$(port_drop sw0 a runt)" -eq 2 "runts (lengths 0 and 1) counted on a"
assert_num "$(port_drop sw0 a stream_length)" -eq 1 "length 70000 counted on a"
assert_num "$(port_info sw0 a bad_length)" -eq 1 "a's bad_length"
assert_num "$(port_info sw0 a connects)" -eq 2 "a: connected, dropped, connected again"
assert_num "$(port_stat sw0 b tx_packets)" -ge 2 "both good frames reached b"
assert_vnetd_alive
t_pass
