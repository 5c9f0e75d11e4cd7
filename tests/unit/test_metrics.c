// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_metrics.c - the Prometheus exposition: label escaping, name sanitising, families kept
 * together when samples interleave, the family limit, and metrics_render() on a daemon with
 * dummy ports whose counters must equal what stats/show returns.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "../../src/base/log.h"
#include "../../src/base/pkt.h"
#include "../../src/ctl/cmd_table.h"
#include "../../src/ctl/config.h"
#include "../../src/ctl/ctl.h"
#include "../../src/ctl/vnetd.h"
#include "../../src/web/metrics.h"

static char *escaped(const char *s)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	assert_non_null(f);
	metrics_escape(f, s);
	fclose(f);
	return buf;
}

static void test_escape(void **state)
{
	char *s;

	(void)state;
	s = escaped("plain");
	assert_string_equal(s, "plain");
	free(s);
	s = escaped("a\\b\"c\nd");
	assert_string_equal(s, "a\\\\b\\\"c\\nd");
	free(s);
	s = escaped("");
	assert_string_equal(s, "");
	free(s);
}

static char *finish(struct metrics *m)
{
	char *text = NULL;
	size_t size = 0;

	assert_int_equal(metrics_finish(m, &text, &size), 0);
	assert_non_null(text);
	assert_int_equal(strlen(text), size);
	return text;
}

static void test_families_grouped(void **state)
{
	struct metrics *m = malloc(sizeof(*m));
	const char *const la[] = { "switch", "s\"1", NULL };
	const char *const lb[] = { "switch", "s2", "bad-label", "x\ny", NULL };
	char *text;

	(void)state;
	assert_non_null(m);
	metrics_init(m);
	metrics_sample(m, "vnet_a_total", "counter", "A things.", la, 1);
	metrics_sample(m, "vnet_b", "gauge", "B\\things\nnow.", NULL, -2);
	metrics_sample(m, "vnet_a_total", "counter", "ignored", lb, 3);
	metrics_sample(m, "vnet-bad name", "gauge", "sanitised", NULL, 4);
	metrics_sample(m, "9starts_with_digit", "gauge", "sanitised", NULL, 5);
	text = finish(m);
	assert_string_equal(text, "# HELP vnet_a_total A things.\n"
				  "# TYPE vnet_a_total counter\n"
				  "vnet_a_total{switch=\"s\\\"1\"} 1\n"
				  "vnet_a_total{switch=\"s2\",bad_label=\"x\\ny\"} 3\n"
				  "# HELP vnet_b B\\\\things\\nnow.\n"
				  "# TYPE vnet_b gauge\n"
				  "vnet_b -2\n"
				  "# HELP vnet_bad_name sanitised\n"
				  "# TYPE vnet_bad_name gauge\n"
				  "vnet_bad_name 4\n"
				  "# HELP _starts_with_digit sanitised\n"
				  "# TYPE _starts_with_digit gauge\n"
				  "_starts_with_digit 5\n");
	free(text);
	free(m);
}

static void test_family_limit(void **state)
{
	struct metrics *m = malloc(sizeof(*m));
	char name[32], *text = NULL;
	size_t size = 0;

	(void)state;
	assert_non_null(m);
	metrics_init(m);
	for (unsigned i = 0; i <= METRICS_FAMILIES_MAX; i++) {
		snprintf(name, sizeof(name), "vnet_f%u", i);
		metrics_sample(m, name, "gauge", "h", NULL, i);
	}
	assert_int_equal(metrics_finish(m, &text, &size), -ENOMEM);
	assert_null(text);
	free(m);
}

/* ---- metrics_render() against the control commands ---- */

static struct vnetd *vnetd_new(void)
{
	struct vnetd *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	assert_int_equal(evloop_init(&d->dp.loop), 0);
	d->dp.pool = pkt_pool_create(64);
	assert_non_null(d->dp.pool);
	return d;
}

static void vnetd_free(struct vnetd *d)
{
	for (unsigned i = 0; i < VNETD_MAX_SWITCHES; i++)
		bridge_destroy(d->bridges[i]);
	config_stale_free(d);
	evloop_fini(&d->dp.loop);
	pkt_pool_destroy(d->dp.pool);
	free(d);
}

