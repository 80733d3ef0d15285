/* pipeline.h — one call that runs collect → attribute → describe → enrich → owner filter → sort. */
#ifndef PS_PIPELINE_H
#define PS_PIPELINE_H

#include "../model/filter.h"
#include "../model/model.h"

enum pipeline_stage {
	STAGE_COLLECT,	 /* listing sockets */
	STAGE_ATTRIBUTE, /* finding owners (BPF or /proc) */
	STAGE_DESCRIBE,	 /* reading process details */
	STAGE_ENRICH,	 /* units, containers */
	STAGE_FILTER,	 /* owner-level filters, sorting */
};

/*
 * Fill `snap` with the sockets matching `f`, their owners and everything known
 * about them, sorted for display and with the unattributed counts set.
 * 0, or -errno with *stage telling which step failed.
 */
int pipeline_run(const struct ps_filter *f, struct ps_snapshot *snap, enum pipeline_stage *stage);

/* Count the other network namespaces (and those with listeners) into snap. 0 or -errno. */
int pipeline_netns_census(struct ps_snapshot *snap);

/* What the stage was doing, for messages ("list sockets", "find socket owners", ...). */
const char *pipeline_stage_text(enum pipeline_stage stage);

#endif
