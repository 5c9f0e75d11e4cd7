/* SPDX-License-Identifier: GPL-2.0-or-later */
/* eth.h - Ethernet and 802.1Q wire formats and MAC address helpers. */
#ifndef VNET_ETH_H
#define VNET_ETH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define ETH_ALEN 6
#define ETH_HLEN 14
#define ETH_ZLEN 60 /* minimum frame without FCS */
#define VLAN_HLEN 4
#define VLAN_VID_MASK 0x0fff
#define VLAN_N_VID 4096
#define ETH_MTU_DEFAULT 1500
#define ETH_P_IP_ 0x0800
#define ETH_P_ARP_ 0x0806
#define ETH_P_8021Q_ 0x8100
#define ETH_P_8021AD_ 0x88a8
#define ETH_P_QINQ1_ 0x9100
#define ETH_P_IPV6_ 0x86dd

struct eth_hdr {
	uint8_t dst[ETH_ALEN];
	uint8_t src[ETH_ALEN];
	uint16_t type; /* network order */
} __attribute__((packed));

struct vlan_hdr {
	uint16_t tci; /* network order: PCP(3) DEI(1) VID(12) */
	uint16_t type; /* network order: encapsulated EtherType */
} __attribute__((packed));

/** eth_is_tpid() - is @type (host order) an 802.1Q/802.1ad tag protocol id? */
static inline bool eth_is_tpid(uint16_t type)
{
	return type == ETH_P_8021Q_ || type == ETH_P_8021AD_ || type == ETH_P_QINQ1_;
}

static inline bool eth_is_multicast(const uint8_t mac[static ETH_ALEN])
{
	return mac[0] & 1;
}

static inline bool eth_is_broadcast(const uint8_t mac[static ETH_ALEN])
{
	return (mac[0] & mac[1] & mac[2] & mac[3] & mac[4] & mac[5]) == 0xff;
}

static inline bool eth_is_zero(const uint8_t mac[static ETH_ALEN])
{
	return !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]);
}

/** eth_is_reserved() - IEEE 802.1D reserved group address 01:80:C2:00:00:0x (STP, LACP, LLDP...) */
static inline bool eth_is_reserved(const uint8_t mac[static ETH_ALEN])
{
	return mac[0] == 0x01 && mac[1] == 0x80 && mac[2] == 0xc2 && mac[3] == 0 && mac[4] == 0 &&
	       (mac[5] & 0xf0) == 0;
}

/** eth_mac_parse() - "aa:bb:cc:dd:ee:ff" to bytes. Return: true if valid */
bool eth_mac_parse(const char *s, uint8_t mac[static ETH_ALEN]);
/** eth_mac_format() - bytes to "aa:bb:cc:dd:ee:ff"; @buf holds 18 bytes */
char *eth_mac_format(const uint8_t mac[static ETH_ALEN], char buf[static 18]);

#endif /* VNET_ETH_H */
