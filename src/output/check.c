/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check.c — the report of `portsleuth check`: text, JSON and Prometheus, from the policy report. */
#include "check.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "../model/exposure.h"
#include "../util/escape.h"
#include "changes.h"
#include "jsonw.h"
#include "prom.h"

static const char *rule_proto(const struct policy_rule *r)
{
	return r->protos == (1u << PS_TCP) ? "tcp" : r->protos == (1u << PS_UDP) ? "udp" : "any";
}

static int ports_text(struct buf *b, const struct policy_rule *r)
{
	const char *proto = rule_proto(r);
	if (r->lo == 0 && r->hi == 65535)
		return buf_printf(b, "%s *", proto);
	return r->lo == r->hi ? buf_printf(b, "%s %u", proto, r->lo)
			      : buf_printf(b, "%s %u-%u", proto, r->lo, r->hi);
}

/* The rule as the user wrote it (or as derived from the snapshot), escaped for a terminal. */
static int rule_text(struct buf *b, const struct policy_rule *r)
{
	int rc = buf_puts(b, r->require ? "require " : "allow ");
	if (!rc)
		rc = ports_text(b, r);
	if (!rc && r->has_addr) {
		char a[64];
		rc = buf_printf(b, " addr=%s", addr_format(&r->addr, a, sizeof a));
	}
	const char *keys[] = {"exe", "unit", "user-unit", "container", "name"};
	const char *vals[] = {r->exe, r->unit, r->user_unit, r->container, r->name};
	for (size_t i = 0; i < 5 && !rc; i++)
		if (vals[i]) {
			rc = buf_printf(b, " %s=", keys[i]);
			if (!rc && vals[i] == r->user_unit && r->has_unit_uid)
				rc = buf_printf(b, "%" PRIu32 "/", r->unit_uid);
			if (!rc)
				rc = esc_text(b, vals[i], strlen(vals[i]));
		}
	if (!rc && r->max_exposure >= 0)
		rc = buf_printf(b, " max-exposure=%s",
				exposure_name((enum ps_exposure)r->max_exposure));
	return rc;
}

static int where_text(struct buf *b, const struct policy_rule *r)
{
	return r->line ? buf_printf(b, "line %zu", r->line)
		       : buf_printf(b, "baseline socket %ld", r->sock);
}

/* ": unit is none, the rule wants ssh.service": which term of the rule the owner fails. */
static int mismatch_text(struct buf *b, const struct policy_rule *r, const struct ps_snapshot *s,
			 const struct ps_socket *k)
{
	struct policy_mismatch m;
	const char *key = policy_owner_mismatch(r, s, k, &m);
	if (!key)
		return 0;
	const char *got = m.got, *want = m.want;
	int rc = buf_printf(b, ": %s is ", key);
	if (!rc)
		rc = got ? esc_text(b, got, strlen(got)) : buf_puts(b, "none");
	if (!rc)
		rc = buf_puts(b, ", the rule wants ");
	if (!rc)
		rc = esc_text(b, want ? want : "?", strlen(want ? want : "?"));
	return rc;
}

static int violation_text(struct buf *b, const struct policy_violation *v, const struct policy *p,
			  const struct diff_side *now)
{
	const struct policy_rule *r = v->rule >= 0 ? &p->rules[v->rule] : NULL;
	int rc = buf_printf(b, "%-11s ", policy_kind_name(v->kind));
	if (rc)
		return rc;
	if (v->kind == POL_MISSING) {
		rc = ports_text(b, r);
		if (!rc)
			rc = buf_puts(b, ": nothing listens; required by ");
		if (!rc)
			rc = where_text(b, r);
		if (!rc)
			rc = buf_puts(b, " (");
		if (!rc)
			rc = rule_text(b, r);
		return rc ? rc : buf_putc(b, ')');
	}
	const struct ps_socket *k = &now->snap->socks[v->sock];
	rc = buf_printf(b, "%s ", proto_name(k->proto));
	if (!rc)
		rc = endpoint_text(b, &k->local);
	if (!rc)
		rc = buf_printf(b, " %s ", exposure_name(v->exposure));
	if (!rc)
		rc = owner_text(b, now->snap, (size_t)v->sock);
	if (rc)
		return rc;
	switch (v->kind) {
	case POL_UNEXPECTED:
		return buf_puts(b, ": no rule allows it");
	case POL_OWNER:
		rc = buf_puts(b, ": not the owner that ");
		break;
	case POL_UNVERIFIED:
		rc = buf_puts(b, ": owner not visible (run as root), could not verify what ");
		break;
	case POL_EXPOSURE:
		rc = buf_printf(b, ": reachable wider than %s, the most that ",
				exposure_name((enum ps_exposure)v->allowed));
		break;
	}
	if (!rc)
		rc = where_text(b, r);
	if (!rc)
		rc = buf_puts(b, " allows (");
	if (!rc)
		rc = rule_text(b, r);
	if (!rc)
		rc = buf_putc(b, ')');
	return rc || v->kind != POL_OWNER ? rc : mismatch_text(b, r, now->snap, k);
}

