/* SPDX-License-Identifier: GPL-2.0-or-later */
/* attr_bpf.c — socket owners from one pass of the sockfd BPF iterator (only with -DHAVE_BPF). */
#include "attr_bpf.h"
#include "../../util/grow.h"

#include <errno.h>
#include <stdlib.h>

int attr_hits_add(struct attr_hits *h, uint32_t sock, int32_t pid, int32_t fd)
{
	if (util_grow((void **)&h->v, &h->cap, h->n + 1, sizeof *h->v))
		return -ENOMEM;
	h->v[h->n++] = (struct attr_hit){.sock = sock, .pid = pid, .fd = fd};
	return 0;
}

void attr_ident_free(struct attr_ident *id)
{
	free(id->cmdline);
	free(id->env);
	*id = (struct attr_ident){0};
}

void attr_hits_free(struct attr_hits *h)
{
	for (size_t i = 0; i < h->nowners; i++)
		attr_ident_free(&h->owners[i].id);
	free(h->v);
	free(h->seen);
	free(h->owners);
	*h = (struct attr_hits){0};
}

static int cmp_owner(const void *a, const void *b)
{
	int32_t x = ((const struct attr_owner *)a)->pid, y = ((const struct attr_owner *)b)->pid;
	return (x > y) - (x < y);
}

int attr_seen_cmp(const void *a, const void *b)
{
	int32_t x = ((const struct attr_seen *)a)->pid, y = ((const struct attr_seen *)b)->pid;
	return (x > y) - (x < y);
}

struct attr_owner *attr_hits_owner(const struct attr_hits *h, int32_t pid)
{
	struct attr_owner key = {.pid = pid};
	return h->nowners ? bsearch(&key, h->owners, h->nowners, sizeof key, cmp_owner) : NULL;
}

#ifndef HAVE_BPF

bool attr_bpf_built(void)
{
	return false;
}

void attr_bpf_prefetch(uint32_t netns)
{
	(void)netns;
}

void attr_bpf_preload(uint32_t netns, size_t room)
{
	(void)netns;
	(void)room;
}

void attr_bpf_prefetch_drop(void)
{
}

int attr_bpf_scan(const struct attr_bpf_query *q, struct attr_hits *out, unsigned *why)
{
	(void)q;
	(void)out;
	*why = PS_ATTR_NOT_BUILT;
	return -ENOTSUP;
}

#else

#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <linux/types.h>

#include "../../util/buf.h"
#include "../../util/str.h"
#include "backend.h"
#include "bpf/sockfd.h"
#include "bpf/sockfd.lskel.h"  /* generated and committed (mk/bpfskel.sh) */
#include "bpf/sockfd0.lskel.h" /* the same program, not sleepable */
#include "bpf/sockone.h"
#include "bpf/sockone.lskel.h" /* the narrow pass (sockone.bpf.c) */
#include "roots.h"
#include "uring.h"

/*
 * The light skeleton's loader relocates the program inside the kernel (CO-RE
 * with the kernel's own BTF, 5.17+), so loading costs a few milliseconds instead
 * of libbpf parsing all of /sys/kernel/btf/vmlinux in our process.
 */
static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;
	if (uname(&u) || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return true; /* unknown: let the load decide */
	return ma > major || (ma == major && mi >= minor);
}

