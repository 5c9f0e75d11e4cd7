// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_api.c - libFuzzer target for the JSON HTTP API: routing, arguments, body, token check. */

/*
 * Input: one request, the first byte choosing the method (bit 0: POST) and
 * whether an Authorization header is sent (bit 1), then up to the first
 * newline the URL path with its query (split at '?' and '&' as libmicrohttpd
 * would), then up to the next newline the Authorization header, and the rest
 * as the body. It runs through api_handle() against a daemon holding switch
 * sw0 with dummy ports a and b, rebuilt before every input.
 *
 * Invariants checked: the answer is JSON with a boolean "ok"; a 2xx answer
 * has "ok": true and a "result", any other has "ok": false and an "error"
 * string; the status is one the API documents; a change never runs without
 * the token (401/403/405 come first).
 *
 * An input carrying the real token is not dispatched: with it, a fuzzer
 * could add tap ports, and a fuzzer must not create kernel devices. The
 * daemon has no state dir, so nothing is written to disk. (The web layer
 * is compiled into this target directly: the Makefile's fuzz rule builds
 * the libvnet sources, and src/web is not among them.)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "../../src/base/log.h"
#include "../../src/base/pkt.h"
#include "../../src/ctl/cmd_table.h"
#include "../../src/ctl/config.h"
#include "../../src/ctl/ctl.h"
#include "../../src/ctl/vnetd.h"
#include "../../src/web/api.c"
#include "../../src/web/http_resp.c"

#define FUZZ_POOL_N 64
#define FUZZ_PATH_MAX 4096

#define FUZZ_CHECK(cond)                                                                      \
	do {                                                                                  \
		if (!(cond)) {                                                                \
			fprintf(stderr, "invariant failed: %s (line %d)\n", #cond, __LINE__); \
			abort();                                                              \
		}                                                                             \
	} while (0)

static const char fuzz_token[] = "5ae1b8c0d2f34e6a9b7c8d9e0f1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c";
static struct vnetd *fuzz_d;

static void fuzz_reset(void)
{
	static const char *const setup[] = {
		"{\"cmd\":\"switch/add\",\"args\":[\"sw0\",\"fdb_max=64\"]}",
		"{\"cmd\":\"port/add\",\"args\":[\"sw0\",\"a\",\"type=dummy\"]}",
		"{\"cmd\":\"port/add\",\"args\":[\"sw0\",\"b\",\"type=dummy\",\"tag=10\"]}",
	};

	if (!fuzz_d) {
		log_set_level(LOG_LVL_ERR);
		fuzz_d = calloc(1, sizeof(*fuzz_d));
		FUZZ_CHECK(fuzz_d);
		FUZZ_CHECK(evloop_init(&fuzz_d->dp.loop) == 0);
		fuzz_d->dp.pool = pkt_pool_create(FUZZ_POOL_N);
		FUZZ_CHECK(fuzz_d->dp.pool);
	}
	for (unsigned i = 0; i < VNETD_MAX_SWITCHES; i++) {
		bridge_destroy(fuzz_d->bridges[i]);
		fuzz_d->bridges[i] = NULL;
	}
	for (size_t i = 0; i < sizeof(setup) / sizeof(setup[0]); i++) {
		size_t n;
		char *r = ctl_request_run(fuzz_d, setup[i], strlen(setup[i]), &n);

		FUZZ_CHECK(r && strstr(r, "\"ok\":true"));
		free(r);
	}
}

/* The next field of @data up to '\n' (or the end), as a new C string. */
static char *fuzz_field(const uint8_t **data, size_t *size)
{
	const uint8_t *nl = memchr(*data, '\n', *size);
	size_t n = nl ? (size_t)(nl - *data) : *size;
	char *s = malloc(n + 1);

	FUZZ_CHECK(s);
	memcpy(s, *data, n);
	s[n] = '\0';
	*data += nl ? n + 1 : n;
	*size -= nl ? n + 1 : n;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct http_req req = { 0 };
	struct http_resp resp = { 0 };
	char *path, *auth, *body, *q;
	json_t *j;
	uint8_t flags;

	if (size < 1)
		return 0;
	flags = data[0];
	data++;
	size--;
	path = fuzz_field(&data, &size);
	auth = fuzz_field(&data, &size);
	body = malloc(size + 1);
	FUZZ_CHECK(body);
	memcpy(body, data, size);
	body[size] = '\0';
	if (strlen(path) > FUZZ_PATH_MAX || strstr(auth, fuzz_token))
		goto out;
	fuzz_reset();
	q = strchr(path, '?');
	if (q) {
		char *save = NULL;

		*q++ = '\0';
		for (char *kv = strtok_r(q, "&", &save); kv && req.n_query < HTTP_QUERY_MAX;
		     kv = strtok_r(NULL, "&", &save)) {
			char *eq = strchr(kv, '=');

			if (eq)
				*eq++ = '\0';
			req.qkey[req.n_query] = kv;
			req.qval[req.n_query++] = eq ? eq : "";
		}
	}
	/* the web router hands the API only paths under its prefix */
	if (strncmp(path, API_PREFIX, strlen(API_PREFIX)))
		goto out;
	req.method = (flags & 1) ? "POST" : "GET";
	req.path = path;
	req.authorization = (flags & 2) ? auth : NULL;
	req.body = body;
	req.body_size = size;
	api_handle(fuzz_d, fuzz_token, &req, &resp);
	FUZZ_CHECK(resp.body && resp.content_type &&
		   !strcmp(resp.content_type, "application/json"));
	j = json_loadb(resp.body, resp.body_size, 0, NULL);
	FUZZ_CHECK(j && json_is_boolean(json_object_get(j, "ok")));
	if (resp.status == 200)
		FUZZ_CHECK(json_is_true(json_object_get(j, "ok")) && json_object_get(j, "result"));
	else
		FUZZ_CHECK(json_is_false(json_object_get(j, "ok")) &&
			   json_is_string(json_object_get(j, "error")));
	FUZZ_CHECK(resp.status == 200 || resp.status == 400 || resp.status == 401 ||
		   resp.status == 403 || resp.status == 404 || resp.status == 405 ||
		   resp.status == 409 || resp.status == 500);
	/* the token is never right here: a command that is not read-only must not have run */
	{
		struct api_args *a = calloc(1, sizeof(*a));
		const char *rest = path + strlen(API_PREFIX);
		char err[256];
		const struct cmd_def *c;

		FUZZ_CHECK(a);
		c = api_route(*rest == '/' ? rest + 1 : rest, a, err, sizeof(err));
		if (c && !api_read_only(c->name))
			FUZZ_CHECK(resp.status == 401 || resp.status == 403 || resp.status == 405);
		free(a);
	}
	json_decref(j);
	http_resp_free(&resp);
out:
	free(path);
	free(auth);
	free(body);
	return 0;
}
