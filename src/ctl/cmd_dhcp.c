// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_dhcp.c - dhcp/leases, dhcp/reserve, dhcp/unreserve. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../base/util.h"
#include "../net/eth.h"
#include "../svc/inet.h"
#include "../svc/network.h"
#include "../svc/svc_port.h"
#include "cmd_table.h"
#include "vnetd.h"

/* Until cmd_table.h lists these commands (see doc/network-modes.md), declare the handlers here. */
int cmd_dhcp_leases(struct vnetd *d, int argc, char **argv, struct cmd_reply *r);
int cmd_dhcp_reserve(struct vnetd *d, int argc, char **argv, struct cmd_reply *r);
int cmd_dhcp_unreserve(struct vnetd *d, int argc, char **argv, struct cmd_reply *r);

static struct svc *cmd_dhcp_network(struct vnetd *d, const char *name, struct cmd_reply *r)
{
	struct svc *s = network_find(d->bridges, ARRAY_SIZE(d->bridges), name);

	if (!s)
		cmd_error(r, ENOENT, "no network %s", name);
	return s;
}

/* "59m12s", "3h02m", "-" */
static void cmd_dhcp_duration(json_int_t s, char *buf, size_t size)
{
	if (s <= 0)
		snprintf(buf, size, "-");
	else if (s < 3600)
		snprintf(buf, size, "%lldm%02llds", (long long)s / 60, (long long)s % 60);
	else
		snprintf(buf, size, "%lldh%02lldm", (long long)s / 3600,
			 (long long)(s % 3600) / 60);
}

int cmd_dhcp_leases(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	static const char *const head[] = { "IP", "MAC", "STATE", "EXPIRES", "HOSTNAME", "PORT" };
	struct svc *s = cmd_dhcp_network(d, argv[0], r);
	struct cmd_tab tab;
	json_t *doc, *l;
	size_t i;

	(void)argc;
	if (!s)
		return -ENOENT;
	doc = svc_leases_json(s);
	r->result = doc;
	cmd_tab_init(&tab, ARRAY_SIZE(head));
	cmd_tab_row(&tab, head);
	json_array_foreach(json_object_get(doc, "leases"), i, l)
	{
		char exp[32];

		cmd_dhcp_duration(json_integer_value(json_object_get(l, "expires_in")), exp,
				  sizeof(exp));
		cmd_tab_row(&tab, (const char *const[]){
					  json_string_value(json_object_get(l, "ip")),
					  json_string_value(json_object_get(l, "mac")),
					  json_string_value(json_object_get(l, "state")), exp,
					  json_string_value(json_object_get(l, "hostname")),
					  json_string_value(json_object_get(l, "port")) });
	}
	json_array_foreach(json_object_get(doc, "reservations"), i, l)
	{
		cmd_tab_row(&tab,
			    (const char *const[]){
				    json_string_value(json_object_get(l, "ip")),
				    json_string_value(json_object_get(l, "mac")), "reserved", "-",
				    json_string_value(json_object_get(l, "hostname")), "-" });
	}
	if (tab.n_rows > 1)
		cmd_tab_print(&tab, r->text);
	cmd_tab_free(&tab);
	return 0;
}

int cmd_dhcp_reserve(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	struct svc *s = cmd_dhcp_network(d, argv[0], r);
	struct kv_list opts = { 0 };
	const char *host = NULL, *k;
	uint8_t mac[6];
	uint32_t ip;

	if (!s)
		return -ENOENT;
	if (!eth_mac_parse(argv[1], mac))
		return cmd_error(r, EINVAL, "'%.32s' is not a MAC address (aa:bb:cc:dd:ee:ff)",
				 argv[1]);
	if (!inet_parse_addr(argv[2], &ip))
		return cmd_error(r, EINVAL, "'%.32s' is not an IPv4 address", argv[2]);
	if (!cmd_parse_opts(&opts, argc - 3, argv + 3, r))
		return -EINVAL;
	host = kv_get(&opts, "hostname");
	k = kv_first_unused(&opts);
	if (k)
		return cmd_error(r, EINVAL, "unknown option '%s' (known: hostname=)", k);
	return svc_reserve(s, mac, ip, host, r->err, sizeof(r->err));
}

int cmd_dhcp_unreserve(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	struct svc *s = cmd_dhcp_network(d, argv[0], r);
	uint8_t mac[6];

	(void)argc;
	if (!s)
		return -ENOENT;
	if (!eth_mac_parse(argv[1], mac))
		return cmd_error(r, EINVAL, "'%.32s' is not a MAC address", argv[1]);
	return svc_unreserve(s, mac, r->err, sizeof(r->err));
}
