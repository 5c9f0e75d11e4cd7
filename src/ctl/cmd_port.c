// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_port.c - port/add, port/del, port/set, port/list. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "../net/vlan.h"
#include "../port/port.h"
#include "../net/eth.h"
#include "../switch/bridge.h"
#include "cmd_table.h"
#include "config.h"
#include "vnetd.h"

/*
 * A port QEMU attaches to by a socket (stream, dgram) reports the QEMU options
 * that pair with it in its info; port/add shows them, so the user can paste them.
 */
static void cmd_port_add_qemu(struct bridge *br, const char *name, struct cmd_reply *r)
{
	struct port *p = cmd_lookup_port(br, name, r);
	json_t *info, *q;

	if (!p || !p->ops->info)
		return;
	info = json_object();
	p->ops->info(p, info);
	q = json_object_get(info, "qemu");
	if (json_is_string(q)) {
		r->result = json_pack("{s:O}", "qemu", q);
		fprintf(r->text, "qemu-system-x86_64 ... %s\n", json_string_value(q));
	}
	json_decref(info);
}

int cmd_port_add(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	struct bridge *br = cmd_lookup_switch(d, argv[0], r);
	struct kv_list opts = { 0 };
	int rc;

	if (!br)
		return -ENOENT;
	if (!config_name_valid(argv[1]))
		return cmd_error(r, EINVAL,
				 "invalid port name '%.64s': use 1..%d of A-Z a-z 0-9 _ . -",
				 argv[1], CONFIG_NAME_MAX);
	if (!cmd_parse_opts(&opts, argc - 2, argv + 2, r))
		return -EINVAL;
	rc = bridge_port_add(br, argv[1], &opts, r->err, sizeof(r->err));
	if (rc < 0)
		return rc;
	/* A port that failed to open at startup is replaced by the one just added. */
	config_stale_del(d, br->name, argv[1]);
	cmd_port_add_qemu(br, argv[1], r);
	return 0;
}

int cmd_port_del(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	struct bridge *br = cmd_lookup_switch(d, argv[0], r);

	(void)argc;
	if (!br)
		return -ENOENT;
	if (config_stale_del(d, br->name, argv[1]))
		return 0;
	if (!cmd_lookup_port(br, argv[1], r))
		return -ENOENT;
	return bridge_port_del(br, argv[1]);
}

int cmd_port_set(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	struct bridge *br = cmd_lookup_switch(d, argv[0], r);
	struct config_stale *st;
	struct kv_list changes = { 0 };

	if (!br)
		return -ENOENT;
	st = config_stale_find(d, br->name, argv[1]);
	if (st)
		return cmd_error(r, ENODEV,
				 "port %s failed to open (%s): port/del and port/add it again",
				 argv[1], st->reason);
	if (!cmd_lookup_port(br, argv[1], r))
		return -ENOENT;
	if (!cmd_parse_opts(&changes, argc - 2, argv + 2, r))
		return -EINVAL;
	return bridge_port_set(br, argv[1], &changes, r->err, sizeof(r->err));
}

/* The allowed VLANs as a JSON array; empty means all, as in OVS. */
static json_t *cmd_port_trunks_json(const struct vlan_cfg *v)
{
	json_t *a = json_array();

	if (v->trunks_all)
		return a;
	for (unsigned vid = 0; vid < 4096; vid++) {
		if (v->trunks[vid / 64] & (1ull << (vid % 64)))
			json_array_append_new(a, json_integer(vid));
	}
	return a;
}

/* "access 10", "trunk all", "native-untagged 10 +20,30": the VLAN column of the table */
static void cmd_port_vlan_text(const struct vlan_cfg *v, char *buf, size_t size)
{
	char trunks[256];

	vlan_trunks_format(v, trunks, sizeof(trunks));
	switch (v->mode) {
	case VLAN_MODE_ACCESS:
		snprintf(buf, size, "access %u", v->tag);
		break;
	case VLAN_MODE_TRUNK:
		snprintf(buf, size, "trunk %s", v->trunks_all ? "all" : trunks);
		break;
	default:
		snprintf(buf, size, "%s %u +%s", vlan_mode_name(v->mode), v->tag,
			 v->trunks_all ? "all" : trunks);
		break;
	}
}

/* Scalar members of a port's info object, as "key=value ..." for the text table. */
static void cmd_port_info_text(json_t *info, char *buf, size_t size)
{
	const char *key;
	json_t *val;
	size_t off = 0;

	buf[0] = '\0';
	json_object_foreach(info, key, val)
	{
		char v[96];
		int n;

		if (json_is_string(val))
			snprintf(v, sizeof(v), "%s", json_string_value(val));
		else if (json_is_integer(val))
			snprintf(v, sizeof(v), "%" JSON_INTEGER_FORMAT, json_integer_value(val));
		else if (json_is_boolean(val))
			snprintf(v, sizeof(v), "%s", json_is_true(val) ? "yes" : "no");
		else
			continue;
		n = snprintf(buf + off, size - off, "%s%s=%s", off ? " " : "", key, v);
		if (n < 0 || (size_t)n >= size - off)
			break;
		off += (size_t)n;
	}
}

static const char *cmd_port_type(const struct kv_list *opts)
{
	for (unsigned i = 0; i < opts->n; i++) {
		if (!strcmp(opts->kv[i].key, "type"))
			return opts->kv[i].val;
	}
	return "tap";
}

/* The port's guards as in effect (defaults included) and what they learned. */
static json_t *cmd_port_rate_json(uint64_t rate)
{
	return rate ? json_integer((json_int_t)rate) : json_null();
}

