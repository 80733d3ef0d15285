/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fwtarget.c — the addresses of another network namespace: who reaches its sockets, and where a
 * forwarded port's target lives. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../platform.h"
#include "backend.h"
#include "netinfo.h"
#include "roots.h"

/* An open fd of path if it is namespace `inode` (a pid may be reused, a name bound again), or
 * -errno. */
static int open_inode(const char *path, uint64_t inode)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	if (fstat(fd, &st) || (uint64_t)st.st_ino != inode) {
		close(fd);
		return -ESTALE;
	}
	return fd;
}

/* An open fd of ns's namespace file, or -errno. */
static int open_ns(const struct ps_netns *ns)
{
	const struct platform_roots *r = roots_get();
	char path[4096];
	int fd = -ENOENT;
	if (ns->pid &&
	    snprintf(path, sizeof path, "%s/%d/ns/net", r->proc, ns->pid) < (int)sizeof path)
		fd = open_inode(path, ns->inode);
	/* an ip netns name: the process seen in it may have exited since */
	if (fd < 0 && ns->name &&
	    snprintf(path, sizeof path, "%s/netns/%s", r->run, ns->name) < (int)sizeof path)
		fd = open_inode(path, ns->inode);
	return fd;
}

int lnx_in_netns(const struct ps_netns *ns, int (*fn)(void *arg), void *arg)
{
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
		rc = fn(arg);
		if (setns(self, CLONE_NEWNET))
			abort(); /* staying in a foreign namespace would mislabel everything after
				  */
	}
	close(self);
	return rc;
}

struct addrs_req {
	struct ps_ifaddr **out, **groups;
	size_t *n, *ngroups;
};

/* lnx_netns_addrs inside the namespace. */
static int addrs_here(void *arg)
{
	struct addrs_req *q = arg;
	int rc = platform_local_addrs(q->out, q->n);
	/* groups are best effort: a namespace without them (no IPv6, no multicast) is no
	 * failure */
	if (rc >= 0 && q->groups && netinfo_mcast_groups(true, q->groups, q->ngroups) == -ENOMEM)
		rc = -ENOMEM;
	return rc;
}

int lnx_netns_addrs(const struct ps_netns *ns, struct ps_ifaddr **out, size_t *n,
		    struct ps_ifaddr **groups, size_t *ngroups)
{
	*out = NULL;
	*n = 0;
	if (groups) {
		*groups = NULL;
		*ngroups = 0;
	}
	int rc = lnx_in_netns(ns, addrs_here, &(struct addrs_req){out, groups, n, ngroups});
	if (rc < 0) { /* the groups failed only for want of memory: nothing is kept */
		platform_ifaddrs_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}
