/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_manpage.c — docs/portsleuth.1 documents every column, option, owner status and JSON key the
 * code has. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/cli/cli.h"
#include "../../src/cli/common.h"
#include "../../src/enrich/fwstage.h"
#include "../../src/enrich/registry.h"
#include "../../src/enrich/verdict.h"
#include "../../src/model/diff.h"
#include "../../src/model/fwmodel.h"
#include "../../src/model/model.h"
#include "../../src/model/policy.h"
#include "../../src/output/changes.h"
#include "../../src/output/check.h"
#include "../../src/output/explain.h"
#include "../../src/output/output.h"
#include "../../src/platform/platform.h"
#include "../../src/util/buf.h"
#include "../../src/util/json_parse.h"
#include "../../src/util/str.h"
#include "test.h"

/*
 * How: the page is reduced to plain text (font macros and escapes removed) and cut
 * into sections and tagged paragraphs (.TP). Columns come from columns[], options
 * from the --help text (cli_list_usage()), owner statuses from owner_status_name(),
 * exit codes from cli.h, and JSON keys from the real output of every JSON emitter
 * (the listing and snapshot document, explain, diff, watch and check) on a model
 * built here with every optional part filled, so adding any of them without
 * documenting it fails here.
 *
 * The unit test binary runs with the repository root as its working directory.
 */
#define MANPAGE "docs/portsleuth.1"

/* ---- small growable string ---- */

struct sb {
	char *s;
	size_t len, cap;
};

static void sb_putn(struct sb *b, const char *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t nc = b->cap ? b->cap : 64;
		while (nc < b->len + n + 1)
			nc *= 2;
		char *ns = realloc(b->s, nc);
		if (!ns)
			abort();
		b->s = ns;
		b->cap = nc;
	}
	memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void sb_puts(struct sb *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

static void sb_putc(struct sb *b, char c)
{
	sb_putn(b, &c, 1);
}

/* The string, "" when nothing was added. Owned by b. */
static const char *sb_str(const struct sb *b)
{
	return b->s ? b->s : "";
}

/* The whole file, NUL-terminated, or NULL. */
static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		fprintf(stderr, "  cannot open %s (tests run from the repository root)\n", path);
		return NULL;
	}
	struct sb b = {0};
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
		sb_putn(&b, chunk, n);
	fclose(fp);
	if (!b.s)
		sb_puts(&b, "");
	*len = b.len;
	return b.s;
}

/* ---- roff to plain text ---- */

static bool is_word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

static void special_char(struct sb *out, const char *name, size_t n)
{
	static const struct {
		const char *name, *text;
	} map[] = {
	    {"aq", "'"}, {"dq", "\""}, {"lq", "\""}, {"rq", "\""},     {"em", "--"},
	    {"en", "-"}, {"bu", "*"},  {"rs", "\\"}, {"u2026", "..."},
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strlen(map[i].name) == n && memcmp(map[i].name, name, n) == 0) {
			sb_puts(out, map[i].text);
			return;
		}
	sb_putc(out, '?');
}

/* Append s[0..n) with the roff escapes the page uses turned into plain text. */
static void roff_plain(struct sb *out, const char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		if (s[i] != '\\' || i + 1 >= n) {
			sb_putc(out, s[i++]);
			continue;
		}
		char e = s[i + 1];
		i += 2;
		switch (e) {
		case '-':
			sb_putc(out, '-');
			break;
		case 'e':
		case '\\':
			sb_putc(out, '\\');
			break;
		case ' ':
		case '~':
			sb_putc(out, ' ');
			break;
		case '&':
		case 'c':
		case '%':
		case '|':
		case '^':
		case ':':
		case ')':
			break;
		case 'f': /* font change: \fB, \f(CW, \f[CR] */
			if (i < n && s[i] == '(')
				i += 3;
			else if (i < n && s[i] == '[') {
				while (i < n && s[i] != ']')
					i++;
				i++;
			} else
				i++;
			break;
		case '(':
			if (i + 2 <= n)
				special_char(out, s + i, 2);
			i += 2;
			break;
		case '[': {
			size_t start = i;
			while (i < n && s[i] != ']')
				i++;
			special_char(out, s + start, i - start);
			i++;
			break;
		}
		default:
			sb_putc(out, e);
			break;
		}
	}
}

/*
 * Append the arguments of a macro line as plain text: quoted arguments keep their
 * spaces; `tight` joins them without spaces (the alternating font macros .BR, .IR...).
 */
static void macro_args(struct sb *out, const char *p, const char *end, bool tight)
{
	bool first = true;
	while (p < end) {
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p >= end)
			break;
		struct sb raw = {0};
		if (*p == '"') {
			p++;
			while (p < end) {
				if (*p == '"') {
					if (p + 1 < end && p[1] == '"') {
						sb_putc(&raw, '"');
						p += 2;
						continue;
					}
					p++;
					break;
				}
				if (*p == '\\' && p + 1 < end) {
					sb_putn(&raw, p, 2);
					p += 2;
					continue;
				}
				sb_putc(&raw, *p++);
			}
		} else {
			while (p < end && *p != ' ' && *p != '\t') {
				if (*p == '\\' && p + 1 < end) {
					sb_putn(&raw, p, 2);
					p += 2;
					continue;
				}
				sb_putc(&raw, *p++);
			}
		}
		if (!first && !tight)
			sb_putc(out, ' ');
		first = false;
		roff_plain(out, sb_str(&raw), raw.len);
		free(raw.s);
	}
}

