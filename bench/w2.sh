#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/w2.sh - workload W2: 64-byte frames looping between two DPDK
# virtio-user ports through the switch under test (vnet's vhost-user ports,
# OVS-DPDK's dpdkvhostuserclient ports, testpmd's own vhost forwarder).
#
#   front-end testpmd (CPU 0): --forward-mode=mac, "start tx_first N"
#     net_virtio_user0 (MAC ..:01) ---- v1.sock    v2.sock ---- net_virtio_user1 (MAC ..:02)
#                                   [ switch under test, CPU 1 ]
#
# testpmd sends N bursts on each port, then forwards whatever one port
# receives out of the other, so a fixed population of frames circulates
# and the rate is set by the slower of front-end and switch. In mac mode
# every frame leaving port 0 is addressed to port 1's MAC and vice versa,
# so a learning switch forwards known unicast (no flooding, no MAC moves).
# The figure is the front-end's received frames per second on both ports
# (each one crossed the switch once), from counter deltas over W2_S seconds.
#
# Contenders (interleaved, BENCH_REPS repetitions):
#   vnet      build/vnetd, switch sw0 with two vhost-user server ports
#   ovs-dpdk  ovs-vswitchd-dpdk, private DB, dpdk-init, netdev bridge (NORMAL
#             action), dpdkvhostuserclient ports (front-end vdevs get server=1)
#   testpmd   a second testpmd with two net_vhost vdevs in io mode: the
#             "ideal two-port forwarder" (no lookup, no learning)
# Each switch is pinned to the last CPU, the front-end to CPU 0. Idle CPU
# of the switch process is measured for W2_IDLE_S seconds with both
# front-end ports connected and no traffic.
#
# Callgrind (W2_CALLGRIND=1): vnetd under valgrind --tool=callgrind; the
# loop runs with one burst per port for W2_CG_S seconds; instructions
# between a zero and a dump, divided by the frames vnetd forwarded in that
# window (its tx_packets delta, counted with the loop stopped).
#
# Memory: every testpmd runs with --no-huge (memfd-backed, shareable with
# the vhost-user backend) and a unique --file-prefix; its
# /var/run/dpdk/<prefix> is removed at cleanup. OVS-DPDK always runs DPDK
# with --in-memory, which refuses --no-huge, so it gets W2_OVS_HUGE_MB of
# 2 MB hugepages (nr_hugepages raised if needed and restored after) and a
# private hugetlbfs mount.
#
# Use: sourced by bench/run.sh (after bench/lib.sh), which calls w2_main;
# or run directly: BUILD=/abs/build bench/w2.sh. Results go to
# $BENCH_RESULTS/w2-STAMP.{tsv,txt,md} and latest-w2.{txt,md}.
#
# Environment (defaults in brackets): BENCH_REPS [3], BENCH_IDLE_MAX [25],
# W2_CONTENDERS [vnet ovs-dpdk testpmd, those available], W2_S [10],
# W2_WARMUP_S [2], W2_IDLE_S [5], W2_BURSTS [8], W2_FWD_MODE [mac | io],
# W2_CALLGRIND [1], W2_CG_S [10], W2_OVS_HUGE_MB [1024], TESTPMD [dpdk-testpmd],
# OVS_DPDK [/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk].

W2_ALL="vnet ovs-dpdk testpmd"
W2_MAC0=02:00:00:00:02:01
W2_MAC1=02:00:00:00:02:02
TESTPMD=${TESTPMD:-dpdk-testpmd}
OVS_DPDK=${OVS_DPDK:-/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk}
declare -A W2_TP_PID=() W2_TP_FD=()

w2_label() {
	case $1 in
	vnet) echo "vnet" ;;
	ovs-dpdk) echo "ovs-dpdk" ;;
	testpmd) echo "testpmd-vhost-fwd" ;;
	*) echo "$1" ;;
	esac
}

# w2_out REP NAME METRIC VALUE - one raw result line
w2_out() {
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$W2_RAW"
}

# w2_available NAME - is a contender's software there?
w2_available() {
	case $1 in
	vnet) [ -x "$BUILD/vnetd" ] && [ -x "$BUILD/vnetctl" ] ;;
	ovs-dpdk) [ -x "$OVS_DPDK" ] && command -v ovsdb-server >/dev/null &&
		[ -f /usr/share/openvswitch/vswitch.ovsschema ] ;;
	testpmd) command -v "$TESTPMD" >/dev/null ;;
	*) return 1 ;;
	esac
}

