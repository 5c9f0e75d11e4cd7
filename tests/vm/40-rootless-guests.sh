#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 40-rootless-guests - vnet without root. An ordinary user that the test creates
# (and removes) starts vnetd with no options: the socket and state go to its
# XDG directories, and the default NAT network comes up without a host port.
# As that user, three real guests (QEMU, TCG) attach with the exact -netdev
# arguments port/add printed:
#
#   g1 10.0.0.1  stream port (vnetd listens, QEMU connects)  --+
#   g2 10.0.0.2  dgram port                                  --+-- switch lab -- tap ut (10.0.0.254,
#                                                                  a persistent tap the
#                                                                  administrator made for the user)
#   g3 (DHCP)    stream port on the default NAT network -- NAT -- 192.0.2.2:8080 in namespace
#                                                                  "out", standing for the outside
#
# g1 pings g2 and the tap's address and runs iperf3 to g2; g3 gets an address by
# DHCP and downloads a 2 MiB file over the NAT, checked by MD5. The user cannot
# create a tap (or an uplink) and gets an error naming the capability. Nothing
# the user's vnetd wrote lies outside its own directories. Everything runs in
# namespace "host", so the outside is only namespace "out".
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_vm.sh"

require_cmd useradd userdel setpriv python3 md5sum
vm_prepare

user="vnt$T_ID"
ns_add host out
H=$(nsn host)
U=$T_DIR/u # the user's home: its runtime and state dirs live here
useradd --system --no-create-home --home-dir "$U" --shell /usr/sbin/nologin "$user" ||
  fail "useradd $user"
at_exit "userdel -f $user"
uid=$(id -u "$user")
gid=$(id -g "$user")
chmod 0711 "$T_DIR"
mkdir -p "$U/run" "$U/state"
chmod 0700 "$U/run"
chown -R "$user:" "$U"

# AS_USER CMD... runs CMD as the user, in namespace host, with a clean environment;
# each step execs the next, so a background "${AS_USER[@]}" CMD & has CMD's pid
AS_USER=(ip netns exec "$H" setpriv --reuid "$uid" --regid "$gid" --clear-groups
  env -i HOME="$U" XDG_RUNTIME_DIR="$U/run" XDG_STATE_HOME="$U/state" PATH="$PATH")
uexec() {
  "${AS_USER[@]}" "$@"
}
# uvctl ARGS... - vnetctl as the user, with its default (rootless) socket
uvctl() {
  uexec "$VNETCTL" "$@"
}
# netdev_of NAME OUTPUT - the -netdev options port/add printed, for tests/vm/_guest.sh
netdev_of() {
  sed -n "s/.*-netdev \([a-z]*\),id=$1,\([^ ]*\) -device.*/\1,\2/p" <<<"$2"
}
# uboot NAME IP MAC NETDEV CMD - boot a guest as the user; console in $U, seen as $T_DIR/NAME.log
declare -A UBOOT_ARGS=()
uboot() {
  ln -sf "$U/$1.log" "$T_DIR/$1.log"
  ln -sf "$U/$1.qemu.log" "$T_DIR/$1.qemu.log"
  UBOOT_ARGS[$1]=$(printf '%q ' "$@")
  "${AS_USER[@]}" "$VM_DIR/_guest.sh" "$@" "$U" &
  VM_PID[$1]=$!
  T_BG+=("$!")
  step "guest $1 booting as $user ($4)"
}
# uready NAME - wait until the guest's command starts. On a loaded host the TCG guest
# kernel can panic in early timer setup ("IO-APIC + timer doesn't work"), before any
# networking: that guest is booted once more; a second panic fails the test.
uready() {
  local try lp
  for try in 1 2; do
    wait_for "grep -q '^G-READY\\|Kernel panic' '$T_DIR/$1.log'" 120 || break
    grep -q '^G-READY' "$T_DIR/$1.log" && return 0
    [ $try = 1 ] || break
    echo "guest $1: kernel panic during early boot (TCG timer); booting it again"
    wait "${VM_PID[$1]}" 2>/dev/null || true
    # a dgram guest's own socket file stays behind its QEMU; the next one binds it anew
    lp=$(sed -n 's/.*local\.path=\([^ ,]*\).*/\1/p' <<<"${UBOOT_ARGS[$1]}")
    [ -z "$lp" ] || rm -f "$lp"
    eval "uboot ${UBOOT_ARGS[$1]}"
  done
  vm_wait "$1" G-READY 1
}

