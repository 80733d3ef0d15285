/* SPDX-License-Identifier: GPL-2.0-or-later */
/* describe.c — read the details of the processes that own shown sockets. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../util/buf.h"
#include "../../util/grow.h"
#include "../../util/readfile.h"
#include "../../util/str.h"
#include "../platform.h"
#include "attr_bpf.h"
#include "backend.h"
#include "ext.h"
#include "ppool.h"
#include "procdir.h"
#include "procparse.h"
#include "roots.h"

/* Command lines longer than this are cut (and marked); ARG_MAX can reach megabytes. */
#define CMDLINE_LIMIT (256 * 1024)
#define SMALL_LIMIT (64 * 1024)

static bool gone(int rc)
{
	return rc == -ENOENT || rc == -ESRCH;
}

/* Whether p's cgroup is read (CG_WANTED), was (CG_READ), or is another process's (CG_SHARED). */
enum { CG_WANTED, CG_READ, CG_SHARED };

/* p's cgroup, from its /proc/PID directory; *cg CG_READ when the file was read. 0 or -ENOMEM. */
static int read_cgroup(int dir, struct ps_proc *p, struct buf *b, uint8_t *cg)
{
	if (read_file_at(dir, "cgroup", b, SMALL_LIMIT, 0, NULL) != 0)
		return 0;
	*cg = CG_READ;
	size_t n;
	const char *c = proc_parse_cgroup(b->data, b->len, &n);
	return c && !(p->cgroup = str_dup_n(c, n)) ? -ENOMEM : 0;
}

/*
 * Whether p's pid still names the process the BPF pass saw, by its struct pid's pidfs inode
 * (what fstat of a pidfd says; a pid reused names a new struct pid, never the old one's inode):
 * 1 yes, 0 unknown (no inode recorded, an older kernel, gone, or a /proc of another PID
 * namespace than ours, which numbers pids otherwise: stat decides). Asked after the directory
 * was opened: if the pid names it now, it did then.
 */
static int pid_same(const struct ps_proc *p)
{
#ifdef SYS_pidfd_open
	if (!lnx_proc_pid_ino(p))
		return 0;
	int fd = (int)syscall(SYS_pidfd_open, p->pid, 0);
	if (fd < 0)
		return 0;
	struct stat st;
	bool same = fstat(fd, &st) == 0 && (uint64_t)st.st_ino == lnx_proc_pid_ino(p);
	close(fd);
	return same;
#else
	(void)p;
	return 0;
#endif
}

/*
 * p's stat, in its /proc/PID directory `dir`: its name and parent unless the BPF pass gave them,
 * and its start time, which must be the one attribution recorded. 0 read, 1 not (p->vanished or
 * *partial set), -ENOMEM.
 */
static int stat_at(int dir, struct ps_proc *p, int64_t btime, long hz, struct buf *b, bool *partial)
{
	int rc;
	if ((rc = read_file_at(dir, "stat", b, SMALL_LIMIT, 0, NULL))) {
		if (gone(rc))
			p->vanished = true;
		else
			*partial = true;
		return rc == -ENOMEM ? rc : 1;
	}
	uint64_t start;
	char *name = NULL;
	int ppid;
	rc = proc_parse_stat(b->data, b->len, &name, &ppid, &start);
	if (rc == -ENOMEM)
		return rc;
	if (rc == 0 && lnx_proc_scan_start(p) && start != lnx_proc_scan_start(p)) {
		free(name);
		free(p->name);
		p->name = NULL;
		p->ppid = -1;
		p->have_uid = false;
		p->vanished = true;
		return 1;
	}
	if (rc == 0 && !p->name) {
		p->name = name;
		p->ppid = ppid;
	} else {
		free(name);
	}
	if (rc == 0 && btime > 0 && hz > 0)
		p->start_time = btime + (int64_t)(start / (uint64_t)hz);
	return 0;
}

/*
 * p's name as the process has it now (the pass, or stat_at, read it before the window: an exec
 * since renamed it), read in `at`/`pre` unless a thread's (pre not ""). 0 or -ENOMEM.
 */
