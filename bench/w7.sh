#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/w7.sh - workload W7: what a live capture and a port mirror cost the
# traffic of ports they do not watch (issue 8: within 5 % of no attachment),
# and, for scale, what they cost when they watch the busy port itself.
#
#   ns A (W7_NS_A) pktgen ---> a --+                 +--> b ---> ns B (W7_NS_B) pktsink, rx counters
#                                  |  vnetd sw0      |
#   ns C (W7_NS_C) 10.196.1.3 ---> c --+             +--> m ---> ns M (W7_NS_M) mirror output
#
# Attachments, interleaved within every repetition (A B C..., A B C...):
#   none          nothing attached: the baseline
#   capture       vnetctl capture sw0 c (both directions) -w /dev/null   [unrelated to A->B]
#   mirror        mirror/add w7 ingress=c egress=c output=m              [unrelated to A->B]
#   capture-self  vnetctl capture sw0 a                                  [the busy port itself]
#   mirror-self   mirror/add w7 ingress=a output=m                       [the busy port itself]
#
# Two measurements of A->B 64-byte UDP (pktgen, one flow):
#   native     vnetd at full speed for BENCH_UDP_S: delivered kpps (rx_packets of
#              B) and vnetd's CPU ns per delivered packet. Noisy on a shared host.
#   callgrind  one vnetd under valgrind; per attachment, W7_CG_PACKETS sent
#              one at a time at W7_CG_RATE pps (slow enough that vnetd under
#              valgrind takes each in its own burst even on a busy host: the
#              worst case for per-burst costs, and a figure that does not move
#              with burst sizes) between callgrind_control -z and -d:
#              instructions per delivered packet of the forwarding path
#              (port_poll inclusive: tap receive, bridge_input with every tap
#              point, transmit), the stable figure; and of the whole process
#              (timers and the event loop included, which move with timing).
# The report gives medians and the ratio to "none"; the 5 % target applies to
# capture and mirror (ports they do not watch).
#
# Sourced by bench/run.sh (make bench / bench/run.sh w7), or run directly:
# BUILD=/abs/build bench/w7.sh. Results: $BENCH_RESULTS/w7-STAMP.{tsv,txt,md}
# and latest-w7.{txt,md}.
#
# Environment (defaults in brackets): BENCH_REPS [3], BENCH_UDP_S [5],
# BENCH_IDLE_MAX [25], W7_CG_PACKETS [5000], W7_CG_RATE [500],
# W7_MODES [native callgrind], W7_ATTACH [none capture mirror capture-self mirror-self].

W7_IP_A=10.196.1.1
W7_IP_B=10.196.1.2
W7_IP_C=10.196.1.3
W7_UDP_PORT=9

w7_names() {
	W7_NS_A="w7${W7_ID}a"
	W7_NS_B="w7${W7_ID}b"
	W7_NS_C="w7${W7_ID}c"
	W7_NS_M="w7${W7_ID}m"
	W7_IF_A="w7${W7_ID}ta"
	W7_IF_B="w7${W7_ID}tb"
	W7_IF_C="w7${W7_ID}tc"
	W7_IF_M="w7${W7_ID}tm"
}

w7_ctl() {
	"$BUILD/vnetctl" --socket "$W7_DIR/vnetd.sock" "$@"
}

w7_out() {
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$W7_RAW"
}

# w7_port NAME IF NS [IP] - a tap port, moved into NS, up (addressed when IP is given)
w7_port() {
	local n=20
	w7_ctl port/add sw0 "$1" type=tap ifname="$2" || return 1
	while [ $n -gt 0 ] && [ ! -e "/sys/class/net/$2" ]; do
		sleep 0.1
		n=$((n - 1))
	done
	ip link set "$2" netns "$3" && ip -n "$3" link set "$2" up || return 1
	[ -z "${4:-}" ] || ip -n "$3" addr add "$4/24" dev "$2" || return 1
	bench_wait_carrier "$3" "$2" 10
}

