// SPDX-License-Identifier: GPL-2.0-or-later
/* fdb.c - the MAC table: preallocated entries, hashed chains, per-port LRU and fair eviction. */
/*
 * Implementation notes (the theory of operation is in fdb.h)
 * ---------------------------------------------------------
 * Entries live in one array and are named by their 32-bit index; every link
 * (hash chain, LRU list, free list) is an index, FDB_NIL ends a list. An entry
 * is 32 bytes so a lookup touches one bucket word and one half cache line per
 * chain step. (VLAN, MAC) is packed into one 64-bit key, compared in one go.
 *
 * Entries are handed out from a high-water mark first, then from a free list
 * of returned entries, so creating a big table touches no memory up front.
 *
 * The bucket index comes from a 64-bit mix of the key with a per-table random
 * seed, so a guest that chooses its source MACs cannot aim them at one chain.
 * There are twice as many buckets as entries (a power of two), which keeps
 * the chains short for the unknown-unicast misses that every flood causes.
 *
 * Fair eviction needs "a port with the most learned entries" in O(1). Ports
 * with the same non-zero learned count are kept on a doubly-linked list
 * headed at cnt_head[count]; a count changes by one at a time, so moving a
 * port between neighbouring lists and keeping max_cnt is O(1), and
 * cnt_head[max_cnt] is always a largest port.
 *
 * Static entries sit on their own list (lists[FDB_MAX_PORTS]) so flushing
 * by port finds them without a scan of the table; they are never aged or
 * evicted and are not counted as learned.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "../base/util.h"
#include "fdb.h"

#define FDB_NIL UINT32_MAX
#define FDB_STATIC_LIST FDB_MAX_PORTS /* index of the static entries' list in fdb->lists */

enum {
	FDB_F_USED = 1 << 0,
	FDB_F_STATIC = 1 << 1,
};

struct fdb_ent {
	uint64_t key; /* vlan << 48 | mac, see fdb_key() */
	uint64_t seen_ns; /* last time seen as a source (learned entries) */
	uint32_t hnext; /* next in hash chain, or in the free list */
	uint32_t prev; /* LRU (or static list) neighbours */
	uint32_t next;
	uint16_t port;
	uint16_t flags; /* FDB_F_* */
};

struct fdb_list {
	uint32_t head, tail; /* head is the least recently seen */
};

struct fdb {
	struct fdb_ent *ents;
	uint32_t *buckets;
	uint64_t seed;
	uint32_t mask; /* n_buckets - 1 */
	uint32_t max_entries;
	uint32_t hiwat; /* entries [0, hiwat) have been handed out at least once */
	uint32_t free_head;
	uint32_t aging_s;
	uint64_t aging_ns;
	struct fdb_stats stats;

	/* fair-eviction bookkeeping: see the notes at the top of the file */
	uint32_t max_cnt;
	uint16_t *cnt_head; /* [max_entries + 1]: a port with that many learned, or FDB_PORT_NONE */
	uint16_t cnt_next[FDB_MAX_PORTS], cnt_prev[FDB_MAX_PORTS];
	uint32_t cnt[FDB_MAX_PORTS]; /* learned entries per port */

	struct fdb_list lists[FDB_MAX_PORTS + 1]; /* per-port LRU, then the static list */
};

static inline uint64_t fdb_key(uint16_t vlan, const uint8_t mac[static 6])
{
	uint32_t lo;
	uint16_t hi;

	memcpy(&lo, mac, 4);
	memcpy(&hi, mac + 4, 2);
	return (uint64_t)vlan << 48 | (uint64_t)hi << 32 | lo;
}

static void fdb_key_unpack(uint64_t key, uint8_t mac[static 6], uint16_t *vlan)
{
	uint32_t lo = (uint32_t)key;
	uint16_t hi = (uint16_t)(key >> 32);

	memcpy(mac, &lo, 4);
	memcpy(mac + 4, &hi, 2);
	*vlan = (uint16_t)(key >> 48);
}

/* murmur3's 64-bit finaliser: every key bit affects every bucket bit */
static inline uint32_t fdb_bucket(const struct fdb *fdb, uint64_t key)
{
	uint64_t h = key ^ fdb->seed;

	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return (uint32_t)h & fdb->mask;
}

static inline uint32_t fdb_find(const struct fdb *fdb, uint64_t key)
{
	uint32_t i = fdb->buckets[fdb_bucket(fdb, key)];

	while (i != FDB_NIL && fdb->ents[i].key != key)
		i = fdb->ents[i].hnext;
	return i;
}

static void fdb_aging_store(struct fdb *fdb, uint32_t aging_s)
{
	aging_s = aging_s < 1 ? 1 : MIN(aging_s, FDB_AGING_MAX_S);
	fdb->aging_s = aging_s;
	fdb->aging_ns = (uint64_t)aging_s * NS_PER_S;
}

