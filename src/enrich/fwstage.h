/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fwstage.h — the firewall judged by its tag: verdicts per listener, forwarded ports in the model.
 */
#ifndef PS_FWSTAGE_H
#define PS_FWSTAGE_H

#include "../model/filter.h"
#include "../model/fwmodel.h"
#include "../model/fwsource.h"
#include "../model/verdict.h"
#include "fwdnat.h"

/* The firewall of another namespace (-N), as one pipeline run read it. */
struct fw_nsfw {
	uint64_t netns;
	struct ps_fw_source src; /* owned */
};

/* The firewall of the namespace portsleuth runs in, as one pipeline run read it. */
struct fw_context {
	struct ps_fw_source src; /* what the platform read, judged by its tag (owned) */
	uint64_t netns;		 /* the namespace whose firewall this is */
	/* -N: the firewalls of other namespaces, each judging its own listeners */
	struct fw_nsfw *others;
	size_t nothers;
	/* NETFILTER: the forwards of snap->firewall->fwd, index for index */
	struct fw_forward *fwd;
	size_t nfwd;
};

/*
 * Take over the firewall source src (zeroed after) into c (release with
 * fw_context_free) and record in snap->firewall what was read, or why not. A
 * firewall that could not be read is no failure (every verdict is then "not-read"
 * with the reason). 0 or -ENOMEM.
 */
int fw_context_open(struct fw_context *c, struct ps_fw_source *src, struct ps_snapshot *snap);
void fw_context_free(struct fw_context *c);

/*
 * Take over src (zeroed after), the firewall of namespace netns (another than c's),
 * to judge that namespace's listeners with. One that could not be read makes their
 * verdicts "not-read" with its why. 0 or -ENOMEM.
 */
int fw_context_add_netns(struct fw_context *c, uint64_t netns, struct ps_fw_source *src);

/*
 * The firewall's verdict at every address listener k (of snap) is reachable on,
 * v->reach[0..nreach), into v->fw and v->fw_summary; texts interned in vs.
 * When the firewall refuses the widest of those addresses, v->scope becomes the
 * widest class it lets through (fw_effective_exposure; loopback when it refuses
 * them all). A socket of another namespace is judged by that namespace's firewall
 * (fw_context_add_netns), or gets "not-read" when it was not read. 0 or -ENOMEM.
 */
int fw_judge_listener(const struct fw_context *c, const struct ps_snapshot *snap,
		      const struct ps_socket *k, struct verdicts *vs, struct sock_verdict *v);

/* Whether fw_judge_listener's verdict on listener k cannot depend on its port: its
 * namespace's firewall has no rules to match one (none read, or nf_tables without chains). */
bool fw_port_blind(const struct fw_context *c, const struct ps_socket *k);

/* Whether fw_judge_listener's verdict on listener k cannot depend on its owners: its
 * namespace's firewall judges addresses and ports, not programs (every firewall but
 * Windows'). */
bool fw_owner_blind(const struct fw_context *c, const struct ps_socket *k);

/*
 * The forwarded ports of c's rule set that match the user's filter f (port,
 * protocol, family) into snap->firewall, each with the namespace holding its
 * target among the addresses snap holds, and the processes listening there (from
 * snap's sockets). 0 or -ENOMEM.
 */
int fw_forwards_model(struct fw_context *c, struct ps_snapshot *snap, const struct ps_filter *f);

/*
 * Whether a forward's target address is in no namespace whose addresses snap
 * holds while snap lists namespaces whose addresses were not read: reading theirs
 * (fw_forwards_place) may still place it.
 */
bool fw_forwards_unplaced(const struct fw_context *c, const struct ps_snapshot *snap);

/*
 * Place the forwards fw_forwards_model left without a target using the addresses
 * more[0..n) of other namespaces (ps_ifaddr.netns tells whose), with the
 * processes listening there. 0 or -ENOMEM.
 */
int fw_forwards_place(const struct fw_context *c, struct ps_snapshot *snap,
		      const struct ps_ifaddr *more, size_t n);

#endif
