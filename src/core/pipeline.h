/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pipeline.h — one call that runs collect → attribute → describe → enrich → filter → sort for every
 * command. */
#ifndef PS_PIPELINE_H
#define PS_PIPELINE_H

#include <stdbool.h>

#include "../enrich/fwstage.h"
#include "../model/filter.h"
#include "../model/model.h"
#include "../model/policy.h"
#include "../platform/packages.h"
#include "regload.h"
#include "users.h"

/* The stages, in the order they run. */
enum pipeline_stage {
	STAGE_COLLECT,	    /* listing sockets */
	STAGE_ATTRIBUTE,    /* finding owners (platform_attribute) */
	STAGE_DESCRIBE,	    /* reading process details */
	STAGE_SERVICES,	    /* parent chains, socket activation, socket cgroups (tolerant) */
	STAGE_UNITS,	    /* units and containers from cgroups (tolerant) */
	STAGE_FORKS,	    /* pre-forking servers: a master and its workers as one group */
	STAGE_OWNER_FILTER, /* -p, -c, --user: before judging, so only shown processes are checked
			     */
	STAGE_EXPOSURE,	    /* interface addresses for reachability (tolerant) */
	STAGE_GROUPS, /* multicast groups joined per interface, for sockets bound to one (tolerant)
		       */
	STAGE_EXE_FACTS, /* what the file system says about the listeners' executables (tolerant) */
	STAGE_PACKAGES,	 /* which package owns each of them (tolerant) */
	STAGE_FIREWALL,	 /* the firewall's rule set and the ports it forwards (tolerant) */
	STAGE_FINDINGS,	 /* service, exposure and findings: a pure function of the model */
	STAGE_EXPLAIN,	 /* what the registry says of the port explain asks about (PIPE_JUDGE) */
	STAGE_ACKS,	 /* findings a policy acknowledges (--policy) */
	STAGE_USERS,	 /* user names for every uid shown (tolerant) */
	STAGE_FILTER,	 /* the command's own filter (explain's port, --findings) */
	STAGE_SORT,	 /* display order and counts */
	STAGE_CENSUS,	 /* how many other network namespaces exist (PIPE_CENSUS; tolerant) */
	STAGE__COUNT
};

/* Optional groups of stages a command asks for. */
enum {
	PIPE_JUDGE = 1,	 /* registry, exposure, executable facts, packages, firewall, findings */
	PIPE_USERS = 2,	 /* user names */
	PIPE_CENSUS = 4, /* count the namespaces not listed, for a note (without --all-ns) */
};

struct pipeline_config {
	const struct ps_filter *filter;
	unsigned want; /* PIPE_* */
	const char
	    *ports_file; /* PIPE_JUDGE: --ports-file, the most specific registry layer, or NULL */
	const char *services_file; /* PIPE_JUDGE: --services, or NULL for /etc/services */
	/* The command's own filter, applied last (NULL: keep everything). */
	bool (*keep)(const struct ps_snapshot *, const struct ps_socket *, const void *);
	const void *keep_ctx;
	/* PIPE_JUDGE: a policy whose `ack` lines acknowledge findings (NULL: none), and the time
	 * their dates are judged at (seconds since the epoch). */
	const struct policy *acks;
	int64_t now;
	/* PIPE_JUDGE: the port `explain` asks about (explain_proto: PS_TCP, PS_UDP or -1),
	 * looked up into snap->explain; explain false: none. */
	bool explain;
	uint16_t explain_port;
	int explain_proto;
};

/* What a pipeline keeps between runs (watch polls many times): the registry, package and user
 * caches. */
struct pipeline {
	struct pipeline_config c;
	struct registry reg;
	struct pkgdb *pkg;
	struct users *users;
	struct fw_context *fw; /* the rule set of the last run, until the findings are made */
};

/*
 * Prepare a pipeline for c (copied; the filter and files must outlive it). With
 * PIPE_JUDGE, load the layered port registry (malformed lines are listed in
 * p->reg.warnings) and set its ephemeral range from the platform. 0, -ENOMEM,
 * or -errno when c->ports_file cannot be read. Close it even on failure.
 */
int pipeline_open(struct pipeline *p, const struct pipeline_config *c);

/*
 * Fill `snap` (zeroed) with the sockets matching the filter, their owners and
 * everything the asked stages know about them, filtered, sorted for display and
 * counted. A tolerant stage that fails leaves its fields empty and records why in
 * snap->notes. 0, or -errno with *stage telling which step failed.
 */
int pipeline_run(struct pipeline *p, struct ps_snapshot *snap, enum pipeline_stage *stage);

void pipeline_close(struct pipeline *p);

/* What a failed stage could not do, for messages ("cannot list sockets", ...). */
const char *pipeline_stage_text(enum pipeline_stage stage);

#endif
