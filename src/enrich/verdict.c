/* verdict.c — judge each socket: registered service, exposure, and findings about its owners. */
#include "verdict.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/buf.h"
#include "../util/str.h"

bool path_in_temp_dir(const char *path)
{
	static const char *const dirs[] = {"/tmp/", "/var/tmp/", "/dev/shm/", "/run/shm/", "/dev/mqueue/",
					   "/var/crash/", "/run/lock/", "/var/lock/"};
	if (!path)
		return false;
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		if (strncmp(path, dirs[i], strlen(dirs[i])) == 0)
			return true;
	return false;
}

/* Append a finding with printf-made reason and evidence. 0 or -ENOMEM. */
__attribute__((format(printf, 5, 0))) static int vadd(struct finding_list *l, unsigned sev, const char *code,
						     int pid, const char *fmt, va_list ap)
{
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 4;
		struct finding *nf = realloc(l->f, nc * sizeof *nf);
		if (!nf)
			return -ENOMEM;
		l->f = nf;
		l->cap = nc;
	}
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	char *reason = n < 0 ? NULL : malloc((size_t)n + 1);
	if (!reason)
		return n < 0 ? -EINVAL : -ENOMEM;
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
	l->f[l->n++] = (struct finding){(uint8_t)sev, code, reason, evidence, pid};
	return 0;
}

__attribute__((format(printf, 5, 6))) static int add(struct finding_list *l, unsigned sev, const char *code,
						    int pid, const char *fmt, ...)
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

