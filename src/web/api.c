// SPDX-License-Identifier: GPL-2.0-or-later
/* api.c - the JSON HTTP API over the control command table, and its token (see api.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <jansson.h>

#include "../base/log.h"
#include "../base/util.h"
#include "../ctl/cmd_table.h"
#include "../ctl/vnetd.h"
#include "api.h"

#define API_JSON "application/json"
#define API_CMD_NAME_MAX 64 /* bytes in "noun/verb", as CTL_CMD_MAX */

/*
 * struct api_args - the arguments of one request, copied into one buffer
 * @argv: pointers into @buf, NULL-terminated
 * @argc: how many
 * @buf/@used: storage for the strings
 */
struct api_args {
	char *argv[API_ARGS_MAX + 1];
	int argc;
	char buf[API_ARGS_BYTES];
	size_t used;
};

bool api_read_only(const char *name)
{
	static const char *const verbs[] = { "show", "list", "leases" };
	const char *verb = strchr(name, '/');
	size_t n;

	if (!verb)
		return !strcmp(name, "version") || !strcmp(name, "help");
	verb++;
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++) {
		if (!strcmp(verb, verbs[i]))
			return true;
	}
	n = strlen(verb);
	return n > 5 && !strcmp(verb + n - 5, "-list");
}

/* Append @s (@n bytes) as the next argument. Return: false if a limit is hit. */
static bool api_args_add(struct api_args *a, const char *s, size_t n)
{
	if (a->argc == API_ARGS_MAX || a->used + n + 1 > sizeof(a->buf) || memchr(s, '\0', n))
		return false;
	memcpy(a->buf + a->used, s, n);
	a->buf[a->used + n] = '\0';
	a->argv[a->argc++] = a->buf + a->used;
	a->argv[a->argc] = NULL;
	a->used += n + 1;
	return true;
}

/* Replace what does not belong in a JSON string of the reply (cut UTF-8, controls). */
static void api_sanitize(char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x80 || (c < 0x20 && c != '\n' && c != '\t'))
			*s = '?';
	}
}

/* @resp = the JSON document @doc (stolen) with @status. */
static void api_json(struct http_resp *resp, unsigned status, json_t *doc)
{
	char *s = doc ? json_dumps(doc, JSON_COMPACT) : NULL;

	json_decref(doc);
	if (!s) {
		http_resp_text(resp, 500, "out of memory\n");
		return;
	}
	resp->status = status;
	resp->content_type = API_JSON;
	resp->body = s;
	resp->body_size = strlen(s);
	resp->body_static = false;
}

static void api_error(struct http_resp *resp, unsigned status, const char *msg)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s", msg);
	api_sanitize(buf);
	api_json(resp, status, json_pack("{s:b, s:s}", "ok", false, "error", buf));
}

static unsigned api_status(int rc)
{
	switch (-rc) {
	case ENOENT:
	case ENODEV:
		return 404;
	case EINVAL:
	case ERANGE:
	case E2BIG:
	case ENAMETOOLONG:
	case EOPNOTSUPP:
		return 400;
	case EEXIST:
	case EBUSY:
	case EADDRINUSE:
	case ENOSPC:
		return 409;
	default:
		return 500;
	}
}

/* GET /api/v1: every command, its URL and whether it needs the token. */
static void api_index(struct http_resp *resp)
{
	unsigned n;
	const struct cmd_def *c = cmd_all(&n);
	json_t *arr = json_array();

	for (unsigned i = 0; i < n; i++) {
		bool ro = api_read_only(c[i].name);
		char path[128];

		snprintf(path, sizeof(path), "%s/%s", API_PREFIX, c[i].name);
		json_array_append_new(arr,
				      json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:b}", "name",
						c[i].name, "path", path, "usage", c[i].usage,
						"help", c[i].help, "method", ro ? "GET" : "POST",
						"token", !ro, "mutates", c[i].mutates));
	}
	api_json(resp, 200,
		 json_pack("{s:b, s:{s:s, s:o}}", "ok", true, "result", "version", VNET_VERSION,
			   "commands", arr));
}

