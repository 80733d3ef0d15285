/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fwstage.c — the firewall judged by its tag: verdicts per listener and forwards in the model. */
#include "fwstage.h"

#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/buf.h"
#include "fwdnat.h"
#include "fwjudge.h"
#include "verdict.h"
#include "wfw.h"

/* What was read, for the snapshot (JSON "firewall"): counts, legacy tables, why not. */
static int fw_record(const struct ps_fw_source *src, struct ps_firewall *f)
{
	f->read = src->kind != PS_FW_SRC_NONE;
	f->err = src->err;
	f->rules = src->policy.nrules;
	for (size_t i = 0; i < src->rules.nchains; i++)
		f->rules += src->rules.chains[i].nrules;
	f->chains = src->rules.nchains;
	if ((src->why && !(f->why = strdup(src->why))) ||
	    (src->legacy && !(f->legacy = strdup(src->legacy))))
		return -ENOMEM;
	return 0;
}

int fw_context_open(struct fw_context *c, struct ps_fw_source *src, struct ps_snapshot *snap)
{
	memset(c, 0, sizeof *c);
	c->src = *src;
	memset(src, 0, sizeof *src);
	c->netns = snap->netns;
	if (c->src.kind == PS_FW_SRC_NONE && !c->src.why &&
	    fwsource_none(&c->src, c->src.unread, c->src.err,
			  "the firewall's rules could not be read"))
		return -ENOMEM;
	if (!(snap->firewall = calloc(1, sizeof *snap->firewall)))
		return -ENOMEM;
	return fw_record(&c->src, snap->firewall);
}

int fw_context_add_netns(struct fw_context *c, uint64_t netns, struct ps_fw_source *src)
{
	struct fw_nsfw *o = realloc(c->others, (c->nothers + 1) * sizeof *o);
	if (!o)
		return -ENOMEM;
	c->others = o;
	o[c->nothers] = (struct fw_nsfw){netns, *src};
	memset(src, 0, sizeof *src);
	struct ps_fw_source *got = &o[c->nothers++].src;
	if (got->kind == PS_FW_SRC_NONE && !got->why &&
	    fwsource_none(got, got->unread, got->err, "the firewall's rules could not be read"))
		return -ENOMEM;
	return 0;
}

void fw_context_free(struct fw_context *c)
{
	for (size_t i = 0; i < c->nothers; i++)
		fwsource_free(&c->others[i].src);
	free(c->others);
	fwsource_free(&c->src);
	free(c->fwd);
	memset(c, 0, sizeof *c);
}

/*
 * The Windows Firewall's verdict at each of the nr addresses r[] listener k is
 * reachable on, into out[] (parallel; fw_ruleref.chain holds the deciding
 * profile's bit, -1 for none, and .rule the rule's index or -1 for the profile's
 * own setting). The program and services as wfw_listener_owner tells. 0 or -ENOMEM.
 */
static int wfw_judge_reach(const struct wfw_policy *pol, const struct ps_snapshot *snap,
			   const struct ps_socket *k, const struct reach *r, size_t nr,
			   struct fw_reach_verdict *out)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
	struct wfw_listener l = {.protocol = k->proto == PS_TCP ? IPPROTO_TCP : IPPROTO_UDP,
				 .port = k->local.port};
	wfw_listener_owner(&l, snap, k);
	for (size_t i = 0; i < nr; i++) {
		l.addr = r[i].addr;
		if (l.addr.family == PS_INET6 && !memcmp(l.addr.bytes, mapped, 12)) {
			l.addr.family = PS_INET;
			memmove(l.addr.bytes, l.addr.bytes + 12, 4);
		}
		l.loopback = exposure_classify(&r[i].addr) == PS_EXPO_LOOPBACK;
		struct wfw_verdict w;
		if (wfw_judge(pol, &l, &w)) {
			fw_reach_verdicts_free(out, i);
			return -ENOMEM;
		}
		int32_t prof = w.profile ? (int32_t)w.profile : -1;
		out[i] = (struct fw_reach_verdict){
		    .reach = w.reach,
		    .sources = w.sources,
		    .rule = {prof, (int32_t)w.rule},
		    .accept_rule = {w.accept_rule == WFW_NO_RULE ? -1 : prof,
				    (int32_t)w.accept_rule},
		    .forward_rule = {-1, -1},
		    .why = w.why};
	}
	return 0;
}

