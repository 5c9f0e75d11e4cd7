// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * raw_send.c - send one hand-made Ethernet frame on an interface (AF_PACKET), optionally with a
 * virtio-net offload header (PACKET_VNET_HDR), to feed malformed input to a switch port.
 *
 * Usage: raw_send -i IFNAME [-c COUNT] [-l SIZE] [-f] [-V FLAGS:GSO_TYPE:HDR_LEN:GSO_SIZE:CSUM_START:CSUM_OFFSET] HEX
 *
 *   HEX   the frame, as hex digits (':' '.' and '-' are ignored)
 *   -l    pad the frame with zero bytes up to SIZE
 *   -f    fix up an IPv4 packet after the Ethernet header (and any 802.1Q tags):
 *         total length from the frame size, header checksum recomputed
 *   -V    send with this virtio-net header (decimal or 0x numbers)
 *   -c    send the frame COUNT times (default 1, at most 100000)
 *
 * The kernel validates virtio-net headers itself (virtio_net_hdr_to_skb) and
 * refuses some nonsense with EINVAL; that is reported with exit status 3 so a
 * test can tell "refused by the kernel" from "sent". Exit status: 0 sent,
 * 1 setup error, 2 usage, 3 the kernel refused the frame.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define RAW_SEND_FRAME_MAX 65536
#define RAW_SEND_COUNT_MAX 100000

static uint8_t frame[RAW_SEND_FRAME_MAX];

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

/* parse_hex() - hex digits into @out; separators ':' '.' '-' allowed between bytes */
static bool parse_hex(const char *s, uint8_t *out, size_t max, size_t *size)
{
	size_t n = 0;

	while (*s) {
		int hi, lo;

		if (*s == ':' || *s == '.' || *s == '-' || *s == ' ') {
			s++;
			continue;
		}
		hi = hexval(s[0]);
		lo = s[1] ? hexval(s[1]) : -1;
		if (hi < 0 || lo < 0 || n >= max)
			return false;
		out[n++] = (uint8_t)(hi << 4 | lo);
		s += 2;
	}
	*size = n;
	return true;
}

static bool parse_vnet_hdr(const char *s, struct virtio_net_hdr *vh)
{
	unsigned long v[6];
	char *end;

	for (int i = 0; i < 6; i++) {
		v[i] = strtoul(s, &end, 0);
		if (end == s || (i < 5 && *end != ':') || (i == 5 && *end))
			return false;
		s = end + 1;
	}
	if (v[0] > 0xff || v[1] > 0xff || v[2] > 0xffff || v[3] > 0xffff || v[4] > 0xffff ||
	    v[5] > 0xffff)
		return false;
	vh->flags = (uint8_t)v[0];
	vh->gso_type = (uint8_t)v[1];
	vh->hdr_len = (uint16_t)v[2];
	vh->gso_size = (uint16_t)v[3];
	vh->csum_start = (uint16_t)v[4];
	vh->csum_offset = (uint16_t)v[5];
	return true;
}

/* fix_ipv4() - set the IPv4 total length and header checksum of the packet in frame[0..size) */
static bool fix_ipv4(size_t size)
{
	size_t off = 12;
	uint32_t sum = 0;
	unsigned ihl;

	while (off + 4 <= size && (frame[off] == 0x81 || frame[off] == 0x88) &&
	       (frame[off + 1] == 0x00 || frame[off + 1] == 0xa8))
		off += 4;
	if (off + 2 + 20 > size || frame[off] != 0x08 || frame[off + 1] != 0x00)
		return false;
	off += 2;
	ihl = (frame[off] & 0x0f) * 4u;
	if (ihl < 20 || off + ihl > size || size - off > 0xffff)
		return false;
	frame[off + 2] = (uint8_t)((size - off) >> 8);
	frame[off + 3] = (uint8_t)(size - off);
	frame[off + 10] = 0;
	frame[off + 11] = 0;
	for (unsigned i = 0; i < ihl; i += 2)
		sum += (uint32_t)frame[off + i] << 8 | frame[off + i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	frame[off + 10] = (uint8_t)(~sum >> 8);
	frame[off + 11] = (uint8_t)~sum;
	return true;
}

static void usage(void)
{
	fprintf(stderr, "usage: raw_send -i IFNAME [-c COUNT] [-l SIZE] [-f] "
			"[-V FLAGS:GSO_TYPE:HDR_LEN:GSO_SIZE:CSUM_START:CSUM_OFFSET] HEX\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct virtio_net_hdr vh = { 0 };
	struct sockaddr_ll sll = { 0 };
	unsigned long count = 1, pad = 0;
	const char *ifname = NULL;
	bool with_vh = false, fix = false;
	size_t size;
	int opt, fd;

	while ((opt = getopt(argc, argv, "i:c:l:fV:")) != -1) {
		switch (opt) {
		case 'i':
			ifname = optarg;
			break;
		case 'c':
			count = strtoul(optarg, NULL, 0);
			break;
		case 'l':
			pad = strtoul(optarg, NULL, 0);
			break;
		case 'f':
			fix = true;
			break;
		case 'V':
			if (!parse_vnet_hdr(optarg, &vh))
				usage();
			with_vh = true;
			break;
		default:
			usage();
		}
	}
	if (!ifname || optind != argc - 1 || count == 0 || count > RAW_SEND_COUNT_MAX ||
	    pad > RAW_SEND_FRAME_MAX)
		usage();
	if (!parse_hex(argv[optind], frame, sizeof(frame), &size)) {
		fprintf(stderr, "raw_send: bad hex frame\n");
		return 2;
	}
	if (pad > size)
		size = pad; /* frame[] is zeroed static storage */
	if (fix && !fix_ipv4(size)) {
		fprintf(stderr, "raw_send: -f: not an IPv4 frame\n");
		return 2;
	}

	fd = socket(AF_PACKET, SOCK_RAW, 0);
	if (fd < 0) {
		perror("raw_send: socket(AF_PACKET)");
		return 1;
	}
	if (with_vh) {
		int one = 1;

		if (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) < 0) {
			perror("raw_send: PACKET_VNET_HDR");
			return 1;
		}
	}
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, frame, 6);
	if (size >= 14)
		sll.sll_protocol = (uint16_t)(frame[12] | frame[13] << 8); /* already big-endian */
	if (sll.sll_ifindex == 0) {
		fprintf(stderr, "raw_send: no interface %s\n", ifname);
		return 1;
	}

	for (unsigned long i = 0; i < count; i++) {
		struct iovec iov[2] = { { &vh, sizeof(vh) }, { frame, size } };
		struct msghdr msg = { .msg_name = &sll, .msg_namelen = sizeof(sll) };
		ssize_t r;

		msg.msg_iov = with_vh ? iov : iov + 1;
		msg.msg_iovlen = with_vh ? 2 : 1;
		r = sendmsg(fd, &msg, 0);
		if (r < 0 && errno == ENOBUFS) {
			usleep(1000);
			r = sendmsg(fd, &msg, 0);
		}
		if (r < 0) {
			int e = errno;

			fprintf(stderr, "raw_send: sendmsg (%zu bytes): %s\n", size, strerror(e));
			return e == EINVAL || e == EMSGSIZE ? 3 : 1;
		}
	}
	close(fd);
	return 0;
}
