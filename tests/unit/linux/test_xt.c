/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_xt.c — xt target and match payload decoders, checked against the kernel's own uapi
 * structures. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/xt_addrtype.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_state.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/netfilter_ipv6/ip6t_rt.h>
#include <stdlib.h>

#include "../../../src/platform/linux/xt_decode.h"
#include "../test.h"
#include "../testutil.h"

/* Decode from an exact-size heap copy, so ASan sees any read past the payload. */
static int nat(const char *name, unsigned rev, unsigned fam, const void *p, size_t n,
	       struct fw_nat *out)
{
	char *c = tu_exact(p, n);
	int rc = xt_nat_decode(name, rev, fam, c, n, out);
	free(c);
	return rc;
}

static int mt(const char *name, unsigned rev, const void *p, size_t n, struct fw_rule *r)
{
	char *c = tu_exact(p, n);
	int rc = xt_match_decode(name, rev, 4, c, n, r);
	free(c);
	return rc;
}

TEST(xt_dnat_rev0_compat_range)
{
	struct nf_nat_ipv4_multi_range_compat m = {.rangesize = 1};
	m.range[0].flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED;
	inet_pton(AF_INET, "172.17.0.2", &m.range[0].min_ip);
	inet_pton(AF_INET, "172.17.0.3", &m.range[0].max_ip);
	m.range[0].min.tcp.port = htons(80);
	m.range[0].max.tcp.port = htons(81);
	struct fw_nat n;
	CHECK_INT(nat("DNAT", 0, 4, &m, sizeof m, &n), 0);
	CHECK(n.has_addr && n.has_port);
	CHECK(!memcmp(n.addr_lo, (uint8_t[]){172, 17, 0, 2}, 4));
	CHECK(!memcmp(n.addr_hi, (uint8_t[]){172, 17, 0, 3}, 4));
	CHECK_INT(n.port_lo, 80);
	CHECK_INT(n.port_hi, 81);
	CHECK_INT(n.family, 4);
	m.range[0].flags = NF_NAT_RANGE_MAP_IPS; /* --to-destination ADDR without a port */
	CHECK_INT(nat("DNAT", 0, 4, &m, sizeof m, &n), 0);
	CHECK(n.has_addr && !n.has_port);
	CHECK_INT(nat("DNAT", 0, 6, &m, sizeof m, &n), -EOPNOTSUPP); /* rev 0 is IPv4 only */
	m.rangesize = 2;
	CHECK_INT(nat("DNAT", 0, 4, &m, sizeof m, &n), -EINVAL);
}

TEST(xt_dnat_rev1_and_rev2_ranges)
{
	struct nf_nat_range2 r2 = {.flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED};
	inet_pton(AF_INET6, "fd00:d0c::2", &r2.min_addr);
	inet_pton(AF_INET6, "fd00:d0c::2", &r2.max_addr);
	r2.min_proto.tcp.port = r2.max_proto.tcp.port = htons(8443);
	struct fw_nat n;
	CHECK_INT(nat("DNAT", 2, 6, &r2, sizeof r2, &n), 0);
	CHECK(n.has_addr && n.addr_lo[0] == 0xfd && n.addr_lo[15] == 2 && n.addr_hi[15] == 2);
	CHECK_INT(n.port_lo, 8443);
	CHECK_INT(n.family, 6);
	struct nf_nat_range r1 = {.flags = NF_NAT_RANGE_MAP_IPS};
	inet_pton(AF_INET, "10.88.0.2", &r1.min_addr);
	inet_pton(AF_INET, "10.88.0.2", &r1.max_addr);
	CHECK_INT(nat("DNAT", 1, 4, &r1, sizeof r1, &n), 0);
	CHECK(!memcmp(n.addr_lo, (uint8_t[]){10, 88, 0, 2}, 4) && !n.has_port);
	CHECK_INT(nat("DNAT", 2, 4, &r1, sizeof r1, &n),
		  -EINVAL); /* a rev 1 payload is short for rev 2 */
	CHECK_INT(nat("DNAT", 3, 4, &r2, sizeof r2, &n), -EOPNOTSUPP);
	CHECK_INT(nat("SNAT", 2, 4, &r2, sizeof r2, &n), -EOPNOTSUPP);
}

