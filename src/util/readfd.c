/* SPDX-License-Identifier: GPL-2.0-or-later */
/* readfd.c — bounded whole reads of an open descriptor (portable: no *at() calls, unlike
 * readfile.c). */
#include <errno.h>
#include <unistd.h>

#include "readfile.h"

int read_fd(int fd, struct buf *b, size_t limit, bool *truncated)
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
	}
	return rc;
}
