#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 43-dns-names - VMs resolve each other by the host names their DHCP clients sent
# (NAME.NETWORK, bare NAME through the "search" domain, and reverse lookups), with dig and
# with the VM's own resolver (glibc, /etc/resolv.conf built from the lease). A name another
# VM holds is not taken over. In a host-only network, outside names get a clean NXDOMAIN.
#
#   ns a vm1 (udhcpc)   ns b vm2 (dhclient)  ns d (wants "vm1" too)     ns c vm3 (udhcpc)
#        | pa                | pb                | pd                        | pc
#   +----|-------------------|-------------------|----------+       +-------|-----------+
#   |  network "lab" (nat) 10.81.0.0/24, DNS at .2           |       | network "ho"       |
#   +--------------------------------------------------------+       | (host-only)        |
#                                                                    | 10.82.0.0/24       |
#                                                                    +--------------------+
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_svc.sh"
require_cmd unshare getent

vnetd_start
vctl network/add lab mode=nat subnet=10.81.0.0/24
vctl network/add ho mode=host-only subnet=10.82.0.0/24 ifname="$(ifn ho)"
T_LINKS+=("$(ifn ho)")
vm_add lab pa a 52:54:00:43:00:0a
vm_add lab pb b 52:54:00:43:00:0b
vm_add lab pd d 52:54:00:43:00:0d
vm_add ho pc c 52:54:00:43:00:0c
udhcpc_get a "$(ifn pa)" vm1 || fail "vm1: no lease"
dhclient_get b "$(ifn pb)" vm2 || fail "vm2: no lease"
udhcpc_get c "$(ifn pc)" vm3 || fail "vm3: no lease"
ip1=$(lease_var a ip)
ip2=$(lease_var b ip)
ip3=$(lease_var c ip)
GW=10.81.0.2

step "names in the network's domain"
assert_eq "$(dig_a a $GW vm2.lab)" "$ip2" "vm1 resolves vm2.lab"
assert_eq "$(dig_a b $GW vm1.lab)" "$ip1" "vm2 resolves vm1.lab"
assert_eq "$(dig_a a $GW VM2.LAB)" "$ip2" "names are case-insensitive"
assert_eq "$(dig_a a $GW vm2)" "$ip2" "bare host name"
assert_eq "$(dig_a a $GW gateway.lab)" "$GW" "gateway.lab"
assert_eq "$(dig_a a $GW nosuchvm.lab)" "STATUS: NXDOMAIN" "unknown VM"
assert_eq "$(in_ns a dig +short -x "$ip2" @$GW)" "vm2.lab." "reverse lookup of vm2"

step "the VM's own resolver (glibc) uses the lease: search lab, nameserver .2"
printf 'search %s\nnameserver %s\n' "$(lease_var a domain)" "$(lease_var a dns)" >"$SVC_DIR/resolv-a.conf"
got=$(in_ns a unshare -m sh -c "mount --bind '$SVC_DIR/resolv-a.conf' /etc/resolv.conf && getent hosts vm2" | awk '{print $1}')
assert_eq "$got" "$ip2" "getent hosts vm2 in vm1"
in_ns a unshare -m sh -c "mount --bind '$SVC_DIR/resolv-a.conf' /etc/resolv.conf && ping -c 2 -W 2 vm2.lab" >/dev/null ||
  fail "vm1 cannot ping vm2.lab by name"
echo "ok: vm1 pings vm2.lab by name"

step "a name already held is not taken over"
udhcpc_get d "$(ifn pd)" vm1 || fail "d: no lease"
assert_eq "$(dig_a b $GW vm1.lab)" "$ip1" "vm1.lab still names the first vm1"
assert_eq "$(lease_of lab 52:54:00:43:00:0d hostname)" "" "the second vm1 got no name"

step "host-only: own names answered, outside names NXDOMAIN, no recursion offered"
assert_eq "$(dig_a c 10.82.0.2 vm3.ho)" "$ip3" "vm3.ho"
assert_eq "$(dig_a c 10.82.0.2 www.example.com)" "STATUS: NXDOMAIN" "outside name in host-only"
in_ns c dig +time=2 @10.82.0.2 www.example.com | grep -q "flags: qr rd;" ||
  fail "host-only DNS claims recursion (RA set)"
assert_eq "$(dig_a c 10.82.0.2 vm2.lab)" "STATUS: NXDOMAIN" "another network's names are not visible"
assert_num "$(json_get "$(vctlj network/list)" '[.[] | select(.name == "lab")][0].counters.dns.answered')" -ge 5 "answers counted"
assert_vnetd_alive
t_pass
