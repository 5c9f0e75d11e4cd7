#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 42-port-forward - nat/forward-add makes a host port on 127.0.0.1 reach a server in a VM,
# for TCP (an HTTP server) and UDP (an echo server); forwards are listed, deleted, refused
# with a clear error when the host port is in use, privileged (vnetd runs without
# CAP_NET_BIND_SERVICE here), duplicated or aimed outside the network, and they survive a
# restart of vnetd (SIGTERM and kill -9) along with the VM's lease.
#
#   root ns: curl 127.0.0.1:TCPF ----+        python 127.0.0.1:UDPF
#                                    | (libslirp listening sockets in vnetd)
#   +--------------------------------|----------------------------+
#   |  network "fw" (nat) 10.79.0.0/24, gw .2                       |
#   +----|----------------------------------------------------------+
#        | pa (tap)
#   ns a: 10.79.0.x (udhcpc)  http.server :8000, UDP echo :7000
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_svc.sh"
require_cmd curl python3 setpriv

MA=52:54:00:42:00:0a
TCPF=$(free_port)
UDPF=$((TCPF + 1))
BUSY=$((TCPF + 2))

# vnetd without CAP_NET_BIND_SERVICE: ports below ip_unprivileged_port_start are refused
cat >"$SVC_DIR/vnetd-nobind.sh" <<SH
#!/bin/sh
exec setpriv --inh-caps=-net_bind_service --bounding-set=-net_bind_service "$VNETD" "\$@"
SH
chmod +x "$SVC_DIR/vnetd-nobind.sh"
VNETD=$SVC_DIR/vnetd-nobind.sh
vnetd_start
vctl network/add fw mode=nat subnet=10.79.0.0/24
vm_add fw pa a $MA
udhcpc_get a "$(ifn pa)" || fail "no lease"
VM=$(lease_var a ip)

# servers in the VM, bound to its address
servers() {
  bg_run in_ns a python3 -m http.server 8000 --bind "$VM" --directory "$SVC_DIR"
  bg_run in_ns a python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 7000))
while True:
    d, p = s.recvfrom(2048)
    s.sendto(b"echo:" + d, p)' "$VM"
  wait_for "in_ns a ss -Htln 'sport = :8000' | grep -q ." 10 || fail "HTTP server in the VM did not start"
}
servers
echo "hello from the VM" >"$SVC_DIR/hello.txt"

# udp_ask PORT - send "ping" to 127.0.0.1:PORT, print the answer (empty on timeout)
udp_ask() {
  python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
for _ in range(3):
    s.sendto(b"ping", ("127.0.0.1", int(sys.argv[1])))
    try:
        print(s.recv(100).decode()); break
    except socket.timeout:
        pass' "$1"
}

# check_forwards - both forwards work
check_forwards() {
  local got
  got=$(curl -s -m 5 "http://127.0.0.1:$TCPF/hello.txt") || true
  assert_eq "$got" "hello from the VM" "TCP forward 127.0.0.1:$TCPF -> $VM:8000"
  assert_eq "$(udp_ask "$UDPF")" "echo:ping" "UDP forward 127.0.0.1:$UDPF -> $VM:7000"
}

step "add TCP and UDP forwards"
vctl nat/forward-add fw tcp "127.0.0.1:$TCPF" "$VM:8000"
vctl nat/forward-add fw udp "$UDPF" "$VM:7000"
check_forwards
j=$(vctlj nat/forward-list fw)
assert_eq "$(json_get "$j" 'length')" 2 "forwards listed"
assert_eq "$(json_get "$j" "[.[] | select(.proto == \"tcp\")][0].host_port")" "$TCPF" "TCP forward listed"
assert_eq "$(json_get "$j" "[.[] | select(.proto == \"udp\")][0].guest_port")" 7000 "UDP forward listed"
assert_eq "$(json_get "$j" '[.[] | .active] | all')" true "forwards active"

step "clear errors"
bg_run python3 -m http.server "$BUSY" --bind 127.0.0.1 --directory "$SVC_DIR"
wait_for "ss -Htln 'sport = :$BUSY' | grep -q ." 10 || fail "busy-port server did not start"
expect_error() {
  local pattern=$1 out
  shift
  if out=$(vctl "$@" 2>&1); then
    fail "vnetctl $* succeeded, expected an error matching '$pattern'"
  fi
  echo "$out" | grep -qE "$pattern" || fail "vnetctl $*: error '$out' does not match '$pattern'"
  echo "ok: vnetctl $*: $out"
}
expect_error "in use by another program" nat/forward-add fw tcp "127.0.0.1:$BUSY" "$VM:80"
if [ "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" -gt 80 ]; then
  expect_error "privileged.*CAP_NET_BIND_SERVICE" nat/forward-add fw tcp 127.0.0.1:80 "$VM:80"
else
  echo "note: ip_unprivileged_port_start is 0: no privileged ports on this host"
fi
expect_error "already exists" nat/forward-add fw tcp "127.0.0.1:$TCPF" "$VM:9999"
expect_error "not a VM address" nat/forward-add fw tcp "127.0.0.1:$BUSY" 192.0.2.1:80
expect_error "gateway" nat/forward-add fw tcp "127.0.0.1:$BUSY" 10.79.0.2:80
expect_error "tcp or udp" nat/forward-add fw sctp "127.0.0.1:$BUSY" "$VM:80"
expect_error "no tcp forward" nat/forward-del fw tcp 127.0.0.1:1
assert_eq "$(json_get "$(vctlj nat/forward-list fw)" 'length')" 2 "still two forwards"

step "delete and re-add"
vctl nat/forward-del fw tcp "127.0.0.1:$TCPF"
wait_for "! ss -Htln 'sport = :$TCPF' | grep -q ." 5 || fail "host port $TCPF still listening after forward-del"
curl -s -m 2 "http://127.0.0.1:$TCPF/hello.txt" && fail "deleted forward still answers"
vctl nat/forward-add fw tcp "127.0.0.1:$TCPF" "$VM:8000"
check_forwards

step "forwards and the lease survive a clean restart"
vnetd_stop
vnetd_start
vm_reattach a pa $MA
udhcpc_get a "$(ifn pa)" || fail "no lease after restart"
assert_eq "$(lease_var a ip)" "$VM" "same address after the restart"
assert_eq "$(json_get "$(vctlj nat/forward-list fw)" 'length')" 2 "forwards after the restart"
check_forwards

step "and a crash (kill -9)"
vnetd_kill9
vnetd_start
vm_reattach a pa $MA
udhcpc_get a "$(ifn pa)" || fail "no lease after kill -9"
assert_eq "$(lease_var a ip)" "$VM" "same address after kill -9"
check_forwards
assert_vnetd_alive
t_pass
