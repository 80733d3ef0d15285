/* SPDX-License-Identifier: GPL-2.0-or-later */
/* changes.c — how diff and watch show a change, as a text line or a JSON object. */
#include "changes.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "../model/exposure.h"
#include "../util/escape.h"
#include "fw_out.h"
#include "output.h"

int endpoint_text(struct buf *out, const struct ps_endpoint *e)
{
	char a[64];
	addr_format(&e->addr, a, sizeof a);
	return e->addr.family == PS_INET6 ? buf_printf(out, "[%s]:%u", a, e->port)
					  : buf_printf(out, "%s:%u", a, e->port);
}

static int text_field(struct buf *out, const char *prefix, const char *s)
{
	if (!s)
		return 0;
	int rc = buf_puts(out, prefix);
	return rc ? rc : esc_text(out, s, strlen(s));
}

int owner_text(struct buf *out, const struct ps_snapshot *s, size_t i)
{
	const struct ps_socket *k = &s->socks[i];
	if (!k->owner_count)
		return buf_printf(
		    out, "(%s)",
		    k->owner_status == PS_OWN_OK ? "no owner" : owner_status_name(k->owner_status));
	const struct ps_owner *o = snap_owner(s, k, 0);
	const struct ps_proc *p = &s->procs[o->proc];
	int rc = p->name ? esc_text(out, p->name, strlen(p->name)) : buf_putc(out, '?');
	if (!rc)
		rc = buf_printf(out, "[%d]", p->pid);
	if (!rc)
		rc = text_field(out, " ", proc_exe_name(p));
	if (!rc)
		rc = text_field(out, " unit=", p->unit);
	if (!rc)
		rc = text_field(
		    out, " container=", p->container_name ? p->container_name : p->container);
	if (!rc && k->owner_count > 1)
		rc = buf_printf(out, " (+%" PRIu32 " more)", k->owner_count - 1);
	return rc;
}

static bool same_endpoint(const struct ps_endpoint *x, const struct ps_endpoint *y)
{
	return x->port == y->port && x->addr.family == y->addr.family &&
	       memcmp(x->addr.bytes, y->addr.bytes, x->addr.family == PS_INET ? 4 : 16) == 0;
}

/* "[,] re-bound from ADDR:PORT" (the comma after a verdict). 0 or -ENOMEM. */
static int rebound_text(struct buf *out, const struct ps_endpoint *from)
{
	int rc = buf_puts(out, out->len && out->data[out->len - 1] == ':' ? " re-bound from "
									  : ", re-bound from ");
	return rc ? rc : endpoint_text(out, from);
}

/* "all", "some (from 10.0.0.0/8,192.0.2.7)", "none", ... (sources are the model's text). */
static int fw_text(struct buf *out, const struct diff_fw *f)
{
	int rc = buf_puts(out, fw_verdict_text(f->verdict));
	if (!rc && f->verdict == PS_FW_SOME && f->sources) {
		rc = buf_puts(out, " (from ");
		if (!rc)
			rc = esc_text(out, f->sources, strlen(f->sources));
		if (!rc)
			rc = buf_putc(out, ')');
	}
	return rc;
}

int change_direction(const struct diff_change *c)
{
	if (c->kind == DIFF_FIREWALL)
		return diff_fw_direction(&c->fw_before, &c->fw_after);
	if (c->kind == DIFF_EXPOSURE)
		return (c->exp_after > c->exp_before) - (c->exp_after < c->exp_before);
	return 0;
}

static const char *direction_text(int d)
{
	return d > 0 ? " (wider)" : d < 0 ? " (narrower)" : "";
}

