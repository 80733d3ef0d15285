/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * exefacts.c — what a process runs and where paths lead on Windows: the image
 * file behind a process and whether every user may write beside it
 * (platform_exe_facts), a path with every link and
 * junction followed (platform_real_path), and the environment (no set-id
 * programs on Windows, so every variable is the invoking user's own).
 */
/* <windows.h> comes before the headers that use its types: keep this order */
/* clang-format off */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <aclapi.h>
/* clang-format on */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "../../util/str.h"
#include "../platform.h"
#include "backend.h"
#include "optional.h"
#include "win.h"

const char *win_secure_getenv(const char *name)
{
	/* no setuid/setgid or file capabilities: a program runs with its invoker's token */
	return getenv(name);
}

/* Rights over a directory that let a user put a program (or a DLL beside one) in it. */
#define DIR_PLANT_RIGHTS                                                                           \
	(FILE_ADD_FILE | GENERIC_WRITE | GENERIC_ALL | WRITE_DAC | WRITE_OWNER | MAXIMUM_ALLOWED)

/* Whether every user may add files to the directory holding w (its access list). */
static bool dir_world_writable(const WCHAR *w)
{
	size_t n = wcslen(w);
	while (n && w[n - 1] != L'\\' && w[n - 1] != L'/')
		n--;
	if (!n)
		return false;
	WCHAR *dir = malloc((n + 1) * sizeof *dir);
	if (!dir)
		return false;
	wmemcpy(dir, w, n);
	dir[n] = 0;
	if (n > 3 && (dir[n - 1] == L'\\' || dir[n - 1] == L'/'))
		dir[n - 1] = 0; /* "C:\x\" is "C:\x"; "C:\" stays */
	PSECURITY_DESCRIPTOR sd = NULL;
	bool ww = GetNamedSecurityInfoW(dir, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, NULL, NULL,
					NULL, NULL, &sd) == ERROR_SUCCESS &&
		  win_sd_grants_everyone(sd, DIR_PLANT_RIGHTS);
	if (sd)
		LocalFree(sd);
	free(dir);
	return ww;
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
	/*
	 * The file at the image's path, by volume serial number and file index (what
	 * Linux calls device and inode). A running image cannot be deleted on Windows,
	 * only renamed: a path that names no file any more means it was renamed away.
	 * Whether the file there now is the one the process was started from would need
	 * the file index of the mapped image, which no documented call gives for another
	 * process: `replaced` is left unknown and says so.
	 */
	HANDLE h = CreateFileW(w, FILE_READ_ATTRIBUTES,
			       FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL,
			       OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
	if (h == INVALID_HANDLE_VALUE) {
		DWORD e = GetLastError();
		c->deleted = e == ERROR_FILE_NOT_FOUND || e == ERROR_PATH_NOT_FOUND;
	} else {
		BY_HANDLE_FILE_INFORMATION fi;
		if (GetFileInformationByHandle(h, &fi)) {
			c->dev = fi.dwVolumeSerialNumber;
			c->ino = (uint64_t)fi.nFileIndexHigh << 32 | fi.nFileIndexLow;
		}
		CloseHandle(h);
	}
	c->unknown = "whether the file at the path is the one the process was started from (the "
		     "running image's file index is not read)";
	c->dir_world_writable = dir_world_writable(w);
	free(w);
	if (!(p->exe_path = str_dup(p->exe)))
		return -ENOMEM;
	return 0;
}

typedef DWORD(WINAPI *version_size_fn)(const WCHAR *path, DWORD *handle);
typedef BOOL(WINAPI *version_info_fn)(const WCHAR *path, DWORD handle, DWORD len, void *data);

/* version.dll's readers of a file's version resource: looked up at run time (one DLL fewer to
 * load when nothing asks; a system without them shows no file information, which says so). */
static struct win_optional version_fns[] = {
    {"version.dll", "GetFileVersionInfoSizeW", NULL, NULL, 0},
    {"version.dll", "GetFileVersionInfoW", NULL, NULL, 0},
};

int win_file_version_read(const char *path, struct win_file_version *out)
{
	memset(out, 0, sizeof *out);
	version_size_fn size_fn = (version_size_fn)win_optional_get(&version_fns[0]);
	version_info_fn info_fn = (version_info_fn)win_optional_get(&version_fns[1]);
	if (!size_fn || !info_fn)
		return -ENOSYS;
	WCHAR *w = win_to_wide(path);
	if (!w)
		return -ENOMEM;
	DWORD ignored = 0, n = size_fn(w, &ignored);
	void *data = n ? malloc(n) : NULL;
	int rc = !n ? -ENOENT : !data ? -ENOMEM : 0;
	if (!rc)
		rc = info_fn(w, 0, n, data) ? win_decode_version_info(data, n, out) : -EIO;
	free(data);
	free(w);
	return rc;
}

/* The version resource of p's executable into p, read once per executable path (cache[0..*n)
 * holds what earlier processes of the snapshot found). 0 or -ENOMEM. */
static int file_version_of(struct ps_proc *p, struct ps_proc **seen, size_t *n)
{
	struct win_file_version v;
	for (size_t i = 0; i < *n; i++)
		if (!strcmp(seen[i]->exe, p->exe)) {
			const struct ps_proc_more *q = proc_more(seen[i]);
			if (!q->file_description && !q->file_company && !q->file_version)
				return 0;
			struct ps_proc_more *m = proc_more_get(p);
			return !m ||
				       (q->file_description &&
					!(m->file_description = str_dup(q->file_description))) ||
				       (q->file_company &&
					!(m->file_company = str_dup(q->file_company))) ||
				       (q->file_version &&
					!(m->file_version = str_dup(q->file_version)))
				   ? -ENOMEM
				   : 0;
		}
	seen[(*n)++] = p;
	int rc = win_file_version_read(p->exe, &v);
	if (rc)
		return rc == -ENOMEM ? rc : 0; /* no resource, or unreadable: nothing claimed */
	if (!v.description && !v.company && !v.version)
		return 0;
	struct ps_proc_more *m = proc_more_get(p);
	if (!m) {
		free(v.description), free(v.company), free(v.version);
		return -ENOMEM;
	}
	m->file_description = v.description, m->file_company = v.company;
	m->file_version = v.version;
	return 0;
}

int win_exe_facts(struct ps_snapshot *snap, const bool *wanted)
{
	int rc = 0;
	size_t nseen = 0;
	struct ps_proc **seen = malloc((snap->nprocs ? snap->nprocs : 1) * sizeof *seen);
	if (!seen)
		return -ENOMEM;
	for (size_t i = 0; i < snap->nprocs && rc != -ENOMEM; i++) {
		struct ps_proc *p = &snap->procs[i];
		if (!wanted[i] || !p->exe || p->vanished)
			continue;
		p->exe_checked = (rc = exe_facts_one(p)) == 0;
		if (rc != -ENOMEM)
			rc = file_version_of(p, seen, &nseen);
	}
	free(seen);
	return rc == -ENOMEM ? rc : 0;
}

char *win_real_path(const char *path)
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
