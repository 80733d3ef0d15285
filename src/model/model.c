/* SPDX-License-Identifier: GPL-2.0-or-later */
/* model.c — growing, grouping, sorting and indexing the snapshot. */
#include "model.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/grow.h"
#include "../util/str.h"
#include "fwmodel.h"
#include "verdict.h"

struct ps_socket *snap_add_socket(struct ps_snapshot *s)
{
	if (util_grow((void **)&s->socks, &s->socks_cap, s->nsocks + 1, sizeof *s->socks))
		return NULL;
	struct ps_socket *k = &s->socks[s->nsocks++];
	memset(k, 0, sizeof *k);
	return k;
}

static struct ps_sock_more *more_of(const struct ps_snapshot *s, const struct ps_socket *k)
{
	return k->more && k->more <= s->nmore ? &s->more[k->more - 1] : NULL;
}

/* Socket k's entry, added empty when it has none. NULL when out of memory. */
static struct ps_sock_more *more_get(struct ps_snapshot *s, struct ps_socket *k)
{
	struct ps_sock_more *m = more_of(s, k);
	if (m)
		return m;
	if (util_grow((void **)&s->more, &s->more_cap, s->nmore + 1, sizeof *s->more))
		return NULL;
	m = &s->more[s->nmore++];
	memset(m, 0, sizeof *m);
	k->more = (uint32_t)s->nmore;
	return m;
}

const struct ps_tcp_stats *snap_tcp(const struct ps_snapshot *s, const struct ps_socket *k)
{
	const struct ps_sock_more *m = more_of(s, k);
	return m && m->tcp.valid ? &m->tcp : NULL;
}

int snap_set_tcp(struct ps_snapshot *s, struct ps_socket *k, const struct ps_tcp_stats *t)
{
	struct ps_sock_more *m = t && t->valid ? more_get(s, k) : more_of(s, k);
	if (!m)
		return t && t->valid ? -ENOMEM : 0;
	if (t && t->valid)
		m->tcp = *t;
	else
		m->tcp.valid = false;
	return 0;
}

void snap_clear_tcp(struct ps_snapshot *s)
{
	for (size_t i = 0; i < s->nmore; i++)
		s->more[i].tcp.valid = false;
}

int32_t snap_ring_suspect(const struct ps_snapshot *s, const struct ps_socket *k, uint32_t *n)
{
	const struct ps_sock_more *m = more_of(s, k);
	*n = m ? m->ring_suspects : 0;
	return m ? m->ring_suspect : 0;
}

int snap_add_ring_suspect(struct ps_snapshot *s, struct ps_socket *k, int32_t pid)
{
	struct ps_sock_more *m = more_get(s, k);
	if (!m)
		return -ENOMEM;
	if (!m->ring_suspects++)
		m->ring_suspect = pid;
	return 0;
}

int64_t snap_created(const struct ps_snapshot *s, const struct ps_socket *k)
{
	const struct ps_sock_more *m = more_of(s, k);
	return m ? m->created : 0;
}

int snap_set_created(struct ps_snapshot *s, struct ps_socket *k, int64_t t)
{
	struct ps_sock_more *m = t > 0 ? more_get(s, k) : NULL;
	if (m)
		m->created = t;
	return t > 0 && !m ? -ENOMEM : 0;
}

int snap_add_socket_copy(struct ps_snapshot *to, const struct ps_snapshot *from,
			 const struct ps_socket *src)
{
	const struct ps_sock_more *m = more_of(from, src);
	struct ps_socket *dst = snap_add_socket(to);
	if (!dst)
		return -ENOMEM;
	*dst = *src;
	dst->more = 0; /* an index into from's facts, not to's */
	if (!m)
		return 0;
	struct ps_sock_more *d = more_get(to, dst);
	if (!d)
		return -ENOMEM;
	*d = *m;
	return 0;
}

long snap_add_proc(struct ps_snapshot *s, int pid)
{
	if (util_grow((void **)&s->procs, &s->procs_cap, s->nprocs + 1, sizeof *s->procs))
		return -ENOMEM;
	struct ps_proc *p = &s->procs[s->nprocs];
	memset(p, 0, sizeof *p);
	p->pid = pid;
	p->ppid = -1;
	p->start_time = -1;
	return (long)s->nprocs++;
}

/* Shrink an array grown by util_grow to its n entries (of size sz), keeping it when it cannot. */
static void fit(void **v, size_t *cap, size_t n, size_t sz)
{
	if (!*v || !n || n >= *cap)
		return;
	void *x = realloc(*v, n * sz);
	if (x) {
		*v = x;
		*cap = n;
	}
}

