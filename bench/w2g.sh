#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/w2g.sh - workload W2G: TCP between two real Linux guests (QEMU under TCG, the Debian
# kernel's virtio_net driver, tests/vm/build.sh) on vhost-user, through vnet and through
# testpmd's vhost forwarder with tso=1 (the "ideal two-port forwarder"), in the same run.
#
#   guest gA 10.0.0.1 ---- a.sock [ switch under test ] b.sock ---- guest gB 10.0.0.2
#   (QEMU connects to the switch's vhost-user server sockets)
#
# Per repetition and contender (interleaved: vnet testpmd vnet ...): both guests boot; gB
# runs "iperf3 -s -1", gA waits until gB answers ping, takes W2G_PINGS pings (RTT), then
# runs iperf3 -c gB for W2G_S seconds. Figures: gA's iperf3 sender rate (Mbit/s), median
# ping RTT (us), and for vnet the TSO super-frames that crossed (rx_gso of gA's port).
# Under TCG the guests' emulated CPUs are the bottleneck: the figure is how much of the
# guests' capacity each switch lets through, not the switch's own limit. The switch is
# unpinned (the two guests need both CPUs).
#
# Use: sourced by bench/run.sh ("bench/run.sh w2g"), which calls w2g_main; or run
# directly: BUILD=/abs/build bench/w2g.sh. Results: $BENCH_RESULTS/w2g-STAMP.{tsv,txt,md}
# and latest-w2g.{txt,md}. Environment [defaults]: BENCH_REPS [3], W2G_S [10],
# W2G_PINGS [20], W2G_CONTENDERS [vnet testpmd], TESTPMD [dpdk-testpmd].

W2G_ALL="vnet testpmd"
W2G_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
W2G_VM=$(cd "$W2G_HERE/../tests/vm" && pwd)
# shellcheck source=bench/w2.sh
. "$W2G_HERE/w2.sh" # its testpmd helpers (w2_tp_start, w2_tp_cmd, w2_tp_stop)

w2g_label() {
	case $1 in
	testpmd) echo "testpmd-fwd-tso" ;;
	*) echo "$1" ;;
	esac
}

w2g_out() {
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$W2G_RAW"
}

w2g_vnetctl() {
	"$BUILD/vnetctl" --socket "$W2G_DIR/vnetd.sock" "$@"
}

# w2g_setup NAME - the switch under test with server sockets a.sock and b.sock
w2g_setup() {
	case $1 in
	vnet)
		mkdir -p "$W2G_DIR/state" || return 1
		"$BUILD/vnetd" --socket "$W2G_DIR/vnetd.sock" --state-dir "$W2G_DIR/state" \
			--no-default --log-level warn </dev/null >"$W2G_DIR/vnetd.log" 2>&1 &
		W2G_SW_PID=$!
		bench_cleanup_push "bench_kill $W2G_SW_PID"
		bench_wait_path "$W2G_DIR/vnetd.sock" 10 || return 1
		w2g_vnetctl switch/add sw0 >/dev/null &&
			w2g_vnetctl port/add sw0 a type=vhost-user mode=server path="$W2G_DIR/a.sock" >/dev/null &&
			w2g_vnetctl port/add sw0 b type=vhost-user mode=server path="$W2G_DIR/b.sock" >/dev/null
		;;
	testpmd)
		W2_DIR=$W2G_DIR
		w2_tp_start fw "" "net_vhost0,iface=$W2G_DIR/a.sock,queues=1,tso=1" \
			"net_vhost1,iface=$W2G_DIR/b.sock,queues=1,tso=1" -- --forward-mode=io || return 1
		W2G_SW_PID=${W2_TP_PID[fw]}
		w2_tp_cmd fw start
		;;
	*) return 1 ;;
	esac
}

