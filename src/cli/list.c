/* SPDX-License-Identifier: GPL-2.0-or-later */
/* list.c — the default command: the port table (or JSON/CSV) for the user's query. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../model/fwmodel.h"
#include "../model/verdict.h"
#include "../output/fw_out.h"
#include "../platform/platform.h"
#include "cli.h"
#include "common.h"
#include "msg.h"
#include "pipe.h"

/* Whether k is reachable from the class --exposure asks for (the EXPOSURE column's judgement). */
static bool exposure_matches(const struct ps_snapshot *s, const struct ps_socket *k, int want)
{
	const struct sock_verdict *v = verdict_of(s, k);
	if (!v)
		return false;
	enum ps_exposure e = v->listener ? v->widest : v->scope;
	switch (want) {
	case CLI_EXPO_LOOPBACK:
		return e == PS_EXPO_LOOPBACK;
	case CLI_EXPO_LINK_LOCAL:
		return e == PS_EXPO_LINK_LOCAL;
	case CLI_EXPO_PRIVATE:
		return e == PS_EXPO_PRIVATE;
	case CLI_EXPO_PUBLIC:
		return e >= PS_EXPO_PUBLIC; /* all interfaces: the Internet too */
	default:
		return e != PS_EXPO_LOOPBACK;
	}
}

/* The listing's own filter after judging: --findings and --exposure. */
static bool keep_judged(const struct ps_snapshot *s, const struct ps_socket *k, const void *ctx)
{
	const struct cli_options *o = ctx;
	if (o->findings_only && verdict_worst(s, k) < 0)
		return false;
	return o->exposure < 0 || exposure_matches(s, k, o->exposure);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* --pids: every holder's pid once, sorted, one per line (as lsof -t). The number printed. */
static size_t print_pids(const struct ps_snapshot *s)
{
	size_t n = 0, cap = 0;
	int *pids = NULL;
	for (size_t k = 0; k < s->nsocks; k++)
		for (size_t i = 0; i < s->socks[k].owner_count; i++) {
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 64;
				int *np = realloc(pids, nc * sizeof *np);
				if (!np)
					break;
				pids = np;
				cap = nc;
			}
			if (n < cap)
				pids[n++] = snap_owner(s, &s->socks[k], i)->pid;
		}
	if (n)
		qsort(pids, n, sizeof *pids, cmp_int);
	size_t shown = 0;
	for (size_t i = 0; i < n; i++)
		if (i == 0 || pids[i] != pids[i - 1]) {
			printf("%d\n", pids[i]);
			shown++;
		}
	free(pids);
	return shown;
}

