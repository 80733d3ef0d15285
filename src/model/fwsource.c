/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fwsource.c — building and releasing a tagged firewall source. */
#include "fwsource.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int fwsource_none(struct ps_fw_source *s, unsigned unread, int err, const char *why)
{
	fw_ruleset_free(&s->rules);
	wfw_policy_free(&s->policy);
	free(s->why);
	s->kind = PS_FW_SRC_NONE;
	s->unread = (uint8_t)unread;
	s->err = err;
	s->why = why ? strdup(why) : NULL;
	return why && !s->why ? -ENOMEM : 0;
}

void fwsource_free(struct ps_fw_source *s)
{
	fw_ruleset_free(&s->rules);
	wfw_policy_free(&s->policy);
	free(s->why);
	free(s->legacy);
	memset(s, 0, sizeof *s);
}
