// SPDX-License-Identifier: GPL-2.0-or-later
/* svc_port.c - the gateway port type: DHCP, DNS, ARP, ping and NAT for one network. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "../base/log.h"
#include "../base/util.h"
#include "../net/eth.h"
#include "../port/vxlan.h"
#include "../switch/bridge.h"
#include "dhcp.h"
#include "dns.h"
#include "inet.h"
#include "lease.h"
#include "statefile.h"
#include "svc_port.h"

#define SVC_ETH_P_IP 0x0800
#define SVC_ETH_P_ARP 0x0806
#define SVC_SCRATCH_SIZE PKT_DATA_MAX

/* X(field, name in network/list --json): what the port did with frames */
#define SVC_COUNTERS(X)                 \
	X(arp_replies, "arp_replies")   \
	X(icmp_replies, "icmp_replies") \
	X(dhcp_frames, "dhcp_frames")   \
	X(dns_frames, "dns_frames")     \
	X(to_nat, "to_nat")             \
	X(from_nat, "from_nat")         \
	X(ignored, "ignored")           \
	X(tagged, "tagged")             \
	X(out_dropped, "out_dropped")   \
	X(save_errors, "save_errors")

struct svc_stats {
#define SVC_FIELD_(f, n) uint64_t f;
	SVC_COUNTERS(SVC_FIELD_)
#undef SVC_FIELD_
};

/**
 * struct svc - a gateway port's state
 * @port:      the port
 * @net:       network name (DNS domain)
 * @mode:      nat, host-only or private
 * @plan:      addresses
 * @mac:       the gateway's MAC (the NAT engine's in nat mode)
 * @dhcp_on:   DHCP served
 * @leases:    lease table (shared by DHCP and DNS)
 * @nat:       the NAT engine (nat mode)
 * @path_leases/@path_state: state files ("" = no persistence)
 * @ring/@head/@n: frames queued towards the switch
 * @kick:      eventfd that drains @ring from the loop
 * @kicked:    @kick has been written and not read yet
 * @in_tx:     inside tx_burst (must not re-enter the switch)
 * @scratch:   a frame being rewritten (DNS forwarding)
 */
struct svc {
	struct port *port;
	char net[SVC_NET_NAME_MAX];
	enum svc_mode mode;
	struct svc_plan plan;
	uint8_t mac[6];
	bool dhcp_on;
	bool dhcp_mtu_auto;
	struct lease_table *leases;
	struct dhcp_server dhcp;
	struct dns_server dns;
	struct nat *nat;
	char path_leases[STATEFILE_PATH_MAX];
	char path_state[STATEFILE_PATH_MAX];
	struct pkt *ring[SVC_RING_MAX];
	unsigned head, n;
	struct ev_source kick;
	bool kicked;
	bool in_tx;
	uint8_t *scratch;
	struct svc_stats stats;
};

static const char *const svc_mode_names[] = { "nat", "host-only", "private" };

const char *svc_mode_name(enum svc_mode m)
{
	return (unsigned)m < ARRAY_SIZE(svc_mode_names) ? svc_mode_names[m] : "?";
}

bool svc_mode_parse(const char *s, enum svc_mode *m)
{
	for (unsigned i = 0; i < ARRAY_SIZE(svc_mode_names); i++) {
		if (!strcmp(s, svc_mode_names[i])) {
			*m = (enum svc_mode)i;
			return true;
		}
	}
	return false;
}

bool svc_plan_make(uint32_t net, unsigned plen, struct svc_plan *pl, char *err, size_t errsz)
{
	uint32_t mask = inet_mask(plen), size;

	if (plen < SVC_PLEN_MIN || plen > SVC_PLEN_MAX) {
		snprintf(err, errsz, "subnet prefix must be /%d../%d", SVC_PLEN_MIN, SVC_PLEN_MAX);
		return false;
	}
	if (net & ~mask) {
		snprintf(err, errsz, "subnet: host bits set; did you mean the network address?");
		return false;
	}
	size = ~mask + 1;
	pl->net = net;
	pl->plen = plen;
	pl->bcast = net | ~mask;
	pl->host = net + 1;
	pl->gw = net + 2;
	pl->nat_dns = net + 3;
	pl->dhcp = pl->bcast - 1;
	pl->pool_last = pl->bcast - 2;
	pl->pool_first = MAX(net + size / 2, pl->nat_dns + 1);
	if (pl->pool_last - pl->pool_first >= DHCP_POOL_MAX)
		pl->pool_first = pl->pool_last - DHCP_POOL_MAX + 1;
	return true;
}

/* ---- persistence ---- */

static int64_t svc_now(void *arg)
{
	(void)arg;
	return (int64_t)time(NULL);
}

