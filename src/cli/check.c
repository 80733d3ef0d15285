/* check.c — `portsleuth check --baseline FILE`: do the listeners match what was approved? */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../enrich/exposure.h"
#include "../model/policy.h"
#include "../output/prom.h"
#include "../util/escape.h"
#include "changes.h"
#include "cli.h"
#include "common.h"

enum { EXIT_VIOLATED = 4 };

static const char usage[] =
	"Usage: portsleuth check --baseline FILE [OPTIONS] [SNAPSHOT]\n"
	"Check the listeners (now, or those of SNAPSHOT) against a baseline: a snapshot\n"
	"from `portsleuth snapshot`, or a policy of allowed listeners, one per line:\n"
	"  allow tcp 22 exe=/usr/sbin/sshd unit=ssh.service max-exposure=all-interfaces\n"
	"  allow udp 5353 name=avahi-daemon\n"
	"  allow tcp 8000-8100 container=web* max-exposure=private\n"
	"  require tcp 443 unit=nginx.service      (must exist: the missing check)\n"
	"Keys: addr=IP exe=GLOB unit=GLOB container=GLOB name=GLOB max-exposure=CLASS\n"
	"(loopback < link-local < private < public < all-interfaces); '#' comments.\n"
	"Violations: unexpected (no rule allows it), missing (a `require` rule, or every\n"
	"baseline listener with --missing, has no listener), owner (another executable,\n"
	"unit or container, or an owner that could not be seen), exposure (reachable\n"
	"more widely than allowed, such as 127.0.0.1 -> 0.0.0.0).\n"
	"\n"
	"  -b, --baseline FILE    the snapshot or policy to check against (required)\n"
	"      --missing          also report every baseline listener that is gone\n"
	"      --json             a JSON report\n"
	"      --format FMT       table (default), json or prometheus (node_exporter\n"
	"                         textfile collector: violations by kind, listeners)\n"
	"  -a, -t, -u, -4, -6, -p, -c, --user, --state   which sockets to check, as in\n"
	"                         `portsleuth --help` (default: listening ones)\n"
	"  -h, --help             this help\n"
	"\n"
	"Exit status: 0 clean, 4 violations found, 2 usage error or bad baseline (the\n"
	"message names FILE:LINE or the JSON path), 3 failure.\n";

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
	int rc = snapload_read_file(path, &data, &len);
	if (rc) {
		cli_errorf("cannot read baseline %s: %s", path, strerror(-rc));
		return rc == -ENOMEM ? EXIT_FAILURE_ : EXIT_USAGE;
	}
	size_t i = 0;
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r'))
		i++;
	bl->is_snapshot = i < len && data[i] == '{';
	if (bl->is_snapshot) {
		free(data);
		int code = cli_load_snapshot(path, f, &bl->snap);
		if (code)
			return code;
		struct diff_side side = {.snap = &bl->snap.snap, .exposure = bl->snap.exposure};
		rc = policy_from_snapshot(&side, co->missing, &bl->pol);
		return rc ? EXIT_FAILURE_ : 0;
	}
	struct policy_error err;
	rc = policy_parse(data + i, len - i, &bl->pol, &err);
	if (rc == -EBADMSG) {
		/* line numbers count from the file's start, not from the skipped blank lines */
		size_t skipped_lines = 0;
		for (size_t j = 0; j < i; j++)
			skipped_lines += data[j] == '\n';
		cli_errorf("%s:%zu: bad baseline: %s", path, err.line + skipped_lines, err.msg);
	} else if (rc) {
		cli_errorf("cannot load baseline %s: %s", path, strerror(-rc));
	}
	free(data);
	if (!rc && co->missing)
		policy_require_all(&bl->pol);
	return rc == -EBADMSG ? EXIT_USAGE : rc ? EXIT_FAILURE_ : 0;
}

static int ports_text(struct buf *b, const struct policy_rule *r)
{
	const char *proto = r->protos == (1u << PS_TCP) ? "tcp" : r->protos == (1u << PS_UDP) ? "udp" : "any";
	if (r->lo == 0 && r->hi == 65535)
		return buf_printf(b, "%s *", proto);
	return r->lo == r->hi ? buf_printf(b, "%s %u", proto, r->lo) : buf_printf(b, "%s %u-%u", proto, r->lo, r->hi);
}

