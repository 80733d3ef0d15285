/* explain.c — `portsleuth explain PORT[/PROTO]`: the whole story of one port, as text or JSON. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/pipeline.h"
#include "../enrich/users.h"
#include "../output/verdict_out.h"
#include "../util/escape.h"
#include "cli.h"
#include "common.h"
#include "knowledge.h"

static const char explain_usage[] =
	"Usage: portsleuth explain PORT[/tcp|/udp] [--json] [-4|-6] [--ports-file FILE]\n"
	"Tell the whole story of one port: who holds it (process, command line, parent\n"
	"chain, unit or container), what the number is registered for and what normally\n"
	"owns it, where it is reachable, every finding with its evidence, and how to\n"
	"stop it. A port nobody holds is explained too.\n"
	"\n"
	"      --json             the same as data (schema 1)\n"
	"      --ports-file FILE  extra port knowledge, see portsleuth(1)\n"
	"      --services FILE    read service names from FILE instead of /etc/services\n"
	"\n"
	"Exit status: 0 something holds the port, 1 nothing does, 2 usage error, 3 failure.\n";

/* Untrusted text for the terminal. */
static void put(FILE *fp, const char *s)
{
	struct buf b = {0};
	if (s && esc_text(&b, s, strlen(s)) == 0 && b.data)
		fputs(b.data, fp);
	buf_free(&b);
}

/* A comma-separated list from a ports file, shown ", "-separated: untrusted text too. */
static void put_list(FILE *fp, const char *list)
{
	struct buf b = {0};
	int rc = 0;
	for (const char *p = list; *p && !rc; p++)
		rc = *p == ',' ? buf_puts(&b, ", ") : buf_putc(&b, *p);
	if (!rc && b.data)
		put(fp, b.data);
	buf_free(&b);
}

static bool is_listener(const struct ps_socket *k)
{
	return k->state == PS_ST_LISTEN || (k->proto == PS_UDP && k->state == PS_ST_CLOSE);
}

static bool keep_local_port(const struct ps_snapshot *s, const struct ps_socket *k, const void *port)
{
	(void)s;
	return k->local.port == *(const uint16_t *)port && is_listener(k);
}

/* The command that stops process p, into out. */
static int stop_hint(const struct ps_proc *p, struct buf *out)
{
	if (p->published && (p->published->name || p->published->id))
		return buf_printf(out, "%s stop %s", p->published->runtime,
				  p->published->name ? p->published->name : p->published->id);
	if (p->container && p->container_runtime &&
	    (strcmp(p->container_runtime, "docker") == 0 || strcmp(p->container_runtime, "podman") == 0))
		return buf_printf(out, "%s stop %.*s", p->container_runtime, p->container_name ? 256 : 12,
				  p->container_name ? p->container_name : p->container);
	if (p->activation && p->activation->socket_unit)
		return buf_printf(out, "systemctl stop %s%s%s", p->activation->socket_unit,
				  p->activation->service_unit ? " " : "",
				  p->activation->service_unit ? p->activation->service_unit : "");
	size_t ul = p->unit ? strlen(p->unit) : 0;
	if (ul > 8 && strcmp(p->unit + ul - 8, ".service") == 0 && p->pid != 1) {
		bool user = p->unit_type && strcmp(p->unit_type, "user") == 0;
		return buf_printf(out, "systemctl %sstop %s", user ? "--user " : "", p->unit);
	}
	return buf_printf(out, "kill %d", p->pid);
}

static void text_service(FILE *fp, uint16_t port, unsigned proto, bool known, const struct port_info *s)
{
	fprintf(fp, "Port %u/%s: ", port, proto == PS_UDP ? "udp" : "tcp");
	if (!known) {
		fprintf(fp, "no registry knows this number.\n");
		return;
	}
	if (s->name) {
		put(fp, s->name);
		if (s->desc) {
			fputs(" — ", fp);
			put(fp, s->desc);
		}
		fputs(" (source: ", fp);
		put(fp, s->source);
		fputs(")\n", fp);
	} else if (s->dynamic) {
		fprintf(fp, "%s.\n", verdict_dynamic_text);
	} else {
		fprintf(fp, "no registered name.\n");
	}
	if (s->owners) {
		fputs("  Normally held by: ", fp);
		put_list(fp, s->owners);
		fputc('\n', fp);
	}
	if (s->risk) {
		fputs("  Risk when reachable beyond this machine: ", fp);
		put(fp, s->risk);
		fputc('\n', fp);
	}
	if (s->backdoor) {
		fputs("  Backdoors known to use it: ", fp);
		put_list(fp, s->backdoor);
		fprintf(fp, ".\n  Caveat: %s.\n", registry_backdoor_caveat);
	}
}

