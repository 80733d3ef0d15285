/* SPDX-License-Identifier: GPL-2.0-or-later */
/* topint.h — what the parts of `top` share (src/cli/top*.c, built with ncurses only): the state of
 * the view (struct top), the socket set kept between refreshes (topdata.c), the keys and their
 * actions (topkeys.c), the screen (topscreen.c). */
#ifndef PS_CLI_TOPINT_H
#define PS_CLI_TOPINT_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>

#include "../model/fexpr.h"
#include "../model/sockset.h"
#include "../output/toprows.h"
#include "../platform/platform.h"
#include "pipe.h"
#include "top.h"

/* TIME-WAIT sockets that left (their ends in a ps_sockchange each), sorted by namespace and ends.
 */
struct top_tw {
	struct ps_sockchange *v;
	size_t n, cap;
};

/*
 * A full listing (owners, processes, units: the whole pipeline) made in a thread of its own while
 * the screen keeps refreshing from the state changes. The thread has the pipeline and its own
 * snapshot to itself until it is done; the screen's thread takes the result under `lock` (a
 * snapshot handed over whole, never shared while it is written) and applies to it the changes
 * seen since the listing started (`log`), then swaps it in.
 */
struct top_listing {
	pthread_t id;
	pthread_mutex_t lock;
	bool running; /* started, not joined yet (the screen's thread only) */
	bool done;    /* under lock: the thread finished, snap and rc are its result */
	int rc;
	struct ps_snapshot snap;
	struct pipeline *pl;
	double started;
	bool quiet; /* what it brings is not new (the filter changed): nothing marked */
	struct ps_sockchange *log; /* the changes seen since it started, in order */
	size_t nlog, log_cap;
	struct top_tw twgone; /* the TIME-WAIT sockets that left since it started */
};

struct top {
	struct cli_options *o;
	struct pipeline pl;
	struct ps_snapshot cur;
	struct top_table tab, prev;
	enum top_view view;
	size_t sort_col[TOP__VIEWS];
	bool sort_rev, paused, first, color;
	size_t scroll, sel;
	int rows; /* rows of the table on screen */
	struct fexpr *expr;
	char expr_text[128];
	char cmd_filter[128]; /* the command line's filter words and --exposure, for the header */
	char search[64];      /* the last `?` search: n finds its next row */
	double delay, last;
	char msg[400];
	/* the socket set between full listings: the kernel's TCP state changes, when they load */
	struct platform_sockstate *events;
	/* else sock_diag: destroy notifications (closes) and a dump without owners each refresh
	 * (new sockets: its difference from the last dump; owners found for those only) */
	struct platform_sockevents *diag;
	struct ps_snapshot dump; /* the last dump: TCP sockets, no owners */
	struct ps_snapshot tw;	 /* the last dump of the TIME-WAIT sockets (they leave unsaid) */
	struct ps_sockchange *chg;
	size_t nchg, chg_cap;
	bool listed;	   /* a full listing was made */
	bool resync_due;   /* changes were lost: list everything */
	bool relist_quiet; /* the next listing is for a new filter: it marks nothing */
	double last_full;  /* when the last full listing was started */
	struct top_listing bg;
	unsigned long refreshes, fulls, background, during, changes;
	double max_gap,
	    last_ok; /* the longest time between two refreshes (pauses, the first aside) */
	double max_refresh, first_took; /* the longest refresh; the first (its listing) */
	size_t built_text; /* the table's text when it was built (kept tables grow it) */
	size_t built_sort; /* the column and order it was sorted by */
	bool built_rev;
	size_t scroll_at; /* the first row on screen at the last refresh */
	/* sockets whose counters (TCP_INFO) were asked: this refresh, the most in one, in all */
	size_t asked_now, asked_max;
	unsigned long long asked_total;
};

/* Seconds between two full listings while the state changes keep the set current. */
#define TOP_RESYNC 30.0

/* SIGINT, SIGTERM or SIGHUP came (0: none). */
extern volatile sig_atomic_t top_stop_signal;

double top_now(void);

/* topdata.c: one refresh (the set, grouped, the view, marks); the screen keeps the last table on
 * error, and t->msg says why. 0 or -errno. */
int top_refresh(struct top *t);
/* The filter (t->expr) changed, or sockets went by our hand: list everything again, nothing
 * marked; rows the new filter hides go now. */
void top_relist(struct top *t);
/* Follow the kernel's state changes (how: --events); t->msg says which way, and why not BPF. */
void top_events_open(struct top *t, enum top_events how);
/* --timing FILE: what the refreshes cost, one line. */
void top_write_timing(const struct top *t, const char *path);
/* Everything top_refresh and top_events_open made (a listing still running is waited for). */
void top_data_free(struct top *t);

/* topscreen.c */
void top_put_cell(const char *s, int w, bool right);
/* The same for any text: a cut address keeps its port only when keep_port (cells, not the header
 * nor the status line). */
void top_put_text(const char *s, int w, bool right, bool keep_port);
void top_head_text(const struct top *t, bool sort_shown, char *head, size_t cap);

/* topkeys.c: one key. Returns true when the data must be refreshed now (view, sort, filter). */
bool top_on_key(struct top *t, int ch);

#endif
