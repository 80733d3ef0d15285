/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_judge.c — the judgement in the model: shared verdicts for connections, and they follow
 * filtering and sorting. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/enrich/fwstage.h"
#include "../../src/enrich/registry.h"
#include "../../src/enrich/verdict.h"
#include "../../src/model/model.h"
#include "../../src/model/verdict.h"
#include "test.h"

static struct ps_socket *sock(struct ps_snapshot *s, unsigned state, uint8_t a3, uint16_t lport,
			      uint16_t rport)
{
	struct ps_socket *k = snap_add_socket(s);
	if (!k)
		abort();
	k->proto = PS_TCP;
	k->state = (uint8_t)state;
	k->local.addr.family = k->remote.addr.family = PS_INET;
	k->local.addr.bytes[0] = a3;
	k->local.addr.bytes[3] = a3 ? 1 : 0;
	k->local.port = lport;
	k->remote.port = rport;
	if (rport)
		k->remote.addr.bytes[0] = 127, k->remote.addr.bytes[3] = 1;
	return k;
}

/*
 * 0: tcp 0.0.0.0:22 LISTEN held by a process from /tmp (no package);
 * 1, 2: connections 127.0.0.1:40001/40002 -> :22; 3: 127.0.0.1:40003 -> :443.
 */
static void build(struct ps_snapshot *s)
{
	memset(s, 0, sizeof *s);
	sock(s, PS_ST_LISTEN, 0, 22, 0);
	sock(s, PS_ST_ESTABLISHED, 127, 40001, 22);
	sock(s, PS_ST_ESTABLISHED, 127, 40002, 22);
	sock(s, PS_ST_ESTABLISHED, 127, 40003, 443);
	if (snap_add_proc(s, 42) != 0)
		abort();
	s->procs[0].name = strdup("sshd");
	s->procs[0].exe = strdup("/tmp/sshd");
	s->procs[0].pkg = PKG_UNOWNED;
	if (!s->procs[0].name || !s->procs[0].exe || snap_add_owner(s, 0, 0, 3))
		abort();
	snap_group_owners(s);
}

TEST(judge_connections_share_a_verdict)
{
	struct ps_snapshot s;
	struct registry reg = {0};
	build(&s);
	CHECK_INT(verdicts_compute(&s, &reg, NULL), 0);
	CHECK(s.verdicts != NULL);
	CHECK(s.socks[1].verdict && s.socks[1].verdict == s.socks[2].verdict);
	CHECK(s.socks[3].verdict != s.socks[1].verdict);
	CHECK_INT(s.verdicts->n, 3);
	const struct sock_verdict *l = verdict_of(&s, &s.socks[0]),
				  *c = verdict_of(&s, &s.socks[1]);
	CHECK(l && l->listener && l->findings.n > 0 && l->scope == PS_EXPO_ALL);
	CHECK(c && !c->listener && c->findings.n == 0 && c->svc_port == 22 &&
	      c->scope == PS_EXPO_LOOPBACK);
	CHECK(c && c->svc_known && verdict_svc(c)->name &&
	      strcmp(verdict_svc(c)->name, "ssh") == 0);
	CHECK_INT(verdict_of(&s, &s.socks[3])->svc_port, 443);
	CHECK_INT(s.verdicts->with_findings, 1);
	CHECK_INT(s.verdicts->count[SEV_ALERT], 1); /* sshd from /tmp on 22 */
	snap_free(&s);
}

/* Whether a finding of v says `text` in its reason. */
static bool says(const struct sock_verdict *v, const char *text)
{
	for (size_t i = 0; v && i < v->findings.n; i++)
		if (v->findings.f[i].reason && strstr(v->findings.f[i].reason, text))
			return true;
	return false;
}

/*
 * One process from /tmp calling itself sshd holds listeners on 22 (ssh's), 6379 (redis's) and
 * two ports no service is known on. Its findings are made once per question (ocache): the texts
 * that name a port (unexpected-owner) name each listener's own, and the two unknown ports ask
 * the same question and get the same findings.
 */
