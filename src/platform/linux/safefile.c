/* SPDX-License-Identifier: GPL-2.0-or-later */
/* safefile.c — writing files as root on ground other users can write to (snapshot -o, watch --log).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "../../util/buf.h"
#include "../../util/readfile.h"
#include "../platform.h"
#include "backend.h"

struct platform_file {
	int fd;
	int dirfd; /* the target's directory while a temporary is pending; else -1 */
	char *tmp; /* the temporary's name in dirfd, renamed to `base` on commit */
	char *base;
};

/*
 * Whether a link owned by `uid` may be followed: root's, ours, and those of the
 * user who invoked us (the real uid, or SUDO_UID when sudo made us root).
 */
static bool trusted_owner(uid_t uid)
{
	if (uid == 0 || uid == geteuid() || uid == getuid())
		return true;
	const char *s = getuid() == 0 ? getenv("SUDO_UID") : NULL;
	char *end;
	unsigned long v = s && *s ? strtoul(s, &end, 10) : 0;
	return s && *s && !*end && v == (unsigned long)uid;
}

/* A refusal: -EPERM with the reason for the caller to show. */
static int refuse(const char **why, const char *text)
{
	*why = text;
	return -EPERM;
}

/*
 * Open the directory `dir` (O_PATH), one component at a time: a component that is a
 * symbolic link is followed only when a trusted user owns it (else a refusal).
 */
