/* list.c — the default command: the port table (or JSON/CSV) for the user's query. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../core/pipeline.h"
#include "../enrich/services.h"
#include "../enrich/users.h"
#include "cli.h"
#include "common.h"

static int run(struct cli_options *o)
{
	struct ps_snapshot snap = {0};
	struct services svc = {0};
	struct users *users = users_new();
	int code = EXIT_FAILURE_;
	enum pipeline_stage stage;
	int rc = pipeline_run(&o->filter, &snap, &stage);
	if (rc) {
		fprintf(stderr, "portsleuth: %s: %s\n", pipeline_stage_text(stage), strerror(-rc));
		goto out;
	}

	struct render_ctx ctx = {.snap = &snap, .users = users};
	bool need_names = !o->numeric && o->format != FMT_JSON;
	if (need_names) {
		const char *path = o->services_file ? o->services_file : "/etc/services";
		rc = services_load(&svc, path);
		if (rc && o->services_file) {
			fprintf(stderr, "portsleuth: cannot read %s: %s\n", path, strerror(-rc));
			code = EXIT_USAGE;
			goto out;
		}
		if (svc.malformed)
			fprintf(stderr, "portsleuth: %s: skipped %zu malformed line%s (first: line %zu)\n",
				path, svc.malformed, svc.malformed == 1 ? "" : "s", svc.first_bad_line);
		ctx.svc = &svc;
	}
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
	if (o->format != FMT_JSON)
		cli_print_notes(&snap);
	code = snap.nsocks ? EXIT_OK : EXIT_NOMATCH;
out:
	services_free(&svc);
	users_free(users);
	snap_free(&snap);
	return code;
}

int cmd_list(int argc, char **argv)
{
	struct cli_options o = {.format = FMT_TABLE};
	int code = cli_parse_options(argc, argv, &o, NULL, cli_usage_text);
	if (code < 0)
		code = run(&o);
	cli_options_free(&o);
	return code;
}
