// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dummy.c - the dummy port type: no device, frames injected and captured
 * through the control socket (dummy/inject, dummy/capture). Captured frames
 * are kept in a bounded ring of DUMMY_CAPTURE_MAX frames; when it is full the
 * oldest is dropped and counted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "../base/util.h"
#include "../net/eth.h"
#include "dummy.h"

struct dummy_frame {
	uint32_t size;
	uint8_t *data; /* malloc'd: control-plane path, not the datapath */
};

/**
 * struct dummy - a dummy port's capture ring
 * @head: oldest frame; @n: frames queued; @overflow: frames dropped from a full ring
 */
struct dummy {
	unsigned head, n;
	uint64_t overflow;
	struct dummy_frame ring[DUMMY_CAPTURE_MAX];
	/* frame waiting to be received by rx_burst during dummy_inject() */
	struct pkt *pending;
};

bool dummy_is(const struct port *p)
{
	return p->ops == &dummy_port_ops;
}

static int dummy_open(struct port *p, struct kv_list *opts, char *err, size_t errsz)
{
	(void)opts;
	p->priv = calloc(1, sizeof(struct dummy));
	if (!p->priv) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	p->caps = PORT_CAP_CSUM | PORT_CAP_TSO4 | PORT_CAP_TSO6 | PORT_CAP_TSO_ECN | PORT_CAP_UFO;
	if (kv_get(opts, "nooffload") && !strcmp(kv_get(opts, "nooffload"), "true"))
		p->caps = 0;
	port_set_up(p);
	return 0;
}

static int dummy_validate(struct kv_list *opts, char *err, size_t errsz)
{
	const char *v = kv_get(opts, "nooffload");

	if (v && strcmp(v, "true") && strcmp(v, "false")) {
		snprintf(err, errsz, "nooffload=%.32s: expected true or false", v);
		return -EINVAL;
	}
	return 0;
}

static void dummy_close(struct port *p)
{
	struct dummy *d = p->priv;

	if (!d)
		return;
	for (unsigned i = 0; i < d->n; i++)
		free(d->ring[(d->head + i) % DUMMY_CAPTURE_MAX].data);
	free(d);
	p->priv = NULL;
}

static unsigned dummy_rx_burst(struct port *p, struct pkt **pkts, unsigned n)
{
	struct dummy *d = p->priv;

	if (!d->pending || n == 0)
		return 0;
	pkts[0] = d->pending;
	d->pending = NULL;
	return 1;
}

static unsigned dummy_tx_burst(struct port *p, struct pkt **pkts, const uint16_t *tci, unsigned n)
{
	struct dummy *d = p->priv;

	for (unsigned i = 0; i < n; i++) {
		struct pkt *pk = pkts[i];
		size_t size = pk->size + (tci[i] ? VLAN_HLEN : 0);
		struct dummy_frame *f;
		uint8_t *buf = malloc(size);

		if (!buf) {
			port_count_drop(p, DROP_TX_ERROR, 1);
			continue;
		}
		if (tci[i] && pk->size >= 2 * ETH_ALEN) {
			memcpy(buf, pk->data, 2 * ETH_ALEN);
			buf[12] = ETH_P_8021Q_ >> 8;
			buf[13] = ETH_P_8021Q_ & 0xff;
			buf[14] = (uint8_t)(tci[i] >> 8);
			buf[15] = (uint8_t)tci[i];
			memcpy(buf + 16, pk->data + 12, pk->size - 12);
		} else {
			size = pk->size;
			memcpy(buf, pk->data, size);
		}
		if (d->n == DUMMY_CAPTURE_MAX) {
			free(d->ring[d->head].data);
			d->head = (d->head + 1) % DUMMY_CAPTURE_MAX;
			d->n--;
			d->overflow++;
		}
		f = &d->ring[(d->head + d->n) % DUMMY_CAPTURE_MAX];
		f->data = buf;
		f->size = (uint32_t)size;
		d->n++;
		p->stats.tx_packets++;
		p->stats.tx_bytes += size;
		p->stats.tx_gso += pkt_is_gso(pk);
	}
	return n;
}

int dummy_inject(struct port *p, const uint8_t *frame, size_t size, const struct virtio_net_hdr *vh)
{
	struct dummy *d;
	struct pkt *pk;

	if (!dummy_is(p) || size > PKT_DATA_MAX)
		return -EINVAL;
	if (p->state != PORT_UP)
		return -ENETDOWN;
	d = p->priv;
	pk = pkt_alloc(p->dp->pool);
	if (!pk) {
		port_count_drop(p, DROP_NO_BUFFERS, 1);
		return -ENOBUFS;
	}
	memcpy(pk->data, frame, size);
	pk->size = (uint32_t)size;
	if (vh)
		pk->vnet = *vh;
	d->pending = pk;
	port_poll(p, 1);
	if (d->pending) { /* no switch took it */
		pkt_free(p->dp->pool, d->pending);
		d->pending = NULL;
	}
	return 0;
}

bool dummy_capture_next(struct port *p, uint8_t *buf, size_t bufsz, size_t *size)
{
	struct dummy *d = p->priv;
	struct dummy_frame *f;

	if (!dummy_is(p) || !d->n)
		return false;
	f = &d->ring[d->head];
	*size = f->size;
	memcpy(buf, f->data, MIN(bufsz, (size_t)f->size));
	free(f->data);
	d->head = (d->head + 1) % DUMMY_CAPTURE_MAX;
	d->n--;
	return true;
}

unsigned dummy_capture_count(const struct port *p)
{
	const struct dummy *d = p->priv;

	return dummy_is(p) ? d->n : 0;
}

static void dummy_info(struct port *p, struct json_t *obj)
{
	struct dummy *d = p->priv;

	json_object_set_new(obj, "captured", json_integer(d->n));
	json_object_set_new(obj, "capture_overflow", json_integer((json_int_t)d->overflow));
}

const struct port_ops dummy_port_ops = {
	.type = "dummy",
	.help = "[nooffload=true] (frames injected/captured with dummy/inject and dummy/capture)",
	.validate = dummy_validate,
	.open = dummy_open,
	.close = dummy_close,
	.rx_burst = dummy_rx_burst,
	.tx_burst = dummy_tx_burst,
	.info = dummy_info,
};
