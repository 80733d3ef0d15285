/* SPDX-License-Identifier: GPL-2.0-or-later */
/* topscreen.c — the ncurses screen of `top`: refresh loop, keys, drawing, explain overlay, signals.
 */
#include "top.h"

#include "msg.h"

#ifndef HAVE_NCURSES

int top_run(struct cli_options *o, const struct top_opts *to)
{
	(void)o;
	(void)to;
	cli_msg("top: this portsleuth was built without ncurses (libncurses-dev): `portsleuth "
		"conns` shows the same groups without a screen");
	return EXIT_FAILURE_;
}

#else

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../model/conns.h"
#include "../model/fexpr.h"
#include "../model/filter.h"
#include "../model/sockset.h"
#include "../output/explain.h"
#include "../output/toprows.h"
#include "../platform/platform.h"
#include "../util/escape.h"
#include "pipe.h"

struct top {
	struct cli_options *o;
	struct pipeline pl;
	struct ps_snapshot cur;
	struct top_table tab, prev;
	enum top_view view;
	size_t sort_col[TOP__VIEWS];
	bool sort_rev, paused, first, color;
	size_t scroll, sel;
	struct fexpr *expr;
	char expr_text[128];
	double delay, last;
	char msg[400];
	/* the socket set between full listings: the kernel's TCP state changes, when they load */
	struct platform_sockstate *events;
	/* else sock_diag: destroy notifications (closes) and a dump without owners each refresh
	 * (new sockets: its difference from the last dump; owners found for those only) */
	struct platform_sockevents *diag;
	struct ps_snapshot dump; /* the last dump: TCP sockets, no owners */
	struct ps_sockchange *chg;
	size_t nchg, chg_cap;
	bool resync_due;  /* changes were lost, or the filter changed: list everything */
	double last_full; /* when the last full listing was made */
	unsigned long refreshes, fulls, changes;
	double max_gap, last_ok; /* the longest time between two refreshes (pauses aside) */
	size_t built_text;	 /* the table's text when it was built (kept tables grow it) */
	size_t scroll_at;	 /* the first row on screen at the last refresh */
};

/* Seconds between two full listings while the state changes keep the set current. */
#define TOP_RESYNC 30.0

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

