// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vhost_user.c - the vhost-user port type: the vhost-user protocol (server
 * and client mode), and the glue between virtqueues and the switch.
 *
 * Security model
 * --------------
 * The peer on the socket (QEMU, DPDK, or anything that can connect to it)
 * and the guest whose memory it shares are both hostile. Therefore:
 *  - Every message is read into a fixed buffer; its header is checked
 *    (version, payload size <= VHOST_USER_PAYLOAD_MAX) before the payload is
 *    read, and each request has a table entry with its exact payload size
 *    and the number of fds it may carry. A mismatch resets the connection.
 *  - Every fd that arrives is owned by the dispatcher until a handler takes
 *    it; whatever is left is closed, on success and on every error path.
 *    More fds than the protocol allows truncate the control message, which
 *    is itself a reset.
 *  - Memory regions go through vhost_mem_add() (overflow, overlap, file
 *    size, SIGBUS guard); ring addresses through virtq_map(); descriptors
 *    through the walker in virtq.c. Kick and call fds must be eventfds and
 *    are made non-blocking, so a peer cannot make a read or write block.
 *  - Replies are sent with MSG_DONTWAIT: a peer that stops reading is
 *    disconnected, never waited for.
 *  - A violation (virtq.c sets vq->violation; the SIGBUS guard; a bad
 *    message) takes the port down at once and schedules the reset, which
 *    runs from the port's own event source, never from inside a burst:
 *    frames lent to the switch may point into guest memory, so the memory
 *    is unmapped only when none are out. The reset is counted, logged
 *    (rate-limited) and reported in port/list. Other ports never notice.
 *
 * Theory of operation
 * -------------------
 * A port owns up to four event sources in p->dp->loop: the listening
 * socket (server mode), the connection, a timerfd (client-mode reconnect
 * with exponential backoff) and a "repoll" eventfd it writes to itself
 * when it has more work or a pending reset. Each transmit queue's kick
 * eventfd is a source too. A kick calls port_poll(), which pulls bursts
 * through vhost_user_rx_burst() (round-robin over the running transmit
 * queues) into the switch; the switch gives the frames back through
 * vhost_user_rx_done(), which returns their descriptors to the guest.
 * vhost_user_tx_burst() copies frames into the receive queue that a flow
 * hash picks.
 *
 * Idle means idle: with no traffic the port waits in epoll with guest
 * kicks enabled. Under load it polls adaptively: after a poll that moved
 * frames it keeps kicks disabled and re-polls through the repoll eventfd
 * for busy_poll_us (default 50 us) after the last frame, which saves the
 * guest its kick exits; then it re-enables kicks and sleeps again.
 *
 * The port is up while the connection has at least one queue pair whose
 * rings are started (kick received) and enabled. Offloads (p->caps) follow
 * the features the guest acked. In client mode vnetd reconnects after any
 * disconnect, so restarting vnetd never needs a guest restart: QEMU
 * re-sends the device state, and virtq_start() resumes from the used ring.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>
#include <jansson.h>
#include <linux/vhost_types.h>
#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include "../base/log.h"
#include "../base/util.h"
#include "../net/eth.h"
#include "vhost_user.h"
#include "virtq.h"

#define VU_BACKOFF_MIN_MS 100 /* first client-mode reconnect delay */
#define VU_BACKOFF_MAX_MS 5000 /* longest reconnect delay */
#define VU_BACKOFF_VIOLATION_MS 2000 /* at least this long after a reset for a violation */
#define VU_POLL_BUDGET 8 /* bursts per wakeup before yielding to other sources */
#define VU_MSGS_PER_WAKEUP 64 /* messages handled per wakeup (fairness) */
#define VU_INFLIGHT_MAX (2 * PKT_BATCH) /* frames lent to the switch at once */
#define VU_SOCKET_MODE_DEFAULT 0660

#define BIT(n) (1ull << (n))

/* Virtio features offered (VIRTIO_NET_F_MQ is added when queues > 1). */
#define VU_FEATURES                                                                                \
	(BIT(VIRTIO_NET_F_CSUM) | BIT(VIRTIO_NET_F_GUEST_CSUM) | BIT(VIRTIO_NET_F_MTU) |           \
	 BIT(VIRTIO_NET_F_GUEST_TSO4) | BIT(VIRTIO_NET_F_GUEST_TSO6) |                             \
	 BIT(VIRTIO_NET_F_GUEST_ECN) | BIT(VIRTIO_NET_F_HOST_TSO4) | BIT(VIRTIO_NET_F_HOST_TSO6) | \
	 BIT(VIRTIO_NET_F_HOST_ECN) | BIT(VIRTIO_NET_F_MRG_RXBUF) |                                \
	 BIT(VIRTIO_NET_F_GUEST_ANNOUNCE) | BIT(VIRTIO_F_ANY_LAYOUT) |                             \
	 BIT(VIRTIO_RING_F_INDIRECT_DESC) | BIT(VIRTIO_RING_F_EVENT_IDX) |                         \
	 BIT(VIRTIO_F_VERSION_1) | BIT(VHOST_USER_F_PROTOCOL_FEATURES) | BIT(VHOST_F_LOG_ALL))

#define VU_PROTOCOL_FEATURES                                                            \
	(BIT(VHOST_USER_PROTOCOL_F_MQ) | BIT(VHOST_USER_PROTOCOL_F_LOG_SHMFD) |         \
	 BIT(VHOST_USER_PROTOCOL_F_RARP) | BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK) |       \
	 BIT(VHOST_USER_PROTOCOL_F_NET_MTU) | BIT(VHOST_USER_PROTOCOL_F_RESET_DEVICE) | \
	 BIT(VHOST_USER_PROTOCOL_F_CONFIGURE_MEM_SLOTS))

/* names for port/list, by bit */
static const char *const vu_feature_names[64] = {
	[VIRTIO_NET_F_CSUM] = "CSUM",
	[VIRTIO_NET_F_GUEST_CSUM] = "GUEST_CSUM",
	[VIRTIO_NET_F_MTU] = "MTU",
	[VIRTIO_NET_F_GUEST_TSO4] = "GUEST_TSO4",
	[VIRTIO_NET_F_GUEST_TSO6] = "GUEST_TSO6",
	[VIRTIO_NET_F_GUEST_ECN] = "GUEST_ECN",
	[VIRTIO_NET_F_HOST_TSO4] = "HOST_TSO4",
	[VIRTIO_NET_F_HOST_TSO6] = "HOST_TSO6",
	[VIRTIO_NET_F_HOST_ECN] = "HOST_ECN",
	[VIRTIO_NET_F_MRG_RXBUF] = "MRG_RXBUF",
	[VIRTIO_NET_F_GUEST_ANNOUNCE] = "GUEST_ANNOUNCE",
	[VIRTIO_NET_F_MQ] = "MQ",
	[VIRTIO_F_ANY_LAYOUT] = "ANY_LAYOUT",
	[VIRTIO_RING_F_INDIRECT_DESC] = "INDIRECT_DESC",
	[VIRTIO_RING_F_EVENT_IDX] = "EVENT_IDX",
	[VIRTIO_F_VERSION_1] = "VERSION_1",
	[VHOST_USER_F_PROTOCOL_FEATURES] = "PROTOCOL_FEATURES",
	[VHOST_F_LOG_ALL] = "LOG_ALL",
};

struct vhost_user;

/**
 * struct vu_queue - one vring (even index: guest receive, odd: guest transmit)
 * @vq:       the ring
 * @vu:       its port
 * @index:    vring index
 * @kick:     kick eventfd as an event source (@kick.fd -1 when none)
 * @kick_watched: @kick is in the event loop (transmit queues only)
 * @err_fd:   eventfd to report errors to the front-end, -1 for none
 * @num/@base: SET_VRING_NUM and SET_VRING_BASE values
 * @addr:     SET_VRING_ADDR values (@addr_set once received)
 * @started:  a kick fd arrived: the ring runs (until GET_VRING_BASE)
 * @enabled:  SET_VRING_ENABLE
 */
struct vu_queue {
	struct virtq vq;
	struct vhost_user *vu;
	uint16_t index;
	struct ev_source kick;
	bool kick_watched;
	int err_fd;
	uint16_t num;
	uint16_t base;
	struct vhost_user_addr addr;
	bool addr_set;
	bool started;
	bool enabled;
};

/* a frame lent to the switch: which descriptor to give back where */
struct vu_lent {
	struct pkt *pkt;
	uint16_t head;
	uint8_t q;
};

/* options, as validate() and open() parse them */
struct vu_cfg {
	bool client;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	unsigned n_pairs;
	bool has_mac;
	uint8_t mac[ETH_ALEN];
	unsigned socket_mode;
	bool zerocopy;
	unsigned busy_poll_us;
};

/**
 * struct vhost_user - one vhost-user port (p->priv)
 * Connection state (features, memory, queues) is reset on disconnect;
 * everything else lives as long as the port.
 */
struct vhost_user {
	struct port *port;
	struct vu_cfg cfg;
	dev_t sock_dev; /* identity of the socket file we created (server mode) */
	ino_t sock_ino;

	struct ev_source listen; /* server mode: listening socket */
	struct ev_source conn; /* the front-end connection, fd -1 when none */
	struct ev_source timer; /* client mode: reconnect timerfd */
	struct ev_source repoll; /* eventfd: more work, or a reset, is pending */
	bool repoll_armed;
	unsigned backoff_ms;
	uint64_t busy_until_ns;

