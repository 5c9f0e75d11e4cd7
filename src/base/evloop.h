/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * evloop.h - the epoll loop of one thread.
 *
 * Every fd the loop watches is registered with a struct ev_source embedded in
 * its owner (a port, the control server, a client). epoll_data.ptr points at
 * it and the loop calls its @cb. Callbacks rather than an enum/switch because
 * the set of port types is open (see doc/architecture.md). The loop blocks in
 * epoll_wait() with no timeout when nothing is due: idle means idle.
 */
#ifndef VNET_EVLOOP_H
#define VNET_EVLOOP_H

#include <stdbool.h>
#include <stdint.h>

struct ev_source;
typedef void (*ev_cb)(struct ev_source *src, uint32_t events);

/**
 * struct ev_source - one watched fd
 * @fd:  the fd
 * @cb:  called with the epoll event mask when @fd is ready
 * @arg: owner's pointer, for the callback
 */
struct ev_source {
	int fd;
	ev_cb cb;
	void *arg;
};

/**
 * struct evloop - one thread's loop
 * @epfd:  the epoll instance
 * @stop:  evloop_run() returns when set
 * @clock: if set, refreshed with now_ns() each time epoll_wait() returns, so
 *         callbacks share one cheap timestamp (struct dp's now_ns)
 */
struct evloop {
	int epfd;
	bool stop;
	uint64_t *clock;
};

/** evloop_init() - create the epoll instance. Return: 0 or -errno */
int evloop_init(struct evloop *loop);
void evloop_fini(struct evloop *loop);
/** evloop_add() - watch @src->fd for @events (EPOLLIN...). Return: 0 or -errno */
int evloop_add(struct evloop *loop, struct ev_source *src, uint32_t events);
/** evloop_mod() - change the events watched. Return: 0 or -errno */
int evloop_mod(struct evloop *loop, struct ev_source *src, uint32_t events);
/** evloop_del() - stop watching; harmless if the fd is already closed or not watched */
void evloop_del(struct evloop *loop, struct ev_source *src);
/**
 * evloop_run_once() - wait up to @timeout_ms (-1: forever) and dispatch ready sources
 * Return: sources dispatched, or -errno
 */
int evloop_run_once(struct evloop *loop, int timeout_ms);
/** evloop_run() - dispatch until evloop_stop() */
void evloop_run(struct evloop *loop);
void evloop_stop(struct evloop *loop);

#endif /* VNET_EVLOOP_H */
