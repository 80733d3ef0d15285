/* SPDX-License-Identifier: GPL-2.0-or-later */
/* shquote.c — one word of a command line someone will paste into a shell as root. */
#include "shquote.h"

#include <errno.h>
#include <string.h>

/* s in single quotes, each ' written as `quote_esc`; out unchanged on failure. */
static int single_quoted(struct buf *out, const char *s, const char *quote_esc)
{
	size_t mark = out->len;
	int rc = buf_putc(out, '\'');
	for (const char *p = s; *p && !rc; p++)
		rc = *p == '\'' ? buf_puts(out, quote_esc) : buf_putc(out, *p);
	if (!rc)
		rc = buf_putc(out, '\'');
	if (rc) {
		out->len = mark;
		if (out->data)
			out->data[mark] = '\0';
	}
	return rc;
}

/* Whether every byte of s is printable ASCII and s is a name a command can take (not empty,
 * no leading '-'); *bare: each byte is one of `bare_set` or alphanumeric. */
static bool printable_word(const char *s, const char *bare_set, bool *bare)
{
	*bare = true;
	if (!s || !*s || *s == '-')
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p > 0x7e)
			return false;
		*bare = *bare && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				  (*p >= '0' && *p <= '9') || strchr(bare_set, *p));
	}
	return true;
}

int shq_word(struct buf *out, const char *s, bool quote)
{
	bool bare;
	if (!printable_word(s, "._@%+=:,/-", &bare))
		return -EINVAL;
	if (bare)
		return buf_puts(out, s);
	return quote ? single_quoted(out, s, "'\\''") : -EINVAL;
}

int shq_word_cmd(struct buf *out, const char *s)
{
	bool bare;
	if (!printable_word(s, "._-$@+#", &bare) || strpbrk(s, "\"%!"))
		return -EINVAL;
	return bare ? buf_puts(out, s) : buf_printf(out, "\"%s\"", s);
}

int shq_word_pwsh(struct buf *out, const char *s)
{
	bool bare;
	if (!printable_word(s, "._-", &bare))
		return -EINVAL;
	return bare ? buf_puts(out, s) : single_quoted(out, s, "''");
}
