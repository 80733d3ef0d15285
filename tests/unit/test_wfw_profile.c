/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_wfw_profile.c — the Windows Firewall judged per interface: each local address's network
 * profile (INetworkListManager's category of its adapter), ExcludedInterfaces, and LocalSubnet
 * from the address's on-link prefix (GetAdaptersAddresses' OnLinkPrefixLength). */
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

static struct ps_addr ip4(const char *s)
{
	struct ps_addr a = {.family = PS_INET};
	inet_pton(AF_INET, s, a.bytes);
	return a;
}

/* Two adapters as the reader records them: Wi-Fi in a public network (NLM_NETWORK_CATEGORY_PUBLIC
 * = 0), Ethernet in a private one (NLM_NETWORK_CATEGORY_PRIVATE = 1), both on a /24. */
static struct wfw_ifaddr ifs[] = {
    {.prefix = 24,
     .profile = WFW_PUBLIC,
     .ifid = "{5B3C8E0A-1D2F-4A6B-9C7D-0E1F2A3B4C5D}",
     .ifname = "Wi-Fi"},
    {.prefix = 24,
     .profile = WFW_PRIVATE,
     .ifid = "{A1B2C3D4-E5F6-4789-ABCD-EF0123456789}",
     .ifname = "Ethernet"},
};

static void policy(struct wfw_policy *pol, struct wfw_rule *r, size_t nr)
{
	ifs[0].addr = ip4("203.0.113.7");
	ifs[1].addr = ip4("192.168.1.5");
	*pol = (struct wfw_policy){.active = WFW_PUBLIC | WFW_PRIVATE,
				   .prof = {ON, ON, ON},
				   .excluded_read = WFW_DOMAIN | WFW_PRIVATE | WFW_PUBLIC,
				   .addrs = ifs,
				   .naddrs = 2,
				   .rules = r,
				   .nrules = nr};
}

static int judge_at(const struct wfw_policy *pol, const char *addr, uint16_t port,
		    struct wfw_verdict *v)
{
	struct wfw_listener l = {.protocol = 6, .port = port, .app = "C:\\srv\\web.exe"};
	l.addr = ip4(addr);
	return wfw_judge(pol, &l, v) ? -1 : v->reach;
}

TEST(wfw_profile_per_interface)
{
	/* "Web (private)": allow 8080 in the private profile only (NET_FW_PROFILE2_PRIVATE) */
	struct wfw_rule r[] = {{.name = "Web (private)",
				.enabled = true,
				.inbound = true,
				.allow = true,
				.profiles = WFW_PRIVATE,
				.protocol = 6,
				.local_ports = "8080"}};
	struct wfw_policy pol;
	policy(&pol, r, 1);
	struct wfw_verdict v;
	/* the public Wi-Fi address: public's default inbound action blocks */
	CHECK_INT(judge_at(&pol, "203.0.113.7", 8080, &v), FW_REACH_NONE);
	CHECK_INT((int)v.profile, WFW_PUBLIC);
	CHECK_STR(v.why, "no rule allows it and the default inbound action is block");
	/* the private Ethernet address: the rule allows, and the profile is said */
	CHECK_INT(judge_at(&pol, "192.168.1.5", 8080, &v), FW_REACH_ALL);
	CHECK_INT((int)v.profile, WFW_PRIVATE);
	CHECK_INT((int)v.rule, 0);
	CHECK_STR(v.why, "its network is private, so the private profile applies");
	char *text;
	CHECK_INT(wfw_rule_text(&pol, v.profile, v.rule, &text), 0);
	CHECK_STR(text, "Windows Firewall, private profile: rule \"Web (private)\" (allow)");
	free(text);
	/* before: an address whose interface's profile is not known, with both profiles active and
	 * deciding differently, is unknown (today's answer when the network list is not read) */
	CHECK_INT(judge_at(&pol, "198.51.100.1", 8080, &v), FW_REACH_UNKNOWN);
	CHECK(strstr(v.why, "profiles decide differently") != NULL);
	pol.addrs_why = "INetworkListManager: not implemented";
	CHECK_INT(judge_at(&pol, "198.51.100.1", 8080, &v), FW_REACH_UNKNOWN);
	CHECK(strstr(v.why, "network list could not be read") != NULL);
	pol.addrs_why = NULL;
	/* an IPv4-mapped address is the IPv4 one */
	struct wfw_listener l = {.protocol = 6, .port = 8080};
	l.addr.family = PS_INET6;
	inet_pton(AF_INET6, "::ffff:192.168.1.5", l.addr.bytes);
	CHECK_INT(wfw_judge(&pol, &l, &v), 0);
	CHECK_INT(v.reach, FW_REACH_ALL);
	/* the profile of the interface off: open there, whatever the other profile says */
	pol.prof[2].enabled = false;
	CHECK_INT(judge_at(&pol, "203.0.113.7", 8080, &v), FW_REACH_ALL);
	CHECK_STR(v.why, "the firewall is off in this profile");
}

