/* changes.h — text and JSON forms of a change (diff, watch) and small helpers shared by diff/watch/check/snapshot. */
#ifndef PS_CLI_CHANGES_H
#define PS_CLI_CHANGES_H

#include <stdbool.h>
#include <stdio.h>

#include "../model/diff.h"
#include "../model/snapload.h"
#include "../util/buf.h"

/*
 * One line (no newline) for change c between sides a (before) and b (after):
 * "KIND PROTO ADDRESS:PORT DETAIL". Untrusted names are escaped; with color, the
 * kind is coloured (green new, red closed, yellow changed). 0 or -ENOMEM.
 */
int change_text(struct buf *out, const struct diff_change *c, const struct diff_side *a,
		const struct diff_side *b, bool color);

/*
 * The members (no braces) of the JSON object for change c: "kind", "proto",
 * "family", "netns", "local", "remote", "before", "after". 0 or -ENOMEM.
 */
int change_json(struct buf *out, const struct diff_change *c, const struct diff_side *a,
		const struct diff_side *b);

/*
 * One side of a change as a JSON object (null when i < 0): "local", "state",
 * "exposure", "sockets" (nsocks), "owner_status", "owners" [{pid, name, exe, unit,
 * container, container_name}]. 0 or -ENOMEM.
 */
int change_side_json(struct buf *out, const struct diff_side *side, long i, uint8_t exposure, uint32_t nsocks);

/* "ADDR:PORT" or "[ADDR]:PORT" into out. 0 or -ENOMEM. */
int endpoint_text(struct buf *out, const struct ps_endpoint *e);

/* A short owner description of socket i: "name[pid] exe unit=.. container=..", escaped. */
int owner_text(struct buf *out, const struct ps_snapshot *s, size_t i);

/* Append the JSON string for s[0..n) (escaped), or null when s is NULL. 0 or -ENOMEM. */
int json_string(struct buf *out, const char *s);

/*
 * Load a snapshot file into f, keeping the sockets matching `filter`. Prints a
 * message naming the file and the problem on failure and returns an exit code
 * (2: bad or unreadable file, 3: out of memory); 0 on success.
 */
int cli_load_snapshot(const char *path, const struct ps_filter *filter, struct snapfile *f);

/* Run the query of o with the optional stages `want` (PIPE_*) into snap. 0, or an exit code after a message. */
struct cli_options;
int cli_collect(const struct cli_options *o, unsigned want, struct ps_snapshot *snap);

/*
 * For subcommands where -o names an output file: a copy of argv with "-o X" and
 * "-oX" spelled "--output X" / "--output=X" (values of other options untouched).
 * Free with cli_argv_free. NULL when out of memory.
 */
char **cli_argv_output(int argc, char **argv);
void cli_argv_free(int argc, char **av);

/* Current time as RFC 3339 UTC with milliseconds when `ms` (2024-05-01T12:00:00.123Z). */
void time_utc(char *out, size_t outlen, bool ms);

/* Whether to colour output for stream fp (a terminal, NO_COLOR unset, TERM not dumb). */
bool cli_color_for(FILE *fp, int mode /* enum color_mode */);

#endif
