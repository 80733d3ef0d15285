/* pipeline.c — the fixed order of stages every command runs its query through. */
#include "pipeline.h"

#include "../enrich/cgroup.h"
#include "../platform/platform.h"

static bool keep_owner_match(const struct ps_snapshot *s, const struct ps_socket *k, const void *f)
{
	return filter_match_owners(f, s, k);
}

int pipeline_run(const struct ps_filter *f, struct ps_snapshot *snap, enum pipeline_stage *stage)
{
	int rc;
	*stage = STAGE_COLLECT;
	if ((rc = f->all_netns ? platform_collect_all_netns(snap, f) : platform_collect(snap, f)))
		return rc;
	*stage = STAGE_ATTRIBUTE;
	if (snap->nsocks && (rc = platform_attribute(snap, f)))
		return rc;
	*stage = STAGE_DESCRIBE;
	if ((rc = platform_describe(snap)))
		return rc;
	*stage = STAGE_ENRICH;
	if ((rc = platform_services(snap)) || (rc = cgroup_enrich(snap)))
		return rc;
	*stage = STAGE_FILTER;
	if (filter_needs_owners(f) && (rc = snap_retain(snap, keep_owner_match, f)))
		return rc;
	snap_sort(snap);
	snap_count_status(snap);
	return 0;
}

int pipeline_netns_census(struct ps_snapshot *snap)
{
	return platform_netns_census(snap);
}

const char *pipeline_stage_text(enum pipeline_stage stage)
{
	switch (stage) {
	case STAGE_COLLECT:
		return "cannot list sockets";
	case STAGE_ATTRIBUTE:
		return "cannot find socket owners";
	case STAGE_DESCRIBE:
		return "cannot read process details";
	case STAGE_ENRICH:
		return "cannot name units and containers";
	case STAGE_FILTER:
		return "cannot filter the result";
	}
	return "failed";
}
