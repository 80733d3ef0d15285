/* caps.c — what the Windows backend can see; no destroy notifications and no boot id. */
#include <errno.h>
#include <stddef.h>

#include "../platform.h"

const struct platform_caps *platform_caps(void)
{
	static const struct platform_caps caps = {
	    .name = "windows",
	    .owners_from_collect = true, /* the owner tables carry the pid of each socket */
	    .units = true,		 /* services per process and per socket (service tag) */
	    .package_db = true,		 /* Authenticode signatures stand in for packages */
	};
	return &caps;
}

int platform_sockevents_open(struct platform_sockevents **out)
{
	*out = NULL;
	return -ENOSYS; /* watch polls; its first line says sockets between polls are not seen */
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
