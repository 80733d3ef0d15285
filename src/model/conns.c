/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conns.c — group sockets by process, direction, server end and remote class; rates from two
 * samples. */
#include "conns.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "diff.h"
#include "exposure.h"

const char *conn_dir_name(unsigned dir)
{
	static const char *const names[] = {"listen", "in", "out"};
	return dir < CONN__DIR_COUNT ? names[dir] : "?";
}

static bool is_listener(const struct ps_socket *k)
{
	if (k->proto == PS_TCP)
		return k->state == PS_ST_LISTEN;
	return k->state == PS_ST_CLOSE && k->remote.port == 0;
}

struct conn_listeners {
	const struct ps_socket **v; /* sorted by netns, proto, port */
	size_t n;
};

static int cmp_lkey(const struct ps_socket *a, uint64_t netns, uint8_t proto, uint16_t port)
{
	if (a->netns != netns)
		return a->netns < netns ? -1 : 1;
	if (a->proto != proto)
		return a->proto < proto ? -1 : 1;
	return (a->local.port > port) - (a->local.port < port);
}

static int cmp_listener(const void *pa, const void *pb)
{
	const struct ps_socket *a = *(const struct ps_socket *const *)pa;
	const struct ps_socket *b = *(const struct ps_socket *const *)pb;
	return cmp_lkey(a, b->netns, b->proto, b->local.port);
}

struct conn_listeners *conns_listeners(const struct ps_snapshot *s)
{
	struct conn_listeners *l = calloc(1, sizeof *l);
	if (!l)
		return NULL;
	l->v = malloc((s->nsocks + 1) * sizeof *l->v);
	if (!l->v) {
		free(l);
		return NULL;
	}
	for (size_t i = 0; i < s->nsocks; i++)
		if (is_listener(&s->socks[i]))
			l->v[l->n++] = &s->socks[i];
	qsort(l->v, l->n, sizeof *l->v, cmp_listener);
	return l;
}

void conns_listeners_free(struct conn_listeners *l)
{
	if (l) {
		free(l->v);
		free(l);
	}
}

/* Whether listener lst takes connections addressed to a (its own address, or a wildcard). */
static bool serves(const struct ps_socket *lst, const struct ps_addr *a)
{
	if (addr_is_any(&lst->local.addr))
		return lst->local.addr.family == a->family ||
		       (lst->local.addr.family == PS_INET6 && lst->v6only != PS_V6ONLY_YES);
	return lst->local.addr.family == a->family &&
	       memcmp(lst->local.addr.bytes, a->bytes, sizeof a->bytes) == 0;
}

bool conns_is_listener(const struct ps_socket *k)
{
	return is_listener(k);
}

enum conn_dir conns_dir_of(const struct conn_listeners *l, const struct ps_socket *k,
			   const struct ps_socket **listener)
{
	*listener = NULL;
	if (is_listener(k))
		return CONN_LISTEN;
	size_t lo = 0, hi = l->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_lkey(l->v[mid], k->netns, k->proto, k->local.port) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < l->n && cmp_lkey(l->v[i], k->netns, k->proto, k->local.port) == 0;
	     i++)
		if (serves(l->v[i], &k->local.addr)) {
			*listener = l->v[i];
			return CONN_IN;
		}
	return CONN_OUT;
}

/* One socket on its way into a group: now (open) and/or at the first sample, or neither (one
 * that opened and closed between them: a close the kernel notified, `fin`). */
struct entry {
	const struct ps_socket *now, *was, *fin;
	const struct ps_tcp_stats *tnow, *twas; /* their counters, NULL when not read */
	const struct ps_tcp_stats *tfin;	/* the counters it had as it closed, NULL: none */
	const char *process;
	int pid;
	uint8_t proto, dir, rclass;
	struct ps_endpoint server;
};

static int cmp_endpoint(const struct ps_endpoint *a, const struct ps_endpoint *b)
{
	if (a->addr.family != b->addr.family)
		return a->addr.family < b->addr.family ? -1 : 1;
	int c = memcmp(a->addr.bytes, b->addr.bytes, sizeof a->addr.bytes);
	if (c)
		return c;
	return (a->port > b->port) - (a->port < b->port);
}

