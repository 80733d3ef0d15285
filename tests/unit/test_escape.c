/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_escape.c — esc_text, esc_json, esc_csv, utf8_decode, text_width/text_prefix, buf. */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/util/buf.h"
#include "../../src/util/escape.h"
#include "test.h"
#include "testutil.h"

typedef int (*esc_fn)(struct buf *, const char *, size_t);

/* Run an escaper over an exact-size heap copy of s[0..n); returns a malloc'd string. */
static char *run(esc_fn fn, const char *s, size_t n, size_t *outlen)
{
	char *in = tu_exact(s, n);
	struct buf b = {0};
	int rc = fn(&b, in, n);
	free(in);
	CHECK_INT(rc, 0);
	if (outlen)
		*outlen = b.len;
	char *r = buf_steal(&b);
	CHECK(r != NULL);
	return r;
}

#define EXPECT(fn, lit, want)                                                                      \
	do {                                                                                       \
		char *got_ = run(fn, lit, sizeof(lit) - 1, NULL);                                  \
		CHECK_STR(got_, want);                                                             \
		free(got_);                                                                        \
	} while (0)

/* ---------------------------------------------------------------- utf8_decode */

static size_t dec(const char *lit, size_t n, uint32_t *cp)
{
	char *in = tu_exact(lit, n);
	*cp = 0xDEADBEEF;
	size_t r = utf8_decode((const unsigned char *)in, n, cp);
	free(in);
	return r;
}

#define DEC_OK(lit, wantlen, wantcp)                                                               \
	do {                                                                                       \
		uint32_t cp_;                                                                      \
		CHECK_INT(dec(lit, sizeof(lit) - 1, &cp_), wantlen);                               \
		CHECK_INT(cp_, wantcp);                                                            \
	} while (0)
#define DEC_BAD(lit)                                                                               \
	do {                                                                                       \
		uint32_t cp_;                                                                      \
		CHECK_INT(dec(lit, sizeof(lit) - 1, &cp_), 0);                                     \
	} while (0)

TEST(utf8_decode_valid_boundaries)
{
	DEC_OK("A", 1, 0x41);
	DEC_OK("\x00", 1, 0);
	DEC_OK("\x7f", 1, 0x7F);
	DEC_OK("\xc2\x80", 2, 0x80);
	DEC_OK("\xc3\xa9", 2, 0xE9);
	DEC_OK("\xdf\xbf", 2, 0x7FF);
	DEC_OK("\xe0\xa0\x80", 3, 0x800);
	DEC_OK("\xe2\x80\xae", 3, 0x202E);
	DEC_OK("\xed\x9f\xbf", 3, 0xD7FF);
	DEC_OK("\xee\x80\x80", 3, 0xE000);
	DEC_OK("\xef\xbf\xbf", 3, 0xFFFF);
	DEC_OK("\xf0\x90\x80\x80", 4, 0x10000);
	DEC_OK("\xf0\x9f\x98\x80", 4, 0x1F600);
	DEC_OK("\xf4\x8f\xbf\xbf", 4, 0x10FFFF);
	/* only the first sequence is decoded */
	DEC_OK("\xc3\xa9Z", 2, 0xE9);
}

TEST(utf8_decode_rejects_malformed)
{
	uint32_t cp;
	CHECK_INT(utf8_decode((const unsigned char *)"", 0, &cp), 0);
	DEC_BAD("\x80"); /* lone continuation */
	DEC_BAD("\xbf");
	DEC_BAD("\xc0\x80");	     /* overlong NUL */
	DEC_BAD("\xc0\xaf");	     /* overlong '/' */
	DEC_BAD("\xc1\xbf");	     /* overlong */
	DEC_BAD("\xe0\x80\x80");     /* overlong */
	DEC_BAD("\xe0\x9f\xbf");     /* overlong U+07FF */
	DEC_BAD("\xf0\x80\x80\x80"); /* overlong */
	DEC_BAD("\xf0\x8f\xbf\xbf"); /* overlong U+FFFF */
	DEC_BAD("\xed\xa0\x80");     /* U+D800 surrogate */
	DEC_BAD("\xed\xbf\xbf");     /* U+DFFF surrogate */
	DEC_BAD("\xf4\x90\x80\x80"); /* U+110000 */
	DEC_BAD("\xf5\x80\x80\x80");
	DEC_BAD("\xf8\x88\x80\x80\x80"); /* 5-byte form */
	DEC_BAD("\xfe");
	DEC_BAD("\xff");
	DEC_BAD("\xc3");	 /* truncated */
	DEC_BAD("\xe2\x82");	 /* truncated */
	DEC_BAD("\xf0\x9f\x98"); /* truncated */
	DEC_BAD("\xc3\x41");	 /* bad continuation */
	DEC_BAD("\xe2\x28\xa1");
	DEC_BAD("\xe2\x82\xc3");
	DEC_BAD("\xf0\x9f\x98\x41");
}