int findings_for_socket(const struct finding_input *in, struct finding_list *out)
{
	const struct port_info *svc = in->svc;
	int rc = 0;
	if (svc && svc->risk && in->scope != PS_EXPO_LOOPBACK)
		rc = add(out, SEV_WARNING, "risky-exposure", -1,
			 "%s on %u/%s is reachable beyond localhost: %s" SEP "bound to %s addresses; reachable now on: %s",
			 svc->name ? svc->name : "the service", in->port, proto_txt(in->proto), svc->risk,
			 exposure_name(in->scope), in->reach_text && *in->reach_text ? in->reach_text : "none");
	if (!rc && svc && svc->backdoor && !in->has_owner) {
		struct buf names = {0};
		rc = list_text(&names, svc->backdoor);
		if (!rc)
			rc = add(out, SEV_NOTICE, "backdoor-port", -1,
				 "port %u/%s is one that backdoors are known to use (%s); no owning process is "
				 "visible, so it cannot be judged" SEP "no process holding the socket could be seen",
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
 * Whether a process name fits its executable: the same name, one a prefix of the
 * other (python3 runs /usr/bin/python3.11 through a symlink), or a script run
 * by an interpreter (the kernel names the process after the script, argv[1] or argv[2]).
 */
static bool name_fits_exe(const char *comm, const char *base, const char *cmdline, size_t cmdline_len)
{
	size_t cl = strlen(comm), bl = strlen(base);
	if (comm_eq(comm, base, bl))
		return true;
	size_t m = cl < bl ? cl : bl;
	if (m >= 2 && memcmp(comm, base, m) == 0)
		return true;
	if (strcmp(base, "busybox") == 0)
		return true;
	const char *p = cmdline, *end = cmdline ? cmdline + cmdline_len : NULL;
	for (int arg = 0; p && p < end && arg < 3; arg++) {
		const char *z = memchr(p, '\0', (size_t)(end - p));
		const char *ae = z ? z : end;
		if (arg > 0) {
			const char *b = ae;
			while (b > p && b[-1] != '/')
				b--;
			if (comm_eq(comm, b, (size_t)(ae - b)))
				return true;
		}
		if (!z)
			break;
		p = z + 1;
	}
	return false;
}

int findings_for_owner(const struct finding_input *in, struct finding_list *out)
{
	const struct port_info *svc = in->svc;
	char *clean = NULL;
	int rc = 0;
	bool deleted = false;
	if (in->exe) {
		size_t n = exe_path_len(in->exe);
		deleted = n != strlen(in->exe);
		if (!(clean = str_dup_n(in->exe, n)))
			return -ENOMEM;
	}
	if (in->exe_checked)
		deleted = deleted || in->exe_check.deleted;
	const char *base = clean ? base_of(clean) : NULL;
	bool temp = clean && (path_in_temp_dir(clean) || (in->exe_checked && in->exe_check.dir_world_writable));
	bool unowned = in->pkg == PKG_UNOWNED;
	const char *name = in->name ? in->name : "?";
	const char *pkgtxt = in->pkg == PKG_OWNED ? "from package " : unowned ? "from no package" : "package unknown";
	const char *pkgname = in->pkg == PKG_OWNED && in->pkg_name ? in->pkg_name : "";
	struct buf why = {0};

	if (deleted)
		rc = add(out, SEV_WARNING, "exe-deleted", in->pid,
			 "the program's executable was deleted after it started: what runs is no longer on disk" SEP
			 "/proc/%d/exe -> %s",
			 in->pid, in->exe);
	if (!rc && !deleted && in->exe_checked && in->exe_check.replaced)
		rc = add(out, SEV_WARNING, "exe-replaced", in->pid,
			 "the executable was replaced after the process started: the program running is not the "
			 "file now at its path" SEP "/proc/%d/exe and %s are different files",
			 in->pid, clean);
	if (!rc && temp)
		rc = add(out, SEV_WARNING, "exe-temp-dir", in->pid,
			 "the executable lives in a temporary or world-writable directory, where anyone can put "
			 "programs" SEP "%s%s",
			 clean, in->exe_checked && in->exe_check.dir_world_writable ? " (its directory is world-writable)" : "");
	if (!rc && unowned)
		rc = add(out, SEV_INFO, "exe-unpackaged", in->pid,
			 "the executable belongs to no installed package" SEP "%s is not listed in the dpkg database",
			 clean);
	bool fits = !base || !in->name || name_fits_exe(in->name, base, in->cmdline, in->cmdline_len);
	if (!rc && !fits) {
		bool claims = svc && svc->owners && registry_owner_matches(svc->owners, in->name) &&
			      !registry_owner_matches(svc->owners, base);
		rc = add(out, claims ? SEV_WARNING : SEV_NOTICE, "name-mismatch", in->pid,
			 "the process calls itself %s but runs %s%s" SEP "comm %s, /proc/%d/exe -> %s", name, clean,
			 claims ? ", the name of the program that normally holds this port" : "", name, in->pid,
			 in->exe);
	}
	/* Not "deleted": after a package upgrade every running daemon's executable is. */
	bool suspicious = temp || unowned;
	if (!rc && svc && svc->owners) {
		bool named = registry_owner_matches(svc->owners, in->name) ||
			     (base && registry_owner_matches(svc->owners, base));
		if (!named || suspicious) {
			unsigned sev = suspicious ? SEV_ALERT : in->port < 1024 ? SEV_WARNING : SEV_NOTICE;
			rc = list_text(&why, svc->owners);
			if (!rc && named) {
				const char *parts[2];
				size_t np = 0;
				if (temp)
					parts[np++] = "in a temporary directory";
				if (unowned)
					parts[np++] = "from no package";
				rc = buf_puts(&why, "; this process has that name but is not an installed one (");
				for (size_t i = 0; i < np && !rc; i++)
					rc = buf_printf(&why, "%s%s", i ? ", " : "", parts[i]);
				if (!rc)
					rc = buf_putc(&why, ')');
			} else if (!rc) {
				rc = buf_printf(&why, ", not by %s", name);
			}
			if (!rc)
				rc = add(out, sev, "unexpected-owner", in->pid,
					 "port %u/%s (%s) is normally held by %s" SEP "pid %d %s, executable %s, %s%s",
					 in->port, proto_txt(in->proto), svc->name ? svc->name : "?", why.data, in->pid,
					 name, in->exe ? in->exe : "unreadable", pkgtxt, pkgname);
		}
	}
	if (!rc && svc && svc->backdoor) {
		unsigned sev = suspicious ? SEV_ALERT : in->pkg == PKG_OWNED ? SEV_NOTICE : SEV_WARNING;
		const char *judge = suspicious ? "and its owner is not an installed program, which is how backdoors run"
				    : in->pkg == PKG_OWNED ? "but its owner is an installed program from a package, "
							     "so it is most likely legitimate"
							   : "and whether its owner is an installed program is unknown";
		buf_clear(&why);
		rc = list_text(&why, svc->backdoor);
		if (!rc)
			rc = add(out, sev, "backdoor-port", in->pid,
				 "port %u/%s is one that backdoors are known to use (%s), %s" SEP
				 "pid %d %s, executable %s, %s%s",
				 in->port, proto_txt(in->proto), why.data, judge, in->pid, name,
				 in->exe ? in->exe : "unreadable", pkgtxt, pkgname);
	}
	if (!rc && in->have_uid && in->uid == 0 && in->reach_public)
		rc = add(out, SEV_NOTICE, "root-public", in->pid,
			 "a process running as root listens on a port reachable from public addresses: a flaw in it "
			 "gives away the whole machine" SEP "pid %d %s runs as uid 0; reachable now on: %s",
			 in->pid, name, in->reach_text ? in->reach_text : "?");
	buf_free(&why);
	free(clean);
	return rc;
}

/* Whether interface address `a` is the bound address `b` (IPv4-mapped IPv6 matches IPv4). */
static bool same_addr(const struct ps_addr *a, const struct ps_addr *b)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
	if (a->family == b->family)
		return memcmp(a->bytes, b->bytes, a->family == PS_INET ? 4 : 16) == 0;
	if (a->family == PS_INET && b->family == PS_INET6)
		return memcmp(b->bytes, mapped, 12) == 0 && memcmp(b->bytes + 12, a->bytes, 4) == 0;
	return false;
}

static int push_reach(struct reach **out, size_t *n, size_t *cap, const char *ifname, const struct ps_addr *a)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		struct reach *nr = realloc(*out, nc * sizeof *nr);
		if (!nr)
			return -ENOMEM;
		*out = nr;
		*cap = nc;
	}
	(*out)[(*n)++] = (struct reach){ifname, *a};
	return 0;
}

