/* SPDX-License-Identifier: GPL-2.0-or-later */
/* backend.h — the operations a backend that builds anywhere: it lists nothing puts in its
 * platform_ops (ops.c). */
#ifndef PS_STUB_BACKEND_H
#define PS_STUB_BACKEND_H

#include "../platform.h"

const char *stub_secure_getenv(const char *name);
const char *stub_file_untrusted_why(int fd, const struct stat *st);

#endif
