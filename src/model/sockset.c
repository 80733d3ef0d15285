/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sockset.c — apply the kernel's TCP state changes to a listing, and merge counters by socket. */
#include "sockset.h"

#include <errno.h>

#include "../util/grow.h"
#include <stdlib.h>
#include <string.h>

/* An index of a snapshot's sockets by (namespace, protocol, local end, remote end). */
struct tuple_ix {
	uint32_t *slot; /* 0 empty, else 1 + socket index */
	size_t mask;
};

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}

static uint64_t end_hash(uint64_t h, const struct ps_endpoint *e)
{
	h = mix(h, &e->addr.family, 1);
	h = mix(h, e->addr.bytes, e->addr.family == PS_INET ? 4 : 16);
	return mix(h, &e->port, sizeof e->port);
}

static uint64_t tuple_hash(uint64_t netns, uint8_t proto, const struct ps_endpoint *l,
			   const struct ps_endpoint *r)
{
	uint64_t h = mix(14695981039346656037ull, &netns, sizeof netns);
	h = mix(h, &proto, 1);
	return end_hash(end_hash(h, l), r);
}

static bool end_eq(const struct ps_endpoint *a, const struct ps_endpoint *b)
{
	return a->port == b->port && a->addr.family == b->addr.family &&
	       !memcmp(a->addr.bytes, b->addr.bytes, a->addr.family == PS_INET ? 4 : 16);
}

static int ix_init(struct tuple_ix *ix, size_t n)
{
	size_t cap = 16;
	while (cap < 2 * n + 2)
		cap *= 2;
	ix->slot = calloc(cap, sizeof *ix->slot);
	ix->mask = cap - 1;
	return ix->slot ? 0 : -ENOMEM;
}

static void ix_put(struct tuple_ix *ix, const struct ps_snapshot *s, size_t i)
{
	const struct ps_socket *k = &s->socks[i];
	size_t at = (size_t)tuple_hash(k->netns, k->proto, &k->local, &k->remote) & ix->mask;
	while (ix->slot[at])
		at = (at + 1) & ix->mask;
	ix->slot[at] = (uint32_t)i + 1;
}

/* The socket with this tuple that is not gone (gone may be NULL), or -1. */
static long ix_find(const struct tuple_ix *ix, const struct ps_snapshot *s, const bool *gone,
		    uint64_t netns, uint8_t proto, const struct ps_endpoint *l,
		    const struct ps_endpoint *r)
{
	size_t at = (size_t)tuple_hash(netns, proto, l, r) & ix->mask;
	for (; ix->slot[at]; at = (at + 1) & ix->mask) {
		size_t i = ix->slot[at] - 1;
		const struct ps_socket *k = &s->socks[i];
		if (k->netns == netns && k->proto == proto && end_eq(&k->local, l) &&
		    end_eq(&k->remote, r) && !(gone && gone[i]))
			return (long)i;
	}
	return -1;
}

static int ix_build(struct tuple_ix *ix, const struct ps_snapshot *s, size_t extra)
{
	int rc = ix_init(ix, s->nsocks + extra);
	for (size_t i = 0; !rc && i < s->nsocks; i++)
		ix_put(ix, s, i);
	return rc;
}

/* The state of one sockset_apply call. */
struct apply {
	struct ps_snapshot *s;
	struct tuple_ix ix;
	bool *gone;
	long *owner_proc; /* per added socket: the process to own it, -1 none */
	size_t first_new;
	/* sockets of s without an owner that a change names one for (pairs: socket, process) */
	size_t *late;
	size_t nlate, late_cap;
	struct sockset_stats st;
};

/* The listener a connection to local end l in netns came in on, or -1. */
static long listener_of(const struct apply *a, uint64_t netns, uint8_t proto,
			const struct ps_endpoint *l)
{
	struct ps_endpoint any = {.addr = {.family = l->addr.family}};
	struct ps_endpoint at = *l, any6 = {.addr = {.family = PS_INET6}};
	any6.port = at.port;
	long i = ix_find(&a->ix, a->s, a->gone, netns, proto, &at, &any);
	at.addr = any.addr;
	if (i < 0)
		i = ix_find(&a->ix, a->s, a->gone, netns, proto, &at, &any);
	if (i < 0) /* a dual-stack listener takes IPv4 connections too */
		i = ix_find(&a->ix, a->s, a->gone, netns, proto, &any6,
			    &(struct ps_endpoint){.addr = {.family = PS_INET6}});
	return i >= 0 && a->s->socks[i].state == PS_ST_LISTEN ? i : -1;
}

