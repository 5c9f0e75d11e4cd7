// SPDX-License-Identifier: GPL-2.0-or-later
/* test_lease.c - lease table, reservations, host names, JSON round trip and atomic state files. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../src/svc/lease.h"
#include "../../src/svc/statefile.h"

#define NOW 5000000

static const uint8_t M1[6] = { 0x52, 0x54, 0, 0, 0, 1 };
static const uint8_t M2[6] = { 0x52, 0x54, 0, 0, 0, 2 };
static const uint8_t M3[6] = { 0x52, 0x54, 0, 0, 0, 3 };

static void test_add_find_del(void **state)
{
	struct lease_table *t = lease_table_create(8);
	struct lease *l;

	(void)state;
	assert_null(lease_table_create(0));
	assert_null(lease_table_create(LEASE_MAX_MAX_ENTRIES + 1));
	l = lease_add(t, M1, 0x0a000080, NOW);
	assert_non_null(l);
	assert_int_equal(l->state, LEASE_RELEASED);
	l->state = LEASE_BOUND;
	l->expires = NOW + 100;
	strcpy(l->hostname, "vm1");
	assert_ptr_equal(lease_find_mac(t, M1), l);
	assert_ptr_equal(lease_find_ip(t, 0x0a000080), l);
	assert_null(lease_find_mac(t, M2));
	assert_true(lease_is_held(l, NOW));
	assert_false(lease_is_held(l, NOW + 100));
	lease_add(t, M2, 0x0a000081, NOW);
	lease_del(t, lease_find_mac(t, M1));
	assert_int_equal(t->n, 1);
	assert_null(lease_find_ip(t, 0x0a000080));
	assert_non_null(lease_find_mac(t, M2));
	lease_table_destroy(t);
	lease_table_destroy(NULL);
}

static void test_full_recycles_oldest_free(void **state)
{
	struct lease_table *t = lease_table_create(2);
	struct lease *a, *b;

	(void)state;
	a = lease_add(t, M1, 1, NOW);
	a->state = LEASE_BOUND;
	a->expires = NOW + 1000;
	b = lease_add(t, M2, 2, NOW);
	b->state = LEASE_BOUND;
	b->expires = NOW + 1000;
	assert_null(lease_add(t, M3, 3, NOW)); /* both held */
	assert_int_equal(t->n_full, 1);
	b->state = LEASE_RELEASED;
	b->expires = NOW - 10;
	assert_non_null(lease_add(t, M3, 3, NOW)); /* takes b's slot */
	assert_null(lease_find_mac(t, M2));
	assert_non_null(lease_find_mac(t, M1));
	assert_int_equal(t->n, 2);
	lease_table_destroy(t);
}

static void test_names(void **state)
{
	struct lease_table *t = lease_table_create(8);
	char out[LEASE_HOSTNAME_MAX], err[128];
	struct lease *l;
	uint32_t ip;
	char longname[300];

	(void)state;
	assert_true(lease_hostname_sanitize((const uint8_t *)"My_Host.example.org", 19, out));
	assert_string_equal(out, "myhost");
	assert_true(lease_hostname_sanitize((const uint8_t *)"--a b--", 7, out));
	assert_string_equal(out, "ab");
	assert_false(lease_hostname_sanitize((const uint8_t *)"...", 3, out));
	assert_false(lease_hostname_sanitize((const uint8_t *)"\0abc", 4, out));
	memset(longname, 'x', sizeof(longname));
	assert_true(lease_hostname_sanitize((const uint8_t *)longname, sizeof(longname), out));
	assert_int_equal(strlen(out), LEASE_HOSTNAME_MAX - 1);

	l = lease_add(t, M1, 0x0a000080, NOW);
	l->state = LEASE_BOUND;
	l->expires = NOW + 10;
	strcpy(l->hostname, "web");
	assert_true(lease_find_hostname(t, "WEB", NOW, &ip));
	assert_int_equal(ip, 0x0a000080);
	assert_false(lease_find_hostname(t, "web", NOW + 10, &ip)); /* expired */
	assert_string_equal(lease_find_name_of(t, 0x0a000080, NOW), "web");
	assert_int_equal(lease_resv_add(t, M2, 0x0a000032, "db", err, sizeof(err)), 0);
	assert_true(lease_find_hostname(t, "db", NOW, &ip)); /* reserved names always resolve */
	assert_int_equal(ip, 0x0a000032);
	assert_string_equal(lease_find_name_of(t, 0x0a000032, NOW), "db");
	lease_table_destroy(t);
}

