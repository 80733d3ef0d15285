/* SPDX-License-Identifier: GPL-2.0-or-later */
/* registry.c — layered port registry: user files, the compiled-in knowledge base, IANA, nmap,
 * /etc/services (their text: core/regload.c reads the files). */
#include "registry.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../model/model.h"
#include "../util/buf.h"
#include "../util/grow.h"
#include "../util/str.h"

const char registry_backdoor_caveat[] =
    "malware has used this port number, but so do legitimate programs: the number alone proves "
    "nothing; judge it by the program that holds it";

int registry_add_warning(struct registry *r, const char *path, size_t line, const char *why,
			 size_t more, bool user_file)
{
	struct reg_warning *nw = realloc(r->warnings, (r->nwarnings + 1) * sizeof *nw);
	if (!nw)
		return -ENOMEM;
	r->warnings = nw;
	struct reg_warning *w = &nw[r->nwarnings];
	w->path = strdup(path);
	w->why = strdup(why);
	w->line = line;
	w->more = more;
	w->user_file = user_file;
	if (!w->path || !w->why) {
		free(w->path);
		free(w->why);
		return -ENOMEM;
	}
	r->nwarnings++;
	return 0;
}

/* A field as a new string, NULL for "-" or empty; *oom set on allocation failure. */
static const char *field_dup(const char *p, size_t n, bool *oom)
{
	if (n == 0 || (n == 1 && *p == '-'))
		return NULL;
	char *s = str_dup_n(p, n);
	if (!s)
		*oom = true;
	return s;
}

static void entry_free(struct kb_entry *e)
{
	free((char *)e->name);
	free((char *)e->owners);
	free((char *)e->risk);
	free((char *)e->backdoor);
	free((char *)e->desc);
}

/* One user-file line: 1 added, 0 blank or comment, -EBADMSG with *why set, -ENOMEM. */
static int parse_user_line(struct reg_user_layer *L, const char *p, const char *end,
			   const char **why)
{
	while (end > p && (end[-1] == '\r' || end[-1] == ' '))
		end--;
	const char *q = p;
	while (q < end && (*q == ' ' || *q == '\t'))
		q++;
	if (q == end || *q == '#')
		return 0;
	const char *f[8];
	size_t fl[8], nf = 0;
	for (const char *s = p;;) {
		const char *tab = memchr(s, '\t', (size_t)(end - s));
		const char *fe = tab ? tab : end;
		if (nf == 8) {
			*why = "more than 8 TAB-separated fields";
			return -EBADMSG;
		}
		f[nf] = s;
		fl[nf++] = (size_t)(fe - s);
		if (!tab)
			break;
		s = tab + 1;
	}
	if (nf < 3) {
		*why = "expected at least PORT, PROTOCOLS and NAME separated by TABs";
		return -EBADMSG;
	}
	unsigned long port = 0;
	for (size_t i = 0; i < fl[0]; i++) {
		if (f[0][i] < '0' || f[0][i] > '9' || port > 65535) {
			port = 0;
			break;
		}
		port = port * 10 + (unsigned long)(f[0][i] - '0');
	}
	if (port == 0 || port > 65535) {
		*why = "the port is not a number from 1 to 65535";
		return -EBADMSG;
	}
	uint8_t protos;
	if (fl[1] == 3 && memcmp(f[1], "tcp", 3) == 0)
		protos = KB_TCP;
	else if (fl[1] == 3 && memcmp(f[1], "udp", 3) == 0)
		protos = KB_UDP;
	else if (fl[1] == 7 && memcmp(f[1], "tcp/udp", 7) == 0)
		protos = KB_TCP | KB_UDP;
	else {
		*why = "the protocols are not tcp, udp or tcp/udp";
		return -EBADMSG;
	}
	if (fl[2] == 0 || (fl[2] == 1 && f[2][0] == '-') || memchr(f[2], ' ', fl[2])) {
		*why = "the name is empty or holds a space";
		return -EBADMSG;
	}
	int cls = nf == 8 && fl[7] ? svc_class_parse(f[7], fl[7]) : SVC_UNCLASSIFIED;
	if (cls < 0) {
		*why = "the class is not never-internet, lan-only, public-ok or -";
		return -EBADMSG;
	}
	if (util_grow((void **)&L->e, &L->cap, L->n + 1, sizeof *L->e))
		return -ENOMEM;
	bool oom = false;
	struct kb_entry e = {(uint16_t)port, protos, NULL, NULL, NULL, NULL, NULL, (uint8_t)cls};
	e.name = field_dup(f[2], fl[2], &oom);
	const char **dst[4] = {&e.owners, &e.risk, &e.backdoor, &e.desc};
	for (size_t i = 3; i < nf && i < 7; i++)
		*dst[i - 3] = field_dup(f[i], fl[i], &oom);
	if (oom) {
		entry_free(&e);
		return -ENOMEM;
	}
	L->e[L->n++] = e;
	return 1;
}

