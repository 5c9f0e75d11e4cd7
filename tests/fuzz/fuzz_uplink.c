// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_uplink.c - libFuzzer target for what the uplink port does to frames from the LAN and from VMs. */

/*
 * Input: 2 bytes of MTU, 2 bytes of gso_size (big-endian), then a frame as it
 * arrives from the LAN on an AF_XDP socket. The target runs the partial
 * checksum detection (uplink_mark_partial_csum) and, when it marks a frame,
 * checks that the mark is one the switch accepts (frame_check_vnet) and that
 * completing it works; then the TSO segment-size clamp (uplink_gso_size),
 * checking that a non-zero size never grows and fits the MTU with the
 * headers. Last, a burst of the frame and three copies whose TCP sequence
 * numbers follow on goes through the software GRO (uplink_gro_burst): every
 * frame left must parse, a merged one must carry an offload header the
 * switch accepts and segment back into as many frames as were merged, and
 * the pool must get every buffer back. The frame sits at the end of a buffer
 * whose slack is poisoned, so ASan sees any overread.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/base/pkt.h"
#include "../../src/net/csum.h"
#include "../../src/net/frame.h"
#include "../../src/net/gso.h"
#include "../../src/port/uplink.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#include <sanitizer/asan_interface.h>
#define FUZZ_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define FUZZ_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#endif
#endif
#ifndef FUZZ_POISON
#define FUZZ_POISON(p, n) ((void)(p), (void)(n))
#define FUZZ_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

#define FUZZ_CHECK(cond)         \
	do {                     \
		if (!(cond))     \
			abort(); \
	} while (0)

#define FUZZ_BURST 4
#define FUZZ_POOL_N (FUZZ_BURST + 64) /* the burst and a merged frame's segments */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The GRO step: @pk and copies with following sequence numbers. Frees them all. */
static void fuzz_gro(struct pkt_pool *pool, struct pkt *pk)
{
	struct pkt *burst[FUZZ_BURST] = { pk }, *segs[64];
	struct frame_info fi;
	uint32_t step = 0, n = 1, left, k;

	if (frame_parse(pk->data, pk->size, &fi) == FRAME_OK && fi.l3_proto == 6 && fi.l4_off &&
	    fi.l4_hlen && fi.l4_off + fi.l4_hlen <= pk->size)
		step = pk->size - fi.l4_off - fi.l4_hlen;
	for (; n < FUZZ_BURST; n++) {
		struct pkt *c = pkt_alloc(pool);
		uint32_t seq;
		uint8_t *t;

		FUZZ_CHECK(c);
		memcpy(c->data, pk->data, pk->size);
		c->size = pk->size;
		c->vnet = pk->vnet;
		if (step) {
			t = c->data + fi.l4_off + 4;
			seq = ((uint32_t)t[0] << 24 | (uint32_t)t[1] << 16 | (uint32_t)t[2] << 8 |
			       t[3]) +
			      step * n;
			t[0] = (uint8_t)(seq >> 24);
			t[1] = (uint8_t)(seq >> 16);
			t[2] = (uint8_t)(seq >> 8);
			t[3] = (uint8_t)seq;
		}
		burst[n] = c;
	}
	left = uplink_gro_burst(pool, burst, n);
	FUZZ_CHECK(left >= 1 && left <= n);
	for (unsigned i = 0; i < left; i++) {
		struct pkt *f = burst[i];

		FUZZ_CHECK(f->size <= PKT_DATA_MAX);
		if (!pkt_is_gso(f))
			continue;
		FUZZ_CHECK(frame_parse(f->data, f->size, &fi) == FRAME_OK);
		FUZZ_CHECK(frame_check_vnet(&f->vnet, f->data, f->size, &fi));
		k = gso_segment(f, pool, segs, 64);
		FUZZ_CHECK(k >= 2 && k <= FUZZ_BURST);
		pkt_free_burst(pool, segs, k);
	}
	for (unsigned i = 0; i < left; i++) {
		if (burst[i] != pk)
			pkt_free(pool, burst[i]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pkt_pool *pool;
	struct frame_info fi;
	struct pkt *pk;
	uint32_t mtu;
	uint16_t gso, got;
	size_t fsize;

	if (size < 4 || size - 4 > PKT_DATA_MAX)
		return 0;
	if (!pool)
		pool = pkt_pool_create(FUZZ_POOL_N);
	pk = pkt_alloc(pool);
	FUZZ_CHECK(pk);
	mtu = (uint32_t)data[0] << 8 | data[1];
	gso = (uint16_t)(data[2] << 8 | data[3]);
	fsize = size - 4;
	/* the frame ends where the buffer does: nothing after it is readable */
	pk->data = pk->buf + PKT_BUF_SIZE - fsize;
	memcpy(pk->data, data + 4, fsize);
	pk->size = (uint32_t)fsize;
	FUZZ_POISON(pk->buf, (size_t)(pk->data - pk->buf));

	if (uplink_mark_partial_csum(pk)) {
		FUZZ_CHECK(frame_parse(pk->data, pk->size, &fi) == FRAME_OK);
		FUZZ_CHECK(frame_check_vnet(&pk->vnet, pk->data, pk->size, &fi));
		FUZZ_CHECK(csum_complete_pkt(pk));
		FUZZ_CHECK(!pkt_needs_csum(pk));
	}
	pk->vnet.gso_size = gso;
	got = uplink_gso_size(pk, mtu);
	if (got) {
		FUZZ_CHECK(got <= gso);
		FUZZ_CHECK(frame_parse(pk->data, pk->size, &fi) == FRAME_OK);
		FUZZ_CHECK(fi.l4_off - fi.l3_off + fi.l4_hlen + got <= mtu);
	}
	pk->vnet.gso_size = 0;
	fuzz_gro(pool, pk);
	FUZZ_UNPOISON(pk->buf, (size_t)(pk->data - pk->buf));
	pkt_free(pool, pk);
	FUZZ_CHECK(pool->n_free == pool->n);
	return 0;
}