/* A Windows Firewall rule (ref as wfw_judge_reach makes it) as model data. 0 or -ENOMEM. */
static int wfw_rule_view(const struct wfw_policy *pol, struct fw_ruleref ref, struct verdicts *vs,
			 struct ps_fw_rule *out)
{
	if (ref.chain <= 0)
		return 0;
	char *text;
	int rc = wfw_rule_text(pol, (unsigned)ref.chain, ref.rule, &text);
	if (rc)
		return rc;
	out->family = "windows";
	out->handle_known = false; /* Windows rules have names, not handles */
	rc = verdicts_intern(vs, wfw_profile_name((unsigned)ref.chain), &out->table);
	if (!rc)
		rc = verdicts_intern(vs, "inbound", &out->chain);
	if (!rc)
		rc = verdicts_intern(vs, text, &out->text);
	free(text);
	return rc;
}

/* A rule reference as model data; texts interned in vs. 0 or -ENOMEM. */
static int rule_view(const struct ps_fw_source *src, struct fw_ruleref ref, struct verdicts *vs,
		     struct ps_fw_rule *out)
{
	memset(out, 0, sizeof *out);
	if (src->kind == PS_FW_SRC_WINDOWS)
		return wfw_rule_view(&src->policy, ref, vs, out);
	const struct fw_ruleset *rs = &src->rules;
	if (ref.chain < 0 || (size_t)ref.chain >= rs->nchains)
		return 0;
	const struct fw_chain *ch = &rs->chains[ref.chain];
	out->family = fw_family_name(ch->family);
	out->handle_known = ref.rule >= 0 && (size_t)ref.rule < ch->nrules;
	out->handle = out->handle_known ? ch->rules[ref.rule].handle : 0;
	struct buf text = {0};
	int rc = fw_rule_text(rs, ref, &text);
	if (!rc)
		rc = verdicts_intern(vs, ch->table, &out->table);
	if (!rc)
		rc = verdicts_intern(vs, ch->name, &out->chain);
	if (!rc)
		rc = verdicts_intern(vs, text.data, &out->text);
	buf_free(&text);
	return rc;
}

/* Whether any of r[0..n) is beyond loopback. */
static bool any_beyond(const struct reach *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (exposure_classify(&r[i].addr) != PS_EXPO_LOOPBACK)
			return true;
	return false;
}

/* Whether an address counts for the summary: the addresses beyond loopback (all of them when
 * there are none). */
