/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_nftdump.c — decoding recorded nf_tables netlink dumps (tests/fixtures/nft) and evaluating
 * them. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../../src/enrich/fwdnat.h"
#include "../../../src/platform/linux/nft_read.h"
#include "../../../src/util/readfile.h"
#include "../test.h"
#include "../testutil.h"

/*
 * The fixtures are real: tests/fixtures/nft/record.sh loads each rule set of
 * tests/fixtures/nft/src into a private network namespace (nft -f, iptables-nft-restore)
 * and writes the kernel's netlink replies; NAME.txt next to each is what `nft list
 * ruleset` printed for it (nft cannot show the xt DNAT targets; these tests can).
 */

/* The bytes of tests/fixtures/nft/NAME.nl (found from this file's path), or NULL. */
static char *fixture(const char *name, size_t *len)
{
	char path[512];
	const char *slash = strrchr(__FILE__, '/');
	int dir = slash ? (int)(slash - __FILE__) : 0;
	snprintf(path, sizeof path, "%.*s%s../../fixtures/nft/%s.nl", dir, __FILE__, dir ? "/" : "",
		 name);
	struct buf b = {0};
	if (read_file_at(AT_FDCWD, path, &b, (size_t)64 << 20, 0, NULL)) {
		fprintf(stderr, "  cannot read %s\n", path);
		buf_free(&b);
		return NULL;
	}
	*len = b.len;
	return buf_steal(&b);
}

#ifdef HAVE_NFTNL

/* CHECK_STR for texts too long for its message buffer. */
#define CHECK_SAME(got, want) check_same(__FILE__, __LINE__, got, want)
static void check_same(const char *file, int line, const char *got, const char *want)
{
	if (!got || strcmp(got, want) != 0) {
		fprintf(stderr, "  got:  %s\n  want: %s\n", got ? got : "(null)", want);
		test_fail(file, line, "texts differ");
	}
}

static int load(const char *name, struct fw_ruleset *rs)
{
	size_t len = 0;
	memset(rs, 0,
	       sizeof *rs); /* a failed load leaves an empty rule set for the checks that follow */
	char *raw = fixture(name, &len);
	if (!raw)
		return -ENOENT;
	char *exact = tu_exact(raw, len); /* ASan: no read past the recording */
	free(raw);
	memset(rs, 0, sizeof *rs);
	int rc = nft_decode(exact, len, rs);
	free(exact);
	return rc;
}

static size_t nrules(const struct fw_ruleset *rs)
{
	size_t n = 0;
	for (size_t i = 0; i < rs->nchains; i++)
		n += rs->chains[i].nrules;
	return n;
}

static const struct fw_chain *chain_named(const struct fw_ruleset *rs, const char *name)
{
	for (size_t i = 0; i < rs->nchains; i++)
		if (!strcmp(rs->chains[i].name, name))
			return &rs->chains[i];
	return NULL;
}

static struct fw_packet pkt(unsigned proto, const char *daddr, unsigned port, const char *ifname)
{
	struct fw_packet p = {.l4proto = (uint8_t)proto,
			      .dport = (uint16_t)port,
			      .iifname = ifname,
			      .iif = !strcmp(ifname, "lo") ? 1 : 2,
			      .daddr_type = FW_RTN_LOCAL,
			      .local = !strcmp(ifname, "lo")};
	p.family = strchr(daddr, ':') ? 6 : 4;
	if (inet_pton(p.family == 4 ? AF_INET : AF_INET6, daddr, p.daddr) != 1)
		abort();
	return p;
}

struct verdict {
	int reach;
	char sources[512];
	const char *chain;   /* the deciding rule's chain (see by()), "" when none */
	long rule;	     /* its index, -1 for the policy */
	const char *unknown; /* the deciding rule's undecoded expression, or NULL */
};

/* Evaluate and summarise: the deciding rule is the unknown one, the first drop, or the first
 * accept. */
