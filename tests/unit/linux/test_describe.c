/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_describe.c — describe on live children: a pid that names another process than the one the
 * pass saw gives none of its details (the pidfd guard, then the start time), and a set of
 * cgroups is read once and shared, or read by each when its first reader is gone. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../../src/model/model.h"
#include "../../../src/platform/linux/backend.h"
#include "../../../src/platform/linux/ext.h"
#include "../../../src/platform/linux/procparse.h"
#include "../../../src/util/readfile.h"
#include "../test.h"

/* A child that waits to be killed; its pid, or -1. */
static pid_t child(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

static void reap(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

/* pid's start time (stat field 22) and its struct pid's pidfs inode (0 when the kernel has none).
 */
static bool identity(pid_t pid, uint64_t *start, uint64_t *ino)
{
	char path[64];
	struct buf b = {0};
	snprintf(path, sizeof path, "%d/stat", (int)pid);
	int procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char *comm = NULL;
	int ppid;
	bool ok = procfd >= 0 && read_file_at(procfd, path, &b, 1 << 16, 0, NULL) == 0 &&
		  proc_parse_stat(b.data, b.len, &comm, &ppid, start) == 0;
	free(comm);
	buf_free(&b);
	if (procfd >= 0)
		close(procfd);
	*ino = 0;
#ifdef SYS_pidfd_open
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct stat st;
	if (fd >= 0 && fstat(fd, &st) == 0)
		*ino = (uint64_t)st.st_ino;
	if (fd >= 0)
		close(fd);
#endif
	return ok;
}

/* One process of pid as the pass saw it: start time, pidfs inode and set of cgroups. */
static void add(struct ps_snapshot *s, pid_t pid, uint64_t start, uint64_t ino, uint64_t cgset)
{
	long i = snap_add_proc(s, (int)pid);
	CHECK(i >= 0);
	if (i < 0)
		return;
	struct ps_proc *p = &s->procs[i];
	p->name = strdup("seen");
	lnx_proc_set_scan_start(p, start);
	lnx_proc_set_pid_ino(p, ino);
	lnx_proc_set_keys(p, 0, cgset);
}

TEST(describe_pid_reused_gives_no_details)
{
	pid_t a = child(), b = child();
	uint64_t sa, ia, sb, ib;
	if (a < 0 || b < 0 || !identity(a, &sa, &ia) || !identity(b, &sb, &ib)) {
		CHECK(!"two children to describe");
		reap(a);
		reap(b);
		return;
	}
	struct ps_snapshot s = {0};
	/* 0: a as the pass saw it. 1: a's pid, but the pass saw another process there (b's
	 * struct pid and start: the pid reused since). 2: the same without the pidfs inode (the
	 * /proc method, or an older kernel): the start time decides. 3: the pidfs inode names
	 * another process, the start time this one: the stat decides, and it is this one. */
	add(&s, a, sa, ia, 0);
	add(&s, a, sb + 1, ib, 0);
	add(&s, a, sb + 1, 0, 0);
	add(&s, a, sa, ib, 0);
	CHECK_INT(lnx_describe(&s), 0);
	for (size_t i = 0; i < s.nprocs; i++) {
		const struct ps_proc *p = &s.procs[i];
		bool own = i == 0 || i == 3;
		CHECK(p->vanished == !own);
		CHECK((p->exe != NULL) == own);
		CHECK((p->cmdline != NULL) == own);
		CHECK((p->cgroup != NULL) == own);
		if (!own)
			CHECK(p->name == NULL || strcmp(p->name, "seen") == 0);
	}
	snap_free(&s);
	reap(a);
	reap(b);
}

TEST(describe_cgroup_set_shared_or_read_again)
{
	pid_t a = child(), b = child(), gone = child();
	uint64_t sa, ia, sb, ib, sg, ig;
	if (a < 0 || b < 0 || gone < 0 || !identity(a, &sa, &ia) || !identity(b, &sb, &ib) ||
	    !identity(gone, &sg, &ig)) {
		CHECK(!"three children to describe");
		reap(a);
		reap(b);
		reap(gone);
		return;
	}
	reap(gone); /* exited between the pass and describe */
	struct ps_snapshot s = {0};
	/* a and b in one set (b takes a's file), gone first in another set with b: b's copy
	 * comes from a, and gone's sharer below reads its own */
	add(&s, a, sa, ia, 7);
	add(&s, b, sb, ib, 7);
	add(&s, gone, sg, ig, 9);
	add(&s, b, sb, ib, 9);
	CHECK_INT(lnx_describe(&s), 0);
	const struct ps_proc *p = s.procs;
	CHECK(p[0].cgroup && p[1].cgroup && p[3].cgroup);
	CHECK(p[2].vanished && !p[2].cgroup);
	if (p[0].cgroup && p[1].cgroup && p[3].cgroup) {
		CHECK_STR(p[1].cgroup, p[0].cgroup);
		CHECK(p[1].cgroup != p[0].cgroup); /* a copy of its own, freed with it */
		CHECK_STR(p[3].cgroup, p[1].cgroup);
	}
	snap_free(&s);
	reap(a);
	reap(b);
}
