/* fwstage.h — the firewall in the pipeline: read the rule set once, judge listeners, list forwarded
 * ports. */
#ifndef PS_FWSTAGE_H
#define PS_FWSTAGE_H

#include "../model/filter.h"
#include "../model/fwmodel.h"
#include "../model/verdict.h"
#include "fwrules.h"
#include "wfw.h"

/* The rule set of the namespace portsleuth runs in, as one pipeline run read it. */
struct fw_context {
	struct fw_ruleset rs;
	bool read;	 /* rs holds the rules */
	const char *why; /* not read: why (static) */
	const char *
	    legacy; /* iptables-legacy tables, "" when none (owned by the snapshot's ps_firewall) */
	uint64_t netns; /* the namespace whose rules these are */
	bool windows;	/* the Windows Firewall's policy was asked for: wfw, not rs, holds it */
	struct wfw_policy wfw;
};

/*
 * Read the Windows Firewall's policy where the platform has it, else the rule set
 * and the iptables-legacy tables of the caller's network namespace, into c (release with
 * fw_context_free) and record in snap->firewall whether they were read and why not. Rules that
 * cannot be read are no failure (every verdict is then "not-read" with the reason). 0 or -ENOMEM.
 */
int fw_context_read(struct fw_context *c, struct ps_snapshot *snap);
void fw_context_free(struct fw_context *c);

/*
 * The firewall's verdict at every address listener k (of snap) is reachable on,
 * v->reach[0..nreach), into v->fw and v->fw_summary; texts interned in vs.
 * When the firewall refuses the widest of those addresses, v->scope becomes the
 * widest class it lets through (fw_effective_exposure; loopback when it refuses
 * them all). A socket of another namespace gets "not-read". 0 or -ENOMEM.
 */
int fw_judge_listener(const struct fw_context *c, const struct ps_snapshot *snap,
		      const struct ps_socket *k, struct verdicts *vs, struct sock_verdict *v);

/*
 * The forwarded ports of c's rule set that match the user's filter f (port,
 * protocol, family) into snap->firewall, each with the namespace holding its
 * target and the processes listening there (from snap's sockets; namespaces other
 * than ours only when snap lists them, --all-ns). 0 or -ENOMEM.
 */
int fw_forwards_model(const struct fw_context *c, struct ps_snapshot *snap,
		      const struct ps_filter *f);

#endif
