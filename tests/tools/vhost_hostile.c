// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vhost_hostile.c - a hostile vhost-user front-end: connects to a vnetd
 * vhost-user port (mode=server) and sends every kind of bad message and bad
 * descriptor, one attack per connection, checking vnetd's reaction.
 *
 * usage: vhost_hostile -s SOCKET [-c CASE] [-r] [-l]
 *   -s SOCKET  the port's socket
 *   -c CASE    run only this case (default: all); -l lists them
 *   -r         also run the receive-ring cases: they need vnetd to send frames
 *              to the port (flooded traffic from other ports) while they run
 *
 * Each case expects one of:
 *   RESET  vnetd closes the connection (the port is reset and counted)
 *   NACK   vnetd answers REPLY_ACK with failure and keeps the connection
 *   DROP   vnetd returns the descriptor (used ring advances), drops the
 *          frame, and keeps the connection
 *   OK     a well-formed control case: the frame is forwarded, the
 *          connection stays
 * The tool plays the guest too: its "guest memory" is a memfd it shares
 * with vnetd, holding the rings and buffers it forges. Exit status: 0 if
 * every case behaved as expected, 1 otherwise, 2 on usage errors.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include "../../src/port/vhost_user.h"

#define MEM_SIZE (2u << 20) /* guest memory the tool shares */
#define MEM_GPA 0x40000000ull /* its guest physical address */
#define RING_NUM 256 /* ring size */
#define RXQ_OFF 0x0000 /* vring 0 (guest receive) */
#define TXQ_OFF 0x4000 /* vring 1 (guest transmit) */
#define DESC_SIZE (16 * RING_NUM) /* desc table bytes */
#define AVAIL_OFF DESC_SIZE /* avail ring, after the table */
#define USED_OFF (DESC_SIZE + 0x1000)
#define BUF_OFF 0x10000 /* frame buffers */
#define IND_OFF 0x8000 /* indirect tables */
#define WAIT_MS 3000 /* how long a reaction may take */

enum expect { RESET, NACK, DROP, OK };
static const char *const expect_name[] = { "RESET", "NACK", "DROP", "OK" };

struct conn {
	int sock;
	int memfd;
	uint8_t *mem; /* our view of guest memory; its address is the region's QVA */
	int kick[2], call[2];
	uint16_t tx_avail; /* next avail index of the transmit ring */
	uint64_t features;
};

static const char *sock_path;
static bool verbose;

/* ---- messages ---- */

static int send_msg(int sock, uint32_t req, uint32_t flags, const void *payload, uint32_t size,
		    const int *fds, unsigned n_fds)
{
	struct vhost_user_hdr h = { req, flags ? flags : VHOST_USER_VERSION, size };
	union {
		char buf[CMSG_SPACE(sizeof(int) * 64)];
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
	return sendmsg(sock, &mh, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

/* wait for readability; Return: 1 readable, 0 timeout */
static int wait_readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) > 0;
}

/* read a reply; Return: payload size, -1 on EOF/error/timeout */
static int recv_reply(int sock, struct vhost_user_msg *m)
{
	ssize_t n;

	if (!wait_readable(sock, WAIT_MS))
		return -1;
	n = recv(sock, &m->hdr, sizeof(m->hdr), MSG_WAITALL);
	if (n != sizeof(m->hdr) || m->hdr.size > sizeof(m->payload))
		return -1;
	if (m->hdr.size && recv(sock, &m->payload, m->hdr.size, MSG_WAITALL) != m->hdr.size)
		return -1;
	return (int)m->hdr.size;
}

static uint64_t get_u64(struct conn *c, uint32_t req)
{
	struct vhost_user_msg m;

	if (send_msg(c->sock, req, 0, NULL, 0, NULL, 0) || recv_reply(c->sock, &m) != 8)
		return 0;
	return m.payload.u64;
}

static void set_u64(struct conn *c, uint32_t req, uint64_t v)
{
	send_msg(c->sock, req, 0, &v, sizeof(v), NULL, 0);
}

static void set_state(struct conn *c, uint32_t req, uint32_t index, uint32_t num)
{
	struct vhost_user_state s = { index, num };

	send_msg(c->sock, req, 0, &s, sizeof(s), NULL, 0);
}

/* has vnetd closed the connection (within WAIT_MS)? */
static bool closed_by_peer(int sock)
{
	char b[256];
	uint64_t end = (uint64_t)time(NULL) + WAIT_MS / 1000 + 1;

	while ((uint64_t)time(NULL) <= end) {
		ssize_t n;

		if (!wait_readable(sock, 200))
			continue;
		n = recv(sock, b, sizeof(b), MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno == ECONNRESET))
			return true;
	}
	return false;
}

