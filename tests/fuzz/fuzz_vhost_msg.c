// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_vhost_msg.c - libFuzzer target for the vhost-user message parser and
 * everything behind it: the input is a stream of front-end messages sent to a
 * vhost-user port over its real socket, followed by the contents of the guest
 * memory those messages describe. After the messages, every transmit ring
 * is kicked and a frame is sent towards the guest, so fuzzed rings reach the
 * datapath too. vnetd's side must never crash, hang, or leak an fd: after the
 * connection closes, the process has exactly the fds it had before.
 *
 * Input format: messages, each a 12-byte vhost-user header (request, flags,
 * size) and min(size, rest of input) payload bytes; a header with request 0
 * ends the messages and the rest of the input is copied into guest memory.
 * File descriptors are attached the way a front-end would: a memfd of the
 * guest memory for SET_MEM_TABLE (one per region) and ADD_MEM_REG, a log
 * memfd for SET_LOG_BASE, an eventfd for SET_VRING_KICK/CALL/ERR. Header
 * flag bits 4-7, when non-zero, override the number of fds (0-15) sent.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../src/base/log.h"
#include "../../src/port/vhost_user.h"

#define FUZZ_MEM (256u << 10)
#define FUZZ_LOG 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct dp dp;
static struct port port;
static char sock_path[108];
static int memfd = -1, logfd = -1;
static uint8_t *guest;
static unsigned base_fds;

static void capture_input(struct port *p, struct pkt **pkts, unsigned n)
{
	port_rx_done(p, pkts, n);
}

/*
 * The fds the port could own: sockets, eventfds/timerfds, memory files. Pipes
 * and the like belong to libFuzzer and the sanitizers (their helper
 * processes come and go), and the port never makes one.
 */
static unsigned count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	unsigned n = 0;

	while (d && (de = readdir(d))) {
		char path[64], link[64];
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = '\0';
		n += !strncmp(link, "socket:", 7) || !strncmp(link, "anon_inode:", 11) ||
		     !strncmp(link, "/memfd:", 7);
	}
	if (d)
		closedir(d);
	return n;
}

/* a broken invariant: say which, list our fds, and crash so libFuzzer keeps the input */
static void die_because(const char *why)
{
	char cmd[64];

	fprintf(stderr, "fuzz_vhost_msg: %s (fds %u, at start %u)\n", why, count_fds(), base_fds);
	snprintf(cmd, sizeof(cmd), "ls -l /proc/%d/fd >&2", (int)getpid());
	if (system(cmd) != 0)
		fprintf(stderr, "(could not list fds)\n");
	abort();
}

static void pump(int rounds)
{
	for (int i = 0; i < rounds; i++) {
		dp.now_ns++;
		evloop_run_once(&dp.loop, 0);
	}
}

