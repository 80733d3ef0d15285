/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netinfo.c — local addresses (RTM_GETADDR, broadcasts from the local routing table), the ephemeral
 * port range and executable checks. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../util/buf.h"
#include "../../util/grow.h"
#include "../../util/readfile.h"
#include "../../util/str.h"
#include "../platform.h"
#include "backend.h"
#include "netinfo.h"
#include "nldump.h"
#include "procparse.h"
#include "roots.h"

static int add_addr(struct netinfo_addrs *l, const struct ifaddrmsg *m, const void *data,
		    size_t len, const void *brd)
{
	if (util_grow((void **)&l->a, &l->cap, l->n + 1, sizeof *l->a))
		return -ENOMEM;
	struct ps_ifaddr *x = &l->a[l->n];
	memset(x, 0, sizeof *x);
	x->ifindex = m->ifa_index;
	x->addr.family = m->ifa_family == AF_INET ? PS_INET : PS_INET6;
	memcpy(x->addr.bytes, data, len);
	if (brd) {
		x->broadcast.family = PS_INET;
		memcpy(x->broadcast.bytes, brd, 4);
	}
	l->n++;
	return 0;
}

int netinfo_parse_addrs(const void *buf, size_t len, struct netinfo_addrs *l)
{
	struct nl_msgs it = nl_msgs_of(buf, len);
	struct nlmsghdr h;
	const char *p;
	while (nl_msgs_next(&it, &h, &p)) {
		int st = nl_msg_status(&h, p);
		if (st)
			return st;
		if (h.nlmsg_type != RTM_NEWADDR ||
		    h.nlmsg_len < NLMSG_LENGTH(sizeof(struct ifaddrmsg)))
			continue;
		struct ifaddrmsg m;
		memcpy(&m, p + NLMSG_HDRLEN, sizeof m);
		size_t want = m.ifa_family == AF_INET ? 4 : m.ifa_family == AF_INET6 ? 16 : 0;
		/* IFA_LOCAL is the address itself on point-to-point links; else IFA_ADDRESS. */
		const char *addr = NULL, *local = NULL, *brd = NULL, *data;
		struct nl_attrs at = nl_attrs_of(p, h.nlmsg_len, sizeof m);
		uint16_t type;
		size_t n;
		while (want && nl_attrs_next(&at, &type, &data, &n)) {
			if (n < want)
				continue;
			if (type == IFA_ADDRESS)
				addr = data;
			else if (type == IFA_LOCAL)
				local = data;
			else if (type == IFA_BROADCAST && want == 4)
				brd = data;
		}
		if (local || addr) {
			int rc = add_addr(l, &m, local ? local : addr, want, brd);
			if (rc)
				return rc;
		}
	}
	return it.err;
}

void lnx_ifaddrs_free(struct ps_ifaddr *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(a[i].ifname);
	free(a);
}

static int addrs_batch(const void *buf, size_t n, void *l)
{
	return netinfo_parse_addrs(buf, n, l);
}

static void addrs_reset(void *arg)
{
	struct netinfo_addrs *l = arg;
	platform_ifaddrs_free(l->a, l->n);
	*l = (struct netinfo_addrs){0};
}

/* Whether b is the directed broadcast of a for some prefix (/1 to /30), host byte order. */
static bool broadcast_of(uint32_t a, uint32_t b)
{
	for (unsigned p = 1; p <= 30; p++) {
		uint32_t m = ~0u << (32 - p);
		if (((a & m) | ~m) == b)
			return true;
	}
	return false;
}

/* The kernel delivers broadcasts to brd on interface oif: give it to the IPv4 address of that
 * subnet there that has no broadcast configured (an address added without "brd"). */
static void route_broadcast(struct netinfo_addrs *l, uint32_t oif, const char *brd)
{
	uint32_t b;
	memcpy(&b, brd, 4);
	b = ntohl(b);
	for (size_t i = 0; i < l->n; i++) {
		struct ps_ifaddr *x = &l->a[i];
		if (x->ifindex == oif && x->broadcast.family == PS_INET &&
		    memcmp(x->broadcast.bytes, brd, 4) == 0)
			return; /* configured already */
	}
	for (size_t i = 0; i < l->n; i++) {
		struct ps_ifaddr *x = &l->a[i];
		uint32_t a;
		memcpy(&a, x->addr.bytes, 4);
		if (x->ifindex != oif || x->addr.family != PS_INET || x->broadcast.family ||
		    !broadcast_of(ntohl(a), b))
			continue;
		x->broadcast.family = PS_INET;
		memcpy(x->broadcast.bytes, brd, 4);
		return;
	}
}

/* One RTM_GETROUTE reply datagram of the local table: its broadcast routes onto l's addresses.
 * 1 when done, 0 for more, -errno. */
static int routes_batch(const void *buf, size_t len, void *arg)
{
	struct nl_msgs it = nl_msgs_of(buf, len);
	struct nlmsghdr h;
	const char *p;
	while (nl_msgs_next(&it, &h, &p)) {
		int st = nl_msg_status(&h, p);
		if (st)
			return st;
		if (h.nlmsg_type != RTM_NEWROUTE ||
		    h.nlmsg_len < NLMSG_LENGTH(sizeof(struct rtmsg)))
			continue;
		struct rtmsg m;
		memcpy(&m, p + NLMSG_HDRLEN, sizeof m);
		if (m.rtm_family != AF_INET || m.rtm_type != RTN_BROADCAST)
			continue;
		const char *dst = NULL, *data;
		uint32_t oif = 0;
		struct nl_attrs at = nl_attrs_of(p, h.nlmsg_len, sizeof m);
		uint16_t type;
		size_t n;
		while (nl_attrs_next(&at, &type, &data, &n)) {
			if (type == RTA_DST && n >= 4)
				dst = data;
			else if (type == RTA_OIF && n >= 4)
				memcpy(&oif, data, 4);
		}
		if (dst && oif)
			route_broadcast(arg, oif, dst);
	}
	return it.err;
}

