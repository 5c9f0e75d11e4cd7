// SPDX-License-Identifier: GPL-2.0-or-later
/* capture.c - live capture of a port's frames into a bounded ring streamed to a client (capture.h). */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "../base/log.h"
#include "../base/util.h"
#include "../net/eth.h"
#include "bridge.h"
#include "capture.h"

#define CAPTURE_SOCKET_MODE 0660 /* as the control socket */
#define CAPTURE_SOCKET_GROUP "vnet"
#define CAPTURE_PATH_TRIES 8 /* random socket names tried before giving up */
#define CAPTURE_PORT_NONE 0xffff /* port_idx of a capture whose port was deleted */
#define CAPTURE_READ_BURST 8 /* reads per wakeup from a client (which should send only its token) */

_Static_assert((CAPTURE_RING_SIZE & (CAPTURE_RING_SIZE - 1)) == 0, "ring size: a power of two");

const char *capture_state_name(enum capture_state s)
{
	switch (s) {
	case CAPTURE_LISTENING:
		return "listening";
	case CAPTURE_HANDSHAKE:
		return "handshake";
	case CAPTURE_RUNNING:
		return "running";
	case CAPTURE_ENDING:
		return "ending";
	}
	return "?";
}

bool capture_parse_dir(const char *s, unsigned *dir)
{
	if (!strcmp(s, "in"))
		*dir = CAPTURE_DIR_IN;
	else if (!strcmp(s, "out"))
		*dir = CAPTURE_DIR_OUT;
	else if (!strcmp(s, "both"))
		*dir = CAPTURE_DIR_BOTH;
	else
		return false;
	return true;
}

const char *capture_dir_name(unsigned dir)
{
	return dir == CAPTURE_DIR_IN ? "in" : dir == CAPTURE_DIR_OUT ? "out" : "both";
}

/* Recompute the switch's tap bits and count from the running captures. */
static void capture_sync_taps(struct capture_set *cs)
{
	struct bridge *br = cs->br;
	unsigned n = 0;

	for (unsigned i = 0; i < BRIDGE_MAX_PORTS; i++)
		br->tap[i] &= (uint8_t) ~(BRIDGE_TAP_CAP_IN | BRIDGE_TAP_CAP_OUT);
	for (unsigned i = 0; i < CAPTURE_MAX; i++) {
		struct capture *c = cs->cap[i];

		if (!c || c->state != CAPTURE_RUNNING)
			continue;
		if (c->dir & CAPTURE_DIR_IN)
			br->tap[c->port_idx] |= BRIDGE_TAP_CAP_IN;
		if (c->dir & CAPTURE_DIR_OUT)
			br->tap[c->port_idx] |= BRIDGE_TAP_CAP_OUT;
		n++;
	}
	br->n_tap_captures = (uint16_t)n;
	br->tapped = br->n_tap_captures + br->n_tap_mirrors;
}

static void capture_free(struct capture *c)
{
	struct capture_set *cs = c->set;
	struct evloop *loop = &cs->br->dp->loop;

	for (unsigned i = 0; i < CAPTURE_MAX; i++) {
		if (cs->cap[i] == c)
			cs->cap[i] = NULL;
	}
	if (c->listen.fd >= 0) {
		evloop_del(loop, &c->listen);
		close(c->listen.fd);
		unlink(c->path);
	}
	if (c->conn.fd >= 0) {
		evloop_del(loop, &c->conn);
		close(c->conn.fd);
	}
	if (c->ring)
		munmap(c->ring, CAPTURE_RING_SIZE);
	free(c);
	capture_sync_taps(cs);
}

static inline uint64_t capture_free_space(const struct capture *c)
{
	return CAPTURE_RING_SIZE - (c->head - c->tail);
}

static void capture_ring_put(struct capture *c, const void *src, size_t size)
{
	size_t pos = (size_t)(c->head & (CAPTURE_RING_SIZE - 1));
	size_t first = MIN(size, CAPTURE_RING_SIZE - pos);

	memcpy(c->ring + pos, src, first);
	memcpy(c->ring, (const uint8_t *)src + first, size - first);
	c->head += size;
}

/*
 * Send what the ring holds: one nonblocking send() per contiguous piece.
 * Return: false if the client is gone or the capture is finished (freed).
 */
