/* SPDX-License-Identifier: GPL-2.0-or-later */
/* identity.c — interpreters and the script they run, from the arguments alone (the file is checked
 * by the platform). */
#include "identity.h"

#include <stdbool.h>
#include <string.h>

/* An interpreter family: its name, and its options that run inline code or a module / take an
 * argument. */
struct interp {
	const char *name;
	const char *inline_opts; /* short options after which there is no script file */
	const char *arg_opts; /* short options whose value is the next argument when not attached */
	const char *const *long_inline;
	const char *const *long_arg;
	bool plus; /* a shell: "+x" is an option too */
};

static const char *const node_inline[] = {"--eval", "--print", NULL};
static const char *const node_arg[] = {"--require", "--import", "--loader", "--experimental-loader",
				       "--title",   NULL};
static const char *const sh_arg[] = {"--rcfile", "--init-file", NULL};
static const char *const none[] = {NULL};
/* the dynamic loader run as a command (ld.so(8)): its program is its first argument */
static const char *const ld_inline[] = {
    "--list", "--verify", "--help", "--version", "--list-tunables", "--list-diagnostics", NULL};
static const char *const ld_arg[] = {
    "--library-path",	      "--preload",	     "--audit", "--argv0", "--inhibit-rpath",
    "--glibc-hwcaps-prepend", "--glibc-hwcaps-mask", NULL};
static const struct interp ld_so = {"ld.so", "", "", ld_inline, ld_arg, false};

static const struct interp interps[] = {
    {"python", "cm", "WXQ", none, none, false},
    {"pypy", "cm", "WXQ", none, none, false},
    {"perl", "eE", "I", none, none, false},
    {"ruby", "e", "IrCE", none, none, false},
    {"node", "ep", "r", node_inline, node_arg, false},
    {"nodejs", "ep", "r", node_inline, node_arg, false},
    {"sh", "cs", "oO", none, sh_arg, true},
    {"bash", "cs", "oO", none, sh_arg, true},
    {"dash", "cs", "o", none, none, true},
    {"zsh", "cs", "o", none, none, true},
    {"ksh", "cs", "o", none, none, true},
    {"mksh", "cs", "o", none, none, true},
    {"php", "rRBEF", "cdz", none, none, false},
    {"lua", "el", "", none, none, false},
    {"tclsh", "", "", none, none, false},
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

bool identity_script_arg(const char *base, const char *cmdline, size_t cmdline_len,
			 const char **arg, size_t *len)
{
	const struct interp *ip = interp_of(base);
	if (!ip || !cmdline)
		return false;
	const char *p = cmdline, *end = cmdline + cmdline_len;
	bool skip_next = false, options = true;
	/* a bounded look: interpreter options come first and are few */
	for (int i = 0; p < end && i < 32; i++) {
		const char *z = memchr(p, '\0', (size_t)(end - p));
		const char *e = z ? z : end;
		size_t n = (size_t)(e - p);
		const char *a = p;
		p = z ? z + 1 : end;
		if (i == 0)
			continue; /* argv[0] */
		if (skip_next) {
			skip_next = false;
			continue;
		}
		if (options && n == 2 && memcmp(a, "--", 2) == 0) {
			options = false;
			continue;
		}
		if (options && n >= 2 && a[0] == '-' && a[1] == '-') {
			const char *eq = memchr(a, '=', n);
			size_t kn = eq ? (size_t)(eq - a) : n;
			if (in_list(ip->long_inline, a, kn))
				return false;
			if (!eq && in_list(ip->long_arg, a, kn))
				skip_next = true;
			continue;
		}
		if (options && n >= 2 && (a[0] == '-' || (a[0] == '+' && ip->plus))) {
			for (size_t k = 1; k < n; k++) {
				if (strchr(ip->inline_opts, a[k]))
					return false;
				if (strchr(ip->arg_opts, a[k])) {
					skip_next = k + 1 == n; /* "-W ignore" vs "-Wignore" */
					break;
				}
			}
			continue;
		}
		if (n == 0 || (n == 1 && a[0] == '-'))
			return false; /* the script comes from stdin */
		*arg = a;
		*len = n;
		return true;
	}
	return false;
}