# w2g_guests REP NAME - boot both guests, wait for gA's result, record the figures
w2g_guests() {
	local rep=$1 c=$2 pa pb rc rate unit mbps rtt
	: >"$W2G_DIR/gA.log"
	"$W2G_VM/_guest.sh" gB 10.0.0.2/24 52:54:00:00:0b:02 "vhost-user:$W2G_DIR/b.sock" \
		'iperf3 -s -1' "$W2G_DIR" &
	pb=$!
	bench_cleanup_push "bench_kill $pb"
	"$W2G_VM/_guest.sh" gA 10.0.0.1/24 52:54:00:00:0a:01 "vhost-user:$W2G_DIR/a.sock" \
		"gwait 10.0.0.2 120 && iping -c $W2G_PINGS -i 0.2 10.0.0.2 && giperf 10.0.0.2 -t $W2G_S" \
		"$W2G_DIR" &
	pa=$!
	bench_cleanup_push "bench_kill $pa"
	w2_wait "grep -q '^G-DONE' '$W2G_DIR/gA.log'" $((W2G_S + 300)) || {
		bench_warn "$(w2g_label "$c"): guest gA did not finish; console tail:"
		tr -d '\r' <"$W2G_DIR/gA.log" | tail -n 15 >&2
		return 1
	}
	rc=$(tr -d '\r' <"$W2G_DIR/gA.log" | sed -n 's/^G-DONE .* rc=\([0-9]*\).*/\1/p' | tail -n 1)
	[ "$rc" = 0 ] || {
		bench_warn "$(w2g_label "$c"): gA's command failed (rc=$rc); console tail:"
		tr -d '\r' <"$W2G_DIR/gA.log" | tail -n 15 >&2
		return 1
	}
	read -r rate unit < <(tr -d '\r' <"$W2G_DIR/gA.log" |
		awk '/sender$/ { print $(NF-3), $(NF-2) }' | tail -n 1)
	case $unit in
	Gbits/sec) mbps=$(awk -v r="$rate" 'BEGIN { printf "%.0f", r * 1000 }') ;;
	Mbits/sec) mbps=$(awk -v r="$rate" 'BEGIN { printf "%.0f", r }') ;;
	Kbits/sec) mbps=$(awk -v r="$rate" 'BEGIN { printf "%.3f", r / 1000 }') ;;
	*)
		bench_warn "$(w2g_label "$c"): no iperf3 result"
		return 1
		;;
	esac
	rtt=$(tr -d '\r' <"$W2G_DIR/gA.log" | sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p' |
		awk '{ printf "%.0f\n", $1 * 1000 }' | bench_median)
	w2g_out "$rep" "$c" tcp_mbps "$mbps"
	w2g_out "$rep" "$c" rtt_us "$rtt"
	if [ "$c" = vnet ]; then
		w2g_out "$rep" "$c" tso_frames \
			"$(w2g_vnetctl --json stats/show sw0 a | jq '.. | objects | select(.rx_gso != null) | .rx_gso' | head -n 1)"
	fi
	bench_wait_gone "$pb" 30 || bench_kill "$pb"
	bench_log "  $(w2g_label "$c"): ${mbps} Mbit/s, ping ${rtt} us"
}

w2g_report() {
	local raw=$1 c m
	declare -A MED
	for c in $W2G_CONTENDERS; do
		for m in tcp_mbps rtt_us tso_frames; do
			MED[$c.$m]=$(awk -F'\t' -v c="$c" -v k="$m" '$2 == c && $3 == k { print $4 }' \
				"$raw" | bench_median)
		done
	done
	{
		echo "W2G: TCP between two real guests (QEMU TCG, virtio-net over vhost-user), ${W2G_S}s iperf3, $W2G_PINGS pings"
		echo "medians of $BENCH_REPS interleaved repetitions; $(date -u '+%F %T UTC'); $NCPU CPUs; nothing pinned"
		echo
		printf '%-18s %10s %8s %s\n' contender TCP_Mbit/s RTT_us "Mbit/s per rep"
		for c in $W2G_CONTENDERS; do
			printf '%-18s %10s %8s %s\n' "$(w2g_label "$c")" "${MED[$c.tcp_mbps]}" "${MED[$c.rtt_us]}" \
				"$(awk -F'\t' -v c="$c" '$2 == c && $3 == "tcp_mbps" { printf "%s%s", s, $4; s = "," }' "$raw")"
		done
		[ -n "${MED[vnet.tso_frames]:-}" ] &&
			echo "vnet: ${MED[vnet.tso_frames]} TSO super-frames from gA per run (median)"
		[[ " $W2G_CONTENDERS " == *" vnet "*" testpmd "* ]] &&
			echo "vnet / testpmd-fwd-tso TCP ratio $(bench_ratio "${MED[vnet.tcp_mbps]}" "${MED[testpmd.tcp_mbps]}")"
	} >"${raw%.tsv}.txt"
	{
		echo "W2G (two TCG guests on vhost-user, iperf3 TCP), medians of $BENCH_REPS interleaved repetitions, $(date -u '+%F'), $NCPU CPUs."
		echo
		echo "| contender | TCP Mbit/s | ping RTT us | Mbit/s per repetition |"
		echo "|---|---:|---:|---|"
		for c in $W2G_CONTENDERS; do
			printf '| %s | %s | %s | %s |\n' "$(w2g_label "$c")" "${MED[$c.tcp_mbps]}" "${MED[$c.rtt_us]}" \
				"$(awk -F'\t' -v c="$c" '$2 == c && $3 == "tcp_mbps" { printf "%s%s", s, $4; s = ", " }' "$raw")"
		done
		[[ " $W2G_CONTENDERS " == *" vnet "*" testpmd "* ]] &&
			printf '\n- vnet / testpmd-fwd-tso: %s\n' "$(bench_ratio "${MED[vnet.tcp_mbps]}" "${MED[testpmd.tcp_mbps]}")"
	} >"${raw%.tsv}.md"
	cat "${raw%.tsv}.txt"
}

