// SPDX-License-Identifier: GPL-2.0-or-later
/* test_fdb.c - unit tests of the MAC table: learning, aging, fair eviction, statics, limits. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "../../src/switch/fdb.h"

#define S(x) ((uint64_t)(x)*1000000000ull)

/* deterministic MACs: locally administered unicast, the counter in the low bytes */
static void mac_n(uint8_t mac[6], uint32_t n, uint8_t tag)
{
	mac[0] = 0x02;
	mac[1] = tag;
	mac[2] = (uint8_t)(n >> 24);
	mac[3] = (uint8_t)(n >> 16);
	mac[4] = (uint8_t)(n >> 8);
	mac[5] = (uint8_t)n;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

struct walk {
	unsigned n, n_static, calls_left;
	uint32_t per_port[FDB_MAX_PORTS];
	struct fdb_entry_info last;
};

static bool walk_cb(const struct fdb_entry_info *e, void *arg)
{
	struct walk *w = arg;

	w->n++;
	if (e->is_static)
		w->n_static++;
	else
		w->per_port[e->port]++;
	w->last = *e;
	if (w->calls_left && --w->calls_left == 0)
		return false;
	return true;
}

/* The table's counters must agree with what fdb_foreach() sees. */
static void check_consistent(const struct fdb *fdb)
{
	static struct walk w;
	struct fdb_stats st;

	memset(&w, 0, sizeof(w));
	fdb_foreach(fdb, 0, walk_cb, &w);
	fdb_get_stats(fdb, &st);
	assert_int_equal(w.n, st.n_entries);
	assert_true(st.n_entries <= fdb_get_max(fdb));
	for (unsigned p = 0; p < FDB_MAX_PORTS; p++)
		assert_int_equal(w.per_port[p], fdb_port_count(fdb, (uint16_t)p));
}

static void test_learn_lookup(void **state)
{
	struct fdb *fdb = fdb_create(64, 300);
	uint8_t a[6], b[6];
	struct fdb_stats st;

	(void)state;
	assert_non_null(fdb);
	mac_n(a, 1, 0);
	mac_n(b, 2, 0);
	assert_int_equal(fdb_lookup(fdb, 10, a), FDB_PORT_NONE);
	assert_true(fdb_learn(fdb, 10, a, 3, S(1)));
	assert_false(fdb_learn(fdb, 10, a, 3, S(2))); /* refresh is not news */
	assert_int_equal(fdb_lookup(fdb, 10, a), 3);
	assert_int_equal(fdb_lookup(fdb, 10, b), FDB_PORT_NONE);

	/* the same MAC in another VLAN is another entry */
	assert_int_equal(fdb_lookup(fdb, 20, a), FDB_PORT_NONE);
	assert_true(fdb_learn(fdb, 20, a, 5, S(2)));
	assert_int_equal(fdb_lookup(fdb, 20, a), 5);
	assert_int_equal(fdb_lookup(fdb, 10, a), 3);
	assert_int_equal(fdb_lookup(fdb, 0, a), FDB_PORT_NONE);

	fdb_get_stats(fdb, &st);
	assert_int_equal(st.n_entries, 2);
	assert_int_equal(st.learned, 2);
	assert_int_equal(st.moves, 0);
	assert_int_equal(fdb_port_count(fdb, 3), 1);
	assert_int_equal(fdb_port_count(fdb, 5), 1);
	check_consistent(fdb);
	fdb_destroy(fdb);
}

static void test_limits(void **state)
{
	struct fdb *fdb;
	uint8_t a[6];

	(void)state;
	mac_n(a, 1, 0);
	assert_null(fdb_create(0, 300));
	assert_null(fdb_create(FDB_MAX_MAX_ENTRIES + 1, 300));
	fdb_destroy(NULL);

	fdb = fdb_create(1, 0);
	assert_non_null(fdb);
	assert_int_equal(fdb_get_max(fdb), 1);
	assert_int_equal(fdb_get_aging(fdb), 1); /* 0 is clamped */
	fdb_set_aging(fdb, 0);
	assert_int_equal(fdb_get_aging(fdb), 1);
	fdb_set_aging(fdb, FDB_AGING_MAX_S + 5);
	assert_int_equal(fdb_get_aging(fdb), FDB_AGING_MAX_S);
	fdb_set_aging(fdb, 42);
	assert_int_equal(fdb_get_aging(fdb), 42);

	/* port numbers out of range are refused and change nothing */
	assert_false(fdb_learn(fdb, 1, a, FDB_MAX_PORTS, S(1)));
	assert_false(fdb_learn(fdb, 1, a, FDB_PORT_NONE, S(1)));
	assert_int_equal(fdb_add_static(fdb, 1, a, FDB_MAX_PORTS), -EINVAL);
	assert_int_equal(fdb_lookup(fdb, 1, a), FDB_PORT_NONE);
	assert_int_equal(fdb_port_count(fdb, FDB_MAX_PORTS), 0);

	/* the highest valid port works, and a table of one still learns by eviction */
	assert_true(fdb_learn(fdb, 1, a, FDB_MAX_PORTS - 1, S(1)));
	assert_int_equal(fdb_lookup(fdb, 1, a), FDB_MAX_PORTS - 1);
	mac_n(a, 2, 0);
	assert_true(fdb_learn(fdb, 1, a, 0, S(2)));
	assert_int_equal(fdb_lookup(fdb, 1, a), 0);
	assert_int_equal(fdb_port_count(fdb, FDB_MAX_PORTS - 1), 0);
	check_consistent(fdb);
	fdb_destroy(fdb);
}

static void test_aging(void **state)
{
	struct fdb *fdb = fdb_create(64, 10);
	uint8_t a[6], b[6], c[6];
	struct fdb_stats st;

	(void)state;
	mac_n(a, 1, 0);
	mac_n(b, 2, 0);
	mac_n(c, 3, 0);
	fdb_learn(fdb, 1, a, 1, S(100));
	fdb_learn(fdb, 1, b, 1, S(100));
	fdb_learn(fdb, 1, c, 2, S(105));
	fdb_learn(fdb, 1, a, 1, S(108)); /* refresh keeps a alive past b */

	assert_int_equal(fdb_age(fdb, S(109)), 0);
	assert_int_equal(fdb_age(fdb, S(110) + 500000000), 1);
	assert_int_equal(fdb_lookup(fdb, 1, b), FDB_PORT_NONE);
	assert_int_equal(fdb_lookup(fdb, 1, a), 1);
	assert_int_equal(fdb_lookup(fdb, 1, c), 2);

	assert_int_equal(fdb_age(fdb, S(116)), 1); /* c (seen at 105) goes, a (108) stays */
	assert_int_equal(fdb_lookup(fdb, 1, c), FDB_PORT_NONE);
	assert_int_equal(fdb_lookup(fdb, 1, a), 1);

	/* keep refreshing a: it never ages */
	for (unsigned t = 110; t < 200; t += 5) {
		fdb_learn(fdb, 1, a, 1, S(t));
		assert_int_equal(fdb_age(fdb, S(t + 9)), 0);
	}
	assert_int_equal(fdb_age(fdb, S(205)), 1);
	assert_int_equal(fdb_lookup(fdb, 1, a), FDB_PORT_NONE);

	/* a clock that runs behind an entry's timestamp must not age it */
	fdb_learn(fdb, 1, a, 1, S(500));
	assert_int_equal(fdb_age(fdb, S(400)), 0);
	assert_int_equal(fdb_lookup(fdb, 1, a), 1);

	/* shorter aging applies at the next run */
	fdb_set_aging(fdb, 1);
	assert_int_equal(fdb_age(fdb, S(501)), 1);

	fdb_get_stats(fdb, &st);
	assert_int_equal(st.aged, 4);
	assert_int_equal(st.n_entries, 0);
	assert_int_equal(fdb_port_count(fdb, 1), 0);
	check_consistent(fdb);
	fdb_destroy(fdb);
}

/* Many entries, aged in order of age: each fdb_age() call takes exactly the expired prefix. */
static void test_aging_bulk(void **state)
{
	struct fdb *fdb = fdb_create(4096, 60);
	uint8_t m[6];

	(void)state;
	for (uint32_t i = 0; i < 4000; i++) {
		mac_n(m, i, 1);
		fdb_learn(fdb, 7, m, (uint16_t)(i % 4), S(1000) + i * 1000000ull); /* 1 ms apart */
	}
	/* at 1060.9995 s, the entries seen before 1000.9995 s have expired: i = 0..999 */
	assert_int_equal(fdb_age(fdb, S(1060) + 999500000ull), 1000);
	mac_n(m, 999, 1);
	assert_int_equal(fdb_lookup(fdb, 7, m), FDB_PORT_NONE);
	mac_n(m, 1000, 1);
	assert_int_equal(fdb_lookup(fdb, 7, m), 0);
	assert_int_equal(fdb_port_count(fdb, 0), 750);
	assert_int_equal(fdb_age(fdb, S(2000)), 3000);
	check_consistent(fdb);
	fdb_destroy(fdb);
}

static void test_eviction_lru_order(void **state)
{
	struct fdb *fdb = fdb_create(4, 300);
	uint8_t m[8][6];
	struct fdb_stats st;

	(void)state;
	for (uint32_t i = 0; i < 8; i++)
		mac_n(m[i], i, 0);
	fdb_learn(fdb, 1, m[1], 0, S(1));
	fdb_learn(fdb, 1, m[2], 0, S(2));
	fdb_learn(fdb, 1, m[3], 0, S(3));
	fdb_learn(fdb, 1, m[1], 0, S(4)); /* m1 is now the most recent of port 0 */
	fdb_learn(fdb, 1, m[4], 1, S(5)); /* full */

	/* port 0 has the most: its least recently seen (m2) goes, not port 1's */
	assert_true(fdb_learn(fdb, 1, m[5], 1, S(6)));
	assert_int_equal(fdb_lookup(fdb, 1, m[2]), FDB_PORT_NONE);
	assert_int_equal(fdb_lookup(fdb, 1, m[1]), 0);
	assert_int_equal(fdb_lookup(fdb, 1, m[3]), 0);
	assert_int_equal(fdb_lookup(fdb, 1, m[4]), 1);
	assert_int_equal(fdb_lookup(fdb, 1, m[5]), 1);

	/* 2 and 2: a tie, either port may lose its oldest; the new entry is always there */
	assert_true(fdb_learn(fdb, 1, m[6], 1, S(7)));
	assert_true(fdb_learn(fdb, 1, m[7], 1, S(8)));
	assert_int_equal(fdb_port_count(fdb, 0) + fdb_port_count(fdb, 1), 4);
	assert_true(fdb_port_count(fdb, 0) >= 1 && fdb_port_count(fdb, 0) <= 2);
	assert_int_equal(fdb_lookup(fdb, 1, m[6]), 1);
	assert_int_equal(fdb_lookup(fdb, 1, m[7]), 1);

	fdb_get_stats(fdb, &st);
	assert_int_equal(st.evictions, 3);
	assert_int_equal(st.n_entries, 4);
	check_consistent(fdb);
	fdb_destroy(fdb);
}

/* The OVS rule: a flood from one port ends up evicting only that port's entries. */
static void test_eviction_fairness_flood(void **state)
{
	enum { MAX = 8192, N_B = 5, N_C = 7, N_FLOOD = 100000 };
	static uint8_t flood[N_FLOOD][6];
	struct fdb *fdb = fdb_create(MAX, 300);
	uint8_t m[6];
	struct fdb_stats st;

	(void)state;
	rng_state = 0x2545f4914f6cdd1dull;
	for (uint32_t i = 0; i < N_B; i++) {
		mac_n(m, i, 0xb);
		fdb_learn(fdb, 1, m, 1, S(1));
	}
	for (uint32_t i = 0; i < N_C; i++) {
		mac_n(m, i, 0xc);
		fdb_learn(fdb, 1, m, 2, S(1));
	}
	for (uint32_t i = 0; i < N_FLOOD; i++) {
		uint64_t r = rng();

		memcpy(flood[i], &r, 6);
		flood[i][0] = (uint8_t)((flood[i][0] & 0xfe) | 0x02);
		flood[i][1] = 0xa; /* never equal to B's and C's MACs */
		fdb_learn(fdb, 1, flood[i], 0, S(2) + i);
		if (i % 4096 == 0) {
			fdb_get_stats(fdb, &st);
			assert_true(st.n_entries <= MAX);
		}
	}
	for (uint32_t i = 0; i < N_B; i++) {
		mac_n(m, i, 0xb);
		assert_int_equal(fdb_lookup(fdb, 1, m), 1);
	}
	for (uint32_t i = 0; i < N_C; i++) {
		mac_n(m, i, 0xc);
		assert_int_equal(fdb_lookup(fdb, 1, m), 2);
	}
	fdb_get_stats(fdb, &st);
	assert_int_equal(st.n_entries, MAX);
	assert_int_equal(fdb_port_count(fdb, 0), MAX - N_B - N_C);
	assert_int_equal(fdb_port_count(fdb, 1), N_B);
	assert_int_equal(fdb_port_count(fdb, 2), N_C);
	/* this seed gives 100,000 distinct MACs: each one past the free room evicted one */
	assert_int_equal(st.evictions, N_FLOOD - (MAX - N_B - N_C));
	assert_int_equal(st.learned, st.n_entries + st.evictions);

	/* the flood's survivors are exactly its most recent MACs (its own LRU order) */
	for (uint32_t i = 0; i < N_FLOOD; i++)
		assert_int_equal(fdb_lookup(fdb, 1, flood[i]),
				 i >= N_FLOOD - (MAX - N_B - N_C) ? 0 : FDB_PORT_NONE);
	check_consistent(fdb);
	fdb_destroy(fdb);
}

/* When another port holds the largest share, a newcomer takes from it first. */
static void test_eviction_takes_from_largest(void **state)
{
	struct fdb *fdb = fdb_create(6, 300);
	uint8_t m[6];

	(void)state;
	for (uint32_t i = 0; i < 4; i++) {
		mac_n(m, i, 1);
		fdb_learn(fdb, 1, m, 1, S(1) + i);
	}
	for (uint32_t i = 0; i < 2; i++) {
		mac_n(m, i, 0);
		fdb_learn(fdb, 1, m, 0, S(1) + i);
	}
	mac_n(m, 2, 0);
	assert_true(fdb_learn(fdb, 1, m, 0, S(10)));
	assert_int_equal(fdb_port_count(fdb, 1), 3);
	assert_int_equal(fdb_port_count(fdb, 0), 3);
	mac_n(m, 0, 1); /* port 1's oldest went */
	assert_int_equal(fdb_lookup(fdb, 1, m), FDB_PORT_NONE);
	mac_n(m, 1, 1);
	assert_int_equal(fdb_lookup(fdb, 1, m), 1);
	check_consistent(fdb);
	fdb_destroy(fdb);
}

static void test_move(void **state)
{
	struct fdb *fdb = fdb_create(64, 10);
	uint8_t a[6], b[6];
	struct fdb_stats st;

	(void)state;
	mac_n(a, 1, 0);
	mac_n(b, 2, 0);
	fdb_learn(fdb, 1, a, 1, S(1));
	fdb_learn(fdb, 1, b, 2, S(1));
	assert_true(fdb_learn(fdb, 1, a, 2, S(5))); /* station move */
	assert_int_equal(fdb_lookup(fdb, 1, a), 2);
	assert_int_equal(fdb_port_count(fdb, 1), 0);
	assert_int_equal(fdb_port_count(fdb, 2), 2);
	assert_false(fdb_learn(fdb, 1, a, 2, S(6)));
	fdb_get_stats(fdb, &st);
	assert_int_equal(st.moves, 1);
	assert_int_equal(st.learned, 2);
	assert_int_equal(st.n_entries, 2);

	/* the move refreshed a: b (seen at 1) ages first, a (seen at 6) later */
	assert_int_equal(fdb_age(fdb, S(12)), 1);
	assert_int_equal(fdb_lookup(fdb, 1, b), FDB_PORT_NONE);
	assert_int_equal(fdb_lookup(fdb, 1, a), 2);

	/* a flush of the old port does not touch the moved entry */
	fdb_flush(fdb, 1, false);
	assert_int_equal(fdb_lookup(fdb, 1, a), 2);
	fdb_flush(fdb, 2, false);
	assert_int_equal(fdb_lookup(fdb, 1, a), FDB_PORT_NONE);
	check_consistent(fdb);
	fdb_destroy(fdb);
}

static void test_static(void **state)
{
	struct fdb *fdb = fdb_create(16, 10);
	uint8_t s[6], l[6], m[6];
	struct fdb_stats st;

	(void)state;
	mac_n(s, 1, 0x5);
	mac_n(l, 2, 0x5);
	assert_int_equal(fdb_add_static(fdb, 1, s, 4), 0);
	assert_int_equal(fdb_lookup(fdb, 1, s), 4);
	assert_int_equal(fdb_port_count(fdb, 4), 0); /* statics are not "learned" */

	/* a static entry does not move when its MAC shows up elsewhere */
	assert_false(fdb_learn(fdb, 1, s, 5, S(1)));
	assert_int_equal(fdb_lookup(fdb, 1, s), 4);

	/* survives flush of learned entries, aging, and a flood */
	fdb_flush(fdb, FDB_PORT_NONE, false);
	fdb_flush(fdb, 4, false);
	assert_int_equal(fdb_age(fdb, S(1000000)), 0);
	for (uint32_t i = 0; i < 1000; i++) {
		mac_n(m, i, 0xf);
		fdb_learn(fdb, 1, m, 4, S(2) + i);
	}
	assert_int_equal(fdb_lookup(fdb, 1, s), 4);
	fdb_get_stats(fdb, &st);
	assert_int_equal(st.n_entries, 16);
	assert_int_equal(fdb_port_count(fdb, 4), 15);

	/* replacing a static moves it; turning a learned entry static takes it off the LRU */
	assert_int_equal(fdb_add_static(fdb, 1, s, 6), 0);
	assert_int_equal(fdb_lookup(fdb, 1, s), 6);
	mac_n(m, 999, 0xf);
	assert_int_equal(fdb_lookup(fdb, 1, m), 4);
	assert_int_equal(fdb_add_static(fdb, 1, m, 7), 0);
	assert_int_equal(fdb_lookup(fdb, 1, m), 7);
	assert_int_equal(fdb_port_count(fdb, 4), 14);
	assert_int_equal(fdb_age(fdb, S(1000000)), 14);
	assert_int_equal(fdb_lookup(fdb, 1, m), 7);
	fdb_get_stats(fdb, &st);
	assert_int_equal(st.n_entries, 2);

	/* include_static removes only the given port's statics */
	fdb_learn(fdb, 1, l, 6, S(1000000));
	fdb_flush(fdb, 6, true);
	assert_int_equal(fdb_lookup(fdb, 1, s), FDB_PORT_NONE);
	assert_int_equal(fdb_lookup(fdb, 1, l), FDB_PORT_NONE);
	assert_int_equal(fdb_lookup(fdb, 1, m), 7);
	fdb_flush(fdb, FDB_PORT_NONE, true);
	assert_int_equal(fdb_lookup(fdb, 1, m), FDB_PORT_NONE);
	fdb_get_stats(fdb, &st);
	assert_int_equal(st.n_entries, 0);
	check_consistent(fdb);
	fdb_destroy(fdb);
}

static void test_static_full(void **state)
{
	struct fdb *fdb = fdb_create(4, 10);
	uint8_t m[6];
	struct fdb_stats st;

	(void)state;
	/* a static may push out a learned entry */
	for (uint32_t i = 0; i < 4; i++) {
		mac_n(m, i, 1);
		fdb_learn(fdb, 1, m, 1, S(1));
	}
	for (uint32_t i = 0; i < 4; i++) {
		mac_n(m, i, 2);
		assert_int_equal(fdb_add_static(fdb, 1, m, 2), 0);
	}
	assert_int_equal(fdb_port_count(fdb, 1), 0);
	/* full of statics: nothing more, learned or static; existing ones can still change */
	mac_n(m, 9, 2);
	assert_int_equal(fdb_add_static(fdb, 1, m, 2), -ENOSPC);
	assert_false(fdb_learn(fdb, 1, m, 3, S(2)));
	assert_int_equal(fdb_lookup(fdb, 1, m), FDB_PORT_NONE);
	mac_n(m, 0, 2);
	assert_int_equal(fdb_add_static(fdb, 1, m, 3), 0);
	fdb_get_stats(fdb, &st);
	assert_int_equal(st.full_drops, 1);
	assert_int_equal(st.evictions, 4);
	assert_int_equal(st.n_entries, 4);

	/* deleting a static makes room again */
	assert_int_equal(fdb_del(fdb, 1, m), 0);
	mac_n(m, 9, 2);
	assert_true(fdb_learn(fdb, 1, m, 3, S(3)));
	assert_int_equal(fdb_lookup(fdb, 1, m), 3);
	check_consistent(fdb);
	fdb_destroy(fdb);
}

static void test_flush_and_del(void **state)
{
	struct fdb *fdb = fdb_create(128, 10);
	uint8_t m[6];
	struct fdb_stats st;

	(void)state;
	for (uint32_t i = 0; i < 30; i++) {
		mac_n(m, i, 0);
		fdb_learn(fdb, (uint16_t)(10 + i % 2), m, (uint16_t)(i % 3), S(1) + i);
	}
	mac_n(m, 100, 0);
	fdb_add_static(fdb, 10, m, 1);

	fdb_flush(fdb, 1, false);
	assert_int_equal(fdb_port_count(fdb, 1), 0);
	assert_int_equal(fdb_port_count(fdb, 0), 10);
	assert_int_equal(fdb_port_count(fdb, 2), 10);
	assert_int_equal(fdb_lookup(fdb, 10, m), 1);

	/* VLAN 11 holds the odd i; among ports 0 and 2 that is 10 entries */
	fdb_flush_vlan(fdb, 11);
	fdb_get_stats(fdb, &st);
	assert_int_equal(st.n_entries, 11);
	for (uint32_t i = 0; i < 30; i++) {
		mac_n(m, i, 0);
		assert_int_equal(fdb_lookup(fdb, 11, m), FDB_PORT_NONE);
		if (i % 2 == 0 && i % 3 != 1)
			assert_int_equal(fdb_lookup(fdb, 10, m), i % 3);
	}
	mac_n(m, 100, 0);
	assert_int_equal(fdb_lookup(fdb, 10, m), 1); /* static kept by flush_vlan */

	/* del: learned, static, missing, wrong VLAN */
	mac_n(m, 0, 0);
	assert_int_equal(fdb_del(fdb, 11, m), -ENOENT);
	assert_int_equal(fdb_del(fdb, 10, m), 0);
	assert_int_equal(fdb_del(fdb, 10, m), -ENOENT);
	assert_int_equal(fdb_lookup(fdb, 10, m), FDB_PORT_NONE);
	assert_int_equal(fdb_port_count(fdb, 0), 4);
	mac_n(m, 100, 0);
	assert_int_equal(fdb_del(fdb, 10, m), 0);
	fdb_get_stats(fdb, &st);
	assert_int_equal(st.n_entries, 9);

	fdb_flush(fdb, FDB_PORT_NONE, false);
	fdb_get_stats(fdb, &st);
	assert_int_equal(st.n_entries, 0);
	check_consistent(fdb);

	/* freed entries are reused: refill to the brim without an eviction */
	for (uint32_t i = 0; i < 128; i++) {
		mac_n(m, i, 3);
		assert_true(fdb_learn(fdb, 1, m, 0, S(5)));
	}
	fdb_get_stats(fdb, &st);
	assert_int_equal(st.n_entries, 128);
	assert_int_equal(st.evictions, 0);
	check_consistent(fdb);
	fdb_destroy(fdb);
}

static void test_foreach(void **state)
{
	struct fdb *fdb = fdb_create(64, 300);
	uint8_t a[6], b[6];
	struct walk w;

	(void)state;
	mac_n(a, 0xabcdef, 0x42);
	mac_n(b, 2, 0);
	fdb_learn(fdb, 4094, a, 9, S(1));
	memset(&w, 0, sizeof(w));
	fdb_foreach(fdb, S(11) + 700000000ull, walk_cb, &w);
	assert_int_equal(w.n, 1);
	assert_memory_equal(w.last.mac, a, 6);
	assert_int_equal(w.last.vlan, 4094);
	assert_int_equal(w.last.port, 9);
	assert_false(w.last.is_static);
	assert_int_equal(w.last.age_s, 10);

	fdb_del(fdb, 4094, a);
	fdb_add_static(fdb, 3, b, 2);
	memset(&w, 0, sizeof(w));
	fdb_foreach(fdb, S(50), walk_cb, &w);
	assert_int_equal(w.n, 1);
	assert_true(w.last.is_static);
	assert_int_equal(w.last.age_s, 0);
	assert_int_equal(w.last.vlan, 3);

	/* the callback can stop the walk */
	for (uint32_t i = 0; i < 20; i++) {
		mac_n(a, i, 7);
		fdb_learn(fdb, 1, a, 1, S(1));
	}
	memset(&w, 0, sizeof(w));
	w.calls_left = 5;
	fdb_foreach(fdb, S(2), walk_cb, &w);
	assert_int_equal(w.n, 5);
	memset(&w, 0, sizeof(w));
	fdb_foreach(fdb, S(2), walk_cb, &w);
	assert_int_equal(w.n, 21);
	assert_int_equal(w.n_static, 1);
	fdb_destroy(fdb);
}

static void test_max_million(void **state)
{
	struct fdb *fdb = fdb_create(FDB_MAX_MAX_ENTRIES, 300);
	uint8_t m[6];
	struct fdb_stats st;

	(void)state;
	assert_non_null(fdb);
	assert_int_equal(fdb_get_max(fdb), FDB_MAX_MAX_ENTRIES);
	for (uint32_t i = 0; i < FDB_MAX_MAX_ENTRIES; i++) {
		mac_n(m, i, 0);
		assert_true(fdb_learn(fdb, 1, m, (uint16_t)(i % FDB_MAX_PORTS), S(1)));
	}
	fdb_get_stats(fdb, &st);
	assert_int_equal(st.n_entries, FDB_MAX_MAX_ENTRIES);
	assert_int_equal(st.evictions, 0);
	for (uint32_t i = 0; i < FDB_MAX_MAX_ENTRIES; i += 997) {
		mac_n(m, i, 0);
		assert_int_equal(fdb_lookup(fdb, 1, m), i % FDB_MAX_PORTS);
	}
	mac_n(m, 0, 1);
	assert_true(fdb_learn(fdb, 1, m, 5, S(2)));
	fdb_get_stats(fdb, &st);
	assert_int_equal(st.n_entries, FDB_MAX_MAX_ENTRIES);
	assert_int_equal(st.evictions, 1);
	/* at 301.5 s the entries seen at 1 s are 300.5 s old, the new one 299.5 s */
	assert_int_equal(fdb_age(fdb, S(301) + 500000000ull), FDB_MAX_MAX_ENTRIES - 1);
	assert_int_equal(fdb_lookup(fdb, 1, m), 5);
	fdb_destroy(fdb);
}

/* Not a pass/fail check on time (the machine is noisy): it prints the cost and checks the results. */
static void test_speed(void **state)
{
	const uint32_t n = 8192, iters = 4000000;
	static uint8_t macs[8192][6];
	struct fdb *fdb = fdb_create(n, 300);
	struct timespec t0, t1;
	uint64_t hits = 0;
	double ns;

	(void)state;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t r = rng();

		memcpy(macs[i], &r, 6);
		macs[i][0] = 0x02;
		macs[i][1] = (uint8_t)(i >> 8);
		macs[i][2] = (uint8_t)i; /* unique */
		fdb_learn(fdb, 1, macs[i], (uint16_t)(i % 8), S(1));
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (uint32_t k = 0; k < iters; k++) {
		uint32_t s = (uint32_t)rng() & (n - 1), d = (s * 2654435761u) & (n - 1);

		fdb_learn(fdb, 1, macs[s], (uint16_t)(s % 8), S(2) + k);
		hits += fdb_lookup(fdb, 1, macs[d]) == d % 8;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / iters;
	print_message("fdb: %.1f ns per fdb_learn+fdb_lookup (warm table of %u, random keys)\n", ns,
		      n);
	assert_int_equal(hits, iters);
	fdb_destroy(fdb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_learn_lookup),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_aging),
		cmocka_unit_test(test_aging_bulk),
		cmocka_unit_test(test_eviction_lru_order),
		cmocka_unit_test(test_eviction_fairness_flood),
		cmocka_unit_test(test_eviction_takes_from_largest),
		cmocka_unit_test(test_move),
		cmocka_unit_test(test_static),
		cmocka_unit_test(test_static_full),
		cmocka_unit_test(test_flush_and_del),
		cmocka_unit_test(test_foreach),
		cmocka_unit_test(test_max_million),
		cmocka_unit_test(test_speed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
