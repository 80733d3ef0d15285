/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verdict_out.c — render what verdict.c found: SERVICE/EXPOSURE/FINDINGS cells and JSON keys. */
#include "verdict_out.h"

#include <string.h>

#include "../enrich/registry.h"
#include "../model/policy.h"
#include "../util/escape.h"
#include "fw_out.h"

const char verdict_dynamic_text[] =
    "a dynamic (ephemeral) port: programs get such numbers from the kernel or pick them freely, so "
    "the number alone says nothing about the service";

int column_verdict(const struct ps_snapshot *s, const struct ps_socket *k, enum col_id c,
		   bool fw_mark, struct buf *out)
{
	const struct sock_verdict *v = verdict_of(s, k);
	if (!v)
		return 0;
	switch (c) {
	case COL_SERVICE: {
		/* "redis*": the service its program normally serves on another port */
		const struct port_info *svc = verdict_svc(v);
		if (svc->name && v->home.prog)
			return buf_printf(out, "%s*", svc->name);
		if (svc->name)
			return buf_puts(out, svc->name);
		return svc->dynamic ? buf_puts(out, "[dynamic]") : 0;
	}
	case COL_EXPOSURE: {
		int rc = buf_puts(out, exposure_name(v->scope));
		if (rc || !fw_mark || !v->fw || !v->nreach || v->scope == PS_EXPO_LOOPBACK)
			return rc;
		/* none narrows the class itself; not-read when nothing was read is every row's (the
		 * note says why), but with our rules read it is another namespace's socket: '?' as
		 * in the FIREWALL column, never a checked look */
		bool ours_read = s->firewall && s->firewall->read;
		return v->fw_summary == PS_FW_SOME ? buf_putc(out, '*')
		       : v->fw_summary == PS_FW_UNKNOWN ||
			       (v->fw_summary == PS_FW_NOT_READ && ours_read)
			   ? buf_putc(out, '?')
			   : 0;
	}
	case COL_FIREWALL:
		return column_firewall(v, out);
	case COL_FINDINGS: {
		/* "warning+2", and how many a policy acknowledged: "notice acked:1", "acked:2" */
		size_t acked = 0;
		const struct finding *worst = NULL;
		for (size_t i = 0; i < v->findings.n; i++) {
			acked += v->findings.f[i].ack != NULL;
			if (!worst && !v->findings.f[i].ack)
				worst = &v->findings.f[i];
		}
		size_t open = v->findings.n - acked;
		int rc = 0;
		if (worst)
			rc = buf_puts(out, finding_sev_name(worst->sev));
		if (!rc && worst && open > 1 && !(rc = buf_putc(out, '+')))
			rc = buf_put_uint(out, open - 1);
		if (!rc && acked && !(rc = buf_puts(out, worst ? " acked:" : "acked:")))
			rc = buf_put_uint(out, acked);
		return rc;
	}
	default:
		return 0;
	}
}

/* "a,b,c" as ["a","b","c"]. */
static void jlist(struct jw *w, const char *list)
{
	jw_arr(w);
	for (const char *p = list; p;) {
		const char *comma = strchr(p, ',');
		jw_strn(w, p, comma ? (size_t)(comma - p) : strlen(p));
		p = comma ? comma + 1 : NULL;
	}
	jw_arr_end(w);
}

void json_service(struct jw *w, uint16_t port, unsigned proto, bool known,
		  const struct port_info *s, const struct svc_home *home)
{
	if (!known) {
		jw_null(w);
		return;
	}
	jw_obj(w);
	jw_kuint(w, "port", port);
	jw_kstr(w, "proto", proto == PS_UDP ? "udp" : "tcp");
	jw_kstr(w, "name", s->name);
	jw_kstr(w, "description", s->dynamic && !s->name ? verdict_dynamic_text : s->desc);
	jw_kstr(w, "source", s->source);
	jw_key(w, "expected_owners");
	jlist(w, s->owners);
	jw_kstr(w, "risk", s->risk);
	jw_kstr(w, "class", svc_class_name(s->svc_class));
	jw_kbool(w, "dynamic", s->dynamic);
	jw_key(w, "program_home");
	if (home && home->prog) {
		jw_obj(w);
		jw_kstr(w, "program", home->prog);
		jw_kuint(w, "port", home->port);
		jw_kstr(w, "proto", home->proto == PS_UDP ? "udp" : "tcp");
		jw_obj_end(w);
	} else {
		jw_null(w);
	}
	jw_key(w, "backdoor");
	if (s->backdoor) {
		jw_obj(w);
		jw_key(w, "names");
		jlist(w, s->backdoor);
		jw_kstr(w, "caveat", registry_backdoor_caveat);
		jw_obj_end(w);
	} else {
		jw_null(w);
	}
	jw_obj_end(w);
}

