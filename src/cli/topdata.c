/* SPDX-License-Identifier: GPL-2.0-or-later */
/* topdata.c — the socket set of `top` between refreshes: full listings (the first in line, the
 * periodic ones in a thread of their own), the kernel's state changes (BPF) or sock_diag's
 * between them, the TCP counters of what is on screen; one refresh's table. No terminal code. */
#include "topint.h"

#ifdef HAVE_NCURSES

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "../model/conns.h"
#include "../model/filter.h"
#include "../util/grow.h"
#include "msg.h"

double top_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool keep_expr(const struct ps_snapshot *s, const struct ps_socket *k, const void *ctx)
{
	(void)s;
	return fexpr_match(ctx, k);
}

/* n sockets' counters were asked this refresh (--timing: tcp_info_max, tcp_info_total). */
static void note_asked(struct top *t, size_t n)
{
	t->asked_now += n;
	t->asked_total += n;
}

/* The counters of s->socks[idx[i]], i < n: one small request each, counted. */
static int ask_tcp(struct top *t, struct ps_snapshot *s, const size_t *idx, size_t n)
{
	note_asked(t, n);
	return platform_tcp_stats(s, idx, n);
}

/* Whether the view needs every socket's counters: sorting by one, or the remotes' groups (the
 * sockets, processes and listeners views ask for the rows on screen only). */
static bool needs_all_counters(const struct top *t)
{
	if (t->view == TOP_REMOTES)
		return true; /* its rows of an address class sum every connection out of that class
			      */
	size_t n;
	const struct top_col *c = top_columns(t->view, t->o->filter.all_netns, &n);
	const struct top_col *by = &c[t->sort_col[t->view]];
	return !strcmp(by->title, "SENT") || !strcmp(by->title, "RECV") || by->rate_of >= 0 ||
	       !strcmp(by->title, "RTT-ms") || !strcmp(by->title, "RETR");
}
/* Only the rows on screen get their counters asked (one small request each). */
static int visible_counters(struct top *t, struct top_table *tab, struct ps_snapshot *s)
{
	size_t from = t->scroll, to = t->scroll + (size_t)t->rows;
	size_t idx[512], n = 0;
	for (size_t i = from; i < to && i < tab->n && n < 512; i++)
		if (tab->rows[i].sock >= 0)
			idx[n++] = (size_t)tab->rows[i].sock;
	int rc = ask_tcp(t, s, idx, n);
	if (rc)
		return rc == -ENOSYS ? 0 : rc;
	for (size_t i = from; i < to && i < tab->n && !rc; i++) {
		struct top_row *r = &tab->rows[i];
		const struct ps_socket *k = r->sock >= 0 ? &s->socks[r->sock] : NULL;
		if (!k || !snap_tcp(s, k))
			continue;
		rc = top_set_socket_counters(tab, r, k, snap_tcp(s, k));
	}
	return rc;
}

/*
 * The processes view: the counters of the sockets of the processes on screen only (one small
 * request each); every other socket's are dropped, so a row is summed whole or not at all (a row
 * new on screen gets its rate a refresh later).
 */
static int visible_proc_counters(struct top *t, const struct top_table *tab, struct ps_snapshot *s)
{
	bool *want = calloc(s->nprocs + 1, sizeof *want);
	size_t *idx = malloc((s->nsocks + 1) * sizeof *idx), n = 0;
	int rc = want && idx ? 0 : -ENOMEM;
	for (size_t i = t->scroll; !rc && i < tab->n && i < t->scroll + (size_t)t->rows; i++)
		want[tab->rows[i].proc >= 0 ? (size_t)tab->rows[i].proc : s->nprocs] = true;
	for (size_t i = 0; !rc && i < s->nsocks; i++) {
		struct ps_socket *k = &s->socks[i];
		size_t p = k->owner_count && s->owners ? snap_owner(s, k, 0)->proc : s->nprocs;
		if (want[p] && k->proto == PS_TCP)
			idx[n++] = i;
		else
			(void)snap_set_tcp(s, k, NULL); /* forgets: cannot fail */
	}
	rc = rc ? rc : ask_tcp(t, s, idx, n);
	free(want);
	free(idx);
	return rc == -ENOSYS ? 0 : rc;
}

