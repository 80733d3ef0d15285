/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_users.c — users from token SIDs: SYSTEM is uid 0 (root for the rules), a
 * local and a domain user with the same RID are two uids with two names, and an
 * account no lookup names is shown by its SID string.
 */
/* <windows.h> comes before the headers that use its types: keep this order */
/* clang-format off */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <sddl.h>
/* clang-format on */

#include <stdlib.h>
#include <string.h>

#include "../../../src/platform/windows/backend.h"
#include "../../../src/platform/windows/win.h"
#include "../test.h"

static uint32_t uid_of(const wchar_t *sddl)
{
	PSID sid = NULL;
	uint32_t uid = 0xFFFFFFFF;
	if (ConvertStringSidToSidW(sddl, &sid)) {
		if (win_user_remember(sid, &uid))
			uid = 0xFFFFFFFE;
		LocalFree(sid);
	}
	return uid;
}

TEST(win_users_from_sids)
{
	CHECK_INT(uid_of(L"S-1-5-18"), 0);  /* SYSTEM: root */
	CHECK_INT(uid_of(L"S-1-5-20"), 20); /* NETWORK SERVICE keeps its RID */
	uint32_t local = uid_of(L"S-1-5-21-1111-2222-3333-4242");
	uint32_t domain = uid_of(L"S-1-5-21-7777-8888-9999-4242");
	CHECK_INT(local, 4242);
	CHECK(domain != local && domain >= WIN_UID_OTHER);
	CHECK_INT(uid_of(L"S-1-5-21-7777-8888-9999-4242"), domain); /* the same SID, the same uid */
	CHECK_INT(uid_of(L"S-1-5-21-1111-2222-3333-4242"), local);
	char *a = NULL, *b = NULL;
	CHECK_INT(win_user_name(local, &a), 0);
	CHECK_INT(win_user_name(domain, &b), 0);
	/* accounts of no domain this machine knows: their SID strings, never one name for both */
	CHECK(a && b && strcmp(a, b) != 0);
	CHECK_STR(b, "S-1-5-21-7777-8888-9999-4242");
	free(a);
	free(b);
	CHECK_INT(win_user_name(0, &a), 0);
	CHECK(a && strstr(a, "SYSTEM") != NULL);
	free(a);
}