struct fdb *fdb_create(uint32_t max_entries, uint32_t aging_s)
{
	struct fdb *fdb;
	uint32_t n_buckets = 1;

	if (max_entries < 1 || max_entries > FDB_MAX_MAX_ENTRIES)
		return NULL;
	while (n_buckets < max_entries * 2)
		n_buckets <<= 1;

	fdb = calloc(1, sizeof(*fdb));
	if (!fdb)
		return NULL;
	fdb->ents = calloc(max_entries, sizeof(*fdb->ents));
	fdb->buckets = malloc((size_t)n_buckets * sizeof(*fdb->buckets));
	fdb->cnt_head = malloc(((size_t)max_entries + 1) * sizeof(*fdb->cnt_head));
	if (!fdb->ents || !fdb->buckets || !fdb->cnt_head) {
		fdb_destroy(fdb);
		return NULL;
	}
	memset(fdb->buckets, 0xff, (size_t)n_buckets * sizeof(*fdb->buckets));
	memset(fdb->cnt_head, 0xff, ((size_t)max_entries + 1) * sizeof(*fdb->cnt_head));
	for (size_t i = 0; i < ARRAY_SIZE(fdb->lists); i++)
		fdb->lists[i].head = fdb->lists[i].tail = FDB_NIL;

	/* Without a random seed the table still works; it is only easier to attack. */
	if (getrandom(&fdb->seed, sizeof(fdb->seed), GRND_NONBLOCK) != sizeof(fdb->seed))
		fdb->seed = now_ns() ^ (uint64_t)(uintptr_t)fdb;

	fdb->mask = n_buckets - 1;
	fdb->max_entries = max_entries;
	fdb->free_head = FDB_NIL;
	fdb_aging_store(fdb, aging_s);
	return fdb;
}

void fdb_destroy(struct fdb *fdb)
{
	if (!fdb)
		return;
	free(fdb->cnt_head);
	free(fdb->buckets);
	free(fdb->ents);
	free(fdb);
}

void fdb_set_aging(struct fdb *fdb, uint32_t aging_s)
{
	fdb_aging_store(fdb, aging_s);
}

uint32_t fdb_get_aging(const struct fdb *fdb)
{
	return fdb->aging_s;
}

uint32_t fdb_get_max(const struct fdb *fdb)
{
	return fdb->max_entries;
}

/* --- per-port learned counts, bucketed by count for O(1) "largest port" --- */

static inline void fdb_cnt_unlink(struct fdb *fdb, uint16_t port)
{
	uint32_t c = fdb->cnt[port];
	uint16_t p = fdb->cnt_prev[port], n = fdb->cnt_next[port];

	if (p != FDB_PORT_NONE)
		fdb->cnt_next[p] = n;
	else
		fdb->cnt_head[c] = n;
	if (n != FDB_PORT_NONE)
		fdb->cnt_prev[n] = p;
}

static inline void fdb_cnt_link(struct fdb *fdb, uint16_t port)
{
	uint32_t c = fdb->cnt[port];
	uint16_t h = fdb->cnt_head[c];

	fdb->cnt_prev[port] = FDB_PORT_NONE;
	fdb->cnt_next[port] = h;
	if (h != FDB_PORT_NONE)
		fdb->cnt_prev[h] = port;
	fdb->cnt_head[c] = port;
}

static inline void fdb_cnt_inc(struct fdb *fdb, uint16_t port)
{
	if (fdb->cnt[port])
		fdb_cnt_unlink(fdb, port);
	fdb->cnt[port]++;
	fdb_cnt_link(fdb, port);
	if (fdb->cnt[port] > fdb->max_cnt)
		fdb->max_cnt = fdb->cnt[port];
}

static inline void fdb_cnt_dec(struct fdb *fdb, uint16_t port)
{
	uint32_t c = fdb->cnt[port];

	fdb_cnt_unlink(fdb, port);
	fdb->cnt[port] = c - 1;
	if (c > 1)
		fdb_cnt_link(fdb, port);
	/* this port now holds c - 1, so the list below the old maximum is not empty */
	if (c == fdb->max_cnt && fdb->cnt_head[c] == FDB_PORT_NONE)
		fdb->max_cnt = c - 1;
}

/* --- LRU / static lists --- */

static inline void fdb_list_unlink(struct fdb *fdb, struct fdb_list *l, uint32_t i)
{
	struct fdb_ent *e = &fdb->ents[i];

	if (e->prev != FDB_NIL)
		fdb->ents[e->prev].next = e->next;
	else
		l->head = e->next;
	if (e->next != FDB_NIL)
		fdb->ents[e->next].prev = e->prev;
	else
		l->tail = e->prev;
}

