/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vcache.c — listeners that ask the same question share one computed verdict (reach, firewall,
 * findings). */
#include "vcache.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../util/grow.h"

static uint64_t mix(uint64_t h, uint64_t x)
{
	h ^= x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	h *= 0xff51afd7ed558ccdull;
	return h ^ (h >> 33);
}

/* The fields of k's key (not its hash). */
static void key_fill(const struct ps_snapshot *snap, const struct ps_socket *k, bool exact,
		     bool owners, struct vcache_key *key)
{
	memset(key, 0, sizeof *key);
	key->sock = (uint32_t)(k - snap->socks);
	key->exact = exact;
	key->owners = owners;
	key->netns = k->netns ? k->netns : snap->netns;
	key->addr = k->local.addr;
	key->port = exact ? k->local.port : 0x10000u | (k->local.port < 1024);
	key->ifindex = k->ifindex;
	key->uid = k->uid;
	key->owner_first = owners ? k->owner_first : 0;
	key->owner_count = owners ? k->owner_count : 0;
	key->proto = k->proto;
	key->state = k->state;
	key->v6only = k->v6only;
	key->owner_status = k->owner_status;
}

bool vcache_key_of(const struct ps_snapshot *snap, const struct ps_socket *k, bool exact_port,
		   bool owners, struct vcache_key *key)
{
	if (!k->owner_count)
		return false;
	key_fill(snap, k, exact_port, owners, key);
	uint64_t h = mix(key->netns, (uint64_t)key->port << 32 | key->ifindex);
	h = mix(h, (uint64_t)key->uid << 32 | (uint64_t)key->proto << 24 |
		       (uint64_t)key->state << 16 | (uint64_t)key->v6only << 8 | key->owner_status);
	uint64_t a[2];
	memcpy(a, key->addr.bytes, sizeof a);
	h = mix(mix(mix(h, a[0]), a[1]), key->addr.family);
	for (size_t j = 0; j < key->owner_count; j++) {
		const struct ps_owner *o = snap_owner(snap, k, j);
		h = mix(h, (uint64_t)o->proc << 32 | (uint32_t)o->lead);
	}
	key->hash = h;
	return true;
}

static bool same_owners(const struct ps_snapshot *snap, const struct vcache_key *a,
			const struct vcache_key *b)
{
	for (size_t j = 0; j < a->owner_count; j++) {
		const struct ps_owner *x = &snap->owners[a->owner_first + j];
		const struct ps_owner *y = &snap->owners[b->owner_first + j];
		if (x->proc != y->proc || x->lead != y->lead)
			return false;
	}
	return true;
}

static bool same_key(const struct ps_snapshot *snap, const struct vcache_key *a,
		     const struct vcache_key *b)
{
	return a->netns == b->netns && a->port == b->port && a->ifindex == b->ifindex &&
	       a->uid == b->uid && a->proto == b->proto && a->state == b->state &&
	       a->v6only == b->v6only && a->owner_status == b->owner_status &&
	       a->owners == b->owners && a->owner_count == b->owner_count &&
	       a->addr.family == b->addr.family &&
	       !memcmp(a->addr.bytes, b->addr.bytes, sizeof a->addr.bytes) &&
	       same_owners(snap, a, b);
}

const struct vcache_ent *vcache_get(const struct vcache *c, const struct ps_snapshot *snap,
				    const struct vcache_key *key)
{
	if (!c->slot)
		return NULL;
	for (size_t h = key->hash & c->mask; c->slot[h]; h = (h + 1) & c->mask) {
		const struct vcache_ent *e = &c->e[c->slot[h] - 1];
		if (e->hash != key->hash || e->exact != key->exact || e->owners != key->owners)
			continue;
		struct vcache_key seen;
		key_fill(snap, &snap->socks[e->sock], e->exact, e->owners, &seen);
		if (same_key(snap, &seen, key))
			return e;
	}
	return NULL;
}

/* Room for one more entry, the index at most half full. 0 or -ENOMEM. */
static int grow(struct vcache *c)
{
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 64;
		struct vcache_ent *e = realloc(c->e, cap * sizeof *e);
		if (!e)
			return -ENOMEM;
		c->e = e;
		c->cap = cap;
	}
	return util_slots_fit(&c->slot, &c->mask, c->n, 128, c->e, sizeof *c->e,
			      offsetof(struct vcache_ent, hash));
}

int vcache_put(struct vcache *c, const struct vcache_key *key, uint32_t verdict, const char *text,
	       const char *undecided)
{
	int rc = grow(c);
	if (rc)
		return rc;
	char *t = text ? strdup(text) : NULL;
	if (text && !t)
		return -ENOMEM;
	c->e[c->n] = (struct vcache_ent){.hash = key->hash,
					 .sock = key->sock,
					 .verdict = verdict,
					 .exact = key->exact,
					 .owners = key->owners,
					 .text = t,
					 .undecided = undecided};
	size_t h = key->hash & c->mask;
	while (c->slot[h])
		h = (h + 1) & c->mask;
	c->slot[h] = (uint32_t)++c->n;
	return 0;
}

void vcache_free(struct vcache *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->e[i].text);
	free(c->e);
	free(c->slot);
	memset(c, 0, sizeof *c);
}

static void *dup_mem(const void *p, size_t n)
{
	void *d = n ? malloc(n) : NULL;
	if (d)
		memcpy(d, p, n);
	return d;
}

int vcache_copy_judged(struct sock_verdict *dst, const struct sock_verdict *src, bool findings)
{
	dst->scope = src->scope;
	dst->bound = src->bound;
	dst->widest = src->widest;
	dst->nreach = src->nreach;
	dst->nreach_all = src->nreach_all;
	memcpy(dst->reach_by_class, src->reach_by_class, sizeof dst->reach_by_class);
	dst->fw_summary = src->fw_summary;
	dst->fw_sources = src->fw_sources;
	/* read-only from here on: shared, not copied (thousands of listeners of a wildcard
	 * address would each hold the same list) */
	dst->reach = src->reach;
	dst->fw = src->fw;
	dst->borrowed = true;
	if (!findings)
		return 0;
	const struct finding_list *f = &src->findings;
	if (f->n && f->interned) { /* shared: copied before acknowledgements are written */
		dst->findings = (struct finding_list){
		    .f = f->f, .n = f->n, .cap = f->n, .interned = true, .shared = true};
		return 0;
	}
	dst->findings = (struct finding_list){.n = f->n, .cap = f->n, .interned = f->interned};
	dst->findings.f = dup_mem(f->f, f->n * sizeof *f->f);
	return f->n && !dst->findings.f ? -ENOMEM : 0;
}
