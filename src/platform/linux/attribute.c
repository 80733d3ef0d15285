/* SPDX-License-Identifier: GPL-2.0-or-later */
/* attribute.c — map socket inodes to the processes holding them: one BPF iterator pass, or one pass
 * over /proc. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/kcmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../util/buf.h"
#include "../../util/grow.h"
#include "../../util/readfile.h"
#include "../platform.h"
#include "attr_bpf.h"
#include "backend.h"
#include "ext.h"
#include "ppool.h"
#include "procparse.h"
#include "roots.h"
#include "uring.h"

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
 * The uids of the processes a scan could not read: a socket without an owner is
 * "no-permission" only when a refused process could hold it. (One that exited meanwhile
 * does not make it "vanished": a socket still there at the recheck is held by someone
 * no scan could find, or by no file table at all.)
 */
struct uid_set {
	uint32_t *v;
	size_t n, cap;
	bool unknown; /* one whose uid could not be learned: it could hold any socket */
};

static int uid_set_add(struct uid_set *u, const struct stat *st)
{
	if (!st) {
		u->unknown = true;
		return 0;
	}
	for (size_t i = 0; i < u->n; i++)
		if (u->v[i] == (uint32_t)st->st_uid)
			return 0;
	int rc = util_grow((void **)&u->v, &u->cap, u->n + 1, sizeof *u->v);
	if (rc)
		return rc;
	u->v[u->n++] = (uint32_t)st->st_uid;
	return 0;
}

static bool uid_set_has(const struct uid_set *u, uint32_t uid)
{
	for (size_t i = 0; i < u->n; i++)
		if (u->v[i] == uid)
			return true;
	return u->unknown;
}

static int uid_set_merge(struct uid_set *to, const struct uid_set *from)
{
	int rc = 0;
	to->unknown |= from->unknown;
	for (size_t i = 0; i < from->n && !rc; i++)
		rc = uid_set_add(to, &(struct stat){.st_uid = from->v[i]});
	return rc;
}

/* What the scans learned beyond the hits, for the per-socket status. */
struct scan_facts {
	struct uid_set refused;
};

static void scan_facts_free(struct scan_facts *f)
{
	free(f->refused.v);
}

/*
 * One scanning thread's state. Threads share the read-only inode index and take pids
 * from the pool (ppool); each keeps its own buffer, hits and counters.
 */
struct worker {
	const struct ps_inode_index *ix;
	int procfd;
	char *dents; /* getdents64 buffer for every directory this thread reads */
	size_t dents_size;
	struct buf stat; /* /proc/PID/stat */
	struct attr_hits hits;
	struct scan_facts facts;
	size_t scanned, denied, vanished;
};

/* What a ring's fixed file adds: a hit when the socket is one we show. */
struct ring_ctx {
	struct worker *w;
	int pid;
};

static int ring_found(void *ctx, uint32_t idx, uint64_t ino)
{
	struct ring_ctx *r = ctx;
	long k = inode_index_find(r->w->ix, ino);
	return k < 0 ? 0 : attr_hits_add(&r->w->hits, (uint32_t)k, r->pid, PS_FD_FIXED(idx));
}

/*
 * The sockets io_uring ring `fd` holds as fixed files (registered, their own fds closed): its
 * fdinfo in `info` (the fdinfo directory next to the fd directory, relative to piddir). A ring
 * that stays busy is passed over: its table is not printed then.
 */
static int scan_ring(struct worker *w, int piddir, const char *info, int pid, long fd)
{
	char rel[96];
	snprintf(rel, sizeof rel, "%s/%ld", info, fd);
	struct ring_ctx r = {w, pid};
	int rc = uring_fixed_sockets(piddir, rel, &w->stat, ring_found, &r);
	return rc == -ENOMEM ? rc : 0;
}

/*
 * Walk one /proc/PID/fd directory: one readlinkat per fd, nothing else per fd (but the fdinfo of
 * an io_uring ring: `info` names its directory relative to piddir). *nfds: the fds seen.
 */
