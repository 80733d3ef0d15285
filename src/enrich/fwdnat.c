/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fwdnat.c — the ports NAT rules forward (DNAT) or redirect, found by walking the nat chains. */
#include "fwdnat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/grow.h"

/* Deepest jump nesting followed; the kernel allows 16, a recorded rule set may claim more. */
#define MAX_DEPTH 32
/* The same for the forward search, which keeps an entry per DNAT rule reached (deduplicated
 * at the end): smaller, so that a branchy nat rule set costs tens of MB at most. */
#define MAX_FWD_STEPS (1L << 18)

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