/* The rule as the user wrote it (or as derived from the snapshot), escaped for a terminal. */
static int rule_text(struct buf *b, const struct policy_rule *r)
{
	int rc = buf_puts(b, r->require ? "require " : "allow ");
	if (!rc)
		rc = ports_text(b, r);
	if (!rc && r->has_addr) {
		char a[64];
		rc = buf_printf(b, " addr=%s", addr_format(&r->addr, a, sizeof a));
	}
	const char *keys[] = {"exe", "unit", "container", "name"};
	const char *vals[] = {r->exe, r->unit, r->container, r->name};
	for (size_t i = 0; i < 4 && !rc; i++)
		if (vals[i]) {
			rc = buf_printf(b, " %s=", keys[i]);
			if (!rc)
				rc = esc_text(b, vals[i], strlen(vals[i]));
		}
	if (!rc && r->max_exposure >= 0)
		rc = buf_printf(b, " max-exposure=%s", exposure_name((enum ps_exposure)r->max_exposure));
	return rc;
}

static int where_text(struct buf *b, const struct policy_rule *r)
{
	return r->line ? buf_printf(b, "line %zu", r->line) : buf_printf(b, "baseline socket %ld", r->sock);
}

static int violation_text(struct buf *b, const struct policy_violation *v, const struct policy *p,
			  const struct diff_side *now)
{
	const struct policy_rule *r = v->rule >= 0 ? &p->rules[v->rule] : NULL;
	int rc = buf_printf(b, "%-11s ", policy_kind_name(v->kind));
	if (rc)
		return rc;
	if (v->kind == POL_MISSING) {
		rc = ports_text(b, r);
		if (!rc)
			rc = buf_puts(b, ": nothing listens; required by ");
		if (!rc)
			rc = where_text(b, r);
		if (!rc)
			rc = buf_puts(b, " (");
		if (!rc)
			rc = rule_text(b, r);
		return rc ? rc : buf_putc(b, ')');
	}
	const struct ps_socket *k = &now->snap->socks[v->sock];
	rc = buf_printf(b, "%s ", proto_name(k->proto));
	if (!rc)
		rc = endpoint_text(b, &k->local);
	if (!rc)
		rc = buf_printf(b, " %s ", exposure_name(v->exposure));
	if (!rc)
		rc = owner_text(b, now->snap, (size_t)v->sock);
	if (rc)
		return rc;
	switch (v->kind) {
	case POL_UNEXPECTED:
		return buf_puts(b, ": no rule allows it");
	case POL_OWNER:
		rc = buf_puts(b, v->unseen ? ": owner not visible (run as root), cannot verify " : ": not the owner that ");
		break;
	case POL_EXPOSURE:
		rc = buf_printf(b, ": reachable wider than %s, the most that ",
				exposure_name((enum ps_exposure)v->allowed));
		break;
	}
	if (!rc)
		rc = where_text(b, r);
	if (!rc)
		rc = buf_puts(b, " allows (");
	if (!rc)
		rc = rule_text(b, r);
	return rc ? rc : buf_putc(b, ')');
}

static int rule_json(struct buf *b, const struct policy_rule *r)
{
	if (!r)
		return buf_puts(b, "null");
	int rc = r->line ? buf_printf(b, "{\"line\":%zu,", r->line) : buf_printf(b, "{\"line\":null,\"baseline_socket\":%ld,", r->sock);
	if (!rc)
		rc = buf_printf(b, "\"require\":%s,\"proto\":\"%s\",\"port_min\":%u,\"port_max\":%u,\"addr\":",
				r->require ? "true" : "false",
				r->protos == (1u << PS_TCP) ? "tcp" : r->protos == (1u << PS_UDP) ? "udp" : "any", r->lo, r->hi);
	char a[64];
	if (!rc)
		rc = json_string(b, r->has_addr ? addr_format(&r->addr, a, sizeof a) : NULL);
	const char *keys[] = {"exe", "unit", "container", "name"};
	const char *vals[] = {r->exe, r->unit, r->container, r->name};
	for (size_t i = 0; i < 4 && !rc; i++) {
		rc = buf_printf(b, ",\"%s\":", keys[i]);
		if (!rc)
			rc = json_string(b, vals[i]);
	}
	if (!rc)
		rc = buf_puts(b, ",\"max_exposure\":");
	if (!rc)
		rc = json_string(b, r->max_exposure >= 0 ? exposure_name((enum ps_exposure)r->max_exposure) : NULL);
	return rc ? rc : buf_putc(b, '}');
}

