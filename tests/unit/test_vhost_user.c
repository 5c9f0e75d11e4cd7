// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_vhost_user.c - the vhost-user port driven through its socket by a
 * scripted front-end: option checks, feature and protocol replies,
 * REPLY_ACK, a full device bring-up with frames both ways, GET_VRING_BASE,
 * SEND_RARP, memory slots, the dirty log, resets on bad messages (without
 * leaking fds) and client-mode reconnection.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>
#include <jansson.h>
#include <linux/vhost_types.h>
#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include "../../src/base/log.h"
#include "../../src/base/util.h"
#include "../../src/port/vhost_user.h"

#define MEM_SIZE (1u << 20)
#define GPA 0x80000000ull
#define NUM 64
#define Q_RX 0x0000
#define Q_TX 0x4000
#define AVAIL_OFF 0x400 /* 16 * NUM */
#define USED_OFF 0x1000
#define BUF_OFF 0x10000
#define MAX_CAPTURE 8

struct env {
	char dir[64], path[128];
	struct dp dp;
	struct port port;
	int sock; /* the front-end's end */
	int memfd;
	uint8_t *g;
	int kick[2], call[2];
	uint16_t tx_avail, rx_avail;
	/* frames the port handed to the switch */
	unsigned n_cap;
	uint8_t cap[MAX_CAPTURE][128];
	uint32_t cap_size[MAX_CAPTURE];
};

static struct env *cur;

/* the switch's place: record the frames and give them back */
static void capture_input(struct port *p, struct pkt **pkts, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (cur->n_cap < MAX_CAPTURE) {
			cur->cap_size[cur->n_cap] = pkts[i]->size;
			memcpy(cur->cap[cur->n_cap++], pkts[i]->data, MIN(pkts[i]->size, 128u));
		}
	}
	port_rx_done(p, pkts, n);
}

static void pump(struct env *e, int rounds)
{
	for (int i = 0; i < rounds; i++) {
		e->dp.now_ns = now_ns();
		evloop_run_once(&e->dp.loop, 20);
	}
}

