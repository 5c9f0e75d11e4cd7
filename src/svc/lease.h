/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lease.h - the DHCP lease table of one network, its static reservations,
 * and their JSON form for the state files.
 *
 * Theory of operation
 * -------------------
 * A lease binds one client MAC to one address with a state and an expiry in
 * wall-clock seconds (so it means the same thing after a restart):
 *
 *   OFFERED   held for the client between OFFER and REQUEST (short expiry)
 *   BOUND     ACKed; the client owns the address until @expires
 *   RELEASED  the client gave it back (or it expired): the address is free,
 *             but the pairing is remembered so the client gets it again
 *   DECLINED  a client found the address in use (DHCPDECLINE): nobody gets it
 *             until @expires; the entry has no owner (zero MAC)
 *
 * Each MAC has at most one non-declined entry and each address at most one
 * entry. The table has a fixed capacity set at creation
 * (LEASE_DEFAULT_MAX_ENTRIES); a full table refuses new clients and counts
 * them in @n_full, after first recycling the oldest free pairing.
 *
 * Reservations (dhcp/reserve) pin a MAC to an address and optionally a host
 * name. They are configuration, saved with the network's forwards; leases
 * are saved in their own file (statefile.h) before every ACK.
 *
 * Lookups are linear: a table holds at most a few hundred entries for a /24
 * and is consulted once per DHCP message or DNS query.
 */
#ifndef VNET_LEASE_H
#define VNET_LEASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define LEASE_DEFAULT_MAX_ENTRIES 512 /* leases per network */
#define LEASE_MAX_MAX_ENTRIES 4096 /* upper bound for lease_table_create() */
#define LEASE_RESV_MAX 256 /* reservations per network */
#define LEASE_HOSTNAME_MAX 64 /* bytes in a host name, including NUL (one DNS label) */
#define LEASE_PORT_MAX 32 /* bytes in a switch port name, including NUL */
#define LEASE_FILE_VERSION 1

/* X(enum suffix, name in JSON and dhcp/leases) */
#define LEASE_STATES(X)         \
	X(OFFERED, "offered")   \
	X(BOUND, "bound")       \
	X(RELEASED, "released") \
	X(DECLINED, "declined")

enum lease_state {
#define LEASE_ENUM_(e, name) LEASE_##e,
	LEASE_STATES(LEASE_ENUM_)
#undef LEASE_ENUM_
		N_LEASE_STATES
};

/**
 * struct lease - one address binding
 * @mac:      client hardware address (zero for DECLINED)
 * @ip:       the address, host order
 * @state:    see above
 * @expires:  wall-clock second at which an OFFERED/BOUND/DECLINED entry ends
 * @hostname: the client's host name (option 12), sanitized; "" if none
 * @port:     the switch port the client was last heard on ("" unknown)
 */
struct lease {
	uint8_t mac[6];
	uint32_t ip;
	enum lease_state state;
	int64_t expires;
	char hostname[LEASE_HOSTNAME_MAX];
	char port[LEASE_PORT_MAX];
};

/** struct lease_resv - a static reservation: @mac always gets @ip (and DNS name @hostname) */
struct lease_resv {
	uint8_t mac[6];
	uint32_t ip;
	char hostname[LEASE_HOSTNAME_MAX];
};

/**
 * struct lease_table - leases and reservations of one network
 * @n/@max:       entries in use / capacity
 * @e:            the entries
 * @n_resv:       reservations in @resv
 * @n_full:       clients refused because the table was full
 */
struct lease_table {
	unsigned n, max;
	struct lease *e;
	unsigned n_resv;
	struct lease_resv resv[LEASE_RESV_MAX];
	uint64_t n_full;
};

/** lease_table_create() - empty table of @max entries (1..LEASE_MAX_MAX_ENTRIES), or NULL */
struct lease_table *lease_table_create(unsigned max);
/** lease_table_destroy() - accepts NULL */
void lease_table_destroy(struct lease_table *t);

