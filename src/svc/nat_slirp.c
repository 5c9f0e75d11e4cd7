// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nat_slirp.c - the first NAT engine: libslirp, driven from the datapath's epoll loop.
 *
 * Theory of operation
 * -------------------
 * libslirp is sans-I/O in the right places (frames in through slirp_input(),
 * frames out through the send_packet callback, the clock through
 * clock_get_ns) but expects a poll() loop: before sleeping the application
 * calls slirp_pollfds_fill(), which lists every socket with the events it
 * wants and a timeout, and after waking slirp_pollfds_poll(), which asks for
 * each listed socket's revents.
 *
 * Here the sockets live in an epoll instance of their own (@inner), which is
 * a single source in the datapath's loop: when any socket is ready the loop
 * calls nat_slirp_poll_cb(), which collects every ready socket with one
 * epoll_wait(0) and runs one slirp_pollfds_poll() for all of them. After
 * anything that can change slirp's sockets (a poll, a timer, a burst of
 * input) nat_slirp_sync() runs slirp_pollfds_fill() and applies the
 * difference to @inner: new sockets added, changed interests modified,
 * vanished ones deleted. A socket slirp closes is reported through
 * unregister_poll_fd first, so a reused fd number is never mistaken for
 * the old socket. A timerfd (@timer) fires when slirp's timeout or one of
 * its timers is due; slirp asks for a timeout only while it has sockets or
 * TCP timers running, so an idle engine never wakes up.
 *
 * Frames slirp emits go to io.output() at once; io.flush() follows each
 * batch produced from our own callbacks (never during input, which runs
 * inside the switch's forwarding of another port's burst).
 *
 * slirp's built-in DHCP server is disabled (the gateway port has its own)
 * and IPv6 is off. The gateway address maps to the host's loopback, the
 * dns address to the host's resolvers from /etc/resolv.conf.
 */
#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <slirp/libslirp.h>

#include "../base/log.h"
#include "../base/util.h"
#include "inet.h"
#include "nat.h"

#define NAT_SLIRP_EVENTS 64 /* ready sockets collected per epoll_wait */
#define NAT_SLIRP_TIMERS 4 /* slirp timers (it uses one, for IPv6 RA) */
#define NAT_SLIRP_FD_MAX (1u << 20) /* largest fd number tracked */
#define NAT_SLIRP_IDLE_TIMEOUT_MS 1000 /* slirp_pollfds_fill's "nothing due" cap */
#define NAT_SLIRP_REG (1u << 31) /* fd registered in @inner */
#define NAT_SLIRP_TRIM_BYTES (64 << 20) /* heap kept before glibc trims it */

/**
 * struct nat_slirp_fd - what we know of one fd number
 * @reg:  NAT_SLIRP_REG | the epoll events registered, or 0
 * @want: epoll events slirp asked for in the current fill
 * @gen:  fill generation that last listed it
 * @revents: epoll events reported in the current poll
 * @reg_idx: position in nat_slirp.reg
 */
struct nat_slirp_fd {
	uint32_t reg;
	uint32_t want;
	uint32_t gen;
	uint32_t revents;
	uint32_t reg_idx;
};

struct nat_slirp_timer {
	bool used;
	SlirpTimerId id;
	void *cb_opaque;
	int64_t expire_ms; /* -1: not armed */
};

/**
 * struct nat_slirp - one libslirp instance
 * @fds/@n_fds:    per-fd state, indexed by fd number (grown on demand)
 * @fill/@n_fill:  fds listed by the last fill, by slirp's index
 * @reg/@n_reg:    fds registered in @inner
 * @in_input:      inside input(): never flush from there
 * @n_polls/@n_syncs/@n_timer: activity counters
 */
struct nat_slirp {
	Slirp *slirp;
	struct dp *dp;
	struct nat_io io;
	struct ev_source inner;
	struct ev_source timer;
	struct nat_slirp_fd *fds;
	unsigned n_fds;
	int *fill;
	unsigned n_fill, cap_fill;
	int *reg;
	unsigned n_reg, cap_reg;
	uint32_t gen;
	uint32_t timeout_ms;
	int64_t armed_ms; /* deadline the timerfd is set for, or -1 */
	struct nat_slirp_timer timers[NAT_SLIRP_TIMERS];
	bool in_input;
	uint64_t n_polls, n_syncs, n_timer, n_syn_refused;
};

