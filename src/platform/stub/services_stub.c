/* services_stub.c — namespaces, ancestry and socket activation are not supported on this platform. */
#include <errno.h>

#include "../platform.h"

int platform_collect_all_netns(struct ps_snapshot *snap, const struct ps_filter *f)
{
	return platform_collect(snap, f);
}

int platform_netns_census(struct ps_snapshot *snap)
{
	(void)snap;
	return 0;
}

int platform_services(struct ps_snapshot *snap)
{
	(void)snap;
	return 0;
}