static void text_parents(FILE *fp, const struct ps_snapshot *snap, const struct ps_proc *p)
{
	fputs("    parents:  ", fp);
	if (p->nancestry) {
		for (size_t i = 0; i < p->nancestry; i++) {
			fprintf(fp, "%s%d ", i ? " <- " : "", p->ancestry[i].pid);
			put(fp, p->ancestry[i].name ? p->ancestry[i].name : "?");
		}
	} else if (p->ppid >= 0) {
		const char *pname = NULL;
		for (size_t i = 0; i < snap->nprocs; i++)
			if (snap->procs[i].pid == p->ppid)
				pname = snap->procs[i].name;
		fprintf(fp, "%d", p->ppid);
		if (pname) {
			fputc(' ', fp);
			put(fp, pname);
		}
		fputs(" (parent; its own parents were not traced)", fp);
	} else {
		fputs("unknown", fp);
	}
	fputc('\n', fp);
}

static void text_owner(FILE *fp, const struct ps_snapshot *snap, const struct ps_owner *o,
		       struct cli_knowledge *k, struct users *users)
{
	const struct ps_proc *p = &snap->procs[o->proc];
	fprintf(fp, "  Held by pid %d (", p->pid);
	put(fp, p->name ? p->name : "?");
	fputc(')', fp);
	if (p->have_uid) {
		const char *u = users_name(users, p->uid);
		fputs(", user ", fp);
		if (u)
			put(fp, u);
		else
			fprintf(fp, "%u", p->uid);
	}
	fprintf(fp, ", file descriptor %d%s\n", o->fd, p->vanished ? " — the process has exited since" : "");
	fputs("    program:  ", fp);
	put(fp, p->exe ? p->exe : "(unreadable)");
	if (p->exe) {
		const char *pkg = NULL;
		char *clean = strdup(p->exe);
		char *del = clean ? strstr(clean, " (deleted)") : NULL;
		if (del && del[10] == '\0')
			*del = '\0';
		enum pkg_status st = clean ? pkgdb_status(k->pkg, clean, &pkg) : PKG_UNKNOWN;
		if (st == PKG_OWNED) {
			fputs(" (package ", fp);
			put(fp, pkg);
			fputc(')', fp);
		} else if (st == PKG_UNOWNED) {
			fputs(" (from no installed package)", fp);
		}
		free(clean);
	}
	fputc('\n', fp);
	if (p->cmdline) {
		struct buf b = {0}; /* quoted as in the COMMAND column */
		fputs("    command:  ", fp);
		if (column_cmdline(&b, p) == 0 && b.data)
			put(fp, b.data);
		fputc('\n', fp);
		buf_free(&b);
	}
	if (p->start_time >= 0) {
		time_t t = (time_t)p->start_time;
		struct tm tm;
		char ts[32];
		if (gmtime_r(&t, &tm) && strftime(ts, sizeof ts, "%Y-%m-%d %H:%M:%S UTC", &tm))
			fprintf(fp, "    started:  %s\n", ts);
	}
	text_parents(fp, snap, p);
	if (p->unit) {
		fputs("    unit:     ", fp);
		put(fp, p->unit);
		fputc('\n', fp);
	}
	if (p->container) {
		fputs("    container: ", fp);
		put(fp, p->container_runtime ? p->container_runtime : "?");
		fputc(' ', fp);
		put(fp, p->container_name ? p->container_name : p->container);
		fputc('\n', fp);
	}
	struct buf b = {0};
	if (stop_hint(p, &b) == 0 && b.data) {
		fputs("    to stop it: ", fp);
		put(fp, b.data);
		fputc('\n', fp);
	}
	buf_free(&b);
}

