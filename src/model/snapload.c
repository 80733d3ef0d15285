/* SPDX-License-Identifier: GPL-2.0-or-later */
/* snapload.c — turn a snapshot document into a model, strictly typed but tolerant of missing keys.
 */
#include "snapload.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../util/grow.h"
#include "../util/json_parse.h"
#include "../util/readfile.h"
#include "exposure.h"
#include "fwload.h"
#include "fwmodel.h"

#define MAX_FILE ((size_t)1 << 30)

struct loader {
	struct snapfile *out;
	const struct ps_filter *f;
	struct snapload_error *err;
	size_t expo_cap, fw_cap, findings_cap;
};

__attribute__((format(printf, 3, 4))) static int bad(struct loader *ld, const char *path,
						     const char *fmt, ...)
{
	if (ld->err) {
		snprintf(ld->err->path, sizeof ld->err->path, "%s", path);
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(ld->err->msg, sizeof ld->err->msg, fmt, ap);
		va_end(ap);
	}
	return -EBADMSG;
}

/* A copy of a JSON string (which may hold NUL bytes: kept, as a process's strings may). */
static char *dup_json_str(const struct json *v)
{
	char *s = malloc(v->len + 1);
	if (s) {
		memcpy(s, v->str, v->len);
		s[v->len] = '\0';
	}
	return s;
}

/* Optional string member: absent or null leaves *dst NULL; another type is an error. */
static int opt_str(struct loader *ld, const struct json *obj, const char *key, const char *path,
		   char **dst)
{
	const struct json *v = json_get(obj, key);
	*dst = NULL;
	if (!v || v->type == JSON_NULL)
		return 0;
	if (v->type != JSON_STRING)
		return bad(ld, path, "\"%s\" must be a string or null", key);
	*dst = dup_json_str(v);
	return *dst ? 0 : -ENOMEM;
}

/* Optional integer member in [lo, hi]; absent or null leaves *dst unchanged. */
static int opt_int(struct loader *ld, const struct json *obj, const char *key, const char *path,
		   int64_t lo, int64_t hi, int64_t *dst)
{
	const struct json *v = json_get(obj, key);
	if (!v || v->type == JSON_NULL)
		return 0;
	if (v->type != JSON_NUMBER || !v->is_int || v->integer < lo || v->integer > hi)
		return bad(ld, path, "\"%s\" must be an integer from %lld to %lld", key,
			   (long long)lo, (long long)hi);
	*dst = v->integer;
	return 0;
}

static int opt_bool(struct loader *ld, const struct json *obj, const char *key, const char *path,
		    bool *dst)
{
	const struct json *v = json_get(obj, key);
	if (!v || v->type == JSON_NULL)
		return 0;
	if (v->type != JSON_BOOL)
		return bad(ld, path, "\"%s\" must be true or false", key);
	*dst = v->boolean;
	return 0;
}

static bool parse_addr(const char *s, struct ps_addr *a)
{
	memset(a, 0, sizeof *a);
	if (inet_pton(AF_INET, s, a->bytes) == 1) {
		a->family = PS_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, a->bytes) == 1) {
		a->family = PS_INET6;
		return true;
	}
	return false;
}

static int endpoint(struct loader *ld, const struct json *sock, const char *key, const char *path,
		    bool required, struct ps_endpoint *e)
{
	char p[128];
	const struct json *v = json_get(sock, key);
	snprintf(p, sizeof p, "%s.%s", path, key);
	if (!v || v->type == JSON_NULL) {
		if (required)
			return bad(ld, path, "no \"%s\" address", key);
		return 1; /* absent: the caller fills a wildcard of the right family */
	}
	if (v->type != JSON_OBJECT)
		return bad(ld, p, "must be an object with \"addr\" and \"port\"");
	const char *addr = json_get_str(v, "addr");
	if (!addr || !parse_addr(addr, &e->addr))
		return bad(ld, p, "\"addr\" must be an IPv4 or IPv6 address");
	int64_t port = -1;
	int rc = opt_int(ld, v, "port", p, 0, 65535, &port);
	if (rc)
		return rc;
	if (port < 0)
		return bad(ld, p, "no \"port\"");
	e->port = (uint16_t)port;
	return 0;
}