/* Whether the kernel is locked down against reading its memory (which the iterator does). */
static bool locked_down(void)
{
	char buf[128];
	int fd = open("/sys/kernel/security/lockdown", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return strstr(buf, "[confidentiality]") != NULL;
}

/*
 * The PID namespace whose numbers /proc uses: ours when /proc/self is our pid,
 * else that of /proc's pid 1 (a PID namespace entered without remounting /proc).
 */
static int proc_pidns(uint32_t *out)
{
	char self[32];
	struct stat st;
	ssize_t n = readlink("/proc/self", self, sizeof self - 1);
	if (n < 0)
		return -errno;
	self[n] = '\0';
	const char *ns = atoi(self) == (int)getpid() ? "/proc/self/ns/pid" : "/proc/1/ns/pid";
	if (stat(ns, &st))
		return -errno;
	*out = (uint32_t)st.st_ino;
	return 0;
}

/* Put the wanted inodes in the map: one batch call, else one call per inode. */
static int fill_wanted(int map_fd, const uint64_t *inodes, size_t n)
{
	uint8_t *one = malloc(n);
	if (!one)
		return -ENOMEM;
	memset(one, 1, n);
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.batch.map_fd = (__u32)map_fd;
	a.batch.keys = (__u64)(uintptr_t)inodes;
	a.batch.values = (__u64)(uintptr_t)one;
	a.batch.count = (__u32)n;
	int rc = 0;
	if (skel_sys_bpf(BPF_MAP_UPDATE_BATCH, &a, sizeof a) < 0)
		for (size_t i = 0; i < n && !rc; i++)
			if (skel_map_update_elem(map_fd, &inodes[i], one, BPF_ANY) < 0)
				rc = -errno;
	free(one);
	return rc;
}

static int add_seen(struct attr_hits *h, int32_t pid, uint32_t netns)
{
	if (util_grow((void **)&h->seen, &h->seen_cap, h->nseen + 1, sizeof *h->seen))
		return -ENOMEM;
	h->seen[h->nseen++] = (struct attr_seen){pid, netns};
	return 0;
}

/* The sockets ring `r` (a SOCKFD_RING record) holds as fixed files become hits. */
struct ring_ctx {
	const struct ps_inode_index *ix;
	struct attr_hits *out;
	int32_t pid;
};

static int ring_found(void *ctx, uint32_t idx, uint64_t ino)
{
	struct ring_ctx *c = ctx;
	long k = inode_index_find(c->ix, ino);
	return k < 0 ? 0 : attr_hits_add(c->out, (uint32_t)k, c->pid, PS_FD_FIXED(idx));
}

static int read_ring(const struct sockfd_rec *r, const struct ps_inode_index *ix,
		     struct attr_hits *out, struct buf *b)
{
	int procfd = open(roots_get()->proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return 0;
	char rel[96];
	snprintf(rel, sizeof rel, "%d/task/%llu/fdinfo/%d", r->pid, (unsigned long long)r->inode,
		 r->fd);
	struct ring_ctx c = {ix, out, r->pid};
	int rc = uring_fixed_sockets(procfd, rel, b, ring_found, &c);
	close(procfd);
	return rc == -ENOMEM ? rc : 0; /* a ring gone or busy: its sockets stay unowned */
}

static int cmp_hit(const void *a, const void *b)
{
	const struct attr_hit *x = a, *y = b;
	if (x->pid != y->pid)
		return (x->pid > y->pid) - (x->pid < y->pid);
	if (x->sock != y->sock)
		return (x->sock > y->sock) - (x->sock < y->sock);
	return (x->fd > y->fd) - (x->fd < y->fd);
}

/*
 * Threads with file tables of their own come in task order, after other processes: sort the
 * hits by process (merge_hits wants each process's together) without repeats (threads sharing
 * one table), and the markers without repeats (the scanned count).
 */
static void normalize(struct attr_hits *h)
{
	bool owners_sorted = true;
	for (size_t i = 1; i < h->nowners && owners_sorted; i++)
		owners_sorted = h->owners[i - 1].pid < h->owners[i].pid;
	if (!owners_sorted) /* a pid's records are all alike: repeats stay harmless */
		qsort(h->owners, h->nowners, sizeof *h->owners, cmp_owner);
	bool sorted = true;
	for (size_t i = 1; i < h->n && sorted; i++)
		sorted = h->v[i - 1].pid <= h->v[i].pid;
	for (size_t i = 1; i < h->nseen && sorted; i++)
		sorted = h->seen[i - 1].pid < h->seen[i].pid;
	if (sorted)
		return;
	qsort(h->v, h->n, sizeof *h->v, cmp_hit);
	size_t n = 0;
	for (size_t i = 0; i < h->n; i++)
		if (!n || cmp_hit(&h->v[n - 1], &h->v[i]) != 0)
			h->v[n++] = h->v[i];
	h->n = n;
	qsort(h->seen, h->nseen, sizeof *h->seen, attr_seen_cmp);
	n = 0;
	for (size_t i = 0; i < h->nseen; i++)
		if (!n || h->seen[n - 1].pid != h->seen[i].pid)
			h->seen[n++] = h->seen[i];
	h->nseen = n;
}

/* Rings found in a pass: their fixed files are read from /proc once the pass is over. A kept
 * pass (the prefetch) also keeps its process records, in procs (a SOCKFD_PROC record's inode
 * is its index there). */
struct recs {
	struct sockfd_rec *v;
	size_t n, cap;
	struct sockfd_proc *procs;
	struct attr_ident *idents; /* procs[i]'s program */
	size_t nprocs, procs_cap, idents_cap;
};

static void recs_free(struct recs *r)
{
	for (size_t i = 0; r->idents && i < r->nprocs; i++)
		attr_ident_free(&r->idents[i]);
	free(r->v);
	free(r->procs);
	free(r->idents);
	*r = (struct recs){0};
}

static int recs_add(struct recs *r, const struct sockfd_rec *x)
{
	if (util_grow((void **)&r->v, &r->cap, r->n + 1, sizeof *r->v))
		return -ENOMEM;
	r->v[r->n++] = *x;
	return 0;
}

/* Nanoseconds per clock tick (/proc's starttime counts USER_HZ ticks). */
static uint64_t ns_per_tick(void)
{
	long hz = sysconf(_SC_CLK_TCK);
	return hz > 0 && hz <= 1000000000 ? 1000000000ull / (uint64_t)hz : 10000000ull;
}

/*
 * Kernel addresses become keys (never shown, only compared), mixed with a secret of this run so
 * that no address is kept as such: one address gives an exact key (fmix64 and the xor are
 * bijective); the view key folds three into 64 bits. 0: an address is missing (unknown).
 */
static uint64_t fmix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return h;
}

static uint64_t secret;
static pthread_once_t secret_once = PTHREAD_ONCE_INIT;

static void secret_init(void)
{
	if (getrandom(&secret, sizeof secret, GRND_NONBLOCK) != (ssize_t)sizeof secret)
		secret = (uint64_t)time(NULL) ^ (uint64_t)getpid() << 32;
}

static uint64_t key_of_addrs(const uint64_t *a, size_t n)
{
	pthread_once(&secret_once, secret_init);
	uint64_t h = secret;
	for (size_t i = 0; i < n; i++) {
		if (!a[i])
			return 0;
		h = fmix64(h ^ a[i]);
	}
	return h; /* 0 (one address in 2^64): unknown, /proc is read */
}

/* A process record becomes the owner facts of its pid (id moves there). */
static int add_owner(struct attr_hits *h, int32_t pid, const struct sockfd_proc *p,
		     struct attr_ident *id)
{
	if (util_grow((void **)&h->owners, &h->owners_cap, h->nowners + 1, sizeof *h->owners)) {
		attr_ident_free(id);
		return -ENOMEM;
	}
	struct attr_owner *o = &h->owners[h->nowners++];
	*o = (struct attr_owner){.pid = pid,
				 .ppid = p->ppid,
				 .euid = p->euid,
				 .start = p->start_ns / ns_per_tick(),
				 .userns = p->userns,
				 .mntns = p->mntns};
	const uint64_t view[] = {p->exe_inode, p->root_mnt, p->root_dentry};
	o->view = key_of_addrs(view, 3);
	const uint64_t cgroups[] = {p->cgroups};
	o->cgset = key_of_addrs(cgroups, 1);
	o->pid_ino = p->pid_ino;
	memcpy(o->comm, p->comm, sizeof o->comm);
	o->comm[sizeof o->comm - 1] = '\0';
	o->id = *id;
	*id = (struct attr_ident){0};
	return 0;
}

/* One record: a marker counts a process, a socket found in ix becomes a hit, a ring waits, a
 * process record (p, and its program: id, taken) describes the owner. */
static int take_record(const struct sockfd_rec *r, const struct sockfd_proc *p,
		       struct attr_ident *id, const struct ps_inode_index *ix,
		       struct attr_hits *out, struct recs *rings)
{
	if (r->fd < 0 && r->kind == SOCKFD_PROC)
		return p ? add_owner(out, r->pid, p, id) : 0;
	if (r->fd < 0)
		return add_seen(out, r->pid, r->netns);
	if (r->kind == SOCKFD_RING)
		return recs_add(rings, r);
	long k = inode_index_find(ix, r->inode);
	int32_t fd = r->kind == SOCKFD_RINGREG ? PS_FD_RINGREG((uint32_t)r->fd) : r->fd;
	return k >= 0 ? attr_hits_add(out, (uint32_t)k, r->pid, fd) : 0;
}

/* The rings' sockets, then the hits in order (after the pass's records, unless rc). */
static int finish_records(int rc, struct recs *rings, const struct ps_inode_index *ix,
			  struct attr_hits *out)
{
	struct buf b = {0};
	for (size_t i = 0; i < rings->n && !rc; i++)
		rc = read_ring(&rings->v[i], ix, out, &b);
	buf_free(&b);
	recs_free(rings);
	if (!rc)
		normalize(out);
	return rc;
}

typedef int (*take_fn)(void *ctx, const struct sockfd_rec *r, const struct sockfd_proc *p,
		       struct attr_ident *id);

/*
 * The command line /proc/PID/cmdline reads (get_mm_cmdline) from the first `have` bytes of the
 * area: the arguments; or, when their last byte is not NUL (setproctitle), one page from their
 * start up to its first NUL (with it) within the area (none in it: false, /proc reads on past
 * the area). Its length in *len; false when the area
 * was cut before what it needs.
 */
static bool area_cmdline(const struct sockfd_ident *id, const char *a, size_t have, size_t *len)
{
	if (!id->arg_len || id->arg_len > have)
		return false;
	if (a[id->arg_len - 1] == '\0') {
		*len = (size_t)id->arg_len;
		return true;
	}
	long page = sysconf(_SC_PAGESIZE);
	if (page <= 0)
		return false;
	size_t want = (uint64_t)page < id->total ? (size_t)page : (size_t)id->total;
	if (want > have)
		return false;
	size_t n = strnlen(a, want);
	if (n == want && want < (size_t)page)
		return false; /* no NUL in the whole area: /proc reads on past it, up to a page */
	*len = n < want ? n + 1 : want;
	return true;
}

/* The entries of an environment block that svcinfo asks about, in order (NULL: none). */
static int env_keep(const char *env, size_t len, struct attr_ident *out)
{
	struct buf b = {0};
	for (const char *s = env, *end = env + len; s < end;) {
		const char *z = memchr(s, '\0', (size_t)(end - s));
		if (!z)
			break; /* unterminated: absent, as svcinfo takes it */
		size_t n = (size_t)(z - s) + 1;
		if (lnx_env_wanted(s, n - 1) && buf_append(&b, s, n)) {
			buf_free(&b);
			return -ENOMEM;
		}
		s = z + 1;
	}
	out->env = b.data;
	out->env_len = b.len;
	return 0;
}

/*
 * What a process record's program part says (id and the area's bytes that followed), as
 * describe and svcinfo keep it. 0 or -ENOMEM.
 */
static int ident_of(const struct sockfd_ident *id, const char *area, struct attr_ident *out)
{
	*out = (struct attr_ident){0};
	size_t len, have = id->flags & SOCKFD_ID_AREA ? id->area_len : 0;
	if (!(id->flags & SOCKFD_ID_ONE) || !have || !id->exe_ino ||
	    !area_cmdline(id, area, have, &len))
		return 0;
	out->exe_dev = (uint64_t)makedev(id->exe_dev >> 20, id->exe_dev & 0xfffff);
	out->exe_ino = id->exe_ino;
	size_t shown = cmdline_shown_len(area, len);
	if (shown && !(out->cmdline = str_dup_n(area, shown)))
		return -ENOMEM;
	out->cmdline_len = shown;
	out->have = ATTR_ID_CMDLINE;
	if (have == id->total) { /* the whole environment is here */
		if (env_keep(area + id->arg_len, have - (size_t)id->arg_len, out)) {
			attr_ident_free(out);
			return -ENOMEM;
		}
		out->have |= ATTR_ID_ENV;
	}
	return 0;
}

/* The bytes of the record at `at` (have of them there); 0 when they are not all there yet. */
static size_t record_size(const char *at, size_t have)
{
	const size_t rs = sizeof(struct sockfd_rec), ps = sizeof(struct sockfd_proc),
		     is = sizeof(struct sockfd_ident);
	struct sockfd_rec r;
	if (have < rs)
		return 0;
	memcpy(&r, at, rs);
	if (!(r.fd < 0 && r.kind == SOCKFD_PROC))
		return rs;
	if (have < rs + ps + is)
		return 0;
	struct sockfd_ident id;
	memcpy(&id, at + rs + ps, is);
	size_t n = rs + ps + is + (id.area_len < SOCKFD_AREA_MAX ? id.area_len : 0);
	return have < n ? 0 : n;
}

/* One record (all there), to take(ctx, ...). */
static int take_one(const char *at, take_fn take, void *ctx)
{
	const size_t rs = sizeof(struct sockfd_rec), ps = sizeof(struct sockfd_proc),
		     is = sizeof(struct sockfd_ident);
	struct sockfd_rec r;
	memcpy(&r, at, rs);
	if (!(r.fd < 0 && r.kind == SOCKFD_PROC))
		return take(ctx, &r, NULL, NULL);
	struct sockfd_proc p;
	struct sockfd_ident id;
	struct attr_ident a;
	memcpy(&p, at + rs, ps);
	memcpy(&id, at + rs + ps, is);
	if (id.area_len >= SOCKFD_AREA_MAX)
		id.area_len = 0;
	if (ident_of(&id, at + rs + ps + is, &a))
		return -ENOMEM;
	return take(ctx, &r, &p, &a);
}

/* Read every record of the iterator, each to take(ctx, record, its process record and program)
 * as it comes. */
static int read_records(int iter_fd, take_fn take, void *ctx)
{
	size_t size = 4096 * sizeof(struct sockfd_rec) + 2 * SOCKFD_AREA_MAX, have = 0;
	char *buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	int rc = 0;
	for (;;) {
		ssize_t n = read(iter_fd, buf + have, size - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			break;
		}
		if (n == 0)
			break;
		have += (size_t)n;
		size_t off = 0, len;
		while (!rc && (len = record_size(buf + off, have - off)) != 0) {
			rc = take_one(buf + off, take, ctx);
			off += len;
		}
		if (rc)
			break;
		/* a record cut by the read's end waits for the next read */
		memmove(buf, buf + off, have - off);
		have -= off;
	}
	free(buf);
	return rc;
}

/* read_records' consumer for a pass joined as it is read. */
struct join_ctx {
	const struct ps_inode_index *ix;
	struct attr_hits *out;
	struct recs rings;
};

static int join_take(void *ctx, const struct sockfd_rec *r, const struct sockfd_proc *p,
		     struct attr_ident *id)
{
	struct join_ctx *c = ctx;
	return take_record(r, p, id, c->ix, c->out, &c->rings);
}

/* read_records' consumer for a pass kept whole (the sockets were not listed yet). */
static int keep_take(void *ctx, const struct sockfd_rec *r, const struct sockfd_proc *p,
		     struct attr_ident *id)
{
	struct recs *k = ctx;
	if (!p)
		return recs_add(k, r);
	if (util_grow((void **)&k->procs, &k->procs_cap, k->nprocs + 1, sizeof *k->procs) ||
	    util_grow((void **)&k->idents, &k->idents_cap, k->nprocs + 1, sizeof *k->idents)) {
		attr_ident_free(id);
		return -ENOMEM;
	}
	k->procs[k->nprocs] = *p;
	k->idents[k->nprocs] = *id;
	struct sockfd_rec x = *r;
	x.inode = k->nprocs++;
	return recs_add(k, &x);
}

/*
 * Why a load failed, from its errno and what the system says. The kernel version
 * is only consulted after a failure: distributions backport BPF features.
 */
static unsigned load_failure(int err)
{
	if (locked_down())
		return PS_ATTR_LOCKDOWN;
	if (err == -EPERM || err == -EACCES)
		return PS_ATTR_NOT_PRIVILEGED;
	if (!kernel_at_least(5, 17))
		return PS_ATTR_KERNEL_TOO_OLD;
	return PS_ATTR_LOAD_FAILED;
}

bool attr_bpf_built(void)
{
	return true;
}

/*
 * A loaded program: the sleepable one (s), or the plain one (s0) where the kernel refused it
 * (its records then say nothing of the owners' programs: /proc is read for them).
 */
struct prog {
	struct sockfd *s;
	struct sockfd0 *s0;
};

static void prog_destroy(struct prog *p)
{
	if (p->s)
		sockfd__destroy(p->s);
	if (p->s0)
		sockfd0__destroy(p->s0);
	*p = (struct prog){0};
}

/* Load the sleepable program, else the plain one. 0, or -errno (the plain one's). */
static int prog_load(struct prog *p, uint32_t netns, uint32_t pidns)
{
	*p = (struct prog){0};
	if ((p->s = sockfd__open()) != NULL) {
		p->s->rodata->want_netns = netns;
		p->s->rodata->reader_pidns = pidns;
		if (sockfd__load(p->s) == 0)
			return 0;
		prog_destroy(p);
	}
	if (!(p->s0 = sockfd0__open()))
		return -ENOMEM;
	p->s0->rodata->want_netns = netns;
	p->s0->rodata->reader_pidns = pidns;
	int rc = sockfd0__load(p->s0);
	if (rc)
		prog_destroy(p);
	return rc == 0 ? 0 : rc < 0 ? rc : -EINVAL;
}

/* What a load needs first: the kernel's BTF and the PID namespace /proc numbers pids in. */
static int load_prep(uint32_t *pidns, unsigned *why)
{
	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		*why = errno == EACCES ? PS_ATTR_NOT_PRIVILEGED : PS_ATTR_NO_BTF;
		return -ENOENT;
	}
	int rc = proc_pidns(pidns);
	if (rc)
		*why = PS_ATTR_LOAD_FAILED;
	return rc;
}