static int cmp_entry(const void *pa, const void *pb)
{
	const struct entry *a = pa, *b = pb;
	if (!a->process != !b->process)
		return a->process ? 1 : -1;
	int c = a->process ? strcmp(a->process, b->process) : 0;
	if (c)
		return c;
	if (a->dir != b->dir)
		return a->dir < b->dir ? -1 : 1;
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	if ((c = cmp_endpoint(&a->server, &b->server)))
		return c;
	return (a->rclass > b->rclass) - (a->rclass < b->rclass);
}

const char *conns_listener_program(const struct ps_snapshot *s, const struct ps_socket *lst,
				   int *pid)
{
	*pid = 0;
	if (!lst->owner_count || !s->owners)
		return NULL;
	const struct ps_owner *o = snap_owner(s, lst, 0);
	const char *name = s->procs[o->proc].name;
	bool one = true;
	for (uint32_t i = 1; name && i < lst->owner_count; i++) {
		const struct ps_owner *x = snap_owner(s, lst, i);
		const char *n = s->procs[x->proc].name;
		if (!n || strcmp(n, name) != 0)
			return NULL;
		one = one && x->proc == o->proc;
	}
	*pid = one ? o->pid : 0;
	return name;
}

/* e's group key for socket k of s (k's owners are s's); the listeners l were built from ls. */
static void entry_key(struct entry *e, const struct ps_snapshot *s, const struct ps_socket *k,
		      const struct conn_listeners *l, const struct ps_snapshot *ls)
{
	if (k->owner_count && s->owners) {
		const struct ps_owner *o = snap_owner(s, k, 0);
		e->process = s->procs[o->proc].name;
		e->pid = o->pid;
	}
	e->proto = k->proto;
	const struct ps_socket *lst;
	e->dir = (uint8_t)conns_dir_of(l, k, &lst);
	/* an accepted connection not attributed yet: its listener's program when every holder is
	 * that one program (a pre-forked server's), its pid only when one process holds it */
	if (!e->process && e->dir == CONN_IN && lst)
		e->process = conns_listener_program(ls, lst, &e->pid);
	if (e->dir == CONN_OUT) {
		e->server = k->remote;
		e->rclass = (uint8_t)exposure_classify(&k->remote.addr);
	} else {
		e->server = lst ? lst->local : k->local;
		e->rclass = (uint8_t)exposure_classify(e->dir == CONN_LISTEN ? &k->local.addr
									     : &k->remote.addr);
	}
}

/* Identity, then inode: the order two samples are matched in. */
static int cmp_identity_inode(const struct ps_socket *a, const struct ps_socket *b)
{
	int c = diff_cmp_identity(a, b);
	return c ? c : (a->inode > b->inode) - (a->inode < b->inode);
}

static int cmp_sockets(const struct ps_socket *a, const struct ps_socket *b)
{
	int c = diff_cmp_identity(a, b);
	return c ? c : (a->inode > b->inode) - (a->inode < b->inode);
}

/* Pair the sockets of both samples by identity into e (sized for both). Returns how many. */
static size_t pair_samples(const struct ps_snapshot *before, const uint32_t *bo,
			   const struct ps_snapshot *after, const uint32_t *ao, struct entry *e)
{
	size_t i = 0, j = 0, n = 0;
	size_t nb = before ? before->nsocks : 0;
	while (i < nb || j < after->nsocks) {
		const struct ps_socket *b = i < nb ? &before->socks[bo[i]] : NULL;
		const struct ps_socket *a = j < after->nsocks ? &after->socks[ao[j]] : NULL;
		int c = !b ? 1 : !a ? -1 : cmp_sockets(b, a);
		memset(&e[n], 0, sizeof e[n]);
		if (c <= 0) {
			e[n].was = b;
			i++;
		}
		if (c >= 0) {
			e[n].now = a;
			j++;
		}
		n++;
	}
	return n;
}

