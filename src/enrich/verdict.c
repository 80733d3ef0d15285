/* verdict.c — judge each socket: registered service, exposure, and findings about its owners. */
#include "verdict.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/buf.h"
#include "../util/grow.h"
#include "../util/str.h"
#include "fwstage.h"

bool path_in_temp_dir(const char *path)
{
	static const char *const dirs[] = {"/tmp/",	 "/var/tmp/",	 "/dev/shm/",
					   "/run/shm/",	 "/dev/mqueue/", "/var/crash/",
					   "/run/lock/", "/var/lock/"};
	if (!path)
		return false;
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		if (strncmp(path, dirs[i], strlen(dirs[i])) == 0)
			return true;
	return false;
}

/* Append a finding with printf-made reason and evidence. 0 or -ENOMEM. */
__attribute__((format(printf, 5, 0))) static int
vadd(struct finding_list *l, unsigned sev, const char *code, int pid, const char *fmt, va_list ap)
{
	/* a few findings a listener and thousands of listeners: grown by one, not doubled */
	if (l->n == l->cap) {
		struct finding *nf = realloc(l->f, (l->n + 1) * sizeof *l->f);
		if (!nf)
			return -ENOMEM;
		l->f = nf;
		l->cap = l->n + 1;
	}
	/* one formatting for the usual sentence; a second only for a longer one */
	char small[512];
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(small, sizeof small, fmt, aq);
	va_end(aq);
	char *reason = n < 0 ? NULL : malloc((size_t)n + 1);
	if (!reason)
		return n < 0 ? -EINVAL : -ENOMEM;
	if ((size_t)n < sizeof small)
		memcpy(reason, small, (size_t)n + 1);
	else
		vsnprintf(reason, (size_t)n + 1, fmt, ap);
	/* "reason\x1Fevidence": one format, split at the unit separator. */
	char *sep = memchr(reason, '\x1F', (size_t)n);
	char *evidence = NULL;
	if (sep) {
		*sep = '\0';
		evidence = strdup(sep + 1);
		if (!evidence) {
			free(reason);
			return -ENOMEM;
		}
	}
	l->f[l->n++] = (struct finding){
	    .sev = (uint8_t)sev, .code = code, .reason = reason, .evidence = evidence, .pid = pid};
	return 0;
}

__attribute__((format(printf, 5, 6))) static int
add(struct finding_list *l, unsigned sev, const char *code, int pid, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = vadd(l, sev, code, pid, fmt, ap);
	va_end(ap);
	return rc;
}

#define SEP "\x1F"

static const char *proto_txt(unsigned proto)
{
	return proto == PS_UDP ? "udp" : "tcp";
}

/* "sshd,dropbear" as "sshd, dropbear" for a sentence. */
static int list_text(struct buf *b, const char *list)
{
	int rc = 0;
	for (const char *p = list; *p && !rc; p++)
		rc = *p == ',' ? buf_puts(b, ", ") : buf_putc(b, *p);
	return rc;
}

/*
 * The policy (man page, FINDINGS): rows are the service's class, columns the
 * widest class of address that reaches the socket (loopback, link-local,
 * private, public). -1: no finding.
 */
static const signed char policy[SVC__COUNT][2][4] = {
    /* unclassified: a known risk is worth a look from far, context nearby */
    [SVC_UNCLASSIFIED] = {{-1, -1, -1, -1}, {-1, SEV_INFO, SEV_NOTICE, SEV_WARNING}},
    /* meant to face networks: the risk is worth knowing when the Internet can reach it */
    [SVC_PUBLIC_OK] = {{-1, -1, -1, -1}, {-1, -1, -1, SEV_NOTICE}},
    /* local infrastructure: fine on a LAN, an incident on the Internet */
    [SVC_LAN_ONLY] = {{-1, -1, SEV_NOTICE, SEV_ALERT}, {-1, -1, SEV_NOTICE, SEV_ALERT}},
    /* data and control with weak authentication: look at it today even on a LAN */
    [SVC_NEVER_INTERNET] = {{-1, SEV_NOTICE, SEV_WARNING, SEV_ALERT},
			    {-1, SEV_NOTICE, SEV_WARNING, SEV_ALERT}},
};

int exposure_severity(unsigned cls, bool has_risk, enum ps_exposure widest)
{
	if (cls >= SVC__COUNT || widest >= PS_EXPO__COUNT)
		return -1;
	return policy[cls][has_risk][widest == PS_EXPO_ALL ? PS_EXPO_PUBLIC : widest];
}

const char *exposure_code(enum ps_exposure widest)
{
	return widest == PS_EXPO_LINK_LOCAL ? "link-local-exposure"
	       : widest == PS_EXPO_PRIVATE  ? "private-exposure"
					    : "public-exposure";
}

