// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_virtq.c - the split-ring walker and frame copies against a fake guest:
 * a memfd mapped twice, once as "guest memory" (what the test writes as the
 * driver) and once through vhost_mem (what virtq.c reads as the device).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/virtio_net.h>

#include "../../src/port/port.h"
#include "../../src/port/virtq.h"

#define MEM_SIZE (1u << 20)
#define GPA 0x100000ull
#define NUM 16
#define DESC_OFF 0x0
#define AVAIL_OFF 0x1000
#define USED_OFF 0x2000
#define IND_OFF 0x3000
#define BUF_OFF 0x10000

struct fake {
	int fd;
	uint8_t *g; /* the guest's view */
	struct vhost_mem mem;
	struct virtq vq;
	struct pkt_pool *pool;
	uint64_t drops[N_DROP];
	uint16_t avail;
};

static struct vring_desc *desc(struct fake *f)
{
	return (struct vring_desc *)(f->g + DESC_OFF);
}

static struct vring_avail *avail(struct fake *f)
{
	return (struct vring_avail *)(f->g + AVAIL_OFF);
}

static struct vring_used *used(struct fake *f)
{
	return (struct vring_used *)(f->g + USED_OFF);
}

static int setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->fd = memfd_create("test-virtq", 0);
	assert_true(f->fd >= 0);
	assert_int_equal(ftruncate(f->fd, MEM_SIZE), 0);
	f->g = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, f->fd, 0);
	assert_true(f->g != MAP_FAILED);
	vhost_mem_init(&f->mem);
	/* the region's QVA is our guest view's address, as QEMU's would be its own */
	assert_int_equal(vhost_mem_add(&f->mem, GPA, MEM_SIZE, (uintptr_t)f->g, 0, dup(f->fd)), 0);
	virtq_init(&f->vq, &f->mem);
	assert_int_equal(virtq_map(&f->vq, NUM, (uintptr_t)f->g + DESC_OFF,
				   (uintptr_t)f->g + AVAIL_OFF, (uintptr_t)f->g + USED_OFF),
			 0);
	f->vq.hdr_size = 12;
	f->vq.indirect = true;
	f->vq.mrg_rxbuf = true;
	f->vq.rx_caps = PORT_CAP_CSUM | PORT_CAP_TSO4 | PORT_CAP_TSO6;
	f->vq.tx_offloads = PORT_CAP_CSUM | PORT_CAP_TSO4 | PORT_CAP_TSO6;
	virtq_start(&f->vq, 0);
	f->pool = pkt_pool_create(64);
	assert_non_null(f->pool);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fake *f = *state;

	pkt_pool_destroy(f->pool);
	vhost_mem_clear(&f->mem);
	vhost_mem_log_clear(&f->mem);
	munmap(f->g, MEM_SIZE);
	close(f->fd);
	free(f);
	return 0;
}

static void post(struct fake *f, uint16_t head)
{
	avail(f)->ring[f->avail % NUM] = head;
	f->avail++;
	__atomic_store_n(&avail(f)->idx, f->avail, __ATOMIC_RELEASE);
}

static void set_desc(struct fake *f, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	desc(f)[i] = (struct vring_desc){ addr, len, flags, next };
}

/* a frame at BUF_OFF + off: 12-byte header (@vh or zero), then @size bytes 0,1,2... */
static uint64_t put_frame(struct fake *f, uint32_t off, const struct virtio_net_hdr *vh,
			  uint32_t size)
{
	uint8_t *p = f->g + BUF_OFF + off;

	memset(p, 0, 12);
	if (vh)
		memcpy(p, vh, sizeof(*vh));
	for (uint32_t i = 0; i < size; i++)
		p[12 + i] = (uint8_t)i;
	return GPA + BUF_OFF + off;
}

static unsigned dequeue(struct fake *f, struct pkt **pkts, uint16_t *heads, bool zc)
{
	return virtq_dequeue(&f->vq, f->pool, pkts, heads, 8, zc, f->drops);
}

static void check_bytes(const struct pkt *p, uint32_t size)
{
	assert_int_equal(p->size, size);
	for (uint32_t i = 0; i < size; i++)
		assert_int_equal(p->data[i], (uint8_t)i);
}

