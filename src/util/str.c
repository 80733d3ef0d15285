/* SPDX-License-Identifier: GPL-2.0-or-later */
/* str.c — string copies. */
#include "str.h"

#include <stdlib.h>
#include <string.h>

char *str_dup_n(const void *p, size_t n)
{
	char *s = n < (size_t)-1 ? malloc(n + 1) : NULL;
	if (s) {
		if (n)
			memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

char *str_dup(const char *s)
{
	return s ? str_dup_n(s, strlen(s)) : NULL;
}

uint64_t str_hash(const char *t, size_t n)
{
	uint64_t h = n * 0x9e3779b97f4a7c15ull, w;
	for (; n >= sizeof w; t += sizeof w, n -= sizeof w) {
		memcpy(&w, t, sizeof w);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, t, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 29);
}
