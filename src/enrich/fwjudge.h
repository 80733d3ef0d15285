/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fwjudge.h — the firewall's verdict on each address a listening socket is reachable on. */
#ifndef PS_FWJUDGE_H
#define PS_FWJUDGE_H

#include "../util/buf.h"
#include "fweval.h"
#include "verdict.h"

/* fw_reach_verdict.reach when the rules could not be read (fw_reach_verdict.why says why). */
#define FW_REACH_NOT_READ 4

struct fw_reach_verdict {
	uint8_t reach; /* enum fw_reach, or FW_REACH_NOT_READ */
	char *
	    sources; /* FW_REACH_SOME: the accepted sources as prefixes (a new string), else NULL */
	struct fw_ruleref
	    rule; /* the deciding rule: unknown_by, the first drop (or forward), or the accept */
	struct fw_ruleref
	    accept_rule; /* the rule that let the accepted sources in; chain -1 when none */
	struct fw_ruleref
	    forward_rule; /* a DNAT/REDIRECT that takes these connections elsewhere; chain -1 */
	const char *why;  /* unknown or not read: why (static, or why_not's) */
	/* FW_REACH_SOME: the widest class of the accepted sources (enum ps_exposure); unset
	 * (a backend that cannot tell): public */
	bool src_known;
	uint8_t src_class;
};

/*
 * The connection a client opens to listener k at address r: its protocol and port,
 * r's address (IPv4-mapped addresses as IPv4), the interface holding r (index from
 * addrs), the address type (local; broadcast for 255.255.255.255; multicast), and
 * "local" for loopback addresses (it comes from this machine).
 */
void fw_packet_for(const struct ps_socket *k, const struct reach *r, const struct ps_ifaddr *addrs,
		   size_t naddrs, struct fw_packet *p);

/*
 * Judge listener k at each of its nr reachable addresses r[] into out[] (parallel to
 * r; release with fw_reach_verdicts_free). rs NULL: the rules were not read, and
 * every verdict is FW_REACH_NOT_READ with why_not. `legacy` lists the iptables-legacy
 * tables ("ip:filter ip6:nat", ps_fw_source.legacy; NULL or "" when none): their
 * rules are not visible, so for an address of such a family what nf_tables accepts
 * becomes unknown (a drop stays a drop). 0 or -ENOMEM.
 */
int fw_judge_reach(const struct fw_ruleset *rs, const char *why_not, const char *legacy,
		   const struct ps_socket *k, const struct reach *r, size_t nr,
		   const struct ps_ifaddr *addrs, size_t naddrs, struct fw_reach_verdict *out);
void fw_reach_verdicts_free(struct fw_reach_verdict *v, size_t n);

/*
 * The class of the hosts that reach address r through verdict v: the address's class
 * (a wildcard's as public), narrowed to the widest class of the accepted sources when
 * only some get in (10.0.0.0/8 allowed on a public address: private).
 */
int fw_reach_class(const struct reach *r, const struct fw_reach_verdict *v);
/*
 * How far the listener really reaches: the widest exposure class (exposure.h) of the
 * addresses whose verdict lets at least some connections in (all, some, unknown, not
 * read: an unknown is never taken for a drop). -1 when the firewall refuses every
 * address. Findings use it instead of the bound address's class.
 */
int fw_effective_exposure(const struct reach *r, const struct fw_reach_verdict *v, size_t n);

/*
 * The rule `ref` for people: "inet filter input rule 3 (handle 7): drop", with what
 * was not decoded and its comment; for a policy "inet filter input policy drop".
 * Appends to out (nothing for chain -1). 0 or -ENOMEM.
 */
int fw_rule_text(const struct fw_ruleset *rs, struct fw_ruleref ref, struct buf *out);

#endif
