/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fuzz.h — what every libFuzzer harness shares: the entry point and a NUL-terminated copy. */
#ifndef PS_FUZZ_H
#define PS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../unit/testutil.h" /* tu_exact: an exact-size copy, so ASan sees any overread */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* data as a C string (parsers that take NUL-terminated text); aborts when out of memory. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
