/* SPDX-License-Identifier: GPL-2.0-or-later */
/* str.h — string copies without strdup/strndup (absent from strict C11 and from some platforms). */
#ifndef PS_STR_H
#define PS_STR_H

#include <stddef.h>
#include <stdint.h>

/* A NUL-terminated copy of the n bytes at p (which may hold NULs); NULL when out of memory. */
char *str_dup_n(const void *p, size_t n);

/* A copy of s; NULL when s is NULL or out of memory. */
char *str_dup(const char *s);

/* A hash of the n bytes at t, read a word at a time (text pools and caches). */
uint64_t str_hash(const char *t, size_t n);

#endif
