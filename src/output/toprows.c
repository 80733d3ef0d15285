/* SPDX-License-Identifier: GPL-2.0-or-later */
/* toprows.c — build `top`'s views from the model, mark what is new, changed or gone, sort. */
#include "toprows.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../model/exposure.h"
#include "../util/escape.h"
#include "conns_out.h"
#include "json_services.h"

/* Designated: a field left out is false (up, addr) */
#define COL(t, w, num, fl, of, kp, u, ad)                                                          \
	{                                                                                          \
		.title = t, .width = w, .numeric = num, .flex = fl, .rate_of = of, .keep = kp,     \
		.up = u, .addr = ad                                                                \
	}
#define NUM(t, w) COL(t, w, true, false, -1, false, false, false)
#define TXT(t, w) COL(t, w, false, false, -1, false, false, false)
#define FLEX(t, w) COL(t, w, false, true, -1, false, false, false)
#define OWNER(t, w, num_)                                                                          \
	{                                                                                          \
		.title = t, .width = w, .numeric = num_, .rate_of = -1, .keep = true, .min = 8     \
	}
#define RATE(t, of) COL(t, 6, true, false, of, false, false, false)
/* an address and port, sorted as one */
#define ADDR(t, w)                                                                                 \
	{                                                                                          \
		.title = t, .width = w, .flex = true, .rate_of = -1, .addr = true, .min = 10       \
	}
/* the sockets view's remote end and bytes sent: kept at 80 columns, with -N too */
#define WANT_ADDR(t, w)                                                                            \
	{                                                                                          \
		.title = t, .width = w, .flex = true, .rate_of = -1, .addr = true, .min = 10,      \
		.want = true                                                                       \
	}
#define WANT_NUM(t, w)                                                                             \
	{                                                                                          \
		.title = t, .width = w, .numeric = true, .rate_of = -1, .want = true               \
	}
/* the owner's pid: a number sorted smallest first */
#define PID_COL COL("PID", 7, true, false, -1, true, true, false)

/* The sockets view: the owner (PROCESS, PID) together, then the counters. */
enum {
	S_PROTO,
	S_STATE,
	S_LOCAL,
	S_REMOTE,
	S_PROC,
	S_PID,
	S_SENT,
	S_RECV,
	S_RETR,
	S_TX,
	S_RX,
	S_RTT
};

static const struct top_col cols_sockets[] = {
    TXT("PROTO", 5),
    TXT("STATE", 10),
    ADDR("LOCAL", 15),
    WANT_ADDR("REMOTE", 15),
    OWNER("PROCESS", 12, false),
    PID_COL,
    WANT_NUM("SENT", 6),
    NUM("RECV", 6),
    NUM("RETR", 4),
    RATE("TX/s", S_SENT),
    RATE("RX/s", S_RECV),
    NUM("RTT-ms", 6),
};

/* With -N: the namespace first, then the sockets view's columns (their index one more). */
static const struct top_col cols_sockets_ns[] = {
    TXT("NETNS", 10), /* never shrunk: an inode cut would hide what tells two apart */
    TXT("PROTO", 5),
    TXT("STATE", 10),
    WANT_ADDR("LOCAL", 15), /* not among the first three here: kept as the remote end is */
    WANT_ADDR("REMOTE", 15),
    OWNER("PROCESS", 12, false),
    PID_COL,
    WANT_NUM("SENT", 6),
    NUM("RECV", 6),
    NUM("RETR", 4),
    RATE("TX/s", 1 + S_SENT),
    RATE("RX/s", 1 + S_RECV),
    NUM("RTT-ms", 6),
};

static const struct top_col cols_procs[] = {
    OWNER("PROCESS", 15, false),
    PID_COL,
    NUM("LISTEN", 6),
    NUM("CONNS", 6),
    NUM("SENT", 6),
    NUM("RECV", 6),
    RATE("TX/s", 4),
    RATE("RX/s", 5),
    FLEX("PORTS", 10),
};
enum { P_PROC, P_PID, P_LISTEN, P_CONNS, P_SENT, P_RECV, P_TX, P_RX, P_PORTS };

static const struct top_col cols_listeners[] = {
    ADDR("SERVER", 15), TXT("FROM", 13), OWNER("PROCESS", 12, false),
    NUM("CONNS", 6),	TXT("QUEUE", 9), NUM("SENT", 6),
    RATE("TX/s", 5),	NUM("RECV", 6),	 RATE("RX/s", 7),
};
enum { L_SERVER, L_FROM, L_PROC, L_CONNS, L_QUEUE, L_SENT, L_TX, L_RECV, L_RX };

static const struct top_col cols_remotes[] = {
    ADDR("REMOTE", 15), TXT("CLASS", 10), OWNER("PROCESS", 12, false),
    NUM("CONNS", 6),	NUM("SENT", 6),	  RATE("TX/s", 4),
    NUM("RECV", 6),	RATE("RX/s", 6),  NUM("RTT-ms", 6),
};
enum { R_REMOTE, R_CLASS, R_PROC, R_CONNS, R_SENT, R_TX, R_RECV, R_RX, R_RTT };

const struct top_col *top_columns(enum top_view v, bool all_netns, size_t *n)
{
	if (v == TOP_SOCKETS && all_netns) {
		*n = sizeof cols_sockets_ns / sizeof cols_sockets_ns[0];
		return cols_sockets_ns;
	}
	switch (v) {
	case TOP_PROCESSES:
		*n = sizeof cols_procs / sizeof cols_procs[0];
		return cols_procs;
	case TOP_LISTENERS:
		*n = sizeof cols_listeners / sizeof cols_listeners[0];
		return cols_listeners;
	case TOP_REMOTES:
		*n = sizeof cols_remotes / sizeof cols_remotes[0];
		return cols_remotes;
	default:
		*n = sizeof cols_sockets / sizeof cols_sockets[0];
		return cols_sockets;
	}
}

const char *top_view_name(enum top_view v)
{
	static const char *const names[] = {"sockets", "processes", "listeners", "remotes"};
	return v < TOP__VIEWS ? names[v] : "?";
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	return h;
}
#define FNV0 14695981039346656037ull

static struct top_row *add_row(struct top_table *t)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		struct top_row *v = realloc(t->rows, cap * sizeof *v);
		if (!v)
			return NULL;
		t->rows = v;
		t->cap = cap;
	}
	struct top_row *r = &t->rows[t->n++];
	memset(r, 0, sizeof *r);
	r->sock = -1;
	r->proc = -1;
	r->ord = (uint32_t)(t->n - 1);
	return r;
}

