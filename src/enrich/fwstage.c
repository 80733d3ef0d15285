/* fwstage.c — the firewall in the pipeline: the rule set read once per run, verdicts per listener,
 * forwards in the model. */
#include "fwstage.h"

#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../platform/firewall_read.h"
#include "../platform/platform.h"
#include "../util/buf.h"
#include "firewall.h"
#include "fwjudge.h"
#include "verdict.h"

/* The Windows Firewall's policy read with result rc (why: a new string, or NULL) into c and f. */
static int wfw_context(struct fw_context *c, struct ps_firewall *f, int rc, char *why)
{
	c->windows = true;
	c->read = f->read = rc == 0;
	f->err = rc;
	if (rc == -ENOMEM || (rc && !why)) {
		free(why);
		return -ENOMEM;
	}
	f->why = why; /* the snapshot owns it; c borrows it as it borrows legacy */
	c->why = why;
	f->rules = c->wfw.nrules;
	if (!c->read)
		wfw_policy_free(&c->wfw);
	c->legacy = f->legacy =
	    NULL; /* there is no iptables-legacy to look for: null, as unknown */
	return 0;
}

int fw_context_read(struct fw_context *c, struct ps_snapshot *snap)
{
	memset(c, 0, sizeof *c);
	c->netns = snap->netns;
	struct ps_firewall *f = snap->firewall = calloc(1, sizeof *f);
	if (!f)
		return -ENOMEM;
	char *wwhy = NULL;
	int rc = platform_wfw_read(&c->wfw, &wwhy);
	if (rc != -ENOSYS)
		return wfw_context(c, f, rc, wwhy);
	rc = platform_firewall_read(&c->rs, &c->why);
	if (rc == -ENOMEM)
		return rc;
	c->read = rc == 0;
	f->read = c->read;
	f->err = rc;
	if (!c->read) {
		fw_ruleset_free(&c->rs);
		if (!c->why)
			c->why = "the firewall's rules could not be read";
		if (!(f->why = strdup(c->why)))
			return -ENOMEM;
	}
	for (size_t i = 0; i < c->rs.nchains; i++)
		f->rules += c->rs.chains[i].nrules;
	f->chains = c->rs.nchains;
	char *legacy = NULL;
	rc = platform_firewall_legacy(&legacy);
	if (rc == -ENOMEM)
		return rc;
	f->legacy = legacy; /* NULL: could not be told */
	c->legacy = legacy;
	return 0;
}

void fw_context_free(struct fw_context *c)
{
	fw_ruleset_free(&c->rs);
	wfw_policy_free(&c->wfw);
	memset(c, 0, sizeof *c);
}

/*
 * The Windows Firewall's verdict at each of the nr addresses r[] listener k is
 * reachable on, into out[] (parallel; fw_ruleref.chain holds the deciding
 * profile's bit, -1 for none, and .rule the rule's index or -1 for the profile's
 * own setting). The program is the owner's image, the service the socket's tag or
 * the services its owner hosts. 0 or -ENOMEM.
 */
