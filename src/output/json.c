/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json.c — the --json document (schema 1): one socket object per line, always valid UTF-8. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/timefmt.h"
#include "fw_out.h"
#include "json_services.h"
#include "jsonw.h"
#include "output.h"
#include "verdict_out.h"

#define JSON_SCHEMA 1

void json_endpoint(struct jw *w, const char *key, const struct ps_endpoint *e)
{
	char a[64];
	jw_key(w, key);
	jw_obj(w);
	jw_kstr(w, "addr", addr_format(&e->addr, a, sizeof a));
	jw_kuint(w, "port", e->port);
	jw_obj_end(w);
}

static void jcmdline(struct jw *w, const struct ps_proc *p)
{
	jw_arr(w);
	if (!p->cmdline) { /* no command line: no pointer arithmetic on NULL */
		jw_arr_end(w);
		return;
	}
	const char *s = p->cmdline, *end = s + p->cmdline_len;
	while (s <= end) {
		const char *z = memchr(s, '\0', (size_t)(end - s));
		const char *ae = z ? z : end;
		jw_strn(w, s, (size_t)(ae - s));
		if (!z)
			break;
		s = z + 1;
	}
	jw_arr_end(w);
}

/*
 * "package": whether an installed package owns the executable (Windows: a valid signature,
 * named by its signer), null when it was not looked up; "signature": what the platform found
 * of its signature (Windows' Authenticode), null where signatures are not checked.
 */
static void jprovenance(struct jw *w, const struct ps_proc *p)
{
	static const char *const status[] = {"unknown", "owned", "unowned"};
	jw_key(w, "package");
	if (p->exe_checked && p->pkg <= PKG_UNOWNED) {
		jw_obj(w);
		jw_kstr(w, "status", status[p->pkg]);
		jw_kstr(w, "name", p->pkg == PKG_OWNED ? p->pkg_name : NULL);
		jw_obj_end(w);
	} else {
		jw_null(w);
	}
	jw_key(w, "signature");
	const struct ps_signature *sig = &proc_more(p)->sig;
	if (!sig->state) {
		jw_null(w);
		return;
	}
	jw_obj(w);
	jw_kstr(w, "status", sig->state);
	jw_kstr(w, "source", sig->source);
	jw_kstr(w, "signer", sig->signer);
	jw_kbool(w, "os_vendor", sig->os_vendor);
	jw_obj_end(w);
}

/* The keys of an owner that depend on its process only, from "name" to "signature". */
static void jprocess(struct jw *w, const struct ps_snapshot *s, const struct ps_proc *p)
{
	jw_kstr(w, "name", p->name);
	jw_kstr(w, "exe", p->exe);
	jw_kstr(w, "exe_name", proc_exe_name(p));
	jw_key(w, "cmdline");
	jcmdline(w, p);
	jw_kbool(w, "cmdline_truncated", p->cmdline_truncated);
	jw_kstr(w, "user", p->have_uid ? snap_user_name(s, p->uid) : NULL);
	jw_key(w, "uid");
	if (p->have_uid)
		jw_uint(w, p->uid);
	else
		jw_null(w);
	jw_key(w, "ppid");
	if (p->ppid >= 0)
		jw_int(w, p->ppid);
	else
		jw_null(w);
	char ts[32];
	jw_kstr(w, "start_time", time_utc_text(p->start_time, false, ts, sizeof ts));
	jw_kstr(w, "cgroup", p->cgroup);
	jw_kstr(w, "unit", p->unit);
	/* whether a mapping of the process is the file its exe link names (issue 19) */
	static const char *const proof[] = {"unknown", "mapped", "unmapped"};
	jw_kstr(w, "exe_proof",
		p->exe_checked && p->exe_check.proof < 3 ? proof[p->exe_check.proof] : NULL);
	const struct ps_proc_more *m = proc_more(p);
	if (m->file_description || m->file_company || m->file_version) { /* Windows only */
		jw_key(w, "file_info");
		jw_obj(w);
		jw_kstr(w, "description", m->file_description);
		jw_kstr(w, "company", m->file_company);
		jw_kstr(w, "version", m->file_version);
		jw_obj_end(w);
	}
	jprovenance(w, p);
}

