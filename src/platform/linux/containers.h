/* SPDX-License-Identifier: GPL-2.0-or-later */
/* containers.h — container names from the runtimes' local state (Docker, Podman), read-only. */
#ifndef PS_CONTAINERS_H
#define PS_CONTAINERS_H

#include <stddef.h>

/*
 * Where the runtimes keep their state: roots_get()->docker and ->containers
 * (roots.h). Lookups are cached; files are read at most once.
 */
struct containers;

/* A new lookup context, or NULL when out of memory. */
struct containers *containers_new(void);
void containers_free(struct containers *c);

/*
 * Name of container `id` (64 hex) of `runtime` ("docker" or "podman"; others give
 * NULL), without Docker's leading '/'. Owned by c; NULL when unknown, unreadable
 * or malformed (state files are untrusted).
 */
const char *containers_name(struct containers *c, const char *runtime, const char *id);

/*
 * The Docker container whose network settings hold IP address `ip` (what
 * docker-proxy's -container-ip names). Its id, owned by c, or NULL.
 */
const char *containers_docker_by_ip(struct containers *c, const char *ip);

/*
 * Parse a Docker config.v2.json document: its "Name" (without the leading '/')
 * into *name (malloc'd, NULL when absent) and whether any network of its
 * NetworkSettings has IPAddress `ip` (ip may be NULL). 0, -EBADMSG or -ENOMEM.
 */
int containers_parse_docker_config(const char *buf, size_t len, const char *ip, char **name,
				   int *has_ip);

#endif
