/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_filter.c — port/state/pid argument parsing and socket/owner matching. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/model/filter.h"
#include "test.h"
#include "testutil.h"

#define TCP_BIT (1u << PS_TCP)
#define UDP_BIT (1u << PS_UDP)
#define ST(s) (1u << (s))

/* ---------------------------------------------------------------- filter_parse_port */

static int port(const char *s, struct ps_portspec *p, const char **why)
{
	memset(p, 0x5A, sizeof *p);
	*why = NULL;
	return filter_parse_port(s, p, why);
}

#define PORT_OK(s, wlo, whi, wprotos)                                                              \
	do {                                                                                       \
		struct ps_portspec p_;                                                             \
		const char *why_;                                                                  \
		CHECK_INT(port(s, &p_, &why_), 0);                                                 \
		CHECK_INT(p_.lo, wlo);                                                             \
		CHECK_INT(p_.hi, whi);                                                             \
		CHECK_INT(p_.protos, wprotos);                                                     \
	} while (0)

/* whether the reason mentions `want` (NULL: any reason will do) */
static bool why_has(const char *why, const char *want)
{
	return why && (!want || strstr(why, want));
}

#define PORT_BAD(s, wwhy)                                                                          \
	do {                                                                                       \
		struct ps_portspec p_;                                                             \
		const char *why_;                                                                  \
		CHECK_INT(port(s, &p_, &why_), -EINVAL);                                           \
		CHECK(why_ != NULL);                                                               \
		CHECK(why_has(why_, wwhy));                                                        \
	} while (0)

TEST(filter_parse_port_valid)
{
	PORT_OK("5000", 5000, 5000, TCP_BIT | UDP_BIT);
	PORT_OK("5000/udp", 5000, 5000, UDP_BIT);
	PORT_OK("5000/tcp", 5000, 5000, TCP_BIT);
	PORT_OK("5000/UDP", 5000, 5000, UDP_BIT);
	PORT_OK("8000-8100", 8000, 8100, TCP_BIT | UDP_BIT);
	PORT_OK("8000-8100/TCP", 8000, 8100, TCP_BIT);
	PORT_OK("8000-8000", 8000, 8000, TCP_BIT | UDP_BIT);
	PORT_OK("0", 0, 0, TCP_BIT | UDP_BIT);
	PORT_OK("65535", 65535, 65535, TCP_BIT | UDP_BIT);
	PORT_OK("1-65535/udp", 1, 65535, UDP_BIT);
	PORT_OK("0080", 80, 80, TCP_BIT | UDP_BIT);
}

TEST(filter_parse_port_invalid)
{
	PORT_BAD("", "expected PORT");
	PORT_BAD("70000", "between 0 and 65535");
	PORT_BAD("65536", "between 0 and 65535");
	PORT_BAD("1-70000", "between 0 and 65535");
	PORT_BAD("5-3", "reversed");
	PORT_BAD("abc", "expected PORT");
	PORT_BAD("5000/sctp", "tcp or udp");
	PORT_BAD("5000/", "tcp or udp");
	PORT_BAD("5000/tcp/udp", "tcp or udp");
	PORT_BAD("-5", "expected PORT");
	PORT_BAD("5000-", "expected PORT");
	PORT_BAD("-", "expected PORT");
	PORT_BAD(" 5000", "expected PORT");
	PORT_BAD("5000 ", "expected PORT");
	PORT_BAD("+5000", "expected PORT");
	PORT_BAD("50a0", "expected PORT");
	PORT_BAD("0x50", "expected PORT");
	PORT_BAD("1-2-3", NULL);
	PORT_BAD("/tcp", "expected PORT");
	PORT_BAD("99999999999999999999", NULL); /* must not wrap to a small port */
	PORT_BAD("4294972296", NULL);		/* 2^32 + 5000 */
	PORT_BAD("18446744073709556616", NULL); /* 2^64 + 5000 */
}

/* ---------------------------------------------------------------- filter_parse_states */

#define STATES_OK(s, wtcp, wudp)                                                                   \
	do {                                                                                       \
		uint32_t st_[PS_PROTO_COUNT] = {0xdead, 0xbeef};                                   \
		const char *why_ = NULL;                                                           \
		CHECK_INT(filter_parse_states(s, st_, &why_), 0);                                  \
		CHECK_INT(st_[PS_TCP], wtcp);                                                      \
		CHECK_INT(st_[PS_UDP], wudp);                                                      \
	} while (0)

