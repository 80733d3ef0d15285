/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netinfo.h — RTM_GETADDR reply parsing (exposed for the fuzz harness and tests). */
#ifndef PS_NETINFO_H
#define PS_NETINFO_H

#include <stdbool.h>
#include <stddef.h>

#include "../platform.h"

/* The addresses gathered so far; ifname stays NULL (names are looked up after the dump). */
struct netinfo_addrs {
	struct ps_ifaddr *a;
	size_t n, cap;
};

/*
 * Append the addresses of one RTM_GETADDR reply datagram buf[0..len) to l.
 * 1 when the dump is done (NLMSG_DONE), 0 when more is to come, -errno for a
 * kernel error reply or a malformed message (-EBADMSG) or -ENOMEM.
 */
int netinfo_parse_addrs(const void *buf, size_t len, struct netinfo_addrs *l);

/*
 * platform_mcast_groups() of the calling thread's network namespace when `thread`
 * (/proc/thread-self/net: a thread that entered another namespace with setns), else
 * of the process's (/proc/net). 0 or -errno.
 */
int netinfo_mcast_groups(bool thread, struct ps_ifaddr **out, size_t *n);

#endif
