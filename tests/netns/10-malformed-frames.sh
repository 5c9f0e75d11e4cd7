#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 10-malformed-frames - hostile frames from tap ports are dropped and counted by reason,
# and the switch keeps forwarding between other ports.
#
#   ns m (the attacker): raw_send on AF_PACKET sockets,      ns a 10.0.0.1   ns b 10.0.0.2
#   PACKET_VNET_HDR for the offload-header cases                 |               |
#      vt<ID>-pm (access 10, MTU 9000 in ns)  vt<ID>-pt (trunk)      pa access 10   pb access 10
#          |                                   |                 |               |
#   +------|-----------------------------------|-----------------|---------------|---+
#   |                               vnetd switch sw0                                 |
#   |   dx (dummy, offloads)   dn (dummy, nooffload=true, access 10)                 |
#   +--------------------------------------------------------------------------------+
#
# Cases: runts, frames over the port MTU, truncated 802.1Q headers, stacked and
# non-zero tags on an access port, and virtio-net headers with nonsense offload
# fields: both through a real tap (the kernel refuses some of them itself; what
# it lets through must be caught by vnetd) and injected on a dummy port, where
# every field can be chosen.
. "$(dirname "$0")/../lib.sh"
require_tool raw_send

ns_add m a b
vnetd_start
vctl switch/add sw0
tap_add sw0 pm m vlan_mode=access tag=10
tap_add sw0 pt m vlan_mode=trunk
tap_add sw0 pa a vlan_mode=access tag=10
tap_add sw0 pb b vlan_mode=access tag=10
dummy_add sw0 dx vlan_mode=trunk
dummy_add sw0 dn vlan_mode=access tag=10 nooffload=true
ns_addr a "$(ifn pa)" 10.0.0.1/24
ns_addr b "$(ifn pb)" 10.0.0.2/24
pm=$(ifn pm) pt=$(ifn pt)
# Let the attacker send frames larger than the switch port's MTU.
in_ns m ip link set dev "$pm" mtu 9000
in_ns m ip link set dev "$pt" mtu 9000
assert_ping a 10.0.0.2
bg_run in_ns a ping -n -q -i 0.2 -w 120 10.0.0.2

SRC=02:00:00:00:10:01
BC=ff:ff:ff:ff:ff:ff
# send PORT DEV REASON HEX [raw_send options] - send one frame from ns m on DEV
# and wait until PORT's REASON counter rises by one.
send() {
  local port=$1 dev=$2 reason=$3 hex=$4 before rc=0
  shift 4
  before=$(port_drop sw0 "$port" "$reason")
  in_ns m "$TOOLS/raw_send" -i "$dev" "$@" "$hex" || rc=$?
  [ $rc -eq 0 ] || fail "raw_send refused by the kernel (status $rc) for the $reason case"
  wait_for "[ \$(port_drop sw0 $port $reason) -eq $((before + 1)) ]" 5 ||
    fail "$reason on $port: $(port_drop sw0 "$port" "$reason"), expected $((before + 1))"
  echo "ok: $reason counted on $port"
}

step "runts"
# Linux itself never lets a frame shorter than an Ethernet header out of a tap
# (AF_PACKET refuses it, and so does the stack): check that defence, then
# check vnetd's own on a dummy port, where anything can be injected.
rc=0
in_ns m "$TOOLS/raw_send" -i "$pt" "$(mac_hex $BC)0200" 2>/dev/null || rc=$?
assert_eq $rc 3 "the kernel refuses to send an 8-byte frame on a tap"
for hex in "$(mac_hex $BC)0200" "$(mac_hex $BC)$(mac_hex $SRC)08"; do
  before=$(port_drop sw0 dx runt)
  inject sw0 dx "$hex"
  assert_eq "$(port_drop sw0 dx runt)" $((before + 1)) "runt of $((${#hex} / 2)) bytes counted on dx"
done
step "a header-only frame (14 bytes, no payload) is not malformed: it is forwarded"
capture sw0 dn >/dev/null
send_ok() { in_ns m "$TOOLS/raw_send" -i "$1" "$2" || fail "raw_send $2 failed"; }
send_ok "$pm" "$(mac_hex $BC)$(mac_hex 02:00:00:00:10:02)88b5"
wait_for '[ "$(capture_src sw0 dn 02:00:00:00:10:02 | wc -l)" = 1 ]' 5 ||
  fail "the 14-byte frame did not reach dn"
