/* SPDX-License-Identifier: GPL-2.0-or-later */
/* readfile.c — bounded whole-file reads for /proc files and runtime state files. */
#include "readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int read_file_at(int dirfd, const char *path, struct buf *b, size_t limit, int oflags,
		 bool *truncated)
{
	buf_clear(b);
	if (truncated)
		*truncated = false;
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | oflags);
	if (fd < 0)
		return -errno;
	int rc = read_fd(fd, b, limit, truncated);
	close(fd);
	return rc;
}

int read_file_at_short(int dirfd, const char *path, struct buf *b, size_t limit, bool *truncated)
{
	buf_clear(b);
	if (truncated)
		*truncated = false;
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = read_fd_short(fd, b, limit, truncated);
	close(fd);
	return rc;
}

int read_link_at(int dirfd, const char *path, char **out)
{
	for (size_t size = 256; size <= 64 * 1024; size *= 4) {
		char *b = malloc(size);
		if (!b)
			return -ENOMEM;
		ssize_t n = readlinkat(dirfd, path, b, size);
		if (n < 0) {
			int e = errno;
			free(b);
			return -e;
		}
		if ((size_t)n < size) {
			b[n] = '\0';
			char *fit =
			    realloc(b, (size_t)n + 1); /* one per process: keep only the text */
			*out = fit ? fit : b;
			return 0;
		}
		free(b); /* filled the buffer: maybe cut, try a bigger one */
	}
	return -ENAMETOOLONG;
}
