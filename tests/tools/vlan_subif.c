// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vlan_subif.c - an 802.1Q VLAN subinterface in user space, for kernels built without
 * CONFIG_VLAN_8021Q (where "ip link add link X name X.10 type vlan id 10" fails).
 *
 * Usage: vlan_subif -i TRUNK_IF -n NAME -v VID [-t SECONDS]
 *
 * Creates tap device NAME with TRUNK_IF's MAC address, the way the kernel's
 * VLAN device would look, and relays between the two:
 *   - a frame the stack sends on NAME leaves TRUNK_IF with an 802.1Q tag VID
 *     pushed after the MAC addresses (an AF_PACKET socket on TRUNK_IF);
 *   - a frame arriving on TRUNK_IF tagged VID is written to NAME untagged.
 *     The kernel moves the tag out of the frame into packet metadata before
 *     AF_PACKET sees it (skb_vlan_untag), so the VID comes from the
 *     PACKET_AUXDATA control message; a tag still in the data is handled too.
 * Other frames on TRUNK_IF are ignored. NAME is not brought up or addressed
 * here: the caller does that with ip(8), as for a kernel VLAN device.
 *
 * The relay runs until SIGTERM/SIGINT or SECONDS (default 600) have passed,
 * so it is bounded in time; NAME disappears when it exits.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define VLAN_SUBIF_FRAME_MAX 65536
#define VLAN_SUBIF_TPID 0x8100
#define VLAN_SUBIF_HLEN 4
#define VLAN_SUBIF_BURST 64 /* frames relayed per wakeup and direction */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(void)
{
	fprintf(stderr, "usage: vlan_subif -i TRUNK_IF -n NAME -v VID [-t SECONDS]\n");
	exit(2);
}

/* tap_create() - the tap NAME with @mac. Return: fd or -1 */
static int tap_create(const char *name, const uint8_t mac[static 6])
{
	struct ifreq ifr = { 0 };
	int fd, s;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		perror("vlan_subif: /dev/net/tun");
		return -1;
	}
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		perror("vlan_subif: TUNSETIFF");
		close(fd);
		return -1;
	}
	s = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&ifr.ifr_hwaddr, 0, sizeof(ifr.ifr_hwaddr));
	ifr.ifr_hwaddr.sa_family = 1; /* ARPHRD_ETHER */
	memcpy(ifr.ifr_hwaddr.sa_data, mac, 6);
	if (s < 0 || ioctl(s, SIOCSIFHWADDR, &ifr) < 0)
		perror("vlan_subif: SIOCSIFHWADDR (keeping the tap's own MAC)");
	if (s >= 0)
		close(s);
	return fd;
}

/* trunk_open() - AF_PACKET socket on @ifname with auxdata; fills @mac. Return: fd or -1 */
static int trunk_open(const char *ifname, int *ifindex, uint8_t mac[static 6])
{
	struct sockaddr_ll sll = { 0 };
	struct ifreq ifr = { 0 };
	int fd, one = 1;

	fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0) {
		perror("vlan_subif: socket(AF_PACKET)");
		return -1;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0) {
		fprintf(stderr, "vlan_subif: no interface %s\n", ifname);
		close(fd);
		return -1;
	}
	*ifindex = ifr.ifr_ifindex;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0) {
		perror("vlan_subif: SIOCGIFHWADDR");
		close(fd);
		return -1;
	}
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	if (setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) < 0) {
		perror("vlan_subif: setsockopt");
		close(fd);
		return -1;
	}
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = *ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		perror("vlan_subif: bind");
		close(fd);
		return -1;
	}
	return fd;
}

