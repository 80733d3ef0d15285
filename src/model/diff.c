/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diff.c — match two socket lists by identity and classify what changed. */
#include "diff.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/grow.h"
#include "exposure.h"
#include "fwmodel.h"
#include "verdict.h"

static int cmp_u(uint64_t x, uint64_t y)
{
	return (x > y) - (x < y);
}

static int cmp_ep(const struct ps_endpoint *x, const struct ps_endpoint *y)
{
	int c;
	if ((c = cmp_u(x->port, y->port)))
		return c;
	if ((c = cmp_u(x->addr.family, y->addr.family)))
		return c;
	return memcmp(x->addr.bytes, y->addr.bytes, x->addr.family == PS_INET ? 4 : 16);
}

int diff_cmp_identity(const struct ps_socket *x, const struct ps_socket *y)
{
	int c;
	if ((c = cmp_u(x->netns, y->netns)) || (c = cmp_u(x->proto, y->proto)) ||
	    (c = cmp_ep(&x->local, &y->local)) || (c = cmp_ep(&x->remote, &y->remote)))
		return c;
	return 0;
}

uint8_t diff_exposure(const struct diff_side *s, size_t i)
{
	if (s->exposure && s->exposure[i] < PS_EXPO__COUNT)
		return s->exposure[i];
	/* a judged model: the scope after the firewall's verdict */
	const struct sock_verdict *v = verdict_of(s->snap, &s->snap->socks[i]);
	if (v)
		return (uint8_t)v->scope;
	return (uint8_t)exposure_classify(&s->snap->socks[i].local.addr);
}

struct diff_fw diff_firewall(const struct diff_side *s, size_t i)
{
	if (s->fw)
		return s->fw[i];
	const struct sock_verdict *v = verdict_of(s->snap, &s->snap->socks[i]);
	if (!v || !v->fw || !v->nreach)
		return (struct diff_fw){PS_FW__COUNT, NULL};
	return (struct diff_fw){v->fw_summary, v->fw_sources};
}

static bool fw_same(const struct diff_fw *x, const struct diff_fw *y)
{
	if (x->verdict != y->verdict)
		return false;
	/* sources are compared when both sides know them (older snapshots do not say) */
	return x->verdict != PS_FW_SOME || !x->sources || !y->sources ||
	       strcmp(x->sources, y->sources) == 0;
}

int diff_fw_direction(const struct diff_fw *before, const struct diff_fw *after)
{
	/* how much gets in: none < some < all; unknown and not-read say nothing */
	static const int rank[PS_FW__COUNT] = {[PS_FW_ALL] = 3, [PS_FW_SOME] = 2, [PS_FW_NONE] = 1};
	int x = before->verdict < PS_FW__COUNT ? rank[before->verdict] : 0;
	int y = after->verdict < PS_FW__COUNT ? rank[after->verdict] : 0;
	return !x || !y ? 0 : (y > x) - (y < x);
}

const char *diff_kind_name(unsigned kind)
{
	static const char *const n[DIFF__COUNT] = {"new",
						   "closed",
						   "owner-changed",
						   "exposure-changed",
						   "firewall-changed",
						   "address-changed",
						   "state-changed"};
	return kind < DIFF__COUNT ? n[kind] : "?";
}

/* Identity, then LISTEN first: it represents the group. */
static int cmp_identity_listen_first(const struct ps_socket *x, const struct ps_socket *y)
{
	int c = diff_cmp_identity(x, y);
	if (c)
		return c;
	return x->state == y->state ? 0 : x->state > y->state ? -1 : 1;
}

/* What makes two owners "the same program": executable (or name), unit, container. */
struct okey {
	const char *prog, *unit, *cont;
};

static int cmp_str(const char *a, const char *b)
{
	if (!a || !b)
		return (a != NULL) - (b != NULL);
	return strcmp(a, b);
}

static int cmp_okey(const void *pa, const void *pb)
{
	const struct okey *a = pa, *b = pb;
	int c;
	if ((c = cmp_str(a->prog, b->prog)) || (c = cmp_str(a->unit, b->unit)))
		return c;
	return cmp_str(a->cont, b->cont);
}

static struct okey owner_key(const struct ps_snapshot *s, const struct ps_owner *o)
{
	const struct ps_proc *p = &s->procs[o->proc];
	return (struct okey){p->exe ? p->exe : p->name, p->unit,
			     p->container ? p->container : p->container_name};
}

