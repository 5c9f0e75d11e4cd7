#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/w6.sh - workload W6: TCP and ping between two real Linux guests (QEMU under TCG,
# tests/vm/build.sh guest) attached by QEMU's socket netdevs, the rootless way, in the
# same run:
#
#   vnet-stream   vnetd, two stream ports (vnetd listens, QEMU -netdev stream connects)
#   vnet-dgram    vnetd, two dgram ports (QEMU -netdev dgram, one frame per datagram)
#   direct        no switch: gB's -netdev stream,server=on, gA's server=off to it (the floor)
#   vde           vde_switch, QEMU -netdev vde,sock=DIR (vde2's own switch)
#
#   guest gA 10.0.0.1 ---- [ contender ] ---- guest gB 10.0.0.2
#
# Per repetition and contender (interleaved): both guests boot; gB runs "iperf3 -s -1";
# gA waits until gB answers, takes W6_PINGS pings (median RTT), then iperf3 -c gB for
# W6_S seconds (sender rate). No switch here passes a virtio-net header, so guests send
# MTU-sized frames and their TCG CPUs are the bottleneck: the figure is how much of the
# guests' capacity each path lets through. Nothing is pinned (the guests need both CPUs).
#
# Use: "bench/run.sh w6" (calls w6_main), or directly: BUILD=/abs/build bench/w6.sh.
# Results: $BENCH_RESULTS/w6-STAMP.{tsv,txt,md}, latest-w6.{txt,md}.
# Environment [defaults]: BENCH_REPS [3], W6_S [10], W6_PINGS [20],
# W6_CONTENDERS [vnet-stream vnet-dgram direct vde].

W6_ALL="vnet-stream vnet-dgram direct vde"
W6_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
W6_VM=$(cd "$W6_HERE/../tests/vm" && pwd)

w6_out() {
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$W6_RAW"
}

w6_vnetctl() {
	"$BUILD/vnetctl" --socket "$W6_DIR/vnetd.sock" "$@"
}

# w6_wait COND SECONDS - poll a shell condition every 0.2 s
w6_wait() {
	local n=$(($2 * 5))
	while [ "$n" -gt 0 ]; do
		eval "$1" && return 0
		sleep 0.2
		n=$((n - 1))
	done
	return 1
}

# w6_setup NAME - start the contender; set W6_NET_A and W6_NET_B (guest.sh netdev specs)
w6_setup() {
	local d=$W6_DIR
	case $1 in
	vnet-stream | vnet-dgram)
		mkdir -p "$d/state" || return 1
		"$BUILD/vnetd" --socket "$d/vnetd.sock" --state-dir "$d/state" --no-default \
			--log-level warn </dev/null >"$d/vnetd.log" 2>&1 &
		W6_SW_PID=$!
		bench_cleanup_push "bench_kill $W6_SW_PID"
		bench_wait_path "$d/vnetd.sock" 10 || return 1
		w6_vnetctl switch/add sw0 >/dev/null || return 1
		if [ "$1" = vnet-stream ]; then
			w6_vnetctl port/add sw0 a type=stream path="$d/a.sock" >/dev/null &&
				w6_vnetctl port/add sw0 b type=stream path="$d/b.sock" >/dev/null || return 1
			W6_NET_A="netdev:stream,server=off,addr.type=unix,addr.path=$d/a.sock"
			W6_NET_B="netdev:stream,server=off,addr.type=unix,addr.path=$d/b.sock"
		else
			w6_vnetctl port/add sw0 a type=dgram path="$d/a.sock" peer="$d/qa.sock" >/dev/null &&
				w6_vnetctl port/add sw0 b type=dgram path="$d/b.sock" peer="$d/qb.sock" \
					>/dev/null || return 1
			W6_NET_A="netdev:dgram,local.type=unix,local.path=$d/qa.sock,remote.type=unix,remote.path=$d/a.sock"
			W6_NET_B="netdev:dgram,local.type=unix,local.path=$d/qb.sock,remote.type=unix,remote.path=$d/b.sock"
		fi
		;;
	direct)
		W6_SW_PID=
		W6_NET_B="netdev:stream,server=on,addr.type=unix,addr.path=$d/direct.sock"
		W6_NET_A="netdev:stream,server=off,addr.type=unix,addr.path=$d/direct.sock"
		;;
	vde)
		vde_switch --sock "$d/vde" --daemon --pidfile "$d/vde.pid" >/dev/null 2>&1 || return 1
		bench_wait_path "$d/vde.pid" 5 || return 1
		W6_SW_PID=$(cat "$d/vde.pid")
		bench_cleanup_push "bench_kill $W6_SW_PID"
		bench_wait_path "$d/vde/ctl" 5 || return 1
		W6_NET_A="netdev:vde,sock=$d/vde"
		W6_NET_B="netdev:vde,sock=$d/vde"
		;;
	*) return 1 ;;
	esac
}

