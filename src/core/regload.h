/* SPDX-License-Identifier: GPL-2.0-or-later */
/* regload.h — the port registry's files: where they are, whether a user file may be trusted,
 * reading them (enrich/registry.c parses their text). */
#ifndef PS_CORE_REGLOAD_H
#define PS_CORE_REGLOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "../enrich/registry.h"
#include "../enrich/services.h"

/* Where the layers come from; a NULL path skips that layer. */
struct registry_paths {
	const char *user[3];   /* --ports-file, ~/.config/portsleuth/ports, /etc/portsleuth/ports */
	const char *iana;      /* /usr/share/wireshark/services */
	const char *nmap;      /* /usr/share/nmap/nmap-services */
	const char *services;  /* /etc/services */
	bool user_from_env[3]; /* found through HOME / XDG_CONFIG_HOME: used only when trusted */
};

/* The standard locations; `ports_file` (may be NULL) and `services` (NULL: /etc/services) from the
 * CLI. */
void registry_default_paths(struct registry_paths *p, const char *ports_file, const char *services,
			    char *home_buf, size_t home_len);

/*
 * Load every layer that exists. A missing file is skipped silently; malformed
 * lines are skipped and listed in r->warnings (for the CLI to print). A user file
 * found through the environment that is not a regular file, is owned by another
 * user or is writable by group or others is not used: r->ignored_path and
 * r->ignored_why say so. Every other file (named, or the system's) must be one we may trust
 * (trusted.h): else -EPERM, with r->refused_path and r->refused_why. Returns 0, -ENOMEM,
 * -EPERM, or -errno for paths->user[0] (the --ports-file the user asked for) when it cannot be
 * read (-EISDIR for a directory).
 */
int registry_load(struct registry *r, const struct registry_paths *paths);

/* Load a services-format file into s; a missing file leaves the table empty and returns
 * -errno, one over 16 MiB (a device such as /dev/zero) -EFBIG, one we may not trust (trusted.h)
 * -EPERM with *why (when why is not NULL) saying why. */
int services_load(struct services *s, const char *path, const char **why);

#endif
