// SPDX-License-Identifier: GPL-2.0-or-later
/* ctl.c - the control server: nonblocking JSON-lines over a unix socket (see ctl.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>
#include <jansson.h>

#include "../base/evloop.h"
#include "../base/log.h"
#include "../base/util.h"
#include "cmd_table.h"
#include "config.h"
#include "ctl.h"
#include "vnetd.h"

#define CTL_ACCEPT_BURST 16 /* connections accepted per wakeup */
#define CTL_READ_CHUNK 16384 /* bytes read per read() */
#define CTL_DRAIN_MAX (1024 * 1024) /* bytes discarded after an oversized request */
#define CTL_SOCKET_MODE 0660
#define CTL_SOCKET_GROUP "vnet"

/**
 * struct ctl_client - one connection
 * @ev:      its socket in the loop
 * @srv:     the server
 * @slot:    index in srv->clients
 * @in:      bytes received and not yet run (CTL_REQUEST_MAX + 1 bytes)
 * @in_len:  bytes in @in
 * @out:     reply bytes not yet written, from @out_off to @out_len
 * @last_ns: last time the client made progress (idle timeout)
 * @eof:     the client shut down its sending side
 * @closing: close once @out is written (oversized request, EOF)
 * @draining: discarding input until EOF before closing, so that closing with
 *           unread data (which sends a reset) does not destroy the error reply
 * @drained: bytes discarded so far (at most CTL_DRAIN_MAX)
 * @events:  the epoll events watched now
 */
struct ctl_client {
	struct ev_source ev;
	struct ctl_server *srv;
	unsigned slot;
	char *in;
	size_t in_len;
	char *out;
	size_t out_len, out_off;
	uint64_t last_ns;
	bool eof;
	bool closing;
	bool draining;
	size_t drained;
	uint32_t events;
};

/**
 * struct ctl_server - the listening socket and its clients
 * @d:        the daemon the commands act on
 * @loop:     the loop it runs in
 * @listen:   the listening socket
 * @timer:    timerfd for idle timeouts, armed while clients are connected
 * @path:     the socket's path, removed on destroy
 * @clients:  connected clients; NULL slots are free
 * @n_clients: clients connected
 */
struct ctl_server {
	struct vnetd *d;
	struct evloop *loop;
	struct ev_source listen;
	struct ev_source timer;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	struct ctl_client *clients[CTL_CLIENTS_MAX];
	unsigned n_clients;
};

bool ctl_request_parse(const char *line, size_t size, struct ctl_request *req, char *err,
		       size_t errsz)
{
	json_error_t je;
	json_t *root, *cmd, *args, *a;
	size_t off = 0, i;
	bool ok = false;

	req->argc = 0;
	req->argv[0] = NULL;
	req->cmd[0] = '\0';
	if (size > CTL_REQUEST_MAX) {
		snprintf(err, errsz, "request longer than %d bytes", CTL_REQUEST_MAX);
		return false;
	}
	root = json_loadb(line, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	if (!root) {
		snprintf(err, errsz, "malformed JSON request at column %d: %s", je.column, je.text);
		return false;
	}
	if (!json_is_object(root)) {
		snprintf(err, errsz, "the request must be a JSON object");
		goto out;
	}
	cmd = json_object_get(root, "cmd");
	if (!cmd) {
		snprintf(err, errsz, "the request has no \"cmd\"");
		goto out;
	}
	if (!json_is_string(cmd) || json_string_length(cmd) == 0 ||
	    json_string_length(cmd) >= sizeof(req->cmd) ||
	    strlen(json_string_value(cmd)) != json_string_length(cmd)) {
		snprintf(err, errsz, "\"cmd\" must be a command name string");
		goto out;
	}
	args = json_object_get(root, "args");
	if (args && !json_is_array(args)) {
		snprintf(err, errsz, "\"args\" must be an array of strings");
		goto out;
	}
	if (json_array_size(args) > CTL_ARGS_MAX) {
		snprintf(err, errsz, "too many arguments (at most %d)", CTL_ARGS_MAX);
		goto out;
	}
	json_array_foreach(args, i, a)
	{
		size_t n;

		if (!json_is_string(a)) {
			snprintf(err, errsz, "args[%zu] must be a string", i);
			goto out;
		}
		n = json_string_length(a);
		if (strlen(json_string_value(a)) != n || off + n + 1 > sizeof(req->strbuf)) {
			snprintf(err, errsz, "args[%zu] is not a valid argument", i);
			goto out;
		}
		memcpy(req->strbuf + off, json_string_value(a), n + 1);
		req->argv[i] = req->strbuf + off;
		off += n + 1;
	}
	req->argc = (int)json_array_size(args);
	req->argv[req->argc] = NULL;
	memcpy(req->cmd, json_string_value(cmd), json_string_length(cmd) + 1);
	ok = true;
out:
	json_decref(root);
	return ok;
}

/* Replace what cannot go into a JSON string as-is (non-ASCII from a cut argument, controls). */
static void ctl_sanitize(char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x80 || (c < 0x20 && c != '\n' && c != '\t'))
			*s = '?';
	}
}