/* is the connection alive: does GET_FEATURES get its answer? */
static bool alive(struct conn *c)
{
	struct vhost_user_msg m;

	return send_msg(c->sock, VHOST_USER_GET_FEATURES, 0, NULL, 0, NULL, 0) == 0 &&
	       recv_reply(c->sock, &m) == 8;
}

/* send a request with NEED_REPLY; Return: the ack (0 ok, else failure), -1 if none came */
static int64_t acked(struct conn *c, uint32_t req, const void *payload, uint32_t size,
		     const int *fds, unsigned n_fds)
{
	struct vhost_user_msg m;

	if (send_msg(c->sock, req, VHOST_USER_VERSION | VHOST_USER_NEED_REPLY, payload, size, fds,
		     n_fds) ||
	    recv_reply(c->sock, &m) != 8)
		return -1;
	return (int64_t)m.payload.u64;
}

/* ---- connection and device setup ---- */

static void conn_close(struct conn *c)
{
	if (c->sock >= 0)
		close(c->sock);
	if (c->mem)
		munmap(c->mem, MEM_SIZE);
	if (c->memfd >= 0)
		close(c->memfd);
	for (int i = 0; i < 2; i++) {
		if (c->kick[i] >= 0)
			close(c->kick[i]);
		if (c->call[i] >= 0)
			close(c->call[i]);
	}
	memset(c, 0, sizeof(*c));
	c->sock = c->memfd = -1;
	c->kick[0] = c->kick[1] = c->call[0] = c->call[1] = -1;
}

static int conn_open(struct conn *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(c, 0, sizeof(*c));
	c->memfd = -1;
	c->kick[0] = c->kick[1] = c->call[0] = c->call[1] = -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	c->sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->sock < 0 || connect(c->sock, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "vhost_hostile: connect %s: %s\n", sock_path, strerror(errno));
		return -1;
	}
	c->memfd = memfd_create("vhost-hostile", MFD_CLOEXEC);
	if (c->memfd < 0 || ftruncate(c->memfd, MEM_SIZE))
		return -1;
	c->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, c->memfd, 0);
	if (c->mem == MAP_FAILED) {
		c->mem = NULL;
		return -1;
	}
	for (int i = 0; i < 2; i++) {
		c->kick[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		c->call[i] = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	}
	return 0;
}

static uint64_t qva(struct conn *c, uint64_t off)
{
	return (uint64_t)(uintptr_t)c->mem + off;
}

static struct vhost_user_memory one_region(struct conn *c, uint64_t size)
{
	struct vhost_user_memory m = { .nregions = 1 };

	m.regions[0] = (struct vhost_user_region){ MEM_GPA, size, qva(c, 0), 0 };
	return m;
}

static void set_vring(struct conn *c, unsigned q, uint64_t off)
{
	struct vhost_user_addr a = { .index = q,
				     .desc = qva(c, off),
				     .avail = qva(c, off + AVAIL_OFF),
				     .used = qva(c, off + USED_OFF) };
	uint64_t idx = q;

	set_state(c, VHOST_USER_SET_VRING_NUM, q, RING_NUM);
	set_state(c, VHOST_USER_SET_VRING_BASE, q, 0);
	send_msg(c->sock, VHOST_USER_SET_VRING_ADDR, 0, &a, sizeof(a), NULL, 0);
	send_msg(c->sock, VHOST_USER_SET_VRING_CALL, 0, &idx, sizeof(idx), &c->call[q], 1);
	send_msg(c->sock, VHOST_USER_SET_VRING_KICK, 0, &idx, sizeof(idx), &c->kick[q], 1);
	set_state(c, VHOST_USER_SET_VRING_ENABLE, q, 1);
}

