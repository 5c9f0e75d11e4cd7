#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 64-stream-client-restart - a client-mode stream port (QEMU listens with
# server=on, vnetd connects): vnetd connects once the listener appears, and
# after vnetd is restarted (the port comes back from the state file) it
# connects again by itself.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_stream.sh"

vnetd_start
vctl switch/add sw0
out=$(vctl port/add sw0 vm type=stream mode=client path="$T_DIR/qemu.sock")
echo "$out"
grep -q -- "-netdev stream,id=vm,server=on,addr.type=unix,addr.path=$T_DIR/qemu.sock" <<<"$out" ||
  fail "port/add did not print the QEMU argument"
assert_eq "$(port_field sw0 vm state)" down "nothing listens yet"
python3 "$STREAM_PY" listen "$T_DIR/qemu.sock" 25 >"$T_DIR/listen.out" 2>&1 &
T_BG+=("$!")
wait_for "grep -q '^connected 1' '$T_DIR/listen.out'" 15 || fail "vnetd never connected"
wait_for "[ \"\$(port_field sw0 vm state)\" = up ]" 5 || fail "port not up"
step "restarting vnetd"
vnetd_stop
wait_for "grep -q '^closed' '$T_DIR/listen.out'" 5 || fail "the peer did not see vnetd go"
vnetd_start
wait_for "grep -q '^connected 2' '$T_DIR/listen.out'" 15 || fail "vnetd did not reconnect after restart"
wait_for "[ \"\$(port_field sw0 vm state)\" = up ]" 5 || fail "port not up after restart"
cat "$T_DIR/listen.out"
t_pass
