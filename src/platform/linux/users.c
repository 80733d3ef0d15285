/* SPDX-License-Identifier: GPL-2.0-or-later */
/* users.c — user names and ids from the passwd database (getpwuid_r / getpwnam_r). */
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../util/str.h"
#include "../platform.h"
#include "backend.h"

/* Run one reentrant passwd lookup with a buffer grown until the entry fits. */
static int lookup(uint32_t uid, const char *name, char **out_name, uint32_t *out_uid)
{
	long hint = sysconf(_SC_GETPW_R_SIZE_MAX);
	size_t size = hint > 0 ? (size_t)hint : 1024;
	for (;;) {
		char *tmp = malloc(size);
		if (!tmp)
			return -ENOMEM;
		struct passwd pw, *res = NULL;
		int rc = name ? getpwnam_r(name, &pw, tmp, size, &res)
			      : getpwuid_r((uid_t)uid, &pw, tmp, size, &res);
		if (rc == ERANGE && size < (1u << 20)) {
			free(tmp);
			size *= 2;
			continue;
		}
		if (rc || !res || !res->pw_name) {
			free(tmp);
			return rc == ENOMEM ? -ENOMEM : -ENOENT;
		}
		if (out_uid)
			*out_uid = (uint32_t)res->pw_uid;
		rc = 0;
		if (out_name && !(*out_name = str_dup(res->pw_name)))
			rc = -ENOMEM;
		free(tmp);
		return rc;
	}
}

int lnx_user_name(uint32_t uid, char **out)
{
	return lookup(uid, NULL, out, NULL);
}

int lnx_user_uid(const char *name, uint32_t *uid)
{
	return lookup(0, name, NULL, uid);
}
