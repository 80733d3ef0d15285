/* json.c — the --json document (schema 1): one socket object per line, always valid UTF-8. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/escape.h"
#include "json_services.h"
#include "output.h"
#include "verdict_out.h"

#define JSON_SCHEMA 1

static int jstr(struct buf *b, const char *s, size_t n)
{
	int rc = buf_putc(b, '"');
	if (!rc)
		rc = esc_json(b, s, n);
	if (!rc)
		rc = buf_putc(b, '"');
	return rc;
}

static int jstr_or_null(struct buf *b, const char *s)
{
	return s ? jstr(b, s, strlen(s)) : buf_puts(b, "null");
}

static int jendpoint(struct buf *b, const char *key, const struct ps_endpoint *e)
{
	char a[64];
	addr_format(&e->addr, a, sizeof a);
	return buf_printf(b, "\"%s\":{\"addr\":\"%s\",\"port\":%u}", key, a, e->port);
}

static int jcmdline(struct buf *b, const struct ps_proc *p)
{
	int rc = buf_putc(b, '[');
	if (!p->cmdline) /* no command line: no pointer arithmetic on NULL */
		return rc ? rc : buf_putc(b, ']');
	const char *s = p->cmdline, *end = s + p->cmdline_len;
	bool first = true;
	while (s <= end && !rc) {
		const char *z = memchr(s, '\0', (size_t)(end - s));
		const char *ae = z ? z : end;
		if (!first)
			rc = buf_putc(b, ',');
		first = false;
		if (!rc)
			rc = jstr(b, s, (size_t)(ae - s));
		if (!z)
			break;
		s = z + 1;
	}
	return rc ? rc : buf_putc(b, ']');
}

/* The keys of an owner that depend on its process only, from "name" to "unit". */
static int jprocess(struct buf *b, const struct render_ctx *ctx, const struct ps_proc *p)
{
	int rc = buf_puts(b, "\"name\":");
	if (!rc)
		rc = jstr_or_null(b, p->name);
	if (!rc)
		rc = buf_puts(b, ",\"exe\":");
	if (!rc)
		rc = jstr_or_null(b, p->exe);
	if (!rc)
		rc = buf_puts(b, ",\"cmdline\":");
	if (!rc)
		rc = jcmdline(b, p);
	if (!rc)
		rc = buf_printf(b, ",\"cmdline_truncated\":%s,\"user\":",
				p->cmdline_truncated ? "true" : "false");
	if (!rc)
		rc = jstr_or_null(b, p->have_uid ? users_name(ctx->users, p->uid) : NULL);
	if (!rc)
		rc = p->have_uid ? buf_printf(b, ",\"uid\":%" PRIu32, p->uid) : buf_puts(b, ",\"uid\":null");
	if (!rc)
		rc = p->ppid >= 0 ? buf_printf(b, ",\"ppid\":%d", p->ppid) : buf_puts(b, ",\"ppid\":null");
	if (!rc) {
		char ts[32] = "";
		time_t t = (time_t)p->start_time;
		struct tm tm;
		if (p->start_time >= 0 && gmtime_r(&t, &tm))
			strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
		rc = ts[0] ? buf_printf(b, ",\"start_time\":\"%s\"", ts) : buf_puts(b, ",\"start_time\":null");
	}
	if (!rc)
		rc = buf_puts(b, ",\"cgroup\":");
	if (!rc)
		rc = jstr_or_null(b, p->cgroup);
	if (!rc)
		rc = buf_puts(b, ",\"unit\":");
	if (!rc)
		rc = jstr_or_null(b, p->unit);
	return rc;
}

/*
 * Per-process JSON made once: a server with thousands of sockets would otherwise
 * have its command line escaped again for every one of them.
 */
struct proc_json {
	char **text;
	size_t *len;
};

static int jowner(struct buf *b, const struct render_ctx *ctx, const struct ps_owner *o,
		  struct proc_json *cache)
{
	const struct ps_proc *p = &ctx->snap->procs[o->proc];
	int rc = buf_puts(b, "{\"pid\":");
	if (!rc)
		rc = buf_put_uint(b, (unsigned)o->pid);
	if (!rc)
		rc = buf_puts(b, ",\"fd\":");
	if (!rc)
		rc = buf_put_uint(b, (unsigned)o->fd);
	if (!rc)
		rc = buf_putc(b, ',');
	if (rc)
		return rc;
	if (cache && cache->text) {
		if (!cache->text[o->proc]) {
			struct buf t = {0};
			if ((rc = jprocess(&t, ctx, p))) {
				buf_free(&t);
				return rc;
			}
			cache->len[o->proc] = t.len;
			cache->text[o->proc] = buf_steal(&t);
			if (!cache->text[o->proc])
				return -ENOMEM;
		}
		rc = buf_append(b, cache->text[o->proc], cache->len[o->proc]);
	} else {
		rc = jprocess(b, ctx, p);
	}
	if (!rc)
		rc = json_owner_services(b, p, &ctx->snap->socks[o->sock]); /* unit_type, slice, ... */
	if (!rc)
		rc = buf_printf(b, ",\"vanished\":%s}", p->vanished ? "true" : "false");
	return rc;
}

