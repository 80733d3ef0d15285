/* SPDX-License-Identifier: GPL-2.0-or-later */
/* grow.c — overflow-checked capacity doubling for every growing array. */
#include "grow.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int util_grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (!elem)
		return -EINVAL;
	if (need <= *cap)
		return 0;
	size_t nc = *cap < 8 ? 8 : *cap <= SIZE_MAX / 2 ? *cap * 2 : SIZE_MAX;
	if (nc < need)
		nc = need;
	if (nc > SIZE_MAX / elem)
		return -ENOMEM;
	void *np = realloc(*p, nc * elem);
	if (!np)
		return -ENOMEM;
	*p = np;
	*cap = nc;
	return 0;
}

int util_slots_fit(uint32_t **slot, size_t *mask, size_t n, size_t first, const void *ents,
		   size_t stride, size_t hash_off)
{
	if (*slot && (n + 1) * 2 <= *mask + 1)
		return 0;
	size_t size = *slot ? (*mask + 1) * 2 : first;
	uint32_t *s = calloc(size, sizeof *s);
	if (!s)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		uint64_t hash;
		memcpy(&hash, (const char *)ents + i * stride + hash_off, sizeof hash);
		size_t h = hash & (size - 1);
		while (s[h])
			h = (h + 1) & (size - 1);
		s[h] = (uint32_t)i + 1;
	}
	free(*slot);
	*slot = s;
	*mask = size - 1;
	return 0;
}
