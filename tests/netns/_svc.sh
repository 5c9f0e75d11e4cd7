# SPDX-License-Identifier: GPL-2.0-or-later
# _svc.sh - helpers of the network-mode scenarios (4x-*.sh): VMs as namespaces
# with a fixed MAC, real DHCP clients (busybox udhcpc, ISC dhclient) whose
# scripts record the lease and configure the interface but never touch the
# host's /etc/resolv.conf, and DNS queries with dig. Source after lib.sh.

require_cmd udhcpc dhclient dig

SVC_DIR=$T_DIR/svc
mkdir -p "$SVC_DIR"

# The client scripts: write the lease's variables to $OUT.<event> as KEY=VALUE
# lines (same keys for both clients), then apply address, MTU and route.
cat >"$SVC_DIR/udhcpc.sh" <<'SCRIPT'
#!/bin/sh
case $1 in
bound|renew)
  {
    echo "ip=$ip"; echo "mask=$mask"; echo "router=${router%% *}"; echo "dns=$dns"
    echo "domain=$domain"; echo "mtu=$mtu"; echo "lease=$lease"; echo "server=$serverid"
  } >"$OUT.$1.tmp" && mv "$OUT.$1.tmp" "$OUT.$1"
  [ -n "$mtu" ] && ip link set dev "$interface" mtu "$mtu"
  # a renewal keeps the address: flushing it would flush the ARP cache too, and a
  # release sent right after would wait for ARP and be lost with the next flush
  [ "$1" = bound ] && ip addr flush dev "$interface"
  ip addr replace "$ip/$mask" dev "$interface"
  [ -n "$router" ] && ip route replace default via "${router%% *}" dev "$interface"
  ;;
deconfig) ip addr flush dev "$interface" ;;
esac
exit 0
SCRIPT
cat >"$SVC_DIR/dhclient.sh" <<'SCRIPT'
#!/bin/sh
mask2len() {
  n=0
  for o in $(echo "$1" | tr . ' '); do
    case $o in 255) n=$((n+8));; 254) n=$((n+7));; 252) n=$((n+6));; 248) n=$((n+5));;
      240) n=$((n+4));; 224) n=$((n+3));; 192) n=$((n+2));; 128) n=$((n+1));; esac
  done
  echo $n
}
case $reason in
BOUND|RENEW|REBIND|REBOOT)
  ev=bound
  [ "$reason" = RENEW ] || [ "$reason" = REBIND ] && ev=renew
  {
    echo "ip=$new_ip_address"; echo "mask=$(mask2len "$new_subnet_mask")"
    echo "router=${new_routers%% *}"; echo "dns=$new_domain_name_servers"
    echo "domain=$new_domain_name"; echo "mtu=$new_interface_mtu"
    echo "lease=$new_dhcp_lease_time"; echo "server=$new_dhcp_server_identifier"
  } >"$OUT.$ev.tmp" && mv "$OUT.$ev.tmp" "$OUT.$ev"
  [ -n "$new_interface_mtu" ] && ip link set dev "$interface" mtu "$new_interface_mtu"
  [ "$ev" = bound ] && ip addr flush dev "$interface"
  ip addr replace "$new_ip_address/$(mask2len "$new_subnet_mask")" dev "$interface"
  [ -n "$new_routers" ] && ip route replace default via "${new_routers%% *}" dev "$interface"
  ;;
EXPIRE|FAIL|RELEASE|STOP) ip addr flush dev "$interface" ;;
esac
exit 0
SCRIPT
chmod +x "$SVC_DIR/udhcpc.sh" "$SVC_DIR/dhclient.sh"

# vm_add SWITCH PORT NS MAC [key=value...] - a VM: namespace NS (created if
# needed) with tap port PORT, whose device gets MAC
vm_add() {
  local sw=$1 port=$2 ns=$3 mac=$4
  shift 4
  ip netns list | grep -qw "$(nsn "$ns")" || ns_add "$ns"
  tap_add "$sw" "$port" "$ns" "$@"
  ns_mac "$ns" "$(ifn "$port")" "$mac"
}

# vm_reattach NS PORT MAC - after a vnetd restart the tap is new: move it back
vm_reattach() {
  local dev
  dev=$(ifn "$2")
  wait_for "ip link show dev $dev || ip -n $(nsn "$1") link show dev $dev" 10 ||
    fail "tap $dev of port $2 missing after the restart"
  if ip link show dev "$dev" >/dev/null 2>&1; then
    ip link set dev "$dev" netns "$(nsn "$1")"
  fi
  ns_mac "$1" "$dev" "$3"
}

# lease_file NS - where the client scripts of NS write their lease
lease_file() {
  echo "$SVC_DIR/lease-$1"
}

