/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_output.c — column lists, and the JSON, CSV and table renderers on a hand-built snapshot. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/output/output.h"
#include "../../src/util/escape.h"
#include "test.h"
#include "testutil.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* A name with a terminal escape, a quote, a backslash, U+2028, an invalid byte. */
#define HOSTILE "evil\x1b[2J\"\\\xe2\x80\xa8\xff"

/* ---------------------------------------------------------------- columns_parse */

TEST(columns_parse_valid)
{
	enum col_id cols[COL__COUNT];
	size_t n = 99;
	char why[128] = "";
	CHECK_INT(columns_parse("proto,local,pid", cols, &n, why, sizeof why), 0);
	CHECK_INT(n, 3);
	CHECK_INT(cols[0], COL_PROTO);
	CHECK_INT(cols[1], COL_LOCAL);
	CHECK_INT(cols[2], COL_PID);
	CHECK_INT(columns_parse("command", cols, &n, why, sizeof why), 0);
	CHECK_INT(n, 1);
	CHECK_INT(cols[0], COL_COMMAND);
	/* every key of the column table parses to its own id */
	for (int c = 0; c < COL__COUNT; c++) {
		CHECK_INT(columns_parse(columns[c].key, cols, &n, why, sizeof why), 0);
		CHECK_INT(n, 1);
		CHECK_INT(cols[0], c);
	}
	/* repeats are allowed, up to the size of the array */
	CHECK_INT(columns_parse("pid,pid", cols, &n, why, sizeof why), 0);
	CHECK_INT(n, 2);
}

TEST(columns_parse_invalid)
{
	enum col_id cols[COL__COUNT];
	size_t n;
	char why[128];
	CHECK_INT(columns_parse("proto,bogus,pid", cols, &n, why, sizeof why), -EINVAL);
	CHECK(strstr(why, "unknown column 'bogus'") != NULL);
	CHECK_INT(columns_parse("", cols, &n, why, sizeof why), -EINVAL);
	CHECK(strstr(why, "unknown column ''") != NULL);
	CHECK_INT(columns_parse("proto,", cols, &n, why, sizeof why), -EINVAL);
	CHECK_INT(columns_parse(",proto", cols, &n, why, sizeof why), -EINVAL);
	CHECK_INT(columns_parse("PROTO", cols, &n, why, sizeof why),
		  -EINVAL); /* keys are lower case */
	CHECK_INT(columns_parse("proto ", cols, &n, why, sizeof why), -EINVAL);
	CHECK_INT(columns_parse("pro", cols, &n, why, sizeof why), -EINVAL);
	CHECK_INT(columns_parse("protocol", cols, &n, why, sizeof why), -EINVAL);
	/* a long bad word is cut in the message, and a small message buffer is respected */
	char longword[200];
	memset(longword, 'x', sizeof longword - 1);
	longword[sizeof longword - 1] = '\0';
	CHECK_INT(columns_parse(longword, cols, &n, why, sizeof why), -EINVAL);
	CHECK(strlen(why) < 100);
	char tiny[8];
	memset(tiny, 'Z', sizeof tiny);
	CHECK_INT(columns_parse("nope", cols, &n, tiny, sizeof tiny), -EINVAL);
	CHECK_INT(strnlen(tiny, sizeof tiny), 7);
	/* one more column than the array holds: refused, without writing past it */
	enum col_id *exact = malloc(COL__COUNT * sizeof *exact);
	char list[COL__COUNT * 4 + 8] = "";
	for (int i = 0; i <= COL__COUNT; i++)
		strcat(list, i ? ",pid" : "pid");
	CHECK_INT(columns_parse(list, exact, &n, why, sizeof why), -EINVAL);
	list[strlen(list) - 4] = '\0'; /* exactly COL__COUNT */
	CHECK_INT(columns_parse(list, exact, &n, why, sizeof why), 0);
	CHECK_INT(n, COL__COUNT);
	free(exact);
}

