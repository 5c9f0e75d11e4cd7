// SPDX-License-Identifier: GPL-2.0-or-later
/* test_dns.c - the DNS responder: local names, forwarding, NXDOMAIN, and hostile queries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../src/base/log.h"
#include "../../src/svc/dns.h"
#include "../../src/svc/inet.h"

#define NET 0xc0a89600u
#define VM1 (NET | 130)
#define DNS_IP (NET | 2)

enum { NOERROR = 0, FORMERR = 1, NXDOMAIN = 3, NOTIMP = 4 };

static bool t_lookup_name(void *arg, const char *label, uint32_t *ip)
{
	(void)arg;
	if (!strcmp(label, "vm1")) {
		*ip = VM1;
		return true;
	}
	return false;
}

static const char *t_lookup_addr(void *arg, uint32_t ip)
{
	(void)arg;
	return ip == VM1 ? "vm1" : NULL;
}

static void mkserver(struct dns_server *s, bool forward)
{
	static const uint8_t mac[6] = { 0x52, 0x55, 0xc0, 0xa8, 0x96, 0x02 };

	memset(s, 0, sizeof(*s));
	s->cfg.ip = DNS_IP;
	memcpy(s->cfg.mac, mac, 6);
	strcpy(s->cfg.domain, "lab");
	s->cfg.net = NET;
	s->cfg.plen = 24;
	s->cfg.forward = forward;
	s->ops = (struct dns_ops){ .lookup_name = t_lookup_name, .lookup_addr = t_lookup_addr };
}

/* A query for dotted @name of type @qtype, class IN; returns its size. */
static size_t query(uint8_t *m, const char *name, uint16_t qtype)
{
	size_t o = 12;
	const char *p = name;

	memset(m, 0, 12);
	m[0] = 0xab;
	m[1] = 0xcd;
	m[2] = 0x01; /* RD */
	m[5] = 1;
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t len = dot ? (size_t)(dot - p) : strlen(p);

		m[o++] = (uint8_t)len;
		memcpy(m + o, p, len);
		o += len;
		p += len + (dot ? 1 : 0);
	}
	m[o++] = 0;
	m[o++] = (uint8_t)(qtype >> 8);
	m[o++] = (uint8_t)qtype;
	m[o++] = 0;
	m[o++] = 1;
	return o;
}

static unsigned rcode(const uint8_t *r)
{
	return r[3] & 0xf;
}

static unsigned ancount(const uint8_t *r)
{
	return (unsigned)(r[6] << 8 | r[7]);
}

static void test_local_a(void **state)
{
	struct dns_server s;
	uint8_t q[512], r[DNS_MSG_MAX];
	size_t n, rn;

	(void)state;
	mkserver(&s, true);
	n = query(q, "VM1.Lab", 1);
	assert_int_equal(dns_message(&s, q, n, r, &rn), DNS_REPLY);
	assert_int_equal(r[0], 0xab);
	assert_int_equal(r[1], 0xcd);
	assert_true(r[2] & 0x80); /* QR */
	assert_true(r[2] & 0x04); /* AA */
	assert_true(r[2] & 0x01); /* RD copied */
	assert_int_equal(rcode(r), NOERROR);
	assert_int_equal(ancount(r), 1);
	assert_memory_equal(r + 12, q + 12, n - 12); /* question echoed, case kept */
	assert_int_equal(rn, n + 16);
	assert_int_equal(r[n], 0xc0); /* name: pointer to the question */
	assert_int_equal(r[n + 1], 12);
	assert_int_equal(r[n + 3], 1); /* type A */
	assert_int_equal(r[n + 9], DNS_TTL_S);
	assert_int_equal(r[n + 11], 4); /* rdlength */
	assert_int_equal(r[n + 12], 192);
	assert_int_equal(r[n + 15], 130);

	/* the bare host name too */
	n = query(q, "vm1", 1);
	assert_int_equal(dns_message(&s, q, n, r, &rn), DNS_REPLY);
	assert_int_equal(ancount(r), 1);
	assert_int_equal(s.stats.answered, 2);
}

