/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_snapdiff.c — snapshot loader, diff, policy parser and checker, Prometheus escaping. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/model/diff.h"
#include "../../src/model/exposure.h"
#include "../../src/model/policy.h"
#include "../../src/model/snapload.h"
#include "../../src/model/verdict.h"
#include "../../src/output/prom.h"
#include "test.h"
#include "testutil.h"

static const char good_snap[] =
    "{\"schema\":1,\"host\":\"h1\",\"boot_id\":\"b-1\",\"time\":\"2024-05-01T12:00:00Z\","
    "\"partial\":false,"
    "\"source\":\"netlink\",\"future_key\":{\"x\":[1,2]},\"sockets\":[\n"
    "{\"proto\":\"tcp\",\"family\":\"inet\",\"state\":\"listen\",\"local\":{\"addr\":\"127.0.0.1\","
    "\"port\":8080},"
    "\"remote\":{\"addr\":\"0.0.0.0\",\"port\":0},\"inode\":11,\"netns\":4026531840,\"owner_"
    "status\":\"ok\","
    "\"exposure\":{\"scope\":\"loopback\",\"reachable\":[\"127.0.0.1\"]},\"service\":{\"name\":"
    "\"http-alt\"},"
    "\"owners\":[{\"pid\":42,\"fd\":3,\"name\":\"web\",\"exe\":\"/usr/bin/"
    "web\",\"cmdline\":[\"web\",\"-p\"],"
    "\"uid\":0,\"ppid\":1,\"start_time\":\"2024-05-01T11:00:00Z\",\"unit\":\"web.service\","
    "\"container\":null,\"ancestry\":[{\"pid\":1}]}]},\n"
    "{\"proto\":\"udp\",\"state\":\"unconn\",\"local\":{\"addr\":\"::\",\"port\":53},\"owners\":[]}"
    ",\n"
    "{\"proto\":\"sctp\",\"local\":{\"addr\":\"::\",\"port\":1}}\n"
    "],\"privileged\":true}";

static int load(const char *s, struct snapfile *f, struct snapload_error *e)
{
	char *c = tu_exact(s, strlen(s));
	int rc = snapload_parse(c, strlen(s), NULL, f, e);
	free(c);
	return rc;
}

TEST(snapload_reads_document_and_ignores_unknown_keys)
{
	struct snapfile f;
	struct snapload_error e;
	CHECK_INT(load(good_snap, &f, &e), 0);
	CHECK_INT(f.snap.nsocks, 2);
	CHECK_INT(f.skipped, 1);
	CHECK_STR(f.host, "h1");
	CHECK_STR(f.boot_id, "b-1");
	CHECK_STR(f.time, "2024-05-01T12:00:00Z");
	CHECK_INT(f.snap.socks[0].local.port, 8080);
	CHECK_INT(f.snap.socks[0].state, PS_ST_LISTEN);
	CHECK_INT(f.snap.socks[0].netns, 4026531840LL);
	CHECK_INT(f.snap.socks[0].owner_count, 1);
	CHECK_INT(f.exposure[0], PS_EXPO_LOOPBACK);
	CHECK_INT(f.exposure[1], PS_EXPO_ALL); /* no "exposure" key: classified */
	CHECK_INT(f.snap.socks[1].proto, PS_UDP);
	CHECK_INT(f.snap.socks[1].state, PS_ST_CLOSE);
	CHECK_INT(f.snap.socks[1].local.addr.family, PS_INET6);
	const struct ps_proc *p = &f.snap.procs[f.snap.owners[0].proc];
	CHECK_STR(p->exe, "/usr/bin/web");
	CHECK_STR(p->unit, "web.service");
	CHECK_INT(p->pid, 42);
	CHECK_INT(p->cmdline_len, 6);
	CHECK_INT(p->start_time, 1714561200LL);
	snapfile_free(&f);
}

