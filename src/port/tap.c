// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * tap.c - tap and internal ports.
 *
 * Theory of operation
 * -------------------
 * The tap is opened with IFF_VNET_HDR, so every frame read or written is
 * preceded by a struct virtio_net_hdr, and TUNSETOFFLOAD tells the kernel we
 * accept partial checksums and TSO super-frames. The kernel then hands us
 * 64 KiB TCP frames from the peer's stack unsegmented, and takes them back
 * the same way: TSO crosses tap to tap with no segmentation anywhere. What we
 * write is checked by the kernel again (virtio_net_hdr_to_skb), so a bad
 * header can only fail our own write.
 *
 * Receive is a loop of read() calls until EAGAIN or a full burst (taps have
 * no batched read). Transmit is one writev() per frame, which lets an egress
 * VLAN tag be inserted between the MAC addresses and the rest of the frame
 * without touching the shared buffer.
 *
 * A tap that another process already holds (QEMU's -netdev tap,ifname=...)
 * cannot be opened a second time: there is only one file side. vnetd then
 * attaches to its netdev side instead, as a kernel bridge port would: an
 * AF_PACKET socket bound to the interface, with PACKET_VNET_HDR so offloads
 * still cross, recvmmsg/sendmmsg for bursts, PACKET_IGNORE_OUTGOING so our own
 * transmissions do not come back, and the host's own IPv6/ARP on that
 * interface silenced so the host does not answer the VM behind the switch's
 * back. attach=netdev forces this for any existing interface (a veth, say).
 *
 * If the device disappears (ip link del), the fd reports an error: the port
 * goes down with the reason, its fd leaves the loop, and nothing else is
 * affected.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/ethernet.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <jansson.h>

#include "../base/log.h"
#include "../base/util.h"
#include "../net/eth.h"
#include "../net/frame.h"
#include "tap.h"

#define TAP_POLL_BUDGET 8 /* bursts per readiness event before yielding to other fds */
#define TAP_OFFLOADS (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN)
#define TAP_NETDEV_CAPS " (attaching to an interface's netdev side needs CAP_NET_RAW)"

/**
 * struct tap - state of one tap or internal port
 * @ev:       the tap fd in the loop
 * @ifname:   kernel interface name
 * @internal: internal port (host address, brought up by us)
 * @netdev_side: attached to the interface through AF_PACKET, because another
 *            process (QEMU) holds the tap's file side, or attach=netdev
 * @ifindex:  kernel interface index when opened
 * @address:  internal port's IPv4 address/prefix, "" if none
 * @rx_errors: read() errors other than EAGAIN
 */
struct tap {
	struct ev_source ev;
	char ifname[IFNAMSIZ];
	bool internal;
	bool netdev_side;
	unsigned ifindex;
	char address[64];
	uint64_t rx_errors;
	uint64_t tx_errors;
};

static bool tap_ifname_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= IFNAMSIZ || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '/' || s[i] == ':' || s[i] <= ' ' || s[i] > '~')
			return false;
	}
	return true;
}

/* "a.b.c.d/len" -> address and prefix length */
static bool tap_parse_cidr(const char *s, struct in_addr *addr, unsigned *plen)
{
	char buf[64];
	char *slash, *end;
	unsigned long l;

	if (strlen(s) >= sizeof(buf))
		return false;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (!slash)
		return false;
	*slash = '\0';
	l = strtoul(slash + 1, &end, 10);
	if (!slash[1] || *end || l < 1 || l > 32)
		return false;
	*plen = (unsigned)l;
	return inet_pton(AF_INET, buf, addr) == 1;
}

static int tap_check_opts(struct kv_list *opts, bool internal, char *err, size_t errsz)
{
	const char *ifname = kv_get(opts, "ifname");
	const char *addr = internal ? kv_get(opts, "address") : NULL;
	struct in_addr a;
	unsigned plen;

	if (ifname && !tap_ifname_ok(ifname)) {
		snprintf(err, errsz, "ifname=%.32s: not a valid interface name (1..15 characters)",
			 ifname);
		return -EINVAL;
	}
	const char *attach = internal ? NULL : kv_get(opts, "attach");

	if (attach && strcmp(attach, "auto") && strcmp(attach, "fd") && strcmp(attach, "netdev")) {
		snprintf(err, errsz, "attach=%.32s: expected auto, fd or netdev", attach);
		return -EINVAL;
	}
	if (addr && *addr && !tap_parse_cidr(addr, &a, &plen)) {
		snprintf(err, errsz, "address=%.64s: expected IPv4 CIDR like 10.0.0.1/24", addr);
		return -EINVAL;
	}
	return 0;
}

