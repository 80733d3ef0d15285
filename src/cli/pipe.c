/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pipe.c — the CLI side of the pipeline: open it for the options, report what it could not read. */
#include "pipe.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/trusted.h"
#include "../model/snapload.h"
#include "../platform/platform.h"
#include "../util/escape.h"

#include "cli.h"
#include "msg.h"

void cli_refuse_file(const char *path, const char *why)
{
	cli_msg("refusing %s: %s (%s)", path, why, trusted_rule);
}

int cli_read_trusted(const char *path, const char *what, size_t limit, char **data, size_t *len)
{
	struct buf b = {0};
	const char *why;
	int rc = trusted_read(path, limit, TRUSTED_WAIT, &b, &why);
	if (rc == 0 && !b.data)
		rc = buf_reserve(&b, 1); /* an empty file is an empty string */
	if (rc) {
		buf_free(&b);
		if (rc == -EPERM && why)
			cli_refuse_file(path, why);
		else
			cli_err(rc, "cannot read %s %s", what, path);
		return rc == -ENOMEM ? EXIT_FAILURE_ : EXIT_USAGE;
	}
	*len = b.len;
	*data = b.data;
	return 0;
}

int cli_load_policy(const char *path, struct policy *out)
{
	char *data;
	size_t len;
	int rc = cli_read_trusted(path, "policy", CLI_POLICY_LIMIT, &data, &len);
	if (rc)
		return rc;
	rc = cli_parse_policy(path, "policy", data, len, out);
	free(data);
	return rc;
}

int cli_parse_policy(const char *path, const char *what, const char *data, size_t len,
		     struct policy *out)
{
	struct policy_error err;
	int rc = policy_parse(data, len, out, &err);
	if (rc == -EBADMSG)
		cli_msg("%s:%zu: bad %s: %s", path, err.line, what, err.msg);
	else if (rc)
		cli_err(rc, "cannot load %s %s", what, path);
	return rc == -EBADMSG ? EXIT_USAGE : rc ? EXIT_FAILURE_ : 0;
}

void cli_expired_acks(const char *path, const struct policy *pol, int64_t now)
{
	for (size_t i = 0; i < pol->nacks; i++) {
		const struct policy_ack *a = &pol->acks[i];
		if (now < a->until)
			continue;
		struct buf b = {0};
		if (esc_text(&b, a->code, strlen(a->code)) == 0 && b.data)
			cli_msg("%s:%zu: the acknowledgement of %s expired on %s: its findings "
				"count again",
				path, a->line, b.data, a->until_text);
		buf_free(&b);
	}
}

/* Why a file the registry could not load cannot be read (it only records that it could not):
 * -errno, or -EINVAL when it opens and reads. */
static int read_error(const char *path)
{
	errno = 0;
	FILE *fp = fopen(path, "r");
	if (!fp)
		return errno ? -errno : -EINVAL;
	int rc = fgetc(fp) == EOF && ferror(fp) ? -errno : -EINVAL;
	fclose(fp);
	return rc ? rc : -EINVAL;
}

int cli_pipeline_open(struct cli_options *o, unsigned want,
		      bool (*keep)(const struct ps_snapshot *, const struct ps_socket *,
				   const void *),
		      const void *keep_ctx, struct pipeline *p)
{
	int64_t now = (int64_t)time(NULL);
	if (o->policy_file && (want & PIPE_JUDGE) && !o->acks) {
		if (!(o->acks = calloc(1, sizeof *o->acks))) {
			cli_msg("out of memory");
			return EXIT_FAILURE_;
		}
		int lc = cli_load_policy(o->policy_file, o->acks);
		if (lc)
			return lc;
		cli_expired_acks(o->policy_file, o->acks, now);
		if (policy_resolve_exe(o->acks, platform_real_path)) {
			cli_msg("out of memory");
			return EXIT_FAILURE_;
		}
	}
	struct pipeline_config c = {.filter = &o->filter,
				    .want = want,
				    .ports_file = o->ports_file,
				    .services_file = o->services_file,
				    .keep = keep,
				    .keep_ctx = keep_ctx,
				    .acks = o->acks,
				    .now = now};
	int rc = pipeline_open(p, &c);
	int code = -1;
	if (rc == -ENOMEM) {
		cli_msg("out of memory");
		code = EXIT_FAILURE_;
	} else if (rc == -EPERM && p->reg.refused_path) {
		cli_refuse_file(p->reg.refused_path, p->reg.refused_why);
		code = EXIT_USAGE;
	} else if (rc) {
		cli_err(rc, "cannot read %s", o->ports_file);
		code = EXIT_USAGE;
	} else if ((want & PIPE_JUDGE) && o->services_file && !p->reg.have_etc) {
		cli_err(read_error(o->services_file), "cannot read %s", o->services_file);
		code = EXIT_USAGE;
	}
	for (size_t i = 0; code < 0 && i < p->reg.nwarnings; i++) {
		const struct reg_warning *w = &p->reg.warnings[i];
		if (w->user_file)
			cli_msg("%s:%zu: skipped malformed line (%s)", w->path, w->line, w->why);
		else /* services-format files: a count and the first bad line */
			cli_msg("%s: skipped %zu malformed line%s (first: line %zu)", w->path,
				w->more + 1, w->more ? "s" : "", w->line);
	}
	/* the registry only records a ports file it would not trust; said here, once per command */
	if (code < 0 && p->reg.ignored_path)
		cli_msg("ignoring %s (found through HOME or XDG_CONFIG_HOME): %s",
			p->reg.ignored_path, p->reg.ignored_why);
	if (code >= 0)
		pipeline_close(p);
	return code;
}

int cli_pipeline_run(struct pipeline *p, struct ps_snapshot *snap)
{
	enum pipeline_stage stage = STAGE_COLLECT;
	int rc = pipeline_run(p, snap, &stage);
	if (rc) {
		/* --attribution bpf that could not load: say why, never fall back */
		const struct ps_attr_fallback *fb = snap->attr_fallback;
		if (stage == STAGE_ATTRIBUTE && !snap->attr_method && fb && fb->refused)
			cli_err(rc, "cannot find socket owners with BPF: %s", fb->text);
		else if (stage == STAGE_ATTRIBUTE && !snap->attr_method && fb)
			cli_msg("cannot find socket owners with BPF: %s", fb->text);
		else
			cli_err(rc, "%s", pipeline_stage_text(stage));
		return EXIT_FAILURE_;
	}
	/* why the result is partial (stages that failed without stopping the rest, tables that
	 * kept changing): said whatever the output format */
	for (size_t i = 0; i < snap->nnotes; i++) {
		const char *t = snap->notes[i].stage;
		if (t == snap_settle_noperm || t == snap_settle_details || t == snap_settle_netns ||
		    t == snap_settle_other)
			continue; /* the JSON's; cli_print_notes says them at length */
		char b[256];
		cli_msg("%s.", snap_note_text(&snap->notes[i], b, sizeof b));
	}
	return 0;
}