/* json_dumps() of @reply with a newline; steals @reply. */
static char *ctl_reply_finish(json_t *reply, size_t *reply_size)
{
	char *s, *line;
	size_t n;

	if (!reply)
		return NULL;
	s = json_dumps(reply, JSON_COMPACT);
	json_decref(reply);
	if (!s)
		return NULL;
	n = strlen(s);
	line = realloc(s, n + 2);
	if (!line) {
		free(s);
		return NULL;
	}
	line[n] = '\n';
	line[n + 1] = '\0';
	*reply_size = n + 1;
	return line;
}

char *ctl_reply_error(const char *msg, size_t *reply_size)
{
	char buf[512];

	snprintf(buf, sizeof(buf), "%s", msg);
	ctl_sanitize(buf);
	return ctl_reply_finish(json_pack("{s:b, s:s}", "ok", false, "error", buf), reply_size);
}

char *ctl_request_run(struct vnetd *d, const char *line, size_t size, size_t *reply_size)
{
	struct cmd_reply r = { 0 };
	struct ctl_request *req;
	const struct cmd_def *c;
	char err[256], *text = NULL, *out;
	size_t text_size = 0;
	json_t *reply;
	int rc;

	req = malloc(sizeof(*req));
	if (!req)
		return ctl_reply_error("out of memory", reply_size);
	if (!ctl_request_parse(line, size, req, err, sizeof(err))) {
		free(req);
		return ctl_reply_error(err, reply_size);
	}
	c = cmd_find(req->cmd);
	if (!c) {
		snprintf(err, sizeof(err), "unknown command '%.64s' (see: vnetctl help)", req->cmd);
		free(req);
		return ctl_reply_error(err, reply_size);
	}
	r.text = open_memstream(&text, &text_size);
	if (!r.text) {
		free(req);
		return ctl_reply_error("out of memory", reply_size);
	}
	rc = cmd_run(d, c, req->argc, req->argv, &r);
	fclose(r.text);
	free(req);
	if (rc < 0) {
		json_decref(r.result);
		free(text);
		return ctl_reply_error(r.err[0] ? r.err : "command failed", reply_size);
	}
	ctl_sanitize(text);
	reply = json_pack("{s:b, s:o, s:s}", "ok", true, "result",
			  r.result ? r.result : json_object(), "text", text);
	free(text);
	out = ctl_reply_finish(reply, reply_size);
	return out ? out : ctl_reply_error("out of memory formatting the reply", reply_size);
}

/* ---- the server ---- */

static void ctl_timer_arm(struct ctl_server *s)
{
	struct itimerspec its = { 0 };

	if (s->n_clients) {
		its.it_value.tv_sec = 1;
		its.it_interval.tv_sec = 1;
	}
	timerfd_settime(s->timer.fd, 0, &its, NULL);
}

