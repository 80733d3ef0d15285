/* firewall.c — evaluate a rule set for a new connection over the set of its possible sources. */
#include "firewall.h"
#include "../model/exposure.h"
#include "../util/grow.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deepest jump nesting followed; the kernel allows 16, a recorded rule set may claim more. */
#define MAX_DEPTH 32
/*
 * Rules looked at again for one packet: chains that jump to the same chain several times
 * branch, and followed path by path 16 levels of 4 jumps are 4^16 chain walks. Only a chain
 * walked a second time counts, so a long chain or a tree of chains (kube-proxy's) is
 * followed whatever its size; beyond this the rule set is too branchy to follow, and the
 * sources left are unknown, never a hang.
 */
#define MAX_STEPS (1L << 16)
/* The same for the forward search, which keeps an entry per DNAT rule reached (deduplicated
 * at the end): smaller, so that a branchy nat rule set costs tens of MB at most. */
#define MAX_FWD_STEPS (1L << 18)

/* ---------------------------------------------------------------- source sets */

static int key_cmp(const uint8_t *a, const uint8_t *b, unsigned len)
{
	return memcmp(a, b, len);
}

/* a + 1; false when a was all ones (no successor). */
static bool key_inc(uint8_t *a, unsigned len)
{
	for (unsigned i = len; i-- > 0;)
		if (++a[i])
			return true;
	return false;
}

/* a - 1; false when a was zero. */
static bool key_dec(uint8_t *a, unsigned len)
{
	for (unsigned i = len; i-- > 0;)
		if (a[i]--)
			return true;
	return false;
}

static int set_push(struct fw_srcset *s, const uint8_t *lo, const uint8_t *hi)
{
	if (util_grow((void **)&s->r, &s->cap, s->n + 1, sizeof *s->r))
		return -ENOMEM;
	struct fw_range *r = &s->r[s->n++];
	memset(r, 0, sizeof *r); /* bytes past len stay zero, so whole keys compare */
	memcpy(r->lo, lo, s->len);
	memcpy(r->hi, hi, s->len);
	return 0;
}

static void set_free(struct fw_srcset *s)
{
	free(s->r);
	s->r = NULL;
	s->n = s->cap = 0;
}

static int set_full(struct fw_srcset *s, unsigned len)
{
	uint8_t lo[FW_KEY_MAX] = {0}, hi[FW_KEY_MAX];
	memset(hi, 0xFF, sizeof hi);
	*s = (struct fw_srcset){.len = (uint8_t)len};
	return set_push(s, lo, hi);
}

static int range_cmp(const void *a, const void *b)
{
	return memcmp(((const struct fw_range *)a)->lo, ((const struct fw_range *)b)->lo,
		      FW_KEY_MAX);
}

/* Sort and merge the ranges of s in place (overlapping and adjacent ones become one). */
static void set_normalize(struct fw_srcset *s)
{
	if (s->n < 2)
		return;
	qsort(s->r, s->n, sizeof *s->r, range_cmp);
	size_t w = 0;
	for (size_t i = 1; i < s->n; i++) {
		struct fw_range *last = &s->r[w];
		uint8_t next[FW_KEY_MAX];
		memcpy(next, last->hi, s->len);
		bool more = key_inc(next, s->len);
		if (!more || key_cmp(s->r[i].lo, next, s->len) <= 0) {
			if (key_cmp(s->r[i].hi, last->hi, s->len) > 0)
				memcpy(last->hi, s->r[i].hi, s->len);
		} else {
			s->r[++w] = s->r[i];
		}
	}
	s->n = w + 1;
}

/* out = a ∩ b (both normalized). */
static int set_intersect(const struct fw_srcset *a, const struct fw_srcset *b,
			 struct fw_srcset *out)
{
	*out = (struct fw_srcset){.len = a->len};
	size_t i = 0, j = 0;
	while (i < a->n && j < b->n) {
		const struct fw_range *x = &a->r[i], *y = &b->r[j];
		const uint8_t *lo = key_cmp(x->lo, y->lo, a->len) > 0 ? x->lo : y->lo;
		const uint8_t *hi = key_cmp(x->hi, y->hi, a->len) < 0 ? x->hi : y->hi;
		if (key_cmp(lo, hi, a->len) <= 0 && set_push(out, lo, hi)) {
			set_free(out);
			return -ENOMEM;
		}
		if (key_cmp(x->hi, y->hi, a->len) < 0)
			i++;
		else
			j++;
	}
	return 0;
}

