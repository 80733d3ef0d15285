/* SPDX-License-Identifier: GPL-2.0-or-later */
/* readfd.c — bounded whole reads of an open descriptor (portable: no *at() calls, unlike
 * readfile.c). */
#include <errno.h>
#include <unistd.h>

#include "readfile.h"

/* read_fd; short_end: a read shorter than asked is the end (read_fd_short). */
static int read_fd_as(int fd, struct buf *b, size_t limit, bool *truncated, bool short_end)
{
	buf_clear(b);
	if (truncated)
		*truncated = false;
	int rc = 0;
	for (;;) {
		if ((rc = buf_reserve(b, 4096)))
			break;
		size_t room = b->cap - b->len - 1;
		if (room > limit - b->len)
			room = limit - b->len;
		if (room == 0) {
			/* at the limit: one byte more tells whether anything was cut */
			char probe;
			ssize_t more = read(fd, &probe, 1);
			if (more > 0) {
				if (truncated)
					*truncated = true;
				else
					rc = -EFBIG;
			}
			break;
		}
		ssize_t n = read(fd, b->data + b->len, room);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		if (n == 0)
			break;
		b->len += (size_t)n;
		b->data[b->len] = '\0';
		if (short_end && (size_t)n < room)
			break;
	}
	return rc;
}

int read_fd(int fd, struct buf *b, size_t limit, bool *truncated)
{
	return read_fd_as(fd, b, limit, truncated, false);
}

int read_fd_short(int fd, struct buf *b, size_t limit, bool *truncated)
{
	return read_fd_as(fd, b, limit, truncated, true);
}