int change_text(struct buf *out, const struct diff_change *c, const struct diff_side *a,
		const struct diff_side *b, bool color)
{
	const char *col = c->kind == DIFF_NEW	   ? "\033[32m"
			  : c->kind == DIFF_CLOSED ? "\033[31m"
						   : "\033[33m";
	const struct ps_snapshot *sa = a ? a->snap : NULL, *sb = b ? b->snap : NULL;
	const struct ps_socket *kb = c->before >= 0 ? &sa->socks[c->before] : NULL;
	const struct ps_socket *ka = c->after >= 0 ? &sb->socks[c->after] : NULL;
	const struct ps_socket *k = ka ? ka : kb;
	int rc = buf_printf(out, "%s%-16s%s %s ", color ? col : "", diff_kind_name(c->kind),
			    color ? "\033[0m" : "", proto_name(k->proto));
	if (!rc)
		rc = endpoint_text(out, &k->local);
	if (!rc && (k->remote.port || !addr_is_any(&k->remote.addr))) {
		rc = buf_puts(out, " -> ");
		if (!rc)
			rc = endpoint_text(out, &k->remote);
	}
	if (rc)
		return rc;
	switch (c->kind) {
	case DIFF_NEW:
	case DIFF_CLOSED:
		rc = buf_printf(out, " %s %s ", state_name(k->proto, k->state),
				exposure_name(ka ? c->exp_after : c->exp_before));
		if (!rc)
			rc = owner_text(out, ka ? sb : sa, (size_t)(ka ? c->after : c->before));
		break;
	case DIFF_OWNER:
		rc = buf_puts(out, " ");
		if (!rc)
			rc = owner_text(out, sa, (size_t)c->before);
		if (!rc)
			rc = buf_puts(out, " => ");
		if (!rc)
			rc = owner_text(out, sb, (size_t)c->after);
		break;
	case DIFF_EXPOSURE:
		/* the exposure changed (the address too when re-bound: said after) */
		rc = buf_printf(out, ": %s => %s%s", exposure_name(c->exp_before),
				exposure_name(c->exp_after), direction_text(change_direction(c)));
		if (!rc && !same_endpoint(&kb->local, &ka->local))
			rc = rebound_text(out, &kb->local);
		break;
	case DIFF_FIREWALL:
		rc = buf_puts(out, ": ");
		if (!rc)
			rc = fw_text(out, &c->fw_before);
		if (!rc)
			rc = buf_puts(out, " => ");
		if (!rc)
			rc = fw_text(out, &c->fw_after);
		if (!rc)
			rc = buf_puts(out, direction_text(change_direction(c)));
		break;
	case DIFF_ADDRESS:
		rc = buf_puts(out, ":");
		if (!rc)
			rc = rebound_text(out, &kb->local);
		if (!rc)
			rc = buf_printf(out, ", still %s", exposure_name(c->exp_after));
		break;
	case DIFF_STATE:
		rc = buf_printf(out, " %s => %s", state_name(kb->proto, kb->state),
				state_name(ka->proto, ka->state));
		break;
	}
	return rc;
}

