// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stream.c - stream ports: QEMU's -netdev stream over a unix or TCP socket.
 *
 * Theory of operation
 * -------------------
 * One connection per port. In server mode (the default) vnetd listens on
 * path= (unix) or addr=HOST:PORT (TCP) and QEMU connects; while a peer is
 * connected the listening fd leaves the loop, so further connections wait in
 * the kernel's accept queue (as QEMU's own stream server does) and cannot
 * steal the VM's link. In client mode QEMU listens and vnetd connects,
 * reconnecting after any loss with exponential backoff (100 ms .. 5 s).
 *
 * Receive: read() into the port's de-framing buffer (lenframe.h) and copy
 * each complete frame into a pool buffer: one copy, one syscall for many
 * frames. Frames shorter than an Ethernet header are skipped and counted as
 * runts; a length above STREAM_FRAME_MAX cannot be resynchronised, so the
 * connection is dropped and counted (DROP_STREAM_LENGTH). Frames left in the
 * buffer after a full budget are picked up through a self-wakeup eventfd, so
 * a fast peer cannot starve the other ports. A peer that closes mid-frame
 * loses that frame (counted as truncated).
 *
 * Transmit: one sendmsg() per burst, each frame behind its prefix (and an
 * egress 802.1Q tag spliced in). What the socket does not take goes into a
 * bounded backlog (backlog=, default 256 KiB) that EPOLLOUT drains; while it
 * is not empty new frames queue behind it, and frames that do not fit are
 * dropped and counted (DROP_TX_FULL). So a peer that never reads costs the
 * backlog and nothing more, and vnetd never blocks. The peer gets no
 * virtio-net header, so the port takes no offloads: the switch completes
 * checksums and segments TSO frames for it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>
#include <jansson.h>

#include "../base/log.h"
#include "../base/util.h"
#include "../net/lenframe.h"
#include "stream.h"

#define STREAM_RX_BUF (256 * 1024) /* de-framing buffer: several frames per read() */
#define STREAM_BACKLOG_DEFAULT (256 * 1024) /* transmit backlog while the peer is slow */
#define STREAM_BACKLOG_MIN (STREAM_FRAME_MAX + LENFRAME_HDR) /* one whole frame */
#define STREAM_BACKLOG_MAX (16 * 1024 * 1024)
#define STREAM_BACKOFF_MIN_MS 100 /* first client-mode reconnect delay */
#define STREAM_BACKOFF_MAX_MS 5000 /* longest reconnect delay */
#define STREAM_POLL_BUDGET 8 /* bursts per wakeup before yielding to other fds */
#define STREAM_IOV_MAX (PKT_BATCH * 4) /* prefix, MACs, tag, rest per frame */
#define STREAM_PATH_MAX sizeof(((struct sockaddr_un *)0)->sun_path)

/**
 * struct stream - state of one stream port
 * @port:      the port
 * @listen:    server mode: the listening socket (-1 in client mode)
 * @conn:      the connection (-1 when none)
 * @timer:     client mode: reconnect timerfd
 * @repoll:    eventfd written to come back for frames left buffered
 * @client:    client mode
 * @tcp:       TCP (addr=) rather than unix (path=)
 * @connecting: client mode, TCP: connect() in progress
 * @path:      unix socket path
 * @host/@service: TCP address as configured
 * @sa/@salen: the address to listen on or connect to
 * @sock_dev/@sock_ino: the unix socket we created, removed at close only if still ours
 * @backoff_ms: next reconnect delay
 * @fail_streak: failed connects in a row (logs at 1, 2, 4, 8...)
 * @rx:        de-framer over @rxbuf
 * @txq:       transmit backlog, bytes @txq_head..@txq_tail of @txq_cap
 * @events:    epoll events watched on @conn
 * @n_*:       counters for port/list
 */
struct stream {
	struct port *port;
	struct ev_source listen, conn, timer, repoll;
	bool client, tcp, connecting;
	char path[STREAM_PATH_MAX];
	char host[64], service[8];
	struct sockaddr_storage sa;
	socklen_t salen;
	dev_t sock_dev;
	ino_t sock_ino;
	unsigned backoff_ms, fail_streak;
	struct lenframe_rx rx;
	uint8_t *rxbuf;
	uint8_t *txq;
	size_t txq_cap, txq_head, txq_tail;
	uint32_t events;
	uint64_t n_connects, n_disconnects, n_connect_failures;
	uint64_t n_bad_length, n_truncated, n_backlog_max, n_backlog_discarded;
};