#define STATES_BAD(s)                                                                              \
	do {                                                                                       \
		uint32_t st_[PS_PROTO_COUNT];                                                      \
		const char *why_ = NULL;                                                           \
		CHECK_INT(filter_parse_states(s, st_, &why_), -EINVAL);                            \
		CHECK(why_ != NULL && strstr(why_, "unknown state"));                              \
	} while (0)

TEST(filter_parse_states_names)
{
	STATES_OK("listen", ST(PS_ST_LISTEN), ST(PS_ST_CLOSE));
	STATES_OK("listening", ST(PS_ST_LISTEN), ST(PS_ST_CLOSE));
	STATES_OK("LISTEN", ST(PS_ST_LISTEN), ST(PS_ST_CLOSE));
	STATES_OK("established", ST(PS_ST_ESTABLISHED), ST(PS_ST_ESTABLISHED));
	STATES_OK("estab", ST(PS_ST_ESTABLISHED), ST(PS_ST_ESTABLISHED));
	STATES_OK("syn-sent", ST(PS_ST_SYN_SENT), 0);
	STATES_OK("syn-recv", ST(PS_ST_SYN_RECV) | ST(PS_ST_NEW_SYN_RECV), 0);
	STATES_OK("fin-wait-1", ST(PS_ST_FIN_WAIT1), 0);
	STATES_OK("fin-wait-2", ST(PS_ST_FIN_WAIT2), 0);
	STATES_OK("time-wait", ST(PS_ST_TIME_WAIT), 0);
	STATES_OK("close", ST(PS_ST_CLOSE), 0);
	STATES_OK("closed", ST(PS_ST_CLOSE), 0);
	STATES_OK("unconn", 0, ST(PS_ST_CLOSE));
	STATES_OK("close-wait", ST(PS_ST_CLOSE_WAIT), 0);
	STATES_OK("last-ack", ST(PS_ST_LAST_ACK), 0);
	STATES_OK("closing", ST(PS_ST_CLOSING), 0);
	STATES_OK("bound", ST(PS_ST_BOUND), 0); /* Windows' netstat -q */
	STATES_OK("all", PS_STATES_ALL, PS_STATES_ALL);
	/* a bound socket is not connected */
	STATES_OK("connected",
		  PS_STATES_ALL & ~(ST(PS_ST_LISTEN) | ST(PS_ST_CLOSE) | ST(PS_ST_BOUND)),
		  ST(PS_ST_ESTABLISHED));
	/* the "all" mask is every state 1..BOUND, not bit 0 */
	CHECK_INT(PS_STATES_ALL, 0x3ffe);
}

TEST(filter_parse_states_lists)
{
	STATES_OK("established,time-wait", ST(PS_ST_ESTABLISHED) | ST(PS_ST_TIME_WAIT),
		  ST(PS_ST_ESTABLISHED));
	STATES_OK("listen,unconn", ST(PS_ST_LISTEN), ST(PS_ST_CLOSE));
	STATES_OK("syn-sent,Fin-Wait-1,CLOSING",
		  ST(PS_ST_SYN_SENT) | ST(PS_ST_FIN_WAIT1) | ST(PS_ST_CLOSING), 0);
	STATES_OK("listen,listen", ST(PS_ST_LISTEN), ST(PS_ST_CLOSE));
}

TEST(filter_parse_states_unknown)
{
	STATES_BAD("");
	STATES_BAD("bogus");
	STATES_BAD("listen,bogus");
	STATES_BAD("listen,");
	STATES_BAD(",listen");
	STATES_BAD("listen,,estab");
	STATES_BAD("listenx");
	STATES_BAD("liste");
	STATES_BAD(" listen");
	STATES_BAD("time_wait");
}

/* ---------------------------------------------------------------- filter_parse_pids */

TEST(filter_parse_pids_lists)
{
	int *pids = NULL;
	size_t n = 0;
	const char *why = NULL;
	CHECK_INT(filter_parse_pids("712,1033", &pids, &n, &why), 0);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_INT(pids[0], 712);
		CHECK_INT(pids[1], 1033);
	}
	/* appends to what is there */
	CHECK_INT(filter_parse_pids("1", &pids, &n, &why), 0);
	CHECK_INT(n, 3);
	if (n == 3)
		CHECK_INT(pids[2], 1);
	CHECK_INT(filter_parse_pids("2147483647", &pids, &n, &why), 0);
	CHECK_INT(n, 4);
	if (n == 4)
		CHECK_INT(pids[3], 2147483647);
	free(pids);
}

