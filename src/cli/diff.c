/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diff.c — `portsleuth diff BEFORE [AFTER]`: what appeared, disappeared or changed between two
 * states. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../model/diff.h"
#include "../output/changes.h"
#include "changes.h"
#include "cli.h"
#include "common.h"
#include "msg.h"
#include "pipe.h"

static const char usage_head[] =
    "Usage: portsleuth diff [OPTIONS] BEFORE [AFTER]\n"
    "Compare a snapshot (from `portsleuth snapshot`) with another one, or with the\n"
    "current state when AFTER is not given. A socket is identified by its network\n"
    "namespace, protocol, local address and port (and remote end for connections).\n"
    "Changes: new, closed, owner-changed (another executable, unit or container),\n"
    "exposure-changed (re-bound to an address reachable more or less widely, such as\n"
    "127.0.0.1 -> 0.0.0.0, or the firewall moved the scope), firewall-changed (the\n"
    "firewall's verdict: all, some sources (which), none, unknown, not-read),\n"
    "address-changed, state-changed. Exposure and firewall changes say whether the\n"
    "port is now reachable wider or narrower.\n";
static const char usage_tail[] =
    "\n"
    "Exit status: 0 no change, 1 changes found, 2 usage error or unreadable snapshot,\n"
    "3 failure.\n";

static int run(struct cli_options *o)
{
	struct snapfile before = {0}, after = {0};
	struct ps_snapshot live = {0};
	struct diff_result r = {0};
	int code;
	if ((code = cli_load_snapshot(o->args[0], &o->filter, &before)))
		goto done;
	struct diff_side a = {.snap = &before.snap, .exposure = before.exposure, .fw = before.fw},
			 b;
	if (o->nargs == 2) {
		if ((code = cli_load_snapshot(o->args[1], &o->filter, &after)))
			goto done;
		b = (struct diff_side){
		    .snap = &after.snap, .exposure = after.exposure, .fw = after.fw};
	} else {
		if ((code = cli_collect(o, PIPE_JUDGE, &live)))
			goto done;
		b = (struct diff_side){.snap = &live};
	}
	code = EXIT_FAILURE_;
	int rc = diff_compute(&a, &b, &r);
	struct diff_origin oa = {o->args[0], before.host, before.boot_id, before.time};
	struct diff_origin ob = {o->nargs == 2 ? o->args[1] : NULL, after.host, after.boot_id,
				 after.time};
	if (!rc)
		rc = o->format == FMT_JSON
			 ? render_diff_json(stdout, &r, &a, &b, &oa, o->nargs == 2 ? &ob : NULL)
			 : render_diff_text(stdout, &r, &a, &b, cli_color_for(stdout, o->color));
	if (!rc && fflush(stdout))
		rc = -errno;
	if (rc) {
		cli_err(rc, "cannot compare");
		goto done;
	}
	code = r.n || r.nfwd_new || r.nfwd_gone ? 1 : EXIT_OK;
done:
	diff_free(&r);
	snapfile_free(&before);
	snapfile_free(&after);
	snap_free(&live);
	return code;
}

int cmd_diff(int argc, char **argv)
{
	struct cli_extra extra = {.positional_ports = false};
	struct cli_options o = {.format = FMT_TABLE};
	int code = cli_parse_options(argc, argv, &o, &extra,
				     cli_sub_usage(CLI_SUB_DIFF, usage_head, usage_tail));
	if (code < 0 && (o.nargs < 1 || o.nargs > 2)) {
		cli_usage_error(o.nargs
				    ? "too many snapshots: diff takes BEFORE [AFTER]"
				    : "diff needs a snapshot file: portsleuth diff BEFORE [AFTER]",
				NULL, NULL);
		code = EXIT_USAGE;
	}
	if (code < 0 && o.format == FMT_CSV) {
		cli_usage_error("diff has no CSV form; use --json", NULL, NULL);
		code = EXIT_USAGE;
	}
	if (code < 0)
		code = run(&o);
	cli_options_free(&o);
	return code;
}
