/* SPDX-License-Identifier: GPL-2.0-or-later */
/* uring.c — the sockets an io_uring ring holds as fixed files, from its /proc fdinfo. */
#include "uring.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../util/buf.h"
#include "../../util/readfile.h"
#include "procparse.h"

/* Whether a readlink of an fd names an io_uring ring. */
bool uring_is_ring(const char *lnk, size_t n)
{
	static const char ring[] = "anon_inode:[io_uring]";
	return n == sizeof ring - 1 && memcmp(lnk, ring, n) == 0;
}

/*
 * The "UserFiles:" section: "UserFiles:\tN" and then one line per registered file, "%5u: PATH"
 * (io_uring/fdinfo.c). Returns 1 when the section was there, 0 when not (the kernel prints it
 * only when it got the ring's lock), and calls found(ctx, index, inode) per socket. 0/1 or
 * -errno from found.
 */
static int parse(const char *s, size_t len, int (*found)(void *, uint32_t, uint64_t), void *ctx)
{
	const char *end = s + len, *p = s;
	bool in = false, seen = false;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		if (!in && le - p >= 10 && memcmp(p, "UserFiles:", 10) == 0) {
			in = seen = true;
		} else if (in) {
			const char *q = p;
			while (q < le && *q == ' ')
				q++;
			char *colon;
			unsigned long idx = strtoul(q, &colon, 10);
			if (colon == q || colon >= le || *colon != ':')
				break; /* the next section */
			const char *path = colon + 1;
			while (path < le && *path == ' ')
				path++;
			uint64_t ino;
			if (proc_parse_socket_link(path, (size_t)(le - path), &ino)) {
				int rc = found(ctx, (uint32_t)idx, ino);
				if (rc)
					return rc;
			}
		}
		p = nl ? nl + 1 : end;
	}
	return seen ? 1 : 0;
}

/* Whether a file of the fd directory fddir is an io_uring ring. */
static bool any_ring_fd(int fddir)
{
	DIR *d = fdopendir(fddir);
	if (!d) {
		close(fddir);
		return true; /* unreadable: claim nothing */
	}
	bool any = false;
	struct dirent *e;
	while (!any && (e = readdir(d))) {
		char lnk[64];
		ssize_t n =
		    e->d_name[0] == '.' ? -1 : readlinkat(dirfd(d), e->d_name, lnk, sizeof lnk);
		any = n > 0 && uring_is_ring(lnk, (size_t)n);
	}
	closedir(d);
	return any;
}

bool uring_hidden_ring(int piddir, struct buf *b)
{
	static const char ring[] = " anon_inode:[io_uring]\n";
	if (read_file_at(piddir, "maps", b, 64u << 20, 0, NULL) != 0 || !b->len)
		return false;
	if (!memmem(b->data, b->len, ring, sizeof ring - 1))
		return false;
	int fddir = openat(piddir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fddir >= 0 && !any_ring_fd(fddir);
}

int uring_fixed_sockets(int dirfd, const char *fdinfo, struct buf *b,
			int (*found)(void *, uint32_t, uint64_t), void *ctx)
{
	/* the kernel leaves the files out when the ring is busy: a few more reads */
	for (int tries = 0; tries < 5; tries++) {
		int rc = read_file_at(dirfd, fdinfo, b, 16u << 20, 0, NULL);
		if (rc)
			return rc;
		rc = parse(b->data, b->len, found, ctx);
		if (rc != 0)
			return rc < 0 ? rc : 0;
	}
	return -EAGAIN;
}
