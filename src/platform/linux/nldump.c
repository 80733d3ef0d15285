/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nldump.c — the request/receive loop of every netlink dump, its record/replay seam, the reply
 * walk. */
#include "nldump.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../util/buf.h"
#include "../../util/readfile.h"
#include "../../util/str.h"
#include "roots.h"

/* Replayed files are fixtures, never large. */
#define REPLAY_LIMIT (64u * 1024 * 1024)

/* How many dumps of each name this run made (record and replay number repeats). */
struct seen {
	char *name;
	unsigned count;
};

static struct {
	pthread_mutex_t lock;
	bool resolved;
	const char *record, *replay;
	struct seen *v;
	size_t n;
} seam = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void seam_resolve(void)
{
	if (!seam.resolved) {
		seam.record = roots_env("PORTSLEUTH_NL_RECORD");
		seam.replay = roots_env("PORTSLEUTH_NL_REPLAY");
		seam.resolved = true;
	}
}

void nl_replay_set(const char *dir)
{
	pthread_mutex_lock(&seam.lock);
	seam.resolved = false;
	seam_resolve();
	if (dir)
		seam.replay = dir, seam.record = NULL;
	for (size_t i = 0; i < seam.n; i++)
		free(seam.v[i].name);
	free(seam.v);
	seam.v = NULL;
	seam.n = 0;
	pthread_mutex_unlock(&seam.lock);
}

/* 1 for the first dump of `name` in this run, 2 for the second...; 0 when out of memory. */
static unsigned seam_count(const char *name)
{
	for (size_t i = 0; i < seam.n; i++)
		if (strcmp(seam.v[i].name, name) == 0)
			return ++seam.v[i].count;
	struct seen *nv = realloc(seam.v, (seam.n + 1) * sizeof *nv);
	if (!nv)
		return 0;
	seam.v = nv;
	if (!(nv[seam.n].name = str_dup(name)))
		return 0;
	nv[seam.n++].count = 1;
	return 1;
}

static int seam_path(struct buf *path, const char *dir, const char *name, unsigned k)
{
	buf_clear(path);
	return k > 1 ? buf_printf(path, "%s/%s.%u.nl", dir, name, k)
		     : buf_printf(path, "%s/%s.nl", dir, name);
}

static int replay(const char *dir, const char *name, unsigned k,
		  int (*batch)(const void *buf, size_t n, void *ctx), void *ctx)
{
	struct buf path = {0}, b = {0};
	int rc = seam_path(&path, dir, name, k);
	if (!rc &&
	    (rc = read_file_at(AT_FDCWD, path.data, &b, REPLAY_LIMIT, O_NOFOLLOW, NULL)) ==
		-ENOENT &&
	    k > 1 && !(rc = seam_path(&path, dir, name, 1)))
		rc = read_file_at(AT_FDCWD, path.data, &b, REPLAY_LIMIT, O_NOFOLLOW, NULL);
	size_t at = 0;
	while (rc == 0) {
		uint32_t n;
		if (b.len - at < sizeof n) {
			rc = -EBADMSG; /* the recording ended before the dump did */
			break;
		}
		memcpy(&n, b.data + at, sizeof n);
		at += sizeof n;
		if (n == 0 || n > b.len - at) {
			rc = -EBADMSG;
			break;
		}
		/* a copy of exactly n bytes, so a parser reading past its datagram is caught */
		char *d = malloc(n);
		if (!d) {
			rc = -ENOMEM;
			break;
		}
		memcpy(d, b.data + at, n);
		at += n;
		rc = batch(d, n, ctx);
		free(d);
	}
	buf_free(&path);
	buf_free(&b);
	return rc < 0 ? rc : 0;
}

static int record_open(const char *dir, const char *name, unsigned k)
{
	struct buf path = {0};
	int fd = seam_path(&path, dir, name, k) ? -ENOMEM : 0;
	if (!fd) {
		fd = open(path.data, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0)
			fd = -errno;
	}
	buf_free(&path);
	return fd;
}

static int record_write(int fd, const void *buf, size_t n)
{
	uint32_t len = (uint32_t)n;
	ssize_t w = write(fd, &len, sizeof len);
	if (w == (ssize_t)sizeof len)
		w = write(fd, buf, n) == (ssize_t)n ? 0 : -1;
	return w == 0 ? 0 : w < 0 ? -errno : -EIO;
}

/* The caller's batch, and whether a message of the dump said the dump was interrupted. */
struct intr_watch {
	int (*batch)(const void *buf, size_t n, void *ctx);
	void *ctx;
	bool intr;
};

static int watch_batch(const void *buf, size_t n, void *arg)
{
	struct intr_watch *w = arg;
	struct nl_msgs it = nl_msgs_of(buf, n);
	struct nlmsghdr h;
	const char *msg;
	while (nl_msgs_next(&it, &h, &msg))
		w->intr |= (h.nlmsg_flags & NLM_F_DUMP_INTR) != 0;
	return w->batch(buf, n, w->ctx);
}

