# SPDX-License-Identifier: GPL-2.0-or-later
# _sec.sh - helpers of the port security scenarios (7x-*.sh): throughput of the victims
# with iperf3, result lines for doc/security.md, and hand-made attack frames (python3,
# standard library only). Source after lib.sh.

require_cmd iperf3 python3
require_tool frame_storm

SEC_DIR=$T_DIR/sec
mkdir -p "$SEC_DIR"

# iperf_srv NS [PORT] - an iperf3 server in NS (killed at cleanup)
iperf_srv() {
  local ns=$1 port=${2:-5201}
  bg_run ip netns exec "$(nsn "$ns")" iperf3 -s -p "$port" >/dev/null 2>&1
  wait_for "in_ns $ns ss -Htln 'sport = :$port' | grep -q ." 10 || fail "iperf3 server in $ns did not start"
}

# tput NS IP SECONDS [PORT [ARGS...]] - TCP throughput from NS to IP, in Mbit/s (integer;
# 0 when the transfer failed)
tput() {
  local ns=$1 ip=$2 secs=$3 port=${4:-5201} j
  shift 3
  [ $# -gt 0 ] && shift
  j=$(in_ns "$ns" timeout $((secs + 15)) iperf3 -c "$ip" -p "$port" -t "$secs" -J "$@" 2>/dev/null) || true
  printf '%s' "$j" | jq -r '(.end.sum_received.bits_per_second // 0) / 1000000 | floor' 2>/dev/null || echo 0
}

# result SCENARIO KEY=VALUE... - one line for the report table (grep '^RESULT' in the log)
result() {
  echo "RESULT $*"
}

# pct PART WHOLE - PART as a whole percentage of WHOLE (0 when WHOLE is 0)
pct() {
  if [ "$2" -gt 0 ]; then echo $(($1 * 100 / $2)); else echo 0; fi
}

# drops_total SWITCH PORT - all drops of a port
drops_total() {
  port_stat "$1" "$2" drops_total
}

# mac_of NS DEV - the MAC address of DEV in NS
mac_of() {
  ip -n "$(nsn "$1")" -j link show "$2" | jq -r '.[0].address'
}

# A frame builder: prints one frame as hex. Checksums are computed, so the victims'
# kernels accept what the guards let through.
#   mkframe.py ra SRCMAC PREFIX [N_DSTOPTS]   IPv6 router advertisement from fe80::<SRCMAC>
#                                            (default route, autoconf PREFIX/64), behind
#                                            N destination-options headers
#   mkframe.py garp SRCMAC IP                gratuitous ARP reply: IP is at SRCMAC
#   mkframe.py udp DST SRC SIP DIP SPORT DPORT LEN [VID [VID]]   IPv4/UDP, optionally tagged
cat >"$SEC_DIR/mkframe.py" <<'PY'
import socket, struct, sys

def mac(m):
    return bytes(int(x, 16) for x in m.split(":"))

def csum(b):
    if len(b) % 2:
        b += b"\0"
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while t >> 16:
        t = (t & 0xFFFF) + (t >> 16)
    return ~t & 0xFFFF

def ll(m):
    b = bytearray(mac(m))
    return bytes([0xfe, 0x80] + [0] * 6 + [b[0] ^ 2, b[1], b[2], 0xff, 0xfe, b[3], b[4], b[5]])

def ra(src, prefix, n_ext=0):
    sip, dip = ll(src), socket.inet_pton(socket.AF_INET6, "ff02::1")
    pfx = socket.inet_pton(socket.AF_INET6, prefix)
    # RA: hop limit 64, no flags, router lifetime 1800 s; prefix info: on-link + autonomous
    body = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, 1800, 0, 0)
    body += struct.pack("!BBBBIII", 3, 4, 64, 0xC0, 86400, 14400, 0) + pfx
    body += struct.pack("!BB", 1, 1) + mac(src)
    pseudo = sip + dip + struct.pack("!IxxxB", len(body), 58)
    body = body[:2] + struct.pack("!H", csum(pseudo + body)) + body[4:]
    ext = b""
    for i in range(n_ext):
        ext += bytes([60 if i + 1 < n_ext else 58, 0, 1, 4, 0, 0, 0, 0])  # PadN option
    ip = struct.pack("!IHBB", 0x60000000, len(ext) + len(body), 60 if n_ext else 58, 255)
    return mac("33:33:00:00:00:01") + mac(src) + b"\x86\xdd" + ip + sip + dip + ext + body

def garp(src, ip):
    a = socket.inet_aton(ip)
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 2) + mac(src) + a + b"\xff" * 6 + a
    return b"\xff" * 6 + mac(src) + b"\x08\x06" + arp + b"\0" * 18

def udp(dst, src, sip, dip, sport, dport, n, vids):
    payload = b"\0" * int(n)
    u = struct.pack("!HHHH", int(sport), int(dport), 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(u), 0, 0, 64, 17, 0,
                     socket.inet_aton(sip), socket.inet_aton(dip))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    tags = b"".join(struct.pack("!HH", 0x8100, int(v)) for v in vids)
    return mac(dst) + mac(src) + tags + b"\x08\x00" + ip + u

k, a = sys.argv[1], sys.argv[2:]
if k == "ra":
    f = ra(a[0], a[1], int(a[2]) if len(a) > 2 else 0)
elif k == "garp":
    f = garp(a[0], a[1])
elif k == "udp":
    f = udp(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7:])
else:
    sys.exit("unknown frame kind " + k)
print(f.hex())
PY

# mkframe KIND ARGS... - see mkframe.py above
mkframe() {
  python3 "$SEC_DIR/mkframe.py" "$@"
}
