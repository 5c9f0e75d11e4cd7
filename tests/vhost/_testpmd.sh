# SPDX-License-Identifier: GPL-2.0-or-later
# _testpmd.sh - helpers for the vhost-user scenarios: DPDK testpmd as a
# virtio-user front-end, driven interactively through a FIFO.
#
# Source after tests/lib.sh. Each testpmd instance has a NAME; its console
# log is $T_DIR/tp-NAME.log and its DPDK runtime files use the file prefix
# vnet<ID>NAME, removed at cleanup. testpmd runs without hugepages
# (--no-huge, memfd-backed memory, which virtio-user can share).

. "$(dirname "${BASH_SOURCE[0]}")/_vhost.sh"

TESTPMD=${TESTPMD:-dpdk-testpmd}
require_cmd "$TESTPMD" stdbuf mkfifo
declare -A TP_PID=() TP_FD=()

# tp_start NAME VDEVS -- TESTPMD_APP_ARGS... - start testpmd in interactive
# mode with the given --vdev arguments; waits for its prompt
tp_start() {
  local name=$1 log fifo fd
  local -a eal=() app=()
  log=$T_DIR/tp-$name.log
  fifo=$T_DIR/tp-$name.in
  shift
  while [ $# -gt 0 ] && [ "$1" != -- ]; do
    eal+=(--vdev "$1")
    shift
  done
  [ $# -gt 0 ] && shift
  app=("$@")
  rm -f "$fifo" && mkfifo "$fifo"
  : >"$log"
  # read-write open never blocks, and keeps a writer so testpmd's open does not either
  exec {fd}<>"$fifo"
  TP_FD[$name]=$fd
  # two lcores sharing both CPUs: one for the prompt, one forwarding
  # (not bg_run: a background command's own redirection is what keeps stdin the FIFO)
  stdbuf -o0 "$TESTPMD" --no-pci --no-huge -m 512 --file-prefix="vnet$T_ID$name" \
    --lcores "0@(0-1),1@(0-1)" "${eal[@]}" -- -i \
    --total-num-mbufs=16384 "${app[@]}" <"$fifo" >"$log" 2>&1 &
  TP_PID[$name]=$!
  T_BG+=("$!")
  at_exit "rm -rf /var/run/dpdk/vnet$T_ID$name"
  wait_for "grep -q 'testpmd> ' '$log'" 60 || {
    tail -20 "$log"
    fail "testpmd $name did not start"
  }
  step "testpmd $name running (pid ${TP_PID[$name]})"
}

# tp_cmd NAME CMD - type a command at testpmd's prompt
tp_cmd() {
  echo "$2" >&"${TP_FD[$1]}"
}

# tp_port_stat NAME PORT FIELD - a counter of "show port stats PORT"
# (FIELD: RX-packets, TX-packets, RX-bytes, RX-errors...); asks testpmd and
# waits for the answer
tp_port_stat() {
  local name=$1 port=$2 field=$3 log n
  log=$T_DIR/tp-$name.log
  n=$(grep -c "NIC statistics for port $port " "$log" || true)
  tp_cmd "$name" "show port stats $port"
  wait_for "[ \$(grep -c 'NIC statistics for port $port ' '$log') -gt $n ] && \
    awk '/NIC statistics for port $port /{c++} c>$n && /$field:/' '$log' | grep -q ." 10 ||
    fail "testpmd $name did not answer show port stats $port"
  awk -v n="$n" -v f="$field:" "/NIC statistics for port $port /{c++} c>n"' {
      for (i = 1; i < NF; i++) if ($i == f) { print $(i + 1); exit } }' "$log"
}

# tp_quit NAME - quit testpmd and wait for it (it closes its vhost-user connections)
tp_quit() {
  local name=$1 pid=${TP_PID[$1]}
  tp_cmd "$name" "quit"
  exec {TP_FD[$name]}>&-
  wait_for "! kill -0 $pid" 30 || fail "testpmd $name did not quit"
  step "testpmd $name quit"
}

# tp_kill9 NAME - kill -9 testpmd (a crashed guest, as far as vnetd can tell)
tp_kill9() {
  local name=$1 pid=${TP_PID[$1]}
  kill -KILL "$pid"
  exec {TP_FD[$name]}>&-
  wait_for "! kill -0 $pid" 10 || fail "testpmd $name did not die"
  step "testpmd $name killed with SIGKILL"
}