static bool capture_flush(struct capture *c)
{
	while (c->head != c->tail) {
		size_t pos = (size_t)(c->tail & (CAPTURE_RING_SIZE - 1));
		size_t size = (size_t)MIN(c->head - c->tail, (uint64_t)(CAPTURE_RING_SIZE - pos));
		ssize_t n = send(c->conn.fd, c->ring + pos, size, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			debug("switch %s: capture %u: client gone (%s)", c->set->br->name, c->id,
			      n < 0 ? strerror(errno) : "closed");
			c->set->completed++;
			capture_free(c);
			return false;
		}
		c->tail += (size_t)n;
		c->progress_ns = c->set->br->dp->now_ns;
	}
	if (c->head == c->tail) {
		c->progress_ns = c->set->br->dp->now_ns;
		if (c->state == CAPTURE_ENDING) {
			c->set->completed++;
			capture_free(c);
			return false;
		}
	}
	/* Wait for room only while something waits; otherwise just notice the client leaving. */
	if ((c->head != c->tail) != c->pollout) {
		uint32_t ev = EPOLLIN | (c->head != c->tail ? EPOLLOUT : 0);

		if (!evloop_mod(&c->set->br->dp->loop, &c->conn, ev))
			c->pollout = c->head != c->tail;
	}
	return true;
}

static uint64_t capture_wallclock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

/* Queue a non-frame record (START, END); they are small and always fit unless the ring is full. */
static bool capture_put_record(struct capture *c, uint32_t type, uint32_t len, const void *payload,
			       uint32_t size)
{
	struct capture_rec h = {
		.type = type, .caplen = size, .len = len, .ts_ns = capture_wallclock_ns()
	};

	if (capture_free_space(c) < sizeof(h) + size)
		return false;
	capture_ring_put(c, &h, sizeof(h));
	if (size)
		capture_ring_put(c, payload, size);
	return true;
}

/* Stop taking frames: END record, then close once written. Return: false if freed. */
static bool capture_end(struct capture *c, enum capture_end_reason reason)
{
	struct capture_rec_end e = { .frames = c->frames, .dropped = c->dropped, .reason = reason };

	if (c->state == CAPTURE_ENDING)
		return true;
	if (c->state != CAPTURE_RUNNING) {
		/* no client yet: nothing to tell */
		c->set->completed++;
		capture_free(c);
		return false;
	}
	c->state = CAPTURE_ENDING;
	c->end_reason = reason;
	capture_sync_taps(c->set);
	if (!capture_put_record(c, CAPTURE_REC_END, 0, &e, sizeof(e)))
		log_ratelimited(LOG_LVL_INFO, "switch %s: capture %u: no room for the end record",
				c->set->br->name, c->id);
	return capture_flush(c);
}

/*
 * One frame (with the tag @tci inserted after the MAC addresses if non-zero)
 * into the ring. Return: false once the capture stopped running (it may be freed).
 */
static bool capture_frame(struct capture *c, unsigned dir, const struct pkt *pk, uint16_t tci,
			  uint64_t ts)
{
	bool tagged = tci && pk->size >= 2 * ETH_ALEN;
	uint32_t len = pk->size + (tagged ? VLAN_HLEN : 0);
	uint32_t caplen = MIN(len, c->snaplen);
	struct capture_rec h = {
		.type = CAPTURE_REC_FRAME, .caplen = caplen, .len = len, .dir = dir, .ts_ns = ts
	};

	if (capture_free_space(c) < sizeof(h) + caplen) {
		c->dropped++;
		c->set->dropped++;
		return true;
	}
	capture_ring_put(c, &h, sizeof(h));
	if (tagged) {
		uint8_t tag[VLAN_HLEN] = { 0x81, 0x00, (uint8_t)(tci >> 8), (uint8_t)tci };
		uint32_t rest = caplen - MIN(caplen, (uint32_t)(2 * ETH_ALEN));

		capture_ring_put(c, pk->data, MIN(caplen, (uint32_t)(2 * ETH_ALEN)));
		capture_ring_put(c, tag, MIN(rest, (uint32_t)VLAN_HLEN));
		if (rest > VLAN_HLEN)
			capture_ring_put(c, pk->data + 2 * ETH_ALEN, rest - VLAN_HLEN);
	} else {
		capture_ring_put(c, pk->data, caplen);
	}
	c->frames++;
	c->bytes += len;
	if (c->count && c->frames >= c->count) {
		capture_end(c, CAPTURE_END_COUNT);
		return false;
	}
	return true;
}