static int64_t nat_slirp_now_ms(void)
{
	return (int64_t)(now_ns() / 1000000);
}

static struct nat_slirp_fd *nat_slirp_fd(struct nat_slirp *ns, int fd)
{
	if (fd < 0 || (unsigned)fd >= NAT_SLIRP_FD_MAX)
		return NULL;
	if ((unsigned)fd >= ns->n_fds) {
		unsigned n = MAX(ns->n_fds * 2, 64u);
		struct nat_slirp_fd *f;

		while (n <= (unsigned)fd)
			n *= 2;
		f = realloc(ns->fds, n * sizeof(*f));
		if (!f)
			return NULL;
		memset(f + ns->n_fds, 0, (n - ns->n_fds) * sizeof(*f));
		ns->fds = f;
		ns->n_fds = n;
	}
	return &ns->fds[fd];
}

static bool nat_slirp_grow(int **arr, unsigned *cap, unsigned need)
{
	int *a;
	unsigned n;

	if (need <= *cap)
		return true;
	n = MAX(*cap * 2, 64u);
	while (n < need)
		n *= 2;
	a = realloc(*arr, n * sizeof(int));
	if (!a)
		return false;
	*arr = a;
	*cap = n;
	return true;
}

static uint32_t nat_slirp_to_epoll(int ev)
{
	return (ev & SLIRP_POLL_IN ? EPOLLIN : 0) | (ev & SLIRP_POLL_OUT ? EPOLLOUT : 0) |
	       (ev & SLIRP_POLL_PRI ? EPOLLPRI : 0);
}

static int nat_slirp_from_epoll(uint32_t ev)
{
	return (ev & EPOLLIN ? SLIRP_POLL_IN : 0) | (ev & EPOLLOUT ? SLIRP_POLL_OUT : 0) |
	       (ev & EPOLLPRI ? SLIRP_POLL_PRI : 0) | (ev & EPOLLERR ? SLIRP_POLL_ERR : 0) |
	       (ev & (EPOLLHUP | EPOLLRDHUP) ? SLIRP_POLL_HUP : 0);
}

/* Forget fd @fd in @inner (slirp is about to close it, or stopped listing it). */
static void nat_slirp_unreg(struct nat_slirp *ns, int fd)
{
	struct nat_slirp_fd *f = nat_slirp_fd(ns, fd);
	unsigned i;

	if (!f || !(f->reg & NAT_SLIRP_REG))
		return;
	epoll_ctl(ns->inner.fd, EPOLL_CTL_DEL, fd, NULL);
	i = f->reg_idx;
	ns->reg[i] = ns->reg[--ns->n_reg];
	ns->fds[ns->reg[i]].reg_idx = i;
	f = &ns->fds[fd];
	f->reg = 0;
}

static int nat_slirp_add_poll(int fd, int events, void *opaque)
{
	struct nat_slirp *ns = opaque;
	struct nat_slirp_fd *f = nat_slirp_fd(ns, fd);

	if (!f || !nat_slirp_grow(&ns->fill, &ns->cap_fill, ns->n_fill + 1))
		return -1; /* slirp then skips this socket in poll */
	f->want = nat_slirp_to_epoll(events);
	f->gen = ns->gen;
	ns->fill[ns->n_fill] = fd;
	return (int)ns->n_fill++;
}

static int nat_slirp_get_revents(int idx, void *opaque)
{
	struct nat_slirp *ns = opaque;

	if (idx < 0 || (unsigned)idx >= ns->n_fill)
		return 0;
	return nat_slirp_from_epoll(ns->fds[ns->fill[idx]].revents);
}

