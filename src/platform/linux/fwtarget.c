/* fwtarget.c — the addresses of another network namespace, to find where a forwarded port's target
 * lives. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../firewall_read.h"
#include "../platform.h"

/* An open fd of ns's namespace file, or -errno. */
static int open_ns(const struct ps_netns *ns)
{
	char path[4096];
	if (ns->pid)
		snprintf(path, sizeof path, "/proc/%d/ns/net", ns->pid);
	else if (ns->name &&
		 snprintf(path, sizeof path, "/run/netns/%s", ns->name) < (int)sizeof path)
		; /* an ip netns name: the path is within the buffer */
	else
		return -ENOENT;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int platform_netns_addrs(const struct ps_netns *ns, struct ps_ifaddr **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	int fd = open_ns(ns);
	if (fd < 0)
		return fd;
	int self = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0) {
		int rc = -errno;
		close(fd);
		return rc;
	}
	int rc = setns(fd, CLONE_NEWNET) ? -errno : 0;
	close(fd);
	if (!rc) {
		rc = platform_local_addrs(out, n);
		if (setns(self, CLONE_NEWNET))
			abort(); /* staying in a foreign namespace would mislabel everything after
				  */
	}
	close(self);
	return rc;
}
