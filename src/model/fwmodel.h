/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fwmodel.h — the firewall part of the model: whether the rules were read, the verdict per
 * reachable address, forwarded ports. */
#ifndef PS_FWMODEL_H
#define PS_FWMODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The firewall's verdict on a new connection to one address (docs/firewall.md). */
enum ps_fw_verdict {
	PS_FW_ALL = 0,	/* every source is accepted */
	PS_FW_SOME,	/* only `sources` */
	PS_FW_NONE,	/* dropped, rejected or forwarded elsewhere from every source */
	PS_FW_UNKNOWN,	/* a rule that could decide was not decoded */
	PS_FW_NOT_READ, /* the rules could not be read (why) */
	PS_FW__COUNT
};

/* A rule (or a chain's policy, when handle_known is false) named for people and JSON. chain NULL:
 * none. */
struct ps_fw_rule {
	const char *family, *table,
	    *chain;	   /* family "ip", "ip6", "inet" (static); table and chain raw bytes */
	bool handle_known; /* false: the chain's policy */
	uint64_t handle;
	const char *text; /* fw_rule_text(): "inet filter input rule 3 (handle 7): drop; ..." */
};

/* The firewall at one reachable address of a listener (parallel to sock_verdict.reach). */
struct ps_fw_at {
	uint8_t verdict;	/* enum ps_fw_verdict */
	const char *sources;	/* PS_FW_SOME: accepted sources as prefixes, else NULL */
	uint8_t reach_class;	/* enum ps_exposure of the hosts that get in: the address's class,
				   narrowed by the sources when only some do */
	const char *why;	/* unknown, not read: why */
	struct ps_fw_rule rule; /* the deciding rule */
	struct ps_fw_rule accept_rule;
	struct ps_fw_rule forwarded_by;
};

/* An owner of the socket a forward ends at. */
struct ps_fw_owner {
	int pid;
	char *name;
};

/* A port a NAT rule forwards (DNAT) or redirects, and what it reaches. */
struct ps_forward {
	const char *proto; /* "tcp", "udp", "sctp", "other" (static) or NULL for any */
	uint8_t family;	   /* 4 or 6 */
	char *addr; /* destination prefix the rule requires ("203.0.113.7", "10.0.0.0/8"), NULL: any
		     */
	uint16_t port, port_end;       /* 0, 0: any port */
	char *to_addr;		       /* NULL: redirect to this machine */
	uint16_t to_port, to_port_end; /* 0, 0: the port is kept */
	const char *kind;	       /* "dnat", "redirect" (static) */
	bool prerouting, output;       /* the hooks it is reached from */
	const char *runtime; /* "docker", "podman", "kubernetes", "cni" (static) or NULL */
	char *rule_family, *rule_table, *rule_chain;
	uint64_t rule_handle;
	/* The target on this machine: the namespace holding to_addr (0: not found or not looked
	 * for). */
	uint64_t target_netns;
	char *target_netns_name;
	char *container_id, *container_name;
	const char *container_runtime;
	struct ps_fw_owner *owners;
	size_t nowners;
};

/* What the firewall stage found in the namespace portsleuth runs in. */
struct ps_firewall {
	bool read;    /* the rule set was read */
	int err;      /* -errno when not read */
	char *why;    /* why not, NULL when read */
	char *legacy; /* iptables-legacy tables ("ip:filter ip6:nat"), "" when none, NULL when
			 unknown */
	size_t rules, chains;
	struct ps_forward *fwd;
	size_t nfwd;
};

/* Whether a and b are the same forward: (proto, family, addr, ports, target address and ports). */
bool forward_same(const struct ps_forward *a, const struct ps_forward *b);

/* "all", "some", "none", "unknown", "not-read". */
const char *fw_verdict_text(unsigned v);
/* Release everything f holds and f itself (NULL is fine). */
void fwmodel_free(struct ps_firewall *f);
void forward_free(struct ps_forward *f);

#endif
