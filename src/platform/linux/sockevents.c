/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sockevents.c — sock_diag destroy notifications (multicast groups) and the boot id. */
#include <errno.h>
#include <fcntl.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../util/buf.h"
#include "../../util/readfile.h"
#include "../platform.h"
#include "backend.h"
#include "nldump.h"
#include "roots.h"
#include "sockdiag.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* At most this many notifications per read call, so one burst cannot grow memory unbounded. */
#define MAX_PER_READ 4096

struct platform_sockevents {
	int fd;
	uint64_t netns; /* the namespace the notifications come from (the socket's, at open) */
	char *buf;
	size_t cap;
};

int lnx_sockevents_open(struct platform_sockevents **out)
{
	*out = NULL;
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int e = -errno;
		close(fd);
		return e;
	}
	static const int groups[] = {SKNLGRP_INET_TCP_DESTROY, SKNLGRP_INET_UDP_DESTROY,
				     SKNLGRP_INET6_TCP_DESTROY, SKNLGRP_INET6_UDP_DESTROY};
	for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
		if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &groups[i],
			       sizeof groups[i]) < 0) {
			int e = -errno;
			close(fd);
			return e;
		}
	}
	int one = 1, rcv = 4 << 20;
	setsockopt(fd, SOL_NETLINK, NETLINK_PKTINFO, &one, sizeof one);
	/* a bigger queue makes overruns rarer in bursts; FORCE works with CAP_NET_ADMIN */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof rcv) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof rcv);
	struct platform_sockevents *ev = calloc(1, sizeof *ev);
	if (ev)
		ev->buf = malloc(ev->cap = 64 * 1024);
	if (!ev || !ev->buf) {
		if (ev)
			free(ev);
		close(fd);
		return -ENOMEM;
	}
	ev->fd = fd;
	struct stat st; /* our own namespace, as lnx_collect names its sockets' */
	if (stat("/proc/self/ns/net", &st) == 0)
		ev->netns = (uint64_t)st.st_ino;
	*out = ev;
	return 0;
}

int lnx_sockevents_fd(const struct platform_sockevents *ev)
{
	return ev->fd;
}

/* The protocol of a notification: from its multicast group, else from INET_DIAG_PROTOCOL. */
static int event_proto(uint32_t group, const char *msg, size_t len)
{
	if (group == SKNLGRP_INET_TCP_DESTROY || group == SKNLGRP_INET6_TCP_DESTROY)
		return PS_TCP;
	if (group == SKNLGRP_INET_UDP_DESTROY || group == SKNLGRP_INET6_UDP_DESTROY)
		return PS_UDP;
	struct nl_attrs it = nl_attrs_of(msg, len, sizeof(struct inet_diag_msg));
	uint16_t type;
	const char *data;
	size_t n;
	while (nl_attrs_next(&it, &type, &data, &n))
		if (type == INET_DIAG_PROTOCOL && n >= 1) {
			uint8_t p = (uint8_t)data[0];
			return p == IPPROTO_TCP ? PS_TCP : p == IPPROTO_UDP ? PS_UDP : -1;
		}
	return -1;
}

long lnx_sockevents_read(struct platform_sockevents *ev, struct ps_snapshot *snap)
{
	long added = 0;
	bool overrun = false;
	while (added < MAX_PER_READ) {
		char ctl[CMSG_SPACE(sizeof(struct nl_pktinfo))];
		struct sockaddr_nl from;
		struct iovec iov = {.iov_base = ev->buf, .iov_len = ev->cap};
		struct msghdr mh = {.msg_name = &from,
				    .msg_namelen = sizeof from,
				    .msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = ctl,
				    .msg_controllen = sizeof ctl};
		ssize_t n = recvmsg(ev->fd, &mh, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				overrun = true;
				continue;
			}
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -errno;
		}
		if (from.nl_pid != 0)
			continue; /* only the kernel sends these */
		uint32_t group = 0;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_NETLINK && c->cmsg_type == NETLINK_PKTINFO) {
				struct nl_pktinfo pi;
				memcpy(&pi, CMSG_DATA(c), sizeof pi);
				group = pi.group;
			}
		/* a malformed notification costs the rest of its datagram only */
		struct nl_msgs it = nl_msgs_of(ev->buf, (size_t)n);
		struct nlmsghdr h;
		const char *p;
		while (nl_msgs_next(&it, &h, &p)) {
			int proto = h.nlmsg_type == SOCK_DIAG_BY_FAMILY
					? event_proto(group, p, h.nlmsg_len)
					: -1;
			struct ps_socket k;
			struct ps_tcp_stats t; /* the kernel sends a TCP socket's last counters */
			if (proto >= 0 &&
			    sockdiag_parse_msg_tcp(p, h.nlmsg_len, (unsigned)proto, &k, &t) == 0) {
				struct ps_socket *dst = snap_add_socket(snap);
				if (!dst)
					return -ENOMEM;
				*dst = k;
				dst->netns =
				    ev->netns; /* as a dump's sockets: else no close matches */
				if (t.valid && snap_set_tcp(snap, dst, &t))
					return -ENOMEM;
				added++;
			}
		}
	}
	return overrun ? -ENOBUFS : added;
}

void lnx_sockevents_close(struct platform_sockevents *ev)
{
	if (!ev)
		return;
	close(ev->fd);
	free(ev->buf);
	free(ev);
}

int lnx_boot_id(char **out)
{
	*out = NULL;
	int dirfd = open(roots_get()->proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -errno;
	struct buf b = {0};
	int rc = read_file_at(dirfd, "sys/kernel/random/boot_id", &b, 256, 0, NULL);
	close(dirfd);
	if (!rc && !b.len)
		rc = -ENODATA;
	if (!rc) {
		b.data[strcspn(b.data, "\n")] = '\0';
		*out = buf_steal(&b);
	}
	buf_free(&b);
	return rc;
}
