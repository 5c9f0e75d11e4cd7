// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_capture.c - capture and capture/list: start a live capture of a port
 * (the client then connects to the socket the reply names; see capture.h),
 * and list the running captures with their counters.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../base/kv.h"
#include "../base/util.h"
#include "../switch/bridge.h"
#include "../switch/capture.h"
#include "cmd_table.h"
#include "vnetd.h"

int cmd_capture(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	struct bridge *br = cmd_lookup_switch(d, argv[0], r);
	uint64_t count = 0, snaplen = CAPTURE_SNAPLEN_MAX;
	struct capture_ticket t;
	struct kv_list opts = { 0 };
	unsigned dir = CAPTURE_DIR_BOTH;
	const char *v, *k;
	int rc;

	if (!br)
		return -ENOENT;
	if (!cmd_lookup_port(br, argv[1], r))
		return -ENOENT;
	if (!cmd_parse_opts(&opts, argc - 2, argv + 2, r))
		return -EINVAL;
	v = kv_get(&opts, "direction");
	if (v && !capture_parse_dir(v, &dir))
		return cmd_error(r, EINVAL, "direction=%.32s: expected in, out or both", v);
	if (!kv_get_u64(&opts, "count", 1, UINT32_MAX, &count, r->err, sizeof(r->err)) ||
	    !kv_get_u64(&opts, "snaplen", CAPTURE_SNAPLEN_MIN, CAPTURE_SNAPLEN_MAX, &snaplen,
			r->err, sizeof(r->err)))
		return -EINVAL;
	k = kv_first_unused(&opts);
	if (k)
		return cmd_error(r, EINVAL,
				 "unknown capture option '%.32s' (direction= count= snaplen=)", k);
	rc = capture_start(br, d->socket_path, argv[1], dir, (uint32_t)snaplen, count, &t, r->err,
			   sizeof(r->err));
	if (rc < 0)
		return rc;
	r->result =
		json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:i}", "id", (int)t.id,
			  "switch", br->name, "port", argv[1], "socket", t.path, "token", t.token,
			  "direction", capture_dir_name(dir), "snaplen", (json_int_t)snaplen,
			  "count", (json_int_t)count, "connect_within_s", CAPTURE_CONNECT_S);
	fprintf(r->text,
		"capture %u of %s %s ready: connect to %s within %d s and send the token line\n",
		t.id, br->name, argv[1], t.path, CAPTURE_CONNECT_S);
	return 0;
}

int cmd_capture_list(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	static const char *const head[] = { "ID",     "PORT",  "DIR",	  "STATE",
					    "FRAMES", "BYTES", "DROPPED", "QUEUED" };
	struct bridge *br = cmd_lookup_switch(d, argv[0], r);
	struct capture_set *cs;
	struct cmd_tab tab;
	json_t *arr;

	(void)argc;
	if (!br)
		return -ENOENT;
	cs = br->captures;
	arr = json_array();
	cmd_tab_init(&tab, ARRAY_SIZE(head));
	cmd_tab_row(&tab, head);
	for (unsigned i = 0; cs && i < CAPTURE_MAX; i++) {
		const struct capture *c = cs->cap[i];
		char v[5][24];

		if (!c)
			continue;
		json_array_append_new(
			arr,
			json_pack("{s:i, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I}", "id",
				  (int)c->id, "port", c->port, "direction",
				  capture_dir_name(c->dir), "state", capture_state_name(c->state),
				  "frames", (json_int_t)c->frames, "bytes", (json_int_t)c->bytes,
				  "dropped", (json_int_t)c->dropped, "queued_bytes",
				  (json_int_t)(c->head - c->tail), "snaplen",
				  (json_int_t)c->snaplen, "count", (json_int_t)c->count));
		snprintf(v[0], sizeof(v[0]), "%u", c->id);
		snprintf(v[1], sizeof(v[1]), "%llu", (unsigned long long)c->frames);
		snprintf(v[2], sizeof(v[2]), "%llu", (unsigned long long)c->bytes);
		snprintf(v[3], sizeof(v[3]), "%llu", (unsigned long long)c->dropped);
		snprintf(v[4], sizeof(v[4]), "%llu", (unsigned long long)(c->head - c->tail));
		cmd_tab_row(&tab, (const char *const[]){ v[0], c->port, capture_dir_name(c->dir),
							 capture_state_name(c->state), v[1], v[2],
							 v[3], v[4] });
	}
	r->result = json_pack("{s:o, s:I, s:I, s:I, s:I, s:I}", "captures", arr, "started",
			      (json_int_t)(cs ? cs->started : 0), "completed",
			      (json_int_t)(cs ? cs->completed : 0), "stalled",
			      (json_int_t)(cs ? cs->stalled : 0), "abandoned",
			      (json_int_t)(cs ? cs->abandoned : 0), "frames_dropped",
			      (json_int_t)(cs ? cs->dropped : 0));
	cmd_tab_print(&tab, r->text);
	cmd_tab_free(&tab);
	fprintf(r->text, "started %llu, completed %llu, stalled %llu, abandoned %llu\n",
		(unsigned long long)(cs ? cs->started : 0),
		(unsigned long long)(cs ? cs->completed : 0),
		(unsigned long long)(cs ? cs->stalled : 0),
		(unsigned long long)(cs ? cs->abandoned : 0));
	return 0;
}
