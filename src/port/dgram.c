// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dgram.c - dgram ports: QEMU's -netdev dgram over unix datagram sockets.
 *
 * Theory of operation
 * -------------------
 * QEMU's dgram netdev binds a local socket and sends each frame as one
 * datagram to a remote one, with no header. The port is its mirror: vnetd
 * binds path= and sends to peer=, which QEMU binds (local.path=PEER,
 * remote.path=PATH). There is no connection: the port is up from the start,
 * and frames sent while QEMU is not there are dropped as PORT_DOWN.
 *
 * Anyone allowed to write to path= could send us datagrams, so each one's
 * source address must be peer=; others are dropped and counted. The socket
 * file is born 0600. Receive and transmit are one recvmmsg()/sendmmsg() per
 * burst, straight into and out of pool buffers (no copy); a datagram longer
 * than the largest frame is truncated by the kernel (MSG_TRUNC), dropped and
 * counted.
 *
 * A unix datagram socket queues at most net.unix.max_dgram_qlen (10)
 * datagrams for its reader, far fewer than a burst, and a sender that is
 * not connected cannot wait for room: it gets EAGAIN and can only drop. So
 * the port connect()s its socket to peer= (then epoll reports when QEMU's
 * queue has room again) and keeps what QEMU cannot take yet in a bounded
 * backlog (DGRAM_BACKLOG bytes, records of length + frame) that EPOLLOUT
 * drains in order; frames that do not fit are dropped and counted
 * (TX_FULL). A peer that never reads costs the backlog and nothing more,
 * and vnetd never blocks. When QEMU goes away (ECONNREFUSED on a socket
 * whose peer closed) the backlog is discarded and the port connects again,
 * to whichever socket then has the path, at most every DGRAM_RETRY_MS;
 * meanwhile frames are dropped as PORT_DOWN.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>
#include <jansson.h>

#include "../base/log.h"
#include "../base/util.h"
#include "../net/eth.h"
#include "dgram.h"
#include "stream.h"

#define DGRAM_POLL_BUDGET 8 /* bursts per wakeup before yielding to other fds */
#define DGRAM_BACKLOG (512 * 1024) /* bytes held while QEMU's receive queue is full */
#define DGRAM_REC_HDR sizeof(uint32_t) /* a backlog record: frame length, then the frame */
#define DGRAM_RETRY_MS 100 /* least time between connect() attempts to peer= */
#define DGRAM_PATH_MAX sizeof(((struct sockaddr_un *)0)->sun_path)

/**
 * struct dgram - state of one dgram port
 * @ev:       the bound socket in the loop
 * @path:     our socket (bound here)
 * @peer:     QEMU's socket (where frames go, and the only accepted source)
 * @peer_sa:  @peer as an address
 * @sock_dev/@sock_ino: the socket file we made, removed at close only if still ours
 * @n_foreign: datagrams from another source, dropped
 * @n_truncated: datagrams longer than a frame, dropped
 * @n_no_peer: frames not sent because QEMU's socket is not there
 * @connected: the socket is connected to peer=
 * @last_try_ns: last connect() attempt
 * @txq:      backlog, bytes @txq_head..@txq_tail of DGRAM_BACKLOG
 * @events:   epoll events watched
 * @n_backlog_max/@n_backlog_discarded: backlog high-water mark, bytes thrown away
 */
struct dgram {
	struct ev_source ev;
	char path[DGRAM_PATH_MAX];
	char peer[DGRAM_PATH_MAX];
	struct sockaddr_un peer_sa;
	dev_t sock_dev;
	ino_t sock_ino;
	uint64_t n_foreign, n_truncated, n_no_peer, n_rx_errors, n_tx_errors;
	bool connected;
	uint64_t last_try_ns;
	uint8_t *txq;
	size_t txq_head, txq_tail;
	uint32_t events;
	uint64_t n_backlog_max, n_backlog_discarded;
};

static void dgram_flush(struct port *p, struct dgram *d);

static bool dgram_path_ok(const char *s)
{
	return s && *s && strlen(s) < DGRAM_PATH_MAX;
}