static int tap_validate(struct kv_list *opts, char *err, size_t errsz)
{
	return tap_check_opts(opts, false, err, errsz);
}

static int internal_validate(struct kv_list *opts, char *err, size_t errsz)
{
	return tap_check_opts(opts, true, err, errsz);
}

static void tap_event(struct ev_source *src, uint32_t events);

/* Bring the interface up and give it its address (internal ports). */
static int tap_host_config(struct tap *t, char *err, size_t errsz)
{
	struct ifreq ifr = { 0 };
	struct in_addr a, mask;
	unsigned plen;
	int s, rc = 0;

	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	strcpy(ifr.ifr_name, t->ifname);
	if (t->address[0] && tap_parse_cidr(t->address, &a, &plen)) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ifr.ifr_addr;

		sin->sin_family = AF_INET;
		sin->sin_addr = a;
		if (ioctl(s, SIOCSIFADDR, &ifr) < 0) {
			rc = -errno;
			snprintf(err, errsz, "%s: setting address %s: %s", t->ifname, t->address,
				 strerror(errno));
			goto out;
		}
		mask.s_addr = htonl(plen == 32 ? 0xffffffffu : ~(0xffffffffu >> plen));
		sin->sin_addr = mask;
		if (ioctl(s, SIOCSIFNETMASK, &ifr) < 0) {
			rc = -errno;
			snprintf(err, errsz, "%s: setting netmask: %s", t->ifname, strerror(errno));
			goto out;
		}
	}
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) {
		rc = -errno;
		snprintf(err, errsz, "%s: %s", t->ifname, strerror(errno));
		goto out;
	}
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) {
		rc = -errno;
		snprintf(err, errsz, "%s: bringing up: %s", t->ifname, strerror(errno));
	}
out:
	close(s);
	return rc;
}

/* write @val to /proc/sys/net/@family/conf/@ifname/@key, best effort */
static void tap_sysctl(const char *family, const char *ifname, const char *key, const char *val)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/%s", family, ifname, key);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, val, strlen(val)) < 0)
		debug("%s: %s", path, strerror(errno));
	close(fd);
}

/* Attach to an existing interface's netdev side with AF_PACKET. Return: fd or -errno */
static int tap_open_netdev(struct tap *t, char *err, size_t errsz)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	struct packet_mreq mr = { .mr_type = PACKET_MR_PROMISC };
	struct ifreq ifr = { 0 };
	int one = 1, fd, s, rc;

	t->ifindex = if_nametoindex(t->ifname);
	if (!t->ifindex) {
		snprintf(err, errsz, "ifname=%s: no such interface", t->ifname);
		return -ENODEV;
	}
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errsz, "ifname=%s: AF_PACKET socket: %s%s", t->ifname,
			 strerror(errno), errno == EPERM ? TAP_NETDEV_CAPS : "");
		return rc;
	}
	sll.sll_ifindex = (int)t->ifindex;
	mr.mr_ifindex = (int)t->ifindex;
	if (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr))) {
		rc = -errno;
		snprintf(err, errsz, "ifname=%s: attaching with AF_PACKET: %s%s", t->ifname,
			 strerror(errno), errno == EPERM ? TAP_NETDEV_CAPS : "");
		close(fd);
		return rc;
	}
	/* the VM owns this link: the host stays silent on it */
	tap_sysctl("ipv6", t->ifname, "disable_ipv6", "1");
	tap_sysctl("ipv4", t->ifname, "arp_ignore", "8");
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s >= 0) {
		strcpy(ifr.ifr_name, t->ifname);
		if (!ioctl(s, SIOCGIFFLAGS, &ifr) && !(ifr.ifr_flags & IFF_UP)) {
			ifr.ifr_flags |= IFF_UP;
			if (ioctl(s, SIOCSIFFLAGS, &ifr))
				warn("%s: cannot bring up: %s", t->ifname, strerror(errno));
		}
		close(s);
	}
	t->netdev_side = true;
	return fd;
}

