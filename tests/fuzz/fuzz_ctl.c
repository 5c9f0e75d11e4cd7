// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_ctl.c - libFuzzer target for control requests: the parser, then whole command dispatch. */

/*
 * Input: up to FUZZ_LINES request lines, as a client would send them. Each
 * line goes through ctl_request_parse() on an exact-size copy (so ASan sees
 * any overread) and then through ctl_request_run() against a daemon holding
 * switch sw0 with dummy ports a (trunk) and b (access 10), which is rebuilt
 * before every input so one input cannot make the next one slow.
 *
 * Invariants checked: the parser's argv stays inside its buffer and is
 * NUL-terminated; every reply is one line of JSON with a boolean "ok", and
 * either an "error" string or a "result" and a "text" string.
 *
 * Requests that would create kernel devices (any port type but dummy; tap
 * is the default) or very large tables (fdb_max=) are not dispatched: a
 * fuzzer must not leave interfaces behind. There is no state dir, so nothing
 * is written to disk.
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

#define FUZZ_LINES 8
#define FUZZ_POOL_N 64

#define FUZZ_CHECK(cond)                                                                      \
	do {                                                                                  \
		if (!(cond)) {                                                                \
			fprintf(stderr, "invariant failed: %s (line %d)\n", #cond, __LINE__); \
			abort();                                                              \
		}                                                                             \
	} while (0)

static struct vnetd *fuzz_d;
static struct ctl_request fuzz_req;

static void fuzz_reset(void)
{
	static const char *const setup[] = {
		"{\"cmd\":\"switch/add\",\"args\":[\"sw0\",\"fdb_max=64\"]}",
		"{\"cmd\":\"port/add\",\"args\":[\"sw0\",\"a\",\"type=dummy\"]}",
		"{\"cmd\":\"port/add\",\"args\":[\"sw0\",\"b\",\"type=dummy\",\"tag=10\"]}",
	};

	if (!fuzz_d) {
		fuzz_d = calloc(1, sizeof(*fuzz_d));
		FUZZ_CHECK(fuzz_d);
		FUZZ_CHECK(evloop_init(&fuzz_d->dp.loop) == 0);
		fuzz_d->dp.pool = pkt_pool_create(FUZZ_POOL_N);
		FUZZ_CHECK(fuzz_d->dp.pool);
		log_set_level(LOG_LVL_ERR);
	}
	for (unsigned i = 0; i < VNETD_MAX_SWITCHES; i++) {
		bridge_destroy(fuzz_d->bridges[i]);
		fuzz_d->bridges[i] = NULL;
	}
	config_stale_free(fuzz_d);
	for (size_t i = 0; i < sizeof(setup) / sizeof(setup[0]); i++) {
		size_t size;
		char *r = ctl_request_run(fuzz_d, setup[i], strlen(setup[i]), &size);

		FUZZ_CHECK(r && strstr(r, "\"ok\":true"));
		free(r);
	}
}

/* Would this request create a kernel device or a huge table? */
static bool fuzz_unsafe(const struct ctl_request *req)
{
	bool adds_port = !strcmp(req->cmd, "port/add");
	bool dummy = false;

	for (int i = 0; i < req->argc; i++) {
		const char *a = req->argv[i];

		if (strstr(a, "fdb_max") || strstr(a, "ifname") || strstr(a, "attach"))
			return true;
		if (!strncmp(a, "type=", 5)) {
			if (strcmp(a, "type=dummy"))
				return true;
			dummy = true;
		}
	}
	return adds_port && !dummy;
}

static void fuzz_check_reply(const char *reply, size_t size)
{
	json_error_t je;
	json_t *j, *ok;

	FUZZ_CHECK(reply && size > 0 && reply[size - 1] == '\n');
	FUZZ_CHECK(!memchr(reply, '\n', size - 1));
	j = json_loadb(reply, size, 0, &je);
	FUZZ_CHECK(j);
	ok = json_object_get(j, "ok");
	FUZZ_CHECK(json_is_boolean(ok));
	if (json_is_true(ok))
		FUZZ_CHECK(json_object_get(j, "result") &&
			   json_is_string(json_object_get(j, "text")));
	else
		FUZZ_CHECK(json_is_string(json_object_get(j, "error")));
	json_decref(j);
}

static void fuzz_one(const uint8_t *data, size_t size)
{
	char err[256], *line = malloc(size ? size : 1), *reply;
	size_t rsize = 0;

	FUZZ_CHECK(line);
	memcpy(line, data, size);
	if (ctl_request_parse(line, size, &fuzz_req, err, sizeof(err))) {
		const char *lo = fuzz_req.strbuf, *hi = fuzz_req.strbuf + sizeof(fuzz_req.strbuf);

		FUZZ_CHECK(fuzz_req.argc >= 0 && fuzz_req.argc <= CTL_ARGS_MAX);
		FUZZ_CHECK(fuzz_req.argv[fuzz_req.argc] == NULL);
		FUZZ_CHECK(memchr(fuzz_req.cmd, '\0', sizeof(fuzz_req.cmd)));
		for (int i = 0; i < fuzz_req.argc; i++) {
			const char *a = fuzz_req.argv[i];

			FUZZ_CHECK(a >= lo && a < hi && memchr(a, '\0', (size_t)(hi - a)));
		}
		if (!fuzz_unsafe(&fuzz_req)) {
			reply = ctl_request_run(fuzz_d, line, size, &rsize);
			fuzz_check_reply(reply, rsize);
			free(reply);
		}
	} else {
		FUZZ_CHECK(err[0] && !strchr(err, '\n'));
	}
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned lines = 0;

	fuzz_reset();
	while (size && lines++ < FUZZ_LINES) {
		const uint8_t *nl = memchr(data, '\n', size);
		size_t len = nl ? (size_t)(nl - data) : size;

		fuzz_one(data, len);
		if (!nl)
			break;
		size -= len + 1;
		data += len + 1;
	}
	return 0;
}
