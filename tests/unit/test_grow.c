/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_grow.c — util_grow: doubling, exact fits, and sizes that would overflow. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "../../src/util/grow.h"
#include "test.h"

TEST(grow_doubles_and_keeps_contents)
{
	int *a = NULL;
	size_t cap = 0;
	CHECK_INT(util_grow((void **)&a, &cap, 1, sizeof *a), 0);
	CHECK_INT(cap, 8);
	for (int i = 0; i < 8; i++)
		a[i] = i;
	CHECK_INT(util_grow((void **)&a, &cap, 8, sizeof *a), 0); /* fits: nothing changes */
	CHECK_INT(cap, 8);
	CHECK_INT(util_grow((void **)&a, &cap, 9, sizeof *a), 0);
	CHECK_INT(cap, 16);
	CHECK_INT(util_grow((void **)&a, &cap, 100, sizeof *a), 0); /* a big jump: exactly need */
	CHECK_INT(cap, 100);
	a[99] = 99;
	for (int i = 0; i < 8; i++)
		CHECK_INT(a[i], i);
	free(a);
}

TEST(grow_refuses_sizes_that_overflow)
{
	/* a capacity whose double overflows size_t, and a need whose byte size does */
	char *a = malloc(16);
	CHECK(a != NULL);
	size_t cap = 16;
	CHECK_INT(util_grow((void **)&a, &cap, SIZE_MAX / 4 + 1, 8), -ENOMEM);
	CHECK_INT(cap, 16);
	cap = SIZE_MAX / 2 + 1; /* pretend: the next doubling cannot be represented */
	CHECK_INT(util_grow((void **)&a, &cap, cap + 1, 2), -ENOMEM);
	CHECK_INT(cap, SIZE_MAX / 2 + 1);
	cap = 16;
	CHECK_INT(util_grow((void **)&a, &cap, 17, 0), -EINVAL);
	a[15] = 'x'; /* still the old, valid block */
	free(a);
}
