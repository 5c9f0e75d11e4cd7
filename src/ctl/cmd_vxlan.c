// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * cmd_vxlan.c - vxlan/map, vxlan/unmap, vxlan/remote-add, vxlan/remote-del
 * and vxlan/show: the VLAN <-> VNI map and the remote VTEPs of a switch's
 * vxlan port. The port keeps them in its options (see vxlan.c), so the state
 * file saved after each of these commands holds them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/util.h"
#include "../net/eth.h"
#include "../port/vxlan.h"
#include "../switch/bridge.h"
#include "cmd_table.h"
#include "vnetd.h"

/*
 * The switch's vxlan port: the one named by port=, or the only one. Parses
 * the key=value arguments after SWITCH into @opts.
 */
static struct port *cmd_vxlan_port(struct vnetd *d, int argc, char **argv, struct kv_list *opts,
				   struct cmd_reply *r)
{
	struct bridge *br = cmd_lookup_switch(d, argv[0], r);
	struct port *found = NULL;
	const char *name;
	unsigned n = 0;

	if (!br || !cmd_parse_opts(opts, argc - 1, argv + 1, r))
		return NULL;
	name = kv_get(opts, "port");
	if (name) {
		struct port *p = cmd_lookup_port(br, name, r);

		if (p && !vxlan_is(p)) {
			cmd_error(r, EINVAL, "port %s is a %s port, not a vxlan port", name,
				  p->ops->type);
			return NULL;
		}
		return p;
	}
	for (struct port *p = bridge_port_next(br, NULL); p; p = bridge_port_next(br, p)) {
		if (vxlan_is(p)) {
			found = found ? found : p;
			n++;
		}
	}
	if (!n)
		cmd_error(r, ENOENT,
			  "switch %s has no vxlan port (add one: port/add %s vx0 type=vxlan "
			  "local=IP)",
			  br->name, br->name);
	else if (n > 1)
		cmd_error(r, EINVAL, "switch %s has %u vxlan ports: name one with port=NAME",
			  br->name, n);
	return n == 1 ? found : NULL;
}

/* A numeric argument @key in [0, @max]; @required or absent (then *@present is false). */
static bool cmd_vxlan_num(struct kv_list *opts, const char *key, uint64_t max, bool required,
			  uint64_t *out, bool *present, struct cmd_reply *r)
{
	const char *v = kv_get(opts, key);

	*present = v != NULL;
	if (!v) {
		if (required)
			cmd_error(r, EINVAL, "%s= is required", key);
		return !required;
	}
	if (!cmd_parse_u64(v, 0, max, false, out)) {
		cmd_error(r, EINVAL, "%s=%.32s: expected 0..%llu", key, v, (unsigned long long)max);
		return false;
	}
	return true;
}

static bool cmd_vxlan_no_extra(const struct kv_list *opts, struct cmd_reply *r)
{
	const char *k = kv_first_unused(opts);

	if (k) {
		cmd_error(r, EINVAL, "unknown argument '%s'", k);
		return false;
	}
	return true;
}

int cmd_vxlan_map(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	struct kv_list opts = { 0 };
	struct port *p = cmd_vxlan_port(d, argc, argv, &opts, r);
	uint64_t vlan = 0, vni = 0;
	bool has_vlan, has_vni;

	if (!p)
		return -EINVAL;
	if (!cmd_vxlan_num(&opts, "vlan", VLAN_N_VID - 2, true, &vlan, &has_vlan, r) ||
	    !cmd_vxlan_num(&opts, "vni", VXLAN_VNI_MAX, true, &vni, &has_vni, r) ||
	    !cmd_vxlan_no_extra(&opts, r))
		return -EINVAL;
	return vxlan_map(p, (uint16_t)vlan, (uint32_t)vni, r->err, sizeof(r->err));
}

