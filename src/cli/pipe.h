/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pipe.h — open the pipeline for a command's options and run it, with the messages that go with it.
 */
#ifndef PS_CLI_PIPE_H
#define PS_CLI_PIPE_H

#include "../core/pipeline.h"
#include "common.h"

/*
 * Open p for the query and files of o with the optional stages `want` (PIPE_*)
 * and the command's own filter `keep` (may be NULL). Loads --policy into o->acks
 * (with PIPE_JUDGE) and names its expired acks on stderr. Prints why it cannot (an
 * unreadable --ports-file, --services or --policy), every skipped malformed line of
 * the registry's files, and a ports file found through the environment that was not
 * used (not trusted). Returns -1 to go on, or an exit code (p is then closed).
 */
int cli_pipeline_open(struct cli_options *o, unsigned want,
		      bool (*keep)(const struct ps_snapshot *, const struct ps_socket *,
				   const void *),
		      const void *keep_ctx, struct pipeline *p);

/*
 * Run p into snap. 0 (with a note for each tolerant stage that failed), or an
 * exit code after a message naming the failed stage.
 */
int cli_pipeline_run(struct pipeline *p, struct ps_snapshot *snap);

/* Name on stderr every ack of pol (read from path) that has expired at `now`. */
void cli_expired_acks(const char *path, const struct policy *pol, int64_t now);

/*
 * Read and parse the policy at path into *out. 0, or an exit code after a message
 * (EXIT_USAGE naming FILE:LINE for a bad policy or an unreadable file).
 */
int cli_load_policy(const char *path, struct policy *out);

/* The largest policy file read (some 200,000 rules), and the largest baseline (a snapshot of
 * 98k sockets is ~100 MB). */
#define CLI_POLICY_LIMIT ((size_t)16 << 20)
#define CLI_BASELINE_LIMIT ((size_t)1 << 30)

/*
 * Read `what` file path (policy, baseline) whole into *data (NUL-terminated, freed by the
 * caller), refusing one we may not trust (core/trusted.h): 0, or the exit code after saying
 * why on stderr in one line (EXIT_USAGE; EXIT_FAILURE_ out of memory).
 */
int cli_read_trusted(const char *path, const char *what, size_t limit, char **data, size_t *len);

/* Say in one line that path is not used because of why (trusted_read's). */
void cli_refuse_file(const char *path, const char *why);

/* The same for the policy text data[0..len) read from path; `what` names it ("policy", "baseline").
 */
int cli_parse_policy(const char *path, const char *what, const char *data, size_t len,
		     struct policy *out);

#endif
