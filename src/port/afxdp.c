// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * afxdp.c - AF_XDP sockets and their steering XDP program (libxdp + libbpf).
 *
 * Theory of operation
 * -------------------
 * An XDP program runs on every frame the interface receives, before the
 * kernel builds an skb. Ours is 28 instructions, assembled here (no BPF
 * compiler at build time) and loaded with libbpf:
 *
 *   unicast to a MAC other than the host's  -> redirect to the AF_XDP socket
 *                                              of the receive queue (XSKMAP)
 *   anything else (host unicast, broadcast,  -> XDP_PASS: the host's stack gets
 *   multicast, runts)                           it; the uplink's companion
 *                                              AF_PACKET socket copies the
 *                                              group-addressed ones to the switch
 *
 * XDP cannot clone a frame, so traffic both the host and the VMs need
 * (ARP, DHCP, IPv6 ND) takes the kernel path, and the bulk (unicast to the
 * VMs) takes the fast one. If a queue has no socket the redirect falls back
 * to XDP_PASS (the flags argument of bpf_redirect_map), so nothing is lost
 * while sockets are set up.
 *
 * The program is attached through a bpf_link: the link is an fd of this
 * process, so the kernel detaches the program when the process exits for
 * any reason, SIGKILL included, and we never remove an XDP program that is
 * not ours (attach fails instead if the interface already has one).
 * Native (driver) mode is tried first; generic (skb) mode only when allowed.
 *
 * Each receive queue gets one socket with its own UMEM: AFXDP_RX_FRAMES
 * frames live on the fill/RX side and go straight back to the fill ring once
 * copied into pool buffers; AFXDP_TX_FRAMES frames form a free stack for
 * transmit, refilled from the completion ring. Frames are copied both ways
 * (the switch keeps frames past a burst and floods one frame to many ports),
 * so UMEM frames are never lent out and cannot run dry because of the switch.
 * Transmit wakes the kernel with sendto() only when the ring asks for it
 * (XDP_USE_NEED_WAKEUP). There are no offloads on this path: the uplink
 * completes checksums and segments TSO frames before calling afxdp_tx_burst.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <linux/sockios.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <xdp/xsk.h>

#include "../base/log.h"
#include "../base/util.h"
#include "../net/eth.h"
#include "afxdp.h"

#define AFXDP_UMEM_FRAMES (AFXDP_RX_FRAMES + AFXDP_TX_FRAMES)
#define AFXDP_PROG_MAX_INSNS 40
#define AFXDP_VERIFIER_LOG_SIZE 4096

/**
 * struct afxdp_queue - one receive queue's socket and UMEM
 * @ev:      the socket's fd in the loop
 * @xsk:     the socket
 * @umem:    its UMEM
 * @area:    the UMEM memory
 * @fill/@comp/@rx/@tx: the four rings
 * @tx_free: UMEM addresses free for transmit
 * @n_tx_free: entries in @tx_free
 */
struct afxdp_queue {
	struct ev_source ev;
	struct xsk_socket *xsk;
	struct xsk_umem *umem;
	uint8_t *area;
	struct xsk_ring_prod fill;
	struct xsk_ring_cons comp;
	struct xsk_ring_cons rx;
	struct xsk_ring_prod tx;
	uint64_t tx_free[AFXDP_TX_FRAMES];
	unsigned n_tx_free;
};

/* ---- the steering program ----------------------------------------------- */

