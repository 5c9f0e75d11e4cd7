#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 79-fault-disk - the state directory fills up, then turns read-only, while vnetd saves.
# Configuration saves fail with a clear error naming the file and the cause, DHCP gives no
# ACK for a lease it cannot make durable (counted), the files on disk stay byte for byte
# the last good state, no temporary file is left behind, and vnetd keeps running. Once
# there is room again the next save catches up, and a restart loads it.
#
#   state dir: a 512 KiB tmpfs of its own
#   ns a (udhcpc, lease before)   ns b (dhcpc.py, asks while the disk is full)
#    | pa                          | pb
#   +|-----------------------------|----------+    +-----------------+
#   |  network "dn" (private) 10.79.0.0/24     |    |  sw0: dummy ports |
#   +------------------------------------------+    +-----------------+
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_svc.sh"
require_cmd mount umount sha256sum

mkdir -p "$T_STATE"
mount -t tmpfs -o size=512k,mode=0755 vnet-test-state "$T_STATE" || skip "cannot mount a tmpfs"
at_exit "umount -l '$T_STATE'"

sums() {
  (cd "$T_STATE" && find . -type f ! -name filler | sort | xargs -r sha256sum)
}
leftovers() {
  find "$T_STATE" -name '*.tmp*' | wc -l
}
# expect_save_error WHAT CMD... - CMD fails, saying what could not be saved and why
expect_save_error() {
  local what=$1 out
  shift
  if out=$(vctl "$@" 2>&1); then
    fail "$* succeeded although the state directory is $what"
  fi
  echo "vnetctl $*: $out"
  case $out in
  *"$T_STATE/"*"$what"* | *"$what"*"$T_STATE"*) ;;
  *) fail "the error does not name the state file and '$what': $out" ;;
  esac
  echo "ok: clear error ($what)"
}

vnetd_start
vctl switch/add sw0
vctl port/add sw0 d1 type=dummy
vctl network/add dn mode=private subnet=10.79.0.0/24
vm_add dn pa a 52:54:00:79:00:0a
vm_add dn pb b 52:54:00:79:00:0b
udhcpc_get a "$(ifn pa)" || fail "a: no lease"
IPA=$(lease_var a ip)
sums >"$T_DIR/good.sums"
echo "state files:"; cat "$T_DIR/good.sums"

step "the disk fills up"
dd if=/dev/zero of="$T_STATE/filler" bs=4k 2>/dev/null || true
df -k "$T_STATE" | tail -n 1
expect_save_error "No space left on device" port/add sw0 d2 type=dummy
expect_save_error "No space left on device" port/set sw0 d1 mac_limit=5
cf0=$(json_get "$(vctlj network/list)" '.[] | select(.name == "dn") | .counters.dhcp.commit_failed')
got=$(dhcpc b "$(ifn pb)" dora 52:54:00:79:00:0b | tail -n 1)
assert_eq "${got#* }" none "a lease while the disk is full (no ACK without a durable lease)"
assert_num "$(json_get "$(vctlj network/list)" '.[] | select(.name == "dn") | .counters.dhcp.commit_failed')" -gt "$cf0" "commit_failed counted"
sums | diff -u "$T_DIR/good.sums" - || fail "state files changed while the disk was full"
echo "ok: state files unchanged"
assert_eq "$(leftovers)" 0 "temporary files left in the state directory"
assert_vnetd_alive
grep -q "No space left on device" "$VNETD_LOG" && echo "ok: vnetd's log says why"

step "the state directory turns read-only"
rm -f "$T_STATE/filler"
mount -o remount,ro "$T_STATE"
expect_save_error "Read-only file system" port/add sw0 d3 type=dummy
sums | diff -u "$T_DIR/good.sums" - || fail "state files changed while read-only"
echo "ok: state files unchanged"
assert_vnetd_alive

step "room again: the next save catches up, and a restart loads it"
mount -o remount,rw "$T_STATE"
vctl port/add sw0 d4 type=dummy
ports=$(vctlj port/list sw0 | jq -r '[.[].name] | sort | join(",")')
assert_eq "$ports" d1,d2,d3,d4 "sw0's ports in memory"
vnetd_stop
vnetd_start
assert_eq "$(vctlj port/list sw0 | jq -r '[.[].name] | sort | join(",")')" "$ports" "sw0's ports after a restart"
assert_eq "$(port_field sw0 d1 options.mac_limit)" 5 "d1's mac_limit after a restart"
assert_eq "$(lease_of dn 52:54:00:79:00:0a ip)" "$IPA" "a's lease after a restart"
t_pass