/* ---- options --------------------------------------------------------------------------------- */

/* "HOST:PORT" or "[V6]:PORT" -> @host, @service. Return: false if malformed. */
static bool stream_split_addr(const char *s, char *host, size_t hsz, char *service, size_t ssz)
{
	const char *colon;
	size_t hl;

	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || end[1] != ':')
			return false;
		hl = (size_t)(end - s - 1);
		s++;
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon)
			return false;
		hl = (size_t)(colon - s);
	}
	if (!hl || hl >= hsz || !colon[1] || strlen(colon + 1) >= ssz)
		return false;
	memcpy(host, s, hl);
	host[hl] = '\0';
	strcpy(service, colon + 1);
	for (const char *c = service; *c; c++) {
		if (*c < '0' || *c > '9')
			return false;
	}
	return atoi(service) > 0 && atoi(service) < 65536;
}

/* numeric addresses only: resolving names would block the datapath */
static bool stream_resolve(const char *host, const char *service, struct sockaddr_storage *sa,
			   socklen_t *salen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *res;

	if (getaddrinfo(host, service, &hints, &res) || !res)
		return false;
	memcpy(sa, res->ai_addr, res->ai_addrlen);
	*salen = res->ai_addrlen;
	freeaddrinfo(res);
	return true;
}

/*
 * Parse mode=, path=, addr=, backlog=; @s may be NULL (validation only).
 * Return: 0, or -EINVAL with @err set.
 */
static int stream_parse(struct kv_list *opts, struct stream *s, char *err, size_t errsz)
{
	const char *mode = kv_get(opts, "mode"), *path = kv_get(opts, "path");
	const char *addr = kv_get(opts, "addr");
	char host[64], service[8];
	struct sockaddr_storage sa;
	socklen_t salen = 0;
	uint64_t backlog = STREAM_BACKLOG_DEFAULT;

	if (mode && strcmp(mode, "server") && strcmp(mode, "client")) {
		snprintf(err, errsz, "mode=%.32s: expected server or client", mode);
		return -EINVAL;
	}
	if (!path == !addr) {
		snprintf(err, errsz, "give path=PATH (unix socket) or addr=HOST:PORT (TCP)");
		return -EINVAL;
	}
	if (path && (!*path || strlen(path) >= STREAM_PATH_MAX)) {
		snprintf(err, errsz, "path= must be 1..%zu characters", STREAM_PATH_MAX - 1);
		return -EINVAL;
	}
	if (addr && (!stream_split_addr(addr, host, sizeof(host), service, sizeof(service)) ||
		     !stream_resolve(host, service, &sa, &salen))) {
		snprintf(err, errsz, "addr=%.64s: expected NUMERIC-IP:PORT (e.g. 127.0.0.1:5555)",
			 addr);
		return -EINVAL;
	}
	if (!kv_get_u64(opts, "backlog", STREAM_BACKLOG_MIN, STREAM_BACKLOG_MAX, &backlog, err,
			errsz))
		return -EINVAL;
	if (!s)
		return 0;
	s->client = mode && !strcmp(mode, "client");
	s->tcp = addr != NULL;
	if (path) {
		strcpy(s->path, path);
	} else {
		strcpy(s->host, host);
		strcpy(s->service, service);
		s->sa = sa;
		s->salen = salen;
	}
	s->txq_cap = backlog;
	return 0;
}

static int stream_validate(struct kv_list *opts, char *err, size_t errsz)
{
	return stream_parse(opts, NULL, err, errsz);
}

/* ---- QEMU's side ----------------------------------------------------------------------------- */

/* QEMU's option parser takes ",," for a comma inside a value */
static size_t stream_qemu_escape(char *dst, size_t size, const char *src)
{
	size_t n = 0;

	for (; *src && n + 2 < size; src++) {
		dst[n++] = *src;
		if (*src == ',')
			dst[n++] = ',';
	}
	dst[n] = '\0';
	return n;
}

