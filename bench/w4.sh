#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/w4.sh - workload W4: a VXLAN overlay between two hosts, vnet against
# the same topology built from Linux kernel VXLAN devices and kernel bridges
# (and Open vSwitch's userspace VXLAN when it is installed), plus the cost
# of head-end replication and learned unicast as the number of remote VTEPs
# grows (2, 8, 32, 128).
#
#   VM A (W4_NS_VA) 10.198.1.1/24 mtu 1450      VM B (W4_NS_VB) 10.198.1.2/24 mtu 1450
#   iperf3 -c, pktgen, ping                      iperf3 -s, pktsink, rx counters
#          | tap (vnet, OVS) or veth (kernel)          |
#   +------+-------------------------------+   +-------+------------------------------+
#   | host A (W4_NS_HA)                    |   | host B (W4_NS_HB)                    |
#   |  vnetd: sw0, tap, vx0 vni=5010       |   |  vnetd: sw0, tap, vx0 vni=5010       |
#   |  | kernel: br0 + vxlan id 5010       |   |  | kernel: br0 + vxlan id 5010       |
#   |  | OVS netdev: br-int vxlan, br-phy  |   |  | OVS netdev: br-int vxlan, br-phy  |
#   +------------------+-------------------+   +------------------+-------------------+
#           10.197.0.1 |  veth                          veth | 10.197.0.2
#   -------------------+------ underlay bridge (W4_NS_UL) -----+-------------------
#
# Fan-out (vnet only): one vnetd whose vxlan port lists N remote VTEPs
# 127.0.1.1..N on loopback, port 4790, all received by one pktsink bound to
# the wildcard address. pktgen in a VM sends 64-byte frames at a fixed
# rate: broadcast (head-end replication: N copies per frame), then unicast
# to a MAC the port learned behind one VTEP (one copy, whatever N). The
# figure is vnetd's CPU time per frame (and per copy), and the copies the
# sink received. Loopback delivery runs in the sender's system calls, so it
# is part of vnetd's CPU time: the cost of a copy as the host pays it.
#
# Use: sourced by bench/run.sh (after bench/lib.sh), which calls w4_main;
# or run directly: BUILD=/abs/build bench/w4.sh. Results go to
# $BENCH_RESULTS/w4-STAMP.{tsv,txt,md} and latest-w4.{txt,md}.
#
# Environment (defaults in brackets): BENCH_REPS [3], BENCH_TCP_S [10],
# BENCH_UDP_S [5], BENCH_PINGS [200], BENCH_IDLE_MAX [25],
# W4_CONTENDERS [vnet kernel ovs, those available], W4_FANOUT [2 8 32 128],
# W4_FANOUT_RATE [2000 frames/s], W4_FANOUT_S [4].

W4_IP_A=10.198.1.1
W4_IP_B=10.198.1.2
W4_UL_A=10.197.0.1
W4_UL_B=10.197.0.2
W4_VNI=5010
W4_MTU=1450
W4_UDP_PORT=9
W4_FANOUT_PORT=4790
W4_ALL="vnet kernel ovs"

w4_label() {
	case $1 in
	vnet) echo "vnet" ;;
	kernel) echo "linux-vxlan" ;;
	ovs) echo "ovs-netdev" ;;
	*) echo "$1" ;;
	esac
}

w4_names() {
	W4_NS_UL="w4${W4_ID}u"
	W4_NS_HA="w4${W4_ID}ha"
	W4_NS_HB="w4${W4_ID}hb"
	W4_NS_VA="w4${W4_ID}va"
	W4_NS_VB="w4${W4_ID}vb"
	W4_IF_A="w4${W4_ID}a"
	W4_IF_B="w4${W4_ID}b"
}

# w4_out REP NAME METRIC VALUE - one raw result line
w4_out() {
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$W4_RAW"
}