static int dgram_parse(struct kv_list *opts, struct dgram *d, char *err, size_t errsz)
{
	const char *path = kv_get(opts, "path"), *peer = kv_get(opts, "peer");

	if (!dgram_path_ok(path) || !dgram_path_ok(peer)) {
		snprintf(err, errsz,
			 "give path=PATH (vnetd's socket) and peer=PATH (QEMU's), each 1..%zu "
			 "characters",
			 DGRAM_PATH_MAX - 1);
		return -EINVAL;
	}
	if (!strcmp(path, peer)) {
		snprintf(err, errsz, "path= and peer= must differ");
		return -EINVAL;
	}
	if (d) {
		strcpy(d->path, path);
		strcpy(d->peer, peer);
		d->peer_sa.sun_family = AF_UNIX;
		strcpy(d->peer_sa.sun_path, peer);
	}
	return 0;
}

static int dgram_validate(struct kv_list *opts, char *err, size_t errsz)
{
	return dgram_parse(opts, NULL, err, errsz);
}

static void dgram_event(struct ev_source *src, uint32_t events)
{
	struct port *p = src->arg;

	if (events & EPOLLOUT)
		dgram_flush(p, p->priv);
	if (events & (EPOLLIN | EPOLLERR))
		port_poll(p, DGRAM_POLL_BUDGET);
}

static int dgram_bind(struct dgram *d, char *err, size_t errsz)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old_mask;
	int fd, rc;

	strcpy(sa.sun_path, d->path);
	if (lstat(d->path, &st) == 0) {
		int probe;

		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errsz, "%s exists and is not a socket", d->path);
			return -EEXIST;
		}
		/* a bound datagram socket accepts a connect(); a dead one refuses it */
		probe = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (probe >= 0 && connect(probe, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			close(probe);
			snprintf(err, errsz, "%s is in use by another process", d->path);
			return -EADDRINUSE;
		}
		if (probe >= 0)
			close(probe);
		unlink(d->path);
	}
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto err;
	/* only the owner (and root) may send to it, from the moment it exists */
	old_mask = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old_mask);
	if (rc)
		goto err_close;
	if (stat(d->path, &st)) {
		rc = -errno;
		unlink(d->path);
		errno = -rc;
		goto err_close;
	}
	d->sock_dev = st.st_dev;
	d->sock_ino = st.st_ino;
	return fd;
err_close:
	rc = errno;
	close(fd);
	errno = rc;
err:
	rc = -errno;
	snprintf(err, errsz, "cannot bind %s: %s%s", d->path, strerror(-rc),
		 rc == -EACCES ? " (a directory the user may write to, e.g. $XDG_RUNTIME_DIR)"
			       : "");
	return rc;
}

static void dgram_free(struct port *p, struct dgram *d)
{
	struct stat st;

	if (d->ev.fd >= 0) {
		evloop_del(&p->dp->loop, &d->ev);
		close(d->ev.fd);
		if (lstat(d->path, &st) == 0 && st.st_dev == d->sock_dev &&
		    st.st_ino == d->sock_ino)
			unlink(d->path);
	}
	free(d->txq);
	free(d);
}

static int dgram_open(struct port *p, struct kv_list *opts, char *err, size_t errsz)
{
	struct dgram *d = calloc(1, sizeof(*d));
	int rc;

	if (!d) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	d->ev.fd = -1;
	rc = dgram_parse(opts, d, err, errsz);
	if (rc)
		goto fail;
	d->txq = malloc(DGRAM_BACKLOG);
	if (!d->txq) {
		snprintf(err, errsz, "out of memory");
		rc = -ENOMEM;
		goto fail;
	}
	rc = dgram_bind(d, err, errsz);
	if (rc < 0)
		goto fail;
	d->ev = (struct ev_source){ .fd = rc, .cb = dgram_event, .arg = p };
	d->events = EPOLLIN;
	rc = evloop_add(&p->dp->loop, &d->ev, d->events);
	if (rc) {
		snprintf(err, errsz, "epoll: %s", strerror(-rc));
		goto fail;
	}
	p->priv = d;
	p->caps = 0; /* no virtio-net header on this wire: the switch completes offloads */
	port_set_up(p);
	return 0;
fail:
	dgram_free(p, d);
	return rc;
}

static void dgram_close(struct port *p)
{
	if (p->priv)
		dgram_free(p, p->priv);
	p->priv = NULL;
}