int registry_add_user_text(struct registry *r, const char *path, const char *buf, size_t len)
{
	struct reg_user_layer *nu = realloc(r->users, (r->nusers + 1) * sizeof *nu);
	if (!nu)
		return -ENOMEM;
	r->users = nu;
	struct reg_user_layer *L = &nu[r->nusers];
	memset(L, 0, sizeof *L);
	if (!(L->path = strdup(path)))
		return -ENOMEM;
	r->nusers++;
	const char *p = buf, *end = buf + len;
	size_t line = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		line++;
		const char *why = NULL;
		int rc = parse_user_line(L, p, le, &why);
		if (rc == -ENOMEM)
			return rc;
		if (rc == -EBADMSG && (rc = registry_add_warning(r, path, line, why, 0, true)))
			return rc;
		p = le + 1;
	}
	/* Stable sort by port: the first entry for a port wins, as in the other layers. */
	for (size_t i = 1; i < L->n; i++) {
		struct kb_entry t = L->e[i];
		size_t j = i;
		while (j > 0 && L->e[j - 1].port > t.port) {
			L->e[j] = L->e[j - 1];
			j--;
		}
		L->e[j] = t;
	}
	return 0;
}

static const struct kb_entry *find_entry(const struct kb_entry *e, size_t n, uint16_t port,
					 unsigned proto)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (e[mid].port < port)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < n && e[lo].port == port; lo++)
		if (e[lo].protos & (1u << proto))
			return &e[lo];
	return NULL;
}

static bool from_services(const struct services *s, bool have, const char *source, uint16_t port,
			  unsigned proto, struct port_info *info)
{
	if (!have)
		return false;
	const struct service_entry *e = services_find(s, port, proto);
	if (!e || strcmp(e->name, "unknown") == 0) /* nmap-services says "unknown" for many */
		return false;
	info->name = e->name;
	info->desc = e->desc;
	info->source = source;
	return true;
}

bool registry_lookup(const struct registry *r, uint16_t port, unsigned proto,
		     struct port_info *info)
{
	memset(info, 0, sizeof *info);
	info->dynamic = port >= 49152 || (r->eph_hi && port >= r->eph_lo && port <= r->eph_hi);
	for (size_t i = 0; i < r->nusers; i++) {
		const struct kb_entry *e = find_entry(r->users[i].e, r->users[i].n, port, proto);
		if (e) {
			/* The user said so: that names even a dynamic port. */
			info->name = e->name;
			info->desc = e->desc;
			info->source = r->users[i].path;
			info->owners = e->owners;
			info->risk = e->risk;
			info->backdoor = e->backdoor;
			info->svc_class = e->svc_class;
			return true;
		}
	}
	const struct kb_entry *e = find_entry(kb_ports, kb_nports, port, proto);
	if (e) {
		info->backdoor = e->backdoor;
		if (!info->dynamic) {
			info->name = e->name;
			info->desc = e->desc;
			info->owners = e->owners;
			info->risk = e->risk;
			info->svc_class = e->svc_class;
		}
		if (!info->dynamic || info->backdoor)
			info->source = "portsleuth";
		return true;
	}
	if (info->dynamic)
		return true;
	return from_services(&r->iana, r->have_iana, "iana", port, proto, info) ||
	       from_services(&r->nmap, r->have_nmap, "nmap", port, proto, info) ||
	       from_services(&r->etc, r->have_etc, r->etc_path, port, proto, info);
}

/* Programs that serve what they are told to (super-servers, multi-call binaries, emulators,
 * all-in-one stacks, the kernel): their name does not say which service a port is. */