static int parse_state(unsigned proto, const char *name)
{
	for (unsigned st = 1; st < PS_ST_MAX; st++)
		if (strcmp(state_name(proto, st), name) == 0)
			return (int)st;
	return -1;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (H. Hinnant's
 * days_from_civil): timegm() is neither C11 nor POSIX.1-2008. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* A "2024-05-01T12:00:00Z" time as seconds since the epoch, or -1. */
static int64_t parse_utc(const char *s)
{
	int y, mo, d, h, mi, sec, end = -1;
	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &end) != 6 ||
	    end < 0 || (s[end] && strcmp(s + end, "Z") != 0))
		return -1;
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || h < 0 || mi < 0 || mi > 59 ||
	    sec < 0 || sec > 60)
		return -1;
	return (days_from_civil(y, mo, d) * 24 + h) * 3600 + mi * 60 + sec;
}

static const char *static_runtime(const char *r)
{
	static const char *const known[] = {"docker",	       "podman",	  "containerd",
					    "cri-o",	       "kubernetes",	  "lxc",
					    "rootless-docker", "rootless-podman", "rootless"};
	for (size_t i = 0; r && i < sizeof known / sizeof known[0]; i++)
		if (strcmp(r, known[i]) == 0)
			return known[i];
	return "other";
}

static int cmdline(struct loader *ld, const struct json *o, const char *path, struct ps_proc *p)
{
	const struct json *v = json_get(o, "cmdline");
	if (!v || v->type == JSON_NULL)
		return 0;
	if (v->type != JSON_ARRAY)
		return bad(ld, path, "\"cmdline\" must be an array of strings");
	size_t total = 0;
	for (size_t i = 0; i < v->n; i++) {
		if (v->items[i]->type != JSON_STRING)
			return bad(ld, path, "\"cmdline\" must be an array of strings");
		total += v->items[i]->len + 1;
	}
	if (!v->n)
		return 0;
	p->cmdline = malloc(total);
	if (!p->cmdline)
		return -ENOMEM;
	size_t at = 0;
	for (size_t i = 0; i < v->n; i++) {
		memcpy(p->cmdline + at, v->items[i]->str, v->items[i]->len);
		at += v->items[i]->len;
		p->cmdline[at++] = '\0';
	}
	/* NUL-separated, no trailing NUL counted; older snapshots may hold title padding */
	p->cmdline_len = cmdline_shown_len(p->cmdline, total - 1);
	if (!p->cmdline_len) {
		free(p->cmdline);
		p->cmdline = NULL;
	}
	return 0;
}

/* The owner's "package" and "signature" (what the Windows build states of a signature). */
static int provenance(struct loader *ld, const struct json *o, const char *path, struct ps_proc *p)
{
	static const char *const status[] = {"unknown", "owned", "unowned"};
	static const char *const states[] = {"signed", "unsigned", "invalid", "unreadable"};
	static const char *const sources[] = {"embedded", "catalog"};
	const struct json *pk = json_get(o, "package"), *sg = json_get(o, "signature");
	char p2[128];
	int rc = 0;
	if (pk && pk->type == JSON_OBJECT) {
		snprintf(p2, sizeof p2, "%s.package", path);
		const char *st = json_get_str(pk, "status");
		for (uint8_t i = 0; st && i < 3; i++)
			if (strcmp(st, status[i]) == 0)
				p->pkg = i;
		if (p->pkg == PKG_OWNED && (rc = opt_str(ld, pk, "name", p2, &p->pkg_name)))
			return rc;
	}
	if (!sg || sg->type != JSON_OBJECT)
		return 0;
	struct ps_proc_more *m = proc_more_get(p);
	if (!m)
		return -ENOMEM;
	snprintf(p2, sizeof p2, "%s.signature", path);
	const char *st = json_get_str(sg, "status"), *src = json_get_str(sg, "source");
	for (size_t i = 0; st && i < sizeof states / sizeof states[0]; i++)
		if (strcmp(st, states[i]) == 0)
			m->sig.state = states[i];
	for (size_t i = 0; src && i < sizeof sources / sizeof sources[0]; i++)
		if (strcmp(src, sources[i]) == 0)
			m->sig.source = sources[i];
	if ((rc = opt_str(ld, sg, "signer", p2, &m->sig.signer)))
		return rc;
	return opt_bool(ld, sg, "os_vendor", p2, &m->sig.os_vendor);
}