#define AFXDP_INSN(c, d, s, o, i) \
	((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

/*
 * Assemble the program for host MAC @mac and socket map @map_fd into @insn.
 * Return: instructions written.
 */
static unsigned afxdp_prog_build(struct bpf_insn *insn, const uint8_t mac[static 6], int map_fd)
{
	unsigned n = 0, jmp_redirect[6], jmp_pass[3], redirect, pass;

	/* r2 = data, r3 = data_end; frames shorter than a MAC address pass */
	insn[n++] = AFXDP_INSN(BPF_LDX | BPF_MEM | BPF_W, 2, 1, offsetof(struct xdp_md, data), 0);
	insn[n++] =
		AFXDP_INSN(BPF_LDX | BPF_MEM | BPF_W, 3, 1, offsetof(struct xdp_md, data_end), 0);
	insn[n++] = AFXDP_INSN(BPF_ALU64 | BPF_MOV | BPF_X, 4, 2, 0, 0);
	insn[n++] = AFXDP_INSN(BPF_ALU64 | BPF_ADD | BPF_K, 4, 0, 0, ETH_ALEN);
	jmp_pass[0] = n;
	insn[n++] = AFXDP_INSN(BPF_JMP | BPF_JGT | BPF_X, 4, 3, 0, 0);
	/* group-addressed: the host and the switch both need it */
	insn[n++] = AFXDP_INSN(BPF_LDX | BPF_MEM | BPF_B, 5, 2, 0, 0);
	jmp_pass[1] = n;
	insn[n++] = AFXDP_INSN(BPF_JMP | BPF_JSET | BPF_K, 5, 0, 0, 1);
	/* the host's own MAC: the host's */
	for (unsigned i = 0; i < ETH_ALEN; i++) {
		insn[n++] = AFXDP_INSN(BPF_LDX | BPF_MEM | BPF_B, 5, 2, (int16_t)i, 0);
		jmp_redirect[i] = n;
		insn[n++] = AFXDP_INSN(BPF_JMP | BPF_JNE | BPF_K, 5, 0, 0, mac[i]);
	}
	jmp_pass[2] = n;
	insn[n++] = AFXDP_INSN(BPF_JMP | BPF_JA, 0, 0, 0, 0);
	/* return bpf_redirect_map(&xsks, ctx->rx_queue_index, XDP_PASS) */
	redirect = n;
	insn[n++] = AFXDP_INSN(BPF_LDX | BPF_MEM | BPF_W, 2, 1,
			       offsetof(struct xdp_md, rx_queue_index), 0);
	insn[n++] = AFXDP_INSN(BPF_LD | BPF_DW | BPF_IMM, 1, BPF_PSEUDO_MAP_FD, 0, map_fd);
	insn[n++] = AFXDP_INSN(0, 0, 0, 0, 0);
	insn[n++] = AFXDP_INSN(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, XDP_PASS);
	insn[n++] = AFXDP_INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_redirect_map);
	insn[n++] = AFXDP_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	pass = n;
	insn[n++] = AFXDP_INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, XDP_PASS);
	insn[n++] = AFXDP_INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	for (unsigned i = 0; i < ETH_ALEN; i++)
		insn[jmp_redirect[i]].off = (int16_t)(redirect - jmp_redirect[i] - 1);
	for (unsigned i = 0; i < ARRAY_SIZE(jmp_pass); i++)
		insn[jmp_pass[i]].off = (int16_t)(pass - jmp_pass[i] - 1);
	return n;
}

/* Load the program for @mac. Return: its fd, or -errno with @err set */
static int afxdp_prog_load(struct afxdp *a, const uint8_t mac[static 6], char *err, size_t errsz)
{
	struct bpf_insn insn[AFXDP_PROG_MAX_INSNS];
	static char log[AFXDP_VERIFIER_LOG_SIZE];
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = log, .log_size = sizeof(log),
		    .log_level = 0);
	unsigned n = afxdp_prog_build(insn, mac, a->map_fd);
	int fd;

	log[0] = '\0';
	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "vnet_uplink", "GPL", insn, n, &opts);
	if (fd < 0) {
		fd = -errno;
		snprintf(err, errsz, "loading the XDP program: %s%s%.200s", strerror(errno),
			 log[0] ? ": " : "", log);
	}
	return fd;
}