int findings_for_socket(const struct finding_input *in, struct finding_list *out)
{
	const struct port_info *svc = in->svc;
	int rc = 0;
	int sev = svc ? exposure_severity(svc->svc_class, svc->risk != NULL, in->widest) : -1;
	if (sev >= 0) {
		static const char *const from[PS_EXPO__COUNT] = {
		    "", "the local link", "a private network", "public addresses",
		    "public addresses"};
		bool internet = in->widest >= PS_EXPO_PUBLIC;
		const char *rule = "";
		if (svc->svc_class == SVC_NEVER_INTERNET || svc->svc_class == SVC_LAN_ONLY)
			rule = internet ? ", and must never face the Internet"
			       : svc->svc_class == SVC_NEVER_INTERNET
				   ? "; allow only the hosts that need it"
				   : "";
		const char *risk = svc->risk ? svc->risk : "";
		rc = add(out, (unsigned)sev, exposure_code(in->widest), -1,
			 "%s on %u/%s is reachable from %s%s%s%s" SEP
			 "bound to %s addresses; reachable now on: %s",
			 svc->name ? svc->name : "the service", in->port, proto_txt(in->proto),
			 from[in->widest], rule, *risk ? ": " : "", risk, exposure_name(in->scope),
			 in->reach_text && *in->reach_text ? in->reach_text : "none");
	}
	if (!rc && svc && svc->backdoor && !in->has_owner) {
		struct buf names = {0};
		rc = list_text(&names, svc->backdoor);
		if (!rc)
			rc = add(out, SEV_NOTICE, "backdoor-port", -1,
				 "port %u/%s is one that backdoors are known to use (%s); no "
				 "owning process is "
				 "visible, so it cannot be judged" SEP
				 "no process holding the socket could be seen",
				 in->port, proto_txt(in->proto), names.data);
		buf_free(&names);
	}
	return rc;
}

static const char *base_of(const char *path)
{
	/* a Windows path (drive letter or UNC) ends its directories with backslashes */
	bool win = (path[0] && path[1] == ':') || path[0] == '\\';
	const char *s = strrchr(path, win ? '\\' : '/');
	return s ? s + 1 : path;
}

/* comm names are cut to 15 bytes by the kernel. */
static bool comm_eq(const char *comm, const char *name, size_t name_len)
{
	size_t cl = strlen(comm);
	if (cl == name_len && memcmp(comm, name, cl) == 0)
		return true;
	return cl == 15 && name_len > 15 && memcmp(comm, name, 15) == 0;
}

/*
 * Whether a process name fits its executable's file name: the same name, or one
 * a prefix of the other (python3 runs /usr/bin/python3.11), or busybox's applets.
 */
static bool name_fits_exe(const char *comm, const char *base)
{
	size_t cl = strlen(comm), bl = strlen(base);
	if (comm_eq(comm, base, bl))
		return true;
	size_t m = cl < bl ? cl : bl;
	if (m >= 2 && memcmp(comm, base, m) == 0)
		return true;
	return strcmp(base, "busybox") == 0;
}

/* The file findings: about the executable the process runs, and the script an interpreter runs. */
static int file_findings(const struct finding_input *in, const char *path, bool temp,
			 struct finding_list *out)
{
	const struct ps_exe_check *c = &in->exe_check;
	bool deleted = in->exe_checked && c->deleted, replaced = deleted && c->replaced;
	int rc = 0;
	if (in->file_judged) /* the same file as an earlier owner's: said once per socket */
		replaced = deleted = false;
	if (replaced && c->replacement_sound && in->pkg == PKG_OWNED)
		rc = add(out, SEV_NOTICE, "exe-replaced", in->pid,
			 "the executable was upgraded on disk: restart the program to run the new "
			 "version" SEP "/proc/%d/exe is the file %s was when it started; package "
			 "%s now has another file there",
			 in->pid, path, in->pkg_name ? in->pkg_name : "?");
	else if (replaced)
		rc = add(out, SEV_WARNING, "exe-replaced", in->pid,
			 "the executable was replaced after the process started: the program "
			 "running is not the "
			 "file now at its path" SEP "/proc/%d/exe and %s are different files",
			 in->pid, path);
	else if (deleted)
		rc = add(out, SEV_WARNING, "exe-deleted", in->pid,
			 "the program's executable was deleted after it started: what runs is no "
			 "longer on disk" SEP "/proc/%d/exe -> %s",
			 in->pid, in->exe);
	if (!rc && temp && !in->file_judged)
		rc = add(out, SEV_WARNING, "exe-temp-dir", in->pid,
			 "the executable lives in a temporary or world-writable directory, where "
			 "anyone can put "
			 "programs" SEP "%s%s",
			 path,
			 in->exe_checked && c->dir_world_writable
			     ? " (its directory is world-writable)"
			     : "");
	if (!rc && in->pkg == PKG_UNOWNED && !in->file_judged)
		rc = add(out, SEV_INFO, "exe-unpackaged", in->pid,
			 "the executable belongs to no installed package" SEP
			 "%s is not listed in the dpkg database",
			 path);
	if (!rc && in->script && (path_in_temp_dir(in->script) || in->script_dir_world_writable))
		rc = add(out, SEV_WARNING, "script-temp-dir", in->pid,
			 "the script this interpreter runs lives in a temporary or world-writable "
			 "directory, where "
			 "anyone can put programs" SEP "%s run by %s%s",
			 in->script, path ? path : "?",
			 in->script_dir_world_writable ? " (its directory is world-writable)" : "");
	if (!rc && in->script && in->script_pkg == PKG_UNOWNED)
		rc = add(out, SEV_INFO, "script-unpackaged", in->pid,
			 "the script this interpreter runs belongs to no installed package" SEP
			 "%s is not listed in the dpkg database",
			 in->script);
	return rc;
}