static int read_name(int at, const char *pre, struct ps_proc *p, struct buf *b)
{
	if (*pre || read_file_at(at, "comm", b, SMALL_LIMIT, 0, NULL) != 0 || !b->len ||
	    b->data[b->len - 1] != '\n')
		return 0;
	size_t n = b->len - 1;
	if (p->name && strlen(p->name) == n && memcmp(p->name, b->data, n) == 0)
		return 0;
	char *name = str_dup_n(b->data, n);
	if (!name)
		return -ENOMEM;
	free(p->name);
	p->name = name;
	return 0;
}

/*
 * p's name, exe link and command line, read in `at` (pre: "" or "PID/task/TID/" before the
 * names). 0 or -ENOMEM; *denied when the link was refused.
 */
static int read_identity(int at, const char *pre, struct ps_proc *p, struct buf *b, bool *denied)
{
	char rel[96];
	size_t argl;
	if (read_name(at, pre, p, b))
		return -ENOMEM;
	free(p->exe);
	free(p->cmdline);
	p->exe = p->cmdline = NULL;
	p->cmdline_len = 0;
	snprintf(rel, sizeof rel, "%sexe", pre);
	int rc = read_link_at(at, rel, &p->exe);
	if (rc == -ENOMEM)
		return rc;
	*denied = rc == -EACCES || rc == -EPERM;
	snprintf(rel, sizeof rel, "%scmdline", pre);
	/* without terminator and title padding */
	if (read_file_at_short(at, rel, b, CMDLINE_LIMIT, &p->cmdline_truncated) == 0 &&
	    (argl = cmdline_shown_len(b->data, b->len))) {
		if (!(p->cmdline = str_dup_n(b->data, argl)))
			return -ENOMEM;
		p->cmdline_len = argl;
	}
	return 0;
}

/*
 * An exec between two reads of a process gives the exe link of one program and the command line
 * of another. The window around them: the maps file opened first holds the memory the process
 * had then, which an exec releases (a read of it then gives nothing), and the file the exe link
 * leads to, stat'ed before and after, must be one.
 */
struct image_window {
	int maps;
	bool have;
	struct stat st;
};

static void window_open(int at, const char *pre, struct image_window *w)
{
	char rel[96];
	snprintf(rel, sizeof rel, "%smaps", pre);
	w->maps = openat(at, rel, O_RDONLY | O_CLOEXEC);
	snprintf(rel, sizeof rel, "%sexe", pre);
	w->have = fstatat(at, rel, &w->st, 0) == 0;
}

/*
 * Whether the process ran one program through the window: 1 yes (recorded in p: lnx_proc_image),
 * 0 it ran none we could stat (a kernel thread, a leader without memory, refused), -1 it started
 * another program, or exited (recorded as changed).
 */
static int window_close(int at, const char *pre, struct image_window *w, struct ps_proc *p)
{
	char rel[96], c;
	struct stat now;
	snprintf(rel, sizeof rel, "%sexe", pre);
	bool have = fstatat(at, rel, &now, 0) == 0;
	bool same = w->have && have && now.st_dev == w->st.st_dev && now.st_ino == w->st.st_ino &&
		    (w->maps < 0 || read(w->maps, &c, 1) == 1);
	if (w->maps >= 0)
		close(w->maps);
	if (!w->have && !have)
		return 0;
	lnx_proc_set_image(p, same ? (uint64_t)now.st_dev : 0,
			   same ? (uint64_t)now.st_ino : LNX_IMAGE_CHANGED);
	return same ? 1 : -1;
}

/*
 * read_identity in a window, again while an exec came between (twice more at the most). A
 * command line still read across an exec is dropped: it may be another program's than the link's
 * (whose facts then say unknown, lnx_exe_facts). 0 or -ENOMEM.
 */