/* One line of the page: a structural macro ("TP", "SH"...) or plain text (macro ""). */
struct rline {
	char macro[4];
	char *text; /* heading for SH/SS, the text for text lines, "" otherwise */
};

struct page {
	struct rline *lines;
	size_t n;
};

static void page_add(struct page *pg, const char *macro, char *text)
{
	struct rline *nl = realloc(pg->lines, (pg->n + 1) * sizeof *nl);
	if (!nl)
		abort();
	pg->lines = nl;
	snprintf(pg->lines[pg->n].macro, sizeof pg->lines[pg->n].macro, "%s", macro);
	pg->lines[pg->n].text = text;
	pg->n++;
}

static void page_free(struct page *pg)
{
	for (size_t i = 0; i < pg->n; i++)
		free(pg->lines[i].text);
	free(pg->lines);
	pg->lines = NULL;
	pg->n = 0;
}

/* Turn roff source into lines of plain text and structural macros. */
static void page_parse(struct page *pg, const char *src, size_t len)
{
	static const char *const font_spaced[] = {"B", "I", "SM", "SB"};
	static const char *const font_tight[] = {"BR", "RB", "BI", "IB", "IR", "RI"};
	const char *p = src, *end = src + len;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		struct sb text = {0};
		if (p < eol && (*p == '.' || *p == '\'')) {
			const char *q = p + 1;
			while (q < eol && (*q == ' ' || *q == '\t'))
				q++;
			if (eol - q >= 2 && q[0] == '\\' && q[1] == '"') {
				p = eol + 1; /* comment */
				continue;
			}
			const char *name = q;
			while (q < eol && *q != ' ' && *q != '\t')
				q++;
			size_t nl = (size_t)(q - name);
			char macro[4] = "";
			if (nl < sizeof macro)
				memcpy(macro, name, nl);
			else
				memcpy(macro, "?", 2);
			bool is_font = false, tight = false;
			for (size_t i = 0; i < sizeof font_spaced / sizeof *font_spaced; i++)
				is_font |= strcmp(macro, font_spaced[i]) == 0;
			for (size_t i = 0; i < sizeof font_tight / sizeof *font_tight; i++)
				tight |= strcmp(macro, font_tight[i]) == 0;
			if (is_font || tight) {
				macro_args(&text, q, eol, tight);
				page_add(pg, "", text.s ? text.s : strdup(""));
			} else {
				if (strcmp(macro, "SH") == 0 || strcmp(macro, "SS") == 0)
					macro_args(&text, q, eol, false);
				page_add(pg, macro, text.s ? text.s : strdup(""));
			}
		} else if (p < eol) {
			roff_plain(&text, p, (size_t)(eol - p));
			page_add(pg, "", text.s ? text.s : strdup(""));
		}
		p = eol + 1;
	}
}

static bool load_page(struct page *pg)
{
	size_t len;
	char *src = slurp(MANPAGE, &len);
	if (!src)
		return false;
	page_parse(pg, src, len);
	free(src);
	return true;
}

/* The lines [*from, *to) of section `name` (an .SH heading), false when it is missing. */
static bool page_section(const struct page *pg, const char *name, size_t *from, size_t *to)
{
	for (size_t i = 0; i < pg->n; i++) {
		if (strcmp(pg->lines[i].macro, "SH") != 0 || strcmp(pg->lines[i].text, name) != 0)
			continue;
		size_t j = i + 1;
		while (j < pg->n && strcmp(pg->lines[j].macro, "SH") != 0)
			j++;
		*from = i + 1;
		*to = j;
		return true;
	}
	return false;
}

static bool ends_paragraph(const char *macro)
{
	return strcmp(macro, "TP") == 0 || strcmp(macro, "SH") == 0 || strcmp(macro, "SS") == 0 ||
	       strcmp(macro, "PP") == 0 || strcmp(macro, "LP") == 0 || strcmp(macro, "P") == 0;
}

/*
 * The next tagged paragraph (.TP) at or after line *i and before `to`: its tag
 * line and its body (the text up to the next paragraph, .IP continuations
 * included, whitespace collapsed). False when there is none.
 */
static bool next_entry(const struct page *pg, size_t *i, size_t to, const char **tag,
		       struct sb *body)
{
	for (; *i < to; (*i)++) {
		if (strcmp(pg->lines[*i].macro, "TP") != 0 || *i + 1 >= to ||
		    pg->lines[*i + 1].macro[0] != '\0')
			continue;
		*tag = pg->lines[*i + 1].text;
		body->len = 0;
		if (body->s)
			body->s[0] = '\0';
		size_t j = *i + 2;
		for (; j < to && !ends_paragraph(pg->lines[j].macro); j++) {
			if (pg->lines[j].macro[0] != '\0')
				continue;
			for (const char *c = pg->lines[j].text; *c; c++) {
				bool space = *c == ' ' || *c == '\t';
				if (space && (body->len == 0 || body->s[body->len - 1] == ' '))
					continue;
				sb_putc(body, space ? ' ' : *c);
			}
			if (body->len && body->s[body->len - 1] != ' ')
				sb_putc(body, ' ');
		}
		*i = j;
		return true;
	}
	return false;
}

/* Whether `word` occurs in s as a whole token (not inside a longer name). */
static bool has_token(const char *s, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = strstr(s, word); p; p = strstr(p + 1, word)) {
		bool left = p == s || !is_word_char(p[-1]);
		bool right = !is_word_char(p[n]);
		if (left && right)
			return true;
	}
	return false;
}

