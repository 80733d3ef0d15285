/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ruleset.c — building and releasing the platform-neutral rule set model. */
#include "ruleset.h"
#include "../util/grow.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const fam_names[] = {"ip", "ip6", "inet", "other"};
static const char *const hook_names[] = {"",	   "prerouting",  "input", "forward",
					 "output", "postrouting", "other"};
static const char *const verdict_names[] = {"continue", "accept",   "drop",   "reject",
					    "jump",	"goto",	    "return", "vmap",
					    "dnat",	"redirect", "snat",   "unknown"};
static const char *const field_names[] = {
    "nfproto",	     "l4proto",	  "iif",   "iifname",  "saddr",
    "daddr",	     "sport",	  "dport", "ct state", "fib daddr type",
    "fib saddr oif", "ct status", "oif",   "oifname",  "rt type"};

const char *fw_family_name(unsigned fam)
{
	return fam < sizeof fam_names / sizeof *fam_names ? fam_names[fam] : "other";
}

const char *fw_hook_name(unsigned hook)
{
	return hook < sizeof hook_names / sizeof *hook_names ? hook_names[hook] : "other";
}

const char *fw_verdict_name(unsigned kind)
{
	return kind < sizeof verdict_names / sizeof *verdict_names ? verdict_names[kind]
								   : "unknown";
}

const char *fw_field_name(unsigned field)
{
	return field < sizeof field_names / sizeof *field_names ? field_names[field] : "?";
}

/* Large blocks that names and packed rules point into, released with the rule set. */
struct fw_arena {
	struct fw_arena *next;
	size_t used, size;
	max_align_t data[];
};

#define ARENA_BLOCK (64 * 1024)

/* n bytes from rs's arena, aligned for any field of the model; NULL when out of memory. */
static void *arena_alloc(struct fw_ruleset *rs, size_t n)
{
	const size_t align = _Alignof(struct fw_match); /* the widest alignment in the model */
	n = (n + align - 1) / align * align;
	struct fw_arena *a = rs->arena;
	if (!a || a->size - a->used < n) {
		size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;
		if (!(a = malloc(sizeof *a + size)))
			return NULL;
		a->size = size;
		a->used = 0;
		a->next = rs->arena;
		rs->arena = a;
	}
	void *p = (char *)a->data + a->used;
	a->used += n;
	return p;
}

static void *arena_copy(struct fw_ruleset *rs, const void *src, size_t n, int *err)
{
	if (!src || !n || *err)
		return NULL;
	void *p = arena_alloc(rs, n);
	if (!p)
		*err = -ENOMEM;
	else
		memcpy(p, src, n);
	return p;
}

static char *arena_str(struct fw_ruleset *rs, const char *s, int *err)
{
	return s ? arena_copy(rs, s, strlen(s) + 1, err) : NULL;
}

/* Grow *arr (of *cap elements of `size` bytes) to hold n + 1. 0 or -ENOMEM. */
static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	return util_grow(arr, cap, n + 1, size);
}

long fw_chain_add(struct fw_ruleset *rs, const char *table, const char *name, unsigned family)
{
	if (grow((void **)&rs->chains, &rs->chains_cap, rs->nchains, sizeof *rs->chains))
		return -ENOMEM;
	struct fw_chain *c = &rs->chains[rs->nchains];
	memset(c, 0, sizeof *c);
	int err = 0;
	/* chains come table by table: the previous chain's table name is usually this one */
	const struct fw_chain *prev = rs->nchains ? c - 1 : NULL;
	c->table = prev && !strcmp(prev->table, table) ? prev->table : arena_str(rs, table, &err);
	c->name = arena_str(rs, name, &err);
	if (err)
		return -ENOMEM;
	c->family = (uint8_t)family;
	c->policy = FW_V_ACCEPT;
	return (long)rs->nchains++;
}

