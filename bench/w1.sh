# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/w1.sh - workload W1: two namespaces, one tap port each, on the switch under test.
#
#        ns A (W1_NS_A)                                  ns B (W1_NS_B)
#   +--------------------+                          +--------------------+
#   | W1_IF_A 10.199.1.1 |                          | W1_IF_B 10.199.1.2 |
#   | iperf3 -c, ping,   |                          | iperf3 -s,         |
#   | pktgen             |                          | rx counters        |
#   +---------+----------+                          +----------+---------+
#             | tap (veth for the kernel bridge)               |
#       +-----+------------------------------------------------+-----+
#       |  switch under test: vnetd | ovs-vswitchd (netdev)         |
#       |  | vde_switch | Linux bridge (in its own namespace W1_NS_BR) |
#       +--------------------------------------------------------------+
#
# Sourced by bench/run.sh after bench/lib.sh. A contender is set up with
# w1_setup_<name>, which leaves W1_IF_A/W1_IF_B inside the namespaces with
# their addresses, W1_SW_PID set to the switching process (empty for the
# kernel bridge) and everything it created on the cleanup stack. w1_measure
# then appends "rep contender metric value" lines to W1_RAW.
#
# Expects: BUILD, BENCH_TMP, W1_ID (short unique id), SW_CPU/GEN_CPU (cores,
# empty = no pinning), BENCH_* durations, W1_RAW.

W1_IP_A=10.199.1.1
W1_IP_B=10.199.1.2
W1_UDP_PORT=9

# Every contender, in the order they are interleaved, and their labels.
# shellcheck disable=SC2034 # used by run.sh
W1_ALL="bridge ovs ovs-tso vde vnet"

w1_label() {
	case $1 in
	bridge) echo "linux-bridge" ;;
	ovs) echo "ovs-netdev" ;;
	ovs-tso) echo "ovs-netdev-tso" ;;
	vde) echo "vde_switch" ;;
	vnet) echo "vnet" ;;
	*) echo "$1" ;;
	esac
}

# w1_sweep - delete links with this run's prefix left in the root namespace (a switch that
# died before its taps were moved); the last cleanup of a run
w1_sweep() {
	local l
	for l in $(ip -o link show | sed -n "s/^[0-9]*: \(vb${W1_ID}[a-z]*\)[@:].*/\1/p"); do
		ip link del "$l" 2>/dev/null
	done
}

w1_names() {
	W1_NS_A="vb${W1_ID}a"
	W1_NS_B="vb${W1_ID}b"
	W1_NS_BR="vb${W1_ID}s"
	W1_IF_A="vb${W1_ID}ta"
	W1_IF_B="vb${W1_ID}tb"
}

# w1_pinned CPU CMD... - run CMD on CPU, or unpinned when CPU is empty (pinning off)
w1_pinned() {
	local cpu=$1
	shift
	if [ -n "$cpu" ]; then
		taskset -c "$cpu" "$@"
	else
		"$@"
	fi
}

