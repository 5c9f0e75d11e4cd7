/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * http.h - an HTTP server (libmicrohttpd) run from the daemon's epoll loop.
 *
 * Theory of operation
 * -------------------
 * The datapath, the control socket and the web server share one thread, so
 * the web server must never make that thread wait. libmicrohttpd runs without
 * threads of its own, in its epoll mode: its epoll fd is registered with the
 * daemon's loop like any other fd, and when it is readable the loop calls
 * MHD_run(), which does whatever socket work is ready without blocking and
 * returns. MHD's own timers (idle connections) are driven by a timerfd
 * re-armed from MHD_get_timeout() after every run; with no connection open
 * there is no timer at all, so an idle web server costs nothing.
 *
 * Hostile clients are bounded, not trusted:
 *  - at most HTTP_CONN_MAX connections; more are refused by MHD;
 *  - each connection has a memory pool of HTTP_CONN_MEMORY bytes for the
 *    request line and headers; a request that does not fit is answered
 *    431/414 by MHD and closed;
 *  - a connection silent for HTTP_IDLE_TIMEOUT_S is closed (MHD);
 *  - one exchange (the request arriving, the handler, the response leaving)
 *    must finish within HTTP_EXCHANGE_DEADLINE_S, or the connection is shut
 *    down: a client that dribbles one byte a second ("slowloris") cannot
 *    hold a slot for longer than that;
 *  - a request body is at most HTTP_BODY_MAX bytes (413 past that);
 *  - only GET, HEAD and POST are served (405).
 *
 * The handler sees a parsed struct http_req (method, path, query arguments in
 * order, the headers it needs, the body) and fills a struct http_resp; it
 * runs in the loop thread, so it may use the daemon's state directly. It is
 * pure with respect to HTTP (no MHD types), so the API and the metrics are
 * unit-tested without sockets.
 */
#ifndef VNET_HTTP_H
#define VNET_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define HTTP_CONN_MAX 128 /* connections served at once, per server */
#define HTTP_CONN_MEMORY (32 * 1024) /* bytes for one request's line and headers */
#define HTTP_IDLE_TIMEOUT_S 10 /* a connection with no traffic this long is closed */
#define HTTP_EXCHANGE_DEADLINE_S 30 /* one request + response must finish within */
#define HTTP_BODY_MAX (64 * 1024) /* bytes in a request body */
#define HTTP_QUERY_MAX 64 /* query arguments passed to the handler */
#define HTTP_LISTEN_BACKLOG 64

struct evloop;
struct http_server;

/**
 * struct http_req - one request, as the handler sees it
 * @method:  "GET", "HEAD" or "POST"
 * @path:    the decoded path, e.g. "/api/v1/port/list/sw0"
 * @n_query: query arguments, in the order the client sent them
 * @qkey/@qval: their decoded keys and values (a value may be "" for "?a")
 * @host:    the Host header, or NULL
 * @authorization: the Authorization header, or NULL
 * @content_type: the Content-Type header, or NULL
 * @body/@body_size: the request body (POST), NUL-terminated, or NULL/0
 */
struct http_req {
	const char *method;
	const char *path;
	unsigned n_query;
	const char *qkey[HTTP_QUERY_MAX];
	const char *qval[HTTP_QUERY_MAX];
	const char *host;
	const char *authorization;
	const char *content_type;
	const char *body;
	size_t body_size;
};

/**
 * struct http_resp - what the handler answers
 * @status:        HTTP status code
 * @content_type:  a static string
 * @body:          the body; freed with free() unless @body_static
 * @body_size:     bytes in @body
 * @body_static:   @body is static data (an embedded file)
 * @allow:         an Allow header (405), static, or NULL
 * @www_authenticate: a WWW-Authenticate header (401), static, or NULL
 * @cache:         a Cache-Control header, static, or NULL for "no-store"
 */
struct http_resp {
	unsigned status;
	const char *content_type;
	char *body;
	size_t body_size;
	bool body_static;
	const char *allow;
	const char *www_authenticate;
	const char *cache;
};

/** http_handler_fn - answer @req into @resp (status 0 = 500) */
typedef void (*http_handler_fn)(void *arg, const struct http_req *req, struct http_resp *resp);

/**
 * struct http_addr - where to listen
 * @ss/@len:  the socket address
 * @loopback: 127.0.0.0/8 or ::1
 * @text:     as given, for messages
 */
struct http_addr {
	struct sockaddr_storage ss;
	socklen_t len;
	bool loopback;
	char text[64];
};

/**
 * http_addr_parse() - "127.0.0.1:9477", "[::1]:8080" or "localhost:8080" to an address
 * Port 0 lets the kernel pick one (http_server_port() tells which).
 * Return: true, or false with @err set. Host names other than "localhost" are refused.
 */
bool http_addr_parse(const char *s, struct http_addr *a, char *err, size_t errsz);

/**
 * http_server_create() - listen on @addr and serve requests from @loop with @fn
 * @name: for log messages ("web", "metrics")
 * Return: the server, or NULL with @err set.
 */
struct http_server *http_server_create(struct evloop *loop, const struct http_addr *addr,
				       const char *name, http_handler_fn fn, void *arg, char *err,
				       size_t errsz);

/** http_server_destroy() - close every connection and the socket; accepts NULL */
void http_server_destroy(struct http_server *s);

/** http_server_port() - the TCP port listened on */
unsigned http_server_port(const struct http_server *s);

/** http_server_n_conns() - connections open now */
unsigned http_server_n_conns(const struct http_server *s);

/**
 * http_resp_text() - set @resp to @status with a copy of @text (plain text)
 * Return: 0, or -ENOMEM (then @resp is a static 500).
 */
int http_resp_text(struct http_resp *resp, unsigned status, const char *text);

/** http_resp_free() - free @resp's body unless static */
void http_resp_free(struct http_resp *resp);

#endif /* VNET_HTTP_H */
