// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_ctl.c - the control protocol: request parsing (malformed JSON, wrong
 * types, oversize, limits), dispatch (unknown command, argument counts,
 * replies), and the socket server (oversized line, disconnect mid-request,
 * pipelining) driven in-process through its epoll loop.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>

#include "../../src/base/log.h"
#include "../../src/base/pkt.h"
#include "../../src/ctl/cmd_table.h"
#include "../../src/ctl/config.h"
#include "../../src/ctl/ctl.h"
#include "../../src/ctl/vnetd.h"

static struct ctl_request req;

static bool parse(const char *s, char *err, size_t errsz)
{
	err[0] = '\0';
	return ctl_request_parse(s, strlen(s), &req, err, errsz);
}

static void expect_error(const char *s, const char *want)
{
	char err[256];

	if (parse(s, err, sizeof(err)))
		fail_msg("accepted: %s", s);
	if (!strstr(err, want))
		fail_msg("request %s: error '%s' does not contain '%s'", s, err, want);
}

static void test_parse_ok(void **state)
{
	char err[256];

	(void)state;
	assert_true(parse("{\"cmd\":\"port/add\",\"args\":[\"sw0\",\"p1\",\"type=tap\"]}", err,
			  sizeof(err)));
	assert_string_equal(req.cmd, "port/add");
	assert_int_equal(req.argc, 3);
	assert_string_equal(req.argv[0], "sw0");
	assert_string_equal(req.argv[2], "type=tap");
	assert_null(req.argv[3]);

	/* no args, empty args, unknown members ignored, whitespace around */
	assert_true(parse("{\"cmd\":\"switch/list\"}", err, sizeof(err)));
	assert_int_equal(req.argc, 0);
	assert_null(req.argv[0]);
	assert_true(parse(" {\"cmd\":\"switch/list\",\"args\":[],\"id\":7} ", err, sizeof(err)));
	assert_int_equal(req.argc, 0);
	/* escapes decode; non-ASCII UTF-8 passes through */
	assert_true(parse("{\"cmd\":\"x\",\"args\":[\"a\\\"b\",\"\\u00e9\"]}", err, sizeof(err)));
	assert_string_equal(req.argv[0], "a\"b");
	assert_string_equal(req.argv[1], "\xc3\xa9");
}

static void test_parse_malformed(void **state)
{
	(void)state;
	expect_error("", "malformed JSON");
	expect_error("{", "malformed JSON");
	expect_error("{\"cmd\":", "malformed JSON");
	expect_error("{\"cmd\":\"x\"} {}", "malformed JSON");
	expect_error("{\"cmd\":\"x\",}", "malformed JSON");
	expect_error("\xff\xfe", "malformed JSON");
	expect_error("{\"cmd\":\"a\\u0000b\"}", "malformed JSON"); /* NUL inside a string */
	expect_error("{\"cmd\":\"x\",\"cmd\":\"y\"}", "duplicate");
	expect_error("[\"switch/list\"]", "must be a JSON object");
	expect_error("\"switch/list\"", "must be a JSON object");
	expect_error("42", "must be a JSON object");
}

static void test_parse_types(void **state)
{
	char longcmd[200];

	(void)state;
	expect_error("{}", "no \"cmd\"");
	expect_error("{\"args\":[]}", "no \"cmd\"");
	expect_error("{\"cmd\":5}", "\"cmd\" must be");
	expect_error("{\"cmd\":null}", "\"cmd\" must be");
	expect_error("{\"cmd\":[\"x\"]}", "\"cmd\" must be");
	expect_error("{\"cmd\":\"\"}", "\"cmd\" must be");
	snprintf(longcmd, sizeof(longcmd), "{\"cmd\":\"%0100d\"}", 0);
	expect_error(longcmd, "\"cmd\" must be");
	expect_error("{\"cmd\":\"x\",\"args\":\"sw0\"}", "\"args\" must be an array");
	expect_error("{\"cmd\":\"x\",\"args\":{}}", "\"args\" must be an array");
	expect_error("{\"cmd\":\"x\",\"args\":[\"a\",1]}", "args[1] must be a string");
	expect_error("{\"cmd\":\"x\",\"args\":[null]}", "args[0] must be a string");
	expect_error("{\"cmd\":\"x\",\"args\":[[\"a\"]]}", "args[0] must be a string");
}