void stream_qemu_arg(char *buf, size_t size, const char *netdev, const char *id,
		     const char *const *opts, unsigned n_opts)
{
	char qid[PORT_NAME_MAX + 2], esc[2 * STREAM_PATH_MAX + 64];
	size_t off;

	/* a QEMU id starts with a letter and holds letters, digits, - . _ */
	snprintf(qid, sizeof(qid), "%s%s",
		 (id[0] >= 'a' && id[0] <= 'z') || (id[0] >= 'A' && id[0] <= 'Z') ? "" : "n", id);
	off = (size_t)snprintf(buf, size, "-netdev %s,id=%s", netdev, qid);
	for (unsigned i = 0; i < n_opts && off < size; i++) {
		stream_qemu_escape(esc, sizeof(esc), opts[i]);
		off += (size_t)snprintf(buf + off, size - off, ",%s", esc);
	}
	if (off < size)
		snprintf(buf + off, size - off, " -device virtio-net-pci,netdev=%s", qid);
}

static void stream_qemu(const struct stream *s, const char *name, char *buf, size_t size)
{
	char a[STREAM_PATH_MAX + 16], b[80], c[24];
	const char *opts[4];

	/* QEMU is the other side: it connects when vnetd listens, and the other way round */
	opts[0] = s->client ? "server=on" : "server=off";
	if (s->tcp) {
		opts[1] = s->sa.ss_family == AF_INET6 ? "addr.type=inet,addr.ipv6=on"
						      : "addr.type=inet";
		snprintf(b, sizeof(b), "addr.host=%s", s->host);
		snprintf(c, sizeof(c), "addr.port=%s", s->service);
		opts[2] = b;
		opts[3] = c;
		stream_qemu_arg(buf, size, "stream", name, opts, 4);
	} else {
		snprintf(a, sizeof(a), "addr.path=%s", s->path);
		opts[1] = "addr.type=unix";
		opts[2] = a;
		stream_qemu_arg(buf, size, "stream", name, opts, 3);
	}
}

/* ---- connection ------------------------------------------------------------------------------ */

static void stream_conn_cb(struct ev_source *src, uint32_t events);
static void stream_client_connect(struct stream *s);

static void stream_watch(struct stream *s, uint32_t events)
{
	if (s->conn.fd < 0 || events == s->events)
		return;
	if (evloop_mod(&s->port->dp->loop, &s->conn, events) == 0)
		s->events = events;
}

static void stream_schedule_reconnect(struct stream *s)
{
	struct itimerspec its = { 0 };

	its.it_value.tv_sec = s->backoff_ms / 1000;
	its.it_value.tv_nsec = (long)(s->backoff_ms % 1000) * 1000000;
	timerfd_settime(s->timer.fd, 0, &its, NULL);
	s->backoff_ms = MIN(s->backoff_ms * 2, STREAM_BACKOFF_MAX_MS);
}

static const char *stream_where(const struct stream *s, char *buf, size_t size)
{
	if (!s->tcp)
		return s->path;
	snprintf(buf, size, "%s%s%s:%s", s->sa.ss_family == AF_INET6 ? "[" : "", s->host,
		 s->sa.ss_family == AF_INET6 ? "]" : "", s->service);
	return buf;
}

/* Drop the connection; server mode listens again, client mode reconnects after a delay. */
static void stream_disconnect(struct stream *s, const char *why)
{
	char where[96];

	if (s->conn.fd < 0)
		return;
	evloop_del(&s->port->dp->loop, &s->conn);
	close(s->conn.fd);
	s->conn.fd = -1;
	s->events = 0;
	s->connecting = false;
	if (lenframe_rx_pending(&s->rx))
		s->n_truncated++;
	lenframe_rx_reset(&s->rx);
	s->n_backlog_discarded += s->txq_tail - s->txq_head;
	s->txq_head = s->txq_tail = 0;
	s->n_disconnects++;
	log_ratelimited(LOG_LVL_INFO, "port %s: stream peer disconnected: %s", s->port->name, why);
	if (s->client) {
		port_set_down(s->port, "%s; reconnecting to %s in %u ms", why,
			      stream_where(s, where, sizeof(where)), s->backoff_ms);
		stream_schedule_reconnect(s);
	} else {
		port_set_down(s->port, "%s; waiting for QEMU on %s", why,
			      stream_where(s, where, sizeof(where)));
		if (evloop_add(&s->port->dp->loop, &s->listen, EPOLLIN))
			err("port %s: cannot listen again", s->port->name);
	}
}