/*
 * Broadcast addresses the routing table has and the addresses do not say: the kernel adds
 * "broadcast X dev D" to the local table for every subnet, brd given or not, and delivers
 * there. Best effort: without the table, the configured brd values stand.
 */
static void local_broadcasts(int fd, struct netinfo_addrs *l)
{
	struct {
		struct nlmsghdr nlh;
		struct rtmsg m;
	} req;
	memset(&req, 0, sizeof req);
	req.nlh.nlmsg_len = NLMSG_LENGTH(sizeof req.m);
	req.nlh.nlmsg_type = RTM_GETROUTE;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nlh.nlmsg_seq = 2;
	req.m.rtm_family = AF_INET;
	req.m.rtm_table = RT_TABLE_LOCAL;
	/* each route found is a true one: an interrupted dump only misses some */
	(void)nl_dump(fd, "routes4", &req, req.nlh.nlmsg_len, routes_batch, l);
}

int lnx_local_addrs(struct ps_ifaddr **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	struct {
		struct nlmsghdr nlh;
		struct ifaddrmsg m;
	} req;
	memset(&req, 0, sizeof req);
	req.nlh.nlmsg_len = NLMSG_LENGTH(sizeof req.m);
	req.nlh.nlmsg_type = RTM_GETADDR;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nlh.nlmsg_seq = 1;
	req.m.ifa_family = AF_UNSPEC;
	struct netinfo_addrs l = {0};
	/* an interrupted dump (addresses changed meanwhile) is made again; the last one stands */
	int rc = nl_dump_retry(fd, "addrs", &req, req.nlh.nlmsg_len, addrs_batch, addrs_reset, &l);
	if (rc >= 0)
		local_broadcasts(fd, &l);
	close(fd);
	if (rc < 0) {
		platform_ifaddrs_free(l.a, l.n);
		return rc;
	}
	/* Names: one lookup per distinct interface, reused for its other addresses. */
	for (size_t i = 0; i < l.n; i++) {
		for (size_t j = 0; j < i && !l.a[i].ifname; j++)
			if (l.a[j].ifindex == l.a[i].ifindex && l.a[j].ifname &&
			    !(l.a[i].ifname = str_dup(l.a[j].ifname))) {
				platform_ifaddrs_free(l.a, l.n);
				return -ENOMEM;
			}
		char name[IF_NAMESIZE];
		if (!l.a[i].ifname && if_indextoname(l.a[i].ifindex, name) &&
		    !(l.a[i].ifname = str_dup(name))) {
			platform_ifaddrs_free(l.a, l.n);
			return -ENOMEM;
		}
	}
	*out = l.a;
	*n = l.n;
	return rc == NL_DUMP_INTERRUPTED ? PS_ADDRS_CHANGING : 0;
}

int netinfo_mcast_groups(bool thread, struct ps_ifaddr **out, size_t *n)
{
	*out = NULL;
	*n = 0;
	int dirfd = open(roots_get()->proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -errno;
	size_t cap = 0;
	int rc = 0, read_any = 0, first_err = 0;
	static const char *const names[2][2] = {{"net/igmp", "net/igmp6"},
						{"thread-self/net/igmp", "thread-self/net/igmp6"}};
	const char *const *files = names[thread];
	for (int v6 = 0; v6 < 2 && !rc; v6++) {
		struct buf b = {0};
		int r = read_file_at(dirfd, files[v6], &b, 1 << 24, 0, NULL);
		if (r == 0) {
			read_any = 1;
			rc = procnet_parse_igmp(b.data ? b.data : "", b.len, v6, out, n, &cap);
		} else if (r == -ENOMEM) {
			rc = r;
		} else if (!first_err &&
			   r != -ENOENT) { /* no IPv6 (or no multicast): nothing joined */
			first_err = r;
		}
		buf_free(&b);
	}
	close(dirfd);
	if (!rc && !read_any && first_err)
		rc = first_err;
	if (rc) {
		platform_ifaddrs_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

int lnx_mcast_groups(struct ps_ifaddr **out, size_t *n)
{
	return netinfo_mcast_groups(false, out, n);
}

int lnx_ephemeral_range(uint16_t *lo, uint16_t *hi)
{
	int dirfd = open(roots_get()->proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -errno;
	struct buf b = {0};
	int rc = read_file_at(dirfd, "sys/net/ipv4/ip_local_port_range", &b, 256, 0, NULL);
	close(dirfd);
	unsigned a = 0, z = 0;
	if (!rc && sscanf(b.data, "%u %u", &a, &z) != 2)
		rc = -EBADMSG;
	buf_free(&b);
	if (rc)
		return rc;
	if (a > 65535 || z > 65535 || a > z)
		return -EBADMSG;
	*lo = (uint16_t)a;
	*hi = (uint16_t)z;
	return 0;
}
