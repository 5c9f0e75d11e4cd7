#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 96-http-hostile - hostile HTTP clients against --web and --metrics while traffic flows:
# malformed requests, oversized headers, URL and body, 50 slow clients dribbling headers a
# byte at a time, a silent client, more connections than the limit. Each gets an error or is
# disconnected, the API and the metrics keep answering, forwarding is unaffected (no ping
# lost, RTT within bounds) and vnetd survives.
#
#   python3 attacker -----> vnetd --web/--metrics on 127.0.0.1 (same thread as the datapath)
#   ns a  vt<ID>-pa 10.79.0.1 ---- pa [sw0] pb ---- vt<ID>-pb 10.79.0.2  ns b
#                 ping every 20 ms for the whole attack
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/_web.sh"

ns_add a b
web_vnetd_start
vctl switch/add sw0
tap_add sw0 pa a
tap_add sw0 pb b
ns_addr a "$(ifn pa)" 10.79.0.1/24
ns_addr b "$(ifn pb)" 10.79.0.2/24
assert_ping a 10.79.0.2

# rtt_stats FILE - "LOSS_PERCENT MEDIAN_MS MAX_MS" of a ping -n output
rtt_stats() {
  python3 - "$1" <<'PY'
import re, statistics, sys
t = open(sys.argv[1]).read()
rtts = [float(x) for x in re.findall(r"time=([0-9.]+) ms", t)]
m = re.search(r"(\d+) packets transmitted, (\d+) received", t)
sent, got = int(m.group(1)), int(m.group(2))
print(f"{100.0 * (sent - got) / sent:.1f} {statistics.median(rtts):.3f} {max(rtts):.3f}")
PY
}

step "baseline: 50 pings, no HTTP clients"
in_ns a ping -n -c 50 -i 0.02 -W 1 10.79.0.2 >"$T_DIR/ping-base.txt" || true
read -r base_loss base_med base_max < <(rtt_stats "$T_DIR/ping-base.txt")
echo "baseline: loss ${base_loss}%, median ${base_med} ms, max ${base_max} ms"

step "attack for ~12 s while pinging every 20 ms (until the attack ends: SIGINT)"
bg_run ip netns exec "$(nsn a)" ping -n -c 3000 -i 0.02 -W 1 10.79.0.2 >"$T_DIR/ping-attack.txt" 2>&1
ping_pid=$BG_PID
cat >"$T_DIR/attack.py" <<'PY'
import socket, sys, threading, time, urllib.request

WEB, MET = int(sys.argv[1]), int(sys.argv[2])
T0 = time.monotonic()
SLOW, SLOW_SECONDS = 50, 8.0
failures = []

def conn(port, tmo=5.0):
    s = socket.create_connection(("127.0.0.1", port), timeout=tmo)
    return s

def answer(s, tmo=5.0):
    """The status line's code, or 'closed' when the server hung up without one."""
    s.settimeout(tmo)
    buf = b""
    try:
        while b"\r\n" not in buf:
            b = s.recv(4096)
            if not b:
                break
            buf += b
    except (ConnectionResetError, BrokenPipeError):
        pass
    except socket.timeout:
        return "timeout"
    if not buf.startswith(b"HTTP/1."):
        return "closed"
    return buf.split(b" ")[1].decode()

def bad(name, data, want):
    s = conn(WEB)
    try:
        s.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass
    got = answer(s)
    s.close()
    ok = got in want
    print(f"{'ok' if ok else 'BAD'}: {name}: {got} (want one of {sorted(want)}) [{time.monotonic() - T0:.1f} s]", flush=True)
    if not ok:
        failures.append(name)