TEST(utf8_decode_honours_length)
{
	/* a valid sequence cut by n must not be read past n */
	uint32_t cp;
	char *in = tu_exact("\xe2\x82\xac", 3);
	CHECK_INT(utf8_decode((const unsigned char *)in, 2, &cp), 0);
	CHECK_INT(utf8_decode((const unsigned char *)in, 1, &cp), 0);
	CHECK_INT(utf8_decode((const unsigned char *)in, 3, &cp), 3);
	CHECK_INT(cp, 0x20AC);
	free(in);
}

/* ---------------------------------------------------------------- esc_text */

TEST(esc_text_printable_passthrough)
{
	EXPECT(esc_text, "", "");
	EXPECT(esc_text, "nginx: worker process", "nginx: worker process");
	EXPECT(esc_text, " !\"#$%&'()*+,-./0123456789:;<=>?@[]^_`{|}~",
	       " !\"#$%&'()*+,-./0123456789:;<=>?@[]^_`{|}~");
}

TEST(esc_text_backslash_and_whitespace)
{
	/* a backslash is literal text; whitespace controls are bytes like any other */
	EXPECT(esc_text, "a\\b", "a\\b");
	EXPECT(esc_text, "\\", "\\");
	EXPECT(esc_text, "\\n", "\\n"); /* no one-letter escapes: a literal backslash-n is itself */
	EXPECT(esc_text, "a\nb", "a\\x0ab");
	EXPECT(esc_text, "\r\n\t", "\\x0d\\x0a\\x09");
}

/* Windows paths print as Windows writes them (issue 22), UNC and \\?\ prefixes included. */
TEST(esc_text_windows_paths)
{
	EXPECT(esc_text, "C:\\Windows\\System32\\svchost.exe",
	       "C:\\Windows\\System32\\svchost.exe");
	EXPECT(esc_text, "C:\\tools\\new\\run.exe", "C:\\tools\\new\\run.exe");
	EXPECT(esc_text, "\\\\server\\share\\x.exe", "\\\\server\\share\\x.exe");
	EXPECT(esc_text, "\\\\?\\C:\\Program Files (x86)\\a.exe",
	       "\\\\?\\C:\\Program Files (x86)\\a.exe");
	EXPECT(esc_text, "C:\\Users\\J\xc3\xbcrgen\\\xc3\xa9t\xc3\xa9.exe",
	       "C:\\Users\\J\xc3\xbcrgen\\\xc3\xa9t\xc3\xa9.exe");
	EXPECT(esc_text, "C:\\", "C:\\");
	EXPECT(esc_text, "C:\\users\\x", "C:\\users\\x"); /* "u" without "{", "x" alone */
}

/*
 * A literal backslash before what reads as an escape is doubled (with every backslash of its
 * run), so hostile text cannot pass for an escape nor hide one: an odd run before an escape
 * body is an escape, an even one is literal backslashes.
 */
