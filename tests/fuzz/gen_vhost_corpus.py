#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""gen_vhost_corpus.py - write the seed corpora of fuzz_virtq and fuzz_vhost_msg.

Seeds are well-formed starting points (a QEMU-like bring-up, rings holding real
frames, indirect tables, mergeable receive buffers) plus a few classic attacks,
in the input formats documented at the top of each fuzz target. Run from the
repository root: python3 tests/fuzz/gen_vhost_corpus.py
"""
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

# virtio / vhost-user constants
F_CSUM, F_GUEST_CSUM, F_GUEST_TSO4, F_HOST_TSO4 = 0, 1, 7, 11
F_MRG_RXBUF, F_INDIRECT, F_EVENT_IDX, F_VERSION_1 = 15, 28, 29, 32
F_LOG_ALL, F_PROTOCOL = 26, 30
D_NEXT, D_WRITE, D_INDIRECT = 1, 2, 4
(GET_FEATURES, SET_FEATURES, SET_OWNER, RESET_OWNER, SET_MEM_TABLE, SET_LOG_BASE,
 SET_LOG_FD, SET_VRING_NUM, SET_VRING_ADDR, SET_VRING_BASE, GET_VRING_BASE,
 SET_VRING_KICK, SET_VRING_CALL, SET_VRING_ERR, GET_PROTOCOL_FEATURES,
 SET_PROTOCOL_FEATURES, GET_QUEUE_NUM, SET_VRING_ENABLE, SEND_RARP,
 NET_SET_MTU) = range(1, 21)
RESET_DEVICE, GET_MAX_MEM_SLOTS, ADD_MEM_REG, REM_MEM_REG = 34, 36, 37, 38


def bits(*b):
    v = 0
    for x in b:
        v |= 1 << x
    return v


def desc(addr, length, flags=0, nxt=0):
    return struct.pack("<QIHH", addr, length, flags, nxt)


def frame(size=60, src=b"\x02\x00\x00\x00\x00\x01"):
    """broadcast IPv4/UDP-ish frame of @size bytes"""
    f = b"\xff" * 6 + src + b"\x08\x00"
    ip = bytes([0x45, 0, (size - 14) >> 8, (size - 14) & 0xff, 0, 0, 0, 0, 64, 17, 0, 0,
                10, 0, 0, 1, 10, 0, 0, 2])
    f += ip
    return f + bytes((i * 7) & 0xff for i in range(size - len(f)))


def tcp_frame(payload=1000):
    """IPv4/TCP frame for a TSO header"""
    size = 14 + 20 + 20 + payload
    f = b"\x52\x54\x00\x00\x00\x02\x52\x54\x00\x00\x00\x01\x08\x00"
    f += bytes([0x45, 0, (size - 14) >> 8, (size - 14) & 0xff, 0, 1, 0x40, 0, 64, 6, 0, 0,
                10, 0, 0, 1, 10, 0, 0, 2])
    f += struct.pack(">HHIIBBHHH", 40000, 5201, 1, 0, 0x50, 0x18, 65535, 0, 0)
    return f + b"\xaa" * payload


def vnet_hdr(flags=0, gso=0, hdr_len=0, gso_size=0, cstart=0, coff=0, nbuf=0):
    return struct.pack("<BBHHHHH", flags, gso, hdr_len, gso_size, cstart, coff, nbuf)


class Mem:
    """a guest memory image"""

    def __init__(self, size):
        self.b = bytearray(size)

    def put(self, off, data):
        self.b[off:off + len(data)] = data

    def ring(self, off, num, heads, avail_off=0x1000):
        for i, h in enumerate(heads):
            self.put(off + avail_off + 4 + 2 * (i % num), struct.pack("<H", h))
        self.put(off + avail_off, struct.pack("<HH", 0, len(heads)))

    def bytes(self, end):
        return bytes(self.b[:end])


def write(target, name, data):
    # guest memory starts zeroed, so trailing zeros need not be stored
    data = data.rstrip(b"\0") or b"\0"
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- fuzz_virtq: flags, log2(num), frame size, memory image at GPA 0x10000 ----
GPA = 0x10000
TX, RX, BUF = 0x0, 0x4000, 0x8000
ALL = 1 | 2 | 4 | 8 | 16


def virtq_seed(name, flags, lognum, fsize, mem, end=0xC000):
    write("fuzz_virtq", name, bytes([flags, lognum]) + struct.pack("<H", fsize) + mem.bytes(end))


m = Mem(0x10000)
m.put(BUF, vnet_hdr() + frame(60))
m.put(TX, desc(GPA + BUF, 72))
m.ring(TX, 16, [0])
virtq_seed("tx-single", ALL, 4, 0, m)

m = Mem(0x10000)
f = vnet_hdr() + frame(300)
m.put(BUF, f[:12])
m.put(BUF + 0x100, f[12:112])
m.put(BUF + 0x400, f[112:])
m.put(TX, desc(GPA + BUF, 12, D_NEXT, 1) + desc(GPA + BUF + 0x100, 100, D_NEXT, 2) +
      desc(GPA + BUF + 0x400, len(f) - 112))
m.ring(TX, 16, [0])
virtq_seed("tx-chain", ALL, 4, 0, m)

m = Mem(0x10000)
f = vnet_hdr() + frame(200)
m.put(BUF, f)
m.put(0x3000, desc(GPA + BUF, 50, D_NEXT, 1) + desc(GPA + BUF + 50, len(f) - 50))
m.put(TX + 16 * 2, desc(GPA + 0x3000, 32, D_INDIRECT))
m.ring(TX, 16, [2])
virtq_seed("tx-indirect", ALL, 4, 0, m)

m = Mem(0x10000)
t = tcp_frame(1400)
m.put(BUF, vnet_hdr(1, 1, 54, 700, 34, 16) + t)
m.put(TX, desc(GPA + BUF, 12 + len(t)))
m.ring(TX, 16, [0])
virtq_seed("tx-tso", ALL, 4, 0, m, 0xD000)

m = Mem(0x10000)
for i in range(4):
    m.put(RX + 16 * i, desc(GPA + BUF + i * 0x800, 0x600, D_WRITE))
m.ring(RX, 16, [0, 1, 2, 3])
virtq_seed("rx-mergeable", ALL | 32 | 64, 4, 3000, m)

m = Mem(0x10000)
m.put(RX, desc(GPA + BUF, 12, D_WRITE | D_NEXT, 1) + desc(GPA + BUF + 0x100, 0x1000, D_WRITE))
m.ring(RX, 16, [0])
virtq_seed("rx-big-chain", 1 | 2 | 8, 4, 1500, m)

m = Mem(0x10000)
m.put(TX, desc(GPA + BUF, 40, D_NEXT, 1) + desc(GPA + BUF, 40, D_NEXT, 0))
m.ring(TX, 16, [0])
virtq_seed("tx-loop", ALL, 4, 0, m)

m = Mem(0x10000)
m.put(TX, desc(0xfffffffffffff000, 0x2000))
m.ring(TX, 16, [0, 1, 15])
virtq_seed("tx-oob", ALL, 4, 0, m)

# ---- fuzz_vhost_msg: messages, a request-0 header, then guest memory at GPA 0 ----
QVA = 0x7F0000000000
MSG_MEM = 0x40000
VRX, VTX, VBUF = 0x0, 0x4000, 0x10000


def msg(req, payload=b"", flags=1):
    return struct.pack("<III", req, flags, len(payload)) + payload


def u64(v):
    return struct.pack("<Q", v)


def state(i, n):
    return struct.pack("<II", i, n)


def region(gpa, size, qva, off=0):
    return struct.pack("<QQQQ", gpa, size, qva, off)


def vring(q, off, num=64):
    return (msg(SET_VRING_NUM, state(q, num)) + msg(SET_VRING_BASE, state(q, 0)) +
            msg(SET_VRING_ADDR, struct.pack("<IIQQQQ", q, 0, QVA + off, QVA + off + 0x2000,
                                            QVA + off + 0x1000, 0)) +
            msg(SET_VRING_CALL, u64(q)) + msg(SET_VRING_KICK, u64(q)) +
            msg(SET_VRING_ENABLE, state(q, 1)))


FEAT = bits(F_VERSION_1, F_PROTOCOL, F_MRG_RXBUF, F_EVENT_IDX, F_INDIRECT, F_CSUM,
            F_GUEST_CSUM, F_HOST_TSO4, F_GUEST_TSO4)
PROTO = bits(0, 1, 2, 3, 4, 15)


def guest_image():
    g = Mem(0x14000)
    g.put(VBUF, vnet_hdr() + frame(60))
    g.put(VTX, desc(VBUF, 72))
    g.ring(VTX, 64, [0])
    for i in range(8):
        g.put(VRX + 16 * i, desc(0x11000 + i * 0x600, 0x600, D_WRITE))
    g.ring(VRX, 64, list(range(8)))
    return g.bytes(0x14000)


hello = (msg(SET_OWNER) + msg(GET_FEATURES) + msg(SET_FEATURES, u64(FEAT)) +
         msg(GET_PROTOCOL_FEATURES) + msg(SET_PROTOCOL_FEATURES, u64(PROTO)) +
         msg(GET_QUEUE_NUM) + msg(GET_MAX_MEM_SLOTS))
table = msg(SET_MEM_TABLE, struct.pack("<II", 1, 0) + region(0, MSG_MEM, QVA))
end = msg(0)

write("fuzz_vhost_msg", "bringup", hello + table + vring(0, VRX) + vring(1, VTX) + end +
      guest_image())
write("fuzz_vhost_msg", "bringup-ack",
      hello + msg(SET_MEM_TABLE, struct.pack("<II", 1, 0) + region(0, MSG_MEM, QVA), 9) +
      vring(0, VRX) + vring(1, VTX) + end + guest_image())
write("fuzz_vhost_msg", "mem-slots",
      hello + msg(ADD_MEM_REG, u64(0) + region(0, MSG_MEM // 2, QVA)) +
      msg(ADD_MEM_REG, u64(0) + region(MSG_MEM // 2, MSG_MEM // 2, QVA + MSG_MEM // 2,
                                       MSG_MEM // 2)) +
      vring(0, VRX) + vring(1, VTX) + end + guest_image())
write("fuzz_vhost_msg", "rem-ring-region",
      hello + msg(ADD_MEM_REG, u64(0) + region(0, MSG_MEM, QVA)) + vring(0, VRX) + vring(1, VTX) +
      msg(REM_MEM_REG, u64(0) + region(0, MSG_MEM, QVA)) + end + guest_image())
write("fuzz_vhost_msg", "migration",
      hello + table + vring(0, VRX) + vring(1, VTX) +
      msg(SET_LOG_BASE, struct.pack("<QQ", 4096, 0)) +
      msg(SET_FEATURES, u64(FEAT | bits(F_LOG_ALL))) +
      msg(SET_VRING_ADDR, struct.pack("<IIQQQQ", 0, 1, QVA + VRX, QVA + VRX + 0x2000,
                                      QVA + VRX + 0x1000, VRX + 0x2000)) +
      msg(SEND_RARP, b"\x52\x54\x00\x12\x34\x56\x00\x00") + msg(NET_SET_MTU, u64(1500)) +
      end + guest_image())
write("fuzz_vhost_msg", "stop-reset",
      hello + table + vring(0, VRX) + vring(1, VTX) + msg(GET_VRING_BASE, state(1, 0)) +
      msg(GET_VRING_BASE, state(0, 0)) + msg(RESET_DEVICE) + msg(RESET_OWNER) + end +
      guest_image())
write("fuzz_vhost_msg", "bad-header", struct.pack("<III", 2, 2, 0x100000))
write("fuzz_vhost_msg", "bad-sizes",
      msg(SET_FEATURES, b"\x01\x02\x03") + msg(SET_MEM_TABLE, struct.pack("<II", 9, 0)) +
      msg(SET_VRING_NUM, state(99, 3)))
write("fuzz_vhost_msg", "too-many-fds", msg(GET_FEATURES, flags=1 | (12 << 4)))
print("seeds written under", ROOT)
