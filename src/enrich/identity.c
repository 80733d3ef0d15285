/* SPDX-License-Identifier: GPL-2.0-or-later */
/* identity.c — interpreters and the script they run, from the arguments alone (the file is checked
 * by the platform). */
#include "identity.h"

#include <stdbool.h>
#include <string.h>

/* An interpreter family: its name, and its options that run inline code, read the code from
 * standard input, name a module, or take an argument. */
struct interp {
	const char *name;
	const char *inline_opts; /* short options whose code is on the command line (-c, -e) */
	const char *stdin_opts;	 /* short options that read the code from standard input (sh -s) */
	const char *other_opts;	 /* short options after which there is no script file (-m module) */
	const char *arg_opts; /* short options whose value is the next argument when not attached */
	const char *const *long_inline; /* long options whose code is on the command line */
	const char *const *long_other;	/* long options after which there is no script file */
	const char *const *long_arg;
	bool plus; /* a shell: "+x" is an option too */
};

static const char *const node_inline[] = {"--eval", "--print", NULL};
static const char *const node_arg[] = {"--require", "--import", "--loader", "--experimental-loader",
				       "--title",   NULL};
static const char *const sh_arg[] = {"--rcfile", "--init-file", NULL};
static const char *const py_arg[] = {"--check-hash-based-pycs", NULL};
static const char *const none[] = {NULL};
/* the dynamic loader run as a command (ld.so(8)): its program is its first argument */
static const char *const ld_other[] = {
    "--list", "--verify", "--help", "--version", "--list-tunables", "--list-diagnostics", NULL};
static const char *const ld_arg[] = {
    "--library-path",	      "--preload",	     "--audit", "--argv0", "--inhibit-rpath",
    "--glibc-hwcaps-prepend", "--glibc-hwcaps-mask", NULL};
static const struct interp ld_so = {"ld.so", "", "", "", "", none, ld_other, ld_arg, false};

static const struct interp interps[] = {
    {"python", "c", "", "m", "WXQ", none, none, py_arg, false},
    {"pypy", "c", "", "m", "WXQ", none, none, py_arg, false},
    {"perl", "eE", "", "", "I", none, none, none, false},
    {"ruby", "e", "", "", "IrCE", none, none, none, false},
    {"node", "ep", "", "", "r", node_inline, none, node_arg, false},
    {"nodejs", "ep", "", "", "r", node_inline, none, node_arg, false},
    {"sh", "c", "s", "", "oO", none, none, sh_arg, true},
    {"bash", "c", "s", "", "oO", none, none, sh_arg, true},
    {"dash", "c", "s", "", "o", none, none, none, true},
    {"zsh", "c", "s", "", "o", none, none, none, true},
    {"ksh", "c", "s", "", "o", none, none, none, true},
    {"mksh", "c", "s", "", "o", none, none, none, true},
    {"php", "rRBE", "", "F", "cdz", none, none, none, false},
    {"lua", "e", "", "l", "", none, none, none, false},
    {"tclsh", "", "", "", "", none, none, none, false},
};

/* The family of `base`: its name, possibly followed by a version ("python3.11", "perl5.36.0",
 * "ksh93"). */
static const struct interp *interp_of(const char *base)
{
	if (!base)
		return NULL;
	/* ld-linux-x86-64.so.2, ld-linux-aarch64.so.1, ld-musl-x86_64.so.1, ld.so */
	if ((strncmp(base, "ld-linux", 8) == 0 || strncmp(base, "ld-musl-", 8) == 0 ||
	     strncmp(base, "ld.so", 5) == 0) &&
	    strstr(base, ".so"))
		return &ld_so;
	for (size_t i = 0; i < sizeof interps / sizeof interps[0]; i++) {
		size_t n = strlen(interps[i].name);
		if (strncmp(base, interps[i].name, n) != 0)
			continue;
		const char *v = base + n;
		while (*v && (*v == '.' || (*v >= '0' && *v <= '9')))
			v++;
		if (!*v)
			return &interps[i];
	}
	return NULL;
}

bool identity_is_interpreter(const char *base)
{
	return interp_of(base) != NULL;
}

