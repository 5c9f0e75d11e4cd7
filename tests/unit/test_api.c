// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_api.c - the JSON HTTP API without sockets: routing of /api/v1/NOUN/VERB/ARG..., query
 * and body arguments, the read-only rule, the token (missing 401, wrong 403, right 200, GET of
 * a change 405), status codes, parity with the control socket's replies, the token file, the
 * Host check and the ADDR:PORT parser.
 */
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
#include <jansson.h>

#include "../../src/base/log.h"
#include "../../src/base/pkt.h"
#include "../../src/ctl/cmd_table.h"
#include "../../src/ctl/config.h"
#include "../../src/ctl/ctl.h"
#include "../../src/ctl/vnetd.h"
#include "../../src/web/api.h"
#include "../../src/web/web.h"

static const char token[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
static const char bearer[] =
	"Bearer 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

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

/* One request; returns the status, the reply parsed into *@reply (decref it) */
static unsigned req(struct vnetd *d, const char *method, const char *path, const char *auth,
		    const char *body, json_t **reply)
{
	struct http_req rq = { .method = method, .authorization = auth };
	struct http_resp rs = { 0 };
	char pathbuf[512], *q;
	json_error_t je;

	snprintf(pathbuf, sizeof(pathbuf), "%s", path);
	q = strchr(pathbuf, '?');
	if (q) {
		/* "?k=v&k2=v2" into the query arrays, as libmicrohttpd would */
		*q++ = '\0';
		for (char *save = NULL, *kv = strtok_r(q, "&", &save); kv;
		     kv = strtok_r(NULL, "&", &save)) {
			char *eq = strchr(kv, '=');

			if (eq)
				*eq++ = '\0';
			rq.qkey[rq.n_query] = kv;
			rq.qval[rq.n_query++] = eq ? eq : "";
		}
	}
	rq.path = pathbuf;
	rq.body = body;
	rq.body_size = body ? strlen(body) : 0;
	api_handle(d, token, &rq, &rs);
	assert_string_equal(rs.content_type, "application/json");
	*reply = json_loadb(rs.body, rs.body_size, 0, &je);
	if (!*reply)
		fail_msg("%s %s: reply is not JSON: %.*s", method, path, (int)rs.body_size,
			 rs.body);
	assert_true(json_is_boolean(json_object_get(*reply, "ok")));
	if (rs.status == 401)
		assert_non_null(rs.www_authenticate);
	if (rs.status == 405)
		assert_string_equal(rs.allow, "POST");
	http_resp_free(&rs);
	return rs.status;
}

static unsigned status(struct vnetd *d, const char *method, const char *path, const char *auth,
		       const char *body)
{
	json_t *j;
	unsigned st = req(d, method, path, auth, body, &j);

	json_decref(j);
	return st;
}

static void test_read_only(void **state)
{
	(void)state;
	assert_true(api_read_only("port/list"));
	assert_true(api_read_only("fdb/show"));
	assert_true(api_read_only("nat/forward-list"));
	assert_true(api_read_only("dhcp/leases"));
	assert_true(api_read_only("version"));
	assert_true(api_read_only("help"));
	assert_false(api_read_only("port/add"));
	assert_false(api_read_only("stats/clear"));
	assert_false(api_read_only("fdb/flush"));
	assert_false(api_read_only("dummy/capture"));
	assert_false(api_read_only("trace"));
	assert_false(api_read_only("capture"));
	assert_false(api_read_only("x/-list"));
	assert_false(api_read_only("future/thing"));
}

static void test_token_check(void **state)
{
	(void)state;
	assert_true(api_token_ok(bearer, token));
	assert_true(api_token_ok(
		"bearer   00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		token));
	assert_false(api_token_ok(
		"Bearer 00112233445566778899aabbccddeeff00112233445566778899aabbccddeefe", token));
	assert_false(api_token_ok(
		"Bearer 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0", token));
	assert_false(api_token_ok("Bearer 0011", token));
	assert_false(api_token_ok(
		"Basic 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", token));
	assert_false(api_token_ok("", token));
	assert_false(api_token_ok("Bearer ", token));
}

static void test_routing_and_auth(void **state)
{
	struct vnetd *d = vnetd_new();
	json_t *j, *ctl;
	char *line;
	size_t size;

	(void)state;
	/* changes: 401 without a token, 403 with a wrong one, 405 as GET, 200 with it */
	assert_int_equal(status(d, "POST", "/api/v1/switch/add/sw0", NULL, NULL), 401);
	assert_int_equal(status(d, "POST", "/api/v1/switch/add/sw0", "Bearer nope", NULL), 403);
	assert_int_equal(status(d, "GET", "/api/v1/switch/add/sw0", bearer, NULL), 405);
	assert_null(vnetd_bridge_find(d, "sw0"));
	assert_int_equal(status(d, "POST", "/api/v1/switch/add/sw0", bearer, NULL), 200);
	assert_non_null(vnetd_bridge_find(d, "sw0"));
	/* path, query and body arguments, in that order */
	assert_int_equal(status(d, "POST", "/api/v1/port/add/sw0?type=dummy", bearer, NULL), 400);
	assert_int_equal(status(d, "POST", "/api/v1/port/add/sw0/d1?type=dummy", bearer, NULL),
			 200);
	assert_int_equal(status(d, "POST", "/api/v1/port/add", bearer,
				"{\"args\":[\"sw0\",\"d2\",\"type=dummy\",\"tag=10\"]}"),
			 200);
	assert_int_equal(
		status(d, "POST", "/api/v1/port/add/sw0/d3", bearer, "{\"args\":[\"type=dummy\"]}"),
		200);
	/* status codes */
	assert_int_equal(
		status(d, "POST", "/api/v1/port/add/sw0/d3", bearer, "{\"args\":[\"type=dummy\"]}"),
		409);
	assert_int_equal(status(d, "GET", "/api/v1/port/list/nosuch", NULL, NULL), 404);
	assert_int_equal(status(d, "GET", "/api/v1/no/such", NULL, NULL), 404);
	assert_int_equal(status(d, "GET", "/api/v1/port/list/a/b", NULL, NULL), 400);
	assert_int_equal(status(d, "POST", "/api/v1/port/list", NULL, "{\"args\":[1]}"), 400);
	assert_int_equal(status(d, "POST", "/api/v1/port/list", NULL, "{\"args\":\"sw0\"}"), 400);
	assert_int_equal(status(d, "POST", "/api/v1/port/list", NULL, "not json"), 400);
	assert_int_equal(status(d, "POST", "/api/v1/port/list", NULL, "{\"args\":[\"sw0\"]}"), 200);
	/* read-only commands need no token; single-word commands route too */
	assert_int_equal(req(d, "GET", "/api/v1/version", NULL, NULL, &j), 200);
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(j, "result"), "version")),
		VNET_VERSION);
	json_decref(j);
	/* the same reply as the control socket, byte for byte once parsed */
	assert_int_equal(req(d, "GET", "/api/v1/port/list/sw0", NULL, NULL, &j), 200);
	{
		const char *rq = "{\"cmd\":\"port/list\",\"args\":[\"sw0\"]}";

		line = ctl_request_run(d, rq, strlen(rq), &size);
	}
	ctl = json_loads(line, 0, NULL);
	assert_true(json_equal(j, ctl));
	assert_int_equal(json_array_size(json_object_get(j, "result")), 3);
	free(line);
	json_decref(ctl);
	json_decref(j);
	/* the index lists every command of the table */
	assert_int_equal(req(d, "GET", "/api/v1", NULL, NULL, &j), 200);
	{
		unsigned n;

		cmd_all(&n);
		assert_int_equal(
			json_array_size(json_object_get(json_object_get(j, "result"), "commands")),
			n);
	}
	json_decref(j);
	vnetd_free(d);
}

