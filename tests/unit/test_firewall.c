/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_firewall.c — the rule evaluator and the forward finder over hand-built rule models. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>

#include "../../src/enrich/fwdnat.h"
#include "test.h"

/* CHECK_STR for texts too long for its message buffer. */
#define CHECK_SAME(got, want) check_same(__FILE__, __LINE__, got, want)
static void check_same(const char *file, int line, const char *got, const char *want)
{
	if (strcmp(got, want) != 0) {
		fprintf(stderr, "  got:  %s\n  want: %s\n", got, want);
		test_fail(file, line, "texts differ");
	}
}

/* ---------------------------------------------------------------- building rule sets */

static long chain(struct fw_ruleset *rs, unsigned fam, const char *name, unsigned hook, int prio,
		  unsigned policy)
{
	long c = fw_chain_add(rs, "t", name, fam);
	if (c < 0)
		abort();
	rs->chains[c].hook = (uint8_t)hook;
	rs->chains[c].priority = prio;
	rs->chains[c].policy = (uint8_t)policy;
	return c;
}

static struct fw_rule *rule(struct fw_ruleset *rs, long c, unsigned verdict, long target)
{
	struct fw_rule *r = fw_rule_add(&rs->chains[c]);
	if (!r)
		abort();
	r->handle = rs->chains[c].nrules;
	r->v.kind = (uint8_t)verdict;
	r->v.chain = (int32_t)target;
	return r;
}

static struct fw_match *match(struct fw_rule *r, unsigned field, unsigned len)
{
	struct fw_match *m = fw_match_add(r, field, len);
	if (!m)
		abort();
	return m;
}

static void m_port(struct fw_rule *r, unsigned lo, unsigned hi, bool negate)
{
	struct fw_match *m = match(r, FW_F_DPORT, 2);
	uint8_t l[2] = {(uint8_t)(lo >> 8), (uint8_t)lo}, h[2] = {(uint8_t)(hi >> 8), (uint8_t)hi};
	m->negate = negate;
	fw_match_range(m, l, h);
}

static void m_byte(struct fw_rule *r, unsigned field, unsigned v)
{
	uint8_t b = (uint8_t)v;
	fw_match_range(match(r, field, 1), &b, &b);
}

static void m_u32(struct fw_rule *r, unsigned field, uint32_t v, bool negate)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
	struct fw_match *m = match(r, field, 4);
	m->negate = negate;
	fw_match_range(m, b, b);
}

static void m_prefix(struct fw_rule *r, unsigned field, const char *addr, unsigned plen,
		     bool negate)
{
	uint8_t a[16];
	unsigned len = strchr(addr, ':') ? 16 : 4;
	if (inet_pton(len == 4 ? AF_INET : AF_INET6, addr, a) != 1)
		abort();
	struct fw_range rg;
	fw_prefix_range(a, len, plen, &rg);
	struct fw_match *m = match(r, field, len);
	m->negate = negate;
	fw_match_range(m, rg.lo, rg.hi);
}

/* ct state & mask != 0 */
static void m_ct(struct fw_rule *r, uint32_t mask, bool negate)
{
	struct fw_match *m = match(r, FW_F_CTSTATE, 4);
	m->has_mask = true;
	m->mask[3] = (uint8_t)mask;
	m->negate = negate;
}

static void m_iifname(struct fw_rule *r, const char *name, bool prefix)
{
	uint8_t lo[16] = {0}, hi[16];
	memcpy(lo, name, strlen(name));
	memcpy(hi, lo, 16);
	if (prefix)
		memset(hi + strlen(name), 0xFF, 16 - strlen(name));
	fw_match_range(match(r, FW_F_IIFNAME, 16), lo, hi);
}

static struct fw_packet pkt(const char *daddr, unsigned port, const char *ifname)
{
	struct fw_packet p = {.l4proto = IPPROTO_TCP,
			      .dport = (uint16_t)port,
			      .iifname = ifname,
			      .iif = 2,
			      .daddr_type = FW_RTN_LOCAL};
	p.family = strchr(daddr, ':') ? 6 : 4;
	if (inet_pton(p.family == 4 ? AF_INET : AF_INET6, daddr, p.daddr) != 1)
		abort();
	return p;
}