/* The earliest of slirp's poll timeout and its timers, as a deadline in ms, or -1. */
static int64_t nat_slirp_deadline(struct nat_slirp *ns, int64_t now)
{
	int64_t d = -1;

	/* slirp caps its timeout at 1 s even with nothing due; sockets wake us through epoll */
	if (ns->timeout_ms < NAT_SLIRP_IDLE_TIMEOUT_MS)
		d = now + ns->timeout_ms;
	for (unsigned i = 0; i < NAT_SLIRP_TIMERS; i++) {
		const struct nat_slirp_timer *t = &ns->timers[i];

		if (t->used && t->expire_ms >= 0 && (d < 0 || t->expire_ms < d))
			d = t->expire_ms;
	}
	return d;
}

/*
 * Set the timerfd for the next deadline. A timer already set to fire no later
 * is left alone (firing early only costs a spurious poll), which saves a
 * syscall on nearly every sync while TCP timers run.
 */
static void nat_slirp_arm(struct nat_slirp *ns)
{
	int64_t now = nat_slirp_now_ms(), d = nat_slirp_deadline(ns, now);
	struct itimerspec its = { 0 };

	if (d >= 0 && ns->armed_ms >= now && ns->armed_ms <= d)
		return;
	if (d < 0 && ns->armed_ms < 0)
		return;
	ns->armed_ms = d;
	if (d >= 0) {
		int64_t ms = MAX(d - now, (int64_t)1);

		its.it_value.tv_sec = ms / 1000;
		its.it_value.tv_nsec = (ms % 1000) * 1000000;
	}
	timerfd_settime(ns->timer.fd, 0, &its, NULL);
}