def slow(port, i, stop):
    """A slowloris: a request line, then header bytes one at a time, never finishing."""
    try:
        s = conn(port)
        s.sendall(b"GET /api/v1/version HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        while not stop.is_set():
            s.sendall(b"X")
            time.sleep(0.2)
        s.close()
    except OSError:
        pass  # the server may close it: that is allowed

def get(url, tmo=3.0):
    t0 = time.monotonic()
    with urllib.request.urlopen(url, timeout=tmo) as r:
        body = r.read()
        assert r.status == 200, r.status
    return time.monotonic() - t0, len(body)

stop = threading.Event()
threads = [threading.Thread(target=slow, args=(WEB if i % 5 else MET, i, stop), daemon=True) for i in range(SLOW)]
for t in threads:
    t.start()
time.sleep(0.5)
print(f"ok: {SLOW} slow clients connected and dribbling", flush=True)

# A silent client must be dropped by the idle timeout (10 s), not kept forever.
silent = conn(WEB)
silent_t0 = time.monotonic()

bad("garbage request line", b"GARBAGE\r\n\r\n", {"400", "closed"})
bad("unknown method", b"BREW /api/v1/version HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", {"405", "501", "400"})
bad("HTTP/9.9", b"GET / HTTP/9.9\r\nHost: 127.0.0.1\r\n\r\n", {"505", "400", "closed"})
bad("header without a colon", b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nnocolon\r\n\r\n", {"400", "closed"})
# libmicrohttpd cuts the path at the NUL: "/" is served, nothing else
bad("NUL in the request line", b"GET /\x00x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", {"200", "400", "404", "closed"})
bad("100 KiB URL", b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", {"414", "431", "400", "closed"})
bad("64 KiB header", b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"b" * 65536 + b"\r\n\r\n", {"431", "413", "400", "closed"})
bad("3000 headers", b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-A: b\r\n" * 3000 + b"\r\n", {"431", "413", "400", "closed"})
bad("no Host in HTTP/1.1", b"GET /api/v1/version HTTP/1.1\r\n\r\n", {"400"})
bad("a host name (DNS rebinding)", b"GET /api/v1/version HTTP/1.1\r\nHost: evil.example\r\n\r\n", {"421"})
bad("body over 64 KiB", b"POST /api/v1/version HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 200000\r\n\r\n" + b"{" * 200000, {"413", "closed"})
bad("negative Content-Length", b"POST /api/v1/version HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -5\r\n\r\n", {"400", "413", "closed"})
bad("broken chunked body", b"POST /api/v1/version HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", {"400", "closed"})
bad("malformed JSON body", b"POST /api/v1/version HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\n\r\n{{{{{", {"400"})
bad("args not strings", b'POST /api/v1/port/list HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 12\r\n\r\n{"args":[1]}', {"400"})
bad("path traversal", b"GET /../../etc/passwd HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", {"404", "400"})
bad("unknown command", b"GET /api/v1/no/such HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", {"404"})

# Meanwhile the API and the metrics answer, every half second, quickly.
worst = 0.0
n = 0
t_end = time.monotonic() + SLOW_SECONDS
while time.monotonic() < t_end:
    for url in (f"http://127.0.0.1:{WEB}/api/v1/stats/show/sw0", f"http://127.0.0.1:{MET}/metrics"):
        dt, size = get(url)
        worst = max(worst, dt)
        n += 1
    time.sleep(0.5)
print(f"ok: {n} API and metrics requests answered during the attack, slowest {worst * 1000:.0f} ms", flush=True)
if worst > 2.0:
    failures.append("slow answers")

# The silent connection was closed by the server after about the idle timeout (10 s).
silent.settimeout(8.0)
try:
    r = silent.recv(1)
    waited = time.monotonic() - silent_t0
    print(f"ok: a silent client was disconnected after {waited:.1f} s [{time.monotonic() - T0:.1f} s]", flush=True)
    if r != b"" or waited < 5 or waited > 20:
        failures.append("silent client")
except socket.timeout:
    print("BAD: a silent client was not disconnected", flush=True)
    failures.append("silent client")
stop.set()
for t in threads:
    t.join(2)

# More connections than the limit (128): the excess waits in the listen backlog, unserved, until
# slots free up; nothing piles up inside vnetd.
socks = []
for i in range(150):
    try:
        socks.append(conn(WEB, 2.0))
    except OSError:
        pass
time.sleep(0.5)
late = socks[-1]
late.sendall(b"GET /api/v1/version HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
got = answer(late, 1.5)
print(f"ok: {len(socks)} connections open; a request on the last one: {got} [{time.monotonic() - T0:.1f} s]", flush=True)
if got != "timeout":
    failures.append("connection limit: the connection past the limit was served")
for s in socks[:40]:
    s.close()
got = answer(late, 3.0)  # within 3 s: vnetd accepts as soon as a slot frees
print(f"ok: 40 connections closed; the waiting request was then answered: {got} [{time.monotonic() - T0:.1f} s]", flush=True)
if got != "200":
    failures.append("connection limit: the waiting request was not served after slots freed")
for s in socks[40:]:
    s.close()
time.sleep(0.5)
get(f"http://127.0.0.1:{WEB}/api/v1/version")
print("ok: the API answers after the connection flood", flush=True)
if failures:
    print("FAILED: " + ", ".join(failures))
    sys.exit(1)
PY
timeout 90 python3 "$T_DIR/attack.py" "$WEB_PORT" "$METRICS_PORT" || fail "hostile HTTP clients: see above"
sleep 1 # replies to the last pings
kill -INT "$ping_pid"
wait "$ping_pid" || true
read -r loss med max < <(rtt_stats "$T_DIR/ping-attack.txt")
echo "during the attack: loss ${loss}%, median ${med} ms, max ${max} ms (baseline median ${base_med} ms)"
assert_eq "$loss" 0.0 "ping loss during the attack (%)"
python3 -c "import sys; sys.exit(0 if float('$med') <= max(5.0, 10 * float('$base_med')) else 1)" ||
  fail "median RTT ${med} ms during the attack (baseline ${base_med} ms)"
echo "ok: median RTT during the attack ${med} ms <= max(5 ms, 10 x baseline)"
assert_vnetd_alive
assert_ping a 10.79.0.2
t_pass
