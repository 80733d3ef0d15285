/* SPDX-License-Identifier: GPL-2.0-or-later */
/* watch.c — `portsleuth watch`: poll, diff and print one line per change; destroy notifications
 * between polls. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "../model/diff.h"
#include "../output/changes.h"
#include "../platform/platform.h"
#include "../util/timefmt.h"
#include "changes.h"
#include "cli.h"
#include "common.h"
#include "msg.h"
#include "pipe.h"

static const char usage_head[] =
    "Usage: portsleuth watch [OPTIONS] [PORT]...\n"
    "Watch sockets live: print one line per change, with a timestamp: new, closed,\n"
    "owner-changed, exposure-changed, firewall-changed, address-changed,\n"
    "state-changed. Listening sockets by default, every socket with -a. Sockets that\n"
    "open and close between two polls are caught from the kernel's sock_diag destroy\n"
    "notifications; when they are unavailable, the first line says such sockets are\n"
    "not seen.\n";
static const char usage_tail[] = "\n"
				 "Stops cleanly on SIGINT or SIGTERM.\n"
				 "Exit status: 0 stopped, 2 usage error, 3 failure.\n";

enum { OPT_INTERVAL = 512, OPT_COUNT, OPT_DURATION, OPT_LOG, OPT_POLL_ONLY };

struct watch_opts {
	double interval, duration;
	unsigned long count;
	const char *log;
	bool poll_only;
};

static int parse_seconds(const char *arg, double *out, const char *what)
{
	char *end;
	errno = 0;
	/* plain decimal only: strtod would also take 0x10 (16 s) and 1e-300 (a busy loop) */
	bool decimal = arg[strspn(arg, "0123456789.")] == '\0';
	double v = strtod(arg, &end);
	if (!decimal || errno || end == arg || *end || !isfinite(v) || v < 0.001 ||
	    v > 86400 * 365) {
		cli_usage_error(what, arg, "a number of seconds from 0.001 on, such as 1 or 0.5");
		return EXIT_USAGE;
	}
	*out = v;
	return 0;
}

static int on_extra(int val, const char *arg, void *ctx)
{
	struct watch_opts *wo = ctx;
	switch (val) {
	case OPT_INTERVAL:
		return parse_seconds(arg, &wo->interval, "invalid --interval");
	case OPT_DURATION:
		return parse_seconds(arg, &wo->duration, "invalid --duration");
	case OPT_COUNT: {
		char *end;
		errno = 0;
		unsigned long v = strtoul(arg, &end, 10);
		if (errno || end == arg || *end || *arg == '-' || v == 0) {
			cli_usage_error("invalid --count", arg, "a number of polls, 1 or more");
			return EXIT_USAGE;
		}
		wo->count = v;
		return 0;
	}
	case OPT_POLL_ONLY:
		wo->poll_only = true;
		return 0;
	default:
		wo->log = arg;
		return 0;
	}
}

/* SIGINT / SIGTERM: the handler writes to a pipe the loop polls, so no signal is lost. */
static int sig_pipe[2] = {-1, -1};
static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	int e = errno;
	stop_signal = sig;
	if (sig_pipe[1] >= 0 && write(sig_pipe[1], "x", 1) < 0) {
		/* the pipe is full: a stop is already pending */
	}
	errno = e;
}

static double now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Where events go and how. */
struct sink {
	bool json, color;
	struct platform_file *log;
	struct buf line;
	int error; /* first write error (-errno) */
	unsigned long events;
	struct coalescer fold; /* a flood's events per window, counted instead of shown */
};

static void sink_write(struct sink *k, const char *plain, size_t plen, const char *colored,
		       size_t clen)
{
	if (fwrite(colored, 1, clen, stdout) != clen || fflush(stdout))
		k->error = k->error ? k->error : -(errno ? errno : EIO);
	int rc = k->log ? platform_file_write(k->log, plain, plen) : 0;
	if (rc)
		k->error = k->error ? k->error : rc;
}

