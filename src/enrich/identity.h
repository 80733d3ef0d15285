/* SPDX-License-Identifier: GPL-2.0-or-later */
/* identity.h — which script an interpreter runs, from its arguments (portable: the platform checks
 * the file). */
#ifndef PS_IDENTITY_H
#define PS_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Whether an executable's file name is that of a script interpreter (python3.11,
 * perl, ruby, node, sh, bash, dash, php8.2, lua5.4, tclsh8.6, ...).
 */
bool identity_is_interpreter(const char *base);

/*
 * The script an interpreter named `base` runs, from its NUL-separated arguments
 * (argv[0] first): the first argument that is not an option (after "--" too),
 * as the kernel passes a shebang script (`#!/usr/bin/python3` run directly gives
 * "/usr/bin/python3 SCRIPT ...") or a user types it. None when the interpreter
 * is not one, or runs inline code or a module (-c, -e, -m, ...), or reads stdin.
 * The arguments are the process's own and can be rewritten: use the answer only
 * to make a verdict worse. True and *arg, *len (not NUL-terminated) when found.
 */
bool identity_script_arg(const char *base, const char *cmdline, size_t cmdline_len,
			 const char **arg, size_t *len);

/* Where the code an interpreter runs comes from, by its arguments. */
enum identity_code {
	IDENT_NONE = 0, /* not an interpreter (or no arguments to read) */
	IDENT_SCRIPT,	/* a script file, named by an argument */
	IDENT_INLINE,	/* code given on the command line (python3 -c, perl -e, sh -c, node -e) */
	IDENT_STDIN, /* code read from standard input (python3 -, sh -s, no script argument) or an
		      * open file (python3 /dev/stdin, /dev/fd/63, /proc/self/fd/0) */
	IDENT_OTHER  /* something else with a file of its own: a module (-m), ld.so --list */
};

/*
 * What identity_script_arg looks at, told apart: the script (into *arg, *len, as there), or
 * where the code comes from when there is no script file. The arguments are the process's own:
 * use the answer only to make a verdict worse.
 */
enum identity_code identity_code_of(const char *base, const char *cmdline, size_t cmdline_len,
				    const char **arg, size_t *len);

#endif
