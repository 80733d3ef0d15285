/* SPDX-License-Identifier: GPL-2.0-or-later */
/* top.h — the screen of `portsleuth top` (src/cli/topscreen.c; ncurses). */
#ifndef PS_CLI_TOP_H
#define PS_CLI_TOP_H

#include "common.h"

/* How top keeps its socket set between full listings (--events). */
enum top_events {
	TOP_EVENTS_AUTO = 0, /* BPF's TCP state changes, else sock_diag, else full listings */
	TOP_EVENTS_DIAG,     /* sock_diag's destroy notifications and a dump each refresh */
	TOP_EVENTS_NONE	     /* a full listing at every refresh */
};

/* top's own options. */
struct top_opts {
	enum top_events events;
	double delay;	    /* seconds between refreshes */
	const char *timing; /* --timing FILE: what the refreshes cost, written at the end; NULL */
	const char *filter_text; /* the filter given on the command line, as words (header); NULL */
};

/*
 * Run the live view for o (parsed; every state unless narrowed), refreshing every
 * to->delay seconds until q, SIGINT or SIGTERM; the terminal is restored in every
 * case, a crash signal included. Without ncurses in the build: a message. Returns
 * the exit code.
 */
int top_run(struct cli_options *o, const struct top_opts *to);

#endif