	/* message being received */
	struct vhost_user_msg msg;
	size_t msg_got;
	int msg_fds[VHOST_USER_FDS_MAX];
	unsigned msg_nfds;

	/* connection state */
	uint64_t features;
	uint64_t protocol_features;
	bool owner;
	uint32_t guest_mtu;
	bool rarp_pending;
	uint8_t rarp_mac[ETH_ALEN];
	struct vhost_mem mem;
	struct vu_queue q[VHOST_USER_VRINGS_MAX];
	uint8_t rxq[VHOST_USER_QUEUES_MAX]; /* running receive vrings (for tx_burst) */
	uint8_t txq[VHOST_USER_QUEUES_MAX]; /* running transmit vrings (for rx_burst) */
	unsigned n_rxq, n_txq;
	unsigned rr; /* next transmit queue rx_burst starts at */
	const char *reset_reason; /* pending reset (violation), NULL if none */
	char reset_detail[96];

	struct vu_lent lent[VU_INFLIGHT_MAX];
	unsigned n_lent; /* entries used (some may be returned: pkt NULL) */
	unsigned n_live; /* entries not returned yet */
	unsigned lent_next; /* where rx_done's next search starts */

	/* counters */
	uint64_t n_connects, n_disconnects, n_violations, n_bad_msgs, n_msgs, n_rarps;
	uint64_t n_connect_failures;
	unsigned fail_streak; /* connection attempts failed in a row */
	char last_violation[160];
};

static void vu_disconnect(struct vhost_user *vu, const char *why);
static void vu_update_state(struct vhost_user *vu);

/* ---- options ------------------------------------------------------------------------------- */

static int vu_parse_opts(struct kv_list *opts, struct vu_cfg *c, char *err, size_t errsz)
{
	const char *mode = kv_get(opts, "mode"), *path = kv_get(opts, "path");
	const char *mac = kv_get(opts, "mac"), *sm = kv_get(opts, "socket_mode");
	const char *zc = kv_get(opts, "zerocopy");
	uint64_t n = 1, bp = VHOST_USER_BUSY_POLL_US_DEFAULT;

	memset(c, 0, sizeof(*c));
	if (!mode || !strcmp(mode, "server")) {
		c->client = false;
	} else if (!strcmp(mode, "client")) {
		c->client = true;
	} else {
		snprintf(err, errsz, "mode=%.32s: expected server or client", mode);
		return -EINVAL;
	}
	if (!path || !*path) {
		snprintf(err, errsz, "a vhost-user port needs path=SOCKET");
		return -EINVAL;
	}
	if (path[0] != '/' || strlen(path) >= sizeof(c->path)) {
		snprintf(err, errsz, "path=%.64s: expected an absolute path shorter than %zu bytes",
			 path, sizeof(c->path));
		return -EINVAL;
	}
	strcpy(c->path, path);
	if (!kv_get_u64(opts, "queues", 1, VHOST_USER_QUEUES_MAX, &n, err, errsz))
		return -EINVAL;
	c->n_pairs = (unsigned)n;
	if (mac) {
		/* mac= is also the port-security list (guard.h): the first address is the guest's */
		char first[18];
		size_t len = strcspn(mac, ",");

		snprintf(first, sizeof(first), "%.*s", (int)MIN(len, sizeof(first) - 1), mac);
		if (len >= sizeof(first) || !eth_mac_parse(first, c->mac) ||
		    eth_is_multicast(c->mac) || eth_is_zero(c->mac)) {
			snprintf(err, errsz, "mac=%.64s: expected unicast MAC addresses", mac);
			return -EINVAL;
		}
		c->has_mac = true;
	}
	c->socket_mode = VU_SOCKET_MODE_DEFAULT;
	if (sm) {
		char *end;
		unsigned long v = strtoul(sm, &end, 8);

		if (c->client) {
			snprintf(err, errsz, "socket_mode= applies to mode=server only");
			return -EINVAL;
		}
		if (!*sm || *end || v > 0777 || sm[0] == '-') {
			snprintf(err, errsz, "socket_mode=%.32s: expected octal permissions (0600)",
				 sm);
			return -EINVAL;
		}
		c->socket_mode = (unsigned)v;
	}
	c->zerocopy = true;
	if (zc) {
		if (!strcmp(zc, "on")) {
			c->zerocopy = true;
		} else if (!strcmp(zc, "off")) {
			c->zerocopy = false;
		} else {
			snprintf(err, errsz, "zerocopy=%.32s: expected on or off", zc);
			return -EINVAL;
		}
	}
	if (!kv_get_u64(opts, "busy_poll_us", 0, VHOST_USER_BUSY_POLL_US_MAX, &bp, err, errsz))
		return -EINVAL;
	c->busy_poll_us = (unsigned)bp;
	return 0;
}

static int vhost_user_validate(struct kv_list *opts, char *err, size_t errsz)
{
	struct vu_cfg c;

	return vu_parse_opts(opts, &c, err, errsz);
}

/* ---- small helpers ------------------------------------------------------------------------- */

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

static void vu_unwatch(struct vhost_user *vu, struct ev_source *src)
{
	if (src->fd >= 0)
		evloop_del(&vu->port->dp->loop, src);
	close_fd(&src->fd);
}

static bool fd_is_eventfd(int fd)
{
	char path[64], link[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return errno == ENOENT && access("/proc/self/fd", F_OK); /* no /proc: trust */
	link[n] = '\0';
	return !strcmp(link, "anon_inode:[eventfd]");
}

static int fd_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

static void vu_arm_repoll(struct vhost_user *vu)
{
	static const uint64_t one = 1;

	if (vu->repoll_armed || vu->repoll.fd < 0)
		return;
	if (write(vu->repoll.fd, &one, sizeof(one)) == sizeof(one))
		vu->repoll_armed = true;
}

/*
 * vu_violation() - the peer broke the rules: down now, reset soon (from the
 * repoll source, when no frame is lent out). @detail may be NULL.
 */
static void vu_violation(struct vhost_user *vu, const char *why, const char *detail)
{
	if (vu->reset_reason)
		return;
	vu->reset_reason = why;
	snprintf(vu->reset_detail, sizeof(vu->reset_detail), "%s", detail ? detail : "");
	vu->n_violations++;
	snprintf(vu->last_violation, sizeof(vu->last_violation), "%s%s%s", why, detail ? ": " : "",
		 detail ? detail : "");
	log_ratelimited(LOG_LVL_WARN, "port %s: vhost-user peer violated the protocol: %s",
			vu->port->name, vu->last_violation);
	port_set_down(vu->port, "reset: %s", vu->last_violation);
	for (unsigned i = 0; i < VHOST_USER_VRINGS_MAX; i++) {
		static const uint64_t one = 1;

		/* tell the front-end which ring went wrong, if it gave us a way (best effort) */
		if (vu->q[i].err_fd < 0 || !vu->q[i].vq.violation)
			continue;
		if (write(vu->q[i].err_fd, &one, sizeof(one)) < 0)
			debug("port %s: vring %u: cannot signal the error eventfd", vu->port->name,
			      i);
	}
	vu_arm_repoll(vu);
}

/* check the rings and memory after datapath work; schedule a reset if broken */
static bool vu_check_queue(struct vhost_user *vu, struct vu_queue *q)
{
	char d[32];

	if (likely(!q->vq.violation))
		return true;
	snprintf(d, sizeof(d), "vring %u", q->index);
	vu_violation(vu, q->vq.violation, d);
	return false;
}

static void vu_check_memory(struct vhost_user *vu)
{
	if (unlikely(vhost_mem_faulted(&vu->mem)))
		vu_violation(vu, "guest memory file shrank under a mapping (SIGBUS)", NULL);
}

/* ---- queues -------------------------------------------------------------------------------- */

/*
 * PORT_CAP_* from one direction's negotiated virtio-net bits: checksum offload,
 * and TSO on top of it. The guest's receive side (GUEST_*) says what vnetd may
 * send it; its transmit side (CSUM/HOST_*) what it may send vnetd.
 */
static uint32_t vu_offload_caps(uint64_t f, unsigned csum, unsigned tso4, unsigned tso6,
				unsigned ecn)
{
	uint32_t c = 0;

	if (f & BIT(csum)) {
		c |= PORT_CAP_CSUM;
		if (f & BIT(tso4))
			c |= PORT_CAP_TSO4;
		if (f & BIT(tso6))
			c |= PORT_CAP_TSO6;
		if (f & BIT(ecn))
			c |= PORT_CAP_TSO_ECN;
	}
	return c;
}

static uint32_t vu_caps(uint64_t f)
{
	return vu_offload_caps(f, VIRTIO_NET_F_GUEST_CSUM, VIRTIO_NET_F_GUEST_TSO4,
			       VIRTIO_NET_F_GUEST_TSO6, VIRTIO_NET_F_GUEST_ECN);
}

static uint32_t vu_tx_offloads(uint64_t f)
{
	return vu_offload_caps(f, VIRTIO_NET_F_CSUM, VIRTIO_NET_F_HOST_TSO4, VIRTIO_NET_F_HOST_TSO6,
			       VIRTIO_NET_F_HOST_ECN);
}

/* apply the negotiated features to one ring */
static void vu_queue_features(struct vhost_user *vu, struct vu_queue *q)
{
	uint64_t f = vu->features;

	q->vq.event_idx = f & BIT(VIRTIO_RING_F_EVENT_IDX);
	q->vq.indirect = f & BIT(VIRTIO_RING_F_INDIRECT_DESC);
	q->vq.mrg_rxbuf = f & BIT(VIRTIO_NET_F_MRG_RXBUF);
	q->vq.hdr_size = (f & (BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_NET_F_MRG_RXBUF)))
				 ? sizeof(struct virtio_net_hdr_mrg_rxbuf)
				 : sizeof(struct virtio_net_hdr);
	q->vq.rx_caps = vu_caps(f);
	q->vq.tx_offloads = vu_tx_offloads(f);
}

