#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 65-dgram-bad-input - a dgram port: datagrams from a socket other than peer=,
# runts and an over-long datagram are dropped and counted; frames from the
# peer cross the switch to a stream port intact; port/add prints the QEMU
# argument.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_stream.sh"

vnetd_start
vctl switch/add sw0
out=$(vctl port/add sw0 d type=dgram path="$T_DIR/d.sock" peer="$T_DIR/q.sock" mtu=9000)
echo "$out"
grep -q -- "-netdev dgram,id=d,local.type=unix,local.path=$T_DIR/q.sock,remote.type=unix,remote.path=$T_DIR/d.sock" <<<"$out" ||
  fail "port/add did not print the QEMU argument"
vctl port/add sw0 s type=stream path="$T_DIR/s.sock" mtu=9000
timeout 30 python3 - "$T_DIR" <<'PY' || fail "dgram peer checks failed"
import socket, struct, sys, time, select
d = sys.argv[1]
st = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); st.connect(d + "/s.sock"); time.sleep(0.3)
q = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); q.bind(d + "/q.sock")
x = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); x.bind(d + "/x.sock")
q.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
f = b"\xff" * 6 + b"\x52\x54\0\0\0\x0d" + b"\x88\xb5" + b"\x09" * 9000
x.sendto(f, d + "/d.sock")             # foreign source
q.sendto(b"\x00" * 10, d + "/d.sock")  # runt
q.sendto(b"\x00" * 70000, d + "/d.sock")  # longer than any frame
q.sendto(f, d + "/d.sock")             # a jumbo frame, no 1504-byte cap
end = time.monotonic() + 10
buf = b""
while time.monotonic() < end:
    r, _, _ = select.select([st], [], [], 0.5)
    if r:
        buf += st.recv(65536)
    while len(buf) >= 4 and len(buf) >= 4 + struct.unpack(">I", buf[:4])[0]:
        n = struct.unpack(">I", buf[:4])[0]
        fr, buf = buf[4:4 + n], buf[4 + n:]
        if fr[12:14] == b"\x88\xb5":
            assert fr == f, "frame changed"
            print("jumbo frame from the dgram peer reached the stream peer")
            sys.exit(0)
sys.exit("frame never arrived")
PY
assert_num "$(port_info sw0 d foreign)" -eq 1 "foreign datagram counted"
assert_num "$(port_drop sw0 d rx_error)" -eq 1 "foreign datagram dropped"
assert_num "$(port_drop sw0 d runt)" -eq 1 "runt dropped"
assert_num "$(port_drop sw0 d oversize)" -eq 1 "70000-byte datagram dropped"
assert_vnetd_alive
t_pass
