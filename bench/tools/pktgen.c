// SPDX-License-Identifier: GPL-2.0-or-later
/* pktgen.c - small UDP frame generator over AF_PACKET (TX ring or sendmmsg) for the benchmarks. */

/*
 * Theory of operation
 *
 * iperf3 cannot offer more than a few hundred thousand 64-byte packets per
 * second here, so it measures itself rather than the switch. This tool
 * builds one Ethernet/IPv4/UDP frame (60 bytes without FCS, i.e. a 64-byte
 * frame on the wire) and pushes copies of it into one interface through an
 * AF_PACKET socket that bypasses the qdisc, so the only per-packet cost on
 * this side is the AF_PACKET send path and the device's xmit.
 *
 * Two send paths:
 *   ring  - PACKET_TX_RING (TPACKET_V2): frames are prebuilt in a shared
 *           ring, one send() hands every pending slot to the kernel.
 *   mmsg  - sendmmsg() with a batch of iovecs that point at the frames.
 *
 * Both use MSG_DONTWAIT: a blocking send on a tap would wait for the reader
 * (the switch under test) to consume the last frame, and a stuck switch must
 * not make the generator hang. The run is bounded by a duration and/or a
 * packet count; at a fixed rate the sender paces itself with a token bucket
 * on CLOCK_MONOTONIC, and at rate 0 it sends as fast as it can.
 *
 * "sent" counts frames the device accepted. A tap whose reader (the switch)
 * is behind refuses frames: it drops them and counts tx_dropped, and the
 * send call fails with ENOBUFS. sendmmsg() then moves on to the next frame,
 * while the TX ring leaves the refused slot pending and offers it again. So
 * the benchmark takes the load offered to the switch from the interface
 * (tx_packets + tx_dropped), and what the switch delivered from the
 * receiving interface; "sent" is a cross-check.
 *
 * With -f N the UDP source port cycles through N values so that a switch
 * that hashes flows sees more than one; the default is a single flow.
 *
 * Output is one line of key=value pairs on stdout, for scripts.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PKTGEN_FRAME_MIN_SIZE 60 /* 64 on the wire with the FCS */
#define PKTGEN_FRAME_MAX_SIZE 1514
#define PKTGEN_HDRS_SIZE (14 + 20 + 8)
#define PKTGEN_BATCH_MAX 1024
#define PKTGEN_FLOWS_MAX PKTGEN_BATCH_MAX
#define PKTGEN_DURATION_MAX_S 3600
#define PKTGEN_RING_FRAME_SIZE 2048 /* holds a 1514-byte frame plus the tpacket2 header */
#define PKTGEN_RING_BLOCK_SIZE (64 * 1024)
#define PKTGEN_RING_FRAMES 1024
#define PKTGEN_SNDBUF_SIZE (16 * 1024 * 1024)
#define PKTGEN_DEFAULT_PORT 9

enum pktgen_mode { PKTGEN_RING, PKTGEN_MMSG };

struct pktgen_cfg {
	char ifname[IF_NAMESIZE];
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	bool have_src_mac;
	bool have_dst_mac;
	struct in_addr src_ip;
	struct in_addr dst_ip;
	uint16_t dst_port;
	uint16_t src_port;
	unsigned int n_flows;
	size_t frame_size;
	double rate_pps; /* 0: as fast as possible */
	double duration_s;
	unsigned long long max_count; /* 0: no count limit */
	unsigned int batch;
	enum pktgen_mode mode;
};

struct pktgen_stats {
	unsigned long long sent;
	unsigned long long errors; /* send calls that failed with something other than EAGAIN */
	unsigned long long busy; /* send calls that found the device or socket full */
};

static volatile sig_atomic_t pktgen_stop;

static void pktgen_on_signal(int sig)
{
	(void)sig;
	pktgen_stop = 1;
}

static double pktgen_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool pktgen_parse_mac(const char *s, uint8_t mac[static 6])
{
	unsigned int b[6];
	char tail;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &tail) != 6)
		return false;
	for (int i = 0; i < 6; i++) {
		if (b[i] > 0xff)
			return false;
		mac[i] = (uint8_t)b[i];
	}
	return true;
}