static struct verdict judge(const struct fw_ruleset *rs, struct fw_packet p)
{
	struct fw_result res;
	struct verdict v = {.reach = -1, .chain = "", .rule = -1};
	CHECK_INT(fw_evaluate(rs, &p, &res), 0);
	v.reach = res.reach;
	fw_srcset_format(&res.accepted, v.sources, sizeof v.sources);
	struct fw_ruleref by = res.reach == FW_REACH_UNKNOWN ? res.unknown_by
			       : res.reach == FW_REACH_ALL   ? res.accept_by
			       : res.forward_by.chain >= 0   ? res.forward_by
							     : res.drop_by;
	if (by.chain >= 0) {
		v.chain = rs->chains[by.chain].name;
		v.rule = by.rule;
		if (by.rule >= 0)
			v.unknown = rs->chains[by.chain].rules[by.rule].unknown;
	}
	fw_result_free(&res);
	return v;
}

TEST(nftdump_ufw)
{
	struct fw_ruleset rs;
	CHECK_INT(load("ufw", &rs), 0);
	CHECK_INT(rs.nchains, 14); /* INPUT FORWARD OUTPUT + 11 ufw chains */
	const struct fw_chain *in = chain_named(&rs, "INPUT");
	CHECK(in && in->hook == FW_HOOK_INPUT && in->policy == FW_V_DROP &&
	      in->family == FW_FAM_IP);
	struct verdict v = judge(&rs, pkt(IPPROTO_TCP, "203.0.113.7", 22, "eth0"));
	CHECK_INT(v.reach, FW_REACH_ALL);
	CHECK_SAME(v.chain, "ufw-user-input");
	v = judge(&rs, pkt(IPPROTO_TCP, "203.0.113.7", 6379, "eth0"));
	CHECK_INT(v.reach, FW_REACH_SOME);
	CHECK_SAME(v.sources, "192.168.1.0/24");
	v = judge(&rs, pkt(IPPROTO_TCP, "203.0.113.7", 8081, "eth0"));
	CHECK_INT(v.reach, FW_REACH_NONE);
	CHECK_SAME(v.chain, "ufw-user-input");
	CHECK_INT(v.rule, 5);
	v = judge(
	    &rs, pkt(IPPROTO_TCP, "203.0.113.7", 9999, "eth0")); /* nothing allows it: the policy */
	CHECK_INT(v.reach, FW_REACH_NONE);
	CHECK_SAME(v.chain, "INPUT");
	CHECK_INT(v.rule, -1);
	v = judge(&rs, pkt(IPPROTO_TCP, "127.0.0.1", 9999, "lo"));
	CHECK_INT(v.reach, FW_REACH_ALL);
	CHECK_SAME(v.chain, "ufw-before-input");
	v = judge(&rs,
		  pkt(IPPROTO_TCP, "203.0.113.7", 2222, "eth0")); /* ufw limit: the recent match */
	CHECK_INT(v.reach, FW_REACH_UNKNOWN);
	CHECK(v.unknown && strstr(v.unknown, "recent"));
	v = judge(&rs,
		  pkt(IPPROTO_UDP, "203.0.113.7", 68, "eth0")); /* DHCP: from source port 67 only */
	CHECK_INT(v.reach, FW_REACH_UNKNOWN);
	fw_ruleset_free(&rs);
}

TEST(nftdump_firewalld)
{
	struct fw_ruleset rs;
	CHECK_INT(load("firewalld", &rs), 0);
	const struct fw_chain *in = chain_named(&rs, "filter_INPUT");
	CHECK(in && in->family == FW_FAM_INET && in->priority == 10 && in->nrules == 6);
	for (size_t i = 0; in && i < in->nrules; i++)
		CHECK(in->rules[i].unknown == NULL); /* ct status, reject with icmpx: all decoded */
	const struct fw_chain *pre = chain_named(&rs, "filter_PREROUTING");
	for (size_t i = 0; pre && i < pre->nrules; i++)
		if (pre->rules[i].v.kind == FW_V_DROP)
			CHECK(pre->rules[i].unknown == NULL); /* the reverse-path filter */
	struct verdict v = judge(&rs, pkt(IPPROTO_TCP, "203.0.113.7", 22, "eth0"));
	CHECK_INT(v.reach, FW_REACH_ALL);
	CHECK_SAME(v.chain, "filter_IN_public_allow");
	v = judge(&rs, pkt(IPPROTO_TCP, "2001:db8::7", 22, "eth0"));
	CHECK_INT(v.reach, FW_REACH_ALL);
	v = judge(&rs, pkt(IPPROTO_TCP, "203.0.113.7", 5432, "eth0"));
	CHECK_INT(v.reach, FW_REACH_SOME);
	CHECK_SAME(v.sources, "10.20.0.0/16");
	v = judge(&rs, pkt(IPPROTO_TCP, "2001:db8::7", 5432, "eth0"));
	CHECK_INT(v.reach, FW_REACH_NONE);
	CHECK_SAME(v.chain, "filter_INPUT"); /* the final reject */
	CHECK_INT(v.rule, 5);
	v = judge(&rs, pkt(IPPROTO_UDP, "fe80::1", 546, "eth0"));
	CHECK_INT(v.reach, FW_REACH_ALL);
	v = judge(&rs,
		  pkt(IPPROTO_UDP, "2001:db8::7", 546, "eth0")); /* only to link-local addresses */
	CHECK_INT(v.reach, FW_REACH_NONE);
	v = judge(&rs, pkt(IPPROTO_TCP, "127.0.0.1", 6379, "lo"));
	CHECK_INT(v.reach, FW_REACH_ALL);
	fw_ruleset_free(&rs);
}