/** lease_state_name() - "bound", ... */
const char *lease_state_name(enum lease_state s);

/** lease_is_held() - does @l keep its address from others at @now (offered, bound, declined)? */
static inline bool lease_is_held(const struct lease *l, int64_t now)
{
	return l->state != LEASE_RELEASED && l->expires > now;
}

/** lease_find_mac() - the non-declined entry of @mac, or NULL */
struct lease *lease_find_mac(struct lease_table *t, const uint8_t mac[static 6]);
/** lease_find_ip() - the entry of @ip, or NULL */
struct lease *lease_find_ip(struct lease_table *t, uint32_t ip);
/**
 * lease_find_hostname() - the address answering to DNS name @name (a
 * reservation's name, or a bound unexpired lease's), compared case-insensitively
 * Return: true with *@ip set.
 */
bool lease_find_hostname(const struct lease_table *t, const char *name, int64_t now, uint32_t *ip);
/**
 * lease_find_name_of() - the DNS name of @ip (reservation or bound lease)
 * Return: the name, or NULL.
 */
const char *lease_find_name_of(const struct lease_table *t, uint32_t ip, int64_t now);

/**
 * lease_add() - new entry for (@mac, @ip), state RELEASED, no expiry
 * Recycles the oldest RELEASED or expired entry when the table is full.
 * Return: the entry, or NULL (and @n_full counted) when nothing is free.
 */
struct lease *lease_add(struct lease_table *t, const uint8_t mac[static 6], uint32_t ip,
			int64_t now);
/** lease_del() - remove @l (pointers to other entries may move) */
void lease_del(struct lease_table *t, struct lease *l);

/** lease_resv_find_mac() - reservation of @mac, or NULL */
const struct lease_resv *lease_resv_find_mac(const struct lease_table *t,
					     const uint8_t mac[static 6]);
/** lease_resv_find_ip() - reservation of @ip, or NULL */
const struct lease_resv *lease_resv_find_ip(const struct lease_table *t, uint32_t ip);
/**
 * lease_resv_add() - reserve @ip for @mac (replacing @mac's earlier reservation)
 * @hostname: DNS name, or NULL/"" for none (must be a valid label)
 * Return: 0, -EEXIST (@ip reserved for another MAC), -ENOSPC, -EINVAL, with @err set.
 */
int lease_resv_add(struct lease_table *t, const uint8_t mac[static 6], uint32_t ip,
		   const char *hostname, char *err, size_t errsz);
/** lease_resv_del() - remove @mac's reservation. Return: 0 or -ENOENT */
int lease_resv_del(struct lease_table *t, const uint8_t mac[static 6]);

/**
 * lease_hostname_sanitize() - make a DNS label of a client-supplied host name:
 * keep the first label, lowercase, only [a-z0-9-], at most 63 characters, no
 * leading or trailing '-'.
 * Return: true if something usable is left in @out.
 */
bool lease_hostname_sanitize(const uint8_t *in, size_t size, char out[static LEASE_HOSTNAME_MAX]);

/** lease_table_to_json() - {"version": 1, "leases": [...]}, without OFFERED entries */
json_t *lease_table_to_json(const struct lease_table *t);
/**
 * lease_table_from_json() - replace the leases with those of @doc
 * Every entry is validated (MAC, address, state, expiry, names); a bad one
 * fails the whole load with @err naming it, and the table is left empty.
 * Return: 0 or -EINVAL.
 */
int lease_table_from_json(struct lease_table *t, const json_t *doc, char *err, size_t errsz);
/** lease_resv_to_json() - the reservations as a JSON array */
json_t *lease_resv_to_json(const struct lease_table *t);
/** lease_resv_from_json() - replace the reservations with array @arr. Return: 0 or -EINVAL */
int lease_resv_from_json(struct lease_table *t, const json_t *arr, char *err, size_t errsz);

#endif /* VNET_LEASE_H */