/* Is @sa (@len bytes, from recvmmsg) QEMU's socket? */
static bool dgram_from_peer(const struct dgram *d, const struct sockaddr_un *sa, socklen_t len)
{
	size_t off = offsetof(struct sockaddr_un, sun_path);

	if (len <= off || sa->sun_family != AF_UNIX)
		return false;
	return strnlen(sa->sun_path, len - off) == strlen(d->peer) &&
	       !memcmp(sa->sun_path, d->peer, strlen(d->peer));
}

static unsigned dgram_rx_burst(struct port *p, struct pkt **pkts, unsigned n)
{
	struct dgram *d = p->priv;
	struct pkt *bufs[PKT_BATCH];
	struct mmsghdr msgs[PKT_BATCH];
	struct iovec iov[PKT_BATCH];
	struct sockaddr_un from[PKT_BATCH];
	unsigned got = 0, m = pkt_alloc_burst(p->dp->pool, bufs, MIN(n, PKT_BATCH));
	int r;

	if (!m) {
		port_count_drop(p, DROP_NO_BUFFERS, 1);
		return 0;
	}
	for (unsigned i = 0; i < m; i++) {
		iov[i] = (struct iovec){ bufs[i]->data, STREAM_FRAME_MAX };
		msgs[i].msg_hdr = (struct msghdr){ .msg_name = &from[i],
						   .msg_namelen = sizeof(from[i]),
						   .msg_iov = &iov[i],
						   .msg_iovlen = 1 };
	}
	r = recvmmsg(d->ev.fd, msgs, m, MSG_DONTWAIT, NULL);
	if (r < 0) {
		if (errno != EAGAIN && errno != EINTR) {
			d->n_rx_errors++;
			log_ratelimited(LOG_LVL_WARN, "port %s: recvmmsg: %s", p->name,
					strerror(errno));
		}
		r = 0;
	}
	for (unsigned i = 0; i < m; i++) {
		if (i >= (unsigned)r) {
			pkt_free(p->dp->pool, bufs[i]);
			continue;
		}
		if (!dgram_from_peer(d, &from[i], msgs[i].msg_hdr.msg_namelen)) {
			d->n_foreign++;
			port_count_drop(p, DROP_RX_ERROR, 1);
			log_ratelimited(LOG_LVL_WARN,
					"port %s: datagram from a socket other than %s", p->name,
					d->peer);
		} else if (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) {
			d->n_truncated++;
			port_count_drop(p, DROP_OVERSIZE, 1);
		} else if (msgs[i].msg_len < ETH_HLEN) {
			port_count_drop(p, DROP_RUNT, 1);
		} else {
			bufs[i]->size = msgs[i].msg_len;
			pkts[got++] = bufs[i];
			continue;
		}
		pkt_free(p->dp->pool, bufs[i]);
	}
	return got;
}

static void dgram_watch(struct port *p, struct dgram *d, uint32_t events)
{
	if (events != d->events && evloop_mod(&p->dp->loop, &d->ev, events) == 0)
		d->events = events;
}

static bool dgram_peer_gone(int e)
{
	return e == ECONNREFUSED || e == ENOTCONN || e == ENOENT || e == ECONNRESET;
}

/* QEMU's socket went away: drop the backlog, connect again on the next send. */
static void dgram_lost_peer(struct port *p, struct dgram *d)
{
	d->connected = false;
	d->n_backlog_discarded += d->txq_tail - d->txq_head;
	d->txq_head = d->txq_tail = 0;
	dgram_watch(p, d, EPOLLIN);
	log_ratelimited(LOG_LVL_INFO, "port %s: %s went away; frames wait for it to return",
			p->name, d->peer);
}

/* Connected to peer=? Tries connect() at most every DGRAM_RETRY_MS. */
static bool dgram_connect(struct port *p, struct dgram *d)
{
	uint64_t now = p->dp->now_ns;

	if (d->connected)
		return true;
	if (d->last_try_ns && now - d->last_try_ns < DGRAM_RETRY_MS * 1000000ull)
		return false;
	d->last_try_ns = now ? now : 1;
	if (connect(d->ev.fd, (struct sockaddr *)&d->peer_sa, sizeof(d->peer_sa)))
		return false;
	d->connected = true;
	return true;
}

static void dgram_tx_failed(struct port *p, struct dgram *d, int e)
{
	d->n_tx_errors++;
	port_count_drop(p, DROP_TX_ERROR, 1);
	log_ratelimited(LOG_LVL_WARN, "port %s: sending to %s: %s", p->name, d->peer, strerror(e));
}