/*
 * The listeners view: the counters of the TCP sockets on the local ports of the rows on screen (a
 * listener's, and its inbound connections', whose group is the listener's port), those sockets
 * alone grouped again (a group on screen is summed whole), their sums set on the rows. The
 * grouping sees a snapshot of those sockets that shares s's processes, owners and counters.
 */
static int visible_port_counters(struct top *t, struct top_table *tab, struct ps_snapshot *s)
{
	uint8_t *want = calloc(65536 / 8, 1);
	size_t *idx = malloc((s->nsocks + 1) * sizeof *idx), n = 0;
	struct ps_socket *some = malloc((s->nsocks + 1) * sizeof *some);
	int rc = want && idx && some ? 0 : -ENOMEM;
	for (size_t i = t->scroll; !rc && i < tab->n && i < t->scroll + (size_t)t->rows; i++)
		if (tab->rows[i].proto == PS_TCP)
			want[tab->rows[i].port / 8] |= (uint8_t)(1u << (tab->rows[i].port % 8));
	for (size_t i = 0; !rc && i < s->nsocks; i++) {
		const struct ps_socket *k = &s->socks[i];
		if (k->proto == PS_TCP && (want[k->local.port / 8] >> (k->local.port % 8) & 1))
			idx[n++] = i;
	}
	rc = rc ? rc : ask_tcp(t, s, idx, n);
	rc = rc == -ENOSYS ? 0 : rc;
	for (size_t i = 0; !rc && i < n; i++)
		some[i] = s->socks[idx[i]]; /* with the counters just asked (their index in s) */
	struct ps_snapshot sub = *s; /* read only, never freed: its arrays are s's but socks */
	sub.socks = some;
	sub.nsocks = n;
	struct conn_table g = {0};
	rc = rc ? rc : conns_group(NULL, &sub, 0, &g);
	rc = rc ? rc : top_listener_counters(tab, &g);
	conns_free(&g);
	free(want);
	free(idx);
	free(some);
	return rc;
}

/* The rows on screen of table tab (built, not sorted yet) with their counters asked (the sockets
 * and processes views set them on those rows, the listeners' groups are made again), sorted. */
static int ask_visible(struct top *t, struct top_table *tab, struct ps_snapshot *s,
		       struct conn_table *g)
{
	top_sort(tab, t->sort_col[t->view], t->sort_rev);
	if (t->view == TOP_SOCKETS)
		return visible_counters(t, tab, s);
	if (t->view == TOP_PROCESSES) {
		int rc = visible_proc_counters(t, tab, s);
		return rc ? rc : top_proc_counters(tab, s, t->scroll, t->scroll + (size_t)t->rows);
	}
	(void)g;
	return visible_port_counters(t, tab, s); /* the listeners view */
}

/* A socket a state change added is shown when the command's filters and the screen's keep it. */
static bool keep_new(const struct ps_snapshot *s, const struct ps_socket *k, const void *ctx)
{
	const struct top *t = ctx;
	const struct ps_filter *f = &t->o->filter;
	if (!filter_match_socket(f, k) || (t->expr && !fexpr_match(t->expr, k)))
		return false;
	return !filter_needs_owners(f) || filter_match_owners(f, s, k);
}

/* The TCP sockets the command's socket filters keep, without owners (sock_diag's way): one
 * dump, with every socket's counters when `counters`. */
static int dump_tcp(struct top *t, struct ps_snapshot *s, bool counters)
{
	struct ps_filter f = t->o->filter; /* read only: its arrays stay the command's */
	f.protos &= 1u << PS_TCP;
	f.tcp_info = counters;
	f.no_owners = true;
	if (!f.protos)
		return 0;
	size_t before = s->nsocks;
	int rc = f.all_netns ? platform_collect_all_netns(s, &f) : platform_collect(s, &f);
	if (counters)
		note_asked(t, s->nsocks - before);
	return rc;
}

/* The state changes waiting, read and dropped (a full listing is about to be made); with
 * sock_diag, the dump the next refresh's difference starts from. */
