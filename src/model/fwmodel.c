/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fwmodel.c — names and release of the firewall part of the model. */
#include "fwmodel.h"

#include <stdlib.h>
#include <string.h>

const char *fw_verdict_text(unsigned v)
{
	static const char *const names[PS_FW__COUNT] = {"all", "some", "none", "unknown",
							"not-read"};
	return v < PS_FW__COUNT ? names[v] : "unknown";
}

void forward_free(struct ps_forward *f)
{
	free(f->addr);
	free(f->to_addr);
	free(f->rule_family);
	free(f->rule_table);
	free(f->rule_chain);
	free(f->target_netns_name);
	free(f->container_id);
	free(f->container_name);
	for (size_t i = 0; i < f->nowners; i++)
		free(f->owners[i].name);
	free(f->owners);
}

void fwmodel_free(struct ps_firewall *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->nfwd; i++)
		forward_free(&f->fwd[i]);
	free(f->fwd);
	free(f->why);
	free(f->legacy);
	free(f);
}

static bool str_same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

bool forward_same(const struct ps_forward *a, const struct ps_forward *b)
{
	return str_same(a->proto, b->proto) && a->family == b->family &&
	       str_same(a->addr, b->addr) && a->port == b->port && a->port_end == b->port_end &&
	       str_same(a->to_addr, b->to_addr) && a->to_port == b->to_port &&
	       a->to_port_end == b->to_port_end;
}