TEST(esc_text_backslash_before_escape_bodies)
{
	EXPECT(esc_text, "\\x41", "\\\\x41"); /* literal text, not the byte 0x41 */
	EXPECT(esc_text, "\\xAf", "\\\\xAf"); /* hex digits of either case */
	EXPECT(esc_text, "\\x4", "\\x4");     /* one hex digit reads as no escape */
	EXPECT(esc_text, "\\xg1", "\\xg1");
	EXPECT(esc_text, "\\u{202e}", "\\\\u{202e}"); /* literal text */
	EXPECT(esc_text, "\\\\x41", "\\\\\\\\x41");   /* two literal backslashes: four */
	EXPECT(esc_text, "C:\\x64\\a.exe", "C:\\\\x64\\a.exe");
	EXPECT(esc_text, "a\\\nb", "a\\\\\\x0ab");     /* backslash, newline: 3 = 1 + an escape */
	EXPECT(esc_text, "\\\x1b[2J", "\\\\\\x1b[2J"); /* backslash, ESC */
	EXPECT(esc_text, "\\\xff", "\\\\\\xff");       /* backslash, invalid byte */
	EXPECT(esc_text, "\\\xe2\x80\xae", "\\\\\\u{202e}"); /* backslash, bidi control */
	EXPECT(esc_text, "\\\\\x07", "\\\\\\\\\\x07"); /* two backslashes, BEL: 5 = 2 + escape */
	EXPECT(esc_text, "\\\xc3\xa9", "\\\xc3\xa9");  /* safe UTF-8 after it: single */
}

TEST(esc_text_c0_and_del_as_hex)
{
	EXPECT(esc_text, "\x00", "\\x00");
	EXPECT(esc_text, "a\x01z", "a\\x01z");
	EXPECT(esc_text, "\x07\x08\x0b\x0c", "\\x07\\x08\\x0b\\x0c");
	EXPECT(esc_text, "\x1f", "\\x1f");
	EXPECT(esc_text, "\x7f", "\\x7f");
	EXPECT(esc_text, "\x1b[2J\x1b]0;pwned\x07", "\\x1b[2J\\x1b]0;pwned\\x07");
}

TEST(esc_text_c1_and_bidi_as_codepoints)
{
	EXPECT(esc_text, "\xc2\x80", "\\u{0080}");
	EXPECT(esc_text, "\xc2\x85", "\\u{0085}");
	EXPECT(esc_text,
	       "a\xc2\x9b"
	       "31m",
	       "a\\u{009b}31m"); /* 8-bit CSI */
	EXPECT(esc_text, "\xc2\x9f", "\\u{009f}");
	EXPECT(esc_text, "\xc2\xa0", "\xc2\xa0"); /* U+00A0 is not a control */
	EXPECT(esc_text, "evil\xe2\x80\xaegnp.exe", "evil\\u{202e}gnp.exe");
	EXPECT(esc_text, "\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad",
	       "\\u{202a}\\u{202b}\\u{202c}\\u{202d}");
	EXPECT(esc_text, "\xe2\x81\xa6\xe2\x81\xa9", "\\u{2066}\\u{2069}");
	EXPECT(esc_text, "\xe2\x80\x8e\xe2\x80\x8f", "\\u{200e}\\u{200f}");
	EXPECT(esc_text, "\xe2\x80\xa8\xe2\x80\xa9", "\\u{2028}\\u{2029}");
	EXPECT(esc_text, "\xef\xbb\xbf", "\\u{feff}");
}

/* Every kind of invisible or format character (Cf, Zl, Zp, Hangul fillers, U+FFFC), both outputs.
 */