static int dump_once(int fd, const char *name, const void *req, size_t len,
		     int (*batch)(const void *buf, size_t n, void *ctx), void *ctx)
{
	pthread_mutex_lock(&seam.lock);
	seam_resolve();
	const char *rec = seam.record, *rep = seam.replay;
	unsigned k = rec || rep ? seam_count(name) : 1;
	pthread_mutex_unlock(&seam.lock);
	if (!k)
		return -ENOMEM;
	if (rep)
		return replay(rep, name, k, batch, ctx);

	int recfd = -1;
	if (rec && (recfd = record_open(rec, name, k)) < 0)
		return recfd;
	struct sockaddr_nl nladdr = {.nl_family = AF_NETLINK};
	int rc = 0;
	if (sendto(fd, req, len, 0, (struct sockaddr *)&nladdr, sizeof nladdr) < 0)
		rc = -errno;
	/* The kernel packs up to 32 KiB into one reply; leave room. */
	const size_t bufsize = 64 * 1024;
	char *buf = rc ? NULL : malloc(bufsize);
	if (!rc && !buf)
		rc = -ENOMEM;
	while (rc == 0) {
		ssize_t n = recv(fd, buf, bufsize, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rc = -errno;
		else if (n == 0)
			rc = -EBADMSG;
		else if (recfd < 0 || (rc = record_write(recfd, buf, (size_t)n)) == 0)
			rc = batch(buf, (size_t)n, ctx);
	}
	free(buf);
	if (recfd >= 0)
		close(recfd);
	return rc < 0 ? rc : 0;
}

int nl_dump(int fd, const char *name, const void *req, size_t len,
	    int (*batch)(const void *buf, size_t n, void *ctx), void *ctx)
{
	struct intr_watch w = {batch, ctx, false};
	int rc = dump_once(fd, name, req, len, watch_batch, &w);
	return rc == 0 && w.intr ? -EAGAIN : rc;
}

int nl_dump_retry(int fd, const char *name, const void *req, size_t len,
		  int (*batch)(const void *buf, size_t n, void *ctx), void (*reset)(void *ctx),
		  void *ctx)
{
	for (int tries = 1;; tries++) {
		int rc = nl_dump(fd, name, req, len, batch, ctx);
		if (rc != -EAGAIN)
			return rc;
		if (tries == NL_DUMP_TRIES)
			return NL_DUMP_INTERRUPTED;
		reset(ctx);
	}
}

bool nl_take_dump_intr(void *buf, size_t n)
{
	struct nl_msgs it = nl_msgs_of(buf, n);
	struct nlmsghdr h;
	const char *msg;
	bool intr = false;
	while (nl_msgs_next(&it, &h, &msg)) {
		if (!(h.nlmsg_flags & NLM_F_DUMP_INTR))
			continue;
		intr = true;
		h.nlmsg_flags &= (uint16_t)~NLM_F_DUMP_INTR;
		memcpy((char *)buf + (msg - (const char *)buf), &h, sizeof h);
	}
	return intr;
}

bool nl_msgs_next(struct nl_msgs *it, struct nlmsghdr *h, const char **msg)
{
	if (it->err || it->left == 0)
		return false;
	if (it->left < NLMSG_HDRLEN) {
		it->err = -EBADMSG; /* a truncated header, not "more to come" */
		return false;
	}
	memcpy(h, it->p, sizeof *h);
	if (h->nlmsg_len < NLMSG_HDRLEN || h->nlmsg_len > it->left) {
		it->err = -EBADMSG;
		return false;
	}
	*msg = it->p;
	size_t step = NLMSG_ALIGN(h->nlmsg_len);
	if (step >= it->left) {
		it->left = 0;
	} else {
		it->p += step;
		it->left -= step;
	}
	return true;
}

int nl_msg_status(const struct nlmsghdr *h, const char *msg)
{
	int err = 0;
	if (h->nlmsg_type == NLMSG_DONE) {
		if (h->nlmsg_len >= NLMSG_LENGTH(sizeof err))
			memcpy(&err, msg + NLMSG_HDRLEN, sizeof err);
		return err < 0 ? err : 1;
	}
	if (h->nlmsg_type == NLMSG_ERROR) {
		if (h->nlmsg_len < NLMSG_LENGTH(sizeof err))
			return -EBADMSG;
		memcpy(&err, msg + NLMSG_HDRLEN, sizeof err);
		return err < 0 ? err : -EBADMSG;
	}
	return 0;
}

bool nl_attrs_next(struct nl_attrs *it, uint16_t *type, const char **data, size_t *len)
{
	if (it->at + NLA_HDRLEN > it->end)
		return false;
	struct nlattr a;
	memcpy(&a, it->msg + it->at, sizeof a);
	if (a.nla_len < NLA_HDRLEN || a.nla_len > it->end - it->at)
		return false;
	*type = a.nla_type & NLA_TYPE_MASK;
	*data = it->msg + it->at + NLA_HDRLEN;
	*len = a.nla_len - NLA_HDRLEN;
	it->at += NLA_ALIGN(a.nla_len);
	return true;
}