static int owner(struct loader *ld, const struct json *o, const char *path, uint32_t sock)
{
	struct ps_snapshot *s = &ld->out->snap;
	if (o->type != JSON_OBJECT)
		return bad(ld, path, "an owner must be an object");
	int64_t pid = -1, fd = -1, uid = -1, ppid = -1;
	int rc = opt_int(ld, o, "pid", path, 0, INT32_MAX, &pid);
	if (!rc)
		rc = opt_int(ld, o, "fd", path, -1, INT32_MAX, &fd);
	if (!rc)
		rc = opt_int(ld, o, "uid", path, 0, UINT32_MAX, &uid);
	if (!rc)
		rc = opt_int(ld, o, "ppid", path, -1, INT32_MAX, &ppid);
	if (rc)
		return rc;
	if (pid < 0)
		return bad(ld, path, "no \"pid\"");
	long pi = snap_add_proc(s, (int)pid);
	if (pi < 0)
		return (int)pi;
	struct ps_proc *p = &s->procs[pi];
	p->ppid = (int)ppid;
	p->have_uid = uid >= 0;
	p->uid = uid >= 0 ? (uint32_t)uid : 0;
	if ((rc = opt_str(ld, o, "name", path, &p->name)) ||
	    (rc = opt_str(ld, o, "exe", path, &p->exe)) ||
	    (rc = opt_str(ld, o, "cgroup", path, &p->cgroup)) ||
	    (rc = opt_str(ld, o, "unit", path, &p->unit)) || (rc = cmdline(ld, o, path, p)) ||
	    (rc = opt_bool(ld, o, "cmdline_truncated", path, &p->cmdline_truncated)) ||
	    (rc = opt_bool(ld, o, "vanished", path, &p->vanished)))
		return rc;
	int64_t unit_uid = -1;
	char *ut = NULL;
	if ((rc = opt_str(ld, o, "unit_type", path, &ut)) ||
	    (rc = opt_int(ld, o, "unit_uid", path, 0, UINT32_MAX, &unit_uid)))
		return rc;
	/* a user unit stays one: policies derived from the snapshot tell them from system units */
	static const char *const types[] = {"system", "user", "session", "service"};
	for (size_t i = 0; ut && i < sizeof types / sizeof types[0]; i++)
		if (strcmp(ut, types[i]) == 0)
			p->unit_type = types[i];
	free(ut);
	p->have_unit_uid = unit_uid >= 0;
	p->unit_uid = unit_uid >= 0 ? (uint32_t)unit_uid : 0;
	const struct json *st = json_get(o, "start_time");
	if (st && st->type == JSON_STRING)
		p->start_time = parse_utc(st->str);
	if ((rc = provenance(ld, o, path, p)))
		return rc;
	const struct json *c = json_get(o, "container");
	if (c && c->type == JSON_OBJECT) {
		char p2[128], *rt = NULL;
		snprintf(p2, sizeof p2, "%s.container", path);
		if ((rc = opt_str(ld, c, "id", p2, &p->container)) ||
		    (rc = opt_str(ld, c, "name", p2, &p->container_name)) ||
		    (rc = opt_str(ld, c, "runtime", p2, &rt)))
			return rc;
		p->container_runtime =
		    (p->container || p->container_name) ? static_runtime(rt) : NULL;
		free(rt);
	} else if (c && c->type == JSON_STRING) {
		if (!(p->container = dup_json_str(c)))
			return -ENOMEM;
		p->container_runtime = "other";
	} else if (c && c->type != JSON_NULL) {
		return bad(ld, path, "\"container\" must be an object or null");
	}
	return snap_add_owner(s, sock, (uint32_t)pi, (int32_t)fd);
}