int exposure_reach(const struct ps_socket *k, const struct ps_ifaddr *a, size_t n, struct reach **out,
		   size_t *nout)
{
	*out = NULL;
	*nout = 0;
	size_t cap = 0;
	const struct ps_addr *l = &k->local.addr;
	int rc = 0;
	if (addr_is_any(l)) {
		bool v4 = l->family == PS_INET || k->v6only != PS_V6ONLY_YES;
		bool v6 = l->family == PS_INET6;
		for (size_t i = 0; i < n && !rc; i++) {
			if (k->ifindex && a[i].ifindex != k->ifindex)
				continue;
			if ((a[i].addr.family == PS_INET && v4) || (a[i].addr.family == PS_INET6 && v6))
				rc = push_reach(out, nout, &cap, a[i].ifname, &a[i].addr);
		}
		return rc;
	}
	for (size_t i = 0; i < n && !rc; i++)
		if (same_addr(&a[i].addr, l) && (!k->ifindex || a[i].ifindex == k->ifindex))
			rc = push_reach(out, nout, &cap, a[i].ifname, &a[i].addr);
	if (!rc && !*nout && exposure_classify(l) == PS_EXPO_LOOPBACK) {
		/* 127.0.0.53 and the like: every 127/8 address is on the loopback interface. */
		for (size_t i = 0; i < n; i++)
			if (a[i].addr.family == PS_INET && a[i].addr.bytes[0] == 127 &&
			    (l->family == PS_INET || k->v6only != PS_V6ONLY_YES))
				return push_reach(out, nout, &cap, a[i].ifname, l);
	}
	return rc;
}

static int reach_text(struct buf *b, const struct reach *r, size_t n)
{
	buf_clear(b);
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		char s[64];
		addr_format(&r[i].addr, s, sizeof s);
		rc = buf_printf(b, "%s%s %s", i ? ", " : "", r[i].ifname ? r[i].ifname : "?", s);
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
	v->scope = exposure_classify(&k->local.addr);
}

