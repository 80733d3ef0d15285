/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * optional.c — optional system functions looked up with GetProcAddress (once
 * each), so a Windows version or Wine without one runs on and says so.
 */
/* <windows.h> comes before the headers that use its types: keep this order */
/* clang-format off */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
/* clang-format on */

#include <stddef.h>

#include "optional.h"

void *win_optional_get(struct win_optional *o)
{
	if (!o->state) {
		HMODULE m = GetModuleHandleA(o->dll);
		if (!m)
			m = LoadLibraryExA(o->dll, NULL, LOAD_LIBRARY_SEARCH_SYSTEM32);
		if (!m)
			m = LoadLibraryA(o->dll); /* before KB2533623 the flag is refused */
		o->fn = m ? (void *)GetProcAddress(m, o->name) : NULL;
		o->state = o->fn ? 1 : -1;
	}
	return o->state == 1 ? o->fn : NULL;
}

bool win_optional_missing(const struct win_optional *o)
{
	return o->state < 0;
}
