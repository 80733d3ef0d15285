/* firewall_stub.c — no firewall can be read on this platform. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../platform.h"

int platform_firewall_read(const struct ps_fw_request *req, struct ps_fw_source *out)
{
	(void)req;
	memset(out, 0, sizeof *out);
	return fwsource_none(out, PS_FW_SRC_NONE, -ENOSYS,
			     "reading the firewall's rules is not supported on this platform");
}

int platform_netns_addrs(const struct ps_netns *ns, struct ps_ifaddr **out, size_t *n,
			 struct ps_ifaddr **groups, size_t *ngroups)
{
	(void)ns;
	*out = NULL;
	*n = 0;
	if (groups) {
		*groups = NULL;
		*ngroups = 0;
	}
	return -ENOSYS;
}
