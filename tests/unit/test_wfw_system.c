/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_wfw_system.c — the Windows Firewall on the kernel's listeners (pid 4:
 * SMB 445, NetBIOS 139, WinRM 5985 through http.sys): the built-in rules name the
 * program "System", and the snapshot's pid-4 label makes them match, so those
 * ports are judged on a typical Windows 11 policy instead of "unknown".
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/enrich/fweval.h"
#include "../../src/enrich/wfw.h"
#include "test.h"

#define ALL_PROFILES 0x7FFFFFFF
#define DOM_PRIV (WFW_DOMAIN | WFW_PRIVATE)

/* A built-in inbound TCP rule as INetFwRule reports it on Windows 11. */
static struct wfw_rule builtin(const char *name, bool enabled, long profiles, const char *ports,
			       const char *app, const char *remote)
{
	return (struct wfw_rule){.name = (char *)name,
				 .enabled = enabled,
				 .inbound = true,
				 .allow = true,
				 .profiles = profiles,
				 .protocol = 6,
				 .local_ports = (char *)ports,
				 .app = (char *)app,
				 .remote_addrs = (char *)remote};
}

/* A snapshot with pid-4 listeners on 445, 139, 5985 and 443 labelled as the Windows backend
 * labels them, and one program's listener. */
static void system_snapshot(struct ps_snapshot *snap)
{
	memset(snap, 0, sizeof *snap);
	static struct ps_sockcg cg[] = {
	    {.unit = "System", .unit_type = "kernel", .source = "pid 4"}};
	snap->sockcgs = cg;
	snap->nsockcgs = 1;
	static const uint16_t ports[] = {445, 139, 5985, 443};
	for (size_t i = 0; i < 4; i++) {
		struct ps_socket *s = snap_add_socket(snap);
		CHECK(s != NULL);
		s->proto = PS_TCP, s->state = PS_ST_LISTEN, s->local.port = ports[i];
		s->local.addr.family = PS_INET;
		s->owner_status = PS_OWN_KERNEL;
		s->sockcg = 1;
	}
}

static uint8_t verdict(const struct wfw_policy *pol, const struct ps_snapshot *snap, size_t i,
		       const char **why)
{
	struct wfw_listener l = {.protocol = 6, .port = snap->socks[i].local.port};
	l.addr.family = PS_INET;
	inet_pton(AF_INET, "192.168.1.20", l.addr.bytes);
	wfw_listener_owner(&l, snap, &snap->socks[i]);
	struct wfw_verdict v;
	if (wfw_judge(pol, &l, &v))
		return 255;
	*why = v.why;
	free(v.sources);
	return v.reach;
}

TEST(wfw_system_listeners_match_system_rules)
{
	struct ps_snapshot snap;
	system_snapshot(&snap);
	struct wfw_listener l = {0};
	wfw_listener_owner(&l, &snap, &snap.socks[0]);
	CHECK_STR(l.app, "System");
	CHECK(l.services_known && !l.service && !l.host_services);

	struct wfw_rule r[] = {
	    /* File and Printer Sharing: domain/private from the local subnet; public copies off */
	    builtin("File and Printer Sharing (SMB-In)", true, DOM_PRIV, "445", "System",
		    "LocalSubnet"),
	    builtin("File and Printer Sharing (SMB-In)", false, WFW_PUBLIC, "445", "System",
		    "LocalSubnet"),
	    builtin("File and Printer Sharing (NB-Session-In)", false, WFW_PUBLIC, "139", "System",
		    "LocalSubnet"),
	    /* WinRM after `winrm quickconfig`: any source on domain/private */
	    builtin("Windows Remote Management (HTTP-In)", true, DOM_PRIV, "5985", "System", "*"),
	    builtin("Windows Remote Management (HTTP-In)", false, WFW_PUBLIC, "5985", "System",
		    "LocalSubnet"),
	    /* Core Networking, on in every profile */
	    builtin("Core Networking - IPHTTPS (TCP-In)", true, ALL_PROFILES, "IPHTTPS", "System",
		    "*"),
	    /* a third-party program's rule: never the kernel's */
	    builtin("Contoso Agent", true, ALL_PROFILES, "*",
		    "C:\\Program Files\\Contoso\\agent.exe", "*"),
	};
	struct wfw_policy pol = {.active = WFW_PUBLIC,
				 .prof = {{.enabled = true}, {.enabled = true}, {.enabled = true}},
				 .rules = r,
				 .nrules = sizeof r / sizeof r[0]};
	const char *why = NULL;
	/* public network (a new Wi-Fi): sharing and WinRM rules are off, so blocked — not unknown
	 */
	CHECK_INT(verdict(&pol, &snap, 0, &why), FW_REACH_NONE);
	CHECK_STR(why, "no rule allows it and the default inbound action is block");
	CHECK_INT(verdict(&pol, &snap, 1, &why), FW_REACH_NONE);
	CHECK_INT(verdict(&pol, &snap, 2, &why), FW_REACH_NONE);
	/* http.sys on 443 under IP-HTTPS's rule: allowed */
	CHECK_INT(verdict(&pol, &snap, 3, &why), FW_REACH_ALL);
	/* domain network: WinRM from anywhere; SMB from the local subnet, which is not decoded */
	pol.active = WFW_DOMAIN;
	CHECK_INT(verdict(&pol, &snap, 2, &why), FW_REACH_ALL);
	CHECK_INT(verdict(&pol, &snap, 0, &why), FW_REACH_UNKNOWN);
	CHECK(why && strstr(why, "subnet is not known"));
	CHECK_INT(verdict(&pol, &snap, 1, &why), FW_REACH_NONE); /* 139's domain copy absent */

	/* before: a pid-4 socket with no label had no program, and every program rule was unknown
	 */
	snap.socks[2].sockcg = 0;
	CHECK_INT(verdict(&pol, &snap, 2, &why), FW_REACH_UNKNOWN);
	CHECK_STR(why, "the rule names a program and the listener's program is not known");
	snap.sockcgs = NULL;
	snap.nsockcgs = 0;
	snap_free(&snap);
}

/* LocalPolicyModifyState: group policy blocking all inbound traffic decides; group policy
 * controlling the profile makes a rule's verdict unknown (local rules may be set aside). */
TEST(wfw_local_policy_modify_state)
{
	struct ps_snapshot snap;
	system_snapshot(&snap);
	struct wfw_rule r[] = {builtin("Windows Remote Management (HTTP-In)", true, ALL_PROFILES,
				       "5985", "System", "*")};
	struct wfw_policy pol = {.active = WFW_PRIVATE,
				 .prof = {{.enabled = true}, {.enabled = true}, {.enabled = true}},
				 .rules = r,
				 .nrules = 1};
	const char *why = NULL;
	CHECK_INT(verdict(&pol, &snap, 2, &why), FW_REACH_ALL); /* the local rule allows */
	pol.modify = WFW_MODIFY_GP_OVERRIDE;
	CHECK_INT(verdict(&pol, &snap, 2, &why), FW_REACH_UNKNOWN);
	CHECK(why && strstr(why, "group policy controls this profile"));
	CHECK_INT(verdict(&pol, &snap, 0, &why), FW_REACH_NONE); /* no rule: the profile decides */
	pol.modify = WFW_MODIFY_INBOUND_BLOCKED;
	CHECK_INT(verdict(&pol, &snap, 2, &why), FW_REACH_NONE);
	CHECK(why && strstr(why, "no unsolicited inbound"));
	snap.sockcgs = NULL;
	snap.nsockcgs = 0;
	snap_free(&snap);
}
