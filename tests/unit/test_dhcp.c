// SPDX-License-Identifier: GPL-2.0-or-later
/* test_dhcp.c - the DHCP server driven with frames: every message type, the client states, bad input. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../src/base/log.h"
#include "../../src/svc/dhcp.h"
#include "../../src/svc/inet.h"
#include "../../src/svc/lease.h"

#define NET 0xc0a89600u /* 192.168.150.0/24 */
#define IP(x) (NET | (x))
#define SERVER IP(254)
#define GW IP(2)

enum { DISCOVER = 1, OFFER, REQUEST, DECLINE, ACK, NAK, RELEASE, INFORM };

static int64_t clock_s = 1000000;
static int n_commits, commit_rc;
static const char *gone_port; /* port_exists() says this one no longer exists */

static int64_t t_now(void *arg)
{
	(void)arg;
	return clock_s;
}

static int t_commit(void *arg)
{
	(void)arg;
	n_commits++;
	return commit_rc;
}

static bool t_port_exists(void *arg, const char *port)
{
	(void)arg;
	return !gone_port || strcmp(port, gone_port);
}

static const uint8_t srv_mac[6] = { 0x52, 0x55, 0xc0, 0xa8, 0x96, 0x02 };

static struct dhcp_server *mkserver(unsigned pool_first, unsigned pool_last, unsigned max)
{
	struct dhcp_server *s = calloc(1, sizeof(*s));
	char err[128];

	assert_non_null(s);
	s->cfg = (struct dhcp_config){ .server_ip = SERVER,
				       .net = NET,
				       .plen = 24,
				       .pool_first = IP(pool_first),
				       .pool_last = IP(pool_last),
				       .router = GW,
				       .dns = GW,
				       .domain = "lab",
				       .lease_s = 3600,
				       .mtu = 1450 };
	memcpy(s->cfg.mac, srv_mac, 6);
	assert_true(dhcp_config_check(&s->cfg, err, sizeof(err)));
	s->leases = lease_table_create(max);
	assert_non_null(s->leases);
	s->ops =
		(struct dhcp_ops){ .now = t_now, .commit = t_commit, .port_exists = t_port_exists };
	n_commits = 0;
	commit_rc = 0;
	gone_port = NULL;
	return s;
}

static void freeserver(struct dhcp_server *s)
{
	lease_table_destroy(s->leases);
	free(s);
}

/**
 * struct msg - a client message to build
 * @mac: client MAC (frame source and chaddr unless @chaddr given)
 * @opts: extra raw options (before END), @n_opts bytes
 */
struct msg {
	uint8_t type;
	uint8_t mac; /* last byte of 52:54:00:00:00:xx */
	uint32_t ciaddr;
	uint32_t req_ip; /* option 50 */
	uint32_t server_id; /* option 54 */
	uint32_t ip_src, ip_dst;
	bool bcast_flag;
	const char *hostname;
	const uint8_t *chaddr;
	const uint8_t *raw_opts; /* replaces all options, END included, when set */
	size_t raw_opts_size;
};

