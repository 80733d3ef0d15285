/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_table_fit.c — the table fits the width: priorities, abbreviations, distinct cuts (issue 9).
 */
#include <stdlib.h>
#include <string.h>

#include "../../src/enrich/registry.h"
#include "../../src/enrich/verdict.h"
#include "../../src/output/output.h"
#include "../../src/util/escape.h"
#include "test.h"
#include "testutil.h"

static char *dup_s(const char *s)
{
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

static void add_sock(struct ps_snapshot *s, unsigned proto, const uint8_t a[4], uint16_t port,
		     uint32_t proc, int fd)
{
	struct ps_socket *k = snap_add_socket(s);
	if (!k)
		abort();
	k->proto = (uint8_t)proto;
	k->state = proto == PS_TCP ? PS_ST_LISTEN : PS_ST_CLOSE;
	k->local.addr.family = k->remote.addr.family = PS_INET;
	memcpy(k->local.addr.bytes, a, 4);
	k->local.port = port;
	k->inode = 1000 + s->nsocks;
	k->owner_status = PS_OWN_OK;
	if (snap_add_owner(s, (uint32_t)(s->nsocks - 1), proc, fd))
		abort();
}

static void add_proc(struct ps_snapshot *s, int pid, const char *comm, const char *exe,
		     const char *cmd, size_t cmdlen, uint32_t uid)
{
	long i = snap_add_proc(s, pid);
	if (i < 0)
		abort();
	struct ps_proc *p = &s->procs[i];
	p->name = dup_s(comm);
	p->exe = dup_s(exe);
	p->cmdline = malloc(cmdlen);
	if (!p->cmdline)
		abort();
	memcpy(p->cmdline, cmd, cmdlen);
	p->cmdline_len = cmdlen;
	p->uid = uid;
	p->have_uid = true;
	p->ppid = 1;
}

/*
 * The stock LAN server of daemon-findings #14 (samba, nginx, redis, sshd) with
 * long values: NetBIOS services 137-139 and microsoft-ds, all-interfaces and
 * loopback exposure, www-data, long command lines, a long unit name; ctx
 * renders it with `ellipsis`.
 */
static void build_lan(struct ps_snapshot *s, struct registry *reg, struct render_ctx *ctx,
		      const char *ellipsis)
{
	memset(s, 0, sizeof *s);
	memset(reg, 0, sizeof *reg);
	static const uint8_t any[4] = {0, 0, 0, 0}, lo[4] = {127, 0, 0, 1},
			     bc[4] = {10, 77, 0, 255};
	static const char nmbd[] = "/usr/sbin/nmbd\0--foreground\0--no-process-group\0"
				   "--option=lock directory=/run/portsleuth-daemons/samba/lock";
	static const char smbd[] =
	    "/usr/sbin/smbd\0--foreground\0--no-process-group\0--debug-stdout";
	static const char ngx[] = "nginx: master process /usr/sbin/nginx -c /etc/nginx/nginx.conf";
	static const char redis[] = "/usr/bin/redis-server 127.0.0.1:6379";
	add_proc(s, 40, "nmbd", "/usr/sbin/nmbd", nmbd, sizeof nmbd - 1, 0);
	add_proc(s, 41, "smbd", "/usr/sbin/smbd", smbd, sizeof smbd - 1, 0);
	add_proc(s, 52, "nginx", "/usr/sbin/nginx", ngx, sizeof ngx - 1, 33);
	add_proc(s, 60, "redis-server", "/usr/bin/redis-check-rdb", redis, sizeof redis - 1, 107);
	s->procs[2].unit = dup_s("nginx-with-a-rather-long-name.service");
	add_sock(s, PS_UDP, bc, 137, 0, 5);
	add_sock(s, PS_UDP, any, 137, 0, 6);
	add_sock(s, PS_UDP, bc, 138, 0, 7);
	add_sock(s, PS_TCP, any, 139, 1, 30);
	add_sock(s, PS_TCP, any, 445, 1, 31);
	add_sock(s, PS_TCP, any, 80, 2, 6);
	add_sock(s, PS_TCP, lo, 6379, 3, 6);
	snap_group_owners(s);
	s->usernames = calloc(3, sizeof *s->usernames);
	if (!s->usernames)
		abort();
	s->usernames[0] = (struct ps_username){0, dup_s("root")};
	s->usernames[1] = (struct ps_username){33, dup_s("www-data")};
	s->usernames[2] = (struct ps_username){107, dup_s("redis")};
	s->nusernames = 3;
	s->privileged = true;
	s->source = "netlink";
	snap_count_status(s);
	if (verdicts_compute(s, reg, NULL))
		abort();
	memset(ctx, 0, sizeof *ctx);
	ctx->snap = s;
	ctx->o.ellipsis = ellipsis;
}

static char *render_at(const struct render_ctx *ctx)
{
	char *text = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&text, &n);
	if (!fp)
		abort();
	CHECK_INT(render_table(fp, ctx), 0);
	fclose(fp);
	return text;
}