# w2_wait CMD SECONDS - poll a shell condition every 0.1 s
w2_wait() {
	local n=$(($2 * 10))
	while [ "$n" -gt 0 ]; do
		eval "$1" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# w2_tp_start NAME CPUS VDEVS... -- APP_ARGS... - an interactive testpmd fed
# through a FIFO; console log $W2_DIR/tp-NAME.log; waits for its prompt
w2_tp_start() {
	local name=$1 cpus=$2 log fifo fd prefix pin=()
	local -a eal=() app=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		eal+=(--vdev "$1")
		shift
	done
	[ $# -gt 0 ] && shift
	app=("$@")
	log=$W2_DIR/tp-$name.log
	fifo=$W2_DIR/tp-$name.in
	prefix="w2${W2_ID}$name"
	rm -f "$fifo" && mkfifo "$fifo" || return 1
	: >"$log"
	# read-write open never blocks, and keeps a writer so testpmd's own open does not either
	exec {fd}<>"$fifo"
	W2_TP_FD[$name]=$fd
	bench_cleanup_push "rm -rf /var/run/dpdk/$prefix"
	[ -n "$cpus" ] && pin=(taskset -c "$cpus")
	# main lcore (the prompt) and forwarding lcore on the same CPU(s)
	"${pin[@]}" stdbuf -o0 "$TESTPMD" --no-pci --no-huge -m 512 --file-prefix="$prefix" \
		--lcores "0@(${cpus:-0-$((NCPU - 1))}),1@(${cpus:-0-$((NCPU - 1))})" "${eal[@]}" -- -i \
		--total-num-mbufs=16384 --nb-cores=1 "${app[@]}" <"$fifo" >"$log" 2>&1 &
	W2_TP_PID[$name]=$!
	bench_cleanup_push "w2_tp_stop $name"
	w2_wait "grep -q 'testpmd> ' '$log'" 60 || {
		bench_warn "testpmd $name did not start; log:"
		tail -n 20 "$log" >&2
		return 1
	}
}

# w2_tp_cmd NAME CMD - type a command at testpmd's prompt
w2_tp_cmd() {
	echo "$2" >&"${W2_TP_FD[$1]}"
}

# w2_tp_stop NAME - quit testpmd (kill it if it does not quit) and close its FIFO
w2_tp_stop() {
	local name=$1 pid=${W2_TP_PID[$1]:-}
	[ -n "$pid" ] || return 0
	w2_tp_cmd "$name" "stop" 2>/dev/null
	w2_tp_cmd "$name" "quit" 2>/dev/null
	bench_wait_gone "$pid" 10 || bench_kill "$pid"
	wait "$pid" 2>/dev/null
	[ -n "${W2_TP_FD[$name]:-}" ] && eval "exec ${W2_TP_FD[$name]}>&-"
	unset "W2_TP_FD[$name]"
	unset "W2_TP_PID[$name]"
}

# w2_tp_query NAME CMD PATTERN - run CMD, wait for a new output line matching
# PATTERN; prints the output that CMD produced
w2_tp_query() {
	local name=$1 cmd=$2 pat=$3 log n
	log=$W2_DIR/tp-$name.log
	n=$(wc -l <"$log")
	w2_tp_cmd "$name" "$cmd"
	w2_wait "tail -n +$((n + 1)) '$log' | grep -q '$pat'" 10 || return 1
	sleep 0.1
	tail -n +$((n + 1)) "$log"
}

# w2_tp_rx NAME - RX-packets of ports 0 and 1, summed
w2_tp_rx() {
	w2_tp_query "$1" "show port stats all" 'NIC statistics for port 1 ' |
		awk '/NIC statistics for port/ { p++ }
			p && /RX-packets:/ { s += $2 } END { if (p == 2) print s; else exit 1 }'
}

# w2_tp_links_up NAME SECONDS - wait until the front-end sees both links up
w2_tp_links_up() {
	local n=$(($2 * 2)) up
	while [ "$n" -gt 0 ]; do
		up=$(w2_tp_query "$1" "show port info all" 'Link status.*' |
			grep -c 'Link status: *up')
		[ "${up:-0}" -ge 2 ] && return 0
		sleep 0.5
		n=$((n - 1))
	done
	return 1
}

# w2_frontend VDEV_EXTRA - the front-end testpmd on CPU 0 with two virtio-user ports
w2_frontend() {
	local extra=$1 peers=()
	[ "$W2_FWD_MODE" = mac ] && peers=(--eth-peer="0,$W2_MAC1" --eth-peer="1,$W2_MAC0")
	w2_tp_start fe "$W2_FE_CPU" \
		"net_virtio_user0,path=$W2_DIR/v1.sock,queues=1,mac=$W2_MAC0$extra" \
		"net_virtio_user1,path=$W2_DIR/v2.sock,queues=1,mac=$W2_MAC1$extra" -- \
		--forward-mode="$W2_FWD_MODE" "${peers[@]}"
}

w2_vnetctl() {
	"$BUILD/vnetctl" --socket "$W2_DIR/vnetd.sock" "$@"
}

# w2_setup_vnet [callgrind] - vnetd with sw0 and two vhost-user server ports, then the front-end
w2_setup_vnet() {
	local wrap=() pin=()
	if [ "${1:-}" = callgrind ]; then
		wrap=(valgrind --tool=callgrind "--callgrind-out-file=$W2_DIR/callgrind.out")
	fi
	[ -n "$W2_SW_CPU" ] && pin=(taskset -c "$W2_SW_CPU")
	mkdir -p "$W2_DIR/state" || return 1
	# a simple command, so that $! is vnetd itself (taskset and valgrind exec it)
	"${pin[@]}" "${wrap[@]}" "$BUILD/vnetd" --no-default --socket "$W2_DIR/vnetd.sock" \
		--state-dir "$W2_DIR/state" </dev/null >"$W2_DIR/vnetd.log" 2>&1 &
	W2_SW_PID=$!
	bench_cleanup_push "bench_kill $W2_SW_PID"
	bench_wait_path "$W2_DIR/vnetd.sock" 60 || {
		bench_warn "vnetd did not create its socket; log:"
		tail -n 20 "$W2_DIR/vnetd.log" >&2
		return 1
	}
	w2_vnetctl switch/add sw0 >/dev/null &&
		w2_vnetctl port/add sw0 v1 type=vhost-user mode=server path="$W2_DIR/v1.sock" >/dev/null &&
		w2_vnetctl port/add sw0 v2 type=vhost-user mode=server path="$W2_DIR/v2.sock" >/dev/null ||
		return 1
	w2_frontend ""
}

# w2_vnet_tx - tx_packets of vnet's two ports, summed
w2_vnet_tx() {
	w2_vnetctl --json stats/show sw0 |
		jq -e '[.ports[] | select(.name == "v1" or .name == "v2") | .tx_packets] | add'
}

w2_ovs_vsctl() {
	ovs-vsctl --db="unix:$W2_DIR/db.sock" --timeout=30 "$@"
}

# w2_hugepages - a private hugetlbfs at $W2_DIR/huge and enough free 2 MB
# pages for OVS-DPDK; the mount, any page files and the page count are undone at cleanup
w2_hugepages() {
	local nr want free
	nr=$(cat /proc/sys/vm/nr_hugepages)
	free=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
	want=$((W2_OVS_HUGE_MB / 2))
	if [ "$free" -lt "$want" ]; then
		echo $((nr + want - free)) >/proc/sys/vm/nr_hugepages
		bench_cleanup_push "echo $nr >/proc/sys/vm/nr_hugepages"
		free=$(awk '/^HugePages_Free:/ { print $2 }' /proc/meminfo)
		[ "$free" -ge "$want" ] || {
			bench_warn "only $free free 2 MB hugepages, OVS-DPDK needs $want"
			return 1
		}
	fi
	mkdir -p "$W2_DIR/huge" && mount -t hugetlbfs -o pagesize=2M none "$W2_DIR/huge" || return 1
	bench_cleanup_push "umount $W2_DIR/huge"
	bench_cleanup_push "rm -f $W2_DIR/huge/*"
}

# w2_setup_ovs - a private OVS-DPDK whose client ports retry until the
# front-end (started last: its server-mode probe blocks until a client connects) listens
w2_setup_ovs() {
	local d=$W2_DIR pin=() mask
	ovsdb-tool create "$d/conf.db" /usr/share/openvswitch/vswitch.ovsschema || return 1
	OVS_RUNDIR=$d OVS_LOGDIR=$d OVS_DBDIR=$d ovsdb-server "$d/conf.db" \
		--remote="punix:$d/db.sock" --unixctl="$d/ovsdb.ctl" --pidfile="$d/ovsdb.pid" \
		--no-chdir --log-file="$d/ovsdb.log" </dev/null >/dev/null 2>&1 &
	W2_OVSDB_PID=$!
	bench_cleanup_push "bench_kill $W2_OVSDB_PID"
	bench_wait_path "$d/db.sock" 30 || return 1
	mask=$(printf '0x%x' $((1 << ${W2_SW_CPU:-0})))
	# OVS always adds --in-memory, which DPDK refuses with --no-huge: OVS-DPDK
	# needs real hugepages (W2_OVS_HUGE_MB of 2 MB pages, returned afterwards)
	w2_hugepages || return 1
	bench_cleanup_push "rm -rf /var/run/dpdk/w2${W2_ID}ovs"
	w2_ovs_vsctl --no-wait init &&
		w2_ovs_vsctl --no-wait set Open_vSwitch . other_config:dpdk-init=true \
			other_config:dpdk-extra="--no-pci --file-prefix w2${W2_ID}ovs" other_config:dpdk-hugepage-dir="$d/huge" \
			other_config:dpdk-socket-mem="$W2_OVS_HUGE_MB" \
			other_config:dpdk-socket-limit="$W2_OVS_HUGE_MB" \
			other_config:pmd-cpu-mask="$mask" other_config:dpdk-lcore-mask="$mask" ||
		return 1
	[ -n "$W2_SW_CPU" ] && pin=(taskset -c "$W2_SW_CPU")
	OVS_RUNDIR=$d OVS_LOGDIR=$d OVS_DBDIR=$d "${pin[@]}" "$OVS_DPDK" "unix:$d/db.sock" \
		--unixctl="$d/vswitchd.ctl" --pidfile="$d/vswitchd.pid" --no-chdir \
		--log-file="$d/vswitchd.log" </dev/null >/dev/null 2>&1 &
	W2_SW_PID=$!
	bench_cleanup_push "bench_kill $W2_SW_PID"
	bench_cleanup_push "ovs-appctl -t $d/vswitchd.ctl exit --cleanup"
	bench_cleanup_push "w2_ovs_vsctl --if-exists del-br br0"
	bench_wait_path "$d/vswitchd.ctl" 60 || {
		bench_warn "ovs-vswitchd-dpdk did not start; log:"
		tail -n 20 "$d/vswitchd.log" >&2
		return 1
	}
	w2_ovs_vsctl add-br br0 -- set bridge br0 datapath_type=netdev &&
		w2_ovs_vsctl add-port br0 v1 -- set Interface v1 type=dpdkvhostuserclient \
			options:vhost-server-path="$d/v1.sock" &&
		w2_ovs_vsctl add-port br0 v2 -- set Interface v2 type=dpdkvhostuserclient \
			options:vhost-server-path="$d/v2.sock" || {
		bench_warn "ovs-vsctl failed; vswitchd log:"
		tail -n 20 "$d/vswitchd.log" >&2
		return 1
	}
	w2_frontend ",server=1"
}

# w2_setup_testpmd - testpmd's vhost forwarder (two net_vhost servers, io mode), then the front-end
w2_setup_testpmd() {
	w2_tp_start fw "$W2_SW_CPU" "net_vhost0,iface=$W2_DIR/v1.sock,queues=1" \
		"net_vhost1,iface=$W2_DIR/v2.sock,queues=1" -- --forward-mode=io || return 1
	W2_SW_PID=${W2_TP_PID[fw]}
	w2_frontend "" || return 1
	w2_tp_cmd fw "start"
}

# w2_setup NAME - a switch and the front-end connected to it, both links up
w2_setup() {
	W2_SW_PID=
	rm -rf "$W2_DIR" && mkdir -p "$W2_DIR" || return 1
	bench_cleanup_push "rm -rf $W2_DIR"
	case $1 in
	vnet) w2_setup_vnet native ;;
	ovs-dpdk) w2_setup_ovs ;;
	testpmd) w2_setup_testpmd ;;
	*) return 1 ;;
	esac || return 1
	w2_tp_links_up fe 30 || {
		bench_warn "$(w2_label "$1"): front-end links not up"
		return 1
	}
}

