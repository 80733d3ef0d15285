/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * optional.h — functions of system DLLs that a Windows version or Wine may lack
 * or only stub, resolved at run time so that a missing one is reported, never
 * fatal. (Wine's stubs are not exported to GetProcAddress: they are missing
 * here, where a static import would end the process on the first call.)
 */
#ifndef PS_WIN_OPTIONAL_H
#define PS_WIN_OPTIONAL_H

#include <stdbool.h>

/* One optional function: where it lives and, once asked, what was found. */
struct win_optional {
	const char *dll;  /* "iphlpapi.dll" */
	const char *name; /* "GetOwnerModuleFromTcpEntry" */
	const char *note; /* static text for snap_note when it is missing; NULL: a fallback
			     serves and nothing is lost to report */
	void *fn;	  /* resolved address, NULL: missing */
	int state;	  /* 0 not asked, 1 present, -1 missing */
};

/* The function's address (looked up once), NULL when the DLL does not export it. */
void *win_optional_get(struct win_optional *o);

/* Whether o was asked for and is missing (its note says so). */
bool win_optional_missing(const struct win_optional *o);

#endif
