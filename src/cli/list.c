/* list.c — the default command: the port table (or JSON/CSV) for the user's query. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../model/fwmodel.h"
#include "../model/verdict.h"
#include "../output/fw_out.h"
#include "cli.h"
#include "common.h"
#include "msg.h"
#include "pipe.h"

/* --findings keeps only the sockets with at least one finding. */
static bool keep_with_findings(const struct ps_snapshot *s, const struct ps_socket *k,
			       const void *ctx)
{
	(void)ctx;
	return verdict_worst(s, k) >= 0;
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

static int run(struct cli_options *o, bool findings_only)
{
	struct ps_snapshot snap = {0};
	struct pipeline pipe;
	/* service names, exposure and findings come from the layered registry */
	int code = cli_pipeline_open(o, PIPE_JUDGE | PIPE_USERS,
				     findings_only ? keep_with_findings : NULL, NULL, &pipe);
	if (code >= 0)
		return code;
	if ((code = cli_pipeline_run(&pipe, &snap)))
		goto out;
	code = EXIT_FAILURE_;
	struct table_report hidden = {.hidden_worst = -1};
	struct render_ctx ctx = {.snap = &snap, .report = &hidden};
	if (cli_render_setup(o, &ctx))
		goto out;
	int rc = 0;
	if (o->format == FMT_JSON)
		rc = render_json(stdout, &ctx);
	else if (o->format == FMT_CSV)
		rc = render_csv(stdout, &ctx);
	else if (snap.nsocks)
		rc = render_table(stdout, &ctx);
	size_t forwards = snap.firewall && !findings_only ? snap.firewall->nfwd : 0;
	if (!rc && o->format == FMT_TABLE && forwards)
		rc = render_forwards_text(stdout, &snap);
	else if (!rc && o->format == FMT_CSV && forwards)
		rc = render_csv_forwards(stdout, &ctx);
	if (fflush(stdout) && !rc)
		rc = -errno;
	if (rc) {
		cli_err(rc, "cannot write output");
		goto out;
	}
	if (hidden.ndropped) /* a narrow terminal must not hide an owner or an alert in silence */
		note_hidden(&hidden, ctx.o.width);
	if (o->format == FMT_TABLE && !o->filter.all_netns)
		(void)pipeline_netns_census(&snap); /* a note on the namespaces not shown */
	if (o->format != FMT_JSON)
		cli_print_notes(&snap);
	if (!snap.nsocks && !forwards) /* an empty table is not a silent success (exit 1) */
		cli_msg(findings_only ? "no socket with findings matches." : "no socket matches.");
	code = snap.nsocks || forwards ? EXIT_OK : EXIT_NOMATCH;
	if (findings_only && snap.verdicts &&
	    (snap.verdicts->count[SEV_WARNING] || snap.verdicts->count[SEV_ALERT]))
		code = EXIT_FINDINGS;
out:
	pipeline_close(&pipe);
	snap_free(&snap);
	return code;
}

static int on_list_option(int val, const char *arg, void *ctx)
{
	(void)val;
	(void)arg;
	*(bool *)ctx = true; /* --findings */
	return 0;
}

int cmd_list(int argc, char **argv)
{
	enum { OPT_FINDINGS = 512 };
	static const struct option extra_opts[] = {
	    {"findings", no_argument, NULL, OPT_FINDINGS},
	    {NULL, 0, NULL, 0},
	};
	bool findings_only = false;
	struct cli_extra extra = {extra_opts, on_list_option, &findings_only, true};
	struct cli_options o = {.format = FMT_TABLE};
	int code = cli_parse_options(argc, argv, &o, &extra, cli_usage_text);
	if (code < 0)
		code = run(&o, findings_only);
	cli_options_free(&o);
	return code;
}