int cmd_vxlan_unmap(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	struct kv_list opts = { 0 };
	struct port *p = cmd_vxlan_port(d, argc, argv, &opts, r);
	uint64_t vlan = 0, vni = 0;
	bool has_vlan, has_vni;

	if (!p)
		return -EINVAL;
	if (!cmd_vxlan_num(&opts, "vlan", VLAN_N_VID - 2, false, &vlan, &has_vlan, r) ||
	    !cmd_vxlan_num(&opts, "vni", VXLAN_VNI_MAX, false, &vni, &has_vni, r) ||
	    !cmd_vxlan_no_extra(&opts, r))
		return -EINVAL;
	if (has_vlan == has_vni)
		return cmd_error(r, EINVAL, "give either vlan=N or vni=N");
	return vxlan_unmap(p, has_vni, (uint32_t)(has_vni ? vni : vlan), r->err, sizeof(r->err));
}

/* vni=, remote= and the optional mac= of remote-add and remote-del, into @opts */
static struct port *cmd_vxlan_remote_args(struct vnetd *d, int argc, char **argv,
					  struct kv_list *opts, uint32_t *vni, const char **remote,
					  uint8_t *mac, bool *has_mac, struct cmd_reply *r)
{
	struct port *p = cmd_vxlan_port(d, argc, argv, opts, r);
	const char *m;
	uint64_t v = 0;
	bool has_vni;

	if (!p || !cmd_vxlan_num(opts, "vni", VXLAN_VNI_MAX, true, &v, &has_vni, r))
		return NULL;
	*vni = (uint32_t)v;
	*remote = kv_get(opts, "remote");
	if (!*remote) {
		cmd_error(r, EINVAL, "remote=IP is required");
		return NULL;
	}
	m = kv_get(opts, "mac");
	*has_mac = m != NULL;
	if (m && !eth_mac_parse(m, mac)) {
		cmd_error(r, EINVAL, "mac=%.32s: not a MAC address", m);
		return NULL;
	}
	if (!cmd_vxlan_no_extra(opts, r))
		return NULL;
	return p;
}

int cmd_vxlan_remote_add(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	struct kv_list opts = { 0 };
	uint8_t mac[ETH_ALEN];
	const char *remote;
	uint32_t vni;
	bool has_mac;
	struct port *p =
		cmd_vxlan_remote_args(d, argc, argv, &opts, &vni, &remote, mac, &has_mac, r);

	if (!p)
		return -EINVAL;
	return vxlan_remote_add(p, vni, remote, has_mac ? mac : NULL, r->err, sizeof(r->err));
}

int cmd_vxlan_remote_del(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	struct kv_list opts = { 0 };
	uint8_t mac[ETH_ALEN];
	const char *remote;
	uint32_t vni;
	bool has_mac;
	struct port *p =
		cmd_vxlan_remote_args(d, argc, argv, &opts, &vni, &remote, mac, &has_mac, r);

	if (!p)
		return -EINVAL;
	return vxlan_remote_del(p, vni, remote, has_mac ? mac : NULL, r->err, sizeof(r->err));
}

/* The strings of a JSON array joined by spaces ("-" when empty). */
static void cmd_vxlan_join(json_t *arr, char *buf, size_t size)
{
	size_t off = 0, i;
	json_t *v;

	buf[0] = '\0';
	json_array_foreach(arr, i, v)
	{
		int n = snprintf(buf + off, size - off, "%s%s", off ? " " : "",
				 json_string_value(v) ? json_string_value(v) : "?");

		if (n < 0 || (size_t)n >= size - off) {
			snprintf(buf + size - 4, 4, "...");
			return;
		}
		off += (size_t)n;
	}
	if (!off)
		snprintf(buf, size, "-");
}