/* out = the complement of a (normalized). */
static int set_complement(const struct fw_srcset *a, struct fw_srcset *out)
{
	*out = (struct fw_srcset){.len = a->len};
	uint8_t lo[FW_KEY_MAX] = {0};
	bool open = true; /* lo is a valid start */
	for (size_t i = 0; i < a->n && open; i++) {
		uint8_t hi[FW_KEY_MAX];
		memcpy(hi, a->r[i].lo, a->len);
		if (key_cmp(lo, a->r[i].lo, a->len) < 0 && key_dec(hi, a->len) &&
		    set_push(out, lo, hi))
			goto oom;
		memcpy(lo, a->r[i].hi, a->len);
		open = key_inc(lo, a->len);
	}
	if (open) {
		uint8_t hi[FW_KEY_MAX];
		memset(hi, 0xFF, sizeof hi);
		if (set_push(out, lo, hi))
			goto oom;
	}
	return 0;
oom:
	set_free(out);
	return -ENOMEM;
}

/* out = a \ b. */
static int set_subtract(const struct fw_srcset *a, const struct fw_srcset *b, struct fw_srcset *out)
{
	struct fw_srcset nb;
	if (set_complement(b, &nb))
		return -ENOMEM;
	int rc = set_intersect(a, &nb, out);
	set_free(&nb);
	return rc;
}

/* a ∪= b (consumes nothing). */
static int set_add_all(struct fw_srcset *a, const struct fw_srcset *b)
{
	for (size_t i = 0; i < b->n; i++)
		if (set_push(a, b->r[i].lo, b->r[i].hi))
			return -ENOMEM;
	set_normalize(a);
	return 0;
}

static bool set_is_full(const struct fw_srcset *s)
{
	static const uint8_t zero[FW_KEY_MAX],
	    ones[FW_KEY_MAX] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
				0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
	return s->n == 1 && !memcmp(s->r[0].lo, zero, s->len) && !memcmp(s->r[0].hi, ones, s->len);
}

int fw_srcset_add(struct fw_srcset *s, const uint8_t *lo, const uint8_t *hi)
{
	if (set_push(s, lo, hi))
		return -ENOMEM;
	set_normalize(s);
	return 0;
}

int fw_srcset_subtract(const struct fw_srcset *a, const struct fw_srcset *b, struct fw_srcset *out)
{
	return set_subtract(a, b, out);
}

bool fw_srcset_is_full(const struct fw_srcset *s)
{
	return set_is_full(s);
}

/* The class of the range [lo, hi] of len-byte addresses (see fw_srcset_widest). */
static int range_class(const uint8_t *lo, const uint8_t *hi, unsigned len)
{
	static const struct {
		uint8_t len, plen, addr[16];
		int cls;
	} blocks[] = {
	    {4, 8, {127}, PS_EXPO_LOOPBACK},	     {4, 16, {169, 254}, PS_EXPO_LINK_LOCAL},
	    {4, 8, {10}, PS_EXPO_PRIVATE},	     {4, 12, {172, 16}, PS_EXPO_PRIVATE},
	    {4, 16, {192, 168}, PS_EXPO_PRIVATE},    {4, 10, {100, 64}, PS_EXPO_PRIVATE},
	    {16, 128, {[15] = 1}, PS_EXPO_LOOPBACK}, {16, 10, {0xfe, 0x80}, PS_EXPO_LINK_LOCAL},
	    {16, 7, {0xfc}, PS_EXPO_PRIVATE},
	};
	static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
	if (len == 16 && !memcmp(lo, mapped, 12) && !memcmp(hi, mapped, 12))
		return range_class(lo + 12, hi + 12, 4);
	for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++) {
		if (blocks[i].len != len)
			continue;
		struct fw_range b;
		fw_prefix_range(blocks[i].addr, len, blocks[i].plen, &b);
		if (key_cmp(lo, b.lo, len) >= 0 && key_cmp(hi, b.hi, len) <= 0)
			return blocks[i].cls;
	}
	return PS_EXPO_PUBLIC;
}

int fw_srcset_widest(const struct fw_srcset *s)
{
	int w = PS_EXPO_LOOPBACK;
	for (size_t i = 0; i < s->n; i++) {
		int c = range_class(s->r[i].lo, s->r[i].hi, s->len);
		if (c > w)
			w = c;
	}
	return w;
}

void fw_srcset_free(struct fw_srcset *s)
{
	set_free(s);
}

/* ---------------------------------------------------------------- matches */

enum { NO = 0, YES = 1, UNKNOWN = -1 };

static void put_be32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

