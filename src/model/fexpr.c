/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fexpr.c — ss-style filter expressions: a recursive-descent parser and the matcher (see fexpr.h).
 */
#include "fexpr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "exposure.h"
#include "filter.h"

enum fx_kind { FX_AND, FX_OR, FX_NOT, FX_PORT, FX_HOST, FX_ANY, FX_STATE, FX_EXPO };
enum { FX_LOCAL = 1, FX_REMOTE = 2, FX_EITHER = 3 };

struct fexpr {
	uint8_t kind, side;
	uint16_t lo, hi;		 /* FX_PORT; FX_HOST with has_port */
	bool has_port;			 /* FX_HOST: ADDR:PORT */
	uint8_t prefix;			 /* FX_HOST: bits of addr compared */
	struct ps_addr addr;		 /* FX_HOST */
	uint32_t states[PS_PROTO_COUNT]; /* FX_STATE: kernel state bits per protocol */
	uint8_t expo;			 /* FX_EXPO: enum fexpr_exposure */
	struct fexpr *l, *r;		 /* FX_AND, FX_OR; FX_NOT uses l */
};

#define MAX_DEPTH                                                                                  \
	64 /* nesting of "not" and parentheses: deeper is refused, not a stack overflow            \
	    */

struct parser {
	const char *s;
	size_t pos;    /* where the next token starts looking */
	size_t tok_at; /* the current token: s[tok_at .. tok_at + tok_len) */
	size_t tok_len;
	fexpr_service_fn svc;
	const char *why; /* set on the first error */
	size_t why_at;
	int depth;
	bool nomem;
};

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* Move to the next token: "(" and ")" alone, "!" alone before anything but "=", else a run of
 * other bytes. */
static void advance(struct parser *p)
{
	const char *s = p->s;
	size_t i = p->pos;
	while (s[i] && is_space(s[i]))
		i++;
	p->tok_at = i;
	if (s[i] == '(' || s[i] == ')' || (s[i] == '!' && s[i + 1] != '=')) {
		p->tok_len = s[i] ? 1 : 0;
		p->pos = i + p->tok_len;
		return;
	}
	while (s[i] && !is_space(s[i]) && s[i] != '(' && s[i] != ')')
		i++;
	p->tok_len = i - p->tok_at;
	p->pos = i;
}

static bool tok_is(const struct parser *p, const char *w)
{
	return p->tok_len == strlen(w) && strncmp(p->s + p->tok_at, w, p->tok_len) == 0;
}

static bool tok_any(const struct parser *p, const char *const *ws)
{
	for (; *ws; ws++)
		if (tok_is(p, *ws))
			return true;
	return false;
}

static struct fexpr *fail(struct parser *p, const char *why)
{
	if (!p->why) {
		p->why = why;
		p->why_at = p->tok_at;
	}
	return NULL;
}

static struct fexpr *node(struct parser *p, uint8_t kind, struct fexpr *l, struct fexpr *r)
{
	struct fexpr *e = calloc(1, sizeof *e);
	if (!e) {
		p->nomem = true;
		fexpr_free(l);
		fexpr_free(r);
		return fail(p, "out of memory");
	}
	e->kind = kind;
	e->l = l;
	e->r = r;
	return e;
}

/* Strict decimal 0..65535 from s[0..n). */
static int port_num(const char *s, size_t n, uint16_t *out)
{
	unsigned long v = 0;
	if (n == 0 || n > 5)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > 65535)
		return -ERANGE;
	*out = (uint16_t)v;
	return 0;
}

/* PORT: [":"] NUMBER, NUMBER-NUMBER or a service name, from s[0..n) into [lo, hi]. */
static const char *port_range(const struct parser *p, const char *s, size_t n, uint16_t *lo,
			      uint16_t *hi)
{
	if (n && s[0] == ':')
		s++, n--;
	const char *dash = memchr(s, '-', n);
	if (n && s[0] >= '0' && s[0] <= '9') {
		size_t a = dash ? (size_t)(dash - s) : n;
		if (port_num(s, a, lo) ||
		    (dash ? port_num(dash + 1, n - a - 1, hi) : (*hi = *lo, 0)))
			return "a port is a number from 0 to 65535, or a range such as 8000-8100";
		return *lo > *hi ? "port range is reversed (first port is above the last)" : NULL;
	}
	char name[64];
	if (n == 0 || n >= sizeof name)
		return "expected a port: 80, :80, 8000-8100 or a service name";
	memcpy(name, s, n);
	name[n] = '\0';
	if (!p->svc || p->svc(name, lo))
		return "unknown service name (try a port number)";
	*hi = *lo;
	return NULL;
}

