/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exeproof.c — whether a process's exe link proves what it runs: a mapping of that file, and our
 * user namespace. */
#include "exeproof.h"
#include "ext.h"

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

/* Libraries kept per process: more are not looked at (a program maps a few dozen). */
#define XLIBS_MAX 128

/* One maps line ("start-end perms offset MAJ:MIN inode path"), its fields; false if malformed. */
struct map_line {
	bool exec;
	unsigned maj, min;
	unsigned long long ino;
	const char *path; /* into the caller's copy, "" when anonymous */
};

static bool line_parse(const char *l, const char *end, char *tmp, size_t cap, struct map_line *m)
{
	size_t n = (size_t)(end - l) < cap - 1 ? (size_t)(end - l) : cap - 1;
	memcpy(tmp, l, n);
	tmp[n] = '\0';
	char perms[8];
	int off = 0;
	if (sscanf(tmp, "%*s %7s %*s %x:%x %llu%n", perms, &m->maj, &m->min, &m->ino, &off) != 4)
		return false;
	m->exec = perms[2] == 'x';
	m->path = tmp + off;
	while (*m->path == ' ')
		m->path++;
	return true;
}

/* Whether dir of path is writable by every user (our view). */
static bool parent_world_writable(const char *path)
{
	const char *s = strrchr(path, '/');
	if (!s || s == path)
		return false;
	char d[4096];
	size_t n = (size_t)(s - path) < sizeof d - 1 ? (size_t)(s - path) : sizeof d - 1;
	memcpy(d, path, n);
	d[n] = '\0';
	struct stat st;
	return stat(d, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & S_IWOTH);
}

/* Keep m, an executable file mapping that is not the program itself, in p's list (once). */
static int xlib_add(struct ps_proc *p, const struct map_line *m)
{
	static const char mark[] = " (deleted)";
	if (m->path[0] != '/' || p->nxlibs >= XLIBS_MAX)
		return 0; /* [vdso], anonymous, or enough */
	/* a library replaced by an upgrade is judged by its path (its package's, then) */
	size_t n = strlen(m->path), ml = sizeof mark - 1;
	if (n > ml && strcmp(m->path + n - ml, mark) == 0)
		n -= ml;
	/* the program itself, shown on another device (a stacked file system) */
	if (p->exe_path && strlen(p->exe_path) == n && strncmp(p->exe_path, m->path, n) == 0)
		return 0;
	for (size_t i = 0; i < p->nxlibs; i++)
		if (strlen(p->xlibs[i].path) == n && strncmp(p->xlibs[i].path, m->path, n) == 0)
			return 0;
	struct ps_xlib *v = realloc(p->xlibs, (p->nxlibs + 1) * sizeof *v);
	if (!v)
		return -ENOMEM;
	p->xlibs = v;
	struct ps_xlib *x = &v[p->nxlibs];
	memset(x, 0, sizeof *x);
	if (!(x->path = strndup(m->path, n)))
		return -ENOMEM;
	x->dir_world_writable = parent_world_writable(x->path);
	p->nxlibs++;
	return 0;
}

/*
 * Whether /proc/PID/maps (under dir) holds a mapping of dev:ino: 1 yes, 0 no, -errno when it
 * could not be read to its end. With libs (a process seen in our view), read to the end and
 * keep its other executable file mappings there; else stop at the program's mapping.
 */
static int maps_has(int procfd, const char *dir, dev_t dev, ino_t ino, bool *empty,
		    struct ps_proc *libs)
{
	char rel[96], buf[8192], tmp[4200];
	snprintf(rel, sizeof rel, "%s/maps", dir);
	int fd = openat(procfd, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	unsigned maj = major(dev), min = minor(dev);
	size_t have = 0, total = 0;
	int rc = -EFBIG;
	bool found = false;
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
			struct map_line m;
			if (line_parse(l, nl, tmp, sizeof tmp, &m)) {
				bool self = m.maj == maj && m.min == min && m.ino == ino;
				found |= self;
				if (found && !libs) {
					close(fd);
					return 1;
				}
				int e = libs && m.exec && !self ? xlib_add(libs, &m) : 0;
				if (e) {
					close(fd);
					return e;
				}
			}
			l = nl + 1;
		}
		have -= (size_t)(l - buf);
		memmove(buf, l, have);
		if (r == 0) {
			rc = found ? 1 : 0;
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

void exeproof_check(int procfd, const char *dir, struct ps_proc *p, uint64_t own_userns)
{
	struct ps_exe_check *c = &p->exe_check;
	bool empty = true;
	/* its libraries only where its paths are ours: a container's are its own */
	int m = maps_has(procfd, dir, (dev_t)c->dev, (ino_t)c->ino, &empty, c->foreign ? NULL : p);
	if (m == 0 && !empty && map_files_has(procfd, dir, (dev_t)c->dev, (ino_t)c->ino) == 1)
		m = 1;
	c->proof = m == 1	      ? PS_PROOF_MAPPED
		   : m == 0 && !empty ? PS_PROOF_UNMAPPED
				      : PS_PROOF_UNKNOWN; /* unreadable, cut, or no memory at all */
	if (c->proof == PS_PROOF_UNKNOWN && !c->unknown)
		c->unknown = "whether the program running is the file its link names (its memory "
			     "maps could not be read)";
	/* a user namespace of its own: only a claim on one of our files (a container's own root is
	 * its business). The BPF pass read the leader's (the same inode a stat of ns/user gives),
	 * which is what dir names when it is the leader's own. */
	char rel[96];
	snprintf(rel, sizeof rel, "%s/ns/user", dir);
	bool same = true;
	if (c->foreign)
		c->userns = false;
	else if (own_userns && lnx_proc_userns(p) && !strchr(dir, '/'))
		c->userns = lnx_proc_userns(p) != own_userns;
	else
		c->userns = same_entry(procfd, rel, "self/ns/user", &same) == 0 && !same;
	if (exe_unproven(c))
		c->foreign =
		    true; /* the path is no proof: our package database says nothing of it */
}
