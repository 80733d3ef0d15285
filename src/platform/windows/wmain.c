/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wmain.c — the entry point of the Windows programs (linked with -municode): the
 * command line arrives as UTF-16 and is handed to main as UTF-8 (lone
 * surrogates kept as WTF-8, so a file name with one still opens), instead of the
 * ANSI code page main would get; the console is told that output is UTF-8 (its
 * code page is put back at exit).
 */
/* <windows.h> comes before the headers that use its types: keep this order */
/* clang-format off */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
/* clang-format on */

#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

#include "decode.h"

int main(int argc, char **argv);

static UINT saved_cp;

static void restore_cp(void)
{
	SetConsoleOutputCP(saved_cp);
}

int wmain(int argc, wchar_t **wargv);
int wmain(int argc, wchar_t **wargv)
{
	if ((saved_cp = GetConsoleOutputCP()) != 0 && saved_cp != CP_UTF8 &&
	    SetConsoleOutputCP(CP_UTF8))
		atexit(restore_cp);
	char **argv = calloc((size_t)argc + 1, sizeof *argv);
	for (int i = 0; argv && i < argc; i++)
		if (win_utf16_to_utf8((const uint16_t *)wargv[i], wcslen(wargv[i]), &argv[i])) {
			fputs("portsleuth: out of memory reading the command line\n", stderr);
			return 3;
		}
	if (!argv) {
		fputs("portsleuth: out of memory reading the command line\n", stderr);
		return 3;
	}
	return main(argc, argv); /* argv lives as long as the program */
}