/* The frames of one burst into every capture of @port_idx that wants direction @dir. */
static void capture_burst(struct bridge *br, uint16_t port_idx, unsigned dir,
			  struct pkt *const *pkts, const uint16_t *tci, unsigned n)
{
	struct capture_set *cs = br->captures;
	uint64_t ts = capture_wallclock_ns();

	for (unsigned k = 0; k < CAPTURE_MAX; k++) {
		struct capture *c = cs->cap[k];
		bool was_empty;

		if (!c || c->state != CAPTURE_RUNNING || c->port_idx != port_idx || !(c->dir & dir))
			continue;
		was_empty = c->head == c->tail;
		if (was_empty)
			c->progress_ns = br->dp->now_ns;
		for (unsigned i = 0; i < n; i++) {
			/* at count=, capture_end() flushed it, and may have freed it */
			if (!capture_frame(c, dir, pkts[i], tci ? tci[i] : 0, ts))
				break;
		}
		if (cs->cap[k] == c && c->state == CAPTURE_RUNNING && !c->pollout)
			capture_flush(c);
	}
}

void capture_rx(struct bridge *br, const struct port *in, struct pkt *const *pkts, unsigned n)
{
	capture_burst(br, in->idx, CAPTURE_DIR_IN, pkts, NULL, n);
}

void capture_tx(struct bridge *br, const struct port *o, struct pkt *const *pkts,
		const uint16_t *tci, unsigned n)
{
	capture_burst(br, o->idx, CAPTURE_DIR_OUT, pkts, tci, n);
}

/* The connection: the token first, then only EOF/errors are expected; EPOLLOUT drains the ring. */
static void capture_conn_cb(struct ev_source *src, uint32_t events)
{
	struct capture *c = src->arg;
	char buf[64];

	if (events & EPOLLERR) {
		c->set->completed++;
		capture_free(c);
		return;
	}
	if (events & (EPOLLIN | EPOLLHUP)) {
		/* bounded: a client that keeps sending cannot hold the loop */
		for (int r = 0; r < CAPTURE_READ_BURST; r++) {
			ssize_t n = recv(c->conn.fd, buf, sizeof(buf), MSG_DONTWAIT);

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			if (n <= 0) {
				/* the client went away: the normal end of an unlimited capture */
				c->set->completed++;
				capture_free(c);
				return;
			}
			if (c->state != CAPTURE_HANDSHAKE)
				continue; /* nothing else is expected: ignore */
			for (ssize_t i = 0; i < n && c->state == CAPTURE_HANDSHAKE; i++) {
				if (buf[i] != '\n') {
					if (c->hs_len >= CAPTURE_TOKEN_LEN) {
						log_ratelimited(LOG_LVL_WARN,
								"switch %s: capture %u: bad token, "
								"closed",
								c->set->br->name, c->id);
						capture_free(c);
						return;
					}
					c->hs[c->hs_len++] = buf[i];
					continue;
				}
				c->hs[c->hs_len] = '\0';
				if (strcmp(c->hs, c->token)) {
					log_ratelimited(LOG_LVL_WARN,
							"switch %s: capture %u: bad token, closed",
							c->set->br->name, c->id);
					capture_free(c);
					return;
				}
				c->state = CAPTURE_RUNNING;
				c->progress_ns = c->set->br->dp->now_ns;
				c->set->started++;
				capture_put_record(c, CAPTURE_REC_START, c->snaplen, NULL, 0);
				capture_sync_taps(c->set);
				info("switch %s: capture %u of port %s (%s) running",
				     c->set->br->name, c->id, c->port, capture_dir_name(c->dir));
			}
		}
	}
	if (c->state == CAPTURE_RUNNING || c->state == CAPTURE_ENDING)
		capture_flush(c);
}

