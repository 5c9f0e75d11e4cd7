/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * userdirs.h - where vnetd keeps its socket and state: the system paths for
 * root, the XDG base directories for an ordinary user (rootless vnetd).
 *
 *   root:  /run/vnet/vnetd.sock              /var/lib/vnet
 *   user:  $XDG_RUNTIME_DIR/vnet/vnetd.sock  $XDG_STATE_HOME/vnet
 *          (/run/user/UID when XDG_RUNTIME_DIR is unset; ~/.local/state
 *          when XDG_STATE_HOME is unset)
 */
#ifndef VNET_USERDIRS_H
#define VNET_USERDIRS_H

#include <stdbool.h>
#include <stddef.h>

/** userdirs_rootless() - run with the per-user defaults (effective uid not 0)? */
bool userdirs_rootless(void);

/**
 * userdirs_socket() - the default control socket path into @buf
 * Return: false when it does not fit (or no home directory is known).
 */
bool userdirs_socket(char *buf, size_t size);

/** userdirs_state() - the default state directory into @buf. Return: false if it does not fit */
bool userdirs_state(char *buf, size_t size);

#endif /* VNET_USERDIRS_H */
