/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * api.h - the JSON HTTP API: one URL per control command.
 *
 * Theory of operation
 * -------------------
 * Every command of the control table (cmd_table.h) is reachable as
 *
 *   GET  /api/v1/NOUN/VERB[/ARG...][?key=value...]
 *   POST /api/v1/NOUN/VERB[/ARG...]   body {"args": ["ARG", "key=value", ...]}
 *
 * (single-word commands, e.g. "version", as /api/v1/version). The path
 * segments after the command are its first arguments, then each query
 * argument as "key=value", then the body's "args" array: the same strings
 * vnetctl would send. The request runs through cmd_find() and cmd_run(),
 * the dispatch the control socket uses, and the answer has the control
 * socket's shape, {"ok": true, "result": ..., "text": ...} or
 * {"ok": false, "error": "..."}, so the API, vnetctl and the web page can
 * never disagree. A command added to the table is in the API at once.
 * GET /api/v1 lists the commands and whether each needs the token.
 *
 * Read-only commands (verbs show, list, *-list, leases; version; help) are
 * served without credentials. Everything else, including commands added
 * later whose verb is not read-only (fail closed), needs POST and
 * "Authorization: Bearer TOKEN", where TOKEN is in STATE_DIR/web.token
 * (mode 0600, readable by root only, like the control socket's 0660 is by
 * the vnet group). Without the header the answer is 401; with a wrong
 * token, 403. POST-only for changes also means a web page elsewhere cannot
 * trigger one with a plain link or form: a cross-origin request carrying
 * an Authorization header needs a CORS preflight, which is never granted.
 *
 * Errors map to status codes: unknown command 404, wrong argument count or
 * invalid argument 400, no such object 404, already exists 409, other 500.
 */
#ifndef VNET_API_H
#define VNET_API_H

#include <stdbool.h>
#include <stddef.h>

#include "http.h"

#define API_PREFIX "/api/v1"
#define API_TOKEN_FILE "web.token"
#define API_TOKEN_BYTES 32 /* random bytes; the token is their hex */
#define API_TOKEN_LEN (2 * API_TOKEN_BYTES)
#define API_ARGS_MAX 64 /* as CTL_ARGS_MAX: what the control socket accepts */
#define API_ARGS_BYTES (64 * 1024) /* as CTL_REQUEST_MAX */

struct vnetd;

/**
 * api_read_only() - may command @name run without the token?
 */
bool api_read_only(const char *name);

/**
 * api_handle() - answer one request under API_PREFIX
 * @d:     the daemon
 * @token: the token changes need (API_TOKEN_LEN hex digits)
 */
void api_handle(struct vnetd *d, const char *token, const struct http_req *req,
		struct http_resp *resp);

/**
 * api_token_init() - the token in @state_dir/web.token: reuse a valid one, else write a new one
 * A new token comes from getrandom(); the file is written 0600 and renamed
 * into place, so a reader never sees a partial token.
 * @token: out: API_TOKEN_LEN hex digits and a NUL
 * Return: 0, or -errno with @err set.
 */
int api_token_init(const char *state_dir, char token[static API_TOKEN_LEN + 1], char *err,
		   size_t errsz);

/**
 * api_token_ok() - does the Authorization header @auth carry @token? (constant time)
 */
bool api_token_ok(const char *auth, const char *token);

#endif /* VNET_API_H */
