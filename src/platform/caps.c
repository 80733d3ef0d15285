/* SPDX-License-Identifier: GPL-2.0-or-later */
/* caps.c — what the running platform can see, derived once from its ops table. */
#include "platform.h"

const struct platform_caps *platform_caps(void)
{
	static struct platform_caps caps;
	if (!caps.name) /* the ops are constant: every caller derives the same answer */
		caps = platform_caps_of(&platform_ops);
	return &caps;
}