static void text_socket(FILE *fp, const struct ps_snapshot *snap, size_t i, struct cli_knowledge *k,
			struct users *users)
{
	const struct ps_socket *sk = &snap->socks[i];
	struct sock_verdict tmp;
	const struct sock_verdict *v = verdict_get(&k->v, snap, i, &tmp);
	char a[64];
	addr_format(&sk->local.addr, a, sizeof a);
	fprintf(fp, "\n%s%s %s%s%s:%u %s\n", proto_name(sk->proto), sk->local.addr.family == PS_INET6 ? "6" : "",
		sk->local.addr.family == PS_INET6 ? "[" : "", a, sk->local.addr.family == PS_INET6 ? "]" : "",
		sk->local.port, state_label(sk->proto, sk->state));
	fprintf(fp, "  Reachable: %s", exposure_name(v->scope));
	if (sk->local.addr.family == PS_INET6 && addr_is_any(&sk->local.addr))
		fputs(sk->v6only == PS_V6ONLY_YES ? " (IPv6 only)" : sk->v6only == PS_V6ONLY_NO ? " (IPv6 and IPv4)" : "", fp);
	fputs("; right now on: ", fp);
	for (size_t r = 0; r < v->nreach; r++) {
		char ra[64];
		addr_format(&v->reach[r].addr, ra, sizeof ra);
		fputs(r ? ", " : "", fp);
		put(fp, v->reach[r].ifname ? v->reach[r].ifname : "?");
		fprintf(fp, " %s", ra);
	}
	fputs(v->nreach ? "\n" : "no local address (not reachable now)\n", fp);
	if (!sk->owner_count)
		fprintf(fp, "  Held by no visible process (%s)\n", owner_status_name(sk->owner_status));
	long last = -1;
	for (size_t j = 0; j < sk->owner_count; j++) {
		const struct ps_owner *o = snap_owner(snap, sk, j);
		if ((long)o->proc == last)
			continue;
		last = (long)o->proc;
		text_owner(fp, snap, o, k, users);
	}
	if (!v->findings.n) {
		fputs("  Findings: none\n", fp);
		return;
	}
	fputs("  Findings:\n", fp);
	for (size_t f = 0; f < v->findings.n; f++) {
		const struct finding *x = &v->findings.f[f];
		fprintf(fp, "    [%s] %s: ", finding_sev_name(x->sev), x->code);
		put(fp, x->reason);
		if (x->evidence) {
			fputs("\n      evidence: ", fp);
			put(fp, x->evidence);
		}
		fputc('\n', fp);
	}
}

static int json_explain(FILE *fp, const struct render_ctx *ctx, uint16_t port, int proto,
			struct cli_knowledge *k)
{
	const struct ps_snapshot *snap = ctx->snap;
	struct buf b = {0};
	int rc = buf_printf(&b, "{\"schema\":1,\"port\":%u,\"proto\":", port);
	if (!rc)
		rc = proto < 0 ? buf_puts(&b, "null") : buf_printf(&b, "\"%s\"", proto_name((unsigned)proto));
	if (!rc)
		rc = buf_printf(&b, ",\"held\":%s,\"registry\":[", snap->nsocks ? "true" : "false");
	bool first = true;
	for (unsigned pr = 0; pr < PS_PROTO_COUNT && !rc; pr++) {
		if (proto >= 0 && (unsigned)proto != pr)
			continue;
		struct port_info info;
		bool known = registry_lookup(&k->reg, port, pr, &info);
		if (!known)
			continue;
		if (!first)
			rc = buf_putc(&b, ',');
		first = false;
		if (!rc)
			rc = json_service(&b, port, pr, known, &info);
	}
	if (!rc)
		rc = buf_puts(&b, "],\"sockets\":[");
	for (size_t i = 0; i < snap->nsocks && !rc; i++) {
		if (i)
			rc = buf_putc(&b, ',');
		if (!rc)
			rc = render_json_socket(&b, ctx, &snap->socks[i]);
	}
	if (!rc)
		rc = buf_puts(&b, "],\"stop\":[");
	first = true;
	for (size_t i = 0; i < snap->nprocs && !rc; i++) {
		const struct ps_proc *p = &snap->procs[i];
		struct buf h = {0};
		rc = stop_hint(p, &h);
		if (!rc)
			rc = buf_printf(&b, "%s{\"pid\":%d,\"command\":", first ? "" : ",", p->pid);
		if (!rc)
			rc = json_str(&b, h.data);
		if (!rc)
			rc = buf_putc(&b, '}');
		first = false;
		buf_free(&h);
	}
	if (!rc)
		rc = buf_puts(&b, "]");
	if (!rc)
		rc = json_verdict_summary(&b, ctx);
	if (!rc)
		rc = buf_puts(&b, "}\n");
	if (!rc)
		fwrite(b.data, 1, b.len, fp);
	buf_free(&b);
	return rc;
}

