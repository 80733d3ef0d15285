/* changes.c — how diff and watch show a change, as a text line or a JSON object. */
#include "changes.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "../core/pipeline.h"
#include "../enrich/exposure.h"
#include "../util/escape.h"
#include "cli.h"
#include "common.h"

int json_string(struct buf *out, const char *s)
{
	if (!s)
		return buf_puts(out, "null");
	int rc = buf_putc(out, '"');
	if (!rc)
		rc = esc_json(out, s, strlen(s));
	return rc ? rc : buf_putc(out, '"');
}

int endpoint_text(struct buf *out, const struct ps_endpoint *e)
{
	char a[64];
	addr_format(&e->addr, a, sizeof a);
	return e->addr.family == PS_INET6 ? buf_printf(out, "[%s]:%u", a, e->port)
					  : buf_printf(out, "%s:%u", a, e->port);
}

static int text_field(struct buf *out, const char *prefix, const char *s)
{
	if (!s)
		return 0;
	int rc = buf_puts(out, prefix);
	return rc ? rc : esc_text(out, s, strlen(s));
}

int owner_text(struct buf *out, const struct ps_snapshot *s, size_t i)
{
	const struct ps_socket *k = &s->socks[i];
	if (!k->owner_count)
		return buf_printf(out, "(%s)", k->owner_status == PS_OWN_OK ? "no owner"
									   : owner_status_name(k->owner_status));
	const struct ps_owner *o = snap_owner(s, k, 0);
	const struct ps_proc *p = &s->procs[o->proc];
	int rc = p->name ? esc_text(out, p->name, strlen(p->name)) : buf_putc(out, '?');
	if (!rc)
		rc = buf_printf(out, "[%d]", p->pid);
	if (!rc)
		rc = text_field(out, " ", p->exe);
	if (!rc)
		rc = text_field(out, " unit=", p->unit);
	if (!rc)
		rc = text_field(out, " container=", p->container_name ? p->container_name : p->container);
	if (!rc && k->owner_count > 1)
		rc = buf_printf(out, " (+%" PRIu32 " more)", k->owner_count - 1);
	return rc;
}

int change_text(struct buf *out, const struct diff_change *c, const struct diff_side *a,
		const struct diff_side *b, bool color)
{
	const char *col = c->kind == DIFF_NEW ? "\033[32m" : c->kind == DIFF_CLOSED ? "\033[31m" : "\033[33m";
	const struct ps_snapshot *sa = a ? a->snap : NULL, *sb = b ? b->snap : NULL;
	const struct ps_socket *kb = c->before >= 0 ? &sa->socks[c->before] : NULL;
	const struct ps_socket *ka = c->after >= 0 ? &sb->socks[c->after] : NULL;
	const struct ps_socket *k = ka ? ka : kb;
	int rc = buf_printf(out, "%s%-16s%s %s ", color ? col : "", diff_kind_name(c->kind), color ? "\033[0m" : "",
			    proto_name(k->proto));
	if (!rc)
		rc = endpoint_text(out, &k->local);
	if (!rc && (k->remote.port || !addr_is_any(&k->remote.addr))) {
		rc = buf_puts(out, " -> ");
		if (!rc)
			rc = endpoint_text(out, &k->remote);
	}
	if (rc)
		return rc;
	switch (c->kind) {
	case DIFF_NEW:
	case DIFF_CLOSED:
		rc = buf_printf(out, " %s %s ", state_name(k->proto, k->state),
				exposure_name(ka ? c->exp_after : c->exp_before));
		if (!rc)
			rc = owner_text(out, ka ? sb : sa, (size_t)(ka ? c->after : c->before));
		break;
	case DIFF_OWNER:
		rc = buf_puts(out, " ");
		if (!rc)
			rc = owner_text(out, sa, (size_t)c->before);
		if (!rc)
			rc = buf_puts(out, " => ");
		if (!rc)
			rc = owner_text(out, sb, (size_t)c->after);
		break;
	case DIFF_EXPOSURE:
	case DIFF_ADDRESS:
		rc = buf_puts(out, " was ");
		if (!rc)
			rc = endpoint_text(out, &kb->local);
		if (!rc)
			rc = buf_printf(out, " %s => %s", exposure_name(c->exp_before), exposure_name(c->exp_after));
		break;
	case DIFF_STATE:
		rc = buf_printf(out, " %s => %s", state_name(kb->proto, kb->state), state_name(ka->proto, ka->state));
		break;
	}
	return rc;
}

static int jendpoint(struct buf *out, const char *key, const struct ps_endpoint *e)
{
	char a[64];
	addr_format(&e->addr, a, sizeof a);
	return buf_printf(out, "\"%s\":{\"addr\":\"%s\",\"port\":%u}", key, a, e->port);
}