static int tap_open_common(struct port *p, struct kv_list *opts, bool internal, char *err,
			   size_t errsz)
{
	const char *ifname = kv_get(opts, "ifname");
	const char *addr = internal ? kv_get(opts, "address") : NULL;
	const char *attach;
	struct ifreq ifr = { 0 };
	struct tap *t;
	int fd, rc, hdrsz = sizeof(struct virtio_net_hdr);

	rc = tap_check_opts(opts, internal, err, errsz);
	if (rc)
		return rc;
	t = calloc(1, sizeof(*t));
	if (!t) {
		snprintf(err, errsz, "out of memory");
		return -ENOMEM;
	}
	t->internal = internal;
	if (!ifname)
		ifname = p->name; /* the port name doubles as the interface name */
	if (!tap_ifname_ok(ifname)) {
		snprintf(err, errsz, "ifname=%.32s: not a valid interface name (1..15 characters)",
			 ifname);
		free(t);
		return -EINVAL;
	}
	memcpy(t->ifname, ifname, strlen(ifname) + 1);
	if (addr)
		snprintf(t->address, sizeof(t->address), "%s", addr);

	attach = internal ? "fd" : kv_get(opts, "attach");
	if (!attach)
		attach = "auto";
	if (!strcmp(attach, "netdev")) {
		fd = tap_open_netdev(t, err, errsz);
		if (fd < 0) {
			rc = fd;
			goto err_free;
		}
		goto opened;
	}
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errsz, "/dev/net/tun: %s%s", strerror(errno),
			 errno == EACCES || errno == EPERM ? " (tap ports need CAP_NET_ADMIN)"
							   : "");
		goto err_free;
	}
	strcpy(ifr.ifr_name, t->ifname);
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		rc = -errno;
		close(fd);
		if (rc == -EBUSY && !strcmp(attach, "auto")) {
			/* QEMU (or another program) holds the tap: take its netdev side */
			fd = tap_open_netdev(t, err, errsz);
			if (fd < 0) {
				rc = fd;
				goto err_free;
			}
			info("port %s: tap %s is held by another process; attached to its netdev "
			     "side",
			     p->name, t->ifname);
			goto opened;
		}
		if (rc == -EBUSY)
			snprintf(err, errsz, "ifname=%s: device is in use by another process",
				 t->ifname);
		else if (rc == -EPERM)
			/* rootless vnetd: only a tap the administrator made for this user opens */
			snprintf(err, errsz,
				 "ifname=%s: creating a tap needs CAP_NET_ADMIN; without it, ask "
				 "for a persistent tap owned by this user (ip tuntap add dev %s "
				 "mode tap user %u vnet_hdr), or use a stream, dgram or "
				 "vhost-user port",
				 t->ifname, t->ifname, (unsigned)geteuid());
		else if (rc == -EINVAL)
			snprintf(err, errsz,
				 "ifname=%s: exists and is not a tap device (attach=netdev "
				 "attaches to any interface)",
				 t->ifname);
		else
			snprintf(err, errsz, "ifname=%s: TUNSETIFF: %s", t->ifname, strerror(-rc));
		goto err_free;
	}
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdrsz) < 0 ||
	    ioctl(fd, TUNSETOFFLOAD, (unsigned long)TAP_OFFLOADS) < 0) {
		rc = -errno;
		snprintf(err, errsz, "ifname=%s: enabling offloads: %s", t->ifname,
			 strerror(errno));
		goto err_close;
	}
	t->ifindex = if_nametoindex(t->ifname);
opened:
	t->ev.fd = fd;
	t->ev.cb = tap_event;
	t->ev.arg = p;
	p->priv = t;
	if (internal) {
		rc = tap_host_config(t, err, errsz);
		if (rc)
			goto err_close;
	}
	rc = evloop_add(&p->dp->loop, &t->ev, EPOLLIN);
	if (rc) {
		snprintf(err, errsz, "epoll: %s", strerror(-rc));
		goto err_close;
	}
	/* The kernel segments anything we write, so every offload is welcome on transmit. */
	p->caps = PORT_CAP_CSUM | PORT_CAP_TSO4 | PORT_CAP_TSO6 | PORT_CAP_TSO_ECN;
	port_set_up(p);
	return 0;

