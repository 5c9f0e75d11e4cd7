#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 11-bad-control - hostile control clients: malformed JSON, wrong types, unknown commands,
# oversized lines, clients that vanish mid-request, floods of connections. Each gets a
# clear error (or is disconnected) and the daemon keeps serving everyone else.
#
#   python3 client(s) ----+
#   vnetctl ------------ unix socket $T_DIR/vnetd.sock --- vnetd (sw0: d1 d2 dummy)
#   (no namespaces: the control plane only)
. "$(dirname "$0")/../lib.sh"
require_cmd python3

vnetd_start
vctl switch/add sw0
dummy_add sw0 d1
dummy_add sw0 d2 tag=10
ports_before=$(vctlj port/list | jq -cS .)

cat >"$T_DIR/client.py" <<'PY'
# Hostile control client: one case per argument; prints one line per case.
import json, os, socket, sys, time

SOCK = os.environ["T_SOCK"]
TMO = 10.0

def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(TMO)
    s.connect(SOCK)
    return s

def reply(s):
    """One reply line, or None when the daemon closed the connection."""
    buf = b""
    while not buf.endswith(b"\n"):
        try:
            b = s.recv(65536)
        except ConnectionResetError:
            return None
        if not b:
            return None if not buf else json.loads(buf)
        buf += b
    return json.loads(buf)

def ask(s, line):
    s.sendall(line if isinstance(line, bytes) else line.encode())
    return reply(s)

def expect_error(name, line, must_contain=""):
    s = conn()
    r = ask(s, line)
    assert r is not None, f"{name}: connection closed without an error reply"
    assert r.get("ok") is False, f"{name}: expected an error, got {r}"
    err = r.get("error", "")
    assert err and "\n" not in err, f"{name}: error must be one line: {err!r}"
    assert must_contain.lower() in err.lower(), f"{name}: {err!r} lacks {must_contain!r}"
    # The connection is still usable after a bad request (unless the daemon closed it).
    r2 = ask(s, '{"cmd": "switch/list"}\n')
    state = "connection kept" if r2 is not None and r2.get("ok") else "connection closed"
    print(f"ok: {name}: error {err!r} ({state})")
    s.close()

def case_malformed():
    expect_error("malformed JSON", '{"cmd": "switch/list"\n', "JSON")
    expect_error("not JSON at all", "hello\n", "JSON")
    expect_error("a JSON array", '["switch/list"]\n', "object")
    expect_error("no cmd", '{"args": []}\n', "cmd")
    expect_error("cmd not a string", '{"cmd": 5}\n', "cmd")
    expect_error("args not an array", '{"cmd": "switch/list", "args": "x"}\n', "args")
    expect_error("an argument not a string", '{"cmd": "switch/add", "args": [1]}\n', "args")
    expect_error("too many arguments", json.dumps({"cmd": "port/add", "args": ["a"] * 1000}) + "\n",
                 "argument")
    expect_error("NUL byte in an argument", '{"cmd": "switch/add", "args": ["a\\u0000b"]}\n')
    expect_error("invalid UTF-8", b'{"cmd": "switch/add", "args": ["\xff\xfe"]}\n')
    expect_error("deeply nested", "[" * 10000 + "]" * 10000 + "\n")

def case_unknown():
    expect_error("unknown command", '{"cmd": "nope/nope"}\n', "unknown")
    expect_error("bad argument count", '{"cmd": "switch/add", "args": []}\n', "usage")
    expect_error("no such switch", '{"cmd": "port/list", "args": ["nosuch"]}\n', "nosuch")

def case_oversized():
    # A line over 64 KiB gets an error, then the connection is closed.
    s = conn()
    line = '{"cmd": "switch/list", "args": ["' + "x" * (70 * 1024) + '"]}\n'
    try:
        s.sendall(line.encode())
    except (BrokenPipeError, ConnectionResetError):
        pass
    r = reply(s)
    assert r is not None and r.get("ok") is False, f"oversized line: {r}"
    print(f"ok: oversized line: error {r['error']!r}")
    s.close()
    # 1 MiB with no newline at all: the daemon must not buffer it all.
    s = conn()
    sent = 0
    try:
        for _ in range(16):
            s.sendall(b"y" * 65536)
            sent += 65536
    except (BrokenPipeError, ConnectionResetError, socket.timeout):
        pass
    r = reply(s)
    assert r is None or r.get("ok") is False, f"endless line: {r}"
    print(f"ok: endless line cut off after {sent} bytes sent")
    s.close()

