/*
 * exefacts.c — what a process runs and where paths lead on Windows: the image
 * file behind a process (platform_exe_facts), a path with every link and
 * junction followed (platform_real_path), and the environment (no set-id
 * programs on Windows, so every variable is the invoking user's own).
 */
/* <windows.h> comes before the headers that use its types: keep this order */
/* clang-format off */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
/* clang-format on */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "../../util/str.h"
#include "../platform.h"
#include "win.h"

const char *platform_secure_getenv(const char *name)
{
	/* no setuid/setgid or file capabilities: a program runs with its invoker's token */
	return getenv(name);
}

/* The facts of one process (platform_exe_facts). */
static int exe_facts_one(struct ps_proc *p)
{
	struct ps_exe_check *c = &p->exe_check;
	memset(c, 0, sizeof *c);
	if (!p->exe)
		return -ENOENT;
	WCHAR *w = win_to_wide(p->exe);
	if (!w)
		return -ENOMEM;
	/* a running image cannot be deleted on Windows, only renamed: a path that names no file
	 * any more means it was renamed away (what was started from there is gone) */
	DWORD attr = GetFileAttributesW(w);
	free(w);
	c->deleted = attr == INVALID_FILE_ATTRIBUTES;
	if (!(p->exe_path = str_dup(p->exe)))
		return -ENOMEM;
	return 0;
}

int platform_exe_facts(struct ps_snapshot *snap, const bool *wanted)
{
	int rc = 0;
	for (size_t i = 0; i < snap->nprocs && rc != -ENOMEM; i++) {
		struct ps_proc *p = &snap->procs[i];
		if (wanted[i] && p->exe && !p->vanished)
			p->exe_checked = (rc = exe_facts_one(p)) == 0;
	}
	return rc == -ENOMEM ? rc : 0;
}

int platform_script_facts(struct ps_proc *p, const char *arg, size_t len)
{
	/* interpreters' scripts are not looked up on Windows: p->script stays empty */
	(void)p;
	(void)arg;
	(void)len;
	return 0;
}

char *platform_real_path(const char *path)
{
	WCHAR *w = win_to_wide(path);
	if (!w)
		return NULL;
	/* FILE_FLAG_BACKUP_SEMANTICS opens directories too; no access asked, only the name */
	HANDLE h = CreateFileW(w, 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
			       OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
	free(w);
	if (h == INVALID_HANDLE_VALUE)
		return NULL;
	char *out = NULL;
	DWORD n = GetFinalPathNameByHandleW(h, NULL, 0, FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
	WCHAR *f = n ? malloc(((size_t)n + 1) * sizeof *f) : NULL;
	if (f &&
	    GetFinalPathNameByHandleW(h, f, n + 1, FILE_NAME_NORMALIZED | VOLUME_NAME_DOS) <= n) {
		/* "\\?\C:\x" is "C:\x"; "\\?\UNC\server\share" is "\\server\share" */
		const WCHAR *s = f;
		if (!wcsncmp(s, L"\\\\?\\UNC\\", 8)) {
			s += 6;
			f[6] = L'\\';
		} else if (!wcsncmp(s, L"\\\\?\\", 4)) {
			s += 4;
		}
		if (win_wstr_to_utf8((const uint16_t *)s, &out))
			out = NULL;
	}
	free(f);
	CloseHandle(h);
	return out;
}
