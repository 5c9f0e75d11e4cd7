// SPDX-License-Identifier: GPL-2.0-or-later
/* http.c - libmicrohttpd in the daemon's epoll loop, with limits for hostile clients (see http.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <microhttpd.h>

#include "../base/evloop.h"
#include "../base/log.h"
#include "../base/util.h"
#include "http.h"

/* Headers every response carries: no sniffing, no framing, no referrer, same-origin only. */
#define HTTP_CSP                                                                          \
	"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " \
	"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

/**
 * struct http_conn - one TCP connection (MHD's "socket context")
 * @c:        MHD's connection
 * @deadline_ns: when the exchange in progress must be over (UINT64_MAX: shut down already)
 */
struct http_conn {
	struct MHD_Connection *c;
	uint64_t deadline_ns;
};

/**
 * struct http_reqctx - one request in progress (MHD's "con_cls")
 * @body/@size/@cap: the body received so far (NUL-terminated)
 * @too_large: the body passed HTTP_BODY_MAX; the rest is discarded, the answer is 413
 */
struct http_reqctx {
	char *body;
	size_t size, cap;
	bool too_large;
};

/**
 * struct http_server - one listening server
 * @mhd:     libmicrohttpd's daemon (no threads of its own)
 * @loop:    the loop it runs in
 * @ev:      MHD's epoll fd, watched by @loop
 * @timer:   timerfd for MHD's own timeouts (MHD_get_timeout), disarmed when none
 * @tick:    1 s timerfd for exchange deadlines, armed while connections are open
 * @name:    "web" or "metrics", for log messages
 * @fn/@arg: the request handler
 * @conns:   open connections; NULL slots are free
 * @n_conns: how many
 * @rerun:   a connection closed while at HTTP_CONN_MAX: run MHD again soon, since
 *           it re-arms its listening socket only at the start of a run
 * @port:    the TCP port
 */
struct http_server {
	struct MHD_Daemon *mhd;
	struct evloop *loop;
	struct ev_source ev;
	struct ev_source timer;
	struct ev_source tick;
	char name[16];
	http_handler_fn fn;
	void *arg;
	struct http_conn *conns[HTTP_CONN_MAX];
	unsigned n_conns;
	bool rerun;
	unsigned port;
};

bool http_addr_parse(const char *s, struct http_addr *a, char *err, size_t errsz)
{
	char host[64];
	const char *colon, *port_s;
	unsigned long port;
	char *end;

	memset(a, 0, sizeof(*a));
	if (strlen(s) >= sizeof(a->text)) {
		snprintf(err, errsz, "'%.64s...' is too long for ADDR:PORT", s);
		return false;
	}
	snprintf(a->text, sizeof(a->text), "%s", s);
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof(host)) {
			snprintf(err, errsz, "'%s': expected [IPV6]:PORT", s);
			return false;
		}
		snprintf(host, sizeof(host), "%.*s", (int)(close - s - 1), s + 1);
		port_s = close + 2;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host) || strchr(s, ':') != colon) {
			snprintf(err, errsz, "'%s': expected ADDR:PORT (IPv6 as [ADDR]:PORT)", s);
			return false;
		}
		snprintf(host, sizeof(host), "%.*s", (int)(colon - s), s);
		port_s = colon + 1;
	}
	errno = 0;
	port = strtoul(port_s, &end, 10);
	if (!*port_s || *end || errno || port > 65535 || *port_s == '-' || *port_s == '+') {
		snprintf(err, errsz, "'%s': the port must be 0..65535", s);
		return false;
	}
	if (!strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	if (s[0] == '[') {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;

		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1) {
			snprintf(err, errsz, "'%s': '%s' is not an IPv6 address", s, host);
			return false;
		}
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		a->len = sizeof(*sin6);
		a->loopback = IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;

		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1) {
			snprintf(err, errsz, "'%s': '%s' is not an IPv4 address (or localhost)", s,
				 host);
			return false;
		}
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		a->len = sizeof(*sin);
		a->loopback = (ntohl(sin->sin_addr.s_addr) >> 24) == 127;
	}
	return true;
}

/* ---- MHD callbacks (all run inside MHD_run(), in the loop thread) ---- */

static void http_log_cb(void *cls, const char *fmt, va_list ap)
{
	struct http_server *s = cls;
	char msg[256];
	size_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = '\0';
	/* What MHD reports is nearly always a client's fault: keep it quiet and bounded. */
	log_ratelimited(LOG_LVL_DEBUG, "%s: %s", s->name, msg);
}

