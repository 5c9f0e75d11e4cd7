#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 01-vhost-guests - two real Linux guests (the Debian kernel's virtio_net
# driver, QEMU under TCG) on two vhost-user ports ping each other and run
# iperf3; TSO super-frames cross vnetd unsegmented (counted), and the
# negotiated offloads are the ones vnetd offers. One port is in server mode
# (QEMU connects), the other in client mode (QEMU listens, vnetd connects).
#
#   guest gA 10.0.0.1            guest gB 10.0.0.2
#   virtio-net (QEMU, client)    virtio-net (QEMU, server=on)
#          |                              |
#      vA.sock                        vB.sock
#   [vhost-user vA, mode=server] -- sw0 -- [vhost-user vB, mode=client]
#
# gA: ping gB, then iperf3 -c gB (TCP gA -> gB, 5 s); gB: iperf3 -s.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_vm.sh"

vm_prepare
vnetd_start
vctl switch/add sw0
vctl port/add sw0 vA type=vhost-user mode=server path="$T_DIR/vA.sock"
vctl port/add sw0 vB type=vhost-user mode=client path="$T_DIR/vB.sock"

vm_boot gB 10.0.0.2/24 52:54:00:00:0b:02 "vhost-user-server:$T_DIR/vB.sock" 'iperf3 -s -1'
vm_boot gA 10.0.0.1/24 52:54:00:00:0a:01 "vhost-user:$T_DIR/vA.sock" \
  'gwait 10.0.0.2 90 && iping -c 5 -i 0.3 10.0.0.2 && giperf 10.0.0.2 -t 5'
vm_wait gA G-READY 120
vm_wait gB G-READY 120
wait_port_state sw0 vA up 60
wait_port_state sw0 vB up 60
vhost_feat=$(vhost_info sw0 vA '.features | join(" ")')
echo "vnetd reports for vA: $(vhost_info sw0 vA .negotiated_features) = $vhost_feat"
case " $vhost_feat " in
*" EVENT_IDX "*" VERSION_1 "*) echo "ok: port/list shows the negotiated features" ;;
*) fail "port/list does not show the guest's features" ;;
esac

rcA=$(vm_rc gA 240)
rcB=$(vm_rc gB 60)
vm_console gA
vm_console gB
assert_eq "$rcA" 0 "gA: ping and iperf3 to gB succeeded"
assert_eq "$rcB" 0 "gB: iperf3 server served gA"
grep -q ' 0% packet loss' "$T_DIR/gA.log" || fail "ping lost packets"
rate=$(tr -d '\r' <"$T_DIR/gA.log" | awk '/sender$/ { print $(NF-3), $(NF-2) }' | tail -1)
echo "iperf3 gA -> gB: $rate"
[ -n "$rate" ] || fail "no iperf3 result"

featA=$(vm_features gA)
echo "gA negotiated: $featA"
for f in VERSION_1 MRG_RXBUF EVENT_IDX INDIRECT_DESC CSUM GUEST_CSUM HOST_TSO4 GUEST_TSO4; do
  case " $featA " in
  *" $f "*) echo "ok: guest negotiated $f" ;;
  *) fail "guest did not negotiate $f (got: $featA)" ;;
  esac
done

rx_gso=$(port_stat sw0 vA rx_gso)
tx_gso=$(port_stat sw0 vB tx_gso)
seg=$(port_stat sw0 vB gso_segmented)
echo "vA rx_gso=$rx_gso vB tx_gso=$tx_gso vB gso_segmented=$seg"
[ "$rx_gso" -gt 100 ] || fail "only $rx_gso TSO frames arrived from gA"
[ "$tx_gso" -gt 100 ] || fail "only $tx_gso TSO frames reached gB"
assert_eq "$seg" 0 "no software segmentation between two TSO-capable guests"
echo "vA transmit ring: $(vhost_info sw0 vA '.vrings[1] | "zerocopy=\(.zerocopy) copied=\(.copied)"')"
assert_eq "$(vctlj port/list sw0 | jq '[.[].info.violations] | add')" 0 "no protocol violations"
assert_vnetd_alive
t_pass