/* Cell col of r: raw text escaped for the terminal. */
static int cell_raw(struct top_table *t, struct top_row *r, size_t col, const char *s, size_t n)
{
	r->text[col] = (uint32_t)t->text.len;
	int rc = esc_text(&t->text, s, n);
	return rc ? rc : buf_putc(&t->text, '\0');
}

static int cell(struct top_table *t, struct top_row *r, size_t col, const char *s)
{
	r->text[col] = (uint32_t)t->text.len;
	return buf_append(&t->text, s, strlen(s) + 1);
}

int top_set_count(struct top_table *t, struct top_row *r, size_t col, double v)
{
	char b[24];
	r->num[col] = v;
	r->counted[col] = true;
	return cell(t, r, col, conns_human_bytes(v, b, sizeof b));
}

static int cell_num(struct top_table *t, struct top_row *r, size_t col, double v)
{
	char b[32];
	snprintf(b, sizeof b, "%.0f", v);
	r->num[col] = v;
	return cell(t, r, col, b);
}

/* The remaining cells, empty until set ("-" for counters nobody gave). */
static int fill_rest(struct top_table *t, struct top_row *r)
{
	int rc = 0;
	for (size_t c = 0; c < t->ncols && !rc; c++)
		if (!r->text[c])
			rc = cell(t, r, c, t->cols[c].numeric ? "-" : "");
	return rc;
}

static const char *owner_name(const struct ps_snapshot *s, const struct ps_socket *k, int *pid)
{
	*pid = 0;
	if (!k->owner_count || !s->owners)
		return NULL;
	const struct ps_owner *o = snap_owner(s, k, 0);
	*pid = o->pid;
	return s->procs[o->proc].name;
}

int top_find_col(const struct top_table *t, const char *title)
{
	for (size_t c = 0; c < t->ncols; c++)
		if (!strcmp(t->cols[c].title, title))
			return (int)c;
	return -1;
}

/* The sockets view's columns are one further with -N (the namespace first). */
static size_t ns_shift(const struct top_table *t)
{
	return t->cols == cols_sockets_ns;
}

int top_set_socket_counters(struct top_table *t, struct top_row *r, const struct ps_socket *k,
			    const struct ps_tcp_stats *c)
{
	char a[24];
	size_t o = ns_shift(t);
	int rc = top_set_count(t, r, o + S_SENT, (double)c->bytes_sent);
	rc = rc ? rc : top_set_count(t, r, o + S_RECV, (double)c->bytes_received);
	/* a listener measures no round trip: "-", not 0.0 */
	if (k->state == PS_ST_LISTEN)
		snprintf(a, sizeof a, "-");
	else
		conns_human_rtt(c->rtt_us, a, sizeof a);
	r->num[o + S_RTT] = c->rtt_us;
	rc = rc ? rc : cell(t, r, o + S_RTT, a);
	/* segments retransmitted over the connection's life (tcpi_total_retrans) */
	return rc ? rc : cell_num(t, r, o + S_RETR, c->retrans);
}

/* With -N: the socket's namespace, by its name (ip netns, container; escaped) or inode. */
static int ns_cell(struct top_table *t, struct top_row *r, const struct ps_snapshot *s,
		   const struct ps_socket *k)
{
	const char *name = netns_name(s, k->netns);
	char a[24];
	if (name && *name)
		return cell_raw(t, r, 0, name, strlen(name));
	snprintf(a, sizeof a, "%llu", (unsigned long long)k->netns);
	return cell(t, r, 0, a);
}

/* A sockets view row's identity: its ends, not its inode (a socket added from a state change has
 * none yet, and is the same row once a full listing names it); equal ends (reuseport) are told
 * apart by their order, dup. */
static uint64_t socket_key(uint8_t proto, const struct ps_endpoint *local,
			   const struct ps_endpoint *remote, uint64_t netns, uint32_t dup)
{
	uint64_t h = fnv(fnv(FNV0, &proto, 1), local, sizeof *local);
	return fnv(fnv(fnv(h, remote, sizeof *remote), &netns, sizeof netns), &dup, sizeof dup);
}

/* A connection a state change added without an owner (PS_OWN_UNREPORTED): accepted on a listener
 * of s, it is shown with that listener's program when every holder is that one program (a
 * pre-forked server's), with a pid only when one process holds it. *l: s's listeners, built the
 * first time one is needed. NULL: no program to show. */
static const char *accepted_program(const struct ps_snapshot *s, const struct ps_socket *k,
				    struct conn_listeners **l, int *pid)
{
	const struct ps_socket *lst = NULL;
	*pid = 0;
	if (k->owner_status != PS_OWN_UNREPORTED || k->owner_count || k->proto != PS_TCP ||
	    k->state == PS_ST_LISTEN || k->state == PS_ST_TIME_WAIT)
		return NULL;
	if (!*l)
		*l = conns_listeners(s);
	if (!*l || conns_dir_of(*l, k, &lst) != CONN_IN || !lst)
		return NULL;
	return conns_listener_program(s, lst, pid);
}