/* The comparison words after sport/dport; index into cmp_words[]. */
enum { CMP_EQ, CMP_NE, CMP_LT, CMP_LE, CMP_GT, CMP_GE, CMP_NONE };
static const char *const cmp_words[][4] = {
    {"=", "==", "eq", NULL},   {"!=", "ne", "neq", NULL}, {"<", "lt", NULL, NULL},
    {"<=", "le", "leq", NULL}, {">", "gt", NULL, NULL},	  {">=", "ge", "geq", NULL},
};

static int cmp_of(const struct parser *p)
{
	for (int i = 0; i < CMP_NONE; i++)
		if (tok_any(p, cmp_words[i]))
			return i;
	return CMP_NONE;
}

/* A port node of `side` for "OP PORT" (the current token is PORT). */
static struct fexpr *port_term(struct parser *p, uint8_t side, int cmp)
{
	uint16_t lo, hi;
	const char *why = port_range(p, p->s + p->tok_at, p->tok_len, &lo, &hi);
	if (why)
		return fail(p, why);
	if (cmp >= CMP_LT && lo != hi)
		return fail(p, "<, <=, > and >= compare with one port, not a range");
	advance(p);
	struct fexpr *e = node(p, FX_PORT, NULL, NULL);
	if (!e)
		return NULL;
	e->side = side;
	e->lo = cmp == CMP_LT || cmp == CMP_LE ? 0 : cmp == CMP_GT ? (uint16_t)(lo + 1) : lo;
	e->hi = cmp == CMP_LT ? (uint16_t)(lo - 1) : cmp >= CMP_GT ? 65535 : hi;
	if ((cmp == CMP_LT && lo == 0) || (cmp == CMP_GT && lo == 65535)) /* matches nothing */
		e->lo = 1, e->hi = 0;
	return cmp == CMP_NE ? node(p, FX_NOT, e, NULL) : e;
}

/* HOST into e: ADDR, ADDR/PREFIX, ADDR:PORT, [ADDR6]/PREFIX:PORT... NULL, or why not. */
static const char *parse_host(const struct parser *p, const char *t, size_t n, struct fexpr *e)
{
	char buf[80];
	if (n >= sizeof buf)
		return "address too long";
	memcpy(buf, t, n);
	buf[n] = '\0';
	char *addr = buf, *rest = NULL, *pfx = NULL, *port = NULL;
	if (buf[0] == '[') {
		char *close = strchr(buf, ']');
		if (!close)
			return "expected ']' after an IPv6 address";
		*close = '\0';
		addr = buf + 1;
		rest = close + 1;
	} else if (strchr(buf, '.')) { /* IPv4: the port after the last ':' */
		rest = buf + strcspn(buf, "/:");
	} else
		rest = buf + strcspn(buf, "/"); /* IPv6 without brackets: no port */
	if (*rest == '/')
		pfx = rest + 1;
	else if (*rest == ':')
		port = rest + 1;
	else if (*rest)
		return "expected '/PREFIX' or ':PORT' after the address";
	if (pfx && (port = strchr(pfx, ':')))
		*port++ = '\0';
	*rest = '\0';
	bool v4 = inet_pton(AF_INET, addr, e->addr.bytes) == 1;
	if (!v4 && inet_pton(AF_INET6, addr, e->addr.bytes) != 1)
		return "not an address (IPv4, IPv6, [IPv6]:PORT, ADDR/PREFIX)";
	e->addr.family = v4 ? PS_INET : PS_INET6;
	unsigned max = v4 ? 32 : 128, bits = max;
	if (pfx) {
		uint16_t v;
		if (port_num(pfx, strlen(pfx), &v) || v > max)
			return v4 ? "prefix length must be 0 to 32"
				  : "prefix length must be 0 to 128";
		bits = v;
	}
	e->prefix = (uint8_t)bits;
	if (port) {
		const char *why = port_range(p, port, strlen(port), &e->lo, &e->hi);
		if (why)
			return why;
		e->has_port = true;
	}
	return NULL;
}