int cmd_explain(int argc, char **argv)
{
	struct cli_options o = {.format = FMT_TABLE};
	struct cli_extra extra = {NULL, NULL, NULL, true};
	int code = cli_parse_options(argc, argv, &o, &extra, explain_usage);
	if (code >= 0) {
		cli_options_free(&o);
		return code;
	}
	if (o.filter.nports == 1 && o.filter.ports[0].lo == 0 && o.filter.ports[0].hi == 0) {
		cli_usage_error("explain: invalid port", "0",
				"port 0 is not a port anything listens on (binding it asks the kernel for a "
				"free port); give a port from 1 to 65535");
		cli_options_free(&o);
		return EXIT_USAGE;
	}
	if (o.filter.nports != 1 || o.filter.ports[0].lo != o.filter.ports[0].hi) {
		cli_usage_error("explain needs exactly one port, such as 22 or 53/udp", NULL, NULL);
		cli_options_free(&o);
		return EXIT_USAGE;
	}
	uint16_t port = o.filter.ports[0].lo;
	uint8_t protos = o.filter.ports[0].protos;
	int proto = protos == (1u << PS_TCP) ? PS_TCP : protos == (1u << PS_UDP) ? PS_UDP : -1;
	if (o.all) {
		cli_usage_error("explain looks at the sockets that hold a port; -a does not apply", NULL, NULL);
		cli_options_free(&o);
		return EXIT_USAGE;
	}

	struct ps_snapshot snap = {0};
	struct cli_knowledge know = {0};
	struct users *users = users_new();
	enum pipeline_stage stage;
	code = EXIT_FAILURE_;
	int rc = pipeline_run(&o.filter, &snap, &stage);
	if (rc) {
		fprintf(stderr, "portsleuth: %s: %s\n", pipeline_stage_text(stage), strerror(-rc));
		goto out;
	}
	if ((rc = snap_retain(&snap, keep_local_port, &port)))
		goto out;
	if ((code = cli_knowledge_load(&o, &know)) >= 0 || (code = cli_knowledge_judge(&know, &snap)))
		goto out;
	struct render_ctx ctx = {.snap = &snap, .users = users, .verdicts = &know.v};
	if (o.format == FMT_JSON) {
		rc = json_explain(stdout, &ctx, port, proto, &know);
	} else {
		bool any = false;
		for (unsigned pr = 0; pr < PS_PROTO_COUNT; pr++) {
			if (proto >= 0 && (unsigned)proto != pr)
				continue;
			struct port_info info;
			bool known = registry_lookup(&know.reg, port, pr, &info);
			bool held = false;
			for (size_t i = 0; i < snap.nsocks; i++)
				held = held || snap.socks[i].proto == pr;
			if (!held && proto < 0 && !known)
				continue;
			any = true;
			text_service(stdout, port, pr, known, &info);
			if (!held)
				printf("  Nothing listens on %u/%s now.\n", port, pr == PS_UDP ? "udp" : "tcp");
		}
		if (!any)
			printf("Port %u: no registry knows this number, and nothing listens on it now.\n", port);
		for (size_t i = 0; i < snap.nsocks; i++)
			text_socket(stdout, &snap, i, &know, users);
		if (know.v.pkg_reason && snap.nsocks) {
			fputs("\nPackage checks were not made: ", stdout);
			put(stdout, know.v.pkg_reason); /* may name a path */
			fputs(".\n", stdout);
		}
	}
	if (fflush(stdout) && !rc)
		rc = -errno;
	if (rc) {
		fprintf(stderr, "portsleuth: cannot write output: %s\n", strerror(-rc));
		code = EXIT_FAILURE_;
		goto out;
	}
	if (o.format != FMT_JSON)
		cli_print_notes(&snap);
	code = snap.nsocks ? EXIT_OK : EXIT_NOMATCH;
out:
	if (rc == -ENOMEM)
		fprintf(stderr, "portsleuth: out of memory\n");
	cli_knowledge_free(&know);
	users_free(users);
	snap_free(&snap);
	cli_options_free(&o);
	return code;
}