/* trunk_to_tap() - relay frames tagged @vid from the trunk to the tap, untagged */
static void trunk_to_tap(int pfd, int tfd, uint16_t vid, uint8_t *buf)
{
	for (int i = 0; i < VLAN_SUBIF_BURST; i++) {
		union {
			struct cmsghdr c;
			char b[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
		} ctl;
		struct iovec iov = { buf, VLAN_SUBIF_FRAME_MAX };
		struct msghdr msg = { .msg_iov = &iov,
				      .msg_iovlen = 1,
				      .msg_control = &ctl,
				      .msg_controllen = sizeof(ctl) };
		bool tagged = false;
		uint16_t tci = 0;
		ssize_t n = recvmsg(pfd, &msg, 0);

		if (n < 0)
			return;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			struct tpacket_auxdata aux;

			if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA)
				continue;
			memcpy(&aux, CMSG_DATA(c), sizeof(aux));
			if (aux.tp_status & TP_STATUS_VLAN_VALID) {
				tagged = true;
				tci = aux.tp_vlan_tci;
			}
		}
		if (!tagged && n >= 18 && buf[12] == VLAN_SUBIF_TPID >> 8 &&
		    buf[13] == (VLAN_SUBIF_TPID & 0xff)) {
			/* tag still in the data: take it out */
			tagged = true;
			tci = (uint16_t)(buf[14] << 8 | buf[15]);
			memmove(buf + 12, buf + 12 + VLAN_SUBIF_HLEN,
				(size_t)n - 12 - VLAN_SUBIF_HLEN);
			n -= VLAN_SUBIF_HLEN;
		}
		if (!tagged || (tci & 0xfff) != vid)
			continue;
		if (write(tfd, buf, (size_t)n) < 0 && errno != EIO)
			perror("vlan_subif: write to tap");
	}
}

/* tap_to_trunk() - relay frames from the tap to the trunk with the tag pushed */
static void tap_to_trunk(int tfd, int pfd, int ifindex, uint16_t vid, uint8_t *buf)
{
	for (int i = 0; i < VLAN_SUBIF_BURST; i++) {
		struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = ifindex };
		ssize_t n =
			read(tfd, buf + VLAN_SUBIF_HLEN, VLAN_SUBIF_FRAME_MAX - VLAN_SUBIF_HLEN);

		if (n < 14)
			return;
		memmove(buf, buf + VLAN_SUBIF_HLEN, 12);
		buf[12] = VLAN_SUBIF_TPID >> 8;
		buf[13] = VLAN_SUBIF_TPID & 0xff;
		buf[14] = (uint8_t)(vid >> 8);
		buf[15] = (uint8_t)vid;
		if (sendto(pfd, buf, (size_t)n + VLAN_SUBIF_HLEN, 0, (struct sockaddr *)&sll,
			   sizeof(sll)) < 0 &&
		    errno != ENOBUFS && errno != ENETDOWN)
			perror("vlan_subif: send on trunk");
	}
}

int main(int argc, char **argv)
{
	const char *trunk = NULL, *name = NULL;
	unsigned long vid = 0, secs = 600;
	struct sigaction sa = { .sa_handler = on_signal };
	uint8_t mac[6], *buf;
	int opt, pfd, tfd, ifindex;
	time_t deadline;

	while ((opt = getopt(argc, argv, "i:n:v:t:")) != -1) {
		switch (opt) {
		case 'i':
			trunk = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'v':
			vid = strtoul(optarg, NULL, 0);
			break;
		case 't':
			secs = strtoul(optarg, NULL, 0);
			break;
		default:
			usage();
		}
	}
	if (!trunk || !name || vid < 1 || vid > 4094 || secs == 0)
		usage();
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	buf = malloc(VLAN_SUBIF_FRAME_MAX);
	pfd = trunk_open(trunk, &ifindex, mac);
	if (!buf || pfd < 0)
		return 1;
	tfd = tap_create(name, mac);
	if (tfd < 0)
		return 1;
	printf("vlan_subif: %s = %s VLAN %lu\n", name, trunk, vid);
	fflush(stdout);

	deadline = time(NULL) + (time_t)secs;
	while (!stop && time(NULL) < deadline) {
		struct pollfd pf[2] = { { pfd, POLLIN, 0 }, { tfd, POLLIN, 0 } };

		if (poll(pf, 2, 500) < 0) {
			if (errno == EINTR)
				continue;
			perror("vlan_subif: poll");
			return 1;
		}
		if (pf[0].revents & POLLIN)
			trunk_to_tap(pfd, tfd, (uint16_t)vid, buf);
		if (pf[1].revents & POLLIN)
			tap_to_trunk(tfd, pfd, ifindex, (uint16_t)vid, buf);
	}
	close(tfd);
	close(pfd);
	free(buf);
	return 0;
}
