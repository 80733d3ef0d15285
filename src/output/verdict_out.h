/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verdict_out.h — the service, exposure and findings of a socket as columns and JSON. */
#ifndef PS_VERDICT_OUT_H
#define PS_VERDICT_OUT_H

#include "../model/verdict.h"
#include "../util/buf.h"
#include "jsonw.h"
#include "output.h"

/*
 * Value of COL_SERVICE, COL_EXPOSURE, COL_FIREWALL or COL_FINDINGS for socket k of s;
 * nothing when s was not judged. With fw_mark, the exposure class carries the
 * firewall's verdict beyond loopback: "*" when it lets only some sources in, "?" when
 * a rule that decides was not decoded ("all-interfaces*").
 */
int column_verdict(const struct ps_snapshot *s, const struct ps_socket *k, enum col_id c,
		   bool fw_mark, struct buf *out);

/* "service", "exposure", "findings" of socket k of s (nothing when not judged). */
void json_socket_verdict(struct jw *w, const struct ps_snapshot *s, const struct ps_socket *k);

/* "packages", "sockets_by_worst_finding" (nothing when s was not judged). */
void json_verdict_summary(struct jw *w, const struct ps_snapshot *s);

/* The "service" object for (port, proto), or null when nothing is known; home (NULL: none)
 * says when s is the holder's program's service (program_home). */
void json_service(struct jw *w, uint16_t port, unsigned proto, bool known,
		  const struct port_info *s, const struct svc_home *home);

/* What is said about a dynamic port instead of a service name. */
extern const char verdict_dynamic_text[];

#endif