/* The packet's value of a field other than its source; UNKNOWN when it is not known. */
static int packet_value(const struct fw_packet *p, const struct fw_match *m, uint8_t *v)
{
	memset(v, 0, FW_KEY_MAX);
	unsigned alen = p->family == 4 ? 4 : 16;
	switch (m->field) {
	case FW_F_NFPROTO:
		v[0] = p->family == 4 ? 2 : 10;
		return m->len == 1 ? YES : UNKNOWN;
	case FW_F_L4PROTO:
		v[0] = p->l4proto;
		return m->len == 1 ? YES : UNKNOWN;
	case FW_F_IIF:
		put_be32(v, p->iif);
		return m->len == 4 ? YES : UNKNOWN;
	case FW_F_IIFNAME:
		if (!p->iifname || m->len != 16)
			return UNKNOWN;
		strncpy((char *)v, p->iifname, 16);
		return YES;
	case FW_F_DADDR:
		memcpy(v, p->daddr, alen);
		return m->len == alen ? YES : UNKNOWN;
	case FW_F_DPORT:
		v[0] = (uint8_t)(p->dport >> 8);
		v[1] = (uint8_t)p->dport;
		return m->len == 2 ? YES : UNKNOWN;
	case FW_F_CTSTATE:
		put_be32(v, FW_CT_NEW);
		return m->len == 4 ? YES : UNKNOWN;
	case FW_F_FIB_DADDR_TYPE:
		put_be32(v, p->daddr_type);
		return m->len == 4 ? YES : UNKNOWN;
	case FW_F_CTSTATUS:
		/* No status bit is set yet for a new connection that no rule NATs: the
		 * connections NAT takes elsewhere are judged as forwards, not here. */
		return m->len == 4 ? YES : UNKNOWN;
	case FW_F_RPFILTER:
		/* A reverse-path check passes for every source that can complete a handshake:
		 * the answer goes back where the question came from. */
		put_be32(v, p->iif ? p->iif : 1);
		return m->len == 4 ? YES : UNKNOWN;
	}
	return UNKNOWN; /* saddr and sport are properties of the source */
}

static bool in_range(const struct fw_range *r, const uint8_t *v, unsigned len)
{
	return key_cmp(r->lo, v, len) <= 0 && key_cmp(v, r->hi, len) <= 0;
}

/* Whether the concrete value v satisfies m (before negation). */
static int value_in(const struct fw_ruleset *rs, const struct fw_match *m, const uint8_t *v0)
{
	uint8_t v[FW_KEY_MAX];
	memcpy(v, v0, sizeof v);
	if (m->has_mask)
		for (unsigned i = 0; i < m->len; i++)
			v[i] &= m->mask[i];
	if (m->set >= 0) {
		if ((size_t)m->set >= rs->nsets || rs->sets[m->set].keylen != m->len)
			return UNKNOWN;
		const struct fw_set *s = &rs->sets[m->set];
		for (size_t i = 0; i < s->nelems; i++)
			if (in_range(&s->elems[i].key, v, m->len))
				return YES;
		return NO;
	}
	if (!m->nranges) {
		for (unsigned i = 0; i < m->len; i++)
			if (v[i])
				return YES;
		return NO;
	}
	for (size_t i = 0; i < m->nranges; i++)
		if (in_range(&m->ranges[i], v, m->len))
			return YES;
	return NO;
}

/* The sources a saddr match accepts, into *out; UNKNOWN when it cannot be said. */
static int saddr_set(const struct fw_ruleset *rs, const struct fw_match *m, unsigned len,
		     struct fw_srcset *out)
{
	if (m->len != len || m->has_mask)
		return UNKNOWN;
	struct fw_srcset s = {.len = (uint8_t)len};
	if (m->set >= 0) {
		if ((size_t)m->set >= rs->nsets || rs->sets[m->set].keylen != len)
			return UNKNOWN;
		const struct fw_set *st = &rs->sets[m->set];
		for (size_t i = 0; i < st->nelems; i++)
			if (set_push(&s, st->elems[i].key.lo, st->elems[i].key.hi))
				goto oom;
	} else {
		for (size_t i = 0; i < m->nranges; i++)
			if (set_push(&s, m->ranges[i].lo, m->ranges[i].hi))
				goto oom;
	}
	set_normalize(&s);
	if (!m->negate) {
		*out = s;
		return YES;
	}
	int rc = set_complement(&s, out);
	set_free(&s);
	return rc ? rc : YES;
oom:
	set_free(&s);
	return -ENOMEM;
}

/* ---------------------------------------------------------------- evaluation */

struct eval {
	const struct fw_ruleset *rs;
	const struct fw_packet *p;
	unsigned len;
	struct fw_srcset acc, drop, unk, fwd;
	struct fw_result *out;
	long steps;	 /* rules of chains walked again, up to MAX_STEPS */
	uint8_t *walked; /* per chain: walked already for this packet */
};

static void note(struct fw_ruleref *ref, long chain, long rule)
{
	if (ref->chain < 0)
		*ref = (struct fw_ruleref){(int32_t)chain, (int32_t)rule};
}

static int eval_chain(struct eval *e, long ci, struct fw_srcset *S, struct fw_srcset *ret,
		      int depth);

/* Mark `hit` unknown because of rule (ci, ri). Consumes hit. */
static int mark_unknown(struct eval *e, struct fw_srcset *hit, long ci, long ri, const char *why)
{
	int rc = hit->n ? set_add_all(&e->unk, hit) : 0;
	if (hit->n) {
		note(&e->out->unknown_by, ci, ri);
		if (!e->out->why)
			e->out->why = why;
	}
	set_free(hit);
	return rc;
}