/* The exposure the file states ({"scope": NAME} or NAME), or -1 when it says nothing we know. */
static int stated_exposure(const struct json *sock)
{
	const struct json *e = json_get(sock, "exposure");
	const char *name = NULL;
	if (e && e->type == JSON_OBJECT)
		name = json_get_str(e, "scope");
	else if (e && e->type == JSON_STRING)
		name = e->str;
	return name ? exposure_parse(name) : -1;
}

/* The firewall's verdict the file states in "exposure.firewall" {verdict, sources}; verdict
 * PS_FW__COUNT when it says none we know. 0 or -ENOMEM. */
static int stated_firewall(const struct json *sock, struct diff_fw *out)
{
	const struct json *e = json_get(sock, "exposure");
	const struct json *f = e && e->type == JSON_OBJECT ? json_get(e, "firewall") : NULL;
	const char *name = f && f->type == JSON_OBJECT ? json_get_str(f, "verdict") : NULL;
	*out = (struct diff_fw){PS_FW__COUNT, NULL};
	for (unsigned v = 0; name && v < PS_FW__COUNT; v++)
		if (strcmp(name, fw_verdict_text(v)) == 0)
			out->verdict = (uint8_t)v;
	const char *src = out->verdict == PS_FW_SOME ? json_get_str(f, "sources") : NULL;
	if (src && !(out->sources = strdup(src)))
		return -ENOMEM;
	return 0;
}

/* One finding of a socket: {severity, code, reason, evidence, pid}. 0, -EBADMSG or -ENOMEM. */
static int stated_finding(struct loader *ld, const struct json *o, const char *path,
			  struct finding_list *out)
{
	const char *sev = o->type == JSON_OBJECT ? json_get_str(o, "severity") : NULL;
	const char *code = o->type == JSON_OBJECT ? json_get_str(o, "code") : NULL;
	unsigned v = 0;
	while (sev && v < SEV__COUNT && strcmp(sev, finding_sev_name(v)) != 0)
		v++;
	if (!sev || v == SEV__COUNT || !code)
		return bad(ld, path, "a finding needs a known \"severity\" and a \"code\"");
	int64_t pid = -1;
	int rc = opt_int(ld, o, "pid", path, 0, INT32_MAX, &pid);
	if (rc)
		return rc;
	size_t cap = out->cap;
	if (out->n == UINT32_MAX)
		return bad(ld, path, "too many findings");
	if (util_grow((void **)&out->f, &cap, out->n + 1, sizeof *out->f))
		return -ENOMEM;
	out->cap = (uint32_t)cap;
	struct finding *f = &out->f[out->n];
	*f = (struct finding){.sev = (uint8_t)v, .pid = (int)pid};
	const struct json *r = json_get(o, "reason"), *e = json_get(o, "evidence");
	bool has_r = r && r->type == JSON_STRING, has_e = e && e->type == JSON_STRING;
	f->code = strdup(code);
	f->reason = has_r ? dup_json_str(r) : NULL;
	f->evidence = has_e ? dup_json_str(e) : NULL;
	out->n++; /* counted before checking, so snapfile_free frees what was made */
	return f->code && (f->reason || !has_r) && (f->evidence || !has_e) ? 0 : -ENOMEM;
}

/* The findings the file states for a socket, into *out. 0, -EBADMSG or -ENOMEM. */
static int stated_findings(struct loader *ld, const struct json *sock, const char *path,
			   struct finding_list *out)
{
	*out = (struct finding_list){0};
	const struct json *a = json_get(sock, "findings");
	if (!a || a->type == JSON_NULL)
		return 0;
	if (a->type != JSON_ARRAY)
		return bad(ld, path, "\"findings\" must be an array");
	int rc = 0;
	for (size_t i = 0; i < a->n && !rc; i++) {
		char fp[96];
		snprintf(fp, sizeof fp, "%s.findings[%zu]", path, i);
		rc = stated_finding(ld, a->items[i], fp, out);
	}
	return rc;
}