# w4_available NAME - is a contender's software there?
w4_available() {
	case $1 in
	vnet) [ -x "$BUILD/vnetd" ] && [ -x "$BUILD/vnetctl" ] ;;
	kernel) ip link add w4probe$$ type vxlan id 1 dstport 4789 2>/dev/null &&
		ip link del w4probe$$ ;;
	ovs) command -v ovs-vswitchd >/dev/null && command -v ovsdb-server >/dev/null &&
		[ -f /usr/share/openvswitch/vswitch.ovsschema ] ;;
	*) return 1 ;;
	esac
}

# w4_hosts - namespaces, and the underlay: a bridge with one veth per host
w4_hosts() {
	local ns
	for ns in "$W4_NS_UL" "$W4_NS_HA" "$W4_NS_HB" "$W4_NS_VA" "$W4_NS_VB"; do
		bench_ns_add "$ns" || return 1
	done
	ip -n "$W4_NS_UL" link add br0 type bridge stp_state 0 forward_delay 0 || return 1
	ip link add ul netns "$W4_NS_HA" type veth peer name pa netns "$W4_NS_UL" &&
		ip link add ul netns "$W4_NS_HB" type veth peer name pb netns "$W4_NS_UL" || return 1
	ip -n "$W4_NS_UL" link set pa master br0 up &&
		ip -n "$W4_NS_UL" link set pb master br0 up &&
		ip -n "$W4_NS_UL" link set br0 up || return 1
	ip -n "$W4_NS_HA" addr add "$W4_UL_A/24" dev ul && ip -n "$W4_NS_HA" link set ul up &&
		ip -n "$W4_NS_HB" addr add "$W4_UL_B/24" dev ul && ip -n "$W4_NS_HB" link set ul up
}

# w4_vm NS IF IP - address and bring up a VM's interface (already in NS)
w4_vm() {
	ip -n "$1" link set "$2" mtu "$W4_MTU" up && ip -n "$1" addr add "$3/24" dev "$2" &&
		bench_wait_carrier "$1" "$2" 10
}

# w4_vnetd HOST_NS DIR - start a vnetd inside HOST_NS and register its cleanup; sets
# W4_PID (not printed: a command substitution's subshell would lose the cleanup entry)
w4_vnetd() {
	local ns=$1 d=$2
	mkdir -p "$d/state" || return 1
	ip netns exec "$ns" "$BUILD/vnetd" --no-default --socket "$d/vnetd.sock" \
		--state-dir "$d/state" </dev/null >"$d/vnetd.log" 2>&1 &
	W4_PID=$!
	bench_cleanup_push "bench_kill $W4_PID"
	bench_wait_path "$d/vnetd.sock" 30 || {
		bench_warn "vnetd in $ns did not start: $(tail -n 3 "$d/vnetd.log")"
		return 1
	}
}

# w4_setup_vnet - vnetd in each host: a tap for the VM and a vxlan port, VNI 5010 untagged
w4_setup_vnet() {
	local side ns vm ifn laddr raddr d pid
	w4_hosts || return 1
	W4_SW_PIDS=
	for side in A B; do
		if [ $side = A ]; then
			ns=$W4_NS_HA vm=$W4_NS_VA ifn=$W4_IF_A laddr=$W4_UL_A raddr=$W4_UL_B
		else
			ns=$W4_NS_HB vm=$W4_NS_VB ifn=$W4_IF_B laddr=$W4_UL_B raddr=$W4_UL_A
		fi
		d="$BENCH_TMP/vnet-$side"
		rm -rf "$d" && mkdir -p "$d" || return 1
		bench_cleanup_push "rm -rf $d"
		w4_vnetd "$ns" "$d" || return 1
		pid=$W4_PID
		W4_SW_PIDS="$W4_SW_PIDS $pid"
		"$BUILD/vnetctl" --socket "$d/vnetd.sock" switch/add sw0 &&
			"$BUILD/vnetctl" --socket "$d/vnetd.sock" port/add sw0 vm type=tap ifname="$ifn" &&
			"$BUILD/vnetctl" --socket "$d/vnetd.sock" port/add sw0 vx0 type=vxlan \
				local="$laddr" vni=$W4_VNI remotes="$W4_VNI@$raddr" || return 1
		bench_wait_path "/proc/$pid" 1 || return 1
		ip netns exec "$ns" test -e "/sys/class/net/$ifn" || sleep 0.5
		ip -n "$ns" link set "$ifn" netns "$vm" || return 1
	done
	w4_vm "$W4_NS_VA" "$W4_IF_A" "$W4_IP_A" && w4_vm "$W4_NS_VB" "$W4_IF_B" "$W4_IP_B"
}

