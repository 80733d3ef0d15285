/* SPDX-License-Identifier: GPL-2.0-or-later */
/* readfile.h — read a whole file (or a link) of unknown size, bounded. */
#ifndef PS_READFILE_H
#define PS_READFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/*
 * Read `path` (relative to dirfd, or absolute; AT_FDCWD works) into b, which is
 * cleared first, at most `limit` bytes. `oflags` are added to O_RDONLY|O_CLOEXEC
 * (e.g. O_NOFOLLOW). When the file is longer: *truncated is set when given, else
 * -EFBIG is returned. 0 or -errno.
 */
int read_file_at(int dirfd, const char *path, struct buf *b, size_t limit, int oflags,
		 bool *truncated);

/* The same for an open descriptor fd (read from its current offset, not closed). */
int read_fd(int fd, struct buf *b, size_t limit, bool *truncated);

/*
 * read_fd and read_file_at for a file whose every read returns as much as was asked up to its
 * end (Linux's /proc/PID/cmdline and environ): a read shorter than asked is the end, so the read
 * that would return 0 is not made.
 */
int read_fd_short(int fd, struct buf *b, size_t limit, bool *truncated);
int read_file_at_short(int dirfd, const char *path, struct buf *b, size_t limit, bool *truncated);

/*
 * The target of the symbolic link `path` (relative to dirfd) as a new string in
 * *out, whatever its length up to 64 KiB. 0, -ENAMETOOLONG or -errno (*out untouched).
 */
int read_link_at(int dirfd, const char *path, char **out);

#endif
