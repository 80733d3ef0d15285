/* SPDX-License-Identifier: GPL-2.0-or-later */
/* changes.h — helpers shared by diff, watch, check and snapshot (their rendering is in
 * src/output/changes.h). */
#ifndef PS_CLI_CHANGES_H
#define PS_CLI_CHANGES_H

#include <stdbool.h>
#include <stdio.h>

#include "../model/diff.h"
#include "../model/filter.h"
#include "../model/snapload.h"

/*
 * Load a snapshot file into f, keeping the sockets matching `filter`. Prints a
 * message naming the file and the problem on failure and returns an exit code
 * (2: bad or unreadable file, 3: out of memory); 0 on success.
 */
int cli_load_snapshot(const char *path, const struct ps_filter *filter, struct snapfile *f);
/* The same for a snapshot already read from path (data[0..len)). */
int cli_parse_snapshot(const char *path, const char *data, size_t len,
		       const struct ps_filter *filter, struct snapfile *f);

/* Run the query of o with the optional stages `want` (PIPE_*) into snap. 0, or an exit code after a
 * message. */
struct cli_options;
int cli_collect(struct cli_options *o, unsigned want, struct ps_snapshot *snap);

/* Whether to colour output for stream fp (a terminal, NO_COLOR unset, TERM not dumb). */
bool cli_color_for(FILE *fp, int mode /* enum color_mode */);

#endif
