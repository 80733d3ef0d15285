/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * file.c — the safe file writer on Windows (snapshot -o, watch --log), run
 * perhaps elevated in directories other users can write to: a reparse point
 * (symbolic link, junction, mount point) as the target or its directory is
 * refused, never followed; a replaced file is written to a new temporary
 * created exclusively beside it (CREATE_NEW, random name, owner-only when the
 * mode gives others nothing) and moved over it at commit (MoveFileEx,
 * write-through); an appended log must be a plain file with one link; a console
 * or pipe (CON, NUL, \\.\pipe\x) is written to directly.
 */
/* <windows.h> comes before the headers that use its types: keep this order */
/* clang-format off */
#define _CRT_RAND_S /* rand_s: the system random source, for temporary names */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <sddl.h>
/* clang-format on */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "../platform.h"
#include "backend.h"
#include "win.h"

struct platform_file {
	HANDLE h;
	WCHAR *tmp;    /* the temporary while a replacement is pending, else NULL */
	WCHAR *target; /* what it replaces at commit */
};

wchar_t *win_to_wide(const char *s)
{
	uint16_t *w;
	return win_utf8_to_utf16(s, &w) ? NULL : (wchar_t *)w;
}

static int errno_of(DWORD e)
{
	switch (e) {
	case ERROR_FILE_NOT_FOUND:
	case ERROR_PATH_NOT_FOUND:
		return -ENOENT;
	case ERROR_ACCESS_DENIED:
		return -EACCES;
	case ERROR_SHARING_VIOLATION:
		return -EBUSY;
	case ERROR_FILE_EXISTS:
	case ERROR_ALREADY_EXISTS:
		return -EEXIST;
	case ERROR_DISK_FULL:
	case ERROR_HANDLE_DISK_FULL:
		return -ENOSPC;
	case ERROR_NOT_ENOUGH_MEMORY:
	case ERROR_OUTOFMEMORY:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

/* The directory part of w (a new string; "." when none). */
static WCHAR *dir_of(const WCHAR *w)
{
	const WCHAR *slash = NULL;
	for (const WCHAR *p = w; *p; p++)
		if (*p == L'\\' || *p == L'/')
			slash = p;
	size_t n =
	    slash ? (size_t)(slash - w) + (slash == w || (slash == w + 2 && w[1] == L':')) : 0;
	WCHAR *d = malloc((n ? n + 1 : 2) * sizeof *d);
	if (!d)
		return NULL;
	if (n) {
		memcpy(d, w, n * sizeof *d);
		d[n] = 0;
	} else {
		d[0] = L'.', d[1] = 0;
	}
	return d;
}

/* An owner-only DACL (owner, SYSTEM, Administrators) when mode gives nothing to group or others. */
static int open_new(const WCHAR *w, unsigned mode, HANDLE *h)
{
	SECURITY_ATTRIBUTES sa = {.nLength = sizeof sa};
	PSECURITY_DESCRIPTOR sd = NULL;
	if (!(mode & 077) &&
	    ConvertStringSecurityDescriptorToSecurityDescriptorW(
		L"D:P(A;;FA;;;OW)(A;;FA;;;SY)(A;;FA;;;BA)", SDDL_REVISION_1, &sd, NULL))
		sa.lpSecurityDescriptor = sd;
	*h = CreateFileW(w, GENERIC_WRITE, 0, &sa, CREATE_NEW, FILE_ATTRIBUTE_NORMAL, NULL);
	DWORD err = GetLastError();
	if (sd)
		LocalFree(sd);
	return *h == INVALID_HANDLE_VALUE ? errno_of(err) : 0;
}

int win_file_open_write(const char *path, unsigned flags, unsigned mode, struct platform_file **out,
			const char **why)
{
	*out = NULL;
	*why = NULL;
	struct platform_file *f = calloc(1, sizeof *f);
	WCHAR *w = win_to_wide(path), *dir = w ? dir_of(w) : NULL;
	int rc = f && w && dir ? 0 : -ENOMEM;
	if (!rc && !*w)
		rc = -ENOENT;
	DWORD dattr = rc ? 0 : GetFileAttributesW(dir);
	if (!rc && dattr != INVALID_FILE_ATTRIBUTES && (dattr & FILE_ATTRIBUTE_REPARSE_POINT)) {
		*why = "its directory is a symbolic link or junction (a reparse point): nothing is "
		       "written through one";
		rc = -EPERM;
	}
	DWORD attr = rc ? 0 : GetFileAttributesW(w);
	if (!rc && attr != INVALID_FILE_ATTRIBUTES) {
		if (attr & FILE_ATTRIBUTE_REPARSE_POINT) {
			*why = "it is a symbolic link or junction (a reparse point): nothing is "
			       "written through one";
			rc = -EPERM;
		} else if (attr & FILE_ATTRIBUTE_DIRECTORY) {
			rc = -EISDIR;
		}
	}
	if (!rc) {
		/* not a disk file (a console, NUL, a pipe): written to directly, nothing to replace
		 */
		HANDLE h = CreateFileW(w, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
				       OPEN_EXISTING, FILE_FLAG_OPEN_REPARSE_POINT, NULL);
		if (h != INVALID_HANDLE_VALUE && GetFileType(h) != FILE_TYPE_DISK) {
			f->h = h;
			goto done;
		}
		if (h != INVALID_HANDLE_VALUE)
			CloseHandle(h);
	}
	if (!rc && (flags & PLATFORM_FILE_APPEND)) {
		f->h = CreateFileW(w, FILE_APPEND_DATA | SYNCHRONIZE, FILE_SHARE_READ, NULL,
				   OPEN_ALWAYS,
				   FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, NULL);
		BY_HANDLE_FILE_INFORMATION bi;
		if (f->h == INVALID_HANDLE_VALUE) {
			rc = errno_of(GetLastError());
		} else if (!GetFileInformationByHandle(f->h, &bi)) {
			rc = -EIO;
		} else if (bi.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) {
			*why = "it became a reparse point while it was opened";
			rc = -EPERM;
		} else if (bi.nNumberOfLinks != 1) {
			*why = "the log has another hard link: what is written would show up "
			       "elsewhere";
			rc = -EPERM;
		}
	} else if (!rc) {
		size_t n = wcslen(w) + 32;
		if (!(f->tmp = malloc(n * sizeof *f->tmp)))
			rc = -ENOMEM;
		for (int tries = 0; !rc && tries < 16; tries++) {
			unsigned r1 = 0, r2 = 0;
			if (rand_s(&r1) || rand_s(&r2)) {
				rc = -EIO;
				break;
			}
			swprintf(f->tmp, n, L"%ls.%08x%08x.tmp", w, r1, r2);
			rc = open_new(f->tmp, mode, &f->h);
			if (rc != -EEXIST)
				break;
			rc = rc == -EEXIST && tries == 15 ? -EEXIST : 0;
		}
		if (!rc) {
			f->target = w;
			w = NULL;
		} else {
			free(f->tmp);
			f->tmp = NULL;
		}
	}
done:
	free(w);
	free(dir);
	if (rc) {
		if (f && f->h && f->h != INVALID_HANDLE_VALUE)
			CloseHandle(f->h);
		free(f);
		return rc;
	}
	*out = f;
	return 0;
}

int win_file_write(struct platform_file *f, const void *data, size_t len)
{
	const char *p = data;
	while (len) {
		DWORD chunk = len > 1u << 30 ? 1u << 30 : (DWORD)len, done = 0;
		if (!WriteFile(f->h, p, chunk, &done, NULL))
			return errno_of(GetLastError());
		p += done;
		len -= done;
	}
	return 0;
}

static void release(struct platform_file *f)
{
	free(f->tmp);
	free(f->target);
	free(f);
}

int win_file_commit(struct platform_file *f)
{
	if (!f)
		return 0;
	int rc = 0;
	if (f->tmp && !FlushFileBuffers(f->h))
		rc = errno_of(GetLastError());
	if (!CloseHandle(f->h) && !rc)
		rc = -EIO;
	if (f->tmp && !rc &&
	    !MoveFileExW(f->tmp, f->target, MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
		rc = errno_of(GetLastError());
	if (f->tmp && rc)
		DeleteFileW(f->tmp); /* the target stays untouched */
	release(f);
	return rc;
}

void win_file_abort(struct platform_file *f)
{
	if (!f)
		return;
	CloseHandle(f->h);
	if (f->tmp)
		DeleteFileW(f->tmp);
	release(f);
}
