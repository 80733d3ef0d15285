/* fwmodel.c — names and release of the firewall part of the model. */
#include "fwmodel.h"

#include <stdlib.h>
#include <string.h>

#include "filter.h"

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

static bool port_overlap(uint16_t lo, uint16_t hi, const struct ps_portspec *p)
{
	return p->lo <= hi && lo <= p->hi;
}

bool forward_match(const struct ps_forward *f, const struct ps_filter *flt)
{
	bool tcp = f->proto && !strcmp(f->proto, "tcp"), udp = f->proto && !strcmp(f->proto, "udp");
	if (f->proto && !tcp && !udp)
		return false; /* sctp and the like: portsleuth lists neither */
	if ((tcp && !(flt->protos & (1u << PS_TCP))) || (udp && !(flt->protos & (1u << PS_UDP))))
		return false;
	if (!(flt->families & PS_FAM_BIT(f->family == 6 ? PS_INET6 : PS_INET)))
		return false;
	if (!flt->nports)
		return true;
	bool any = !f->port && !f->port_end;
	for (size_t i = 0; i < flt->nports; i++) {
		const struct ps_portspec *p = &flt->ports[i];
		if ((tcp && !(p->protos & (1u << PS_TCP))) ||
		    (udp && !(p->protos & (1u << PS_UDP))))
			continue;
		if (any || port_overlap(f->port, f->port_end, p) ||
		    (f->to_port && port_overlap(f->to_port, f->to_port_end, p)))
			return true;
	}
	return false;
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
