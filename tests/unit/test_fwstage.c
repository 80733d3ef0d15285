/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_fwstage.c — the firewall judged by its tag: what each kind of source says of a listener. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>

#include "../../src/enrich/fwstage.h"
#include "test.h"

static struct ps_addr addr(const char *text)
{
	struct ps_addr a = {.family = strchr(text, ':') ? PS_INET6 : PS_INET};
	if (inet_pton(a.family == PS_INET ? AF_INET : AF_INET6, text, a.bytes) != 1)
		abort();
	return a;
}

/* A listener on 0.0.0.0:445/tcp of namespace netns, reached on lo and eth0, judged under c. */
static void judge(struct fw_context *c, struct ps_snapshot *snap, uint64_t netns,
		  struct sock_verdict *v, struct verdicts *vs)
{
	static struct reach reach[2];
	reach[0] = (struct reach){"lo", addr("127.0.0.1")};
	reach[1] = (struct reach){"eth0", addr("203.0.113.7")};
	struct ps_socket k = {.proto = PS_TCP,
			      .state = PS_ST_LISTEN,
			      .netns = netns,
			      .local = {.addr = addr("0.0.0.0"), .port = 445}};
	*v = (struct sock_verdict){.listener = true, .reach = reach, .nreach = 2};
	CHECK_INT(fw_judge_listener(c, snap, &k, vs, v), 0);
}

/* A source that is NONE: what its snapshot record and the verdicts say. */
static void open_none(struct fw_context *c, struct ps_snapshot *snap, unsigned unread, int err,
		      const char *why, const char *legacy)
{
	struct ps_fw_source src = {0};
	CHECK_INT(fwsource_none(&src, unread, err, why), 0);
	src.legacy = legacy ? strdup(legacy) : NULL;
	CHECK_INT(fw_context_open(c, &src, snap), 0);
	CHECK(src.why == NULL && src.legacy == NULL); /* taken over */
}

TEST(fwstage_windows_unread_still_lets_loopback_in)
{
	struct ps_snapshot snap = {.netns = 0};
	struct fw_context c;
	open_none(&c, &snap, PS_FW_SRC_WINDOWS, -EIO, "CoCreateInstance(NetFwPolicy2) failed",
		  NULL);
	CHECK(snap.firewall && !snap.firewall->read);
	CHECK_INT(snap.firewall->err, -EIO);
	CHECK_STR(snap.firewall->why, "CoCreateInstance(NetFwPolicy2) failed");
	CHECK(snap.firewall->legacy == NULL);
	struct verdicts *vs = calloc(1, sizeof *vs);
	CHECK(vs != NULL);
	struct sock_verdict v;
	judge(&c, &snap, 0, &v, vs);
	CHECK_INT(v.fw[0].verdict, PS_FW_ALL); /* Windows Firewall never filters loopback */
	CHECK_INT(v.fw[1].verdict, PS_FW_NOT_READ);
	CHECK_STR(v.fw[1].why, "CoCreateInstance(NetFwPolicy2) failed");
	CHECK_INT(v.fw_summary, PS_FW_NOT_READ);
	free(v.fw);
	verdicts_free(vs);
	fw_context_free(&c);
	fwmodel_free(snap.firewall);
}

TEST(fwstage_netfilter_unread_is_not_read_everywhere)
{
	struct ps_snapshot snap = {.netns = 4026531840u};
	struct fw_context c;
	open_none(&c, &snap, PS_FW_SRC_NETFILTER, -EPERM,
		  "reading the firewall's rules needs root or CAP_NET_ADMIN", "ip:filter");
	CHECK_STR(snap.firewall->legacy, "ip:filter"); /* read even when the rules are not */
	CHECK_INT(snap.firewall->err, -EPERM);
	struct verdicts *vs = calloc(1, sizeof *vs);
	CHECK(vs != NULL);
	struct sock_verdict v;
	judge(&c, &snap, snap.netns, &v, vs);
	CHECK_INT(v.fw[0].verdict, PS_FW_NOT_READ); /* netfilter can filter loopback */
	CHECK_INT(v.fw[1].verdict, PS_FW_NOT_READ);
	CHECK_STR(v.fw[1].why, "reading the firewall's rules needs root or CAP_NET_ADMIN");
	free(v.fw);
	verdicts_free(vs);
	fw_context_free(&c);
	fwmodel_free(snap.firewall);
}

TEST(fwstage_netfilter_rules_judge_ours_not_another_namespace)
{
	struct ps_snapshot snap = {.netns = 4026531840u};
	struct ps_fw_source src = {.kind = PS_FW_SRC_NETFILTER, .legacy = strdup("")};
	long in = fw_chain_add(&src.rules, "filter", "INPUT", FW_FAM_IP);
	CHECK(in >= 0);
	src.rules.chains[in].hook = FW_HOOK_INPUT;
	src.rules.chains[in].policy = FW_V_DROP;
	struct fw_rule *r = fw_rule_add(&src.rules.chains[in]);
	struct fw_match *m = r ? fw_match_add(r, FW_F_IIFNAME, 16) : NULL;
	uint8_t lo[16] = "lo";
	CHECK(m && !fw_match_range(m, lo, lo) && !fw_ruleset_index(&src.rules));
	r->v.kind = FW_V_ACCEPT;
	struct fw_context c;
	CHECK_INT(fw_context_open(&c, &src, &snap), 0);
	CHECK(snap.firewall->read && snap.firewall->why == NULL);
	CHECK_INT(snap.firewall->rules, 1);
	CHECK_INT(snap.firewall->chains, 1);
	struct verdicts *vs = calloc(1, sizeof *vs);
	CHECK(vs != NULL);
	struct sock_verdict v;
	judge(&c, &snap, snap.netns, &v, vs);
	CHECK_INT(v.fw[0].verdict, PS_FW_ALL);
	CHECK_INT(v.fw[1].verdict, PS_FW_NONE);
	CHECK_INT(v.scope, PS_EXPO_LOOPBACK); /* the policy drops what comes from beyond */
	free(v.fw);
	judge(&c, &snap, 4026532000u, &v, vs); /* a socket of another namespace */
	CHECK_INT(v.fw[1].verdict, PS_FW_NOT_READ);
	CHECK_STR(v.fw[1].why, "the rules of network namespace 4026532000 are not read");
	free(v.fw);
	verdicts_free(vs);
	fw_context_free(&c);
	fwmodel_free(snap.firewall);
}

