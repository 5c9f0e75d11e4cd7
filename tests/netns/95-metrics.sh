#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 95-metrics - the Prometheus endpoint (vnetd --metrics): scraped with curl, parsed by a strict
# parser (tests/netns/_prom.py; and promtool check metrics when installed), and its counters
# agree with stats/show, fdb/show, dhcp/leases and nat/show after known traffic: exactly on a
# switch of dummy ports (no background traffic), and between two stats/show snapshots taken
# around the scrape on a switch of taps with namespaces pinging.
#
#   sw0: d1 d2 d3 (dummy)        25 broadcast frames and 3 runts injected on d1
#   sw1: pa ---- pb (taps)       ns a pings ns b (10.78.0.1 -> 10.78.0.2)
#   net lab (nat, 10.78.9.0/24): pc (tap) <- udhcpc in ns c gets a lease; one reservation,
#                                one port forward
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_web.sh"
. "$(dirname "$0")/_svc.sh"

PROM=$T_TOP/tests/netns/_prom.py

# parse FILE - strict parse of a scrape into FILE.json; promtool too when present
parse() {
  python3 "$PROM" <"$1" >"$1.json" || fail "the strict parser refused the scrape ($1)"
  if command -v promtool >/dev/null 2>&1; then
    promtool check metrics <"$1" || fail "promtool check metrics refused the scrape"
    echo "ok: promtool check metrics accepts the scrape"
  fi
  echo "ok: strict parser accepts the scrape ($(jq length "$1.json") series)"
}

# metric FILE SERIES - one value from a parsed scrape ("" if absent)
metric() {
  jq -r --arg k "$2" '.[$k] // "" | if type == "number" then floor else . end' "$1.json"
}

ns_add a b c
web_vnetd_start
vctl switch/add sw0
dummy_add sw0 d1
dummy_add sw0 d2
dummy_add sw0 d3
vctl switch/add sw1
tap_add sw1 pa a
tap_add sw1 pb b
ns_addr a "$(ifn pa)" 10.78.0.1/24
ns_addr b "$(ifn pb)" 10.78.0.2/24
vctl network/add lab mode=nat subnet=10.78.9.0/24 host=off
vm_add lab pc c 52:54:00:95:00:0c
vctl dhcp/reserve lab 52:54:00:95:00:99 10.78.9.50 hostname=resv
vctl nat/forward-add lab tcp 127.0.0.1:$((20000 + RANDOM % 20000)) 10.78.9.50:22

step "known traffic: 25 broadcasts and 3 runts on d1, pings on sw1, a DHCP lease on lab"
bcast=$(frame ff:ff:ff:ff:ff:ff 02:00:00:00:95:01)
for ((i = 0; i < 25; i++)); do inject sw0 d1 "$bcast"; done
for ((i = 0; i < 3; i++)); do inject sw0 d1 ffffffffffff0200; done
assert_ping a 10.78.0.2 10
udhcpc_get c "$(ifn pc)" vm-c || fail "udhcpc got no lease"

step "scrape, between two stats/show snapshots"
vctlj stats/show sw0 >"$T_DIR/s0.json"
vctlj stats/show sw1 >"$T_DIR/s1a.json"
scrape >"$T_DIR/m.txt" || fail "scrape failed"
vctlj stats/show sw1 >"$T_DIR/s1b.json"
head -c 600 "$T_DIR/m.txt"
parse "$T_DIR/m.txt"

step "dummy switch: every port counter and drop reason equals stats/show exactly"
python3 - "$T_DIR/m.txt.json" "$T_DIR/s0.json" "$T_DIR/s0.json" sw0 <<'PY' || fail "metrics disagree with stats/show on sw0"
import json, sys
m = json.load(open(sys.argv[1]))
lo, hi, sw = json.load(open(sys.argv[2])), json.load(open(sys.argv[3])), sys.argv[4]
n = 0
for p, q in zip(lo["ports"], hi["ports"]):
    for c in ("rx_packets", "rx_bytes", "tx_packets", "tx_bytes", "rx_gso", "tx_gso",
              "gso_segmented", "csum_completed"):
        v = m.get(f'vnet_port_{c}_total{{port="{p["name"]}",switch="{sw}"}}')
        assert v is not None and p[c] <= v <= q[c], f'{p["name"]} {c}: metric {v}, stats/show {p[c]}..{q[c]}'
        n += 1
    for r, c in p["drops"].items():
        v = m.get(f'vnet_port_drops_total{{port="{p["name"]}",reason="{r}",switch="{sw}"}}')
        assert v is not None and c <= v <= q["drops"][r], f'{p["name"]} drops {r}: metric {v}, stats/show {c}'
        n += 1