int findings_for_owner(const struct finding_input *in, struct finding_list *out)
{
	const struct port_info *svc = in->svc;
	/* the file's own name: the kernel's facts when known, else the link as read */
	const char *path = in->exe_checked && in->exe_path ? in->exe_path : in->exe;
	const char *base = path ? base_of(path) : NULL;
	bool temp = path && (path_in_temp_dir(path) ||
			     (in->exe_checked && in->exe_check.dir_world_writable));
	bool script_bad =
	    in->script && (path_in_temp_dir(in->script) || in->script_dir_world_writable ||
			   in->script_pkg == PKG_UNOWNED);
	bool unowned = in->pkg == PKG_UNOWNED;
	const char *name = in->name ? in->name : "?";
	const char *pkgtxt = in->pkg == PKG_OWNED ? "from package "
			     : unowned		  ? "from no package"
						  : "package unknown";
	const char *pkgname = in->pkg == PKG_OWNED && in->pkg_name ? in->pkg_name : "";
	/* a link names the program only when the system made it: a package's, or an alternative */
	const char *alias = in->alias && in->alias_pkg != PKG_UNOWNED ? base_of(in->alias) : NULL;
	if (in->alias && in->alias_alternatives)
		alias = base_of(in->alias);
	struct buf why = {0}, ev = {0};

	int rc = file_findings(in, path, temp, out);
	/* the evidence names the script too: a finding about the owner is about what it runs */
	if (!rc)
		rc = buf_printf(&ev, "executable %s, %s%s", path ? path : "unreadable", pkgtxt,
				pkgname);
	if (!rc && in->script)
		rc = buf_printf(
		    &ev, "; script %s (from its arguments), %s%s", in->script,
		    in->script_pkg == PKG_OWNED	    ? "from package "
		    : in->script_pkg == PKG_UNOWNED ? "from no package"
						    : "package unknown",
		    in->script_pkg == PKG_OWNED && in->script_pkg_name ? in->script_pkg_name : "");

	/* The names that are the program's: its file's, and the system's link to it. The comm and a
	 * script's name are the process's own choice: they can claim an owner's name, never prove
	 * it. */
	bool owner_named = svc && svc->owners && base &&
			   (registry_owner_matches(svc->owners, base) ||
			    (alias && registry_owner_matches(svc->owners, alias)));
	bool claims = svc && svc->owners && base && in->name &&
		      registry_owner_matches(svc->owners, in->name) && !owner_named;
	bool fits =
	    !base || !in->name || name_fits_exe(in->name, base) ||
	    (alias && comm_eq(in->name, alias, strlen(alias))) ||
	    (in->script && comm_eq(in->name, base_of(in->script), strlen(base_of(in->script))));
	/* an installed program's name on another program: /tmp/x/sshd, or a script called sshd */
	bool borrowed = in->name_holder && in->holder_pkg == PKG_OWNED && in->holder_pkg_name &&
			!(in->pkg == PKG_OWNED && in->pkg_name &&
			  strcmp(in->pkg_name, in->holder_pkg_name) == 0);
	if (!rc && (!fits || claims || borrowed)) {
		bool owners_name =
		    svc && svc->owners && in->name && registry_owner_matches(svc->owners, in->name);
		buf_clear(&why);
		if (owners_name)
			rc = buf_puts(&why,
				      ", the name of the program that normally holds this port");
		if (!rc && borrowed)
			rc = buf_printf(&why, ", the name of the installed program %s (package %s)",
					in->name_holder, in->holder_pkg_name);
		if (!rc)
			rc =
			    add(out, claims || (borrowed && owners_name) ? SEV_WARNING : SEV_NOTICE,
				"name-mismatch", in->pid,
				"the process calls itself %s%s%s runs %s%s%s" SEP
				"comm %s, /proc/%d/exe -> %s%s%s",
				name, why.data ? why.data : "", why.len ? ", but" : " but", path,
				in->script ? " with the script " : "", in->script ? in->script : "",
				name, in->pid, in->exe,
				in->script ? "; script from its arguments: " : "",
				in->script ? in->script : "");
		buf_clear(&why);
	}
	/* Not "deleted": after a package upgrade every running daemon's executable is. */
	bool suspicious = temp || unowned || script_bad;
	if (!rc && svc && svc->owners) {
		bool named = base ? owner_named : registry_owner_matches(svc->owners, in->name);
		if (!named || suspicious) {
			unsigned sev = suspicious	 ? SEV_ALERT
				       : in->port < 1024 ? SEV_WARNING
							 : SEV_NOTICE;
			rc = list_text(&why, svc->owners);
			if (!rc && named) {
				const char *parts[3];
				size_t np = 0;
				if (temp)
					parts[np++] = "in a temporary directory";
				if (unowned)
					parts[np++] = "from no package";
				if (script_bad)
					parts[np++] = "running a script from no package or a "
						      "temporary directory";
				rc = buf_puts(
				    &why,
				    "; this process has that name but is not an installed one (");
				for (size_t i = 0; i < np && !rc; i++)
					rc = buf_printf(&why, "%s%s", i ? ", " : "", parts[i]);
				if (!rc)
					rc = buf_putc(&why, ')');
			} else if (!rc && claims) {
				rc = buf_printf(&why,
						"; this process calls itself %s but runs %s%s%s",
						name, path, in->script ? " with the script " : "",
						in->script ? in->script : "");
			} else if (!rc) {
				rc = buf_printf(&why, ", not by %s", name);
			}
			if (!rc)
				rc = add(
				    out, sev, "unexpected-owner", in->pid,
				    "port %u/%s (%s) is normally held by %s" SEP "pid %d %s, %s",
				    in->port, proto_txt(in->proto), svc->name ? svc->name : "?",
				    why.data, in->pid, name, ev.data);
		}
	}
	if (!rc && svc && svc->backdoor) {
		unsigned sev = suspicious	      ? SEV_ALERT
			       : in->pkg == PKG_OWNED ? SEV_NOTICE
						      : SEV_WARNING;
		const char *judge =
		    suspicious
			? "and its owner is not an installed program, which is how backdoors run"
		    : in->pkg == PKG_OWNED
			? "but its owner is an installed program from a package, "
			  "so it is most likely legitimate"
			: "and whether its owner is an installed program is unknown";
		buf_clear(&why);
		rc = list_text(&why, svc->backdoor);
		if (!rc)
			rc = add(out, sev, "backdoor-port", in->pid,
				 "port %u/%s is one that backdoors are known to use (%s), %s" SEP
				 "pid %d %s, %s",
				 in->port, proto_txt(in->proto), why.data, judge, in->pid, name,
				 ev.data);
	}
	/* Root on a public port is news only where an administrator can change it: not for a
	 * packaged program run as its package runs it (sshd, smbd: root by design), nor for a
	 * pre-forking master whose workers, which serve the connections, run unprivileged
	 * (nginx). What is left is a program from no package, or one that is not what it says. */
	bool as_packaged = in->pkg == PKG_OWNED && !suspicious && !claims && !borrowed;
	bool own = svc && svc->owners && !suspicious &&
		   (registry_owner_matches(svc->owners, in->name) ||
		    (base && registry_owner_matches(svc->owners, base)));
	bool unjudged = in->pkg == PKG_UNKNOWN && own; /* no package database: no say */
	if (!rc && in->have_uid && in->uid == 0 && in->widest >= PS_EXPO_PUBLIC &&
	    !in->workers_unprivileged && !as_packaged && !unjudged)
		rc = add(out, SEV_NOTICE, "root-public", in->pid,
			 "a process running as root listens on a port reachable from public "
			 "addresses, and a flaw in it gives away the whole machine: run it as an "
			 "unprivileged user (User= in its service unit, or its own user option) or "
			 "bind it to the addresses that need it" SEP
			 "pid %d %s runs as uid 0, executable %s%s; reachable now on: %s",
			 in->pid, name, pkgtxt, pkgname,
			 in->reach_text && *in->reach_text ? in->reach_text : "none");
	buf_free(&why);
	buf_free(&ev);
	return rc;
}