static int port_open(struct env *e, const char *opts_str)
{
	struct kv_list opts = { 0 };
	char *argv[8], buf[512], err[256];
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", opts_str);
	for (char *t = strtok(buf, " "); t && argc < 8; t = strtok(NULL, " "))
		argv[argc++] = t;
	assert_true(kv_parse(&opts, argc, argv, err, sizeof(err)));
	memset(&e->port, 0, sizeof(e->port));
	strcpy(e->port.name, "vu0");
	e->port.dp = &e->dp;
	e->port.mtu = 1500;
	e->port.ops = &vhost_user_port_ops;
	e->port.input = capture_input;
	return vhost_user_port_ops.open(&e->port, &opts, err, sizeof(err));
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	snprintf(e->dir, sizeof(e->dir), "/tmp/test-vhost-user.XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->path, sizeof(e->path), "%s/vu.sock", e->dir);
	assert_int_equal(evloop_init(&e->dp.loop), 0);
	e->dp.pool = pkt_pool_create(128);
	e->sock = e->memfd = -1;
	e->kick[0] = e->kick[1] = e->call[0] = e->call[1] = -1;
	cur = e;
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;

	if (e->port.priv)
		vhost_user_port_ops.close(&e->port);
	if (e->sock >= 0)
		close(e->sock);
	if (e->g)
		munmap(e->g, MEM_SIZE);
	if (e->memfd >= 0)
		close(e->memfd);
	for (int i = 0; i < 2; i++) {
		if (e->kick[i] >= 0)
			close(e->kick[i]);
		if (e->call[i] >= 0)
			close(e->call[i]);
	}
	pkt_pool_destroy(e->dp.pool);
	evloop_fini(&e->dp.loop);
	unlink(e->path);
	rmdir(e->dir);
	free(e);
	return 0;
}

/* ---- the scripted front-end ---- */

static void fe_connect(struct env *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	strcpy(sa.sun_path, e->path);
	e->sock = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(connect(e->sock, (struct sockaddr *)&sa, sizeof(sa)), 0);
	pump(e, 2);
}

static void fe_send(struct env *e, uint32_t req, uint32_t flags, const void *payload, uint32_t size,
		    const int *fds, unsigned n_fds)
{
	struct vhost_user_hdr h = { req, VHOST_USER_VERSION | flags, size };
	union {
		char buf[CMSG_SPACE(sizeof(int) * 16)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov[2] = { { &h, sizeof(h) }, { (void *)payload, size } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = size ? 2 : 1 };

	if (n_fds) {
		struct cmsghdr *c;

		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * n_fds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n_fds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n_fds);
	}
	assert_true(sendmsg(e->sock, &mh, MSG_NOSIGNAL) > 0);
	pump(e, 2);
}

/* the reply to the last request; Return: payload bytes, -1 if none (or EOF) */
static int fe_reply(struct env *e, struct vhost_user_msg *m)
{
	struct pollfd p = { .fd = e->sock, .events = POLLIN };

	pump(e, 1);
	if (poll(&p, 1, 200) <= 0)
		return -1;
	if (recv(e->sock, &m->hdr, sizeof(m->hdr), MSG_WAITALL) != sizeof(m->hdr))
		return -1;
	assert_true(m->hdr.flags & VHOST_USER_REPLY);
	if (m->hdr.size)
		assert_int_equal(recv(e->sock, &m->payload, m->hdr.size, MSG_WAITALL), m->hdr.size);
	return (int)m->hdr.size;
}

static uint64_t fe_get(struct env *e, uint32_t req)
{
	struct vhost_user_msg m;

	fe_send(e, req, 0, NULL, 0, NULL, 0);
	assert_int_equal(fe_reply(e, &m), 8);
	assert_int_equal(m.hdr.request, req);
	return m.payload.u64;
}

static void fe_u64(struct env *e, uint32_t req, uint64_t v, const int *fds, unsigned n_fds)
{
	fe_send(e, req, 0, &v, sizeof(v), fds, n_fds);
}

static void fe_state(struct env *e, uint32_t req, uint32_t index, uint32_t num)
{
	struct vhost_user_state s = { index, num };

	fe_send(e, req, 0, &s, sizeof(s), NULL, 0);
}

static bool fe_closed(struct env *e)
{
	char b[64];

	pump(e, 3);
	for (;;) {
		ssize_t n = recv(e->sock, b, sizeof(b), MSG_DONTWAIT);

		if (n == 0)
			return true;
		if (n < 0)
			return errno == ECONNRESET;
	}
}

static json_t *port_info(struct env *e)
{
	json_t *o = json_object();

	(vhost_user_port_ops.info)(&e->port, o); /* parenthesized: log.h has an info() macro */
	return o;
}

/* an integer of the port's info, at the top level or under "counters" */
static json_int_t info_int(struct env *e, const char *key)
{
	json_t *o = port_info(e);
	json_t *v = json_object_get(o, key);
	json_int_t n;

	if (!v)
		v = json_object_get(json_object_get(o, "counters"), key);
	assert_non_null(v);
	n = json_integer_value(v);
	json_decref(o);
	return n;
}

static unsigned count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned n = 0;

	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	return n;
}

/* shared memory, rings, eventfds: the guest side */
static void guest_mem(struct env *e)
{
	e->memfd = memfd_create("test-vhost-user", 0);
	assert_int_equal(ftruncate(e->memfd, MEM_SIZE), 0);
	e->g = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, e->memfd, 0);
	assert_true(e->g != MAP_FAILED);
	for (int i = 0; i < 2; i++) {
		e->kick[i] = eventfd(0, EFD_NONBLOCK);
		e->call[i] = eventfd(0, EFD_NONBLOCK);
	}
}

static void fe_vring(struct env *e, unsigned q, uint64_t off)
{
	struct vhost_user_addr a = { .index = q,
				     .desc = (uintptr_t)e->g + off,
				     .avail = (uintptr_t)e->g + off + AVAIL_OFF,
				     .used = (uintptr_t)e->g + off + USED_OFF };

	fe_state(e, VHOST_USER_SET_VRING_NUM, q, NUM);
	fe_state(e, VHOST_USER_SET_VRING_BASE, q, 0);
	fe_send(e, VHOST_USER_SET_VRING_ADDR, 0, &a, sizeof(a), NULL, 0);
	fe_u64(e, VHOST_USER_SET_VRING_CALL, q, &e->call[q], 1);
	fe_u64(e, VHOST_USER_SET_VRING_KICK, q, &e->kick[q], 1);
	fe_state(e, VHOST_USER_SET_VRING_ENABLE, q, 1);
}

