/* json_services.c — JSON for units, containers, ancestry, activation and network namespaces. */
#include "json_services.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "../util/escape.h"

static int jstr(struct buf *b, const char *s)
{
	if (!s)
		return buf_puts(b, "null");
	int rc = buf_putc(b, '"');
	if (!rc)
		rc = esc_json(b, s, strlen(s));
	return rc ? rc : buf_putc(b, '"');
}

/* ,"key":"value" or ,"key":null */
static int kv(struct buf *b, const char *key, const char *v)
{
	int rc = buf_printf(b, ",\"%s\":", key);
	return rc ? rc : jstr(b, v);
}

static int container(struct buf *b, const char *runtime, const char *id, const char *name,
		     const char *pod_uid, const char *pod_qos)
{
	if (!id && !pod_uid)
		return buf_puts(b, "null");
	int rc = buf_puts(b, "{\"runtime\":");
	if (!rc)
		rc = jstr(b, runtime ? runtime : "kubernetes");
	if (!rc)
		rc = kv(b, "id", id);
	if (!rc)
		rc = kv(b, "name", name);
	if (!rc)
		rc = buf_puts(b, ",\"pod\":");
	if (!rc && pod_uid) {
		rc = buf_puts(b, "{\"uid\":");
		if (!rc)
			rc = jstr(b, pod_uid);
		if (!rc)
			rc = kv(b, "qos", pod_qos);
		if (!rc)
			rc = buf_putc(b, '}');
	} else if (!rc) {
		rc = buf_puts(b, "null");
	}
	return rc ? rc : buf_putc(b, '}');
}

static const struct ps_ancestor *find_ancestor(const struct ps_proc *p, int pid)
{
	for (size_t i = 0; i < p->nancestry; i++)
		if (p->ancestry[i].pid == pid)
			return &p->ancestry[i];
	return NULL;
}

int json_owner_services(struct buf *b, const struct ps_proc *p, const struct ps_socket *k)
{
	int rc = kv(b, "unit_type", p->unit_type);
	if (!rc)
		rc = p->have_unit_uid ? buf_printf(b, ",\"unit_uid\":%" PRIu32, p->unit_uid)
				      : buf_puts(b, ",\"unit_uid\":null");
	if (!rc)
		rc = kv(b, "slice", p->slice);
	if (!rc)
		rc = buf_puts(b, ",\"container\":");
	if (!rc)
		rc = container(b, p->container_runtime, p->container, p->container_name, p->pod_uid,
			       p->pod_qos);
	if (!rc)
		rc = buf_puts(b, ",\"ancestry\":[");
	for (size_t i = 0; i < p->nancestry && !rc; i++) {
		rc = buf_printf(b, "%s{\"pid\":%d,\"name\":", i ? "," : "", p->ancestry[i].pid);
		if (!rc)
			rc = jstr(b, p->ancestry[i].name);
		if (!rc)
			rc = kv(b, "exe", p->ancestry[i].exe);
		if (!rc)
			rc = buf_putc(b, '}');
	}
	if (!rc)
		rc = buf_puts(b, "],\"supervisor\":");
	if (!rc && p->supervisor_kind) {
		const struct ps_ancestor *a = find_ancestor(p, p->supervisor_pid);
		rc = buf_printf(b, "{\"kind\":\"%s\",\"pid\":%d", p->supervisor_kind, p->supervisor_pid);
		if (!rc)
			rc = kv(b, "name", a ? a->name : NULL);
		if (!rc)
			rc = kv(b, "unit", p->supervisor_unit);
		if (!rc)
			rc = buf_putc(b, '}');
	} else if (!rc) {
		rc = buf_puts(b, "null");
	}
	if (!rc)
		rc = buf_puts(b, ",\"published_by\":");
	if (!rc && p->published) {
		const struct ps_published *u = p->published;
		rc = buf_printf(b, "{\"runtime\":\"%s\"", u->runtime);
		if (!rc)
			rc = kv(b, "id", u->id);
		if (!rc)
			rc = kv(b, "name", u->name);
		if (!rc)
			rc = u->container_port > 0 ? buf_printf(b, ",\"container_port\":%d}", u->container_port)
						   : buf_puts(b, ",\"container_port\":null}");
	} else if (!rc) {
		rc = buf_puts(b, "null");
	}
	if (!rc)
		rc = buf_puts(b, ",\"activation\":");
	if (!rc && p->activation) {
		const struct ps_activation *a = p->activation;
		const char *su = a->socket_unit, *sv = a->service_unit;
		for (size_t i = 0; k && i < a->nunits; i++)
			if (a->units[i].inode == k->inode)
				su = a->units[i].socket_unit, sv = a->units[i].service_unit;
		rc = buf_printf(b, "{\"role\":\"%s\"", a->role);
		if (!rc)
			rc = kv(b, "by", a->by);
		if (!rc)
			rc = buf_printf(b, ",\"listen_fds\":%d", a->listen_fds);
		if (!rc)
			rc = kv(b, "socket_unit", su);
		if (!rc)
			rc = kv(b, "service_unit", sv);
		if (!rc)
			rc = kv(b, "note", a->note);
		if (!rc)
			rc = buf_putc(b, '}');
	} else if (!rc) {
		rc = buf_puts(b, "null");
	}
	return rc;
}

const char *netns_name(const struct ps_snapshot *s, uint64_t inode)
{
	for (size_t i = 0; i < s->nnets; i++)
		if (s->nets[i].inode == inode)
			return s->nets[i].name;
	return NULL;
}

int json_socket_services(struct buf *b, const struct ps_snapshot *s, const struct ps_socket *k)
{
	int rc = kv(b, "netns_name", netns_name(s, k->netns));
	if (!rc)
		rc = buf_puts(b, ",\"cgroup_unit\":");
	if (rc)
		return rc;
	if (!k->sockcg || k->sockcg > s->nsockcgs)
		return buf_puts(b, "null");
	const struct ps_sockcg *c = &s->sockcgs[k->sockcg - 1];
	rc = buf_puts(b, "{\"cgroup\":");
	if (!rc)
		rc = jstr(b, c->path);
	if (!rc)
		rc = kv(b, "unit", c->unit);
	if (!rc)
		rc = kv(b, "unit_type", c->unit_type);
	if (!rc)
		rc = kv(b, "slice", c->slice);
	if (!rc)
		rc = buf_puts(b, ",\"container\":");
	if (!rc)
		rc = container(b, c->runtime, c->container, c->container_name, NULL, NULL);
	if (!rc)
		rc = buf_puts(b, ",\"source\":\"socket-cgroup\"}");
	return rc;
}

int json_snapshot_services(struct buf *b, const struct ps_snapshot *s)
{
	int rc = buf_printf(b, ",\"namespaces\":{\"current\":%" PRIu64 ",\"all\":%s,\"list\":[", s->netns,
			    s->all_netns ? "true" : "false");
	for (size_t i = 0; i < s->nnets && !rc; i++) {
		rc = buf_printf(b, "%s{\"inode\":%" PRIu64 ",\"name\":", i ? "," : "", s->nets[i].inode);
		if (!rc)
			rc = jstr(b, s->nets[i].name);
		if (!rc)
			rc = buf_printf(b, ",\"listeners\":%zu}", s->nets[i].listeners);
	}
	if (!rc)
		rc = buf_printf(b, "],\"error\":");
	if (!rc)
		rc = jstr(b, s->netns_error == -EPERM || s->netns_error == -EACCES
				     ? "entering other network namespaces needs root (CAP_SYS_ADMIN)"
				     : NULL);
	return rc ? rc : buf_putc(b, '}');
}