static void test_reservations(void **state)
{
	struct lease_table *t = lease_table_create(8);
	static const uint8_t mcast[6] = { 1, 0, 0x5e, 0, 0, 1 };
	char err[128];

	(void)state;
	assert_int_equal(lease_resv_add(t, M1, 50, "a", err, sizeof(err)), 0);
	assert_int_equal(lease_resv_add(t, M2, 50, NULL, err, sizeof(err)), -EEXIST);
	assert_non_null(strstr(err, "already reserved"));
	assert_int_equal(lease_resv_add(t, M1, 51, NULL, err, sizeof(err)), 0); /* moves */
	assert_int_equal(t->n_resv, 1);
	assert_int_equal(lease_resv_find_mac(t, M1)->ip, 51);
	assert_null(lease_resv_find_ip(t, 50));
	assert_int_equal(lease_resv_add(t, mcast, 52, NULL, err, sizeof(err)), -EINVAL);
	assert_int_equal(lease_resv_add(t, M2, 52, "Bad_Name", err, sizeof(err)), -EINVAL);
	assert_int_equal(lease_resv_del(t, M1), 0);
	assert_int_equal(lease_resv_del(t, M1), -ENOENT);
	for (unsigned i = 0; i < LEASE_RESV_MAX; i++) {
		uint8_t m[6] = { 0x52, 0x54, 0, 0, (uint8_t)(i >> 8), (uint8_t)i };

		assert_int_equal(lease_resv_add(t, m, 1000 + i, NULL, err, sizeof(err)), 0);
	}
	{
		static const uint8_t m[6] = { 0x52, 0x54, 1, 0, 0, 0 }; /* a MAC not in the loop */

		assert_int_equal(lease_resv_add(t, m, 9999, NULL, err, sizeof(err)), -ENOSPC);
	}
	lease_table_destroy(t);
}

static void test_json_round_trip(void **state)
{
	struct lease_table *t = lease_table_create(8), *u = lease_table_create(8);
	char err[256];
	struct lease *l;
	json_t *doc, *resv;

	(void)state;
	l = lease_add(t, M1, 0x0a000080, NOW);
	l->state = LEASE_BOUND;
	l->expires = NOW + 3600;
	strcpy(l->hostname, "vm1");
	strcpy(l->port, "p1");
	l = lease_add(t, M2, 0x0a000081, NOW);
	l->state = LEASE_OFFERED; /* offers are not saved */
	l = lease_add(t, M3, 0x0a000082, NOW);
	l->state = LEASE_DECLINED;
	memset(l->mac, 0, 6);
	l->expires = NOW + 600;
	assert_int_equal(lease_resv_add(t, M3, 0x0a000032, "db", err, sizeof(err)), 0);

	doc = lease_table_to_json(t);
	resv = lease_resv_to_json(t);
	assert_int_equal(lease_table_from_json(u, doc, err, sizeof(err)), 0);
	assert_int_equal(lease_resv_from_json(u, resv, err, sizeof(err)), 0);
	assert_int_equal(u->n, 2);
	l = lease_find_mac(u, M1);
	assert_non_null(l);
	assert_int_equal(l->ip, 0x0a000080);
	assert_int_equal(l->state, LEASE_BOUND);
	assert_int_equal(l->expires, NOW + 3600);
	assert_string_equal(l->hostname, "vm1");
	assert_string_equal(l->port, "p1");
	assert_int_equal(lease_find_ip(u, 0x0a000082)->state, LEASE_DECLINED);
	assert_int_equal(u->n_resv, 1);
	assert_string_equal(u->resv[0].hostname, "db");
	json_decref(doc);
	json_decref(resv);
	lease_table_destroy(t);
	lease_table_destroy(u);
}

