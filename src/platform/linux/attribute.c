/* attribute.c — map socket inodes to the processes holding them by one pass over /proc. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../platform.h"
#include "procparse.h"
#include "roots.h"

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

/* One (socket, process, fd) found by a scanning thread; merged into the model afterwards. */
struct hit {
	uint32_t sock;
	int32_t pid;
	int32_t fd;
};

/*
 * One scanning thread. Threads share the read-only inode index and take pids
 * from a shared counter; each keeps its own buffer, hits and counters, so the
 * only shared write is the counter.
 */
struct worker {
	const struct ps_inode_index *ix;
	int procfd;
	const int *pids;
	size_t npids;
	atomic_size_t *next;
	char *dents; /* getdents64 buffer for every directory this thread reads */
	size_t dents_size;
	struct hit *hits;
	size_t nhits, cap;
	size_t scanned, denied, vanished;
	int rc;
	pthread_t thread;
};

static int add_hit(struct worker *w, uint32_t sock, int pid, long fd)
{
	if (w->nhits == w->cap) {
		size_t nc = w->cap ? w->cap * 2 : 1024;
		struct hit *nh = realloc(w->hits, nc * sizeof *nh);
		if (!nh)
			return -ENOMEM;
		w->hits = nh;
		w->cap = nc;
	}
	w->hits[w->nhits++] = (struct hit){sock, pid, (int32_t)fd};
	return 0;
}

/* Walk one /proc/PID/fd directory: one readlinkat per fd, nothing else per fd. */
static int scan_fds(struct worker *w, int fddir, int pid)
{
	size_t first = w->nhits;
	for (;;) {
		long n = syscall(SYS_getdents64, fddir, w->dents, w->dents_size);
		if (n < 0)
			return errno == ENOENT ? 0 : -errno; /* exited while we read */
		if (n == 0)
			return 0;
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(w->dents + off);
			off += d->d_reclen;
			long fd = name_to_num(d->d_name);
			if (fd < 0)
				continue;
			char lnk[64];
			ssize_t ln = readlinkat(fddir, d->d_name, lnk, sizeof lnk);
			uint64_t ino;
			/* The directory can be listable while every link is refused: a
			 * process we may not ptrace (another user namespace, more caps). */
			if (ln < 0 && (errno == EACCES || errno == EPERM)) {
				w->nhits = first;
				return -EACCES;
			}
			if (ln <= 0 || !proc_parse_socket_link(lnk, (size_t)ln, &ino))
				continue;
			long k = inode_index_find(w->ix, ino);
			if (k < 0)
				continue;
			int rc = add_hit(w, (uint32_t)k, pid, fd);
			if (rc)
				return rc;
		}
	}
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	for (;;) {
		size_t i = atomic_fetch_add(w->next, 1);
		if (i >= w->npids)
			break;
		char path[32];
		snprintf(path, sizeof path, "%d/fd", w->pids[i]);
		int fddir = openat(w->procfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fddir < 0) {
			if (errno == EACCES || errno == EPERM)
				w->denied++;
			else
				w->vanished++;
			continue;
		}
		int rc = scan_fds(w, fddir, w->pids[i]);
		close(fddir);
		if (rc == -EACCES) {
			w->denied++;
		} else if (rc == 0) {
			w->scanned++;
		} else {
			w->rc = rc;
			break;
		}
	}
	return NULL;
}

/* Every pid in /proc. /proc lists thread-group leaders only, so threads are skipped for free. */
static int list_pids(int procfd, int **out, size_t *nout)
{
	size_t cap = 1024, n = 0, dsize = 64 * 1024;
	int *pids = malloc(cap * sizeof *pids);
	char *d = malloc(dsize);
	int rc = pids && d ? 0 : -ENOMEM;
	while (!rc) {
		long got = syscall(SYS_getdents64, procfd, d, dsize);
		if (got < 0)
			rc = -errno;
		if (got <= 0)
			break;
		for (long off = 0; off < got && !rc;) {
			struct linux_dirent64 *e = (struct linux_dirent64 *)(d + off);
			off += e->d_reclen;
			long pid = name_to_num(e->d_name);
			if (pid <= 0)
				continue;
			if (n == cap) {
				int *np = realloc(pids, cap * 2 * sizeof *np);
				if (!np) {
					rc = -ENOMEM;
					break;
				}
				pids = np;
				cap *= 2;
			}
			pids[n++] = (int)pid;
		}
	}
	free(d);
	if (rc) {
		free(pids);
		return rc;
	}
	*out = pids;
	*nout = n;
	return 0;
}

/*
 * Threads worth starting: the fd links cost kernel time that spreads over cores.
 * Few sockets mean a small host or a narrow query, where a thread's start costs
 * more than it saves (and `watch` would start one every poll).
 */
