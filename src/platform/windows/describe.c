/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * describe.c — process details: image path (QueryFullProcessImageName), command
 * line (NtQueryInformationProcess ProcessCommandLineInformation), user (the
 * token's SID), start time (GetProcessTimes), parent and name (a Toolhelp
 * snapshot); UTF-16 turned into UTF-8 (escaping is the output layer's).
 */
/* <windows.h> comes before the headers that use its types: keep this order */
/* clang-format off */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <sddl.h>
#include <tlhelp32.h>
#include <winternl.h>
/* clang-format on */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/grow.h"
#include "../../util/str.h"
#include "../platform.h"
#include "backend.h"
#include "win.h"

/* Users seen in tokens: the uid shown (see win_user_remember) and the SID to name it by. */
struct known_user {
	uint32_t uid;
	PSID sid;
};
static struct known_user *users;
static size_t nusers, users_cap;

int win_user_remember(const void *sid, uint32_t *uid)
{
	PSID s = (PSID)sid;
	UCHAR n = *GetSidSubAuthorityCount(s);
	/* SYSTEM is the machine's all-powerful account: uid 0, what the rules call root */
	*uid = IsWellKnownSid(s, WinLocalSystemSid) ? 0 : n ? *GetSidSubAuthority(s, n - 1u) : 0;
	for (size_t i = 0; i < nusers; i++) {
		if (EqualSid(users[i].sid, s)) {
			*uid = users[i].uid;
			return 0;
		}
		if (users[i].uid == *uid) /* another SID with this RID (a domain's 1001 and ours) */
			*uid = WIN_UID_OTHER + (uint32_t)nusers;
	}
	DWORD len = GetLengthSid(s);
	PSID copy = malloc(len);
	if (!copy || util_grow((void **)&users, &users_cap, nusers + 1, sizeof *users)) {
		free(copy);
		return -ENOMEM;
	}
	CopySid(len, copy, s);
	users[nusers++] = (struct known_user){*uid, copy};
	return 0;
}

/* The SID's string form ("S-1-5-21-...-1001") as new UTF-8: the name of an account no
 * lookup names. 0, -ENOENT or -ENOMEM. */
static int sid_string(PSID sid, char **out)
{
	WCHAR *w = NULL;
	if (!ConvertSidToStringSidW(sid, &w))
		return -ENOENT;
	int rc = win_wstr_to_utf8((const uint16_t *)w, out);
	LocalFree(w);
	return rc;
}

int win_user_name(uint32_t uid, char **out)
{
	*out = NULL;
	for (size_t i = 0; i < nusers; i++) {
		if (users[i].uid != uid)
			continue;
		WCHAR name[256], dom[256];
		DWORD nn = 256, nd = 256;
		SID_NAME_USE use;
		if (!LookupAccountSidW(NULL, users[i].sid, name, &nn, dom, &nd, &use))
			return sid_string(users[i].sid, out); /* a deleted or foreign account */
		char *n8 = NULL, *d8 = NULL;
		int rc = win_wstr_to_utf8(name, &n8);
		if (!rc)
			rc = win_wstr_to_utf8(dom, &d8);
		if (!rc) { /* "NT AUTHORITY\\SYSTEM", "HOST\\user"; a bare name when there is no
			      domain */
			size_t ld = strlen(d8), ln = strlen(n8), at = ld ? ld + 1 : 0;
			if ((*out = malloc(at + ln + 1))) {
				memcpy(*out, d8, ld);
				if (ld)
					(*out)[ld] = '\\';
				memcpy(*out + at, n8, ln + 1);
			} else {
				rc = -ENOMEM;
			}
		}
		free(n8);
		free(d8);
		return rc;
	}
	return -ENOENT;
}

int win_user_uid(const char *name, uint32_t *uid)
{
	int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, name, -1, NULL, 0);
	WCHAR *w = n > 0 ? malloc((size_t)n * sizeof *w) : NULL;
	if (!w)
		return n > 0 ? -ENOMEM : -ENOENT;
	MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, name, -1, w, n);
	BYTE sid[SECURITY_MAX_SID_SIZE];
	DWORD sl = sizeof sid, dl = 256;
	WCHAR dom[256];
	SID_NAME_USE use;
	/* "bob", "HOST\\bob", "NT AUTHORITY\\SYSTEM": the uid shown is the SID's RID */
	BOOL ok = LookupAccountNameW(NULL, w, sid, &sl, dom, &dl, &use);
	free(w);
	return ok ? win_user_remember(sid, uid) : -ENOENT;
}

typedef LONG(NTAPI *query_fn)(HANDLE, ULONG, PVOID, ULONG, PULONG);
enum { PROCESS_COMMAND_LINE_INFORMATION = 60 }; /* Windows 8.1 and later */

/* The command line of an open process. 0, -EACCES, -ENOSYS or -ENOMEM. */
static int read_cmdline(HANDLE h, struct ps_proc *p)
{
	static query_fn query;
	if (!query) {
		HMODULE nt = GetModuleHandleW(L"ntdll.dll");
		query =
		    nt ? (query_fn)(void (*)(void))GetProcAddress(nt, "NtQueryInformationProcess")
		       : NULL;
		if (!query)
			return -ENOSYS;
	}
	ULONG size = 4096;
	for (int tries = 0; tries < 4; tries++) {
		void *buf = malloc(size);
		if (!buf)
			return -ENOMEM;
		ULONG want = 0;
		LONG st = query(h, PROCESS_COMMAND_LINE_INFORMATION, buf, size, &want);
		if (st >= 0) {
			int rc = win_decode_cmdline(buf, size, &p->cmdline, &p->cmdline_len);
			free(buf);
			return rc == -EBADMSG ? -EIO : rc;
		}
		free(buf);
		if ((ULONG)st != 0xC0000004u /* STATUS_INFO_LENGTH_MISMATCH */ || want <= size)
			return (ULONG)st == 0xC0000022u /* STATUS_ACCESS_DENIED */ ? -EACCES
										   : -ENOSYS;
		size = want;
	}
	return -EAGAIN;
}