/* Evaluate and return the verdict, with the accepted sources formatted into out. */
static int eval(const struct fw_ruleset *rs, const struct fw_packet *p, struct fw_result *res,
		char *out, size_t outlen)
{
	int rc = fw_evaluate(rs, p, res);
	CHECK_INT(rc, 0);
	out[0] = '\0';
	fw_srcset_format(&res->accepted, out, outlen);
	return res->reach;
}

/* ---------------------------------------------------------------- tests */

TEST(firewall_no_rules_accepts_all)
{
	struct fw_ruleset rs = {0};
	struct fw_packet p = pkt("192.0.2.1", 22, "eth0");
	struct fw_result res;
	char s[256];
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_ALL);
	CHECK_INT(res.chains, 0);
	CHECK_INT(res.drop_by.chain, -1);
	fw_result_free(&res);
}

TEST(firewall_policy_drop_and_accepted_port)
{
	struct fw_ruleset rs = {0};
	long in = chain(&rs, FW_FAM_INET, "input", FW_HOOK_INPUT, 0, FW_V_DROP);
	m_ct(rule(&rs, in, FW_V_ACCEPT, -1), FW_CT_ESTABLISHED | FW_CT_RELATED, false);
	struct fw_rule *r = rule(&rs, in, FW_V_ACCEPT, -1);
	m_byte(r, FW_F_L4PROTO, IPPROTO_TCP);
	m_port(r, 22, 22, false);
	struct fw_result res;
	char s[256];
	struct fw_packet p = pkt("192.0.2.1", 22, "eth0");
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_ALL);
	CHECK_INT(res.accept_by.chain, in);
	CHECK_INT(res.accept_by.rule,
		  1); /* not the ct state rule: a new connection is not established */
	fw_result_free(&res);
	p = pkt("192.0.2.1", 80, "eth0");
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_NONE);
	CHECK_INT(res.drop_by.chain, in);
	CHECK_INT(res.drop_by.rule, -1); /* the policy */
	fw_result_free(&res);
	p = pkt("2001:db8::1", 22, "eth0");
	p.l4proto = IPPROTO_UDP;
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_NONE);
	fw_result_free(&res);
	fw_ruleset_free(&rs);
}

/* A rule packed into the rule set (as the nf_tables reader stores them) is a whole copy: it decides
 * the same once the rule it was made from is gone, and the rule set releases it. */
TEST(firewall_packed_rule_is_a_whole_copy)
{
	struct fw_ruleset rs = {0};
	long in = chain(&rs, FW_FAM_INET, "input", FW_HOOK_INPUT, 0, FW_V_DROP);
	struct fw_rule src = {.handle = 7, .v = {FW_V_ACCEPT, -1}, .vmap.set = -1};
	m_byte(&src, FW_F_L4PROTO, IPPROTO_TCP);
	m_port(&src, 22, 22, false);
	m_port(&src, 2222, 2222, true);
	m_prefix(&src, FW_F_SADDR, "10.0.0.0", 8, false);
	src.comment = strdup("ssh from the lan");
	CHECK_INT(fw_rule_pack(&rs, &rs.chains[in], &src), 0);
	fw_rule_free(&src);
	const struct fw_rule *r = &rs.chains[in].rules[0];
	CHECK(r->packed && r->handle == 7 && r->nm == 4 && r->m[3].nranges == 1);
	CHECK_STR(r->comment, "ssh from the lan");
	CHECK(!r->unknown && r->m[2].negate);
	struct fw_result res;
	char s[256];
	struct fw_packet p = pkt("192.0.2.1", 22, "eth0");
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_SOME);
	CHECK_STR(s, "10.0.0.0/8");
	CHECK_INT(res.accept_by.rule, 0);
	fw_result_free(&res);
	fw_ruleset_free(&rs); /* ASan's leak check: nothing of the packed rule is left behind */
}

