/* SPDX-License-Identifier: GPL-2.0-or-later */
/* packages.c — the Linux package database behind packages.h: one pass over dpkg's *.list files. */
#include "../packages.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../util/buf.h"
#include "../../util/grow.h"
#include "../../util/str.h"
#include "backend.h"
#include "ppool.h"
#include "roots.h"

struct pkg_path {
	char *path;
	char *alias; /* the merged-/usr twin (/bin/x for /usr/bin/x), or NULL */
	char *pkg;   /* owning package, NULL when none found */
	bool scanned;
};

struct pkgdb {
	char *infodir;
	struct pkg_path *p;
	size_t n, cap;
	bool tried, readable;
	char *reason;
	size_t files, scans;
	int merged; /* -1 not checked, else bit per entry of merged_dirs[] */
};

static const char *const merged_dirs[] = {"bin", "sbin", "lib", "lib32", "lib64", "libx32"};
#define NMERGED (sizeof merged_dirs / sizeof merged_dirs[0])

struct pkgdb *lnx_pkgdb_new(const char *infodir)
{
	struct pkgdb *db = calloc(1, sizeof *db);
	if (db && !(db->infodir = str_dup(infodir ? infodir : roots_get()->dpkg_info))) {
		free(db);
		return NULL;
	}
	if (db)
		db->merged = -1;
	return db;
}

/* Which top-level directories are symlinks into /usr on this system (merged /usr). */
static int merged_mask(struct pkgdb *db)
{
	if (db->merged >= 0)
		return db->merged;
	db->merged = 0;
	for (size_t i = 0; i < NMERGED; i++) {
		char path[16], target[32];
		snprintf(path, sizeof path, "/%s", merged_dirs[i]);
		ssize_t n = readlink(path, target, sizeof target - 1);
		if (n <= 0)
			continue;
		target[n] = '\0';
		char want[32];
		snprintf(want, sizeof want, "usr/%s", merged_dirs[i]);
		if (strcmp(target, want) == 0 || strcmp(target + (target[0] == '/'), want) == 0)
			db->merged |= 1 << i;
	}
	return db->merged;
}

/* /usr/bin/x <-> /bin/x when that directory is merged; NULL otherwise (or -ENOMEM via *oom). */
static char *alias_of(struct pkgdb *db, const char *path, bool *oom)
{
	int mask = merged_mask(db);
	for (size_t i = 0; i < NMERGED; i++) {
		if (!(mask & (1 << i)))
			continue;
		size_t dl = strlen(merged_dirs[i]);
		const char *rest = NULL;
		const char *pre = "";
		if (strncmp(path, "/usr/", 5) == 0 && strncmp(path + 5, merged_dirs[i], dl) == 0 &&
		    path[5 + dl] == '/')
			rest = path + 4; /* "/bin/x" */
		else if (path[0] == '/' && strncmp(path + 1, merged_dirs[i], dl) == 0 &&
			 path[1 + dl] == '/')
			rest = path, pre = "/usr";
		if (!rest)
			continue;
		size_t n = strlen(pre) + strlen(rest) + 1;
		char *a = malloc(n);
		if (!a) {
			*oom = true;
			return NULL;
		}
		snprintf(a, n, "%s%s", pre, rest);
		return a;
	}
	return NULL;
}

static struct pkg_path *find(const struct pkgdb *db, const char *path)
{
	for (size_t i = 0; i < db->n; i++)
		if (strcmp(db->p[i].path, path) == 0)
			return &db->p[i];
	return NULL;
}

