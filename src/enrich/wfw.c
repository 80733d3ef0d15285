/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wfw.c — the Windows Firewall's verdict on a listener, from a plain copy of its rules (portable:
 * the COM reader lives in src/platform/windows/firewall.c). */
#include "wfw.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/buf.h"
#include "../util/str.h"
#include "fweval.h"

enum { NO = 0, YES = 1, UNKNOWN = -1 };

static bool any_text(const char *s)
{
	return !s || !*s || !strcmp(s, "*");
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* ASCII case-insensitive equality of a[0..n) and b (Windows folds more; see the README). */
static bool same_ci(const char *a, size_t n, const char *b)
{
	for (size_t i = 0; i < n; i++, b++)
		if (!*b || lower((unsigned char)a[i]) != lower((unsigned char)*b))
			return false;
	return !*b;
}

/* The next comma-separated token of *p, blanks trimmed; false at the end. */
static bool next_token(const char **p, const char **tok, size_t *len)
{
	while (**p == ',' || **p == ' ')
		(*p)++;
	if (!**p)
		return false;
	const char *s = *p, *e = s + strcspn(s, ",");
	*p = e;
	while (e > s && e[-1] == ' ')
		e--;
	*tok = s;
	*len = (size_t)(e - s);
	return true;
}

/* ---------------------------------------------------------------- conditions */

static int match_ports(const char *ports, uint16_t port, const char **why)
{
	if (any_text(ports))
		return YES;
	const char *tok;
	size_t len;
	int out = NO;
	for (const char *p = ports; next_token(&p, &tok, &len);) {
		char *end;
		unsigned long lo = strtoul(tok, &end, 10), hi = lo;
		if (end < tok + len && *end == '-')
			hi = strtoul(end + 1, &end, 10);
		if (len >= 7 && same_ci(tok, 7, "IPHTTPS") &&
		    (len == 7 || same_ci(tok + 7, len - 7, "In"))) {
			if (port == 443)
				return YES; /* IP-HTTPS is served by http.sys on 443 (a port set
					       with netsh interface httpstunnel is not read) */
		} else if (end != tok + len || tok[0] < '0' || tok[0] > '9' || lo > 65535 ||
			   hi > 65535) {
			*why = "a local port keyword (such as RPC or Teredo) is not decoded";
			out = UNKNOWN;
		} else if (port >= lo && port <= hi) {
			return YES;
		}
	}
	return out;
}

/* Parse the address token tok (len bytes) for an address of `alen` bytes into *r: 1 parsed,
 * 0 an address of the other family, -1 not decoded (a keyword such as LocalSubnet). */
static int addr_token(const char *tok, size_t len, unsigned alen, struct fw_range *r)
{
	char buf[100];
	if (len == 0 || len >= sizeof buf)
		return -1;
	memcpy(buf, tok, len);
	buf[len] = 0;
	char *dash = strchr(buf, '-'), *slash = strchr(buf, '/');
	if (dash)
		*dash = 0;
	if (slash)
		*slash = 0;
	bool v6 = strchr(buf, ':') != NULL;
	int af = v6 ? AF_INET6 : AF_INET;
	uint8_t lo[16], hi[16];
	if (inet_pton(af, buf, lo) != 1)
		return -1;
	unsigned mylen = v6 ? 16 : 4;
	memcpy(hi, lo, mylen);
	if (dash && inet_pton(af, dash + 1, hi) != 1)
		return -1;
	if (slash) {
		uint8_t mask[16] = {0};
		char *end;
		unsigned long plen = strtoul(slash + 1, &end, 10);
		if (!*end && slash[1] && plen <= mylen * 8) {
			for (unsigned i = 0; i < plen; i++)
				mask[i / 8] |= (uint8_t)(0x80 >> (i % 8));
		} else if (!v6 && inet_pton(AF_INET, slash + 1, mask) == 1) {
			/* a dotted mask, "255.255.255.0" */
		} else {
			return -1;
		}
		for (unsigned i = 0; i < mylen; i++) {
			lo[i] &= mask[i];
			hi[i] = lo[i] | (uint8_t)~mask[i];
		}
	}
	if (mylen != alen)
		return 0;
	if (memcmp(lo, hi, alen) > 0)
		return -1;
	memset(r, 0, sizeof *r);
	memcpy(r->lo, lo, alen);
	memcpy(r->hi, hi, alen);
	return 1;
}

static int match_local_addr(const char *addrs, const struct ps_addr *a, const char **why)
{
	if (any_text(addrs))
		return YES;
	unsigned alen = a->family == PS_INET ? 4 : 16;
	const char *tok;
	size_t len;
	int out = NO;
	for (const char *p = addrs; next_token(&p, &tok, &len);) {
		struct fw_range r;
		int k = len == 1 && *tok == '*' ? 2 : addr_token(tok, len, alen, &r);
		if (k == 2 || (k == 1 && memcmp(a->bytes, r.lo, alen) >= 0 &&
			       memcmp(a->bytes, r.hi, alen) <= 0))
			return YES;
		if (k < 0) {
			*why = "a local address keyword is not decoded";
			out = UNKNOWN;
		}
	}
	return out;
}

/* The subnet of local address ia (its on-link prefix) into s: LocalSubnet. YES, UNKNOWN (*why)
 * when the prefix is not known, or -ENOMEM. */
static int local_subnet(const struct wfw_ifaddr *ia, unsigned alen, struct fw_srcset *s,
			const char **why)
{
	if (!ia || !ia->prefix || ia->prefix > alen * 8) {
		*why = "the rule's remote addresses name LocalSubnet and the local address's "
		       "subnet is not known";
		return UNKNOWN;
	}
	uint8_t lo[FW_KEY_MAX] = {0}, hi[FW_KEY_MAX] = {0};
	for (unsigned i = 0; i < alen; i++) {
		unsigned bits = ia->prefix >= (i + 1) * 8 ? 8
				: ia->prefix > i * 8	  ? ia->prefix - i * 8
							  : 0;
		uint8_t mask = (uint8_t)(0xFF00 >> bits);
		lo[i] = ia->addr.bytes[i] & mask;
		hi[i] = lo[i] | (uint8_t)~mask;
	}
	return fw_srcset_add(s, lo, hi) ? -ENOMEM : YES;
}

/* The remote addresses of a rule for addresses of alen bytes into s, LocalSubnet as the subnet
 * of local address ia (NULL: not known). YES, UNKNOWN, or -ENOMEM. */
static int remote_set(const char *addrs, unsigned alen, const struct wfw_ifaddr *ia,
		      struct fw_srcset *s, const char **why)
{
	*s = (struct fw_srcset){.len = (uint8_t)alen};
	uint8_t zero[FW_KEY_MAX] = {0}, ones[FW_KEY_MAX];
	memset(ones, 0xFF, sizeof ones);
	if (any_text(addrs))
		return fw_srcset_add(s, zero, ones) ? -ENOMEM : YES;
	const char *tok;
	size_t len;
	int out = YES;
	for (const char *p = addrs; next_token(&p, &tok, &len);) {
		if (same_ci(tok, len, "LocalSubnet")) {
			int k = local_subnet(ia, alen, s, why);
			if (k == -ENOMEM)
				return k;
			out = k == UNKNOWN ? UNKNOWN : out;
			continue;
		}
		struct fw_range r;
		int k = len == 1 && *tok == '*' ? 2 : addr_token(tok, len, alen, &r);
		if ((k == 2 && fw_srcset_add(s, zero, ones)) ||
		    (k == 1 && fw_srcset_add(s, r.lo, r.hi)))
			return -ENOMEM;
		if (k < 0) {
			*why = "a remote address keyword (such as Internet or DefaultGateway) is "
			       "not decoded";
			out = UNKNOWN;
		}
	}
	return out;
}

/* Normalise a path for comparison: \\?\ dropped, / as \, ASCII lower case. A new string or NULL. */
static char *path_norm(const char *p)
{
	if (!strncmp(p, "\\\\?\\", 4))
		p += 4;
	char *s = str_dup(p);
	for (char *c = s; c && *c; c++)
		*c = *c == '/' ? '\\' : (char)lower((unsigned char)*c);
	return s;
}

static int match_app(const char *rule_app, const char *app, const char **why)
{
	if (any_text(rule_app))
		return YES;
	if (strchr(rule_app, '%')) {
		*why =
		    "the rule's program path holds an environment variable that was not expanded";
		return UNKNOWN;
	}
	if (!app) {
		*why = "the rule names a program and the listener's program is not known";
		return UNKNOWN;
	}
	char *a = path_norm(rule_app), *b = path_norm(app);
	int rc = !a || !b ? -ENOMEM : strcmp(a, b) ? NO : YES;
	free(a);
	free(b);
	return rc;
}

/* Whether the comma list `list` names svc (case-insensitively). */
static bool list_has(const char *list, const char *svc)
{
	const char *tok;
	size_t len;
	for (const char *p = list; next_token(&p, &tok, &len);)
		if (same_ci(tok, len, svc))
			return true;
	return false;
}

static int match_service(const char *svc, const struct wfw_listener *l, const char **why)
{
	if (!svc || !*svc)
		return YES;
	bool every = !strcmp(svc, "*");
	if (l->service)
		return every || same_ci(l->service, strlen(l->service), svc) ? YES : NO;
	if (l->host_services) {
		if (every)
			return YES;
		if (!list_has(l->host_services, svc))
			return NO;
		if (!strchr(l->host_services, ','))
			return YES;
		*why = "the rule names a service of a shared host and which service owns the "
		       "socket is "
		       "not known";
		return UNKNOWN;
	}
	if (l->services_known)
		return NO;
	*why = "the rule names a service and the listener's services are not known";
	return UNKNOWN;
}

/* Whether rule r applies to l: YES, NO (some condition surely fails), UNKNOWN (*why), -ENOMEM. */
static int rule_matches(const struct wfw_rule *r, const struct wfw_listener *l, const char **why)
{
	if (r->protocol != 256 && r->protocol != l->protocol)
		return NO;
	int m[5];
	const char *w[5] = {0};
	m[0] = r->protocol == 256 ? YES : match_ports(r->local_ports, l->port, &w[0]);
	m[1] = match_local_addr(r->local_addrs, &l->addr, &w[1]);
	m[2] = match_app(r->app, l->app, &w[2]);
	m[3] = match_service(r->service, l, &w[3]);
	m[4] = YES;
	if (r->unhandled) {
		m[4] = UNKNOWN;
		w[4] = "the rule has a condition that is not decoded";
	} else if (r->interfaces) {
		m[4] = UNKNOWN;
		w[4] = "the rule is limited to named interfaces, which are not read";
	} else if (r->interface_types && *r->interface_types &&
		   !same_ci(r->interface_types, strlen(r->interface_types), "All")) {
		m[4] = UNKNOWN;
		w[4] =
		    "the rule is limited to interface types (LAN, wireless, remote access), which "
		    "are not read";
	}
	int out = YES;
	for (int i = 0; i < 5; i++) {
		if (m[i] == -ENOMEM)
			return -ENOMEM;
		if (m[i] == NO)
			return NO;
		if (m[i] == UNKNOWN && out == YES) {
			out = UNKNOWN;
			*why = w[i];
		}
	}
	return out;
}

void wfw_listener_owner(struct wfw_listener *l, const struct ps_snapshot *snap,
			const struct ps_socket *k)
{
	const struct ps_sockcg *cg = k->sockcg ? &snap->sockcgs[k->sockcg - 1] : NULL;
	if (k->owner_count) {
		const struct ps_proc *p = &snap->procs[snap_owner(snap, k, 0)->proc];
		l->app = p->exe;
		if (p->unit_type && !strcmp(p->unit_type, "service"))
			l->host_services = p->unit;
	} else if (k->owner_status == PS_OWN_KERNEL && cg && cg->source &&
		   !strcmp(cg->source, "pid 4")) {
		l->app = "System"; /* the program built-in rules name for the kernel's sockets */
		l->services_known = true; /* the kernel hosts no service */
	}
	if (cg && cg->source && !strcmp(cg->source, "service-tag"))
		l->service = cg->unit;
}

/* ---------------------------------------------------------------- judging */

static int sources_text(const struct fw_srcset *s, char **out)
{
	size_t cap = s->n * 2 * 45 + 64; /* two prefixes per range at most shown; longer: "..." */
	if (!(*out = malloc(cap)))
		return -ENOMEM;
	fw_srcset_format(s, *out, cap);
	return 0;
}

/* What the rules of one profile that match a listener allow and block. */
struct tally {
	struct fw_srcset allow, block;	   /* sources, from the rules decided */
	long first_allow, first_block;	   /* the rules to name */
	long unknown_allow, unknown_block; /* the first rule of each kind not decided */
	const char *why_allow, *why_block;
};

/* Add rule r (index i) of the profile to t for listener l (alen-byte addresses). 0 or -ENOMEM. */
static int tally_rule(struct tally *t, const struct wfw_rule *r, long i,
		      const struct wfw_listener *l, const struct wfw_ifaddr *ia, unsigned alen)
{
	const char *why = NULL;
	int m = rule_matches(r, l, &why);
	if (m == NO || m == -ENOMEM)
		return m == NO ? 0 : m;
	struct fw_srcset s;
	const char *rwhy = NULL;
	int k = remote_set(r->remote_addrs, alen, ia, &s, &rwhy), rc = 0;
	if (k == -ENOMEM) {
		fw_srcset_free(&s);
		return k;
	}
	if (m == UNKNOWN)
		k = UNKNOWN;
	else if (k == UNKNOWN)
		why = rwhy;
	if (r->allow && r->edge && k == YES) {
		/* what it allows besides through Teredo is known; the rest is not */
		why = "the rule allows edge traversal (Teredo), which is not evaluated";
		if (t->unknown_allow == WFW_NO_RULE)
			t->unknown_allow = i, t->why_allow = why;
	}
	if (k == YES) {
		struct fw_srcset *to = r->allow ? &t->allow : &t->block;
		for (size_t j = 0; j < s.n && !rc; j++)
			rc = fw_srcset_add(to, s.r[j].lo, s.r[j].hi);
		long *first = r->allow ? &t->first_allow : &t->first_block;
		if (*first == WFW_NO_RULE || (!r->allow && fw_srcset_is_full(&s)))
			*first = i; /* a block of every source is the one to name */
	} else if (r->allow && t->unknown_allow == WFW_NO_RULE) {
		t->unknown_allow = i, t->why_allow = why;
	} else if (!r->allow && t->unknown_block == WFW_NO_RULE) {
		t->unknown_block = i, t->why_block = why;
	}
	fw_srcset_free(&s);
	return rc;
}

/* The verdict from tally t of an enabled profile pf into v: blocks win. 0 or -ENOMEM. */
static int tally_decide(struct tally *t, const struct wfw_profile *pf, struct wfw_verdict *v)
{
	if (fw_srcset_is_full(&t->block)) {
		v->reach = FW_REACH_NONE; /* block rules win, whatever is unknown */
		v->rule = t->first_block;
		return 0;
	}
	if (t->unknown_block != WFW_NO_RULE) {
		v->reach = FW_REACH_UNKNOWN; /* it may block some of what is allowed */
		v->rule = t->unknown_block;
		v->why = t->why_block;
		return 0;
	}
	if (pf->default_allow) {
		uint8_t zero[FW_KEY_MAX] = {0}, ones[FW_KEY_MAX];
		memset(ones, 0xFF, sizeof ones);
		if (fw_srcset_add(&t->allow, zero, ones))
			return -ENOMEM;
	}
	if (t->unknown_allow != WFW_NO_RULE && !fw_srcset_is_full(&t->allow)) {
		v->reach = FW_REACH_UNKNOWN; /* it may allow more */
		v->rule = t->unknown_allow;
		v->why = t->why_allow;
		return 0;
	}
	struct fw_srcset left = {0};
	int rc = fw_srcset_subtract(&t->allow, &t->block, &left);
	if (rc)
		return rc;
	if (!left.n) {
		v->reach = FW_REACH_NONE;
		v->rule = t->first_block;
		if (t->first_block == WFW_NO_RULE)
			v->why = "no rule allows it and the default inbound action is block";
	} else if (fw_srcset_is_full(&left)) {
		v->reach = FW_REACH_ALL;
		v->rule = t->first_allow;
		if (t->first_allow == WFW_NO_RULE)
			v->why = "the default inbound action is allow";
	} else {
		v->reach = FW_REACH_SOME;
		v->rule = t->first_block != WFW_NO_RULE ? t->first_block : t->first_allow;
		v->accept_rule = t->first_allow;
		rc = sources_text(&left, &v->sources);
	}
	fw_srcset_free(&left);
	return rc;
}

/* The verdict of one profile (bit) on l at local address ia (NULL: not known). 0 or -ENOMEM. */
static int judge_profile(const struct wfw_policy *pol, unsigned bit, const struct wfw_profile *pf,
			 const struct wfw_listener *l, const struct wfw_ifaddr *ia,
			 struct wfw_verdict *v)
{
	*v = (struct wfw_verdict){.profile = bit, .rule = WFW_NO_RULE, .accept_rule = WFW_NO_RULE};
	if (!pf->enabled) {
		v->reach = FW_REACH_ALL;
		v->why = "the firewall is off in this profile";
		return 0;
	}
	if (pf->block_all) {
		v->reach = FW_REACH_NONE;
		v->why = "the profile blocks every inbound connection, whatever the rules allow";
		return 0;
	}
	if (pol->modify == WFW_MODIFY_INBOUND_BLOCKED) {
		v->reach = FW_REACH_NONE;
		v->why =
		    "policy allows no unsolicited inbound connection (LocalPolicyModifyState), "
		    "whatever the rules allow";
		return 0;
	}
	unsigned alen = l->addr.family == PS_INET ? 4 : 16;
	struct tally t = {.allow = {.len = (uint8_t)alen},
			  .block = {.len = (uint8_t)alen},
			  .first_allow = WFW_NO_RULE,
			  .first_block = WFW_NO_RULE,
			  .unknown_allow = WFW_NO_RULE,
			  .unknown_block = WFW_NO_RULE};
	int rc = 0;
	for (size_t i = 0; i < pol->nrules && !rc; i++) {
		const struct wfw_rule *r = &pol->rules[i];
		if (r->enabled && r->inbound && (r->profiles & bit))
			rc = tally_rule(&t, r, (long)i, l, ia, alen);
	}
	if (!rc)
		rc = tally_decide(&t, pf, v);
	if (!rc && pol->modify == WFW_MODIFY_GP_OVERRIDE && v->rule != WFW_NO_RULE &&
	    v->reach != FW_REACH_UNKNOWN) {
		free(v->sources); /* decided by a rule that group policy may set aside */
		v->sources = NULL;
		v->reach = FW_REACH_UNKNOWN;
		v->why = "group policy controls this profile (LocalPolicyModifyState): whether "
			 "the rules read here apply is not known";
	}
	fw_srcset_free(&t.allow);
	fw_srcset_free(&t.block);
	return rc;
}

/* The verdict at local address ia, whose interface is in profile ia->profile (one of the active
 * ones): excluded from it, or the profile alone judges. 0 or -ENOMEM. */
static int judge_iface(const struct wfw_policy *pol, const struct wfw_ifaddr *ia,
		       const struct wfw_listener *l, struct wfw_verdict *out)
{
	static const char *const applies[WFW_PROFILES] = {
	    "its network is domain-authenticated, so the domain profile applies",
	    "its network is private, so the private profile applies",
	    "its network is public, so the public profile applies"};
	unsigned i = ia->profile == WFW_DOMAIN ? 0 : ia->profile == WFW_PRIVATE ? 1 : 2;
	const char *ex = pol->excluded[i];
	if (ex &&
	    ((ia->ifid && list_has(ex, ia->ifid)) || (ia->ifname && list_has(ex, ia->ifname)))) {
		*out = (struct wfw_verdict){.reach = FW_REACH_ALL,
					    .profile = ia->profile,
					    .rule = WFW_NO_RULE,
					    .accept_rule = WFW_NO_RULE,
					    .why = "its interface is excluded from the profile's "
						   "firewall (ExcludedInterfaces)"};
		return 0;
	}
	int rc = judge_profile(pol, ia->profile, &pol->prof[i], l, ia, out);
	if (rc || out->reach == FW_REACH_ALL || out->reach == FW_REACH_UNKNOWN ||
	    (pol->excluded_read & ia->profile)) {
		if (!rc && !out->why)
			out->why = applies[i];
		return rc;
	}
	free(out->sources);
	*out = (struct wfw_verdict){
	    .reach = FW_REACH_UNKNOWN,
	    .profile = ia->profile,
	    .rule = WFW_NO_RULE,
	    .accept_rule = WFW_NO_RULE,
	    .why = "which interfaces the profile excludes (ExcludedInterfaces) could not be read"};
	return 0;
}

int wfw_judge(const struct wfw_policy *pol, const struct wfw_listener *l, struct wfw_verdict *out)
{
	*out = (struct wfw_verdict){
	    .reach = FW_REACH_UNKNOWN, .rule = WFW_NO_RULE, .accept_rule = WFW_NO_RULE};
	if (l->loopback) {
		out->reach = FW_REACH_ALL;
		out->why = "connections over loopback are not filtered by Windows Firewall";
		return 0;
	}
	const struct wfw_ifaddr *ia = wfw_policy_addr(pol, &l->addr);
	if (ia &&
	    (ia->profile == WFW_DOMAIN || ia->profile == WFW_PRIVATE ||
	     ia->profile == WFW_PUBLIC) &&
	    (pol->active & ia->profile))
		return judge_iface(pol, ia, l, out);
	bool first = true;
	for (unsigned i = 0; i < WFW_PROFILES; i++) {
		unsigned bit = 1u << i;
		if (!(pol->active & bit))
			continue;
		struct wfw_verdict v;
		int rc = judge_profile(pol, bit, &pol->prof[i], l, ia, &v);
		if (rc)
			return rc;
		if (first) {
			*out = v;
			first = false;
			continue;
		}
		bool same = v.reach == out->reach &&
			    (v.sources == out->sources ||
			     (v.sources && out->sources && !strcmp(v.sources, out->sources)));
		wfw_verdict_free(&v);
		if (!same) {
			wfw_verdict_free(out);
			*out = (struct wfw_verdict){
			    .reach = FW_REACH_UNKNOWN,
			    .rule = WFW_NO_RULE,
			    .accept_rule = WFW_NO_RULE,
			    .why = pol->addrs_why
				       ? "the active profiles decide differently, and which "
					 "profile this address's network is in is not known (the "
					 "network list could not be read)"
				       : "the active profiles decide differently, and which "
					 "profile this address's network is in is not known"};
			return 0;
		}
	}
	if (first)
		out->why = "the firewall reported no active profile";
	return 0;
}

void wfw_verdict_free(struct wfw_verdict *v)
{
	free(v->sources);
	v->sources = NULL;
}

int wfw_rule_text(const struct wfw_policy *pol, unsigned profile, long rule, char **out)
{
	struct buf b = {0};
	int rc = buf_puts(&b, "Windows Firewall");
	if (!rc && profile)
		rc = buf_printf(&b, ", %s profile", wfw_profile_name(profile));
	const struct wfw_profile *pf = NULL;
	for (unsigned i = 0; i < WFW_PROFILES; i++)
		if (profile == 1u << i)
			pf = &pol->prof[i];
	if (!rc && rule >= 0 && (size_t)rule < pol->nrules) {
		const struct wfw_rule *r = &pol->rules[rule];
		rc = buf_printf(&b, ": rule \"%s\" (%s)", r->name ? r->name : "",
				r->allow ? "allow" : "block"); /* raw bytes: the renderer escapes */
	} else if (!rc && pf) {
		rc = buf_puts(&b, !pf->enabled	      ? ": off"
				  : pf->block_all     ? ": blocks all inbound connections"
				  : pf->default_allow ? ": default inbound action allow"
						      : ": default inbound action block");
	}
	if (rc) {
		buf_free(&b);
		return rc;
	}
	*out = b.data ? b.data : str_dup("");
	return *out ? 0 : -ENOMEM;
}
