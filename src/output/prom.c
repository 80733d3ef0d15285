/* SPDX-License-Identifier: GPL-2.0-or-later */
/* prom.c — Prometheus text format: label escaping, HELP/TYPE lines, listener and finding gauges. */
#include "prom.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../model/exposure.h"
#include "../model/verdict.h"
#include "../util/escape.h"

int prom_label_escape(struct buf *out, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	int rc = 0;
	for (size_t i = 0; i < n && !rc;) {
		uint32_t cp;
		size_t l = utf8_decode(u + i, n - i, &cp);
		if (!l) {
			rc = buf_puts(out, "\xEF\xBF\xBD");
			i++;
			continue;
		}
		if (cp == '\\')
			rc = buf_puts(out, "\\\\");
		else if (cp == '"')
			rc = buf_puts(out, "\\\"");
		else if (cp == '\n')
			rc = buf_puts(out, "\\n");
		else if (esc_unsafe_cp(cp)) /* controls, invisible and bidi characters */
			rc = buf_puts(out, "\xEF\xBF\xBD");
		else
			rc = buf_append(out, s + i, l);
		i += l;
	}
	return rc;
}

int prom_header(struct buf *out, const char *name, const char *type, const char *help)
{
	int rc = buf_printf(out, "# HELP %s ", name);
	for (const char *p = help; *p && !rc; p++)
		rc = *p == '\\'	  ? buf_puts(out, "\\\\")
		     : *p == '\n' ? buf_puts(out, "\\n")
				  : buf_putc(out, *p);
	return rc ? rc : buf_printf(out, "\n# TYPE %s %s\n", name, type);
}

int prom_listeners(struct buf *out, const struct diff_side *side)
{
	size_t count[PS_PROTO_COUNT][PS_EXPO__COUNT] = {{0}};
	const struct ps_snapshot *s = side->snap;
	for (size_t i = 0; i < s->nsocks; i++) {
		const struct ps_socket *k = &s->socks[i];
		if (i && diff_cmp_identity(&s->socks[i - 1], k) == 0)
			continue; /* SO_REUSEPORT siblings are one listener */
		if (k->proto < PS_PROTO_COUNT)
			count[k->proto][diff_exposure(side, i)]++;
	}
	int rc = prom_header(out, "portsleuth_listeners", "gauge",
			     "Listening sockets by protocol and exposure (who can reach them).");
	for (unsigned p = 0; p < PS_PROTO_COUNT && !rc; p++)
		for (unsigned e = 0; e < PS_EXPO__COUNT && !rc; e++)
			rc = buf_printf(
			    out, "portsleuth_listeners{proto=\"%s\",exposure=\"%s\"} %zu\n",
			    proto_name(p), exposure_name((enum ps_exposure)e), count[p][e]);
	return rc;
}

/* The widest class of address that reaches listener i through the firewall: the verdict's when
 * the snapshot was judged, else the recorded or bound exposure (a wildcard bind counts as public).
 */
static enum ps_exposure listener_reach(const struct diff_side *side, size_t i)
{
	const struct ps_snapshot *s = side->snap;
	const struct sock_verdict *v = verdict_of(s, &s->socks[i]);
	if (v && v->listener)
		return v->widest;
	enum ps_exposure e = (enum ps_exposure)diff_exposure(side, i);
	return e >= PS_EXPO_ALL ? PS_EXPO_PUBLIC : e;
}

/* Whether socket i is a listener counted once (SO_REUSEPORT siblings are one listener). */
static bool listener_first(const struct ps_snapshot *s, size_t i)
{
	const struct ps_socket *k = &s->socks[i];
	if (i && diff_cmp_identity(&s->socks[i - 1], k) == 0)
		return false;
	return k->proto < PS_PROTO_COUNT && socket_is_listener(k);
}

