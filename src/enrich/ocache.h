/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ocache.h — the findings about an owner, made once per question its listeners ask (thousands of
 * listeners of one process ask a few). */
#ifndef PS_OCACHE_H
#define PS_OCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "../model/verdict.h"
#include "rules.h"

/* One question's findings: c->f[first .. first + n), their texts pooled by the verdicts. */
struct ocache_ent {
	uint64_t hash;
	uint32_t proc; /* the owner's process index */
	uint32_t first, n;
	struct owner_question q; /* reach_text: the cache's own copy */
};

struct ocache {
	struct ocache_ent *e;
	size_t n, cap;
	uint32_t *slot; /* 1 + index into e, 0: empty; at most half full */
	size_t mask;
	struct finding *f; /* every entry's findings, one after another */
	size_t nf, capf;
};

uint64_t ocache_hash(uint32_t proc, const struct owner_question *q);

/* The entry of process proc asked q (hash: ocache_hash's), or NULL. */
const struct ocache_ent *ocache_get(const struct ocache *c, uint32_t proc,
				    const struct owner_question *q, uint64_t hash);

/* Keep the n findings f (texts pooled, not copied) as the answer of proc to q. 0 or -ENOMEM. */
int ocache_put(struct ocache *c, uint32_t proc, const struct owner_question *q, uint64_t hash,
	       const struct finding *f, size_t n);

void ocache_free(struct ocache *c);

#endif
