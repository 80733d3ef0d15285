/* SPDX-License-Identifier: GPL-2.0-or-later */
/* diff.h — what changed between two socket lists: identity of a socket and the kinds of change. */
#ifndef PS_DIFF_H
#define PS_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

enum diff_kind {
	DIFF_NEW = 0,  /* an identity only in the second list */
	DIFF_CLOSED,   /* an identity only in the first list */
	DIFF_OWNER,    /* a different executable, unit or container behind the same identity */
	DIFF_EXPOSURE, /* re-bound to an address of another exposure class, or the firewall's
			  verdict moved the scope */
	DIFF_FIREWALL, /* the same listener, another firewall verdict (or set of allowed sources) */
	DIFF_ADDRESS,  /* the same port re-bound to another address of the same class */
	DIFF_STATE,    /* the same identity in another state */
	DIFF__COUNT
};

/* A listener's firewall verdict as a diff compares it. */
struct diff_fw {
	uint8_t verdict;     /* enum ps_fw_verdict, PS_FW__COUNT when not looked at */
	const char *sources; /* PS_FW_SOME: the accepted sources ("a/n,b"); NULL when not known */
};

/* One side of a comparison: a model and, optionally, each socket's exposure as recorded. */
struct diff_side {
	const struct ps_snapshot *snap;
	const uint8_t *exposure;  /* per socket (enum ps_exposure), or NULL: the judged scope, else
				     the local address's class */
	const struct diff_fw *fw; /* per socket as recorded, or NULL: the judged verdict */
};

struct diff_change {
	uint8_t kind;		       /* enum diff_kind */
	uint8_t exp_before, exp_after; /* enum ps_exposure of each side (when that side exists) */
	struct diff_fw fw_before, fw_after; /* the firewall's verdict of each side */
	long before, after;	  /* socket index in the first / second list, -1 when absent */
	uint32_t nbefore, nafter; /* sockets sharing that identity on each side (SO_REUSEPORT) */
};

struct diff_result {
	struct diff_change *v; /* sorted by protocol, port, address, kind */
	size_t n, cap;
	size_t count[DIFF__COUNT];
	/* Forwarded ports (ps_snapshot.firewall) only in the second / the first side, by index. */
	uint32_t *fwd_new, *fwd_gone;
	size_t nfwd_new, nfwd_gone;
};

/*
 * Compare two lists. A socket's identity is (network namespace, protocol, local
 * address, local port, remote address, remote port); for listeners the remote part
 * is empty, so this is (netns, proto, local address, port). Each changed identity is
 * reported once per kind. A listener that disappeared from one address and appeared
 * on another address of the same port is one re-bind (DIFF_EXPOSURE or
 * DIFF_ADDRESS), not a close and a new. Owners are compared only when both sides
 * saw at least one owner; a restart (new pid, same program) is no change. A socket
 * whose exposure (diff_exposure: after the firewall's verdict) differs is
 * DIFF_EXPOSURE. A listener of the same identity whose firewall verdict
 * (diff_firewall) differs, both sides having one, is DIFF_FIREWALL, also when the
 * verdict moved the exposure too (that is both). Forwarded ports are compared (forward_same) when
 * both sides read the firewall's rules. 0 or -ENOMEM (out is then empty).
 */
int diff_compute(const struct diff_side *a, const struct diff_side *b, struct diff_result *out);

/* Order of two sockets by identity (netns, proto, local, remote); 0 when the same identity. */
int diff_cmp_identity(const struct ps_socket *x, const struct ps_socket *y);

/* Exposure of socket i of a side. */
uint8_t diff_exposure(const struct diff_side *s, size_t i);

/* The firewall's verdict on socket i of a side: the recorded one, else the judged summary over
 * the addresses beyond loopback; verdict PS_FW__COUNT when the firewall was not looked at. */
struct diff_fw diff_firewall(const struct diff_side *s, size_t i);

/* Whether a firewall verdict change lets more in: none < some < all (unknown and not-read are
 * neither); sources are not ranked. 1 wider, -1 narrower, 0 neither or not comparable. */
int diff_fw_direction(const struct diff_fw *before, const struct diff_fw *after);

/* "new", "closed", "owner-changed", "exposure-changed", "firewall-changed", "address-changed",
 * "state-changed". */
const char *diff_kind_name(unsigned kind);

void diff_free(struct diff_result *r);

#endif