step "the outside: namespace out, 192.0.2.2, an HTTP server with a 2 MiB file"
veth_h=$(ifn h) veth_o=$(ifn o)
ip link add "$veth_h" netns "$H" type veth peer name "$veth_o" netns "$(nsn out)"
ip -n "$H" addr add 192.0.2.1/24 dev "$veth_h"
ip -n "$H" link set "$veth_h" up
ip -n "$(nsn out)" addr add 192.0.2.2/24 dev "$veth_o"
ip -n "$(nsn out)" link set "$veth_o" up
ip -n "$H" route add default via 192.0.2.2
mkdir -p "$T_DIR/www"
head -c 2097152 /dev/urandom >"$T_DIR/www/blob"
want_md5=$(md5sum <"$T_DIR/www/blob" | cut -d' ' -f1)
in_ns out python3 -m http.server 8080 --bind 192.0.2.2 --directory "$T_DIR/www" \
  >"$T_DIR/http.log" 2>&1 &
T_BG+=("$!")
wait_for "in_ns out python3 -c 'import socket; socket.create_connection((\"192.0.2.2\", 8080), 1)'" 10 ||
  fail "HTTP server did not start"

step "vnetd as $user (uid $uid) with no options"
"${AS_USER[@]}" "$VNETD" >"$T_DIR/uvnetd.log" 2>&1 &
upid=$!
T_BG+=("$upid")
wait_for "uvctl switch/list" 15 || {
  cat "$T_DIR/uvnetd.log"
  fail "the rootless vnetd did not answer"
}
cat "$T_DIR/uvnetd.log"
[ -S "$U/run/vnet/vnetd.sock" ] || fail "socket not at \$XDG_RUNTIME_DIR/vnet/vnetd.sock"
wait_for "[ -f '$U/state/vnet/config.json' ]" 5 || fail "state not in \$XDG_STATE_HOME/vnet"
assert_eq "$(stat -c %U "$U/run/vnet/vnetd.sock")" "$user" "the socket belongs to the user"
uvctl port/list default
assert_eq "$(uexec "$VNETCTL" --json port/list default | jq -r '.[] | select(.name == "gw") | .state')" up \
  "default NAT network's gateway is up without privileges"

step "the user cannot create a tap or an uplink: clear errors"
uvctl switch/add lab
if out=$(uvctl port/add lab t0 type=tap ifname="$(ifn nt)" 2>&1); then
  fail "an unprivileged user created a tap"
fi
echo "$out"
grep -q "CAP_NET_ADMIN" <<<"$out" || fail "the tap error does not name CAP_NET_ADMIN"
grep -q "ip tuntap add" <<<"$out" || fail "the tap error does not say how to get a tap"
if uvctl help | grep -q '^  uplink '; then
  if out=$(uvctl port/add lab up0 type=uplink ifname="$veth_h" 2>&1); then
    fail "an unprivileged user attached an uplink"
  fi
  echo "$out"
  grep -q "CAP_NET_RAW\|CAP_NET_ADMIN" <<<"$out" || fail "the uplink error does not name a capability"
else
  echo "NOTE: no uplink port type in this build: only the tap error was checked"
fi