/* The words of line `ln`'s column that starts where `head` starts in the header. */
static void cell_at(const char *text, const char *head, size_t row, char *out, size_t outlen)
{
	const char *h = strstr(text, head);
	out[0] = '\0';
	if (!h)
		return;
	size_t col = (size_t)(h - text);
	const char *ln = text;
	for (size_t r = 0; r < row && ln; r++) {
		ln = strchr(ln, '\n');
		ln = ln ? ln + 1 : NULL;
	}
	if (!ln)
		return;
	const char *end = strchr(ln, '\n');
	if ((size_t)(end - ln) <= col)
		return;
	size_t k = 0;
	for (const char *p = ln + col; p < end && *p != ' ' && k + 1 < outlen; p++)
		out[k++] = *p;
	out[k] = '\0';
}

TEST(table_fits_every_width)
{
	struct ps_snapshot s;
	struct registry reg;
	struct render_ctx ctx;
	build_lan(&s, &reg, &ctx, "\xe2\x80\xa6");
	columns_default(ctx.o.cols, &ctx.o.ncols, false, false);
	ctx.o.hide_empty = ctx.o.may_drop = true;
	static const size_t widths[] = {60, 72, 80, 100, 132, 200};
	for (size_t wi = 0; wi < sizeof widths / sizeof widths[0]; wi++) {
		ctx.o.width = widths[wi];
		char *t = render_at(&ctx);
		if (getenv("TABLE_FIT_SHOW"))
			fprintf(stderr, "--- %zu\n%s", widths[wi], t);
		/* no line longer than the width */
		size_t lines = 0;
		for (char *ln = t, *nl; (nl = strchr(ln, '\n')); ln = nl + 1, lines++) {
			size_t w = text_width(ln, (size_t)(nl - ln));
			if (w > widths[wi]) {
				char m[300];
				snprintf(m, sizeof m, "width %zu: a line of %zu cells: %.*s",
					 widths[wi], w, (int)(nl - ln), ln);
				test_fail(__FILE__, __LINE__, m);
			}
		}
		CHECK_INT(lines, 8);
		/* the socket and its owner: kept at every width, in order */
		CHECK(strncmp(t, "PROTO  LOCAL ", 13) == 0);
		const char *st = strstr(t, "STATE"), *pid = strstr(t, " PID"),
			   *pr = strstr(t, "PROGRAM"), *sv = strstr(t, "SERVICE"),
			   *ex = strstr(t, "EXPO"); /* EXPOSURE, or EXPO with short classes */
		CHECK(st && pid && pr && st < pid && pid < pr && pr < strchr(t, '\n'));
		if (widths[wi] >= 80) /* room for what the port is and who reaches it, too */
			CHECK(sv && ex && sv < ex && ex < strchr(t, '\n'));
		/* 137, 138, 139 and 445 keep different SERVICE texts (when it is shown) */
		char a[64], b[64], c[64], d[64];
		cell_at(t, "SERVICE", 1, a, sizeof a);
		cell_at(t, "SERVICE", 3, b, sizeof b);
		cell_at(t, "SERVICE", 4, c, sizeof c);
		cell_at(t, "SERVICE", 5, d, sizeof d);
		CHECK(!sv || (*a && *b && *c && *d && strcmp(a, b) && strcmp(a, c) &&
			      strcmp(b, c) && strcmp(c, d)));
		/* when shrunk, exposure classes are abbreviated, never cut */
		CHECK(!strstr(t, "all-inte\xe2\x80\xa6") && !strstr(t, "loopba\xe2\x80\xa6"));
		if (widths[wi] >= 200) /* COMMAND gets what is left */
			CHECK(strstr(t, "/usr/bin/redis-server 127.0.0.1:6379\n") != NULL);
		if (widths[wi] >= 72 && widths[wi] <= 80)
			CHECK(strstr(t, "  all") != NULL && strstr(t, "  lo") != NULL);
		/* whether to worry stays beside the owner: SERVICE and EXPOSURE go first */
		CHECK(strstr(t, "FINDINGS") != NULL && strstr(t, "warning+1") != NULL);
		/* a program's short name and a user name are left out before they are cut */
		CHECK(strstr(t, "redis-server") != NULL);
		CHECK(!strstr(t, "www\xe2\x80\xa6") && !strstr(t, "red\xe2\x80\xa6"));
		free(t);
	}
	/* -w: never cut */
	ctx.o.width = 60;
	ctx.o.wide = true;
	char *t = render_at(&ctx);
	CHECK(strstr(t, "--option=lock directory=/run/portsleuth-daemons/samba/lock'\n") != NULL);
	CHECK(strstr(t, "all-interfaces") != NULL && strstr(t, "loopback") != NULL);
	free(t);
	snap_free(&s); /* and its verdicts */
	registry_free(&reg);
}