/* Room for @n more bytes at the backlog's tail, compacting if that makes it fit. */
static bool dgram_txq_room(struct dgram *d, size_t n)
{
	size_t used = d->txq_tail - d->txq_head;

	if (DGRAM_BACKLOG - d->txq_tail >= n)
		return true;
	if (DGRAM_BACKLOG - used < n)
		return false;
	memmove(d->txq, d->txq + d->txq_head, used);
	d->txq_tail = used;
	d->txq_head = 0;
	return true;
}

/* Queue one frame (its iovec) behind the others. Return: false when it does not fit. */
static bool dgram_txq_put(struct dgram *d, const struct iovec *iov, unsigned niov)
{
	uint32_t len = 0;

	for (unsigned i = 0; i < niov; i++)
		len += (uint32_t)iov[i].iov_len;
	if (!dgram_txq_room(d, DGRAM_REC_HDR + len))
		return false;
	memcpy(d->txq + d->txq_tail, &len, DGRAM_REC_HDR);
	d->txq_tail += DGRAM_REC_HDR;
	for (unsigned i = 0; i < niov; i++) {
		memcpy(d->txq + d->txq_tail, iov[i].iov_base, iov[i].iov_len);
		d->txq_tail += iov[i].iov_len;
	}
	d->n_backlog_max = MAX(d->n_backlog_max, d->txq_tail - d->txq_head);
	return true;
}

/* Send the backlog in order, a batch of records per sendmmsg(), until QEMU's queue is full. */
static void dgram_flush(struct port *p, struct dgram *d)
{
	struct mmsghdr msgs[PKT_BATCH];
	struct iovec iov[PKT_BATCH];

	while (d->txq_head < d->txq_tail) {
		size_t off = d->txq_head, ends[PKT_BATCH];
		unsigned m = 0;
		int r;

		while (m < PKT_BATCH && off < d->txq_tail) {
			uint32_t len;

			memcpy(&len, d->txq + off, DGRAM_REC_HDR);
			iov[m] = (struct iovec){ d->txq + off + DGRAM_REC_HDR, len };
			msgs[m].msg_hdr = (struct msghdr){ .msg_iov = &iov[m], .msg_iovlen = 1 };
			off += DGRAM_REC_HDR + len;
			ends[m++] = off;
		}
		r = sendmmsg(d->ev.fd, msgs, m, MSG_DONTWAIT);
		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			if (dgram_peer_gone(errno)) {
				dgram_lost_peer(p, d);
				return;
			}
			dgram_tx_failed(p, d, errno); /* the first record: skip it */
			r = 1;
		}
		d->txq_head = ends[r - 1];
	}
	if (d->txq_head == d->txq_tail)
		d->txq_head = d->txq_tail = 0;
	dgram_watch(p, d, EPOLLIN | (d->txq_head < d->txq_tail ? EPOLLOUT : 0));
}

/* The iovec of one frame with @tci spliced in after the MAC addresses. Return: entries used. */
static unsigned dgram_tx_iov(const struct pkt *pk, uint16_t tci, struct vlan_hdr *tag,
			     struct iovec *iov)
{
	if (!tci || pk->size < 2 * ETH_ALEN) {
		iov[0] = (struct iovec){ pk->data, pk->size };
		return 1;
	}
	tag->tci = htons(ETH_P_8021Q_); /* struct vlan_hdr read as TPID, TCI */
	tag->type = htons(tci);
	iov[0] = (struct iovec){ pk->data, 2 * ETH_ALEN };
	iov[1] = (struct iovec){ tag, sizeof(*tag) };
	iov[2] = (struct iovec){ pk->data + 2 * ETH_ALEN, pk->size - 2 * ETH_ALEN };
	return 3;
}