/* negotiate @features and bring both rings up, as QEMU would */
static int device_up(struct conn *c, uint64_t features)
{
	struct vhost_user_memory m = one_region(c, MEM_SIZE);
	uint64_t offered;

	send_msg(c->sock, VHOST_USER_SET_OWNER, 0, NULL, 0, NULL, 0);
	offered = get_u64(c, VHOST_USER_GET_FEATURES);
	if (!offered)
		return -1;
	c->features = features & offered;
	set_u64(c, VHOST_USER_SET_FEATURES, c->features);
	get_u64(c, VHOST_USER_GET_PROTOCOL_FEATURES);
	set_u64(c, VHOST_USER_SET_PROTOCOL_FEATURES, 1ull << VHOST_USER_PROTOCOL_F_REPLY_ACK);
	if (acked(c, VHOST_USER_SET_MEM_TABLE, &m, 8 + sizeof(m.regions[0]), &c->memfd, 1) != 0)
		return -1;
	set_vring(c, 0, RXQ_OFF);
	set_vring(c, 1, TXQ_OFF);
	/* a round trip makes sure everything above was handled */
	return alive(c) ? 0 : -1;
}

#define BASE_FEATURES                                                              \
	((1ull << VIRTIO_F_VERSION_1) | (1ull << VHOST_USER_F_PROTOCOL_FEATURES) | \
	 (1ull << VIRTIO_RING_F_INDIRECT_DESC))

/* ---- the transmit ring, forged ---- */

static struct vring_desc *tx_desc(struct conn *c)
{
	return (struct vring_desc *)(c->mem + TXQ_OFF);
}

static struct vring_avail *tx_avail(struct conn *c)
{
	return (struct vring_avail *)(c->mem + TXQ_OFF + AVAIL_OFF);
}

static struct vring_used *tx_used(struct conn *c)
{
	return (struct vring_used *)(c->mem + TXQ_OFF + USED_OFF);
}

/* publish head @head on the transmit ring and kick */
static void tx_post(struct conn *c, uint16_t head)
{
	uint64_t one = 1;

	tx_avail(c)->ring[c->tx_avail % RING_NUM] = head;
	__atomic_store_n(&tx_avail(c)->idx, ++c->tx_avail, __ATOMIC_RELEASE);
	if (write(c->kick[1], &one, sizeof(one)) < 0)
		perror("kick");
}

/* a 64-byte broadcast frame behind a 12-byte zero virtio-net header, at BUF_OFF + @off */
static uint64_t put_frame(struct conn *c, uint64_t off, const struct virtio_net_hdr *vh,
			  uint32_t frame_size)
{
	uint8_t *p = c->mem + BUF_OFF + off;

	memset(p, 0, 12 + frame_size);
	if (vh)
		memcpy(p, vh, sizeof(*vh));
	memset(p + 12, 0xff, 6);
	memcpy(p + 18, "\x02\x00\x00\x00\x66\x01", 6);
	p[24] = 0x08; /* IPv4, say */
	return MEM_GPA + BUF_OFF + off;
}

static void set_desc(struct conn *c, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	tx_desc(c)[i] = (struct vring_desc){ addr, len, flags, next };
}

/* did vnetd give the descriptors back (used->idx reached the avail idx)? */
static bool used_caught_up(struct conn *c)
{
	for (int i = 0; i < WAIT_MS / 10; i++) {
		if (__atomic_load_n(&tx_used(c)->idx, __ATOMIC_ACQUIRE) == c->tx_avail)
			return true;
		usleep(10000);
	}
	return false;
}

/* ---- the cases ---- */

struct tcase {
	const char *name;
	enum expect expect;
	const char *what;
	/* Return: true when vnetd reacted as expected */
	bool (*run)(struct conn *c, const struct tcase *t);
	int arg;
	bool rx; /* needs frames flooded to the port (-r) */
};