static void add_counters(struct conn_group *g, const struct entry *e, bool rates)
{
	bool live = e->now && e->tnow;
	const struct ps_tcp_stats *t = e->now ? e->tnow : e->twas;
	/* closed since (or in time-wait): the counters it had as it closed when the kernel said
	 * them, else its last sampled ones */
	if (!live && e->tfin)
		t = e->tfin;
	else if (e->now && !e->tnow && e->was && e->twas)
		t = e->twas;
	if (e->now && is_listener(e->now) && e->now->proto == PS_TCP) {
		g->queue += e->now->recv_q;
		g->backlog += e->now->send_q;
	}
	if (!t)
		return;
	g->have_tcp = true;
	g->bytes_sent += t->bytes_sent;
	g->bytes_received += t->bytes_received;
	g->retrans += t->retrans;
	if (live && t->rtt_us > g->rtt_us_max)
		g->rtt_us_max = t->rtt_us;
	if (!rates || (!live && !e->tfin))
		return; /* closed: what it did since the first sample is unknown */
	uint64_t s0 = 0, r0 = 0;
	if (e->was && e->twas) {
		s0 = e->twas->bytes_sent;
		r0 = e->twas->bytes_received;
	}
	g->delta_sent += t->bytes_sent >= s0 ? t->bytes_sent - s0 : t->bytes_sent;
	g->delta_received += t->bytes_received >= r0 ? t->bytes_received - r0 : t->bytes_received;
}

/* Fold the sorted entries into groups. */
static void fold(struct entry *e, size_t n, bool rates, struct conn_table *out)
{
	uint64_t rtt_sum = 0, rtt_n = 0; /* of the group being folded */
	for (size_t i = 0; i < n; i++) {
		struct conn_group *g = out->n ? &out->v[out->n - 1] : NULL;
		if (!g || cmp_entry(&e[i - 1], &e[i]) != 0) {
			if (g && rtt_n)
				g->rtt_us_avg = (uint32_t)(rtt_sum / rtt_n);
			rtt_sum = rtt_n = 0;
			g = &out->v[out->n++];
			memset(g, 0, sizeof *g);
			g->process = e[i].process;
			g->pid = e[i].pid;
			g->proto = e[i].proto;
			g->dir = e[i].dir;
			g->rclass = e[i].rclass;
			g->server = e[i].server;
		}
		g->opened += rates && !e[i].was; /* a close alone: it opened in the interval too */
		if (e[i].now) {
			g->count++;
			if (e[i].tnow) {
				rtt_sum += e[i].tnow->rtt_us;
				rtt_n++;
			}
		} else {
			g->closed++;
		}
		add_counters(g, &e[i], rates);
	}
	if (out->n && rtt_n)
		out->v[out->n - 1].rtt_us_avg = (uint32_t)(rtt_sum / rtt_n);
	for (size_t i = 0; rates && i < out->n; i++) {
		out->v[i].rate_sent = (double)out->v[i].delta_sent / out->seconds;
		out->v[i].rate_received = (double)out->v[i].delta_received / out->seconds;
	}
}

/* Identity alone (a close notified and a time-wait socket of the same ends are one connection). */
static const struct ps_snapshot *fin_snap;

static int cmp_fin(const void *pa, const void *pb)
{
	return diff_cmp_identity(&fin_snap->socks[*(const uint32_t *)pa],
				 &fin_snap->socks[*(const uint32_t *)pb]);
}

