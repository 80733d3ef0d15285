/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_packages.c — the Linux package database (dpkg file lists) behind packages.h. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../../src/platform/packages.h"
#include "../test.h"

TEST(packages_dpkg_lists_and_merged_usr)
{
	char dir[] = "/tmp/portsleuth-ut-dpkg-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char path[256];
	snprintf(path, sizeof path, "%s/coreutils.list", dir);
	FILE *fp = fopen(path, "w");
	fputs("/.\n/bin\n/bin/ls\n/usr/bin/env\n", fp);
	fclose(fp);
	snprintf(path, sizeof path, "%s/python3.11-minimal:amd64.list", dir);
	fp = fopen(path, "w");
	fputs("/usr/bin/python3.11", fp); /* no final newline */
	fclose(fp);
	snprintf(path, sizeof path, "%s/notalist.md5sums", dir);
	fp = fopen(path, "w");
	fputs("/usr/bin/fake\n", fp);
	fclose(fp);
	struct pkgdb *db = pkgdb_new(dir);
	const char *paths[] = {"/usr/bin/ls", "/usr/bin/env", "/usr/bin/python3.11",
			       "/usr/bin/fake", "/tmp/x"};
	CHECK_INT(pkgdb_want(db, paths, 5), 0);
	const char *pkg;
	struct stat st;
	bool merged = lstat("/bin", &st) == 0 && S_ISLNK(st.st_mode);
	CHECK_INT(pkgdb_status(db, "/usr/bin/ls", &pkg), merged ? PKG_OWNED : PKG_UNOWNED);
	if (merged)
		CHECK_STR(pkg, "coreutils");
	CHECK_INT(pkgdb_status(db, "/usr/bin/env", &pkg), PKG_OWNED);
	CHECK_INT(pkgdb_status(db, "/usr/bin/python3.11", &pkg), PKG_OWNED);
	CHECK_STR(pkg, "python3.11-minimal:amd64");
	CHECK_INT(pkgdb_status(db, "/usr/bin/fake", NULL), PKG_UNOWNED);
	CHECK_INT(pkgdb_status(db, "/tmp/x", NULL), PKG_UNOWNED);
	CHECK_INT(pkgdb_status(db, "/never/asked", NULL), PKG_UNKNOWN);
	CHECK(pkgdb_reason(db) == NULL);
	size_t files, scans;
	pkgdb_stats(db, &files, &scans);
	CHECK_INT(files, 2);
	CHECK_INT(scans, 1);
	CHECK_INT(pkgdb_want(db, paths, 5), 0); /* cached: no second scan */
	pkgdb_stats(db, &files, &scans);
	CHECK_INT(scans, 1);
	pkgdb_free(db);
	/* absent database: unknown, with a reason */
	db = pkgdb_new("/nonexistent/dpkg/info");
	CHECK_INT(pkgdb_want(db, paths, 2), 0);
	CHECK_INT(pkgdb_status(db, "/usr/bin/env", NULL), PKG_UNKNOWN);
	CHECK_STR(pkgdb_reason(db),
		  "no dpkg database at /nonexistent/dpkg/info: No such file or directory");
	pkgdb_free(db);
	snprintf(path, sizeof path, "%s/coreutils.list", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/python3.11-minimal:amd64.list", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/notalist.md5sums", dir);
	unlink(path);
	rmdir(dir);
}
