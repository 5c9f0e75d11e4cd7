// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vnetd.c - the daemon: options, the startup configuration, signals, the
 * aging timer and the main loop.
 *
 * Startup configuration, in order of preference:
 *  1. --config FILE, if it validates (it is then saved as the state file);
 *  2. the state file STATE_DIR/config.json, the last good state;
 *  3. on first start (no state file, no --config, no --no-default), the
 *     built-in default network: switch "default" with an internal port vnet0
 *     on the first free 10.(213+N).0.1/24.
 * A refused --config is logged and vnetd runs on the last good state; vnetd
 * exits 1 only when there is no usable configuration at all (the --config
 * file was refused and there is no state file, or the state file itself is
 * corrupt), rather than overwrite the user's state with an empty one.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "../base/log.h"
#include "../base/util.h"
#include "../ctl/cmd_table.h"
#include "../ctl/config.h"
#include "../ctl/ctl.h"
#include "../ctl/userdirs.h"
#include "../ctl/vnetd.h"
#include "../web/web.h"
#include "../svc/network.h"

#define VNETD_TICK_S 1 /* aging timer period */

/**
 * struct vnetd_main - the daemon and what only main() needs
 * @d:          the daemon state the commands act on
 * @sig:        signalfd for SIGTERM, SIGINT and SIGHUP
 * @tick:       timerfd for MAC aging
 * @no_default: --no-default: no default network on first start
 */
struct vnetd_main {
	struct vnetd d;
	struct ev_source sig;
	struct ev_source tick;
	bool no_default;
	struct web_cfg web_cfg; /* --web, --metrics, --http-allow-remote */
	struct web *web;
};

static void vnetd_usage(FILE *f)
{
	fprintf(f,
		"usage: vnetd [--socket PATH] [--state-dir DIR] [--config FILE]\n"
		"             [--log-level err|warn|info|debug] [--no-default]\n"
		"  --socket PATH     control socket (default %s, or $VNET_SOCKET)\n"
		"  --state-dir DIR   where the configuration is saved (default %s)\n"
		"  --config FILE     declarative configuration to apply at startup and on SIGHUP\n"
		"  --log-level LVL   least severe messages to log (default info)\n"
		"  --no-default      do not create the default network on first start\n"
		"  --web ADDR:PORT   serve the web console and JSON API (off by default)\n"
		"  --metrics ADDR:PORT  serve Prometheus metrics at /metrics (off by default)\n"
		"  --http-allow-remote  let --web/--metrics use a non-loopback address\n"
		"  --version         print the version\n"
		"as an ordinary user: socket $XDG_RUNTIME_DIR/vnet/vnetd.sock, state dir\n"
		"$XDG_STATE_HOME/vnet (~/.local/state/vnet); no host port on the default network\n",
		VNETD_SOCKET_DEFAULT, VNETD_STATE_DIR_DEFAULT);
}

static void vnetd_set_path(char *dst, size_t size, const char *src, const char *what)
{
	if (!*src || strlen(src) >= size) {
		fprintf(stderr, "vnetd: %s '%s' is empty or too long\n", what, src);
		exit(2);
	}
	strcpy(dst, src);
}

static void vnetd_parse_args(struct vnetd_main *m, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "state-dir", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "log-level", required_argument, NULL, 'l' },
		{ "no-default", no_argument, NULL, 'n' },
		{ "web", required_argument, NULL, 'w' },
		{ "metrics", required_argument, NULL, 'm' },
		{ "http-allow-remote", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct vnetd *d = &m->d;
	const char *env = getenv("VNET_SOCKET");
	enum log_level lvl;
	char err[256];
	int c;

	/* root: /run/vnet and /var/lib/vnet; a user: the XDG directories (userdirs.h) */
	if (!userdirs_socket(d->socket_path, sizeof(d->socket_path)))
		d->socket_path[0] = '\0';
	if (!userdirs_state(d->state_dir, sizeof(d->state_dir)))
		d->state_dir[0] = '\0';
	if (env && *env)
		vnetd_set_path(d->socket_path, sizeof(d->socket_path), env, "socket path");
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			vnetd_set_path(d->socket_path, sizeof(d->socket_path), optarg,
				       "socket path");
			break;
		case 'd':
			vnetd_set_path(d->state_dir, sizeof(d->state_dir), optarg, "state dir");
			break;
		case 'c':
			vnetd_set_path(d->config_file, sizeof(d->config_file), optarg,
				       "config file");
			break;
		case 'l':
			if (!log_parse_level(optarg, &lvl)) {
				fprintf(stderr, "vnetd: unknown log level '%s'\n", optarg);
				exit(2);
			}
			log_set_level(lvl);
			break;
		case 'n':
			m->no_default = true;
			break;
		case 'w':
		case 'm':
			if (!http_addr_parse(optarg,
					     c == 'w' ? &m->web_cfg.web : &m->web_cfg.metrics, err,
					     sizeof(err))) {
				fprintf(stderr, "vnetd: --%s: %s\n", c == 'w' ? "web" : "metrics",
					err);
				exit(2);
			}
			*(c == 'w' ? &m->web_cfg.web_on : &m->web_cfg.metrics_on) = true;
			break;
		case 'R':
			m->web_cfg.allow_remote = true;
			break;
		case 'h':
			vnetd_usage(stdout);
			exit(0);
		case 'V':
			printf("vnetd %s\n", VNET_VERSION);
			exit(0);
		default:
			vnetd_usage(stderr);
			exit(2);
		}
	}
	if (!d->socket_path[0] || !d->state_dir[0]) {
		fprintf(stderr, "vnetd: no default %s for this user: give %s\n",
			d->socket_path[0] ? "state dir" : "socket path",
			d->socket_path[0] ? "--state-dir" : "--socket");
		exit(2);
	}
	if (optind < argc) {
		fprintf(stderr, "vnetd: unexpected argument '%s'\n", argv[optind]);
		vnetd_usage(stderr);
		exit(2);
	}
}

