// SPDX-License-Identifier: GPL-2.0-or-later
/* dhcp.c - the built-in DHCP server (RFC 2131/2132), frames in, frames out. */
#include <stdio.h>
#include <string.h>

#include "../base/log.h"
#include "../net/eth.h"
#include "dhcp.h"
#include "inet.h"

/* BOOTP layout (RFC 2131 section 2) */
#define DHCP_OFF_OP 0
#define DHCP_OFF_HTYPE 1
#define DHCP_OFF_HLEN 2
#define DHCP_OFF_HOPS 3
#define DHCP_OFF_XID 4
#define DHCP_OFF_SECS 8
#define DHCP_OFF_FLAGS 10
#define DHCP_OFF_CIADDR 12
#define DHCP_OFF_YIADDR 16
#define DHCP_OFF_SIADDR 20
#define DHCP_OFF_GIADDR 24
#define DHCP_OFF_CHADDR 28
#define DHCP_OFF_SNAME 44
#define DHCP_OFF_FILE 108
#define DHCP_OFF_MAGIC 236
#define DHCP_OFF_OPTIONS 240
#define DHCP_SNAME_SIZE 64
#define DHCP_FILE_SIZE 128
#define DHCP_MAGIC 0x63825363u
#define DHCP_BOOTP_MIN 300 /* replies are padded to the BOOTP minimum size */
#define DHCP_FLAG_BROADCAST 0x8000

#define BOOTREQUEST 1
#define BOOTREPLY 2

/* Message types (option 53) */
enum {
	DHCPDISCOVER = 1,
	DHCPOFFER,
	DHCPREQUEST,
	DHCPDECLINE,
	DHCPACK,
	DHCPNAK,
	DHCPRELEASE,
	DHCPINFORM,
};

/* Options (RFC 2132) */
enum {
	OPT_PAD = 0,
	OPT_SUBNET_MASK = 1,
	OPT_ROUTER = 3,
	OPT_DNS = 6,
	OPT_HOSTNAME = 12,
	OPT_DOMAIN = 15,
	OPT_MTU = 26,
	OPT_BROADCAST = 28,
	OPT_REQUESTED_IP = 50,
	OPT_LEASE_TIME = 51,
	OPT_OVERLOAD = 52,
	OPT_MSG_TYPE = 53,
	OPT_SERVER_ID = 54,
	OPT_MESSAGE = 56,
	OPT_T1 = 58,
	OPT_T2 = 59,
	OPT_END = 255,
};

/**
 * struct dhcp_msg - the parts of a client message the server uses
 * @bootp/@size: the UDP payload
 * @chaddr: client hardware address (16 bytes in the message, 6 used)
 * @hostname: option 12 (points into the message), @hostname_size bytes
 */
