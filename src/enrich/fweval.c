/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fweval.c — evaluate a rule set for a new connection over the set of its possible sources. */
#include "fweval.h"

#include <errno.h>
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

/* ---------------------------------------------------------------- matches */

/* ABSENT: the packet has no such field (no output interface on the way in, no routing
 * header): the match fails, negated or not, as the kernel's expression breaks. */
enum { NO = 0, YES = 1, UNKNOWN = -1, ABSENT = 2 };

static void put_be32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

/*
 * The packet's value of a field other than its source, in a chain on `hook`; UNKNOWN
 * when it is not known, ABSENT when the packet has none.
 */
static int packet_value(const struct fw_packet *p, unsigned hook, const struct fw_match *m,
			uint8_t *v)
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
	case FW_F_OIF:
	case FW_F_OIFNAME:
		/* On its way in a packet has no output interface; one from this machine
		 * leaves over lo in the output hook, the interface it then arrives on. */
		if (hook != FW_HOOK_OUTPUT || !p->local)
			return ABSENT;
		if (m->field == FW_F_OIF) {
			put_be32(v, p->iif);
			return m->len == 4 && p->iif ? YES : UNKNOWN;
		}
		if (!p->iifname || m->len != 16)
			return UNKNOWN;
		strncpy((char *)v, p->iifname, 16);
		return YES;
	case FW_F_RTHDR_TYPE:
		return ABSENT; /* a connection's packets carry no IPv6 routing header */
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
	return fw_key_cmp(r->lo, v, len) <= 0 && fw_key_cmp(v, r->hi, len) <= 0;
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
			if (fw_srcset_push(&s, st->elems[i].key.lo, st->elems[i].key.hi))
				goto oom;
	} else {
		for (size_t i = 0; i < m->nranges; i++)
			if (fw_srcset_push(&s, m->ranges[i].lo, m->ranges[i].hi))
				goto oom;
	}
	fw_srcset_normalize(&s);
	if (!m->negate) {
		*out = s;
		return YES;
	}
	int rc = fw_srcset_complement(&s, out);
	fw_srcset_free(&s);
	return rc ? rc : YES;
oom:
	fw_srcset_free(&s);
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
	unsigned hook;	 /* the hook of the base chain being run */
	/*
	 * Inside the "it matched" branch of a rule whose match is not decoded: what it
	 * does there is a possibility, not the rule that decides (see eval_chain).
	 */
	int spec;
	/* the first such rule that matched some sources: with a final verdict (accept, drop,
	 * ...: the likely decider), and of any verdict (a jump to a logging chain) */
	struct fw_ruleref undecided, undecided_any;
};

/* Record the first rule that did something, unless it only may have (e->spec). */
static void note_by(const struct eval *e, struct fw_ruleref *ref, long chain, long rule)
{
	if (ref->chain < 0 && !e->spec)
		*ref = (struct fw_ruleref){(int32_t)chain, (int32_t)rule};
}

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
	int rc = hit->n ? fw_srcset_union(&e->unk, hit) : 0;
	if (hit->n) {
		note(&e->out->unknown_by, ci, ri);
		if (!e->out->why)
			e->out->why = why;
	}
	fw_srcset_free(hit);
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
		rc = fw_srcset_union(cont, hit);
		break;
	case FW_V_ACCEPT:
	case FW_V_SNAT:
		note_by(e, &e->out->accept_by, ci, ri);
		rc = fw_srcset_union(&e->acc, hit);
		break;
	case FW_V_DROP:
	case FW_V_REJECT:
		note_by(e, &e->out->drop_by, ci, ri);
		rc = fw_srcset_union(&e->drop, hit);
		break;
	case FW_V_DNAT:
	case FW_V_REDIRECT:
		note_by(e, &e->out->forward_by, ci, ri);
		rc = fw_srcset_union(&e->fwd, hit);
		break;
	case FW_V_RETURN:
		rc = fw_srcset_union(ret, hit);
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
			rc = fw_srcset_union(v->kind == FW_V_JUMP ? cont : ret, &back);
		fw_srcset_free(&back);
		return rc;
	}
	default:
		return mark_unknown(e, hit, ci, ri, "a verdict that is not decoded");
	}
	fw_srcset_free(hit);
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
		int got = packet_value(e->p, e->hook, m, v);
		if (got == ABSENT) { /* no element matches: the next rule */
			int rc = fw_srcset_union(cont, hit);
			fw_srcset_free(hit);
			return rc;
		}
		if (got != YES)
			return mark_unknown(e, hit, ci, ri,
					    "a verdict map on a field that is not decoded");
		if (m->has_mask)
			for (unsigned i = 0; i < m->len; i++)
				v[i] &= m->mask[i];
		for (size_t i = 0; i < s->nelems; i++)
			if (in_range(&s->elems[i].key, v, m->len))
				return apply(e, &s->elems[i].v, ci, ri, hit, cont, ret, depth);
		int rc = fw_srcset_union(cont, hit);
		fw_srcset_free(hit);
		return rc;
	}
	if (m->len != e->len || m->has_mask)
		return mark_unknown(e, hit, ci, ri, "a verdict map on a field that is not decoded");
	/* Partition the sources by element; the rest continues with the next rule. */
	for (size_t i = 0; i < s->nelems && hit->n; i++) {
		struct fw_srcset el = {.len = (uint8_t)e->len}, part, rest;
		if (fw_srcset_push(&el, s->elems[i].key.lo, s->elems[i].key.hi))
			return -ENOMEM;
		int rc = fw_srcset_intersect(hit, &el, &part);
		if (!rc && (rc = fw_srcset_subtract(hit, &el, &rest)))
			fw_srcset_free(&part);
		fw_srcset_free(&el);
		if (rc)
			return rc;
		fw_srcset_free(hit);
		*hit = rest;
		if ((rc = apply(e, &s->elems[i].v, ci, ri, &part, cont, ret, depth)))
			return rc;
	}
	int rc = fw_srcset_union(cont, hit);
	fw_srcset_free(hit);
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
		int got = packet_value(e->p, e->hook, m, v);
		if (got == ABSENT)
			return NO;
		if (got == YES)
			got = value_in(e->rs, m, v);
		if (got == UNKNOWN)
			unknown = true;
		else if (got != !m->negate)
			return NO;
	}
	struct fw_srcset cur = {.len = (uint8_t)e->len};
	if (fw_srcset_union(&cur, S))
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
		int rc = fw_srcset_intersect(&cur, &ms, &next);
		fw_srcset_free(&ms);
		if (rc)
			goto oom;
		fw_srcset_free(&cur);
		cur = next;
	}
	*hit = cur;
	return unknown ? UNKNOWN : YES;