/* Re-read slirp's socket list and make @inner match it; re-arm the timer. */
static void nat_slirp_sync(struct nat_slirp *ns)
{
	ns->n_syncs++;
	ns->gen++;
	ns->n_fill = 0;
	ns->timeout_ms = UINT32_MAX;
	slirp_pollfds_fill(ns->slirp, &ns->timeout_ms, nat_slirp_add_poll, ns);
	for (unsigned i = 0; i < ns->n_fill; i++) {
		int fd = ns->fill[i];
		struct nat_slirp_fd *f = &ns->fds[fd];
		struct epoll_event ev = { .events = f->want, .data.fd = fd };

		if (f->reg == (NAT_SLIRP_REG | f->want))
			continue;
		if (f->reg & NAT_SLIRP_REG) {
			if (epoll_ctl(ns->inner.fd, EPOLL_CTL_MOD, fd, &ev) < 0 && errno == ENOENT)
				epoll_ctl(ns->inner.fd, EPOLL_CTL_ADD, fd, &ev);
		} else {
			if (!nat_slirp_grow(&ns->reg, &ns->cap_reg, ns->n_reg + 1))
				continue;
			if (epoll_ctl(ns->inner.fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
				if (errno != EEXIST ||
				    epoll_ctl(ns->inner.fd, EPOLL_CTL_MOD, fd, &ev) < 0)
					continue;
			}
			f->reg_idx = ns->n_reg;
			ns->reg[ns->n_reg++] = fd;
		}
		f->reg = NAT_SLIRP_REG | f->want;
	}
	for (unsigned i = 0; i < ns->n_reg;) {
		int fd = ns->reg[i];

		if (ns->fds[fd].gen != ns->gen)
			nat_slirp_unreg(ns, fd); /* swaps another fd into slot i */
		else
			i++;
	}
	nat_slirp_arm(ns);
}

/* Run slirp's poll with the revents collected so far (none for a timer), then resync. */
static void nat_slirp_poll(struct nat_slirp *ns, const struct epoll_event *evs, int n)
{
	ns->n_polls++;
	for (int i = 0; i < n; i++) {
		struct nat_slirp_fd *f = nat_slirp_fd(ns, evs[i].data.fd);

		if (f)
			f->revents = evs[i].events;
	}
	slirp_pollfds_poll(ns->slirp, 0, nat_slirp_get_revents, ns);
	for (int i = 0; i < n; i++) {
		struct nat_slirp_fd *f = nat_slirp_fd(ns, evs[i].data.fd);

		if (f)
			f->revents = 0;
	}
	nat_slirp_sync(ns);
	ns->io.flush(ns->io.arg);
}

static void nat_slirp_poll_cb(struct ev_source *src, uint32_t events)
{
	struct nat_slirp *ns = src->arg;
	struct epoll_event evs[NAT_SLIRP_EVENTS];
	int n;

	(void)events;
	n = epoll_wait(ns->inner.fd, evs, NAT_SLIRP_EVENTS, 0);
	if (n <= 0)
		return;
	nat_slirp_poll(ns, evs, n);
}

static void nat_slirp_timer_cb(struct ev_source *src, uint32_t events)
{
	struct nat_slirp *ns = src->arg;
	int64_t now = nat_slirp_now_ms();
	uint64_t ticks;

	(void)events;
	if (read(ns->timer.fd, &ticks, sizeof(ticks)) < 0 && errno == EAGAIN)
		return;
	ns->n_timer++;
	ns->armed_ms = -1;
	for (unsigned i = 0; i < NAT_SLIRP_TIMERS; i++) {
		struct nat_slirp_timer *t = &ns->timers[i];

		if (t->used && t->expire_ms >= 0 && t->expire_ms <= now) {
			t->expire_ms = -1;
			slirp_handle_timer(ns->slirp, t->id, t->cb_opaque);
		}
	}
	nat_slirp_poll(ns, NULL, 0);
}

/* ---- libslirp callbacks ---- */

static ssize_t nat_slirp_send_packet(const void *buf, size_t len, void *opaque)
{
	struct nat_slirp *ns = opaque;

	ns->io.output(ns->io.arg, buf, len);
	return (ssize_t)len;
}

static void nat_slirp_guest_error(const char *msg, void *opaque)
{
	(void)opaque;
	log_ratelimited(LOG_LVL_INFO, "nat: guest error: %s", msg);
}

static int64_t nat_slirp_clock_get_ns(void *opaque)
{
	(void)opaque;
	return (int64_t)now_ns();
}

static void *nat_slirp_timer_new_opaque(SlirpTimerId id, void *cb_opaque, void *opaque)
{
	struct nat_slirp *ns = opaque;

	for (unsigned i = 0; i < NAT_SLIRP_TIMERS; i++) {
		struct nat_slirp_timer *t = &ns->timers[i];

		if (!t->used) {
			*t = (struct nat_slirp_timer){
				.used = true, .id = id, .cb_opaque = cb_opaque, .expire_ms = -1
			};
			return t;
		}
	}
	err("nat: more than %d slirp timers", NAT_SLIRP_TIMERS);
	return NULL;
}

static void nat_slirp_timer_free(void *timer, void *opaque)
{
	struct nat_slirp_timer *t = timer;

	(void)opaque;
	if (t)
		t->used = false;
}

static void nat_slirp_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	struct nat_slirp_timer *t = timer;

	if (!t)
		return;
	t->expire_ms = expire_ms;
	nat_slirp_arm(opaque);
}

static void nat_slirp_register_poll_fd(int fd, void *opaque)
{
	(void)fd;
	(void)opaque; /* sockets are picked up by the next fill */
}

static void nat_slirp_unregister_poll_fd(int fd, void *opaque)
{
	nat_slirp_unreg(opaque, fd);
}

/*
 * notify: a guestfwd socket can take more data. We have no guestfwds, and
 * every poll, timer and input burst ends with a sync anyway; syncing here
 * could renumber the socket list under a running slirp_pollfds_poll().
 */
static void nat_slirp_notify(void *opaque)
{
	(void)opaque;
}

static const SlirpCb nat_slirp_cb = {
	.send_packet = nat_slirp_send_packet,
	.guest_error = nat_slirp_guest_error,
	.clock_get_ns = nat_slirp_clock_get_ns,
	.timer_free = nat_slirp_timer_free,
	.timer_mod = nat_slirp_timer_mod,
	.register_poll_fd = nat_slirp_register_poll_fd,
	.unregister_poll_fd = nat_slirp_unregister_poll_fd,
	.notify = nat_slirp_notify,
	.timer_new_opaque = nat_slirp_timer_new_opaque,
};

/* ---- engine ops ---- */