TEST(esc_invisible_and_format_characters)
{
	EXPECT(esc_text, "\xc2\xad", "\\u{00ad}");     /* soft hyphen (Cf) */
	EXPECT(esc_text, "\xd8\x9c", "\\u{061c}");     /* Arabic letter mark (bidi) */
	EXPECT(esc_text, "\xd8\x80", "\\u{0600}");     /* Arabic number sign */
	EXPECT(esc_text, "\xe1\xa0\x8e", "\\u{180e}"); /* Mongolian vowel separator */
	EXPECT(esc_text, "\xe2\x80\x8b\xe2\x80\x8d",
	       "\\u{200b}\\u{200d}"); /* zero width space, joiner */
	EXPECT(esc_text, "\xe2\x81\xa0\xe2\x81\xa4",
	       "\\u{2060}\\u{2064}"); /* word joiner, invisible plus */
	EXPECT(esc_text, "\xe2\x81\xaf", "\\u{206f}");
	EXPECT(esc_text, "\xef\xbf\xb9\xef\xbf\xbb",
	       "\\u{fff9}\\u{fffb}");		       /* interlinear annotation */
	EXPECT(esc_text, "\xef\xbf\xbc", "\\u{fffc}"); /* object replacement */
	EXPECT(esc_text, "\xe1\x85\x9f\xe1\x85\xa0\xe3\x85\xa4\xef\xbe\xa0",
	       "\\u{115f}\\u{1160}\\u{3164}\\u{ffa0}"); /* Hangul fillers */
	EXPECT(esc_text, "\xf3\xa0\x80\x81\xf3\xa0\x81\x81\xf3\xa0\x81\xbf",
	       "\\u{e0001}\\u{e0041}\\u{e007f}");	    /* tags */
	EXPECT(esc_text, "\xf0\x9d\x85\xb3", "\\u{1d173}"); /* musical symbol begin beam */
	/* their neighbours are ordinary text */
	EXPECT(esc_text, "\xc2\xae\xe1\x85\xa1\xe3\x85\xa5\xef\xbf\xbd\xf3\xa0\x82\x80",
	       "\xc2\xae\xe1\x85\xa1\xe3\x85\xa5\xef\xbf\xbd\xf3\xa0\x82\x80");
	/* JSON: the same characters as \uXXXX (surrogate pairs above U+FFFF), C1 too */
	EXPECT(
	    esc_json,
	    "\xc2\x9b\xc2\xad\xd8\x9c\xe2\x80\x8b\xe2\x80\xae\xe3\x85\xa4\xef\xbf\xbc\xef\xbb\xbf",
	    "\\u009b\\u00ad\\u061c\\u200b\\u202e\\u3164\\ufffc\\ufeff");
	EXPECT(esc_json, "\xf3\xa0\x81\x81", "\\udb40\\udc41");
	EXPECT(esc_json, "\xc2\xae\xf0\x9f\x98\x80", "\xc2\xae\xf0\x9f\x98\x80");
	/* the generated table: spot checks at its edges */
	CHECK(esc_unsafe_cp(0x00) && esc_unsafe_cp(0x1F) && !esc_unsafe_cp(0x20) &&
	      esc_unsafe_cp(0x7F));
	CHECK(esc_unsafe_cp(0x9F) && !esc_unsafe_cp(0xA0) && esc_unsafe_cp(0xE007F) &&
	      !esc_unsafe_cp(0xE0080));
	CHECK(!esc_unsafe_cp(0x10FFFF) && !esc_unsafe_cp(0x2027) && !esc_unsafe_cp(0x2065) &&
	      esc_unsafe_cp(0x2066));
}

TEST(esc_text_multibyte_passthrough)
{
	EXPECT(esc_text, "caf\xc3\xa9", "caf\xc3\xa9");
	EXPECT(esc_text,
	       "\xe2\x82\xac"
	       "5",
	       "\xe2\x82\xac"
	       "5");
	EXPECT(esc_text, "\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac");
	EXPECT(esc_text, "\xf0\x9f\x98\x80!", "\xf0\x9f\x98\x80!");
	EXPECT(esc_text, "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");
}