/*
 * Apply verdict v of rule (ci, ri) to the sources `hit` (consumed). Sources that
 * continue in the current chain go to *cont, those the chain returns to its caller
 * to *ret.
 */
static int apply(struct eval *e, const struct fw_verdict *v, long ci, long ri,
		 struct fw_srcset *hit, struct fw_srcset *cont, struct fw_srcset *ret, int depth)
{
	int rc = 0;
	if (!hit->n)
		return 0;
	switch (v->kind) {
	case FW_V_CONTINUE:
		rc = set_add_all(cont, hit);
		break;
	case FW_V_ACCEPT:
	case FW_V_SNAT:
		note(&e->out->accept_by, ci, ri);
		rc = set_add_all(&e->acc, hit);
		break;
	case FW_V_DROP:
	case FW_V_REJECT:
		note(&e->out->drop_by, ci, ri);
		rc = set_add_all(&e->drop, hit);
		break;
	case FW_V_DNAT:
	case FW_V_REDIRECT:
		note(&e->out->forward_by, ci, ri);
		rc = set_add_all(&e->fwd, hit);
		break;
	case FW_V_RETURN:
		rc = set_add_all(ret, hit);
		break;
	case FW_V_JUMP:
	case FW_V_GOTO: {
		if (v->chain < 0 || (size_t)v->chain >= e->rs->nchains)
			return mark_unknown(e, hit, ci, ri,
					    "jump to a chain that is not in the rule set");
		if (depth >= MAX_DEPTH)
			return mark_unknown(e, hit, ci, ri, "chains nest too deeply");
		struct fw_srcset back = {.len = (uint8_t)e->len};
		rc = eval_chain(e, v->chain, hit, &back, depth + 1);
		if (!rc)
			rc = set_add_all(v->kind == FW_V_JUMP ? cont : ret, &back);
		set_free(&back);
		return rc;
	}
	default:
		return mark_unknown(e, hit, ci, ri, "a verdict that is not decoded");
	}
	set_free(hit);
	return rc;
}

/* The verdict map of rule r applied to `hit` (consumed). */
static int apply_vmap(struct eval *e, const struct fw_rule *r, long ci, long ri,
		      struct fw_srcset *hit, struct fw_srcset *cont, struct fw_srcset *ret,
		      int depth)
{
	const struct fw_match *m = &r->vmap;
	if (m->set < 0 || (size_t)m->set >= e->rs->nsets || !e->rs->sets[m->set].vmap ||
	    e->rs->sets[m->set].keylen != m->len)
		return mark_unknown(e, hit, ci, ri, "a verdict map that is not decoded");
	const struct fw_set *s = &e->rs->sets[m->set];
	if (m->field != FW_F_SADDR) {
		uint8_t v[FW_KEY_MAX];
		if (packet_value(e->p, m, v) != YES)
			return mark_unknown(e, hit, ci, ri,
					    "a verdict map on a field that is not decoded");
		if (m->has_mask)
			for (unsigned i = 0; i < m->len; i++)
				v[i] &= m->mask[i];
		for (size_t i = 0; i < s->nelems; i++)
			if (in_range(&s->elems[i].key, v, m->len))
				return apply(e, &s->elems[i].v, ci, ri, hit, cont, ret, depth);
		int rc = set_add_all(cont, hit);
		set_free(hit);
		return rc;
	}
	if (m->len != e->len || m->has_mask)
		return mark_unknown(e, hit, ci, ri, "a verdict map on a field that is not decoded");
	/* Partition the sources by element; the rest continues with the next rule. */
	for (size_t i = 0; i < s->nelems && hit->n; i++) {
		struct fw_srcset el = {.len = (uint8_t)e->len}, part, rest;
		if (set_push(&el, s->elems[i].key.lo, s->elems[i].key.hi))
			return -ENOMEM;
		int rc = set_intersect(hit, &el, &part);
		if (!rc && (rc = set_subtract(hit, &el, &rest)))
			set_free(&part);
		set_free(&el);
		if (rc)
			return rc;
		set_free(hit);
		*hit = rest;
		if ((rc = apply(e, &s->elems[i].v, ci, ri, &part, cont, ret, depth)))
			return rc;
	}
	int rc = set_add_all(cont, hit);
	set_free(hit);
	return rc;
}

/*
 * Evaluate the sources for which this rule's matches hold into *hit (a subset of S):
 * YES (hit set, maybe empty), NO, UNKNOWN (some match could not be evaluated;
 * *hit holds the sources that satisfy the matches that could), or -ENOMEM.
 */