/* The prefix of an IPv4-mapped IPv6 address (::ffff:0:0/96). */
static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};

/* Whether interface address `a` is the bound address `b` (IPv4-mapped IPv6 matches IPv4). */
static bool same_addr(const struct ps_addr *a, const struct ps_addr *b)
{
	if (a->family == b->family)
		return memcmp(a->bytes, b->bytes, a->family == PS_INET ? 4 : 16) == 0;
	if (a->family == PS_INET && b->family == PS_INET6)
		return memcmp(b->bytes, mapped, 12) == 0 && memcmp(b->bytes + 12, a->bytes, 4) == 0;
	return false;
}

/* Mostly one address a listener, and thousands of listeners: grown by one, not doubled. */
static int push_reach(struct reach **out, size_t *n, const char *ifname, const struct ps_addr *a)
{
	struct reach *r = realloc(*out, (*n + 1) * sizeof **out);
	if (!r)
		return -ENOMEM;
	*out = r;
	r[(*n)++] = (struct reach){ifname, *a};
	return 0;
}

/* Whether a is an IPv4 address (or one mapped into IPv6) equal to the 4 bytes v4. */
static bool is_v4(const struct ps_addr *a, const uint8_t *v4)
{
	if (a->family == PS_INET)
		return memcmp(a->bytes, v4, 4) == 0;
	return memcmp(a->bytes, mapped, 12) == 0 && memcmp(a->bytes + 12, v4, 4) == 0;
}

