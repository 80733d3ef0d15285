/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_signatures.c — Authenticode provenance on real files (WinVerifyTrust under
 * Wine or Windows) and the rule for Windows' own program names: a file that
 * cannot be opened is "unknown", never "unsigned"; svchost.exe signed by anyone
 * but Microsoft, or outside %SystemRoot%, is not Windows' (and so an alert on
 * 3389). Signed fixtures come from tests/windows/smoke.sh (osslsigncode, a
 * self-signed "Contoso" certificate) through PS_WIN_SIGNED_DIR.
 */
/* <windows.h> comes before the headers that use its types: keep this order */
/* clang-format off */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
/* clang-format on */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../src/enrich/verdict.h"
#include "../../../src/platform/packages.h"
#include "../../../src/platform/windows/backend.h"
#include "../../../src/platform/windows/win.h"
#include "../test.h"

TEST(win_windows_names_need_microsoft_and_systemroot)
{
	const char *root = "C:\\Windows";
	CHECK(win_windows_name("C:\\Windows\\System32\\SVCHOST.EXE"));
	CHECK(win_windows_name("lsass.exe"));
	CHECK(!win_windows_name("C:\\tools\\svchost.exe.bak"));
	CHECK(!win_windows_name("C:\\Program Files\\Contoso\\agent.exe"));
	CHECK(win_windows_program_ok("C:\\Windows\\System32\\svchost.exe",
				     "Microsoft Windows Publisher", root));
	CHECK(win_windows_program_ok("c:\\windows\\system32\\svchost.exe", "Microsoft Windows",
				     root)); /* paths compare case-insensitively */
	/* a trusted signer that is not Microsoft, or a Microsoft file outside %SystemRoot% */
	CHECK(!win_windows_program_ok("C:\\Windows\\System32\\svchost.exe", "Contoso Ltd", root));
	CHECK(!win_windows_program_ok("C:\\tools\\svchost.exe", "Microsoft Windows", root));
	CHECK(!win_windows_program_ok("C:\\WindowsApps\\svchost.exe", "Microsoft Windows", root));
	CHECK(!win_windows_program_ok("C:\\Windows\\System32\\svchost.exe", NULL, root));
	CHECK(!win_windows_program_ok("C:\\Windows\\System32\\svchost.exe", "Microsoft Windows",
				      NULL)); /* %SystemRoot% unknown: not proven */
	/* any other program keeps what its signature says */
	CHECK(win_windows_program_ok("C:\\tools\\agent.exe", NULL, root));
}

/* The status the Authenticode database gives path; its signer's name copied into signer[64]. */
static enum pkg_status status_of(const char *path, char *signer)
{
	struct pkgdb *db = win_pkgdb_new(NULL);
	if (!db)
		return PKG_UNKNOWN;
	const char *paths[] = {path};
	enum pkg_status st = PKG_UNKNOWN;
	const char *name = NULL;
	if (win_pkgdb_want(db, paths, 1) == 0)
		st = win_pkgdb_status(db, path, &name);
	if (signer)
		snprintf(signer, 64, "%s", name ? name : "");
	win_pkgdb_free(db);
	return st;
}

TEST(win_unreadable_file_is_unknown_not_unsigned)
{
	char dir[MAX_PATH], path[MAX_PATH + 32];
	CHECK(GetTempPathA(sizeof dir, dir) > 0);
	snprintf(path, sizeof path, "%sps-locked-%lu.exe", dir, GetCurrentProcessId());
	HANDLE h = CreateFileA(path, GENERIC_WRITE, 0 /* no sharing: nobody else may open it */,
			       NULL, CREATE_ALWAYS, 0, NULL);
	CHECK(h != INVALID_HANDLE_VALUE);
	DWORD n;
	WriteFile(h, "MZ not really a program", 23, &n, NULL);
	CHECK_INT(status_of(path, NULL), PKG_UNKNOWN); /* was "unsigned" */
	CloseHandle(h);
	CHECK_INT(status_of(path, NULL), PKG_UNOWNED); /* readable, no signature: unsigned */
	DeleteFileA(path);
	snprintf(path, sizeof path, "%sps-no-such-file.exe", dir);
	CHECK_INT(status_of(path, NULL), PKG_UNKNOWN);
}

/* 3389 as data/ports.tsv describes it. */
static const struct port_info rdp = {"ms-wbt-server",
				     "Remote Desktop Protocol",
				     "portsleuth",
				     "xrdp,gnome-remote-de,svchost,svchost.exe",
				     "brute-force target",
				     NULL,
				     false,
				     SVC_NEVER_INTERNET};

/* The highest severity of the unexpected-owner finding for exe on 3389, -1 when none. */
static int rdp_alert(const char *exe, enum pkg_status pkg)
{
	struct finding_input in;
	memset(&in, 0, sizeof in);
	in.port = 3389, in.proto = PS_TCP, in.svc = &rdp, in.scope = PS_EXPO_ALL;
	in.has_owner = true, in.pid = 1100, in.name = "svchost.exe", in.exe = exe;
	in.exe_checked = true, in.exe_path = exe, in.pkg = pkg;
	struct finding_list l = {0};
	int sev = -1;
	if (findings_for_owner(&in, &l) == 0)
		for (size_t i = 0; i < l.n; i++)
			if (!strcmp(l.f[i].code, "unexpected-owner"))
				sev = (int)l.f[i].sev;
	findings_free(&l);
	return sev;
}

/* Signed and unsigned copies under Windows' names (made by smoke.sh with osslsigncode). */
TEST(win_signed_fixtures)
{
	const char *d = getenv("PS_WIN_SIGNED_DIR");
	if (!d) {
		printf("  (PS_WIN_SIGNED_DIR not set: the signed fixtures are tested by "
		       "tests/windows/smoke.sh)\n");
		return;
	}
	char path[MAX_PATH];
	/* svchost.exe signed by a self-signed "Contoso" certificate, in C:\tools */
	snprintf(path, sizeof path, "%s\\svchost.exe", d);
	CHECK_INT(status_of(path, NULL), PKG_UNOWNED);
	CHECK_INT(rdp_alert(path, status_of(path, NULL)), SEV_ALERT);
	/* the same program unsigned under its own name: unsigned, an alert on 3389 too */
	snprintf(path, sizeof path, "%s\\tool.exe", d);
	CHECK_INT(status_of(path, NULL), PKG_UNOWNED);
	CHECK_INT(rdp_alert(path, PKG_UNOWNED), SEV_ALERT);
	/* the same signed file under its own name: Windows refuses the self-signed root
	 * (unknown, neither signed nor unsigned); Wine's WinVerifyTrust accepts it, and then the
	 * signer is named — either way only the Windows name above made it an alert */
	snprintf(path, sizeof path, "%s\\agent.exe", d);
	char signer[64];
	enum pkg_status st = status_of(path, signer);
	CHECK(st == PKG_UNKNOWN || (st == PKG_OWNED && !strcmp(signer, "Contoso Ltd")));
	CHECK(rdp_alert(path, st) != SEV_ALERT || st == PKG_UNKNOWN);
}