static bool reacted(struct conn *c, const struct tcase *t)
{
	switch (t->expect) {
	case RESET:
		return closed_by_peer(c->sock);
	case DROP:
		return used_caught_up(c) && alive(c);
	case OK:
		return used_caught_up(c) && alive(c);
	case NACK:
		return alive(c);
	}
	return false;
}

static bool raw_header(struct conn *c, const struct tcase *t)
{
	struct vhost_user_hdr h = { VHOST_USER_GET_FEATURES, VHOST_USER_VERSION, 0 };

	if (t->arg == 0)
		h.flags = 2; /* version 2 */
	else
		h.size = 1u << 20; /* a megabyte of payload announced */
	if (send(c->sock, &h, sizeof(h), MSG_NOSIGNAL) != sizeof(h))
		return false;
	return reacted(c, t);
}

static bool wrong_size(struct conn *c, const struct tcase *t)
{
	uint32_t v = 0;

	send_msg(c->sock, VHOST_USER_SET_FEATURES, 0, &v, sizeof(v), NULL, 0); /* u64 expected */
	return reacted(c, t);
}

static bool too_many_fds(struct conn *c, const struct tcase *t)
{
	int fds[12];
	struct vhost_user_memory m = one_region(c, MEM_SIZE);

	for (int i = 0; i < 12; i++)
		fds[i] = c->memfd;
	send_msg(c->sock, VHOST_USER_SET_MEM_TABLE, 0, &m, 8 + sizeof(m.regions[0]), fds, 12);
	return reacted(c, t);
}

static bool fd_where_none(struct conn *c, const struct tcase *t)
{
	send_msg(c->sock, VHOST_USER_GET_FEATURES, 0, NULL, 0, &c->kick[0], 1);
	return reacted(c, t);
}

/* SET_MEM_TABLE variants; @arg selects the lie */
static bool bad_mem_table(struct conn *c, const struct tcase *t)
{
	struct vhost_user_memory m = one_region(c, MEM_SIZE);
	int fds[2] = { c->memfd, c->memfd }, n_fds = 1, pipefd[2] = { -1, -1 };
	uint32_t size = 8 + sizeof(m.regions[0]);
	bool r;

	switch (t->arg) {
	case 0: /* two regions announced, one fd */
		m.nregions = 2;
		size += sizeof(m.regions[0]);
		break;
	case 1: /* GPA + size wraps around */
		m.regions[0].gpa = UINT64_MAX - 4095;
		break;
	case 2: /* larger than the file */
		m.regions[0].size = 64ull << 20;
		break;
	case 3: /* mmap offset far beyond the file */
		m.regions[0].mmap_offset = 1ull << 62;
		break;
	case 4: /* not a file at all */
		if (pipe(pipefd))
			return false;
		fds[0] = pipefd[0];
		break;
	case 5: /* two overlapping regions */
		m.nregions = 2;
		m.regions[1] = m.regions[0];
		m.regions[1].qva += 4096;
		size += sizeof(m.regions[0]);
		n_fds = 2;
		break;
	case 6: /* zero regions */
		m.nregions = 0;
		size = 8;
		n_fds = 1;
		break;
	}
	send_msg(c->sock, VHOST_USER_SET_MEM_TABLE, 0, &m, size, fds, (unsigned)n_fds);
	r = reacted(c, t);
	if (pipefd[0] >= 0) {
		close(pipefd[0]);
		close(pipefd[1]);
	}
	return r;
}

