// SPDX-License-Identifier: GPL-2.0-or-later
/* pktsink.c - UDP receiver that counts datagrams with recvmmsg, for the benchmarks. */

/*
 * The benchmark's primary delivery count is the receiving interface's
 * rx_packets counter: it says what the switch delivered, whatever the
 * receiver's speed. pktsink is the second opinion: it binds the UDP port the
 * generator aims at (so the receiving stack has a socket and answers with no
 * ICMP port-unreachable), drains it with recvmmsg() and reports how many
 * datagrams, and how many of the expected size, an application saw.
 *
 * It runs until its duration elapses, or until it has been idle for the
 * idle timeout after the first datagram, or on SIGINT/SIGTERM; a receive
 * timeout keeps every wait short so the bounds are checked. Output is one
 * line of key=value pairs.
 *
 * With -H (hold) it binds the port with the smallest receive buffer and never
 * reads: datagrams end in the kernel as receive-buffer drops, the cheapest way
 * for the receiving namespace to dispose of them without an ICMP reply, and
 * no reader competes with the switch for a CPU. On a tap that receive work
 * runs in the context of the process writing the tap, i.e. it is charged to
 * the switch under test, so keeping it small keeps the switch's own cost in
 * view. The script then counts arrivals with the namespace's UDP counters.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PKTSINK_BATCH 256
#define PKTSINK_BUF_SIZE 2048
#define PKTSINK_RCVBUF_SIZE (32 * 1024 * 1024)
#define PKTSINK_DURATION_MAX_S 3600
#define PKTSINK_POLL_US 100000

static volatile sig_atomic_t pktsink_stop;

static void pktsink_on_signal(int sig)
{
	(void)sig;
	pktsink_stop = 1;
}

static double pktsink_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool pktsink_parse_double(const char *s, double lo, double hi, double *out)
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

static void pktsink_usage(FILE *f)
{
	fprintf(f,
		"usage: pktsink [-H] [-a ADDR] [-p PORT] [-t SECONDS] [-I IDLE_SECONDS] [-s SIZE]\n"
		"  -H           hold the port without reading (datagrams dropped by the kernel)\n"
		"  -a ADDR      IPv4 address to bind (default any)\n"
		"  -p PORT      UDP port (default 9)\n"
		"  -t SECONDS   run at most this long, at most %d (default 10)\n"
		"  -I SECONDS   stop after this long without traffic once some arrived (default "
		"1)\n"
		"  -s SIZE      UDP payload size counted as 'expected' (default 18)\n"
		"prints: received=N expected=N seconds=S pps=P (S: first to last datagram)\n",
		PKTSINK_DURATION_MAX_S);
}

int main(int argc, char **argv)
{
	static uint8_t bufs[PKTSINK_BATCH][PKTSINK_BUF_SIZE];
	static struct mmsghdr msgs[PKTSINK_BATCH];
	static struct iovec iov[PKTSINK_BATCH];
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons(9) };
	struct timeval tv = { 0, PKTSINK_POLL_US };
	struct sigaction sa = { .sa_handler = pktsink_on_signal };
	double duration = 10, idle = 1, v, start, first = 0, last = 0, now;
	unsigned long long received = 0, expected = 0;
	size_t want_size = 18;
	int rcvbuf = PKTSINK_RCVBUF_SIZE;
	bool hold = false;
	int c, fd;

	while ((c = getopt(argc, argv, "Ha:p:t:I:s:h")) != -1) {
		switch (c) {
		case 'H':
			hold = true;
			break;
		case 'a':
			if (inet_pton(AF_INET, optarg, &addr.sin_addr) != 1)
				goto usage;
			break;
		case 'p':
			if (!pktsink_parse_double(optarg, 1, 65535, &v))
				goto usage;
			addr.sin_port = htons((uint16_t)v);
			break;
		case 't':
			if (!pktsink_parse_double(optarg, 0.001, PKTSINK_DURATION_MAX_S, &duration))
				goto usage;
			break;
		case 'I':
			if (!pktsink_parse_double(optarg, 0.01, PKTSINK_DURATION_MAX_S, &idle))
				goto usage;
			break;
		case 's':
			if (!pktsink_parse_double(optarg, 0, PKTSINK_BUF_SIZE, &v))
				goto usage;
			want_size = (size_t)v;
			break;
		case 'h':
			pktsink_usage(stdout);
			return 0;
		default:
			goto usage;
		}
	}
	if (optind != argc)
		goto usage;

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		fprintf(stderr, "pktsink: socket: %s\n", strerror(errno));
		return 1;
	}
	if (hold)
		rcvbuf = 0; /* the kernel rounds it up to its minimum */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		fprintf(stderr, "pktsink: bind: %s\n", strerror(errno));
		close(fd);
		return 1;
	}
	for (int i = 0; i < PKTSINK_BATCH; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = PKTSINK_BUF_SIZE;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	/* tell a script waiting on stdout that the socket is bound */
	fprintf(stderr, "pktsink: listening\n");

	start = now = pktsink_now();
	while (hold && !pktsink_stop && now - start < duration) {
		struct timespec ts = { 0, PKTSINK_POLL_US * 1000 };

		nanosleep(&ts, NULL);
		now = pktsink_now();
	}
	while (!hold && !pktsink_stop && now - start < duration) {
		int n = recvmmsg(fd, msgs, PKTSINK_BATCH, MSG_WAITFORONE, NULL);

		now = pktsink_now();
		if (n > 0) {
			if (!received)
				first = now;
			last = now;
			received += (unsigned int)n;
			for (int i = 0; i < n; i++)
				expected += msgs[i].msg_len == want_size;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			fprintf(stderr, "pktsink: recvmmsg: %s\n", strerror(errno));
			break;
		}
		if (received && now - last >= idle)
			break;
	}
	close(fd);
	printf("received=%llu expected=%llu seconds=%.3f pps=%.0f\n", received, expected,
	       last - first, last > first ? (double)received / (last - first) : 0.0);
	return 0;

usage:
	pktsink_usage(stderr);
	return 2;
}