# lease_var NS KEY [EVENT] - one variable of NS's last lease (EVENT bound or renew)
lease_var() {
  local f
  f=$(lease_file "$1").${3:-bound}
  [ -f "$f" ] || fail "no $3 lease recorded for $1 ($f)"
  sed -n "s/^$2=//p" "$f"
}

# udhcpc_get NS DEV [HOSTNAME] - get a lease with busybox udhcpc (foreground, quits once bound)
udhcpc_get() {
  local ns=$1 dev=$2 host=${3:-}
  rm -f "$(lease_file "$ns")".*
  in_ns "$ns" env OUT="$(lease_file "$ns")" timeout 20 udhcpc -f -q -n -t 5 -T 2 -i "$dev" \
    -s "$SVC_DIR/udhcpc.sh" ${host:+-x hostname:$host} >"$SVC_DIR/udhcpc-$ns.log" 2>&1
}

# udhcpc_start NS DEV [HOSTNAME] - udhcpc as a daemon (renews; releases on SIGUSR2/exit with -R)
udhcpc_start() {
  local ns=$1 dev=$2 host=${3:-}
  rm -f "$(lease_file "$ns")".*
  bg_run ip netns exec "$(nsn "$ns")" env OUT="$(lease_file "$ns")" udhcpc -f -R -t 5 -T 2 \
    -i "$dev" -s "$SVC_DIR/udhcpc.sh" ${host:+-x hostname:$host} -p "$SVC_DIR/udhcpc-$ns.pid"
  wait_for "[ -f $(lease_file "$ns").bound ]" 20 || fail "udhcpc in $ns got no lease"
}

# dhclient_get NS DEV [HOSTNAME] - get a lease with ISC dhclient (one try, then it stays
# running to renew; killed at cleanup)
dhclient_get() {
  local ns=$1 dev=$2 host=${3:-} conf
  conf=$SVC_DIR/dhclient-$ns.conf
  rm -f "$(lease_file "$ns")".*
  {
    echo 'request subnet-mask, broadcast-address, routers, domain-name, domain-name-servers, interface-mtu;'
    [ -n "$host" ] && echo "send host-name \"$host\";"
  } >"$conf"
  in_ns "$ns" timeout 30 dhclient -1 -v -cf "$conf" -sf "$SVC_DIR/dhclient.sh" \
    -lf "$SVC_DIR/dhclient-$ns.leases" -pf "$SVC_DIR/dhclient-$ns.pid" \
    -e OUT="$(lease_file "$ns")" "$dev" >"$SVC_DIR/dhclient-$ns.log" 2>&1
  local rc=$?
  [ -f "$SVC_DIR/dhclient-$ns.pid" ] && at_exit "kill $(cat "$SVC_DIR/dhclient-$ns.pid")"
  return $rc
}

# net_field NETWORK FIELD - one field of network/list --json
net_field() {
  local j
  j=$(vctlj network/list) || fail "network/list failed"
  json_get "$j" ".[] | select(.name == \"$1\") | .$2"
}

# lease_of NETWORK MAC FIELD - one field of the lease of MAC in dhcp/leases --json
lease_of() {
  local j
  j=$(vctlj dhcp/leases "$1") || fail "dhcp/leases $1 failed"
  json_get "$j" "[.leases[] | select(.mac == \"$2\") | .$3] | first // \"\""
}

# dig_a NS SERVER NAME - the A records (or "STATUS: x" when there are none)
dig_a() {
  local out
  out=$(in_ns "$1" dig +time=2 +tries=2 +norecurse @"$2" "$3" A 2>&1) || true
  if echo "$out" | grep -q "ANSWER: 0"; then
    echo "STATUS: $(echo "$out" | sed -n 's/.*status: \([A-Z]*\).*/\1/p')"
  else
    echo "$out" | awk '/^;; ANSWER SECTION/ { a = 1; next } a && NF == 0 { exit } a { print $NF }'
  fi
}

# free_port - a TCP port nobody listens on in the root namespace (from 20000 up)
free_port() {
  local p
  for ((p = 20000 + RANDOM % 20000; ; p++)); do
    ss -Htan "sport = :$p" | grep -q . || { echo "$p"; return; }
  done
}

# A scriptable DHCP client speaking raw frames (AF_PACKET), for what real clients do not
# do: many MACs, malformed messages, requests for chosen addresses.
#   dhcpc.py DEV dora MAC...         full handshake per MAC; prints "MAC IP" or "MAC none"
#                                    (with DHCPC_STOP_ON_FAIL=1, stops at the first "none")
#   dhcpc.py DEV request MAC IP      INIT-REBOOT request; prints ACK, NAK or none
#   dhcpc.py DEV bad MAC             malformed/refused messages; prints how many got replies
cat >"$SVC_DIR/dhcpc.py" <<'PY'
import os, random, socket, struct, sys, time

dev, cmd, args = sys.argv[1], sys.argv[2], sys.argv[3:]
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
s.bind((dev, 0))
s.settimeout(0.2)

