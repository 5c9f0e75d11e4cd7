// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_switch.c - switch/add, switch/del, switch/list, switch/set. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../base/util.h"
#include "../switch/bridge.h"
#include "../switch/fdb.h"
#include "cmd_table.h"
#include "config.h"
#include "vnetd.h"

int cmd_switch_add(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	struct kv_list opts = { 0 };
	struct bridge *br;
	int slot = -1;

	if (!config_name_valid(argv[0]))
		return cmd_error(r, EINVAL,
				 "invalid switch name '%.64s': use 1..%d of A-Z a-z 0-9 _ . -",
				 argv[0], CONFIG_NAME_MAX);
	if (vnetd_bridge_find(d, argv[0]))
		return cmd_error(r, EEXIST, "switch %s already exists", argv[0]);
	for (size_t i = 0; i < ARRAY_SIZE(d->bridges) && slot < 0; i++) {
		if (!d->bridges[i])
			slot = (int)i;
	}
	if (slot < 0)
		return cmd_error(r, ENOSPC, "too many switches (at most %d)", VNETD_MAX_SWITCHES);
	if (!cmd_parse_opts(&opts, argc - 1, argv + 1, r))
		return -EINVAL;
	br = bridge_create(&d->dp, argv[0], &opts, r->err, sizeof(r->err));
	if (!br)
		return -EINVAL;
	d->bridges[slot] = br;
	return 0;
}

int cmd_switch_del(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	struct bridge *br = cmd_lookup_switch(d, argv[0], r);

	(void)argc;
	if (!br)
		return -ENOENT;
	for (size_t i = 0; i < ARRAY_SIZE(d->bridges); i++) {
		if (d->bridges[i] == br)
			d->bridges[i] = NULL;
	}
	config_stale_del(d, argv[0], NULL);
	bridge_destroy(br);
	return 0;
}

int cmd_switch_list(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	static const char *const head[] = { "SWITCH", "PORTS", "MACS", "FDB_MAX", "AGING" };
	struct cmd_tab tab;
	json_t *arr = json_array();

	(void)argc;
	(void)argv;
	r->result = arr;
	cmd_tab_init(&tab, ARRAY_SIZE(head));
	cmd_tab_row(&tab, head);
	for (size_t i = 0; i < ARRAY_SIZE(d->bridges); i++) {
		struct bridge *br = d->bridges[i];
		struct fdb_stats fs;
		char ports[16], macs[24], max[16], aging[16];

		if (!br)
			continue;
		fdb_get_stats(br->fdb, &fs);
		json_array_append_new(arr, json_pack("{s:s, s:i, s:I, s:I, s:I, s:o}", "name",
						     br->name, "n_ports", (int)br->n_ports,
						     "fdb_entries", (json_int_t)fs.n_entries,
						     "fdb_max", (json_int_t)fdb_get_max(br->fdb),
						     "aging", (json_int_t)fdb_get_aging(br->fdb),
						     "options", config_kv_to_json(&br->opts)));
		snprintf(ports, sizeof(ports), "%u", br->n_ports);
		snprintf(macs, sizeof(macs), "%llu", (unsigned long long)fs.n_entries);
		snprintf(max, sizeof(max), "%u", fdb_get_max(br->fdb));
		snprintf(aging, sizeof(aging), "%us", fdb_get_aging(br->fdb));
		cmd_tab_row(&tab, (const char *const[]){ br->name, ports, macs, max, aging });
	}
	if (tab.n_rows > 1)
		cmd_tab_print(&tab, r->text);
	cmd_tab_free(&tab);
	return 0;
}

int cmd_switch_set(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	struct bridge *br = cmd_lookup_switch(d, argv[0], r);
	struct kv_list opts = { 0 };
	int rc;

	if (!br)
		return -ENOENT;
	if (!cmd_parse_opts(&opts, argc - 1, argv + 1, r))
		return -EINVAL;
	rc = bridge_set(br, &opts, r->err, sizeof(r->err));
	if (rc < 0)
		return rc;
	return 0;
}