static int rule_hits(struct eval *e, const struct fw_rule *r, const struct fw_srcset *S,
		     struct fw_srcset *hit)
{
	bool unknown = r->unknown != NULL, by_source = false;
	*hit = (struct fw_srcset){.len = (uint8_t)e->len};
	/* The packet's own fields first: most rules fail here, before any set is copied. */
	for (size_t i = 0; i < r->nm; i++) {
		const struct fw_match *m = &r->m[i];
		if (m->field == FW_F_SADDR) {
			by_source = true;
			continue;
		}
		uint8_t v[FW_KEY_MAX];
		int got = packet_value(e->p, m, v);
		if (got == YES)
			got = value_in(e->rs, m, v);
		if (got == UNKNOWN)
			unknown = true;
		else if (got != !m->negate)
			return NO;
	}
	struct fw_srcset cur = {.len = (uint8_t)e->len};
	if (set_add_all(&cur, S))
		goto oom;
	for (size_t i = 0; by_source && i < r->nm; i++) {
		const struct fw_match *m = &r->m[i];
		if (m->field != FW_F_SADDR)
			continue;
		struct fw_srcset ms, next;
		int got = saddr_set(e->rs, m, e->len, &ms);
		if (got < UNKNOWN)
			goto oom;
		if (got == UNKNOWN) {
			unknown = true;
			continue;
		}
		int rc = set_intersect(&cur, &ms, &next);
		set_free(&ms);
		if (rc)
			goto oom;
		set_free(&cur);
		cur = next;
	}
	*hit = cur;
	return unknown ? UNKNOWN : YES;
oom:
	set_free(&cur);
	return -ENOMEM;
}

static int eval_chain(struct eval *e, long ci, struct fw_srcset *S, struct fw_srcset *ret,
		      int depth)
{
	const struct fw_chain *c = &e->rs->chains[ci];
	int rc = 0;
	bool again = e->walked[ci];
	e->walked[ci] = 1;
	for (size_t ri = 0; ri < c->nrules && S->n && !rc; ri++) {
		const struct fw_rule *r = &c->rules[ri];
		if (r->v.kind == FW_V_CONTINUE)
			continue;		       /* decides nothing, whatever it matches */
		if (again && ++e->steps > MAX_STEPS) { /* every source still here is unknown */
			rc = mark_unknown(e, S, ci, (long)ri,
					  "chains branch too often to follow every path");
			break;
		}
		struct fw_srcset hit, rest;
		int got = rule_hits(e, r, S, &hit);
		if (got < UNKNOWN)
			return -ENOMEM;
		if (got == NO || !hit.n) {
			set_free(&hit);
			continue;
		}
		if ((rc = set_subtract(S, &hit, &rest))) {
			set_free(&hit);
			break;
		}
		set_free(S);
		*S = rest;
		if (got == UNKNOWN) {
			rc = mark_unknown(e, &hit, ci, (long)ri,
					  "an expression that is not decoded");
			continue;
		}
		struct fw_srcset cont = {.len = (uint8_t)e->len};
		rc = r->v.kind == FW_V_VMAP
			 ? apply_vmap(e, r, ci, (long)ri, &hit, &cont, ret, depth)
			 : apply(e, &r->v, ci, (long)ri, &hit, &cont, ret, depth);
		if (!rc && cont.n)
			rc = set_add_all(S, &cont);
		set_free(&cont);
	}
	if (!rc)
		rc = set_add_all(ret, S);
	set_free(S);
	return rc;
}

struct base {
	uint8_t hook;
	int32_t priority;
	long chain;
};

/* The order hooks run in for a packet on its way in (output first for a local one). */
static int hook_rank(unsigned hook)
{
	return hook == FW_HOOK_OUTPUT ? 0 : hook == FW_HOOK_PREROUTING ? 1 : 2;
}

static int base_cmp(const void *a, const void *b)
{
	const struct base *x = a, *y = b;
	if (x->hook != y->hook)
		return hook_rank(x->hook) < hook_rank(y->hook) ? -1 : 1;
	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return x->chain < y->chain ? -1 : 1;
}

static bool sees(const struct fw_chain *c, const struct fw_packet *p)
{
	if (!(c->family == FW_FAM_INET || (c->family == FW_FAM_IP && p->family == 4) ||
	      (c->family == FW_FAM_IP6 && p->family == 6)))
		return false;
	if (c->hook == FW_HOOK_INPUT)
		return true;
	if (c->hook == FW_HOOK_PREROUTING)
		return !p->local || c->type != FW_CT_NAT;
	return c->hook == FW_HOOK_OUTPUT && p->local;
}

/* Base chains that see p on its way in, in the order the kernel runs them. A new array. */
static long *base_chains(const struct fw_ruleset *rs, const struct fw_packet *p, size_t *n)
{
	struct base *b = malloc((rs->nchains + 1) * sizeof *b);
	long *out = malloc((rs->nchains + 1) * sizeof *out);
	if (!b || !out) {
		free(b);
		free(out);
		return NULL;
	}
	*n = 0;
	for (size_t i = 0; i < rs->nchains; i++)
		if (sees(&rs->chains[i], p))
			b[(*n)++] =
			    (struct base){rs->chains[i].hook, rs->chains[i].priority, (long)i};
	qsort(b, *n, sizeof *b, base_cmp);
	for (size_t i = 0; i < *n; i++)
		out[i] = b[i].chain;
	free(b);
	return out;
}