def csum(b):
    if len(b) % 2:
        b += b"\0"
    t = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while t >> 16:
        t = (t & 0xFFFF) + (t >> 16)
    return ~t & 0xFFFF

def frame(src_mac, payload, src_ip="0.0.0.0", dst_ip="255.255.255.255"):
    udp = struct.pack("!HHHH", 68, 67, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 0, 0, 64, 17, 0,
                     socket.inet_aton(src_ip), socket.inet_aton(dst_ip))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    pseudo = ip[12:20] + struct.pack("!BBH", 0, 17, len(udp))
    c = csum(pseudo + udp) or 0xFFFF
    udp = udp[:6] + struct.pack("!H", c) + udp[8:]
    return b"\xff" * 6 + src_mac + b"\x08\x00" + ip + udp

def bootp(mac, xid, mtype, opts=b""):
    b = struct.pack("!BBBBIHHIIII", 1, 1, 6, 0, xid, 0, 0x8000, 0, 0, 0, 0)
    b += mac + b"\0" * 10 + b"\0" * 192 + struct.pack("!I", 0x63825363)
    return b + bytes([53, 1, mtype]) + opts + b"\xff"

def opt(code, val):
    return bytes([code, len(val)]) + val

def reply(xid, timeout=2.0):
    end = time.time() + timeout
    while time.time() < end:
        try:
            f = s.recv(2048)
        except socket.timeout:
            continue
        except OSError:
            return 0, None, None
        if len(f) < 282 or f[23] != 17:
            continue
        ihl = (f[14] & 15) * 4
        u = 14 + ihl
        if struct.unpack("!H", f[u + 2:u + 4])[0] != 68:
            continue
        b = f[u + 8:]
        if b[0] != 2 or struct.unpack("!I", b[4:8])[0] != xid:
            continue
        i, mtype, server = 240, 0, b"\0" * 4
        while i + 1 < len(b) and b[i] != 255:
            if b[i] == 0:
                i += 1
                continue
            if b[i] == 53:
                mtype = b[i + 2]
            if b[i] == 54:
                server = b[i + 2:i + 6]
            i += 2 + b[i + 1]
        return mtype, socket.inet_ntoa(b[16:20]), server
    return 0, None, None

def mac_bytes(m):
    return bytes(int(x, 16) for x in m.split(":"))

def send(f):
    try:
        s.send(f)
    except OSError:  # the tap went away (vnetd killed): no answer will come
        pass

if cmd == "dora":
    for m in args:
        mac, xid = mac_bytes(m), random.getrandbits(32)
        ip = None
        for _ in range(3):
            send(frame(mac, bootp(mac, xid, 1)))
            t, offer, server = reply(xid)
            if t == 2:
                break
        if t == 2:
            send(frame(mac, bootp(mac, xid, 3, opt(50, socket.inet_aton(offer)) + opt(54, server))))
            t, got, _ = reply(xid)
            if t == 5:
                ip = got
        print(m, ip or "none", flush=True)
        if not ip and os.environ.get("DHCPC_STOP_ON_FAIL"):
            break
elif cmd == "request":
    mac, xid = mac_bytes(args[0]), random.getrandbits(32)
    s.send(frame(mac, bootp(mac, xid, 3, opt(50, socket.inet_aton(args[1])))))
    t, _, _ = reply(xid)
    print({5: "ACK", 6: "NAK"}.get(t, "none"))
elif cmd == "bad":
    # malformed or refused messages, each from its own MAC; prints how many got replies
    mac = mac_bytes(args[0])
    good = bootp(mac, 1, 1)
    other = bytes.fromhex("525400eeeeee")
    relayed = bytearray(good)
    relayed[24:28] = socket.inet_aton("10.9.9.9")
    msgs = {
        "truncated": good[:100],
        "no_magic": good[:236] + b"\0\0\0\0" + good[240:],
        "no_end": good[:-1],
        "overrun": good[:-1] + bytes([12, 200]) + b"x" * 10,
        "type_len": good[:240] + bytes([53, 2, 1, 1, 255]),
        "no_type": good[:240] + bytes([12, 1, 65, 255]),
        "bad_overload": good[:-1] + bytes([52, 1, 9, 255]),
        "chaddr": bootp(other, 2, 1),
        "relayed": bytes(relayed),
    }
    n = 0
    for name, b in msgs.items():
        send(frame(mac, b))
        t, _, _ = reply(struct.unpack("!I", b[4:8])[0] if len(b) >= 8 else 0, 0.5)
        if t:
            print("reply to", name)
            n += 1
    print(n)
PY

# dhcpc NS DEV ARGS... - run dhcpc.py in NS
dhcpc() {
  local ns=$1
  shift
  in_ns "$ns" timeout 120 python3 "$SVC_DIR/dhcpc.py" "$@"
}