static bool has_col(const enum col_id *cols, size_t n, enum col_id c)
{
	for (size_t i = 0; i < n; i++)
		if (cols[i] == c)
			return true;
	return false;
}

/* The default set grows with features; its invariants are what is pinned here. */
TEST(columns_default_sets)
{
	for (int all = 0; all < 2; all++)
		for (int numeric = 0; numeric < 2; numeric++) {
			enum col_id cols[COL__COUNT];
			size_t n = 0;
			columns_default(cols, &n, all, numeric);
			CHECK(n >= 5 && n <= COL__COUNT);
			if (n < 5 || n > COL__COUNT)
				continue;
			CHECK_INT(cols[0], COL_PROTO);
			CHECK_INT(cols[1], COL_LOCAL);
			CHECK_INT(cols[2], all ? COL_REMOTE : COL_STATE);
			CHECK_INT(has_col(cols, n, COL_REMOTE), all);
			CHECK_INT(has_col(cols, n, COL_SERVICE), !numeric);
			CHECK(has_col(cols, n, COL_PID) && has_col(cols, n, COL_PROGRAM));
			CHECK_INT(cols[n - 1], COL_COMMAND);
			for (size_t i = 0; i < n; i++)
				for (size_t k = i + 1; k < n; k++)
					CHECK(cols[i] != cols[k]);
		}
}

/* ---------------------------------------------------------------- the snapshot */

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

static char *xmemdup(const char *s, size_t n)
{
	char *d = malloc(n + 1);
	if (!d)
		abort();
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/*
 * Socket 0: tcp 0.0.0.0:8080 LISTEN, inode 1111, send_q 128, held by
 *   pid 100 fd 6 "nginx" (uid 0, ppid 1, started at the epoch, unit nginx.service) and
 *   pid 101 fd 7 HOSTILE (no uid, no exe, no cmdline, in a docker container).
 * Socket 1: tcp [::1]:5000 -> [::1]:40000 TIME-WAIT, inode 0, no owner (kernel).
 */
static void build(struct ps_snapshot *s)
{
	memset(s, 0, sizeof *s);
	struct ps_socket *a = snap_add_socket(s);
	struct ps_socket *b = snap_add_socket(s);
	if (!a || !b)
		abort();
	a = &s->socks[0];
	b = &s->socks[1];
	a->proto = PS_TCP;
	a->state = PS_ST_LISTEN;
	a->local.addr.family = a->remote.addr.family = PS_INET;
	a->local.port = 8080;
	a->inode = 1111;
	a->send_q = 128;
	a->owner_status = PS_OWN_OK;
	b->proto = PS_TCP;
	b->state = PS_ST_TIME_WAIT;
	b->local.addr.family = b->remote.addr.family = PS_INET6;
	b->local.addr.bytes[15] = 1;
	b->remote.addr.bytes[15] = 1;
	b->local.port = 5000;
	b->remote.port = 40000;
	b->owner_status = PS_OWN_KERNEL;

	long p = snap_add_proc(s, 101); /* added first: the renderers must order by pid */
	long q = snap_add_proc(s, 100);
	if (p != 0 || q != 1)
		abort();
	struct ps_proc *h = &s->procs[0];
	h->name = xstrdup(HOSTILE);
	h->container = xstrdup(HEX64);
	h->container_runtime = "docker";
	struct ps_proc *n = &s->procs[1];
	n->name = xstrdup("nginx");
	n->exe = xstrdup("/usr/sbin/nginx");
	static const char cmd[] = "nginx\0-g\0daemon off;";
	n->cmdline = xmemdup(cmd, sizeof cmd - 1);
	n->cmdline_len = sizeof cmd - 1;
	n->uid = 0;
	n->have_uid = true;
	n->ppid = 1;
	n->start_time = 0;
	n->cgroup = xstrdup("/system.slice/nginx.service");
	n->unit = xstrdup("nginx.service");
	if (snap_add_owner(s, 0, 0, 7) || snap_add_owner(s, 0, 1, 6))
		abort();
	snap_group_owners(s);
	snap_count_status(s);
	s->procs_scanned = 2;
	s->privileged = true;
	s->source = "netlink";
}

static void ctx_init(struct render_ctx *ctx, const struct ps_snapshot *s, const char *cols)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->snap = s;
	ctx->o.ellipsis = "\xe2\x80\xa6"; /* … */
	char why[128];
	if (cols && columns_parse(cols, ctx->o.cols, &ctx->o.ncols, why, sizeof why))
		abort();
}