static void stream_conn_begin(struct stream *s, int fd)
{
	int one = 1;

	if (s->tcp)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	s->conn = (struct ev_source){ .fd = fd, .cb = stream_conn_cb, .arg = s->port };
	s->events = EPOLLIN | EPOLLRDHUP | (s->connecting ? EPOLLOUT : 0);
	if (evloop_add(&s->port->dp->loop, &s->conn, s->events)) {
		err("port %s: cannot watch the stream connection", s->port->name);
		close(fd);
		s->conn.fd = -1;
		s->connecting = false;
		if (s->client)
			stream_schedule_reconnect(s);
		return;
	}
	if (s->connecting)
		return;
	s->n_connects++;
	s->fail_streak = 0;
	s->backoff_ms = STREAM_BACKOFF_MIN_MS;
	lenframe_rx_reset(&s->rx);
	s->txq_head = s->txq_tail = 0;
	log_ratelimited(LOG_LVL_INFO, "port %s: stream peer connected", s->port->name);
	port_set_up(s->port);
}

static void stream_connect_failed(struct stream *s, int e)
{
	char where[96];

	s->n_connect_failures++;
	s->fail_streak++;
	port_set_down(s->port, "connecting to %s: %s (retry in %u ms)",
		      stream_where(s, where, sizeof(where)), strerror(e), s->backoff_ms);
	/* attempts 1, 2, 4, 8...: a VM that stays off does not fill the journal */
	if (!(s->fail_streak & (s->fail_streak - 1)))
		info("port %s: cannot connect to %s: %s (attempt %u)", s->port->name,
		     stream_where(s, where, sizeof(where)), strerror(e), s->fail_streak);
	stream_schedule_reconnect(s);
}

static void stream_client_connect(struct stream *s)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	const struct sockaddr *sa = (const struct sockaddr *)&s->sa;
	socklen_t salen = s->salen;
	int fd, e;

	if (s->conn.fd >= 0)
		return;
	if (!s->tcp) {
		strcpy(un.sun_path, s->path);
		sa = (const struct sockaddr *)&un;
		salen = sizeof(un);
	}
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		stream_connect_failed(s, errno);
		return;
	}
	if (connect(fd, sa, salen) == 0) {
		stream_conn_begin(s, fd);
		return;
	}
	e = errno;
	if (e == EINPROGRESS) {
		s->connecting = true;
		stream_conn_begin(s, fd);
		return;
	}
	close(fd);
	stream_connect_failed(s, e);
}