/* The token's user as a uid. 0, -EACCES or -ENOMEM. */
static int read_user(HANDLE h, struct ps_proc *p)
{
	HANDLE tok;
	if (!OpenProcessToken(h, TOKEN_QUERY, &tok))
		return -EACCES;
	DWORD size = 0;
	GetTokenInformation(tok, TokenUser, NULL, 0, &size);
	TOKEN_USER *tu = size ? malloc(size) : NULL;
	int rc = tu ? 0 : -ENOMEM;
	if (!rc && !GetTokenInformation(tok, TokenUser, tu, size, &size))
		rc = -EACCES;
	if (!rc && !(rc = win_user_remember(tu->User.Sid, &p->uid)))
		p->have_uid = true;
	free(tu);
	CloseHandle(tok);
	return rc;
}

/* Image path, command line, user and start time of p; sets details_denied when refused. */
static int describe_one(struct ps_snapshot *snap, struct ps_proc *p)
{
	HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, (DWORD)p->pid);
	if (!h) {
		DWORD err = GetLastError();
		if (err == ERROR_INVALID_PARAMETER) { /* no such process any more */
			p->vanished = true;
			snap->procs_vanished++;
			return 0;
		}
		p->details_denied =
		    true; /* protected (PPL) processes and, unelevated, other users' */
		snap->procs_denied++;
		snap->partial = true;
		return 0;
	}
	snap->procs_scanned++;
	int rc = 0;
	WCHAR small[MAX_PATH];
	DWORD n = MAX_PATH;
	WCHAR *img = small;
	WCHAR *big = NULL;
	if (!QueryFullProcessImageNameW(h, 0, img, &n) &&
	    GetLastError() == ERROR_INSUFFICIENT_BUFFER) {
		n = 32768; /* the longest path Windows has */
		if ((big = malloc(n * sizeof *big)) && QueryFullProcessImageNameW(h, 0, big, &n))
			img = big;
		else
			n = 0;
	} else if (img == small && n == MAX_PATH) {
		n = 0;
	}
	if (n && win_utf16_to_utf8((const uint16_t *)img, n, &p->exe))
		rc = -ENOMEM;
	free(big);
	if (!n)
		p->details_denied = true;
	FILETIME created, exited, kern, user;
	if (GetProcessTimes(h, &created, &exited, &kern, &user))
		p->start_time = win_filetime_to_unix((uint64_t)created.dwHighDateTime << 32 |
						     created.dwLowDateTime);
	int r = rc ? rc : read_cmdline(h, p);
	if (r == -ENOMEM)
		rc = r;
	else if (r == -EACCES)
		p->details_denied = true;
	r = rc ? rc : read_user(h, p);
	if (r == -ENOMEM)
		rc = r;
	else if (r == -EACCES)
		p->details_denied = true;
	if (p->details_denied) { /* PPL processes (lsass) give their image but not their command
				    line or token */
		snap->procs_denied++;
		snap->partial = true;
	}
	CloseHandle(h);
	return rc;
}

/* Name and parent of every process in snap from one Toolhelp snapshot. */
static int names_and_parents(struct ps_snapshot *snap)
{
	HANDLE th = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
	if (th == INVALID_HANDLE_VALUE)
		return 0; /* names stay NULL; the image path still names the program */
	PROCESSENTRY32W pe = {.dwSize = sizeof pe};
	int rc = 0;
	for (BOOL ok = Process32FirstW(th, &pe); ok && !rc; ok = Process32NextW(th, &pe)) {
		for (size_t i = 0; i < snap->nprocs; i++) {
			struct ps_proc *p = &snap->procs[i];
			if (p->pid != (int)pe.th32ProcessID || p->name)
				continue;
			p->ppid = (int)pe.th32ParentProcessID;
			rc = win_wstr_to_utf8((const uint16_t *)pe.szExeFile, &p->name);
		}
	}
	CloseHandle(th);
	return rc;
}

int win_describe(struct ps_snapshot *snap)
{
	int rc = names_and_parents(snap);
	for (size_t i = 0; i < snap->nprocs && !rc; i++) {
		struct ps_proc *p = &snap->procs[i];
		if (!p->name && !p->vanished) {
			/* not in the Toolhelp list: it exited after the socket table was read */
			p->vanished = true;
			snap->procs_vanished++;
			continue;
		}
		rc = describe_one(snap, p);
	}
	/* a socket's uid is its owner's (the tables have none): --user filters and findings use it
	 */
	for (size_t k = 0; k < snap->nsocks; k++) {
		const struct ps_socket *s = &snap->socks[k];
		if (s->owner_count && snap->procs[snap_owner(snap, s, 0)->proc].have_uid)
			snap->socks[k].uid = snap->procs[snap_owner(snap, s, 0)->proc].uid;
	}
	return rc;
}

int win_pid_exists(int pid)
{
	if (pid < 0)
		return 0;
	HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, (DWORD)pid);
	if (h) {
		DWORD code = 0;
		BOOL alive = GetExitCodeProcess(h, &code) && code == STILL_ACTIVE;
		CloseHandle(h);
		return alive ? 1 : 0;
	}
	/* a process we may not open still exists; an unknown pid is an invalid parameter */
	return GetLastError() == ERROR_ACCESS_DENIED ? 1 : 0;
}
