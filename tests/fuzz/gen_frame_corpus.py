#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""gen_frame_corpus.py - write the seed corpus of fuzz_frame.

Each seed is a struct virtio_net_hdr (10 bytes, little-endian as on x86
hosts) followed by an Ethernet frame. Seeds cover what ports really send:
ARP, IPv4/IPv6 TCP/UDP/ICMP, tagged and double-tagged frames, checksum
offload with the pseudo-header sum in place (as Linux leaves it), TSO/UFO/
UDP_L4 super-frames, and broken frames (runts, truncated tags, bad headers).
Deterministic: running it twice writes the same bytes.

The script writes only the seed_* files. The corpus directory also holds
inputs libFuzzer found (named by their SHA-1), kept because they add
coverage (fuzz_frame -merge=1 DIR NEW_INPUTS), and regress_* inputs that
once failed.

Usage: tests/fuzz/gen_frame_corpus.py [OUTDIR]   (default: tests/fuzz/corpus/fuzz_frame)
"""
import os
import struct
import sys

NEEDS_CSUM = 1
GSO_TCPV4, GSO_UDP, GSO_TCPV6, GSO_UDP_L4, GSO_ECN = 1, 3, 4, 5, 0x80

MAC_DST = bytes.fromhex("020000000002")
MAC_SRC = bytes.fromhex("020000000001")
IP4_SRC, IP4_DST = bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])
IP6_SRC = bytes.fromhex("fd000000000000000000000000000001")
IP6_DST = bytes.fromhex("fd000000000000000000000000000002")


def vnet(flags=0, gso_type=0, hdr_len=0, gso_size=0, csum_start=0, csum_offset=0):
    return struct.pack("<BBHHHH", flags, gso_type, hdr_len, gso_size, csum_start, csum_offset)


def csum_sum(data):
    """one's-complement sum of big-endian words, folded, not complemented"""
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def csum(data):
    return ~csum_sum(data) & 0xFFFF


def eth(ethertype, tags=()):
    hdr = MAC_DST + MAC_SRC
    for tpid, tci in tags:
        hdr += struct.pack("!HH", tpid, tci)
    return hdr + struct.pack("!H", ethertype)


def ipv4(proto, l4, ident=1, frag=0x4000, options=b""):
    ihl = 5 + len(options) // 4
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, ihl * 4 + len(l4), ident, frag, 64, proto,
                      0, IP4_SRC, IP4_DST) + options
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + l4


def ipv6(nh, payload):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nh, 64, IP6_SRC, IP6_DST) + payload


def pseudo4(proto, size):
    return IP4_SRC + IP4_DST + struct.pack("!BBH", 0, proto, size)


def pseudo6(proto, size):
    return IP6_SRC + IP6_DST + struct.pack("!IxxxB", size, proto)


def tcp(payload, flags=0x18, seq=1000, options=b"", pseudo=None, partial=False):
    """TCP segment; with @pseudo, a full checksum, or (partial) the pseudo-header sum only"""
    doff = 5 + len(options) // 4
    hdr = struct.pack("!HHIIBBHHH", 40000, 80, seq, 1, doff << 4, flags, 512, 0, 0) + options
    seg = hdr + payload
    if pseudo is not None:
        c = csum_sum(pseudo(6, len(seg))) if partial else csum(pseudo(6, len(seg)) + seg)
        seg = seg[:16] + struct.pack("!H", c) + seg[18:]
    return seg


def udp(payload, pseudo=None, partial=False, sport=5353, dport=53):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    if pseudo is not None:
        c = csum_sum(pseudo(17, len(seg))) if partial else (csum(pseudo(17, len(seg)) + seg) or 0xFFFF)
        seg = seg[:6] + struct.pack("!H", c) + seg[8:]
    return seg


def data(n):
    return bytes((i * 7 + (i >> 8)) & 0xFF for i in range(n))


TS_OPT = bytes.fromhex("0101080a0000100000002000")  # NOP NOP timestamps
SYN_OPTS = bytes.fromhex("020405b40402080a000010000000000001030307")