# w7_setup native|callgrind - namespaces, vnetd (under valgrind for callgrind), sw0 and its ports
w7_setup() {
	local wrap=() pin=() ns
	for ns in "$W7_NS_A" "$W7_NS_B" "$W7_NS_C" "$W7_NS_M"; do
		bench_ns_add "$ns" || return 1
	done
	W7_DIR="$BENCH_TMP/w7-$1"
	rm -rf "$W7_DIR" && mkdir -p "$W7_DIR/state" || return 1
	[ "$1" = callgrind ] && wrap=(valgrind --tool=callgrind "--callgrind-out-file=$W7_DIR/callgrind.out")
	[ -n "${SW_CPU:-}" ] && pin=(taskset -c "$SW_CPU")
	"${pin[@]}" "${wrap[@]}" "$BUILD/vnetd" --no-default --socket "$W7_DIR/vnetd.sock" \
		--state-dir "$W7_DIR/state" </dev/null >"$W7_DIR/vnetd.log" 2>&1 &
	W7_SW_PID=$!
	bench_cleanup_push "bench_kill $W7_SW_PID"
	bench_wait_path "$W7_DIR/vnetd.sock" 60 || {
		bench_warn "vnetd did not start: $(tail -n 5 "$W7_DIR/vnetd.log")"
		return 1
	}
	w7_ctl switch/add sw0 &&
		w7_port a "$W7_IF_A" "$W7_NS_A" "$W7_IP_A" &&
		w7_port b "$W7_IF_B" "$W7_NS_B" "$W7_IP_B" &&
		w7_port c "$W7_IF_C" "$W7_NS_C" "$W7_IP_C" &&
		w7_port m "$W7_IF_M" "$W7_NS_M" || return 1
	# B's MAC learned, so A->B is unicast and never reaches c or m
	ip netns exec "$W7_NS_A" ping -q -c 3 -i 0.2 -W 2 -w 20 "$W7_IP_B" >/dev/null 2>&1 &&
		ip netns exec "$W7_NS_C" ping -q -c 2 -i 0.2 -W 2 -w 20 "$W7_IP_B" >/dev/null 2>&1
}

# w7_attach NAME - attach one configuration; w7_detach undoes it
w7_attach() {
	local port
	case $1 in
	none) return 0 ;;
	capture | capture-self)
		port=c
		[ "$1" = capture-self ] && port=a
		"$BUILD/vnetctl" --socket "$W7_DIR/vnetd.sock" capture sw0 "$port" -w /dev/null \
			2>>"$W7_DIR/capture.log" &
		W7_CAP_PID=$!
		bench_cleanup_push "kill $W7_CAP_PID"
		local n=100
		while [ $n -gt 0 ]; do
			[ "$(w7_ctl --json capture/list sw0 |
				jq '[.captures[] | select(.state == "running")] | length')" = 1 ] && return 0
			sleep 0.2
			n=$((n - 1))
		done
		bench_warn "capture of $port did not start"
		return 1
		;;
	mirror) w7_ctl mirror/add sw0 w7 ingress=c egress=c output=m ;;
	mirror-self) w7_ctl mirror/add sw0 w7 ingress=a output=m ;;
	esac
}

w7_detach() {
	case $1 in
	capture | capture-self)
		kill -INT "$W7_CAP_PID" 2>/dev/null
		wait "$W7_CAP_PID" 2>/dev/null
		;;
	mirror | mirror-self) w7_ctl mirror/del sw0 w7 ;;
	esac
}