static void http_conn_cb(void *cls, struct MHD_Connection *c, void **socket_context,
			 enum MHD_ConnectionNotificationCode toe)
{
	struct http_server *s = cls;
	struct http_conn *hc = *socket_context;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		unsigned slot;

		for (slot = 0; slot < HTTP_CONN_MAX && s->conns[slot]; slot++)
			;
		/* MHD enforces HTTP_CONN_MAX itself; without a slot, only the deadline is lost. */
		if (slot == HTTP_CONN_MAX)
			return;
		hc = calloc(1, sizeof(*hc));
		if (!hc)
			return;
		hc->c = c;
		hc->deadline_ns = now_ns() + HTTP_EXCHANGE_DEADLINE_S * NS_PER_S;
		s->conns[slot] = hc;
		*socket_context = hc;
		if (s->n_conns++ == 0) {
			struct itimerspec its = { .it_value.tv_sec = 1, .it_interval.tv_sec = 1 };

			timerfd_settime(s->tick.fd, 0, &its, NULL);
		}
		return;
	}
	if (!hc)
		return;
	for (unsigned i = 0; i < HTTP_CONN_MAX; i++) {
		if (s->conns[i] == hc) {
			s->conns[i] = NULL;
			if (s->n_conns == HTTP_CONN_MAX)
				s->rerun = true;
			if (--s->n_conns == 0) {
				struct itimerspec its = { 0 };

				timerfd_settime(s->tick.fd, 0, &its, NULL);
			}
			break;
		}
	}
	free(hc);
	*socket_context = NULL;
}

static void http_completed_cb(void *cls, struct MHD_Connection *c, void **con_cls,
			      enum MHD_RequestTerminationCode toe)
{
	struct http_reqctx *rc = *con_cls;
	const union MHD_ConnectionInfo *ci;

	(void)cls;
	(void)toe;
	if (rc) {
		free(rc->body);
		free(rc);
		*con_cls = NULL;
	}
	/* The next request on this keep-alive connection gets a fresh deadline. */
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (ci && ci->socket_context) {
		struct http_conn *hc = ci->socket_context;

		if (hc->deadline_ns != UINT64_MAX)
			hc->deadline_ns = now_ns() + HTTP_EXCHANGE_DEADLINE_S * NS_PER_S;
	}
}

struct http_query_iter {
	struct http_req *req;
	bool overflow;
};

static enum MHD_Result http_query_cb(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	struct http_query_iter *it = cls;

	(void)kind;
	if (it->req->n_query == HTTP_QUERY_MAX) {
		it->overflow = true;
		return MHD_NO;
	}
	it->req->qkey[it->req->n_query] = key;
	it->req->qval[it->req->n_query] = value ? value : "";
	it->req->n_query++;
	return MHD_YES;
}