/* The distinct owner keys of sockets ix[first..first+n) into a new array (NULL when none). 0 or
 * -ENOMEM. */
static int owner_keys(const struct ps_snapshot *s, const uint32_t *ix, size_t first, size_t n,
		      struct okey **out, size_t *nk)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += s->socks[ix[first + i]].owner_count;
	*out = NULL;
	*nk = 0;
	if (!total)
		return 0;
	struct okey *k = malloc(total * sizeof *k);
	if (!k)
		return -ENOMEM;
	size_t m = 0;
	for (size_t i = 0; i < n; i++) {
		const struct ps_socket *so = &s->socks[ix[first + i]];
		for (size_t j = 0; j < so->owner_count; j++)
			k[m++] = owner_key(s, snap_owner(s, so, j));
	}
	qsort(k, m, sizeof *k, cmp_okey);
	size_t u = 0;
	for (size_t i = 0; i < m; i++)
		if (!u || cmp_okey(&k[u - 1], &k[i]))
			k[u++] = k[i];
	*out = k;
	*nk = u;
	return 0;
}

/* 1 when the owners differ, 0 when they are the same or one side saw none, -ENOMEM. */
static int owners_differ(const struct diff_side *a, const uint32_t *ia, size_t fa, size_t na,
			 const struct diff_side *b, const uint32_t *ib, size_t fb, size_t nb)
{
	const struct ps_socket *x = &a->snap->socks[ia[fa]], *y = &b->snap->socks[ib[fb]];
	if (na == 1 && nb == 1 && x->owner_count == 1 && y->owner_count == 1) {
		struct okey p = owner_key(a->snap, snap_owner(a->snap, x, 0));
		struct okey q = owner_key(b->snap, snap_owner(b->snap, y, 0));
		return cmp_okey(&p, &q) != 0;
	}
	struct okey *ka, *kb;
	size_t nka, nkb;
	if (owner_keys(a->snap, ia, fa, na, &ka, &nka))
		return -ENOMEM;
	if (owner_keys(b->snap, ib, fb, nb, &kb, &nkb)) {
		free(ka);
		return -ENOMEM;
	}
	int rc = 0;
	if (nka && nkb) {
		rc = nka != nkb;
		for (size_t i = 0; !rc && i < nka; i++)
			rc = cmp_okey(&ka[i], &kb[i]) != 0;
	}
	free(ka);
	free(kb);
	return rc;
}

static int add(struct diff_result *r, uint8_t kind, long before, uint32_t nb, long after,
	       uint32_t na, const struct diff_side *a, const struct diff_side *b)
{
	if (util_grow((void **)&r->v, &r->cap, r->n + 1, sizeof *r->v))
		return -ENOMEM;
	struct diff_change *c = &r->v[r->n++];
	memset(c, 0, sizeof *c);
	c->kind = kind;
	c->before = before;
	c->after = after;
	c->nbefore = nb;
	c->nafter = na;
	c->fw_before.verdict = c->fw_after.verdict = PS_FW__COUNT;
	if (before >= 0) {
		c->exp_before = diff_exposure(a, (size_t)before);
		c->fw_before = diff_firewall(a, (size_t)before);
	}
	if (after >= 0) {
		c->exp_after = diff_exposure(b, (size_t)after);
		c->fw_after = diff_firewall(b, (size_t)after);
	}
	r->count[kind]++;
	return 0;
}

/* An identity group: sockets ix[first..first+n) of one side. */
struct group {
	size_t first, n;
	bool used;
};

static size_t groups_of(const struct ps_snapshot *s, const uint32_t *ix, struct group *g)
{
	size_t ng = 0;
	for (size_t i = 0; i < s->nsocks;) {
		size_t j = i + 1;
		while (j < s->nsocks && diff_cmp_identity(&s->socks[ix[i]], &s->socks[ix[j]]) == 0)
			j++;
		g[ng++] = (struct group){i, j - i, false};
		i = j;
	}
	return ng;
}

/* Same identity or re-bind found: the owner and state parts. */
static int compare_pair(struct diff_result *r, const struct diff_side *a, const uint32_t *ia,
			const struct group *ga, const struct diff_side *b, const uint32_t *ib,
			const struct group *gb)
{
	long x = ia[ga->first], y = ib[gb->first];
	int d = owners_differ(a, ia, ga->first, ga->n, b, ib, gb->first, gb->n);
	if (d < 0)
		return d;
	if (d && add(r, DIFF_OWNER, x, (uint32_t)ga->n, y, (uint32_t)gb->n, a, b))
		return -ENOMEM;
	if (a->snap->socks[x].state != b->snap->socks[y].state &&
	    add(r, DIFF_STATE, x, (uint32_t)ga->n, y, (uint32_t)gb->n, a, b))
		return -ENOMEM;
	return 0;
}