int fw_evaluate(const struct fw_ruleset *rs, const struct fw_packet *p, struct fw_result *out)
{
	memset(out, 0, sizeof *out);
	out->accept_by = out->drop_by = out->unknown_by = out->forward_by =
	    (struct fw_ruleref){-1, -1};
	struct eval e = {.rs = rs, .p = p, .len = p->family == 4 ? 4 : 16, .out = out};
	e.drop.len = e.unk.len = e.fwd.len = (uint8_t)e.len;
	size_t nb;
	long *bases = base_chains(rs, p, &nb);
	e.walked = calloc(rs->nchains + 1, 1);
	struct fw_srcset live;
	if (!bases || !e.walked || set_full(&live, e.len)) {
		free(bases);
		free(e.walked);
		return -ENOMEM;
	}
	int rc = 0;
	for (size_t b = 0; b < nb && live.n && !rc; b++) {
		const struct fw_chain *c = &rs->chains[bases[b]];
		struct fw_srcset ret = {.len = (uint8_t)e.len};
		e.acc = (struct fw_srcset){.len = (uint8_t)e.len};
		out->accept_by =
		    (struct fw_ruleref){-1, -1}; /* what let it in: the last chain's say */
		rc = eval_chain(&e, bases[b], &live, &ret, 0); /* consumes live */
		if (!rc && ret.n) {
			/* The policy decides what falls off the end of a base chain. */
			bool drop = c->policy == FW_V_DROP;
			note(drop ? &out->drop_by : &out->accept_by, bases[b], -1);
			rc = set_add_all(drop ? &e.drop : &e.acc, &ret);
		}
		set_free(&ret);
		live = e.acc; /* what this chain let through meets the next one */
		out->chains++;
	}
	free(bases);
	free(e.walked);
	if (rc) {
		set_free(&live);
	} else if (e.unk.n) {
		out->reach = FW_REACH_UNKNOWN;
		set_free(&live);
	} else {
		out->reach = set_is_full(&live) ? FW_REACH_ALL
			     : live.n		? FW_REACH_SOME
						: FW_REACH_NONE;
		out->accepted = live;
	}
	set_free(&e.drop);
	set_free(&e.unk);
	set_free(&e.fwd);
	return rc;
}

void fw_result_free(struct fw_result *r)
{
	set_free(&r->accepted);
}

const char *fw_reach_name(unsigned reach)
{
	static const char *const names[] = {"all", "some", "none", "unknown"};
	return reach < sizeof names / sizeof *names ? names[reach] : "unknown";
}

/* Length of the longest prefix starting at lo that ends at or before hi; 0..len*8. */
static unsigned prefix_from(const uint8_t *lo, const uint8_t *hi, unsigned len)
{
	for (unsigned plen = 0; plen <= len * 8; plen++) {
		struct fw_range r;
		fw_prefix_range(lo, len, plen, &r);
		if (!memcmp(r.lo, lo, len) && key_cmp(r.hi, hi, len) <= 0)
			return plen;
	}
	return len * 8;
}