typedef int (*render_fn)(FILE *, const struct render_ctx *);

/* Render into memory; returns the malloc'd text and its length. */
static char *render(render_fn fn, const struct render_ctx *ctx, size_t *len)
{
	char *text = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&text, &n);
	CHECK(fp != NULL);
	if (!fp)
		abort();
	CHECK_INT(fn(fp, ctx), 0);
	fclose(fp);
	*len = n;
	return text;
}

/* ---------------------------------------------------------------- a JSON syntax checker */

static const char *jv(const char *p, const char *e, int depth);

static const char *jws(const char *p, const char *e)
{
	while (p < e && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

static const char *jstring(const char *p, const char *e)
{
	if (p >= e || *p != '"')
		return NULL;
	for (p++; p < e; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '"')
			return p + 1;
		if (c < 0x20)
			return NULL;
		if (c == '\\') {
			if (++p >= e)
				return NULL;
			if (*p == 'u') {
				for (int i = 0; i < 4; i++)
					if (++p >= e || !strchr("0123456789abcdefABCDEF", *p) ||
					    !*p)
						return NULL;
			} else if (!*p || !strchr("\"\\/bfnrt", *p)) {
				return NULL;
			}
		}
	}
	return NULL;
}

static const char *jdigits(const char *p, const char *e)
{
	const char *s = p;
	while (p < e && *p >= '0' && *p <= '9')
		p++;
	return p > s ? p : NULL;
}

static const char *jnumber(const char *p, const char *e)
{
	if (p < e && *p == '-')
		p++;
	if (p < e && *p == '0')
		p++;
	else if (!(p = jdigits(p, e)))
		return NULL;
	if (p < e && *p == '.' && !(p = jdigits(p + 1, e)))
		return NULL;
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		if (!(p = jdigits(p, e)))
			return NULL;
	}
	return p;
}

static const char *jv(const char *p, const char *e, int depth)
{
	if (depth > 64)
		return NULL;
	p = jws(p, e);
	if (p >= e)
		return NULL;
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';
		bool obj = *p == '{';
		p = jws(p + 1, e);
		if (p < e && *p == close)
			return p + 1;
		for (;;) {
			if (obj) {
				if (!(p = jstring(jws(p, e), e)))
					return NULL;
				p = jws(p, e);
				if (p >= e || *p++ != ':')
					return NULL;
			}
			if (!(p = jv(p, e, depth + 1)))
				return NULL;
			p = jws(p, e);
			if (p < e && *p == ',') {
				p++;
				continue;
			}
			return p < e && *p == close ? p + 1 : NULL;
		}
	}
	if (*p == '"')
		return jstring(p, e);
	if (e - p >= 4 && memcmp(p, "true", 4) == 0)
		return p + 4;
	if (e - p >= 5 && memcmp(p, "false", 5) == 0)
		return p + 5;
	if (e - p >= 4 && memcmp(p, "null", 4) == 0)
		return p + 4;
	return jnumber(p, e);
}

/* Whether text[0..n) is exactly one JSON value (plus whitespace). */
static bool json_valid(const char *text, size_t n)
{
	const char *end = jv(text, text + n, 0);
	return end && jws(end, text + n) == text + n;
}

TEST(json_checker_has_teeth)
{
	static const char *const good[] = {
	    "{}", "[]", "{\"a\":[1,-2.5e+3,true,false,null,\"x\\u00e9\\n\"]}", " 0 "};
	static const char *const bad[] = {"",		"{",	    "{\"a\"}", "[1,]",
					  "{\"a\":1,}", "\"\x01\"", "[01]",    "\"\\x\"",
					  "[1 2]",	"{} {}",    "nul",     "\"\\u12\""};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
		CHECK(json_valid(good[i], strlen(good[i])));
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK(!json_valid(bad[i], strlen(bad[i])));
}