/* First start: the nat network "default" (network_create_default()). */
static unsigned vnetd_default_network(struct vnetd *d)
{
	char err[256];
	bool host_port = !userdirs_rootless();
	struct bridge *br = network_create_default(&d->dp, d->state_dir, host_port, d->bridges,
						   ARRAY_SIZE(d->bridges), err, sizeof(err));

	if (!br) {
		err("first start: the default network: %s", err);
		return 1;
	}
	d->bridges[0] = br;
	if (host_port)
		info("first start: created nat network %s with host port %s", NETWORK_DEFAULT_NAME,
		     NETWORK_DEFAULT_IFNAME);
	else
		info("first start: created nat network %s (rootless: no host port)",
		     NETWORK_DEFAULT_NAME);
	return 0;
}

static unsigned vnetd_count_ports(const struct vnetd *d, unsigned *n_switches)
{
	unsigned n = d->n_stale;

	*n_switches = 0;
	for (size_t i = 0; i < ARRAY_SIZE(d->bridges); i++) {
		if (d->bridges[i]) {
			(*n_switches)++;
			n += d->bridges[i]->n_ports;
		}
	}
	return n;
}

/* Apply the startup configuration (see the top of this file). Return: 0, or -1 to exit. */
static int vnetd_load(struct vnetd_main *m)
{
	struct vnetd *d = &m->d;
	char state[PATH_MAX + sizeof(CONFIG_STATE_FILE) + 1], err[512];
	const char *source = NULL;
	struct config *c = NULL;
	unsigned failed = 0, n_sw, n_ports;
	bool missing = false;

	snprintf(state, sizeof(state), "%s/%s", d->state_dir, CONFIG_STATE_FILE);
	if (d->config_file[0]) {
		c = config_load(d->config_file, NULL, err, sizeof(err));
		if (c)
			source = d->config_file;
		else
			err("--config refused: %s; keeping the last good state", err);
	}
	if (!c) {
		c = config_load(state, &missing, err, sizeof(err));
		if (!c && !missing) {
			err("%s", err);
			err("the state file is unusable; fix it or move it away to start afresh");
			return -1;
		}
		if (c)
			source = state;
	}
	if (c) {
		failed = config_apply(d, c);
		config_free(c);
	} else if (d->config_file[0]) {
		err("no usable configuration: --config was refused and there is no %s", state);
		return -1;
	} else if (!m->no_default) {
		source = "the built-in default";
		failed = vnetd_default_network(d);
	}
	/* A --config file or the default network becomes the last good state. */
	if (source && source != state && config_save(d, err, sizeof(err)) < 0)
		err("saving the state: %s", err);
	n_ports = vnetd_count_ports(d, &n_sw);
	info("vnetd %s: socket %s, state dir %s, %u switch%s and %u port%s from %s%s", VNET_VERSION,
	     d->socket_path, d->state_dir, n_sw, n_sw == 1 ? "" : "es", n_ports,
	     n_ports == 1 ? "" : "s", source ? source : "nothing (--no-default)",
	     failed ? " (some ports failed to open: see port/list)" : "");
	return 0;
}

/* SIGHUP: config/reload, through the command table so the result is saved like any command. */
static void vnetd_reload(struct vnetd *d)
{
	struct cmd_reply r = { 0 };
	char *text = NULL;
	size_t size = 0;

	if (!d->config_file[0]) {
		warn("SIGHUP: no --config file to reload");
		return;
	}
	r.text = open_memstream(&text, &size);
	if (!r.text) {
		err("SIGHUP: out of memory");
		return;
	}
	if (cmd_run(d, cmd_find("config/reload"), 0, NULL, &r) < 0)
		err("SIGHUP: %s", r.err);
	fclose(r.text);
	free(text);
	json_decref(r.result);
}