int prom_reach(struct buf *out, const struct diff_side *side)
{
	size_t count[PS_PROTO_COUNT][PS_EXPO_ALL] = {{0}};
	const struct ps_snapshot *s = side->snap;
	for (size_t i = 0; i < s->nsocks; i++)
		if (listener_first(s, i))
			count[s->socks[i].proto][listener_reach(side, i)]++;
	int rc = prom_header(out, "portsleuth_listeners_reach", "gauge",
			     "Listening sockets by the widest class of address that reaches them "
			     "through the firewall (public, private, link-local, loopback).");
	for (unsigned p = 0; p < PS_PROTO_COUNT && !rc; p++)
		for (unsigned e = 0; e < PS_EXPO_ALL && !rc; e++)
			rc = buf_printf(
			    out, "portsleuth_listeners_reach{proto=\"%s\",reach=\"%s\"} %zu\n",
			    proto_name(p), exposure_name((enum ps_exposure)e), count[p][e]);
	return rc;
}

/* ,key="value" with the value escaped; NULL is the empty string. */
static int label(struct buf *b, const char *key, const char *val)
{
	int rc = buf_printf(b, ",%s=\"", key);
	if (!rc && val)
		rc = prom_label_escape(b, val, strlen(val));
	return rc ? rc : buf_putc(b, '"');
}

/* The info series' labels of listener i, from `proto` on (no braces, no value). */
static int info_labels(struct buf *b, const struct diff_side *side, size_t i)
{
	const struct ps_snapshot *s = side->snap;
	const struct ps_socket *k = &s->socks[i];
	const struct ps_proc *p = k->owner_count ? &s->procs[snap_owner(s, k, 0)->proc] : NULL;
	const struct sock_verdict *v = verdict_of(s, k);
	const char *cls = v && v->svc_known ? svc_class_name(verdict_svc(v)->svc_class) : NULL;
	int rc = buf_printf(b, "proto=\"%s\",port=\"%u\"", proto_name(k->proto), k->local.port);
	if (!rc)
		rc =
		    label(b, "program", p ? (proc_exe_name(p) ? proc_exe_name(p) : p->name) : NULL);
	if (!rc)
		rc = label(b, "unit", p ? p->unit : NULL);
	if (!rc)
		rc = label(b, "container",
			   p ? (p->container_name ? p->container_name : p->container) : NULL);
	if (!rc)
		rc = label(b, "service", v && v->svc_known ? verdict_svc(v)->name : NULL);
	if (!rc)
		rc = label(b, "class", cls);
	return rc ? rc : buf_printf(b, ",reach=\"%s\"", exposure_name(listener_reach(side, i)));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int prom_listener_info(struct buf *out, const struct diff_side *side)
{
	const struct ps_snapshot *s = side->snap;
	struct buf all = {0};
	size_t n = 0;
	int rc = 0;
	/* one line per label set: IPv4 and IPv6 sockets of one program on one port are one series
	 */
	for (size_t i = 0; i < s->nsocks && !rc; i++)
		if (listener_first(s, i) && !(rc = info_labels(&all, side, i)) && ++n)
			rc = buf_putc(&all, '\0');
	char **lines = n && !rc ? malloc(n * sizeof *lines) : NULL;
	if (n && !rc && !lines)
		rc = -ENOMEM;
	for (size_t i = 0, off = 0; i < n && !rc; off += strlen(all.data + off) + 1)
		lines[i++] = all.data + off;
	if (!rc && n)
		qsort(lines, n, sizeof *lines, cmp_str);
	if (!rc)
		rc = prom_header(out, "portsleuth_listener_info", "gauge",
				 "One series (value 1) per listening program and port: its unit, "
				 "container, service class and the widest class that reaches it.");
	for (size_t i = 0; i < n && !rc; i++)
		if (!i || strcmp(lines[i - 1], lines[i]) != 0)
			rc = buf_printf(out, "portsleuth_listener_info{%s} 1\n", lines[i]);
	free(lines);
	buf_free(&all);
	return rc;
}

/* Counts of (severity, code) pairs; codes are static strings, so few distinct ones. */
struct finding_count {
	unsigned sev;
	const char *code;
	size_t n;
};

static int finding_count_add(struct finding_count **v, size_t *n, unsigned sev, const char *code)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i].sev == sev && strcmp((*v)[i].code, code) == 0) {
			(*v)[i].n++;
			return 0;
		}
	struct finding_count *g = realloc(*v, (*n + 1) * sizeof **v);
	if (!g)
		return -ENOMEM;
	*v = g;
	g[(*n)++] = (struct finding_count){sev, code, 1};
	return 0;
}

