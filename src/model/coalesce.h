/* SPDX-License-Identifier: GPL-2.0-or-later */
/* coalesce.h — a flood of watch events folded into counts per port and owner per window. */
#ifndef PS_COALESCE_H
#define PS_COALESCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Per window: each (protocol, port, uid) shows its first COALESCE_PER_KEY events, and the window
 * shows COALESCE_PER_WINDOW in all; the rest are counted, not shown. */
#define COALESCE_PER_KEY 4
#define COALESCE_PER_WINDOW 200
/* Keys counted one by one per window; past that, a user's further ports are counted together,
 * and past COALESCE_USERS users, everything else in one bucket (bounded whatever the flood). */
#define COALESCE_KEYS 128
#define COALESCE_USERS 16

/* The uid of a socket whose creator is not known (seen only as it closed). */
#define COALESCE_NO_UID UINT32_MAX

enum coalesce_kind { COALESCE_NEW, COALESCE_CLOSED, COALESCE_CHANGED, COALESCE__KINDS };

/* What one window folded for one key (or group of keys). */
struct coalesce_bucket {
	uint8_t proto; /* enum ps_proto (the first one's for the catch-all) */
	bool any_port; /* this user's ports past the key table (port: the first) */
	bool any_user; /* the catch-all: ports of users past COALESCE_USERS too */
	uint16_t port;
	uint32_t uid;
	unsigned long shown; /* events of this key shown this window */
	unsigned long folded[COALESCE__KINDS];
};

struct coalescer {
	struct coalesce_bucket keys[COALESCE_KEYS], users[COALESCE_USERS], other;
	size_t nkeys, nusers;
	unsigned long shown;	    /* events shown this window */
	unsigned long folded_total; /* events folded since the start */
};

/*
 * Count one event of socket (proto, port, uid) in the window: true when it is to be shown,
 * false when it was folded into a bucket instead (reported at the window's end).
 */
bool coalesce_admit(struct coalescer *c, uint8_t proto, uint16_t port, uint32_t uid,
		    enum coalesce_kind kind);

/* Call fn for every bucket that folded events this window (keys, then users, then the rest),
 * then start a new window. */
void coalesce_flush(struct coalescer *c, void (*fn)(const struct coalesce_bucket *, void *),
		    void *ctx);

/* Events a bucket folded, of every kind. */
unsigned long coalesce_bucket_total(const struct coalesce_bucket *b);

#endif