/* ---- the checks; each returns its number of problems, reported to `log` unless NULL ---- */

__attribute__((format(printf, 3, 4))) static void problem(FILE *log, int *count, const char *fmt,
							  ...)
{
	(*count)++;
	if (!log)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs("  man page: ", log);
	vfprintf(log, fmt, ap);
	fputc('\n', log);
	va_end(ap);
}

/*
 * COLUMNS has one entry "key (HEADER)" per column of columns[], whose text holds
 * the column's doc line and JSON location, and no entry for a column that is gone.
 */
static int check_columns(const struct page *pg, FILE *log)
{
	int bad = 0;
	size_t from, to;
	if (!page_section(pg, "COLUMNS", &from, &to)) {
		problem(log, &bad, "no COLUMNS section");
		return bad;
	}
	bool seen[COL__COUNT] = {false};
	struct sb body = {0};
	const char *tag;
	for (size_t i = from; next_entry(pg, &i, to, &tag, &body);) {
		const char *open = strstr(tag, " (");
		size_t tl = strlen(tag);
		if (!open || tl < 4 || tag[tl - 1] != ')')
			continue; /* not a column entry */
		int found = -1;
		for (int c = 0; c < COL__COUNT; c++) {
			char want[128];
			snprintf(want, sizeof want, "%s (%s)", columns[c].key, columns[c].header);
			if (strcmp(tag, want) == 0)
				found = c;
		}
		if (found < 0) {
			problem(log, &bad, "COLUMNS documents '%s', which is not in columns[]",
				tag);
			continue;
		}
		if (seen[found])
			problem(log, &bad, "COLUMNS documents '%s' twice", tag);
		seen[found] = true;
		if (!strstr(sb_str(&body), columns[found].doc))
			problem(log, &bad, "column '%s': the text lacks its doc line \"%s\"",
				columns[found].key, columns[found].doc);
		if (strcmp(columns[found].json, "-") != 0 &&
		    !strstr(sb_str(&body), columns[found].json))
			problem(log, &bad, "column '%s': the text lacks its JSON location \"%s\"",
				columns[found].key, columns[found].json);
	}
	for (int c = 0; c < COL__COUNT; c++)
		if (!seen[c])
			problem(log, &bad, "COLUMNS has no entry \"%s (%s)\"", columns[c].key,
				columns[c].header);
	free(body.s);
	return bad;
}

struct names {
	char **v;
	size_t n;
};

static void names_add(struct names *ns, const char *s, size_t n)
{
	for (size_t i = 0; i < ns->n; i++)
		if (strlen(ns->v[i]) == n && memcmp(ns->v[i], s, n) == 0)
			return;
	char **nv = realloc(ns->v, (ns->n + 1) * sizeof *nv);
	if (!nv)
		abort();
	ns->v = nv;
	if (!(ns->v[ns->n] = str_dup_n(s, n)))
		abort();
	ns->n++;
}

static bool names_has(const struct names *ns, const char *s)
{
	for (size_t i = 0; i < ns->n; i++)
		if (strcmp(ns->v[i], s) == 0)
			return true;
	return false;
}

static void names_free(struct names *ns)
{
	for (size_t i = 0; i < ns->n; i++)
		free(ns->v[i]);
	free(ns->v);
	ns->v = NULL;
	ns->n = 0;
}

/* What the usage text (`portsleuth --help`) offers: long options ("--all") and pairs ("-a, --all").
 */
struct usage_opts {
	struct names usage_long, usage_pairs;
};

static void usage_opts_load(struct usage_opts *o, const char *usage)
{
	for (const char *p = strstr(usage, "--"); p; p = strstr(p + 2, "--")) {
		if (p > usage && is_word_char(p[-1]))
			continue;
		size_t n = 2;
		while (is_word_char(p[n]))
			n++;
		if (n == 2)
			continue;
		names_add(&o->usage_long, p, n);
		/* "-X, --name" with X a letter or digit, at the start of a word */
		if (p - usage >= 4 && p[-1] == ' ' && p[-2] == ',' && p[-4] == '-' &&
		    is_word_char(p[-3]) && p[-3] != '-' && (p - usage == 4 || p[-5] == ' '))
			names_add(&o->usage_pairs, p - 4, n + 4);
	}
}

static void usage_opts_free(struct usage_opts *o)
{
	names_free(&o->usage_long);
	names_free(&o->usage_pairs);
}

/* OPTIONS has an entry whose tag names every option of the usage text, with its short form. */
static int check_options(const struct page *pg, const struct usage_opts *o, FILE *log)
{
	int bad = 0;
	size_t from, to;
	if (!page_section(pg, "OPTIONS", &from, &to)) {
		problem(log, &bad, "no OPTIONS section");
		return bad;
	}
	struct names tags = {0};
	struct sb body = {0};
	const char *tag;
	for (size_t i = from; next_entry(pg, &i, to, &tag, &body);)
		names_add(&tags, tag, strlen(tag));
	for (size_t k = 0; k < o->usage_long.n; k++) {
		bool found = false;
		for (size_t i = 0; i < tags.n && !found; i++)
			found = has_token(tags.v[i], o->usage_long.v[k]);
		if (!found)
			problem(log, &bad, "OPTIONS has no entry for %s", o->usage_long.v[k]);
	}
	for (size_t k = 0; k < o->usage_pairs.n; k++) {
		bool found = false;
		for (size_t i = 0; i < tags.n && !found; i++)
			found = strstr(tags.v[i], o->usage_pairs.v[k]) != NULL;
		if (!found)
			problem(log, &bad, "OPTIONS has no entry \"%s\"", o->usage_pairs.v[k]);
	}
	names_free(&tags);
	free(body.s);
	return bad;
}