/* A close of `closed` (an index sorted by identity) with the ends of k, or -1. */
static long fin_of(const struct ps_snapshot *closed, const uint32_t *ix, const struct ps_socket *k)
{
	size_t lo = 0, hi = closed->nsocks;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = diff_cmp_identity(&closed->socks[ix[mid]], k);
		if (!c)
			return (long)ix[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Whether a notified close counts: a connection (a listener, or a socket never connected, has no
 * remote end to group it under). */
static bool fin_counts(const struct ps_socket *k)
{
	return k->remote.port != 0 && k->state != PS_ST_LISTEN;
}

/*
 * The closes `closed` notified: a socket of the samples with the same ends takes the counters its
 * close carried (used, matched, set for it); every other one is appended to e[0..n) alone.
 * Returns the new n.
 */
static size_t add_closes(const struct ps_snapshot *closed, struct entry *e, size_t n)
{
	uint32_t *ix = malloc((closed->nsocks + 1) * sizeof *ix);
	bool *used = calloc(closed->nsocks + 1, sizeof *used);
	if (!ix || !used) { /* out of memory: the closes are left out, never counted twice */
		free(ix);
		free(used);
		return n;
	}
	for (size_t i = 0; i < closed->nsocks; i++)
		ix[i] = (uint32_t)i;
	fin_snap = closed;
	qsort(ix, closed->nsocks, sizeof *ix, cmp_fin);
	for (size_t i = 0; i < n; i++) {
		long at = fin_of(closed, ix, e[i].now ? e[i].now : e[i].was);
		if (at >= 0 && !used[at]) {
			used[at] = true;
			e[i].tfin = snap_tcp(closed, &closed->socks[at]);
		}
	}
	for (size_t i = 0; i < closed->nsocks; i++) {
		const struct ps_socket *k = &closed->socks[i];
		if (used[i] || !fin_counts(k))
			continue;
		memset(&e[n], 0, sizeof e[n]);
		e[n].fin = k;
		e[n].tfin = snap_tcp(closed, k);
		n++;
	}
	free(ix);
	free(used);
	return n;
}

int conns_group(const struct ps_snapshot *before, const struct ps_snapshot *after, double seconds,
		struct conn_table *out)
{
	return conns_group_closed(before, after, NULL, seconds, out);
}

int conns_group_closed(const struct ps_snapshot *before, const struct ps_snapshot *after,
		       const struct ps_snapshot *closed, double seconds, struct conn_table *out)
{
	memset(out, 0, sizeof out[0]);
	out->seconds = before && seconds > 0 ? seconds : 0;
	if (!out->seconds)
		closed = NULL; /* one sample: no interval for a close to be in */
	size_t cap =
	    after->nsocks + (before ? before->nsocks : 0) + (closed ? closed->nsocks : 0) + 1;
	struct conn_listeners *la = conns_listeners(after);
	struct conn_listeners *lb = before ? conns_listeners(before) : NULL;
	uint32_t *ao = snap_sorted_index(after, cmp_identity_inode);
	uint32_t *bo = before ? snap_sorted_index(before, cmp_identity_inode) : NULL;
	struct entry *e = malloc(cap * sizeof *e);
	out->v = malloc(cap * sizeof *out->v);
	int rc = -ENOMEM;
	if (!la || (before && (!lb || !bo)) || !ao || !e || !out->v)
		goto done;
	size_t n = pair_samples(before, bo, after, ao, e);
	n = closed ? add_closes(closed, e, n) : n;
	for (size_t i = 0; i < n; i++) {
		e[i].tnow = e[i].now ? snap_tcp(after, e[i].now) : NULL;
		e[i].twas = e[i].was ? snap_tcp(before, e[i].was) : NULL;
		/* a closed socket is grouped as it was; an open one as it is now; one that opened
		 * and closed between them under the listeners of now (its owner is gone) */
		if (e[i].now)
			entry_key(&e[i], after, e[i].now, la, after);
		else if (e[i].was)
			entry_key(&e[i], before, e[i].was, lb, before);
		else
			entry_key(&e[i], closed, e[i].fin, la, after);
	}
	qsort(e, n, sizeof *e, cmp_entry);
	fold(e, n, out->seconds > 0, out);
	rc = 0;
done:
	if (rc)
		conns_free(out);
	conns_listeners_free(la);
	conns_listeners_free(lb);
	free(ao);
	free(bo);
	free(e);
	return rc;
}

void conns_free(struct conn_table *t)
{
	free(t->v);
	memset(t, 0, sizeof *t);
}
