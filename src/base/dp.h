/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dp.h - the resources of one datapath thread.
 *
 * Everything the datapath touches hangs off a struct dp: its epoll loop, its
 * packet pool and its cached clock. There are no datapath globals, so a
 * second thread is a second struct dp with its own ports.
 */
#ifndef VNET_DP_H
#define VNET_DP_H

#include <stdint.h>

#include "evloop.h"
#include "pkt.h"

struct dp {
	struct evloop loop;
	struct pkt_pool *pool;
	uint64_t now_ns; /* refreshed once per loop iteration */
};

#endif /* VNET_DP_H */