# w6_guests REP NAME - boot both guests, wait for gA's result, record the figures
w6_guests() {
	local rep=$1 c=$2 pa pb rc rate unit mbps rtt d=$W6_DIR
	: >"$d/gA.log"
	: >"$d/gB.log"
	"$W6_VM/_guest.sh" gB 10.0.0.2/24 52:54:00:00:0b:02 "$W6_NET_B" 'iperf3 -s -1' "$d" &
	pb=$!
	bench_cleanup_push "bench_kill $pb"
	# the direct link: gB's QEMU must listen before gA's connects (QEMU 7.2 has no reconnect)
	[ "$c" != direct ] || bench_wait_path "$d/direct.sock" 20 || return 1
	"$W6_VM/_guest.sh" gA 10.0.0.1/24 52:54:00:00:0a:01 "$W6_NET_A" \
		"gwait 10.0.0.2 120 && iping -c $W6_PINGS -i 0.2 10.0.0.2 && giperf 10.0.0.2 -t $W6_S" \
		"$d" &
	pa=$!
	bench_cleanup_push "bench_kill $pa"
	w6_wait "grep -q '^G-DONE' '$d/gA.log'" $((W6_S + 300)) || {
		bench_warn "$c: guest gA did not finish; console tail:"
		tr -d '\r' <"$d/gA.log" | tail -n 15 >&2
		return 1
	}
	rc=$(tr -d '\r' <"$d/gA.log" | sed -n 's/^G-DONE .* rc=\([0-9]*\).*/\1/p' | tail -n 1)
	[ "$rc" = 0 ] || {
		bench_warn "$c: gA's command failed (rc=$rc); console tail:"
		tr -d '\r' <"$d/gA.log" | tail -n 15 >&2
		return 1
	}
	read -r rate unit < <(tr -d '\r' <"$d/gA.log" |
		awk '/sender$/ { print $(NF-3), $(NF-2) }' | tail -n 1)
	case $unit in
	Gbits/sec) mbps=$(awk -v r="$rate" 'BEGIN { printf "%.0f", r * 1000 }') ;;
	Mbits/sec) mbps=$(awk -v r="$rate" 'BEGIN { printf "%.1f", r }') ;;
	Kbits/sec) mbps=$(awk -v r="$rate" 'BEGIN { printf "%.3f", r / 1000 }') ;;
	*)
		bench_warn "$c: no iperf3 result"
		return 1
		;;
	esac
	rtt=$(tr -d '\r' <"$d/gA.log" | sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p' |
		awk '{ printf "%.0f\n", $1 * 1000 }' | bench_median)
	w6_out "$rep" "$c" tcp_mbps "$mbps"
	w6_out "$rep" "$c" rtt_us "$rtt"
	if [ -n "$W6_SW_PID" ]; then
		w6_out "$rep" "$c" sw_cpu_ms $(($(bench_cpu_ns "$W6_SW_PID") / 1000000))
	fi
	bench_wait_gone "$pb" 30 || bench_kill "$pb"
	bench_log "  $c: ${mbps} Mbit/s, ping ${rtt} us"
}

w6_med() {
	awk -F'\t' -v c="$2" -v k="$3" '$2 == c && $3 == k { print $4 }' "$1" | bench_median
}