/* one descriptor, header + frame: zero copy, data points into guest memory */
static void test_single_zerocopy(void **state)
{
	struct fake *f = *state;
	struct pkt *p[8];
	uint16_t h[8];

	set_desc(f, 3, put_frame(f, 0x1000, NULL, 60), 72, 0, 0);
	post(f, 3);
	assert_int_equal(dequeue(f, p, h, true), 1);
	assert_int_equal(h[0], 3);
	assert_true(virtq_pkt_is_guest(p[0]));
	assert_ptr_equal(p[0]->data, f->mem.r[0].hva + BUF_OFF + 0x1000 + 12);
	check_bytes(p[0], 60);
	assert_int_equal(f->vq.st.zerocopy, 1);
	virtq_push(&f->vq, h[0], 0);
	virtq_flush(&f->vq);
	assert_int_equal(used(f)->idx, 1);
	assert_int_equal(used(f)->ring[0].id, 3);
	pkt_free(f->pool, p[0]);
}

/* the same frame with zero copy off is copied into the pkt's buffer */
static void test_single_copy(void **state)
{
	struct fake *f = *state;
	struct pkt *p[8];
	uint16_t h[8];

	set_desc(f, 0, put_frame(f, 0, NULL, 100), 112, 0, 0);
	post(f, 0);
	assert_int_equal(dequeue(f, p, h, false), 1);
	assert_false(virtq_pkt_is_guest(p[0]));
	check_bytes(p[0], 100);
	pkt_free(f->pool, p[0]);
}

/* a frame at the very start of the region lacks the slack: copied, not referenced */
static void test_zerocopy_needs_slack(void **state)
{
	struct fake *f = *state;
	struct pkt *p[8];
	uint16_t h[8];

	put_frame(f, 0, NULL, 60);
	/* 0x2800 bytes of the region before it, plenty after: referenced */
	memcpy(f->g + USED_OFF + 0x800, f->g + BUF_OFF, 72);
	set_desc(f, 0, GPA + USED_OFF + 0x800, 72, 0, 0);
	post(f, 0);
	assert_int_equal(dequeue(f, p, h, true), 1);
	assert_true(virtq_pkt_is_guest(p[0]));
	check_bytes(p[0], 60);
	pkt_free(f->pool, p[0]);
	set_desc(f, 1, GPA + MEM_SIZE - 72, 72, 0, 0); /* flush with the end: no slack after */
	memcpy(f->g + MEM_SIZE - 72, f->g + BUF_OFF, 72);
	post(f, 1);
	assert_int_equal(dequeue(f, p, h, true), 1);
	assert_false(virtq_pkt_is_guest(p[0]));
	check_bytes(p[0], 60);
	pkt_free(f->pool, p[0]);
}

/* header in its own descriptor, frame over three more: gathered and copied */
static void test_chain_copy(void **state)
{
	struct fake *f = *state;
	uint64_t a = put_frame(f, 0, NULL, 300);
	struct pkt *p[8];
	uint16_t h[8];

	/* pieces out of order in memory so they cannot coalesce */
	memmove(f->g + BUF_OFF + 0x2000, f->g + BUF_OFF + 12 + 100, 100);
	set_desc(f, 5, a, 12, VRING_DESC_F_NEXT, 6);
	set_desc(f, 6, a + 12, 100, VRING_DESC_F_NEXT, 7);
	set_desc(f, 7, GPA + BUF_OFF + 0x2000, 100, VRING_DESC_F_NEXT, 8);
	set_desc(f, 8, a + 212, 100, 0, 0);
	post(f, 5);
	assert_int_equal(dequeue(f, p, h, true), 1);
	assert_false(virtq_pkt_is_guest(p[0]));
	check_bytes(p[0], 300);
	pkt_free(f->pool, p[0]);
}