static void test_token_file(void **state)
{
	char dir[] = "/tmp/test_api.XXXXXX", path[256], t1[API_TOKEN_LEN + 1],
	     t2[API_TOKEN_LEN + 1], err[256];
	struct stat st;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, API_TOKEN_FILE);
	assert_int_equal(api_token_init(dir, t1, err, sizeof(err)), 0);
	assert_int_equal(strlen(t1), API_TOKEN_LEN);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* kept */
	assert_int_equal(api_token_init(dir, t2, err, sizeof(err)), 0);
	assert_string_equal(t1, t2);
	/* a readable file is not trusted */
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(api_token_init(dir, t2, err, sizeof(err)), 0);
	assert_string_not_equal(t1, t2);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* nor a malformed one */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("short\n", f);
	fclose(f);
	assert_int_equal(chmod(path, 0600), 0);
	assert_int_equal(api_token_init(dir, t1, err, sizeof(err)), 0);
	assert_int_equal(strlen(t1), API_TOKEN_LEN);
	assert_string_not_equal(t1, "short");
	unlink(path);
	rmdir(dir);
	/* an unwritable state dir is an error, not a silent empty token */
	assert_true(api_token_init("/nonexistent/dir", t1, err, sizeof(err)) < 0);
}

static void test_host_check(void **state)
{
	(void)state;
	assert_true(web_host_ok(NULL));
	assert_true(web_host_ok("127.0.0.1"));
	assert_true(web_host_ok("127.0.0.1:8080"));
	assert_true(web_host_ok("localhost:8080"));
	assert_true(web_host_ok("LOCALHOST"));
	assert_true(web_host_ok("[::1]:8080"));
	assert_true(web_host_ok("10.1.2.3"));
	assert_false(web_host_ok("evil.example"));
	assert_false(web_host_ok("evil.example:8080"));
	assert_false(web_host_ok("localhost.evil.example"));
	assert_false(web_host_ok("127.0.0.1.nip.io"));
	assert_false(web_host_ok("[::1"));
	assert_false(web_host_ok("[::1]x"));
	assert_false(web_host_ok("127.0.0.1:"));
	assert_false(web_host_ok("127.0.0.1:80a"));
	assert_false(web_host_ok(""));
}

