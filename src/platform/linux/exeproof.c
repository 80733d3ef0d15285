/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exeproof.c — whether a process's exe link proves what it runs: a mapping of that file, and our
 * user namespace. */
#include "exeproof.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* Bytes of /proc/PID/maps read before giving up (a huge address space says "unknown"). */
#define MAPS_LIMIT (32u << 20)

/* Whether one maps line ("start-end perms offset MAJ:MIN inode path") is the file dev:ino. */
static bool line_is(const char *l, const char *end, unsigned maj, unsigned min,
		    unsigned long long ino)
{
	char tmp[160];
	size_t n = (size_t)(end - l) < sizeof tmp - 1 ? (size_t)(end - l) : sizeof tmp - 1;
	memcpy(tmp, l, n);
	tmp[n] = '\0';
	unsigned a, b;
	unsigned long long i;
	if (sscanf(tmp, "%*s %*s %*s %x:%x %llu", &a, &b, &i) != 3)
		return false;
	return a == maj && b == min && i == ino;
}

/*
 * Whether /proc/PID/maps (under dir) holds a mapping of dev:ino: 1 yes, 0 no, -errno when it
 * could not be read to its end. Read in pieces: the executable is mapped near the start.
 */
static int maps_has(int procfd, const char *dir, dev_t dev, ino_t ino, bool *empty)
{
	char rel[96], buf[8192];
	snprintf(rel, sizeof rel, "%s/maps", dir);
	int fd = openat(procfd, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	unsigned maj = major(dev), min = minor(dev);
	size_t have = 0, total = 0;
	int rc = -EFBIG;
	*empty = true;
	while (total < MAPS_LIMIT) {
		ssize_t r = read(fd, buf + have, sizeof buf - have);
		if (r < 0) {
			rc = -errno;
			break;
		}
		total += (size_t)r;
		have += (size_t)r;
		char *l = buf, *nl;
		while ((nl = memchr(l, '\n', have - (size_t)(l - buf)))) {
			*empty = false;
			if (line_is(l, nl, maj, min, (unsigned long long)ino)) {
				close(fd);
				return 1;
			}
			l = nl + 1;
		}
		have -= (size_t)(l - buf);
		memmove(buf, l, have);
		if (r == 0) {
			rc = 0;
			break;
		}
		if (have == sizeof buf) /* a line longer than the buffer: only its path is cut */
			have = 0;
	}
	close(fd);
	return rc;
}

/*
 * Whether an entry of /proc/PID/map_files is dev:ino (the file itself, through the kernel's
 * link): 1 yes, 0 no, -errno when the directory cannot be read (it needs CAP_SYS_ADMIN). Asked
 * only when maps named another device for it (a stacked file system may show the file below).
 */
static int map_files_has(int procfd, const char *dir, dev_t dev, ino_t ino)
{
	char rel[96];
	snprintf(rel, sizeof rel, "%s/map_files", dir);
	int dfd = openat(procfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -ENOMEM;
	}
	int rc = 0;
	struct dirent *e;
	while (!rc && (e = readdir(d))) {
		struct stat st;
		if (e->d_name[0] != '.' && fstatat(dirfd(d), e->d_name, &st, 0) == 0 &&
		    st.st_dev == dev && st.st_ino == ino)
			rc = 1;
	}
	closedir(d);
	return rc;
}

/* Whether the two entries (relative to procfd) are the same namespace or file. */
static int same_entry(int procfd, const char *a, const char *b, bool *same)
{
	struct stat x, y;
	if (fstatat(procfd, a, &x, 0) < 0 || fstatat(procfd, b, &y, 0) < 0)
		return -errno;
	*same = x.st_dev == y.st_dev && x.st_ino == y.st_ino;
	return 0;
}

void exeproof_check(int procfd, const char *dir, struct ps_exe_check *c)
{
	bool empty = true;
	int m = maps_has(procfd, dir, (dev_t)c->dev, (ino_t)c->ino, &empty);
	if (m == 0 && !empty && map_files_has(procfd, dir, (dev_t)c->dev, (ino_t)c->ino) == 1)
		m = 1;
	c->proof = m == 1	      ? PS_PROOF_MAPPED
		   : m == 0 && !empty ? PS_PROOF_UNMAPPED
				      : PS_PROOF_UNKNOWN; /* unreadable, cut, or no memory at all */
	if (c->proof == PS_PROOF_UNKNOWN && !c->unknown)
		c->unknown = "whether the program running is the file its link names (its memory "
			     "maps could not be read)";
	/* a user namespace of its own: only a claim on one of our files (a container's own root is
	 * its business) */
	char rel[96];
	snprintf(rel, sizeof rel, "%s/ns/user", dir);
	bool same = true;
	c->userns = !c->foreign && same_entry(procfd, rel, "self/ns/user", &same) == 0 && !same;
	if (exe_unproven(c))
		c->foreign =
		    true; /* the path is no proof: our package database says nothing of it */
}