static int wfw_judge_reach(const struct wfw_policy *pol, const struct ps_snapshot *snap,
			   const struct ps_socket *k, const struct reach *r, size_t nr,
			   struct fw_reach_verdict *out)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
	struct wfw_listener l = {.protocol = k->proto == PS_TCP ? IPPROTO_TCP : IPPROTO_UDP,
				 .port = k->local.port};
	if (k->owner_count) {
		const struct ps_proc *p = &snap->procs[snap_owner(snap, k, 0)->proc];
		l.app = p->exe;
		if (p->unit_type && !strcmp(p->unit_type, "service"))
			l.host_services = p->unit;
	}
	const struct ps_sockcg *cg = k->sockcg ? &snap->sockcgs[k->sockcg - 1] : NULL;
	if (cg && cg->source && !strcmp(cg->source, "service-tag"))
		l.service = cg->unit;
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
static int rule_view(const struct fw_context *c, struct fw_ruleref ref, struct verdicts *vs,
		     struct ps_fw_rule *out)
{
	memset(out, 0, sizeof *out);
	if (c->windows)
		return wfw_rule_view(&c->wfw, ref, vs, out);
	const struct fw_ruleset *rs = &c->rs;
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
	bool ours = k->netns == c->netns || !k->netns;
	const struct ps_ifaddr *a;
	size_t na = snap_addrs_of(snap->addrs, snap->naddrs, c->netns, &a);
	const char *why = c->why;
	struct buf other = {0};
	int rc = 0;
	if (!ours) { /* only our own rules are read */
		const char *name = NULL;
		for (size_t i = 0; i < snap->nnets && !name; i++)
			if (snap->nets[i].inode == k->netns)
				name = snap->nets[i].name;
		rc = name ? buf_printf(&other, "the rules of network namespace %s are not read",
				       name)
			  : buf_printf(&other,
				       "the rules of network namespace %" PRIu64 " are not read",
				       k->netns);
		why = other.data;
	}
	if (!rc)
		rc = c->windows && c->read && ours
			 ? wfw_judge_reach(&c->wfw, snap, k, v->reach, n, fv)
			 : fw_judge_reach(ours && c->read ? &c->rs : NULL, why, c->legacy, k,
					  v->reach, n, a, na, fv);
	/* Windows Firewall never filters loopback, whether or not its policy could be read */
	for (size_t i = 0; i < n && !rc && c->windows && !c->read; i++)
		if (exposure_classify(&v->reach[i].addr) == PS_EXPO_LOOPBACK)
			fv[i] = (struct fw_reach_verdict){
			    .reach = FW_REACH_ALL,
			    .rule = {-1, -1},
			    .accept_rule = {-1, -1},
			    .forward_rule = {-1, -1},
			    .why =
				"connections over loopback are not filtered by Windows Firewall"};
	for (size_t i = 0; i < n && !rc; i++) {
		struct ps_fw_at *at = &v->fw[i];
		at->verdict = fv[i].reach == FW_REACH_NOT_READ ? PS_FW_NOT_READ
			      : fv[i].reach == FW_REACH_ALL    ? PS_FW_ALL
			      : fv[i].reach == FW_REACH_SOME   ? PS_FW_SOME
			      : fv[i].reach == FW_REACH_NONE   ? PS_FW_NONE
							       : PS_FW_UNKNOWN;
		at->reach_class = (uint8_t)fw_reach_class(&v->reach[i], &fv[i]);
		rc = verdicts_intern(vs, fv[i].sources, &at->sources);
		if (!rc)
			rc = verdicts_intern(vs, fv[i].why, &at->why);
		if (!rc && at->verdict != PS_FW_NOT_READ)
			rc = rule_view(c, fv[i].rule, vs, &at->rule);
		if (!rc && at->verdict == PS_FW_SOME)
			rc = rule_view(c, fv[i].accept_rule, vs, &at->accept_rule);
		if (!rc && at->verdict != PS_FW_NOT_READ)
			rc = rule_view(c, fv[i].forward_rule, vs, &at->forwarded_by);
	}
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

/* Interface addresses of the namespaces snap lists (--all-ns), read on first need. */
struct ns_addrs {
	struct ps_ifaddr *a;
	size_t n;
	bool tried;
};

/* The namespace holding the forward's target address: ours, one snap lists, or 0. */
static uint64_t target_netns(const struct fw_forward *x, const struct ps_snapshot *snap,
			     struct ns_addrs *na)
{
	if (!x->to.has_addr)
		return snap->netns; /* redirect: this namespace */
	/* ours, and those of the namespaces holding a listener (read by the exposure stage) */
	for (size_t i = 0; i < snap->naddrs; i++)
		if (addr_is(&snap->addrs[i].addr, x->to.addr_lo, x->family))
			return snap->addrs[i].netns;
	for (size_t i = 0; na && i < snap->nnets; i++) {
		if (snap->nets[i].inode == snap->netns || snap->nets[i].addrs_read)
			continue;
		if (!na[i].tried) {
			na[i].tried = true;
			/* a list read while it changed still places the target (a best guess) */
			if (platform_netns_addrs(&snap->nets[i], &na[i].a, &na[i].n, NULL, NULL) <
			    0)
				na[i].a = NULL, na[i].n = 0;
		}
		for (size_t j = 0; j < na[i].n; j++)
			if (addr_is(&na[i].a[j].addr, x->to.addr_lo, x->family))
				return snap->nets[i].inode;
	}
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

/* Forward x as model data into m, with its target when the user's filter f wants it; 1: not wanted.
 */
static int forward_model(const struct fw_ruleset *rs, const struct fw_forward *x,
			 struct ps_forward *m, const struct ps_snapshot *snap, struct ns_addrs *na,
			 const struct ps_filter *f)
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
	if (!rc && !forward_match(m, f))
		return 1;
	if (!rc && (m->target_netns = target_netns(x, snap, na)))
		rc = target_owners(x, m, snap);
	return rc;
}

int fw_forwards_model(const struct fw_context *c, struct ps_snapshot *snap,
		      const struct ps_filter *f)
{
	if (!c->read || c->windows || !snap->firewall)
		return 0; /* the Windows Firewall forwards nothing portsleuth reads */
	struct fw_forward *x = NULL;
	size_t n = 0;
	int rc = fw_forwards(&c->rs, &x, &n);
	if (rc)
		return rc;
	struct ps_firewall *fm = snap->firewall;
	struct ns_addrs *na = snap->nnets ? calloc(snap->nnets, sizeof *na) : NULL;
	if (n && !(fm->fwd = calloc(n, sizeof *fm->fwd)))
		rc = -ENOMEM;
	for (size_t i = 0; i < n && rc >= 0; i++) {
		rc = forward_model(&c->rs, &x[i], &fm->fwd[fm->nfwd], snap, na, f);
		if (rc == 1)
			forward_free(&fm->fwd[fm->nfwd]); /* not asked for */
		else
			fm->nfwd++; /* released with the rest even when half made */
	}
	rc = rc < 0 ? rc : 0;
	for (size_t i = 0; na && i < snap->nnets; i++)
		platform_ifaddrs_free(na[i].a, na[i].n);
	free(na);
	free(x);
	return rc;
}
