/* SPDX-License-Identifier: GPL-2.0-or-later */
/* shquote.c — one word of a command line someone will paste into a POSIX shell as root. */
#include "shquote.h"

#include <errno.h>
#include <string.h>

static bool plain(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       strchr("._@%+=:,/-", c);
}

int shq_word(struct buf *out, const char *s, bool quote)
{
	bool bare = true;
	if (!s || !*s || *s == '-')
		return -EINVAL;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p > 0x7e)
			return -EINVAL;
		bare = bare && plain(*p);
	}
	if (bare)
		return buf_puts(out, s);
	if (!quote)
		return -EINVAL;
	size_t mark = out->len;
	int rc = buf_putc(out, '\'');
	for (const char *p = s; *p && !rc; p++)
		rc = *p == '\'' ? buf_puts(out, "'\\''") : buf_putc(out, *p);
	if (!rc)
		rc = buf_putc(out, '\'');
	if (rc) {
		out->len = mark;
		if (out->data)
			out->data[mark] = '\0';
	}
	return rc;
}