oom:
	fw_srcset_free(&cur);
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
			fw_srcset_free(&hit);
			continue;
		}
		if (got == UNKNOWN) {
			/* Whether it matches is not known: its sources both go on (they stay
			 * in S) and take its verdict; where both ways end alike, the outcome
			 * is certain all the same. */
			bool branch = r->v.kind == FW_V_JUMP || r->v.kind == FW_V_GOTO ||
				      r->v.kind == FW_V_RETURN;
			note(branch ? &e->undecided_any : &e->undecided, ci, (long)ri);
			e->spec++;
		} else if ((rc = fw_srcset_subtract(S, &hit, &rest))) {
			fw_srcset_free(&hit);
			break;
		} else {
			fw_srcset_free(S);
			*S = rest;
		}
		struct fw_srcset cont = {.len = (uint8_t)e->len};
		rc = r->v.kind == FW_V_VMAP
			 ? apply_vmap(e, r, ci, (long)ri, &hit, &cont, ret, depth)
			 : apply(e, &r->v, ci, (long)ri, &hit, &cont, ret, depth);
		if (!rc && cont.n)
			rc = fw_srcset_union(S, &cont);
		fw_srcset_free(&cont);
		e->spec -= got == UNKNOWN;
	}
	if (!rc)
		rc = fw_srcset_union(ret, S);
	fw_srcset_free(S);
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

/*
 * Sources that may be let in (live) and may also be dropped or forwarded: a rule
 * whose match is not decoded decides for them, so they are unknown (into e->unk,
 * blamed on the first such rule). 0 or -ENOMEM.
 */
static int undecided(struct eval *e, const struct fw_srcset *live)
{
	struct fw_srcset both = {.len = (uint8_t)e->len}, also = both;
	int rc = fw_srcset_intersect(live, &e->drop, &both);
	if (!rc && !(rc = fw_srcset_intersect(live, &e->fwd, &also))) {
		rc = fw_srcset_union(&both, &also);
		fw_srcset_free(&also);
	}
	if (!rc && both.n) {
		const struct fw_ruleref *u =
		    e->undecided.chain >= 0 ? &e->undecided : &e->undecided_any;
		note(&e->out->unknown_by, u->chain, u->rule);
		e->out->why = "an expression that is not decoded decides it";
		rc = fw_srcset_union(&e->unk, &both);
	}
	fw_srcset_free(&both);
	return rc;
}

int fw_evaluate(const struct fw_ruleset *rs, const struct fw_packet *p, struct fw_result *out)
{
	memset(out, 0, sizeof *out);
	out->accept_by = out->drop_by = out->unknown_by = out->forward_by =
	    (struct fw_ruleref){-1, -1};
	struct eval e = {.rs = rs,
			 .p = p,
			 .len = p->family == 4 ? 4 : 16,
			 .out = out,
			 .undecided = {-1, -1},
			 .undecided_any = {-1, -1}};
	e.drop.len = e.unk.len = e.fwd.len = (uint8_t)e.len;
	size_t nb;
	long *bases = base_chains(rs, p, &nb);
	e.walked = calloc(rs->nchains + 1, 1);
	struct fw_srcset live;
	if (!bases || !e.walked || fw_srcset_full(&live, e.len)) {
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
		e.hook = c->hook;
		rc = eval_chain(&e, bases[b], &live, &ret, 0); /* consumes live */
		if (!rc && ret.n) {
			/* The policy decides what falls off the end of a base chain. */
			bool drop = c->policy == FW_V_DROP;
			note(drop ? &out->drop_by : &out->accept_by, bases[b], -1);
			rc = fw_srcset_union(drop ? &e.drop : &e.acc, &ret);
		}
		fw_srcset_free(&ret);
		live = e.acc; /* what this chain let through meets the next one */
		out->chains++;
	}
	free(bases);
	free(e.walked);
	if (!rc && !e.unk.n)
		rc = undecided(&e, &live);
	if (rc) {
		fw_srcset_free(&live);
	} else if (e.unk.n) {
		out->reach = FW_REACH_UNKNOWN;
		fw_srcset_free(&live);
	} else {
		out->reach = fw_srcset_is_full(&live) ? FW_REACH_ALL
			     : live.n		      ? FW_REACH_SOME
						      : FW_REACH_NONE;
		out->accepted = live;
	}
	fw_srcset_free(&e.drop);
	fw_srcset_free(&e.unk);
	fw_srcset_free(&e.fwd);
	return rc;
}

void fw_result_free(struct fw_result *r)
{
	fw_srcset_free(&r->accepted);
}
