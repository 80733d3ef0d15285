/* verdict_out.h — the service, exposure and findings of a socket as columns and JSON. */
#ifndef PS_VERDICT_OUT_H
#define PS_VERDICT_OUT_H

#include "../model/verdict.h"
#include "../util/buf.h"
#include "output.h"

/* Value of COL_SERVICE, COL_EXPOSURE or COL_FINDINGS for socket k of s; nothing when s was not judged. */
int column_verdict(const struct ps_snapshot *s, const struct ps_socket *k, enum col_id c, struct buf *out);

/* ,"service":{...},"exposure":{...},"findings":[...] for socket k of s (nothing when not judged). */
int json_socket_verdict(struct buf *b, const struct ps_snapshot *s, const struct ps_socket *k);

/* The same three keys, without the leading comma, for one verdict (used by explain). */
int json_verdict_keys(struct buf *b, const struct ps_socket *k, const struct sock_verdict *v);

/* ,"packages":{...},"sockets_by_worst_finding":{...} (nothing when s was not judged). */
int json_verdict_summary(struct buf *b, const struct ps_snapshot *s);

/* The "service" object for (port, proto), or null when nothing is known. */
int json_service(struct buf *b, uint16_t port, unsigned proto, bool known, const struct port_info *s);

/* What is said about a dynamic port instead of a service name. */
extern const char verdict_dynamic_text[];

/* A JSON string or null (escaped). */
int json_str(struct buf *b, const char *s);

#endif
