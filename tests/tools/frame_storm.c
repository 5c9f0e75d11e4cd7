// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * frame_storm.c - send hand-made frames on an interface (AF_PACKET) as fast as it takes them,
 * or at a given rate, optionally mangled at random: the attacker in the port security scenarios.
 *
 * Usage: frame_storm -i IFNAME [-n COUNT] [-t SECONDS] [-r PPS] [-m] [-s SEED] HEX...
 *
 *   HEX   frames as hex digits (':' '.' and '-' ignored), sent round-robin
 *   -m    mangle every frame at random: truncate it (down to 1 byte), overwrite bytes
 *         (header bytes more often than payload), insert 802.1Q/802.1ad tags, or pad it past
 *         any MTU; the same SEED gives the same frames
 *   -r    frames per second (default: unpaced, line rate)
 *
 * The run stops after COUNT frames (default 1000000, at most 100000000) or SECONDS
 * (default 10, at most 600), whichever comes first. Frames go out in sendmmsg() batches;
 * a full device queue (ENOBUFS) is waited out briefly. Prints "sent N" on success.
 * Exit status: 0 sent, 1 setup error, 2 usage.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define STORM_BATCH 64
#define STORM_FRAME_MAX 9216 /* a jumbo frame: past every MTU the switch allows by default */
#define STORM_TEMPLATES_MAX 16
#define STORM_COUNT_MAX 100000000ul
#define STORM_SECONDS_MAX 600ul

struct storm_template {
	uint8_t data[STORM_FRAME_MAX];
	size_t size;
};

static struct storm_template templates[STORM_TEMPLATES_MAX];
static uint8_t frames[STORM_BATCH][STORM_FRAME_MAX];

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* xorshift64*: fast, and the same SEED gives the same frames */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool parse_hex(const char *s, struct storm_template *t)
{
	int hi = -1;

	t->size = 0;
	for (; *s; s++) {
		int v;

		if (*s == ':' || *s == '.' || *s == '-')
			continue;
		v = hexval(*s);
		if (v < 0 || (hi < 0 && t->size == STORM_FRAME_MAX))
			return false;
		if (hi < 0) {
			hi = v;
		} else {
			t->data[t->size++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	return hi < 0 && t->size > 14; /* mangle() needs an Ethernet header and more */
}

/* Mangle @f (a copy of a template, @size bytes) in place. Return: the new size. */
static size_t mangle(uint8_t *f, size_t size, uint64_t *seed)
{
	uint64_t r = rng_next(seed);
	unsigned n;

	switch (r % 5) {
	case 0: /* truncated anywhere, down to a runt */
		return 1 + (size_t)((r >> 8) % size);
	case 1: /* a few header bytes overwritten (after the source MAC: keep it the port's) */
		for (n = 0; n < 1 + (r >> 8) % 4; n++) {
			uint64_t x = rng_next(seed);
			size_t span = (size < 74 ? size : 74) - 12;

			f[12 + x % span] = (uint8_t)(x >> 32);
		}
		return size;
	case 2: /* tags pushed: one to three of 802.1Q / 802.1ad, random VIDs */
		for (n = 0; n < 1 + (r >> 8) % 3 && size + 4 <= STORM_FRAME_MAX; n++) {
			uint64_t x = rng_next(seed);

			memmove(f + 16, f + 12, size - 12);
			f[12] = (x & 1) ? 0x88 : 0x81;
			f[13] = (x & 1) ? 0xa8 : 0x00;
			f[14] = (uint8_t)(x >> 8);
			f[15] = (uint8_t)(x >> 16);
			size += 4;
		}
		return size;
	case 3: /* padded past the MTU */
		n = 1600 + (unsigned)((r >> 8) % (STORM_FRAME_MAX - 1600));
		if (n > size) {
			memset(f + size, (int)(r >> 40), n - size);
			size = n;
		}
		return size;
	default: /* random payload bytes */
		for (size_t i = 14; i < size; i += 1 + (size_t)((r >> 8) % 16))
			f[i] = (uint8_t)rng_next(seed);
		return size;
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: frame_storm -i IFNAME [-n COUNT] [-t SECONDS] [-r PPS] [-m] "
			"[-s SEED] HEX...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct mmsghdr msgs[STORM_BATCH];
	struct iovec iov[STORM_BATCH];
	unsigned long count = 1000000, secs = 10, pps = 0, sent = 0;
	uint64_t seed = 0x9e3779b97f4a7c15ull, start, deadline;
	struct sockaddr_ll sll = { 0 };
	const char *ifname = NULL;
	unsigned n_templates = 0;
	bool mangling = false;
	int opt, fd;

	while ((opt = getopt(argc, argv, "i:n:t:r:ms:")) != -1) {
		switch (opt) {
		case 'i':
			ifname = optarg;
			break;
		case 'n':
			count = strtoul(optarg, NULL, 0);
			break;
		case 't':
			secs = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			pps = strtoul(optarg, NULL, 0);
			break;
		case 'm':
			mangling = true;
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0) | 1;
			break;
		default:
			usage();
		}
	}
	if (!ifname || count == 0 || count > STORM_COUNT_MAX || secs == 0 ||
	    secs > STORM_SECONDS_MAX || optind == argc || argc - optind > STORM_TEMPLATES_MAX)
		usage();
	for (int i = optind; i < argc; i++) {
		if (!parse_hex(argv[i], &templates[n_templates++])) {
			fprintf(stderr, "frame_storm: bad hex frame: %.40s\n", argv[i]);
			return 2;
		}
	}

	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		perror("frame_storm: socket(AF_PACKET)");
		return 1;
	}
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (sll.sll_ifindex == 0) {
		fprintf(stderr, "frame_storm: no interface %s\n", ifname);
		return 1;
	}
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		perror("frame_storm: bind");
		return 1;
	}
	for (unsigned i = 0; i < STORM_BATCH; i++) {
		iov[i].iov_base = frames[i];
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}

	start = now_ns();
	deadline = start + (uint64_t)secs * 1000000000ull;
	while (sent < count && now_ns() < deadline) {
		unsigned n = count - sent < STORM_BATCH ? (unsigned)(count - sent) : STORM_BATCH;
		int r;

		if (pps) {
			uint64_t due = start + (uint64_t)sent * 1000000000ull / pps, t = now_ns();

			if (due > t) {
				uint64_t w = due - t;
				struct timespec ts = { .tv_sec = (time_t)(w / 1000000000ull),
						       .tv_nsec = (long)(w % 1000000000ull) };

				nanosleep(&ts, NULL);
			}
			if (n > pps / 100 + 1)
				n = (unsigned)(pps / 100 +
					       1); /* small batches keep the pace smooth */
		}
		for (unsigned i = 0; i < n; i++) {
			const struct storm_template *t = &templates[(sent + i) % n_templates];
			size_t size = t->size;

			memcpy(frames[i], t->data, size);
			if (mangling)
				size = mangle(frames[i], size, &seed);
			iov[i].iov_len = size;
		}
		r = sendmmsg(fd, msgs, n, 0);
		if (r < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
				struct timespec ts = { .tv_nsec = 100000 };

				nanosleep(&ts, NULL);
				continue;
			}
			if (errno == EINVAL || errno == EMSGSIZE) {
				sent++; /* the kernel refused one mangled frame: skip it */
				continue;
			}
			perror("frame_storm: sendmmsg");
			return 1;
		}
		sent += (unsigned long)r;
	}
	close(fd);
	printf("sent %lu\n", sent);
	return 0;
}