/* ---------------------------------------------------------------- render_json */

/* Line i (0-based) of text, malloc'd, without its newline. */
static char *line_of(const char *text, size_t n, size_t want)
{
	const char *p = text, *e = text + n;
	for (size_t i = 0; p < e; i++) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		const char *le = nl ? nl : e;
		if (i == want)
			return xmemdup(p, (size_t)(le - p));
		p = le + 1;
	}
	return xstrdup("");
}

static size_t count(const char *hay, const char *needle)
{
	size_t c = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		c++;
	return c;
}

#define HAS(hay, needle)                                                                           \
	do {                                                                                       \
		if (!strstr(hay, needle)) {                                                        \
			char m_[600];                                                              \
			snprintf(m_, sizeof m_, "missing %.500s", needle);                         \
			test_fail(__FILE__, __LINE__, m_);                                         \
		}                                                                                  \
	} while (0)

TEST(render_json_document)
{
	struct ps_snapshot s;
	build(&s);
	struct render_ctx ctx;
	ctx_init(&ctx, &s, NULL);
	size_t n;
	char *doc = render(render_json, &ctx, &n);
	CHECK_INT(strlen(doc), n);
	CHECK(json_valid(doc, n));
	CHECK(tu_valid_utf8((const unsigned char *)doc, n));
	CHECK(!tu_has_control(doc, n, "\n"));
	CHECK(n > 0 && doc[n - 1] == '\n');

	/* one socket per line: header, socket 0, socket 1, trailer */
	char *head = line_of(doc, n, 0), *s0 = line_of(doc, n, 1), *s1 = line_of(doc, n, 2),
	     *tail = line_of(doc, n, 3);
	HAS(head, "{\"schema\":1,");
	HAS(head, "\"partial\":false,\"notes\":[],\"source\":\"netlink\",\"sockets\":[");

	/* socket 0, with its two owners in pid order */
	HAS(s0, "{\"proto\":\"tcp\",\"family\":\"inet\",\"state\":\"listen\","
		"\"local\":{\"addr\":\"0.0.0.0\",\"port\":8080},\"remote\":{\"addr\":\"0.0.0.0\","
		"\"port\":0},"
		"\"recv_q\":0,\"send_q\":128,\"uid\":0,\"user\":null,\"inode\":1111,");
	HAS(s0, "\"owner_status\":\"ok\",\"owners\":[{\"pid\":100,");
	HAS(s0, "{\"pid\":100,\"fd\":6,\"name\":\"nginx\",\"exe\":\"/usr/sbin/nginx\","
		"\"exe_name\":\"/usr/sbin/nginx\",\"cmdline\":[\"nginx\",\"-g\",\"daemon "
		"off;\"],\"cmdline_truncated\":false,"
		"\"user\":null,\"uid\":0,\"ppid\":1,\"start_time\":\"1970-01-01T00:00:00Z\","
		"\"cgroup\":\"/system.slice/nginx.service\",\"unit\":\"nginx.service\",");
	HAS(s0,
	    "{\"pid\":101,\"fd\":7,\"name\":\"evil\\u001b[2J\\\"\\\\\\u2028\xef\xbf\xbd\",\"exe\":"
	    "null,\"exe_name\":null,"
	    "\"cmdline\":[],\"cmdline_truncated\":false,\"user\":null,\"uid\":null,\"ppid\":null,"
	    "\"start_time\":null,\"cgroup\":null,\"unit\":null,");
	HAS(s0, "\"container\":{\"runtime\":\"docker\",\"id\":\"" HEX64 "\"");
	CHECK_INT(count(s0, "{\"pid\":"), 2);
	CHECK_INT(count(s0, "\"vanished\":false,\"group_lead\":null}"), 2);
	CHECK(strstr(s0, "{\"pid\":100,") < strstr(s0, "{\"pid\":101,"));
	CHECK(s0[0] == '{' && strlen(s0) > 3 && strcmp(s0 + strlen(s0) - 3, "]},") == 0);

	/* socket 1: no owner, the kernel holds it */
	HAS(s1, "{\"proto\":\"tcp\",\"family\":\"inet6\",\"state\":\"time-wait\","
		"\"local\":{\"addr\":\"::1\",\"port\":5000},\"remote\":{\"addr\":\"::1\",\"port\":"
		"40000},"
		"\"recv_q\":0,\"send_q\":0,\"uid\":0,\"user\":null,\"inode\":0,");
	HAS(s1, "\"owner_status\":\"kernel\",\"owners\":[]}");
	CHECK(strcmp(s1 + strlen(s1) - 15, "\"owners\":[]}") == 0 ||
	      strstr(s1, "\"owners\":[]") != NULL);
	CHECK_INT(count(s1, "\"pid\""), 0);

	HAS(tail, "],\"unattributed\":{\"no-permission\":0,\"kernel\":1,\"vanished\":0,"
		  "\"unreported\":0}");
	HAS(tail, "\"processes\":{\"scanned\":2,\"denied\":0,\"vanished\":0}");
	HAS(tail, "\"privileged\":true");
	free(head);
	free(s0);
	free(s1);
	free(tail);
	free(doc);
	snap_free(&s);
}

