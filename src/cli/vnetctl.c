// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vnetctl.c - the command-line client: one request to vnetd's control socket,
 * one reply printed. Commands, their usage and their help come from the
 * table vnetd runs (cmd_table.h), so help works without a daemon and usage
 * errors are caught before connecting.
 *
 * Exit status: 0 success, 1 the command failed (one line on stderr),
 * 2 usage error, 3 vnetd unreachable (the message names the socket).
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <jansson.h>

#include "../base/util.h"
#include "../ctl/cmd_table.h"
#include "../ctl/userdirs.h"
#include "../ctl/vnetd.h"
#include "../port/port.h"
#include "vnetctl.h"
#include "vnetctl_capture.h"

#define VNETCTL_TIMEOUT_DEFAULT_S 60 /* a full fdb/show of a million entries takes seconds */
#define VNETCTL_READ_CHUNK 65536

enum vnetctl_exit { EXIT_OK = 0, EXIT_FAILED = 1, EXIT_USAGE = 2, EXIT_UNREACHABLE = 3 };

static const struct cmd_def vnetctl_cmds[] = {
#define VNETCTL_CMD_(id, name, usage, help, min, max, mutates) \
	{ name, usage, help, min, max, mutates, NULL },
	CMD_TABLE(VNETCTL_CMD_)
#undef VNETCTL_CMD_
};

/**
 * struct vnetctl_opts - the global options
 * @socket:  control socket path
 * @json:    print the result as JSON
 * @pretty:  indent the JSON
 * @timeout_s: give up waiting for the reply after this long (0: never)
 */
struct vnetctl_opts {
	const char *socket;
	bool json;
	bool pretty;
	unsigned timeout_s;
};

static void vnetctl_usage(FILE *f)
{
	fprintf(f, "usage: vnetctl [--socket PATH] [--json] [--pretty] [--timeout S] COMMAND "
		   "[ARGS...]\n"
		   "       vnetctl help [COMMAND]\n");
}

static const struct cmd_def *vnetctl_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(vnetctl_cmds); i++) {
		if (!strcmp(vnetctl_cmds[i].name, name))
			return &vnetctl_cmds[i];
	}
	return NULL;
}

static void vnetctl_print_json(json_t *j, const struct vnetctl_opts *o)
{
	json_dumpf(j, stdout, JSON_ENCODE_ANY | (o->pretty ? JSON_INDENT(2) : JSON_COMPACT));
	fputc('\n', stdout);
}

/* help [COMMAND], answered from the table: no daemon needed. */
static int vnetctl_help(int argc, char **argv, const struct vnetctl_opts *o)
{
	const struct port_ops *const *types = port_ops_all();
	json_t *cmds, *jt;

	if (argc > 1) {
		fprintf(stderr, "vnetctl: usage: vnetctl help [COMMAND]\n");
		return EXIT_USAGE;
	}
	if (argc == 1) {
		const struct cmd_def *c = vnetctl_find(argv[0]);

		if (!c) {
			fprintf(stderr, "vnetctl: unknown command '%s' (see: vnetctl help)\n",
				argv[0]);
			return EXIT_USAGE;
		}
		if (o->json) {
			json_t *j = json_pack("{s:s, s:s, s:s, s:i, s:i, s:b}", "name", c->name,
					      "usage", c->usage, "help", c->help, "min_args",
					      c->min_args, "max_args", c->max_args, "mutates",
					      c->mutates);

			vnetctl_print_json(j, o);
			json_decref(j);
		} else {
			printf("usage: vnetctl %s %s\n  %s\n", c->name, c->usage, c->help);
		}
		return EXIT_OK;
	}
	cmds = json_array();
	jt = json_object();
	if (!o->json) {
		vnetctl_usage(stdout);
		printf("\ncommands:\n");
	}
	for (size_t i = 0; i < ARRAY_SIZE(vnetctl_cmds); i++) {
		const struct cmd_def *c = &vnetctl_cmds[i];

		json_array_append_new(cmds, json_pack("{s:s, s:s, s:s}", "name", c->name, "usage",
						      c->usage, "help", c->help));
		if (!o->json)
			printf("  %s%s%s\n      %s\n", c->name, *c->usage ? " " : "", c->usage,
			       c->help);
	}
	if (!o->json)
		printf("\nport types (port/add ... type=TYPE):\n");
	for (; *types; types++) {
		const char *h = (*types)->help ? (*types)->help : "";

		json_object_set_new(jt, (*types)->type, json_string(h));
		if (!o->json)
			printf("  %-9s %s\n", (*types)->type, h);
	}
	if (!o->json) {
		printf("\nport options for every type: vlan_mode=access|trunk|native-tagged|"
		       "native-untagged tag=N trunks=N,N-M mtu=N\n"
		       "global options: --socket PATH (or $VNET_SOCKET, default %s; as a user "
		       "$XDG_RUNTIME_DIR/vnet/vnetd.sock), --json, --pretty, --timeout S\n",
		       VNETD_SOCKET_DEFAULT);
	} else {
		json_t *j = json_pack("{s:o, s:o}", "commands", cmds, "port_types", jt);

		vnetctl_print_json(j, o);
		json_decref(j);
		return EXIT_OK;
	}
	json_decref(cmds);
	json_decref(jt);
	return EXIT_OK;
}

