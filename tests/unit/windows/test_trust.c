/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_trust.c — configuration trust on Windows: the owner and access list of a
 * file, from security descriptors written as SDDL here, and of a real file on
 * Wine's file system (platform_file_untrusted_why on an open descriptor).
 */
/* <windows.h> comes before the headers that use its types: keep this order */
/* clang-format off */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <aclapi.h>
#include <sddl.h>
/* clang-format on */

#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <wchar.h>

#include "../../../src/platform/platform.h"
#include "../../../src/platform/windows/win.h"
#include "../test.h"

/* The current user's SID as a PSID and as SDDL text (static). */
static PSID me(WCHAR *text, size_t len)
{
	static union {
		TOKEN_USER tu;
		BYTE b[sizeof(TOKEN_USER) + SECURITY_MAX_SID_SIZE];
	} buf;
	HANDLE tok;
	DWORD need;
	if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok))
		return NULL;
	BOOL ok = GetTokenInformation(tok, TokenUser, &buf, sizeof buf, &need);
	CloseHandle(tok);
	WCHAR *s = NULL;
	if (!ok || !ConvertSidToStringSidW(buf.tu.User.Sid, &s))
		return NULL;
	swprintf(text, len, L"%ls", s);
	LocalFree(s);
	return buf.tu.User.Sid;
}

/* What win_sd_untrusted_why says of the SDDL descriptor (ME stands for the current user). */
static const char *judge(const char *sddl)
{
	static char out[200];
	WCHAR mine[200], w[1000], *o = w;
	PSID user = me(mine, 200);
	if (!user)
		return "(no user)";
	for (const char *p = sddl; *p && o < w + 900;) {
		if (!strncmp(p, "ME", 2)) {
			o += swprintf(o, 200, L"%ls", mine);
			p += 2;
		} else {
			*o++ = (WCHAR)*p++;
		}
	}
	*o = 0;
	PSECURITY_DESCRIPTOR sd = NULL;
	if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(w, SDDL_REVISION_1, &sd, NULL))
		return "(bad SDDL)";
	const char *why = win_sd_untrusted_why(sd, user);
	snprintf(out, sizeof out, "%s", why ? why : "trusted");
	LocalFree(sd);
	return out;
}

TEST(win_trust_from_security_descriptors)
{
	/* a user's own file, as a home directory's inheritance makes it */
	CHECK_STR(judge("O:MED:P(A;;FA;;;ME)(A;;FA;;;SY)(A;;FA;;;BA)"), "trusted");
	CHECK_STR(judge("O:BAD:P(A;;FA;;;BA)(A;;FR;;;BU)"), "trusted");
	CHECK_STR(judge("O:SYD:(A;;FA;;;SY)(A;;0x1200a9;;;WD)"), "trusted"); /* read+execute */
	/* inherit-only entries are for files created below, not for this one */
	CHECK_STR(judge("O:MED:(A;;FA;;;ME)(A;OICIIO;FA;;;WD)"), "trusted");
	/* a denial does not make it writable; CREATOR OWNER is the owner */
	CHECK_STR(judge("O:MED:(D;;FW;;;WD)(A;;FA;;;CO)"), "trusted");
	CHECK_STR(judge("O:MED:P"), "trusted"); /* nobody may even read it */
	/* someone else's file */
	CHECK_STR(judge("O:S-1-5-21-1-2-3-1001D:(A;;FA;;;ME)"),
		  "owned by another user, not by the current user, Administrators or SYSTEM");
	CHECK_STR(judge("O:BUD:(A;;FA;;;ME)"),
		  "owned by another user, not by the current user, Administrators or SYSTEM");
	/* writable by others, each way write is granted */
	CHECK_STR(judge("O:MED:(A;;FA;;;ME)(A;;FW;;;WD)"), "writable by Everyone");
	CHECK_STR(judge("O:MED:(A;;FA;;;ME)(A;;GA;;;AU)"), "writable by Authenticated Users");
	CHECK_STR(judge("O:MED:(A;;FA;;;ME)(A;;0x2;;;BU)"), "writable by Users"); /* append data */
	CHECK_STR(judge("O:MED:(A;;FA;;;ME)(A;;GW;;;BU)"), "writable by Users");
	CHECK_STR(judge("O:MED:(A;;FA;;;ME)(A;;WD;;;S-1-5-21-1-2-3-1001)"),
		  "writable by another user or group"); /* may rewrite the access list */
	CHECK_STR(judge("O:MED:(A;;FA;;;ME)(A;ID;WO;;;S-1-5-21-1-2-3-1001)"),
		  "writable by another user or group"); /* may take it over; inherited counts */
	/* no access list at all: everyone may do anything */
	CHECK_STR(judge("O:ME"), "it has no access list (everyone may write it)");
	/* a NULL access list ("D:NO_ACCESS_CONTROL" on Windows; Wine's parser makes it empty) */
	SECURITY_DESCRIPTOR sd;
	WCHAR mine[200];
	PSID user = me(mine, 200);
	CHECK(InitializeSecurityDescriptor(&sd, SECURITY_DESCRIPTOR_REVISION) &&
	      SetSecurityDescriptorOwner(&sd, user, FALSE) &&
	      SetSecurityDescriptorDacl(&sd, TRUE, NULL, FALSE));
	const char *why = win_sd_untrusted_why(&sd, user);
	CHECK_STR(why ? why : "trusted", "it has no access list (everyone may write it)");
}

/* A new file in the temporary directory; its path (UTF-16) into path. */
static int new_file(WCHAR *path)
{
	WCHAR t[MAX_PATH + 1];
	GetTempPathW(MAX_PATH + 1, t);
	swprintf(path, MAX_PATH + 1, L"%lsps-trust-%08lx", t,
		 (unsigned long)(GetTickCount() ^ GetCurrentProcessId() << 16));
	HANDLE h = CreateFileW(path, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
	if (h == INVALID_HANDLE_VALUE)
		return -1;
	CloseHandle(h);
	return 0;
}

TEST(win_trust_of_a_real_file)
{
	WCHAR path[MAX_PATH + 1];
	CHECK_INT(new_file(path), 0);
	int fd = _wopen(path, _O_RDONLY | _O_BINARY);
	CHECK(fd >= 0);
	if (fd < 0)
		return;
	struct stat st;
	fstat(fd, &st);
	/* created by us: ours, and nobody else may write it (the CRT's mode bits say 0666) */
	CHECK(platform_file_untrusted_why(fd, &st) == NULL);
	_close(fd);
	/* Everyone granted write: refused (where the file system keeps the access list) */
	PSECURITY_DESCRIPTOR sd = NULL;
	WCHAR mine[200], sddl[400];
	CHECK(me(mine, 200) != NULL);
	swprintf(sddl, 400, L"D:P(A;;FA;;;%ls)(A;;FW;;;WD)", mine);
	CHECK(
	    ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl, SDDL_REVISION_1, &sd, NULL));
	BOOL set = sd && SetFileSecurityW(path, DACL_SECURITY_INFORMATION, sd);
	LocalFree(sd);
	fd = _wopen(path, _O_RDONLY | _O_BINARY);
	CHECK(fd >= 0);
	if (set && fd >= 0) {
		const char *why = platform_file_untrusted_why(fd, &st);
		CHECK_STR(why ? why : "trusted", "writable by Everyone");
	} else {
		printf(
		    "  (the access list could not be set here: the refusal of a real file is not "
		    "exercised)\n");
	}
	if (fd >= 0)
		_close(fd);
	DeleteFileW(path);
}
