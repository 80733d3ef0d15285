/* prom.c — Prometheus text format: label escaping, HELP/TYPE lines, listener gauges. */
#include "prom.h"

#include <stdint.h>
#include <string.h>

#include "../model/exposure.h"
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

int prom_snapshot(struct buf *b, const struct ps_snapshot *s, long long when)
{
	struct diff_side side = {.snap = s};
	int rc = prom_listeners(b, &side);
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
