# shellcheck shell=bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/w3.sh - workload W3: a VM (a namespace with a tap port) reaches servers on the host's
# loopback through a user-mode NAT: vnet's nat network, slirp4netns and pasta, side by side.
#
# Sourced by bench/run.sh ("bench/run.sh w3"), which provides BUILD, BENCH_REPS,
# BENCH_TCP_S, BENCH_IDLE_MAX, BENCH_RESULTS, STAMP, BENCH_TMP, SW_CPU and the helpers of
# bench/lib.sh. Per repetition and contender, interleaved (vnet slirp4netns pasta, vnet ...):
#   down_gbps   iperf3 -R from an iperf3 server on 127.0.0.1 (the VM downloads), BENCH_TCP_S s
#   up_gbps     iperf3 to the same server (the VM uploads)
#   conn_per_s  TCP connections set up and closed per second (connect, server accepts and
#               closes) against a server on 127.0.0.1, for BENCH_W3_CONN_S s
#   rtt_us      median ping RTT to the host's own address (ICMP through the NAT's sockets),
#               BENCH_W3_PINGS pings at 10 ms
#   down_cpu_ms_gb, up_cpu_ms_gb
#               CPU time of the NAT process per GB moved by iperf3 (ms/GB): the cost of the
#               NAT itself, a figure that moves much less with the machine's noise than
#               throughput does
# Every contender runs with MTU 65520 (the slirp4netns/pasta setting). The NAT process
# (vnetd, slirp4netns, pasta) is pinned to SW_CPU when run.sh pins. Nothing leaves the
# machine: the servers are on 127.0.0.1, the ping target is the host's own address.
# net.ipv4.ping_group_range is widened during the run (the NATs' ICMP uses ping sockets)
# and restored afterwards.
#
# Environment: BENCH_W3_CONTENDERS [vnet slirp4netns pasta], BENCH_W3_CONN_S [5],
# BENCH_W3_PINGS [200].

W3_ALL="vnet slirp4netns pasta"
W3_METRICS="down_gbps up_gbps conn_per_s rtt_us down_cpu_ms_gb up_cpu_ms_gb"
W3_MTU=65520

# w3_label C - display name
w3_label() {
	case $1 in
	vnet) echo "vnet-nat" ;;
	*) echo "$1" ;;
	esac
}

w3_available() {
	case $1 in
	vnet) [ -x "$BUILD/vnetd" ] && [ -x "$BUILD/vnetctl" ] ;;
	slirp4netns) command -v slirp4netns >/dev/null ;;
	pasta) command -v pasta >/dev/null ;;
	*) return 1 ;;
	esac
}

# w3_out REP C METRIC VALUE - one raw figure
w3_out() {
	printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$W3_RAW"
}

w3_pin() {
	[ -n "${SW_CPU:-}" ] && taskset -pc "$SW_CPU" "$1" >/dev/null 2>&1
	return 0
}

