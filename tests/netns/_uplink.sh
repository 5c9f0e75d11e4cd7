# SPDX-License-Identifier: GPL-2.0-or-later
# _uplink.sh - helpers of the uplink (bridged mode) scenarios 30-39. Source after lib.sh.
# shellcheck shell=bash
#
# The rig: vnetd runs inside namespace "host", so the host's interfaces, its
# addresses and its promiscuous counts are the test's own and nothing in the
# root namespace changes. A veth pair stands for the physical NIC: "nic" in
# the host namespace (the uplink's ifname=), its far end "wire" in namespace
# "lan", the LAN, where a dnsmasq started here serves DHCP and the LAN host
# has its address. VMs are namespaces on tap ports:
#
#   ns lan: wire 10.55.0.1/24, dnsmasq DHCP .100-.150
#      |
#   ---|--- veth ---------------------------------------------------------
#      |
#   ns host: nic 10.55.0.254/24 (the host's own address on the NIC)
#   +--|-------------------------------------------------+
#   |  up0 type=uplink ifname=nic   vnetd switch sw0     |
#   +----|---------------------|--------------------------+
#      pa (tap)              pb (tap)
#   ns a (VM)             ns b (VM)

UP_NET=10.55.0
UP_HOST=host
UP_LAN=lan

# The switch's taps appear in the host namespace: vnetd runs there.
UP_WRAP=$T_DIR/vnetd-in-host
cat >"$UP_WRAP" <<EOF
#!/bin/sh
exec ip netns exec "$(nsn $UP_HOST)" "$VNETD" "\$@"
EOF
chmod +x "$UP_WRAP"

# in_host CMD... / in_lan CMD...
in_host() { in_ns "$UP_HOST" "$@"; }
in_lan() { in_ns "$UP_LAN" "$@"; }

# up_rig - namespaces host and lan, the veth NIC, the host's address on it, vnetd in host
up_rig() {
  ns_add "$UP_HOST" "$UP_LAN"
  UP_NIC=$(ifn nic)
  UP_WIRE=$(ifn wire)
  ip link add "$UP_NIC" type veth peer name "$UP_WIRE"
  ip link set "$UP_NIC" netns "$(nsn $UP_HOST)"
  ip link set "$UP_WIRE" netns "$(nsn $UP_LAN)"
  in_host ip link set "$UP_NIC" up
  in_lan ip link set "$UP_WIRE" up
  in_host ip addr add "$UP_NET.254/24" dev "$UP_NIC"
  in_lan ip addr add "$UP_NET.1/24" dev "$UP_WIRE"
  VNETD=$UP_WRAP vnetd_start
}

# up_nic_recreate - put the NIC back after a test deleted it (same names, new ifindex)
up_nic_recreate() {
  ip link add "$UP_NIC" type veth peer name "$UP_WIRE"
  ip link set "$UP_NIC" netns "$(nsn $UP_HOST)"
  ip link set "$UP_WIRE" netns "$(nsn $UP_LAN)"
  in_lan ip link set "$UP_WIRE" up
  in_lan ip addr add "$UP_NET.1/24" dev "$UP_WIRE"
  in_host ip link set "$UP_NIC" up
  in_host ip addr add "$UP_NET.254/24" dev "$UP_NIC"
}

# up_dnsmasq - the LAN's DHCP server on wire (leases .100-.150, 120 s), until cleanup
up_dnsmasq() {
  require_cmd dnsmasq
  bg_run ip netns exec "$(nsn $UP_LAN)" dnsmasq --keep-in-foreground --conf-file=/dev/null \
    --port=0 --interface="$UP_WIRE" --bind-interfaces --except-interface=lo \
    --dhcp-range="$UP_NET.100,$UP_NET.150,255.255.255.0,120" \
    --dhcp-option=option:router,"$UP_NET.1" --dhcp-leasefile="$T_DIR/dnsmasq.leases" \
    --pid-file="$T_DIR/dnsmasq.pid" --log-facility="$T_DIR/dnsmasq.log" --log-dhcp
  wait_for "[ -s '$T_DIR/dnsmasq.pid' ]" 10 || fail "dnsmasq did not start: $(cat "$T_DIR/dnsmasq.log" 2>/dev/null)"
}