/* The entry tags of a section. */
static void section_tags(const struct page *pg, const char *section, struct names *tags)
{
	size_t from, to;
	struct sb body = {0};
	const char *tag;
	if (page_section(pg, section, &from, &to))
		for (size_t i = from; next_entry(pg, &i, to, &tag, &body);)
			names_add(tags, tag, strlen(tag));
	free(body.s);
}

/* ---- every JSON emitter's keys, from its real output ---- */

static char *xdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

/*
 * A judged model with every optional part: a listener on 22 held by a process
 * from /tmp (findings) with ancestry, supervisor, container with pod, published
 * port and socket activation; a socket without owner labelled from its own
 * cgroup; a named network namespace; user names.
 */
static void build_full(struct ps_snapshot *s, struct registry *reg)
{
	memset(s, 0, sizeof *s);
	memset(reg, 0, sizeof *reg);
	struct ps_socket *a = snap_add_socket(s);
	struct ps_socket *b = snap_add_socket(s);
	if (!a || !b)
		abort();
	a = &s->socks[0];
	b = &s->socks[1];
	a->proto = PS_TCP;
	a->state = PS_ST_LISTEN;
	a->local.addr.family = a->remote.addr.family = PS_INET6;
	a->local.port = 22;
	a->inode = 1111;
	a->netns = 4026531840u;
	a->v6only = PS_V6ONLY_NO;
	/* Windows only: every documented key is written */
	CHECK_INT(snap_set_created(s, a, 1777627812), 0);
	if (!(s->urlacls = calloc(1, sizeof *s->urlacls)))
		abort();
	s->urlacls[0] = (struct ps_urlacl){xdup("http://+:22/x/"), xdup("D:(A;;GX;;;WD)"), 22};
	s->nurlacls = 1;
	b->proto = PS_UDP;
	b->state = PS_ST_CLOSE;
	b->local.addr.family = b->remote.addr.family = PS_INET;
	b->local.port = 31337;
	b->inode = 2222;
	b->uid = 1000;
	b->netns = 4026531840u;
	b->owner_status = PS_OWN_NOPERM;
	b->sockcg = 1;
	if (snap_add_proc(s, 100) != 0)
		abort();
	struct ps_proc *p = &s->procs[0];
	p->name = xdup("sshd");
	p->exe = xdup("/tmp/.x/sshd");
	proc_more_get(p)->file_description =
	    xdup("OpenSSH server"); /* Windows only: every key is written */
	proc_more_get(p)->file_version = xdup("9.2.0.0");
	static const char cmd[] = "/tmp/.x/sshd\0-D";
	p->cmdline = malloc(sizeof cmd);
	if (!p->cmdline)
		abort();
	memcpy(p->cmdline, cmd, sizeof cmd);
	p->cmdline_len = sizeof cmd - 1;
	p->have_uid = true;
	p->ppid = 1;
	p->start_time = 0;
	p->cgroup = xdup("/system.slice/ssh.service");
	p->unit = xdup("ssh.service");
	p->unit_type = "user";
	p->unit_uid = 1000;
	p->have_unit_uid = true;
	p->slice = xdup("system.slice");
	p->container = xdup("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	p->container_runtime = "docker";
	p->container_name = xdup("web");
	p->pod_uid = xdup("pod-1");
	p->pod_qos = "burstable";
	p->ancestry = calloc(1, sizeof *p->ancestry);
	p->published = calloc(1, sizeof *p->published);
	p->activation = calloc(1, sizeof *p->activation);
	if (!p->ancestry || !p->published || !p->activation)
		abort();
	p->ancestry[0] = (struct ps_ancestor){1, xdup("systemd"), xdup("/usr/lib/systemd/systemd")};
	p->nancestry = 1;
	p->supervisor_kind = "systemd-unit";
	p->supervisor_pid = 1;
	p->supervisor_unit = xdup("ssh.service");
	*p->published = (struct ps_published){"docker", xdup("0123"), xdup("web"), 22};
	*p->activation = (struct ps_activation){.role = "service",
						.by = "systemd",
						.listen_fds = 1,
						.socket_unit = xdup("ssh.socket"),
						.service_unit = xdup("ssh.service")};
	p->pkg = PKG_UNOWNED;
	if (snap_add_owner(s, 0, 0, 3))
		abort();
	snap_group_owners(s);
	s->socks[0].owner_status = PS_OWN_OK;
	struct ps_socket *k4 = snap_add_socket(s); /* pid 4's (Windows: http.sys), no process */
	if (!k4)
		abort();
	k4->proto = PS_TCP, k4->state = PS_ST_LISTEN, k4->owner_status = PS_OWN_KERNEL;
	k4->local.addr.family = k4->remote.addr.family = PS_INET, k4->local.port = 22;
	k4->netns = 4026531840u;
	s->sockcgs = calloc(1, sizeof *s->sockcgs);
	s->nets = calloc(1, sizeof *s->nets);
	s->addrs = calloc(1, sizeof *s->addrs);
	s->usernames = calloc(2, sizeof *s->usernames);
	if (!s->sockcgs || !s->nets || !s->addrs || !s->usernames)
		abort();
	s->sockcgs[0] = (struct ps_sockcg){.id = 7,
					   .path = xdup("/user.slice/user-1000.slice/app.service"),
					   .unit = xdup("app.service"),
					   .unit_type = "system"};
	s->nsockcgs = 1;
	s->nets[0] = (struct ps_netns){.inode = 4026531840u, .name = xdup("blue"), .listeners = 2};
	s->nnets = 1;
	s->all_netns = true;
	s->netns = 4026531840u; /* the sockets' own: judged on its addresses and rules */
	s->addrs[0] = (struct ps_ifaddr){
	    1, xdup("lo"), {.family = PS_INET, .bytes = {127, 0, 0, 1}}, {0}, s->netns};
	s->naddrs = 1;
	s->usernames[0] = (struct ps_username){0, xdup("root")};
	s->usernames[1] = (struct ps_username){1000, xdup("alice")};
	s->nusernames = 2;
	s->source = "netlink";
	snap_count_status(s);
	/* the firewall: an input chain that lets 10.0.0.0/8 in ("some"), and one forwarded port */
	struct fw_context fw = {.src = {.kind = PS_FW_SRC_NETFILTER, .legacy = xdup("")},
				.netns = 4026531840u};
	long in = fw_chain_add(&fw.src.rules, "filter", "INPUT", FW_FAM_IP);
	if (in < 0)
		abort();
	fw.src.rules.chains[in].hook = FW_HOOK_INPUT;
	fw.src.rules.chains[in].policy = FW_V_DROP;
	struct fw_rule *r = fw_rule_add(&fw.src.rules.chains[in]);
	struct fw_match *m = r ? fw_match_add(r, FW_F_SADDR, 4) : NULL;
	struct fw_range rg;
	fw_prefix_range((const uint8_t[]){10, 0, 0, 0}, 4, 8, &rg);
	if (!m || fw_match_range(m, rg.lo, rg.hi) || fw_ruleset_index(&fw.src.rules))
		abort();
	r->handle = 9;
	r->v.kind = FW_V_ACCEPT;
	s->firewall = calloc(1, sizeof *s->firewall);
	struct ps_forward *f = s->firewall ? (s->firewall->fwd = calloc(1, sizeof *f)) : NULL;
	struct ps_fw_owner *o = f ? (f->owners = calloc(1, sizeof *o)) : NULL;
	if (!o)
		abort();
	s->firewall->read = true;
	s->firewall->legacy = xdup("");
	s->firewall->rules = 1;
	s->firewall->nfwd = 1;
	*f = (struct ps_forward){.proto = "tcp",
				 .family = 4,
				 .port = 8080,
				 .port_end = 8080,
				 .to_addr = xdup("172.17.0.2"),
				 .to_port = 80,
				 .to_port_end = 80,
				 .kind = "dnat",
				 .prerouting = true,
				 .runtime = "docker",
				 .rule_family = xdup("ip"),
				 .rule_table = xdup("nat"),
				 .rule_chain = xdup("DOCKER"),
				 .rule_handle = 12,
				 .target_netns = 4026532000u,
				 .target_netns_name = xdup("web"),
				 .container_id = xdup("0123"),
				 .container_name = xdup("web"),
				 .container_runtime = "docker",
				 .owners = o,
				 .nowners = 1};
	*o = (struct ps_fw_owner){200, xdup("nginx")};
	if (verdicts_compute(s, reg, &fw))
		abort();
	fw_context_free(&fw);
}

/* Render with fn into memory. */
static char *render_mem(int (*fn)(FILE *, const void *), const void *ctx)
{
	char *text = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&text, &n);
	if (!fp)
		abort();
	CHECK_INT(fn(fp, ctx), 0);
	fclose(fp);
	return text;
}