static void nat_slirp_destroy(void *eng)
{
	struct nat_slirp *ns = eng;

	if (!ns)
		return;
	if (ns->slirp)
		slirp_cleanup(ns->slirp);
	if (ns->inner.fd >= 0) {
		evloop_del(&ns->dp->loop, &ns->inner);
		close(ns->inner.fd);
	}
	if (ns->timer.fd >= 0) {
		evloop_del(&ns->dp->loop, &ns->timer);
		close(ns->timer.fd);
	}
	free(ns->fds);
	free(ns->fill);
	free(ns->reg);
	free(ns);
}

static void *nat_slirp_create(struct dp *dp, struct nat_config *cfg, const struct nat_io *io,
			      char *err, size_t errsz)
{
	struct nat_slirp *ns = calloc(1, sizeof(*ns));
	SlirpConfig sc = { 0 };

	if (!ns) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	ns->dp = dp;
	ns->io = *io;
	ns->armed_ms = -1;
	/*
	 * libslirp allocates and frees an mbuf per frame and socket buffers per
	 * connection; with glibc's default trim threshold every free at the top
	 * of the heap returns memory with brk() only to ask for it again.
	 */
	mallopt(M_TRIM_THRESHOLD, NAT_SLIRP_TRIM_BYTES);
	ns->inner = (struct ev_source){ .fd = epoll_create1(EPOLL_CLOEXEC),
					.cb = nat_slirp_poll_cb,
					.arg = ns };
	ns->timer = (struct ev_source){ .fd = timerfd_create(CLOCK_MONOTONIC,
							     TFD_NONBLOCK | TFD_CLOEXEC),
					.cb = nat_slirp_timer_cb,
					.arg = ns };
	if (ns->inner.fd < 0 || ns->timer.fd < 0) {
		snprintf(err, errsz, "NAT event fds: %s", strerror(errno));
		goto fail;
	}
	sc.version = 4;
	sc.in_enabled = true;
	sc.vnetwork.s_addr = htonl(cfg->net);
	sc.vnetmask.s_addr = htonl(inet_mask(cfg->plen));
	sc.vhost.s_addr = htonl(cfg->gw);
	sc.vnameserver.s_addr = htonl(cfg->dns_ip);
	sc.vdhcp_start.s_addr = htonl(cfg->net | 0x0f); /* unused: DHCP is disabled */
	sc.in6_enabled = false;
	sc.if_mtu = MIN(cfg->mtu, (uint32_t)NAT_MTU_MAX);
	sc.if_mru = sc.if_mtu;
	sc.disable_dhcp = true;
	ns->slirp = slirp_new(&sc, &nat_slirp_cb, ns);
	if (!ns->slirp) {
		snprintf(err, errsz, "libslirp refused the configuration");
		goto fail;
	}
	if (evloop_add(&dp->loop, &ns->inner, EPOLLIN) < 0 ||
	    evloop_add(&dp->loop, &ns->timer, EPOLLIN) < 0) {
		snprintf(err, errsz, "NAT event fds: %s", strerror(errno));
		goto fail;
	}
	/* slirp answers from 52:55 followed by the gateway address (if_encap). */
	cfg->mac[0] = 0x52;
	cfg->mac[1] = 0x55;
	cfg->mac[2] = (uint8_t)(cfg->gw >> 24);
	cfg->mac[3] = (uint8_t)(cfg->gw >> 16);
	cfg->mac[4] = (uint8_t)(cfg->gw >> 8);
	cfg->mac[5] = (uint8_t)cfg->gw;
	nat_slirp_sync(ns);
	return ns;
fail:
	nat_slirp_destroy(ns);
	return NULL;
}

/* A TCP SYN (no ACK) from a VM: a new outgoing connection. */
static bool nat_slirp_is_syn(const uint8_t *f, size_t size)
{
	size_t ihl;

	if (size < 14 + 20 || f[12] != 0x08 || f[13] != 0x00 || f[23] != 6)
		return false;
	ihl = (size_t)(f[14] & 0xf) * 4;
	if (size < 14 + ihl + 14)
		return false;
	return (f[14 + ihl + 13] & 0x12) == 0x02;
}