static int drop_changes(struct top *t)
{
	t->nchg = 0;
	if (t->events)
		platform_sockstate_read(t->events, &t->chg, &t->nchg, &t->chg_cap);
	t->nchg = 0;
	if (!t->diag)
		return 0;
	struct ps_snapshot gone = {0};
	(void)platform_sockevents_read(t->diag, &gone); /* the listing has what is left */
	snap_free(&gone);
	snap_free(&t->dump);
	return dump_tcp(t, &t->dump, false);
}

/* Everything again through the pipeline (owners, processes, units): t->cur replaced. */
/* Wait for the listing's thread (done, or about to be); its snapshot, and its status. */
static int listing_join(struct top_listing *l, struct ps_snapshot *s)
{
	pthread_join(l->id, NULL);
	l->running = false;
	*s = l->snap;
	l->snap = (struct ps_snapshot){0};
	return l->rc;
}

/* A listing still running is waited for and thrown away: one pipeline, one thread at a time. */
static void listing_drop(struct top_listing *l)
{
	if (!l->running)
		return;
	struct ps_snapshot s;
	(void)listing_join(l, &s);
	snap_free(&s);
}

static int full_listing(struct top *t)
{
	struct ps_snapshot s = {0};
	listing_drop(&t->bg);
	int rc = drop_changes(t);
	if (rc)
		return rc;
	t->o->filter.tcp_info = needs_all_counters(t);
	int code = cli_pipeline_run(&t->pl, &s);
	rc = code ? -EIO : 0;
	for (size_t i = 0; t->o->filter.tcp_info && i < s.nsocks; i++)
		note_asked(t, s.socks[i].proto == PS_TCP);
	if (!rc && t->expr)
		rc = snap_retain(&s, keep_expr, t->expr);
	if (rc) {
		snap_free(&s);
		return rc;
	}
	snap_free(&t->cur);
	t->cur = s;
	t->last_full = top_now();
	t->resync_due = false;
	t->listed = true;
	t->fulls++;
	return 0;
}

/* Refreshes between two looks at the TIME-WAIT sockets. */
#define TOP_TW_EVERY 5

static int cmp_tuple(const void *pa, const void *pb)
{
	const struct ps_sockchange *a = pa, *b = pb;
	if (a->netns != b->netns)
		return a->netns < b->netns ? -1 : 1;
	int c = memcmp(&a->local, &b->local, sizeof a->local);
	return c ? c : memcmp(&a->remote, &b->remote, sizeof a->remote);
}

static bool not_vanished(const struct ps_snapshot *s, const struct ps_socket *k, const void *ctx)
{
	(void)s;
	const struct top_tw *g = ctx;
	if (k->proto != PS_TCP || k->state != PS_ST_TIME_WAIT || !g->n)
		return true;
	struct ps_sockchange key = {.netns = k->netns, .local = k->local, .remote = k->remote};
	return !bsearch(&key, g->v, g->n, sizeof key, cmp_tuple);
}

/* The TIME-WAIT sockets of s that g names leave it (a socket of the same ends in another state,
 * one made since, stays). 0 or -ENOMEM. */
static int drop_vanished(struct ps_snapshot *s, const struct top_tw *g)
{
	return g->n ? snap_retain(s, not_vanished, g) : 0;
}

/*
 * TIME-WAIT sockets leave without a state change (the kernel's timer frees them): every few
 * refreshes while the set has some, one dump of the TIME-WAIT sockets alone (no owners, no
 * counters); those the last such dump had and this one lacks leave the set (and, while a listing
 * runs, the listing when it comes).
 */