static void vnetd_signal_cb(struct ev_source *src, uint32_t events)
{
	struct vnetd_main *m = src->arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(src->fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGHUP) {
			info("SIGHUP: reloading %s", m->d.config_file);
			vnetd_reload(&m->d);
		} else {
			info("signal %u: shutting down", si.ssi_signo);
			evloop_stop(&m->d.dp.loop);
		}
	}
}

static void vnetd_tick_cb(struct ev_source *src, uint32_t events)
{
	struct vnetd_main *m = src->arg;
	uint64_t ticks;

	(void)events;
	if (read(src->fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(m->d.bridges); i++) {
		if (m->d.bridges[i])
			bridge_age(m->d.bridges[i], m->d.dp.now_ns);
	}
}

static int vnetd_setup_fds(struct vnetd_main *m)
{
	struct itimerspec its = { .it_interval.tv_sec = VNETD_TICK_S,
				  .it_value.tv_sec = VNETD_TICK_S };
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	m->sig = (struct ev_source){ .fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC),
				     .cb = vnetd_signal_cb,
				     .arg = m };
	if (m->sig.fd < 0)
		return -errno;
	m->tick = (struct ev_source){ .fd = timerfd_create(CLOCK_MONOTONIC,
							   TFD_NONBLOCK | TFD_CLOEXEC),
				      .cb = vnetd_tick_cb,
				      .arg = m };
	if (m->tick.fd < 0 || timerfd_settime(m->tick.fd, 0, &its, NULL) < 0)
		return -errno;
	if (evloop_add(&m->d.dp.loop, &m->sig, EPOLLIN) < 0 ||
	    evloop_add(&m->d.dp.loop, &m->tick, EPOLLIN) < 0)
		return -errno;
	return 0;
}

/*
 * The loop: sleep until an fd is ready, refresh the datapath clock (MAC
 * learning stamps entries with it), then dispatch. Nothing polls: an idle
 * vnetd wakes once per VNETD_TICK_S for aging.
 */
static void vnetd_run(struct vnetd *d)
{
	d->dp.loop.clock = &d->dp.now_ns; /* refreshed on every wakeup */
	while (!d->dp.loop.stop) {
		int rc = evloop_run_once(&d->dp.loop, -1);

		if (rc < 0) {
			err("epoll_wait: %s", strerror(-rc));
			break;
		}
	}
}

static void vnetd_shutdown(struct vnetd_main *m)
{
	struct vnetd *d = &m->d;

	web_stop(m->web);
	m->web = NULL;
	ctl_server_destroy(d->ctl);
	d->ctl = NULL;
	/* Destroying the switches closes their ports, so the taps vnetd created go away. */
	for (size_t i = 0; i < ARRAY_SIZE(d->bridges); i++) {
		bridge_destroy(d->bridges[i]);
		d->bridges[i] = NULL;
	}
	config_stale_free(d);
	if (m->sig.fd >= 0)
		close(m->sig.fd);
	if (m->tick.fd >= 0)
		close(m->tick.fd);
	evloop_fini(&d->dp.loop);
	pkt_pool_destroy(d->dp.pool);
}

int main(int argc, char **argv)
{
	static struct vnetd_main m;
	struct vnetd *d = &m.d;
	char err[512];
	int rc;

	vnetd_parse_args(&m, argc, argv);
	signal(SIGPIPE, SIG_IGN);
	if (evloop_init(&d->dp.loop) < 0)
		die("epoll: %s", strerror(errno));
	d->dp.pool = pkt_pool_create(PKT_POOL_DEFAULT_N);
	if (!d->dp.pool)
		die("cannot allocate %d packet buffers", PKT_POOL_DEFAULT_N);
	d->dp.now_ns = now_ns();
	rc = vnetd_setup_fds(&m);
	if (rc < 0)
		die("signalfd/timerfd: %s", strerror(-rc));
	/* The socket first: a second vnetd on the same socket stops here, before touching taps. */
	d->ctl = ctl_server_create(d, &d->dp.loop, d->socket_path, err, sizeof(err));
	if (!d->ctl)
		die("control socket: %s", err);
	rc = config_mkdir_p(d->state_dir, 0755);
	if (rc < 0) {
		err("state dir %s: %s", d->state_dir, strerror(-rc));
		vnetd_shutdown(&m);
		return 1;
	}
	/* Before the configuration: a refused --web/--metrics must not touch any tap. */
	m.web = web_start(d, &d->dp.loop, &m.web_cfg, err, sizeof(err));
	if (!m.web) {
		err("%s", err);
		vnetd_shutdown(&m);
		return 1;
	}
	if (vnetd_load(&m) < 0) {
		vnetd_shutdown(&m);
		return 1;
	}
	vnetd_run(d);
	vnetd_shutdown(&m);
	info("vnetd stopped");
	return 0;
}