static int svc_save_leases(void *arg)
{
	struct svc *s = arg;
	char err[256];
	json_t *doc;
	int rc;

	if (!s->path_leases[0])
		return 0;
	doc = lease_table_to_json(s->leases);
	rc = statefile_write(s->path_leases, doc, err, sizeof(err));
	json_decref(doc);
	if (rc) {
		s->stats.save_errors++;
		log_ratelimited(LOG_LVL_ERR, "network %s: saving leases: %s", s->net, err);
	}
	return rc;
}

static int svc_save_state(struct svc *s, char *err, size_t errsz)
{
	json_t *doc;
	int rc;

	if (!s->path_state[0])
		return 0;
	doc = json_pack("{s:i, s:o, s:o}", "version", SVC_STATE_VERSION, "reservations",
			lease_resv_to_json(s->leases), "forwards",
			s->nat ? nat_fwd_to_json(s->nat, false) : json_array());
	rc = statefile_write(s->path_state, doc, err, errsz);
	json_decref(doc);
	if (rc)
		s->stats.save_errors++;
	return rc;
}

/* A state file that cannot be used is moved aside (kept for the user), never overwritten. */
static void svc_quarantine(const char *path, const char *why)
{
	char bad[STATEFILE_PATH_MAX + 32];

	snprintf(bad, sizeof(bad), "%s.bad-%lld", path, (long long)time(NULL));
	if (rename(path, bad) == 0)
		err("%s; moved to %s, starting without it", why, bad);
	else
		err("%s; starting without it", why);
}

static void svc_load(struct svc *s)
{
	char err[512], e[256];
	json_t *doc = NULL;

	if (s->path_leases[0]) {
		if (statefile_read(s->path_leases, &doc, e, sizeof(e)) < 0) {
			snprintf(err, sizeof(err), "network %s: %s", s->net, e);
			svc_quarantine(s->path_leases, err);
		} else if (doc && lease_table_from_json(s->leases, doc, e, sizeof(e)) < 0) {
			snprintf(err, sizeof(err), "network %s: %.200s: %s", s->net, s->path_leases,
				 e);
			svc_quarantine(s->path_leases, err);
		} else if (doc) {
			info("network %s: %u lease(s) restored", s->net, s->leases->n);
		}
		json_decref(doc);
		doc = NULL;
	}
	if (!s->path_state[0])
		return;
	if (statefile_read(s->path_state, &doc, e, sizeof(e)) < 0) {
		snprintf(err, sizeof(err), "network %s: %s", s->net, e);
		svc_quarantine(s->path_state, err);
		return;
	}
	if (!doc)
		return;
	if (lease_resv_from_json(s->leases, json_object_get(doc, "reservations"), e, sizeof(e)) <
		    0 ||
	    (s->nat && json_object_get(doc, "forwards") &&
	     nat_fwd_restore(s->nat, json_object_get(doc, "forwards"), e, sizeof(e)) < 0)) {
		snprintf(err, sizeof(err), "network %s: %.200s: %s", s->net, s->path_state, e);
		json_decref(doc);
		svc_quarantine(s->path_state, err);
		return;
	}
	json_decref(doc);
}

int svc_forget_state(const char *state_dir, const char *net)
{
	static const char *const suffix[] = { ".json", ".leases" };
	char path[STATEFILE_PATH_MAX];
	int rc = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(suffix); i++) {
		if (statefile_path(path, sizeof(path), state_dir, net, suffix[i]) &&
		    unlink(path) < 0 && errno != ENOENT && !rc)
			rc = -errno;
	}
	return rc;
}

/* ---- the output ring ---- */

static void svc_enqueue(struct svc *s, struct pkt *pk)
{
	if (s->n == SVC_RING_MAX) {
		s->stats.out_dropped++;
		port_count_drop(s->port, DROP_TX_FULL, 1);
		pkt_free(s->port->dp->pool, pk);
		return;
	}
	s->ring[(s->head + s->n++) % SVC_RING_MAX] = pk;
}

/* Hand everything queued to the switch (only from the port's own events). */
static void svc_flush(struct svc *s)
{
	if (s->n)
		port_poll(s->port, SVC_RING_MAX / PKT_BATCH + 1);
}

/* Make the loop drain the ring soon (from inside tx_burst). */
static void svc_kick(struct svc *s)
{
	uint64_t one = 1;

	if (s->kicked)
		return;
	if (write(s->kick.fd, &one, sizeof(one)) == (ssize_t)sizeof(one))
		s->kicked = true;
}

static void svc_kick_cb(struct ev_source *src, uint32_t events)
{
	struct svc *s = src->arg;
	uint64_t v;

	(void)events;
	if (read(src->fd, &v, sizeof(v)) < 0 && errno == EAGAIN)
		return;
	s->kicked = false;
	svc_flush(s);
}

