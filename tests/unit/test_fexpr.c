/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_fexpr.c — ss-style filter expressions: the grammar, its errors, matching and the kernel's
 * port cover. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "../../src/model/fexpr.h"
#include "test.h"

static int svc(const char *name, uint16_t *port)
{
	if (strcmp(name, "ssh") == 0)
		*port = 22;
	else if (strcmp(name, "https") == 0)
		*port = 443;
	else
		return -ENOENT;
	return 0;
}

/* A socket LOCAL -> REMOTE ("127.0.0.1", 22, "0.0.0.0", 0), IPv4 or IPv6 by the text. */
static struct ps_socket sk(const char *la, uint16_t lp, const char *ra, uint16_t rp)
{
	struct ps_socket k;
	memset(&k, 0, sizeof k);
	bool v6 = strchr(la, ':') != NULL;
	k.local.addr.family = k.remote.addr.family = v6 ? PS_INET6 : PS_INET;
	inet_pton(v6 ? AF_INET6 : AF_INET, la, k.local.addr.bytes);
	inet_pton(v6 ? AF_INET6 : AF_INET, ra, k.remote.addr.bytes);
	k.local.port = lp;
	k.remote.port = rp;
	return k;
}

/* Which of the sockets expression `text` selects, as a string of 0 and 1. */
static void selects(const char *text, const struct ps_socket *k, size_t n, char *out)
{
	struct fexpr *e = NULL;
	const char *why = NULL;
	size_t at = 0;
	int rc = fexpr_parse(text, svc, &e, &why, &at);
	if (rc) {
		fprintf(stderr, "  %s: %s at %zu\n", text, why, at);
		strcpy(out, "error");
		return;
	}
	for (size_t i = 0; i < n; i++)
		out[i] = fexpr_match(e, &k[i]) ? '1' : '0';
	out[n] = '\0';
	fexpr_free(e);
}

TEST(fexpr_selects_like_ss)
{
	struct ps_socket k[] = {
	    sk("0.0.0.0", 22, "0.0.0.0", 0),		/* ssh listener */
	    sk("10.1.2.3", 22, "192.168.1.9", 50000),	/* a connection to it */
	    sk("10.1.2.3", 41000, "203.0.113.50", 443), /* a connection out to https */
	    sk("127.0.0.1", 8080, "0.0.0.0", 0),	/* a local web server */
	    sk("::ffff:10.9.9.9", 8090, "::", 0),	/* mapped IPv4 on a v6 socket */
	    sk("::1", 5432, "::1", 60000),		/* IPv6 loopback connection */
	};
	static const struct {
		const char *expr, *want;
	} cases[] = {
	    {"sport = :22", "110000"},
	    {"sport :ssh", "110000"},
	    {"sport eq :22", "110000"},
	    {"dport = :443", "001000"},
	    {"dport = :https", "001000"},
	    {"sport != :22", "001111"},
	    {"dst 203.0.113.50", "001000"},
	    {"dst 203.0.113.0/24:443", "001000"},
	    {"dst 203.0.113.0/24:80", "000000"},
	    {"src 10.0.0.0/8", "011010"},
	    {"src 10.0.0.0/8 and not sport = :22", "001010"},
	    {"src 10.0.0.0/8 !sport = :22", "001010"},
	    {"sport = :22 or sport = :8080", "110100"},
	    {"sport = :22 | dport = :443", "111000"},
	    {"sport = :8080 || src ::1", "000101"},
	    {"( sport >= :8000 and sport <= :8100 ) or dst [::1]", "000111"},
	    {"(sport > :8079)and(sport < :8091)", "000110"},
	    {"sport gt :8079 sport lt :8091", "000110"},
	    {"not ( sport = :22 )", "001111"},
	    {"! ! sport = :22", "110000"},
	    {"dst *", "111111"},
	    {"src [::1]:5432", "000001"},
	    {"src ::1/128", "000001"},
	    {"dport < :1",
	     "100110"}, /* listeners: their remote port is 0's remote port is 0, as in ss */
	    {":8080", "000100"},
	    {"8000-8100", "000110"},
	    {"ssh", "110000"},
	    {"443", "001000"},		/* a bare port: either end */
	    {"0", "000000"},		/* but never a listener's remote port 0 */
	    {"203.0.113.50", "001000"}, /* a bare address: either end */
	    {"10.9.9.9", "000010"},
	    {"sport = :22 and dst 192.168.1.9 or sport = :5432", "010001"},
	    {"sport = :5432 or sport = :22 and dst 192.168.1.9", "010001"},
	    /* the local address's class (public: a wildcard bind too), as top's / takes it */
	    {"exposure public", "100000"},
	    {"exposure loopback", "000101"},
	    {"--exposure private", "011010"},
	    {"--exposure=any-beyond-loopback", "111010"},
	    {"sport = :22 and exposure private", "010000"},
	    {"not exposure loopback and sport > :8000", "001010"},
	    {"exposure nowhere", "error"},
	    {"exposure", "error"},
	};
	size_t n = sizeof k / sizeof k[0];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char got[16];
		selects(cases[i].expr, k, n, got);
		if (strcmp(got, cases[i].want) != 0)
			fprintf(stderr, "  '%s': %s, want %s\n", cases[i].expr, got, cases[i].want);
		CHECK_STR(got, cases[i].want);
	}
}