static int identity_in_window(int at, const char *pre, struct ps_proc *p, struct buf *b,
			      bool *denied)
{
	for (int tries = 1;; tries++) {
		struct image_window w;
		window_open(at, pre, &w);
		int rc = read_identity(at, pre, p, b, denied);
		int held = window_close(at, pre, &w, p);
		if (rc || held >= 0)
			return rc;
		if (tries == 3) {
			free(p->cmdline);
			p->cmdline = NULL;
			p->cmdline_len = 0;
			p->cmdline_truncated = false;
			return 0;
		}
	}
}

/* The details of p, read in its /proc/PID directory `dir`; its cgroup as *cg says. */
static int describe_at(int dir, struct ps_proc *p, int64_t btime, long hz, struct buf *b,
		       bool *partial, uint8_t *cg)
{
	int rc, same = pid_same(p);
	if (same && btime > 0 && hz > 0) /* name, parent and start from the pass */
		p->start_time = btime + (int64_t)(lnx_proc_scan_start(p) / (uint64_t)hz);
	/* else the stat's start time proves this directory is the process attribution saw */
	if (!same && (rc = stat_at(dir, p, btime, hz, b, partial)))
		return rc < 0 ? rc : 0;

	if (!p->have_uid && read_file_at(dir, "status", b, SMALL_LIMIT, 0, NULL) == 0 &&
	    proc_parse_status_uid(b->data, b->len, &p->uid) == 0)
		p->have_uid = true;

	bool denied = false;
	if ((rc = identity_in_window(dir, "", p, b, &denied)))
		return rc;
	p->details_denied |= denied; /* partial when it holds a shown socket: snap_settle_partial */

	return *cg == CG_WANTED ? read_cgroup(dir, p, b, cg) : 0;
}

/*
 * p's cgroup alone (its name, exe link and command line are the pass's), read in its /proc/PID
 * directory, proven again to be the process described. 0 or -ENOMEM.
 */