TEST(esc_text_invalid_utf8_as_hex)
{
	EXPECT(esc_text, "\xff", "\\xff");
	EXPECT(esc_text, "\x80x", "\\x80x");
	EXPECT(esc_text, "\xc0\xaf", "\\xc0\\xaf");
	EXPECT(esc_text, "\xe0\x80\xaf", "\\xe0\\x80\\xaf");
	EXPECT(esc_text, "\xed\xa0\x80", "\\xed\\xa0\\x80");
	EXPECT(esc_text, "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
	EXPECT(esc_text, "ab\xe2\x82", "ab\\xe2\\x82"); /* truncated at the end */
	EXPECT(esc_text,
	       "\xe2\x82"
	       "A",
	       "\\xe2\\x82A");				    /* truncated before ASCII */
	EXPECT(esc_text, "\xc2\xc2\x85", "\\xc2\\u{0085}"); /* resynchronises */
	/* an escaped C1 lead byte must not turn the next bytes into a raw C1 */
	EXPECT(esc_text, "\xc2\n", "\\xc2\\x0a");
}

/* Every single byte and every pair of bytes, then random strings: no control byte out. */
TEST(esc_text_never_emits_controls)
{
	for (int a = 0; a < 256; a++) {
		for (int b = -1; b < 256; b++) {
			char in[2] = {(char)a, (char)b};
			size_t n = b < 0 ? 1 : 2, len;
			char *o = run(esc_text, in, n, &len);
			if (tu_has_control(o, len, NULL) || tu_has_c1(o, len) ||
			    !tu_valid_utf8((const unsigned char *)o, len)) {
				char m[64];
				snprintf(m, sizeof m, "bytes %02x %02x", a, b & 0xff);
				test_fail(__FILE__, __LINE__, m);
			}
			free(o);
		}
	}
	uint64_t st = 42;
	for (int t = 0; t < 2000; t++) {
		char in[64];
		size_t n = tu_rand(&st) % sizeof in, len;
		for (size_t i = 0; i < n; i++) {
			uint32_t r = tu_rand(&st);
			/* bias toward the interesting bytes */
			static const unsigned char pick[] = {0x00, 0x1b, 0x7f, 0x80, 0x9b,
							     0xc2, 0xe2, 0x80, 0xae, 0xed,
							     0xf0, 0xff, '\\', 'a'};
			in[i] = (char)((r & 1) ? pick[(r >> 1) % sizeof pick] : (r >> 8));
		}
		char *o = run(esc_text, in, n, &len);
		CHECK(!tu_has_control(o, len, NULL));
		CHECK(!tu_has_c1(o, len));
		CHECK(tu_valid_utf8((const unsigned char *)o, len));
		CHECK(!strstr(o, "\xe2\x80\xae")); /* no raw RLO */
		free(o);
	}
}

TEST(esc_text_appends)
{
	struct buf b = {0};
	CHECK_INT(buf_puts(&b, "x="), 0);
	CHECK_INT(esc_text(&b, "a\tb", 3), 0);
	CHECK_INT(esc_text(&b, "", 0), 0);
	CHECK_STR(b.data, "x=a\\x09b");
	CHECK_INT(b.len, 8);
	buf_free(&b);
}

/* ---------------------------------------------------------------- esc_json */

TEST(esc_json_quotes_backslash_controls)
{
	EXPECT(esc_json, "", "");
	EXPECT(esc_json, "plain text", "plain text");
	EXPECT(esc_json, "say \"hi\"", "say \\\"hi\\\"");
	EXPECT(esc_json, "C:\\dir", "C:\\\\dir");
	EXPECT(esc_json, "a\nb\rc\td", "a\\nb\\rc\\td");
	EXPECT(esc_json, "\x00", "\\u0000");
	EXPECT(esc_json, "\x01\x08\x0c\x1b\x1f", "\\u0001\\u0008\\u000c\\u001b\\u001f");
	EXPECT(esc_json, "\x7f", "\\u007f");
	EXPECT(esc_json, "/", "/");
}

TEST(esc_json_invalid_bytes_become_replacement)
{
	EXPECT(esc_json, "\xff", "\xef\xbf\xbd");
	EXPECT(esc_json, "a\x80z", "a\xef\xbf\xbdz");
	EXPECT(esc_json, "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd");
	EXPECT(esc_json, "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	EXPECT(esc_json, "\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	EXPECT(esc_json, "x\xe2\x82", "x\xef\xbf\xbd\xef\xbf\xbd");
	EXPECT(esc_json, "\xe2\x82\"", "\xef\xbf\xbd\xef\xbf\xbd\\\"");
}

TEST(esc_json_valid_utf8_and_line_separators)
{
	EXPECT(esc_json, "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80",
	       "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80");
	EXPECT(esc_json,
	       "a\xe2\x80\xa8"
	       "b",
	       "a\\u2028b");
	EXPECT(esc_json, "\xe2\x80\xa9", "\\u2029");
	/* a real U+FFFD in the input stays as it is */
	EXPECT(esc_json, "\xef\xbf\xbd", "\xef\xbf\xbd");
}

TEST(esc_json_output_always_valid)
{
	for (int a = 0; a < 256; a++) {
		for (int b = -1; b < 256; b++) {
			char in[2] = {(char)a, (char)b};
			size_t n = b < 0 ? 1 : 2, len;
			char *o = run(esc_json, in, n, &len);
			bool bad = tu_has_control(o, len, NULL) ||
				   !tu_valid_utf8((const unsigned char *)o, len);
			/* every quote must be escaped */
			for (size_t i = 0; i < len; i++)
				if (o[i] == '"' && (i == 0 || o[i - 1] != '\\'))
					bad = true;
			if (bad) {
				char m[64];
				snprintf(m, sizeof m, "bytes %02x %02x", a, b & 0xff);
				test_fail(__FILE__, __LINE__, m);
			}
			free(o);
		}
	}
	uint64_t st = 7;
	for (int t = 0; t < 2000; t++) {
		char in[48];
		size_t n = tu_rand(&st) % sizeof in, len;
		for (size_t i = 0; i < n; i++)
			in[i] = (char)(tu_rand(&st) >> 5);
		char *o = run(esc_json, in, n, &len);
		CHECK(!tu_has_control(o, len, NULL));
		CHECK(tu_valid_utf8((const unsigned char *)o, len));
		CHECK(!strstr(o, "\xe2\x80\xa8") && !strstr(o, "\xe2\x80\xa9"));
		free(o);
	}
}

/* ---------------------------------------------------------------- esc_csv */

TEST(esc_csv_quoting)
{
	EXPECT(esc_csv, "", "");
	EXPECT(esc_csv, "sshd", "sshd");
	EXPECT(esc_csv, "0.0.0.0:22", "0.0.0.0:22");
	EXPECT(esc_csv, "a,b", "\"a,b\"");
	EXPECT(esc_csv, "a b", "\"a b\"");
	EXPECT(esc_csv, "x\"y", "\"x\"\"y\"");
	EXPECT(esc_csv, "\"", "\"\"\"\"");
	EXPECT(esc_csv, "say \"hi\", ok", "\"say \"\"hi\"\", ok\"");
	/* line breaks never reach the record: esc_text turns them into \n first */
	EXPECT(esc_csv, "a\nb", "a\\x0ab");
	EXPECT(esc_csv, "a\r\nb,c", "\"a\\x0d\\x0ab,c\"");
	EXPECT(esc_csv, "\x1b[1m", "\\x1b[1m");
	EXPECT(esc_csv, "tab\there", "tab\\x09here");
	EXPECT(esc_csv, "caf\xc3\xa9", "caf\xc3\xa9");
	EXPECT(esc_csv, "\xff,", "\"\\xff,\"");
}

TEST(esc_csv_formula_starts)
{
	/* OWASP CSV injection: a leading quote makes the cell text, and the cell is quoted */
	EXPECT(esc_csv, "=HYPERLINK(\"http://x\",\"y\")",
	       "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
	EXPECT(esc_csv, "+1", "\"'+1\"");
	EXPECT(esc_csv, "-5", "\"'-5\"");
	EXPECT(esc_csv, "-bash", "\"'-bash\"");
	EXPECT(esc_csv, "@SUM(A1)", "\"'@SUM(A1)\"");
	EXPECT(esc_csv, "\t=1", "\"'\\x09=1\"");
	EXPECT(esc_csv, "\r=1", "\"'\\x0d=1\"");
	/* only at the start */
	EXPECT(esc_csv, "a=b", "a=b");
	EXPECT(esc_csv, "x-1", "x-1");
	EXPECT(esc_csv, "'=1", "'=1");
}

TEST(esc_csv_never_breaks_records)
{
	uint64_t st = 99;
	for (int t = 0; t < 2000; t++) {
		char in[40];
		size_t n = tu_rand(&st) % sizeof in, len;
		for (size_t i = 0; i < n; i++) {
			static const char pick[] = {',', '"', ' ', '\n', '\r', 'a', '\\', 0};
			uint32_t r = tu_rand(&st);
			in[i] = (r & 1) ? pick[(r >> 1) % sizeof pick] : (char)(r >> 9);
		}
		char *o = run(esc_csv, in, n, &len);
		CHECK(!tu_has_control(o, len, NULL));
		/* quoted iff it holds a comma, quote or space; inner quotes doubled */
		bool special = memchr(o, ',', len) || memchr(o, ' ', len);
		if (len && o[0] == '"') {
			CHECK(len >= 2 && o[len - 1] == '"');
			for (size_t i = 1; i + 1 < len; i++) {
				if (o[i] == '"') {
					CHECK(i + 2 < len && o[i + 1] == '"');
					i++;
				}
			}
		} else {
			CHECK(!special && !memchr(o, '"', len));
		}
		free(o);
	}
}

/* ---------------------------------------------------------------- width */

TEST(text_width_counts_terminal_cells)
{
	CHECK_INT(text_width("", 0), 0);
	CHECK_INT(text_width("abc", 3), 3);
	CHECK_INT(text_width("caf\xc3\xa9", 5), 4);
	CHECK_INT(text_width("e\xcc\x81", 3), 1);		 /* e + combining acute */
	CHECK_INT(text_width("\xe6\x97\xa5\xe6\x9c\xac", 6), 4); /* two wide CJK */
	CHECK_INT(text_width("\xf0\x9f\x98\x80x", 5), 3);	 /* wide emoji + x */
	CHECK_INT(text_width("\\x1b", 4), 4);
	CHECK_INT(text_width("abcdef", 2), 2); /* honours n */
}

TEST(text_prefix_never_splits)
{
	const char *s = "h\xc3\xa9llo"; /* 6 bytes, 5 cells */
	CHECK_INT(text_prefix(s, 6, 0), 0);
	CHECK_INT(text_prefix(s, 6, 1), 1);
	CHECK_INT(text_prefix(s, 6, 2), 3);
	CHECK_INT(text_prefix(s, 6, 3), 4);
	CHECK_INT(text_prefix(s, 6, 5), 6);
	CHECK_INT(text_prefix(s, 6, 100), 6);
	const char *j = "\xe6\x97\xa5\xe6\x9c\xac"; /* two wide 3-byte code points */
	CHECK_INT(text_prefix(j, 6, 1), 0);	    /* half a wide char does not fit */
	CHECK_INT(text_prefix(j, 6, 2), 3);
	CHECK_INT(text_prefix(j, 6, 3), 3);
	CHECK_INT(text_prefix(j, 6, 4), 6);
	const char *e = "\xf0\x9f\x98\x80"; /* one wide 4-byte code point */
	CHECK_INT(text_prefix(e, 4, 0), 0);
	CHECK_INT(text_prefix(e, 4, 1), 0);
	CHECK_INT(text_prefix(e, 4, 2), 4);
	CHECK_INT(text_prefix("", 0, 3), 0);
	/* the prefix's width never exceeds the cells asked for */
	for (size_t c = 0; c < 7; c++)
		CHECK(text_width(s, text_prefix(s, 6, c)) <= c);
}

/* ---------------------------------------------------------------- buf */

TEST(buf_basics)
{
	struct buf b = {0};
	CHECK_INT(buf_putc(&b, 'a'), 0);
	CHECK_INT(buf_append(&b, "bc\0d", 4), 0);
	CHECK_INT(b.len, 5);
	CHECK(memcmp(b.data, "abc\0d", 6) == 0); /* NUL-terminated after the data */
	buf_clear(&b);
	CHECK_INT(b.len, 0);
	CHECK_STR(b.data, "");
	/* longer than the 256-byte fast path */
	char big[1000];
	memset(big, 'z', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	CHECK_INT(buf_printf(&b, "<%s>%d", big, 7), 0);
	CHECK_INT(b.len, 1 + 999 + 1 + 1);
	CHECK(b.data[0] == '<' && b.data[1000] == '>' && b.data[1001] == '7' &&
	      b.data[1002] == '\0');
	char *s = buf_steal(&b);
	CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
	CHECK_INT(strlen(s), 1002);
	free(s);
	/* stealing an untouched buffer gives an empty string */
	s = buf_steal(&b);
	CHECK_STR(s, "");
	free(s);
	buf_free(&b);
	CHECK_INT(buf_reserve(&b, (size_t)-1), -ENOMEM);
	CHECK(b.data == NULL);
}

/* The reading esc_text's comment promises (escape.h): a run of k backslashes before an escape
 * body is k/2 backslashes and literal text when k is even, (k-1)/2 and an escape when odd. */
static size_t unescape_text(const char *s, char *out)
{
	size_t o = 0;
	for (size_t i = 0; s[i];) {
		size_t k = 0;
		while (s[i + k] == '\\')
			k++;
		const char *b = s + i + k;
		bool x = k && b[0] == 'x' && isxdigit((unsigned char)b[1]) &&
			 isxdigit((unsigned char)b[2]);
		bool u = k && b[0] == 'u' && b[1] == '{';
		if (!k) {
			out[o++] = s[i++];
			continue;
		}
		if (!(x || u) || k % 2 == 0) {
			for (size_t j = 0; j < (x || u ? k / 2 : k); j++)
				out[o++] = '\\';
			i += k;
			continue;
		}
		for (size_t j = 0; j < k / 2; j++)
			out[o++] = '\\';
		char hex[3] = {b[1], b[2], 0}; /* \xHH: exactly two digits */
		unsigned long v = strtoul(x ? hex : b + 2, NULL, 16);
		if (x) {
			out[o++] = (char)v;
			i += k + 3;
			continue;
		}
		if (v < 0x80) {
			out[o++] = (char)v;
		} else if (v < 0x800) {
			out[o++] = (char)(0xC0 | v >> 6);
			out[o++] = (char)(0x80 | (v & 0x3F));
		} else if (v < 0x10000) {
			out[o++] = (char)(0xE0 | v >> 12);
			out[o++] = (char)(0x80 | ((v >> 6) & 0x3F));
			out[o++] = (char)(0x80 | (v & 0x3F));
		} else {
			out[o++] = (char)(0xF0 | v >> 18);
			out[o++] = (char)(0x80 | ((v >> 12) & 0x3F));
			out[o++] = (char)(0x80 | ((v >> 6) & 0x3F));
			out[o++] = (char)(0x80 | (v & 0x3F));
		}
		i = (size_t)(strchr(b, '}') - s) + 1;
	}
	out[o] = '\0';
	return o;
}

/* Every text reads back exactly from its escaped form: backslashes, escape-like text and bytes
 * that are escaped, in random mixes (a fixed seed: the same cases every run). */
TEST(esc_text_reads_back_exactly)
{
	static const char *const parts[] = {"\\", "\\",	  "x",	  "u",	      "{",
					    "4",  "1",	  "a",	  "F",	      "}",
					    "\n", "\x1b", "\xff", "\xc3\xa9", "\xe2\x80\xae",
					    "C:"};
	uint32_t seed = 22;
	for (int round = 0; round < 20000; round++) {
		char in[128] = "";
		size_t n = 0;
		for (int j = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 12; j >= 0; j--) {
			seed = seed * 1103515245u + 12345u;
			const char *p = parts[(seed >> 16) % (sizeof parts / sizeof parts[0])];
			memcpy(in + n, p, strlen(p));
			n += strlen(p);
		}
		in[n] = '\0';
		char *esc = run(esc_text, in, n, NULL);
		char back[512];
		size_t m = unescape_text(esc, back);
		if (m != n || memcmp(back, in, n) != 0) {
			printf("  \"%s\" does not read back\n", esc);
			CHECK(0);
			free(esc);
			return;
		}
		free(esc);
	}
}
