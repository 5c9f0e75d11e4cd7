// SPDX-License-Identifier: GPL-2.0-or-later
/* dns.c - the network's DNS responder: local names from the leases, the rest forwarded or NXDOMAIN. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "inet.h"

#define DNS_FLAG_QR 0x8000
#define DNS_FLAG_AA 0x0400
#define DNS_FLAG_TC 0x0200
#define DNS_FLAG_RD 0x0100
#define DNS_FLAG_RA 0x0080
#define DNS_OPCODE(f) (((f) >> 11) & 0xf)

#define DNS_RCODE_NOERROR 0
#define DNS_RCODE_FORMERR 1
#define DNS_RCODE_NXDOMAIN 3
#define DNS_RCODE_NOTIMP 4
#define DNS_RCODE_REFUSED 5

#define DNS_TYPE_A 1
#define DNS_TYPE_PTR 12
#define DNS_TYPE_ANY 255
#define DNS_CLASS_IN 1

#define DNS_REVERSE_SUFFIX ".in-addr.arpa"

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

bool dns_name_parse(const uint8_t *msg, size_t size, size_t *off, uint8_t *wire, size_t *wire_size,
		    char *text, bool *plain)
{
	size_t pos = *off, after = 0, wlen = 0, tlen = 0;
	unsigned jumps = 0;

	*plain = true;
	for (;;) {
		uint8_t len;

		if (pos >= size)
			return false;
		len = msg[pos];
		if ((len & 0xc0) == 0xc0) {
			size_t target;

			if (pos + 1 >= size)
				return false;
			target = (size_t)(len & 0x3f) << 8 | msg[pos + 1];
			if (!jumps)
				after = pos + 2;
			/* only backwards, and only a few times: no loops */
			if (target >= pos || ++jumps > DNS_MAX_JUMPS)
				return false;
			pos = target;
			continue;
		}
		if (len & 0xc0)
			return false; /* extended or obsolete label types */
		if (len == 0) {
			if (wlen + 1 > DNS_NAME_WIRE_MAX)
				return false;
			wire[wlen++] = 0;
			if (!jumps)
				after = pos + 1;
			break;
		}
		if (pos + 1 + len > size)
			return false; /* truncated label */
		if (wlen + 1 + len + 1 > DNS_NAME_WIRE_MAX)
			return false; /* the name would exceed 255 bytes */
		wire[wlen++] = len;
		memcpy(wire + wlen, msg + pos + 1, len);
		wlen += len;
		if (tlen)
			text[tlen++] = '.';
		for (unsigned i = 0; i < len; i++) {
			uint8_t c = msg[pos + 1 + i];

			if (c == '.' || c < 0x21 || c > 0x7e) {
				*plain = false;
				c = '?';
			}
			text[tlen++] = (char)tolower(c);
		}
		pos += 1u + len;
	}
	/* wire <= 255 bytes means text <= 253 characters */
	text[tlen] = '\0';
	*wire_size = wlen;
	*off = after;
	return true;
}

/* Does @name end with ".@suffix"? Return: the prefix length, or -1. */
static int dns_strip_suffix(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	if (!s || n <= s + 1 || name[n - s - 1] != '.' || strcmp(name + n - s, suffix))
		return -1;
	return (int)(n - s - 1);
}

/* "d.c.b.a.in-addr.arpa" -> a.b.c.d. Return: false if not exactly that shape. */
static bool dns_parse_reverse(const char *name, uint32_t *ip)
{
	size_t n = strlen(name), s = strlen(DNS_REVERSE_SUFFIX);
	unsigned oct[4], k = 0;
	const char *p = name;

	if (n <= s || strcmp(name + n - s, DNS_REVERSE_SUFFIX))
		return false;
	while (k < 4) {
		char *end;
		unsigned long v;

		if (*p < '0' || *p > '9')
			return false;
		v = strtoul(p, &end, 10);
		if (v > 255 || end - p > 3)
			return false;
		oct[k++] = (unsigned)v;
		if (*end != '.')
			return false;
		p = end + 1;
	}
	if ((size_t)(p - name) != n - s + 1)
		return false;
	*ip = oct[3] << 24 | oct[2] << 16 | oct[1] << 8 | oct[0];
	return true;
}