uint8_t sockset_closed_state(uint8_t from)
{
	return from == PS_ST_FIN_WAIT2 || from == PS_ST_CLOSING || from == PS_ST_TIME_WAIT
		   ? PS_ST_TIME_WAIT
		   : PS_ST_CLOSE;
}

long sockset_sole_proc(const struct ps_snapshot *s, const struct ps_socket *k)
{
	if (!k->owner_count || !s->owners)
		return -1;
	uint32_t p = snap_owner(s, k, 0)->proc;
	for (uint32_t i = 1; i < k->owner_count; i++)
		if (snap_owner(s, k, i)->proc != p)
			return -1;
	return (long)p;
}

/* The process that holds listener i (an added one included) alone, or -1: a connection it
 * accepted is that process's; with several holders (a pre-forked server's master and workers)
 * any of them may accept it, and it has no owner until a listing says which. */
static long proc_of_listener(const struct apply *a, size_t i)
{
	if (i >= a->first_new)
		return a->owner_proc[i - a->first_new];
	return sockset_sole_proc(a->s, &a->s->socks[i]);
}

/* The process with this pid in s, added (named as the change says) when s has none. */
static long proc_by_pid(struct ps_snapshot *s, const struct ps_sockchange *c)
{
	for (size_t p = 0; p < s->nprocs; p++)
		if (s->procs[p].pid == c->pid)
			return (long)p;
	long p = snap_add_proc(s, c->pid);
	if (p < 0)
		return p;
	size_t len = strnlen(c->comm, sizeof c->comm);
	char *name = malloc(len + 1);
	if (!name)
		return -ENOMEM;
	memcpy(name, c->comm, len);
	name[len] = '\0';
	s->procs[p].name = name;
	return p;
}

static int add_socket(struct apply *a, const struct ps_sockchange *c)
{
	struct ps_snapshot *s = a->s;
	long owner = -1;
	if (c->pid > 0)
		owner = proc_by_pid(s, c);
	else {
		long l = listener_of(a, c->netns, c->proto, &c->local);
		owner = l >= 0 ? proc_of_listener(a, (size_t)l) : -1;
	}
	if (owner == -ENOMEM)
		return -ENOMEM;
	struct ps_socket *k = snap_add_socket(s);
	if (!k)
		return -ENOMEM;
	k->local = c->local;
	k->remote = c->remote;
	k->netns = c->netns;
	k->inode = c->inode;
	k->proto = c->proto;
	k->state = c->to;
	k->uid = UINT32_MAX; /* not known until the next listing */
	k->owner_status = owner >= 0 ? PS_OWN_OK : PS_OWN_UNREPORTED;
	size_t i = s->nsocks - 1;
	a->owner_proc[i - a->first_new] = owner;
	ix_put(&a->ix, s, i);
	a->st.added++;
	return 0;
}

