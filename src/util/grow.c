/* SPDX-License-Identifier: GPL-2.0-or-later */
/* grow.c — overflow-checked capacity doubling for every growing array. */
#include "grow.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

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
