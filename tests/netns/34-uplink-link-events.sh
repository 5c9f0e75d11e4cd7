#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 34-uplink-link-events - the uplink follows its interface: down (with the reason) while the
# NIC is administratively down or has no carrier, up again with traffic resuming when it comes
# back; when the NIC is deleted the port releases it and stays down with the reason, and
# re-attaches by name when an interface of that name appears again. Both backends.
#
#   ns lan: wire 10.55.0.1/24       <- "ip link set wire down" = carrier loss on nic
#      |  veth (deleted and re-created)
#   ns host: nic                    <- "ip link set nic down", "ip link del nic"
#   +--|------------------------------+
#   |  up0 type=uplink ifname=nic sw0 |
#   +----|----------------------------+
#      pa (tap)
#   ns a 10.55.0.10/24
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_uplink.sh"

up_rig
vctl switch/add sw0
up_vm sw0 pa a
ns_addr a "$(ifn pa)" "$UP_NET.10/24"

state_is() { [ "$(port_field sw0 up0 state)" = "$1" ]; }

for b in afpacket afxdp; do
  step "backend=$b: attached, traffic flows"
  up_add sw0 up0 "$b"
  assert_ping a "$UP_NET.1"

  step "backend=$b: NIC set down, then up"
  in_host ip link set "$UP_NIC" down
  wait_for "state_is down" 5 || fail "port did not go down with the NIC"
  assert_eq "$(port_field sw0 up0 down_reason)" "interface $UP_NIC is down" "down_reason"
  assert_eq "$(up_info sw0 up0 link)" down "link"
  in_ns a ping -n -c 1 -W 1 "$UP_NET.1" >/dev/null 2>&1 && fail "ping crossed a down uplink"
  in_host ip link set "$UP_NIC" up
  wait_for "state_is up" 5 || fail "port did not come back up with the NIC"
  assert_ping a "$UP_NET.1"

  step "backend=$b: carrier lost (far end down), then back"
  in_lan ip link set "$UP_WIRE" down
  wait_for "state_is down" 5 || fail "port did not go down on carrier loss"
  assert_eq "$(port_field sw0 up0 down_reason)" "interface $UP_NIC has no carrier" "down_reason"
  in_lan ip link set "$UP_WIRE" up
  wait_for "state_is up" 5 || fail "port did not come back with the carrier"
  assert_ping a "$UP_NET.1"
  assert_num "$(up_info sw0 up0 link_changes)" -ge 5 "link changes counted"

  step "backend=$b: NIC deleted: port down, released; re-created: re-attached"
  in_host ip link del "$UP_NIC"
  wait_for "state_is down" 5 || fail "port did not go down when the NIC was deleted"
  assert_eq "$(port_field sw0 up0 down_reason)" \
    "interface $UP_NIC was deleted; re-attaches when it returns" "down_reason"
  assert_eq "$(up_info sw0 up0 link)" absent "link"
  assert_eq "$(up_info sw0 up0 backend)" none "backend released"
  assert_vnetd_alive
  up_nic_recreate
  in_ns a ip neigh flush dev "$(ifn pa)" # the LAN end is a new veth with a new MAC
  wait_for "state_is up" 10 || fail "port did not re-attach to the re-created NIC"
  assert_eq "$(up_info sw0 up0 backend)" "$b" "backend after re-attach"
  assert_eq "$(up_info sw0 up0 reattached)" 1 "reattached"
  assert_ping a "$UP_NET.1"
  vctl port/del sw0 up0
done
t_pass
