/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check.c — `portsleuth check --baseline FILE`: do the listeners match what was approved? */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../model/policy.h"
#include "../output/check.h"
#include "../platform/platform.h"
#include "changes.h"
#include "cli.h"
#include "common.h"
#include "msg.h"
#include "pipe.h"

enum { EXIT_VIOLATED = EXIT_FINDINGS };

static const char usage_head[] =
    "Usage: portsleuth check --baseline FILE [OPTIONS] [SNAPSHOT]\n"
    "Check the listeners (now, or those of SNAPSHOT) against a baseline: a snapshot\n"
    "from `portsleuth snapshot`, or a policy of allowed listeners, one per line:\n"
    "  allow tcp 22 exe=/usr/sbin/sshd unit=ssh.service max-exposure=all-interfaces\n"
    "  allow udp 5353 name=avahi-daemon\n"
    "  allow tcp 8000-8100 container=web* max-exposure=private\n"
    "  require tcp 443 unit=nginx.service      (must exist: the missing check)\n"
    "  allow tcp 8080 user-unit=1000/app.service  (a unit of user 1000's manager)\n"
    "Keys: addr=IP exe=GLOB unit=GLOB user-unit=[UID/]GLOB container=GLOB name=GLOB\n"
    "max-exposure=CLASS (loopback < link-local < private < public < all-interfaces);\n"
    "unit= names system units only; exe= also matches the target of a link;\n"
    "'#' starts a comment.\n"
    "A `require` rule is checked on its own, whatever `allow` rules say.\n"
    "Violations: unexpected (no rule allows it), missing (a `require` rule, or every\n"
    "baseline listener with --missing, has no listener), owner (another executable,\n"
    "unit or container, or an owner that could not be seen), exposure (reachable\n"
    "more widely than allowed, such as 127.0.0.1 -> 0.0.0.0).\n";
static const char usage_tail[] =
    "\n"
    "Exit status: 0 clean, 4 violations found, 5 no violation but some listeners\n"
    "could not be verified (their owners are not visible: run as root), 2 usage\n"
    "error or bad baseline (the message names FILE:LINE or the JSON path), 3 failure.\n";

/* The ids of this command's entries in the option table (src/cli/options.c), in this order. */
enum { OPT_BASELINE = 512, OPT_MISSING, OPT_FORMAT };

struct check_opts {
	const char *baseline;
	bool missing, prometheus;
	int format; /* -1: unset, else enum out_format */
};

static int on_extra(int val, const char *arg, void *ctx)
{
	struct check_opts *co = ctx;
	switch (val) {
	case OPT_BASELINE:
		co->baseline = arg;
		return 0;
	case OPT_MISSING:
		co->missing = true;
		return 0;
	default:
		co->prometheus = strcmp(arg, "prometheus") == 0;
		if (strcmp(arg, "table") == 0)
			co->format = FMT_TABLE;
		else if (strcmp(arg, "json") == 0)
			co->format = FMT_JSON;
		else if (!co->prometheus) {
			cli_usage_error("invalid --format", arg, "use table, json or prometheus");
			return EXIT_USAGE;
		}
		return 0;
	}
}

/* The baseline: a policy, or the policy derived from a snapshot. */
struct baseline {
	struct policy pol;
	struct snapfile snap;
	bool is_snapshot;
};

static int load_baseline(const char *path, const struct check_opts *co, const struct ps_filter *f,
			 struct baseline *bl)
{
	char *data;
	size_t len;
	int rc = cli_read_trusted(path, "baseline", CLI_BASELINE_LIMIT, &data,
				  &len); /* it decides what passes */
	if (rc)
		return rc;
	size_t i = 0;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r'))
		i++;
	bl->is_snapshot = i < len && data[i] == '{';
	if (bl->is_snapshot) {
		int code = cli_parse_snapshot(path, data, len, f, &bl->snap);
		free(data);
		if (code)
			return code;
		struct diff_side side = {.snap = &bl->snap.snap, .exposure = bl->snap.exposure};
		rc = policy_from_snapshot(&side, co->missing, &bl->pol);
		return rc ? EXIT_FAILURE_ : 0;
	}
	int code = cli_parse_policy(path, "baseline", data, len, &bl->pol);
	free(data);
	if (code)
		return code;
	if (co->missing)
		policy_require_all(&bl->pol);
	if (policy_resolve_exe(&bl->pol, platform_real_path)) {
		cli_msg("out of memory");
		return EXIT_FAILURE_;
	}
	cli_expired_acks(path, &bl->pol, (int64_t)time(NULL));
	return 0;
}

static int run(struct cli_options *o, const struct check_opts *co)
{
	struct baseline bl = {0};
	struct snapfile target = {0};
	struct ps_snapshot live = {0};
	struct policy_report rep = {0};
	struct diff_side now;
	int code = load_baseline(co->baseline, co, &o->filter, &bl);
	if (code)
		goto done;
	if (o->nargs == 1) {
		if ((code = cli_load_snapshot(o->args[0], &o->filter, &target)))
			goto done;
		now = (struct diff_side){.snap = &target.snap, .exposure = target.exposure};
	} else {
		if ((code = cli_collect(o, PIPE_JUDGE, &live)))
			goto done;
		now = (struct diff_side){.snap = &live};
	}
	code = EXIT_FAILURE_;
	int rc = policy_check(&bl.pol, &now, &rep);
	struct check_baseline cb = {co->baseline, bl.is_snapshot, &bl.pol};
	if (!rc && co->prometheus)
		rc = render_check_prom(stdout, &bl.pol, &rep, &now, (long long)time(NULL));
	else if (!rc && o->format == FMT_JSON)
		rc = render_check_json(stdout, &cb, &rep, &now);
	else if (!rc)
		rc = render_check_text(stdout, &bl.pol, &rep, &now);
	if (!rc && fflush(stdout))
		rc = -errno;
	if (rc) {
		cli_err(rc, "cannot check");
		goto done;
	}
	code = policy_violations(&rep) ? EXIT_VIOLATED : rep.n ? EXIT_UNVERIFIED : EXIT_OK;
done:
	policy_report_free(&rep);
	policy_free(&bl.pol);
	snapfile_free(&bl.snap);
	snapfile_free(&target);
	snap_free(&live);
	return code;
}

int cmd_check(int argc, char **argv)
{
	struct check_opts co = {.format = -1};
	/* -b/--baseline, --missing, --format: the option table's check entries (src/cli/options.c)
	 */
	struct cli_extra extra = {.on_extra = on_extra, .ctx = &co};
	struct cli_options o = {.format = FMT_TABLE};
	int code = cli_parse_options(argc, argv, &o, &extra,
				     cli_sub_usage(CLI_SUB_CHECK, usage_head, usage_tail));
	if (code < 0 && co.format >= 0)
		o.format = co.format;
	if (code < 0 && !co.baseline) {
		cli_usage_error("check needs --baseline FILE", NULL, NULL);
		code = EXIT_USAGE;
	}
	if (code < 0 && o.nargs > 1) {
		cli_usage_error("check takes at most one SNAPSHOT to check", NULL, NULL);
		code = EXIT_USAGE;
	}
	if (code < 0 && o.format == FMT_CSV) {
		cli_usage_error("check has no CSV form; use --json", NULL, NULL);
		code = EXIT_USAGE;
	}
	if (code < 0)
		code = run(&o, &co);
	cli_options_free(&o);
	return code;
}