static int build_sockets(struct top_table *t, const struct ps_snapshot *s)
{
	int rc = 0;
	uint32_t dup = 0;
	struct conn_listeners *lst = NULL;
	for (size_t i = 0; i < s->nsocks && !rc; i++) {
		const struct ps_socket *k = &s->socks[i];
		struct top_row *r = add_row(t);
		if (!r) {
			rc = -ENOMEM;
			break;
		}
		int pid;
		const char *name = owner_name(s, k, &pid);
		if (!name)
			name = accepted_program(s, k, &lst, &pid);
		char a[64];
		r->sock = (long)i;
		r->proc = k->owner_count && s->owners ? (long)snap_owner(s, k, 0)->proc : -1;
		r->port = k->local.port;
		r->proto = k->proto;
		r->final = k->proto == PS_TCP && k->state == PS_ST_TIME_WAIT;
		const struct ps_socket *pk = i ? &s->socks[i - 1] : NULL;
		dup = pk && pk->proto == k->proto && pk->netns == k->netns &&
			      !memcmp(&pk->local, &k->local, sizeof k->local) &&
			      !memcmp(&pk->remote, &k->remote, sizeof k->remote)
			  ? dup + 1
			  : 0;
		r->key = socket_key(k->proto, &k->local, &k->remote, k->netns, dup);
		r->sig = fnv(fnv(FNV0, &k->state, 1), &pid, sizeof pid);
		size_t o = ns_shift(t);
		rc = o ? ns_cell(t, r, s, k) : 0;
		rc = rc ? rc : cell(t, r, o + S_PROTO, proto_name(k->proto));
		rc = rc ? rc : cell(t, r, o + S_STATE, state_label(k->proto, k->state));
		rc = rc ? rc : cell(t, r, o + S_LOCAL, conns_endpoint(&k->local, a, sizeof a));
		/* a listener (or an unconnected UDP socket) has no remote end: "*", as ss says */
		bool no_peer = k->state == PS_ST_LISTEN || (k->proto == PS_UDP && !k->remote.port);
		rc = rc ? rc
			: cell(t, r, o + S_REMOTE,
			       no_peer ? "*" : conns_endpoint(&k->remote, a, sizeof a));
		rc = rc ? rc
			: cell_raw(t, r, o + S_PROC, name ? name : "-", name ? strlen(name) : 1);
		if (!rc && pid)
			rc = cell_num(t, r, o + S_PID, pid);
		if (!rc && snap_tcp(s, k))
			rc = top_set_socket_counters(t, r, k, snap_tcp(s, k));
		rc = rc ? rc : fill_rest(t, r);
	}
	conns_listeners_free(lst);
	return rc;
}

/* Per process: listeners, connections, bytes, and the ports it listens on. */
struct proc_sum {
	size_t listen, conns;
	double sent, recv;
	bool counted;
	uint16_t port; /* the first listening port (for explain) */
	uint8_t proto;
	struct buf ports;
};

static void sum_socket(struct proc_sum *p, const struct ps_socket *k, const struct ps_tcp_stats *c,
		       bool listener)
{
	if (listener) {
		if (!p->listen++) {
			p->port = k->local.port;
			p->proto = k->proto;
		}
		if (p->ports.len < 60)
			buf_printf(&p->ports, "%s%s/%u", p->ports.len ? " " : "",
				   proto_name(k->proto), k->local.port);
	} else {
		p->conns++;
	}
	if (c) {
		p->counted = true;
		p->sent += (double)c->bytes_sent;
		p->recv += (double)c->bytes_received;
	}
}

static int proc_row(struct top_table *t, const char *name, int pid, struct proc_sum *p, long proc)
{
	struct top_row *r = add_row(t);
	if (!r)
		return -ENOMEM;
	r->proc = proc;
	r->key = fnv(fnv(FNV0, name ? name : "", name ? strlen(name) : 0), &pid, sizeof pid);
	r->port = p->port;
	r->proto = p->proto;
	int rc = cell_raw(t, r, P_PROC, name ? name : "(no owner)", name ? strlen(name) : 10);
	if (!rc && pid > 0) /* no owner, or one whose pid is not known yet: "-" */
		rc = cell_num(t, r, P_PID, pid);
	rc = rc ? rc : cell_num(t, r, P_LISTEN, (double)p->listen);
	rc = rc ? rc : cell_num(t, r, P_CONNS, (double)p->conns);
	if (!rc && p->counted) {
		rc = top_set_count(t, r, P_SENT, p->sent);
		rc = rc ? rc : top_set_count(t, r, P_RECV, p->recv);
	}
	rc = rc ? rc : cell(t, r, P_PORTS, p->ports.data ? p->ports.data : "");
	r->sig = fnv(FNV0, &p->listen, sizeof p->listen);
	return rc ? rc : fill_rest(t, r);
}

static int build_procs(struct top_table *t, const struct ps_snapshot *s, const struct conn_table *g)
{
	struct proc_sum *sum = calloc(s->nprocs + 1, sizeof *sum); /* the last: no owner */
	if (!sum)
		return -ENOMEM;
	(void)g;
	int rc = 0;
	for (size_t i = 0; i < s->nsocks; i++) {
		const struct ps_socket *k = &s->socks[i];
		size_t p = k->owner_count && s->owners ? snap_owner(s, k, 0)->proc : s->nprocs;
		bool listener = conns_is_listener(k);
		/* a time-wait socket has no owner and is no connection any more */
		if (p == s->nprocs && k->proto == PS_TCP && k->state == PS_ST_TIME_WAIT)
			continue;
		sum_socket(&sum[p], k, snap_tcp(s, k), listener);
		/* every other process holding a listener (a pre-forked server's workers) lists its
		 * port too; its counters are summed once, under the first */
		for (uint32_t o = 1; listener && s->owners && o < k->owner_count; o++) {
			size_t q = snap_owner(s, k, o)->proc;
			bool again = false;
			for (uint32_t b = 0; b < o && !again; b++)
				again = snap_owner(s, k, b)->proc == q;
			if (!again)
				sum_socket(&sum[q], k, NULL, true);
		}
	}
	for (size_t p = 0; p <= s->nprocs && !rc; p++)
		if (sum[p].listen || sum[p].conns)
			rc = proc_row(t, p < s->nprocs ? s->procs[p].name : NULL,
				      p < s->nprocs ? s->procs[p].pid : 0, &sum[p],
				      p < s->nprocs ? (long)p : -1);
	for (size_t p = 0; p <= s->nprocs; p++)
		buf_free(&sum[p].ports);
	free(sum);
	return rc;
}

int top_proc_counters(struct top_table *t, const struct ps_snapshot *s, size_t from, size_t to)
{
	struct proc_sum *sum = calloc(s->nprocs + 1, sizeof *sum); /* the last: no owner */
	bool *want = calloc(s->nprocs + 1, sizeof *want);
	int rc = sum && want ? 0 : -ENOMEM;
	if (t->view != TOP_PROCESSES)
		rc = -EINVAL;
	for (size_t i = from; !rc && i < to && i < t->n; i++)
		want[t->rows[i].proc >= 0 ? (size_t)t->rows[i].proc : s->nprocs] = true;
	for (size_t i = 0; !rc && i < s->nsocks; i++) {
		const struct ps_socket *k = &s->socks[i];
		size_t p = k->owner_count && s->owners ? snap_owner(s, k, 0)->proc : s->nprocs;
		const struct ps_tcp_stats *c = want[p] ? snap_tcp(s, k) : NULL;
		if (c) {
			sum[p].counted = true;
			sum[p].sent += (double)c->bytes_sent;
			sum[p].recv += (double)c->bytes_received;
		}
	}
	for (size_t i = 0; !rc && i < t->n; i++) {
		struct top_row *r = &t->rows[i];
		if (r->mark == TOP_MARK_GONE)
			continue;
		const struct proc_sum *p = &sum[r->proc >= 0 ? (size_t)r->proc : s->nprocs];
		r->counted[P_SENT] = r->counted[P_RECV] =
		    false; /* a row summed whole or not at all */
		r->num[P_SENT] = r->num[P_RECV] = 0;
		rc = cell(t, r, P_SENT, "-");
		rc = rc ? rc : cell(t, r, P_RECV, "-");
		if (!rc && p->counted) {
			rc = top_set_count(t, r, P_SENT, p->sent);
			rc = rc ? rc : top_set_count(t, r, P_RECV, p->recv);
		}
	}
	free(sum);
	free(want);
	return rc;
}