static bool is_multicast(const struct ps_addr *a)
{
	if (a->family == PS_INET6 && memcmp(a->bytes, mapped, 12) != 0)
		return a->bytes[0] == 0xFF;
	return ((a->family == PS_INET ? a->bytes[0] : a->bytes[12]) & 0xF0) == 0xE0;
}

/* Whether r already lists interface ifname (broadcast and group binds: one entry per interface). */
static bool has_if(const struct reach *r, size_t n, const char *ifname)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].ifname == ifname ||
		    (r[i].ifname && ifname && strcmp(r[i].ifname, ifname) == 0))
			return true;
	return false;
}

int exposure_reach(const struct ps_socket *k, const struct ps_ifaddr *a, size_t n,
		   const struct ps_ifaddr *g, size_t ng, struct reach **out, size_t *nout)
{
	*out = NULL;
	*nout = 0;
	const struct ps_addr *l = &k->local.addr;
	int rc = 0;
	if (addr_is_any(l)) {
		bool v4 = l->family == PS_INET || k->v6only != PS_V6ONLY_YES;
		bool v6 = l->family == PS_INET6;
		for (size_t i = 0; i < n && !rc; i++) {
			if (k->ifindex && a[i].ifindex != k->ifindex)
				continue;
			if ((a[i].addr.family == PS_INET && v4) ||
			    (a[i].addr.family == PS_INET6 && v6))
				rc = push_reach(out, nout, a[i].ifname, &a[i].addr);
		}
		return rc;
	}
	for (size_t i = 0; i < n && !rc; i++)
		if (same_addr(&a[i].addr, l) && (!k->ifindex || a[i].ifindex == k->ifindex))
			rc = push_reach(out, nout, a[i].ifname, &a[i].addr);
	if (!rc && !*nout && exposure_classify(l) == PS_EXPO_LOOPBACK) {
		/* 127.0.0.53 and the like: every 127/8 address is on the loopback interface. */
		for (size_t i = 0; i < n; i++)
			if (a[i].addr.family == PS_INET && a[i].addr.bytes[0] == 127 &&
			    (l->family == PS_INET || k->v6only != PS_V6ONLY_YES))
				return push_reach(out, nout, a[i].ifname, l);
	}
	/* A broadcast bind (nmbd's 10.0.0.255:137) gets every broadcast on that subnet. */
	static const uint8_t all_ones[4] = {255, 255, 255, 255};
	bool limited = is_v4(l, all_ones), unicast = *nout > 0;
	for (size_t i = 0; i < n && !rc && !unicast; i++)
		if (a[i].broadcast.family == PS_INET &&
		    (limited || is_v4(l, a[i].broadcast.bytes)) &&
		    (!k->ifindex || a[i].ifindex == k->ifindex) &&
		    !has_if(*out, *nout, a[i].ifname))
			rc = push_reach(out, nout, a[i].ifname, l);
	/* A group bind gets the group's traffic on the interfaces that joined it. */
	for (size_t i = 0; i < ng && !rc && is_multicast(l); i++)
		if (same_addr(&g[i].addr, l) && (!k->ifindex || g[i].ifindex == k->ifindex) &&
		    !has_if(*out, *nout, g[i].ifname))
			rc = push_reach(out, nout, g[i].ifname, l);
	return rc;
}

enum ps_exposure exposure_widest(const struct ps_socket *k, const struct reach *r, size_t n,
				 bool addrs_unknown)
{
	enum ps_exposure w = PS_EXPO_LOOPBACK;
	if (!addr_is_any(&k->local.addr))
		w = exposure_classify(&k->local.addr);
	else if (addrs_unknown)
		w = PS_EXPO_PUBLIC;
	for (size_t i = 0; i < n; i++) {
		enum ps_exposure c = exposure_classify(&r[i].addr);
		if (c > w)
			w = c;
	}
	return w == PS_EXPO_ALL ? PS_EXPO_PUBLIC : w;
}

/* The entries of r whose class is `only` (the ones that decide the severity), for evidence. */
static int reach_text(struct buf *b, const struct reach *r, size_t n, enum ps_exposure only)
{
	buf_clear(b);
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		char s[64];
		enum ps_exposure c = exposure_classify(&r[i].addr);
		if ((c == PS_EXPO_ALL ? PS_EXPO_PUBLIC : c) != only)
			continue;
		addr_format(&r[i].addr, s, sizeof s);
		rc = buf_printf(b, "%s%s %s", b->len ? ", " : "", r[i].ifname ? r[i].ifname : "?",
				s);
	}
	if (!rc && !b->data)
		rc = buf_puts(b, "");
	return rc;
}