/* The copies stated_findings made (codes included). */
static void stated_findings_free(struct finding_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free((char *)l->f[i].code);
	findings_free(l);
}

/* What the file says of a socket beyond the model: its exposure, firewall verdict and findings,
 * into the snapfile's slot for socket s->nsocks (reused after a socket an owner filter
 * dropped). 0, -EBADMSG or -ENOMEM. */
static int socket_stated(struct loader *ld, const struct json *v, const char *path,
			 const struct ps_socket *k)
{
	struct snapfile *out = ld->out;
	size_t at = out->snap.nsocks;
	int expo = stated_exposure(v);
	if (expo < 0)
		expo = (int)exposure_classify(&k->local.addr);
	if (util_grow((void **)&out->exposure, &ld->expo_cap, at + 1, 1))
		return -ENOMEM;
	out->exposure[at] = (uint8_t)expo;
	if (util_grow((void **)&out->fw, &ld->fw_cap, at + 1, sizeof *out->fw))
		return -ENOMEM;
	if (at < out->fw_n) /* the slot of a socket an owner filter dropped */
		free((char *)out->fw[at].sources);
	else
		out->fw_n = at + 1;
	int rc = stated_firewall(v, &out->fw[at]);
	if (rc)
		return rc;
	const struct json *fj = json_get(v, "findings");
	if (!out->findings && (!fj || fj->type == JSON_NULL))
		return 0; /* none stated so far: no array */
	if (util_grow((void **)&out->findings, &ld->findings_cap, at + 1, sizeof *out->findings))
		return -ENOMEM;
	if (at < out->findings_n)
		stated_findings_free(&out->findings[at]);
	while (out->findings_n <= at)
		out->findings[out->findings_n++] = (struct finding_list){0};
	return stated_findings(ld, v, path, &out->findings[at]);
}

/* The numbers of a socket: namespace, inode, uid, queues and creation time. 0 or -EBADMSG. */
static int socket_numbers(struct loader *ld, const struct json *v, const char *path,
			  struct ps_socket *k, int64_t *created)
{
	int64_t n[5] = {0};
	int rc;
	if ((rc = opt_int(ld, v, "netns", path, 0, INT64_MAX, &n[0])) ||
	    (rc = opt_int(ld, v, "inode", path, 0, INT64_MAX, &n[1])) ||
	    (rc = opt_int(ld, v, "uid", path, 0, UINT32_MAX, &n[2])) ||
	    (rc = opt_int(ld, v, "recv_q", path, 0, UINT32_MAX, &n[3])) ||
	    (rc = opt_int(ld, v, "send_q", path, 0, UINT32_MAX, &n[4])))
		return rc;
	k->netns = (uint64_t)n[0];
	k->inode = (uint64_t)n[1];
	k->uid = (uint32_t)n[2];
	k->recv_q = (uint32_t)n[3];
	k->send_q = (uint32_t)n[4];
	const struct json *c = json_get(v, "created"); /* Windows snapshots only */
	if (c && c->type != JSON_NULL) {
		int64_t t = c->type == JSON_STRING ? parse_utc(c->str) : -1;
		if (t < 0)
			return bad(ld, path,
				   "\"created\" must be a UTC time such as "
				   "\"2026-05-01T09:30:12Z\"");
		*created = t;
	}
	return 0;
}

/* Drop the last socket and the owners and processes added for it (owners are appended in order). */
static void pop_socket(struct ps_snapshot *s, const struct ps_socket *k)
{
	while (s->nowners > k->owner_first) {
		s->nowners--;
		snap_proc_free(&s->procs[s->owners[s->nowners].proc]);
		s->nprocs--;
	}
	s->nsocks--;
}