TEST(nftdump_handwritten_sets_vmaps_jumps)
{
	struct fw_ruleset rs;
	CHECK_INT(load("handwritten", &rs), 0);
	long ports = fw_set_find(&rs, FW_FAM_INET, "host", "web_ports");
	CHECK(ports >= 0);
	if (ports >= 0) { /* an interval set: 80, 443, 8000-8099 */
		const struct fw_set *s = &rs.sets[ports];
		CHECK_INT(s->nelems, 3);
		CHECK_INT(s->keylen, 2);
	}
	struct verdict v = judge(&rs, pkt(IPPROTO_TCP, "203.0.113.7", 22, "eth0"));
	CHECK_INT(
	    v.reach,
	    FW_REACH_SOME); /* vmap -> jump ssh: admin_v4, and 203.0.113/24 returns to a drop */
	CHECK_SAME(v.sources, "192.0.2.0/28,198.51.100.7");
	v = judge(&rs, pkt(IPPROTO_TCP, "2001:db8::7", 22, "eth0"));
	CHECK_INT(v.reach, FW_REACH_SOME);
	CHECK_SAME(v.sources, "2001:db8:1::/48");
	v = judge(&rs, pkt(IPPROTO_TCP, "203.0.113.7", 5432, "eth0")); /* vmap -> goto db */
	CHECK_INT(v.reach, FW_REACH_SOME);
	CHECK_SAME(v.sources, "10.0.0.0/8");
	v = judge(&rs, pkt(IPPROTO_TCP, "203.0.113.7", 3000, "eth0")); /* limit rate: not decoded */
	CHECK_INT(v.reach, FW_REACH_UNKNOWN);
	CHECK_SAME(v.chain, "ratelimited");
	CHECK_SAME(v.unknown, "expression limit");
	v = judge(&rs, pkt(IPPROTO_TCP, "2001:db8::7", 8050, "eth0")); /* @web_ports, an interval */
	CHECK_INT(v.reach, FW_REACH_ALL);
	v = judge(
	    &rs, pkt(IPPROTO_TCP, "203.0.113.7", 8050, "eth0")); /* IPv4: the raw prerouting drop */
	CHECK_INT(v.reach, FW_REACH_SOME);
	CHECK(strstr(v.sources, "198.16.0.0/15,198.20.0.0/14") != NULL);
	v = judge(&rs, pkt(IPPROTO_TCP, "2001:db8::7", 8100, "eth0"));
	CHECK_INT(v.reach, FW_REACH_NONE);
	v = judge(&rs, pkt(IPPROTO_UDP, "2001:db8::7", 51820, "wg0")); /* iifname "wg*" */
	CHECK_INT(v.reach, FW_REACH_ALL);
	v = judge(&rs, pkt(IPPROTO_UDP, "2001:db8::7", 51820, "eth0"));
	CHECK_INT(v.reach, FW_REACH_NONE);
	v = judge(&rs, pkt(IPPROTO_TCP, "2001:db8::7", 9150, "mgmt0")); /* jump mgmt: a range */
	CHECK_INT(v.reach, FW_REACH_ALL);
	struct fw_packet b = pkt(IPPROTO_UDP, "2001:db8::7", 53, "eth0");
	b.daddr_type = FW_RTN_MULTICAST;
	v = judge(&rs, b); /* fib daddr type { broadcast, multicast } drop */
	CHECK_INT(v.reach, FW_REACH_NONE);
	CHECK_SAME(v.chain, "input");
	CHECK_INT(v.rule, 2);
	v = judge(&rs, pkt(IPPROTO_TCP, "203.0.113.7", 8443, "eth0")); /* redirected to :443 */
	CHECK_INT(v.reach, FW_REACH_NONE);
	CHECK_SAME(v.chain, "prerouting");
	v = judge(&rs, pkt(IPPROTO_TCP, "2001:db8::7", 9999, "lo"));
	CHECK_INT(v.reach, FW_REACH_ALL); /* iif lo accept */

	struct fw_forward *f = NULL;
	size_t n = 0;
	CHECK_INT(fw_forwards(&rs, &f, &n), 0);
	CHECK_INT(n, 5);
	bool range = false, v6 = false;
	for (size_t i = 0; i < n; i++) {
		if (f[i].l4proto == IPPROTO_UDP && f[i].port_lo == 1000 && f[i].port_hi == 1999 &&
		    f[i].has_daddr && f[i].to.has_addr && !f[i].to.has_port &&
		    f[i].to.addr_lo[3] == 3)
			range = true;
		if (f[i].family == 6 && f[i].port_lo == 2223 && f[i].to.addr_lo[0] == 0xfd &&
		    f[i].to.port_lo == 22)
			v6 = true;
	}
	CHECK(range && v6);
	free(f);
	fw_ruleset_free(&rs);
}

