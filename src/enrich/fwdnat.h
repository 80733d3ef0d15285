/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fwdnat.h — the ports NAT rules forward (DNAT) or redirect. */
#ifndef PS_FWDNAT_H
#define PS_FWDNAT_H

#include "fweval.h"

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