void snap_compact(struct ps_snapshot *s)
{
	fit((void **)&s->socks, &s->socks_cap, s->nsocks, sizeof *s->socks);
	fit((void **)&s->procs, &s->procs_cap, s->nprocs, sizeof *s->procs);
	fit((void **)&s->owners, &s->owners_cap, s->nowners, sizeof *s->owners);
}

int snap_add_owner(struct ps_snapshot *s, uint32_t sock, uint32_t proc, int32_t fd)
{
	if (util_grow((void **)&s->owners, &s->owners_cap, s->nowners + 1, sizeof *s->owners))
		return -ENOMEM;
	s->owners[s->nowners++] = (struct ps_owner){sock, proc, s->procs[proc].pid, fd, 0};
	return 0;
}

static int cmp_owner(const void *a, const void *b)
{
	const struct ps_owner *x = a, *y = b;
	if (x->sock != y->sock)
		return x->sock < y->sock ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return (x->fd > y->fd) - (x->fd < y->fd);
}

/* Sort one socket's few owners by pid and fd (thousands only for a socket shared by a big pool). */
static void sort_range(struct ps_owner *o, size_t n)
{
	if (n > 16) {
		qsort(o, n, sizeof *o, cmp_owner);
		return;
	}
	for (size_t a = 1; a < n; a++) {
		struct ps_owner t = o[a];
		size_t b = a;
		for (; b > 0 && cmp_owner(&o[b - 1], &t) > 0; b--)
			o[b] = o[b - 1];
		o[b] = t;
	}
}

/*
 * Owners refer to sockets by index, so they are placed by counting (one pass to
 * count, one to move each into place) and only each socket's own few are
 * compared: a general sort of every owner cost more than the rest of grouping
 * and sorting together. The moves go through a small array of destinations
 * rather than a second copy of the owners.
 */
void snap_group_owners(struct ps_snapshot *s)
{
	for (size_t i = 0; i < s->nsocks; i++)
		s->socks[i].owner_first = s->socks[i].owner_count = 0;
	for (size_t i = 0; i < s->nowners; i++)
		s->socks[s->owners[i].sock].owner_count++;
	uint32_t *dest = s->nowners > 1 ? malloc(s->nowners * sizeof *dest) : NULL;
	if (!dest) { /* one owner, or out of memory: sort them all */
		if (s->nowners > 1)
			qsort(s->owners, s->nowners, sizeof *s->owners, cmp_owner);
		for (size_t i = s->nowners; i-- > 0;)
			s->socks[s->owners[i].sock].owner_first = (uint32_t)i;
		return;
	}
	uint32_t at = 0;
	for (size_t i = 0; i < s->nsocks; i++) {
		s->socks[i].owner_first = at; /* moves on as owners are placed, reset below */
		at += s->socks[i].owner_count;
	}
	for (size_t i = 0; i < s->nowners; i++)
		dest[i] = s->socks[s->owners[i].sock].owner_first++;
	for (size_t i = 0; i < s->nowners; i++) /* each swap puts one owner where it belongs */
		while (dest[i] != i) {
			uint32_t j = dest[i];
			struct ps_owner t = s->owners[j];
			s->owners[j] = s->owners[i];
			s->owners[i] = t;
			dest[i] = dest[j];
			dest[j] = j;
		}
	free(dest);
	for (size_t i = 0; i < s->nsocks; i++) {
		struct ps_socket *k = &s->socks[i];
		k->owner_first = k->owner_count ? k->owner_first - k->owner_count : 0;
		sort_range(s->owners + k->owner_first, k->owner_count);
	}
}

static int cmp_addr(const struct ps_addr *a, const struct ps_addr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	return memcmp(a->bytes, b->bytes, sizeof a->bytes);
}

/* The order of sockets a and b (equal keys, as on Windows, whose tables have no inodes, keep
 * their collected order: snap_sorted_index breaks ties by index). */
static int cmp_socket(const struct ps_socket *a, const struct ps_socket *b)
{
	int c;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	if (a->local.port != b->local.port)
		return a->local.port < b->local.port ? -1 : 1;
	if ((c = cmp_addr(&a->local.addr, &b->local.addr)))
		return c;
	if ((c = cmp_addr(&a->remote.addr, &b->remote.addr)))
		return c;
	if (a->remote.port != b->remote.port)
		return a->remote.port < b->remote.port ? -1 : 1;
	if (a->state != b->state)
		return a->state > b->state ? -1 : 1; /* LISTEN before ESTABLISHED */
	return (a->inode > b->inode) - (a->inode < b->inode);
}

