// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_nat.c - nat/forward-add, nat/forward-del, nat/forward-list, nat/show. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../base/util.h"
#include "../svc/nat.h"
#include "../svc/network.h"
#include "../svc/svc_port.h"
#include "cmd_table.h"
#include "vnetd.h"

/* Until cmd_table.h lists these commands (see doc/network-modes.md), declare the handlers here. */
int cmd_nat_forward_add(struct vnetd *d, int argc, char **argv, struct cmd_reply *r);
int cmd_nat_forward_del(struct vnetd *d, int argc, char **argv, struct cmd_reply *r);
int cmd_nat_forward_list(struct vnetd *d, int argc, char **argv, struct cmd_reply *r);
int cmd_nat_show(struct vnetd *d, int argc, char **argv, struct cmd_reply *r);

/* The NAT of network @name, or NULL with r->err set. */
static struct svc *cmd_nat_network(struct vnetd *d, const char *name, struct cmd_reply *r)
{
	struct svc *s = network_find(d->bridges, ARRAY_SIZE(d->bridges), name);

	if (!s) {
		cmd_error(r, ENOENT, "no network %s", name);
		return NULL;
	}
	if (!svc_nat(s)) {
		cmd_error(r, EOPNOTSUPP, "network %s is %s: NAT needs mode=nat", name,
			  svc_mode_name(svc_mode(s)));
		return NULL;
	}
	return s;
}

int cmd_nat_forward_add(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	struct svc *s = cmd_nat_network(d, argv[0], r);
	struct nat_fwd f;

	(void)argc;
	if (!s)
		return -ENOENT;
	if (!nat_fwd_parse(argv[1], argv[2], argv[3], &f, r->err, sizeof(r->err)))
		return -EINVAL;
	return svc_forward_add(s, &f, r->err, sizeof(r->err));
}

int cmd_nat_forward_del(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	struct svc *s = cmd_nat_network(d, argv[0], r);
	struct nat_fwd f;

	(void)argc;
	if (!s)
		return -ENOENT;
	if (!nat_fwd_parse(argv[1], argv[2], NULL, &f, r->err, sizeof(r->err)))
		return -EINVAL;
	return svc_forward_del(s, f.proto, f.host_ip, f.host_port, r->err, sizeof(r->err));
}

static void cmd_nat_forward_table(json_t *arr, FILE *out)
{
	static const char *const head[] = { "PROTO", "HOST", "VM", "STATE" };
	struct cmd_tab tab;
	json_t *o;
	size_t i;

	cmd_tab_init(&tab, ARRAY_SIZE(head));
	cmd_tab_row(&tab, head);
	json_array_foreach(arr, i, o)
	{
		char h[32], g[32], st[160];
		const char *e = json_string_value(json_object_get(o, "error"));

		snprintf(h, sizeof(h), "%s:%lld", json_string_value(json_object_get(o, "host")),
			 (long long)json_integer_value(json_object_get(o, "host_port")));
		snprintf(g, sizeof(g), "%s:%lld", json_string_value(json_object_get(o, "guest")),
			 (long long)json_integer_value(json_object_get(o, "guest_port")));
		if (json_is_true(json_object_get(o, "active")))
			snprintf(st, sizeof(st), "active");
		else
			snprintf(st, sizeof(st), "inactive: %s", e ? e : "?");
		cmd_tab_row(&tab,
			    (const char *const[]){ json_string_value(json_object_get(o, "proto")),
						   h, g, st });
	}
	if (tab.n_rows > 1)
		cmd_tab_print(&tab, out);
	cmd_tab_free(&tab);
}

int cmd_nat_forward_list(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	struct svc *s = cmd_nat_network(d, argv[0], r);

	(void)argc;
	if (!s)
		return -ENOENT;
	r->result = nat_fwd_to_json(svc_nat(s), true);
	cmd_nat_forward_table(r->result, r->text);
	return 0;
}

int cmd_nat_show(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	static const char *const head[] = { "PROTO", "STATE", "VM", "REMOTE", "RECVQ", "SENDQ" };
	struct svc *s = cmd_nat_network(d, argv[0], r);
	struct cmd_tab tab;
	struct nat *n;
	json_t *flows, *status, *o;
	size_t i;

	(void)argc;
	if (!s)
		return -ENOENT;
	n = svc_nat(s);
	flows = n->ops->flows(n->eng);
	status = svc_status_json(s);
	r->result = json_pack("{s:s, s:s, s:o, s:o, s:O, s:I}", "network", svc_net(s), "engine",
			      n->ops->name, "flows", flows, "forwards", nat_fwd_to_json(n, true),
			      "counters", json_object_get(status, "counters"), "frames_in",
			      (json_int_t)n->n_input);
	json_decref(status);
	fprintf(r->text, "network %s, NAT engine %s: %zu flow(s), %u forward(s)\n", svc_net(s),
		n->ops->name, json_array_size(json_object_get(r->result, "flows")), n->n_fwd);
	cmd_tab_init(&tab, ARRAY_SIZE(head));
	cmd_tab_row(&tab, head);
	json_array_foreach(json_object_get(r->result, "flows"), i, o)
	{
		char vm[32], rem[32], rq[16], sq[16];

		snprintf(vm, sizeof(vm), "%s:%lld", json_string_value(json_object_get(o, "src")),
			 (long long)json_integer_value(json_object_get(o, "sport")));
		snprintf(rem, sizeof(rem), "%s:%lld", json_string_value(json_object_get(o, "dst")),
			 (long long)json_integer_value(json_object_get(o, "dport")));
		snprintf(rq, sizeof(rq), "%lld",
			 (long long)json_integer_value(json_object_get(o, "recvq")));
		snprintf(sq, sizeof(sq), "%lld",
			 (long long)json_integer_value(json_object_get(o, "sendq")));
		cmd_tab_row(&tab,
			    (const char *const[]){ json_string_value(json_object_get(o, "proto")),
						   json_string_value(json_object_get(o, "state")),
						   vm, rem, rq, sq });
	}
	if (tab.n_rows > 1)
		cmd_tab_print(&tab, r->text);
	cmd_tab_free(&tab);
	if (n->n_fwd) {
		fprintf(r->text, "forwards:\n");
		cmd_nat_forward_table(json_object_get(r->result, "forwards"), r->text);
	}
	return 0;
}
