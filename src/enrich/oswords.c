/* oswords.c — the OS-specific words of evidence texts and stop commands (Linux's, for now). */
#include "oswords.h"

#include <stdio.h>

/*
 * Every literal here names a Linux mechanism; the findings rules and the advice use
 * them only through these functions, so a backend that supplies its own words
 * replaces this file, not the rules.
 */

const char *oswords_exe_link(int pid, char *out, size_t n)
{
	snprintf(out, n, "/proc/%d/exe", pid);
	return out;
}

const char *oswords_pkg_db(void)
{
	return "dpkg database";
}

int oswords_stop_socket_unit(struct buf *out, const char *socket_unit, const char *service_unit)
{
	return buf_printf(out, "systemctl stop %s%s%s", socket_unit, service_unit ? " " : "",
			  service_unit ? service_unit : "");
}

int oswords_stop_service(struct buf *out, bool user, const char *unit)
{
	return buf_printf(out, "systemctl %sstop %s", user ? "--user " : "", unit);
}

int oswords_kill(struct buf *out, int pid)
{
	return buf_printf(out, "kill %d", pid);
}
