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

/* Where the cgroup2 file system is mounted into mnt (field 5 of its mountinfo line). */
static bool cgroup2_mount(char *mnt, size_t cap)
{
	char line[1024];
	bool found = false;
	FILE *f = fopen("/proc/self/mountinfo", "re");
	while (f && !found && fgets(line, sizeof line, f)) {
		char *sep = strstr(line, " - cgroup2 "), *p = line;
		for (int i = 0; sep && i < 4 && p; i++)
			p = strchr(p, ' ') ? strchr(p, ' ') + 1 : NULL;
		if (sep && p && strcspn(p, " ") < cap) {
			snprintf(mnt, cap, "%.*s", (int)strcspn(p, " "), p);
			found = true;
		}
	}
	if (f)
		fclose(f);
	return found;
}

/*
 * A cgroup of our own below ours with child m in it: its path as /proc/PID/cgroup names it, and
 * its directory; false when this test may not make one (not root, no cgroup2).
 */
static bool moved_child(pid_t m, char path[512], char dir[1024])
{
	char line[512], mnt[256], ours[512] = "";
	bool ok = false;
	FILE *f = fopen("/proc/self/cgroup", "re");
	while (f && !ok && fgets(line, sizeof line, f))
		if (strncmp(line, "0::/", 4) == 0 && strlen(line) < 400) {
			line[strcspn(line, "\n")] = '\0';
			if (strcmp(line + 3, "/") != 0)
				memcpy(ours, line + 3, strlen(line + 3) + 1);
			ok = true;
		}
	if (f)
		fclose(f);
	if (!ok || !cgroup2_mount(mnt, sizeof mnt))
		return false;
	snprintf(path, 512, "%.400s/ps-unit-%d", ours, (int)getpid());
	snprintf(dir, 1024, "%.255s%.511s", mnt, path);
	if (mkdir(dir, 0755) != 0)
		return false;
	char procs[1100];
	snprintf(procs, sizeof procs, "%s/cgroup.procs", dir);
	f = fopen(procs, "we");
	ok = f && fprintf(f, "%d\n", (int)m) > 0;
	if (f)
		ok = fclose(f) == 0 && ok;
	if (!ok)
		rmdir(dir);
	return ok;
}

TEST(describe_cgroup_set_shared_or_read_again)
{
	pid_t a = child(), b = child(), c = child(), gone = child(), m = child();
	uint64_t sa, ia, sb, ib, sc, ic, sg, ig, sm, im;
	if (a < 0 || b < 0 || c < 0 || gone < 0 || m < 0 || !identity(a, &sa, &ia) ||
	    !identity(b, &sb, &ib) || !identity(c, &sc, &ic) || !identity(gone, &sg, &ig) ||
	    !identity(m, &sm, &im)) {
		CHECK(!"five children to describe");
		reap(a), reap(b), reap(c), reap(gone), reap(m);
		return;
	}
	reap(gone); /* exited between the pass and describe */
	struct ps_snapshot s = {0};
	/* one set of three (the middle one takes the first's file); a set whose first exited (the
	 * others read their own) */
	add(&s, a, sa, ia, 7);
	add(&s, b, sb, ib, 7);
	add(&s, c, sc, ic, 7);
	add(&s, gone, sg, ig, 9);
	add(&s, b, sb, ib, 9);
	add(&s, c, sc, ic, 9);
	CHECK_INT(lnx_describe(&s), 0);
	const struct ps_proc *p = s.procs;
	CHECK(p[0].cgroup && p[1].cgroup && p[2].cgroup && p[4].cgroup && p[5].cgroup);
	CHECK(p[3].vanished && !p[3].cgroup);
	if (p[0].cgroup && p[1].cgroup && p[4].cgroup) {
		CHECK_STR(p[1].cgroup, p[0].cgroup);
		CHECK(p[1].cgroup != p[0].cgroup); /* a copy of its own, freed with it */
		CHECK_STR(p[4].cgroup, p[0].cgroup);
	}
	snap_free(&s);
	/* a set whose first moved to another cgroup since the pass: the middle one is not shown
	 * in the first's new cgroup, which it never was in */
	char path[512], dir[1024] = "";
	if (moved_child(m, path, dir)) {
		s = (struct ps_snapshot){0};
		add(&s, m, sm, im, 5);
		add(&s, a, sa, ia, 5);
		add(&s, b, sb, ib, 5);
		CHECK_INT(lnx_describe(&s), 0);
		p = s.procs;
		CHECK(p[0].cgroup && strcmp(p[0].cgroup, path) == 0);
		CHECK(p[1].cgroup && p[2].cgroup && strcmp(p[1].cgroup, path) != 0);
		if (p[1].cgroup && p[2].cgroup)
			CHECK_STR(p[1].cgroup, p[2].cgroup);
		snap_free(&s);
	}
	reap(a), reap(b), reap(c), reap(m);
	if (*dir)
		rmdir(dir);
}
