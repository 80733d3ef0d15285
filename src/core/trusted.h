/* SPDX-License-Identifier: GPL-2.0-or-later */
/* trusted.h — reading a file root acts on (policy, baseline, ports, services) only when no one
 * but root or the invoking user can have written it. */
#ifndef PS_CORE_TRUSTED_H
#define PS_CORE_TRUSTED_H

#include <stdbool.h>
#include <stddef.h>

#include "../util/buf.h"

/*
 * Read `path` whole into b (cleared first; at most `limit` bytes, else -EFBIG). The file must
 * be one we may trust (platform_file_untrusted_why: owned by root or the effective user, not
 * writable by group or others; Windows: its owner and access list): else -EPERM, *why saying
 * why and nothing read. So must every symbolic link on the way (platform_path_links_untrusted_why:
 * owned by root or the effective user), else another user picks what root reads and its parse
 * errors echo. A character device owned by root (/dev/null) holds nothing anyone
 * left there and passes. The file is opened without blocking, so a FIFO planted there cannot
 * hang us before it is checked; a trusted FIFO (`--policy <(...)`) is then read to its end
 * with TRUSTED_WAIT (a file the user named, not one found by looking). With TRUSTED_REGULAR
 * only a regular file passes (one found through the environment). 0 or -errno.
 */
enum { TRUSTED_WAIT = 1, TRUSTED_REGULAR = 2 };
int trusted_read(const char *path, size_t limit, unsigned flags, struct buf *b, const char **why);

/* The rule a refusal states, for the message after *why. */
extern const char trusted_rule[];

#endif
