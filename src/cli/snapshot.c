/* SPDX-License-Identifier: GPL-2.0-or-later */
/* snapshot.c — `portsleuth snapshot`: the current state as a JSON document (or Prometheus metrics).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../output/prom.h"
#include "../platform/platform.h"
#include "../util/timefmt.h"
#include "changes.h"
#include "cli.h"
#include "common.h"
#include "msg.h"
#include "pipe.h"

static const char usage_head[] =
    "Usage: portsleuth snapshot [OPTIONS] [PORT]...\n"
    "Save the current state: the --json document plus \"host\", \"boot_id\" and \"time\",\n"
    "for `portsleuth diff` and `portsleuth check --baseline`.\n";
static const char usage_tail[] = "\n"
				 "Exit status: 0 written, 2 usage error, 3 failure.\n";

/* The ids of this command's entries in the option table (src/cli/options.c), in this order. */
enum { OPT_OUTPUT = 512, OPT_FORMAT, OPT_MODE };

struct snap_opts {
	const char *output;
	unsigned mode;
	bool prometheus;
};

static int on_extra(int val, const char *arg, void *ctx)
{
	struct snap_opts *so = ctx;
	if (val == OPT_OUTPUT) {
		so->output = arg;
		return 0;
	}
	if (val == OPT_MODE)
		return cli_parse_mode(arg, &so->mode);
	if (strcmp(arg, "json") == 0)
		so->prometheus = false;
	else if (strcmp(arg, "prometheus") == 0)
		so->prometheus = true;
	else {
		cli_usage_error("invalid --format", arg, "use json or prometheus");
		return EXIT_USAGE;
	}
	return 0;
}

/* Render the JSON document into memory (render_json writes a stream). */
static int json_snapshot(struct buf *b, const struct render_ctx *ctx)
{
	char *mem = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&mem, &len);
	if (!fp)
		return -errno;
	int rc = render_json(fp, ctx);
	if (fclose(fp) && !rc)
		rc = -EIO;
	if (!rc)
		rc = buf_append(b, mem, len);
	free(mem);
	return rc;
}

static int run(struct cli_options *o, const struct snap_opts *so)
{
	struct ps_snapshot snap = {0};
	struct buf out = {0};
	char host[256] = "", when[40];
	char *boot = NULL;
	int code = cli_collect(o, PIPE_JUDGE | PIPE_USERS, &snap);
	if (code)
		goto done;
	code = EXIT_FAILURE_;
	if (gethostname(host, sizeof host - 1))
		host[0] = '\0';
	platform_boot_id(&boot);
	time_now_utc(when, sizeof when, false);
	struct json_header h = {.host = host[0] ? host : NULL, .boot_id = boot, .time = when};
	struct render_ctx ctx = {.snap = &snap, .header = &h};
	int rc = so->prometheus ? prom_snapshot(&out, &snap, (long long)time(NULL))
				: json_snapshot(&out, &ctx);
	if (rc) {
		cli_err(rc, "cannot build the snapshot");
		goto done;
	}
	if (so->output && strcmp(so->output, "-") != 0) {
		const char *why;
		rc = cli_write_file(so->output, so->mode, &out, &why);
		if (rc) {
			cli_file_error(so->output, rc, why);
			goto done;
		}
	} else if ((out.len && fwrite(out.data, 1, out.len, stdout) != out.len) || fflush(stdout)) {
		cli_err(-errno, "cannot write output");
		goto done;
	}
	code = EXIT_OK;
done:
	buf_free(&out);
	free(boot);
	snap_free(&snap);
	return code;
}

int cmd_snapshot(int argc, char **argv)
{
	struct snap_opts so = {.mode = 0600};
	/* --output, --format, --mode: the option table's snapshot entries (src/cli/options.c) */
	struct cli_extra extra = {.on_extra = on_extra, .ctx = &so, .positional_ports = true};
	struct cli_options o = {.format = FMT_JSON};
	int code = cli_parse_options(argc, argv, &o, &extra,
				     cli_sub_usage(CLI_SUB_SNAPSHOT, usage_head, usage_tail));
	if (code < 0 && o.format == FMT_CSV) {
		cli_usage_error("snapshot writes JSON or Prometheus metrics; --csv", NULL,
				"not supported here");
		code = EXIT_USAGE;
	}
	if (code < 0)
		code = run(&o, &so);
	cli_options_free(&o);
	return code;
}