static bool bad_vring_msg(struct conn *c, const struct tcase *t)
{
	struct vhost_user_memory m = one_region(c, MEM_SIZE);
	int pipefd[2];
	uint64_t v;
	bool r;

	send_msg(c->sock, VHOST_USER_SET_MEM_TABLE, 0, &m, 8 + sizeof(m.regions[0]), &c->memfd, 1);
	switch (t->arg) {
	case 0:
		set_state(c, VHOST_USER_SET_VRING_NUM, 200, RING_NUM); /* no vring 200 */
		break;
	case 1:
		set_state(c, VHOST_USER_SET_VRING_NUM, 1, 3); /* not a power of two */
		break;
	case 2:
		set_state(c, VHOST_USER_SET_VRING_NUM, 1, 65536); /* too big */
		break;
	case 3: /* ring addresses outside guest memory, then start it */
		set_state(c, VHOST_USER_SET_VRING_NUM, 1, RING_NUM);
		{
			struct vhost_user_addr a = {
				.index = 1, .desc = 0x1000, .avail = 0x3000, .used = 0x5000
			};

			send_msg(c->sock, VHOST_USER_SET_VRING_ADDR, 0, &a, sizeof(a), NULL, 0);
		}
		v = 1;
		send_msg(c->sock, VHOST_USER_SET_VRING_KICK, 0, &v, sizeof(v), &c->kick[1], 1);
		break;
	case 4: /* a kick "eventfd" that is a pipe */
		if (pipe(pipefd))
			return false;
		v = 1;
		send_msg(c->sock, VHOST_USER_SET_VRING_KICK, 0, &v, sizeof(v), &pipefd[0], 1);
		r = reacted(c, t);
		close(pipefd[0]);
		close(pipefd[1]);
		return r;
	case 5: /* NOFD flag with an fd attached */
		v = 1 | VHOST_USER_VRING_NOFD;
		send_msg(c->sock, VHOST_USER_SET_VRING_CALL, 0, &v, sizeof(v), &c->call[1], 1);
		break;
	case 6: /* features never offered */
		set_u64(c, VHOST_USER_SET_FEATURES, 1ull << 63);
		break;
	case 7: /* SET_VRING_ENABLE with 7 */
		set_state(c, VHOST_USER_SET_VRING_ENABLE, 1, 7);
		break;
	}
	return reacted(c, t);
}

static bool unknown_request(struct conn *c, const struct tcase *t)
{
	/* a request we do not implement, asking for an ack: a NACK, and we stay */
	return acked(c, 99, NULL, 0, NULL, 0) == 1 && reacted(c, t);
}

static bool half_message(struct conn *c, const struct tcase *t)
{
	struct vhost_user_hdr h = { VHOST_USER_SET_FEATURES, VHOST_USER_VERSION, 8 };

	/* header promising 8 bytes, 3 of them, then a pause: vnetd must keep serving others */
	if (send(c->sock, &h, sizeof(h), MSG_NOSIGNAL) != sizeof(h) ||
	    send(c->sock, "abc", 3, MSG_NOSIGNAL) != 3)
		return false;
	usleep(300000);
	(void)t;
	return true; /* the script checks that other ports kept forwarding meanwhile */
}

