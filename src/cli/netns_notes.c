/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netns_notes.c — the stderr notes about other network namespaces and socket cgroups. */
#include <errno.h>
#include <stdio.h>

#include "common.h"
#include "msg.h"

void cli_print_netns_notes(const struct ps_snapshot *s)
{
	static bool said; /* a live view lists again and again: the notes come once */
	if (said)
		return;
	said = true;
	bool denied = s->netns_error == -EPERM || s->netns_error == -EACCES;
	if (s->all_netns && denied)
		cli_note("--all-ns: only the namespaces we could enter were listed: "
			 "entering another network namespace needs root (CAP_SYS_ADMIN).");
	else if (!s->all_netns && s->netns_other && !s->privileged)
		cli_note("%zu other network namespace%s exist%s; as root, --all-ns (-N) "
			 "lists their sockets too.",
			 s->netns_other, s->netns_other == 1 ? "" : "s",
			 s->netns_other == 1 ? "s" : "");
	else if (!s->all_netns && s->netns_other)
		cli_note(
		    "%zu other network namespace%s exist%s; --all-ns (-N) lists their sockets too.",
		    s->netns_other, s->netns_other == 1 ? "" : "s", s->netns_other == 1 ? "s" : "");
	if (s->sockcg_note)
		cli_note("%s.", s->sockcg_note);
}
