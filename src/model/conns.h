/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conns.h — connections grouped the netdata way (process, direction, server end, remote class),
 * with rates. */
#ifndef PS_CONNS_H
#define PS_CONNS_H

#include <stddef.h>
#include <stdint.h>

#include "model.h"

/* Which side of the connection this host's socket is. */
enum conn_dir {
	CONN_LISTEN = 0, /* a listener (or a bound, unconnected UDP socket) itself */
	CONN_IN,	 /* accepted: the local port is one a listener here listens on */
	CONN_OUT,	 /* made from here: the server end is the remote one */
	CONN__DIR_COUNT
};

/*
 * One group: every socket whose owner, protocol, direction, server end and
 * remote address class are the same. Counters add the sockets' kernel counters;
 * sockets closed between the two samples keep their last ones.
 */
struct conn_group {
	const char *process; /* the first owner's name (points into a snapshot), NULL: none */
	int pid;	     /* that owner's pid, 0: none */
	uint8_t proto;	     /* enum ps_proto */
	uint8_t dir;	     /* enum conn_dir */
	uint8_t rclass;	     /* enum ps_exposure of the remote address (CONN_LISTEN: the bind) */
	struct ps_endpoint server; /* in/listen: the local (listening) end; out: the remote end */
	size_t count;		   /* sockets open at the second sample */
	size_t opened, closed;	   /* of them, new since the first sample; gone since it */
	uint64_t bytes_sent, bytes_received; /* totals, closed sockets included */
	uint64_t delta_sent, delta_received; /* over the interval */
	double rate_sent, rate_received;     /* bytes per second over the interval (0 without it) */
	uint32_t rtt_us_avg, rtt_us_max; /* over the open sockets the kernel gave counters for */
	uint64_t retrans;		 /* retransmitted segments, closed sockets included */
	uint32_t queue, backlog;	 /* listeners: accept queue now and its limit (summed) */
	bool have_tcp;			 /* some socket of the group had kernel counters */
};

struct conn_table {
	struct conn_group *v;
	size_t n;
	double seconds; /* the interval, 0: one sample only */
};

/*
 * Group the sockets of `after` (owners attributed), comparing each with the same
 * socket (by identity) in `before` for the interval's bytes; sockets of `before`
 * missing from `after` count as closed, with their last counters. before may be
 * NULL (no rates: every socket counts whole, none as opened). seconds: the time
 * between the samples. Groups are sorted by process, direction, server end, class.
 * The groups point into both snapshots' strings: free them after the table.
 * 0 or -ENOMEM (out is then empty).
 */
int conns_group(const struct ps_snapshot *before, const struct ps_snapshot *after, double seconds,
		struct conn_table *out);
/*
 * As conns_group, with `closed` (NULL: none): the sockets the kernel said were destroyed between
 * the samples, each with the counters it had as it closed (sock_diag's destroy notifications). A
 * socket of a sample with the same ends takes those as its last counters (a closed one's bytes
 * since the first sample count in the interval's); a connection neither sample has opened and
 * closed between them: it counts as opened and closed (not in count), its bytes in the totals
 * and the interval's, grouped under the listeners of `after` (an accepted one takes its
 * listener's program, as below; its own owner is gone). Sockets without a remote end are left
 * out. Without an interval (before NULL, seconds 0) `closed` is ignored.
 */
int conns_group_closed(const struct ps_snapshot *before, const struct ps_snapshot *after,
		       const struct ps_snapshot *closed, double seconds, struct conn_table *out);
void conns_free(struct conn_table *t);

/*
 * The program that holds listener lst of s: the name of its owners' process when every owner is
 * a process of that name (a pre-forked server's master and workers), else NULL. *pid: that
 * process's pid when one process holds it alone, else 0 (any of them may have accepted a
 * connection: never a guess). An accepted connection without an owner of its own is grouped
 * under this program.
 */
const char *conns_listener_program(const struct ps_snapshot *s, const struct ps_socket *lst,
				   int *pid);

/* "listen", "in", "out". */
const char *conn_dir_name(unsigned dir);

/*
 * The direction of socket k of snapshot s: listeners are CONN_LISTEN, a connection
 * whose local end is one a listener of s (same protocol, namespace and port; its
 * address or a wildcard) serves is CONN_IN, any other CONN_OUT. `lst` is what
 * conns_listeners() built for s.
 */
struct conn_listeners;
struct conn_listeners *conns_listeners(const struct ps_snapshot *s);
enum conn_dir conns_dir_of(const struct conn_listeners *l, const struct ps_socket *k,
			   const struct ps_socket **listener);
void conns_listeners_free(struct conn_listeners *l);
/* Whether k is a listener (or a bound, unconnected UDP socket): CONN_LISTEN without the search. */
bool conns_is_listener(const struct ps_socket *k);

#endif