TEST(xt_redirect_v4_and_v6)
{
	struct nf_nat_ipv4_multi_range_compat m = {.rangesize = 1};
	m.range[0].flags = NF_NAT_RANGE_PROTO_SPECIFIED;
	m.range[0].min.tcp.port = m.range[0].max.tcp.port = htons(3128);
	struct fw_nat n;
	CHECK_INT(nat("REDIRECT", 0, 4, &m, sizeof m, &n), 0);
	CHECK(!n.has_addr && n.has_port && n.port_lo == 3128 && n.port_hi == 3128);
	struct nf_nat_range r = {.flags = NF_NAT_RANGE_PROTO_SPECIFIED};
	r.min_proto.tcp.port = htons(80);
	r.max_proto.tcp.port = htons(90);
	CHECK_INT(nat("REDIRECT", 0, 6, &r, sizeof r, &n), 0);
	CHECK(!n.has_addr && n.port_lo == 80 && n.port_hi == 90 && n.family == 6);
}

TEST(xt_nat_short_payloads_are_refused)
{
	struct nf_nat_range2 r2 = {.flags = 3};
	struct nf_nat_ipv4_multi_range_compat m = {.rangesize = 1};
	struct fw_nat n;
	for (size_t len = 0; len < sizeof r2 - 2; len++) /* the base_proto tail is not needed */
		CHECK_INT(nat("DNAT", 2, 6, &r2, len, &n), len < 42 ? -EINVAL : 0);
	for (size_t len = 0; len < sizeof m; len++)
		CHECK_INT(nat("DNAT", 0, 4, &m, len, &n), -EINVAL);
	CHECK_INT(xt_nat_decode("DNAT", 2, 4, NULL, 0, &n), -EINVAL);
}

TEST(xt_match_addrtype_state_conntrack)
{
	struct fw_rule r = {0};
	struct xt_addrtype_info_v1 at = {.dest = XT_ADDRTYPE_LOCAL};
	CHECK_INT(mt("addrtype", 1, &at, sizeof at, &r), 0);
	CHECK_INT(r.nm, 1);
	CHECK_INT(r.m[0].field, FW_F_FIB_DADDR_TYPE);
	CHECK_INT(r.m[0].nranges, 1);
	CHECK_INT(r.m[0].ranges[0].lo[3], 2); /* RTN_LOCAL */
	CHECK(!r.m[0].negate);
	at.flags = XT_ADDRTYPE_INVERT_DEST;
	at.dest = XT_ADDRTYPE_BROADCAST | XT_ADDRTYPE_MULTICAST;
	CHECK_INT(mt("addrtype", 1, &at, sizeof at, &r), 0);
	CHECK(r.m[1].negate && r.m[1].nranges == 2);
	at.source = XT_ADDRTYPE_LOCAL; /* --src-type: not decoded */
	CHECK_INT(mt("addrtype", 1, &at, sizeof at, &r), -EOPNOTSUPP);
	at = (struct xt_addrtype_info_v1){.dest = XT_ADDRTYPE_LOCAL,
					  .flags = XT_ADDRTYPE_LIMIT_IFACE_IN};
	CHECK_INT(mt("addrtype", 1, &at, sizeof at, &r), -EOPNOTSUPP);
	struct xt_addrtype_info at0 = {.dest = XT_ADDRTYPE_LOCAL, .invert_dest = 1};
	CHECK_INT(mt("addrtype", 0, &at0, sizeof at0, &r), 0);
	CHECK(r.m[r.nm - 1].negate);

	struct xt_state_info st = {.statemask = XT_STATE_BIT(IP_CT_ESTABLISHED) |
						XT_STATE_BIT(IP_CT_RELATED)};
	size_t before = r.nm;
	CHECK_INT(mt("state", 0, &st, sizeof st, &r), 0);
	CHECK_INT(r.nm, before + 1);
	CHECK(r.m[before].field == FW_F_CTSTATE && r.m[before].has_mask &&
	      r.m[before].mask[3] == 6);

	struct xt_conntrack_mtinfo3 c3 = {.match_flags = XT_CONNTRACK_STATE,
					  .state_mask = XT_CONNTRACK_STATE_BIT(IP_CT_NEW)};
	CHECK_INT(mt("conntrack", 3, &c3, sizeof c3, &r), 0);
	CHECK(r.m[r.nm - 1].mask[3] == FW_CT_NEW && !r.m[r.nm - 1].negate);
	c3.invert_flags = XT_CONNTRACK_STATE;
	CHECK_INT(mt("conntrack", 3, &c3, sizeof c3, &r), 0);
	CHECK(r.m[r.nm - 1].negate);
	c3.match_flags |= XT_CONNTRACK_ORIGDST; /* --ctorigdst: not decoded */
	CHECK_INT(mt("conntrack", 3, &c3, sizeof c3, &r), -EOPNOTSUPP);
	c3 = (struct xt_conntrack_mtinfo3){.match_flags = XT_CONNTRACK_STATE,
					   .state_mask = XT_CONNTRACK_STATE_DNAT};
	CHECK_INT(mt("conntrack", 3, &c3, sizeof c3, &r), -EOPNOTSUPP); /* the DNAT pseudo-state */
	struct xt_conntrack_mtinfo2 c2 = {.match_flags = XT_CONNTRACK_STATE,
					  .state_mask = XT_CONNTRACK_STATE_INVALID};
	CHECK_INT(mt("conntrack", 2, &c2, sizeof c2, &r), 0);
	CHECK(r.m[r.nm - 1].mask[3] == FW_CT_INVALID);
	struct xt_conntrack_mtinfo1 c1 = {.match_flags = XT_CONNTRACK_STATE,
					  .state_mask = XT_CONNTRACK_STATE_BIT(IP_CT_ESTABLISHED)};
	CHECK_INT(mt("conntrack", 1, &c1, sizeof c1, &r), 0);
	CHECK(r.m[r.nm - 1].mask[3] == FW_CT_ESTABLISHED);
	CHECK_INT(mt("conntrack", 3, &c3, sizeof c3 - 3, &r), -EINVAL);
	fw_rule_free(&r);
}