static char *make_args_request(int n)
{
	size_t cap = 64 + (size_t)n * 8;
	char *s = malloc(cap);
	size_t off;

	assert_non_null(s);
	off = (size_t)snprintf(s, cap, "{\"cmd\":\"x\",\"args\":[");
	for (int i = 0; i < n; i++)
		off += (size_t)snprintf(s + off, cap - off, "%s\"a\"", i ? "," : "");
	snprintf(s + off, cap - off, "]}");
	return s;
}

static void test_parse_limits(void **state)
{
	char err[256], *s;
	size_t n;

	(void)state;
	s = make_args_request(CTL_ARGS_MAX);
	assert_true(parse(s, err, sizeof(err)));
	assert_int_equal(req.argc, CTL_ARGS_MAX);
	free(s);
	s = make_args_request(CTL_ARGS_MAX + 1);
	expect_error(s, "too many arguments");
	free(s);

	/* exactly CTL_REQUEST_MAX bytes parses; one more is refused before parsing */
	s = malloc(CTL_REQUEST_MAX + 2);
	assert_non_null(s);
	n = (size_t)snprintf(s, CTL_REQUEST_MAX, "{\"cmd\":\"x\",\"args\":[\"");
	memset(s + n, 'a', CTL_REQUEST_MAX - n - 3);
	memcpy(s + CTL_REQUEST_MAX - 3, "\"]}", 4);
	assert_int_equal(strlen(s), CTL_REQUEST_MAX);
	assert_true(ctl_request_parse(s, CTL_REQUEST_MAX, &req, err, sizeof(err)));
	assert_int_equal(strlen(req.argv[0]), CTL_REQUEST_MAX - n - 3);
	assert_false(ctl_request_parse(s, CTL_REQUEST_MAX + 1, &req, err, sizeof(err)));
	assert_non_null(strstr(err, "longer than"));
	free(s);

	/* deep nesting is a parse error, not a stack overflow */
	s = malloc(200001);
	assert_non_null(s);
	memset(s, '[', 200000);
	s[200000] = '\0';
	expect_error(s, "");
	free(s);
}

/* ---- dispatch ---- */

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

/* Run @line; return the parsed reply (decref it). Checks the framing: one JSON line. */
static json_t *run(struct vnetd *d, const char *line)
{
	size_t size = 0;
	char *out = ctl_request_run(d, line, strlen(line), &size);
	json_error_t je;
	json_t *j;

	assert_non_null(out);
	assert_int_equal(strlen(out), size);
	assert_true(size > 0 && out[size - 1] == '\n');
	assert_null(memchr(out, '\n', size - 1));
	j = json_loadb(out, size, 0, &je);
	if (!j)
		fail_msg("reply is not JSON: %s", out);
	assert_true(json_is_boolean(json_object_get(j, "ok")));
	free(out);
	return j;
}

static void expect_run_error(struct vnetd *d, const char *line, const char *want)
{
	json_t *j = run(d, line);
	const char *e = json_string_value(json_object_get(j, "error"));

	if (json_is_true(json_object_get(j, "ok")) || !e || !strstr(e, want))
		fail_msg("%s: expected an error containing '%s', got %s", line, want,
			 e ? e : "success");
	assert_null(strchr(e, '\n'));
	json_decref(j);
}