# Set up contender C: namespace $W3_NS with interface at MTU 65520, $W3_GW reaching the
# host's loopback, $W3_PID the NAT process.
w3_setup() {
	local c=$1 d i
	d=$BENCH_TMP/w3-$c
	W3_NS=w3-$W3_ID-$c
	W3_PID=
	rm -rf "$d" # a fresh state dir: vnetd must not restore the previous repetition
	mkdir -p "$d"
	bench_ns_add "$W3_NS" || return 1
	case $c in
	vnet)
		"$BUILD/vnetd" --socket "$d/sock" --state-dir "$d/state" --no-default \
			--log-level warn >"$d/log" 2>&1 &
		W3_PID=$!
		bench_cleanup_push "bench_kill $W3_PID"
		for ((i = 0; i < 50; i++)); do
			"$BUILD/vnetctl" --socket "$d/sock" network/list >/dev/null 2>&1 && break
			sleep 0.1
		done
		"$BUILD/vnetctl" --socket "$d/sock" network/add w3 mode=nat \
			subnet=10.231.0.0/24 mtu=$W3_MTU >/dev/null || return 1
		"$BUILD/vnetctl" --socket "$d/sock" port/add w3 vm type=tap ifname="w3t$W3_ID" \
			mtu=$W3_MTU >/dev/null || return 1
		ip link set "w3t$W3_ID" netns "$W3_NS" || return 1
		ip -n "$W3_NS" link set "w3t$W3_ID" mtu $W3_MTU up
		ip -n "$W3_NS" addr add 10.231.0.100/24 dev "w3t$W3_ID"
		ip -n "$W3_NS" route add default via 10.231.0.2
		W3_GW=10.231.0.2
		;;
	slirp4netns)
		ip netns exec "$W3_NS" sleep 100000 &
		i=$!
		bench_cleanup_push "kill $i"
		slirp4netns --configure --mtu=$W3_MTU "$i" tap0 >"$d/log" 2>&1 &
		W3_PID=$!
		bench_cleanup_push "bench_kill $W3_PID"
		W3_GW=10.0.2.2
		;;
	pasta)
		pasta --config-net -q --runas 0 -4 -a 10.232.0.100 -n 24 -g 10.232.0.2 -m $W3_MTU \
			-I tap0 -P "$d/pid" --netns "$W3_NS" >"$d/log" 2>&1 || return 1
		bench_wait_path "$d/pid" 5 || return 1
		W3_PID=$(cat "$d/pid")
		bench_cleanup_push "bench_kill $W3_PID"
		W3_GW=10.232.0.2
		;;
	esac
	w3_pin "$W3_PID"
	# ready when a TCP connection reaches the host's loopback (the connect/close server,
	# not iperf3, which would take a bare connection for a test)
	for ((i = 0; i < 100; i++)); do
		ip netns exec "$W3_NS" timeout 2 bash -c "echo > /dev/tcp/$W3_GW/$W3_CONN_PORT" \
			2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# w3_iperf REP C DIR(""|-R) METRIC CPU_METRIC
w3_iperf() {
	local j bps bytes c0 c1
	c0=$(bench_cpu_ns "$W3_PID")
	j=$(ip netns exec "$W3_NS" timeout $((BENCH_TCP_S + 20)) iperf3 -c "$W3_GW" \
		-p "$W3_IPERF_PORT" -t "$BENCH_TCP_S" -J $3 2>/dev/null)
	c1=$(bench_cpu_ns "$W3_PID")
	bps=$(echo "$j" | jq -r '.end.sum_received.bits_per_second // empty' 2>/dev/null)
	bytes=$(echo "$j" | jq -r '.end.sum_received.bytes // empty' 2>/dev/null)
	if [ -n "$bps" ] && [ -n "$bytes" ] && [ "$bytes" != 0 ]; then
		w3_out "$1" "$2" "$4" "$(awk -v b="$bps" 'BEGIN { printf "%.3f", b / 1e9 }')"
		w3_out "$1" "$2" "$5" "$(awk -v c=$((c1 - c0)) -v b="$bytes" 'BEGIN { printf "%.0f", c / 1e6 / (b / 1e9) }')"
	else
		w3_out "$1" "$2" "$4" n/a
		w3_out "$1" "$2" "$5" n/a
		bench_warn "$(w3_label "$2") iperf3 $3 failed"
	fi
}

w3_measure() {
	local rep=$1 c=$2 n rtt
	w3_iperf "$rep" "$c" -R down_gbps down_cpu_ms_gb
	w3_iperf "$rep" "$c" "" up_gbps up_cpu_ms_gb
	n=$(ip netns exec "$W3_NS" timeout $((BENCH_W3_CONN_S + 20)) python3 "$BENCH_TMP/w3conn.py" \
		client "$W3_GW" "$W3_CONN_PORT" "$BENCH_W3_CONN_S" 2>/dev/null)
	w3_out "$rep" "$c" conn_per_s "${n:-n/a}"
	rtt=$(ip netns exec "$W3_NS" ping -n -q -i 0.01 -c "$BENCH_W3_PINGS" -W 1 "$W3_HOST_IP" \
		2>/dev/null | sed -n 's|.*= [0-9.]*/\([0-9.]*\)/.*|\1|p')
	w3_out "$rep" "$c" rtt_us "$(awk -v r="$rtt" 'BEGIN { if (r == "") print "n/a"; else printf "%.0f", r * 1000 }')"
}

