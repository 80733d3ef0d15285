/* diff.c — `portsleuth diff BEFORE [AFTER]`: what appeared, disappeared or changed between two states. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../model/diff.h"
#include "../util/escape.h"
#include "changes.h"
#include "cli.h"
#include "common.h"

static const char usage[] =
	"Usage: portsleuth diff [OPTIONS] BEFORE [AFTER]\n"
	"Compare a snapshot (from `portsleuth snapshot`) with another one, or with the\n"
	"current state when AFTER is not given. A socket is identified by its network\n"
	"namespace, protocol, local address and port (and remote end for connections).\n"
	"Changes: new, closed, owner-changed (another executable, unit or container),\n"
	"exposure-changed (re-bound to an address reachable more or less widely, such as\n"
	"127.0.0.1 -> 0.0.0.0), address-changed, state-changed.\n"
	"\n"
	"      --json             one JSON document with every change\n"
	"      --color WHEN       auto, always or never (colour only on a terminal)\n"
	"  -a, -t, -u, -4, -6, -p, -c, --user, --state   which sockets to compare, as in\n"
	"                         `portsleuth --help` (default: listening ones)\n"
	"  -h, --help             this help\n"
	"\n"
	"Exit status: 0 no change, 1 changes found, 2 usage error or unreadable snapshot,\n"
	"3 failure.\n";

static int meta_json(struct buf *b, const char *file, const struct snapfile *f)
{
	int rc = buf_puts(b, "{\"file\":");
	if (!rc)
		rc = json_string(b, file);
	if (!rc)
		rc = buf_puts(b, ",\"host\":");
	if (!rc)
		rc = json_string(b, f ? f->host : NULL);
	if (!rc)
		rc = buf_puts(b, ",\"boot_id\":");
	if (!rc)
		rc = json_string(b, f ? f->boot_id : NULL);
	if (!rc)
		rc = buf_puts(b, ",\"time\":");
	if (!rc)
		rc = json_string(b, f ? f->time : NULL);
	return rc ? rc : buf_putc(b, '}');
}

static int render(const struct cli_options *o, const struct diff_result *r, const struct diff_side *a,
		  const struct diff_side *b, const char *fa, const struct snapfile *sa, const char *fb,
		  const struct snapfile *sb)
{
	struct buf out = {0};
	int rc = 0;
	if (o->format == FMT_JSON) {
		rc = buf_puts(&out, "{\"schema\":1,\"before\":");
		if (!rc)
			rc = meta_json(&out, fa, sa);
		if (!rc)
			rc = buf_puts(&out, ",\"after\":");
		if (!rc)
			rc = meta_json(&out, fb, sb);
		if (!rc)
			rc = buf_puts(&out, ",\"changes\":[");
		for (size_t i = 0; i < r->n && !rc; i++) {
			rc = buf_puts(&out, i ? ",\n{" : "\n{");
			if (!rc)
				rc = change_json(&out, &r->v[i], a, b);
			if (!rc)
				rc = buf_putc(&out, '}');
		}
		if (!rc)
			rc = buf_puts(&out, "\n],\"summary\":{");
		for (unsigned k = 0; k < DIFF__COUNT && !rc; k++)
			rc = buf_printf(&out, "%s\"%s\":%zu", k ? "," : "", diff_kind_name(k), r->count[k]);
		if (!rc)
			rc = buf_puts(&out, "}}\n");
	} else {
		bool color = cli_color_for(stdout, o->color);
		for (size_t i = 0; i < r->n && !rc; i++) {
			rc = change_text(&out, &r->v[i], a, b, color);
			if (!rc)
				rc = buf_putc(&out, '\n');
		}
		if (!rc && !r->n)
			rc = buf_puts(&out, "no changes\n");
		else if (!rc) {
			rc = buf_printf(&out, "%zu change%s:", r->n, r->n == 1 ? "" : "s");
			const char *sep = " ";
			for (unsigned k = 0; k < DIFF__COUNT && !rc; k++) {
				if (!r->count[k])
					continue;
				rc = buf_printf(&out, "%s%zu %s", sep, r->count[k], diff_kind_name(k));
				sep = ", ";
			}
			if (!rc)
				rc = buf_putc(&out, '\n');
		}
	}
	if (!rc && out.len && fwrite(out.data, 1, out.len, stdout) != out.len)
		rc = -EIO;
	if (!rc && fflush(stdout))
		rc = -errno;
	buf_free(&out);
	return rc;
}

static int run(struct cli_options *o)
{
	struct snapfile before = {0}, after = {0};
	struct ps_snapshot live = {0};
	struct diff_result r = {0};
	int code;
	if ((code = cli_load_snapshot(o->args[0], &o->filter, &before)))
		goto done;
	struct diff_side a = {.snap = &before.snap, .exposure = before.exposure}, b;
	if (o->nargs == 2) {
		if ((code = cli_load_snapshot(o->args[1], &o->filter, &after)))
			goto done;
		b = (struct diff_side){.snap = &after.snap, .exposure = after.exposure};
	} else {
		if ((code = cli_collect(o, 0, &live)))
			goto done;
		b = (struct diff_side){.snap = &live};
	}
	code = EXIT_FAILURE_;
	int rc = diff_compute(&a, &b, &r);
	if (!rc)
		rc = render(o, &r, &a, &b, o->args[0], &before, o->nargs == 2 ? o->args[1] : NULL,
			    o->nargs == 2 ? &after : NULL);
	if (rc) {
		fprintf(stderr, "portsleuth: cannot compare: %s\n", strerror(-rc));
		goto done;
	}
	code = r.n ? 1 : EXIT_OK;
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
	int code = cli_parse_options(argc, argv, &o, &extra, usage);
	if (code < 0 && (o.nargs < 1 || o.nargs > 2)) {
		cli_usage_error(o.nargs ? "too many snapshots: diff takes BEFORE [AFTER]"
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
