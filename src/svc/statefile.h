/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * statefile.h - the services' files in the daemon's state dir: JSON
 * documents written atomically (temp file, fsync, rename, fsync of the dir),
 * so a crash or kill -9 at any point leaves the old or the new file, never a
 * torn one, and read back with a size limit.
 *
 * Each network keeps two files there (see doc/network-modes.md):
 *   net-NAME.json    reservations and port forwards (changed by commands)
 *   net-NAME.leases  DHCP leases (changed by clients, written before the ACK)
 */
#ifndef VNET_STATEFILE_H
#define VNET_STATEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#define STATEFILE_MAX_SIZE (16u << 20) /* bytes: a larger state file is refused */
#define STATEFILE_PATH_MAX 4096

/**
 * statefile_write() - write @doc to @path atomically
 * Return: 0, or -errno with @err set.
 */
int statefile_write(const char *path, json_t *doc, char *err, size_t errsz);

/**
 * statefile_read() - read and parse the JSON document at @path
 * @doc: out: the document (json_decref() it), NULL when the file is missing
 * Return: 0 (also when missing), or -errno / -EINVAL with @err set.
 */
int statefile_read(const char *path, json_t **doc, char *err, size_t errsz);

/**
 * statefile_path() - "@dir/net-@net@suffix" into @buf
 * Return: false if @dir is empty (no persistence) or the path is too long.
 */
bool statefile_path(char *buf, size_t size, const char *dir, const char *net, const char *suffix);

#endif /* VNET_STATEFILE_H */