# w4_setup_kernel - in each host a vxlan device and a kernel bridge; the VM on a veth
w4_setup_kernel() {
	local side ns vm ifn laddr raddr
	w4_hosts || return 1
	W4_SW_PIDS=
	for side in A B; do
		if [ $side = A ]; then
			ns=$W4_NS_HA vm=$W4_NS_VA ifn=$W4_IF_A laddr=$W4_UL_A raddr=$W4_UL_B
		else
			ns=$W4_NS_HB vm=$W4_NS_VB ifn=$W4_IF_B laddr=$W4_UL_B raddr=$W4_UL_A
		fi
		ip -n "$ns" link add vx0 type vxlan id $W4_VNI local "$laddr" dstport 4789 dev ul &&
			ip -n "$ns" link add br0 type bridge stp_state 0 forward_delay 0 &&
			ip -n "$ns" link set vx0 master br0 &&
			ip link add "$ifn" netns "$vm" type veth peer name vm netns "$ns" &&
			ip -n "$ns" link set vm master br0 up &&
			ip -n "$ns" link set vx0 up &&
			ip -n "$ns" link set br0 up &&
			bridge -n "$ns" fdb append 00:00:00:00:00:00 dev vx0 dst "$raddr" || return 1
	done
	w4_vm "$W4_NS_VA" "$W4_IF_A" "$W4_IP_A" && w4_vm "$W4_NS_VB" "$W4_IF_B" "$W4_IP_B"
}

# w4_setup_ovs - in each host a private OVS (netdev): br-int with the VM's tap and a
# vxlan port, br-phy holding the underlay veth and the tunnel address
w4_setup_ovs() {
	local side ns vm ifn laddr raddr d env vsctl pid
	w4_hosts || return 1
	W4_SW_PIDS=
	for side in A B; do
		if [ $side = A ]; then
			ns=$W4_NS_HA vm=$W4_NS_VA ifn=$W4_IF_A laddr=$W4_UL_A raddr=$W4_UL_B
		else
			ns=$W4_NS_HB vm=$W4_NS_VB ifn=$W4_IF_B laddr=$W4_UL_B raddr=$W4_UL_A
		fi
		d="$BENCH_TMP/ovs-$side"
		rm -rf "$d" && mkdir -p "$d" || return 1
		bench_cleanup_push "rm -rf $d"
		env=(env "OVS_RUNDIR=$d" "OVS_LOGDIR=$d" "OVS_DBDIR=$d" "OVS_SYSCONFDIR=$d")
		vsctl="${env[*]} ovs-vsctl --db=unix:$d/db.sock --timeout=10"
		ovsdb-tool create "$d/conf.db" /usr/share/openvswitch/vswitch.ovsschema || return 1
		ip netns exec "$ns" "${env[@]}" ovsdb-server "$d/conf.db" --remote="punix:$d/db.sock" \
			--pidfile="$d/ovsdb-server.pid" --unixctl="$d/ovsdb-server.ctl" \
			--log-file="$d/ovsdb-server.log" --detach --no-chdir 2>>"$d/console.log" ||
			return 1
		pid=$(cat "$d/ovsdb-server.pid")
		bench_cleanup_push "bench_kill $pid"
		$vsctl --no-wait init || return 1
		ip netns exec "$ns" "${env[@]}" ovs-vswitchd "unix:$d/db.sock" \
			--pidfile="$d/ovs-vswitchd.pid" --unixctl="$d/ovs-vswitchd.ctl" \
			--log-file="$d/ovs-vswitchd.log" --detach --no-chdir 2>>"$d/console.log" ||
			return 1
		pid=$(cat "$d/ovs-vswitchd.pid")
		W4_SW_PIDS="$W4_SW_PIDS $pid"
		bench_cleanup_push "bench_kill $pid"
		bench_cleanup_push "${env[*]} ovs-appctl -t $d/ovs-vswitchd.ctl exit --cleanup"
		bench_cleanup_push "$vsctl --if-exists del-br br-int"
		bench_cleanup_push "$vsctl --if-exists del-br br-phy"
		ip -n "$ns" addr flush dev ul
		$vsctl add-br br-phy -- set bridge br-phy datapath_type=netdev &&
			$vsctl add-port br-phy ul &&
			$vsctl add-br br-int -- set bridge br-int datapath_type=netdev &&
			$vsctl add-port br-int vx0 -- set interface vx0 type=vxlan \
				options:remote_ip="$raddr" options:key=$W4_VNI &&
			$vsctl add-port br-int "$ifn" -- set interface "$ifn" type=tap || return 1
		ip -n "$ns" addr add "$laddr/24" dev br-phy && ip -n "$ns" link set br-phy up || return 1
		bench_wait_carrier "$ns" "$ifn" 10 || ip -n "$ns" link set "$ifn" up
		ip -n "$ns" link set "$ifn" netns "$vm" || return 1
	done
	# OVS's tunnel learns the route and the remote's MAC from each host's own stack
	ip netns exec "$W4_NS_HA" ping -q -c 2 -W 1 -w 10 "$W4_UL_B" >/dev/null 2>&1
	w4_vm "$W4_NS_VA" "$W4_IF_A" "$W4_IP_A" && w4_vm "$W4_NS_VB" "$W4_IF_B" "$W4_IP_B"
}