/* Every object key of v (recursively) into keys. */
static void collect_keys(const struct json *v, struct names *keys)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		if (v->type == JSON_OBJECT)
			names_add(keys, v->keys[i], strlen(v->keys[i]));
		collect_keys(v->items[i], keys);
	}
}

/* Parse every line (or the whole text when one_doc) and collect the keys; false when it is not
 * JSON. */
static bool keys_of(const char *text, bool one_doc, struct names *keys)
{
	const char *p = text;
	while (p && *p) {
		const char *end = one_doc ? p + strlen(p) : strchr(p, '\n');
		if (!end)
			end = p + strlen(p);
		struct json *v = NULL;
		struct json_error err;
		if (json_parse(p, (size_t)(end - p), &v, &err)) {
			fprintf(stderr, "  not JSON (line %zu: %s): %.200s\n", err.line, err.msg,
				p);
			return false;
		}
		collect_keys(v, keys);
		json_free(v);
		p = *end ? end + 1 : end;
	}
	return true;
}

struct doc_ctx {
	const struct ps_snapshot *s;
	struct registry *reg;
	const struct diff_side *a, *b;
	const struct diff_result *r;
	const struct check_baseline *bl;
	const struct policy_report *rep;
};

static int emit_list(FILE *fp, const void *c)
{
	const struct doc_ctx *d = c;
	struct json_header h = {"host", "boot", "2026-05-01T00:00:00Z"};
	struct render_ctx ctx = {.snap = d->s, .header = &h};
	return render_json(fp, &ctx);
}