/* src/dst's operand (the current token) for `side`: "*", ":PORT" or a HOST. */
static struct fexpr *host_term(struct parser *p, uint8_t side)
{
	const char *t = p->s + p->tok_at;
	size_t n = p->tok_len;
	if (n == 0)
		return fail(p, "expected an address after src or dst");
	if (n == 1 && t[0] == '*') {
		advance(p);
		return node(p, FX_ANY, NULL, NULL);
	}
	if (t[0] == ':' && (n < 2 || t[1] != ':'))
		return port_term(p, side, CMP_EQ);
	struct fexpr *e = node(p, FX_HOST, NULL, NULL);
	if (!e)
		return NULL;
	const char *why = parse_host(p, t, n, e);
	if (why) {
		free(e);
		return fail(p, why);
	}
	e->side = side;
	advance(p);
	return e;
}

/* A bare word: a port, a range or a service name matching either end, or an address. */
static struct fexpr *bare_term(struct parser *p)
{
	const char *t = p->s + p->tok_at;
	size_t n = p->tok_len, colons = 0;
	for (size_t i = 0; i < n; i++)
		colons += t[i] == ':';
	if (t[0] == ':' && colons == 1)
		return port_term(p, FX_EITHER, CMP_EQ);
	if (memchr(t, '.', n) || t[0] == '[' || colons >= 2 || (n == 1 && t[0] == '*'))
		return host_term(p, FX_EITHER);
	return port_term(p, FX_EITHER, CMP_EQ);
}

/* ss's "state NAME[,NAME]" and "exclude NAME" (the current token is NAME): the states filter.c
 * knows. */
static struct fexpr *state_term(struct parser *p, bool exclude)
{
	char buf[128];
	const char *why = NULL;
	if (!p->tok_len)
		return fail(p,
			    "expected a state after state or exclude (established, listening...)");
	if (p->tok_len >= sizeof buf)
		return fail(p, "state name too long");
	memcpy(buf, p->s + p->tok_at, p->tok_len);
	buf[p->tok_len] = '\0';
	uint32_t st[PS_PROTO_COUNT];
	if (filter_parse_states(buf, st, &why))
		return fail(p, why);
	advance(p);
	struct fexpr *e = node(p, FX_STATE, NULL, NULL);
	if (!e)
		return NULL;
	memcpy(e->states, st, sizeof st);
	return exclude ? node(p, FX_NOT, e, NULL) : e;
}

/* "exposure CLASS" (or --exposure CLASS, --exposure=CLASS; the current token is CLASS, or the
 * whole --exposure=CLASS word when eq): the class of the socket's local address. */
static struct fexpr *expo_term(struct parser *p, bool eq)
{
	static const char *const words[] = {"loopback", "link-local", "private", "public",
					    "any-beyond-loopback"};
	size_t skip = eq ? strlen("--exposure=") : 0;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (p->tok_len - skip == strlen(words[i]) &&
		    !strncmp(p->s + p->tok_at + skip, words[i], p->tok_len - skip)) {
			advance(p);
			struct fexpr *e = node(p, FX_EXPO, NULL, NULL);
			if (e)
				e->expo = (uint8_t)i;
			return e;
		}
	return fail(p, "expected an exposure class after exposure: loopback, link-local, private, "
		       "public or any-beyond-loopback");
}