for k in ("learned", "moves", "evictions", "aged", "full_drops"):
    v = m.get(f'vnet_fdb_{k}_total{{switch="{sw}"}}')
    assert v is not None and lo["fdb"][k] <= v <= hi["fdb"][k], f"fdb {k}: metric {v}, stats/show {lo['fdb'][k]}"
    n += 1
print(f"ok: {n} counters of {sw} agree with stats/show")
PY
assert_eq "$(metric "$T_DIR/m.txt" 'vnet_port_rx_packets_total{port="d1",switch="sw0"}')" 25 "d1 rx packets"
assert_eq "$(metric "$T_DIR/m.txt" 'vnet_port_tx_packets_total{port="d3",switch="sw0"}')" 25 "d3 tx packets"
assert_eq "$(metric "$T_DIR/m.txt" 'vnet_port_drops_total{port="d1",reason="runt",switch="sw0"}')" 3 "d1 runt drops"
assert_eq "$(metric "$T_DIR/m.txt" 'vnet_fdb_entries{switch="sw0"}')" "$(fdb_count sw0)" "sw0 fdb entries = fdb/show"
assert_eq "$(metric "$T_DIR/m.txt" 'vnet_port_info{port="d2",switch="sw0",type="dummy",vlan_mode="trunk"}')" 1 "d2 info"

step "tap switch: each counter lies between the snapshots before and after the scrape"
python3 - "$T_DIR/m.txt.json" "$T_DIR/s1a.json" "$T_DIR/s1b.json" sw1 <<'PY' || fail "metrics disagree with stats/show on sw1"
import json, sys
m = json.load(open(sys.argv[1]))
lo, hi, sw = json.load(open(sys.argv[2])), json.load(open(sys.argv[3])), sys.argv[4]
n = 0
for p, q in zip(lo["ports"], hi["ports"]):
    for c in ("rx_packets", "rx_bytes", "tx_packets", "tx_bytes"):
        v = m.get(f'vnet_port_{c}_total{{port="{p["name"]}",switch="{sw}"}}')
        assert v is not None and p[c] <= v <= q[c], f'{p["name"]} {c}: metric {v}, stats/show {p[c]}..{q[c]}'
        n += 1
    assert p["rx_packets"] >= 10, f'{p["name"]} saw only {p["rx_packets"]} frames'
print(f"ok: {n} counters of {sw} lie between the two stats/show snapshots")
PY
assert_eq "$(metric "$T_DIR/m.txt" 'vnet_port_up{port="pa",switch="sw1"}')" 1 "pa up"

step "network lab: leases, reservations and forwards as dhcp/leases and nat/show say"
leases=$(vctlj dhcp/leases lab)
assert_eq "$(metric "$T_DIR/m.txt" 'vnet_dhcp_leases{network="lab",state="bound"}')" \
  "$(json_get "$leases" '[.leases[] | select(.state == "bound")] | length')" "bound leases = dhcp/leases"
assert_eq "$(metric "$T_DIR/m.txt" 'vnet_dhcp_leases{network="lab",state="bound"}')" 1 "one bound lease (udhcpc)"
assert_eq "$(metric "$T_DIR/m.txt" 'vnet_dhcp_reservations{network="lab"}')" 1 "one reservation"
nat=$(vctlj nat/show lab)
assert_eq "$(metric "$T_DIR/m.txt" 'vnet_nat_forwards{network="lab"}')" "$(json_get "$nat" '.forwards | length')" \
  "forwards = nat/show"
assert_eq "$(metric "$T_DIR/m.txt" 'vnet_nat_forwards{network="lab"}')" 1 "one forward"
assert_num "$(metric "$T_DIR/m.txt" 'vnet_dhcp_ack_total{network="lab"}')" -ge 1 "DHCP ACKs counted"
assert_eq "$(metric "$T_DIR/m.txt" 'vnet_network_info{mode="nat",network="lab",subnet="10.78.9.0/24",switch="lab"}')" 1 \
  "network info"

step "the counters move between scrapes"
inject sw0 d1 "$bcast"
scrape >"$T_DIR/m2.txt"
parse "$T_DIR/m2.txt"
assert_eq "$(metric "$T_DIR/m2.txt" 'vnet_port_rx_packets_total{port="d1",switch="sw0"}')" 26 "d1 rx packets after one more"

step "only /metrics, only GET"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$METRICS_PORT/")
assert_eq "$code" 404 "GET / on the metrics port"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$METRICS_PORT/metrics")
assert_eq "$code" 405 "POST /metrics"
assert_vnetd_alive
t_pass