static struct pkt *svc_alloc(struct svc *s)
{
	struct pkt *pk = pkt_alloc(s->port->dp->pool);

	if (!pk) {
		s->stats.out_dropped++;
		port_count_drop(s->port, DROP_NO_BUFFERS, 1);
	}
	return pk;
}

/* A frame from the NAT engine for the VMs. */
static void svc_nat_output(void *arg, const uint8_t *frame, size_t size)
{
	struct svc *s = arg;
	struct pkt *pk;

	if (size < ETH_HLEN || size > PKT_DATA_MAX) {
		s->stats.out_dropped++;
		return;
	}
	if (s->n == SVC_RING_MAX && !s->in_tx)
		svc_flush(s);
	pk = svc_alloc(s);
	if (!pk)
		return;
	memcpy(pk->data, frame, size);
	pk->size = (uint32_t)size;
	/*
	 * The engine writes complete checksums. Saying so lets a tap or virtio
	 * receiver skip verifying them: on the VM's side that pass over every
	 * downloaded byte would otherwise run in vnetd's own tap write.
	 */
	if (size >= ETH_HLEN + 20 && frame[12] == 0x08 && frame[13] == 0x00 &&
	    (frame[23] == 6 || frame[23] == 17))
		pk->vnet.flags = VIRTIO_NET_HDR_F_DATA_VALID;
	/* the resolver answers as the gateway, where the VM sent its query */
	if (size >= INET_UDP4_HLEN && frame[12] == 0x08 && frame[13] == 0x00 && frame[23] == 17 &&
	    ((uint32_t)frame[26] << 24 | (uint32_t)frame[27] << 16 | (uint32_t)frame[28] << 8 |
	     frame[29]) == s->plan.nat_dns)
		inet_udp4_rewrite(pk->data, size, s->plan.gw, 0);
	s->stats.from_nat++;
	svc_enqueue(s, pk);
}

static void svc_nat_flush(void *arg)
{
	svc_flush(arg);
}

/* ---- frames from the switch ---- */

static const char *svc_in_port(struct svc *s, const struct pkt *pk)
{
	const struct bridge *br = s->port->input_arg;

	if (!br || pk->in_port >= BRIDGE_MAX_PORTS || !br->ports[pk->in_port])
		return "";
	return br->ports[pk->in_port]->name;
}

/*
 * svc_tunnel_mtu() - the DHCP MTU option when the network has no dhcp_mtu=: the
 * smallest inner MTU of the switch's VXLAN ports (1450 on a 1500-byte underlay),
 * so that VMs behind a tunnel never send frames it would have to drop; 0 (no
 * option) when the switch has no tunnel. Looked up per DHCP message, so it
 * follows ports added and removed at run time.
 */
static uint16_t svc_tunnel_mtu(const struct svc *s)
{
	const struct bridge *br = s->port->input_arg;
	uint32_t mtu = 0, m;

	if (!br)
		return 0;
	for (unsigned i = 0; i < br->n_ports; i++) {
		m = vxlan_inner_mtu(br->dense[i]);
		if (m && (!mtu || m < mtu))
			mtu = m;
	}
	return (uint16_t)MIN(mtu, 65535u);
}

static bool svc_port_exists(void *arg, const char *name)
{
	struct svc *s = arg;
	const struct bridge *br = s->port->input_arg;

	return !br || bridge_port_find(br, name);
}

static bool svc_dns_lookup_name(void *arg, const char *label, uint32_t *ip)
{
	struct svc *s = arg;

	if (!strcmp(label, "gateway")) {
		*ip = s->plan.gw;
		return true;
	}
	return lease_find_hostname(s->leases, label, (int64_t)time(NULL), ip);
}

static const char *svc_dns_lookup_addr(void *arg, uint32_t ip)
{
	struct svc *s = arg;

	if (ip == s->plan.gw)
		return "gateway";
	return lease_find_name_of(s->leases, ip, (int64_t)time(NULL));
}

/* Is @ip one the port answers for itself (ARP, ping)? */
static bool svc_own_ip(const struct svc *s, uint32_t ip)
{
	return ip == s->plan.dhcp || (!s->nat && ip == s->plan.gw);
}

static void svc_arp(struct svc *s, const struct pkt *pk)
{
	struct inet_arp a;
	struct pkt *out;

	if (!inet_arp_parse(pk->data, pk->size, &a)) {
		s->stats.ignored++;
		return;
	}
	if (a.op == 1 && svc_own_ip(s, a.tpa)) {
		out = svc_alloc(s);
		if (!out)
			return;
		out->size = (uint32_t)inet_arp_reply(out->data, &a, s->mac, a.tpa);
		s->stats.arp_replies++;
		svc_enqueue(s, out);
	} else if (s->nat) {
		s->stats.to_nat++;
		nat_input(s->nat, pk->data, pk->size);
	} else {
		s->stats.ignored++;
	}
}