static bool pktgen_parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static uint16_t pktgen_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t pktgen_csum_add(uint32_t sum, const void *data, size_t size)
{
	const uint8_t *p = data;

	for (; size > 1; size -= 2, p += 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (size)
		sum += (uint32_t)(p[0] << 8);
	return sum;
}

/* Build one Ethernet/IPv4/UDP frame of cfg->frame_size bytes with a valid UDP checksum. */
static void pktgen_build(const struct pktgen_cfg *cfg, uint16_t src_port, uint8_t *buf)
{
	struct ether_header *eth = (struct ether_header *)buf;
	struct iphdr *ip = (struct iphdr *)(buf + 14);
	struct udphdr *udp = (struct udphdr *)(buf + 14 + 20);
	size_t l4_size = cfg->frame_size - 14 - 20;
	uint32_t sum;
	uint16_t csum;

	memset(buf, 0, cfg->frame_size);
	memcpy(eth->ether_dhost, cfg->dst_mac, 6);
	memcpy(eth->ether_shost, cfg->src_mac, 6);
	eth->ether_type = htons(ETHERTYPE_IP);

	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons((uint16_t)(cfg->frame_size - 14));
	ip->id = 0;
	ip->frag_off = htons(IP_DF);
	ip->ttl = 64;
	ip->protocol = IPPROTO_UDP;
	ip->saddr = cfg->src_ip.s_addr;
	ip->daddr = cfg->dst_ip.s_addr;
	ip->check = htons(pktgen_csum_fold(pktgen_csum_add(0, ip, 20)));

	udp->source = htons(src_port);
	udp->dest = htons(cfg->dst_port);
	udp->len = htons((uint16_t)l4_size);
	for (size_t i = PKTGEN_HDRS_SIZE; i < cfg->frame_size; i++)
		buf[i] = (uint8_t)i;

	/* pseudo header: addresses, protocol, UDP length */
	sum = pktgen_csum_add(0, &ip->saddr, 8);
	sum += IPPROTO_UDP + (uint32_t)l4_size;
	sum = pktgen_csum_add(sum, udp, l4_size);
	csum = pktgen_csum_fold(sum);
	udp->check = htons(csum ? csum : 0xffff);
}

static int pktgen_open(const struct pktgen_cfg *cfg, int *ifindex)
{
	struct sockaddr_ll sll = { 0 };
	int one = 1, sndbuf = PKTGEN_SNDBUF_SIZE;
	int fd;

	*ifindex = (int)if_nametoindex(cfg->ifname);
	if (!*ifindex) {
		fprintf(stderr, "pktgen: no interface %s: %s\n", cfg->ifname, strerror(errno));
		return -1;
	}
	/* protocol 0: this socket never receives */
	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		fprintf(stderr, "pktgen: AF_PACKET socket: %s\n", strerror(errno));
		return -1;
	}
	if (setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one)))
		fprintf(stderr, "pktgen: PACKET_QDISC_BYPASS: %s (continuing)\n", strerror(errno));
	/* frames queued in a tap count against the send buffer until the reader takes them */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof(sndbuf)))
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = *ifindex;
	sll.sll_protocol = 0;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		fprintf(stderr, "pktgen: bind %s: %s\n", cfg->ifname, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static bool pktgen_src_mac(struct pktgen_cfg *cfg, int fd)
{
	struct ifreq ifr = { 0 };

	if (cfg->have_src_mac)
		return true;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", cfg->ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		fprintf(stderr, "pktgen: SIOCGIFHWADDR %s: %s\n", cfg->ifname, strerror(errno));
		return false;
	}
	memcpy(cfg->src_mac, ifr.ifr_hwaddr.sa_data, 6);
	return true;
}

/*
 * How many frames may go now. At rate 0 it is always a full batch; otherwise
 * the token bucket allows what is due since the start, minus what was sent,
 * capped to one batch so a stall is not followed by a burst larger than that.
 */
static unsigned int pktgen_due(const struct pktgen_cfg *cfg, double start, double now,
			       unsigned long long sent)
{
	double due;
	unsigned long long left = ULLONG_MAX;

	if (cfg->max_count)
		left = cfg->max_count - sent;
	if (cfg->rate_pps <= 0)
		return (unsigned int)(left < cfg->batch ? left : cfg->batch);
	due = (now - start) * cfg->rate_pps - (double)sent;
	if (due < 1)
		return 0;
	if (due > cfg->batch)
		due = cfg->batch;
	if ((double)left < due)
		due = (double)left;
	return (unsigned int)due;
}

static bool pktgen_done(const struct pktgen_cfg *cfg, double start, double now,
			const struct pktgen_stats *st)
{
	if (pktgen_stop)
		return true;
	if (cfg->max_count && st->sent >= cfg->max_count)
		return true;
	return now - start >= cfg->duration_s;
}

