/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_fwjudge.c — per-address verdicts for a listener, the exposure they leave, and rule texts. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>

#include "../../src/enrich/fwjudge.h"
#include "test.h"

static struct ps_addr addr(const char *text)
{
	struct ps_addr a = {.family = strchr(text, ':') ? PS_INET6 : PS_INET};
	if (inet_pton(a.family == PS_INET ? AF_INET : AF_INET6, text, a.bytes) != 1)
		abort();
	return a;
}

TEST(fwjudge_packet_for_a_listener)
{
	struct ps_socket k = {.proto = PS_UDP, .local = {.addr = addr("::"), .port = 5353}};
	struct ps_ifaddr ifs[2] = {{.ifindex = 1, .ifname = "lo", .addr = addr("127.0.0.1")},
				   {.ifindex = 7, .ifname = "eth0", .addr = addr("203.0.113.7")}};
	struct reach r = {.ifname = "eth0", .addr = addr("::ffff:203.0.113.7")};
	struct fw_packet p;
	fw_packet_for(&k, &r, ifs, 2, &p);
	CHECK_INT(p.family, 4); /* a dual-stack socket's IPv4 address is judged as IPv4 */
	CHECK(!memcmp(p.daddr, (uint8_t[]){203, 0, 113, 7}, 4));
	CHECK_INT(p.l4proto, IPPROTO_UDP);
	CHECK_INT(p.dport, 5353);
	CHECK_INT(p.iif, 7);
	CHECK_INT(p.daddr_type, FW_RTN_LOCAL);
	CHECK(!p.local);
	r = (struct reach){.ifname = "lo", .addr = addr("::1")};
	fw_packet_for(&k, &r, ifs, 2, &p);
	CHECK(p.family == 6 && p.local && p.iif == 1);
	r = (struct reach){.ifname = "eth0", .addr = addr("224.0.0.251")};
	fw_packet_for(&k, &r, ifs, 2, &p);
	CHECK_INT(p.daddr_type, FW_RTN_MULTICAST);
	r = (struct reach){.ifname = NULL, .addr = addr("255.255.255.255")};
	fw_packet_for(&k, &r, ifs, 2, &p);
	CHECK_INT(p.daddr_type, FW_RTN_BROADCAST);
	CHECK_INT(p.iif, 0);
}

TEST(fwjudge_verdicts_exposure_and_text)
{
	struct fw_ruleset rs = {0};
	long in = fw_chain_add(&rs, "filter", "INPUT", FW_FAM_IP);
	rs.chains[in].hook = FW_HOOK_INPUT;
	rs.chains[in].policy = FW_V_DROP;
	struct fw_rule *r = fw_rule_add(&rs.chains[in]);
	r->handle = 4;
	r->v.kind = FW_V_ACCEPT;
	struct fw_match *m = fw_match_add(r, FW_F_IIFNAME, 16);
	uint8_t lo[16] = "lo";
	fw_match_range(m, lo, lo);
	r = fw_rule_add(&rs.chains[in]);
	r->handle = 9;
	r->v.kind = FW_V_ACCEPT;
	r->comment = strdup("lan");
	m = fw_match_add(r, FW_F_SADDR, 4);
	struct fw_range rg;
	fw_prefix_range((const uint8_t[]){10, 0, 0, 0}, 4, 8, &rg);
	fw_match_range(m, rg.lo, rg.hi);
	m = fw_match_add(r, FW_F_IIFNAME, 16);
	uint8_t lan[16] = "lan0";
	fw_match_range(m, lan, lan);

	struct ps_socket k = {.proto = PS_TCP, .local = {.addr = addr("0.0.0.0"), .port = 6379}};
	struct ps_ifaddr ifs[3] = {{.ifindex = 1, .ifname = "lo", .addr = addr("127.0.0.1")},
				   {.ifindex = 2, .ifname = "lan0", .addr = addr("10.1.2.3")},
				   {.ifindex = 3, .ifname = "eth0", .addr = addr("203.0.113.7")}};
	struct reach reach[3] = {{"lo", ifs[0].addr}, {"lan0", ifs[1].addr}, {"eth0", ifs[2].addr}};
	struct fw_reach_verdict v[3];
	CHECK_INT(fw_judge_reach(&rs, NULL, "", &k, reach, 3, ifs, 3, v), 0);
	CHECK_INT(v[0].reach, FW_REACH_ALL);
	CHECK_INT(v[1].reach, FW_REACH_SOME);
	CHECK_STR(v[1].sources, "10.0.0.0/8");
	CHECK_INT(v[1].accept_rule.rule, 1);
	CHECK_INT(v[1].rule.rule, -1); /* the first drop: the policy */
	CHECK_INT(v[2].reach, FW_REACH_NONE);
	CHECK(v[0].sources == NULL && v[2].sources == NULL);
	/* The public address is refused: the widest class that gets through is the LAN's. */
	CHECK_INT(fw_effective_exposure(reach, v, 3), PS_EXPO_PRIVATE);
	CHECK_INT(fw_effective_exposure(reach + 2, v + 2, 1), -1);
	struct buf t = {0};
	CHECK_INT(fw_rule_text(&rs, v[1].accept_rule, &t), 0);
	CHECK_STR(t.data, "ip filter INPUT rule 2 (handle 9): accept; comment \"lan\"");
	buf_clear(&t);
	CHECK_INT(fw_rule_text(&rs, v[2].rule, &t), 0);
	CHECK_STR(t.data, "ip filter INPUT policy drop");
	buf_free(&t);
	fw_reach_verdicts_free(v, 3);

	/* Rules that could not be read: every address says so, and nothing is taken for a drop. */
	/* iptables-legacy tables of IPv4: accepts become unknown, drops stay. */
	CHECK_INT(fw_judge_reach(&rs, NULL, "ip6:nat ip:filter", &k, reach, 3, ifs, 3, v), 0);
	CHECK(v[0].reach == FW_REACH_UNKNOWN && v[1].reach == FW_REACH_UNKNOWN &&
	      v[2].reach == FW_REACH_NONE);
	CHECK(v[0].why && strstr(v[0].why, "iptables-legacy"));
	fw_reach_verdicts_free(v, 3);
	CHECK_INT(fw_judge_reach(&rs, NULL, "ip6:filter", &k, reach, 3, ifs, 3, v), 0);
	CHECK_INT(v[0].reach, FW_REACH_ALL); /* IPv6 tables say nothing about IPv4 */
	fw_reach_verdicts_free(v, 3);

	CHECK_INT(fw_judge_reach(NULL, "needs CAP_NET_ADMIN", NULL, &k, reach, 3, ifs, 3, v), 0);
	CHECK_INT(v[2].reach, FW_REACH_NOT_READ);
	CHECK_STR(v[2].why, "needs CAP_NET_ADMIN");
	CHECK_INT(fw_effective_exposure(reach, v, 3), PS_EXPO_PUBLIC);
	fw_reach_verdicts_free(v, 3);
	fw_ruleset_free(&rs);
}