static void ctl_client_close(struct ctl_client *c)
{
	struct ctl_server *s = c->srv;

	evloop_del(s->loop, &c->ev);
	close(c->ev.fd);
	s->clients[c->slot] = NULL;
	s->n_clients--;
	free(c->in);
	free(c->out);
	free(c);
	if (!s->n_clients)
		ctl_timer_arm(s);
}

static void ctl_client_watch(struct ctl_client *c, uint32_t events)
{
	if (events != c->events && !evloop_mod(c->srv->loop, &c->ev, events))
		c->events = events;
}

static bool ctl_client_queue(struct ctl_client *c, char *reply, size_t size)
{
	if (!reply)
		return false;
	/* Requests run only when the previous reply is written, so @out is empty here. */
	free(c->out);
	c->out = reply;
	c->out_len = size;
	c->out_off = 0;
	return true;
}

/* Write what the socket takes. Return: false if the client is gone (closed). */
static bool ctl_client_flush(struct ctl_client *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->ev.fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			ctl_client_close(c);
			return false;
		}
		c->out_off += (size_t)n;
		c->last_ns = now_ns();
	}
	if (c->out_off == c->out_len) {
		free(c->out);
		c->out = NULL;
		c->out_len = c->out_off = 0;
	}
	return true;
}

/*
 * Run the complete lines in the input buffer, one at a time: stop while a
 * reply is still unwritten, so replies never pile up behind a slow reader.
 * Return: false if the client was closed.
 */
static bool ctl_client_process(struct ctl_client *c)
{
	for (;;) {
		char *nl, *reply;
		size_t len, rsize = 0;

		if (c->out_len) {
			ctl_client_watch(c, EPOLLOUT);
			return true;
		}
		if (c->closing) {
			if (c->eof) {
				ctl_client_close(c);
				return false;
			}
			/* Our reply is out: stop sending, then wait for the client's EOF. */
			shutdown(c->ev.fd, SHUT_WR);
			c->draining = true;
			ctl_client_watch(c, EPOLLIN);
			return true;
		}
		nl = memchr(c->in, '\n', c->in_len);
		if (!nl) {
			if (c->in_len > CTL_REQUEST_MAX) {
				char err[64];

				snprintf(err, sizeof(err), "request longer than %d bytes",
					 CTL_REQUEST_MAX);
				log_ratelimited(LOG_LVL_WARN,
						"control client sent an oversized request: closed");
				c->closing = true;
				c->in_len = 0;
				reply = ctl_reply_error(err, &rsize);
				if (!ctl_client_queue(c, reply, rsize))
					continue;
				if (!ctl_client_flush(c))
					return false;
				continue;
			}
			if (c->eof) {
				/* A half-sent request from a client that went away: drop it. */
				c->closing = true;
				continue;
			}
			ctl_client_watch(c, EPOLLIN);
			return true;
		}
		len = (size_t)(nl - c->in);
		if (len && c->in[len - 1] == '\r')
			len--;
		if (len) {
			reply = ctl_request_run(c->srv->d, c->in, len, &rsize);
			if (!ctl_client_queue(c, reply, rsize)) {
				ctl_client_close(c);
				return false;
			}
		}
		c->in_len -= (size_t)(nl + 1 - c->in);
		memmove(c->in, nl + 1, c->in_len);
		if (!ctl_client_flush(c))
			return false;
	}
}

static void ctl_client_read(struct ctl_client *c)
{
	/* Up to one byte past the limit, to tell a maximal request from an oversized one. */
	while (c->in_len <= CTL_REQUEST_MAX && !c->eof) {
		size_t room = MIN((size_t)CTL_READ_CHUNK, CTL_REQUEST_MAX + 1 - c->in_len);
		ssize_t n = recv(c->ev.fd, c->in + c->in_len, room, MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			c->eof = true;
			break;
		}
		c->in_len += (size_t)n;
		c->last_ns = now_ns();
		if (memchr(c->in + c->in_len - (size_t)n, '\n', (size_t)n))
			break; /* run it before reading more */
	}
}

