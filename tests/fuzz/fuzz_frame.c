// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_frame.c - libFuzzer target for the frame parser, offload checks, GSO and checksum completion. */

/*
 * Input: a struct virtio_net_hdr (10 bytes, host order, as a tap or vhost
 * port hands it over) followed by the frame. The target does what the
 * switch does with a frame from a port, and checks invariants on the way:
 * parser offsets stay inside the frame, a GSO frame that passes
 * frame_check_vnet() is segmented into frames that parse and carry valid
 * IPv4 header checksums, a completed checksum verifies, and the pool gets
 * every buffer back. The parser runs on libFuzzer's own exact-size copy and
 * the packet buffer's slack is poisoned, so ASan sees any overread.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/base/pkt.h"
#include "../../src/net/csum.h"
#include "../../src/net/frame.h"
#include "../../src/net/gso.h"

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

#define FUZZ_SEG_MAX 64 /* segments per super-frame; more is refused */
#define FUZZ_POOL_N (FUZZ_SEG_MAX + 1) /* the frame and its segments */

#define FUZZ_CHECK(cond)         \
	do {                     \
		if (!(cond))     \
			abort(); \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_check_parse(const uint8_t *frame, size_t size, const struct frame_info *fi)
{
	FUZZ_CHECK(fi->n_tags <= FRAME_MAX_TAGS);
	FUZZ_CHECK(fi->l3_off <= size);
	FUZZ_CHECK(!(fi->is_ipv4 && fi->is_ipv6));
	FUZZ_CHECK((fi->l4_off == 0) == (fi->l4_hlen == 0));
	FUZZ_CHECK((uint64_t)fi->l4_off + fi->l4_hlen <= size);
	if (fi->l4_hlen)
		FUZZ_CHECK(fi->l4_off >= fi->l3_off + 20 && (fi->is_ipv4 || fi->is_ipv6));
	(void)frame;
}

static void fuzz_gso(const struct pkt *p, struct pkt_pool *pool, const struct frame_info *fi)
{
	struct pkt *seg[FUZZ_SEG_MAX];
	uint64_t payload = 0;
	unsigned n = gso_segment(p, pool, seg, FUZZ_SEG_MAX);

	for (unsigned i = 0; i < n; i++) {
		struct frame_info sfi;
		const uint8_t *ip = seg[i]->data + fi->l3_off;

		FUZZ_CHECK(frame_parse(seg[i]->data, seg[i]->size, &sfi) == FRAME_OK);
		FUZZ_CHECK(sfi.l3_off == fi->l3_off && sfi.is_ipv4 == fi->is_ipv4);
		FUZZ_CHECK(!pkt_is_gso(seg[i]) && !pkt_needs_csum(seg[i]));
		if (fi->is_ipv4)
			FUZZ_CHECK(csum_fold(csum_partial(ip, (size_t)(ip[0] & 0xf) * 4, 0)) == 0);
		payload += seg[i]->size - fi->l4_off;
	}
	if (n && (p->vnet.gso_type & ~VIRTIO_NET_HDR_GSO_ECN) == VIRTIO_NET_HDR_GSO_UDP)
		FUZZ_CHECK(payload == p->size - fi->l4_off); /* fragments of one datagram */
	else if (n)
		FUZZ_CHECK(payload - (uint64_t)(n - 1) * fi->l4_hlen == p->size - fi->l4_off);
	pkt_free_burst(pool, seg, n);
}

/* Complete the checksum; when it was accepted, check that it verifies. */
static void fuzz_csum(struct pkt *p, bool accepted)
{
	uint32_t start = p->vnet.csum_start, off = p->vnet.csum_offset;
	uint16_t partial = 0;
	bool fits = start + off + 2 <= p->size;

	if (fits)
		memcpy(&partial, p->data + start + off, 2);
	FUZZ_CHECK(csum_complete_pkt(p) == fits);
	if (accepted)
		FUZZ_CHECK(fits);
	/* at an odd offset the field straddles two words: only a rejected frame has one */
	if (fits && !(off & 1))
		FUZZ_CHECK(csum_fold(csum_partial(p->data + start, p->size - start, partial)) == 0);
	if (accepted)
		FUZZ_CHECK(!(off & 1));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pkt_pool *pool;
	struct virtio_net_hdr vh;
	struct frame_info fi;
	enum frame_error e;
	struct pkt *p;
	bool ok;

	if (!pool) {
		pool = pkt_pool_create(FUZZ_POOL_N);
		FUZZ_CHECK(pool);
	}
	if (size < sizeof(vh) || size - sizeof(vh) > PKT_DATA_MAX)
		return 0;
	memcpy(&vh, data, sizeof(vh));
	data += sizeof(vh);
	size -= sizeof(vh);

	e = frame_parse(data, size, &fi);
	fuzz_check_parse(data, size, &fi);
	ok = e == FRAME_OK && frame_check_vnet(&vh, data, size, &fi);

	p = pkt_alloc(pool);
	FUZZ_CHECK(p);
	memcpy(p->data, data, size);
	p->size = (uint32_t)size;
	p->vnet = vh;
	FUZZ_POISON(p->buf, pkt_headroom(p));
	FUZZ_POISON(p->data + size, pkt_tailroom(p));
	if (pkt_is_gso(p)) {
		if (ok) {
			fuzz_gso(p, pool, &fi);
		} else {
			FUZZ_CHECK(gso_segment(p, pool, NULL, 0) == 0);
			FUZZ_CHECK(pool->n_free == pool->n - 1);
		}
	}
	if (pkt_needs_csum(p))
		fuzz_csum(p, ok);
	FUZZ_UNPOISON(p->buf, sizeof(p->buf));
	pkt_free(pool, p);
	FUZZ_CHECK(pool->n_free == pool->n);
	return 0;
}