TEST(nftdump_docker_iptables_nft)
{
	struct fw_ruleset rs;
	CHECK_INT(load("docker", &rs), 0);
	struct fw_forward *f = NULL;
	size_t n = 0;
	CHECK_INT(fw_forwards(&rs, &f, &n), 0);
	CHECK_INT(n, 4); /* 8080 and 127.0.0.1:5432 (IPv4), 8080 and the redirect of 8081 (IPv6) */
	for (size_t i = 0; i < n; i++) {
		const struct fw_rule *r = &rs.chains[f[i].rule.chain].rules[f[i].rule.rule];
		CHECK(r->unknown == NULL); /* the DNAT target revision 2 is decoded */
		if (f[i].family == 4 && f[i].port_lo == 8080) {
			CHECK(f[i].to.has_addr &&
			      !memcmp(f[i].to.addr_lo, (uint8_t[]){172, 17, 0, 2}, 4));
			CHECK_INT(f[i].to.port_lo, 80);
			CHECK_STR(f[i].runtime, "docker");
			CHECK(f[i].prerouting && f[i].output && !f[i].has_daddr &&
			      f[i].l4proto == IPPROTO_TCP);
		} else if (f[i].family == 4) {
			CHECK_INT(f[i].port_lo, 5432);
			CHECK(f[i].has_daddr && f[i].daddr.lo[0] == 127 && f[i].daddr.hi[3] == 1);
		} else if (f[i].redirect) {
			CHECK_INT(f[i].port_lo, 8081);
			CHECK_INT(f[i].to.port_lo, 80);
			CHECK(f[i].runtime == NULL);
		} else {
			CHECK(f[i].to.addr_lo[0] == 0xfd && f[i].to.addr_lo[15] == 2 &&
			      f[i].to.port_lo == 80);
		}
	}
	free(f);
	/* A listener on the published port (docker-proxy): connections from outside are DNATed
	 * away. */
	struct verdict v = judge(&rs, pkt(IPPROTO_TCP, "203.0.113.7", 8080, "eth0"));
	CHECK_INT(v.reach, FW_REACH_NONE);
	CHECK_SAME(v.chain, "DOCKER");
	v = judge(&rs, pkt(IPPROTO_TCP, "172.17.0.1", 8080, "docker0")); /* -i docker0 -j RETURN */
	CHECK_INT(v.reach, FW_REACH_ALL);
	v = judge(&rs,
		  pkt(IPPROTO_TCP, "127.0.0.1", 5432, "lo")); /* OUTPUT skips 127/8: docker-proxy */
	CHECK_INT(v.reach, FW_REACH_ALL);
	v = judge(&rs, pkt(IPPROTO_TCP, "203.0.113.7", 22, "eth0")); /* INPUT policy accept */
	CHECK_INT(v.reach, FW_REACH_ALL);
	fw_ruleset_free(&rs);
}

