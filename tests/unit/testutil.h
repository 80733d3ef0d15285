/* SPDX-License-Identifier: GPL-2.0-or-later */
/* testutil.h — small helpers shared by the unit tests (static, header-only). */
#ifndef PS_TESTUTIL_H
#define PS_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/model/model.h"

/* The Linux backend's words (testwords.c), for tests that check evidence and advice texts. */
extern const struct ps_os_words test_linux_words;
/* The Windows backend's words (src/platform/windows/words.h). */
extern const struct ps_os_words test_windows_words;

/*
 * A heap copy of exactly n bytes, with no terminating NUL, so that AddressSanitizer
 * reports any read past the end a parser is not allowed to make. Never NULL.
 */
static inline char *tu_exact(const void *p, size_t n)
{
	char *c = malloc(n ? n : 1);
	if (!c)
		abort();
	if (n)
		memcpy(c, p, n);
	return c;
}

/* Independent strict UTF-8 validator (RFC 3629), not using the code under test. */
static inline bool tu_valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned char c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		size_t len;
		uint32_t cp;
		if ((c & 0xE0) == 0xC0)
			len = 2, cp = c & 0x1F;
		else if ((c & 0xF0) == 0xE0)
			len = 3, cp = c & 0x0F;
		else if ((c & 0xF8) == 0xF0)
			len = 4, cp = c & 0x07;
		else
			return false;
		if (n - i < len)
			return false;
		for (size_t k = 1; k < len; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3F);
		}
		static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
		if (cp < min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += len;
	}
	return true;
}

/* Whether s[0..n) holds a byte below 0x20 or DEL, other than those in `allowed`. */
static inline bool tu_has_control(const char *s, size_t n, const char *allowed)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 || c == 0x7F) && !(c && allowed && strchr(allowed, c)))
			return true;
	}
	return false;
}

/* Whether s[0..n) holds a raw C1 control (U+0080..U+009F encoded as C2 80..C2 9F). */
static inline bool tu_has_c1(const char *s, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if ((unsigned char)s[i] == 0xC2 && (unsigned char)s[i + 1] >= 0x80 &&
		    (unsigned char)s[i + 1] <= 0x9F)
			return true;
	return false;
}

/* Deterministic pseudo-random numbers for the property tests. */
static inline uint32_t tu_rand(uint64_t *state)
{
	*state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*state >> 33);
}

#endif