/* After the table on a terminal: "12 listeners, 2 reachable from public addresses, 1 alert". */
static void print_summary(const struct ps_snapshot *s)
{
	size_t listeners = 0, public = 0;
	for (size_t k = 0; k < s->nsocks; k++) {
		if (!socket_is_listener(&s->socks[k]))
			continue;
		listeners++;
		public += exposure_matches(s, &s->socks[k], CLI_EXPO_PUBLIC);
	}
	size_t alerts = s->verdicts ? s->verdicts->count[SEV_ALERT] : 0;
	size_t warnings = s->verdicts ? s->verdicts->count[SEV_WARNING] : 0;
	char more[96] = "";
	if (alerts || warnings)
		snprintf(more, sizeof more, ", %zu alert%s, %zu warning%s", alerts,
			 alerts == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s");
	cli_note("%zu socket%s, %zu listener%s, %zu reachable from public addresses%s", s->nsocks,
		 s->nsocks == 1 ? "" : "s", listeners, listeners == 1 ? "" : "s", public, more);
}

/* Say, once, which columns the width left out (the FINDINGS among them with their count),
 * and how to see them. */
static void note_hidden(const struct table_report *r, size_t width)
{
	const char *env = getenv("COLUMNS");
	char where[48], names[256] = "", findings[96] = "";
	if (env && *env && strtoul(env, NULL, 10) == width)
		snprintf(where, sizeof where, "COLUMNS=%zu", width);
	else
		snprintf(where, sizeof where, "%zu columns", width);
	size_t at = 0;
	for (size_t i = 0; i < r->ndropped && at < sizeof names; i++)
		at += (size_t)snprintf(names + at, sizeof names - at, "%s%s", i ? ", " : "",
				       columns[r->dropped[i]].header);
	if (r->hidden_findings)
		snprintf(findings, sizeof findings, " (%zu finding%s, worst: %s)",
			 r->hidden_findings, r->hidden_findings == 1 ? "" : "s",
			 finding_sev_name((unsigned)r->hidden_worst));
	cli_note("not shown at this width (%s): %s%s; -w shows every column, explain PORT the "
		 "whole story",
		 where, names, findings);
}

/* Write the result in o's format; 0 or -errno. */
static int render(const struct cli_options *o, struct render_ctx *ctx, size_t forwards)
{
	int rc = 0;
	if (o->format == FMT_JSON)
		rc = render_json(stdout, ctx);
	else if (o->format == FMT_CSV)
		rc = render_csv(stdout, ctx);
	else if (ctx->snap->nsocks)
		rc = render_table(stdout, ctx);
	if (!rc && o->format == FMT_TABLE && forwards)
		rc = render_forwards_text(stdout, ctx->snap);
	else if (!rc && o->format == FMT_CSV && forwards)
		rc = render_csv_forwards(stdout, ctx);
	if (fflush(stdout) && !rc)
		rc = -errno;
	return rc;
}

/* The notes after the output: what was left out, what could not be seen, the summary. */
static void after_output(const struct cli_options *o, struct ps_snapshot *snap,
			 const struct render_ctx *ctx)
{
	if (ctx->report->ndropped) /* a narrow terminal must not hide an owner or an alert */
		note_hidden(ctx->report, ctx->o.width);
	if (o->format != FMT_JSON)
		cli_print_notes(snap);
	if (o->format == FMT_TABLE && snap->nsocks && isatty(STDOUT_FILENO))
		print_summary(snap);
}

/*
 * What an empty result says: with a pid filter whose processes none exist, that (a typo in
 * a pid is not "no socket"); else that no socket matches.
 */
static void say_no_match(const struct cli_options *o, const char *nothing)
{
	const struct ps_filter *f = &o->filter;
	size_t gone = 0;
	for (size_t i = 0; i < f->npids; i++)
		gone += platform_pid_exists(f->pids[i]) == 0;
	if (f->npids && gone == f->npids) {
		cli_msg(f->npids == 1 ? "no such process: %d."
				      : "no such processes: %d and %zu more.",
			f->pids[0], f->npids - 1);
		return;
	}
	cli_note("%s", nothing); /* -q silences it: the exit status (1) says it too */
}

static int run(struct cli_options *o)
{
	struct ps_snapshot snap = {0};
	struct pipeline pipe;
	bool judged_filter = o->findings_only || o->exposure >= 0;
	/* service names, exposure and findings come from the layered registry */
	/* the census: a note on the namespaces a table does not show */
	unsigned want = PIPE_JUDGE | PIPE_USERS | (o->format == FMT_TABLE ? PIPE_CENSUS : 0);
	int code = cli_pipeline_open(o, want, judged_filter ? keep_judged : NULL, o, &pipe);
	if (code >= 0)
		return code;
	if ((code = cli_pipeline_run(&pipe, &snap)))
		goto out;
	size_t forwards =
	    snap.firewall && !judged_filter && !o->pids_only ? snap.firewall->nfwd : 0;
	if (o->pids_only) {
		code = print_pids(&snap) ? EXIT_OK : EXIT_NOMATCH;
		if (code && fflush(stdout) == 0)
			say_no_match(o, snap.nsocks
					    ? "no owner of the matching sockets could be seen."
					    : "no socket matches.");
		goto out;
	}
	code = EXIT_FAILURE_;
	struct table_report hidden = {.hidden_worst = -1};
	struct render_ctx ctx = {.snap = &snap, .report = &hidden};
	if (cli_render_setup(o, &ctx))
		goto out;
	int rc = render(o, &ctx, forwards);
	if (rc) {
		cli_err(rc, "cannot write output");
		goto out;
	}
	after_output(o, &snap, &ctx);
	if (!snap.nsocks && !forwards) /* said, unless -q: the exit status (1) says it too */
		say_no_match(o, o->findings_only ? "no socket with findings matches."
						 : "no socket matches.");
	code = snap.nsocks || forwards ? EXIT_OK : EXIT_NOMATCH;
	if (o->findings_only && snap.verdicts &&
	    (snap.verdicts->count[SEV_WARNING] || snap.verdicts->count[SEV_ALERT]))
		code = EXIT_FINDINGS;
out:
	pipeline_close(&pipe);
	snap_free(&snap);
	return code;
}

int cmd_list(int argc, char **argv)
{
	struct cli_extra extra = {.positional_ports = true};
	struct cli_options o = {.format = FMT_TABLE};
	int code = cli_parse_options(argc, argv, &o, &extra, cli_list_usage());
	if (code < 0)
		code = run(&o);
	cli_options_free(&o);
	return code;
}
