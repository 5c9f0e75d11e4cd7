// SPDX-License-Identifier: GPL-2.0-or-later
/* lease.c - DHCP lease table, reservations, and their JSON form. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../net/eth.h"
#include "inet.h"
#include "lease.h"

static const char *const lease_state_names[] = {
#define LEASE_NAME_(e, name) name,
	LEASE_STATES(LEASE_NAME_)
#undef LEASE_NAME_
};

const char *lease_state_name(enum lease_state s)
{
	return (unsigned)s < N_LEASE_STATES ? lease_state_names[s] : "?";
}

struct lease_table *lease_table_create(unsigned max)
{
	struct lease_table *t;

	if (!max || max > LEASE_MAX_MAX_ENTRIES)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->e = calloc(max, sizeof(*t->e));
	if (!t->e) {
		free(t);
		return NULL;
	}
	t->max = max;
	return t;
}

void lease_table_destroy(struct lease_table *t)
{
	if (!t)
		return;
	free(t->e);
	free(t);
}

struct lease *lease_find_mac(struct lease_table *t, const uint8_t mac[static 6])
{
	for (unsigned i = 0; i < t->n; i++) {
		if (t->e[i].state != LEASE_DECLINED && !memcmp(t->e[i].mac, mac, 6))
			return &t->e[i];
	}
	return NULL;
}

struct lease *lease_find_ip(struct lease_table *t, uint32_t ip)
{
	for (unsigned i = 0; i < t->n; i++) {
		if (t->e[i].ip == ip)
			return &t->e[i];
	}
	return NULL;
}

bool lease_find_hostname(const struct lease_table *t, const char *name, int64_t now, uint32_t *ip)
{
	if (!*name)
		return false;
	for (unsigned i = 0; i < t->n_resv; i++) {
		if (!strcasecmp(t->resv[i].hostname, name)) {
			*ip = t->resv[i].ip;
			return true;
		}
	}
	for (unsigned i = 0; i < t->n; i++) {
		const struct lease *l = &t->e[i];

		if (l->state == LEASE_BOUND && l->expires > now && !strcasecmp(l->hostname, name)) {
			*ip = l->ip;
			return true;
		}
	}
	return false;
}

const char *lease_find_name_of(const struct lease_table *t, uint32_t ip, int64_t now)
{
	for (unsigned i = 0; i < t->n_resv; i++) {
		if (t->resv[i].ip == ip && t->resv[i].hostname[0])
			return t->resv[i].hostname;
	}
	for (unsigned i = 0; i < t->n; i++) {
		const struct lease *l = &t->e[i];

		if (l->ip == ip && l->state == LEASE_BOUND && l->expires > now && l->hostname[0])
			return l->hostname;
	}
	return NULL;
}

void lease_del(struct lease_table *t, struct lease *l)
{
	unsigned i = (unsigned)(l - t->e);

	if (i >= t->n)
		return;
	t->e[i] = t->e[--t->n];
	memset(&t->e[t->n], 0, sizeof(t->e[t->n]));
}

/* The free pairing (released, or expired) that ended longest ago, or NULL. */
static struct lease *lease_oldest_free(struct lease_table *t, int64_t now)
{
	struct lease *best = NULL;

	for (unsigned i = 0; i < t->n; i++) {
		struct lease *l = &t->e[i];

		if (lease_is_held(l, now))
			continue;
		if (!best || l->expires < best->expires)
			best = l;
	}
	return best;
}

struct lease *lease_add(struct lease_table *t, const uint8_t mac[static 6], uint32_t ip,
			int64_t now)
{
	struct lease *l;

	if (t->n == t->max) {
		l = lease_oldest_free(t, now);
		if (!l) {
			t->n_full++;
			return NULL;
		}
	} else {
		l = &t->e[t->n++];
	}
	memset(l, 0, sizeof(*l));
	memcpy(l->mac, mac, 6);
	l->ip = ip;
	l->state = LEASE_RELEASED;
	l->expires = now;
	return l;
}

const struct lease_resv *lease_resv_find_mac(const struct lease_table *t,
					     const uint8_t mac[static 6])
{
	for (unsigned i = 0; i < t->n_resv; i++) {
		if (!memcmp(t->resv[i].mac, mac, 6))
			return &t->resv[i];
	}
	return NULL;
}

const struct lease_resv *lease_resv_find_ip(const struct lease_table *t, uint32_t ip)
{
	for (unsigned i = 0; i < t->n_resv; i++) {
		if (t->resv[i].ip == ip)
			return &t->resv[i];
	}
	return NULL;
}