/* adjacent descriptors coalesce and still pass by reference */
static void test_chain_coalesce(void **state)
{
	struct fake *f = *state;
	uint64_t a = put_frame(f, 0x4000, NULL, 200);
	struct pkt *p[8];
	uint16_t h[8];

	set_desc(f, 0, a, 62, VRING_DESC_F_NEXT, 1);
	set_desc(f, 1, a + 62, 150, 0, 0);
	post(f, 0);
	assert_int_equal(dequeue(f, p, h, true), 1);
	assert_true(virtq_pkt_is_guest(p[0]));
	check_bytes(p[0], 200);
	pkt_free(f->pool, p[0]);
}

/* an indirect table works when negotiated */
static void test_indirect(void **state)
{
	struct fake *f = *state;
	struct vring_desc *t = (struct vring_desc *)(f->g + IND_OFF);
	uint64_t a = put_frame(f, 0, NULL, 80);
	struct pkt *p[8];
	uint16_t h[8];

	t[0] = (struct vring_desc){ a, 30, VRING_DESC_F_NEXT, 2 };
	t[2] = (struct vring_desc){ a + 30, 62, 0, 0 };
	set_desc(f, 9, GPA + IND_OFF, 3 * 16, VRING_DESC_F_INDIRECT, 0);
	post(f, 9);
	assert_int_equal(dequeue(f, p, h, true), 1);
	assert_int_equal(h[0], 9);
	check_bytes(p[0], 80);
	pkt_free(f->pool, p[0]);
	assert_null(f->vq.violation);
}

/* each bad chain is a violation: nothing is returned and the queue is marked */
static void expect_violation(struct fake *f, const char *why_part)
{
	struct pkt *p[8];
	uint16_t h[8];

	assert_int_equal(dequeue(f, p, h, true), 0);
	assert_non_null(f->vq.violation);
	assert_non_null(strstr(f->vq.violation, why_part));
	assert_int_equal(f->pool->n_free, f->pool->n); /* no pkt leaked */
}

static void test_loop(void **state)
{
	struct fake *f = *state;
	uint64_t a = put_frame(f, 0, NULL, 60);

	set_desc(f, 0, a, 36, VRING_DESC_F_NEXT, 1);
	set_desc(f, 1, a + 36, 36, VRING_DESC_F_NEXT, 0);
	post(f, 0);
	expect_violation(f, "loops");
}

static void test_self_loop_indirect(void **state)
{
	struct fake *f = *state;
	struct vring_desc *t = (struct vring_desc *)(f->g + IND_OFF);
	uint64_t a = put_frame(f, 0, NULL, 60);

	t[0] = (struct vring_desc){ a, 72, VRING_DESC_F_NEXT, 0 };
	set_desc(f, 0, GPA + IND_OFF, 16, VRING_DESC_F_INDIRECT, 0);
	post(f, 0);
	expect_violation(f, "loops");
}

static void test_oob_addr(void **state)
{
	struct fake *f = *state;

	set_desc(f, 0, 0x1000, 72, 0, 0);
	post(f, 0);
	expect_violation(f, "outside guest memory");
}

static void test_oob_len(void **state)
{
	struct fake *f = *state;

	/* starts inside, runs past the end of the only region */
	set_desc(f, 0, GPA + MEM_SIZE - 8, 64, 0, 0);
	post(f, 0);
	expect_violation(f, "outside guest memory");
}

static void test_wrap_addr(void **state)
{
	struct fake *f = *state;

	set_desc(f, 0, UINT64_MAX - 15, 0xffffffffu, 0, 0);
	post(f, 0);
	expect_violation(f, "outside guest memory");
}

static void test_zero_len(void **state)
{
	struct fake *f = *state;

	set_desc(f, 0, put_frame(f, 0, NULL, 60), 0, 0, 0);
	post(f, 0);
	expect_violation(f, "zero-length");
}

static void test_head_oob(void **state)
{
	struct fake *f = *state;

	post(f, NUM);
	expect_violation(f, "out of range");
}

static void test_next_oob(void **state)
{
	struct fake *f = *state;

	set_desc(f, 0, put_frame(f, 0, NULL, 60), 20, VRING_DESC_F_NEXT, NUM + 3);
	post(f, 0);
	expect_violation(f, "out of range");
}

static void test_avail_jump(void **state)
{
	struct fake *f = *state;

	f->avail = NUM; /* NUM + 1 entries "available" in a NUM ring */
	post(f, 0);
	expect_violation(f, "ring size");
}