static int group_counts(struct top_table *t, struct top_row *r, const struct conn_group *gr,
			size_t sent, size_t recv)
{
	if (!gr->have_tcp)
		return 0;
	int rc = top_set_count(t, r, sent, (double)gr->bytes_sent);
	return rc ? rc : top_set_count(t, r, recv, (double)gr->bytes_received);
}

/* A listeners view row's identity: its group's server, direction, class and process. */
static uint64_t group_key(const struct conn_group *gr)
{
	uint64_t h = fnv(fnv(FNV0, &gr->server, sizeof gr->server), &gr->dir, 1);
	h = fnv(h, &gr->rclass, 1);
	return fnv(h, gr->process ? gr->process : "", gr->process ? strlen(gr->process) : 0);
}

/* One listeners view row: a listener (its CONNS: the connections accepted on its port, `conns`)
 * or a group of inbound connections. */
static int listener_row(struct top_table *t, const struct conn_group *gr, size_t conns)
{
	struct top_row *r = add_row(t);
	if (!r)
		return -ENOMEM;
	char a[80], e[64];
	r->port = gr->server.port;
	r->proto = gr->proto;
	r->key = group_key(gr);
	r->sig = fnv(FNV0, &gr->pid, sizeof gr->pid);
	snprintf(a, sizeof a, "%s %s", proto_name(gr->proto),
		 conns_endpoint(&gr->server, e, sizeof e));
	int rc = cell(t, r, L_SERVER, a);
	if (gr->dir == CONN_LISTEN)
		rc = rc ? rc : cell(t, r, L_FROM, "listen");
	else {
		snprintf(a, sizeof a, "<- %s", exposure_name(gr->rclass));
		rc = rc ? rc : cell(t, r, L_FROM, a);
	}
	const char *p = gr->process ? gr->process : "-";
	rc = rc ? rc : cell_raw(t, r, L_PROC, p, strlen(p));
	rc = rc ? rc : cell_num(t, r, L_CONNS, (double)conns);
	if (!rc && gr->dir == CONN_LISTEN && gr->proto == PS_TCP) {
		snprintf(a, sizeof a, "%u/%u%s", gr->queue, gr->backlog,
			 gr->queue >= gr->backlog && gr->backlog ? "!" : "");
		r->num[L_QUEUE] = gr->queue;
		rc = cell(t, r, L_QUEUE, a);
	}
	rc = rc ? rc : group_counts(t, r, gr, L_SENT, L_RECV);
	return rc ? rc : fill_rest(t, r);
}

static const struct conn_table *cmp_lg;

/* Listeners view order: by protocol and server end, each listener before its inbound groups,
 * then as grouped. */
static int cmp_listen_group(const void *pa, const void *pb)
{
	size_t x = *(const size_t *)pa, y = *(const size_t *)pb;
	const struct conn_group *a = &cmp_lg->v[x], *b = &cmp_lg->v[y];
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	if (a->server.addr.family != b->server.addr.family)
		return a->server.addr.family < b->server.addr.family ? -1 : 1;
	int c = memcmp(a->server.addr.bytes, b->server.addr.bytes, sizeof a->server.addr.bytes);
	c = c ? c : (a->server.port > b->server.port) - (a->server.port < b->server.port);
	if (!c && (a->dir == CONN_LISTEN) != (b->dir == CONN_LISTEN))
		c = a->dir == CONN_LISTEN ? -1 : 1;
	return c ? c : (x > y) - (x < y);
}

/* Each listener, then the groups of connections accepted on its port (its CONNS: their sum, a
 * listener is no connection), in the order the address sort keeps for equal servers. */
static int build_listeners(struct top_table *t, const struct conn_table *g)
{
	size_t *ix = malloc((g->n + 1) * sizeof *ix), n = 0;
	if (!ix)
		return -ENOMEM;
	for (size_t i = 0; i < g->n; i++)
		if (g->v[i].dir != CONN_OUT)
			ix[n++] = i;
	cmp_lg = g;
	qsort(ix, n, sizeof *ix, cmp_listen_group);
	int rc = 0;
	for (size_t i = 0, j; i < n && !rc; i = j) {
		const struct conn_group *first = &g->v[ix[i]];
		size_t inbound = 0;
		for (j = i; j < n; j++) {
			const struct conn_group *gr = &g->v[ix[j]];
			if (gr->proto != first->proto ||
			    memcmp(&gr->server.addr, &first->server.addr, sizeof gr->server.addr) ||
			    gr->server.port != first->server.port)
				break;
			inbound += gr->dir == CONN_IN ? gr->count : 0;
		}
		for (size_t m = i; m < j && !rc; m++) {
			const struct conn_group *gr = &g->v[ix[m]];
			rc = listener_row(t, gr, gr->dir == CONN_LISTEN ? inbound : gr->count);
		}
	}
	free(ix);
	return rc;
}

/* A group by its row's key. */
struct group_at {
	uint64_t key;
	size_t at;
};

static int cmp_group_at(const void *pa, const void *pb)
{
	uint64_t a = ((const struct group_at *)pa)->key, b = ((const struct group_at *)pb)->key;
	return (a > b) - (a < b);
}

int top_listener_counters(struct top_table *t, const struct conn_table *g)
{
	if (t->view != TOP_LISTENERS)
		return -EINVAL;
	struct group_at *v = malloc((g->n + 1) * sizeof *v);
	if (!v)
		return -ENOMEM;
	size_t n = 0;
	for (size_t i = 0; i < g->n; i++)
		if (g->v[i].dir != CONN_OUT && g->v[i].have_tcp)
			v[n++] = (struct group_at){group_key(&g->v[i]), i};
	qsort(v, n, sizeof *v, cmp_group_at);
	int rc = 0;
	for (size_t i = 0; i < t->n && n && !rc; i++) {
		struct top_row *r = &t->rows[i];
		struct group_at key = {.key = r->key};
		const struct group_at *hit = bsearch(&key, v, n, sizeof *v, cmp_group_at);
		if (hit)
			rc = group_counts(t, r, &g->v[hit->at], L_SENT, L_RECV);
	}
	free(v);
	return rc;
}

