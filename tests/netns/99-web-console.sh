#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 99-web-console - the web console in a real browser: Debian's Chromium, headless, driven by
# playwright-core (tests/web/console.mjs). Ports created with vnetctl appear on the page, ping
# traffic makes the page's counters rise to what stats/show says, a change from the page is
# refused without the token and done with it. The screenshot is kept under
# $BUILD/test-artifacts/.
#
#   Chromium --HTTP--> vnetd --web 127.0.0.1:PORT (API: /api/v1/...)
#   ns a                                            ns b
#   +----------------------+                        +----------------------+
#   | vt<ID>-pa 10.77.0.1  |                        | vt<ID>-pb 10.77.0.2  |
#   +----------|-----------+                        +----------|-----------+
#   +----------|-------------- vnetd switch sw0 ---------------|-----------+
#              pa (added by vnetctl while the page is open)    pb
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_web.sh"

command -v node >/dev/null 2>&1 || skip "node not installed (scripts/setup.sh installs it)"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || skip "$CHROMIUM not installed (scripts/setup.sh installs chromium)"
WEB_DIR=$T_TOP/tests/web
[ -f "$WEB_DIR/node_modules/playwright-core/package.json" ] ||
  fail "playwright-core is not installed: run scripts/setup.sh (npm ci in tests/web)"

ns_add a b
web_vnetd_start
vctl switch/add sw0
dummy_add sw0 d1

step "browser test (tests/web/console.mjs)"
ARTIFACT_DIR=$BUILD/test-artifacts/99-web-console
VNET_URL="http://127.0.0.1:$WEB_PORT/" VNETCTL=$VNETCTL VNET_SOCKET=$T_SOCK VNET_SWITCH=sw0 \
  VNET_NS_A=$(nsn a) VNET_NS_B=$(nsn b) VNET_IF_A=$(ifn pa) VNET_IF_B=$(ifn pb) VNET_IP_B=10.77.0.2 \
  VNET_TOKEN=$WEB_TOKEN ARTIFACT_DIR=$ARTIFACT_DIR CHROMIUM=$CHROMIUM \
  timeout 120 node "$WEB_DIR/console.mjs" || fail "the browser test failed"
[ -s "$ARTIFACT_DIR/web-console.png" ] || fail "no screenshot at $ARTIFACT_DIR/web-console.png"
echo "artifact: $ARTIFACT_DIR/web-console.png"
assert_vnetd_alive
t_pass