static int socket_obj(struct loader *ld, const struct json *v, size_t idx)
{
	struct ps_snapshot *s = &ld->out->snap;
	char path[48];
	snprintf(path, sizeof path, "sockets[%zu]", idx);
	if (v->type != JSON_OBJECT)
		return bad(ld, path, "a socket must be an object");
	const char *proto = json_get_str(v, "proto");
	struct ps_socket k;
	memset(&k, 0, sizeof k);
	if (!proto)
		return bad(ld, path, "no \"proto\" string");
	if (strcmp(proto, "tcp") == 0)
		k.proto = PS_TCP;
	else if (strcmp(proto, "udp") == 0)
		k.proto = PS_UDP;
	else
		return 1; /* a protocol this version does not compare: skipped, counted */
	int rc = endpoint(ld, v, "local", path, true, &k.local);
	if (rc)
		return rc;
	rc = endpoint(ld, v, "remote", path, false, &k.remote);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		memset(&k.remote, 0, sizeof k.remote);
		k.remote.addr.family = k.local.addr.family;
	}
	const struct json *st = json_get(v, "state");
	if (st && st->type != JSON_NULL) {
		int sv = st->type == JSON_STRING ? parse_state(k.proto, st->str) : -1;
		if (sv < 0)
			return bad(
			    ld, path,
			    "\"state\" must be a state name such as \"listen\" or \"unconn\"");
		k.state = (uint8_t)sv;
	} else {
		/* older or hand-written files: a socket without a state is a listener */
		k.state = k.proto == PS_TCP ? PS_ST_LISTEN : PS_ST_CLOSE;
	}
	int64_t created = 0;
	if ((rc = socket_numbers(ld, v, path, &k, &created)))
		return rc;
	const char *os = json_get_str(v, "owner_status");
	k.owner_status = PS_OWN_OK;
	for (unsigned i = 0; os && i < PS_OWN__COUNT; i++)
		if (strcmp(os, owner_status_name(i)) == 0)
			k.owner_status = (uint8_t)i;
	if (ld->f && !filter_match_socket(ld->f, &k))
		return 0;

	if ((rc = socket_stated(ld, v, path, &k)))
		return rc;
	struct ps_socket *dst = snap_add_socket(s);
	if (!dst)
		return -ENOMEM;
	uint32_t si = (uint32_t)(s->nsocks - 1);
	k.owner_first = (uint32_t)s->nowners;
	*dst = k;
	if ((rc = snap_set_created(s, dst, created)))
		return rc;

	const struct json *owners = json_get(v, "owners");
	if (owners && owners->type != JSON_NULL) {
		if (owners->type != JSON_ARRAY)
			return bad(ld, path, "\"owners\" must be an array");
		for (size_t i = 0; i < owners->n; i++) {
			char op[96];
			snprintf(op, sizeof op, "%s.owners[%zu]", path, i);
			if ((rc = owner(ld, owners->items[i], op, si)))
				return rc;
		}
	}
	dst = &s->socks[si];
	dst->owner_count = (uint32_t)(s->nowners - dst->owner_first);
	if (!json_get(v, "owner_status") && !dst->owner_count)
		dst->owner_status = PS_OWN_KERNEL;
	if (ld->f && filter_needs_owners(ld->f) && !filter_match_owners(ld->f, s, dst))
		pop_socket(s, dst);
	return 0;
}

static const char *static_source(const char *src)
{
	static const char *const known[] = {"netlink", "procfs", "netlink+procfs"};
	for (size_t i = 0; src && i < sizeof known / sizeof known[0]; i++)
		if (strcmp(src, known[i]) == 0)
			return known[i];
	return "snapshot";
}

