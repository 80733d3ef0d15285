/* SPDX-License-Identifier: GPL-2.0-or-later */
/* stub.c — a backend that builds anywhere and reports that listing is not supported. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../util/trust.h"
#include "../platform.h"
#include "backend.h"

const char *stub_file_untrusted_why(int fd, const struct stat *st)
{
	(void)fd;
	return trust_untrusted_why(st);
}

const char *stub_secure_getenv(const char *name)
{
	/* POSIX has no AT_SECURE: a set-id run is what can be told here */
	if (getuid() != geteuid() || getgid() != getegid())
		return NULL;
	return getenv(name);
}
