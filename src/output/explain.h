/* SPDX-License-Identifier: GPL-2.0-or-later */
/* explain.h — the story of one port (`portsleuth explain`), as text or JSON: pure functions of the
 * model. */
#ifndef PS_OUTPUT_EXPLAIN_H
#define PS_OUTPUT_EXPLAIN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../model/verdict.h"
#include "output.h"

/* struct explain_port (the port asked about, what the registry says of it) is in
 * model/verdict.h: the pipeline fills snap->explain. */

/*
 * The text story: per protocol what the number means, then for every socket of
 * snap (the listeners on the port, judged) where it is reachable, who holds it
 * and its findings. Untrusted text is escaped. 0 or -EIO.
 */
int render_explain_text(FILE *fp, const struct ps_snapshot *snap, const struct explain_port *e);

/*
 * The command explain's "to stop it" gives for process p holding socket k (k may be NULL):
 * its unit's or container's stop, else `kill` of it and its pre-forking group, every name
 * quoted for the shell. Into out (a shell command line); *why (may be NULL) says why a unit
 * was not used. 0, 1 when there is none, -ENOMEM.
 */
int explain_stop_command(const struct ps_snapshot *snap, const struct ps_socket *k,
			 const struct ps_proc *p, struct buf *out, const char **why);

/* The same as one JSON object ("schema", "port", "proto", "held", "registry", "sockets", "stop",
 * "packages"). */
int render_explain_json(FILE *fp, const struct ps_snapshot *snap, const struct explain_port *e);

#endif