TEST(judge_owner_findings_shared_per_question)
{
	struct ps_snapshot s = {0};
	struct registry reg = {0};
	static const uint16_t ports[] = {22, 6379, 40001, 40002};
	for (size_t i = 0; i < 4; i++)
		sock(&s, PS_ST_LISTEN, 0, ports[i], 0);
	if (snap_add_proc(&s, 42) != 0)
		abort();
	s.procs[0].name = strdup("sshd");
	s.procs[0].exe = strdup("/tmp/sshd");
	s.procs[0].pkg = PKG_UNOWNED;
	if (!s.procs[0].name || !s.procs[0].exe)
		abort();
	for (uint32_t i = 0; i < 4; i++)
		if (snap_add_owner(&s, i, 0, 3 + (int)i))
			abort();
	snap_group_owners(&s);
	CHECK_INT(verdicts_compute(&s, &reg, NULL), 0);
	const struct sock_verdict *v[4];
	for (size_t i = 0; i < 4; i++)
		v[i] = verdict_of(&s, &s.socks[i]);
	CHECK(v[0] && v[1] && v[2] && v[3]);
	CHECK(says(v[1], "port 6379/tcp") && !says(v[1], "port 22/"));
	CHECK(!says(v[0], "port 6379/"));
	CHECK(v[2] && v[3] && v[2]->findings.n > 0 && v[2]->findings.n == v[3]->findings.n);
	for (size_t i = 0; v[2] && v[3] && i < v[2]->findings.n && i < v[3]->findings.n; i++) {
		CHECK(v[2]->findings.f[i].reason ==
		      v[3]->findings.f[i].reason); /* pooled, shared */
		CHECK(!strstr(v[2]->findings.f[i].reason, "40001"));
	}
	snap_free(&s);
	registry_free(&reg);
}

static bool keep_connections(const struct ps_snapshot *s, const struct ps_socket *k,
			     const void *ctx)
{
	(void)s;
	(void)ctx;
	return !socket_is_listener(k);
}

/*
 * Two listeners on one address and port (SO_REUSEPORT) held by two programs, judged with no
 * firewall read and with the Windows Firewall (whose rules name programs): the reach is judged
 * once and borrowed where the firewall judges addresses and ports only (fw_owner_blind), each
 * its own where it judges programs.
 */
TEST(judge_reach_shared_unless_the_firewall_judges_owners)
{
	for (int windows = 0; windows < 2; windows++) {
		struct ps_snapshot s = {0};
		struct registry reg = {0};
		static const char *const exe[] = {"/srv/web", "/srv/other"};
		for (int i = 0; i < 2; i++) {
			sock(&s, PS_ST_LISTEN, 0, 8080, 0);
			if (snap_add_proc(&s, 42 + i) != i)
				abort();
			s.procs[i].name = strdup(exe[i] + 5);
			s.procs[i].exe = strdup(exe[i]);
			if (!s.procs[i].name || !s.procs[i].exe ||
			    snap_add_owner(&s, (uint32_t)i, (uint32_t)i, 3))
				abort();
		}
		snap_group_owners(&s);
		struct fw_context c = {0};
		struct ps_fw_source src = {.kind = PS_FW_SRC_WINDOWS};
		if (windows)
			CHECK_INT(fw_context_open(&c, &src, &s), 0);
		CHECK(fw_owner_blind(windows ? &c : NULL, &s.socks[1]) == !windows);
		CHECK_INT(verdicts_compute(&s, &reg, windows ? &c : NULL), 0);
		const struct sock_verdict *a = verdict_of(&s, &s.socks[0]),
					  *b = verdict_of(&s, &s.socks[1]);
		CHECK(a && b && a != b);
		if (a && b) {
			CHECK(!a->borrowed);
			CHECK(b->borrowed == !windows);
		}
		if (windows) {
			fw_context_free(&c);
			fwmodel_free(s.firewall);
			s.firewall = NULL;
		}
		snap_free(&s);
		registry_free(&reg);
	}
}

TEST(judge_verdicts_follow_sort_and_filter)
{
	struct ps_snapshot s;
	struct registry reg = {0};
	build(&s);
	CHECK_INT(verdicts_compute(&s, &reg, NULL), 0);
	snap_sort(&s);
	for (size_t i = 0; i < s.nsocks; i++) {
		const struct sock_verdict *v = verdict_of(&s, &s.socks[i]);
		CHECK(v != NULL);
		if (v)
			CHECK_INT(v->svc_port,
				  s.socks[i].state == PS_ST_LISTEN ? 22 : s.socks[i].remote.port);
	}
	CHECK_INT(snap_retain(&s, keep_connections, NULL), 0);
	verdicts_count(&s);
	CHECK_INT(s.nsocks, 3);
	CHECK_INT(s.verdicts->with_findings, 0);
	CHECK_INT(verdict_worst(&s, &s.socks[0]), -1);
	snap_free(&s);
}

