/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conns_out.h — the grouped connection view as a table, JSON or CSV. */
#ifndef PS_CONNS_OUT_H
#define PS_CONNS_OUT_H

#include "../model/conns.h"
#include "../util/buf.h"

/* The table's columns, in order (a header line first unless no_header). 0 or -ENOMEM. */
int render_conns_table(struct buf *out, const struct conn_table *t, bool no_header);
/* {"schema": 1, "interval": SEC, "groups": [...]}, a newline at the end. 0 or -ENOMEM. */
int render_conns_json(struct buf *out, const struct conn_table *t);
/* One record per group, a header first. 0 or -ENOMEM. */
int render_conns_csv(struct buf *out, const struct conn_table *t, bool no_header);

/* A byte count for people: 512, 20.0K, 1.5M, 3.2G (1024-based), into out. Returns out. */
char *conns_human_bytes(double v, char *out, size_t cap);
/* A round-trip time for people in milliseconds (12.3), under 0.05 ms in microseconds (42us),
 * into out. Returns out. */
char *conns_human_rtt(double us, char *out, size_t cap);
/* "ADDR:PORT" with IPv6 in brackets, into out. Returns out. */
char *conns_endpoint(const struct ps_endpoint *e, char *out, size_t cap);

#endif
