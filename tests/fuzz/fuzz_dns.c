// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_dns.c - libFuzzer target for the DNS responder and its name parser. */

/*
 * Input: byte 0 selects the mode (bit 0: forwarding on; bit 1: wrap the
 * rest in a valid Ethernet/IPv4/UDP frame and go through dns_input(),
 * else call dns_message() on it directly); the rest is the DNS message.
 * The message is copied to an exact-size heap buffer so ASan sees any
 * overread. Invariants: a reply fits DNS_MSG_MAX, carries the query's ID,
 * has QR set, and is never produced for a message with QR set; the name
 * parser, run from every offset, never reports an end past the message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/base/log.h"
#include "../../src/svc/dns.h"
#include "../../src/svc/inet.h"

#define FUZZ_NET 0x0a000000u

#define FUZZ_CHECK(cond)         \
	do {                     \
		if (!(cond))     \
			abort(); \
	} while (0)

static bool fuzz_lookup_name(void *arg, const char *label, uint32_t *ip)
{
	(void)arg;
	if (strcmp(label, "vm1") && strcmp(label, "a"))
		return false;
	*ip = FUZZ_NET | 130;
	return true;
}

static const char *fuzz_lookup_addr(void *arg, uint32_t ip)
{
	(void)arg;
	return ip == (FUZZ_NET | 130) ? "vm1" : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mac[6] = { 0x52, 0x55, 0x0a, 0, 0, 2 };
	static const uint8_t vm[6] = { 0x52, 0x54, 0, 0, 0, 1 };
	static uint8_t frame[INET_UDP4_HLEN + 65536], out[DNS_FRAME_MAX];
	struct dns_server s = {
		.cfg = { .ip = FUZZ_NET | 2, .domain = "lab", .net = FUZZ_NET, .plen = 24 },
		.ops = { .lookup_name = fuzz_lookup_name, .lookup_addr = fuzz_lookup_addr },
	};
	uint8_t wire[DNS_NAME_WIRE_MAX], *msg;
	char text[DNS_NAME_TEXT_MAX];
	enum dns_verdict v;
	size_t n, off, ws, rn = 0;
	bool plain;

	if (!size || size > 65000)
		return 0;
	log_set_level(LOG_LVL_ERR);
	memcpy(s.cfg.mac, mac, 6);
	s.cfg.forward = data[0] & 1;
	n = size - 1;
	msg = malloc(n ? n : 1);
	FUZZ_CHECK(msg);
	memcpy(msg, data + 1, n);
	if (data[0] & 2) {
		struct inet_udp4 u;

		memcpy(frame + INET_UDP4_HLEN, msg, n);
		n = inet_udp4_encap(frame, n, mac, vm, FUZZ_NET | 131, s.cfg.ip, 5353, 53);
		v = dns_input(&s, frame, n, out, &rn);
		if (v == DNS_REPLY) {
			FUZZ_CHECK(rn <= DNS_FRAME_MAX);
			FUZZ_CHECK(inet_udp4_parse(out, rn, true, &u));
			FUZZ_CHECK(u.payload_size >= 12 && !memcmp(u.payload, msg, 2));
		}
	} else {
		v = dns_message(&s, msg, n, out, &rn);
		if (v == DNS_REPLY) {
			FUZZ_CHECK(rn >= 12 && rn <= DNS_MSG_MAX);
			FUZZ_CHECK(!memcmp(out, msg, 2) && (out[2] & 0x80) && !(msg[2] & 0x80));
		}
		for (size_t start = 0; start < n && start < 300; start++) {
			off = start;
			if (dns_name_parse(msg, n, &off, wire, &ws, text, &plain)) {
				FUZZ_CHECK(off <= n && ws <= DNS_NAME_WIRE_MAX && ws >= 1);
				FUZZ_CHECK(strlen(text) < DNS_NAME_TEXT_MAX);
			}
		}
	}
	free(msg);
	return 0;
}
