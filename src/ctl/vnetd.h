/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vnetd.h - the daemon's state as the control plane sees it: switches, paths, the datapath. */
#ifndef VNET_VNETD_H
#define VNET_VNETD_H

#include <limits.h>
#include <stdbool.h>

#include "../base/dp.h"
#include "../switch/bridge.h"

#define VNETD_MAX_SWITCHES 256
#define VNETD_SOCKET_DEFAULT "/run/vnet/vnetd.sock"
#define VNETD_STATE_DIR_DEFAULT "/var/lib/vnet"

struct ctl_server;
struct config_stale;

/**
 * struct vnetd - the daemon
 * @dp:          the (for now single) datapath thread's resources
 * @bridges:     switches; NULL slots are free
 * @socket_path: control socket
 * @state_dir:   where config.json (the persisted state) lives
 * @config_file: --config FILE, or "" when none
 * @ctl:         the control server
 * @stale:       configured ports that failed to open (config.c), kept so
 *               that they stay in the saved state; @n_stale of them
 */
struct vnetd {
	struct dp dp;
	struct bridge *bridges[VNETD_MAX_SWITCHES];
	char socket_path[PATH_MAX];
	char state_dir[PATH_MAX];
	char config_file[PATH_MAX];
	struct ctl_server *ctl;
	struct config_stale *stale;
	unsigned n_stale;
};

/** vnetd_bridge_find() - switch by name, or NULL */
struct bridge *vnetd_bridge_find(struct vnetd *d, const char *name);

#endif /* VNET_VNETD_H */
