// SPDX-License-Identifier: GPL-2.0-or-later
/* config.c - the configuration file: parse and validate, apply, save atomically (see config.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/log.h"
#include "../base/util.h"
#include "../net/eth.h"
#include "../switch/fdb.h"
#include "config.h"
#include "vnetd.h"

/*
 * Bytes of field paths, by depth: "switches[63]", "switches[63].ports[255]",
 * "switches[63].ports[255].options", and an option or member below that.
 */
#define CONFIG_PATH_SW 32
#define CONFIG_PATH_OBJ 64
#define CONFIG_PATH_FIELD 96
#define CONFIG_PATH_MAX 160

/* Where errors are reported: "FILE: PATH: reason" */
struct config_ctx {
	const char *file;
	char *err;
	size_t errsz;
};

/* Field names, values and parser messages come from the file: keep an error one printable line. */
static void config_err_printable(char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
	}
}

static bool config_fail(struct config_ctx *x, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool config_fail(struct config_ctx *x, const char *path, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (path && *path)
		snprintf(x->err, x->errsz, "%s: %s: %s", x->file, path, msg);
	else
		snprintf(x->err, x->errsz, "%s: %s", x->file, msg);
	config_err_printable(x->err);
	return false;
}

/* The value of @key in @l without marking it used, or NULL */
static const char *config_kv_peek(const struct kv_list *l, const char *key)
{
	for (unsigned i = 0; i < l->n; i++) {
		if (!strcmp(l->kv[i].key, key))
			return l->kv[i].val;
	}
	return NULL;
}

static const char *config_port_type(const struct kv_list *l)
{
	const char *t = config_kv_peek(l, "type");

	return t ? t : "tap";
}

bool config_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > CONFIG_NAME_MAX || name[0] == '-' || !strcmp(name, ".") ||
	    !strcmp(name, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

/* Does @o have only the members in @allowed (NULL-terminated)? Catches typos in hand-written files. */
static bool config_check_members(struct config_ctx *x, json_t *o, const char *path,
				 const char *const *allowed)
{
	const char *key;
	json_t *v;

	json_object_foreach(o, key, v)
	{
		const char *const *a = allowed;

		while (*a && strcmp(*a, key))
			a++;
		if (!*a) {
			char p[CONFIG_PATH_MAX];

			snprintf(p, sizeof(p), "%.96s%s%.40s", path, *path ? "." : "", key);
			return config_fail(x, p, "unknown field");
		}
	}
	return true;
}

/* A required string member, copied into @out (@outsz bytes). */
static bool config_get_string(struct config_ctx *x, json_t *o, const char *key, const char *path,
			      char *out, size_t outsz)
{
	json_t *v = json_object_get(o, key);
	char p[CONFIG_PATH_MAX];

	snprintf(p, sizeof(p), "%.96s.%.40s", path, key);
	if (!v)
		return config_fail(x, p, "missing");
	if (!json_is_string(v))
		return config_fail(x, p, "must be a string");
	if (json_string_length(v) >= outsz)
		return config_fail(x, p, "too long");
	snprintf(out, outsz, "%s", json_string_value(v));
	return true;
}

/* An "options" object: {"key": "value"} (integers are accepted and kept as text). */
static bool config_parse_opts(struct config_ctx *x, json_t *o, const char *path, struct kv_list *l)
{
	const char *key;
	json_t *v;

	memset(l, 0, sizeof(*l));
	if (!o)
		return true;
	if (!json_is_object(o))
		return config_fail(x, path, "must be an object of \"key\": \"value\" strings");
	json_object_foreach(o, key, v)
	{
		char p[CONFIG_PATH_MAX], val[KV_VAL_MAX];

		snprintf(p, sizeof(p), "%.96s.%.40s", path, key);
		if (!*key || strlen(key) >= KV_KEY_MAX || strchr(key, '='))
			return config_fail(x, p, "invalid option name");
		if (json_is_string(v)) {
			if (json_string_length(v) >= sizeof(val) ||
			    strlen(json_string_value(v)) != json_string_length(v))
				return config_fail(x, p, "value too long");
			snprintf(val, sizeof(val), "%s", json_string_value(v));
		} else if (json_is_integer(v)) {
			snprintf(val, sizeof(val), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		} else {
			return config_fail(x, p, "must be a string");
		}
		if (!kv_set(l, key, val))
			return config_fail(x, path, "too many options (at most %d)", KV_MAX);
	}
	return true;
}

/*
 * Turn a bridge_validate()/port_validate() message into a field path: the
 * validators name the option first ("tag=5000: ..."), or quote it ("unknown
 * option 'x'"). The "key=value: " prefix is dropped, as the path names it.
 */
static bool config_fail_opts(struct config_ctx *x, const char *path, const struct kv_list *l,
			     const char *msg)
{
	char p[CONFIG_PATH_MAX], quoted[KV_KEY_MAX + 2];

	for (unsigned i = 0; i < l->n; i++) {
		const struct kv *kv = &l->kv[i];
		size_t klen = strlen(kv->key), vlen = strlen(kv->val);

		if (strncmp(msg, kv->key, klen) || (msg[klen] != '=' && msg[klen] != ':'))
			continue;
		snprintf(p, sizeof(p), "%.96s.%.40s", path, kv->key);
		if (msg[klen] == '=' && !strncmp(msg + klen + 1, kv->val, vlen) &&
		    !strncmp(msg + klen + 1 + vlen, ": ", 2))
			return config_fail(x, p, "%s", msg + klen + 1 + vlen + 2);
		if (msg[klen] == ':' && msg[klen + 1] == ' ')
			return config_fail(x, p, "%s", msg + klen + 2);
		return config_fail(x, p, "%s", msg);
	}
	for (unsigned i = 0; i < l->n; i++) {
		snprintf(quoted, sizeof(quoted), "'%s'", l->kv[i].key);
		if (strstr(msg, quoted)) {
			snprintf(p, sizeof(p), "%.96s.%.40s", path, l->kv[i].key);
			return config_fail(x, p, "%s", msg);
		}
	}
	return config_fail(x, path, "%s", msg);
}

static bool config_parse_port(struct config_ctx *x, json_t *o, const char *path,
			      struct config_port *cp)
{
	static const char *const members[] = { "name", "options", NULL };
	char p[CONFIG_PATH_FIELD], verr[256];

	if (!json_is_object(o))
		return config_fail(x, path, "must be an object");
	if (!config_check_members(x, o, path, members) ||
	    !config_get_string(x, o, "name", path, cp->name, sizeof(cp->name)))
		return false;
	snprintf(p, sizeof(p), "%.64s.name", path);
	if (!config_name_valid(cp->name))
		return config_fail(x, p, "invalid port name '%s': use 1..%d of A-Z a-z 0-9 _ . -",
				   cp->name, CONFIG_NAME_MAX);
	snprintf(p, sizeof(p), "%.64s.options", path);
	if (!config_parse_opts(x, json_object_get(o, "options"), p, &cp->opts))
		return false;
	if (port_validate(&cp->opts, verr, sizeof(verr)) < 0)
		return config_fail_opts(x, p, &cp->opts, verr);
	return true;
}

static bool config_parse_fdb(struct config_ctx *x, json_t *o, const char *path,
			     const struct config_switch *cs, struct config_fdb *cf)
{
	static const char *const members[] = { "mac", "vlan", "port", NULL };
	char mac[32], p[CONFIG_PATH_FIELD];
	json_t *vlan;
	bool found = false;

	if (!json_is_object(o))
		return config_fail(x, path, "must be an object");
	if (!config_check_members(x, o, path, members) ||
	    !config_get_string(x, o, "mac", path, mac, sizeof(mac)) ||
	    !config_get_string(x, o, "port", path, cf->port, sizeof(cf->port)))
		return false;
	snprintf(p, sizeof(p), "%.64s.mac", path);
	if (!eth_mac_parse(mac, cf->mac))
		return config_fail(x, p, "invalid MAC address '%s'", mac);
	if (eth_is_multicast(cf->mac) || eth_is_zero(cf->mac))
		return config_fail(x, p, "%s: a MAC entry needs a unicast address", mac);
	snprintf(p, sizeof(p), "%.64s.vlan", path);
	vlan = json_object_get(o, "vlan");
	if (!vlan)
		return config_fail(x, p, "missing");
	if (!json_is_integer(vlan) || json_integer_value(vlan) < 0 ||
	    json_integer_value(vlan) > 4094)
		return config_fail(x, p, "VLAN must be an integer 0..4094");
	cf->vlan = (uint16_t)json_integer_value(vlan);
	for (unsigned i = 0; i < cs->n_ports && !found; i++)
		found = !strcmp(cs->ports[i].name, cf->port);
	snprintf(p, sizeof(p), "%.64s.port", path);
	if (!found)
		return config_fail(x, p, "switch %s has no port named '%s'", cs->name, cf->port);
	return true;
}

/* A key for finding duplicates by sorting: (vlan, mac) or a name, and where it came from. */
struct config_dup {
	char key[KV_VAL_MAX + 8];
	unsigned sw, idx;
};

static int config_dup_cmp(const void *a, const void *b)
{
	const struct config_dup *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	if (c)
		return c;
	if (x->sw != y->sw)
		return x->sw < y->sw ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The first duplicate key in @d (sorted in place), or NULL. */
static const struct config_dup *config_dup_find(struct config_dup *d, size_t n)
{
	if (n < 2)
		return NULL;
	qsort(d, n, sizeof(*d), config_dup_cmp);
	for (size_t i = 1; i < n; i++) {
		if (!strcmp(d[i - 1].key, d[i].key))
			return &d[i];
	}
	return NULL;
}

static bool config_check_fdb_dups(struct config_ctx *x, const struct config_switch *cs, unsigned si)
{
	struct config_dup *d;
	const struct config_dup *dup;
	char p[CONFIG_PATH_MAX];
	bool ok = true;

	if (cs->n_fdb < 2)
		return true;
	d = calloc(cs->n_fdb, sizeof(*d));
	if (!d)
		return config_fail(x, NULL, "out of memory");
	for (unsigned i = 0; i < cs->n_fdb; i++) {
		char mac[18];

		snprintf(d[i].key, sizeof(d[i].key), "%04u %s", cs->fdb[i].vlan,
			 eth_mac_format(cs->fdb[i].mac, mac));
		d[i].sw = si;
		d[i].idx = i;
	}
	dup = config_dup_find(d, cs->n_fdb);
	if (dup) {
		const struct config_fdb *f = &cs->fdb[dup->idx];
		char mac[18];

		snprintf(p, sizeof(p), "switches[%u].fdb[%u]", si, dup->idx);
		ok = config_fail(x, p, "duplicate MAC entry %s in VLAN %u",
				 eth_mac_format(f->mac, mac), f->vlan);
	}
	free(d);
	return ok;
}

/* "mirrors": [{"name": "m0", "options": {"ingress": "p1", "output": "p9"}}] (mirror.h) */
static bool config_parse_mirrors(struct config_ctx *x, json_t *arr, const char *path,
				 struct config_switch *cs)
{
	static const char *const members[] = { "name", "options", NULL };
	char p[CONFIG_PATH_FIELD], verr[256];
	json_t *v;
	size_t i;

	snprintf(p, sizeof(p), "%.32s.mirrors", path);
	if (arr && !json_is_array(arr))
		return config_fail(x, p, "must be an array");
	if (json_array_size(arr) > MIRROR_MAX)
		return config_fail(x, p, "too many mirrors (at most %d)", MIRROR_MAX);
	cs->mirrors = calloc(json_array_size(arr) + 1, sizeof(*cs->mirrors));
	if (!cs->mirrors)
		return config_fail(x, NULL, "out of memory");
	json_array_foreach(arr, i, v)
	{
		struct config_mirror *cm = &cs->mirrors[i];
		char mp[CONFIG_PATH_OBJ];

		snprintf(mp, sizeof(mp), "%.32s.mirrors[%u]", path, (unsigned)i);
		if (!json_is_object(v))
			return config_fail(x, mp, "must be an object");
		if (!config_check_members(x, v, mp, members) ||
		    !config_get_string(x, v, "name", mp, cm->name, sizeof(cm->name)))
			return false;
		snprintf(p, sizeof(p), "%.64s.name", mp);
		if (!config_name_valid(cm->name))
			return config_fail(x, p, "invalid mirror name '%s'", cm->name);
		for (unsigned j = 0; j < i; j++) {
			if (!strcmp(cs->mirrors[j].name, cm->name))
				return config_fail(x, p, "duplicate mirror name '%s'", cm->name);
		}
		snprintf(p, sizeof(p), "%.64s.options", mp);
		if (!config_parse_opts(x, json_object_get(v, "options"), p, &cm->opts))
			return false;
		if (mirror_validate(&cm->opts, verr, sizeof(verr)) < 0)
			return config_fail_opts(x, p, &cm->opts, verr);
		cs->n_mirrors++;
	}
	return true;
}

static bool config_parse_switch(struct config_ctx *x, json_t *o, unsigned si,
				struct config_switch *cs)
{
	static const char *const members[] = { "name", "options", "ports", "fdb", "mirrors", NULL };
	char path[CONFIG_PATH_SW], p[CONFIG_PATH_FIELD], verr[256];
	json_t *ports, *fdb, *v;
	size_t i;

	snprintf(path, sizeof(path), "switches[%u]", si);
	if (!json_is_object(o))
		return config_fail(x, path, "must be an object");
	if (!config_check_members(x, o, path, members) ||
	    !config_get_string(x, o, "name", path, cs->name, sizeof(cs->name)))
		return false;
	snprintf(p, sizeof(p), "%.32s.name", path);
	if (!config_name_valid(cs->name))
		return config_fail(x, p, "invalid switch name '%s': use 1..%d of A-Z a-z 0-9 _ . -",
				   cs->name, CONFIG_NAME_MAX);
	snprintf(p, sizeof(p), "%.32s.options", path);
	if (!config_parse_opts(x, json_object_get(o, "options"), p, &cs->opts))
		return false;
	if (bridge_validate(&cs->opts, verr, sizeof(verr)) < 0)
		return config_fail_opts(x, p, &cs->opts, verr);

	ports = json_object_get(o, "ports");
	snprintf(p, sizeof(p), "%.32s.ports", path);
	if (ports && !json_is_array(ports))
		return config_fail(x, p, "must be an array");
	if (json_array_size(ports) > BRIDGE_MAX_PORTS)
		return config_fail(x, p, "too many ports (at most %d)", BRIDGE_MAX_PORTS);
	cs->ports = calloc(json_array_size(ports) + 1, sizeof(*cs->ports));
	if (!cs->ports)
		return config_fail(x, NULL, "out of memory");
	json_array_foreach(ports, i, v)
	{
		snprintf(p, sizeof(p), "%.32s.ports[%u]", path, (unsigned)i);
		if (!config_parse_port(x, v, p, &cs->ports[i]))
			return false;
		cs->n_ports++;
		for (unsigned j = 0; j < i; j++) {
			if (!strcmp(cs->ports[j].name, cs->ports[i].name)) {
				snprintf(p, sizeof(p), "%.32s.ports[%u].name", path, (unsigned)i);
				return config_fail(x, p,
						   "duplicate port name '%s' (also ports[%u])",
						   cs->ports[i].name, j);
			}
		}
	}

	fdb = json_object_get(o, "fdb");
	snprintf(p, sizeof(p), "%.32s.fdb", path);
	if (fdb && !json_is_array(fdb))
		return config_fail(x, p, "must be an array");
	if (json_array_size(fdb) > CONFIG_FDB_MAX)
		return config_fail(x, p, "too many MAC entries (at most %d)", CONFIG_FDB_MAX);
	cs->fdb = calloc(json_array_size(fdb) + 1, sizeof(*cs->fdb));
	if (!cs->fdb)
		return config_fail(x, NULL, "out of memory");
	json_array_foreach(fdb, i, v)
	{
		snprintf(p, sizeof(p), "%.32s.fdb[%u]", path, (unsigned)i);
		if (!config_parse_fdb(x, v, p, cs, &cs->fdb[i]))
			return false;
		cs->n_fdb++;
	}
	if (!config_check_fdb_dups(x, cs, si))
		return false;
	return config_parse_mirrors(x, json_object_get(o, "mirrors"), path, cs);
}

/* Two ports given the same ifname= would fight over one device: refuse the file instead. */
static bool config_check_ifnames(struct config_ctx *x, const struct config *c)
{
	struct config_dup *d;
	const struct config_dup *dup;
	size_t n = 0, cap = 0;
	bool ok = true;

	for (unsigned s = 0; s < c->n_switches; s++)
		cap += c->switches[s].n_ports;
	d = calloc(cap + 1, sizeof(*d));
	if (!d)
		return config_fail(x, NULL, "out of memory");
	for (unsigned s = 0; s < c->n_switches; s++) {
		for (unsigned i = 0; i < c->switches[s].n_ports; i++) {
			const struct config_port *cp = &c->switches[s].ports[i];
			const char *ifname = config_kv_peek(&cp->opts, "ifname");
			const char *type = config_port_type(&cp->opts);

			/* tap and internal ports default to an interface named like the port */
			if (!ifname && (!strcmp(type, "tap") || !strcmp(type, "internal")))
				ifname = cp->name;
			if (!ifname)
				continue;
			snprintf(d[n].key, sizeof(d[n].key), "%s", ifname);
			d[n].sw = s;
			d[n].idx = i;
			n++;
		}
	}
	dup = config_dup_find(d, n);
	if (dup) {
		char p[CONFIG_PATH_MAX];

		const struct config_port *cp = &c->switches[dup->sw].ports[dup->idx];

		snprintf(p, sizeof(p), "switches[%u].ports[%u].%s", dup->sw, dup->idx,
			 config_kv_peek(&cp->opts, "ifname") ? "options.ifname" : "name");
		ok = config_fail(x, p, "interface %s is already used by another port", dup->key);
	}
	free(d);
	return ok;
}

struct config *config_parse(const char *text, size_t size, const char *file, char *err,
			    size_t errsz)
{
	static const char *const members[] = { "version", "switches", NULL };
	struct config_ctx x = { .file = file, .err = err, .errsz = errsz };
	struct config *c;
	json_error_t je;
	json_t *root, *ver, *sws, *v;
	size_t i;

	root = json_loadb(text, size, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		snprintf(err, errsz, "%s:%d:%d: %s", file, je.line, je.column, je.text);
		config_err_printable(err);
		return NULL;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		config_fail(&x, NULL, "out of memory");
		goto err_json;
	}
	if (!json_is_object(root)) {
		config_fail(&x, NULL, "the top level must be a JSON object");
		goto err_config;
	}
	if (!config_check_members(&x, root, "", members))
		goto err_config;
	ver = json_object_get(root, "version");
	if (!ver || !json_is_integer(ver) || json_integer_value(ver) != CONFIG_VERSION) {
		config_fail(&x, "version", "%s (this vnetd reads version %d)",
			    ver ? "unsupported version" : "missing", CONFIG_VERSION);
		goto err_config;
	}
	sws = json_object_get(root, "switches");
	if (!sws || !json_is_array(sws)) {
		config_fail(&x, "switches", sws ? "must be an array" : "missing");
		goto err_config;
	}
	if (json_array_size(sws) > VNETD_MAX_SWITCHES) {
		config_fail(&x, "switches", "too many switches (at most %d)", VNETD_MAX_SWITCHES);
		goto err_config;
	}
	c->switches = calloc(json_array_size(sws) + 1, sizeof(*c->switches));
	if (!c->switches) {
		config_fail(&x, NULL, "out of memory");
		goto err_config;
	}
	json_array_foreach(sws, i, v)
	{
		struct config_switch *cs = &c->switches[i];
		bool ok = config_parse_switch(&x, v, (unsigned)i, cs);

		/* Count it even when half-parsed, so config_free() frees its arrays. */
		c->n_switches++;
		if (!ok)
			goto err_config;
		for (unsigned j = 0; j < i; j++) {
			if (!strcmp(c->switches[j].name, cs->name)) {
				char p[CONFIG_PATH_MAX];

				snprintf(p, sizeof(p), "switches[%zu].name", i);
				config_fail(&x, p, "duplicate switch name '%s' (also switches[%u])",
					    cs->name, j);
				goto err_config;
			}
		}
	}
	if (!config_check_ifnames(&x, c))
		goto err_config;
	json_decref(root);
	return c;

err_config:
	config_free(c);
err_json:
	json_decref(root);
	return NULL;
}

struct config *config_load(const char *path, bool *missing, char *err, size_t errsz)
{
	struct config *c = NULL;
	struct stat st;
	char *buf;
	size_t off = 0;
	int fd;

	if (missing)
		*missing = false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT && missing)
			*missing = true;
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > CONFIG_FILE_MAX_SIZE) {
		snprintf(err, errsz, "%s: not a regular file of at most %u bytes", path,
			 CONFIG_FILE_MAX_SIZE);
		close(fd);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		snprintf(err, errsz, "%s: out of memory", path);
		close(fd);
		return NULL;
	}
	while (off < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + off, (size_t)st.st_size - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errsz, "%s: read: %s", path, n ? strerror(errno) : "short");
			goto out;
		}
		off += (size_t)n;
	}
	c = config_parse(buf, off, path, err, errsz);
out:
	free(buf);
	close(fd);
	return c;
}

