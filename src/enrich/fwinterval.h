/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fwinterval.h — sets of source addresses as sorted, disjoint inclusive ranges, and their algebra.
 */
#ifndef PS_FWINTERVAL_H
#define PS_FWINTERVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../model/ruleset.h"

/* A set of source addresses: sorted, disjoint, non-adjacent inclusive ranges of `len` bytes. */
struct fw_srcset {
	struct fw_range *r;
	size_t n, cap;
	uint8_t len;
};

/* Compare, increment (false past all ones) and decrement (false below zero) len-byte keys. */
int fw_key_cmp(const uint8_t *a, const uint8_t *b, unsigned len);
bool fw_key_inc(uint8_t *a, unsigned len);
bool fw_key_dec(uint8_t *a, unsigned len);

/*
 * The set algebra. A set starts as (struct fw_srcset){.len = 4 or 16}; fw_srcset_full
 * makes one holding every address of len bytes. fw_srcset_push appends [lo, hi] (len
 * bytes each) without normalizing; fw_srcset_normalize sorts and merges in place.
 * intersect, complement and subtract make a new normalized set in *out from normalized
 * ones; union adds b to a and normalizes. All 0 or -ENOMEM.
 */
int fw_srcset_full(struct fw_srcset *s, unsigned len);
int fw_srcset_push(struct fw_srcset *s, const uint8_t *lo, const uint8_t *hi);
void fw_srcset_normalize(struct fw_srcset *s);
int fw_srcset_intersect(const struct fw_srcset *a, const struct fw_srcset *b,
			struct fw_srcset *out);
int fw_srcset_complement(const struct fw_srcset *a, struct fw_srcset *out);
int fw_srcset_union(struct fw_srcset *a, const struct fw_srcset *b);

/*
 * fw_srcset_add puts [lo, hi] (len bytes each)
 * in and keeps s normalized; fw_srcset_subtract makes out = a minus b (a new set).
 * Both 0 or -ENOMEM.
 */
int fw_srcset_add(struct fw_srcset *s, const uint8_t *lo, const uint8_t *hi);
int fw_srcset_subtract(const struct fw_srcset *a, const struct fw_srcset *b, struct fw_srcset *out);
/* Whether s holds every address of its length. */
bool fw_srcset_is_full(const struct fw_srcset *s);
/*
 * The widest address class (enum ps_exposure, never PS_EXPO_ALL) of the sources in s:
 * a range inside 127/8 or ::1 is loopback, inside 169.254/16 or fe80::/10 link-local,
 * inside 10/8, 172.16/12, 192.168/16, 100.64/10 or fc00::/7 private (IPv4-mapped
 * IPv6 ranges by their IPv4 part), anything else public.
 */
int fw_srcset_widest(const struct fw_srcset *s);
void fw_srcset_free(struct fw_srcset *s);

/*
 * Write the source set as comma-separated CIDR prefixes ("10.0.0.0/8,192.168.1.7")
 * into out (always terminated; cut short with "..." when out is too small).
 * Returns the number of prefixes.
 */
size_t fw_srcset_format(const struct fw_srcset *s, char *out, size_t outlen);

#endif
