// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mac_flood.c - send frames with random source MACs on an interface (AF_PACKET), to flood a
 * switch's MAC table.
 *
 * Usage: mac_flood -i IFNAME [-n COUNT] [-d DSTMAC] [-t SECONDS] [-r PPS] [-s SEED]
 *
 * Every frame is 60 bytes, destination DSTMAC (default 02:00:00:00:00:fe, a
 * unicast address nobody owns, so the switch floods it), a random locally
 * administered unicast source, EtherType 0x88b5 (IEEE local experimental).
 * Frames go out in sendmmsg() batches. The run stops after COUNT frames
 * (default 100000) or SECONDS (default 30), whichever comes first, so it is
 * bounded in both. A full device queue (ENOBUFS) is waited out briefly, not
 * retried forever. Prints "sent N" on success.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAC_FLOOD_BATCH 64
#define MAC_FLOOD_FRAME_SIZE 60
#define MAC_FLOOD_ETHERTYPE 0x88b5

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* xorshift64*: fast, and the same SEED gives the same addresses */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 2685821657736338717ull;
}

static bool parse_mac(const char *s, uint8_t mac[static 6])
{
	unsigned b[6];
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

static void usage(void)
{
	fprintf(stderr, "usage: mac_flood -i IFNAME [-n COUNT] [-d DSTMAC] [-t SECONDS] [-r PPS] "
			"[-s SEED]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	uint8_t frames[MAC_FLOOD_BATCH][MAC_FLOOD_FRAME_SIZE];
	struct mmsghdr msgs[MAC_FLOOD_BATCH];
	struct iovec iov[MAC_FLOOD_BATCH];
	uint8_t dst[6] = { 0x02, 0, 0, 0, 0, 0xfe };
	unsigned long count = 100000, secs = 30, pps = 0;
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	struct sockaddr_ll sll = { 0 };
	const char *ifname = NULL;
	unsigned long sent = 0;
	uint64_t start, deadline;
	int opt, fd;

	while ((opt = getopt(argc, argv, "i:n:d:t:r:s:")) != -1) {
		switch (opt) {
		case 'i':
			ifname = optarg;
			break;
		case 'n':
			count = strtoul(optarg, NULL, 0);
			break;
		case 'd':
			if (!parse_mac(optarg, dst))
				usage();
			break;
		case 't':
			secs = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			pps = strtoul(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0) | 1;
			break;
		default:
			usage();
		}
	}
	if (!ifname || count == 0 || secs == 0)
		usage();

	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		perror("mac_flood: socket(AF_PACKET)");
		return 1;
	}
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(MAC_FLOOD_ETHERTYPE);
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (sll.sll_ifindex == 0) {
		fprintf(stderr, "mac_flood: no interface %s\n", ifname);
		return 1;
	}
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		perror("mac_flood: bind");
		return 1;
	}

	memset(frames, 0, sizeof(frames));
	for (unsigned i = 0; i < MAC_FLOOD_BATCH; i++) {
		memcpy(frames[i], dst, 6);
		frames[i][12] = MAC_FLOOD_ETHERTYPE >> 8;
		frames[i][13] = MAC_FLOOD_ETHERTYPE & 0xff;
		iov[i].iov_base = frames[i];
		iov[i].iov_len = MAC_FLOOD_FRAME_SIZE;
		memset(&msgs[i], 0, sizeof(msgs[i]));
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}

	start = now_ns();
	deadline = start + (uint64_t)secs * 1000000000ull;
	while (sent < count && now_ns() < deadline) {
		unsigned n =
			count - sent < MAC_FLOOD_BATCH ? (unsigned)(count - sent) : MAC_FLOOD_BATCH;
		int r;

		if (pps) {
			uint64_t due = start + (uint64_t)sent * 1000000000ull / pps;
			uint64_t t = now_ns();

			if (due > t) {
				uint64_t wait_ns = due - t;
				struct timespec ts = { .tv_sec = (time_t)(wait_ns / 1000000000ull),
						       .tv_nsec = (long)(wait_ns % 1000000000ull) };

				nanosleep(&ts, NULL);
			}
		}
		for (unsigned i = 0; i < n; i++) {
			uint64_t r64 = rng_next(&seed);

			for (int b = 0; b < 6; b++)
				frames[i][6 + b] = (uint8_t)(r64 >> (8 * b));
			frames[i][6] = (uint8_t)((frames[i][6] & 0xfc) | 0x02); /* local, unicast */
			/* payload carries the sequence number, handy in captures */
			frames[i][14] = (uint8_t)((sent + i) >> 24);
			frames[i][15] = (uint8_t)((sent + i) >> 16);
			frames[i][16] = (uint8_t)((sent + i) >> 8);
			frames[i][17] = (uint8_t)(sent + i);
		}
		r = sendmmsg(fd, msgs, n, 0);
		if (r < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR) {
				struct timespec ts = { .tv_nsec = 100000 };

				nanosleep(&ts, NULL);
				continue;
			}
			perror("mac_flood: sendmmsg");
			return 1;
		}
		sent += (unsigned long)r;
	}
	close(fd);
	printf("sent %lu\n", sent);
	return 0;
}
