/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sockdiag.h — NETLINK_SOCK_DIAG request building and reply parsing (exposed for unit tests). */
#ifndef PS_SOCKDIAG_H
#define PS_SOCKDIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../model/filter.h"
#include "../../model/model.h"

/*
 * Build inet_diag bytecode accepting sockets whose local or remote port is in
 * [p->lo, p->hi]. Returns the length written to out (at most cap), or 0 when cap
 * is too small.
 */
size_t sockdiag_port_bytecode(const struct ps_portspec *p, uint8_t *out, size_t cap);

/*
 * The counters of one INET_DIAG_INFO attribute (struct tcp_info, n bytes as the kernel
 * sent it) into out; out->valid stays false when it is too short to hold them.
 */
void sockdiag_parse_tcp_info(const void *data, size_t n, struct ps_tcp_stats *out);

/*
 * Ask the kernel for the counters of each TCP socket snap->socks[idx[i]] (i < n) by
 * its addresses and ports, one request each (cheap for the rows a screen shows), many
 * requests to a datagram, through the open NETLINK_SOCK_DIAG socket fd. A socket the
 * kernel no longer knows keeps what it had. 0 or -errno.
 */
int sockdiag_tcp_stats(int fd, struct ps_snapshot *snap, const size_t *idx, size_t n);

/*
 * Close TCP socket k as `ss -K` does (SOCK_DESTROY, by addresses and ports) through
 * the open NETLINK_SOCK_DIAG socket fd. 0; -EOPNOTSUPP when the kernel was built
 * without CONFIG_INET_DIAG_DESTROY (or k is not TCP); -ENOENT when it is gone;
 * -EPERM without CAP_NET_ADMIN; -errno.
 */
int sockdiag_destroy(int fd, const struct ps_socket *k);

/*
 * Parse one netlink message holding an inet_diag_msg for protocol `proto` into k.
 * 0, or -EBADMSG when the message is short or of an unknown family.
 */
int sockdiag_parse_msg(const void *msg, size_t len, unsigned proto, struct ps_socket *k);
/* The same, and into *tcp the socket's counters when the message carries them (else
 * tcp->valid is false); tcp NULL: not wanted. */
int sockdiag_parse_msg_tcp(const void *msg, size_t len, unsigned proto, struct ps_socket *k,
			   struct ps_tcp_stats *tcp);

/*
 * Walk one recv() worth of netlink messages, appending each socket that matches
 * `f` to snap. Returns 1 when the dump is complete (NLMSG_DONE), 0 when more is
 * to come, or -errno (a kernel error reply, a truncated or malformed message).
 */
int sockdiag_parse_batch(const void *buf, size_t len, unsigned proto, const struct ps_filter *f,
			 struct ps_snapshot *snap);

/* What the user is told when every dump of a socket table was interrupted. */
#define SOCKDIAG_INTR_NOTE                                                                         \
	"the socket table kept changing while the kernel listed it, try after try: sockets may "   \
	"be missing or listed twice"

/*
 * Dump one (family, protocol) from the kernel into snap through the open
 * NETLINK_SOCK_DIAG socket `fd`; with port_bytecode, a single port range of `f`
 * is filtered in the kernel. A table that changed under every try (nl_dump_retry)
 * is kept, and snap gets SOCKDIAG_INTR_NOTE (and partial). 0 or -errno (-ENOENT /
 * -EPROTONOSUPPORT / -EOPNOTSUPP when the kernel lacks that diag module, -EINVAL
 * when it refuses the request).
 */
int sockdiag_dump(int fd, unsigned family, unsigned proto, const struct ps_filter *f,
		  bool port_bytecode, struct ps_snapshot *snap);

#endif
