/* caps.c — what the Linux backend can see. */
#include "../platform.h"

const struct platform_caps *platform_caps(void)
{
	static const struct platform_caps caps = {
	    .name = "linux",
	    .owners_from_collect = false, /* sock_diag has no pids: attribute scans /proc */
	    .fd_owners = true,
	    .socket_uid = true,
	    .namespaces = true,
	    .cgroups = true,
	    .units = true,
	    .ancestry = true,
	    .activation = true,
	    .destroy_events = true,
	    .package_db = true,
	    .boot_id = true,
	};
	return &caps;
}