/* TCP connect() completed (EPOLLOUT): did it succeed? */
static void stream_connect_done(struct stream *s)
{
	int soerr = 0;
	socklen_t len = sizeof(soerr);

	if (getsockopt(s->conn.fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		soerr = errno;
	evloop_del(&s->port->dp->loop, &s->conn);
	if (soerr) {
		close(s->conn.fd);
		s->conn.fd = -1;
		s->connecting = false;
		stream_connect_failed(s, soerr);
		return;
	}
	s->connecting = false;
	stream_conn_begin(s, s->conn.fd);
}

static void stream_listen_cb(struct ev_source *src, uint32_t events)
{
	struct stream *s = src->arg;
	int fd;

	(void)events;
	if (s->conn.fd >= 0) {
		/* not watched while connected; a stale wakeup just waits */
		evloop_del(&s->port->dp->loop, &s->listen);
		return;
	}
	fd = accept4(src->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	/* one peer per port: later ones wait in the accept queue until this one leaves */
	evloop_del(&s->port->dp->loop, &s->listen);
	stream_conn_begin(s, fd);
	if (s->conn.fd < 0 && evloop_add(&s->port->dp->loop, &s->listen, EPOLLIN))
		err("port %s: cannot listen again", s->port->name);
}

static void stream_timer_cb(struct ev_source *src, uint32_t events)
{
	struct stream *s = src->arg;
	uint64_t v;

	(void)events;
	if (read(src->fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return;
	stream_client_connect(s);
}

/* ---- transmit -------------------------------------------------------------------------------- */

static size_t stream_txq_used(const struct stream *s)
{
	return s->txq_tail - s->txq_head;
}

/* Room for @n more bytes at the tail, compacting if that makes it fit. */
static bool stream_txq_room(struct stream *s, size_t n)
{
	if (s->txq_cap - s->txq_tail >= n)
		return true;
	if (s->txq_cap - stream_txq_used(s) < n)
		return false;
	memmove(s->txq, s->txq + s->txq_head, stream_txq_used(s));
	s->txq_tail -= s->txq_head;
	s->txq_head = 0;
	return true;
}

/* Append the bytes of @iov from offset @skip on (the caller checked the room). */
static void stream_txq_put(struct stream *s, const struct iovec *iov, unsigned niov, size_t skip)
{
	for (unsigned i = 0; i < niov; i++) {
		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		memcpy(s->txq + s->txq_tail, (const uint8_t *)iov[i].iov_base + skip,
		       iov[i].iov_len - skip);
		s->txq_tail += iov[i].iov_len - skip;
		skip = 0;
	}
	s->n_backlog_max = MAX(s->n_backlog_max, stream_txq_used(s));
}

/* Write out the backlog. Return: 0, or -errno when the connection failed. */
static int stream_txq_flush(struct stream *s)
{
	while (stream_txq_used(s)) {
		ssize_t r = send(s->conn.fd, s->txq + s->txq_head, stream_txq_used(s),
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (r < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			return -errno;
		}
		s->txq_head += (size_t)r;
	}
	if (!stream_txq_used(s))
		s->txq_head = s->txq_tail = 0;
	stream_watch(s, EPOLLIN | EPOLLRDHUP | (stream_txq_used(s) ? EPOLLOUT : 0));
	return 0;
}

/* The iovec of one frame: prefix, then the frame with @tci spliced in. Return: entries used. */
static unsigned stream_tx_iov(const struct pkt *pk, uint16_t tci, uint8_t *hdr,
			      struct vlan_hdr *tag, struct iovec *iov, size_t *len)
{
	unsigned niov = 0;

	*len = pk->size;
	if (tci && pk->size >= 2 * ETH_ALEN)
		*len += VLAN_HLEN;
	lenframe_put_hdr(hdr, (uint32_t)*len);
	iov[niov++] = (struct iovec){ hdr, LENFRAME_HDR };
	if (*len != pk->size) {
		tag->tci = htons(ETH_P_8021Q_); /* struct vlan_hdr read as TPID, TCI */
		tag->type = htons(tci);
		iov[niov++] = (struct iovec){ pk->data, 2 * ETH_ALEN };
		iov[niov++] = (struct iovec){ tag, sizeof(*tag) };
		iov[niov++] = (struct iovec){ pk->data + 2 * ETH_ALEN, pk->size - 2 * ETH_ALEN };
	} else {
		iov[niov++] = (struct iovec){ pk->data, pk->size };
	}
	*len += LENFRAME_HDR;
	return niov;
}

static void stream_tx_counted(struct port *p, size_t wire)
{
	p->stats.tx_packets++;
	p->stats.tx_bytes += wire - LENFRAME_HDR;
}

/* Send up to PKT_BATCH frames: one sendmsg(), the rest to the backlog. Return: frames taken. */
static unsigned stream_tx_batch(struct port *p, struct pkt **pkts, const uint16_t *tci, unsigned n)
{
	struct stream *s = p->priv;
	uint8_t hdr[PKT_BATCH][LENFRAME_HDR];
	struct vlan_hdr tag[PKT_BATCH];
	struct iovec iov[STREAM_IOV_MAX];
	unsigned first[PKT_BATCH + 1], nf = 0, sent = 0;
	size_t wire[PKT_BATCH], written = 0;
	ssize_t r;

	first[0] = 0;
	for (unsigned i = 0; i < n; i++) {
		unsigned k = stream_tx_iov(pkts[i], tci[i], hdr[nf], &tag[nf], iov + first[nf],
					   &wire[nf]);

		if (wire[nf] > STREAM_FRAME_MAX + LENFRAME_HDR) {
			port_count_drop(p, DROP_OVERSIZE, 1);
			continue;
		}
		first[nf + 1] = first[nf] + k;
		nf++;
	}
	if (!nf)
		return 0;
	if (!stream_txq_used(s)) {
		struct msghdr msg = { .msg_iov = iov, .msg_iovlen = first[nf] };

		/* MSG_NOSIGNAL: a peer that went away is an error here, not a SIGPIPE */
		r = sendmsg(s->conn.fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r < 0) {
			if (errno != EAGAIN && errno != EINTR) {
				port_count_drop(p, DROP_TX_ERROR, nf);
				stream_disconnect(s, strerror(errno));
				return 0;
			}
			r = 0;
		}
		written = (size_t)r;
	}
	for (unsigned f = 0; f < nf; f++) {
		if (written >= wire[f]) {
			written -= wire[f];
			stream_tx_counted(p, wire[f]);
			sent++;
			continue;
		}
		/* a frame begun on the wire must be finished, and it always fits an empty backlog */
		if (written || stream_txq_room(s, wire[f])) {
			stream_txq_put(s, iov + first[f], first[f + 1] - first[f], written);
			written = 0;
			stream_tx_counted(p, wire[f]);
			sent++;
			continue;
		}
		port_count_drop(p, DROP_TX_FULL, 1);
	}
	if (stream_txq_used(s))
		stream_watch(s, EPOLLIN | EPOLLRDHUP | EPOLLOUT);
	return sent;
}

static unsigned stream_tx_burst(struct port *p, struct pkt **pkts, const uint16_t *tci, unsigned n)
{
	struct stream *s = p->priv;
	unsigned sent = 0;

	for (unsigned done = 0; done < n; done += PKT_BATCH) {
		if (s->conn.fd < 0 || s->connecting) {
			port_count_drop(p, DROP_PORT_DOWN, n - done);
			break;
		}
		sent += stream_tx_batch(p, pkts + done, tci + done, MIN(n - done, PKT_BATCH));
	}
	return sent;
}

/* ---- receive --------------------------------------------------------------------------------- */

/* Read what the socket has. Return: false when the connection is gone. */
static bool stream_fill(struct port *p, struct stream *s)
{
	size_t room;
	uint8_t *dst = lenframe_rx_space(&s->rx, &room);
	ssize_t r;

	if (!room)
		return true;
	r = recv(s->conn.fd, dst, room, MSG_DONTWAIT);
	if (r > 0) {
		lenframe_rx_commit(&s->rx, (size_t)r);
		return true;
	}
	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return true;
	if (r == 0 && lenframe_rx_pending(&s->rx))
		port_count_drop(p, DROP_RX_ERROR, 1); /* the frame it was sending */
	stream_disconnect(s, r == 0 ? "peer closed the connection" : strerror(errno));
	return false;
}

static unsigned stream_rx_burst(struct port *p, struct pkt **pkts, unsigned n)
{
	struct stream *s = p->priv;
	unsigned got = 0;
	bool filled = false;

	while (got < n && s->conn.fd >= 0 && !s->connecting) {
		const uint8_t *frame;
		uint32_t len;
		struct pkt *pk;

		switch (lenframe_rx_next(&s->rx, &frame, &len)) {
		case LENFRAME_NEED_MORE:
			/* one read per burst: a socket that keeps filling up yields to the others */
			if (filled || !stream_fill(p, s))
				return got;
			filled = true;
			continue;
		case LENFRAME_RUNT_FRAME:
			port_count_drop(p, DROP_RUNT, 1);
			continue;
		case LENFRAME_TOO_BIG:
			s->n_bad_length++;
			port_count_drop(p, DROP_STREAM_LENGTH, 1);
			log_ratelimited(LOG_LVL_WARN,
					"port %s: peer sent a frame length of %u (max %u): "
					"dropping the connection",
					p->name, len, (unsigned)STREAM_FRAME_MAX);
			stream_disconnect(s, "frame length over the maximum");
			return got;
		case LENFRAME_FRAME:
			break;
		}
		pk = pkt_alloc(p->dp->pool);
		if (!pk) {
			port_count_drop(p, DROP_NO_BUFFERS, 1);
			continue;
		}
		memcpy(pk->data, frame, len);
		pk->size = len;
		pkts[got++] = pk;
	}
	return got;
}

static void stream_kick(struct stream *s)
{
	uint64_t one = 1;

	if (s->conn.fd >= 0 && lenframe_rx_ready(&s->rx) && write(s->repoll.fd, &one, 8) < 0)
		debug("port %s: repoll: %s", s->port->name, strerror(errno));
}

static void stream_conn_cb(struct ev_source *src, uint32_t events)
{
	struct port *p = src->arg;
	struct stream *s = p->priv;

	if (s->connecting) {
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			stream_connect_done(s);
		return;
	}
	if (events & EPOLLOUT) {
		int rc = stream_txq_flush(s);

		if (rc < 0) {
			stream_disconnect(s, strerror(-rc));
			return;
		}
	}
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
		port_poll(p, STREAM_POLL_BUDGET);
		stream_kick(s);
	}
}

static void stream_repoll_cb(struct ev_source *src, uint32_t events)
{
	struct port *p = src->arg;
	struct stream *s = p->priv;
	uint64_t v;

	(void)events;
	if (read(src->fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return;
	if (s->conn.fd < 0)
		return;
	port_poll(p, STREAM_POLL_BUDGET);
	stream_kick(s);
}

/* ---- open/close ------------------------------------------------------------------------------ */

static int stream_listen(struct stream *s, char *err, size_t errsz)
{
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	const struct sockaddr *sa = (const struct sockaddr *)&s->sa;
	socklen_t salen = s->salen;
	struct stat st;
	mode_t old_mask;
	int fd, one = 1, rc;

	if (!s->tcp) {
		strcpy(un.sun_path, s->path);
		sa = (const struct sockaddr *)&un;
		salen = sizeof(un);
		if (lstat(s->path, &st) == 0) {
			int probe;

			if (!S_ISSOCK(st.st_mode)) {
				snprintf(err, errsz, "%s exists and is not a socket", s->path);
				return -EEXIST;
			}
			/* a socket someone still listens on is in use; a dead one is stale */
			probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
			if (probe >= 0 && connect(probe, sa, salen) == 0) {
				close(probe);
				snprintf(err, errsz, "%s is in use by another process", s->path);
				return -EADDRINUSE;
			}
			if (probe >= 0)
				close(probe);
			unlink(s->path);
		}
	}
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto err;
	if (s->tcp)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* the socket is the VM's link: only its owner (and root) may connect, from birth */
	old_mask = umask(0177);
	rc = bind(fd, sa, salen);
	umask(old_mask);
	if (rc || listen(fd, 8))
		goto err_close;
	if (!s->tcp && stat(s->path, &st) == 0) {
		s->sock_dev = st.st_dev;
		s->sock_ino = st.st_ino;
	}
	s->listen = (struct ev_source){ .fd = fd, .cb = stream_listen_cb, .arg = s };
	rc = evloop_add(&s->port->dp->loop, &s->listen, EPOLLIN);
	if (rc) {
		errno = -rc;
		goto err_close;
	}
	return 0;
err_close:
	rc = -errno;
	close(fd);
	if (!s->tcp && s->sock_ino == 0)
		unlink(s->path);
	errno = -rc;
err:
	rc = -errno;
	snprintf(err, errsz, "cannot listen on %s: %s%s", s->tcp ? s->host : s->path, strerror(-rc),
		 rc == -EACCES ? " (a directory the user may write to, e.g. $XDG_RUNTIME_DIR)"
			       : "");
	return rc;
}

static void stream_free(struct port *p, struct stream *s)
{
	struct stat st;

	if (s->conn.fd >= 0) {
		evloop_del(&p->dp->loop, &s->conn);
		close(s->conn.fd);
	}
	if (s->listen.fd >= 0) {
		evloop_del(&p->dp->loop, &s->listen);
		close(s->listen.fd);
		/* remove the socket only if it is still the one we made */
		if (!s->tcp && s->sock_ino && lstat(s->path, &st) == 0 &&
		    st.st_dev == s->sock_dev && st.st_ino == s->sock_ino)
			unlink(s->path);
	}
	if (s->timer.fd >= 0) {
		evloop_del(&p->dp->loop, &s->timer);
		close(s->timer.fd);
	}
	if (s->repoll.fd >= 0) {
		evloop_del(&p->dp->loop, &s->repoll);
		close(s->repoll.fd);
	}
	free(s->rxbuf);
	free(s->txq);
	free(s);
}

static int stream_open(struct port *p, struct kv_list *opts, char *err, size_t errsz)
{
	struct stream *s = calloc(1, sizeof(*s));
	int rc;

	if (!s) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	s->port = p;
	s->listen.fd = s->conn.fd = s->timer.fd = s->repoll.fd = -1;
	s->backoff_ms = STREAM_BACKOFF_MIN_MS;
	rc = stream_parse(opts, s, err, errsz);
	if (rc)
		goto fail;
	s->rxbuf = malloc(STREAM_RX_BUF);
	s->txq = malloc(s->txq_cap);
	if (!s->rxbuf || !s->txq ||
	    !lenframe_rx_init(&s->rx, s->rxbuf, STREAM_RX_BUF, STREAM_FRAME_MAX)) {
		snprintf(err, errsz, "out of memory");
		rc = -ENOMEM;
		goto fail;
	}
	s->repoll = (struct ev_source){ .fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC),
					.cb = stream_repoll_cb,
					.arg = p };
	if (s->repoll.fd < 0 || evloop_add(&p->dp->loop, &s->repoll, EPOLLIN)) {
		rc = -errno;
		snprintf(err, errsz, "eventfd: %s", strerror(errno));
		goto fail;
	}
	p->priv = s;
	p->caps = 0; /* no virtio-net header on this wire: the switch completes offloads */
	if (s->client) {
		s->timer = (struct ev_source){ .fd = timerfd_create(CLOCK_MONOTONIC,
								    TFD_NONBLOCK | TFD_CLOEXEC),
					       .cb = stream_timer_cb,
					       .arg = s };
		if (s->timer.fd < 0 || evloop_add(&p->dp->loop, &s->timer, EPOLLIN)) {
			rc = -errno;
			snprintf(err, errsz, "timerfd: %s", strerror(errno));
			goto fail;
		}
		port_set_down(p, "connecting");
		stream_client_connect(s);
		return 0;
	}
	rc = stream_listen(s, err, errsz);
	if (rc)
		goto fail;
	port_set_down(p, "waiting for QEMU to connect");
	return 0;
fail:
	p->priv = NULL;
	stream_free(p, s);
	return rc;
}

static void stream_close(struct port *p)
{
	if (p->priv)
		stream_free(p, p->priv);
	p->priv = NULL;
}

static void stream_info(struct port *p, json_t *obj)
{
	struct stream *s = p->priv;
	char where[96], q[2 * STREAM_PATH_MAX + 192];

	if (!s)
		return;
	json_object_set_new(obj, "mode", json_string(s->client ? "client" : "server"));
	json_object_set_new(obj, s->tcp ? "addr" : "path",
			    json_string(stream_where(s, where, sizeof(where))));
	json_object_set_new(obj, "connected", json_boolean(s->conn.fd >= 0 && !s->connecting));
	json_object_set_new(obj, "connects", json_integer((json_int_t)s->n_connects));
	json_object_set_new(obj, "disconnects", json_integer((json_int_t)s->n_disconnects));
	json_object_set_new(obj, "connect_failures",
			    json_integer((json_int_t)s->n_connect_failures));
	json_object_set_new(obj, "bad_length", json_integer((json_int_t)s->n_bad_length));
	json_object_set_new(obj, "truncated", json_integer((json_int_t)s->n_truncated));
	json_object_set_new(obj, "backlog", json_integer((json_int_t)stream_txq_used(s)));
	json_object_set_new(obj, "backlog_limit", json_integer((json_int_t)s->txq_cap));
	json_object_set_new(obj, "backlog_max", json_integer((json_int_t)s->n_backlog_max));
	json_object_set_new(obj, "backlog_discarded",
			    json_integer((json_int_t)s->n_backlog_discarded));
	stream_qemu(s, p->name, q, sizeof(q));
	json_object_set_new(obj, "qemu", json_string(q));
}

const struct port_ops stream_port_ops = {
	.type = "stream",
	.help = "mode=server|client path=PATH | addr=IP:PORT backlog=BYTES (QEMU -netdev stream: "
		"vnetd listens (server) or connects and reconnects (client))",
	.validate = stream_validate,
	.open = stream_open,
	.close = stream_close,
	.rx_burst = stream_rx_burst,
	.tx_burst = stream_tx_burst,
	.info = stream_info,
	.vm_facing = true,
};
