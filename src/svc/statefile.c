// SPDX-License-Identifier: GPL-2.0-or-later
/* statefile.c - atomic JSON state files (temp, fsync, rename, fsync dir). */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "statefile.h"

bool statefile_path(char *buf, size_t size, const char *dir, const char *net, const char *suffix)
{
	int n;

	if (!dir || !*dir)
		return false;
	n = snprintf(buf, size, "%s/net-%s%s", dir, net, suffix);
	return n > 0 && (size_t)n < size;
}

static int statefile_write_all(int fd, const char *buf, size_t size)
{
	while (size) {
		ssize_t n = write(fd, buf, size);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		size -= (size_t)n;
	}
	return 0;
}

int statefile_write(const char *path, json_t *doc, char *err, size_t errsz)
{
	char tmp[STATEFILE_PATH_MAX + 16], dir[STATEFILE_PATH_MAX];
	char *text;
	int fd, rc, dfd;

	if (strlen(path) >= STATEFILE_PATH_MAX) {
		snprintf(err, errsz, "%.64s...: path too long", path);
		return -ENAMETOOLONG;
	}
	text = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS);
	if (!text) {
		snprintf(err, errsz, "%s: out of memory", path);
		return -ENOMEM;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errsz, "%s: cannot create %s: %s", path, tmp, strerror(errno));
		free(text);
		return rc;
	}
	rc = statefile_write_all(fd, text, strlen(text));
	if (!rc)
		rc = statefile_write_all(fd, "\n", 1);
	if (!rc && fsync(fd) < 0)
		rc = -errno;
	free(text);
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	if (rc) {
		snprintf(err, errsz, "%s: %s", path, strerror(-rc));
		unlink(tmp);
		return rc;
	}
	/* The rename is durable only once the directory entry is. */
	snprintf(dir, sizeof(dir), "%s", path);
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

int statefile_read(const char *path, json_t **doc, char *err, size_t errsz)
{
	json_error_t je;
	struct stat st;
	int fd, rc = 0;

	*doc = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		rc = -errno;
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		return rc;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > STATEFILE_MAX_SIZE) {
		snprintf(err, errsz, "%s: not a regular file of at most %u bytes", path,
			 STATEFILE_MAX_SIZE);
		close(fd);
		return -EINVAL;
	}
	*doc = json_loadfd(fd, JSON_REJECT_DUPLICATES, &je);
	close(fd);
	if (!*doc) {
		snprintf(err, errsz, "%s:%d: %s", path, je.line, je.text);
		return -EINVAL;
	}
	if (!json_is_object(*doc)) {
		snprintf(err, errsz, "%s: not a JSON object", path);
		json_decref(*doc);
		*doc = NULL;
		return -EINVAL;
	}
	return rc;
}
