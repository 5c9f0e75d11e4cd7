#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh - run vnet's test suite: tests/run.sh [GROUP...]
#
# Groups, in this order (all of them when none is named):
#   unit    every $BUILD/tests/test_* binary (cmocka)
#   fuzz    each $BUILD/fuzz/fuzz_X replays tests/fuzz/corpus/fuzz_X/, then
#           fuzzes for $FUZZ_SECONDS (default 20) from it
#   netns   tests/netns/*.sh     integration scenarios in network namespaces
#   vhost   tests/vhost/*.sh     vhost-user clients (testpmd, QEMU)
#   vm      tests/vm/*.sh        real guests under QEMU (test scripts only:
#                                build.sh and helpers named _*.sh are not tests)
# A single test can be named as GROUP/NAME, e.g. "netns/01-tap-ping".
#
# Each test prints one line: PASS, FAIL or SKIP with its time. A test that
# exits 77 was skipped (a prerequisite is missing) and is not counted as
# passed. Output goes to $BUILD/test-logs/GROUP/NAME.log; the tail is printed
# on failure. Each test runs under a timeout ($TEST_TIMEOUT, default 300 s;
# $VM_TEST_TIMEOUT, default 900 s, for vm) in its own process group, which is
# killed afterwards so nothing a test started outlives it.
#
# Tests of the unit, fuzz and netns groups run $TEST_JOBS at a time (default 2;
# scenarios name everything after their PID, so they do not collide). A script
# with the line "# vnet-test: serial" runs alone: one that changes the root
# namespace (vnet0) or whose figures need the machine to itself. vhost and vm
# tests always run one at a time (QEMU under TCG and DPDK poll loops take whole
# CPUs).
#
# The last line is "N passed, N failed" (", N skipped" when any were); the
# exit status is 1 if any test failed.
#
# Environment: BUILD (absolute path of the build dir; default ./build), so
# "make asan" runs the same suite against sanitizer builds. ASAN_OPTIONS and
# UBSAN_OPTIONS are set so that any sanitizer report fails the test.
set -u -o pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
case $BUILD in
/*) ;;
*) BUILD=$TOP/$BUILD ;;
esac
export BUILD TOP
TEST_TIMEOUT=${TEST_TIMEOUT:-300}
VM_TEST_TIMEOUT=${VM_TEST_TIMEOUT:-900}
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
TEST_JOBS=${TEST_JOBS:-2}
LOGDIR=$BUILD/test-logs
ALL_GROUPS="unit fuzz netns vhost vm"

# A sanitizer report must fail the test: stop at the first error and abort
# (a non-zero status a test cannot mistake for success). Leak checking is on
# for everything; vnetd frees all it holds on SIGTERM, and lib.sh checks its
# exit status.
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}

n_pass=0
n_fail=0
n_skip=0
failed_names=()

if [ -t 1 ]; then
  C_PASS=$'\e[32m' C_FAIL=$'\e[31m' C_SKIP=$'\e[33m' C_OFF=$'\e[0m'
else
  C_PASS='' C_FAIL='' C_SKIP='' C_OFF=''
fi

now_ms() {
  date +%s%3N
}

# run_one GROUP NAME TIMEOUT CMD... - run one test, print its result line (and the log's
# tail on failure) in one write, and leave "STATUS SECONDS" in LOG.status for tally
run_one() {
  local group=$1 name=$2 tmo=$3
  shift 3
  local log=$LOGDIR/$group/$name.log
  local t0 t1 rc pid secs reason out
  mkdir -p "$LOGDIR/$group"
  rm -f "$log.status"
  t0=$(now_ms)
  {
    echo "# $group/$name: $*"
    echo "# started $(date -Is)"
  } >"$log"
  # timeout puts itself and the test in a new process group, signals the
  # whole group when time is up (TERM, then KILL 15 s later).
  timeout -k 15 "$tmo" "$@" </dev/null >>"$log" 2>&1 &
  pid=$!
  wait $pid
  rc=$?
  # Leftovers (a daemon the test forgot, iperf3 servers...): kill the group.
  kill -KILL -- -$pid 2>/dev/null
  t1=$(now_ms)
  secs=$(printf '%d.%03d' $(((t1 - t0) / 1000)) $(((t1 - t0) % 1000)))
  echo "# exit status $rc after ${secs}s" >>"$log"
  if [ $rc -eq 0 ]; then
    out=$(printf '%sPASS%s %-40s %8ss' "$C_PASS" "$C_OFF" "$group/$name" "$secs")
  elif [ $rc -eq 77 ] && [ "$group" != unit ] && [ "$group" != fuzz ]; then
    # Only test scripts skip; for a binary 77 is just another failure status.
    reason=$(grep -m1 '^SKIP' "$log" | cut -c1-100 | sed 's/^SKIP:* *//')
    out=$(printf '%sSKIP%s %-40s %8ss  (%s)' "$C_SKIP" "$C_OFF" "$group/$name" "$secs" \
      "${reason:-no reason given; see $log}")
  else
    [ $rc -eq 77 ] && rc=1
    if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
      out=$(printf '%sFAIL%s %-40s %8ss  (timed out after %ss)' "$C_FAIL" "$C_OFF" "$group/$name" "$secs" "$tmo")
    else
      out=$(printf '%sFAIL%s %-40s %8ss  (exit status %d)' "$C_FAIL" "$C_OFF" "$group/$name" "$secs" "$rc")
    fi
    out+=$'\n'"---- last 40 lines of $log ----"$'\n'"$(tail -n 40 "$log" | sed 's/^/    /')"$'\n'"----"
  fi
  echo "$rc $secs" >"$log.status"
  printf '%s\n' "$out"
}

