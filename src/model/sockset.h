/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sockset.h — keep a listing's sockets current from the kernel's TCP state changes, between two
 * full listings (the live view, `top`). */
#ifndef PS_MODEL_SOCKSET_H
#define PS_MODEL_SOCKSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

/*
 * One change of a TCP socket's state as the kernel reports it (Linux: the tracepoint
 * sock:inet_sock_set_state). `to` PS_ST_CLOSE means the socket is gone. A local port 0
 * means the tuple is not known yet (a connect() before its port is chosen).
 */
struct ps_sockchange {
	uint64_t netns;
	struct ps_endpoint local, remote;
	uint64_t inode; /* the socket's inode when the source knows it (a dump), else 0 */
	int32_t pid;	/* the process that connected or listened; 0: not known */
	char comm[16];	/* its name then, NUL-terminated ("" when pid is 0) */
	uint8_t proto;	/* enum ps_proto */
	uint8_t from, to;
	/* The connection's counters at this change when the source read them (last.valid): a
	 * close's are its final ones, which no later sample can read. */
	struct ps_tcp_stats last;
};

/* What sockset_apply did. */
struct sockset_stats {
	size_t added, changed, removed, skipped;
};

/*
 * Apply changes c[0..n) to s in order: a known socket (same namespace, protocol and
 * both ends) takes its new state or, closed, leaves s (one that closed first,
 * sockset_closed_state PS_ST_TIME_WAIT, stays in that state: the kernel keeps it until its timer
 * frees it; a new socket on the ends of one in TIME-WAIT replaces it); an unknown one that is not
 * closed is added (with the change's inode, uid unknown until the next full listing) with
 * the process that made it
 * (its pid and name from the change, a process s already has when it has that pid), or
 * for a connection accepted on a listener of s, the process holding that listener when it is
 * the only one (sockset_sole_proc; never a guess among a pre-forked server's processes); else
 * it is PS_OWN_UNREPORTED. An added socket keep() refuses is dropped
 * (keep NULL: every one). Changes of sockets whose tuple is not known yet are skipped.
 * s is sorted again (snap_sort) when sockets were added or removed. 0 or -ENOMEM
 * (s is then still consistent, without the changes not applied).
 */
int sockset_apply(struct ps_snapshot *s, const struct ps_sockchange *c, size_t n,
		  bool (*keep)(const struct ps_snapshot *, const struct ps_socket *, const void *),
		  const void *ctx, struct sockset_stats *st);

/*
 * The state a TCP connection is left in by a close from state `from` (a change to PS_ST_CLOSE):
 * PS_ST_TIME_WAIT after FIN-WAIT-2, CLOSING or TIME-WAIT (it closed first: the kernel keeps its
 * ends a while; a reset there looks the same), else PS_ST_CLOSE.
 */
uint8_t sockset_closed_state(uint8_t from);

/*
 * The one process that holds socket k of s (every owner of it is that process), or -1 (no
 * owner, or several processes: a pre-forked server's master and workers).
 */
long sockset_sole_proc(const struct ps_snapshot *s, const struct ps_socket *k);

/*
 * The changes that turn listing `was` into listing `now`, TCP sockets only (as
 * sockset_apply takes them; by namespace, both ends; `now`'s inodes go with them), appended to
 * (*v)[*n..] (util_grow, capacity *cap): first a close for every socket of `closed` (sockets the
 * kernel said were destroyed since `was`: one that `now` has again is added back), then one for
 * every socket of `now` that `was` lacks (from PS_ST_CLOSE, as a new socket's first change) or has
 * in another state, then a close for every socket of `was` that `now` lacks. 0 or -ENOMEM.
 */
int sockset_diff(const struct ps_snapshot *was, const struct ps_snapshot *now,
		 const struct ps_snapshot *closed, struct ps_sockchange **v, size_t *n,
		 size_t *cap);

/*
 * Copy the TCP counters (and queues) of the sockets of `from` onto the same sockets of
 * `to` (same namespace, protocol and ends); sockets of `to` that `from` lacks keep
 * theirs. 0 or -ENOMEM.
 */
int sockset_merge_counters(struct ps_snapshot *to, const struct ps_snapshot *from);

#endif