static json_t *cmd_port_guard_json(const struct port_guard *g)
{
	json_t *o = json_pack("{s:b, s:b, s:b, s:b, s:b, s:I}", "mac_spoof_guard", g->mac_spoof,
			      "ip_guard", g->ip, "dhcp_guard", g->dhcp, "router_guard", g->router,
			      "protected", g->protect, "mac_limit", (json_int_t)g->mac_limit);
	json_t *macs = json_array(), *ips = json_array();
	char buf[INET6_ADDRSTRLEN];

	for (unsigned i = 0; i < g->n_macs; i++)
		json_array_append_new(macs, json_string(eth_mac_format(g->macs[i], buf)));
	json_object_set_new(o, "allowed_macs", macs);
	json_object_set_new(o, "sticky_mac", json_boolean(g->sticky_set));
	for (unsigned i = 0; i < g->n_ip4; i++)
		json_array_append_new(
			ips, json_string(inet_ntop(AF_INET, &g->ip4[i], buf, sizeof(buf))));
	for (unsigned i = 0; i < g->n_ip6; i++)
		json_array_append_new(
			ips, json_string(inet_ntop(AF_INET6, &g->ip6[i], buf, sizeof(buf))));
	json_object_set_new(o, "allowed_ips", ips);
	/* the limits as configured; null = unlimited */
	json_object_set_new(o, "storm_bcast_pps", cmd_port_rate_json(g->storm_bcast.rate));
	json_object_set_new(o, "storm_mcast_pps", cmd_port_rate_json(g->storm_mcast.rate));
	json_object_set_new(o, "storm_unknown_pps", cmd_port_rate_json(g->storm_unknown.rate));
	json_object_set_new(o, "ingress_kbps", cmd_port_rate_json(g->rate_bytes.rate / 125));
	json_object_set_new(o, "ingress_pps", cmd_port_rate_json(g->rate_pps.rate));
	json_object_set_new(o, "ingress_burst_kb",
			    g->rate_bytes.rate
				    ? json_integer((json_int_t)(g->rate_bytes.burst / 1024))
				    : json_null());
	if (g->snoop4.s_addr)
		json_object_set_new(o, "dhcp_snooped_ip",
				    json_string(inet_ntop(AF_INET, &g->snoop4, buf, sizeof(buf))));
	return o;
}

static json_t *cmd_port_json(const struct bridge *br, struct port *p)
{
	json_t *info = json_object();
	json_t *o;

	if (p->ops->info)
		p->ops->info(p, info);
	o = json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:s, s:o, s:I, s:o, s:o}", "switch", br->name, "name",
		p->name, "type", p->ops->type, "state", p->state == PORT_UP ? "up" : "down",
		"down_reason", p->state == PORT_UP ? "" : p->down_reason, "vlan_mode",
		vlan_mode_name(p->vlan.mode), "tag",
		p->vlan.tag ? json_integer(p->vlan.tag) : json_null(), "mtu", (json_int_t)p->mtu,
		"trunks", cmd_port_trunks_json(&p->vlan), "options", config_kv_to_json(&p->opts));
	json_object_set_new(o, "info", info);
	json_object_set_new(o, "security", cmd_port_guard_json(&p->guard));
	return o;
}

static void cmd_port_list_switch(struct vnetd *d, struct bridge *br, json_t *arr,
				 struct cmd_tab *tab)
{
	for (struct port *p = bridge_port_next(br, NULL); p; p = bridge_port_next(br, p)) {
		json_t *o = cmd_port_json(br, p);
		char vlan[300], mtu[16], info[512];

		cmd_port_vlan_text(&p->vlan, vlan, sizeof(vlan));
		snprintf(mtu, sizeof(mtu), "%u", p->mtu);
		cmd_port_info_text(json_object_get(o, "info"), info, sizeof(info));
		if (p->state != PORT_UP)
			snprintf(info + strlen(info), sizeof(info) - strlen(info), "%s(%s)",
				 info[0] ? " " : "", p->down_reason);
		cmd_tab_row(tab, (const char *const[]){ br->name, p->name, p->ops->type,
							p->state == PORT_UP ? "up" : "down", vlan,
							mtu, info });
		json_array_append_new(arr, o);
	}
	for (unsigned i = 0; i < d->n_stale; i++) {
		struct config_stale *st = &d->stale[i];
		const char *type = cmd_port_type(&st->port.opts);
		char info[200];

		if (strcmp(st->sw, br->name))
			continue;
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "switch",
						     br->name, "name", st->port.name, "type", type,
						     "state", "failed", "down_reason", st->reason,
						     "options", config_kv_to_json(&st->port.opts)));
		snprintf(info, sizeof(info), "(%s)", st->reason);
		cmd_tab_row(tab, (const char *const[]){ br->name, st->port.name, type, "failed",
							NULL, NULL, info });
	}
}

int cmd_port_list(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	static const char *const head[] = {
		"SWITCH", "PORT", "TYPE", "STATE", "VLAN", "MTU", "INFO"
	};
	struct cmd_tab tab;
	json_t *arr;

	if (argc == 1) {
		struct bridge *br = cmd_lookup_switch(d, argv[0], r);

		if (!br)
			return -ENOENT;
	}
	arr = json_array();
	r->result = arr;
	cmd_tab_init(&tab, ARRAY_SIZE(head));
	cmd_tab_row(&tab, head);
	for (size_t i = 0; i < ARRAY_SIZE(d->bridges); i++) {
		struct bridge *br = d->bridges[i];

		if (br && (argc == 0 || !strcmp(br->name, argv[0])))
			cmd_port_list_switch(d, br, arr, &tab);
	}
	if (tab.n_rows > 1)
		cmd_tab_print(&tab, r->text);
	cmd_tab_free(&tab);
	return 0;
}