/* term: sport/dport/src/dst with their operand, state/exclude NAME, or a bare PORT or HOST. */
static struct fexpr *term(struct parser *p)
{
	static const char *const eqs[] = {"=", "==", "eq", NULL};
	bool sport = tok_is(p, "sport"), dport = tok_is(p, "dport");
	bool src = tok_is(p, "src"), dst = tok_is(p, "dst");
	if (!p->tok_len)
		return fail(p, "expected a condition: sport, dport, src, dst, state, a port or an "
			       "address");
	if (tok_is(p, "exposure") || tok_is(p, "--exposure")) {
		advance(p);
		return expo_term(p, false);
	}
	if (p->tok_len > 11 && !strncmp(p->s + p->tok_at, "--exposure=", 11))
		return expo_term(p, true);
	if (tok_is(p, "state") || tok_is(p, "exclude")) {
		bool exclude = tok_is(p, "exclude");
		advance(p);
		return state_term(p, exclude);
	}
	if (!sport && !dport && !src && !dst)
		return bare_term(p);
	uint8_t side = sport || src ? FX_LOCAL : FX_REMOTE;
	advance(p);
	if (sport || dport) {
		int cmp = cmp_of(p);
		if (cmp != CMP_NONE)
			advance(p);
		return port_term(p, side, cmp == CMP_NONE ? CMP_EQ : cmp);
	}
	if (tok_any(p, eqs))
		advance(p);
	return host_term(p, side);
}

static struct fexpr *expr_or(struct parser *p);

static struct fexpr *unary(struct parser *p)
{
	static const char *const nots[] = {"!", "not", NULL};
	if (++p->depth > MAX_DEPTH)
		return fail(p, "nested too deeply");
	struct fexpr *e;
	if (tok_any(p, nots)) {
		advance(p);
		e = unary(p);
		e = e ? node(p, FX_NOT, e, NULL) : NULL;
	} else if (tok_is(p, "(")) {
		advance(p);
		e = expr_or(p);
		if (e && !tok_is(p, ")")) {
			fexpr_free(e);
			e = fail(p, "expected ')'");
		} else if (e)
			advance(p);
	} else
		e = term(p);
	p->depth--;
	return e;
}

/* Whether the current token can start a condition (juxtaposition means "and"). */
static bool starts_term(const struct parser *p)
{
	static const char *const stops[] = {")", "or", "|", "||", NULL};
	return p->tok_len && !tok_any(p, stops);
}

static struct fexpr *expr_and(struct parser *p)
{
	static const char *const ands[] = {"and", "&", "&&", NULL};
	struct fexpr *e = unary(p);
	while (e && starts_term(p)) {
		if (tok_any(p, ands))
			advance(p);
		struct fexpr *r = unary(p);
		e = r ? node(p, FX_AND, e, r) : (fexpr_free(e), NULL);
	}
	return e;
}

static struct fexpr *expr_or(struct parser *p)
{
	static const char *const ors[] = {"or", "|", "||", NULL};
	struct fexpr *e = expr_and(p);
	while (e && tok_any(p, ors)) {
		advance(p);
		struct fexpr *r = expr_and(p);
		e = r ? node(p, FX_OR, e, r) : (fexpr_free(e), NULL);
	}
	return e;
}

int fexpr_parse(const char *text, fexpr_service_fn svc, struct fexpr **out, const char **why,
		size_t *at)
{
	struct parser p = {.s = text, .svc = svc};
	*out = NULL;
	advance(&p);
	if (!p.tok_len)
		return 0;
	struct fexpr *e = expr_or(&p);
	if (e && p.tok_len) {
		fexpr_free(e);
		e = fail(&p, tok_is(&p, ")") ? "unmatched ')'" : "expected 'and', 'or' or the end");
	}
	if (!e) {
		*why = p.why;
		*at = p.why_at;
		return p.nomem ? -ENOMEM : -EINVAL;
	}
	*out = e;
	return 0;
}

static bool in_range(uint16_t port, const struct fexpr *e)
{
	return port >= e->lo && port <= e->hi;
}

/* Whether address a is in e's network (an IPv4 network also holds IPv4-mapped IPv6). */
static bool addr_in(const struct ps_addr *a, const struct fexpr *e)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	const uint8_t *b = a->bytes;
	if (a->family != e->addr.family) {
		if (!(e->addr.family == PS_INET && a->family == PS_INET6 &&
		      memcmp(a->bytes, mapped, 12) == 0))
			return false;
		b = a->bytes + 12;
	}
	size_t full = e->prefix / 8u, rest = e->prefix % 8u;
	if (memcmp(b, e->addr.bytes, full) != 0)
		return false;
	uint8_t mask = (uint8_t)(0xff00u >> rest);
	return !rest || ((b[full] ^ e->addr.bytes[full]) & mask) == 0;
}