TEST(firewall_some_sources_by_prefix_and_negation)
{
	struct fw_ruleset rs = {0};
	long in = chain(&rs, FW_FAM_IP, "INPUT", FW_HOOK_INPUT, 0, FW_V_DROP);
	struct fw_rule *r = rule(&rs, in, FW_V_ACCEPT, -1);
	m_prefix(r, FW_F_SADDR, "10.0.0.0", 8, false);
	m_port(r, 6379, 6379, false);
	r = rule(&rs, in, FW_V_REJECT, -1);
	m_prefix(r, FW_F_SADDR, "192.168.0.0", 16, true); /* everyone but 192.168/16 is rejected */
	m_port(r, 5432, 5432, false);
	rule(&rs, in, FW_V_ACCEPT, -1);
	struct fw_result res;
	char s[256];
	struct fw_packet p = pkt("192.0.2.1", 6379, "eth0");
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s),
		  FW_REACH_ALL); /* the last rule accepts the rest */
	fw_result_free(&res);
	rs.chains[in].nrules--; /* drop the final accept */
	fw_rule_free(&rs.chains[in].rules[rs.chains[in].nrules]);
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_SOME);
	CHECK_STR(s, "10.0.0.0/8");
	CHECK_INT(res.accept_by.rule, 0);
	CHECK_INT(res.drop_by.rule, -1);
	fw_result_free(&res);
	p = pkt("192.0.2.1", 5432, "eth0");
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_NONE);
	CHECK_INT(res.drop_by.rule, 1); /* the reject, first; 192.168/16 falls to the policy */
	fw_result_free(&res);
	fw_ruleset_free(&rs);
}

TEST(firewall_jump_return_and_goto)
{
	struct fw_ruleset rs = {0};
	long in = chain(&rs, FW_FAM_INET, "input", FW_HOOK_INPUT, 0, FW_V_DROP);
	long ssh = chain(&rs, FW_FAM_INET, "ssh", FW_HOOK_NONE, 0, FW_V_ACCEPT);
	long a = chain(&rs, FW_FAM_INET, "a", FW_HOOK_NONE, 0, FW_V_ACCEPT);
	long b = chain(&rs, FW_FAM_INET, "b", FW_HOOK_NONE, 0, FW_V_ACCEPT);
	m_port(rule(&rs, in, FW_V_JUMP, ssh), 22, 22, false);
	m_port(rule(&rs, in, FW_V_JUMP, a), 80, 80, false);
	m_prefix(rule(&rs, in, FW_V_ACCEPT, -1), FW_F_SADDR, "203.0.113.0", 24, false);
	m_prefix(rule(&rs, ssh, FW_V_RETURN, -1), FW_F_SADDR, "203.0.113.0", 24, false);
	m_prefix(rule(&rs, ssh, FW_V_ACCEPT, -1), FW_F_SADDR, "198.51.100.7", 32, false);
	rule(&rs, ssh, FW_V_DROP, -1);
	rule(&rs, a, FW_V_GOTO, b); /* b falls through: back to input, not to a's accept */
	rule(&rs, a, FW_V_ACCEPT, -1);
	struct fw_result res;
	char s[256];
	struct fw_packet p = pkt("192.0.2.1", 22, "eth0");
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_SOME);
	CHECK_STR(
	    s, "198.51.100.7,203.0.113.0/24"); /* returned, then accepted by input's third rule */
	CHECK_INT(res.drop_by.chain, ssh);
	fw_result_free(&res);
	p = pkt("192.0.2.1", 80, "eth0");
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_SOME);
	CHECK_STR(s, "203.0.113.0/24");
	fw_result_free(&res);
	rs.chains[a].rules[0].v.kind =
	    FW_V_JUMP; /* now b returns into a, whose accept takes everyone */
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_ALL);
	CHECK_INT(res.accept_by.chain, a);
	fw_result_free(&res);
	fw_ruleset_free(&rs);
}

