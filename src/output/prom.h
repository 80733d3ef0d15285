/* SPDX-License-Identifier: GPL-2.0-or-later */
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
 * portsleuth_listeners_reach{proto,reach}: listeners by the widest class of address that reaches
 * them through the firewall (loopback, link-local, private, public; zeros included). 0 or -ENOMEM.
 */
int prom_reach(struct buf *out, const struct diff_side *side);

/*
 * portsleuth_listener_info{proto,port,program,unit,container,service,class,reach} 1: one series
 * per distinct label set (a program's IPv4 and IPv6 sockets on a port are one). 0 or -ENOMEM.
 */
int prom_listener_info(struct buf *out, const struct diff_side *side);

/*
 * portsleuth_findings{severity,code} (the pairs found) and
 * portsleuth_findings_by_severity{severity} (every severity): unacknowledged findings on listeners
 * of a judged snapshot. 0 or -ENOMEM.
 */
int prom_findings(struct buf *out, const struct ps_snapshot *s);

/* All of the above and portsleuth_listeners: what a snapshot and a check both report. */
int prom_listener_metrics(struct buf *out, const struct diff_side *side);

/*
 * portsleuth_check_result{result}: 1 for the check's outcome ("clean", "violated",
 * "unverified"), 0 for the others. 0 or -ENOMEM.
 */
int prom_check_result(struct buf *out, const char *result);

/*
 * The snapshot metrics: prom_listener_metrics, portsleuth_snapshot_partial and
 * portsleuth_snapshot_timestamp_seconds (`when`). 0 or -ENOMEM.
 */
int prom_snapshot(struct buf *out, const struct ps_snapshot *s, long long when);

#endif