static void macof(uint8_t x, uint8_t m[6])
{
	static const uint8_t base[6] = { 0x52, 0x54, 0, 0, 0, 0 };

	memcpy(m, base, 6);
	m[5] = x;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static size_t build(const struct msg *m, uint8_t *f)
{
	uint8_t *b = f + INET_UDP4_HLEN, *o, mac[6];
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	size_t size;

	macof(m->mac, mac);
	memset(b, 0, 600);
	b[0] = 1;
	b[1] = 1;
	b[2] = 6;
	put32(b + 4, 0x11223344u + m->mac);
	if (m->bcast_flag)
		b[10] = 0x80;
	put32(b + 12, m->ciaddr);
	memcpy(b + 28, m->chaddr ? m->chaddr : mac, 6);
	put32(b + 236, 0x63825363u);
	o = b + 240;
	if (m->raw_opts) {
		memcpy(o, m->raw_opts, m->raw_opts_size);
		o += m->raw_opts_size;
	} else {
		*o++ = 53;
		*o++ = 1;
		*o++ = m->type;
		if (m->req_ip) {
			*o++ = 50;
			*o++ = 4;
			put32(o, m->req_ip);
			o += 4;
		}
		if (m->server_id) {
			*o++ = 54;
			*o++ = 4;
			put32(o, m->server_id);
			o += 4;
		}
		if (m->hostname) {
			*o++ = 12;
			*o++ = (uint8_t)strlen(m->hostname);
			memcpy(o, m->hostname, strlen(m->hostname));
			o += strlen(m->hostname);
		}
		*o++ = 255;
	}
	size = (size_t)(o - b);
	return inet_udp4_encap(f, size, m->ip_dst == SERVER ? srv_mac : bcast, mac, m->ip_src,
			       m->ip_dst ? m->ip_dst : INET_IP4_BROADCAST, 68, 67);
}

/* What a reply said. */
struct reply {
	uint8_t type;
	uint32_t yiaddr, ciaddr, ip_dst, server_id, lease, t1, t2, mask, router, dns, bcast;
	uint16_t mtu;
	char domain[64];
	uint8_t eth_dst[6];
	bool has_lease;
};

static bool parse_reply(const uint8_t *f, size_t size, struct reply *r)
{
	struct inet_udp4 u;
	const uint8_t *b, *o, *end;

	memset(r, 0, sizeof(*r));
	if (!size)
		return false;
	assert_true(inet_udp4_parse(f, size, true, &u));
	assert_int_equal(u.sport, 67);
	assert_int_equal(u.dport, 68);
	assert_int_equal(u.ip_src, SERVER);
	assert_memory_equal(u.eth_src, srv_mac, 6);
	assert_true(u.payload_size >= 300);
	b = u.payload;
	assert_int_equal(b[0], 2);
	assert_int_equal(get32(b + 236), 0x63825363u);
	memcpy(r->eth_dst, u.eth_dst, 6);
	r->ip_dst = u.ip_dst;
	r->yiaddr = get32(b + 16);
	r->ciaddr = get32(b + 12);
	o = b + 240;
	end = b + u.payload_size;
	while (o < end && *o != 255) {
		uint8_t c = o[0], l = o[1];

		if (c == 0) {
			o++;
			continue;
		}
		assert_true(o + 2 + l <= end);
		switch (c) {
		case 53:
			r->type = o[2];
			break;
		case 54:
			r->server_id = get32(o + 2);
			break;
		case 51:
			r->lease = get32(o + 2);
			r->has_lease = true;
			break;
		case 58:
			r->t1 = get32(o + 2);
			break;
		case 59:
			r->t2 = get32(o + 2);
			break;
		case 1:
			r->mask = get32(o + 2);
			break;
		case 3:
			r->router = get32(o + 2);
			break;
		case 6:
			r->dns = get32(o + 2);
			break;
		case 28:
			r->bcast = get32(o + 2);
			break;
		case 26:
			r->mtu = (uint16_t)(o[2] << 8 | o[3]);
			break;
		case 15:
			memcpy(r->domain, o + 2, l < 63 ? l : 63);
			break;
		}
		o += 2 + l;
	}
	assert_true(o < end); /* END present */
	return true;
}

static bool send_msg(struct dhcp_server *s, const struct msg *m, const char *port, struct reply *r)
{
	uint8_t f[1024], out[DHCP_FRAME_MAX];
	size_t n = build(m, f);

	return parse_reply(out, dhcp_input(s, f, n, port, out), r);
}

/* Full DORA for client @mac; returns the address bound. */
static uint32_t dora(struct dhcp_server *s, uint8_t mac, const char *host, const char *port)
{
	struct reply r;
	uint32_t ip;

	assert_true(send_msg(s, &(struct msg){ .type = DISCOVER, .mac = mac, .hostname = host },
			     port, &r));
	assert_int_equal(r.type, OFFER);
	ip = r.yiaddr;
	assert_true(send_msg(s,
			     &(struct msg){ .type = REQUEST,
					    .mac = mac,
					    .req_ip = ip,
					    .server_id = SERVER,
					    .hostname = host },
			     port, &r));
	assert_int_equal(r.type, ACK);
	assert_int_equal(r.yiaddr, ip);
	return ip;
}

static void test_dora_options(void **state)
{
	struct dhcp_server *s = mkserver(128, 253, 64);
	struct reply r;
	struct lease *l;
	uint8_t mac[6];

	(void)state;
	assert_true(send_msg(s, &(struct msg){ .type = DISCOVER, .mac = 1, .hostname = "VM1.x" },
			     "p1", &r));
	assert_int_equal(r.type, OFFER);
	assert_int_equal(r.yiaddr, IP(128));
	assert_int_equal(r.server_id, SERVER);
	assert_int_equal(r.mask, 0xffffff00u);
	assert_int_equal(r.router, GW);
	assert_int_equal(r.dns, GW);
	assert_int_equal(r.bcast, IP(255));
	assert_int_equal(r.mtu, 1450);
	assert_string_equal(r.domain, "lab");
	assert_int_equal(r.lease, 3600);
	assert_int_equal(r.t1, 1800);
	assert_int_equal(r.t2, 3150);
	assert_int_equal(r.ip_dst, IP(128)); /* unicast: no broadcast flag */
	assert_int_equal(n_commits, 0); /* an offer is not persisted */

	assert_true(send_msg(s,
			     &(struct msg){ .type = REQUEST,
					    .mac = 1,
					    .req_ip = IP(128),
					    .server_id = SERVER,
					    .hostname = "VM1.x",
					    .bcast_flag = true },
			     "p1", &r));
	assert_int_equal(r.type, ACK);
	assert_int_equal(r.yiaddr, IP(128));
	assert_int_equal(r.ip_dst, INET_IP4_BROADCAST); /* broadcast flag honoured */
	assert_int_equal(n_commits, 1); /* committed before the ACK */
	macof(1, mac);
	l = lease_find_mac(s->leases, mac);
	assert_non_null(l);
	assert_int_equal(l->state, LEASE_BOUND);
	assert_int_equal(l->expires, clock_s + 3600);
	assert_string_equal(l->hostname, "vm1");
	assert_string_equal(l->port, "p1");
	assert_int_equal(s->stats.discover, 1);
	assert_int_equal(s->stats.ack, 1);
	freeserver(s);
}

static void test_renew_rebind(void **state)
{
	struct dhcp_server *s = mkserver(128, 253, 64);
	uint32_t ip = dora(s, 2, NULL, "p1");
	struct reply r;
	uint8_t mac[6];

	(void)state;
	macof(2, mac);
	clock_s += 1800; /* T1: RENEWING, unicast to the server */
	assert_true(send_msg(
		s,
		&(struct msg){
			.type = REQUEST, .mac = 2, .ciaddr = ip, .ip_src = ip, .ip_dst = SERVER },
		"p1", &r));
	assert_int_equal(r.type, ACK);
	assert_int_equal(r.ip_dst, ip);
	assert_int_equal(r.ciaddr, ip);
	assert_memory_equal(r.eth_dst, mac, 6);
	assert_int_equal(lease_find_mac(s->leases, mac)->expires, clock_s + 3600);

	clock_s += 3150; /* T2: REBINDING, broadcast */
	assert_true(send_msg(s,
			     &(struct msg){ .type = REQUEST, .mac = 2, .ciaddr = ip, .ip_src = ip },
			     "p1", &r));
	assert_int_equal(r.type, ACK);
	assert_int_equal(r.yiaddr, ip);
	assert_int_equal(lease_find_mac(s->leases, mac)->expires, clock_s + 3600);
	freeserver(s);
}

static void test_init_reboot(void **state)
{
	struct dhcp_server *s = mkserver(128, 253, 64);
	uint32_t ip1 = dora(s, 1, NULL, "p1");
	struct reply r;

	(void)state;
	/* client 2 claims client 1's address: NAK, broadcast */
	assert_true(
		send_msg(s, &(struct msg){ .type = REQUEST, .mac = 2, .req_ip = ip1 }, "p2", &r));
	assert_int_equal(r.type, NAK);
	assert_int_equal(r.yiaddr, 0);
	assert_int_equal(r.ip_dst, INET_IP4_BROADCAST);
	assert_false(r.has_lease);
	/* an address from another network: NAK */
	assert_true(send_msg(s, &(struct msg){ .type = REQUEST, .mac = 2, .req_ip = 0x0a000005 },
			     "p2", &r));
	assert_int_equal(r.type, NAK);
	/* the gateway's and the server's own addresses are never leased */
	assert_true(
		send_msg(s, &(struct msg){ .type = REQUEST, .mac = 2, .req_ip = GW }, "p2", &r));
	assert_int_equal(r.type, NAK);
	assert_true(send_msg(s, &(struct msg){ .type = REQUEST, .mac = 2, .req_ip = SERVER }, "p2",
			     &r));
	assert_int_equal(r.type, NAK);
	/* outside the pool and not reserved: NAK */
	assert_true(send_msg(s, &(struct msg){ .type = REQUEST, .mac = 2, .req_ip = IP(50) }, "p2",
			     &r));
	assert_int_equal(r.type, NAK);
	/* a free pool address (the client remembers it from before a restart): ACK */
	assert_true(send_msg(s, &(struct msg){ .type = REQUEST, .mac = 2, .req_ip = IP(200) }, "p2",
			     &r));
	assert_int_equal(r.type, ACK);
	assert_int_equal(r.yiaddr, IP(200));
	/* client 1 reboots and asks for its own address: ACK */
	assert_true(
		send_msg(s, &(struct msg){ .type = REQUEST, .mac = 1, .req_ip = ip1 }, "p1", &r));
	assert_int_equal(r.type, ACK);
	assert_int_equal(s->stats.nak, 5);
	freeserver(s);
}

static void test_requested_address(void **state)
{
	struct dhcp_server *s = mkserver(128, 253, 64);
	struct reply r;

	(void)state;
	/* inside the pool and free: honoured */
	assert_true(send_msg(s, &(struct msg){ .type = DISCOVER, .mac = 1, .req_ip = IP(150) },
			     "p1", &r));
	assert_int_equal(r.yiaddr, IP(150));
	/* outside the pool: ignored, a pool address instead */
	assert_true(send_msg(s, &(struct msg){ .type = DISCOVER, .mac = 2, .req_ip = IP(10) }, "p2",
			     &r));
	assert_int_equal(r.yiaddr, IP(128));
	/* held by client 1's offer: not given to client 3 */
	assert_true(send_msg(s, &(struct msg){ .type = DISCOVER, .mac = 3, .req_ip = IP(150) },
			     "p3", &r));
	assert_int_not_equal(r.yiaddr, IP(150));
	freeserver(s);
}

static void test_selecting_other_server(void **state)
{
	struct dhcp_server *s = mkserver(128, 253, 64);
	struct reply r;
	uint8_t mac[6];

	(void)state;
	assert_true(send_msg(s, &(struct msg){ .type = DISCOVER, .mac = 1 }, "p1", &r));
	assert_false(send_msg(
		s,
		&(struct msg){ .type = REQUEST, .mac = 1, .req_ip = r.yiaddr, .server_id = IP(77) },
		"p1", &r));
	macof(1, mac);
	assert_int_equal(lease_find_mac(s->leases, mac)->state, LEASE_RELEASED);
	assert_int_equal(s->stats.not_for_us, 1);
	/* SELECTING with no requested address is malformed */
	assert_false(send_msg(s, &(struct msg){ .type = REQUEST, .mac = 1, .server_id = SERVER },
			      "p1", &r));
	assert_int_equal(s->stats.malformed, 1);
	freeserver(s);
}

static void test_decline_release(void **state)
{
	struct dhcp_server *s = mkserver(128, 253, 64);
	uint32_t ip = dora(s, 1, NULL, "p1");
	struct reply r;
	struct lease *l;

	(void)state;
	assert_int_equal(ip, IP(128));
	/* the client finds the address in use: it is quarantined */
	assert_false(send_msg(
		s, &(struct msg){ .type = DECLINE, .mac = 1, .req_ip = ip, .server_id = SERVER },
		"p1", &r));
	l = lease_find_ip(s->leases, ip);
	assert_non_null(l);
	assert_int_equal(l->state, LEASE_DECLINED);
	assert_true(send_msg(s, &(struct msg){ .type = DISCOVER, .mac = 1 }, "p1", &r));
	assert_int_equal(r.yiaddr, IP(129));
	assert_true(
		send_msg(s, &(struct msg){ .type = DISCOVER, .mac = 2, .req_ip = ip }, "p2", &r));
	assert_int_not_equal(r.yiaddr, ip);
	/* after the hold time it is usable again */
	clock_s += DHCP_DECLINE_HOLD_S + 1;
	assert_true(
		send_msg(s, &(struct msg){ .type = DISCOVER, .mac = 3, .req_ip = ip }, "p3", &r));
	assert_int_equal(r.yiaddr, ip);

	/* RELEASE frees the address, and the pairing brings it back to the same client */
	ip = dora(s, 4, NULL, "p4");
	n_commits = 0;
	assert_false(send_msg(s,
			      &(struct msg){ .type = RELEASE,
					     .mac = 4,
					     .ciaddr = ip,
					     .ip_src = ip,
					     .ip_dst = SERVER,
					     .server_id = SERVER },
			      "p4", &r));
	assert_int_equal(n_commits, 1);
	assert_int_equal(lease_find_ip(s->leases, ip)->state, LEASE_RELEASED);
	assert_true(send_msg(s, &(struct msg){ .type = DISCOVER, .mac = 4 }, "p4", &r));
	assert_int_equal(r.yiaddr, ip);
	freeserver(s);
}

static void test_inform(void **state)
{
	struct dhcp_server *s = mkserver(128, 253, 64);
	struct reply r;

	(void)state;
	assert_true(send_msg(s,
			     &(struct msg){ .type = INFORM,
					    .mac = 9,
					    .ciaddr = IP(30),
					    .ip_src = IP(30),
					    .ip_dst = SERVER },
			     "p9", &r));
	assert_int_equal(r.type, ACK);
	assert_int_equal(r.yiaddr, 0);
	assert_int_equal(r.ip_dst, IP(30));
	assert_false(r.has_lease);
	assert_int_equal(r.router, GW);
	assert_int_equal(s->leases->n, 0);
	freeserver(s);
}

static void test_reservation(void **state)
{
	struct dhcp_server *s = mkserver(128, 253, 64);
	uint8_t mac[6];
	char err[128];
	struct reply r;
	struct lease *l;

	(void)state;
	macof(5, mac);
	assert_int_equal(lease_resv_add(s->leases, mac, IP(50), "db", err, sizeof(err)), 0);
	assert_int_equal(dora(s, 5, "ignored", "p5"), IP(50));
	l = lease_find_mac(s->leases, mac);
	assert_string_equal(l->hostname, "db"); /* the reservation's name wins */
	/* another client cannot have it */
	assert_true(send_msg(s, &(struct msg){ .type = REQUEST, .mac = 6, .req_ip = IP(50) }, "p6",
			     &r));
	assert_int_equal(r.type, NAK);
	/* the reserved client cannot have another address */
	assert_true(send_msg(s, &(struct msg){ .type = REQUEST, .mac = 5, .req_ip = IP(130) }, "p5",
			     &r));
	assert_int_equal(r.type, NAK);
	freeserver(s);
}

static void test_pool_exhaustion(void **state)
{
	struct dhcp_server *s = mkserver(128, 130, 64);
	struct reply r;
	uint32_t ip;

	(void)state;
	assert_int_equal(dora(s, 1, NULL, "p1"), IP(128));
	assert_int_equal(dora(s, 2, NULL, "p2"), IP(129));
	ip = dora(s, 3, NULL, "p3");
	assert_int_equal(ip, IP(130));
	/* pool full: a DISCOVER gets no answer, and REQUESTs are NAKed */
	assert_false(send_msg(s, &(struct msg){ .type = DISCOVER, .mac = 4 }, "p4", &r));
	assert_int_equal(s->stats.pool_exhausted, 1);
	assert_true(send_msg(s, &(struct msg){ .type = REQUEST, .mac = 4, .req_ip = IP(129) }, "p4",
			     &r));
	assert_int_equal(r.type, NAK);
	/* one lease expires: the newcomer gets its address */
	clock_s += 3601;
	assert_true(send_msg(
		s, &(struct msg){ .type = REQUEST, .mac = 1, .ciaddr = IP(128), .ip_src = IP(128) },
		"p1", &r));
	assert_int_equal(r.type, ACK);
	assert_true(send_msg(
		s, &(struct msg){ .type = REQUEST, .mac = 2, .ciaddr = IP(129), .ip_src = IP(129) },
		"p2", &r));
	assert_true(send_msg(s, &(struct msg){ .type = DISCOVER, .mac = 4 }, "p4", &r));
	assert_int_equal(r.yiaddr, ip);
	freeserver(s);
}

static void test_table_full(void **state)
{
	struct dhcp_server *s = mkserver(128, 253, 2);
	struct reply r;

	(void)state;
	dora(s, 1, NULL, "p1");
	dora(s, 2, NULL, "p2");
	assert_false(send_msg(s, &(struct msg){ .type = DISCOVER, .mac = 3 }, "p3", &r));
	assert_int_equal(s->leases->n_full, 1);
	assert_int_equal(s->leases->n, 2);
	freeserver(s);
}

static void test_malformed(void **state)
{
	struct dhcp_server *s = mkserver(128, 253, 64);
	static const uint8_t no_end[] = { 53, 1, DISCOVER, 0, 0 };
	static const uint8_t overrun[] = { 53, 1, DISCOVER, 12, 200, 'a', 255 };
	static const uint8_t bad_type_len[] = { 53, 2, DISCOVER, 0, 255 };
	static const uint8_t no_type[] = { 12, 1, 'a', 255 };
	static const uint8_t bad_overload[] = { 53, 1, DISCOVER, 52, 1, 9, 255 };
	static const uint8_t overload_file_no_end[] = { 53, 1, DISCOVER, 52, 1, 1, 255 };
	const struct {
		const uint8_t *o;
		size_t n;
	} cases[] = {
		{ no_end, sizeof(no_end) },
		{ overrun, sizeof(overrun) },
		{ bad_type_len, sizeof(bad_type_len) },
		{ no_type, sizeof(no_type) },
		{ bad_overload, sizeof(bad_overload) },
		{ overload_file_no_end, sizeof(overload_file_no_end) },
	};
	uint8_t f[1024], out[DHCP_FRAME_MAX];
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = build(&(struct msg){ .mac = 1,
					 .raw_opts = cases[i].o,
					 .raw_opts_size = cases[i].n },
			  f);
		assert_int_equal(dhcp_input(s, f, n, "p1", out), 0);
	}
	assert_int_equal(s->stats.malformed, sizeof(cases) / sizeof(cases[0]));

	/* truncated in every possible place */
	n = build(&(struct msg){ .type = DISCOVER, .mac = 1 }, f);
	for (size_t cut = 0; cut < n; cut++)
		assert_int_equal(dhcp_input(s, f, cut, "p1", out), 0);
	/* a corrupted UDP checksum */
	f[n - 1] ^= 0x40;
	assert_int_equal(dhcp_input(s, f, n, "p1", out), 0);
	/* bad magic cookie */
	n = build(&(struct msg){ .type = DISCOVER, .mac = 1 }, f);
	f[INET_UDP4_HLEN + 236] = 0;
	assert_int_equal(dhcp_input(s, f, n, "p1", out), 0);
	assert_int_equal(s->leases->n, 0);
	assert_int_equal(s->stats.offer, 0);

	/* the good frame still works */
	n = build(&(struct msg){ .type = DISCOVER, .mac = 1 }, f);
	assert_int_not_equal(dhcp_input(s, f, n, "p1", out), 0);
	freeserver(s);
}