TEST(firewall_verdict_maps_on_port_and_source)
{
	struct fw_ruleset rs = {0};
	long in = chain(&rs, FW_FAM_INET, "input", FW_HOOK_INPUT, 0, FW_V_DROP);
	long ports = fw_set_add(&rs, "t", "ports", FW_FAM_INET, 2);
	long srcs = fw_set_add(&rs, "t", "srcs", FW_FAM_INET, 4);
	rs.sets[ports].vmap = rs.sets[srcs].vmap = true;
	struct fw_elem *e = fw_elem_add(&rs.sets[ports]);
	e->key.lo[1] = e->key.hi[1] = 22;
	e->v.kind = FW_V_ACCEPT;
	e = fw_elem_add(&rs.sets[ports]);
	e->key.lo[1] = e->key.hi[1] = 80;
	e->v.kind = FW_V_DROP;
	e = fw_elem_add(&rs.sets[srcs]);
	fw_prefix_range((const uint8_t[]){10, 1, 0, 0}, 4, 16, &e->key);
	e->v.kind = FW_V_ACCEPT;
	e = fw_elem_add(&rs.sets[srcs]);
	fw_prefix_range((const uint8_t[]){10, 0, 0, 0}, 4, 8,
			&e->key); /* nft sets never overlap; the
				   * first element wins here */
	e->key.lo[1] = 2;
	e->v.kind = FW_V_REJECT;
	struct fw_rule *r = rule(&rs, in, FW_V_VMAP, -1);
	r->vmap = (struct fw_match){.field = FW_F_DPORT, .len = 2, .set = (int32_t)ports};
	r = rule(&rs, in, FW_V_VMAP, -1);
	m_byte(r, FW_F_NFPROTO, 2);
	r->vmap = (struct fw_match){.field = FW_F_SADDR, .len = 4, .set = (int32_t)srcs};
	rule(&rs, in, FW_V_ACCEPT, -1);
	struct fw_result res;
	char s[256];
	struct fw_packet p = pkt("192.0.2.1", 22, "eth0");
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_ALL);
	fw_result_free(&res);
	p.dport = 80;
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_NONE);
	CHECK_INT(res.drop_by.rule, 0);
	fw_result_free(&res);
	p.dport = 443; /* no element: on to the source map, then the final accept */
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_SOME);
	CHECK_SAME(s, "0.0.0.0/5,8.0.0.0/7,10.0.0.0/15,11.0.0.0/8,12.0.0.0/6,16.0.0.0/4,32.0.0.0/"
		      "3,64.0.0.0/2,"
		      "128.0.0.0/1");
	CHECK_INT(res.drop_by.rule, 1);
	fw_result_free(&res);
	fw_ruleset_free(&rs);
}

TEST(firewall_unknown_rule_decides_only_with_a_verdict)
{
	struct fw_ruleset rs = {0};
	long in = chain(&rs, FW_FAM_INET, "input", FW_HOOK_INPUT, 0, FW_V_ACCEPT);
	struct fw_rule *r = rule(&rs, in, FW_V_CONTINUE, -1); /* limit ... log: decides nothing */
	r->unknown = strdup("expression limit");
	r = rule(&rs, in, FW_V_DROP, -1);
	m_port(r, 3000, 3000, false);
	r->unknown = strdup("expression limit");
	r = rule(&rs, in, FW_V_DROP, -1); /* source port: a property of the client */
	m_port(r, 68, 68, false);
	uint8_t sp[2] = {0, 67};
	fw_match_range(match(r, FW_F_SPORT, 2), sp, sp);
	struct fw_result res;
	char s[256];
	struct fw_packet p = pkt("192.0.2.1", 22, "eth0");
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_ALL);
	fw_result_free(&res);
	p.dport = 3000;
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_UNKNOWN);
	CHECK_INT(res.unknown_by.rule, 1);
	CHECK(res.why != NULL);
	fw_result_free(&res);
	p.dport = 68;
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_UNKNOWN);
	CHECK_INT(res.unknown_by.rule, 2);
	fw_result_free(&res);
	p.iifname = NULL; /* an iifname match on an unnamed interface is unknown too */
	p.dport = 22;
	m_iifname(rule(&rs, in, FW_V_DROP, -1), "eth", true);
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_UNKNOWN);
	fw_result_free(&res);
	fw_ruleset_free(&rs);
}