void change_side_json(struct jw *w, const struct diff_side *side, long i, uint8_t exposure,
		      const struct diff_fw *fw, uint32_t nsocks)
{
	if (i < 0) {
		jw_null(w);
		return;
	}
	const struct ps_snapshot *s = side->snap;
	const struct ps_socket *k = &s->socks[i];
	jw_obj(w);
	json_endpoint(w, "local", &k->local);
	jw_kstr(w, "state", state_name(k->proto, k->state));
	jw_kstr(w, "exposure", exposure_name(exposure));
	jw_key(w, "firewall"); /* null: the firewall was not looked at (or not recorded) */
	if (fw->verdict < PS_FW__COUNT) {
		jw_obj(w);
		jw_kstr(w, "verdict", fw_verdict_text(fw->verdict));
		jw_kstr(w, "sources", fw->sources);
		jw_obj_end(w);
	} else {
		jw_null(w);
	}
	jw_kuint(w, "sockets", nsocks);
	jw_kstr(w, "owner_status", owner_status_name(k->owner_status));
	jw_key(w, "owners");
	jw_arr(w);
	for (size_t j = 0; j < k->owner_count; j++) {
		const struct ps_proc *p = &s->procs[snap_owner(s, k, j)->proc];
		jw_obj(w);
		jw_kint(w, "pid", p->pid);
		jw_kstr(w, "name", p->name);
		jw_kstr(w, "exe", p->exe);
		jw_kstr(w, "unit", p->unit);
		jw_kstr(w, "container", p->container);
		jw_kstr(w, "container_name", p->container_name);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

void change_json(struct jw *w, const struct diff_change *c, const struct diff_side *a,
		 const struct diff_side *b)
{
	const struct ps_socket *k =
	    c->after >= 0 ? &b->snap->socks[c->after] : &a->snap->socks[c->before];
	jw_kstr(w, "kind", diff_kind_name(c->kind));
	jw_kstr(w, "proto", proto_name(k->proto));
	jw_kstr(w, "family", k->local.addr.family == PS_INET6 ? "inet6" : "inet");
	jw_kuint(w, "netns", k->netns);
	json_endpoint(w, "local", &k->local);
	json_endpoint(w, "remote", &k->remote);
	int d = change_direction(c);
	jw_key(w, "direction"); /* exposure and firewall changes: does it reach further now */
	if (c->kind == DIFF_EXPOSURE || c->kind == DIFF_FIREWALL)
		jw_str(w, d > 0 ? "wider" : d < 0 ? "narrower" : "other");
	else
		jw_null(w);
	jw_key(w, "before");
	change_side_json(w, a, c->before, c->exp_before, &c->fw_before, c->nbefore);
	jw_key(w, "after");
	change_side_json(w, b, c->after, c->exp_after, &c->fw_after, c->nafter);
}

/* "new-forward  tcp *:8080  forwarded to ..." lines (raw bytes escaped). 0 or -ENOMEM. */
static int forward_changes_text(struct buf *out, const struct diff_result *r,
				const struct diff_side *a, const struct diff_side *b)
{
	struct buf raw = {0};
	int rc = 0;
	for (int gone = 0; gone < 2 && !rc; gone++) {
		const struct ps_snapshot *s = gone ? a->snap : b->snap;
		const uint32_t *ix = gone ? r->fwd_gone : r->fwd_new;
		for (size_t i = 0; i < (gone ? r->nfwd_gone : r->nfwd_new) && !rc; i++) {
			buf_clear(&raw);
			rc = forward_text(&s->firewall->fwd[ix[i]], &raw);
			if (!rc)
				rc = buf_puts(out, gone ? "removed-forward  " : "new-forward  ");
			if (!rc)
				rc = esc_text(out, raw.data, raw.len);
			if (!rc)
				rc = buf_putc(out, '\n');
		}
	}
	buf_free(&raw);
	return rc;
}

int render_diff_text(FILE *fp, const struct diff_result *r, const struct diff_side *a,
		     const struct diff_side *b, bool color)
{
	struct buf out = {0};
	int rc = 0;
	for (size_t i = 0; i < r->n && !rc; i++) {
		rc = change_text(&out, &r->v[i], a, b, color);
		if (!rc)
			rc = buf_putc(&out, '\n');
	}
	rc = rc ? rc : forward_changes_text(&out, r, a, b);
	size_t total = r->n + r->nfwd_new + r->nfwd_gone;
	if (!rc && !total) {
		rc = buf_puts(&out, "no changes\n");
	} else if (!rc) {
		rc = buf_printf(&out, "%zu change%s:", total, total == 1 ? "" : "s");
		const char *sep = " ";
		for (unsigned k = 0; k < DIFF__COUNT && !rc; k++) {
			if (!r->count[k])
				continue;
			rc = buf_printf(&out, "%s%zu %s", sep, r->count[k], diff_kind_name(k));
			sep = ", ";
		}
		if (!rc && r->nfwd_new)
			rc = buf_printf(&out, "%s%zu new-forward", sep, r->nfwd_new), sep = ", ";
		if (!rc && r->nfwd_gone)
			rc = buf_printf(&out, "%s%zu removed-forward", sep, r->nfwd_gone);
		if (!rc)
			rc = buf_putc(&out, '\n');
	}
	if (!rc && out.len && fwrite(out.data, 1, out.len, fp) != out.len)
		rc = -EIO;
	buf_free(&out);
	return rc;
}

static void origin_json(struct jw *w, const char *key, const struct diff_origin *o)
{
	jw_key(w, key);
	jw_obj(w);
	jw_kstr(w, "file", o ? o->file : NULL);
	jw_kstr(w, "host", o ? o->host : NULL);
	jw_kstr(w, "boot_id", o ? o->boot_id : NULL);
	jw_kstr(w, "time", o ? o->time : NULL);
	jw_obj_end(w);
}

int render_diff_json(FILE *fp, const struct diff_result *r, const struct diff_side *a,
		     const struct diff_side *b, const struct diff_origin *before,
		     const struct diff_origin *after)
{
	struct jw w;
	jw_init(&w, fp);
	jw_obj(&w);
	jw_kuint(&w, "schema", 1);
	origin_json(&w, "before", before);
	origin_json(&w, "after", after);
	jw_key(&w, "changes");
	jw_arr(&w);
	for (size_t i = 0; i < r->n; i++) {
		jw_newline_item(&w);
		jw_obj(&w);
		change_json(&w, &r->v[i], a, b);
		jw_obj_end(&w);
	}
	jw_text(&w, "\n", 1);
	jw_arr_end(&w);
	jw_kcounts(&w, "summary", diff_kind_name, r->count, DIFF__COUNT);
	jw_key(&w, "forwards"); /* forwarded ports that appeared and disappeared */
	jw_obj(&w);
	for (int gone = 0; gone < 2; gone++) {
		const struct ps_snapshot *s = gone ? a->snap : b->snap;
		const uint32_t *ix = gone ? r->fwd_gone : r->fwd_new;
		jw_key(&w, gone ? "removed" : "new");
		jw_arr(&w);
		for (size_t i = 0; i < (gone ? r->nfwd_gone : r->nfwd_new); i++)
			json_forward(&w, &s->firewall->fwd[ix[i]]);
		jw_arr_end(&w);
	}
	jw_obj_end(&w);
	return jw_end_document(&w);
}

int render_watch_event(struct buf *out, const struct watch_event *e, bool json, bool color)
{
	if (json) {
		struct jw w;
		jw_init(&w, NULL);
		w.b = *out;
		jw_obj(&w);
		jw_kstr(&w, "time", e->time);
		change_json(&w, e->c, e->a, e->b);
		jw_kstr(&w, "seen_by", e->via_destroy ? "destroy-notification" : "poll");
		jw_kbool(&w, "short_lived", e->short_lived);
		jw_obj_end(&w);
		jw_text(&w, "\n", 1);
		*out = w.b;
		return w.err;
	}
	const char *suffix = e->short_lived   ? " (short-lived: opened and closed between polls)"
			     : e->via_destroy ? " (destroy notification)"
					      : "";
	int rc = buf_printf(out, "%s  ", e->time);
	if (!rc)
		rc = change_text(out, e->c, e->a, e->b, color);
	return rc ? rc : buf_printf(out, "%s\n", suffix);
}

int render_watch_forward(struct buf *out, const char *time, const struct ps_forward *f, bool gone,
			 bool json)
{
	const char *kind = gone ? "removed-forward" : "new-forward";
	if (json) {
		struct jw w;
		jw_init(&w, NULL);
		w.b = *out;
		jw_obj(&w);
		jw_kstr(&w, "time", time);
		jw_kstr(&w, "kind", kind);
		jw_key(&w, "forward");
		json_forward(&w, f);
		jw_obj_end(&w);
		jw_text(&w, "\n", 1);
		*out = w.b;
		return w.err;
	}
	struct buf raw = {0};
	int rc = buf_printf(out, "%s  %s  ", time, kind);
	if (!rc)
		rc = forward_text(f, &raw);
	if (!rc)
		rc = esc_text(out, raw.data, raw.len);
	buf_free(&raw);
	return rc ? rc : buf_putc(out, '\n');
}

int render_watch_folded(struct buf *out, const char *time, const struct coalesce_bucket *f,
			bool json)
{
	unsigned long total = coalesce_bucket_total(f);
	const char *proto = proto_name(f->proto);
	if (json) {
		struct jw w;
		jw_init(&w, NULL);
		w.b = *out;
		jw_obj(&w);
		jw_kstr(&w, "time", time);
		jw_kstr(&w, "kind", "folded");
		jw_kuint(&w, "events", total);
		jw_kuint(&w, "new", f->folded[COALESCE_NEW]);
		jw_kuint(&w, "closed", f->folded[COALESCE_CLOSED]);
		jw_kuint(&w, "changed", f->folded[COALESCE_CHANGED]);
		jw_kstr(&w, "proto", f->any_user ? NULL : proto);
		jw_kint(&w, "port", f->port);
		if (f->any_user || f->uid == COALESCE_NO_UID)
			jw_kstr(&w, "uid", NULL); /* null: several, or not known */
		else
			jw_kuint(&w, "uid", f->uid);
		jw_kbool(&w, "more_ports", f->any_port);
		jw_kbool(&w, "more_users", f->any_user);
		jw_obj_end(&w);
		jw_text(&w, "\n", 1);
		*out = w.b;
		return w.err;
	}
	int rc = buf_printf(out, "%s  %-16s %lu event%s (%lu new, %lu closed, %lu changed) ", time,
			    "folded", total, total == 1 ? "" : "s", f->folded[COALESCE_NEW],
			    f->folded[COALESCE_CLOSED], f->folded[COALESCE_CHANGED]);
	char who[64];
	if (f->uid == COALESCE_NO_UID)
		snprintf(who, sizeof who, "an unknown user (seen only as they closed)");
	else
		snprintf(who, sizeof who, "uid %u", f->uid);
	if (!rc && f->any_user)
		rc = buf_printf(out, "on the ports of further users (first: %s port %u, %s)", proto,
				f->port, who);
	else if (!rc && f->any_port)
		rc = buf_printf(out, "on further %s ports of %s (first: port %u)", proto, who,
				f->port);
	else if (!rc)
		rc = buf_printf(out, "on %s port %u of %s", proto, f->port, who);
	return rc ? rc : buf_puts(out, ": a flood, counted instead of shown\n");
}

int render_watch_status(struct buf *out, const struct watch_status *s, bool json)
{
	bool start = strcmp(s->kind, "start") == 0, stop = strcmp(s->kind, "stop") == 0;
	static const char lost_note[] = "the kernel dropped destroy notifications (queue full)";
	struct buf note = {0};
	int rc = 0;
	if (start && !s->destroy_notifications)
		rc = buf_printf(&note, "short-lived sockets between polls are not seen: %s%s%s",
				s->mechanism ? s->mechanism : "", s->mechanism ? " " : "",
				s->why_not);
	if (!rc && json) {
		struct jw w;
		jw_init(&w, NULL);
		w.b = *out;
		jw_obj(&w);
		jw_kstr(&w, "time", s->time);
		jw_kstr(&w, "kind", s->kind);
		if (start) {
			jw_key(&w, "interval");
			jw_double(&w, s->interval);
			jw_kuint(&w, "sockets", s->sockets);
			jw_kbool(&w, "destroy_notifications", s->destroy_notifications);
			jw_kstr(&w, "note", note.data);
		} else if (stop) {
			jw_kuint(&w, "polls", s->polls);
			jw_kuint(&w, "events", s->events);
			jw_kuint(&w, "lost_notifications", s->lost);
			jw_kuint(&w, "folded", s->folded);
			jw_kint(&w, "signal", s->signal);
		} else {
			jw_kstr(&w, "note", lost_note);
		}
		jw_obj_end(&w);
		jw_text(&w, "\n", 1);
		*out = w.b;
		rc = w.err;
	} else if (!rc) {
		rc = buf_printf(out, "%s  %-16s ", s->time, s->kind);
		if (!rc && start)
			rc = buf_printf(
			    out,
			    "watching %zu %s socket%s every %gs; short-lived sockets between "
			    "polls are %s%s%s%s%s\n",
			    s->sockets, s->all ? "" : "listening", s->sockets == 1 ? "" : "s",
			    s->interval, s->destroy_notifications ? "caught (" : "NOT seen: ",
			    s->mechanism ? s->mechanism : "",
			    s->mechanism && !s->destroy_notifications ? " " : "",
			    s->destroy_notifications ? "" : s->why_not,
			    s->destroy_notifications ? ")" : "");
		else if (!rc && stop)
			rc = buf_printf(out, "after %lu poll%s and %lu event%s%s%.0lu%s%s\n",
					s->polls, s->polls == 1 ? "" : "s", s->events,
					s->events == 1 ? "" : "s", s->folded ? " (" : "", s->folded,
					s->folded ? " more folded)" : "",
					s->signal_text ? s->signal_text : "");
		else if (!rc)
			rc = buf_printf(out, "%s: some short-lived sockets were missed\n",
					lost_note);
	}
	buf_free(&note);
	return rc;
}