/* The snapshot and order of the sort in progress (qsort has no context argument in POSIX). Per
 * thread: top sorts its set while a full listing sorts its own on another thread. */
static _Thread_local const struct ps_snapshot *sort_snap;
static _Thread_local int (*sort_cmp)(const struct ps_socket *, const struct ps_socket *);

static int cmp_index(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	int c = sort_cmp(&sort_snap->socks[a], &sort_snap->socks[b]);
	return c ? c : (a > b) - (a < b); /* stable: equal sockets keep the snapshot's order */
}

uint32_t *snap_sorted_index(const struct ps_snapshot *s,
			    int (*cmp)(const struct ps_socket *, const struct ps_socket *))
{
	uint32_t *ix = malloc((s->nsocks + 1) * sizeof *ix);
	if (!ix)
		return NULL;
	for (size_t i = 0; i < s->nsocks; i++)
		ix[i] = (uint32_t)i;
	sort_snap = s;
	sort_cmp = cmp;
	qsort(ix, s->nsocks, sizeof *ix, cmp_index);
	sort_snap = NULL;
	return ix;
}

/* Move the sockets into the order order[] names (order[i]: the index of the socket that goes
 * to i), in place, one cycle at a time; order[] becomes the identity. */
static void permute(struct ps_socket *socks, uint32_t *order, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (order[i] == i)
			continue;
		struct ps_socket tmp = socks[i];
		size_t j = i;
		for (;;) {
			size_t k = order[j];
			order[j] = (uint32_t)j;
			if (k == i) {
				socks[j] = tmp;
				break;
			}
			socks[j] = socks[k];
			j = k;
		}
	}
}

/* A socket's bucket: its protocol and local port, cmp_socket's first keys (a protocol it does not
 * know last). */
static size_t port_bucket(const struct ps_socket *k)
{
	return k->proto < PS_PROTO_COUNT ? (size_t)k->proto << 16 | k->local.port
					 : (size_t)PS_PROTO_COUNT << 16;
}

#define PORT_BUCKETS (((size_t)PS_PROTO_COUNT << 16) + 1)

/*
 * snap_sorted_index(s, cmp_socket), the sockets first counted into their protocol's and local
 * port's bucket (stable: the snapshot's order within one), then each bucket sorted: most hold a
 * socket or a few, so the comparisons fall from n log n of the whole set to those within a port.
 */
static uint32_t *socket_order(const struct ps_snapshot *s)
{
	uint32_t *end = calloc(PORT_BUCKETS, sizeof *end);
	uint32_t *ix = end ? malloc((s->nsocks + 1) * sizeof *ix) : NULL;
	if (!ix || s->nsocks >= UINT32_MAX) {
		free(end);
		free(ix);
		return snap_sorted_index(s, cmp_socket);
	}
	for (size_t i = 0; i < s->nsocks; i++)
		end[port_bucket(&s->socks[i])]++;
	uint32_t at = 0;
	for (size_t b = 0; b < PORT_BUCKETS; b++) {
		uint32_t n = end[b];
		end[b] = at; /* the bucket's start while it is filled, then its end */
		at += n;
	}
	for (size_t i = 0; i < s->nsocks; i++)
		ix[end[port_bucket(&s->socks[i])]++] = (uint32_t)i;
	sort_snap = s;
	sort_cmp = cmp_socket;
	for (size_t b = 0, from = 0; b < PORT_BUCKETS; from = end[b++])
		if (end[b] - from > 1)
			qsort(ix + from, end[b] - from, sizeof *ix, cmp_index);
	sort_snap = NULL;
	free(end);
	return ix;
}

/*
 * Sorting moves sockets; owners refer to sockets by index, so remap them. The sort orders
 * 4-byte indices, then moves each socket once: sorting the sockets themselves made the C
 * library's merge sort allocate twice a pointer per socket beside them (1.5 MB at 98,000).
 */
void snap_sort(struct ps_snapshot *s)
{
	if (s->nsocks < 2)
		return;
	uint32_t *order = socket_order(s);
	if (!order) {
		/* out of memory: the collected order stays (owners still point at their rows) */
		snap_group_owners(s);
		return;
	}
	uint32_t *newpos = malloc(s->nsocks * sizeof *newpos);
	if (newpos) {
		for (size_t i = 0; i < s->nsocks; i++)
			newpos[order[i]] = (uint32_t)i;
		for (size_t i = 0; i < s->nowners; i++)
			s->owners[i].sock = newpos[s->owners[i].sock];
		free(newpos);
		permute(s->socks, order, s->nsocks);
	}
	free(order);
	snap_group_owners(s);
}