static size_t thread_count(size_t npids, size_t nsocks)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t t = cpus > 1 ? (size_t)cpus : 1;
	if (t > 4)
		t = 4;
	if (npids < 64 || nsocks < 1024)
		t = 1;
	return t;
}

/*
 * Sockets whose owners collect already reported (a platform contract option Linux does not
 * use today, kept honest here): a bit per socket, NULL when there are none. *oom on failure.
 */
static uint8_t *collected_owners(const struct ps_snapshot *snap, bool *oom)
{
	*oom = false;
	if (!snap->nowners)
		return NULL;
	uint8_t *bits = calloc(snap->nsocks / 8 + 1, 1);
	if (!bits) {
		*oom = true;
		return NULL;
	}
	for (size_t i = 0; i < snap->nowners; i++)
		bits[snap->owners[i].sock / 8] |= (uint8_t)(1u << (snap->owners[i].sock % 8));
	return bits;
}

/* The process record of pid: an existing one when collect may have made it (`search`), else new. */
static long proc_index(struct ps_snapshot *snap, int pid, bool search)
{
	for (size_t i = 0; search && i < snap->nprocs; i++)
		if (snap->procs[i].pid == pid)
			return (long)i;
	return snap_add_proc(snap, pid);
}

static int scan_proc(struct ps_snapshot *snap, const struct ps_inode_index *ix)
{
	int procfd = open(roots_get()->proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return -errno;
	int *pids = NULL;
	size_t npids = 0;
	int rc = list_pids(procfd, &pids, &npids);
	if (rc) {
		close(procfd);
		return rc;
	}
	atomic_size_t next;
	atomic_init(&next, 0);
	struct worker w[4];
	size_t nw = thread_count(npids, snap->nsocks), started = 1;
	memset(w, 0, sizeof w);
	for (size_t i = 0; i < nw; i++) {
		w[i] = (struct worker){.ix = ix, .procfd = procfd, .pids = pids, .npids = npids,
				       .next = &next, .dents_size = 32 * 1024};
		if (!(w[i].dents = malloc(w[i].dents_size)))
			rc = -ENOMEM;
	}
	/* Helpers that fail to start leave their share to the others. */
	for (size_t i = 1; i < nw && !rc; i++)
		if (pthread_create(&w[i].thread, NULL, worker_run, &w[i]) == 0)
			started = i + 1;
		else
			break;
	if (!rc)
		worker_run(&w[0]);
	for (size_t i = 1; i < started; i++)
		pthread_join(w[i].thread, NULL);
	/* Merge: a process's hits are contiguous within the thread that scanned it. */
	bool oom;
	uint8_t *known = collected_owners(snap, &oom);
	if (oom && !rc)
		rc = -ENOMEM;
	for (size_t i = 0; i < nw; i++) {
		if (!rc)
			rc = w[i].rc;
		int last = -1;
		long proc = -1;
		for (size_t j = 0; j < w[i].nhits && !rc; j++) {
			const struct hit *h = &w[i].hits[j];
			if (known && (known[h->sock / 8] & (1u << (h->sock % 8))))
				continue; /* collect named this socket's owners: they stand */
			if (h->pid != last) {
				last = h->pid;
				if ((proc = proc_index(snap, h->pid, known != NULL)) < 0)
					rc = (int)proc;
			}
			if (!rc)
				rc = snap_add_owner(snap, h->sock, (uint32_t)proc, h->fd);
		}
		snap->procs_scanned += w[i].scanned;
		snap->procs_denied += w[i].denied;
		snap->procs_vanished += w[i].vanished;
		free(w[i].hits);
		free(w[i].dents);
	}
	free(known);
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
		if (rc == 0)
			k->owner_status = (uint8_t)owner_status_of(
				k, false, snap->privileged, 0, inode_index_find(&ix, k->inode) >= 0);
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
	rc = scan_proc(snap, &ix);
	inode_index_free(&ix);
	if (rc)
		return rc;
	snap_group_owners(snap);

	uint32_t me = (uint32_t)geteuid();
	size_t unexplained = 0;
	for (size_t i = 0; i < snap->nsocks; i++) {
		struct ps_socket *k = &snap->socks[i];
		k->owner_status = (uint8_t)owner_status_of(k, snap->procs_denied > 0, snap->privileged,
							   me, -1);
		/* "vanished" is provisional here: the recheck decides */
		unexplained += k->owner_status == PS_OWN_VANISHED;
	}
	if (snap->procs_denied)
		snap->partial = true;
	if (unexplained)
		(void)recheck(snap, f); /* on failure the sockets stay "vanished" */
	return 0;
}