/* One remote (or class) row summing groups g->v[from..to) of direction out. */
static int remote_row(struct top_table *t, const struct conn_table *g, const size_t *ix, size_t n,
		      const char *label, int cls)
{
	struct top_row *r = add_row(t);
	if (!r)
		return -ENOMEM;
	const struct conn_group *first = &g->v[ix[0]];
	const char *owner = NULL; /* the first group's with an owner (a closed one has none) */
	for (size_t i = 0; i < n && !owner; i++)
		owner = g->v[ix[i]].process;
	double sent = 0, recv = 0, count = 0, rtt = 0, rtt_n = 0;
	bool counted = false, several = false;
	for (size_t i = 0; i < n; i++) {
		const struct conn_group *gr = &g->v[ix[i]];
		count += (double)gr->count;
		sent += (double)gr->bytes_sent;
		recv += (double)gr->bytes_received;
		counted |= gr->have_tcp;
		if (gr->rtt_us_avg) {
			rtt += gr->rtt_us_avg;
			rtt_n++;
		}
		several |= gr->process && strcmp(gr->process, owner) != 0;
	}
	r->key = fnv(fnv(FNV0, label, strlen(label)), &cls, sizeof cls);
	int rc = cell(t, r, R_REMOTE, label);
	rc = rc ? rc : cell(t, r, R_CLASS, exposure_name(first->rclass));
	const char *p = cls >= 0 ? "" : owner ? owner : "-";
	if (!rc && several && cls < 0) {
		struct buf b = {0};
		rc = buf_printf(&b, "%s +", p);
		rc = rc ? rc : cell_raw(t, r, R_PROC, b.data, b.len);
		buf_free(&b);
	} else if (!rc) {
		rc = cell_raw(t, r, R_PROC, p, strlen(p));
	}
	rc = rc ? rc : cell_num(t, r, R_CONNS, count);
	if (!rc && counted) {
		rc = top_set_count(t, r, R_SENT, sent);
		rc = rc ? rc : top_set_count(t, r, R_RECV, recv);
	}
	if (!rc && rtt_n) {
		char a[24];
		r->num[R_RTT] = rtt / rtt_n;
		conns_human_rtt(rtt / rtt_n, a, sizeof a);
		rc = cell(t, r, R_RTT, a);
	}
	return rc ? rc : fill_rest(t, r);
}

static const struct conn_table *cmp_g;

static int cmp_remote(const void *pa, const void *pb)
{
	const struct conn_group *a = &cmp_g->v[*(const size_t *)pa];
	const struct conn_group *b = &cmp_g->v[*(const size_t *)pb];
	if (a->proto != b->proto)
		return a->proto < b->proto ? -1 : 1;
	if (a->server.addr.family != b->server.addr.family)
		return a->server.addr.family < b->server.addr.family ? -1 : 1;
	int c = memcmp(a->server.addr.bytes, b->server.addr.bytes, sizeof a->server.addr.bytes);
	return c ? c : (a->server.port > b->server.port) - (a->server.port < b->server.port);
}

/* Outbound connections by remote address and port, then one row per address class. */
static int build_remotes(struct top_table *t, const struct conn_table *g)
{
	size_t *ix = malloc((g->n + 1) * sizeof *ix), n = 0;
	if (!ix)
		return -ENOMEM;
	for (size_t i = 0; i < g->n; i++)
		if (g->v[i].dir == CONN_OUT)
			ix[n++] = i;
	cmp_g = g;
	qsort(ix, n, sizeof *ix, cmp_remote);
	int rc = 0;
	for (size_t i = 0, j; i < n && !rc; i = j) {
		for (j = i + 1; j < n && cmp_remote(&ix[i], &ix[j]) == 0; j++)
			;
		char a[80], e[64];
		snprintf(a, sizeof a, "%s %s", proto_name(g->v[ix[i]].proto),
			 conns_endpoint(&g->v[ix[i]].server, e, sizeof e));
		rc = remote_row(t, g, ix + i, j - i, a, -1);
	}
	for (int cls = 0; cls < PS_EXPO__COUNT && !rc; cls++) {
		size_t m = 0;
		for (size_t i = 0; i < g->n; i++)
			if (g->v[i].dir == CONN_OUT && g->v[i].rclass == cls)
				ix[m++] = i;
		char a[40];
		snprintf(a, sizeof a, "[all %s]", exposure_name(cls));
		if (m)
			rc = remote_row(t, g, ix, m, a, cls);
	}
	free(ix);
	return rc;
}

int top_build(struct top_table *t, enum top_view v, const struct ps_snapshot *s,
	      const struct conn_table *g)
{
	t->n = 0;
	buf_clear(&t->text);
	t->view = v;
	t->cols = top_columns(v, s->all_netns, &t->ncols);
	/* offset 0 is "no text yet" (fill_rest): a NUL there keeps it readable all the same */
	int rc = buf_putc(&t->text, '\0');
	if (rc)
		return rc;
	switch (v) {
	case TOP_PROCESSES:
		return build_procs(t, s, g);
	case TOP_LISTENERS:
		return build_listeners(t, g);
	case TOP_REMOTES:
		return build_remotes(t, g);
	default:
		return build_sockets(t, s);
	}
}

static const struct top_table *key_t;

static int cmp_key(const void *pa, const void *pb)
{
	uint64_t a = key_t->rows[*(const size_t *)pa].key, b = key_t->rows[*(const size_t *)pb].key;
	return (a > b) - (a < b);
}

static long find_key(const struct top_table *p, const size_t *ix, uint64_t key)
{
	size_t lo = 0, hi = p->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->rows[ix[mid]].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < p->n && p->rows[ix[lo]].key == key ? (long)ix[lo] : -1;
}

/* A closed row (or one whose counters are read no more): its rate cells "-", never a rate as if
 * it still moved. */
