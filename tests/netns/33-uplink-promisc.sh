#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 33-uplink-promisc - the uplink puts the NIC in promiscuous mode only while it is attached and
# leaves the previous state behind: on port/del, on SIGTERM, and even on SIGKILL (the kernel
# drops a packet socket's promiscuous membership and an XDP bpf_link with the process). An
# administrator's own "promisc on" survives all of it. The AF_XDP backend's XDP program goes
# the same way. A vnetd without CAP_NET_RAW/CAP_NET_ADMIN refuses the port and names them.
#
#   ns lan: wire
#      |  veth
#   ns host: nic <- promiscuity count and XDP program checked here
#   +--|------------------------------+
#   |  up0 type=uplink ifname=nic sw0 |
#   +---------------------------------+
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_uplink.sh"

require_cmd setpriv
up_rig
vctl switch/add sw0
assert_eq "$(nic_promiscuity)" 0 "NIC promiscuity before"

for b in afpacket afxdp; do
  step "backend=$b: promiscuous while attached, restored on port/del"
  up_add sw0 up0 "$b"
  assert_eq "$(nic_promiscuity)" 1 "promiscuity with $b attached"
  [ "$b" = afxdp ] && assert_eq "$(nic_xdp_attached)" yes "XDP program attached"
  vctl port/del sw0 up0
  assert_eq "$(nic_promiscuity)" 0 "promiscuity after port/del ($b)"
  assert_eq "$(nic_xdp_attached)" no "no XDP program after port/del ($b)"
done

step "backend=auto on a veth: native XDP but copy mode only, so AF_PACKET, with the reason"
up_add sw0 up0 auto
assert_eq "$(up_info sw0 up0 backend)" afpacket "backend chosen by auto on a veth"
reason=$(up_info sw0 up0 fallback_reason)
grep -q "zero-copy" <<<"$reason" || fail "fallback_reason does not say why: '$reason'"
echo "ok: fallback_reason: $reason"
assert_eq "$(nic_xdp_attached)" no "no XDP program left by the fallback"
vctl port/del sw0 up0

step "an administrator's promisc on is kept; ours goes on SIGTERM"
in_host ip link set "$UP_NIC" promisc on
assert_eq "$(nic_promiscuity)" 1 "promiscuity set by the administrator"
up_add sw0 up0 afxdp
assert_eq "$(nic_promiscuity)" 2 "administrator's + the uplink's"
vnetd_stop
assert_eq "$(nic_promiscuity)" 1 "back to the administrator's after SIGTERM"
assert_eq "$(nic_xdp_attached)" no "no XDP program after SIGTERM"
in_host ip link set "$UP_NIC" promisc off

step "after a restart the saved uplink comes back; SIGKILL still restores the NIC"
VNETD=$UP_WRAP vnetd_start
wait_for '[ "$(port_field sw0 up0 state)" = up ]' 10 || fail "uplink not restored from the state dir"
assert_eq "$(nic_promiscuity)" 1 "promiscuity after restart"
assert_eq "$(nic_xdp_attached)" yes "XDP program after restart"
vnetd_kill9
wait_for '[ "$(nic_promiscuity)" = 0 ]' 5 || fail "promiscuity $(nic_promiscuity) after SIGKILL"
echo "ok: promiscuity 0 after SIGKILL"
wait_for '[ "$(nic_xdp_attached)" = no ]' 5 || fail "XDP program left attached after SIGKILL"
echo "ok: no XDP program after SIGKILL"

step "without CAP_NET_RAW and CAP_NET_ADMIN the uplink is refused with the reason"
RL_SOCK=$T_DIR/rootless.sock
bg_run setpriv --bounding-set -net_raw,-net_admin --inh-caps -net_raw,-net_admin -- \
  ip netns exec "$(nsn "$UP_HOST")" "$VNETD" --socket "$RL_SOCK" --state-dir "$T_DIR/rl-state" \
  --no-default >"$T_DIR/rootless.log" 2>&1
wait_for "[ -S '$RL_SOCK' ] && '$VNETCTL' --socket '$RL_SOCK' switch/add rl" 10 ||
  fail "capability-less vnetd did not start: $(cat "$T_DIR/rootless.log")"
if out=$("$VNETCTL" --socket "$RL_SOCK" port/add rl up0 type=uplink ifname="$UP_NIC" 2>&1); then
  fail "uplink accepted without CAP_NET_RAW/CAP_NET_ADMIN"
fi
grep -q CAP_NET_RAW <<<"$out" || fail "error does not name CAP_NET_RAW: $out"
grep -q CAP_NET_ADMIN <<<"$out" || fail "error does not name CAP_NET_ADMIN: $out"
echo "ok: refused: $out"
assert_eq "$(nic_promiscuity)" 0 "NIC untouched by the refused port"
t_pass