void config_free(struct config *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < c->n_switches; i++) {
		free(c->switches[i].ports);
		free(c->switches[i].fdb);
		free(c->switches[i].mirrors);
	}
	free(c->switches);
	free(c);
}

json_t *config_kv_to_json(const struct kv_list *l)
{
	json_t *o = json_object();

	for (unsigned i = 0; i < l->n; i++)
		json_object_set_new(o, l->kv[i].key, json_string(l->kv[i].val));
	return o;
}

struct config_fdb_collect {
	struct fdb_entry_info *e;
	size_t n, cap;
};

static bool config_collect_static(const struct fdb_entry_info *e, void *arg)
{
	struct config_fdb_collect *c = arg;

	if (!e->is_static)
		return true;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct fdb_entry_info *ne = realloc(c->e, cap * sizeof(*ne));

		if (!ne)
			return false;
		c->e = ne;
		c->cap = cap;
	}
	c->e[c->n++] = *e;
	return true;
}

static int config_fdb_cmp(const void *a, const void *b)
{
	const struct fdb_entry_info *x = a, *y = b;

	if (x->vlan != y->vlan)
		return x->vlan < y->vlan ? -1 : 1;
	return memcmp(x->mac, y->mac, sizeof(x->mac));
}

/* The static MAC entries of @br, sorted; free(c->e) after. */
static void config_static_entries(struct bridge *br, struct config_fdb_collect *c)
{
	memset(c, 0, sizeof(*c));
	fdb_foreach(br->fdb, br->dp->now_ns, config_collect_static, c);
	if (c->n)
		qsort(c->e, c->n, sizeof(*c->e), config_fdb_cmp);
}

