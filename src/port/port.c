// SPDX-License-Identifier: GPL-2.0-or-later
/* port.c - port types registry, generic port options, and the receive loop. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/log.h"
#include "../base/util.h"
#include "dgram.h"
#include "dummy.h"
#include "port.h"
#include "stream.h"
#include "tap.h"
#include "uplink.h"
#include "../svc/svc_port.h"
#include "vhost_user.h"
#include "vxlan.h"

/* The port types. A new type adds its ops here. */
static const struct port_ops *const port_types[] = {
	&tap_port_ops,	      &internal_port_ops,
	&dummy_port_ops,      &gateway_port_ops,
	&vhost_user_port_ops, &vxlan_port_ops,
	&stream_port_ops,     &dgram_port_ops,
	&uplink_port_ops,     NULL,
};

const struct port_ops *port_ops_find(const char *type)
{
	for (unsigned i = 0; port_types[i]; i++) {
		if (!strcmp(port_types[i]->type, type))
			return port_types[i];
	}
	return NULL;
}

const struct port_ops *const *port_ops_all(void)
{
	return port_types;
}

/*
 * Generic options, common to every type: parsed here, so each type sees only
 * its own keys. @opts keys are consumed (kv_get marks them used).
 */
static int port_parse_generic(struct kv_list *opts, const struct port_ops **ops,
			      struct vlan_cfg *vlan, uint32_t *mtu, struct port_guard *guard,
			      char *err, size_t errsz)
{
	const char *type = kv_get(opts, "type");
	uint64_t m = *mtu;

	if (!type)
		type = "tap";
	*ops = port_ops_find(type);
	if (!*ops) {
		snprintf(err, errsz, "type=%.32s: unknown port type", type);
		return -EINVAL;
	}
	if (!vlan_cfg_parse(vlan, kv_get(opts, "vlan_mode"), kv_get(opts, "tag"),
			    kv_get(opts, "trunks"), err, errsz))
		return -EINVAL;
	if (!kv_get_u64(opts, "mtu", 68, PORT_MTU_MAX, &m, err, errsz))
		return -EINVAL;
	*mtu = (uint32_t)m;
	if (!guard_parse(guard, opts, (*ops)->vm_facing && vlan->mode != VLAN_MODE_TRUNK, err,
			 errsz))
		return -EINVAL;
	return 0;
}

/* Keys parsed here for every type; the rest belong to the type. */
static bool port_generic_key(const char *k)
{
	static const char *const keys[] = {
		"type",
		"vlan_mode",
		"tag",
		"trunks",
		"mtu",
		"mac_spoof_guard",
		"ip_guard",
		"dhcp_guard",
		"router_guard",
		"protected",
		"mac",
		"ip",
		"storm_bcast_pps",
		"storm_mcast_pps",
		"storm_unknown_pps",
		"ingress_kbps",
		"ingress_pps",
		"ingress_burst_kb",
		"mac_limit",
	};

	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		if (!strcmp(k, keys[i]))
			return true;
	}
	return false;
}

static int port_check_unused(const struct kv_list *opts, const char *type, char *err, size_t errsz)
{
	const char *k = kv_first_unused(opts);

	if (k) {
		snprintf(err, errsz, "unknown option '%s' for a %s port", k, type);
		return -EINVAL;
	}
	return 0;
}

int port_validate(const struct kv_list *opts_in, char *err, size_t errsz)
{
	struct kv_list opts = *opts_in;
	const struct port_ops *ops;
	struct vlan_cfg vlan;
	struct port_guard guard;
	uint32_t mtu = PORT_MTU_DEFAULT;
	int rc;

	opts.used = 0;
	rc = port_parse_generic(&opts, &ops, &vlan, &mtu, &guard, err, errsz);
	if (rc)
		return rc;
	if (ops->validate) {
		rc = ops->validate(&opts, err, errsz);
		if (rc)
			return rc;
	}
	return port_check_unused(&opts, ops->type, err, errsz);
}

struct port *port_create(struct dp *dp, const char *name, const struct kv_list *opts, char *err,
			 size_t errsz)
{
	struct port *p;
	int rc;

	if (!*name || strlen(name) >= PORT_NAME_MAX) {
		snprintf(err, errsz, "port name must be 1..%d characters", PORT_NAME_MAX - 1);
		return NULL;
	}
	rc = port_validate(opts, err, errsz);
	if (rc)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	strcpy(p->name, name);
	p->dp = dp;
	p->opts = *opts;
	p->opts.used = 0;
	p->mtu = PORT_MTU_DEFAULT;
	p->state = PORT_DOWN;
	port_parse_generic(&p->opts, &p->ops, &p->vlan, &p->mtu, &p->guard, err, errsz);
	if (!kv_get(&p->opts, "type"))
		kv_set(&p->opts, "type", p->ops->type);
	rc = p->ops->open(p, &p->opts, err, errsz);
	if (rc) {
		free(p);
		return NULL;
	}
	return p;
}

