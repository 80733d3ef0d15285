/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exeproof.c — whether a process's exe link proves what it runs: a mapping of that file, and our
 * user namespace. */
#include "exeproof.h"
#include "backend.h"
#include "ext.h"
#include "procparse.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
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
	const char *path; /* into the line, "" when anonymous */
};

/* The hex digits at *p (at least one, at most 16), then *p past them; false when none. */
static bool take_hex(const char **p, const char *end, unsigned long long *out)
{
	unsigned long long v = 0;
	const char *s = *p;
	for (; s < end && s - *p < 16; s++) {
		unsigned d = *s >= '0' && *s <= '9'   ? (unsigned)(*s - '0')
			     : *s >= 'a' && *s <= 'f' ? (unsigned)(*s - 'a' + 10)
						      : 16u;
		if (d == 16)
			break;
		v = v << 4 | d;
	}
	if (s == *p)
		return false;
	*out = v;
	*p = s;
	return true;
}

/* The field after the spaces at *p, up to the next space (or end), *p past it; false when empty. */
static const char *take_field(const char **p, const char *end, size_t *len)
{
	const char *s = *p;
	while (s < end && *s == ' ')
		s++;
	const char *f = s;
	while (s < end && *s != ' ')
		s++;
	*len = (size_t)(s - f);
	*p = s;
	return *len ? f : NULL;
}

/* Parse the line [l, end), which the caller's buffer ends with a byte it may overwrite: the path
 * is cut there. */
static bool line_parse(char *l, char *end, struct map_line *m)
{
	const char *p = l;
	size_t n;
	const char *perms;
	unsigned long long maj, min, ino = 0;
	if (!take_field(&p, end, &n) || !(perms = take_field(&p, end, &n)) || n < 3 ||
	    !take_field(&p, end, &n)) /* the range, perms, the offset */
		return false;
	while (p < end && *p == ' ')
		p++;
	if (!take_hex(&p, end, &maj) || p >= end || *p++ != ':' || !take_hex(&p, end, &min) ||
	    p >= end || *p++ != ' ')
		return false;
	const char *d = p;
	for (; p < end && *p >= '0' && *p <= '9' && p - d < 20; p++)
		ino = ino * 10 + (unsigned long long)(*p - '0');
	if (p == d || (p < end && *p != ' ') || maj > 0xffffffffu || min > 0xffffffffu)
		return false;
	while (p < end && *p == ' ')
		p++;
	*end = '\0';
	m->exec = perms[2] == 'x';
	m->maj = (unsigned)maj;
	m->min = (unsigned)min;
	m->ino = ino;
	m->path = p;
	return true;
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
	p->nxlibs++; /* its directory is judged once per directory: exeproof_lib_dirs */
	return 0;
}

