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