static json_t *run_ok(struct vnetd *d, const char *line)
{
	json_t *j = run(d, line);

	if (!json_is_true(json_object_get(j, "ok")))
		fail_msg("%s: %s", line, json_string_value(json_object_get(j, "error")));
	assert_true(json_is_string(json_object_get(j, "text")));
	assert_non_null(json_object_get(j, "result"));
	return j;
}

static void test_dispatch_errors(void **state)
{
	struct vnetd *d = vnetd_new();

	(void)state;
	expect_run_error(d, "{\"cmd\":\"nope/nope\"}", "unknown command 'nope/nope'");
	expect_run_error(d, "{\"cmd\":\"switch/del\"}", "usage: switch/del SWITCH");
	expect_run_error(d, "{\"cmd\":\"switch/list\",\"args\":[\"x\"]}", "usage: switch/list");
	expect_run_error(d, "{\"cmd\":\"fdb/add\",\"args\":[\"a\",\"b\",\"c\"]}", "usage: fdb/add");
	expect_run_error(d, "not json", "malformed JSON");
	expect_run_error(d, "{\"cmd\":\"switch/del\",\"args\":[\"nosuch\"]}", "no switch named");
	expect_run_error(d, "{\"cmd\":\"switch/add\",\"args\":[\"../evil\"]}",
			 "invalid switch name");
	expect_run_error(d, "{\"cmd\":\"switch/add\",\"args\":[\"-j\"]}", "invalid switch name");
	expect_run_error(d, "{\"cmd\":\"switch/add\",\"args\":[\"sw0\",\"colour=blue\"]}",
			 "unknown switch option 'colour'");
	expect_run_error(d, "{\"cmd\":\"switch/add\",\"args\":[\"sw0\",\"noequals\"]}",
			 "not key=value");
	/* a cut argument echoed back must not break the reply's JSON (it is sanitized) */
	expect_run_error(d,
			 "{\"cmd\":\"switch/del\",\"args\":[\"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
			 "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
			 "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
			 "\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\"]}",
			 "no switch named");
	vnetd_free(d);
}

