// SPDX-License-Identifier: GPL-2.0-or-later
/* pkt.c - the preallocated packet-buffer pool. */
#include <stdlib.h>
#include <sys/mman.h>

#include "pkt.h"

struct pkt_pool *pkt_pool_create(uint32_t n)
{
	struct pkt_pool *pool = calloc(1, sizeof(*pool));
	size_t bytes = (size_t)n * sizeof(struct pkt);

	if (!pool || n == 0)
		goto err_pool;
	pool->free = calloc(n, sizeof(*pool->free));
	if (!pool->free)
		goto err_pool;
	/* mmap: untouched buffers cost no resident memory */
	pool->pkts = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pool->pkts == MAP_FAILED)
		goto err_free;
	pool->n = n;
	for (uint32_t i = 0; i < n; i++) {
		/* LIFO: index 0 on top, so a light load keeps reusing hot buffers */
		pool->free[i] = n - 1 - i;
		pool->pkts[i].pool_idx = i;
	}
	pool->n_free = n;
	return pool;

err_free:
	free(pool->free);
err_pool:
	free(pool);
	return NULL;
}

void pkt_pool_destroy(struct pkt_pool *pool)
{
	if (!pool)
		return;
	munmap(pool->pkts, (size_t)pool->n * sizeof(struct pkt));
	free(pool->free);
	free(pool);
}

unsigned pkt_alloc_burst(struct pkt_pool *pool, struct pkt **pkts, unsigned n)
{
	unsigned i;

	if (n > pool->n_free) {
		pool->n_exhausted += n - pool->n_free;
		n = pool->n_free;
	}
	for (i = 0; i < n; i++) {
		struct pkt *p = &pool->pkts[pool->free[--pool->n_free]];

		pkt_reset(p);
		pkts[i] = p;
	}
	return n;
}

struct pkt *pkt_alloc(struct pkt_pool *pool)
{
	struct pkt *p;

	return pkt_alloc_burst(pool, &p, 1) ? p : NULL;
}

void pkt_free_burst(struct pkt_pool *pool, struct pkt **pkts, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (pkts[i])
			pool->free[pool->n_free++] = pkts[i]->pool_idx;
	}
}

void pkt_free(struct pkt_pool *pool, struct pkt *p)
{
	pkt_free_burst(pool, &p, 1);
}