static int apply_one(struct apply *a, const struct ps_sockchange *c)
{
	if (c->proto != PS_TCP || !c->local.port) {
		a->st.skipped++;
		return 0;
	}
	long at = ix_find(&a->ix, a->s, a->gone, c->netns, c->proto, &c->local, &c->remote);
	/* a new socket on the ends of one in TIME-WAIT (reused): that one is gone */
	if (at >= 0 && c->from == PS_ST_CLOSE && c->to != PS_ST_CLOSE &&
	    a->s->socks[at].state == PS_ST_TIME_WAIT && c->to != PS_ST_TIME_WAIT) {
		a->gone[at] = true;
		a->st.removed++;
		at = -1;
	}
	if (c->to == PS_ST_CLOSE && at >= 0 && sockset_closed_state(c->from) == PS_ST_TIME_WAIT) {
		/* it closed first: the kernel keeps its ends in TIME-WAIT until its timer (the
		 * set's TIME-WAIT expiry) drops them */
		if (a->s->socks[at].state != PS_ST_TIME_WAIT)
			a->st.changed++;
		a->s->socks[at].state = PS_ST_TIME_WAIT;
		return 0;
	}
	if (c->to == PS_ST_CLOSE) {
		if (at >= 0) {
			a->gone[at] = true;
			a->st.removed++;
		}
		return 0;
	}
	if (at < 0)
		return add_socket(a, c);
	struct ps_socket *k = &a->s->socks[at];
	/* its holder closing it names it (an accepted one's, whose acceptor no change named) */
	if (c->pid > 0 && !k->owner_count && k->owner_status == PS_OWN_UNREPORTED) {
		long p = proc_by_pid(a->s, c);
		if (p < 0)
			return (int)p;
		if ((size_t)at >= a->first_new)
			a->owner_proc[at - (long)a->first_new] = p;
		else if (util_grow((void **)&a->late, &a->late_cap, a->nlate + 2, sizeof *a->late))
			return -ENOMEM;
		else {
			a->late[a->nlate++] = (size_t)at;
			a->late[a->nlate++] = (size_t)p;
		}
		k = &a->s->socks[at];
		k->owner_status = PS_OWN_OK; /* once: the first change that names it */
	}
	if (k->state != c->to) {
		a->s->socks[at].state = c->to;
		a->st.changed++;
	}
	return 0;
}

static bool not_gone(const struct ps_snapshot *s, const struct ps_socket *k, const void *ctx)
{
	const bool *gone = ctx;
	return !gone[k - s->socks];
}

/* Owners of the added sockets, then what keep() refuses among them. */
static int settle_added(struct apply *a,
			bool (*keep)(const struct ps_snapshot *, const struct ps_socket *,
				     const void *),
			const void *ctx)
{
	struct ps_snapshot *s = a->s;
	for (size_t i = a->first_new; i < s->nsocks; i++) {
		long p = a->owner_proc[i - a->first_new];
		if (p >= 0 && snap_add_owner(s, (uint32_t)i, (uint32_t)p, -1))
			return -ENOMEM;
	}
	for (size_t i = 0; i + 1 < a->nlate; i += 2) {
		if (snap_add_owner(s, (uint32_t)a->late[i], (uint32_t)a->late[i + 1], -1))
			return -ENOMEM;
		a->st.changed++;
	}
	snap_group_owners(s);
	for (size_t i = a->first_new; keep && i < s->nsocks; i++)
		if (!a->gone[i] && !keep(s, &s->socks[i], ctx)) {
			a->gone[i] = true;
			a->st.added--;
		}
	return 0;
}

int sockset_apply(struct ps_snapshot *s, const struct ps_sockchange *c, size_t n,
		  bool (*keep)(const struct ps_snapshot *, const struct ps_socket *, const void *),
		  const void *ctx, struct sockset_stats *st)
{
	struct apply a = {.s = s, .first_new = s->nsocks};
	memset(st, 0, sizeof *st);
	if (!n)
		return 0;
	int rc = ix_build(&a.ix, s, n);
	a.gone = calloc(s->nsocks + n + 1, sizeof *a.gone);
	a.owner_proc = malloc((n + 1) * sizeof *a.owner_proc);
	if (rc || !a.gone || !a.owner_proc)
		rc = -ENOMEM;
	for (size_t i = 0; i < n && !rc; i++)
		rc = apply_one(&a, &c[i]);
	if (s->nsocks > a.first_new || a.nlate) {
		int r2 = settle_added(&a, keep, ctx);
		rc = rc ? rc : r2;
	}
	bool dropped = false;
	for (size_t i = 0; a.gone && i < s->nsocks && !dropped; i++)
		dropped = a.gone[i];
	if (dropped) {
		int r2 = snap_retain(s, not_gone, a.gone);
		rc = rc ? rc : r2;
	}
	if (dropped || s->nsocks > a.first_new)
		snap_sort(s);
	*st = a.st;
	free(a.ix.slot);
	free(a.gone);
	free(a.owner_proc);
	free(a.late);
	return rc;
}

/* One more change for socket k: to state `to`. 0 or -ENOMEM. */
static int push_change(struct ps_sockchange **v, size_t *n, size_t *cap, const struct ps_socket *k,
		       uint8_t from, uint8_t to)
{
	int rc = util_grow((void **)v, cap, *n + 1, sizeof **v);
	if (rc)
		return rc;
	struct ps_sockchange *c = &(*v)[(*n)++];
	memset(c, 0, sizeof *c);
	c->netns = k->netns;
	c->local = k->local;
	c->remote = k->remote;
	c->inode = k->inode;
	c->proto = k->proto;
	c->from = from;
	c->to = to;
	return 0;
}