static bool program_hosts_many(const char *prog)
{
	/* Windows' service hosts too (lsass.exe holds LDAP and dynamic RPC ports); names are
	 * compared as Windows does, without case */
	static const char *const many[] = {
	    "busybox",	 "inetd",	 "xinetd",	"svchost",     "svchost.exe",
	    "lsass.exe", "services.exe", "wininit.exe", "spoolsv.exe", "System",
	    "kernel",	 "samba",	 "k3s",		"kubelite"};
	for (size_t i = 0; i < sizeof many / sizeof many[0]; i++) {
		size_t k = 0;
		while (prog[k] &&
		       tolower((unsigned char)prog[k]) == tolower((unsigned char)many[i][k]))
			k++;
		if (!prog[k] && !many[i][k])
			return true;
	}
	return strncmp(prog, "qemu-system-", 12) == 0 || registry_owner_generic(prog);
}

/* The entry of layer `from` (user layers 0..nusers-1, then ours) for e's port, if none before
 * it replaces e: whether e is the one a lookup would use. */
static bool entry_in_force(const struct registry *r, size_t from, const struct kb_entry *e)
{
	for (size_t i = 0; i < from && i < r->nusers; i++)
		for (unsigned pr = 0; pr < PS_PROTO_COUNT; pr++)
			if ((e->protos & (1u << pr)) &&
			    find_entry(r->users[i].e, r->users[i].n, e->port, pr))
				return false;
	return true;
}

/* Through layer l's entries naming prog: false when one forbids a home, else *home updated. */
static bool home_scan(const struct registry *r, size_t l, const struct kb_entry *e, size_t n,
		      const char *prog, unsigned proto, const struct kb_entry **home)
{
	for (size_t i = 0; i < n; i++) {
		if (!registry_owner_matches(e[i].owners, prog) || !entry_in_force(r, l, &e[i]))
			continue;
		if (e[i].svc_class == SVC_PUBLIC_OK)
			return false;
		if (e[i].svc_class != SVC_NEVER_INTERNET && e[i].svc_class != SVC_LAN_ONLY)
			continue;
		if (*home && (*home)->svc_class != e[i].svc_class)
			return false; /* a daemon of two classes: the port must say which */
		if (!*home || (!((*home)->protos & (1u << proto)) && (e[i].protos & (1u << proto))))
			*home = &e[i];
	}
	return true;
}

bool registry_program_home(const struct registry *r, const char *prog, unsigned proto,
			   struct port_info *info, uint16_t *port)
{
	memset(info, 0, sizeof *info);
	*port = 0;
	if (!prog || !*prog || program_hosts_many(prog))
		return false;
	const struct kb_entry *home = NULL;
	size_t layer = 0;
	for (size_t i = 0; i < r->nusers; i++) {
		const struct kb_entry *before = home;
		if (!home_scan(r, i, r->users[i].e, r->users[i].n, prog, proto, &home))
			return false;
		layer = home != before ? i : layer;
	}
	const struct kb_entry *user_home = home;
	if (!home_scan(r, r->nusers, kb_ports, kb_nports, prog, proto, &home))
		return false;
	if (!home || !(home->protos & (1u << proto)))
		return false;
	info->name = home->name;
	info->desc = home->desc;
	info->source = home == user_home ? r->users[layer].path : "portsleuth";
	info->owners = home->owners;
	info->risk = home->risk;
	info->svc_class = home->svc_class;
	*port = home->port;
	return true;
}

bool registry_owner_matches(const char *owners, const char *name)
{
	if (!owners || !name || !*name)
		return false;
	size_t nl = strlen(name);
	/* Windows file names ignore case: SVCHOST.EXE is svchost.exe */
	bool ci = nl > 4 && strcasecmp(name + nl - 4, ".exe") == 0;
	for (const char *p = owners;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		/* A process name (comm) is cut to 15 bytes: "systemd-resolve" is systemd-resolved.
		 */
		if ((n == nl || (nl == 15 && n > 15)) &&
		    (ci ? strncasecmp(p, name, nl) : strncmp(p, name, nl)) == 0)
			return true;
		if (!comma)
			return false;
		p = comma + 1;
	}
}

