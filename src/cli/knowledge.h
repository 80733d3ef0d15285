/* knowledge.h — load the port registry and package database, judge a snapshot, print their warnings. */
#ifndef PS_CLI_KNOWLEDGE_H
#define PS_CLI_KNOWLEDGE_H

#include "../enrich/verdict.h"
#include "common.h"

struct cli_knowledge {
	struct registry reg;
	struct pkgdb *pkg;
	struct verdicts v;
	bool judged;
};

/*
 * Load the layered registry for the options in o (--ports-file, --services) and
 * prepare the package database; prints every skipped malformed line to stderr.
 * Returns -1 to go on, or an exit code (usage error, failure).
 */
int cli_knowledge_load(const struct cli_options *o, struct cli_knowledge *k);

/* (Re)judge the sockets of snap into k->v. 0, or an exit code on failure (message printed). */
int cli_knowledge_judge(struct cli_knowledge *k, const struct ps_snapshot *snap);

void cli_knowledge_free(struct cli_knowledge *k);

#endif