bool lease_hostname_sanitize(const uint8_t *in, size_t size, char out[static LEASE_HOSTNAME_MAX])
{
	size_t n = 0;

	for (size_t i = 0; i < size && in[i] != '.' && in[i] != '\0'; i++) {
		int c = tolower(in[i]);

		if (n == LEASE_HOSTNAME_MAX - 1)
			break;
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')
			out[n++] = (char)c;
	}
	while (n && out[n - 1] == '-')
		n--;
	out[n] = '\0';
	if (out[0] == '-') {
		size_t skip = strspn(out, "-");

		memmove(out, out + skip, n - skip + 1);
	}
	return out[0] != '\0';
}

/* Is @s already a clean label (what lease_hostname_sanitize() would keep)? */
static bool lease_hostname_valid(const char *s)
{
	char clean[LEASE_HOSTNAME_MAX];
	size_t n = strlen(s);

	if (n >= LEASE_HOSTNAME_MAX)
		return false;
	return lease_hostname_sanitize((const uint8_t *)s, n, clean) && !strcmp(clean, s);
}

int lease_resv_add(struct lease_table *t, const uint8_t mac[static 6], uint32_t ip,
		   const char *hostname, char *err, size_t errsz)
{
	const struct lease_resv *other = lease_resv_find_ip(t, ip);
	struct lease_resv *r = (struct lease_resv *)lease_resv_find_mac(t, mac);
	char a[16], m[18];

	if (eth_is_multicast(mac) || eth_is_zero(mac)) {
		snprintf(err, errsz, "%s is not a unicast MAC address", eth_mac_format(mac, m));
		return -EINVAL;
	}
	if (hostname && *hostname && !lease_hostname_valid(hostname)) {
		snprintf(err, errsz,
			 "hostname=%.64s: use 1..%d of a-z 0-9 - (one DNS label, no leading '-')",
			 hostname, LEASE_HOSTNAME_MAX - 1);
		return -EINVAL;
	}
	if (other && memcmp(other->mac, mac, 6)) {
		snprintf(err, errsz, "%s is already reserved for %s", inet_format_addr(ip, a),
			 eth_mac_format(other->mac, m));
		return -EEXIST;
	}
	if (!r) {
		if (t->n_resv == LEASE_RESV_MAX) {
			snprintf(err, errsz, "too many reservations (at most %d)", LEASE_RESV_MAX);
			return -ENOSPC;
		}
		r = &t->resv[t->n_resv++];
	}
	memset(r, 0, sizeof(*r));
	memcpy(r->mac, mac, 6);
	r->ip = ip;
	if (hostname)
		snprintf(r->hostname, sizeof(r->hostname), "%s", hostname);
	return 0;
}

int lease_resv_del(struct lease_table *t, const uint8_t mac[static 6])
{
	for (unsigned i = 0; i < t->n_resv; i++) {
		if (!memcmp(t->resv[i].mac, mac, 6)) {
			t->resv[i] = t->resv[--t->n_resv];
			return 0;
		}
	}
	return -ENOENT;
}

json_t *lease_table_to_json(const struct lease_table *t)
{
	json_t *arr = json_array();
	char m[18], a[16];

	for (unsigned i = 0; i < t->n; i++) {
		const struct lease *l = &t->e[i];

		if (l->state == LEASE_OFFERED)
			continue;
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:I, s:s, s:s}", "mac",
						     eth_mac_format(l->mac, m), "ip",
						     inet_format_addr(l->ip, a), "state",
						     lease_state_name(l->state), "expires",
						     (json_int_t)l->expires, "hostname",
						     l->hostname, "port", l->port));
	}
	return json_pack("{s:i, s:o}", "version", LEASE_FILE_VERSION, "leases", arr);
}

static bool lease_state_parse(const char *s, enum lease_state *st)
{
	for (unsigned i = 0; i < N_LEASE_STATES; i++) {
		if (!strcmp(s, lease_state_names[i])) {
			*st = (enum lease_state)i;
			return true;
		}
	}
	return false;
}