/* A crash must not leave the terminal raw: restore it, then die of the same signal. */
static void on_crash(int sig)
{
	endwin();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void signals_setup(void)
{
	struct sigaction sa = {.sa_handler = on_stop};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	static const int crash[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
	struct sigaction ca = {.sa_handler = on_crash};
	sigemptyset(&ca.sa_mask);
	for (size_t i = 0; i < sizeof crash / sizeof crash[0]; i++)
		sigaction(crash[i], &ca, NULL);
}

static double now_mono(void)
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

/* Whether the view needs every socket's counters: sorting by one, or the listeners' and remotes'
 * groups (the sockets and processes views ask for the rows on screen only). */
static bool needs_all_counters(const struct top *t)
{
	if (t->view == TOP_LISTENERS || t->view == TOP_REMOTES)
		return true;
	size_t n;
	const struct top_col *c = top_columns(t->view, &n);
	const struct top_col *by = &c[t->sort_col[t->view]];
	return !strcmp(by->title, "SENT") || !strcmp(by->title, "RECV") || by->rate_of >= 0 ||
	       !strcmp(by->title, "RTT-ms") || !strcmp(by->title, "RETR");
}

static int screen_rows(void)
{
	return LINES > 3 ? LINES - 3 : 1;
}

/* Only the rows on screen get their counters asked (one small request each). */
static int visible_counters(struct top *t, struct top_table *tab, struct ps_snapshot *s)
{
	size_t from = t->scroll, to = t->scroll + (size_t)screen_rows();
	size_t idx[512], n = 0;
	for (size_t i = from; i < to && i < tab->n && n < 512; i++)
		if (tab->rows[i].sock >= 0)
			idx[n++] = (size_t)tab->rows[i].sock;
	int rc = platform_tcp_stats(s, idx, n);
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
	for (size_t i = t->scroll; !rc && i < tab->n && i < t->scroll + (size_t)screen_rows(); i++)
		want[tab->rows[i].proc >= 0 ? (size_t)tab->rows[i].proc : s->nprocs] = true;
	for (size_t i = 0; !rc && i < s->nsocks; i++) {
		struct ps_socket *k = &s->socks[i];
		size_t p = k->owner_count && s->owners ? snap_owner(s, k, 0)->proc : s->nprocs;
		if (want[p] && k->proto == PS_TCP)
			idx[n++] = i;
		else
			(void)snap_set_tcp(s, k, NULL); /* forgets: cannot fail */
	}
	rc = rc ? rc : platform_tcp_stats(s, idx, n);
	free(want);
	free(idx);
	return rc == -ENOSYS ? 0 : rc;
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
	return f.all_netns ? platform_collect_all_netns(s, &f) : platform_collect(s, &f);
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
static int full_listing(struct top *t)
{
	struct ps_snapshot s = {0};
	int rc = drop_changes(t);
	if (rc)
		return rc;
	t->o->filter.tcp_info = needs_all_counters(t);
	int code = cli_pipeline_run(&t->pl, &s);
	rc = code ? -EIO : 0;
	if (!rc && t->expr)
		rc = snap_retain(&s, keep_expr, t->expr);
	if (rc) {
		snap_free(&s);
		return rc;
	}
	snap_free(&t->cur);
	t->cur = s;
	t->last_full = now_mono();
	t->resync_due = false;
	t->fulls++;
	return 0;
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
	*changed = rc || st.added || st.changed || st.removed;
	return rc;
}

/* The local ports dump d listens on (one namespace: sock_diag's way is never -N), a bit each. */
static uint8_t *listening_ports(const struct ps_snapshot *d)
{
	uint8_t *bits = calloc(65536 / 8, 1);
	for (size_t i = 0; bits && i < d->nsocks; i++)
		if (d->socks[i].state == PS_ST_LISTEN)
			bits[d->socks[i].local.port / 8] |=
			    (uint8_t)(1u << (d->socks[i].local.port % 8));
	return bits;
}

/*
 * The owners of the sockets the changes add (not an accepted connection: it takes its
 * listener's): one attribution of those sockets alone (with BPF the kernel is handed their
 * inodes; the /proc scan reads every fd table), each change then naming its first owner's
 * pid and name as a BPF state change does. Nothing added: nothing read. 0 or -errno.
 */
static int owners_of_new(struct top *t, const struct ps_snapshot *now)
{
	struct ps_snapshot fresh = {.netns = now->netns};
	size_t *at = malloc((t->nchg + 1) * sizeof *at), n = 0;
	uint8_t *lport = listening_ports(now);
	int rc = at && lport ? 0 : -ENOMEM;
	for (size_t i = 0; i < t->nchg && !rc; i++) {
		const struct ps_sockchange *c = &t->chg[i];
		bool accepted =
		    c->to != PS_ST_LISTEN && (lport[c->local.port / 8] >> (c->local.port % 8) & 1);
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
		t->chg[at[i]].pid = p->pid;
		snprintf(t->chg[at[i]].comm, sizeof t->chg[at[i]].comm, "%s",
			 p->name ? p->name : "");
	}
	free(at);
	free(lport);
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
	rc = rc ? rc : owners_of_new(t, &now);
	struct sockset_stats st = {0};
	rc = rc ? rc : sockset_apply(&t->cur, t->chg, t->nchg, keep_new, t, &st);
	t->changes += t->nchg;
	*changed = rc || st.added || st.changed || st.removed;
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
	rc = rc ? rc : sockset_merge_counters(&t->cur, &s);
	snap_free(&s);
	return rc;
}

/* The socket set now: a full listing when due (or without state changes), else the changes. */
static int update_set(struct top *t, double now, bool *changed)
{
	bool full = (!t->events && !t->diag) || t->resync_due || t->first ||
		    now - t->last_full >= TOP_RESYNC;
	bool all = needs_all_counters(t);
	*changed = true;
	if (full)
		return full_listing(t);
	snap_clear_tcp(&t->cur); /* only what is asked now is shown */
	if (t->diag) {
		int rc = follow_diag(t, all, changed);
		return rc || all ? rc : dump_counters(t, false);
	}
	int rc = follow_changes(t, changed);
	return rc ? rc : dump_counters(t, all);
}

static void note_timing(struct top *t, double now)
{
	t->scroll_at = t->scroll;
	t->refreshes++;
	if (t->last_ok > 0 && now - t->last_ok > t->max_gap)
		t->max_gap = now - t->last_ok;
	t->last_ok = now;
}

/*
 * Whether the table on screen still shows the set: nothing changed in it, the sockets view
 * sorted by a column that is no counter, no mark left to fade, and the text it grew small.
 */
static bool table_current(const struct top *t, bool changed)
{
	if (changed || t->view != TOP_SOCKETS || !t->tab.cols || t->tab.view != TOP_SOCKETS ||
	    needs_all_counters(t) || t->tab.text.len > 2 * t->built_text + 65536 ||
	    t->scroll != t->scroll_at) /* rows new on screen have no counters to rate from */
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
	for (size_t i = from; i < t->tab.n && n < (size_t)screen_rows() && n < 512; i++)
		was[n++] = t->tab.rows[i];
	int rc = visible_counters(t, &t->tab, &t->cur);
	for (size_t i = 0; i < n && !rc; i++)
		rc = top_rates(&t->tab, &t->tab.rows[from + i], &was[i], seconds);
	return rc;
}

/* One refresh: the set, grouped, the view, marks. The screen keeps the last on error. */
static int refresh_data(struct top *t)
{
	struct conn_table g = {0};
	struct top_table tab = {0};
	double now = now_mono();
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
	if (!rc && !needs_all_counters(t)) {
		top_sort(&tab, t->sort_col[t->view], t->sort_rev);
		rc = t->view == TOP_SOCKETS ? visible_counters(t, &tab, s)
					    : visible_proc_counters(t, &tab, s);
		if (!rc && t->view == TOP_PROCESSES) /* summed again with what was asked */
			rc = top_build(&tab, t->view, s, &g);
	}
	rc = rc ? rc : top_track(&tab, t->tab.cols ? &t->tab : NULL, now - t->last, t->first);
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
	t->last = now;
	t->first = false;
	note_timing(t, now);
	return 0;
}

enum { PAIR_NEW = 1, PAIR_CHANGED, PAIR_GONE, PAIR_HEAD };

/* Widths of the columns that fit in `width` (after the 2-cell mark); 0: left out. */
static void fit_columns(const struct top_table *tab, int width, int *w)
{
	int used = 2;
	size_t shown = tab->ncols, flex = 0;
	for (size_t c = 0; c < tab->ncols; c++) {
		w[c] = tab->cols[c].width;
		used += w[c] + 1;
		flex += tab->cols[c].flex;
	}
	while (used > width && shown > 3) {
		shown--;
		used -= w[shown] + 1;
		flex -= tab->cols[shown].flex;
		w[shown] = 0;
	}
	int extra = width - used;
	for (size_t c = 0; c < shown && extra > 0 && flex; c++)
		if (tab->cols[c].flex) {
			int add = extra / (int)flex;
			w[c] += add > 10 ? 10 : add;
		}
}

/* Text at the cursor, cut (or padded) to exactly `w` cells. */
/* A cell of width w; a text too wide is cut and marked, never shown as another plausible
 * value (203.0.113.9:5482 for port 54820): an address keeps its port ("[::ffff:12…]:8001"). */
static void put_cell(const char *s, int w, bool right)
{
	size_t n = strlen(s);
	bool cut = w >= 2 && text_width(s, n) > (size_t)w;
	const char *port = cut ? strrchr(s, ':') : NULL;
	size_t tail = port && port[1] && strspn(port + 1, "0123456789") == strlen(port + 1)
			  ? strlen(port) + (port > s && port[-1] == ']')
			  : 0;
	if (tail + 3 > (size_t)w)
		tail = 0;
	size_t fit = text_prefix(s, n - tail, (size_t)(cut ? w - 1 - (int)tail : w));
	int pad = w - (int)text_width(s, fit) - (cut ? 1 + (int)tail : 0);
	if (right)
		printw("%*s", pad, "");
	addnstr(s, (int)fit);
	if (cut) {
		addstr(cli_ellipsis());
		addstr(s + n - tail);
	}
	if (!right)
		printw("%*s", pad, "");
}

static void draw_row(const struct top *t, const struct top_row *r, const int *w, bool sel)
{
	static const char sym[] = " +*-";
	int pair = r->mark == TOP_MARK_NEW	 ? PAIR_NEW
		   : r->mark == TOP_MARK_CHANGED ? PAIR_CHANGED
		   : r->mark == TOP_MARK_GONE	 ? PAIR_GONE
						 : 0;
	attr_t a = (sel ? A_REVERSE : 0) | (t->color && pair ? COLOR_PAIR(pair) : 0);
	attron(a);
	printw("%c ", sym[r->mark]);
	for (size_t c = 0; c < t->tab.ncols; c++) {
		if (!w[c])
			continue;
		put_cell(top_text(&t->tab, r, c), w[c], t->tab.cols[c].numeric);
		addch(' ');
	}
	attroff(a);
}

/* The first line: view, rows, sort, the full accept queues, filter, pause, privileges. */
static void head_text(const struct top *t, char *head, size_t cap)
{
	char full[48] = "";
	size_t nfull = 0;
	for (size_t i = 0; i < t->cur.nsocks; i++)
		nfull += PS_ACCEPT_QUEUE_FULL(&t->cur.socks[i]);
	if (nfull) /* the accept-queue-full finding: the listeners view shows which (!) */
		snprintf(full, sizeof full, "  %zu accept queue%s FULL", nfull,
			 nfull > 1 ? "s" : "");
	snprintf(head, cap, "portsleuth top  [%s] %zu rows  sort %s%s%s  %s%s%s%s",
		 top_view_name(t->view), t->tab.n, t->tab.cols[t->sort_col[t->view]].title,
		 t->sort_rev ? " (reversed)" : "", full, t->expr ? "filter: " : "",
		 t->expr ? t->expr_text : "", t->paused ? "  PAUSED" : "",
		 t->cur.privileged ? "" : "  (not root: some owners hidden)");
}

static void draw(struct top *t)
{
	erase();
	int width = COLS, w[TOP_MAXCOLS];
	fit_columns(&t->tab, width, w);
	char head[256];
	head_text(t, head, sizeof head);
	move(0, 0);
	put_cell(head, width, false);
	move(1, 0);
	attron(A_REVERSE | (t->color ? COLOR_PAIR(PAIR_HEAD) : 0));
	printw("  ");
	for (size_t c = 0; c < t->tab.ncols; c++)
		if (w[c]) {
			put_cell(t->tab.cols[c].title, w[c], t->tab.cols[c].numeric);
			addch(' ');
		}
	attroff(A_REVERSE | (t->color ? COLOR_PAIR(PAIR_HEAD) : 0));
	int rows = screen_rows();
	if (t->sel >= t->tab.n)
		t->sel = t->tab.n ? t->tab.n - 1 : 0;
	if (t->sel < t->scroll)
		t->scroll = t->sel;
	if (t->sel >= t->scroll + (size_t)rows)
		t->scroll = t->sel - (size_t)rows + 1;
	for (int i = 0; i < rows && t->scroll + (size_t)i < t->tab.n; i++) {
		move(2 + i, 0);
		size_t at = t->scroll + (size_t)i;
		draw_row(t, &t->tab.rows[at], w, at == t->sel);
	}
	move(LINES - 1, 0);
	put_cell(t->msg[0] ? t->msg
			   : "q quit  Tab/1-4 view  <> sort  r rev  / filter  space pause  "
			     "Enter explain  K close  S stop owner  c copy  w write",
		 width, false);
	refresh();
}

/* Whether s[0..n) is well-formed UTF-8 with nothing a terminal must not get raw. */
static bool text_safe(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = utf8_decode((const unsigned char *)s + i, n - i, &cp);
		if (!l || esc_unsafe_cp(cp))
			return false;
		i += l;
	}
	return true;
}

/* What `portsleuth explain PORT/PROTO` prints (run as a child: the same binary, no colour). */
static int explain_text(uint16_t port, unsigned proto, struct buf *out)
{
	int fds[2];
	if (pipe(fds))
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -errno;
	}
	if (pid == 0) {
		char arg[32];
		snprintf(arg, sizeof arg, "%u/%s", port, proto_name(proto));
		int null = open("/dev/null", O_RDWR);
		dup2(fds[1], STDOUT_FILENO);
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execl("/proc/self/exe", "portsleuth", "explain", "--color", "never", arg,
		      (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	char chunk[4096];
	ssize_t n;
	int rc = 0;
	while ((n = read(fds[0], chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && !rc && out->len < (1u << 20))
			rc = buf_append(out, chunk, (size_t)n);
	close(fds[0]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return rc;
}

/* Enter: the explanation of the selected row's port, scrollable; any other key goes back. */
static void show_explain(struct top *t)
{
	const struct top_row *r = t->sel < t->tab.n ? &t->tab.rows[t->sel] : NULL;
	if (!r || !r->port) {
		snprintf(t->msg, sizeof t->msg, "explain is about a local port: this row has none");
		return;
	}
	struct buf text = {0};
	if (explain_text(r->port, r->proto, &text) || !text.len) {
		snprintf(t->msg, sizeof t->msg, "explain %u/%s said nothing", r->port,
			 proto_name(r->proto));
		buf_free(&text);
		return;
	}
	size_t top = 0;
	timeout(-1);
	for (;;) {
		erase();
		const char *p = text.data, *end = text.data + text.len;
		for (size_t skip = 0; skip < top && p < end; skip++) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			p = nl ? nl + 1 : end;
		}
		for (int y = 0; y < LINES - 1 && p < end; y++) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
			/* the child escapes what it prints; a line that still holds anything
			 * unsafe is escaped again, so nothing raw reaches the terminal (a clean one
			 * is shown as printed: escaping it again would double its escapes) */
			struct buf line = {0};
			int erc = text_safe(p, n) ? buf_append(&line, p, n) : esc_text(&line, p, n);
			if (erc == 0 && line.len) {
				move(y, 0);
				addnstr(line.data,
					(int)text_prefix(line.data, line.len, (size_t)COLS));
			}
			buf_free(&line);
			p = nl ? nl + 1 : end;
		}
		move(LINES - 1, 0);
		put_cell("explain: arrows scroll, any other key returns", COLS, false);
		refresh();
		int ch = getch();
		if (ch == KEY_DOWN || ch == 'j')
			top++;
		else if ((ch == KEY_UP || ch == 'k') && top)
			top--;
		else if (ch != KEY_RESIZE && ch != ERR)
			break;
		if (stop_signal)
			break;
	}
	buf_free(&text);
}

/* '/': read an expression on the last line; empty clears the filter. */
static void prompt_filter(struct top *t)
{
	char text[sizeof t->expr_text] = "";
	move(LINES - 1, 0);
	clrtoeol();
	printw("filter: ");
	echo();
	curs_set(1);
	timeout(-1);
	int rc = getnstr(text, (int)sizeof text - 1);
	noecho();
	curs_set(0);
	if (rc == ERR)
		return;
	struct fexpr *e = NULL;
	const char *why = NULL;
	size_t at = 0;
	rc = fexpr_parse(text, cli_service_port, &e, &why, &at);
	if (rc) {
		snprintf(t->msg, sizeof t->msg, "filter not changed: %s (at %zu)",
			 why ? why : "out of memory", at);
		return;
	}
	fexpr_free(t->expr);
	t->expr = e;
	snprintf(t->expr_text, sizeof t->expr_text, "%s", text);
	t->msg[0] = '\0';
	t->first = true; /* rows the filter hides did not close */
}

/* Ask on the last line; true only for y. */
static bool confirm(const char *question)
{
	move(LINES - 1, 0);
	clrtoeol();
	put_cell(question, COLS, false);
	refresh();
	timeout(-1);
	int ch = getch();
	return ch == 'y' || ch == 'Y';
}

/* K: close the selected TCP connection (the kernel resets it, as `ss -K`), once confirmed.
 * Whether it was closed. */
static bool close_connection(struct top *t)
{
	const struct top_row *r = t->sel < t->tab.n ? &t->tab.rows[t->sel] : NULL;
	const struct ps_socket *k = r && r->sock >= 0 ? &t->cur.socks[r->sock] : NULL;
	if (!k || k->proto != PS_TCP || k->state == PS_ST_LISTEN || k->state == PS_ST_TIME_WAIT) {
		snprintf(t->msg, sizeof t->msg,
			 "K closes a TCP connection: choose one in the sockets view");
		return false;
	}
	char q[200], a[64], b[64];
	snprintf(q, sizeof q, "close tcp %s -> %s (%s)? y/N", top_text(&t->tab, r, 2),
		 top_text(&t->tab, r, 3), top_text(&t->tab, r, 4));
	if (!confirm(q)) {
		t->msg[0] = '\0';
		return false;
	}
	int rc = platform_sock_destroy(k);
	snprintf(a, sizeof a, "%s", top_text(&t->tab, r, 2));
	snprintf(b, sizeof b, "%s", top_text(&t->tab, r, 3));
	if (!rc)
		snprintf(t->msg, sizeof t->msg, "closed tcp %s -> %s", a, b);
	else if (rc == -EOPNOTSUPP)
		snprintf(
		    t->msg, sizeof t->msg,
		    "this kernel cannot close sockets (built without CONFIG_INET_DIAG_DESTROY)");
	else if (rc == -ENOSYS)
		snprintf(t->msg, sizeof t->msg, "closing connections is not supported here");
	else
		snprintf(t->msg, sizeof t->msg, "cannot close tcp %s -> %s: %s%s", a, b,
			 strerror(-rc), rc == -EPERM ? " (needs root or CAP_NET_ADMIN)" : "");
	return rc == 0;
}

/* Run the shell command line cmd (stdin, stdout, stderr: /dev/null); its exit status, -errno. */
static int run_command(const char *cmd)
{
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* S: stop the selected row's owner as explain advises (its unit, container, or kill of its
 * group), after a y/N question that shows the exact command. */
static void stop_owner(struct top *t)
{
	const struct top_row *r = t->sel < t->tab.n ? &t->tab.rows[t->sel] : NULL;
	if (!r || r->proc < 0 || (size_t)r->proc >= t->cur.nprocs) {
		snprintf(t->msg, sizeof t->msg,
			 "S stops a row's owner: choose a socket or a process that has one");
		return;
	}
	const struct ps_socket *k = r->sock >= 0 ? &t->cur.socks[r->sock] : NULL;
	struct buf cmd = {0}, shown = {0};
	const char *why = NULL;
	int rc = explain_stop_command(&t->cur, k, &t->cur.procs[r->proc], &cmd, &why);
	rc = rc ? rc : esc_text(&shown, cmd.data, cmd.len);
	char q[sizeof t->msg];
	if (!rc) {
		snprintf(q, sizeof q, "run `%s`%s%s? y/N", shown.data, why ? " (" : "",
			 why ? "not its unit)" : "");
		if (confirm(q)) {
			rc = run_command(cmd.data);
			snprintf(t->msg, sizeof t->msg, "ran `%s`: %s %d", shown.data,
				 rc < 0 ? "cannot run it:" : "exit status", rc < 0 ? -rc : rc);
			t->first = true; /* its sockets go: list everything now, nothing marked */
		} else {
			t->msg[0] = '\0';
		}
	} else {
		snprintf(t->msg, sizeof t->msg, "no command stops this owner safely");
	}
	buf_free(&cmd);
	buf_free(&shown);
}

/* Row r as one line: its mark, then its cells (escaped already) padded to their widths. */
static int row_line(const struct top_table *tab, const struct top_row *r, struct buf *out)
{
	static const char sym[] = " +*-";
	int rc = buf_printf(out, "%c", r ? sym[r->mark] : ' ');
	for (size_t c = 0; c < tab->ncols && !rc; c++) {
		const char *s = r ? top_text(tab, r, c) : tab->cols[c].title;
		int w = tab->cols[c].width;
		rc = buf_printf(out, tab->cols[c].numeric ? " %*s" : " %-*s", w, s);
	}
	while (!rc && out->len && out->data[out->len - 1] == ' ')
		out->data[--out->len] = '\0';
	return rc;
}

/* The terminal's clipboard gets text through OSC 52 (xterm's; tmux and most terminals take it). */
static void osc52(const char *text, size_t n)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	fputs("\033]52;c;", stdout);
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)text[i] << 16;
		v |= i + 1 < n ? (unsigned char)text[i + 1] << 8 : 0;
		v |= i + 2 < n ? (unsigned char)text[i + 2] : 0;
		char q[4] = {b64[v >> 18 & 63], b64[v >> 12 & 63],
			     i + 1 < n ? b64[v >> 6 & 63] : '=', i + 2 < n ? b64[v & 63] : '='};
		fwrite(q, 1, 4, stdout);
	}
	fputs("\a", stdout);
	fflush(stdout);
}

/* c: the selected row to the clipboard (OSC 52), and its text in the status line. */
static void copy_row(struct top *t)
{
	const struct top_row *r = t->sel < t->tab.n ? &t->tab.rows[t->sel] : NULL;
	struct buf line = {0};
	if (!r || row_line(&t->tab, r, &line)) {
		snprintf(t->msg, sizeof t->msg, "nothing to copy");
		buf_free(&line);
		return;
	}
	const char *text = line.data + 2; /* without the mark */
	osc52(text, strlen(text));
	snprintf(t->msg, sizeof t->msg, "copied: %s", text);
	buf_free(&line);
}

/* w: the view as it stands (header, titles, every row with its mark) to a new file here. */
static void write_snapshot(struct top *t)
{
	char name[64], head[256];
	time_t now = time(NULL);
	struct tm tm;
	if (!localtime_r(&now, &tm) ||
	    !strftime(name, sizeof name, "portsleuth-top-%Y%m%d-%H%M%S.txt", &tm))
		snprintf(name, sizeof name, "portsleuth-top-%lld.txt", (long long)now);
	head_text(t, head, sizeof head);
	struct buf b = {0};
	int rc = buf_printf(&b, "%s\n", head);
	rc = rc ? rc : row_line(&t->tab, NULL, &b);
	for (size_t i = 0; i < t->tab.n && !rc; i++) {
		rc = buf_putc(&b, '\n');
		rc = rc ? rc : row_line(&t->tab, &t->tab.rows[i], &b);
	}
	rc = rc ? rc : buf_putc(&b, '\n');
	const char *why = NULL;
	rc = rc ? rc : cli_write_file(name, 0600, &b, &why);
	if (rc)
		snprintf(t->msg, sizeof t->msg, "cannot write %s: %s", name,
			 why ? why : strerror(-rc));
	else
		snprintf(t->msg, sizeof t->msg, "wrote %s (%zu rows)", name, t->tab.n);
	buf_free(&b);
}

static void move_sel(struct top *t, long by)
{
	long at = (long)t->sel + by;
	long last = t->tab.n ? (long)t->tab.n - 1 : 0;
	t->sel = (size_t)(at < 0 ? 0 : at > last ? last : at);
}

/* One key. Returns true when the data must be refreshed now (a new view, sort or filter). */
static bool on_key(struct top *t, int ch)
{
	int rows = screen_rows();
	t->msg[0] = '\0';
	switch (ch) {
	case '\t':
	case 'v':
		t->view = (enum top_view)((t->view + 1) % TOP__VIEWS);
		t->sel = t->scroll = 0;
		return true;
	case '1':
	case '2':
	case '3':
	case '4':
		t->view = (enum top_view)(ch - '1');
		t->sel = t->scroll = 0;
		return true;
	case '<':
	case ',':
		if (t->sort_col[t->view] > 0)
			t->sort_col[t->view]--;
		return true;
	case '>':
	case '.':
		if (t->sort_col[t->view] + 1 < t->tab.ncols)
			t->sort_col[t->view]++;
		return true;
	case 'r':
		t->sort_rev = !t->sort_rev;
		return true;
	case ' ':
		t->paused = !t->paused;
		t->last_ok = 0; /* a pause is not a late refresh */
		return false;
	case '/':
		prompt_filter(t);
		return true;
	case KEY_UP:
	case 'k':
		move_sel(t, -1);
		return false;
	case KEY_DOWN:
	case 'j':
		move_sel(t, 1);
		return false;
	case KEY_PPAGE:
		move_sel(t, -rows);
		return false;
	case KEY_NPAGE:
		move_sel(t, rows);
		return false;
	case KEY_HOME:
		t->sel = 0;
		return false;
	case KEY_END:
		move_sel(t, (long)t->tab.n);
		return false;
	case '\n':
	case '\r':
	case KEY_ENTER:
		show_explain(t);
		return false;
	case 'K':
		return close_connection(t); /* closed: show it gone now */
	case 'S':
		stop_owner(t);
		return t->first;
	case 'c':
		copy_row(t);
		return false;
	case 'w':
		write_snapshot(t);
		return false;
	default:
		return false;
	}
}

static void colors_setup(struct top *t)
{
	const char *nc = getenv("NO_COLOR");
	t->color = t->o->color != COLOR_NEVER && !(nc && *nc && t->o->color != COLOR_ALWAYS) &&
		   has_colors();
	if (!t->color)
		return;
	start_color();
	use_default_colors();
	init_pair(PAIR_NEW, COLOR_GREEN, -1);
	init_pair(PAIR_CHANGED, COLOR_YELLOW, -1);
	init_pair(PAIR_GONE, COLOR_RED, -1);
	init_pair(PAIR_HEAD, COLOR_BLACK, COLOR_CYAN);
}

static int loop(struct top *t)
{
	int rc = refresh_data(t);
	if (rc)
		return rc;
	while (!stop_signal) {
		draw(t);
		double wait = t->paused ? 3600 : t->last + t->delay - now_mono();
		timeout(wait <= 0 ? 0 : (int)(wait * 1000) + 1);
		int ch = getch();
		if (ch == 'q' || ch == 'Q')
			break;
		bool now = ch != ERR && ch != KEY_RESIZE && on_key(t, ch);
		if (stop_signal)
			break;
		if (now || (!t->paused && now_mono() >= t->last + t->delay))
			refresh_data(t); /* a failed refresh keeps the last screen and says why */
	}
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
static void open_events(struct top *t, enum top_events how)
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

/* --timing FILE: what the refreshes cost, one line. */
static void write_timing(const struct top *t, const char *path)
{
	struct buf b = {0};
	const char *why = NULL;
	int rc =
	    buf_printf(&b,
		       "refreshes %lu full_listings %lu state_changes %lu max_interval_s %.3f "
		       "delay_s %.3f events %s\n",
		       t->refreshes, t->fulls, t->changes, t->max_gap, t->delay, events_name(t));
	rc = rc ? rc : cli_write_file(path, 0644, &b, &why);
	if (rc)
		cli_err(rc, "top: cannot write %s%s%s", path, why ? ": " : "", why ? why : "");
	buf_free(&b);
}

int top_run(struct cli_options *o, const struct top_opts *to)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		cli_msg("top needs a terminal; `portsleuth conns` prints the same groups");
		return EXIT_FAILURE_;
	}
	struct top t = {.o = o, .delay = to->delay, .first = true};
	int code = cli_pipeline_open(o, 0, NULL, NULL, &t.pl);
	if (code >= 0)
		return code;
	SCREEN *scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		cli_msg("top: cannot drive this terminal (TERM=%s)",
			getenv("TERM") ? getenv("TERM") : "");
		pipeline_close(&t.pl);
		return EXIT_FAILURE_;
	}
	signals_setup();
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	colors_setup(&t);
	open_events(&t, to->events);
	t.last = now_mono();
	int rc = loop(&t);
	endwin();
	delscreen(scr);
	if (to->timing)
		write_timing(&t, to->timing);
	platform_sockstate_close(t.events);
	if (t.diag)
		platform_sockevents_close(t.diag);
	snap_free(&t.dump);
	free(t.chg);
	pipeline_close(&t.pl);
	top_table_free(&t.tab);
	top_table_free(&t.prev);
	snap_free(&t.cur);
	fexpr_free(t.expr);
	if (rc)
		cli_err(rc, "top: cannot list the sockets");
	return rc ? EXIT_FAILURE_ : EXIT_OK;
}

#endif