static int cgroup_of(int procfd, struct ps_proc *p, int64_t btime, long hz, struct buf *b,
		     bool *partial, uint8_t *cg)
{
	char name[16];
	snprintf(name, sizeof name, "%d", p->pid);
	int dir = openat(procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return 0;
	int rc = pid_same(p) ? 0 : stat_at(dir, p, btime, hz, b, partial);
	if (rc == 0)
		rc = read_cgroup(dir, p, b, cg);
	close(dir);
	return rc < 0 ? rc : 0;
}

/*
 * Whether what the BPF pass read of p's program (LNX_PASS_IDENT: its command line, read with no
 * exec between, and the file it ran) holds: the file p's exe link leads to, before and after the
 * link is read, is that one, and the pid still names the process the pass saw. Then p->exe is
 * the link's text and the file its image: 1. Else 0 (p is read from /proc as before), or
 * -ENOMEM.
 */
static int pass_ident(int procfd, struct ps_proc *p)
{
	uint64_t dev, ino;
	char rel[32];
	struct stat a, b;
	(void)lnx_proc_image(p, &dev, &ino);
	lnx_proc_set_image(p, 0, 0);
	snprintf(rel, sizeof rel, "%d/exe", p->pid);
	if (fstatat(procfd, rel, &a, 0) || (uint64_t)a.st_dev != dev || (uint64_t)a.st_ino != ino)
		return 0;
	free(p->exe);
	p->exe = NULL;
	int rc = read_link_at(procfd, rel, &p->exe);
	if (rc)
		return rc == -ENOMEM ? rc : 0;
	if (fstatat(procfd, rel, &b, 0) || b.st_dev != a.st_dev || b.st_ino != a.st_ino ||
	    pid_same(p) != 1) {
		free(p->exe);
		p->exe = NULL;
		return 0;
	}
	lnx_proc_set_image(p, dev, ino);
	return 1;
}

/*
 * A leader that called pthread_exit has no memory left (no exe, no command line) while its
 * threads run on: read those from a live thread. 0 or -ENOMEM.
 */
static int describe_threads(int procfd, struct ps_proc *p, struct buf *b)
{
	char dir[64], pre[80];
	procdir_of(procfd, p->pid, dir, sizeof dir);
	if (!strchr(dir, '/'))
		return 0;
	snprintf(pre, sizeof pre, "%s/", dir);
	bool denied;
	return identity_in_window(procfd, pre, p, b, &denied);
}

/*
 * Everything is read through the process's /proc/PID directory, which stays bound to
 * the process it named when opened: a pid reused meanwhile makes the reads fail, and
 * a start time other than the one the fd scan recorded means the process that held
 * the sockets is gone — its pid now names another, whose details must not be shown.
 */
static int describe_one(int procfd, struct ps_proc *p, int64_t btime, long hz, struct buf *b,
			bool *partial, uint8_t *cg)
{
	char name[16];
	int rc;

	if (lnx_proc_pass(p) & LNX_PASS_IDENT) {
		if ((rc = pass_ident(procfd, p)) < 0)
			return rc;
		if (rc) {
			if (btime > 0 && hz > 0)
				p->start_time =
				    btime + (int64_t)(lnx_proc_scan_start(p) / (uint64_t)hz);
			return *cg == CG_WANTED ? cgroup_of(procfd, p, btime, hz, b, partial, cg)
						: 0;
		}
		lnx_proc_set_pass(p, 0); /* nothing of the pass's program is taken: /proc's */
		free(p->cmdline);
		p->cmdline = NULL;
		p->cmdline_len = 0;
	}
	snprintf(name, sizeof name, "%d", p->pid);
	int dir = openat(procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0) {
		rc = -errno;
		if (gone(rc))
			p->vanished = true;
		else
			*partial = true;
		return rc == -ENOMEM || rc == -EMFILE || rc == -ENFILE ? rc : 0;
	}
	rc = describe_at(dir, p, btime, hz, b, partial, cg);
	close(dir);
	if (!rc && !p->vanished && !p->exe)
		rc = describe_threads(procfd, p, b);
	return rc;
}

/* The processes to describe, spread over threads; each thread keeps its own buffer. */
struct describe_job {
	struct ps_snapshot *snap;
	int procfd;
	int64_t btime;
	long hz;
	size_t *cg_from; /* per process: whose cgroup it takes (itself: its own); of a set's first,
			  * the set's last, which reads its own too (itself: none) */
	uint8_t *cg;	 /* per process: CG_* */
	struct buf b[PPOOL_MAX_THREADS];
	bool partial[PPOOL_MAX_THREADS];
};

static int describe_item(void *ctx, size_t w, size_t i)
{
	struct describe_job *j = ctx;
	struct ps_proc *p = &j->snap->procs[i];
	return describe_one(j->procfd, p, j->btime, j->hz, &j->b[w], &j->partial[w], &j->cg[i]);
}

struct cg_key {
	uint64_t key;
	size_t proc;
};

static int cmp_cg_key(const void *a, const void *b)
{
	const struct cg_key *x = a, *y = b;
	if (x->key != y->key)
		return (x->key > y->key) - (x->key < y->key);
	return (x->proc > y->proc) - (x->proc < y->proc);
}

/*
 * Whose /proc/PID/cgroup each process takes: the first of those the BPF pass saw in one set of
 * cgroups (the same css_set: the same file for us), so a host's thousands of workers of one
 * service read it once. The last of the set reads its own too: a first moved to another cgroup
 * since the pass is told by the two files then (cg_share). Processes without the key read their
 * own. 0 or -ENOMEM.
 */
static int cg_plan(struct describe_job *j)
{
	const struct ps_snapshot *snap = j->snap;
	size_t n = snap->nprocs, nk = 0;
	struct cg_key *k = malloc(n * sizeof *k);
	if (!k)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		j->cg_from[i] = i;
		if (lnx_proc_cgset(&snap->procs[i]))
			k[nk++] = (struct cg_key){lnx_proc_cgset(&snap->procs[i]), i};
	}
	qsort(k, nk, sizeof *k, cmp_cg_key);
	for (size_t a = 0, b; a < nk; a = b) {
		for (b = a + 1; b < nk && k[b].key == k[a].key; b++)
			if (b + 1 < nk && k[b + 1].key == k[a].key) {
				j->cg_from[k[b].proc] = k[a].proc;
				j->cg[k[b].proc] = CG_SHARED;
			}
		j->cg_from[k[a].proc] = k[b - 1].proc;
	}
	free(k);
	return 0;
}