static void test_write_on_tx(void **state)
{
	struct fake *f = *state;

	set_desc(f, 0, put_frame(f, 0, NULL, 60), 72, VRING_DESC_F_WRITE, 0);
	post(f, 0);
	expect_violation(f, "writable descriptor");
}

static void test_indirect_unnegotiated(void **state)
{
	struct fake *f = *state;

	f->vq.indirect = false;
	set_desc(f, 0, GPA + IND_OFF, 32, VRING_DESC_F_INDIRECT, 0);
	post(f, 0);
	expect_violation(f, "without INDIRECT_DESC");
}

static void test_indirect_bad_size(void **state)
{
	struct fake *f = *state;

	set_desc(f, 0, GPA + IND_OFF, 17, VRING_DESC_F_INDIRECT, 0);
	post(f, 0);
	expect_violation(f, "indirect table size");
}

static void test_indirect_nested(void **state)
{
	struct fake *f = *state;
	struct vring_desc *t = (struct vring_desc *)(f->g + IND_OFF);

	t[0] = (struct vring_desc){ GPA + IND_OFF, 16, VRING_DESC_F_INDIRECT, 0 };
	set_desc(f, 0, GPA + IND_OFF, 16, VRING_DESC_F_INDIRECT, 0);
	post(f, 0);
	expect_violation(f, "nested");
}

static void test_indirect_oob(void **state)
{
	struct fake *f = *state;

	set_desc(f, 0, GPA + MEM_SIZE - 16, 64, VRING_DESC_F_INDIRECT, 0);
	post(f, 0);
	expect_violation(f, "indirect table outside");
}

static void test_indirect_with_next(void **state)
{
	struct fake *f = *state;

	set_desc(f, 0, GPA + IND_OFF, 32, VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1);
	post(f, 0);
	expect_violation(f, "with NEXT");
}

/* malformed frames are dropped, counted, and their heads returned at once */
static void test_drops(void **state)
{
	struct fake *f = *state;
	struct virtio_net_hdr vh = { .gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 1000 };
	struct pkt *p[8];
	uint16_t h[8];

	set_desc(f, 0, put_frame(f, 0, NULL, 5), 17, 0, 0); /* runt */
	set_desc(f, 1, put_frame(f, 0x100, &vh, 60), 72, 0, 0); /* GSO without NEEDS_CSUM */
	set_desc(f, 2, put_frame(f, 0x200, NULL, 60), 8, 0, 0); /* header cut short */
	post(f, 0);
	post(f, 1);
	post(f, 2);
	assert_int_equal(dequeue(f, p, h, true), 0);
	assert_null(f->vq.violation);
	assert_int_equal(f->drops[DROP_RUNT], 2);
	assert_int_equal(f->drops[DROP_BAD_VNET_HDR], 1);
	virtq_flush(&f->vq);
	assert_int_equal(used(f)->idx, 3);
	assert_int_equal(f->pool->n_free, f->pool->n);
}

/* a GSO frame is refused when the guest did not negotiate HOST_TSO4 */
static void test_tso_not_negotiated(void **state)
{
	struct fake *f = *state;
	uint8_t frame[14 + 20 + 20 + 100] = { 0 };
	struct virtio_net_hdr vh = { .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				     .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
				     .hdr_len = 54,
				     .gso_size = 50,
				     .csum_start = 34,
				     .csum_offset = 16 };
	struct pkt *p[8];
	uint16_t h[8];
	uint8_t *b = f->g + BUF_OFF;

	frame[12] = 0x08;
	frame[14] = 0x45;
	frame[16] = 0;
	frame[17] = sizeof(frame) - 14;
	frame[22] = 64;
	frame[23] = 6;
	frame[14 + 20 + 12] = 0x50;
	memcpy(b, &vh, sizeof(vh));
	memset(b + 10, 0, 2);
	memcpy(b + 12, frame, sizeof(frame));
	set_desc(f, 0, GPA + BUF_OFF, 12 + sizeof(frame), 0, 0);
	post(f, 0);
	assert_int_equal(dequeue(f, p, h, true), 1); /* with HOST_TSO4: accepted */
	assert_int_equal(p[0]->vnet.gso_type, VIRTIO_NET_HDR_GSO_TCPV4);
	assert_int_equal(p[0]->vnet.gso_size, 50);
	pkt_free(f->pool, p[0]);
	f->vq.tx_offloads = PORT_CAP_CSUM;
	post(f, 0);
	assert_int_equal(dequeue(f, p, h, true), 0);
	assert_int_equal(f->drops[DROP_BAD_VNET_HDR], 1);
}