/* A rule whose match is not decoded is followed both ways: certain where both end alike. */
TEST(firewall_undecoded_rule_followed_both_ways)
{
	struct fw_ruleset rs = {0};
	long in = chain(&rs, FW_FAM_IP6, "input", FW_HOOK_INPUT, 0, FW_V_DROP);
	long log = chain(&rs, FW_FAM_IP6, "logdeny", FW_HOOK_NONE, 0, FW_V_ACCEPT);
	struct fw_rule *r = rule(&rs, in, FW_V_DROP, -1); /* an unknown match, then drop */
	r->unknown = strdup("xt match hbh revision 0");
	r = rule(&rs, in, FW_V_JUMP, log); /* limit -j logdeny: logdeny only logs and returns */
	r->unknown = strdup("expression limit");
	rule(&rs, log, FW_V_CONTINUE, -1)->unknown = strdup("expression limit");
	m_port(rule(&rs, in, FW_V_ACCEPT, -1), 22, 22, false);
	r = rule(&rs, in, FW_V_ACCEPT, -1); /* recent: accept, or fall to the drop policy */
	m_port(r, 2222, 2222, false);
	r->unknown = strdup("xt match recent revision 0");
	struct fw_result res;
	char s[256];
	struct fw_packet p = pkt("2001:db8::7", 111, "eth0");
	/* dropped whether or not the unknown rules match: certain, no unknown rule blamed */
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_NONE);
	CHECK_INT(res.drop_by.rule, -1); /* the policy, not the rule that may drop */
	CHECK(res.why == NULL);
	fw_result_free(&res);
	/* 22: accepted unless the first rule matches, which a normal connection may not */
	p.dport = 22;
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_UNKNOWN);
	CHECK_INT(res.unknown_by.rule, 0);
	fw_result_free(&res);
	free(rs.chains[in].rules[0].unknown); /* decoded: 22 is open, 2222 still depends */
	rs.chains[in].rules[0].unknown = NULL;
	m_port(&rs.chains[in].rules[0], 1, 1, false);
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_ALL);
	CHECK_INT(res.accept_by.rule, 2);
	fw_result_free(&res);
	p.dport = 2222;
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_UNKNOWN);
	CHECK_INT(res.unknown_by.rule, 3);
	CHECK(res.why != NULL);
	fw_result_free(&res);
	fw_ruleset_free(&rs);
}

/* oifname is the output hook's (lo for a connection from here); on the way in there is none. */
TEST(firewall_oifname_and_routing_header)
{
	struct fw_ruleset rs = {0};
	long out = chain(&rs, FW_FAM_IP, "output", FW_HOOK_OUTPUT, 0, FW_V_DROP);
	long in = chain(&rs, FW_FAM_IP, "input", FW_HOOK_INPUT, 0, FW_V_ACCEPT);
	struct fw_rule *r = rule(&rs, out, FW_V_ACCEPT, -1);
	uint8_t lo[16] = "lo";
	fw_match_range(match(r, FW_F_OIFNAME, 16), lo, lo);
	r = rule(&rs, in, FW_V_DROP, -1); /* "oifname != lo drop" never matches on input */
	struct fw_match *m = match(r, FW_F_OIFNAME, 16);
	fw_match_range(m, lo, lo);
	m->negate = true;
	m_u32(rule(&rs, in, FW_V_DROP, -1), FW_F_RTHDR_TYPE, 0, false); /* ip6t rt: no header */
	struct fw_result res;
	char s[256];
	struct fw_packet p = pkt("127.0.0.1", 5432, "lo");
	p.local = true;
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_ALL);
	fw_result_free(&res);
	p = pkt("203.0.113.7", 5432, "eth0");
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_ALL);
	fw_result_free(&res);
	p = pkt("127.0.0.1", 5432, "lo");
	p.local = true;
	rs.chains[out].rules[0].m[0].ranges[0].lo[0] = 'x'; /* oifname "xo": lo falls to drop */
	rs.chains[out].rules[0].m[0].ranges[0].hi[0] = 'x';
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_NONE);
	fw_result_free(&res);
	fw_ruleset_free(&rs);
}