static void test_local_nodata_nxdomain(void **state)
{
	struct dns_server s;
	uint8_t q[512], r[DNS_MSG_MAX];
	size_t n, rn;

	(void)state;
	mkserver(&s, true);
	n = query(q, "vm1.lab", 28); /* AAAA of a known host: NOERROR, no answer */
	assert_int_equal(dns_message(&s, q, n, r, &rn), DNS_REPLY);
	assert_int_equal(rcode(r), NOERROR);
	assert_int_equal(ancount(r), 0);
	n = query(q, "vm9.lab", 1); /* unknown host in our domain: NXDOMAIN, never forwarded */
	assert_int_equal(dns_message(&s, q, n, r, &rn), DNS_REPLY);
	assert_int_equal(rcode(r), NXDOMAIN);
	assert_true(r[2] & 0x04);
	n = query(q, "a.vm1.lab", 1); /* deeper names do not exist */
	assert_int_equal(dns_message(&s, q, n, r, &rn), DNS_REPLY);
	assert_int_equal(rcode(r), NXDOMAIN);
	n = query(q, "nohost", 1); /* bare unknown names stay inside */
	assert_int_equal(dns_message(&s, q, n, r, &rn), DNS_REPLY);
	assert_int_equal(rcode(r), NXDOMAIN);
	n = query(q, "lab", 1); /* the domain itself exists */
	assert_int_equal(dns_message(&s, q, n, r, &rn), DNS_REPLY);
	assert_int_equal(rcode(r), NOERROR);
	assert_int_equal(ancount(r), 0);
	assert_int_equal(s.stats.nxdomain, 3);
	assert_int_equal(s.stats.nodata, 2);
}

static void test_forward_or_nxdomain(void **state)
{
	struct dns_server s;
	uint8_t q[512], r[DNS_MSG_MAX];
	size_t n, rn;

	(void)state;
	mkserver(&s, true);
	n = query(q, "www.example.org", 1);
	assert_int_equal(dns_message(&s, q, n, r, &rn), DNS_FORWARD);
	n = query(q, "labx.org", 1); /* a suffix match must be a whole label */
	assert_int_equal(dns_message(&s, q, n, r, &rn), DNS_FORWARD);
	n = query(q, "1.0.0.10.in-addr.arpa", 12); /* reverse outside the subnet */
	assert_int_equal(dns_message(&s, q, n, r, &rn), DNS_FORWARD);
	assert_int_equal(s.stats.forwarded, 3);

	mkserver(&s, false); /* host-only / private */
	n = query(q, "www.example.org", 1);
	assert_int_equal(dns_message(&s, q, n, r, &rn), DNS_REPLY);
	assert_int_equal(rcode(r), NXDOMAIN);
	assert_false(r[3] & 0x80); /* RA clear: no recursion here */
	assert_false(r[2] & 0x04); /* not authoritative for it */
}

static void test_reverse(void **state)
{
	struct dns_server s;
	uint8_t q[512], r[DNS_MSG_MAX];
	static const uint8_t want[] = { 3, 'v', 'm', '1', 3, 'l', 'a', 'b', 0 };
	size_t n, rn;

	(void)state;
	mkserver(&s, true);
	n = query(q, "130.150.168.192.in-addr.arpa", 12);
	assert_int_equal(dns_message(&s, q, n, r, &rn), DNS_REPLY);
	assert_int_equal(ancount(r), 1);
	assert_int_equal(r[n + 3], 12);
	assert_int_equal(r[n + 11], sizeof(want));
	assert_memory_equal(r + n + 12, want, sizeof(want));
	n = query(q, "131.150.168.192.in-addr.arpa", 12);
	assert_int_equal(dns_message(&s, q, n, r, &rn), DNS_REPLY);
	assert_int_equal(rcode(r), NXDOMAIN);
	n = query(q, "x.150.168.192.in-addr.arpa", 12); /* not an address: not ours */
	assert_int_equal(dns_message(&s, q, n, r, &rn), DNS_FORWARD);
}