TEST(nftdump_podman_netavark)
{
	struct fw_ruleset rs;
	CHECK_INT(load("netavark", &rs), 0);
	struct fw_forward *f = NULL;
	size_t n = 0;
	CHECK_INT(fw_forwards(&rs, &f, &n), 0);
	CHECK_INT(n, 1);
	if (n == 1) {
		CHECK_STR(f[0].runtime, "podman");
		CHECK_INT(f[0].port_lo, 8080);
		CHECK(!memcmp(f[0].to.addr_lo, (uint8_t[]){10, 88, 0, 2}, 4) &&
		      f[0].to.port_lo == 80);
		CHECK_STR(rs.chains[f[0].rule.chain].name, "NETAVARK-DN-1D8721804F16F");
		/* the comment naming the container is on the jump into the per-container chain */
		const struct fw_chain *c = chain_named(&rs, "NETAVARK-HOSTPORT-DNAT");
		CHECK(c && c->nrules == 1 && c->rules[0].comment &&
		      !strcmp(c->rules[0].comment, "dnat name: podman id: 3c1b4a6b2f0e"));
	}
	free(f);
	struct verdict v = judge(&rs, pkt(IPPROTO_TCP, "203.0.113.7", 8080, "eth0"));
	CHECK_INT(v.reach,
		  FW_REACH_NONE); /* conmon holds 8080; the connections go to the container */
	CHECK_SAME(v.chain, "NETAVARK-DN-1D8721804F16F");
	fw_ruleset_free(&rs);
}

/* The stock ufw of issue 20 (real ufw's rules, IPv4 and IPv6): every UDP and IPv6 listener
 * filtered, 22 open, loopback open. */
TEST(nftdump_ufw_stock)
{
	struct fw_ruleset rs;
	CHECK_INT(load("ufwstock", &rs), 0);
	/* "udp sport 67 udp dport 68": one merged 4-byte compare, split into both ports */
	const struct fw_chain *c = chain_named(&rs, "ufw-before-input");
	size_t dhcp = 0;
	for (size_t i = 0; c && i < c->nrules; i++) {
		const struct fw_rule *r = &c->rules[i];
		CHECK(r->unknown == NULL || r->v.kind == FW_V_CONTINUE);
		for (size_t j = 0; j + 1 < r->nm; j++)
			dhcp += r->m[j].field == FW_F_SPORT && r->m[j].ranges[0].lo[1] == 67 &&
				r->m[j + 1].field == FW_F_DPORT &&
				r->m[j + 1].ranges[0].lo[1] == 68;
	}
	CHECK_INT(dhcp, 1);
	static const unsigned ports[] = {111, 69, 11211, 3389, 5432, 389};
	for (size_t i = 0; i < sizeof ports / sizeof *ports; i++) {
		for (unsigned proto = IPPROTO_TCP; proto <= IPPROTO_UDP;
		     proto += IPPROTO_UDP - IPPROTO_TCP) {
			CHECK_INT(judge(&rs, pkt(proto, "203.0.113.7", ports[i], "eth0")).reach,
				  FW_REACH_NONE);
			CHECK_INT(judge(&rs, pkt(proto, "2001:db8::7", ports[i], "eth0")).reach,
				  FW_REACH_NONE);
			CHECK_INT(judge(&rs, pkt(proto, "127.0.0.1", ports[i], "lo")).reach,
				  FW_REACH_ALL);
			CHECK_INT(judge(&rs, pkt(proto, "::1", ports[i], "lo")).reach,
				  FW_REACH_ALL);
		}
	}
	/* the rt type 0 drop cannot touch a connection: 22 over IPv6 is open */
	struct verdict v = judge(&rs, pkt(IPPROTO_TCP, "2001:db8::7", 22, "eth0"));
	CHECK_INT(v.reach, FW_REACH_ALL);
	CHECK_SAME(v.chain, "ufw6-user-input");
	CHECK_INT(judge(&rs, pkt(IPPROTO_TCP, "203.0.113.7", 80, "eth0")).reach, FW_REACH_ALL);
	fw_ruleset_free(&rs);
}