static int expire_time_wait(struct top *t, bool *changed)
{
	bool any = false;
	for (size_t i = 0; i < t->cur.nsocks && !any; i++)
		any = t->cur.socks[i].proto == PS_TCP && t->cur.socks[i].state == PS_ST_TIME_WAIT;
	if (!any)
		snap_free(&t->tw);
	if (!any || t->refreshes % TOP_TW_EVERY)
		return 0;
	struct ps_filter f;
	filter_init(&f);
	f.protos = 1u << PS_TCP;
	f.states[PS_TCP] = 1u << PS_ST_TIME_WAIT;
	f.no_owners = true;
	f.all_netns = t->o->filter.all_netns;
	struct ps_snapshot now = {0};
	struct top_tw g = {0};
	size_t n = 0, cap = 0, before = t->cur.nsocks;
	int rc = f.all_netns ? platform_collect_all_netns(&now, &f) : platform_collect(&now, &f);
	rc = rc ? rc : sockset_diff(&t->tw, &now, NULL, &g.v, &n, &cap);
	for (size_t i = 0; !rc && i < n; i++)
		if (g.v[i].to == PS_ST_CLOSE) /* the new ones were closed by a state change */
			g.v[g.n++] = g.v[i];
	if (g.n)
		qsort(g.v, g.n, sizeof *g.v, cmp_tuple);
	rc = rc ? rc : drop_vanished(&t->cur, &g);
	*changed = *changed || t->cur.nsocks != before;
	struct top_tw *l = &t->bg.twgone;
	if (!rc && t->bg.running && g.n) {
		rc = util_grow((void **)&l->v, &l->cap, l->n + g.n, sizeof *l->v);
		if (!rc) {
			memcpy(l->v + l->n, g.v, g.n * sizeof *g.v);
			l->n += g.n;
			qsort(l->v, l->n, sizeof *l->v, cmp_tuple);
		}
	}
	free(g.v);
	snap_free(&t->tw);
	t->tw = now;
	return rc;
}

/*
 * A test's seam: while the file PORTSLEUTH_TOP_HOLD names exists, a listing in the background
 * waits before it lists (the suite proves the screen goes on meanwhile; never set otherwise).
 */
static void hold_listing(void)
{
	const char *path = platform_secure_getenv("PORTSLEUTH_TOP_HOLD");
	struct timespec ts = {0, 50 * 1000 * 1000};
	while (path && *path && access(path, F_OK) == 0)
		nanosleep(&ts, NULL);
}

/* The listing's thread: the pipeline into a snapshot of its own, handed over under the lock. */
static void *listing_run(void *arg)
{
	struct top_listing *l = arg;
	struct ps_snapshot s = {0};
#ifdef __linux__
	/* the screen's thread first: the listing (and the threads it starts) at a lower priority */
	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
#endif
	hold_listing();
	int code = cli_pipeline_run(l->pl, &s);
	pthread_mutex_lock(&l->lock);
	l->snap = s;
	l->rc = code ? -EIO : 0;
	l->done = true;
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

/* Start a full listing in the background (no counters: each refresh asks those it shows). The
 * changes seen from now on are kept for it (listing_log). 0 or -errno. */
static int listing_start(struct top *t, double now)
{
	struct top_listing *l = &t->bg;
	l->pl = &t->pl;
	l->done = false;
	l->nlog = 0;
	l->twgone.n = 0;
	l->started = now;
	l->quiet = t->relist_quiet;
	t->relist_quiet = false;
	t->resync_due = false; /* lost again while it runs: another one follows */
	t->o->filter.tcp_info = false;
	sigset_t all, old; /* signals are the screen's thread's to take, but a fault is the thread's
			    * own: delivered there, the crash handler restores the terminal */
	sigfillset(&all);
	static const int faults[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
	for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++)
		sigdelset(&all, faults[i]);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&l->id, NULL, listing_run, l);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		return -rc;
	l->running = true;
	t->background++;
	return 0;
}

/* While a listing runs, changes c[0..n) applied to the set are kept to be applied on top of it. */
static int listing_log(struct top *t, const struct ps_sockchange *c, size_t n)
{
	struct top_listing *l = &t->bg;
	if (!l->running || !n)
		return 0;
	if (util_grow((void **)&l->log, &l->log_cap, l->nlog + n, sizeof *l->log))
		return -ENOMEM;
	memcpy(l->log + l->nlog, c, n * sizeof *c);
	l->nlog += n;
	return 0;
}

static int owners_of_new(struct top *t, const struct ps_snapshot *now,
			 const struct ps_snapshot *held, struct ps_sockchange *chg, size_t nchg);

/*
 * A listing done in the background replaces the set: the changes seen since it started applied
 * on top of it (with sock_diag, the owners of the sockets they add found now: the listing's
 * thread had the platform then), the screen's filter too. *swapped: whether it did. 0 or -errno
 * (the set stays; the next refresh lists again).
 */