static void test_hostile_headers(void **state)
{
	struct dns_server s;
	uint8_t q[512], r[DNS_MSG_MAX];
	size_t n, rn;

	(void)state;
	mkserver(&s, true);
	n = query(q, "vm1.lab", 1);
	for (size_t cut = 0; cut < 12; cut++) /* shorter than a header: dropped */
		assert_int_equal(dns_message(&s, q, cut, r, &rn), DNS_DROP);
	for (size_t cut = 12; cut < n; cut++) { /* a cut question: FORMERR */
		assert_int_equal(dns_message(&s, q, cut, r, &rn), DNS_REPLY);
		assert_int_equal(rcode(r), FORMERR);
		assert_int_equal(rn, 12);
	}
	q[4] = 0xff; /* 65535 questions claimed */
	q[5] = 0xff;
	q[6] = q[7] = q[8] = q[9] = q[10] = q[11] = 0xff;
	assert_int_equal(dns_message(&s, q, n, r, &rn), DNS_REPLY);
	assert_int_equal(rcode(r), FORMERR);
	q[4] = 0;
	q[5] = 0; /* no question */
	assert_int_equal(dns_message(&s, q, n, r, &rn), DNS_REPLY);
	assert_int_equal(rcode(r), FORMERR);
	n = query(q, "vm1.lab", 1);
	q[6] = 0xff; /* huge answer counts in a query are ignored */
	q[11] = 0xff;
	assert_int_equal(dns_message(&s, q, n, r, &rn), DNS_REPLY);
	assert_int_equal(rcode(r), NOERROR);
	assert_int_equal(ancount(r), 1);
	n = query(q, "vm1.lab", 1);
	q[2] |= 0x80; /* a response: never answered */
	assert_int_equal(dns_message(&s, q, n, r, &rn), DNS_DROP);
	n = query(q, "vm1.lab", 1);
	q[2] |= 2 << 3; /* opcode STATUS */
	assert_int_equal(dns_message(&s, q, n, r, &rn), DNS_REPLY);
	assert_int_equal(rcode(r), NOTIMP);
}

static void test_hostile_names(void **state)
{
	struct dns_server s;
	uint8_t q[600], r[DNS_MSG_MAX], wire[DNS_NAME_WIRE_MAX];
	char text[DNS_NAME_TEXT_MAX];
	size_t n, rn, off, ws;
	bool plain;

	(void)state;
	mkserver(&s, true);
	memset(q, 0, sizeof(q));
	q[5] = 1;
	/* a pointer to itself */
	q[12] = 0xc0;
	q[13] = 12;
	assert_int_equal(dns_message(&s, q, 18, r, &rn), DNS_REPLY);
	assert_int_equal(rcode(r), FORMERR);
	/* a pointer forward */
	q[13] = 20;
	assert_int_equal(dns_message(&s, q, 30, r, &rn), DNS_REPLY);
	assert_int_equal(rcode(r), FORMERR);
	/* a loop through backward pointers: label at 12, pointer at 14 back to 12 */
	q[12] = 1;
	q[13] = 'a';
	q[14] = 0xc0;
	q[15] = 12;
	off = 12;
	assert_false(dns_name_parse(q, 20, &off, wire, &ws, text, &plain));
	assert_int_equal(dns_message(&s, q, 20, r, &rn), DNS_REPLY);
	assert_int_equal(rcode(r), FORMERR);
	/* a label running past the end */
	q[12] = 63;
	assert_int_equal(dns_message(&s, q, 30, r, &rn), DNS_REPLY);
	assert_int_equal(rcode(r), FORMERR);
	/* reserved label type 0x40 */
	q[12] = 0x41;
	assert_int_equal(dns_message(&s, q, 30, r, &rn), DNS_REPLY);
	assert_int_equal(rcode(r), FORMERR);
	/* a name longer than 255 bytes: five labels of 63 */
	for (int i = 0; i < 5; i++) {
		q[12 + i * 64] = 63;
		memset(q + 13 + i * 64, 'a', 63);
	}
	q[12 + 5 * 64] = 0;
	n = 12 + 5 * 64 + 1 + 4;
	assert_int_equal(dns_message(&s, q, n, r, &rn), DNS_REPLY);
	assert_int_equal(rcode(r), FORMERR);
	assert_int_equal(s.stats.formerr, 6);

	/* a legal backward pointer: the question name refers to an earlier copy */
	memset(q, 0, sizeof(q));
	n = query(q, "vm1.lab", 1); /* question at 12..20 */
	q[n] = 0xc0;
	q[n + 1] = 12;
	off = n;
	assert_true(dns_name_parse(q, n + 2, &off, wire, &ws, text, &plain));
	assert_int_equal(off, n + 2);
	assert_string_equal(text, "vm1.lab");
	assert_int_equal(ws, 9);
	/* a dot inside a label is not a name separator */
	n = query(q, "x", 1);
	q[13] = '.';
	off = 12;
	assert_true(dns_name_parse(q, n, &off, wire, &ws, text, &plain));
	assert_false(plain);
}