/*
 * The addresses the firewall lets hosts of class `only` reach, for evidence: an address
 * only some sources may reach names them ("eth0 203.0.113.7 from 10.0.0.0/8").
 */
static int fw_reach_text(struct buf *b, const struct sock_verdict *v, enum ps_exposure only)
{
	buf_clear(b);
	int rc = 0;
	for (size_t i = 0; i < v->nreach && !rc; i++) {
		const struct ps_fw_at *at = &v->fw[i];
		if (at->verdict == PS_FW_NONE || at->reach_class != only)
			continue;
		char s[64];
		addr_format(&v->reach[i].addr, s, sizeof s);
		rc = buf_printf(b, "%s%s %s", b->len ? ", " : "",
				v->reach[i].ifname ? v->reach[i].ifname : "?", s);
		if (!rc && at->verdict == PS_FW_SOME && at->sources)
			rc = buf_printf(b, " from %s", at->sources);
	}
	if (!rc && !b->data)
		rc = buf_puts(b, "");
	return rc;
}

static int sev_cmp(const struct finding *a, const struct finding *b)
{
	return (int)b->sev - (int)a->sev;
}

/* Most severe first, keeping the rules' order within a severity. */
static void sort_findings(struct finding_list *l)
{
	struct finding *f = l->f;
	for (size_t a = 1; a < l->n; a++) {
		struct finding t = f[a];
		size_t b = a;
		while (b > 0 && sev_cmp(&f[b - 1], &t) > 0) {
			f[b] = f[b - 1];
			b--;
		}
		f[b] = t;
	}
}

/* Which port names the service, and the exposure class: what makes connections share a verdict. */
static void verdict_start(const struct ps_socket *k, struct sock_verdict *v)
{
	v->listener = socket_is_listener(k);
	v->svc_port = k->local.port;
	if (!v->listener && k->remote.port && k->remote.port < v->svc_port)
		v->svc_port = k->remote.port;
	v->scope = v->bound = exposure_classify(&k->local.addr);
}

/* The first holder of k that has not vanished, or NULL: whose risk text applies. */
static const struct ps_proc *first_owner(const struct ps_snapshot *snap, const struct ps_socket *k)
{
	for (size_t j = 0; j < k->owner_count; j++) {
		const struct ps_proc *p = &snap->procs[snap_owner(snap, k, j)->proc];
		if (!p->vanished)
			return p;
	}
	return NULL;
}

/* The risk alternative that fits holder p (NULL: none visible) into *out, interned. 0 or -ENOMEM.
 */
static int verdict_risk(struct verdicts *vs, const char *risk, const struct ps_proc *p,
			const char **out)
{
	*out = NULL;
	if (!risk)
		return 0;
	char *base = NULL;
	if (p && p->exe) {
		const char *path =
		    p->exe_path ? p->exe_path : p->exe; /* without " (deleted)" where checked */
		const char *b = strrchr(path, '/');
		if (!(base = strdup(b ? b + 1 : path)))
			return -ENOMEM;
	}
	const char *t;
	size_t len;
	int rc = 0;
	if (registry_risk_select(risk, p ? p->name : NULL, base, &t, &len)) {
		char *c = str_dup_n(t, len);
		rc = c ? verdicts_intern(vs, c, out) : -ENOMEM;
		free(c);
	}
	free(base);
	return rc;
}

/* The service: all a connection gets, and where a listener's verdict goes on (risk for holder p).
 */
static int verdict_service(struct verdicts *vs, const struct registry *reg, unsigned proto,
			   const struct ps_proc *p, struct sock_verdict *v)
{
	struct port_info pi;
	v->svc_known = registry_lookup(reg, v->svc_port, proto, &pi);
	/* the model outlives the registry: keep copies (shared through the pool) */
	v->svc.dynamic = pi.dynamic;
	v->svc.svc_class = pi.svc_class;
	if (!v->svc_known)
		return 0;
	int rc = verdicts_intern(vs, pi.name, &v->svc.name);
	if (!rc)
		rc = verdicts_intern(vs, pi.desc, &v->svc.desc);
	if (!rc)
		rc = verdicts_intern(vs, pi.source, &v->svc.source);
	if (!rc)
		rc = verdicts_intern(vs, pi.owners, &v->svc.owners);
	if (!rc)
		rc = verdict_risk(vs, pi.risk, p, &v->svc.risk);
	if (!rc)
		rc = verdicts_intern(vs, pi.backdoor, &v->svc.backdoor);
	return rc;
}

/* The interfaces of one network namespace: what its sockets are reached through. */
struct ns_view {
	uint64_t netns;
	bool valid;
	const struct ps_ifaddr *a, *g;
	size_t n, ng;
	bool unknown; /* its addresses could not be read */
};

