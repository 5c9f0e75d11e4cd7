#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/run.sh - `make bench`: workload W1 with vnet and its peers side by side, or vnetd under callgrind.
#
# usage: BUILD=/abs/build bench/run.sh [WORKLOAD...]
#   WORKLOAD: w1 (default), callgrind, or wN for another bench/wN.sh that
#   defines wN_main (bench/w4.sh: VXLAN overlay). Without arguments the
#   workloads in BENCH_WORKLOADS [w1 w2 w2g w3 w4 w5 w6] run.
#
# W1 interleaves the contenders (A B C D E, A B C D E, ...) for BENCH_REPS
# repetitions, checks that the host is idle before each repetition, and
# prints the medians and the vnet/peer ratios. The raw figures, the table
# and a markdown version go to bench/results/ (gitignored).
#
# callgrind runs vnetd under valgrind --tool=callgrind, sends a fixed number
# of 64-byte packets at a rate it can follow, and reports the userspace
# instructions per forwarded packet: a figure that does not move with the
# noise of a shared machine.
#
# Environment (defaults in brackets):
#   BENCH_REPS [3]          repetitions
#   BENCH_CONTENDERS        subset of "bridge ovs ovs-tso vde vnet" [all available]
#   BENCH_TCP_S [10]        iperf3 duration
#   BENCH_UDP_S [5]         64-byte UDP blast duration
#   BENCH_IDLE_S [10]       idle CPU window
#   BENCH_PINGS [200]       pings at 10 ms intervals
#   BENCH_PIN [1]           pin the switch to the last CPU and the generator to CPU 0
#                           (the switch is unpinned while ping runs: cross-CPU wake-ups cost more)
#   BENCH_PIN_APPS [0]      also pin iperf3 and ping to the generator's CPU
#   BENCH_PKTGEN_MODE [mmsg] pktgen send path: mmsg (sendmmsg) or ring (PACKET_TX_RING)
#   BENCH_IDLE_MAX [25]     host busy % above which a repetition waits (up to ~10 s, then warns)
#   BENCH_CG_PACKETS [50000], BENCH_CG_RATE [2000]  callgrind mode: packets and rate
#   BENCH_RESULTS [bench/results]  where results go

set -u

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/lib.sh
. "$BENCH_DIR/lib.sh"
# shellcheck source=bench/w1.sh
. "$BENCH_DIR/w1.sh"

BUILD=${BUILD:-$(cd "$BENCH_DIR/.." && pwd)/build}
BENCH_REPS=${BENCH_REPS:-3}
BENCH_TCP_S=${BENCH_TCP_S:-10}
BENCH_UDP_S=${BENCH_UDP_S:-5}
BENCH_IDLE_S=${BENCH_IDLE_S:-10}
BENCH_PINGS=${BENCH_PINGS:-200}
BENCH_PIN=${BENCH_PIN:-1}
BENCH_PIN_APPS=${BENCH_PIN_APPS:-0}
BENCH_PKTGEN_MODE=${BENCH_PKTGEN_MODE:-mmsg}
BENCH_IDLE_MAX=${BENCH_IDLE_MAX:-25}
BENCH_CG_PACKETS=${BENCH_CG_PACKETS:-50000}
BENCH_CG_RATE=${BENCH_CG_RATE:-2000}
BENCH_RESULTS=${BENCH_RESULTS:-$BENCH_DIR/results}
MODES=${*:-${BENCH_WORKLOADS:-w1 w2 w2g w3 w4 w5 w6}}

bench_usage() {
	sed -n '3,/^$/p' "$0" | sed 's/^# \{0,1\}//'
}

for mode in $MODES; do
	case $mode in
	w1 | callgrind) ;;
	-h | --help)
		bench_usage
		exit 0
		;;
	w[0-9]*)
		[ -f "$BENCH_DIR/$mode.sh" ] || {
			echo "bench: no workload $mode ($BENCH_DIR/$mode.sh)" >&2
			exit 2
		}
		# shellcheck disable=SC1090 # another workload, e.g. bench/w4.sh
		. "$BENCH_DIR/$mode.sh"
		declare -F "${mode}_main" >/dev/null || {
			echo "bench: $BENCH_DIR/$mode.sh defines no ${mode}_main" >&2
			exit 2
		}
		;;
	*)
		bench_usage >&2
		exit 2
		;;
	esac