int change_side_json(struct buf *out, const struct diff_side *side, long i, uint8_t exposure, uint32_t nsocks)
{
	if (i < 0)
		return buf_puts(out, "null");
	const struct ps_snapshot *s = side->snap;
	const struct ps_socket *k = &s->socks[i];
	int rc = buf_putc(out, '{');
	if (!rc)
		rc = jendpoint(out, "local", &k->local);
	if (!rc)
		rc = buf_printf(out, ",\"state\":\"%s\",\"exposure\":\"%s\",\"sockets\":%" PRIu32
				     ",\"owner_status\":\"%s\",\"owners\":[",
				state_name(k->proto, k->state), exposure_name(exposure), nsocks,
				owner_status_name(k->owner_status));
	for (size_t j = 0; j < k->owner_count && !rc; j++) {
		const struct ps_owner *o = snap_owner(s, k, j);
		const struct ps_proc *p = &s->procs[o->proc];
		rc = buf_printf(out, "%s{\"pid\":%d,\"name\":", j ? "," : "", p->pid);
		if (!rc)
			rc = json_string(out, p->name);
		if (!rc)
			rc = buf_puts(out, ",\"exe\":");
		if (!rc)
			rc = json_string(out, p->exe);
		if (!rc)
			rc = buf_puts(out, ",\"unit\":");
		if (!rc)
			rc = json_string(out, p->unit);
		if (!rc)
			rc = buf_puts(out, ",\"container\":");
		if (!rc)
			rc = json_string(out, p->container);
		if (!rc)
			rc = buf_puts(out, ",\"container_name\":");
		if (!rc)
			rc = json_string(out, p->container_name);
		if (!rc)
			rc = buf_putc(out, '}');
	}
	return rc ? rc : buf_puts(out, "]}");
}

int change_json(struct buf *out, const struct diff_change *c, const struct diff_side *a,
		const struct diff_side *b)
{
	const struct ps_socket *k = c->after >= 0 ? &b->snap->socks[c->after] : &a->snap->socks[c->before];
	int rc = buf_printf(out, "\"kind\":\"%s\",\"proto\":\"%s\",\"family\":\"%s\",\"netns\":%" PRIu64 ",",
			    diff_kind_name(c->kind), proto_name(k->proto),
			    k->local.addr.family == PS_INET6 ? "inet6" : "inet", k->netns);
	if (!rc)
		rc = jendpoint(out, "local", &k->local);
	if (!rc)
		rc = buf_putc(out, ',');
	if (!rc)
		rc = jendpoint(out, "remote", &k->remote);
	if (!rc)
		rc = buf_puts(out, ",\"before\":");
	if (!rc)
		rc = change_side_json(out, a, c->before, c->exp_before, c->nbefore);
	if (!rc)
		rc = buf_puts(out, ",\"after\":");
	if (!rc)
		rc = change_side_json(out, b, c->after, c->exp_after, c->nafter);
	return rc;
}

int cli_load_snapshot(const char *path, const struct ps_filter *filter, struct snapfile *f)
{
	char *data;
	size_t len;
	int rc = snapload_read_file(path, &data, &len);
	if (rc) {
		cli_errorf("cannot read snapshot %s: %s", path, strerror(-rc));
		return rc == -ENOMEM ? EXIT_FAILURE_ : EXIT_USAGE;
	}
	struct snapload_error err;
	rc = snapload_parse(data, len, filter, f, &err);
	free(data);
	if (rc == -EBADMSG) {
		if (err.line)
			cli_errorf("%s:%zu:%zu: not a valid snapshot: %s", path, err.line, err.column, err.msg);
		else if (err.path[0])
			cli_errorf("%s: at %s: %s", path, err.path, err.msg);
		else
			cli_errorf("%s: %s", path, err.msg);
		return EXIT_USAGE;
	}
	if (rc) {
		cli_errorf("cannot load snapshot %s: %s", path, strerror(-rc));
		return EXIT_FAILURE_;
	}
	if (f->skipped)
		cli_errorf("%s: skipped %zu socket%s of protocols this version does not compare", path, f->skipped,
			   f->skipped == 1 ? "" : "s");
	return 0;
}

void time_utc(char *out, size_t outlen, bool ms)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	struct tm tm;
	time_t t = tv.tv_sec;
	gmtime_r(&t, &tm);
	char base[32];
	strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
	if (ms)
		snprintf(out, outlen, "%s.%03dZ", base, (int)(tv.tv_usec / 1000));
	else
		snprintf(out, outlen, "%sZ", base);
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

int cli_collect(const struct ps_filter *filter, struct ps_snapshot *snap)
{
	enum pipeline_stage stage;
	int rc = pipeline_run(filter, snap, &stage);
	if (rc) {
		fprintf(stderr, "portsleuth: %s: %s\n", pipeline_stage_text(stage), strerror(-rc));
		return EXIT_FAILURE_;
	}
	return 0;
}

/* Options of cli_parse_options that take a separate value (so "-p -o" keeps its value). */
static bool takes_value(const char *a)
{
	static const char *const v[] = {"-p", "-c", "--pid", "--command", "--user", "--state", "--color",
					 "--colour", "--services", "--output", "--format", "--baseline",
					 "--interval", "--count", "--duration", "--log"};
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
		if (strcmp(a, v[i]) == 0)
			return true;
	return false;
}

char **cli_argv_output(int argc, char **argv)
{
	char **av = calloc((size_t)argc + 1, sizeof *av);
	if (!av)
		return NULL;
	bool rest = false;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		struct buf b = {0};
		int rc;
		if (i == 0 || rest || a[0] != '-' || a[1] != 'o')
			rc = buf_puts(&b, a);
		else if (a[2] == '\0')
			rc = buf_puts(&b, "--output");
		else
			rc = buf_printf(&b, "--output=%s", a + 2);
		if (strcmp(a, "--") == 0)
			rest = true;
		if (rc || !(av[i] = buf_steal(&b))) {
			buf_free(&b);
			cli_argv_free(argc, av);
			return NULL;
		}
		if (!rest && i > 0 && takes_value(a) && i + 1 < argc) {
			if (!(av[i + 1] = strdup(argv[i + 1]))) {
				cli_argv_free(argc, av);
				return NULL;
			}
			i++;
		}
	}
	return av;
}

void cli_argv_free(int argc, char **av)
{
	if (!av)
		return;
	for (int i = 0; i < argc; i++)
		free(av[i]);
	free(av);
}
