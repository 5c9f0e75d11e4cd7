/* SPDX-License-Identifier: GPL-2.0-or-later */
/* csum.h - Internet checksums (RFC 1071), and completing offloaded ones. */
#ifndef VNET_CSUM_H
#define VNET_CSUM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pkt;

/** csum_partial() - add @size bytes at @buf into the 32-bit one's-complement sum @sum */
uint32_t csum_partial(const void *buf, size_t size, uint32_t sum);
/** csum_fold() - fold a 32-bit sum to the final 16-bit checksum (complemented) */
uint16_t csum_fold(uint32_t sum);

/**
 * csum_complete_pkt() - finish a NEEDS_CSUM frame in software
 * Computes the checksum from vnet.csum_start to the end of the frame
 * (the pseudo-header sum is already in the checksum field, as virtio and
 * Linux leave it), stores it at csum_start + csum_offset and clears
 * VIRTIO_NET_HDR_F_NEEDS_CSUM.
 * Return: false if the offsets do not fit in the frame (frame left unchanged).
 */
bool csum_complete_pkt(struct pkt *p);

#endif /* VNET_CSUM_H */