step "a persistent tap the administrator made for $user"
ut=$(ifn ut)
ip -n "$H" tuntap add dev "$ut" mode tap user "$uid" vnet_hdr
ip -n "$H" addr add 10.0.0.254/24 dev "$ut"
ip -n "$H" link set "$ut" up
uvctl port/add lab ut type=tap ifname="$ut"
assert_eq "$(uexec "$VNETCTL" --json port/list lab | jq -r '.[] | select(.name == "ut") | .state')" up \
  "the user's vnetd opened the tap made for it"

step "ports for the guests; port/add prints the QEMU arguments"
o1=$(uvctl port/add lab g1 type=stream mode=server path="$U/run/g1.sock")
o2=$(uvctl port/add lab g2 type=dgram path="$U/run/g2.sock" peer="$U/run/g2-qemu.sock")
o3=$(uvctl port/add default g3 type=stream path="$U/run/g3.sock")
printf '%s\n' "$o1" "$o2" "$o3"
n1=$(netdev_of g1 "$o1") n2=$(netdev_of g2 "$o2") n3=$(netdev_of g3 "$o3")
if [ -z "$n1" ] || [ -z "$n2" ] || [ -z "$n3" ]; then
  fail "port/add printed no -netdev argument"
fi

uboot g2 10.0.0.2/24 52:54:00:00:0b:02 "netdev:$n2" 'iperf3 -s -1'
uboot g1 10.0.0.1/24 52:54:00:00:0a:01 "netdev:$n1" \
  'gwait 10.0.0.2 90 && iping -c 5 -i 0.3 10.0.0.2 && iping -c 3 -i 0.3 10.0.0.254 && giperf 10.0.0.2 -t 5'
# DHCP with busybox udhcpc (its script configures eth0), then the download over the NAT;
# the script is for the guest's shell, hence the single quotes
# shellcheck disable=SC2016
dh='printf "#!/bin/sh\n[ \"\$1\" = bound ] && ip addr add \$ip/\$mask dev \$interface && ip route add default via \$router\nexit 0\n" >/tmp/dh && chmod +x /tmp/dh'
uboot g3 "" 52:54:00:00:0c:03 "netdev:$n3" \
  "$dh && udhcpc -i eth0 -n -q -t 20 -T 1 -s /tmp/dh && wget -q -O /tmp/blob http://192.0.2.2:8080/blob && echo G-MD5 \$(md5sum </tmp/blob)"

uready g2
uready g1
uready g3
rc1=$(vm_rc g1 300)
rc2=$(vm_rc g2 60)
rc3=$(vm_rc g3 300)
vm_console g1
vm_console g2
vm_console g3
assert_eq "$rc1" 0 "g1 (stream): ping g2 and the tap, iperf3 to g2"
assert_eq "$rc2" 0 "g2 (dgram): iperf3 server served g1"
grep -q ' 0% packet loss' "$T_DIR/g1.log" || fail "ping lost packets"
rate=$(tr -d '\r' <"$T_DIR/g1.log" | awk '/sender$/ { print $(NF-3), $(NF-2) }' | tail -1)
echo "iperf3 g1 (stream) -> g2 (dgram), rootless: $rate"
[ -n "$rate" ] || fail "no iperf3 result"
assert_eq "$rc3" 0 "g3: DHCP and download over the NAT"
got_md5=$(tr -d '\r' <"$T_DIR/g3.log" | sed -n 's/^G-MD5 \([0-9a-f]*\).*/\1/p' | tail -1)
assert_eq "$got_md5" "$want_md5" "the 2 MiB file arrived intact through the rootless NAT"
uvctl stats/show lab

step "nothing of $user's outside its own directories"
stray=$(find /tmp /run /var /etc /dev/shm -xdev -user "$user" 2>/dev/null | grep -v "^$T_DIR/" || true)
[ -z "$stray" ] || fail "files of $user outside its directories: $stray"

step "SIGTERM: the rootless vnetd exits cleanly and removes its sockets"
kill -TERM "$upid"
wait "$upid" || fail "rootless vnetd exit status $?"
[ ! -e "$U/run/g1.sock" ] || fail "g1's socket left behind"
t_pass
