/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_exefacts.c — the executable facts on Windows: which directories every user
 * may write into (access lists as SDDL), and platform_exe_facts on real files of
 * Wine's file system: volume serial and file index, a renamed-away image, a
 * directory whose access list lets Users add files.
 */
/* <windows.h> comes before the headers that use its types: keep this order */
/* clang-format off */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <aclapi.h>
#include <sddl.h>
/* clang-format on */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../src/platform/platform.h"
#include "../../../src/platform/windows/win.h"
#include "../test.h"

static int grants(const wchar_t *sddl)
{
	PSECURITY_DESCRIPTOR sd = NULL;
	if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sd, NULL))
		return -1;
	int r = win_sd_grants_everyone(sd, FILE_ADD_FILE | GENERIC_WRITE | GENERIC_ALL);
	LocalFree(sd);
	return r;
}

TEST(win_dir_writable_by_every_user)
{
	/* C:\Program Files: administrators and the system only; users read and run */
	CHECK_INT(grants(L"D:P(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;0x1200a9;;;BU)"), 0);
	/* C:\Windows\Temp-like: Users may create files in this folder */
	CHECK_INT(grants(L"D:P(A;OICI;FA;;;SY)(A;CI;0x100026;;;BU)"), 1);
	CHECK_INT(grants(L"D:(A;;FA;;;WD)"), 1);
	CHECK_INT(grants(L"D:(A;;GW;;;AU)"), 1);
	/* only for what is created below it, or only to one user: no */
	CHECK_INT(grants(L"D:(A;OICIIO;FA;;;BU)"), 0);
	CHECK_INT(grants(L"D:(A;;FA;;;S-1-5-21-1-2-3-1001)"), 0);
	CHECK_INT(grants(L"D:(D;;FA;;;WD)"), 0);
	CHECK_INT(grants(L"O:SY"), 1); /* no access list: everyone may */
}

/* A new scratch directory (UTF-16, static) under the temporary directory. */
static const WCHAR *scratch(void)
{
	static WCHAR d[MAX_PATH + 1];
	WCHAR t[MAX_PATH + 1];
	GetTempPathW(MAX_PATH + 1, t);
	unsigned r = (unsigned)GetTickCount() ^ (unsigned)GetCurrentProcessId() << 16;
	for (int i = 0; i < 100; i++) {
		swprintf(d, MAX_PATH + 1, L"%lsps-exe-%08x", t, r + (unsigned)i);
		if (CreateDirectoryW(d, NULL))
			return d;
	}
	return NULL;
}

/* platform_exe_facts for a process running the file at w. */
static int facts(const WCHAR *w, struct ps_proc *p)
{
	static char exe[MAX_PATH * 3];
	memset(p, 0, sizeof *p);
	WideCharToMultiByte(CP_UTF8, 0, w, -1, exe, sizeof exe, NULL, NULL);
	p->exe = exe;
	/* a one-process view of it (nothing to free: p is the caller's) */
	struct ps_snapshot one = {.procs = p, .nprocs = 1};
	const bool wanted = true;
	return platform_exe_facts(&one, &wanted);
}

