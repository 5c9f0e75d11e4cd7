/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dns.h - the network's DNS responder, sans I/O: VMs resolve each other by
 * their DHCP host names; other names are forwarded (nat) or refused with a
 * clean NXDOMAIN (host-only, private).
 *
 * Theory of operation
 * -------------------
 * dns_input() takes a frame a VM sent to the DNS address (UDP port 53) and
 * either writes a reply frame, or says "forward" (the caller hands the
 * original query to the NAT engine's resolver), or drops it. The names come
 * from the lease table through struct dns_ops, so the responder has no state
 * of its own beyond counters.
 *
 * Answered here, authoritatively (AA set, TTL DNS_TTL_S):
 *   HOST.DOMAIN and bare HOST   A record of a reservation or bound lease;
 *                               other types get NOERROR with no answer;
 *                               unknown hosts NXDOMAIN
 *   DOMAIN                      NOERROR, no answer
 *   d.c.b.a.in-addr.arpa        PTR for addresses inside the subnet
 * Anything else: DNS_FORWARD if forwarding is on, else NXDOMAIN.
 *
 * The parser is written for hostile input: the header must be a query
 * (QR=0) with exactly one question (else FORMERR, whatever the counts claim;
 * answer/authority/additional sections are never walked), and names are
 * read with compression pointers allowed but bounded: a pointer must point
 * before itself, at most DNS_MAX_JUMPS are followed, a name is at most 255
 * bytes on the wire, labels at most 63, and nothing is read past the
 * message. Replies never echo the client's bytes except the question,
 * which is re-encoded without compression.
 */
#ifndef VNET_DNS_H
#define VNET_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_PORT 53
#define DNS_HDR_SIZE 12
#define DNS_MSG_MAX 512 /* bytes of a reply (plain UDP DNS) */
#define DNS_FRAME_MAX (14 + 20 + 8 + DNS_MSG_MAX) /* bytes of a reply frame */
#define DNS_NAME_WIRE_MAX 255 /* bytes of a name on the wire */
#define DNS_NAME_TEXT_MAX 254 /* bytes of a dotted name, including NUL */
#define DNS_MAX_JUMPS 16 /* compression pointers followed per name */
#define DNS_TTL_S 60 /* TTL of local answers */
#define DNS_DOMAIN_MAX 64 /* bytes of the network's domain, including NUL */

enum dns_verdict { DNS_DROP, DNS_REPLY, DNS_FORWARD };

/* X(field, name in network/list --json) */
#define DNS_COUNTERS(X)           \
	X(queries, "queries")     \
	X(answered, "answered")   \
	X(nodata, "nodata")       \
	X(nxdomain, "nxdomain")   \
	X(forwarded, "forwarded") \
	X(formerr, "formerr")     \
	X(notimp, "notimp")       \
	X(dropped, "dropped")

/** struct dns_stats - responder counters */
struct dns_stats {
#define DNS_FIELD_(f, name) uint64_t f;
	DNS_COUNTERS(DNS_FIELD_)
#undef DNS_FIELD_
};

/**
 * struct dns_ops - where names come from
 * @lookup_name: address of host @label (lowercase, one label); true if known
 * @lookup_addr: host label of address @ip, or NULL
 * @arg:         passed to both
 */
struct dns_ops {
	bool (*lookup_name)(void *arg, const char *label, uint32_t *ip);
	const char *(*lookup_addr)(void *arg, uint32_t ip);
	void *arg;
};

/**
 * struct dns_config - the responder's settings (addresses host order)
 * @ip/@mac:  the DNS address queries go to, and the MAC replies come from
 * @domain:   the network's domain (its name), lowercase
 * @net/@plen: the subnet, for reverse lookups
 * @forward:  pass other names on (nat) instead of NXDOMAIN
 */
struct dns_config {
	uint32_t ip;
	uint8_t mac[6];
	char domain[DNS_DOMAIN_MAX];
	uint32_t net;
	unsigned plen;
	bool forward;
};

struct dns_server {
	struct dns_config cfg;
	struct dns_ops ops;
	struct dns_stats stats;
};

/**
 * dns_name_parse() - read the (possibly compressed) name at *@off of @msg
 * @off:   in: where it starts; out: the first byte after it in the message
 * @wire:  out: the name uncompressed, case kept (DNS_NAME_WIRE_MAX bytes)
 * @wire_size: out: its length, root label included
 * @text:  out: dotted, lowercase, no trailing dot ("" for the root)
 *         (DNS_NAME_TEXT_MAX bytes)
 * @plain: out: every label is made of printable non-dot characters, so
 *         @text means what it says
 * Return: false on a loop, a truncated or over-long name, or a bad label type.
 */
bool dns_name_parse(const uint8_t *msg, size_t size, size_t *off, uint8_t *wire, size_t *wire_size,
		    char *text, bool *plain);

/**
 * dns_message() - answer one DNS message
 * @out: reply buffer of DNS_MSG_MAX bytes; *@out_size its length on DNS_REPLY
 * Return: DNS_REPLY, DNS_FORWARD (the query should go upstream unchanged) or DNS_DROP.
 */
enum dns_verdict dns_message(struct dns_server *s, const uint8_t *msg, size_t size, uint8_t *out,
			     size_t *out_size);

/**
 * dns_input() - answer one frame sent to the DNS address
 * @out: reply frame buffer of DNS_FRAME_MAX bytes; *@out_size its size on DNS_REPLY
 * Return: as dns_message(); DNS_DROP also for frames that are not DNS
 * queries to cfg.ip.
 */
enum dns_verdict dns_input(struct dns_server *s, const uint8_t *frame, size_t size, uint8_t *out,
			   size_t *out_size);

/** dns_stats_get() - counter @i by name; false past the last */
bool dns_stats_get(const struct dns_stats *st, unsigned i, const char **name, uint64_t *val);

#endif /* VNET_DNS_H */