done

for v in BENCH_REPS BENCH_TCP_S BENCH_UDP_S BENCH_IDLE_S BENCH_PINGS BENCH_CG_PACKETS \
	BENCH_CG_RATE BENCH_IDLE_MAX; do
	case ${!v} in
	'' | *[!0-9]* | 0)
		echo "bench: $v must be a positive integer" >&2
		exit 2
		;;
	esac
done
[ "$(id -u)" = 0 ] || {
	echo "bench: needs root (namespaces, taps)" >&2
	exit 1
}
for t in ip iperf3 jq ping taskset awk; do
	command -v "$t" >/dev/null || {
		echo "bench: missing $t (apt-get install iproute2 iperf3 jq iputils-ping util-linux)" >&2
		exit 1
	}
done
[ -x "$BUILD/bench/pktgen" ] || {
	echo "bench: $BUILD/bench/pktgen not built (make tools)" >&2
	exit 1
}

# Pinning: the switch gets the last CPU, the generator (and optionally the apps) CPU 0.
NCPU=$(nproc)
SW_CPU='' GEN_CPU='' APP_CPU=''
if [ "$BENCH_PIN" = 1 ] && [ "$NCPU" -ge 2 ]; then
	SW_CPU=$((NCPU - 1))
	GEN_CPU=0
	[ "$BENCH_PIN_APPS" = 1 ] && APP_CPU=0
fi

W1_ID=$(($$ % 100000))
w1_names
BENCH_TMP=$(mktemp -d /tmp/vnet-bench.XXXXXX)
bench_cleanup_push "rm -rf $BENCH_TMP"
bench_cleanup_push w1_sweep
trap 'bench_cleanup_to 0' EXIT
trap 'bench_log "interrupted, cleaning up"; exit 130' INT TERM HUP

mkdir -p "$BENCH_RESULTS"
STAMP=$(date +%Y%m%d-%H%M%S)

pin_note() {
	if [ -n "$SW_CPU" ]; then
		printf 'switch process on CPU %s (unpinned for ping), pktgen on CPU %s' "$SW_CPU" "$GEN_CPU"
		[ -n "$APP_CPU" ] && printf ', iperf3/ping on CPU %s' "$APP_CPU"
		[ -z "$APP_CPU" ] && printf ', iperf3/ping unpinned'
	else
		printf 'no pinning'
	fi
}

# w1_targets - the issue's targets, from the medians in MED (w1_report's)
w1_targets() {
	w1_target "TCP >= 1.3x ovs-netdev-tso" "${MED[vnet.tcp_gbps]}" \
		"${MED[ovs-tso.tcp_gbps]:-n/a}" ge 1.3
	w1_target "TCP >= 0.7x linux-bridge" "${MED[vnet.tcp_gbps]}" \
		"${MED[bridge.tcp_gbps]:-n/a}" ge 0.7
	w1_target "64B pps >= 2x ovs-netdev" "${MED[vnet.udp_delivered_kpps]}" \
		"${MED[ovs.udp_delivered_kpps]:-n/a}" ge 2
	w1_target "64B pps >= 2x ovs-netdev-tso" "${MED[vnet.udp_delivered_kpps]}" \
		"${MED[ovs-tso.udp_delivered_kpps]:-n/a}" ge 2
	w1_target "RTT <= 1.5x linux-bridge" "${MED[vnet.rtt_med_us]}" \
		"${MED[bridge.rtt_med_us]:-n/a}" le 1.5
	w1_target "idle CPU < 1 %" "${MED[vnet.idle_cpu_pct]}" 1 lt 1
}

