/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fnmatch.h — fnmatch(3) for the Windows build: *, ? and [...] (with ! or ^ and ranges), flags 0.
 */
#ifndef PS_WIN_FNMATCH_H
#define PS_WIN_FNMATCH_H

#define FNM_NOMATCH 1

/* 0 when string matches pattern, else FNM_NOMATCH. Only flags 0 is supported. */
int fnmatch(const char *pattern, const char *string, int flags);

#endif