/* Whether the header line of t names only columns that are never left out. */
static bool only_fixed_columns(const char *t)
{
	static const char *const fixed[] = {"PROTO", "LOCAL", "REMOTE", "STATE", "PID", "PROGRAM"};
	const char *end = strchr(t, '\n');
	for (const char *p = t; p < end;) {
		while (p < end && *p == ' ')
			p++;
		size_t n = strcspn(p, " \n");
		bool known = n == 0;
		for (size_t i = 0; i < sizeof fixed / sizeof fixed[0] && !known; i++)
			known = strlen(fixed[i]) == n && strncmp(p, fixed[i], n) == 0;
		if (!known)
			return false;
		p += n;
	}
	return true;
}

TEST(table_header_fits_narrow_widths)
{
	/* the review's case: at 50 and 60 with -a the header was wider than the width, because
	 * EXPOSURE kept its long header over short classes */
	struct ps_snapshot s;
	struct registry reg;
	struct render_ctx ctx;
	build_lan(&s, &reg, &ctx, "\xe2\x80\xa6");
	size_t open = 0;
	int worst = -1;
	for (size_t k = 0; k < s.nsocks; k++) {
		const struct sock_verdict *v = verdict_of(&s, &s.socks[k]);
		open += v ? v->findings.n : 0;
		if (verdict_worst(&s, &s.socks[k]) > worst)
			worst = verdict_worst(&s, &s.socks[k]);
	}
	CHECK(open > 0 && worst == SEV_WARNING); /* SMB on a LAN */
	static const size_t widths[] = {40, 50, 60, 80};
	for (int all = 0; all < 2; all++)
		for (size_t wi = 0; wi < sizeof widths / sizeof widths[0]; wi++) {
			columns_default(ctx.o.cols, &ctx.o.ncols, all, false);
			ctx.o.hide_empty = ctx.o.may_drop = true;
			ctx.o.width = widths[wi];
			struct table_report rep = {.hidden_findings = 99, .hidden_worst = 99};
			ctx.report = &rep;
			char *t = render_at(&ctx);
			if (getenv("TABLE_FIT_SHOW"))
				fprintf(stderr, "--- %zu%s\n%s", widths[wi], all ? " -a" : "", t);
			/* wider than the width only when nothing but the socket and its owner is
			 * left (never cut) */
			const char *nl = strchr(t, '\n');
			size_t limit = only_fixed_columns(t)
					   ? (size_t)-1 /* nothing left to leave out or cut */
					   : widths[wi];
			for (char *ln = t; (nl = strchr(ln, '\n')); ln = (char *)nl + 1) {
				size_t w = text_width(ln, (size_t)(nl - ln));
				if (w > limit) {
					char m[300];
					snprintf(
					    m, sizeof m, "width %zu%s: a line of %zu cells: %.*s",
					    widths[wi], all ? " -a" : "", w, (int)(nl - ln), ln);
					test_fail(__FILE__, __LINE__, m);
				}
			}
			/* the short classes come with a short header */
			nl = strchr(t, '\n');
			const char *ex = strstr(t, "EXPOSURE");
			CHECK(!strstr(t, "  all\n") || !ex || ex > nl);
			/* the findings the width left out are reported, and only then */
			const char *fi = strstr(t, "FINDINGS");
			bool shown = fi && fi < nl;
			CHECK_INT(rep.hidden_findings, shown ? 0 : open);
			CHECK_INT(rep.hidden_worst, shown ? -1 : worst);
			/* every column left out is reported, and the owner goes last: PID or
			 * PROGRAM only once SERVICE, EXPOSURE, FINDINGS, USER, COMMAND are gone */
			size_t shown_cols = 0;
			for (const char *p = t; p < nl; p++)
				shown_cols += p[0] != ' ' && (p == t || p[-1] == ' ');
			CHECK_INT(shown_cols + rep.ndropped, ctx.o.ncols);
			bool owner_dropped = false, rest_dropped = false;
			for (size_t d = 0; d < rep.ndropped; d++) {
				enum col_id c = rep.dropped[d];
				if (c == COL_PID || c == COL_PROGRAM)
					owner_dropped = true;
				else if (owner_dropped)
					rest_dropped = true;
			}
			CHECK(!rest_dropped);
			CHECK(!owner_dropped || (!strstr(t, "SERVICE") && !strstr(t, "EXPO") &&
						 !strstr(t, "USER") && !strstr(t, "COMMAND")));
			if (widths[wi] >= 60)
				CHECK(strstr(t, " PID") && strstr(t, "PROGRAM") &&
				      strstr(t, " PID") < nl);
			free(t);
		}
	ctx.report = NULL;
	snap_free(&s);
	registry_free(&reg);
}

