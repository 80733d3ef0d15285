/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ocache.c — the findings about an owner, made once per question its listeners ask. */
#include "ocache.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "../util/grow.h"
#include "../util/str.h"

static uint64_t mix(uint64_t h, uint64_t x)
{
	h ^= x + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	h *= 0xff51afd7ed558ccdull;
	return h ^ (h >> 33);
}

uint64_t ocache_hash(uint32_t proc, const struct owner_question *q)
{
	uint64_t h = mix(proc, (uint64_t)q->port << 32 | (uint64_t)q->proto << 24 |
				   (uint64_t)q->scope << 16 | (uint64_t)q->widest << 8 |
				   (uint64_t)q->file_judged << 1 | q->workers_unprivileged);
	/* the service's texts are the verdicts' pooled copies: equal texts, equal pointers */
	h = mix(mix(mix(h, (uint64_t)(uintptr_t)q->owners), (uint64_t)(uintptr_t)q->backdoor),
		(uint64_t)(uintptr_t)q->name);
	return q->reach_text ? mix(h, str_hash(q->reach_text, strlen(q->reach_text))) : h;
}

static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static bool same_question(const struct owner_question *a, const struct owner_question *b)
{
	return a->owners == b->owners && a->backdoor == b->backdoor && a->name == b->name &&
	       a->port == b->port && a->proto == b->proto && a->scope == b->scope &&
	       a->widest == b->widest && a->file_judged == b->file_judged &&
	       a->workers_unprivileged == b->workers_unprivileged &&
	       same_text(a->reach_text, b->reach_text);
}

const struct ocache_ent *ocache_get(const struct ocache *c, uint32_t proc,
				    const struct owner_question *q, uint64_t hash)
{
	for (size_t h = hash & c->mask; c->slot && c->slot[h]; h = (h + 1) & c->mask) {
		const struct ocache_ent *e = &c->e[c->slot[h] - 1];
		if (e->hash == hash && e->proc == proc && same_question(&e->q, q))
			return e;
	}
	return NULL;
}

/* Room for one more entry and n more findings, the index at most half full. 0 or -ENOMEM. */
static int room(struct ocache *c, size_t n)
{
	if (c->nf + n > c->capf) {
		size_t cap = c->capf ? c->capf * 2 : 64;
		while (cap < c->nf + n)
			cap *= 2;
		struct finding *f = realloc(c->f, cap * sizeof *f);
		if (!f)
			return -ENOMEM;
		c->f = f;
		c->capf = cap;
	}
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;
		struct ocache_ent *e = realloc(c->e, cap * sizeof *e);
		if (!e)
			return -ENOMEM;
		c->e = e;
		c->cap = cap;
	}
	return util_slots_fit(&c->slot, &c->mask, c->n, 64, c->e, sizeof *c->e,
			      offsetof(struct ocache_ent, hash));
}

int ocache_put(struct ocache *c, uint32_t proc, const struct owner_question *q, uint64_t hash,
	       const struct finding *f, size_t n)
{
	int rc = room(c, n);
	if (rc)
		return rc;
	struct ocache_ent *e = &c->e[c->n];
	*e = (struct ocache_ent){
	    .hash = hash, .proc = proc, .first = (uint32_t)c->nf, .n = (uint32_t)n, .q = *q};
	if (q->reach_text && !(e->q.reach_text = strdup(q->reach_text)))
		return -ENOMEM;
	if (n)
		memcpy(c->f + c->nf, f, n * sizeof *f);
	c->nf += n;
	size_t h = hash & c->mask;
	while (c->slot[h])
		h = (h + 1) & c->mask;
	c->slot[h] = (uint32_t)++c->n;
	return 0;
}

void ocache_free(struct ocache *c)
{
	for (size_t i = 0; i < c->n; i++)
		free((char *)c->e[i].q.reach_text);
	free(c->e);
	free(c->slot);
	free(c->f);
	memset(c, 0, sizeof *c);
}
