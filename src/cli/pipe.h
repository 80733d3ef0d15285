/* pipe.h — open the pipeline for a command's options and run it, with the messages that go with it. */
#ifndef PS_CLI_PIPE_H
#define PS_CLI_PIPE_H

#include "../core/pipeline.h"
#include "common.h"

/*
 * Open p for the query and files of o with the optional stages `want` (PIPE_*)
 * and the command's own filter `keep` (may be NULL). Prints why it cannot (an
 * unreadable --ports-file or --services) and every skipped malformed line of the
 * registry's files, and a ports file found through the environment that was not
 * used (not trusted). Returns -1 to go on, or an exit code (p is then closed).
 */
int cli_pipeline_open(const struct cli_options *o, unsigned want,
		      bool (*keep)(const struct ps_snapshot *, const struct ps_socket *, const void *),
		      const void *keep_ctx, struct pipeline *p);

/*
 * Run p into snap. 0 (with a note for each tolerant stage that failed), or an
 * exit code after a message naming the failed stage.
 */
int cli_pipeline_run(struct pipeline *p, struct ps_snapshot *snap);

#endif