#define FEATURES                                                                   \
	((1ull << VIRTIO_F_VERSION_1) | (1ull << VHOST_USER_F_PROTOCOL_FEATURES) | \
	 (1ull << VIRTIO_NET_F_MRG_RXBUF) | (1ull << VIRTIO_RING_F_EVENT_IDX) |    \
	 (1ull << VIRTIO_NET_F_CSUM) | (1ull << VIRTIO_NET_F_GUEST_CSUM) |         \
	 (1ull << VIRTIO_NET_F_GUEST_TSO4) | (1ull << VIRTIO_NET_F_HOST_TSO4))

/* the whole bring-up, as QEMU does it */
static void device_up(struct env *e, uint64_t features, uint64_t proto)
{
	struct vhost_user_memory m = { .nregions = 1 };

	guest_mem(e);
	fe_connect(e);
	fe_send(e, VHOST_USER_SET_OWNER, 0, NULL, 0, NULL, 0);
	fe_get(e, VHOST_USER_GET_FEATURES);
	fe_u64(e, VHOST_USER_SET_FEATURES, features, NULL, 0);
	fe_get(e, VHOST_USER_GET_PROTOCOL_FEATURES);
	fe_u64(e, VHOST_USER_SET_PROTOCOL_FEATURES, proto, NULL, 0);
	m.regions[0] = (struct vhost_user_region){ GPA, MEM_SIZE, (uintptr_t)e->g, 0 };
	fe_send(e, VHOST_USER_SET_MEM_TABLE, 0, &m, 8 + sizeof(m.regions[0]), &e->memfd, 1);
	fe_vring(e, 0, Q_RX);
	fe_vring(e, 1, Q_TX);
	pump(e, 2);
}

static struct vring_desc *desc(struct env *e, uint64_t q)
{
	return (struct vring_desc *)(e->g + q);
}

static struct vring_avail *avail(struct env *e, uint64_t q)
{
	return (struct vring_avail *)(e->g + q + AVAIL_OFF);
}

static struct vring_used *used(struct env *e, uint64_t q)
{
	return (struct vring_used *)(e->g + q + USED_OFF);
}

/* the guest transmits a 64-byte frame from @src */
static void guest_tx(struct env *e, uint8_t src_last)
{
	uint16_t i = e->tx_avail % NUM;
	uint8_t *b = e->g + BUF_OFF + i * 128;
	uint64_t one = 1;

	memset(b, 0, 12 + 64);
	memset(b + 12, 0xff, 6);
	memcpy(b + 18, "\x02\x00\x00\x00\x00", 5);
	b[23] = src_last;
	b[24] = 0x08;
	desc(e, Q_TX)[i] = (struct vring_desc){ GPA + BUF_OFF + i * 128, 76, 0, 0 };
	avail(e, Q_TX)->ring[i] = i;
	__atomic_store_n(&avail(e, Q_TX)->idx, ++e->tx_avail, __ATOMIC_RELEASE);
	assert_int_equal(write(e->kick[1], &one, 8), 8);
	pump(e, 2);
}

/* the guest posts @n receive buffers of 2048 bytes */
static void guest_rx_buffers(struct env *e, unsigned n)
{
	for (unsigned k = 0; k < n; k++) {
		uint16_t i = e->rx_avail % NUM;

		desc(e, Q_RX)[i] = (struct vring_desc){ GPA + 0x40000 + i * 2048, 2048,
							VRING_DESC_F_WRITE, 0 };
		avail(e, Q_RX)->ring[i] = i;
		__atomic_store_n(&avail(e, Q_RX)->idx, ++e->rx_avail, __ATOMIC_RELEASE);
	}
}

/* ---- tests ---- */

static void open_server(struct env *e, const char *extra)
{
	char o[256];

	snprintf(o, sizeof(o), "mode=server path=%s %s", e->path, extra);
	assert_int_equal(port_open(e, o), 0);
}

