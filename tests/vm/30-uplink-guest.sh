#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 30-uplink-guest - bridged mode with a real guest: a Linux guest (virtio_net, QEMU under TCG)
# on a vhost-user port of a switch whose uplink is the host's "NIC" (a veth) gets its address
# from the LAN's own dnsmasq with busybox udhcpc, pings the LAN host, and the LAN host pings it.
#
#   ns lan: wire 10.55.0.1/24 + dnsmasq (DHCP .100-.150)
#      |  veth
#   ns host: nic
#   +--|------------------------------------------------------+
#   |  up0 type=uplink ifname=nic backend=afpacket   sw0 (vnetd in ns host)
#   +----|----------------------------------------------------+
#      vA type=vhost-user mode=server
#        |
#   guest gA (QEMU, virtio-net), udhcpc on eth0
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_vm.sh"
. "$(dirname "$0")/../netns/_uplink.sh"

MAC=52:54:00:30:00:01
vm_prepare
up_rig
up_dnsmasq
vctl switch/add sw0
up_add sw0 up0 afpacket
vctl port/add sw0 vA type=vhost-user mode=server path="$T_DIR/vA.sock"

# The guest's udhcpc script configures eth0 and prints the lease on the console;
# the guest then stays up long enough for the LAN host to ping it.
guest_cmd='printf "#!/bin/sh\n[ \"\$1\" = bound ] && ip addr add \$ip/\$mask dev \$interface && echo G-LEASE ip=\$ip router=\$router\nexit 0\n" >/tmp/dhcp.sh &&
chmod +x /tmp/dhcp.sh && udhcpc -i eth0 -f -q -n -t 20 -T 3 -s /tmp/dhcp.sh &&
iping -c 3 -W 5 10.55.0.1 && sleep 30'
vm_boot gA "" "$MAC" "vhost-user:$T_DIR/vA.sock" "$guest_cmd"
vm_wait gA G-READY 180
vm_wait gA G-LEASE 120
lease=$(tr -d '\r' <"$T_DIR/gA.log" | sed -n 's/^G-LEASE ip=\([0-9.]*\) .*/\1/p' | tail -1)
[[ $lease =~ ^10\.55\.0\.([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" -ge 100 ] && [ "${BASH_REMATCH[1]}" -le 150 ] ||
  fail "guest lease '$lease' is not from the LAN's dnsmasq range"
echo "ok: guest got $lease from the LAN's dnsmasq"
grep -qi "$MAC" "$T_DIR/dnsmasq.leases" || fail "dnsmasq has no lease for $MAC"

step "the LAN host reaches the guest"
assert_ping "$UP_LAN" "$lease"
rc=$(vm_rc gA 120)
vm_console gA
assert_eq "$rc" 0 "guest: DHCP and ping to the LAN host succeeded"
assert_num "$(port_stat sw0 up0 rx_packets)" -gt 5 "uplink rx_packets"
t_pass