/*
 * Per-process JSON made once (from "name" to "published_by"): a server with
 * thousands of sockets would otherwise have its command line escaped, and its
 * parent chain written, again for every one of them.
 */
struct proc_json {
	char **text;
	size_t *len;
};

static void jowner(struct jw *w, const struct render_ctx *ctx, const struct ps_owner *o,
		   struct proc_json *cache)
{
	const struct ps_proc *p = &ctx->snap->procs[o->proc];
	jw_obj(w);
	jw_kuint(w, "pid", (unsigned)o->pid);
	if (owner_fd_is_fixed(o->fd)) { /* held by an io_uring ring, no fd of its own */
		jw_kstr(w, "fd", NULL);
		jw_kuint(w, "io_uring_fixed_file", owner_fixed_index(o->fd));
		/* the ring has no fd either: found in the registered ring table */
		jw_kbool(w, "io_uring_registered_ring", owner_fd_ring_registered(o->fd));
	} else {
		jw_kint(w, "fd", o->fd); /* -1 on Windows: no descriptor to show */
	}
	if (cache && cache->text) {
		if (!cache->text[o->proc]) {
			struct jw t;
			jw_init_members(&t);
			jprocess(&t, ctx->snap, p);
			json_owner_services(&t, p); /* unit_type, slice, ... */
			if (t.err) {
				w->err = w->err ? w->err : t.err;
				jw_free(&t);
				return;
			}
			cache->len[o->proc] = t.b.len;
			cache->text[o->proc] = buf_steal(&t.b);
			if (!cache->text[o->proc]) {
				w->err = w->err ? w->err : -ENOMEM;
				return;
			}
		}
		jw_text(w, cache->text[o->proc], cache->len[o->proc]);
	} else {
		jprocess(w, ctx->snap, p);
		json_owner_services(w, p);
	}
	json_owner_activation(w, p, &ctx->snap->socks[o->sock]);
	jw_kbool(w, "vanished", p->vanished);
	jw_key(w, "group_lead"); /* a pre-forking server's worker: its master (the table's row) */
	if (o->lead)
		jw_int(w, o->lead);
	else
		jw_null(w);
	jw_obj_end(w);
}

/* Windows: the http.sys URL reservations on a kernel listener's port, only when there are any. */
static void jhttp(struct jw *w, const struct ps_snapshot *s, const struct ps_socket *k)
{
	bool any = false;
	for (size_t i = 0; i < s->nurlacls; i++) {
		if (!urlacl_serves(&s->urlacls[i], k))
			continue;
		if (!any) {
			jw_key(w, "http_reservations");
			jw_arr(w);
		}
		any = true;
		jw_obj(w);
		jw_kstr(w, "url", s->urlacls[i].url);
		jw_kstr(w, "sddl", s->urlacls[i].sddl);
		jw_obj_end(w);
	}
	if (any)
		jw_arr_end(w);
}

static void jsocket(struct jw *w, const struct render_ctx *ctx, const struct ps_socket *k,
		    struct proc_json *cache)
{
	jw_obj(w);
	jw_kstr(w, "proto", proto_name(k->proto));
	jw_kstr(w, "family", k->local.addr.family == PS_INET6 ? "inet6" : "inet");
	jw_kstr(w, "state", state_name(k->proto, k->state));
	json_endpoint(w, "local", &k->local);
	json_endpoint(w, "remote", &k->remote);
	jw_kuint(w, "recv_q", k->recv_q);
	jw_kuint(w, "send_q", k->send_q);
	jw_kuint(w, "uid", k->uid);
	jw_kstr(w, "user", snap_user_name(ctx->snap, k->uid));
	jw_kuint(w, "inode", k->inode);
	jw_kuint(w, "netns", k->netns);
	int64_t created = snap_created(ctx->snap, k);
	if (created) { /* only Windows says when a socket was made */
		char ts[32];
		jw_kstr(w, "created", time_utc_text(created, false, ts, sizeof ts));
	}
	json_socket_services(w, ctx->snap, k); /* netns_name, cgroup_unit */
	jhttp(w, ctx->snap, k);
	jw_kstr(w, "owner_status", owner_status_name(k->owner_status));
	jw_key(w, "owners");
	jw_arr(w);
	for (size_t i = 0; i < k->owner_count; i++)
		jowner(w, ctx, snap_owner(ctx->snap, k, i), cache);
	jw_arr_end(w);
	json_socket_verdict(w, ctx->snap, k); /* service, exposure, findings */
	jw_obj_end(w);
}

