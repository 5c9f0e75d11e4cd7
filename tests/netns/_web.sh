# SPDX-License-Identifier: GPL-2.0-or-later
# _web.sh - helpers the web scenarios (95-99) share: vnetd with --web/--metrics on ports the
# kernel picks, and where they ended up. Sourced after tests/lib.sh.
# shellcheck shell=bash

require_cmd curl python3

WEB_PORT=
METRICS_PORT=

# web_vnetd_start [ARGS...] - vnetd_start with --web and --metrics on 127.0.0.1:0; sets
# WEB_PORT, METRICS_PORT (from vnetd's log) and WEB_TOKEN
web_vnetd_start() {
  vnetd_start --web 127.0.0.1:0 --metrics 127.0.0.1:0 "$@"
  wait_for "grep -q 'web console and API on' '$VNETD_LOG' && grep -q 'metrics on http' '$VNETD_LOG'" 10 ||
    fail "vnetd did not log its web and metrics ports"
  WEB_PORT=$(grep 'web console and API on' "$VNETD_LOG" | tail -n 1 | sed -E 's/.*\(port ([0-9]+)\).*/\1/')
  METRICS_PORT=$(grep 'metrics on http' "$VNETD_LOG" | tail -n 1 | sed -E 's/.*\(port ([0-9]+)\).*/\1/')
  [[ $WEB_PORT =~ ^[0-9]+$ && $METRICS_PORT =~ ^[0-9]+$ ]] || fail "no port numbers in vnetd's log"
  WEB_TOKEN=$(cat "$T_STATE/web.token") || fail "no token file"
  step "web on 127.0.0.1:$WEB_PORT, metrics on 127.0.0.1:$METRICS_PORT"
}

# scrape - the metrics endpoint's body (fails on an HTTP error)
scrape() {
  curl -sS --fail --max-time 10 "http://127.0.0.1:$METRICS_PORT/metrics"
}

# http_code [CURL ARGS...] URL_PATH - the status code of one request to the web server
http_code() {
  local path=${*: -1}
  curl -s -o /dev/null -w '%{http_code}' --max-time 10 "${@:1:$#-1}" "http://127.0.0.1:$WEB_PORT$path"
}
