/* SPDX-License-Identifier: GPL-2.0-or-later */
/* drop.h - why a frame was dropped: one counter per reason, per port. */
#ifndef VNET_DROP_H
#define VNET_DROP_H

/* X(enum suffix, name shown in stats/show, description) */
#define DROP_REASONS(X)                                                                          \
	X(RUNT, "runt", "shorter than an Ethernet header or the minimum frame")                  \
	X(OVERSIZE, "oversize", "larger than the port MTU allows")                               \
	X(TRUNC_VLAN, "truncated_vlan", "VLAN tag cut short")                                    \
	X(TAGGED_ON_ACCESS, "tagged_on_access", "802.1Q-tagged frame on an access port")         \
	X(STACKED_VLAN, "stacked_vlan", "more VLAN tags than the port accepts")                  \
	X(VLAN_NOT_ALLOWED, "vlan_not_allowed", "VLAN not in the port's trunks")                 \
	X(SRC_MULTICAST, "src_multicast", "multicast or broadcast source MAC")                   \
	X(RESERVED_DST, "reserved_dst", "IEEE 802.1D reserved destination 01:80:c2:00:00:0x")    \
	X(BAD_VNET_HDR, "bad_vnet_hdr", "virtio-net offload header the switch cannot honour")    \
	X(GSO_FAILED, "gso_failed", "software segmentation failed")                              \
	X(NO_BUFFERS, "no_buffers", "packet-buffer pool empty")                                  \
	X(TX_ERROR, "tx_error", "output device refused the frame")                               \
	X(TX_FULL, "tx_full", "output queue full")                                               \
	X(PORT_DOWN, "port_down", "output port is down")                                         \
	X(LOOPBACK, "loopback", "destination is the input port")                                 \
	X(RX_ERROR, "rx_error", "malformed input from the port's peer")                          \
	X(MAC_SPOOF, "mac_spoof", "source MAC not assigned to the port (mac_spoof_guard)")       \
	X(IP_SPOOF, "ip_spoof", "source IP, ARP sender or NDP target not the port's (ip_guard)") \
	X(DHCP_GUARD, "dhcp_guard", "DHCP server message from a guarded port")                   \
	X(ROUTER_GUARD, "router_guard", "router advertisement or redirect from a guarded port")  \
	X(PROTECTED, "protected", "between two protected ports, or within an isolated VLAN")     \
	X(STORM_BCAST, "storm_bcast", "broadcast over the port's storm limit")                   \
	X(STORM_MCAST, "storm_mcast", "multicast over the port's storm limit")                   \
	X(STORM_UNKNOWN, "storm_unknown", "unknown unicast over the port's storm limit")         \
	X(RATE_LIMIT, "rate_limit", "over the port's ingress rate limit")                        \
	X(MAC_LIMIT, "mac_limit", "new source MAC over the port's mac_limit")                    \
	X(STREAM_LENGTH, "stream_length", "stream length prefix over the maximum; link dropped") \
	X(MIRROR_PORT, "mirror_port", "received on a mirror's output port, which only transmits")

enum drop_reason {
#define DROP_ENUM_(e, name, desc) DROP_##e,
	DROP_REASONS(DROP_ENUM_)
#undef DROP_ENUM_
		N_DROP
};

/** drop_name() - the stats/show name of @r */
const char *drop_name(enum drop_reason r);

#endif /* VNET_DROP_H */
