# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh - helpers every netns scenario sources: a private vnetd, namespaces, taps, asserts.
# shellcheck shell=bash
#
# A scenario does ". tests/lib.sh", then builds its topology with ns_add,
# vnetd_start and tap_add, checks with the assert_* functions and ends with
# t_pass. Everything it creates is registered and removed by an EXIT trap,
# on success, failure, timeout (SIGTERM from run.sh) or Ctrl-C:
#   - background processes started with bg_run,
#   - vnetd (stopped with SIGTERM; a non-zero exit status or a sanitizer
#     report fails the scenario, and so does vnetd having died on its own),
#   - namespaces (the processes in them are killed first),
#   - links created in the root namespace,
#   - the temporary directory holding the socket, state dir and logs.
#
# Names are unique per run: namespaces are "vnt<ID>-NAME" and interface names
# "vt<ID>-NAME", where ID is the shell's PID in hex, so scenarios can run next
# to each other and next to a system vnetd. vnetd always gets a private
# socket and state dir; --no-default unless VNETD_DEFAULT=1.
#
# Exit status: 0 pass, 1 fail, 77 skip (a prerequisite is missing).
set -eu -o pipefail
set -E

T_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$T_TOP/build}
VNETD=${VNETD:-$BUILD/vnetd}
VNETCTL=${VNETCTL:-$BUILD/vnetctl}
TOOLS=${TOOLS:-$BUILD/tools}
T_NAME=$(basename "$0" .sh)
T_ID=$(printf '%x' $$)
T_DIR=
T_SOCK=
T_STATE=
VNETD_PID=
VNETD_LOG=
T_NS=()      # namespaces to delete
T_LINKS=()   # root-namespace links to delete
T_BG=()      # background pids to kill
T_CLEANUPS=() # extra cleanup commands (strings, eval'd in reverse order)

# ---- messages and results ---------------------------------------------------

# step MSG - announce what the scenario does next (goes to the test log)
step() {
  echo "== [$(date +%T.%3N)] $*"
}

# fail MSG - fail the scenario now
fail() {
  echo "FAIL: $T_NAME: $*" >&2
  exit 1
}

# skip MSG - a prerequisite is missing: not a pass, not a failure
skip() {
  echo "SKIP: $*"
  exit 77
}

# t_pass - the scenario succeeded (the EXIT trap still checks vnetd)
t_pass() {
  exit 0
}