void port_destroy(struct port *p)
{
	if (!p)
		return;
	p->ops->close(p);
	free(p);
}

int port_set(struct port *p, const struct kv_list *changes, char *err, size_t errsz)
{
	struct kv_list merged = p->opts, typed = { 0 };
	const struct port_ops *ops;
	struct vlan_cfg vlan;
	struct port_guard guard;
	uint32_t mtu = PORT_MTU_DEFAULT;
	bool type_specific = false;
	int rc;

	for (unsigned i = 0; i < changes->n; i++) {
		const struct kv *kv = &changes->kv[i];

		if (!strcmp(kv->key, "type") && strcmp(kv->val, p->ops->type)) {
			snprintf(err, errsz, "type cannot change; delete and re-add the port");
			return -EINVAL;
		}
		if (!kv_set(&merged, kv->key, kv->val)) {
			snprintf(err, errsz, "too many options");
			return -EINVAL;
		}
	}
	/* Setting a VLAN mode drops stale keys that the new mode refuses. */
	if (kv_get(&merged, "vlan_mode")) {
		const char *m = kv_get(&merged, "vlan_mode");
		bool tag_given = false, trunks_given = false;

		for (unsigned i = 0; i < changes->n; i++) {
			tag_given |= !strcmp(changes->kv[i].key, "tag");
			trunks_given |= !strcmp(changes->kv[i].key, "trunks");
		}
		if (!strcmp(m, "trunk") && !tag_given)
			kv_del(&merged, "tag");
		if (!strcmp(m, "access") && !trunks_given)
			kv_del(&merged, "trunks");
	}
	for (unsigned i = 0; i < merged.n; i++) { /* empty value = remove the option */
		if (!merged.kv[i].val[0])
			kv_del(&merged, merged.kv[i--].key);
	}
	rc = port_validate(&merged, err, errsz);
	if (rc)
		return rc;
	merged.used = 0;
	port_parse_generic(&merged, &ops, &vlan, &mtu, &guard, err, errsz);
	for (unsigned i = 0; i < changes->n; i++) {
		const char *k = changes->kv[i].key;

		if (!port_generic_key(k)) {
			type_specific = true;
			kv_set(&typed, k, changes->kv[i].val);
		}
	}
	if (type_specific) {
		if (!p->ops->reconfigure) {
			snprintf(err, errsz, "option '%s' of a %s port cannot change at run time",
				 typed.kv[0].key, p->ops->type);
			return -EOPNOTSUPP;
		}
		rc = p->ops->reconfigure(p, &typed, err, errsz);
		if (rc)
			return rc;
	}
	p->vlan = vlan;
	p->mtu = mtu;
	/* keep the learned state (sticky MAC, snooped address) unless its setting changed */
	if (guard.n_macs == 0 && p->guard.sticky_set && guard.mac_spoof) {
		memcpy(guard.macs[0], p->guard.macs[0], sizeof(guard.macs[0]));
		guard.n_macs = 1;
		guard.sticky_set = true;
	}
	guard.snoop4 = p->guard.snoop4;
	p->guard = guard;
	merged.used = 0;
	p->opts = merged;
	return 0;
}

void port_rx_done(struct port *p, struct pkt **pkts, unsigned n)
{
	if (p->ops->rx_done)
		p->ops->rx_done(p, pkts, n);
	else
		pkt_free_burst(p->dp->pool, pkts, n);
}

unsigned port_poll(struct port *p, unsigned budget)
{
	struct pkt *pkts[PKT_BATCH];
	unsigned total = 0;

	while (budget-- && p->state == PORT_UP) {
		unsigned n = p->ops->rx_burst(p, pkts, PKT_BATCH);

		if (!n)
			break;
		total += n;
		if (p->input)
			p->input(p, pkts, n);
		else
			port_rx_done(p, pkts, n);
		if (n < PKT_BATCH)
			break;
	}
	return total;
}

void port_set_down(struct port *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->down_reason, sizeof(p->down_reason), fmt, ap);
	va_end(ap);
	if (p->state != PORT_DOWN)
		warn("port %s: down: %s", p->name, p->down_reason);
	p->state = PORT_DOWN;
}

void port_set_up(struct port *p)
{
	if (p->state != PORT_UP)
		info("port %s: up", p->name);
	p->state = PORT_UP;
	p->down_reason[0] = '\0';
}