/* A UDP frame for a service? Return: true if handled (answered or dropped). */
static bool svc_udp(struct svc *s, const struct pkt *pk)
{
	const uint8_t *f = pk->data;
	size_t ihl = (size_t)(f[14] & 0xf) * 4;
	uint16_t dport;
	uint32_t dst;
	struct pkt *out;
	size_t n = 0;

	if (pk->size < ETH_HLEN + ihl + 8 || f[23] != 17)
		return false;
	dport = (uint16_t)(f[ETH_HLEN + ihl + 2] << 8 | f[ETH_HLEN + ihl + 3]);
	dst = (uint32_t)f[30] << 24 | (uint32_t)f[31] << 16 | (uint32_t)f[32] << 8 | f[33];
	if (dport == DHCP_SERVER_PORT && s->dhcp_on) {
		s->stats.dhcp_frames++;
		out = svc_alloc(s);
		if (!out)
			return true;
		if (s->dhcp_mtu_auto)
			s->dhcp.cfg.mtu = svc_tunnel_mtu(s);
		n = dhcp_input(&s->dhcp, f, pk->size, svc_in_port(s, pk), out->data);
	} else if (dport == DNS_PORT && dst == s->plan.gw) {
		enum dns_verdict v;

		s->stats.dns_frames++;
		out = svc_alloc(s);
		if (!out)
			return true;
		v = dns_input(&s->dns, f, pk->size, out->data, &n);
		if (v == DNS_FORWARD && s->nat && pk->size <= SVC_SCRATCH_SIZE) {
			/* to the engine's resolver address; the answer is rewritten back */
			memcpy(s->scratch, f, pk->size);
			if (inet_udp4_rewrite(s->scratch, pk->size, 0, s->plan.nat_dns)) {
				s->stats.to_nat++;
				nat_input(s->nat, s->scratch, pk->size);
			}
		}
		if (v != DNS_REPLY)
			n = 0;
	} else {
		return false;
	}
	if (!n) {
		pkt_free(s->port->dp->pool, out);
		return true;
	}
	out->size = (uint32_t)n;
	svc_enqueue(s, out);
	return true;
}

static void svc_ipv4(struct svc *s, const struct pkt *pk)
{
	const uint8_t *f = pk->data;
	uint32_t dst;
	struct pkt *out;

	if (pk->size < ETH_HLEN + 20 || (f[14] >> 4) != 4) {
		s->stats.ignored++;
		return;
	}
	if (svc_udp(s, pk))
		return;
	dst = (uint32_t)f[30] << 24 | (uint32_t)f[31] << 16 | (uint32_t)f[32] << 8 | f[33];
	if (f[23] == INET_PROTO_ICMP && svc_own_ip(s, dst)) {
		out = svc_alloc(s);
		if (!out)
			return;
		out->size = (uint32_t)inet_icmp4_echo_reply(f, pk->size, dst, s->mac, out->data,
							    PKT_DATA_MAX);
		if (!out->size) {
			s->stats.ignored++;
			pkt_free(s->port->dp->pool, out);
			return;
		}
		s->stats.icmp_replies++;
		svc_enqueue(s, out);
		return;
	}
	/*
	 * The NAT takes what is routed through the gateway: the gateway itself and
	 * addresses beyond the subnet. It would map any other address of the subnet
	 * to the host's loopback too, which no VM has a reason to ask for.
	 */
	if (s->nat && !eth_is_multicast(f) &&
	    (dst == s->plan.gw || ((dst & inet_mask(s->plan.plen)) != s->plan.net &&
				   dst != INET_IP4_BROADCAST && (dst >> 28) != 0xe))) {
		s->stats.to_nat++;
		nat_input(s->nat, f, pk->size);
		return;
	}
	s->stats.ignored++;
}

static void svc_frame(struct svc *s, const struct pkt *pk)
{
	const uint8_t *f = pk->data;
	uint16_t type;

	if (pk->size < ETH_HLEN || (!eth_is_broadcast(f) && memcmp(f, s->mac, 6))) {
		s->stats.ignored++; /* multicast, or unicast for another VM flooded to us */
		return;
	}
	type = (uint16_t)(f[12] << 8 | f[13]);
	if (type == SVC_ETH_P_ARP)
		svc_arp(s, pk);
	else if (type == SVC_ETH_P_IP)
		svc_ipv4(s, pk);
	else
		s->stats.ignored++;
}