w4_setup() {
	W4_SW_PIDS=
	case $1 in
	vnet) w4_setup_vnet ;;
	kernel) w4_setup_kernel ;;
	ovs) w4_setup_ovs ;;
	*) return 1 ;;
	esac
}

w4_warmup() {
	ip netns exec "$W4_NS_VA" ping -q -c 3 -i 0.2 -W 1 -w 15 "$W4_IP_B" >/dev/null 2>&1 ||
		ip netns exec "$W4_NS_VA" ping -q -c 3 -i 0.5 -W 2 -w 15 "$W4_IP_B" >/dev/null 2>&1
}

# w4_cpu - CPU time (ns) of the switching processes (0 for the kernel: softirq time has no owner)
w4_cpu() {
	local pid sum=0
	for pid in $W4_SW_PIDS; do
		sum=$((sum + $(bench_cpu_ns "$pid")))
	done
	echo "$sum"
}

# w4_tcp REP NAME - iperf3 A -> B for BENCH_TCP_S
w4_tcp() {
	local json gbps spid n=0
	timeout $((BENCH_TCP_S + 30)) ip netns exec "$W4_NS_VB" iperf3 -s -1 -B "$W4_IP_B" \
		>/dev/null 2>&1 &
	spid=$!
	while [ $n -lt 50 ] && ! ip netns exec "$W4_NS_VB" ss -ltn 2>/dev/null | grep -q ':5201 '; do
		sleep 0.1
		n=$((n + 1))
	done
	json=$(timeout $((BENCH_TCP_S + 20)) ip netns exec "$W4_NS_VA" iperf3 -c "$W4_IP_B" \
		-t "$BENCH_TCP_S" -J 2>/dev/null)
	gbps=$(echo "$json" | jq -r '.end.sum_received.bits_per_second // empty' 2>/dev/null)
	wait "$spid" 2>/dev/null
	if [ -z "$gbps" ]; then
		bench_warn "$2: iperf3 failed"
		gbps=n/a
	else
		gbps=$(awk -v b="$gbps" 'BEGIN { printf "%.3f", b / 1e9 }')
	fi
	w4_out "$1" "$2" tcp_gbps "$gbps"
	w4_out "$1" "$2" tcp_retr "$(echo "$json" | jq -r '.end.sum_sent.retransmits // "n/a"' 2>/dev/null)"
}