static void test_addr_parse(void **state)
{
	struct http_addr a;
	char err[256];

	(void)state;
	assert_true(http_addr_parse("127.0.0.1:9477", &a, err, sizeof(err)));
	assert_true(a.loopback);
	assert_true(http_addr_parse("127.1.2.3:0", &a, err, sizeof(err)));
	assert_true(a.loopback);
	assert_true(http_addr_parse("localhost:80", &a, err, sizeof(err)));
	assert_true(a.loopback);
	assert_true(http_addr_parse("[::1]:8080", &a, err, sizeof(err)));
	assert_true(a.loopback);
	assert_true(http_addr_parse("0.0.0.0:80", &a, err, sizeof(err)));
	assert_false(a.loopback);
	assert_true(http_addr_parse("[::]:80", &a, err, sizeof(err)));
	assert_false(a.loopback);
	assert_false(http_addr_parse("127.0.0.1", &a, err, sizeof(err)));
	assert_false(http_addr_parse("127.0.0.1:65536", &a, err, sizeof(err)));
	assert_false(http_addr_parse("127.0.0.1:-1", &a, err, sizeof(err)));
	assert_false(http_addr_parse("127.0.0.1:", &a, err, sizeof(err)));
	assert_false(http_addr_parse("host.example:80", &a, err, sizeof(err)));
	assert_false(http_addr_parse("::1:80", &a, err, sizeof(err)));
	assert_false(http_addr_parse("[::1:80", &a, err, sizeof(err)));
	assert_false(http_addr_parse("[zz]:80", &a, err, sizeof(err)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_only),	 cmocka_unit_test(test_token_check),
		cmocka_unit_test(test_routing_and_auth), cmocka_unit_test(test_token_file),
		cmocka_unit_test(test_host_check),	 cmocka_unit_test(test_addr_parse),
	};

	log_set_level(LOG_LVL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