static void test_validate(void **state)
{
	static const char *const bad[] = {
		"mode=bogus path=/tmp/x.sock",
		"mode=server",
		"mode=server path=relative.sock",
		"mode=server path=/tmp/x.sock queues=0",
		"mode=server path=/tmp/x.sock queues=17",
		"mode=server path=/tmp/x.sock mac=01:00:5e:00:00:01",
		"mode=server path=/tmp/x.sock mac=nonsense",
		"mode=client path=/tmp/x.sock socket_mode=0600",
		"mode=server path=/tmp/x.sock socket_mode=999",
		"mode=server path=/tmp/x.sock zerocopy=maybe",
		"mode=server path=/tmp/x.sock busy_poll_us=20000",
	};
	static const char *const good[] = {
		"mode=server path=/tmp/vnet-test-never-created.sock",
		"mode=client path=/tmp/x.sock queues=16 mac=52:54:00:12:34:56",
		"path=/tmp/x.sock socket_mode=0600 zerocopy=off busy_poll_us=0",
	};
	char err[256], buf[256], *argv[8];
	struct stat st;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad) + ARRAY_SIZE(good); i++) {
		bool is_bad = i < ARRAY_SIZE(bad);
		struct kv_list opts = { 0 };
		int argc = 0;

		snprintf(buf, sizeof(buf), "%s", is_bad ? bad[i] : good[i - ARRAY_SIZE(bad)]);
		for (char *t = strtok(buf, " "); t; t = strtok(NULL, " "))
			argv[argc++] = t;
		assert_true(kv_parse(&opts, argc, argv, err, sizeof(err)));
		err[0] = '\0';
		assert_int_equal(vhost_user_port_ops.validate(&opts, err, sizeof(err)),
				 is_bad ? -EINVAL : 0);
		if (is_bad)
			assert_true(err[0]);
		else
			assert_null(kv_first_unused(&opts));
	}
	/* validate has no side effects */
	assert_int_not_equal(stat("/tmp/vnet-test-never-created.sock", &st), 0);
}

static void test_features(void **state)
{
	struct env *e = *state;
	struct vhost_user_msg m;
	uint64_t f, pf;

	open_server(e, "queues=4");
	assert_int_equal(e->port.state, PORT_DOWN);
	fe_connect(e);
	f = fe_get(e, VHOST_USER_GET_FEATURES);
	assert_true(f & (1ull << VIRTIO_F_VERSION_1));
	assert_true(f & (1ull << VIRTIO_NET_F_MRG_RXBUF));
	assert_true(f & (1ull << VIRTIO_RING_F_EVENT_IDX));
	assert_true(f & (1ull << VIRTIO_RING_F_INDIRECT_DESC));
	assert_true(f & (1ull << VIRTIO_NET_F_HOST_TSO4));
	assert_true(f & (1ull << VIRTIO_NET_F_GUEST_TSO6));
	assert_true(f & (1ull << VIRTIO_NET_F_MQ)); /* queues=4 */
	assert_true(f & (1ull << VHOST_F_LOG_ALL));
	assert_true(f & (1ull << VHOST_USER_F_PROTOCOL_FEATURES));
	assert_false(f & (1ull << VIRTIO_F_RING_PACKED));
	pf = fe_get(e, VHOST_USER_GET_PROTOCOL_FEATURES);
	for (int b = 0; b <= 15; b++) {
		bool want = b == VHOST_USER_PROTOCOL_F_MQ || b == VHOST_USER_PROTOCOL_F_LOG_SHMFD ||
			    b == VHOST_USER_PROTOCOL_F_RARP ||
			    b == VHOST_USER_PROTOCOL_F_REPLY_ACK ||
			    b == VHOST_USER_PROTOCOL_F_NET_MTU ||
			    b == VHOST_USER_PROTOCOL_F_RESET_DEVICE ||
			    b == VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS;

		assert_int_equal(!!(pf & (1ull << b)), want);
	}
	assert_int_equal(fe_get(e, VHOST_USER_GET_QUEUE_NUM), 4);
	assert_int_equal(fe_get(e, VHOST_USER_GET_MAX_MEM_SLOTS), VHOST_MEM_REGIONS_MAX);
	/* REPLY_ACK: success for a good request, failure for an unknown one; no reset */
	fe_u64(e, VHOST_USER_SET_PROTOCOL_FEATURES, 1ull << VHOST_USER_PROTOCOL_F_REPLY_ACK, NULL,
	       0);
	fe_send(e, VHOST_USER_SET_OWNER, VHOST_USER_NEED_REPLY, NULL, 0, NULL, 0);
	assert_int_equal(fe_reply(e, &m), 8);
	assert_int_equal(m.payload.u64, 0);
	fe_send(e, 77, VHOST_USER_NEED_REPLY, NULL, 0, NULL, 0);
	assert_int_equal(fe_reply(e, &m), 8);
	assert_int_equal(m.payload.u64, 1);
	fe_u64(e, VHOST_USER_NET_SET_MTU, 10, NULL, 0); /* refused, not fatal */
	assert_int_equal(fe_get(e, VHOST_USER_GET_QUEUE_NUM), 4);
	assert_int_equal(info_int(e, "violations"), 0);
	assert_int_equal(info_int(e, "bad_messages"), 1);
}

