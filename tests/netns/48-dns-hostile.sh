#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 48-dns-hostile - the DNS responder under bad queries sent by a VM: compression loops
# (a pointer to itself, a loop through backward pointers), a pointer forward, labels cut
# short, names longer than 255 bytes, huge section counts, no question, a response (QR set),
# an unknown opcode, a runt. Each gets FORMERR/NOTIMP or silence as appropriate, is counted,
# and the responder keeps answering good queries. Also a flood of 20000 hostile queries.
#
#   ns a (python UDP client) --pa-- network "dq" (private) 10.88.0.0/24, DNS at .2
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_svc.sh"
require_cmd python3

vnetd_start
vctl network/add dq mode=private subnet=10.88.0.0/24
vm_add dq pa a 52:54:00:48:00:0a
udhcpc_get a "$(ifn pa)" vm-a || fail "a: no lease"
IPA=$(lease_var a ip)

cat >"$SVC_DIR/dnsq.py" <<'PY'
import socket, struct, sys
server = sys.argv[1]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)

def hdr(flags=0, qd=1, an=0, ns=0, ar=0, qid=0x4242):
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)

def name(n):
    return b"".join(bytes([len(l)]) + l.encode() for l in n.split(".")) + b"\0"

Q = b"\0\1\0\1"
cases = {
    "self_pointer": hdr() + b"\xc0\x0c" + Q,
    "pointer_loop": hdr() + b"\x01a\xc0\x0c" + Q,
    "pointer_forward": hdr() + b"\xc0\x20" + Q + b"\0" * 20,
    "truncated_label": hdr() + b"\x3fabc",
    "truncated_type": hdr() + name("vm-a.dq")[:-1],
    "long_name": hdr() + (b"\x3f" + b"a" * 63) * 5 + b"\0" + Q,
    "huge_counts": hdr(qd=0xFFFF, an=0xFFFF, ns=0xFFFF, ar=0xFFFF) + name("vm-a.dq") + Q,
    "no_question": hdr(qd=0),
    "ext_label": hdr() + b"\x41abc\0" + Q,
    "response": hdr(flags=0x8000) + name("vm-a.dq") + Q,
    "opcode_status": hdr(flags=2 << 11) + name("vm-a.dq") + Q,
    "runt": b"\x42\x42\x01",
}
if sys.argv[2] == "cases":
    for k, q in cases.items():
        s.sendto(q, (server, 53))
        try:
            r = s.recv(600)
            print(k, {0: "NOERROR", 1: "FORMERR", 3: "NXDOMAIN", 4: "NOTIMP"}.get(r[3] & 15, r[3] & 15))
        except socket.timeout:
            print(k, "none")
elif sys.argv[2] == "flood":
    qs = list(cases.values())
    for i in range(int(sys.argv[3])):
        s.sendto(qs[i % len(qs)], (server, 53))
    print("sent")
PY

step "each hostile query gets the right answer, or none"
out=$(in_ns a python3 "$SVC_DIR/dnsq.py" 10.88.0.2 cases)
echo "$out"
expect() {
  assert_eq "$(echo "$out" | awk -v k="$1" '$1 == k { print $2 }')" "$2" "$1"
}
expect self_pointer FORMERR
expect pointer_loop FORMERR
expect pointer_forward FORMERR
expect truncated_label FORMERR
expect truncated_type FORMERR
expect long_name FORMERR
expect huge_counts FORMERR
expect no_question FORMERR
expect ext_label FORMERR
expect response none
expect opcode_status NOTIMP
expect runt none
j=$(vctlj network/list)
assert_num "$(json_get "$j" '.[0].counters.dns.formerr')" -ge 9 "FORMERR counted"
assert_num "$(json_get "$j" '.[0].counters.dns.dropped')" -ge 2 "dropped counted"

step "a flood of hostile queries, then a good one"
in_ns a python3 "$SVC_DIR/dnsq.py" 10.88.0.2 flood 20000 >/dev/null
assert_eq "$(dig_a a 10.88.0.2 vm-a.dq)" "$IPA" "good query after the flood"
assert_vnetd_alive
t_pass
