/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wfwpolicy.h — the Windows Firewall's policy as data: profiles and inbound rules (types and
 * builders). */
#ifndef PS_WFWPOLICY_H
#define PS_WFWPOLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"

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

/* LocalPolicyModifyState (NET_FW_MODIFY_STATE) of the active profiles. */
enum wfw_modify {
	WFW_MODIFY_OK = 0, /* local rules take effect (also: not read) */
	WFW_MODIFY_GP_OVERRIDE =
	    1, /* group policy controls the profile: local rules may not apply */
	WFW_MODIFY_INBOUND_BLOCKED = 2 /* no unsolicited inbound traffic is allowed */
};

/*
 * One `netsh interface portproxy` rule, as the registry keeps it
 * (HKLM\SYSTEM\CurrentControlSet\Services\PortProxy\<kind>\tcp, a value named
 * "listenaddress/listenport" whose data is "connectaddress/connectport"): the IP
 * Helper service (iphlpsvc) listens there and relays each TCP connection.
 */
struct wfw_portproxy {
	const char *kind;  /* "v4tov4", "v4tov6", "v6tov4", "v6tov6" (static) */
	char *listen_addr; /* NULL: every address ("*", 0.0.0.0, ::) */
	uint16_t listen_port;
	char *connect_addr; /* an address or a host name, as netsh was given it */
	uint16_t connect_port;
};

/*
 * A rule from one registry value of the key of kind (one of the four names, else
 * -EINVAL): name "listenaddress/listenport", data "connectaddress/connectport"
 * (the last '/' splits, ports 1-65535). 0, -EINVAL (not such a pair) or -ENOMEM.
 */
int wfw_portproxy_parse(const char *kind, const char *name, const char *data,
			struct wfw_portproxy *out);
void wfw_portproxy_free(struct wfw_portproxy *p);

/*
 * One local unicast address and the network its interface is connected to: the
 * profile the firewall applies there (the network's category: public, private, or
 * domain-authenticated) and the on-link prefix (what `LocalSubnet` means there).
 */
struct wfw_ifaddr {
	struct ps_addr addr;
	uint8_t prefix;	  /* on-link prefix length; 0: not known */
	unsigned profile; /* one WFW_* bit; 0: not known */
	char *ifid;	  /* the interface's identifier ("{GUID}"), or NULL */
	char *ifname;	  /* its friendly name ("Ethernet"), or NULL */
};

/* What the firewall API reported: profiles, which of them are active, and every rule. */
struct wfw_policy {
	unsigned active; /* GetCurrentProfileTypes: WFW_* bits */
	unsigned modify; /* enum wfw_modify */
	struct wfw_profile prof[WFW_PROFILES];
	/* ExcludedInterfaces per profile: the interfaces (identifiers or names, comma
	 * separated) the profile's firewall does not filter; NULL: none, or not read */
	char *excluded[WFW_PROFILES];
	unsigned excluded_read; /* WFW_* bits of the profiles whose list was read */
	/* the local addresses with their interface's profile; none when not read */
	struct wfw_ifaddr *addrs;
	size_t naddrs;
	char *addrs_why; /* why the interfaces' profiles are not known, or NULL */
	struct wfw_rule *rules;
	size_t nrules;
	/* netsh interface portproxy rules (read from the registry even when the firewall's
	 * policy is not) */
	struct wfw_portproxy *proxies;
	size_t nproxies;
};

/* "domain", "private", "public" for one WFW_* bit; "?" otherwise. */
const char *wfw_profile_name(unsigned bit);

/* The entry of pol->addrs for address a (IPv4-mapped ones as IPv4), or NULL. */
const struct wfw_ifaddr *wfw_policy_addr(const struct wfw_policy *pol, const struct ps_addr *a);

/* Release every rule of pol and zero it. */
void wfw_policy_free(struct wfw_policy *pol);
void wfw_rule_free(struct wfw_rule *r);

#endif
