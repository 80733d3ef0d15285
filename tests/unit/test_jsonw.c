/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_jsonw.c — the JSON writer (separators, escaping, sticky errors), the message module and the
 * time formats. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/cli/msg.h"
#include "../../src/output/jsonw.h"
#include "../../src/util/timefmt.h"
#include "test.h"

TEST(jsonw_separators_and_values)
{
	struct jw w;
	jw_init(&w, NULL);
	jw_obj(&w);
	jw_kuint(&w, "a", 1);
	jw_kstr(&w, "b", NULL);
	jw_kstr(&w, "c", "x\"\n\x1b");
	jw_key(&w, "d");
	jw_arr(&w);
	jw_int(&w, -2);
	jw_bool(&w, true);
	jw_obj(&w);
	jw_obj_end(&w);
	jw_arr(&w);
	jw_arr_end(&w);
	jw_double(&w, 0.5);
	jw_arr_end(&w);
	jw_key(&w, "e");
	jw_arr(&w);
	jw_newline_item(&w);
	jw_uint(&w, 1);
	jw_newline_item(&w);
	jw_uint(&w, 2);
	jw_text(&w, "\n", 1);
	jw_arr_end(&w);
	jw_obj_end(&w);
	CHECK_INT(jw_finish(&w), 0);
	CHECK_STR(w.b.data, "{\"a\":1,\"b\":null,\"c\":\"x\\\"\\n\\u001b\",\"d\":[-2,true,{},[],0."
			    "5],\"e\":[\n1,\n2\n]}");
	jw_free(&w);
}

/* A fragment of members (a cached part of an object) starts with its comma. */
TEST(jsonw_members_fragment)
{
	struct jw w;
	jw_init_members(&w);
	jw_kstr(&w, "name", "n");
	CHECK_INT(jw_finish(&w), 0);
	CHECK_STR(w.b.data, ",\"name\":\"n\"");
	jw_free(&w);
}

/* The first write error is kept; everything after it is ignored; the caller checks once. */
TEST(jsonw_sticky_write_error)
{
	FILE *fp = fopen("/dev/full", "w");
	CHECK(fp != NULL);
	if (!fp)
		return;
	setvbuf(fp, NULL, _IONBF, 0);
	struct jw w;
	jw_init(&w, fp);
	jw_arr(&w);
	for (int i = 0; i < 20000; i++) { /* past the flush threshold */
		jw_obj(&w);
		jw_kstr(&w, "k", "some text to fill the buffer");
		jw_obj_end(&w);
	}
	int first = w.err;
	CHECK(first != 0); /* flushing failed on the way */
	jw_kuint(&w, "after", 1);
	jw_arr_end(&w);
	CHECK_INT(jw_finish(&w), first);
	CHECK_INT(first, -ENOSPC);
	jw_free(&w);
	fclose(fp);
}

TEST(jsonw_too_deep)
{
	struct jw w;
	jw_init(&w, NULL);
	for (int i = 0; i < 70; i++)
		jw_arr(&w);
	CHECK_INT(jw_finish(&w), -EINVAL);
	jw_free(&w);
}

/* Diagnostics: one prefix, and no control byte from an untrusted part reaches the terminal. */
TEST(cli_msg_prefix_and_escaping)
{
	fflush(stderr);
	int saved = dup(2);
	FILE *tmp = tmpfile();
	CHECK(saved >= 0 && tmp);
	if (saved < 0 || !tmp)
		return;
	dup2(fileno(tmp), 2);
	cli_msg("cannot read %s", "evil\x1b]0;x\x07\nname");
	cli_err(-ENOENT, "cannot open %s", "f");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	char got[256] = "";
	rewind(tmp);
	size_t n = fread(got, 1, sizeof got - 1, tmp);
	got[n] = '\0';
	fclose(tmp);
	CHECK_STR(got, "portsleuth: cannot read evil\\x1b]0;x\\x07\\x0aname\n"
		       "portsleuth: cannot open f: No such file or directory\n");
}

TEST(time_formats)
{
	char b[40];
	CHECK_STR(time_utc_text(0, false, b, sizeof b), "1970-01-01T00:00:00Z");
	CHECK_STR(time_utc_text(1777627812, true, b, sizeof b), "2026-05-01 09:30:12 UTC");
	CHECK(time_utc_text(-1, false, b, sizeof b) == NULL && b[0] == '\0');
	time_now_utc(b, sizeof b, true);
	CHECK_INT(strlen(b), 24);
	CHECK(b[10] == 'T' && b[19] == '.' && b[23] == 'Z');
	time_now_local(b, sizeof b);
	CHECK_INT(strlen(b), 23);
}