/* ss's "state NAME" and "exclude NAME"; which expressions only a connection can meet. */
TEST(fexpr_state_and_wants_connections)
{
	struct ps_socket k[] = {
	    sk("0.0.0.0", 22, "0.0.0.0", 0),
	    sk("10.1.2.3", 22, "192.168.1.9", 50000),
	    sk("10.1.2.3", 41000, "203.0.113.50", 443),
	};
	k[0].state = PS_ST_LISTEN;
	k[1].state = PS_ST_ESTABLISHED;
	k[2].state = PS_ST_TIME_WAIT;
	static const struct {
		const char *expr, *want;
	} cases[] = {
	    {"state established", "010"},
	    {"state listening", "100"},
	    {"state established,time-wait", "011"},
	    {"exclude listening", "011"},
	    {"sport = :22 and state established", "010"},
	    {"state connected", "011"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char got[16];
		selects(cases[i].expr, k, 3, got);
		if (strcmp(got, cases[i].want) != 0)
			fprintf(stderr, "  '%s': %s, want %s\n", cases[i].expr, got, cases[i].want);
		CHECK_STR(got, cases[i].want);
	}
	static const struct {
		const char *expr;
		bool conn;
	} wants[] = {
	    {"dport = :6379", true},
	    {"dst 127.0.0.1", true},
	    {"not dst 10.0.0.0/8", true},
	    {"state established", true},
	    {"sport = :22", false},
	    {"src 10.0.0.0/8", false},
	    {"6379", false},
	    {"127.0.0.1", false},
	    {"sport = :22 or dport = :22", true},
	};
	for (size_t i = 0; i < sizeof wants / sizeof wants[0]; i++) {
		struct fexpr *e = NULL;
		const char *why = NULL;
		size_t at = 0;
		CHECK_INT(fexpr_parse(wants[i].expr, svc, &e, &why, &at), 0);
		if (fexpr_wants_connections(e) != wants[i].conn)
			fprintf(stderr, "  '%s': wants connections %d\n", wants[i].expr,
				!wants[i].conn);
		CHECK(fexpr_wants_connections(e) == wants[i].conn);
		fexpr_free(e);
	}
	const char *why = NULL;
	size_t at = 0;
	struct fexpr *e = NULL;
	CHECK_INT(fexpr_parse("state bogus", svc, &e, &why, &at), -EINVAL);
	CHECK(why && strstr(why, "unknown state"));
	CHECK_INT(fexpr_parse("state", svc, &e, &why, &at), -EINVAL);
}

TEST(fexpr_errors_say_why_and_where)
{
	static const struct {
		const char *expr, *why, *at;
	} bad[] = {
	    {"sport = :70000", "0 to 65535", ":70000"},
	    {"sport = :nosuchsvc", "unknown service", ":nosuchsvc"},
	    {"dst 300.1.1.1", "not an address", "300.1.1.1"},
	    {"dst 10.0.0.0/33", "prefix", "10.0.0.0/33"},
	    {"( sport = :22", "expected ')'", ""},
	    {"sport = :22 )", "unmatched ')'", ")"},
	    {"sport = :22 and", "expected a condition", ""},
	    {"dport > :8000-8100", "one port", ":8000-8100"},
	    {"sport = :9-1", "reversed", ":9-1"},
	    {"dst [::1", "']'", "[::1"},
	    {"bogus", "unknown service", "bogus"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct fexpr *e = (struct fexpr *)1;
		const char *why = NULL;
		size_t at = 999;
		CHECK_INT(fexpr_parse(bad[i].expr, svc, &e, &why, &at), -EINVAL);
		CHECK(e == NULL);
		CHECK(why && strstr(why, bad[i].why));
		CHECK(at <= strlen(bad[i].expr) && strcmp(bad[i].expr + at, bad[i].at) == 0);
		if (!why || !strstr(why, bad[i].why) || at > strlen(bad[i].expr))
			fprintf(stderr, "  '%s': %s at %zu\n", bad[i].expr, why, at);
	}
	/* nesting is bounded: a fuzzer's 10000 parentheses are an error, not a crash */
	char deep[10002];
	memset(deep, '(', 10000);
	deep[10000] = '1';
	deep[10001] = '\0';
	struct fexpr *e;
	const char *why = NULL;
	size_t at;
	CHECK_INT(fexpr_parse(deep, svc, &e, &why, &at), -EINVAL);
	CHECK(why && strstr(why, "nested"));
	/* empty: no expression */
	CHECK_INT(fexpr_parse("  ", svc, &e, &why, &at), 0);
	CHECK(e == NULL);
}

TEST(fexpr_port_cover_for_the_kernel)
{
	static const struct {
		const char *expr;
		size_t n;
		uint16_t lo0, hi0;
	} cases[] = {
	    {"sport = :80", 1, 80, 80},
	    {"sport = :80 and dst 10.0.0.0/8", 1, 80, 80},
	    {"dst 10.0.0.0/8 and dport = :443", 1, 443, 443},
	    {"sport = :80 or sport = :443", 2, 80, 80},
	    {"sport = :80 or dst 10.0.0.1", 0, 0, 0}, /* an address alone: any port */
	    {"not sport = :80", 0, 0, 0},
	    {"sport >= :8000", 1, 8000, 65535},
	    {"dst 10.0.0.1:22", 1, 22, 22},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fexpr *e = NULL;
		const char *why;
		size_t at;
		CHECK_INT(fexpr_parse(cases[i].expr, svc, &e, &why, &at), 0);
		struct fexpr_range r[4];
		size_t n = fexpr_port_cover(e, r, 4);
		CHECK_INT(n, cases[i].n);
		if (n && cases[i].n) {
			CHECK_INT(r[0].lo, cases[i].lo0);
			CHECK_INT(r[0].hi, cases[i].hi0);
		}
		fexpr_free(e);
	}
}
