/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * packages.c — provenance from Authenticode (WinVerifyTrust) where Linux asks the
 * package database: a file with a valid signature, embedded or in a system
 * catalog, is "owned" by its signer (the certificate's subject name); a file
 * with no signature anywhere is "unowned" (unsigned); anything else (a bad or
 * revoked signature, a file that cannot be opened or hashed) stays unknown. A
 * file named like a program of Windows itself (svchost.exe, lsass.exe...) is
 * Windows' only when Microsoft signed it and it lies under %SystemRoot%: any other
 * file of that name that could be read is "unowned", whoever signed it.
 */
/* <windows.h> comes before the headers that use its types: keep this order */
/* clang-format off */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <softpub.h>
#include <wincrypt.h>
#include <wintrust.h>
#include <mscat.h>
/* clang-format on */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/grow.h"
#include "../../util/str.h"
#include "../packages.h"
#include "backend.h"
#include "decode.h"
#include "optional.h"
#include "win.h"

struct sig {
	char *path;
	enum pkg_status status;
	char *signer;	    /* PKG_OWNED: the signer's name */
	char *seen_signer;  /* whoever signed it, also when that does not make it Windows' file */
	const char *state;  /* ps_signature.state; NULL: not checked */
	const char *source; /* "embedded", "catalog" */
};

struct pkgdb {
	struct sig *s;
	size_t n, cap;
	size_t checks;
};

struct pkgdb *win_pkgdb_new(const char *where)
{
	(void)where;
	return calloc(1, sizeof(struct pkgdb));
}

/* The subject name of the leaf certificate that signed, from the verify state. */
static char *signer_of(HANDLE state)
{
	CRYPT_PROVIDER_DATA *pd = WTHelperProvDataFromStateData(state);
	CRYPT_PROVIDER_SGNR *sg = pd ? WTHelperGetProvSignerFromChain(pd, 0, FALSE, 0) : NULL;
	CRYPT_PROVIDER_CERT *pc = sg ? WTHelperGetProvCertFromChain(sg, 0) : NULL;
	if (!pc || !pc->pCert)
		return NULL;
	WCHAR name[512];
	if (CertGetNameStringW(pc->pCert, CERT_NAME_SIMPLE_DISPLAY_TYPE, 0, NULL, name, 512) <= 1)
		return NULL;
	char *out = NULL;
	return win_wstr_to_utf8((const uint16_t *)name, &out) ? NULL : out;
}

/* Verify with the file's embedded signature (cat NULL) or as a member of catalog `cat`. */
static LONG verify(const WCHAR *path, const WCHAR *cat, const WCHAR *member, const BYTE *hash,
		   DWORD hlen, char **signer)
{
	GUID action = WINTRUST_ACTION_GENERIC_VERIFY_V2;
	WINTRUST_FILE_INFO fi = {.cbStruct = sizeof fi, .pcwszFilePath = path};
	WINTRUST_CATALOG_INFO ci = {.cbStruct = sizeof ci,
				    .pcwszCatalogFilePath = cat,
				    .pcwszMemberTag = member,
				    .pcwszMemberFilePath = path,
				    .pbCalculatedFileHash = (BYTE *)hash,
				    .cbCalculatedFileHash = hlen};
	WINTRUST_DATA wd = {.cbStruct = sizeof wd,
			    .dwUIChoice = WTD_UI_NONE,
			    .fdwRevocationChecks =
				WTD_REVOKE_NONE, /* no network from a port lister */
			    .dwStateAction = WTD_STATEACTION_VERIFY,
			    .dwProvFlags = WTD_CACHE_ONLY_URL_RETRIEVAL};
	if (cat) {
		wd.dwUnionChoice = WTD_CHOICE_CATALOG;
		wd.pCatalog = &ci;
	} else {
		wd.dwUnionChoice = WTD_CHOICE_FILE;
		wd.pFile = &fi;
	}
	LONG st = WinVerifyTrust(INVALID_HANDLE_VALUE, &action, &wd);
	if (st == ERROR_SUCCESS)
		*signer = signer_of(wd.hWVTStateData);
	wd.dwStateAction = WTD_STATEACTION_CLOSE;
	WinVerifyTrust(INVALID_HANDLE_VALUE, &action, &wd);
	return st;
}

/* The catalog functions of Windows 8 and later that hash with SHA-256 (looked up at run time). */
typedef BOOL(WINAPI *acquire2_fn)(HCATADMIN *, const GUID *, PCWSTR, PCCERT_STRONG_SIGN_PARA,
				  DWORD);
typedef BOOL(WINAPI *hash2_fn)(HCATADMIN, HANDLE, DWORD *, BYTE *, DWORD);
/* missing (Windows 7, Wine 8 for the second): SHA-1 catalogs only, as before Windows 8 */
static struct win_optional acquire2 = {"wintrust.dll", "CryptCATAdminAcquireContext2", NULL, NULL,
				       0};
static struct win_optional hash2 = {"wintrust.dll", "CryptCATAdminCalcHashFromFileHandle2", NULL,
				    NULL, 0};

/* A verification that could not be made: the file could not be opened or hashed. */
#define NOT_READ ((LONG)ERROR_OPEN_FAILED)

/* Look the file's hash (SHA-256 when sha256, else SHA-1) up in the system catalogs. */
static LONG catalog_lookup(const WCHAR *path, HANDLE f, bool sha256, char **signer)
{
	HCATADMIN adm;
	BYTE hash[64];
	DWORD hlen = sizeof hash;
	acquire2_fn acq = sha256 ? (acquire2_fn)win_optional_get(&acquire2) : NULL;
	hash2_fn calc = sha256 ? (hash2_fn)win_optional_get(&hash2) : NULL;
	if (sha256 && (!acq || !calc))
		return TRUST_E_NOSIGNATURE; /* Windows 7, Wine: SHA-1 only */
	BOOL ok = sha256 ? acq(&adm, NULL, L"SHA256", NULL, 0)
			 : CryptCATAdminAcquireContext(&adm, NULL, 0);
	if (!ok)
		return TRUST_E_NOSIGNATURE;
	LONG st = TRUST_E_NOSIGNATURE;
	SetFilePointer(f, 0, NULL, FILE_BEGIN);
	if (!(sha256 ? calc(adm, f, &hlen, hash, 0)
		     : CryptCATAdminCalcHashFromFileHandle(f, &hlen, hash, 0))) {
		CryptCATAdminReleaseContext(adm, 0);
		return NOT_READ;
	}
	HCATINFO ci = CryptCATAdminEnumCatalogFromHash(adm, hash, hlen, 0, NULL);
	CATALOG_INFO info = {.cbStruct = sizeof info};
	if (ci && CryptCATCatalogInfoFromContext(ci, &info, 0)) {
		/* the member tag is the hash in upper-case hex (by hand: wsprintfW would pull in
		 * user32.dll for this alone) */
		static const WCHAR hex[] = L"0123456789ABCDEF";
		WCHAR tag[129];
		DWORD i = 0;
		for (; i < hlen && i < 64; i++) {
			tag[2 * i] = hex[hash[i] >> 4];
			tag[2 * i + 1] = hex[hash[i] & 15];
		}
		tag[2 * i] = L'\0';
		st = verify(path, info.wszCatalogFile, tag, hash, hlen, signer);
	}
	if (ci)
		CryptCATAdminReleaseCatalogContext(adm, ci, 0);
	CryptCATAdminReleaseContext(adm, 0);
	return st;
}

/* Windows' own files are mostly signed in system catalogs, not in the file: SHA-256 catalogs
 * first (Windows 8 and later), then SHA-1. */
static LONG verify_catalog(const WCHAR *path, HANDLE f, char **signer)
{
	LONG st = catalog_lookup(path, f, true, signer);
	return st == ERROR_SUCCESS || st == NOT_READ ? st : catalog_lookup(path, f, false, signer);
}

/* Whether the ASCII-case-insensitive text a starts with prefix b. */
static bool prefix_ci(const char *a, const char *b)
{
	for (; *b; a++, b++) {
		char x = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
		char y = *b >= 'A' && *b <= 'Z' ? (char)(*b - 'A' + 'a') : *b;
		if (x != y)
			return false;
	}
	return true;
}

bool win_windows_name(const char *path)
{
	static const char *const names[] = {
	    "svchost.exe",  "lsass.exe",	 "services.exe", "csrss.exe",	    "smss.exe",
	    "wininit.exe",  "winlogon.exe",	 "spoolsv.exe",	 "explorer.exe",    "taskhostw.exe",
	    "dllhost.exe",  "rundll32.exe",	 "conhost.exe",	 "dwm.exe",	    "lsaiso.exe",
	    "wmiprvse.exe", "searchindexer.exe", "sihost.exe",	 "fontdrvhost.exe", "ctfmon.exe"};
	const char *base = path;
	for (const char *p = path; *p; p++)
		if (*p == '\\' || *p == '/')
			base = p + 1;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (prefix_ci(base, names[i]) && !base[strlen(names[i])])
			return true;
	return false;
}

bool win_windows_program_ok(const char *path, const char *signer, const char *sysroot)
{
	if (!win_windows_name(path))
		return true;
	size_t n = sysroot ? strlen(sysroot) : 0;
	bool in_root = n && prefix_ci(path, sysroot) && (path[n] == '\\' || path[n] == '/');
	/* the leaf certificate's subject: "Microsoft Windows", "Microsoft Windows Publisher",
	   "Microsoft Corporation" (a trusted chain: WinVerifyTrust succeeded) */
	return in_root && win_signer_is_microsoft(signer);
}

bool win_signer_is_microsoft(const char *signer)
{
	return signer && prefix_ci(signer, "Microsoft ");
}

/* %SystemRoot% ("C:\Windows") as UTF-8, read once; NULL when it cannot be read. */
static const char *system_root(void)
{
	static char *root;
	static bool asked;
	if (!asked) {
		WCHAR w[MAX_PATH];
		UINT n = GetSystemWindowsDirectoryW(w, MAX_PATH);
		if (n && n < MAX_PATH && win_utf16_to_utf8((const uint16_t *)w, n, &root))
			root = NULL;
		asked = true;
	}
	return root;
}

static void check(struct sig *s)
{
	WCHAR *w = win_to_wide(s->path);
	if (!w)
		return;
	/* a file that cannot be opened or hashed is not known to be unsigned */
	HANDLE f =
	    CreateFileW(w, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
			NULL, OPEN_EXISTING, 0, NULL);
	if (f == INVALID_HANDLE_VALUE) {
		free(w);
		s->state = "unreadable";
		return;
	}
	LONG st = verify(w, NULL, NULL, NULL, 0, &s->signer);
	s->source = "embedded";
	if (st == TRUST_E_NOSIGNATURE || st == TRUST_E_SUBJECT_FORM_UNKNOWN ||
	    st == TRUST_E_PROVIDER_UNKNOWN) {
		st = verify_catalog(w, f, &s->signer);
		s->source = "catalog";
	}
	CloseHandle(f);
	free(w);
	s->state = st == ERROR_SUCCESS	       ? "signed"
		   : st == TRUST_E_NOSIGNATURE ? "unsigned"
		   : st == NOT_READ	       ? "unreadable"
					       : "invalid";
	if (st == ERROR_SUCCESS)
		s->status = PKG_OWNED;
	else if (st == TRUST_E_NOSIGNATURE)
		s->status = PKG_UNOWNED;
	/* else: a signature that does not verify, or the file could not be read: unknown */
	s->seen_signer = s->signer ? strdup(s->signer) : NULL;
	if (st != NOT_READ && !win_windows_program_ok(
				  s->path, st == ERROR_SUCCESS ? s->signer : NULL, system_root())) {
		s->status = PKG_UNOWNED; /* a Windows name, not Windows' file */
		free(s->signer);
		s->signer = NULL;
	}
}

int win_pkgdb_signature(const struct pkgdb *db, const char *path, struct ps_signature *out)
{
	for (size_t i = 0; i < db->n; i++) {
		const struct sig *s = &db->s[i];
		if (strcmp(s->path, path) != 0 || !s->state)
			continue;
		out->state = s->state;
		out->source = s->seen_signer ? s->source : NULL;
		out->os_vendor = win_signer_is_microsoft(s->seen_signer);
		if (s->seen_signer && !(out->signer = strdup(s->seen_signer)))
			return -ENOMEM;
		return 0;
	}
	return 0;
}

int win_pkgdb_want(struct pkgdb *db, const char *const *paths, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!paths[i])
			continue;
		bool seen = false;
		for (size_t j = 0; j < db->n && !seen; j++)
			seen = strcmp(db->s[j].path, paths[i]) == 0;
		if (seen)
			continue;
		if (util_grow((void **)&db->s, &db->cap, db->n + 1, sizeof *db->s))
			return -ENOMEM;
		struct sig *s = &db->s[db->n];
		*s = (struct sig){.path = str_dup(paths[i])};
		if (!s->path)
			return -ENOMEM;
		db->n++;
		db->checks++;
		check(s);
	}
	return 0;
}

enum pkg_status win_pkgdb_status(const struct pkgdb *db, const char *path, const char **pkg)
{
	if (pkg)
		*pkg = NULL;
	for (size_t i = 0; db && path && i < db->n; i++) {
		if (strcmp(db->s[i].path, path) != 0)
			continue;
		if (pkg)
			*pkg = db->s[i].signer;
		return db->s[i].status;
	}
	return PKG_UNKNOWN;
}

const char *win_pkgdb_reason(const struct pkgdb *db)
{
	(void)db;
	return NULL;
}

const char *win_pkgdb_kind(const struct pkgdb *db)
{
	(void)db;
	return "authenticode";
}

void win_pkgdb_stats(const struct pkgdb *db, size_t *files, size_t *scans)
{
	*files = db->checks;
	*scans = db->checks;
}

void win_pkgdb_free(struct pkgdb *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->n; i++) {
		free(db->s[i].path);
		free(db->s[i].signer);
		free(db->s[i].seen_signer);
	}
	free(db->s);
	free(db);
}
