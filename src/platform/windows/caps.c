/* caps.c — what the Windows backend can see (no destroy notifications or boot id:
 * stub/sockevents.c). */
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