/* One client connects; the listening socket then goes away. */
static void capture_accept_cb(struct ev_source *src, uint32_t events)
{
	struct capture *c = src->arg;
	struct evloop *loop = &c->set->br->dp->loop;
	int fd;

	(void)events;
	fd = accept4(c->listen.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			log_ratelimited(LOG_LVL_WARN, "capture: accept: %s", strerror(errno));
		return;
	}
	c->conn = (struct ev_source){ .fd = fd, .cb = capture_conn_cb, .arg = c };
	if (evloop_add(loop, &c->conn, EPOLLIN) < 0) {
		close(fd);
		c->conn.fd = -1;
		return;
	}
	evloop_del(loop, &c->listen);
	close(c->listen.fd);
	c->listen.fd = -1;
	unlink(c->path);
	c->state = CAPTURE_HANDSHAKE;
}

/* A fresh random name next to @base; bind and listen on it. Return: fd or -errno. */
static int capture_listen(struct capture *c, const char *base, char *err, size_t errsz)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uint8_t rnd[4 + CAPTURE_TOKEN_LEN / 2];
	struct group *g;
	int fd, rc = -EEXIST;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errsz, "socket: %s", strerror(errno));
		return rc;
	}
	for (int t = 0; t < CAPTURE_PATH_TRIES; t++) {
		int n;

		if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
			rc = -EIO;
			snprintf(err, errsz, "getrandom: %s", strerror(errno));
			break;
		}
		n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s.cap-%02x%02x%02x%02x", base,
			     rnd[0], rnd[1], rnd[2], rnd[3]);
		if (n < 0 || (size_t)n >= sizeof(sa.sun_path)) {
			rc = -ENAMETOOLONG;
			snprintf(err, errsz,
				 "control socket path %s is too long for a capture socket", base);
			break;
		}
		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			rc = 0;
			break;
		}
		rc = -errno;
		snprintf(err, errsz, "%s: %s", sa.sun_path, strerror(errno));
		if (errno != EADDRINUSE)
			break;
	}
	if (rc) {
		close(fd);
		return rc;
	}
	if (chmod(sa.sun_path, CAPTURE_SOCKET_MODE) < 0 || listen(fd, 1) < 0) {
		rc = -errno;
		snprintf(err, errsz, "%s: %s", sa.sun_path, strerror(errno));
		unlink(sa.sun_path);
		close(fd);
		return rc;
	}
	g = getgrnam(CAPTURE_SOCKET_GROUP);
	if (g && chown(sa.sun_path, 0, g->gr_gid) < 0)
		warn("%s: chown root:%s: %s", sa.sun_path, CAPTURE_SOCKET_GROUP, strerror(errno));
	snprintf(c->path, sizeof(c->path), "%s", sa.sun_path);
	for (size_t i = 0; i < CAPTURE_TOKEN_LEN / 2; i++)
		snprintf(c->token + 2 * i, 3, "%02x", rnd[4 + i]);
	return fd;
}

