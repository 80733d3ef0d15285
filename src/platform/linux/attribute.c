/* attribute.c — map socket inodes to the processes holding them by one pass over /proc. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../platform.h"
#include "procparse.h"

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* Decimal name of a /proc or fd entry; -1 for anything else. */
static long name_to_num(const char *s)
{
	long v = 0;
	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 0x7fffffff / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

struct scan {
	struct ps_snapshot *snap;
	const struct ps_inode_index *ix;
	char *dents; /* getdents64 buffer shared by every directory */
	size_t dents_size;
};

/* Walk one /proc/PID/fd directory: one readlinkat per fd, nothing else per fd. */
static int scan_fds(struct scan *sc, int fddir, int pid)
{
	long proc = -1;
	for (;;) {
		long n = syscall(SYS_getdents64, fddir, sc->dents, sc->dents_size);
		if (n < 0)
			return errno == ENOENT ? 0 : -errno; /* exited while we read */
		if (n == 0)
			return 0;
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(sc->dents + off);
			off += d->d_reclen;
			long fd = name_to_num(d->d_name);
			if (fd < 0)
				continue;
			char lnk[64];
			ssize_t ln = readlinkat(fddir, d->d_name, lnk, sizeof lnk);
			uint64_t ino;
			/* The directory can be listable while every link is refused: a
			 * process we may not ptrace (another user namespace, more caps). */
			if (ln < 0 && (errno == EACCES || errno == EPERM))
				return -EACCES;
			if (ln <= 0 || !proc_parse_socket_link(lnk, (size_t)ln, &ino))
				continue;
			long k = inode_index_find(sc->ix, ino);
			if (k < 0)
				continue;
			if (proc < 0 && (proc = snap_add_proc(sc->snap, pid)) < 0)
				return (int)proc;
			int rc = snap_add_owner(sc->snap, (uint32_t)k, (uint32_t)proc, (int32_t)fd);
			if (rc)
				return rc;
		}
	}
}

static int scan_proc(struct scan *sc)
{
	int procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return -errno;
	int rc = 0;
	/* /proc lists thread-group leaders only, so threads are skipped for free. */
	char *pids = malloc(sc->dents_size);
	if (!pids) {
		close(procfd);
		return -ENOMEM;
	}
	for (;;) {
		long n = syscall(SYS_getdents64, procfd, pids, sc->dents_size);
		if (n < 0) {
			rc = -errno;
			break;
		}
		if (n == 0)
			break;
		for (long off = 0; off < n && !rc;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(pids + off);
			off += d->d_reclen;
			long pid = name_to_num(d->d_name);
			if (pid <= 0)
				continue;
			char path[32];
			snprintf(path, sizeof path, "%ld/fd", pid);
			int fddir = openat(procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			if (fddir < 0) {
				if (errno == EACCES || errno == EPERM)
					sc->snap->procs_denied++;
				else
					sc->snap->procs_vanished++;
				continue;
			}
			rc = scan_fds(sc, fddir, (int)pid);
			close(fddir);
			if (rc == -EACCES) {
				sc->snap->procs_denied++;
				rc = 0;
			} else if (rc == 0) {
				sc->snap->procs_scanned++;
			}
		}
		if (rc)
			break;
	}
	free(pids);
	close(procfd);
	return rc;
}

/* Sockets not found in any fd table: still there (kernel-held) or gone (owner exited)? */
static int recheck(struct ps_snapshot *snap, const struct ps_filter *f)
{
	struct ps_snapshot now = {0};
	/* with --all-ns the sockets of every namespace need rechecking, not only ours */
	int rc = f->all_netns ? platform_collect_all_netns(&now, f) : platform_collect(&now, f);
	struct ps_inode_index ix = {0};
	if (!rc)
		rc = inode_index_build(&ix, &now);
	for (size_t i = 0; i < snap->nsocks; i++) {
		struct ps_socket *k = &snap->socks[i];
		if (k->owner_status != PS_OWN_VANISHED)
			continue;
		if (rc == 0 && inode_index_find(&ix, k->inode) >= 0)
			k->owner_status = PS_OWN_KERNEL;
	}
	inode_index_free(&ix);
	snap_free(&now);
	return rc;
}

int platform_attribute(struct ps_snapshot *snap, const struct ps_filter *f)
{
	struct ps_inode_index ix = {0};
	int rc = inode_index_build(&ix, snap);
	if (rc)
		return rc;
	struct scan sc = {.snap = snap, .ix = &ix, .dents_size = 64 * 1024};
	sc.dents = malloc(sc.dents_size);
	if (!sc.dents) {
		inode_index_free(&ix);
		return -ENOMEM;
	}
	rc = scan_proc(&sc);
	free(sc.dents);
	inode_index_free(&ix);
	if (rc)
		return rc;
	snap_group_owners(snap);

	uint32_t me = (uint32_t)geteuid();
	size_t unexplained = 0;
	for (size_t i = 0; i < snap->nsocks; i++) {
		struct ps_socket *k = &snap->socks[i];
		if (k->owner_count)
			k->owner_status = PS_OWN_OK;
		else if (!k->inode)
			k->owner_status = PS_OWN_KERNEL;
		else if (snap->procs_denied && (snap->privileged || k->uid != me))
			k->owner_status = PS_OWN_NOPERM;
		else {
			k->owner_status = PS_OWN_VANISHED; /* provisional: recheck decides */
			unexplained++;
		}
	}
	if (snap->procs_denied)
		snap->partial = true;
	if (unexplained)
		(void)recheck(snap, f); /* on failure the sockets stay "vanished" */
	return 0;
}
