// SPDX-License-Identifier: GPL-2.0-or-later
/* nat.c - NAT engine selection and the engine-independent port-forward list. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../base/log.h"
#include "inet.h"
#include "nat.h"

#define NAT_UNPRIV_PORT_START "/proc/sys/net/ipv4/ip_unprivileged_port_start"

static const struct nat_engine_ops *const nat_engines[] = {
	&nat_slirp_ops,
	NULL,
};

const char *nat_proto_name(enum nat_proto p)
{
	return p == NAT_UDP ? "udp" : "tcp";
}

struct nat *nat_create(struct dp *dp, const struct nat_config *cfg, const struct nat_io *io,
		       const char *engine, char *err, size_t errsz)
{
	const struct nat_engine_ops *ops = NULL;
	struct nat *n;

	if (!engine)
		engine = NAT_ENGINE_DEFAULT;
	for (unsigned i = 0; nat_engines[i]; i++) {
		if (!strcmp(nat_engines[i]->name, engine))
			ops = nat_engines[i];
	}
	if (!ops) {
		snprintf(err, errsz, "engine=%.32s: unknown NAT engine", engine);
		return NULL;
	}
	n = calloc(1, sizeof(*n));
	if (!n) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	n->ops = ops;
	n->cfg = *cfg;
	n->eng = ops->create(dp, &n->cfg, io, err, errsz);
	if (!n->eng) {
		free(n);
		return NULL;
	}
	return n;
}

void nat_destroy(struct nat *n)
{
	if (!n)
		return;
	n->ops->destroy(n->eng);
	free(n);
}

/* "[IP:]PORT" (IP optional when @default_ip is not 0). */
static bool nat_parse_endpoint(const char *s, uint32_t default_ip, uint32_t *ip, uint16_t *port)
{
	char buf[64], *colon, *end;
	const char *p = s;
	unsigned long v;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	colon = strrchr(buf, ':');
	if (colon) {
		*colon = '\0';
		if (!inet_parse_addr(buf, ip))
			return false;
		p = s + (colon - buf) + 1;
	} else {
		if (!default_ip)
			return false;
		*ip = default_ip;
	}
	if (*p < '0' || *p > '9')
		return false;
	v = strtoul(p, &end, 10);
	if (*end || v < 1 || v > 65535)
		return false;
	*port = (uint16_t)v;
	return true;
}

bool nat_fwd_parse(const char *proto, const char *host, const char *guest, struct nat_fwd *f,
		   char *err, size_t errsz)
{
	memset(f, 0, sizeof(*f));
	if (!strcmp(proto, "tcp")) {
		f->proto = NAT_TCP;
	} else if (!strcmp(proto, "udp")) {
		f->proto = NAT_UDP;
	} else {
		snprintf(err, errsz, "'%.16s': the protocol is tcp or udp", proto);
		return false;
	}
	if (!nat_parse_endpoint(host, INADDR_LOOPBACK, &f->host_ip, &f->host_port)) {
		snprintf(err, errsz, "'%.64s': expected the host side as [IP:]PORT", host);
		return false;
	}
	if (guest && !nat_parse_endpoint(guest, 0, &f->guest_ip, &f->guest_port)) {
		snprintf(err, errsz, "'%.64s': expected the VM side as IP:PORT", guest);
		return false;
	}
	return true;
}

static unsigned nat_unpriv_port_start(void)
{
	unsigned v = 1024;
	FILE *f = fopen(NAT_UNPRIV_PORT_START, "re");

	if (f) {
		if (fscanf(f, "%u", &v) != 1)
			v = 1024;
		fclose(f);
	}
	return v;
}

/*
 * A UDP port another socket holds is not always refused by bind() with
 * SO_REUSEADDR (libslirp sets it), so probe without it first.
 */
static int nat_probe_udp(const struct nat_fwd *f)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(f->host_port),
				  .sin_addr.s_addr = htonl(f->host_ip) };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = 0;

	if (s < 0)
		return -errno;
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		rc = -errno;
	close(s);
	return rc;
}

/* The engine's bind error, in words a user can act on. */
static void nat_fwd_error(const struct nat_fwd *f, int rc, char *err, size_t errsz)
{
	char a[16];

	inet_format_addr(f->host_ip, a);
	switch (-rc) {
	case EADDRINUSE:
		snprintf(err, errsz, "host port %s:%u/%s is in use by another program", a,
			 f->host_port, nat_proto_name(f->proto));
		break;
	case EACCES:
		snprintf(err, errsz,
			 "host port %u/%s is privileged (below net.ipv4.ip_unprivileged_port_start"
			 "=%u) and vnetd lacks CAP_NET_BIND_SERVICE",
			 f->host_port, nat_proto_name(f->proto), nat_unpriv_port_start());
		break;
	case EADDRNOTAVAIL:
		snprintf(err, errsz, "host address %s is not an address of this host", a);
		break;
	default:
		snprintf(err, errsz, "host port %s:%u/%s: %s", a, f->host_port,
			 nat_proto_name(f->proto), strerror(-rc));
		break;
	}
}

static struct nat_fwd *nat_fwd_find(struct nat *n, enum nat_proto proto, uint32_t host_ip,
				    uint16_t host_port)
{
	for (unsigned i = 0; i < n->n_fwd; i++) {
		struct nat_fwd *f = &n->fwd[i];

		if (f->proto == proto && f->host_port == host_port &&
		    (f->host_ip == host_ip || !f->host_ip || !host_ip))
			return f;
	}
	return NULL;
}

