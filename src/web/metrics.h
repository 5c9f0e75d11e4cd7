/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * metrics.h - the daemon's counters in the Prometheus text exposition format.
 *
 * Theory of operation
 * -------------------
 * The metrics are derived from the very JSON the control commands return
 * (switch/list, stats/show, port/list, network/list, dhcp/leases, nat/show),
 * run through the same command dispatch as the control socket, so a scrape
 * can never disagree with what `vnetctl` shows. Names follow the Prometheus
 * conventions: vnet_ prefix, base units, counters end in _total, one family
 * per meaning with labels for the switch, port, reason, state...
 *
 * The exposition format wants every sample of a family together after one
 * HELP and one TYPE line, while the data arrives switch by switch, so
 * samples are collected per family (struct metrics) and printed family by
 * family at the end, in the order the families first appeared.
 */
#ifndef VNET_METRICS_H
#define VNET_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define METRICS_NAME_MAX 128 /* bytes in a metric name, including NUL */
#define METRICS_FAMILIES_MAX 512 /* distinct metric families in one exposition */
#define METRICS_HASH_SLOTS 1024 /* family index by name (power of 2, > 1.5 x families) */

struct vnetd;

/**
 * struct metrics_family - the samples of one metric name
 * @name: the metric name
 * @help: the HELP text
 * @type: "counter" or "gauge"
 * @f:    memstream of the sample lines
 * @buf/@size: what @f wrote
 */
struct metrics_family {
	char name[METRICS_NAME_MAX];
	char *help;
	const char *type;
	FILE *f;
	char *buf;
	size_t size;
};

/**
 * struct metrics - an exposition being built
 * @fam:  the families, in order of first appearance
 * @n:    how many
 * @slot: open-addressing index of @fam by name: family number + 1, 0 = empty
 * @oom:  an allocation failed; metrics_finish() reports -ENOMEM
 */
struct metrics {
	struct metrics_family fam[METRICS_FAMILIES_MAX];
	unsigned n;
	unsigned short slot[METRICS_HASH_SLOTS];
	bool oom;
};

/** metrics_init() - start an empty exposition */
void metrics_init(struct metrics *m);

/**
 * metrics_sample() - add one sample
 * @name:   metric name; characters outside [A-Za-z0-9_:] become '_'
 * @type:   "counter" or "gauge" (the first sample of a family decides)
 * @help:   HELP text (the first sample of a family decides)
 * @labels: label names and values, alternating, NULL-terminated (values escaped here)
 * @value:  the value
 */
void metrics_sample(struct metrics *m, const char *name, const char *type, const char *help,
		    const char *const *labels, long long value);

/**
 * metrics_finish() - print every family, then free everything
 * Return: 0 with *@text (free() it) and *@size, or -ENOMEM.
 */
int metrics_finish(struct metrics *m, char **text, size_t *size);

/** metrics_escape() - write @s as a label value: \ " and newline escaped */
void metrics_escape(FILE *f, const char *s);

/**
 * metrics_render() - the whole exposition for @d, from the control commands' results
 * Return: 0 with *@text (free() it) and *@size, or -errno.
 */
int metrics_render(struct vnetd *d, char **text, size_t *size);

#endif /* VNET_METRICS_H */
