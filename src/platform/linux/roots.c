/* SPDX-License-Identifier: GPL-2.0-or-later */
/* roots.c — the file-system roots of the Linux backend, defaults or overridden for tests. */
#include "roots.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../util/str.h"
#include "../../util/trust.h"
#include "../platform.h"
#include "backend.h"

static const struct platform_roots defaults = {
    .proc = "/proc",
    .sys = "/sys",
    .run = "/run",
    .docker = "/var/lib/docker",
    .containers = "/var/lib/containers/storage",
    .dpkg_info = "/var/lib/dpkg/info",
};

static struct platform_roots current;
static bool resolved;

int linux_effective_caps(uint64_t *caps)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) != 0)
		return -errno;
	*caps = (uint64_t)d[1].effective << 32 | d[0].effective;
	return 0;
}

/* euid 0, or any capability in the effective set. */
static bool privileged(void)
{
	uint64_t caps;
	if (geteuid() == 0 || linux_effective_caps(&caps) != 0)
		return true; /* root, or cannot tell: be careful */
	return caps != 0;
}

/*
 * A directory root (or we) owns and nobody else can write; a path that does not
 * exist (a test's "no database here") counts when its nearest existing parent does,
 * since only its owner could create it later.
 */
static bool trusted_dir(const char *path)
{
	char *p = str_dup(path);
	bool ok = false;
	while (p) {
		struct stat st;
		if (stat(p, &st) == 0) {
			ok = S_ISDIR(st.st_mode) && !trust_untrusted_why(&st);
			break;
		}
		char *slash = strrchr(p, '/');
		if (errno != ENOENT || !slash)
			break;
		slash[slash == p] = '\0'; /* up one: "/a/b" -> "/a", "/a" -> "/" */
	}
	free(p);
	return ok;
}

const char *lnx_file_untrusted_why(int fd, const struct stat *st)
{
	(void)fd;
	return trust_untrusted_why(st);
}

const char *lnx_secure_getenv(const char *name)
{
	return secure_getenv(name);
}

static const char *pick(const char *var, const char *def, bool priv, bool allowed)
{
	const char *v = platform_secure_getenv(var);
	if (!v || !*v || v[0] != '/')
		return def;
	if (priv && (!allowed || !trusted_dir(v)))
		return def;
	return v;
}

static bool test_roots_allowed(void)
{
	const char *t = platform_secure_getenv("PORTSLEUTH_TEST_ROOTS");
	return t && strcmp(t, "1") == 0;
}

const char *roots_env(const char *var)
{
	return pick(var, NULL, privileged(), test_roots_allowed());
}

static void resolve(void)
{
	bool priv = privileged();
	bool allowed = test_roots_allowed();
	current.proc = pick("PORTSLEUTH_PROC_ROOT", defaults.proc, priv, allowed);
	current.sys = pick("PORTSLEUTH_SYS_ROOT", defaults.sys, priv, allowed);
	current.run = pick("PORTSLEUTH_RUN_ROOT", defaults.run, priv, allowed);
	current.docker = pick("PORTSLEUTH_DOCKER_ROOT", defaults.docker, priv, allowed);
	current.containers =
	    pick("PORTSLEUTH_CONTAINERS_STORAGE", defaults.containers, priv, allowed);
	current.dpkg_info = pick("PORTSLEUTH_DPKG_INFO", defaults.dpkg_info, priv, allowed);
	resolved = true;
}

const struct platform_roots *roots_get(void)
{
	if (!resolved)
		resolve();
	return &current;
}

void roots_set(const struct platform_roots *r)
{
	if (!r) {
		resolve();
		return;
	}
	current.proc = r->proc ? r->proc : defaults.proc;
	current.sys = r->sys ? r->sys : defaults.sys;
	current.run = r->run ? r->run : defaults.run;
	current.docker = r->docker ? r->docker : defaults.docker;
	current.containers = r->containers ? r->containers : defaults.containers;
	current.dpkg_info = r->dpkg_info ? r->dpkg_info : defaults.dpkg_info;
	resolved = true;
}

char *roots_join(const char *root, const char *rel)
{
	size_t n = strlen(root) + 1 + strlen(rel) + 1;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", root, rel);
	return p;
}

char *lnx_real_path(const char *path)
{
	return realpath(path, NULL);
}