static inline void fdb_list_append(struct fdb *fdb, struct fdb_list *l, uint32_t i)
{
	struct fdb_ent *e = &fdb->ents[i];

	e->next = FDB_NIL;
	e->prev = l->tail;
	if (l->tail != FDB_NIL)
		fdb->ents[l->tail].next = i;
	else
		l->head = i;
	l->tail = i;
}

/* Unlink entry @i from its hash chain, its list and counts, and free it. */
static void fdb_remove(struct fdb *fdb, uint32_t i)
{
	struct fdb_ent *e = &fdb->ents[i];
	uint32_t *pp = &fdb->buckets[fdb_bucket(fdb, e->key)];

	while (*pp != i)
		pp = &fdb->ents[*pp].hnext;
	*pp = e->hnext;

	if (e->flags & FDB_F_STATIC) {
		fdb_list_unlink(fdb, &fdb->lists[FDB_STATIC_LIST], i);
	} else {
		fdb_list_unlink(fdb, &fdb->lists[e->port], i);
		fdb_cnt_dec(fdb, e->port);
	}
	e->flags = 0;
	e->hnext = fdb->free_head;
	fdb->free_head = i;
	fdb->stats.n_entries--;
}

/*
 * A free entry, evicting the least recently seen entry of the largest port
 * if the table is full. Return: its index, or FDB_NIL if every entry is static.
 */
static uint32_t fdb_alloc(struct fdb *fdb)
{
	uint32_t i;

	if (fdb->free_head != FDB_NIL) {
		i = fdb->free_head;
		fdb->free_head = fdb->ents[i].hnext;
		return i;
	}
	if (fdb->hiwat < fdb->max_entries)
		return fdb->hiwat++;
	if (!fdb->max_cnt)
		return FDB_NIL;

	i = fdb->lists[fdb->cnt_head[fdb->max_cnt]].head;
	fdb_remove(fdb, i);
	fdb->stats.evictions++;
	fdb->free_head = fdb->ents[i].hnext;
	return i;
}

static void fdb_insert(struct fdb *fdb, uint32_t i, uint64_t key, uint16_t port, bool is_static,
		       uint64_t now)
{
	struct fdb_ent *e = &fdb->ents[i];
	uint32_t *b = &fdb->buckets[fdb_bucket(fdb, key)];

	e->key = key;
	e->seen_ns = now;
	e->port = port;
	e->flags = FDB_F_USED | (is_static ? FDB_F_STATIC : 0);
	e->hnext = *b;
	*b = i;
	if (is_static) {
		fdb_list_append(fdb, &fdb->lists[FDB_STATIC_LIST], i);
	} else {
		fdb_list_append(fdb, &fdb->lists[port], i);
		fdb_cnt_inc(fdb, port);
	}
	fdb->stats.n_entries++;
}

bool fdb_learn(struct fdb *fdb, uint16_t vlan, const uint8_t mac[static 6], uint16_t port,
	       uint64_t now_ns)
{
	uint64_t key = fdb_key(vlan, mac);
	uint32_t i;
	struct fdb_ent *e;

	if (unlikely(port >= FDB_MAX_PORTS))
		return false;

	i = fdb_find(fdb, key);
	if (likely(i != FDB_NIL)) {
		e = &fdb->ents[i];
		if (unlikely(e->flags & FDB_F_STATIC))
			return false;
		e->seen_ns = now_ns;
		if (likely(e->port == port)) {
			if (fdb->lists[port].tail != i) {
				fdb_list_unlink(fdb, &fdb->lists[port], i);
				fdb_list_append(fdb, &fdb->lists[port], i);
			}
			return false;
		}
		fdb_list_unlink(fdb, &fdb->lists[e->port], i);
		fdb_cnt_dec(fdb, e->port);
		e->port = port;
		fdb_list_append(fdb, &fdb->lists[port], i);
		fdb_cnt_inc(fdb, port);
		fdb->stats.moves++;
		return true;
	}

	i = fdb_alloc(fdb);
	if (unlikely(i == FDB_NIL)) {
		fdb->stats.full_drops++;
		return false;
	}
	fdb_insert(fdb, i, key, port, false, now_ns);
	fdb->stats.learned++;
	return true;
}

uint16_t fdb_lookup(const struct fdb *fdb, uint16_t vlan, const uint8_t mac[static 6])
{
	uint32_t i = fdb_find(fdb, fdb_key(vlan, mac));

	return i == FDB_NIL ? FDB_PORT_NONE : fdb->ents[i].port;
}