w6_report() {
	local raw=$1 c
	{
		echo "W6: TCP and ping between two real guests (QEMU TCG) on QEMU socket netdevs, ${W6_S}s iperf3, $W6_PINGS pings"
		echo "medians of $BENCH_REPS interleaved repetitions; $(date -u '+%F %T UTC'); $NCPU CPUs; nothing pinned"
		echo
		printf '%-12s %10s %8s %10s %s\n' contender TCP_Mbit/s RTT_us sw_cpu_ms "Mbit/s per rep"
		for c in $W6_CONTENDERS; do
			printf '%-12s %10s %8s %10s %s\n' "$c" "$(w6_med "$raw" "$c" tcp_mbps)" \
				"$(w6_med "$raw" "$c" rtt_us)" "$(w6_med "$raw" "$c" sw_cpu_ms)" \
				"$(awk -F'\t' -v c="$c" '$2 == c && $3 == "tcp_mbps" { printf "%s%s", s, $4; s = "," }' "$raw")"
		done
		echo
		for c in vde direct; do
			[[ " $W6_CONTENDERS " == *" $c "* ]] || continue
			echo "vnet-stream / $c TCP ratio $(bench_ratio "$(w6_med "$raw" vnet-stream tcp_mbps)" "$(w6_med "$raw" "$c" tcp_mbps)")" \
				"(target: >= $([ $c = vde ] && echo 1.2 || echo 0.9))"
			echo "vnet-dgram / $c TCP ratio $(bench_ratio "$(w6_med "$raw" vnet-dgram tcp_mbps)" "$(w6_med "$raw" "$c" tcp_mbps)")"
		done
	} >"${raw%.tsv}.txt"
	{
		echo "W6 (two TCG guests on QEMU socket netdevs, iperf3 TCP and ping), medians of $BENCH_REPS interleaved repetitions, $(date -u '+%F'), $NCPU CPUs."
		echo
		echo "| contender | TCP Mbit/s | ping RTT us | switch CPU ms | Mbit/s per repetition |"
		echo "|---|---:|---:|---:|---|"
		for c in $W6_CONTENDERS; do
			printf '| %s | %s | %s | %s | %s |\n' "$c" "$(w6_med "$raw" "$c" tcp_mbps)" \
				"$(w6_med "$raw" "$c" rtt_us)" "$(w6_med "$raw" "$c" sw_cpu_ms)" \
				"$(awk -F'\t' -v c="$c" '$2 == c && $3 == "tcp_mbps" { printf "%s%s", s, $4; s = ", " }' "$raw")"
		done
		echo
		for c in vde direct; do
			[[ " $W6_CONTENDERS " == *" $c "* ]] || continue
			printf -- '- vnet-stream / %s: %s\n' "$c" \
				"$(bench_ratio "$(w6_med "$raw" vnet-stream tcp_mbps)" "$(w6_med "$raw" "$c" tcp_mbps)")"
		done
	} >"${raw%.tsv}.md"
	cat "${raw%.tsv}.txt"
}

w6_main() {
	local rep c mark busy rc=0
	W6_DIR=$BENCH_TMP/w6
	W6_S=${W6_S:-10}
	W6_PINGS=${W6_PINGS:-20}
	W6_CONTENDERS=${W6_CONTENDERS:-$W6_ALL}
	NCPU=${NCPU:-$(nproc)}
	STAMP=${STAMP:-$(date +%Y%m%d-%H%M%S)}
	command -v vde_switch >/dev/null || {
		bench_warn "W6: vde_switch not installed (vde2): vde left out"
		W6_CONTENDERS=${W6_CONTENDERS/vde/}
	}
	"$W6_VM/build.sh" >/dev/null || {
		bench_warn "W6: the test guest cannot be built (tests/vm/build.sh); skipped"
		return 1
	}
	W6_RAW=$BENCH_RESULTS/w6-$STAMP.tsv
	: >"$W6_RAW"
	bench_log "W6: contenders: $W6_CONTENDERS; $BENCH_REPS reps; ${W6_S}s iperf3"
	for ((rep = 1; rep <= BENCH_REPS; rep++)); do
		for c in $W6_CONTENDERS; do
			busy=$(bench_wait_idle "$BENCH_IDLE_MAX" 4)
			[ "$busy" -gt "$BENCH_IDLE_MAX" ] &&
				bench_warn "host still ${busy}% busy before $c rep $rep (figures noisier)"
			bench_log "W6 rep $rep/$BENCH_REPS: $c (host ${busy}% busy)"
			w6_out "$rep" "$c" host_busy_pct "$busy"
			mark=$(bench_cleanup_mark)
			rm -rf "$W6_DIR" && mkdir -p "$W6_DIR"
			if w6_setup "$c"; then
				w6_guests "$rep" "$c" || rc=1
			else
				bench_warn "$c: setup failed; no figures this rep"
				rc=1
			fi
			bench_cleanup_to "$mark"
		done
	done
	w6_report "$W6_RAW"
	cp "${W6_RAW%.tsv}.txt" "$BENCH_RESULTS/latest-w6.txt"
	cp "${W6_RAW%.tsv}.md" "$BENCH_RESULTS/latest-w6.md"
	bench_log "results: ${W6_RAW%.tsv}.{tsv,txt,md}"
	return $rc
}

# Run directly: set up what bench/run.sh would, then W6.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	# shellcheck source=bench/lib.sh
	. "$W6_HERE/lib.sh"
	BUILD=${BUILD:-$(cd "$W6_HERE/.." && pwd)/build}
	BENCH_REPS=${BENCH_REPS:-3}
	BENCH_IDLE_MAX=${BENCH_IDLE_MAX:-25}
	BENCH_RESULTS=${BENCH_RESULTS:-$W6_HERE/results}
	mkdir -p "$BENCH_RESULTS"
	BENCH_TMP=$(mktemp -d /tmp/vnet-bench-w6.XXXXXX)
	bench_cleanup_push "rm -rf $BENCH_TMP"
	trap 'bench_cleanup_to 0' EXIT
	trap 'bench_log "interrupted, cleaning up"; exit 130' INT TERM HUP
	w6_main
fi