/* Address a.b.c.d on interface `name` of namespace ns, appended to the model's list. */
static void addr_in(struct ps_ifaddr **l, size_t *n, uint64_t ns, const char *name, uint8_t a,
		    uint8_t b, uint8_t c, uint8_t d)
{
	struct ps_ifaddr *x = realloc(*l, (*n + 1) * sizeof *x);
	if (!x)
		abort();
	*l = x;
	x[*n] =
	    (struct ps_ifaddr){.ifindex = (uint32_t)*n + 1, .ifname = strdup(name), .netns = ns};
	x[*n].addr.family = PS_INET;
	memcpy(x[*n].addr.bytes, (uint8_t[]){a, b, c, d}, 4);
	++*n;
}

TEST(judge_each_namespace_by_its_own_addresses)
{
	/* ours (1): lo and a private LAN; 2 (-N): lo and a public address, and a joined group; 3:
	 * its addresses could not be read */
	struct ps_snapshot s = {0};
	struct registry reg = {0};
	s.netns = 1;
	s.all_netns = true;
	s.nets = calloc(3, sizeof *s.nets);
	if (!s.nets)
		abort();
	s.nets[0] = (struct ps_netns){.inode = 1};
	s.nets[1] = (struct ps_netns){.inode = 2, .addrs_read = true};
	s.nets[2] = (struct ps_netns){.inode = 3, .addrs_err = -EACCES};
	s.nnets = 3;
	addr_in(&s.addrs, &s.naddrs, 1, "lo", 127, 0, 0, 1);
	addr_in(&s.addrs, &s.naddrs, 1, "lan0", 10, 0, 0, 1);
	addr_in(&s.addrs, &s.naddrs, 2, "lo", 127, 0, 0, 1);
	addr_in(&s.addrs, &s.naddrs, 2, "eth0", 203, 0, 113, 7);
	addr_in(&s.groups, &s.ngroups, 2, "eth0", 224, 0, 0, 251);
	for (uint64_t ns = 1; ns <= 3; ns++)
		sock(&s, PS_ST_LISTEN, 0, 445, 0)->netns = ns;
	struct ps_socket *g = sock(&s, PS_ST_CLOSE, 224, 5353, 0); /* 224.0.0.1 in ours */
	g->proto = PS_UDP;
	g->netns = 1;
	g->local.addr.bytes[3] = 251;
	CHECK_INT(verdicts_compute(&s, &reg, NULL), 0);
	const struct sock_verdict *v1 = verdict_of(&s, &s.socks[0]),
				  *v2 = verdict_of(&s, &s.socks[1]),
				  *v3 = verdict_of(&s, &s.socks[2]), *vg = verdict_of(&s, g);
	CHECK(v1 && v1->nreach == 2 && v1->reach[1].addr.bytes[0] == 10 &&
	      strcmp(v1->reach[1].ifname, "lan0") == 0 && v1->widest == PS_EXPO_PRIVATE);
	CHECK(v2 && v2->nreach == 2 && v2->reach[1].addr.bytes[0] == 203 &&
	      strcmp(v2->reach[1].ifname, "eth0") == 0 && v2->widest == PS_EXPO_PUBLIC);
	/* not read: reachable nowhere known, and a wildcard bind counts as public */
	CHECK(v3 && v3->nreach == 0 && v3->widest == PS_EXPO_PUBLIC);
	CHECK(vg && vg->nreach == 0); /* the group is joined in namespace 2, not in ours */
	snap_free(&s);
}

TEST(judge_unjudged_model_has_no_verdicts)
{
	struct ps_snapshot s;
	build(&s);
	CHECK(verdict_of(&s, &s.socks[0]) == NULL);
	CHECK_INT(verdict_worst(&s, &s.socks[0]), -1);
	verdicts_count(&s); /* nothing to count, no crash */
	snap_free(&s);
}

TEST(model_user_names)
{
	struct ps_snapshot s = {0};
	static struct ps_username u[] = {{0, (char *)"root"}, {33, NULL}, {1000, (char *)"alice"}};
	s.usernames = u;
	s.nusernames = 3;
	CHECK_STR(snap_user_name(&s, 0), "root");
	CHECK_STR(snap_user_name(&s, 1000), "alice");
	CHECK(snap_user_name(&s, 33) == NULL);
	CHECK(snap_user_name(&s, 5) == NULL);
	s.nusernames = 0;
	CHECK(snap_user_name(&s, 0) == NULL);
}
