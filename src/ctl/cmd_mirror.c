// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_mirror.c - mirror/add, mirror/del, mirror/list: port mirroring (SPAN and RSPAN). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/kv.h"
#include "../base/util.h"
#include "../switch/bridge.h"
#include "../switch/mirror.h"
#include "cmd_table.h"
#include "config.h"
#include "vnetd.h"

/* A mirror given on the command line names ports that exist (a saved one may outlive them). */
static int cmd_mirror_check_ports(struct bridge *br, const struct mirror *m, struct cmd_reply *r)
{
	for (unsigned i = 0; i < m->n_in; i++) {
		if (!cmd_lookup_port(br, m->in_names[i], r))
			return -ENOENT;
	}
	for (unsigned i = 0; i < m->n_out; i++) {
		if (!cmd_lookup_port(br, m->out_names[i], r))
			return -ENOENT;
	}
	if (m->out_port[0] && !cmd_lookup_port(br, m->out_port, r))
		return -ENOENT;
	return 0;
}

int cmd_mirror_add(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	struct bridge *br = cmd_lookup_switch(d, argv[0], r);
	struct kv_list opts = { 0 };
	struct mirror *m;
	int rc;

	if (!br)
		return -ENOENT;
	if (!config_name_valid(argv[1]))
		return cmd_error(r, EINVAL,
				 "invalid mirror name '%.40s': use 1..%d of A-Z a-z 0-9 _ . -",
				 argv[1], CONFIG_NAME_MAX);
	if (!cmd_parse_opts(&opts, argc - 2, argv + 2, r))
		return -EINVAL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return cmd_error(r, ENOMEM, "out of memory");
	if (!mirror_parse(m, &opts, r->err, sizeof(r->err))) {
		free(m);
		return -EINVAL;
	}
	rc = cmd_mirror_check_ports(br, m, r);
	free(m);
	if (rc < 0)
		return rc;
	return mirror_add(br, argv[1], &opts, r->err, sizeof(r->err));
}

int cmd_mirror_del(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	struct bridge *br = cmd_lookup_switch(d, argv[0], r);

	(void)argc;
	if (!br)
		return -ENOENT;
	if (mirror_del(br, argv[1]) < 0)
		return cmd_error(r, ENOENT, "switch %s has no mirror named '%.40s'", br->name,
				 argv[1]);
	return 0;
}

/* "in=p1,p2 out=p3 vlans=10" describing what @m selects */
static void cmd_mirror_select_text(const struct mirror *m, char *buf, size_t size)
{
	const char *in = NULL, *out = NULL, *vl = NULL;

	for (unsigned i = 0; i < m->opts.n; i++) {
		const struct kv *kv = &m->opts.kv[i];

		if (!strcmp(kv->key, "ingress"))
			in = kv->val;
		else if (!strcmp(kv->key, "egress"))
			out = kv->val;
		else if (!strcmp(kv->key, "vlans"))
			vl = kv->val;
	}
	snprintf(buf, size, "%s%s%s%s%s%s", in ? "ingress=" : "", in ? in : "",
		 out ? (in ? " egress=" : "egress=") : "", out ? out : "",
		 vl ? (in || out ? " vlans=" : "vlans=") : "", vl ? vl : "");
}

int cmd_mirror_list(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	static const char *const head[] = { "MIRROR",  "SELECT", "OUTPUT",    "STATE",
					    "PACKETS", "BYTES",	 "TRUNCATED", "DROPS" };
	struct bridge *br = cmd_lookup_switch(d, argv[0], r);
	struct cmd_tab tab;
	json_t *arr;

	(void)argc;
	if (!br)
		return -ENOENT;
	arr = json_array();
	r->result = arr;
	cmd_tab_init(&tab, ARRAY_SIZE(head));
	cmd_tab_row(&tab, head);
	for (struct mirror *m = mirror_next(br, NULL); m; m = mirror_next(br, m)) {
		char state[96], sel[3 * KV_VAL_MAX + 32], out[48], v[4][24];
		json_t *o;

		mirror_state(br, m, state, sizeof(state));
		cmd_mirror_select_text(m, sel, sizeof(sel));
		if (m->out_port[0])
			snprintf(out, sizeof(out), "port %s", m->out_port);
		else
			snprintf(out, sizeof(out), "vlan %u", m->out_vlan);
		o = json_pack("{s:s, s:o, s:s, s:b, s:I, s:I, s:I, s:I, s:I}", "name", m->name,
			      "options", config_kv_to_json(&m->opts), "state", state, "active",
			      m->active, "snaplen", (json_int_t)m->snaplen, "packets",
			      (json_int_t)m->packets, "bytes", (json_int_t)m->bytes, "truncated",
			      (json_int_t)m->truncated, "drops", (json_int_t)m->drops);
		if (m->out_port[0])
			json_object_set_new(o, "output", json_string(m->out_port));
		else
			json_object_set_new(o, "output_vlan", json_integer(m->out_vlan));
		json_array_append_new(arr, o);
		snprintf(v[0], sizeof(v[0]), "%llu", (unsigned long long)m->packets);
		snprintf(v[1], sizeof(v[1]), "%llu", (unsigned long long)m->bytes);
		snprintf(v[2], sizeof(v[2]), "%llu", (unsigned long long)m->truncated);
		snprintf(v[3], sizeof(v[3]), "%llu", (unsigned long long)m->drops);
		cmd_tab_row(&tab, (const char *const[]){ m->name, sel, out, state, v[0], v[1], v[2],
							 v[3] });
	}
	cmd_tab_print(&tab, r->text);
	cmd_tab_free(&tab);
	return 0;
}
