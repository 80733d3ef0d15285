/* packages.c — stub: no package database; every executable's provenance stays unknown. */
#include "../../enrich/packages.h"

#include <stdlib.h>

struct pkgdb {
	int unused;
};

struct pkgdb *pkgdb_new(const char *where)
{
	(void)where;
	return calloc(1, sizeof(struct pkgdb));
}

int pkgdb_want(struct pkgdb *db, const char *const *paths, size_t n)
{
	(void)db;
	(void)paths;
	(void)n;
	return 0;
}

enum pkg_status pkgdb_status(const struct pkgdb *db, const char *path, const char **pkg)
{
	(void)db;
	(void)path;
	if (pkg)
		*pkg = NULL;
	return PKG_UNKNOWN;
}

const char *pkgdb_reason(const struct pkgdb *db)
{
	(void)db;
	return "this platform has no package database";
}

const char *pkgdb_kind(const struct pkgdb *db)
{
	(void)db;
	return NULL;
}

void pkgdb_stats(const struct pkgdb *db, size_t *files, size_t *scans)
{
	(void)db;
	*files = *scans = 0;
}

void pkgdb_free(struct pkgdb *db)
{
	free(db);
}