static int report_json(struct buf *b, const char *file, const struct baseline *bl,
		       const struct policy_report *rep, const struct diff_side *now)
{
	int rc = buf_puts(b, "{\"schema\":1,\"baseline\":{\"file\":");
	if (!rc)
		rc = json_string(b, file);
	if (!rc)
		rc = buf_printf(b, ",\"kind\":\"%s\",\"rules\":%zu},\"checked\":%zu,\"clean\":%s,\"violations\":[",
				bl->is_snapshot ? "snapshot" : "policy", bl->pol.n, rep->checked,
				rep->n ? "false" : "true");
	for (size_t i = 0; i < rep->n && !rc; i++) {
		const struct policy_violation *v = &rep->v[i];
		rc = buf_printf(b, "%s{\"kind\":\"%s\",", i ? ",\n" : "\n", policy_kind_name(v->kind));
		if (!rc && v->sock >= 0) {
			const struct ps_socket *k = &now->snap->socks[v->sock];
			rc = buf_printf(b, "\"proto\":\"%s\",\"socket\":", proto_name(k->proto));
			if (!rc)
				rc = change_side_json(b, now, v->sock, v->exposure, 1);
			if (!rc)
				rc = buf_printf(b, ",\"owner_unseen\":%s,", v->unseen ? "true" : "false");
		} else if (!rc) {
			rc = buf_puts(b, "\"socket\":null,");
		}
		if (!rc)
			rc = buf_puts(b, "\"allowed_exposure\":");
		if (!rc)
			rc = json_string(b, v->allowed >= 0 ? exposure_name((enum ps_exposure)v->allowed) : NULL);
		if (!rc)
			rc = buf_puts(b, ",\"rule\":");
		if (!rc)
			rc = rule_json(b, v->rule >= 0 ? &bl->pol.rules[v->rule] : NULL);
		if (!rc)
			rc = buf_putc(b, '}');
	}
	if (!rc)
		rc = buf_puts(b, "\n],\"summary\":{");
	for (unsigned k = 0; k < POL__COUNT && !rc; k++)
		rc = buf_printf(b, "%s\"%s\":%zu", k ? "," : "", policy_kind_name(k), rep->count[k]);
	return rc ? rc : buf_puts(b, "}}\n");
}

static int report_prom(struct buf *b, const struct baseline *bl, const struct policy_report *rep,
		       const struct diff_side *now)
{
	int rc = prom_header(b, "portsleuth_check_violations", "gauge",
			     "Listeners that violate the baseline, by kind of violation.");
	for (unsigned k = 0; k < POL__COUNT && !rc; k++)
		rc = buf_printf(b, "portsleuth_check_violations{kind=\"%s\"} %zu\n", policy_kind_name(k), rep->count[k]);
	if (!rc)
		rc = prom_header(b, "portsleuth_check_violation", "gauge",
				 "One series per violation (value 1), naming the socket and its program.");
	for (size_t i = 0; i < rep->n && !rc; i++) {
		const struct policy_violation *v = &rep->v[i];
		const struct policy_rule *r = v->rule >= 0 ? &bl->pol.rules[v->rule] : NULL;
		char a[64] = "";
		const char *proto, *prog = "";
		unsigned port;
		if (v->sock >= 0) {
			const struct ps_socket *k = &now->snap->socks[v->sock];
			proto = proto_name(k->proto);
			addr_format(&k->local.addr, a, sizeof a);
			port = k->local.port;
			if (k->owner_count) {
				const struct ps_proc *p = &now->snap->procs[snap_owner(now->snap, k, 0)->proc];
				prog = p->exe ? p->exe : p->name ? p->name : "";
			}
		} else {
			proto = r->protos == (1u << PS_TCP) ? "tcp" : r->protos == (1u << PS_UDP) ? "udp" : "any";
			port = r->lo;
		}
		rc = buf_printf(b, "portsleuth_check_violation{kind=\"%s\",proto=\"%s\",addr=\"%s\",port=\"%u\",program=\"",
				policy_kind_name(v->kind), proto, a, port);
		if (!rc)
			rc = prom_label_escape(b, prog, strlen(prog));
		if (!rc)
			rc = buf_puts(b, "\"} 1\n");
	}
	if (!rc)
		rc = prom_header(b, "portsleuth_check_listeners_checked", "gauge", "Listeners compared with the baseline.");
	if (!rc)
		rc = buf_printf(b, "portsleuth_check_listeners_checked %zu\n", rep->checked);
	if (!rc)
		rc = prom_listeners(b, now);
	if (!rc)
		rc = prom_header(b, "portsleuth_check_timestamp_seconds", "gauge",
				 "When the check ran (seconds since the epoch).");
	if (!rc)
		rc = buf_printf(b, "portsleuth_check_timestamp_seconds %lld\n", (long long)time(NULL));
	return rc;
}

