/* SPDX-License-Identifier: GPL-2.0-or-later */
/* exeid.c — what a process really runs: its executable by device and inode, the paths that name it,
 * its script. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../util/grow.h"
#include "../../util/readfile.h"
#include "../../util/str.h"
#include "../platform.h"
#include "backend.h"
#include "exeproof.h"
#include "ext.h"
#include "ppool.h"
#include "procdir.h"
#include "roots.h"

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/*
 * stat of `path` as a process whose root is `root` sees it: every component,
 * absolute symlinks too, resolved inside that root (openat2 RESOLVE_IN_ROOT; on
 * a kernel without it, a walk from `root` whose absolute links leave it). The
 * file is opened with O_PATH only: a FIFO or a device is never opened for I/O.
 * `follow`: follow a final symlink. 0 or -errno.
 */
int lnx_stat_in(int root, const char *path, bool follow, struct stat *st)
{
	while (*path == '/')
		path++;
	const char *rel = *path ? path : ".";
#ifdef SYS_openat2
	struct open_how how = {.flags = O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW),
			       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
	int fd = (int)syscall(SYS_openat2, root, rel, &how, sizeof how);
	if (fd >= 0) {
		int rc = fstat(fd, st) < 0 ? -errno : 0;
		close(fd);
		return rc;
	}
	if (errno != ENOSYS && errno != EPERM)
		return -errno;
#endif
	return fstatat(root, rel, st, follow ? 0 : AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

/* The directory part of path as a new string ("/" for "/x"); NULL when out of memory. */
static char *dir_of(const char *path)
{
	const char *s = strrchr(path, '/');
	if (!s)
		return str_dup(".");
	return str_dup_n(path, s == path ? 1 : (size_t)(s - path));
}

int lnx_dir_world_writable(int root, const char *path, bool *out)
{
	char *dir = dir_of(path);
	if (!dir)
		return -ENOMEM;
	struct stat d;
	*out = lnx_stat_in(root, dir, true, &d) == 0 && S_ISDIR(d.st_mode) && (d.st_mode & S_IWOTH);
	free(dir);
	return 0;
}

/* Whether the directory of path is one and the same in both views (so the path means the same
 * file). */
static int same_dir(int a, int b, const char *path, bool *out)
{
	char *dir = dir_of(path);
	if (!dir)
		return -ENOMEM;
	struct stat x, y;
	int ra = lnx_stat_in(a, dir, true, &x), rb = lnx_stat_in(b, dir, true, &y);
	*out = ra == 0 && rb == 0 && same_file(&x, &y);
	free(dir);
	return 0;
}

/* The views a process's paths can be read in: ours ("/") and its own root and mount namespace. */
struct views {
	int host, own; /* own is -1 when /proc/PID/root cannot be opened (then only ours is used) */
};

static int views_open(const char *dir, struct views *v)
{
	v->host = v->own = -1;
	if ((v->host = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -errno;
	char rel[96];
	snprintf(rel, sizeof rel, "%s/root", dir);
	char *own = roots_join(roots_get()->proc, rel);
	if (!own)
		return -ENOMEM;
	v->own = open(own, O_PATH | O_DIRECTORY | O_CLOEXEC);
	free(own);
	return 0;
}

static void views_close(struct views *v)
{
	if (v->host >= 0)
		close(v->host);
	if (v->own >= 0)
		close(v->own);
}

static const char *const system_dirs[] = {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
					  "/usr/bin",	     "/sbin",	       "/bin"};

/*
 * The files in the system directories named like the process. A symlink among
 * them that leads to the running file is the name the system starts it by
 * (/usr/bin/redis-server -> redis-check-rdb, /usr/sbin/mysqld -> mariadbd,
 * /usr/bin/editor -> /etc/alternatives/editor -> ...): p->exe_alias. The first
 * regular file that is another program is whose name the process uses
 * (/usr/sbin/sshd for a /tmp/x/sshd): p->name_holder, unless it is the file now
 * at the executable's own path (an upgrade's) or the view is not ours. The name
 * is the comm, or argv[0]'s file name when the comm is cut to 15 bytes.
 * `now`: the file at the executable's path, NULL when none. 0 or -ENOMEM.
 */
static int find_names(struct ps_proc *p, int view, const struct stat *run, const struct stat *now)
{
	const char *name = p->name;
	char *argname = NULL;
	if (!name || !*name || strchr(name, '/') || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0)
		return 0;
	if (strlen(name) == 15 && p->cmdline && p->cmdline_len) {
		const char *a0 = p->cmdline, *e = memchr(a0, '\0', p->cmdline_len);
		size_t n = e ? (size_t)(e - a0) : p->cmdline_len;
		const char *sp = memchr(a0, ' ', n); /* a retitled argv[0]: "/usr/bin/x arg" */
		n = sp ? (size_t)(sp - a0) : n;
		const char *b = a0 + n;
		while (b > a0 && b[-1] != '/')
			b--;
		size_t bl = (size_t)(a0 + n - b);
		if (bl > 15 && bl < 256 && strncmp(b, name, 15) == 0) {
			if (!(argname = str_dup_n(b, bl)))
				return -ENOMEM;
			name = argname;
		}
	}
	int rc = 0;
	for (size_t i = 0;
	     i < sizeof system_dirs / sizeof system_dirs[0] && !rc && !proc_more(p)->exe_alias;
	     i++) {
		size_t n = strlen(system_dirs[i]) + 1 + strlen(name) + 1;
		char *path = malloc(n);
		if (!path) {
			rc = -ENOMEM;
			break;
		}
		snprintf(path, n, "%s/%s", system_dirs[i], name);
		struct stat l, t;
		if (lnx_stat_in(view, path, false, &l) != 0 ||
		    lnx_stat_in(view, path, true, &t) != 0) {
			free(path);
			continue;
		}
		bool alias = S_ISLNK(l.st_mode) && same_file(&t, run);
		bool holder = !alias && !proc_more(p)->name_holder && !p->exe_check.foreign &&
			      S_ISREG(t.st_mode) && !same_file(&t, run) &&
			      !(now && same_file(&t, now));
		struct ps_proc_more *m = alias || holder ? proc_more_get(p) : NULL;
		if ((alias || holder) && !m) {
			free(path);
			rc = -ENOMEM;
		} else if (alias) {
			char *target = NULL;
			/* the link's own text: does it go through /etc/alternatives? */
			if (read_link_at(view, path + 1, &target) == -ENOMEM)
				rc = -ENOMEM;
			m->alias_alternatives =
			    target && strncmp(target, "/etc/alternatives/", 18) == 0;
			free(target);
			free(
			    m->name_holder); /* a link to it names it, whatever else has the name */
			m->name_holder = NULL;
			m->exe_alias = path;
		} else if (holder) {
			m->name_holder = path;
		} else {
			free(path);
		}
	}
	free(argname);
	return rc;
}

/*
 * A process whose path names its file only in its own view, while in ours it names another
 * (a system program's): one that shares our root directory but not our mounts (a program
 * mounted over /usr/sbin/sshd in a private mount namespace, unshare -Urm), or one with a root
 * of its own made in a user namespace of its own (a user's pivot_root; a rootless container
 * too, which the findings tell by its cgroup). A rootful container, with a root of its own in
 * our user namespace, is judged in its own view. Sets c->other_file (c->own_root) and the
 * host's file. 0 or -errno.
 */
static int other_file(const struct views *v, const char *dir, const char *path,
		      struct ps_exe_check *c)
{
	struct stat a, b, host;
	if (fstat(v->host, &a) < 0 || fstat(v->own, &b) < 0)
		return -errno;
	bool host_has = lnx_stat_in(v->host, path, true, &host) == 0;
	int procfd = open(roots_get()->proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return 0;
	char rel[96];
	struct stat x, y;
	snprintf(rel, sizeof rel, "%s/ns/user", dir);
	bool userns = fstatat(procfd, rel, &x, 0) == 0 &&
		      fstatat(procfd, "self/ns/user", &y, 0) == 0 && !same_file(&x, &y);
	close(procfd);
	if (!same_file(&a, &b)) {
		if (!userns || !host_has)
			return 0;
		c->own_root = true;
	} else if (!host_has && !userns) {
		return 0; /* a privileged process's own mounts: its business */
	}
	/* !host_has: the path exists only in a private mount namespace an unprivileged user made
	 * (host_ino 0): nothing on the host can vouch for it */
	c->other_file = true;
	c->host_dev = host_has ? (uint64_t)host.st_dev : 0;
	c->host_ino = host_has ? (uint64_t)host.st_ino : 0;
	return 0;
}

/*
 * Whether the file a process runs (`run`, reached through /proc/`rel` under procfd) is a memfd:
 * a file of no link on the kernel's internal shmem mount whose link text the kernel made
 * "/memfd:NAME (deleted)". A tmpfs file a user named "/memfd:x" in a root of its own still has
 * its link; one unlinked from a tmpfs has no such name in our root.
 */
static bool memfd_image(int procfd, const char *rel, const struct stat *run, const char *text)
{
	static const char pre[] = "/memfd:";
	if (strncmp(text, pre, sizeof pre - 1) != 0 || run->st_nlink != 0 || !S_ISREG(run->st_mode))
		return false;
	int fd = openat(procfd, rel, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct statfs fs;
	bool shm =
	    fstatfs(fd, &fs) == 0 && (fs.f_type == TMPFS_MAGIC || fs.f_type == HUGETLBFS_MAGIC);
	close(fd);
	return shm;
}

/* The facts of one process: what platform_exe_facts says, for p alone (read in /proc/`dir`). */
static int exe_facts_one(struct ps_proc *p, const char *dir)
{
	static const char mark[] = " (deleted)";
	struct ps_exe_check *c = &p->exe_check;
	memset(c, 0, sizeof *c);
	if (!p->exe)
		return -ENOENT;
	int procfd = open(roots_get()->proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return -errno;
	char rel[96];
	snprintf(rel, sizeof rel, "%s/exe", dir);
	struct stat run, st, now_st, *now = NULL;
	/* through the link itself: the file the kernel runs, whatever the link's text says */
	int rc = fstatat(procfd, rel, &run, 0) < 0 ? -errno : 0;
	if (!rc)
		c->memfd = memfd_image(procfd, rel, &run, p->exe);
	close(procfd);
	if (rc)
		return rc;
	c->dev = (uint64_t)run.st_dev;
	c->ino = (uint64_t)run.st_ino;
	struct views v;
	if ((rc = views_open(dir, &v))) {
		views_close(&v);
		return rc;
	}
	const char *text = p->exe;
	size_t n = strlen(text), ml = sizeof mark - 1;
	int view = -1;
	if (lnx_stat_in(v.host, text, true, &st) == 0 && same_file(&st, &run)) {
		view = v.host; /* where its link says, in our view (may end in " (deleted)") */
	} else if (v.own >= 0 && lnx_stat_in(v.own, text, true, &st) == 0 && same_file(&st, &run)) {
		view = v.own; /* only in its own root or mount namespace (a container) */
		c->foreign = true;
		if ((rc = other_file(&v, dir, text, c)))
			goto out;
	}
	if (view >= 0) {
		p->exe_path = str_dup(text);
	} else if (n > ml && strcmp(text + n - ml, mark) == 0) {
		/* the kernel's mark, and no file of the marked name is the running one: unlinked */
		p->exe_path = str_dup_n(text, n - ml);
		bool same = v.own < 0;
		if (p->exe_path && !same && (rc = same_dir(v.host, v.own, p->exe_path, &same)))
			goto out;
		view = same ? v.host : v.own;
		c->foreign = !same;
		c->deleted = true;
		if (p->exe_path && lnx_stat_in(view, p->exe_path, true, &st) == 0) {
			now = &now_st;
			now_st = st;
			if (same_file(&st, &run)) {
				c->deleted = false; /* linked again under its old name */
			} else {
				c->replaced = true;
				c->replacement_sound = S_ISREG(st.st_mode) && st.st_uid == 0 &&
						       !(st.st_mode & (S_IWGRP | S_IWOTH));
			}
		}
	} else {
		/* not marked deleted, yet its path names another file: a mount made over it since
		 * it started, or a view we cannot see into. Not a replacement; the path proves
		 * nothing. */
		p->exe_path = str_dup(text);
		view = v.own >= 0 ? v.own : v.host;
		c->foreign = true;
	}
	if (!p->exe_path) {
		rc = -ENOMEM;
		goto out;
	}
	if ((rc = lnx_dir_world_writable(view, p->exe_path, &c->dir_world_writable)))
		goto out;
	rc = find_names(p, view, &run, now);
out:
	views_close(&v);
	return rc;
}

int lnx_script_facts(struct ps_proc *p, const char *arg, size_t len)
{
	if (!len || memchr(arg, '\0', len))
		return 0;
	char *path = NULL;
	if (arg[0] == '/') {
		path = str_dup_n(arg, len);
	} else {
		/* relative to its working directory (as the process names it) */
		int procfd = open(roots_get()->proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (procfd < 0)
			return 0;
		char rel[32], *cwd = NULL;
		snprintf(rel, sizeof rel, "%d/cwd", p->pid);
		int rc = read_link_at(procfd, rel, &cwd);
		close(procfd);
		if (rc)
			return rc == -ENOMEM ? rc : 0;
		size_t n = strlen(cwd) + 1 + len + 1;
		if ((path = malloc(n)))
			snprintf(path, n, "%s%s%.*s", cwd, strcmp(cwd, "/") ? "/" : "", (int)len,
				 arg);
		free(cwd);
	}
	if (!path)
		return -ENOMEM;
	struct views v;
	char dir[64];
	int procfd = open(roots_get()->proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	snprintf(dir, sizeof dir, "%d", p->pid);
	if (procfd >= 0) {
		procdir_of(procfd, p->pid, dir, sizeof dir);
		close(procfd);
	}
	int rc = views_open(dir, &v);
	struct stat own, host;
	/* the process's own view first: what it opens when it reads its script */
	bool in_own = !rc && v.own >= 0 && lnx_stat_in(v.own, path, true, &own) == 0;
	bool in_host = !rc && lnx_stat_in(v.host, path, true, &host) == 0;
	const struct stat *st = in_own ? &own : in_host ? &host : NULL;
	struct ps_proc_more *m = !rc && st && S_ISREG(st->st_mode) ? proc_more_get(p) : NULL;
	if (!rc && st && S_ISREG(st->st_mode) && !m)
		rc = -ENOMEM;
	if (m) {
		struct ps_script *s = &m->script;
		s->foreign = in_own && (!in_host || !same_file(&own, &host));
		/* the same file in our view: judged, and shown, where it really is (every link
		 * followed, no "//" or ".."), not as its path is spelled (~/x.py, a link to /tmp)
		 */
		char *real = !s->foreign && in_host ? lnx_real_path(path) : NULL;
		if (real) {
			free(path);
			path = real;
		}
		rc = lnx_dir_world_writable(in_own ? v.own : v.host, path, &s->dir_world_writable);
		if (!rc) {
			s->path = path;
			path = NULL;
		}
	}
	views_close(&v);
	free(path);
	return rc == -ENOMEM ? rc : 0;
}

/*
 * What the facts of a process depend on: the file it runs, the view its paths resolve
 * in (its mount namespace and root directory; -1 when that view cannot be opened), the
 * text of its exe link and the name find_names looks up. Two processes with equal keys
 * get equal facts, so a host's many workers of one program are checked once.
 */
struct exe_key {
	uint64_t view; /* the BPF pass's key of the file and root (then run_* and root_* are 0) */
	uint64_t run_dev, run_ino, mnt, root_dev, root_ino;
	bool own;
	const char *exe, *name, *arg0; /* arg0: argv[0], only when the name is cut to 15 bytes */
	size_t arg0_len;
	size_t proc;  /* the process checked with this key */
	bool foreign; /* its exe_check.foreign before exeproof_check, which is per process */
};

/* The rest of the key, from p's name and command line. */
static void key_names(const struct ps_proc *p, struct exe_key *k)
{
	k->exe = p->exe;
	k->name = p->name ? p->name : "";
	k->arg0 = NULL;
	k->arg0_len = 0;
	if (strlen(k->name) == 15 && p->cmdline) {
		const char *e = memchr(p->cmdline, '\0', p->cmdline_len);
		k->arg0 = p->cmdline;
		k->arg0_len = e ? (size_t)(e - p->cmdline) : p->cmdline_len;
	}
}

/*
 * p's key, read in /proc/`dir`; or, for a leader the BPF pass saw (`dir` its own), from the
 * pass: the inode its exe link named and its root directory, exact kernel identities (the
 * same file is the same inode; a root is its mount and directory), with its mount namespace.
 * Equal keys of the pass's are equal keys of stat's, or finer. The facts themselves are read
 * for the first process of each key (exe_facts_one), and every process's proof reads its own
 * mappings.
 */
static bool key_of(int procfd, const char *dir, const struct ps_proc *p, struct exe_key *k)
{
	char rel[96];
	struct stat run, mnt, root;
	if (lnx_proc_view(p) && lnx_proc_mntns(p) && !strchr(dir, '/')) {
		*k = (struct exe_key){
		    .view = lnx_proc_view(p), .own = true, .mnt = lnx_proc_mntns(p)};
		key_names(p, k);
		return true;
	}
	snprintf(rel, sizeof rel, "%s/exe", dir);
	if (fstatat(procfd, rel, &run, 0) < 0)
		return false;
	snprintf(rel, sizeof rel, "%s/ns/mnt", dir);
	/* the leader's, as the BPF pass read it (the inode a stat of ns/mnt gives) */
	bool have_mnt = lnx_proc_mntns(p) && !strchr(dir, '/');
	if (have_mnt)
		mnt.st_ino = (ino_t)lnx_proc_mntns(p);
	else
		have_mnt = fstatat(procfd, rel, &mnt, 0) == 0;
	snprintf(rel, sizeof rel, "%s/root", dir);
	k->own = have_mnt && fstatat(procfd, rel, &root, 0) == 0;
	k->run_dev = (uint64_t)run.st_dev;
	k->run_ino = (uint64_t)run.st_ino;
	k->mnt = k->own ? (uint64_t)mnt.st_ino : 0;
	k->root_dev = k->own ? (uint64_t)root.st_dev : 0;
	k->root_ino = k->own ? (uint64_t)root.st_ino : 0;
	k->view = 0;
	key_names(p, k);
	return true;
}

static bool key_equal(const struct exe_key *a, const struct exe_key *b)
{
	return a->view == b->view && a->run_ino == b->run_ino && a->run_dev == b->run_dev &&
	       a->own == b->own && a->mnt == b->mnt && a->root_ino == b->root_ino &&
	       a->root_dev == b->root_dev && strcmp(a->exe, b->exe) == 0 &&
	       strcmp(a->name, b->name) == 0 && a->arg0_len == b->arg0_len &&
	       (!a->arg0_len || !memcmp(a->arg0, b->arg0, a->arg0_len));
}

/* p's facts are those of q, which was checked with the same key k. 0 or -ENOMEM. */
static int copy_facts(struct ps_proc *p, const struct ps_proc *q, const struct exe_key *k)
{
	p->exe_check = q->exe_check;
	p->exe_check.foreign = k->foreign; /* the proof is p's own (exeproof_check) */
	p->exe_check.proof = PS_PROOF_UNKNOWN;
	p->exe_check.userns = false;
	if (q->exe_path && !(p->exe_path = str_dup(q->exe_path)))
		return -ENOMEM;
	const struct ps_proc_more *qm = proc_more(q);
	if (!qm->exe_alias && !qm->name_holder && !qm->alias_alternatives)
		return 0;
	struct ps_proc_more *m = proc_more_get(p);
	if (!m)
		return -ENOMEM;
	m->alias_alternatives = qm->alias_alternatives;
	if ((qm->exe_alias && !(m->exe_alias = str_dup(qm->exe_alias))) ||
	    (qm->name_holder && !(m->name_holder = str_dup(qm->name_holder))))
		return -ENOMEM;
	return 0;
}

/* argv[0]'s path (taken) when it names in our view another file than the one p runs. 0 or
 * -ENOMEM. */
static int argv0_claim(struct ps_proc *p, char *path)
{
	struct stat st, now;
	/* after an upgrade, a link to the program's path leads to the new file: no claim either */
	bool upgraded = p->exe_check.deleted && p->exe_path && stat(p->exe_path, &now) == 0;
	if ((p->exe_path && strcmp(path, p->exe_path) == 0) || stat(path, &st) != 0 ||
	    ((uint64_t)st.st_dev == p->exe_check.dev && (uint64_t)st.st_ino == p->exe_check.ino) ||
	    (upgraded && same_file(&st, &now))) {
		free(path);
		return 0;
	}
	struct ps_proc_more *m = proc_more_get(p);
	if (!m) {
		free(path);
		return -ENOMEM;
	}
	m->argv0_other = path;
	return 0;
}

/*
 * argv[0] when it claims another program than the one p runs: p->argv0_other. An absolute path
 * (up to a retitled argument's first space) that names, in our view, another file; a bare name
 * that is a system daemon's in /usr/sbin or /sbin ("sshd"), as that path; a kernel thread's name
 * ("[kworker/1:2]"), as it is. Paths under /proc name our own files, not p's (Chromium's
 * /proc/self/exe), and the exe's own path after an upgrade (or a link to it: /usr/bin/python3
 * for a replaced python3.11) is the new file, not a claim. 0 or -ENOMEM.
 */
static int argv0_facts(struct ps_proc *p)
{
	if (!p->cmdline || !p->cmdline_len || p->exe_check.foreign)
		return 0;
	const char *e = memchr(p->cmdline, '\0', p->cmdline_len);
	size_t n = e ? (size_t)(e - p->cmdline) : p->cmdline_len;
	/* "[kworker/1:2]": a program calling itself a kernel thread (which has no program) */
	/* (one word, as the kernel names its threads: "[celeryd: w@h:Main]" is a program's title)
	 */
	if (n >= 3 && n < 64 && p->cmdline[0] == '[' && p->cmdline[n - 1] == ']' &&
	    !memchr(p->cmdline, ' ', n)) {
		struct ps_proc_more *m = proc_more_get(p);
		return m && (m->argv0_other = str_dup_n(p->cmdline, n)) ? 0 : -ENOMEM;
	}
	const char *sp = memchr(p->cmdline, ' ', n);
	n = sp ? (size_t)(sp - p->cmdline) : n;
	char *path;
	if (p->cmdline[0] != '/') {
		/* a bare name: a claim when a system daemon of that name exists ("sshd") */
		static const char *const sbin[] = {"/usr/sbin/", "/sbin/"};
		struct stat st;
		if (n == 0 || n >= 256 || memchr(p->cmdline, '/', n))
			return 0;
		for (size_t i = 0; i < sizeof sbin / sizeof sbin[0]; i++) {
			struct buf b = {0};
			if (buf_printf(&b, "%s%.*s", sbin[i], (int)n, p->cmdline))
				return -ENOMEM;
			if (stat(b.data, &st) == 0 && S_ISREG(st.st_mode))
				return argv0_claim(p, b.data);
			buf_free(&b);
		}
		return 0;
	}
	if (n >= 4096 || (n >= 6 && memcmp(p->cmdline, "/proc/", 6) == 0))
		return 0;
	if (!(path = str_dup_n(p->cmdline, n)))
		return -ENOMEM;
	return argv0_claim(p, path);
}

/*
 * The work of platform_exe_facts: where each wanted process's files are and its key, read over
 * the pool's threads; then, in order, the facts of the first process of each key (the others
 * copy them); then every checked process's own proof, over the threads again.
 */
struct facts_job {
	struct ps_snapshot *snap;
	const bool *wanted;
	int procfd;
	uint64_t own_userns; /* 0: unknown */
	char (*dir)[64];
	struct exe_key *key;
	uint8_t *state; /* FACTS_* per process */
};

enum { FACTS_SKIP = 0, FACTS_UNKEYED, FACTS_KEYED };

static int facts_key_item(void *ctx, size_t w, size_t i)
{
	(void)w;
	struct facts_job *j = ctx;
	struct ps_proc *p = &j->snap->procs[i];
	if (!j->wanted[i] || !p->exe || p->vanished)
		return 0;
	/* the leader's own directory when its exe can be read (procdir_of's first question) */
	snprintf(j->dir[i], sizeof j->dir[i], "%d", p->pid);
	bool keyed = key_of(j->procfd, j->dir[i], p, &j->key[i]);
	if (!keyed && errno == ENOENT) {
		procdir_of(j->procfd, p->pid, j->dir[i], sizeof j->dir[i]);
		keyed = strchr(j->dir[i], '/') && key_of(j->procfd, j->dir[i], p, &j->key[i]);
	}
	j->state[i] = keyed ? FACTS_KEYED : FACTS_UNKEYED;
	return 0;
}

/*
 * The facts of p, which started another program while they were read (its exe link and command
 * line, the file exe_facts_one stat'ed, the mappings the proof read): none is kept, as they may
 * be of two programs; its proof is unknown, and its path no proof of anything (foreign).
 */
static void image_forget(struct ps_proc *p)
{
	free(p->exe_path);
	p->exe_path = NULL;
	struct ps_proc_more *m = p->more;
	if (m) {
		free(m->exe_alias);
		free(m->name_holder);
		free(m->argv0_other);
		m->exe_alias = m->name_holder = m->argv0_other = NULL;
		m->alias_alternatives = false;
	}
	for (size_t i = 0; i < p->nxlibs; i++)
		free(p->xlibs[i].path);
	free(p->xlibs);
	p->xlibs = NULL;
	p->nxlibs = 0;
	p->exe_check = (struct ps_exe_check){
	    .proof = PS_PROOF_UNKNOWN,
	    .foreign = true,
	    .unknown = "whether the program running is the file its link names (it started another "
		       "program while it was read)"};
}

/*
 * Whether p ran one program through all its reads: the file describe saw while it read the exe
 * link and command line (lnx_proc_image), the one exe_facts_one stat'ed (c->dev:ino, or the
 * first process's of its key), and the one its exe link leads to now, after the proof.
 */
static bool image_held(int procfd, const char *dir, const struct ps_proc *p)
{
	const struct ps_exe_check *c = &p->exe_check;
	uint64_t dev, ino;
	int seen = lnx_proc_image(p, &dev, &ino);
	char rel[96];
	struct stat now;
	snprintf(rel, sizeof rel, "%s/exe", dir);
	return seen >= 0 && (seen == 0 || (dev == c->dev && ino == c->ino)) &&
	       fstatat(procfd, rel, &now, 0) == 0 && (uint64_t)now.st_dev == c->dev &&
	       (uint64_t)now.st_ino == c->ino;
}

static int facts_proof_item(void *ctx, size_t w, size_t i)
{
	(void)w;
	struct facts_job *j = ctx;
	struct ps_proc *p = &j->snap->procs[i];
	if (j->state[i] == FACTS_SKIP || !p->exe_checked)
		return 0;
	exeproof_check(j->procfd, j->dir[i], p, j->own_userns);
	int rc = argv0_facts(p);
	if (!rc && !image_held(j->procfd, j->dir[i], p))
		image_forget(p);
	return rc;
}

/* The facts of every keyed or unkeyed process, in order: checked once per key. 0 or -ENOMEM. */
static int facts_by_key(struct facts_job *j)
{
	struct ps_snapshot *snap = j->snap;
	size_t *first = NULL, nfirst = 0, cap = 0; /* the process checked for each key seen */
	int rc = 0;
	for (size_t i = 0; i < snap->nprocs && !rc; i++) {
		struct ps_proc *p = &snap->procs[i];
		if (j->state[i] == FACTS_SKIP)
			continue;
		bool keyed = j->state[i] == FACTS_KEYED;
		size_t k = 0;
		while (keyed && k < nfirst && !key_equal(&j->key[first[k]], &j->key[i]))
			k++;
		if (keyed && k < nfirst) {
			rc = copy_facts(p, &snap->procs[first[k]], &j->key[first[k]]);
			p->exe_checked = rc == 0;
			continue;
		}
		rc = exe_facts_one(p, j->dir[i]);
		p->exe_checked = rc == 0;
		if (rc != -ENOMEM)
			rc = 0;
		j->key[i].foreign = p->exe_check.foreign;
		if (!rc && p->exe_checked && keyed &&
		    !(rc = util_grow((void **)&first, &cap, nfirst + 1, sizeof *first)))
			first[nfirst++] = i;
	}
	free(first);
	return rc;
}

int lnx_exe_facts(struct ps_snapshot *snap, const bool *wanted)
{
	size_t n = snap->nprocs;
	struct facts_job j = {.snap = snap, .wanted = wanted, .procfd = -1};
	j.dir = calloc(n ? n : 1, sizeof *j.dir);
	j.key = calloc(n ? n : 1, sizeof *j.key);
	j.state = calloc(n ? n : 1, sizeof *j.state);
	int rc = j.dir && j.key && j.state ? 0 : -ENOMEM;
	if (!rc && (j.procfd = open(roots_get()->proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		rc = -errno;
	struct stat own;
	if (!rc && fstatat(j.procfd, "self/ns/user", &own, 0) == 0)
		j.own_userns = (uint64_t)own.st_ino;
	size_t threads = ppool_threads(n);
	if (!rc)
		rc = ppool_run(n, threads, facts_key_item, &j);
	if (!rc)
		rc = facts_by_key(&j);
	/* the proof is per process: equal keys do not make equal proofs */
	if (!rc)
		rc = ppool_run(n, threads, facts_proof_item, &j);
	if (!rc)
		rc = exeproof_lib_dirs(snap);
	if (j.procfd >= 0)
		close(j.procfd);
	free(j.dir);
	free(j.key);
	free(j.state);
	return rc;
}
