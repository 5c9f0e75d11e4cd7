// SPDX-License-Identifier: GPL-2.0-or-later
/* lenframe.c - de-framing QEMU's length-prefixed stream (see lenframe.h). */
#include <string.h>

#include "lenframe.h"

bool lenframe_rx_init(struct lenframe_rx *r, uint8_t *buf, size_t cap, uint32_t max)
{
	if (!buf || cap < (size_t)max + LENFRAME_HDR)
		return false;
	r->buf = buf;
	r->cap = cap;
	r->max = max;
	r->head = r->tail = 0;
	return true;
}

void lenframe_rx_reset(struct lenframe_rx *r)
{
	r->head = r->tail = 0;
}

uint8_t *lenframe_rx_space(struct lenframe_rx *r, size_t *room)
{
	/* move a partial frame to the front, so one maximal frame always fits */
	if (r->head == r->tail) {
		r->head = r->tail = 0;
	} else if (r->head && r->cap - r->tail < (size_t)r->max + LENFRAME_HDR) {
		memmove(r->buf, r->buf + r->head, r->tail - r->head);
		r->tail -= r->head;
		r->head = 0;
	}
	*room = r->cap - r->tail;
	return r->buf + r->tail;
}

void lenframe_rx_commit(struct lenframe_rx *r, size_t n)
{
	if (n > r->cap - r->tail)
		n = r->cap - r->tail;
	r->tail += n;
}

static uint32_t lenframe_get_len(const uint8_t *h)
{
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

bool lenframe_rx_ready(const struct lenframe_rx *r)
{
	size_t have = r->tail - r->head;
	uint32_t l;

	if (have < LENFRAME_HDR)
		return false;
	l = lenframe_get_len(r->buf + r->head);
	return l > r->max || have - LENFRAME_HDR >= l;
}

enum lenframe_status lenframe_rx_next(struct lenframe_rx *r, const uint8_t **frame, uint32_t *len)
{
	size_t have = r->tail - r->head;
	const uint8_t *h = r->buf + r->head;
	uint32_t l;

	if (have < LENFRAME_HDR)
		return LENFRAME_NEED_MORE;
	l = lenframe_get_len(h);
	*len = l;
	if (l > r->max)
		return LENFRAME_TOO_BIG;
	if (have - LENFRAME_HDR < l)
		return LENFRAME_NEED_MORE;
	r->head += LENFRAME_HDR + l;
	if (r->head == r->tail)
		r->head = r->tail = 0; /* frame stays valid: nothing overwrites it before space() */
	if (l < LENFRAME_RUNT)
		return LENFRAME_RUNT_FRAME;
	*frame = h + LENFRAME_HDR;
	return LENFRAME_FRAME;
}