static int run(struct cli_options *o, const struct check_opts *co)
{
	struct baseline bl = {0};
	struct snapfile target = {0};
	struct ps_snapshot live = {0};
	struct policy_report rep = {0};
	struct buf out = {0};
	struct diff_side now;
	int code = load_baseline(co->baseline, co, &o->filter, &bl);
	if (code)
		goto done;
	if (o->nargs == 1) {
		if ((code = cli_load_snapshot(o->args[0], &o->filter, &target)))
			goto done;
		now = (struct diff_side){.snap = &target.snap, .exposure = target.exposure};
	} else {
		if ((code = cli_collect(&o->filter, &live)))
			goto done;
		now = (struct diff_side){.snap = &live};
	}
	code = EXIT_FAILURE_;
	int rc = policy_check(&bl.pol, &now, &rep);
	if (!rc && co->prometheus) {
		rc = report_prom(&out, &bl, &rep, &now);
	} else if (!rc && o->format == FMT_JSON) {
		rc = report_json(&out, co->baseline, &bl, &rep, &now);
	} else if (!rc) {
		for (size_t i = 0; i < rep.n && !rc; i++) {
			rc = violation_text(&out, &rep.v[i], &bl.pol, &now);
			if (!rc)
				rc = buf_putc(&out, '\n');
		}
		if (!rc && rep.n) {
			rc = buf_printf(&out, "%zu violation%s:", rep.n, rep.n == 1 ? "" : "s");
			const char *sep = " ";
			for (unsigned k = 0; k < POL__COUNT && !rc; k++) {
				if (!rep.count[k])
					continue;
				rc = buf_printf(&out, "%s%zu %s", sep, rep.count[k], policy_kind_name(k));
				sep = ", ";
			}
			if (!rc)
				rc = buf_printf(&out, " (%zu listener%s checked)\n", rep.checked, rep.checked == 1 ? "" : "s");
		} else if (!rc) {
			rc = buf_printf(&out, "clean: %zu listener%s match the baseline\n", rep.checked,
					rep.checked == 1 ? "" : "s");
		}
	}
	if (!rc && out.len && fwrite(out.data, 1, out.len, stdout) != out.len)
		rc = -EIO;
	if (!rc && fflush(stdout))
		rc = -errno;
	if (rc) {
		fprintf(stderr, "portsleuth: cannot check: %s\n", strerror(-rc));
		goto done;
	}
	code = rep.n ? EXIT_VIOLATED : EXIT_OK;
done:
	buf_free(&out);
	policy_report_free(&rep);
	policy_free(&bl.pol);
	snapfile_free(&bl.snap);
	snapfile_free(&target);
	snap_free(&live);
	return code;
}

int cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"baseline", required_argument, NULL, OPT_BASELINE},
		{"missing", no_argument, NULL, OPT_MISSING},
		{"format", required_argument, NULL, OPT_FORMAT},
		{NULL, 0, NULL, 0},
	};
	struct check_opts co = {.format = -1};
	struct cli_extra extra = {.longopts = longopts, .on_extra = on_extra, .ctx = &co};
	struct cli_options o = {.format = FMT_TABLE};
	/* -b FILE is --baseline FILE: spelled out before the common parser sees it */
	char **av = calloc((size_t)argc + 1, sizeof *av);
	if (!av)
		return EXIT_FAILURE_;
	for (int i = 0; i < argc; i++)
		av[i] = strcmp(argv[i], "-b") == 0 ? "--baseline" : argv[i];
	int code = cli_parse_options(argc, av, &o, &extra, usage);
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
	free(av);
	return code;
}
