/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fw_out.h — the firewall's verdicts and the forwarded ports as JSON, cells and table rows. */
#ifndef PS_FW_OUT_H
#define PS_FW_OUT_H

#include <stdio.h>

#include "../model/verdict.h"
#include "../util/buf.h"
#include "jsonw.h"
#include "output.h"

/* The "firewall" object of one reachable address. */
void json_fw_at(struct jw *w, const struct ps_fw_at *at);

/* "firewall":{"verdict","why"} of a listener's exposure (nothing when the firewall was not looked
 * at). */
void json_fw_summary(struct jw *w, const struct sock_verdict *v);

/* One forward object (as in "forwards"). */
void json_forward(struct jw *w, const struct ps_forward *f);

/* Top-level "firewall" and "forwards" (nothing when the firewall was not looked at). */
void json_fw_document(struct jw *w, const struct ps_snapshot *s);

/* The FIREWALL cell: all, some, none, ? (unknown or not read); nothing when not judged. */
int column_firewall(const struct sock_verdict *v, struct buf *out);

/* One line per forwarded port ("forwarded to ADDR:PORT", the rule, the target's owner) after the
 * table. */
int render_forwards_text(FILE *fp, const struct ps_snapshot *s);

/*
 * Column c of forward f's CSV record for the owner oi of its target (raw bytes; nothing
 * for a column a forward does not fill): PROTO, LOCAL (the forwarded address and port),
 * REMOTE (where connections go), STATE (FORWARD or REDIRECT), PID, PROGRAM, CONTAINER,
 * NETNS (the target's) and COMMAND (the rule: "ip nat DOCKER (docker)").
 */
int forward_cell(const struct ps_forward *f, size_t oi, enum col_id c, struct buf *out);

/* "forwarded to 172.17.0.2:80" and the rest of a forward's line into out (raw bytes). */
int forward_text(const struct ps_forward *f, struct buf *out);

/*
 * explain's lines about the firewall at the reachable addresses of v (raw bytes: escape them):
 * one line when every address has the same verdict, else one per verdict naming its addresses.
 */
int explain_fw_text(const struct sock_verdict *v, struct buf *out);

/* explain's lines about the forwarded ports in s (raw bytes: escape them). */
int explain_forwards_text(const struct ps_snapshot *s, struct buf *out);

#endif