/* Short sleep when the bucket is empty or the device is full, so pacing does not burn a core. */
static void pktgen_pause(const struct pktgen_cfg *cfg)
{
	struct timespec ts = { 0, 20000 };

	if (cfg->rate_pps > 0 && cfg->rate_pps < 200000)
		ts.tv_nsec = 50000;
	nanosleep(&ts, NULL);
}

static int pktgen_run_mmsg(const struct pktgen_cfg *cfg, int fd, int ifindex,
			   struct pktgen_stats *st, double *elapsed)
{
	static uint8_t frames[PKTGEN_FLOWS_MAX][PKTGEN_FRAME_MAX_SIZE];
	static struct mmsghdr msgs[PKTGEN_BATCH_MAX];
	static struct iovec iov[PKTGEN_BATCH_MAX];
	struct sockaddr_ll dst = { 0 };
	unsigned int flow = 0;
	double start, now;

	for (unsigned int i = 0; i < cfg->n_flows; i++)
		pktgen_build(cfg, (uint16_t)(cfg->src_port + i), frames[i]);
	dst.sll_family = AF_PACKET;
	dst.sll_ifindex = ifindex;
	dst.sll_halen = 6;
	memcpy(dst.sll_addr, cfg->dst_mac, 6);

	start = now = pktgen_now();
	while (!pktgen_done(cfg, start, now, st)) {
		unsigned int n = pktgen_due(cfg, start, now, st->sent);
		int r;

		if (!n) {
			pktgen_pause(cfg);
			now = pktgen_now();
			continue;
		}
		for (unsigned int i = 0; i < n; i++) {
			iov[i].iov_base = frames[flow];
			iov[i].iov_len = cfg->frame_size;
			msgs[i].msg_hdr = (struct msghdr){ .msg_name = &dst,
							   .msg_namelen = sizeof(dst),
							   .msg_iov = &iov[i],
							   .msg_iovlen = 1 };
			if (++flow == cfg->n_flows)
				flow = 0;
		}
		r = sendmmsg(fd, msgs, n, MSG_DONTWAIT);
		if (r > 0) {
			st->sent += (unsigned int)r;
		} else if (r < 0 && (errno == EAGAIN || errno == ENOBUFS)) {
			st->busy++;
			pktgen_pause(cfg);
		} else if (r < 0 && errno != EINTR) {
			st->errors++;
			if (st->errors == 1)
				fprintf(stderr, "pktgen: sendmmsg: %s\n", strerror(errno));
			if (errno == ENXIO || errno == ENETDOWN || errno == ENODEV)
				return -1;
			pktgen_pause(cfg);
		}
		now = pktgen_now();
	}
	*elapsed = now - start;
	return 0;
}

/* a slot the kernel is done with may carry timestamp flags next to TP_STATUS_AVAILABLE */
static bool pktgen_slot_free(const struct tpacket2_hdr *h)
{
	uint32_t status = __atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE);

	return !(status & ~(uint32_t)(TP_STATUS_TS_SOFTWARE | TP_STATUS_TS_RAW_HARDWARE));
}