static int emit_explain(FILE *fp, const void *c)
{
	const struct doc_ctx *d = c;
	struct explain_port e = {.port = 22, .proto = -1};
	for (unsigned pr = 0; pr < PS_PROTO_COUNT; pr++)
		e.known[pr] = registry_lookup(d->reg, 22, pr, &e.info[pr]);
	return render_explain_json(fp, d->s, &e);
}

static int emit_diff(FILE *fp, const void *c)
{
	const struct doc_ctx *d = c;
	struct diff_origin o = {"before.json", "host", "boot", "2026-05-01T00:00:00Z"};
	return render_diff_json(fp, d->r, d->a, d->b, &o, NULL);
}

static int emit_watch(FILE *fp, const void *c)
{
	const struct doc_ctx *d = c;
	struct buf b = {0};
	struct watch_event e = {"2026-05-01T00:00:00.000Z", &d->r->v[0], d->a, d->b, true, true};
	struct watch_status st[3] = {{.kind = "start", .interval = 1, .why_not = "are off"},
				     {.kind = "lost-events"},
				     {.kind = "stop", .polls = 1}};
	int rc = render_watch_event(&b, &e, true, false);
	if (!rc && d->s->firewall && d->s->firewall->nfwd)
		rc = render_watch_forward(&b, e.time, &d->s->firewall->fwd[0], false, true);
	for (int i = 0; i < 3 && !rc; i++) {
		st[i].time = e.time;
		rc = render_watch_status(&b, &st[i], true);
	}
	if (!rc)
		fwrite(b.data, 1, b.len, fp);
	buf_free(&b);
	return rc;
}

static int emit_check(FILE *fp, const void *c)
{
	const struct doc_ctx *d = c;
	return render_check_json(fp, d->bl, d->rep, d->b);
}

/* What each emitter writes, and the man page sections that document its keys. */
static const struct {
	const char *name;
	int (*emit)(FILE *, const void *);
	bool one_doc;
	const char *section[2];
} emitters[] = {
    {"--json and snapshot", emit_list, true, {"JSON OUTPUT", NULL}},
    {"explain --json", emit_explain, true, {"EXPLAIN", "JSON OUTPUT"}},
    {"diff --json", emit_diff, true, {"SNAPSHOTS, DIFF, WATCH AND CHECK", NULL}},
    {"watch --json", emit_watch, false, {"SNAPSHOTS, DIFF, WATCH AND CHECK", NULL}},
    {"check --json", emit_check, true, {"SNAPSHOTS, DIFF, WATCH AND CHECK", NULL}},
};

/* The plain text of a section, one line per page line. */
static void section_text(const struct page *pg, const char *name, struct sb *out)
{
	size_t from = 0, to = 0;
	if (!page_section(pg, name, &from, &to))
		return;
	for (size_t i = from; i < to; i++) {
		sb_puts(out, pg->lines[i].text);
		sb_putc(out, '\n');
	}
}

/*
 * Run every emitter on the full model and check that each key it writes is named
 * in its sections, and that every key JSON OUTPUT documents is written. Returns the number of
 * problems (reported to log unless NULL); *nkeys gets the number of distinct keys seen.
 */
static int check_json_keys(const struct page *pg, FILE *log, size_t *nkeys)
{
	struct ps_snapshot s, after;
	struct registry reg, reg2;
	build_full(&s, &reg);
	build_full(&after, &reg2);
	after.socks[0].local.port = 2222; /* one closed, one new */
	struct diff_side a = {.snap = &s}, b = {.snap = &after};
	struct diff_result r;
	CHECK_INT(diff_compute(&a, &b, &r), 0);
	struct policy pol = {0};
	struct policy_error perr;
	static const char rules[] =
	    "allow tcp 2222 exe=/usr/sbin/sshd max-exposure=loopback\nrequire udp 53\n";
	CHECK_INT(policy_parse(rules, sizeof rules - 1, &pol, &perr), 0);
	struct policy snappol = {
	    0}; /* the other kind of rule: from a baseline socket, without a line */
	CHECK_INT(policy_from_snapshot(&a, false, &snappol), 0);
	struct policy_report rep = {0};
	CHECK_INT(policy_check(&pol, &b, &rep), 0);
	struct policy_report rep2 = {0};
	CHECK_INT(policy_check(&snappol, &b, &rep2), 0);
	struct check_baseline bl = {"policy", false, &pol}, bl2 = {"before.json", true, &snappol};
	struct doc_ctx d = {&s, &reg, &a, &b, &r, &bl, &rep};
	int bad = 0;
	struct names all = {0};
	for (size_t e = 0; e < sizeof emitters / sizeof emitters[0]; e++) {
		for (int pass = 0; pass < (emitters[e].emit == emit_check ? 2 : 1); pass++) {
			if (pass) {
				d.bl = &bl2;
				d.rep = &rep2;
			}
			char *text = render_mem(emitters[e].emit, &d);
			struct names keys = {0};
			if (!keys_of(text ? text : "", emitters[e].one_doc, &keys))
				problem(log, &bad, "%s: the output is not JSON", emitters[e].name);
			struct sb doc = {0};
			for (int k = 0; k < 2 && emitters[e].section[k]; k++)
				section_text(pg, emitters[e].section[k], &doc);
			for (size_t k = 0; k < keys.n; k++) {
				names_add(&all, keys.v[k], strlen(keys.v[k]));
				if (!has_token(sb_str(&doc), keys.v[k]))
					problem(log, &bad,
						"%s writes key \"%s\", which %s does not mention",
						emitters[e].name, keys.v[k],
						emitters[e].section[0]);
			}
			free(doc.s);
			names_free(&keys);
			free(text);
		}
	}
	/* and the other way: every key the JSON OUTPUT section documents is written */
	size_t from, to;
	struct sb body = {0};
	const char *tag;
	if (page_section(pg, "JSON OUTPUT", &from, &to))
		for (size_t i = from; next_entry(pg, &i, to, &tag, &body);) {
			/* "key (type)", "a, b (type)", "user (string or null), uid (number or
			 * null)" */
			for (const char *q = tag; *q;) {
				if (*q == '(') {
					const char *close = strchr(q, ')');
					q = close ? close + 1 : q + strlen(q);
					continue;
				}
				size_t n = 0;
				while (is_word_char(q[n]))
					n++;
				if (!n) {
					q++;
					continue;
				}
				char key[64];
				snprintf(key, sizeof key, "%.*s", (int)n, q);
				if (!names_has(&all, key))
					problem(log, &bad,
						"JSON OUTPUT documents key \"%s\", which no "
						"emitter writes",
						key);
				q += n;
			}
		}
	free(body.s);
	*nkeys = all.n;
	names_free(&all);
	policy_report_free(&rep);
	policy_report_free(&rep2);
	policy_free(&pol);
	policy_free(&snappol);
	diff_free(&r);
	snap_free(&s);
	snap_free(&after);
	return bad;
}