TEST(filter_parse_pids_invalid)
{
	static const char *const bad[] = {"",	 "0",	"-1", "abc",	    "1,,2",	   "1,",
					  ",1",	 " 1",	"1 ", "2147483648", "99999999999", "12a",
					  "1;2", "0x10"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		int *pids = NULL;
		size_t n = 0;
		const char *why = NULL;
		int rc = filter_parse_pids(bad[i], &pids, &n, &why);
		if (rc != -EINVAL || !why) {
			char m[96];
			snprintf(m, sizeof m, "pids \"%s\" gave %d", bad[i], rc);
			test_fail(__FILE__, __LINE__, m);
		}
		/* whatever was parsed before the bad word is still owned by the caller */
		for (size_t k = 0; k < n; k++)
			CHECK(pids[k] > 0);
		free(pids);
	}
}

/* ---------------------------------------------------------------- filter_match_socket */

static struct ps_socket sock(unsigned proto, unsigned family, unsigned state, uint16_t lport,
			     uint16_t rport)
{
	struct ps_socket k;
	memset(&k, 0, sizeof k);
	k.proto = (uint8_t)proto;
	k.state = (uint8_t)state;
	k.local.addr.family = k.remote.addr.family = (uint8_t)family;
	k.local.port = lport;
	k.remote.port = rport;
	return k;
}

TEST(filter_match_socket_default_view)
{
	struct ps_filter f;
	filter_init(&f);
	struct ps_socket tl = sock(PS_TCP, PS_INET, PS_ST_LISTEN, 22, 0);
	struct ps_socket tl6 = sock(PS_TCP, PS_INET6, PS_ST_LISTEN, 22, 0);
	struct ps_socket te = sock(PS_TCP, PS_INET, PS_ST_ESTABLISHED, 22, 50000);
	struct ps_socket tc = sock(PS_TCP, PS_INET, PS_ST_CLOSE, 22, 0);
	struct ps_socket uu = sock(PS_UDP, PS_INET, PS_ST_CLOSE, 53, 0);
	struct ps_socket ue = sock(PS_UDP, PS_INET6, PS_ST_ESTABLISHED, 40000, 53);
	CHECK(filter_match_socket(&f, &tl));
	CHECK(filter_match_socket(&f, &tl6));
	CHECK(!filter_match_socket(&f, &te));
	CHECK(!filter_match_socket(&f, &tc)); /* TCP CLOSE is not "listening" */
	CHECK(filter_match_socket(&f, &uu));
	CHECK(!filter_match_socket(&f, &ue));
	filter_all_states(&f);
	CHECK(filter_match_socket(&f, &te));
	CHECK(filter_match_socket(&f, &ue));
	CHECK(filter_match_socket(&f, &tc));
	/* state 0 is no kernel state: never matches, even with all states */
	struct ps_socket z = sock(PS_TCP, PS_INET, 0, 22, 0);
	CHECK(!filter_match_socket(&f, &z));
	filter_free(&f);
}

TEST(filter_match_socket_proto_family)
{
	struct ps_filter f;
	filter_init(&f);
	filter_all_states(&f);
	struct ps_socket t4 = sock(PS_TCP, PS_INET, PS_ST_LISTEN, 80, 0);
	struct ps_socket t6 = sock(PS_TCP, PS_INET6, PS_ST_LISTEN, 80, 0);
	struct ps_socket u4 = sock(PS_UDP, PS_INET, PS_ST_CLOSE, 80, 0);
	struct ps_socket u6 = sock(PS_UDP, PS_INET6, PS_ST_CLOSE, 80, 0);
	f.protos = TCP_BIT;
	CHECK(filter_match_socket(&f, &t4) && filter_match_socket(&f, &t6));
	CHECK(!filter_match_socket(&f, &u4) && !filter_match_socket(&f, &u6));
	f.protos = UDP_BIT;
	CHECK(!filter_match_socket(&f, &t4) && filter_match_socket(&f, &u4));
	f.protos = TCP_BIT | UDP_BIT;
	f.families = PS_FAM_BIT(PS_INET);
	CHECK(filter_match_socket(&f, &t4) && filter_match_socket(&f, &u4));
	CHECK(!filter_match_socket(&f, &t6) && !filter_match_socket(&f, &u6));
	f.families = PS_FAM_BIT(PS_INET6);
	CHECK(!filter_match_socket(&f, &t4) && filter_match_socket(&f, &t6));
	filter_free(&f);
}

