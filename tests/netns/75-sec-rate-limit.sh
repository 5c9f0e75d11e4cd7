#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# vnet-test: serial
# 75-sec-rate-limit - VM e sends TCP as fast as it can through ingress_kbps=20000: its
# throughput stays near 20 Mbit/s (the excess counted as rate_limit), while VM a's
# throughput to the same server, measured before and during, is not policed.
#
#   ns e (ingress_kbps=20000)   ns a              ns b: iperf3 -s on 5201 and 5202
#    | pe                        | pa              | pb
#   +|---------------------------|-----------------|------+
#   |                 vnetd switch sw0                    |
#   +-----------------------------------------------------+
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_sec.sh"

KBPS=20000
ns_add e a b
vnetd_start
vctl switch/add sw0
tap_add sw0 pe e ingress_kbps=$KBPS
tap_add sw0 pa a
tap_add sw0 pb b
ns_addr e "$(ifn pe)" 10.0.0.66/24
ns_addr a "$(ifn pa)" 10.0.0.1/24
ns_addr b "$(ifn pb)" 10.0.0.2/24
assert_eq "$(port_field sw0 pe options.ingress_kbps)" $KBPS "port/list shows ingress_kbps"
assert_eq "$(port_field sw0 pe security.ingress_kbps)" $KBPS "port/list security shows the policer in force"
assert_eq "$(port_field sw0 pa security.ingress_kbps)" null "port/list security: no policer on pa"
assert_ping a 10.0.0.2
assert_ping e 10.0.0.2
iperf_srv b 5201
iperf_srv b 5202

step "a's throughput alone"
before=$(tput a 10.0.0.2 2 5201)
assert_num "$before" -gt $((KBPS / 1000 * 3)) "a -> b before (Mbit/s), well above e's limit"

step "e sends for 5 s; a measures in the middle of it"
in_ns e timeout 25 iperf3 -c 10.0.0.2 -p 5202 -t 5 -J >"$SEC_DIR/e.json" 2>/dev/null &
epid=$!
sleep 1.5
during=$(tput a 10.0.0.2 2 5201)
wait $epid || fail "iperf3 from e failed: $(head -c 300 "$SEC_DIR/e.json")"
e_mbps=$(jq -r '.end.sum_received.bits_per_second / 1000000 | floor' "$SEC_DIR/e.json")
drops=$(port_drop sw0 pe rate_limit)
echo "e: $e_mbps Mbit/s through a $((KBPS / 1000)) Mbit/s policer, rate_limit drops $drops"
assert_num "$e_mbps" -le $((KBPS / 1000 * 12 / 10)) "e's throughput (Mbit/s) at most 1.2 x the limit"
assert_num "$e_mbps" -ge $((KBPS / 1000 / 2)) "e's throughput (Mbit/s) at least half the limit (TCP over TSO fits the default burst)"
assert_num "$drops" -gt 0 "rate_limit drops on pe"
assert_eq "$(port_drop sw0 pa rate_limit)" 0 "a is not policed"
assert_num "$during" -gt $((KBPS / 1000 * 3)) "a -> b during (Mbit/s), well above e's limit"
result 75-sec-rate-limit limit_mbps=$((KBPS / 1000)) attacker_mbps=$e_mbps before_mbps=$before \
  during_mbps=$during during_pct=$(pct "$during" "$before") rate_limit_drops=$drops
assert_vnetd_alive
t_pass
