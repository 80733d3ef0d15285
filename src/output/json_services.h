/* json_services.h — the --json keys about services, containers, ancestry and namespaces. */
#ifndef PS_JSON_SERVICES_H
#define PS_JSON_SERVICES_H

#include "../model/model.h"
#include "../util/buf.h"

/*
 * Owner keys after "unit" (each preceded by a comma): "unit_type", "unit_uid",
 * "slice", "container" ({runtime,id,name,pod} or null), "ancestry",
 * "supervisor", "published_by", "activation" (its units are those of socket k). 0 or -ENOMEM.
 */
int json_owner_services(struct buf *b, const struct ps_proc *p, const struct ps_socket *k);

/* Socket keys after "netns" (each preceded by a comma): "netns_name", "cgroup_unit". 0 or -ENOMEM. */
int json_socket_services(struct buf *b, const struct ps_snapshot *s, const struct ps_socket *k);

/* Top-level key (preceded by a comma): "namespaces". 0 or -ENOMEM. */
int json_snapshot_services(struct buf *b, const struct ps_snapshot *s);

/* The ip-netns or container name of namespace `inode` in s->nets, or NULL. */
const char *netns_name(const struct ps_snapshot *s, uint64_t inode);

#endif
