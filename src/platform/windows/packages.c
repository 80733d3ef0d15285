/*
 * packages.c — provenance from Authenticode (WinVerifyTrust) where Linux asks the
 * package database: a file with a valid signature, embedded or in a system
 * catalog, is "owned" by its signer (the certificate's subject name); a file
 * with no signature anywhere is "unowned" (unsigned); anything else (a bad or
 * revoked signature, an unreadable file) stays unknown.
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

struct sig {
	char *path;
	enum pkg_status status;
	char *signer; /* PKG_OWNED: the signer's name */
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

/* Windows' own files are mostly signed in system catalogs, not in the file: look there. */
static LONG verify_catalog(const WCHAR *path, char **signer)
{
	HCATADMIN adm;
	if (!CryptCATAdminAcquireContext(&adm, NULL, 0))
		return TRUST_E_NOSIGNATURE;
	LONG st = TRUST_E_NOSIGNATURE;
	HANDLE f = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_DELETE, NULL,
			       OPEN_EXISTING, 0, NULL);
	BYTE hash[64];
	DWORD hlen = sizeof hash;
	if (f != INVALID_HANDLE_VALUE && CryptCATAdminCalcHashFromFileHandle(f, &hlen, hash, 0)) {
		HCATINFO ci = CryptCATAdminEnumCatalogFromHash(adm, hash, hlen, 0, NULL);
		CATALOG_INFO info = {.cbStruct = sizeof info};
		if (ci && CryptCATCatalogInfoFromContext(ci, &info, 0)) {
			/* the member tag is the hash in upper-case hex (by hand: wsprintfW would
			 * pull in user32.dll for this alone) */
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
	}
	if (f != INVALID_HANDLE_VALUE)
		CloseHandle(f);
	CryptCATAdminReleaseContext(adm, 0);
	return st;
}

static void check(struct sig *s)
{
	int n = MultiByteToWideChar(CP_UTF8, 0, s->path, -1, NULL, 0);
	WCHAR *w = n > 0 ? malloc((size_t)n * sizeof *w) : NULL;
	if (!w)
		return;
	MultiByteToWideChar(CP_UTF8, 0, s->path, -1, w, n);
	LONG st = verify(w, NULL, NULL, NULL, 0, &s->signer);
	if (st == TRUST_E_NOSIGNATURE || st == TRUST_E_SUBJECT_FORM_UNKNOWN ||
	    st == TRUST_E_PROVIDER_UNKNOWN)
		st = verify_catalog(w, &s->signer);
	free(w);
	if (st == ERROR_SUCCESS)
		s->status = PKG_OWNED;
	else if (st == TRUST_E_NOSIGNATURE)
		s->status = PKG_UNOWNED;
	/* else: a signature that does not verify, or no access: unknown, never "signed" */
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
	}
	free(db->s);
	free(db);
}
