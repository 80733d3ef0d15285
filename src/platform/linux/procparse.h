/* SPDX-License-Identifier: GPL-2.0-or-later */
/* procparse.h — parsers for /proc files, pure functions over byte buffers (unit-tested). */
#ifndef PS_PROCPARSE_H
#define PS_PROCPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../model/model.h"

/*
 * Parse /proc/PID/stat. The name sits between the first '(' and the LAST ')', as
 * it may itself hold parentheses, spaces or newlines. *comm is malloc'd.
 * 0, -EBADMSG or -ENOMEM.
 */
int proc_parse_stat(const char *buf, size_t len, char **comm, int *ppid, uint64_t *starttime);

/*
 * The start and end of a process's code (/proc/PID/stat fields 26 and 27): both 0 while an exec
 * has not yet loaded its program (or it has no memory), 1 when we may not read them. 0 or
 * -EBADMSG.
 */
int proc_parse_stat_code(const char *buf, size_t len, uint64_t *start, uint64_t *end);

/* Effective uid from the "Uid:" line of /proc/PID/status. 0 or -EBADMSG. */
int proc_parse_status_uid(const char *buf, size_t len, uint32_t *euid);

/* Boot time (seconds since the epoch) from the "btime" line of /proc/stat. 0 or -EBADMSG. */
int proc_parse_btime(const char *buf, size_t len, int64_t *btime);

/*
 * The cgroup path to describe a process by, from /proc/PID/cgroup: the unified
 * ("0::") line, else the "name=systemd" one. Returns a pointer into buf and its
 * length, or NULL when neither is present.
 */
const char *proc_parse_cgroup(const char *buf, size_t len, size_t *pathlen);

/* Inode of a "socket:[12345]" fd link. true when it is a socket link. */
bool proc_parse_socket_link(const char *lnk, size_t n, uint64_t *inode);

/*
 * Parse one data line of /proc/net/{tcp,tcp6,udp,udp6} (the fallback when
 * sock_diag is missing). 0, or -EBADMSG for the header or a malformed line.
 */
int procnet_parse_line(const char *line, unsigned family, unsigned proto, struct ps_socket *k);

/*
 * Parse /proc/net/igmp (v6 false) or /proc/net/igmp6 (v6 true): the multicast
 * groups joined on each interface, appended to *out (ifindex, ifname, the group
 * as addr; *n entries, *cap allocated). Lines that do not parse are skipped.
 * 0 or -ENOMEM (what was appended stays, for platform_ifaddrs_free).
 */
int procnet_parse_igmp(const char *buf, size_t len, bool v6, struct ps_ifaddr **out, size_t *n,
		       size_t *cap);

#endif