int render_check_text(FILE *fp, const struct policy *pol, const struct policy_report *rep,
		      const struct diff_side *now)
{
	struct buf out = {0};
	int rc = 0;
	for (size_t i = 0; i < rep->n && !rc; i++) {
		rc = violation_text(&out, &rep->v[i], pol, now);
		if (!rc)
			rc = buf_putc(&out, '\n');
	}
	size_t nv = policy_violations(rep), nu = rep->count[POL_UNVERIFIED];
	if (!rc && nv) {
		rc = buf_printf(&out, "%zu violation%s:", nv, nv == 1 ? "" : "s");
		const char *sep = " ";
		for (unsigned k = 0; k < POL__COUNT && !rc; k++) {
			if (!rep->count[k] || k == POL_UNVERIFIED)
				continue;
			rc = buf_printf(&out, "%s%zu %s", sep, rep->count[k], policy_kind_name(k));
			sep = ", ";
		}
		if (!rc)
			rc = buf_printf(&out, " (%zu listener%s checked)", rep->checked,
					rep->checked == 1 ? "" : "s");
		if (!rc && nu)
			rc = buf_printf(&out, "; %zu could not be verified", nu);
		if (!rc)
			rc = buf_putc(&out, '\n');
	} else if (!rc && nu) {
		rc = buf_printf(
		    &out,
		    "could not verify %zu of %zu listener%s: their owners are not visible (run as "
		    "root); no violation among the rest\n",
		    nu, rep->checked, rep->checked == 1 ? "" : "s");
	} else if (!rc) {
		rc = buf_printf(&out, "clean: %zu listener%s the baseline\n", rep->checked,
				rep->checked == 1 ? " matches" : "s match");
	}
	if (!rc && out.len && fwrite(out.data, 1, out.len, fp) != out.len)
		rc = -EIO;
	buf_free(&out);
	return rc;
}

static void rule_json(struct jw *w, const struct policy_rule *r)
{
	if (!r) {
		jw_null(w);
		return;
	}
	jw_obj(w);
	jw_key(w, "line");
	if (r->line) {
		jw_uint(w, r->line);
	} else {
		jw_null(w);
		jw_kint(w, "baseline_socket", r->sock);
	}
	jw_kbool(w, "require", r->require);
	jw_kstr(w, "proto", rule_proto(r));
	jw_kuint(w, "port_min", r->lo);
	jw_kuint(w, "port_max", r->hi);
	char a[64];
	jw_kstr(w, "addr", r->has_addr ? addr_format(&r->addr, a, sizeof a) : NULL);
	jw_kstr(w, "exe", r->exe);
	jw_kstr(w, "unit", r->unit);
	jw_kstr(w, "user_unit", r->user_unit);
	jw_key(w, "user_unit_uid");
	if (r->user_unit && r->has_unit_uid)
		jw_uint(w, r->unit_uid);
	else
		jw_null(w);
	jw_kstr(w, "container", r->container);
	jw_kstr(w, "name", r->name);
	jw_kstr(w, "max_exposure",
		r->max_exposure >= 0 ? exposure_name((enum ps_exposure)r->max_exposure) : NULL);
	jw_obj_end(w);
}