static void touch(const WCHAR *w)
{
	HANDLE h = CreateFileW(w, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
	if (h != INVALID_HANDLE_VALUE)
		CloseHandle(h);
}

TEST(win_exe_facts_of_real_files)
{
	const WCHAR *d = scratch();
	CHECK(d != NULL);
	if (!d)
		return;
	WCHAR a[MAX_PATH + 20], b[MAX_PATH + 20], gone[MAX_PATH + 20];
	swprintf(a, MAX_PATH + 20, L"%ls\\a.exe", d);
	swprintf(b, MAX_PATH + 20, L"%ls\\b.exe", d);
	swprintf(gone, MAX_PATH + 20, L"%ls\\a.old", d);
	touch(a);
	touch(b);
	struct ps_proc p, q;
	CHECK_INT(facts(a, &p), 0);
	CHECK(p.exe_check.ino != 0);
	CHECK(!p.exe_check.deleted && !p.exe_check.replaced);
	CHECK(p.exe_check.unknown != NULL); /* replaced: said to be unknown */
	CHECK(!p.exe_check.dir_world_writable);
	CHECK_STR(p.exe_path, p.exe);
	free(p.exe_path);
	/* the same file again: the same identity; another file: another */
	uint64_t dev = p.exe_check.dev, ino = p.exe_check.ino;
	CHECK_INT(facts(a, &p), 0);
	CHECK(p.exe_check.dev == dev && p.exe_check.ino == ino);
	free(p.exe_path);
	CHECK_INT(facts(b, &q), 0);
	CHECK(q.exe_check.dev == dev && q.exe_check.ino != ino);
	free(q.exe_path);
	/* renamed away (what Windows allows of a running image): deleted, no identity */
	CHECK(MoveFileW(a, gone));
	CHECK_INT(facts(a, &p), 0);
	CHECK(p.exe_check.deleted && p.exe_check.ino == 0);
	free(p.exe_path);
	/* the directory opened to Users for adding files */
	PSECURITY_DESCRIPTOR sd = NULL;
	BOOL set = ConvertStringSecurityDescriptorToSecurityDescriptorW(
		       L"D:(A;OICI;FA;;;SY)(A;OICI;FA;;;BA)(A;OICI;FA;;;OW)(A;;0x100026;;;BU)",
		       SDDL_REVISION_1, &sd, NULL) &&
		   SetFileSecurityW(d, DACL_SECURITY_INFORMATION, sd);
	if (sd)
		LocalFree(sd);
	/* Wine makes a directory's access list up from its Unix mode and ignores this */
	PSECURITY_DESCRIPTOR now = NULL;
	set = set &&
	      GetNamedSecurityInfoW(d, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, NULL, NULL, NULL,
				    NULL, &now) == ERROR_SUCCESS &&
	      win_sd_grants_everyone(now, FILE_ADD_FILE);
	if (now)
		LocalFree(now);
	if (set) {
		CHECK_INT(facts(b, &q), 0);
		CHECK(q.exe_check.dir_world_writable);
		free(q.exe_path);
	} else {
		printf("  (a directory's access list is not kept here (Wine): world-writable "
		       "directories are not exercised)\n");
	}
	DeleteFileW(b);
	DeleteFileW(gone);
	RemoveDirectoryW(d);
}

/* A real system file's version resource (Wine's kernel32.dll has one) through version.dll,
 * looked up at run time; a file without one claims nothing. */
TEST(win_file_version_of_a_system_file)
{
	struct win_file_version v;
	char path[MAX_PATH + 32];
	UINT n = GetSystemDirectoryA(path, MAX_PATH);
	CHECK(n > 0 && n < MAX_PATH);
	strcat(path, "\\kernel32.dll");
	CHECK_INT(win_file_version_read(path, &v), 0);
	CHECK(v.description != NULL && v.version != NULL);
	if (v.version)
		CHECK(strchr(v.version, '.') != NULL);
	win_file_version_free(&v);
	char tmp[MAX_PATH], file[MAX_PATH];
	CHECK(GetTempPathA(MAX_PATH, tmp) > 0 && GetTempFileNameA(tmp, "psv", 0, file) > 0);
	CHECK(win_file_version_read(file, &v) < 0);
	CHECK(v.description == NULL && v.company == NULL && v.version == NULL);
	DeleteFileA(file);
}

/* The http.sys URL reservations are asked for only when a kernel socket listens, and the run goes
 * on whatever httpapi.dll answers (Wine's answers no reservation). */
TEST(win_urlacls_read_runs)
{
	struct ps_snapshot s = {0};
	CHECK_INT(win_urlacls_read(&s), 0); /* no kernel listener: not asked */
	CHECK_INT(s.nurlacls, 0);
	struct ps_socket *k = snap_add_socket(&s);
	CHECK(k != NULL);
	k->proto = PS_TCP, k->state = PS_ST_LISTEN, k->owner_status = PS_OWN_KERNEL;
	k->local.port = 80;
	CHECK_INT(win_urlacls_read(&s), 0);
	for (size_t i = 0; i < s.nurlacls; i++)
		CHECK(s.urlacls[i].url != NULL);
	snap_free(&s);
}
