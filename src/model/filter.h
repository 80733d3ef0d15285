/* SPDX-License-Identifier: GPL-2.0-or-later */
/* filter.h — the user's query: parsed from words, pushed down where possible, matched on the model.
 */
#ifndef PS_FILTER_H
#define PS_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

struct ps_portspec {
	uint16_t lo, hi;
	uint8_t protos; /* bit (1 << PS_TCP) / (1 << PS_UDP); both when unspecified */
};

/* How to find socket owners (--attribution). */
enum ps_attr_method {
	PS_ATTRIB_AUTO = 0, /* the fast method when it loads and pays off */
	PS_ATTRIB_BPF,	    /* BPF or fail */
	PS_ATTRIB_PROC,	    /* the scan of every process's handles */
};

struct fexpr;

struct ps_filter {
	uint8_t protos;			 /* bit per enum ps_proto */
	uint8_t families;		 /* bit 1: IPv4, bit 2: IPv6 */
	uint32_t states[PS_PROTO_COUNT]; /* kernel state bits per protocol */
	struct ps_portspec *ports;	 /* any of them (local or remote port) */
	size_t nports;
	int *pids; /* any owner has one of these pids */
	size_t npids;
	char **commands; /* any owner's name or exe basename starts with one */
	size_t ncommands;
	uint32_t *uids; /* socket uid or any owner's uid */
	size_t nuids;
	struct fexpr *expr;  /* an ss-style expression (src/model/fexpr.h), NULL: none */
	bool all_netns;	     /* every network namespace, not only ours (--all-ns) */
	uint8_t attribution; /* enum ps_attr_method */
	bool tcp_info;	     /* also read every TCP socket's counters (snap_tcp) */
	bool no_owners; /* a dump only: no attribution follows (collect starts no owners' pass) */
};

#define PS_FAM_BIT(f) ((f) == PS_INET ? 1u : 2u)
#define PS_STATES_ALL ((1u << PS_ST_MAX) - 2u)

/* A filter that matches the listening view: TCP LISTEN and unconnected UDP, both families. */
void filter_init(struct ps_filter *f);
/* Show every state. */
void filter_all_states(struct ps_filter *f);

/*
 * Parse a port argument: "5000", "5000/udp", "8000-8100", "8000-8100/tcp".
 * 0, or -EINVAL with a reason in *why (a static string).
 */
int filter_parse_port(const char *s, struct ps_portspec *out, const char **why);
/* Parse a comma-separated state list into per-protocol kernel state masks. 0 or -EINVAL. */
int filter_parse_states(const char *s, uint32_t states[PS_PROTO_COUNT], const char **why);
/* Parse a comma-separated list of pids. 0, -EINVAL or -ENOMEM. */
int filter_parse_pids(const char *s, int **pids, size_t *npids, const char **why);

int filter_add_port(struct ps_filter *f, const struct ps_portspec *p);
int filter_add_command(struct ps_filter *f, const char *name);
int filter_add_uid(struct ps_filter *f, uint32_t uid);

/* Protocols worth dumping: the -t/-u choice narrowed by protocol-qualified ports. */
uint8_t filter_dump_protos(const struct ps_filter *f);

/* Whether the socket-level parts (protocol, family, state, port, expression) match. */
bool filter_match_socket(const struct ps_filter *f, const struct ps_socket *k);
/* Whether the owner-level parts (pid, command, user) match; needs attribution done. */
bool filter_match_owners(const struct ps_filter *f, const struct ps_snapshot *s,
			 const struct ps_socket *k);
/* Whether any owner-level part is set. */
/*
 * Whether forward f is one the user asked about: -t/-u (other protocols never),
 * -4/-6, and PORT (its own port range or its target's). The other filter parts
 * (states, owners) are about sockets and do not apply.
 */
struct ps_forward;
bool filter_match_forward(const struct ps_filter *flt, const struct ps_forward *f);
bool filter_needs_owners(const struct ps_filter *f);

void filter_free(struct ps_filter *f);

#endif