/* Start times are UTC calendar times: leap days, the epoch's edge, and junk (-1). */
TEST(snapload_start_time_calendar)
{
	static const struct {
		const char *text;
		long long want;
	} cases[] = {
	    {"2000-02-29T23:59:59Z", 951868799LL},
	    {"1969-12-31T23:59:59Z", -1LL},
	    {"1970-01-01T00:00:00Z", 0LL},
	    {"2100-03-01T00:00:00", 4107542400LL},
	    {"2024-13-01T00:00:00Z", -1LL},
	    {"2024-05-01T11:00:00+02", -1LL},
	    {"yesterday", -1LL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char doc[2048];
		const char *at = strstr(good_snap, "2024-05-01T11:00:00Z");
		snprintf(doc, sizeof doc, "%.*s%s%s", (int)(at - good_snap), good_snap,
			 cases[i].text, at + strlen("2024-05-01T11:00:00Z"));
		struct snapfile f;
		struct snapload_error e;
		CHECK_INT(load(doc, &f, &e), 0);
		CHECK_INT(f.snap.procs[f.snap.owners[0].proc].start_time, cases[i].want);
		snapfile_free(&f);
	}
}

/* "created" (a Windows socket's creation time) is optional: read when given, refused when not a
 * UTC time, absent on Linux snapshots (0). */
TEST(snapload_socket_created)
{
	const char *at = strstr(good_snap, "\"inode\":11,");
	char doc[2048];
	snprintf(doc, sizeof doc, "%.*s\"created\":\"2026-05-01T09:30:12Z\",%s",
		 (int)(at - good_snap), good_snap, at);
	struct snapfile f;
	struct snapload_error e;
	CHECK_INT(load(doc, &f, &e), 0);
	CHECK_INT(snap_created(&f.snap, &f.snap.socks[0]), 1777627812LL);
	CHECK_INT(snap_created(&f.snap, &f.snap.socks[1]), 0);
	snapfile_free(&f);
	snprintf(doc, sizeof doc, "%.*s\"created\":\"soon\",%s", (int)(at - good_snap), good_snap,
		 at);
	CHECK(load(doc, &f, &e) < 0);
	CHECK_STR(e.path, "sockets[0]");
	CHECK(strstr(e.msg, "created") != NULL);
}

TEST(snapload_errors_name_the_path)
{
	struct snapfile f;
	struct snapload_error e;
	CHECK_INT(load("{\"schema\":2,\"sockets\":[]}", &f, &e), -EBADMSG);
	CHECK_STR(e.path, "schema");
	CHECK(strstr(e.msg, "newer") != NULL);
	CHECK_INT(load("{\"sockets\":[]}", &f, &e), -EBADMSG);
	CHECK(strstr(e.msg, "schema") != NULL);
	CHECK_INT(load("[1,2]", &f, &e), -EBADMSG);
	CHECK(strstr(e.msg, "not a portsleuth snapshot") != NULL);
	CHECK_INT(load("{\"schema\":1,\"sockets\":[{\"proto\":\"tcp\",\"local\":{\"addr\":\"1.2.3."
		       "4\",\"port\":70000}}]}",
		       &f, &e),
		  -EBADMSG);
	CHECK_STR(e.path, "sockets[0].local");
	CHECK(strstr(e.msg, "port") != NULL);
	CHECK_INT(load("{\"schema\":1,\"sockets\":[{\"proto\":\"tcp\",\"local\":{\"addr\":\"1.2.3."
		       "4\",\"port\":1},"
		       "\"owners\":[{\"pid\":1},{\"pid\":\"x\"}]}]}",
		       &f, &e),
		  -EBADMSG);
	CHECK_STR(e.path, "sockets[0].owners[1]");
	CHECK_INT(load("{\"schema\":1,\n\"sockets\":[", &f, &e), -EBADMSG);
	CHECK_INT(e.line, 2);
	CHECK(e.column > 0);
	/* a missing state means a listener (older, hand-written files) */
	CHECK_INT(load("{\"schema\":1,\"sockets\":[{\"proto\":\"tcp\",\"local\":{\"addr\":\"1.2.3."
		       "4\",\"port\":1}}]}",
		       &f, &e),
		  0);
	CHECK_INT(f.snap.socks[0].state, PS_ST_LISTEN);
	snapfile_free(&f);
}

TEST(snapload_survives_truncation_and_garbage)
{
	size_t n = strlen(good_snap);
	for (size_t len = 0; len < n; len++) {
		struct snapfile f;
		struct snapload_error e;
		char *c = tu_exact(good_snap, len);
		int rc = snapload_parse(c, len, NULL, &f, &e);
		free(c);
		CHECK_INT(rc, -EBADMSG);
		CHECK(e.msg[0] != '\0');
		if (rc == 0)
			snapfile_free(&f);
	}
	uint64_t st = 12345;
	for (int iter = 0; iter < 3000; iter++) {
		char *c = tu_exact(good_snap, n);
		int flips = 1 + (int)(tu_rand(&st) % 4);
		for (int i = 0; i < flips; i++)
			c[tu_rand(&st) % n] = (char)(tu_rand(&st) & 0xFF);
		struct snapfile f;
		struct snapload_error e;
		int rc = snapload_parse(c, n, NULL, &f, &e);
		CHECK(rc == 0 || (rc == -EBADMSG && e.msg[0]));
		if (rc == 0)
			snapfile_free(&f);
		free(c);
	}
}

static const char good_policy[] =
    "# approved listeners\n"
    "allow tcp 22 exe=/usr/sbin/sshd unit=ssh.service max-exposure=all-interfaces\n"
    "\n"
    "allow any 8000-8100 name=\"my app\" max-exposure=private   # trailing comment\n"
    "require udp 53 addr=127.0.0.53\n"
    "allow tcp * container=web*\n";

static int pparse(const char *s, struct policy *p, struct policy_error *e)
{
	char *c = tu_exact(s, strlen(s));
	int rc = policy_parse(c, strlen(s), p, e);
	free(c);
	return rc;
}

TEST(policy_parses_rules)
{
	struct policy p;
	struct policy_error e;
	CHECK_INT(pparse(good_policy, &p, &e), 0);
	CHECK_INT(p.n, 4);
	CHECK_STR(p.rules[0].exe, "/usr/sbin/sshd");
	CHECK_STR(p.rules[0].unit, "ssh.service");
	CHECK_INT(p.rules[0].max_exposure, PS_EXPO_ALL);
	CHECK_INT(p.rules[0].line, 2);
	CHECK_INT(p.rules[1].lo, 8000);
	CHECK_INT(p.rules[1].hi, 8100);
	CHECK_INT(p.rules[1].protos, 3);
	CHECK_STR(p.rules[1].name, "my app");
	CHECK(p.rules[2].require);
	CHECK(p.rules[2].has_addr);
	CHECK_INT(p.rules[3].lo, 0);
	CHECK_INT(p.rules[3].hi, 65535);
	policy_free(&p);
}

TEST(policy_errors_name_the_line)
{
	static const struct {
		const char *text;
		size_t line;
		const char *word;
	} bad[] = {
	    {"allow tcp 22\nallow tcp 70000\n", 2, "port"},
	    {"allow tcp 22\n\npermit tcp 1\n", 3, "allow"},
	    {"allow sctp 22\n", 1, "protocol"},
	    {"allow tcp 22 colour=red\n", 1, "unknown option"},
	    {"allow tcp 22 exe=/a exe=/b\n", 1, "twice"},
	    {"allow tcp 22 max-exposure=galaxy\n", 1, "exposure"},
	    {"allow tcp 22 exe=\"/a b\n", 1, "quote"},
	    {"allow tcp\n", 1, "port"},
	    {"allow tcp 9-3\n", 1, "port"},
	    {"# nothing\n\n", 2, "no rules"},
	    {"", 1, "no rules"},
	    {"allow tcp 22 addr=localhost\n", 1, "addr"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct policy p;
		struct policy_error e;
		CHECK_INT(pparse(bad[i].text, &p, &e), -EBADMSG);
		CHECK_INT(e.line, bad[i].line);
		CHECK(strstr(e.msg, bad[i].word) != NULL);
	}
	struct policy p;
	struct policy_error e;
	CHECK_INT(policy_parse("allow tcp 1\nallow\0 tcp 2\n", 24, &p, &e), -EBADMSG);
	CHECK_INT(e.line, 2);
}

TEST(policy_parser_survives_truncation_and_garbage)
{
	size_t n = strlen(good_policy);
	for (size_t len = 0; len <= n; len++) {
		struct policy p;
		struct policy_error e;
		char *c = tu_exact(good_policy, len);
		int rc = policy_parse(c, len, &p, &e);
		free(c);
		CHECK(rc == 0 || (rc == -EBADMSG && e.line > 0 && e.msg[0]));
		if (rc == 0)
			policy_free(&p);
	}
	uint64_t st = 777;
	for (int iter = 0; iter < 3000; iter++) {
		size_t len = tu_rand(&st) % 200;
		char *c = malloc(len ? len : 1);
		for (size_t i = 0; i < len; i++)
			c[i] = iter & 1 ? (char)(tu_rand(&st) & 0xFF)
					: " \n\"=#-*alowtcpudx0123456789"[tu_rand(&st) % 27];
		struct policy p;
		struct policy_error e;
		int rc = policy_parse(c, len, &p, &e);
		CHECK(rc == 0 || (rc == -EBADMSG && e.line > 0 && e.msg[0]));
		if (rc == 0)
			policy_free(&p);
		free(c);
	}
}

/* A socket with one owner (exe) on 127.0.0.1 or 0.0.0.0. */
static void add_listener(struct ps_snapshot *s, unsigned proto, const char *addr4, uint16_t port,
			 const char *exe, int pid)
{
	struct ps_socket *k = snap_add_socket(s);
	k->proto = (uint8_t)proto;
	k->state = proto == PS_TCP ? PS_ST_LISTEN : PS_ST_CLOSE;
	k->local.addr.family = k->remote.addr.family = PS_INET;
	unsigned a, b, c, d;
	sscanf(addr4, "%u.%u.%u.%u", &a, &b, &c, &d);
	k->local.addr.bytes[0] = (uint8_t)a;
	k->local.addr.bytes[1] = (uint8_t)b;
	k->local.addr.bytes[2] = (uint8_t)c;
	k->local.addr.bytes[3] = (uint8_t)d;
	k->local.port = port;
	k->netns = 7;
	if (exe) {
		long pi = snap_add_proc(s, pid);
		s->procs[pi].exe = strdup(exe);
		s->procs[pi].name = strdup(strrchr(exe, '/') + 1);
		snap_add_owner(s, (uint32_t)(s->nsocks - 1), (uint32_t)pi, 3);
	}
	snap_group_owners(s);
}

TEST(diff_reports_each_change_once)
{
	struct ps_snapshot a = {0}, b = {0};
	add_listener(&a, PS_TCP, "127.0.0.1", 1000, "/bin/same",
		     10); /* unchanged (restart: new pid) */
	add_listener(&a, PS_TCP, "127.0.0.1", 1001, "/bin/gone", 11); /* closed */
	add_listener(&a, PS_TCP, "127.0.0.1", 1002, "/bin/old", 12);  /* owner change */
	add_listener(&a, PS_TCP, "127.0.0.1", 1003, "/bin/wide", 13); /* widened */
	add_listener(&a, PS_UDP, "127.0.0.1", 1003, "/bin/udp", 14);  /* other proto, unchanged */
	add_listener(&b, PS_TCP, "127.0.0.1", 1000, "/bin/same", 20);
	add_listener(&b, PS_TCP, "127.0.0.1", 1002, "/bin/new", 22);
	add_listener(&b, PS_TCP, "0.0.0.0", 1003, "/bin/wide", 13);
	add_listener(&b, PS_UDP, "127.0.0.1", 1003, "/bin/udp", 14);
	add_listener(&b, PS_TCP, "10.1.2.3", 1004, "/bin/fresh", 24); /* new */
	struct diff_side sa = {.snap = &a}, sb = {.snap = &b};
	struct diff_result r;
	CHECK_INT(diff_compute(&sa, &sb, &r), 0);
	CHECK_INT(r.n, 4);
	CHECK_INT(r.count[DIFF_NEW], 1);
	CHECK_INT(r.count[DIFF_CLOSED], 1);
	CHECK_INT(r.count[DIFF_OWNER], 1);
	CHECK_INT(r.count[DIFF_EXPOSURE], 1);
	for (size_t i = 0; i < r.n; i++) {
		const struct diff_change *c = &r.v[i];
		const struct ps_socket *k =
		    c->after >= 0 ? &b.socks[c->after] : &a.socks[c->before];
		if (c->kind == DIFF_NEW)
			CHECK_INT(k->local.port, 1004);
		if (c->kind == DIFF_CLOSED)
			CHECK_INT(k->local.port, 1001);
		if (c->kind == DIFF_OWNER)
			CHECK_INT(k->local.port, 1002);
		if (c->kind == DIFF_EXPOSURE) {
			CHECK_INT(k->local.port, 1003);
			CHECK_INT(c->exp_before, PS_EXPO_LOOPBACK);
			CHECK_INT(c->exp_after, PS_EXPO_ALL);
		}
	}
	diff_free(&r);
	/* nothing changed against itself */
	CHECK_INT(diff_compute(&sa, &sa, &r), 0);
	CHECK_INT(r.n, 0);
	diff_free(&r);
	snap_free(&a);
	snap_free(&b);
}

/* A snapshot of listeners 0.0.0.0:2000..2003 whose exposure.firewall is given (NULL: no key). */
static void fw_snap(char *out, size_t cap, const char *const fw[4])
{
	size_t n = (size_t)snprintf(out, cap, "{\"schema\":1,\"sockets\":[");
	for (int i = 0; i < 4; i++)
		n += (size_t)snprintf(
		    out + n, cap - n,
		    "%s{\"proto\":\"tcp\",\"state\":\"listen\",\"local\":{\"addr\":"
		    "\"0.0.0.0\",\"port\":%d},\"exposure\":{\"scope\":\"all-"
		    "interfaces\"%s%s}}",
		    i ? "," : "", 2000 + i, fw[i] ? ",\"firewall\":" : "", fw[i] ? fw[i] : "");
	snprintf(out + n, cap - n, "]}");
}

TEST(diff_firewall_verdict_and_sources)
{
	/* 2000: some -> all (wider); 2001: other sources; 2002: sources unknown in the older file
	 * (no change); 2003: no firewall recorded before (not compared) */
	const char *const before[4] = {"{\"verdict\":\"some\",\"sources\":\"198.51.100.0/24\"}",
				       "{\"verdict\":\"some\",\"sources\":\"10.0.0.0/8\"}",
				       "{\"verdict\":\"some\"}", NULL};
	const char *const after[4] = {"{\"verdict\":\"all\",\"sources\":null}",
				      "{\"verdict\":\"some\",\"sources\":\"10.0.0.0/8,192.0.2.7\"}",
				      "{\"verdict\":\"some\",\"sources\":\"10.0.0.0/8\"}",
				      "{\"verdict\":\"none\"}"};
	char ta[2048], tb[2048];
	fw_snap(ta, sizeof ta, before);
	fw_snap(tb, sizeof tb, after);
	struct snapfile fa, fb;
	struct snapload_error e;
	CHECK_INT(load(ta, &fa, &e), 0);
	CHECK_INT(load(tb, &fb, &e), 0);
	CHECK_INT(fa.fw[0].verdict, PS_FW_SOME);
	CHECK_STR(fa.fw[0].sources, "198.51.100.0/24");
	CHECK_INT(fa.fw[3].verdict, PS_FW__COUNT);
	struct diff_side sa = {.snap = &fa.snap, .exposure = fa.exposure, .fw = fa.fw};
	struct diff_side sb = {.snap = &fb.snap, .exposure = fb.exposure, .fw = fb.fw};
	struct diff_result r;
	CHECK_INT(diff_compute(&sa, &sb, &r), 0);
	CHECK_INT(r.n, 2);
	CHECK_INT(r.count[DIFF_FIREWALL], 2);
	CHECK_INT(r.count[DIFF_EXPOSURE], 0);
	if (r.n == 2) {
		CHECK_INT(fa.snap.socks[r.v[0].before].local.port, 2000);
		CHECK_INT(diff_fw_direction(&r.v[0].fw_before, &r.v[0].fw_after), 1);
		CHECK_INT(fa.snap.socks[r.v[1].before].local.port, 2001);
		CHECK_INT(diff_fw_direction(&r.v[1].fw_before, &r.v[1].fw_after), 0);
		CHECK_STR(r.v[1].fw_after.sources, "10.0.0.0/8,192.0.2.7");
	}
	diff_free(&r);
	/* narrower the other way round */
	CHECK_INT(diff_compute(&sb, &sa, &r), 0);
	CHECK_INT(r.n, 2);
	if (r.n)
		CHECK_INT(diff_fw_direction(&r.v[0].fw_before, &r.v[0].fw_after), -1);
	diff_free(&r);
	snapfile_free(&fa);
	snapfile_free(&fb);
}

TEST(policy_check_finds_each_kind)
{
	struct policy p;
	struct policy_error e;
	CHECK_INT(pparse("allow tcp 1000 exe=/bin/ok max-exposure=loopback\n"
			 "allow tcp 1001 exe=/bin/ok\n"
			 "require tcp 1005\n"
			 "allow udp 1-2000 exe=/bin/*\n",
			 &p, &e),
		  0);
	struct ps_snapshot s = {0};
	add_listener(&s, PS_TCP, "0.0.0.0", 1000, "/bin/ok", 1);     /* exposure */
	add_listener(&s, PS_TCP, "127.0.0.1", 1001, "/bin/evil", 2); /* owner */
	add_listener(&s, PS_TCP, "127.0.0.1", 1002, "/bin/ok", 3);   /* unexpected */
	add_listener(&s, PS_UDP, "0.0.0.0", 1500, "/bin/dns", 4);    /* fine by glob */
	add_listener(&s, PS_TCP, "127.0.0.1", 1001, NULL, 0);	     /* owner not visible */
	snap_sort(&s);
	struct diff_side side = {.snap = &s};
	struct policy_report r;
	CHECK_INT(policy_check(&p, &side, &r), 0);
	CHECK_INT(r.count[POL_EXPOSURE], 1);
	CHECK_INT(r.count[POL_OWNER],
		  1 + 0); /* the unseen one shares the identity of the evil one */
	CHECK_INT(r.count[POL_UNVERIFIED], 0);
	CHECK_INT(r.count[POL_UNEXPECTED], 1);
	CHECK_INT(r.count[POL_MISSING], 1);
	CHECK_INT(r.n, 4);
	for (size_t i = 0; i < r.n; i++)
		if (r.v[i].kind == POL_EXPOSURE)
			CHECK_INT(r.v[i].allowed, PS_EXPO_LOOPBACK);
	policy_report_free(&r);

	/* a policy derived from the snapshot itself is clean, also with the missing check */
	struct policy self;
	CHECK_INT(policy_from_snapshot(&side, true, &self), 0);
	CHECK_INT(policy_check(&self, &side, &r), 0);
	CHECK_INT(r.n, 0);
	policy_report_free(&r);
	policy_free(&self);
	policy_free(&p);
	snap_free(&s);
}

/* daemon-findings #18: a `require` rule is checked on its own, whatever an `allow` rule allows */
TEST(policy_require_is_checked_on_its_own)
{
	static const char *const orders[] = {"allow any *\nrequire tcp 80 exe=/usr/sbin/apache2\n",
					     "require tcp 80 exe=/usr/sbin/apache2\nallow any *\n"};
	for (size_t o = 0; o < 2; o++) {
		struct policy p;
		struct policy_error e;
		CHECK_INT(pparse(orders[o], &p, &e), 0);
		struct ps_snapshot s = {0};
		add_listener(&s, PS_TCP, "0.0.0.0", 80, "/usr/sbin/nginx", 1);
		add_listener(&s, PS_TCP, "0.0.0.0", 80, "/usr/sbin/nginx",
			     2); /* the same listener again */
		struct diff_side side = {.snap = &s};
		struct policy_report r;
		CHECK_INT(policy_check(&p, &side, &r), 0);
		CHECK_INT(r.n, 1);
		CHECK_INT(policy_violations(&r), 1);
		CHECK_INT(r.n ? r.v[0].kind : -1, POL_OWNER);
		CHECK(r.n && p.rules[r.v[0].rule].require);
		policy_report_free(&r);
		/* nothing on the port at all: missing */
		snap_free(&s);
		memset(&s, 0, sizeof s);
		add_listener(&s, PS_TCP, "0.0.0.0", 81, "/usr/sbin/nginx", 1);
		CHECK_INT(policy_check(&p, &side, &r), 0);
		CHECK_INT(r.count[POL_MISSING], 1);
		policy_report_free(&r);
		/* the required owner holds it, beside others: fine */
		snap_free(&s);
		memset(&s, 0, sizeof s);
		add_listener(&s, PS_TCP, "0.0.0.0", 80, "/usr/sbin/apache2", 1);
		CHECK_INT(policy_check(&p, &side, &r), 0);
		CHECK_INT(r.n, 0);
		policy_report_free(&r);
		snap_free(&s);
		policy_free(&p);
	}
}

/* daemon-findings #19: a snapshot's listener is its address's; another program on another address
 * is not it */
TEST(policy_snapshot_rules_match_the_address)
{
	struct ps_snapshot a = {0}, b = {0}, c = {0};
	add_listener(&a, PS_TCP, "10.77.0.5", 445, "/usr/sbin/smbd", 10);
	add_listener(&b, PS_TCP, "127.0.0.1", 445, "/usr/bin/python3.11", 20);
	add_listener(&c, PS_TCP, "0.0.0.0", 445, "/usr/sbin/smbd", 30); /* smbd rebound wider */
	struct diff_side sa = {.snap = &a}, sb = {.snap = &b}, sc = {.snap = &c};
	struct policy p;
	CHECK_INT(policy_from_snapshot(&sa, true, &p), 0);
	CHECK(p.n == 1 && p.rules[0].has_addr);
	struct policy_report r;
	CHECK_INT(policy_check(&p, &sb, &r), 0);
	CHECK_INT(r.n, 2);
	CHECK_INT(r.count[POL_MISSING], 1);
	CHECK_INT(r.count[POL_UNEXPECTED], 1);
	CHECK_INT(r.count[POL_OWNER], 0);
	policy_report_free(&r);
	CHECK_INT(policy_check(&p, &sc, &r), 0);
	CHECK_INT(r.n, 1);
	CHECK_INT(r.count[POL_EXPOSURE], 1);
	policy_report_free(&r);
	policy_free(&p);
	snap_free(&a);
	snap_free(&b);
	snap_free(&c);
}

/* daemon-findings #21: an owner nobody could see is "could not verify", not a violation */
TEST(policy_unseen_owner_is_unverified)
{
	struct policy p;
	struct policy_error e;
	CHECK_INT(
	    pparse("allow tcp 6379 exe=/usr/bin/redis-server\nrequire tcp 22 exe=/usr/sbin/sshd\n",
		   &p, &e),
	    0);
	struct ps_snapshot s = {0};
	add_listener(&s, PS_TCP, "127.0.0.1", 6379, NULL, 0);
	add_listener(&s, PS_TCP, "0.0.0.0", 22, NULL, 0);
	for (size_t i = 0; i < s.nsocks; i++)
		s.socks[i].owner_status = PS_OWN_NOPERM;
	struct diff_side side = {.snap = &s};
	struct policy_report r;
	CHECK_INT(policy_check(&p, &side, &r), 0);
	CHECK_INT(r.count[POL_UNVERIFIED], 2);
	CHECK_INT(policy_violations(&r), 0);
	policy_report_free(&r);
	/* a socket no process holds is not unverifiable: it is not the owner */
	for (size_t i = 0; i < s.nsocks; i++)
		s.socks[i].owner_status = PS_OWN_KERNEL;
	CHECK_INT(policy_check(&p, &side, &r), 0);
	CHECK_INT(r.count[POL_UNVERIFIED], 0);
	CHECK_INT(policy_violations(&r), 2);
	policy_report_free(&r);
	snap_free(&s);
	policy_free(&p);
}

/* issue 10 item 7: unit= names system units; a user manager's unit needs user-unit= */
TEST(policy_unit_and_user_unit)
{
	struct policy p;
	struct policy_error e;
	CHECK_INT(pparse("allow tcp 80 unit=nginx.service\nallow tcp 81 user-unit=nginx.service\n"
			 "allow tcp 82 user-unit=65534/nginx.service\n",
			 &p, &e),
		  0);
	CHECK(p.rules[2].has_unit_uid && p.rules[2].unit_uid == 65534);
	struct ps_snapshot s = {0};
	add_listener(&s, PS_TCP, "127.0.0.1", 80, "/usr/sbin/nginx", 1);
	add_listener(&s, PS_TCP, "127.0.0.1", 81, "/usr/sbin/nginx", 1);
	add_listener(&s, PS_TCP, "127.0.0.1", 82, "/usr/sbin/nginx", 1);
	for (size_t i = 0; i < s.nprocs; i++) {
		s.procs[i].unit = strdup("nginx.service");
		s.procs[i].unit_type = "user";
		s.procs[i].unit_uid = 1000;
		s.procs[i].have_unit_uid = true;
	}
	struct diff_side side = {.snap = &s};
	struct policy_report r;
	CHECK_INT(policy_check(&p, &side, &r), 0);
	/* 80: a user unit is not the system's nginx.service; 82: another user's */
	CHECK_INT(r.count[POL_OWNER], 2);
	CHECK_INT(r.n, 2);
	policy_report_free(&r);
	for (size_t i = 0; i < s.nprocs; i++)
		s.procs[i].unit_type = "system";
	CHECK_INT(policy_check(&p, &side, &r), 0);
	CHECK_INT(r.count[POL_OWNER], 2); /* now 81 and 82 */
	policy_report_free(&r);
	/* a snapshot of a user unit gives a user-unit rule */
	for (size_t i = 0; i < s.nprocs; i++)
		s.procs[i].unit_type = "user";
	struct policy self;
	CHECK_INT(policy_from_snapshot(&side, false, &self), 0);
	CHECK(self.n == 3 && !self.rules[0].unit && self.rules[0].user_unit &&
	      self.rules[0].has_unit_uid);
	policy_free(&self);
	policy_free(&p);
	CHECK_INT(pparse("allow tcp 80 user-unit=x/a.service\n", &p, &e) == -EBADMSG ? 0 : 1, 0);
	CHECK_INT(pparse("allow tcp 80 user-unit=/a.service\n", &p, &e) == -EBADMSG ? 0 : 1, 0);
	snap_free(&s);
}

/* The term check names for rule `rule` and the single owner set up by tweak; got/want texts. */
static void expect_miss(const char *rule, void (*tweak)(struct ps_proc *), const char *key,
			const char *got, const char *want)
{
	struct policy p;
	struct policy_error e;
	CHECK_INT(pparse(rule, &p, &e), 0);
	struct ps_snapshot s = {0};
	add_listener(&s, PS_TCP, "127.0.0.1", 80, "/opt/app/bin/app", 1);
	tweak(&s.procs[0]);
	struct policy_mismatch m;
	const char *k = policy_owner_mismatch(&p.rules[0], &s, &s.socks[0], &m);
	CHECK(k && strcmp(k, key) == 0);
	CHECK(got ? m.got && strcmp(m.got, got) == 0 : m.got == NULL);
	CHECK(m.want && strcmp(m.want, want) == 0);
	if (!k || strcmp(k, key) != 0)
		printf("  %s: got term %s, want %s\n", rule, k ? k : "(none)", key);
	policy_free(&p);
	snap_free(&s);
}

static void tweak_none(struct ps_proc *p)
{
	(void)p;
}

static void tweak_unmapped(struct ps_proc *p)
{
	free(p->exe);
	p->exe = strdup("/usr/sbin/sshd");
	p->exe_checked = true;
	p->exe_check.proof = PS_PROOF_UNMAPPED;
}

static void tweak_user_unit(struct ps_proc *p)
{
	p->unit = strdup("app.service");
	p->unit_type = "user";
	p->unit_uid = 1001;
	p->have_unit_uid = true;
}

static void tweak_rootless(struct ps_proc *p)
{
	p->container = strdup("0123456789abcdef");
	p->container_runtime = "rootless-docker";
	p->unit = strdup("docker-0123456789abcdef.scope");
	p->unit_type = "user";
}

static void tweak_container(struct ps_proc *p)
{
	p->container = strdup("0123456789abcdef");
	p->container_name = strdup("web");
	p->container_runtime = "docker";
}

/* A python that named itself avahi-daemon (prctl PR_SET_NAME): the name is not its program's. */
static void tweak_forged_name(struct ps_proc *p)
{
	free(p->name);
	p->name = strdup("avahi-daemon");
	free(p->exe);
	p->exe = strdup("/usr/bin/python3.11");
}

/* Debian's redis-server is a link to redis-check-rdb: the link's name is the program's own. */
static void tweak_linked_name(struct ps_proc *p)
{
	free(p->name);
	p->name = strdup("redis-server");
	free(p->exe);
	p->exe = strdup("/usr/bin/redis-check-rdb");
	proc_more_get(p)->exe_alias = strdup("/usr/bin/redis-server");
}

/* sshd upgraded and not restarted: the kernel's link says "/usr/sbin/sshd (deleted)". */
static void tweak_upgraded_name(struct ps_proc *p)
{
	free(p->name);
	p->name = strdup("sshd");
	free(p->exe);
	p->exe = strdup("/usr/sbin/sshd (deleted)");
	p->exe_checked = true;
	p->exe_check.deleted = p->exe_check.replaced = p->exe_check.replacement_sound = true;
	p->exe_check.proof = PS_PROOF_MAPPED;
	p->exe_path = strdup("/usr/sbin/sshd");
}

/* A refusal names the term that refused, for each kind of term (issue 19 review). */
TEST(policy_mismatch_names_the_term)
{
	expect_miss("allow tcp 80 exe=/usr/sbin/sshd\n", tweak_none, "exe", "/opt/app/bin/app",
		    "/usr/sbin/sshd");
	expect_miss("allow tcp 80 exe=/usr/sbin/sshd\n", tweak_unmapped, "proven exe", NULL,
		    "/usr/sbin/sshd");
	expect_miss("allow tcp 80 unit=app.service\n", tweak_user_unit, "unit", NULL,
		    "app.service");
	expect_miss("allow tcp 80 user-unit=other.service\n", tweak_user_unit, "user-unit",
		    "app.service", "other.service");
	expect_miss("allow tcp 80 user-unit=1002/app.service\n", tweak_user_unit,
		    "user-unit's user", "uid 1001", "uid 1002");
	expect_miss("allow tcp 80 container=0123*\n", tweak_rootless, "rootful container", NULL,
		    "0123*");
	expect_miss("allow tcp 80 container=db*\n", tweak_container, "container", "web", "db*");
	expect_miss("allow tcp 80 name=other\n", tweak_none, "name", "app", "other");
	expect_miss("allow tcp 80 name=avahi-daemon\n", tweak_forged_name, "program's own name",
		    NULL, "avahi-daemon");
	/* the system's link it was run by names it: a stock redis-server meets name=redis-server */
	struct policy p;
	struct policy_error e;
	CHECK_INT(pparse("allow tcp 80 name=redis-server\n", &p, &e), 0);
	struct ps_snapshot s = {0};
	add_listener(&s, PS_TCP, "127.0.0.1", 80, "/opt/app/bin/app", 1);
	tweak_linked_name(&s.procs[0]);
	struct policy_mismatch m;
	CHECK(policy_owner_mismatch(&p.rules[0], &s, &s.socks[0], &m) == NULL);
	policy_free(&p);
	snap_free(&s);
	/* an upgraded daemon not yet restarted keeps its own name */
	CHECK_INT(pparse("allow tcp 22 name=sshd\n", &p, &e), 0);
	s = (struct ps_snapshot){0};
	add_listener(&s, PS_TCP, "0.0.0.0", 22, "/opt/app/bin/app", 1);
	tweak_upgraded_name(&s.procs[0]);
	CHECK(policy_owner_mismatch(&p.rules[0], &s, &s.socks[0], &m) == NULL);
	policy_free(&p);
	snap_free(&s);
}

static char *fake_realpath(const char *path)
{
	return strdup(strcmp(path, "/usr/bin/redis-server") == 0 ? "/usr/bin/redis-check-rdb"
								 : path);
}

/* daemon-findings #17: exe= names a link; the kernel names the process by the link's target */
TEST(policy_exe_follows_links)
{
	struct policy p;
	struct policy_error e;
	CHECK_INT(
	    pparse(
		"allow tcp 6379 exe=/usr/bin/redis-server\nallow tcp 6380 exe=/usr/bin/redis-*\n",
		&p, &e),
	    0);
	struct ps_snapshot s = {0};
	add_listener(&s, PS_TCP, "127.0.0.1", 6379, "/usr/bin/redis-check-rdb", 1);
	struct diff_side side = {.snap = &s};
	struct policy_report r;
	CHECK_INT(policy_check(&p, &side, &r), 0);
	CHECK_INT(r.count[POL_OWNER], 1); /* before resolving: the bug */
	policy_report_free(&r);
	CHECK_INT(policy_resolve_exe(&p, fake_realpath), 0);
	CHECK(p.rules[0].exe_real && !p.rules[1].exe_real); /* globs are not resolved */
	CHECK_INT(policy_check(&p, &side, &r), 0);
	CHECK_INT(r.n, 0);
	policy_report_free(&r);
	snap_free(&s);
	policy_free(&p);
}

/* issue 9 item 9: ack lines, their dates, and which findings they name */
TEST(policy_ack_parse_and_apply)
{
	struct policy p;
	struct policy_error e;
	CHECK_INT(pparse("ack private-exposure tcp 6379 exe=/usr/bin/redis-server until=2027-01-31 "
			 "reason=\"fw; ok\"\n"
			 "ack exe-* any * until=2000-02-29 reason=old\n",
			 &p, &e),
		  0);
	CHECK_INT(p.n, 0);
	CHECK_INT(p.nacks, 2);
	CHECK(strcmp(p.acks[0].code, "private-exposure") == 0 &&
	      strcmp(p.acks[0].reason, "fw; ok") == 0);
	CHECK(p.acks[0].until == 1801440000 &&
	      strcmp(p.acks[0].until_text, "2027-01-31") == 0); /* 2027-02-01 UTC */
	CHECK(p.acks[1].until == 951868800);			/* 2000-03-01 UTC: a leap day */
	/* findings on a socket of redis, one about the socket (pid -1), one about its owner */
	struct ps_snapshot s = {0};
	add_listener(&s, PS_TCP, "0.0.0.0", 6379, "/usr/bin/redis-server", 5);
	s.verdicts = calloc(1, sizeof *s.verdicts);
	long at = verdicts_add(s.verdicts);
	CHECK(at == 0);
	struct finding_list *l = &s.verdicts->v[0].findings;
	l->f = calloc(2, sizeof *l->f);
	l->n = l->cap = 2;
	l->f[0] = (struct finding){.sev = SEV_WARNING, .code = "private-exposure", .pid = -1};
	l->f[1] = (struct finding){.sev = SEV_INFO, .code = "exe-unpackaged", .pid = 5};
	s.socks[0].verdict = 1;
	policy_ack_findings(&p, &s, 1700000000);
	CHECK(l->f[0].ack == &p.acks[0] && !l->f[0].ack_expired);
	CHECK(!l->f[1].ack && l->f[1].ack_expired == &p.acks[1]);
	CHECK_INT(verdict_worst(&s, &s.socks[0]), SEV_INFO);
	CHECK_INT(s.verdicts->count[SEV_WARNING], 0);
	/* after the date, it counts again */
	policy_ack_findings(&p, &s, 1801440000);
	CHECK(!l->f[0].ack && l->f[0].ack_expired == &p.acks[0]);
	CHECK_INT(verdict_worst(&s, &s.socks[0]), SEV_WARNING);
	/* another executable is not named */
	free(s.procs[0].exe);
	s.procs[0].exe = strdup("/tmp/redis-server");
	policy_ack_findings(&p, &s, 1700000000);
	CHECK(!l->f[0].ack);
	snap_free(&s);
	policy_free(&p);
	static const char *const bad[] = {
	    "ack exe-deleted tcp 1 reason=r\n",
	    "ack exe-deleted tcp 1 until=2027-01-31\n",
	    "ack exe-deleted tcp 1 until=2027-02-30 reason=r\n",
	    "ack exe-deleted tcp 1 until=2023-02-29 reason=r\n",
	    "ack exe-deleted tcp 1 until=27-01-31 reason=r\n",
	    "ack\n",
	    "ack risky-exposure tcp 6379 until=2027-01-31 reason=r\n", /* no such code */
	    "ack risky-* any * until=2027-01-31 reason=r\n",
	    "ack exe-deleted tcp 1 until=2027-01-31 reason=r max-exposure=public\n"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK_INT(pparse(bad[i], &p, &e), -EBADMSG);
	/* an unknown code is refused with the codes there are */
	CHECK_INT(pparse("ack risky-exposure tcp 6379 until=2027-01-31 reason=r\n", &p, &e),
		  -EBADMSG);
	CHECK(strstr(e.msg, "unknown finding code 'risky-exposure'") &&
	      strstr(e.msg, "public-exposure") && strstr(e.msg, "script-env)"));
	CHECK(finding_code_known("exe-*") && finding_code_known("*") &&
	      !finding_code_known("risky-*"));
	/* a byte order mark before the first line, and line numbers that count from the file's
	 * start */
	CHECK_INT(
	    pparse("\xEF\xBB\xBF\n\nack exe-deleted tcp 1 until=2027-01-31 reason=r\n", &p, &e), 0);
	CHECK(p.nacks == 1 && p.acks[0].line == 3);
	policy_free(&p);
}

TEST(prometheus_label_escaping)
{
	struct buf b = {0};
	CHECK_INT(prom_label_escape(&b, "a\"b\\c\nd\x01\xff", 9), 0);
	CHECK_STR(b.data, "a\\\"b\\\\c\\nd\xEF\xBF\xBD\xEF\xBF\xBD");
	buf_free(&b);
	CHECK_INT(prom_header(&b, "m", "gauge", "help \\ with\nnewline"), 0);
	CHECK_STR(b.data, "# HELP m help \\\\ with\\nnewline\n# TYPE m gauge\n");
	buf_free(&b);
}

/* A Windows snapshot's port proxies stay port proxies when loaded (not NAT rules). */
TEST(snapload_portproxy_forward_kind)
{
	const char *end = strrchr(good_snap, '}');
	char doc[3072];
	snprintf(
	    doc, sizeof doc,
	    "%.*s,\"firewall\":{\"read\":false,\"why\":\"x\"},\"forwards\":["
	    "{\"proto\":\"tcp\",\"family\":4,\"addr\":null,\"port\":8080,\"port_end\":8080,"
	    "\"to\":{\"addr\":\"10.0.0.5\",\"port\":80,\"port_end\":80},\"kind\":\"portproxy\","
	    "\"rule\":{\"family\":\"netsh\",\"table\":\"interface portproxy\",\"chain\":"
	    "\"v4tov4\"}},"
	    "{\"proto\":\"tcp\",\"family\":4,\"port\":81,\"port_end\":81,\"to\":{\"addr\":"
	    "\"10.0.0.6\",\"port\":80,\"port_end\":80},\"kind\":\"dnat\"}]}",
	    (int)(end - good_snap), good_snap);
	struct snapfile f;
	struct snapload_error e;
	CHECK_INT(load(doc, &f, &e), 0);
	CHECK(f.snap.firewall != NULL);
	CHECK_INT(f.snap.firewall->nfwd, 2);
	CHECK_STR(f.snap.firewall->fwd[0].kind, "portproxy");
	CHECK_STR(f.snap.firewall->fwd[0].rule_chain, "v4tov4");
	CHECK_STR(f.snap.firewall->fwd[1].kind, "dnat");
	snapfile_free(&f);
}