static void vu_queue_reset(struct vhost_user *vu, struct vu_queue *q, uint16_t index)
{
	struct virtq_stats st = q->vq.st; /* counters outlive connections, like the port's */

	vu_unwatch(vu, &q->kick);
	close_fd(&q->vq.call_fd);
	close_fd(&q->err_fd);
	virtq_init(&q->vq, &vu->mem);
	q->vq.st = st;
	q->vu = vu;
	q->index = index;
	q->kick = (struct ev_source){ .fd = -1, .arg = q };
	q->kick_watched = false;
	q->err_fd = -1;
	q->num = 0;
	q->base = 0;
	memset(&q->addr, 0, sizeof(q->addr));
	q->addr_set = false;
	q->started = false;
	q->enabled = false;
	vu_queue_features(vu, q);
}

static bool vu_queue_running(const struct vu_queue *q)
{
	return q->started && q->enabled && virtq_ready(&q->vq);
}

/* (re)translate a ring's addresses; the indices are left alone */
static int vu_queue_map(struct vu_queue *q)
{
	int rc;

	virtq_unmap(&q->vq);
	if (!q->addr_set || !q->num)
		return -EINVAL;
	rc = virtq_map(&q->vq, q->num, q->addr.desc, q->addr.avail, q->addr.used);
	if (rc)
		return rc;
	q->vq.log_used = q->addr.flags & BIT(VHOST_VRING_F_LOG);
	q->vq.log_used_gpa = q->addr.log;
	return 0;
}

/* after the memory table changed: every ring must be translated again */
static void vu_remap_all(struct vhost_user *vu)
{
	for (unsigned i = 0; i < 2 * vu->cfg.n_pairs; i++) {
		struct vu_queue *q = &vu->q[i];

		if (!q->addr_set)
			continue;
		if (vu_queue_map(q) && q->started) {
			char d[32];

			snprintf(d, sizeof(d), "vring %u", i);
			vu_violation(vu, "running ring outside the new memory table", d);
		}
	}
}

static void vu_queue_stop(struct vhost_user *vu, struct vu_queue *q)
{
	if (q->started && virtq_ready(&q->vq)) {
		virtq_flush(&q->vq);
		q->base = q->vq.last_avail;
	}
	vu_unwatch(vu, &q->kick);
	q->kick_watched = false;
	q->started = false;
}

/* ---- connection ---------------------------------------------------------------------------- */

static void vu_conn_cb(struct ev_source *src, uint32_t events);

static void vu_msg_reset(struct vhost_user *vu)
{
	for (unsigned i = 0; i < vu->msg_nfds; i++)
		close_fd(&vu->msg_fds[i]);
	vu->msg_nfds = 0;
	vu->msg_got = 0;
}

/* forget everything the front-end set up (not the connection itself) */
static void vu_device_reset(struct vhost_user *vu)
{
	vu->features = 0;
	for (unsigned i = 0; i < VHOST_USER_VRINGS_MAX; i++)
		vu_queue_reset(vu, &vu->q[i], (uint16_t)i);
	vhost_mem_clear(&vu->mem);
	vhost_mem_log_clear(&vu->mem);
	vu->mem.logging = false;
	vu->features = 0;
	vu->guest_mtu = 0;
	vu->rarp_pending = false;
	vu->n_rxq = vu->n_txq = 0;
}

static void vu_conn_begin(struct vhost_user *vu, int fd)
{
	int rc;

	vu->conn = (struct ev_source){ .fd = fd, .cb = vu_conn_cb, .arg = vu };
	rc = evloop_add(&vu->port->dp->loop, &vu->conn, EPOLLIN | EPOLLRDHUP);
	if (rc) {
		err("port %s: cannot watch the vhost-user connection: %s", vu->port->name,
		    strerror(-rc));
		close_fd(&vu->conn.fd);
		return;
	}
	vu->n_connects++;
	vu->fail_streak = 0;
	vu->msg_got = 0;
	vu->msg_nfds = 0;
	vu->protocol_features = 0;
	vu->owner = false;
	vu_device_reset(vu);
	/* rate-limited: a local process could connect and disconnect in a loop */
	log_ratelimited(LOG_LVL_INFO, "port %s: vhost-user front-end connected (%s)",
			vu->port->name, vu->cfg.path);
	port_set_down(vu->port, "front-end connected; waiting for the guest to start its rings");
}

static void vu_schedule_reconnect(struct vhost_user *vu)
{
	struct itimerspec its = { 0 };

	if (!vu->cfg.client || vu->timer.fd < 0)
		return;
	its.it_value.tv_sec = vu->backoff_ms / 1000;
	its.it_value.tv_nsec = (long)(vu->backoff_ms % 1000) * 1000000;
	timerfd_settime(vu->timer.fd, 0, &its, NULL);
	vu->backoff_ms = MIN(vu->backoff_ms * 2, VU_BACKOFF_MAX_MS);
}

static void vu_client_connect(struct vhost_user *vu)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, e;

	if (vu->conn.fd >= 0)
		return;
	strcpy(sa.sun_path, vu->cfg.path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		e = errno;
		goto fail;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		vu_conn_begin(vu, fd);
		if (vu->conn.fd >= 0)
			return;
		e = EIO;
		goto fail;
	}
	e = errno;
	close(fd);
fail:
	vu->n_connect_failures++;
	vu->fail_streak++;
	port_set_down(vu->port, "connecting to %s: %s (retry in %u ms)", vu->cfg.path, strerror(e),
		      vu->backoff_ms);
	/* attempts 1, 2, 4, 8...: a VM that stays off does not fill the journal */
	if (!(vu->fail_streak & (vu->fail_streak - 1)))
		info("port %s: cannot connect to %s: %s (attempt %u)", vu->port->name, vu->cfg.path,
		     strerror(e), vu->fail_streak);
	vu_schedule_reconnect(vu);
}

static void vu_disconnect(struct vhost_user *vu, const char *why)
{
	bool violation = vu->reset_reason != NULL;

	if (vu->conn.fd < 0)
		return;
	vu_unwatch(vu, &vu->conn);
	vu_msg_reset(vu);
	vu_device_reset(vu);
	vu->protocol_features = 0;
	vu->owner = false;
	vu->n_disconnects++;
	vu->reset_reason = NULL;
	/* frames lent out would point into memory that is now gone: there are none (see top) */
	vu->n_lent = vu->n_live = vu->lent_next = 0;
	if (vu->cfg.client) {
		if (violation)
			vu->backoff_ms = MAX(vu->backoff_ms, VU_BACKOFF_VIOLATION_MS);
		port_set_down(vu->port, "%s; reconnecting to %s in %u ms", why, vu->cfg.path,
			      vu->backoff_ms);
		vu_schedule_reconnect(vu);
	} else {
		port_set_down(vu->port, "%s; waiting for a front-end on %s", why, vu->cfg.path);
	}
	log_ratelimited(LOG_LVL_INFO, "port %s: vhost-user front-end disconnected: %s",
			vu->port->name, why);
}