/* A socket's creation time (Windows' tables give it) is shown when known, absent otherwise. */
TEST(render_json_socket_created)
{
	struct ps_snapshot s;
	build(&s);
	CHECK_INT(snap_set_created(&s, &s.socks[1], 1777627812), 0); /* 2026-05-01T09:30:12Z */
	struct render_ctx ctx;
	ctx_init(&ctx, &s, NULL);
	size_t n;
	char *doc = render(render_json, &ctx, &n);
	CHECK(json_valid(doc, n));
	char *s0 = line_of(doc, n, 1), *s1 = line_of(doc, n, 2);
	CHECK(!strstr(s0, "\"created\""));
	HAS(s1, ",\"created\":\"2026-05-01T09:30:12Z\",");
	free(s0);
	free(s1);
	free(doc);
	snap_free(&s);
}

/* What a Windows executable's version resource says (file_info) is shown for the processes that
 * have one, and absent for the others. */
TEST(render_json_owner_file_info)
{
	struct ps_snapshot s;
	build(&s);
	proc_more_get(&s.procs[1])->file_description =
	    xstrdup("nginx \"web\" server"); /* pid 100 */
	proc_more_get(&s.procs[1])->file_company = xstrdup("Nginx, Inc.");
	struct render_ctx ctx;
	ctx_init(&ctx, &s, NULL);
	size_t n;
	char *doc = render(render_json, &ctx, &n);
	CHECK(json_valid(doc, n));
	char *s0 = line_of(doc, n, 1);
	HAS(s0, ",\"file_info\":{\"description\":\"nginx \\\"web\\\" server\",\"company\":"
		"\"Nginx, Inc.\",\"version\":null}");
	CHECK_INT(count(s0, "\"file_info\""), 1); /* the other owner has none */
	free(s0);
	free(doc);
	/* the optional DESCRIPTION column: description (company) */
	ctx_init(&ctx, &s, "pid,description");
	doc = render(render_csv, &ctx, &n);
	if (getenv("SHOW"))
		fputs(doc, stderr);
	HAS(doc, "100,\"nginx \"\"web\"\" server (Nginx, Inc.)\"\n");
	HAS(doc, "101,\n");
	free(doc);
	snap_free(&s);
}

TEST(render_json_empty_snapshot)
{
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	struct render_ctx ctx;
	ctx_init(&ctx, &s, NULL);
	size_t n;
	char *doc = render(render_json, &ctx, &n);
	CHECK(json_valid(doc, n));
	HAS(doc, "\"source\":\"none\",\"sockets\":[\n]");
	HAS(doc, "\"privileged\":false");
	free(doc);
}

