// SPDX-License-Identifier: GPL-2.0-or-later
/* network.c - building the switch of a nat, host-only or private network. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../base/log.h"
#include "../base/util.h"
#include "inet.h"
#include "network.h"

bool network_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (!n || n > NETWORK_NAME_MAX || name[0] == '-' || name[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return false;
	}
	return true;
}

static bool network_overlap(uint32_t a, unsigned alen, uint32_t b, unsigned blen)
{
	uint32_t m = inet_mask(MIN(alen, blen));

	return (a & m) == (b & m);
}

bool network_subnet_clash(uint32_t net, unsigned plen, struct bridge *const *existing, size_t n,
			  char *why, size_t whysz)
{
	FILE *f = fopen(NETWORK_ROUTES, "re");
	char line[256], a[16];
	bool clash = false;

	for (size_t i = 0; i < n && !clash; i++) {
		struct svc *s = existing[i] ? svc_find(existing[i]) : NULL;

		if (s && network_overlap(net, plen, svc_plan(s)->net, svc_plan(s)->plen)) {
			clash = true;
			if (why)
				snprintf(why, whysz, "network %s (%s/%u)", svc_net(s),
					 inet_format_addr(svc_plan(s)->net, a), svc_plan(s)->plen);
		}
	}
	if (!f || clash) {
		if (f)
			fclose(f);
		return clash;
	}
	if (!fgets(line, sizeof(line), f)) { /* header */
		fclose(f);
		return false;
	}
	while (!clash && fgets(line, sizeof(line), f)) {
		char ifname[64];
		unsigned long dst, gw, rmask;
		unsigned flags, refcnt, use, metric;
		uint32_t d, m;
		unsigned mlen;

		if (sscanf(line, "%63s %lx %lx %x %u %u %u %lx", ifname, &dst, &gw, &flags, &refcnt,
			   &use, &metric, &rmask) != 8)
			continue;
		d = ntohl((uint32_t)dst);
		m = ntohl((uint32_t)rmask);
		if (!m)
			continue; /* the default route covers everything; it is no clash */
		mlen = (unsigned)__builtin_popcount(m);
		if (network_overlap(net, plen, d, mlen)) {
			clash = true;
			if (why)
				snprintf(why, whysz, "the host route %s/%u on %s",
					 inet_format_addr(d, a), mlen, ifname);
		}
	}
	fclose(f);
	return clash;
}

static bool network_pick_subnet(struct bridge *const *existing, size_t n, uint32_t *net, char *err,
				size_t errsz)
{
	for (unsigned second = NETWORK_AUTO_FIRST; second <= NETWORK_AUTO_LAST; second++) {
		uint32_t cand = 10u << 24 | second << 16;

		if (!network_subnet_clash(cand, 24, existing, n, NULL, 0)) {
			*net = cand;
			return true;
		}
	}
	snprintf(err, errsz, "no free subnet among 10.%d.0.0/24..10.%d.0.0/24: give subnet=",
		 NETWORK_AUTO_FIRST, NETWORK_AUTO_LAST);
	return false;
}

static bool network_onoff(struct kv_list *opts, const char *key, bool def, bool *out, char *err,
			  size_t errsz)
{
	const char *v = kv_get(opts, key);

	*out = def;
	if (!v)
		return true;
	if (strcmp(v, "on") && strcmp(v, "off")) {
		snprintf(err, errsz, "%s=%.16s: expected on or off", key, v);
		return false;
	}
	*out = !strcmp(v, "on");
	return true;
}