TEST(filter_match_socket_states_per_proto)
{
	struct ps_filter f;
	filter_init(&f);
	const char *why;
	CHECK_INT(filter_parse_states("time-wait", f.states, &why), 0);
	struct ps_socket tw = sock(PS_TCP, PS_INET, PS_ST_TIME_WAIT, 80, 5555);
	struct ps_socket tl = sock(PS_TCP, PS_INET, PS_ST_LISTEN, 80, 0);
	struct ps_socket uc = sock(PS_UDP, PS_INET, PS_ST_CLOSE, 80, 0);
	CHECK(filter_match_socket(&f, &tw));
	CHECK(!filter_match_socket(&f, &tl));
	CHECK(!filter_match_socket(&f, &uc)); /* no UDP state selected */
	CHECK_INT(filter_parse_states("unconn", f.states, &why), 0);
	CHECK(filter_match_socket(&f, &uc));
	CHECK(!filter_match_socket(&f, &tw));
	filter_free(&f);
}

TEST(filter_match_socket_ports_local_or_remote)
{
	struct ps_filter f;
	filter_init(&f);
	filter_all_states(&f);
	struct ps_portspec p;
	const char *why;
	CHECK_INT(filter_parse_port("8000-8100/tcp", &p, &why), 0);
	CHECK_INT(filter_add_port(&f, &p), 0);

	struct ps_socket in_lo = sock(PS_TCP, PS_INET, PS_ST_LISTEN, 8000, 0);
	struct ps_socket in_hi = sock(PS_TCP, PS_INET, PS_ST_LISTEN, 8100, 0);
	struct ps_socket below = sock(PS_TCP, PS_INET, PS_ST_LISTEN, 7999, 0);
	struct ps_socket above = sock(PS_TCP, PS_INET, PS_ST_LISTEN, 8101, 0);
	struct ps_socket remote = sock(PS_TCP, PS_INET6, PS_ST_ESTABLISHED, 41000, 8080);
	struct ps_socket remote_out = sock(PS_TCP, PS_INET6, PS_ST_ESTABLISHED, 41000, 8101);
	struct ps_socket udp_in = sock(PS_UDP, PS_INET, PS_ST_CLOSE, 8050, 0);
	CHECK(filter_match_socket(&f, &in_lo));
	CHECK(filter_match_socket(&f, &in_hi));
	CHECK(!filter_match_socket(&f, &below));
	CHECK(!filter_match_socket(&f, &above));
	CHECK(filter_match_socket(&f, &remote));
	CHECK(!filter_match_socket(&f, &remote_out));
	CHECK(!filter_match_socket(&f, &udp_in)); /* the range is /tcp */

	/* a second spec widens the match (any of them) */
	CHECK_INT(filter_parse_port("53/udp", &p, &why), 0);
	CHECK_INT(filter_add_port(&f, &p), 0);
	struct ps_socket dns = sock(PS_UDP, PS_INET, PS_ST_CLOSE, 53, 0);
	struct ps_socket dns_client = sock(PS_UDP, PS_INET, PS_ST_ESTABLISHED, 39999, 53);
	struct ps_socket dns_tcp = sock(PS_TCP, PS_INET, PS_ST_LISTEN, 53, 0);
	CHECK(filter_match_socket(&f, &dns));
	CHECK(filter_match_socket(&f, &dns_client));
	CHECK(!filter_match_socket(&f, &dns_tcp));
	CHECK(!filter_match_socket(&f, &udp_in));
	filter_free(&f);
}

TEST(filter_match_socket_remote_port_zero_is_no_port)
{
	struct ps_filter f;
	filter_init(&f);
	filter_all_states(&f);
	struct ps_portspec p;
	const char *why;
	CHECK_INT(filter_parse_port("0-10", &p, &why), 0);
	CHECK_INT(filter_add_port(&f, &p), 0);
	/* a listener has remote port 0, which means "none", not port 0 */
	struct ps_socket l = sock(PS_TCP, PS_INET, PS_ST_LISTEN, 5000, 0);
	struct ps_socket seven = sock(PS_TCP, PS_INET, PS_ST_LISTEN, 7, 0);
	struct ps_socket r = sock(PS_TCP, PS_INET, PS_ST_ESTABLISHED, 5000, 9);
	CHECK(!filter_match_socket(&f, &l));
	CHECK(filter_match_socket(&f, &seven));
	CHECK(filter_match_socket(&f, &r));
	filter_free(&f);
}