/* netsh interface portproxy rules as the registry keeps them (value "listenaddress/listenport",
 * data "connectaddress/connectport"): parsed, refused when not such a pair. */
TEST(wfw_portproxy_parse_registry_values)
{
	struct wfw_portproxy p;
	CHECK_INT(wfw_portproxy_parse("v4tov4", "*/8080", "10.0.0.5/80", &p), 0);
	CHECK_STR(p.kind, "v4tov4");
	CHECK(p.listen_addr == NULL); /* every address */
	CHECK_INT(p.listen_port, 8080);
	CHECK_STR(p.connect_addr, "10.0.0.5");
	CHECK_INT(p.connect_port, 80);
	wfw_portproxy_free(&p);
	CHECK_INT(wfw_portproxy_parse("v4tov6", "192.168.1.2/2222", "fe80::1%12/22", &p), 0);
	CHECK_STR(p.listen_addr, "192.168.1.2");
	CHECK_STR(p.connect_addr, "fe80::1%12");
	CHECK_INT(p.connect_port, 22);
	wfw_portproxy_free(&p);
	CHECK_INT(wfw_portproxy_parse("v6tov4", "::/443", "wsl.local/8443", &p), 0);
	CHECK(p.listen_addr == NULL);
	CHECK_STR(p.connect_addr, "wsl.local"); /* a host name, as netsh was given it */
	wfw_portproxy_free(&p);
	static const char *const bad[][3] = {
	    {"v4tov5", "*/1", "a/1"},  {"v4tov4", "*/0", "a/1"},  {"v4tov4", "*/65536", "a/1"},
	    {"v4tov4", "8080", "a/1"}, {"v4tov4", "*/80", "a/"},  {"v4tov4", "*/80", "/80"},
	    {"v4tov4", "*/8x", "a/1"}, {"v4tov4", "*/-1", "a/1"}, {"v4tov4", "*/80", "a/000080"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK_INT(wfw_portproxy_parse(bad[i][0], bad[i][1], bad[i][2], &p), -EINVAL);
		CHECK(p.listen_addr == NULL && p.connect_addr == NULL);
	}
}

/* Port proxies are forwards of the model, read with the Windows firewall whether or not its
 * policy was (Wine answers E_NOTIMPL), filtered like NAT forwards. */
TEST(fwstage_windows_portproxy_forwards)
{
	struct ps_snapshot snap = {.netns = 0};
	struct ps_fw_source src = {0};
	CHECK_INT(fwsource_none(&src, PS_FW_SRC_WINDOWS, -ENOSYS, "get_CurrentProfileTypes failed"),
		  0);
	src.policy.proxies = calloc(2, sizeof *src.policy.proxies);
	CHECK(src.policy.proxies != NULL);
	CHECK_INT(wfw_portproxy_parse("v4tov4", "*/8080", "172.20.1.2/80", &src.policy.proxies[0]),
		  0);
	CHECK_INT(wfw_portproxy_parse("v6tov6", "::1/2222", "::1/22", &src.policy.proxies[1]), 0);
	src.policy.nproxies = 2;
	struct fw_context c;
	CHECK_INT(fw_context_open(&c, &src, &snap), 0);
	struct ps_filter f;
	filter_init(&f);
	CHECK_INT(fw_forwards_model(&c, &snap, &f), 0);
	CHECK_INT(snap.firewall->nfwd, 2);
	const struct ps_forward *x = &snap.firewall->fwd[0];
	CHECK_STR(x->kind, "portproxy");
	CHECK_STR(x->proto, "tcp");
	CHECK_INT(x->family, 4);
	CHECK(x->addr == NULL);
	CHECK_INT(x->port, 8080);
	CHECK_STR(x->to_addr, "172.20.1.2");
	CHECK_INT(x->to_port, 80);
	CHECK_STR(x->rule_chain, "v4tov4");
	CHECK_INT(snap.firewall->fwd[1].family, 6);
	CHECK_STR(snap.firewall->fwd[1].addr, "::1");
	CHECK(!fw_forwards_unplaced(&c, &snap));
	fw_context_free(&c);
	fwmodel_free(snap.firewall);
	/* -6 leaves the IPv4 one out */
	snap.firewall = NULL;
	src = (struct ps_fw_source){.kind = PS_FW_SRC_WINDOWS};
	src.policy.proxies = calloc(1, sizeof *src.policy.proxies);
	CHECK_INT(wfw_portproxy_parse("v4tov4", "*/8080", "172.20.1.2/80", &src.policy.proxies[0]),
		  0);
	src.policy.nproxies = 1;
	CHECK_INT(fw_context_open(&c, &src, &snap), 0);
	f.families = PS_FAM_BIT(PS_INET6);
	CHECK_INT(fw_forwards_model(&c, &snap, &f), 0);
	CHECK_INT(snap.firewall->nfwd, 0);
	fw_context_free(&c);
	fwmodel_free(snap.firewall);
}
