#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 44-lease-crash - no acknowledged lease is lost when vnetd is killed (kill -9) in the middle
# of handing out leases, i.e. at random points of writing the lease file. A raw DHCP client
# runs handshakes for fresh MACs as fast as it can; vnetd is killed after a random delay;
# after each restart every MAC that got an ACK still holds its address, the state file
# parses, and the clients keep their addresses. Repeated ROUNDS times. An exhausted pool
# is exercised on the way: 40 new MACs per round against a pool of 126 addresses.
#
#   ns a: dhcpc.py (raw AF_PACKET, many MACs)
#        | pa (tap)
#   +----|-------------------------------------------------+
#   |  network "ks" (private) 10.80.0.0/24, state dir      |   kill -9, restart, check
#   +------------------------------------------------------+
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_svc.sh"
require_cmd python3

ROUNDS=${ROUNDS:-6}
MA=52:54:00:44:00:0a

vnetd_start
vctl network/add ks mode=private subnet=10.80.0.0/24
assert_eq "$(net_field ks pool_first)" 10.80.0.128 "pool start"
assert_eq "$(net_field ks pool_last)" 10.80.0.253 "pool end"
vm_add ks pa a $MA
acked=$SVC_DIR/acked
: >"$acked"

for ((round = 1; round <= ROUNDS; round++)); do
  step "round $round: handshakes, then kill -9 in the middle of them"
  macs=()
  for ((i = 0; i < 40; i++)); do
    macs+=("$(printf '52:54:00:44:%02x:%02x' "$round" "$i")")
  done
  out=$SVC_DIR/round$round
  : >"$out"
  DHCPC_STOP_ON_FAIL=1 in_ns a python3 "$SVC_DIR/dhcpc.py" "$(ifn pa)" dora "${macs[@]}" >"$out" 2>"$out.err" &
  client=$!
  # kill while leases are being written: after a random number of them
  k=$((RANDOM % 30 + 1))
  deadline=$((SECONDS + 10))
  while [ "$(wc -l <"$out")" -lt $k ] && [ $SECONDS -lt $deadline ]; do
    sleep 0.005
  done
  vnetd_kill9
  wait $client || true
  grep -E '^[0-9a-f:]{17} [0-9.]+$' "$out" >>"$acked" || true
  echo "acknowledged so far: $(wc -l <"$acked")"
  if [ -s "$acked" ]; then
    jq -e . "$T_STATE/net-ks.leases" >/dev/null || fail "lease file unusable after kill -9"
  fi
  vnetd_start
  vm_reattach a pa $MA
  j=$(vctlj dhcp/leases ks)
  while read -r mac ip; do
    got=$(json_get "$j" "[.leases[] | select(.mac == \"$mac\") | .ip] | first // \"\"")
    [ "$got" = "$ip" ] || fail "round $round: $mac was ACKed $ip but holds '$got' after kill -9"
  done <"$acked"
  echo "ok: all $(wc -l <"$acked") acknowledged leases survived"
done

step "fill the pool: the next client gets nothing, and the server says so"
fill=()
for ((i = 0; i < 130; i++)); do
  fill+=("$(printf '52:54:00:45:%02x:%02x' $((i / 256)) $((i % 256)))")
done
DHCPC_STOP_ON_FAIL=1 dhcpc a "$(ifn pa)" dora "${fill[@]}" >"$SVC_DIR/fill"
j=$(vctlj dhcp/leases ks)
assert_eq "$(json_get "$j" '[.leases[] | select(.state == "bound")] | length')" 126 "bound leases = pool size"
assert_eq "$(tail -n 1 "$SVC_DIR/fill" | cut -d' ' -f2)" none "the client after the last address got no offer"
assert_num "$(json_get "$(vctlj network/list)" '.[0].counters.dhcp.pool_exhausted')" -ge 1 "pool_exhausted counted"
while read -r mac ip; do
  got=$(json_get "$j" "[.leases[] | select(.mac == \"$mac\") | .ip] | first // \"\"")
  [ "$got" = "$ip" ] || fail "$mac lost its address $ip when the pool filled up"
done <"$acked"
echo "ok: the earlier clients kept their addresses"
assert_vnetd_alive
t_pass
