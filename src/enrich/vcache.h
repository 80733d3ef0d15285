/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vcache.h — listeners that ask the same question share one computed verdict (reach, firewall,
 * findings). */
#ifndef PS_VCACHE_H
#define PS_VCACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "../model/model.h"
#include "../model/verdict.h"

/*
 * What a listener's reach, firewall verdict and findings are computed from, besides its
 * owners: its namespace, protocol, bound address and device, and its port only as far as
 * the rules read it (exact when the port names a service or the firewall has rules, else
 * only whether it is below 1024). Listeners with equal keys and the same owners get
 * byte-identical verdicts.
 */
struct vcache_key {
	uint64_t hash;
	uint32_t sock; /* the listener's index in the snapshot */
	bool exact;
	bool owners; /* keyed by its owners too (else owner_first and owner_count are 0) */
	uint64_t netns;
	struct ps_addr addr;
	uint32_t port; /* exact, or 0x10000 | (port < 1024) */
	uint32_t ifindex, uid;
	uint32_t owner_first, owner_count;
	uint8_t proto, state, v6only, owner_status;
};

/* An entry keeps its listener's index, not its key: thousands of misses stay small. */
struct vcache_ent {
	uint64_t hash;
	uint32_t sock;	       /* the listener judged */
	uint32_t verdict;      /* 1 + verdict index */
	bool exact;	       /* keyed with its exact port */
	bool owners;	       /* keyed with its owners */
	char *text;	       /* the reach's evidence text (owned), or NULL */
	const char *undecided; /* what would decide the reach (pooled), or NULL */
};

struct vcache {
	struct vcache_ent *e;
	uint32_t *slot; /* 1 + index into e, 0: empty */
	size_t n, cap, mask;
};

/* The key of listener k of snap into *key; false when k is not to be shared (no owner: its
 * findings name the socket itself). exact_port: the port decides more than its class; owners:
 * its owners decide too (findings; a firewall that judges programs). */
bool vcache_key_of(const struct ps_snapshot *snap, const struct ps_socket *k, bool exact_port,
		   bool owners, struct vcache_key *key);

/* The entry of an equal key, or NULL when there is none. */
const struct vcache_ent *vcache_get(const struct vcache *c, const struct ps_snapshot *snap,
				    const struct vcache_key *key);

/* Remember verdict (1 + index) for key, with a copy of text and undecided. 0 or -ENOMEM. */
int vcache_put(struct vcache *c, const struct vcache_key *key, uint32_t verdict, const char *text,
	       const char *undecided);

void vcache_free(struct vcache *c);

/*
 * Give dst, which holds the service of its own socket already, the reach and the
 * firewall's verdict judged of src (shared: dst->borrowed) and, when findings, its findings
 * (their texts pooled: the list shared, finding_list.shared, copied before acknowledgements,
 * which are per socket, are written). 0 or -ENOMEM.
 */
int vcache_copy_judged(struct sock_verdict *dst, const struct sock_verdict *src, bool findings);

#endif
