/* SPDX-License-Identifier: GPL-2.0-or-later */
/* policy.c — parse baseline policies, derive them from snapshots and check listeners against them.
 */
#include "policy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/buf.h"
#include "../util/grow.h"
#include "exposure.h"
#include "verdict.h"

__attribute__((format(printf, 3, 4))) static int perr(struct policy_error *err, size_t line,
						      const char *fmt, ...)
{
	if (err) {
		err->line = line;
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
	}
	return -EBADMSG;
}

/* The error for an ack whose code names no finding: the codes there are, to pick from. */
static int unknown_code(struct policy_error *err, size_t line, const char *code)
{
	char codes[400] = "";
	size_t at = 0;
	for (size_t i = 0; finding_code_at(i) && at < sizeof codes; i++) {
		int n = snprintf(codes + at, sizeof codes - at, "%s%s", i ? ", " : "",
				 finding_code_at(i));
		at += n > 0 ? (size_t)n : 0;
	}
	return perr(err, line, "unknown finding code '%.40s' (codes: %s)", code, codes);
}

static void rule_free(struct policy_rule *r)
{
	free(r->exe);
	free(r->unit);
	free(r->container);
	free(r->name);
	free(r->user_unit);
	free(r->exe_real);
}

void policy_free(struct policy *p)
{
	for (size_t i = 0; i < p->n; i++)
		rule_free(&p->rules[i]);
	free(p->rules);
	for (size_t i = 0; i < p->nacks; i++) {
		rule_free(&p->acks[i].match);
		free(p->acks[i].code);
		free(p->acks[i].reason);
	}
	free(p->acks);
	memset(p, 0, sizeof *p);
}

static void rule_init(struct policy_rule *r)
{
	memset(r, 0, sizeof *r);
	r->max_exposure = -1;
	r->sock = -1;
}

static struct policy_ack *ack_add(struct policy *p)
{
	if (util_grow((void **)&p->acks, &p->acks_cap, p->nacks + 1, sizeof *p->acks))
		return NULL;
	struct policy_ack *a = &p->acks[p->nacks++];
	memset(a, 0, sizeof *a);
	rule_init(&a->match);
	return a;
}

static struct policy_rule *rule_add(struct policy *p)
{
	if (util_grow((void **)&p->rules, &p->cap, p->n + 1, sizeof *p->rules))
		return NULL;
	struct policy_rule *r = &p->rules[p->n++];
	rule_init(r);
	return r;
}

/*
 * Next word of the line at *pp (before end) into tok, unquoting "..." parts.
 * 1 a word, 0 none left (end or a comment), -EBADMSG (unterminated quote), -ENOMEM.
 */
static int next_word(const char **pp, const char *end, struct buf *tok)
{
	const char *p = *pp;
	buf_clear(tok);
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
		p++;
	if (p == end || *p == '#') {
		*pp = end;
		return 0;
	}
	if (buf_reserve(tok, 1))
		return -ENOMEM;
	while (p < end && *p != ' ' && *p != '\t' && *p != '\r') {
		if (*p != '"') {
			if (buf_putc(tok, *p++))
				return -ENOMEM;
			continue;
		}
		p++;
		while (p < end && *p != '"') {
			if (*p == '\\' && p + 1 < end && (p[1] == '"' || p[1] == '\\'))
				p++;
			if (buf_putc(tok, *p++))
				return -ENOMEM;
		}
		if (p == end)
			return -EBADMSG;
		p++;
	}
	*pp = p;
	return 1;
}

static bool parse_u16(const char *s, const char *e, uint16_t *out)
{
	if (s == e || e - s > 5)
		return false;
	unsigned v = 0;
	for (; s < e; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (unsigned)(*s - '0');
	}
	if (v > 65535)
		return false;
	*out = (uint16_t)v;
	return true;
}

static int set_str(char **dst, const char *v, const char *key, size_t line,
		   struct policy_error *err)
{
	if (*dst)
		return perr(err, line, "'%s' given twice", key);
	if (!*v)
		return perr(err, line, "'%s' needs a value", key);
	*dst = strdup(v);
	return *dst ? 0 : -ENOMEM;
}

