/* SPDX-License-Identifier: GPL-2.0-or-later */
/* coalesce.c — a flood of watch events folded into counts per port and owner per window: what
 * one user can make (a bind/close loop) costs root's log a bounded number of lines. */
#include "coalesce.h"

#include <string.h>

/* The bucket of an exact key, made when there is room; NULL when the table is full. */
static struct coalesce_bucket *key_bucket(struct coalescer *c, uint8_t proto, uint16_t port,
					  uint32_t uid)
{
	for (size_t i = 0; i < c->nkeys; i++) {
		struct coalesce_bucket *b = &c->keys[i];
		if (b->proto == proto && b->port == port && b->uid == uid)
			return b;
	}
	if (c->nkeys == COALESCE_KEYS)
		return NULL;
	struct coalesce_bucket *b = &c->keys[c->nkeys++];
	*b = (struct coalesce_bucket){.proto = proto, .port = port, .uid = uid};
	return b;
}

/* Where an event past the key table goes: its user's other ports, else the catch-all. */
static struct coalesce_bucket *spill_bucket(struct coalescer *c, uint8_t proto, uint16_t port,
					    uint32_t uid)
{
	for (size_t i = 0; i < c->nusers; i++)
		if (c->users[i].proto == proto && c->users[i].uid == uid)
			return &c->users[i];
	if (c->nusers < COALESCE_USERS) {
		struct coalesce_bucket *b = &c->users[c->nusers++];
		*b = (struct coalesce_bucket){
		    .proto = proto, .port = port, .uid = uid, .any_port = true};
		return b;
	}
	c->other.any_port = c->other.any_user = true;
	return &c->other;
}

bool coalesce_admit(struct coalescer *c, uint8_t proto, uint16_t port, uint32_t uid,
		    enum coalesce_kind kind)
{
	struct coalesce_bucket *b = key_bucket(c, proto, port, uid);
	if (b && b->shown < COALESCE_PER_KEY && c->shown < COALESCE_PER_WINDOW) {
		b->shown++;
		c->shown++;
		return true;
	}
	if (!b)
		b = spill_bucket(c, proto, port, uid);
	b->folded[kind]++;
	c->folded_total++;
	return false;
}

unsigned long coalesce_bucket_total(const struct coalesce_bucket *b)
{
	unsigned long n = 0;
	for (int k = 0; k < COALESCE__KINDS; k++)
		n += b->folded[k];
	return n;
}

void coalesce_flush(struct coalescer *c, void (*fn)(const struct coalesce_bucket *, void *),
		    void *ctx)
{
	for (size_t i = 0; i < c->nkeys; i++)
		if (coalesce_bucket_total(&c->keys[i]))
			fn(&c->keys[i], ctx);
	for (size_t i = 0; i < c->nusers; i++)
		fn(&c->users[i], ctx);
	if (coalesce_bucket_total(&c->other))
		fn(&c->other, ctx);
	unsigned long total = c->folded_total;
	memset(c, 0, sizeof *c);
	c->folded_total = total;
}