/* network_create() with the host port's name given. */
static struct bridge *network_build(struct dp *dp, const char *name, struct kv_list *opts,
				    const char *host_port, const char *state_dir,
				    struct bridge *const *existing, size_t n, char *err,
				    size_t errsz)
{
	const char *mode_s = kv_get(opts, "mode"), *subnet = kv_get(opts, "subnet");
	const char *ifname = kv_get(opts, "ifname"), *lease = kv_get(opts, "lease_time"), *k;
	struct kv_list gw = { 0 }, host = { 0 }, none = { 0 };
	uint64_t mtu = PORT_MTU_DEFAULT;
	struct svc_plan plan;
	enum svc_mode mode;
	bool dhcp, with_host;
	char cidr[32], a[16], why[128], ifbuf[32], mtus[16];
	struct bridge *br;
	uint32_t net;
	unsigned plen = 24;

	if (!network_name_valid(name)) {
		snprintf(err, errsz,
			 "invalid network name '%.32s': use 1..%d of a-z 0-9 - (it becomes the "
			 "DNS domain)",
			 name, NETWORK_NAME_MAX);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		if (existing[i] && !strcmp(existing[i]->name, name)) {
			snprintf(err, errsz, "switch %s already exists", name);
			return NULL;
		}
	}
	if (!mode_s) {
		snprintf(err, errsz, "mode=nat|host-only|private is required");
		return NULL;
	}
	if (!svc_mode_parse(mode_s, &mode)) {
		snprintf(err, errsz, "mode=%.32s: expected nat, host-only or private", mode_s);
		return NULL;
	}
	if (!network_onoff(opts, "dhcp", true, &dhcp, err, errsz) ||
	    !network_onoff(opts, "host", mode == SVC_MODE_HOST_ONLY, &with_host, err, errsz) ||
	    !kv_get_u64(opts, "mtu", 576, NAT_MTU_MAX, &mtu, err, errsz))
		return NULL;
	if (mode == SVC_MODE_HOST_ONLY && !with_host) {
		snprintf(err, errsz, "a host-only network always has the host port (host=on)");
		return NULL;
	}
	if (mode == SVC_MODE_PRIVATE && with_host) {
		snprintf(err, errsz, "a private network has no host port: use mode=host-only");
		return NULL;
	}
	if (mode != SVC_MODE_PRIVATE && !dhcp) {
		snprintf(err, errsz, "dhcp=off is for private networks");
		return NULL;
	}
	if (subnet) {
		if (!inet_parse_cidr(subnet, &net, &plen)) {
			snprintf(err, errsz, "subnet=%.40s: expected A.B.C.0/LEN", subnet);
			return NULL;
		}
		if (!svc_plan_make(net, plen, &plan, err, errsz))
			return NULL;
		if (network_subnet_clash(net, plen, existing, n, why, sizeof(why))) {
			snprintf(err, errsz, "subnet %s/%u overlaps %s", inet_format_addr(net, a),
				 plen, why);
			return NULL;
		}
	} else if (!network_pick_subnet(existing, n, &net, err, errsz)) {
		return NULL;
	}
	if (!svc_plan_make(net, plen, &plan, err, errsz))
		return NULL;
	if (with_host && !ifname) {
		if (snprintf(ifbuf, sizeof(ifbuf), "vh-%s", name) > 15) {
			snprintf(err, errsz,
				 "name too long for the host device vh-%s: give ifname=", name);
			return NULL;
		}
		ifname = ifbuf;
	}
	if (!with_host && ifname) {
		snprintf(err, errsz, "ifname= names the host port, which this network has not");
		return NULL;
	}
	k = kv_first_unused(opts);
	if (k) {
		snprintf(err, errsz, "unknown network option '%s'", k);
		return NULL;
	}

	snprintf(cidr, sizeof(cidr), "%s/%u", inet_format_addr(net, a), plen);
	snprintf(mtus, sizeof(mtus), "%llu", (unsigned long long)mtu);
	kv_set(&gw, "type", "gateway");
	kv_set(&gw, "net", name);
	kv_set(&gw, "mode", svc_mode_name(mode));
	kv_set(&gw, "subnet", cidr);
	kv_set(&gw, "dhcp", dhcp ? "on" : "off");
	if (mtu != PORT_MTU_DEFAULT) {
		kv_set(&gw, "mtu", mtus);
		kv_set(&gw, "dhcp_mtu", mtus);
	}
	if (lease)
		kv_set(&gw, "lease_time", lease);
	if (state_dir && *state_dir && !kv_set(&gw, "state_dir", state_dir)) {
		snprintf(err, errsz, "state dir path too long for a port option");
		return NULL;
	}
	br = bridge_create(dp, name, &none, err, errsz);
	if (!br)
		return NULL;
	/* a new network starts clean: no leases or forwards left by a switch of the same name */
	if (state_dir && *state_dir && svc_forget_state(state_dir, name) < 0)
		warn("network %s: stale state files in %s could not be removed", name, state_dir);
	if (bridge_port_add(br, NETWORK_GW_PORT, &gw, err, errsz) < 0)
		goto fail;
	if (with_host) {
		snprintf(cidr, sizeof(cidr), "%s/%u", inet_format_addr(plan.host, a), plen);
		kv_set(&host, "type", "internal");
		kv_set(&host, "ifname", ifname);
		kv_set(&host, "address", cidr);
		if (mtu != PORT_MTU_DEFAULT)
			kv_set(&host, "mtu", mtus);
		if (bridge_port_add(br, host_port, &host, err, errsz) < 0)
			goto fail;
	}
	return br;
fail:
	bridge_destroy(br);
	return NULL;
}

struct bridge *network_create(struct dp *dp, const char *name, struct kv_list *opts,
			      const char *state_dir, struct bridge *const *existing, size_t n,
			      char *err, size_t errsz)
{
	return network_build(dp, name, opts, NETWORK_HOST_PORT, state_dir, existing, n, err, errsz);
}

struct bridge *network_create_default(struct dp *dp, const char *state_dir, bool host_port,
				      struct bridge *const *existing, size_t n, char *err,
				      size_t errsz)
{
	struct kv_list opts = { 0 };

	kv_set(&opts, "mode", "nat");
	if (host_port) {
		kv_set(&opts, "host", "on");
		kv_set(&opts, "ifname", NETWORK_DEFAULT_IFNAME);
	}
	return network_build(dp, NETWORK_DEFAULT_NAME, &opts, NETWORK_DEFAULT_IFNAME, state_dir,
			     existing, n, err, errsz);
}

struct svc *network_find(struct bridge *const *brs, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (brs[i] && !strcmp(brs[i]->name, name))
			return svc_find(brs[i]);
	}
	return NULL;
}