static void vu_listen_cb(struct ev_source *src, uint32_t events)
{
	struct vhost_user *vu = src->arg;
	int fd = accept4(src->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	(void)events;
	if (fd < 0)
		return;
	if (vu->conn.fd >= 0) {
		/* one front-end per port; a second one is turned away, the first keeps going */
		log_ratelimited(LOG_LVL_WARN, "port %s: refused a second vhost-user connection",
				vu->port->name);
		close(fd);
		return;
	}
	vu_conn_begin(vu, fd);
}

static void vu_timer_cb(struct ev_source *src, uint32_t events)
{
	struct vhost_user *vu = src->arg;
	uint64_t v;

	(void)events;
	if (read(src->fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return;
	vu_client_connect(vu);
}

/* ---- message handlers ---------------------------------------------------------------------- */

/*
 * A handler gets the message, the fds that came with it (it sets the ones
 * it keeps to -1; the dispatcher closes the rest) and a reply to fill in
 * when the request has one. Return: 0, or -errno (a negative REPLY_ACK);
 * protocol violations also call vu_violation().
 */
typedef int (*vu_handler_fn)(struct vhost_user *vu, struct vhost_user_msg *m, int *fds,
			     unsigned n_fds, struct vhost_user_msg *reply);

static uint64_t vu_offered_features(const struct vhost_user *vu)
{
	return VU_FEATURES | (vu->cfg.n_pairs > 1 ? BIT(VIRTIO_NET_F_MQ) : 0);
}

static struct vu_queue *vu_queue_by_index(struct vhost_user *vu, uint32_t index, const char *what)
{
	char d[64];

	if (index < 2 * vu->cfg.n_pairs)
		return &vu->q[index];
	snprintf(d, sizeof(d), "%s for vring %u of %u", what, index, 2 * vu->cfg.n_pairs);
	vu_violation(vu, "vring index out of range", d);
	return NULL;
}

static void reply_u64(struct vhost_user_msg *reply, uint64_t v)
{
	reply->hdr.size = sizeof(uint64_t);
	reply->payload.u64 = v;
}

static int vu_get_features(struct vhost_user *vu, struct vhost_user_msg *m, int *fds,
			   unsigned n_fds, struct vhost_user_msg *reply)
{
	(void)m, (void)fds, (void)n_fds;
	reply_u64(reply, vu_offered_features(vu));
	return 0;
}

static int vu_set_features(struct vhost_user *vu, struct vhost_user_msg *m, int *fds,
			   unsigned n_fds, struct vhost_user_msg *reply)
{
	uint64_t f = m->payload.u64;
	char d[48];

	(void)fds, (void)n_fds, (void)reply;
	if (f & ~vu_offered_features(vu)) {
		snprintf(d, sizeof(d), "0x%llx",
			 (unsigned long long)(f & ~vu_offered_features(vu)));
		vu_violation(vu, "front-end acked features we did not offer", d);
		return -EINVAL;
	}
	vu->features = f;
	vu->mem.logging = f & BIT(VHOST_F_LOG_ALL);
	for (unsigned i = 0; i < VHOST_USER_VRINGS_MAX; i++) {
		vu_queue_features(vu, &vu->q[i]);
		/* without protocol features rings start enabled (vhost-user.rst, "Ring states") */
		if (!(f & BIT(VHOST_USER_F_PROTOCOL_FEATURES)))
			vu->q[i].enabled = true;
	}
	vu->port->caps = vu_caps(f);
	return 0;
}

static int vu_get_protocol_features(struct vhost_user *vu, struct vhost_user_msg *m, int *fds,
				    unsigned n_fds, struct vhost_user_msg *reply)
{
	(void)vu, (void)m, (void)fds, (void)n_fds;
	reply_u64(reply, VU_PROTOCOL_FEATURES);
	return 0;
}

static int vu_set_protocol_features(struct vhost_user *vu, struct vhost_user_msg *m, int *fds,
				    unsigned n_fds, struct vhost_user_msg *reply)
{
	(void)fds, (void)n_fds, (void)reply;
	if (m->payload.u64 & ~VU_PROTOCOL_FEATURES) {
		vu_violation(vu, "front-end acked protocol features we did not offer", NULL);
		return -EINVAL;
	}
	vu->protocol_features = m->payload.u64;
	return 0;
}

static int vu_set_owner(struct vhost_user *vu, struct vhost_user_msg *m, int *fds, unsigned n_fds,
			struct vhost_user_msg *reply)
{
	(void)m, (void)fds, (void)n_fds, (void)reply;
	vu->owner = true;
	return 0;
}

/* RESET_OWNER (deprecated) and RESET_DEVICE: stop everything, keep the connection */
static int vu_reset(struct vhost_user *vu, struct vhost_user_msg *m, int *fds, unsigned n_fds,
		    struct vhost_user_msg *reply)
{
	(void)m, (void)fds, (void)n_fds, (void)reply;
	vu_device_reset(vu);
	return 0;
}

static int vu_add_region(struct vhost_user *vu, const struct vhost_user_region *r, int *fd)
{
	int rc = vhost_mem_add(&vu->mem, r->gpa, r->size, r->qva, r->mmap_offset, *fd);
	char d[96];

	*fd = -1; /* consumed either way */
	if (rc) {
		snprintf(d, sizeof(d), "gpa 0x%llx size 0x%llx offset 0x%llx: %s",
			 (unsigned long long)r->gpa, (unsigned long long)r->size,
			 (unsigned long long)r->mmap_offset, strerror(-rc));
		vu_violation(vu, "unusable memory region", d);
	}
	return rc;
}

static int vu_set_mem_table(struct vhost_user *vu, struct vhost_user_msg *m, int *fds,
			    unsigned n_fds, struct vhost_user_msg *reply)
{
	const struct vhost_user_memory *mem = &m->payload.memory;
	int rc = 0;

	(void)reply;
	if (m->hdr.size < 8 || mem->nregions == 0 || mem->nregions > VHOST_MEM_SET_TABLE_MAX ||
	    m->hdr.size != 8 + mem->nregions * sizeof(struct vhost_user_region) ||
	    n_fds != mem->nregions) {
		vu_violation(vu, "malformed SET_MEM_TABLE", NULL);
		return -EINVAL;
	}
	/* rings point into the old table: forget them until the new one is in */
	for (unsigned i = 0; i < VHOST_USER_VRINGS_MAX; i++)
		virtq_unmap(&vu->q[i].vq);
	vhost_mem_clear(&vu->mem);
	for (unsigned i = 0; i < mem->nregions && !rc; i++)
		rc = vu_add_region(vu, &mem->regions[i], &fds[i]);
	if (rc) {
		vhost_mem_clear(&vu->mem);
		return rc;
	}
	vu_remap_all(vu);
	return 0;
}

static int vu_get_max_mem_slots(struct vhost_user *vu, struct vhost_user_msg *m, int *fds,
				unsigned n_fds, struct vhost_user_msg *reply)
{
	(void)vu, (void)m, (void)fds, (void)n_fds;
	reply_u64(reply, VHOST_MEM_REGIONS_MAX);
	return 0;
}

static int vu_add_mem_reg(struct vhost_user *vu, struct vhost_user_msg *m, int *fds, unsigned n_fds,
			  struct vhost_user_msg *reply)
{
	int rc;

	(void)n_fds, (void)reply;
	rc = vu_add_region(vu, &m->payload.mem_reg.region, &fds[0]);
	if (rc)
		return rc;
	/* rings waiting for this region can be translated now */
	for (unsigned i = 0; i < 2 * vu->cfg.n_pairs; i++) {
		if (vu->q[i].addr_set && !vu->q[i].vq.desc)
			vu_queue_map(&vu->q[i]);
	}
	return 0;
}

static int vu_rem_mem_reg(struct vhost_user *vu, struct vhost_user_msg *m, int *fds, unsigned n_fds,
			  struct vhost_user_msg *reply)
{
	const struct vhost_user_region *r = &m->payload.mem_reg.region;
	int rc;

	(void)fds, (void)n_fds, (void)reply; /* an fd, if any, is closed unused (spec) */
	for (unsigned i = 0; i < VHOST_USER_VRINGS_MAX; i++)
		virtq_unmap(&vu->q[i].vq);
	rc = vhost_mem_remove(&vu->mem, r->gpa, r->size, r->qva);
	vu_remap_all(vu);
	return rc;
}

static int vu_set_log_base(struct vhost_user *vu, struct vhost_user_msg *m, int *fds,
			   unsigned n_fds, struct vhost_user_msg *reply)
{
	int rc;

	(void)n_fds;
	if (!(vu->protocol_features & BIT(VHOST_USER_PROTOCOL_F_LOG_SHMFD))) {
		vu_violation(vu, "SET_LOG_BASE without LOG_SHMFD", NULL);
		return -EINVAL;
	}
	rc = vhost_mem_log_set(&vu->mem, fds[0], m->payload.log.size, m->payload.log.offset);
	fds[0] = -1;
	/* with LOG_SHMFD the front-end always waits for this reply */
	reply_u64(reply, rc ? 1 : 0);
	if (rc)
		log_ratelimited(LOG_LVL_WARN, "port %s: cannot map the dirty log: %s",
				vu->port->name, strerror(-rc));
	return rc;
}

static int vu_set_log_fd(struct vhost_user *vu, struct vhost_user_msg *m, int *fds, unsigned n_fds,
			 struct vhost_user_msg *reply)
{
	/* only used without LOG_SHMFD to signal log updates; we never need it (fd closed) */
	(void)vu, (void)m, (void)fds, (void)n_fds, (void)reply;
	return 0;
}

static int vu_set_vring_num(struct vhost_user *vu, struct vhost_user_msg *m, int *fds,
			    unsigned n_fds, struct vhost_user_msg *reply)
{
	struct vu_queue *q = vu_queue_by_index(vu, m->payload.state.index, "SET_VRING_NUM");
	uint32_t num = m->payload.state.num;

	(void)fds, (void)n_fds, (void)reply;
	if (!q)
		return -EINVAL;
	if (num == 0 || num > VIRTQ_SIZE_MAX || (num & (num - 1))) {
		vu_violation(vu, "ring size is not a power of two up to 32768", NULL);
		return -EINVAL;
	}
	if (q->started)
		return -EBUSY;
	q->num = (uint16_t)(num == VIRTQ_SIZE_MAX ? VIRTQ_SIZE_MAX : num);
	if (q->addr_set)
		vu_queue_map(q);
	return 0;
}

static int vu_set_vring_addr(struct vhost_user *vu, struct vhost_user_msg *m, int *fds,
			     unsigned n_fds, struct vhost_user_msg *reply)
{
	struct vu_queue *q = vu_queue_by_index(vu, m->payload.addr.index, "SET_VRING_ADDR");

	(void)fds, (void)n_fds, (void)reply;
	if (!q)
		return -EINVAL;
	if (m->payload.addr.flags & ~BIT(VHOST_VRING_F_LOG)) {
		vu_violation(vu, "unknown vring address flags", NULL);
		return -EINVAL;
	}
	q->addr = m->payload.addr;
	q->addr_set = true;
	/* a running ring gets this when logging is switched on or off: indices stay */
	if (vu_queue_map(q) && q->started) {
		vu_violation(vu, "running ring moved outside guest memory", NULL);
		return -EFAULT;
	}
	return 0;
}

static int vu_set_vring_base(struct vhost_user *vu, struct vhost_user_msg *m, int *fds,
			     unsigned n_fds, struct vhost_user_msg *reply)
{
	struct vu_queue *q = vu_queue_by_index(vu, m->payload.state.index, "SET_VRING_BASE");

	(void)fds, (void)n_fds, (void)reply;
	if (!q)
		return -EINVAL;
	if (m->payload.state.num > UINT16_MAX) {
		vu_violation(vu, "vring base out of range (packed rings are not offered)", NULL);
		return -EINVAL;
	}
	if (q->started)
		return -EBUSY;
	q->base = (uint16_t)m->payload.state.num;
	return 0;
}

static int vu_get_vring_base(struct vhost_user *vu, struct vhost_user_msg *m, int *fds,
			     unsigned n_fds, struct vhost_user_msg *reply)
{
	struct vu_queue *q = vu_queue_by_index(vu, m->payload.state.index, "GET_VRING_BASE");

	(void)fds, (void)n_fds;
	if (!q)
		return -EINVAL;
	vu_queue_stop(vu, q);
	reply->hdr.size = sizeof(struct vhost_user_state);
	reply->payload.state.index = q->index;
	reply->payload.state.num = q->base;
	return 0;
}

static void vu_kick_cb(struct ev_source *src, uint32_t events);

/* the fd of SET_VRING_KICK/CALL/ERR: NULL-fd flag, fd count, eventfd, non-blocking */
static int vu_vring_fd(struct vhost_user *vu, struct vhost_user_msg *m, int *fds, unsigned n_fds,
		       struct vu_queue **qp, int *fd)
{
	uint64_t v = m->payload.u64;
	bool nofd = v & VHOST_USER_VRING_NOFD;

	*fd = -1;
	if (v & ~(uint64_t)(VHOST_USER_VRING_IDX_MASK | VHOST_USER_VRING_NOFD)) {
		vu_violation(vu, "unknown bits in a vring fd message", NULL);
		return -EINVAL;
	}
	*qp = vu_queue_by_index(vu, (uint32_t)(v & VHOST_USER_VRING_IDX_MASK), "vring fd");
	if (!*qp)
		return -EINVAL;
	if (nofd != (n_fds == 0)) {
		vu_violation(vu, "vring fd message with the wrong number of fds", NULL);
		return -EINVAL;
	}
	if (nofd)
		return 0;
	if (!fd_is_eventfd(fds[0])) {
		vu_violation(vu, "vring fd is not an eventfd", NULL);
		return -EINVAL;
	}
	if (fd_set_nonblock(fds[0]))
		return -EINVAL;
	*fd = fds[0];
	fds[0] = -1;
	return 0;
}

static int vu_set_vring_kick(struct vhost_user *vu, struct vhost_user_msg *m, int *fds,
			     unsigned n_fds, struct vhost_user_msg *reply)
{
	struct vu_queue *q;
	int fd, rc = vu_vring_fd(vu, m, fds, n_fds, &q, &fd);
	char d[32];

	(void)reply;
	if (rc)
		return rc;
	if (fd < 0) /* "use polling": we are event-driven; refuse rather than spin */
		return -EOPNOTSUPP;
	vu_queue_stop(vu, q);
	q->kick.fd = fd;
	q->kick.cb = vu_kick_cb;
	if (!q->vq.desc && vu_queue_map(q)) {
		snprintf(d, sizeof(d), "vring %u", q->index);
		vu_violation(vu, "ring started before valid addresses were given", d);
		return -EFAULT;
	}
	if (!virtq_start(&q->vq, q->base))
		info("port %s: vring %u: resuming at used index %u, not %u (buffers in flight "
		     "when the previous back-end stopped are redone)",
		     vu->port->name, q->index, q->vq.last_avail, q->base);
	q->started = true;
	if (q->index & 1) {
		rc = evloop_add(&vu->port->dp->loop, &q->kick, EPOLLIN);
		if (rc)
			return rc;
		q->kick_watched = true;
		vu_arm_repoll(vu); /* frames may be waiting already */
	} else {
		/* receive rings: we never wait for their kicks */
		virtq_kick_disable(&q->vq);
	}
	return 0;
}

static int vu_set_vring_call(struct vhost_user *vu, struct vhost_user_msg *m, int *fds,
			     unsigned n_fds, struct vhost_user_msg *reply)
{
	struct vu_queue *q;
	int fd, rc = vu_vring_fd(vu, m, fds, n_fds, &q, &fd);

	(void)reply;
	if (rc)
		return rc;
	close_fd(&q->vq.call_fd);
	q->vq.call_fd = fd;
	q->vq.signalled_valid = false;
	return 0;
}

static int vu_set_vring_err(struct vhost_user *vu, struct vhost_user_msg *m, int *fds,
			    unsigned n_fds, struct vhost_user_msg *reply)
{
	struct vu_queue *q;
	int fd, rc = vu_vring_fd(vu, m, fds, n_fds, &q, &fd);

	(void)reply;
	if (rc)
		return rc;
	close_fd(&q->err_fd);
	q->err_fd = fd;
	return 0;
}

static int vu_get_queue_num(struct vhost_user *vu, struct vhost_user_msg *m, int *fds,
			    unsigned n_fds, struct vhost_user_msg *reply)
{
	(void)m, (void)fds, (void)n_fds;
	reply_u64(reply, vu->cfg.n_pairs);
	return 0;
}

static int vu_set_vring_enable(struct vhost_user *vu, struct vhost_user_msg *m, int *fds,
			       unsigned n_fds, struct vhost_user_msg *reply)
{
	struct vu_queue *q = vu_queue_by_index(vu, m->payload.state.index, "SET_VRING_ENABLE");

	(void)fds, (void)n_fds, (void)reply;
	if (!q)
		return -EINVAL;
	if (m->payload.state.num > 1) {
		vu_violation(vu, "SET_VRING_ENABLE with a value other than 0 or 1", NULL);
		return -EINVAL;
	}
	q->enabled = m->payload.state.num;
	if (q->enabled && (q->index & 1))
		vu_arm_repoll(vu);
	return 0;
}

/* a RARP from @mac, broadcast into the switch so the MAC table learns the port at once */
static void vu_inject_rarp(struct vhost_user *vu, const uint8_t mac[static ETH_ALEN])
{
	struct port *p = vu->port;
	struct pkt *pk;
	uint8_t *f;

	if (!p->input || p->state != PORT_UP) {
		/* sent when the port comes up */
		memcpy(vu->rarp_mac, mac, ETH_ALEN);
		vu->rarp_pending = true;
		return;
	}
	vu->rarp_pending = false;
	pk = pkt_alloc(p->dp->pool);
	if (!pk) {
		port_count_drop(p, DROP_NO_BUFFERS, 1);
		return;
	}
	f = pk->data;
	memset(f, 0, ETH_ZLEN);
	memset(f, 0xff, ETH_ALEN);
	memcpy(f + 6, mac, ETH_ALEN);
	f[12] = 0x80; /* EtherType RARP */
	f[13] = 0x35;
	f[15] = 1; /* hardware type Ethernet */
	f[16] = 0x08; /* protocol IPv4 */
	f[18] = ETH_ALEN;
	f[19] = 4;
	f[21] = 3; /* reverse request */
	memcpy(f + 22, mac, ETH_ALEN);
	memcpy(f + 32, mac, ETH_ALEN);
	pk->size = ETH_ZLEN;
	vu->n_rarps++;
	p->input(p, &pk, 1); /* the switch gives it back through rx_done, which frees it */
}

static int vu_send_rarp(struct vhost_user *vu, struct vhost_user_msg *m, int *fds, unsigned n_fds,
			struct vhost_user_msg *reply)
{
	uint8_t mac[ETH_ALEN];

	(void)fds, (void)n_fds, (void)reply;
	memcpy(mac, m->payload.raw, ETH_ALEN);
	if (eth_is_multicast(mac) || eth_is_zero(mac))
		return -EINVAL;
	vu_inject_rarp(vu, mac);
	return 0;
}

static int vu_net_set_mtu(struct vhost_user *vu, struct vhost_user_msg *m, int *fds, unsigned n_fds,
			  struct vhost_user_msg *reply)
{
	(void)fds, (void)n_fds, (void)reply;
	if (m->payload.u64 < 68 || m->payload.u64 > PORT_MTU_MAX)
		return -EINVAL;
	vu->guest_mtu = (uint32_t)m->payload.u64;
	if (vu->guest_mtu > vu->port->mtu)
		log_ratelimited(LOG_LVL_WARN,
				"port %s: guest MTU %u is larger than the port's %u: long frames "
				"will be dropped",
				vu->port->name, vu->guest_mtu, vu->port->mtu);
	return 0;
}

#define VU_VAR (-1) /* the handler checks the payload size */

/**
 * struct vu_handler - how a request is checked and handled
 * @name:    for logs
 * @fn:      handler
 * @size:    exact payload bytes, or VU_VAR
 * @fds_min/@fds_max: fds the request may carry
 * @replies: the request has its own reply (REPLY_ACK adds none)
 */
struct vu_handler {
	const char *name;
	vu_handler_fn fn;
	int size;
	uint8_t fds_min, fds_max;
	bool replies;
};

static const struct vu_handler vu_handlers[VHOST_USER_REQUEST_MAX] = {
	[VHOST_USER_GET_FEATURES] = { "GET_FEATURES", vu_get_features, 0, 0, 0, true },
	[VHOST_USER_SET_FEATURES] = { "SET_FEATURES", vu_set_features, 8, 0, 0, false },
	[VHOST_USER_SET_OWNER] = { "SET_OWNER", vu_set_owner, 0, 0, 0, false },
	[VHOST_USER_RESET_OWNER] = { "RESET_OWNER", vu_reset, 0, 0, 0, false },
	[VHOST_USER_SET_MEM_TABLE] = { "SET_MEM_TABLE", vu_set_mem_table, VU_VAR, 1,
				       VHOST_MEM_SET_TABLE_MAX, false },
	[VHOST_USER_SET_LOG_BASE] = { "SET_LOG_BASE", vu_set_log_base,
				      sizeof(struct vhost_user_log), 1, 1, true },
	[VHOST_USER_SET_LOG_FD] = { "SET_LOG_FD", vu_set_log_fd, 0, 1, 1, false },
	[VHOST_USER_SET_VRING_NUM] = { "SET_VRING_NUM", vu_set_vring_num, 8, 0, 0, false },
	[VHOST_USER_SET_VRING_ADDR] = { "SET_VRING_ADDR", vu_set_vring_addr,
					sizeof(struct vhost_user_addr), 0, 0, false },
	[VHOST_USER_SET_VRING_BASE] = { "SET_VRING_BASE", vu_set_vring_base, 8, 0, 0, false },
	[VHOST_USER_GET_VRING_BASE] = { "GET_VRING_BASE", vu_get_vring_base, 8, 0, 0, true },
	[VHOST_USER_SET_VRING_KICK] = { "SET_VRING_KICK", vu_set_vring_kick, 8, 0, 1, false },
	[VHOST_USER_SET_VRING_CALL] = { "SET_VRING_CALL", vu_set_vring_call, 8, 0, 1, false },
	[VHOST_USER_SET_VRING_ERR] = { "SET_VRING_ERR", vu_set_vring_err, 8, 0, 1, false },
	[VHOST_USER_GET_PROTOCOL_FEATURES] = { "GET_PROTOCOL_FEATURES", vu_get_protocol_features, 0,
					       0, 0, true },
	[VHOST_USER_SET_PROTOCOL_FEATURES] = { "SET_PROTOCOL_FEATURES", vu_set_protocol_features, 8,
					       0, 0, false },
	[VHOST_USER_GET_QUEUE_NUM] = { "GET_QUEUE_NUM", vu_get_queue_num, 0, 0, 0, true },
	[VHOST_USER_SET_VRING_ENABLE] = { "SET_VRING_ENABLE", vu_set_vring_enable, 8, 0, 0, false },
	[VHOST_USER_SEND_RARP] = { "SEND_RARP", vu_send_rarp, 8, 0, 0, false },
	[VHOST_USER_NET_SET_MTU] = { "NET_SET_MTU", vu_net_set_mtu, 8, 0, 0, false },
	[VHOST_USER_RESET_DEVICE] = { "RESET_DEVICE", vu_reset, 0, 0, 0, false },
	[VHOST_USER_GET_MAX_MEM_SLOTS] = { "GET_MAX_MEM_SLOTS", vu_get_max_mem_slots, 0, 0, 0,
					   true },
	[VHOST_USER_ADD_MEM_REG] = { "ADD_MEM_REG", vu_add_mem_reg,
				     sizeof(struct vhost_user_mem_reg), 1, 1, false },
	[VHOST_USER_REM_MEM_REG] = { "REM_MEM_REG", vu_rem_mem_reg,
				     sizeof(struct vhost_user_mem_reg), 0, 1, false },
};

/* ---- message I/O --------------------------------------------------------------------------- */

static int vu_send(struct vhost_user *vu, struct vhost_user_msg *reply)
{
	size_t size = sizeof(reply->hdr) + reply->hdr.size;
	ssize_t n = send(vu->conn.fd, reply, size, MSG_DONTWAIT | MSG_NOSIGNAL);

	return n == (ssize_t)size ? 0 : -EIO;
}

static void vu_dispatch(struct vhost_user *vu)
{
	struct vhost_user_msg *m = &vu->msg;
	uint32_t req = m->hdr.request;
	const struct vu_handler *h = req < VHOST_USER_REQUEST_MAX ? &vu_handlers[req] : NULL;
	struct vhost_user_msg reply;
	bool need_ack = m->hdr.flags & VHOST_USER_NEED_REPLY;
	char d[64];
	int rc;

	vu->n_msgs++;
	reply.hdr = (struct vhost_user_hdr){ .request = req,
					     .flags = VHOST_USER_VERSION | VHOST_USER_REPLY };
	if (!h || !h->fn) {
		vu->n_bad_msgs++;
		log_ratelimited(LOG_LVL_INFO, "port %s: unsupported vhost-user request %u",
				vu->port->name, req);
		rc = -EOPNOTSUPP;
		goto ack;
	}
	if ((h->size != VU_VAR && m->hdr.size != (uint32_t)h->size) || vu->msg_nfds < h->fds_min ||
	    vu->msg_nfds > h->fds_max) {
		snprintf(d, sizeof(d), "%s with %u payload bytes and %u fds", h->name, m->hdr.size,
			 vu->msg_nfds);
		vu->n_bad_msgs++;
		vu_violation(vu, "malformed message", d);
		rc = -EINVAL;
		goto ack;
	}
	rc = h->fn(vu, m, vu->msg_fds, vu->msg_nfds, &reply);
	if (rc)
		log_ratelimited(LOG_LVL_INFO, "port %s: vhost-user %s failed: %s", vu->port->name,
				h->name, strerror(-rc));
	if (h->replies) {
		if (vu_send(vu, &reply))
			vu_violation(vu, "front-end does not read its replies", NULL);
		need_ack = false;
	}
ack:
	/* fds no handler took are closed here, whatever happened */
	vu_msg_reset(vu);
	if (need_ack) {
		reply_u64(&reply, rc ? 1 : 0);
		if (vu_send(vu, &reply))
			vu_violation(vu, "front-end does not read its replies", NULL);
	}
}

/*
 * vu_msg_read() - read more of the current message
 * Return: 1 when a whole message is in vu->msg, 0 when more is needed, or
 * -errno (connection closed or broken, or a malformed header: reset).
 */
static int vu_msg_read(struct vhost_user *vu)
{
	union {
		char buf[CMSG_SPACE(sizeof(int) * VHOST_USER_FDS_MAX)];
		struct cmsghdr align;
	} ctl;
	size_t hsize = sizeof(vu->msg.hdr);
	size_t want =
		vu->msg_got < hsize ? hsize - vu->msg_got : hsize + vu->msg.hdr.size - vu->msg_got;
	struct iovec iov = { (uint8_t *)&vu->msg + vu->msg_got, want };
	struct msghdr mh = { .msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl.buf) };
	bool too_many = false;
	ssize_t n;

	n = recvmsg(vu->conn.fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		unsigned nf;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		nf = (unsigned)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		for (unsigned i = 0; i < nf; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (vu->msg_nfds < VHOST_USER_FDS_MAX) {
				vu->msg_fds[vu->msg_nfds++] = fd;
			} else {
				close(fd);
				too_many = true;
			}
		}
	}
	if (n == 0)
		return -ECONNRESET;
	if (too_many || (mh.msg_flags & MSG_CTRUNC)) {
		vu_violation(vu, "message with more fds than the protocol allows", NULL);
		return -EPROTO;
	}
	vu->msg_got += (size_t)n;
	if (vu->msg_got == hsize) {
		if ((vu->msg.hdr.flags & VHOST_USER_VERSION_MASK) != VHOST_USER_VERSION ||
		    vu->msg.hdr.size > VHOST_USER_PAYLOAD_MAX) {
			vu_violation(vu, "message header with a bad version or size", NULL);
			return -EPROTO;
		}
	}
	if (vu->msg_got < hsize || vu->msg_got < hsize + vu->msg.hdr.size)
		return 0;
	return 1;
}

static void vu_reset_now(struct vhost_user *vu)
{
	char why[200];

	snprintf(why, sizeof(why), "reset: %s", vu->last_violation);
	vu_disconnect(vu, why);
	vu->reset_reason = NULL;
}

static void vu_conn_cb(struct ev_source *src, uint32_t events)
{
	struct vhost_user *vu = src->arg;

	for (unsigned i = 0; i < VU_MSGS_PER_WAKEUP && vu->conn.fd >= 0; i++) {
		int r = vu_msg_read(vu);

		if (r < 0) {
			if (vu->reset_reason)
				vu_reset_now(vu);
			else
				vu_disconnect(vu, r == -ECONNRESET
							  ? "front-end closed the connection"
							  : strerror(-r));
			return;
		}
		if (r == 0)
			break;
		vu_dispatch(vu);
		if (vu->reset_reason) {
			vu_reset_now(vu);
			return;
		}
		vu_update_state(vu);
	}
	if ((events & (EPOLLHUP | EPOLLERR)) && vu->conn.fd >= 0 && !(events & EPOLLIN))
		vu_disconnect(vu, "connection error");
}

/* ---- datapath ------------------------------------------------------------------------------ */

/* recompute the running queue lists and the port state */
static void vu_update_state(struct vhost_user *vu)
{
	struct port *p = vu->port;

	vu->n_rxq = vu->n_txq = 0;
	for (unsigned i = 0; i < vu->cfg.n_pairs; i++) {
		if (vu_queue_running(&vu->q[2 * i]))
			vu->rxq[vu->n_rxq++] = (uint8_t)(2 * i);
		if (vu_queue_running(&vu->q[2 * i + 1]))
			vu->txq[vu->n_txq++] = (uint8_t)(2 * i + 1);
	}
	if (vu->conn.fd >= 0 && !vu->reset_reason && vu->n_rxq && vu->n_txq) {
		if (p->state != PORT_UP) {
			p->caps = vu_caps(vu->features);
			port_set_up(p);
			vu->backoff_ms = VU_BACKOFF_MIN_MS;
			vu_arm_repoll(vu); /* frames the guest queued while we were down */
			if (vu->rarp_pending)
				vu_inject_rarp(vu, vu->rarp_mac);
			else if (vu->cfg.has_mac)
				vu_inject_rarp(vu, vu->cfg.mac);
		}
	} else if (p->state == PORT_UP) {
		port_set_down(p, "%s",
			      vu->conn.fd < 0 ? "no front-end"
					      : "the guest stopped or disabled its rings");
	}
}

static unsigned vhost_user_rx_burst(struct port *p, struct pkt **pkts, unsigned n)
{
	struct vhost_user *vu = p->priv;
	bool zc = vu->cfg.zerocopy && !vu->mem.logging;
	unsigned got = 0;

	if (unlikely(vu->reset_reason))
		return 0;
	n = MIN(n, VU_INFLIGHT_MAX - vu->n_lent);
	for (unsigned k = 0; k < vu->n_txq && got < n; k++) {
		uint8_t qi = vu->txq[(vu->rr + k) % vu->n_txq];
		struct vu_queue *q = &vu->q[qi];
		uint16_t heads[PKT_BATCH * 2];
		unsigned m = virtq_dequeue(&q->vq, p->dp->pool, pkts + got, heads,
					   MIN(n - got, ARRAY_SIZE(heads)), zc, p->stats.drops);

		for (unsigned i = 0; i < m; i++)
			vu->lent[vu->n_lent++] = (struct vu_lent){ pkts[got + i], heads[i], qi };
		vu->n_live += m;
		got += m;
		/* frames dropped in the walk were pushed already: publish them */
		if (q->vq.used_idx != q->vq.used_pub) {
			virtq_flush(&q->vq);
			virtq_notify(&q->vq);
		}
		if (!vu_check_queue(vu, q))
			break;
	}
	vu->rr++;
	return got;
}

static void vhost_user_rx_done(struct port *p, struct pkt **pkts, unsigned n)
{
	struct vhost_user *vu = p->priv;
	uint32_t touched = 0;

	for (unsigned i = 0; i < n && vu->n_live; i++) {
		struct pkt *pk = pkts[i];

		/* frames come back in the order lent: the search starts where the last one ended */
		for (unsigned k = 0, j = vu->lent_next; k < vu->n_lent; k++, j++) {
			struct vu_lent *l;

			if (j >= vu->n_lent)
				j = 0;
			l = &vu->lent[j];
			if (l->pkt != pk)
				continue;
			virtq_push(&vu->q[l->q].vq, l->head, 0);
			touched |= 1u << l->q;
			l->pkt = NULL;
			vu->lent_next = j + 1;
			if (--vu->n_live == 0)
				vu->n_lent = vu->lent_next = 0;
			break;
		}
	}
	/* a RARP we injected is not in the table: just freed */
	pkt_free_burst(p->dp->pool, pkts, n);
	for (unsigned qi = 0; touched; qi++, touched >>= 1) {
		if (!(touched & 1))
			continue;
		virtq_flush(&vu->q[qi].vq);
		virtq_notify(&vu->q[qi].vq);
	}
}

/* flow hash: MAC addresses, plus IPv4/IPv6 addresses when present, so a flow stays on one queue */
static uint32_t vu_flow_hash(const struct pkt *pk)
{
	const uint8_t *d = pk->data;
	uint32_t h = 2166136261u;
	size_t end = 2 * ETH_ALEN;
	uint16_t et;

	if (pk->size < ETH_HLEN)
		return 0;
	et = (uint16_t)(d[12] << 8 | d[13]);
	if (et == ETH_P_IP_ && pk->size >= ETH_HLEN + 20)
		end = ETH_HLEN + 20;
	else if (et == ETH_P_IPV6_ && pk->size >= ETH_HLEN + 40)
		end = ETH_HLEN + 40;
	for (size_t i = 0; i < end; i++) {
		if (i >= ETH_HLEN && i < ETH_HLEN + (et == ETH_P_IP_ ? 12 : 8))
			continue; /* skip the non-address part of the IP header */
		h = (h ^ d[i]) * 16777619u;
	}
	return h;
}

static unsigned vhost_user_tx_burst(struct port *p, struct pkt **pkts, const uint16_t *tci,
				    unsigned n)
{
	struct vhost_user *vu = p->priv;
	uint32_t touched = 0;
	unsigned sent = 0;

	if (unlikely(vu->reset_reason || !vu->n_rxq)) {
		port_count_drop(p, DROP_PORT_DOWN, n);
		return 0;
	}
	for (unsigned i = 0; i < n; i++) {
		struct pkt *pk = pkts[i];
		uint8_t qi = vu->n_rxq == 1 ? vu->rxq[0] : vu->rxq[vu_flow_hash(pk) % vu->n_rxq];
		struct vu_queue *q = &vu->q[qi];

		if (virtq_enqueue_one(&q->vq, pk, tci[i], p->stats.drops)) {
			sent++;
			touched |= 1u << qi;
			p->stats.tx_packets++;
			p->stats.tx_bytes += pk->size + (tci[i] ? VLAN_HLEN : 0);
			p->stats.tx_gso += pkt_is_gso(pk);
		} else if (!vu_check_queue(vu, q)) {
			port_count_drop(p, DROP_PORT_DOWN, n - i - 1);
			break;
		}
	}
	for (unsigned qi = 0; touched; qi++, touched >>= 1) {
		if (!(touched & 1))
			continue;
		virtq_flush(&vu->q[qi].vq);
		virtq_notify(&vu->q[qi].vq);
	}
	vu_check_memory(vu);
	return sent;
}

/* "started but disabled" transmit rings must be drained and their frames discarded */
static void vu_drain_disabled(struct vhost_user *vu)
{
	for (unsigned i = 0; i < vu->cfg.n_pairs; i++) {
		struct vu_queue *q = &vu->q[2 * i + 1];
		uint16_t head;
		unsigned k = 0;

		if (!q->started || q->enabled || !virtq_ready(&q->vq))
			continue;
		while (k++ < q->vq.num && virtq_pop(&q->vq, &head) == 1)
			virtq_push(&q->vq, head, 0);
		virtq_flush(&q->vq);
		virtq_notify(&q->vq);
		vu_check_queue(vu, q);
	}
}

/*
 * vu_service() - move frames from the guest, then decide how to wait:
 * re-poll at once (budget used up, or busy-poll window open), or enable
 * kicks and sleep. Runs from kicks and from the repoll eventfd only.
 */
static void vu_service(struct vhost_user *vu)
{
	struct port *p = vu->port;
	unsigned got = 0;
	bool more = false;
	uint64_t now;

	if (vu->reset_reason) {
		vu_reset_now(vu);
		return;
	}
	vu_drain_disabled(vu);
	if (p->state != PORT_UP) {
		/* frames wait in the ring until the port is up (vu_update_state re-polls then);
		 * polling now would spin */
		for (unsigned k = 0; k < vu->n_txq; k++)
			virtq_kick_enable(&vu->q[vu->txq[k]].vq);
		return;
	}
	got = port_poll(p, VU_POLL_BUDGET);
	vu_check_memory(vu);
	if (vu->reset_reason) {
		vu_reset_now(vu);
		return;
	}
	now = p->dp->now_ns ? p->dp->now_ns : now_ns();
	if (got)
		vu->busy_until_ns = now + (uint64_t)vu->cfg.busy_poll_us * 1000;
	for (unsigned k = 0; k < vu->n_txq; k++)
		more |= virtq_pending(&vu->q[vu->txq[k]].vq);
	if (more || got >= VU_POLL_BUDGET * PKT_BATCH || now < vu->busy_until_ns) {
		for (unsigned k = 0; k < vu->n_txq; k++)
			virtq_kick_disable(&vu->q[vu->txq[k]].vq);
		vu_arm_repoll(vu);
		return;
	}
	for (unsigned k = 0; k < vu->n_txq; k++) {
		if (virtq_kick_enable(&vu->q[vu->txq[k]].vq))
			vu_arm_repoll(vu); /* raced with the guest: no kick is coming */
	}
}

static void vu_kick_cb(struct ev_source *src, uint32_t events)
{
	struct vu_queue *q = src->arg;
	uint64_t v;

	(void)events;
	if (read(src->fd, &v, sizeof(v)) == sizeof(v))
		q->vq.st.kicks++;
	vu_service(q->vu);
}

static void vu_repoll_cb(struct ev_source *src, uint32_t events)
{
	struct vhost_user *vu = src->arg;
	uint64_t v;

	(void)events;
	if (read(src->fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return;
	vu->repoll_armed = false;
	vu_service(vu);
}

/* ---- open / close / info ------------------------------------------------------------------- */

/* mkdir -p of the socket's directory */
static int vu_make_dir(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	strcpy(dir, path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	for (char *s = dir + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

static int vu_listen(struct vhost_user *vu, char *err, size_t errsz)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	int fd, rc;

	rc = vu_make_dir(vu->cfg.path);
	if (rc) {
		snprintf(err, errsz, "cannot create the directory of %s: %s", vu->cfg.path,
			 strerror(-rc));
		return rc;
	}
	strcpy(sa.sun_path, vu->cfg.path);
	if (lstat(vu->cfg.path, &st) == 0) {
		int probe;

		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errsz, "%s exists and is not a socket", vu->cfg.path);
			return -EEXIST;
		}
		/* a socket someone still listens on is in use; a dead one is stale */
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			close(probe);
			snprintf(err, errsz, "%s is in use by another process", vu->cfg.path);
			return -EADDRINUSE;
		}
		if (probe >= 0)
			close(probe);
		unlink(vu->cfg.path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto err_errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    chmod(vu->cfg.path, vu->cfg.socket_mode) || listen(fd, 1) || stat(vu->cfg.path, &st))
		goto err_close;
	vu->sock_dev = st.st_dev;
	vu->sock_ino = st.st_ino;
	vu->listen = (struct ev_source){ .fd = fd, .cb = vu_listen_cb, .arg = vu };
	rc = evloop_add(&vu->port->dp->loop, &vu->listen, EPOLLIN);
	if (rc) {
		errno = -rc;
		goto err_unlink;
	}
	return 0;

err_unlink:
	unlink(vu->cfg.path);
err_close:
	rc = -errno;
	close(fd);
	snprintf(err, errsz, "cannot listen on %s: %s", vu->cfg.path, strerror(-rc));
	return rc;
err_errno:
	rc = -errno;
	snprintf(err, errsz, "cannot listen on %s: %s", vu->cfg.path, strerror(-rc));
	return rc;
}

static void vu_free(struct vhost_user *vu)
{
	struct stat st;

	vu_unwatch(vu, &vu->conn);
	vu_msg_reset(vu);
	vu_device_reset(vu);
	vu_unwatch(vu, &vu->timer);
	vu_unwatch(vu, &vu->repoll);
	if (vu->listen.fd >= 0) {
		vu_unwatch(vu, &vu->listen);
		/* remove the socket only if it is still the one we made */
		if (lstat(vu->cfg.path, &st) == 0 && st.st_dev == vu->sock_dev &&
		    st.st_ino == vu->sock_ino)
			unlink(vu->cfg.path);
	}
	free(vu);
}

static int vhost_user_open(struct port *p, struct kv_list *opts, char *err, size_t errsz)
{
	struct vhost_user *vu;
	int rc;

	vu = calloc(1, sizeof(*vu));
	if (!vu) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	rc = vu_parse_opts(opts, &vu->cfg, err, errsz);
	if (rc) {
		free(vu);
		return rc;
	}
	vu->port = p;
	vu->listen.fd = vu->conn.fd = vu->timer.fd = vu->repoll.fd = -1;
	vu->backoff_ms = VU_BACKOFF_MIN_MS;
	for (unsigned i = 0; i < VHOST_USER_FDS_MAX; i++)
		vu->msg_fds[i] = -1;
	vhost_mem_init(&vu->mem);
	for (unsigned i = 0; i < VHOST_USER_VRINGS_MAX; i++) {
		vu->q[i].kick.fd = -1;
		vu->q[i].vq.call_fd = -1;
		vu->q[i].err_fd = -1;
	}
	vu_device_reset(vu);
	p->priv = vu;
	p->caps = 0;

	vu->repoll = (struct ev_source){ .fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC),
					 .cb = vu_repoll_cb,
					 .arg = vu };
	if (vu->repoll.fd < 0 || (rc = evloop_add(&p->dp->loop, &vu->repoll, EPOLLIN))) {
		rc = vu->repoll.fd < 0 ? -errno : rc;
		snprintf(err, errsz, "cannot create an eventfd: %s", strerror(-rc));
		goto err;
	}
	if (vu->cfg.client) {
		vu->timer = (struct ev_source){ .fd = timerfd_create(CLOCK_MONOTONIC,
								     TFD_NONBLOCK | TFD_CLOEXEC),
						.cb = vu_timer_cb,
						.arg = vu };
		if (vu->timer.fd < 0 || (rc = evloop_add(&p->dp->loop, &vu->timer, EPOLLIN))) {
			rc = vu->timer.fd < 0 ? -errno : rc;
			snprintf(err, errsz, "cannot create a timerfd: %s", strerror(-rc));
			goto err;
		}
		port_set_down(p, "connecting to %s", vu->cfg.path);
		vu_client_connect(vu);
	} else {
		rc = vu_listen(vu, err, errsz);
		if (rc)
			goto err;
		port_set_down(p, "waiting for a front-end on %s", vu->cfg.path);
	}
	return 0;

err:
	vu_free(vu);
	p->priv = NULL;
	return rc;
}

static void vhost_user_close(struct port *p)
{
	struct vhost_user *vu = p->priv;

	if (!vu)
		return;
	vu_free(vu);
	p->priv = NULL;
}

static int vhost_user_reconfigure(struct port *p, struct kv_list *opts, char *err, size_t errsz)
{
	struct vhost_user *vu = p->priv;
	struct kv_list merged = p->opts;
	struct vu_cfg c;
	int rc;

	for (unsigned i = 0; i < opts->n; i++) {
		const char *k = opts->kv[i].key;

		if (strcmp(k, "zerocopy") && strcmp(k, "busy_poll_us")) {
			snprintf(err, errsz,
				 "option '%s' of a vhost-user port cannot change at run time; "
				 "delete and re-add the port",
				 k);
			return -EOPNOTSUPP;
		}
		kv_set(&merged, k, opts->kv[i].val);
		kv_get(opts, k);
	}
	merged.used = 0;
	rc = vu_parse_opts(&merged, &c, err, errsz);
	if (rc)
		return rc;
	vu->cfg.zerocopy = c.zerocopy;
	vu->cfg.busy_poll_us = c.busy_poll_us;
	return 0;
}

static void vhost_user_info(struct port *p, json_t *obj)
{
	struct vhost_user *vu = p->priv;
	json_t *names = json_array(), *vrings = json_array();
	char hex[24], mac[18];
	unsigned enabled = 0;

	for (unsigned b = 0; b < 64; b++) {
		if ((vu->features & BIT(b)) && vu_feature_names[b])
			json_array_append_new(names, json_string(vu_feature_names[b]));
	}
	for (unsigned i = 0; i < 2 * vu->cfg.n_pairs; i++) {
		const struct vu_queue *q = &vu->q[i];
		const struct virtq_stats *s = &q->vq.st;

		enabled += (i & 1) && vu_queue_running(q) && vu_queue_running(&vu->q[i - 1]);
		json_array_append_new(
			vrings,
			json_pack(
				"{s:i, s:s, s:i, s:b, s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
				"index", (int)i, "dir", i & 1 ? "tx" : "rx", "size", (int)q->num,
				"started", q->started, "enabled", q->enabled, "packets",
				(json_int_t)s->packets, "bytes", (json_int_t)s->bytes, "zerocopy",
				(json_int_t)s->zerocopy, "copied", (json_int_t)s->copied, "kicks",
				(json_int_t)s->kicks, "notifies", (json_int_t)s->notifies,
				"no_room", (json_int_t)s->no_room, "dropped",
				(json_int_t)s->dropped));
	}
	snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)vu->features);
	json_object_set_new(obj, "mode", json_string(vu->cfg.client ? "client" : "server"));
	json_object_set_new(obj, "path", json_string(vu->cfg.path));
	json_object_set_new(obj, "connected", json_boolean(vu->conn.fd >= 0));
	json_object_set_new(obj, "negotiated_features", json_string(hex));
	json_object_set_new(obj, "features", names);
	snprintf(hex, sizeof(hex), "0x%llx", (unsigned long long)vu->protocol_features);
	json_object_set_new(obj, "protocol_features", json_string(hex));
	json_object_set_new(obj, "queues", json_integer(vu->cfg.n_pairs));
	json_object_set_new(obj, "queues_running", json_integer(enabled));
	json_object_set_new(obj, "vrings", vrings);
	json_object_set_new(obj, "zerocopy", json_boolean(vu->cfg.zerocopy));
	json_object_set_new(obj, "busy_poll_us", json_integer(vu->cfg.busy_poll_us));
	json_object_set_new(obj, "logging", json_boolean(vu->mem.logging));
	json_object_set_new(obj, "memory_regions", json_integer(vu->mem.n));
	if (vu->guest_mtu)
		json_object_set_new(obj, "guest_mtu", json_integer(vu->guest_mtu));
	if (vu->cfg.has_mac)
		json_object_set_new(obj, "mac", json_string(eth_mac_format(vu->cfg.mac, mac)));
	json_object_set_new(obj, "violations", json_integer((json_int_t)vu->n_violations));
	json_object_set_new(obj, "last_violation", json_string(vu->last_violation));
	/* an object, so the one-line text of port/list stays readable */
	json_object_set_new(obj, "counters",
			    json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "connects",
				      (json_int_t)vu->n_connects, "disconnects",
				      (json_int_t)vu->n_disconnects, "connect_failures",
				      (json_int_t)vu->n_connect_failures, "messages",
				      (json_int_t)vu->n_msgs, "bad_messages",
				      (json_int_t)vu->n_bad_msgs, "rarps", (json_int_t)vu->n_rarps,
				      "dirty_log_writes", (json_int_t)vu->mem.log_writes));
}

const struct port_ops vhost_user_port_ops = {
	.type = "vhost-user",
	.help = "mode=server|client path=SOCKET [queues=1..16] [mac=MAC] [socket_mode=0660] "
		"[zerocopy=on|off] [busy_poll_us=50]",
	.validate = vhost_user_validate,
	.open = vhost_user_open,
	.close = vhost_user_close,
	.rx_burst = vhost_user_rx_burst,
	.rx_done = vhost_user_rx_done,
	.tx_burst = vhost_user_tx_burst,
	.reconfigure = vhost_user_reconfigure,
	.info = vhost_user_info,
	.vm_facing = true,
};