static int listing_swap(struct top *t, bool *swapped)
{
	struct top_listing *l = &t->bg;
	*swapped = false;
	if (!l->running)
		return 0;
	pthread_mutex_lock(&l->lock);
	bool done = l->done;
	pthread_mutex_unlock(&l->lock);
	if (!done)
		return 0;
	struct ps_snapshot s;
	int rc = listing_join(l, &s);
	rc = rc ? rc : drop_vanished(&s, &l->twgone);
	l->twgone.n = 0;
	if (!rc && t->diag)
		rc = owners_of_new(t, &s, &s, l->log, l->nlog);
	struct sockset_stats st;
	rc = rc ? rc : sockset_apply(&s, l->log, l->nlog, keep_new, t, &st);
	if (!rc && t->expr)
		rc = snap_retain(&s, keep_expr, t->expr);
	if (rc) {
		snap_free(&s);
		t->resync_due = true;
		return rc;
	}
	snap_free(&t->cur);
	t->cur = s;
	t->last_full = l->started;
	t->fulls++;
	if (l->quiet)
		t->first = true; /* a new filter's rows: nothing new, nothing closed */
	*swapped = true;
	return 0;
}

/* Whether changes c[0..n) close a connection with its counters (a row, even one the set lacks). */
static bool any_close(const struct ps_sockchange *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (c[i].to == PS_ST_CLOSE && c[i].last.valid)
			return true;
	return false;
}

/* Between two full listings: the kernel's state changes since the last refresh, into t->cur. */
static int follow_changes(struct top *t, bool *changed)
{
	t->nchg = 0;
	long got = platform_sockstate_read(t->events, &t->chg, &t->nchg, &t->chg_cap);
	if (got == -ENOBUFS)
		t->resync_due = true; /* some were lost: what was read applies until the listing */
	else if (got < 0)
		return (int)got;
	struct sockset_stats st;
	t->changes += t->nchg;
	int rc = sockset_apply(&t->cur, t->chg, t->nchg, keep_new, t, &st);
	*changed = rc || st.added || st.changed || st.removed || any_close(t->chg, t->nchg);
	return rc;
}

/*
 * The owners of the sockets the changes chg[0..nchg) add (not a connection accepted on a
 * listener of `held` that one process holds alone: it takes that process, in sockset_apply; one
 * of a listener several processes hold, a pre-forked server's, is asked like any other): one
 * attribution of those sockets alone (with BPF the kernel is handed their inodes; the /proc scan
 * reads every fd table), each change then naming its first owner's pid and name as a BPF state
 * change does. Nothing added: nothing read. `now`: the listing they come from. 0 or -errno.
 */
static int owners_of_new(struct top *t, const struct ps_snapshot *now,
			 const struct ps_snapshot *held, struct ps_sockchange *chg, size_t nchg)
{
	struct ps_snapshot fresh = {.netns = now->netns};
	size_t *at = malloc((nchg + 1) * sizeof *at), n = 0;
	/* a connection a listener of the set serves (its address or a wildcard: as conns and
	 * sockset_apply tell it) is an accepted one */
	struct conn_listeners *ls = conns_listeners(held);
	int rc = at && ls ? 0 : -ENOMEM;
	for (size_t i = 0; i < nchg && !rc; i++) {
		const struct ps_sockchange *c = &chg[i];
		struct ps_socket probe = {.local = c->local,
					  .remote = c->remote,
					  .netns = c->netns,
					  .proto = c->proto,
					  .state = c->to};
		const struct ps_socket *lst;
		bool accepted = c->to != PS_ST_LISTEN &&
				conns_dir_of(ls, &probe, &lst) == CONN_IN &&
				sockset_sole_proc(held, lst) >= 0;
		if (c->to == PS_ST_CLOSE || c->from != PS_ST_CLOSE || !c->inode || accepted)
			continue;
		struct ps_socket *k = snap_add_socket(&fresh);
		if (!k) {
			rc = -ENOMEM;
			break;
		}
		k->local = c->local, k->remote = c->remote, k->netns = c->netns;
		k->inode = c->inode, k->proto = c->proto, k->state = c->to;
		at[n++] = i;
	}
	if (!rc && n)
		rc = platform_attribute(&fresh, &t->o->filter);
	if (!rc && n)
		rc = platform_describe(&fresh);
	for (size_t i = 0; i < n && !rc; i++) {
		const struct ps_socket *k = &fresh.socks[i];
		const struct ps_proc *p =
		    k->owner_count ? &fresh.procs[snap_owner(&fresh, k, 0)->proc] : NULL;
		if (!p)
			continue;
		chg[at[i]].pid = p->pid;
		snprintf(chg[at[i]].comm, sizeof chg[at[i]].comm, "%s", p->name ? p->name : "");
	}
	free(at);
	conns_listeners_free(ls);
	snap_free(&fresh);
	return rc;
}