/* ---- tests ---- */

TEST(manpage_sections)
{
	static const char *const want[] = {
	    "NAME",	   "SYNOPSIS", "DESCRIPTION", "OPTIONS",    "PORTS",
	    "COLUMNS",	   "OWNERS",   "JSON OUTPUT", "PRIVILEGES", "ENVIRONMENT",
	    "EXIT STATUS", "FILES",    "EXAMPLES",    "SEE ALSO"};
	struct page pg = {0};
	CHECK(load_page(&pg));
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		size_t from, to;
		bool found = page_section(&pg, want[i], &from, &to);
		if (!found)
			fprintf(stderr, "  man page: no section %s\n", want[i]);
		CHECK(found);
	}
	page_free(&pg);
}

TEST(manpage_columns)
{
	struct page pg = {0};
	CHECK(load_page(&pg));
	CHECK_INT(check_columns(&pg, stderr), 0);
	page_free(&pg);
}

/* The check itself must notice a column that the page lost. */
TEST(manpage_columns_detects_missing_entry)
{
	struct page pg = {0};
	CHECK(load_page(&pg));
	CHECK_INT(check_columns(&pg, NULL), 0);
	for (int c = 0; c < COL__COUNT; c++) {
		char want[128];
		snprintf(want, sizeof want, "%s (%s)", columns[c].key, columns[c].header);
		size_t at = pg.n;
		for (size_t i = 0; i < pg.n; i++)
			if (pg.lines[i].macro[0] == '\0' && strcmp(pg.lines[i].text, want) == 0)
				at = i;
		CHECK(at < pg.n);
		if (at == pg.n)
			continue;
		char *saved = pg.lines[at].text;
		pg.lines[at].text = (char *)"something else";
		CHECK(check_columns(&pg, NULL) > 0);
		pg.lines[at].text = saved;
	}
	page_free(&pg);
}

TEST(manpage_options)
{
	struct page pg = {0};
	struct usage_opts o = {0};
	CHECK(load_page(&pg));
	usage_opts_load(&o, cli_list_usage());
	/* sanity: the usage text was read as expected */
	CHECK(names_has(&o.usage_long, "--json"));
	CHECK(names_has(&o.usage_pairs, "-o, --columns"));
	CHECK(names_has(&o.usage_pairs, "-u, --udp"));
	CHECK(!names_has(&o.usage_long, "--"));
	CHECK_INT(check_options(&pg, &o, stderr), 0);
	usage_opts_free(&o);
	page_free(&pg);
}

/* The check itself must notice an option that the page lost. */
TEST(manpage_options_detects_missing_entry)
{
	struct page pg = {0};
	struct usage_opts o = {0};
	CHECK(load_page(&pg));
	usage_opts_load(&o, cli_list_usage());
	CHECK_INT(check_options(&pg, &o, NULL), 0);
	usage_opts_load(&o, "  -q, --no-such-option    not documented\n");
	CHECK_INT(check_options(&pg, &o, NULL), 2); /* the long option and the pair */
	usage_opts_free(&o);
	page_free(&pg);
}

TEST(manpage_owner_status)
{
	struct page pg = {0};
	struct names tags = {0};
	CHECK(load_page(&pg));
	section_tags(&pg, "OWNERS", &tags);
	for (unsigned st = 0; st < PS_OWN__COUNT; st++) {
		bool found = names_has(&tags, owner_status_name(st));
		if (!found)
			fprintf(stderr, "  man page: OWNERS has no entry for %s\n",
				owner_status_name(st));
		CHECK(found);
	}
	names_free(&tags);
	page_free(&pg);
}

TEST(manpage_exit_status)
{
	static const int codes[] = {EXIT_OK,	   EXIT_NOMATCH,  EXIT_USAGE,
				    EXIT_FAILURE_, EXIT_FINDINGS, EXIT_UNVERIFIED};
	struct page pg = {0};
	struct names tags = {0};
	CHECK(load_page(&pg));
	section_tags(&pg, "EXIT STATUS", &tags);
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		char code[16];
		snprintf(code, sizeof code, "%d", codes[i]);
		CHECK(names_has(&tags, code));
	}
	CHECK_INT(tags.n, sizeof codes / sizeof codes[0]);
	names_free(&tags);
	page_free(&pg);
}