static json_t *run(struct vnetd *d, const char *cmd, const char *a0, const char *a1, const char *a2)
{
	char line[1024];
	size_t size;
	char *out;
	json_t *j, *res;

	snprintf(line, sizeof(line), "{\"cmd\":\"%s\",\"args\":[%s%s%s%s%s%s%s%s%s]}", cmd,
		 a0 ? "\"" : "", a0 ? a0 : "", a0 ? "\"" : "", a1 ? ",\"" : "", a1 ? a1 : "",
		 a1 ? "\"" : "", a2 ? ",\"" : "", a2 ? a2 : "", a2 ? "\"" : "");
	out = ctl_request_run(d, line, strlen(line), &size);
	assert_non_null(out);
	j = json_loads(out, 0, NULL);
	free(out);
	assert_non_null(j);
	if (!json_is_true(json_object_get(j, "ok")))
		fail_msg("%s: %s", line, json_string_value(json_object_get(j, "error")));
	res = json_incref(json_object_get(j, "result"));
	json_decref(j);
	return res;
}

/* The value of one sample line "NAME{LABELS} V" in @text, or -1 */
static long long sample(const char *text, const char *series)
{
	char want[256];
	const char *p;

	snprintf(want, sizeof(want), "\n%s ", series);
	p = strstr(text, want);
	if (!p)
		return -1;
	return strtoll(p + strlen(want), NULL, 10);
}

static void test_render_matches_stats(void **state)
{
	struct vnetd *d = vnetd_new();
	const char *bcast = "ffffffffffff02000000000188b5"
			    "0000000000000000000000000000000000000000000000000000000000000000"
			    "000000000000000000000000000000";
	static const char *const counters[] = { "rx_packets", "rx_bytes", "tx_packets",
						"tx_bytes" };
	json_t *stats, *p;
	char *text = NULL, series[256];
	size_t size = 0, i;

	(void)state;
	json_decref(run(d, "switch/add", "sw0", NULL, NULL));
	json_decref(run(d, "port/add", "sw0", "d1", "type=dummy"));
	json_decref(run(d, "port/add", "sw0", "d2", "type=dummy"));
	json_decref(run(d, "port/add", "sw0", "d3", "type=dummy"));
	for (int k = 0; k < 7; k++)
		json_decref(run(d, "dummy/inject", "sw0", "d1", bcast));
	json_decref(run(d, "dummy/inject", "sw0", "d2", "ffffffffffff0200"));
	assert_int_equal(metrics_render(d, &text, &size), 0);
	assert_int_equal(strlen(text), size);
	stats = run(d, "stats/show", "sw0", NULL, NULL);
	json_array_foreach(json_object_get(stats, "ports"), i, p)
	{
		const char *name = json_string_value(json_object_get(p, "name"));

		for (size_t c = 0; c < sizeof(counters) / sizeof(counters[0]); c++) {
			snprintf(series, sizeof(series),
				 "vnet_port_%s_total{switch=\"sw0\",port=\"%s\"}", counters[c],
				 name);
			assert_int_equal(sample(text, series),
					 json_integer_value(json_object_get(p, counters[c])));
		}
	}
	assert_int_equal(sample(text, "vnet_port_rx_packets_total{switch=\"sw0\",port=\"d1\"}"), 7);
	assert_int_equal(sample(text, "vnet_port_tx_packets_total{switch=\"sw0\",port=\"d3\"}"), 7);
	assert_int_equal(
		sample(text, "vnet_port_drops_total{switch=\"sw0\",port=\"d2\",reason=\"runt\"}"),
		1);
	assert_int_equal(sample(text, "vnet_switch_drops_total{switch=\"sw0\",reason=\"runt\"}"),
			 0);
	assert_int_equal(sample(text, "vnet_fdb_entries{switch=\"sw0\"}"), 1);
	assert_int_equal(sample(text, "vnet_fdb_learned_total{switch=\"sw0\"}"), 1);
	assert_int_equal(sample(text, "vnet_switch_ports{switch=\"sw0\"}"), 3);
	assert_int_equal(sample(text, "vnet_port_info{switch=\"sw0\",port=\"d1\",type=\"dummy\","
				      "vlan_mode=\"trunk\"}"),
			 1);
	/* one HELP and one TYPE per family, even though samples came switch by switch */
	assert_null(strstr(strstr(text, "# TYPE vnet_port_rx_packets_total counter\n") + 1,
			   "# TYPE vnet_port_rx_packets_total"));
	json_decref(stats);
	free(text);
	vnetd_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_families_grouped),
		cmocka_unit_test(test_family_limit),
		cmocka_unit_test(test_render_matches_stats),
	};

	log_set_level(LOG_LVL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
