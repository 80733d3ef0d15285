/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_services.c — /etc/services parsing and port lookups. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../src/core/regload.h"
#include "../../src/model/model.h"
#include "test.h"
#include "testutil.h"

static int parse(struct services *s, const char *text)
{
	size_t n = strlen(text);
	char *in = tu_exact(text, n);
	int rc = services_parse(s, in, n);
	free(in);
	return rc;
}

#define NAME(s, port, proto, want)                                                                 \
	do {                                                                                       \
		const struct service_entry *e_ = services_find(s, port, proto);                    \
		const char *got_ = e_ ? e_->name : NULL;                                           \
		if ((want) == NULL)                                                                \
			CHECK(got_ == NULL);                                                       \
		else                                                                               \
			CHECK_STR(got_, want);                                                     \
	} while (0)

/* clang-format off */
static const char SAMPLE[] =
	"# Network services, Internet style\n"			       /*  1 */
	"\n"							       /*  2 */
	"tcpmux\t\t1/tcp\t\t\t\t# TCP port service multiplexer\n"      /*  3 */
	"echo\t\t7/tcp\n"					       /*  4 */
	"echo\t\t7/udp\n"					       /*  5 */
	"ssh\t\t22/tcp\t\t\t\t# SSH Remote Login Protocol\n"	       /*  6 */
	"http\t\t80/tcp\t\twww\t\t# WorldWideWeb HTTP\n"	       /*  7 */
	"sctp-thing\t9/sctp\n"					       /*  8 */
	"bad line here\n"					       /*  9: malformed */
	"domain\t\t53/tcp\n"					       /* 10 */
	"domain\t\t53/udp\n"					       /* 11 */
	"nodigits\t/tcp\n"					       /* 12: malformed */
	"https\t\t443/tcp\n"					       /* 13 */
	"www-alt\t\t80/tcp\t\t# a duplicate: http came first\n"      /* 14 */
	"toobig\t\t70000/tcp\n"					       /* 15: malformed */
	"noslash\t\t25\n"					       /* 16: malformed */
	"emptyproto\t25/\n"					       /* 17: malformed */
	"   \t \n"						       /* 18 */
	"kerberos\t88/tcp\t\tkerberos5 krb5 kerberos-sec\t# Kerberos v5\n" /* 19 */
	"kerberos\t88/udp\t\tkerberos5 krb5 kerberos-sec\n"	       /* 20 */
	"  # indented comment 99/tcp\n"				       /* 21 */
	"ddp-thing\t4/ddp\n"					       /* 22 */
	"max\t\t65535/udp";					       /* 23, no newline */
/* clang-format on */

TEST(services_parse_sample)
{
	struct services s;
	memset(&s, 0, sizeof s);
	CHECK_INT(parse(&s, SAMPLE), 0);
	/* tcpmux echo echo ssh http domain domain https www-alt kerberos kerberos max */
	CHECK_INT(s.n, 12);
	CHECK_INT(s.malformed, 5);
	CHECK_INT(s.first_bad_line, 9);
	NAME(&s, 1, PS_TCP, "tcpmux");
	NAME(&s, 1, PS_UDP, NULL);
	NAME(&s, 7, PS_TCP, "echo");
	NAME(&s, 7, PS_UDP, "echo");
	NAME(&s, 22, PS_TCP, "ssh");
	NAME(&s, 22, PS_UDP, NULL);
	NAME(&s, 80, PS_TCP, "http"); /* the first entry wins, not www-alt, not the alias */
	NAME(&s, 80, PS_UDP, NULL);
	NAME(&s, 53, PS_TCP, "domain");
	NAME(&s, 53, PS_UDP, "domain");
	NAME(&s, 443, PS_TCP, "https");
	NAME(&s, 88, PS_TCP, "kerberos");
	NAME(&s, 88, PS_UDP, "kerberos");
	NAME(&s, 65535, PS_UDP, "max");
	NAME(&s, 65535, PS_TCP, NULL);
	/* sctp and ddp lines are valid but ignored */
	NAME(&s, 9, PS_TCP, NULL);
	NAME(&s, 9, PS_UDP, NULL);
	NAME(&s, 4, PS_TCP, NULL);
	/* malformed lines added nothing */
	NAME(&s, 25, PS_TCP, NULL);
	NAME(&s, 70000 & 0xffff, PS_TCP, NULL); /* 70000 must not wrap to 4464 */
	NAME(&s, 99, PS_TCP, NULL);
	NAME(&s, 0, PS_TCP, NULL);
	NAME(&s, 8080, PS_TCP, NULL);
	/* the comment is kept as the description */
	const struct service_entry *e = services_find(&s, 80, PS_TCP);
	CHECK(e != NULL);
	if (e) {
		CHECK_STR(e->name, "http");
		CHECK_STR(e->desc, "WorldWideWeb HTTP");
	}
	e = services_find(&s, 22, PS_TCP);
	CHECK(e && e->desc && strcmp(e->desc, "SSH Remote Login Protocol") == 0);
	e = services_find(&s, 7, PS_TCP);
	CHECK(e && e->desc == NULL);
	CHECK(services_find(&s, 9, PS_TCP) == NULL);
	/* the table is sorted by (port, proto) */
	for (size_t i = 1; i < s.n; i++)
		CHECK(s.e[i - 1].port < s.e[i].port ||
		      (s.e[i - 1].port == s.e[i].port && s.e[i - 1].proto <= s.e[i].proto));
	services_free(&s);
	CHECK(s.e == NULL && s.n == 0 && s.malformed == 0);
}

