#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 61-stream-mid-frame - a stream port's peer closes in the middle of a frame:
# the half frame is dropped and counted (rx_error, info.truncated), the port
# goes down and waits again, and the next connection starts clean.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_stream.sh"

vnetd_start
stream_pair
speer midframe "$T_DIR/a.sock" "$T_DIR/b.sock"
assert_num "$(port_info sw0 a truncated)" -eq 1 "half frame counted as truncated"
assert_num "$(port_drop sw0 a rx_error)" -eq 1 "half frame counted as rx_error"
assert_num "$(port_info sw0 a disconnects)" -ge 1 "a saw the peer leave"
assert_vnetd_alive
t_pass