/* Receive queues of the interface (ETHTOOL_GCHANNELS), 1 if the driver does not say. */
static unsigned afxdp_n_queues(const char *ifname)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };
	struct ifreq ifr = { 0 };
	unsigned n = 1;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return 1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&ch;
	if (!ioctl(s, SIOCETHTOOL, &ifr))
		n = MAX(ch.rx_count, ch.combined_count);
	close(s);
	return n ? n : 1;
}

/* ---- sockets ------------------------------------------------------------ */

static void afxdp_queue_free(struct afxdp_queue *q)
{
	if (!q)
		return;
	if (q->xsk)
		xsk_socket__delete(q->xsk);
	if (q->umem)
		xsk_umem__delete(q->umem);
	if (q->area)
		munmap(q->area, (size_t)AFXDP_UMEM_FRAMES * AFXDP_FRAME_SIZE);
	free(q);
}

static int afxdp_queue_open(struct afxdp *a, unsigned qid, struct afxdp_queue **out, char *err,
			    size_t errsz)
{
	struct xsk_umem_config ucfg = {
		.fill_size = AFXDP_RX_FRAMES,
		.comp_size = AFXDP_TX_FRAMES,
		.frame_size = AFXDP_FRAME_SIZE,
		.frame_headroom = 0,
	};
	struct xsk_socket_config scfg = {
		.rx_size = AFXDP_RX_FRAMES,
		.tx_size = AFXDP_TX_FRAMES,
		.libxdp_flags = XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD,
		.bind_flags = XDP_USE_NEED_WAKEUP,
	};
	struct afxdp_queue *q = calloc(1, sizeof(*q));
	uint32_t idx = 0;
	int rc;

	if (!q) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	q->ev.fd = -1;
	q->area = mmap(NULL, (size_t)AFXDP_UMEM_FRAMES * AFXDP_FRAME_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (q->area == MAP_FAILED) {
		q->area = NULL;
		rc = -errno;
		snprintf(err, errsz, "UMEM: %s", strerror(errno));
		goto fail;
	}
	rc = xsk_umem__create(&q->umem, q->area, (uint64_t)AFXDP_UMEM_FRAMES * AFXDP_FRAME_SIZE,
			      &q->fill, &q->comp, &ucfg);
	if (rc) {
		q->umem = NULL;
		snprintf(err, errsz, "UMEM registration: %s", strerror(-rc));
		goto fail;
	}
	rc = xsk_socket__create(&q->xsk, a->ifname, qid, q->umem, &q->rx, &q->tx, &scfg);
	if (rc) {
		q->xsk = NULL;
		snprintf(err, errsz, "AF_XDP socket on queue %u: %s", qid, strerror(-rc));
		goto fail;
	}
	/* the first AFXDP_RX_FRAMES frames receive, the rest transmit */
	if (xsk_ring_prod__reserve(&q->fill, AFXDP_RX_FRAMES, &idx) != AFXDP_RX_FRAMES) {
		rc = -ENOSPC;
		snprintf(err, errsz, "AF_XDP fill ring smaller than %u", AFXDP_RX_FRAMES);
		goto fail;
	}
	for (unsigned i = 0; i < AFXDP_RX_FRAMES; i++)
		*xsk_ring_prod__fill_addr(&q->fill, idx++) = (uint64_t)i * AFXDP_FRAME_SIZE;
	xsk_ring_prod__submit(&q->fill, AFXDP_RX_FRAMES);
	for (unsigned i = 0; i < AFXDP_TX_FRAMES; i++)
		q->tx_free[i] = (uint64_t)(AFXDP_RX_FRAMES + i) * AFXDP_FRAME_SIZE;
	q->n_tx_free = AFXDP_TX_FRAMES;
	rc = xsk_socket__update_xskmap(q->xsk, a->map_fd);
	if (rc) {
		snprintf(err, errsz, "XSKMAP update for queue %u: %s", qid, strerror(-rc));
		goto fail;
	}
	q->ev.fd = xsk_socket__fd(q->xsk);
	*out = q;
	return 0;

fail:
	afxdp_queue_free(q);
	return rc;
}

static bool afxdp_zerocopy(struct afxdp_queue *q)
{
	struct xdp_options opts = { 0 };
	socklen_t len = sizeof(opts);

	if (getsockopt(xsk_socket__fd(q->xsk), SOL_XDP, XDP_OPTIONS, &opts, &len))
		return false;
	return opts.flags & XDP_OPTIONS_ZEROCOPY;
}

int afxdp_open(struct afxdp *a, struct port *p, unsigned ifindex, const char *ifname,
	       const uint8_t mac[static 6], bool allow_generic, ev_cb rx_cb, char *err,
	       size_t errsz)
{
	LIBBPF_OPTS(bpf_link_create_opts, lopts, .flags = XDP_FLAGS_DRV_MODE);
	unsigned nq;
	int rc;

	*a = (struct afxdp){ .ifindex = ifindex, .prog_fd = -1, .map_fd = -1, .link_fd = -1 };
	snprintf(a->ifname, sizeof(a->ifname), "%s", ifname);
	memcpy(a->mac, mac, ETH_ALEN);
	nq = afxdp_n_queues(ifname);
	if (nq > AFXDP_MAX_QUEUES) {
		snprintf(err, errsz, "%s has %u receive queues; AF_XDP serves at most %u", ifname,
			 nq, AFXDP_MAX_QUEUES);
		return -E2BIG;
	}
	a->map_fd = bpf_map_create(BPF_MAP_TYPE_XSKMAP, "vnet_xsks", sizeof(uint32_t),
				   sizeof(uint32_t), AFXDP_MAX_QUEUES, NULL);
	if (a->map_fd < 0) {
		rc = -errno;
		snprintf(err, errsz, "creating the XSKMAP: %s%s", strerror(errno),
			 errno == EPERM ? " (needs CAP_BPF and CAP_NET_ADMIN)" : "");
		a->map_fd = -1;
		goto fail;
	}
	a->prog_fd = afxdp_prog_load(a, mac, err, errsz);
	if (a->prog_fd < 0) {
		rc = a->prog_fd;
		a->prog_fd = -1;
		goto fail;
	}
	a->link_fd = bpf_link_create(a->prog_fd, (int)ifindex, BPF_XDP, &lopts);
	a->native = a->link_fd >= 0;
	if (a->link_fd < 0 && errno != EBUSY && allow_generic) {
		warn("%s: native XDP attach failed (%s); using generic XDP", ifname,
		     strerror(errno));
		lopts.flags = XDP_FLAGS_SKB_MODE;
		a->link_fd = bpf_link_create(a->prog_fd, (int)ifindex, BPF_XDP, &lopts);
	}
	if (a->link_fd < 0) {
		rc = -errno;
		if (errno == EBUSY || errno == EEXIST)
			snprintf(err, errsz, "%s already has an XDP program attached", ifname);
		else
			snprintf(err, errsz, "attaching XDP to %s in %s mode: %s%s", ifname,
				 allow_generic ? "native or generic" : "native", strerror(errno),
				 errno == EOPNOTSUPP || errno == EINVAL
					 ? " (the driver has no native XDP)"
					 : "");
		goto fail;
	}
	for (unsigned i = 0; i < nq; i++) {
		struct afxdp_queue *q = NULL;

		rc = afxdp_queue_open(a, i, &q, err, errsz);
		if (rc)
			goto fail;
		a->q[a->n_queues++] = q;
		q->ev.cb = rx_cb;
		q->ev.arg = p;
		rc = evloop_add(&p->dp->loop, &q->ev, EPOLLIN);
		if (rc) {
			q->ev.fd = -1;
			snprintf(err, errsz, "epoll: %s", strerror(-rc));
			goto fail;
		}
	}
	a->zerocopy = afxdp_zerocopy(a->q[0]);
	return 0;

fail:
	afxdp_close(a, p);
	return rc;
}

void afxdp_close(struct afxdp *a, struct port *p)
{
	for (unsigned i = 0; i < a->n_queues; i++) {
		if (a->q[i]->ev.fd >= 0)
			evloop_del(&p->dp->loop, &a->q[i]->ev);
		afxdp_queue_free(a->q[i]);
		a->q[i] = NULL;
	}
	a->n_queues = 0;
	if (a->link_fd >= 0)
		close(a->link_fd); /* detaches the program */
	if (a->prog_fd >= 0)
		close(a->prog_fd);
	if (a->map_fd >= 0)
		close(a->map_fd);
	a->link_fd = a->prog_fd = a->map_fd = -1;
}

int afxdp_set_mac(struct afxdp *a, const uint8_t mac[static 6])
{
	char err[256];
	int fd, rc;

	if (a->link_fd < 0)
		return -ENOTCONN;
	fd = afxdp_prog_load(a, mac, err, sizeof(err));
	if (fd < 0) {
		warn("%s: %s", a->ifname, err);
		return fd;
	}
	rc = bpf_link_update(a->link_fd, fd, NULL);
	if (rc) {
		rc = -errno;
		close(fd);
		return rc;
	}
	close(a->prog_fd);
	a->prog_fd = fd;
	memcpy(a->mac, mac, ETH_ALEN);
	return 0;
}

/* ---- datapath ----------------------------------------------------------- */

static unsigned afxdp_rx_queue(struct afxdp_queue *q, struct port *p, struct pkt **pkts, unsigned n)
{
	struct pkt *bufs[PKT_BATCH];
	uint32_t idx_rx = 0, idx_fill = 0;
	unsigned got = 0, m, k;

	m = xsk_ring_cons__peek(&q->rx, MIN(n, PKT_BATCH), &idx_rx);
	if (!m) {
		if (xsk_ring_prod__needs_wakeup(&q->fill))
			recvfrom(q->ev.fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
		return 0;
	}
	/*
	 * Every frame taken goes straight back to the fill ring. It has room for
	 * all AFXDP_RX_FRAMES, so this cannot fail; if it did, the frames would
	 * wait in the RX ring for the next event rather than be lost.
	 */
	if (xsk_ring_prod__reserve(&q->fill, m, &idx_fill) != m) {
		log_ratelimited(LOG_LVL_WARN, "port %s: AF_XDP fill ring full", p->name);
		return 0;
	}
	k = pkt_alloc_burst(p->dp->pool, bufs, m);
	if (k < m)
		port_count_drop(p, DROP_NO_BUFFERS, m - k);
	for (unsigned i = 0; i < m; i++) {
		const struct xdp_desc *d = xsk_ring_cons__rx_desc(&q->rx, idx_rx + i);
		uint64_t addr = xsk_umem__add_offset_to_addr(d->addr);

		if (i < k) {
			if (d->len < 2 * ETH_ALEN || d->len > PKT_DATA_MAX ||
			    addr + d->len > (uint64_t)AFXDP_UMEM_FRAMES * AFXDP_FRAME_SIZE) {
				port_count_drop(p, DROP_RUNT, 1);
				pkt_free(p->dp->pool, bufs[i]);
			} else {
				memcpy(bufs[i]->data, q->area + addr, d->len);
				bufs[i]->size = d->len;
				pkts[got++] = bufs[i];
			}
		}
		*xsk_ring_prod__fill_addr(&q->fill, idx_fill + i) = xsk_umem__extract_addr(d->addr);
	}
	xsk_ring_prod__submit(&q->fill, m);
	xsk_ring_cons__release(&q->rx, m);
	return got;
}

unsigned afxdp_rx_burst(struct afxdp *a, struct port *p, struct pkt **pkts, unsigned n)
{
	unsigned got = 0;

	for (unsigned i = 0; i < a->n_queues && got < n; i++) {
		unsigned qi = (a->rx_next + i) % a->n_queues;

		got += afxdp_rx_queue(a->q[qi], p, pkts + got, n - got);
	}
	if (a->n_queues)
		a->rx_next = (a->rx_next + 1) % a->n_queues;
	return got;
}

/* Take back the UMEM frames the kernel has finished sending. */
static void afxdp_reclaim(struct afxdp_queue *q)
{
	uint32_t idx = 0;
	unsigned m = xsk_ring_cons__peek(&q->comp, AFXDP_TX_FRAMES, &idx);

	for (unsigned i = 0; i < m; i++)
		q->tx_free[q->n_tx_free++] = *xsk_ring_cons__comp_addr(&q->comp, idx + i);
	xsk_ring_cons__release(&q->comp, m);
}

unsigned afxdp_tx_burst(struct afxdp *a, struct port *p, struct pkt **pkts, const uint16_t *tci,
			unsigned n)
{
	struct afxdp_queue *q;
	uint32_t idx = 0;
	unsigned m, sent = 0;

	if (!a->n_queues) {
		port_count_drop(p, DROP_PORT_DOWN, n);
		return 0;
	}
	q = a->q[0]; /* transmit on queue 0: one ring, frames stay in order */
	afxdp_reclaim(q);
	m = MIN(n, q->n_tx_free);
	m = xsk_ring_prod__reserve(&q->tx, m, &idx);
	for (unsigned i = 0; i < m; i++) {
		const struct pkt *pk = pkts[i];
		struct xdp_desc *d = xsk_ring_prod__tx_desc(&q->tx, idx + sent);
		uint8_t *dst;
		uint32_t size = pk->size + (tci[i] ? VLAN_HLEN : 0);

		if (size > AFXDP_FRAME_MAX || pk->size < 2 * ETH_ALEN) {
			port_count_drop(p, DROP_OVERSIZE, 1);
			continue;
		}
		d->addr = q->tx_free[--q->n_tx_free];
		dst = q->area + d->addr;
		if (tci[i]) {
			uint16_t tag[2] = { htons(ETH_P_8021Q_), htons(tci[i]) };

			memcpy(dst, pk->data, 2 * ETH_ALEN);
			memcpy(dst + 2 * ETH_ALEN, tag, VLAN_HLEN);
			memcpy(dst + 2 * ETH_ALEN + VLAN_HLEN, pk->data + 2 * ETH_ALEN,
			       pk->size - 2 * ETH_ALEN);
		} else {
			memcpy(dst, pk->data, pk->size);
		}
		d->len = size;
		d->options = 0;
		p->stats.tx_packets++;
		p->stats.tx_bytes += size;
		sent++;
	}
	if (sent < m)
		q->tx.cached_prod -= m - sent; /* give back the descriptors we did not fill */
	xsk_ring_prod__submit(&q->tx, sent);
	if (sent && xsk_ring_prod__needs_wakeup(&q->tx) &&
	    sendto(q->ev.fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0 && errno != EAGAIN &&
	    errno != EBUSY && errno != ENOBUFS)
		log_ratelimited(LOG_LVL_WARN, "port %s: AF_XDP wake-up: %s", p->name,
				strerror(errno));
	if (n > m) {
		a->stats.tx_no_frame += n - m;
		port_count_drop(p, DROP_TX_FULL, n - m);
	}
	return sent;
}

void afxdp_poll_stats(struct afxdp *a)
{
	struct afxdp_stats s = { .tx_no_frame = a->stats.tx_no_frame };

	for (unsigned i = 0; i < a->n_queues; i++) {
		struct xdp_statistics st = { 0 };
		socklen_t len = sizeof(st);

		if (getsockopt(a->q[i]->ev.fd, SOL_XDP, XDP_STATISTICS, &st, &len))
			continue;
		s.rx_dropped += st.rx_dropped;
		s.rx_ring_full += st.rx_ring_full;
		s.rx_fill_empty += st.rx_fill_ring_empty_descs;
		s.rx_invalid += st.rx_invalid_descs;
		s.tx_invalid += st.tx_invalid_descs;
		s.tx_ring_empty += st.tx_ring_empty_descs;
	}
	a->stats = s;
}