static unsigned svc_tx_burst(struct port *p, struct pkt **pkts, const uint16_t *tci, unsigned n)
{
	struct svc *s = p->priv;

	s->in_tx = true;
	for (unsigned i = 0; i < n; i++) {
		if (tci[i]) { /* the services live in the untagged VLAN only */
			s->stats.tagged++;
			port_count_drop(p, DROP_VLAN_NOT_ALLOWED, 1);
			continue;
		}
		p->stats.tx_packets++;
		p->stats.tx_bytes += pkts[i]->size;
		svc_frame(s, pkts[i]);
	}
	s->in_tx = false;
	if (s->nat)
		nat_input_done(s->nat);
	if (s->n)
		svc_kick(s);
	return n;
}

static unsigned svc_rx_burst(struct port *p, struct pkt **pkts, unsigned n)
{
	struct svc *s = p->priv;
	unsigned k = 0;

	while (k < n && s->n) {
		pkts[k++] = s->ring[s->head];
		s->head = (s->head + 1) % SVC_RING_MAX;
		s->n--;
	}
	return k;
}

/* ---- options, open, close ---- */

/**
 * struct svc_opts - the gateway port's options
 * net=NAME mode=nat|host-only|private subnet=A.B.C.D/P dhcp=on|off
 * dhcp_mtu=N lease_time=S state_dir=DIR engine=slirp
 */
struct svc_opts {
	const char *net;
	enum svc_mode mode;
	struct svc_plan plan;
	bool dhcp_on;
	uint64_t dhcp_mtu;
	uint64_t lease_s;
	const char *state_dir;
	const char *engine;
};

static bool svc_net_name_valid(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= SVC_NET_NAME_MAX || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
			return false;
	}
	return true;
}

static int svc_parse(struct kv_list *opts, struct svc_opts *o, char *err, size_t errsz)
{
	const char *mode = kv_get(opts, "mode"), *subnet = kv_get(opts, "subnet");
	const char *dhcp = kv_get(opts, "dhcp");
	uint32_t net;
	unsigned plen;

	memset(o, 0, sizeof(*o));
	o->net = kv_get(opts, "net");
	o->state_dir = kv_get(opts, "state_dir");
	o->engine = kv_get(opts, "engine");
	o->lease_s = DHCP_LEASE_DEFAULT_S;
	o->dhcp_on = true;
	if (!o->net)
		o->net = "vnet";
	if (!svc_net_name_valid(o->net)) {
		snprintf(err, errsz,
			 "net=%.40s: a network name is 1..%d of a-z 0-9 - (it is the DNS domain)",
			 o->net, SVC_NET_NAME_MAX - 1);
		return -EINVAL;
	}
	if (mode && !svc_mode_parse(mode, &o->mode)) {
		snprintf(err, errsz, "mode=%.32s: expected nat, host-only or private", mode);
		return -EINVAL;
	}
	if (!subnet) {
		snprintf(err, errsz, "subnet=A.B.C.D/LEN is required");
		return -EINVAL;
	}
	if (!inet_parse_cidr(subnet, &net, &plen)) {
		snprintf(err, errsz, "subnet=%.40s: expected A.B.C.D/LEN", subnet);
		return -EINVAL;
	}
	if (!svc_plan_make(net, plen, &o->plan, err, errsz))
		return -EINVAL;
	if (dhcp && strcmp(dhcp, "on") && strcmp(dhcp, "off")) {
		snprintf(err, errsz, "dhcp=%.16s: expected on or off", dhcp);
		return -EINVAL;
	}
	if (dhcp)
		o->dhcp_on = !strcmp(dhcp, "on");
	if (!kv_get_u64(opts, "dhcp_mtu", 0, NAT_MTU_MAX, &o->dhcp_mtu, err, errsz) ||
	    !kv_get_u64(opts, "lease_time", DHCP_LEASE_MIN_S, DHCP_LEASE_MAX_S, &o->lease_s, err,
			errsz))
		return -EINVAL;
	if (o->dhcp_mtu && o->dhcp_mtu < 68) {
		snprintf(err, errsz, "dhcp_mtu=%llu: at least 68", (unsigned long long)o->dhcp_mtu);
		return -EINVAL;
	}
	if (o->state_dir && (o->state_dir[0] != '/' || strlen(o->state_dir) > 1024)) {
		snprintf(err, errsz, "state_dir=%.40s: an absolute path", o->state_dir);
		return -EINVAL;
	}
	if (o->engine && strcmp(o->engine, NAT_ENGINE_DEFAULT)) {
		snprintf(err, errsz, "engine=%.32s: unknown NAT engine (known: %s)", o->engine,
			 NAT_ENGINE_DEFAULT);
		return -EINVAL;
	}
	return 0;
}