/* ---------------------------------------------------------------- filter_match_owners */

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

/*
 * procs: 0 = nginx (pid 100, uid 33, /usr/sbin/nginx), 1 = python3 (pid 200,
 * uid 1000, /usr/bin/python3.11), 2 = unnamed (pid 300, no uid, no exe).
 * sockets: 0 held by 100 and 200 (uid 0); 1 held by 300 (uid 5); 2 no owner (uid 0).
 */
static void owner_snap(struct ps_snapshot *s)
{
	memset(s, 0, sizeof *s);
	for (int i = 0; i < 3; i++)
		CHECK(snap_add_socket(s) != NULL);
	s->socks[1].uid = 5;
	long a = snap_add_proc(s, 100), b = snap_add_proc(s, 200), c = snap_add_proc(s, 300);
	CHECK(a == 0 && b == 1 && c == 2);
	s->procs[0].name = xstrdup("nginx");
	s->procs[0].exe = xstrdup("/usr/sbin/nginx");
	s->procs[0].uid = 33;
	s->procs[0].have_uid = true;
	s->procs[1].name = xstrdup("python3");
	s->procs[1].exe = xstrdup("/usr/bin/python3.11");
	s->procs[1].uid = 1000;
	s->procs[1].have_uid = true;
	s->procs[2].uid = 0; /* unknown: have_uid stays false */
	CHECK_INT(snap_add_owner(s, 0, 1, 4), 0);
	CHECK_INT(snap_add_owner(s, 1, 2, 3), 0);
	CHECK_INT(snap_add_owner(s, 0, 0, 6), 0);
	snap_group_owners(s);
}

TEST(filter_match_owners_pid)
{
	struct ps_snapshot s;
	owner_snap(&s);
	struct ps_filter f;
	filter_init(&f);
	CHECK(!filter_needs_owners(&f));
	CHECK(filter_match_owners(&f, &s, &s.socks[0]));
	CHECK(filter_match_owners(&f, &s, &s.socks[2])); /* nothing asked: everything */
	const char *why;
	CHECK_INT(filter_parse_pids("200", &f.pids, &f.npids, &why), 0);
	CHECK(filter_needs_owners(&f));
	CHECK(filter_match_owners(&f, &s, &s.socks[0]));
	CHECK(!filter_match_owners(&f, &s, &s.socks[1]));
	CHECK(!filter_match_owners(&f, &s, &s.socks[2]));
	CHECK_INT(filter_parse_pids("999,300", &f.pids, &f.npids, &why), 0);
	CHECK(filter_match_owners(&f, &s, &s.socks[1]));
	filter_free(&f);
	snap_free(&s);
}

TEST(filter_match_owners_command_prefix)
{
	struct ps_snapshot s;
	owner_snap(&s);
	struct ps_filter f;
	static const struct {
		const char *cmd;
		bool s0, s1;
	} cases[] = {
	    {"nginx", true, false},
	    {"ngi", true, false},	/* prefix of the name */
	    {"nginx:", false, false},	/* longer than the name */
	    {"python3.1", true, false}, /* prefix of exe basename python3.11 only */
	    {"python3.11", true, false},
	    {"python3.12", false, false},
	    {"usr", false, false}, /* directories do not count */
	    {"/usr/bin/python3.11", false, false},
	    {"sbin", false, false},
	    {"NGINX", false, false}, /* case matters */
	    {"", true, false},	     /* empty prefix: any named owner */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		filter_init(&f);
		CHECK_INT(filter_add_command(&f, cases[i].cmd), 0);
		bool m0 = filter_match_owners(&f, &s, &s.socks[0]);
		bool m1 = filter_match_owners(&f, &s, &s.socks[1]);
		bool m2 = filter_match_owners(&f, &s, &s.socks[2]);
		if (m0 != cases[i].s0 || m1 != cases[i].s1 || m2) {
			char m[128];
			snprintf(m, sizeof m, "command \"%s\": %d %d %d", cases[i].cmd, m0, m1, m2);
			test_fail(__FILE__, __LINE__, m);
		}
		filter_free(&f);
	}
	/* several commands: any of them */
	filter_init(&f);
	CHECK_INT(filter_add_command(&f, "zzz"), 0);
	CHECK_INT(filter_add_command(&f, "pyth"), 0);
	CHECK(filter_match_owners(&f, &s, &s.socks[0]));
	filter_free(&f);
	snap_free(&s);
}