static uint64_t chain_hash(unsigned family, const char *table, const char *name)
{
	uint64_t h = 1469598103934665603ull ^ family; /* FNV-1a */
	for (const char *p = table; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211ull;
	h = (h ^ 0xFF) * 1099511628211ull; /* a separator no name holds */
	for (const char *p = name; *p; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211ull;
	return h;
}

static bool chain_is(const struct fw_chain *c, unsigned family, const char *table, const char *name)
{
	return c->family == family && strcmp(c->name, name) == 0 && strcmp(c->table, table) == 0;
}

int fw_ruleset_index(struct fw_ruleset *rs)
{
	free(rs->chain_slots);
	rs->chain_slots = NULL;
	size_t size = 16;
	while (size < rs->nchains * 2)
		size *= 2;
	if (!(rs->chain_slots = malloc(size * sizeof *rs->chain_slots)))
		return -ENOMEM;
	memset(rs->chain_slots, 0xFF, size * sizeof *rs->chain_slots); /* UINT32_MAX: empty */
	rs->chain_mask = size - 1;
	for (size_t i = 0; i < rs->nchains; i++) {
		const struct fw_chain *c = &rs->chains[i];
		size_t at = chain_hash(c->family, c->table, c->name) & rs->chain_mask;
		while (rs->chain_slots[at] != UINT32_MAX)
			at = (at + 1) & rs->chain_mask;
		rs->chain_slots[at] = (uint32_t)i;
	}
	rs->indexed = rs->nchains;
	return 0;
}

long fw_chain_find(const struct fw_ruleset *rs, unsigned family, const char *table,
		   const char *name)
{
	if (rs->chain_slots && rs->indexed == rs->nchains) {
		for (size_t at = chain_hash(family, table, name) & rs->chain_mask;
		     rs->chain_slots[at] != UINT32_MAX; at = (at + 1) & rs->chain_mask)
			if (chain_is(&rs->chains[rs->chain_slots[at]], family, table, name))
				return rs->chain_slots[at];
		return -1;
	}
	for (size_t i = 0; i < rs->nchains; i++)
		if (chain_is(&rs->chains[i], family, table, name))
			return (long)i;
	return -1;
}

struct fw_rule *fw_rule_add(struct fw_chain *c)
{
	/* Most chains are short (kube-proxy's thousands hold two rules each): start at two. */
	if (!c->rules_cap) {
		if (!(c->rules = malloc(2 * sizeof *c->rules)))
			return NULL;
		c->rules_cap = 2;
	}
	if (grow((void **)&c->rules, &c->rules_cap, c->nrules, sizeof *c->rules))
		return NULL;
	struct fw_rule *r = &c->rules[c->nrules++];
	memset(r, 0, sizeof *r);
	r->v.chain = -1;
	r->vmap.set = -1;
	return r;
}

/* The match m with its ranges copied into the arena. */
static void pack_match(struct fw_ruleset *rs, struct fw_match *m, int *err)
{
	m->ranges = arena_copy(rs, m->ranges, m->nranges * sizeof *m->ranges, err);
	if (!m->ranges)
		m->nranges = 0;
}

int fw_rule_pack(struct fw_ruleset *rs, struct fw_chain *c, const struct fw_rule *r)
{
	struct fw_rule *p = fw_rule_add(c);
	if (!p)
		return -ENOMEM;
	int err = 0;
	*p = *r;
	p->packed = true;
	p->m = arena_copy(rs, r->m, r->nm * sizeof *r->m, &err);
	for (size_t i = 0; p->m && i < p->nm; i++)
		pack_match(rs, &p->m[i], &err);
	pack_match(rs, &p->vmap, &err);
	p->unknown = arena_str(rs, r->unknown, &err);
	p->comment = arena_str(rs, r->comment, &err);
	if (err || (r->nm && !p->m)) { /* the rule owns nothing: it is dropped whole */
		memset(p, 0, sizeof *p);
		c->nrules--;
		return -ENOMEM;
	}
	return 0;
}

struct fw_match *fw_match_add(struct fw_rule *r, unsigned field, unsigned len)
{
	struct fw_match *nm = realloc(r->m, (r->nm + 1) * sizeof *nm);
	if (!nm)
		return NULL;
	r->m = nm;
	struct fw_match *m = &nm[r->nm++];
	memset(m, 0, sizeof *m);
	m->field = (uint8_t)field;
	m->len = (uint8_t)(len > FW_KEY_MAX ? FW_KEY_MAX : len);
	m->set = -1;
	return m;
}

int fw_match_range(struct fw_match *m, const uint8_t *lo, const uint8_t *hi)
{
	struct fw_range *nr = realloc(m->ranges, (m->nranges + 1) * sizeof *nr);
	if (!nr)
		return -ENOMEM;
	m->ranges = nr;
	struct fw_range *r = &nr[m->nranges++];
	memset(r, 0, sizeof *r);
	memcpy(r->lo, lo, m->len);
	memcpy(r->hi, hi, m->len);
	return 0;
}

long fw_set_add(struct fw_ruleset *rs, const char *table, const char *name, unsigned family,
		unsigned keylen)
{
	if (grow((void **)&rs->sets, &rs->sets_cap, rs->nsets, sizeof *rs->sets))
		return -ENOMEM;
	struct fw_set *s = &rs->sets[rs->nsets];
	memset(s, 0, sizeof *s);
	int err = 0;
	s->table = arena_str(rs, table, &err);
	s->name = arena_str(rs, name, &err);
	if (err)
		return -ENOMEM;
	s->family = (uint8_t)family;
	s->keylen = (uint8_t)keylen;
	return (long)rs->nsets++;
}

long fw_set_find(const struct fw_ruleset *rs, unsigned family, const char *table, const char *name)
{
	for (size_t i = 0; i < rs->nsets; i++) {
		const struct fw_set *s = &rs->sets[i];
		if (s->family == family && strcmp(s->name, name) == 0 &&
		    strcmp(s->table, table) == 0)
			return (long)i;
	}
	return -1;
}

struct fw_elem *fw_elem_add(struct fw_set *s)
{
	if (grow((void **)&s->elems, &s->elems_cap, s->nelems, sizeof *s->elems))
		return NULL;
	struct fw_elem *e = &s->elems[s->nelems++];
	memset(e, 0, sizeof *e);
	e->v.chain = -1;
	return e;
}

void fw_rule_free(struct fw_rule *r)
{
	if (r->packed) {
		memset(r, 0, sizeof *r);
		return;
	}
	for (size_t i = 0; i < r->nm; i++)
		free(r->m[i].ranges);
	free(r->m);
	free(r->vmap.ranges);
	free(r->unknown);
	free(r->comment);
	memset(r, 0, sizeof *r);
}

void fw_ruleset_free(struct fw_ruleset *rs)
{
	for (size_t i = 0; i < rs->nchains; i++) {
		struct fw_chain *c = &rs->chains[i];
		for (size_t j = 0; j < c->nrules; j++)
			fw_rule_free(&c->rules[j]);
		free(c->rules);
	}
	for (size_t i = 0; i < rs->nsets; i++) {
		free(rs->sets[i].elems);
	}
	free(rs->chains);
	free(rs->sets);
	free(rs->chain_slots);
	while (rs->arena) {
		struct fw_arena *next = rs->arena->next;
		free(rs->arena);
		rs->arena = next;
	}
	memset(rs, 0, sizeof *rs);
}

void fw_prefix_range(const uint8_t *addr, unsigned len, unsigned plen, struct fw_range *out)
{
	memset(out, 0, sizeof *out);
	for (unsigned i = 0; i < len && i < FW_KEY_MAX; i++) {
		unsigned bits = plen > i * 8 ? plen - i * 8 : 0;
		uint8_t mask = bits >= 8 ? 0xFF : (uint8_t)(0xFF << (8 - bits));
		out->lo[i] = addr[i] & mask;
		out->hi[i] = (uint8_t)(addr[i] | (uint8_t)~mask);
	}
}