echo "ok: 14-byte frame forwarded"
step "over the MTU (1500 on the switch port)"
send pt "$pt" oversize "$(frame $BC $SRC - 88b5 3000)"
send pm "$pm" oversize "$(frame $BC $SRC - 88b5 1501)"
step "truncated 802.1Q headers"
send pt "$pt" truncated_vlan "$(mac_hex $BC)$(mac_hex $SRC)8100000a"       # tag without EtherType
send pt "$pt" truncated_vlan "$(mac_hex $BC)$(mac_hex $SRC)8100000a8100"   # second tag cut short
step "tags on an access port"
send pm "$pm" tagged_on_access "$(frame $BC $SRC 20)"                    # VLAN hopping attempt
send pm "$pm" stacked_vlan "$(mac_hex $BC)$(mac_hex $SRC)81000000810000140800$(frame $BC $SRC - 0800 | cut -c29-)"
assert_eq "$(fdb_port sw0 $SRC 20)" "" "nothing learned in VLAN 20 from the access port"

# TCP/IPv4 10.0.0.9:1234 -> 10.0.0.8:5201, 3000 bytes; UDP/IPv4 the same
IP4TCP="4500000000004000400600000a0000090a000008""04d21451000000010000000050100400""00000000"
IP4UDP="4500000000004000401100000a0000090a000008""04d214510000""0000"
TCPF="$(mac_hex 02:00:00:00:10:99)$(mac_hex $SRC)0800$IP4TCP"
UDPF="$(mac_hex 02:00:00:00:10:99)$(mac_hex $SRC)0800$IP4UDP"

step "virtio-net headers with nonsense offload fields, through the tap"
# The kernel checks such headers twice before a frame reaches vnetd: when
# AF_PACKET takes them (virtio_net_hdr_to_skb: EINVAL) and, for GSO, when the
# device transmits (the DODGY re-validation in validate_xmit_skb: a silent
# tx drop). Whatever gets past both must be refused by vnetd. Each case ends
# in one of those three places, and never as a frame forwarded to dx.
tx_dropped() { in_ns m ip -s -j link show dev "$pt" | jq -r '.[0].stats64.tx.dropped'; }
n_vnetd=0
send_vh() {
  local what=$1 hex=$2 vh=$3 bad0 drop0 rc=0
  bad0=$(port_drop sw0 pt bad_vnet_hdr)
  drop0=$(tx_dropped)
  capture sw0 dx >/dev/null
  in_ns m "$TOOLS/raw_send" -i "$pt" -l "${4:-3000}" -f -V "$vh" "$hex" 2>/dev/null || rc=$?
  if [ $rc -eq 3 ]; then
    echo "ok: $what: refused by the kernel (EINVAL)"
    return 0
  fi
  [ $rc -eq 0 ] || fail "raw_send failed (status $rc) for $what"
  wait_for "[ \$(port_drop sw0 pt bad_vnet_hdr) -gt $bad0 ] || [ \$(tx_dropped) -gt $drop0 ]" 5 ||
    fail "$what: neither counted by vnetd nor dropped by the kernel"
  if [ "$(port_drop sw0 pt bad_vnet_hdr)" -gt "$bad0" ]; then
    n_vnetd=$((n_vnetd + 1))
    echo "ok: $what: counted by vnetd as bad_vnet_hdr"
  else
    echo "ok: $what: dropped by the sending kernel"
  fi
  assert_eq "$(capture_src sw0 dx $SRC | wc -l)" 0 "$what: nothing forwarded"
}
#                                                   flags:gso:hdr_len:gso_size:csum_start:csum_offset
send_vh "TCPV4 GSO on a UDP packet"                 "$UDPF" 1:1:42:1000:34:16
send_vh "TCPV6 GSO on an IPv4 packet"               "$TCPF" 1:4:74:1000:54:16
send_vh "UFO on a TCP packet"                       "$TCPF" 1:3:54:1000:34:16
send_vh "TSO with csum_start in the payload"        "$TCPF" 1:1:54:1000:100:16
send_vh "checksum offset 2 at csum_start 100"       "$TCPF" 1:0:0:0:100:2 1000
send_vh "checksum request inside the IPv4 header"   "$TCPF" 1:0:0:0:20:10 1000
assert_num $n_vnetd -ge 1 "nonsense headers that got past the kernel and were caught by vnetd"
step "control: a well-formed TSO frame through the same path is forwarded whole"
capture sw0 dx >/dev/null
gso0=$(port_stat sw0 pt rx_gso)
in_ns m "$TOOLS/raw_send" -i "$pt" -l 3000 -f -V 1:1:54:1000:34:16 "$TCPF"
wait_for "[ \$(port_stat sw0 pt rx_gso) -gt $gso0 ]" 5 || fail "the valid TSO frame did not arrive"
assert_eq "$(capture_src sw0 dx $SRC | awk '{ print length($0) / 2 }')" 3000 "size of the frame forwarded to dx"