static json_t *config_switch_to_json(struct vnetd *d, struct bridge *br)
{
	json_t *ports = json_array(), *fdb = json_array(), *sw;
	struct config_fdb_collect c;

	for (struct port *p = bridge_port_next(br, NULL); p; p = bridge_port_next(br, p))
		json_array_append_new(ports, json_pack("{s:s, s:o}", "name", p->name, "options",
						       config_kv_to_json(&p->opts)));
	for (unsigned i = 0; i < d->n_stale; i++) {
		if (!strcmp(d->stale[i].sw, br->name))
			json_array_append_new(ports,
					      json_pack("{s:s, s:o}", "name", d->stale[i].port.name,
							"options",
							config_kv_to_json(&d->stale[i].port.opts)));
	}
	config_static_entries(br, &c);
	for (size_t i = 0; i < c.n; i++) {
		char mac[18];
		uint16_t idx = c.e[i].port;

		if (idx >= BRIDGE_MAX_PORTS || !br->ports[idx])
			continue;
		json_array_append_new(
			fdb, json_pack("{s:s, s:i, s:s}", "mac", eth_mac_format(c.e[i].mac, mac),
				       "vlan", (int)c.e[i].vlan, "port", br->ports[idx]->name));
	}
	free(c.e);
	sw = json_pack("{s:s, s:o, s:o, s:o}", "name", br->name, "options",
		       config_kv_to_json(&br->opts), "ports", ports, "fdb", fdb);
	if (sw && br->mirrors) {
		json_t *mirrors = json_array();

		for (struct mirror *m = mirror_next(br, NULL); m; m = mirror_next(br, m))
			json_array_append_new(mirrors,
					      json_pack("{s:s, s:o}", "name", m->name, "options",
							config_kv_to_json(&m->opts)));
		json_object_set_new(sw, "mirrors", mirrors);
	}
	return sw;
}