struct dhcp_msg {
	const uint8_t *bootp;
	size_t size;
	uint16_t flags;
	uint32_t ciaddr, giaddr;
	const uint8_t *chaddr;
	uint8_t type;
	uint32_t req_ip, server_id, lease_s;
	const uint8_t *hostname;
	size_t hostname_size;
	uint32_t src_ip;
};

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline void wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static const uint8_t dhcp_bcast_mac[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

/*
 * Walk one option area (the options field, or file/sname when overloaded).
 * It must end with an END option inside the area; every option must fit.
 * Return: false if malformed.
 */
static bool dhcp_parse_area(const uint8_t *p, size_t size, struct dhcp_msg *m, uint8_t *overload)
{
	size_t i = 0;

	while (i < size) {
		uint8_t code = p[i], len;
		const uint8_t *v;

		if (code == OPT_PAD) {
			i++;
			continue;
		}
		if (code == OPT_END)
			return true;
		if (i + 2 > size || i + 2 + p[i + 1] > size)
			return false; /* length runs past the area */
		len = p[i + 1];
		v = p + i + 2;
		switch (code) {
		case OPT_MSG_TYPE:
			if (len != 1)
				return false;
			m->type = v[0];
			break;
		case OPT_REQUESTED_IP:
			if (len != 4)
				return false;
			m->req_ip = rd32(v);
			break;
		case OPT_SERVER_ID:
			if (len != 4)
				return false;
			m->server_id = rd32(v);
			break;
		case OPT_LEASE_TIME:
			if (len != 4)
				return false;
			m->lease_s = rd32(v);
			break;
		case OPT_OVERLOAD:
			if (len != 1 || !overload)
				return false; /* not allowed inside file/sname */
			*overload = v[0];
			break;
		case OPT_HOSTNAME:
			m->hostname = v;
			m->hostname_size = len;
			break;
		default:
			break;
		}
		i += 2u + len;
	}
	return false; /* no END option */
}

/* Parse the BOOTP header and options of a client message. Return: false if malformed. */
static bool dhcp_parse(const uint8_t *b, size_t size, struct dhcp_msg *m)
{
	uint8_t overload = 0;

	memset(m, 0, sizeof(*m));
	if (size < DHCP_OFF_OPTIONS || b[DHCP_OFF_OP] != BOOTREQUEST || b[DHCP_OFF_HTYPE] != 1 ||
	    b[DHCP_OFF_HLEN] != 6 || rd32(b + DHCP_OFF_MAGIC) != DHCP_MAGIC)
		return false;
	m->bootp = b;
	m->size = size;
	m->flags = (uint16_t)(b[DHCP_OFF_FLAGS] << 8 | b[DHCP_OFF_FLAGS + 1]);
	m->ciaddr = rd32(b + DHCP_OFF_CIADDR);
	m->giaddr = rd32(b + DHCP_OFF_GIADDR);
	m->chaddr = b + DHCP_OFF_CHADDR;
	if (!dhcp_parse_area(b + DHCP_OFF_OPTIONS, size - DHCP_OFF_OPTIONS, m, &overload))
		return false;
	if (overload > 3)
		return false;
	if ((overload & 1) && !dhcp_parse_area(b + DHCP_OFF_FILE, DHCP_FILE_SIZE, m, NULL))
		return false;
	if ((overload & 2) && !dhcp_parse_area(b + DHCP_OFF_SNAME, DHCP_SNAME_SIZE, m, NULL))
		return false;
	return m->type >= DHCPDISCOVER && m->type <= DHCPINFORM;
}

static uint32_t dhcp_mask(const struct dhcp_config *c)
{
	return inet_mask(c->plen);
}

bool dhcp_config_check(const struct dhcp_config *c, char *err, size_t errsz)
{
	uint32_t mask = dhcp_mask(c), bcast = c->net | ~mask;

	if (c->plen < 8 || c->plen > 30 || (c->net & ~mask)) {
		snprintf(err, errsz, "subnet must be a network address with a /8../30 prefix");
		return false;
	}
	if ((c->server_ip & mask) != c->net || c->server_ip == c->net || c->server_ip == bcast) {
		snprintf(err, errsz, "DHCP server address outside the subnet");
		return false;
	}
	if (c->pool_first > c->pool_last || (c->pool_first & mask) != c->net ||
	    (c->pool_last & mask) != c->net || c->pool_first == c->net || c->pool_last == bcast) {
		snprintf(err, errsz, "DHCP pool outside the subnet");
		return false;
	}
	if (c->pool_last - c->pool_first >= DHCP_POOL_MAX) {
		snprintf(err, errsz, "DHCP pool larger than %d addresses", DHCP_POOL_MAX);
		return false;
	}
	if (c->lease_s < DHCP_LEASE_MIN_S || c->lease_s > DHCP_LEASE_MAX_S) {
		snprintf(err, errsz, "lease time must be %d..%d s", DHCP_LEASE_MIN_S,
			 DHCP_LEASE_MAX_S);
		return false;
	}
	return true;
}

/* May @mac be given @ip at @now? */
static bool dhcp_ip_ok(struct dhcp_server *s, const uint8_t *mac, uint32_t ip, int64_t now)
{
	const struct dhcp_config *c = &s->cfg;
	uint32_t mask = dhcp_mask(c);
	const struct lease_resv *mine = lease_resv_find_mac(s->leases, mac);
	const struct lease_resv *r = lease_resv_find_ip(s->leases, ip);
	const struct lease *l;

	if ((ip & mask) != c->net || ip == c->net || ip == (c->net | ~mask))
		return false;
	if (ip == c->server_ip || (c->router && ip == c->router) || (c->dns && ip == c->dns))
		return false;
	if (mine && mine->ip != ip)
		return false;
	if (r && memcmp(r->mac, mac, 6))
		return false;
	if (!r && (ip < c->pool_first || ip > c->pool_last))
		return false;
	l = lease_find_ip(s->leases, ip);
	if (l && lease_is_held(l, now) && (l->state == LEASE_DECLINED || memcmp(l->mac, mac, 6)))
		return false;
	return true;
}

/* The address to offer @mac (see the top of dhcp.h), or 0 when none is left. */
static uint32_t dhcp_choose(struct dhcp_server *s, const struct dhcp_msg *m, int64_t now)
{
	const struct dhcp_config *c = &s->cfg;
	const struct lease_resv *r = lease_resv_find_mac(s->leases, m->chaddr);
	const struct lease *l = lease_find_mac(s->leases, m->chaddr);
	const struct lease *oldest = NULL;
	uint32_t n_pool = c->pool_last - c->pool_first + 1;

	if (r)
		return dhcp_ip_ok(s, m->chaddr, r->ip, now) ? r->ip : 0;
	if (l && dhcp_ip_ok(s, m->chaddr, l->ip, now))
		return l->ip;
	if (m->req_ip && dhcp_ip_ok(s, m->chaddr, m->req_ip, now))
		return m->req_ip;
	/* a never-used address: one with no entry at all */
	for (uint32_t i = 0; i < n_pool; i++) {
		uint32_t ip = c->pool_first + i;

		if (!lease_find_ip(s->leases, ip) && dhcp_ip_ok(s, m->chaddr, ip, now))
			return ip;
	}
	/* the pairing freed longest ago */
	for (unsigned i = 0; i < s->leases->n; i++) {
		const struct lease *e = &s->leases->e[i];

		if (e->ip < c->pool_first || e->ip > c->pool_last || lease_is_held(e, now))
			continue;
		if (dhcp_ip_ok(s, m->chaddr, e->ip, now) &&
		    (!oldest || e->expires < oldest->expires))
			oldest = e;
	}
	return oldest ? oldest->ip : 0;
}

/* Make (or move) @mac's entry to @ip. Return: the entry, or NULL when the table is full. */
static struct lease *dhcp_entry(struct dhcp_server *s, const uint8_t *mac, uint32_t ip, int64_t now)
{
	struct lease *other = lease_find_ip(s->leases, ip), *l;

	if (other && (other->state == LEASE_DECLINED || memcmp(other->mac, mac, 6)))
		lease_del(s->leases, other); /* free (checked by dhcp_ip_ok): forget its pairing */
	l = lease_find_mac(s->leases, mac);
	if (!l)
		l = lease_add(s->leases, mac, ip, now);
	if (l)
		l->ip = ip;
	return l;
}

/* Set the DNS name of @l from the client's option 12, unless another client holds it. */
static void dhcp_set_hostname(struct dhcp_server *s, struct lease *l, const struct dhcp_msg *m,
			      int64_t now)
{
	const struct lease_resv *r = lease_resv_find_mac(s->leases, l->mac);
	char name[LEASE_HOSTNAME_MAX];
	uint32_t holder;

	if (r && r->hostname[0]) {
		strcpy(l->hostname, r->hostname);
		return;
	}
	if (!m->hostname || !lease_hostname_sanitize(m->hostname, m->hostname_size, name))
		return;
	if (lease_find_hostname(s->leases, name, now, &holder) && holder != l->ip) {
		char mac[18];

		log_ratelimited(LOG_LVL_INFO,
				"dhcp %s: host name %s is taken; not registering it for %s",
				s->cfg.domain, name, eth_mac_format(l->mac, mac));
		l->hostname[0] = '\0';
		return;
	}
	strcpy(l->hostname, name);
}

static uint8_t *dhcp_opt(uint8_t *o, uint8_t code, uint8_t len, const void *val)
{
	o[0] = code;
	o[1] = len;
	memcpy(o + 2, val, len);
	return o + 2 + len;
}

static uint8_t *dhcp_opt32(uint8_t *o, uint8_t code, uint32_t v)
{
	uint8_t b[4];

	wr32(b, v);
	return dhcp_opt(o, code, 4, b);
}

/*
 * Build the reply of @type to @m in @out. @yiaddr is the address given (0
 * for NAK/INFORM), @lease_s the lease time (0: no lease options).
 */
static size_t dhcp_reply(struct dhcp_server *s, const struct dhcp_msg *m, uint8_t type,
			 uint32_t yiaddr, uint32_t lease_s, uint8_t *out)
{
	const struct dhcp_config *c = &s->cfg;
	uint8_t *b = out + INET_UDP4_HLEN, *o;
	const uint8_t *eth_dst = m->chaddr;
	uint32_t ip_dst = yiaddr, mask = dhcp_mask(c);
	size_t size;

	memset(b, 0, DHCP_REPLY_MAX);
	b[DHCP_OFF_OP] = BOOTREPLY;
	b[DHCP_OFF_HTYPE] = 1;
	b[DHCP_OFF_HLEN] = 6;
	memcpy(b + DHCP_OFF_XID, m->bootp + DHCP_OFF_XID, 4);
	memcpy(b + DHCP_OFF_FLAGS, m->bootp + DHCP_OFF_FLAGS, 2);
	if (type == DHCPACK)
		wr32(b + DHCP_OFF_CIADDR, m->ciaddr);
	wr32(b + DHCP_OFF_YIADDR, yiaddr);
	memcpy(b + DHCP_OFF_CHADDR, m->chaddr, 16);
	wr32(b + DHCP_OFF_MAGIC, DHCP_MAGIC);
	o = b + DHCP_OFF_OPTIONS;
	o = dhcp_opt(o, OPT_MSG_TYPE, 1, &type);
	o = dhcp_opt32(o, OPT_SERVER_ID, c->server_ip);
	if (type == DHCPNAK) {
		static const char msg[] = "address not available";

		o = dhcp_opt(o, OPT_MESSAGE, sizeof(msg) - 1, msg);
	} else {
		if (lease_s) {
			o = dhcp_opt32(o, OPT_LEASE_TIME, lease_s);
			o = dhcp_opt32(o, OPT_T1, lease_s / 2);
			o = dhcp_opt32(o, OPT_T2, (uint32_t)((uint64_t)lease_s * 7 / 8));
		}
		o = dhcp_opt32(o, OPT_SUBNET_MASK, mask);
		o = dhcp_opt32(o, OPT_BROADCAST, c->net | ~mask);
		if (c->router)
			o = dhcp_opt32(o, OPT_ROUTER, c->router);
		if (c->dns)
			o = dhcp_opt32(o, OPT_DNS, c->dns);
		if (c->domain[0])
			o = dhcp_opt(o, OPT_DOMAIN, (uint8_t)strlen(c->domain), c->domain);
		if (c->mtu) {
			uint8_t mtu[2] = { (uint8_t)(c->mtu >> 8), (uint8_t)c->mtu };

			o = dhcp_opt(o, OPT_MTU, 2, mtu);
		}
	}
	*o++ = OPT_END;
	size = (size_t)(o - b);
	if (size < DHCP_BOOTP_MIN)
		size = DHCP_BOOTP_MIN;

	/* RFC 2131 4.1: where the reply goes */
	if (type == DHCPNAK || (!m->ciaddr && (m->flags & DHCP_FLAG_BROADCAST))) {
		eth_dst = dhcp_bcast_mac;
		ip_dst = INET_IP4_BROADCAST;
	} else if (m->ciaddr) {
		ip_dst = m->ciaddr;
	} else if (type == DHCPACK && !yiaddr) {
		ip_dst = m->src_ip; /* INFORM from a client without ciaddr */
	}
	switch (type) {
	case DHCPOFFER:
		s->stats.offer++;
		break;
	case DHCPACK:
		s->stats.ack++;
		break;
	default:
		s->stats.nak++;
		break;
	}
	return inet_udp4_encap(out, size, eth_dst, c->mac, c->server_ip, ip_dst, DHCP_SERVER_PORT,
			       DHCP_CLIENT_PORT);
}

static uint32_t dhcp_lease_time(const struct dhcp_server *s, const struct dhcp_msg *m)
{
	if (m->lease_s >= DHCP_LEASE_MIN_S && m->lease_s < s->cfg.lease_s)
		return m->lease_s;
	return s->cfg.lease_s;
}

static size_t dhcp_discover(struct dhcp_server *s, const struct dhcp_msg *m, const char *port,
			    int64_t now, uint8_t *out)
{
	uint32_t ip = dhcp_choose(s, m, now);
	struct lease *l;
	char a[16];

	if (!ip) {
		s->stats.pool_exhausted++;
		log_ratelimited(LOG_LVL_WARN, "dhcp %s: no address left to offer", s->cfg.domain);
		return 0;
	}
	l = dhcp_entry(s, m->chaddr, ip, now);
	if (!l) {
		s->stats.pool_exhausted++;
		log_ratelimited(LOG_LVL_WARN, "dhcp %s: lease table full (%u entries)",
				s->cfg.domain, s->leases->max);
		return 0;
	}
	if (!(l->state == LEASE_BOUND && l->expires > now)) {
		l->state = LEASE_OFFERED;
		l->expires = now + DHCP_OFFER_HOLD_S;
	}
	snprintf(l->port, sizeof(l->port), "%s", port);
	debug("dhcp %s: offer %s", s->cfg.domain, inet_format_addr(ip, a));
	return dhcp_reply(s, m, DHCPOFFER, ip, dhcp_lease_time(s, m), out);
}

/* Bind @ip to the client and ACK, committing first. */
static size_t dhcp_ack(struct dhcp_server *s, const struct dhcp_msg *m, uint32_t ip,
		       const char *port, int64_t now, uint8_t *out)
{
	uint32_t lease_s = dhcp_lease_time(s, m);
	struct lease *l = dhcp_entry(s, m->chaddr, ip, now);
	char a[16], mac[18];

	if (!l) {
		s->stats.pool_exhausted++;
		return dhcp_reply(s, m, DHCPNAK, 0, 0, out);
	}
	l->state = LEASE_BOUND;
	l->expires = now + lease_s;
	snprintf(l->port, sizeof(l->port), "%s", port);
	dhcp_set_hostname(s, l, m, now);
	if (s->ops.commit && s->ops.commit(s->ops.arg) < 0) {
		s->stats.commit_failed++;
		return 0; /* no ACK for a lease we could not make durable; the client retries */
	}
	info("dhcp %s: %s bound to %s%s%s", s->cfg.domain, inet_format_addr(ip, a),
	     eth_mac_format(m->chaddr, mac), l->hostname[0] ? " as " : "", l->hostname);
	return dhcp_reply(s, m, DHCPACK, ip, lease_s, out);
}

static size_t dhcp_request(struct dhcp_server *s, const struct dhcp_msg *m, const char *port,
			   int64_t now, uint8_t *out)
{
	struct lease *l = lease_find_mac(s->leases, m->chaddr);
	uint32_t ip;

	if (m->server_id) { /* SELECTING */
		if (m->server_id != s->cfg.server_ip) {
			/* the client took another server's offer: free ours */
			if (l && l->state == LEASE_OFFERED) {
				l->state = LEASE_RELEASED;
				l->expires = now;
			}
			s->stats.not_for_us++;
			return 0;
		}
		if (!m->req_ip) {
			s->stats.malformed++;
			return 0;
		}
		ip = m->req_ip;
	} else if (!m->ciaddr) { /* INIT-REBOOT */
		if (!m->req_ip) {
			s->stats.malformed++;
			return 0;
		}
		ip = m->req_ip;
	} else { /* RENEWING (unicast) or REBINDING (broadcast) */
		ip = m->ciaddr;
	}
	if (!dhcp_ip_ok(s, m->chaddr, ip, now))
		return dhcp_reply(s, m, DHCPNAK, 0, 0, out);
	return dhcp_ack(s, m, ip, port, now, out);
}

static void dhcp_decline(struct dhcp_server *s, const struct dhcp_msg *m, int64_t now)
{
	struct lease *l = lease_find_mac(s->leases, m->chaddr);
	char a[16];

	if ((m->server_id && m->server_id != s->cfg.server_ip) || !l || l->ip != m->req_ip)
		return;
	/* Nobody gets the address for a while: something else on the network uses it. */
	memset(l->mac, 0, sizeof(l->mac));
	l->state = LEASE_DECLINED;
	l->expires = now + DHCP_DECLINE_HOLD_S;
	l->hostname[0] = '\0';
	warn("dhcp %s: %s declined by a client: it is in use by someone else", s->cfg.domain,
	     inet_format_addr(m->req_ip, a));
	if (s->ops.commit && s->ops.commit(s->ops.arg) < 0)
		s->stats.commit_failed++;
}

static void dhcp_release(struct dhcp_server *s, const struct dhcp_msg *m, int64_t now)
{
	struct lease *l = lease_find_mac(s->leases, m->chaddr);

	if ((m->server_id && m->server_id != s->cfg.server_ip) || !l || l->ip != m->ciaddr ||
	    l->state != LEASE_BOUND)
		return;
	l->state = LEASE_RELEASED;
	l->expires = now;
	if (s->ops.commit && s->ops.commit(s->ops.arg) < 0)
		s->stats.commit_failed++;
}

size_t dhcp_input(struct dhcp_server *s, const uint8_t *frame, size_t size, const char *port,
		  uint8_t *out)
{
	struct inet_udp4 u;
	struct dhcp_msg m;
	const struct lease *l;
	int64_t now;

	if (!inet_udp4_parse(frame, size, true, &u) || u.dport != DHCP_SERVER_PORT) {
		s->stats.malformed++;
		return 0;
	}
	if ((u.ip_dst != INET_IP4_BROADCAST && u.ip_dst != s->cfg.server_ip) ||
	    (!eth_is_broadcast(u.eth_dst) && memcmp(u.eth_dst, s->cfg.mac, 6))) {
		s->stats.not_for_us++;
		return 0;
	}
	if (!dhcp_parse(u.payload, u.payload_size, &m)) {
		s->stats.malformed++;
		log_ratelimited(LOG_LVL_INFO, "dhcp %s: port %s: malformed message dropped",
				s->cfg.domain, port);
		return 0;
	}
	m.src_ip = u.ip_src;
	if (memcmp(m.chaddr, u.eth_src, 6) || eth_is_multicast(m.chaddr)) {
		s->stats.mac_mismatch++;
		log_ratelimited(LOG_LVL_WARN,
				"dhcp %s: port %s: client hardware address differs from the "
				"frame's source MAC: dropped",
				s->cfg.domain, port);
		return 0;
	}
	if (m.giaddr) {
		s->stats.relayed++; /* no relay agents on a vnet switch */
		return 0;
	}
	now = s->ops.now(s->ops.arg);
	l = lease_find_mac(s->leases, m.chaddr);
	if (l && l->state == LEASE_BOUND && l->expires > now && l->port[0] && port[0] &&
	    strcmp(l->port, port) &&
	    (!s->ops.port_exists || s->ops.port_exists(s->ops.arg, l->port))) {
		s->stats.port_mismatch++;
		log_ratelimited(LOG_LVL_WARN,
				"dhcp %s: port %s claims a MAC whose lease belongs to port %s: "
				"dropped",
				s->cfg.domain, port, l->port);
		return 0;
	}
	switch (m.type) {
	case DHCPDISCOVER:
		s->stats.discover++;
		return dhcp_discover(s, &m, port, now, out);
	case DHCPREQUEST:
		s->stats.request++;
		return dhcp_request(s, &m, port, now, out);
	case DHCPDECLINE:
		s->stats.decline++;
		dhcp_decline(s, &m, now);
		return 0;
	case DHCPRELEASE:
		s->stats.release++;
		dhcp_release(s, &m, now);
		return 0;
	case DHCPINFORM:
		s->stats.inform++;
		return dhcp_reply(s, &m, DHCPACK, 0, 0, out);
	default: /* OFFER, ACK, NAK from a client: another server's messages, or junk */
		s->stats.not_for_us++;
		return 0;
	}
}

bool dhcp_stats_get(const struct dhcp_stats *st, unsigned i, const char **name, uint64_t *val)
{
	static const char *const names[] = {
#define DHCP_NAME_(f, n) n,
		DHCP_COUNTERS(DHCP_NAME_)
#undef DHCP_NAME_
	};

	if (i >= sizeof(names) / sizeof(names[0]))
		return false;
	*name = names[i];
	*val = ((const uint64_t *)st)[i];
	return true;
}
