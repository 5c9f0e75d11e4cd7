#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 41-nat-loopback-services - through the NAT gateway a VM reaches servers that the test
# starts on the host's loopback: an HTTP server (a 20 MB file, checked by SHA-256), an
# iperf3 server (both directions), a DNS server that stands in for the host's resolver
# (vnetd runs in a private mount namespace whose /etc/resolv.conf points at it), and a host
# address answering ping (ICMP echo). No host firewall rule is touched; nothing leaves the
# machine. nat/show lists the flows.
#
#   ns a: udhcpc -> 10.78.0.x, default via 10.78.0.2
#        | pa (tap)
#   +----|---------------------------------------------+
#   |  network "web" (nat)   gw 10.78.0.2 = host's 127.0.0.1
#   +--------------------------------------------|-----+
#                                    libslirp sockets in vnetd
#   root ns: 127.0.0.1:HTTP  127.0.0.1:IPERF  127.0.0.153:53 (DNS)
#            veth v<ID>dx 198.51.100.77/32 (ping target)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_svc.sh"
require_cmd iperf3 curl python3 unshare sha256sum

HTTP=$(free_port)
IPERF=$((HTTP + 1))
DNS_IP=127.0.0.153
DX=$(ifn dx)

step "a stand-in resolver on $DNS_IP:53, and vnetd seeing it in /etc/resolv.conf"
cat >"$SVC_DIR/dns.py" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 53))
while True:
    q, peer = s.recvfrom(512)
    if len(q) < 12:
        continue
    i, labels = 12, []
    while i < len(q) and q[i]:
        labels.append(q[i + 1:i + 1 + q[i]].decode(errors="replace")); i += 1 + q[i]
    name, question = ".".join(labels).lower(), q[12:i + 5]
    known = name == "outside.test"
    hdr = q[:2] + struct.pack("!HHHHH", 0x8180 if known else 0x8183, 1, 1 if known else 0, 0, 0)
    ans = b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + socket.inet_aton("192.0.2.55") if known else b""
    s.sendto(hdr + question + ans, peer)
PY
bg_run python3 "$SVC_DIR/dns.py" "$DNS_IP"
echo "nameserver $DNS_IP" >"$SVC_DIR/resolv.conf"
cat >"$SVC_DIR/vnetd-mnt.sh" <<SH
#!/bin/sh
exec unshare -m --propagation private sh -c 'mount --bind "$SVC_DIR/resolv.conf" /etc/resolv.conf && exec "\$0" "\$@"' "$VNETD" "\$@"
SH
chmod +x "$SVC_DIR/vnetd-mnt.sh"
VNETD=$SVC_DIR/vnetd-mnt.sh
vnetd_start
vctl network/add web mode=nat subnet=10.78.0.0/24
vm_add web pa a 52:54:00:41:00:0a
udhcpc_get a "$(ifn pa)" || fail "no lease: $(tail -3 "$SVC_DIR/udhcpc-a.log")"
GW=$(lease_var a router)
assert_eq "$GW" 10.78.0.2 "default gateway"

step "HTTP download from 127.0.0.1:$HTTP"
mkdir -p "$SVC_DIR/www"
head -c 20000000 /dev/urandom >"$SVC_DIR/www/blob"
want=$(sha256sum <"$SVC_DIR/www/blob" | cut -d' ' -f1)
bg_run python3 -m http.server "$HTTP" --bind 127.0.0.1 --directory "$SVC_DIR/www"
wait_for "curl -sf -o /dev/null http://127.0.0.1:$HTTP/" 10 || fail "HTTP server did not start"
got=$(in_ns a curl -sf -m 60 "http://$GW:$HTTP/blob" | sha256sum | cut -d' ' -f1)
assert_eq "$got" "$want" "SHA-256 of the 20 MB file downloaded through NAT"

step "iperf3 to 127.0.0.1:$IPERF, both directions"
bg_run iperf3 -s -B 127.0.0.1 -p "$IPERF"
wait_for "ss -Htln 'sport = :$IPERF' | grep -q ." 10 || fail "iperf3 server did not start"
for dir in "" -R; do
  j=$(in_ns a timeout 30 iperf3 -c "$GW" -p "$IPERF" -t 3 -J $dir) || fail "iperf3 $dir failed"
  bps=$(json_get "$j" '.end.sum_received.bits_per_second | floor')
  assert_num "$bps" -gt 10000000 "iperf3 ${dir:-upload} through NAT (bit/s)"
done

step "UDP: DNS through the gateway reaches the host's resolver"
assert_eq "$(dig_a a "$GW" outside.test)" 192.0.2.55 "outside.test via the forwarder"
assert_eq "$(dig_a a "$GW" unknown.test)" "STATUS: NXDOMAIN" "NXDOMAIN from the host's resolver"

step "ICMP echo to a host address through NAT"
ip link add "$DX" type veth peer name "${DX}p"
T_LINKS+=("$DX")
ip link set "${DX}p" up
ip addr add 198.51.100.77/32 dev "$DX"
ip link set "$DX" up
assert_ping a 198.51.100.77
assert_ping a "$GW"

step "nat/show lists the flows, the gateway counts them"
j=$(vctlj nat/show web)
assert_eq "$(json_get "$j" '.engine')" slirp "NAT engine"
assert_num "$(json_get "$j" '.counters.to_nat')" -gt 1000 "frames given to the NAT"
assert_num "$(json_get "$j" '.counters.from_nat')" -gt 1000 "frames from the NAT"
bg_run in_ns a curl -s -m 20 --limit-rate 100k "http://$GW:$HTTP/blob" -o /dev/null
wait_for "vctlj nat/show web | jq -e '.flows[] | select(.dport == $HTTP and .state == \"ESTABLISHED\")'" 10 ||
  fail "nat/show does not list the HTTP flow"
echo "ok: nat/show lists the HTTP flow"
vctl nat/show web
assert_vnetd_alive
t_pass