/* exeproof_maps_has's answer from the maps file's text, fd open on it (read from its start). */
static int maps_text(int fd, unsigned maj, unsigned min, ino_t ino, bool *empty,
		     struct ps_proc *libs)
{
	char buf[8192];
	size_t have = 0, total = 0;
	int rc = -EFBIG;
	bool found = false;
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
			if (line_parse(l, nl, &m)) {
				bool self = m.maj == maj && m.min == min && m.ino == ino;
				found |= self;
				if (found && !libs)
					return 1;
				int e = libs && m.exec && !self ? xlib_add(libs, &m) : 0;
				if (e)
					return e;
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
	return rc;
}

/*
 * The kernel's query of one mapping (PROCMAP_QUERY, Linux 6.11, linux/fs.h; spelled here for
 * older headers): the first mapping at or after an address, of the kinds asked.
 */
struct procmap_query {
	uint64_t size, query_flags, query_addr, vma_start, vma_end, vma_flags, vma_page_size,
	    vma_offset, inode;
	uint32_t dev_major, dev_minor, vma_name_size, build_id_size;
	uint64_t vma_name_addr, build_id_addr;
};
#define PROCMAP_QUERY _IOWR('f', 17, struct procmap_query)
#define PROCMAP_QUERY_VMA_EXECUTABLE 0x04
#define PROCMAP_QUERY_COVERING_OR_NEXT_VMA 0x10
#define PROCMAP_QUERY_FILE_BACKED_VMA 0x20

/* Mappings asked of one process before giving up (as MAPS_LIMIT for the text). */
#define QUERY_LIMIT (1u << 18)

/* Whether the kernel answers PROCMAP_QUERY (0: not yet known, 1 yes, -1 no). */
static _Atomic int query_works;

/*
 * The mapping at or after *addr of the kinds `flags` asks, its path into name (cap bytes) when
 * name: 1 found (*addr past it), 0 none left, -errno.
 */
static int query_next(int fd, uint64_t flags, uint64_t *addr, struct procmap_query *q, char *name,
		      size_t cap)
{
	*q = (struct procmap_query){.size = sizeof *q,
				    .query_flags = flags | PROCMAP_QUERY_COVERING_OR_NEXT_VMA,
				    .query_addr = *addr,
				    .vma_name_size = name ? (uint32_t)cap : 0,
				    .vma_name_addr = (uint64_t)(uintptr_t)name};
	if (ioctl(fd, PROCMAP_QUERY, q) < 0)
		return errno == ENOENT ? 0 : -errno;
	*addr = q->vma_end;
	return 1;
}

/*
 * The path of a mapping as the maps text shows it: its newlines as \012 (seq_file_path). 0, or
 * -ENAMETOOLONG when it does not fit.
 */
static int mangle_newlines(char *name, size_t cap)
{
	size_t n = strlen(name), extra = 0;
	for (size_t i = 0; i < n; i++)
		extra += name[i] == '\n' ? 3 : 0;
	if (!extra)
		return 0;
	if (n + extra + 1 > cap)
		return -ENAMETOOLONG;
	for (size_t i = n + 1, j = n + extra + 1; i-- > 0;) {
		if (name[i] == '\n') {
			memcpy(&name[j -= 4], "\\012", 4);
		} else {
			name[--j] = name[i];
		}
	}
	return 0;
}

/*
 * exeproof_maps_has's answer from the kernel's queries instead of the text (-ENOTTY, -EINVAL: a
 * kernel without them; -ENAMETOOLONG: a path too long for our buffer; the text is read then): the
 * executable file mappings first (the program's text and its libraries, usually the program
 * among them), every mapping (the text) only when the program was not.
 */
static int maps_query(int fd, unsigned maj, unsigned min, ino_t ino, bool *empty,
		      struct ps_proc *libs)
{
	char name[PATH_MAX + 64];
	struct procmap_query q;
	uint64_t addr = 0;
	bool found = false;
	int r;
	unsigned n = 0;
	while (n++ < QUERY_LIMIT &&
	       (r = query_next(fd, PROCMAP_QUERY_FILE_BACKED_VMA | PROCMAP_QUERY_VMA_EXECUTABLE,
			       &addr, &q, libs ? name : NULL, sizeof name)) == 1) {
		*empty = false;
		bool self = q.dev_major == maj && q.dev_minor == min && q.inode == (uint64_t)ino;
		found |= self;
		if (found && !libs)
			return 1;
		if (self || !libs)
			continue;
		struct map_line m = {.exec = true,
				     .maj = q.dev_major,
				     .min = q.dev_minor,
				     .ino = q.inode,
				     .path = name};
		if ((r = mangle_newlines(name, sizeof name)) || (r = xlib_add(libs, &m)))
			return r;
	}
	/* ESRCH: no memory (it exited); before any mapping, an empty map as the text says */
	if (r < 0 || found)
		return r < 0 ? (r == -ESRCH && *empty ? 0 : r) : 1;
	/* not among them (a decoy's read-only mapping, an upgraded program's): every mapping, from
	 * the text, one read per 8 KB where a query per mapping is a system call each */
	return maps_text(fd, maj, min, ino, empty, NULL);
}

int exeproof_maps_has(int procfd, const char *dir, dev_t dev, ino_t ino, bool text, bool *empty,
		      struct ps_proc *libs)
{
	char rel[96];
	snprintf(rel, sizeof rel, "%s/maps", dir);
	int fd = openat(procfd, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	unsigned maj = major(dev), min = minor(dev);
	*empty = true;
	int rc = -ENOTTY;
	if (!text && query_works >= 0) {
		rc = maps_query(fd, maj, min, ino, empty, libs);
		if (rc == -ENOTTY || rc == -EINVAL)
			query_works = -1;
		else
			query_works = 1;
	}
	if (rc == -ENOTTY || rc == -EINVAL || rc == -ENAMETOOLONG) {
		*empty = true;
		rc = maps_text(fd, maj, min, ino, empty, libs);
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

/* Directories already judged: an open-addressing table of their paths (FNV-1a). */
struct dir_table {
	struct dir_slot {
		char *dir; /* NULL: free */
		uint64_t hash;
		bool ww;
	} * v;
	size_t cap, n; /* cap: a power of two */
};

static uint64_t dir_hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	return h;
}

static struct dir_slot *dir_slot(struct dir_table *t, const char *d, size_t n, uint64_t h)
{
	size_t i = (size_t)h & (t->cap - 1);
	while (t->v[i].dir &&
	       !(t->v[i].hash == h && strlen(t->v[i].dir) == n && memcmp(t->v[i].dir, d, n) == 0))
		i = (i + 1) & (t->cap - 1);
	return &t->v[i];
}

static int dir_grow(struct dir_table *t)
{
	struct dir_table g = {.cap = t->cap ? t->cap * 2 : 64, .n = t->n};
	if (!(g.v = calloc(g.cap, sizeof *g.v)))
		return -ENOMEM;
	for (size_t i = 0; i < t->cap; i++)
		if (t->v[i].dir)
			*dir_slot(&g, t->v[i].dir, strlen(t->v[i].dir), t->v[i].hash) = t->v[i];
	free(t->v);
	*t = g;
	return 0;
}

/*
 * Whether the directory of path (our view, the directory `root`) is writable by every user, from
 * t or asked once (lnx_dir_world_writable).
 */
static int dir_ww(struct dir_table *t, int root, const char *path, bool *ww)
{
	const char *s = strrchr(path, '/');
	*ww = false;
	if (!s || (size_t)(s - path) >= 4096)
		return 0;
	size_t n = (size_t)(s - path);
	uint64_t h = dir_hash(path, n);
	if (2 * (t->n + 1) > t->cap && dir_grow(t))
		return -ENOMEM;
	struct dir_slot *e = dir_slot(t, path, n, h);
	if (!e->dir) {
		if (!(e->dir = strndup(path, n)))
			return -ENOMEM;
		e->hash = h;
		t->n++;
		if (lnx_dir_world_writable(root, path, &e->ww))
			return -ENOMEM;
	}
	*ww = e->ww;
	return 0;
}

static uint64_t xlibs_hash(const struct ps_proc *p)
{
	uint64_t h = 1469598103934665603ull ^ p->nxlibs;
	for (size_t i = 0; i < p->nxlibs; i++) {
		for (const char *c = p->xlibs[i].path; *c; c++)
			h = (h ^ (unsigned char)*c) * 1099511628211ull;
		h = (h ^ (p->xlibs[i].dir_world_writable + 2u)) * 1099511628211ull;
	}
	return h ^ (h >> 31);
}

static bool same_xlibs(const struct ps_proc *a, const struct ps_proc *b)
{
	if (a->nxlibs != b->nxlibs)
		return false;
	for (size_t i = 0; i < a->nxlibs; i++)
		if (a->xlibs[i].dir_world_writable != b->xlibs[i].dir_world_writable ||
		    a->xlibs[i].pkg != b->xlibs[i].pkg ||
		    strcmp(a->xlibs[i].path, b->xlibs[i].path))
			return false;
	return true;
}

/* p's list moved into one block the snapshot keeps (the array, then its paths). 0 or
 * -ENOMEM (p keeps its own). */
static int xlibs_pack(struct ps_snapshot *snap, struct ps_proc *p)
{
	size_t size = p->nxlibs * sizeof *p->xlibs;
	for (size_t i = 0; i < p->nxlibs; i++)
		size += strlen(p->xlibs[i].path) + 1;
	struct ps_xlib *b = malloc(size);
	if (!b || snap_keep_block(snap, b))
		return -ENOMEM; /* snap_keep_block freed b */
	char *at = (char *)(b + p->nxlibs);
	for (size_t i = 0; i < p->nxlibs; i++) {
		size_t n = strlen(p->xlibs[i].path) + 1;
		b[i] = p->xlibs[i];
		b[i].path = memcpy(at, p->xlibs[i].path, n);
		at += n;
		free(p->xlibs[i].path);
	}
	free(p->xlibs);
	p->xlibs = b;
	p->xlibs_shared = true;
	return 0;
}

/* Processes that map the same libraries (thousands of workers of one program) share one list:
 * each list kept once, in one block. 0 or -ENOMEM. */
static int xlibs_share(struct ps_snapshot *snap)
{
	size_t size = 16;
	while (size < snap->nprocs * 2)
		size *= 2;
	uint32_t *idx = calloc(size, sizeof *idx);
	if (!idx)
		return -ENOMEM;
	int rc = 0;
	for (size_t i = 0; i < snap->nprocs && !rc; i++) {
		struct ps_proc *p = &snap->procs[i];
		if (!p->nxlibs || p->xlibs_shared)
			continue;
		size_t at = (size_t)xlibs_hash(p) & (size - 1);
		while (idx[at] && !same_xlibs(&snap->procs[idx[at] - 1], p))
			at = (at + 1) & (size - 1);
		if (!idx[at]) {
			if (!(rc = xlibs_pack(snap, p)))
				idx[at] = (uint32_t)i + 1;
			continue;
		}
		for (size_t j = 0; j < p->nxlibs; j++)
			free(p->xlibs[j].path);
		free(p->xlibs);
		p->xlibs = snap->procs[idx[at] - 1].xlibs;
		p->xlibs_shared = true;
	}
	free(idx);
	return rc;
}

int exeproof_lib_dirs(struct ps_snapshot *snap)
{
	struct dir_table t = {0};
	int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int rc = root < 0 ? -errno : 0;
	for (size_t i = 0; i < snap->nprocs && !rc; i++)
		for (size_t j = 0; j < snap->procs[i].nxlibs && !rc; j++) {
			struct ps_xlib *x = &snap->procs[i].xlibs[j];
			rc = dir_ww(&t, root, x->path, &x->dir_world_writable);
		}
	if (root >= 0)
		close(root);
	for (size_t i = 0; i < t.cap; i++)
		free(t.v[i].dir);
	free(t.v);
	return rc ? rc : xlibs_share(snap);
}

/*
 * Whether the program of the process under procfd/dir is loaded: 1 yes, 0 an exec is under way
 * (its new memory holds no mapping of the program until the kernel has loaded it, and says so by
 * a code start and end of 0, which no user can set), -errno.
 */
static int code_loaded(int procfd, const char *dir)
{
	char rel[96], buf[4096];
	snprintf(rel, sizeof rel, "%s/stat", dir);
	int fd = openat(procfd, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t n = read(fd, buf, sizeof buf);
	int e = errno;
	close(fd);
	uint64_t start, end;
	if (n < 0)
		return -e;
	if (proc_parse_stat_code(buf, (size_t)n, &start, &end))
		return -EBADMSG;
	return start || end;
}

/* exeproof_maps_has of c's file, or its link in map_files (another device named in maps). */
static int mapped(int procfd, const char *dir, const struct ps_exe_check *c, bool *empty,
		  struct ps_proc *libs)
{
	int m = exeproof_maps_has(procfd, dir, (dev_t)c->dev, (ino_t)c->ino, false, empty, libs);
	if (m == 0 && !*empty && map_files_has(procfd, dir, (dev_t)c->dev, (ino_t)c->ino) == 1)
		m = 1;
	return m;
}

void exeproof_check(int procfd, const char *dir, struct ps_proc *p, uint64_t own_userns)
{
	struct ps_exe_check *c = &p->exe_check;
	bool empty = true;
	const char *why = "whether the program running is the file its link names (its memory "
			  "maps could not be read)";
	/* its libraries only where its paths are ours: a container's are its own */
	int m = mapped(procfd, dir, c, &empty, c->foreign ? NULL : p);
	/* none is the file: unless an exec was loading it then, asked after: read again once it is
	 * loaded (its mappings now of the loaded program) */
	if (m == 0 && !empty) {
		int loaded = code_loaded(procfd, dir);
		if (loaded == 1) {
			m = mapped(procfd, dir, c, &empty, NULL);
		} else {
			m = -EAGAIN;
			why =
			    "whether the program running is the file its link names (it was still "
			    "loading it)";
		}
	}
	c->proof = m == 1	      ? PS_PROOF_MAPPED
		   : m == 0 && !empty ? PS_PROOF_UNMAPPED
				      : PS_PROOF_UNKNOWN; /* unreadable, cut, or no memory at all */
	if (c->proof == PS_PROOF_UNKNOWN && !c->unknown)
		c->unknown = why;
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
