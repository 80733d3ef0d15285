/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fwsource.h — what the platform read of the firewall: a source tagged with the firewall it is. */
#ifndef PS_FWSOURCE_H
#define PS_FWSOURCE_H

#include <stdint.h>

#include "ruleset.h"
#include "wfwpolicy.h"

struct ps_netns;

/*
 * Which firewall a source holds. A new firewall (pf, ipfw) is a new tag here, the
 * backend that returns it and a judge in enrich (enrich/fwstage.c): nothing else
 * branches on the operating system.
 */
enum ps_fw_kind {
	PS_FW_SRC_NONE = 0,  /* nothing was read: err and why say why */
	PS_FW_SRC_NETFILTER, /* Linux nf_tables: rules (and legacy) */
	PS_FW_SRC_WINDOWS,   /* the Windows Firewall: policy */
};

/* What is asked of the firewall reader. */
struct ps_fw_request {
	/* The namespace whose rules are wanted; NULL: the caller's (the only one read today). */
	const struct ps_netns *ns;
};

/* A firewall as the platform read it (release with fwsource_free). */
struct ps_fw_source {
	uint8_t kind; /* enum ps_fw_kind */
	/*
	 * PS_FW_SRC_NONE: the firewall that is there but could not be read (its judge
	 * still knows what that firewall never filters), or PS_FW_SRC_NONE when the
	 * platform or this build reads none.
	 */
	uint8_t unread;
	int err;		  /* NONE: -errno (-ENOSYS: no reader on this platform or build) */
	char *why;		  /* NONE: why, a sentence for the user */
	struct fw_ruleset rules;  /* NETFILTER */
	struct wfw_policy policy; /* WINDOWS */
	/*
	 * Netfilter's iptables-legacy (x_tables) tables, whether or not nf_tables could be
	 * read: "ip:filter ip6:nat", "" when none, NULL when unknown or not netfilter.
	 * Their rules are not visible through nf_tables.
	 */
	char *legacy;
};

/*
 * Make s a PS_FW_SRC_NONE source: firewall `unread` could not be read, err -errno,
 * why (copied) the reason. What s held of rules or policy is released; legacy is
 * kept. 0 or -ENOMEM.
 */
int fwsource_none(struct ps_fw_source *s, unsigned unread, int err, const char *why);

/* Release everything s holds and zero it. */
void fwsource_free(struct ps_fw_source *s);

#endif