static int svc_validate(struct kv_list *opts, char *err, size_t errsz)
{
	struct svc_opts o;

	return svc_parse(opts, &o, err, errsz);
}

static void svc_close(struct port *p)
{
	struct svc *s = p->priv;

	if (!s)
		return;
	nat_destroy(s->nat);
	if (s->kick.fd >= 0) {
		evloop_del(&p->dp->loop, &s->kick);
		close(s->kick.fd);
	}
	while (s->n) {
		pkt_free(p->dp->pool, s->ring[s->head]);
		s->head = (s->head + 1) % SVC_RING_MAX;
		s->n--;
	}
	lease_table_destroy(s->leases);
	free(s->scratch);
	free(s);
	p->priv = NULL;
}

static int svc_open(struct port *p, struct kv_list *opts, char *err, size_t errsz)
{
	struct svc_opts o;
	struct svc *s;
	int rc = svc_parse(opts, &o, err, errsz);
	unsigned n_pool;

	if (rc)
		return rc;
	s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	p->priv = s;
	s->port = p;
	s->kick.fd = -1;
	snprintf(s->net, sizeof(s->net), "%s", o.net);
	s->mode = o.mode;
	s->plan = o.plan;
	s->dhcp_on = o.dhcp_on;
	n_pool = s->plan.pool_last - s->plan.pool_first + 1;
	s->leases =
		lease_table_create(MIN(n_pool + LEASE_RESV_MAX, (unsigned)LEASE_MAX_MAX_ENTRIES));
	s->scratch = malloc(SVC_SCRATCH_SIZE);
	if (!s->leases || !s->scratch) {
		snprintf(err, errsz, "out of memory");
		rc = -ENOMEM;
		goto fail;
	}
	if (o.state_dir) {
		statefile_path(s->path_leases, sizeof(s->path_leases), o.state_dir, s->net,
			       ".leases");
		statefile_path(s->path_state, sizeof(s->path_state), o.state_dir, s->net, ".json");
	}
	/* the gateway's MAC: 52:55 and its address, as libslirp does */
	s->mac[0] = 0x52;
	s->mac[1] = 0x55;
	s->mac[2] = (uint8_t)(s->plan.gw >> 24);
	s->mac[3] = (uint8_t)(s->plan.gw >> 16);
	s->mac[4] = (uint8_t)(s->plan.gw >> 8);
	s->mac[5] = (uint8_t)s->plan.gw;
	if (s->mode == SVC_MODE_NAT) {
		struct nat_config nc = { .net = s->plan.net,
					 .plen = s->plan.plen,
					 .gw = s->plan.gw,
					 .dns_ip = s->plan.nat_dns,
					 .mtu = MIN(p->mtu, (uint32_t)NAT_MTU_MAX) };
		struct nat_io io = { .output = svc_nat_output, .flush = svc_nat_flush, .arg = s };

		s->nat = nat_create(p->dp, &nc, &io, o.engine, err, errsz);
		if (!s->nat) {
			rc = -EIO;
			goto fail;
		}
		memcpy(s->mac, s->nat->cfg.mac, 6);
	}
	s->dhcp.cfg = (struct dhcp_config){ .server_ip = s->plan.dhcp,
					    .net = s->plan.net,
					    .plen = s->plan.plen,
					    .pool_first = s->plan.pool_first,
					    .pool_last = s->plan.pool_last,
					    .router = s->mode == SVC_MODE_NAT ? s->plan.gw : 0,
					    .dns = s->plan.gw,
					    .lease_s = (uint32_t)o.lease_s,
					    .mtu = (uint16_t)MIN(o.dhcp_mtu, 65535u) };
	s->dhcp_mtu_auto = !o.dhcp_mtu;
	memcpy(s->dhcp.cfg.mac, s->mac, 6);
	snprintf(s->dhcp.cfg.domain, sizeof(s->dhcp.cfg.domain), "%s", s->net);
	if (!dhcp_config_check(&s->dhcp.cfg, err, errsz)) {
		rc = -EINVAL;
		goto fail;
	}
	s->dhcp.leases = s->leases;
	s->dhcp.ops = (struct dhcp_ops){
		.now = svc_now, .commit = svc_save_leases, .port_exists = svc_port_exists, .arg = s
	};
	s->dns.cfg = (struct dns_config){ .ip = s->plan.gw,
					  .net = s->plan.net,
					  .plen = s->plan.plen,
					  .forward = s->mode == SVC_MODE_NAT };
	memcpy(s->dns.cfg.mac, s->mac, 6);
	snprintf(s->dns.cfg.domain, sizeof(s->dns.cfg.domain), "%s", s->net);
	s->dns.ops = (struct dns_ops){ .lookup_name = svc_dns_lookup_name,
				       .lookup_addr = svc_dns_lookup_addr,
				       .arg = s };
	s->kick = (struct ev_source){ .fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC),
				      .cb = svc_kick_cb,
				      .arg = s };
	if (s->kick.fd < 0 || evloop_add(&p->dp->loop, &s->kick, EPOLLIN) < 0) {
		snprintf(err, errsz, "eventfd: %s", strerror(errno));
		rc = -errno;
		goto fail;
	}
	svc_load(s);
	/* Offloads are completed by the switch: the services parse plain frames. */
	p->caps = 0;
	port_set_up(p);
	info("network %s: %s, subnet %s/%u, gateway .%u, DHCP %s", s->net, svc_mode_name(s->mode),
	     inet_format_addr(s->plan.net, (char[16]){ 0 }), s->plan.plen, s->plan.gw & 0xff,
	     s->dhcp_on ? "on" : "off");
	return 0;
