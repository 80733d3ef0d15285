/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fw_out.c — render the firewall part of the model: verdicts per address, forwarded ports. */
#include "fw_out.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/escape.h"

static void jrule(struct jw *w, const char *key, const struct ps_fw_rule *r)
{
	jw_key(w, key);
	if (!r->chain) {
		jw_null(w);
		return;
	}
	jw_obj(w);
	jw_kstr(w, "family", r->family);
	jw_kstr(w, "table", r->table);
	jw_kstr(w, "chain", r->chain);
	jw_key(w, "handle"); /* null: the chain's policy decided */
	if (r->handle_known)
		jw_uint(w, r->handle);
	else
		jw_null(w);
	jw_kstr(w, "text", r->text);
	jw_obj_end(w);
}

void json_fw_at(struct jw *w, const struct ps_fw_at *at)
{
	jw_obj(w);
	jw_kstr(w, "verdict", fw_verdict_text(at->verdict));
	jw_kstr(w, "sources", at->sources);
	jrule(w, "rule", &at->rule);
	jrule(w, "accept_rule", &at->accept_rule);
	jrule(w, "forwarded_by", &at->forwarded_by);
	jw_kstr(w, "why", at->why);
	jw_obj_end(w);
}

/* The reason shown with a summary: the first unknown or not-read address's. */
static const char *summary_why(const struct sock_verdict *v)
{
	for (size_t i = 0; i < v->nreach; i++)
		if (v->fw[i].verdict == v->fw_summary && v->fw[i].why)
			return v->fw[i].why;
	return NULL;
}

void json_fw_summary(struct jw *w, const struct sock_verdict *v)
{
	if (!v->fw)
		return;
	jw_key(w, "firewall");
	jw_obj(w);
	jw_kstr(w, "verdict", v->nreach ? fw_verdict_text(v->fw_summary) : NULL);
	jw_kstr(w, "sources", v->nreach ? v->fw_sources : NULL);
	jw_kstr(w, "why", v->nreach ? summary_why(v) : NULL);
	jw_obj_end(w);
}

/* "port" and "port_end", both null for 0, 0 (any port, or the port kept). */
static void jports(struct jw *w, uint16_t lo, uint16_t hi)
{
	jw_key(w, "port");
	if (lo || hi)
		jw_uint(w, lo);
	else
		jw_null(w);
	jw_key(w, "port_end");
	if (lo || hi)
		jw_uint(w, hi);
	else
		jw_null(w);
}