/* Discard what a client still sends after its connection was condemned. Return: false if closed. */
static bool ctl_client_drain(struct ctl_client *c)
{
	char buf[CTL_READ_CHUNK];

	for (;;) {
		ssize_t n = recv(c->ev.fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		c->drained += n > 0 ? (size_t)n : 0;
		if (n <= 0 || c->drained > CTL_DRAIN_MAX) {
			ctl_client_close(c);
			return false;
		}
	}
}

static void ctl_client_cb(struct ev_source *src, uint32_t events)
{
	struct ctl_client *c = container_of(src, struct ctl_client, ev);

	if (events & EPOLLERR) {
		ctl_client_close(c);
		return;
	}
	if (c->draining) {
		ctl_client_drain(c);
		return;
	}
	if ((events & EPOLLOUT) && !ctl_client_flush(c))
		return;
	if (!c->out_len && (events & (EPOLLIN | EPOLLHUP)))
		ctl_client_read(c);
	ctl_client_process(c);
}

/* Too many clients: say so, best effort, and hang up. */
static void ctl_reject(int fd)
{
	size_t size;
	char *reply = ctl_reply_error("too many control clients, try again later", &size);

	if (reply) {
		if (send(fd, reply, size, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			debug("control: reject: %s", strerror(errno));
		free(reply);
	}
	close(fd);
}

static void ctl_accept_cb(struct ev_source *src, uint32_t events)
{
	struct ctl_server *s = src->arg;

	(void)events;
	for (int i = 0; i < CTL_ACCEPT_BURST; i++) {
		int fd = accept4(s->listen.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct ctl_client *c;
		unsigned slot;

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				log_ratelimited(LOG_LVL_WARN, "control: accept: %s",
						strerror(errno));
			return;
		}
		for (slot = 0; slot < CTL_CLIENTS_MAX && s->clients[slot]; slot++)
			;
		if (slot == CTL_CLIENTS_MAX) {
			log_ratelimited(LOG_LVL_WARN,
					"control: %d clients connected, refusing more",
					CTL_CLIENTS_MAX);
			ctl_reject(fd);
			continue;
		}
		c = calloc(1, sizeof(*c));
		if (c)
			c->in = malloc(CTL_REQUEST_MAX + 1);
		if (!c || !c->in) {
			if (c)
				free(c);
			ctl_reject(fd);
			continue;
		}
		c->ev = (struct ev_source){ .fd = fd, .cb = ctl_client_cb, .arg = c };
		c->srv = s;
		c->slot = slot;
		c->last_ns = now_ns();
		c->events = EPOLLIN;
		if (evloop_add(s->loop, &c->ev, EPOLLIN) < 0) {
			free(c->in);
			free(c);
			close(fd);
			continue;
		}
		s->clients[slot] = c;
		if (s->n_clients++ == 0)
			ctl_timer_arm(s);
	}
}

static void ctl_timer_cb(struct ev_source *src, uint32_t events)
{
	struct ctl_server *s = src->arg;
	uint64_t ticks, now = now_ns();

	(void)events;
	if (read(s->timer.fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		warn("control: timer: %s", strerror(errno));
	for (unsigned i = 0; i < CTL_CLIENTS_MAX; i++) {
		struct ctl_client *c = s->clients[i];

		if (c && now - c->last_ns > (uint64_t)CTL_IDLE_TIMEOUT_S * NS_PER_S) {
			debug("control: dropping a client idle for %d s", CTL_IDLE_TIMEOUT_S);
			ctl_client_close(c);
		}
	}
}

/* Is someone answering on @path? Then it is not ours to replace. */
static bool ctl_socket_live(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool live;

	if (fd < 0)
		return false;
	live = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
	close(fd);
	return live;
}

/*
 * Remove the capture sockets (PATH.cap-*, see capture.c) a vnetd that died on
 * this control socket left behind. Only called once we own @path, so no live
 * vnetd can be using them.
 */
static void ctl_sweep_captures(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX], prefix[NAME_MAX + 8];
	struct dirent *e;
	DIR *dp;
	int dfd;

	snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 1, slash ? path : ".");
	if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	snprintf(prefix, sizeof(prefix), "%s.cap-", slash ? slash + 1 : path);
	dp = opendir(dir);
	if (!dp)
		return;
	dfd = dirfd(dp);
	while ((e = readdir(dp))) {
		struct stat st;

		if (strncmp(e->d_name, prefix, strlen(prefix)) ||
		    fstatat(dfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) || !S_ISSOCK(st.st_mode))
			continue;
		if (unlinkat(dfd, e->d_name, 0) == 0)
			info("removed a stale capture socket %s/%s", dir, e->d_name);
	}
	closedir(dp);
}

static int ctl_listen(const char *path, char *err, size_t errsz)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[sizeof(sa.sun_path)];
	const char *slash = strrchr(path, '/');
	struct group *g;
	struct stat st;
	mode_t old_mask;
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errsz, "socket path %s is longer than %zu bytes", path,
			 sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	if (slash && slash != path) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		rc = config_mkdir_p(dir, 0755);
		if (rc < 0) {
			snprintf(err, errsz, "%s: %s", dir, strerror(-rc));
			return rc;
		}
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errsz, "%s exists and is not a socket", path);
			return -EEXIST;
		}
		if (ctl_socket_live(&sa)) {
			snprintf(err, errsz, "another vnetd is already listening on %s", path);
			return -EADDRINUSE;
		}
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errsz, "socket: %s", strerror(errno));
		return rc;
	}
	/*
	 * Never reachable by more users than intended, not even for a moment: the socket is
	 * born 0600 (umask), gets its group, then 0660, and only then accepts connections.
	 */
	old_mask = umask(0177);
	rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old_mask);
	if (rc < 0)
		goto fail;
	g = getgrnam(CTL_SOCKET_GROUP);
	if (g && chown(path, 0, g->gr_gid) < 0)
		warn("%s: chown root:%s: %s", path, CTL_SOCKET_GROUP, strerror(errno));
	if (chmod(path, CTL_SOCKET_MODE) < 0 || listen(fd, CTL_LISTEN_BACKLOG) < 0)
		goto fail;
	ctl_sweep_captures(path);
	return fd;