# up_vm SWITCH PORT NS [key=value...] - a tap port whose device moves from the
# host namespace (where vnetd made it) into namespace NS, brought up there
up_vm() {
  local sw=$1 port=$2 ns=$3 dev
  shift 3
  dev=$(ifn "$port")
  vctl port/add "$sw" "$port" type=tap ifname="$dev" "$@" ||
    fail "port/add $sw $port type=tap ifname=$dev $* failed"
  wait_for "in_host ip link show dev $dev" 5 || fail "tap $dev did not appear"
  [ -e "/run/netns/$(nsn "$ns")" ] || ns_add "$ns"
  in_host ip link set dev "$dev" netns "$(nsn "$ns")"
  in_ns "$ns" ip link set dev "$dev" up
}

# up_add SWITCH PORT BACKEND [key=value...] - the uplink on the NIC
up_add() {
  local sw=$1 port=$2 backend=$3
  shift 3
  vctl port/add "$sw" "$port" type=uplink ifname="$UP_NIC" backend="$backend" "$@" ||
    fail "port/add $sw $port type=uplink ifname=$UP_NIC backend=$backend $* failed"
}

# up_info SWITCH PORT FIELD - a field of the uplink's port/list info (backend, xdp_mode, ring.x...)
up_info() {
  port_field "$1" "$2" "info.$3"
}

# nic_promiscuity - the kernel's promiscuous count of the NIC (0 = not promiscuous)
nic_promiscuity() {
  in_host ip -d -j link show dev "$UP_NIC" | jq -r '.[0].promiscuity'
}

# nic_xdp_attached - "yes" if an XDP program is attached to the NIC
nic_xdp_attached() {
  if in_host ip -j link show dev "$UP_NIC" | jq -e '.[0].xdp != null' >/dev/null; then
    echo yes
  else
    echo no
  fi
}

# up_iperf NS_CLIENT NS_SERVER SERVER_IP - a 1 s iperf3 TCP run; sets UP_BYTES (bytes received)
up_iperf() {
  local port out
  port=$((5200 + RANDOM % 500))
  bg_run ip netns exec "$(nsn "$2")" timeout 20 iperf3 -s -1 -p "$port" >/dev/null 2>&1
  wait_for "in_ns $2 ss -ltn | grep -q ':$port '" 5 || fail "iperf3 server did not start"
  out=$(in_ns "$1" timeout 20 iperf3 -c "$3" -p "$port" -t 1 -J) || fail "iperf3 $1 -> $3 failed"
  UP_BYTES=$(printf '%s' "$out" | jq -r '.end.sum_received.bytes')
}