/* A policy's `ack` line as {"line", "until", "reason"}, or null. */
static void json_ack(struct jw *w, const struct policy_ack *a)
{
	if (!a) {
		jw_null(w);
		return;
	}
	jw_obj(w);
	jw_kuint(w, "line", a->line);
	jw_kstr(w, "until", a->until_text);
	jw_kstr(w, "reason", a->reason);
	jw_obj_end(w);
}

/* How many addresses reach the listener, of each class, and how many reachable[] leaves out
 * (a wildcard in a namespace of thousands of addresses lists the first few of each class). */
static void json_reach_counts(struct jw *w, const struct sock_verdict *v)
{
	size_t by[PS_EXPO__COUNT] = {0}, total = v->nreach_all;
	if (total) {
		for (size_t c = 0; c < PS_EXPO__COUNT; c++)
			by[c] = v->reach_by_class[c];
	} else { /* a verdict not counted (loaded from a snapshot): reach[] is all of it */
		total = v->nreach;
		for (size_t i = 0; i < v->nreach; i++)
			by[exposure_classify(&v->reach[i].addr)]++;
	}
	jw_kuint(w, "reachable_total", total);
	jw_kuint(w, "reachable_folded", total > v->nreach ? total - v->nreach : 0);
	jw_key(w, "reachable_by_class");
	jw_obj(w);
	for (int c = PS_EXPO_LOOPBACK; c < PS_EXPO_ALL; c++)
		jw_kuint(w, exposure_name((enum ps_exposure)c), by[c]);
	jw_obj_end(w);
}

void json_socket_verdict(struct jw *w, const struct ps_snapshot *s, const struct ps_socket *k)
{
	const struct sock_verdict *v = verdict_of(s, k);
	if (!v)
		return;
	jw_key(w, "service");
	json_service(w, v->svc_port, k->proto, v->svc_known, verdict_svc(v), &v->home);
	jw_key(w, "exposure");
	jw_obj(w);
	jw_kstr(w, "scope", exposure_name(v->scope));
	jw_kstr(w, "bound", exposure_name(v->bound));
	jw_key(w, "dual_stack");
	if (k->local.addr.family == PS_INET || k->v6only == PS_V6ONLY_YES)
		jw_bool(w, false);
	else if (k->v6only == PS_V6ONLY_NO)
		jw_bool(w, true);
	else
		jw_null(w);
	jw_key(w, "reachable");
	jw_arr(w);
	for (size_t i = 0; i < v->nreach; i++) {
		char a[64];
		jw_obj(w);
		jw_kstr(w, "ifname", v->reach[i].ifname);
		jw_kstr(w, "addr", addr_format(&v->reach[i].addr, a, sizeof a));
		if (v->fw) {
			jw_key(w, "firewall");
			json_fw_at(w, &v->fw[i]);
		}
		jw_obj_end(w);
	}
	jw_arr_end(w);
	json_reach_counts(w, v);
	json_fw_summary(w, v);
	jw_obj_end(w);
	jw_key(w, "findings");
	jw_arr(w);
	for (size_t i = 0; i < v->findings.n; i++) {
		const struct finding *f = &v->findings.f[i];
		jw_obj(w);
		jw_kstr(w, "severity", finding_sev_name(f->sev));
		jw_kstr(w, "code", f->code);
		jw_kstr(w, "reason", f->reason);
		jw_kstr(w, "evidence", f->evidence);
		jw_key(w, "pid");
		if (f->pid >= 0)
			jw_int(w, f->pid);
		else
			jw_null(w);
		jw_key(w, "acknowledged");
		json_ack(w, f->ack);
		jw_key(w, "ack_expired");
		json_ack(w, f->ack_expired);
		jw_obj_end(w);
	}
	jw_arr_end(w);
}

void json_verdict_summary(struct jw *w, const struct ps_snapshot *s)
{
	const struct verdicts *v = s->verdicts;
	if (!v)
		return;
	jw_key(w, "packages");
	jw_obj(w);
	jw_kstr(w, "database", s->pkg_reason ? NULL : s->pkg_kind);
	jw_kstr(w, "reason", s->pkg_reason);
	jw_obj_end(w);
	jw_kcounts(w, "sockets_by_worst_finding", finding_sev_name, v->count, SEV__COUNT);
}
