/* firewall_stub.c — no packet filter rules can be read on this platform. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../firewall_read.h"

int platform_firewall_read(struct fw_ruleset *rs, const char **why)
{
	(void)rs;
	*why = "reading the firewall's rules is not supported on this platform";
	return -ENOSYS;
}

int platform_wfw_read(struct wfw_policy *pol, char **why)
{
	(void)pol; /* Linux's firewall is the packet filter: platform_firewall_read */
	*why = NULL;
	return -ENOSYS;
}

int platform_firewall_legacy(char **tables)
{
	*tables = strdup("");
	return *tables ? 0 : -ENOMEM;
}
