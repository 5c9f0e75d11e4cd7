#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/w5.sh - workload W5: bridged mode. A LAN host and a VM talk through an uplink on the
# host's "NIC" (a veth), in the same run for every contender:
#
#   vnet-afxdp     vnetd, uplink backend=afxdp (XDP mode reported: native or generic)
#   vnet-afpacket  vnetd, uplink backend=afpacket (TPACKET_V3 ring, sendmmsg)
#   bridge         the Linux bridge with the NIC and the VM's veth enslaved
#   ovs            Open vSwitch userspace (netdev datapath, userspace-tso-enable=true),
#                  the NIC as a system port (AF_PACKET), the VM on a tap port
#
#   ns L (LAN host) 10.198.5.1          ns H (host: the switch)        ns V (VM) 10.198.5.2
#   W5_WIRE ======== veth ======== W5_NIC --[ contender ]-- tap (veth for the bridge)
#
# Per repetition and contender (interleaved, after waiting for an idle host): iperf3 TCP
# VM -> LAN and LAN -> VM for BENCH_TCP_S each; 64-byte UDP from the LAN host at full speed
# for BENCH_UDP_S (bench/tools/pktgen, switch pinned to the last CPU, generator to CPU 0),
# counted as the frames the VM's interface received; BENCH_PINGS pings VM -> LAN (median RTT).
#
# Use: "bench/run.sh w5" (calls w5_main), or directly: BUILD=/abs/build bench/w5.sh.
# Results: $BENCH_RESULTS/w5-STAMP.{tsv,txt,md}, latest-w5.{txt,md}.
# Environment [defaults]: BENCH_REPS [3], BENCH_TCP_S [10], BENCH_UDP_S [5], BENCH_PINGS [200],
# W5_CONTENDERS [vnet-afxdp vnet-afpacket bridge ovs].

W5_ALL="vnet-afxdp vnet-afpacket bridge ovs"
W5_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
W5_IP_L=10.198.5.1
W5_IP_V=10.198.5.2
W5_UDP_PORT=9

w5_out() {
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$W5_RAW"
}

w5_pinned() {
	local cpu=$1
	shift
	if [ -n "$cpu" ]; then
		taskset -c "$cpu" "$@"
	else
		"$@"
	fi
}

w5_vnetctl() {
	"$BUILD/vnetctl" --socket "$W5_DIR/vnetd.sock" "$@"
}

# w5_rig - namespaces L, H, V and the veth NIC; nothing in the root namespace
w5_rig() {
	bench_ns_add "$W5_NS_L" && bench_ns_add "$W5_NS_H" && bench_ns_add "$W5_NS_V" || return 1
	ip link add "$W5_WIRE" netns "$W5_NS_L" type veth peer name "$W5_NIC" netns "$W5_NS_H" ||
		return 1
	ip -n "$W5_NS_L" addr add "$W5_IP_L/24" dev "$W5_WIRE" &&
		ip -n "$W5_NS_L" link set "$W5_WIRE" up &&
		ip -n "$W5_NS_H" link set "$W5_NIC" up
}

# w5_vm_up IF - address the VM's interface (already in V) and bring it up
w5_vm_up() {
	ip -n "$W5_NS_V" addr add "$W5_IP_V/24" dev "$1" && ip -n "$W5_NS_V" link set "$1" up &&
		bench_wait_carrier "$W5_NS_V" "$1" 10
}

# w5_take_tap IF - move a tap the switch created in H into V
w5_take_tap() {
	local n=100
	while [ $n -gt 0 ] && ! ip netns exec "$W5_NS_H" test -e "/sys/class/net/$1"; do
		sleep 0.1
		n=$((n - 1))
	done
	ip -n "$W5_NS_H" link set "$1" netns "$W5_NS_V"
}

