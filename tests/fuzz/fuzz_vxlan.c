// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_vxlan.c - libFuzzer target for VXLAN decapsulation, learning and the transmit path. */

/*
 * Input: a control byte, a mode byte, then a UDP payload as a remote VTEP
 * would send it (VXLAN header + inner frame). The mode byte picks one
 * datagram through vxlan_decap() (0), or a UDP GRO train of datagrams of
 * mode * 4 bytes through vxlan_decap_train(), which coalesces TCP segments.
 * The control byte picks:
 *   bit 0      the port: restrict=off, or restrict=on
 *   bits 1-3   the source address, 127.0.0.2 .. 127.0.0.9 (some are listed
 *              remotes, some are not)
 *   bit 4      send the decapsulated frame back out (tx path, flow hash,
 *              remote-MAC lookup): datagrams go to 127.0.0.2-9, where
 *              nothing listens
 *   bits 5-7   advance the fake clock by that many times 7 s (aging)
 * Two vxlan ports are opened once, on 127.0.0.1 and a kernel-chosen UDP
 * port, with a map (VLAN 10 <-> 5010, 20 <-> 5020, untagged <-> 7), remote
 * lists and a static entry, and a small remote-MAC table (macs_max=64) so
 * eviction and aging run. Checked after each input: an accepted frame lies
 * inside its buffer, is at least an Ethernet header, is tagged with the
 * mapped VLAN (or untagged for VNI 7), and the payload's inner frame is
 * what follows the tag (an L4 checksum aside, which the port completes when
 * a same-host sender left it partial); a refused one bumped exactly one
 * drop counter; a
 * train's frames lie in their buffers and any offload state they carry
 * (coalesced TSO frames) passes the switch's own check, frame_check_vnet();
 * the pool gets every buffer back.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <jansson.h>

#include "../../src/base/dp.h"
#include "../../src/base/log.h"
#include "../../src/base/util.h"
#include "../../src/net/eth.h"
#include "../../src/net/frame.h"
#include "../../src/port/vxlan.h"

#define FUZZ_CHECK(cond)         \
	do {                     \
		if (!(cond))     \
			abort(); \
	} while (0)

#define FUZZ_TRAIN_CAP 8 /* frames out of one train */
#define FUZZ_POOL_N (FUZZ_TRAIN_CAP + 1)
#define FUZZ_SHOW_EVERY 512 /* build the vxlan/show JSON every so many inputs */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dp fuzz_dp;
static struct port *fuzz_ports[2];
static unsigned fuzz_runs;

static uint16_t fuzz_free_port(void)
{
	struct sockaddr_in s = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(s);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(!bind(fd, (struct sockaddr *)&s, sizeof(s)));
	FUZZ_CHECK(!getsockname(fd, (struct sockaddr *)&s, &len));
	close(fd);
	return ntohs(s.sin_port);
}

static struct port *fuzz_open(const char *name, const char *restr, uint16_t port)
{
	struct port *p = calloc(1, sizeof(*p));
	char err[256], buf[64];

	FUZZ_CHECK(p);
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->dp = &fuzz_dp;
	p->ops = &vxlan_port_ops;
	p->mtu = PORT_MTU_DEFAULT; /* as port_create() sets it */
	snprintf(buf, sizeof(buf), "%u", port);
	FUZZ_CHECK(kv_set(&p->opts, "local", "127.0.0.1") && kv_set(&p->opts, "dstport", buf) &&
		   kv_set(&p->opts, "vni", "7") && kv_set(&p->opts, "map", "10:5010,20:5020") &&
		   kv_set(&p->opts, "remotes",
			  "5010@127.0.0.2+127.0.0.3,5020@127.0.0.4,7@127.0.0.5:9") &&
		   kv_set(&p->opts, "static", "5010/02:00:00:00:00:01@127.0.0.6:9") &&
		   kv_set(&p->opts, "restrict", restr) && kv_set(&p->opts, "macs_max", "64") &&
		   kv_set(&p->opts, "aging", "20") && kv_set(&p->opts, "srcports", "2"));
	if (vxlan_port_ops.open(p, &p->opts, err, sizeof(err))) {
		fprintf(stderr, "fuzz_vxlan: cannot open the port: %s\n", err);
		abort();
	}
	return p;
}

static void fuzz_init(void)
{
	log_set_level(LOG_LVL_ERR);
	FUZZ_CHECK(!evloop_init(&fuzz_dp.loop));
	fuzz_dp.pool = pkt_pool_create(FUZZ_POOL_N);
	FUZZ_CHECK(fuzz_dp.pool);
	fuzz_dp.now_ns = 1000 * NS_PER_S;
	fuzz_ports[0] = fuzz_open("open", "off", fuzz_free_port());
	fuzz_ports[1] = fuzz_open("strict", "on", fuzz_free_port());
}

static uint64_t fuzz_drops(const struct port *p)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < N_DROP; i++)
		n += p->stats.drops[i];
	return n;
}

/*
 * Is the decapsulated frame @out (@size bytes, @tag bytes of 802.1Q tag
 * after the MACs) the inner frame @in, but for an L4 checksum that the port
 * may have completed (a partial one left by a same-host sender)?
 */