TEST(services_first_wins_when_unsorted)
{
	struct services s;
	memset(&s, 0, sizeof s);
	CHECK_INT(parse(&s,
			"zeta 100/tcp\nalpha 50/tcp\nbeta 100/tcp\ngamma 100/udp\ndelta 100/tcp\n"
			"eps 50/tcp\n"),
		  0);
	CHECK_INT(s.n, 6);
	NAME(&s, 100, PS_TCP, "zeta");
	NAME(&s, 100, PS_UDP, "gamma");
	NAME(&s, 50, PS_TCP, "alpha");
	CHECK_INT(s.malformed, 0);
	CHECK_INT(s.first_bad_line, 0);
	services_free(&s);
}

TEST(services_many_duplicates)
{
	/* a thousand entries for the same port, in reverse order of names */
	struct services s;
	memset(&s, 0, sizeof s);
	char *text = malloc(1000 * 32);
	size_t at = 0;
	for (int i = 999; i >= 0; i--)
		at += (size_t)sprintf(text + at, "n%03d %d/tcp\n", i, i % 3 == 0 ? 7000 : 6000 + i);
	CHECK_INT(services_parse(&s, text, at), 0);
	free(text);
	CHECK_INT(s.n, 1000);
	NAME(&s, 7000, PS_TCP, "n999"); /* the first line for 7000 */
	NAME(&s, 6001, PS_TCP, "n001");
	NAME(&s, 6998, PS_TCP, "n998");
	NAME(&s, 6999, PS_TCP, NULL); /* 999 % 3 == 0: went to 7000 */
	services_free(&s);
}

TEST(services_line_edge_cases)
{
	struct services s;
	memset(&s, 0, sizeof s);
	static const char text[] = "web 8080/tcp#no space before the comment\n"
				   "dos 8081/tcp\r\n"
				   "#x 8082/tcp\n"
				   "lead\t  8083/udp   alias1\talias2  \n"
				   "zero 0/tcp\n"
				   "big 65536/tcp\n"
				   "huge 99999999999999999999/tcp\n"
				   "neg -1/tcp\n"
				   "alone\n"
				   "8084/tcp\n"
				   "sp 8085 /tcp\n"
				   "two 8086/tcp/udp\n"
				   "three 8087/sctp/udp/tcp\n"
				   "trail 8088/tcp/\n"
				   "inner 8089//tcp\n";
	CHECK_INT(parse(&s, text), 0);
	NAME(&s, 8080, PS_TCP, "web");
	NAME(&s, 8081, PS_TCP, "dos"); /* CR is whitespace */
	NAME(&s, 8082, PS_TCP, NULL);
	NAME(&s, 8083, PS_UDP, "lead");
	NAME(&s, 0, PS_TCP, "zero");
	NAME(&s, 0, PS_UDP, NULL);
	NAME(&s, 8085, PS_TCP, NULL);
	/* a protocol list, as in Wireshark's copy of the IANA registry */
	NAME(&s, 8086, PS_TCP, "two");
	NAME(&s, 8086, PS_UDP, "two");
	NAME(&s, 8087, PS_TCP, "three");
	NAME(&s, 8087, PS_UDP, "three");
	NAME(&s, 8088, PS_TCP, NULL);
	NAME(&s, 8089, PS_TCP, NULL);
	/* big huge neg alone 8084/tcp sp trail inner */
	CHECK_INT(s.malformed, 8);
	CHECK_INT(s.first_bad_line, 6);
	CHECK_INT(s.n, 8); /* web dos lead zero two two three three */
	services_free(&s);
}

TEST(services_empty_and_lookup_on_empty)
{
	struct services s;
	memset(&s, 0, sizeof s);
	NAME(&s, 22, PS_TCP, NULL); /* never parsed */
	CHECK_INT(services_parse(&s, "", 0), 0);
	CHECK_INT(s.n, 0);
	NAME(&s, 22, PS_TCP, NULL);
	CHECK_INT(parse(&s, "# only comments\n\n\n"), 0);
	CHECK_INT(s.n, 0);
	CHECK_INT(s.malformed, 0);
	services_free(&s);
	/* all malformed */
	CHECK_INT(parse(&s, "\n\nx\ny\n"), 0);
	CHECK_INT(s.malformed, 2);
	CHECK_INT(s.first_bad_line, 3);
	services_free(&s);
}

TEST(services_load_file)
{
	char path[] = "/tmp/ps-unit-services-XXXXXX";
	int fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	FILE *fp = fdopen(fd, "w");
	fputs(SAMPLE, fp);
	fclose(fp);
	struct services s;
	memset(&s, 0, sizeof s);
	CHECK_INT(services_load(&s, path, NULL), 0);
	CHECK_INT(s.n, 12);
	NAME(&s, 22, PS_TCP, "ssh");
	services_free(&s);
	unlink(path);
	CHECK_INT(services_load(&s, path, NULL), -ENOENT);
	CHECK_INT(s.n, 0);
	NAME(&s, 22, PS_TCP, NULL);
	services_free(&s);
}

/* A file without end (--services /dev/zero) is refused at a bound, never read into memory
 * until it runs out. */
TEST(services_load_endless_file)
{
	struct services s;
	memset(&s, 0, sizeof s);
	CHECK_INT(services_load(&s, "/dev/zero", NULL), -EFBIG);
	CHECK_INT(s.n, 0);
	services_free(&s);
}