void json_forward(struct jw *w, const struct ps_forward *f)
{
	jw_obj(w);
	jw_kstr(w, "proto", f->proto);
	jw_kuint(w, "family", f->family);
	jw_kstr(w, "addr", f->addr);
	jports(w, f->port, f->port_end);
	jw_key(w, "to");
	jw_obj(w);
	jw_kstr(w, "addr", f->to_addr);
	jports(w, f->to_port, f->to_port_end);
	jw_obj_end(w);
	jw_kstr(w, "kind", f->kind);
	jw_key(w, "hooks");
	jw_arr(w);
	if (f->prerouting)
		jw_str(w, "prerouting");
	if (f->output)
		jw_str(w, "output");
	jw_arr_end(w);
	jw_kstr(w, "runtime", f->runtime);
	jw_key(w, "rule");
	jw_obj(w);
	jw_kstr(w, "family", f->rule_family);
	jw_kstr(w, "table", f->rule_table);
	jw_kstr(w, "chain", f->rule_chain);
	jw_kuint(w, "handle", f->rule_handle);
	jw_obj_end(w);
	jw_key(w, "target");
	if (!f->target_netns) {
		jw_null(w);
	} else {
		jw_obj(w);
		jw_kuint(w, "netns", f->target_netns);
		jw_kstr(w, "netns_name", f->target_netns_name);
		jw_key(w, "container");
		if (f->container_id) {
			jw_obj(w);
			jw_kstr(w, "id", f->container_id);
			jw_kstr(w, "name", f->container_name);
			jw_kstr(w, "runtime", f->container_runtime);
			jw_obj_end(w);
		} else {
			jw_null(w);
		}
		jw_key(w, "owners");
		jw_arr(w);
		for (size_t i = 0; i < f->nowners; i++) {
			jw_obj(w);
			jw_kint(w, "pid", f->owners[i].pid);
			jw_kstr(w, "name", f->owners[i].name);
			jw_obj_end(w);
		}
		jw_arr_end(w);
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

void json_fw_document(struct jw *w, const struct ps_snapshot *s)
{
	const struct ps_firewall *f = s->firewall;
	if (!f)
		return;
	jw_key(w, "firewall");
	jw_obj(w);
	jw_kbool(w, "read", f->read);
	jw_kstr(w, "why", f->why);
	jw_kstr(w, "legacy", f->legacy);
	jw_kuint(w, "rules", f->rules);
	jw_obj_end(w);
	jw_key(w, "forwards");
	jw_arr(w);
	for (size_t i = 0; i < f->nfwd; i++) {
		jw_newline_item(w);
		json_forward(w, &f->fwd[i]);
	}
	jw_arr_end(w);
}

int column_firewall(const struct sock_verdict *v, struct buf *out)
{
	if (!v->fw || !v->nreach)
		return 0;
	switch (v->fw_summary) {
	case PS_FW_ALL:
	case PS_FW_SOME:
	case PS_FW_NONE:
		return buf_puts(out, fw_verdict_text(v->fw_summary));
	default:
		return buf_putc(out, '?');
	}
}

static int port_range(struct buf *out, uint16_t lo, uint16_t hi)
{
	if (!lo && !hi)
		return buf_putc(out, '*');
	return lo == hi ? buf_printf(out, "%u", lo) : buf_printf(out, "%u-%u", lo, hi);
}

/* ADDR:PORT, [ADDR]:PORT for IPv6, * for any address or port. */
static int endpoint(struct buf *out, bool v6, const char *addr, uint16_t lo, uint16_t hi)
{
	int rc = buf_printf(out, v6 && addr ? "[%s]:" : "%s:", addr ? addr : "*");
	return rc ? rc : port_range(out, lo, hi);
}

int forward_cell(const struct ps_forward *f, size_t oi, enum col_id c, struct buf *out)
{
	bool v6 = f->family == 6;
	const struct ps_fw_owner *o = oi < f->nowners ? &f->owners[oi] : NULL;
	switch (c) {
	case COL_PROTO:
		return buf_printf(out, "%s%s", f->proto ? f->proto : "any", v6 ? "6" : "");
	case COL_LOCAL:
		return endpoint(out, v6, f->addr, f->port, f->port_end);
	case COL_REMOTE: /* where the connection goes; a redirect keeps this machine */
		return f->to_port ? endpoint(out, v6, f->to_addr, f->to_port, f->to_port_end)
				  : endpoint(out, v6, f->to_addr, f->port, f->port_end);
	case COL_STATE:
		return buf_puts(out, f->to_addr ? "FORWARD" : "REDIRECT");
	case COL_PID:
		return o ? buf_printf(out, "%d", o->pid) : 0;
	case COL_PROGRAM:
		return o && o->name ? buf_puts(out, o->name) : 0;
	case COL_CONTAINER:
		return f->container_id
			   ? buf_puts(out, f->container_name ? f->container_name : f->container_id)
			   : 0;
	case COL_NETNS:
		return f->target_netns_name ? buf_puts(out, f->target_netns_name) : 0;
	case COL_COMMAND: { /* the rule */
		int rc = buf_printf(out, "%s %s %s", f->rule_family, f->rule_table, f->rule_chain);
		return !rc && f->runtime ? buf_printf(out, " (%s)", f->runtime) : rc;
	}
	default:
		return 0;
	}
}

int forward_text(const struct ps_forward *f, struct buf *out)
{
	bool v6 = f->family == 6;
	int rc = buf_printf(out, "%s%s  ", f->proto ? f->proto : "any", v6 ? "6" : "");
	if (!rc)
		rc = endpoint(out, v6, f->addr, f->port, f->port_end);
	if (!rc && f->to_addr)
		rc =
		    buf_printf(out, v6 ? "  forwarded to [%s]:" : "  forwarded to %s:", f->to_addr);
	else if (!rc)
		rc = buf_puts(out, "  redirected to this machine, port ");
	if (!rc)
		rc = f->to_port ? port_range(out, f->to_port, f->to_port_end)
				: port_range(out, f->port, f->port_end);
	if (!rc)
		rc = buf_printf(out, "  by %s %s %s", f->rule_family, f->rule_table, f->rule_chain);
	if (!rc && f->runtime)
		rc = buf_printf(out, " (%s)", f->runtime);
	if (!rc && f->container_id)
		rc = buf_printf(out, "  container %s",
				f->container_name ? f->container_name : f->container_id);
	else if (!rc && f->target_netns_name)
		rc = buf_printf(out, "  netns %s", f->target_netns_name);
	for (size_t i = 0; i < f->nowners && !rc; i++)
		rc = buf_printf(out, "%s%d/%s", i ? "," : "  ", f->owners[i].pid,
				f->owners[i].name ? f->owners[i].name : "?");
	return rc;
}

/* Whether the forwards are Windows' port proxies (a listener relays them), not NAT rules. */
static bool proxies_only(const struct ps_firewall *fw)
{
	for (size_t i = 0; i < fw->nfwd; i++)
		if (strcmp(fw->fwd[i].kind, "portproxy") != 0)
			return false;
	return fw->nfwd > 0;
}

int render_forwards_text(FILE *fp, const struct ps_snapshot *s)
{
	if (!s->firewall || !s->firewall->nfwd)
		return 0;
	struct buf raw = {0}, txt = {0};
	int rc = 0;
	fprintf(fp, proxies_only(s->firewall)
			? "\nForwarded ports (netsh interface portproxy: the IP Helper service "
			  "listens on them and relays each connection):\n"
			: "\nForwarded ports (NAT rules; no socket listens on them here):\n");
	for (size_t i = 0; i < s->firewall->nfwd && !rc; i++) {
		buf_clear(&raw);
		buf_clear(&txt);
		rc = forward_text(&s->firewall->fwd[i], &raw);
		if (!rc)
			rc = esc_text(&txt, raw.data, raw.len);
		if (!rc)
			fprintf(fp, "%s\n", txt.data);
	}
	buf_free(&raw);
	buf_free(&txt);
	return rc;
}

/* What explain says of the verdict at one address (after "Firewall at IF ADDR: "). */
static int fw_at_text(const struct ps_fw_at *at, struct buf *out)
{
	bool open = at->verdict == PS_FW_ALL && !at->rule.text && !at->why;
	/* no base chain on the input hook decides */
	int rc = buf_puts(out, open ? "accepts from all sources" : fw_verdict_text(at->verdict));
	if (!rc && at->sources)
		rc = buf_printf(out, " (from %s)", at->sources);
	if (!rc && at->rule.text)
		rc = buf_printf(out, "; decided by %s", at->rule.text);
	else if (!rc && open)
		rc = buf_puts(out, " (no rules)");
	if (!rc && at->accept_rule.text)
		rc = buf_printf(out, "; let in by %s", at->accept_rule.text);
	if (!rc && at->forwarded_by.text)
		rc = buf_printf(out, "; forwarded elsewhere by %s", at->forwarded_by.text);
	if (!rc && at->why)
		rc = buf_printf(out, " (%s)", at->why);
	return rc;
}

/* "IFNAME ADDRESS" of a reachable address, for people. */
static int reach_where(const struct reach *r, struct buf *out)
{
	char a[64];
	addr_format(&r->addr, a, sizeof a);
	return buf_printf(out, "%s %s", r->ifname ? r->ifname : "?", a);
}

int explain_fw_text(const struct sock_verdict *v, struct buf *out)
{
	size_t n = v->fw ? v->nreach : 0;
	if (!n)
		return 0;
	struct buf *say = calloc(n, sizeof *say);
	bool *told = calloc(n, sizeof *told);
	int rc = say && told ? 0 : -ENOMEM;
	bool same = true;
	for (size_t i = 0; i < n && !rc; i++) {
		rc = fw_at_text(&v->fw[i], &say[i]);
		same = same && !rc && !strcmp(say[i].data, say[0].data);
	}
	if (!rc && same && n > 1) {
		/* one verdict everywhere: one line, not one per address */
		if (!strcmp(say[0].data, "accepts from all sources (no rules)"))
			rc = buf_puts(
			    out,
			    "  Firewall: accepts from all sources on every address (no rules)\n");
		else
			rc = buf_printf(out, "  Firewall on every address: %s\n", say[0].data);
		n = 0;
	}
	/* Otherwise one line per verdict, naming the addresses that share it. */
	for (size_t i = 0; i < n && !rc; i++) {
		if (told[i])
			continue;
		rc = buf_puts(out, "  Firewall at ");
		for (size_t j = i; j < n && !rc; j++) {
			if (told[j] || strcmp(say[j].data, say[i].data))
				continue;
			told[j] = true;
			if (j > i)
				rc = buf_puts(out, ", ");
			if (!rc)
				rc = reach_where(&v->reach[j], out);
		}
		if (!rc)
			rc = buf_printf(out, ": %s\n", say[i].data);
	}
	for (size_t i = 0; say && i < v->nreach; i++)
		buf_free(&say[i]);
	free(say);
	free(told);
	return rc;
}

int explain_forwards_text(const struct ps_snapshot *s, struct buf *out)
{
	int rc = 0;
	for (size_t i = 0; s->firewall && i < s->firewall->nfwd && !rc; i++) {
		rc = buf_puts(
		    out, i ? "  "
			 : proxies_only(s->firewall)
			     ? "\nForwarded by netsh interface "
			       "portproxy (the IP Helper service "
			       "listens there and relays):\n  "
			     : "\nForwarded by NAT rules (no socket here needs to listen):\n  ");
		if (!rc)
			rc = forward_text(&s->firewall->fwd[i], out);
		if (!rc)
			rc = buf_putc(out, '\n');
	}
	return rc;
}
