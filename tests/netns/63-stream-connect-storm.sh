#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 63-stream-connect-storm - 200 rapid connects and disconnects on a stream port
# (some after a partial length prefix): vnetd stays up, leaks no fds, counts
# every connection, and the port works for the next peer.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_stream.sh"

vnetd_start
stream_pair
fds0=$(vnetd_fds)
speer storm "$T_DIR/a.sock" 200
wait_for "[ \"\$(port_info sw0 a disconnects)\" -ge 200 ]" 20 ||
  fail "a counted $(port_info sw0 a disconnects) disconnects, expected 200"
assert_num "$(port_info sw0 a connects)" -eq 200 "every connection accepted in turn"
assert_eq "$(port_field sw0 a state)" down "a waits again"
speer roundtrip "$T_DIR/a.sock" "$T_DIR/b.sock"
wait_for "[ \"\$(port_info sw0 a connected)\" = false ]" 10
fds1=$(vnetd_fds)
echo "vnetd fds: $fds0 before, $fds1 after"
assert_num "$fds1" -le "$fds0" "no fd leaked"
assert_vnetd_alive
t_pass