# tally GROUP NAME - count the result run_one left for a finished test
tally() {
  local st rc
  st=$(cat "$LOGDIR/$1/$2.log.status" 2>/dev/null) || st="1 0"
  rc=${st%% *}
  if [ "$rc" -eq 0 ]; then
    n_pass=$((n_pass + 1))
  elif [ "$rc" -eq 77 ]; then
    n_skip=$((n_skip + 1))
  else
    n_fail=$((n_fail + 1))
    failed_names+=("$1/$2")
  fi
}

# The tests of one group in flight: "PID GROUP/NAME" each; start_job runs one in the
# background once fewer than JOBS are running, wait_jobs waits for all of them.
running=()
JOBS=1

# reap_one - wait for any running test to end, tally every test that has ended
reap_one() {
  local j pid name keep=()
  wait -n 2>/dev/null || sleep 0.2
  for j in "${running[@]}"; do
    pid=${j%% *}
    name=${j#* }
    if kill -0 "$pid" 2>/dev/null; then
      keep+=("$j")
    else
      wait "$pid" 2>/dev/null
      tally "${name%%/*}" "${name#*/}"
    fi
  done
  running=("${keep[@]}")
  [ "$(id -u)" = 0 ] && reap_leftovers
  return 0
}

# start_job GROUP NAME TIMEOUT CMD... - run_one in the background (or in the foreground
# when JOBS is 1), after waiting for a free slot
start_job() {
  if [ "$JOBS" -le 1 ]; then
    run_one "$@"
    tally "$1" "$2"
    [ "$(id -u)" = 0 ] && reap_leftovers
    return 0
  fi
  while [ ${#running[@]} -ge "$JOBS" ]; do
    reap_one
  done
  rm -f "$LOGDIR/$1/$2.log.status"
  run_one "$@" &
  running+=("$! $1/$2")
}

wait_jobs() {
  while [ ${#running[@]} -gt 0 ]; do
    reap_one
  done
}

# reap_leftovers - remove namespaces and taps that tests/lib.sh names after a
# scenario's PID ("vnt<hexpid>-NAME", "vt<hexpid>-NAME") when that process is
# gone: what a scenario killed with SIGKILL (timeout) could not clean up.
reap_leftovers() {
  local ns link id
  for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }' | grep -E '^vnt[0-9a-f]+-'); do
    id=${ns#vnt}
    id=${id%%-*}
    kill -0 $((16#$id)) 2>/dev/null && continue
    ip netns pids "$ns" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
    ip netns del "$ns" 2>/dev/null && echo "run.sh: removed leftover namespace $ns"
  done
  for link in $(ip -o link show 2>/dev/null | awk -F': ' '{ print $2 }' | sed 's/@.*//' |
    grep -E '^vt[0-9a-f]+-'); do
    id=${link#vt}
    id=${id%%-*}
    kill -0 $((16#$id)) 2>/dev/null && continue
    [ -e "/sys/class/net/$link/tun_flags" ] || continue # only taps, which is all lib.sh makes
    ip link del "$link" 2>/dev/null && echo "run.sh: removed leftover tap $link"
  done
}

# want NAME PATTERN - is test NAME selected by the GROUP or GROUP/NAME filter?
want() {
  local group=$1 name=$2 f
  [ ${#filters[@]} -eq 0 ] && return 0
  for f in "${filters[@]}"; do
    [ "$f" = "$group" ] && return 0
    [ "$f" = "$group/$name" ] && return 0
  done
  return 1
}

# fuzz_one BIN CORPUS ARTIFACTS: replay the corpus, then fuzz for a bounded
# time from a scratch copy so the checked-in corpus is not changed by a test
# run. Crash/leak/timeout inputs go to the ARTIFACTS directory (in the logs).
fuzz_one() {
  local bin=$1 corpus=$2 art=$3 scratch rc
  [ -d "$corpus" ] || {
    echo "no corpus directory $corpus"
    return 1
  }
  mkdir -p "$art"
  echo "== replaying $(find "$corpus" -type f | wc -l) inputs from $corpus"
  # libFuzzer's own error exit code is 77, the runner's "skipped": use 1.
  "$bin" -runs=0 -error_exitcode=1 -timeout_exitcode=1 -artifact_prefix="$art/" "$corpus" || {
    echo "== crash artifacts in $art:"
    ls -l "$art"
    return 1
  }
  if [ "$FUZZ_SECONDS" -gt 0 ]; then
    scratch=$(mktemp -d /tmp/vnet-fuzz.XXXXXX)
    echo "== fuzzing for ${FUZZ_SECONDS}s (new inputs go to $scratch)"
    "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 -error_exitcode=1 \
      -timeout_exitcode=1 -artifact_prefix="$art/" "$scratch" "$corpus"
    rc=$?
    rm -rf "$scratch"
    if [ $rc -ne 0 ]; then
      echo "== crash artifacts in $art:"
      ls -l "$art"
      return 1
    fi
  fi
  return 0
}
export -f fuzz_one
export FUZZ_SECONDS

group_unit() {
  local t
  for t in "$BUILD"/tests/test_*; do
    [ -x "$t" ] || continue
    want unit "$(basename "$t")" || continue
    start_job unit "$(basename "$t")" "$TEST_TIMEOUT" "$t"
  done
  wait_jobs
}

group_fuzz() {
  local f n
  for f in "$BUILD"/fuzz/fuzz_*; do
    [ -x "$f" ] || continue
    n=$(basename "$f")
    want fuzz "$n" || continue
    start_job fuzz "$n" "$((TEST_TIMEOUT + FUZZ_SECONDS))" \
      bash -c 'fuzz_one "$1" "$2" "$3"' fuzz_one "$f" "$TOP/tests/fuzz/corpus/$n" "$LOGDIR/fuzz/$n.artifacts"
  done
  wait_jobs
}

# script_group GROUP DIR TIMEOUT - run every test script in DIR
script_group() {
  local group=$1 dir=$2 tmo=$3 s n
  [ -d "$dir" ] || return 0
  for s in "$dir"/*.sh; do
    [ -f "$s" ] || continue
    n=$(basename "$s" .sh)
    case $n in
    _* | build | lib | common | setup) continue ;;
    esac
    want "$group" "$n" || continue
    if grep -q '^# vnet-test: serial' "$s"; then
      wait_jobs
      local jobs_was=$JOBS
      JOBS=1
      start_job "$group" "$n" "$tmo" bash "$s"
      JOBS=$jobs_was
    else
      start_job "$group" "$n" "$tmo" bash "$s"
    fi
  done
  wait_jobs
}

filters=("$@")
for f in "${filters[@]}"; do
  g=${f%%/*}
  case " $ALL_GROUPS " in
  *" $g "*) ;;
  *)
    echo "run.sh: unknown group '$g' (groups: $ALL_GROUPS)" >&2
    exit 2
    ;;
  esac
done

if [ "$(id -u)" != 0 ]; then
  echo "run.sh: note: not root; netns, vhost and vm tests will skip" >&2
fi

mkdir -p "$LOGDIR"
echo "vnet tests: BUILD=$BUILD logs in $LOGDIR"
t_start=$(now_ms)
for g in $ALL_GROUPS; do
  sel=0
  if [ ${#filters[@]} -eq 0 ]; then
    sel=1
  else
    for f in "${filters[@]}"; do
      [ "${f%%/*}" = "$g" ] && sel=1
    done
  fi
  [ $sel = 1 ] || continue
  JOBS=$TEST_JOBS
  case $g in
  vhost | vm) JOBS=1 ;;
  esac
  case $g in
  unit) group_unit ;;
  fuzz) group_fuzz ;;
  netns) script_group netns "$TOP/tests/netns" "$TEST_TIMEOUT" ;;
  vhost) script_group vhost "$TOP/tests/vhost" "$TEST_TIMEOUT" ;;
  vm) script_group vm "$TOP/tests/vm" "$VM_TEST_TIMEOUT" ;;
  esac
done
t_end=$(now_ms)

echo "total time $(((t_end - t_start) / 1000))s"
if [ $n_fail -gt 0 ]; then
  echo "failed: ${failed_names[*]}"
fi
if [ $n_skip -gt 0 ]; then
  echo "$n_pass passed, $n_fail failed, $n_skip skipped"
else
  echo "$n_pass passed, $n_fail failed"
fi
[ $n_fail -eq 0 ]