int snap_keep_block(struct ps_snapshot *s, void *block)
{
	if (util_grow((void **)&s->blocks, &s->blocks_cap, s->nblocks + 1, sizeof *s->blocks)) {
		free(block);
		return -ENOMEM;
	}
	s->blocks[s->nblocks++] = block;
	return 0;
}

enum { POOLED_FIELDS = 7 };

/* The texts snap_pool_texts pools: a process's field (i < POOLED_FIELDS), its bit and its
 * length. */
static char **pooled_field(struct ps_proc *p, unsigned i, unsigned *bit, size_t *len)
{
	static const size_t at[POOLED_FIELDS] = {
	    offsetof(struct ps_proc, name),    offsetof(struct ps_proc, exe),
	    offsetof(struct ps_proc, cmdline), offsetof(struct ps_proc, exe_path),
	    offsetof(struct ps_proc, cgroup),  offsetof(struct ps_proc, unit),
	    offsetof(struct ps_proc, slice)};
	char **f = (char **)(void *)((char *)p + at[i]);
	*bit = 1u << i;
	*len = !*f ? 0 : i == 2 ? p->cmdline_len : strlen(*f);
	return f;
}

struct text_ent {
	const char *p;
	size_t len;
	uint64_t hash;
};

/* The pooled copy of t (n bytes, then a NUL): found in e (mask + 1 entries), or written at *at. */
static char *pool_text(struct text_ent *e, size_t mask, char **at, const char *t, size_t n)
{
	uint64_t h = str_hash(t, n);
	size_t i = (size_t)h & mask;
	while (e[i].p && !(e[i].hash == h && e[i].len == n && memcmp(e[i].p, t, n) == 0))
		i = (i + 1) & mask;
	if (!e[i].p) {
		char *d = memcpy(*at, t, n);
		d[n] = '\0';
		*at += n + 1;
		e[i] = (struct text_ent){d, n, h};
	}
	return (char *)e[i].p;
}

int snap_pool_texts(struct ps_snapshot *s)
{
	size_t need = 0, count = 0, len;
	unsigned bit;
	for (size_t i = 0; i < s->nprocs; i++)
		for (unsigned f = 0; f < POOLED_FIELDS; f++)
			if (*pooled_field(&s->procs[i], f, &bit, &len) &&
			    !(s->procs[i].pooled & bit))
				need += len + 1, count++;
	if (!count)
		return 0;
	size_t size = 16;
	while (size < count * 2)
		size *= 2;
	struct text_ent *e = calloc(size, sizeof *e);
	char *block = e ? malloc(need) : NULL; /* written from its start: only what is used is
						* touched */
	if (!block || snap_keep_block(s, block)) {
		free(e); /* snap_keep_block freed block */
		return -ENOMEM;
	}
	char *at = block;
	for (size_t i = 0; i < s->nprocs; i++) {
		struct ps_proc *p = &s->procs[i];
		for (unsigned f = 0; f < POOLED_FIELDS; f++) {
			char **t = pooled_field(p, f, &bit, &len);
			if (!*t || (p->pooled & bit))
				continue;
			char *d = pool_text(e, size - 1, &at, *t, len);
			free(*t);
			*t = d;
			p->pooled |= (uint8_t)bit;
		}
	}
	free(e);
	return 0;
}

const struct ps_proc_more ps_proc_more_none;

struct ps_proc_more *proc_more_get(struct ps_proc *p)
{
	if (!p->more)
		p->more = calloc(1, sizeof *p->more);
	return p->more;
}

/* Free what m holds and m (NULL is fine). */
static void proc_more_free(struct ps_proc_more *m)
{
	if (!m)
		return;
	free(m->file_description);
	free(m->file_company);
	free(m->file_version);
	free(m->sig.signer);
	free(m->exe_alias);
	free(m->alias_pkg_name);
	free(m->name_holder);
	free(m->holder_pkg_name);
	free(m->argv0_other);
	free(m->code_env);
	free(m->argv0_pkg_name);
	free(m->script.path);
	free(m->script.pkg_name);
	free(m);
}