fail:
	svc_close(p);
	return rc;
}

/* ---- what the control plane sees ---- */

struct svc *svc_of(struct port *p)
{
	return p && p->ops == &gateway_port_ops ? p->priv : NULL;
}

struct svc *svc_find(const struct bridge *br)
{
	for (struct port *p = bridge_port_next(br, NULL); p; p = bridge_port_next(br, p)) {
		if (svc_of(p))
			return p->priv;
	}
	return NULL;
}

const char *svc_net(const struct svc *s)
{
	return s->net;
}

enum svc_mode svc_mode(const struct svc *s)
{
	return s->mode;
}

const struct svc_plan *svc_plan(const struct svc *s)
{
	return &s->plan;
}

struct nat *svc_nat(struct svc *s)
{
	return s->nat;
}

static json_t *svc_counters_json(struct svc *s)
{
	json_t *o = json_object(), *d = json_object(), *n = json_object();
	const char *name;
	uint64_t v;

#define SVC_JSON_(f, nm) json_object_set_new(o, nm, json_integer((json_int_t)s->stats.f));
	SVC_COUNTERS(SVC_JSON_)
#undef SVC_JSON_
	for (unsigned i = 0; dhcp_stats_get(&s->dhcp.stats, i, &name, &v); i++)
		json_object_set_new(d, name, json_integer((json_int_t)v));
	json_object_set_new(d, "table_full", json_integer((json_int_t)s->leases->n_full));
	for (unsigned i = 0; dns_stats_get(&s->dns.stats, i, &name, &v); i++)
		json_object_set_new(n, name, json_integer((json_int_t)v));
	json_object_set_new(o, "dhcp", d);
	json_object_set_new(o, "dns", n);
	return o;
}

json_t *svc_status_json(struct svc *s)
{
	char a[6][16], mac[18];
	json_t *o;

	o = json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:i, s:i}", "name",
		      s->net, "mode", svc_mode_name(s->mode), "subnet",
		      inet_format_addr(s->plan.net, a[0]), "prefix", (int)s->plan.plen, "gateway",
		      inet_format_addr(s->plan.gw, a[1]), "dns", inet_format_addr(s->plan.gw, a[2]),
		      "dhcp_server", inet_format_addr(s->plan.dhcp, a[3]), "mac",
		      eth_mac_format(s->mac, mac), "dhcp", s->dhcp_on, "pool_first",
		      inet_format_addr(s->plan.pool_first, a[4]), "pool_last",
		      inet_format_addr(s->plan.pool_last, a[5]), "lease_time",
		      (int)s->dhcp.cfg.lease_s, "mtu", (int)s->port->mtu);
	json_object_set_new(o, "host", json_string(inet_format_addr(s->plan.host, a[0])));
	json_object_set_new(
		o, "switch",
		json_string(s->port->input_arg ? ((struct bridge *)s->port->input_arg)->name : ""));
	json_object_set_new(o, "port", json_string(s->port->name));
	json_object_set_new(o, "n_leases", json_integer(s->leases->n));
	json_object_set_new(o, "n_reservations", json_integer(s->leases->n_resv));
	if (s->nat) {
		json_object_set_new(o, "n_forwards", json_integer(s->nat->n_fwd));
		json_object_set_new(o, "n_flows", json_integer(s->nat->ops->n_flows(s->nat->eng)));
	}
	json_object_set_new(o, "counters", svc_counters_json(s));
	return o;
}