int capture_start(struct bridge *br, const char *sock_base, const char *port, unsigned dir,
		  uint32_t snaplen, uint64_t count, struct capture_ticket *t, char *err,
		  size_t errsz)
{
	struct port *p = bridge_port_find(br, port);
	struct capture_set *cs = br->captures;
	struct capture *c;
	unsigned slot;
	int fd;

	if (!p) {
		snprintf(err, errsz, "no port %s on switch %s", port, br->name);
		return -ENOENT;
	}
	if (!dir || (dir & ~CAPTURE_DIR_BOTH) || snaplen < CAPTURE_SNAPLEN_MIN ||
	    snaplen > CAPTURE_SNAPLEN_MAX) {
		snprintf(err, errsz, "bad capture direction or snap length");
		return -EINVAL;
	}
	if (!sock_base || !*sock_base) {
		snprintf(err, errsz, "captures need a control socket path");
		return -EINVAL;
	}
	if (!cs) {
		cs = calloc(1, sizeof(*cs));
		if (!cs) {
			snprintf(err, errsz, "out of memory");
			return -ENOMEM;
		}
		cs->br = br;
		cs->next_id = 1;
		br->captures = cs;
	}
	for (slot = 0; slot < CAPTURE_MAX && cs->cap[slot]; slot++)
		;
	if (slot == CAPTURE_MAX) {
		snprintf(err, errsz, "switch %s already has %d captures", br->name, CAPTURE_MAX);
		return -ENOSPC;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	/* mmap: pages the client keeps up with are never touched */
	c->ring = mmap(NULL, CAPTURE_RING_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (c->ring == MAP_FAILED) {
		free(c);
		snprintf(err, errsz, "out of memory for a %u-byte capture ring", CAPTURE_RING_SIZE);
		return -ENOMEM;
	}
	c->set = cs;
	c->listen.fd = -1;
	c->conn.fd = -1;
	fd = capture_listen(c, sock_base, err, errsz);
	if (fd < 0) {
		int rc = fd;

		munmap(c->ring, CAPTURE_RING_SIZE);
		free(c);
		return rc;
	}
	c->listen = (struct ev_source){ .fd = fd, .cb = capture_accept_cb, .arg = c };
	if (evloop_add(&br->dp->loop, &c->listen, EPOLLIN) < 0) {
		snprintf(err, errsz, "epoll: %s", strerror(errno));
		close(fd);
		unlink(c->path);
		munmap(c->ring, CAPTURE_RING_SIZE);
		free(c);
		return -EIO;
	}
	c->id = cs->next_id++;
	snprintf(c->port, sizeof(c->port), "%s", p->name);
	c->port_idx = p->idx;
	c->dir = dir;
	c->snaplen = snaplen;
	c->count = count;
	c->state = CAPTURE_LISTENING;
	c->created_ns = br->dp->now_ns;
	c->progress_ns = c->created_ns;
	cs->cap[slot] = c;
	t->id = c->id;
	snprintf(t->path, sizeof(t->path), "%s", c->path);
	snprintf(t->token, sizeof(t->token), "%s", c->token);
	return 0;
}

int capture_stop(struct bridge *br, unsigned id)
{
	struct capture_set *cs = br->captures;

	for (unsigned i = 0; cs && i < CAPTURE_MAX; i++) {
		if (cs->cap[i] && cs->cap[i]->id == id) {
			capture_end(cs->cap[i], CAPTURE_END_COUNT);
			return 0;
		}
	}
	return -ENOENT;
}

void capture_port_gone(struct bridge *br, const struct port *p)
{
	struct capture_set *cs = br->captures;

	for (unsigned i = 0; i < CAPTURE_MAX; i++) {
		struct capture *c = cs->cap[i];

		if (c && c->port_idx == p->idx && !strcmp(c->port, p->name)) {
			if (capture_end(c, CAPTURE_END_PORT_GONE) && cs->cap[i] == c) {
				/* Still writing its ring: the index may be reused by a new port. */
				c->port_idx = CAPTURE_PORT_NONE;
			}
		}
	}
}

void capture_tick(struct bridge *br, uint64_t now_ns)
{
	struct capture_set *cs = br->captures;

	for (unsigned i = 0; i < CAPTURE_MAX; i++) {
		struct capture *c = cs->cap[i];

		if (!c)
			continue;
		if ((c->state == CAPTURE_LISTENING || c->state == CAPTURE_HANDSHAKE) &&
		    now_ns - c->created_ns > (uint64_t)CAPTURE_CONNECT_S * NS_PER_S) {
			info("switch %s: capture %u: no client within %d s, dropped", br->name,
			     c->id, CAPTURE_CONNECT_S);
			cs->abandoned++;
			capture_free(c);
		} else if (c->head != c->tail &&
			   now_ns - c->progress_ns > (uint64_t)CAPTURE_STALL_S * NS_PER_S) {
			warn("switch %s: capture %u of port %s: client read nothing for %d s, "
			     "dropped (%llu frames lost to a full ring)",
			     br->name, c->id, c->port, CAPTURE_STALL_S,
			     (unsigned long long)c->dropped);
			cs->stalled++;
			capture_free(c);
		}
	}
}

void capture_set_destroy(struct capture_set *cs)
{
	if (!cs)
		return;
	for (unsigned i = 0; i < CAPTURE_MAX; i++) {
		struct capture *c = cs->cap[i];

		if (!c)
			continue;
		if (c->state == CAPTURE_RUNNING) {
			struct capture_rec_end e = { .frames = c->frames,
						     .dropped = c->dropped,
						     .reason = CAPTURE_END_SHUTDOWN };

			/* best effort: tell the client why, without waiting */
			if (capture_put_record(c, CAPTURE_REC_END, 0, &e, sizeof(e)))
				capture_flush(c);
			if (cs->cap[i] != c)
				continue;
		}
		capture_free(c);
	}
	cs->br->captures = NULL;
	free(cs);
}