void snap_proc_free(struct ps_proc *p)
{
	if (!(p->pooled & PS_POOLED_NAME))
		free(p->name);
	if (!(p->pooled & PS_POOLED_EXE))
		free(p->exe);
	if (!(p->pooled & PS_POOLED_CMDLINE))
		free(p->cmdline);
	if (!(p->pooled & PS_POOLED_CGROUP))
		free(p->cgroup);
	if (!(p->pooled & PS_POOLED_UNIT))
		free(p->unit);
	free(p->container);
	for (size_t i = 0; i < p->nancestry && !p->ancestry_shared; i++) {
		free(p->ancestry[i].name);
		free(p->ancestry[i].exe);
	}
	if (!p->ancestry_shared)
		free(p->ancestry);
	if (!(p->pooled & PS_POOLED_SLICE))
		free(p->slice);
	free(p->container_name);
	free(p->pod_uid);
	free(p->supervisor_unit);
	proc_more_free(p->more);
	free(p->pkg_name);
	if (!(p->pooled & PS_POOLED_EXE_PATH))
		free(p->exe_path);
	for (size_t j = 0; j < p->nxlibs && !p->xlibs_shared; j++)
		free(p->xlibs[j].path);
	if (!p->xlibs_shared)
		free(p->xlibs);
	if (p->published) {
		free(p->published->id);
		free(p->published->name);
		free(p->published);
	}
	if (p->activation) {
		free(p->activation->socket_unit);
		free(p->activation->claimed_unit);
		free(p->activation->service_unit);
		for (size_t i = 0; i < p->activation->nunits; i++)
			free(p->activation->units[i].socket_unit),
			    free(p->activation->units[i].service_unit);
		free(p->activation->units);
		free(p->activation);
	}
}

int snap_retain(struct ps_snapshot *s,
		bool (*keep)(const struct ps_snapshot *, const struct ps_socket *, const void *),
		const void *ctx)
{
	uint32_t *newsock = malloc((s->nsocks + 1) * sizeof *newsock);
	uint32_t *newproc = malloc((s->nprocs + 1) * sizeof *newproc);
	if (!newsock || !newproc) {
		free(newsock);
		free(newproc);
		return -ENOMEM;
	}
	size_t n = 0;
	for (size_t i = 0; i < s->nsocks; i++) {
		if (keep(s, &s->socks[i], ctx)) {
			newsock[i] = (uint32_t)n;
			s->socks[n++] = s->socks[i];
		} else {
			newsock[i] = UINT32_MAX;
		}
	}
	s->nsocks = n;
	for (size_t i = 0; i < s->nprocs; i++)
		newproc[i] = UINT32_MAX;
	size_t no = 0;
	for (size_t i = 0; i < s->nowners; i++) {
		struct ps_owner o = s->owners[i];
		if (newsock[o.sock] == UINT32_MAX)
			continue;
		o.sock = newsock[o.sock];
		newproc[o.proc] = 0; /* mark used */
		s->owners[no++] = o;
	}
	s->nowners = no;
	size_t np = 0;
	for (size_t i = 0; i < s->nprocs; i++) {
		if (newproc[i] == UINT32_MAX) {
			snap_proc_free(&s->procs[i]);
			continue;
		}
		newproc[i] = (uint32_t)np;
		s->procs[np++] = s->procs[i];
	}
	s->nprocs = np;
	for (size_t i = 0; i < s->nowners; i++)
		s->owners[i].proc = newproc[s->owners[i].proc];
	free(newsock);
	free(newproc);
	snap_group_owners(s);
	return 0;
}

enum ps_owner_status owner_status_of(const struct ps_socket *k, bool refused, int still_there)
{
	if (k->owner_count)
		return PS_OWN_OK;
	if (!k->inode)
		return PS_OWN_KERNEL;
	if (still_there == 0)
		return PS_OWN_VANISHED;
	if (refused)
		return PS_OWN_NOPERM;
	/* Still there after a full scan (and a rescan) found no holder: a holder that exited
	 * took its socket with it, or handed it on to one holding it yet or to a message in
	 * flight. Either way no holder was found; "vanished" would cancel the finding. */
	return still_there == 1 ? PS_OWN_KERNEL : PS_OWN_VANISHED;
}

void snap_count_status(struct ps_snapshot *s)
{
	memset(s->unattributed, 0, sizeof s->unattributed);
	for (size_t i = 0; i < s->nsocks; i++)
		s->unattributed[s->socks[i].owner_status]++;
}

