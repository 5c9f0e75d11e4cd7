#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# _init.sh - /init of the vm tests' guest (busybox sh). It loads the virtio-net
# driver, configures eth0 from the kernel command line, runs one command and
# powers off. Kernel parameters:
#   g.name=NAME      label in the marker lines
#   g.ip=A.B.C.D/N   eth0's address (none: link up only)
#   g.cmd64=BASE64   the command, for sh -c (base64: no quoting trouble)
# Marker lines on the serial console, read by tests/vm/_vm.sh:
#   G-READY name=.. mac=..       eth0 is up, the command starts
#   G-VIRTIO features=...        the virtio feature bits the driver negotiated
#   G-DONE name=.. rc=N          the command's exit status; poweroff follows
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
exec </dev/console >/dev/console 2>&1

NAME=guest IP= CMD=
for a in $(cat /proc/cmdline); do
	case $a in
	g.name=*) NAME=${a#g.name=} ;;
	g.ip=*) IP=${a#g.ip=} ;;
	g.cmd64=*) CMD=$(echo "${a#g.cmd64=}" | base64 -d) ;;
	esac
done
for m in $(cat /etc/gmodules); do
	insmod "/lib/gmods/$m" || echo "G-ERROR insmod $m"
done
ip link set lo up
i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
[ -e /sys/class/net/eth0 ] || echo "G-ERROR no eth0"
[ -n "$IP" ] && ip addr add "$IP" dev eth0
ip link set eth0 up
for d in /sys/bus/virtio/devices/virtio*; do
	[ -e "$d/net/eth0" ] || continue
	# features: a string of 0/1, character i = bit i
	echo "$(cat "$d/features")" | awk '{
		n = split("0 CSUM 1 GUEST_CSUM 7 GUEST_TSO4 8 GUEST_TSO6 9 GUEST_ECN 11 HOST_TSO4 12 HOST_TSO6 13 HOST_ECN 15 MRG_RXBUF 21 GUEST_ANNOUNCE 22 MQ 28 INDIRECT_DESC 29 EVENT_IDX 32 VERSION_1 34 RING_PACKED", t, " ")
		s = ""
		for (k = 1; k < n; k += 2) if (substr($0, t[k] + 1, 1) == "1") s = s " " t[k + 1]
		print "G-VIRTIO features=" substr(s, 2)
	}'
done
echo "G-READY name=$NAME mac=$(cat /sys/class/net/eth0/address 2>/dev/null)"
cd /root
sh -c "$CMD"
rc=$?
echo "G-STATS name=$NAME rx=$(cat /sys/class/net/eth0/statistics/rx_packets) tx=$(cat /sys/class/net/eth0/statistics/tx_packets)"
echo "G-DONE name=$NAME rc=$rc"
poweroff -f