/* groff text: a backslash and a minus need escaping */
static void vnetctl_man_text(const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '-')
			putchar('\\');
		putchar(*s);
	}
}

/*
 * --man-commands: the COMMANDS section of man/vnetctl.8, from the table, so
 * the man page lists exactly what vnetd runs (regenerate it when the table
 * changes; see the comment in the man page).
 */
static int vnetctl_man_commands(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(vnetctl_cmds); i++) {
		const struct cmd_def *c = &vnetctl_cmds[i];

		printf(".TP\n\\fB");
		vnetctl_man_text(c->name);
		printf("\\fR");
		if (*c->usage) {
			putchar(' ');
			vnetctl_man_text(c->usage);
		}
		printf("\n");
		vnetctl_man_text(c->help);
		printf(".%s\n", c->mutates ? " Saved." : "");
	}
	return EXIT_OK;
}

int vnetctl_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

bool vnetctl_send(int fd, const char *buf, size_t size)
{
	while (size) {
		ssize_t n = send(fd, buf, size, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		buf += n;
		size -= (size_t)n;
	}
	return true;
}

/* Read up to the reply's newline. Return: the line (free() it), or NULL with a message in @why. */
static char *vnetctl_recv(int fd, unsigned timeout_s, size_t *size, const char **why)
{
	uint64_t deadline = now_ns() + (uint64_t)timeout_s * NS_PER_S;
	size_t len = 0, cap = 0;
	char *buf = NULL;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int wait_ms = -1;
		ssize_t n;

		if (timeout_s) {
			uint64_t now = now_ns();

			if (now >= deadline) {
				*why = "timed out waiting for the reply";
				break;
			}
			wait_ms = (int)MIN((deadline - now) / 1000000 + 1, (uint64_t)INT32_MAX);
		}
		n = poll(&pfd, 1, wait_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*why = strerror(errno);
			break;
		}
		if (n == 0)
			continue;
		if (cap - len < VNETCTL_READ_CHUNK) {
			char *nb = realloc(buf, cap + VNETCTL_READ_CHUNK * 4);

			if (!nb) {
				*why = "out of memory";
				break;
			}
			buf = nb;
			cap += VNETCTL_READ_CHUNK * 4;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*why = strerror(errno);
			break;
		}
		if (n == 0) {
			*why = "vnetd closed the connection without replying";
			break;
		}
		len += (size_t)n;
		if (memchr(buf + len - (size_t)n, '\n', (size_t)n)) {
			*size = len;
			return buf;
		}
	}
	free(buf);
	return NULL;
}