void snap_note(struct ps_snapshot *s, const char *text, int err)
{
	s->partial = true;
	for (size_t i = 0; i < s->nnotes; i++)
		if (s->notes[i].err == err && strcmp(s->notes[i].stage, text) == 0)
			return;
	if (s->nnotes < sizeof s->notes / sizeof s->notes[0])
		s->notes[s->nnotes++] = (struct ps_stage_note){text, err};
}

const char snap_settle_noperm[] =
    "some sockets' owners are not known: processes refused access to their file descriptors";
const char snap_settle_details[] =
    "some details of the sockets' holders (their executable) were refused";
const char snap_settle_netns[] = "other network namespaces could not be read";
const char snap_settle_other[] = "some details of the sockets' holders could not be read";

void snap_settle_partial(struct ps_snapshot *s)
{
	bool details = false;
	for (size_t i = 0; i < s->nsocks && !details; i++)
		for (size_t j = 0; j < s->socks[i].owner_count && !details; j++)
			details = s->procs[snap_owner(s, &s->socks[i], j)->proc].details_denied;
	if (s->unattributed[PS_OWN_NOPERM])
		snap_note(s, snap_settle_noperm, 0);
	if (details)
		snap_note(s, snap_settle_details, 0);
	if (s->partial && s->netns_error)
		snap_note(s, snap_settle_netns, 0);
	if (s->partial && !s->nnotes)
		snap_note(s, snap_settle_other, 0);
}

const char *snap_note_text(const struct ps_stage_note *n, char *buf, size_t cap)
{
	if (!n->err)
		return n->stage;
	snprintf(buf, cap, "%s (%s); those details are left out", n->stage, strerror(-n->err));
	return buf;
}

void snap_free(struct ps_snapshot *s)
{
	for (size_t i = 0; i < s->nprocs; i++)
		snap_proc_free(&s->procs[i]);
	free(s->socks);
	free(s->more);
	free(s->procs);
	free(s->owners);
	for (size_t i = 0; i < s->nblocks; i++)
		free(s->blocks[i]);
	free(s->blocks);
	for (size_t i = 0; i < s->nnets; i++)
		free(s->nets[i].name), free(s->nets[i].cgroup);
	free(s->nets);
	for (size_t i = 0; i < s->nsockcgs; i++) {
		struct ps_sockcg *c = &s->sockcgs[i];
		free(c->path);
		free(c->unit);
		free(c->slice);
		free(c->container);
		free(c->container_name);
	}
	free(s->sockcgs);
	for (size_t i = 0; i < s->nurlacls; i++) {
		free(s->urlacls[i].url);
		free(s->urlacls[i].sddl);
	}
	free(s->urlacls);
	for (size_t i = 0; i < s->naddrs; i++)
		free(s->addrs[i].ifname);
	free(s->addrs);
	for (size_t i = 0; i < s->ngroups; i++)
		free(s->groups[i].ifname);
	free(s->groups);
	free(s->pkg_reason);
	verdicts_free(s->verdicts);
	explain_port_free(s->explain);
	fwmodel_free(s->firewall);
	for (size_t i = 0; i < s->nusernames; i++)
		free(s->usernames[i].name);
	free(s->usernames);
	memset(s, 0, sizeof *s);
}

const struct ps_os_words ps_os_words_plain = {
    .exe_link_pre = "the executable of process ",
    .exe_link_post = "",
    .pkgdb_name = "package database",
    .handle_word = "handle",
    .pid_scope = "process tree",
    .kill_cmd = "kill",
    .mount_view = "own view of the mounts",
    .priv_scope = "private privilege scope",
};

const char *proc_exe_name(const struct ps_proc *p)
{
	/* only a package's link names the program (an alternative is the administrator's choice,
	 * shown as "named by"), and only when the image is proven: a borrowed link names nothing */
	if (proc_more(p)->exe_alias && proc_more(p)->alias_pkg == PKG_OWNED && p->exe_checked &&
	    !p->exe_check.foreign && !exe_unproven(&p->exe_check))
		return proc_more(p)->exe_alias;
	return p->exe;
}

const struct ps_os_words *snap_words(const struct ps_snapshot *s)
{
	return s->os ? s->os : &ps_os_words_plain;
}

const char *snap_user_name(const struct ps_snapshot *s, uint32_t uid)
{
	size_t lo = 0, hi = s->nusernames;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->usernames[mid].uid == uid)
			return s->usernames[mid].name;
		if (s->usernames[mid].uid < uid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

size_t cmdline_shown_len(const char *cmdline, size_t len)
{
	while (len && cmdline[len - 1] == '\0')
		len--;
	return len;
}

static size_t hash64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x;
}

