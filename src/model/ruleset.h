/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ruleset.h — a platform-neutral model of a packet filter's rule set: chains, rules, sets (types
 * and builders). */
#ifndef PS_RULESET_H
#define PS_RULESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Every value a rule compares is a big-endian byte string of a field's width
 * (addresses 4 or 16 bytes, ports 2, protocols 1, interface index and types 4,
 * interface names 16 zero-padded), so "in this range" is a memcmp() for every
 * field and a match is always a list of inclusive ranges over one field.
 */
#define FW_KEY_MAX 16

enum fw_family { FW_FAM_IP = 0, FW_FAM_IP6, FW_FAM_INET, FW_FAM_OTHER };

/* Where a base chain sits; FW_HOOK_NONE is a regular chain (only reached by jump/goto). */
enum fw_hook {
	FW_HOOK_NONE = 0,
	FW_HOOK_PREROUTING,
	FW_HOOK_INPUT,
	FW_HOOK_FORWARD,
	FW_HOOK_OUTPUT,
	FW_HOOK_POSTROUTING,
	FW_HOOK_OTHER
};

enum fw_chain_type { FW_CT_FILTER = 0, FW_CT_NAT, FW_CT_ROUTE, FW_CT_OTHER };

/* What a match reads from the packet. */
enum fw_field {
	FW_F_NFPROTO = 0,    /* 1 byte: 2 IPv4, 10 IPv6 */
	FW_F_L4PROTO,	     /* 1 byte: IPPROTO_* */
	FW_F_IIF,	     /* 4 bytes: input interface index */
	FW_F_IIFNAME,	     /* 16 bytes: input interface name, zero-padded */
	FW_F_SADDR,	     /* 4 or 16 bytes */
	FW_F_DADDR,	     /* 4 or 16 bytes */
	FW_F_SPORT,	     /* 2 bytes */
	FW_F_DPORT,	     /* 2 bytes */
	FW_F_CTSTATE,	     /* 4 bytes: bit mask (1 invalid, 2 established, 4 related, 8 new, 64
				untracked) */
	FW_F_FIB_DADDR_TYPE, /* 4 bytes: route type of the destination (RTN_LOCAL = 2, ...) */
	FW_F_RPFILTER,	     /* 4 bytes: the reverse-path lookup's outgoing interface (0: none) */
	FW_F_CTSTATUS, /* 4 bytes: conntrack status bits (IPS_*; a new connection not NATed: 0) */
	FW_F_OIF,      /* 4 bytes: output interface index (set on the output and later hooks) */
	FW_F_OIFNAME,  /* 16 bytes: output interface name, zero-padded */
	/*
	 * 4 bytes: the type of the packet's IPv6 routing header (xt rt). A packet without
	 * one never matches, negated or not: a connection carries none.
	 */
	FW_F_RTHDR_TYPE,
	FW_F__COUNT
};

/* Route types of the destination, numbered as the kernel numbers them (RTN_*). */
enum fw_addrtype {
	FW_RTN_UNICAST = 1,
	FW_RTN_LOCAL = 2,
	FW_RTN_BROADCAST = 3,
	FW_RTN_MULTICAST = 5
};

/* ct state bits (the same numbers in nftables and the xt conntrack/state matches). */
#define FW_CT_INVALID 1u
#define FW_CT_ESTABLISHED 2u
#define FW_CT_RELATED 4u
#define FW_CT_NEW 8u
#define FW_CT_UNTRACKED 64u

struct fw_range {
	uint8_t lo[FW_KEY_MAX], hi[FW_KEY_MAX]; /* inclusive, the first `len` bytes used */
};

/*
 * One condition of a rule. The packet's field value matches when it lies in one of
 * the ranges (or, with `set`, in one of that set's elements), or, when `mask` is
 * set, when value & mask is non-zero; `negate` inverts the outcome.
 */
struct fw_match {
	uint8_t field; /* enum fw_field */
	uint8_t len;   /* width of the field in bytes */
	bool negate;
	bool has_mask;
	uint8_t mask[FW_KEY_MAX];
	struct fw_range *ranges;
	size_t nranges;
	int32_t set; /* index into fw_ruleset.sets, -1 when the ranges are inline */
};

enum fw_vkind {
	FW_V_CONTINUE = 0, /* no verdict: the next rule */
	FW_V_ACCEPT,
	FW_V_DROP,
	FW_V_REJECT,
	FW_V_JUMP,
	FW_V_GOTO,
	FW_V_RETURN,
	FW_V_VMAP,     /* the verdict comes from a verdict map looked up with match `vmap` */
	FW_V_DNAT,     /* destination NAT: the connection goes to `nat` */
	FW_V_REDIRECT, /* destination NAT to this machine, port `nat.port_lo` */
	FW_V_SNAT,     /* source NAT or masquerade: ends a nat chain like accept */
	FW_V_UNKNOWN   /* a verdict that was not decoded (queue, tproxy, an unknown xt target) */
};

struct fw_verdict {
	uint8_t kind;  /* enum fw_vkind */
	int32_t chain; /* jump/goto: index into fw_ruleset.chains, -1 when absent */
};

