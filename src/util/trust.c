/* SPDX-License-Identifier: GPL-2.0-or-later */
/* trust.c — rules for configuration found through the environment (DESIGN.md §9). */
#include "trust.h"

#include <unistd.h>

const char *trust_untrusted_why(const struct stat *st)
{
	if (st->st_uid != 0 && st->st_uid != geteuid())
		return "owned by another user, not by root or the effective user";
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return "writable by group or others";
	return NULL;
}
