/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json_services.h — the --json keys about services, containers, ancestry and namespaces. */
#ifndef PS_JSON_SERVICES_H
#define PS_JSON_SERVICES_H

#include "../model/model.h"
#include "jsonw.h"

/*
 * Owner keys after "unit" that depend on the process alone: "unit_type",
 * "unit_uid", "slice", "container" ({runtime,id,name,pod} or null), "ancestry",
 * "supervisor", "published_by".
 */
void json_owner_services(struct jw *w, const struct ps_proc *p);
/* The owner's "activation" key, after those: its units are those of socket k. */
void json_owner_activation(struct jw *w, const struct ps_proc *p, const struct ps_socket *k);

/* Socket keys after "netns": "netns_name", "cgroup_unit". */
void json_socket_services(struct jw *w, const struct ps_snapshot *s, const struct ps_socket *k);

/* Top-level key: "namespaces". */
void json_snapshot_services(struct jw *w, const struct ps_snapshot *s);

/* The ip-netns or container name of namespace `inode` in s->nets, or NULL. */
const char *netns_name(const struct ps_snapshot *s, uint64_t inode);

#endif
