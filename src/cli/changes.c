/* SPDX-License-Identifier: GPL-2.0-or-later */
/* changes.c — what diff, watch, check and snapshot share: loading snapshots, collecting, argument
 * spelling. */
#include "changes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "common.h"
#include "msg.h"
#include "pipe.h"

int cli_load_snapshot(const char *path, const struct ps_filter *filter, struct snapfile *f)
{
	char *data;
	size_t len;
	int rc = snapload_read_file(path, &data, &len);
	if (rc) {
		cli_err(rc, "cannot read snapshot %s", path);
		return rc == -ENOMEM ? EXIT_FAILURE_ : EXIT_USAGE;
	}
	rc = cli_parse_snapshot(path, data, len, filter, f);
	free(data);
	return rc;
}

int cli_parse_snapshot(const char *path, const char *data, size_t len,
		       const struct ps_filter *filter, struct snapfile *f)
{
	struct snapload_error err;
	int rc = snapload_parse(data, len, filter, f, &err);
	if (rc == -EBADMSG) {
		if (err.line == 1 && err.column == 1) /* not even JSON: another kind of file */
			cli_msg("%s is not a portsleuth snapshot (it is not JSON); 'portsleuth "
				"snapshot -o FILE' makes one",
				path);
		else if (err.line)
			cli_msg("%s:%zu:%zu: not a valid snapshot: %s", path, err.line, err.column,
				err.msg);
		else if (err.path[0])
			cli_msg("%s: at %s: %s", path, err.path, err.msg);
		else
			cli_msg("%s: %s", path, err.msg);
		return EXIT_USAGE;
	}
	if (rc) {
		cli_err(rc, "cannot load snapshot %s", path);
		return EXIT_FAILURE_;
	}
	if (f->skipped)
		cli_msg("%s: skipped %zu socket%s of protocols this version does not compare", path,
			f->skipped, f->skipped == 1 ? "" : "s");
	return 0;
}

bool cli_color_for(FILE *fp, int mode)
{
	if (mode != COLOR_AUTO)
		return mode == COLOR_ALWAYS;
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
	if ((nc && *nc) || (term && strcmp(term, "dumb") == 0))
		return false;
	return isatty(fileno(fp));
}

int cli_collect(struct cli_options *o, unsigned want, struct ps_snapshot *snap)
{
	struct pipeline pipe;
	int code = cli_pipeline_open(o, want, NULL, NULL, &pipe);
	if (code >= 0)
		return code;
	code = cli_pipeline_run(&pipe, snap);
	pipeline_close(&pipe);
	return code;
}
