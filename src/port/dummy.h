/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dummy.h - the dummy port type: frames are injected and captured through
 * the control socket, so switching logic is testable without kernel devices.
 */
#ifndef VNET_DUMMY_H
#define VNET_DUMMY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "port.h"

#define DUMMY_CAPTURE_MAX 256 /* frames kept per dummy port; older ones are dropped */

extern const struct port_ops dummy_port_ops;

/**
 * dummy_inject() - feed one frame into the switch as if the port received it
 * @vh: offload header, or NULL for none
 * Return: 0, -EINVAL (not a dummy port, frame too big), -ENOBUFS (pool empty), -ENETDOWN.
 */
int dummy_inject(struct port *p, const uint8_t *frame, size_t size,
		 const struct virtio_net_hdr *vh);

/**
 * dummy_capture_next() - oldest frame the switch sent to the port, removed from the queue
 * @buf/@bufsz: where to copy it (frames longer than @bufsz are cut)
 * @size: out: the frame's full size
 * Return: true if there was one.
 */
bool dummy_capture_next(struct port *p, uint8_t *buf, size_t bufsz, size_t *size);

/** dummy_capture_count() - frames waiting in the capture queue */
unsigned dummy_capture_count(const struct port *p);

/** dummy_is() - is @p a dummy port? */
bool dummy_is(const struct port *p);

#endif /* VNET_DUMMY_H */