static enum MHD_Result http_queue(struct MHD_Connection *c, struct http_resp *resp)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (!resp->status)
		resp->status = 500;
	if (!resp->body)
		http_resp_text(resp, resp->status, "");
	r = MHD_create_response_from_buffer(resp->body_size, resp->body,
					    resp->body_static ? MHD_RESPMEM_PERSISTENT
							      : MHD_RESPMEM_MUST_FREE);
	if (!r) {
		http_resp_free(resp);
		return MHD_NO;
	}
	/* MHD owns a MUST_FREE body now. */
	resp->body = NULL;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				resp->content_type ? resp->content_type
						   : "text/plain; charset=utf-8");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
				resp->cache ? resp->cache : "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Content-Security-Policy", HTTP_CSP);
	if (resp->allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, resp->allow);
	if (resp->www_authenticate)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					resp->www_authenticate);
	ret = MHD_queue_response(c, resp->status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result http_error(struct MHD_Connection *c, unsigned status, const char *msg,
				  const char *allow)
{
	struct http_resp resp = { 0 };

	http_resp_text(&resp, status, msg);
	resp.allow = allow;
	return http_queue(c, &resp);
}

static enum MHD_Result http_access_cb(void *cls, struct MHD_Connection *c, const char *url,
				      const char *method, const char *version,
				      const char *upload_data, size_t *upload_data_size,
				      void **con_cls)
{
	struct http_server *s = cls;
	struct http_reqctx *rc = *con_cls;
	struct http_req req = { 0 };
	struct http_resp resp = { 0 };
	struct http_query_iter it = { .req = &req };
	bool is_get = !strcmp(method, MHD_HTTP_METHOD_GET);
	bool is_head = !strcmp(method, MHD_HTTP_METHOD_HEAD);
	bool is_post = !strcmp(method, MHD_HTTP_METHOD_POST);

	(void)version;
	if (!rc) {
		/* First call: the headers are in. Refuse what we will not serve before any body. */
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);

		if (!is_get && !is_head && !is_post)
			return http_error(c, 405, "method not allowed\n", "GET, HEAD, POST");
		/* A declared body too large is refused now, not read (MHD then closes). */
		if (cl && strtoull(cl, NULL, 10) > HTTP_BODY_MAX) {
			log_ratelimited(LOG_LVL_INFO, "%s: refused a request body over %d bytes",
					s->name, HTTP_BODY_MAX);
			return http_error(c, 413, "request body too large\n", NULL);
		}
		rc = calloc(1, sizeof(*rc));
		if (!rc)
			return MHD_NO;
		*con_cls = rc;
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (rc->too_large || !is_post || rc->size + n > HTTP_BODY_MAX) {
			rc->too_large = true;
			return MHD_YES;
		}
		if (rc->size + n + 1 > rc->cap) {
			size_t cap = MAX(rc->cap * 2, rc->size + n + 1);
			char *b;

			cap = MIN(cap, (size_t)HTTP_BODY_MAX + 1);
			b = realloc(rc->body, cap);
			if (!b)
				return MHD_NO;
			rc->body = b;
			rc->cap = cap;
		}
		memcpy(rc->body + rc->size, upload_data, n);
		rc->size += n;
		rc->body[rc->size] = '\0';
		return MHD_YES;
	}
	if (rc->too_large) {
		log_ratelimited(LOG_LVL_INFO, "%s: refused a request body over %d bytes", s->name,
				HTTP_BODY_MAX);
		return http_error(c, 413, "request body too large (or a body where none belongs)\n",
				  NULL);
	}
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, http_query_cb, &it);
	if (it.overflow)
		return http_error(c, 400, "too many query arguments\n", NULL);
	req.method = is_head ? MHD_HTTP_METHOD_GET : method;
	req.path = url;
	req.host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
	req.authorization =
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	req.content_type =
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
	req.body = rc->body;
	req.body_size = rc->size;
	s->fn(s->arg, &req, &resp);
	return http_queue(c, &resp);
}

/* ---- the loop side ---- */

/* Let MHD do what is ready, then arm the timer for what it must do next. */
static void http_run(struct http_server *s)
{
	MHD_UNSIGNED_LONG_LONG ms;
	struct itimerspec its = { 0 };

	s->rerun = false;
	MHD_run(s->mhd);
	if (s->rerun) {
		/* below the limit again: the next run accepts who waits in the backlog */
		its.it_value.tv_nsec = 1;
	} else if (MHD_get_timeout(s->mhd, &ms) == MHD_YES) {
		if (ms == 0) {
			its.it_value.tv_nsec = 1; /* work pending now: run again from the loop */
		} else {
			its.it_value.tv_sec = (time_t)(ms / 1000);
			its.it_value.tv_nsec = (long)(ms % 1000) * 1000000L;
		}
	}
	timerfd_settime(s->timer.fd, 0, &its, NULL);
}

static void http_ev_cb(struct ev_source *src, uint32_t events)
{
	(void)events;
	http_run(src->arg);
}