json_t *svc_leases_json(struct svc *s)
{
	int64_t now = (int64_t)time(NULL);
	json_t *arr = json_array(), *doc = lease_table_to_json(s->leases), *l;
	size_t i;

	/* the saved form, plus the time left and offers in flight */
	json_array_foreach(json_object_get(doc, "leases"), i, l)
	{
		json_int_t exp = json_integer_value(json_object_get(l, "expires"));
		const char *st = json_string_value(json_object_get(l, "state"));

		if (!strcmp(st, "bound") && exp <= now)
			json_object_set_new(l, "state", json_string("expired"));
		json_object_set_new(l, "expires_in", json_integer(exp > now ? exp - now : 0));
		json_array_append(arr, l);
	}
	json_decref(doc);
	return json_pack("{s:s, s:o, s:o}", "network", s->net, "leases", arr, "reservations",
			 lease_resv_to_json(s->leases));
}

int svc_reserve(struct svc *s, const uint8_t mac[static 6], uint32_t ip, const char *hostname,
		char *err, size_t errsz)
{
	const struct svc_plan *pl = &s->plan;
	struct lease_resv saved[LEASE_RESV_MAX];
	unsigned n_saved = s->leases->n_resv;
	const struct lease *l;
	char a[16], m[18];
	int rc;

	inet_format_addr(ip, a);
	if ((ip & inet_mask(pl->plen)) != pl->net || ip == pl->net || ip == pl->bcast ||
	    ip == pl->host || ip == pl->gw || ip == pl->nat_dns || ip == pl->dhcp) {
		snprintf(err, errsz,
			 "%s is outside the network or one of its own addresses (.1 .2 .3 and "
			 "the DHCP server)",
			 a);
		return -EINVAL;
	}
	l = lease_find_ip(s->leases, ip);
	if (l && l->state == LEASE_BOUND && l->expires > (int64_t)time(NULL) &&
	    memcmp(l->mac, mac, 6)) {
		snprintf(err, errsz, "%s is leased to %s; release it first or pick another", a,
			 eth_mac_format(l->mac, m));
		return -EBUSY;
	}
	memcpy(saved, s->leases->resv, sizeof(saved));
	rc = lease_resv_add(s->leases, mac, ip, hostname, err, errsz);
	if (rc)
		return rc;
	rc = svc_save_state(s, err, errsz);
	if (rc) {
		memcpy(s->leases->resv, saved, sizeof(saved));
		s->leases->n_resv = n_saved;
	}
	return rc;
}

int svc_unreserve(struct svc *s, const uint8_t mac[static 6], char *err, size_t errsz)
{
	char m[18];

	if (lease_resv_del(s->leases, mac) < 0) {
		snprintf(err, errsz, "no reservation for %s", eth_mac_format(mac, m));
		return -ENOENT;
	}
	return svc_save_state(s, err, errsz);
}

int svc_forward_add(struct svc *s, const struct nat_fwd *f, char *err, size_t errsz)
{
	int rc;

	if (!s->nat) {
		snprintf(err, errsz, "network %s is %s: port forwards need mode=nat", s->net,
			 svc_mode_name(s->mode));
		return -EOPNOTSUPP;
	}
	rc = nat_fwd_add(s->nat, f, err, errsz);
	if (rc)
		return rc;
	rc = svc_save_state(s, err, errsz);
	if (rc) {
		char e[64];

		nat_fwd_del(s->nat, f->proto, f->host_ip, f->host_port, e, sizeof(e));
	}
	return rc;
}

int svc_forward_del(struct svc *s, enum nat_proto proto, uint32_t host_ip, uint16_t host_port,
		    char *err, size_t errsz)
{
	int rc;

	if (!s->nat) {
		snprintf(err, errsz, "network %s is %s: it has no port forwards", s->net,
			 svc_mode_name(s->mode));
		return -EOPNOTSUPP;
	}
	rc = nat_fwd_del(s->nat, proto, host_ip, host_port, err, errsz);
	if (rc)
		return rc;
	return svc_save_state(s, err, errsz);
}

static void svc_info(struct port *p, struct json_t *obj)
{
	struct svc *s = p->priv;
	char a[16];

	json_object_set_new(obj, "network", json_string(s->net));
	json_object_set_new(obj, "mode", json_string(svc_mode_name(s->mode)));
	json_object_set_new(obj, "gateway", json_string(inet_format_addr(s->plan.gw, a)));
	json_object_set_new(obj, "leases", json_integer(s->leases->n));
}

const struct port_ops gateway_port_ops = {
	.type = "gateway",
	.help = "net=NAME mode=nat|host-only|private subnet=A.B.C.D/LEN [dhcp=on|off] "
		"[dhcp_mtu=N] [lease_time=S] [state_dir=DIR] (made by network/add)",
	.validate = svc_validate,
	.open = svc_open,
	.close = svc_close,
	.rx_burst = svc_rx_burst,
	.tx_burst = svc_tx_burst,
	.info = svc_info,
};