# w7_native REP NAME - A->B at full speed: delivered kpps and vnetd CPU ns per packet
w7_native() {
	local mac out secs rx0 rx1 c0 c1 rx sink
	mac=$(ip netns exec "$W7_NS_B" cat "/sys/class/net/$W7_IF_B/address")
	ip netns exec "$W7_NS_B" "$BUILD/bench/pktsink" -H -p "$W7_UDP_PORT" \
		-t $((BENCH_UDP_S + 10)) >/dev/null 2>&1 &
	sink=$!
	sleep 0.2
	rx0=$(bench_nsif_stat "$W7_NS_B" "$W7_IF_B" rx_packets)
	c0=$(bench_cpu_ns "$W7_SW_PID")
	out=$(ip netns exec "$W7_NS_A" "$BUILD/bench/pktgen" -i "$W7_IF_A" -d "$mac" \
		-s "$W7_IP_A" -D "$W7_IP_B" -p "$W7_UDP_PORT" -t "$BENCH_UDP_S")
	sleep 0.5
	c1=$(bench_cpu_ns "$W7_SW_PID")
	rx1=$(bench_nsif_stat "$W7_NS_B" "$W7_IF_B" rx_packets)
	kill "$sink" 2>/dev/null
	wait "$sink" 2>/dev/null
	secs=$(echo "$out" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')
	rx=$((rx1 - rx0))
	if [ -z "$secs" ] || [ "$rx" -le 0 ]; then
		bench_warn "$2: pktgen failed: $out"
		return
	fi
	w7_out "$1" "$2" kpps "$(awk -v n="$rx" -v s="$secs" 'BEGIN { printf "%.1f", n / s / 1e3 }')"
	w7_out "$1" "$2" cpu_ns_per_pkt "$(awk -v c=$((c1 - c0)) -v r="$rx" \
		'BEGIN { printf "%.0f", c / r }')"
}

# w7_callgrind REP NAME - instructions per delivered packet between two callgrind dumps
w7_callgrind() {
	local mac rx0 rx1 ir fwd dump
	mac=$(ip netns exec "$W7_NS_B" cat "/sys/class/net/$W7_IF_B/address")
	callgrind_control -z "$W7_SW_PID" >/dev/null 2>&1 || {
		bench_warn "callgrind_control -z failed"
		return
	}
	rx0=$(bench_nsif_stat "$W7_NS_B" "$W7_IF_B" rx_packets)
	ip netns exec "$W7_NS_A" "$BUILD/bench/pktgen" -i "$W7_IF_A" -d "$mac" -s "$W7_IP_A" \
		-D "$W7_IP_B" -p "$W7_UDP_PORT" -n "$W7_CG_PACKETS" -r "$W7_CG_RATE" -b 1 \
		-t $((W7_CG_PACKETS / W7_CG_RATE + 60)) >/dev/null
	sleep 2
	rx1=$(bench_nsif_stat "$W7_NS_B" "$W7_IF_B" rx_packets)
	callgrind_control -d "$W7_SW_PID" >/dev/null 2>&1
	sleep 1
	dump=$(ls -t "$W7_DIR"/callgrind.out.* 2>/dev/null | head -n 1)
	[ -s "$dump" ] || {
		bench_warn "no callgrind dump"
		return
	}
	ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p; s/^totals: *\([0-9]*\).*/\1/p' "$dump" | head -n 1)
	fwd=$(callgrind_annotate --inclusive=yes --auto=no --threshold=100 "$dump" 2>/dev/null |
		awk '/port\.c:port_poll \[/ { gsub(",", "", $1); print $1; exit }')
	mv "$dump" "$W7_DIR/cg-$2-$1.out"
	[ $((rx1 - rx0)) -gt 0 ] && [ -n "$ir" ] || return
	w7_out "$1" "$2" ir_per_pkt "$(awk -v i="$ir" -v r=$((rx1 - rx0)) 'BEGIN { printf "%.0f", i / r }')"
	[ -n "$fwd" ] && w7_out "$1" "$2" fwd_ir_per_pkt "$(awk -v i="$fwd" -v r=$((rx1 - rx0)) \
		'BEGIN { printf "%.0f", i / r }')"
	w7_out "$1" "$2" cg_delivered "$((rx1 - rx0))"
}

w7_report() {
	local raw=$1 txt=${1%.tsv}.txt md=${1%.tsv}.md a m
	declare -A MED
	for a in $W7_ATTACH; do
		for m in kpps cpu_ns_per_pkt fwd_ir_per_pkt ir_per_pkt; do
			MED[$a.$m]=$(awk -F'\t' -v a="$a" -v k="$m" '$2 == a && $3 == k { print $4 }' "$raw" |
				bench_median)
		done
	done
	{
		echo "W7: cost of a live capture and a port mirror; A->B 64-byte UDP, one flow, on vnetd sw0"
		echo "medians of $BENCH_REPS interleaved repetitions; $(date -u '+%F %T UTC'); $(nproc) CPUs;" \
			"host busy before the run: ${W7_BUSY}%"
		echo "native: pktgen ${BENCH_UDP_S}s full speed; callgrind: $W7_CG_PACKETS packets at $W7_CG_RATE pps"
		echo "capture/mirror watch port c (not on the A->B path); *-self watch port a (the busy port)"
		echo
		printf '%-13s %9s %6s %11s %6s %11s %6s %11s %6s\n' attachment kpps ratio cpu_ns/pkt ratio \
			fwd_Ir/pkt ratio all_Ir/pkt ratio
		for a in $W7_ATTACH; do
			printf '%-13s %9s %6s %11s %6s %11s %6s %11s %6s\n' "$a" "${MED[$a.kpps]}" \
				"$(bench_ratio "${MED[$a.kpps]}" "${MED[none.kpps]}")" \
				"${MED[$a.cpu_ns_per_pkt]}" \
				"$(bench_ratio "${MED[$a.cpu_ns_per_pkt]}" "${MED[none.cpu_ns_per_pkt]}")" \
				"${MED[$a.fwd_ir_per_pkt]}" \
				"$(bench_ratio "${MED[$a.fwd_ir_per_pkt]}" "${MED[none.fwd_ir_per_pkt]}")" \
				"${MED[$a.ir_per_pkt]}" \
				"$(bench_ratio "${MED[$a.ir_per_pkt]}" "${MED[none.ir_per_pkt]}")"
		done
		echo
		echo "fwd_Ir: forwarding path (port_poll inclusive); all_Ir: the whole vnetd, timers included"
		echo "target: capture and mirror leave unrelated ports within 5 % of none (fwd_Ir/pkt, the stable figure)"
		for a in capture mirror; do
			[[ " $W7_ATTACH " == *" $a "* ]] || continue
			awk -v x="${MED[$a.fwd_ir_per_pkt]}" -v b="${MED[none.fwd_ir_per_pkt]}" -v a="$a" 'BEGIN {
				if (x == "" || b == "" || x == "n/a" || b == "n/a" || b == 0) { print a ": no figure"; exit }
				d = 100 * (x - b) / b
				printf "%s: %+.1f %% Ir/pkt -> %s\n", a, d, (d <= 5) ? "met" : "NOT met" }'
		done
	} >"$txt"
	{
		echo '```'
		cat "$txt"
		echo '```'
	} >"$md"
	cat "$txt"
}