/* One lease entry of a file. Return: true, or false with @err set. */
static bool lease_entry_from_json(const json_t *o, struct lease *l, char *err, size_t errsz)
{
	const char *mac = NULL, *ip = NULL, *state = NULL, *host = "", *port = "";
	json_int_t expires = 0;
	json_error_t je;

	if (json_unpack_ex((json_t *)o, &je, JSON_STRICT, "{s:s, s:s, s:s, s:I, s?s, s?s}", "mac",
			   &mac, "ip", &ip, "state", &state, "expires", &expires, "hostname", &host,
			   "port", &port) < 0) {
		snprintf(err, errsz, "%s", je.text);
		return false;
	}
	memset(l, 0, sizeof(*l));
	if (!eth_mac_parse(mac, l->mac)) {
		snprintf(err, errsz, "mac: '%.32s' is not a MAC address", mac);
		return false;
	}
	if (!inet_parse_addr(ip, &l->ip)) {
		snprintf(err, errsz, "ip: '%.32s' is not an IPv4 address", ip);
		return false;
	}
	if (!lease_state_parse(state, &l->state) || l->state == LEASE_OFFERED) {
		snprintf(err, errsz, "state: '%.32s' is not bound, released or declined", state);
		return false;
	}
	if (*host && !lease_hostname_valid(host)) {
		snprintf(err, errsz, "hostname: '%.64s' is not a valid host name", host);
		return false;
	}
	if (strlen(port) >= LEASE_PORT_MAX) {
		snprintf(err, errsz, "port: name too long");
		return false;
	}
	l->expires = expires;
	strcpy(l->hostname, host);
	strcpy(l->port, port);
	return true;
}

int lease_table_from_json(struct lease_table *t, const json_t *doc, char *err, size_t errsz)
{
	const json_t *arr = json_object_get(doc, "leases"), *v = json_object_get(doc, "version");
	char e[160];
	size_t i;
	json_t *o;

	t->n = 0;
	if (!json_is_integer(v) || json_integer_value(v) != LEASE_FILE_VERSION) {
		snprintf(err, errsz, "version: expected %d", LEASE_FILE_VERSION);
		return -EINVAL;
	}
	if (!json_is_array(arr)) {
		snprintf(err, errsz, "leases: expected an array");
		return -EINVAL;
	}
	if (json_array_size(arr) > t->max) {
		snprintf(err, errsz, "leases: %zu entries, the table holds %u",
			 json_array_size(arr), t->max);
		return -EINVAL;
	}
	json_array_foreach(arr, i, o)
	{
		struct lease l;

		if (!lease_entry_from_json(o, &l, e, sizeof(e))) {
			snprintf(err, errsz, "leases[%zu]: %s", i, e);
			t->n = 0;
			return -EINVAL;
		}
		if (lease_find_ip(t, l.ip) ||
		    (l.state != LEASE_DECLINED && lease_find_mac(t, l.mac))) {
			snprintf(err, errsz, "leases[%zu]: duplicate address or MAC", i);
			t->n = 0;
			return -EINVAL;
		}
		t->e[t->n++] = l;
	}
	return 0;
}

json_t *lease_resv_to_json(const struct lease_table *t)
{
	json_t *arr = json_array();
	char m[18], a[16];

	for (unsigned i = 0; i < t->n_resv; i++) {
		const struct lease_resv *r = &t->resv[i];

		json_array_append_new(
			arr, json_pack("{s:s, s:s, s:s}", "mac", eth_mac_format(r->mac, m), "ip",
				       inet_format_addr(r->ip, a), "hostname", r->hostname));
	}
	return arr;
}

int lease_resv_from_json(struct lease_table *t, const json_t *arr, char *err, size_t errsz)
{
	char e[160];
	size_t i;
	json_t *o;

	t->n_resv = 0;
	if (!json_is_array(arr)) {
		snprintf(err, errsz, "reservations: expected an array");
		return -EINVAL;
	}
	json_array_foreach(arr, i, o)
	{
		const char *mac = NULL, *ip = NULL, *host = "";
		uint8_t m[6];
		uint32_t a;
		json_error_t je;

		if (json_unpack_ex(o, &je, JSON_STRICT, "{s:s, s:s, s?s}", "mac", &mac, "ip", &ip,
				   "hostname", &host) < 0) {
			snprintf(err, errsz, "reservations[%zu]: %s", i, je.text);
			goto fail;
		}
		if (!eth_mac_parse(mac, m) || !inet_parse_addr(ip, &a)) {
			snprintf(err, errsz, "reservations[%zu]: bad MAC or address", i);
			goto fail;
		}
		if (lease_resv_find_mac(t, m) || lease_resv_add(t, m, a, host, e, sizeof(e)) < 0) {
			snprintf(err, errsz, "reservations[%zu]: %s", i,
				 lease_resv_find_mac(t, m) ? "duplicate MAC" : e);
			goto fail;
		}
	}
	return 0;
fail:
	t->n_resv = 0;
	return -EINVAL;
}