/* Checks that do not depend on the host: the VM side, duplicates, room. */
static int nat_fwd_check(struct nat *n, const struct nat_fwd *f, char *err, size_t errsz)
{
	uint32_t mask = inet_mask(n->cfg.plen);
	char a[16];

	inet_format_addr(f->guest_ip, a);
	if ((f->guest_ip & mask) != n->cfg.net || f->guest_ip == n->cfg.net ||
	    f->guest_ip == (n->cfg.net | ~mask)) {
		snprintf(err, errsz, "%s is not a VM address of this network", a);
		return -EINVAL;
	}
	if (f->guest_ip == n->cfg.gw || f->guest_ip == n->cfg.dns_ip) {
		snprintf(err, errsz, "%s is the gateway's own address", a);
		return -EINVAL;
	}
	if (nat_fwd_find(n, f->proto, f->host_ip, f->host_port)) {
		snprintf(err, errsz, "a %s forward from host port %u already exists",
			 nat_proto_name(f->proto), f->host_port);
		return -EEXIST;
	}
	if (n->n_fwd == NAT_FWD_MAX) {
		snprintf(err, errsz, "too many forwards (at most %d)", NAT_FWD_MAX);
		return -ENOSPC;
	}
	return 0;
}

/* Start @f in the engine. Return: 0 or -errno with @err set. */
static int nat_fwd_start(struct nat *n, const struct nat_fwd *f, char *err, size_t errsz)
{
	int rc = f->proto == NAT_UDP ? nat_probe_udp(f) : 0;

	if (!rc)
		rc = n->ops->fwd_add(n->eng, f);
	if (rc)
		nat_fwd_error(f, rc, err, errsz);
	return rc;
}

int nat_fwd_add(struct nat *n, const struct nat_fwd *f, char *err, size_t errsz)
{
	struct nat_fwd *nf;
	int rc = nat_fwd_check(n, f, err, errsz);

	if (rc)
		return rc;
	rc = nat_fwd_start(n, f, err, errsz);
	if (rc)
		return rc;
	nf = &n->fwd[n->n_fwd++];
	*nf = *f;
	nf->active = true;
	nf->error[0] = '\0';
	return 0;
}

int nat_fwd_del(struct nat *n, enum nat_proto proto, uint32_t host_ip, uint16_t host_port,
		char *err, size_t errsz)
{
	struct nat_fwd *f = nat_fwd_find(n, proto, host_ip, host_port);
	char a[16];

	if (!f || f->host_ip != host_ip) {
		snprintf(err, errsz, "no %s forward from %s:%u", nat_proto_name(proto),
			 inet_format_addr(host_ip, a), host_port);
		return -ENOENT;
	}
	if (f->active)
		n->ops->fwd_del(n->eng, f);
	*f = n->fwd[--n->n_fwd];
	return 0;
}

json_t *nat_fwd_to_json(const struct nat *n, bool with_status)
{
	json_t *arr = json_array();
	char h[16], g[16];

	for (unsigned i = 0; i < n->n_fwd; i++) {
		const struct nat_fwd *f = &n->fwd[i];
		json_t *o = json_pack(
			"{s:s, s:s, s:i, s:s, s:i}", "proto", nat_proto_name(f->proto), "host",
			inet_format_addr(f->host_ip, h), "host_port", f->host_port, "guest",
			inet_format_addr(f->guest_ip, g), "guest_port", f->guest_port);

		if (with_status) {
			json_object_set_new(o, "active", json_boolean(f->active));
			json_object_set_new(o, "error", json_string(f->error));
		}
		json_array_append_new(arr, o);
	}
	return arr;
}

int nat_fwd_restore(struct nat *n, const json_t *arr, char *err, size_t errsz)
{
	struct nat_fwd fwds[NAT_FWD_MAX];
	size_t i, k = 0;
	json_t *o;

	if (!json_is_array(arr) || json_array_size(arr) > NAT_FWD_MAX) {
		snprintf(err, errsz, "forwards: expected an array of at most %d", NAT_FWD_MAX);
		return -EINVAL;
	}
	json_array_foreach(arr, i, o)
	{
		const char *proto, *host, *guest;
		int hp, gp;
		char hs[64], gs[64], e[128];
		json_error_t je;

		if (json_unpack_ex(o, &je, JSON_STRICT, "{s:s, s:s, s:i, s:s, s:i}", "proto",
				   &proto, "host", &host, "host_port", &hp, "guest", &guest,
				   "guest_port", &gp) < 0) {
			snprintf(err, errsz, "forwards[%zu]: %s", i, je.text);
			return -EINVAL;
		}
		snprintf(hs, sizeof(hs), "%.20s:%d", host, hp);
		snprintf(gs, sizeof(gs), "%.20s:%d", guest, gp);
		if (!nat_fwd_parse(proto, hs, gs, &fwds[k], e, sizeof(e))) {
			snprintf(err, errsz, "forwards[%zu]: %s", i, e);
			return -EINVAL;
		}
		k++;
	}
	for (i = 0; i < k; i++) {
		struct nat_fwd *f = &fwds[i];
		char e[128];
		int rc = nat_fwd_check(n, f, e, sizeof(e));

		if (rc) {
			warn("nat: forward %s %u dropped from the state: %s",
			     nat_proto_name(f->proto), f->host_port, e);
			continue;
		}
		rc = nat_fwd_start(n, f, f->error, sizeof(f->error));
		f->active = !rc;
		if (rc)
			warn("nat: forward %s port %u restored but inactive: %s",
			     nat_proto_name(f->proto), f->host_port, f->error);
		n->fwd[n->n_fwd++] = *f;
	}
	return 0;
}
