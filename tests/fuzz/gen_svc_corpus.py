#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
# gen_svc_corpus.py - write the seed corpora of fuzz_dhcp and fuzz_dns (run from the repo root).
import os
import struct

NET = 0x0A000000
SERVER = NET | 254


def opt(code, val):
    return bytes([code, len(val)]) + val


def bootp(mtype, mac, ciaddr=0, opts=b"", flags=0, end=True):
    b = struct.pack("!BBBBIHHIIII", 1, 1, 6, 0, 0x1234 + mac, 0, flags, ciaddr, 0, 0, 0)
    b += bytes([0x52, 0x54, 0, 0, 0, mac]) + bytes(10) + bytes(64) + bytes(128)
    b += struct.pack("!I", 0x63825363) + opt(53, bytes([mtype])) + opts
    return b + (b"\xff" if end else b"")


def rec(payload, flags=0, port=1, step=0):
    return struct.pack("!BBBH", flags, port, step, len(payload)) + payload


def ip(x):
    return struct.pack("!I", NET | x)


DHCP = {
    "dora": rec(bootp(1, 1, opts=opt(12, b"vm1"))) + rec(bootp(3, 1, opts=opt(50, ip(128)) + opt(54, ip(254)) + opt(12, b"vm1"))),
    "renew_rebind": rec(bootp(1, 1)) + rec(bootp(3, 1, opts=opt(50, ip(128)) + opt(54, ip(254))))
    + rec(bootp(3, 1, ciaddr=NET | 128), flags=2 | 4, step=200) + rec(bootp(3, 1, ciaddr=NET | 128), step=250),
    "init_reboot": rec(bootp(3, 2, opts=opt(50, ip(129)))) + rec(bootp(3, 3, opts=opt(50, ip(129))), port=2),
    "decline": rec(bootp(1, 1)) + rec(bootp(3, 1, opts=opt(50, ip(128)) + opt(54, ip(254))))
    + rec(bootp(4, 1, opts=opt(50, ip(128)) + opt(54, ip(254)))) + rec(bootp(1, 1)),
    "release": rec(bootp(1, 1)) + rec(bootp(3, 1, opts=opt(50, ip(128)) + opt(54, ip(254))))
    + rec(bootp(7, 1, ciaddr=NET | 128, opts=opt(54, ip(254))), flags=2 | 4),
    "inform": rec(bootp(8, 9, ciaddr=NET | 30), flags=2 | 4),
    "exhaust": b"".join(rec(bootp(1, m)) + rec(bootp(3, m, opts=opt(50, ip(127 + m)) + opt(54, ip(254)))) for m in range(1, 7)),
    "reserved": rec(bootp(1, 0x50)) + rec(bootp(3, 0x50, opts=opt(50, ip(50)) + opt(54, ip(254)))),
    "port_move": rec(bootp(3, 4, opts=opt(50, ip(130))), port=1) + rec(bootp(3, 4, opts=opt(50, ip(130))), port=2)
    + rec(bootp(3, 4, opts=opt(50, ip(130))), port=3),
    "no_end": rec(bootp(1, 1, end=False)),
    "overload": rec(bootp(1, 1, opts=opt(52, b"\x03"))),
    "overrun": rec(bootp(1, 1, end=False) + b"\x0c\xff\x41"),
    "raw_frame": rec(bytes(14) + b"\x45" + bytes(50), flags=1),
}


def name(s):
    out = b""
    for label in s.split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\x00"


def query(n, qtype=1, flags=0x0100, qd=1):
    return struct.pack("!HHHHHH", 0xABCD, flags, qd, 0, 0, 0) + name(n) + struct.pack("!HH", qtype, 1)


DNS = {
    "a_local": b"\x00" + query("vm1.lab"),
    "a_bare": b"\x01" + query("vm1"),
    "aaaa_local": b"\x00" + query("vm1.lab", 28),
    "ptr": b"\x00" + query("130.0.0.10.in-addr.arpa", 12),
    "forward": b"\x01" + query("www.example.org"),
    "nx": b"\x00" + query("nope.lab"),
    "frame": b"\x03" + query("vm1.lab"),
    "loop": b"\x00" + struct.pack("!HHHHHH", 1, 0, 1, 0, 0, 0) + b"\x01a\xc0\x0c" + b"\x00\x01\x00\x01",
    "self_ptr": b"\x00" + struct.pack("!HHHHHH", 1, 0, 1, 0, 0, 0) + b"\xc0\x0c\x00\x01\x00\x01",
    "back_ptr": b"\x00" + struct.pack("!HHHHHH", 1, 0, 1, 0, 0, 0) + name("lab") + b"\x00\x01\x00\x01",
    "huge_counts": b"\x00" + struct.pack("!HHHHHH", 1, 0, 0xFFFF, 0xFFFF, 0xFFFF, 0xFFFF) + name("a.lab") + b"\x00\x01\x00\x01",
    "truncated": b"\x00" + query("vm1.lab")[:16],
    "long_name": b"\x00" + query(".".join(["a" * 63] * 4)),
    "opcode": b"\x00" + query("vm1.lab", flags=0x1000),
}

for target, seeds in (("fuzz_dhcp", DHCP), ("fuzz_dns", DNS)):
    d = os.path.join("tests", "fuzz", "corpus", target)
    os.makedirs(d, exist_ok=True)
    for k, v in seeds.items():
        with open(os.path.join(d, "seed_" + k), "wb") as f:
            f.write(v)