/* Open and load the program for every socket of namespace netns (0: all). 0, or -errno with
 * *why. */
static int pass_load(uint32_t netns, struct prog *out, unsigned *why)
{
	*out = (struct prog){0};
	uint32_t pidns = 0;
	int rc = load_prep(&pidns, why);
	if (rc)
		return rc;
	if ((rc = prog_load(out, netns, pidns)) != 0)
		*why = rc == -ENOMEM ? PS_ATTR_LOAD_FAILED : load_failure(rc);
	return rc;
}

/* Open and load the narrow pass (sockone.bpf.c) for up to `room` wanted inodes of namespace
 * netns. 0, or -errno with *why. */
static int narrow_load(uint32_t netns, size_t room, struct sockone **out, unsigned *why)
{
	*out = NULL;
	uint32_t pidns = 0;
	int rc = load_prep(&pidns, why);
	if (rc)
		return rc;
	struct sockone *skel = sockone__open();
	if (!skel) {
		*why = PS_ATTR_LOAD_FAILED;
		return -ENOMEM;
	}
	skel->rodata->want_netns = netns;
	skel->rodata->reader_pidns = pidns;
	skel->maps.wanted.max_entries = room ? (__u32)room : 1;
	if ((rc = sockone__load(skel)) != 0) {
		rc = rc < 0 ? rc : -EINVAL;
		*why = load_failure(rc);
		sockone__destroy(skel);
		return rc;
	}
	*out = skel;
	return 0;
}

