/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * trust.c — what owners and access lists allow on Windows: whether a configuration
 * file named through the environment may be used (the C runtime's mode bits copy
 * the owner's to group and others, and its st_uid is always 0), and whether every
 * user may write into a directory.
 */
/* <windows.h> comes before the headers that use its types: keep this order */
/* clang-format off */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <aclapi.h>
#include <sddl.h>
/* clang-format on */

#include <io.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "../platform.h"
#include "backend.h"
#include "win.h"

/* What lets a holder change the file's contents, or its access list or owner (and so them). */
#define WRITE_RIGHTS                                                                               \
	(FILE_WRITE_DATA | FILE_APPEND_DATA | GENERIC_WRITE | GENERIC_ALL | WRITE_DAC |            \
	 WRITE_OWNER | MAXIMUM_ALLOWED)

/* Whether sid is one of the well-known accounts that administer the machine. */
static bool sid_is_admin(PSID sid)
{
	static const WELL_KNOWN_SID_TYPE admins[] = {WinLocalSystemSid,
						     WinBuiltinAdministratorsSid};
	for (size_t i = 0; i < sizeof admins / sizeof admins[0]; i++)
		if (IsWellKnownSid(sid, admins[i]))
			return true;
	/* NT SERVICE\TrustedInstaller owns the system's own files */
	static SID_IDENTIFIER_AUTHORITY nt = {SECURITY_NT_AUTHORITY};
	union {
		SID sid;
		BYTE b[SECURITY_MAX_SID_SIZE];
	} buf;
	PSID ti = &buf.sid;
	if (!InitializeSid(ti, &nt, 6))
		return false;
	static const DWORD sub[6] = {80, 956008885, 3418522649, 1831038044, 1853292631, 2271478464};
	for (DWORD i = 0; i < 6; i++)
		*GetSidSubAuthority(ti, i) = sub[i];
	return EqualSid(sid, ti) != 0;
}

/* Who a write grant goes to, for people. */
static const char *writer_name(PSID sid)
{
	return IsWellKnownSid(sid, WinWorldSid)		      ? "writable by Everyone"
	       : IsWellKnownSid(sid, WinAuthenticatedUserSid) ? "writable by Authenticated Users"
	       : IsWellKnownSid(sid, WinBuiltinUsersSid)      ? "writable by Users"
							      : "writable by another user or group";
}

const char *win_sd_untrusted_why(const void *sd_, const void *user)
{
	PSECURITY_DESCRIPTOR sd = (PSECURITY_DESCRIPTOR)sd_;
	PSID owner = NULL;
	BOOL defaulted = FALSE, present = FALSE;
	PACL dacl = NULL;
	if (!GetSecurityDescriptorOwner(sd, &owner, &defaulted) || !owner)
		return "its owner could not be read";
	if (!(user && EqualSid(owner, (PSID)user)) && !sid_is_admin(owner))
		return "owned by another user, not by the current user, Administrators or SYSTEM";
	if (!GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted))
		return "its access list could not be read";
	if (!present || !dacl)
		return "it has no access list (everyone may write it)";
	ACL_SIZE_INFORMATION info;
	if (!GetAclInformation(dacl, &info, sizeof info, AclSizeInformation))
		return "its access list could not be read";
	for (DWORD i = 0; i < info.AceCount; i++) {
		ACE_HEADER *h;
		if (!GetAce(dacl, i, (void **)&h))
			return "its access list could not be read";
		if (h->AceFlags & INHERIT_ONLY_ACE)
			continue; /* for files created below it, not for this one */
		if (h->AceType == ACCESS_DENIED_ACE_TYPE)
			continue; /* a denial never makes it safer to read than we assume */
		if (h->AceType != ACCESS_ALLOWED_ACE_TYPE)
			return "its access list has an entry that is not understood";
		ACCESS_ALLOWED_ACE *a = (ACCESS_ALLOWED_ACE *)h;
		PSID who = (PSID)&a->SidStart;
		if (!(a->Mask & WRITE_RIGHTS))
			continue;
		if ((user && EqualSid(who, (PSID)user)) || sid_is_admin(who) ||
		    IsWellKnownSid(who, WinCreatorOwnerSid))
			continue;
		return writer_name(who);
	}
	return NULL;
}

union token_user {
	TOKEN_USER tu;
	BYTE b[sizeof(TOKEN_USER) + SECURITY_MAX_SID_SIZE];
};

bool win_sd_grants_everyone(const void *sd_, unsigned long rights)
{
	PSECURITY_DESCRIPTOR sd = (PSECURITY_DESCRIPTOR)sd_;
	BOOL present = FALSE, defaulted = FALSE;
	PACL dacl = NULL;
	if (!GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted))
		return false;
	if (!present || !dacl)
		return true; /* no access list: everyone may do everything */
	ACL_SIZE_INFORMATION info;
	if (!GetAclInformation(dacl, &info, sizeof info, AclSizeInformation))
		return false;
	for (DWORD i = 0; i < info.AceCount; i++) {
		ACE_HEADER *h;
		if (!GetAce(dacl, i, (void **)&h) || h->AceType != ACCESS_ALLOWED_ACE_TYPE ||
		    (h->AceFlags & INHERIT_ONLY_ACE))
			continue;
		ACCESS_ALLOWED_ACE *a = (ACCESS_ALLOWED_ACE *)h;
		PSID who = (PSID)&a->SidStart;
		if ((a->Mask & rights) && (IsWellKnownSid(who, WinWorldSid) ||
					   IsWellKnownSid(who, WinAuthenticatedUserSid) ||
					   IsWellKnownSid(who, WinBuiltinUsersSid)))
			return true;
	}
	return false;
}

/* The current user's SID (from the process token) into buf, NULL when it cannot be read. */
static PSID current_user(union token_user *buf)
{
	HANDLE tok;
	if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok))
		return NULL;
	DWORD need = 0;
	BOOL ok = GetTokenInformation(tok, TokenUser, buf, sizeof *buf, &need);
	CloseHandle(tok);
	return ok ? buf->tu.User.Sid : NULL;
}

const char *win_file_untrusted_why(int fd, const struct stat *st)
{
	(void)st; /* made up by the C runtime: the security descriptor says it */
	HANDLE h = (HANDLE)_get_osfhandle(fd);
	PSECURITY_DESCRIPTOR sd = NULL;
	if (h == INVALID_HANDLE_VALUE ||
	    GetSecurityInfo(h, SE_FILE_OBJECT,
			    OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION, NULL, NULL,
			    NULL, NULL, &sd) != ERROR_SUCCESS)
		return "its owner and access list could not be read";
	union token_user buf;
	const char *why = win_sd_untrusted_why(sd, current_user(&buf));
	LocalFree(sd);
	return why;
}