static void test_dispatch_commands(void **state)
{
	struct vnetd *d = vnetd_new();
	char line[512];
	json_t *j, *res;

	(void)state;
	j = run_ok(d, "{\"cmd\":\"version\"}");
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(j, "result"), "version")),
		VNET_VERSION);
	json_decref(j);
	json_decref(run_ok(d, "{\"cmd\":\"switch/add\",\"args\":[\"sw0\",\"aging=30\"]}"));
	expect_run_error(d, "{\"cmd\":\"switch/add\",\"args\":[\"sw0\"]}", "already exists");
	json_decref(run_ok(d, "{\"cmd\":\"port/add\",\"args\":[\"sw0\",\"a\",\"type=dummy\"]}"));
	json_decref(run_ok(d, "{\"cmd\":\"port/add\",\"args\":[\"sw0\",\"b\",\"type=dummy\","
			      "\"tag=10\"]}"));
	expect_run_error(d,
			 "{\"cmd\":\"port/add\",\"args\":[\"sw0\",\"c\",\"type=dummy\","
			 "\"tag=5000\"]}",
			 "tag=5000");

	j = run_ok(d, "{\"cmd\":\"switch/list\"}");
	res = json_object_get(j, "result");
	assert_int_equal(json_array_size(res), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(res, 0), "name")),
			    "sw0");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(res, 0), "aging")), 30);
	json_decref(j);

	j = run_ok(d, "{\"cmd\":\"port/list\",\"args\":[\"sw0\"]}");
	res = json_object_get(j, "result");
	assert_int_equal(json_array_size(res), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(res, 1), "vlan_mode")),
			    "access");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(res, 1), "tag")), 10);
	json_decref(j);

	/* a broadcast from b (access 10) leaves a (trunk) tagged with VLAN 10 */
	snprintf(line, sizeof(line),
		 "{\"cmd\":\"dummy/inject\",\"args\":[\"sw0\",\"b\",\"ffffffffffff0200000000010800"
		 "%092d\"]}",
		 0);
	json_decref(run_ok(d, line));
	j = run_ok(d, "{\"cmd\":\"dummy/capture\",\"args\":[\"sw0\",\"a\"]}");
	res = json_object_get(j, "result");
	assert_int_equal(json_array_size(res), 1);
	assert_memory_equal(json_string_value(json_array_get(res, 0)),
			    "ffffffffffff0200000000018100000a0800", 36);
	json_decref(j);
	j = run_ok(d, "{\"cmd\":\"dummy/capture\",\"args\":[\"sw0\",\"a\"]}");
	assert_int_equal(json_array_size(json_object_get(j, "result")), 0); /* taken */
	json_decref(j);
	j = run_ok(d, "{\"cmd\":\"fdb/show\",\"args\":[\"sw0\"]}");
	res = json_object_get(j, "result");
	assert_int_equal(json_array_size(res), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(res, 0), "mac")),
			    "02:00:00:00:00:01");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(res, 0), "vlan")), 10);
	assert_string_equal(json_string_value(json_object_get(json_array_get(res, 0), "port")),
			    "b");
	json_decref(j);

	j = run_ok(d, "{\"cmd\":\"stats/show\",\"args\":[\"sw0\",\"b\"]}");
	res = json_object_get(j, "result");
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(json_object_get(res, "ports"), 0), "rx_packets")),
			 1);
	/* every drop reason is present, in the switch total too */
	assert_int_equal(json_object_size(json_object_get(res, "drops")), N_DROP);
	json_decref(j);

	expect_run_error(d, "{\"cmd\":\"dummy/inject\",\"args\":[\"sw0\",\"a\",\"xyz\"]}",
			 "hex digits");
	expect_run_error(d,
			 "{\"cmd\":\"fdb/add\",\"args\":[\"sw0\",\"01:00:5e:00:00:01\",\"1\","
			 "\"a\"]}",
			 "unicast");
	expect_run_error(d, "{\"cmd\":\"trace\",\"args\":[\"sw0\",\"a\",\"0102\"]}",
			 "no Ethernet header");
	j = run_ok(d, "{\"cmd\":\"trace\",\"args\":[\"sw0\",\"a\",\"src=02:00:00:00:00:02\","
		      "\"dst=02:00:00:00:00:01\",\"vlan=10\"]}");
	res = json_object_get(j, "result");
	assert_false(json_is_true(json_object_get(res, "dropped")));
	assert_int_equal(json_array_size(json_object_get(res, "outputs")), 1);
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(res, "outputs"), 0), "port")),
			    "b");
	json_decref(j);
	/* with no state dir, mutating commands persist nothing and still succeed */
	json_decref(run_ok(d, "{\"cmd\":\"switch/del\",\"args\":[\"sw0\"]}"));
	vnetd_free(d);
}

/* ---- the socket server, in-process ---- */

struct srv {
	struct vnetd *d;
	char dir[64];
	char path[128];
};

static void srv_start(struct srv *s)
{
	char err[256];

	s->d = vnetd_new();
	snprintf(s->dir, sizeof(s->dir), "/tmp/test_ctl.XXXXXX");
	assert_non_null(mkdtemp(s->dir));
	snprintf(s->path, sizeof(s->path), "%s/sub/vnetd.sock", s->dir);
	s->d->ctl = ctl_server_create(s->d, &s->d->dp.loop, s->path, err, sizeof(err));
	if (!s->d->ctl)
		fail_msg("ctl_server_create: %s", err);
}

static void srv_stop(struct srv *s)
{
	char sub[160];

	ctl_server_destroy(s->d->ctl);
	assert_int_equal(access(s->path, F_OK), -1); /* the socket is removed */
	snprintf(sub, sizeof(sub), "%s/sub", s->dir);
	rmdir(sub);
	rmdir(s->dir);
	vnetd_free(s->d);
}

