/* nldump.h — send one netlink dump request and hand each reply to a parser. */
#ifndef PS_NLDUMP_H
#define PS_NLDUMP_H

#include <stddef.h>

/*
 * Send the request req[0..len) on the netlink socket fd, then pass every reply
 * datagram to batch(buf, n, ctx) until it returns non-zero: 1 when the dump is
 * complete, -errno on an error. 0 or -errno.
 */
int nl_dump(int fd, const void *req, size_t len, int (*batch)(const void *buf, size_t n, void *ctx),
	    void *ctx);

#endif
