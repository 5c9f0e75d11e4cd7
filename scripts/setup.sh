#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# setup.sh - install everything vnet's build, tests and benchmarks need on Debian 12. Run as root.
#
# Idempotent: packages already installed are skipped, and apt-get update runs
# at most once per run (and only when something is missing). Services that
# packages would start (the system Open vSwitch, dnsmasq) are kept from
# starting, so they cannot interfere with the private instances the tests and
# benchmarks run. Quiet on success; apt's errors are shown.
set -eu -o pipefail

# Build: compiler, sanitizer and libFuzzer runtimes, libraries, formatter.
PKGS_BUILD="build-essential clang libclang-rt-14-dev clang-format pkg-config
  libjansson-dev libcmocka-dev libslirp-dev libglib2.0-dev"
# Tests: namespaces, traffic, JSON, captures, control-socket clients, debugging.
PKGS_TEST="iproute2 iputils-ping iperf3 ethtool jq tcpdump python3 socat procps psmisc kmod
  valgrind isc-dhcp-client dnsutils curl udhcpc dnsmasq-base"
# Real-guest tests (tests/vm): QEMU under TCG, a busybox initramfs.
PKGS_VM="qemu-system-x86 busybox-static passwd util-linux"
# Benchmark peers and vhost-user clients (see shared PEERS notes).
PKGS_BENCH="dpdk dpdk-dev openvswitch-switch openvswitch-switch-dpdk vde2 netsniff-ng slirp4netns passt
  linux-perf"
# The web console, JSON API and metrics (src/web) and their browser test (tests/web).
PKGS_BUILD="$PKGS_BUILD libmicrohttpd-dev"
PKGS_TEST="$PKGS_TEST chromium"
# The uplink port's AF_XDP backend (src/port/afxdp.c); setpriv for its capability test.
PKGS_BUILD="$PKGS_BUILD libxdp-dev libbpf-dev"
PKGS_TEST="$PKGS_TEST util-linux"
# vnetctl capture writes pcap with libpcap; its tests read it back with tshark.
PKGS_BUILD="$PKGS_BUILD libpcap-dev"
PKGS_TEST="$PKGS_TEST tshark"

die() {
  echo "setup.sh: $*" >&2
  exit 1
}

[ "$(id -u)" = 0 ] || die "must run as root"
[ -r /etc/debian_version ] || die "this script supports Debian 12 only"

export DEBIAN_FRONTEND=noninteractive

# Packages whose install status is not "ok installed".
missing=()
for p in $PKGS_BUILD $PKGS_TEST $PKGS_VM $PKGS_BENCH; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
    missing+=("$p")
  fi
done

log=$(mktemp /tmp/vnet-setup.XXXXXX)
updated=0
# apt_update_once - refresh the package lists, at most once per run
apt_update_once() {
  [ $updated = 1 ] && return 0
  if ! apt-get update -q >"$log" 2>&1; then
    cat "$log" >&2
    die "apt-get update failed"
  fi
  updated=1
}

# Keep package scripts from starting services (openvswitch-switch's postinst
# would start the system ovs-vswitchd and ovsdb-server). 101 = "action forbidden".
policy=/usr/sbin/policy-rc.d
policy_ours=0
trap 'rm -f "$log"; if [ $policy_ours = 1 ]; then rm -f $policy; fi' EXIT

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup.sh: installing ${missing[*]}"
  if [ ! -e $policy ]; then
    printf '#!/bin/sh\nexit 101\n' >$policy
    chmod 0755 $policy
    policy_ours=1
  fi
  apt_update_once
  if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
    grep -E '^(E:|W:)|error' "$log" >&2 || tail -n 30 "$log" >&2
    die "apt-get install failed"
  fi
fi

# The real-guest tests (tests/vm/build.sh) download the Debian cloud kernel
# with "apt-get download", which needs package lists that know it.
if ! apt-cache policy linux-image-cloud-amd64 2>/dev/null | grep -q 'Candidate: [0-9]'; then
  apt_update_once
fi

# The system Open vSwitch must not run: benchmarks start a private instance,
# and a system ovs-vswitchd would grab taps named like ours. Stop it if an
# earlier install (without policy-rc.d) started it.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  for unit in openvswitch-switch ovs-vswitchd ovsdb-server; do
    systemctl disable --now "$unit" >/dev/null 2>&1 || true
  done
fi
# Only the system instance (its pid files in the default run dir); private
# instances that benchmarks start live elsewhere and are left alone.
if [ -x /usr/share/openvswitch/scripts/ovs-ctl ] &&
  { [ -e /run/openvswitch/ovs-vswitchd.pid ] || [ -e /run/openvswitch/ovsdb-server.pid ]; }; then
  /usr/share/openvswitch/scripts/ovs-ctl stop >/dev/null 2>&1 || true
fi

# tun is built in or a module; the datapath needs /dev/net/tun.
if [ ! -c /dev/net/tun ]; then
  modprobe tun 2>/dev/null || true
  [ -c /dev/net/tun ] || die "/dev/net/tun is missing (no tun support in this kernel)"
fi

# The control socket is 0660 root:vnet when the group exists.
getent group vnet >/dev/null 2>&1 || groupadd --system vnet

# The browser test (tests/web) runs playwright-core under Node.js: Debian's nodejs and npm
# unless a Node.js with its npm is installed already (another packaging of Node brings its
# own npm, which Debian's would conflict with); then exactly the playwright-core version of
# tests/web/package-lock.json. When that is installed already, nothing is fetched (offline).
web_dir=$(cd "$(dirname "$0")/.." && pwd)/tests/web
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "setup.sh: installing nodejs npm"
  apt_update_once
  apt-get install -y -q --no-install-recommends nodejs npm >"$log" 2>&1 ||
    { tail -n 20 "$log" >&2; die "apt-get install nodejs npm failed"; }
fi
want=$(jq -r '.packages["node_modules/playwright-core"].version' "$web_dir/package-lock.json")
have=$(jq -r .version "$web_dir/node_modules/playwright-core/package.json" 2>/dev/null || true)
if [ "$want" != "$have" ]; then
  echo "setup.sh: npm ci in tests/web (playwright-core $want)"
  if ! (cd "$web_dir" && npm ci --no-audit --no-fund) >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    echo "setup.sh: warning: npm ci in tests/web failed; tests/netns/99-web-console will fail" >&2
  fi
fi

echo "setup.sh: ok"
