/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verdict.h — per socket: what the port is, who can reach it, and findings about its owners. */
#ifndef PS_VERDICT_H
#define PS_VERDICT_H

#include "../model/model.h"
#include "../model/verdict.h"
#include "reach.h"
#include "registry.h"
#include "rules.h"

struct fw_context;

/*
 * Judge every socket of snap into snap->verdicts and ps_socket.verdict: service
 * (from reg), exposure and reachability (from snap->addrs) and, for listeners,
 * findings about their owners from the facts earlier stages stored on each
 * process (exe_check, pkg). A pure function of snap and reg. Connections share
 * one verdict per (service port, protocol, exposure). With fw (enrich/fwstage.h),
 * listeners also get the firewall's verdict at each reachable address, and their
 * scope is what the firewall lets through. 0 or -ENOMEM.
 */
int verdicts_compute(struct ps_snapshot *snap, const struct registry *reg,
		     const struct fw_context *fw);

#endif