w5_setup_vnet() {
	local backend=$1 pin=()
	w5_rig || return 1
	mkdir -p "$W5_DIR/state" || return 1
	[ -n "$SW_CPU" ] && pin=(taskset -c "$SW_CPU")
	"${pin[@]}" ip netns exec "$W5_NS_H" "$BUILD/vnetd" --no-default --socket "$W5_DIR/vnetd.sock" \
		--state-dir "$W5_DIR/state" --log-level warn </dev/null >"$W5_DIR/vnetd.log" 2>&1 &
	W5_SW_PID=$!
	bench_cleanup_push "bench_kill $W5_SW_PID"
	bench_wait_path "$W5_DIR/vnetd.sock" 20 || return 1
	w5_vnetctl switch/add sw0 >/dev/null &&
		w5_vnetctl port/add sw0 up0 type=uplink ifname="$W5_NIC" backend="$backend" >/dev/null &&
		w5_vnetctl port/add sw0 vm type=tap ifname="$W5_VMIF" >/dev/null || return 1
	w5_take_tap "$W5_VMIF" && w5_vm_up "$W5_VMIF" || return 1
	W5_NOTE=$(w5_vnetctl --json port/list sw0 |
		jq -r '.[] | select(.name == "up0") | .info | "backend=\(.backend) xdp_mode=\(.xdp_mode // "-")"')
}

w5_setup_bridge() {
	w5_rig || return 1
	W5_SW_PID=
	ip -n "$W5_NS_H" link add br0 type bridge stp_state 0 forward_delay 0 &&
		ip link add "$W5_VMIF" netns "$W5_NS_V" type veth peer name vmp netns "$W5_NS_H" &&
		ip -n "$W5_NS_H" link set "$W5_NIC" master br0 &&
		ip -n "$W5_NS_H" link set vmp master br0 up &&
		ip -n "$W5_NS_H" link set br0 up || return 1
	w5_vm_up "$W5_VMIF"
	W5_NOTE="veth enslaved"
}

w5_setup_ovs() {
	local d="$W5_DIR/ovs" br=w5br pid inh=(ip netns exec "$W5_NS_H")
	local env=(env "OVS_RUNDIR=$d" "OVS_LOGDIR=$d" "OVS_DBDIR=$d" "OVS_SYSCONFDIR=$d")
	local vsctl="${env[*]} ovs-vsctl --db=unix:$d/db.sock --timeout=10"
	w5_rig || return 1
	mkdir -p "$d" || return 1
	ovsdb-tool create "$d/conf.db" /usr/share/openvswitch/vswitch.ovsschema || return 1
	"${env[@]}" ovsdb-server "$d/conf.db" --remote="punix:$d/db.sock" \
		--pidfile="$d/ovsdb-server.pid" --unixctl="$d/ovsdb-server.ctl" \
		--log-file="$d/ovsdb-server.log" --detach --no-chdir 2>>"$d/console.log" || return 1
	pid=$(cat "$d/ovsdb-server.pid")
	bench_cleanup_push "bench_kill $pid"
	$vsctl --no-wait init &&
		$vsctl --no-wait set Open_vSwitch . other_config:userspace-tso-enable=true || return 1
	w5_pinned "$SW_CPU" "${inh[@]}" "${env[@]}" ovs-vswitchd "unix:$d/db.sock" \
		--pidfile="$d/ovs-vswitchd.pid" --unixctl="$d/ovs-vswitchd.ctl" \
		--log-file="$d/ovs-vswitchd.log" --detach --no-chdir 2>>"$d/console.log" || return 1
	W5_SW_PID=$(cat "$d/ovs-vswitchd.pid")
	bench_cleanup_push "bench_kill $W5_SW_PID"
	bench_cleanup_push "${env[*]} ovs-appctl -t $d/ovs-vswitchd.ctl exit --cleanup"
	bench_cleanup_push "$vsctl --if-exists del-br $br"
	$vsctl add-br "$br" -- set bridge "$br" datapath_type=netdev &&
		$vsctl add-port "$br" "$W5_NIC" &&
		$vsctl add-port "$br" "$W5_VMIF" -- set interface "$W5_VMIF" type=tap || return 1
	w5_take_tap "$W5_VMIF" && w5_vm_up "$W5_VMIF" || return 1
	W5_NOTE="system port (AF_PACKET), userspace TSO"
}