static bool summarised(const struct reach *r, bool beyond)
{
	return !beyond || exposure_classify(&r->addr) != PS_EXPO_LOOPBACK;
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The distinct sources accepted at the summarised addresses with a "some" verdict, sorted and
 * comma-separated, interned into *out (NULL when none). 0 or -ENOMEM. */
static int summary_sources(const struct reach *r, const struct ps_fw_at *at, size_t n,
			   struct verdicts *vs, const char **out)
{
	struct buf all = {0};
	int rc = 0;
	bool beyond = any_beyond(r, n);
	*out = NULL;
	for (size_t i = 0; i < n && !rc; i++)
		if (at[i].verdict == PS_FW_SOME && at[i].sources && summarised(&r[i], beyond))
			rc = buf_printf(&all, "%s%s", all.len ? "," : "", at[i].sources);
	if (rc || !all.len) {
		buf_free(&all);
		return rc;
	}
	/* split in place, sort, join the distinct ones */
	size_t np = 1;
	for (size_t i = 0; i < all.len; i++)
		np += all.data[i] == ',';
	char **parts = malloc(np * sizeof *parts);
	struct buf joined = {0};
	if (!parts) {
		buf_free(&all);
		return -ENOMEM;
	}
	np = 0;
	for (char *p = all.data, *end; p; p = end ? end + 1 : NULL) {
		end = strchr(p, ',');
		if (end)
			*end = '\0';
		parts[np++] = p;
	}
	qsort(parts, np, sizeof *parts, cmp_strp);
	for (size_t i = 0; i < np && !rc; i++)
		if (!i || strcmp(parts[i - 1], parts[i]))
			rc = buf_printf(&joined, "%s%s", joined.len ? "," : "", parts[i]);
	if (!rc)
		rc = verdicts_intern(vs, joined.data, out);
	free(parts);
	buf_free(&all);
	buf_free(&joined);
	return rc;
}

/* One verdict over the addresses beyond loopback (all of them when there are none). */
static uint8_t summary(const struct reach *r, const struct ps_fw_at *at, size_t n)
{
	size_t seen = 0, all = 0, none = 0, unknown = 0, notread = 0;
	bool beyond = any_beyond(r, n);
	for (size_t i = 0; i < n; i++) {
		if (!summarised(&r[i], beyond))
			continue;
		seen++;
		all += at[i].verdict == PS_FW_ALL;
		none += at[i].verdict == PS_FW_NONE;
		unknown += at[i].verdict == PS_FW_UNKNOWN;
		notread += at[i].verdict == PS_FW_NOT_READ;
	}
	return notread	      ? PS_FW_NOT_READ
	       : unknown      ? PS_FW_UNKNOWN
	       : all == seen  ? PS_FW_ALL
	       : none == seen ? PS_FW_NONE
			      : PS_FW_SOME;
}

/* "the rules of network namespace NAME are not read" for k's namespace, into b. 0 or -ENOMEM. */
static int other_netns_why(const struct ps_snapshot *snap, const struct ps_socket *k, struct buf *b)
{
	const char *name = NULL;
	for (size_t i = 0; i < snap->nnets && !name; i++)
		if (snap->nets[i].inode == k->netns)
			name = snap->nets[i].name;
	return name ? buf_printf(b, "the rules of network namespace %s are not read", name)
		    : buf_printf(b, "the rules of network namespace %" PRIu64 " are not read",
				 k->netns);
}

/* What a firewall that was not read still decides: Windows Firewall never filters loopback. */
static void unread_known(const struct ps_fw_source *src, const struct reach *r, size_t n,
			 struct fw_reach_verdict *fv)
{
	for (size_t i = 0; i < n && src->unread == PS_FW_SRC_WINDOWS; i++)
		if (exposure_classify(&r[i].addr) == PS_EXPO_LOOPBACK)
			fv[i] = (struct fw_reach_verdict){
			    .reach = FW_REACH_ALL,
			    .rule = {-1, -1},
			    .accept_rule = {-1, -1},
			    .forward_rule = {-1, -1},
			    .why =
				"connections over loopback are not filtered by Windows Firewall"};
}

/* The firewall that judges listener k: its namespace's, NULL when that one was not read. */
static const struct ps_fw_source *source_of(const struct fw_context *c, const struct ps_socket *k)
{
	if (k->netns == c->netns || !k->netns)
		return &c->src;
	for (size_t i = 0; i < c->nothers; i++)
		if (c->others[i].netns == k->netns)
			return &c->others[i].src;
	return NULL;
}

/*
 * The verdicts at listener k's reachable addresses v->reach into fv[], from the judge
 * of src, the firewall of k's namespace (by its tag); a firewall that was not read,
 * and a namespace whose firewall was not asked for (src NULL), get "not-read" (the why
 * of the latter is in *other: the verdicts point into it). 0 or -ENOMEM.
 */
static int judge_reach(const struct ps_fw_source *src, const struct ps_snapshot *snap,
		       const struct ps_socket *k, const struct sock_verdict *v,
		       struct fw_reach_verdict *fv, struct buf *other)
{
	const struct ps_ifaddr *a;
	size_t na = snap_addrs_of(snap->addrs, snap->naddrs, k->netns ? k->netns : snap->netns, &a);
	if (src && src->kind == PS_FW_SRC_WINDOWS)
		return wfw_judge_reach(&src->policy, snap, k, v->reach, v->nreach, fv);
	if (src && src->kind == PS_FW_SRC_NETFILTER)
		return fw_judge_reach(&src->rules, NULL, src->legacy, k, v->reach, v->nreach, a, na,
				      fv);
	int rc = src ? 0 : other_netns_why(snap, k, other);
	if (!rc)
		rc = fw_judge_reach(NULL, src ? src->why : other->data, src ? src->legacy : NULL, k,
				    v->reach, v->nreach, a, na, fv);
	if (!rc && src)
		unread_known(src, v->reach, v->nreach, fv);
	return rc;
}

/* The verdict fv at one reachable address r as model data into at; texts interned in vs. */
static int verdict_at(const struct ps_fw_source *src, const struct reach *r,
		      const struct fw_reach_verdict *fv, struct verdicts *vs, struct ps_fw_at *at)
{
	at->verdict = fv->reach == FW_REACH_NOT_READ ? PS_FW_NOT_READ
		      : fv->reach == FW_REACH_ALL    ? PS_FW_ALL
		      : fv->reach == FW_REACH_SOME   ? PS_FW_SOME
		      : fv->reach == FW_REACH_NONE   ? PS_FW_NONE
						     : PS_FW_UNKNOWN;
	at->reach_class = (uint8_t)fw_reach_class(r, fv);
	int rc = verdicts_intern(vs, fv->sources, &at->sources);
	if (!rc)
		rc = verdicts_intern(vs, fv->why, &at->why);
	if (!rc && at->verdict != PS_FW_NOT_READ)
		rc = rule_view(src, fv->rule, vs, &at->rule);
	if (!rc && at->verdict == PS_FW_SOME)
		rc = rule_view(src, fv->accept_rule, vs, &at->accept_rule);
	if (!rc && at->verdict != PS_FW_NOT_READ)
		rc = rule_view(src, fv->forward_rule, vs, &at->forwarded_by);
	return rc;
}

static bool same_ref(struct fw_ruleref a, struct fw_ruleref b)
{
	return a.chain == b.chain && a.rule == b.rule;
}

/* Whether two addresses' verdicts make the same model record (verdict_at). */
static bool same_verdict(const struct fw_reach_verdict *a, const struct fw_reach_verdict *b)
{
	return a->reach == b->reach && a->why == b->why && same_ref(a->rule, b->rule) &&
	       same_ref(a->accept_rule, b->accept_rule) &&
	       same_ref(a->forward_rule, b->forward_rule) && a->src_known == b->src_known &&
	       a->src_class == b->src_class &&
	       (a->sources == b->sources ||
		(a->sources && b->sources && strcmp(a->sources, b->sources) == 0));
}

int fw_judge_listener(const struct fw_context *c, const struct ps_snapshot *snap,
		      const struct ps_socket *k, struct verdicts *vs, struct sock_verdict *v)
{
	size_t n = v->nreach;
	/* one record per reachable address (never none: v->fw says the firewall was looked at) */
	struct fw_reach_verdict *fv = calloc(n ? n : 1, sizeof *fv);
	if (!(v->fw = calloc(n ? n : 1, sizeof *v->fw)) || !fv) {
		free(fv);
		return -ENOMEM;
	}
	struct buf other = {0};
	const struct ps_fw_source *src = source_of(c, k);
	int rc = judge_reach(src, snap, k, v, fv, &other);
	for (size_t i = 0; i < n && !rc; i++)
		if (i && same_verdict(&fv[i], &fv[i - 1]) &&
		    fw_reach_class(&v->reach[i], &fv[i]) == v->fw[i - 1].reach_class)
			v->fw[i] =
			    v->fw[i -
				  1]; /* a wildcard's thousands of addresses: texts interned once */
		else
			rc = verdict_at(src, &v->reach[i], &fv[i], vs, &v->fw[i]);
	if (!rc) {
		v->fw_summary = summary(v->reach, v->fw, n);
		if (v->fw_summary == PS_FW_SOME)
			rc = summary_sources(v->reach, v->fw, n, vs, &v->fw_sources);
		int widest = -1, let = fw_effective_exposure(v->reach, fv, n);
		for (size_t i = 0; i < n; i++)
			if ((int)exposure_classify(&v->reach[i].addr) > widest)
				widest = (int)exposure_classify(&v->reach[i].addr);
		if (let < widest)
			v->scope = let < 0 ? PS_EXPO_LOOPBACK : (enum ps_exposure)let;
	}
	fw_reach_verdicts_free(fv, n);
	free(fv);
	buf_free(&other);
	return rc;
}

bool fw_port_blind(const struct fw_context *c, const struct ps_socket *k)
{
	if (!c)
		return true;
	const struct ps_fw_source *src = source_of(c, k);
	return !src || src->kind == PS_FW_SRC_NONE ||
	       (src->kind == PS_FW_SRC_NETFILTER && src->rules.nchains == 0);
}

bool fw_owner_blind(const struct fw_context *c, const struct ps_socket *k)
{
	if (!c)
		return true;
	const struct ps_fw_source *src = source_of(c, k);
	return !src || src->kind != PS_FW_SRC_WINDOWS;
}

/* ------------------------------------------------------------------ forwards */

static const char *proto_of(unsigned l4)
{
	/* IANA protocol numbers, as the rules carry them (not every C library names SCTP's) */
	return l4 == 6 ? "tcp" : l4 == 17 ? "udp" : l4 == 132 ? "sctp" : l4 ? "other" : NULL;
}

static int addr_text(const uint8_t *a, unsigned family, char **out)
{
	struct ps_addr pa = {.family = family == 4 ? PS_INET : PS_INET6};
	memcpy(pa.bytes, a, family == 4 ? 4 : 16);
	char text[64];
	return (*out = strdup(addr_format(&pa, text, sizeof text))) ? 0 : -ENOMEM;
}

static bool addr_is(const struct ps_addr *a, const uint8_t *b, unsigned family)
{
	return a->family == (family == 4 ? PS_INET : PS_INET6) &&
	       !memcmp(a->bytes, b, family == 4 ? 4 : 16);
}

/* The namespace holding the forward's target address among a[0..n), or 0. */
static uint64_t target_netns(const struct fw_forward *x, const struct ps_ifaddr *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (addr_is(&a[i].addr, x->to.addr_lo, x->family))
			return a[i].netns;
	return 0;
}

/* Who listens at the forward's target in namespace ns, and the container they belong to. */
static int target_owners(const struct fw_forward *x, struct ps_forward *m,
			 const struct ps_snapshot *snap)
{
	uint16_t port = x->to.has_port ? x->to.port_lo : x->port_lo;
	unsigned proto = x->l4proto == IPPROTO_UDP ? PS_UDP : PS_TCP;
	for (size_t i = 0; i < snap->nsocks; i++) {
		const struct ps_socket *k = &snap->socks[i];
		if (k->netns != m->target_netns || k->local.port != port || k->proto != proto ||
		    !socket_is_listener(k))
			continue;
		if (x->to.has_addr && !addr_is_any(&k->local.addr) &&
		    !addr_is(&k->local.addr, x->to.addr_lo, x->family))
			continue;
		for (size_t j = 0; j < k->owner_count; j++) {
			const struct ps_proc *p = &snap->procs[snap_owner(snap, k, j)->proc];
			bool dup = false;
			for (size_t d = 0; d < m->nowners; d++)
				dup = dup || m->owners[d].pid == p->pid;
			if (dup)
				continue;
			struct ps_fw_owner *no = realloc(m->owners, (m->nowners + 1) * sizeof *no);
			if (!no)
				return -ENOMEM;
			m->owners = no;
			no[m->nowners] = (struct ps_fw_owner){p->pid, NULL};
			if (p->name && !(no[m->nowners].name = strdup(p->name)))
				return -ENOMEM;
			m->nowners++;
			if (!m->container_id && p->container) {
				m->container_runtime = p->container_runtime;
				if (!(m->container_id = strdup(p->container)) ||
				    (p->container_name &&
				     !(m->container_name = strdup(p->container_name))))
					return -ENOMEM;
			}
		}
	}
	for (size_t i = 0; i < snap->nnets && !m->target_netns_name; i++)
		if (snap->nets[i].inode == m->target_netns && snap->nets[i].name &&
		    !(m->target_netns_name = strdup(snap->nets[i].name)))
			return -ENOMEM;
	return 0;
}

/* Forward x as model data into m; 1: not one the user's filter f wants. */
static int forward_model(const struct fw_ruleset *rs, const struct fw_forward *x,
			 struct ps_forward *m, const struct ps_filter *f)
{
	memset(m, 0, sizeof *m);
	m->proto = proto_of(x->l4proto);
	m->family = x->family;
	m->port = x->port_lo;
	m->port_end = x->port_hi;
	m->kind = x->redirect ? "redirect" : "dnat";
	m->prerouting = x->prerouting;
	m->output = x->output;
	m->runtime = x->runtime;
	if (x->to.has_port) {
		m->to_port = x->to.port_lo;
		m->to_port_end = x->to.port_hi;
	}
	int rc = 0;
	if (x->has_daddr) {
		char text[128];
		struct fw_srcset s = {
		    .r = (struct fw_range *)&x->daddr, .n = 1, .len = x->family == 4 ? 4 : 16};
		fw_srcset_format(&s, text, sizeof text);
		rc = (m->addr = strdup(text)) ? 0 : -ENOMEM;
	}
	if (!rc && x->to.has_addr)
		rc = addr_text(x->to.addr_lo, x->family, &m->to_addr);
	const struct fw_chain *ch = &rs->chains[x->rule.chain];
	if (!rc && (!(m->rule_family = strdup(fw_family_name(ch->family))) ||
		    !(m->rule_table = strdup(ch->table)) || !(m->rule_chain = strdup(ch->name))))
		rc = -ENOMEM;
	if (!rc && x->rule.rule >= 0)
		m->rule_handle = ch->rules[x->rule.rule].handle;
	if (!rc && !filter_match_forward(f, m))
		return 1;
	return rc;
}

/* A netsh interface portproxy rule as model data into m; 1: not one filter f wants. */
static int portproxy_model(const struct wfw_portproxy *x, struct ps_forward *m,
			   const struct ps_filter *f)
{
	memset(m, 0, sizeof *m);
	m->proto = "tcp";
	m->family = x->kind[1] == '6' ? 6 : 4;
	m->port = m->port_end = x->listen_port;
	m->to_port = m->to_port_end = x->connect_port;
	m->kind = "portproxy";
	m->prerouting = m->output = true; /* a listener: reached from outside and from here */
	if ((x->listen_addr && !(m->addr = strdup(x->listen_addr))) ||
	    !(m->to_addr = strdup(x->connect_addr)) || !(m->rule_family = strdup("netsh")) ||
	    !(m->rule_table = strdup("interface portproxy")) || !(m->rule_chain = strdup(x->kind)))
		return -ENOMEM;
	return filter_match_forward(f, m) ? 0 : 1;
}

/* The Windows port proxies (read with the firewall, whether or not its policy was) as forwards. */
static int wfw_forwards_model(const struct wfw_policy *pol, struct ps_firewall *fm,
			      const struct ps_filter *f)
{
	if (pol->nproxies && !(fm->fwd = calloc(pol->nproxies, sizeof *fm->fwd)))
		return -ENOMEM;
	int rc = 0;
	for (size_t i = 0; i < pol->nproxies && rc >= 0; i++) {
		rc = portproxy_model(&pol->proxies[i], &fm->fwd[fm->nfwd], f);
		if (rc == 1)
			forward_free(&fm->fwd[fm->nfwd]); /* not asked for */
		else
			fm->nfwd++; /* released with the rest even when half made */
	}
	return rc < 0 ? rc : 0;
}

int fw_forwards_model(struct fw_context *c, struct ps_snapshot *snap, const struct ps_filter *f)
{
	if (snap->firewall &&
	    (c->src.kind == PS_FW_SRC_WINDOWS || c->src.unread == PS_FW_SRC_WINDOWS))
		return wfw_forwards_model(&c->src.policy, snap->firewall, f);
	if (c->src.kind != PS_FW_SRC_NETFILTER || !snap->firewall)
		return 0; /* only netfilter's NAT rules forward ports portsleuth reads */
	struct fw_forward *x = NULL;
	size_t n = 0;
	int rc = fw_forwards(&c->src.rules, &x, &n);
	if (rc)
		return rc;
	struct ps_firewall *fm = snap->firewall;
	if (n && !(fm->fwd = calloc(n, sizeof *fm->fwd)))
		rc = -ENOMEM;
	c->fwd = x; /* compacted below to the forwards kept, parallel to fm->fwd */
	for (size_t i = 0; i < n && rc >= 0; i++) {
		struct ps_forward *m = &fm->fwd[fm->nfwd];
		rc = forward_model(&c->src.rules, &x[i], m, f);
		if (rc == 1) {
			forward_free(m); /* not asked for */
			continue;
		}
		fm->nfwd++; /* released with the rest even when half made */
		x[c->nfwd++] = x[i];
		/* a redirect's target is this namespace */
		m->target_netns =
		    x[i].to.has_addr ? target_netns(&x[i], snap->addrs, snap->naddrs) : snap->netns;
		if (!rc && m->target_netns)
			rc = target_owners(&x[i], m, snap);
	}
	return rc < 0 ? rc : 0;
}

bool fw_forwards_unplaced(const struct fw_context *c, const struct ps_snapshot *snap)
{
	bool unread = false;
	for (size_t i = 0; i < snap->nnets && !unread; i++)
		unread = snap->nets[i].inode != snap->netns && !snap->nets[i].addrs_read;
	for (size_t i = 0; unread && snap->firewall && i < c->nfwd; i++)
		if (!snap->firewall->fwd[i].target_netns)
			return true;
	return false;
}

int fw_forwards_place(const struct fw_context *c, struct ps_snapshot *snap,
		      const struct ps_ifaddr *more, size_t n)
{
	int rc = 0;
	for (size_t i = 0; i < c->nfwd && snap->firewall && !rc; i++) {
		struct ps_forward *m = &snap->firewall->fwd[i];
		if (m->target_netns || !c->fwd[i].to.has_addr)
			continue;
		if ((m->target_netns = target_netns(&c->fwd[i], more, n)))
			rc = target_owners(&c->fwd[i], m, snap);
	}
	return rc;
}
