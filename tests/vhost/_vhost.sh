# SPDX-License-Identifier: GPL-2.0-or-later
# _vhost.sh - helpers shared by the vhost-user scenarios (tests/vhost, tests/vm):
# port state and info queries. Source after tests/lib.sh.

# vhost_info SWITCH PORT FILTER - jq FILTER on the port's port/list "info" object
vhost_info() {
  local j
  j=$(vctlj port/list "$1") || fail "port/list $1 failed"
  json_get "$j" ".[] | select(.name == \"$2\") | .info | $3"
}

# wait_port_state SWITCH PORT up|down [TIMEOUT]
wait_port_state() {
  wait_for "[ \"\$(port_field $1 $2 state)\" = $3 ]" "${4:-20}" ||
    fail "port $2 did not go $3 (state $(port_field "$1" "$2" state): $(port_field "$1" "$2" down_reason))"
  echo "ok: port $2 is $3"
}

# cpu_ticks PID - user+system clock ticks a process has used
cpu_ticks() {
  awk '{ print $14 + $15 }' "/proc/$1/stat"
}
