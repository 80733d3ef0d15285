/* SPDX-License-Identifier: GPL-2.0-or-later */
/* escape.h — make untrusted bytes (process names, command lines, paths) safe to show. */
#ifndef PS_ESCAPE_H
#define PS_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/*
 * Decode one UTF-8 sequence at s[0..n). Returns its length (1-4) and stores the
 * code point, or 0 when the bytes are not well-formed UTF-8 (overlong, surrogate,
 * above U+10FFFF, truncated).
 */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/*
 * Whether code point cp must never reach a terminal raw: C0/C1 controls, DEL,
 * every format character (Unicode category Cf: bidi controls, zero-width and
 * invisible characters, tags), U+2028/U+2029, the Hangul fillers and U+FFFC.
 */
bool esc_unsafe_cp(uint32_t cp);

/*
 * Append s[0..n) for a terminal: printable text as is; every control byte, every invalid UTF-8
 * byte and every other code point esc_unsafe_cp() names as \xHH or \u{HHHH}. The result never
 * holds a control byte nor an invisible or direction-changing character. This is the one
 * escaper for all text that reaches a terminal (table, explain, watch, diff, check, messages).
 *
 * A backslash is a literal character (C:\Windows\System32 prints as it is) except where it
 * would read as the start of an escape: a run of backslashes right before "x" and two hex
 * digits, before "u{", or before a byte that is escaped, is doubled. So the text reads back
 * exactly: k backslashes before such an escape body stand for k/2 literal ones when k is even
 * (the body is literal text: "\\x41" is a backslash and "x41"), for (k-1)/2 and one escape
 * when k is odd ("\x41" is the byte 0x41 escaped, "\\\x0a" a backslash and a newline);
 * before anything else every backslash is itself. There are no one-letter escapes (\n, \t):
 * a newline is \x0a, so a path such as C:\tools\new.exe needs no doubling. 0 or -ENOMEM.
 */
int esc_text(struct buf *out, const char *s, size_t n);

/*
 * Append s[0..n) as the inside of a JSON string: always valid UTF-8, invalid bytes
 * become U+FFFD, quote and backslash are escaped, and every code point
 * esc_unsafe_cp() names becomes \uXXXX (a surrogate pair above U+FFFF), so a
 * JSON reader gets the exact text and a terminal showing the JSON nothing raw.
 * 0 or -ENOMEM.
 */
int esc_json(struct buf *out, const char *s, size_t n);

/*
 * Append s[0..n) as one CSV field: esc_text, then quoted when needed (RFC 4180).
 * A value a spreadsheet would run as a formula (starting with = + - @ TAB or CR)
 * gets a leading single quote and is quoted, as OWASP advises for CSV exports.
 */
int esc_csv(struct buf *out, const char *s, size_t n);

/* Terminal cells s[0..n) takes (East Asian wide characters count two, combining marks none). */
size_t text_width(const char *s, size_t n);

/* Longest prefix of s[0..n) that fits in `max` cells without splitting a character. */
size_t text_prefix(const char *s, size_t n, size_t max);

/* Where the longest suffix of s[0..n) that fits in `max` cells starts (a whole character). */
size_t text_suffix(const char *s, size_t n, size_t max);

#endif
