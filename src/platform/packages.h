/* SPDX-License-Identifier: GPL-2.0-or-later */
/* packages.h — which installed package (if any) owns an executable: the pkgdb_ ops of platform.h.
 */
#ifndef PS_PACKAGES_H
#define PS_PACKAGES_H

#include <stdbool.h>
#include <stddef.h>

#include "platform.h"

/*
 * A reader of the platform's package database (per backend: dpkg's file
 * lists on Linux, Authenticode signatures on Windows). Absent op: NULL, and
 * platform_caps()->package_db is false. `where` names another database (the
 * dpkg info directory on Linux) and is NULL for the platform's own (on Linux
 * the dpkg_info root of roots.h). Nothing is read yet. NULL when out of memory
 * or when the platform has none.
 */
static inline struct pkgdb *pkgdb_new(const char *where)
{
	return platform_ops.pkgdb_new ? platform_ops.pkgdb_new(where) : NULL;
}

/*
 * Ask for these paths (executables of the processes shown). The database is read
 * once, on the first call that brings paths not asked before, and only those
 * paths are looked for (a merged-/usr alias such as /bin/x for /usr/bin/x counts
 * as the same file when /bin is a symlink to usr/bin). 0 or -ENOMEM; an absent or
 * unreadable database is not an error: every status stays PKG_UNKNOWN and
 * pkgdb_reason() says why.
 */
static inline int pkgdb_want(struct pkgdb *db, const char *const *paths, size_t n)
{
	return platform_ops.pkgdb_want(db, paths, n);
}

/* Status of a path passed to pkgdb_want; *pkg (may be NULL) gets the package name when owned. */
static inline enum pkg_status pkgdb_status(const struct pkgdb *db, const char *path,
					   const char **pkg)
{
	return platform_ops.pkgdb_status(db, path, pkg);
}

/*
 * The signature facts of a path passed to pkgdb_want, on a platform that proves files by their
 * signature (absent op: out stays empty). out->signer is a new string. 0 or -ENOMEM.
 */
static inline int pkgdb_signature(const struct pkgdb *db, const char *path,
				  struct ps_signature *out)
{
	return platform_ops.pkgdb_signature ? platform_ops.pkgdb_signature(db, path, out) : 0;
}

/* Why statuses are unknown ("no dpkg database at ..."), or NULL when the database was read. */
static inline const char *pkgdb_reason(const struct pkgdb *db)
{
	return platform_ops.pkgdb_reason(db);
}

/* Which database was read ("dpkg"), or NULL. */
static inline const char *pkgdb_kind(const struct pkgdb *db)
{
	return platform_ops.pkgdb_kind(db);
}

/* How many file lists were scanned, and how many scans were made (for measurement). */
static inline void pkgdb_stats(const struct pkgdb *db, size_t *files, size_t *scans)
{
	platform_ops.pkgdb_stats(db, files, scans);
}

static inline void pkgdb_free(struct pkgdb *db)
{
	if (db) /* only a platform with a database made one */
		platform_ops.pkgdb_free(db);
}

/* The other pkgdb_ calls need a db from pkgdb_new, so the ops are there. */

#endif
