#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# perf.sh - the web console's numbers on a switch with 200 ports: metrics scrape time (median
# of 20 curl scrapes) and size, API stats/show time, and the page's first paint and full-data
# render (median of 7 loads in headless Chromium). Not a test: a measurement, printed.
# Usage: BUILD=/abs/build tests/web/perf.sh [PORTS]
set -eu -o pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
PORTS=${1:-200}
dir=$(mktemp -d /tmp/vnet-webperf.XXXXXX)
"$BUILD/vnetd" --socket "$dir/s" --state-dir "$dir/state" --no-default --web 127.0.0.1:0 \
  --metrics 127.0.0.1:0 >"$dir/log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
ctl() { "$BUILD/vnetctl" --socket "$dir/s" "$@"; }
for i in $(seq 50); do ctl switch/list >/dev/null 2>&1 && break; sleep 0.1; done
ctl switch/add sw0 >/dev/null
for i in $(seq "$PORTS"); do ctl port/add sw0 "p$i" type=dummy tag=$((i % 10 + 1)) >/dev/null; done
for i in $(seq 1 10 "$PORTS"); do ctl dummy/inject sw0 "p$i" "ffffffffffff02000000$(printf %04x "$i")88b5$(head -c 46 /dev/zero | od -An -v -tx1 | tr -d ' \n')" >/dev/null; done
web=$(sed -nE 's/.*web console and API on .*\(port ([0-9]+)\).*/\1/p' "$dir/log" | tail -1)
met=$(sed -nE 's/.*metrics on .*\(port ([0-9]+)\).*/\1/p' "$dir/log" | tail -1)
echo "vnetd with switch sw0 of $PORTS dummy ports; web :$web metrics :$met; load: $(cut -d' ' -f1-3 /proc/loadavg)"
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }
size=$(curl -s "http://127.0.0.1:$met/metrics" | wc -c)
lines=$(curl -s "http://127.0.0.1:$met/metrics" | grep -vc '^#')
for i in $(seq 20); do curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$met/metrics"; done |
  median | awk -v s="$size" -v l="$lines" '{ printf "metrics scrape: median %.1f ms over 20 scrapes (%d bytes, %d samples)\n", $1 * 1000, s, l }'
for i in $(seq 20); do curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$web/api/v1/stats/show/sw0"; done |
  median | awk '{ printf "API stats/show sw0: median %.1f ms over 20 requests\n", $1 * 1000 }'
node "$TOP/tests/web/firstpaint.mjs" "http://127.0.0.1:$web/" 7