json_t *config_to_json(struct vnetd *d)
{
	json_t *sws = json_array();

	for (size_t i = 0; i < ARRAY_SIZE(d->bridges); i++) {
		if (d->bridges[i])
			json_array_append_new(sws, config_switch_to_json(d, d->bridges[i]));
	}
	return json_pack("{s:i, s:o}", "version", CONFIG_VERSION, "switches", sws);
}

static int config_write_all(int fd, const char *buf, size_t size)
{
	while (size) {
		ssize_t n = write(fd, buf, size);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		size -= (size_t)n;
	}
	return 0;
}

int config_write_file(const char *path, json_t *doc, char *err, size_t errsz)
{
	char dir[PATH_MAX], tmp[PATH_MAX + 32];
	const char *slash = strrchr(path, '/');
	char *text;
	int fd, dfd, rc;

	if (slash)
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path + (slash == path)), path);
	else
		snprintf(dir, sizeof(dir), ".");
	snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", path);
	text = json_dumps(doc, JSON_INDENT(2));
	if (!text) {
		snprintf(err, errsz, "%s: cannot encode the configuration", path);
		return -ENOMEM;
	}
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		/* name the file being saved, not the random temporary name */
		rc = -errno;
		snprintf(err, errsz, "%s: cannot create a temporary file in %s: %s", path, dir,
			 strerror(errno));
		free(text);
		return rc;
	}
	rc = config_write_all(fd, text, strlen(text));
	if (!rc)
		rc = config_write_all(fd, "\n", 1);
	if (!rc && fchmod(fd, 0644) < 0)
		rc = -errno;
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	free(text);
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	if (rc) {
		snprintf(err, errsz, "%s: %s", path, strerror(-rc));
		unlink(tmp);
		return rc;
	}
	/* The rename is durable only once the directory entry is. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) < 0) {
		rc = -errno;
		snprintf(err, errsz, "%s: fsync: %s", dir, strerror(errno));
	}
	if (dfd >= 0)
		close(dfd);
	return rc;
}

int config_mkdir_p(const char *dir, mode_t mode)
{
	char p[PATH_MAX];
	size_t n = strlen(dir);

	if (n == 0 || n >= sizeof(p))
		return -ENAMETOOLONG;
	memcpy(p, dir, n + 1);
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s)
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return -errno;
		*s = c;
		if (!c)
			break;
	}
	return 0;
}

int config_save(struct vnetd *d, char *err, size_t errsz)
{
	char path[PATH_MAX + sizeof(CONFIG_STATE_FILE) + 1];
	json_t *doc;
	int rc;

	if (!d->state_dir[0])
		return 0;
	rc = config_mkdir_p(d->state_dir, 0755);
	if (rc < 0) {
		snprintf(err, errsz, "%s: %s", d->state_dir, strerror(-rc));
		return rc;
	}
	snprintf(path, sizeof(path), "%s/%s", d->state_dir, CONFIG_STATE_FILE);
	doc = config_to_json(d);
	if (!doc) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	rc = config_write_file(path, doc, err, errsz);
	json_decref(doc);
	return rc;
}

int config_stale_add(struct vnetd *d, const char *sw, const char *name, const struct kv_list *opts,
		     const char *reason)
{
	struct config_stale *st = config_stale_find(d, sw, name);

	if (!st) {
		struct config_stale *ns = realloc(d->stale, (d->n_stale + 1) * sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		d->stale = ns;
		st = &d->stale[d->n_stale++];
	}
	memset(st, 0, sizeof(*st));
	snprintf(st->sw, sizeof(st->sw), "%s", sw);
	snprintf(st->port.name, sizeof(st->port.name), "%s", name);
	st->port.opts = *opts;
	snprintf(st->reason, sizeof(st->reason), "%s", reason);
	return 0;
}

struct config_stale *config_stale_find(struct vnetd *d, const char *sw, const char *name)
{
	for (unsigned i = 0; i < d->n_stale; i++) {
		if (!strcmp(d->stale[i].sw, sw) && !strcmp(d->stale[i].port.name, name))
			return &d->stale[i];
	}
	return NULL;
}

unsigned config_stale_del(struct vnetd *d, const char *sw, const char *name)
{
	unsigned n = 0;

	for (unsigned i = 0; i < d->n_stale;) {
		struct config_stale *st = &d->stale[i];

		if (!strcmp(st->sw, sw) && (!name || !strcmp(st->port.name, name))) {
			d->stale[i] = d->stale[--d->n_stale];
			n++;
		} else {
			i++;
		}
	}
	return n;
}

void config_stale_free(struct vnetd *d)
{
	free(d->stale);
	d->stale = NULL;
	d->n_stale = 0;
}

/* ---- applying a configuration ---- */

