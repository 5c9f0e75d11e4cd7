#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 97-api-token - the JSON HTTP API: one URL per control command, the same answers as vnetctl;
# read-only commands open, everything else refused without the token (401) or with a wrong
# one (403), done with it; the token file is private and survives a restart; a loose token
# file is replaced; a non-loopback address needs --http-allow-remote.
#
#   curl --HTTP--> vnetd --web 127.0.0.1:PORT (sw0: d1 d2 dummy)
#   ns a: a second vnetd with --web on 10.80.0.1 (an address of ns a's loopback)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_web.sh"

web_vnetd_start
vctl switch/add sw0
dummy_add sw0 d1
dummy_add sw0 d2 tag=10
API=/api/v1

# api_result PATH - the "result" of a GET, canonical JSON
api_result() {
  curl -sS --fail --max-time 10 "http://127.0.0.1:$WEB_PORT$1" | jq -cS .result
}

step "the token file"
assert_eq "$(stat -c %a "$T_STATE/web.token")" 600 "token file mode"
[[ $WEB_TOKEN =~ ^[0-9a-f]{64}$ ]] || fail "the token is not 64 hex digits"
echo "ok: the token is 64 hex digits"

step "read-only commands: no token needed, same answers as vnetctl --json"
for c in "switch/list" "port/list sw0" "stats/show sw0" "stats/show sw0 d2" "fdb/show sw0" "config/show"; do
  path=$API/$(echo "$c" | sed 's| |/|g')
  [ "$(api_result "$path")" = "$(vctlj $c | jq -cS .)" ] || fail "GET $path differs from vnetctl --json $c"
  echo "ok: GET $path = vnetctl --json $c ($(api_result "$path" | wc -c) bytes)"
done
# (vnetctl's version adds its own; the daemon's part must agree)
assert_eq "$(api_result $API/version | jq -r .version)" "$(vctlj version | jq -r .version)" "GET version = vnetctl version"
assert_eq "$(http_code "$API/port/list?x=1")" 404 "GET port/list?x=1 (runs port/list x=1: no such switch)"
assert_eq "$(http_code "$API/port/list/sw0/extra")" 400 "too many arguments"
assert_eq "$(http_code "$API/port/list/nosuch")" 404 "no such switch"
assert_eq "$(http_code "$API/no/such")" 404 "unknown command"

step "every command of the table is in the API index, with the right access"
names_api=$(curl -sS "http://127.0.0.1:$WEB_PORT$API" | jq -r '.result.commands[].name' | sort)
names_cli=$(vctlj help | jq -r '.commands[].name' | sort)
assert_eq "$names_api" "$names_cli" "API index = vnetctl help"
assert_eq "$(curl -sS "http://127.0.0.1:$WEB_PORT$API" | jq -r '.result.commands[] | select(.name == "port/add") | .token')" true \
  "port/add needs the token"
assert_eq "$(curl -sS "http://127.0.0.1:$WEB_PORT$API" | jq -r '.result.commands[] | select(.name == "fdb/show") | .token')" false \
  "fdb/show does not"

step "changes without the token, or with a wrong one, are refused and change nothing"
body='{"args":["type=dummy"]}'
assert_eq "$(http_code -X POST -d "$body" "$API/port/add/sw0/d3")" 401 "POST port/add, no Authorization"
curl -s -D - -o /dev/null -X POST -d "$body" "http://127.0.0.1:$WEB_PORT$API/port/add/sw0/d3" | grep -qi '^WWW-Authenticate: Bearer' ||
  fail "401 without WWW-Authenticate: Bearer"
echo "ok: 401 carries WWW-Authenticate: Bearer"
for auth in "Bearer 0000" "Bearer ${WEB_TOKEN}x" "Bearer ${WEB_TOKEN:1}" "Basic $WEB_TOKEN" "Bearer" "$WEB_TOKEN" \
  "Bearer $(echo "$WEB_TOKEN" | tr 0-9a-f 1-9a-f0)"; do
  assert_eq "$(http_code -X POST -H "Authorization: $auth" -d "$body" "$API/port/add/sw0/d3")" 403 "wrong token '${auth:0:14}...'"
done
for c in stats/clear/sw0 fdb/flush/sw0 switch/del/sw0 port/del/sw0/d1 "dummy/inject/sw0/d1/ffffffffffff020000000001"; do
  assert_eq "$(http_code -X POST "$API/$c")" 401 "POST $c without the token"