step "virtio-net headers with nonsense fields (injected on a dummy port)"
# inject_vh WHAT HEX VNET: inject on dx; the frame must be dropped as bad_vnet_hdr
inject_vh() {
  local what=$1 hex=$2 vh=$3 before
  before=$(port_drop sw0 dx bad_vnet_hdr)
  inject sw0 dx "$hex" "vnet=$vh"
  assert_eq "$(port_drop sw0 dx bad_vnet_hdr)" $((before + 1)) "bad_vnet_hdr for $what"
}
# A 3000-byte TCP frame with correct lengths: build it with raw_send's -f logic in bash.
pad=$(head -c $((3000 - ${#TCPF} / 2)) /dev/zero | od -An -v -tx1 | tr -d ' \n')
TCP3000="${TCPF:0:32}0bb6${TCPF:36}$pad" # IPv4 total length 3000 - 14 = 2986 = 0x0bb6
inject_vh "an unknown flag" "$TCP3000" 0x80,0,0,0,0,0
inject_vh "an unknown GSO type" "$TCP3000" 1,7,54,1000,34,16
inject_vh "hdr_len beyond the frame" "$TCP3000" 1,1,4000,1000,34,16
inject_vh "csum_start beyond the frame" "$TCP3000" 1,0,0,0,3500,16
inject_vh "csum_offset beyond the frame" "$TCP3000" 1,0,0,0,34,4000
inject_vh "GSO without NEEDS_CSUM" "$TCP3000" 0,1,54,1000,0,0
inject_vh "ECN on a non-GSO frame" "$TCP3000" 1,0x80,0,0,34,16
inject_vh "TCPV4 GSO on a UDP packet" "${UDPF:0:32}0bb6${UDPF:36}$pad" 1,1,42,1000,34,16
step "a super-frame that cannot be segmented within limits (gso_size 1) is dropped, not looped on"
vctl fdb/add sw0 02:00:00:00:10:99 10 dn
b_in=$(port_drop sw0 dx bad_vnet_hdr)
b_out=$(port_drop sw0 dn gso_failed)
# dx is a trunk: send it tagged 10 so it reaches dn (access 10, no offloads).
TCP3000T="${TCP3000:0:24}8100000a${TCP3000:24}"
capture sw0 dn >/dev/null
inject sw0 dx "$TCP3000T" vnet=1,1,58,1,38,16
d_in=$(($(port_drop sw0 dx bad_vnet_hdr) - b_in))
d_out=$(($(port_drop sw0 dn gso_failed) - b_out))
echo "bad_vnet_hdr +$d_in on dx, gso_failed +$d_out on dn"
assert_eq $((d_in + d_out)) 1 "the frame was dropped and counted once"
assert_eq "$(capture_src sw0 dn $SRC | wc -l)" 0 "no segment of it sent to dn"

step "the switch kept forwarding"
assert_ping a 10.0.0.2
assert_ping b 10.0.0.1
assert_eq "$(port_field sw0 pm state)" up "attacker's port pm still up"
assert_eq "$(port_field sw0 pt state)" up "attacker's port pt still up"
j=$(vctlj stats/show sw0)
echo "drops on pt: $(json_get "$j" '.ports[] | select(.name == "pt") | .drops | with_entries(select(.value > 0))' | tr -d ' \n')"
echo "drops on pm: $(json_get "$j" '.ports[] | select(.name == "pm") | .drops | with_entries(select(.value > 0))' | tr -d ' \n')"

t_pass