# w1_wait_rootif IF SECONDS - wait until a device the switch creates shows up in the root namespace
w1_wait_rootif() {
	local n=$(($2 * 10))
	while [ "$n" -gt 0 ]; do
		[ -e "/sys/class/net/$1" ] && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# w1_attach IF NS IP - move a switch-created tap into NS (if still in the root namespace), address it, up
w1_attach() {
	local ifname=$1 ns=$2 ip=$3
	if ! ip netns exec "$ns" test -e "/sys/class/net/$ifname"; then
		w1_wait_rootif "$ifname" 10 || {
			bench_warn "$ifname never appeared"
			return 1
		}
		# deleting the namespace later removes it, even a persistent tap
		ip link set "$ifname" netns "$ns" || return 1
	fi
	ip -n "$ns" addr add "$ip/24" dev "$ifname" || return 1
	ip -n "$ns" link set "$ifname" up || return 1
	bench_wait_carrier "$ns" "$ifname" 10 || {
		bench_warn "$ifname in $ns has no carrier"
		return 1
	}
}

w1_namespaces() {
	bench_ns_add "$W1_NS_A" && bench_ns_add "$W1_NS_B"
}

w1_setup_bridge() {
	w1_namespaces || return 1
	bench_ns_add "$W1_NS_BR" || return 1
	ip -n "$W1_NS_BR" link add br0 type bridge stp_state 0 forward_delay 0 || return 1
	ip link add "$W1_IF_A" netns "$W1_NS_A" type veth peer name pa netns "$W1_NS_BR" || return 1
	ip link add "$W1_IF_B" netns "$W1_NS_B" type veth peer name pb netns "$W1_NS_BR" || return 1
	ip -n "$W1_NS_BR" link set pa master br0 up &&
		ip -n "$W1_NS_BR" link set pb master br0 up &&
		ip -n "$W1_NS_BR" link set br0 up || return 1
	W1_SW_PID=
	w1_attach "$W1_IF_A" "$W1_NS_A" "$W1_IP_A" && w1_attach "$W1_IF_B" "$W1_NS_B" "$W1_IP_B"
}

# w1_setup_ovs [tso] - private ovsdb-server + ovs-vswitchd, netdev datapath, type=tap ports
w1_setup_ovs() {
	local d="$BENCH_TMP/ovs" br="vb${W1_ID}o" tso=${1:-} pid
	local env=(env "OVS_RUNDIR=$d" "OVS_LOGDIR=$d" "OVS_DBDIR=$d" "OVS_SYSCONFDIR=$d")
	local vsctl="${env[*]} ovs-vsctl --db=unix:$d/db.sock --timeout=10"

	w1_namespaces || return 1
	rm -rf "$d" && mkdir -p "$d" || return 1
	bench_cleanup_push "rm -rf $d"
	ovsdb-tool create "$d/conf.db" /usr/share/openvswitch/vswitch.ovsschema || return 1
	w1_pinned "$SW_CPU" "${env[@]}" ovsdb-server "$d/conf.db" --remote="punix:$d/db.sock" \
		--pidfile="$d/ovsdb-server.pid" --unixctl="$d/ovsdb-server.ctl" \
		--log-file="$d/ovsdb-server.log" --detach --no-chdir 2>>"$d/console.log" || return 1
	pid=$(cat "$d/ovsdb-server.pid")
	bench_cleanup_push "bench_kill $pid"
	bench_cleanup_push "${env[*]} ovs-appctl -t $d/ovsdb-server.ctl exit"
	$vsctl --no-wait init || return 1
	if [ "$tso" = tso ]; then
		# read once at start-up, so it goes in before ovs-vswitchd runs
		$vsctl --no-wait set Open_vSwitch . other_config:userspace-tso-enable=true || return 1
	fi
	w1_pinned "$SW_CPU" "${env[@]}" ovs-vswitchd "unix:$d/db.sock" --pidfile="$d/ovs-vswitchd.pid" \
		--unixctl="$d/ovs-vswitchd.ctl" --log-file="$d/ovs-vswitchd.log" --detach \
		--no-chdir 2>>"$d/console.log" || return 1
	W1_SW_PID=$(cat "$d/ovs-vswitchd.pid")
	bench_cleanup_push "bench_kill $W1_SW_PID"
	bench_cleanup_push "${env[*]} ovs-appctl -t $d/ovs-vswitchd.ctl exit --cleanup"
	bench_cleanup_push "$vsctl --if-exists del-br $br"
	$vsctl add-br "$br" -- set bridge "$br" datapath_type=netdev || return 1
	$vsctl add-port "$br" "$W1_IF_A" -- set interface "$W1_IF_A" type=tap &&
		$vsctl add-port "$br" "$W1_IF_B" -- set interface "$W1_IF_B" type=tap || return 1
	w1_attach "$W1_IF_A" "$W1_NS_A" "$W1_IP_A" && w1_attach "$W1_IF_B" "$W1_NS_B" "$W1_IP_B"
}

w1_setup_vde() {
	local d="$BENCH_TMP/vde"

	w1_namespaces || return 1
	rm -rf "$d" && mkdir -p "$d" || return 1
	bench_cleanup_push "rm -rf $d"
	# -d: with a console on stdin it would exit at EOF
	w1_pinned "$SW_CPU" vde_switch -t "$W1_IF_A" -t "$W1_IF_B" -s "$d/ctl" -M "$d/mgmt" \
		-d -p "$d/vde.pid" </dev/null >"$d/vde.log" 2>&1 || return 1
	bench_wait_path "$d/vde.pid" 10 || return 1
	sleep 0.1
	W1_SW_PID=$(cat "$d/vde.pid")
	bench_cleanup_push "bench_kill $W1_SW_PID"
	w1_attach "$W1_IF_A" "$W1_NS_A" "$W1_IP_A" && w1_attach "$W1_IF_B" "$W1_NS_B" "$W1_IP_B"
}

# w1_vnetctl ARGS... - vnetctl on this contender's socket
w1_vnetctl() {
	"$BUILD/vnetctl" --socket "$BENCH_TMP/vnet/vnetd.sock" "$@"
}

# w1_setup_vnet [callgrind] - vnetd on a private socket and state dir, optionally under callgrind
w1_setup_vnet() {
	local d="$BENCH_TMP/vnet" wrap=() pin=()

	w1_namespaces || return 1
	rm -rf "$d" && mkdir -p "$d/state" || return 1
	bench_cleanup_push "rm -rf $d"
	if [ "${1:-}" = callgrind ]; then
		wrap=(valgrind --tool=callgrind "--callgrind-out-file=$d/callgrind.out")
	fi
	# a simple command, so that $! is vnetd itself (taskset and valgrind exec it)
	[ -n "$SW_CPU" ] && pin=(taskset -c "$SW_CPU")
	"${pin[@]}" "${wrap[@]}" "$BUILD/vnetd" --no-default --socket "$d/vnetd.sock" \
		--state-dir "$d/state" </dev/null >"$d/vnetd.log" 2>&1 &
	W1_SW_PID=$!
	bench_cleanup_push "bench_kill $W1_SW_PID"
	bench_wait_path "$d/vnetd.sock" 60 || {
		bench_warn "vnetd did not create its socket; log:"
		tail -n 20 "$d/vnetd.log" >&2
		return 1
	}
	w1_vnetctl switch/add sw0 &&
		w1_vnetctl port/add sw0 a type=tap ifname="$W1_IF_A" &&
		w1_vnetctl port/add sw0 b type=tap ifname="$W1_IF_B" || return 1
	w1_attach "$W1_IF_A" "$W1_NS_A" "$W1_IP_A" && w1_attach "$W1_IF_B" "$W1_NS_B" "$W1_IP_B"
}

# w1_setup NAME - set up one contender (names as in W1_ALL)
w1_setup() {
	W1_SW_PID=
	case $1 in
	bridge) w1_setup_bridge ;;
	ovs) w1_setup_ovs ;;
	ovs-tso) w1_setup_ovs tso ;;
	vde) w1_setup_vde ;;
	vnet) w1_setup_vnet native ;;
	*) return 1 ;;
	esac
}