static void test_json_rejects(void **state)
{
	static const char *const bad[] = {
		"{\"version\": 2, \"leases\": []}",
		"{\"version\": 1}",
		"{\"version\": 1, \"leases\": {}}",
		"{\"version\": 1, \"leases\": [{\"mac\": \"zz\", \"ip\": \"10.0.0.1\", \"state\": "
		"\"bound\", \"expires\": 1}]}",
		"{\"version\": 1, \"leases\": [{\"mac\": \"52:54:00:00:00:01\", \"ip\": "
		"\"10.0.0\", "
		"\"state\": \"bound\", \"expires\": 1}]}",
		"{\"version\": 1, \"leases\": [{\"mac\": \"52:54:00:00:00:01\", \"ip\": "
		"\"10.0.0.1\", "
		"\"state\": \"offered\", \"expires\": 1}]}",
		"{\"version\": 1, \"leases\": [{\"mac\": \"52:54:00:00:00:01\", \"ip\": "
		"\"10.0.0.1\", "
		"\"state\": \"bound\", \"expires\": 1, \"hostname\": \"a b\"}]}",
		"{\"version\": 1, \"leases\": [{\"mac\": \"52:54:00:00:00:01\", \"ip\": "
		"\"10.0.0.1\", "
		"\"state\": \"bound\", \"expires\": 1, \"extra\": 1}]}",
		"{\"version\": 1, \"leases\": [{\"mac\": \"52:54:00:00:00:01\", \"ip\": "
		"\"10.0.0.1\", "
		"\"state\": \"bound\", \"expires\": 1}, {\"mac\": \"52:54:00:00:00:01\", \"ip\": "
		"\"10.0.0.2\", \"state\": \"bound\", \"expires\": 1}]}",
	};
	struct lease_table *t = lease_table_create(1);
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *doc = json_loads(bad[i], 0, NULL);

		assert_non_null(doc);
		err[0] = '\0';
		assert_int_equal(lease_table_from_json(t, doc, err, sizeof(err)), -EINVAL);
		assert_true(err[0] != '\0');
		assert_int_equal(t->n, 0);
		json_decref(doc);
	}
	lease_table_destroy(t);
}

static void test_statefile(void **state)
{
	char dir[] = "/tmp/test_lease.XXXXXX", path[256], tmp[300], err[256];
	json_t *doc = json_pack("{s:i}", "a", 1), *back = NULL;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_false(statefile_path(path, sizeof(path), "", "lab", ".json"));
	assert_true(statefile_path(path, sizeof(path), dir, "lab", ".leases"));
	assert_non_null(strstr(path, "/net-lab.leases"));
	assert_int_equal(statefile_read(path, &back, err, sizeof(err)), 0);
	assert_null(back); /* missing: no document, no error */
	assert_int_equal(statefile_write(path, doc, err, sizeof(err)), 0);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	assert_int_not_equal(access(tmp, F_OK), 0); /* no temp file left behind */
	assert_int_equal(statefile_read(path, &back, err, sizeof(err)), 0);
	assert_true(json_equal(doc, back));
	json_decref(back);
	/* a torn temp file from a crash does not matter: the real file is intact */
	f = fopen(tmp, "w");
	fputs("{\"a\": ", f);
	fclose(f);
	assert_int_equal(statefile_read(path, &back, err, sizeof(err)), 0);
	assert_true(json_equal(doc, back));
	json_decref(back);
	/* a corrupt file is an error naming the file */
	f = fopen(path, "w");
	fputs("{\"a\": ", f);
	fclose(f);
	assert_int_equal(statefile_read(path, &back, err, sizeof(err)), -EINVAL);
	assert_null(back);
	assert_non_null(strstr(err, "net-lab.leases"));
	/* not an object */
	f = fopen(path, "w");
	fputs("[1]", f);
	fclose(f);
	assert_int_equal(statefile_read(path, &back, err, sizeof(err)), -EINVAL);
	unlink(path);
	unlink(tmp);
	rmdir(dir);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_find_del),
		cmocka_unit_test(test_full_recycles_oldest_free),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_reservations),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_json_rejects),
		cmocka_unit_test(test_statefile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
