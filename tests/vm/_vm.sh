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

# vm_boot NAME IP MAC NETDEV CMD - boot a guest in the background; it runs CMD and powers off.
#   NETDEV vhost-user:PATH          QEMU connects to PATH (vnetd port in mode=server);
#                                   reconnects 1 s after losing it
#          vhost-user-server:PATH   QEMU listens on PATH (vnetd port in mode=client);
#                                   QEMU waits for vnetd before the guest starts
# Console: $T_DIR/NAME.log; QEMU's own messages: $T_DIR/NAME.qemu.log.
# Extra QEMU -device properties in VM_DEV (e.g. "mq=on,vectors=..."),
# extra QEMU arguments in VM_QEMU_EXTRA.
vm_boot() {
  local name=$1 ip=$2 mac=$3 netdev=$4 cmd=$5 chardev append
  case $netdev in
  vhost-user:*) chardev="socket,id=chr0,path=${netdev#vhost-user:},reconnect=1" ;;
  vhost-user-server:*) chardev="socket,id=chr0,path=${netdev#vhost-user-server:},server=on,wait=off" ;;
  *) fail "vm_boot: unknown netdev $netdev" ;;
  esac
  append="console=ttyS0 quiet panic=-1 g.name=$name g.ip=$ip g.cmd64=$(printf '%s' "$cmd" | base64 -w0)"
  [ ${#append} -lt 2000 ] || fail "vm_boot: command too long for the kernel command line"
  : >"$T_DIR/$name.log"
  # TCG: KVM cannot boot guests on these hosts. vectors=0: QEMU 7.2 crashes starting
  # vhost-user with MSI-X under TCG (no irqfd), so the NIC uses INTx.
  # shellcheck disable=SC2086
  "$QEMU" -nodefaults -no-user-config -machine pc -accel tcg -cpu qemu64 -smp 1 -m 256M \
    -object memory-backend-memfd,id=mem,size=256M,share=on -numa node,memdev=mem \
    -kernel "$VM_DIR/out/vmlinuz" -initrd "$VM_DIR/out/initramfs.cpio.gz" -append "$append" \
    -display none -chardev "file,id=ser0,path=$T_DIR/$name.log" -serial chardev:ser0 \
    -no-reboot -chardev "$chardev" -netdev vhost-user,id=net0,chardev=chr0 \
    -device "virtio-net-pci,netdev=net0,mac=$mac,vectors=0${VM_DEV:+,$VM_DEV}" \
    ${VM_QEMU_EXTRA:-} </dev/null >"$T_DIR/$name.qemu.log" 2>&1 &
  VM_PID[$name]=$!
  T_BG+=("$!")
  step "guest $name booting (QEMU pid $!, $netdev)"
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