TEST(firewall_base_chains_families_hooks_and_nat)
{
	struct fw_ruleset rs = {0};
	long f1 = chain(&rs, FW_FAM_IP, "in1", FW_HOOK_INPUT, 0, FW_V_ACCEPT);
	long f2 = chain(&rs, FW_FAM_INET, "in2", FW_HOOK_INPUT, 10, FW_V_ACCEPT);
	long v6 = chain(&rs, FW_FAM_IP6, "in6", FW_HOOK_INPUT, -10, FW_V_DROP);
	long raw = chain(&rs, FW_FAM_IP, "raw", FW_HOOK_PREROUTING, -300, FW_V_ACCEPT);
	long nat = chain(&rs, FW_FAM_IP, "nat", FW_HOOK_PREROUTING, -100, FW_V_ACCEPT);
	long fwd = chain(&rs, FW_FAM_IP, "fwd", FW_HOOK_FORWARD, 0, FW_V_DROP);
	rs.chains[nat].type = FW_CT_NAT;
	m_port(rule(&rs, f1, FW_V_ACCEPT, -1), 80, 80, false); /* accept ends in1 only */
	m_port(rule(&rs, f2, FW_V_DROP, -1), 80, 80, false);
	m_prefix(rule(&rs, raw, FW_V_DROP, -1), FW_F_SADDR, "198.18.0.0", 15, false);
	struct fw_rule *r = rule(&rs, nat, FW_V_DNAT, -1);
	m_port(r, 8080, 8080, false);
	m_iifname(r, "eth0", false);
	rule(&rs, fwd, FW_V_DROP, -1);
	(void)v6;
	struct fw_result res;
	char s[256];
	struct fw_packet p = pkt("192.0.2.1", 80, "eth0");
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_NONE);
	CHECK_INT(res.drop_by.chain, raw); /* prerouting runs first */
	CHECK_INT(res.chains, 4);	   /* raw, nat, in1, in2 (not in6, not forward) */
	fw_result_free(&res);
	p.dport = 22;
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_SOME);
	CHECK_SAME(
	    s, "0.0.0.0/1,128.0.0.0/2,192.0.0.0/6,196.0.0.0/7,198.0.0.0/12,198.16.0.0/"
	       "15,198.20.0.0/14,"
	       "198.24.0.0/13,198.32.0.0/11,198.64.0.0/10,198.128.0.0/9,199.0.0.0/8,200.0.0.0/5,"
	       "208.0.0.0/4,224.0.0.0/3");
	CHECK_INT(res.drop_by.chain, raw);
	fw_result_free(&res);
	p.dport = 8080;
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_NONE);
	CHECK_INT(res.forward_by.chain, nat);
	fw_result_free(&res);
	p.iifname = "eth1"; /* the DNAT is for eth0 only */
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_SOME);
	CHECK_INT(res.forward_by.chain, -1);
	fw_result_free(&res);
	p.local = true; /* from this machine: the nat prerouting chain is not run */
	p.iifname = "lo";
	p.iif = 1;
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_SOME);
	CHECK_INT(res.forward_by.chain, -1);
	fw_result_free(&res);
	p = pkt("2001:db8::1", 80, "eth0");
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_NONE);
	CHECK_INT(res.drop_by.chain, v6);
	fw_result_free(&res);
	fw_ruleset_free(&rs);
}

TEST(firewall_fib_ct_and_iifname_wildcards)
{
	struct fw_ruleset rs = {0};
	long in = chain(&rs, FW_FAM_INET, "input", FW_HOOK_INPUT, 0, FW_V_DROP);
	m_u32(rule(&rs, in, FW_V_DROP, -1), FW_F_FIB_DADDR_TYPE, FW_RTN_LOCAL,
	      true); /* not local: drop */
	m_ct(rule(&rs, in, FW_V_DROP, -1), FW_CT_INVALID, false);
	struct fw_rule *r = rule(&rs, in, FW_V_ACCEPT, -1);
	m_iifname(r, "wg", true);
	m_port(r, 51820, 51820, false);
	m_ct(r, FW_CT_NEW | FW_CT_UNTRACKED, false);
	r = rule(&rs, in, FW_V_ACCEPT, -1);
	m_u32(r, FW_F_IIF, 1, false);
	struct fw_result res;
	char s[256];
	struct fw_packet p = pkt("10.1.2.3", 51820, "wg0");
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_ALL);
	fw_result_free(&res);
	p.iifname = "eth0";
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_NONE);
	fw_result_free(&res);
	p.iif = 1; /* lo by index */
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_ALL);
	CHECK_INT(res.accept_by.rule, 3);
	fw_result_free(&res);
	p.daddr_type = FW_RTN_BROADCAST;
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_NONE);
	CHECK_INT(res.drop_by.rule, 0);
	fw_result_free(&res);
	fw_ruleset_free(&rs);
}

TEST(firewall_ipv6_sources_and_loops)
{
	struct fw_ruleset rs = {0};
	long in = chain(&rs, FW_FAM_IP6, "input", FW_HOOK_INPUT, 0, FW_V_DROP);
	long loop = chain(&rs, FW_FAM_IP6, "loop", FW_HOOK_NONE, 0, FW_V_ACCEPT);
	m_prefix(rule(&rs, in, FW_V_ACCEPT, -1), FW_F_SADDR, "2001:db8:1::", 48, false);
	m_prefix(rule(&rs, in, FW_V_ACCEPT, -1), FW_F_SADDR, "fe80::", 10, false);
	struct fw_result res;
	char s[256];
	struct fw_packet p = pkt("2001:db8::5", 443, "eth0");
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_SOME);
	CHECK_STR(s, "2001:db8:1::/48,fe80::/10");
	fw_result_free(&res);
	rule(&rs, loop, FW_V_JUMP,
	     loop); /* a loop the kernel would refuse; a recording may hold one */
	m_port(rule(&rs, in, FW_V_JUMP, loop), 443, 443, false);
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_UNKNOWN);
	CHECK_STR(res.why, "chains nest too deeply");
	fw_result_free(&res);
	fw_ruleset_free(&rs);
}

