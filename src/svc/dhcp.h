/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dhcp.h - the built-in DHCP server (RFC 2131/2132), sans I/O.
 *
 * Theory of operation
 * -------------------
 * dhcp_input() takes one Ethernet frame that a VM sent (a DHCP request on
 * UDP port 67) and writes the Ethernet frame to send back, if any. It has no
 * sockets, files or clock of its own: the time, the "commit the lease table
 * before acknowledging" hook and the "does this switch port still exist"
 * question come through struct dhcp_ops, so unit tests and the fuzzer drive
 * it with plain buffers.
 *
 * Messages handled: DISCOVER -> OFFER, REQUEST -> ACK/NAK in all four client
 * states (SELECTING, INIT-REBOOT, RENEWING, REBINDING), DECLINE, RELEASE and
 * INFORM -> ACK. The server is authoritative for its subnet: a REQUEST for
 * an address the client may not have is NAKed at once.
 *
 * Address choice for a client, first match wins: its reservation; its
 * current or previous lease; the address it asks for (option 50) if free and
 * in the pool; the lowest never-used pool address; the pool address freed
 * longest ago. None left: the DISCOVER goes unanswered (counted as
 * pool_exhausted), which is what RFC 2131 allows and what clients expect.
 *
 * Hostile input: every frame is parsed with bounds checks; a message with
 * options running past its end, no end option, a bad header or a client
 * hardware address different from the frame's source MAC is dropped and
 * counted. A client whose MAC holds a bound lease learned on another switch
 * port that still exists is ignored (counted as port_mismatch): a VM cannot
 * take over another VM's lease by claiming its MAC.
 */
#ifndef VNET_DHCP_H
#define VNET_DHCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lease.h"

#define DHCP_SERVER_PORT 67
#define DHCP_CLIENT_PORT 68
#define DHCP_LEASE_DEFAULT_S 3600 /* lease time offered */
#define DHCP_LEASE_MIN_S 60 /* shortest lease time configurable or granted */
#define DHCP_LEASE_MAX_S (7 * 86400)
#define DHCP_OFFER_HOLD_S 60 /* an OFFER reserves the address this long */
#define DHCP_DECLINE_HOLD_S 600 /* a DECLINEd address is not offered for this long */
#define DHCP_REPLY_MAX 576 /* bytes of a reply's UDP payload (RFC 2131 minimum MTU) */
#define DHCP_FRAME_MAX (14 + 20 + 8 + DHCP_REPLY_MAX) /* bytes of a reply frame */
#define DHCP_DOMAIN_MAX 64 /* bytes of the domain name option, including NUL */
#define DHCP_POOL_MAX 1024 /* addresses in a dynamic pool */

/* X(field, name in network/list --json) */
#define DHCP_COUNTERS(X)                    \
	X(discover, "discover")             \
	X(request, "request")               \
	X(decline, "decline")               \
	X(release, "release")               \
	X(inform, "inform")                 \
	X(offer, "offer")                   \
	X(ack, "ack")                       \
	X(nak, "nak")                       \
	X(malformed, "malformed")           \
	X(mac_mismatch, "mac_mismatch")     \
	X(port_mismatch, "port_mismatch")   \
	X(relayed, "relayed")               \
	X(pool_exhausted, "pool_exhausted") \
	X(not_for_us, "not_for_us")         \
	X(commit_failed, "commit_failed")

/** struct dhcp_stats - per-server counters: messages by type, and drops by reason */
struct dhcp_stats {
#define DHCP_FIELD_(f, name) uint64_t f;
	DHCP_COUNTERS(DHCP_FIELD_)
#undef DHCP_FIELD_
};

/**
 * struct dhcp_config - what the server hands out (addresses host order)
 * @server_ip:  the server's address (option 54); replies come from it
 * @mac:        the server's MAC; replies come from it
 * @net/@plen:  the subnet
 * @pool_first/@pool_last: dynamic pool, inclusive
 * @router:     option 3, or 0 for none (host-only, private)
 * @dns:        option 6, or 0 for none
 * @domain:     option 15 ("" for none)
 * @lease_s:    lease time
 * @mtu:        option 26 (interface MTU), or 0 to leave it out
 */
struct dhcp_config {
	uint32_t server_ip;
	uint8_t mac[6];
	uint32_t net;
	unsigned plen;
	uint32_t pool_first, pool_last;
	uint32_t router;
	uint32_t dns;
	char domain[DHCP_DOMAIN_MAX];
	uint32_t lease_s;
	uint16_t mtu;
};

/**
 * struct dhcp_ops - the server's view of the world
 * @now:    wall-clock seconds
 * @commit: persist the lease table; called before any ACK that changed it.
 *          Return: 0, or -errno (then the ACK is not sent: the client retries)
 * @port_exists: is there still a switch port named @port? (NULL: assume yes)
 * @arg:    passed to each
 */
struct dhcp_ops {
	int64_t (*now)(void *arg);
	int (*commit)(void *arg);
	bool (*port_exists)(void *arg, const char *port);
	void *arg;
};

/**
 * struct dhcp_server - one network's DHCP server
 * @cfg:    configuration
 * @leases: the lease table (owned by the caller; shared with DNS)
 * @ops:    clock and persistence
 * @stats:  counters
 */
struct dhcp_server {
	struct dhcp_config cfg;
	struct lease_table *leases;
	struct dhcp_ops ops;
	struct dhcp_stats stats;
};

/**
 * dhcp_config_check() - is @cfg consistent (pool and addresses inside the subnet...)?
 * Return: true, or false with @err set.
 */
bool dhcp_config_check(const struct dhcp_config *cfg, char *err, size_t errsz);

/**
 * dhcp_input() - process one frame from a VM
 * @frame/@size: the Ethernet frame (untagged)
 * @port:        name of the switch port it came in on ("" if unknown)
 * @out:         reply frame buffer of at least DHCP_FRAME_MAX bytes
 * Return: size of the reply frame in @out, or 0 for no reply.
 */
size_t dhcp_input(struct dhcp_server *s, const uint8_t *frame, size_t size, const char *port,
		  uint8_t *out);

/**
 * dhcp_stats_name() - iterate the counters: name and value of counter @i
 * Return: false once @i is past the last one.
 */
bool dhcp_stats_get(const struct dhcp_stats *st, unsigned i, const char **name, uint64_t *val);

#endif /* VNET_DHCP_H */