/* The view of namespace netns into *v (kept when it is v's already: sockets come by namespace). */
static void ns_view_of(const struct ps_snapshot *snap, uint64_t netns, struct ns_view *v)
{
	if (v->valid && v->netns == netns)
		return;
	v->valid = true;
	v->netns = netns;
	v->n = snap_addrs_of(snap->addrs, snap->naddrs, netns, &v->a);
	v->ng = snap_addrs_of(snap->groups, snap->ngroups, netns, &v->g);
	v->unknown = true; /* a namespace not listed: nothing was read there */
	if (netns == snap->netns)
		v->unknown = snap->addrs_err != 0;
	for (size_t i = 0; i < snap->nnets && netns != snap->netns; i++)
		if (snap->nets[i].inode == netns)
			v->unknown = !snap->nets[i].addrs_read;
}

/* A listener's full verdict: reachability (through its own namespace's interfaces) and findings.
 */
static int judge_listener(const struct ps_snapshot *snap, const struct ps_socket *k,
			  struct verdicts *vs, struct sock_verdict *v, struct buf *rt,
			  const struct fw_context *fw, struct ns_view *ns)
{
	int rc;
	ns_view_of(snap, k->netns ? k->netns : snap->netns, ns);
	if ((rc = exposure_reach(k, ns->a, ns->n, ns->g, ns->ng, &v->reach, &v->nreach)))
		return rc;
	v->widest = exposure_widest(k, v->reach, v->nreach, ns->unknown);
	if ((rc = reach_text(rt, v->reach, v->nreach, v->widest)))
		return rc;
	/* the firewall narrows the scope: a port it drops is not reachable beyond localhost */
	if (fw && (rc = fw_judge_listener(fw, snap, k, vs, v)))
		return rc;
	if (v->fw) { /* the severity policy sees only the addresses the firewall lets through */
		enum ps_exposure w = PS_EXPO_LOOPBACK;
		for (size_t r = 0; r < v->nreach; r++)
			if (v->fw[r].verdict != PS_FW_NONE && v->fw[r].reach_class > w)
				w = (enum ps_exposure)v->fw[r].reach_class;
		if (w < v->widest)
			v->widest = w;
		if ((rc = fw_reach_text(rt, v, v->widest)))
			return rc;
	}
	struct finding_input in = {.port = k->local.port,
				   .proto = k->proto,
				   .svc = v->svc_known ? &v->svc : NULL,
				   .scope = v->scope,
				   .widest = v->widest,
				   .reach_text = rt->data,
				   .pid = -1};
	size_t visible = 0;
	for (size_t j = 0; j < k->owner_count; j++)
		visible += !snap->procs[snap_owner(snap, k, j)->proc].vanished;
	in.has_owner = visible > 0;
	if ((rc = findings_for_socket(&in, &v->findings)))
		return rc;
	long last = -1;
	for (size_t j = 0; j < k->owner_count && !rc; j++) {
		const struct ps_owner *o = snap_owner(snap, k, j);
		const struct ps_proc *p = &snap->procs[o->proc];
		if ((long)o->proc == last || p->vanished || o->lead)
			continue; /* a worker of a pre-forking server is judged with its group's
				     root */
		last = (long)o->proc;
		in.has_owner = true;
		in.pid = p->pid;
		in.name = p->name;
		in.exe = p->exe;
		in.cmdline = p->cmdline;
		in.cmdline_len = p->cmdline_len;
		in.have_uid = p->have_uid;
		in.uid = p->uid;
		in.exe_checked = p->exe_checked;
		in.exe_check = p->exe_check;
		in.exe_path = p->exe_path;
		in.pkg = (enum pkg_status)p->pkg;
		in.pkg_name = p->pkg_name;
		in.alias = p->exe_alias;
		in.alias_alternatives = p->alias_alternatives;
		in.alias_pkg = (enum pkg_status)p->alias_pkg;
		in.name_holder = p->name_holder;
		in.holder_pkg = (enum pkg_status)p->holder_pkg;
		in.holder_pkg_name = p->holder_pkg_name;
		in.script = p->script.path;
		in.script_dir_world_writable = p->script.dir_world_writable;
		in.script_pkg = (enum pkg_status)p->script.pkg;
		in.script_pkg_name = p->script.pkg_name;
		/* what is wrong with a file is said once per socket, however many of its holders
		 * run it (inode 0: the file is not known, so never the same) */
		in.file_judged = false;
		for (size_t e = 0; e < j && p->exe_checked && p->exe_check.ino && !in.file_judged;
		     e++) {
			const struct ps_proc *q = &snap->procs[snap_owner(snap, k, e)->proc];
			in.file_judged = q != p && !q->vanished && q->exe_checked &&
					 q->exe_check.dev == p->exe_check.dev &&
					 q->exe_check.ino == p->exe_check.ino;
		}
		/* the workers of its group that hold this socket serve its connections */
		size_t workers = 0, unprivileged = 0;
		for (size_t w = 0; w < k->owner_count; w++) {
			const struct ps_owner *wo = snap_owner(snap, k, w);
			const struct ps_proc *wp = &snap->procs[wo->proc];
			if (wo->lead != p->pid || wp->vanished)
				continue;
			workers++;
			unprivileged += wp->have_uid && wp->uid != 0;
		}
		in.workers_unprivileged = workers > 0 && unprivileged == workers;
		rc = findings_for_owner(&in, &v->findings);
	}
	sort_findings(&v->findings);
	return rc ? rc : verdicts_intern_findings(vs, &v->findings);
}