/* The target of a DNAT or REDIRECT. */
struct fw_nat {
	uint8_t family;			  /* 4 or 6 */
	bool has_addr;			  /* DNAT to an address (REDIRECT: none) */
	uint8_t addr_lo[16], addr_hi[16]; /* the first 4 bytes for IPv4 */
	bool has_port;
	uint16_t port_lo, port_hi;
};

struct fw_rule {
	uint64_t handle;
	struct fw_match *m;
	size_t nm;
	struct fw_verdict v;
	struct fw_match vmap; /* FW_V_VMAP: the field and set looked up */
	struct fw_nat nat;    /* FW_V_DNAT, FW_V_REDIRECT */
	/*
	 * The first expression that was not decoded (a new string), NULL when the rule
	 * was understood completely. Whether the rule applies is then unknown, unless it
	 * has no verdict (a counter or log with an unknown match decides nothing).
	 */
	char *unknown;
	char *comment; /* the rule's comment, NULL when none */
	bool packed;   /* made by fw_rule_pack: its arrays and texts are the rule set's */
};

struct fw_chain {
	char *table;
	char *name;
	uint8_t family;	  /* enum fw_family */
	uint8_t hook;	  /* enum fw_hook */
	uint8_t type;	  /* enum fw_chain_type */
	int32_t priority; /* base chains */
	uint8_t policy;	  /* base chains: FW_V_ACCEPT or FW_V_DROP */
	struct fw_rule *rules;
	size_t nrules, rules_cap;
};

struct fw_elem {
	struct fw_range key;
	struct fw_verdict v; /* verdict maps */
};

struct fw_set {
	char *table;
	char *name;
	uint8_t family;
	uint8_t keylen;
	bool vmap; /* a verdict map */
	bool map;  /* a map to data (not decoded: lookups through it are unknown) */
	struct fw_elem *elems;
	size_t nelems, elems_cap;
};

struct fw_ruleset {
	struct fw_chain *chains;
	size_t nchains, chains_cap;
	struct fw_set *sets;
	size_t nsets, sets_cap;
	/* fw_ruleset_index(): chain lookup by name in O(1) (valid while nchains == indexed) */
	uint32_t *chain_slots;
	size_t chain_mask, indexed;
	struct fw_arena *arena; /* what chain and set names and packed rules point into */
};

/* Names for display and JSON: "ip", "ip6", "inet", "other"; "prerouting", "input", ... */
const char *fw_family_name(unsigned fam);
const char *fw_hook_name(unsigned hook);
/* "accept", "drop", "reject", "jump", ... */
const char *fw_verdict_name(unsigned kind);
/* "saddr", "dport", ... as nft writes them. */
const char *fw_field_name(unsigned field);

/* Append an empty chain (policy accept, not a base chain); its index or -ENOMEM. */
long fw_chain_add(struct fw_ruleset *rs, const char *table, const char *name, unsigned family);
/* Index the chains by (family, table, name) for fw_chain_find; a later fw_chain_add drops it. 0 or
 * -ENOMEM. */
int fw_ruleset_index(struct fw_ruleset *rs);
/* Index of the chain `name` of table `table` in family `family`, or -1. */
long fw_chain_find(const struct fw_ruleset *rs, unsigned family, const char *table,
		   const char *name);
/* Append a zeroed rule (continue, no matches) to chain c; NULL when out of memory. */
struct fw_rule *fw_rule_add(struct fw_chain *c);
/*
 * Append a copy of rule r to chain c of rs, its matches, ranges and texts packed
 * into memory rs owns (a few large blocks instead of several small allocations per
 * rule: a 10,000-rule set is built in a fraction of the time and memory). r is left
 * as it was (fw_rule_free it). 0 or -ENOMEM.
 */
int fw_rule_pack(struct fw_ruleset *rs, struct fw_chain *c, const struct fw_rule *r);
/* Append a match to r; NULL when out of memory. The match is zeroed with set = -1. */
struct fw_match *fw_match_add(struct fw_rule *r, unsigned field, unsigned len);
/* Append the range [lo, hi] (m->len bytes each) to m. 0 or -ENOMEM. */
int fw_match_range(struct fw_match *m, const uint8_t *lo, const uint8_t *hi);
/* Append an empty set; its index or -ENOMEM. */
long fw_set_add(struct fw_ruleset *rs, const char *table, const char *name, unsigned family,
		unsigned keylen);
/* Index of set `name` in table `table` of family `family`, or -1. */
long fw_set_find(const struct fw_ruleset *rs, unsigned family, const char *table, const char *name);
/* Append an element to set s; NULL when out of memory. The element's verdict is continue. */
struct fw_elem *fw_elem_add(struct fw_set *s);
/* Release everything rs holds and zero it. */
void fw_ruleset_free(struct fw_ruleset *rs);
/* Release what rule r holds (nothing when it is packed) and zero it. */
void fw_rule_free(struct fw_rule *r);

/*
 * Set the IPv4 or IPv6 prefix addr/plen as the range [lo, hi] of a `len`-byte
 * field (len 4 or 16; plen at most len * 8).
 */
void fw_prefix_range(const uint8_t *addr, unsigned len, unsigned plen, struct fw_range *out);

#endif