static void test_datapath(void **state)
{
	struct env *e = *state;
	struct pkt *p;
	uint16_t tci = 0;
	uint64_t v;
	struct virtio_net_hdr_mrg_rxbuf *h;

	open_server(e, "");
	device_up(e, FEATURES, 0);
	assert_int_equal(e->port.state, PORT_UP);
	assert_int_equal(e->port.caps, PORT_CAP_CSUM | PORT_CAP_TSO4);

	/* guest -> switch */
	guest_tx(e, 0x11);
	assert_int_equal(e->n_cap, 1);
	assert_int_equal(e->cap_size[0], 64);
	assert_int_equal(e->cap[0][11], 0x11);
	assert_int_equal(used(e, Q_TX)->idx, 1); /* returned after the switch was done */
	assert_int_equal(read(e->call[1], &v, 8), 8); /* and the guest was told */

	/* switch -> guest, with a VLAN tag inserted */
	guest_rx_buffers(e, 4);
	p = pkt_alloc(e->dp.pool);
	memset(p->data, 0xab, 100);
	p->size = 100;
	tci = 0x2005;
	assert_int_equal(vhost_user_port_ops.tx_burst(&e->port, &p, &tci, 1), 1);
	pkt_free(e->dp.pool, p);
	assert_int_equal(used(e, Q_RX)->idx, 1);
	assert_int_equal(used(e, Q_RX)->ring[0].len, 12 + 104);
	h = (void *)(e->g + 0x40000);
	assert_int_equal(h->num_buffers, 1);
	assert_int_equal(e->g[0x40000 + 12 + 12], 0x81);
	assert_int_equal(e->g[0x40000 + 12 + 15], 0x05);
	assert_int_equal(read(e->call[0], &v, 8), 8);
	assert_int_equal(e->port.stats.tx_packets, 1);
	assert_int_equal(e->port.stats.tx_bytes, 104);

	/* no buffers left on the receive side: dropped and counted, not blocked */
	e->rx_avail = (uint16_t)used(e, Q_RX)->idx;
	p = pkt_alloc(e->dp.pool);
	p->size = 3000;
	memset(p->data, 1, 3000);
	tci = 0;
	assert_int_equal(vhost_user_port_ops.tx_burst(&e->port, &p, &tci, 1), 1); /* 2 buffers */
	assert_int_equal(vhost_user_port_ops.tx_burst(&e->port, &p, &tci, 1), 0);
	assert_int_equal(e->port.stats.drops[DROP_TX_FULL], 1);
	pkt_free(e->dp.pool, p);

	/* GET_VRING_BASE stops the ring: reply is the next avail index, port goes down */
	{
		struct vhost_user_msg m;

		fe_state(e, VHOST_USER_GET_VRING_BASE, 1, 0);
		assert_int_equal(fe_reply(e, &m), 8);
		assert_int_equal(m.payload.state.index, 1);
		assert_int_equal(m.payload.state.num, 1);
		pump(e, 1);
		assert_int_equal(e->port.state, PORT_DOWN);
	}
	assert_int_equal(e->dp.pool->n_free, e->dp.pool->n);
}

static void test_rarp(void **state)
{
	struct env *e = *state;
	uint64_t mac = 0;

	open_server(e, "");
	device_up(e, FEATURES, 1ull << VHOST_USER_PROTOCOL_F_RARP);
	memcpy(&mac, "\x52\x54\x00\xaa\xbb\xcc", 6);
	fe_u64(e, VHOST_USER_SEND_RARP, mac, NULL, 0);
	assert_int_equal(e->n_cap, 1);
	assert_int_equal(e->cap_size[0], 60);
	assert_memory_equal(e->cap[0], "\xff\xff\xff\xff\xff\xff\x52\x54\x00\xaa\xbb\xcc\x80\x35",
			    14);
	assert_int_equal(info_int(e, "rarps"), 1);
	assert_int_equal(e->dp.pool->n_free, e->dp.pool->n);
}