/* descriptor attacks on a live device; @arg selects the chain */
static bool bad_chain(struct conn *c, const struct tcase *t)
{
	struct vring_desc *ind = (struct vring_desc *)(c->mem + IND_OFF);
	uint64_t f = put_frame(c, 0, NULL, 64);
	uint64_t feat = BASE_FEATURES;

	if (t->arg == 8) /* indirect without negotiating it */
		feat &= ~(1ull << VIRTIO_RING_F_INDIRECT_DESC);
	if (device_up(c, feat)) {
		fprintf(stderr, "  device setup failed\n");
		return false;
	}
	switch (t->arg) {
	case 0: /* a loop: 0 -> 1 -> 0 */
		set_desc(c, 0, f, 40, VRING_DESC_F_NEXT, 1);
		set_desc(c, 1, f + 40, 36, VRING_DESC_F_NEXT, 0);
		tx_post(c, 0);
		break;
	case 1: /* buffer outside guest memory */
		set_desc(c, 0, 0x1000, 76, 0, 0);
		tx_post(c, 0);
		break;
	case 2: /* buffer running off the end of the region */
		set_desc(c, 0, MEM_GPA + MEM_SIZE - 16, 0xfffffff0u, 0, 0);
		tx_post(c, 0);
		break;
	case 3: /* zero length */
		set_desc(c, 0, f, 0, 0, 0);
		tx_post(c, 0);
		break;
	case 4: /* head index beyond the ring */
		tx_post(c, 5000);
		break;
	case 5: /* avail index 1000 ahead of a 256-entry ring */
		c->tx_avail += 999;
		tx_post(c, 0);
		break;
	case 6: /* next index beyond the table */
		set_desc(c, 0, f, 40, VRING_DESC_F_NEXT, 4000);
		tx_post(c, 0);
		break;
	case 7: /* device-writable descriptor on the transmit ring */
		set_desc(c, 0, f, 76, VRING_DESC_F_WRITE, 0);
		tx_post(c, 0);
		break;
	case 8: /* indirect, not negotiated */
	case 9: /* indirect table of 17 bytes */
	case 10: /* nested indirect */
	case 11: /* indirect table with a next index out of range */
	case 12: /* indirect table outside guest memory */
		ind[0] = (struct vring_desc){ f, 76, 0, 0 };
		if (t->arg == 10)
			ind[0] = (struct vring_desc){ MEM_GPA + IND_OFF, 16, VRING_DESC_F_INDIRECT,
						      0 };
		if (t->arg == 11)
			ind[0] = (struct vring_desc){ f, 40, VRING_DESC_F_NEXT, 9 };
		set_desc(c, 0, t->arg == 12 ? 0x2000 : MEM_GPA + IND_OFF, t->arg == 9 ? 17 : 32,
			 VRING_DESC_F_INDIRECT, 0);
		ind[1] = (struct vring_desc){ f + 40, 36, 0, 0 };
		tx_post(c, 0);
		break;
	case 13: /* a loop inside an indirect table */
		ind[0] = (struct vring_desc){ f, 40, VRING_DESC_F_NEXT, 1 };
		ind[1] = (struct vring_desc){ f + 40, 36, VRING_DESC_F_NEXT, 0 };
		set_desc(c, 0, MEM_GPA + IND_OFF, 32, VRING_DESC_F_INDIRECT, 0);
		tx_post(c, 0);
		break;
	case 14: { /* the memory file shrinks under vnetd's mapping (SIGBUS), then a kick */
		uint64_t one = 1;

		set_desc(c, 0, f, 76, 0, 0);
		tx_avail(c)->ring[0] = 0;
		__atomic_store_n(&tx_avail(c)->idx, 1, __ATOMIC_RELEASE);
		if (ftruncate(c->memfd, 0) || write(c->kick[1], &one, sizeof(one)) < 0)
			return false;
		return reacted(c, t); /* our own view of the memory is gone too: touch nothing */
	}
	}
	return reacted(c, t);
}

/* the receive ring, forged: vnetd writes into what the guest posts here */
static struct vring_desc *rx_desc(struct conn *c)
{
	return (struct vring_desc *)(c->mem + RXQ_OFF);
}

/* receive-buffer attacks; vnetd meets them when it delivers the next flooded frame */
static bool bad_rx(struct conn *c, const struct tcase *t)
{
	struct vring_avail *av = (struct vring_avail *)(c->mem + RXQ_OFF + AVAIL_OFF);
	struct vring_desc *ind = (struct vring_desc *)(c->mem + IND_OFF);
	uint64_t b = MEM_GPA + BUF_OFF;
	uint64_t feat = BASE_FEATURES | (1ull << VIRTIO_NET_F_MRG_RXBUF);

	if (device_up(c, feat))
		return false;
	switch (t->arg) {
	case 0: /* chain loop */
		rx_desc(c)[0] =
			(struct vring_desc){ b, 8, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1 };
		rx_desc(c)[1] =
			(struct vring_desc){ b + 8, 8, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 0 };
		break;
	case 1: /* buffer outside guest memory */
		rx_desc(c)[0] = (struct vring_desc){ 0x1000, 2048, VRING_DESC_F_WRITE, 0 };
		break;
	case 2: /* read-only buffer offered for receive */
		rx_desc(c)[0] = (struct vring_desc){ b, 2048, 0, 0 };
		break;
	case 3: /* zero-length buffer */
		rx_desc(c)[0] = (struct vring_desc){ b, 0, VRING_DESC_F_WRITE, 0 };
		break;
	case 4: /* mergeable buffer too short for the virtio-net header */
		rx_desc(c)[0] = (struct vring_desc){ b, 4, VRING_DESC_F_WRITE, 0 };
		break;
	case 5: /* nested indirect table */
		ind[0] = (struct vring_desc){ MEM_GPA + IND_OFF, 16, VRING_DESC_F_INDIRECT, 0 };
		rx_desc(c)[0] =
			(struct vring_desc){ MEM_GPA + IND_OFF, 16, VRING_DESC_F_INDIRECT, 0 };
		break;
	case 6: /* a buffer ending past the region */
		rx_desc(c)[0] =
			(struct vring_desc){ MEM_GPA + MEM_SIZE - 64, 4096, VRING_DESC_F_WRITE, 0 };
		break;
	}
	av->ring[0] = 0;
	__atomic_store_n(&av->idx, 1, __ATOMIC_RELEASE);
	return reacted(c, t);
}