err_close:
	close(fd);
err_free:
	p->priv = NULL;
	free(t);
	return rc;
}

static int tap_open(struct port *p, struct kv_list *opts, char *err, size_t errsz)
{
	return tap_open_common(p, opts, false, err, errsz);
}

static int internal_open(struct port *p, struct kv_list *opts, char *err, size_t errsz)
{
	return tap_open_common(p, opts, true, err, errsz);
}

static void tap_detach(struct port *p, struct tap *t)
{
	if (t->ev.fd < 0)
		return;
	evloop_del(&p->dp->loop, &t->ev);
	close(t->ev.fd);
	t->ev.fd = -1;
}

static void tap_close(struct port *p)
{
	struct tap *t = p->priv;

	if (!t)
		return;
	tap_detach(p, t);
	free(t);
	p->priv = NULL;
}

/*
 * Netdev side: is the interface still there? A pending socket error (ENETDOWN
 * when it is set down) is read and cleared here; only a vanished ifindex means
 * the port is gone.
 */
static bool tap_netdev_alive(struct tap *t)
{
	char name[IF_NAMESIZE];
	int soerr = 0;
	socklen_t len = sizeof(soerr);

	getsockopt(t->ev.fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
	if (soerr)
		debug("%s: %s", t->ifname, strerror(soerr));
	return if_indextoname(t->ifindex, name) != NULL;
}

static void tap_event(struct ev_source *src, uint32_t events)
{
	struct port *p = src->arg;
	struct tap *t = p->priv;

	if (events & (EPOLLERR | EPOLLHUP)) {
		if (!t->netdev_side || !tap_netdev_alive(t)) {
			port_set_down(p, "%s %s went away",
				      t->netdev_side ? "interface" : "tap device", t->ifname);
			tap_detach(p, t);
			return;
		}
		/* the interface went down (or came up): frames flow again once it is up */
	}
	port_poll(p, TAP_POLL_BUDGET);
}

/*
 * The iovec for one frame: virtio-net header, then the frame, with an 802.1Q
 * tag spliced in after the MAC addresses when @tci is non-zero. @vh and @tag
 * are the caller's storage. Return: iovec entries used (at most 4).
 */
static unsigned tap_tx_iov(const struct pkt *pk, uint16_t tci, struct virtio_net_hdr *vh,
			   struct vlan_hdr *tag, struct iovec *iov)
{
	unsigned niov = 0;

	*vh = pk->vnet;
	vh->flags &= VIRTIO_NET_HDR_F_NEEDS_CSUM;
	iov[niov++] = (struct iovec){ vh, sizeof(*vh) };
	if (tci && pk->size >= 2 * ETH_ALEN) {
		tag->tci = htons(ETH_P_8021Q_); /* struct vlan_hdr read as TPID, TCI */
		tag->type = htons(tci);
		if (vh->flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
			vh->csum_start += VLAN_HLEN;
		if (vh->hdr_len)
			vh->hdr_len += VLAN_HLEN;
		iov[niov++] = (struct iovec){ pk->data, 2 * ETH_ALEN };
		iov[niov++] = (struct iovec){ tag, sizeof(*tag) };
		iov[niov++] = (struct iovec){ pk->data + 2 * ETH_ALEN, pk->size - 2 * ETH_ALEN };
	} else {
		iov[niov++] = (struct iovec){ pk->data, pk->size };
	}
	return niov;
}

/* netdev side: one recvmmsg() for the whole burst */
static unsigned tap_rx_burst_packet(struct port *p, struct tap *t, struct pkt **pkts, unsigned n)
{
	struct pkt *bufs[PKT_BATCH];
	struct mmsghdr msgs[PKT_BATCH];
	struct iovec iov[PKT_BATCH][2];
	unsigned got = 0, m = pkt_alloc_burst(p->dp->pool, bufs, MIN(n, PKT_BATCH));
	int r;

	if (!m) {
		port_count_drop(p, DROP_NO_BUFFERS, 1);
		return 0;
	}
	for (unsigned i = 0; i < m; i++) {
		iov[i][0] = (struct iovec){ &bufs[i]->vnet, sizeof(bufs[i]->vnet) };
		iov[i][1] = (struct iovec){ bufs[i]->data, PKT_DATA_MAX };
		msgs[i].msg_hdr = (struct msghdr){ .msg_iov = iov[i], .msg_iovlen = 2 };
	}
	r = recvmmsg(t->ev.fd, msgs, m, MSG_DONTWAIT, NULL);
	if (r < 0) {
		if (errno != EAGAIN && errno != EINTR) {
			t->rx_errors++;
			if (errno != ENETDOWN && !tap_netdev_alive(t)) {
				port_set_down(p, "interface %s went away", t->ifname);
				tap_detach(p, t);
			}
		}
		r = 0;
	}
	for (unsigned i = 0; i < m; i++) {
		if (i < (unsigned)r && msgs[i].msg_len > sizeof(struct virtio_net_hdr)) {
			bufs[i]->size = msgs[i].msg_len - (unsigned)sizeof(struct virtio_net_hdr);
			pkts[got++] = bufs[i];
			continue;
		}
		if (i < (unsigned)r)
			port_count_drop(p, DROP_RUNT, 1);
		pkt_free(p->dp->pool, bufs[i]);
	}
	return got;
}

/*
 * Count a frame the device refused. An interface that is administratively
 * down (EIO from a tap, ENETDOWN from a packet socket) is not an error: the
 * peer has not brought its side up yet.
 */
static void tap_tx_failed(struct port *p, struct tap *t, int e, const char *what)
{
	if (e == EIO || e == ENETDOWN) {
		port_count_drop(p, DROP_PORT_DOWN, 1);
		return;
	}
	t->tx_errors++;
	port_count_drop(p, e == EAGAIN || e == ENOBUFS ? DROP_TX_FULL : DROP_TX_ERROR, 1);
	log_ratelimited(LOG_LVL_WARN, "port %s: %s: %s", p->name, what, strerror(e));
}

/* netdev side: one sendmmsg() for the whole burst */
static unsigned tap_tx_burst_packet(struct port *p, struct tap *t, struct pkt **pkts,
				    const uint16_t *tci, unsigned n)
{
	struct virtio_net_hdr vh[PKT_BATCH];
	struct vlan_hdr tag[PKT_BATCH];
	struct mmsghdr msgs[PKT_BATCH];
	struct iovec iov[PKT_BATCH][4];
	unsigned done = 0;

	while (done < n) {
		unsigned m = MIN(n - done, PKT_BATCH);
		int r;

		for (unsigned i = 0; i < m; i++) {
			struct pkt *pk = pkts[done + i];
			unsigned niov = tap_tx_iov(pk, tci[done + i], &vh[i], &tag[i], iov[i]);

			msgs[i].msg_hdr = (struct msghdr){ .msg_iov = iov[i], .msg_iovlen = niov };
		}
		r = sendmmsg(t->ev.fd, msgs, m, MSG_DONTWAIT);
		if (r < 0)
			r = 0;
		for (unsigned i = 0; i < (unsigned)r; i++) {
			p->stats.tx_packets++;
			p->stats.tx_bytes += msgs[i].msg_len - sizeof(struct virtio_net_hdr);
			p->stats.tx_gso += pkt_is_gso(pkts[done + i]);
		}
		if ((unsigned)r < m) {
			/* the first unsent frame failed (or the queue is full): drop it, go on */
			tap_tx_failed(p, t, errno, "send");
			r++;
		}
		done += (unsigned)r;
	}
	return n; /* the caller does not count: every frame is accounted for above */
}

static unsigned tap_rx_burst(struct port *p, struct pkt **pkts, unsigned n)
{
	struct tap *t = p->priv;
	unsigned got = 0;

	if (t->ev.fd < 0)
		return 0;
	if (t->netdev_side)
		return tap_rx_burst_packet(p, t, pkts, n);
	while (got < n) {
		struct pkt *pk = pkt_alloc(p->dp->pool);
		struct iovec iov[2];
		ssize_t r;

		if (!pk) {
			port_count_drop(p, DROP_NO_BUFFERS, 1);
			break;
		}
		iov[0].iov_base = &pk->vnet;
		iov[0].iov_len = sizeof(pk->vnet);
		iov[1].iov_base = pk->data;
		iov[1].iov_len = PKT_DATA_MAX;
		r = readv(t->ev.fd, iov, 2);
		if (r <= (ssize_t)sizeof(pk->vnet)) {
			pkt_free(p->dp->pool, pk);
			if (r < 0 && errno != EAGAIN && errno != EINTR) {
				t->rx_errors++;
				if (errno == EBADFD || errno == ENODEV) {
					port_set_down(p, "tap device %s went away", t->ifname);
					tap_detach(p, t);
				}
			} else if (r >= 0) {
				port_count_drop(p, DROP_RUNT, 1);
				continue;
			}
			break;
		}
		pk->size = (uint32_t)(r - (ssize_t)sizeof(pk->vnet));
		pkts[got++] = pk;
	}
	return got;
}

static unsigned tap_tx_burst(struct port *p, struct pkt **pkts, const uint16_t *tci, unsigned n)
{
	struct tap *t = p->priv;
	unsigned sent = 0;

	if (t->ev.fd < 0) {
		port_count_drop(p, DROP_PORT_DOWN, n);
		return 0;
	}
	if (t->netdev_side)
		return tap_tx_burst_packet(p, t, pkts, tci, n);
	for (unsigned i = 0; i < n; i++) {
		struct virtio_net_hdr vh;
		struct vlan_hdr tag;
		struct iovec iov[4];
		unsigned niov = tap_tx_iov(pkts[i], tci[i], &vh, &tag, iov);
		ssize_t r = writev(t->ev.fd, iov, (int)niov);

		if (r < 0) {
			tap_tx_failed(p, t, errno, "write");
			continue;
		}
		sent++;
		p->stats.tx_packets++;
		p->stats.tx_bytes += (uint64_t)r - sizeof(vh);
		p->stats.tx_gso += pkt_is_gso(pkts[i]);
	}
	return sent;
}

/*
 * A packet socket hears nothing when an interface that is already down is
 * deleted, so the netdev side checks once a second that it still exists.
 */
static void tap_tick(struct port *p)
{
	struct tap *t = p->priv;
	char name[IF_NAMESIZE];

	if (!t || !t->netdev_side || t->ev.fd < 0)
		return;
	if (!if_indextoname(t->ifindex, name)) {
		port_set_down(p, "interface %s went away", t->ifname);
		tap_detach(p, t);
	}
}

static void tap_info(struct port *p, struct json_t *obj)
{
	struct tap *t = p->priv;

	if (!t)
		return;
	json_object_set_new(obj, "ifname", json_string(t->ifname));
	json_object_set_new(obj, "attach", json_string(t->netdev_side ? "netdev" : "fd"));
	if (t->internal && t->address[0])
		json_object_set_new(obj, "address", json_string(t->address));
	json_object_set_new(obj, "rx_errors", json_integer((json_int_t)t->rx_errors));
	json_object_set_new(obj, "tx_errors", json_integer((json_int_t)t->tx_errors));
}

const struct port_ops tap_port_ops = {
	.type = "tap",
	.help = "ifname=NAME (create a tap, or attach to an existing one; default: the port name) "
		"attach=auto|fd|netdev (auto: the netdev side if another process, e.g. QEMU, holds "
		"the tap)",
	.validate = tap_validate,
	.open = tap_open,
	.close = tap_close,
	.rx_burst = tap_rx_burst,
	.tx_burst = tap_tx_burst,
	.info = tap_info,
	.tick = tap_tick,
};

const struct port_ops internal_port_ops = {
	.type = "internal",
	.help = "ifname=NAME address=A.B.C.D/LEN (the host's own adapter on the switch)",
	.validate = internal_validate,
	.open = internal_open,
	.close = tap_close,
	.rx_burst = tap_rx_burst,
	.tx_burst = tap_tx_burst,
	.info = tap_info,
};
