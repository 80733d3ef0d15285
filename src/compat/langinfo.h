/* SPDX-License-Identifier: GPL-2.0-or-later */
/* langinfo.h — nl_langinfo(CODESET) for the Windows build: "UTF-8" when the console speaks it. */
#ifndef PS_WIN_LANGINFO_H
#define PS_WIN_LANGINFO_H

#define CODESET 14

/* "UTF-8" when the console output code page is 65001, else the code page as "CPnnn". */
char *nl_langinfo(int item);

#endif
