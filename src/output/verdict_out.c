/* verdict_out.c — render what verdict.c found: SERVICE/EXPOSURE/FINDINGS cells and JSON keys. */
#include "verdict_out.h"

#include <string.h>

#include "../enrich/registry.h"
#include "../util/escape.h"

int json_str(struct buf *b, const char *s)
{
	if (!s)
		return buf_puts(b, "null");
	int rc = buf_putc(b, '"');
	if (!rc)
		rc = esc_json(b, s, strlen(s));
	return rc ? rc : buf_putc(b, '"');
}

const char verdict_dynamic_text[] =
	"a dynamic (ephemeral) port: programs get such numbers from the kernel or pick them freely, so "
	"the number alone says nothing about the service";

int column_verdict(const struct ps_snapshot *s, const struct ps_socket *k, enum col_id c, struct buf *out)
{
	const struct sock_verdict *v = verdict_of(s, k);
	if (!v)
		return 0;
	switch (c) {
	case COL_SERVICE:
		if (v->svc.name)
			return buf_puts(out, v->svc.name);
		return v->svc.dynamic ? buf_puts(out, "[dynamic]") : 0;
	case COL_EXPOSURE:
		return buf_puts(out, exposure_name(v->scope));
	case COL_FINDINGS:
		if (!v->findings.n)
			return 0;
		if (v->findings.n == 1)
			return buf_puts(out, finding_sev_name(v->findings.f[0].sev));
		return buf_printf(out, "%s+%zu", finding_sev_name(v->findings.f[0].sev), v->findings.n - 1);
	default:
		return 0;
	}
}

/* "a,b,c" as ["a","b","c"]. */
static int jlist(struct buf *b, const char *list)
{
	int rc = buf_putc(b, '[');
	for (const char *p = list; p && !rc;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		rc = buf_putc(b, '"');
		if (!rc)
			rc = esc_json(b, p, n);
		if (!rc)
			rc = buf_putc(b, '"');
		if (!comma)
			break;
		if (!rc)
			rc = buf_putc(b, ',');
		p = comma + 1;
	}
	return rc ? rc : buf_putc(b, ']');
}

int json_service(struct buf *b, uint16_t port, unsigned proto, bool known, const struct port_info *s)
{
	if (!known)
		return buf_puts(b, "null");
	int rc = buf_printf(b, "{\"port\":%u,\"proto\":\"%s\",\"name\":", port, proto == PS_UDP ? "udp" : "tcp");
	if (!rc)
		rc = json_str(b, s->name);
	if (!rc)
		rc = buf_puts(b, ",\"description\":");
	if (!rc)
		rc = json_str(b, s->dynamic && !s->name
					 ? verdict_dynamic_text
					 : s->desc);
	if (!rc)
		rc = buf_puts(b, ",\"source\":");
	if (!rc)
		rc = json_str(b, s->source);
	if (!rc)
		rc = buf_puts(b, ",\"expected_owners\":");
	if (!rc)
		rc = jlist(b, s->owners);
	if (!rc)
		rc = buf_puts(b, ",\"risk\":");
	if (!rc)
		rc = json_str(b, s->risk);
	if (!rc)
		rc = buf_printf(b, ",\"dynamic\":%s,\"backdoor\":", s->dynamic ? "true" : "false");
	if (!rc && s->backdoor) {
		rc = buf_puts(b, "{\"names\":");
		if (!rc)
			rc = jlist(b, s->backdoor);
		if (!rc)
			rc = buf_puts(b, ",\"caveat\":");
		if (!rc)
			rc = json_str(b, registry_backdoor_caveat);
		if (!rc)
			rc = buf_putc(b, '}');
	} else if (!rc) {
		rc = buf_puts(b, "null");
	}
	return rc ? rc : buf_putc(b, '}');
}

int json_verdict_keys(struct buf *b, const struct ps_socket *k, const struct sock_verdict *v)
{
	int rc = buf_puts(b, "\"service\":");
	if (!rc)
		rc = json_service(b, v->svc_port, k->proto, v->svc_known, &v->svc);
	if (!rc)
		rc = buf_printf(b, ",\"exposure\":{\"scope\":\"%s\",\"dual_stack\":", exposure_name(v->scope));
	if (!rc)
		rc = buf_puts(b, k->local.addr.family == PS_INET ? "false"
				 : k->v6only == PS_V6ONLY_NO ? "true"
				 : k->v6only == PS_V6ONLY_YES ? "false" : "null");
	if (!rc)
		rc = buf_puts(b, ",\"reachable\":[");
	for (size_t i = 0; i < v->nreach && !rc; i++) {
		char a[64];
		addr_format(&v->reach[i].addr, a, sizeof a);
		rc = buf_puts(b, i ? ",{\"ifname\":" : "{\"ifname\":");
		if (!rc)
			rc = json_str(b, v->reach[i].ifname);
		if (!rc)
			rc = buf_printf(b, ",\"addr\":\"%s\"}", a);
	}
	if (!rc)
		rc = buf_puts(b, "]},\"findings\":[");
	for (size_t i = 0; i < v->findings.n && !rc; i++) {
		const struct finding *f = &v->findings.f[i];
		rc = buf_printf(b, "%s{\"severity\":\"%s\",\"code\":\"%s\",\"reason\":", i ? "," : "",
				finding_sev_name(f->sev), f->code);
		if (!rc)
			rc = json_str(b, f->reason);
		if (!rc)
			rc = buf_puts(b, ",\"evidence\":");
		if (!rc)
			rc = json_str(b, f->evidence);
		if (!rc)
			rc = f->pid >= 0 ? buf_printf(b, ",\"pid\":%d}", f->pid) : buf_puts(b, ",\"pid\":null}");
	}
	return rc ? rc : buf_putc(b, ']');
}

int json_socket_verdict(struct buf *b, const struct ps_snapshot *s, const struct ps_socket *k)
{
	const struct sock_verdict *v = verdict_of(s, k);
	if (!v)
		return 0;
	int rc = buf_putc(b, ',');
	return rc ? rc : json_verdict_keys(b, k, v);
}

int json_verdict_summary(struct buf *b, const struct ps_snapshot *s)
{
	const struct verdicts *v = s->verdicts;
	if (!v)
		return 0;
	int rc = buf_printf(b, ",\"packages\":{\"database\":%s,\"reason\":",
			    s->pkg_reason ? "null" : "\"dpkg\"");
	if (!rc)
		rc = json_str(b, s->pkg_reason);
	if (!rc)
		rc = buf_printf(b, "},\"sockets_by_worst_finding\":{\"info\":%zu,\"notice\":%zu,\"warning\":%zu,\"alert\":%zu}",
				v->count[SEV_INFO], v->count[SEV_NOTICE], v->count[SEV_WARNING], v->count[SEV_ALERT]);
	return rc;
}