static bool fuzz_same_but_csum(const uint8_t *out, const uint8_t *in, uint32_t size, uint32_t tag)
{
	struct frame_info fi;
	uint32_t d = 0, n = size - tag, csum_at;

	while (d < n && (d < 12 ? out[d] : out[d + tag]) == in[d])
		d++;
	if (d == n)
		return true;
	if (frame_parse(in, n, &fi) != FRAME_OK || !fi.l4_off ||
	    (fi.l3_proto != IPPROTO_TCP && fi.l3_proto != IPPROTO_UDP))
		return false;
	csum_at = fi.l4_off + (fi.l3_proto == IPPROTO_TCP ? 16 : 6);
	if (d < csum_at || d >= csum_at + 2)
		return false;
	return !memcmp(out + tag + csum_at + 2, in + csum_at + 2, n - csum_at - 2);
}

/* A train: every frame inside its buffer; offload state that the switch accepts. */
static void fuzz_train(struct port *p, uint8_t ctl, const uint8_t *data, size_t size, uint32_t seg,
		       const struct sockaddr *src)
{
	struct pkt *out[FUZZ_TRAIN_CAP];
	unsigned n = vxlan_decap_train(p, data, (uint32_t)size, seg, src, fuzz_dp.now_ns, out,
				       FUZZ_TRAIN_CAP);

	FUZZ_CHECK(n <= FUZZ_TRAIN_CAP);
	for (unsigned i = 0; i < n; i++) {
		struct pkt *pk = out[i];
		struct frame_info fi;

		FUZZ_CHECK(pk->data >= pk->buf && pk->data + pk->size <= pk->buf + PKT_BUF_SIZE);
		FUZZ_CHECK(pk->size >= ETH_HLEN);
		if (pk->vnet.flags || pk->vnet.gso_type) {
			FUZZ_CHECK(frame_parse(pk->data, pk->size, &fi) == FRAME_OK);
			FUZZ_CHECK(frame_check_vnet(&pk->vnet, pk->data, pk->size, &fi));
		}
		if (i == 0 && (ctl & 0x10)) {
			uint16_t tci =
				pk->size >= 16 && pk->data[12] == 0x81
					? (uint16_t)((pk->data[14] << 8 | pk->data[15]) & 0xfff)
					: 0;

			if (!tci)
				p->ops->tx_burst(p, &pk, &tci, 1);
		}
	}
	pkt_free_burst(fuzz_dp.pool, out, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_in src = { .sin_family = AF_INET };
	struct port *p;
	struct pkt *pk;
	uint64_t drops;
	uint8_t ctl;
	bool ok;

	if (!fuzz_dp.pool)
		fuzz_init();
	if (size < 2 || size - 2 > PKT_DATA_MAX)
		return 0;
	ctl = data[0];
	p = fuzz_ports[ctl & 1];
	src.sin_addr.s_addr = htonl(0x7f000002u + ((ctl >> 1) & 7));
	src.sin_port = htons((uint16_t)(40000 + ctl));
	fuzz_dp.now_ns += (uint64_t)(ctl >> 5) * 7 * NS_PER_S;
	if (data[1]) {
		fuzz_train(p, ctl, data + 2, size - 2, (uint32_t)data[1] * 4,
			   (const struct sockaddr *)&src);
		FUZZ_CHECK(fuzz_dp.pool->n_free == FUZZ_POOL_N);
		return 0;
	}
	data++;
	size--;

	pk = pkt_alloc(fuzz_dp.pool);
	FUZZ_CHECK(pk);
	memcpy(pk->data, data + 1, size - 1);
	pk->size = (uint32_t)(size - 1);
	drops = fuzz_drops(p);
	ok = vxlan_decap(p, pk, (const struct sockaddr *)&src, fuzz_dp.now_ns);
	if (ok) {
		const uint8_t *in = data + 1 + VXLAN_HLEN;
		uint32_t vni = (uint32_t)data[5] << 16 | (uint32_t)data[6] << 8 | data[7];
		uint16_t tci = 0;

		FUZZ_CHECK(fuzz_drops(p) == drops);
		FUZZ_CHECK(size - 1 >= VXLAN_HLEN + ETH_HLEN);
		FUZZ_CHECK(pk->data >= pk->buf && pk->data + pk->size <= pk->buf + PKT_BUF_SIZE);
		FUZZ_CHECK(pk->size >= ETH_HLEN);
		FUZZ_CHECK(!memcmp(pk->data, in, 2 * ETH_ALEN));
		if (vni == 7) {
			FUZZ_CHECK(pk->size == size - 1 - VXLAN_HLEN);
			FUZZ_CHECK(fuzz_same_but_csum(pk->data, in, pk->size, 0));
		} else {
			FUZZ_CHECK(vni == 5010 || vni == 5020);
			FUZZ_CHECK(pk->size == size - 1 - VXLAN_HLEN + VLAN_HLEN);
			FUZZ_CHECK(pk->data[12] == 0x81 && pk->data[13] == 0x00);
			FUZZ_CHECK((pk->data[14] << 8 | pk->data[15]) == (vni == 5010 ? 10 : 20));
			FUZZ_CHECK(fuzz_same_but_csum(pk->data, in, pk->size, VLAN_HLEN));
			tci = vni == 5010 ? 10 : 20;
			/* the switch pops the tag before sending to any port */
			memmove(pk->data + VLAN_HLEN, pk->data, 2 * ETH_ALEN);
			pk->data += VLAN_HLEN;
			pk->size -= VLAN_HLEN;
		}
		if (ctl & 0x10)
			p->ops->tx_burst(p, &pk, &tci, 1);
	} else {
		FUZZ_CHECK(fuzz_drops(p) == drops + 1);
	}
	pkt_free(fuzz_dp.pool, pk);
	FUZZ_CHECK(fuzz_dp.pool->n_free == FUZZ_POOL_N);
	if (++fuzz_runs % FUZZ_SHOW_EVERY == 0)
		json_decref(vxlan_show(p));
	return 0;
}