static bool in_list(const char *const *list, const char *a, size_t n)
{
	for (; *list; list++)
		if (strlen(*list) == n && memcmp(*list, a, n) == 0)
			return true;
	return false;
}

/*
 * Whether a script argument names an open file rather than a file on disk: /dev/stdin, /dev/fd/N
 * (bash's <(...)), /proc/self/fd/N and the like: code from a pipe or an fd, nothing to check.
 */
static bool names_open_file(const char *a, size_t n)
{
	static const char *const pre[] = {"/dev/stdin", "/dev/fd/", "/proc/"};
	for (size_t i = 0; i < sizeof pre / sizeof pre[0]; i++)
		if (n >= strlen(pre[i]) && memcmp(a, pre[i], strlen(pre[i])) == 0)
			return true;
	return false;
}

/* What one option argument `a` (n bytes, a leading '-' or '+') says: 0 go on, else the kind. */
static enum identity_code short_opts(const struct interp *ip, const char *a, size_t n,
				     bool *skip_next)
{
	for (size_t k = 1; k < n; k++) {
		if (strchr(ip->inline_opts, a[k]))
			return IDENT_INLINE;
		if (strchr(ip->stdin_opts, a[k]))
			return IDENT_STDIN;
		if (strchr(ip->other_opts, a[k]))
			return IDENT_OTHER;
		if (strchr(ip->arg_opts, a[k])) {
			*skip_next = k + 1 == n; /* "-W ignore" vs "-Wignore" */
			break;
		}
	}
	return IDENT_NONE;
}

/* The same for a long option ("--eval=...", "--require X"). */
static enum identity_code long_opt(const struct interp *ip, const char *a, size_t n,
				   bool *skip_next)
{
	const char *eq = memchr(a, '=', n);
	size_t kn = eq ? (size_t)(eq - a) : n;
	if (in_list(ip->long_inline, a, kn))
		return IDENT_INLINE;
	if (in_list(ip->long_other, a, kn))
		return IDENT_OTHER;
	if (!eq && in_list(ip->long_arg, a, kn))
		*skip_next = true;
	return IDENT_NONE;
}

enum identity_code identity_code_of(const char *base, const char *cmdline, size_t cmdline_len,
				    const char **arg, size_t *len)
{
	const struct interp *ip = interp_of(base);
	if (!ip || !cmdline || !cmdline_len)
		return IDENT_NONE; /* an emptied command line says nothing */
	const char *p = cmdline, *end = cmdline + cmdline_len;
	bool skip_next = false, options = true;
	enum identity_code k = IDENT_NONE;
	/* a bounded look: interpreter options come first and are few */
	for (int i = 0; p < end && i < 32; i++) {
		const char *z = memchr(p, '\0', (size_t)(end - p));
		const char *e = z ? z : end;
		size_t n = (size_t)(e - p);
		const char *a = p;
		p = z ? z + 1 : end;
		if (i == 0 || skip_next) {
			skip_next = false; /* argv[0], or an option's value */
			continue;
		}
		if (options && n == 2 && memcmp(a, "--", 2) == 0) {
			options = false;
			continue;
		}
		if (options && n >= 2 && a[0] == '-' && a[1] == '-')
			k = long_opt(ip, a, n, &skip_next);
		else if (options && n >= 2 && (a[0] == '-' || (a[0] == '+' && ip->plus)))
			k = short_opts(ip, a, n, &skip_next);
		else if (n == 0 || (n == 1 && a[0] == '-') ||
			 (ip != &ld_so && names_open_file(a, n)))
			return ip == &ld_so ? IDENT_OTHER : IDENT_STDIN;
		else {
			*arg = a;
			*len = n;
			return IDENT_SCRIPT;
		}
		if (k != IDENT_NONE)
			return k;
	}
	/* no script among the first arguments: an interpreter without one reads standard input
	 * (python3 < file); past the bounded look, nothing is known */
	return p >= end && ip != &ld_so ? IDENT_STDIN : IDENT_OTHER;
}

bool identity_script_arg(const char *base, const char *cmdline, size_t cmdline_len,
			 const char **arg, size_t *len)
{
	return identity_code_of(base, cmdline, cmdline_len, arg, len) == IDENT_SCRIPT;
}