TEST(manpage_json_keys)
{
	struct page pg = {0};
	CHECK(load_page(&pg));
	size_t nkeys = 0;
	CHECK_INT(check_json_keys(&pg, stderr, &nkeys), 0);
	CHECK(nkeys > 120); /* every emitter ran and wrote its keys */
	page_free(&pg);
}

/* The check itself must notice a key that the page lost. */
TEST(manpage_json_keys_detects_missing_key)
{
	struct page pg = {0};
	CHECK(load_page(&pg));
	size_t nkeys = 0;
	/* "lost_notifications" (watch) and "sockets_by_worst_finding" (the document) */
	static const char *const gone[] = {"lost_notifications", "sockets_by_worst_finding",
					   "port_max"};
	for (size_t g = 0; g < sizeof gone / sizeof gone[0]; g++) {
		for (size_t i = 0; i < pg.n; i++) {
			char *t = pg.lines[i].text, *at;
			while ((at = strstr(t, gone[g])))
				at[0] = 'X'; /* no longer the key's name */
		}
		CHECK(check_json_keys(&pg, NULL, &nkeys) > 0);
	}
	page_free(&pg);
	/* a documented key no emitter writes */
	CHECK(load_page(&pg));
	CHECK_INT(check_json_keys(&pg, NULL, &nkeys), 0);
	bool renamed = false;
	for (size_t i = 0; i < pg.n && !renamed; i++)
		if (strcmp(pg.lines[i].text, "privileged (boolean)") == 0) {
			free(pg.lines[i].text);
			pg.lines[i].text = strdup("privileged, elevated (boolean)");
			renamed = pg.lines[i].text != NULL;
		}
	CHECK(renamed);
	CHECK_INT(check_json_keys(&pg, NULL, &nkeys), 1);
	page_free(&pg);
}

/* The roff-to-text reduction the checks rely on. */
TEST(manpage_roff_plain)
{
	struct page pg = {0};
	static const char src[] = ".\\\" comment\n"
				  ".SH \"JSON OUTPUT\"\n"
				  ".TP\n"
				  ".BR \\-o \", \" \\-\\-columns \" \\fILIST\\fR\"\n"
				  "text with \\(aqquotes\\(aq and \\fBbold\\fR\n";
	page_parse(&pg, src, sizeof src - 1);
	CHECK_INT(pg.n, 4);
	if (pg.n == 4) {
		CHECK_STR(pg.lines[0].macro, "SH");
		CHECK_STR(pg.lines[0].text, "JSON OUTPUT");
		CHECK_STR(pg.lines[1].macro, "TP");
		CHECK_STR(pg.lines[2].text, "-o, --columns LIST");
		CHECK_STR(pg.lines[3].text, "text with 'quotes' and bold");
	}
	page_free(&pg);
}

/* --help in a platform's terms: without namespaces and a /proc scan, the Linux passages are
 * replaced (and still found: an edit of the help text that loses them fails here). */
TEST(usage_in_platform_terms)
{
	struct platform_caps lin = {.name = "linux", .namespaces = true, .destroy_events = true};
	struct platform_caps win = {.name = "windows", .owners_from_collect = true};
	struct buf b = {0};
	CHECK_INT(cli_usage_for(cli_list_usage(), &lin, &b), 0);
	CHECK_STR(b.data, cli_list_usage());
	buf_clear(&b);
	CHECK_INT(cli_usage_for(cli_list_usage(), &win, &b), 0);
	CHECK(b.data && !strstr(b.data, "bpf") && !strstr(b.data, "/proc") &&
	      !strstr(b.data, "every network namespace"));
	CHECK(b.data &&
	      strstr(b.data, "-N, --all-ns           network namespaces: not supported on "
			     "this platform\n"));
	CHECK(b.data && strstr(b.data, "--attribution HOW  no effect on this platform"));
	buf_free(&b);
}

/* watch's first line names the mechanism where the platform has one, and only then. */
TEST(watch_start_line_in_platform_terms)
{
	struct watch_status lin = {.time = "t",
				   .kind = "start",
				   .interval = 1,
				   .sockets = 2,
				   .mechanism = "sock_diag destroy notifications",
				   .why_not = "are off (--poll-only)"};
	struct watch_status win = {
	    .time = "t",
	    .kind = "start",
	    .interval = 1,
	    .sockets = 2,
	    .why_not = "this system does not report sockets that closed between polls"};
	struct buf b = {0};
	CHECK_INT(render_watch_status(&b, &lin, false), 0);
	CHECK_STR(b.data, "t  start            watching 2 listening sockets every 1s; short-lived "
			  "sockets between polls are NOT seen: sock_diag destroy notifications are "
			  "off (--poll-only)\n");
	buf_clear(&b);
	lin.destroy_notifications = true;
	CHECK_INT(render_watch_status(&b, &lin, false), 0);
	CHECK_STR(b.data, "t  start            watching 2 listening sockets every 1s; short-lived "
			  "sockets between polls are caught (sock_diag destroy notifications)\n");
	buf_clear(&b);
	CHECK_INT(render_watch_status(&b, &win, false), 0);
	CHECK_STR(b.data, "t  start            watching 2 listening sockets every 1s; short-lived "
			  "sockets between polls are NOT seen: this system does not report sockets "
			  "that closed between polls\n");
	buf_free(&b);
}
