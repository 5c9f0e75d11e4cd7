// SPDX-License-Identifier: GPL-2.0-or-later
/* metrics.c - Prometheus text exposition derived from the control commands' JSON (see metrics.h). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "../base/util.h"
#include "../ctl/cmd_table.h"
#include "../ctl/vnetd.h"
#include "metrics.h"

#define METRICS_COUNTER "counter"
#define METRICS_GAUGE "gauge"

void metrics_init(struct metrics *m)
{
	memset(m, 0, sizeof(*m));
}

/* [A-Za-z_:][A-Za-z0-9_:]*, whatever @src holds */
static void metrics_name(char *dst, size_t size, const char *src)
{
	size_t i;

	for (i = 0; src[i] && i + 1 < size; i++) {
		char c = src[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
			  c == ':' || (i && c >= '0' && c <= '9');

		dst[i] = ok ? c : '_';
	}
	dst[i] = '\0';
}

static struct metrics_family *metrics_family(struct metrics *m, const char *name, const char *type,
					     const char *help)
{
	struct metrics_family *fm;
	uint32_t h = 2166136261u; /* FNV-1a */
	unsigned i;

	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	for (i = h & (METRICS_HASH_SLOTS - 1); m->slot[i]; i = (i + 1) & (METRICS_HASH_SLOTS - 1)) {
		fm = &m->fam[m->slot[i] - 1];
		if (!strcmp(fm->name, name))
			return fm;
	}
	if (m->n == METRICS_FAMILIES_MAX) {
		m->oom = true;
		return NULL;
	}
	fm = &m->fam[m->n];
	snprintf(fm->name, sizeof(fm->name), "%s", name);
	fm->type = type;
	fm->help = strdup(help);
	fm->f = open_memstream(&fm->buf, &fm->size);
	if (!fm->help || !fm->f) {
		free(fm->help);
		if (fm->f)
			fclose(fm->f);
		free(fm->buf);
		memset(fm, 0, sizeof(*fm));
		m->oom = true;
		return NULL;
	}
	m->slot[i] = (unsigned short)++m->n;
	return fm;
}

void metrics_escape(FILE *f, const char *s)
{
	while (*s) {
		size_t n = strcspn(s, "\\\"\n");

		fwrite_unlocked(s, 1, n, f);
		s += n;
		if (!*s)
			break;
		fputs_unlocked(*s == '\n' ? "\\n" : *s == '"' ? "\\\"" : "\\\\", f);
		s++;
	}
}

void metrics_sample(struct metrics *m, const char *name, const char *type, const char *help,
		    const char *const *labels, long long value)
{
	char nm[METRICS_NAME_MAX], num[32];
	struct metrics_family *fm;
	int n;

	metrics_name(nm, sizeof(nm), name);
	fm = metrics_family(m, nm, type, help);
	if (!fm)
		return;
	/* unlocked stdio: one exposition is built by one thread, and scrapes of a few
	 * thousand samples run in the datapath's thread, so they must be cheap */
	fputs_unlocked(nm, fm->f);
	if (labels && labels[0]) {
		char ln[METRICS_NAME_MAX];

		fputc_unlocked('{', fm->f);
		for (unsigned i = 0; labels[i] && labels[i + 1]; i += 2) {
			metrics_name(ln, sizeof(ln), labels[i]);
			if (i)
				fputc_unlocked(',', fm->f);
			fputs_unlocked(ln, fm->f);
			fputs_unlocked("=\"", fm->f);
			metrics_escape(fm->f, labels[i + 1]);
			fputc_unlocked('"', fm->f);
		}
		fputc_unlocked('}', fm->f);
	}
	n = snprintf(num, sizeof(num), " %lld\n", value);
	fwrite_unlocked(num, 1, (size_t)n, fm->f);
}

int metrics_finish(struct metrics *m, char **text, size_t *size)
{
	FILE *out = open_memstream(text, size);
	int rc = 0;

	for (unsigned i = 0; i < m->n; i++) {
		struct metrics_family *fm = &m->fam[i];

		if (fclose(fm->f))
			m->oom = true;
		if (out && fm->buf) {
			fprintf(out, "# HELP %s ", fm->name);
			for (const char *h = fm->help; *h; h++) {
				if (*h == '\\')
					fputs("\\\\", out);
				else if (*h == '\n')
					fputs("\\n", out);
				else
					fputc(*h, out);
			}
			fprintf(out, "\n# TYPE %s %s\n", fm->name, fm->type);
			fwrite(fm->buf, 1, fm->size, out);
		}
		free(fm->buf);
		free(fm->help);
	}
	m->n = 0;
	if (!out)
		return -ENOMEM;
	if (fclose(out) || m->oom) {
		free(*text);
		*text = NULL;
		rc = -ENOMEM;
	}
	return rc;
}

/* ---- collection: the commands' results, into families ---- */

/* The JSON result of one command run through the control dispatch, or NULL. */
static json_t *metrics_cmd(struct vnetd *d, const char *name, const char *arg)
{
	const struct cmd_def *c = cmd_find(name);
	struct cmd_reply r = { 0 };
	char *text = NULL, *argv[2] = { (char *)arg, NULL };
	size_t text_size = 0;

	if (!c)
		return NULL;
	r.text = open_memstream(&text, &text_size);
	if (!r.text)
		return NULL;
	if (cmd_run(d, c, arg ? 1 : 0, argv, &r) < 0) {
		json_decref(r.result);
		r.result = NULL;
	}
	fclose(r.text);
	free(text);
	return r.result;
}

static long long metrics_int(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		return (long long)json_integer_value(v);
	if (json_is_boolean(v))
		return json_is_true(v);
	return 0;
}

static const char *metrics_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/*
 * One sample per integer member of @obj, as PREFIX<key>SUFFIX: the typed
 * counter sets (vhost-user, VXLAN, DHCP, DNS...) whose names come from
 * X-macro tables in the modules that own them.
 */
static void metrics_each_int(struct metrics *m, const json_t *obj, const char *prefix,
			     const char *suffix, const char *type, const char *what,
			     const char *const *labels)
{
	const char *key;
	json_t *v;

	/* counter names a linter would read as holding a unit ("us": microseconds) */
	static const char *const renames[][2] = { { "not_for_us", "not_for_this_server" } };

	json_object_foreach((json_t *)obj, key, v)
	{
		char name[METRICS_NAME_MAX], help[256];
		const char *nm = key;

		if (!json_is_integer(v))
			continue;
		for (size_t i = 0; i < ARRAY_SIZE(renames); i++) {
			if (!strcmp(key, renames[i][0]))
				nm = renames[i][1];
		}
		snprintf(name, sizeof(name), "%s%s%s", prefix, nm, suffix);
		snprintf(help, sizeof(help), "%s counter %s.", what, key);
		metrics_sample(m, name, type, help, labels, (long long)json_integer_value(v));
	}
}

static void metrics_switch(struct metrics *m, const json_t *sw, const json_t *stats)
{
	const char *name = metrics_str(sw, "name");
	const char *const l[] = { "switch", name, NULL };
	const json_t *fdb = json_object_get(stats, "fdb"), *ports = json_object_get(stats, "ports");
	const json_t *drops = json_object_get(stats, "drops"), *p, *v;
	const char *reason;
	size_t i;

	metrics_sample(m, "vnet_switch_ports", METRICS_GAUGE, "Ports on the switch (switch/list).",
		       l, metrics_int(sw, "n_ports"));
	metrics_sample(m, "vnet_fdb_entries", METRICS_GAUGE, "MAC table entries now.", l,
		       metrics_int(fdb, "entries"));
	metrics_sample(m, "vnet_fdb_max_entries", METRICS_GAUGE, "MAC table size limit.", l,
		       metrics_int(fdb, "max"));
	metrics_sample(m, "vnet_fdb_aging_seconds", METRICS_GAUGE, "MAC entry aging time.", l,
		       metrics_int(fdb, "aging"));
	metrics_sample(m, "vnet_fdb_learned_total", METRICS_COUNTER, "MAC addresses learned.", l,
		       metrics_int(fdb, "learned"));
	metrics_sample(m, "vnet_fdb_moves_total", METRICS_COUNTER,
		       "MAC addresses that moved to another port.", l, metrics_int(fdb, "moves"));
	metrics_sample(m, "vnet_fdb_evictions_total", METRICS_COUNTER,
		       "MAC entries evicted to make room (fair per-port eviction).", l,
		       metrics_int(fdb, "evictions"));
	metrics_sample(m, "vnet_fdb_aged_total", METRICS_COUNTER, "MAC entries aged out.", l,
		       metrics_int(fdb, "aged"));
	metrics_sample(m, "vnet_fdb_full_drops_total", METRICS_COUNTER,
		       "Source MACs not learned because the table was full.", l,
		       metrics_int(fdb, "full_drops"));
	/* stats/show's switch drops include the ports'; here only the rest, so sums add up. */
	json_object_foreach((json_t *)drops, reason, v)
	{
		long long n = json_integer_value(v);
		const char *const lr[] = { "switch", name, "reason", reason, NULL };

		json_array_foreach(ports, i, p) n -=
			metrics_int(json_object_get(p, "drops"), reason);
		metrics_sample(m, "vnet_switch_drops_total", METRICS_COUNTER,
			       "Frames dropped by the switch and not counted on a port, by reason.",
			       lr, n);
	}
}

static void metrics_vhost_user(struct metrics *m, const char *sw, const char *port,
			       const json_t *info)
{
	const char *const l[] = { "switch", sw, "port", port, NULL };
	const char *hex = metrics_str(info, "negotiated_features");
	const json_t *v, *q;
	size_t i;

	metrics_sample(m, "vnet_vhost_user_connected", METRICS_GAUGE,
		       "1 if the vhost-user socket is connected.", l,
		       metrics_int(info, "connected"));
	metrics_sample(m, "vnet_vhost_user_negotiated_features", METRICS_GAUGE,
		       "Virtio feature bits negotiated with the guest (a bit mask).", l,
		       (long long)strtoull(hex, NULL, 16));
	json_array_foreach(json_object_get(info, "features"), i, v)
	{
		const char *const lf[] = {
			"switch", sw,	     "port",
			port,	  "feature", json_string_value(v) ? json_string_value(v) : "?",
			NULL
		};

		metrics_sample(m, "vnet_vhost_user_feature", METRICS_GAUGE,
			       "1 for each virtio feature negotiated with the guest.", lf, 1);
	}
	metrics_sample(m, "vnet_vhost_user_queues", METRICS_GAUGE,
		       "Queue pairs configured on the port.", l, metrics_int(info, "queues"));
	metrics_sample(m, "vnet_vhost_user_queues_running", METRICS_GAUGE,
		       "Queue pairs the guest has started and enabled.", l,
		       metrics_int(info, "queues_running"));
	metrics_sample(m, "vnet_vhost_user_violations_total", METRICS_COUNTER,
		       "Protocol or ring violations by the guest.", l,
		       metrics_int(info, "violations"));
	metrics_each_int(m, json_object_get(info, "counters"), "vnet_vhost_user_", "_total",
			 METRICS_COUNTER, "vhost-user (port/list info.counters)", l);
	json_array_foreach(json_object_get(info, "vrings"), i, q)
	{
		char idx[16];
		const char *key;
		const char *const lq[] = { "switch", sw,  "port", port,
					   "vring",  idx, "dir",  metrics_str(q, "dir"),
					   NULL };

		snprintf(idx, sizeof(idx), "%lld", metrics_int(q, "index"));
		json_object_foreach((json_t *)q, key, v)
		{
			char name[METRICS_NAME_MAX], help[128];

			if (!json_is_integer(v) || !strcmp(key, "index") || !strcmp(key, "size"))
				continue;
			snprintf(name, sizeof(name), "vnet_vhost_user_vring_%s_total", key);
			snprintf(help, sizeof(help), "vhost-user virtqueue counter %s.", key);
			metrics_sample(m, name, METRICS_COUNTER, help, lq,
				       (long long)json_integer_value(v));
		}
	}
}

static void metrics_port(struct metrics *m, const char *sw, const json_t *st, const json_t *pl)
{
	static const char *const counters[][2] = {
		{ "rx_packets", "Frames received from the port's peer and accepted." },
		{ "rx_bytes", "Bytes received from the port's peer and accepted." },
		{ "tx_packets", "Frames sent to the port's peer." },
		{ "tx_bytes", "Bytes sent to the port's peer." },
		{ "rx_gso", "TSO/GSO super-frames received (each counted once)." },
		{ "tx_gso", "TSO/GSO super-frames sent (each counted once)." },
		{ "gso_segmented", "Super-frames segmented in software for this port." },
		{ "csum_completed", "Checksums completed in software for this port." },
	};
	const char *port = metrics_str(st, "name"), *type = metrics_str(st, "type");
	const char *const l[] = { "switch", sw, "port", port, NULL };
	const char *const li[] = { "switch", sw,   "port",	port,
				   "type",   type, "vlan_mode", metrics_str(pl, "vlan_mode"),
				   NULL };
	const json_t *info = json_object_get(st, "info"), *v;
	const char *reason;

	metrics_sample(m, "vnet_port_info", METRICS_GAUGE,
		       "1 for each port, with its type and VLAN mode.", li, 1);
	metrics_sample(m, "vnet_port_up", METRICS_GAUGE, "1 if the port is up.", l,
		       !strcmp(metrics_str(pl, "state"), "up"));
	for (size_t i = 0; i < ARRAY_SIZE(counters); i++) {
		char name[METRICS_NAME_MAX];

		snprintf(name, sizeof(name), "vnet_port_%s_total", counters[i][0]);
		metrics_sample(m, name, METRICS_COUNTER, counters[i][1], l,
			       metrics_int(st, counters[i][0]));
	}
	json_object_foreach(json_object_get(st, "drops"), reason, v)
	{
		const char *const lr[] = { "switch", sw, "port", port, "reason", reason, NULL };

		metrics_sample(m, "vnet_port_drops_total", METRICS_COUNTER,
			       "Frames dropped on the port, by reason (stats/show drops).", lr,
			       (long long)json_integer_value(v));
	}
	if (!strcmp(type, "vhost-user")) {
		metrics_vhost_user(m, sw, port, info);
	} else if (!strcmp(type, "vxlan")) {
		metrics_sample(m, "vnet_vxlan_vteps", METRICS_GAUGE, "Remote VTEPs known.", l,
			       metrics_int(info, "vteps"));
		metrics_sample(m, "vnet_vxlan_remote_macs", METRICS_GAUGE,
			       "MAC addresses learned behind remote VTEPs.", l,
			       metrics_int(info, "remote_macs"));
		metrics_each_int(m, json_object_get(info, "vxlan"), "vnet_vxlan_", "_total",
				 METRICS_COUNTER, "VXLAN (stats/show info.vxlan)", l);
	} else if (!strcmp(type, "tap") || !strcmp(type, "internal")) {
		metrics_sample(m, "vnet_tap_rx_errors_total", METRICS_COUNTER,
			       "Read errors on the tap device.", l, metrics_int(info, "rx_errors"));
		metrics_sample(m, "vnet_tap_tx_errors_total", METRICS_COUNTER,
			       "Write errors on the tap device.", l,
			       metrics_int(info, "tx_errors"));
	}
}

static void metrics_switches(struct metrics *m, struct vnetd *d)
{
	json_t *list = metrics_cmd(d, "switch/list", NULL), *sw;
	size_t i;

	json_array_foreach(list, i, sw)
	{
		const char *name = metrics_str(sw, "name");
		json_t *stats = metrics_cmd(d, "stats/show", name);
		json_t *ports = metrics_cmd(d, "port/list", name), *st, *pl;
		size_t j, k;

		metrics_switch(m, sw, stats);
		json_array_foreach(json_object_get(stats, "ports"), j, st)
		{
			const json_t *match = NULL;

			json_array_foreach(ports, k, pl)
			{
				if (!strcmp(metrics_str(pl, "name"), metrics_str(st, "name"))) {
					match = pl;
					break;
				}
			}
			metrics_port(m, name, st, match);
		}
		json_decref(stats);
		json_decref(ports);
	}
	json_decref(list);
}

static void metrics_network(struct metrics *m, struct vnetd *d, const json_t *net)
{
	const char *name = metrics_str(net, "name"), *mode = metrics_str(net, "mode");
	const char *const l[] = { "network", name, NULL };
	const json_t *counters = json_object_get(net, "counters"), *v;
	const char *const states[] = { "bound", "offered", "expired" };
	long long n_state[ARRAY_SIZE(states)] = { 0 };
	json_t *leases, *nat;
	char subnet[64];
	size_t i;

	snprintf(subnet, sizeof(subnet), "%s/%lld", metrics_str(net, "subnet"),
		 metrics_int(net, "prefix"));
	{
		const char *const li[] = { "network", name,   "mode",	mode,
					   "subnet",  subnet, "switch", metrics_str(net, "switch"),
					   NULL };

		metrics_sample(m, "vnet_network_info", METRICS_GAUGE,
			       "1 for each network, with its mode and subnet.", li, 1);
	}
	leases = metrics_cmd(d, "dhcp/leases", name);
	json_array_foreach(json_object_get(leases, "leases"), i, v)
	{
		for (size_t s = 0; s < ARRAY_SIZE(states); s++)
			n_state[s] += !strcmp(metrics_str(v, "state"), states[s]);
	}
	for (size_t s = 0; s < ARRAY_SIZE(states); s++) {
		const char *const ls[] = { "network", name, "state", states[s], NULL };

		metrics_sample(m, "vnet_dhcp_leases", METRICS_GAUGE,
			       "DHCP leases by state (dhcp/leases).", ls, n_state[s]);
	}
	metrics_sample(m, "vnet_dhcp_reservations", METRICS_GAUGE, "DHCP reservations.", l,
		       (long long)json_array_size(json_object_get(leases, "reservations")));
	json_decref(leases);
	metrics_each_int(m, counters, "vnet_network_", "_total", METRICS_COUNTER,
			 "Network services (network/list counters)", l);
	metrics_each_int(m, json_object_get(counters, "dhcp"), "vnet_dhcp_", "_total",
			 METRICS_COUNTER, "DHCP server (network/list counters.dhcp)", l);
	metrics_each_int(m, json_object_get(counters, "dns"), "vnet_dns_", "_total",
			 METRICS_COUNTER, "DNS server (network/list counters.dns)", l);
	if (strcmp(mode, "nat"))
		return;
	nat = metrics_cmd(d, "nat/show", name);
	if (!nat)
		return;
	{
		static const char *const protos[] = { "tcp", "udp" };
		long long n_proto[ARRAY_SIZE(protos)] = { 0 }, n_active = 0;
		const json_t *fwds = json_object_get(nat, "forwards");

		json_array_foreach(json_object_get(nat, "flows"), i, v)
		{
			for (size_t p = 0; p < ARRAY_SIZE(protos); p++)
				n_proto[p] += !strcmp(metrics_str(v, "proto"), protos[p]);
		}
		for (size_t p = 0; p < ARRAY_SIZE(protos); p++) {
			const char *const lp[] = { "network", name, "proto", protos[p], NULL };

			metrics_sample(m, "vnet_nat_flows", METRICS_GAUGE,
				       "NAT flows open now, by protocol (nat/show flows).", lp,
				       n_proto[p]);
		}
		json_array_foreach(fwds, i, v) n_active +=
			json_is_true(json_object_get(v, "active"));
		metrics_sample(m, "vnet_nat_forwards", METRICS_GAUGE,
			       "Port forwards configured (nat/forward-list).", l,
			       (long long)json_array_size(fwds));
		metrics_sample(m, "vnet_nat_forwards_active", METRICS_GAUGE,
			       "Port forwards whose host socket is listening.", l, n_active);
		metrics_sample(m, "vnet_nat_frames_in_total", METRICS_COUNTER,
			       "Frames handed to the NAT engine.", l,
			       metrics_int(nat, "frames_in"));
	}
	json_decref(nat);
}

int metrics_render(struct vnetd *d, char **text, size_t *size)
{
	struct metrics *m = malloc(sizeof(*m));
	json_t *ver, *nets, *net;
	size_t i;
	int rc;

	if (!m)
		return -ENOMEM;
	metrics_init(m);
	ver = metrics_cmd(d, "version", NULL);
	{
		const char *const l[] = { "version", metrics_str(ver, "version"), NULL };

		metrics_sample(m, "vnet_build_info", METRICS_GAUGE,
			       "1, with the version of vnetd as a label.", l, 1);
	}
	json_decref(ver);
	metrics_switches(m, d);
	nets = metrics_cmd(d, "network/list", NULL);
	json_array_foreach(nets, i, net) metrics_network(m, d, net);
	json_decref(nets);
	rc = metrics_finish(m, text, size);
	free(m);
	return rc;
}