# The connection-rate pair: a server on 127.0.0.1 that accepts and closes, and a
# client that connects and closes in a loop for S seconds, printing connections/s.
w3_conn_tool() {
	cat >"$BENCH_TMP/w3conn.py" <<'PY'
import socket, sys, time
if sys.argv[1] == "server":
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", int(sys.argv[2])))
    s.listen(1024)
    while True:
        c, _ = s.accept()
        c.close()
else:
    host, port, secs = sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    n, t0 = 0, time.time()
    while time.time() - t0 < secs:
        c = socket.socket()
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
        c.settimeout(2)
        try:
            c.connect((host, port))
            c.recv(1)  # the server's close
            n += 1
        except OSError:
            pass
        c.close()
    print(int(n / (time.time() - t0)))
PY
}

w3_report() {
	local raw=$1 c m med
	declare -A MED
	for c in $W3_CONTENDERS; do
		for m in $W3_METRICS; do
			med=$(awk -F'\t' -v c="$c" -v k="$m" '$2 == c && $3 == k { print $4 }' "$raw" |
				bench_median)
			MED[$c.$m]=$med
		done
	done
	{
		echo "W3: a VM (namespace, tap) <-> iperf3 and TCP servers on the host's 127.0.0.1 through a user-mode NAT"
		echo "medians of $BENCH_REPS repetitions, interleaved; $(date -u '+%F %T UTC'); MTU $W3_MTU; iperf3 ${BENCH_TCP_S}s;"
		echo "connections/s: ${BENCH_W3_CONN_S}s of connect+close; RTT: $BENCH_W3_PINGS pings at 10 ms to the host's address"
		echo
		printf '%-14s %10s %10s %11s %8s %13s %13s\n' contender down_Gb/s up_Gb/s conn/s rtt_us \
			down_cpu_ms/GB up_cpu_ms/GB
		for c in $W3_CONTENDERS; do
			printf '%-14s %10s %10s %11s %8s %13s %13s\n' "$(w3_label "$c")" \
				"${MED[$c.down_gbps]}" "${MED[$c.up_gbps]}" "${MED[$c.conn_per_s]}" \
				"${MED[$c.rtt_us]}" "${MED[$c.down_cpu_ms_gb]}" "${MED[$c.up_cpu_ms_gb]}"
		done
		if [[ " $W3_CONTENDERS " == *" vnet "* ]]; then
			echo
			echo "vnet/peer ratios (medians; for rtt_us and CPU/GB lower is better)"
			for c in $W3_CONTENDERS; do
				[ "$c" = vnet ] && continue
				printf '%-14s %10s %10s %11s %8s %13s %13s\n' "$(w3_label "$c")" \
					"$(bench_ratio "${MED[vnet.down_gbps]}" "${MED[$c.down_gbps]}")" \
					"$(bench_ratio "${MED[vnet.up_gbps]}" "${MED[$c.up_gbps]}")" \
					"$(bench_ratio "${MED[vnet.conn_per_s]}" "${MED[$c.conn_per_s]}")" \
					"$(bench_ratio "${MED[vnet.rtt_us]}" "${MED[$c.rtt_us]}")" \
					"$(bench_ratio "${MED[vnet.down_cpu_ms_gb]}" "${MED[$c.down_cpu_ms_gb]}")" \
					"$(bench_ratio "${MED[vnet.up_cpu_ms_gb]}" "${MED[$c.up_cpu_ms_gb]}")"
			done
			echo
			echo "targets (issue 4)"
			for m in down_gbps up_gbps; do
				bench_ratio "${MED[vnet.$m]}" "${MED[slirp4netns.$m]:-n/a}" |
					awk -v t="$m >= 1.0x slirp4netns" '{
						if ($1 == "n/a") printf "  %-32s n/a\n", t
						else printf "  %-32s %-8s %s\n", t, $1, ($1 >= 1.0) ? "PASS" : "MISS" }'
			done
			[ "${MED[pasta.up_gbps]:-}" != "" ] &&
				echo "  (pasta uploads are affected by a known stall bug of the packaged 2023 build)"
		fi
		echo
		echo "all repetitions:"
		sort -k2,2 -k3,3 -k1,1n "$raw" | awk -F'\t' '{ printf "  rep %s %-12s %-11s %s\n", $1, $2, $3, $4 }'
	} >"${raw%.tsv}.txt"
	cat "${raw%.tsv}.txt"
}

