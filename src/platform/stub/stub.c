/* stub.c — a backend that builds anywhere and reports that listing is not supported. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../util/trust.h"
#include "../platform.h"

const char *platform_file_untrusted_why(int fd, const struct stat *st)
{
	(void)fd;
	return trust_untrusted_why(st);
}

const char *platform_secure_getenv(const char *name)
{
	/* POSIX has no AT_SECURE: a set-id run is what can be told here */
	if (getuid() != geteuid() || getgid() != getegid())
		return NULL;
	return getenv(name);
}

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

int platform_local_addrs(struct ps_ifaddr **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	return -ENOSYS;
}

int platform_mcast_groups(struct ps_ifaddr **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	return -ENOSYS;
}

void platform_ifaddrs_free(struct ps_ifaddr *a, size_t n)
{
	(void)a;
	(void)n;
}

int platform_ephemeral_range(uint16_t *lo, uint16_t *hi)
{
	(void)lo;
	(void)hi;
	return -ENOSYS;
}

int platform_exe_facts(struct ps_snapshot *snap, const bool *wanted)
{
	(void)snap;
	(void)wanted;
	return -ENOSYS;
}

int platform_script_facts(struct ps_proc *p, const char *arg, size_t len)
{
	(void)p;
	(void)arg;
	(void)len;
	return 0;
}

char *platform_real_path(const char *path)
{
	(void)path;
	return NULL; /* no links resolved: rules compare the path as written */
}