# w1_available NAME - whether a contender's software is installed/built
w1_available() {
	case $1 in
	bridge) command -v ip >/dev/null ;;
	ovs | ovs-tso) command -v ovs-vswitchd >/dev/null && command -v ovsdb-server >/dev/null ;;
	vde) command -v vde_switch >/dev/null ;;
	vnet) [ -x "$BUILD/vnetd" ] && [ -x "$BUILD/vnetctl" ] ;;
	*) return 1 ;;
	esac
}

# w1_warmup - a few pings so ARP is resolved and every switch has learned both MACs
w1_warmup() {
	ip netns exec "$W1_NS_A" ping -q -c 3 -i 0.2 -W 1 -w 10 "$W1_IP_B" >/dev/null 2>&1 ||
		ip netns exec "$W1_NS_A" ping -q -c 3 -i 0.5 -W 2 -w 10 "$W1_IP_B" >/dev/null 2>&1
}

# w1_out REP NAME METRIC VALUE - one raw result line
w1_out() {
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$W1_RAW"
}

# w1_idle REP NAME - CPU use of the switching process over BENCH_IDLE_S with no traffic
w1_idle() {
	local c0 c1
	if [ -z "$W1_SW_PID" ]; then
		w1_out "$1" "$2" idle_cpu_pct n/a
		return
	fi
	c0=$(bench_cpu_ns "$W1_SW_PID")
	sleep "$BENCH_IDLE_S"
	c1=$(bench_cpu_ns "$W1_SW_PID")
	w1_out "$1" "$2" idle_cpu_pct "$(awk -v d=$((c1 - c0)) -v s="$BENCH_IDLE_S" \
		'BEGIN { printf "%.3f", d / (s * 1e7) }')"
}

