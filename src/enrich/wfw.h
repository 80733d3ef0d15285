/* wfw.h — the Windows Firewall's verdict on a listener, decided from a plain copy of its rules. */
#ifndef PS_WFW_H
#define PS_WFW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../model/model.h"

/* The profiles, numbered as NET_FW_PROFILE_TYPE2 numbers them (bits). */
enum { WFW_DOMAIN = 1, WFW_PRIVATE = 2, WFW_PUBLIC = 4, WFW_PROFILES = 3 };

/* One profile's settings (INetFwPolicy2 get_FirewallEnabled and the rest, per profile). */
struct wfw_profile {
	bool enabled;	    /* the firewall is on in this profile */
	bool block_all;	    /* BlockAllInboundTraffic: every rule that allows is ignored */
	bool default_allow; /* DefaultInboundAction is allow (normally block) */
};

/*
 * One rule as INetFwRule reports it, strings in UTF-8 (environment variables in
 * `app` already expanded by the reader). NULL strings mean "any", as do "*" and "".
 */
struct wfw_rule {
	char *name;
	bool enabled, inbound, allow;
	unsigned profiles; /* WFW_* bits */
	int protocol;	   /* IANA number; 256: any */
	char *local_ports; /* "80,443,5000-5010"; keywords such as "RPC" are not decoded */
	char *local_addrs; /* "*", addresses, "a-b" ranges, "a/len" or "a/mask" subnets, keywords */
	char *remote_addrs;
	char *app;	       /* the program's full path */
	char *service;	       /* the service's short name; "*": every service */
	char *interface_types; /* "All" or a list ("Lan,Wireless") */
	bool interfaces;       /* limited to named interfaces */
	bool edge;	       /* edge traversal (Teredo) allowed */
	char *unhandled; /* a condition the reader saw and this module does not decide, or NULL */
};

/* What the firewall API reported: profiles, which of them are active, and every rule. */
struct wfw_policy {
	unsigned active; /* GetCurrentProfileTypes: WFW_* bits */
	struct wfw_profile prof[WFW_PROFILES];
	struct wfw_rule *rules;
	size_t nrules;
};

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

/* wfw_verdict.rule when a profile's own setting decided (no rule). */
#define WFW_NO_RULE (-1L)

/* The verdict at one address. reach is an enum fw_reach (enrich/firewall.h). */
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
 * keywords such as LocalSubnet, interface types, edge traversal, `unhandled`, a
 * program or service this listener's owner does not tell) makes the verdict
 * unknown, naming the rule, unless a rule that is decided already blocks every
 * source. When several profiles are active and decide differently the verdict is
 * unknown (which network an address belongs to is not read). A pure function.
 * 0 or -ENOMEM.
 */
int wfw_judge(const struct wfw_policy *pol, const struct wfw_listener *l, struct wfw_verdict *out);
void wfw_verdict_free(struct wfw_verdict *v);

/* "domain", "private", "public" for one WFW_* bit; "?" otherwise. */
const char *wfw_profile_name(unsigned bit);

/*
 * The rule (or the profile setting when rule is WFW_NO_RULE) for people:
 * "Windows Firewall, public profile: rule \"Web server\" (block)" or
 * "Windows Firewall, public profile: default inbound action block". A new string
 * in *out. 0 or -ENOMEM.
 */
int wfw_rule_text(const struct wfw_policy *pol, unsigned profile, long rule, char **out);

/* Release every rule of pol and zero it. */
void wfw_policy_free(struct wfw_policy *pol);
void wfw_rule_free(struct wfw_rule *r);

#endif