/* malformed frames on a live device: dropped and counted, the port stays */
static bool bad_frame(struct conn *c, const struct tcase *t)
{
	struct virtio_net_hdr vh = { 0 };
	uint64_t f;

	if (device_up(c, BASE_FEATURES))
		return false;
	switch (t->arg) {
	case 0: /* TSO header, HOST_TSO4 not negotiated */
		vh.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
		vh.gso_size = 1448;
		vh.csum_start = 34;
		vh.csum_offset = 16;
		f = put_frame(c, 0, &vh, 64);
		set_desc(c, 0, f, 76, 0, 0);
		break;
	case 1: /* a runt: 5 bytes of frame */
		f = put_frame(c, 0, NULL, 64);
		set_desc(c, 0, f, 17, 0, 0);
		break;
	case 2: /* header only, split over two descriptors, no frame */
		f = put_frame(c, 0, NULL, 64);
		set_desc(c, 0, f, 6, VRING_DESC_F_NEXT, 1);
		set_desc(c, 1, f + 6, 6, 0, 0);
		break;
	default: /* a good frame: the control case */
		f = put_frame(c, 0, NULL, 64);
		set_desc(c, 0, f, 76, 0, 0);
		break;
	}
	tx_post(c, 0);
	return reacted(c, t);
}