static int cmp_count(const void *a, const void *b)
{
	const struct finding_count *x = a, *y = b;
	return x->sev != y->sev ? (x->sev > y->sev ? -1 : 1) : strcmp(x->code, y->code);
}

int prom_findings(struct buf *out, const struct ps_snapshot *s)
{
	struct finding_count *fc = NULL;
	size_t nfc = 0, by_sev[SEV__COUNT] = {0};
	int rc = 0;
	for (size_t i = 0; i < s->nsocks && !rc; i++) {
		const struct sock_verdict *v = verdict_of(s, &s->socks[i]);
		if (!v || !listener_first(s, i))
			continue;
		for (size_t f = 0; f < v->findings.n && !rc; f++) {
			const struct finding *x = &v->findings.f[f];
			if (x->ack || x->sev >= SEV__COUNT)
				continue; /* acknowledged by the policy: it does not count */
			by_sev[x->sev]++;
			rc = finding_count_add(&fc, &nfc, x->sev, x->code);
		}
	}
	if (!rc && nfc)
		qsort(fc, nfc, sizeof *fc, cmp_count);
	if (!rc)
		rc = prom_header(
		    out, "portsleuth_findings", "gauge",
		    "Findings on listeners that no policy acknowledges, by severity and "
		    "code (only the pairs found).");
	for (size_t i = 0; i < nfc && !rc; i++)
		rc = buf_printf(out, "portsleuth_findings{severity=\"%s\",code=\"%s\"} %zu\n",
				finding_sev_name(fc[i].sev), fc[i].code, fc[i].n);
	if (!rc)
		rc = prom_header(out, "portsleuth_findings_by_severity", "gauge",
				 "Findings on listeners that no policy acknowledges, by severity "
				 "(every severity, zeros included).");
	for (unsigned k = SEV__COUNT; k-- > 0 && !rc;)
		rc = buf_printf(out, "portsleuth_findings_by_severity{severity=\"%s\"} %zu\n",
				finding_sev_name(k), by_sev[k]);
	free(fc);
	return rc;
}

int prom_listener_metrics(struct buf *out, const struct diff_side *side)
{
	int rc = prom_listeners(out, side);
	if (!rc)
		rc = prom_reach(out, side);
	if (!rc)
		rc = prom_listener_info(out, side);
	return rc ? rc : prom_findings(out, side->snap);
}

int prom_check_result(struct buf *out, const char *result)
{
	static const char *const results[] = {"clean", "violated", "unverified"};
	int rc = prom_header(out, "portsleuth_check_result", "gauge",
			     "1 for the outcome of the last check against the baseline (clean, "
			     "violated, unverified), 0 for the others.");
	for (size_t i = 0; i < sizeof results / sizeof *results && !rc; i++)
		rc = buf_printf(out, "portsleuth_check_result{result=\"%s\"} %d\n", results[i],
				strcmp(results[i], result) == 0);
	return rc;
}

int prom_snapshot(struct buf *b, const struct ps_snapshot *s, long long when)
{
	struct diff_side side = {.snap = s};
	int rc = prom_listener_metrics(b, &side);
	if (!rc)
		rc = prom_header(b, "portsleuth_snapshot_partial", "gauge",
				 "1 when some sockets' owners could not be seen (not root).");
	if (!rc)
		rc = buf_printf(b, "portsleuth_snapshot_partial %d\n", s->partial ? 1 : 0);
	if (!rc)
		rc = prom_header(b, "portsleuth_snapshot_timestamp_seconds", "gauge",
				 "When portsleuth took this snapshot (seconds since the epoch).");
	if (!rc)
		rc = buf_printf(b, "portsleuth_snapshot_timestamp_seconds %lld\n", when);
	return rc;
}