# w1_report RAW - medians, ratios, target checks; text on stdout, markdown to $1.md
w1_report() {
	local raw=$1 md=${1%.tsv}.md c m key med
	declare -A MED

	for c in $CONTENDERS; do
		for m in $W1_METRICS udp_tap_drops:x udp_at_socket:x tcp_retr:x ping_lost:x; do
			key=${m%%:*}
			med=$(awk -F'\t' -v c="$c" -v k="$key" '$2 == c && $3 == k { print $4 }' "$raw" |
				bench_median)
			MED[$c.$key]=$med
		done
	done

	{
		echo "W1: two namespaces, one tap port each (veth for the Linux bridge)"
		echo "medians of $BENCH_REPS repetitions, interleaved; $(date -u '+%F %T UTC'); $NCPU CPUs; $(pin_note)"
		echo "TCP: iperf3 ${BENCH_TCP_S}s; UDP64: pktgen ($BENCH_PKTGEN_MODE) ${BENCH_UDP_S}s at full speed, delivered = rx_packets of B's interface;"
		echo "RTT: $BENCH_PINGS pings at 10 ms; CPU ns/pkt: switch process CPU during the UDP run / delivered; idle: ${BENCH_IDLE_S}s"
		echo
		printf '%-15s' contender
		for m in $W1_METRICS; do
			printf ' %13s' "$(echo "${m#*:}" | cut -c1-13)"
		done
		echo
		for c in $CONTENDERS; do
			printf '%-15s' "$(w1_label "$c")"
			for m in $W1_METRICS; do
				printf ' %13s' "${MED[$c.${m%%:*}]}"
			done
			echo
		done
		if [[ " $CONTENDERS " == *" vnet "* ]]; then
			echo
			echo "vnet/peer ratios (medians)"
			printf '%-15s' peer
			for m in $W1_METRICS; do
				printf ' %13s' "$(echo "${m#*:}" | cut -c1-13)"
			done
			echo
			for c in $CONTENDERS; do
				[ "$c" = vnet ] && continue
				printf '%-15s' "$(w1_label "$c")"
				for m in $W1_METRICS; do
					key=${m%%:*}
					printf ' %13s' "$(bench_ratio "${MED[vnet.$key]}" "${MED[$c.$key]}")"
				done
				echo
			done
			echo
			echo "targets (issue 2)"
			w1_targets
		fi
		echo
		echo "best of $BENCH_REPS (the repetition least disturbed by other load: max TCP and pps, min RTT and CPU/pkt)"
		printf '%-15s %10s %10s %10s %10s %8s\n' contender "TCP_Gb/s" "UDP64_kpps" "RTT_med_us" "CPU_ns/pkt" "busy_%"
		for c in $CONTENDERS; do
			printf '%-15s %10s %10s %10s %10s %8s\n' "$(w1_label "$c")" \
				"$(w1_best "$raw" "$c" tcp_gbps max)" \
				"$(w1_best "$raw" "$c" udp_delivered_kpps max)" \
				"$(w1_best "$raw" "$c" rtt_med_us min)" \
				"$(w1_best "$raw" "$c" cpu_ns_per_pkt min)" \
				"$(awk -F'\t' -v c="$c" '$2 == c && $3 == "host_busy_pct" { printf "%s%s", s, $4; s = "," }' "$raw")"
		done
		echo
		echo "other medians: TCP retransmits / tap tx drops during UDP (A side) / UDP datagrams at B's socket / pings lost"
		for c in $CONTENDERS; do
			printf '  %-15s %s / %s / %s / %s\n' "$(w1_label "$c")" "${MED[$c.tcp_retr]}" \
				"${MED[$c.udp_tap_drops]}" "${MED[$c.udp_at_socket]}" "${MED[$c.ping_lost]}"
		done
	} >"${raw%.tsv}.txt"

	{
		echo "W1 (tap ports), medians of $BENCH_REPS interleaved repetitions, $(date -u '+%F'), $NCPU CPUs, $(pin_note)."
		echo
		printf '| contender |'
		for m in $W1_METRICS; do
			printf ' %s |' "$(echo "${m#*:}" | tr _ ' ')"
		done
		echo
		printf '|---|'
		for m in $W1_METRICS; do
			printf -- '---:|'
		done
		echo
		for c in $CONTENDERS; do
			printf '| %s |' "$(w1_label "$c")"
			for m in $W1_METRICS; do
				printf ' %s |' "${MED[$c.${m%%:*}]}"
			done
			echo
		done
		if [[ " $CONTENDERS " == *" vnet "* ]]; then
			echo
			printf '| vnet / peer |'
			for m in $W1_METRICS; do
				printf ' %s |' "$(echo "${m#*:}" | tr _ ' ')"
			done
			echo
			printf '|---|'
			for m in $W1_METRICS; do
				printf -- '---:|'
			done
			echo
			for c in $CONTENDERS; do
				[ "$c" = vnet ] && continue
				printf '| %s |' "$(w1_label "$c")"
				for m in $W1_METRICS; do
					key=${m%%:*}
					printf ' %s |' "$(bench_ratio "${MED[vnet.$key]}" "${MED[$c.$key]}")"
				done
				echo
			done
			echo
			echo "Targets (issue 2), on the medians:"
			echo
			echo '```'
			w1_targets
			echo '```'
		fi
		echo
		echo "Best of $BENCH_REPS (the repetition least disturbed by other load on the host):"
		echo
		echo "| contender | TCP Gbit/s | UDP64 delivered kpps | RTT median us | CPU ns/pkt | host busy % per rep |"
		echo "|---|---:|---:|---:|---:|---|"
		for c in $CONTENDERS; do
			printf '| %s | %s | %s | %s | %s | %s |\n' "$(w1_label "$c")" \
				"$(w1_best "$raw" "$c" tcp_gbps max)" \
				"$(w1_best "$raw" "$c" udp_delivered_kpps max)" \
				"$(w1_best "$raw" "$c" rtt_med_us min)" \
				"$(w1_best "$raw" "$c" cpu_ns_per_pkt min)" \
				"$(awk -F'\t' -v c="$c" '$2 == c && $3 == "host_busy_pct" { printf "%s%s", s, $4; s = ", " }' "$raw")"
		done
	} >"$md"
	cat "${raw%.tsv}.txt"
}

# w1_best RAW CONTENDER METRIC max|min - the best repetition's figure, or n/a
w1_best() {
	awk -F'\t' -v c="$2" -v k="$3" -v op="$4" '$2 == c && $3 == k && $4 ~ /^[0-9.]+$/ {
		if (!n++ || (op == "max" && $4 + 0 > b) || (op == "min" && $4 + 0 < b)) b = $4 + 0 }
		END { if (n) print b; else print "n/a" }' "$1"
}

# w1_target TEXT VNET PEER ge|le|lt FACTOR - one target line: ratio (or value for lt) and verdict
w1_target() {
	local text=$1 a=$2 b=$3 op=$4 f=$5 r
	if [ "$op" = lt ]; then
		r=$a
	else
		r=$(bench_ratio "$a" "$b")
	fi
	awk -v t="$text" -v r="$r" -v op="$op" -v f="$f" 'BEGIN {
		if (r == "n/a" || r == "") { printf "  %-32s n/a\n", t; exit }
		ok = (op == "ge") ? r >= f : (op == "le") ? r <= f : r < f
		printf "  %-32s %-8s %s\n", t, r, ok ? "PASS" : "MISS" }'
}

w1_main() {
	local rep c busy mark raw
	CONTENDERS=
	for c in ${BENCH_CONTENDERS:-$W1_ALL}; do
		if w1_available "$c"; then
			CONTENDERS="$CONTENDERS $c"
		else
			bench_warn "$(w1_label "$c") not available, skipped"
		fi
	done
	CONTENDERS=${CONTENDERS# }
	[ -n "$CONTENDERS" ] || {
		echo "bench: no contender available" >&2
		exit 1
	}
	raw="$BENCH_RESULTS/w1-$STAMP.tsv"
	W1_RAW=$raw
	: >"$raw"
	bench_log "W1: contenders: $CONTENDERS; $BENCH_REPS reps; $(pin_note)"
	for ((rep = 1; rep <= BENCH_REPS; rep++)); do
		for c in $CONTENDERS; do
			busy=$(bench_wait_idle "$BENCH_IDLE_MAX" 4)
			[ "$busy" -gt "$BENCH_IDLE_MAX" ] &&
				bench_warn "host still ${busy}% busy before $c rep $rep (other load: figures noisier)"
			w1_out "$rep" "$c" host_busy_pct "$busy"
			bench_log "rep $rep/$BENCH_REPS: $(w1_label "$c") (host ${busy}% busy)"
			mark=$(bench_cleanup_mark)
			if w1_setup "$c" && w1_warmup; then
				w1_measure "$rep" "$c"
				if [ -n "$W1_SW_PID" ] && ! kill -0 "$W1_SW_PID" 2>/dev/null; then
					bench_warn "$(w1_label "$c") died during the run"
				fi
			else
				bench_warn "$(w1_label "$c"): setup or first ping failed; no figures this rep"
			fi
			bench_cleanup_to "$mark"
		done
	done
	w1_report "$raw"
	cp "${raw%.tsv}.md" "$BENCH_RESULTS/latest-w1.md"
	cp "${raw%.tsv}.txt" "$BENCH_RESULTS/latest-w1.txt"
	bench_log "results: ${raw%.tsv}.{tsv,txt,md}"
}

# cg_main - vnetd under callgrind: userspace instructions per forwarded 64-byte packet
cg_main() {
	local d="$BENCH_TMP/vnet" mac rx0 rx1 out sent rx ir dump
	w1_available vnet || {
		echo "bench: $BUILD/vnetd not built" >&2
		exit 1
	}
	if ! command -v valgrind >/dev/null || ! command -v callgrind_control >/dev/null; then
		echo "bench: needs valgrind (apt-get install valgrind)" >&2
		exit 1
	fi
	bench_log "callgrind: vnetd under valgrind, $BENCH_CG_PACKETS packets at $BENCH_CG_RATE pps"
	if ! w1_setup_vnet callgrind || ! w1_warmup; then
		echo "bench: vnetd under callgrind did not come up" >&2
		exit 1
	fi
	mac=$(ip netns exec "$W1_NS_B" cat "/sys/class/net/$W1_IF_B/address")
	callgrind_control -z "$W1_SW_PID" >/dev/null || {
		echo "bench: callgrind_control -z failed" >&2
		exit 1
	}
	rx0=$(bench_nsif_stat "$W1_NS_B" "$W1_IF_B" rx_packets)
	out=$(ip netns exec "$W1_NS_A" "$BUILD/bench/pktgen" -i "$W1_IF_A" -d "$mac" \
		-s "$W1_IP_A" -D "$W1_IP_B" -p "$W1_UDP_PORT" -n "$BENCH_CG_PACKETS" \
		-r "$BENCH_CG_RATE" -b 32 -t $((BENCH_CG_PACKETS / BENCH_CG_RATE + 60)))
	sleep 2
	rx1=$(bench_nsif_stat "$W1_NS_B" "$W1_IF_B" rx_packets)
	callgrind_control -d "$W1_SW_PID" >/dev/null
	sleep 1
	# the dump callgrind_control -d asked for: callgrind.out.1 (callgrind.out is written at exit)
	dump="$d/callgrind.out.1"
	[ -s "$dump" ] || {
		echo "bench: no callgrind dump in $d" >&2
		exit 1
	}
	sent=$(echo "$out" | sed -n 's/.*sent=\([0-9]*\).*/\1/p')
	rx=$((rx1 - rx0))
	ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p; s/^totals: *\([0-9]*\).*/\1/p' "$dump" | head -n 1)
	{
		echo "callgrind: vnetd, $sent packets offered at $BENCH_CG_RATE pps, $rx delivered"
		echo "instructions (Ir) between zero and dump: $ir"
		awk -v i="$ir" -v r="$rx" 'BEGIN {
			if (r > 0 && i > 0) printf "userspace instructions per forwarded packet: %.0f\n", i / r }'
		echo
		echo "top functions (Ir; the first rows are main and its callers):"
		callgrind_annotate --auto=no --threshold=100 "$dump" 2>/dev/null |
			sed -n '/file:function/,$p' | sed -n '3,40p'
	} | tee "$BENCH_RESULTS/callgrind-$STAMP.txt"
	cp "$dump" "$BENCH_RESULTS/callgrind-$STAMP.out" 2>/dev/null
	bench_log "results: $BENCH_RESULTS/callgrind-$STAMP.{txt,out}"
}

for mode in $MODES; do
	case $mode in
	w1) w1_main ;;
	callgrind) cg_main ;;
	*) "${mode}_main" ;;
	esac
done
