#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vnet-test: serial
# 72-sec-rogue-dhcp - a rogue DHCP server in VM r answers every DISCOVER and REQUEST it sees,
# first from the server port 67, then from port 4242 (clients filter on their own port 68
# only, so that works just as well against an unguarded network). The victim v still gets
# its lease from the network's built-in server; every rogue OFFER/ACK is dropped as
# dhcp_guard. Control: with dhcp_guard off, the rogue's offers do reach the victim.
#
#   ns v (udhcpc)         ns r: rogue.py (offers 10.91.0.123, server id 10.91.0.66)
#    | pv                  | pr dhcp_guard=on
#   +|---------------------|---------------------------+
#   |  network "rd" (private) 10.91.0.0/24, built-in DHCP |
#   +---------------------------------------------------+
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_svc.sh"
. "$(dirname "$0")/_sec.sh"

ROGUE_IP=10.91.0.66
ROGUE_OFFER=10.91.0.123
# rogue.py DEV SPORT SECONDS - answer DHCP DISCOVER/REQUEST with OFFER/ACK from SPORT;
# prints "ready" once listening, and at the end how many replies it sent
cat >"$SEC_DIR/rogue.py" <<'PY'
import socket, struct, sys, time
dev, sport, secs = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
s.bind((dev, 0))
s.settimeout(0.2)
me = s.getsockname()[4]
print("ready", flush=True)
def csum(b):
    if len(b) % 2:
        b += b"\0"
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while t >> 16:
        t = (t & 0xFFFF) + (t >> 16)
    return ~t & 0xFFFF
sent, end = 0, time.time() + secs
while time.time() < end:
    try:
        f = s.recv(2048)
    except socket.timeout:
        continue
    if len(f) < 282 or f[23] != 17 or f[36:38] != b"\x00\x43":
        continue
    b = f[42:]
    if b[0] != 1 or b[240:243] not in (b"\x35\x01\x01", b"\x35\x01\x03"):
        continue
    mtype = 2 if b[242] == 1 else 5
    rep = bytes([2, 1, 6, 0]) + b[4:8] + b"\0\0\x80\0" + b"\0" * 4 + \
        socket.inet_aton("10.91.0.123") + socket.inet_aton("10.91.0.66") + b"\0" * 4 + \
        b[28:44] + b"\0" * 192 + b"\x63\x82\x53\x63" + bytes([53, 1, mtype]) + \
        bytes([54, 4]) + socket.inet_aton("10.91.0.66") + bytes([51, 4, 0, 0, 14, 16]) + \
        bytes([1, 4, 255, 255, 255, 0, 3, 4]) + socket.inet_aton("10.91.0.66") + b"\xff"
    udp = struct.pack("!HHHH", sport, 68, 8 + len(rep), 0) + rep
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                     socket.inet_aton("10.91.0.66"), socket.inet_aton("255.255.255.255"))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    s.send(b"\xff" * 6 + me + b"\x08\x00" + ip + udp)
    sent += 1
print(sent)
PY

vnetd_start
vctl network/add rd mode=private subnet=10.91.0.0/24
vm_add rd pv v 52:54:00:72:00:0a
vm_add rd pr r 52:54:00:72:00:0e dhcp_guard=on
assert_eq "$(port_field rd pr security.dhcp_guard)" true "dhcp_guard on pr"

# lease_round SPORT - the rogue answers from SPORT while v asks for a lease
lease_round() {
  local sport=$1 n
  bg_run ip netns exec "$(nsn r)" python3 "$SEC_DIR/rogue.py" "$(ifn pr)" "$sport" 25 >"$SEC_DIR/rogue-$sport.out"
  local rogue=$BG_PID
  wait_for "grep -q ready $SEC_DIR/rogue-$sport.out" 10 || fail "rogue.py did not start"
  udhcpc_get v "$(ifn pv)" || fail "v got no lease with the rogue answering from port $sport"
  kill $rogue 2>/dev/null || true
  wait $rogue 2>/dev/null || true
}

for sport in 67 4242; do
  step "rogue answers from UDP port $sport"
  d0=$(port_drop rd pr dhcp_guard)
  lease_round $sport
  ip=$(lease_var v ip)
  server=$(lease_var v server)
  echo "v's lease: $ip from $server"
  assert_ne "$server" $ROGUE_IP "v's lease is not from the rogue"
  assert_ne "$ip" $ROGUE_OFFER "v's address is not the rogue's offer"
  assert_eq "$(lease_of rd 52:54:00:72:00:0a ip)" "$ip" "the network's lease table holds v's address"
  assert_num "$(port_drop rd pr dhcp_guard)" -gt "$d0" "rogue replies from port $sport dropped as dhcp_guard"
done
assert_ping v "$(lease_var v server)"
drops=$(port_drop rd pr dhcp_guard)

step "control: with dhcp_guard off, the rogue's replies reach the victim"
vctl port/set rd pr dhcp_guard=off
in_ns v timeout 20 python3 -c '
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
s.bind((sys.argv[1], 0)); s.settimeout(15)
while True:
    f = s.recv(2048)
    if len(f) > 282 and f[23] == 17 and f[36:38] == b"\x00\x44" and f[26:30] == socket.inet_aton("10.91.0.66"):
        print("rogue reply seen"); break
' "$(ifn pv)" >"$SEC_DIR/seen.out" &
watcher=$!
sleep 0.5
lease_round 4242 || true
wait $watcher || fail "unguarded, no rogue reply reached v: the guarded rounds prove nothing"
echo "ok: unguarded, $(cat "$SEC_DIR/seen.out")"
result 72-sec-rogue-dhcp victim_lease_from=$server dhcp_guard_drops=$drops
assert_vnetd_alive
t_pass
