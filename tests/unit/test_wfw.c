/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_wfw.c — the Windows Firewall's verdict from plain rules (enrich/wfw.c): profiles, block over
 * allow, ports, addresses, programs, services, and every undecided condition as unknown. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/enrich/fwdnat.h"
#include "../../src/enrich/wfw.h"
#include "test.h"

#define ON                                                                                         \
	{                                                                                          \
		.enabled = true                                                                    \
	}

static struct wfw_listener tcp4(const char *addr, uint16_t port, const char *app)
{
	struct wfw_listener l = {.protocol = 6, .port = port, .app = app};
	l.addr.family = PS_INET;
	inet_pton(AF_INET, addr, l.addr.bytes);
	return l;
}

/* A rule allowing (or blocking) TCP to port `ports` in every profile, from anywhere. */
static struct wfw_rule rule(const char *name, bool allow, const char *ports)
{
	return (struct wfw_rule){.name = (char *)name,
				 .enabled = true,
				 .inbound = true,
				 .allow = allow,
				 .profiles = 0x7FFFFFFF,
				 .protocol = 6,
				 .local_ports = (char *)ports};
}

/* Judge l under pol; the verdict's reach, with its sources and why into the caller's. */
static int judge(const struct wfw_policy *pol, const struct wfw_listener *l, struct wfw_verdict *v)
{
	if (wfw_judge(pol, l, v))
		return -1;
	return v->reach;
}

TEST(wfw_profiles_decide_without_rules)
{
	struct wfw_policy pol = {.active = WFW_PUBLIC, .prof = {ON, ON, ON}};
	struct wfw_listener l = tcp4("192.168.1.5", 8080, "C:\\srv\\web.exe");
	struct wfw_verdict v;
	/* no rule: the default inbound action (block) */
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_NONE);
	CHECK(v.rule == WFW_NO_RULE);
	CHECK_INT((int)v.profile, WFW_PUBLIC);
	CHECK_STR(v.why, "no rule allows it and the default inbound action is block");
	char *text;
	CHECK_INT(wfw_rule_text(&pol, v.profile, v.rule, &text), 0);
	CHECK_STR(text, "Windows Firewall, public profile: default inbound action block");
	free(text);
	pol.prof[2].default_allow = true;
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_ALL);
	/* off: everything in; shields up: nothing, whatever the rules say */
	struct wfw_rule r = rule("web", true, "8080");
	pol.rules = &r;
	pol.nrules = 1;
	pol.prof[2] = (struct wfw_profile){.enabled = false};
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_ALL);
	CHECK_STR(v.why, "the firewall is off in this profile");
	pol.prof[2] = (struct wfw_profile){.enabled = true, .block_all = true};
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_NONE);
	/* only the active profile counts: the private one allowing does not matter */
	pol.active = WFW_PUBLIC;
	pol.prof[1] = (struct wfw_profile){.enabled = false};
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_NONE);
	/* two active profiles that disagree: which one this address is in is not read */
	pol.active = WFW_PUBLIC | WFW_PRIVATE;
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_UNKNOWN);
	CHECK(strstr(v.why, "profiles decide differently") != NULL);
	pol.prof[1] = pol.prof[2];
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_NONE);
	pol.active = 0;
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_UNKNOWN);
	CHECK_STR(v.why, "the firewall reported no active profile");
	/* loopback is never filtered */
	pol.active = WFW_PUBLIC;
	l.loopback = true;
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_ALL);
}

TEST(wfw_block_wins_over_allow)
{
	struct wfw_rule r[] = {rule("allow web", true, "80,443,8000-8100"),
			       rule("no 8080", false, "8080"), rule("off", false, "*"),
			       rule("out", false, "*"), rule("private only", false, "*")};
	r[2].enabled = false;
	r[3].inbound = false;
	r[4].profiles = WFW_PRIVATE;
	struct wfw_policy pol = {
	    .active = WFW_PUBLIC, .prof = {ON, ON, ON}, .rules = r, .nrules = 5};
	struct wfw_verdict v;
	struct wfw_listener l = tcp4("10.1.2.3", 443, NULL);
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_ALL);
	CHECK_INT((int)v.rule, 0);
	char *text;
	CHECK_INT(wfw_rule_text(&pol, v.profile, v.rule, &text), 0);
	CHECK_STR(text, "Windows Firewall, public profile: rule \"allow web\" (allow)");
	free(text);
	l.port = 8050; /* in the range */
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_ALL);
	l.port = 8101;
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_NONE);
	l.port = 8080; /* allowed by the range, blocked by a later rule: the block wins */
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_NONE);
	CHECK_INT((int)v.rule, 1);
	/* UDP is not TCP; protocol 256 is any */
	l.protocol = 17;
	l.port = 443;
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_NONE);
	CHECK(v.rule == WFW_NO_RULE);
	r[0].protocol = 256;
	r[0].local_ports = NULL;
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_ALL);
}

