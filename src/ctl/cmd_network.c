// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_network.c - network/add, network/del, network/list: nat, host-only and
 * private networks. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../base/util.h"
#include "../svc/inet.h"
#include "../svc/network.h"
#include "../svc/svc_port.h"
#include "../switch/bridge.h"
#include "cmd_table.h"
#include "config.h"
#include "vnetd.h"

/* Until cmd_table.h lists these commands (see doc/network-modes.md), declare the handlers here. */
int cmd_network_add(struct vnetd *d, int argc, char **argv, struct cmd_reply *r);
int cmd_network_del(struct vnetd *d, int argc, char **argv, struct cmd_reply *r);
int cmd_network_list(struct vnetd *d, int argc, char **argv, struct cmd_reply *r);

int cmd_network_add(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	struct kv_list opts = { 0 };
	const struct svc_plan *pl;
	struct bridge *br;
	struct svc *s;
	char a[5][16];
	int slot = -1;

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
	br = network_create(&d->dp, argv[0], &opts, d->state_dir, d->bridges,
			    ARRAY_SIZE(d->bridges), r->err, sizeof(r->err));
	if (!br)
		return -EINVAL;
	d->bridges[slot] = br;
	s = svc_find(br);
	pl = svc_plan(s);
	r->result = svc_status_json(s);
	fprintf(r->text,
		"network %s: %s, subnet %s/%u, gateway and DNS %s, DHCP %s-%s (server "
		"%s)\n",
		svc_net(s), svc_mode_name(svc_mode(s)), inet_format_addr(pl->net, a[0]), pl->plen,
		inet_format_addr(pl->gw, a[1]), inet_format_addr(pl->pool_first, a[2]),
		inet_format_addr(pl->pool_last, a[3]), inet_format_addr(pl->dhcp, a[4]));
	return 0;
}

int cmd_network_del(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	struct svc *s = network_find(d->bridges, ARRAY_SIZE(d->bridges), argv[0]);
	char net[SVC_NET_NAME_MAX];
	int rc;

	(void)argc;
	if (!s)
		return cmd_error(r, ENOENT, "no network %s", argv[0]);
	snprintf(net, sizeof(net), "%s", svc_net(s));
	rc = cmd_switch_del(d, 1, argv, r);
	if (rc < 0)
		return rc;
	rc = svc_forget_state(d->state_dir, net);
	if (rc < 0)
		return cmd_error(r, -rc, "network %s deleted, but its state files remain: %s", net,
				 strerror(-rc));
	return 0;
}

int cmd_network_list(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	static const char *const head[] = { "NETWORK", "MODE",	 "SUBNET", "GATEWAY",
					    "DHCP",    "LEASES", "PORTS",  "FORWARDS" };
	json_t *arr = json_array();
	struct cmd_tab tab;

	(void)argc;
	(void)argv;
	r->result = arr;
	cmd_tab_init(&tab, ARRAY_SIZE(head));
	cmd_tab_row(&tab, head);
	for (size_t i = 0; i < ARRAY_SIZE(d->bridges); i++) {
		struct svc *s = d->bridges[i] ? svc_find(d->bridges[i]) : NULL;
		const struct svc_plan *pl;
		char subnet[24], gw[16], dhcp[40], leases[16], ports[16], fwd[16], a[16];
		json_t *o;

		if (!s)
			continue;
		pl = svc_plan(s);
		o = svc_status_json(s);
		json_object_set_new(o, "n_ports", json_integer(d->bridges[i]->n_ports));
		json_array_append_new(arr, o);
		snprintf(subnet, sizeof(subnet), "%s/%u", inet_format_addr(pl->net, a), pl->plen);
		inet_format_addr(pl->gw, gw);
		if (json_is_true(json_object_get(o, "dhcp")))
			snprintf(dhcp, sizeof(dhcp), ".%u-.%u", pl->pool_first & 0xff,
				 pl->pool_last & 0xff);
		else
			snprintf(dhcp, sizeof(dhcp), "off");
		snprintf(leases, sizeof(leases), "%lld",
			 (long long)json_integer_value(json_object_get(o, "n_leases")));
		snprintf(ports, sizeof(ports), "%u", d->bridges[i]->n_ports);
		if (svc_nat(s))
			snprintf(fwd, sizeof(fwd), "%u", svc_nat(s)->n_fwd);
		else
			snprintf(fwd, sizeof(fwd), "-");
		cmd_tab_row(&tab, (const char *const[]){ svc_net(s), svc_mode_name(svc_mode(s)),
							 subnet, gw, dhcp, leases, ports, fwd });
	}
	if (tab.n_rows > 1)
		cmd_tab_print(&tab, r->text);
	cmd_tab_free(&tab);
	return 0;
}
