// SPDX-License-Identifier: GPL-2.0-or-later
/* csum.c - Internet checksum (RFC 1071) with 64-bit accumulation. */

/*
 * Theory of operation
 * -------------------
 * The one's-complement sum does not care how bytes are grouped into words
 * or in which byte order the words are read, as long as the result is
 * folded with end-around carry and stored back in the same order (RFC 1071
 * sections 2(A) and 2(B)). So csum_partial() reads the buffer as native
 * 64-bit words and adds their 32-bit halves into four independent 64-bit
 * accumulators, which cannot overflow for a gigabyte and keep four adds in
 * flight (measured faster here than one add-with-carry chain), then folds. The sums are "memory order" values,
 * like Linux's __wsum: a value added by hand (a pseudo-header length, a
 * protocol) must be in network byte order, and the folded checksum is
 * stored with memcpy, not htons.
 */
#include <string.h>

#include "../base/pkt.h"
#include "../base/util.h"
#include "csum.h"

#define CSUM_BLOCK 32 /* bytes per unrolled iteration */
#define CSUM_MAX_BLOCKS (1u << 30) /* blocks before the 64-bit accumulators must fold */

static inline uint64_t csum_load64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* fold a 64-bit end-around-carry sum to 16 bits (not complemented) */
static inline uint32_t csum_fold64(uint64_t s)
{
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffffffu) + (s >> 32);
	s = (s & 0xffffu) + (s >> 16);
	s = (s & 0xffffu) + (s >> 16);
	return (uint32_t)s;
}

uint32_t csum_partial(const void *buf, size_t size, uint32_t sum)
{
	const uint8_t *p = buf;
	uint64_t a = sum, b = 0, c = 0, d = 0, s;

	while (size >= CSUM_BLOCK) {
		/* each accumulator grows by < 2^33 per block: fold before 2^30 blocks */
		size_t n_blocks = MIN(size / CSUM_BLOCK, CSUM_MAX_BLOCKS);

		for (size_t i = 0; i < n_blocks; i++, p += CSUM_BLOCK) {
			uint64_t w0 = csum_load64(p), w1 = csum_load64(p + 8);
			uint64_t w2 = csum_load64(p + 16), w3 = csum_load64(p + 24);

			a += (uint32_t)w0 + (w0 >> 32);
			b += (uint32_t)w1 + (w1 >> 32);
			c += (uint32_t)w2 + (w2 >> 32);
			d += (uint32_t)w3 + (w3 >> 32);
		}
		size -= n_blocks * CSUM_BLOCK;
		a = (uint64_t)csum_fold64(a) + csum_fold64(b) + csum_fold64(c) + csum_fold64(d);
		b = c = d = 0;
	}
	for (; size >= 8; size -= 8, p += 8) {
		uint64_t w = csum_load64(p);

		a += (uint32_t)w + (w >> 32);
	}
	/* fold, leaving room for the tail below */
	s = csum_fold64(a);
	if (size >= 4) {
		uint32_t v;

		memcpy(&v, p, 4);
		s += v;
		p += 4;
		size -= 4;
	}
	if (size >= 2) {
		uint16_t v;

		memcpy(&v, p, 2);
		s += v;
		p += 2;
		size -= 2;
	}
	if (size) {
		/* the odd byte is the first of a 16-bit word padded with zero */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		s += p[0];
#else
		s += (uint32_t)p[0] << 8;
#endif
	}
	return csum_fold64(s);
}

uint16_t csum_fold(uint32_t sum)
{
	sum = (sum & 0xffffu) + (sum >> 16);
	sum = (sum & 0xffffu) + (sum >> 16);
	return (uint16_t)~sum;
}

bool csum_complete_pkt(struct pkt *p)
{
	uint32_t start = p->vnet.csum_start, off = p->vnet.csum_offset;
	uint16_t c;

	if (!(p->vnet.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
		return true;
	if (start + off + 2 > p->size)
		return false;
	c = csum_fold(csum_partial(p->data + start, p->size - start, 0));
	/* as Linux's skb_checksum_help(): 0 would mean "no checksum" to UDP */
	if (c == 0)
		c = 0xffff;
	memcpy(p->data + start + off, &c, sizeof(c));
	p->vnet.flags &= ~VIRTIO_NET_HDR_F_NEEDS_CSUM;
	return true;
}
