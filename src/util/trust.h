/* SPDX-License-Identifier: GPL-2.0-or-later */
/* trust.h — whether configuration found through the environment may be used, when we may be root.
 */
#ifndef PS_TRUST_H
#define PS_TRUST_H

#include <sys/stat.h>

/*
 * Why the file or directory `st`, found through the environment, must not be
 * used: owned by someone other than root or the effective user, or writable by
 * group or others (so root run with `sudo -E` or `su` ignores a user's file); or
 * NULL when it may be used.
 */
const char *trust_untrusted_why(const struct stat *st);

#endif