static unsigned dgram_tx_burst(struct port *p, struct pkt **pkts, const uint16_t *tci, unsigned n)
{
	struct dgram *d = p->priv;
	struct vlan_hdr tag[PKT_BATCH];
	struct mmsghdr msgs[PKT_BATCH];
	struct iovec iov[PKT_BATCH][3];
	unsigned done = 0, sent = 0;

	if (!dgram_connect(p, d)) {
		d->n_no_peer += n;
		port_count_drop(p, DROP_PORT_DOWN, n);
		return 0;
	}
	while (done < n) {
		unsigned m = 0, i = 0, k;

		for (k = done; k < n && m < PKT_BATCH; k++) {
			if (pkts[k]->size + (tci[k] ? VLAN_HLEN : 0) > STREAM_FRAME_MAX) {
				port_count_drop(p, DROP_OVERSIZE, 1);
				continue;
			}
			msgs[m].msg_hdr =
				(struct msghdr){ .msg_iov = iov[m],
						 .msg_iovlen = dgram_tx_iov(pkts[k], tci[k],
									    &tag[m], iov[m]) };
			m++;
		}
		done = k;
		/* straight to QEMU while nothing waits; behind the backlog otherwise */
		while (i < m && d->txq_head == d->txq_tail) {
			int r = sendmmsg(d->ev.fd, msgs + i, m - i, MSG_DONTWAIT);

			if (r < 0) {
				if (errno == EAGAIN || errno == EINTR || errno == ENOBUFS)
					break;
				if (dgram_peer_gone(errno)) {
					dgram_lost_peer(p, d);
					d->n_no_peer += (m - i) + (n - done);
					port_count_drop(p, DROP_PORT_DOWN, (m - i) + (n - done));
					return sent;
				}
				dgram_tx_failed(p, d, errno);
				i++;
				continue;
			}
			for (unsigned j = i; j < i + (unsigned)r; j++) {
				p->stats.tx_packets++;
				p->stats.tx_bytes += msgs[j].msg_len;
			}
			sent += (unsigned)r;
			i += (unsigned)r;
		}
		for (; i < m; i++) {
			const struct msghdr *h = &msgs[i].msg_hdr;

			if (!dgram_txq_put(d, h->msg_iov, (unsigned)h->msg_iovlen)) {
				port_count_drop(p, DROP_TX_FULL, 1);
				continue;
			}
			sent++;
			p->stats.tx_packets++;
			for (unsigned j = 0; j < h->msg_iovlen; j++)
				p->stats.tx_bytes += h->msg_iov[j].iov_len;
		}
	}
	if (d->txq_head < d->txq_tail)
		dgram_watch(p, d, EPOLLIN | EPOLLOUT);
	return sent;
}

static void dgram_info(struct port *p, json_t *obj)
{
	struct dgram *d = p->priv;
	char q[4 * DGRAM_PATH_MAX + 192], a[DGRAM_PATH_MAX + 16], b[DGRAM_PATH_MAX + 16];
	const char *opts[4] = { "local.type=unix", a, "remote.type=unix", b };

	if (!d)
		return;
	json_object_set_new(obj, "path", json_string(d->path));
	json_object_set_new(obj, "peer", json_string(d->peer));
	json_object_set_new(obj, "foreign", json_integer((json_int_t)d->n_foreign));
	json_object_set_new(obj, "truncated", json_integer((json_int_t)d->n_truncated));
	json_object_set_new(obj, "no_peer", json_integer((json_int_t)d->n_no_peer));
	json_object_set_new(obj, "rx_errors", json_integer((json_int_t)d->n_rx_errors));
	json_object_set_new(obj, "tx_errors", json_integer((json_int_t)d->n_tx_errors));
	json_object_set_new(obj, "connected", json_boolean(d->connected));
	json_object_set_new(obj, "backlog", json_integer((json_int_t)(d->txq_tail - d->txq_head)));
	json_object_set_new(obj, "backlog_max", json_integer((json_int_t)d->n_backlog_max));
	json_object_set_new(obj, "backlog_discarded",
			    json_integer((json_int_t)d->n_backlog_discarded));
	/* QEMU binds peer= and sends to path= */
	snprintf(a, sizeof(a), "local.path=%s", d->peer);
	snprintf(b, sizeof(b), "remote.path=%s", d->path);
	stream_qemu_arg(q, sizeof(q), "dgram", p->name, opts, 4);
	json_object_set_new(obj, "qemu", json_string(q));
}

const struct port_ops dgram_port_ops = {
	.type = "dgram",
	.help = "path=PATH peer=PATH (QEMU -netdev dgram over unix datagram sockets: vnetd binds "
		"path, QEMU binds peer)",
	.validate = dgram_validate,
	.open = dgram_open,
	.close = dgram_close,
	.rx_burst = dgram_rx_burst,
	.tx_burst = dgram_tx_burst,
	.info = dgram_info,
	.vm_facing = true,
};