static const struct config_switch *config_find_switch(const struct config *c, const char *name)
{
	for (unsigned i = 0; i < c->n_switches; i++) {
		if (!strcmp(c->switches[i].name, name))
			return &c->switches[i];
	}
	return NULL;
}

static const struct config_port *config_find_port(const struct config_switch *cs, const char *name)
{
	for (unsigned i = 0; i < cs->n_ports; i++) {
		if (!strcmp(cs->ports[i].name, name))
			return &cs->ports[i];
	}
	return NULL;
}

/* Is every option of @a in @b with the same value (type= defaulting to tap)? */
static bool config_kv_subset(const struct kv_list *a, const struct kv_list *b)
{
	for (unsigned i = 0; i < a->n; i++) {
		const char *v = config_kv_peek(b, a->kv[i].key);

		if (!strcmp(a->kv[i].key, "type"))
			continue;
		if (!v || strcmp(v, a->kv[i].val))
			return false;
	}
	return !strcmp(config_port_type(a), config_port_type(b));
}

/*
 * Change a running port to @cp's options in place (port_set: VLAN settings,
 * mtu, what the type can reconfigure; an empty value removes an option), so
 * its device and learned MACs survive. Return: true if the port now has the
 * new options; false to recreate it.
 */
static bool config_port_update(struct bridge *br, struct port *p, const struct config_port *cp)
{
	struct kv_list changes = { 0 };
	char err[256];

	if (strcmp(config_port_type(&p->opts), config_port_type(&cp->opts)))
		return false;
	for (unsigned i = 0; i < p->opts.n; i++) {
		const char *k = p->opts.kv[i].key;

		if (strcmp(k, "type") && !config_kv_peek(&cp->opts, k) && !kv_set(&changes, k, ""))
			return false;
	}
	for (unsigned i = 0; i < cp->opts.n; i++) {
		const struct kv *kv = &cp->opts.kv[i];
		const char *old = config_kv_peek(&p->opts, kv->key);

		if (strcmp(kv->key, "type") && (!old || strcmp(old, kv->val)))
			kv_set(&changes, kv->key, kv->val);
	}
	if (bridge_port_set(br, p->name, &changes, err, sizeof(err)) < 0) {
		debug("switch %s: port %s: recreating it (%s)", br->name, p->name, err);
		return false;
	}
	info("switch %s: port %s reconfigured", br->name, p->name);
	return true;
}

