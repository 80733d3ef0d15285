/* nldump.c — the request/receive loop shared by the sock_diag and RTM_GETADDR dumps. */
#include "nldump.h"

#include <errno.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <sys/socket.h>

int nl_dump(int fd, const void *req, size_t len, int (*batch)(const void *buf, size_t n, void *ctx),
	    void *ctx)
{
	struct sockaddr_nl nladdr = {.nl_family = AF_NETLINK};
	if (sendto(fd, req, len, 0, (struct sockaddr *)&nladdr, sizeof nladdr) < 0)
		return -errno;
	/* The kernel packs up to 32 KiB into one reply; leave room. */
	const size_t bufsize = 64 * 1024;
	char *buf = malloc(bufsize);
	if (!buf)
		return -ENOMEM;
	int rc = 0;
	while (rc == 0) {
		ssize_t n = recv(fd, buf, bufsize, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rc = -errno;
		else if (n == 0)
			rc = -EBADMSG;
		else
			rc = batch(buf, (size_t)n, ctx);
	}
	free(buf);
	return rc < 0 ? rc : 0;
}