static const struct tcase cases[] = {
	{ "bad-version", RESET, "header with protocol version 2", raw_header, 0 },
	{ "oversized", RESET, "header announcing a 1 MiB payload", raw_header, 1 },
	{ "wrong-size", RESET, "SET_FEATURES with a 4-byte payload", wrong_size, 0 },
	{ "too-many-fds", RESET, "SET_MEM_TABLE carrying 12 fds", too_many_fds, 0 },
	{ "fd-where-none", RESET, "GET_FEATURES carrying an fd", fd_where_none, 0 },
	{ "mem-fd-count", RESET, "two regions, one fd", bad_mem_table, 0 },
	{ "mem-wrap", RESET, "region whose GPA + size wraps", bad_mem_table, 1 },
	{ "mem-too-big", RESET, "region larger than its file", bad_mem_table, 2 },
	{ "mem-offset", RESET, "mmap offset beyond the file", bad_mem_table, 3 },
	{ "mem-not-file", RESET, "region fd is a pipe", bad_mem_table, 4 },
	{ "mem-overlap", RESET, "overlapping regions", bad_mem_table, 5 },
	{ "mem-none", RESET, "zero regions", bad_mem_table, 6 },
	{ "vring-index", RESET, "SET_VRING_NUM for vring 200", bad_vring_msg, 0 },
	{ "vring-num", RESET, "ring size 3", bad_vring_msg, 1 },
	{ "vring-num-big", RESET, "ring size 65536", bad_vring_msg, 2 },
	{ "vring-addr", RESET, "ring outside guest memory, then started", bad_vring_msg, 3 },
	{ "kick-pipe", RESET, "kick fd that is a pipe", bad_vring_msg, 4 },
	{ "nofd-with-fd", RESET, "NOFD flag with an fd attached", bad_vring_msg, 5 },
	{ "features", RESET, "acks a feature never offered", bad_vring_msg, 6 },
	{ "enable-7", RESET, "SET_VRING_ENABLE 7", bad_vring_msg, 7 },
	{ "unknown-request", NACK, "request 99 with NEED_REPLY", unknown_request, 0 },
	{ "half-message", OK, "half a message, then silence", half_message, 0 },
	{ "desc-loop", RESET, "descriptor chain loop", bad_chain, 0 },
	{ "desc-oob", RESET, "buffer outside guest memory", bad_chain, 1 },
	{ "desc-overrun", RESET, "buffer running past the region", bad_chain, 2 },
	{ "desc-zero", RESET, "zero-length descriptor", bad_chain, 3 },
	{ "head-oob", RESET, "avail entry 5000 in a 256 ring", bad_chain, 4 },
	{ "avail-jump", RESET, "avail index 1000 ahead", bad_chain, 5 },
	{ "next-oob", RESET, "next index 4000", bad_chain, 6 },
	{ "desc-write", RESET, "writable descriptor on transmit", bad_chain, 7 },
	{ "indirect-unneg", RESET, "indirect without INDIRECT_DESC", bad_chain, 8 },
	{ "indirect-size", RESET, "indirect table of 17 bytes", bad_chain, 9 },
	{ "indirect-nested", RESET, "indirect inside indirect", bad_chain, 10 },
	{ "indirect-next", RESET, "indirect next index out of range", bad_chain, 11 },
	{ "indirect-oob", RESET, "indirect table outside memory", bad_chain, 12 },
	{ "indirect-loop", RESET, "loop inside an indirect table", bad_chain, 13 },
	{ "mem-shrink", RESET, "memory file truncated (SIGBUS)", bad_chain, 14 },
	{ "bad-vnet-hdr", DROP, "TSO header without HOST_TSO4", bad_frame, 0 },
	{ "runt", DROP, "5-byte frame", bad_frame, 1 },
	{ "header-only", DROP, "virtio-net header, no frame", bad_frame, 2 },
	{ "good-frame", OK, "a well-formed broadcast (control)", bad_frame, 3 },
	{ "rx-loop", RESET, "receive chain loop", bad_rx, 0, true },
	{ "rx-oob", RESET, "receive buffer outside memory", bad_rx, 1, true },
	{ "rx-readonly", RESET, "read-only receive buffer", bad_rx, 2, true },
	{ "rx-zero", RESET, "zero-length receive buffer", bad_rx, 3, true },
	{ "rx-short-hdr", RESET, "mergeable buffer of 4 bytes", bad_rx, 4, true },
	{ "rx-indirect", RESET, "nested indirect receive table", bad_rx, 5, true },
	{ "rx-overrun", RESET, "receive buffer past the region", bad_rx, 6, true },
};

int main(int argc, char **argv)
{
	const char *only = NULL;
	bool with_rx = false;
	unsigned n_run = 0, n_bad = 0;
	int o;

	while ((o = getopt(argc, argv, "s:c:lrv")) != -1) {
		switch (o) {
		case 's':
			sock_path = optarg;
			break;
		case 'c':
			only = optarg;
			break;
		case 'l':
			for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
				printf("%-16s %-5s %s%s\n", cases[i].name,
				       expect_name[cases[i].expect], cases[i].what,
				       cases[i].rx ? " (-r)" : "");
			return 0;
		case 'r':
			with_rx = true;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			return 2;
		}
	}
	if (!sock_path) {
		fprintf(stderr, "usage: vhost_hostile -s SOCKET [-c CASE] [-l]\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct tcase *t = &cases[i];
		struct conn c;
		bool ok;

		if ((only && strcmp(only, t->name)) || (!only && t->rx && !with_rx))
			continue;
		if (conn_open(&c)) {
			conn_close(&c);
			return 1;
		}
		ok = t->run(&c, t);
		conn_close(&c);
		n_run++;
		n_bad += !ok;
		printf("%s %-16s expect %-5s %s\n", ok ? "ok:  " : "FAIL:", t->name,
		       expect_name[t->expect], t->what);
		fflush(stdout);
		/* give vnetd a moment to take the port down and accept the next connection */
		usleep(50000);
	}
	printf("vhost_hostile: %u cases, %u behaved unexpectedly\n", n_run, n_bad);
	return n_bad ? 1 : 0;
}
