#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# _guest.sh - boot the test guest that tests/vm/build.sh makes in QEMU (TCG), with one
# virtio-net NIC, in the foreground; it runs one command and powers off (see _init.sh).
# The one place that builds the guest's QEMU command line, for tests/vm/_vm.sh and for
# the benchmarks (bench/w2g.sh).
#
#   tests/vm/_guest.sh NAME IP MAC NETDEV CMD LOGDIR
#     NETDEV vhost-user:PATH          QEMU connects to PATH (the switch listens);
#                                     reconnects 1 s after losing it
#            vhost-user-server:PATH   QEMU listens on PATH (the switch connects);
#                                     the guest starts once the switch is there
#            tap:IFNAME               QEMU's tap IFNAME (vnet_hdr=on)
#            netdev:SPEC              any other QEMU -netdev SPEC, without id=
#                                     (e.g. netdev:stream,addr.type=unix,addr.path=P)
#   Console: LOGDIR/NAME.log; QEMU's own messages: LOGDIR/NAME.qemu.log.
#   Environment: QEMU [qemu-system-x86_64], VM_MEM_MB [256], VM_DEV (extra
#   virtio-net-pci properties, e.g. "mq=on"), VM_QEMU_EXTRA (extra QEMU arguments).
set -u
[ $# -eq 6 ] || {
  echo "usage: $0 NAME IP MAC NETDEV CMD LOGDIR" >&2
  exit 2
}
name=$1 ip=$2 mac=$3 netdev=$4 cmd=$5 logdir=$6
dir=$(cd "$(dirname "$0")" && pwd)
mem=${VM_MEM_MB:-256}
case $netdev in
vhost-user:*)
  nic=(-chardev "socket,id=chr0,path=${netdev#vhost-user:},reconnect=1"
    -netdev vhost-user,id=net0,chardev=chr0)
  ;;
vhost-user-server:*)
  nic=(-chardev "socket,id=chr0,path=${netdev#vhost-user-server:},server=on,wait=off"
    -netdev vhost-user,id=net0,chardev=chr0)
  ;;
tap:*) nic=(-netdev "tap,id=net0,ifname=${netdev#tap:},script=no,downscript=no,vnet_hdr=on") ;;
netdev:*) nic=(-netdev "${netdev#netdev:},id=net0") ;;
*)
  echo "$0: unknown netdev $netdev" >&2
  exit 2
  ;;
esac
append="console=ttyS0 quiet panic=-1 g.name=$name g.ip=$ip g.cmd64=$(printf '%s' "$cmd" | base64 -w0)"
[ ${#append} -lt 2000 ] || {
  echo "$0: command too long for the kernel command line" >&2
  exit 2
}
: >"$logdir/$name.log"
# TCG: KVM cannot boot guests on these hosts. vectors=0: QEMU 7.2 crashes starting
# vhost-user with MSI-X under TCG (no irqfd), so the NIC uses INTx.
# shellcheck disable=SC2086
exec "${QEMU:-qemu-system-x86_64}" -nodefaults -no-user-config -machine pc -accel tcg -cpu qemu64 \
  -smp 1 -m "${mem}M" -object "memory-backend-memfd,id=mem,size=${mem}M,share=on" \
  -numa node,memdev=mem -kernel "$dir/out/vmlinuz" -initrd "$dir/out/initramfs.cpio.gz" \
  -append "$append" -display none -chardev "file,id=ser0,path=$logdir/$name.log" \
  -serial chardev:ser0 -no-reboot "${nic[@]}" \
  -device "virtio-net-pci,netdev=net0,mac=$mac,vectors=0${VM_DEV:+,$VM_DEV}" \
  ${VM_QEMU_EXTRA:-} </dev/null >"$logdir/$name.qemu.log" 2>&1