static int no_rates(struct top_table *t, struct top_row *r)
{
	int rc = 0;
	for (size_t c = 0; c < t->ncols && !rc; c++)
		if (t->cols[c].rate_of >= 0) {
			r->num[c] = 0;
			r->counted[c] = false;
			rc = cell(t, r, c, "-");
		}
	return rc;
}

/* Rate cells of r from its counters now and in q (the same row a refresh ago). */
int top_rates(struct top_table *t, struct top_row *r, const struct top_row *q, double seconds)
{
	int rc = 0;
	if (r->mark == TOP_MARK_GONE || r->final)
		return no_rates(t, r);
	for (size_t c = 0; c < t->ncols && !rc; c++) {
		int of = t->cols[c].rate_of;
		if (of < 0 || !r->counted[of] || !q->counted[of] || seconds <= 0)
			continue;
		double d = r->num[of] - q->num[of];
		rc = top_set_count(t, r, c, d > 0 ? d / seconds : 0);
	}
	return rc;
}

/* Row r (final: its counters are read no more) takes those of q, the same row a refresh ago, when
 * it has none. */
static int keep_counters(struct top_table *t, struct top_row *r, const struct top_table *prev,
			 const struct top_row *q)
{
	size_t o = ns_shift(t);
	if (!r->final || t->view != TOP_SOCKETS || r->counted[o + S_SENT] ||
	    !q->counted[o + S_SENT])
		return 0;
	static const size_t cols[] = {S_SENT, S_RECV, S_RETR, S_RTT};
	int rc = 0;
	for (size_t i = 0; i < sizeof cols / sizeof cols[0] && !rc; i++) {
		size_t c = o + cols[i];
		r->num[c] = q->num[c];
		r->counted[c] = q->counted[c];
		rc = cell(t, r, c, top_text(prev, q, c));
	}
	return rc;
}

/* Row r (final: a TIME-WAIT socket, whose owner a listing no longer names) takes the process of
 * q, the same row a refresh ago, when it shows none: its sig then q's (nothing changed). */
static int keep_owner(struct top_table *t, struct top_row *r, const struct top_table *prev,
		      const struct top_row *q)
{
	size_t o = ns_shift(t);
	if (!r->final || t->view != TOP_SOCKETS || strcmp(top_text(t, r, o + S_PID), "-") != 0 ||
	    !strcmp(top_text(prev, q, o + S_PID), "-"))
		return 0;
	int rc = cell(t, r, o + S_PROC, top_text(prev, q, o + S_PROC));
	rc = rc ? rc : cell(t, r, o + S_PID, top_text(prev, q, o + S_PID));
	r->num[o + S_PID] = q->num[o + S_PID];
	r->counted[o + S_PID] = q->counted[o + S_PID];
	r->sig = q->sig;
	return rc;
}

/* Append prev's row q as gone (its texts copied). */
static int keep_gone(struct top_table *t, const struct top_table *prev, const struct top_row *q)
{
	uint8_t ttl = q->mark == TOP_MARK_GONE ? (uint8_t)(q->ttl - 1) : TOP_MARK_TTL;
	if (!ttl)
		return 0;
	struct top_row *r = add_row(t);
	if (!r)
		return -ENOMEM;
	uint32_t ord = r->ord;
	*r = *q;
	r->ord = ord;
	r->mark = TOP_MARK_GONE;
	r->ttl = ttl;
	r->sock = -1;
	r->proc = -1;
	int rc = 0;
	for (size_t c = 0; c < t->ncols && !rc; c++)
		rc = cell(t, r, c, top_text(prev, q, c));
	if (rc || q->mark == TOP_MARK_GONE)
		return rc;
	/* it closed now: its state is no longer the one it had (a time-wait socket's was its
	 * last), and nothing moves on it */
	size_t st = ns_shift(t) + S_STATE;
	if (t->view == TOP_SOCKETS && strcmp(top_text(t, r, st), "TIME-WAIT") != 0)
		rc = cell(t, r, st, "CLOSE");
	return rc ? rc : no_rates(t, r);
}

int top_track(struct top_table *t, const struct top_table *prev, double seconds, bool first)
{
	bool same = prev && prev->view == t->view;
	size_t *ix = same ? malloc((prev->n + 1) * sizeof *ix) : NULL;
	bool *seen = same ? calloc(prev->n + 1, sizeof *seen) : NULL;
	if (same && (!ix || !seen)) {
		free(ix);
		free(seen);
		return -ENOMEM;
	}
	for (size_t i = 0; same && i < prev->n; i++)
		ix[i] = i;
	key_t = prev;
	if (same)
		qsort(ix, prev->n, sizeof *ix, cmp_key);
	int rc = 0;
	size_t n = t->n;
	for (size_t i = 0; i < n && !rc; i++) {
		struct top_row *r = &t->rows[i];
		long at = same ? find_key(prev, ix, r->key) : -1;
		if (at < 0) {
			r->mark = first || !same ? TOP_MARK_NONE : TOP_MARK_NEW;
			r->ttl = r->mark ? TOP_MARK_TTL : 0;
			continue;
		}
		const struct top_row *q = &prev->rows[at];
		seen[at] = true;
		rc = keep_owner(t, r, prev, q);
		if (rc)
			break;
		if (r->final && (!q->final || q->mark == TOP_MARK_GONE)) {
			/* closed into TIME-WAIT: the row stays, marked closed while the mark lasts
			 */
			uint8_t ttl = q->final ? (uint8_t)(q->ttl - 1) : TOP_MARK_TTL;
			r->mark = ttl ? TOP_MARK_GONE : TOP_MARK_NONE;
			r->ttl = ttl;
		} else if (q->sig != r->sig && q->mark != TOP_MARK_GONE) {
			r->mark = TOP_MARK_CHANGED;
			r->ttl = TOP_MARK_TTL;
		} else if (q->mark == TOP_MARK_GONE) {
			r->mark = TOP_MARK_NEW; /* back again */
			r->ttl = TOP_MARK_TTL;
		} else if (q->ttl > 1) {
			r->mark = q->mark;
			r->ttl = (uint8_t)(q->ttl - 1);
		}
		rc = keep_counters(t, r, prev, q);
		rc = rc ? rc : top_rates(t, r, q, seconds);
	}
	for (size_t i = 0; same && !first && i < prev->n && !rc; i++)
		if (!seen[i])
			rc = keep_gone(t, prev, &prev->rows[i]);
	free(ix);
	free(seen);
	return rc;
}

/* A close that carries its last counters, by the key of its row. */
struct close_key {
	uint64_t key;
	size_t at; /* the change */
};

