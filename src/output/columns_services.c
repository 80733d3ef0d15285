/* SPDX-License-Identifier: GPL-2.0-or-later */
/* columns_services.c — text for the unit, container, netns and supervisor columns. */
#include "columns_services.h"

#include <inttypes.h>

#include "json_services.h"

static const struct ps_sockcg *sockcg(const struct ps_snapshot *s, const struct ps_socket *k)
{
	return k->sockcg && k->sockcg <= s->nsockcgs ? &s->sockcgs[k->sockcg - 1] : NULL;
}

int column_unit(const struct ps_snapshot *s, const struct ps_socket *k, const struct ps_proc *p,
		struct buf *out)
{
	const struct ps_sockcg *c = sockcg(s, k);
	if (!p)
		return c && c->unit ? buf_printf(out, "%s [%s]", c->unit,
						 c->source ? c->source : "socket cgroup")
				    : 0;
	if (c && c->unit) /* the socket's own service (Windows service tag) inside a shared host
			     process */
		return buf_puts(out, c->unit);
	if (!p->unit)
		return 0;
	if (p->have_unit_uid)
		return buf_printf(out, "%s [user %" PRIu32 "]", p->unit, p->unit_uid);
	return buf_puts(out, p->unit);
}

static int one(struct buf *out, const char *runtime, const char *id, const char *name)
{
	if (name)
		return buf_printf(out, "%s:%s", runtime, name);
	return id ? buf_printf(out, "%s:%.12s", runtime, id) : buf_printf(out, "%s:?", runtime);
}

int column_container(const struct ps_snapshot *s, const struct ps_socket *k,
		     const struct ps_proc *p, struct buf *out)
{
	if (!p) {
		const struct ps_sockcg *c = sockcg(s, k);
		return c && c->container ? one(out, c->runtime, c->container, c->container_name)
					 : 0;
	}
	int rc = 0;
	if (p->container)
		rc = one(out, p->container_runtime, p->container, p->container_name);
	if (!rc && p->published) {
		rc = buf_puts(out, p->container ? " published " : "published ");
		if (!rc)
			rc = one(out, p->published->runtime, p->published->id, p->published->name);
		if (!rc && p->published->container_port > 0)
			rc = buf_printf(out, " port %d", p->published->container_port);
	}
	return rc;
}

int column_netns(const struct ps_snapshot *s, const struct ps_socket *k, struct buf *out)
{
	const char *n = netns_name(s, k->netns);
	for (size_t i = 0; !n && i < s->nnets; i++)
		if (s->nets[i].inode == k->netns && s->nets[i].initial)
			n = "host"; /* PID 1's: the one a user calls the host's */
	return n ? buf_puts(out, n) : buf_printf(out, "%" PRIu64, k->netns);
}

int column_supervisor(const struct ps_proc *p, struct buf *out)
{
	if (!p->supervisor_kind)
		return 0;
	if (p->supervisor_unit)
		return buf_printf(out, "%s:%s", p->supervisor_kind, p->supervisor_unit);
	const char *name = NULL;
	for (size_t i = 0; i < p->nancestry; i++)
		if (p->ancestry[i].pid == p->supervisor_pid)
			name = p->ancestry[i].name;
	return buf_printf(out, "%s:%s:%d", p->supervisor_kind, name ? name : "?",
			  p->supervisor_pid);
}
