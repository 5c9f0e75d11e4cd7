// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vnetctl_capture.c - the client side of "vnetctl capture": ask vnetd for a
 * capture, connect to the socket it names, and turn its record stream
 * (capture.h) into pcap with libpcap, on stdout or into a file.
 *
 * Ends on --count frames, Ctrl-C/SIGTERM, the reader of stdout going away,
 * or vnetd ending the capture (port deleted, or this client too slow: then
 * the exit status is 1 and stderr says so).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <jansson.h>
#include <pcap/pcap.h>

#include "../base/util.h"
#include "../switch/capture.h"
#include "vnetctl.h"
#include "vnetctl_capture.h"

#define VNETCTL_CAPTURE_BUF (2 * (CAPTURE_SNAPLEN_MAX + sizeof(struct capture_rec)))
#define VNETCTL_CAPTURE_POLL_MS 200 /* how often a quiet capture checks for Ctrl-C */

static volatile sig_atomic_t vnetctl_capture_stop;

static void vnetctl_capture_on_signal(int sig)
{
	(void)sig;
	vnetctl_capture_stop = 1;
}

/*
 * The capture request and its one-line reply. Return: the reply's result
 * (decref it), or NULL with *@unreachable set when vnetd did not answer.
 */
static json_t *vnetctl_capture_request(const char *sock, unsigned timeout_s, json_t *args,
				       bool *unreachable)
{
	json_t *req = json_pack("{s:s, s:O}", "cmd", "capture", "args", args), *reply, *res;
	char *line = req ? json_dumps(req, JSON_COMPACT) : NULL, buf[4096];
	size_t len = 0;
	json_error_t je;
	int fd;

	json_decref(req);
	*unreachable = true;
	if (!line)
		return NULL;
	fd = vnetctl_connect(sock);
	if (fd < 0) {
		fprintf(stderr, "vnetctl: cannot connect to vnetd at %s: %s (is vnetd running?)\n",
			sock, strerror(errno));
		free(line);
		return NULL;
	}
	if (!vnetctl_send(fd, line, strlen(line)) || !vnetctl_send(fd, "\n", 1)) {
		fprintf(stderr, "vnetctl: sending to vnetd: %s\n", strerror(errno));
		free(line);
		close(fd);
		return NULL;
	}
	free(line);
	while (len < sizeof(buf) - 1 && !memchr(buf, '\n', len)) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int pr = poll(&pfd, 1, timeout_s ? (int)timeout_s * 1000 : -1);
		ssize_t n;

		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0) {
			fprintf(stderr, "vnetctl: vnetd at %s: %s\n", sock,
				pr ? strerror(errno) : "timed out waiting for the reply");
			close(fd);
			return NULL;
		}
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "vnetctl: vnetd closed the connection without replying\n");
			close(fd);
			return NULL;
		}
		len += (size_t)n;
	}
	close(fd);
	*unreachable = false;
	reply = json_loadb(buf, len, JSON_DISABLE_EOF_CHECK, &je);
	if (!reply || !json_is_object(reply)) {
		fprintf(stderr, "vnetctl: malformed reply from vnetd\n");
		json_decref(reply);
		return NULL;
	}
	if (!json_is_true(json_object_get(reply, "ok"))) {
		const char *e = json_string_value(json_object_get(reply, "error"));

		fprintf(stderr, "vnetctl: %s\n", e ? e : "capture failed");
		json_decref(reply);
		return NULL;
	}
	res = json_object_get(reply, "result");
	json_incref(res);
	json_decref(reply);
	return res;
}

/* "--name V" or "--name=V" (or the short @alt form); Return: the value or NULL */
static const char *vnetctl_capture_optval(int argc, char **argv, int *i, const char *name,
					  const char *alt, bool *match)
{
	size_t n = strlen(name);

	*match = false;
	if (!strncmp(argv[*i], name, n) && argv[*i][n] == '=') {
		*match = true;
		return argv[*i] + n + 1;
	}
	if (strcmp(argv[*i], name) && (!alt || strcmp(argv[*i], alt)))
		return NULL;
	*match = true;
	if (*i + 1 >= argc) {
		fprintf(stderr, "vnetctl: capture: %s needs a value\n", name);
		return NULL;
	}
	return argv[++*i];
}

static bool vnetctl_capture_num(const char *opt, const char *v, unsigned long min,
				unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(v, &end, 10);
	if (!*v || *end || errno || *out < min || *out > max) {
		fprintf(stderr, "vnetctl: capture: %s expects %lu..%lu\n", opt, min, max);
		return false;
	}
	return true;
}

/**
 * struct vnetctl_capture_run - one capture's client state
 * @fd:      the data connection
 * @dumper:  libpcap's writer
 * @count:   frames to write (0: no limit)
 * @frames:  frames written
 * @ended:   an END record arrived; @end is its payload
 */