static int cmp_close(const void *pa, const void *pb)
{
	const struct close_key *a = pa, *b = pb;
	if (a->key != b->key)
		return (a->key > b->key) - (a->key < b->key);
	return (a->at > b->at) - (a->at < b->at);
}

/* The last close in v[0..n) (sorted) of row key `key`, or NULL. */
static const struct close_key *close_of(const struct close_key *v, size_t n, uint64_t key)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].key <= key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && v[lo - 1].key == key ? &v[lo - 1] : NULL;
}

int top_final_counters(struct top_table *t, const struct ps_sockchange *c, size_t n)
{
	if (t->view != TOP_SOCKETS || !n)
		return 0;
	struct close_key *v = malloc(n * sizeof *v);
	if (!v)
		return -ENOMEM;
	size_t nk = 0;
	for (size_t i = 0; i < n; i++)
		if (c[i].to == PS_ST_CLOSE && c[i].last.valid)
			v[nk++] = (struct close_key){
			    socket_key(c[i].proto, &c[i].local, &c[i].remote, c[i].netns, 0), i};
	qsort(v, nk, sizeof *v, cmp_close);
	int rc = 0;
	for (size_t i = 0; i < t->n && nk && !rc; i++) {
		struct top_row *r = &t->rows[i];
		const struct close_key *x =
		    (r->mark == TOP_MARK_GONE && r->ttl == TOP_MARK_TTL) || r->final
			? close_of(v, nk, r->key)
			: NULL;
		if (!x)
			continue;
		const struct ps_sockchange *ch = &c[x->at];
		struct ps_socket k = {.proto = ch->proto, .state = ch->from};
		rc = top_set_socket_counters(t, r, &k, &ch->last);
		if (!rc && r->mark == TOP_MARK_GONE) /* the state the close left it in */
			rc = cell(t, r, ns_shift(t) + S_STATE,
				  state_label(PS_TCP, sockset_closed_state(ch->from)));
		/* the process that closed it, when no owner was shown (an accepted one's) */
		if (!rc && ch->pid > 0 && !strcmp(top_text(t, r, ns_shift(t) + S_PID), "-")) {
			size_t len = strnlen(ch->comm, sizeof ch->comm);
			rc = cell_raw(t, r, ns_shift(t) + S_PROC, ch->comm, len);
			rc = rc ? rc : cell_num(t, r, ns_shift(t) + S_PID, ch->pid);
		}
		rc = rc ? rc : no_rates(t, r);
	}
	free(v);
	return rc;
}

/* The process a connection that closed unseen is shown with: the one the change names (it
 * connected), else for an accepted one its listener's program (conns_listener_program). */
static const char *closed_owner(const struct ps_snapshot *s, struct conn_listeners **l,
				const struct ps_sockchange *c, const struct ps_socket *k, int *pid)
{
	const struct ps_socket *lst = NULL;
	*pid = c->pid;
	if (c->pid > 0)
		return c->comm;
	if (!*l)
		*l = conns_listeners(s);
	if (!*l || conns_dir_of(*l, k, &lst) != CONN_IN || !lst)
		return NULL;
	return conns_listener_program(s, lst, pid);
}

/* A row for connection k that closed unseen (change c): closed, with the counters it closed with.
 */
static int closed_row(struct top_table *t, const struct ps_snapshot *s, struct conn_listeners **l,
		      const struct ps_sockchange *c, const struct ps_socket *k, uint64_t key)
{
	struct top_row *r = add_row(t);
	if (!r)
		return -ENOMEM;
	char a[64];
	int pid;
	const char *name = closed_owner(s, l, c, k, &pid);
	size_t o = ns_shift(t), nlen = name ? strnlen(name, sizeof c->comm) : 0;
	r->key = key;
	r->sig = fnv(fnv(FNV0, &k->state, 1), &pid, sizeof pid);
	r->port = k->local.port;
	r->proto = k->proto;
	r->final = true;
	r->mark = TOP_MARK_GONE;
	r->ttl = TOP_MARK_TTL;
	int rc = o ? ns_cell(t, r, s, k) : 0;
	rc = rc ? rc : cell(t, r, o + S_PROTO, proto_name(k->proto));
	rc = rc ? rc : cell(t, r, o + S_STATE, state_label(k->proto, k->state));
	rc = rc ? rc : cell(t, r, o + S_LOCAL, conns_endpoint(&k->local, a, sizeof a));
	rc = rc ? rc : cell(t, r, o + S_REMOTE, conns_endpoint(&k->remote, a, sizeof a));
	rc = rc ? rc : cell_raw(t, r, o + S_PROC, name ? name : "-", name ? nlen : 1);
	if (!rc && pid > 0)
		rc = cell_num(t, r, o + S_PID, pid);
	rc = rc ? rc : top_set_socket_counters(t, r, k, &c->last);
	rc = rc ? rc : no_rates(t, r);
	return rc ? rc : fill_rest(t, r);
}

/* A close (the change at `at`) that may want a row, by its row's key; shown: a row has that key. */
struct cand {
	uint64_t key;
	size_t at;
	bool shown;
};

static int cmp_cand(const void *pa, const void *pb)
{
	const struct cand *a = pa, *b = pb;
	if (a->key != b->key)
		return (a->key > b->key) - (a->key < b->key);
	return (a->at > b->at) - (a->at < b->at);
}

/* The closes among c[0..n) that carry counters of a connection, sorted by key (the first of
 * each key only); *m their number. NULL with *m 0: none, or out of memory (-ENOMEM in *rc). */
static struct cand *closes_of(const struct ps_sockchange *c, size_t n, size_t *m, int *rc)
{
	struct cand *v = NULL;
	*m = 0;
	for (size_t i = 0; i < n; i++) {
		const struct ps_sockchange *ch = &c[i];
		if (ch->to != PS_ST_CLOSE || ch->proto != PS_TCP || !ch->local.port ||
		    !ch->remote.port || !ch->last.valid)
			continue; /* a listener's, or a socket's never connected */
		if (!v && !(v = malloc(n * sizeof *v))) {
			*rc = -ENOMEM;
			return NULL;
		}
		v[(*m)++] = (struct cand){
		    socket_key(ch->proto, &ch->local, &ch->remote, ch->netns, 0), i, false};
	}
	if (!*m)
		return v;
	qsort(v, *m, sizeof *v, cmp_cand);
	size_t k = 1;
	for (size_t i = 1; i < *m; i++)
		if (v[i].key != v[k - 1].key)
			v[k++] = v[i];
	*m = k;
	return v;
}