/* The service: all a connection gets, and where a listener's verdict goes on. */
static int verdict_service(struct verdicts *vs, const struct registry *reg, unsigned proto, struct sock_verdict *v)
{
	struct port_info pi;
	v->svc_known = registry_lookup(reg, v->svc_port, proto, &pi);
	/* the model outlives the registry: keep copies (shared through the pool) */
	v->svc.dynamic = pi.dynamic;
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
		rc = verdicts_intern(vs, pi.risk, &v->svc.risk);
	if (!rc)
		rc = verdicts_intern(vs, pi.backdoor, &v->svc.backdoor);
	return rc;
}

/* A listener's full verdict: reachability and findings. */
static int judge_listener(const struct ps_snapshot *snap, const struct ps_socket *k, struct verdicts *vs,
			  struct sock_verdict *v, struct buf *rt)
{
	int rc;
	if ((rc = exposure_reach(k, snap->addrs, snap->naddrs, &v->reach, &v->nreach)) ||
	    (rc = reach_text(rt, v->reach, v->nreach)))
		return rc;
	struct finding_input in = {.port = k->local.port, .proto = k->proto, .svc = v->svc_known ? &v->svc : NULL,
				   .scope = v->scope, .reach_text = rt->data, .pid = -1};
	in.reach_public = v->scope == PS_EXPO_PUBLIC;
	for (size_t r = 0; r < v->nreach; r++)
		if (exposure_classify(&v->reach[r].addr) == PS_EXPO_PUBLIC)
			in.reach_public = true;
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
		if ((long)o->proc == last || p->vanished)
			continue;
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
		in.pkg = (enum pkg_status)p->pkg;
		in.pkg_name = p->pkg_name;
		rc = findings_for_owner(&in, &v->findings);
	}
	sort_findings(&v->findings);
	return rc ? rc : verdicts_intern_findings(vs, &v->findings);
}

/* Connections to the same service share a verdict: an index keyed by (port, proto, scope). */
struct light_index {
	uint32_t *key, *slot; /* slot: 1 + verdict index, 0: empty */
	size_t mask;
};

/* Slot of the shared verdict for key, made empty for a new one; never full (sized 2 x sockets). */
static uint32_t *light_find(struct light_index *li, uint32_t key)
{
	size_t h = (key * 2654435761u) & li->mask;
	while (li->slot[h] && li->key[h] != key)
		h = (h + 1) & li->mask;
	li->key[h] = key;
	return &li->slot[h];
}

int verdicts_compute(struct ps_snapshot *snap, const struct registry *reg)
{
	verdicts_free(snap->verdicts);
	struct verdicts *vs = snap->verdicts = calloc(1, sizeof *vs);
	if (!vs)
		return -ENOMEM;
	struct light_index li = {0};
	struct buf rt = {0};
	int rc = 0;
	for (size_t i = 0; i < snap->nsocks && !rc; i++) {
		struct ps_socket *k = &snap->socks[i];
		struct sock_verdict tmp = {0};
		verdict_start(k, &tmp);
		uint32_t *shared = NULL;
		if (!tmp.listener) {
			/* Reachability and findings are about listeners; a connection's local end
			 * says little, and judging every connection would cost memory. */
			if (!li.slot) {
				size_t size = 64;
				while (size < snap->nsocks * 2)
					size *= 2;
				li.key = malloc(size * sizeof *li.key);
				li.slot = calloc(size, sizeof *li.slot);
				li.mask = size - 1;
				if (!li.key || !li.slot) {
					rc = -ENOMEM;
					break;
				}
			}
			shared = light_find(&li, (uint32_t)tmp.svc_port << 8 | (uint32_t)k->proto << 4 | tmp.scope);
			if (*shared) {
				k->verdict = *shared;
				continue;
			}
		}
		long at = verdicts_add(vs);
		if (at < 0 || (rc = verdict_service(vs, reg, k->proto, &tmp))) {
			rc = at < 0 ? (int)at : rc;
			break;
		}
		vs->v[at] = tmp;
		k->verdict = (uint32_t)at + 1;
		if (shared)
			*shared = k->verdict;
		else
			rc = judge_listener(snap, k, vs, &vs->v[at], &rt);
	}
	buf_free(&rt);
	free(li.key);
	free(li.slot);
	verdicts_count(snap);
	return rc;
}