/*
 * Between two full listings without BPF: the closes sock_diag notified, and the difference of
 * a new dump from the last one, into t->cur (the dump's counters too when the view needs
 * every socket's). A lost notification costs nothing: the dumps still differ.
 */
static int follow_diag(struct top *t, bool all, bool *changed)
{
	struct ps_snapshot gone = {0}, now = {0};
	long got = platform_sockevents_read(t->diag, &gone);
	int rc = got < 0 && got != -ENOBUFS ? (int)got : 0;
	rc = rc ? rc : dump_tcp(t, &now, all);
	t->nchg = 0;
	rc = rc ? rc : sockset_diff(&t->dump, &now, &gone, &t->chg, &t->nchg, &t->chg_cap);
	if (!rc && !t->bg.running) /* else once the listing is in: its thread has the platform */
		rc = owners_of_new(t, &now, &t->cur, t->chg, t->nchg);
	struct sockset_stats st = {0};
	rc = rc ? rc : sockset_apply(&t->cur, t->chg, t->nchg, keep_new, t, &st);
	t->changes += t->nchg;
	/* a close of a connection the set never had is a row all the same (top_add_closed) */
	*changed = rc || st.added || st.changed || st.removed || any_close(t->chg, t->nchg);
	if (!rc && all)
		rc = sockset_merge_counters(&t->cur, &now);
	snap_free(&gone);
	if (rc) {
		snap_free(&now);
		return rc;
	}
	snap_free(&t->dump);
	t->dump = now;
	return 0;
}

/*
 * Counters between full listings, from one dump without owners: every TCP socket's when
 * the view needs them all, else the listeners' queues only (a few sockets).
 */
static int dump_counters(struct top *t, bool all)
{
	struct ps_filter f;
	filter_init(&f);
	f.protos = 1u << PS_TCP;
	f.states[PS_TCP] = all ? PS_STATES_ALL : 1u << PS_ST_LISTEN;
	f.tcp_info = true;
	f.no_owners = true; /* collect would start the owners' BPF pass for nothing */
	f.all_netns = t->o->filter.all_netns;
	struct ps_snapshot s = {0};
	int rc = f.all_netns ? platform_collect_all_netns(&s, &f) : platform_collect(&s, &f);
	note_asked(t, s.nsocks);
	rc = rc ? rc : sockset_merge_counters(&t->cur, &s);
	snap_free(&s);
	return rc;
}

/*
 * The socket set now. The first listing, every one without state changes and those of -N (every
 * namespace: its listing shares the platform's view of them with the refreshes) are made in line;
 * else the changes since the last refresh, a listing done in the background swapped in, the next
 * one started when due, and the counters of what is shown.
 */
static int update_set(struct top *t, double now, bool *changed)
{
	bool all = needs_all_counters(t), swapped = false;
	*changed = true;
	if (!t->listed || (!t->events && !t->diag) ||
	    (t->o->filter.all_netns && (t->resync_due || now - t->last_full >= TOP_RESYNC)))
		return full_listing(t);
	snap_clear_tcp(&t->cur); /* only what is asked now is shown */
	int rc = t->diag ? follow_diag(t, all, changed) : follow_changes(t, changed);
	rc = rc ? rc : listing_log(t, t->chg, t->nchg);
	rc = rc ? rc : listing_swap(t, &swapped);
	rc = rc ? rc : expire_time_wait(t, changed);
	/* -N lists in line (above): a listing of it beside the screen would share the platform's
	 * view of every namespace with the refreshes */
	if (!rc && !t->bg.running && !t->o->filter.all_netns &&
	    (t->resync_due || now - t->last_full >= TOP_RESYNC))
		rc = listing_start(t, now);
	*changed = *changed || swapped;
	if (rc)
		return rc;
	/* with sock_diag every counter came with the dump, unless the set was swapped since */
	return t->diag && all && !swapped ? 0 : dump_counters(t, all);
}