static void fuzz_init(void)
{
	struct kv_list opts = { 0 };
	char err[256], a0[160], a1[] = "mode=server";
	char *argv[2] = { a1, a0 };

	log_set_level(LOG_LVL_ERR);
	snprintf(sock_path, sizeof(sock_path), "/tmp/fuzz-vhost-msg-%d.sock", getpid());
	snprintf(a0, sizeof(a0), "path=%s", sock_path);
	if (evloop_init(&dp.loop) || !(dp.pool = pkt_pool_create(64)))
		abort();
	if (!kv_parse(&opts, 2, argv, err, sizeof(err)))
		abort();
	strcpy(port.name, "fuzz");
	port.dp = &dp;
	port.mtu = 1500;
	port.ops = &vhost_user_port_ops;
	port.input = capture_input;
	if (vhost_user_port_ops.open(&port, &opts, err, sizeof(err)))
		abort();
	memfd = memfd_create("fuzz-guest", 0);
	logfd = memfd_create("fuzz-log", 0);
	if (memfd < 0 || logfd < 0 || ftruncate(memfd, FUZZ_MEM) || ftruncate(logfd, FUZZ_LOG))
		abort();
	guest = mmap(NULL, FUZZ_MEM, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (guest == MAP_FAILED)
		abort();
	base_fds = count_fds();
}

/* the fds a well-behaved front-end would attach to @h */
static unsigned fds_for(const struct vhost_user_hdr *h, const uint8_t *payload, uint32_t psize,
			int *fds, int *to_close)
{
	unsigned n = 0, want = (h->flags >> 4) & 0xf;

	switch (h->request) {
	case VHOST_USER_SET_MEM_TABLE: {
		uint32_t nreg = 1;

		if (psize >= 4)
			memcpy(&nreg, payload, 4);
		n = nreg > 8 ? 8 : nreg;
		for (unsigned i = 0; i < n; i++)
			fds[i] = memfd;
		break;
	}
	case VHOST_USER_ADD_MEM_REG:
		fds[n++] = memfd;
		break;
	case VHOST_USER_SET_LOG_BASE:
		fds[n++] = logfd;
		break;
	case VHOST_USER_SET_VRING_KICK:
	case VHOST_USER_SET_VRING_CALL:
	case VHOST_USER_SET_VRING_ERR:
		fds[n++] = *to_close = eventfd(0, EFD_NONBLOCK);
		break;
	}
	if (want) {
		for (unsigned i = n; i < want && i < 12; i++)
			fds[i] = memfd;
		n = want > 12 ? 12 : want;
	}
	return n;
}

static void send_msg(int sock, const struct vhost_user_hdr *h, const uint8_t *payload,
		     uint32_t psize)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * 16)];
		struct cmsghdr align;
	} ctl;
	struct iovec iov[2] = { { (void *)h, sizeof(*h) }, { (void *)payload, psize } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = psize ? 2 : 1 };
	int fds[16], to_close = -1;
	unsigned n = fds_for(h, payload, psize, fds, &to_close);

	if (n) {
		struct cmsghdr *c;

		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	}
	if (sendmsg(sock, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		/* the port closed the connection already: fine */
	}
	if (to_close >= 0)
		close(to_close);
	pump(2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char drain[4096];
	int sock;

	if (!guest)
		fuzz_init();
	strcpy(sa.sun_path, sock_path);
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	for (int i = 0; sock >= 0 && connect(sock, (struct sockaddr *)&sa, sizeof(sa)); i++) {
		if (errno != EAGAIN || i == 1000)
			die_because("cannot connect to the port");
		pump(1); /* backlog full: let the port accept */
	}
	pump(1);
	while (size >= sizeof(struct vhost_user_hdr)) {
		struct vhost_user_hdr h;
		uint32_t psize;

		memcpy(&h, data, sizeof(h));
		data += sizeof(h);
		size -= sizeof(h);
		if (h.request == 0)
			break;
		psize = h.size < size ? h.size : (uint32_t)size;
		/* the header is sent as is: a size larger than what follows is the port's problem */
		send_msg(sock, &h, data, psize);
		data += psize;
		size -= psize;
		while (recv(sock, drain, sizeof(drain), MSG_DONTWAIT) > 0)
			continue;
	}
	/* the rest is guest memory: rings and buffers the messages may point at */
	memset(guest, 0, FUZZ_MEM);
	memcpy(guest, data, size < FUZZ_MEM ? size : FUZZ_MEM);
	/* kick every ring the port may have started, and send a frame towards the guest */
	for (uint64_t q = 0; q < 2; q++) { /* the port has one queue pair */
		struct vhost_user_hdr h = { VHOST_USER_SET_VRING_KICK, VHOST_USER_VERSION, 8 };

		send_msg(sock, &h, (const uint8_t *)&q, sizeof(q));
	}
	pump(4);
	if (port.state == PORT_UP) {
		struct pkt *p = pkt_alloc(dp.pool);
		uint16_t tci = 0x0042;

		p->size = 1500;
		memset(p->data, 0x33, p->size);
		vhost_user_port_ops.tx_burst(&port, &p, &tci, 1);
		pkt_free(dp.pool, p);
	}
	close(sock);
	/* the port reads whatever is still queued, then the end of the connection */
	for (int i = 0; i < 1000 && count_fds() != base_fds; i++)
		pump(1);
	/* the connection is gone: the port must be down, every buffer back, no fd left over */
	if (port.state == PORT_UP)
		die_because("port still up after its front-end left");
	if (dp.pool->n_free != dp.pool->n)
		die_because("packet buffers not returned");
	if (count_fds() != base_fds)
		die_because("fd leaked");
	return 0;
}
