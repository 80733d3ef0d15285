/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_file.c — the Windows safe file writer, run under Wine on its file system:
 * new files, replacement through a temporary (abort leaves the target), append,
 * and refusals (a directory, a reparse point, a log with a second hard link).
 */
/* <windows.h> comes before the headers that use its types: keep this order */
/* clang-format off */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
/* clang-format on */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../src/platform/platform.h"
#include "../test.h"

/* A fresh directory under the temporary directory, as UTF-8 (static). */
static const char *scratch(void)
{
	static char dir[MAX_PATH * 3];
	WCHAR t[MAX_PATH + 1], d[MAX_PATH + 1];
	GetTempPathW(MAX_PATH + 1, t);
	unsigned r = (unsigned)GetTickCount() ^ (unsigned)GetCurrentProcessId() << 16;
	for (int i = 0; i < 100; i++) {
		swprintf(d, MAX_PATH + 1, L"%lsps-file-%08x", t, r + (unsigned)i);
		if (CreateDirectoryW(d, NULL))
			break;
	}
	WideCharToMultiByte(CP_UTF8, 0, d, -1, dir, sizeof dir, NULL, NULL);
	return dir;
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	char *b = calloc(1, 4096);
	if (b)
		fread(b, 1, 4095, fp);
	fclose(fp);
	return b;
}

static int write_all(const char *path, unsigned flags, const char *text, bool commit,
		     const char **why)
{
	struct platform_file *f;
	int rc = platform_file_open_write(path, flags, 0600, &f, why);
	if (rc)
		return rc;
	rc = platform_file_write(f, text, strlen(text));
	if (rc || !commit) {
		platform_file_abort(f);
		return rc;
	}
	return platform_file_commit(f);
}

/* How many entries the directory holds besides . and .. (leftover temporaries show up here). */
static int entries(const char *dir)
{
	char pat[MAX_PATH * 3 + 4];
	snprintf(pat, sizeof pat, "%s\\*", dir);
	WIN32_FIND_DATAA fd;
	HANDLE h = FindFirstFileA(pat, &fd);
	int n = 0;
	if (h == INVALID_HANDLE_VALUE)
		return -1;
	do
		n += strcmp(fd.cFileName, ".") && strcmp(fd.cFileName, "..");
	while (FindNextFileA(h, &fd));
	FindClose(h);
	return n;
}

TEST(win_file_replace_and_abort)
{
	const char *dir = scratch(), *why;
	char path[MAX_PATH * 3 + 32];
	snprintf(path, sizeof path, "%s\\snap.json", dir);
	CHECK_INT(write_all(path, 0, "old", true, &why), 0);
	char *b = slurp(path);
	CHECK_STR(b, "old");
	free(b);
	CHECK_INT(write_all(path, 0, "new", false, &why), 0); /* aborted: the target is untouched */
	b = slurp(path);
	CHECK_STR(b, "old");
	free(b);
	CHECK_INT(entries(dir), 1);
	CHECK_INT(write_all(path, 0, "new", true, &why), 0);
	b = slurp(path);
	CHECK_STR(b, "new");
	free(b);
	CHECK_INT(entries(dir), 1); /* no temporary left behind */
	CHECK_INT(write_all(dir, 0, "x", true, &why), -EISDIR);
}

TEST(win_file_append_and_hard_link)
{
	const char *dir = scratch(), *why = NULL;
	char path[MAX_PATH * 3 + 32], other[MAX_PATH * 3 + 32];
	snprintf(path, sizeof path, "%s\\watch.log", dir);
	CHECK_INT(write_all(path, PLATFORM_FILE_APPEND, "1", true, &why), 0);
	CHECK_INT(write_all(path, PLATFORM_FILE_APPEND, "2", true, &why), 0);
	char *b = slurp(path);
	CHECK_STR(b, "12");
	free(b);
	snprintf(other, sizeof other, "%s\\elsewhere.log", dir);
	if (CreateHardLinkA(other, path, NULL)) {
		CHECK_INT(write_all(path, PLATFORM_FILE_APPEND, "3", true, &why), -EPERM);
		CHECK(why && strstr(why, "hard link"));
	} else {
		printf("  (no hard links here: that refusal is not exercised)\n");
	}
}

TEST(win_file_refuses_reparse_points)
{
	const char *dir = scratch(), *why = NULL;
	char target[MAX_PATH * 3 + 32], link[MAX_PATH * 3 + 32];
	snprintf(target, sizeof target, "%s\\precious", dir);
	snprintf(link, sizeof link, "%s\\snap.json", dir);
	CHECK_INT(write_all(target, 0, "keep", true, &why), 0);
	/* Wine's CreateSymbolicLink succeeds without making anything: check that the link exists */
	if (CreateSymbolicLinkA(link, target, 0) &&
	    GetFileAttributesA(link) != INVALID_FILE_ATTRIBUTES) {
		CHECK_INT(write_all(link, 0, "evil", true, &why), -EPERM);
		CHECK(why && strstr(why, "reparse point"));
		CHECK_INT(write_all(link, PLATFORM_FILE_APPEND, "evil", true, &why), -EPERM);
		char *b = slurp(target);
		CHECK_STR(b, "keep");
		free(b);
	} else {
		printf("  (no file symbolic links here (Wine): that refusal is not exercised)\n");
	}
	/*
	 * A directory reparse point: tests/windows/smoke.sh makes one (a Unix symbolic
	 * link to a directory, which Wine shows as FILE_ATTRIBUTE_REPARSE_POINT) and
	 * names it in PS_WIN_REPARSE_DIR.
	 */
	const char *rdir = getenv("PS_WIN_REPARSE_DIR");
	if (rdir && *rdir) {
		char inside[MAX_PATH * 3 + 32];
		snprintf(inside, sizeof inside, "%s\\snap.json", rdir);
		CHECK_INT(write_all(inside, 0, "evil", true, &why), -EPERM);
		CHECK(why && strstr(why, "directory"));
		CHECK_INT(write_all(inside, PLATFORM_FILE_APPEND, "evil", true, &why), -EPERM);
	}
}