static uint64_t hash(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

/* Keys (path or alias) of the entries not scanned yet, in an open-addressing table. */
struct keyset {
	const char **key;
	size_t *len;
	struct pkg_path **ent;
	size_t mask;
	uint8_t lens[512]; /* bit per key length: most lines are rejected without hashing */
	bool long_keys;	   /* some key is 4096 bytes or longer */
};

static int keyset_build(struct keyset *ks, struct pkgdb *db)
{
	size_t want = 0;
	for (size_t i = 0; i < db->n; i++)
		if (!db->p[i].scanned)
			want += db->p[i].alias ? 2 : 1;
	size_t size = 16;
	while (size < want * 4)
		size *= 2;
	ks->key = calloc(size, sizeof *ks->key);
	ks->len = calloc(size, sizeof *ks->len);
	ks->ent = calloc(size, sizeof *ks->ent);
	ks->mask = size - 1;
	if (!ks->key || !ks->len || !ks->ent)
		return -ENOMEM;
	for (size_t i = 0; i < db->n; i++) {
		if (db->p[i].scanned)
			continue;
		const char *k[2] = {db->p[i].path, db->p[i].alias};
		for (size_t j = 0; j < 2 && k[j]; j++) {
			size_t n = strlen(k[j]);
			size_t at = hash(k[j], n) & ks->mask;
			while (ks->key[at])
				at = (at + 1) & ks->mask;
			ks->key[at] = k[j];
			ks->len[at] = n;
			if (n < 4096)
				ks->lens[n >> 3] |= (uint8_t)(1u << (n & 7));
			else
				ks->long_keys = true;
			ks->ent[at] = &db->p[i];
		}
	}
	return 0;
}

static struct pkg_path *keyset_find(const struct keyset *ks, const char *s, size_t n)
{
	if (n < 4096 ? !(ks->lens[n >> 3] & (1u << (n & 7))) : !ks->long_keys)
		return NULL;
	size_t at = hash(s, n) & ks->mask;
	for (; ks->key[at]; at = (at + 1) & ks->mask)
		if (ks->len[at] == n && memcmp(ks->key[at], s, n) == 0)
			return ks->ent[at];
	return NULL;
}

static void keyset_free(struct keyset *ks)
{
	free(ks->key);
	free(ks->len);
	free(ks->ent);
}

static int set_reason(struct pkgdb *db, const char *what, int err)
{
	char msg[512];
	snprintf(msg, sizeof msg, "%s %s: %s", what, db->infodir, strerror(err));
	free(db->reason);
	db->reason = str_dup(msg);
	return db->reason ? 0 : -ENOMEM;
}

/* The *.list files of one pass, spread over threads: each thread keeps its own buffer and, per
 * entry of the database, the first file (in the directory's order) that names it. */
struct scan_job {
	int dfd;
	const struct keyset *ks;
	const struct pkg_path *base; /* db->p */
	char **names;		     /* the *.list files, in the directory's order */
	size_t nnames;
	size_t *first[PPOOL_MAX_THREADS]; /* per thread, per entry: a file's index, or SIZE_MAX */
	struct buf b[PPOOL_MAX_THREADS];
	size_t files[PPOOL_MAX_THREADS];
};

/* File i of the pass: every line that is a key marks its entry as named by file i. */
static int scan_item(void *ctx, size_t w, size_t i)
{
	struct scan_job *j = ctx;
	int fd = openat(j->dfd, j->names[i], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	struct buf *b = &j->b[w];
	int rc = 0;
	/* Stream the file through one fixed buffer: some lists are megabytes. */
	buf_clear(b);
	j->files[w]++;
	for (;;) {
		if ((rc = buf_reserve(b, 65536)))
			break;
		ssize_t got = read(fd, b->data + b->len, b->cap - b->len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got > 0)
			b->len += (size_t)got;
		bool eof = got <= 0;
		const char *p = b->data, *end = b->data + b->len;
		while (p < end) {
			const char *e = memchr(p, '\n', (size_t)(end - p));
			if (!e && !eof)
				break; /* an unfinished line: wait for the rest */
			const char *le = e ? e : end;
			struct pkg_path *hit = keyset_find(j->ks, p, (size_t)(le - p));
			size_t *at = hit ? &j->first[w][hit - j->base] : NULL;
			if (at && i < *at)
				*at = i;
			p = le + 1;
		}
		if (p < end) {
			/* keep the unfinished line; a line longer than the buffer is not a
			 * path we want */
			size_t keep = (size_t)(end - p);
			if (keep > 32768)
				keep = 0;
			memmove(b->data, end - keep, keep);
			b->len = keep;
		} else {
			b->len = 0;
		}
		if (eof)
			break;
	}
	close(fd);
	return rc;
}

/* The *.list files of the directory d, in its order, into j. 0 or -ENOMEM. */
static int list_files(DIR *d, struct scan_job *j)
{
	size_t cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t nl = strlen(de->d_name);
		if (nl <= 5 || strcmp(de->d_name + nl - 5, ".list") != 0)
			continue;
		if (util_grow((void **)&j->names, &cap, j->nnames + 1, sizeof *j->names) ||
		    !(j->names[j->nnames] = str_dup(de->d_name)))
			return -ENOMEM;
		j->nnames++;
	}
	return 0;
}

/*
 * Each entry named by a file gets the package of the first such file in the directory's order
 * (what one pass in that order gives). 0 or -ENOMEM.
 */
static int scan_merge(struct pkgdb *db, struct scan_job *j, size_t threads)
{
	for (size_t e = 0; e < db->n; e++) {
		size_t best = SIZE_MAX;
		for (size_t w = 0; w < threads; w++)
			if (j->first[w][e] < best)
				best = j->first[w][e];
		if (best == SIZE_MAX || db->p[e].pkg)
			continue;
		const char *name = j->names[best];
		if (!(db->p[e].pkg = str_dup_n(name, strlen(name) - 5)))
			return -ENOMEM;
	}
	for (size_t w = 0; w < threads; w++)
		db->files += j->files[w];
	return 0;
}

/* One pass over every *.list file, looking only for the keys in ks, over threads. */
static int scan(struct pkgdb *db, const struct keyset *ks)
{
	int dfd = open(db->infodir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return set_reason(
		    db, errno == ENOENT ? "no dpkg database at" : "cannot read the dpkg database",
		    errno);
	DIR *d = fdopendir(dfd);
	if (!d) {
		int e = errno;
		close(dfd);
		return set_reason(db, "cannot read the dpkg database", e);
	}
	db->scans++;
	struct scan_job j = {.dfd = dfd, .ks = ks, .base = db->p};
	int rc = list_files(d, &j);
	size_t threads = rc ? 0 : ppool_threads(j.nnames);
	for (size_t w = 0; w < threads && !rc; w++) {
		if (!(j.first[w] = malloc((db->n ? db->n : 1) * sizeof *j.first[w])))
			rc = -ENOMEM;
		for (size_t e = 0; !rc && e < db->n; e++)
			j.first[w][e] = SIZE_MAX;
	}
	if (!rc)
		rc = ppool_run(j.nnames, threads, scan_item, &j);
	if (!rc)
		rc = scan_merge(db, &j, threads);
	for (size_t w = 0; w < PPOOL_MAX_THREADS; w++) {
		free(j.first[w]);
		buf_free(&j.b[w]);
	}
	for (size_t i = 0; i < j.nnames; i++)
		free(j.names[i]);
	free(j.names);
	closedir(d);
	if (!rc) {
		db->readable = true;
		free(db->reason);
		db->reason = NULL;
	}
	return rc;
}

int lnx_pkgdb_want(struct pkgdb *db, const char *const *paths, size_t n)
{
	bool fresh = false;
	for (size_t i = 0; i < n; i++) {
		if (!paths[i] || paths[i][0] != '/' || find(db, paths[i]))
			continue;
		if (util_grow((void **)&db->p, &db->cap, db->n + 1, sizeof *db->p))
			return -ENOMEM;
		bool oom = false;
		struct pkg_path *e = &db->p[db->n];
		memset(e, 0, sizeof *e);
		e->path = str_dup(paths[i]);
		e->alias = alias_of(db, paths[i], &oom);
		if (!e->path || oom) {
			free(e->path);
			free(e->alias);
			return -ENOMEM;
		}
		db->n++;
		fresh = true;
	}
	if (!fresh || (db->tried && !db->readable))
		return 0;
	db->tried = true;
	struct keyset ks = {0};
	int rc = keyset_build(&ks, db);
	if (!rc)
		rc = scan(db, &ks);
	keyset_free(&ks);
	if (!rc && db->readable)
		for (size_t i = 0; i < db->n; i++)
			db->p[i].scanned = true;
	return rc;
}

enum pkg_status lnx_pkgdb_status(const struct pkgdb *db, const char *path, const char **pkg)
{
	if (pkg)
		*pkg = NULL;
	const struct pkg_path *e = path ? find(db, path) : NULL;
	if (!e || !e->scanned || !db->readable)
		return PKG_UNKNOWN;
	if (pkg)
		*pkg = e->pkg;
	return e->pkg ? PKG_OWNED : PKG_UNOWNED;
}

const char *lnx_pkgdb_reason(const struct pkgdb *db)
{
	if (db->readable)
		return NULL;
	return db->reason ? db->reason : "the package database was not consulted";
}

const char *lnx_pkgdb_kind(const struct pkgdb *db)
{
	return db->readable ? "dpkg" : NULL;
}

void lnx_pkgdb_stats(const struct pkgdb *db, size_t *files, size_t *scans)
{
	*files = db->files;
	*scans = db->scans;
}

void lnx_pkgdb_free(struct pkgdb *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->n; i++) {
		free(db->p[i].path);
		free(db->p[i].alias);
		free(db->p[i].pkg);
	}
	free(db->p);
	free(db->infodir);
	free(db->reason);
	free(db);
}