static void test_mac_mismatch(void **state)
{
	struct dhcp_server *s = mkserver(128, 253, 64);
	uint8_t other[6];
	struct reply r;

	(void)state;
	macof(7, other);
	assert_false(send_msg(s, &(struct msg){ .type = DISCOVER, .mac = 1, .chaddr = other }, "p1",
			      &r));
	assert_int_equal(s->stats.mac_mismatch, 1);
	assert_int_equal(s->leases->n, 0);
	freeserver(s);
}

static void test_port_mismatch(void **state)
{
	struct dhcp_server *s = mkserver(128, 253, 64);
	uint32_t ip = dora(s, 1, NULL, "p1");
	struct reply r;

	(void)state;
	/* another port claims the MAC while p1 still exists: ignored */
	assert_false(
		send_msg(s, &(struct msg){ .type = REQUEST, .mac = 1, .req_ip = ip }, "p2", &r));
	assert_false(send_msg(s, &(struct msg){ .type = DISCOVER, .mac = 1 }, "p2", &r));
	assert_int_equal(s->stats.port_mismatch, 2);
	/* p1 deleted (the VM moved): the new port may take the lease over */
	gone_port = "p1";
	assert_true(
		send_msg(s, &(struct msg){ .type = REQUEST, .mac = 1, .req_ip = ip }, "p2", &r));
	assert_int_equal(r.type, ACK);
	assert_string_equal(lease_find_ip(s->leases, ip)->port, "p2");
	freeserver(s);
}

