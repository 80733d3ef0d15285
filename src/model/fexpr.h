/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fexpr.h — ss-style filter expressions (sport = :80 and not dst 10.0.0.0/8): parsed by recursive
 * descent, matched on sockets. */
#ifndef PS_FEXPR_H
#define PS_FEXPR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct fexpr;

/* Turns a service name ("ssh") into its port: 0, or -ENOENT when the name is unknown. */
typedef int (*fexpr_service_fn)(const char *name, uint16_t *port);

/*
 * Parse `text`, the words of a filter joined by spaces:
 *
 *   expr  := and { ("or" | "|" | "||") and }
 *   and   := unary { ["and" | "&" | "&&"] unary }      (juxtaposition is "and")
 *   unary := ("not" | "!") unary | "(" expr ")" | term
 *   term  := ("sport" | "dport") [OP] PORT | ("src" | "dst") ["=" | "==" | "eq"] HOST
 *          | ("state" | "exclude") STATE[,STATE] | ("exposure" | "--exposure") CLASS
 *          | "--exposure=" CLASS | PORT | HOST
 *   OP    := "=" "==" "eq" "!=" "ne" "neq" "<" "lt" "<=" "le" "leq" ">" "gt" ">=" "ge" "geq"
 *   PORT  := [":"] (NUMBER | NUMBER "-" NUMBER | SERVICE)
 *   HOST  := "*" | ADDR ["/" PREFIX] [":" PORT] | "[" ADDR6 "]" ["/" PREFIX] [":" PORT]
 *
 * sport and src are the local end, dport and dst the remote end; a bare PORT or HOST
 * matches either end (a remote port 0, a listener's, matches nothing). STATE is a
 * word of filter_parse_states (established, listening, time-wait...); exclude is
 * "not state". CLASS is the class of the local address: loopback, link-local, private,
 * public (a wildcard bind too) or any-beyond-loopback (enum fexpr_exposure). `svc` (may be
 * NULL) resolves service names. Returns 0 with *out set (NULL for an empty text), or
 * -EINVAL with *why (static text) and *at (the byte offset in text where it failed),
 * or -ENOMEM.
 */
int fexpr_parse(const char *text, fexpr_service_fn svc, struct fexpr **out, const char **why,
		size_t *at);

/* The exposure classes of "exposure CLASS", in the order of the listing's --exposure words. */
enum fexpr_exposure {
	FEXPR_EXPO_LOOPBACK,
	FEXPR_EXPO_LINK_LOCAL,
	FEXPR_EXPO_PRIVATE,
	FEXPR_EXPO_PUBLIC,
	FEXPR_EXPO_BEYOND_LOOPBACK
};

/* a and b (either may be NULL: the other). NULL when out of memory (both freed). */
struct fexpr *fexpr_and(struct fexpr *a, struct fexpr *b);

/* Whether socket k satisfies e (NULL: everything does). */
bool fexpr_match(const struct fexpr *e, const struct ps_socket *k);

/* A port range; a set of them covers what an expression can match. */
struct fexpr_range {
	uint16_t lo, hi;
};

/*
 * Port ranges such that every socket e can match has its local or remote port in one
 * of them (what the kernel may be asked to filter on), at most `max`. Returns their
 * number, 0 when no such small set exists (the expression is then matched alone).
 */
size_t fexpr_port_cover(const struct fexpr *e, struct fexpr_range *out, size_t max);

/*
 * Whether e has a condition only a socket in another state than listening can meet
 * alone: a remote-side one (dport, dst) or a state. ss lists every state for such a
 * filter; so does portsleuth when no state option was given.
 */
bool fexpr_wants_connections(const struct fexpr *e);

void fexpr_free(struct fexpr *e);

#endif
