# SPDX-License-Identifier: GPL-2.0-or-later
# _vm.sh - helpers for the real-guest scenarios: boot the guest that
# tests/vm/build.sh makes in QEMU (TCG) with one virtio-net NIC on a
# vhost-user socket, and read its console markers (see _init.sh).
#
# Source after tests/lib.sh. Guests are killed at cleanup.

VM_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$VM_DIR/../vhost/_vhost.sh"
QEMU=${QEMU:-qemu-system-x86_64}
require_cmd "$QEMU" base64
declare -A VM_PID=()

# vm_prepare - build the guest if needed (skip when it cannot be built here)
vm_prepare() {
  local rc=0
  "$VM_DIR/build.sh" || rc=$?
  [ $rc -eq 77 ] && skip "the test guest cannot be built here (see above)"
  [ $rc -eq 0 ] || fail "tests/vm/build.sh failed"
}

# vm_boot NAME IP MAC NETDEV CMD - boot a guest in the background; it runs CMD and powers
# off. NETDEV: vhost-user:PATH, vhost-user-server:PATH, tap:IFNAME or netdev:SPEC
# (tests/vm/_guest.sh).
# Console: $T_DIR/NAME.log; QEMU's own messages: $T_DIR/NAME.qemu.log.
# Extra QEMU -device properties in VM_DEV (e.g. "mq=on,vectors=..."),
# extra QEMU arguments in VM_QEMU_EXTRA.
vm_boot() {
  case $4 in
  vhost-user:* | vhost-user-server:* | tap:* | netdev:*) ;;
  *) fail "vm_boot: unknown netdev $4" ;;
  esac
  : >"$T_DIR/$1.log"
  "$VM_DIR/_guest.sh" "$@" "$T_DIR" &
  VM_PID[$1]=$!
  T_BG+=("$!")
  step "guest $1 booting (pid $!, $4)"
}

# vm_wait NAME MARKER TIMEOUT - wait for a console line starting with MARKER
vm_wait() {
  wait_for "grep -q '^$2' '$T_DIR/$1.log'" "$3" || {
    echo "---- $1 console ----"
    tail -30 "$T_DIR/$1.log"
    echo "---- $1 QEMU ----"
    tail -10 "$T_DIR/$1.qemu.log"
    fail "guest $1: no '$2' within $3 s"
  }
}

# vm_rc NAME TIMEOUT - wait until the guest's command finished; print its exit status
vm_rc() {
  vm_wait "$1" G-DONE "$2" >&2
  sed -n 's/^G-DONE .* rc=\([0-9]*\).*/\1/p' "$T_DIR/$1.log" | tail -1
}

# vm_features NAME - the virtio features its driver negotiated
vm_features() {
  tr -d '\r' <"$T_DIR/$1.log" | sed -n 's/^G-VIRTIO features=//p' | tail -1
}

# vm_console NAME - print the guest's console (to the test log)
vm_console() {
  echo "---- console of $1 ----"
  tr -d '\r' <"$T_DIR/$1.log" | grep -v '^$' | sed "s/^/[$1] /"
}