/* Print the reply the way the user asked. Return: exit status. */
static int vnetctl_output(const char *cmd, const char *line, size_t size,
			  const struct vnetctl_opts *o)
{
	json_error_t je;
	json_t *reply = json_loadb(line, size, JSON_DISABLE_EOF_CHECK, &je), *ok, *res, *text;
	int rc = EXIT_OK;

	if (!reply || !json_is_object(reply) ||
	    !json_is_boolean(ok = json_object_get(reply, "ok"))) {
		fprintf(stderr, "vnetctl: malformed reply from vnetd\n");
		json_decref(reply);
		return EXIT_FAILED;
	}
	if (!json_is_true(ok)) {
		const char *e = json_string_value(json_object_get(reply, "error"));

		fprintf(stderr, "vnetctl: %s\n", e ? e : "command failed");
		json_decref(reply);
		return EXIT_FAILED;
	}
	res = json_object_get(reply, "result");
	text = json_object_get(reply, "text");
	if (!strcmp(cmd, "version")) {
		if (o->json && json_is_object(res))
			json_object_set_new(res, "vnetctl", json_string(VNET_VERSION));
		else
			printf("vnetctl %s\n", VNET_VERSION);
	}
	if (o->json) {
		vnetctl_print_json(res ? res : json_null(), o);
	} else if (json_is_string(text)) {
		const char *t = json_string_value(text);
		size_t n = strlen(t);

		fwrite(t, 1, n, stdout);
		if (n && t[n - 1] != '\n')
			fputc('\n', stdout);
	}
	if (fflush(stdout) == EOF)
		rc = EXIT_FAILED;
	json_decref(reply);
	return rc;
}

static int vnetctl_request(const struct cmd_def *c, int argc, char **argv,
			   const struct vnetctl_opts *o)
{
	json_t *args = json_array(), *req;
	const char *why = NULL;
	char *line, *reply;
	size_t size = 0;
	int fd, rc;

	for (int i = 0; i < argc; i++) {
		json_t *s = json_string(argv[i]);

		if (!s) {
			fprintf(stderr, "vnetctl: argument %d is not valid UTF-8\n", i + 1);
			json_decref(args);
			return EXIT_USAGE;
		}
		json_array_append_new(args, s);
	}
	req = json_pack("{s:s, s:o}", "cmd", c->name, "args", args);
	line = req ? json_dumps(req, JSON_COMPACT) : NULL;
	json_decref(req);
	if (!line) {
		fprintf(stderr, "vnetctl: out of memory\n");
		return EXIT_FAILED;
	}
	fd = vnetctl_connect(o->socket);
	if (fd < 0) {
		fprintf(stderr, "vnetctl: cannot connect to vnetd at %s: %s (is vnetd running?)\n",
			o->socket, strerror(errno));
		free(line);
		return EXIT_UNREACHABLE;
	}
	if (!vnetctl_send(fd, line, strlen(line)) || !vnetctl_send(fd, "\n", 1)) {
		fprintf(stderr, "vnetctl: sending to vnetd at %s: %s\n", o->socket,
			strerror(errno));
		free(line);
		close(fd);
		return EXIT_UNREACHABLE;
	}
	free(line);
	reply = vnetctl_recv(fd, o->timeout_s, &size, &why);
	close(fd);
	if (!reply) {
		fprintf(stderr, "vnetctl: vnetd at %s: %s\n", o->socket, why);
		return EXIT_UNREACHABLE;
	}
	rc = vnetctl_output(c->name, reply, size, o);
	free(reply);
	return rc;
}

/* An option's value: "--opt=V" or "--opt V". Return: the value, or NULL (usage error printed). */
static const char *vnetctl_optval(int argc, char **argv, int *i, const char *name)
{
	size_t n = strlen(name);

	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (*i + 1 >= argc) {
		fprintf(stderr, "vnetctl: %s needs a value\n", name);
		return NULL;
	}
	return argv[++*i];
}