static bool rebind_candidate(const struct ps_socket *k)
{
	return k->remote.port == 0 && addr_is_any(&k->remote.addr);
}

/* Whether two unmatched groups are the same listener moved to another address. */
static bool same_port(const struct ps_socket *x, const struct ps_socket *y, bool same_family)
{
	return x->netns == y->netns && x->proto == y->proto && x->local.port == y->local.port &&
	       (!same_family || x->local.addr.family == y->local.addr.family) &&
	       rebind_candidate(x) && rebind_candidate(y);
}

static const struct diff_side *sort_a, *sort_b;

static int cmp_change(const void *pa, const void *pb)
{
	const struct diff_change *x = pa, *y = pb;
	const struct ps_socket *kx =
	    x->after >= 0 ? &sort_b->snap->socks[x->after] : &sort_a->snap->socks[x->before];
	const struct ps_socket *ky =
	    y->after >= 0 ? &sort_b->snap->socks[y->after] : &sort_a->snap->socks[y->before];
	int c;
	if ((c = cmp_u(kx->proto, ky->proto)) || (c = cmp_u(kx->local.port, ky->local.port)) ||
	    (c = diff_cmp_identity(kx, ky)))
		return c;
	return cmp_u(x->kind, y->kind);
}

/* Indices of the forwards of x that y lacks into *out. 0 or -ENOMEM. */
static int forwards_only_in(const struct ps_firewall *x, const struct ps_firewall *y,
			    uint32_t **out, size_t *n)
{
	*n = 0;
	if (!x->nfwd)
		return 0;
	if (!(*out = malloc(x->nfwd * sizeof **out)))
		return -ENOMEM;
	for (size_t i = 0; i < x->nfwd; i++) {
		bool found = false;
		for (size_t j = 0; j < y->nfwd && !found; j++)
			found = forward_same(&x->fwd[i], &y->fwd[j]);
		if (!found)
			(*out)[(*n)++] = (uint32_t)i;
	}
	return 0;
}

/* The forwards that appeared and disappeared, when both sides read the rules. */
static int forward_changes(const struct ps_snapshot *a, const struct ps_snapshot *b,
			   struct diff_result *out)
{
	if (!a->firewall || !b->firewall || !a->firewall->read || !b->firewall->read)
		return 0;
	int rc = forwards_only_in(b->firewall, a->firewall, &out->fwd_new, &out->nfwd_new);
	return rc ? rc
		  : forwards_only_in(a->firewall, b->firewall, &out->fwd_gone, &out->nfwd_gone);
}

/* One side of a diff: its sockets' order by identity and their groups. */
struct sorted_side {
	const struct diff_side *side;
	const uint32_t *idx;
	struct group *g;
	size_t ng;
};

/*
 * Pass 1 of diff_compute: the groups of the same identity on both sides (marked used), and
 * how each pair changed: exposure, firewall verdict, owners. 0 or -ENOMEM.
 */
static int same_identity(struct sorted_side *da, struct sorted_side *db, struct diff_result *out)
{
	const struct diff_side *a = da->side, *b = db->side;
	const struct ps_snapshot *sa = a->snap, *sb = b->snap;
	const uint32_t *ia = da->idx, *ib = db->idx;
	struct group *ga = da->g, *gb = db->g;
	size_t nga = da->ng, ngb = db->ng;
	int rc;
	for (size_t i = 0, j = 0; i < nga && j < ngb;) {
		int c = diff_cmp_identity(&sa->socks[ia[ga[i].first]], &sb->socks[ib[gb[j].first]]);
		if (c < 0) {
			i++;
		} else if (c > 0) {
			j++;
		} else {
			ga[i].used = gb[j].used = true;
			long x = ia[ga[i].first], y = ib[gb[j].first];
			/* the same socket reaching further or less: the firewall's verdict changed
			 */
			if (diff_exposure(a, (size_t)x) != diff_exposure(b, (size_t)y) &&
			    (rc = add(out, DIFF_EXPOSURE, x, (uint32_t)ga[i].n, y,
				      (uint32_t)gb[j].n, a, b)))
				return rc;
			/* the same listener, another firewall verdict: wider or narrower reach even
			 * when the scope stays (some sources -> all) */
			struct diff_fw fa = diff_firewall(a, (size_t)x),
				       fb = diff_firewall(b, (size_t)y);
			if (fa.verdict < PS_FW__COUNT && fb.verdict < PS_FW__COUNT &&
			    !fw_same(&fa, &fb) &&
			    (rc = add(out, DIFF_FIREWALL, x, (uint32_t)ga[i].n, y,
				      (uint32_t)gb[j].n, a, b)))
				return rc;
			if ((rc = compare_pair(out, a, ia, &ga[i], b, ib, &gb[j])))
				return rc;
			i++;
			j++;
		}
	}
	return 0;
}

