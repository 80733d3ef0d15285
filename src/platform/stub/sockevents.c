/* sockevents.c — stub: no destroyed-socket notifications and no boot id on this platform. */
#include <errno.h>
#include <stddef.h>

#include "../platform.h"

int platform_sockevents_open(struct platform_sockevents **out)
{
	*out = NULL;
	return -ENOSYS;
}

int platform_sockevents_fd(const struct platform_sockevents *ev)
{
	(void)ev;
	return -1;
}

long platform_sockevents_read(struct platform_sockevents *ev, struct ps_snapshot *snap)
{
	(void)ev;
	(void)snap;
	return -ENOSYS;
}

void platform_sockevents_close(struct platform_sockevents *ev)
{
	(void)ev;
}

int platform_boot_id(char **out)
{
	*out = NULL;
	return -ENOSYS;
}