int render_check_json(FILE *fp, const struct check_baseline *bl, const struct policy_report *rep,
		      const struct diff_side *now)
{
	struct jw w;
	jw_init(&w, fp);
	jw_obj(&w);
	jw_kuint(&w, "schema", 1);
	jw_key(&w, "baseline");
	jw_obj(&w);
	jw_kstr(&w, "file", bl->file);
	jw_kstr(&w, "kind", bl->is_snapshot ? "snapshot" : "policy");
	jw_kuint(&w, "rules", bl->pol->n);
	jw_obj_end(&w);
	jw_kuint(&w, "checked", rep->checked);
	jw_kbool(&w, "clean", rep->n == 0);
	jw_kbool(&w, "verified", rep->count[POL_UNVERIFIED] == 0);
	jw_key(&w, "violations");
	jw_arr(&w);
	for (size_t i = 0; i < rep->n; i++) {
		const struct policy_violation *v = &rep->v[i];
		jw_newline_item(&w);
		jw_obj(&w);
		jw_kstr(&w, "kind", policy_kind_name(v->kind));
		if (v->sock >= 0) {
			jw_kstr(&w, "proto", proto_name(now->snap->socks[v->sock].proto));
			jw_key(&w, "socket");
			struct diff_fw fw = diff_firewall(now, (size_t)v->sock);
			change_side_json(&w, now, v->sock, v->exposure, &fw, 1);
			jw_kbool(&w, "owner_unseen", v->unseen);
		} else {
			jw_kstr(&w, "proto", rule_proto(&bl->pol->rules[v->rule]));
			jw_key(&w, "socket");
			jw_null(&w);
		}
		jw_kstr(&w, "allowed_exposure",
			v->allowed >= 0 ? exposure_name((enum ps_exposure)v->allowed) : NULL);
		jw_key(&w, "rule");
		rule_json(&w, v->rule >= 0 ? &bl->pol->rules[v->rule] : NULL);
		jw_obj_end(&w);
	}
	jw_text(&w, "\n", 1);
	jw_arr_end(&w);
	jw_kcounts(&w, "summary", policy_kind_name, rep->count, POL__COUNT);
	return jw_end_document(&w);
}

static int report_prom(struct buf *b, const struct policy *pol, const struct policy_report *rep,
		       const struct diff_side *now, long long when)
{
	int rc = prom_header(b, "portsleuth_check_violations", "gauge",
			     "Listeners that violate the baseline, by kind of violation.");
	for (unsigned k = 0; k < POL__COUNT && !rc; k++)
		rc = buf_printf(b, "portsleuth_check_violations{kind=\"%s\"} %zu\n",
				policy_kind_name(k), rep->count[k]);
	if (!rc)
		rc = prom_header(
		    b, "portsleuth_check_violation", "gauge",
		    "One series per violation (value 1), naming the socket and its program.");
	for (size_t i = 0; i < rep->n && !rc; i++) {
		const struct policy_violation *v = &rep->v[i];
		const struct policy_rule *r = v->rule >= 0 ? &pol->rules[v->rule] : NULL;
		char a[64] = "";
		const char *proto, *prog = "";
		unsigned port;
		if (v->sock >= 0) {
			const struct ps_socket *k = &now->snap->socks[v->sock];
			proto = proto_name(k->proto);
			addr_format(&k->local.addr, a, sizeof a);
			port = k->local.port;
			if (k->owner_count) {
				const struct ps_proc *p =
				    &now->snap->procs[snap_owner(now->snap, k, 0)->proc];
				prog = proc_exe_name(p) ? proc_exe_name(p) : p->name ? p->name : "";
			}
		} else {
			proto = r->protos == (1u << PS_TCP)   ? "tcp"
				: r->protos == (1u << PS_UDP) ? "udp"
							      : "any";
			port = r->lo;
		}
		rc = buf_printf(b,
				"portsleuth_check_violation{kind=\"%s\",proto=\"%s\",addr=\"%s\","
				"port=\"%u\",program=\"",
				policy_kind_name(v->kind), proto, a, port);
		if (!rc)
			rc = prom_label_escape(b, prog, strlen(prog));
		if (!rc)
			rc = buf_puts(b, "\"} 1\n");
	}
	if (!rc)
		rc = prom_header(b, "portsleuth_check_listeners_checked", "gauge",
				 "Listeners compared with the baseline.");
	if (!rc)
		rc = buf_printf(b, "portsleuth_check_listeners_checked %zu\n", rep->checked);
	if (!rc)
		rc = prom_check_result(b, policy_violations(rep)       ? "violated"
					  : rep->count[POL_UNVERIFIED] ? "unverified"
								       : "clean");
	if (!rc)
		rc = prom_listener_metrics(b, now);
	if (!rc)
		rc = prom_header(b, "portsleuth_check_timestamp_seconds", "gauge",
				 "When the check ran (seconds since the epoch).");
	if (!rc)
		rc = buf_printf(b, "portsleuth_check_timestamp_seconds %lld\n", when);
	return rc;
}

int render_check_prom(FILE *fp, const struct policy *pol, const struct policy_report *rep,
		      const struct diff_side *now, long long when)
{
	struct buf out = {0};
	int rc = report_prom(&out, pol, rep, now, when);
	if (!rc && out.len && fwrite(out.data, 1, out.len, fp) != out.len)
		rc = -EIO;
	buf_free(&out);
	return rc;
}
