#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# build.sh - build the small Linux guest the vm tests boot in QEMU:
#   tests/vm/out/vmlinuz            Debian's cloud kernel (from its .deb; nothing is installed)
#   tests/vm/out/initramfs.cpio.gz  busybox + virtio-net modules + iperf3, ping, ethtool; /init is _init.sh
#
# Safe to run again: the kernel .deb is downloaded once into tests/vm/cache/ with
# "apt-get download"; the initramfs is rebuilt (about a second) only when an input
# is newer than it. Exit status 77 when a prerequisite is missing (no busybox-static,
# no apt access to the kernel package), so callers can skip rather than fail.
#
# Environment: KPKG=linux-image-6.1.0-NN-cloud-amd64-unsigned pins the kernel package.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=$HERE/cache
OUT=$HERE/out
mkdir -p "$CACHE" "$OUT"

missing() {
	echo "SKIP: vm/build.sh: $*" >&2
	exit 77
}

for b in /bin/busybox /usr/bin/iperf3 /usr/bin/ping /usr/sbin/ethtool /usr/sbin/depmod; do
	[ -x "$b" ] || missing "$b not found (scripts/setup.sh installs busybox-static iperf3 iputils-ping ethtool kmod)"
done
ldd /bin/busybox >/dev/null 2>&1 && missing "/bin/busybox is not static (apt-get install busybox-static)"

# ---- the kernel ----
if [ -z "${KPKG:-}" ]; then
	if [ -s "$CACHE/KPKG" ]; then
		KPKG=$(cat "$CACHE/KPKG")
	else
		dep=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-6/ { print $2; exit }')
		[ -n "$dep" ] || missing "cannot resolve linux-image-cloud-amd64 (apt-get update?)"
		KPKG=$dep-unsigned
	fi
fi
echo "$KPKG" >"$CACHE/KPKG"
KVER=${KPKG#linux-image-}
KVER=${KVER%-unsigned}
deb=$(ls "$CACHE/${KPKG}"_*.deb 2>/dev/null | head -1 || true)
if [ -z "$deb" ]; then
	echo "build.sh: downloading $KPKG"
	(cd "$CACHE" && apt-get download "$KPKG" >/dev/null 2>&1) || missing "apt-get download $KPKG failed"
	deb=$(ls "$CACHE/${KPKG}"_*.deb | head -1)
fi
KX=$CACHE/kernel-$KVER
if [ ! -f "$KX/boot/vmlinuz-$KVER" ]; then
	rm -rf "$KX"
	dpkg-deb -x "$deb" "$KX"
fi
MD=$KX/lib/modules/$KVER
[ -f "$MD/modules.dep" ] || depmod -b "$KX" "$KVER" # the .deb has no modules.dep
cp -f "$KX/boot/vmlinuz-$KVER" "$OUT/vmlinuz"

# ---- the initramfs: rebuilt when an input changed ----
INITRD=$OUT/initramfs.cpio.gz
if [ -f "$INITRD" ] && [ "$INITRD" -nt "$HERE/_init.sh" ] && [ "$INITRD" -nt "$0" ] &&
	[ "$INITRD" -nt "$deb" ]; then
	echo "build.sh: $INITRD is up to date"
	exit 0
fi
R=$OUT/rootfs
rm -rf "$R"
mkdir -p "$R"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,etc,proc,sys,dev,tmp,run,root,lib/gmods}
cp /bin/busybox "$R/bin/busybox"
for a in $(/bin/busybox --list); do
	[ -e "$R/bin/$a" ] || ln -s busybox "$R/bin/$a"
done

# virtio_net, virtio_pci and their dependencies, in load order (from modules.dep)
declare -A seen=()
order=()
add_mod() {
	local m=$1 d
	[ -n "${seen[$m]:-}" ] && return
	seen[$m]=1
	for d in $(awk -F': ' -v m="$m" '$1 == m { print $2 }' "$MD/modules.dep"); do
		add_mod "$d"
	done
	order+=("$m")
}
for top in virtio_pci virtio_net; do
	p=$(awk -F: -v n="/$top.ko" '{ f = $1; sub(/\.(xz|zst)$/, "", f) } substr(f, length(f) - length(n) + 1) == n { print $1; exit }' "$MD/modules.dep")
	[ -n "$p" ] || missing "module $top not in $MD/modules.dep"
	add_mod "$p"
done
: >"$R/etc/gmodules"
for m in "${order[@]}"; do
	b=$(basename "$m")
	case $b in
	*.ko) cp "$MD/$m" "$R/lib/gmods/$b" ;;
	*.ko.xz) xz -dc "$MD/$m" >"$R/lib/gmods/${b%.xz}" && b=${b%.xz} ;;
	*.ko.zst) zstd -qdc "$MD/$m" >"$R/lib/gmods/${b%.zst}" && b=${b%.zst} ;;
	esac
	echo "$b" >>"$R/etc/gmodules"
done

# dynamic binaries with their libraries
copy_bin() {
	install -D -m 0755 "$1" "$R$2"
	ldd "$1" | awk '/=>/ && $3 ~ /^\// { print $3; next } $1 ~ /^\// { print $1 }' |
		while read -r lib; do
			[ -f "$R$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$R$lib"
		done
}
copy_bin /usr/bin/iperf3 /usr/bin/iperf3
copy_bin /usr/bin/ping /usr/bin/iping # busybox sh runs its own "ping" applet first
copy_bin /usr/sbin/ethtool /usr/sbin/ethtool
echo 'root:x:0:0:root:/root:/bin/sh' >"$R/etc/passwd"
echo 'root:x:0:' >"$R/etc/group"
printf '127.0.0.1 localhost\n' >"$R/etc/hosts"
install -m 0755 "$HERE/_init.sh" "$R/init"
# gwait HOST [SECONDS]: wait until HOST answers ping (the peer guest has booted)
cat >"$R/bin/gwait" <<'EOF'
#!/bin/sh
t=${2:-60}
s=$(cut -d. -f1 /proc/uptime)
until ping -c 1 -W 1 "$1" >/dev/null 2>&1; do
	[ $(($(cut -d. -f1 /proc/uptime) - s)) -ge "$t" ] && { echo "gwait: $1 unreachable for ${t}s"; exit 1; }
done
echo "gwait: $1 reachable after $(($(cut -d. -f1 /proc/uptime) - s))s"
EOF
# giperf HOST ARGS...: iperf3 -c, retried while the server is not listening yet
cat >"$R/bin/giperf" <<'EOF'
#!/bin/sh
h=$1
shift
for i in 1 2 3 4 5 6 7 8 9 10; do
	iperf3 -c "$h" "$@" && exit 0
	sleep 1
done
exit 1
EOF
chmod 0755 "$R/bin/gwait" "$R/bin/giperf"

# fixed mtimes, sorted names, gzip -n: the same inputs give the same bytes
find "$R" -exec touch -h -d @0 {} +
(cd "$R" && find . | LC_ALL=C sort | /bin/busybox cpio -o -H newc -R 0:0 2>/dev/null) | gzip -n -6 >"$INITRD.tmp"
mv -f "$INITRD.tmp" "$INITRD"
rm -rf "$R"
echo "build.sh: kernel $KVER, modules: ${order[*]##*/}"
echo "build.sh: $OUT/vmlinuz, $INITRD ($(stat -c %s "$INITRD") bytes)"
