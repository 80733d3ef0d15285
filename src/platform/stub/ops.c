/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ops.c — a backend that builds anywhere: it lists nothing: its table of platform operations. */
#include "backend.h"

const struct platform_ops platform_ops = {
    .name = "stub",
    .secure_getenv = stub_secure_getenv,
    .file_untrusted_why = stub_file_untrusted_why,
};
