// SPDX-License-Identifier: GPL-2.0-or-later
/* fuzz_stream.c - libFuzzer target for the stream de-framer (lenframe.h). */

/*
 * Input: a chunking byte, then the byte stream a hostile QEMU peer would
 * send. The chunking byte seeds how the stream is cut into reads (1 byte,
 * random sizes up to 4 KiB, or as much as fits), as a socket might deliver
 * it. The maximum frame is the stream port's (STREAM_FRAME_MAX), with a
 * buffer of exactly one maximal frame plus prefix, the tightest the
 * de-framer accepts, so compaction runs often. Checked: every frame lies
 * inside the buffer and is at least an Ethernet header; runts and frames
 * account for exactly the bytes consumed; a reference parse of the whole
 * input finds the same frames (same lengths and contents) in the same
 * order; after LENFRAME_TOO_BIG nothing more is consumed, and the length
 * reported is the one the reference sees.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../../src/net/lenframe.h"
#include "../../src/port/stream.h"

#define CAP (STREAM_FRAME_MAX + LENFRAME_HDR)

static uint8_t buf[CAP];

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lenframe_rx r;
	uint32_t rng, len;
	size_t off = 1, ref = 1;
	const uint8_t *f;
	enum lenframe_status st = LENFRAME_NEED_MORE;

	if (size < 1)
		return 0;
	rng = data[0] * 2654435761u + 1;
	if (!lenframe_rx_init(&r, buf, CAP, STREAM_FRAME_MAX))
		__builtin_trap();
	while (off < size && st != LENFRAME_TOO_BIG) {
		size_t room, k;
		uint8_t *dst = lenframe_rx_space(&r, &room);

		if (!room)
			__builtin_trap(); /* a frame always completes, so there is always room */
		rng = rng * 1103515245u + 12345u;
		switch (data[0] & 3) {
		case 0:
			k = 1;
			break;
		case 1:
			k = 1 + (rng >> 8) % 4096;
			break;
		default:
			k = room;
			break;
		}
		k = k > room ? room : k;
		k = k > size - off ? size - off : k;
		memcpy(dst, data + off, k);
		lenframe_rx_commit(&r, k);
		off += k;
		while ((st = lenframe_rx_next(&r, &f, &len)) != LENFRAME_NEED_MORE) {
			uint32_t rl;

			/* the reference: the next prefix in the input, read directly */
			if (ref + LENFRAME_HDR > size)
				__builtin_trap();
			rl = be32(data + ref);
			if (rl != len)
				__builtin_trap();
			if (st == LENFRAME_TOO_BIG) {
				if (len <= STREAM_FRAME_MAX ||
				    lenframe_rx_next(&r, &f, &len) != LENFRAME_TOO_BIG)
					__builtin_trap();
				break;
			}
			if (ref + LENFRAME_HDR + rl > off)
				__builtin_trap(); /* handed out before all its bytes arrived */
			if (st == LENFRAME_FRAME) {
				if (len < LENFRAME_RUNT || f < buf || f + len > buf + CAP ||
				    memcmp(f, data + ref + LENFRAME_HDR, len))
					__builtin_trap();
			} else if (len >= LENFRAME_RUNT) {
				__builtin_trap();
			}
			ref += LENFRAME_HDR + rl;
		}
	}
	/* what is left buffered is exactly the unparsed tail */
	if (st != LENFRAME_TOO_BIG && lenframe_rx_pending(&r) != off - ref)
		__builtin_trap();
	return 0;
}