/* Whether shared member i can take its set's cgroup: its first and last read the same file. */
static bool cg_agree(const struct describe_job *j, size_t i)
{
	size_t first = j->cg_from[i], last = j->cg_from[first];
	const char *a = j->snap->procs[first].cgroup, *b = j->snap->procs[last].cgroup;
	return j->cg[first] == CG_READ && j->cg[last] == CG_READ &&
	       (a == b || (a && b && strcmp(a, b) == 0));
}

/*
 * The shared cgroups, copied from the process that read them; a process whose source could not
 * be read (it exited, or was refused), or whose set's first and last read two files (one moved
 * since the pass), reads its own. 0 or -ENOMEM.
 */
static int cg_share(struct describe_job *j)
{
	struct ps_snapshot *snap = j->snap;
	for (size_t i = 0; i < snap->nprocs; i++) {
		struct ps_proc *p = &snap->procs[i];
		if (j->cg[i] != CG_SHARED || p->vanished)
			continue;
		if (cg_agree(j, i)) {
			const char *c = snap->procs[j->cg_from[i]].cgroup;
			if (c && !(p->cgroup = str_dup(c)))
				return -ENOMEM;
			continue;
		}
		/* the directory opened again: proven again to be the process described */
		uint8_t cg = CG_WANTED;
		int rc = cgroup_of(j->procfd, p, j->btime, j->hz, &j->b[0], &j->partial[0], &cg);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Every socket whose every owner exited before we could describe it: say so. */
static void mark_vanished(struct ps_snapshot *snap)
{
	for (size_t i = 0; i < snap->nsocks; i++) {
		struct ps_socket *k = &snap->socks[i];
		if (!k->owner_count)
			continue;
		bool all_gone = true;
		for (size_t o = 0; o < k->owner_count && all_gone; o++)
			all_gone = snap->procs[snap_owner(snap, k, o)->proc].vanished;
		if (all_gone)
			k->owner_status = PS_OWN_VANISHED;
	}
}

int lnx_describe(struct ps_snapshot *snap)
{
	if (!snap->nprocs)
		return 0;
	struct describe_job j = {.snap = snap, .hz = sysconf(_SC_CLK_TCK)};
	j.cg_from = malloc(snap->nprocs * sizeof *j.cg_from);
	j.cg = calloc(snap->nprocs, sizeof *j.cg);
	int rc = j.cg_from && j.cg ? cg_plan(&j) : -ENOMEM;
	j.procfd = rc ? -1 : open(roots_get()->proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (!rc && j.procfd < 0)
		rc = -errno;
	if (!rc && read_file_at(j.procfd, "stat", &j.b[0], SMALL_LIMIT * 16, 0, NULL) == 0)
		(void)proc_parse_btime(j.b[0].data, j.b[0].len, &j.btime);
	if (!rc)
		rc = ppool_run(snap->nprocs, ppool_threads(snap->nprocs), describe_item, &j);
	if (!rc)
		rc = cg_share(&j);
	for (size_t i = 0; i < sizeof j.b / sizeof j.b[0]; i++) {
		buf_free(&j.b[i]);
		snap->partial |= j.partial[i];
	}
	if (j.procfd >= 0)
		close(j.procfd);
	free(j.cg_from);
	free(j.cg);
	if (!rc)
		mark_vanished(snap);
	return rc;
}

int lnx_pid_exists(int pid)
{
	if (pid <= 0)
		return 0;
	/* the proc tree we read (a test's recorded one, or the real /proc): the same numbering
	 * as every pid we show */
	char rel[32];
	snprintf(rel, sizeof rel, "%d", pid);
	char *path = roots_join(roots_get()->proc, rel);
	if (!path)
		return -ENOMEM;
	int rc = access(path, F_OK) == 0 ? 1 : errno == ENOENT ? 0 : -errno;
	free(path);
	return rc;
}