# w2_measure REP NAME - idle CPU of the switch, then the loop rate
w2_measure() {
	local rep=$1 c=$2 c0 c1 t0 t1 r0 r1
	sleep 1
	c0=$(bench_cpu_ns "$W2_SW_PID")
	t0=$(date +%s%N)
	sleep "$W2_IDLE_S"
	c1=$(bench_cpu_ns "$W2_SW_PID")
	t1=$(date +%s%N)
	w2_out "$rep" "$c" idle_cpu_pct "$(awk -v c=$((c1 - c0)) -v t=$((t1 - t0)) \
		'BEGIN { printf "%.1f", 100 * c / t }')"

	w2_tp_cmd fe "start tx_first $W2_BURSTS"
	sleep "$W2_WARMUP_S"
	r0=$(w2_tp_rx fe) || return 1
	c0=$(bench_cpu_ns "$W2_SW_PID")
	t0=$(date +%s%N)
	sleep "$W2_S"
	r1=$(w2_tp_rx fe) || return 1
	c1=$(bench_cpu_ns "$W2_SW_PID")
	t1=$(date +%s%N)
	w2_tp_cmd fe "stop"
	w2_out "$rep" "$c" mpps "$(awk -v r=$((r1 - r0)) -v t=$((t1 - t0)) \
		'BEGIN { printf "%.3f", r * 1000 / t }')"
	w2_out "$rep" "$c" busy_cpu_pct "$(awk -v c=$((c1 - c0)) -v t=$((t1 - t0)) \
		'BEGIN { printf "%.0f", 100 * c / t }')"
	w2_out "$rep" "$c" cpu_ns_per_pkt "$(awk -v c=$((c1 - c0)) -v r=$((r1 - r0)) \
		'BEGIN { if (r > 0) printf "%.0f", c / r; else print "n/a" }')"
}

