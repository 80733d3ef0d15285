/* snapshot.c — `portsleuth snapshot`: the current state as a JSON document (or Prometheus metrics). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../output/prom.h"
#include "../util/timefmt.h"
#include "../platform/platform.h"
#include "changes.h"
#include "pipe.h"
#include "msg.h"
#include "cli.h"
#include "common.h"

static const char usage[] =
	"Usage: portsleuth snapshot [OPTIONS] [PORT]...\n"
	"Save the current state: the --json document plus \"host\", \"boot_id\" and \"time\",\n"
	"for `portsleuth diff` and `portsleuth check --baseline`.\n"
	"\n"
	"  -o, --output FILE      write to FILE (atomically: a temporary file renamed)\n"
	"                         instead of standard output\n"
	"      --format FMT       json (default) or prometheus (node_exporter textfile\n"
	"                         collector: listeners by protocol and exposure)\n"
	"  -a, -t, -u, -4, -6, -p, -c, --user, --state, PORT   which sockets, as in\n"
	"                         `portsleuth --help` (default: listening ones)\n"
	"  -h, --help             this help\n"
	"\n"
	"Exit status: 0 written, 2 usage error, 3 failure.\n";

enum { OPT_OUTPUT = 512, OPT_FORMAT };

struct snap_opts {
	const char *output;
	bool prometheus;
};

static int on_extra(int val, const char *arg, void *ctx)
{
	struct snap_opts *so = ctx;
	if (val == OPT_OUTPUT) {
		so->output = arg;
		return 0;
	}
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

/* Write the whole of b to `path` through a temporary file and rename(). 0 or -errno. */
static int write_atomic(const char *path, const struct buf *b)
{
	struct buf tmp = {0};
	if (buf_printf(&tmp, "%s.tmp.%ld", path, (long)getpid()))
		return -ENOMEM;
	FILE *fp = fopen(tmp.data, "we");
	int rc = fp ? 0 : -errno;
	if (!rc && b->len && fwrite(b->data, 1, b->len, fp) != b->len)
		rc = -errno ? -errno : -EIO;
	if (fp && fclose(fp) && !rc)
		rc = -errno;
	if (!rc && rename(tmp.data, path))
		rc = -errno;
	if (rc && fp)
		unlink(tmp.data);
	buf_free(&tmp);
	return rc;
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
	int rc = so->prometheus ? prom_snapshot(&out, &snap, (long long)time(NULL)) : json_snapshot(&out, &ctx);
	if (rc) {
		cli_err(rc, "cannot build the snapshot");
		goto done;
	}
	if (so->output && strcmp(so->output, "-") != 0) {
		rc = write_atomic(so->output, &out);
		if (rc) {
			cli_err(rc, "cannot write %s", so->output);
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
	static const struct option longopts[] = {
		{"output", required_argument, NULL, OPT_OUTPUT},
		{"format", required_argument, NULL, OPT_FORMAT},
		{NULL, 0, NULL, 0},
	};
	struct snap_opts so = {0};
	struct cli_extra extra = {.longopts = longopts, .on_extra = on_extra, .ctx = &so, .positional_ports = true};
	struct cli_options o = {.format = FMT_JSON};
	char **av = cli_argv_output(argc, argv);
	if (!av)
		return EXIT_FAILURE_;
	int code = cli_parse_options(argc, av, &o, &extra, usage);
	if (code < 0 && o.format == FMT_CSV) {
		cli_usage_error("snapshot writes JSON or Prometheus metrics; --csv", NULL, "not supported here");
		code = EXIT_USAGE;
	}
	if (code < 0)
		code = run(&o, &so);
	cli_options_free(&o);
	cli_argv_free(argc, av);
	return code;
}
