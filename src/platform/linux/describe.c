/* SPDX-License-Identifier: GPL-2.0-or-later */
/* describe.c — read the details of the processes that own shown sockets. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../util/buf.h"
#include "../../util/readfile.h"
#include "../../util/str.h"
#include "../platform.h"
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

/* The details of p, read in its /proc/PID directory `dir`. */
static int describe_at(int dir, struct ps_proc *p, int64_t btime, long hz, struct buf *b,
		       bool *partial)
{
	int rc;

	if ((rc = read_file_at(dir, "stat", b, SMALL_LIMIT, 0, NULL))) {
		if (gone(rc))
			p->vanished = true;
		else
			*partial = true;
		return rc == -ENOMEM ? rc : 0;
	}
	/* the stat is read even when the BPF pass gave name, parent and uid (p->name set): its
	 * start time proves this directory is the process the pass saw */
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
		return 0;
	}
	if (rc == 0 && !p->name) {
		p->name = name;
		p->ppid = ppid;
	} else {
		free(name);
	}
	if (rc == 0 && btime > 0 && hz > 0)
		p->start_time = btime + (int64_t)(start / (uint64_t)hz);

	if (!p->have_uid && read_file_at(dir, "status", b, SMALL_LIMIT, 0, NULL) == 0 &&
	    proc_parse_status_uid(b->data, b->len, &p->uid) == 0)
		p->have_uid = true;

	rc = read_link_at(dir, "exe", &p->exe);
	if (rc == -ENOMEM)
		return rc;
	if (rc == -EACCES || rc == -EPERM) /* partial when it holds a shown socket: */
		p->details_denied = true;  /* snap_settle_partial */

	size_t argl;
	if (read_file_at(dir, "cmdline", b, CMDLINE_LIMIT, 0, &p->cmdline_truncated) == 0 &&
	    (argl =
		 cmdline_shown_len(b->data, b->len))) { /* without terminator and title padding */
		if (!(p->cmdline = str_dup_n(b->data, argl)))
			return -ENOMEM;
		p->cmdline_len = argl;
	}

	if (read_file_at(dir, "cgroup", b, SMALL_LIMIT, 0, NULL) == 0) {
		size_t n;
		const char *cg = proc_parse_cgroup(b->data, b->len, &n);
		if (cg && !(p->cgroup = str_dup_n(cg, n)))
			return -ENOMEM;
	}
	return 0;
}

/*
 * A leader that called pthread_exit has no memory left (no exe, no command line) while its
 * threads run on: read those from a live thread. 0 or -ENOMEM.
 */
static int describe_threads(int procfd, struct ps_proc *p, struct buf *b)
{
	char dir[64], rel[80];
	procdir_of(procfd, p->pid, dir, sizeof dir);
	if (!strchr(dir, '/'))
		return 0;
	snprintf(rel, sizeof rel, "%s/exe", dir);
	int rc = read_link_at(procfd, rel, &p->exe);
	if (rc == -ENOMEM)
		return rc;
	snprintf(rel, sizeof rel, "%s/cmdline", dir);
	size_t argl;
	if (!p->cmdline &&
	    read_file_at(procfd, rel, b, CMDLINE_LIMIT, 0, &p->cmdline_truncated) == 0 &&
	    (argl = cmdline_shown_len(b->data, b->len))) {
		if (!(p->cmdline = str_dup_n(b->data, argl)))
			return -ENOMEM;
		p->cmdline_len = argl;
	}
	return 0;
}

/*
 * Everything is read through the process's /proc/PID directory, which stays bound to
 * the process it named when opened: a pid reused meanwhile makes the reads fail, and
 * a start time other than the one the fd scan recorded means the process that held
 * the sockets is gone — its pid now names another, whose details must not be shown.
 */
static int describe_one(int procfd, struct ps_proc *p, int64_t btime, long hz, struct buf *b,
			bool *partial)
{
	char name[16];
	int rc;

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
	rc = describe_at(dir, p, btime, hz, b, partial);
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
	struct buf b[PPOOL_MAX_THREADS];
	bool partial[PPOOL_MAX_THREADS];
};

static int describe_item(void *ctx, size_t w, size_t i)
{
	struct describe_job *j = ctx;
	return describe_one(j->procfd, &j->snap->procs[i], j->btime, j->hz, &j->b[w],
			    &j->partial[w]);
}

int lnx_describe(struct ps_snapshot *snap)
{
	if (!snap->nprocs)
		return 0;
	struct describe_job j = {.snap = snap, .hz = sysconf(_SC_CLK_TCK)};
	j.procfd = open(roots_get()->proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (j.procfd < 0)
		return -errno;
	if (read_file_at(j.procfd, "stat", &j.b[0], SMALL_LIMIT * 16, 0, NULL) == 0)
		(void)proc_parse_btime(j.b[0].data, j.b[0].len, &j.btime);
	size_t threads = ppool_threads(snap->nprocs);
	int rc = ppool_run(snap->nprocs, threads, describe_item, &j);
	for (size_t i = 0; i < sizeof j.b / sizeof j.b[0]; i++) {
		buf_free(&j.b[i]);
		snap->partial |= j.partial[i];
	}
	close(j.procfd);
	if (rc)
		return rc;
	/* A socket whose every owner exited before we could describe it: say so. */
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
	return 0;
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