# w2_callgrind - vnetd under callgrind: instructions per forwarded frame
w2_callgrind() {
	local mark tx0 tx1 ir dump out=$BENCH_RESULTS/w2-callgrind-$STAMP
	command -v valgrind >/dev/null && command -v callgrind_control >/dev/null || {
		bench_warn "valgrind not installed: no callgrind figure"
		return 0
	}
	w2_available vnet || return 0
	bench_log "callgrind: vnetd under valgrind, 1 burst per port, ${W2_CG_S}s"
	mark=$(bench_cleanup_mark)
	W2_SW_PID=
	rm -rf "$W2_DIR" && mkdir -p "$W2_DIR" && bench_cleanup_push "rm -rf $W2_DIR"
	if ! w2_setup_vnet callgrind || ! w2_tp_links_up fe 60; then
		bench_warn "vnetd under callgrind did not come up"
		bench_cleanup_to "$mark"
		return 0
	fi
	sleep 1
	tx0=$(w2_vnet_tx) && callgrind_control -z "$W2_SW_PID" >/dev/null 2>&1 || {
		bench_warn "callgrind_control -z failed"
		bench_cleanup_to "$mark"
		return 0
	}
	w2_tp_cmd fe "start tx_first 1"
	sleep "$W2_CG_S"
	w2_tp_cmd fe "stop"
	sleep 2
	tx1=$(w2_vnet_tx)
	callgrind_control -d "$W2_SW_PID" >/dev/null 2>&1
	sleep 1
	dump="$W2_DIR/callgrind.out.1"
	ir=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p; s/^totals: *\([0-9]*\).*/\1/p' "$dump" 2>/dev/null |
		head -n 1)
	{
		echo "callgrind: vnetd forwarding the W2 loop (1 burst per port, ${W2_CG_S}s, $W2_FWD_MODE mode)"
		echo "frames forwarded (vnet tx_packets delta): $((tx1 - tx0))"
		echo "instructions (Ir) between zero and dump: ${ir:-n/a}"
		awk -v i="${ir:-0}" -v r=$((tx1 - tx0)) 'BEGIN {
			if (r > 0 && i > 0) printf "userspace instructions per forwarded frame: %.0f\n", i / r }'
		echo
		echo "top functions (Ir):"
		callgrind_annotate --auto=no --threshold=100 "$dump" 2>/dev/null |
			sed -n '/file:function/,$p' | sed -n '3,30p'
	} >"$out.txt"
	cp "$dump" "$out.out" 2>/dev/null
	W2_CG_IR_PER_PKT=$(awk -v i="${ir:-0}" -v r=$((tx1 - tx0)) 'BEGIN {
		if (r > 0 && i > 0) printf "%.0f", i / r; else print "n/a" }')
	W2_CG_FRAMES=$((tx1 - tx0))
	bench_cleanup_to "$mark"
}