static int jsocket(struct buf *b, const struct render_ctx *ctx, const struct ps_socket *k,
		   struct proc_json *cache)
{
	int rc = buf_printf(b, "{\"proto\":\"%s\",\"family\":\"%s\",\"state\":\"%s\",",
			    proto_name(k->proto), k->local.addr.family == PS_INET6 ? "inet6" : "inet",
			    state_name(k->proto, k->state));
	if (!rc)
		rc = jendpoint(b, "local", &k->local);
	if (!rc)
		rc = buf_putc(b, ',');
	if (!rc)
		rc = jendpoint(b, "remote", &k->remote);
	if (!rc)
		rc = buf_printf(b, ",\"recv_q\":%" PRIu32 ",\"send_q\":%" PRIu32 ",\"uid\":%" PRIu32
				   ",\"user\":",
				k->recv_q, k->send_q, k->uid);
	if (!rc)
		rc = jstr_or_null(b, users_name(ctx->users, k->uid));
	if (!rc)
		rc = buf_printf(b, ",\"inode\":%" PRIu64 ",\"netns\":%" PRIu64, k->inode, k->netns);
	if (!rc)
		rc = json_socket_services(b, ctx->snap, k); /* netns_name, cgroup_unit */
	if (!rc)
		rc = buf_printf(b, ",\"owner_status\":\"%s\",\"owners\":[",
				owner_status_name(k->owner_status));
	for (size_t i = 0; i < k->owner_count && !rc; i++) {
		if (i)
			rc = buf_putc(b, ',');
		if (!rc)
			rc = jowner(b, ctx, snap_owner(ctx->snap, k, i), cache);
	}
	if (!rc)
		rc = buf_putc(b, ']');
	if (!rc)
		rc = json_socket_verdict(b, ctx, k); /* service, exposure, findings */
	return rc ? rc : buf_putc(b, '}');
}

/* The snapshot keys: "host", "boot_id", "time". */
static int jheader(struct buf *b, const struct json_header *h)
{
	int rc = buf_puts(b, "\"host\":");
	if (!rc)
		rc = jstr_or_null(b, h->host);
	if (!rc)
		rc = buf_puts(b, ",\"boot_id\":");
	if (!rc)
		rc = jstr_or_null(b, h->boot_id);
	if (!rc)
		rc = buf_puts(b, ",\"time\":");
	if (!rc)
		rc = jstr_or_null(b, h->time);
	return rc ? rc : buf_putc(b, ',');
}

int render_json_socket(struct buf *b, const struct render_ctx *ctx, const struct ps_socket *k)
{
	return jsocket(b, ctx, k, NULL);
}

int render_json(FILE *fp, const struct render_ctx *ctx)
{
	const struct ps_snapshot *s = ctx->snap;
	struct buf b = {0};
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
	int rc = buf_printf(&b, "{\"schema\":%d,", JSON_SCHEMA);
	if (!rc && ctx->header)
		rc = jheader(&b, ctx->header);
	if (!rc)
		rc = buf_printf(&b, "\"partial\":%s,\"source\":\"%s\",\"sockets\":[",
				s->partial ? "true" : "false", s->source ? s->source : "none");
	for (size_t k = 0; k < s->nsocks && !rc; k++) {
		rc = buf_puts(&b, k ? ",\n" : "\n");
		if (!rc)
			rc = jsocket(&b, ctx, &s->socks[k], &cache);
		if (!rc && b.len > 60000) {
			fwrite(b.data, 1, b.len, fp);
			buf_clear(&b);
		}
	}
	if (!rc)
		rc = buf_printf(&b,
				"\n],\"unattributed\":{\"no-permission\":%zu,\"kernel\":%zu,\"vanished\":%zu},"
				"\"processes\":{\"scanned\":%zu,\"denied\":%zu,\"vanished\":%zu},"
				"\"privileged\":%s",
				s->unattributed[PS_OWN_NOPERM], s->unattributed[PS_OWN_KERNEL],
				s->unattributed[PS_OWN_VANISHED], s->procs_scanned, s->procs_denied,
				s->procs_vanished, s->privileged ? "true" : "false");
	if (!rc)
		rc = json_snapshot_services(&b, s); /* "namespaces" */
	if (!rc)
		rc = json_verdict_summary(&b, ctx); /* "packages", "sockets_by_worst_finding" */
	if (!rc)
		rc = buf_puts(&b, "}\n");
	if (!rc)
		fwrite(b.data, 1, b.len, fp);
	buf_free(&b);
	for (size_t i = 0; cache.text && i < s->nprocs; i++)
		free(cache.text[i]);
	free(cache.text);
	free(cache.len);
	if (!rc && ferror(fp))
		rc = -EIO;
	return rc;
}
