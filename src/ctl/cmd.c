// SPDX-License-Identifier: GPL-2.0-or-later
/* cmd.c - the command registry: lookup, argument checks, help, and helpers for handlers. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../base/kv.h"
#include "../base/util.h"
#include "../port/port.h"
#include "../switch/bridge.h"
#include "cmd_table.h"
#include "config.h"
#include "vnetd.h"

static const struct cmd_def cmd_defs[] = {
#define CMD_DEF_(id, name, usage, help, min, max, mutates) \
	{ name, usage, help, min, max, mutates, cmd_##id },
	CMD_TABLE(CMD_DEF_)
#undef CMD_DEF_
};

const struct cmd_def *cmd_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(cmd_defs); i++) {
		if (!strcmp(cmd_defs[i].name, name))
			return &cmd_defs[i];
	}
	return NULL;
}

const struct cmd_def *cmd_all(unsigned *n)
{
	*n = ARRAY_SIZE(cmd_defs);
	return cmd_defs;
}

bool cmd_usage_ok(const struct cmd_def *c, int argc)
{
	return argc >= c->min_args && (c->max_args < 0 || argc <= c->max_args);
}

int cmd_run(struct vnetd *d, const struct cmd_def *c, int argc, char **argv, struct cmd_reply *r)
{
	char err[sizeof(r->err)];
	int rc;

	if (!cmd_usage_ok(c, argc))
		return cmd_error(r, EINVAL, "usage: %s%s%s", c->name, *c->usage ? " " : "",
				 c->usage);
	rc = c->fn(d, argc, argv, r);
	if (rc < 0) {
		if (!r->err[0])
			snprintf(r->err, sizeof(r->err), "%s: %s", c->name, strerror(-rc));
		return rc;
	}
	if (c->mutates && d) {
		rc = config_save(d, err, sizeof(err));
		if (rc < 0)
			return cmd_error(r, -rc, "%s was applied, but saving the state failed: %s",
					 c->name, err);
	}
	return 0;
}

struct bridge *vnetd_bridge_find(struct vnetd *d, const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(d->bridges); i++) {
		if (d->bridges[i] && !strcmp(d->bridges[i]->name, name))
			return d->bridges[i];
	}
	return NULL;
}

int cmd_error(struct cmd_reply *r, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	return -errnum;
}

struct bridge *cmd_lookup_switch(struct vnetd *d, const char *name, struct cmd_reply *r)
{
	struct bridge *br = vnetd_bridge_find(d, name);

	if (!br)
		cmd_error(r, ENOENT, "no switch named '%.64s'", name);
	return br;
}

struct port *cmd_lookup_port(struct bridge *br, const char *name, struct cmd_reply *r)
{
	struct port *p = bridge_port_find(br, name);

	if (!p)
		cmd_error(r, ENOENT, "switch %s has no port named '%.64s'", br->name, name);
	return p;
}

bool cmd_parse_opts(struct kv_list *l, int argc, char **argv, struct cmd_reply *r)
{
	return kv_parse(l, argc, argv, r->err, sizeof(r->err));
}

static int cmd_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool cmd_hex_decode(const char *s, uint8_t *buf, size_t bufsz, size_t *size)
{
	size_t n = 0;
	int hi = -1;

	for (; *s; s++) {
		int v;

		if (*s == ':' || *s == '-' || *s == ' ') {
			if (hi >= 0)
				return false; /* a separator splits a byte */
			continue;
		}
		v = cmd_hex_digit(*s);
		if (v < 0)
			return false;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= bufsz)
			return false;
		buf[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0)
		return false;
	*size = n;
	return true;
}

char *cmd_hex_encode(const uint8_t *buf, size_t size)
{
	static const char digits[] = "0123456789abcdef";
	char *s = malloc(size * 2 + 1);

	if (!s)
		return NULL;
	for (size_t i = 0; i < size; i++) {
		s[2 * i] = digits[buf[i] >> 4];
		s[2 * i + 1] = digits[buf[i] & 15];
	}
	s[size * 2] = '\0';
	return s;
}

