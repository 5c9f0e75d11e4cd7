// SPDX-License-Identifier: GPL-2.0-or-later
/* userdirs.c - default socket and state paths for root and for ordinary users. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "userdirs.h"
#include "vnetd.h"

bool userdirs_rootless(void)
{
	return geteuid() != 0;
}

/* $NAME if set to an absolute path (the XDG spec ignores relative ones), else NULL */
static const char *userdirs_env(const char *name)
{
	const char *v = getenv(name);

	return v && v[0] == '/' ? v : NULL;
}

static bool userdirs_fmt(char *buf, size_t size, const char *a, const char *b)
{
	int n = snprintf(buf, size, "%s%s", a, b);

	return n > 0 && (size_t)n < size;
}

bool userdirs_socket(char *buf, size_t size)
{
	const char *run;
	char dflt[64];

	if (!userdirs_rootless())
		return userdirs_fmt(buf, size, VNETD_SOCKET_DEFAULT, "");
	run = userdirs_env("XDG_RUNTIME_DIR");
	if (!run) {
		snprintf(dflt, sizeof(dflt), "/run/user/%u", (unsigned)geteuid());
		run = dflt;
	}
	return userdirs_fmt(buf, size, run, "/vnet/vnetd.sock");
}

bool userdirs_state(char *buf, size_t size)
{
	const char *state, *home;
	struct passwd *pw;

	if (!userdirs_rootless())
		return userdirs_fmt(buf, size, VNETD_STATE_DIR_DEFAULT, "");
	state = userdirs_env("XDG_STATE_HOME");
	if (state)
		return userdirs_fmt(buf, size, state, "/vnet");
	home = userdirs_env("HOME");
	if (!home) {
		pw = getpwuid(geteuid());
		home = pw && pw->pw_dir && pw->pw_dir[0] == '/' ? pw->pw_dir : NULL;
	}
	return home && userdirs_fmt(buf, size, home, "/.local/state/vnet");
}
