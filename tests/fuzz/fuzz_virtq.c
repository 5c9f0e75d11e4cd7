// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_virtq.c - libFuzzer target for the descriptor-chain walker and the
 * frame copies (virtq.c): the input is a guest's memory image holding the
 * rings, descriptors, indirect tables and buffers, plus a few bytes of
 * configuration. It must never crash, read or write outside the guest
 * region, leak a packet buffer, or loop.
 *
 * Input: byte 0 flags (bit 0 EVENT_IDX, 1 INDIRECT_DESC, 2 MRG_RXBUF,
 * 3 12-byte header, 4 zero copy), byte 1 log2 of the ring size (mod 9),
 * bytes 2-3 the frame size to deliver to the guest, then the memory image
 * (copied to guest address FUZZ_GPA). Rings: transmit at FUZZ_GPA + 0,
 * receive at FUZZ_GPA + 0x4000 (desc, avail at +0x1000, used at +0x2000).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../src/base/log.h"
#include "../../src/port/port.h"
#include "../../src/port/virtq.h"

#define FUZZ_MEM (128u << 10)
#define FUZZ_GPA 0x10000ull
#define FUZZ_RX_OFF 0x4000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t *guest;
static struct vhost_mem mem;
static struct pkt_pool *pool;

static void fuzz_init(void)
{
	int fd = memfd_create("fuzz-virtq", 0);

	if (fd < 0 || ftruncate(fd, FUZZ_MEM))
		abort();
	guest = mmap(NULL, FUZZ_MEM, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (guest == MAP_FAILED)
		abort();
	vhost_mem_init(&mem);
	if (vhost_mem_add(&mem, FUZZ_GPA, FUZZ_MEM, (uintptr_t)guest, 0, fd))
		abort();
	pool = pkt_pool_create(64);
	if (!pool)
		abort();
	log_set_level(LOG_LVL_ERR);
}

static void setup_vq(struct virtq *vq, uint8_t flags, uint16_t num, uint64_t off)
{
	virtq_init(vq, &mem);
	vq->event_idx = flags & 1;
	vq->indirect = flags & 2;
	vq->mrg_rxbuf = flags & 4;
	vq->hdr_size = (flags & 8) ? 12 : 10;
	vq->rx_caps = PORT_CAP_CSUM | PORT_CAP_TSO4 | PORT_CAP_TSO6 | PORT_CAP_TSO_ECN;
	vq->tx_offloads = PORT_CAP_CSUM | PORT_CAP_TSO4 | PORT_CAP_TSO6 | PORT_CAP_TSO_ECN;
	if (virtq_map(vq, num, (uintptr_t)guest + off, (uintptr_t)guest + off + 0x1000,
		      (uintptr_t)guest + off + 0x2000))
		abort(); /* our own layout always fits */
	virtq_start(vq, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t drops[N_DROP] = { 0 };
	struct virtq tx, rx;
	struct pkt *pkts[64], *out;
	uint16_t heads[64], num, fsize, tci = 0;
	unsigned n;
	uint8_t flags;

	if (!guest)
		fuzz_init();
	if (size < 4)
		return 0;
	flags = data[0];
	num = (uint16_t)(1u << (data[1] % 9));
	fsize = (uint16_t)(data[2] | data[3] << 8);
	data += 4;
	size -= 4;
	memset(guest, 0, FUZZ_MEM);
	memcpy(guest, data, size < FUZZ_MEM ? size : FUZZ_MEM);

	/* guest -> switch: walk everything the transmit ring offers */
	setup_vq(&tx, flags, num, 0);
	n = virtq_dequeue(&tx, pool, pkts, heads, 64, flags & 16, drops);
	for (unsigned i = 0; i < n; i++) {
		/* the switch reads every byte of a frame it was handed */
		volatile uint8_t sum = 0;

		if (pkts[i]->size < 14 || pkts[i]->size > PKT_DATA_MAX)
			abort();
		for (uint32_t k = 0; k < pkts[i]->size; k++)
			sum ^= pkts[i]->data[k];
		virtq_push(&tx, heads[i], 0);
		pkt_free(pool, pkts[i]);
	}
	virtq_flush(&tx);
	virtq_kick_enable(&tx);
	virtq_notify(&tx);

	/* switch -> guest: one frame of the asked size into the receive ring */
	setup_vq(&rx, flags, num, FUZZ_RX_OFF);
	out = pkt_alloc(pool);
	out->size = fsize % (PKT_DATA_MAX + 1);
	memset(out->data, 0x5a, out->size);
	if (flags & 32)
		tci = 0x0123;
	if (flags & 64) {
		out->vnet.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		out->vnet.csum_start = 34;
		out->vnet.csum_offset = 16;
	}
	for (int i = 0; i < 3 && !rx.violation; i++)
		virtq_enqueue_one(&rx, out, tci, drops);
	virtq_flush(&rx);
	virtq_notify(&rx);
	pkt_free(pool, out);
	if (pool->n_free != pool->n)
		abort(); /* a packet buffer leaked */
	return 0;
}
