/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fwjudge.c — from a listener and the addresses it is reachable on to the firewall's verdict on
 * each. */
#include "fwjudge.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

void fw_packet_for(const struct ps_socket *k, const struct reach *r, const struct ps_ifaddr *addrs,
		   size_t naddrs, struct fw_packet *p)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
	memset(p, 0, sizeof *p);
	const uint8_t *a = r->addr.bytes;
	bool v4 = r->addr.family == PS_INET || !memcmp(a, mapped, 12);
	if (r->addr.family == PS_INET6 && v4)
		a += 12;
	p->family = v4 ? 4 : 6;
	memcpy(p->daddr, a, v4 ? 4 : 16);
	p->l4proto = k->proto == PS_TCP ? IPPROTO_TCP : IPPROTO_UDP;
	p->dport = k->local.port;
	p->iifname = r->ifname;
	for (size_t i = 0; i < naddrs && r->ifname; i++)
		if (addrs[i].ifname && !strcmp(addrs[i].ifname, r->ifname)) {
			p->iif = addrs[i].ifindex;
			break;
		}
	bool multicast = v4 ? (a[0] & 0xF0) == 0xE0 : a[0] == 0xFF;
	bool broadcast = v4 && a[0] == 255 && a[1] == 255 && a[2] == 255 && a[3] == 255;
	p->daddr_type = multicast ? FW_RTN_MULTICAST : broadcast ? FW_RTN_BROADCAST : FW_RTN_LOCAL;
	p->local = exposure_classify(&r->addr) == PS_EXPO_LOOPBACK;
}

/* Whether the legacy table list names a table of this family ("ip:..." for 4, "ip6:..." for 6). */
static bool legacy_for(const char *legacy, unsigned family)
{
	const char *want = family == 4 ? "ip:" : "ip6:";
	for (const char *p = legacy; p && *p; p += strcspn(p, " "), p += *p == ' ') {
		if (!strncmp(p, want, strlen(want)))
			return true;
	}
	return false;
}

int fw_judge_reach(const struct fw_ruleset *rs, const char *why_not, const char *legacy,
		   const struct ps_socket *k, const struct reach *r, size_t nr,
		   const struct ps_ifaddr *addrs, size_t naddrs, struct fw_reach_verdict *out)
{
	memset(out, 0, nr * sizeof *out);
	for (size_t i = 0; i < nr; i++) {
		struct fw_reach_verdict *v = &out[i];
		v->rule = v->accept_rule = v->forward_rule = (struct fw_ruleref){-1, -1};
		if (!rs) {
			v->reach = FW_REACH_NOT_READ;
			v->why = why_not;
			continue;
		}
		struct fw_packet p;
		struct fw_result res;
		fw_packet_for(k, &r[i], addrs, naddrs, &p);
		if (fw_evaluate(rs, &p, &res))
			goto oom;
		v->reach = res.reach;
		v->why = res.why;
		v->accept_rule = res.accept_by;
		v->forward_rule = res.forward_by;
		v->rule = res.reach == FW_REACH_UNKNOWN ? res.unknown_by
			  : res.reach == FW_REACH_ALL	? res.accept_by
			  : res.drop_by.chain >= 0	? res.drop_by
							: res.forward_by;
		if (legacy_for(legacy, p.family) &&
		    (res.reach == FW_REACH_ALL || res.reach == FW_REACH_SOME)) {
			v->reach = FW_REACH_UNKNOWN;
			v->why = "iptables-legacy rules, which are not visible through nf_tables, "
				 "may drop it";
			v->rule = (struct fw_ruleref){-1, -1};
			fw_result_free(&res);
			continue;
		}
		if (res.reach == FW_REACH_SOME) {
			/* Room for two prefixes per range (nft sets hold prefixes); a longer
			 * list ends in ",...". */
			size_t cap = res.accepted.n * 2 * 45 + 64;
			if (!(v->sources = malloc(cap))) {
				fw_result_free(&res);
				goto oom;
			}
			fw_srcset_format(&res.accepted, v->sources, cap);
			v->src_known = true;
			v->src_class = (uint8_t)fw_srcset_widest(&res.accepted);
		}
		fw_result_free(&res);
	}
	return 0;
oom:
	fw_reach_verdicts_free(out, nr);
	return -ENOMEM;
}

void fw_reach_verdicts_free(struct fw_reach_verdict *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].sources);
		v[i].sources = NULL;
	}
}

int fw_reach_class(const struct reach *r, const struct fw_reach_verdict *v)
{
	int c = (int)exposure_classify(&r->addr);
	if (c == PS_EXPO_ALL)
		c = PS_EXPO_PUBLIC;
	if (v->reach == FW_REACH_SOME) {
		int s = v->src_known ? v->src_class : PS_EXPO_PUBLIC;
		/* a public address that only private hosts may reach is reached from private ones
		 */
		if (s < c)
			c = s;
	}
	return c;
}

int fw_effective_exposure(const struct reach *r, const struct fw_reach_verdict *v, size_t n)
{
	int widest = -1;
	for (size_t i = 0; i < n; i++) {
		if (v[i].reach == FW_REACH_NONE)
			continue;
		int c = fw_reach_class(&r[i], &v[i]);
		if (c > widest)
			widest = c;
	}
	return widest;
}

int fw_rule_text(const struct fw_ruleset *rs, struct fw_ruleref ref, struct buf *out)
{
	if (ref.chain < 0 || (size_t)ref.chain >= rs->nchains)
		return 0;
	const struct fw_chain *c = &rs->chains[ref.chain];
	int rc = buf_printf(out, "%s %s %s", fw_family_name(c->family), c->table, c->name);
	if (rc || ref.rule < 0 || (size_t)ref.rule >= c->nrules)
		return rc ? rc : buf_printf(out, " policy %s", fw_verdict_name(c->policy));
	const struct fw_rule *r = &c->rules[ref.rule];
	rc = buf_printf(out, " rule %d (handle %llu): %s", ref.rule + 1,
			(unsigned long long)r->handle, fw_verdict_name(r->v.kind));
	if (!rc && r->v.chain >= 0 && (size_t)r->v.chain < rs->nchains)
		rc = buf_printf(out, " %s", rs->chains[r->v.chain].name);
	if (!rc && r->unknown)
		rc = buf_printf(out, "; not decoded: %s", r->unknown);
	if (!rc && r->comment)
		rc = buf_printf(out, "; comment \"%s\"",
				r->comment); /* raw bytes: the renderer escapes */
	return rc;
}
