#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/scale.sh - the big version of tests/netns/80-scale.sh: 1,000 dummy ports on one
# switch, 98 more switches (100 in all with s0 and m0), 100,000 MAC
# entries. Prints the scenario's RESULT line: time to add a port, to add one more to a
# full switch, RSS per port, per switch and per MAC entry.
# Usage: [BUILD=...] bench/scale.sh [PORTS [SWITCHES [MACS]]]   (as root; about a minute)
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
export BUILD=${BUILD:-$TOP/build}
export SCALE_PORTS=${1:-1000} SCALE_SWITCHES=${2:-98} SCALE_MACS=${3:-100000}
# 1,000 ports: each port/add saves the whole configuration, so the last ones cost more
export SCALE_MAX_ADD_MS=${SCALE_MAX_ADD_MS:-2000}
TEST_TIMEOUT=${TEST_TIMEOUT:-900} "$TOP/tests/run.sh" netns/80-scale
grep -h '^RESULT\|^ports:\|^switches:\|^MACs:' "$BUILD/test-logs/netns/80-scale.log"