done
assert_eq "$(http_code -H "Authorization: Bearer $WEB_TOKEN" "$API/port/add/sw0/d3?type=dummy")" 405 \
  "GET of a change, even with the token"
assert_eq "$(vctlj port/list sw0 | jq -r '[.[].name] | join(",")')" d1,d2 "ports unchanged after the refusals"
assert_eq "$(vctlj switch/list | jq length)" 1 "switch still there"

step "with the token: done, and vnetctl sees it"
assert_eq "$(http_code -X POST -H "Authorization: Bearer $WEB_TOKEN" -d "$body" "$API/port/add/sw0/d3")" 200 "POST port/add with the token"
assert_eq "$(port_field sw0 d3 type)" dummy "d3 exists (vnetctl port/list)"
assert_eq "$(http_code -X POST -H "authorization: bearer $WEB_TOKEN" "$API/port/set/sw0/d3?tag=20")" 200 \
  "POST port/set, query arguments as key=value, scheme in lower case"
assert_eq "$(port_field sw0 d3 tag)" 20 "d3 tag set through the API"
assert_eq "$(http_code -X POST -H "Authorization: Bearer $WEB_TOKEN" -d "$body" "$API/port/add/sw0/d3")" 409 "duplicate port"
assert_eq "$(http_code -X POST -H "Authorization: Bearer $WEB_TOKEN" "$API/port/add/nosw/d9")" 404 "port/add on no switch"
assert_eq "$(http_code -X POST -H "Authorization: Bearer $WEB_TOKEN" "$API/port/del")" 400 "port/del without arguments"
assert_eq "$(http_code -X POST -H "Authorization: Bearer $WEB_TOKEN" "$API/port/del/sw0/d3")" 200 "port/del with the token"
assert_eq "$(vctlj port/list sw0 | jq -r '[.[].name] | join(",")')" d1,d2 "d3 gone"
assert_eq "$(jq -r '[.switches[] | select(.name == "sw0") | .ports[].name] | join(",")' "$T_STATE/config.json")" d1,d2 \
  "the saved state follows API changes"

step "restart: the token is kept; a token file others can read is replaced"
vnetd_stop
web_vnetd_start
assert_eq "$(cat "$T_STATE/web.token")" "$WEB_TOKEN" "token kept across a restart"
old=$WEB_TOKEN
vnetd_stop
chmod 0644 "$T_STATE/web.token"
web_vnetd_start
assert_ne "$WEB_TOKEN" "$old" "a world-readable token was replaced"
assert_eq "$(stat -c %a "$T_STATE/web.token")" 600 "new token file mode"
assert_eq "$(http_code -X POST -H "Authorization: Bearer $old" "$API/stats/clear/sw0")" 403 "the old token is refused"
assert_eq "$(http_code -X POST -H "Authorization: Bearer $WEB_TOKEN" "$API/stats/clear/sw0")" 200 "the new one works"

step "addresses: non-loopback needs --http-allow-remote"
ns_add a
in_ns a ip addr add 10.80.0.1/32 dev lo
st=0
in_ns a timeout 10 "$VNETD" --socket "$T_DIR/r.sock" --state-dir "$T_DIR/r-state" --no-default \
  --web 10.80.0.1:0 >"$T_DIR/remote.log" 2>&1 || st=$?
assert_ne "$st" 0 "vnetd --web on a non-loopback address, without the flag, exits"
grep -q 'http-allow-remote' "$T_DIR/remote.log" || fail "no hint at --http-allow-remote: $(cat "$T_DIR/remote.log")"
echo "ok: refused with a hint: $(grep -o 'is not a loopback.*' "$T_DIR/remote.log" | head -c 100)"
bg_run ip netns exec "$(nsn a)" "$VNETD" --socket "$T_DIR/r.sock" --state-dir "$T_DIR/r-state" --no-default \
  --web 10.80.0.1:18080 --http-allow-remote >>"$T_DIR/remote.log" 2>&1
wait_for "in_ns a curl -sf http://10.80.0.1:18080/api/v1/version" 10 || fail "--http-allow-remote: no answer on 10.80.0.1"
echo "ok: with --http-allow-remote, vnetd answers on 10.80.0.1"
st=0
"$VNETD" --socket "$T_DIR/x.sock" --state-dir "$T_DIR/x-state" --no-default --web nosuchhost:80 >"$T_DIR/x.log" 2>&1 || st=$?
assert_eq "$st" 2 "--web with a host name is a usage error"
assert_vnetd_alive
t_pass
