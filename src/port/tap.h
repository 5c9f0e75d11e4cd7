/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tap.h - tap and internal port types.
 *
 * A tap port owns the file side of a Linux tap device: the device itself
 * (the "netdev side") is the peer, typically moved into a network namespace
 * standing in for a VM. An internal port is a tap that stays in the host and
 * carries the host's own address on the switch (Hyper-V's vEthernet,
 * VMware's VMnet1).
 */
#ifndef VNET_TAP_H
#define VNET_TAP_H

#include "port.h"

extern const struct port_ops tap_port_ops;
extern const struct port_ops internal_port_ops;

#endif /* VNET_TAP_H */