/* The body's {"args": [...]} onto @a. Return: false with @err set. */
static bool api_body_args(const struct http_req *req, struct api_args *a, char *err, size_t errsz)
{
	json_error_t je;
	json_t *root, *args, *v;
	size_t i;
	bool ok = false;

	root = json_loadb(req->body, req->body_size, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		snprintf(err, errsz, "malformed JSON body at column %d: %s", je.column, je.text);
		return false;
	}
	args = json_object_get(root, "args");
	if (args && !json_is_array(args)) {
		snprintf(err, errsz, "\"args\" must be an array of strings");
		goto out;
	}
	json_array_foreach(args, i, v)
	{
		if (!json_is_string(v) ||
		    !api_args_add(a, json_string_value(v), json_string_length(v))) {
			snprintf(err, errsz,
				 "args[%zu] is not a string, or too many/long arguments", i);
			goto out;
		}
	}
	ok = true;
out:
	json_decref(root);
	return ok;
}

/* Split @rest ("noun/verb/arg...") into the command and its path arguments. */
static const struct cmd_def *api_route(const char *rest, struct api_args *a, char *err,
				       size_t errsz)
{
	const char *seg[3], *p = rest;
	size_t len[3];
	unsigned n = 0, used;
	char name[API_CMD_NAME_MAX];
	const struct cmd_def *c = NULL;

	while (n < 3 && *p) {
		const char *e = strchr(p, '/');

		seg[n] = p;
		len[n] = e ? (size_t)(e - p) : strlen(p);
		n++;
		p += len[n - 1];
		if (*p == '/')
			p++;
	}
	if (!n || !len[0]) {
		snprintf(err, errsz, "no command in the URL");
		return NULL;
	}
	if (n >= 2 && len[0] + len[1] + 2 <= sizeof(name)) {
		snprintf(name, sizeof(name), "%.*s/%.*s", (int)len[0], seg[0], (int)len[1], seg[1]);
		c = cmd_find(name);
	}
	used = 2;
	if (!c && len[0] + 1 <= sizeof(name)) {
		snprintf(name, sizeof(name), "%.*s", (int)len[0], seg[0]);
		c = cmd_find(name);
		used = 1;
	}
	if (!c) {
		snprintf(err, errsz, "unknown command '%.64s' (GET %s lists them)", rest,
			 API_PREFIX);
		return NULL;
	}
	/* Everything after the command's segments: positional arguments. */
	p = rest;
	for (unsigned i = 0; i < used; i++) {
		p += len[i];
		if (*p == '/')
			p++;
	}
	while (*p) {
		const char *e = strchr(p, '/');
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (!api_args_add(a, p, l)) {
			snprintf(err, errsz, "too many or too long arguments");
			return NULL;
		}
		p += l;
		if (*p == '/')
			p++;
	}
	return c;
}

static void api_run(struct vnetd *d, const struct cmd_def *c, struct api_args *a,
		    struct http_resp *resp)
{
	struct cmd_reply r = { 0 };
	char *text = NULL;
	size_t text_size = 0;
	int rc;

	r.text = open_memstream(&text, &text_size);
	if (!r.text) {
		api_error(resp, 500, "out of memory");
		return;
	}
	rc = cmd_run(d, c, a->argc, a->argv, &r);
	fclose(r.text);
	if (rc < 0) {
		json_decref(r.result);
		free(text);
		api_error(resp, api_status(rc), r.err[0] ? r.err : "command failed");
		return;
	}
	api_sanitize(text);
	api_json(resp, 200,
		 json_pack("{s:b, s:o, s:s}", "ok", true, "result",
			   r.result ? r.result : json_object(), "text", text));
	free(text);
}

void api_handle(struct vnetd *d, const char *token, const struct http_req *req,
		struct http_resp *resp)
{
	const char *rest = req->path + strlen(API_PREFIX);
	bool post = !strcmp(req->method, "POST");
	const struct cmd_def *c;
	struct api_args *a;
	char err[256];