w7_main() {
	local rep a mode mark busy
	W7_ID=${W7_ID:-$(($$ % 10000))}
	w7_names
	W7_MODES=${W7_MODES:-native callgrind}
	W7_ATTACH=${W7_ATTACH:-none capture mirror capture-self mirror-self}
	W7_CG_PACKETS=${W7_CG_PACKETS:-5000}
	W7_CG_RATE=${W7_CG_RATE:-500}
	if [[ " $W7_MODES " == *" callgrind "* ]] && ! command -v callgrind_control >/dev/null; then
		bench_warn "valgrind not installed: callgrind mode skipped"
		W7_MODES=${W7_MODES//callgrind/}
	fi
	W7_RAW="$BENCH_RESULTS/w7-$(date +%Y%m%d-%H%M%S).tsv"
	: >"$W7_RAW"
	W7_BUSY=$(bench_wait_idle "$BENCH_IDLE_MAX" 15)
	bench_log "W7: modes: $W7_MODES; attachments: $W7_ATTACH; $BENCH_REPS reps (host ${W7_BUSY}% busy)"
	for mode in $W7_MODES; do
		mark=$(bench_cleanup_mark)
		if ! w7_setup "$mode"; then
			bench_warn "W7 $mode: setup failed"
			bench_cleanup_to "$mark"
			continue
		fi
		for ((rep = 1; rep <= BENCH_REPS; rep++)); do
			for a in $W7_ATTACH; do
				busy=$(bench_wait_idle "$BENCH_IDLE_MAX" 10)
				bench_log "W7 $mode rep $rep/$BENCH_REPS: $a (host ${busy}% busy)"
				w7_attach "$a" || continue
				"w7_$mode" "$rep" "$a"
				w7_detach "$a"
			done
		done
		[ -n "${W7_KEEP:-}" ] && cp "$W7_DIR"/cg-*.out "$W7_KEEP"/ 2>/dev/null
		bench_cleanup_to "$mark"
	done
	w7_report "$W7_RAW"
	cp "${W7_RAW%.tsv}.txt" "$BENCH_RESULTS/latest-w7.txt"
	cp "${W7_RAW%.tsv}.md" "$BENCH_RESULTS/latest-w7.md"
	bench_log "results: ${W7_RAW%.tsv}.{tsv,txt,md}"
}

# Run directly: set up what bench/run.sh would, then W7.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	W7_SELF=$(cd "$(dirname "$0")" && pwd)
	# shellcheck source=bench/lib.sh
	. "$W7_SELF/lib.sh"
	BUILD=${BUILD:-$(cd "$W7_SELF/.." && pwd)/build}
	BENCH_REPS=${BENCH_REPS:-3}
	BENCH_UDP_S=${BENCH_UDP_S:-5}
	BENCH_IDLE_MAX=${BENCH_IDLE_MAX:-25}
	BENCH_RESULTS=${BENCH_RESULTS:-$W7_SELF/results}
	SW_CPU=${SW_CPU:-}
	[ "$(id -u)" = 0 ] || {
		echo "bench/w7.sh: needs root (namespaces)" >&2
		exit 1
	}
	for t in ip jq awk; do
		command -v "$t" >/dev/null || {
			echo "bench/w7.sh: missing $t" >&2
			exit 1
		}
	done
	[ -x "$BUILD/bench/pktgen" ] && [ -x "$BUILD/bench/pktsink" ] || {
		echo "bench/w7.sh: $BUILD/bench/pktgen, pktsink not built (make tools)" >&2
		exit 1
	}
	mkdir -p "$BENCH_RESULTS"
	BENCH_TMP=$(mktemp -d /tmp/vnet-bench-w7.XXXXXX)
	bench_cleanup_push "rm -rf $BENCH_TMP"
	trap 'bench_cleanup_to 0' EXIT
	trap 'bench_log "interrupted, cleaning up"; exit 130' INT TERM HUP
	w7_main
fi
