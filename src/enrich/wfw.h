/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wfw.h — the Windows Firewall's verdict on a listener, judged from its policy (model/wfwpolicy.h).
 */
#ifndef PS_WFW_H
#define PS_WFW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../model/model.h"
#include "../model/wfwpolicy.h"

/* The connection a client opens to a listener at one of its addresses. */
struct wfw_listener {
	int protocol;		   /* 6 or 17 */
	uint16_t port;		   /* local port */
	struct ps_addr addr;	   /* the address reached (IPv4-mapped ones as IPv4) */
	bool loopback;		   /* addr is a loopback address */
	const char *app;	   /* the owner's image path, NULL when unknown */
	const char *service;	   /* the service that owns the socket (its tag), NULL: unknown */
	const char *host_services; /* services the owner hosts, "A,B"; NULL: none or unknown */
	bool services_known;	   /* host_services is the whole list (NULL: no service at all) */
};

/*
 * Fill l's program and services from listener k's owner in snap: the owner's
 * image and the services its process hosts; the service of the socket's service
 * tag; for a socket of pid 4 (labelled "System" by the backend), the program
 * "System", which is what built-in rules for the kernel's listeners name (File
 * and Printer Sharing, WinRM, http.sys), with no service.
 */
void wfw_listener_owner(struct wfw_listener *l, const struct ps_snapshot *snap,
			const struct ps_socket *k);

/* wfw_verdict.rule when a profile's own setting decided (no rule). */
#define WFW_NO_RULE (-1L)

/* The verdict at one address. reach is an enum fw_reach (enrich/fweval.h). */
struct wfw_verdict {
	uint8_t reach;
	char *sources;	  /* FW_REACH_SOME: the sources allowed, a new string; else NULL */
	unsigned profile; /* the profile (one WFW_* bit) that decided, 0 when none did */
	long rule;	  /* the deciding rule (index), or WFW_NO_RULE */
	long accept_rule; /* FW_REACH_SOME: the first allow rule, else WFW_NO_RULE */
	const char *why;  /* static text: why unknown, or what decided without a rule */
};

/*
 * Judge a new connection to listener l under policy pol, as Windows decides it:
 * loopback traffic is not filtered; in each active profile, a profile that is off
 * lets everything in, BlockAllInboundTraffic nothing; else the enabled inbound
 * rules of the profile that match the listener (protocol, local port, local
 * address, program, service) are applied with block rules winning over allow
 * rules, and the default inbound action when no allow rule matches. Remote
 * addresses make the verdict "some" (the sources allowed, as CIDR prefixes).
 * A rule whose conditions cannot be decided (port keywords such as RPC, address
 * keywords such as Internet, a LocalSubnet whose prefix is not known, interface types, edge
 * traversal, `unhandled`, a program or service this listener's owner does not tell) makes the
 * verdict unknown, naming the rule, unless a rule that is decided already blocks every source. The
 * address's entry in pol->addrs, when it has a profile that is active, makes that profile alone
 * judge (an interface its ExcludedInterfaces names is not filtered; a list that was not read makes
 * a filtering verdict unknown), and gives LocalSubnet its meaning (the address's on-link subnet).
 * Otherwise, when several profiles are active and decide differently the verdict is unknown. A pure
 * function. 0 or -ENOMEM.
 */
int wfw_judge(const struct wfw_policy *pol, const struct wfw_listener *l, struct wfw_verdict *out);
void wfw_verdict_free(struct wfw_verdict *v);

/*
 * The rule (or the profile setting when rule is WFW_NO_RULE) for people:
 * "Windows Firewall, public profile: rule \"Web server\" (block)" or
 * "Windows Firewall, public profile: default inbound action block". A new string
 * in *out. 0 or -ENOMEM.
 */
int wfw_rule_text(const struct wfw_policy *pol, unsigned profile, long rule, char **out);

#endif