# w4_udp REP NAME - 64-byte UDP from VM A at full speed; delivered = rx_packets of VM B
w4_udp() {
	local mac out secs rx0 rx1 c0 c1 rx sink
	mac=$(ip netns exec "$W4_NS_VB" cat "/sys/class/net/$W4_IF_B/address")
	ip netns exec "$W4_NS_VB" "$BUILD/bench/pktsink" -H -p "$W4_UDP_PORT" \
		-t $((BENCH_UDP_S + 10)) >/dev/null 2>&1 &
	sink=$!
	sleep 0.2
	rx0=$(bench_nsif_stat "$W4_NS_VB" "$W4_IF_B" rx_packets)
	c0=$(w4_cpu)
	out=$(ip netns exec "$W4_NS_VA" "$BUILD/bench/pktgen" -i "$W4_IF_A" -d "$mac" \
		-s "$W4_IP_A" -D "$W4_IP_B" -p "$W4_UDP_PORT" -t "$BENCH_UDP_S" -m mmsg)
	sleep 0.5
	c1=$(w4_cpu)
	rx1=$(bench_nsif_stat "$W4_NS_VB" "$W4_IF_B" rx_packets)
	kill "$sink" 2>/dev/null
	wait "$sink" 2>/dev/null
	secs=$(echo "$out" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')
	rx=$((rx1 - rx0))
	if [ -z "$secs" ]; then
		bench_warn "$2: pktgen failed: $out"
		w4_out "$1" "$2" udp_delivered_kpps n/a
		w4_out "$1" "$2" cpu_ns_per_pkt n/a
		return
	fi
	w4_out "$1" "$2" udp_delivered_kpps "$(awk -v n="$rx" -v s="$secs" \
		'BEGIN { printf "%.1f", n / s / 1e3 }')"
	if [ -n "$W4_SW_PIDS" ] && [ "$rx" -gt 0 ]; then
		w4_out "$1" "$2" cpu_ns_per_pkt "$(awk -v c=$((c1 - c0)) -v r="$rx" \
			'BEGIN { printf "%.0f", c / r }')"
	else
		w4_out "$1" "$2" cpu_ns_per_pkt n/a
	fi
}

# w4_ping REP NAME - RTT through the tunnel
w4_ping() {
	local out
	out=$(ip netns exec "$W4_NS_VA" ping -n -c "$BENCH_PINGS" -i 0.01 -W 1 \
		-w $((BENCH_PINGS / 50 + 10)) "$W4_IP_B" 2>/dev/null |
		sed -n 's/.* time=\([0-9.]*\) ms.*/\1/p')
	w4_out "$1" "$2" rtt_med_us "$(echo "$out" | awk '{ print $1 * 1000 }' | bench_median)"
}

# ---- fan-out: replication and learned unicast against N remote VTEPs --------------

# w4_fanout_one N - one vnetd, N remotes on loopback; appends fanout lines to W4_RAW
w4_fanout_one() {
	local n=$1 ns="w4${W4_ID}f" vm="w4${W4_ID}fv" ifn="w4${W4_ID}f" d="$BENCH_TMP/fanout"
	local pid ctl i sink out c0 c1 u0 u1 r0 r1 mark frames mac hex kind
	mark=$(bench_cleanup_mark)
	rm -rf "$d" && mkdir -p "$d" || return 1
	bench_cleanup_push "rm -rf $d"
	bench_ns_add "$ns" && bench_ns_add "$vm" || return 1
	w4_vnetd "$ns" "$d" || return 1
	pid=$W4_PID
	ctl="$BUILD/vnetctl --socket $d/vnetd.sock"
	$ctl switch/add sw0 && $ctl port/add sw0 vm type=tap ifname="$ifn" || return 1
	# the remotes given one by one, as an operator would (they spill into remotes.N options)
	$ctl port/add sw0 vx0 type=vxlan local=127.0.0.1 vni=$W4_VNI || return 1
	for ((i = 1; i <= n; i++)); do
		$ctl vxlan/remote-add sw0 vni=$W4_VNI remote="127.0.1.$i:$W4_FANOUT_PORT" || return 1
	done
	ip -n "$ns" link set "$ifn" netns "$vm" && ip -n "$vm" link set "$ifn" up || return 1
	ip -n "$vm" addr add 10.198.2.1/24 dev "$ifn"
	bench_wait_carrier "$vm" "$ifn" 10 || return 1
	ip netns exec "$ns" "$BUILD/bench/pktsink" -H -p "$W4_FANOUT_PORT" \
		-t $((2 * W4_FANOUT_S + 20)) >/dev/null 2>&1 &
	sink=$!
	bench_cleanup_push "kill $sink"
	sleep 0.2
	# a MAC behind VTEP n, learned from one datagram: VXLAN header (VNI 5010), then a frame
	mac=020000fa$(printf '%04x' "$n")
	hex="0800000000139200ffffffffffff${mac}88b5$(printf '%092d' 0)"
	# shellcheck disable=SC2059 # the format is the datagram, as \xHH escapes
	printf "$(echo "$hex" | sed 's/../\\x&/g')" |
		ip netns exec "$ns" socat -u - "UDP-SENDTO:127.0.0.1:4789,bind=127.0.1.$n" ||
		return 1
	sleep 0.2
	for kind in flood unicast; do
		local dst=ff:ff:ff:ff:ff:ff copies=$n
		if [ $kind = unicast ]; then
			dst=$(echo "$mac" | sed 's/../&:/g; s/:$//')
			copies=1
		fi
		frames=$((W4_FANOUT_RATE * W4_FANOUT_S))
		u0=$(w4_udp_arrived "$ns")
		r0=$($ctl --json stats/show sw0 | jq '.ports[] | select(.name == "vm") | .rx_packets')
		c0=$(bench_cpu_ns "$pid")
		out=$(ip netns exec "$vm" "$BUILD/bench/pktgen" -i "$ifn" -d "$dst" -s 10.198.2.1 \
			-D 10.198.2.2 -p 9 -r "$W4_FANOUT_RATE" -n "$frames" \
			-t $((W4_FANOUT_S + 10)) -m mmsg)
		sleep 0.5
		c1=$(bench_cpu_ns "$pid")
		u1=$(w4_udp_arrived "$ns")
		r1=$($ctl --json stats/show sw0 | jq '.ports[] | select(.name == "vm") | .rx_packets')
		# the frames vnetd took from the tap (a tap drops what its reader leaves)
		frames=$((r1 - r0))
		[ "$frames" -gt 0 ] || {
			bench_warn "fanout $n: pktgen failed: $out"
			break
		}
		w4_out fanout "$kind-$n" cpu_ns_per_frame "$(awk -v c=$((c1 - c0)) -v f="$frames" \
			'BEGIN { printf "%.0f", c / f }')"
		w4_out fanout "$kind-$n" cpu_ns_per_copy "$(awk -v c=$((c1 - c0)) -v f="$frames" \
			-v k="$copies" 'BEGIN { printf "%.0f", c / f / k }')"
		w4_out fanout "$kind-$n" copies_delivered_pct "$(awk -v u=$((u1 - u0)) -v f="$frames" \
			-v k="$copies" 'BEGIN { printf "%.1f", 100 * u / (f * k) }')"
	done
	bench_cleanup_to "$mark"
}

# w4_udp_arrived NS - datagrams that reached UDP sockets in NS (queued or refused for space)
w4_udp_arrived() {
	# shellcheck disable=SC2016 # an awk program
	ip netns exec "$1" awk '/^Udp:/ && !h { for (i = 2; i <= NF; i++) k[$i] = i; h = 1; next }
		/^Udp:/ { print $k["InDatagrams"] + $k["RcvbufErrors"] }' /proc/net/snmp
}

# ---- report -----------------------------------------------------------------------

W4_METRICS="tcp_gbps:TCP_Gbit/s udp_delivered_kpps:UDP64_kpps rtt_med_us:RTT_median_us cpu_ns_per_pkt:CPU_ns/pkt"

w4_report() {
	local raw=$1 txt=${1%.tsv}.txt md=${1%.tsv}.md c m key n kind v
	declare -A MED
	for c in $W4_CONTENDERS; do
		for m in $W4_METRICS tcp_retr:x; do
			key=${m%%:*}
			MED[$c.$key]=$(awk -F'\t' -v c="$c" -v k="$key" '$2 == c && $3 == k { print $4 }' \
				"$raw" | bench_median)
		done
	done
	{
		echo "W4: VXLAN overlay, two hosts (namespaces) on a veth/bridge underlay, a VM on each, inner MTU $W4_MTU"
		echo "medians of $BENCH_REPS interleaved repetitions; $(date -u '+%F %T UTC'); $(nproc) CPUs; no pinning"
		echo "TCP: iperf3 ${BENCH_TCP_S}s A->B; UDP64: pktgen (sendmmsg) ${BENCH_UDP_S}s, delivered = rx_packets of VM B;"
		echo "CPU ns/pkt: switch processes (both hosts) during UDP64 / delivered (kernel: softirq, not attributed)"
		echo
		printf '%-13s' contender
		for m in $W4_METRICS; do
			printf ' %14s' "${m#*:}"
		done
		printf ' %10s\n' tcp_retr
		for c in $W4_CONTENDERS; do
			printf '%-13s' "$(w4_label "$c")"
			for m in $W4_METRICS; do
				printf ' %14s' "${MED[$c.${m%%:*}]}"
			done
			printf ' %10s\n' "${MED[$c.tcp_retr]}"
		done
		if [[ " $W4_CONTENDERS " == *" vnet "* ]]; then
			echo
			echo "vnet/peer ratios (medians)"
			for c in $W4_CONTENDERS; do
				[ "$c" = vnet ] && continue
				printf '%-13s' "$(w4_label "$c")"
				for m in $W4_METRICS; do
					printf ' %14s' "$(bench_ratio "${MED[vnet.${m%%:*}]}" "${MED[$c.${m%%:*}]}")"
				done
				echo
			done
			echo
			echo "targets (issue 5)"
			w4_target "TCP >= 0.7x linux-vxlan" "$(bench_ratio "${MED[vnet.tcp_gbps]}" \
				"${MED[kernel.tcp_gbps]:-n/a}")" 0.7
			w4_target "64B pps >= 2x ovs-netdev" "$(bench_ratio "${MED[vnet.udp_delivered_kpps]}" \
				"${MED[ovs.udp_delivered_kpps]:-n/a}")" 2
		fi
		if grep -q '^fanout' "$raw"; then
			echo
			echo "fan-out: one vnetd, N remote VTEPs on loopback (one pktsink), ${W4_FANOUT_RATE} frames/s of 64 bytes for ${W4_FANOUT_S}s"
			echo "flood = broadcast, replicated to N VTEPs; unicast = to a MAC learned behind one VTEP (medians)"
			printf '%6s %18s %18s %14s %20s %20s\n' N flood_ns/frame flood_ns/copy \
				flood_copies_% unicast_ns/frame unicast_copies_%
			for n in $W4_FANOUT; do
				printf '%6s' "$n"
				for kind in flood:cpu_ns_per_frame:18 flood:cpu_ns_per_copy:18 \
					flood:copies_delivered_pct:14 unicast:cpu_ns_per_frame:20 \
					unicast:copies_delivered_pct:20; do
					IFS=: read -r k m w <<<"$kind"
					v=$(awk -F'\t' -v c="$k-$n" -v k="$m" '$1 == "fanout" && $2 == c &&
						$3 == k { print $4 }' "$raw" | bench_median)
					printf " %${w}s" "$v"
				done
				echo
			done
		fi
	} >"$txt"
	sed 's/^/    /' "$txt" >"$md"
	cat "$txt"
}

# w4_target TEXT RATIO FACTOR - a target line: ratio >= factor?
w4_target() {
	awk -v t="$1" -v r="$2" -v f="$3" 'BEGIN {
		if (r == "n/a" || r == "") { printf "  %-28s n/a\n", t; exit }
		printf "  %-28s %-8s %s\n", t, r, (r >= f) ? "PASS" : "MISS" }'
}

w4_main() {
	local rep c mark busy n
	W4_ID=${W4_ID:-$(($$ % 10000))}
	w4_names
	W4_FANOUT=${W4_FANOUT:-2 8 32 128}
	W4_FANOUT_RATE=${W4_FANOUT_RATE:-2000}
	W4_FANOUT_S=${W4_FANOUT_S:-4}
	W4_CONTENDERS_WANTED=${W4_CONTENDERS_WANTED:-${W4_CONTENDERS:-$W4_ALL}}
	W4_CONTENDERS=
	for c in $W4_CONTENDERS_WANTED; do
		if w4_available "$c"; then
			W4_CONTENDERS="$W4_CONTENDERS $c"
		else
			bench_warn "$(w4_label "$c") not available, skipped"
		fi
	done
	W4_CONTENDERS=${W4_CONTENDERS# }
	W4_RAW="$BENCH_RESULTS/w4-$(date +%Y%m%d-%H%M%S).tsv"
	: >"$W4_RAW"
	bench_log "W4: contenders: $W4_CONTENDERS; $BENCH_REPS reps; fan-out N = $W4_FANOUT"
	for ((rep = 1; rep <= BENCH_REPS; rep++)); do
		for c in $W4_CONTENDERS; do
			busy=$(bench_wait_idle "$BENCH_IDLE_MAX" 15)
			bench_log "rep $rep/$BENCH_REPS: $(w4_label "$c") (host ${busy}% busy)"
			mark=$(bench_cleanup_mark)
			if w4_setup "$c" && w4_warmup; then
				w4_ping "$rep" "$c"
				w4_tcp "$rep" "$c"
				w4_udp "$rep" "$c"
			else
				bench_warn "$(w4_label "$c"): setup or first ping failed; no figures this rep"
			fi
			bench_cleanup_to "$mark"
		done
		if [[ " $W4_CONTENDERS " == *" vnet "* ]] && command -v socat >/dev/null; then
			for n in $W4_FANOUT; do
				bench_log "rep $rep/$BENCH_REPS: fan-out to $n remote VTEPs"
				w4_fanout_one "$n" || bench_warn "fan-out $n failed"
			done
		fi
	done
	w4_report "$W4_RAW"
	cp "${W4_RAW%.tsv}.txt" "$BENCH_RESULTS/latest-w4.txt"
	cp "${W4_RAW%.tsv}.md" "$BENCH_RESULTS/latest-w4.md"
	bench_log "results: ${W4_RAW%.tsv}.{tsv,txt,md}"
}

# Run directly: set up what bench/run.sh would, then W4.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	W4_DIR=$(cd "$(dirname "$0")" && pwd)
	# shellcheck source=bench/lib.sh
	. "$W4_DIR/lib.sh"
	BUILD=${BUILD:-$(cd "$W4_DIR/.." && pwd)/build}
	BENCH_REPS=${BENCH_REPS:-3}
	BENCH_TCP_S=${BENCH_TCP_S:-10}
	BENCH_UDP_S=${BENCH_UDP_S:-5}
	BENCH_PINGS=${BENCH_PINGS:-200}
	BENCH_IDLE_MAX=${BENCH_IDLE_MAX:-25}
	BENCH_RESULTS=${BENCH_RESULTS:-$W4_DIR/results}
	W4_CONTENDERS_WANTED=${W4_CONTENDERS:-}
	[ "$(id -u)" = 0 ] || {
		echo "bench/w4.sh: needs root (namespaces)" >&2
		exit 1
	}
	for t in ip bridge iperf3 jq ping awk; do
		command -v "$t" >/dev/null || {
			echo "bench/w4.sh: missing $t" >&2
			exit 1
		}
	done
	[ -x "$BUILD/bench/pktgen" ] && [ -x "$BUILD/bench/pktsink" ] || {
		echo "bench/w4.sh: $BUILD/bench/pktgen, pktsink not built (make tools)" >&2
		exit 1
	}
	mkdir -p "$BENCH_RESULTS"
	BENCH_TMP=$(mktemp -d /tmp/vnet-bench-w4.XXXXXX)
	bench_cleanup_push "rm -rf $BENCH_TMP"
	trap 'bench_cleanup_to 0' EXIT
	trap 'bench_log "interrupted, cleaning up"; exit 130' INT TERM HUP
	w4_main
fi
