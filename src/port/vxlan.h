/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vxlan.h - the vxlan port type: a VXLAN tunnel endpoint (VTEP, RFC 7348)
 * that joins a switch as an 802.1Q trunk and carries each local VLAN over
 * the underlay as a VXLAN network identifier (VNI).
 *
 * The switch is unchanged: it sees a trunk port. Frames it sends arrive with
 * the egress TCI, whose VLAN the port maps to a VNI; frames from the wire
 * leave the port tagged with the local VLAN their VNI maps to (or untagged
 * for the port's vni=, the VLAN-0 mapping). See doc/vxlan.md.
 */
#ifndef VNET_VXLAN_H
#define VNET_VXLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "port.h"

#define VXLAN_DSTPORT_DEFAULT 4789 /* IANA port for VXLAN */
#define VXLAN_HLEN 8 /* the VXLAN header */
#define VXLAN_FLAG_I 0x08 /* "VNI valid", the one defined flag */
#define VXLAN_VNI_MAX 0xffffff /* 24-bit VNI */
#define VXLAN_OVERHEAD_V4 50 /* outer Ethernet 14 + IPv4 20 + UDP 8 + VXLAN 8 */
#define VXLAN_OVERHEAD_V6 70 /* outer Ethernet 14 + IPv6 40 + UDP 8 + VXLAN 8 */
#define VXLAN_UNDERLAY_MTU_DEFAULT 1500
#define VXLAN_VTEP_MAX 1024 /* remote VTEPs one port tracks (configured + learned) */
#define VXLAN_REMOTES_MAX 512 /* distinct configured remote VTEPs */
#define VXLAN_MACS_DEFAULT_MAX 4096 /* learned + static (VNI, MAC) -> VTEP entries */
#define VXLAN_MACS_MIN 64
#define VXLAN_MACS_MAX_MAX 1000000
#define VXLAN_AGING_DEFAULT_S 300
#define VXLAN_AGING_MAX_S 1000000
#define VXLAN_SRCPORTS_DEFAULT 16 /* transmit sockets = distinct UDP source ports */
#define VXLAN_SRCPORTS_MAX 64

/*
 * The port's own counters, beyond the switch's per-port drop reasons (the
 * rx_* drops are also counted there as rx_error, the tx_* ones as noted).
 * X(enum suffix, name in port/list and vxlan/show, description)
 */
#define VXLAN_COUNTERS(X)                                                                          \
	X(RX_TRUNC_HDR, "rx_truncated_header", "UDP payload shorter than the VXLAN header")        \
	X(RX_NO_I_FLAG, "rx_no_i_flag", "VXLAN header without the I (VNI valid) flag")             \
	X(RX_UNKNOWN_VNI, "rx_unknown_vni", "VNI not carried by this port")                        \
	X(RX_UNKNOWN_VTEP, "rx_unknown_vtep", "source not a remote VTEP of the VNI (restrict=on)") \
	X(RX_RUNT_INNER, "rx_runt_inner", "inner frame shorter than an Ethernet header")           \
	X(RX_INNER_TAGGED, "rx_inner_tagged", "inner frame carries a VLAN tag")                    \
	X(RX_CSUM_COMPLETED, "rx_csum_completed", "partial inner checksums completed (see doc)")   \
	X(RX_SUPERFRAMES, "rx_superframes", "inner TCP frames above the MTU passed on as TSO")     \
	X(RX_COALESCED, "rx_coalesced", "TCP segments merged into TSO frames (receive GRO)")       \
	X(TX_UNMAPPED_VLAN, "tx_unmapped_vlan", "frame in a VLAN with no VNI (vlan_not_allowed)")  \
	X(TX_TOO_BIG, "tx_too_big", "too large for the underlay after encapsulation (oversize)")   \
	X(TX_NO_REMOTE, "tx_no_remote", "flooded frame of a VNI with no remote VTEP")              \
	X(TX_SEND_ERROR, "tx_send_error", "copies the underlay socket refused")                    \
	X(TX_GSO_SENDS, "tx_gso_sends", "sends of several datagrams at once (UDP_SEGMENT)")        \
	X(TX_FLOOD_COPIES, "tx_flood_copies", "copies sent by head-end replication")               \
	X(MACS_LEARNED, "macs_learned", "remote (VNI, MAC) entries learned")                       \
	X(MAC_MOVES, "mac_moves", "remote MACs seen behind another VTEP")                          \
	X(MACS_AGED, "macs_aged", "learned entries removed by aging")                              \
	X(MACS_EVICTED, "macs_evicted", "learned entries evicted because the table was full")      \
	X(MACS_FULL, "macs_not_learned", "MACs not learned: table full of static entries")         \
	X(VTEPS_FULL, "vteps_not_learned", "sources not learned: VTEP table full")

enum vxlan_counter {
#define VXLAN_CNT_ENUM_(e, name, desc) VXLAN_CNT_##e,
	VXLAN_COUNTERS(VXLAN_CNT_ENUM_)
#undef VXLAN_CNT_ENUM_
		N_VXLAN_CNT
};

extern const struct port_ops vxlan_port_ops;

/** vxlan_is() - is @p a vxlan port? */
bool vxlan_is(const struct port *p);

/**
 * vxlan_map() - carry local VLAN @vlan as VNI @vni (VLAN 0: the untagged
 * traffic of the port, the same as its vni= option). A VLAN already mapped
 * to another VNI is remapped; a VNI carried by another VLAN is refused.
 * The map is stored in the port's options, so it is saved with them.
 * Return: 0, -EINVAL or -EEXIST with @err set, -ENOSPC if it cannot be saved.
 */
int vxlan_map(struct port *p, uint16_t vlan, uint32_t vni, char *err, size_t errsz);

/**
 * vxlan_unmap() - stop carrying a VLAN (@by_vni false) or a VNI (@by_vni
 * true). The VNI's remote VTEPs stay configured for a later vxlan_map().
 * Return: 0, or -ENOENT with @err set.
 */
int vxlan_unmap(struct port *p, bool by_vni, uint32_t id, char *err, size_t errsz);

/**
 * vxlan_remote_add() - add remote VTEP @remote ("IP", "IP:PORT" or
 * "[IPv6]:PORT") to VNI @vni's flood list, or, with @mac, a static entry
 * (@vni, @mac) -> @remote. Adding what exists is not an error.
 * Return: 0, or -EINVAL/-ENOSPC with @err set.
 */
int vxlan_remote_add(struct port *p, uint32_t vni, const char *remote, const uint8_t *mac,
		     char *err, size_t errsz);

/**
 * vxlan_remote_del() - the inverse of vxlan_remote_add()
 * Return: 0, or -EINVAL/-ENOENT with @err set.
 */
int vxlan_remote_del(struct port *p, uint32_t vni, const char *remote, const uint8_t *mac,
		     char *err, size_t errsz);

/**
 * vxlan_show() - the port's state for vxlan/show: local address, the map
 * with each VNI's remote VTEPs, every VTEP with its counters, the remote MAC
 * entries and the counters. Runs aging first. Return: a new JSON object.
 */
struct json_t *vxlan_show(struct port *p);

/**
 * vxlan_fdb_vtep() - the remote VTEP behind (@vlan, @mac), for fdb/show
 * @buf: its address as text (holds at least 48 bytes)
 * Return: true if the port has an entry for it.
 */
bool vxlan_fdb_vtep(struct port *p, uint16_t vlan, const uint8_t mac[static 6], char *buf,
		    size_t size);

/**
 * vxlan_inner_mtu() - the L3 MTU a VM behind the tunnel needs (1450 on a
 * 1500-byte IPv4 underlay), e.g. for the DHCP MTU option
 */
uint32_t vxlan_inner_mtu(const struct port *p);

/**
 * vxlan_decap() - check and decapsulate one received UDP payload in place,
 * learning its source (sans I/O: the receive path and the fuzzer use it)
 * @pk:  holds the UDP payload at pk->data, pk->size bytes; on success the
 *       inner frame, with an 802.1Q tag for the mapped local VLAN
 * @src: where the datagram came from (the remote VTEP)
 * @now: clock for learning, in ns
 * Return: true to hand the frame to the switch, false if it was dropped
 * (and counted).
 */
bool vxlan_decap(struct port *p, struct pkt *pk, const struct sockaddr *src, uint64_t now);

/**
 * vxlan_decap_train() - vxlan_decap() for one received message that may hold
 * a train of datagrams (UDP GRO): @size bytes of datagrams of @seg bytes
 * each, the last maybe shorter (@seg 0: one datagram). The frames, with TCP
 * segments coalesced into TSO frames, go into new buffers from the pool.
 * Sans I/O, as the receive path runs it (the fuzzer uses it).
 * Return: frames put in @out (at most @cap).
 */
unsigned vxlan_decap_train(struct port *p, const uint8_t *buf, uint32_t size, uint32_t seg,
			   const struct sockaddr *src, uint64_t now, struct pkt **out,
			   unsigned cap);

#endif /* VNET_VXLAN_H */
