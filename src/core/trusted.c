/* SPDX-License-Identifier: GPL-2.0-or-later */
/* trusted.c — reading a file root acts on only when no one but root or the invoking user can
 * have written it (DESIGN.md §9). */
#include "trusted.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../platform/platform.h"
#include "../util/readfile.h"

const char trusted_rule[] = "a file portsleuth acts on must be writable only by root or you";

int trusted_read(const char *path, size_t limit, unsigned flags, struct buf *b, const char **why)
{
	*why = NULL;
	buf_clear(b);
	/* non-blocking until it is trusted: opening a FIFO no one writes would wait forever */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	struct stat st;
	int rc = fstat(fd, &st) ? -errno : 0;
	if (!rc && S_ISDIR(st.st_mode))
		rc = -EISDIR;
	else if (!rc && (flags & TRUSTED_REGULAR) && !S_ISREG(st.st_mode) &&
		 (*why = "not a regular file"))
		rc = -EPERM;
	else if (!rc && (*why = platform_path_links_untrusted_why(path, &st)))
		rc = -EPERM; /* before any byte is read: a parse error would echo it */
	else if (!rc && !(S_ISCHR(st.st_mode) && st.st_uid == 0) &&
		 (*why = platform_file_untrusted_why(fd, &st)))
		rc = -EPERM;
	if (!rc && (flags & TRUSTED_WAIT) &&
	    fcntl(fd, F_SETFL, 0) != 0) /* a trusted pipe: wait for its writer */
		rc = -errno;
	if (!rc)
		rc = read_fd(fd, b, limit, NULL);
	close(fd);
	return rc;
}