w3_main() {
	local rep c mark busy iperf_pid conn_pid old_range
	BENCH_W3_CONN_S=${BENCH_W3_CONN_S:-5}
	BENCH_W3_PINGS=${BENCH_W3_PINGS:-200}
	W3_ID=$(($$ % 10000))
	W3_CONTENDERS=
	for c in ${BENCH_W3_CONTENDERS:-$W3_ALL}; do
		if w3_available "$c"; then
			W3_CONTENDERS="$W3_CONTENDERS $c"
		else
			bench_warn "$(w3_label "$c") not available, skipped"
		fi
	done
	W3_CONTENDERS=${W3_CONTENDERS# }
	[ -n "$W3_CONTENDERS" ] || {
		echo "bench: no W3 contender available" >&2
		return 1
	}
	W3_HOST_IP=$(ip -4 -o addr show scope global | awk '{ split($4, a, "/"); print a[1]; exit }')
	[ -n "$W3_HOST_IP" ] || W3_HOST_IP=$(ip -4 -o addr show | awk '$2 != "lo" { split($4, a, "/"); print a[1]; exit }')
	W3_IPERF_PORT=$((15400 + W3_ID % 500))
	W3_CONN_PORT=$((W3_IPERF_PORT + 1))
	W3_RAW="$BENCH_RESULTS/w3-$STAMP.tsv"
	: >"$W3_RAW"
	w3_conn_tool
	old_range=$(sysctl -n net.ipv4.ping_group_range | tr '\t' ' ')
	sysctl -qw net.ipv4.ping_group_range="0 2147483647"
	bench_cleanup_push "sysctl -qw net.ipv4.ping_group_range='$old_range'"
	iperf3 -s -B 127.0.0.1 -p "$W3_IPERF_PORT" >/dev/null 2>&1 &
	iperf_pid=$!
	bench_cleanup_push "bench_kill $iperf_pid"
	python3 "$BENCH_TMP/w3conn.py" server "$W3_CONN_PORT" >/dev/null 2>&1 &
	conn_pid=$!
	bench_cleanup_push "bench_kill $conn_pid"
	sleep 0.5
	bench_log "W3: contenders: $W3_CONTENDERS; $BENCH_REPS reps; ping target $W3_HOST_IP"
	for ((rep = 1; rep <= BENCH_REPS; rep++)); do
		for c in $W3_CONTENDERS; do
			busy=$(bench_wait_idle "$BENCH_IDLE_MAX" 4)
			[ "$busy" -gt "$BENCH_IDLE_MAX" ] &&
				bench_warn "host still ${busy}% busy before $c rep $rep"
			bench_log "W3 rep $rep/$BENCH_REPS: $(w3_label "$c") (host ${busy}% busy)"
			mark=$(bench_cleanup_mark)
			if w3_setup "$c"; then
				w3_measure "$rep" "$c"
			else
				bench_warn "$(w3_label "$c"): setup failed; no figures this rep"
			fi
			bench_cleanup_to "$mark"
		done
	done
	w3_report "$W3_RAW"
	cp "${W3_RAW%.tsv}.txt" "$BENCH_RESULTS/latest-w3.txt"
	bench_log "results: ${W3_RAW%.tsv}.{tsv,txt}"
}