static void test_commit_failure(void **state)
{
	struct dhcp_server *s = mkserver(128, 253, 64);
	struct reply r;

	(void)state;
	assert_true(send_msg(s, &(struct msg){ .type = DISCOVER, .mac = 1 }, "p1", &r));
	commit_rc = -EIO;
	assert_false(send_msg(
		s,
		&(struct msg){ .type = REQUEST, .mac = 1, .req_ip = r.yiaddr, .server_id = SERVER },
		"p1", &r));
	assert_int_equal(s->stats.commit_failed, 1);
	assert_int_equal(s->stats.ack, 0);
	freeserver(s);
}

static void test_hostname_taken(void **state)
{
	struct dhcp_server *s = mkserver(128, 253, 64);
	uint32_t ip;

	(void)state;
	dora(s, 1, "web", "p1");
	ip = dora(s, 2, "web", "p2");
	assert_string_equal(lease_find_ip(s->leases, ip)->hostname, "");
	assert_true(lease_find_hostname(s->leases, "WEB", clock_s, &ip));
	assert_int_equal(ip, IP(128));
	freeserver(s);
}

static void test_not_for_us(void **state)
{
	struct dhcp_server *s = mkserver(128, 253, 64);
	struct reply r;

	(void)state;
	/* unicast to another server's address */
	assert_false(send_msg(s, &(struct msg){ .type = DISCOVER, .mac = 1, .ip_dst = IP(9) }, "p1",
			      &r));
	/* a server message (OFFER) sent by a rogue VM */
	assert_false(send_msg(s, &(struct msg){ .type = OFFER, .mac = 1 }, "p1", &r));
	assert_int_equal(s->stats.not_for_us, 2);
	freeserver(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dora_options),
		cmocka_unit_test(test_renew_rebind),
		cmocka_unit_test(test_init_reboot),
		cmocka_unit_test(test_requested_address),
		cmocka_unit_test(test_selecting_other_server),
		cmocka_unit_test(test_decline_release),
		cmocka_unit_test(test_inform),
		cmocka_unit_test(test_reservation),
		cmocka_unit_test(test_pool_exhaustion),
		cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_mac_mismatch),
		cmocka_unit_test(test_port_mismatch),
		cmocka_unit_test(test_commit_failure),
		cmocka_unit_test(test_hostname_taken),
		cmocka_unit_test(test_not_for_us),
	};

	log_set_level(LOG_LVL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