static int scan_fds(struct worker *w, int fddir, int pid, size_t *nfds, int piddir,
		    const char *info)
{
	size_t first = w->hits.n;
	for (;;) {
		long n = syscall(SYS_getdents64, fddir, w->dents, w->dents_size);
		if (n < 0)
			return errno == ENOENT || errno == ESRCH
				   ? -ESRCH
				   : -errno; /* exited while we read */
		if (n == 0)
			return 0;
		for (long off = 0; off < n;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(w->dents + off);
			off += d->d_reclen;
			long fd = name_to_num(d->d_name);
			if (fd < 0)
				continue;
			++*nfds;
			char lnk[64];
			ssize_t ln = readlinkat(fddir, d->d_name, lnk, sizeof lnk);
			uint64_t ino;
			/* The directory can be listable while every link is refused: a
			 * process we may not ptrace (another user namespace, more caps). */
			if (ln < 0 && (errno == EACCES || errno == EPERM)) {
				w->hits.n = first;
				return -EACCES;
			}
			if (ln > 0 && uring_is_ring(lnk, (size_t)ln)) {
				int rc = scan_ring(w, piddir, info, pid, fd);
				if (rc)
					return rc;
				continue;
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

/* Out of descriptors or memory: the scan cannot go on honestly (a process it skips is not "gone").
 */
static bool resource_error(int err)
{
	return err == EMFILE || err == ENFILE || err == ENOMEM;
}

/*
 * The start time of the process behind piddir (a /proc/PID directory: bound to that
 * process, so never another's), and whether it is still running. 0 or -errno.
 */
static int proc_identity(struct worker *w, int piddir, uint64_t *start, bool *alive)
{
	int rc = read_file_at(piddir, "stat", &w->stat, 64 * 1024, 0, NULL);
	if (rc)
		return rc;
	char *comm = NULL;
	int ppid;
	rc = proc_parse_stat(w->stat.data, w->stat.len, &comm, &ppid, start);
	free(comm);
	if (rc)
		return rc;
	const char *close_paren = memrchr(w->stat.data, ')', w->stat.len);
	size_t at = close_paren ? (size_t)(close_paren - w->stat.data) + 2 : w->stat.len;
	*alive = at < w->stat.len && w->stat.data[at] != 'Z' && w->stat.data[at] != 'X';
	return 0;
}

/* A process that refused its fds, or one that was leaving: which, and of what uid. */
static int note_refused(struct worker *w, int piddir)
{
	uint64_t start;
	bool alive = false;
	struct stat st;
	bool have_uid = fstat(piddir, &st) == 0;
	if (proc_identity(w, piddir, &start, &alive) == 0 && alive) {
		w->denied++;
		return uid_set_add(&w->facts.refused, have_uid ? &st : NULL);
	}
	w->vanished++;
	return 0;
}

/* The hits from `first` on without repeats of (socket, fd): threads that share one table. */
static void hits_unique(struct attr_hits *h, size_t first)
{
	size_t n = first;
	for (size_t i = first; i < h->n; i++) {
		size_t j = first;
		while (j < n && !(h->v[j].sock == h->v[i].sock && h->v[j].fd == h->v[i].fd))
			j++;
		if (j == n)
			h->v[n++] = h->v[i];
	}
	h->n = n;
}

/* The threads of the process behind piddir (its task directory), but the leader. -errno. */
static int list_threads(struct worker *w, int piddir, int pid, int **out, size_t *n)
{
	int tdir = openat(piddir, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (tdir < 0)
		return -errno;
	size_t cap = 0;
	int rc = 0;
	for (;;) {
		long got = syscall(SYS_getdents64, tdir, w->dents, w->dents_size);
		if (got <= 0) {
			rc = got < 0 ? -errno : 0;
			break;
		}
		for (long off = 0; off < got && !rc;) {
			struct linux_dirent64 *d = (struct linux_dirent64 *)(w->dents + off);
			off += d->d_reclen;
			long tid = name_to_num(d->d_name);
			if (tid > 0 && tid != pid &&
			    !(rc = util_grow((void **)out, &cap, *n + 1, sizeof **out)))
				(*out)[(*n)++] = (int)tid;
		}
	}
	close(tdir);
	return rc;
}

/*
 * The threads whose file table is not the leader's: one that unshared it (CLONE_FILES), and
 * every thread of a leader that called pthread_exit (its table is gone, /proc/PID/fd is empty).
 * /proc/PID/fd shows the leader's only. Asked only of a process with more than one thread (the
 * task directory's link count is 2 + threads); kcmp(KCMP_FILES) says in one call whether a
 * thread shares the leader's table (any error: scan it, the repeats are dropped). Their sockets
 * are the process's. *found: whether a thread held a shown socket. 0 or -ENOMEM.
 */
static int scan_threads(struct worker *w, int piddir, int pid, size_t first, bool *found)
{
	struct stat st;
	*found = false;
	if (fstatat(piddir, "task", &st, 0) < 0 || st.st_nlink <= 3)
		return 0;
	int *tids = NULL;
	size_t n = 0, before = w->hits.n;
	int rc = list_threads(w, piddir, pid, &tids, &n);
	for (size_t i = 0; i < n && rc != -ENOMEM; i++) {
		if (syscall(SYS_kcmp, pid, tids[i], KCMP_FILES, 0, 0) == 0)
			continue;
		char rel[64], info[64];
		snprintf(rel, sizeof rel, "task/%d/fd", tids[i]);
		snprintf(info, sizeof info, "task/%d/fdinfo", tids[i]);
		int fddir = openat(piddir, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fddir < 0)
			continue; /* exited, or refused: the leader's answer stands */
		size_t nfds = 0, at = w->hits.n;
		rc = scan_fds(w, fddir, pid, &nfds, piddir, info);
		close(fddir);
		if (rc != -ENOMEM && rc)
			w->hits.n = at; /* this thread left or refused: not the process's answer */
	}
	free(tids);
	if (rc == -ENOMEM)
		return rc;
	hits_unique(&w->hits, first);
	*found = w->hits.n > before;
	return 0;
}

/* Scan one process through its /proc/PID directory. 0, or -errno that stops the scan. */
static int scan_pid(struct worker *w, int pid)
{
	char name[16];
	snprintf(name, sizeof name, "%d", pid);
	int piddir = openat(w->procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (piddir < 0) {
		if (resource_error(errno))
			return -errno;
		if (errno == EACCES || errno == EPERM) {
			w->denied++;
			return uid_set_add(&w->facts.refused, NULL);
		}
		w->vanished++;
		return 0;
	}
	int rc = 0, fddir = openat(piddir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fddir < 0) {
		int err = errno;
		if (resource_error(err))
			rc = -err;
		else if (err == EACCES || err == EPERM)
			rc = note_refused(w, piddir);
		else /* gone */
			w->vanished++;
		close(piddir);
		return rc;
	}
	size_t first = w->hits.n, nfds = 0;
	bool threads = false;
	rc = scan_fds(w, fddir, pid, &nfds, piddir, "fdinfo");
	close(fddir);
	if (rc == 0)
		rc = scan_threads(w, piddir, pid, first, &threads);
	if (rc == -EACCES) {
		rc = note_refused(w, piddir);
	} else if (rc == -ESRCH) { /* it exited while we read: normal, not an error */
		w->hits.n = first;
		w->vanished++;
		rc = 0;
	} else if (rc == 0) {
		/* Whose fds these were: the details read later must be of this very process. An
		 * empty table is a process leaving (a live one has at least its std fds). */
		uint64_t start = 0;
		bool alive = true;
		if (w->hits.n > first || nfds == 0) {
			if (proc_identity(w, piddir, &start, &alive) != 0)
				alive = false;
			alive |= threads; /* a leader that exited: its threads hold the sockets */
		}
		if (!alive) {
			w->hits.n = first;
			w->vanished++;
		} else {
			for (size_t j = first; j < w->hits.n; j++)
				w->hits.v[j].start = start;
			w->scanned++;
		}
	}
	close(piddir);
	return rc;
}

/* The pids to scan and a state per thread. */
struct scan_job {
	const int *pids;
	struct worker w[PPOOL_MAX_THREADS];
};

static int scan_item(void *ctx, size_t t, size_t i)
{
	struct scan_job *j = ctx;
	return scan_pid(&j->w[t], j->pids[i]);
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
			if ((rc = util_grow((void **)&pids, &cap, n + 1, sizeof *pids)))
				break;
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

/* Sockets of our network namespace, every family ("sockets: used" of /proc/net/sockstat); 0 when
 * unknown. */
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

/* The sockets a scan of this host reads through: ours, or more with --all-ns. */
static size_t host_sockets(const struct ps_snapshot *snap)
{
	size_t n = sockets_in_use();
	return n < snap->nsocks ? snap->nsocks : n;
}

/*
 * Threads worth starting: the fd links cost kernel time that spreads over cores.
 * The work is every fd of every process, whatever the query wants: a one-port query
 * on a host of 100,000 sockets reads as many links as the full listing, so the
 * host's sockets decide (/proc/net/sockstat), not the wanted ones. A small host
 * (few processes or sockets) scans in one thread: a thread's start would cost more
 * than it saves (and `watch` would start one every poll).
 */
static size_t thread_count(size_t npids, size_t host_socks)
{
	/* a process here can hold thousands of fds: every CPU from 64 of them on */
	return npids < 64 || host_socks < 1024 ? 1 : ppool_threads(SIZE_MAX);
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
 * What the pass read of p's program (id, taken) goes into its record: its command line and
 * running file (which describe checks against the exe link), its environment's wanted entries.
 * 0 or -ENOMEM.
 */
static int take_ident(struct ps_proc *p, struct attr_ident *id)
{
	if (!(id->have & ATTR_ID_CMDLINE))
		return 0;
	free(p->cmdline);
	p->cmdline = id->cmdline;
	p->cmdline_len = id->cmdline_len;
	id->cmdline = NULL;
	lnx_proc_set_image(p, id->exe_dev, id->exe_ino);
	uint64_t pass = LNX_PASS_IDENT;
	int rc = 0;
	if (id->have & ATTR_ID_ENV) {
		pass |= LNX_PASS_ENV;
		if (id->env)
			rc = lnx_passenv_add(p->pid, id->env, id->env_len);
		id->env = NULL;
	}
	lnx_proc_set_pass(p, pass);
	return rc;
}

/*
 * What the BPF pass read of p (o; NULL: nothing) goes into its record, so describe reads from
 * /proc only what the kernel's task could not give. 0 or -ENOMEM.
 */
static int take_owner(struct ps_proc *p, struct attr_owner *o)
{
	if (!o || p->name)
		return 0;
	if (!(p->name = strdup(o->comm)))
		return -ENOMEM;
	p->ppid = o->ppid;
	p->uid = o->euid;
	p->have_uid = true;
	lnx_proc_set_scan_start(p, o->start);
	lnx_proc_set_ns(p, o->userns, o->mntns);
	lnx_proc_set_keys(p, o->view, o->cgset);
	lnx_proc_set_pid_ino(p, o->pid_ino);
	return take_ident(p, &o->id);
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
			if (h->v[j].start)
				lnx_proc_set_scan_start(&snap->procs[proc], h->v[j].start);
			if ((rc = take_owner(&snap->procs[proc], attr_hits_owner(h, last))))
				return rc;
		}
		rc = snap_add_owner(snap, sock, (uint32_t)proc, h->v[j].fd);
	}
	return rc;
}

/*
 * The /proc scan reads every fd of every process, even for a one-port query, on purpose.
 * A narrower scan (processes of the wanted sockets' uids first, stop once each has an
 * owner) would give other answers than the full one: a socket's uid (and cgroup) say
 * who created it, not who holds it now. A forked child that changed uid, a process that
 * got it over SCM_RIGHTS or inherited it across exec all hold it too, and nothing in
 * sock_diag or /proc counts a socket's holders, so no point of such a scan proves that
 * every owner was found (and skipping a process because of its uid is no safer). The
 * owners must equal the BPF pass's; the narrow query's speed comes from BPF (the
 * kernel filters the wanted inodes), and here from spreading the links over threads.
 */
static int scan_proc(struct ps_snapshot *snap, const struct ps_inode_index *ix, int procfd,
		     const int *pids, size_t npids, const uint8_t *known, struct scan_facts *facts)
{
	struct scan_job j = {.pids = pids};
	struct worker *w = j.w;
	size_t nw = thread_count(npids, host_sockets(snap));
	int rc = 0;
	for (size_t i = 0; i < nw; i++) {
		w[i] = (struct worker){.ix = ix, .procfd = procfd, .dents_size = 32 * 1024};
		if (!(w[i].dents = malloc(w[i].dents_size)))
			rc = -ENOMEM;
	}
	if (!rc)
		rc = ppool_run(npids, nw, scan_item, &j);
	for (size_t i = 0; i < nw; i++) {
		if (!rc)
			rc = merge_hits(snap, &w[i].hits, known);
		if (!rc)
			rc = uid_set_merge(&facts->refused, &w[i].facts.refused);
		snap->procs_scanned += w[i].scanned;
		snap->procs_denied += w[i].denied;
		snap->procs_vanished += w[i].vanished;
		free(w[i].hits.v);
		free(w[i].dents);
		buf_free(&w[i].stat);
		scan_facts_free(&w[i].facts);
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

/*
 * The /proc scan of the processes the iterator did not show: kernel threads, and
 * any process the kernel hides from iterators (some sandboxes hide their agent),
 * whose refused fd table must make a socket "no-permission", not "kernel". Run
 * only when a socket with a file found no owner, so it rarely costs anything.
 */
static int scan_unseen(struct ps_snapshot *snap, const struct ps_inode_index *ix,
		       struct attr_seen *seen, size_t nseen, const uint8_t *known,
		       struct scan_facts *facts)
{
	int procfd = open(roots_get()->proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return -errno;
	int *pids = NULL;
	size_t npids = 0, n = 0;
	int rc = list_pids(procfd, &pids, &npids);
	if (!rc) {
		for (size_t i = 0; i < npids; i++) {
			struct attr_seen p = {.pid = pids[i]}; /* seen is sorted (attr_bpf_scan) */
			if (!bsearch(&p, seen, nseen, sizeof *seen, attr_seen_cmp))
				pids[n++] = pids[i];
		}
		rc = scan_proc(snap, ix, procfd, pids, n, known, facts);
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
static int scan_bpf(struct ps_snapshot *snap, const struct ps_inode_index *ix,
		    const struct ps_filter *f, size_t host_socks, unsigned *why,
		    const uint8_t *known, struct scan_facts *facts)
{
	struct attr_bpf_query q = {.ix = ix, .netns = f->all_netns ? 0 : (uint32_t)snap->netns};
	uint64_t *inodes = NULL;
	int rc = 0;
	if (snap->nsocks <= ATTR_NARROW_MAX && snap->nsocks * 2 <= host_socks) {
		if (!(inodes = malloc((snap->nsocks + 1) * sizeof *inodes)))
			return -ENOMEM;
		for (size_t i = 0; i < snap->nsocks; i++)
			if (snap->socks[i].inode)
				inodes[q.ninodes++] = snap->socks[i].inode;
		q.inodes = inodes;
	}
	struct attr_hits h = {0};
	lnx_passenv_reset();
	rc = attr_bpf_scan(&q, &h, why);
	free(inodes);
	if (!rc)
		rc = merge_hits(snap, &h, known);
	snap->procs_scanned += h.nseen;
	if (!rc && unowned_files(snap))
		rc = scan_unseen(snap, ix, h.seen, h.nseen, known, facts);
	if (!rc) { /* the namespace census of this snapshot takes the pass's namespaces */
		lnx_census_hint(h.seen, h.nseen);
		h.seen = NULL;
	}
	attr_hits_free(&h);
	return rc;
}

/*
 * The auto rule. The /proc scan costs one directory per process and one readlink
 * per fd (~10 µs and ~1.5 µs here); loading the BPF program costs about 4 ms
 * whatever the host. So BPF pays off from about 2,000 sockets or 250 processes,
 * whatever the query asks for (a one-port /proc scan still reads every fd).
 */
#define BPF_MIN_SOCKETS 2000
#define BPF_MIN_PROCS 250

static const struct ps_attr_fallback attr_fallbacks[PS_ATTR__COUNT] = {
    [PS_ATTR_NOT_BUILT] = {"not-built",
			   "this portsleuth was built without BPF (needs clang, bpftool and "
			   "libbpf-dev)",
			   false},
    [PS_ATTR_SMALL_HOST] = {"small-host",
			    "few processes and sockets: the /proc scan costs less than loading BPF",
			    false},
    [PS_ATTR_NO_BTF] = {"no-btf", "the kernel has no BTF (/sys/kernel/btf/vmlinux)", false},
    [PS_ATTR_KERNEL_TOO_OLD] = {"kernel-too-old", "the kernel is older than 5.17", false},
    [PS_ATTR_NOT_PRIVILEGED] = {"not-privileged",
				"not privileged (needs root, or CAP_BPF and CAP_PERFMON)", false},
    [PS_ATTR_LOCKDOWN] = {"lockdown",
			  "kernel lockdown (confidentiality) forbids BPF reading kernel memory",
			  false},
    [PS_ATTR_LOAD_FAILED] = {"load-failed", "the kernel refused the BPF program", true},
};

const struct ps_attr_fallback *attr_fallback_of(unsigned why)
{
	return why && why < PS_ATTR__COUNT ? &attr_fallbacks[why] : NULL;
}

static void set_method(struct ps_snapshot *snap, const char *method, unsigned why)
{
	snap->attr_method = method;
	snap->attr_fallback = attr_fallback_of(why);
}

void lnx_attribute_prefetch(const struct ps_filter *f)
{
	struct stat st;
	/* a few namespaces' pass is cheap enough without overlap. Auto prefetches only where it
	 * would take BPF anyway (the host's sockets alone decide). */
	if (f->no_owners || f->attribution == PS_ATTRIB_PROC || f->all_netns || !attr_bpf_built() ||
	    (f->attribution == PS_ATTRIB_AUTO && sockets_in_use() < BPF_MIN_SOCKETS) ||
	    stat("/proc/self/ns/net", &st) != 0)
		return;
	/*
	 * A port query's pass hands the kernel the inodes of its few sockets, known only after
	 * the dump: the program is loaded meanwhile. (A pass filtered by port in the kernel could
	 * run beside the dump, but reading each socket's ports costs one more cache miss per
	 * socket than the inode lookup: over 98,000 sockets it took longer than the dump.)
	 */
	if (f->nports)
		attr_bpf_preload((uint32_t)st.st_ino, 4096);
	else
		attr_bpf_prefetch((uint32_t)st.st_ino);
}

/* Find the owners by the method the filter asks for; the method used goes into snap. */
static int find_owners(struct ps_snapshot *snap, const struct ps_inode_index *ix,
		       const struct ps_filter *f, struct scan_facts *facts)
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
		host_socks = host_sockets(snap);
	}
	if (f->attribution == PS_ATTRIB_AUTO && !attr_bpf_built()) {
		why = PS_ATTR_NOT_BUILT;
	} else if (f->attribution == PS_ATTRIB_AUTO) {
		bpf = host_socks >= BPF_MIN_SOCKETS;
		if (!bpf) {
			/* few sockets: the number of processes decides (and the /proc scan needs
			 * them) */
			if ((procfd = open(roots_get()->proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) <
			    0) {
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
		rc = scan_bpf(snap, ix, f, host_socks, &why, known, facts);
		/* --attribution bpf never falls back; auto does when nothing was merged yet */
		if (rc == 0 || f->attribution == PS_ATTRIB_BPF || snap->nowners > collected) {
			set_method(snap, rc ? NULL : "bpf", why);
			goto out;
		}
		snap->procs_scanned = 0;
	}
	if (procfd < 0 &&
	    (procfd = open(roots_get()->proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		rc = -errno;
		goto out;
	}
	if (!pids && (rc = list_pids(procfd, &pids, &npids)))
		goto out;
	set_method(snap, "proc", why);
	rc = scan_proc(snap, ix, procfd, pids, npids, known, facts);
out:
	free(known);
	free(pids);
	if (procfd >= 0)
		close(procfd);
	return rc;
}

/*
 * Sockets still without an owner get one more look: a fresh list of processes (a
 * holder that forked and exited hands its fds to a child the first list did not
 * have), merged only into those sockets. The counters keep the first pass's.
 */
static int rescan(struct ps_snapshot *snap, const struct ps_inode_index *ix,
		  struct scan_facts *facts)
{
	bool oom;
	uint8_t *known = collected_owners(snap, &oom);
	if (oom)
		return -ENOMEM;
	size_t scanned = snap->procs_scanned, denied = snap->procs_denied,
	       vanished = snap->procs_vanished;
	int *pids = NULL, rc = 0;
	size_t npids = 0;
	int procfd = open(roots_get()->proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		rc = -errno;
	if (!rc)
		rc = list_pids(procfd, &pids, &npids);
	if (!rc)
		rc = scan_proc(snap, ix, procfd, pids, npids, known, facts);
	snap->procs_scanned = scanned, snap->procs_denied = denied, snap->procs_vanished = vanished;
	free(pids);
	free(known);
	if (procfd >= 0)
		close(procfd);
	return rc;
}

static enum ps_owner_status status_of(const struct ps_socket *k, const struct scan_facts *facts,
				      int still_there)
{
	return owner_status_of(k, uid_set_has(&facts->refused, k->uid), still_there);
}

/* Sockets not found in any fd table: still there (kernel-held) or gone (owner exited)? */
static int recheck(struct ps_snapshot *snap, const struct ps_filter *f,
		   const struct scan_facts *facts)
{
	struct ps_snapshot now = {0};
	struct ps_filter g = *f; /* read only: its arrays stay the caller's */
	g.no_owners = true;	 /* no pass is started that nothing would take */
	/* with --all-ns the sockets of every namespace need rechecking, not only ours */
	int rc = f->all_netns ? platform_collect_all_netns(&now, &g) : platform_collect(&now, &g);
	struct ps_inode_index ix = {0};
	if (!rc)
		rc = inode_index_build(&ix, &now);
	for (size_t i = 0; i < snap->nsocks; i++) {
		struct ps_socket *k = &snap->socks[i];
		if (k->owner_status != PS_OWN_VANISHED)
			continue;
		if (rc == 0)
			k->owner_status =
			    (uint8_t)status_of(k, facts, inode_index_find(&ix, k->inode) >= 0);
	}
	inode_index_free(&ix);
	snap_free(&now);
	return rc;
}

/* Whether a socket is a user's held by no file table (uid 0: the kernel's own services). */
static bool held_by_none(const struct ps_socket *k)
{
	return k->inode && !k->owner_count && k->owner_status == PS_OWN_KERNEL && k->uid != 0;
}

/* Mark the sockets held by none that process pid (uid, network namespace netns) may hold. */
static int suspect_of(struct ps_snapshot *snap, int pid, uint32_t uid, uint64_t netns)
{
	int rc = 0;
	for (size_t i = 0; i < snap->nsocks && !rc; i++) {
		struct ps_socket *k = &snap->socks[i];
		if (held_by_none(k) && k->uid == uid && (!netns || k->netns == netns))
			rc = snap_add_ring_suspect(snap, k, pid);
	}
	return rc;
}

/*
 * A user's socket held by no file table may be a fixed file of a ring whose fd was registered
 * and closed, which /proc cannot read (the BPF pass reads the registered ring table). The
 * processes that map such a ring, of the socket's uid and namespace, are named as suspects: a
 * deduction the no-holder finding labels as one. Read only when such a socket is there.
 */
static int ring_suspects(struct ps_snapshot *snap)
{
	bool any = false;
	for (size_t i = 0; i < snap->nsocks && !any; i++)
		any = held_by_none(&snap->socks[i]);
	int procfd = any ? open(roots_get()->proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (procfd < 0)
		return 0;
	int *pids = NULL;
	size_t npids = 0;
	struct buf b = {0};
	int rc = list_pids(procfd, &pids, &npids);
	for (size_t i = 0; i < npids && !rc; i++) {
		char name[16];
		snprintf(name, sizeof name, "%d", pids[i]);
		int piddir = openat(procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		struct stat st, ns;
		if (piddir < 0)
			continue;
		if (fstat(piddir, &st) == 0 && uring_hidden_ring(piddir, &b))
			rc = suspect_of(snap, pids[i], (uint32_t)st.st_uid,
					fstatat(piddir, "ns/net", &ns, 0) == 0 ? (uint64_t)ns.st_ino
									       : 0);
		close(piddir);
	}
	buf_free(&b);
	free(pids);
	close(procfd);
	return rc;
}

/*
 * Room for the scan's descriptors: /proc, two per scanning thread, a netlink socket
 * and the files the details read. A lower soft limit is raised toward the hard one,
 * only this far; where it cannot be, the scan fails with -EMFILE (never a clean answer
 * that calls every socket "kernel").
 */
#define FDS_NEEDED 64

static void fd_limit_raise(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur >= FDS_NEEDED)
		return;
	rl.rlim_cur =
	    rl.rlim_max == RLIM_INFINITY || rl.rlim_max > FDS_NEEDED ? FDS_NEEDED : rl.rlim_max;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
}

int lnx_attribute(struct ps_snapshot *snap, const struct ps_filter *f)
{
	fd_limit_raise();
	lnx_census_hint(NULL, 0); /* a pass of an earlier snapshot says nothing of this one */
	struct ps_inode_index ix = {0};
	struct scan_facts facts = {0};
	int rc = inode_index_build(&ix, snap);
	if (rc)
		return rc;
	rc = find_owners(snap, &ix, f, &facts);
	attr_bpf_prefetch_drop(); /* taken, or not wanted after all (/proc chosen) */
	if (!rc && unowned_files(snap))
		rc = rescan(snap, &ix, &facts);
	inode_index_free(&ix);
	if (rc) {
		scan_facts_free(&facts);
		return rc;
	}
	snap_group_owners(snap);

	size_t unexplained = 0;
	for (size_t i = 0; i < snap->nsocks; i++) {
		struct ps_socket *k = &snap->socks[i];
		k->owner_status = (uint8_t)status_of(k, &facts, -1);
		/* "vanished" is provisional here: the recheck decides */
		unexplained += k->owner_status == PS_OWN_VANISHED;
	}
	/* procs_denied makes the result partial only when a shown socket is no-permission:
	 * snap_settle_partial decides, after the filters */
	if (unexplained)
		(void)recheck(snap, f, &facts); /* on failure the sockets stay "vanished" */
	scan_facts_free(&facts);
	return ring_suspects(snap) == -ENOMEM ? -ENOMEM : 0;
}
