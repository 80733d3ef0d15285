/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_shquote.c — shell words for advice pasted as root: plain bare, the rest single-quoted
 * or refused. */
#include <errno.h>
#include <stdlib.h>

#include "../../src/util/shquote.h"
#include "test.h"

static char *word(const char *s, bool quote, int *rc)
{
	struct buf b = {0};
	buf_puts(&b, "x ");
	*rc = shq_word(&b, s, quote);
	return buf_steal(&b);
}

TEST(shq_word_quotes_or_refuses)
{
	static const struct {
		const char *in, *out; /* out NULL: refused */
		bool quote;
	} cases[] = {
	    {"ssh.service", "x ssh.service", true},
	    {"user-1000@x:y,z+%=/a", "x user-1000@x:y,z+%=/a", true},
	    {"$(touch /x).service", "x '$(touch /x).service'", true},
	    {"a'b", "x 'a'\\''b'", true},
	    {"'", "x ''\\'''", true},
	    {"a b;c|d&e`f`<g>h*i?j~k!l#m\\n\"o", "x 'a b;c|d&e`f`<g>h*i?j~k!l#m\\n\"o'", true},
	    {"a\nb", NULL, true},
	    {"a\x1b[2Jb", NULL, true},
	    {"a\x7f", NULL, true},
	    {"caf\xc3\xa9", NULL, true},
	    {"-rf.service", NULL, true},
	    {"", NULL, true},
	    {"a b", NULL, false},
	    {"web.service", "x web.service", false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		int rc;
		char *s = word(cases[i].in, cases[i].quote, &rc);
		if (cases[i].out) {
			CHECK_INT(rc, 0);
			CHECK_STR(s, cases[i].out);
		} else {
			CHECK_INT(rc, -EINVAL);
			CHECK_STR(s, "x "); /* unchanged */
		}
		free(s);
	}
}

/* Service names for cmd.exe (double quotes) and PowerShell (single quotes, ' doubled): what each
 * shell would expand or split is quoted or refused (issue 22). */
TEST(shq_word_windows_shells)
{
	static const struct {
		const char *in, *cmd, *pwsh; /* NULL: refused */
	} cases[] = {
	    {"Dnscache", "x Dnscache", "x Dnscache"},
	    {"CDPUserSvc_1a2b3", "x CDPUserSvc_1a2b3", "x CDPUserSvc_1a2b3"},
	    {"MSSQL$SQLEXPRESS", "x MSSQL$SQLEXPRESS", "x 'MSSQL$SQLEXPRESS'"},
	    {"Contoso Update", "x \"Contoso Update\"", "x 'Contoso Update'"},
	    {"a&b|c", "x \"a&b|c\"", "x 'a&b|c'"},
	    {"o'neil", "x \"o'neil\"", "x 'o''neil'"},
	    {"a`b", "x \"a`b\"", "x 'a`b'"},
	    {"%PATH%", NULL, "x '%PATH%'"},
	    {"a\"b", NULL, "x 'a\"b'"},
	    {"a!b", NULL, "x 'a!b'"},
	    {"-x", NULL, NULL},
	    {"", NULL, NULL},
	    {"a\nb", NULL, NULL},
	    {"caf\xc3\xa9", NULL, NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		for (int sh = 0; sh < 2; sh++) {
			struct buf b = {0};
			CHECK_INT(buf_puts(&b, "x "), 0);
			int rc =
			    sh ? shq_word_pwsh(&b, cases[i].in) : shq_word_cmd(&b, cases[i].in);
			const char *want = sh ? cases[i].pwsh : cases[i].cmd;
			CHECK_INT(rc, want ? 0 : -EINVAL);
			CHECK_STR(b.data, want ? want : "x ");
			buf_free(&b);
		}
	}
}