static int option(struct policy_rule *r, const char *w, size_t line, struct policy_error *err)
{
	const char *eq = strchr(w, '=');
	if (!eq)
		return perr(err, line, "expected KEY=VALUE, got '%.60s'", w);
	size_t kl = (size_t)(eq - w);
	const char *v = eq + 1;
#define KEY(k) (kl == sizeof(k) - 1 && memcmp(w, k, kl) == 0)
	if (KEY("exe"))
		return set_str(&r->exe, v, "exe", line, err);
	if (KEY("unit"))
		return set_str(&r->unit, v, "unit", line, err);
	if (KEY("user-unit")) {
		/* [UID/]GLOB: '/' never occurs in a unit name */
		const char *slash = strchr(v, '/');
		if (slash) {
			char *e;
			unsigned long uid = strtoul(v, &e, 10);
			if (e != slash || slash == v || *v < '0' || *v > '9' || uid > UINT32_MAX)
				return perr(
				    err, line,
				    "'user-unit' is [UID/]UNIT with a numeric UID, got '%.60s'", v);
			r->has_unit_uid = true;
			r->unit_uid = (uint32_t)uid;
			v = slash + 1;
		}
		return set_str(&r->user_unit, v, "user-unit", line, err);
	}
	if (KEY("container"))
		return set_str(&r->container, v, "container", line, err);
	if (KEY("name"))
		return set_str(&r->name, v, "name", line, err);
	if (KEY("max-exposure")) {
		if (r->max_exposure >= 0)
			return perr(err, line, "'max-exposure' given twice");
		r->max_exposure = exposure_parse(v);
		if (r->max_exposure < 0)
			return perr(err, line,
				    "unknown exposure '%.40s' (loopback, link-local, private, "
				    "public, all-interfaces)",
				    v);
		return 0;
	}
	if (KEY("addr")) {
		if (r->has_addr)
			return perr(err, line, "'addr' given twice");
		memset(&r->addr, 0, sizeof r->addr);
		if (inet_pton(AF_INET, v, r->addr.bytes) == 1)
			r->addr.family = PS_INET;
		else if (inet_pton(AF_INET6, v, r->addr.bytes) == 1)
			r->addr.family = PS_INET6;
		else
			return perr(err, line,
				    "'addr' must be an IPv4 or IPv6 address, got '%.60s'", v);
		r->has_addr = true;
		return 0;
	}
#undef KEY
	return perr(
	    err, line,
	    "unknown option '%.*s' (addr, exe, unit, user-unit, container, name, max-exposure)",
	    (int)(kl > 40 ? 40 : kl), w);
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* until=YYYY-MM-DD: the ack holds through that day (UTC). */
static bool parse_until(const char *v, struct policy_ack *a)
{
	static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	unsigned y, m, d;
	int n = 0;
	if (strlen(v) != 10 || sscanf(v, "%4u-%2u-%2u%n", &y, &m, &d, &n) != 3 || n != 10 ||
	    v[4] != '-' || v[7] != '-' || y < 1970 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (m == 2 && d == 29 && !leap)
		return false;
	a->until = (days_from_civil(y, m, d) + 1) * 86400;
	memcpy(a->until_text, v, 11);
	return true;
}

static int ack_option(struct policy_ack *a, const char *w, size_t line, struct policy_error *err)
{
	if (strncmp(w, "until=", 6) == 0) {
		if (a->until_text[0])
			return perr(err, line, "'until' given twice");
		return parse_until(w + 6, a)
			   ? 0
			   : perr(err, line, "'until' must be a date YYYY-MM-DD, got '%.40s'",
				  w + 6);
	}
	if (strncmp(w, "reason=", 7) == 0)
		return set_str(&a->reason, w + 7, "reason", line, err);
	if (strncmp(w, "max-exposure=", 13) == 0)
		return perr(err, line, "'max-exposure' is not for 'ack' lines");
	return option(&a->match, w, line, err);
}

static int parse_line(struct policy *p, const char *s, const char *end, size_t line,
		      struct buf *tok, struct policy_error *err)
{
	int rc = next_word(&s, end, tok);
	if (rc <= 0)
		return rc == -EBADMSG ? perr(err, line, "unterminated quote") : rc;
	bool require = strcmp(tok->data, "require") == 0, ack = strcmp(tok->data, "ack") == 0;
	if (!require && !ack && strcmp(tok->data, "allow") != 0)
		return perr(err, line, "expected 'allow', 'require' or 'ack', got '%.60s'",
			    tok->data);
	struct policy_ack *a = NULL;
	struct policy_rule *r;
	if (ack) {
		if (!(a = ack_add(p)))
			return -ENOMEM;
		a->line = line;
		if ((rc = next_word(&s, end, tok)) <= 0)
			return rc < 0 && rc != -EBADMSG
				   ? rc
				   : perr(err, line, "missing finding code (or a glob such as *)");
		/* an ack that names no finding would acknowledge nothing, silently */
		if (!finding_code_known(tok->data))
			return unknown_code(err, line, tok->data);
		if (!(a->code = strdup(tok->data)))
			return -ENOMEM;
		r = &a->match;
	} else if (!(r = rule_add(p))) {
		return -ENOMEM;
	}
	r->require = require;
	r->line = line;
	if ((rc = next_word(&s, end, tok)) <= 0)
		return rc < 0 && rc != -EBADMSG
			   ? rc
			   : perr(err, line, "missing protocol (tcp, udp or any)");
	if (strcmp(tok->data, "tcp") == 0)
		r->protos = 1u << PS_TCP;
	else if (strcmp(tok->data, "udp") == 0)
		r->protos = 1u << PS_UDP;
	else if (strcmp(tok->data, "any") == 0)
		r->protos = (1u << PS_TCP) | (1u << PS_UDP);
	else
		return perr(err, line, "unknown protocol '%.40s' (tcp, udp or any)", tok->data);
	if ((rc = next_word(&s, end, tok)) <= 0)
		return rc < 0 && rc != -EBADMSG ? rc
						: perr(err, line, "missing port (N, N-M or *)");
	const char *w = tok->data, *dash = strchr(w, '-'), *we = w + tok->len;
	if (strcmp(w, "*") == 0) {
		r->lo = 0;
		r->hi = 65535;
	} else if (dash ? !(parse_u16(w, dash, &r->lo) && parse_u16(dash + 1, we, &r->hi) &&
			    r->lo <= r->hi)
			: !parse_u16(w, we, &r->lo)) {
		return perr(err, line, "invalid port '%.40s' (N, N-M with N <= M, or *; 0-65535)",
			    w);
	} else if (!dash) {
		r->hi = r->lo;
	}
	while ((rc = next_word(&s, end, tok)) == 1)
		if ((rc =
			 a ? ack_option(a, tok->data, line, err) : option(r, tok->data, line, err)))
			return rc;
	if (rc == -EBADMSG)
		return perr(err, line, "unterminated quote");
	if (!rc && a && (!a->until_text[0] || !a->reason))
		return perr(err, line, "an 'ack' needs until=YYYY-MM-DD and reason=TEXT");
	return rc;
}

int policy_parse(const char *buf, size_t len, struct policy *p, struct policy_error *err)
{
	memset(p, 0, sizeof *p);
	if (err)
		memset(err, 0, sizeof *err);
	struct buf tok = {0};
	int rc = 0;
	size_t line = 0;
	const char *s = buf, *end = buf + len;
	if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		s += 3; /* a byte order mark some editors write */
	while (s < end && !rc) {
		line++;
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;
		if (memchr(s, '\0', (size_t)(le - s)))
			rc = perr(err, line, "a NUL byte: this is not a text policy");
		else
			rc = parse_line(p, s, le, line, &tok, err);
		s = nl ? nl + 1 : end;
	}
	buf_free(&tok);
	if (!rc && !p->n && !p->nacks)
		rc = perr(err, line ? line : 1,
			  "no rules: expected lines such as 'allow tcp 22 exe=/usr/sbin/sshd'");
	if (rc)
		policy_free(p);
	return rc;
}

static int dup_opt(char **dst, const char *s)
{
	*dst = NULL;
	if (!s)
		return 0;
	*dst = strdup(s);
	return *dst ? 0 : -ENOMEM;
}

int policy_from_snapshot(const struct diff_side *base, bool require, struct policy *p)
{
	memset(p, 0, sizeof *p);
	const struct ps_snapshot *s = base->snap;
	for (size_t i = 0; i < s->nsocks; i++) {
		const struct ps_socket *k = &s->socks[i];
		size_t n = k->owner_count ? k->owner_count : 1;
		for (size_t j = 0; j < n; j++) {
			struct policy_rule *r = rule_add(p);
			if (!r)
				goto nomem;
			r->require = require;
			r->literal = true;
			r->protos = (uint8_t)(1u << k->proto);
			r->lo = r->hi = k->local.port;
			r->max_exposure = diff_exposure(base, i);
			r->sock = (long)i;
			r->has_addr = true; /* the listener is this address's: another on the port
					       is another listener */
			r->addr = k->local.addr;
			if (!k->owner_count)
				continue;
			const struct ps_proc *pr = &s->procs[snap_owner(s, k, j)->proc];
			bool user = pr->unit_type && strcmp(pr->unit_type, "user") == 0;
			r->has_unit_uid = user && pr->have_unit_uid;
			r->unit_uid = pr->unit_uid;
			if (dup_opt(pr->exe ? &r->exe : &r->name, pr->exe ? pr->exe : pr->name) ||
			    dup_opt(user ? &r->user_unit : &r->unit, pr->unit) ||
			    dup_opt(&r->container, pr->container))
				goto nomem;
		}
	}
	return 0;
nomem:
	policy_free(p);
	return -ENOMEM;
}

int policy_resolve_exe(struct policy *p, char *(*resolve)(const char *path))
{
	for (size_t i = 0; i < p->n + p->nacks; i++) {
		struct policy_rule *r = i < p->n ? &p->rules[i] : &p->acks[i - p->n].match;
		if (!r->exe || r->literal || r->exe[0] != '/' || strpbrk(r->exe, "*?[\\"))
			continue;
		errno = 0;
		char *real = resolve(r->exe);
		if (!real && errno == ENOMEM)
			return -ENOMEM;
		if (real && strcmp(real, r->exe) == 0) {
			free(real);
			real = NULL;
		}
		free(r->exe_real);
		r->exe_real = real;
	}
	return 0;
}

void policy_require_all(struct policy *p)
{
	for (size_t i = 0; i < p->n; i++)
		p->rules[i].require = true;
}

const char *policy_kind_name(unsigned kind)
{
	static const char *const n[POL__COUNT] = {"unexpected", "missing", "owner", "exposure",
						  "unverified"};
	return kind < POL__COUNT ? n[kind] : "?";
}

static bool addr_equal(const struct ps_addr *a, const struct ps_addr *b)
{
	return a->family == b->family &&
	       memcmp(a->bytes, b->bytes, a->family == PS_INET ? 4 : 16) == 0;
}

static bool value_ok(const struct policy_rule *r, const char *pattern, const char *value)
{
	if (!pattern)
		return true;
	if (!value)
		return false;
	return r->literal ? strcmp(pattern, value) == 0 : fnmatch(pattern, value, 0) == 0;
}

static bool has_owner_terms(const struct policy_rule *r)
{
	return r->exe || r->unit || r->user_unit || r->container || r->name;
}

static bool is_type(const struct ps_proc *p, const char *type)
{
	return p->unit_type && strcmp(p->unit_type, type) == 0;
}

/*
 * The terms of rule r, each judged for process p: NULL when p meets it, else the term's name
 * with m->got (NULL: none) and m->want. proc_ok and policy_owner_mismatch both use these, so
 * a refusal always names the term that refused.
 */
static const char *exe_miss(const struct policy_rule *r, const struct ps_proc *p,
			    struct policy_mismatch *m)
{
	if (!r->exe)
		return NULL;
	m->got = p->exe, m->want = r->exe;
	if (!(value_ok(r, r->exe, p->exe) ||
	      (r->exe_real && p->exe && strcmp(r->exe_real, p->exe) == 0)))
		return "exe";
	/* The link's text names the program only when the running image proves it (DESIGN.md §8):
	 * a path seen only in the process's own view (a user's own root or mounts) is no proof,
	 * but a rule that also names a (rootful) container accepts that container's view. */
	if (p->exe_checked &&
	    (exe_unproven(&p->exe_check) || (p->exe_check.foreign && !r->container))) {
		m->got = NULL;
		return "proven exe";
	}
	return NULL;
}

static const char *unit_miss(const struct policy_rule *r, const struct ps_proc *p,
			     struct policy_mismatch *m)
{
	/* unit= is a system unit's name: a user's manager can run a unit of any name */
	bool sys = is_type(p, "system");
	if (!r->unit || (sys && value_ok(r, r->unit, p->unit)))
		return NULL;
	m->got = sys ? p->unit : NULL, m->want = r->unit;
	return "unit";
}

static const char *user_unit_miss(const struct policy_rule *r, const struct ps_proc *p,
				  struct policy_mismatch *m)
{
	if (!r->user_unit)
		return NULL;
	bool user = is_type(p, "user");
	m->got = user ? p->unit : NULL, m->want = r->user_unit;
	if (!(user && value_ok(r, r->user_unit, p->unit)))
		return "user-unit";
	if (!r->has_unit_uid || (p->have_unit_uid && p->unit_uid == r->unit_uid))
		return NULL;
	snprintf(m->want_buf, sizeof m->want_buf, "uid %" PRIu32, r->unit_uid);
	m->want = m->want_buf, m->got = NULL;
	if (p->have_unit_uid) {
		snprintf(m->got_buf, sizeof m->got_buf, "uid %" PRIu32, p->unit_uid);
		m->got = m->got_buf;
	}
	return "user-unit's user";
}

static const char *container_miss(const struct policy_rule *r, const struct ps_proc *p,
				  struct policy_mismatch *m)
{
	if (!r->container)
		return NULL;
	m->got = p->container_name ? p->container_name : p->container, m->want = r->container;
	if (!(value_ok(r, r->container, p->container) ||
	      (p->container_name && value_ok(r, r->container, p->container_name))))
		return "container";
	/* a container in a user's delegated cgroup is that user's, whatever id it claims */
	if (p->container_runtime && strncmp(p->container_runtime, "rootless", 8) == 0) {
		m->got = NULL;
		return "rootful container";
	}
	return NULL;
}

/* Whether name is the file name of path (or, as Linux keeps 15 bytes of it, its start). */
static bool names_file(const char *name, const char *path)
{
	const char *base = path;
	for (const char *c = path; *c; c++)
		if (*c == '/' || *c == '\\')
			base = c + 1;
	size_t n = strlen(name), b = strlen(base);
	return (n == b || (n == 15 && b > 15)) && strncasecmp(base, name, n) == 0;
}

/*
 * Whether p's process name is its program's own: the file name of its executable, of an image
 * that proves its path, or of the system directory's link to it the name was run by
 * (/usr/bin/redis-server for redis-check-rdb, /usr/bin/python3 for python3.11). Any process can
 * give itself any name (prctl PR_SET_NAME); a name that is not its program's proves nothing.
 */
static bool own_name(const struct ps_proc *p)
{
	if (!p->name || !p->exe || (p->exe_checked && exe_unproven(&p->exe_check)))
		return false;
	/* the path without " (deleted)": a daemon upgraded and not yet restarted keeps its name */
	const char *path = p->exe_checked && p->exe_path ? p->exe_path : p->exe;
	return names_file(p->name, path) ||
	       (proc_more(p)->exe_alias && names_file(p->name, proc_more(p)->exe_alias));
}

static const char *name_miss(const struct policy_rule *r, const struct ps_proc *p,
			     struct policy_mismatch *m)
{
	m->got = p->name, m->want = r->name;
	if (!value_ok(r, r->name, p->name))
		return "name";
	if (r->name && !own_name(p)) {
		m->got = NULL;
		return "program's own name";
	}
	return NULL;
}

/* The first term of r that p does not meet, in the rule's documented order; NULL: none. */
static const char *proc_miss(const struct policy_rule *r, const struct ps_proc *p,
			     struct policy_mismatch *m)
{
	const char *key = exe_miss(r, p, m);
	if (!key)
		key = unit_miss(r, p, m);
	if (!key)
		key = user_unit_miss(r, p, m);
	if (!key)
		key = container_miss(r, p, m);
	if (!key)
		key = name_miss(r, p, m);
	return key;
}

/* Whether process p is the program rule r names. */
static bool proc_ok(const struct policy_rule *r, const struct ps_proc *p)
{
	struct policy_mismatch m;
	return proc_miss(r, p, &m) == NULL;
}

const char *policy_owner_mismatch(const struct policy_rule *r, const struct ps_snapshot *s,
				  const struct ps_socket *k, struct policy_mismatch *m)
{
	memset(m, 0, sizeof *m);
	for (size_t i = 0; i < k->owner_count; i++) {
		const char *key = proc_miss(r, &s->procs[snap_owner(s, k, i)->proc], m);
		if (key)
			return key;
	}
	return NULL;
}

/* Whether every owner of k is the program the rule names; false when no owner was seen. */
static bool owner_ok(const struct policy_rule *r, const struct ps_snapshot *s,
		     const struct ps_socket *k)
{
	if (!has_owner_terms(r))
		return true;
	if (!k->owner_count)
		return false;
	/* a group's workers and helpers answer through its root, which holds k too */
	for (size_t i = 0; i < k->owner_count; i++)
		if (!snap_owner(s, k, i)->lead && !proc_ok(r, &s->procs[snap_owner(s, k, i)->proc]))
			return false;
	return true;
}

/* Whether some owner of k is the program the rule names (what a `require` rule asks). */
static bool owner_holds(const struct policy_rule *r, const struct ps_snapshot *s,
			const struct ps_socket *k)
{
	if (!has_owner_terms(r))
		return true;
	for (size_t i = 0; i < k->owner_count; i++)
		if (proc_ok(r, &s->procs[snap_owner(s, k, i)->proc]))
			return true;
	return false;
}

static bool owner_ok(const struct policy_rule *r, const struct ps_snapshot *s,
		     const struct ps_socket *k);

/*
 * Whether rule r is about socket k: protocol, port and address. A rule from a snapshot
 * also takes its own program rebound to another address (127.0.0.1 -> 0.0.0.0 is then an
 * exposure violation), but not another program on another address (one missing, one
 * unexpected).
 */
static bool rule_matches_socket(const struct policy_rule *r, const struct ps_snapshot *s,
				const struct ps_socket *k)
{
	if (!(r->protos & (1u << k->proto)) || k->local.port < r->lo || k->local.port > r->hi)
		return false;
	if (!r->has_addr || addr_equal(&r->addr, &k->local.addr))
		return true;
	return r->sock >= 0 && has_owner_terms(r) && k->owner_count && owner_ok(r, s, k);
}

/* Whether k's owners could not be seen (not: no process holds it), so owner terms cannot be
 * checked. */
static bool owner_unseen(const struct ps_socket *k)
{
	return !k->owner_count && k->owner_status != PS_OWN_KERNEL;
}

static int report_add(struct policy_report *out, const struct policy_violation *v)
{
	if (util_grow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v))
		return -ENOMEM;
	out->v[out->n++] = *v;
	out->count[v->kind]++;
	return 0;
}

/* Whether out already holds a violation of `kind` for socket `sock`. */
static bool reported(const struct policy_report *out, unsigned kind, long sock)
{
	for (size_t m = 0; m < out->n; m++)
		if (out->v[m].kind == kind && out->v[m].sock == sock)
			return true;
	return false;
}

/* A `require` rule on its own: some listener must match it with one of the owners it names. */
static int check_required(const struct policy *p, size_t r, const struct diff_side *now,
			  struct policy_report *out)
{
	const struct ps_snapshot *s = now->snap;
	const struct policy_rule *ru = &p->rules[r];
	long other = -1, unseen = -1;
	for (size_t i = 0; i < s->nsocks; i++) {
		const struct ps_socket *k = &s->socks[i];
		if (!rule_matches_socket(ru, s, k))
			continue;
		if (owner_holds(ru, s, k))
			return 0;
		if (owner_unseen(k) && has_owner_terms(ru))
			unseen = unseen < 0 ? (long)i : unseen;
		else if (other < 0)
			other = (long)i;
	}
	if (other >= 0) {
		/* the port is held, by someone else: an owner violation (once per listener) */
		if (reported(out, POL_OWNER, other))
			return 0;
		struct policy_violation v = {.kind = POL_OWNER,
					     .exposure = diff_exposure(now, (size_t)other),
					     .allowed = -1,
					     .sock = other,
					     .rule = (long)r};
		return report_add(out, &v);
	}
	if (unseen >= 0) {
		if (reported(out, POL_UNVERIFIED, unseen))
			return 0;
		struct policy_violation v = {.kind = POL_UNVERIFIED,
					     .exposure = diff_exposure(now, (size_t)unseen),
					     .allowed = -1,
					     .unseen = true,
					     .sock = unseen,
					     .rule = (long)r};
		return report_add(out, &v);
	}
	/* rules naming the same listener (one per owner, or per address family) are missed once */
	for (size_t m = 0; m < out->n; m++) {
		const struct policy_rule *o =
		    out->v[m].kind == POL_MISSING ? &p->rules[out->v[m].rule] : NULL;
		if (o && o->protos == ru->protos && o->lo == ru->lo && o->hi == ru->hi &&
		    o->has_addr == ru->has_addr &&
		    (!ru->has_addr || addr_equal(&o->addr, &ru->addr)))
			return 0;
	}
	struct policy_violation v = {
	    .kind = POL_MISSING, .allowed = -1, .sock = -1, .rule = (long)r};
	return report_add(out, &v);
}

int policy_check(const struct policy *p, const struct diff_side *now, struct policy_report *out)
{
	memset(out, 0, sizeof *out);
	const struct ps_snapshot *s = now->snap;
	int rc = 0;
	for (size_t i = 0; i < s->nsocks && !rc; i++) {
		const struct ps_socket *k = &s->socks[i];
		bool dup = false;
		for (size_t j = i; j-- > 0 && s->socks[j].proto == k->proto &&
				   s->socks[j].local.port == k->local.port;)
			if (diff_cmp_identity(&s->socks[j], k) == 0) {
				dup = true;
				break;
			}
		if (dup)
			continue;
		out->checked++;
		uint8_t ex = diff_exposure(now, i);
		long first = -1, owner_match = -1, unverified = -1;
		bool ok = false;
		for (size_t r = 0; r < p->n && !ok; r++) {
			const struct policy_rule *ru = &p->rules[r];
			if (!rule_matches_socket(ru, s, k))
				continue;
			if (first < 0)
				first = (long)r;
			if (!owner_ok(ru, s, k)) {
				if (unverified < 0 && owner_unseen(k))
					unverified = (long)r;
				continue;
			}
			if (ru->max_exposure < 0 || ex <= ru->max_exposure)
				ok = true;
			else if (owner_match < 0 ||
				 ru->max_exposure > p->rules[owner_match].max_exposure)
				owner_match = (long)r;
		}
		if (ok)
			continue;
		struct policy_violation v = {
		    .exposure = ex, .allowed = -1, .sock = (long)i, .rule = first};
		if (first < 0) {
			v.kind = POL_UNEXPECTED;
		} else if (owner_match >= 0) {
			v.kind = POL_EXPOSURE;
			v.rule = owner_match;
			v.allowed = p->rules[owner_match].max_exposure;
		} else if (unverified >= 0) {
			v.kind = POL_UNVERIFIED;
			v.rule = unverified;
			v.unseen = true;
		} else {
			v.kind = POL_OWNER;
		}
		rc = report_add(out, &v);
	}
	for (size_t r = 0; r < p->n && !rc; r++)
		if (p->rules[r].require)
			rc = check_required(p, r, now, out);
	if (rc)
		policy_report_free(out);
	return rc;
}

size_t policy_violations(const struct policy_report *r)
{
	return r->n - r->count[POL_UNVERIFIED];
}

void policy_report_free(struct policy_report *r)
{
	free(r->v);
	memset(r, 0, sizeof *r);
}

/* Whether ack a names finding f of socket k. */
static bool ack_names(const struct policy_ack *a, const struct ps_snapshot *s,
		      const struct ps_socket *k, const struct finding *f)
{
	if (fnmatch(a->code, f->code, 0) != 0 || !rule_matches_socket(&a->match, s, k))
		return false;
	if (f->pid < 0)
		return owner_ok(&a->match, s, k);
	for (size_t i = 0; i < k->owner_count; i++) {
		const struct ps_proc *p = &s->procs[snap_owner(s, k, i)->proc];
		if (p->pid == f->pid)
			return !has_owner_terms(&a->match) || proc_ok(&a->match, p);
	}
	return false;
}

int policy_ack_findings(const struct policy *p, struct ps_snapshot *snap, int64_t now)
{
	if (!snap->verdicts || !p->nacks)
		return 0;
	for (size_t i = 0; i < snap->nsocks; i++) {
		const struct ps_socket *k = &snap->socks[i];
		if (!k->verdict || k->verdict > snap->verdicts->n)
			continue;
		struct finding_list *l = &snap->verdicts->v[k->verdict - 1].findings;
		if (findings_unshare(l)) /* acknowledgements are this socket's */
			return -ENOMEM;
		for (size_t j = 0; j < l->n; j++) {
			struct finding *f = &l->f[j];
			f->ack = f->ack_expired = NULL;
			for (size_t m = 0; m < p->nacks && !f->ack; m++) {
				const struct policy_ack *a = &p->acks[m];
				if (!ack_names(a, snap, k, f))
					continue;
				if (now < a->until)
					f->ack = a;
				else
					f->ack_expired = a;
			}
			if (f->ack)
				f->ack_expired = NULL;
		}
	}
	verdicts_count(snap);
	return 0;
}