/* Why a result is partial reaches the JSON as stderr says it: each reason once, in order. */
TEST(render_json_partial_notes)
{
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	snap_note(&s, "the socket table kept changing", 0);
	snap_note(&s, "cannot read the package database", -EACCES);
	snap_note(&s, "the socket table kept changing", 0); /* tcp6 after tcp4: said once */
	CHECK(s.partial);
	CHECK_INT(s.nnotes, 2);
	struct render_ctx ctx;
	ctx_init(&ctx, &s, NULL);
	size_t n;
	char *doc = render(render_json, &ctx, &n);
	CHECK(json_valid(doc, n));
	HAS(doc, "\"partial\":true,\"notes\":[\"the socket table kept changing\",\"cannot read "
		 "the package database (Permission denied); those details are left out\"],");
	free(doc);
	for (int i = 0; i < 20; i++) /* past the first few, partial still holds */
		snap_note(&s, i % 2 ? "one" : "two", -i - 1);
	CHECK_INT(s.nnotes, sizeof s.notes / sizeof s.notes[0]);
	CHECK(s.partial);
}

/* Every byte value in names, paths and arguments still gives valid JSON and UTF-8. */
TEST(render_json_hostile_bytes)
{
	struct ps_snapshot s;
	build(&s);
	struct ps_proc *n = &s.procs[1];
	char all[255];
	for (int i = 0; i < 255; i++)
		all[i] = (char)(i + 1); /* 0x01..0xff; comm cannot hold NUL */
	free(n->name);
	n->name = xmemdup(all, sizeof all);
	free(n->exe);
	n->exe = xmemdup(all, sizeof all);
	free(n->unit);
	n->unit = xmemdup(all + 100, 50);
	free(n->cmdline);
	char cmd[256 * 2];
	for (int i = 0; i < 256; i++) {
		cmd[2 * i] = (char)i;
		cmd[2 * i + 1] = '\0';
	}
	n->cmdline = xmemdup(cmd, sizeof cmd - 1);
	n->cmdline_len = sizeof cmd - 1;
	struct render_ctx ctx;
	ctx_init(&ctx, &s, NULL);
	size_t len;
	char *doc = render(render_json, &ctx, &len);
	CHECK(json_valid(doc, len));
	CHECK(tu_valid_utf8((const unsigned char *)doc, len));
	CHECK(!tu_has_control(doc, len, "\n"));
	CHECK_INT(count(doc, "\n"), 4);
	free(doc);
	snap_free(&s);
}

/* ---------------------------------------------------------------- render_csv */

TEST(render_csv_records)
{
	struct ps_snapshot s;
	build(&s);
	struct render_ctx ctx;
	ctx_init(&ctx, &s, "proto,local,remote,state,pid,program,command");
	size_t n;
	char *csv = render(render_csv, &ctx, &n);
	{
		static const char want1[] =
		    "proto,local,remote,state,pid,program,command\n"
		    "tcp,0.0.0.0:8080,0.0.0.0:*,LISTEN,100,nginx,\"nginx -g 'daemon off;'\"\n"
		    "tcp,0.0.0.0:8080,0.0.0.0:*,LISTEN,101,\"evil\\x1b[2J\"\"\\\\\\u{2028}\\xff\","
		    "\n"
		    "tcp6,[::1]:5000,[::1]:40000,TIME-WAIT,,[kernel],\n";
		CHECK_STR(csv, want1);
	}
	CHECK(!tu_has_control(csv, n, "\n"));
	free(csv);

	ctx_init(&ctx, &s, "inode,fd,ppid,start,unit,container,exe,recvq,sendq");
	csv = render(render_csv, &ctx, &n);
	{
		static const char want2[] =
		    "inode,fd,ppid,start,unit,container,exe,recvq,sendq\n"
		    "1111,6,1,1970-01-01T00:00:00Z,nginx.service,,/usr/sbin/nginx,0,128\n"
		    "1111,7,,,,docker:0123456789ab,,0,128\n"
		    "0,,,,,,,0,0\n";
		CHECK_STR(csv, want2);
	}
	free(csv);
	snap_free(&s);
}