/* mac=: announced into the switch as soon as the port comes up */
static void test_mac_announce(void **state)
{
	struct env *e = *state;

	open_server(e, "mac=52:54:00:01:02:03");
	device_up(e, FEATURES, 0);
	assert_int_equal(e->port.state, PORT_UP);
	assert_int_equal(e->n_cap, 1);
	assert_memory_equal(e->cap[0] + 6, "\x52\x54\x00\x01\x02\x03", 6);
}

static void test_violation_resets(void **state)
{
	struct env *e = *state;
	unsigned fds0;
	uint32_t short_u64 = 1;
	int efd = eventfd(0, 0);

	open_server(e, "");
	fds0 = count_fds();
	fe_connect(e);
	/* SET_FEATURES with 4 bytes and an fd it has no use for */
	fe_send(e, VHOST_USER_SET_FEATURES, 0, &short_u64, sizeof(short_u64), &efd, 1);
	assert_true(fe_closed(e));
	assert_int_equal(info_int(e, "violations"), 1);
	assert_int_equal(info_int(e, "disconnects"), 1);
	assert_int_equal(e->port.state, PORT_DOWN);
	assert_non_null(strstr(e->port.down_reason, "malformed message"));
	close(e->sock);
	e->sock = -1;
	close(efd);
	assert_int_equal(count_fds(), fds0 - 1); /* efd closed here; its copy in vnetd too */
	/* a well-behaved front-end is welcome afterwards */
	device_up(e, FEATURES, 0);
	assert_int_equal(e->port.state, PORT_UP);
}

static void test_ring_violation(void **state)
{
	struct env *e = *state;
	uint64_t one = 1;

	open_server(e, "");
	device_up(e, FEATURES, 0);
	/* a descriptor chain that loops */
	desc(e, Q_TX)[0] = (struct vring_desc){ GPA + BUF_OFF, 40, VRING_DESC_F_NEXT, 1 };
	desc(e, Q_TX)[1] = (struct vring_desc){ GPA + BUF_OFF + 40, 40, VRING_DESC_F_NEXT, 0 };
	avail(e, Q_TX)->ring[0] = 0;
	avail(e, Q_TX)->idx = 1;
	assert_int_equal(write(e->kick[1], &one, 8), 8);
	pump(e, 3);
	assert_true(fe_closed(e));
	assert_int_equal(info_int(e, "violations"), 1);
	assert_int_equal(e->port.state, PORT_DOWN);
	assert_non_null(strstr(e->port.down_reason, "loops"));
}

static void test_mem_slots(void **state)
{
	struct env *e = *state;
	struct vhost_user_mem_reg r = { 0 };
	struct vhost_user_msg m;

	open_server(e, "");
	guest_mem(e);
	fe_connect(e);
	fe_u64(e, VHOST_USER_SET_FEATURES, FEATURES, NULL, 0);
	fe_u64(e, VHOST_USER_SET_PROTOCOL_FEATURES,
	       (1ull << VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS) |
		       (1ull << VHOST_USER_PROTOCOL_F_REPLY_ACK),
	       NULL, 0);
	/* rings first, memory later (ADD_MEM_REG maps them) */
	r.region = (struct vhost_user_region){ GPA, MEM_SIZE / 2, (uintptr_t)e->g, 0 };
	fe_send(e, VHOST_USER_ADD_MEM_REG, VHOST_USER_NEED_REPLY, &r, sizeof(r), &e->memfd, 1);
	assert_int_equal(fe_reply(e, &m), 8);
	assert_int_equal(m.payload.u64, 0);
	r.region = (struct vhost_user_region){ GPA + MEM_SIZE / 2, MEM_SIZE / 2,
					       (uintptr_t)e->g + MEM_SIZE / 2, MEM_SIZE / 2 };
	fe_send(e, VHOST_USER_ADD_MEM_REG, VHOST_USER_NEED_REPLY, &r, sizeof(r), &e->memfd, 1);
	assert_int_equal(fe_reply(e, &m), 8);
	assert_int_equal(m.payload.u64, 0);
	assert_int_equal(info_int(e, "memory_regions"), 2);
	fe_vring(e, 0, Q_RX);
	fe_vring(e, 1, Q_TX);
	pump(e, 2);
	assert_int_equal(e->port.state, PORT_UP);
	/* frames whose buffer is in the second region */
	guest_tx(e, 0x22);
	assert_int_equal(e->n_cap, 1);
	/* removing the region the rings live in stops the port: a violation */
	r.region = (struct vhost_user_region){ GPA, MEM_SIZE / 2, (uintptr_t)e->g, 0 };
	fe_send(e, VHOST_USER_REM_MEM_REG, 0, &r, sizeof(r), NULL, 0);
	assert_true(fe_closed(e));
	assert_int_equal(info_int(e, "violations"), 1);
}