fail:
	rc = -errno;
	snprintf(err, errsz, "%s: %s", path, strerror(errno));
	close(fd);
	unlink(path);
	return rc;
}

struct ctl_server *ctl_server_create(struct vnetd *d, struct evloop *loop, const char *path,
				     char *err, size_t errsz)
{
	struct ctl_server *s = calloc(1, sizeof(*s));
	int fd;

	if (!s) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	s->d = d;
	s->loop = loop;
	fd = ctl_listen(path, err, errsz);
	if (fd < 0)
		goto err_free;
	snprintf(s->path, sizeof(s->path), "%s", path);
	s->listen = (struct ev_source){ .fd = fd, .cb = ctl_accept_cb, .arg = s };
	s->timer.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	s->timer.cb = ctl_timer_cb;
	s->timer.arg = s;
	if (s->timer.fd < 0) {
		snprintf(err, errsz, "timerfd: %s", strerror(errno));
		goto err_listen;
	}
	if (evloop_add(loop, &s->listen, EPOLLIN) < 0 || evloop_add(loop, &s->timer, EPOLLIN) < 0) {
		snprintf(err, errsz, "epoll: %s", strerror(errno));
		goto err_timer;
	}
	return s;

err_timer:
	evloop_del(loop, &s->listen);
	close(s->timer.fd);
err_listen:
	close(fd);
	unlink(path);
err_free:
	free(s);
	return NULL;
}

void ctl_server_destroy(struct ctl_server *s)
{
	if (!s)
		return;
	for (unsigned i = 0; i < CTL_CLIENTS_MAX; i++) {
		if (s->clients[i])
			ctl_client_close(s->clients[i]);
	}
	evloop_del(s->loop, &s->listen);
	evloop_del(s->loop, &s->timer);
	close(s->listen.fd);
	close(s->timer.fd);
	unlink(s->path);
	free(s);
}

unsigned ctl_server_n_clients(const struct ctl_server *s)
{
	return s->n_clients;
}
