/* SPDX-License-Identifier: GPL-2.0-or-later */
/* columns_services.h — table/CSV values of the unit, container, netns and supervisor columns. */
#ifndef PS_COLUMNS_SERVICES_H
#define PS_COLUMNS_SERVICES_H

#include "../model/model.h"
#include "../util/buf.h"

/* Unit of owner p ("bar.service [user 1000]"), or for an ownerless socket its cgroup's unit. */
int column_unit(const struct ps_snapshot *s, const struct ps_socket *k, const struct ps_proc *p,
		struct buf *out);
/* "docker:web", "podman:<12 hex>", or "published docker:web:80" for docker-proxy / conmon. */
int column_container(const struct ps_snapshot *s, const struct ps_socket *k,
		     const struct ps_proc *p, struct buf *out);
/* The namespace's name, else its inode. */
int column_netns(const struct ps_snapshot *s, const struct ps_socket *k, struct buf *out);
/* "systemd-unit:foo.service", "sshd:812", "container-shim:conmon:77", ... */
int column_supervisor(const struct ps_proc *p, struct buf *out);

#endif