# An unexpected failing command (set -e) names its line before the trap runs.
# (Only in the main shell: a failing command inside $(...) is the caller's business.)
t_err() {
  local st=$1 line=$2 where
  [ "$BASH_SUBSHELL" -eq 0 ] || return 0
  where="${BASH_SOURCE[1]##*/}:$line"
  [ ${#FUNCNAME[@]} -gt 2 ] && where="$where in ${FUNCNAME[1]}(), called from ${BASH_SOURCE[2]##*/}:${BASH_LINENO[1]}"
  echo "FAIL: $T_NAME: $where: command failed (status $st): $BASH_COMMAND" >&2
}
trap 't_err $? $LINENO' ERR

# ---- prerequisites ----------------------------------------------------------

# require_cmd CMD... - skip unless every command exists
require_cmd() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || skip "$c not installed (scripts/setup.sh installs it)"
  done
}

# require_tool NAME... - fail unless $TOOLS/NAME was built (make tools)
require_tool() {
  local t
  for t in "$@"; do
    [ -x "$TOOLS/$t" ] || fail "$TOOLS/$t not built (run: make tools)"
  done
}

[ "$(id -u)" = 0 ] || skip "needs root (network namespaces, taps)"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
require_cmd ip jq ping timeout
[ -x "$VNETD" ] || fail "$VNETD not built (run: make)"
[ -x "$VNETCTL" ] || fail "$VNETCTL not built (run: make)"

T_DIR=$(mktemp -d "/tmp/vnet-$T_NAME.XXXXXX")
T_SOCK=$T_DIR/vnetd.sock
T_STATE=$T_DIR/state
VNETD_LOG=$T_DIR/vnetd.log

# ---- cleanup ----------------------------------------------------------------

t_cleanup() {
  local rc=$? i pid pids ns st
  set +e
  trap - ERR EXIT INT TERM
  if [ $rc -eq 0 ] && [ -n "$VNETD_PID" ] && ! kill -0 "$VNETD_PID" 2>/dev/null; then
    echo "FAIL: $T_NAME: vnetd (pid $VNETD_PID) is no longer running" >&2
    wait "$VNETD_PID"
    echo "vnetd exit status: $?" >&2
    VNETD_PID=
    rc=1
  fi
  for ((i = ${#T_CLEANUPS[@]} - 1; i >= 0; i--)); do
    eval "${T_CLEANUPS[$i]}" >/dev/null 2>&1
  done
  for pid in "${T_BG[@]}"; do
    kill "$pid" 2>/dev/null
  done
  for pid in "${T_BG[@]}"; do
    kill -0 "$pid" 2>/dev/null && sleep 0.2 && kill -KILL "$pid" 2>/dev/null
  done
  if [ -n "$VNETD_PID" ]; then
    vnetd_stop_status
    st=$?
    if [ $st -ne 0 ] && [ $rc -eq 0 ]; then
      echo "FAIL: $T_NAME: vnetd did not exit cleanly on SIGTERM (status $st)" >&2
      rc=1
    fi
  fi
  for ns in "${T_NS[@]}"; do
    pids=$(ip netns pids "$ns" 2>/dev/null)
    [ -n "$pids" ] && kill -KILL $pids 2>/dev/null
    ip netns del "$ns" 2>/dev/null
  done
  for i in "${T_LINKS[@]}"; do
    ip link del "$i" 2>/dev/null
  done
  if [ -f "$VNETD_LOG" ] &&
    grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: UndefinedBehavior' "$VNETD_LOG"; then
    echo "FAIL: $T_NAME: sanitizer report in vnetd's log" >&2
    rc=1
  fi
  if [ $rc -ne 0 ] && [ $rc -ne 77 ] && [ -s "$VNETD_LOG" ]; then
    echo "---- vnetd log (last 40 lines) ----"
    tail -n 40 "$VNETD_LOG"
  fi
  if [ "${VNET_KEEP:-0}" = 1 ]; then
    echo "kept $T_DIR"
  else
    rm -rf "$T_DIR"
  fi
  case $rc in
  0) echo "PASS: $T_NAME" ;;
  77) ;;
  *) echo "FAIL: $T_NAME (status $rc)" ;;
  esac
  exit $rc
}
trap t_cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# at_exit CMD - run CMD (a string) during cleanup, before namespaces go
at_exit() {
  T_CLEANUPS+=("$1")
}

# bg_run CMD... - start CMD in the background; killed at cleanup. Sets BG_PID.
bg_run() {
  "$@" &
  BG_PID=$!
  T_BG+=("$BG_PID")
}

# ---- waiting ----------------------------------------------------------------

# wait_for COND TIMEOUT - poll the shell condition COND every 0.1 s, up to TIMEOUT s
wait_for() {
  local cond=$1 tmo=${2:-10} i n
  n=$(awk "BEGIN { print int($tmo * 10) }")
  for ((i = 0; i <= n; i++)); do
    if eval "$cond" >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

# ---- vnetd ------------------------------------------------------------------

# vctl ARGS... - vnetctl against this scenario's daemon
vctl() {
  "$VNETCTL" --socket "$T_SOCK" "$@"
}

# vctlj ARGS... - vnetctl --json
vctlj() {
  "$VNETCTL" --socket "$T_SOCK" --json "$@"
}

# vnetd_start [ARGS...] - start vnetd on the private socket/state dir; wait until it answers
vnetd_start() {
  local extra=(--no-default)
  [ "${VNETD_DEFAULT:-0}" = 1 ] && extra=()
  mkdir -p "$T_STATE"
  [ -z "$VNETD_PID" ] || fail "vnetd_start: vnetd already running"
  echo "---- vnetd start $(date +%T.%3N): ${extra[*]} $*" >>"$VNETD_LOG"
  "$VNETD" --socket "$T_SOCK" --state-dir "$T_STATE" "${extra[@]}" "$@" >>"$VNETD_LOG" 2>&1 &
  VNETD_PID=$!
  if ! wait_for "[ -S '$T_SOCK' ] && vctl switch/list" 15; then
    if ! kill -0 "$VNETD_PID" 2>/dev/null; then
      wait "$VNETD_PID" || true
      VNETD_PID=
      fail "vnetd exited during startup (log above)"
    fi
    fail "vnetd did not answer on $T_SOCK within 15 s"
  fi
  step "vnetd running, pid $VNETD_PID"
}

# vnetd_alive - is vnetd still running?
vnetd_alive() {
  [ -n "$VNETD_PID" ] && kill -0 "$VNETD_PID" 2>/dev/null
}

# assert_vnetd_alive - fail if vnetd crashed
assert_vnetd_alive() {
  vnetd_alive || fail "vnetd is not running any more (crashed?)"
}

# vnetd_stop_status - SIGTERM vnetd, wait up to 15 s; return its exit status
# (137 = it had to be killed). Clears VNETD_PID.
vnetd_stop_status() {
  local pid=$VNETD_PID st=0 i
  VNETD_PID=
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null
  for ((i = 0; i < 150; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "vnetd did not exit within 15 s of SIGTERM; killing it" >&2
    kill -KILL "$pid" 2>/dev/null
  fi
  wait "$pid" 2>/dev/null || st=$?
  echo "---- vnetd exited with status $st" >>"$VNETD_LOG"
  return $st
}

# vnetd_stop - SIGTERM vnetd; fail unless it exits with status 0
vnetd_stop() {
  local st=0
  vnetd_stop_status || st=$?
  [ $st -eq 0 ] || fail "vnetd exited with status $st on SIGTERM"
}

# vnetd_kill9 - kill -9 vnetd (a crash, as far as its state is concerned)
vnetd_kill9() {
  local pid=$VNETD_PID
  VNETD_PID=
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null || true
  echo "---- vnetd killed with SIGKILL" >>"$VNETD_LOG"
}

# ---- namespaces and ports ---------------------------------------------------

# nsn NAME - the real name of namespace NAME
nsn() {
  echo "vnt$T_ID-$1"
}

# ifn NAME - the real interface name for NAME (at most 15 characters, so NAME at most 6)
ifn() {
  local n="vt$T_ID-$1"
  [ ${#n} -le 15 ] || fail "interface name $n too long"
  echo "$n"
}

# ns_add NAME... - create namespaces with loopback up
ns_add() {
  local n
  for n in "$@"; do
    ip netns add "$(nsn "$n")"
    T_NS+=("$(nsn "$n")")
    ip -n "$(nsn "$n")" link set lo up
  done
}

# in_ns NAME CMD... - run CMD in namespace NAME
in_ns() {
  local n=$1
  shift
  ip netns exec "$(nsn "$n")" "$@"
}

# tap_add SWITCH PORT NS [key=value...] - add a tap port whose device
# ($(ifn PORT)) is moved into namespace NS and brought up there.
tap_add() {
  local sw=$1 port=$2 ns=$3 dev
  shift 3
  dev=$(ifn "$port")
  vctl port/add "$sw" "$port" type=tap ifname="$dev" "$@" ||
    fail "port/add $sw $port type=tap ifname=$dev $* failed"
  wait_for "ip link show dev $dev" 5 || fail "tap $dev did not appear"
  ip link set dev "$dev" netns "$(nsn "$ns")"
  ip -n "$(nsn "$ns")" link set dev "$dev" up
}

# ns_addr NS DEV ADDR... - add addresses (IPv6 without duplicate address detection)
ns_addr() {
  local ns=$1 dev=$2 a
  shift 2
  for a in "$@"; do
    case $a in
    *:*) ip -n "$(nsn "$ns")" addr add "$a" dev "$dev" nodad ;;
    *) ip -n "$(nsn "$ns")" addr add "$a" dev "$dev" ;;
    esac
  done
}

# ns_mac NS DEV MAC - set the MAC address of DEV in NS (DEV ends up up)
ns_mac() {
  ip -n "$(nsn "$1")" link set dev "$2" down
  ip -n "$(nsn "$1")" link set dev "$2" address "$3"
  ip -n "$(nsn "$1")" link set dev "$2" up
}

# vlan_subif NS DEV VID - create VLAN subinterface DEV.VID in NS and bring it up.
# A kernel VLAN device ("ip link add ... type vlan") when the kernel has 802.1Q
# support; otherwise tests/tools/vlan_subif, the same thing in user space (a
# tap that relays to DEV with the tag pushed and popped), run until cleanup.
vlan_subif() {
  local ns=$1 dev=$2 vid=$3
  if in_ns "$ns" ip link add link "$dev" name "$dev.$vid" type vlan id "$vid" 2>/dev/null; then
    echo "$dev.$vid: kernel VLAN device"
  else
    require_tool vlan_subif
    bg_run ip netns exec "$(nsn "$ns")" "$TOOLS/vlan_subif" -i "$dev" -n "$dev.$vid" -v "$vid" -t 900
    wait_for "in_ns $ns ip link show dev $dev.$vid" 5 || fail "vlan_subif did not create $dev.$vid"
    echo "$dev.$vid: user-space VLAN device (this kernel has no 802.1Q support)"
  fi
  in_ns "$ns" ip link set dev "$dev.$vid" up
}

# ---- JSON -------------------------------------------------------------------

# json_get JSON FILTER - jq -r FILTER on JSON; fails on invalid JSON
json_get() {
  printf '%s' "$1" | jq -r "$2" || fail "json_get: jq '$2' failed on: $(printf '%s' "$1" | head -c 300)"
}

# port_stat SWITCH PORT FIELD - one counter of stats/show (rx_packets, tx_gso...)
port_stat() {
  local j
  j=$(vctlj stats/show "$1") || fail "stats/show $1 failed"
  json_get "$j" ".ports[] | select(.name == \"$2\") | .$3"
}

# port_drop SWITCH PORT REASON - drops of one reason on one port
port_drop() {
  local j
  j=$(vctlj stats/show "$1") || fail "stats/show $1 failed"
  json_get "$j" ".ports[] | select(.name == \"$2\") | .drops.\"$3\""
}

# fdb_count SWITCH - entries in the MAC table (from fdb/show)
fdb_count() {
  local j
  j=$(vctlj fdb/show "$1") || fail "fdb/show $1 failed"
  json_get "$j" 'length'
}

# fdb_port SWITCH MAC VLAN - the port holding (MAC, VLAN), or "" if none
fdb_port() {
  local j
  j=$(vctlj fdb/show "$1") || fail "fdb/show $1 failed"
  json_get "$j" "[.[] | select((.mac | ascii_downcase) == (\"$2\" | ascii_downcase) and .vlan == $3) | .port] | first // \"\""
}

# port_field SWITCH PORT FIELD - one field of port/list (state, down_reason, vlan_mode...)
port_field() {
  local j
  j=$(vctlj port/list "$1") || fail "port/list $1 failed"
  json_get "$j" ".[] | select(.name == \"$2\") | .$3"
}

# ---- asserts ----------------------------------------------------------------

# assert_eq ACTUAL EXPECTED MSG
assert_eq() {
  [ "$1" = "$2" ] || fail "$3: got '$1', expected '$2'"
  echo "ok: $3 ($1)"
}

# assert_ne ACTUAL UNEXPECTED MSG
assert_ne() {
  [ "$1" != "$2" ] || fail "$3: got '$1'"
  echo "ok: $3 ($1)"
}

# assert_num A OP B MSG - integer comparison, OP one of -eq -ne -lt -le -gt -ge
assert_num() {
  [[ $1 =~ ^-?[0-9]+$ ]] || fail "$4: '$1' is not a number"
  test "$1" "$2" "$3" || fail "$4: $1 $2 $3 is false"
  echo "ok: $4 ($1 $2 $3)"
}

# assert_ping NS IP [COUNT] - IP answers ping from NS (after up to 10 s of
# warm-up for neighbour discovery and learning, COUNT more pings all answer)
assert_ping() {
  local ns=$1 ip=$2 count=${3:-3} out
  if ! wait_for "in_ns $ns ping -n -c 1 -W 1 $ip" 10; then
    fail "ping $ip from $ns: no reply within 10 s"
  fi
  out=$(in_ns "$ns" ping -n -q -c "$count" -i 0.2 -W 2 "$ip" 2>&1) || true
  grep -q " $count received" <<<"$out" ||
    fail "ping $ip from $ns lost replies: $(echo "$out" | tail -n 2 | tr '\n' ' ')"
  echo "ok: $ns reaches $ip ($count/$count replies)"
}

# assert_no_ping NS IP - IP must not answer ping from NS
assert_no_ping() {
  local ns=$1 ip=$2
  if in_ns "$ns" ping -n -q -c 3 -i 0.3 -W 1 "$ip" >/dev/null 2>&1; then
    fail "$ns reaches $ip, but must not"
  fi
  echo "ok: $ns does not reach $ip"
}

# ---- dummy ports and synthetic frames ---------------------------------------

# dummy_add SWITCH PORT [key=value...] - add a dummy port
dummy_add() {
  local sw=$1 port=$2
  shift 2
  vctl port/add "$sw" "$port" type=dummy "$@" || fail "port/add $sw $port type=dummy $* failed"
}

# inject SWITCH PORT HEX [vnet=...] - feed one frame into a dummy port
inject() {
  vctl dummy/inject "$@" || fail "dummy/inject $1 $2 failed"
}

# capture SWITCH PORT - print (and consume) the frames a dummy port sent, one hex line each
capture() {
  local j
  j=$(vctlj dummy/capture "$1" "$2") || fail "dummy/capture $1 $2 failed"
  json_get "$j" '.[]'
}

# capture_count SWITCH PORT - consume and count the frames a dummy port sent
capture_count() {
  local out
  out=$(capture "$1" "$2")
  if [ -z "$out" ]; then echo 0; else echo "$out" | wc -l; fi
}

# mac_hex MAC - "02:00:00:00:00:01" -> "020000000001"
mac_hex() {
  echo "$1" | tr -d ':' | tr 'A-F' 'a-f'
}

# frame DST SRC [VLAN [ETHERTYPE [PAYLOAD_BYTES]]] - an Ethernet frame as hex:
# an 802.1Q tag when VLAN is not "-" (VLAN may be "0" for priority-tagged),
# EtherType (default 88b5, local experimental), zero payload (default 46 bytes)
frame() {
  local dst src vlan=${3:--} type=${4:-88b5} len=${5:-46} tag=""
  dst=$(mac_hex "$1")
  src=$(mac_hex "$2")
  [ "$vlan" != - ] && tag=$(printf '8100%04x' "$vlan")
  printf '%s%s%s%s%s\n' "$dst" "$src" "$tag" "$type" "$(head -c "$len" /dev/zero | od -An -v -tx1 | tr -d ' \n')"
}

# frame_vlan HEX - the VID of the first 802.1Q tag of a hex frame, or "-" if untagged
frame_vlan() {
  local f=$1
  if [ "${f:24:4}" = 8100 ]; then
    echo $((16#${f:28:4} & 0xfff))
  else
    echo -
  fi
}

# capture_src SWITCH PORT SRC_MAC - like capture, but only the frames from SRC_MAC
# (namespaces send IPv6 neighbour discovery and MLD at times of their own choosing)
capture_src() {
  local src
  src=$(mac_hex "$3")
  capture "$1" "$2" | while read -r f; do
    [ "${f:12:12}" = "$src" ] && echo "$f"
  done
  return 0
}