/* Emit one change; via_destroy: learnt from a destroy notification; short_lived: opened after the
 * last poll. */
static void emit(struct sink *k, const struct diff_change *c, const struct diff_side *a,
		 const struct diff_side *b, bool via_destroy, bool short_lived)
{
	const struct ps_socket *s =
	    c->after >= 0 ? &b->snap->socks[c->after] : &a->snap->socks[c->before];
	enum coalesce_kind kind = c->kind == DIFF_NEW	   ? COALESCE_NEW
				  : c->kind == DIFF_CLOSED ? COALESCE_CLOSED
							   : COALESCE_CHANGED;
	/* a socket seen only in its destroy notification has no uid (the kernel leaves it 0) */
	uint32_t uid = via_destroy && short_lived ? COALESCE_NO_UID : s->uid;
	if (!coalesce_admit(&k->fold, s->proto, s->local.port, uid, kind))
		return;
	char t[40];
	if (k->json)
		time_now_utc(t, sizeof t, true);
	else
		time_now_local(t, sizeof t);
	struct watch_event e = {t, c, a, b, via_destroy, short_lived};
	struct buf plain = {0};
	buf_clear(&k->line);
	/* the log never gets colour */
	int rc = render_watch_event(&plain, &e, k->json, false);
	if (!rc && k->color)
		rc = render_watch_event(&k->line, &e, false, true);
	const struct buf *shown = k->color ? &k->line : &plain;
	if (!rc)
		sink_write(k, plain.data, plain.len, shown->data, shown->len);
	buf_free(&plain);
	if (rc && !k->error)
		k->error = rc;
	k->events++;
}

/* A forwarded port that appeared or went away between two polls. */
static void emit_forward(struct sink *k, const struct ps_forward *f, bool gone)
{
	char t[40];
	if (k->json)
		time_now_utc(t, sizeof t, true);
	else
		time_now_local(t, sizeof t);
	struct buf line = {0};
	int rc = render_watch_forward(&line, t, f, gone, k->json);
	if (!rc)
		sink_write(k, line.data, line.len, line.data, line.len);
	buf_free(&line);
	if (rc && !k->error)
		k->error = rc;
	k->events++;
}

/* One "folded" line: what a window counted instead of showing, for one port and user. */
static void emit_folded(const struct coalesce_bucket *f, void *ctx)
{
	struct sink *k = ctx;
	char t[40];
	if (k->json)
		time_now_utc(t, sizeof t, true);
	else
		time_now_local(t, sizeof t);
	buf_clear(&k->line);
	int rc = render_watch_folded(&k->line, t, f, k->json);
	if (!rc)
		sink_write(k, k->line.data, k->line.len, k->line.data, k->line.len);
	else if (!k->error)
		k->error = rc;
}

/* A status line (start, stop, lost notifications). */
static void status(struct sink *k, struct watch_status *st)
{
	char t[40];
	if (k->json)
		time_now_utc(t, sizeof t, true);
	else
		time_now_local(t, sizeof t);
	st->time = t;
	buf_clear(&k->line);
	if (render_watch_status(&k->line, st, k->json) == 0)
		sink_write(k, k->line.data, k->line.len, k->line.data, k->line.len);
}

/* The previous poll, indexed by identity, with sockets already reported closed marked gone. */
struct prev_state {
	struct ps_snapshot snap;
	uint32_t *order; /* socket indexes sorted by identity */
	bool *gone;
	struct ps_socket *recent_closed; /* identities the last poll reported closed */
	size_t nrecent;
};

static const struct ps_snapshot *order_snap;

static int cmp_order(const void *pa, const void *pb)
{
	uint32_t a = *(const uint32_t *)pa, b = *(const uint32_t *)pb;
	int c = diff_cmp_identity(&order_snap->socks[a], &order_snap->socks[b]);
	return c ? c : (a > b) - (a < b);
}

