/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_optional.c — optional system functions resolved at run time: a missing
 * one is NULL and reported, never a process-ending call. Under Wine 8 iphlpapi's
 * GetOwnerModuleFrom*Entry are such functions (a static import of them ends the
 * run with "unimplemented function"); on Windows they are present.
 */
/* <windows.h> comes before the headers that use its types: keep this order */
/* clang-format off */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
/* clang-format on */

#include "../../../src/platform/windows/optional.h"
#include "../test.h"

TEST(win_optional_missing_and_present)
{
	struct win_optional gone = {"iphlpapi.dll", "NoSuchFunctionAnywhere", "n", NULL, 0};
	CHECK(!win_optional_missing(&gone)); /* not asked yet */
	CHECK(win_optional_get(&gone) == NULL);
	CHECK(win_optional_missing(&gone));
	CHECK(win_optional_get(&gone) == NULL); /* asked once, remembered */
	struct win_optional there = {"kernel32.dll", "GetTickCount64", "n", NULL, 0};
	CHECK(win_optional_get(&there) ==
	      (void *)GetProcAddress(GetModuleHandleA("kernel32.dll"), "GetTickCount64"));
	CHECK(!win_optional_missing(&there));
}

/* The owner-module functions: present on Windows; under Wine 8 missing, so the run goes on. */
TEST(win_optional_owner_module)
{
	static const char *const names[] = {
	    "GetOwnerModuleFromTcpEntry", "GetOwnerModuleFromTcp6Entry",
	    "GetOwnerModuleFromUdpEntry", "GetOwnerModuleFromUdp6Entry"};
	HMODULE nt = GetModuleHandleA("ntdll.dll");
	bool wine = nt && GetProcAddress(nt, "wine_get_version");
	for (size_t i = 0; i < 4; i++) {
		struct win_optional o = {"iphlpapi.dll", names[i], "n", NULL, 0};
		void *fn = win_optional_get(&o);
		if (!wine)
			CHECK(fn != NULL); /* Windows Vista and later export all four */
		CHECK(win_optional_missing(&o) == (fn == NULL));
	}
}