def case_disconnect():
    # Half a request, then gone.
    for i in range(20):
        s = conn()
        s.sendall(b'{"cmd": "port/li')
        s.close()
    # A whole request, gone before the reply.
    for i in range(20):
        s = conn()
        s.sendall(b'{"cmd": "fdb/show", "args": ["sw0"]}\n')
        s.close()
    # Shut down the sending side mid-request: the partial line is not run.
    s = conn()
    s.sendall(b'{"cmd": "switch/add", "args": ["half"]}')
    s.shutdown(socket.SHUT_WR)
    r = reply(s)
    s.close()
    print(f"ok: clients vanished mid-request (after half-close: {r})")

def case_rapid():
    t0 = time.time()
    for i in range(100):
        s = conn()
        r = ask(s, '{"cmd": "switch/list"}\n')
        assert r and r.get("ok"), f"rapid connect {i}: {r}"
        s.close()
    print(f"ok: 100 rapid connect/request/close in {time.time() - t0:.2f}s")
    # 100 connections at once: some may be refused (the client limit),
    # none may hang the daemon.
    socks, served, refused = [], 0, 0
    for i in range(100):
        try:
            socks.append(conn())
        except OSError:
            refused += 1
    for s in socks:
        try:
            r = ask(s, '{"cmd": "switch/list"}\n')
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            r = None
        if r and r.get("ok"):
            served += 1
        else:
            refused += 1
    for s in socks:
        s.close()
    assert served >= 1, "no concurrent client was served"
    print(f"ok: 100 concurrent clients: {served} served, {refused} refused")

for c in sys.argv[1:]:
    globals()["case_" + c]()
PY

export T_SOCK
for c in malformed unknown oversized disconnect rapid; do
  step "case: $c"
  timeout 120 python3 "$T_DIR/client.py" $c || fail "client case $c failed"
  assert_vnetd_alive
  vctl switch/list >/dev/null || fail "vnetd stopped answering after case $c"
done

step "vnetctl: errors are one line on stderr and a non-zero exit status"
# vctl_error ARGS... - vnetctl must fail with exactly one line on stderr
vctl_error() {
  local err rc=0
  err=$(vctl "$@" 2>&1 >/dev/null) || rc=$?
  [ $rc -ne 0 ] || fail "vnetctl $* succeeded"
  [ "$(echo "$err" | wc -l)" -eq 1 ] || fail "vnetctl $*: error is not one line: $err"
  echo "ok: vnetctl $* -> status $rc: $err"
}
vctl_error nope/nope
vctl_error switch/add
vctl_error port/list nosuch
vctl_error port/add sw0 d1 type=dummy
vctl_error port/add sw0 d3 type=dummy tag=5000
vctl_error port/add sw0 d3 type=dummy vlan_mode=access trunks=10
vctl_error port/add sw0 d3 type=warp
vctl_error port/add sw0 d3 type=dummy colour=blue
vctl_error port/set sw0 d2 type=tap
vctl_error fdb/add sw0 02:00:00:00:11:01 5000 d1
vctl_error fdb/add sw0 zz:00:00:00:11:01 1 d1
vctl_error dummy/inject sw0 d1 nothex
vctl_error switch/add "$(printf 'x%.0s' $(seq 1 100))"
vctl_error switch/add ../evil
rc=0
err=$(VNET_SOCKET=$T_DIR/nosuch.sock "$VNETCTL" switch/list 2>&1 >/dev/null) || rc=$?
assert_num $rc -ne 0 "exit status with no daemon on the socket ($err)"
step "VNET_SOCKET stands in for --socket"
assert_eq "$(VNET_SOCKET=$T_SOCK "$VNETCTL" --json switch/list | jq -r '.[0].name')" sw0 "switch/list via VNET_SOCKET"

step "the daemon is unaffected: same ports, still switching"
assert_eq "$(vctlj port/list | jq -cS .)" "$ports_before" "port/list after the abuse"
inject sw0 d1 "$(frame ff:ff:ff:ff:ff:ff 02:00:00:00:11:02)"
assert_eq "$(fdb_port sw0 02:00:00:00:11:02 0)" d1 "learning still works"
assert_eq "$(json_get "$(vctlj switch/list)" '[.[].name] | join(",")')" sw0 "no switch was created by the abuse"

t_pass