w5_setup() {
	W5_SW_PID=
	W5_NOTE=
	case $1 in
	vnet-afxdp) w5_setup_vnet afxdp ;;
	vnet-afpacket) w5_setup_vnet afpacket ;;
	bridge) w5_setup_bridge ;;
	ovs) w5_setup_ovs ;;
	*) return 1 ;;
	esac
}

w5_warmup() {
	ip netns exec "$W5_NS_V" ping -q -c 3 -i 0.2 -W 1 -w 10 "$W5_IP_L" >/dev/null 2>&1 ||
		ip netns exec "$W5_NS_V" ping -q -c 3 -i 0.5 -W 2 -w 15 "$W5_IP_L" >/dev/null 2>&1
}

# w5_tcp REP NAME METRIC CLIENT_NS SERVER_NS SERVER_IP
w5_tcp() {
	local json gbps spid n=0
	timeout $((BENCH_TCP_S + 30)) ip netns exec "$5" iperf3 -s -1 -B "$6" >/dev/null 2>&1 &
	spid=$!
	while [ $n -lt 50 ] && ! ip netns exec "$5" ss -ltn 2>/dev/null | grep -q ':5201 '; do
		sleep 0.1
		n=$((n + 1))
	done
	json=$(timeout $((BENCH_TCP_S + 20)) ip netns exec "$4" iperf3 -c "$6" -t "$BENCH_TCP_S" -J 2>/dev/null)
	gbps=$(echo "$json" | jq -r '.end.sum_received.bits_per_second // empty' 2>/dev/null)
	kill "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	if [ -z "$gbps" ]; then
		bench_warn "$2: iperf3 ($3) failed"
		gbps=n/a
	else
		gbps=$(awk -v b="$gbps" 'BEGIN { printf "%.3f", b / 1e9 }')
	fi
	w5_out "$1" "$2" "$3" "$gbps"
}

