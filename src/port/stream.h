/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stream.h - the stream port type: QEMU's -netdev stream (a unix or TCP stream
 * socket, each frame preceded by its 4-byte big-endian length), with vnetd as
 * the server (it listens, QEMU connects) or the client (QEMU listens, vnetd
 * connects and reconnects).
 */
#ifndef VNET_STREAM_H
#define VNET_STREAM_H

#include "../net/eth.h"
#include "port.h"

#define STREAM_FRAME_MAX (PORT_MTU_MAX + ETH_HLEN + VLAN_HLEN) /* largest frame either way */

extern const struct port_ops stream_port_ops;

/**
 * stream_qemu_arg() - the QEMU options that pair a guest NIC with a socket port
 * @netdev: "stream" or "dgram"
 * @id:     the port name (made a valid QEMU id)
 * @opts:   the -netdev options after the id, unescaped (commas in paths are doubled here)
 * Writes "-netdev NETDEV,id=ID,OPTS -device virtio-net-pci,netdev=ID" to @buf.
 */
void stream_qemu_arg(char *buf, size_t size, const char *netdev, const char *id,
		     const char *const *opts, unsigned n_opts);

#endif /* VNET_STREAM_H */
