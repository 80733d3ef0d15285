/* list.c — the default command: the port table (or JSON/CSV) for the user's query. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../core/pipeline.h"
#include "../enrich/users.h"
#include "cli.h"
#include "common.h"
#include "knowledge.h"

/* --findings keeps only the sockets with at least one finding. */
static bool keep_with_findings(const struct ps_snapshot *s, const struct ps_socket *k, const void *ctx)
{
	return verdict_worst(ctx, (size_t)(k - s->socks)) >= 0;
}

static int run(struct cli_options *o, bool findings_only)
{
	struct ps_snapshot snap = {0};
	struct cli_knowledge know = {0};
	struct users *users = users_new();
	int code = EXIT_FAILURE_;
	enum pipeline_stage stage;
	int rc = pipeline_run(&o->filter, &snap, &stage);
	if (rc) {
		cli_pipeline_error(&snap, stage, rc);
		goto out;
	}

	struct render_ctx ctx = {.snap = &snap, .users = users};
	/* Service names, exposure and findings (the layered registry replaces /etc/services). */
	if ((code = cli_knowledge_load(o, &know)) >= 0 || (code = cli_knowledge_judge(&know, &snap)))
		goto out;
	if (findings_only && ((rc = snap_retain(&snap, keep_with_findings, &know.v)) ||
			      (code = cli_knowledge_judge(&know, &snap)))) {
		code = rc ? EXIT_FAILURE_ : code;
		goto out;
	}
	ctx.verdicts = &know.v;
	code = EXIT_FAILURE_;
	if ((code = cli_render_setup(o, &ctx)) != 0)
		goto out;
	code = EXIT_FAILURE_;

	if (o->format == FMT_JSON)
		rc = render_json(stdout, &ctx);
	else if (o->format == FMT_CSV)
		rc = render_csv(stdout, &ctx);
	else if (snap.nsocks)
		rc = render_table(stdout, &ctx);
	if (fflush(stdout) && !rc)
		rc = -errno;
	if (rc) {
		fprintf(stderr, "portsleuth: cannot write output: %s\n", strerror(-rc));
		goto out;
	}
	if (o->format == FMT_TABLE && !o->filter.all_netns)
		(void)pipeline_netns_census(&snap); /* a note on the namespaces not shown */
	if (o->format != FMT_JSON)
		cli_print_notes(&snap);
	code = snap.nsocks ? EXIT_OK : EXIT_NOMATCH;
	if (findings_only && (know.v.count[SEV_WARNING] || know.v.count[SEV_ALERT]))
		code = EXIT_FINDINGS;
out:
	cli_knowledge_free(&know);
	users_free(users);
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