static int srv_connect(struct srv *s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%.100s", s->path);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Run the loop until @fd has @n reply lines or EOF; returns what was read (free it). */
static char *srv_collect(struct srv *s, int fd, int n, bool *eof)
{
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap + 1);
	int lines = 0;

	assert_non_null(buf);
	*eof = false;
	for (int i = 0; i < 2000 && lines < n && !*eof; i++) {
		ssize_t r;

		evloop_run_once(&s->d->dp.loop, 5);
		r = recv(fd, buf + len, cap - len, MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN)) {
			*eof = true;
			break;
		}
		if (r > 0) {
			for (ssize_t k = 0; k < r; k++)
				lines += buf[len + (size_t)k] == '\n';
			len += (size_t)r;
		}
	}
	buf[len] = '\0';
	return buf;
}

static void send_all(int fd, const char *buf, size_t size)
{
	while (size) {
		ssize_t n = send(fd, buf, size, MSG_NOSIGNAL);

		assert_true(n > 0);
		buf += n;
		size -= (size_t)n;
	}
}

static void test_server(void **state)
{
	struct srv s;
	struct stat st;
	bool eof;
	char *out, *big;
	int fd;

	(void)state;
	srv_start(&s);
	assert_int_equal(stat(s.path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0660);

	/* two pipelined requests, one bad, in one write: two replies in order */
	fd = srv_connect(&s);
	send_all(fd, "{\"cmd\":\"version\"}\n{\"cmd\":\"bogus\"}\r\n", 36);
	out = srv_collect(&s, fd, 2, &eof);
	assert_non_null(strstr(out, "\"ok\":true"));
	assert_non_null(strstr(out, "unknown command 'bogus'"));
	assert_true(strstr(out, "\"ok\":true") < strstr(out, "bogus"));
	free(out);
	assert_int_equal(ctl_server_n_clients(s.d->ctl), 1);
	close(fd);

	/* a client that disconnects mid-request is dropped; the server goes on */
	fd = srv_connect(&s);
	send_all(fd, "{\"cmd\":\"switch/a", 17);
	close(fd);
	for (int i = 0; i < 10; i++)
		evloop_run_once(&s.d->dp.loop, 5);
	assert_int_equal(ctl_server_n_clients(s.d->ctl), 0);
	assert_null(s.d->bridges[0]);

	/* a line over the limit: an error reply, then the connection is closed */
	fd = srv_connect(&s);
	big = malloc(CTL_REQUEST_MAX + 100);
	assert_non_null(big);
	memset(big, 'x', CTL_REQUEST_MAX + 100);
	send_all(fd, big, 60000); /* what fits without the server reading */
	out = srv_collect(&s, fd, 1, &eof);
	assert_string_equal(out, "");
	free(out);
	send_all(fd, big + 60000, CTL_REQUEST_MAX + 100 - 60000);
	out = srv_collect(&s, fd, 1, &eof);
	assert_non_null(strstr(out, "request longer than"));
	free(out);
	shutdown(fd, SHUT_WR);
	out = srv_collect(&s, fd, 2, &eof);
	assert_true(eof);
	free(out);
	close(fd);
	free(big);
	for (int i = 0; i < 10; i++)
		evloop_run_once(&s.d->dp.loop, 5);
	assert_int_equal(ctl_server_n_clients(s.d->ctl), 0);

	/* and a new client is served normally */
	fd = srv_connect(&s);
	send_all(fd, "{\"cmd\":\"switch/list\"}\n", 23);
	out = srv_collect(&s, fd, 1, &eof);
	assert_non_null(strstr(out, "{\"ok\":true,\"result\":[]"));
	free(out);
	close(fd);
	srv_stop(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),	cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_parse_types),	cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_dispatch_errors), cmocka_unit_test(test_dispatch_commands),
		cmocka_unit_test(test_server),
	};

	log_set_level(LOG_LVL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