bool registry_owner_generic(const char *name)
{
	/* families: python3.11, pypy3, nodejs, java (any version suffix) */
	static const char *const family[] = {"python", "pypy", "node", "java",
					     "ruby",   "perl", "php"};
	static const char *const exact[] = {"deno",
					    "bun",
					    "dotnet",
					    "mono",
					    "beam.smp",
					    "erl",
					    "flask",
					    "gunicorn",
					    "uvicorn",
					    "hypercorn",
					    "daphne",
					    "ipython",
					    "jupyter",
					    "jupyter-lab",
					    "jupyter-noteboo",
					    "jupyter-notebook",
					    "rails",
					    "puma",
					    "npm",
					    "npx",
					    "yarn"};
	if (!name || !*name)
		return false;
	for (size_t i = 0; i < sizeof family / sizeof family[0]; i++) {
		size_t fl = strlen(family[i]);
		if (strncmp(name, family[i], fl) != 0)
			continue;
		/* a version or "js" may follow (python3.11, nodejs), not a word (node_exporter) */
		const char *v = name + fl;
		if (strcmp(v, "js") == 0 || strspn(v, "0123456789.") == strlen(v))
			return true;
	}
	for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
		if (strcmp(name, exact[i]) == 0)
			return true;
	return false;
}

/* One alternative of a risk field: [p, e) with its owner list [o, oe) (empty when none). */
struct risk_alt {
	const char *o, *oe, *t, *te;
};

/* The alternative starting at p (up to '|' or the end); returns where the next one starts, NULL at
 * the end. */
static const char *risk_next(const char *p, struct risk_alt *a)
{
	const char *bar = strchr(p, '|');
	const char *e = bar ? bar : p + strlen(p);
	a->o = a->oe = p;
	a->t = p;
	a->te = e;
	const char *close = *p == '{' ? memchr(p, '}', (size_t)(e - p)) : NULL;
	if (close) {
		a->o = p + 1;
		a->oe = close;
		a->t = close + 1;
		while (a->t < e && *a->t == ' ')
			a->t++;
	}
	return bar ? bar + 1 : NULL;
}

static bool risk_owner_in(const struct risk_alt *a, const char *name)
{
	if (!name || !*name)
		return false;
	char *list = str_dup_n(a->o, (size_t)(a->oe - a->o));
	bool in = list && registry_owner_matches(list, name);
	free(list);
	return in;
}

bool registry_risk_select(const char *risk, const char *name, const char *base, const char **text,
			  size_t *len)
{
	*text = NULL;
	*len = 0;
	struct risk_alt a;
	const char *any = NULL;
	size_t any_len = 0;
	for (const char *p = risk; p;) {
		p = risk_next(p, &a);
		if (a.o == a.oe) {
			if (!any) {
				any = a.t;
				any_len = (size_t)(a.te - a.t);
			}
		} else if (risk_owner_in(&a, name) || risk_owner_in(&a, base)) {
			*text = a.t;
			*len = (size_t)(a.te - a.t);
			return true;
		}
	}
	*text = any;
	*len = any_len;
	return any != NULL;
}

int registry_risk_describe(const char *risk, struct buf *out)
{
	int rc = 0;
	bool first = true;
	struct risk_alt a;
	for (const char *p = risk; p && !rc;) {
		p = risk_next(p, &a);
		if (!first)
			rc = buf_puts(out, "; ");
		first = false;
		if (!rc && a.o != a.oe) {
			rc = buf_puts(out, "when held by ");
			for (const char *c = a.o; c < a.oe && !rc; c++)
				rc = *c == ',' ? buf_puts(out, " or ") : buf_putc(out, *c);
			if (!rc)
				rc = buf_puts(out, ": ");
		}
		if (!rc)
			rc = buf_append(out, a.t, (size_t)(a.te - a.t));
	}
	return rc;
}

void registry_free(struct registry *r)
{
	for (size_t i = 0; i < r->nusers; i++) {
		for (size_t j = 0; j < r->users[i].n; j++)
			entry_free(&r->users[i].e[j]);
		free(r->users[i].e);
		free(r->users[i].path);
	}
	free(r->users);
	services_free(&r->iana);
	services_free(&r->nmap);
	services_free(&r->etc);
	free(r->etc_path);
	for (size_t i = 0; i < r->nwarnings; i++) {
		free(r->warnings[i].path);
		free(r->warnings[i].why);
	}
	free(r->warnings);
	free(r->ignored_path);
	free(r->refused_path);
	memset(r, 0, sizeof *r);
}