static void nat_slirp_input(void *eng, const uint8_t *frame, size_t size)
{
	struct nat_slirp *ns = eng;

	if (size > INT32_MAX)
		return;
	if (ns->n_fill >= NAT_FLOWS_MAX && nat_slirp_is_syn(frame, size)) {
		ns->n_syn_refused++;
		log_ratelimited(LOG_LVL_WARN, "nat: %d host sockets open: new connection refused",
				NAT_FLOWS_MAX);
		return;
	}
	ns->in_input = true;
	slirp_input(ns->slirp, frame, (int)size);
	ns->in_input = false;
}

static void nat_slirp_input_done(void *eng)
{
	nat_slirp_sync(eng);
}

static int nat_slirp_fwd_add(void *eng, const struct nat_fwd *f)
{
	struct nat_slirp *ns = eng;
	struct in_addr h = { htonl(f->host_ip) }, g = { htonl(f->guest_ip) };

	errno = 0;
	if (slirp_add_hostfwd(ns->slirp, f->proto == NAT_UDP, h, f->host_port, g, f->guest_port) <
	    0)
		return errno ? -errno : -EIO;
	nat_slirp_sync(ns);
	return 0;
}

static int nat_slirp_fwd_del(void *eng, const struct nat_fwd *f)
{
	struct nat_slirp *ns = eng;
	struct in_addr h = { htonl(f->host_ip) };
	int rc = slirp_remove_hostfwd(ns->slirp, f->proto == NAT_UDP, h, f->host_port);

	nat_slirp_sync(ns);
	return rc < 0 ? -ENOENT : 0;
}

/* One line of slirp_connection_info(): "  TCP[ESTABLISHED]   13  src sport  dst dport rq sq" */
static json_t *nat_slirp_flow(const char *line)
{
	const char *lb = strchr(line, '['), *rb = lb ? strchr(lb, ']') : NULL;
	char proto[8], state[32], src[20], dst[20];
	int fd, sport, dport, rq, sq;
	size_t pl, sl;

	if (!lb || !rb)
		return NULL;
	while (*line == ' ')
		line++;
	pl = (size_t)(lb - line);
	sl = (size_t)(rb - lb - 1);
	if (!pl || pl >= sizeof(proto) || sl >= sizeof(state))
		return NULL;
	memcpy(proto, line, pl);
	proto[pl] = '\0';
	memcpy(state, lb + 1, sl);
	state[sl] = '\0';
	if (sscanf(rb + 1, "%d %19s %d %19s %d %d %d", &fd, src, &sport, dst, &dport, &rq, &sq) !=
	    7)
		return NULL;
	for (char *c = proto; *c; c++)
		*c = (char)(*c | 0x20);
	return json_pack("{s:s, s:s, s:s, s:i, s:s, s:i, s:i, s:i}", "proto", proto, "state", state,
			 "src", src, "sport", sport, "dst", dst, "dport", dport, "recvq", rq,
			 "sendq", sq);
}

static json_t *nat_slirp_flows(void *eng)
{
	struct nat_slirp *ns = eng;
	char *info = slirp_connection_info(ns->slirp), *save = NULL;
	json_t *arr = json_array();

	if (!info)
		return arr;
	for (char *l = strtok_r(info, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		json_t *o = nat_slirp_flow(l);

		if (o)
			json_array_append_new(arr, o);
	}
	free(info); /* g_free() is free() since GLib 2.46 */
	return arr;
}

static unsigned nat_slirp_n_flows(void *eng)
{
	return ((struct nat_slirp *)eng)->n_fill;
}

const struct nat_engine_ops nat_slirp_ops = {
	.name = "slirp",
	.create = nat_slirp_create,
	.destroy = nat_slirp_destroy,
	.input = nat_slirp_input,
	.input_done = nat_slirp_input_done,
	.fwd_add = nat_slirp_fwd_add,
	.fwd_del = nat_slirp_fwd_del,
	.flows = nat_slirp_flows,
	.n_flows = nat_slirp_n_flows,
};