TEST(firewall_srcset_format)
{
	struct fw_range r[2];
	memset(r, 0, sizeof r);
	memcpy(r[0].lo, (const uint8_t[]){10, 0, 0, 1}, 4);
	memcpy(r[0].hi, (const uint8_t[]){10, 0, 0, 6}, 4);
	memcpy(r[1].lo, (const uint8_t[]){255, 255, 255, 255}, 4);
	memcpy(r[1].hi, (const uint8_t[]){255, 255, 255, 255}, 4);
	struct fw_srcset s = {.r = r, .n = 2, .len = 4};
	char out[128];
	CHECK_INT(fw_srcset_format(&s, out, sizeof out), 5);
	CHECK_STR(out, "10.0.0.1,10.0.0.2/31,10.0.0.4/31,10.0.0.6,255.255.255.255");
	char small[20];
	fw_srcset_format(&s, small, sizeof small);
	CHECK_STR(small, "10.0.0.1,...");
}

TEST(firewall_forwards_inherit_the_path)
{
	struct fw_ruleset rs = {0};
	long pre = chain(&rs, FW_FAM_IP, "PREROUTING", FW_HOOK_PREROUTING, -100, FW_V_ACCEPT);
	long out = chain(&rs, FW_FAM_IP, "OUTPUT", FW_HOOK_OUTPUT, -100, FW_V_ACCEPT);
	long dk = chain(&rs, FW_FAM_IP, "DOCKER", FW_HOOK_NONE, 0, FW_V_ACCEPT);
	long svc = chain(&rs, FW_FAM_IP, "KUBE-SVC-X", FW_HOOK_NONE, 0, FW_V_ACCEPT);
	long sep = chain(&rs, FW_FAM_IP, "KUBE-SEP-Y", FW_HOOK_NONE, 0, FW_V_ACCEPT);
	rs.chains[pre].type = rs.chains[out].type = FW_CT_NAT;
	m_u32(rule(&rs, pre, FW_V_JUMP, dk), FW_F_FIB_DADDR_TYPE, FW_RTN_LOCAL, false);
	m_u32(rule(&rs, out, FW_V_JUMP, dk), FW_F_FIB_DADDR_TYPE, FW_RTN_LOCAL, false);
	struct fw_rule *r = rule(&rs, dk, FW_V_DNAT, -1);
	m_byte(r, FW_F_L4PROTO, IPPROTO_TCP);
	m_port(r, 8080, 8080, false);
	r->nat = (struct fw_nat){.family = 4,
				 .has_addr = true,
				 .addr_lo = {172, 17, 0, 2},
				 .has_port = true,
				 .port_lo = 80,
				 .port_hi = 80};
	r = rule(&rs, pre, FW_V_JUMP, svc);
	m_prefix(r, FW_F_DADDR, "10.96.0.1", 32, false);
	m_byte(r, FW_F_L4PROTO, IPPROTO_TCP);
	m_port(r, 443, 443, false);
	rule(&rs, svc, FW_V_JUMP, sep)->unknown = strdup("xt match statistic revision 0");
	r = rule(&rs, sep, FW_V_DNAT, -1);
	m_byte(r, FW_F_L4PROTO, IPPROTO_TCP);
	r->nat = (struct fw_nat){.family = 4,
				 .has_addr = true,
				 .addr_lo = {10, 244, 0, 5},
				 .has_port = true,
				 .port_lo = 6443,
				 .port_hi = 6443};
	r = rule(&rs, pre, FW_V_REDIRECT, -1);
	m_port(r, 1000, 65535, false);
	m_port(r, 0, 1999, false); /* nft writes a range as two comparisons */
	r->nat = (struct fw_nat){.family = 4, .has_port = true, .port_lo = 53, .port_hi = 53};
	struct fw_forward *f = NULL;
	size_t n = 0;
	CHECK_INT(fw_forwards(&rs, &f, &n), 0);
	CHECK_INT(n, 3);
	if (n == 3) {
		/* sorted by chain and rule: PREROUTING's redirect first */
		CHECK_INT(f[0].rule.chain, pre);
		CHECK(f[0].redirect);
		CHECK_INT(f[0].port_lo, 1000);
		CHECK_INT(f[0].port_hi, 1999);
		CHECK(f[0].runtime == NULL);
		CHECK_INT(f[1].rule.chain, dk); /* reached from both hooks, listed once */
		CHECK(f[1].prerouting && f[1].output);
		CHECK_INT(f[1].port_lo, 8080);
		CHECK_INT(f[1].l4proto, IPPROTO_TCP);
		CHECK_STR(f[1].runtime, "docker");
		CHECK(!f[1].has_daddr);
		CHECK_INT(f[2].rule.chain, sep);
		CHECK_STR(f[2].runtime, "kubernetes");
		CHECK(f[2].has_daddr && f[2].daddr.lo[0] == 10 && f[2].daddr.lo[1] == 96);
		CHECK_INT(f[2].port_lo, 443); /* from the jump in PREROUTING */
		CHECK_INT(f[2].to.port_lo, 6443);
		CHECK(f[2].prerouting && !f[2].output);
	}
	free(f);
	fw_ruleset_free(&rs);
}

