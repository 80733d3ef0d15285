/* SPDX-License-Identifier: GPL-2.0-or-later */
/* changes.h — how diff, watch and check show a change or a socket: text lines and JSON objects. */
#ifndef PS_OUTPUT_CHANGES_H
#define PS_OUTPUT_CHANGES_H

#include <stdbool.h>
#include <stdio.h>

#include "../model/coalesce.h"
#include "../model/diff.h"
#include "../model/fwmodel.h"
#include "../util/buf.h"
#include "jsonw.h"

/*
 * One line (no newline) for change c between sides a (before) and b (after):
 * "KIND PROTO ADDRESS:PORT DETAIL". Untrusted names are escaped; with color, the
 * kind is coloured (green new, red closed, yellow changed). 0 or -ENOMEM.
 */
int change_text(struct buf *out, const struct diff_change *c, const struct diff_side *a,
		const struct diff_side *b, bool color);

/* The members of the JSON object for change c: "kind", "proto", "family", "netns", "local",
 * "remote", "direction", "before", "after". */
void change_json(struct jw *w, const struct diff_change *c, const struct diff_side *a,
		 const struct diff_side *b);

/*
 * One side of a change as a JSON object (null when i < 0): "local", "state",
 * "exposure", "firewall" ({verdict, sources} or null), "sockets" (nsocks),
 * "owner_status", "owners" [{pid, name, exe, unit, container, container_name}].
 */
void change_side_json(struct jw *w, const struct diff_side *side, long i, uint8_t exposure,
		      const struct diff_fw *fw, uint32_t nsocks);

/* Whether an exposure or firewall change lets the socket be reached more widely: 1 wider,
 * -1 narrower, 0 neither (or another kind of change). */
int change_direction(const struct diff_change *c);

/* "ADDR:PORT" or "[ADDR]:PORT" into out. 0 or -ENOMEM. */
int endpoint_text(struct buf *out, const struct ps_endpoint *e);

/* A short owner description of socket i: "name[pid] exe unit=.. container=..", escaped. 0 or
 * -ENOMEM. */
int owner_text(struct buf *out, const struct ps_snapshot *s, size_t i);

/* Where one side of a diff came from: the file (NULL: now) and what it says about itself. */
struct diff_origin {
	const char *file;
	const char *host, *boot_id, *time;
};

/* The diff as text: one line per change, then a summary ("no changes" when none). 0 or -errno. */
int render_diff_text(FILE *fp, const struct diff_result *r, const struct diff_side *a,
		     const struct diff_side *b, bool color);

/* The diff as one JSON document: "schema", "before", "after", "changes", "summary". 0 or -errno. */
int render_diff_json(FILE *fp, const struct diff_result *r, const struct diff_side *a,
		     const struct diff_side *b, const struct diff_origin *before,
		     const struct diff_origin *after);

/* One watch event, a change seen by a poll or a destroy notification. */
struct watch_event {
	const char *time; /* UTC RFC 3339 for JSON, local time for text */
	const struct diff_change *c;
	const struct diff_side *a, *b;
	bool via_destroy; /* learnt from a destroy notification */
	bool short_lived; /* opened and closed between two polls */
};

/* The event as one line (with its newline) into out: JSON, or text (coloured when color). 0 or
 * -ENOMEM. */
int render_watch_event(struct buf *out, const struct watch_event *e, bool json, bool color);

/*
 * A forwarded port that appeared (gone false) or disappeared between two polls, as
 * one line (with its newline) into out: JSON {"time", "kind": "new-forward" or
 * "removed-forward", "forward": {...}}, or text. 0 or -ENOMEM.
 */
int render_watch_forward(struct buf *out, const char *time, const struct ps_forward *f, bool gone,
			 bool json);

/*
 * What a window of the watch folded for one port and user (or a user's further ports, or the
 * rest) instead of showing it, as one line: JSON {"time", "kind": "folded", "events", "new",
 * "closed", "changed", "proto", "port", "uid", "more_ports", "more_users"}, or text.
 * 0 or -ENOMEM.
 */
int render_watch_folded(struct buf *out, const char *time, const struct coalesce_bucket *f,
			bool json);

/* A watch status line: "start", "lost-events" or "stop", and what goes with it. */
struct watch_status {
	const char *time;
	const char *kind;
	/* start */
	double interval;
	size_t sockets;
	bool all; /* every state is watched, not only listeners */
	bool destroy_notifications;
	const char *mechanism; /* what reports closed sockets ("sock_diag destroy notifications"),
				  NULL when the platform has nothing of the kind */
	const char *why_not;   /* why destroy notifications are off (the whole reason when
				  mechanism is NULL) */
	/* stop */
	unsigned long polls, events, lost;
	unsigned long folded;	 /* events not shown, counted in "folded" lines */
	int signal;		 /* 0, or the signal that stopped the watch */
	const char *signal_text; /* " (interrupted)", " (terminated)" or "" */
};

/* The status as one line (with its newline) into out. 0 or -ENOMEM. */
int render_watch_status(struct buf *out, const struct watch_status *s, bool json);

#endif
