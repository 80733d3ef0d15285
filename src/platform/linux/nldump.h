/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nldump.h — netlink dumps (with record/replay for tests) and the one walk over replies. */
#ifndef PS_NLDUMP_H
#define PS_NLDUMP_H

#include <linux/netlink.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Send the request req[0..len) on the netlink socket fd, then pass every reply
 * datagram to batch(buf, n, ctx) until it returns non-zero: 1 when the dump is
 * complete, -errno on an error. 0 or -errno; -EAGAIN when the dump completed but a
 * message carried NLM_F_DUMP_INTR (the table changed while the kernel walked it: some
 * entries may be missing or twice): the caller drops what batch got and dumps again.
 *
 * `name` names the dump ("sockdiag-tcp4", "addrs") for the test seam:
 * with PORTSLEUTH_NL_RECORD=DIR every reply datagram is also saved to DIR/NAME.nl
 * (the k-th dump of one name in a run to NAME.k.nl); with PORTSLEUTH_NL_REPLAY=DIR
 * nothing is sent and the datagrams come from those files instead (NAME.k.nl,
 * else NAME.nl; a missing file is -ENOENT, as for a kernel without that dump).
 * The file format is each datagram as a 4-byte host-order length and its bytes.
 * Both variables follow the roots.h rules (PORTSLEUTH_TEST_ROOTS=1 when privileged).
 */
int nl_dump(int fd, const char *name, const void *req, size_t len,
	    int (*batch)(const void *buf, size_t n, void *ctx), void *ctx);

/*
 * Dumps made of one table before an interrupted one is kept: a table that changed
 * under three walks in a row is a busy one, and a fourth would likely fare no better.
 */
#define NL_DUMP_TRIES 3
#define NL_DUMP_INTERRUPTED 1

/*
 * nl_dump, made again from scratch while it is interrupted (NLM_F_DUMP_INTR):
 * reset(ctx) drops what batch kept of the interrupted dump before the next try.
 * 0; NL_DUMP_INTERRUPTED when all NL_DUMP_TRIES dumps were interrupted (what batch
 * kept of the last one stands: entries may be missing or twice, and the caller must
 * say so); -errno.
 */
int nl_dump_retry(int fd, const char *name, const void *req, size_t len,
		  int (*batch)(const void *buf, size_t n, void *ctx), void (*reset)(void *ctx),
		  void *ctx);

/*
 * For a dump loop that is not nl_dump's (libmnl's stops at the flag, as an error):
 * clear NLM_F_DUMP_INTR on every message of one received datagram buf[0..n), and
 * say whether any message had it (the caller then makes the dump again).
 */
bool nl_take_dump_intr(void *buf, size_t n);

/* For tests: replay from `dir` (NULL: back to the environment), restarting every count. */
void nl_replay_set(const char *dir);

/* Iterate over the messages of one datagram. */
struct nl_msgs {
	const char *p;
	size_t left;
	int err; /* after the end: 0, or -EBADMSG for a truncated or malformed message */
};

static inline struct nl_msgs nl_msgs_of(const void *buf, size_t len)
{
	return (struct nl_msgs){buf, len, 0};
}

/*
 * The next message: true with its header in *h and *msg pointing at it (h->nlmsg_len
 * bytes long, at least NLMSG_HDRLEN); false at the end of the datagram or at a
 * malformed message (it->err).
 */
bool nl_msgs_next(struct nl_msgs *it, struct nlmsghdr *h, const char **msg);

/*
 * What a dump's control message says: 1 for NLMSG_DONE, the error of an NLMSG_ERROR
 * (or of a DONE that carries one) as -errno, 0 for any other message.
 */
int nl_msg_status(const struct nlmsghdr *h, const char *msg);

/* Iterate over the attributes (struct nlattr / rtattr, same layout) of one message. */
struct nl_attrs {
	const char *msg;
	size_t at, end;
};

/* The attributes of msg (h->nlmsg_len bytes) that follow a fixed header of `fixed` bytes. */
static inline struct nl_attrs nl_attrs_of(const char *msg, size_t msglen, size_t fixed)
{
	return (struct nl_attrs){msg, NLMSG_HDRLEN + NLMSG_ALIGN(fixed), msglen};
}

/*
 * The next well-formed attribute: true with its type (flags masked off), payload and
 * payload length; false at the end or at an attribute whose length runs past the message.
 */
bool nl_attrs_next(struct nl_attrs *it, uint16_t *type, const char **data, size_t *len);

#endif