static void cmd_vxlan_text(json_t *o, FILE *f)
{
	static const char *const vni_head[] = { "VNI", "VLAN", "REMOTE VTEPS" };
	static const char *const vtep_head[] = {
		"VTEP",	    "FLOOD_VNIS", "MACS",     "RX_PACKETS",
		"RX_BYTES", "TX_PACKETS", "TX_BYTES", "LAST_RX_S"
	};
	static const char *const mac_head[] = { "VNI", "VLAN", "MAC", "VTEP", "AGE" };
	struct cmd_tab tab;
	const char *key;
	json_t *e, *v;
	size_t i;

	fprintf(f, "port %s: local %s dstport %lld, restrict %s, inner MTU %lld (underlay %lld)\n",
		json_string_value(json_object_get(o, "port")),
		json_string_value(json_object_get(o, "local")),
		json_integer_value(json_object_get(o, "dstport")),
		json_is_true(json_object_get(o, "restrict")) ? "on" : "off",
		json_integer_value(json_object_get(o, "inner_mtu")),
		json_integer_value(json_object_get(o, "underlay_mtu")));

	cmd_tab_init(&tab, ARRAY_SIZE(vni_head));
	cmd_tab_row(&tab, vni_head);
	json_array_foreach(json_object_get(o, "vnis"), i, e)
	{
		char vni[16], vlan[24], rem[1024];
		json_t *jv = json_object_get(e, "vlan");

		snprintf(vni, sizeof(vni), "%lld", json_integer_value(json_object_get(e, "vni")));
		if (json_is_null(jv))
			snprintf(vlan, sizeof(vlan), "(not mapped)");
		else if (json_is_true(json_object_get(e, "untagged")))
			snprintf(vlan, sizeof(vlan), "untagged");
		else
			snprintf(vlan, sizeof(vlan), "%lld", json_integer_value(jv));
		cmd_vxlan_join(json_object_get(e, "remotes"), rem, sizeof(rem));
		cmd_tab_row(&tab, (const char *const[]){ vni, vlan, rem });
	}
	cmd_tab_print(&tab, f);
	cmd_tab_free(&tab);

	fprintf(f, "\n");
	cmd_tab_init(&tab, ARRAY_SIZE(vtep_head));
	cmd_tab_row(&tab, vtep_head);
	json_array_foreach(json_object_get(o, "vteps"), i, e)
	{
		char c[7][24];
		static const char *const keys[] = { "flood_lists", "macs",	 "rx_packets",
						    "rx_bytes",	   "tx_packets", "tx_bytes",
						    "last_rx_s" };

		for (unsigned k = 0; k < ARRAY_SIZE(keys); k++)
			snprintf(c[k], sizeof(c[k]), "%lld",
				 json_integer_value(json_object_get(e, keys[k])));
		if (json_integer_value(json_object_get(e, "last_rx_s")) < 0)
			snprintf(c[6], sizeof(c[6]), "never");
		cmd_tab_row(&tab,
			    (const char *const[]){ json_string_value(json_object_get(e, "address")),
						   c[0], c[1], c[2], c[3], c[4], c[5], c[6] });
	}
	cmd_tab_print(&tab, f);
	cmd_tab_free(&tab);

	fprintf(f, "\n");
	cmd_tab_init(&tab, ARRAY_SIZE(mac_head));
	cmd_tab_row(&tab, mac_head);
	json_array_foreach(json_object_get(o, "macs"), i, e)
	{
		char vni[16], vlan[16], age[16];

		snprintf(vni, sizeof(vni), "%lld", json_integer_value(json_object_get(e, "vni")));
		snprintf(vlan, sizeof(vlan), "%lld",
			 json_integer_value(json_object_get(e, "vlan")));
		if (json_is_true(json_object_get(e, "static")))
			snprintf(age, sizeof(age), "static");
		else
			snprintf(age, sizeof(age), "%lld",
				 json_integer_value(json_object_get(e, "age")));
		cmd_tab_row(&tab, (const char *const[]){
					  vni, vlan, json_string_value(json_object_get(e, "mac")),
					  json_string_value(json_object_get(e, "vtep")), age });
	}
	cmd_tab_print(&tab, f);
	cmd_tab_free(&tab);

	fprintf(f, "\ncounters:");
	i = 0;
	json_object_foreach(json_object_get(o, "counters"), key, v)
	{
		fprintf(f, "%s%s=%lld", i++ % 4 ? " " : "\n  ", key, json_integer_value(v));
	}
	fprintf(f, "\n");
}

int cmd_vxlan_show(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	struct kv_list opts = { 0 };
	struct port *p = cmd_vxlan_port(d, argc, argv, &opts, r);

	if (!p)
		return -EINVAL;
	if (!cmd_vxlan_no_extra(&opts, r))
		return -EINVAL;
	r->result = vxlan_show(p);
	cmd_vxlan_text(r->result, r->text);
	return 0;
}