int diff_compute(const struct diff_side *a, const struct diff_side *b, struct diff_result *out)
{
	memset(out, 0, sizeof *out);
	const struct ps_snapshot *sa = a->snap, *sb = b->snap;
	uint32_t *ia = snap_sorted_index(sa, cmp_identity_listen_first),
		 *ib = snap_sorted_index(sb, cmp_identity_listen_first);
	struct group *ga = malloc((sa->nsocks + 1) * sizeof *ga);
	struct group *gb = malloc((sb->nsocks + 1) * sizeof *gb);
	int rc = -ENOMEM;
	if (!ia || !ib || !ga || !gb)
		goto out;
	size_t nga = groups_of(sa, ia, ga), ngb = groups_of(sb, ib, gb);

	/* Pass 1: the same identity on both sides. */
	struct sorted_side sda = {a, ia, ga, nga}, sdb = {b, ib, gb, ngb};
	if ((rc = same_identity(&sda, &sdb, out)))
		goto out;
	/*
	 * Pass 2: a listener gone from one address and present on another of the same
	 * port is a re-bind; prefer the same address family, then any. Both group lists
	 * are ordered by (netns, proto, port) first, so only equal runs are compared.
	 */
	for (int pass = 0; pass < 2; pass++) {
		size_t jstart = 0;
		for (size_t i = 0; i < nga; i++) {
			if (ga[i].used)
				continue;
			const struct ps_socket *x = &sa->socks[ia[ga[i].first]];
			while (jstart < ngb) {
				const struct ps_socket *y = &sb->socks[ib[gb[jstart].first]];
				if (cmp_u(y->netns, x->netns) < 0 ||
				    (y->netns == x->netns &&
				     (cmp_u(y->proto, x->proto) < 0 ||
				      (y->proto == x->proto && y->local.port < x->local.port))))
					jstart++;
				else
					break;
			}
			for (size_t j = jstart; j < ngb; j++) {
				const struct ps_socket *y = &sb->socks[ib[gb[j].first]];
				if (y->netns != x->netns || y->proto != x->proto ||
				    y->local.port != x->local.port)
					break;
				if (gb[j].used || !same_port(x, y, pass == 0))
					continue;
				ga[i].used = gb[j].used = true;
				long bx = ia[ga[i].first], by = ib[gb[j].first];
				uint8_t ea = diff_exposure(a, (size_t)bx),
					eb = diff_exposure(b, (size_t)by);
				if ((rc = add(out, ea != eb ? DIFF_EXPOSURE : DIFF_ADDRESS, bx,
					      (uint32_t)ga[i].n, by, (uint32_t)gb[j].n, a, b)) ||
				    (rc = compare_pair(out, a, ia, &ga[i], b, ib, &gb[j])))
					goto out;
				break;
			}
		}
	}
	/* Pass 3: what is left appeared or disappeared. */
	for (size_t i = 0; i < nga; i++)
		if (!ga[i].used &&
		    (rc = add(out, DIFF_CLOSED, ia[ga[i].first], (uint32_t)ga[i].n, -1, 0, a, b)))
			goto out;
	for (size_t j = 0; j < ngb; j++)
		if (!gb[j].used &&
		    (rc = add(out, DIFF_NEW, -1, 0, ib[gb[j].first], (uint32_t)gb[j].n, a, b)))
			goto out;
	sort_a = a;
	sort_b = b;
	if (out->n > 1)
		qsort(out->v, out->n, sizeof *out->v, cmp_change);
	rc = forward_changes(sa, sb, out);
out:
	free(ia);
	free(ib);
	free(ga);
	free(gb);
	if (rc)
		diff_free(out);
	return rc;
}

void diff_free(struct diff_result *r)
{
	free(r->v);
	free(r->fwd_new);
	free(r->fwd_gone);
	memset(r, 0, sizeof *r);
}