/* ---------------------------------------------------------------- render_table */

TEST(render_table_exact)
{
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	struct ps_socket *k = snap_add_socket(&s);
	k->proto = PS_TCP;
	k->state = PS_ST_LISTEN;
	k->local.addr.family = k->remote.addr.family = PS_INET;
	k->local.port = 22;
	long p = snap_add_proc(&s, 1);
	CHECK_INT(p, 0);
	s.procs[0].name = xstrdup("sshd");
	CHECK_INT(snap_add_owner(&s, 0, 0, 3), 0);
	snap_group_owners(&s);
	struct render_ctx ctx;
	ctx_init(&ctx, &s, "proto,local,state,pid,program");
	size_t n;
	char *t = render(render_table, &ctx, &n);
	/* widths: max(header, values); PID right-aligned; two spaces between; no trailing pad */
	{
		static const char want3[] = "PROTO  LOCAL       STATE   PID  PROGRAM\n"
					    "tcp    0.0.0.0:22  LISTEN    1  sshd\n";
		CHECK_STR(t, want3);
	}
	free(t);

	/* a socket without owner shows "-" and the owner status */
	s.socks[0].owner_count = 0;
	s.socks[0].owner_status = PS_OWN_NOPERM;
	t = render(render_table, &ctx, &n);
	{
		static const char want4[] = "PROTO  LOCAL       STATE   PID  PROGRAM\n"
					    "tcp    0.0.0.0:22  LISTEN    -  [no-permission]\n";
		CHECK_STR(t, want4);
	}
	free(t);
	snap_free(&s);
}

TEST(render_table_cuts_to_width)
{
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	struct ps_socket *k = snap_add_socket(&s);
	k->proto = PS_TCP;
	k->state = PS_ST_LISTEN;
	k->local.addr.family = k->remote.addr.family = PS_INET;
	k->local.port = 22;
	CHECK_INT(snap_add_proc(&s, 9), 0);
	static const char cmd[] = "/usr/bin/python3\0-m\0http.server\0"
				  "8000";
	s.procs[0].cmdline = xmemdup(cmd, sizeof cmd - 1);
	s.procs[0].cmdline_len = sizeof cmd - 1;
	CHECK_INT(snap_add_owner(&s, 0, 0, 3), 0);
	snap_group_owners(&s);
	struct render_ctx ctx;
	ctx_init(&ctx, &s, "proto,local,command");
	ctx.o.width = 30;
	size_t n;
	char *t = render(render_table, &ctx, &n);
	/* COMMAND gets 30 - (5 + 2 + 10 + 2) = 11 cells: 10 of text and the ellipsis */
	{
		static const char want5[] = "PROTO  LOCAL       COMMAND\n"
					    "tcp    0.0.0.0:22  /usr/bin/p\xe2\x80\xa6\n";
		CHECK_STR(t, want5);
	}
	free(t);
	ctx.o.wide = true;
	t = render(render_table, &ctx, &n);
	{
		static const char want6[] =
		    "PROTO  LOCAL       COMMAND\n"
		    "tcp    0.0.0.0:22  /usr/bin/python3 -m http.server 8000\n";
		CHECK_STR(t, want6);
	}
	free(t);
	snap_free(&s);
}