/* ---- receive side ---- */

static struct pkt *make_pkt(struct fake *f, uint32_t size)
{
	struct pkt *p = pkt_alloc(f->pool);

	for (uint32_t i = 0; i < size; i++)
		p->data[i] = (uint8_t)(i * 7);
	p->size = size;
	return p;
}

/* post @n single-descriptor receive buffers of @len bytes at BUF_OFF + i * 0x1000 */
static void post_rx(struct fake *f, unsigned n, uint32_t len)
{
	for (unsigned i = 0; i < n; i++) {
		set_desc(f, i, GPA + BUF_OFF + i * 0x1000, len, VRING_DESC_F_WRITE, 0);
		post(f, (uint16_t)i);
	}
}

static void test_rx_mergeable(void **state)
{
	struct fake *f = *state;
	struct pkt *p = make_pkt(f, 3000);
	struct virtio_net_hdr_mrg_rxbuf *hdr = (void *)(f->g + BUF_OFF);
	uint8_t *out = malloc(4000);
	uint32_t got = 0;

	post_rx(f, 4, 1536);
	p->vnet.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	p->vnet.csum_start = 34;
	p->vnet.csum_offset = 16;
	assert_true(virtq_enqueue_one(&f->vq, p, 0x0064, f->drops));
	virtq_flush(&f->vq);
	/* 12 + 12 (MACs) + 4 (tag) + 2988 = 3016 bytes in 1536-byte buffers: two of them */
	assert_int_equal(used(f)->idx, 2);
	assert_int_equal(used(f)->ring[0].len, 1536);
	assert_int_equal(used(f)->ring[1].len, 3016 - 1536);
	assert_int_equal(hdr->num_buffers, 2);
	assert_int_equal(hdr->hdr.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(hdr->hdr.csum_start, 38); /* shifted by the tag */
	memcpy(out, f->g + BUF_OFF + 12, 1536 - 12);
	memcpy(out + 1536 - 12, f->g + BUF_OFF + 0x1000, 3016 - 1536);
	got = 3004;
	assert_memory_equal(out, p->data, 12);
	assert_int_equal(out[12], 0x81);
	assert_int_equal(out[13], 0x00);
	assert_int_equal(out[14], 0x00);
	assert_int_equal(out[15], 0x64);
	assert_memory_equal(out + 16, p->data + 12, got - 16);
	free(out);
	pkt_free(f->pool, p);
}

/* a small frame fits the first buffer: the single-move path, tag included */
static void test_rx_small_tagged(void **state)
{
	struct fake *f = *state;
	struct pkt *p = make_pkt(f, 64);
	const uint8_t *b = f->g + BUF_OFF;

	post_rx(f, 2, 1536);
	assert_true(virtq_enqueue_one(&f->vq, p, 0xe00a, f->drops));
	assert_true(virtq_enqueue_one(&f->vq, p, 0, f->drops));
	virtq_flush(&f->vq);
	assert_int_equal(used(f)->idx, 2);
	assert_int_equal(used(f)->ring[0].len, 12 + 68);
	assert_int_equal(used(f)->ring[1].len, 12 + 64);
	assert_int_equal(((const struct virtio_net_hdr_mrg_rxbuf *)b)->num_buffers, 1);
	assert_memory_equal(b + 12, p->data, 12);
	assert_memory_equal(b + 24, "\x81\x00\xe0\x0a", 4);
	assert_memory_equal(b + 28, p->data + 12, 52);
	assert_memory_equal(b + 0x1000 + 12, p->data, 64);
	pkt_free(f->pool, p);
}

static void test_rx_no_room(void **state)
{
	struct fake *f = *state;
	struct pkt *p = make_pkt(f, 3000);

	post_rx(f, 1, 1536); /* half of what is needed */
	assert_false(virtq_enqueue_one(&f->vq, p, 0, f->drops));
	assert_int_equal(f->drops[DROP_TX_FULL], 1);
	/* rolled back: the buffer is still there for a frame that fits */
	assert_int_equal(f->vq.last_avail, 0);
	virtq_flush(&f->vq);
	assert_int_equal(used(f)->idx, 0);
	p->size = 100;
	assert_true(virtq_enqueue_one(&f->vq, p, 0, f->drops));
	virtq_flush(&f->vq);
	assert_int_equal(used(f)->idx, 1);
	pkt_free(f->pool, p);
}

static void test_rx_no_mrg_too_small(void **state)
{
	struct fake *f = *state;
	struct pkt *p = make_pkt(f, 2000);

	f->vq.mrg_rxbuf = false;
	post_rx(f, 2, 1536);
	assert_false(virtq_enqueue_one(&f->vq, p, 0, f->drops));
	assert_int_equal(f->drops[DROP_OVERSIZE], 1);
	assert_int_equal(f->vq.last_avail, 0);
	pkt_free(f->pool, p);
}

static void test_rx_readonly_buffer(void **state)
{
	struct fake *f = *state;
	struct pkt *p = make_pkt(f, 100);

	set_desc(f, 0, GPA + BUF_OFF, 1536, 0, 0);
	post(f, 0);
	assert_false(virtq_enqueue_one(&f->vq, p, 0, f->drops));
	assert_non_null(strstr(f->vq.violation, "read-only descriptor"));
	pkt_free(f->pool, p);
}

static void test_rx_offload_mismatch(void **state)
{
	struct fake *f = *state;
	struct pkt *p = make_pkt(f, 100);

	post_rx(f, 1, 1536);
	f->vq.rx_caps = 0; /* the guest took no offloads */
	p->vnet.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	assert_false(virtq_enqueue_one(&f->vq, p, 0, f->drops));
	assert_int_equal(f->drops[DROP_TX_ERROR], 1);
	pkt_free(f->pool, p);
}

/* ---- notifications, restart, log, SIGBUS ---- */

static uint64_t eventfd_count(int fd)
{
	uint64_t v = 0;

	if (read(fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return v;
}

static void test_event_idx(void **state)
{
	struct fake *f = *state;
	int efd = eventfd(0, EFD_NONBLOCK);
	uint16_t *used_event = &avail(f)->ring[NUM];

	f->vq.event_idx = true;
	f->vq.call_fd = efd;
	/* first completion: always signalled */
	virtq_push(&f->vq, 0, 0);
	virtq_flush(&f->vq);
	virtq_notify(&f->vq);
	assert_int_equal(eventfd_count(efd), 1);
	/* guest wants an interrupt only after used index 5 */
	*used_event = 5;
	for (int i = 0; i < 3; i++) {
		virtq_push(&f->vq, 0, 0);
		virtq_flush(&f->vq);
		virtq_notify(&f->vq);
	}
	assert_int_equal(eventfd_count(efd), 0); /* used idx is 4 */
	virtq_push(&f->vq, 0, 0);
	virtq_push(&f->vq, 0, 0);
	virtq_flush(&f->vq);
	virtq_notify(&f->vq); /* 4 -> 6 crosses 5 */
	assert_int_equal(eventfd_count(efd), 1);
	/* without EVENT_IDX the NO_INTERRUPT flag rules */
	f->vq.event_idx = false;
	avail(f)->flags = VRING_AVAIL_F_NO_INTERRUPT;
	virtq_push(&f->vq, 0, 0);
	virtq_flush(&f->vq);
	virtq_notify(&f->vq);
	assert_int_equal(eventfd_count(efd), 0);
	close(efd);
	f->vq.call_fd = -1;
}

static void test_kick_enable(void **state)
{
	struct fake *f = *state;
	uint16_t *avail_event = (uint16_t *)&used(f)->ring[NUM];
	uint16_t h;

	f->vq.event_idx = true;
	assert_false(virtq_kick_enable(&f->vq));
	assert_int_equal(*avail_event, 0);
	post(f, 0);
	assert_true(virtq_kick_enable(&f->vq)); /* raced: an entry is there, no kick will come */
	assert_int_equal(virtq_pop(&f->vq, &h), 1);
	assert_false(virtq_kick_enable(&f->vq));
	assert_int_equal(*avail_event, 1);
	f->vq.event_idx = false;
	virtq_kick_disable(&f->vq);
	assert_int_equal(used(f)->flags, VRING_USED_F_NO_NOTIFY);
	virtq_kick_enable(&f->vq);
	assert_int_equal(used(f)->flags, 0);
}

static void test_start_adopts_used(void **state)
{
	struct fake *f = *state;

	used(f)->idx = 7; /* the previous back-end used 7 entries */
	assert_false(virtq_start(&f->vq, 9));
	assert_int_equal(f->vq.last_avail, 7);
	assert_int_equal(f->vq.used_idx, 7);
	assert_true(virtq_start(&f->vq, 7));
}

static void test_dirty_log(void **state)
{
	struct fake *f = *state;
	int lfd = memfd_create("log", 0);
	uint8_t *log;
	struct pkt *p = make_pkt(f, 100);

	assert_int_equal(ftruncate(lfd, 4096), 0);
	log = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, lfd, 0);
	assert_int_equal(vhost_mem_log_set(&f->mem, dup(lfd), 4096, 0), 0);
	f->mem.logging = true;
	f->vq.log_used = true;
	f->vq.log_used_gpa = GPA + USED_OFF;
	post_rx(f, 1, 1536);
	assert_true(virtq_enqueue_one(&f->vq, p, 0, f->drops));
	virtq_flush(&f->vq);
	/* the buffer's page and the used ring's page are dirty, nothing else */
	uint64_t bpage = (GPA + BUF_OFF) / 4096, upage = (GPA + USED_OFF) / 4096;
	assert_true(log[bpage / 8] & (1 << (bpage % 8)));
	assert_true(log[upage / 8] & (1 << (upage % 8)));
	assert_false(log[(bpage + 1) / 8] & (1 << ((bpage + 1) % 8)));
	munmap(log, 4096);
	close(lfd);
	pkt_free(f->pool, p);
}

static void test_sigbus_guard(void **state)
{
	struct fake *f = *state;
	struct pkt *p[8];
	uint16_t h[8];

	/* cmocka installs its own SIGBUS handler around each test body: map again from here */
	vhost_mem_clear(&f->mem);
	assert_int_equal(vhost_mem_add(&f->mem, GPA, MEM_SIZE, (uintptr_t)f->g, 0, dup(f->fd)), 0);
	assert_int_equal(virtq_map(&f->vq, NUM, (uintptr_t)f->g + DESC_OFF,
				   (uintptr_t)f->g + AVAIL_OFF, (uintptr_t)f->g + USED_OFF),
			 0);
	set_desc(f, 0, put_frame(f, 0x8000, NULL, 60), 72, 0, 0);
	post(f, 0);
	assert_false(vhost_mem_faulted(&f->mem));
	/* the "front-end" shrinks the file: our next touch would be a SIGBUS */
	assert_int_equal(ftruncate(f->fd, 0), 0);
	dequeue(f, p, h, false); /* must return, not crash */
	assert_true(vhost_mem_faulted(&f->mem));
	assert_int_equal(ftruncate(f->fd, MEM_SIZE), 0);
	for (unsigned i = 0; i < 8 && f->pool->n_free < f->pool->n; i++)
		pkt_free(f->pool, p[i]);
}

/* ---- the memory table ---- */

static void test_mem_table_checks(void **state)
{
	struct fake *f = *state;
	struct vhost_mem m;
	uint64_t contig, room;

	(void)f;
	vhost_mem_init(&m);
	assert_int_equal(vhost_mem_add(&m, 0, 0, 0, 0, dup(f->fd)), -EINVAL); /* empty */
	assert_int_equal(vhost_mem_add(&m, UINT64_MAX - 10, 4096, 0, 0, dup(f->fd)), -EINVAL);
	assert_int_equal(vhost_mem_add(&m, 0, MEM_SIZE + 1, 0x1000, 0, dup(f->fd)), -EINVAL);
	assert_int_equal(vhost_mem_add(&m, 0, 4096, 0x1000, MEM_SIZE, dup(f->fd)), -EINVAL);
	assert_int_equal(vhost_mem_add(&m, 0, 4096, 0x1000, 1ull << 62, dup(f->fd)), -EINVAL);
	assert_int_equal(vhost_mem_add(&m, 0, 8192, 0x10000, 0, dup(f->fd)), 0);
	assert_int_equal(vhost_mem_add(&m, 4096, 4096, 0x90000, 0, dup(f->fd)), -EINVAL);
	assert_int_equal(vhost_mem_add(&m, 0x9000, 4096, 0x11000, 0, dup(f->fd)), -EINVAL);
	assert_int_equal(vhost_mem_add(&m, 0x9000, 4096, 0x20000, 0, dup(f->fd)), 0);
	assert_int_equal(m.n, 2);
	assert_non_null(vhost_mem_gpa(&m, 100, 8000, &contig, &room));
	assert_int_equal(contig, 8000);
	assert_int_equal(room, 8092);
	assert_non_null(vhost_mem_gpa(&m, 8000, 1000, &contig, NULL));
	assert_int_equal(contig, 192); /* runs off the end: only 192 bytes contiguous */
	assert_null(vhost_mem_gpa(&m, 8192, 1, NULL, NULL));
	assert_null(vhost_mem_qva(&m, 0x10000 + 8000, 200));
	assert_non_null(vhost_mem_qva(&m, 0x10000 + 8000, 192));
	assert_int_equal(vhost_mem_remove(&m, 0, 8192, 0x10000), 0);
	assert_int_equal(vhost_mem_remove(&m, 0, 8192, 0x10000), -ENOENT);
	assert_null(vhost_mem_gpa(&m, 100, 1, NULL, NULL));
	vhost_mem_clear(&m);
	assert_int_equal(m.n, 0);
}

static void test_ring_map_checks(void **state)
{
	struct fake *f = *state;
	uintptr_t b = (uintptr_t)f->g;

	assert_int_equal(virtq_map(&f->vq, 3, b, b + AVAIL_OFF, b + USED_OFF), -EINVAL);
	assert_int_equal(virtq_map(&f->vq, 16, b + 8, b + AVAIL_OFF, b + USED_OFF), -EINVAL);
	assert_int_equal(virtq_map(&f->vq, 16, b, b + AVAIL_OFF + 1, b + USED_OFF), -EINVAL);
	assert_int_equal(virtq_map(&f->vq, 16, 0x1000, b + AVAIL_OFF, b + USED_OFF), -EFAULT);
	assert_int_equal(virtq_map(&f->vq, 16, b, b + AVAIL_OFF, b + MEM_SIZE - 8), -EFAULT);
	assert_int_equal(virtq_map(&f->vq, 16, b, b + AVAIL_OFF, b + USED_OFF), 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_single_zerocopy),
		T(test_single_copy),
		T(test_zerocopy_needs_slack),
		T(test_chain_copy),
		T(test_chain_coalesce),
		T(test_indirect),
		T(test_loop),
		T(test_self_loop_indirect),
		T(test_oob_addr),
		T(test_oob_len),
		T(test_wrap_addr),
		T(test_zero_len),
		T(test_head_oob),
		T(test_next_oob),
		T(test_avail_jump),
		T(test_write_on_tx),
		T(test_indirect_unnegotiated),
		T(test_indirect_bad_size),
		T(test_indirect_nested),
		T(test_indirect_oob),
		T(test_indirect_with_next),
		T(test_drops),
		T(test_tso_not_negotiated),
		T(test_rx_mergeable),
		T(test_rx_small_tagged),
		T(test_rx_no_room),
		T(test_rx_no_mrg_too_small),
		T(test_rx_readonly_buffer),
		T(test_rx_offload_mismatch),
		T(test_event_idx),
		T(test_kick_enable),
		T(test_start_adopts_used),
		T(test_dirty_log),
		T(test_sigbus_guard),
		T(test_mem_table_checks),
		T(test_ring_map_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