/* Run loaded program prog_fd once, each record to take(ctx, record). 0, or -errno with *why. */
static int iter_run(int prog_fd, take_fn take, void *ctx, unsigned *why)
{
	int rc = 0, link_fd = skel_link_create(prog_fd, 0, BPF_TRACE_ITER);
	if (link_fd < 0) {
		rc = -errno;
		*why = load_failure(rc);
		return rc;
	}
	union bpf_attr a;
	memset(&a, 0, sizeof a);
	a.iter_create.link_fd = (__u32)link_fd;
	int iter_fd = skel_sys_bpf(BPF_ITER_CREATE, &a, sizeof a);
	if (iter_fd < 0) {
		rc = -errno;
		*why = load_failure(rc);
	} else {
		rc = read_records(iter_fd, take, ctx);
		if (rc)
			*why = PS_ATTR_LOAD_FAILED;
		close(iter_fd);
	}
	close(link_fd);
	return rc;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Hand a loaded narrow pass q's inodes: its map, its filter and their number. */
static int narrow_want(struct sockone *skel, const struct attr_bpf_query *q)
{
	uint64_t *v = malloc(q->ninodes * sizeof *v);
	if (!v)
		return -ENOMEM;
	memcpy(v, q->inodes, q->ninodes * sizeof *v);
	qsort(v, q->ninodes, sizeof *v, cmp_u64);
	size_t n = 0;
	for (size_t i = 0; i < q->ninodes; i++)
		if (!n || v[n - 1] != v[i])
			v[n++] = v[i];
	int rc = fill_wanted(skel->maps.wanted.map_fd, v, n);
	memset(skel->bss->want_bits, 0, sizeof skel->bss->want_bits);
	for (size_t i = 0; i < n; i++) {
		uint32_t bit = sockone_bit(v[i]);
		skel->bss->want_bits[bit / 64] |= 1ull << (bit % 64);
	}
	skel->bss->nwanted = (__u32)n;
	free(v);
	return rc;
}

/* Run a loaded narrow pass once for q (its inodes), each record to take(ctx, record). 0, or
 * -errno with *why; -E2BIG: a file table was larger than the pass walks (its records are to be
 * dropped for a full pass). */
static int narrow_iter(struct sockone *skel, const struct attr_bpf_query *q, take_fn take,
		       void *ctx, unsigned *why)
{
	int rc = narrow_want(skel, q);
	if (rc) {
		*why = PS_ATTR_LOAD_FAILED;
		return rc;
	}
	rc = iter_run(skel->progs.sockone.prog_fd, take, ctx, why);
	return !rc && skel->bss->too_big ? -E2BIG : rc;
}

/* One pass of the iterator for q, each record to take(ctx, record): the narrow program when q
 * has wanted inodes. 0, or -errno with *why. */
static int bpf_pass(const struct attr_bpf_query *q, take_fn take, void *ctx, unsigned *why)
{
	int rc;
	if (q->inodes) {
		struct sockone *one;
		if ((rc = narrow_load(q->netns, q->ninodes, &one, why)))
			return rc;
		rc = narrow_iter(one, q, take, ctx, why);
		sockone__destroy(one);
		return rc;
	}
	struct prog p;
	if ((rc = pass_load(q->netns, &p, why)))
		return rc;
	rc = iter_run(p.s ? p.s->progs.sockfd.prog_fd : p.s0->progs.sockfd.prog_fd, take, ctx, why);
	prog_destroy(&p);
	return rc;
}

/*
 * A pass started before the sockets were listed (attr_bpf_prefetch), run in a thread
 * of its own while the dumps run; its records wait for the index. Or, for a narrow query
 * (attr_bpf_preload), only the program's load: the pass runs once the wanted inodes are known.
 */
static struct prefetch {
	bool running;
	pthread_t id;
	uint32_t netns;
	bool preload; /* load only, for a narrow pass of up to `room` inodes */
	size_t room;
	struct sockone *loaded; /* preload: the narrow program, loaded */
	struct recs recs;
	int rc;
	unsigned why;
} pf;

static void *prefetch_run(void *arg)
{
	(void)arg;
	struct attr_bpf_query q = {.netns = pf.netns};
	if (pf.preload)
		pf.rc = narrow_load(pf.netns, pf.room, &pf.loaded, &pf.why);
	else
		pf.rc = bpf_pass(&q, keep_take, &pf.recs, &pf.why);
	return NULL;
}

static void prefetch_start(uint32_t netns, bool preload, size_t room)
{
	attr_bpf_prefetch_drop();
	pf = (struct prefetch){.netns = netns, .preload = preload, .room = room};
	pf.running = pthread_create(&pf.id, NULL, prefetch_run, NULL) == 0;
}

void attr_bpf_prefetch(uint32_t netns)
{
	prefetch_start(netns, false, 0);
}

void attr_bpf_preload(uint32_t netns, size_t room)
{
	prefetch_start(netns, true, room);
}

void attr_bpf_prefetch_drop(void)
{
	if (pf.running)
		pthread_join(pf.id, NULL);
	if (pf.loaded)
		sockone__destroy(pf.loaded);
	recs_free(&pf.recs);
	pf = (struct prefetch){0};
}

/*
 * Let the kept records' array become the hits' (out has none yet): record i makes at most one
 * hit, at an index no higher than i, each no larger than a record, so hits are written over
 * records already read. At 98k sockets the two arrays side by side were 5 MB at the peak.
 */
static void hits_over_records(struct attr_hits *out)
{
	if (out->v || !pf.recs.v || sizeof(struct attr_hit) > sizeof(struct sockfd_rec) ||
	    _Alignof(struct attr_hit) > _Alignof(struct sockfd_rec))
		return;
	out->v = (struct attr_hit *)(void *)pf.recs.v;
	out->cap = pf.recs.cap * sizeof(struct sockfd_rec) / sizeof(struct attr_hit);
	out->n = 0;
}

/* A narrow pass's records dropped (-E2BIG: a file table too large for it), a full pass instead.
 */
static int full_again(const struct attr_bpf_query *q, struct join_ctx *c, unsigned *why)
{
	recs_free(&c->rings);
	attr_hits_free(c->out);
	struct attr_bpf_query all = *q;
	all.inodes = NULL;
	all.ninodes = 0;
	return bpf_pass(&all, join_take, c, why);
}

int attr_bpf_scan(const struct attr_bpf_query *q, struct attr_hits *out, unsigned *why)
{
	struct join_ctx c = {.ix = q->ix, .out = out};
	if (pf.running && pf.preload) {
		/* the program loaded beside the dumps: this narrow pass runs it, when it fits */
		pthread_join(pf.id, NULL);
		pf.running = false;
		if (!pf.rc && pf.netns == q->netns && q->inodes && q->ninodes <= pf.room) {
			int rc = narrow_iter(pf.loaded, q, join_take, &c, why);
			attr_bpf_prefetch_drop();
			if (rc == -E2BIG)
				rc = full_again(q, &c, why);
			return finish_records(rc, &c.rings, q->ix, out);
		}
	}
	if (!pf.running || pf.netns != q->netns) {
		attr_bpf_prefetch_drop();
		int rc = bpf_pass(q, join_take, &c, why);
		if (rc == -E2BIG)
			rc = full_again(q, &c, why);
		return finish_records(rc, &c.rings, q->ix, out);
	}
	/* every socket's records: a narrow query's are among them */
	pthread_join(pf.id, NULL);
	pf.running = false;
	int rc = pf.rc;
	*why = pf.why;
	hits_over_records(out);
	for (size_t i = 0; i < pf.recs.n && !rc; i++) {
		const struct sockfd_rec r = pf.recs.v[i]; /* a copy: a hit may be written over it */
		bool proc = r.fd < 0 && r.kind == SOCKFD_PROC;
		rc = take_record(&r, proc ? &pf.recs.procs[r.inode] : NULL,
				 proc ? &pf.recs.idents[r.inode] : NULL, q->ix, out, &c.rings);
	}
	if (out->v == (void *)pf.recs.v)
		pf.recs.v = NULL; /* the hits' now */
	attr_bpf_prefetch_drop();
	return finish_records(rc, &c.rings, q->ix, out);
}

#endif
