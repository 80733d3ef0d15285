/* SPDX-License-Identifier: GPL-2.0-or-later */
/* uring.h — the sockets an io_uring ring holds as fixed files (registered, no fd of their own). */
#ifndef PS_URING_H
#define PS_URING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;

/* Whether the target of an fd's link (n bytes) is an io_uring ring ("anon_inode:[io_uring]"). */
bool uring_is_ring(const char *lnk, size_t n);

/*
 * Read the ring's fdinfo (path relative to dirfd, e.g. "PID/fdinfo/FD") into b and call
 * found(ctx, index, inode) for each socket registered as fixed file `index`. 0, -EAGAIN when
 * the kernel never printed the table (the ring stayed busy), -errno of the read or of found.
 */
int uring_fixed_sockets(int dirfd, const char *fdinfo, struct buf *b,
			int (*found)(void *, uint32_t, uint64_t), void *ctx);

/*
 * Whether the process behind piddir (a /proc/PID directory) maps an io_uring ring (its SQ/CQ
 * "anon_inode:[io_uring]" in maps) while none of its fds is a ring: a ring whose fd was
 * registered in the task's ring table and closed. Such a ring's fixed files cannot be read from
 * /proc (its map_files entry does not open). b: scratch. false on any error.
 */
bool uring_hidden_ring(int piddir, struct buf *b);

#endif
