# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/lib.sh - helpers for the benchmark scripts: cleanup stack, namespaces, CPU time, idleness, stats.
#
# Sourced by bench/run.sh. Everything a benchmark creates (namespaces, links,
# processes, temp dirs) is registered on a cleanup stack right after it is
# created; bench_cleanup_to pops back to a mark (one contender's teardown)
# and the EXIT/INT/TERM trap pops everything, so an interrupted run leaves
# nothing behind.

BENCH_CLEANUP=()

bench_log() {
	printf '[bench %s] %s\n' "$(date +%T)" "$*" >&2
}

bench_warn() {
	printf '[bench %s] WARNING: %s\n' "$(date +%T)" "$*" >&2
}

# bench_cleanup_push CMD - run CMD (eval'd) at cleanup, last pushed first
bench_cleanup_push() {
	BENCH_CLEANUP+=("$1")
}

# bench_cleanup_mark - print the current depth of the stack, for bench_cleanup_to
bench_cleanup_mark() {
	echo "${#BENCH_CLEANUP[@]}"
}

# bench_cleanup_to MARK - run and pop entries down to MARK
bench_cleanup_to() {
	local mark=$1 i
	for ((i = ${#BENCH_CLEANUP[@]} - 1; i >= mark; i--)); do
		eval "${BENCH_CLEANUP[$i]}" >/dev/null 2>&1 || true
		unset "BENCH_CLEANUP[$i]"
	done
	BENCH_CLEANUP=("${BENCH_CLEANUP[@]}")
}

# bench_wait_gone PID SECONDS - wait for a process that is not our child to exit
bench_wait_gone() {
	local pid=$1 n=$(($2 * 10))
	while [ "$n" -gt 0 ] && kill -0 "$pid" 2>/dev/null; do
		sleep 0.1
		n=$((n - 1))
	done
	! kill -0 "$pid" 2>/dev/null
}

# bench_kill PID - SIGTERM, then SIGKILL after 5 s
bench_kill() {
	local pid=$1
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || return 0
	bench_wait_gone "$pid" 5 || kill -KILL "$pid" 2>/dev/null
	bench_wait_gone "$pid" 2 || true
}

# bench_ns_add NAME - a fresh namespace with lo up and IPv6 off (no ND/MLD noise in counters)
bench_ns_add() {
	local ns=$1
	ip netns add "$ns" || return 1
	bench_cleanup_push "ip netns del $ns"
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
		net.ipv6.conf.default.disable_ipv6=1 >/dev/null 2>&1 || true
}

# bench_nsif_stat NS IF STAT - one counter from /sys/class/net/IF/statistics inside NS
bench_nsif_stat() {
	ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3" 2>/dev/null || echo 0
}

# bench_wait_carrier NS IF SECONDS - wait until IF in NS reports carrier
bench_wait_carrier() {
	local ns=$1 ifname=$2 n=$(($3 * 10))
	while [ "$n" -gt 0 ]; do
		[ "$(ip netns exec "$ns" cat "/sys/class/net/$ifname/carrier" 2>/dev/null)" = 1 ] &&
			return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# bench_wait_path PATH SECONDS - wait for a file or socket to appear
bench_wait_path() {
	local path=$1 n=$(($2 * 10))
	while [ "$n" -gt 0 ]; do
		[ -e "$path" ] && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# bench_cpu_ns PID - CPU time (user+system) of all threads of PID, in nanoseconds.
# Sums /proc/PID/task/*/schedstat (exact run time in ns) when the kernel has
# it, since /proc/PID/stat only counts 10 ms ticks, too coarse for an idle
# daemon; falls back to utime+stime from /proc/PID/stat.
bench_cpu_ns() {
	local pid=$1 f sum=0 have=0 run rest
	for f in /proc/"$pid"/task/*/schedstat; do
		[ -r "$f" ] || continue
		read -r run rest <"$f" 2>/dev/null || continue
		sum=$((sum + run))
		have=1
	done
	if [ "$have" = 1 ]; then
		echo "$sum"
		return 0
	fi
	[ -r "/proc/$pid/stat" ] || {
		echo 0
		return 1
	}
	# fields after the ")" of comm: utime is field 14, stime 15
	awk -v hz="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); print ($12 + $13) * 1e9 / hz }' \
		"/proc/$pid/stat"
}

# bench_host_busy - percent of all CPUs busy over one second (from /proc/stat)
bench_host_busy() {
	local a b
	a=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
	sleep 1
	b=$(awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 + $9, $5 + $6 }' /proc/stat)
	echo "$a $b" | awk '{ busy = $3 - $1; idle = $4 - $2;
		printf "%.0f\n", ((busy + idle) > 0) ? 100 * busy / (busy + idle) : 0 }'
}

# bench_wait_idle MAX_PCT TRIES - wait until the host is at most MAX_PCT busy; print the last figure
bench_wait_idle() {
	local max=$1 tries=$2 busy
	while :; do
		busy=$(bench_host_busy)
		if [ "$busy" -le "$max" ] || [ "$tries" -le 1 ]; then
			echo "$busy"
			return 0
		fi
		tries=$((tries - 1))
		sleep 2
	done
}

# bench_median - median of the numbers on stdin ("n/a" and empty lines ignored); "n/a" if none
bench_median() {
	grep -E '^-?[0-9.]+(e[-+]?[0-9]+)?$' | sort -g |
		awk '{ v[NR] = $1 } END {
			if (!NR) { print "n/a"; exit }
			m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			a = (m < 0) ? -m : m
			if (a >= 1000) printf "%.0f\n", m; else printf "%.4g\n", m }'
}

# bench_ratio A B - A/B with two decimals, or n/a
bench_ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a !~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/ || b !~ /^-?[0-9.]+(e[-+]?[0-9]+)?$/ || b + 0 == 0)
			print "n/a"; else printf "%.2f\n", a / b }'
}
