/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wfwpolicy.c — naming and releasing the Windows Firewall policy model. */
#include "wfwpolicy.h"

#include <stdlib.h>
#include <string.h>

const char *wfw_profile_name(unsigned bit)
{
	return bit == WFW_DOMAIN    ? "domain"
	       : bit == WFW_PRIVATE ? "private"
	       : bit == WFW_PUBLIC  ? "public"
				    : "?";
}

void wfw_rule_free(struct wfw_rule *r)
{
	free(r->name);
	free(r->local_ports);
	free(r->local_addrs);
	free(r->remote_addrs);
	free(r->app);
	free(r->service);
	free(r->interface_types);
	free(r->unhandled);
	memset(r, 0, sizeof *r);
}

void wfw_policy_free(struct wfw_policy *pol)
{
	for (size_t i = 0; i < pol->nrules; i++)
		wfw_rule_free(&pol->rules[i]);
	free(pol->rules);
	memset(pol, 0, sizeof *pol);
}