/*
 * A static entry is configuration, so it may take the place of a learned
 * one when the table is full (the learned address is simply learned again
 * later, if there is room); -ENOSPC only when every entry is static.
 */
int fdb_add_static(struct fdb *fdb, uint16_t vlan, const uint8_t mac[static 6], uint16_t port)
{
	uint64_t key = fdb_key(vlan, mac);
	uint32_t i;

	if (port >= FDB_MAX_PORTS)
		return -EINVAL;

	i = fdb_find(fdb, key);
	if (i != FDB_NIL) {
		struct fdb_ent *e = &fdb->ents[i];

		if (e->flags & FDB_F_STATIC) {
			e->port = port;
			return 0;
		}
		fdb_list_unlink(fdb, &fdb->lists[e->port], i);
		fdb_cnt_dec(fdb, e->port);
		e->port = port;
		e->flags |= FDB_F_STATIC;
		fdb_list_append(fdb, &fdb->lists[FDB_STATIC_LIST], i);
		return 0;
	}

	i = fdb_alloc(fdb);
	if (i == FDB_NIL)
		return -ENOSPC;
	fdb_insert(fdb, i, key, port, true, 0);
	return 0;
}

int fdb_del(struct fdb *fdb, uint16_t vlan, const uint8_t mac[static 6])
{
	uint32_t i = fdb_find(fdb, fdb_key(vlan, mac));

	if (i == FDB_NIL)
		return -ENOENT;
	fdb_remove(fdb, i);
	return 0;
}

static void fdb_flush_list(struct fdb *fdb, uint32_t list, uint16_t port)
{
	uint32_t i = fdb->lists[list].head;

	while (i != FDB_NIL) {
		uint32_t next = fdb->ents[i].next;

		if (port == FDB_PORT_NONE || fdb->ents[i].port == port)
			fdb_remove(fdb, i);
		i = next;
	}
}

void fdb_flush(struct fdb *fdb, uint16_t port, bool include_static)
{
	if (port == FDB_PORT_NONE) {
		for (uint32_t p = 0; p < FDB_MAX_PORTS; p++)
			if (fdb->cnt[p])
				fdb_flush_list(fdb, p, FDB_PORT_NONE);
	} else if (port < FDB_MAX_PORTS) {
		fdb_flush_list(fdb, port, FDB_PORT_NONE);
	}
	if (include_static)
		fdb_flush_list(fdb, FDB_STATIC_LIST, port);
}

void fdb_flush_vlan(struct fdb *fdb, uint16_t vlan)
{
	for (uint32_t p = 0; p < FDB_MAX_PORTS; p++) {
		uint32_t i = fdb->cnt[p] ? fdb->lists[p].head : FDB_NIL;

		while (i != FDB_NIL) {
			uint32_t next = fdb->ents[i].next;

			if ((uint16_t)(fdb->ents[i].key >> 48) == vlan)
				fdb_remove(fdb, i);
			i = next;
		}
	}
}

unsigned fdb_age(struct fdb *fdb, uint64_t now_ns)
{
	unsigned n = 0;

	for (uint32_t p = 0; p < FDB_MAX_PORTS; p++) {
		uint32_t i;

		if (!fdb->cnt[p])
			continue;
		while ((i = fdb->lists[p].head) != FDB_NIL) {
			uint64_t seen = fdb->ents[i].seen_ns;

			/* a timestamp from the future counts as just seen */
			if (seen >= now_ns || now_ns - seen < fdb->aging_ns)
				break;
			fdb_remove(fdb, i);
			n++;
		}
	}
	fdb->stats.aged += n;
	return n;
}

void fdb_foreach(const struct fdb *fdb, uint64_t now_ns,
		 bool (*cb)(const struct fdb_entry_info *e, void *arg), void *arg)
{
	for (uint32_t i = 0; i < fdb->hiwat; i++) {
		const struct fdb_ent *e = &fdb->ents[i];
		struct fdb_entry_info info = { 0 };

		if (!(e->flags & FDB_F_USED))
			continue;
		fdb_key_unpack(e->key, info.mac, &info.vlan);
		info.port = e->port;
		info.is_static = e->flags & FDB_F_STATIC;
		if (!info.is_static && now_ns > e->seen_ns) {
			uint64_t age = (now_ns - e->seen_ns) / NS_PER_S;

			info.age_s = age > UINT32_MAX ? UINT32_MAX : (uint32_t)age;
		}
		if (!cb(&info, arg))
			return;
	}
}

uint32_t fdb_port_count(const struct fdb *fdb, uint16_t port)
{
	return port < FDB_MAX_PORTS ? fdb->cnt[port] : 0;
}

void fdb_get_stats(const struct fdb *fdb, struct fdb_stats *s)
{
	*s = fdb->stats;
}
