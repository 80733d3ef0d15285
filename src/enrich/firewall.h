/* firewall.h — the firewall's verdict for a new connection to a listener, and the ports NAT
 * forwards. */
#ifndef PS_FIREWALL_H
#define PS_FIREWALL_H

#include "../model/ruleset.h"

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

/* A set of source addresses: sorted, disjoint, non-adjacent inclusive ranges of `len` bytes. */
struct fw_srcset {
	struct fw_range *r;
	size_t n, cap;
	uint8_t len;
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

/* "all", "some", "none", "unknown". */
const char *fw_reach_name(unsigned reach);

/*
 * Write the source set as comma-separated CIDR prefixes ("10.0.0.0/8,192.168.1.7")
 * into out (always terminated; cut short with "..." when out is too small).
 * Returns the number of prefixes.
 */
size_t fw_srcset_format(const struct fw_srcset *s, char *out, size_t outlen);

/*
 * Source sets for other evaluators (the Windows Firewall's, wfw.c). A set starts as
 * (struct fw_srcset){.len = 4 or 16}. fw_srcset_add puts [lo, hi] (len bytes each)
 * in and keeps s normalized; fw_srcset_subtract makes out = a minus b (a new set).
 * Both 0 or -ENOMEM.
 */
int fw_srcset_add(struct fw_srcset *s, const uint8_t *lo, const uint8_t *hi);
int fw_srcset_subtract(const struct fw_srcset *a, const struct fw_srcset *b, struct fw_srcset *out);
/* Whether s holds every address of its length. */
bool fw_srcset_is_full(const struct fw_srcset *s);
/*
 * The widest address class (enum ps_exposure, never PS_EXPO_ALL) of the sources in s:
 * a range inside 127/8 or ::1 is loopback, inside 169.254/16 or fe80::/10 link-local,
 * inside 10/8, 172.16/12, 192.168/16, 100.64/10 or fc00::/7 private (IPv4-mapped
 * IPv6 ranges by their IPv4 part), anything else public.
 */
int fw_srcset_widest(const struct fw_srcset *s);
void fw_srcset_free(struct fw_srcset *s);

/* A port that a NAT rule forwards or redirects. */
struct fw_forward {
	uint8_t family;	 /* 4 or 6 */
	uint8_t l4proto; /* 0: any protocol */
	bool has_daddr;	 /* only connections to these addresses */
	struct fw_range daddr;
	uint16_t port_lo, port_hi; /* 0, 0: any port */
	struct fw_nat to;	   /* to.has_addr false: redirect to this machine */
	bool redirect;
	bool prerouting, output; /* the hooks it is reached from */
	struct fw_ruleref rule;	 /* the DNAT or REDIRECT rule */
	const char *runtime;	 /* "docker", "podman", "kubernetes", "cni" (static) or NULL */
};

/*
 * Every DNAT and REDIRECT rule reachable from a nat base chain on the prerouting
 * or output hook, one entry per (address, port range) it forwards, with the
 * protocol, addresses and ports required on the way to it (jump conditions
 * included). Chains written by Docker, Podman/netavark, kube-proxy and CNI are
 * recognised by name. Chains that branch too often to follow every path are followed
 * until a budget of rules runs out (the forwards past it are not listed). *out is a new
 * array (free()); 0 or -ENOMEM.
 */
int fw_forwards(const struct fw_ruleset *rs, struct fw_forward **out, size_t *n);

#endif
