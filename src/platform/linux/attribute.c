/* attribute.c — map socket inodes to the processes holding them: one BPF iterator pass, or one pass over /proc. */
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
#include "attr_bpf.h"
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
	struct attr_hits hits;
	size_t scanned, denied, vanished;
	int rc;
	pthread_t thread;
};

/* Walk one /proc/PID/fd directory: one readlinkat per fd, nothing else per fd. */
static int scan_fds(struct worker *w, int fddir, int pid)
{
	size_t first = w->hits.n;
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
				w->hits.n = first;
				return -EACCES;
			}
			if (ln <= 0 || !proc_parse_socket_link(lnk, (size_t)ln, &ino))
				continue;
			long k = inode_index_find(w->ix, ino);
			if (k < 0)
				continue;
			int rc = attr_hits_add(&w->hits, (uint32_t)k, pid, (int32_t)fd);
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

/*
 * Add the hits to the model: a process's hits are contiguous (one thread scanned it).
 * Sockets in `known` keep the owners collect gave them.
 */
static int merge_hits(struct ps_snapshot *snap, const struct attr_hits *h, const uint8_t *known)
{
	int last = -1, rc = 0;
	long proc = -1;
	for (size_t j = 0; j < h->n && !rc; j++) {
		uint32_t sock = h->v[j].sock;
		if (known && (known[sock / 8] & (1u << (sock % 8))))
			continue;
		if (h->v[j].pid != last) {
			last = h->v[j].pid;
			if ((proc = proc_index(snap, last, known != NULL)) < 0)
				return (int)proc;
		}
		rc = snap_add_owner(snap, sock, (uint32_t)proc, h->v[j].fd);
	}
	return rc;
}

static int scan_proc(struct ps_snapshot *snap, const struct ps_inode_index *ix, int procfd,
		     const int *pids, size_t npids, const uint8_t *known)
{
	atomic_size_t next;
	atomic_init(&next, 0);
	struct worker w[4];
	size_t nw = thread_count(npids, snap->nsocks), started = 1;
	int rc = 0;
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
	for (size_t i = 0; i < nw; i++) {
		if (!rc)
			rc = w[i].rc;
		if (!rc)
			rc = merge_hits(snap, &w[i].hits, known);
		snap->procs_scanned += w[i].scanned;
		snap->procs_denied += w[i].denied;
		snap->procs_vanished += w[i].vanished;
		free(w[i].hits.v);
		free(w[i].dents);
	}
	return rc;
}

/* Whether a socket that has a file (an inode) found no owner. */
static bool unowned_files(const struct ps_snapshot *snap)
{
	bool *owned = calloc(snap->nsocks ? snap->nsocks : 1, sizeof *owned);
	if (!owned)
		return true;
	for (size_t i = 0; i < snap->nowners; i++)
		owned[snap->owners[i].sock] = true;
	bool any = false;
	for (size_t i = 0; i < snap->nsocks && !any; i++)
		any = snap->socks[i].inode && !owned[i];
	free(owned);
	return any;
}