static bool end_match(const struct fexpr *e, const struct ps_endpoint *ep, bool remote)
{
	if (e->kind == FX_PORT)
		return in_range(ep->port, e) && !(remote && e->side == FX_EITHER && ep->port == 0);
	return addr_in(&ep->addr, e) && (!e->has_port || in_range(ep->port, e));
}

/* Whether a local address of class c is reachable from what `want` (enum fexpr_exposure) names:
 * public takes a wildcard bind (every interface) too, as the listing's --exposure does. */
static bool expo_match(uint8_t want, enum ps_exposure c)
{
	switch (want) {
	case FEXPR_EXPO_LOOPBACK:
		return c == PS_EXPO_LOOPBACK;
	case FEXPR_EXPO_LINK_LOCAL:
		return c == PS_EXPO_LINK_LOCAL;
	case FEXPR_EXPO_PRIVATE:
		return c == PS_EXPO_PRIVATE;
	case FEXPR_EXPO_PUBLIC:
		return c >= PS_EXPO_PUBLIC;
	default:
		return c != PS_EXPO_LOOPBACK;
	}
}

struct fexpr *fexpr_and(struct fexpr *a, struct fexpr *b)
{
	if (!a || !b)
		return a ? a : b;
	struct fexpr *e = calloc(1, sizeof *e);
	if (!e) {
		fexpr_free(a);
		fexpr_free(b);
		return NULL;
	}
	e->kind = FX_AND;
	e->l = a;
	e->r = b;
	return e;
}

bool fexpr_match(const struct fexpr *e, const struct ps_socket *k)
{
	if (!e)
		return true;
	switch (e->kind) {
	case FX_AND:
		return fexpr_match(e->l, k) && fexpr_match(e->r, k);
	case FX_OR:
		return fexpr_match(e->l, k) || fexpr_match(e->r, k);
	case FX_NOT:
		return !fexpr_match(e->l, k);
	case FX_ANY:
		return true;
	case FX_STATE:
		return k->proto < PS_PROTO_COUNT && k->state < 32 &&
		       (e->states[k->proto] & (1u << k->state));
	case FX_EXPO:
		return expo_match(e->expo, exposure_classify(&k->local.addr));
	default:
		return ((e->side & FX_LOCAL) && end_match(e, &k->local, false)) ||
		       ((e->side & FX_REMOTE) && end_match(e, &k->remote, true));
	}
}

size_t fexpr_port_cover(const struct fexpr *e, struct fexpr_range *out, size_t max)
{
	if (!e || max == 0)
		return 0;
	if (e->kind == FX_PORT || (e->kind == FX_HOST && e->has_port)) {
		out[0] = (struct fexpr_range){e->lo, e->hi};
		return e->lo <= e->hi ? 1 : 0;
	}
	if (e->kind == FX_AND) {
		size_t n = fexpr_port_cover(e->l, out, max);
		return n ? n : fexpr_port_cover(e->r, out, max);
	}
	if (e->kind == FX_OR) {
		size_t n = fexpr_port_cover(e->l, out, max);
		size_t m = n ? fexpr_port_cover(e->r, out + n, max - n) : 0;
		return n && m ? n + m : 0;
	}
	return 0; /* not, an address alone: any port */
}

bool fexpr_wants_connections(const struct fexpr *e)
{
	if (!e)
		return false;
	if (e->kind == FX_STATE ||
	    ((e->kind == FX_PORT || e->kind == FX_HOST) && e->side == FX_REMOTE))
		return true;
	return fexpr_wants_connections(e->l) || fexpr_wants_connections(e->r);
}

void fexpr_free(struct fexpr *e)
{
	if (!e)
		return;
	fexpr_free(e->l);
	fexpr_free(e->r);
	free(e);
}
