/* prom.h — Prometheus text exposition format (node_exporter textfile collector) building blocks. */
#ifndef PS_PROM_H
#define PS_PROM_H

#include <stddef.h>

#include "../model/diff.h"
#include "../util/buf.h"

/*
 * Append s[0..n) as the inside of a quoted label value: backslash, double quote and
 * newline escaped as the format requires; other control bytes and invalid UTF-8
 * become U+FFFD so the file always parses. 0 or -ENOMEM.
 */
int prom_label_escape(struct buf *out, const char *s, size_t n);

/* "# HELP name help\n# TYPE name type\n" (help escaped as the format requires). 0 or -ENOMEM. */
int prom_header(struct buf *out, const char *name, const char *type, const char *help);

/*
 * portsleuth_listeners{proto,exposure} for every protocol and exposure class (zeros
 * included, so series never vanish), counting each identity once. 0 or -ENOMEM.
 */
int prom_listeners(struct buf *out, const struct diff_side *side);

/*
 * The snapshot metrics: portsleuth_listeners, portsleuth_snapshot_partial and
 * portsleuth_snapshot_timestamp_seconds (`when`). 0 or -ENOMEM.
 */
int prom_snapshot(struct buf *out, const struct ps_snapshot *s, long long when);

#endif