struct vnetctl_capture_run {
	int fd;
	pcap_dumper_t *dumper;
	unsigned long count;
	unsigned long frames;
	bool ended;
	struct capture_rec_end end;
};

/* Write the complete records in @buf. Return: bytes consumed, or -1 on a bad stream. */
static ssize_t vnetctl_capture_records(struct vnetctl_capture_run *cr, const uint8_t *buf,
				       size_t len, const char *what)
{
	size_t off = 0;

	while (len - off >= sizeof(struct capture_rec) && !cr->ended &&
	       (!cr->count || cr->frames < cr->count)) {
		struct capture_rec h;

		memcpy(&h, buf + off, sizeof(h));
		if (h.caplen > CAPTURE_SNAPLEN_MAX ||
		    (h.type == CAPTURE_REC_FRAME && h.caplen > h.len) ||
		    (h.type == CAPTURE_REC_END && h.caplen != sizeof(struct capture_rec_end))) {
			fprintf(stderr, "vnetctl: capture: malformed stream from vnetd\n");
			return -1;
		}
		if (len - off < sizeof(h) + h.caplen)
			break;
		off += sizeof(h);
		switch (h.type) {
		case CAPTURE_REC_START:
			fprintf(stderr, "vnetctl: capturing %s, snapshot length %u bytes\n", what,
				h.len);
			break;
		case CAPTURE_REC_FRAME: {
			struct pcap_pkthdr ph = { .caplen = h.caplen, .len = h.len };

			ph.ts.tv_sec = (time_t)(h.ts_ns / NS_PER_S);
			ph.ts.tv_usec = (suseconds_t)(h.ts_ns % NS_PER_S / 1000);
			pcap_dump((u_char *)cr->dumper, &ph, buf + off);
			cr->frames++;
			break;
		}
		case CAPTURE_REC_END:
			memcpy(&cr->end, buf + off, sizeof(cr->end));
			cr->ended = true;
			break;
		default:
			fprintf(stderr, "vnetctl: capture: unknown record type %u\n", h.type);
			return -1;
		}
		off += h.caplen;
	}
	return (ssize_t)off;
}

static const char *vnetctl_capture_reason(uint32_t r)
{
	switch (r) {
	case CAPTURE_END_COUNT:
		return "count reached";
	case CAPTURE_END_PORT_GONE:
		return "the port was deleted";
	case CAPTURE_END_SHUTDOWN:
		return "the switch or vnetd stopped";
	}
	return "unknown reason";
}

/* Stream until done. Return: exit status. */
static int vnetctl_capture_loop(struct vnetctl_capture_run *cr, const char *what)
{
	uint8_t *buf = malloc(VNETCTL_CAPTURE_BUF);
	size_t len = 0;
	int rc = 0;

	if (!buf) {
		fprintf(stderr, "vnetctl: out of memory\n");
		return 1;
	}
	while (!vnetctl_capture_stop && !cr->ended && (!cr->count || cr->frames < cr->count)) {
		struct pollfd pfd = { .fd = cr->fd, .events = POLLIN };
		ssize_t n, used;
		int pr = poll(&pfd, 1, VNETCTL_CAPTURE_POLL_MS);

		if (pr < 0 && errno == EINTR)
			continue;
		if (pr < 0) {
			fprintf(stderr, "vnetctl: capture: poll: %s\n", strerror(errno));
			rc = 1;
			break;
		}
		if (!pr)
			continue;
		n = read(cr->fd, buf + len, VNETCTL_CAPTURE_BUF - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr,
				"vnetctl: vnetd ended the capture without saying why (this client "
				"read too slowly, or vnetd stopped)\n");
			rc = 1;
			break;
		}
		len += (size_t)n;
		used = vnetctl_capture_records(cr, buf, len, what);
		if (used < 0) {
			rc = 1;
			break;
		}
		memmove(buf, buf + used, len - (size_t)used);
		len -= (size_t)used;
		if (pcap_dump_flush(cr->dumper) < 0) {
			/* the reader (tcpdump -r -, head...) went away: a normal end */
			if (errno != EPIPE) {
				fprintf(stderr, "vnetctl: capture: writing: %s\n", strerror(errno));
				rc = 1;
			}
			break;
		}
	}
	free(buf);
	if (cr->ended)
		fprintf(stderr, "vnetctl: capture ended by vnetd: %s\n",
			vnetctl_capture_reason(cr->end.reason));
	fprintf(stderr, "%lu packets captured, %llu dropped by vnetd (ring full)\n", cr->frames,
		cr->ended ? (unsigned long long)cr->end.dropped : 0ull);
	return rc;
}