static int pktgen_run_ring(const struct pktgen_cfg *cfg, int fd, struct pktgen_stats *st,
			   double *elapsed)
{
	struct tpacket_req req = {
		.tp_block_size = PKTGEN_RING_BLOCK_SIZE,
		.tp_block_nr = PKTGEN_RING_FRAMES * PKTGEN_RING_FRAME_SIZE / PKTGEN_RING_BLOCK_SIZE,
		.tp_frame_size = PKTGEN_RING_FRAME_SIZE,
		.tp_frame_nr = PKTGEN_RING_FRAMES,
	};
	const size_t data_off = TPACKET2_HDRLEN - sizeof(struct sockaddr_ll);
	size_t ring_size = (size_t)req.tp_block_size * req.tp_block_nr;
	int version = TPACKET_V2;
	unsigned int head = 0, tail = 0, pending = 0, flow = 0;
	double start, now;
	uint8_t *ring;

	if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &version, sizeof(version)) ||
	    setsockopt(fd, SOL_PACKET, PACKET_TX_RING, &req, sizeof(req))) {
		fprintf(stderr, "pktgen: PACKET_TX_RING: %s\n", strerror(errno));
		return -1;
	}
	ring = mmap(NULL, ring_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (ring == MAP_FAILED) {
		fprintf(stderr, "pktgen: mmap ring: %s\n", strerror(errno));
		return -1;
	}
	/* the frames never change, so write them once */
	for (unsigned int i = 0; i < PKTGEN_RING_FRAMES; i++) {
		pktgen_build(cfg, (uint16_t)(cfg->src_port + flow),
			     ring + (size_t)i * PKTGEN_RING_FRAME_SIZE + data_off);
		if (++flow == cfg->n_flows)
			flow = 0;
	}

	/*
	 * Slots go head -> SEND_REQUEST -> (kernel) SENDING or AVAILABLE. The
	 * kernel takes them strictly in ring order, so walking from tail
	 * until the first slot still marked SEND_REQUEST counts exactly what
	 * it handed to the device. send()'s return value cannot be used for
	 * that: when the device drops a frame (a tap whose reader is behind
	 * returns NET_XMIT_DROP), send() fails with ENOBUFS and the byte
	 * count of the frames it did hand over in the same call is lost.
	 */
	start = now = pktgen_now();
	while (!pktgen_done(cfg, start, now, st)) {
		unsigned int n = pktgen_due(cfg, start, now, st->sent + pending), queued = 0;
		ssize_t r;

		/* a slot still held by the device (queued in a tap) ends the burst */
		while (queued < n) {
			struct tpacket2_hdr *h =
				(void *)(ring + (size_t)head * PKTGEN_RING_FRAME_SIZE);

			if (!pktgen_slot_free(h))
				break;
			h->tp_len = (uint32_t)cfg->frame_size;
			__atomic_store_n(&h->tp_status, TP_STATUS_SEND_REQUEST, __ATOMIC_RELEASE);
			head = (head + 1) % PKTGEN_RING_FRAMES;
			queued++;
		}
		pending += queued;
		if (pending) {
			r = send(fd, NULL, 0, MSG_DONTWAIT);
			if (r < 0 && errno != EAGAIN && errno != ENOBUFS && errno != EINTR) {
				st->errors++;
				if (st->errors == 1)
					fprintf(stderr, "pktgen: send: %s\n", strerror(errno));
				if (errno == ENXIO || errno == ENETDOWN || errno == ENODEV)
					break;
			}
		}
		while (pending) {
			struct tpacket2_hdr *h =
				(void *)(ring + (size_t)tail * PKTGEN_RING_FRAME_SIZE);

			if (__atomic_load_n(&h->tp_status, __ATOMIC_ACQUIRE) ==
			    TP_STATUS_SEND_REQUEST)
				break;
			tail = (tail + 1) % PKTGEN_RING_FRAMES;
			pending--;
			st->sent++;
		}
		if (!queued) {
			/* nothing due, or every slot still held by the device */
			if (n)
				st->busy++;
			pktgen_pause(cfg);
		}
		now = pktgen_now();
	}
	/*
	 * Slots still marked SEND_REQUEST are not counted as sent; they are
	 * discarded with the socket.
	 */
	*elapsed = now - start;
	munmap(ring, ring_size);
	return 0;
}

static void pktgen_usage(FILE *f)
{
	fprintf(f,
		"usage: pktgen -i IFACE -d DST_MAC -s SRC_IP -D DST_IP [options]\n"
		"  -i IFACE     interface to send on\n"
		"  -d MAC       destination MAC\n"
		"  -S MAC       source MAC (default: the interface's)\n"
		"  -s IP        source IPv4 address\n"
		"  -D IP        destination IPv4 address\n"
		"  -p PORT      UDP destination port (default %d)\n"
		"  -P PORT      first UDP source port (default 10000)\n"
		"  -f N         number of flows (source ports), 1..%d (default 1)\n"
		"  -l SIZE      frame size without FCS, %d..%d (default %d)\n"
		"  -r PPS       packets per second, 0 = as fast as possible (default 0)\n"
		"  -t SECONDS   duration, at most %d (default 5)\n"
		"  -n COUNT     stop after COUNT packets (default: no limit)\n"
		"  -b BATCH     frames per send call, 1..%d (default 256)\n"
		"  -m MODE      ring (PACKET_TX_RING, default) or mmsg (sendmmsg)\n"
		"prints: sent=N busy=N errors=N seconds=S pps=P mode=M\n",
		PKTGEN_DEFAULT_PORT, PKTGEN_FLOWS_MAX, PKTGEN_FRAME_MIN_SIZE, PKTGEN_FRAME_MAX_SIZE,
		PKTGEN_FRAME_MIN_SIZE, PKTGEN_DURATION_MAX_S, PKTGEN_BATCH_MAX);
}