static unsigned config_apply_ports(struct vnetd *d, struct bridge *br,
				   const struct config_switch *cs)
{
	struct port *p, *next;
	unsigned failed = 0;

	for (p = bridge_port_next(br, NULL); p; p = next) {
		next = bridge_port_next(br, p);
		if (!config_find_port(cs, p->name)) {
			bridge_port_del(br, p->name);
		}
	}
	for (unsigned i = 0; i < d->n_stale;) {
		if (!strcmp(d->stale[i].sw, br->name) &&
		    !config_find_port(cs, d->stale[i].port.name))
			d->stale[i] = d->stale[--d->n_stale];
		else
			i++;
	}
	for (unsigned i = 0; i < cs->n_ports; i++) {
		const struct config_port *cp = &cs->ports[i];
		char err[256];

		p = bridge_port_find(br, cp->name);
		if (p) {
			if (config_kv_subset(&p->opts, &cp->opts) &&
			    config_kv_subset(&cp->opts, &p->opts))
				continue;
			if (config_port_update(br, p, cp))
				continue;
			bridge_port_del(br, cp->name);
		}
		config_stale_del(d, br->name, cp->name);
		if (bridge_port_add(br, cp->name, &cp->opts, err, sizeof(err)) < 0) {
			warn("switch %s: port %s failed to open, kept in the configuration: %s",
			     br->name, cp->name, err);
			if (config_stale_add(d, br->name, cp->name, &cp->opts, err) < 0)
				err("switch %s: port %s: out of memory, dropped from the "
				    "configuration",
				    br->name, cp->name);
			failed++;
		}
	}
	return failed;
}

