// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_fdb.c - fdb/show, fdb/flush, fdb/add, fdb/del: the MAC table. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "../net/eth.h"
#include "../port/vxlan.h"
#include "../switch/bridge.h"
#include "../switch/fdb.h"
#include "cmd_table.h"
#include "vnetd.h"

#define CMD_FDB_VLAN_MAX 4094 /* VLAN 0 is the untagged traffic of trunk ports */

struct cmd_fdb_collect {
	struct fdb_entry_info *e;
	size_t n, cap;
	bool oom;
};

static bool cmd_fdb_collect_one(const struct fdb_entry_info *e, void *arg)
{
	struct cmd_fdb_collect *c = arg;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 1024;
		struct fdb_entry_info *ne = realloc(c->e, cap * sizeof(*ne));

		if (!ne) {
			c->oom = true;
			return false;
		}
		c->e = ne;
		c->cap = cap;
	}
	c->e[c->n++] = *e;
	return true;
}

static int cmd_fdb_cmp(const void *a, const void *b)
{
	const struct fdb_entry_info *x = a, *y = b;

	if (x->vlan != y->vlan)
		return x->vlan < y->vlan ? -1 : 1;
	return memcmp(x->mac, y->mac, sizeof(x->mac));
}

static const char *cmd_fdb_port_name(const struct bridge *br, uint16_t idx)
{
	if (idx < BRIDGE_MAX_PORTS && br->ports[idx])
		return br->ports[idx]->name;
	return "?";
}

int cmd_fdb_show(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	static const char *const head[] = { "PORT", "VLAN", "MAC", "AGE", "VTEP" };
	struct bridge *br = cmd_lookup_switch(d, argv[0], r);
	struct cmd_fdb_collect c = { 0 };
	struct cmd_tab tab;
	json_t *arr;

	(void)argc;
	if (!br)
		return -ENOENT;
	fdb_foreach(br->fdb, now_ns(), cmd_fdb_collect_one, &c);
	if (c.oom) {
		free(c.e);
		return cmd_error(r, ENOMEM, "out of memory listing %zu MAC entries", c.n);
	}
	if (c.n)
		qsort(c.e, c.n, sizeof(*c.e), cmd_fdb_cmp);
	arr = json_array();
	r->result = arr;
	cmd_tab_init(&tab, ARRAY_SIZE(head));
	cmd_tab_row(&tab, head);
	for (size_t i = 0; i < c.n; i++) {
		const struct fdb_entry_info *e = &c.e[i];
		const char *port = cmd_fdb_port_name(br, e->port);
		struct port *p = e->port < BRIDGE_MAX_PORTS ? br->ports[e->port] : NULL;
		char mac[18], vlan[8], age[16], vtep[64] = "";
		json_t *je;

		eth_mac_format(e->mac, mac);
		je = json_pack("{s:s, s:i, s:s, s:I, s:b}", "mac", mac, "vlan", (int)e->vlan,
			       "port", port, "age", (json_int_t)e->age_s, "static", e->is_static);
		/* a MAC behind a VXLAN port: the remote VTEP it was learned from */
		if (p && vxlan_is(p) && vxlan_fdb_vtep(p, e->vlan, e->mac, vtep, sizeof(vtep)))
			json_object_set_new(je, "vtep", json_string(vtep));
		json_array_append_new(arr, je);
		snprintf(vlan, sizeof(vlan), "%u", e->vlan);
		if (e->is_static)
			snprintf(age, sizeof(age), "static");
		else
			snprintf(age, sizeof(age), "%u", e->age_s);
		cmd_tab_row(&tab,
			    (const char *const[]){ port, vlan, mac, age, vtep[0] ? vtep : NULL });
	}
	cmd_tab_print(&tab, r->text);
	cmd_tab_free(&tab);
	free(c.e);
	return 0;
}

int cmd_fdb_flush(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	struct bridge *br = cmd_lookup_switch(d, argv[0], r);
	struct port *p = NULL;

	if (!br)
		return -ENOENT;
	if (argc == 2) {
		p = cmd_lookup_port(br, argv[1], r);
		if (!p)
			return -ENOENT;
	}
	fdb_flush(br->fdb, p ? p->idx : FDB_PORT_NONE, false);
	return 0;
}

/* MAC and VLAN arguments of fdb/add and fdb/del */
static bool cmd_fdb_parse_key(const char *smac, const char *svlan, uint8_t mac[static 6],
			      uint16_t *vlan, struct cmd_reply *r)
{
	uint64_t v;

	if (!eth_mac_parse(smac, mac)) {
		cmd_error(r, EINVAL, "invalid MAC address '%.64s'", smac);
		return false;
	}
	if (eth_is_multicast(mac) || eth_is_zero(mac)) {
		cmd_error(r, EINVAL, "%s: a MAC entry needs a unicast address", smac);
		return false;
	}
	if (!cmd_parse_u64(svlan, 0, CMD_FDB_VLAN_MAX, false, &v)) {
		cmd_error(r, EINVAL, "invalid VLAN '%.64s': expected 0..%d", svlan,
			  CMD_FDB_VLAN_MAX);
		return false;
	}
	*vlan = (uint16_t)v;
	return true;
}

int cmd_fdb_add(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	struct bridge *br = cmd_lookup_switch(d, argv[0], r);
	uint8_t mac[6];
	uint16_t vlan;
	int rc;

	(void)argc;
	if (!br)
		return -ENOENT;
	if (!cmd_fdb_parse_key(argv[1], argv[2], mac, &vlan, r))
		return -EINVAL;
	if (!cmd_lookup_port(br, argv[3], r))
		return -ENOENT;
	rc = bridge_fdb_add(br, vlan, mac, argv[3]);
	if (rc == -ENOSPC)
		return cmd_error(r, ENOSPC, "MAC table of %s is full (fdb_max=%u)", br->name,
				 fdb_get_max(br->fdb));
	if (rc < 0)
		return cmd_error(r, -rc, "fdb/add: %s", strerror(-rc));
	return 0;
}

int cmd_fdb_del(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	struct bridge *br = cmd_lookup_switch(d, argv[0], r);
	uint8_t mac[6];
	uint16_t vlan;

	(void)argc;
	if (!br)
		return -ENOENT;
	if (!cmd_fdb_parse_key(argv[1], argv[2], mac, &vlan, r))
		return -EINVAL;
	if (fdb_del(br->fdb, vlan, mac) < 0)
		return cmd_error(r, ENOENT, "no MAC entry %s in VLAN %u on %s", argv[1], vlan,
				 br->name);
	return 0;
}