/* one bit per 4 KiB page from GPA 0 to the end of guest memory */
#define LOG_SIZE ((GPA + MEM_SIZE) / 4096 / 8)

static void test_dirty_log(void **state)
{
	struct env *e = *state;
	struct vhost_user_log l = { LOG_SIZE, 0 };
	struct vhost_user_msg m;
	int lfd = memfd_create("log", 0);
	uint8_t *log;
	struct pkt *p;
	uint16_t tci = 0;
	uint64_t page;
	json_t *o;

	assert_int_equal(ftruncate(lfd, LOG_SIZE), 0);
	log = mmap(NULL, LOG_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, lfd, 0);
	open_server(e, "");
	device_up(e, FEATURES, 1ull << VHOST_USER_PROTOCOL_F_LOG_SHMFD);
	fe_send(e, VHOST_USER_SET_LOG_BASE, 0, &l, sizeof(l), &lfd, 1);
	assert_int_equal(fe_reply(e, &m), 8); /* LOG_SHMFD: always answered */
	assert_int_equal(m.payload.u64, 0);
	fe_u64(e, VHOST_USER_SET_FEATURES, FEATURES | (1ull << VHOST_F_LOG_ALL), NULL, 0);
	guest_rx_buffers(e, 2);
	p = pkt_alloc(e->dp.pool);
	memset(p->data, 3, 200);
	p->size = 200;
	assert_int_equal(vhost_user_port_ops.tx_burst(&e->port, &p, &tci, 1), 1);
	pkt_free(e->dp.pool, p);
	page = (GPA + 0x40000) / 4096;
	assert_true(log[page / 8] & (1u << (page % 8)));
	/* while logging, transmit frames are copied, never referenced */
	guest_tx(e, 0x33);
	o = port_info(e);
	assert_true(json_is_true(json_object_get(o, "logging")));
	assert_int_equal(json_integer_value(json_object_get(
				 json_array_get(json_object_get(o, "vrings"), 1), "zerocopy")),
			 0);
	json_decref(o);
	munmap(log, LOG_SIZE);
	close(lfd);
}

static void test_client_reconnect(void **state)
{
	struct env *e = *state;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int lsock = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0), c;
	char o[200];

	snprintf(o, sizeof(o), "mode=client path=%s", e->path);
	assert_int_equal(port_open(e, o), 0); /* nobody listens yet: retries */
	assert_int_equal(e->port.state, PORT_DOWN);
	strcpy(sa.sun_path, e->path);
	assert_int_equal(bind(lsock, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lsock, 1), 0);
	for (int i = 0; i < 50 && info_int(e, "connects") < 1; i++)
		pump(e, 1);
	assert_int_equal(info_int(e, "connects"), 1);
	c = accept(lsock, NULL, NULL);
	assert_true(c >= 0);
	close(c); /* the "QEMU" goes away */
	for (int i = 0; i < 100 && info_int(e, "connects") < 2; i++)
		pump(e, 1);
	assert_int_equal(info_int(e, "disconnects"), 1);
	assert_int_equal(info_int(e, "connects"), 2);
	c = accept(lsock, NULL, NULL);
	assert_true(c >= 0);
	close(c);
	close(lsock);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_validate),	T(test_features),
		T(test_datapath),	T(test_rarp),
		T(test_mac_announce),	T(test_violation_resets),
		T(test_ring_violation), T(test_mem_slots),
		T(test_dirty_log),	T(test_client_reconnect),
	};

	log_set_level(LOG_LVL_ERR);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
