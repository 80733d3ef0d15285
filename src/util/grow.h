/* SPDX-License-Identifier: GPL-2.0-or-later */
/* grow.h — the one way arrays grow: capacity doubling with the size overflow checked. */
#ifndef PS_GROW_H
#define PS_GROW_H

#include <stddef.h>

/*
 * Make the array *p (capacity *cap elements of `elem` bytes) hold at least `need`
 * elements: nothing when it already does, else realloc to twice the capacity (at
 * least 8, at least `need`). New elements are not initialised. 0; -ENOMEM when out
 * of memory or when the size in bytes would not fit in size_t (then *p and *cap are
 * unchanged and still valid); -EINVAL when elem is 0. Call it with (void **)&array.
 */
int util_grow(void **p, size_t *cap, size_t need, size_t elem);

#endif