static void format_addr(const uint8_t *a, unsigned len, char *out, size_t outlen)
{
	if (len == 4) {
		snprintf(out, outlen, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		return;
	}
	/* RFC 5952: longest run of zero groups (two or more) becomes "::". */
	unsigned g[8], best = 0, bestlen = 0;
	for (unsigned i = 0; i < 8; i++)
		g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	for (unsigned i = 0; i < 8;) {
		unsigned j = i;
		while (j < 8 && !g[j])
			j++;
		if (j - i > bestlen) {
			best = i;
			bestlen = j - i;
		}
		i = j > i ? j : i + 1;
	}
	size_t w = 0;
	out[0] = '\0';
	for (unsigned i = 0; i < 8 && w < outlen; i++) {
		if (bestlen >= 2 && i == best) {
			w += (size_t)snprintf(out + w, outlen - w, "::");
			i += bestlen - 1;
			continue;
		}
		w += (size_t)snprintf(out + w, outlen - w, "%s%x",
				      w && out[w - 1] != ':' ? ":" : "", g[i]);
	}
}

size_t fw_srcset_format(const struct fw_srcset *s, char *out, size_t outlen)
{
	size_t w = 0, count = 0;
	if (outlen)
		out[0] = '\0';
	for (size_t i = 0; i < s->n; i++) {
		uint8_t lo[FW_KEY_MAX];
		memcpy(lo, s->r[i].lo, s->len);
		for (;;) {
			unsigned plen = prefix_from(lo, s->r[i].hi, s->len);
			char a[48], item[56];
			format_addr(lo, s->len, a, sizeof a);
			if (plen == s->len * 8u)
				snprintf(item, sizeof item, "%s%s", count ? "," : "", a);
			else
				snprintf(item, sizeof item, "%s%s/%u", count ? "," : "", a, plen);
			count++;
			size_t il = strlen(item);
			if (w + il + 5 > outlen) { /* keep room for ",..." */
				const char *more = w ? ",..." : "...";
				if (w + strlen(more) < outlen)
					memcpy(out + w, more, strlen(more) + 1);
				return count;
			}
			memcpy(out + w, item, il + 1);
			w += il;
			struct fw_range r;
			fw_prefix_range(lo, s->len, plen, &r);
			if (!key_cmp(r.hi, s->r[i].hi, s->len))
				break;
			memcpy(lo, r.hi, s->len);
			key_inc(lo, s->len);
		}
	}
	return count;
}

/* ---------------------------------------------------------------- forwards */

struct fwd_list {
	struct fw_forward *a;
	size_t n, cap;
	int err;
	long steps; /* rules looked at; the search stops at MAX_FWD_STEPS */
};

/* What the path to a rule requires of a connection. */
struct path {
	uint8_t l4proto;
	bool has_daddr;
	struct fw_range daddr;
	uint16_t port_lo, port_hi;    /* every single-range dport match on the way, intersected */
	const struct fw_match *ports; /* the nearest dport match with several ranges or a set */
	const char *runtime;
	bool prerouting;
};

static const char *runtime_of(const struct fw_chain *c)
{
	if (!strcmp(c->name, "DOCKER") || !strncmp(c->name, "DOCKER-", 7))
		return "docker";
	if (!strncmp(c->name, "NETAVARK", 8) || !strcmp(c->table, "netavark"))
		return "podman";
	if (!strncmp(c->name, "KUBE-", 5) || !strcmp(c->table, "kube-proxy"))
		return "kubernetes";
	if (!strncmp(c->name, "CNI-", 4))
		return "cni";
	return NULL;
}

static uint16_t port_of(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static void path_narrow(struct path *pt, const struct fw_rule *r, unsigned alen)
{
	for (size_t i = 0; i < r->nm; i++) {
		const struct fw_match *m = &r->m[i];
		if (m->negate || m->has_mask)
			continue;
		if (m->field == FW_F_DPORT && m->len == 2 && (m->set >= 0 || m->nranges > 1)) {
			pt->ports = m;
			continue;
		}
		if (m->set >= 0 || m->nranges != 1)
			continue;
		const struct fw_range *rg = &m->ranges[0];
		if (m->field == FW_F_L4PROTO && rg->lo[0] == rg->hi[0]) {
			pt->l4proto = rg->lo[0];
		} else if (m->field == FW_F_DADDR && m->len == alen) {
			pt->has_daddr = true;
			pt->daddr = *rg;
		} else if (m->field == FW_F_DPORT && m->len == 2) {
			if (port_of(rg->lo) > pt->port_lo)
				pt->port_lo = port_of(rg->lo);
			if (port_of(rg->hi) < pt->port_hi)
				pt->port_hi = port_of(rg->hi);
		}
	}
}

static void emit(struct fwd_list *l, const struct fw_forward *f)
{
	if (l->err)
		return;
	if (util_grow((void **)&l->a, &l->cap, l->n + 1, sizeof *l->a)) {
		l->err = -ENOMEM;
		return;
	}
	l->a[l->n++] = *f;
}

/* One forward for ports [lo, hi] clamped to what the path allows (none when nothing is left). */
static void emit_ports(struct fwd_list *l, struct fw_forward *f, const struct path *pt, uint16_t lo,
		       uint16_t hi)
{
	if (lo < pt->port_lo)
		lo = pt->port_lo;
	if (hi > pt->port_hi)
		hi = pt->port_hi;
	if (lo > hi)
		return;
	bool any = lo == 0 && hi == 65535;
	f->port_lo = any ? 0 : lo;
	f->port_hi = any ? 0 : hi;
	emit(l, f);
}

static void emit_rule(const struct fw_ruleset *rs, struct fwd_list *l, const struct path *pt,
		      long ci, long ri, unsigned fam)
{
	const struct fw_rule *r = &rs->chains[ci].rules[ri];
	struct fw_forward f = {.family = (uint8_t)fam,
			       .l4proto = pt->l4proto,
			       .has_daddr = pt->has_daddr,
			       .daddr = pt->daddr,
			       .to = r->nat,
			       .redirect = r->v.kind == FW_V_REDIRECT,
			       .prerouting = pt->prerouting,
			       .output = !pt->prerouting,
			       .rule = {(int32_t)ci, (int32_t)ri},
			       .runtime = pt->runtime};
	if (!f.runtime)
		f.runtime = runtime_of(&rs->chains[ci]);
	const struct fw_match *d = pt->ports;
	if (d && d->set >= 0 && (size_t)d->set < rs->nsets && rs->sets[d->set].keylen == 2) {
		const struct fw_set *s = &rs->sets[d->set];
		for (size_t i = 0; i < s->nelems; i++)
			emit_ports(l, &f, pt, port_of(s->elems[i].key.lo),
				   port_of(s->elems[i].key.hi));
	} else if (d && d->set < 0) {
		for (size_t i = 0; i < d->nranges; i++)
			emit_ports(l, &f, pt, port_of(d->ranges[i].lo), port_of(d->ranges[i].hi));
	} else {
		emit_ports(l, &f, pt, 0, 65535);
	}
}

static void walk(const struct fw_ruleset *rs, struct fwd_list *l, long ci, struct path pt,
		 unsigned fam, int depth)
{
	const struct fw_chain *c = &rs->chains[ci];
	if (depth > MAX_DEPTH || l->err)
		return;
	if (!pt.runtime)
		pt.runtime = runtime_of(c);
	unsigned alen = fam == 4 ? 4 : 16;
	for (size_t ri = 0; ri < c->nrules && ++l->steps <= MAX_FWD_STEPS; ri++) {
		const struct fw_rule *r = &c->rules[ri];
		bool v4only = false, v6only = false;
		for (size_t i = 0; i < r->nm; i++)
			if (r->m[i].field == FW_F_NFPROTO && !r->m[i].negate &&
			    r->m[i].nranges == 1) {
				v4only = r->m[i].ranges[0].lo[0] == 2;
				v6only = r->m[i].ranges[0].lo[0] == 10;
			}
		if ((v4only && fam != 4) || (v6only && fam != 6))
			continue;
		struct path sub = pt;
		path_narrow(&sub, r, alen);
		switch (r->v.kind) {
		case FW_V_DNAT:
		case FW_V_REDIRECT:
			if (!r->nat.family || r->nat.family == fam)
				emit_rule(rs, l, &sub, ci, (long)ri, fam);
			break;
		case FW_V_JUMP:
		case FW_V_GOTO:
			if (r->v.chain >= 0 && (size_t)r->v.chain < rs->nchains)
				walk(rs, l, r->v.chain, sub, fam, depth + 1);
			break;
		case FW_V_VMAP:
			if (r->vmap.set >= 0 && (size_t)r->vmap.set < rs->nsets) {
				const struct fw_set *s = &rs->sets[r->vmap.set];
				for (size_t i = 0; i < s->nelems; i++) {
					const struct fw_verdict *v = &s->elems[i].v;
					if ((v->kind == FW_V_JUMP || v->kind == FW_V_GOTO) &&
					    v->chain >= 0 && (size_t)v->chain < rs->nchains)
						walk(rs, l, v->chain, sub, fam, depth + 1);
				}
			}
			break;
		default:
			break;
		}
	}
}

static int fwd_cmp(const void *a, const void *b)
{
	const struct fw_forward *x = a, *y = b;
	if (x->rule.chain != y->rule.chain)
		return x->rule.chain < y->rule.chain ? -1 : 1;
	if (x->rule.rule != y->rule.rule)
		return x->rule.rule < y->rule.rule ? -1 : 1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if (x->port_lo != y->port_lo)
		return x->port_lo < y->port_lo ? -1 : 1;
	if (x->port_hi != y->port_hi)
		return x->port_hi < y->port_hi ? -1 : 1;
	if (x->l4proto != y->l4proto)
		return x->l4proto < y->l4proto ? -1 : 1;
	if (x->has_daddr != y->has_daddr)
		return x->has_daddr ? 1 : -1;
	return memcmp(&x->daddr, &y->daddr, sizeof x->daddr);
}

int fw_forwards(const struct fw_ruleset *rs, struct fw_forward **out, size_t *n)
{
	struct fwd_list l = {0};
	for (size_t i = 0; i < rs->nchains; i++) {
		const struct fw_chain *c = &rs->chains[i];
		if (c->type != FW_CT_NAT ||
		    (c->hook != FW_HOOK_PREROUTING && c->hook != FW_HOOK_OUTPUT))
			continue;
		for (unsigned fam = 4; fam <= 6; fam += 2) {
			if ((c->family == FW_FAM_IP && fam != 4) ||
			    (c->family == FW_FAM_IP6 && fam != 6) || c->family == FW_FAM_OTHER)
				continue;
			struct path pt = {.prerouting = c->hook == FW_HOOK_PREROUTING,
					  .port_hi = 65535};
			walk(rs, &l, (long)i, pt, fam, 0);
		}
	}
	if (l.err) {
		free(l.a);
		return l.err;
	}
	/* One entry per forward: the same rule reached from prerouting and output is one. */
	if (l.n > 1)
		qsort(l.a, l.n, sizeof *l.a, fwd_cmp);
	size_t w = 0;
	for (size_t i = 0; i < l.n; i++) {
		if (w && !fwd_cmp(&l.a[w - 1], &l.a[i])) {
			l.a[w - 1].prerouting |= l.a[i].prerouting;
			l.a[w - 1].output |= l.a[i].output;
			continue;
		}
		l.a[w++] = l.a[i];
	}
	*out = l.a;
	*n = w;
	return 0;
}
