// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd_stats.c - stats/show and stats/clear: port counters, drops by reason, MAC table counters. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../base/drop.h"
#include "../base/util.h"
#include "../port/port.h"
#include "../switch/bridge.h"
#include "../switch/fdb.h"
#include "cmd_table.h"
#include "vnetd.h"

/* Every reason, zero or not, so scripts can index any of them. */
static json_t *cmd_stats_drops_json(const uint64_t drops[N_DROP])
{
	json_t *o = json_object();

	for (int i = 0; i < N_DROP; i++)
		json_object_set_new(o, drop_name((enum drop_reason)i),
				    json_integer((json_int_t)drops[i]));
	return o;
}

/* " runt=3 oversize=1" for the non-zero reasons; "" if none */
static void cmd_stats_drops_text(const uint64_t drops[N_DROP], char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (int i = 0; i < N_DROP; i++) {
		int n;

		if (!drops[i])
			continue;
		n = snprintf(buf + off, size - off, " %s=%llu", drop_name((enum drop_reason)i),
			     (unsigned long long)drops[i]);
		if (n < 0 || (size_t)n >= size - off)
			break;
		off += (size_t)n;
	}
}

static uint64_t cmd_stats_sum(const uint64_t drops[N_DROP])
{
	uint64_t s = 0;

	for (int i = 0; i < N_DROP; i++)
		s += drops[i];
	return s;
}

static json_t *cmd_stats_port_json(struct port *p)
{
	const struct port_stats *s = &p->stats;
	json_t *o, *info;

	o = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "name", p->name,
		      "rx_packets", (json_int_t)s->rx_packets, "tx_packets",
		      (json_int_t)s->tx_packets, "rx_bytes", (json_int_t)s->rx_bytes, "tx_bytes",
		      (json_int_t)s->tx_bytes, "rx_gso", (json_int_t)s->rx_gso, "tx_gso",
		      (json_int_t)s->tx_gso, "gso_segmented", (json_int_t)s->gso_segmented,
		      "csum_completed", (json_int_t)s->csum_completed, "drops_total",
		      (json_int_t)cmd_stats_sum(s->drops), "drops", cmd_stats_drops_json(s->drops));
	/* the type's own counters: per-queue counters and features of vhost-user, VTEP counters... */
	if (o && p->ops->info) {
		info = json_object();
		p->ops->info(p, info);
		json_object_set_new(o, "type", json_string(p->ops->type));
		json_object_set_new(o, "info", info);
	}
	return o;
}

static void cmd_stats_port_row(struct cmd_tab *tab, const struct port *p)
{
	const struct port_stats *s = &p->stats;
	char v[9][24];
	const uint64_t vals[9] = { s->rx_packets,    s->rx_bytes,	s->tx_packets,
				   s->tx_bytes,	     s->rx_gso,		s->tx_gso,
				   s->gso_segmented, s->csum_completed, cmd_stats_sum(s->drops) };

	for (int i = 0; i < 9; i++)
		snprintf(v[i], sizeof(v[i]), "%llu", (unsigned long long)vals[i]);
	cmd_tab_row(tab, (const char *const[]){ p->name, v[0], v[1], v[2], v[3], v[4], v[5], v[6],
						v[7], v[8] });
}

int cmd_stats_show(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	static const char *const head[] = { "PORT",   "RX_PKTS", "RX_BYTES", "TX_PKTS", "TX_BYTES",
					    "RX_GSO", "TX_GSO",	 "GSO_SEG",  "CSUM_SW", "DROPS" };
	struct bridge *br = cmd_lookup_switch(d, argv[0], r);
	struct port *only = NULL;
	uint64_t total[N_DROP];
	struct fdb_stats fs;
	struct cmd_tab tab;
	json_t *ports;
	char line[1024];

	if (!br)
		return -ENOENT;
	if (argc == 2) {
		only = cmd_lookup_port(br, argv[1], r);
		if (!only)
			return -ENOENT;
	}
	memcpy(total, br->drops, sizeof(total));
	ports = json_array();
	cmd_tab_init(&tab, ARRAY_SIZE(head));
	cmd_tab_row(&tab, head);
	for (struct port *p = bridge_port_next(br, NULL); p; p = bridge_port_next(br, p)) {
		for (int i = 0; i < N_DROP; i++)
			total[i] += p->stats.drops[i];
		if (only && p != only)
			continue;
		json_array_append_new(ports, cmd_stats_port_json(p));
		cmd_stats_port_row(&tab, p);
	}
	fdb_get_stats(br->fdb, &fs);
	r->result = json_pack(
		"{s:s, s:o, s:o, s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}}", "switch", br->name,
		"ports", ports, "drops", cmd_stats_drops_json(total), "fdb", "entries",
		(json_int_t)fs.n_entries, "max", (json_int_t)fdb_get_max(br->fdb), "aging",
		(json_int_t)fdb_get_aging(br->fdb), "learned", (json_int_t)fs.learned, "moves",
		(json_int_t)fs.moves, "evictions", (json_int_t)fs.evictions, "aged",
		(json_int_t)fs.aged, "full_drops", (json_int_t)fs.full_drops);
	cmd_tab_print(&tab, r->text);
	cmd_tab_free(&tab);

	fprintf(r->text, "drops by reason:\n");
	for (struct port *p = bridge_port_next(br, NULL); p; p = bridge_port_next(br, p)) {
		if (only && p != only)
			continue;
		cmd_stats_drops_text(p->stats.drops, line, sizeof(line));
		fprintf(r->text, "  %-15s%s\n", p->name, line[0] ? line : " none");
	}
	cmd_stats_drops_text(total, line, sizeof(line));
	fprintf(r->text, "  %-15s%s\n", "(switch)", line[0] ? line : " none");
	fprintf(r->text,
		"fdb: %llu entries (max %u, aging %us), learned %llu, moves %llu, evictions %llu, "
		"aged %llu, full_drops %llu\n",
		(unsigned long long)fs.n_entries, fdb_get_max(br->fdb), fdb_get_aging(br->fdb),
		(unsigned long long)fs.learned, (unsigned long long)fs.moves,
		(unsigned long long)fs.evictions, (unsigned long long)fs.aged,
		(unsigned long long)fs.full_drops);
	return 0;
}

int cmd_stats_clear(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	struct bridge *br = cmd_lookup_switch(d, argv[0], r);
	struct port *only = NULL;

	if (!br)
		return -ENOENT;
	if (argc == 2) {
		only = cmd_lookup_port(br, argv[1], r);
		if (!only)
			return -ENOENT;
	}
	for (struct port *p = bridge_port_next(br, NULL); p; p = bridge_port_next(br, p)) {
		if (!only || p == only)
			memset(&p->stats, 0, sizeof(p->stats));
	}
	if (!only)
		memset(br->drops, 0, sizeof(br->drops));
	return 0;
}