static void http_timer_cb(struct ev_source *src, uint32_t events)
{
	struct http_server *s = src->arg;
	uint64_t ticks;

	(void)events;
	if (read(src->fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		debug("%s: timer: %s", s->name, strerror(errno));
	http_run(s);
}

/*
 * Exchange deadlines: shut a late connection's socket down. MHD sees the
 * socket end (its epoll fd becomes readable) and closes the connection
 * through its normal path, so its state stays consistent.
 */
static void http_tick_cb(struct ev_source *src, uint32_t events)
{
	struct http_server *s = src->arg;
	uint64_t ticks, now = now_ns();
	bool any = false;

	(void)events;
	if (read(src->fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		debug("%s: tick: %s", s->name, strerror(errno));
	for (unsigned i = 0; i < HTTP_CONN_MAX; i++) {
		struct http_conn *hc = s->conns[i];
		const union MHD_ConnectionInfo *ci;

		if (!hc || hc->deadline_ns == UINT64_MAX || now < hc->deadline_ns)
			continue;
		ci = MHD_get_connection_info(hc->c, MHD_CONNECTION_INFO_CONNECTION_FD);
		if (ci && ci->connect_fd >= 0)
			shutdown(ci->connect_fd, SHUT_RDWR);
		hc->deadline_ns = UINT64_MAX;
		any = true;
		log_ratelimited(LOG_LVL_INFO,
				"%s: closed a connection whose request took over %d s", s->name,
				HTTP_EXCHANGE_DEADLINE_S);
	}
	if (any)
		http_run(s);
}

static int http_timerfd(struct http_server *s, struct ev_source *src, ev_cb cb)
{
	*src = (struct ev_source){ .fd = timerfd_create(CLOCK_MONOTONIC,
							TFD_NONBLOCK | TFD_CLOEXEC),
				   .cb = cb,
				   .arg = s };
	if (src->fd < 0)
		return -errno;
	return evloop_add(s->loop, src, EPOLLIN);
}

struct http_server *http_server_create(struct evloop *loop, const struct http_addr *addr,
				       const char *name, http_handler_fn fn, void *arg, char *err,
				       size_t errsz)
{
	struct http_server *s = calloc(1, sizeof(*s));
	const union MHD_DaemonInfo *di;
	unsigned flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	int rc;

	if (!s) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	s->loop = loop;
	s->fn = fn;
	s->arg = arg;
	s->ev.fd = s->timer.fd = s->tick.fd = -1;
	snprintf(s->name, sizeof(s->name), "%s", name);
	if (addr->ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->mhd = MHD_start_daemon(
		flags, 0, NULL, NULL, http_access_cb, s, MHD_OPTION_EXTERNAL_LOGGER, http_log_cb, s,
		MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)&addr->ss,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_CONN_MAX,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_CONN_MEMORY,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_IDLE_TIMEOUT_S,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)HTTP_LISTEN_BACKLOG,
		MHD_OPTION_STRICT_FOR_CLIENT, 1, MHD_OPTION_NOTIFY_CONNECTION, http_conn_cb, s,
		MHD_OPTION_NOTIFY_COMPLETED, http_completed_cb, s, MHD_OPTION_END);
	if (!s->mhd) {
		snprintf(err, errsz, "%s: cannot listen on %s (in use, or not an address here?)",
			 name, addr->text);
		free(s);
		return NULL;
	}
	di = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (!di || di->epoll_fd < 0) {
		snprintf(err, errsz, "%s: libmicrohttpd has no epoll fd", name);
		goto err_mhd;
	}
	s->ev = (struct ev_source){ .fd = di->epoll_fd, .cb = http_ev_cb, .arg = s };
	di = MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : 0;
	rc = evloop_add(loop, &s->ev, EPOLLIN);
	if (rc < 0) {
		snprintf(err, errsz, "%s: epoll: %s", name, strerror(-rc));
		s->ev.fd = -1;
		goto err_mhd;
	}
	rc = http_timerfd(s, &s->timer, http_timer_cb);
	if (!rc)
		rc = http_timerfd(s, &s->tick, http_tick_cb);
	if (rc < 0) {
		snprintf(err, errsz, "%s: timerfd: %s", name, strerror(-rc));
		goto err_mhd;
	}
	http_run(s);
	return s;

err_mhd:
	http_server_destroy(s);
	return NULL;
}

void http_server_destroy(struct http_server *s)
{
	if (!s)
		return;
	if (s->ev.fd >= 0)
		evloop_del(s->loop, &s->ev);
	/* Closes the connections (http_conn_cb frees their contexts) and the epoll fd. */
	if (s->mhd)
		MHD_stop_daemon(s->mhd);
	if (s->timer.fd >= 0) {
		evloop_del(s->loop, &s->timer);
		close(s->timer.fd);
	}
	if (s->tick.fd >= 0) {
		evloop_del(s->loop, &s->tick);
		close(s->tick.fd);
	}
	free(s);
}

unsigned http_server_port(const struct http_server *s)
{
	return s->port;
}

unsigned http_server_n_conns(const struct http_server *s)
{
	return s->n_conns;
}
