#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 03-vhost-migrate - live migration of a guest between two vhost-user ports of
# one vnetd: during the migration vnetd marks the pages it writes in QEMU's
# dirty log (SET_LOG_BASE, VHOST_F_LOG_ALL); afterwards the guest announces
# itself from its new port and the MAC table follows at once, while another
# guest keeps pinging it.
#
#   guest gB 10.0.0.2          guest gA 10.0.0.1  ==migrate==>  gA (QEMU -incoming)
#   (pings gA all along)       QEMU source                      QEMU destination
#        |  vB.sock                 |  vA.sock                       |  vC.sock
#   [vhost-user vB] ------------ [vhost-user vA] ----- sw0 ----- [vhost-user vC]
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_vm.sh"
require_cmd socat

MAC_A=52:54:00:00:0a:01
vm_prepare
vnetd_start
vctl switch/add sw0
for p in vA vB vC; do
  vctl port/add sw0 "$p" type=vhost-user mode=server path="$T_DIR/$p.sock"
done

hmp() { # hmp GUEST COMMAND - a QEMU monitor command; prints the answer
  echo "$2" | socat - "UNIX-CONNECT:$T_DIR/$1.mon" 2>/dev/null | tr -d '\r'
}

VM_QEMU_EXTRA="-monitor unix:$T_DIR/gA.mon,server=on,wait=off" \
  vm_boot gA 10.0.0.1/24 "$MAC_A" "vhost-user:$T_DIR/vA.sock" 'sleep 60'
vm_boot gB 10.0.0.2/24 52:54:00:00:0b:02 "vhost-user:$T_DIR/vB.sock" \
  'gwait 10.0.0.1 90 && iping -c 400 -i 0.1 -W 1 10.0.0.1'
# the destination: same machine, waiting for the migration stream
VM_QEMU_EXTRA="-incoming unix:$T_DIR/mig.sock -monitor unix:$T_DIR/gA2.mon,server=on,wait=off" \
  vm_boot gA2 10.0.0.1/24 "$MAC_A" "vhost-user:$T_DIR/vC.sock" 'sleep 60'
vm_wait gB 'gwait: 10.0.0.1 reachable' 150
wait_for "[ \"\$(fdb_port sw0 $MAC_A 0)\" = vA ]" 10 || fail "gA's MAC not learned on vA"
echo "ok: $MAC_A is on vA before the migration"

step "migrate gA from vA to vC"
hmp gA "migrate -d unix:$T_DIR/mig.sock" >/dev/null
wait_for "hmp gA 'info migrate' | grep -q 'Migration status: completed'" 120 || {
  hmp gA 'info migrate'
  fail "migration did not complete"
}
hmp gA 'info migrate' | grep -E 'Migration status|total time|transferred ram' || true
logged=$(vhost_info sw0 vA .counters.dirty_log_writes)
echo "vA: $logged writes marked in QEMU's dirty log during the migration"
[ "$logged" -gt 0 ] || fail "vnetd logged no dirty pages while gA migrated"
hmp gA quit >/dev/null || true

wait_port_state sw0 vC up 30
wait_for "[ \"\$(fdb_port sw0 $MAC_A 0)\" = vC ]" 10 ||
  fail "the MAC table did not follow gA to vC (it says $(fdb_port sw0 $MAC_A 0))"
echo "ok: $MAC_A moved to vC after the migration"

rcB=$(vm_rc gB 120)
vm_console gB | grep -E 'statistics|transmitted|rtt' || true
assert_eq "$rcB" 0 "gB's ping of gA succeeded across the migration"
lost=$(tr -d '\r' <"$T_DIR/gB.log" | sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p')
echo "ping loss across the migration: $lost%"
awk -v l="$lost" 'BEGIN { exit !(l < 20) }' || fail "lost $lost% of the pings"
assert_vnetd_alive
t_pass