static void test_frame(void **state)
{
	struct dns_server s;
	uint8_t f[600], out[DNS_FRAME_MAX];
	static const uint8_t vm_mac[6] = { 0x52, 0x54, 0, 0, 0, 1 };
	struct inet_udp4 u;
	size_t n, rn = 0;

	(void)state;
	mkserver(&s, false);
	n = query(f + INET_UDP4_HLEN, "vm1.lab", 1);
	n = inet_udp4_encap(f, n, s.cfg.mac, vm_mac, NET | 131, DNS_IP, 40000, 53);
	assert_int_equal(dns_input(&s, f, n, out, &rn), DNS_REPLY);
	assert_true(inet_udp4_parse(out, rn, true, &u));
	assert_int_equal(u.ip_src, DNS_IP);
	assert_int_equal(u.ip_dst, NET | 131);
	assert_int_equal(u.sport, 53);
	assert_int_equal(u.dport, 40000);
	assert_memory_equal(u.eth_dst, vm_mac, 6);
	assert_int_equal(ancount(u.payload), 1);
	/* to another address: not for us */
	n = query(f + INET_UDP4_HLEN, "vm1.lab", 1);
	n = inet_udp4_encap(f, n, s.cfg.mac, vm_mac, NET | 131, NET | 9, 40000, 53);
	assert_int_equal(dns_input(&s, f, n, out, &rn), DNS_DROP);
}

static void test_rewrite(void **state)
{
	uint8_t f[600];
	static const uint8_t a[6] = { 2, 0, 0, 0, 0, 1 }, b[6] = { 2, 0, 0, 0, 0, 2 };
	struct inet_udp4 u;
	size_t n;

	(void)state;
	n = query(f + INET_UDP4_HLEN, "www.example.org", 1);
	n = inet_udp4_encap(f, n, a, b, NET | 131, DNS_IP, 40000, 53);
	assert_true(inet_udp4_rewrite(f, n, 0, NET | 3));
	assert_true(inet_udp4_parse(f, n, true, &u)); /* checksums still valid */
	assert_int_equal(u.ip_dst, NET | 3);
	assert_int_equal(u.ip_src, NET | 131);
	assert_true(inet_udp4_rewrite(f, n, NET | 2, 0));
	assert_true(inet_udp4_parse(f, n, true, &u));
	assert_int_equal(u.ip_src, NET | 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_local_a),
		cmocka_unit_test(test_local_nodata_nxdomain),
		cmocka_unit_test(test_forward_or_nxdomain),
		cmocka_unit_test(test_reverse),
		cmocka_unit_test(test_hostile_headers),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_frame),
		cmocka_unit_test(test_rewrite),
	};

	log_set_level(LOG_LVL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