TEST(nftdump_kube_proxy)
{
	struct fw_ruleset rs;
	CHECK_INT(load("kube", &rs), 0);
	CHECK_INT(nrules(&rs), 285);
	struct fw_forward *f = NULL;
	size_t n = 0;
	CHECK_INT(fw_forwards(&rs, &f, &n), 0);
	CHECK_INT(n, 82); /* 40 services x 2 endpoints, and the NodePort's 2 */
	size_t nodeport = 0;
	for (size_t i = 0; i < n; i++) {
		CHECK_STR(f[i].runtime, "kubernetes");
		if (f[i].port_lo == 30080) {
			nodeport++;
			CHECK(!f[i].has_daddr);
		} else {
			CHECK(f[i].has_daddr && f[i].daddr.lo[0] == 10 && f[i].daddr.lo[1] == 96 &&
			      f[i].port_lo == 80);
		}
		CHECK_INT(f[i].to.port_lo, 8080);
	}
	CHECK_INT(nodeport, 2);
	free(f);
	/* The NodePort's service picks an endpoint at random (statistic, not decoded): either
	 * way the connection is forwarded to an endpoint, never to a listener here. */
	struct verdict v = judge(&rs, pkt(IPPROTO_TCP, "203.0.113.7", 30080, "eth0"));
	CHECK_INT(v.reach, FW_REACH_NONE);
	v = judge(&rs, pkt(IPPROTO_TCP, "203.0.113.7", 22, "eth0"));
	CHECK_INT(v.reach, FW_REACH_ALL);
	fw_ruleset_free(&rs);
}

TEST(nftdump_truncated_and_corrupt_recordings)
{
	size_t len = 0;
	char *raw = fixture("handwritten", &len);
	CHECK(raw != NULL);
	if (!raw)
		return;
	/* Every cut: an error or a smaller rule set, never a crash or a read past the end. */
	for (size_t cut = 0; cut < len; cut += 97) {
		char *exact = tu_exact(raw, cut);
		struct fw_ruleset rs = {0};
		int rc = nft_decode(exact, cut, &rs);
		CHECK(rc == 0 || rc == -EBADMSG);
		fw_ruleset_free(&rs);
		free(exact);
	}
	/*
	 * Flipped bytes inside rule messages (the bulk of a dump, read attribute by
	 * attribute here): a refused message or an unknown rule, never a crash. Chain and
	 * set messages go through libnftnl, which exits the process on an attribute that
	 * fails validation ("nf_tables kernel ABI is broken"): they are not flipped.
	 */
	size_t flipped = 0;
	for (size_t at = 0; at + sizeof(struct nlmsghdr) <= len;) {
		struct nlmsghdr h;
		memcpy(&h, raw + at, sizeof h);
		if (h.nlmsg_len < sizeof h || at + h.nlmsg_len > len)
			break;
		if ((h.nlmsg_type & 0xFF) == NFT_MSG_NEWRULE &&
		    (h.nlmsg_type >> 8) == NFNL_SUBSYS_NFTABLES)
			for (size_t off = 20; off < h.nlmsg_len; off += 7) {
				char *exact = tu_exact(raw, len);
				exact[at + off] ^= (char)(0x41 + off % 64);
				struct fw_ruleset rs = {0};
				int rc = nft_decode(exact, len, &rs);
				CHECK(rc == 0 || rc == -EBADMSG);
				struct fw_packet p = pkt(IPPROTO_TCP, "203.0.113.7", 22, "eth0");
				struct fw_result res;
				if (!rc && fw_evaluate(&rs, &p, &res) == 0)
					fw_result_free(&res);
				fw_ruleset_free(&rs);
				free(exact);
				flipped++;
			}
		at += NLMSG_ALIGN(h.nlmsg_len);
	}
	CHECK(flipped > 100);
	free(raw);
}

#else

TEST(nftdump_without_libnftnl)
{
	struct fw_ruleset rs = {0};
	size_t len = 0;
	char *raw = fixture("ufw", &len);
	CHECK_INT(nft_decode(raw, len, &rs), -ENOSYS);
	free(raw);
}

#endif