static int prev_index(struct prev_state *p)
{
	free(p->order);
	free(p->gone);
	p->order = malloc((p->snap.nsocks + 1) * sizeof *p->order);
	p->gone = calloc(p->snap.nsocks + 1, sizeof *p->gone);
	if (!p->order || !p->gone)
		return -ENOMEM;
	for (size_t i = 0; i < p->snap.nsocks; i++)
		p->order[i] = (uint32_t)i;
	order_snap = &p->snap;
	qsort(p->order, p->snap.nsocks, sizeof *p->order, cmp_order);
	return 0;
}

static void prev_free(struct prev_state *p)
{
	snap_free(&p->snap);
	free(p->order);
	free(p->gone);
	free(p->recent_closed);
	memset(p, 0, sizeof *p);
}

/* First position in order[] whose identity is not below k's. */
static size_t lower_bound(const struct prev_state *p, const struct ps_socket *k)
{
	size_t lo = 0, hi = p->snap.nsocks;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (diff_cmp_identity(&p->snap.socks[p->order[mid]], k) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool keep_not_gone(const struct ps_snapshot *s, const struct ps_socket *k, const void *ctx)
{
	const bool *gone = ctx;
	return !gone[k - s->socks];
}

/* What a destroyed socket was, for the query: a listener (or unconnected UDP) or a connection. */
static void infer_state(struct ps_socket *k)
{
	bool unconnected = k->remote.port == 0 && addr_is_any(&k->remote.addr);
	if (k->proto == PS_TCP)
		k->state = unconnected ? PS_ST_LISTEN : PS_ST_ESTABLISHED;
	else
		k->state = unconnected ? PS_ST_CLOSE : PS_ST_ESTABLISHED;
}

/* Handle one batch of destroy notifications (in dead). */
static void on_destroyed(struct sink *k, struct prev_state *p, struct ps_snapshot *dead,
			 const struct ps_filter *f)
{
	struct diff_side pside = {.snap = &p->snap}, dside = {.snap = dead};
	for (size_t i = 0; i < dead->nsocks; i++) {
		struct ps_socket *d = &dead->socks[i];
		d->netns = p->snap.netns;
		size_t at = lower_bound(p, d), alive = 0, first = at;
		long mark = -1;
		for (size_t j = at;
		     j < p->snap.nsocks && diff_cmp_identity(&p->snap.socks[p->order[j]], d) == 0;
		     j++)
			if (!p->gone[p->order[j]]) {
				alive++;
				if (mark < 0)
					mark = p->order[j];
			}
		if (mark >= 0) {
			p->gone[mark] = true;
			if (alive == 1) {
				struct diff_change c = {.kind = DIFF_CLOSED,
							.before = (long)p->order[first],
							.after = -1,
							.nbefore = 1,
							.exp_before =
							    diff_exposure(&pside, p->order[first])};
				emit(k, &c, &pside, NULL, true, false);
			}
			continue;
		}
		if (first < p->snap.nsocks &&
		    diff_cmp_identity(&p->snap.socks[p->order[first]], d) == 0)
			continue; /* every socket of that identity already reported */
		bool recent = false;
		for (size_t j = 0; j < p->nrecent && !recent; j++)
			recent = diff_cmp_identity(&p->recent_closed[j], d) == 0;
		if (recent)
			continue; /* the poll already reported it closed */
		infer_state(d);
		if (!filter_match_socket(f, d))
			continue;
		d->owner_status = PS_OWN_VANISHED;
		struct diff_change c = {.kind = DIFF_NEW,
					.before = -1,
					.after = (long)i,
					.nafter = 1,
					.exp_after = diff_exposure(&dside, i)};
		emit(k, &c, NULL, &dside, true, true);
		c = (struct diff_change){.kind = DIFF_CLOSED,
					 .before = (long)i,
					 .after = -1,
					 .nbefore = 1,
					 .exp_before = c.exp_after};
		emit(k, &c, &dside, NULL, true, true);
	}
}

/* One poll: list, compare with the previous poll, emit, and make it the new previous. */
static int poll_once(struct sink *k, struct prev_state *p, struct pipeline *pl)
{
	struct ps_snapshot cur = {0};
	int code = cli_pipeline_run(pl, &cur);
	if (code) {
		snap_free(&cur);
		return code;
	}
	/* sockets already reported closed by a notification are not compared again */
	if (p->gone && snap_retain(&p->snap, keep_not_gone, p->gone)) {
		snap_free(&cur);
		return EXIT_FAILURE_;
	}
	struct diff_side a = {.snap = &p->snap}, b = {.snap = &cur};
	struct diff_result r;
	if (diff_compute(&a, &b, &r)) {
		snap_free(&cur);
		return EXIT_FAILURE_;
	}
	size_t nclosed = r.count[DIFF_CLOSED] + r.count[DIFF_EXPOSURE] + r.count[DIFF_ADDRESS];
	struct ps_socket *rc = malloc((nclosed + 1) * sizeof *rc);
	size_t nrc = 0;
	for (size_t i = 0; i < r.n; i++) {
		const struct diff_change *c = &r.v[i];
		emit(k, c, &a, &b, false, false);
		/* identities that left (closed or re-bound): a late destroy notification is
		 * no news */
		if (rc && c->before >= 0 &&
		    (c->kind == DIFF_CLOSED || c->kind == DIFF_EXPOSURE ||
		     c->kind == DIFF_ADDRESS) &&
		    nrc < nclosed)
			rc[nrc++] = p->snap.socks[c->before];
	}
	for (size_t i = 0; i < r.nfwd_gone; i++)
		emit_forward(k, &p->snap.firewall->fwd[r.fwd_gone[i]], true);
	for (size_t i = 0; i < r.nfwd_new; i++)
		emit_forward(k, &cur.firewall->fwd[r.fwd_new[i]], false);
	diff_free(&r);
	uint64_t netns = cur.netns;
	snap_free(&p->snap);
	p->snap = cur;
	p->snap.netns = netns;
	free(p->recent_closed);
	p->recent_closed = rc;
	p->nrecent = rc ? nrc : 0;
	return prev_index(p) ? EXIT_FAILURE_ : 0;
}

/* The signal dispositions run replaces, put back when it ends. */
struct saved_signals {
	struct sigaction intr, term, pipe;
};

/* The self-pipe SIGINT and SIGTERM write to (poll wakes on it), and their handlers. 0 or -errno.
 */
static int signals_catch(struct saved_signals *old)
{
	if (pipe(sig_pipe) || fcntl(sig_pipe[0], F_SETFD, FD_CLOEXEC) ||
	    fcntl(sig_pipe[1], F_SETFD, FD_CLOEXEC) || fcntl(sig_pipe[0], F_SETFL, O_NONBLOCK) ||
	    fcntl(sig_pipe[1], F_SETFL, O_NONBLOCK))
		return -errno;
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old->intr);
	sigaction(SIGTERM, &sa, &old->term);
	struct sigaction ign = {.sa_handler = SIG_IGN};
	/* a closed stdout is a write error, then a clean stop */
	sigaction(SIGPIPE, &ign, &old->pipe);
	return 0;
}

static void signals_restore(const struct saved_signals *old)
{
	sigaction(SIGINT, &old->intr, NULL);
	sigaction(SIGTERM, &old->term, NULL);
	sigaction(SIGPIPE, &old->pipe, NULL);
}

/* The "start" status: the reference listing's size and whether closes between polls are seen. */
static void announce_start(struct sink *k, const struct cli_options *o, const struct watch_opts *wo,
			   size_t nsocks, int everr)
{
	struct watch_status st = {.kind = "start",
				  .interval = wo->interval,
				  .sockets = nsocks,
				  .all = o->all,
				  .destroy_notifications = !everr};
	/* in the platform's own terms: a Windows administrator reads nothing of sock_diag */
	bool has = platform_caps()->destroy_events;
	st.mechanism = has ? "sock_diag destroy notifications" : NULL;
	st.why_not = !has ? "this system does not report sockets that closed between polls"
		     : everr == -ECANCELED ? "are off (--poll-only)"
		     : everr == -EPERM	   ? "are not permitted here (CAP_NET_ADMIN may help)"
		     : everr == -ENOSYS	   ? "do not exist on this platform"
					   : strerror(-everr);
	status(k, &st);
}

/* What one watch saw, for the "stop" status. */
struct watch_counts {
	unsigned long polls, lost;
};

static void announce_stop(struct sink *k, const struct watch_counts *c)
{
	struct watch_status st = {.kind = "stop",
				  .polls = c->polls,
				  .events = k->events,
				  .lost = c->lost,
				  .folded = k->fold.folded_total,
				  .signal = (int)stop_signal};
	st.signal_text = stop_signal == SIGINT	  ? " (interrupted)"
			 : stop_signal == SIGTERM ? " (terminated)"
						  : "";
	status(k, &st);
}

/* Everything the loop of one watch works on. */
struct watch_run {
	struct sink *k;
	struct prev_state *p;
	struct pipeline *pl;
	struct platform_sockevents *ev; /* NULL: polls only */
	struct ps_snapshot *dead;	/* the sockets one batch of notifications closed */
	const struct cli_options *o;
	const struct watch_opts *wo;
	struct watch_counts counts;
};

/* Report the sockets a batch of destroy notifications closed. 0 or an exit code (said). */
static int read_destroyed(struct watch_run *r)
{
	long got = platform_sockevents_read(r->ev, r->dead);
	if (got == -ENOBUFS) {
		r->counts.lost++;
		struct watch_status st = {.kind = "lost-events"};
		status(r->k, &st);
	} else if (got < 0) {
		cli_err((int)got, "reading destroy notifications");
		return EXIT_FAILURE_;
	}
	on_destroyed(r->k, r->p, r->dead, &r->o->filter);
	snap_free(r->dead);
	return 0;
}

/*
 * Poll every interval, and report closes as they are notified, until a signal, the duration
 * or the count ends it, or output fails. 0, or an exit code after an error (said).
 */
static int watch_loop(struct watch_run *r)
{
	const struct watch_opts *wo = r->wo;
	double start = now_mono(), next = start + wo->interval;
	double end = wo->duration > 0 ? start + wo->duration : 0;
	/* floods are counted per window of a second (or of the interval, when longer) */
	double window = wo->interval > 1 ? wo->interval : 1, fold_at = start + window;
	int code;
	while (!stop_signal && !r->k->error) {
		double t = now_mono();
		if (t >= fold_at) {
			coalesce_flush(&r->k->fold, emit_folded, r->k);
			fold_at = t + window;
		}
		if (end && t >= end)
			break;
		double until = end && end < next ? end : next;
		until = fold_at < until ? fold_at : until;
		int timeout = until > t ? (int)ceil((until - t) * 1000) : 0;
		struct pollfd pf[2] = {
		    {.fd = sig_pipe[0], .events = POLLIN},
		    {.fd = r->ev ? platform_sockevents_fd(r->ev) : -1, .events = POLLIN}};
		int n = poll(pf, 2, timeout);
		if (n < 0 && errno != EINTR) {
			cli_err(-errno, "poll");
			return EXIT_FAILURE_;
		}
		if (stop_signal || (n > 0 && (pf[0].revents & POLLIN)))
			break;
		if (n > 0 && (pf[1].revents & POLLIN) && (code = read_destroyed(r)))
			return code;
		if (now_mono() < next)
			continue;
		if ((code = poll_once(r->k, r->p, r->pl)))
			return code;
		r->counts.polls++;
		if (wo->count && r->counts.polls >= wo->count)
			break;
		next += wo->interval;
		double t2 = now_mono();
		if (next <= t2) /* a slow poll: do not try to catch up */
			next = t2 + wo->interval;
	}
	return 0;
}

static int run(struct cli_options *o, const struct watch_opts *wo)
{
	struct sink k = {.json = o->format == FMT_JSON};
	struct prev_state p = {0};
	struct ps_snapshot dead = {0};
	struct pipeline pl = {0};
	struct watch_run r = {.k = &k, .p = &p, .pl = &pl, .dead = &dead, .o = o, .wo = wo};
	struct saved_signals old;
	int code = EXIT_FAILURE_, rc;
	k.color = !k.json && cli_color_for(stdout, o->color);
	if (wo->log) {
		const char *why;
		rc = platform_file_open_write(wo->log, PLATFORM_FILE_APPEND, 0600, &k.log, &why);
		if (rc) {
			cli_file_error(wo->log, rc, why);
			return EXIT_USAGE;
		}
	}
	if ((rc = signals_catch(&old))) {
		cli_err(rc, "cannot set up signal handling");
		goto done;
	}
	if ((code = cli_pipeline_open(o, PIPE_JUDGE, NULL, NULL, &pl)) >= 0)
		goto restore;
	int everr = wo->poll_only ? -ECANCELED : platform_sockevents_open(&r.ev);
	/* the first listing is the reference; only changes from it are printed */
	if ((code = cli_pipeline_run(&pl, &p.snap)) || prev_index(&p)) {
		code = code ? code : EXIT_FAILURE_;
		goto restore;
	}
	announce_start(&k, o, wo, p.snap.nsocks, everr);
	if ((code = watch_loop(&r)))
		goto restore;
	coalesce_flush(&k.fold, emit_folded, &k);
	announce_stop(&k, &r.counts);
	if (k.error && k.error != -EPIPE)
		cli_err(k.error, "cannot write events");
	code = k.error && k.error != -EPIPE ? EXIT_FAILURE_ : EXIT_OK;
restore:
	signals_restore(&old);
done:
	pipeline_close(&pl);
	platform_sockevents_close(r.ev);
	snap_free(&dead);
	prev_free(&p);
	buf_free(&k.line);
	for (int i = 0; i < 2; i++)
		if (sig_pipe[i] >= 0) {
			close(sig_pipe[i]);
			sig_pipe[i] = -1;
		}
	int crc = platform_file_commit(k.log);
	if (crc && code == EXIT_OK) {
		cli_file_error(wo->log, crc, NULL);
		code = EXIT_FAILURE_;
	}
	return code;
}

int cmd_watch(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"interval", required_argument, NULL, OPT_INTERVAL},
	    {"count", required_argument, NULL, OPT_COUNT},
	    {"duration", required_argument, NULL, OPT_DURATION},
	    {"log", required_argument, NULL, OPT_LOG},
	    {"poll-only", no_argument, NULL, OPT_POLL_ONLY},
	    {NULL, 0, NULL, 0},
	};
	struct watch_opts wo = {.interval = 1.0};
	struct cli_extra extra = {
	    .longopts = longopts, .on_extra = on_extra, .ctx = &wo, .positional_ports = true};
	struct cli_options o = {.format = FMT_TABLE};
	/* -i SEC is --interval SEC */
	char **av = calloc((size_t)argc + 1, sizeof *av);
	if (!av)
		return EXIT_FAILURE_;
	for (int i = 0; i < argc; i++)
		av[i] = strcmp(argv[i], "-i") == 0 ? "--interval" : argv[i];
	int code = cli_parse_options(argc, av, &o, &extra,
				     cli_sub_usage(CLI_SUB_WATCH, usage_head, usage_tail));
	if (code < 0 && o.format == FMT_CSV) {
		cli_usage_error("watch has no CSV form; use --json", NULL, NULL);
		code = EXIT_USAGE;
	}
	if (code < 0)
		code = run(&o, &wo);
	cli_options_free(&o);
	free(av);
	return code;
}