/* Encode dotted @text (labels of at most 63) into @wire. Return: bytes, or 0 if too long. */
static size_t dns_name_encode(const char *text, uint8_t *wire, size_t cap)
{
	size_t w = 0;

	while (*text) {
		const char *dot = strchr(text, '.');
		size_t len = dot ? (size_t)(dot - text) : strlen(text);

		if (!len || len > 63 || w + 1 + len + 1 > cap)
			return 0;
		wire[w++] = (uint8_t)len;
		memcpy(wire + w, text, len);
		w += len;
		text += len + (dot ? 1 : 0);
	}
	if (w + 1 > cap)
		return 0;
	wire[w++] = 0;
	return w;
}

/* A header-only reply (FORMERR, NOTIMP) to a query with ID @id. */
static enum dns_verdict dns_header_reply(const uint8_t *msg, uint16_t rcode, uint8_t *out,
					 size_t *out_size)
{
	memset(out, 0, DNS_HDR_SIZE);
	memcpy(out, msg, 2);
	wr16(out + 2, (uint16_t)(DNS_FLAG_QR | (rd16(msg + 2) & DNS_FLAG_RD) | rcode));
	*out_size = DNS_HDR_SIZE;
	return DNS_REPLY;
}

enum dns_verdict dns_message(struct dns_server *s, const uint8_t *msg, size_t size, uint8_t *out,
			     size_t *out_size)
{
	uint8_t qwire[DNS_NAME_WIRE_MAX], rdata[DNS_NAME_WIRE_MAX];
	char name[DNS_NAME_TEXT_MAX], host[DNS_NAME_TEXT_MAX];
	size_t off = DNS_HDR_SIZE, qwire_size, rdlen = 0, o;
	uint16_t flags, qtype, qclass, rcode = DNS_RCODE_NOERROR, atype = 0;
	bool plain, found = false, local = false;
	uint32_t ip;
	int plen;

	if (size < DNS_HDR_SIZE) {
		s->stats.dropped++;
		return DNS_DROP;
	}
	flags = rd16(msg + 2);
	if (flags & DNS_FLAG_QR) {
		s->stats.dropped++; /* a response: never answer one (reflection loops) */
		return DNS_DROP;
	}
	s->stats.queries++;
	if (DNS_OPCODE(flags) != 0) {
		s->stats.notimp++;
		return dns_header_reply(msg, DNS_RCODE_NOTIMP, out, out_size);
	}
	if (rd16(msg + 4) != 1 ||
	    !dns_name_parse(msg, size, &off, qwire, &qwire_size, name, &plain) || off + 4 > size) {
		s->stats.formerr++;
		return dns_header_reply(msg, DNS_RCODE_FORMERR, out, out_size);
	}
	qtype = rd16(msg + off);
	qclass = rd16(msg + off + 2);

	/* Which names are ours? */
	if (plain && qclass == DNS_CLASS_IN) {
		const char *label = NULL;

		if (!strcmp(name, s->cfg.domain)) {
			local = true;
		} else if ((plen = dns_strip_suffix(name, s->cfg.domain)) > 0) {
			local = true;
			snprintf(host, sizeof(host), "%.*s", plen, name);
			label = strchr(host, '.') ? NULL : host;
		} else if (*name && !strchr(name, '.')) {
			local = true; /* a bare host name never leaves the network */
			label = name;
		} else if (dns_parse_reverse(name, &ip) &&
			   (ip & inet_mask(s->cfg.plen)) == s->cfg.net) {
			const char *h = s->ops.lookup_addr(s->ops.arg, ip);

			local = true;
			if (h && snprintf(host, sizeof(host), "%s.%s", h, s->cfg.domain) <
					 (int)sizeof(host)) {
				rdlen = dns_name_encode(host, rdata, sizeof(rdata));
				found = rdlen > 0;
				atype = DNS_TYPE_PTR;
			}
			if (!found)
				rcode = DNS_RCODE_NXDOMAIN;
			else if (qtype != DNS_TYPE_PTR && qtype != DNS_TYPE_ANY)
				found = false; /* the name exists: NODATA */
		}
		if (label) {
			if (s->ops.lookup_name(s->ops.arg, label, &ip)) {
				found = qtype == DNS_TYPE_A || qtype == DNS_TYPE_ANY;
				atype = DNS_TYPE_A;
				rdata[0] = (uint8_t)(ip >> 24);
				rdata[1] = (uint8_t)(ip >> 16);
				rdata[2] = (uint8_t)(ip >> 8);
				rdata[3] = (uint8_t)ip;
				rdlen = 4;
			} else {
				rcode = DNS_RCODE_NXDOMAIN;
			}
		} else if (local && !atype && strcmp(name, s->cfg.domain)) {
			rcode = DNS_RCODE_NXDOMAIN; /* a.b.DOMAIN: we have one level only */
		}
	}
	if (!local) {
		if (s->cfg.forward) {
			s->stats.forwarded++;
			return DNS_FORWARD;
		}
		rcode = DNS_RCODE_NXDOMAIN;
	}

	/* header, the question re-encoded, and the answer if any */
	memcpy(out, msg, 2);
	wr16(out + 2, (uint16_t)(DNS_FLAG_QR | (local ? DNS_FLAG_AA : 0) | (flags & DNS_FLAG_RD) |
				 (s->cfg.forward ? DNS_FLAG_RA : 0) | rcode));
	wr16(out + 4, 1);
	wr16(out + 6, found ? 1 : 0);
	wr16(out + 8, 0);
	wr16(out + 10, 0);
	o = DNS_HDR_SIZE;
	memcpy(out + o, qwire, qwire_size); /* <= 255: always fits in 512 with the rest */
	o += qwire_size;
	wr16(out + o, qtype);
	wr16(out + o + 2, qclass);
	o += 4;
	if (found) {
		wr16(out + o, 0xc000 | DNS_HDR_SIZE); /* the question's name */
		wr16(out + o + 2, atype);
		wr16(out + o + 4, DNS_CLASS_IN);
		wr16(out + o + 6, 0);
		wr16(out + o + 8, DNS_TTL_S);
		wr16(out + o + 10, (uint16_t)rdlen);
		memcpy(out + o + 12, rdata, rdlen);
		o += 12 + rdlen;
		s->stats.answered++;
	} else if (rcode == DNS_RCODE_NXDOMAIN) {
		s->stats.nxdomain++;
	} else {
		s->stats.nodata++;
	}
	*out_size = o;
	return DNS_REPLY;
}