w2_report() {
	local raw=$1 c m
	declare -A MED
	for c in $W2_CONTENDERS; do
		for m in mpps idle_cpu_pct busy_cpu_pct cpu_ns_per_pkt; do
			MED[$c.$m]=$(awk -F'\t' -v c="$c" -v k="$m" '$2 == c && $3 == k { print $4 }' \
				"$raw" | bench_median)
		done
	done
	{
		echo "W2: two DPDK virtio-user ports (one testpmd, $W2_FWD_MODE forwarding, tx_first $W2_BURSTS) looping 64-byte frames through the switch"
		echo "medians of $BENCH_REPS interleaved repetitions; $(date -u '+%F %T UTC'); $NCPU CPUs;" \
			"switch on CPU ${W2_SW_CPU:-any}, front-end on CPU ${W2_FE_CPU:-any}; ${W2_S}s per run, idle ${W2_IDLE_S}s"
		echo
		printf '%-18s %8s %10s %10s %10s %s\n' contender Mpps idle_cpu_% busy_cpu_% ns/pkt "Mpps per rep"
		for c in $W2_CONTENDERS; do
			printf '%-18s %8s %10s %10s %10s %s\n' "$(w2_label "$c")" "${MED[$c.mpps]}" \
				"${MED[$c.idle_cpu_pct]}" "${MED[$c.busy_cpu_pct]}" "${MED[$c.cpu_ns_per_pkt]}" \
				"$(awk -F'\t' -v c="$c" '$2 == c && $3 == "mpps" { printf "%s%s", s, $4; s = "," }' "$raw")"
		done
		if [[ " $W2_CONTENDERS " == *" vnet "* ]]; then
			echo
			for c in $W2_CONTENDERS; do
				[ "$c" = vnet ] && continue
				printf 'vnet / %-18s Mpps ratio %s\n' "$(w2_label "$c")" \
					"$(bench_ratio "${MED[vnet.mpps]}" "${MED[$c.mpps]}")"
			done
		fi
		[ -n "${W2_CG_IR_PER_PKT:-}" ] &&
			echo "callgrind: vnetd $W2_CG_IR_PER_PKT instructions per forwarded frame ($W2_CG_FRAMES frames)"
	} >"${raw%.tsv}.txt"
	{
		echo "W2 (vhost-user loop, 64 B, $W2_FWD_MODE mode), medians of $BENCH_REPS interleaved repetitions, $(date -u '+%F'), $NCPU CPUs."
		echo
		echo "| contender | Mpps | idle CPU % | CPU % under load | switch CPU ns/frame | Mpps per repetition |"
		echo "|---|---:|---:|---:|---:|---|"
		for c in $W2_CONTENDERS; do
			printf '| %s | %s | %s | %s | %s | %s |\n' "$(w2_label "$c")" "${MED[$c.mpps]}" \
				"${MED[$c.idle_cpu_pct]}" "${MED[$c.busy_cpu_pct]}" "${MED[$c.cpu_ns_per_pkt]}" \
				"$(awk -F'\t' -v c="$c" '$2 == c && $3 == "mpps" { printf "%s%s", s, $4; s = ", " }' "$raw")"
		done
		if [[ " $W2_CONTENDERS " == *" vnet "* ]]; then
			echo
			for c in $W2_CONTENDERS; do
				[ "$c" = vnet ] && continue
				echo "- vnet / $(w2_label "$c"): $(bench_ratio "${MED[vnet.mpps]}" "${MED[$c.mpps]}")"
			done
		fi
		[ -n "${W2_CG_IR_PER_PKT:-}" ] &&
			echo "- callgrind: vnetd $W2_CG_IR_PER_PKT instructions per forwarded frame ($W2_CG_FRAMES frames)"
	} >"${raw%.tsv}.md"
	cat "${raw%.tsv}.txt"
}

