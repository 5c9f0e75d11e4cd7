/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vnetctl.h - what the CLI's parts share: the control-socket connection. */
#ifndef VNET_VNETCTL_H
#define VNET_VNETCTL_H

#include <stdbool.h>
#include <stddef.h>

/**
 * vnetctl_connect() - connect to vnetd's control (or capture) socket
 * @path: the unix socket's path
 *
 * Return: the connected fd, or -1 with errno set.
 */
int vnetctl_connect(const char *path);

/**
 * vnetctl_send() - write all of @buf to @fd (no SIGPIPE; retried on EINTR)
 * @fd:   a connected socket
 * @buf:  the bytes
 * @size: how many
 *
 * Return: true once everything is written, false on an error or a closed peer.
 */
bool vnetctl_send(int fd, const char *buf, size_t size);

#endif /* VNET_VNETCTL_H */