TEST(table_status_labels_are_not_cut)
{
	/* "[no-permis…" says nothing: a label too wide for its column shows its short form
	 * ("[noperm]"), never a cut */
	struct ps_snapshot s;
	struct registry reg;
	struct render_ctx ctx;
	build_lan(&s, &reg, &ctx, "\xe2\x80\xa6");
	struct ps_socket *k = snap_add_socket(&s);
	CHECK(k != NULL);
	if (!k)
		return;
	k->proto = PS_TCP;
	k->state = PS_ST_LISTEN;
	k->local.addr.family = k->remote.addr.family = PS_INET;
	k->local.port = 2024;
	k->inode = 5000;
	k->owner_status = PS_OWN_NOPERM;
	snap_group_owners(&s);
	if (verdicts_compute(&s, &reg, NULL))
		abort();
	static const size_t widths[] = {60, 72, 80, 100};
	for (int all = 0; all < 2; all++)
		for (size_t wi = 0; wi < sizeof widths / sizeof widths[0]; wi++) {
			columns_default(ctx.o.cols, &ctx.o.ncols, all, false);
			ctx.o.hide_empty = ctx.o.may_drop = true;
			ctx.o.width = widths[wi];
			char *t = render_at(&ctx);
			if (getenv("TABLE_FIT_SHOW"))
				fprintf(stderr, "--- %zu%s\n%s", widths[wi], all ? " -a" : "", t);
			const char *prog = strstr(t, "PROGRAM");
			CHECK(!prog || prog > strchr(t, '\n') ||
			      strstr(t, "[no-permission]\n") != NULL ||
			      strstr(t, "[noperm]") != NULL);
			CHECK(strstr(t, "[no-permis\xe2\x80\xa6") == NULL);
			free(t);
		}
	snap_free(&s);
	registry_free(&reg);
}

TEST(table_paths_cut_from_the_left)
{
	struct ps_snapshot s;
	struct registry reg;
	struct render_ctx ctx;
	build_lan(&s, &reg, &ctx, "+");
	char why[80];
	CHECK_INT(columns_parse("proto,local,exe", ctx.o.cols, &ctx.o.ncols, why, sizeof why), 0);
	ctx.o.width = 5 + 2 + 15 + 2 + 11;
	char *t = render_at(&ctx);
	if (getenv("TABLE_FIT_SHOW"))
		fprintf(stderr, "%s", t);
	/* the file names stay: "+sbin/nmbd", "+bin/redis-check-rdb" would not fit */
	CHECK(strstr(t, "+/sbin/nmbd\n") != NULL);
	CHECK(strstr(t, "+sbin/nginx\n") != NULL);
	CHECK(strstr(t, "+-check-rdb\n") != NULL);
	free(t);
	snap_free(&s); /* and its verdicts */
	registry_free(&reg);
}

TEST(table_program_is_the_executable_for_a_thread_name)
{
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	static const uint8_t lo[4] = {127, 0, 0, 1};
	static const char node[] = "node\0server.js";
	static const char sshd[] = "sshd: /usr/sbin/sshd -D [listener] 0 of 10-100 startups";
	add_proc(&s, 7, "MainThread", "/usr/bin/node", node, sizeof node - 1, 0);
	add_proc(&s, 8, "sshd", "/usr/sbin/sshd", sshd, sizeof sshd - 1, 0);
	add_proc(&s, 9, "redis-server", "/usr/bin/redis-check-rdb", "redis-server *:6379", 19, 0);
	add_sock(&s, PS_TCP, lo, 3000, 0, 20);
	add_sock(&s, PS_TCP, lo, 22, 1, 3);
	add_sock(&s, PS_TCP, lo, 6379, 2, 6);
	snap_group_owners(&s);
	struct render_ctx ctx = {.snap = &s};
	ctx.o.ellipsis = "+";
	char why[80];
	CHECK_INT(columns_parse("pid,program", ctx.o.cols, &ctx.o.ncols, why, sizeof why), 0);
	char *t = render_at(&ctx);
	CHECK_STR(t, "PID  PROGRAM\n"
		     "  7  node\n"
		     "  8  sshd\n"
		     "  9  redis-server\n");
	free(t);
	snap_free(&s);
}