static int open_dir_checked(const char *dir, const char **why)
{
	int cur = open(*dir == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (cur < 0)
		return -errno;
	char *copy = strdup(dir), *save = NULL;
	if (!copy) {
		close(cur);
		return -ENOMEM;
	}
	int rc = 0;
	for (char *c = strtok_r(copy, "/", &save); c && !rc; c = strtok_r(NULL, "/", &save)) {
		int next = openat(cur, c, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		struct stat st;
		if (next < 0 || fstat(next, &st)) {
			rc = -errno;
		} else if (S_ISLNK(st.st_mode)) {
			close(next);
			next = -1;
			if (!trusted_owner(st.st_uid))
				rc = refuse(why, "a symbolic link on the path is owned by another "
						 "user: not followed");
			else if ((next = openat(cur, c, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
				rc = -errno;
		} else if (!S_ISDIR(st.st_mode)) {
			rc = -ENOTDIR;
		}
		if (next >= 0) {
			close(cur);
			cur = next;
		}
	}
	free(copy);
	if (rc) {
		close(cur);
		return rc;
	}
	return cur;
}

/* Split path into a new directory string and a pointer to its last component. */
static int split_path(const char *path, char **dir, const char **base)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	const char *slash = memrchr(path, '/', n);
	*base = slash ? slash + 1 : path;
	if (**base == '\0' || strchr(*base, '/') || strcmp(*base, ".") == 0 ||
	    strcmp(*base, "..") == 0)
		return -EISDIR;
	size_t dl = slash ? (size_t)(slash - path) : 0;
	*dir = slash ? (dl ? strndup(path, dl) : strdup("/")) : strdup(".");
	return *dir ? 0 : -ENOMEM;
}

/* The descriptor our fd 1 or 2 already holds when `st` is that same file, else -1. */
static int same_as_std(const struct stat *st)
{
	for (int fd = 1; fd <= 2; fd++) {
		struct stat s;
		if (fstat(fd, &s) == 0 && s.st_dev == st->st_dev && s.st_ino == st->st_ino)
			return fd;
	}
	return -1;
}

/* Reopen the O_PATH descriptor `pfd` (a device or FIFO we checked) for writing. */
static int reopen_write(int pfd, int flags)
{
	char p[64];
	snprintf(p, sizeof p, "/proc/self/fd/%d", pfd);
	int fd = open(p, O_WRONLY | O_NOCTTY | O_CLOEXEC | flags);
	return fd < 0 ? -errno : fd;
}

/* Links followed one by one, at most (the kernel's own limit is 40). */
#define MAX_LINKS 16

static int open_direct_path(const char *path, int flags, const char **why, int depth);

/*
 * Follow the trusted symbolic link `base` in `dir` (dirfd) ourselves, so every
 * further link of the chain is checked too: its text, relative to dir when it is
 * not absolute, goes through the same rules.
 */
static int follow_link(const char *dir, int dirfd, const char *base, int flags, const char **why,
		       int depth)
{
	if (depth >= MAX_LINKS)
		return -ELOOP;
	char *text = NULL;
	int rc = read_link_at(dirfd, base, &text);
	struct buf next = {0};
	if (!rc && !*text)
		rc = -ENOENT;
	if (!rc)
		rc = text[0] == '/' ? buf_puts(&next, text) : buf_printf(&next, "%s/%s", dir, text);
	free(text);
	if (!rc)
		rc = open_direct_path(next.data, flags, why, depth + 1);
	buf_free(&next);
	return rc;
}

/*
 * The target is a symbolic link or a device/FIFO: write to it directly when it is
 * our own stdout/stderr, or a character device or FIFO that a trusted user owns,
 * reached through no link planted by someone else (a FIFO another user made at
 * the name would receive every command line of the machine). `pfd` is an O_PATH
 * descriptor of the name `base` in `dir` (dirfd) itself. Only the magic links of
 * /proc (/proc/self/fd/1, which /dev/stdout names) are left to the kernel: they
 * lead to the open file itself, through no further path.
 */
static int open_direct(const char *dir, int dirfd, const char *base, int pfd,
		       const struct stat *lst, int flags, const char **why, int depth)
{
	struct stat st = *lst;
	int target = -1, rc;
	if (S_ISLNK(lst->st_mode)) {
		if (!trusted_owner(lst->st_uid))
			return refuse(why, "a symbolic link owned by another user: not followed");
		struct statfs sf;
		if (fstatfs(dirfd, &sf) || sf.f_type != PROC_SUPER_MAGIC)
			return follow_link(dir, dirfd, base, flags, why, depth);
		if ((target = openat(dirfd, base, O_PATH | O_CLOEXEC)) < 0)
			return -errno;
		if (fstat(target, &st)) {
			rc = -errno;
			close(target);
			return rc;
		}
		pfd = target;
	}
	int std = same_as_std(&st);
	if (std >= 0) {
		rc = fcntl(std, F_DUPFD_CLOEXEC, 3);
		if (rc < 0)
			rc = -errno;
	} else if ((S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) && !trusted_owner(st.st_uid)) {
		rc = refuse(why, "a device or FIFO owned by another user: not written to");
	} else if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
		rc = reopen_write(pfd, flags & PLATFORM_FILE_APPEND ? O_APPEND : 0);
	} else if (S_ISDIR(st.st_mode)) {
		rc = -EISDIR;
	} else if (S_ISREG(st.st_mode)) { /* only a link leads here */
		rc = refuse(
		    why, "a symbolic link to a regular file: not replaced, name the file itself");
	} else {
		rc = refuse(why, "not a regular file, character device or FIFO: refused");
	}
	if (target >= 0)
		close(target);
	return rc;
}

/* Create a temporary beside the target: random name, O_EXCL, never through a link. */
static int open_temp(int dirfd, const char *base, unsigned mode, char **name)
{
	/* O_EXCL makes a guessed name harmless; randomness only keeps others from
	 * filling the names in advance. The clock is the fallback when getrandom fails. */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	unsigned long seed = (unsigned long)ts.tv_nsec ^ ((unsigned long)getpid() << 16);
	for (int tries = 0; tries < 100; tries++) {
		unsigned long r;
		seed = seed * 6364136223846793005ul + 1442695040888963407ul;
		if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r)
			r = seed >> 16;
		struct buf b = {0};
		/* the name cut so the temporary's fits in NAME_MAX (255) */
		if (buf_printf(&b, ".%.200s.%012lx.tmp", base, r & 0xffffffffffff))
			return -ENOMEM;
		int fd = openat(dirfd, b.data,
				O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC,
				mode & 07777);
		if (fd >= 0) {
			if (fchmod(fd,
				   mode & 07777)) { /* exactly what was asked, whatever the umask */
				int e = -errno;
				close(fd);
				unlinkat(dirfd, b.data, 0);
				buf_free(&b);
				return e;
			}
			*name = b.data;
			return fd;
		}
		int e = -errno;
		buf_free(&b);
		if (e != -EEXIST)
			return e;
	}
	return -EEXIST;
}

/*
 * Append mode: the regular file itself (created when missing), never through a
 * link, with no second hard link, and ours or root's when it exists.
 */
static int open_append(int dirfd, const char *base, unsigned mode, const char **why)
{
	int fd =
	    openat(dirfd, base,
		   O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC | O_NONBLOCK,
		   mode & 07777);
	if (fd < 0)
		return -errno;
	struct stat st, again;
	int rc = 0;
	if (fstat(fd, &st) || fstatat(dirfd, base, &again, AT_SYMLINK_NOFOLLOW))
		rc = -errno;
	else if (st.st_dev != again.st_dev || st.st_ino != again.st_ino)
		rc = refuse(why, "the file changed while it was opened");
	else if (!S_ISREG(st.st_mode)) /* made at the name since we looked */
		rc = refuse(why, "not a regular file any more: refused");
	else if (st.st_nlink != 1)
		rc = refuse(why,
			    "the file has another hard link (perhaps to another file): refused");
	else if (!trusted_owner(st.st_uid))
		rc = refuse(why, "the file is owned by another user: not appended to");
	if (!rc && fcntl(fd, F_SETFL, O_APPEND) < 0)
		rc = -errno;
	if (rc) {
		close(fd);
		return rc;
	}
	return fd;
}

/* The end of a trusted link's chain: written to directly, or refused. */
static int open_direct_path(const char *path, int flags, const char **why, int depth)
{
	char *dir = NULL;
	const char *base;
	int rc = split_path(path, &dir, &base);
	if (rc)
		return rc;
	int dirfd = open_dir_checked(dir, why);
	if (dirfd < 0) {
		free(dir);
		return dirfd;
	}
	int pfd = openat(dirfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (pfd < 0 && errno == ENOENT)
		rc = refuse(why, "a symbolic link to nothing: refused");
	else if (pfd < 0 || fstat(pfd, &st))
		rc = -errno;
	else
		rc = open_direct(dir, dirfd, base, pfd, &st, flags, why, depth);
	if (pfd >= 0)
		close(pfd);
	close(dirfd);
	free(dir);
	return rc;
}

int lnx_file_open_write(const char *path, unsigned flags, unsigned mode, struct platform_file **out,
			const char **why)
{
	*out = NULL;
	*why = NULL;
	char *dir = NULL;
	const char *base;
	int rc = split_path(path, &dir, &base);
	if (rc)
		return rc;
	struct platform_file *f = calloc(1, sizeof *f);
	int dirfd = f ? open_dir_checked(dir, why) : -ENOMEM;
	if (dirfd < 0) {
		free(dir);
		free(f);
		return dirfd;
	}
	f->fd = f->dirfd = -1;
	int pfd = openat(dirfd, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	if (pfd < 0 && errno != ENOENT) {
		rc = -errno;
	} else if (pfd >= 0 && fstat(pfd, &st)) {
		rc = -errno;
	} else if (pfd >= 0 && !S_ISREG(st.st_mode)) {
		rc = open_direct(dir, dirfd, base, pfd, &st, (int)flags, why,
				 0); /* link, device, FIFO, dir */
	} else if (flags & PLATFORM_FILE_APPEND) {
		rc = open_append(dirfd, base, mode, why);
	} else {
		rc = open_temp(dirfd, base, mode, &f->tmp);
		if (rc >= 0 && !(f->base = strdup(base)))
			rc = -ENOMEM;
		if (rc >= 0) {
			f->dirfd = dirfd;
			dirfd = -1;
		}
	}
	if (pfd >= 0)
		close(pfd);
	if (dirfd >= 0)
		close(dirfd);
	free(dir);
	if (rc < 0) {
		if (f->tmp)
			unlinkat(f->dirfd, f->tmp, 0);
		if (f->dirfd >= 0)
			close(f->dirfd);
		free(f->tmp);
		free(f->base);
		free(f);
		return rc;
	}
	f->fd = rc;
	*out = f;
	return 0;
}

int lnx_file_write(struct platform_file *f, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		ssize_t n = write(f->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void file_free(struct platform_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	if (f->dirfd >= 0)
		close(f->dirfd);
	free(f->tmp);
	free(f->base);
	free(f);
}

int lnx_file_commit(struct platform_file *f)
{
	if (!f)
		return 0;
	int rc = 0;
	struct stat st;
	/* fsync makes a full disk show here; devices and pipes cannot sync (EINVAL) */
	if (fstat(f->fd, &st) == 0 && S_ISREG(st.st_mode) && fsync(f->fd))
		rc = -errno;
	if (close(f->fd) && !rc && errno != EINTR)
		rc = -errno;
	f->fd = -1;
	if (f->tmp) {
		if (!rc && renameat(f->dirfd, f->tmp, f->dirfd, f->base))
			rc = -errno;
		if (rc)
			unlinkat(f->dirfd, f->tmp, 0);
	}
	file_free(f);
	return rc;
}

void lnx_file_abort(struct platform_file *f)
{
	if (!f)
		return;
	if (f->tmp)
		unlinkat(f->dirfd, f->tmp, 0);
	file_free(f);
}
