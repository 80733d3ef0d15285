/* packages.h — which installed package (if any) owns an executable; each platform implements it. */
#ifndef PS_PACKAGES_H
#define PS_PACKAGES_H

#include <stdbool.h>
#include <stddef.h>

#include "../model/model.h" /* enum pkg_status */

struct pkgdb;

/*
 * A reader of the platform's package database (implemented per platform: dpkg's
 * file lists on Linux, none on the stub). `where` names another database (the
 * dpkg info directory on Linux) and is NULL for the platform's own (on Linux
 * the dpkg_info root of roots.h). Nothing is read yet. NULL when out of memory.
 */
struct pkgdb *pkgdb_new(const char *where);

/*
 * Ask for these paths (executables of the processes shown). The database is read
 * once, on the first call that brings paths not asked before, and only those
 * paths are looked for (a merged-/usr alias such as /bin/x for /usr/bin/x counts
 * as the same file when /bin is a symlink to usr/bin). 0 or -ENOMEM; an absent or
 * unreadable database is not an error: every status stays PKG_UNKNOWN and
 * pkgdb_reason() says why.
 */
int pkgdb_want(struct pkgdb *db, const char *const *paths, size_t n);

/* Status of a path passed to pkgdb_want; *pkg (may be NULL) gets the package name when owned. */
enum pkg_status pkgdb_status(const struct pkgdb *db, const char *path, const char **pkg);

/* Why statuses are unknown ("no dpkg database at ..."), or NULL when the database was read. */
const char *pkgdb_reason(const struct pkgdb *db);

/* Which database was read ("dpkg"), or NULL. */
const char *pkgdb_kind(const struct pkgdb *db);

/* How many file lists were scanned, and how many scans were made (for measurement). */
void pkgdb_stats(const struct pkgdb *db, size_t *files, size_t *scans);

void pkgdb_free(struct pkgdb *db);

#endif
