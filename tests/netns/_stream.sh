# SPDX-License-Identifier: GPL-2.0-or-later
# _stream.sh - helpers of the stream/dgram port scenarios (60-69): a switch with
# two stream ports in server mode, and _stream.py playing QEMU on them.
# shellcheck shell=bash
require_cmd python3 jq
STREAM_PY="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/_stream.py"

# stream_pair - switch sw0 with stream ports a and b on $T_DIR/a.sock and $T_DIR/b.sock
stream_pair() {
  vctl switch/add sw0
  vctl port/add sw0 a type=stream mode=server path="$T_DIR/a.sock"
  vctl port/add sw0 b type=stream mode=server path="$T_DIR/b.sock"
}

# speer CMD ARGS... - run _stream.py (bounded by timeout); its output goes to the log
speer() {
  timeout 60 python3 "$STREAM_PY" "$@" || fail "_stream.py $1 failed"
}

# port_info SWITCH PORT FIELD - a field of a port's info object
port_info() {
  port_field "$1" "$2" "info.$3"
}

# vnetd_rss_kb - vnetd's resident set size in KiB
vnetd_rss_kb() {
  awk '/^VmRSS:/ { print $2 }' "/proc/$VNETD_PID/status"
}

# vnetd_fds - how many fds vnetd holds
vnetd_fds() {
  find "/proc/$VNETD_PID/fd" -mindepth 1 -maxdepth 1 | wc -l
}