w2_main() {
	local rep c busy mark wanted
	W2_ID=${W2_ID:-$(($$ % 10000))}
	W2_DIR=$BENCH_TMP/w2
	W2_S=${W2_S:-10}
	W2_WARMUP_S=${W2_WARMUP_S:-2}
	W2_IDLE_S=${W2_IDLE_S:-5}
	W2_BURSTS=${W2_BURSTS:-8}
	W2_FWD_MODE=${W2_FWD_MODE:-mac}
	W2_CG_S=${W2_CG_S:-10}
	W2_OVS_HUGE_MB=${W2_OVS_HUGE_MB:-1024}
	NCPU=${NCPU:-$(nproc)}
	STAMP=${STAMP:-$(date +%Y%m%d-%H%M%S)}
	W2_SW_CPU='' W2_FE_CPU=''
	if [ "$NCPU" -ge 2 ]; then
		W2_SW_CPU=$((NCPU - 1))
		W2_FE_CPU=0
	fi
	wanted=${W2_CONTENDERS_WANTED:-${W2_CONTENDERS:-$W2_ALL}}
	W2_CONTENDERS=
	for c in $wanted; do
		if w2_available "$c"; then
			W2_CONTENDERS="$W2_CONTENDERS $c"
		else
			bench_warn "W2: $(w2_label "$c") not available, skipped"
		fi
	done
	W2_CONTENDERS=${W2_CONTENDERS# }
	[ -n "$W2_CONTENDERS" ] || {
		echo "bench: W2: no contender available" >&2
		return 1
	}
	W2_RAW=$BENCH_RESULTS/w2-$STAMP.tsv
	: >"$W2_RAW"
	bench_log "W2: contenders: $W2_CONTENDERS; $BENCH_REPS reps; ${W2_S}s each; $W2_FWD_MODE mode"
	for ((rep = 1; rep <= BENCH_REPS; rep++)); do
		for c in $W2_CONTENDERS; do
			busy=$(bench_wait_idle "$BENCH_IDLE_MAX" 4)
			[ "$busy" -gt "$BENCH_IDLE_MAX" ] &&
				bench_warn "host still ${busy}% busy before $c rep $rep (figures noisier)"
			w2_out "$rep" "$c" host_busy_pct "$busy"
			bench_log "W2 rep $rep/$BENCH_REPS: $(w2_label "$c") (host ${busy}% busy)"
			mark=$(bench_cleanup_mark)
			if w2_setup "$c"; then
				w2_measure "$rep" "$c" || bench_warn "$(w2_label "$c"): no counters from testpmd"
				kill -0 "$W2_SW_PID" 2>/dev/null ||
					bench_warn "$(w2_label "$c") died during the run"
			else
				bench_warn "$(w2_label "$c"): setup failed; no figures this rep"
			fi
			bench_cleanup_to "$mark"
		done
	done
	[ "${W2_CALLGRIND:-1}" = 1 ] && w2_callgrind
	w2_report "$W2_RAW"
	cp "${W2_RAW%.tsv}.txt" "$BENCH_RESULTS/latest-w2.txt"
	cp "${W2_RAW%.tsv}.md" "$BENCH_RESULTS/latest-w2.md"
	bench_log "results: ${W2_RAW%.tsv}.{tsv,txt,md}"
}

# Run directly: set up what bench/run.sh would, then W2.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	W2_HERE=$(cd "$(dirname "$0")" && pwd)
	# shellcheck source=bench/lib.sh
	. "$W2_HERE/lib.sh"
	BUILD=${BUILD:-$(cd "$W2_HERE/.." && pwd)/build}
	BENCH_REPS=${BENCH_REPS:-3}
	BENCH_IDLE_MAX=${BENCH_IDLE_MAX:-25}
	BENCH_RESULTS=${BENCH_RESULTS:-$W2_HERE/results}
	W2_CONTENDERS_WANTED=${W2_CONTENDERS:-}
	[ "$(id -u)" = 0 ] || {
		echo "bench/w2.sh: needs root (DPDK, vhost-user sockets)" >&2
		exit 1
	}
	for t in "$TESTPMD" stdbuf mkfifo taskset jq awk; do
		command -v "$t" >/dev/null || {
			echo "bench/w2.sh: missing $t (apt-get install dpdk jq coreutils util-linux)" >&2
			exit 1
		}
	done
	mkdir -p "$BENCH_RESULTS"
	BENCH_TMP=$(mktemp -d /tmp/vnet-bench-w2.XXXXXX)
	bench_cleanup_push "rm -rf $BENCH_TMP"
	trap 'bench_cleanup_to 0' EXIT
	trap 'bench_log "interrupted, cleaning up"; exit 130' INT TERM HUP
	w2_main
fi