static void config_apply_fdb(struct bridge *br, const struct config_switch *cs)
{
	struct config_fdb_collect c;

	config_static_entries(br, &c);
	for (size_t i = 0; i < c.n; i++) {
		bool keep = false;

		for (unsigned j = 0; j < cs->n_fdb && !keep; j++)
			keep = cs->fdb[j].vlan == c.e[i].vlan &&
			       !memcmp(cs->fdb[j].mac, c.e[i].mac, sizeof(c.e[i].mac));
		if (!keep)
			fdb_del(br->fdb, c.e[i].vlan, c.e[i].mac);
	}
	free(c.e);
	for (unsigned j = 0; j < cs->n_fdb; j++) {
		const struct config_fdb *f = &cs->fdb[j];
		int rc = bridge_fdb_add(br, f->vlan, f->mac, f->port);
		char mac[18];

		if (rc < 0)
			warn("switch %s: static MAC %s vlan %u -> %s not added: %s", br->name,
			     eth_mac_format(f->mac, mac), f->vlan, f->port, strerror(-rc));
	}
}

/* Make @br's mirrors those of @cs (after its ports, which they name). */
static void config_apply_mirrors(struct bridge *br, const struct config_switch *cs)
{
	struct mirror *m, *next;
	char err[256];

	for (m = mirror_next(br, NULL); m; m = next) {
		bool keep = false;

		next = mirror_next(br, m);
		for (unsigned j = 0; j < cs->n_mirrors && !keep; j++)
			keep = !strcmp(cs->mirrors[j].name, m->name);
		if (!keep)
			mirror_del(br, m->name);
	}
	for (unsigned j = 0; j < cs->n_mirrors; j++) {
		const struct config_mirror *cm = &cs->mirrors[j];

		m = mirror_find(br, cm->name);
		if (m && config_kv_subset(&m->opts, &cm->opts) &&
		    config_kv_subset(&cm->opts, &m->opts))
			continue;
		if (mirror_add(br, cm->name, &cm->opts, err, sizeof(err)) < 0)
			warn("switch %s: mirror %s not added: %s", br->name, cm->name, err);
	}
}