TEST(filter_match_owners_uid)
{
	struct ps_snapshot s;
	owner_snap(&s);
	struct ps_filter f;
	filter_init(&f);
	CHECK_INT(filter_add_uid(&f, 1000), 0);
	CHECK(filter_match_owners(&f, &s, &s.socks[0])); /* the python3 owner */
	CHECK(!filter_match_owners(&f, &s, &s.socks[1]));
	CHECK(!filter_match_owners(&f, &s, &s.socks[2]));
	filter_free(&f);

	filter_init(&f);
	CHECK_INT(filter_add_uid(&f, 0), 0);
	CHECK(filter_match_owners(&f, &s, &s.socks[0])); /* socket uid 0 */
	CHECK(filter_match_owners(&f, &s, &s.socks[2])); /* socket uid 0, no owner */
	/* socket uid 5, owner uid unknown (0 in the struct, but have_uid false) */
	CHECK(!filter_match_owners(&f, &s, &s.socks[1]));
	filter_free(&f);

	filter_init(&f);
	CHECK_INT(filter_add_uid(&f, 5), 0);
	CHECK(filter_match_owners(&f, &s, &s.socks[1]));
	CHECK_INT(filter_add_uid(&f, 33), 0);
	CHECK(filter_match_owners(&f, &s, &s.socks[0]));
	filter_free(&f);

	/* all parts must hold: uid 33 (nginx) and pid 200 (python3) on socket 0 */
	filter_init(&f);
	CHECK_INT(filter_add_uid(&f, 33), 0);
	const char *why;
	CHECK_INT(filter_parse_pids("200", &f.pids, &f.npids, &why), 0);
	CHECK(filter_match_owners(&f, &s, &s.socks[0]));
	CHECK(!filter_match_owners(&f, &s, &s.socks[1]));
	CHECK_INT(filter_add_command(&f, "sshd"), 0);
	CHECK(!filter_match_owners(&f, &s, &s.socks[0]));
	filter_free(&f);
	snap_free(&s);
}

/* ---------------------------------------------------------------- filter_dump_protos */

TEST(filter_dump_protos_narrowing)
{
	struct ps_filter f;
	struct ps_portspec p;
	const char *why;
	filter_init(&f);
	CHECK_INT(filter_dump_protos(&f), TCP_BIT | UDP_BIT);
	f.protos = TCP_BIT;
	CHECK_INT(filter_dump_protos(&f), TCP_BIT);
	filter_free(&f);

	filter_init(&f);
	CHECK_INT(filter_parse_port("5000/udp", &p, &why), 0);
	CHECK_INT(filter_add_port(&f, &p), 0);
	CHECK_INT(filter_dump_protos(&f), UDP_BIT);
	CHECK_INT(filter_parse_port("80/tcp", &p, &why), 0);
	CHECK_INT(filter_add_port(&f, &p), 0);
	CHECK_INT(filter_dump_protos(&f), TCP_BIT | UDP_BIT);
	f.protos = TCP_BIT;
	CHECK_INT(filter_dump_protos(&f), TCP_BIT);
	filter_free(&f);

	/* -t with only a /udp port: nothing to dump */
	filter_init(&f);
	f.protos = TCP_BIT;
	CHECK_INT(filter_parse_port("53/udp", &p, &why), 0);
	CHECK_INT(filter_add_port(&f, &p), 0);
	CHECK_INT(filter_dump_protos(&f), 0);
	filter_free(&f);

	/* a state list with no UDP state drops UDP */
	filter_init(&f);
	CHECK_INT(filter_parse_states("syn-sent", f.states, &why), 0);
	CHECK_INT(filter_dump_protos(&f), TCP_BIT);
	CHECK_INT(filter_parse_states("unconn", f.states, &why), 0);
	CHECK_INT(filter_dump_protos(&f), UDP_BIT);
	filter_free(&f);
}

TEST(filter_free_resets)
{
	struct ps_filter f;
	filter_init(&f);
	CHECK_INT(filter_add_command(&f, "a"), 0);
	CHECK_INT(filter_add_uid(&f, 1), 0);
	filter_free(&f);
	CHECK(f.commands == NULL && f.ncommands == 0 && f.uids == NULL && f.nuids == 0);
	filter_free(&f); /* twice is harmless */
}