TEST(wfw_profile_excluded_interface)
{
	struct wfw_policy pol;
	policy(&pol, NULL, 0);
	struct wfw_verdict v;
	CHECK_INT(judge_at(&pol, "203.0.113.7", 3389, &v), FW_REACH_NONE);
	/* ExcludedInterfaces of the public profile names the Wi-Fi adapter's GUID */
	char *ex = "{5B3C8E0A-1D2F-4A6B-9C7D-0E1F2A3B4C5D}";
	pol.excluded[2] = ex;
	CHECK_INT(judge_at(&pol, "203.0.113.7", 3389, &v), FW_REACH_ALL);
	CHECK_INT((int)v.profile, WFW_PUBLIC);
	CHECK(strstr(v.why, "excluded from the profile's firewall (ExcludedInterfaces)") != NULL);
	/* lower case, and by friendly name, in a list */
	pol.excluded[2] = "{00000000-0000-0000-0000-000000000001}, wi-fi";
	CHECK_INT(judge_at(&pol, "203.0.113.7", 3389, &v), FW_REACH_ALL);
	/* excluded from the private profile only: Ethernet is, Wi-Fi (public) is not */
	pol.excluded[2] = NULL;
	pol.excluded[1] = "Ethernet,Wi-Fi";
	CHECK_INT(judge_at(&pol, "203.0.113.7", 3389, &v), FW_REACH_NONE);
	CHECK_INT(judge_at(&pol, "192.168.1.5", 3389, &v), FW_REACH_ALL);
	/* the list could not be read: a block is not claimed */
	pol.excluded[1] = NULL;
	pol.excluded_read = WFW_PRIVATE;
	CHECK_INT(judge_at(&pol, "203.0.113.7", 3389, &v), FW_REACH_UNKNOWN);
	CHECK(strstr(v.why, "ExcludedInterfaces) could not be read") != NULL);
}

TEST(wfw_profile_local_subnet)
{
	struct wfw_rule r[] = {{.name = "File and Printer Sharing (SMB-In)",
				.enabled = true,
				.inbound = true,
				.allow = true,
				.profiles = WFW_PRIVATE | WFW_PUBLIC,
				.protocol = 6,
				.local_ports = "445",
				.remote_addrs = "LocalSubnet"}};
	struct wfw_policy pol;
	policy(&pol, r, 1);
	struct wfw_verdict v;
	/* from the subnet of each address: 192.168.1.0/24 on Ethernet, 203.0.113.0/24 on Wi-Fi */
	CHECK_INT(judge_at(&pol, "192.168.1.5", 445, &v), FW_REACH_SOME);
	CHECK_STR(v.sources, "192.168.1.0/24");
	CHECK_INT((int)v.accept_rule, 0);
	wfw_verdict_free(&v);
	CHECK_INT(judge_at(&pol, "203.0.113.7", 445, &v), FW_REACH_SOME);
	CHECK_STR(v.sources, "203.0.113.0/24");
	wfw_verdict_free(&v);
	/* a /22 prefix */
	ifs[1].prefix = 22;
	CHECK_INT(judge_at(&pol, "192.168.1.5", 445, &v), FW_REACH_SOME);
	CHECK_STR(v.sources, "192.168.0.0/22");
	wfw_verdict_free(&v);
	/* with another range */
	r[0].remote_addrs = "LocalSubnet,10.0.0.0/8";
	CHECK_INT(judge_at(&pol, "192.168.1.5", 445, &v), FW_REACH_SOME);
	CHECK(v.sources && strstr(v.sources, "10.0.0.0/8") && strstr(v.sources, "192.168.0.0/22"));
	wfw_verdict_free(&v);
	/* the prefix not known: unknown, never a guess */
	ifs[1].prefix = 0;
	CHECK_INT(judge_at(&pol, "192.168.1.5", 445, &v), FW_REACH_UNKNOWN);
	CHECK(strstr(v.why, "subnet is not known") != NULL);
	ifs[1].prefix = 24;
}