static bool vnetctl_is_opt(const char *arg, const char *name)
{
	size_t n = strlen(name);

	return !strncmp(arg, name, n) && (arg[n] == '\0' || arg[n] == '=');
}

int main(int argc, char **argv)
{
	struct vnetctl_opts o = { .timeout_s = VNETCTL_TIMEOUT_DEFAULT_S };
	const struct cmd_def *c;
	const char *env = getenv("VNET_SOCKET");
	char user_socket[PATH_MAX];
	char **args;
	int i, n_args = 0;

	/* root: /run/vnet/vnetd.sock; a user: their rootless vnetd's (userdirs.h) */
	if (env && *env)
		o.socket = env;
	else if (userdirs_socket(user_socket, sizeof(user_socket)))
		o.socket = user_socket;
	else
		o.socket = VNETD_SOCKET_DEFAULT;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i], *v;

		if (!strcmp(a, "--")) {
			i++;
			break;
		} else if (!strcmp(a, "--json") || !strcmp(a, "-j")) {
			o.json = true;
		} else if (!strcmp(a, "--pretty") || !strcmp(a, "-p")) {
			o.pretty = true;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			return vnetctl_help(0, NULL, &o);
		} else if (!strcmp(a, "--man-commands")) {
			return vnetctl_man_commands();
		} else if (!strcmp(a, "--version") || !strcmp(a, "-V")) {
			printf("vnetctl %s\n", VNET_VERSION);
			return EXIT_OK;
		} else if (vnetctl_is_opt(a, "--socket") || !strcmp(a, "-s")) {
			v = vnetctl_optval(argc, argv, &i, a[1] == 's' ? "-s" : "--socket");
			if (!v || !*v)
				return EXIT_USAGE;
			o.socket = v;
		} else if (vnetctl_is_opt(a, "--timeout") || !strcmp(a, "-t")) {
			char *end;
			unsigned long t;

			v = vnetctl_optval(argc, argv, &i, a[1] == 't' ? "-t" : "--timeout");
			if (!v)
				return EXIT_USAGE;
			errno = 0;
			t = strtoul(v, &end, 10);
			if (!*v || *end || errno || t > 86400) {
				fprintf(stderr, "vnetctl: --timeout expects seconds (0 = none)\n");
				return EXIT_USAGE;
			}
			o.timeout_s = (unsigned)t;
		} else {
			fprintf(stderr, "vnetctl: unknown option '%s' (see: vnetctl help)\n", a);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "vnetctl: no command given (see: vnetctl help)\n");
		return EXIT_USAGE;
	}
	c = vnetctl_find(argv[i]);
	if (!c) {
		fprintf(stderr, "vnetctl: unknown command '%s' (see: vnetctl help)\n", argv[i]);
		return EXIT_USAGE;
	}
	/* --json may also follow the command (no name or option value starts with "--"). */
	args = calloc((size_t)argc, sizeof(*args));
	if (!args)
		return EXIT_FAILED;
	for (int j = i + 1; j < argc; j++) {
		if (!strcmp(argv[j], "--json"))
			o.json = true;
		else
			args[n_args++] = argv[j];
	}
	if (n_args < c->min_args || (c->max_args >= 0 && n_args > c->max_args)) {
		fprintf(stderr, "vnetctl: usage: vnetctl %s%s%s\n", c->name, *c->usage ? " " : "",
			c->usage);
		free(args);
		return EXIT_USAGE;
	}
	if (!strcmp(c->name, "help")) {
		int rc = vnetctl_help(n_args, args, &o);

		free(args);
		return rc;
	}
	if (!strcmp(c->name, "capture")) {
		/* streams pcap instead of printing one reply: vnetctl_capture.c */
		int rc = vnetctl_capture(o.socket, o.timeout_s, n_args, args);

		free(args);
		return rc;
	}
	{
		int rc = vnetctl_request(c, n_args, args, &o);

		free(args);
		return rc;
	}
}