static int document(struct loader *ld, const struct json *doc)
{
	struct snapfile *out = ld->out;
	struct ps_snapshot *s = &out->snap;
	if (doc->type != JSON_OBJECT)
		return bad(ld, "", "not a portsleuth snapshot: the document is not a JSON object");
	const struct json *schema = json_get(doc, "schema");
	if (!schema)
		return bad(ld, "", "not a portsleuth snapshot: no \"schema\" key");
	if (schema->type != JSON_NUMBER || !schema->is_int || schema->integer < 1)
		return bad(ld, "schema", "must be a positive integer");
	if (schema->integer > SNAPLOAD_SCHEMA_MAX)
		return bad(ld, "schema",
			   "schema %lld is newer than this portsleuth reads (up to %d); use a "
			   "newer portsleuth",
			   (long long)schema->integer, SNAPLOAD_SCHEMA_MAX);
	out->schema = (int)schema->integer;
	const struct json *socks = json_get(doc, "sockets");
	if (!socks)
		return bad(ld, "", "not a portsleuth snapshot: no \"sockets\" array");
	if (socks->type != JSON_ARRAY)
		return bad(ld, "sockets", "must be an array");
	int rc;
	if ((rc = opt_str(ld, doc, "host", "host", &out->host)) ||
	    (rc = opt_str(ld, doc, "boot_id", "boot_id", &out->boot_id)) ||
	    (rc = opt_str(ld, doc, "time", "time", &out->time)) ||
	    (rc = opt_bool(ld, doc, "partial", "partial", &s->partial)) ||
	    (rc = opt_bool(ld, doc, "privileged", "privileged", &s->privileged)))
		return rc;
	s->source = static_source(json_get_str(doc, "source"));
	const struct json *pr = json_get(doc, "processes");
	if (pr && pr->type == JSON_OBJECT) {
		int64_t a = 0, b = 0, c = 0;
		if ((rc = opt_int(ld, pr, "scanned", "processes", 0, INT64_MAX, &a)) ||
		    (rc = opt_int(ld, pr, "denied", "processes", 0, INT64_MAX, &b)) ||
		    (rc = opt_int(ld, pr, "vanished", "processes", 0, INT64_MAX, &c)))
			return rc;
		s->procs_scanned = (size_t)a;
		s->procs_denied = (size_t)b;
		s->procs_vanished = (size_t)c;
	}
	for (size_t i = 0; i < socks->n; i++) {
		rc = socket_obj(ld, socks->items[i], i);
		if (rc < 0)
			return rc;
		if (rc == 1)
			out->skipped++;
	}
	if (s->nsocks)
		s->netns = s->socks[0].netns;
	if ((rc = fwload_parse(doc, ld->f, s)))
		return rc;
	snap_group_owners(s);
	snap_count_status(s);
	return 0;
}

int snapload_parse(const char *buf, size_t len, const struct ps_filter *f, struct snapfile *out,
		   struct snapload_error *err)
{
	memset(out, 0, sizeof *out);
	if (err)
		memset(err, 0, sizeof *err);
	struct json *doc = NULL;
	struct json_error je;
	int rc = json_parse(buf, len, &doc, &je);
	if (rc == -EBADMSG) {
		if (err) {
			err->line = je.line;
			err->column = je.column;
			snprintf(err->msg, sizeof err->msg, "%s", je.msg);
		}
		return rc;
	}
	if (rc)
		return rc;
	struct loader ld = {.out = out, .f = f, .err = err};
	rc = document(&ld, doc);
	json_free(doc);
	if (rc)
		snapfile_free(out);
	return rc;
}

int snapload_read_file(const char *path, char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct buf b = {0};
	int rc = read_fd(fd, &b, MAX_FILE, NULL);
	close(fd);
	if (!rc && !b.data)
		rc = buf_reserve(&b, 1); /* an empty file is an empty string */
	if (rc) {
		buf_free(&b);
		return rc;
	}
	*out = b.data;
	*len = b.len;
	return 0;
}

void snapfile_free(struct snapfile *f)
{
	snap_free(&f->snap);
	free(f->exposure);
	for (size_t i = 0; f->fw && i < f->fw_n; i++)
		free((char *)f->fw[i].sources);
	free(f->fw);
	for (size_t i = 0; f->findings && i < f->findings_n; i++)
		stated_findings_free(&f->findings[i]);
	free(f->findings);
	free(f->host);
	free(f->boot_id);
	free(f->time);
	memset(f, 0, sizeof *f);
}