int inode_index_build(struct ps_inode_index *ix, const struct ps_snapshot *s)
{
	/* at most three quarters full: short probes still, and a quarter of the memory of a
	 * half-empty table (its pages are faulted in on every run) */
	size_t size = 16;
	while (size < s->nsocks + s->nsocks / 3 + 1)
		size *= 2;
	ix->keys = calloc(size, sizeof *ix->keys);
	ix->vals = malloc(size * sizeof *ix->vals);
	if (!ix->keys || !ix->vals) {
		inode_index_free(ix);
		return -ENOMEM;
	}
	ix->mask = size - 1;
	for (size_t i = 0; i < s->nsocks; i++) {
		uint64_t ino = s->socks[i].inode;
		if (!ino)
			continue;
		size_t h = hash64(ino) & ix->mask;
		while (ix->keys[h] && ix->keys[h] != ino)
			h = (h + 1) & ix->mask;
		ix->keys[h] = ino;
		ix->vals[h] = (uint32_t)i;
	}
	return 0;
}

long inode_index_find(const struct ps_inode_index *ix, uint64_t inode)
{
	if (!inode || !ix->keys)
		return -1;
	size_t h = hash64(inode) & ix->mask;
	while (ix->keys[h]) {
		if (ix->keys[h] == inode)
			return (long)ix->vals[h];
		h = (h + 1) & ix->mask;
	}
	return -1;
}

void inode_index_free(struct ps_inode_index *ix)
{
	free(ix->keys);
	free(ix->vals);
	ix->keys = NULL;
	ix->vals = NULL;
	ix->mask = 0;
}

const char *proto_name(unsigned proto)
{
	return proto == PS_TCP ? "tcp" : proto == PS_UDP ? "udp" : "?";
}

static const char *const state_names[PS_ST_MAX] = {
    [0] = "unknown",
    [PS_ST_ESTABLISHED] = "established",
    [PS_ST_SYN_SENT] = "syn-sent",
    [PS_ST_SYN_RECV] = "syn-recv",
    [PS_ST_FIN_WAIT1] = "fin-wait-1",
    [PS_ST_FIN_WAIT2] = "fin-wait-2",
    [PS_ST_TIME_WAIT] = "time-wait",
    [PS_ST_CLOSE] = "close",
    [PS_ST_CLOSE_WAIT] = "close-wait",
    [PS_ST_LAST_ACK] = "last-ack",
    [PS_ST_LISTEN] = "listen",
    [PS_ST_CLOSING] = "closing",
    [PS_ST_NEW_SYN_RECV] = "syn-recv",
    [PS_ST_BOUND] = "bound",
};

static const char *const state_labels[PS_ST_MAX] = {
    [0] = "UNKNOWN",
    [PS_ST_ESTABLISHED] = "ESTAB",
    [PS_ST_SYN_SENT] = "SYN-SENT",
    [PS_ST_SYN_RECV] = "SYN-RECV",
    [PS_ST_FIN_WAIT1] = "FIN-WAIT-1",
    [PS_ST_FIN_WAIT2] = "FIN-WAIT-2",
    [PS_ST_TIME_WAIT] = "TIME-WAIT",
    [PS_ST_CLOSE] = "CLOSE",
    [PS_ST_CLOSE_WAIT] = "CLOSE-WAIT",
    [PS_ST_LAST_ACK] = "LAST-ACK",
    [PS_ST_LISTEN] = "LISTEN",
    [PS_ST_CLOSING] = "CLOSING",
    [PS_ST_NEW_SYN_RECV] = "SYN-RECV",
    [PS_ST_BOUND] = "BOUND",
};

const char *state_name(unsigned proto, unsigned state)
{
	if (proto == PS_UDP && state == PS_ST_CLOSE)
		return "unconn";
	return state < PS_ST_MAX ? state_names[state] : "unknown";
}

const char *state_label(unsigned proto, unsigned state)
{
	if (proto == PS_UDP && state == PS_ST_CLOSE)
		return "UNCONN";
	return state < PS_ST_MAX ? state_labels[state] : "UNKNOWN";
}

const char *owner_status_name(unsigned st)
{
	static const char *const n[PS_OWN__COUNT] = {"ok", "no-permission", "kernel", "vanished",
						     "unreported"};
	return st < PS_OWN__COUNT ? n[st] : "?";
}

