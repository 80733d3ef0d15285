/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fweval.h — the firewall's verdict for a new connection to a listener, over the set of its
 * sources. */
#ifndef PS_FWEVAL_H
#define PS_FWEVAL_H

#include "fwinterval.h"

/*
 * A new connection arriving: everything about it is known except its source,
 * which the evaluation treats as a set (every address of the family at the start).
 */
struct fw_packet {
	uint8_t family;	 /* 4 or 6 */
	uint8_t l4proto; /* IPPROTO_TCP, IPPROTO_UDP, ... */
	uint16_t dport;
	uint8_t daddr[16];   /* the first 4 bytes for IPv4 */
	uint32_t iif;	     /* the interface it arrives on */
	const char *iifname; /* its name; NULL when unknown (iifname matches are then unknown) */
	uint8_t daddr_type;  /* enum fw_addrtype of daddr on this machine */
	/*
	 * From this machine (over lo): the output hook's chains run first, and NAT is
	 * decided there, so nat chains on prerouting do not see the connection.
	 */
	bool local;
};

/* A rule of the rule set: chain index and rule index, rule -1 for the chain's policy. */
struct fw_ruleref {
	int32_t chain; /* -1: none */
	int32_t rule;
};

enum fw_reach {
	FW_REACH_ALL = 0, /* accepted whatever the source */
	FW_REACH_SOME,	  /* accepted from the sources in fw_result.accepted only */
	FW_REACH_NONE,	  /* dropped or rejected (or forwarded elsewhere) from every source */
	FW_REACH_UNKNOWN  /* a rule that decides could not be decoded: see unknown_by */
};

struct fw_result {
	uint8_t reach; /* enum fw_reach */
	struct fw_srcset accepted;
	/*
	 * The first rule (in evaluation order) that did each thing; chain -1 when none
	 * did. accept_by is the first accept in the last base chain that was run.
	 */
	struct fw_ruleref accept_by, drop_by, unknown_by, forward_by;
	const char *why; /* FW_REACH_UNKNOWN: what made it unknowable (static text) */
	size_t chains;	 /* base chains evaluated */
};

/*
 * Evaluate every base chain on the prerouting and input hooks (for a local
 * connection: output, then prerouting except nat, then input) of the ip, ip6 and
 * inet families that sees p, in hook and priority order: policies, jump, goto,
 * return, verdict maps, and matches on iif/iifname, saddr/daddr (with sets and
 * prefixes), fib daddr type, l4proto, dport (with sets and ranges) and ct state
 * (a new connection is ct state new). Connections a DNAT or redirect rule takes
 * elsewhere do not reach the listener (forward_by names the rule). Rules with an
 * undecoded expression that carry a verdict make their sources unknown, and so does
 * running out of a budget of rules looked at (chains that branch too often to follow).
 * *out is filled (free with fw_result_free); 0 or -ENOMEM.
 */
int fw_evaluate(const struct fw_ruleset *rs, const struct fw_packet *p, struct fw_result *out);
void fw_result_free(struct fw_result *r);

#endif
