#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 81-ctl-perms - the control socket is mode 0660, owned by root and by group "vnet" when
# that group exists (root's group otherwise): a user outside the group cannot connect and
# is told why; a user in the group can. Users are the unprivileged uid 65534 (nobody),
# run through setpriv with and without the group.
#
#   root: vnetd on $T_DIR/vnetd.sock (0660 root:vnet)
#   uid 65534, no groups   -> connect: Permission denied
#   uid 65534, group vnet  -> switch/list works
. "$(dirname "$0")/../lib.sh"
require_cmd setpriv stat getent

NOBODY=65534
vnetd_start
vctl switch/add sw0
chmod 0755 "$T_DIR" # the socket's directory must be searchable for the check to mean anything

assert_eq "$(stat -c %a "$T_SOCK")" 660 "socket mode"
assert_eq "$(stat -c %u "$T_SOCK")" 0 "socket owner"
if gid=$(getent group vnet | cut -d: -f3) && [ -n "$gid" ]; then
  assert_eq "$(stat -c %g "$T_SOCK")" "$gid" "socket group (vnet)"
else
  gid=0
  assert_eq "$(stat -c %g "$T_SOCK")" 0 "socket group (root's: there is no vnet group)"
fi

step "uid $NOBODY outside the group"
if out=$(setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups "$VNETCTL" --socket "$T_SOCK" switch/list 2>&1); then
  fail "a user outside the group could use the control socket: $out"
fi
echo "vnetctl said: $out"
case $out in
*"ermission denied"*) echo "ok: refused, and the error says why" ;;
*) fail "refused, but the error does not say permission denied: $out" ;;
esac

step "uid $NOBODY in group $gid"
out=$(setpriv --reuid=$NOBODY --regid=$NOBODY --groups=$gid "$VNETCTL" --socket "$T_SOCK" switch/list 2>&1) ||
  fail "a member of the socket's group could not connect: $out"
echo "$out" | grep -q sw0 || fail "switch/list as a group member: $out"
echo "ok: a group member can use vnetctl"
assert_vnetd_alive
t_pass
