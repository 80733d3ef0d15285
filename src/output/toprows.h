/* SPDX-License-Identifier: GPL-2.0-or-later */
/* toprows.h — the rows of `top`'s views (sockets, processes, listeners, remotes) and their marks.
 */
#ifndef PS_TOPROWS_H
#define PS_TOPROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../model/conns.h"
#include "../model/model.h"
#include "../model/sockset.h"
#include "../util/buf.h"

enum top_view { TOP_SOCKETS, TOP_PROCESSES, TOP_LISTENERS, TOP_REMOTES, TOP__VIEWS };

/* How a row differs from the refresh before: shown by colour and a symbol (+ * -). */
enum top_mark { TOP_MARK_NONE, TOP_MARK_NEW, TOP_MARK_CHANGED, TOP_MARK_GONE };

/* How many refreshes a mark stays (a closed row stays that long, then goes). */
#define TOP_MARK_TTL 3
#define TOP_MAXCOLS 13

struct top_col {
	const char *title;
	uint8_t width;	/* the width it wants (flex columns: at least) */
	bool numeric;	/* sorted by number, largest first; right-aligned */
	bool flex;	/* takes what the screen has left */
	int8_t rate_of; /* the column whose growth per second this one shows, -1 */
	bool keep;	/* the owner (PROCESS, PID): the last to leave a narrow screen */
	bool up;	/* numeric, sorted smallest first (PID) */
	bool addr;	/* an address and port ("tcp " before it or not): sorted by address (IPv4
			 * before IPv6, each by its bytes), then port; cells without one last */
	uint8_t min;	/* a narrow screen may shrink it to this width (cut texts are marked,
			 * an address keeps its port); 0: never shrunk */
	bool want;	/* kept on a narrow screen after the owner's: others leave first, and
			 * the shrinkable columns shrink before it leaves */
};

struct top_row {
	uint64_t key, sig; /* identity across refreshes; what a change changes (state, owner) */
	uint32_t text[TOP_MAXCOLS]; /* offsets into the table's text */
	double num[TOP_MAXCOLS];
	bool counted[TOP_MAXCOLS]; /* num holds a counter the kernel gave */
	uint8_t mark, ttl;
	bool final;    /* the kernel reads its counters no more (TIME-WAIT): it keeps its last */
	uint32_t ord;  /* the order it was built in (ties in a sort keep it) */
	long sock;     /* sockets view: the socket's index in the snapshot, else -1 */
	long proc;     /* sockets and processes views: the (first) owner's index in procs, -1 */
	uint16_t port; /* the local port `explain` is asked about, 0: none */
	uint8_t proto;
};

struct top_table {
	enum top_view view;
	const struct top_col *cols;
	size_t ncols;
	struct top_row *rows;
	size_t n, cap;
	struct buf text; /* every cell, NUL-terminated, escaped for the terminal */
};

/* The columns of view v (all_netns: -N, the sockets view has the namespace first); *n set to
 * their number. */
const struct top_col *top_columns(enum top_view v, bool all_netns, size_t *n);
/* The index of t's column titled `title`, -1: none. */
int top_find_col(const struct top_table *t, const char *title);
/* "sockets", "processes", "listeners", "remotes". */
const char *top_view_name(enum top_view v);

/*
 * Rebuild t (emptied first) as view v of snapshot s; g: s grouped by conns_group
 * (the group views read it). Names are escaped (esc_text). 0 or -ENOMEM.
 */
int top_build(struct top_table *t, enum top_view v, const struct ps_snapshot *s,
	      const struct conn_table *g);

/*
 * The rate cells of row r of t from its counters and those of q (the same row `seconds`
 * earlier). 0 or -ENOMEM.
 */
int top_rates(struct top_table *t, struct top_row *r, const struct top_row *q, double seconds);

/*
 * Mark what changed since prev (the same view's last table): rows with a key prev
 * lacks are new, rows whose sig differs changed, marks fade after TOP_MARK_TTL
 * refreshes; rows of prev missing now are appended as gone (kept TOP_MARK_TTL
 * refreshes). Rate columns get the growth of their counter over `seconds`. A row whose
 * counters can no longer be read (top_row.final) keeps those it had. first: the first table
 * (nothing is new). 0 or -ENOMEM.
 */
int top_track(struct top_table *t, const struct top_table *prev, double seconds, bool first);

/*
 * The sockets view: rows that went this refresh (marked gone, kept from the table before), or
 * whose counters cannot be read any more (TIME-WAIT: sock_diag lists the connection again in that
 * state), take the last counters the closes among c[0..n) carry (ps_sockchange.last: read as the
 * connection closed, after its last sample), no rates (it moves no more); a gone row the state the
 * close left it in (sockset_closed_state). Other views, or closes without counters: nothing. 0 or
 * -ENOMEM.
 */
int top_final_counters(struct top_table *t, const struct ps_sockchange *c, size_t n);

/*
 * The sockets view: the connections that closed among changes c[0..n) (with the counters they
 * closed with, ps_sockchange.last) that t has no row for — they opened and closed between two
 * refreshes — appended as closed rows (marked gone for TOP_MARK_TTL refreshes): the state the
 * close left them in (sockset_closed_state), their last counters, no rates, the process the change
 * names or, accepted on a listener of s, that listener's program (conns_listener_program). Those
 * keep() refuses (a probe socket without owners; keep NULL: every one) are left out. Other views:
 * nothing. 0 or -ENOMEM.
 */
int top_add_closed(struct top_table *t, const struct ps_snapshot *s, const struct ps_sockchange *c,
		   size_t n,
		   bool (*keep)(const struct ps_snapshot *, const struct ps_socket *, const void *),
		   const void *ctx);

/*
 * The processes view (t built from s, sorted): the SENT and RECV of the rows from..to (those on
 * screen) summed from the counters s has for their sockets (asked for those rows), every other
 * row's emptied ("-"): a row is summed whole or not at all. 0 or -ENOMEM.
 */
int top_proc_counters(struct top_table *t, const struct ps_snapshot *s, size_t from, size_t to);

/*
 * The listeners view (t built, sorted): the SENT and RECV of every row whose group g has with
 * counters (g: the sockets on the ports of the rows on screen, grouped again with the counters
 * asked for them); other rows keep theirs. 0 or -ENOMEM.
 */
int top_listener_counters(struct top_table *t, const struct conn_table *g);

/* Set a counter cell (text formatted for people) after the table was built. 0 or -ENOMEM. */
int top_set_count(struct top_table *t, struct top_row *r, size_t col, double v);

/* The sockets view: set row r's counter cells from socket k (asked after the build). 0 or -ENOMEM.
 */
int top_set_socket_counters(struct top_table *t, struct top_row *r, const struct ps_socket *k,
			    const struct ps_tcp_stats *c);

/* Sort by column col (numbers largest first, PID smallest first, addresses by address then port,
 * text A to Z; reverse flips it). */
void top_sort(struct top_table *t, size_t col, bool reverse);

/* The text of cell (r, col). */
static inline const char *top_text(const struct top_table *t, const struct top_row *r, size_t col)
{
	return t->text.data + r->text[col];
}

void top_table_free(struct top_table *t);

#endif