	if (*rest == '/')
		rest++;
	if (!*rest) {
		api_index(resp);
		return;
	}
	a = calloc(1, sizeof(*a));
	if (!a) {
		api_error(resp, 500, "out of memory");
		return;
	}
	c = api_route(rest, a, err, sizeof(err));
	if (!c) {
		api_error(resp, strstr(err, "unknown") ? 404 : 400, err);
		goto out;
	}
	if (!api_read_only(c->name)) {
		if (!post) {
			api_error(resp, 405, "this command changes state: use POST with the token");
			resp->allow = "POST";
			goto out;
		}
		if (!req->authorization) {
			api_error(resp, 401,
				  "this command needs Authorization: Bearer TOKEN "
				  "(the token is in vnetd's state dir, " API_TOKEN_FILE ")");
			resp->www_authenticate = "Bearer realm=\"vnet\"";
			goto out;
		}
		if (!api_token_ok(req->authorization, token)) {
			log_ratelimited(LOG_LVL_WARN, "web: refused %s: wrong token", c->name);
			api_error(resp, 403, "wrong token");
			goto out;
		}
	}
	for (unsigned i = 0; i < req->n_query; i++) {
		char kv[1024];
		int n = snprintf(kv, sizeof(kv), "%s=%s", req->qkey[i], req->qval[i]);

		if (n < 0 || (size_t)n >= sizeof(kv) || !api_args_add(a, kv, (size_t)n)) {
			api_error(resp, 400, "too many or too long query arguments");
			goto out;
		}
	}
	if (post && req->body_size && !api_body_args(req, a, err, sizeof(err))) {
		api_error(resp, 400, err);
		goto out;
	}
	api_run(d, c, a, resp);
out:
	free(a);
}

bool api_token_ok(const char *auth, const char *token)
{
	size_t n = strlen(token);
	unsigned char diff = 0;

	if (strncasecmp(auth, "Bearer ", 7))
		return false;
	auth += 7;
	while (*auth == ' ')
		auth++;
	if (strlen(auth) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		diff |= (unsigned char)(auth[i] ^ token[i]);
	return diff == 0;
}

static bool api_token_valid(const char *s)
{
	for (unsigned i = 0; i < API_TOKEN_LEN; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return s[API_TOKEN_LEN] == '\0' || s[API_TOKEN_LEN] == '\n';
}

/* An existing token file we can trust: ours, 0600 or stricter, well-formed. */
static bool api_token_read(const char *path, char token[static API_TOKEN_LEN + 1])
{
	char buf[API_TOKEN_LEN + 2];
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 077)) {
		close(fd);
		warn("%s is not a private file of ours: writing a new token", path);
		return false;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < API_TOKEN_LEN)
		return false;
	buf[n] = '\0';
	if (!api_token_valid(buf))
		return false;
	memcpy(token, buf, API_TOKEN_LEN);
	token[API_TOKEN_LEN] = '\0';
	return true;
}

int api_token_init(const char *state_dir, char token[static API_TOKEN_LEN + 1], char *err,
		   size_t errsz)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[API_TOKEN_BYTES];
	char path[PATH_MAX], tmp[PATH_MAX + 16];
	int fd, rc;

	if (snprintf(path, sizeof(path), "%s/%s", state_dir, API_TOKEN_FILE) >= (int)sizeof(path)) {
		snprintf(err, errsz, "state dir path too long");
		return -ENAMETOOLONG;
	}
	if (api_token_read(path, token))
		return 0;
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
		rc = -errno;
		snprintf(err, errsz, "getrandom: %s", strerror(errno));
		return rc;
	}
	for (unsigned i = 0; i < API_TOKEN_BYTES; i++) {
		token[2 * i] = hex[rnd[i] >> 4];
		token[2 * i + 1] = hex[rnd[i] & 15];
	}
	token[API_TOKEN_LEN] = '\n';
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	unlink(tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errsz, "%s: %s", tmp, strerror(errno));
		return rc;
	}
	errno = 0;
	rc = write(fd, token, API_TOKEN_LEN + 1) == API_TOKEN_LEN + 1 && !fsync(fd);
	if (close(fd) < 0)
		rc = 0;
	if (!rc || rename(tmp, path) < 0) {
		rc = errno ? -errno : -EIO;
		snprintf(err, errsz, "%s: %s", path, strerror(-rc));
		unlink(tmp);
		return rc;
	}
	token[API_TOKEN_LEN] = '\0';
	return 0;
}