TEST(render_table_hostile_name)
{
	struct ps_snapshot s;
	build(&s);
	/* more hostility: C1 CSI, RLO, BEL, DEL, CR in the exe, command and unit too */
	struct ps_proc *h = &s.procs[0];
	h->exe = xstrdup("/tmp/\x9b"
			 "6n\xc2\x9b"
			 "31m\r\n\x07\x7f\xe2\x80\xae"
			 "gpj.sh");
	static const char cmd[] = "sh\0-c\0printf '\x1b]0;pwned\x07'\0\xc2\x85\r";
	h->cmdline = xmemdup(cmd, sizeof cmd - 1);
	h->cmdline_len = sizeof cmd - 1;
	h->unit = xstrdup("x\x1b[8m.service");
	struct render_ctx ctx;
	ctx_init(&ctx, &s, "proto,local,remote,state,pid,user,program,unit,container,exe,command");
	for (int color = 0; color < 2; color++) {
		ctx.o.color = color;
		for (size_t width = 0; width <= 120; width += 40) {
			ctx.o.width = width;
			size_t n;
			char *t = render(render_table, &ctx, &n);
			if (!color) {
				CHECK(!tu_has_control(t, n, "\n"));
			} else {
				/* only our own SGR sequences: ESC always followed by '[' digits 'm'
				 */
				for (size_t i = 0; i < n; i++) {
					if (t[i] != 0x1b)
						continue;
					size_t j = i + 1;
					CHECK(j < n && t[j] == '[');
					for (j++;
					     j < n && ((t[j] >= '0' && t[j] <= '9') || t[j] == ';');
					     j++)
						;
					CHECK(j < n && t[j] == 'm');
				}
				for (size_t i = 0; i < n; i++)
					CHECK(t[i] == 0x1b || t[i] == '\n' ||
					      ((unsigned char)t[i] >= 0x20 && t[i] != 0x7f));
			}
			CHECK(!tu_has_c1(t, n));
			CHECK(!strstr(t, "\xe2\x80\xae") && !strstr(t, "\xe2\x80\xa8"));
			CHECK(tu_valid_utf8((const unsigned char *)t, n));
			CHECK_INT(count(t, "\n"), 4); /* header + 2 owners + 1 socket */
			if (width == 0) {
				/* PROGRAM: the executable's name (the comm starts neither it nor
				 * argv[0]) */
				HAS(t,
				    "  \\x9b6n\\u{009b}31m\\x0d\\x0a\\x07\\x7f\\u{202e}gpj.sh  ");
				HAS(t,
				    "/tmp/\\x9b6n\\u{009b}31m\\x0d\\x0a\\x07\\x7f\\u{202e}gpj.sh");
				HAS(t, "x\\x1b[8m.service");
				/* the backslash of the shell quoting is literal: before a quote it
				 * reads as no escape */
				HAS(t,
				    "sh -c 'printf '\\''\\x1b]0;pwned\\x07'\\''' \\u{0085}\\x0d");
				HAS(t, "docker:0123456789ab");
			}
			free(t);
		}
	}
	/* without an executable, PROGRAM is the comm, escaped */
	free(h->exe);
	h->exe = NULL;
	ctx.o.color = false;
	ctx.o.width = 0;
	size_t n;
	char *t = render(render_table, &ctx, &n);
	HAS(t, "evil\\x1b[2J\"\\\\\\u{2028}\\xff");
	free(t);
	snap_free(&s);
}

TEST(cmdline_format_quotes_arguments_not_a_title)
{
	struct ps_proc p = {0};
	struct buf b = {0};
	static const char args[] = "/opt/my d\0-c\0\0it's";
	p.cmdline = (char *)args;
	p.cmdline_len = sizeof args - 1;
	CHECK_INT(cmdline_format(&b, &p), 0);
	CHECK_STR(b.data, "'/opt/my d' -c '' 'it'\\''s'");
	/* a lone argument is the process's own title: as ps shows it */
	static const char title[] =
	    "nginx: master process /usr/sbin/nginx -c /etc/nginx/nginx.conf";
	p.cmdline = (char *)title;
	p.cmdline_len = sizeof title - 1;
	p.cmdline_truncated = true;
	buf_clear(&b);
	CHECK_INT(cmdline_format(&b, &p), 0);
	CHECK_STR(b.data,
		  "nginx: master process /usr/sbin/nginx -c /etc/nginx/nginx.conf [truncated]");
	buf_free(&b);
}
