/* stub.c — a backend that builds anywhere and reports that listing is not supported. */
#include <errno.h>

#include "../platform.h"

int platform_collect(struct ps_snapshot *snap, const struct ps_filter *f)
{
	(void)snap;
	(void)f;
	return -ENOSYS;
}

int platform_attribute(struct ps_snapshot *snap, const struct ps_filter *f)
{
	(void)snap;
	(void)f;
	return -ENOSYS;
}

int platform_describe(struct ps_snapshot *snap)
{
	(void)snap;
	return -ENOSYS;
}
