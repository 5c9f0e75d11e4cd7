#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vnet-test: serial
# 78-fault-kill9 - kill -9 of vnetd under load (TCP between two VMs, testpmd frames
# circulating through two vhost-user ports), then restart. Configuration, the DHCP lease and
# the NAT port forward are intact; the vhost-user ports (client mode, testpmd is the
# server) reconnect by themselves. Measured from the restart: time until the VMs ping each
# other again (their taps reattached, as a VM's tap would be), until both vhost-user ports
# are up, and until frames from testpmd cross the switch again.
#
#   ns a (udhcpc, HTTP :8000)   ns b 10.78.0.20    host 127.0.0.1:FWD -> a:8000
#    | pa                        | pb
#   +|---------------------------|------------+     +--------------------------------+
#   |  network "kn" (nat) 10.78.0.0/24        |     |  sw1: v1, v2 vhost-user client  |
#   +-----------------------------------------+     +----|-----------|--------------+
#                                                   testpmd virtio-user server=1, io fwd
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_svc.sh"
. "$(dirname "$0")/_sec.sh"
. "$(dirname "$0")/../vhost/_testpmd.sh"
require_cmd curl

MA=52:54:00:78:00:0a
MB=52:54:00:78:00:0b
FWD=$(free_port)

ms_since() {
  echo $((($(date +%s%N) - $1) / 1000000))
}

vnetd_start
vctl network/add kn mode=nat subnet=10.78.0.0/24
vm_add kn pa a $MA
vm_add kn pb b $MB
udhcpc_get a "$(ifn pa)" || fail "a: no lease"
IPA=$(lease_var a ip)
ns_addr b "$(ifn pb)" 10.78.0.20/24
assert_ping a 10.78.0.20
mkdir -p "$SEC_DIR/www" && echo "hello from a" >"$SEC_DIR/www/hello.txt"
bg_run ip netns exec "$(nsn a)" python3 -m http.server -d "$SEC_DIR/www" -b "$IPA" 8000 >/dev/null 2>&1
wait_for "in_ns a ss -Htln 'sport = :8000' | grep -q ." 10 || fail "HTTP server in a did not start"
vctl nat/forward-add kn tcp "127.0.0.1:$FWD" "$IPA:8000"
assert_eq "$(curl -s -m 5 "http://127.0.0.1:$FWD/hello.txt")" "hello from a" "forward before the crash"

step "vhost-user: testpmd is the server, vnetd's ports connect to it"
# (the client ports first: testpmd's server mode waits for the connection before its prompt)
vctl switch/add sw1
vctl port/add sw1 v1 type=vhost-user mode=client path="$T_DIR/v1.sock"
vctl port/add sw1 v2 type=vhost-user mode=client path="$T_DIR/v2.sock"
tp_start tp "net_virtio_user0,path=$T_DIR/v1.sock,queues=1,server=1" \
  "net_virtio_user1,path=$T_DIR/v2.sock,queues=1,server=1" -- --forward-mode=io
wait_port_state sw1 v1 up 30
wait_port_state sw1 v2 up 30
tp_cmd tp "start tx_first 4"
wait_for "[ \$(port_stat sw1 v1 rx_packets) -gt 1000 ]" 15 || fail "no frames from testpmd through v1"

step "load: TCP a -> b, and testpmd's frames circulating; then kill -9"
iperf_srv b
bg_run ip netns exec "$(nsn a)" iperf3 -c 10.78.0.20 -t 60 >/dev/null 2>&1
sleep 2
snap() {
  {
    vctlj switch/list | jq -S '[.[] | {name}]'
    vctlj port/list | jq -S '[.[] | {switch, name, type, vlan_mode, tag, options}]'
    vctlj network/list | jq -S '[.[] | {name, mode, subnet}]'
    vctlj nat/forward-list kn | jq -S .
    vctlj dhcp/leases kn | jq -S '[.leases[] | {mac, ip}]'
  } 2>&1
}
snap >"$SEC_DIR/before.json"
vnetd_kill9
t0=$(date +%s%N)
vnetd_start
t_answer=$(ms_since "$t0")
vm_reattach a pa $MA
vm_reattach b pb $MB
ns_addr b "$(ifn pb)" 10.78.0.20/24 2>/dev/null || true
in_ns a ip addr replace "$IPA/24" dev "$(ifn pa)"
wait_for "in_ns a ping -n -c 1 -W 1 10.78.0.20" 30 || fail "a does not reach b after the restart"
t_ping=$(ms_since "$t0")
wait_port_state sw1 v1 up 30
wait_port_state sw1 v2 up 30
t_vhost_up=$(ms_since "$t0")
tp_cmd tp "stop"
tp_cmd tp "start tx_first 4"
wait_for "[ \$(port_stat sw1 v1 rx_packets) -gt 100 ] && [ \$(port_stat sw1 v2 rx_packets) -gt 100 ]" 30 ||
  fail "no frames from testpmd after the restart"
t_vhost=$(ms_since "$t0")
echo "after the restart: control socket answers at ${t_answer} ms, VMs ping at ${t_ping} ms," \
  "vhost-user ports up at ${t_vhost_up} ms, testpmd frames cross at ${t_vhost} ms"

step "configuration, lease and forward intact"
snap >"$SEC_DIR/after.json"
diff -u "$SEC_DIR/before.json" "$SEC_DIR/after.json" || fail "state differs after kill -9 and restart"
echo "ok: switches, ports, networks, forwards and leases identical"
assert_eq "$(lease_of kn $MA ip)" "$IPA" "a's lease"
assert_eq "$(curl -s -m 5 "http://127.0.0.1:$FWD/hello.txt")" "hello from a" "forward after the restart"
tp_cmd tp "stop"
result 78-fault-kill9 restart_to_ctl_ms=$t_answer restart_to_ping_ms=$t_ping \
  restart_to_vhost_up_ms=$t_vhost_up restart_to_vhost_traffic_ms=$t_vhost
assert_vnetd_alive
t_pass
