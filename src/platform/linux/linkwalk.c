/* SPDX-License-Identifier: GPL-2.0-or-later */
/* linkwalk.c — whether a path root reads a file through reaches it only by links root or we own. */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend.h"

#define LINKS_MAX 40 /* the kernel's own limit on links followed in one lookup */

static const char why_link[] =
    "it is reached through a symbolic link owned by someone other than root or you";
static const char why_changed[] = "it changed while it was being checked";

/* Drop done's last component for "..": done has no links left in it, so this is its parent. */
static void walk_up(char *done)
{
	char *slash = strrchr(done, '/');
	const char *last = slash ? slash + 1 : done;
	if (strcmp(done, "/") == 0)
		return;
	if (*last && strcmp(last, "..") != 0) {
		if (slash)
			slash[slash == done] = '\0';
		else
			done[0] = '\0';
		return;
	}
	size_t n = strlen(done);
	snprintf(done + n, PATH_MAX - n, "%s..", n ? "/" : ""); /* "", "..": above the start */
}

/*
 * A link of /proc's last in the path (/dev/stdin's /proc/self/fd/0): the kernel follows such
 * a link to the open file itself, whatever its text says (pipe:[N]); its owner is the
 * process's. It ends the walk when it leads to the file opened.
 */
static bool proc_link_ends(const char *link, const struct stat *lst, const char *rest,
			   const struct stat *opened)
{
	struct stat proc, st;
	return !*rest && lstat("/proc", &proc) == 0 && lst->st_dev == proc.st_dev &&
	       stat(link, &st) == 0 && st.st_dev == opened->st_dev && st.st_ino == opened->st_ino;
}

/* Replace todo with the link's target followed by what was left after the link. */
static int walk_link(const char *link, char *done, char *todo, const char *rest, int *links)
{
	char target[PATH_MAX], next[PATH_MAX];
	ssize_t n = readlink(link, target, sizeof target - 1);
	if (n <= 0 || ++*links > LINKS_MAX)
		return -1;
	target[n] = '\0';
	if ((size_t)snprintf(next, sizeof next, "%s/%s", target, rest) >= sizeof next)
		return -1;
	if (target[0] == '/')
		strcpy(done, "/");
	strcpy(todo, next);
	return 0;
}

/*
 * Walk `path` component by component as the kernel would, reading each symbolic link: one
 * owned by anyone but root or the effective user could be pointed by its owner at a file
 * only root may read (its content then echoed in a parse error) or at another policy. The
 * file the walk ends on must be the one opened (st), else it changed meanwhile.
 */
const char *lnx_path_links_untrusted_why(const char *path, const struct stat *opened)
{
	char done[PATH_MAX], todo[PATH_MAX];
	if (strlen(path) >= sizeof todo)
		return why_changed;
	strcpy(todo, path);
	strcpy(done, path[0] == '/' ? "/" : "");
	struct stat st = {0};
	bool any = false;
	int links = 0;
	for (;;) {
		char *comp = todo + strspn(todo, "/");
		if (!*comp)
			break;
		size_t len = strcspn(comp, "/");
		const char *rest = comp + len + (comp[len] == '/');
		if ((len == 1 && comp[0] == '.') ||
		    (len == 2 && comp[0] == '.' && comp[1] == '.')) {
			if (len == 2)
				walk_up(done);
			memmove(todo, rest, strlen(rest) + 1);
			continue;
		}
		char cand[PATH_MAX];
		size_t dl = strlen(done);
		bool sep = dl && done[dl - 1] != '/';
		if (dl + sep + len >= sizeof cand)
			return why_changed;
		memcpy(cand, done, dl); /* fits: measured above */
		if (sep)
			cand[dl] = '/';
		memcpy(cand + dl + sep, comp, len);
		cand[dl + sep + len] = '\0';
		if (lstat(cand, &st) != 0)
			return why_changed;
		any = true;
		if (S_ISLNK(st.st_mode)) {
			if (st.st_uid != 0 && st.st_uid != geteuid())
				return why_link;
			if (proc_link_ends(cand, &st, rest, opened))
				return NULL;
			char left[PATH_MAX];
			strcpy(left, rest);
			if (walk_link(cand, done, todo, left, &links) != 0)
				return why_changed;
			continue;
		}
		strcpy(done, cand);
		memmove(todo, rest, strlen(rest) + 1);
	}
	if (!any || st.st_dev != opened->st_dev || st.st_ino != opened->st_ino)
		return why_changed;
	return NULL;
}
