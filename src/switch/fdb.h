/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fdb.h - the MAC table: (VLAN, MAC) -> port, with aging, a hard size limit
 * and per-port fair eviction.
 *
 * Theory of operation
 * -------------------
 * All entries are preallocated at creation (@max_entries, from config) and
 * indexed by a hash table of chains of entry indices. Each port has an LRU
 * list of its learned entries, least recently seen first; learning refreshes
 * an entry by moving it to the tail.
 *
 * When the table is full and a new address must be learned, the entry
 * evicted is the least recently seen one of the port that has the most
 * learned entries (as Open vSwitch's mac-learning.h does), so one port
 * flooding random source MACs can only evict its own entries once it owns
 * the largest share. Static entries never age and are never evicted.
 *
 * Aging: fdb_age() walks each port's LRU list from its head and stops at the
 * first entry younger than the aging time, so its cost is proportional to
 * the entries that expire.
 *
 * Station moves: learning a known (VLAN, MAC) on another port moves the entry
 * to that port (a static entry does not move; the frame is still forwarded).
 */
#ifndef VNET_FDB_H
#define VNET_FDB_H

#include <stdbool.h>
#include <stdint.h>

#define FDB_DEFAULT_MAX_ENTRIES 8192
#define FDB_MAX_MAX_ENTRIES 1000000
#define FDB_AGING_DEFAULT_S 300
#define FDB_AGING_MAX_S 1000000
#define FDB_MAX_PORTS 1024 /* port indices are 0..FDB_MAX_PORTS-1 */
#define FDB_PORT_NONE 0xffff

struct fdb;

/**
 * struct fdb_stats - counters of one table
 * @n_entries: entries now (learned + static)
 * @learned:   new entries learned
 * @moves:     station moves
 * @evictions: entries evicted because the table was full
 * @aged:      entries removed by aging
 * @full_drops: addresses not learned because the table was full of static entries
 */
struct fdb_stats {
	uint64_t n_entries;
	uint64_t learned, moves, evictions, aged, full_drops;
};

/**
 * struct fdb_entry_info - one entry, as fdb_foreach() reports it
 * @age_s: seconds since last seen (0 for static entries)
 */
struct fdb_entry_info {
	uint8_t mac[6];
	uint16_t vlan;
	uint16_t port;
	bool is_static;
	uint32_t age_s;
};

/** fdb_create() - table of at most @max_entries (1..FDB_MAX_MAX_ENTRIES). Return: table or NULL */
struct fdb *fdb_create(uint32_t max_entries, uint32_t aging_s);
/** fdb_destroy() - accepts NULL */
void fdb_destroy(struct fdb *fdb);
void fdb_set_aging(struct fdb *fdb, uint32_t aging_s);
uint32_t fdb_get_aging(const struct fdb *fdb);
uint32_t fdb_get_max(const struct fdb *fdb);

/**
 * fdb_learn() - note that @mac was seen as a source on @port in @vlan at @now_ns
 * Return: true if the entry was new or moved (callers may log/trace it).
 */
bool fdb_learn(struct fdb *fdb, uint16_t vlan, const uint8_t mac[static 6], uint16_t port,
	       uint64_t now_ns);

/** fdb_lookup() - the port for (@vlan, @mac), or FDB_PORT_NONE. Does not refresh. */
uint16_t fdb_lookup(const struct fdb *fdb, uint16_t vlan, const uint8_t mac[static 6]);

/** fdb_add_static() - add or replace a static entry. Return: 0, -ENOSPC if full */
int fdb_add_static(struct fdb *fdb, uint16_t vlan, const uint8_t mac[static 6], uint16_t port);
/** fdb_del() - remove an entry (static or learned). Return: 0 or -ENOENT */
int fdb_del(struct fdb *fdb, uint16_t vlan, const uint8_t mac[static 6]);
/**
 * fdb_flush() - remove learned entries (all ports if @port is FDB_PORT_NONE);
 * static ones too if @include_static
 */
void fdb_flush(struct fdb *fdb, uint16_t port, bool include_static);
/** fdb_flush_vlan() - remove learned entries of @vlan */
void fdb_flush_vlan(struct fdb *fdb, uint16_t vlan);

/** fdb_age() - remove learned entries not seen for the aging time. Return: entries removed */
unsigned fdb_age(struct fdb *fdb, uint64_t now_ns);

/** fdb_foreach() - call @cb for each entry (in no particular order); stop if it returns false */
void fdb_foreach(const struct fdb *fdb, uint64_t now_ns,
		 bool (*cb)(const struct fdb_entry_info *e, void *arg), void *arg);

/** fdb_port_count() - learned entries on @port */
uint32_t fdb_port_count(const struct fdb *fdb, uint16_t port);
void fdb_get_stats(const struct fdb *fdb, struct fdb_stats *s);

#endif /* VNET_FDB_H */