static bool pktgen_parse_args(int argc, char **argv, struct pktgen_cfg *cfg)
{
	bool have_src_ip = false, have_dst_ip = false;
	double v;
	int c;

	while ((c = getopt(argc, argv, "i:d:S:s:D:p:P:f:l:r:t:n:b:m:h")) != -1) {
		switch (c) {
		case 'i':
			if (strlen(optarg) >= IF_NAMESIZE)
				return false;
			snprintf(cfg->ifname, sizeof(cfg->ifname), "%s", optarg);
			break;
		case 'd':
			if (!pktgen_parse_mac(optarg, cfg->dst_mac))
				return false;
			cfg->have_dst_mac = true;
			break;
		case 'S':
			if (!pktgen_parse_mac(optarg, cfg->src_mac))
				return false;
			cfg->have_src_mac = true;
			break;
		case 's':
			if (inet_pton(AF_INET, optarg, &cfg->src_ip) != 1)
				return false;
			have_src_ip = true;
			break;
		case 'D':
			if (inet_pton(AF_INET, optarg, &cfg->dst_ip) != 1)
				return false;
			have_dst_ip = true;
			break;
		case 'p':
		case 'P':
			if (!pktgen_parse_double(optarg, 1, 65535, &v))
				return false;
			if (c == 'p')
				cfg->dst_port = (uint16_t)v;
			else
				cfg->src_port = (uint16_t)v;
			break;
		case 'f':
			if (!pktgen_parse_double(optarg, 1, PKTGEN_FLOWS_MAX, &v))
				return false;
			cfg->n_flows = (unsigned int)v;
			break;
		case 'l':
			if (!pktgen_parse_double(optarg, PKTGEN_FRAME_MIN_SIZE,
						 PKTGEN_FRAME_MAX_SIZE, &v))
				return false;
			cfg->frame_size = (size_t)v;
			break;
		case 'r':
			if (!pktgen_parse_double(optarg, 0, 1e9, &cfg->rate_pps))
				return false;
			break;
		case 't':
			if (!pktgen_parse_double(optarg, 0.001, PKTGEN_DURATION_MAX_S,
						 &cfg->duration_s))
				return false;
			break;
		case 'n':
			if (!pktgen_parse_double(optarg, 1, 1e15, &v))
				return false;
			cfg->max_count = (unsigned long long)v;
			break;
		case 'b':
			if (!pktgen_parse_double(optarg, 1, PKTGEN_BATCH_MAX, &v))
				return false;
			cfg->batch = (unsigned int)v;
			break;
		case 'm':
			if (!strcmp(optarg, "ring"))
				cfg->mode = PKTGEN_RING;
			else if (!strcmp(optarg, "mmsg"))
				cfg->mode = PKTGEN_MMSG;
			else
				return false;
			break;
		case 'h':
			pktgen_usage(stdout);
			exit(0);
		default:
			return false;
		}
	}
	if (optind != argc || !cfg->ifname[0] || !cfg->have_dst_mac || !have_src_ip || !have_dst_ip)
		return false;
	if ((unsigned int)cfg->src_port + cfg->n_flows > 65536)
		return false;
	return true;
}

int main(int argc, char **argv)
{
	struct pktgen_cfg cfg = {
		.dst_port = PKTGEN_DEFAULT_PORT,
		.src_port = 10000,
		.n_flows = 1,
		.frame_size = PKTGEN_FRAME_MIN_SIZE,
		.duration_s = 5,
		.batch = 256,
		.mode = PKTGEN_RING,
	};
	struct pktgen_stats st = { 0 };
	struct sigaction sa = { .sa_handler = pktgen_on_signal };
	double elapsed = 0;
	int fd, ifindex, rc;

	if (!pktgen_parse_args(argc, argv, &cfg)) {
		pktgen_usage(stderr);
		return 2;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* the default 50 us timer slack would turn each 20 us back-off into ~70 us */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);
	fd = pktgen_open(&cfg, &ifindex);
	if (fd < 0)
		return 1;
	if (!pktgen_src_mac(&cfg, fd)) {
		close(fd);
		return 1;
	}
	if (cfg.mode == PKTGEN_RING)
		rc = pktgen_run_ring(&cfg, fd, &st, &elapsed);
	else
		rc = pktgen_run_mmsg(&cfg, fd, ifindex, &st, &elapsed);
	close(fd);
	if (rc)
		return 1;
	printf("sent=%llu busy=%llu errors=%llu seconds=%.3f pps=%.0f mode=%s\n", st.sent, st.busy,
	       st.errors, elapsed, elapsed > 0 ? (double)st.sent / elapsed : 0.0,
	       cfg.mode == PKTGEN_RING ? "ring" : "mmsg");
	return st.errors && !st.sent ? 1 : 0;
}
