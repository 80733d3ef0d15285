/* escape.c — escaping of untrusted strings for terminals, JSON and CSV. */
#include "escape.h"

#include <string.h>

size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	if (n == 0)
		return 0;
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t len;
	uint32_t v, min;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		v = c & 0x1F;
		min = 0x80;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		v = c & 0x0F;
		min = 0x800;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		v = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

/* Code points a terminal must not receive raw: C1 controls and bidi overrides. */
static int unsafe_cp(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E || cp == 0x200F ||
	       cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF;
}

int esc_text(struct buf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	int rc = buf_reserve(out, n);
	if (rc)
		return rc;
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		if (c >= 0x20 && c < 0x7F && c != '\\') {
			size_t j = i;
			while (j < n && p[j] >= 0x20 && p[j] < 0x7F && p[j] != '\\')
				j++;
			if ((rc = buf_append(out, p + i, j - i)))
				return rc;
			i = j;
			continue;
		}
		uint32_t cp;
		size_t len;
		if (c == '\\')
			rc = buf_puts(out, "\\\\");
		else if (c == '\n')
			rc = buf_puts(out, "\\n");
		else if (c == '\r')
			rc = buf_puts(out, "\\r");
		else if (c == '\t')
			rc = buf_puts(out, "\\t");
		else if (c < 0x80)
			rc = buf_printf(out, "\\x%02x", c);
		else if ((len = utf8_decode(p + i, n - i, &cp)) == 0)
			rc = buf_printf(out, "\\x%02x", c);
		else if (unsafe_cp(cp))
			rc = buf_printf(out, "\\u{%04x}", (unsigned)cp);
		else
			rc = buf_append(out, p + i, len);
		if (rc)
			return rc;
		if (c >= 0x80 && (len = utf8_decode(p + i, n - i, &cp)) > 0)
			i += len;
		else
			i++;
	}
	return 0;
}

int esc_json(struct buf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	int rc = buf_reserve(out, n);
	if (rc)
		return rc;
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
			size_t j = i;
			while (j < n && p[j] >= 0x20 && p[j] < 0x7F && p[j] != '"' && p[j] != '\\')
				j++;
			if ((rc = buf_append(out, p + i, j - i)))
				return rc;
			i = j;
			continue;
		}
		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			rc = buf_append(out, e, 2);
		} else if (c == '\n') {
			rc = buf_puts(out, "\\n");
		} else if (c == '\r') {
			rc = buf_puts(out, "\\r");
		} else if (c == '\t') {
			rc = buf_puts(out, "\\t");
		} else if (c < 0x80) {
			rc = buf_printf(out, "\\u%04x", c);
		} else {
			uint32_t cp;
			size_t len = utf8_decode(p + i, n - i, &cp);
			if (len == 0) {
				rc = buf_puts(out, "\xEF\xBF\xBD"); /* U+FFFD */
			} else {
				if (cp == 0x2028 || cp == 0x2029)
					rc = buf_printf(out, "\\u%04x", (unsigned)cp);
				else
					rc = buf_append(out, p + i, len);
				i += len - 1;
			}
		}
		if (rc)
			return rc;
		i++;
	}
	return 0;
}

int esc_csv(struct buf *out, const char *s, size_t n)
{
	struct buf tmp = {0};
	int rc = esc_text(&tmp, s, n);
	if (rc)
		goto done;
	const char *t = tmp.data ? tmp.data : "";
	if (strpbrk(t, ",\" ") == NULL) {
		rc = buf_append(out, t, tmp.len);
		goto done;
	}
	if ((rc = buf_putc(out, '"')))
		goto done;
	for (size_t i = 0; i < tmp.len && !rc; i++)
		rc = t[i] == '"' ? buf_puts(out, "\"\"") : buf_putc(out, t[i]);
	if (!rc)
		rc = buf_putc(out, '"');
done:
	buf_free(&tmp);
	return rc;
}

size_t text_width(const char *s, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			w++;
	return w;
}

size_t text_prefix(const char *s, size_t n, size_t cells)
{
	size_t w = 0, i = 0;
	while (i < n) {
		size_t j = i + 1;
		while (j < n && ((unsigned char)s[j] & 0xC0) == 0x80)
			j++;
		if (w + 1 > cells)
			break;
		w++;
		i = j;
	}
	return i;
}
