/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json_services.c — JSON for units, containers, ancestry, activation and network namespaces. */
#include "json_services.h"

#include <errno.h>
#include <string.h>

static void container(struct jw *w, const char *runtime, const char *id, const char *name,
		      const char *pod_uid, const char *pod_qos)
{
	if (!id && !pod_uid) {
		jw_null(w);
		return;
	}
	jw_obj(w);
	jw_kstr(w, "runtime", runtime ? runtime : "kubernetes");
	jw_kstr(w, "id", id);
	jw_kstr(w, "name", name);
	jw_key(w, "pod");
	if (pod_uid) {
		jw_obj(w);
		jw_kstr(w, "uid", pod_uid);
		jw_kstr(w, "qos", pod_qos);
		jw_obj_end(w);
	} else {
		jw_null(w);
	}
	jw_obj_end(w);
}

static const struct ps_ancestor *find_ancestor(const struct ps_proc *p, int pid)
{
	for (size_t i = 0; i < p->nancestry; i++)
		if (p->ancestry[i].pid == pid)
			return &p->ancestry[i];
	return NULL;
}

static void activation(struct jw *w, const struct ps_activation *a, const struct ps_socket *k)
{
	const char *su = a->socket_unit, *sv = a->service_unit;
	for (size_t i = 0; k && i < a->nunits; i++)
		if (a->units[i].inode == k->inode)
			su = a->units[i].socket_unit, sv = a->units[i].service_unit;
	jw_obj(w);
	jw_kstr(w, "role", a->role);
	jw_kstr(w, "by", a->by);
	jw_kint(w, "listen_fds", a->listen_fds);
	jw_kstr(w, "socket_unit", su);
	jw_kstr(w, "service_unit", sv);
	jw_kstr(w, "claimed_socket_unit", a->claimed_unit);
	jw_kstr(w, "note", a->note);
	jw_obj_end(w);
}

void json_owner_services(struct jw *w, const struct ps_proc *p)
{
	jw_kstr(w, "unit_type", p->unit_type);
	jw_key(w, "unit_uid");
	if (p->have_unit_uid)
		jw_uint(w, p->unit_uid);
	else
		jw_null(w);
	jw_kstr(w, "slice", p->slice);
	jw_key(w, "container");
	container(w, p->container_runtime, p->container, p->container_name, p->pod_uid, p->pod_qos);
	jw_key(w, "ancestry");
	jw_arr(w);
	for (size_t i = 0; i < p->nancestry; i++) {
		jw_obj(w);
		jw_kint(w, "pid", p->ancestry[i].pid);
		jw_kstr(w, "name", p->ancestry[i].name);
		jw_kstr(w, "exe", p->ancestry[i].exe);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_key(w, "supervisor");
	if (p->supervisor_kind) {
		const struct ps_ancestor *a = find_ancestor(p, p->supervisor_pid);
		jw_obj(w);
		jw_kstr(w, "kind", p->supervisor_kind);
		jw_kint(w, "pid", p->supervisor_pid);
		jw_kstr(w, "name", a ? a->name : NULL);
		jw_kstr(w, "unit", p->supervisor_unit);
		jw_obj_end(w);
	} else {
		jw_null(w);
	}
	jw_key(w, "published_by");
	if (p->published) {
		const struct ps_published *u = p->published;
		jw_obj(w);
		jw_kstr(w, "runtime", u->runtime);
		jw_kstr(w, "id", u->id);
		jw_kstr(w, "name", u->name);
		jw_key(w, "container_port");
		if (u->container_port > 0)
			jw_int(w, u->container_port);
		else
			jw_null(w);
		jw_obj_end(w);
	} else {
		jw_null(w);
	}
}

void json_owner_activation(struct jw *w, const struct ps_proc *p, const struct ps_socket *k)
{
	jw_key(w, "activation");
	if (p->activation)
		activation(w, p->activation, k);
	else
		jw_null(w);
}

const char *netns_name(const struct ps_snapshot *s, uint64_t inode)
{
	for (size_t i = 0; i < s->nnets; i++)
		if (s->nets[i].inode == inode)
			return s->nets[i].name;
	return NULL;
}

void json_socket_services(struct jw *w, const struct ps_snapshot *s, const struct ps_socket *k)
{
	jw_kstr(w, "netns_name", netns_name(s, k->netns));
	jw_key(w, "cgroup_unit");
	if (!k->sockcg || k->sockcg > s->nsockcgs) {
		jw_null(w);
		return;
	}
	const struct ps_sockcg *c = &s->sockcgs[k->sockcg - 1];
	jw_obj(w);
	jw_kstr(w, "cgroup", c->path);
	jw_kstr(w, "unit", c->unit);
	jw_kstr(w, "unit_type", c->unit_type);
	jw_kstr(w, "slice", c->slice);
	jw_key(w, "container");
	container(w, c->runtime, c->container, c->container_name, NULL, NULL);
	jw_kstr(w, "source", c->source ? c->source : "socket-cgroup");
	jw_obj_end(w);
}

void json_snapshot_services(struct jw *w, const struct ps_snapshot *s)
{
	jw_key(w, "namespaces");
	jw_obj(w);
	jw_kuint(w, "current", s->netns);
	jw_kbool(w, "all", s->all_netns);
	jw_key(w, "list");
	jw_arr(w);
	for (size_t i = 0; i < s->nnets; i++) {
		jw_obj(w);
		jw_kuint(w, "inode", s->nets[i].inode);
		jw_kstr(w, "name", s->nets[i].name);
		jw_kuint(w, "listeners", s->nets[i].listeners);
		jw_obj_end(w);
	}
	jw_arr_end(w);
	jw_kstr(w, "error",
		s->netns_error == -EPERM || s->netns_error == -EACCES
		    ? "entering other network namespaces needs root (CAP_SYS_ADMIN)"
		    : NULL);
	jw_obj_end(w);
}
