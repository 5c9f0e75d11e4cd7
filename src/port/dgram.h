/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dgram.h - the dgram port type: QEMU's -netdev dgram on unix datagram
 * sockets, one frame per datagram. vnetd binds path=, QEMU binds peer=, and
 * each sends to the other's.
 */
#ifndef VNET_DGRAM_H
#define VNET_DGRAM_H

#include "port.h"

extern const struct port_ops dgram_port_ops;

#endif /* VNET_DGRAM_H */
