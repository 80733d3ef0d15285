/* SPDX-License-Identifier: GPL-2.0-or-later */
/* roots.h — where the Linux backend finds /proc, /sys, /run and the runtimes' state: the test seam.
 */
#ifndef PS_ROOTS_H
#define PS_ROOTS_H

#include <stdint.h>

/*
 * Every file-system root the Linux backend reads. Defaults are the real paths.
 * The environment can move each (for tests and for inspecting a copied tree):
 *   PORTSLEUTH_PROC_ROOT, PORTSLEUTH_SYS_ROOT, PORTSLEUTH_RUN_ROOT,
 *   PORTSLEUTH_DOCKER_ROOT, PORTSLEUTH_CONTAINERS_STORAGE, PORTSLEUTH_DPKG_INFO.
 * They are read with secure_getenv (never for set-id programs). When we are
 * privileged (euid 0 or any effective capability) they are honoured only with
 * PORTSLEUTH_TEST_ROOTS=1 as well, and only for a directory owned by root or by
 * us that others cannot write: root must not be shown a tree someone else made.
 */
struct platform_roots {
	const char *proc;	/* "/proc" */
	const char *sys;	/* "/sys" */
	const char *run;	/* "/run" (named network namespaces live in RUN/netns) */
	const char *docker;	/* "/var/lib/docker" */
	const char *containers; /* "/var/lib/containers/storage" */
	const char *dpkg_info;	/* "/var/lib/dpkg/info" */
};

/* The roots in force (resolved from the environment on first use); never NULL. */
const struct platform_roots *roots_get(void);

/*
 * For tests: use `r` from now on (NULL fields keep the real path); NULL goes back
 * to what the environment says. The strings must outlive their use.
 */
void roots_set(const struct platform_roots *r);

/*
 * The value of a test-seam variable (PORTSLEUTH_NL_RECORD...) under the same rules
 * as the roots: secure_getenv, and when privileged only with PORTSLEUTH_TEST_ROOTS=1
 * and a trusted directory. NULL when unset or refused.
 */
const char *roots_env(const char *var);

/* The effective capability set of this process (bit n: capability n). 0 or -errno. */
int linux_effective_caps(uint64_t *caps);

/* root + "/" + rel as a new string (rel without a leading '/'); NULL when out of memory. */
char *roots_join(const char *root, const char *rel);

#endif