# up_lan_scenario BACKEND - the bridged-mode walk-through (scenarios 30 and 31):
# DHCP from the LAN's dnsmasq, VM <-> LAN host both ways, the host's own
# address on the NIC all along, TCP both ways, and the host reaching its VMs
# through an internal port once its address moves there (Hyper-V style).
up_lan_scenario() {
  local b=$1 mode ip_a ip_b mac
  require_cmd iperf3 ss
  up_rig
  up_dnsmasq
  vctl switch/add sw0
  step "uplink on $UP_NIC with backend=$b"
  up_add sw0 up0 "$b"
  assert_eq "$(up_info sw0 up0 backend)" "$b" "backend in use"
  assert_eq "$(port_field sw0 up0 state)" up "uplink state"
  assert_eq "$(up_info sw0 up0 promisc)" true "uplink holds promiscuous mode"
  assert_num "$(nic_promiscuity)" -ge 1 "NIC promiscuity while attached"
  if [ "$b" = afxdp ]; then
    mode=$(up_info sw0 up0 xdp_mode)
    [ "$mode" = native ] || [ "$mode" = generic ] || fail "xdp_mode '$mode'"
    echo "ok: veth XDP mode: $mode"
    assert_eq "$(nic_xdp_attached)" yes "XDP program attached to the NIC"
  fi
  up_vm sw0 pa a
  up_vm sw0 pb b

  step "the host's own address on the NIC works with the uplink attached"
  assert_ping "$UP_HOST" "$UP_NET.1"

  step "VMs get addresses from the LAN's dnsmasq (udhcpc and dhclient)"
  udhcpc_get a "$(ifn pa)" || fail "udhcpc got no lease: $(tail -3 "$SVC_DIR/udhcpc-a.log")"
  ip_a=$(lease_var a ip)
  [[ $ip_a =~ ^10\.55\.0\.([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -ge 100 ] && [ "${BASH_REMATCH[1]}" -le 150 ] ||
    fail "udhcpc address $ip_a is not from dnsmasq's range"
  assert_eq "$(lease_var a router)" "$UP_NET.1" "router from dnsmasq"
  dhclient_get b "$(ifn pb)" || fail "dhclient got no lease: $(tail -5 "$SVC_DIR/dhclient-b.log")"
  ip_b=$(lease_var b ip)
  [[ $ip_b =~ ^10\.55\.0\.([0-9]+)$ ]] || fail "dhclient address $ip_b"
  assert_ne "$ip_b" "$ip_a" "two different leases"
  grep -q "$ip_a" "$T_DIR/dnsmasq.leases" || fail "dnsmasq has no lease for $ip_a"

  step "VMs and the LAN host reach each other"
  assert_ping a "$UP_NET.1"
  assert_ping "$UP_LAN" "$ip_a"
  assert_ping "$UP_LAN" "$ip_b"
  assert_ping b "$ip_a"

  step "TCP both ways through the uplink"
  up_iperf a "$UP_LAN" "$UP_NET.1"
  assert_num "$UP_BYTES" -gt 1000000 "bytes VM -> LAN host in 1 s"
  up_iperf "$UP_LAN" b "$ip_b"
  assert_num "$UP_BYTES" -gt 1000000 "bytes LAN host -> VM in 1 s"
  if [ "$b" = afxdp ]; then
    # the LAN end of the veth sends with checksum offload: partial checksums, marked
    assert_num "$(up_info sw0 up0 csum_partial_marked)" -gt 0 "partial checksums marked (AF_XDP)"
    # AF_XDP frames come one MTU at a time: the uplink's software GRO merges them
    assert_num "$(up_info sw0 up0 gro_merged)" -gt 0 "segments merged by software GRO (AF_XDP)"
  fi

  step "the host's own address still works"
  assert_ping "$UP_HOST" "$UP_NET.1"

  step "the host reaches its VMs once its address is on an internal port"
  in_host ip addr del "$UP_NET.254/24" dev "$UP_NIC"
  vctl port/add sw0 host0 type=internal ifname="$(ifn hport)" address="$UP_NET.254/24"
  assert_ping "$UP_HOST" "$ip_a"
  assert_ping "$UP_HOST" "$UP_NET.1"
  assert_ping "$UP_LAN" "$UP_NET.254"

  step "nothing the switch sent came back in: the VMs' MACs stay on their ports"
  mac=$(in_ns a cat "/sys/class/net/$(ifn pa)/address")
  assert_eq "$(fdb_port sw0 "$mac" 0)" pa "VM a's MAC is learned on pa only"
  mac=$(in_ns b cat "/sys/class/net/$(ifn pb)/address")
  assert_eq "$(fdb_port sw0 "$mac" 0)" pb "VM b's MAC is learned on pb only"
  assert_num "$(port_drop sw0 up0 loopback)" -eq 0 "no frame returned to the uplink"
  assert_eq "$(json_get "$(vctlj stats/show sw0)" .fdb.moves)" 0 "no station moves in the MAC table"

  step "counters"
  assert_num "$(port_stat sw0 up0 rx_packets)" -gt 100 "uplink rx_packets"
  assert_num "$(port_stat sw0 up0 tx_packets)" -gt 100 "uplink tx_packets"
  assert_num "$(up_info sw0 up0 ring.afpacket_ring_full)" -eq 0 "no AF_PACKET ring drops at this rate"
}