/* Decimal of one IPv4 byte at p; returns the end. */
static char *put_octet(char *p, unsigned v)
{
	if (v >= 100)
		*p++ = (char)('0' + v / 100);
	if (v >= 10)
		*p++ = (char)('0' + v / 10 % 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

static char *put_v4(char *p, const uint8_t *b)
{
	for (int i = 0; i < 4; i++) {
		if (i)
			*p++ = '.';
		p = put_octet(p, b[i]);
	}
	return p;
}

/* Lower-case hex of one IPv6 group without leading zeros; returns the end. */
static char *put_group(char *p, unsigned w)
{
	static const char hex[] = "0123456789abcdef";
	int shift = 12;
	while (shift > 0 && !(w >> shift & 0xF))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		*p++ = hex[w >> shift & 0xF];
	return p;
}

/*
 * The text inet_ntop gives (the C library's own, which the table and JSON always
 * showed), made here because the library's goes through sprintf for every group
 * and costs a fifth of a large listing: the longest run of two or more zero
 * groups (the first of equal ones) becomes "::", and an address whose first 96
 * bits are zero, or ::ffff:0:0/96, ends in dotted IPv4.
 */
char *addr_format(const struct ps_addr *a, char *out, size_t outlen)
{
	char tmp[INET6_ADDRSTRLEN], *p = tmp;
	if (a->family == PS_INET) {
		p = put_v4(p, a->bytes);
	} else {
		unsigned w[8];
		int best = -1, best_len = 0, cur = -1, cur_len = 0;
		for (int i = 0; i < 8; i++) {
			w[i] = (unsigned)a->bytes[2 * i] << 8 | a->bytes[2 * i + 1];
			if (w[i] == 0) {
				if (cur < 0)
					cur = i, cur_len = 0;
				if (++cur_len > best_len)
					best = cur, best_len = cur_len;
			} else {
				cur = -1;
			}
		}
		if (best_len < 2)
			best = -1;
		for (int i = 0; i < 8; i++) {
			if (best >= 0 && i >= best && i < best + best_len) {
				if (i == best)
					*p++ = ':';
				continue;
			}
			if (i)
				*p++ = ':';
			if (i == 6 && best == 0 &&
			    (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
				p = put_v4(p, a->bytes + 12);
				break;
			}
			p = put_group(p, w[i]);
		}
		if (best >= 0 && best + best_len == 8)
			*p++ = ':';
	}
	size_t n = (size_t)(p - tmp);
	if (n >= outlen) {
		snprintf(out, outlen, "?");
		return out;
	}
	memcpy(out, tmp, n);
	out[n] = '\0';
	return out;
}

bool addr_is_any(const struct ps_addr *a)
{
	size_t n = a->family == PS_INET ? 4 : 16;
	for (size_t i = 0; i < n; i++)
		if (a->bytes[i])
			return false;
	return true;
}

size_t snap_addrs_of(const struct ps_ifaddr *a, size_t n, uint64_t netns,
		     const struct ps_ifaddr **out)
{
	size_t i = 0, j;
	while (i < n && a[i].netns != netns)
		i++;
	for (j = i; j < n && a[j].netns == netns; j++)
		;
	*out = j > i ? &a[i] : NULL;
	return j - i;
}

uint16_t url_prefix_port(const char *url)
{
	bool https = !strncasecmp(url, "https://", 8);
	if (!https && strncasecmp(url, "http://", 7))
		return 0;
	const char *h = url + (https ? 8 : 7), *end = h + strcspn(h, "/");
	const char *colon = NULL;
	if (*h == '[') { /* [::1]:8080 */
		const char *close = memchr(h, ']', (size_t)(end - h));
		if (!close)
			return 0;
		colon = close + 1 < end && close[1] == ':' ? close + 1 : NULL;
	} else {
		colon = memchr(h, ':', (size_t)(end - h));
	}
	if (!colon)
		return https ? 443 : 80;
	unsigned long v = 0;
	const char *p = colon + 1;
	for (; p < end && *p >= '0' && *p <= '9' && v <= 65535; p++)
		v = v * 10 + (unsigned long)(*p - '0');
	return p == end && p > colon + 1 && v >= 1 && v <= 65535 ? (uint16_t)v : 0;
}

bool urlacl_serves(const struct ps_urlacl *a, const struct ps_socket *k)
{
	return k->proto == PS_TCP && k->state == PS_ST_LISTEN && k->owner_status == PS_OWN_KERNEL &&
	       a->port && a->port == k->local.port;
}