void top_relist(struct top *t)
{
	if (t->expr && snap_retain(&t->cur, keep_expr, t->expr))
		t->resync_due = true;
	t->first = true; /* rows a new filter hides did not close, nor did those it shows open */
	if (t->bg.running) {
		t->bg.quiet = true; /* what it brings is kept by the new filter when it comes */
		return;
	}
	t->relist_quiet = true;
	t->resync_due = true;
}

static void note_timing(struct top *t, double now)
{
	double took = top_now() - now;
	if (took > t->max_refresh)
		t->max_refresh = took;
	if (t->asked_now > t->asked_max)
		t->asked_max = t->asked_now;
	t->asked_now = 0;
	t->scroll_at = t->scroll;
	t->refreshes++;
	t->during += t->bg.running;
	if (t->last_ok > 0 && now - t->last_ok > t->max_gap)
		t->max_gap = now - t->last_ok;
	t->last_ok = now;
	if (t->refreshes == 1) { /* the screen starts once the first listing is made */
		t->first_took = took;
		t->last_ok = now + took;
	}
}

/*
 * Whether the table on screen still shows the set: nothing changed in it, the sockets view
 * sorted by a column that is no counter, no mark left to fade, and the text it grew small.
 */
static bool table_current(const struct top *t, bool changed)
{
	if (changed || t->first || t->view != TOP_SOCKETS || !t->tab.cols ||
	    t->tab.view != TOP_SOCKETS || needs_all_counters(t) ||
	    t->tab.text.len > 2 * t->built_text + 65536 || t->built_sort != t->sort_col[t->view] ||
	    t->built_rev != t->sort_rev || /* a new order is a new table */
	    t->scroll != t->scroll_at)	   /* rows new on screen have no counters to rate from */
		return false;
	for (size_t i = 0; i < t->tab.n; i++)
		if (t->tab.rows[i].mark != TOP_MARK_NONE)
			return false;
	return true;
}

/* The kept table's rows on screen: their counters asked again, their rates from the last. */
static int refresh_visible(struct top *t, double seconds)
{
	size_t from = t->scroll, n = 0;
	struct top_row was[512];
	for (size_t i = from; i < t->tab.n && n < (size_t)t->rows && n < 512; i++)
		was[n++] = t->tab.rows[i];
	int rc = visible_counters(t, &t->tab, &t->cur);
	for (size_t i = 0; i < n && !rc; i++)
		rc = top_rates(&t->tab, &t->tab.rows[from + i], &was[i], seconds);
	return rc;
}

int top_refresh(struct top *t)
{
	struct conn_table g = {0};
	struct top_table tab = {0};
	double now = top_now();
	bool changed;
	int rc = update_set(t, now, &changed);
	if (!rc && table_current(t, changed)) { /* an idle set costs only the rows on screen */
		rc = refresh_visible(t, now - t->last);
		if (!rc) {
			t->last = now;
			note_timing(t, now);
		}
		return rc;
	}
	struct ps_snapshot *s = &t->cur;
	if (!rc && t->view != TOP_SOCKETS && t->view != TOP_PROCESSES)
		rc = conns_group(NULL, s, 0, &g); /* the processes view sums the sockets itself */
	rc = rc ? rc : top_build(&tab, t->view, s, &g);
	if (!rc && !needs_all_counters(t))
		rc = ask_visible(t, &tab, s, &g);
	rc = rc ? rc : top_track(&tab, t->tab.cols ? &t->tab : NULL, now - t->last, t->first);
	/* a connection that closed since its last sample: its last counters, as it closed */
	rc = rc ? rc : top_final_counters(&tab, t->chg, t->nchg);
	/* one that opened and closed since: a closed row all the same */
	if (!rc && !t->first)
		rc = top_add_closed(&tab, s, t->chg, t->nchg, keep_new, t);
	if (!rc)
		top_sort(&tab, t->sort_col[t->view], t->sort_rev);
	conns_free(&g);
	if (rc) {
		snprintf(t->msg, sizeof t->msg, "refresh failed: %s", strerror(rc < 0 ? -rc : rc));
		top_table_free(&tab);
		t->resync_due = true;
		return rc;
	}
	top_table_free(&t->prev);
	t->prev = t->tab;
	t->tab = tab;
	t->built_text = tab.text.len;
	t->built_sort = t->sort_col[t->view];
	t->built_rev = t->sort_rev;
	t->last = now;
	t->first = false;
	note_timing(t, now);
	return 0;
}

