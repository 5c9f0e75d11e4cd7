#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""_stream.py - a QEMU -netdev stream peer for the stream port scenarios (60-69).

Plays the VM side of a vnet stream port on a unix socket: 4-byte big-endian
length, then the frame. Every wait is bounded. Prints one line per result;
exit status 0 when every check held, 1 with the reason otherwise.

  lengths A B        on port A send lengths 0 and 1, then a frame; B must get
                     exactly that frame; then 70000: A must be disconnected;
                     A reconnects and its next frame reaches B
  midframe A B       A sends half a frame and closes; reconnected, a whole
                     frame reaches B intact (nothing of the half is left)
  noread SLOW FAST S SLOW connects and never reads; FAST floods broadcast
                     frames for S seconds; prints frames sent
  storm A N          N connects to A, each closed at once (every third one
                     after a partial prefix)
  roundtrip A B      one frame A -> B and one B -> A (the ports work)
  listen PATH S      play QEMU's server=on: listen on PATH for S seconds,
                     print "connected N" for each connection vnetd makes
"""
import os
import select
import socket
import struct
import sys
import time

BCAST = b"\xff" * 6
ETYPE = b"\x88\xb5"  # local experimental ethertype: no guard or service touches it


def mac(n):
    return bytes([0x52, 0x54, 0, 0, 0, n])


def frame(src, size, mark):
    body = BCAST + mac(src) + ETYPE
    return body + bytes([mark]) * (size - len(body))


def wire(f):
    return struct.pack(">I", len(f)) + f


def connect(path, tmo=10.0):
    end = time.monotonic() + tmo
    while True:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.monotonic() > end:
                raise
            time.sleep(0.05)


def recv_exact(s, n, end):
    out = b""
    while len(out) < n:
        left = end - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out reading")
        r, _, _ = select.select([s], [], [], left)
        if not r:
            continue
        b = s.recv(n - len(out))
        if not b:
            raise EOFError("connection closed")
        out += b
    return out


def recv_frame(s, want_mark, tmo=10.0):
    """next frame on s carrying payload mark want_mark (others, e.g. IPv6 noise, skipped)"""
    end = time.monotonic() + tmo
    while True:
        n = struct.unpack(">I", recv_exact(s, 4, end))[0]
        f = recv_exact(s, n, end)
        if len(f) > 14 and f[12:14] == ETYPE and f[14] == want_mark:
            return f


def expect_eof(s, tmo=10.0):
    end = time.monotonic() + tmo
    try:
        while time.monotonic() < end:
            r, _, _ = select.select([s], [], [], 0.2)
            if r and not s.recv(65536):
                return True
    except ConnectionResetError:
        return True
    return False


def die(msg):
    print("FAIL:", msg)
    sys.exit(1)


def settle(s):
    """give vnetd time to accept, so the next frames are read on this connection"""
    time.sleep(0.3)


def cmd_lengths(a, b):
    rb = connect(b)
    sa = connect(a)
    settle(sa)
    f1 = frame(0xA, 60, 1)
    sa.sendall(wire(b"") + wire(b"\x00") + wire(f1))
    got = recv_frame(rb, 1)
    if got != f1:
        die("frame after the runts arrived changed")
    print("runts skipped, stream in sync")
    sa.sendall(struct.pack(">I", 70000) + b"\x00" * 64)
    if not expect_eof(sa):
        die("length 70000 did not drop the connection")
    print("length 70000: connection dropped")
    sa.close()
    sa = connect(a)
    settle(sa)
    f2 = frame(0xA, 1514, 2)
    sa.sendall(wire(f2))
    if recv_frame(rb, 2) != f2:
        die("frame after reconnecting arrived changed")
    print("reconnected: frames flow again")


def cmd_midframe(a, b):
    rb = connect(b)
    sa = connect(a)
    settle(sa)
    f = frame(0xA, 1000, 3)
    sa.sendall(wire(f)[:500])
    time.sleep(0.3)
    sa.close()
    sa = connect(a)
    settle(sa)
    f4 = frame(0xA, 800, 4)
    sa.sendall(wire(f4))
    got = recv_frame(rb, 4)
    if got != f4:
        die("frame after a mid-frame close arrived changed")
    rb.setblocking(False)
    print("half frame discarded; next connection clean")


def cmd_noread(slow, fast, secs):
    ss = connect(slow)  # never reads
    sf = connect(fast)
    settle(sf)
    sf.setblocking(False)
    f = wire(frame(0xB, 1514, 5))
    sent = 0
    end = time.monotonic() + float(secs)
    while time.monotonic() < end and sent < 5_000_000:
        try:
            sf.sendall(f)
            sent += 1
        except BlockingIOError:
            select.select([], [sf], [], 0.1)
    print("sent", sent)
    ss.close()
    sf.close()


def cmd_storm(a, n):
    for i in range(int(n)):
        s = connect(a)
        if i % 3 == 0:
            s.send(b"\x00\x00")
        s.close()
    print("storm of", n, "connects done")


def cmd_roundtrip(a, b):
    sa = connect(a)
    sb = connect(b)
    settle(sb)
    fa = frame(0xA, 200, 6)
    sa.sendall(wire(fa))
    if recv_frame(sb, 6) != fa:
        die("A -> B frame changed")
    fb = frame(0xB, 200, 7)
    sb.sendall(wire(fb))
    if recv_frame(sa, 7) != fb:
        die("B -> A frame changed")
    print("roundtrip ok")


def cmd_listen(path, secs):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ls.bind(path)
    ls.listen(4)
    conns = []
    n = 0
    end = time.monotonic() + float(secs)
    while time.monotonic() < end:
        r, _, _ = select.select([ls] + conns, [], [], 0.2)
        for s in r:
            if s is ls:
                c, _ = ls.accept()
                conns.append(c)
                n += 1
                print("connected", n, flush=True)
            else:
                try:
                    if not s.recv(65536):
                        raise ConnectionResetError
                except ConnectionResetError:
                    conns.remove(s)
                    s.close()
                    print("closed", flush=True)


def main():
    cmds = {"lengths": cmd_lengths, "midframe": cmd_midframe, "noread": cmd_noread,
            "storm": cmd_storm, "roundtrip": cmd_roundtrip, "listen": cmd_listen}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        print(__doc__)
        sys.exit(2)
    try:
        cmds[sys.argv[1]](*sys.argv[2:])
    except (OSError, EOFError, TimeoutError) as e:
        die(f"{sys.argv[1]}: {e!r}")


if __name__ == "__main__":
    main()