int top_add_closed(struct top_table *t, const struct ps_snapshot *s, const struct ps_sockchange *c,
		   size_t n,
		   bool (*keep)(const struct ps_snapshot *, const struct ps_socket *, const void *),
		   const void *ctx)
{
	size_t m;
	int rc = 0;
	struct cand *v = t->view == TOP_SOCKETS ? closes_of(c, n, &m, &rc) : NULL;
	if (!v)
		return rc;
	/* one pass over the rows, each looked up among the few closes (not the rows sorted) */
	for (size_t i = 0; i < t->n && m; i++) {
		struct cand key = {.key = t->rows[i].key}, *hit;
		size_t lo = 0, hi = m;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (v[mid].key < key.key)
				lo = mid + 1;
			else
				hi = mid;
		}
		hit = lo < m && v[lo].key == key.key ? &v[lo] : NULL;
		if (hit)
			hit->shown = true;
	}
	struct conn_listeners *l = NULL;
	for (size_t i = 0; i < m && !rc; i++) {
		const struct ps_sockchange *ch = &c[v[i].at];
		struct ps_socket k = {.local = ch->local,
				      .remote = ch->remote,
				      .netns = ch->netns,
				      .proto = ch->proto,
				      .state = sockset_closed_state(ch->from),
				      .uid = UINT32_MAX,
				      .owner_status = PS_OWN_UNREPORTED};
		if (!v[i].shown && (!keep || keep(s, &k, ctx)))
			rc = closed_row(t, s, &l, ch, &k, v[i].key);
	}
	conns_listeners_free(l);
	free(v);
	return rc;
}

static const struct top_table *sort_t;
static size_t sort_col;
static bool sort_rev;

/* The number of a numeric cell; cells without one ("-", empty) -1. */
static double cell_value(const struct top_row *r)
{
	return r->text[sort_col] && top_text(sort_t, r, sort_col)[0] != '-' ? r->num[sort_col] : -1;
}

static int cmp_rows(const void *pa, const void *pb)
{
	const struct top_row *a = pa, *b = pb;
	int c;
	const struct top_col *col = &sort_t->cols[sort_col];
	if (col->numeric) {
		/* largest first (PID: smallest); cells without a number last */
		double x = cell_value(a), y = cell_value(b);
		if ((x < 0) != (y < 0))
			c = x < 0 ? 1 : -1;
		else
			c = col->up ? (x > y) - (x < y) : (x < y) - (x > y);
	} else {
		c = strcmp(top_text(sort_t, a, sort_col), top_text(sort_t, b, sort_col));
	}
	if (sort_rev)
		c = -c;
	/* ties: the order they were built in (listeners before their inbound groups) */
	return c ? c : (a->ord > b->ord) - (a->ord < b->ord);
}

/* A cell's address and port as a sort key: rank 0 IPv4, 1 IPv6, 2 none ("*", "[all public]"). */
struct addr_key {
	uint8_t rank;
	uint8_t bytes[16];
	uint16_t port;
	uint32_t row;
};

static void addr_key_of(const char *s, struct addr_key *k)
{
	char a[64];
	const char *sp = strrchr(s, ' '); /* "tcp 10.0.0.1:80": the address after the protocol */
	s = sp ? sp + 1 : s;
	const char *colon = strrchr(s, ':');
	size_t n = colon ? (size_t)(colon - s) : 0;
	k->rank = 2;
	if (!colon || n >= sizeof a || !colon[1])
		return;
	if (s[0] == '[' && n >= 2 && s[n - 1] == ']') { /* [v6]:port */
		memcpy(a, s + 1, n - 2);
		a[n - 2] = '\0';
	} else {
		memcpy(a, s, n);
		a[n] = '\0';
	}
	k->port = (uint16_t)strtoul(colon + 1, NULL, 10);
	if (inet_pton(AF_INET, a, k->bytes) == 1)
		k->rank = 0;
	else if (inet_pton(AF_INET6, a, k->bytes) == 1)
		k->rank = 1;
}

static int cmp_addr(const void *pa, const void *pb)
{
	const struct addr_key *a = pa, *b = pb;
	int c = (a->rank > b->rank) - (a->rank < b->rank);
	if (a->rank < 2 && b->rank < 2) { /* IPv4 before IPv6, by bytes, then port */
		c = c ? c : memcmp(a->bytes, b->bytes, a->rank ? 16 : 4);
		c = c ? c : (a->port > b->port) - (a->port < b->port);
		if (sort_rev)
			c = -c;
	}
	if (!c && a->rank == 2) /* no address: by text, after every address either way */
		c = strcmp(top_text(sort_t, &sort_t->rows[a->row], sort_col),
			   top_text(sort_t, &sort_t->rows[b->row], sort_col));
	const struct top_row *x = &sort_t->rows[a->row], *y = &sort_t->rows[b->row];
	return c ? c : (x->ord > y->ord) - (x->ord < y->ord);
}

/* Sort by an address column: each cell parsed once, the rows put in their keys' order. */
static void sort_by_addr(struct top_table *t)
{
	struct addr_key *k = calloc(t->n, sizeof *k);
	struct top_row *rows = malloc(t->n * sizeof *rows);
	if (!k || !rows) { /* out of memory: as text */
		free(k);
		free(rows);
		qsort(t->rows, t->n, sizeof *t->rows, cmp_rows);
		return;
	}
	for (size_t i = 0; i < t->n; i++) {
		addr_key_of(top_text(t, &t->rows[i], sort_col), &k[i]);
		k[i].row = (uint32_t)i;
	}
	qsort(k, t->n, sizeof *k, cmp_addr);
	for (size_t i = 0; i < t->n; i++)
		rows[i] = t->rows[k[i].row];
	free(t->rows);
	t->rows = rows;
	t->cap = t->n;
	free(k);
}

void top_sort(struct top_table *t, size_t col, bool reverse)
{
	if (col >= t->ncols || !t->n)
		return;
	sort_t = t;
	sort_col = col;
	sort_rev = reverse;
	if (t->cols[col].addr)
		sort_by_addr(t);
	else
		qsort(t->rows, t->n, sizeof *t->rows, cmp_rows);
}

void top_table_free(struct top_table *t)
{
	free(t->rows);
	buf_free(&t->text);
	memset(t, 0, sizeof *t);
}
