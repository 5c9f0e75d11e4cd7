/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * lenframe.h - QEMU's stream framing: a 4-byte big-endian length before each
 * frame. A pure de-framer (no I/O) and the encoder of the length prefix.
 *
 * Theory of operation
 * -------------------
 * A byte stream arrives in chunks of any size. The caller reads straight into
 * lenframe_rx_space() and commits what it got; lenframe_rx_next() then hands
 * out whole frames in place (a pointer into the buffer, valid until the next
 * lenframe_rx_space()), so a frame costs no copy here. Bytes of a frame not
 * yet complete stay at the front after compaction; the buffer holds at least
 * one maximal frame plus its prefix, so a frame always completes. A length
 * above the maximum is a framing error the stream cannot recover from (there
 * is no resynchronisation marker): the caller must drop the connection.
 * Lengths below an Ethernet header are returned as runts and skipped, so the
 * stream stays in sync.
 */
#ifndef VNET_LENFRAME_H
#define VNET_LENFRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LENFRAME_HDR 4 /* bytes of the length prefix */
#define LENFRAME_RUNT 14 /* frames shorter than an Ethernet header are runts */

enum lenframe_status {
	LENFRAME_NEED_MORE, /* no complete frame buffered */
	LENFRAME_FRAME, /* *frame and *len: one frame */
	LENFRAME_RUNT_FRAME, /* a frame shorter than LENFRAME_RUNT, consumed; count and go on */
	LENFRAME_TOO_BIG, /* *len: a length over the maximum; the stream is unusable */
};

/**
 * struct lenframe_rx - receive state of one stream
 * @buf:   storage, @cap bytes (the caller's: lenframe_rx_init() does not allocate)
 * @cap:   its size, at least LENFRAME_HDR + @max
 * @head:  first unconsumed byte
 * @tail:  one past the last received byte
 * @max:   largest frame accepted
 */
struct lenframe_rx {
	uint8_t *buf;
	size_t cap;
	size_t head, tail;
	uint32_t max;
};

/**
 * lenframe_rx_init() - set up @r on @buf/@cap for frames of up to @max bytes
 * Return: false when @cap cannot hold one maximal frame and its prefix.
 */
bool lenframe_rx_init(struct lenframe_rx *r, uint8_t *buf, size_t cap, uint32_t max);

/** lenframe_rx_reset() - forget buffered bytes (a new connection) */
void lenframe_rx_reset(struct lenframe_rx *r);

/**
 * lenframe_rx_space() - where to put received bytes; compacts the buffer
 * @room: out: how many bytes fit (0 only when a full frame is waiting to be taken)
 */
uint8_t *lenframe_rx_space(struct lenframe_rx *r, size_t *room);

/** lenframe_rx_commit() - @n bytes were written at lenframe_rx_space() */
void lenframe_rx_commit(struct lenframe_rx *r, size_t n);

/**
 * lenframe_rx_next() - take the next frame
 * @frame: out: its first byte (LENFRAME_FRAME only)
 * @len:   out: its length (LENFRAME_FRAME, LENFRAME_RUNT_FRAME, LENFRAME_TOO_BIG)
 * Return: what was found; after LENFRAME_TOO_BIG nothing more is consumed.
 */
enum lenframe_status lenframe_rx_next(struct lenframe_rx *r, const uint8_t **frame, uint32_t *len);

/**
 * lenframe_rx_ready() - would lenframe_rx_next() return something other than
 * LENFRAME_NEED_MORE? (frames left buffered after a full burst)
 */
bool lenframe_rx_ready(const struct lenframe_rx *r);

/** lenframe_rx_pending() - bytes of an incomplete frame held (a peer closing mid-frame) */
static inline size_t lenframe_rx_pending(const struct lenframe_rx *r)
{
	return r->tail - r->head;
}

/** lenframe_put_hdr() - write the prefix of a @len-byte frame to @hdr */
static inline void lenframe_put_hdr(uint8_t hdr[LENFRAME_HDR], uint32_t len)
{
	hdr[0] = (uint8_t)(len >> 24);
	hdr[1] = (uint8_t)(len >> 16);
	hdr[2] = (uint8_t)(len >> 8);
	hdr[3] = (uint8_t)len;
}

#endif /* VNET_LENFRAME_H */
