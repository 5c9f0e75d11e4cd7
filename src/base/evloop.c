// SPDX-License-Identifier: GPL-2.0-or-later
/* evloop.c - the epoll loop. */
#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "evloop.h"
#include "util.h"

#define EVLOOP_MAX_EVENTS 64

int evloop_init(struct evloop *loop)
{
	loop->stop = false;
	loop->clock = NULL;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	return loop->epfd < 0 ? -errno : 0;
}

void evloop_fini(struct evloop *loop)
{
	if (loop->epfd >= 0)
		close(loop->epfd);
	loop->epfd = -1;
}

int evloop_add(struct evloop *loop, struct ev_source *src, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = src };

	return epoll_ctl(loop->epfd, EPOLL_CTL_ADD, src->fd, &ev) ? -errno : 0;
}

int evloop_mod(struct evloop *loop, struct ev_source *src, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = src };

	return epoll_ctl(loop->epfd, EPOLL_CTL_MOD, src->fd, &ev) ? -errno : 0;
}

void evloop_del(struct evloop *loop, struct ev_source *src)
{
	if (src->fd >= 0)
		epoll_ctl(loop->epfd, EPOLL_CTL_DEL, src->fd, NULL);
}

int evloop_run_once(struct evloop *loop, int timeout_ms)
{
	struct epoll_event evs[EVLOOP_MAX_EVENTS];
	int n = epoll_wait(loop->epfd, evs, EVLOOP_MAX_EVENTS, timeout_ms);

	if (n < 0)
		return errno == EINTR ? 0 : -errno;
	if (loop->clock)
		*loop->clock = now_ns();
	for (int i = 0; i < n; i++) {
		struct ev_source *src = evs[i].data.ptr;

		src->cb(src, evs[i].events);
	}
	return n;
}

void evloop_run(struct evloop *loop)
{
	while (!loop->stop)
		evloop_run_once(loop, -1);
}

void evloop_stop(struct evloop *loop)
{
	loop->stop = true;
}