def seeds():
    s = {}
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1) + MAC_SRC + IP4_SRC + bytes(6) + IP4_DST
    s["arp"] = vnet() + eth(0x0806) + arp + bytes(18)
    s["runt"] = vnet() + eth(0x0800)[:10]
    s["empty"] = vnet()
    s["eth_only"] = vnet() + eth(0x0800)
    s["trunc_tag"] = vnet() + eth(0x8100) + b"\x00"
    s["three_tags"] = vnet() + eth(0x0800, [(0x88A8, 1), (0x8100, 2), (0x8100, 3)]) + bytes(20)
    s["ipv4_tcp_syn"] = vnet() + eth(0x0800) + ipv4(6, tcp(b"", 0x02, options=SYN_OPTS, pseudo=pseudo4))
    s["ipv4_udp_dns"] = vnet() + eth(0x0800) + ipv4(17, udp(data(29), pseudo=pseudo4))
    icmp = struct.pack("!BBHHH", 8, 0, 0, 1, 1) + data(56)
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    s["ipv4_icmp"] = vnet() + eth(0x0800) + ipv4(1, icmp)
    s["ipv4_opts_frag"] = vnet() + eth(0x0800) + ipv4(17, data(64), frag=0x2000 | 185,
                                                      options=bytes([0x94, 4, 0, 0]))
    s["ipv4_bad_ihl"] = vnet() + eth(0x0800) + b"\x43" + ipv4(6, tcp(b"x"))[1:]
    s["ipv6_tcp"] = vnet() + eth(0x86DD) + ipv6(6, tcp(data(100), options=TS_OPT, pseudo=pseudo6))
    hbh = bytes([17, 0, 5, 2, 0, 0, 1, 0])  # router alert
    s["ipv6_hbh_udp"] = vnet() + eth(0x86DD) + ipv6(0, hbh + udp(data(20), pseudo=pseudo6))
    frag = struct.pack("!BxHI", 17, (100 << 3) | 1, 0x1234)
    s["ipv6_frag"] = vnet() + eth(0x86DD) + ipv6(44, frag + data(48))
    s["vlan_ipv4_udp"] = vnet() + eth(0x0800, [(0x8100, 0x200A)]) + ipv4(17, udp(data(18), pseudo=pseudo4))
    s["qinq_ipv4_tcp"] = vnet() + eth(0x0800, [(0x88A8, 100), (0x8100, 10)]) + \
        ipv4(6, tcp(data(40), pseudo=pseudo4))
    s["qinq_9100_ipv6"] = vnet() + eth(0x86DD, [(0x9100, 5), (0x8100, 6)]) + \
        ipv6(17, udp(data(10), pseudo=pseudo6))

    # checksum offload, as a Linux tap sends it
    seg = tcp(data(300), options=TS_OPT, pseudo=pseudo4, partial=True)
    s["csum_tcpv4"] = vnet(NEEDS_CSUM, 0, 66, 0, 34, 16) + eth(0x0800) + ipv4(6, seg)
    seg = udp(data(200), pseudo=pseudo6, partial=True)
    s["csum_udpv6"] = vnet(NEEDS_CSUM, 0, 62, 0, 54, 6) + eth(0x86DD) + ipv6(17, seg)
    # an inner TCP checksum inside VXLAN, as Linux sends over a HW_CSUM device
    inner = eth(0x0800) + ipv4(6, tcp(data(64), pseudo=pseudo4, partial=True))
    outer = udp(struct.pack("!II", 0x08000000, 42 << 8) + inner, sport=49152, dport=4789)
    start = 14 + 20 + 8 + 8 + 14 + 20
    s["csum_vxlan_inner"] = vnet(NEEDS_CSUM, 0, 0, 0, start, 16) + eth(0x0800) + ipv4(17, outer)

    # super-frames
    seg = tcp(data(6000), options=TS_OPT, pseudo=pseudo4, partial=True)
    s["gso_tcpv4"] = vnet(NEEDS_CSUM, GSO_TCPV4, 66, 1448, 34, 16) + eth(0x0800) + ipv4(6, seg)
    seg = tcp(data(3000), flags=0x99, pseudo=pseudo4, partial=True)
    s["gso_tcpv4_ecn_fin"] = vnet(NEEDS_CSUM, GSO_TCPV4 | GSO_ECN, 0, 1000, 34, 16) + \
        eth(0x0800) + ipv4(6, seg)
    seg = tcp(data(4000), options=TS_OPT, pseudo=pseudo6, partial=True)
    s["gso_tcpv6_vlan"] = vnet(NEEDS_CSUM, GSO_TCPV6, 90, 1428, 58, 16) + \
        eth(0x86DD, [(0x8100, 20)]) + ipv6(6, seg)
    seg = udp(data(4000), pseudo=pseudo4, partial=True)
    s["gso_ufo"] = vnet(NEEDS_CSUM, GSO_UDP, 42, 1480, 34, 6) + eth(0x0800) + ipv4(17, seg, frag=0)
    seg = udp(data(3000), pseudo=pseudo6, partial=True)
    s["gso_udp_l4_v6"] = vnet(NEEDS_CSUM, GSO_UDP_L4, 62, 1200, 54, 6) + eth(0x86DD) + ipv6(17, seg)
    rthdr = bytes([6, 2, 2, 1, 0, 0, 0, 0]) + IP6_DST
    seg = tcp(data(2000), pseudo=pseudo6, partial=True)
    s["gso_tcpv6_routing"] = vnet(NEEDS_CSUM, GSO_TCPV6, 0, 1000, 78, 16) + eth(0x86DD) + \
        ipv6(43, rthdr + seg)
    return s


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus", "fuzz_frame")
    os.makedirs(out, exist_ok=True)
    for name, blob in sorted(seeds().items()):
        with open(os.path.join(out, "seed_" + name), "wb") as f:
            f.write(blob)
    print("wrote %d seeds to %s" % (len(seeds()), out))


if __name__ == "__main__":
    main()
