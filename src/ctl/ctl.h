/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ctl.h - the control server: JSON requests over a unix stream socket,
 * served from the daemon's epoll loop (protocol: doc/control-protocol.md).
 *
 * Theory of operation
 * -------------------
 * A client sends one JSON object per line, {"cmd": "port/add", "args": [...]},
 * and gets one JSON line back, {"ok": true, "result": ..., "text": "..."} or
 * {"ok": false, "error": "..."}. Requests on one connection run in order.
 *
 * Clients are hostile until proven otherwise, and the control server shares
 * its thread with the datapath, so it never blocks: sockets are nonblocking,
 * each client has its own input buffer (one request of at most
 * CTL_REQUEST_MAX bytes) and output buffer (replies can be megabytes, e.g.
 * fdb/show of a full table, and are written as the socket drains, with
 * EPOLLOUT). While a reply is pending the client's input is not read, so a
 * client that sends without reading cannot make vnetd buffer without bound.
 * A line longer than CTL_REQUEST_MAX gets an error reply and the connection
 * is closed. At most CTL_CLIENTS_MAX clients are served; a client idle for
 * CTL_IDLE_TIMEOUT_S (a half-sent request, a reply it does not read) is
 * dropped. The idle timer runs only while clients are connected.
 *
 * ctl_request_parse() and ctl_request_run() are pure (bytes in, bytes out)
 * so that the unit tests and the fuzzer drive them without sockets.
 */
#ifndef VNET_CTL_H
#define VNET_CTL_H

#include <stdbool.h>
#include <stddef.h>

#define CTL_REQUEST_MAX (64 * 1024) /* bytes in one request line, newline excluded */
#define CTL_ARGS_MAX 64 /* arguments in one request */
#define CTL_CMD_MAX 64 /* bytes in a command name, including NUL */
#define CTL_CLIENTS_MAX 64 /* connected clients */
#define CTL_IDLE_TIMEOUT_S 30 /* a client silent this long is dropped */
#define CTL_LISTEN_BACKLOG 64

struct vnetd;
struct evloop;
struct ctl_server;

/**
 * struct ctl_request - a parsed request
 * @cmd:  command name
 * @argc: arguments in @argv
 * @argv: pointers into @strbuf, NULL-terminated
 * @strbuf: storage for the argument strings
 */
struct ctl_request {
	char cmd[CTL_CMD_MAX];
	int argc;
	char *argv[CTL_ARGS_MAX + 1];
	char strbuf[CTL_REQUEST_MAX + CTL_ARGS_MAX];
};

/**
 * ctl_request_parse() - parse one request line (without its newline)
 * Checks: size, JSON syntax, an object with a string "cmd" and an optional
 * "args" array of strings (at most CTL_ARGS_MAX). Other members are ignored.
 * Return: true, or false with a one-line reason in @err.
 */
bool ctl_request_parse(const char *line, size_t size, struct ctl_request *req, char *err,
		       size_t errsz);

/**
 * ctl_request_run() - parse and run one request against @d, and format the reply
 * @reply_size: out: bytes of the reply
 * Return: the reply line, '\n'-terminated (free() it); NULL only when out of memory.
 */
char *ctl_request_run(struct vnetd *d, const char *line, size_t size, size_t *reply_size);

/**
 * ctl_reply_error() - the reply line for an error (free() it), or NULL when out of memory
 */
char *ctl_reply_error(const char *msg, size_t *reply_size);

/**
 * ctl_server_create() - listen on @path and serve clients from @loop
 * Creates the parent directory (0755); the socket is 0660, group "vnet" if
 * that group exists. A stale socket file is replaced; a live one (another
 * vnetd answering) is an error.
 * Return: the server, or NULL with @err set.
 */
struct ctl_server *ctl_server_create(struct vnetd *d, struct evloop *loop, const char *path,
				     char *err, size_t errsz);

/** ctl_server_destroy() - disconnect every client, close and remove the socket; accepts NULL */
void ctl_server_destroy(struct ctl_server *s);

/** ctl_server_n_clients() - clients connected now */
unsigned ctl_server_n_clients(const struct ctl_server *s);

#endif /* VNET_CTL_H */