TEST(xt_match_ports_and_comment)
{
	struct fw_rule r = {0};
	struct xt_tcp tcp = {.spts = {0, 0xFFFF}, .dpts = {8000, 8100}};
	CHECK_INT(mt("tcp", 0, &tcp, sizeof tcp, &r), 0);
	CHECK_INT(r.nm, 1);
	CHECK(r.m[0].field == FW_F_DPORT && r.m[0].ranges[0].lo[0] == 8000 >> 8 &&
	      r.m[0].ranges[0].lo[1] == (8000 & 0xFF));
	CHECK(r.m[0].ranges[0].hi[0] == 8100 >> 8 && r.m[0].ranges[0].hi[1] == (8100 & 0xFF));
	tcp.invflags = XT_TCP_INV_DSTPT;
	CHECK_INT(mt("tcp", 0, &tcp, sizeof tcp, &r), 0);
	CHECK(r.m[1].negate);
	tcp = (struct xt_tcp){.spts = {0, 0xFFFF},
			      .dpts = {0, 0xFFFF},
			      .flg_mask = 0x17,
			      .flg_cmp = 0x02}; /* --syn */
	CHECK_INT(mt("tcp", 0, &tcp, sizeof tcp, &r), -EOPNOTSUPP);
	/* a source port (the client's choice) and the destination port, as ufw's DHCP rule */
	struct xt_udp udp = {.spts = {67, 67}, .dpts = {68, 68}};
	size_t had = r.nm;
	CHECK_INT(mt("udp", 0, &udp, sizeof udp, &r), 0);
	CHECK_INT(r.nm, had + 2);
	CHECK_INT(r.m[had].field, FW_F_SPORT);
	CHECK(r.m[had].ranges[0].lo[1] == 67 && r.m[had].ranges[0].hi[1] == 67);
	CHECK_INT(r.m[had + 1].field, FW_F_DPORT);
	udp = (struct xt_udp){.spts = {0, 0xFFFF}, .dpts = {0, 0xFFFF}};
	size_t before = r.nm;
	CHECK_INT(mt("udp", 0, &udp, sizeof udp, &r), 0); /* -p udp -m udp alone: no condition */
	CHECK_INT(r.nm, before);

	struct xt_multiport_v1 mp = {
	    .flags = XT_MULTIPORT_DESTINATION, .count = 4, .ports = {22, 80, 8000, 8080}};
	mp.pflags[2] = 1; /* 8000:8080 */
	CHECK_INT(mt("multiport", 1, &mp, sizeof mp, &r), 0);
	const struct fw_match *m = &r.m[r.nm - 1];
	CHECK_INT(m->nranges, 3);
	CHECK(m->ranges[2].lo[0] == 8000 >> 8 && m->ranges[2].hi[1] == (8080 & 0xFF));
	mp.flags = XT_MULTIPORT_SOURCE;
	CHECK_INT(mt("multiport", 1, &mp, sizeof mp, &r), -EOPNOTSUPP);
	mp.flags = XT_MULTIPORT_DESTINATION;
	mp.count = 16;
	CHECK_INT(mt("multiport", 1, &mp, sizeof mp, &r), -EOPNOTSUPP);

	char comment[256] = "dnat name: web id: 3c1b4a6b2f0e";
	CHECK_INT(mt("comment", 0, comment, sizeof comment, &r), 0);
	CHECK_STR(r.comment, "dnat name: web id: 3c1b4a6b2f0e");
	char unterminated[8] = {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'};
	struct fw_rule r2 = {0};
	CHECK_INT(mt("comment", 0, unterminated, sizeof unterminated, &r2), 0);
	CHECK_STR(r2.comment, "abcdefgh");
	CHECK_INT(mt("limit", 0, comment, sizeof comment, &r2), -EOPNOTSUPP);
	CHECK_INT(mt("statistic", 0, comment, sizeof comment, &r2), -EOPNOTSUPP);
	fw_rule_free(&r2);
	fw_rule_free(&r);
}

/* ufw's "-m rt --rt-type 0 -j DROP", and the ICMP matches of its ICMP rules. */
TEST(xt_match_rt_and_icmp)
{
	struct fw_rule r = {0};
	struct ip6t_rt rt = {.rt_type = 0, .flags = IP6T_RT_TYP};
	CHECK_INT(mt("rt", 0, &rt, sizeof rt, &r), 0);
	CHECK_INT(r.nm, 1);
	CHECK_INT(r.m[0].field, FW_F_RTHDR_TYPE);
	CHECK(!r.m[0].negate && r.m[0].nranges == 1 && r.m[0].ranges[0].hi[3] == 0);
	rt = (struct ip6t_rt){.rt_type = 2, .flags = IP6T_RT_TYP, .invflags = IP6T_RT_INV_TYP};
	CHECK_INT(mt("rt", 0, &rt, sizeof rt, &r), 0);
	CHECK(r.m[1].negate && r.m[1].ranges[0].lo[3] == 2);
	CHECK_INT(mt("rt", 0, &rt, 17, &r), -EINVAL);
	uint8_t icmp[4] = {8, 0, 255, 0}; /* echo-request, any code */
	CHECK_INT(mt("icmp", 0, icmp, sizeof icmp, &r), 0);
	CHECK(r.m[2].field == FW_F_L4PROTO && r.m[2].ranges[0].lo[0] == 1);
	CHECK_INT(mt("icmp6", 0, icmp, sizeof icmp, &r), 0);
	CHECK(r.m[3].field == FW_F_L4PROTO && r.m[3].ranges[0].lo[0] == 58);
	fw_rule_free(&r);
}

TEST(xt_match_short_payloads_are_refused)
{
	/* Each with the size of its smallest valid payload. */
	static const char *const names[] = {"addrtype", "state", "conntrack",
					    "tcp",	"udp",	 "multiport"};
	static const size_t least[] = {8, 4, 152, 12, 9, 32};
	uint8_t zero[200] = {0};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		for (unsigned rev = 0; rev < 4; rev++)
			for (size_t len = 0; len < least[i]; len++) {
				struct fw_rule r = {0};
				int rc = mt(names[i], rev, zero, len, &r);
				CHECK(rc == -EINVAL || rc == -EOPNOTSUPP);
				fw_rule_free(&r);
			}
}