void render_json_socket(struct jw *w, const struct render_ctx *ctx, const struct ps_socket *k)
{
	jsocket(w, ctx, k, NULL);
}

int render_json(FILE *fp, const struct render_ctx *ctx)
{
	const struct ps_snapshot *s = ctx->snap;
	struct jw w;
	jw_init(&w, fp);
	/* without the cache (out of memory) each owner is simply written in full */
	struct proc_json cache = {0};
	if (s->nprocs) {
		cache.text = calloc(s->nprocs, sizeof *cache.text);
		cache.len = calloc(s->nprocs, sizeof *cache.len);
		if (!cache.text || !cache.len) {
			free(cache.text);
			free(cache.len);
			cache.text = NULL;
			cache.len = NULL;
		}
	}
	jw_obj(&w);
	jw_kuint(&w, "schema", JSON_SCHEMA);
	if (ctx->header) { /* a snapshot */
		jw_kstr(&w, "host", ctx->header->host);
		jw_kstr(&w, "boot_id", ctx->header->boot_id);
		jw_kstr(&w, "time", ctx->header->time);
	}
	jw_kbool(&w, "partial", s->partial);
	jw_key(&w, "notes"); /* why partial, as stderr says it (not every reason has a note) */
	jw_arr(&w);
	for (size_t i = 0; i < s->nnotes; i++) {
		char b[256];
		jw_str(&w, snap_note_text(&s->notes[i], b, sizeof b));
	}
	jw_arr_end(&w);
	jw_kstr(&w, "source", s->source ? s->source : "none");
	jw_key(&w, "sockets");
	jw_arr(&w);
	for (size_t k = 0; k < s->nsocks && !w.err; k++) {
		jw_newline_item(&w);
		jsocket(&w, ctx, &s->socks[k], &cache);
	}
	jw_text(&w, "\n", 1);
	jw_arr_end(&w);
	jw_key(&w, "unattributed");
	jw_obj(&w);
	jw_kuint(&w, "no-permission", s->unattributed[PS_OWN_NOPERM]);
	jw_kuint(&w, "kernel", s->unattributed[PS_OWN_KERNEL]);
	jw_kuint(&w, "vanished", s->unattributed[PS_OWN_VANISHED]);
	jw_kuint(&w, "unreported", s->unattributed[PS_OWN_UNREPORTED]);
	jw_obj_end(&w);
	jw_key(&w, "processes");
	jw_obj(&w);
	jw_kuint(&w, "scanned", s->procs_scanned);
	jw_kuint(&w, "denied", s->procs_denied);
	jw_kuint(&w, "vanished", s->procs_vanished);
	jw_obj_end(&w);
	jw_kbool(&w, "privileged", s->privileged);
	jw_key(&w,
	       "attribution"); /* how owners were found; null when there was nothing to attribute */
	jw_obj(&w);
	jw_kstr(&w, "method", s->attr_method);
	jw_kstr(&w, "fallback_reason", s->attr_fallback ? s->attr_fallback->name : NULL);
	jw_obj_end(&w);
	json_snapshot_services(&w, s); /* "namespaces" */
	json_verdict_summary(&w, s);   /* "packages", "sockets_by_worst_finding" */
	json_fw_document(&w, s);       /* "firewall", "forwards" */
	int rc = jw_end_document(&w);
	for (size_t i = 0; cache.text && i < s->nprocs; i++)
		free(cache.text[i]);
	free(cache.text);
	free(cache.len);
	return rc;
}