# w1_ping REP NAME - BENCH_PINGS pings at 10 ms; median and mean RTT in microseconds.
# The switch is unpinned meanwhile: a ping crosses it twice, each time a
# wake-up, and a wake-up on another CPU (an IPI, slow in a VM) adds more than
# the switching does; the scheduler keeps ping and switch together if free.
w1_ping() {
	local out
	if [ -n "$SW_CPU" ] && [ -n "$W1_SW_PID" ]; then
		taskset -a -p -c "0-$(($(nproc) - 1))" "$W1_SW_PID" >/dev/null 2>&1
	fi
	out=$(w1_pinned "$APP_CPU" ip netns exec "$W1_NS_A" ping -n -c "$BENCH_PINGS" -i 0.01 -W 1 \
		-w $((BENCH_PINGS / 50 + 10)) "$W1_IP_B" 2>/dev/null |
		sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p')
	if [ -n "$SW_CPU" ] && [ -n "$W1_SW_PID" ]; then
		taskset -a -p -c "$SW_CPU" "$W1_SW_PID" >/dev/null 2>&1
	fi
	w1_out "$1" "$2" rtt_med_us "$(echo "$out" | awk '{ print $1 * 1000 }' | bench_median)"
	w1_out "$1" "$2" rtt_avg_us "$(echo "$out" | awk '{ s += $1; n++ }
		END { if (n) printf "%.1f", s * 1000 / n; else print "n/a" }')"
	w1_out "$1" "$2" ping_lost "$((BENCH_PINGS - $(echo "$out" | grep -c .)))"
}

# w1_tcp REP NAME - iperf3 TCP, server in B, client in A, BENCH_TCP_S seconds
w1_tcp() {
	local json gbps retr spid n=0
	w1_pinned "$APP_CPU" timeout $((BENCH_TCP_S + 30)) ip netns exec "$W1_NS_B" \
		iperf3 -s -1 -B "$W1_IP_B" >/dev/null 2>&1 &
	spid=$!
	while [ $n -lt 50 ] && ! ip netns exec "$W1_NS_B" ss -ltn 2>/dev/null | grep -q ':5201 '; do
		sleep 0.1
		n=$((n + 1))
	done
	json=$(w1_pinned "$APP_CPU" timeout $((BENCH_TCP_S + 20)) ip netns exec "$W1_NS_A" \
		iperf3 -c "$W1_IP_B" -t "$BENCH_TCP_S" -J 2>/dev/null)
	gbps=$(echo "$json" | jq -r '.end.sum_received.bits_per_second // empty' 2>/dev/null)
	retr=$(echo "$json" | jq -r '.end.sum_sent.retransmits // empty' 2>/dev/null)
	wait "$spid" 2>/dev/null
	if [ -z "$gbps" ]; then
		bench_warn "$2: iperf3 failed"
		gbps=n/a
	else
		gbps=$(awk -v b="$gbps" 'BEGIN { printf "%.3f", b / 1e9 }')
	fi
	w1_out "$1" "$2" tcp_gbps "$gbps"
	w1_out "$1" "$2" tcp_retr "${retr:-n/a}"
}

# w1_offered NS IF - frames pushed at IF: those it took (tx_packets) plus those it refused (tx_dropped)
w1_offered() {
	echo $(($(bench_nsif_stat "$1" "$2" tx_packets) + $(bench_nsif_stat "$1" "$2" tx_dropped)))
}

# w1_udp_arrived NS - datagrams that reached a UDP socket in NS, queued or dropped for a full buffer
w1_udp_arrived() {
	# shellcheck disable=SC2016 # an awk program
	ip netns exec "$1" awk '/^Udp:/ && !h { for (i = 2; i <= NF; i++) k[$i] = i; h = 1; next }
		/^Udp:/ { print $k["InDatagrams"] + $k["RcvbufErrors"] }' /proc/net/snmp
}

# w1_udp REP NAME - 64-byte UDP from A at full speed for BENCH_UDP_S.
# Offered: what A's interface was asked to send (tx_packets + tx_dropped; a
# tap whose reader, the switch, is behind drops the frame and counts it).
# Delivered: rx_packets of B's interface, i.e. what the switch wrote into B.
w1_udp() {
	local mac out sent secs rx0 rx1 off0 off1 drop0 drop1 c0=0 c1=0 rx off m sink u0 u1
	mac=$(ip netns exec "$W1_NS_B" cat "/sys/class/net/$W1_IF_B/address")
	# B holds the port without reading: no ICMP unreachable per packet, no reader on a CPU
	ip netns exec "$W1_NS_B" "$BUILD/bench/pktsink" -H -p "$W1_UDP_PORT" \
		-t $((BENCH_UDP_S + 10)) >/dev/null 2>&1 &
	sink=$!
	sleep 0.2
	u0=$(w1_udp_arrived "$W1_NS_B")
	rx0=$(bench_nsif_stat "$W1_NS_B" "$W1_IF_B" rx_packets)
	off0=$(w1_offered "$W1_NS_A" "$W1_IF_A")
	drop0=$(bench_nsif_stat "$W1_NS_A" "$W1_IF_A" tx_dropped)
	[ -n "$W1_SW_PID" ] && c0=$(bench_cpu_ns "$W1_SW_PID")
	out=$(w1_pinned "$GEN_CPU" ip netns exec "$W1_NS_A" "$BUILD/bench/pktgen" -i "$W1_IF_A" \
		-d "$mac" -s "$W1_IP_A" -D "$W1_IP_B" -p "$W1_UDP_PORT" -t "$BENCH_UDP_S" \
		-m "$BENCH_PKTGEN_MODE")
	# let the switch drain what it has queued before reading the counters
	sleep 0.5
	[ -n "$W1_SW_PID" ] && c1=$(bench_cpu_ns "$W1_SW_PID")
	rx1=$(bench_nsif_stat "$W1_NS_B" "$W1_IF_B" rx_packets)
	off1=$(w1_offered "$W1_NS_A" "$W1_IF_A")
	drop1=$(bench_nsif_stat "$W1_NS_A" "$W1_IF_A" tx_dropped)
	u1=$(w1_udp_arrived "$W1_NS_B")
	kill "$sink" 2>/dev/null
	wait "$sink" 2>/dev/null
	sent=$(echo "$out" | sed -n 's/.*sent=\([0-9]*\).*/\1/p')
	secs=$(echo "$out" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')
	rx=$((rx1 - rx0))
	off=$((off1 - off0))
	if [ -z "$sent" ] || [ -z "$secs" ] || [ "$off" -le 0 ]; then
		bench_warn "$2: pktgen failed: $out"
		for m in udp_offered_kpps udp_delivered_kpps udp_loss_pct cpu_ns_per_pkt; do
			w1_out "$1" "$2" "$m" n/a
		done
		return
	fi
	w1_out "$1" "$2" udp_offered_kpps "$(awk -v n="$off" -v s="$secs" \
		'BEGIN { printf "%.1f", n / s / 1e3 }')"
	w1_out "$1" "$2" udp_delivered_kpps "$(awk -v n="$rx" -v s="$secs" \
		'BEGIN { printf "%.1f", n / s / 1e3 }')"
	w1_out "$1" "$2" udp_loss_pct "$(awk -v r="$rx" -v s="$off" \
		'BEGIN { l = 100 * (s - r) / s; printf "%.1f", (l < 0) ? 0 : l }')"
	w1_out "$1" "$2" udp_tap_drops "$((drop1 - drop0))"
	w1_out "$1" "$2" udp_gen_accepted "$sent"
	w1_out "$1" "$2" udp_at_socket "$((u1 - u0))"
	if [ -n "$W1_SW_PID" ] && [ "$rx" -gt 0 ]; then
		w1_out "$1" "$2" cpu_ns_per_pkt "$(awk -v c=$((c1 - c0)) -v r="$rx" \
			'BEGIN { printf "%.0f", c / r }')"
	else
		w1_out "$1" "$2" cpu_ns_per_pkt n/a
	fi
}

# w1_measure REP NAME - every metric for one contender that is set up and warmed up
w1_measure() {
	local m
	for m in ${BENCH_METRICS:-idle ping tcp udp}; do
		case $m in
		idle | ping | tcp | udp) "w1_$m" "$1" "$2" ;;
		*) bench_warn "unknown metric group $m" ;;
		esac
	done
}

# shellcheck disable=SC2034 # used by run.sh
# W1 metrics in table order: key, heading, which way is better (for the ratio's reading)
W1_METRICS="tcp_gbps:TCP_Gbit/s udp_offered_kpps:UDP64_offered_kpps udp_delivered_kpps:UDP64_delivered_kpps
udp_loss_pct:UDP64_loss_% rtt_med_us:RTT_median_us rtt_avg_us:RTT_avg_us
cpu_ns_per_pkt:CPU_ns/pkt idle_cpu_pct:idle_CPU_%"