/* Without BPF: sock_diag's destroy notifications (ours is the one namespace they come from). */
static void open_diag(struct top *t, const char *why_not_bpf)
{
	int rc = -ENOSYS;
	const char *why = "destroy notifications are not supported on this platform";
	if (t->o->filter.all_netns)
		why = "-N: sock_diag notifications come from one namespace";
	else if (platform_caps()->destroy_events)
		rc = platform_sockevents_open(&t->diag);
	if (rc == -ENOSYS)
		snprintf(t->msg, sizeof t->msg, "listing everything each refresh: %s", why);
	else if (rc)
		snprintf(t->msg, sizeof t->msg, "listing everything each refresh: %s",
			 strerror(-rc));
	else
		snprintf(t->msg, sizeof t->msg, "sock_diag keeps the set: %s", why_not_bpf);
}

/* Follow the kernel's state changes between full listings when the platform can (BPF), else
 * sock_diag's notifications; the status line says which, and why not the first. */
void top_events_open(struct top *t, enum top_events how)
{
	const char *why = NULL;
	if (how == TOP_EVENTS_NONE) {
		snprintf(t->msg, sizeof t->msg, "listing everything each refresh (--events none)");
		return;
	}
	if (how == TOP_EVENTS_DIAG) {
		open_diag(t, "asked by --events diag");
		return;
	}
	if (!platform_caps()->state_events) {
		open_diag(t, "TCP state changes are not supported on this platform");
		return;
	}
	int rc = platform_sockstate_open(t->o->filter.all_netns, &t->events, &why);
	if (rc)
		open_diag(t, why ? why : strerror(-rc));
	else
		snprintf(t->msg, sizeof t->msg,
			 "BPF keeps the set: the kernel's TCP state changes");
}

/* How the set is kept, for --timing. */
static const char *events_name(const struct top *t)
{
	return t->events ? "bpf" : t->diag ? "sock_diag" : "no";
}

void top_write_timing(const struct top *t, const char *path)
{
	struct buf b = {0};
	const char *why = NULL;
	int rc = buf_printf(
	    &b,
	    "refreshes %lu full_listings %lu state_changes %lu max_interval_s %.3f "
	    "delay_s %.3f events %s background_listings %lu refreshes_while_listing %lu "
	    "longest_refresh_s %.3f first_listing_s %.3f tcp_info_max %zu "
	    "tcp_info_total %llu\n",
	    t->refreshes, t->fulls, t->changes, t->max_gap, t->delay, events_name(t), t->background,
	    t->during, t->max_refresh, t->first_took, t->asked_max, t->asked_total);
	rc = rc ? rc : cli_write_file(path, 0644, &b, &why);
	if (rc)
		cli_err(rc, "top: cannot write %s%s%s", path, why ? ": " : "", why ? why : "");
	buf_free(&b);
}

void top_data_free(struct top *t)
{
	listing_drop(&t->bg);
	free(t->bg.log);
	free(t->bg.twgone.v);
	platform_sockstate_close(t->events);
	if (t->diag)
		platform_sockevents_close(t->diag);
	snap_free(&t->dump);
	snap_free(&t->tw);
	free(t->chg);
	top_table_free(&t->tab);
	top_table_free(&t->prev);
	snap_free(&t->cur);
}

#endif