bool cmd_parse_u64(const char *s, uint64_t min, uint64_t max, bool hex_ok, uint64_t *out)
{
	int base = 10;
	uint64_t v = 0;

	if (hex_ok && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		int dv = cmd_hex_digit(*s);

		if (dv < 0 || dv >= base)
			return false;
		if (v > (UINT64_MAX - (uint64_t)dv) / (uint64_t)base)
			return false;
		v = v * (uint64_t)base + (uint64_t)dv;
	}
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

void cmd_tab_init(struct cmd_tab *t, unsigned n_cols)
{
	memset(t, 0, sizeof(*t));
	t->n_cols = MIN(n_cols, (unsigned)CMD_TAB_COLS);
}

int cmd_tab_row(struct cmd_tab *t, const char *const *cells)
{
	if (t->n_rows == t->cap_rows) {
		unsigned cap = t->cap_rows ? t->cap_rows * 2 : 16;
		char **c = realloc(t->cells, (size_t)cap * t->n_cols * sizeof(*c));

		if (!c)
			return -ENOMEM;
		t->cells = c;
		t->cap_rows = cap;
	}
	for (unsigned i = 0; i < t->n_cols; i++) {
		char *s = strdup(cells[i] && *cells[i] ? cells[i] : "-");

		if (!s) {
			while (i--)
				free(t->cells[(size_t)t->n_rows * t->n_cols + i]);
			return -ENOMEM;
		}
		t->cells[(size_t)t->n_rows * t->n_cols + i] = s;
		t->width[i] = MAX(t->width[i], strlen(s));
	}
	t->n_rows++;
	return 0;
}

void cmd_tab_print(const struct cmd_tab *t, FILE *f)
{
	for (unsigned r = 0; r < t->n_rows; r++) {
		for (unsigned i = 0; i < t->n_cols; i++) {
			const char *s = t->cells[(size_t)r * t->n_cols + i];

			if (i + 1 == t->n_cols)
				fprintf(f, "%s\n", s);
			else
				fprintf(f, "%-*s  ", (int)t->width[i], s);
		}
	}
}

void cmd_tab_free(struct cmd_tab *t)
{
	for (size_t i = 0; i < (size_t)t->n_rows * t->n_cols; i++)
		free(t->cells[i]);
	free(t->cells);
	t->cells = NULL;
	t->n_rows = t->cap_rows = 0;
}

int cmd_version(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	(void)d;
	(void)argc;
	(void)argv;
	r->result = json_pack("{s:s}", "version", VNET_VERSION);
	fprintf(r->text, "vnetd %s\n", VNET_VERSION);
	return 0;
}

static json_t *cmd_help_entry(const struct cmd_def *c)
{
	return json_pack("{s:s, s:s, s:s, s:i, s:i, s:b}", "name", c->name, "usage", c->usage,
			 "help", c->help, "min_args", c->min_args, "max_args", c->max_args,
			 "mutates", c->mutates);
}

int cmd_help(struct vnetd *d, int argc, char **argv, struct cmd_reply *r)
{
	const struct port_ops *const *types = port_ops_all();
	json_t *cmds, *jtypes;

	(void)d;
	if (argc == 1) {
		const struct cmd_def *c = cmd_find(argv[0]);

		if (!c)
			return cmd_error(r, ENOENT, "unknown command '%.64s'", argv[0]);
		r->result = cmd_help_entry(c);
		fprintf(r->text, "%s %s\n    %s\n", c->name, c->usage, c->help);
		return 0;
	}
	cmds = json_array();
	jtypes = json_object();
	r->result = json_pack("{s:o, s:o}", "commands", cmds, "port_types", jtypes);
	fprintf(r->text, "commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(cmd_defs); i++) {
		json_array_append_new(cmds, cmd_help_entry(&cmd_defs[i]));
		fprintf(r->text, "  %-14s %s\n", cmd_defs[i].name, cmd_defs[i].usage);
	}
	fprintf(r->text, "port types:\n");
	for (; *types; types++) {
		json_object_set_new(jtypes, (*types)->type,
				    json_string((*types)->help ? (*types)->help : ""));
		fprintf(r->text, "  %-9s %s\n", (*types)->type,
			(*types)->help ? (*types)->help : "");
	}
	return 0;
}
