/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conns.c — `portsleuth conns`: two samples an interval apart, connections grouped with bytes and
 * rates. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../model/conns.h"
#include "../model/filter.h"
#include "../output/conns_out.h"
#include "cli.h"
#include "common.h"
#include "msg.h"
#include "pipe.h"

static const char usage_head[] =
    "Usage: portsleuth conns [OPTIONS] [FILTER]...\n"
    "Connections grouped the way a network viewer groups them: by process,\n"
    "direction (in: accepted on a port a listener here serves; out: made from here;\n"
    "listen: the listener itself), server end and the remote address's class\n"
    "(loopback, link-local, private, public). Each group has its count, bytes sent\n"
    "and received, the rates over --interval, round-trip time and retransmits, from\n"
    "the kernel's TCP counters (no packet capture); listeners their accept queue\n"
    "against the backlog. Sockets in every state by default.\n";
static const char usage_tail[] =
    "\n"
    "Exit status: 0 groups shown, 1 nothing matched, 2 usage error, 3 failure.\n";

enum { OPT_INTERVAL = 512 };

static int on_extra(int val, const char *arg, void *ctx)
{
	double *interval = ctx;
	(void)val;
	char *end;
	errno = 0;
	bool decimal = arg[0] && arg[strspn(arg, "0123456789.")] == '\0';
	double v = strtod(arg, &end);
	if (!decimal || errno || end == arg || *end || !isfinite(v) || v > 3600) {
		cli_usage_error("invalid --interval", arg,
				"a number of seconds up to 3600, such as 1 or 0.5 (0: one sample, "
				"no rates)");
		return EXIT_USAGE;
	}
	*interval = v;
	return 0;
}

static bool keep_closed(const struct ps_snapshot *s, const struct ps_socket *k, const void *ctx)
{
	(void)s;
	/* their owners are gone: a filter on owners keeps none */
	return !filter_needs_owners(ctx) && filter_match_socket(ctx, k);
}

static double now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_for(double s)
{
	struct timespec ts = {(time_t)s, (long)((s - floor(s)) * 1e9)};
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/*
 * The kernel's destroy notifications, so that connections that open and close between the two
 * samples count (sock_diag's destroy groups: this namespace only); NULL, with a note, when they
 * cannot be had.
 */
static struct platform_sockevents *open_closes(const struct cli_options *o, double interval)
{
	struct platform_sockevents *ev = NULL;
	if (interval <= 0)
		return NULL;
	int rc = platform_caps()->destroy_events ? platform_sockevents_open(&ev) : -ENOSYS;
	if (!rc && o->filter.all_netns)
		cli_note(
		    "conns: connections that open and close within the interval are counted in "
		    "this network namespace only (-N: sock_diag notifies one)");
	else if (rc == -ENOSYS)
		cli_note("conns: connections that open and close within the interval are not "
			 "counted: this platform does not notify closed sockets");
	else if (rc)
		cli_note("conns: connections that open and close within the interval are not "
			 "counted: the kernel's destroy notifications cannot be had (%s)",
			 strerror(-rc));
	return rc ? NULL : ev;
}

/* The closes notified since the notifications were opened, those the filters keep: into gone. */
static int read_closes(struct platform_sockevents *ev, const struct cli_options *o,
		       struct ps_snapshot *gone)
{
	long got;
	bool lost = false;
	while ((got = platform_sockevents_read(ev, gone)) != 0) {
		if (got == -ENOBUFS)
			lost = true;
		else if (got < 0)
			return (int)got;
		else if (got < 4096) /* sockevents.c reads at most 4096 at a time */
			break;
	}
	if (lost)
		cli_note("conns: the kernel dropped some close notifications (too many at once): "
			 "connections that opened and closed within the interval are undercounted");
	return snap_retain(gone, keep_closed, &o->filter);
}

/* Sample, wait, sample, group, print. */
static int run(struct cli_options *o, double interval)
{
	struct ps_snapshot a = {0}, b = {0}, gone = {0};
	struct conn_table t = {0};
	struct pipeline pl;
	struct buf out = {0};
	int code = cli_pipeline_open(o, 0, NULL, NULL, &pl);
	if (code >= 0)
		return code;
	struct platform_sockevents *ev = open_closes(o, interval);
	double t0 = now_mono();
	if (interval > 0) {
		if ((code = cli_pipeline_run(&pl, &a)))
			goto done;
		sleep_for(interval - (now_mono() - t0));
	}
	int rc = ev ? read_closes(ev, o, &gone) : 0;
	if (rc)
		cli_err(rc, "conns: cannot read the kernel's close notifications");
	double t1 = now_mono();
	if ((code = cli_pipeline_run(&pl, &b)))
		goto done;
	rc =
	    conns_group_closed(interval > 0 ? &a : NULL, &b, ev && !rc ? &gone : NULL, t1 - t0, &t);
	if (!rc)
		rc = o->format == FMT_JSON  ? render_conns_json(&out, &t)
		     : o->format == FMT_CSV ? render_conns_csv(&out, &t, o->no_header)
					    : render_conns_table(&out, &t, o->no_header);
	if (!rc && (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout)))
		rc = -errno;
	if (rc) {
		cli_err(rc, "cannot show the connections");
		code = EXIT_FAILURE_;
		goto done;
	}
	if (o->format == FMT_TABLE) {
		/* the groups name no cgroup: a missing cgroup2 mount is moot here */
		b.sockcg_note = NULL;
		cli_print_notes(&b);
	}
	code = t.n ? EXIT_OK : EXIT_NOMATCH;
done:
	if (ev)
		platform_sockevents_close(ev);
	conns_free(&t);
	buf_free(&out);
	pipeline_close(&pl);
	snap_free(&a);
	snap_free(&b);
	snap_free(&gone);
	return code;
}

bool cli_states_given(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *w = argv[i];
		if (strcmp(w, "--") == 0)
			break;
		if (strcmp(w, "--listening") == 0 || strncmp(w, "--state", 7) == 0 ||
		    (w[0] == '-' && w[1] != '-' && strpbrk(w + 1, "la")))
			return true;
	}
	return false;
}

char **cli_argv_every_state(int argc, char **argv, int *n)
{
	char **av = calloc((size_t)argc + 2, sizeof *av);
	if (!av)
		return NULL;
	*n = 0;
	av[(*n)++] = argv[0];
	if (!cli_states_given(argc, argv))
		av[(*n)++] = "-a";
	for (int i = 1; i < argc; i++)
		av[(*n)++] = argv[i];
	return av;
}

int cmd_conns(int argc, char **argv)
{
	double interval = 1.0;
	struct cli_extra extra = {NULL, on_extra, &interval, true};
	struct cli_options o = {.format = FMT_TABLE};
	int n;
	char **av = cli_argv_every_state(argc, argv, &n);
	if (!av)
		return EXIT_FAILURE_;
	int code = cli_parse_options(n, av, &o, &extra,
				     cli_sub_usage(CLI_SUB_CONNS, usage_head, usage_tail));
	if (code < 0 && cli_exposure_expr(&o))
		code = EXIT_FAILURE_;
	if (code < 0) {
		o.filter.tcp_info = true;
		code = run(&o, interval);
	}
	cli_options_free(&o);
	free(av);
	return code;
}
