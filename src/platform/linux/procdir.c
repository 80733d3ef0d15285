/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procdir.c — where to read a process's details: its /proc/PID, or a live thread's when the leader
 * has exited. */
#include "procdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

void procdir_of(int procfd, int pid, char *out, size_t cap)
{
	char rel[64];
	struct stat st;
	snprintf(out, cap, "%d", pid);
	snprintf(rel, sizeof rel, "%d/exe", pid);
	if (fstatat(procfd, rel, &st, 0) == 0 || errno != ENOENT)
		return;
	/* a leader that called pthread_exit keeps its pid but not its memory: ask a thread */
	snprintf(rel, sizeof rel, "%d/task", pid);
	int fd = openat(procfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		long tid = strtol(e->d_name, NULL, 10);
		if (tid <= 0 || tid == pid)
			continue;
		snprintf(rel, sizeof rel, "%d/task/%ld/exe", pid, tid);
		if (fstatat(procfd, rel, &st, 0) == 0) {
			snprintf(out, cap, "%d/task/%ld", pid, tid);
			break;
		}
	}
	closedir(d);
}