TEST(wfw_remote_addresses_give_some)
{
	struct wfw_rule r[] = {rule("lan", true, "22"), rule("not the printer", false, "22")};
	r[0].remote_addrs = "10.0.0.0/255.0.0.0, 192.168.1.7,fe80::/64";
	struct wfw_policy pol = {
	    .active = WFW_DOMAIN, .prof = {ON, ON, ON}, .rules = r, .nrules = 1};
	struct wfw_listener l = tcp4("10.0.0.5", 22, NULL);
	struct wfw_verdict v;
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_SOME);
	CHECK_STR(v.sources, "10.0.0.0/8,192.168.1.7");
	CHECK_INT((int)v.accept_rule, 0);
	wfw_verdict_free(&v);
	/* a block of part of it is taken out */
	r[1].remote_addrs = "10.0.0.0/9";
	pol.nrules = 2;
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_SOME);
	CHECK_STR(v.sources, "10.128.0.0/9,192.168.1.7");
	CHECK_INT((int)v.rule, 1);
	wfw_verdict_free(&v);
	r[1].remote_addrs = "10.0.0.0-10.255.255.255,192.168.1.7";
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_NONE);
	/* an IPv6 listener: only the rule's IPv6 sources */
	pol.nrules = 1;
	l.addr.family = PS_INET6;
	inet_pton(AF_INET6, "fe80::1", l.addr.bytes);
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_SOME);
	CHECK_STR(v.sources, "fe80::/64");
	wfw_verdict_free(&v);
	/* a keyword is not decoded: unknown, with the rule named */
	r[0].remote_addrs = "LocalSubnet";
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_UNKNOWN);
	CHECK_INT((int)v.rule, 0);
	CHECK(strstr(v.why, "LocalSubnet and the local address's subnet is not known") != NULL);
}

TEST(wfw_undecided_conditions_are_unknown)
{
	struct wfw_rule r[] = {rule("rpc", true, "RPC"), rule("block all", false, "*")};
	struct wfw_policy pol = {
	    .active = WFW_PRIVATE, .prof = {ON, ON, ON}, .rules = r, .nrules = 1};
	struct wfw_listener l = tcp4("192.168.1.5", 49670, NULL);
	struct wfw_verdict v;
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_UNKNOWN);
	CHECK_INT((int)v.rule, 0);
	CHECK_STR(v.why, "a local port keyword (such as RPC or Teredo) is not decoded");
	/* a decided block of every source wins over what is unknown */
	pol.nrules = 2;
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_NONE);
	CHECK_INT((int)v.rule, 1);
	/* an unknown block: what is allowed may be taken away */
	r[0] = rule("web", true, "*");
	r[1].local_ports = "RPC-EPMap";
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_UNKNOWN);
	CHECK_INT((int)v.rule, 1);
	/* an unknown allow does not matter once every source is allowed */
	r[1] = rule("maybe", true, "RPC");
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_ALL);
	/* interface types, named interfaces, edge traversal, what the reader could not copy */
	pol.nrules = 1;
	r[0].interface_types = "Lan";
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_UNKNOWN);
	r[0].interface_types = "All";
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_ALL);
	r[0].interfaces = true;
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_UNKNOWN);
	r[0].interfaces = false;
	r[0].unhandled = "IPsec requirements (secure flags)";
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_UNKNOWN);
	r[0].unhandled = NULL;
	r[0].edge = true; /* every source is allowed anyway */
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_ALL);
	r[0].remote_addrs = "192.168.0.0/16"; /* and more through Teredo */
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_UNKNOWN);
	CHECK(strstr(v.why, "edge traversal") != NULL);
	/* a local address keyword; a local address that is not this one */
	r[0] = rule("web", true, "*");
	r[0].local_addrs = "DHCP";
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_UNKNOWN);
	r[0].local_addrs = "192.168.1.6,10.0.0.0/8";
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_NONE);
	r[0].local_addrs = "192.168.1.1-192.168.1.9";
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_ALL);
}

TEST(wfw_program_and_service)
{
	struct wfw_rule r[] = {rule("web", true, "*")};
	r[0].app = "C:\\Program Files\\Web\\web.exe";
	struct wfw_policy pol = {
	    .active = WFW_PUBLIC, .prof = {ON, ON, ON}, .rules = r, .nrules = 1};
	struct wfw_verdict v;
	/* paths compare case-insensitively, / as \, \\?\ dropped */
	struct wfw_listener l = tcp4("192.168.1.5", 80, "\\\\?\\c:/program files/WEB/Web.EXE");
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_ALL);
	l.app = "C:\\Program Files\\Web\\web2.exe";
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_NONE);
	l.app = NULL; /* no owner known (Wine: pid 0) */
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_UNKNOWN);
	CHECK_STR(v.why, "the rule names a program and the listener's program is not known");
	r[0].app = "%ProgramFiles%\\Web\\web.exe"; /* left unexpanded by the reader */
	l.app = "C:\\Program Files\\Web\\web.exe";
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_UNKNOWN);
	/* services: the socket's tag decides; else the services the owner hosts */
	r[0].app = "c:\\windows\\system32\\svchost.exe";
	r[0].service = "TermService";
	l.app = "C:\\Windows\\System32\\svchost.exe";
	l.service = "termservice";
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_ALL);
	l.service = "Dnscache";
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_NONE);
	l.service = NULL;
	l.host_services = "TermService";
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_ALL);
	l.host_services = "Dnscache,TermService";
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_UNKNOWN);
	l.host_services = "Dnscache,LanmanWorkstation";
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_NONE);
	l.host_services = NULL;
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_UNKNOWN);
	l.services_known = true; /* known to host none */
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_NONE);
	r[0].service = "*"; /* every service, and only services */
	l.host_services = "Dnscache";
	CHECK_INT(judge(&pol, &l, &v), FW_REACH_ALL);
}