enum dns_verdict dns_input(struct dns_server *s, const uint8_t *frame, size_t size, uint8_t *out,
			   size_t *out_size)
{
	struct inet_udp4 u;
	enum dns_verdict v;
	size_t msg_size = 0;

	if (!inet_udp4_parse(frame, size, true, &u) || u.dport != DNS_PORT ||
	    u.ip_dst != s->cfg.ip || !u.sport) {
		s->stats.dropped++;
		return DNS_DROP;
	}
	v = dns_message(s, u.payload, u.payload_size, out + INET_UDP4_HLEN, &msg_size);
	if (v != DNS_REPLY)
		return v;
	*out_size = inet_udp4_encap(out, msg_size, u.eth_src, s->cfg.mac, s->cfg.ip, u.ip_src,
				    DNS_PORT, u.sport);
	return DNS_REPLY;
}

bool dns_stats_get(const struct dns_stats *st, unsigned i, const char **name, uint64_t *val)
{
	static const char *const names[] = {
#define DNS_NAME_(f, n) n,
		DNS_COUNTERS(DNS_NAME_)
#undef DNS_NAME_
	};

	if (i >= sizeof(names) / sizeof(names[0]))
		return false;
	*name = names[i];
	*val = ((const uint64_t *)st)[i];
	return true;
}
