/* services_stub.c — no namespaces, ancestry, activation, cgroups, units or user database on this
 * platform. */
#include <errno.h>

#include "../platform.h"

const struct platform_caps *platform_caps(void)
{
	static const struct platform_caps caps = {.name = "stub"};
	return &caps;
}

int platform_collect_all_netns(struct ps_snapshot *snap, const struct ps_filter *f)
{
	return platform_collect(snap, f);
}

int platform_netns_census(struct ps_snapshot *snap)
{
	(void)snap;
	return 0;
}

int platform_ancestry(struct ps_snapshot *snap)
{
	(void)snap;
	return 0;
}

int platform_activation(struct ps_snapshot *snap)
{
	(void)snap;
	return 0;
}

int platform_socket_cgroups(struct ps_snapshot *snap)
{
	(void)snap;
	return 0;
}

int platform_units(struct ps_snapshot *snap)
{
	(void)snap;
	return 0;
}

int platform_user_name(uint32_t uid, char **out)
{
	(void)uid;
	*out = NULL;
	return -ENOENT; /* no user database on this platform */
}

int platform_user_uid(const char *name, uint32_t *uid)
{
	(void)name;
	(void)uid;
	return -ENOENT;
}
