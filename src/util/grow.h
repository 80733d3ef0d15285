/* SPDX-License-Identifier: GPL-2.0-or-later */
/* grow.h — the one way arrays grow: capacity doubling with the size overflow checked. */
#ifndef PS_GROW_H
#define PS_GROW_H

#include <stddef.h>
#include <stdint.h>

/*
 * Make the array *p (capacity *cap elements of `elem` bytes) hold at least `need`
 * elements: nothing when it already does, else realloc to twice the capacity (at
 * least 8, at least `need`). New elements are not initialised. 0; -ENOMEM when out
 * of memory or when the size in bytes would not fit in size_t (then *p and *cap are
 * unchanged and still valid); -EINVAL when elem is 0. Call it with (void **)&array.
 */
int util_grow(void **p, size_t *cap, size_t need, size_t elem);

/*
 * An open-addressing index over n entries (*slot: 1 + an entry's index, 0 empty; *mask its size
 * less one, a power of two) kept at most half full with room for one more: rebuilt twice as large
 * (`first` slots the first time, a power of two) from each entry's hash, the uint64_t at byte
 * hash_off of each stride-byte entry of ents, when it would not be. 0, or -ENOMEM (the index
 * unchanged).
 */
int util_slots_fit(uint32_t **slot, size_t *mask, size_t n, size_t first, const void *ents,
		   size_t stride, size_t hash_off);

#endif