static int cmp_pid(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

/*
 * The /proc scan of the processes the iterator did not show: kernel threads, and
 * any process the kernel hides from iterators (some sandboxes hide their agent),
 * whose refused fd table must make a socket "no-permission", not "kernel". Run
 * only when a socket with a file found no owner, so it rarely costs anything.
 */
static int scan_unseen(struct ps_snapshot *snap, const struct ps_inode_index *ix, int32_t *seen, size_t nseen,
		       const uint8_t *known)
{
	int procfd = open(roots_get()->proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return -errno;
	int *pids = NULL;
	size_t npids = 0, n = 0;
	int rc = list_pids(procfd, &pids, &npids);
	if (!rc) {
		qsort(seen, nseen, sizeof *seen, cmp_pid);
		for (size_t i = 0; i < npids; i++) {
			int32_t p = pids[i];
			if (!bsearch(&p, seen, nseen, sizeof *seen, cmp_pid))
				pids[n++] = pids[i];
		}
		rc = scan_proc(snap, ix, procfd, pids, n, known);
	}
	free(pids);
	close(procfd);
	return rc;
}

/*
 * One pass of the BPF iterator over every process's files. A narrow query (under
 * half the sockets of the host) hands the kernel its inodes, so only those come
 * back; otherwise every TCP/UDP socket fd of the namespace (of every namespace
 * with --all-ns: no setns per namespace) does, and the inode index picks.
 */
static int scan_bpf(struct ps_snapshot *snap, const struct ps_inode_index *ix, const struct ps_filter *f,
		    size_t host_socks, unsigned *why, const uint8_t *known)
{
	struct attr_bpf_query q = {.ix = ix, .netns = f->all_netns ? 0 : (uint32_t)snap->netns};
	uint64_t *inodes = NULL;
	int rc = 0;
	if (snap->nsocks <= 65536 && snap->nsocks * 2 <= host_socks) {
		if (!(inodes = malloc((snap->nsocks + 1) * sizeof *inodes)))
			return -ENOMEM;
		for (size_t i = 0; i < snap->nsocks; i++)
			if (snap->socks[i].inode)
				inodes[q.ninodes++] = snap->socks[i].inode;
		q.inodes = inodes;
	}
	struct attr_hits h = {0};
	rc = attr_bpf_scan(&q, &h, why);
	free(inodes);
	if (!rc)
		rc = merge_hits(snap, &h, known);
	snap->procs_scanned += h.nseen;
	if (!rc && unowned_files(snap))
		rc = scan_unseen(snap, ix, h.seen, h.nseen, known);
	attr_hits_free(&h);
	return rc;
}

/* Sockets of our network namespace, every family ("sockets: used" of /proc/net/sockstat); 0 when unknown. */
static size_t sockets_in_use(void)
{
	char buf[256];
	int fd = open("/proc/net/sockstat", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	unsigned long v = 0;
	return sscanf(buf, "sockets: used %lu", &v) == 1 ? (size_t)v : 0;
}

/*
 * The auto rule. The /proc scan costs one directory per process and one readlink
 * per fd (~10 µs and ~1.5 µs here); loading the BPF program costs about 4 ms
 * whatever the host. So BPF pays off from about 2,000 sockets or 250 processes,
 * whatever the query asks for (a one-port /proc scan still reads every fd).
 */
#define BPF_MIN_SOCKETS 2000
#define BPF_MIN_PROCS 250

static void set_method(struct ps_snapshot *snap, const char *method, unsigned why)
{
	snap->attr_method = method;
	snap->attr_reason = (uint8_t)why;
}

/* Find the owners by the method the filter asks for; the method used goes into snap. */
static int find_owners(struct ps_snapshot *snap, const struct ps_inode_index *ix, const struct ps_filter *f)
{
	unsigned why = PS_ATTR_NONE;
	size_t host_socks = 0, npids = 0;
	int procfd = -1, *pids = NULL, rc = 0;
	bool bpf = f->attribution == PS_ATTRIB_BPF, oom;
	size_t collected = snap->nowners;
	uint8_t *known = collected_owners(snap, &oom);
	if (oom)
		return -ENOMEM;
	if (f->attribution != PS_ATTRIB_PROC) {
		host_socks = sockets_in_use();
		if (host_socks < snap->nsocks)
			host_socks = snap->nsocks; /* --all-ns: the other namespaces' sockets too */
	}
	if (f->attribution == PS_ATTRIB_AUTO && !attr_bpf_built()) {
		why = PS_ATTR_NOT_BUILT;
	} else if (f->attribution == PS_ATTRIB_AUTO) {
		bpf = host_socks >= BPF_MIN_SOCKETS;
		if (!bpf) {
			/* few sockets: the number of processes decides (and the /proc scan needs them) */
			if ((procfd = open(roots_get()->proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
				rc = -errno;
				goto out;
			}
			if ((rc = list_pids(procfd, &pids, &npids)))
				goto out;
			bpf = npids >= BPF_MIN_PROCS;
			if (!bpf)
				why = PS_ATTR_SMALL_HOST;
		}
	}
	if (bpf) {
		rc = scan_bpf(snap, ix, f, host_socks, &why, known);
		/* --attribution bpf never falls back; auto does when nothing was merged yet */
		if (rc == 0 || f->attribution == PS_ATTRIB_BPF || snap->nowners > collected) {
			set_method(snap, rc ? NULL : "bpf", why);
			goto out;
		}
		snap->procs_scanned = 0;
	}
	if (procfd < 0 && (procfd = open(roots_get()->proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		rc = -errno;
		goto out;
	}
	if (!pids && (rc = list_pids(procfd, &pids, &npids)))
		goto out;
	set_method(snap, "proc", why);
	rc = scan_proc(snap, ix, procfd, pids, npids, known);
out:
	free(known);
	free(pids);
	if (procfd >= 0)
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
	rc = find_owners(snap, &ix, f);
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
