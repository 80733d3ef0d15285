/* SPDX-License-Identifier: GPL-2.0-or-later */
/* escape.c — escaping of untrusted strings for terminals, JSON and CSV. */
#include "escape.h"

#include <stdbool.h>
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

#include "unsafe_ranges.h"

/*
 * Code points a terminal must not receive raw: controls (C0, DEL, C1), format
 * characters (Unicode category Cf: bidi controls, zero-width and invisible ones,
 * tags), line and paragraph separators, the Hangul fillers and U+FFFC
 * (src/util/unsafe_ranges.h, generated from UnicodeData.txt).
 */
bool esc_unsafe_cp(uint32_t cp)
{
	size_t lo = 0, hi = sizeof unsafe_ranges / sizeof unsafe_ranges[0];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cp < unsafe_ranges[mid][0])
			hi = mid;
		else if (cp > unsafe_ranges[mid][1])
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

/* Length of the start of p[0..n) that is printable ASCII other than a backslash. */
static size_t plain_run(const unsigned char *p, size_t n)
{
	size_t j = 0;
	while (j < n && p[j] >= 0x20 && p[j] < 0x7F && p[j] != '\\')
		j++;
	return j;
}

static bool is_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
}

/*
 * Whether the text at p[0..n) would start an escape right after a backslash: a byte esc_text
 * escapes (its escape starts with a backslash), "x" and two hex digits, or "u{".
 */
static bool reads_as_escape(const unsigned char *p, size_t n)
{
	if (n == 0)
		return false;
	uint32_t cp;
	if (p[0] < 0x20 || p[0] == 0x7F)
		return true;
	if (p[0] >= 0x80) /* escaped unless it is well-formed and safe */
		return utf8_decode(p, n, &cp) == 0 || esc_unsafe_cp(cp);
	if (p[0] == 'x')
		return n >= 3 && is_hex(p[1]) && is_hex(p[2]);
	return p[0] == 'u' && n >= 2 && p[1] == '{';
}

int esc_text(struct buf *out, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t plain = plain_run(p, n);
	if (plain == n) /* the common case (addresses, numbers, names): one copy */
		return buf_append(out, s, n);
	int rc = buf_reserve(out, n);
	if (rc)
		return rc;
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		if (c >= 0x20 && c < 0x7F && c != '\\') {
			size_t j = i + plain_run(p + i, n - i);
			if ((rc = buf_append(out, p + i, j - i)))
				return rc;
			i = j;
			continue;
		}
		uint32_t cp;
		size_t len = 1;
		if (c ==
		    '\\') { /* a run of backslashes: doubled only before what reads as an escape */
			while (i + len < n && p[i + len] == '\\')
				len++;
			bool twice = reads_as_escape(p + i + len, n - i - len);
			for (size_t k = 0; k < len && !rc; k++)
				rc = buf_puts(out, twice ? "\\\\" : "\\");
		} else if (c < 0x80) {
			rc = buf_printf(out, "\\x%02x", c);
		} else if ((len = utf8_decode(p + i, n - i, &cp)) == 0) {
			rc = buf_printf(out, "\\x%02x", c);
			len = 1;
		} else if (esc_unsafe_cp(cp)) {
			rc = buf_printf(out, "\\u{%04x}", (unsigned)cp);
		} else {
			rc = buf_append(out, p + i, len);
		}
		if (rc)
			return rc;
		i += len;
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
				if (cp > 0xFFFF && esc_unsafe_cp(cp)) /* a UTF-16 surrogate pair */
					rc = buf_printf(out, "\\u%04x\\u%04x",
							0xD800 + ((cp - 0x10000) >> 10),
							0xDC00 + ((cp - 0x10000) & 0x3FF));
				else if (esc_unsafe_cp(cp))
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

/* A cell a spreadsheet would take for a formula: it starts with = + - @ TAB or CR. */
static bool csv_formula_start(const char *s, size_t n)
{
	return n && s[0] && strchr("=+-@\t\r", s[0]);
}

int esc_csv(struct buf *out, const char *s, size_t n)
{
	struct buf tmp = {0};
	bool formula = csv_formula_start(s, n);
	int rc = formula ? buf_putc(&tmp, '\'') : 0;
	if (!rc)
		rc = esc_text(&tmp, s, n);
	if (rc)
		goto done;
	const char *t = tmp.data ? tmp.data : "";
	if (!formula && !memchr(t, ',', tmp.len) && !memchr(t, '"', tmp.len) &&
	    !memchr(t, ' ', tmp.len)) {
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

/* Terminal cells of one code point: 0 for combining marks and zero-width
 * characters, 2 for East Asian wide and fullwidth ones, else 1. */
static size_t cp_width(uint32_t cp)
{
	static const uint32_t zero[][2] = {
	    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A},
	    {0x064B, 0x065F}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x200B, 0x200D},
	    {0x20D0, 0x20FF}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F},
	};
	static const uint32_t wide[][2] = {
	    {0x1100, 0x115F},	{0x231A, 0x231B},   {0x2329, 0x232A},	{0x23E9, 0x23EC},
	    {0x2E80, 0x303E},	{0x3041, 0x33FF},   {0x3400, 0x4DBF},	{0x4E00, 0x9FFF},
	    {0xA000, 0xA4CF},	{0xA960, 0xA97F},   {0xAC00, 0xD7A3},	{0xF900, 0xFAFF},
	    {0xFE10, 0xFE19},	{0xFE30, 0xFE6F},   {0xFF00, 0xFF60},	{0xFFE0, 0xFFE6},
	    {0x1F300, 0x1F64F}, {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
	};
	if (cp < 0x300)
		return 1;
	for (size_t i = 0; i < sizeof zero / sizeof zero[0]; i++)
		if (cp >= zero[i][0] && cp <= zero[i][1])
			return 0;
	for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++)
		if (cp >= wide[i][0] && cp <= wide[i][1])
			return 2;
	return 1;
}

/* Length and width of the character at s[0..n); a stray byte counts as one cell. */
static size_t next_char(const char *s, size_t n, size_t *cells)
{
	if ((unsigned char)*s < 0x80) {
		*cells = 1;
		return 1;
	}
	uint32_t cp;
	size_t len = utf8_decode((const unsigned char *)s, n, &cp);
	if (len == 0) {
		*cells = 1;
		return 1;
	}
	*cells = cp_width(cp);
	return len;
}

size_t text_width(const char *s, size_t n)
{
	/* an ASCII start is one cell a byte: skip it eight bytes at a time */
	size_t i = 0, cells;
	for (uint64_t x; i + 8 <= n; i += 8) {
		memcpy(&x, s + i, 8);
		if (x & 0x8080808080808080ULL)
			break;
	}
	size_t w = i;
	while (i < n) {
		if ((unsigned char)s[i] < 0x80) { /* ASCII: one cell a byte, no decoding */
			i++;
			w++;
			continue;
		}
		i += next_char(s + i, n - i, &cells);
		w += cells;
	}
	return w;
}

size_t text_suffix(const char *s, size_t n, size_t max)
{
	size_t w = text_width(s, n), i = 0;
	while (i < n && w > max) {
		size_t cells, len = next_char(s + i, n - i, &cells);
		w -= cells;
		i += len;
	}
	return i;
}

size_t text_prefix(const char *s, size_t n, size_t max)
{
	size_t w = 0, i = 0;
	while (i < n) {
		size_t cells, len = next_char(s + i, n - i, &cells);
		if (w + cells > max)
			break;
		w += cells;
		i += len;
	}
	return i;
}