w2g_main() {
	local rep c mark busy rc=0
	W2_ID=${W2_ID:-$(($$ % 10000))}
	W2G_DIR=$BENCH_TMP/w2g
	W2G_S=${W2G_S:-10}
	W2G_PINGS=${W2G_PINGS:-20}
	W2G_CONTENDERS=${W2G_CONTENDERS:-$W2G_ALL}
	NCPU=${NCPU:-$(nproc)}
	STAMP=${STAMP:-$(date +%Y%m%d-%H%M%S)}
	command -v "$TESTPMD" >/dev/null || W2G_CONTENDERS=${W2G_CONTENDERS/testpmd/}
	"$W2G_VM/build.sh" >/dev/null || {
		bench_warn "W2G: the test guest cannot be built (tests/vm/build.sh); skipped"
		return 1
	}
	W2G_RAW=$BENCH_RESULTS/w2g-$STAMP.tsv
	: >"$W2G_RAW"
	bench_log "W2G: contenders: $W2G_CONTENDERS; $BENCH_REPS reps; ${W2G_S}s iperf3"
	for ((rep = 1; rep <= BENCH_REPS; rep++)); do
		for c in $W2G_CONTENDERS; do
			busy=$(bench_wait_idle "$BENCH_IDLE_MAX" 4)
			[ "$busy" -gt "$BENCH_IDLE_MAX" ] &&
				bench_warn "host still ${busy}% busy before $c rep $rep (figures noisier)"
			bench_log "W2G rep $rep/$BENCH_REPS: $(w2g_label "$c") (host ${busy}% busy)"
			mark=$(bench_cleanup_mark)
			rm -rf "$W2G_DIR" && mkdir -p "$W2G_DIR"
			if w2g_setup "$c"; then
				w2g_guests "$rep" "$c" || rc=1
			else
				bench_warn "$(w2g_label "$c"): setup failed; no figures this rep"
				rc=1
			fi
			bench_cleanup_to "$mark"
		done
	done
	w2g_report "$W2G_RAW"
	cp "${W2G_RAW%.tsv}.txt" "$BENCH_RESULTS/latest-w2g.txt"
	cp "${W2G_RAW%.tsv}.md" "$BENCH_RESULTS/latest-w2g.md"
	bench_log "results: ${W2G_RAW%.tsv}.{tsv,txt,md}"
	return $rc
}

# Run directly: set up what bench/run.sh would, then W2G.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	# shellcheck source=bench/lib.sh
	. "$W2G_HERE/lib.sh"
	BUILD=${BUILD:-$(cd "$W2G_HERE/.." && pwd)/build}
	BENCH_REPS=${BENCH_REPS:-3}
	BENCH_IDLE_MAX=${BENCH_IDLE_MAX:-25}
	BENCH_RESULTS=${BENCH_RESULTS:-$W2G_HERE/results}
	[ "$(id -u)" = 0 ] || {
		echo "bench/w2g.sh: needs root (DPDK, vhost-user sockets)" >&2
		exit 1
	}
	mkdir -p "$BENCH_RESULTS"
	BENCH_TMP=$(mktemp -d /tmp/vnet-bench-w2g.XXXXXX)
	bench_cleanup_push "rm -rf $BENCH_TMP"
	trap 'bench_cleanup_to 0' EXIT
	trap 'bench_log "interrupted, cleaning up"; exit 130' INT TERM HUP
	w2g_main
fi