/* Mark the sockets of `was` that `closed` names (gone), and say each close. */
static int diff_closed(const struct tuple_ix *ix, const struct ps_snapshot *was,
		       const struct ps_snapshot *closed, bool *gone, struct ps_sockchange **v,
		       size_t *n, size_t *cap)
{
	int rc = 0;
	for (size_t i = 0; closed && i < closed->nsocks && !rc; i++) {
		const struct ps_socket *k = &closed->socks[i];
		if (k->proto != PS_TCP)
			continue;
		long at = ix_find(ix, was, gone, k->netns, k->proto, &k->local, &k->remote);
		if (at >= 0)
			gone[at] = true;
		rc = push_change(v, n, cap, k, k->state, PS_ST_CLOSE);
		if (!rc && snap_tcp(closed, k)) /* its last counters, as the kernel said them */
			(*v)[*n - 1].last = *snap_tcp(closed, k);
	}
	return rc;
}

int sockset_diff(const struct ps_snapshot *was, const struct ps_snapshot *now,
		 const struct ps_snapshot *closed, struct ps_sockchange **v, size_t *n, size_t *cap)
{
	struct tuple_ix ix;
	bool *gone = calloc(was->nsocks + 1, sizeof *gone);
	bool *seen = calloc(was->nsocks + 1, sizeof *seen);
	int rc = gone && seen ? ix_build(&ix, was, 0) : -ENOMEM;
	if (rc) {
		free(gone);
		free(seen);
		return rc;
	}
	rc = diff_closed(&ix, was, closed, gone, v, n, cap);
	for (size_t i = 0; i < now->nsocks && !rc; i++) {
		const struct ps_socket *k = &now->socks[i];
		if (k->proto != PS_TCP)
			continue;
		long at = ix_find(&ix, was, gone, k->netns, k->proto, &k->local, &k->remote);
		if (at >= 0)
			seen[at] = true;
		/* the same addresses, another socket (closed and bound again, its destroy notice
		 * lost): the old one closed and the new one opened, not an unchanged row */
		if (at >= 0 && k->inode && was->socks[at].inode &&
		    k->inode != was->socks[at].inode) {
			rc = push_change(v, n, cap, &was->socks[at], was->socks[at].state,
					 PS_ST_CLOSE);
			at = -1;
		}
		if (!rc && (at < 0 || was->socks[at].state != k->state))
			rc = push_change(v, n, cap, k, at < 0 ? PS_ST_CLOSE : was->socks[at].state,
					 k->state);
	}
	for (size_t i = 0; i < was->nsocks && !rc; i++)
		if (!seen[i] && !gone[i] && was->socks[i].proto == PS_TCP)
			rc = push_change(v, n, cap, &was->socks[i], was->socks[i].state,
					 PS_ST_CLOSE);
	free(ix.slot);
	free(gone);
	free(seen);
	return rc;
}

/* The index is of `from` (often a few listeners): only the sockets of `to` in a state `from` has
 * are looked up in it. */
int sockset_merge_counters(struct ps_snapshot *to, const struct ps_snapshot *from)
{
	struct tuple_ix ix;
	uint32_t states = 0;
	if (ix_build(&ix, from, 0))
		return -ENOMEM;
	for (size_t i = 0; i < from->nsocks; i++)
		states |= 1u << (from->socks[i].state & 31);
	for (size_t i = 0; i < to->nsocks; i++) {
		struct ps_socket *k = &to->socks[i];
		if (!(states >> (k->state & 31) & 1))
			continue;
		long at = ix_find(&ix, from, NULL, k->netns, k->proto, &k->local, &k->remote);
		const struct ps_tcp_stats *t = at < 0 ? NULL : snap_tcp(from, &from->socks[at]);
		if (!t)
			continue;
		if (snap_set_tcp(to, k, t)) {
			free(ix.slot);
			return -ENOMEM;
		}
		k->recv_q = from->socks[at].recv_q;
		k->send_q = from->socks[at].send_q;
	}
	free(ix.slot);
	return 0;
}