/* The MAC table size @cs asks for; changing it means recreating the switch. */
static uint32_t config_fdb_max(const struct config_switch *cs)
{
	const char *v = config_kv_peek(&cs->opts, "fdb_max");

	return v ? (uint32_t)strtoul(v, NULL, 10) : FDB_DEFAULT_MAX_ENTRIES;
}

static void config_remove_switch(struct vnetd *d, size_t slot)
{
	struct bridge *br = d->bridges[slot];

	info("switch %s removed", br->name);
	config_stale_del(d, br->name, NULL);
	d->bridges[slot] = NULL;
	bridge_destroy(br);
}

static unsigned config_apply_switch(struct vnetd *d, const struct config_switch *cs)
{
	struct bridge *br = NULL;
	char err[256];
	size_t slot;

	for (slot = 0; slot < ARRAY_SIZE(d->bridges); slot++) {
		if (d->bridges[slot] && !strcmp(d->bridges[slot]->name, cs->name)) {
			br = d->bridges[slot];
			break;
		}
	}
	if (br && fdb_get_max(br->fdb) != config_fdb_max(cs)) {
		config_remove_switch(d, slot);
		br = NULL;
	}
	if (br) {
		struct kv_list set = cs->opts;
		char aging[16];

		/* An option dropped from the file goes back to its default. */
		kv_del(&set, "fdb_max");
		if (!config_kv_peek(&set, "aging")) {
			snprintf(aging, sizeof(aging), "%d", FDB_AGING_DEFAULT_S);
			kv_set(&set, "aging", aging);
		}
		if (bridge_set(br, &set, err, sizeof(err)) < 0)
			warn("switch %s: options not changed: %s", br->name, err);
	} else {
		for (slot = 0; slot < ARRAY_SIZE(d->bridges) && d->bridges[slot]; slot++)
			;
		if (slot == ARRAY_SIZE(d->bridges)) {
			err("switch %s: too many switches", cs->name);
			return cs->n_ports;
		}
		br = bridge_create(&d->dp, cs->name, &cs->opts, err, sizeof(err));
		if (!br) {
			err("switch %s: %s", cs->name, err);
			return cs->n_ports;
		}
		d->bridges[slot] = br;
	}
	{
		unsigned failed = config_apply_ports(d, br, cs);

		config_apply_fdb(br, cs);
		config_apply_mirrors(br, cs);
		return failed;
	}
}

unsigned config_apply(struct vnetd *d, const struct config *c)
{
	unsigned failed = 0;

	for (size_t i = 0; i < ARRAY_SIZE(d->bridges); i++) {
		if (d->bridges[i] && !config_find_switch(c, d->bridges[i]->name))
			config_remove_switch(d, i);
	}
	for (unsigned i = 0; i < c->n_switches; i++)
		failed += config_apply_switch(d, &c->switches[i]);
	return failed;
}