/*
 * Chains that each jump to the next several times (the kernel allows it, up to 16 deep):
 * followed path by path that is 4^14 chain walks, a hang. The evaluator gives up at its
 * budget and says unknown; the forward finder returns what it found by then.
 */
TEST(firewall_branching_chains_end)
{
	struct fw_ruleset rs = {0};
	long in = chain(&rs, FW_FAM_INET, "input", FW_HOOK_INPUT, 0, FW_V_DROP);
	long pre = chain(&rs, FW_FAM_IP, "pre", FW_HOOK_PREROUTING, -100, FW_V_ACCEPT);
	rs.chains[pre].type = FW_CT_NAT;
	long c[15];
	for (int i = 0; i < 15; i++) {
		char name[16];
		snprintf(name, sizeof name, "c%d", i);
		c[i] = chain(&rs, FW_FAM_INET, name, FW_HOOK_NONE, 0, FW_V_ACCEPT);
	}
	rule(&rs, in, FW_V_JUMP, c[0]);
	rule(&rs, pre, FW_V_JUMP, c[0]);
	for (int i = 0; i < 14; i++)
		for (int w = 0; w < 4; w++)
			m_port(rule(&rs, c[i], FW_V_JUMP, c[i + 1]), 443, 443, false);
	m_prefix(rule(&rs, c[14], FW_V_ACCEPT, -1), FW_F_SADDR, "198.51.100.7", 32, false);
	struct fw_rule *r = rule(&rs, c[14], FW_V_DNAT, -1);
	m_port(r, 8443, 8443, false);
	r->nat = (struct fw_nat){.family = 4, .has_port = true, .port_lo = 443, .port_hi = 443};
	struct fw_result res;
	char s[256];
	struct fw_packet p = pkt("192.0.2.1", 443, "eth0");
	CHECK_INT(eval(&rs, &p, &res, s, sizeof s), FW_REACH_UNKNOWN);
	CHECK_STR(res.why, "chains branch too often to follow every path");
	fw_result_free(&res);
	struct fw_forward *f = NULL;
	size_t n = 0;
	CHECK_INT(fw_forwards(&rs, &f, &n), 0);
	free(f);
	/* a long chain that does not branch is followed to its end: 50,000 rules */
	struct fw_ruleset big = {0};
	in = chain(&big, FW_FAM_INET, "input", FW_HOOK_INPUT, 0, FW_V_DROP);
	for (unsigned i = 0; i < 50000; i++)
		m_port(rule(&big, in, FW_V_ACCEPT, -1), 10000 + i, 10000 + i, false);
	p = pkt("192.0.2.1", 59999, "eth0");
	CHECK_INT(eval(&big, &p, &res, s, sizeof s), FW_REACH_ALL);
	CHECK_INT(res.accept_by.rule, 49999);
	fw_result_free(&res);
	fw_ruleset_free(&big);
	fw_ruleset_free(&rs);
}