int vnetctl_capture(const char *sock, unsigned timeout_s, int argc, char **argv)
{
	const char *dir = "both", *file = NULL, *path, *token;
	unsigned long count = 0, snaplen = CAPTURE_SNAPLEN_MAX;
	struct vnetctl_capture_run cr = { .fd = -1 };
	char what[128], arg[3][48];
	struct sigaction sa = { .sa_handler = vnetctl_capture_on_signal };
	bool unreachable = false;
	json_t *args, *res;
	pcap_t *pd;
	FILE *out;
	int rc;

	if (argc < 2) {
		fprintf(stderr, "vnetctl: usage: vnetctl capture SWITCH PORT [--direction "
				"in|out|both] [--count N] [--snaplen N] [-w FILE]\n");
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		bool m;
		const char *v;

		if ((v = vnetctl_capture_optval(argc, argv, &i, "--direction", "-d", &m)) || m) {
			if (!v || (strcmp(v, "in") && strcmp(v, "out") && strcmp(v, "both"))) {
				fprintf(stderr, "vnetctl: capture: --direction in|out|both\n");
				return 2;
			}
			dir = v;
		} else if ((v = vnetctl_capture_optval(argc, argv, &i, "--count", "-c", &m)) || m) {
			if (!v || !vnetctl_capture_num("--count", v, 1, UINT32_MAX, &count))
				return 2;
		} else if ((v = vnetctl_capture_optval(argc, argv, &i, "--snaplen", "-s", &m)) ||
			   m) {
			if (!v || !vnetctl_capture_num("--snaplen", v, CAPTURE_SNAPLEN_MIN,
						       CAPTURE_SNAPLEN_MAX, &snaplen))
				return 2;
		} else if ((v = vnetctl_capture_optval(argc, argv, &i, "--write", "-w", &m)) || m) {
			if (!v || !*v)
				return 2;
			file = v;
		} else {
			fprintf(stderr, "vnetctl: capture: unknown option '%s'\n", argv[i]);
			return 2;
		}
	}
	if ((!file || !strcmp(file, "-")) && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "vnetctl: capture: not writing pcap to a terminal: use -w FILE or "
				"a pipe (| tcpdump -r -)\n");
		return 2;
	}
	snprintf(arg[0], sizeof(arg[0]), "direction=%s", dir);
	snprintf(arg[1], sizeof(arg[1]), "snaplen=%lu", snaplen);
	snprintf(arg[2], sizeof(arg[2]), "count=%lu", count);
	args = json_pack("[s, s, s, s]", argv[0], argv[1], arg[0], arg[1]);
	if (args && count)
		json_array_append_new(args, json_string(arg[2]));
	res = args ? vnetctl_capture_request(sock, timeout_s, args, &unreachable) : NULL;
	json_decref(args);
	if (!res)
		return unreachable ? 3 : 1;
	path = json_string_value(json_object_get(res, "socket"));
	token = json_string_value(json_object_get(res, "token"));
	if (!path || !token) {
		fprintf(stderr, "vnetctl: capture: vnetd's reply names no socket\n");
		json_decref(res);
		return 1;
	}
	cr.fd = vnetctl_connect(path);
	if (cr.fd < 0 || !vnetctl_send(cr.fd, token, strlen(token)) ||
	    !vnetctl_send(cr.fd, "\n", 1)) {
		fprintf(stderr, "vnetctl: capture: %s: %s\n", path, strerror(errno));
		json_decref(res);
		if (cr.fd >= 0)
			close(cr.fd);
		return 1;
	}
	json_decref(res);
	if (file && strcmp(file, "-")) {
		out = fopen(file, "wbe");
		if (!out) {
			fprintf(stderr, "vnetctl: capture: %s: %s\n", file, strerror(errno));
			close(cr.fd);
			return 1;
		}
	} else {
		out = stdout;
	}
	pd = pcap_open_dead(DLT_EN10MB, (int)snaplen);
	cr.dumper = pd ? pcap_dump_fopen(pd, out) : NULL;
	if (!cr.dumper) {
		fprintf(stderr, "vnetctl: capture: cannot start the pcap output: %s\n",
			pd ? pcap_geterr(pd) : "out of memory");
		if (pd)
			pcap_close(pd);
		if (out != stdout)
			fclose(out);
		close(cr.fd);
		return 1;
	}
	pcap_dump_flush(cr.dumper); /* the file header now: "tcpdump -r -" starts reading */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	cr.count = count;
	snprintf(what, sizeof(what), "%.40s %.40s (%s)", argv[0], argv[1], dir);
	rc = vnetctl_capture_loop(&cr, what);
	pcap_dump_close(cr.dumper);
	pcap_close(pd);
	close(cr.fd);
	return rc;
}
