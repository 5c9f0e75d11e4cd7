// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_dhcp.c - libFuzzer target for the DHCP server: sequences of client messages. */

/*
 * Input: a sequence of records, each
 *   u8 flags | u8 port | u8 clock step | u16 length (big endian) | bytes
 * fed to one fresh server in order (so the fuzzer reaches REQUEST after
 * DISCOVER, DECLINE of a bound address, pool exhaustion...). flags bit 0:
 * the bytes are a whole Ethernet frame (exercises the IPv4/UDP parser);
 * otherwise they are a BOOTP payload that the harness wraps in valid
 * Ethernet/IPv4/UDP headers (checksums right, source MAC = chaddr, to the
 * broadcast address or, with bit 1, unicast to the server), so the fuzzer
 * spends its time in the DHCP logic. A tiny pool and table make exhaustion
 * and recycling reachable.
 *
 * Invariants checked after every message: a reply is a well-formed UDP
 * frame from the server's address and port within DHCP_FRAME_MAX; the
 * table holds at most its capacity, with no address twice and no MAC twice
 * among non-declined entries; every held address is inside the subnet.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/base/log.h"
#include "../../src/svc/dhcp.h"
#include "../../src/svc/inet.h"
#include "../../src/svc/lease.h"

#define FUZZ_NET 0x0a000000u /* 10.0.0.0/24 */
#define FUZZ_TABLE 8

#define FUZZ_CHECK(cond)         \
	do {                     \
		if (!(cond))     \
			abort(); \
	} while (0)

static int64_t fuzz_clock;

static int64_t fuzz_now(void *arg)
{
	(void)arg;
	return fuzz_clock;
}

static int fuzz_commit(void *arg)
{
	(void)arg;
	return (fuzz_clock & 0x3f) == 0x3f ? -5 : 0; /* sometimes the disk fails */
}

static bool fuzz_port_exists(void *arg, const char *port)
{
	(void)arg;
	return port[1] != '3';
}

static void fuzz_check_table(const struct dhcp_server *s)
{
	const struct lease_table *t = s->leases;

	FUZZ_CHECK(t->n <= t->max);
	for (unsigned i = 0; i < t->n; i++) {
		const struct lease *a = &t->e[i];

		FUZZ_CHECK((a->ip & 0xffffff00u) == FUZZ_NET);
		FUZZ_CHECK(a->state < N_LEASE_STATES);
		for (unsigned j = i + 1; j < t->n; j++) {
			const struct lease *b = &t->e[j];

			FUZZ_CHECK(a->ip != b->ip);
			FUZZ_CHECK(a->state == LEASE_DECLINED || b->state == LEASE_DECLINED ||
				   memcmp(a->mac, b->mac, 6));
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mac[6] = { 0x52, 0x55, 0x0a, 0, 0, 2 };
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static uint8_t frame[INET_UDP4_HLEN + 65536], out[DHCP_FRAME_MAX];
	struct dhcp_server s = {
		.cfg = { .server_ip = FUZZ_NET | 254,
			 .net = FUZZ_NET,
			 .plen = 24,
			 .pool_first = FUZZ_NET | 128,
			 .pool_last = FUZZ_NET | 131,
			 .router = FUZZ_NET | 2,
			 .dns = FUZZ_NET | 2,
			 .domain = "fuzz",
			 .lease_s = 120,
			 .mtu = 1500 },
		.ops = { .now = fuzz_now, .commit = fuzz_commit, .port_exists = fuzz_port_exists },
	};
	char err[128];

	log_set_level(LOG_LVL_ERR);
	memcpy(s.cfg.mac, mac, 6);
	FUZZ_CHECK(dhcp_config_check(&s.cfg, err, sizeof(err)));
	s.leases = lease_table_create(FUZZ_TABLE);
	FUZZ_CHECK(s.leases);
	fuzz_clock = 1000000;
	{
		/* one reservation, in and one out of the pool */
		static const uint8_t r1[6] = { 0x52, 0x54, 0, 0, 0, 0x50 };

		FUZZ_CHECK(!lease_resv_add(s.leases, r1, FUZZ_NET | 50, "resv", err, sizeof(err)));
	}
	while (size >= 5) {
		uint8_t flags = data[0];
		char port[4] = { 'p', (char)('0' + (data[1] & 3)), 0, 0 };
		size_t n = (size_t)data[3] << 8 | data[4], fsize, r;
		struct inet_udp4 u;

		fuzz_clock += data[2] * 7;
		data += 5;
		size -= 5;
		if (n > size)
			n = size;
		if (flags & 1) {
			memcpy(frame, data, n);
			fsize = n;
		} else {
			const uint8_t *src = n >= 34 ? data + 28 : mac;
			uint32_t dst = (flags & 2) ? s.cfg.server_ip : INET_IP4_BROADCAST;

			memcpy(frame + INET_UDP4_HLEN, data, n);
			fsize = inet_udp4_encap(frame, n, (flags & 2) ? mac : bcast, src,
						(flags & 4) ? FUZZ_NET | 130 : 0, dst, 68, 67);
		}
		r = dhcp_input(&s, frame, fsize, port, out);
		FUZZ_CHECK(r <= DHCP_FRAME_MAX);
		if (r) {
			FUZZ_CHECK(inet_udp4_parse(out, r, true, &u));
			FUZZ_CHECK(u.ip_src == s.cfg.server_ip && u.sport == 67 && u.dport == 68);
		}
		fuzz_check_table(&s);
		data += n;
		size -= n;
	}
	lease_table_destroy(s.leases);
	return 0;
}