/*
 * Connections to the same service share a verdict: an index keyed by (port,
 * proto, scope), grown as keys come (a few thousand services however many
 * connections).
 */
struct light_ent {
	uint32_t key;
	uint32_t slot; /* 1 + verdict index; LIGHT_PENDING: counted, not made yet; 0: empty */
};
struct light_index {
	struct light_ent *e;
	size_t mask, n;
};
#define LIGHT_PENDING UINT32_MAX

static uint32_t light_key(const struct ps_socket *k, const struct sock_verdict *v)
{
	return (uint32_t)v->svc_port << 8 | (uint32_t)k->proto << 4 | v->scope;
}

static struct light_ent *light_slot(struct light_ent *e, size_t mask, uint32_t key)
{
	uint32_t x =
	    key; /* murmur3's finalizer: every key bit reaches the low bits the mask keeps */
	x ^= x >> 16;
	x *= 0x85ebca6bu;
	x ^= x >> 13;
	x *= 0xc2b2ae35u;
	x ^= x >> 16;
	size_t h = x & mask;
	while (e[h].slot && e[h].key != key)
		h = (h + 1) & mask;
	return &e[h];
}

/* The entry for key, added empty (slot 0) when new. NULL when out of memory. */
static struct light_ent *light_find(struct light_index *li, uint32_t key)
{
	if ((li->n + 1) * 2 > li->mask) { /* at most half full */
		size_t size = li->e ? (li->mask + 1) * 2 : 64;
		struct light_ent *ne = calloc(size, sizeof *ne);
		if (!ne)
			return NULL;
		for (size_t i = 0; li->e && i <= li->mask; i++)
			if (li->e[i].slot)
				*light_slot(ne, size - 1, li->e[i].key) = li->e[i];
		free(li->e);
		li->e = ne;
		li->mask = size - 1;
	}
	struct light_ent *x = light_slot(li->e, li->mask, key);
	if (!x->slot)
		x->key = key;
	return x;
}

/*
 * How many verdicts s needs: one per listener, one per connection key. The keys
 * are entered as pending, so the verdicts array is allocated once at its size
 * (it was doubled through reallocations that touched twice its memory).
 */
static int count_verdicts(struct ps_snapshot *snap, struct light_index *li, size_t *n)
{
	*n = 0;
	for (size_t i = 0; i < snap->nsocks; i++) {
		struct sock_verdict tmp = {0};
		verdict_start(&snap->socks[i], &tmp);
		if (tmp.listener) {
			++*n;
			continue;
		}
		struct light_ent *x = light_find(li, light_key(&snap->socks[i], &tmp));
		if (!x)
			return -ENOMEM;
		if (!x->slot) {
			x->slot = LIGHT_PENDING;
			li->n++;
			++*n;
		}
	}
	return 0;
}

int verdicts_compute(struct ps_snapshot *snap, const struct registry *reg,
		     const struct fw_context *fw)
{
	verdicts_free(snap->verdicts);
	struct verdicts *vs = snap->verdicts = calloc(1, sizeof *vs);
	if (!vs)
		return -ENOMEM;
	struct light_index li = {0};
	struct buf rt = {0};
	struct ns_view ns = {0};
	size_t need;
	int rc = count_verdicts(snap, &li, &need);
	if (!rc && need && !(vs->v = malloc(need * sizeof *vs->v)))
		rc = -ENOMEM;
	vs->cap = rc ? 0 : need;
	for (size_t i = 0; i < snap->nsocks && !rc; i++) {
		struct ps_socket *k = &snap->socks[i];
		struct sock_verdict tmp = {0};
		verdict_start(k, &tmp);
		uint32_t *shared = NULL;
		if (!tmp.listener) {
			/* Reachability and findings are about listeners; a connection's local end
			 * says little, and judging every connection would cost memory. */
			shared =
			    &light_find(&li, light_key(k, &tmp))->slot; /* counted: no growth */
			if (*shared != LIGHT_PENDING) {
				k->verdict = *shared;
				continue;
			}
		}
		long at = verdicts_add(vs);
		if (at < 0 ||
		    (rc = verdict_service(vs, reg, k->proto,
					  tmp.listener ? first_owner(snap, k) : NULL, &tmp))) {
			rc = at < 0 ? (int)at : rc;
			break;
		}
		vs->v[at] = tmp;
		k->verdict = (uint32_t)at + 1;
		if (shared)
			*shared = k->verdict;
		else
			rc = judge_listener(snap, k, vs, &vs->v[at], &rt, fw, &ns);
	}
	buf_free(&rt);
	free(li.e);
	verdicts_count(snap);
	return rc;
}