# w5_pps REP NAME - 64-byte UDP from the LAN host to the VM at full speed
w5_pps() {
	local mac out secs rx0 rx1 off0 off1 sink rx
	mac=$(ip netns exec "$W5_NS_V" cat "/sys/class/net/$W5_VMIF/address")
	ip netns exec "$W5_NS_V" "$BUILD/bench/pktsink" -H -p "$W5_UDP_PORT" \
		-t $((BENCH_UDP_S + 10)) >/dev/null 2>&1 &
	sink=$!
	sleep 0.2
	rx0=$(bench_nsif_stat "$W5_NS_V" "$W5_VMIF" rx_packets)
	off0=$(bench_nsif_stat "$W5_NS_L" "$W5_WIRE" tx_packets)
	out=$(w5_pinned "$GEN_CPU" ip netns exec "$W5_NS_L" "$BUILD/bench/pktgen" -i "$W5_WIRE" \
		-d "$mac" -s "$W5_IP_L" -D "$W5_IP_V" -p "$W5_UDP_PORT" -t "$BENCH_UDP_S" -m mmsg)
	sleep 0.5
	rx1=$(bench_nsif_stat "$W5_NS_V" "$W5_VMIF" rx_packets)
	off1=$(bench_nsif_stat "$W5_NS_L" "$W5_WIRE" tx_packets)
	kill "$sink" 2>/dev/null
	wait "$sink" 2>/dev/null
	secs=$(echo "$out" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')
	rx=$((rx1 - rx0))
	if [ -z "$secs" ]; then
		bench_warn "$2: pktgen failed: $out"
		w5_out "$1" "$2" pps_kpps n/a
		w5_out "$1" "$2" offered_kpps n/a
		return
	fi
	w5_out "$1" "$2" pps_kpps "$(awk -v n="$rx" -v s="$secs" 'BEGIN { printf "%.1f", n / s / 1e3 }')"
	w5_out "$1" "$2" offered_kpps "$(awk -v n=$((off1 - off0)) -v s="$secs" \
		'BEGIN { printf "%.1f", n / s / 1e3 }')"
}

w5_ping() {
	local out
	out=$(ip netns exec "$W5_NS_V" ping -n -c "$BENCH_PINGS" -i 0.01 -W 1 \
		-w $((BENCH_PINGS / 50 + 10)) "$W5_IP_L" 2>/dev/null | sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p')
	w5_out "$1" "$2" rtt_med_us "$(echo "$out" | awk '{ print $1 * 1000 }' | bench_median)"
}

w5_measure() {
	w5_ping "$1" "$2"
	w5_tcp "$1" "$2" tcp_v2l_gbps "$W5_NS_V" "$W5_NS_L" "$W5_IP_L"
	w5_tcp "$1" "$2" tcp_l2v_gbps "$W5_NS_L" "$W5_NS_V" "$W5_IP_V"
	w5_pps "$1" "$2"
}

w5_med() {
	awk -F'\t' -v c="$2" -v k="$3" '$2 == c && $3 == k { print $4 }' "$1" | bench_median
}

w5_report() {
	local raw=$1 c v k
	{
		echo "W5: bridged mode, LAN host <-> VM through an uplink on a veth NIC; ${BENCH_TCP_S}s iperf3 each way, ${BENCH_UDP_S}s 64-byte UDP LAN -> VM"
		echo "medians of $BENCH_REPS interleaved repetitions; $(date -u '+%F %T UTC'); $NCPU CPUs; switch on CPU ${SW_CPU:-any}, generator on CPU ${GEN_CPU:-any}"
		echo
		printf '%-14s %10s %10s %10s %12s %8s  %s\n' contender TCPv2l_Gb TCPl2v_Gb pps_kpps offered_kpps RTT_us note
		for c in $W5_CONTENDERS; do
			printf '%-14s %10s %10s %10s %12s %8s  %s\n' "$c" "$(w5_med "$raw" "$c" tcp_v2l_gbps)" \
				"$(w5_med "$raw" "$c" tcp_l2v_gbps)" "$(w5_med "$raw" "$c" pps_kpps)" \
				"$(w5_med "$raw" "$c" offered_kpps)" "$(w5_med "$raw" "$c" rtt_med_us)" \
				"$(awk -F'\t' -v c="$c" '$2 == c && $3 == "note" { n = $4 } END { print n }' "$raw")"
		done
		echo
		for v in vnet-afxdp vnet-afpacket; do
			[[ " $W5_CONTENDERS " == *" $v "* ]] || continue
			[[ " $W5_CONTENDERS " == *" ovs "* ]] &&
				echo "$v / ovs 64-byte pps: $(bench_ratio "$(w5_med "$raw" "$v" pps_kpps)" "$(w5_med "$raw" ovs pps_kpps)") (target >= 1.5)"
			if [[ " $W5_CONTENDERS " == *" bridge "* ]]; then
				for k in tcp_v2l_gbps tcp_l2v_gbps; do
					echo "$v / bridge $k: $(bench_ratio "$(w5_med "$raw" "$v" "$k")" "$(w5_med "$raw" bridge "$k")") (target >= 0.7)"
				done
			fi
		done
	} >"${raw%.tsv}.txt"
	{
		echo "W5 (bridged mode: LAN host <-> VM through an uplink on a veth), medians of $BENCH_REPS interleaved repetitions, $(date -u '+%F'), $NCPU CPUs."
		echo
		echo "| contender | TCP VM->LAN Gbit/s | TCP LAN->VM Gbit/s | 64B LAN->VM kpps | RTT us | note |"
		echo "|---|---:|---:|---:|---:|---|"
		for c in $W5_CONTENDERS; do
			printf '| %s | %s | %s | %s | %s | %s |\n' "$c" "$(w5_med "$raw" "$c" tcp_v2l_gbps)" \
				"$(w5_med "$raw" "$c" tcp_l2v_gbps)" "$(w5_med "$raw" "$c" pps_kpps)" \
				"$(w5_med "$raw" "$c" rtt_med_us)" \
				"$(awk -F'\t' -v c="$c" '$2 == c && $3 == "note" { n = $4 } END { print n }' "$raw")"
		done
		echo
		sed -n 's/^\(vnet-.*\)$/- \1/p' "${raw%.tsv}.txt"
	} >"${raw%.tsv}.md"
	cat "${raw%.tsv}.txt"
}

w5_main() {
	local rep c mark busy rc=0 id
	id=$(printf '%x' $$)
	W5_NS_L="vb${id}l" W5_NS_H="vb${id}h" W5_NS_V="vb${id}v"
	W5_WIRE="vb${id}w" W5_NIC="vb${id}n" W5_VMIF="vb${id}vm"
	W5_DIR=$BENCH_TMP/w5
	W5_CONTENDERS=${W5_CONTENDERS:-$W5_ALL}
	NCPU=${NCPU:-$(nproc)}
	STAMP=${STAMP:-$(date +%Y%m%d-%H%M%S)}
	if [ -z "${SW_CPU+x}" ]; then
		SW_CPU='' GEN_CPU=''
		[ "$NCPU" -ge 2 ] && SW_CPU=$((NCPU - 1)) GEN_CPU=0
	fi
	command -v ovs-vswitchd >/dev/null || {
		bench_warn "W5: Open vSwitch not installed: ovs left out"
		W5_CONTENDERS=${W5_CONTENDERS/ovs/}
	}
	W5_RAW=$BENCH_RESULTS/w5-$STAMP.tsv
	: >"$W5_RAW"
	bench_log "W5: contenders: $W5_CONTENDERS; $BENCH_REPS reps"
	for ((rep = 1; rep <= BENCH_REPS; rep++)); do
		for c in $W5_CONTENDERS; do
			busy=$(bench_wait_idle "$BENCH_IDLE_MAX" 4)
			[ "$busy" -gt "$BENCH_IDLE_MAX" ] &&
				bench_warn "host still ${busy}% busy before $c rep $rep (figures noisier)"
			bench_log "W5 rep $rep/$BENCH_REPS: $c (host ${busy}% busy)"
			w5_out "$rep" "$c" host_busy_pct "$busy"
			mark=$(bench_cleanup_mark)
			rm -rf "$W5_DIR" && mkdir -p "$W5_DIR"
			if w5_setup "$c" && w5_warmup; then
				w5_out "$rep" "$c" note "$W5_NOTE"
				w5_measure "$rep" "$c"
			else
				bench_warn "$c: setup failed; no figures this rep"
				rc=1
			fi
			bench_cleanup_to "$mark"
		done
	done
	w5_report "$W5_RAW"
	cp "${W5_RAW%.tsv}.txt" "$BENCH_RESULTS/latest-w5.txt"
	cp "${W5_RAW%.tsv}.md" "$BENCH_RESULTS/latest-w5.md"
	bench_log "results: ${W5_RAW%.tsv}.{tsv,txt,md}"
	return $rc
}

# Run directly: set up what bench/run.sh would, then W5.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	# shellcheck source=bench/lib.sh
	. "$W5_HERE/lib.sh"
	BUILD=${BUILD:-$(cd "$W5_HERE/.." && pwd)/build}
	BENCH_REPS=${BENCH_REPS:-3}
	BENCH_TCP_S=${BENCH_TCP_S:-10}
	BENCH_UDP_S=${BENCH_UDP_S:-5}
	BENCH_PINGS=${BENCH_PINGS:-200}
	BENCH_IDLE_MAX=${BENCH_IDLE_MAX:-25}
	BENCH_RESULTS=${BENCH_RESULTS:-$W5_HERE/results}
	mkdir -p "$BENCH_RESULTS"
	BENCH_TMP=$(mktemp -d /tmp/vnet-bench-w5.XXXXXX)
	bench_cleanup_push "rm -rf $BENCH_TMP"
	trap 'bench_cleanup_to 0' EXIT
	trap 'bench_log "interrupted, cleaning up"; exit 130' INT TERM HUP
	w5_main
fi
