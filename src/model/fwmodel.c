/* fwmodel.c — names and release of the firewall part of the model. */
#include "fwmodel.h"

#include <stdlib.h>

const char *fw_verdict_text(unsigned v)
{
	static const char *const names[PS_FW__COUNT] = {"all", "some", "none", "unknown", "not-read"};
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
