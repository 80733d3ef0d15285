/* SPDX-License-Identifier: GPL-2.0-or-later */
/* svcinfo.c — why a process runs: its parent chain up to the supervisor, socket activation, socket
 * cgroups. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../util/buf.h"
#include "../../util/grow.h"
#include "../../util/readfile.h"
#include "../../util/str.h"
#include "../platform.h"
#include "backend.h"
#include "ext.h"
#include "ppool.h"
#include "procparse.h"
#include "roots.h"
#include "sdbus.h"

#define MAX_DEPTH 64
#define SMALL_LIMIT (64 * 1024)
#define ENVIRON_LIMIT (256 * 1024)

/* One process of some owner's parent chain, read once and shared by every owner. */
struct anc {
	int pid, ppid;
	bool ok;
	char *name, *exe, *cgroup;
	const char *kind; /* supervisor kind, NULL when it is not one */
};

struct anc_cache {
	struct anc *a;
	size_t n, cap;
	int procfd;
	struct buf b;
};

/* A /proc file, at most `limit` bytes: a longer one is cut, which is all these reads need. */
static int read_at(int dirfd, const char *path, struct buf *b, size_t limit)
{
	bool cut;
	return read_file_at(dirfd, path, b, limit, 0, &cut);
}

static const char *base_name(const char *p)
{
	const char *s = p ? strrchr(p, '/') : NULL;
	return s ? s + 1 : p;
}

static bool is_shell(const char *n)
{
	static const char *const shells[] = {"bash", "sh",   "dash", "zsh", "fish",
					     "ksh",  "mksh", "tcsh", "csh"};
	for (size_t i = 0; i < sizeof shells / sizeof shells[0]; i++)
		if (strcmp(n, shells[i]) == 0)
			return true;
	return false;
}

/* What kind of supervisor this ancestor is, from its name (and argv[0] for login shells). */
static const char *supervisor_kind(struct anc_cache *c, const struct anc *a)
{
	const char *n = a->name ? a->name : "";
	const char *e = a->exe ? base_name(a->exe) : "";
	if (strcmp(n, "systemd") == 0 || strcmp(e, "systemd") == 0)
		return "systemd";
	if (a->pid == 1)
		return "init";
	if (strncmp(n, "containerd-shim", 15) == 0 || strcmp(n, "conmon") == 0 ||
	    strncmp(e, "containerd-shim", 15) == 0 || strcmp(e, "conmon") == 0)
		return "container-shim";
	if (strcmp(n, "sshd") == 0)
		return "sshd";
	if (strcmp(n, "cron") == 0 || strcmp(n, "crond") == 0 || strcmp(n, "anacron") == 0 ||
	    strcmp(n, "atd") == 0)
		return "cron";
	if (strncmp(n, "tmux", 4) == 0)
		return "tmux";
	if (strcmp(n, "screen") == 0 || strcmp(n, "SCREEN") == 0)
		return "screen";
	if (is_shell(n)) {
		char path[48];
		snprintf(path, sizeof path, "%d/cmdline", a->pid);
		if (read_at(c->procfd, path, &c->b, 256) == 0 && c->b.len && c->b.data[0] == '-')
			return "login-shell";
	}
	return NULL;
}

static struct anc *anc_get(struct anc_cache *c, int pid, int *err)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->a[i].pid == pid)
			return &c->a[i];
	if (util_grow((void **)&c->a, &c->cap, c->n + 1, sizeof *c->a)) {
		*err = -ENOMEM;
		return NULL;
	}
	struct anc *a = &c->a[c->n++];
	memset(a, 0, sizeof *a);
	a->pid = pid;
	a->ppid = -1;
	char path[48];
	snprintf(path, sizeof path, "%d/stat", pid);
	uint64_t start;
	if (read_at(c->procfd, path, &c->b, SMALL_LIMIT) == 0 &&
	    proc_parse_stat(c->b.data, c->b.len, &a->name, &a->ppid, &start) == 0)
		a->ok = true;
	snprintf(path, sizeof path, "%d/exe", pid);
	if (a->ok)
		(void)read_link_at(c->procfd, path, &a->exe); /* NULL when unreadable */
	snprintf(path, sizeof path, "%d/cgroup", pid);
	if (a->ok && read_at(c->procfd, path, &c->b, SMALL_LIMIT) == 0) {
		size_t n;
		const char *cg = proc_parse_cgroup(c->b.data, c->b.len, &n);
		if (cg)
			a->cgroup = str_dup_n(cg, n);
	}
	if (a->ok)
		a->kind = supervisor_kind(c, a);
	return a;
}

static void anc_cache_free(struct anc_cache *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->a[i].name);
		free(c->a[i].exe);
		free(c->a[i].cgroup);
	}
	free(c->a);
	buf_free(&c->b);
}

static int add_ancestor(struct ps_proc *p, const struct anc *a)
{
	struct ps_ancestor *na = realloc(p->ancestry, (p->nancestry + 1) * sizeof *na);
	if (!na)
		return -ENOMEM;
	p->ancestry = na;
	struct ps_ancestor *x = &na[p->nancestry++];
	x->pid = a->pid;
	x->name = a->name ? str_dup(a->name) : NULL;
	x->exe = a->exe ? str_dup(a->exe) : NULL;
	if ((a->name && !x->name) || (a->exe && !x->exe))
		return -ENOMEM;
	return 0;
}

/*
 * Walk up from p's parent. Stop at a supervisor (by name), at the edge of p's
 * cgroup (the unit or container boundary: the parent lives elsewhere), at PID 1,
 * or after MAX_DEPTH steps (a corrupt or racing chain).
 */
static int ancestry_one(struct anc_cache *c, struct ps_proc *p)
{
	int pid = p->ppid, err = 0;
	bool own_cgroup = p->cgroup && strcmp(p->cgroup, "/") != 0;
	for (int depth = 0; pid > 0 && depth < MAX_DEPTH; depth++) {
		struct anc *a = anc_get(c, pid, &err);
		if (!a)
			return err;
		if (!a->ok)
			break;
		int rc = add_ancestor(p, a);
		if (rc)
			return rc;
		if (a->kind) {
			p->supervisor_kind = a->kind;
			p->supervisor_pid = a->pid;
			break;
		}
		if (own_cgroup && a->cgroup && strcmp(a->cgroup, p->cgroup) != 0) {
			p->supervisor_kind =
			    "systemd-unit"; /* refined to "container" by enrichment */
			p->supervisor_pid = a->pid;
			break;
		}
		if (a->ppid == pid)
			break;
		pid = a->ppid;
	}
	return 0;
}

static bool listening(const struct ps_socket *k)
{
	return k->state == PS_ST_LISTEN || (k->proto == PS_UDP && k->state == PS_ST_CLOSE);
}

/*
 * The variables an environment is read for: socket activation's, then code_env_of's, its code
 * paths (from ENV_PATHS) and its options that load modules (from ENV_OPTS, as opt_loads says).
 */
enum {
	ENV_LISTEN_FDS,
	ENV_LISTEN_PID,
	ENV_LISTEN_FDNAMES,
	ENV_PATHS,
	ENV_OPTS = 10,
	ENV_NAMES = 13
};
static const char *const env_names[ENV_NAMES] = {
    "LISTEN_FDS",     "LISTEN_PID", "LISTEN_FDNAMES", "PYTHONPATH", "PYTHONHOME",
    "PYTHONUSERBASE", "PERL5LIB",   "PERLLIB",	      "RUBYLIB",    "NODE_PATH",
    "PERL5OPT",	      "RUBYOPT",    "NODE_OPTIONS"};

/* Their values in one environment block (each NULL when absent), found in one pass over it. */
struct env_vals {
	const char *v[ENV_NAMES];
};

/*
 * The values of env_names in a NUL-separated environment block: the first NAME= of each (an
 * unterminated last entry counts as absent).
 */
static void env_scan(const char *env, size_t len, struct env_vals *out)
{
	bool seen[ENV_NAMES] = {false};
	*out = (struct env_vals){{NULL}};
	for (const char *s = env, *end = env + len; s < end;) {
		const char *z = memchr(s, '\0', (size_t)(end - s));
		size_t n = z ? (size_t)(z - s) : (size_t)(end - s);
		const char *eq = memchr(s, '=', n);
		size_t nl = eq ? (size_t)(eq - s) : 0;
		for (size_t i = 0; nl && i < ENV_NAMES; i++)
			if (!seen[i] && env_names[i][0] == s[0] && strlen(env_names[i]) == nl &&
			    memcmp(s, env_names[i], nl) == 0) {
				seen[i] = true;
				out->v[i] = z ? eq + 1 : NULL;
			}
		if (!z)
			break;
		s = z + 1;
	}
}

bool lnx_env_wanted(const char *entry, size_t n)
{
	const char *eq = memchr(entry, '=', n);
	size_t nl = eq ? (size_t)(eq - entry) : 0;
	for (size_t i = 0; nl && i < ENV_NAMES; i++)
		if (strlen(env_names[i]) == nl && memcmp(entry, env_names[i], nl) == 0)
			return true;
	return false;
}

/* The BPF pass's wanted entries of environments, by ascending pid (only non-empty ones). */
static struct passenv {
	int pid;
	char *env;
	size_t len;
} * passenv;
static size_t npassenv, passenv_cap;

void lnx_passenv_reset(void)
{
	for (size_t i = 0; i < npassenv; i++)
		free(passenv[i].env);
	free(passenv);
	passenv = NULL;
	npassenv = passenv_cap = 0;
}

int lnx_passenv_add(int pid, char *env, size_t len)
{
	if (util_grow((void **)&passenv, &passenv_cap, npassenv + 1, sizeof *passenv)) {
		free(env);
		return -ENOMEM;
	}
	size_t at = npassenv;
	while (at > 0 && passenv[at - 1].pid > pid)
		at--;
	memmove(&passenv[at + 1], &passenv[at], (npassenv - at) * sizeof *passenv);
	passenv[at] = (struct passenv){pid, env, len};
	npassenv++;
	return 0;
}

static const struct passenv *passenv_get(int pid)
{
	size_t lo = 0, hi = npassenv;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (passenv[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < npassenv && passenv[lo].pid == pid ? &passenv[lo] : NULL;
}

/* Whether any variable code_env_of judges is set (its code paths and options). */
static bool env_code_vars(const struct env_vals *e)
{
	for (size_t i = ENV_PATHS; i < ENV_NAMES; i++)
		if (e->v[i])
			return true;
	return false;
}

static long env_num(const char *v)
{
	if (!v || !*v)
		return -1;
	char *e;
	long n = strtol(v, &e, 10);
	return *e == '\0' && n >= 0 && n < 1000000 ? n : -1;
}

/* Entry i of a ':'-separated LISTEN_FDNAMES, as a new string, or NULL. */
static char *fdname(const char *names, long i)
{
	for (const char *s = names; s; i--) {
		const char *colon = strchr(s, ':');
		size_t n = colon ? (size_t)(colon - s) : strlen(s);
		if (i == 0)
			return n ? str_dup_n(s, n) : NULL;
		s = colon ? colon + 1 : NULL;
	}
	return NULL;
}

#ifdef HAVE_SDBUS
#define NO_UNITS_NOTE "the .socket unit was not found over D-Bus (is systemd running?)"
#else
#define NO_UNITS_NOTE                                                                              \
	"the .socket unit is not looked up: portsleuth was built without sd-bus (libsystemd)"
#endif

/* What a process's environment says about socket activation, read at most once. */
struct envinfo {
	bool read;
	long nfds, lpid;
	char *names;	/* LISTEN_FDNAMES */
	char *code_env; /* code_env_of's answer */
};

/* Whether a directory named in a code path may hold code another user put there: not there
 * (it could be made), not root's, or writable by group or others; seen from the process's own
 * root (`root`, an open directory: a container's paths are its own, not ours). */
static bool dir_untrusted(int root, const char *d, size_t n)
{
	char path[4096];
	if (n == 0 || n >= sizeof path || d[0] != '/')
		return n != 0; /* a relative entry: the process's working directory decides */
	memcpy(path, d, n);
	path[n] = '\0';
	struct stat st;
	return lnx_stat_in(root, path, true, &st) != 0 || st.st_uid != 0 || (st.st_mode & 022) != 0;
}

/*
 * The first environment variable that makes an interpreter load code from elsewhere than its
 * script: a code path (PYTHONPATH, PERL5LIB, RUBYLIB, NODE_PATH...) with a directory another user
 * may have written, or options that load modules (PERL5OPT -M, RUBYOPT -r, NODE_OPTIONS
 * --require): "NAME=value" (the value cut at 200 bytes), NULL when none, -ENOMEM in *rc.
 */
static char *code_env_of(const struct env_vals *env, int root, int *rc)
{
	static const char *const perl_load[] = {"-M", "-m", NULL}, *const ruby_load[] = {"-r",
											 NULL};
	static const char *const node_load[] = {"-r", "--require", "--import", "--loader", NULL};
	static const char *const *const opt_loads[ENV_NAMES - ENV_OPTS] = {perl_load, ruby_load,
									   node_load};
	const char *name = NULL, *v = NULL;
	for (size_t i = ENV_PATHS; !name && i < ENV_OPTS; i++) {
		const char *x = env->v[i];
		for (const char *d = x; d && !name;) {
			const char *colon = strchr(d, ':');
			size_t n = colon ? (size_t)(colon - d) : strlen(d);
			if (dir_untrusted(root, d, n))
				name = env_names[i], v = x;
			d = colon ? colon + 1 : NULL;
		}
	}
	for (size_t i = ENV_OPTS; !name && i < ENV_NAMES; i++) {
		const char *x = env->v[i];
		for (const char *const *l = opt_loads[i - ENV_OPTS]; x && *l && !name; l++)
			if (strstr(x, *l))
				name = env_names[i], v = x;
	}
	if (!name)
		return NULL;
	struct buf b = {0};
	size_t vn = strlen(v);
	if (buf_printf(&b, "%s=%.*s%s", name, (int)(vn > 200 ? 200 : vn), v, vn > 200 ? "..." : ""))
		*rc = -ENOMEM;
	return b.data;
}

/* What pid's environment (len bytes at env) says about socket activation, into *ei. 0 or
 * -ENOMEM. */
static int env_take(int procfd, int pid, const char *env, size_t len, struct envinfo *ei)
{
	char path[48];
	struct env_vals e;
	env_scan(env, len, &e);
	ei->nfds = env_num(e.v[ENV_LISTEN_FDS]);
	ei->lpid = env_num(e.v[ENV_LISTEN_PID]);
	const char *names = e.v[ENV_LISTEN_FDNAMES];
	if (names && !(ei->names = str_dup(names)))
		return -ENOMEM;
	int rc = 0;
	if (!env_code_vars(&e)) /* nothing for code_env_of to judge: no root to open */
		return 0;
	snprintf(path, sizeof path, "%d/root", pid);
	int root = openat(procfd, path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root >= 0) { /* gone, or its root unreadable: its code paths are not judged */
		ei->code_env = code_env_of(&e, root, &rc);
		close(root);
	}
	return rc;
}

/* What p's environment says about socket activation, into *ei: as the BPF pass read it, or
 * from /proc; *refused when it may not be read. 0 or -ENOMEM. */
static int env_read(int procfd, const struct ps_proc *p, struct buf *b, struct envinfo *ei,
		    bool *refused)
{
	ei->read = true;
	ei->nfds = ei->lpid = -1;
	if (lnx_proc_pass(p) & LNX_PASS_ENV) {
		const struct passenv *pe = passenv_get(p->pid);
		return pe ? env_take(procfd, p->pid, pe->env, pe->len, ei) : 0;
	}
	char path[48];
	snprintf(path, sizeof path, "%d/environ", p->pid);
	bool cut;
	int rc = read_file_at_short(procfd, path, b, ENVIRON_LIMIT, &cut);
	if (rc == -ENOMEM)
		return rc;
	if (rc == -EACCES || rc == -EPERM)
		*refused = true;
	return rc ? 0 : env_take(procfd, p->pid, b->data, b->len, ei);
}

/* Whether activation_one reads p's environment for a socket at fd (it is not an activator). */
static bool wants_env(const struct ps_proc *p, int32_t fd)
{
	const char *n = p->name ? p->name : "";
	const char *e = p->exe ? base_name(p->exe) : "";
	return !p->activation && !p->vanished && fd >= 3 && strcmp(n, "systemd") != 0 &&
	       strcmp(e, "systemd") != 0 && strcmp(n, "systemd-socket-") != 0 &&
	       strcmp(e, "systemd-socket-activate") != 0;
}

/* The environments to read, spread over threads (a host with thousands of servers). */
struct env_job {
	int procfd;
	const struct ps_snapshot *snap;
	const size_t *procs; /* the processes whose environment is wanted */
	struct envinfo *ei;
	struct buf b[PPOOL_MAX_THREADS];
	bool refused[PPOOL_MAX_THREADS];
};

static int env_item(void *ctx, size_t w, size_t i)
{
	struct env_job *j = ctx;
	size_t pi = j->procs[i];
	return env_read(j->procfd, &j->snap->procs[pi], &j->b[w], &j->ei[pi], &j->refused[w]);
}

/* Read every environment activation_one will look at, in parallel. 0 or -ENOMEM. */
static int env_prefetch(struct anc_cache *c, struct ps_snapshot *snap, struct envinfo *ei)
{
	size_t *procs = malloc((snap->nprocs ? snap->nprocs : 1) * sizeof *procs), n = 0;
	if (!procs)
		return -ENOMEM;
	for (size_t i = 0; i < snap->nsocks; i++) {
		const struct ps_socket *k = &snap->socks[i];
		for (size_t j = 0; listening(k) && j < k->owner_count; j++) {
			const struct ps_owner *o = snap_owner(snap, k, j);
			if (!ei[o->proc].read && wants_env(&snap->procs[o->proc], o->fd)) {
				ei[o->proc].read = true; /* queued once */
				procs[n++] = o->proc;
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		ei[procs[i]].read = false;
	struct env_job j = {.procfd = c->procfd, .snap = snap, .procs = procs, .ei = ei};
	int rc = ppool_run(n, ppool_threads(n), env_item, &j);
	for (size_t w = 0; w < PPOOL_MAX_THREADS; w++) {
		buf_free(&j.b[w]);
		snap->partial |= j.refused[w];
	}
	free(procs);
	return rc;
}

/* Socket activation: the activator (systemd, systemd-socket-activate) and the service it fed. */
static int activation_one(struct anc_cache *c, struct ps_snapshot *snap, size_t pi, int32_t fd,
			  struct envinfo *ei)
{
	struct ps_proc *p = &snap->procs[pi];
	if (p->activation || p->vanished)
		return 0;
	const char *n = p->name ? p->name : "";
	const char *e = p->exe ? base_name(p->exe) : "";
	const char *by = NULL;
	if (strcmp(n, "systemd") == 0 || strcmp(e, "systemd") == 0)
		by = "systemd";
	else if (strcmp(n, "systemd-socket-") == 0 || strcmp(e, "systemd-socket-activate") == 0)
		by = "systemd-socket-activate";
	struct ps_activation *a = NULL;
	if (by) {
		if (!(a = calloc(1, sizeof *a)))
			return -ENOMEM;
		a->role = "activator";
		a->by = by;
		a->note =
		    strcmp(by, "systemd") == 0
			? NO_UNITS_NOTE
			: "systemd-socket-activate passes the socket on without a .socket unit";
		p->activation = a;
		return 0;
	}
	if (fd < 3)
		return 0;
	int rc;
	if (!ei->read && (rc = env_read(c->procfd, p, &c->b, ei, &snap->partial)))
		return rc;
	if (ei->code_env && !proc_more(p)->code_env) {
		struct ps_proc_more *m = proc_more_get(p);
		if (!m)
			return -ENOMEM;
		m->code_env = ei->code_env;
		ei->code_env = NULL;
	}
	if (ei->nfds <= 0 || fd >= 3 + ei->nfds)
		return 0;
	if (!(a = calloc(1, sizeof *a)))
		return -ENOMEM;
	p->activation = a;
	a->role = ei->lpid == p->pid ? "service" : "inherited";
	a->listen_fds = (int)ei->nfds;
	char *sn = ei->names ? fdname(ei->names, fd - 3) : NULL;
	size_t sl = sn ? strlen(sn) : 0;
	if (sn && sl > 7 && strcmp(sn + sl - 7, ".socket") == 0)
		a->claimed_unit =
		    sn; /* systemd names each fd after its .socket unit, but so can anyone */
	else
		free(sn);
	/* parent: systemd feeds services directly; anything else is a stand-in activator */
	struct anc *par = NULL;
	int err = 0;
	if (p->ppid > 0 && !(par = anc_get(c, p->ppid, &err)) && err)
		return err;
	a->by = par && par->kind && strcmp(par->kind, "systemd") == 0 ? "systemd" : NULL;
	if (a->claimed_unit)
		a->note = "its environment (LISTEN_FDNAMES) names the .socket unit: the process's "
			  "own claim, "
			  "not checked with systemd";
	else
		a->note = a->by ? NO_UNITS_NOTE
				: "received its sockets through LISTEN_FDS (not from systemd: no "
				  ".socket unit)";
	return 0;
}

/* The cgroup2 mount point, from /proc/self/mountinfo (hybrid layouts mount it at .../unified). */
static char *cgroup2_mount(struct buf *b)
{
	int fd = open(roots_get()->proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	int rc = read_at(fd, "self/mountinfo", b, 4 * 1024 * 1024);
	close(fd);
	if (rc)
		return NULL;
	for (char *line = b->data; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER */
		char *sep = strstr(line, " - ");
		if (sep && strncmp(sep + 3, "cgroup2 ", 8) == 0) {
			char *f = line;
			for (int i = 0; i < 4 && f; i++) {
				f = strchr(f, ' ');
				if (f)
					f++;
			}
			char *end = f ? strchr(f, ' ') : NULL;
			if (end) {
				/* undo the octal escapes (\040) mountinfo uses for spaces */
				struct buf out = {0};
				const char *sys = roots_get()->sys;
				if (strcmp(sys, "/sys") != 0 && strncmp(f, "/sys/", 5) == 0) {
					if (buf_puts(&out, sys)) /* a moved /sys root moves the
								    mount under it */
						return NULL;
					f += 4;
				}
				for (char *s = f; s < end; s++) {
					if (*s == '\\' && end - s >= 4 && s[1] >= '0' &&
					    s[1] <= '3') {
						if (buf_putc(&out, (char)((s[1] - '0') * 64 +
									  (s[2] - '0') * 8 +
									  (s[3] - '0'))))
							break;
						s += 3;
					} else if (buf_putc(&out, *s)) {
						break;
					}
				}
				return buf_steal(&out);
			}
		}
		line = nl ? nl + 1 : NULL;
	}
	return NULL;
}

struct cgwalk {
	struct ps_snapshot *snap;
	size_t missing;
	struct buf path; /* relative to the mount, "" for the root */
};

/* Depth-first over the cgroup2 tree: a cgroup's id is its directory's inode number. */
static int walk(struct cgwalk *w, int dirfd, int depth)
{
	struct stat st;
	if (fstat(dirfd, &st) == 0)
		for (size_t i = 0; i < w->snap->nsockcgs; i++) {
			struct ps_sockcg *c = &w->snap->sockcgs[i];
			if (!c->path && c->id == (uint64_t)st.st_ino) {
				if (!(c->path = str_dup_n(w->path.len ? w->path.data : "/",
							  w->path.len ? w->path.len : 1)))
					return -ENOMEM;
				w->missing--;
			}
		}
	if (!w->missing || depth >= MAX_DEPTH)
		return 0;
	int dfd = dup(dirfd);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return 0;
	}
	int rc = 0;
	struct dirent *de;
	while (!rc && w->missing && (de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		int sub =
		    openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
		if (sub < 0)
			continue;
		size_t keep = w->path.len;
		rc = buf_putc(&w->path, '/');
		if (!rc)
			rc = buf_puts(&w->path, de->d_name);
		if (!rc)
			rc = walk(w, sub, depth + 1);
		close(sub);
		w->path.len = keep;
		if (w->path.data)
			w->path.data[keep] = '\0';
	}
	closedir(d);
	return rc;
}

/* Sockets whose owner could not be seen still name their cgroup: map the ids to paths. */
static int socket_cgroups(struct ps_snapshot *snap, struct buf *b)
{
	for (size_t i = 0; i < snap->nsocks; i++) {
		struct ps_socket *k = &snap->socks[i];
		uint64_t id = lnx_sock_cgroup_id(k);
		if (k->owner_count || !id)
			continue;
		size_t j = 0;
		while (j < snap->nsockcgs && snap->sockcgs[j].id != id)
			j++;
		if (j == snap->nsockcgs) {
			struct ps_sockcg *n = realloc(snap->sockcgs, (j + 1) * sizeof *n);
			if (!n)
				return -ENOMEM;
			snap->sockcgs = n;
			memset(&n[j], 0, sizeof n[j]);
			n[j].id = id;
			snap->nsockcgs++;
		}
		k->sockcg = (uint32_t)j + 1;
	}
	if (!snap->nsockcgs)
		return 0;
	char *mnt = cgroup2_mount(b);
	if (!mnt) {
		snap->sockcg_note =
		    "no cgroup2 file system is mounted, so socket cgroups cannot be named";
		return 0;
	}
	int fd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(mnt);
	if (fd < 0) {
		snap->sockcg_note = "the cgroup2 file system could not be read";
		return 0;
	}
	struct cgwalk w = {.snap = snap, .missing = snap->nsockcgs};
	int rc = walk(&w, fd, 0);
	close(fd);
	buf_free(&w.path);
	return rc;
}

static int anc_cache_open(struct anc_cache *c)
{
	memset(c, 0, sizeof *c);
	c->procfd = open(roots_get()->proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return c->procfd < 0 ? -errno : 0;
}

static void anc_cache_close(struct anc_cache *c)
{
	anc_cache_free(c);
	close(c->procfd);
}

/* What p's parent chain is made of besides its parent: the cgroup whose edge ends it, or NULL. */
static const char *chain_cgroup(const struct ps_proc *p)
{
	return p->cgroup && strcmp(p->cgroup, "/") != 0 ? p->cgroup : NULL;
}

/* The slot of p's chain in an index of processes (1 + index; 0: none yet) by parent and
 * cgroup: the processes that share both have the same chain. */
static uint32_t *chain_slot(uint32_t *slot, size_t mask, const struct ps_snapshot *snap,
			    const struct ps_proc *p)
{
	const char *cg = chain_cgroup(p);
	uint64_t h = 1469598103934665603ull ^ (uint32_t)p->ppid;
	for (const char *s = cg ? cg : ""; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	h ^= h >> 29;
	for (size_t at = (size_t)h & mask;; at = (at + 1) & mask) {
		if (!slot[at])
			return &slot[at];
		const struct ps_proc *q = &snap->procs[slot[at] - 1];
		const char *qc = chain_cgroup(q);
		if (q->ppid == p->ppid && (qc == cg || (qc && cg && strcmp(qc, cg) == 0)))
			return &slot[at];
	}
}

/* Copy s to *at (advanced past its NUL); NULL for NULL. */
static char *pack_str(char **at, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *d = memcpy(*at, s, n);
	*at += n;
	return d;
}

/* p's chain moved into one block the snapshot keeps (one allocation instead of one per
 * name): 0 or -ENOMEM (p keeps its own). */
static int chain_pack(struct ps_snapshot *snap, struct ps_proc *p)
{
	const struct ps_ancestor *a = p->ancestry;
	size_t n = p->nancestry, size = n * sizeof *a;
	for (size_t i = 0; i < n; i++)
		size +=
		    (a[i].name ? strlen(a[i].name) + 1 : 0) + (a[i].exe ? strlen(a[i].exe) + 1 : 0);
	struct ps_ancestor *b = malloc(size);
	if (!b || snap_keep_block(snap, b))
		return -ENOMEM; /* snap_keep_block freed b */
	char *at = (char *)(b + n);
	for (size_t i = 0; i < n; i++) {
		b[i].pid = a[i].pid;
		b[i].name = pack_str(&at, a[i].name);
		b[i].exe = pack_str(&at, a[i].exe);
		free(a[i].name);
		free(a[i].exe);
	}
	free(p->ancestry);
	p->ancestry = b;
	p->ancestry_shared = true;
	return 0;
}

/* p's chain: the one of an earlier process of the same parent and cgroup (idx), or walked and
 * then kept for the next ones. */
static int ancestry_of(struct anc_cache *c, struct ps_snapshot *snap, uint32_t *idx, size_t mask,
		       size_t i)
{
	struct ps_proc *p = &snap->procs[i];
	uint32_t *slot = chain_slot(idx, mask, snap, p);
	if (*slot) {
		const struct ps_proc *q = &snap->procs[*slot - 1];
		p->ancestry = q->ancestry;
		p->nancestry = q->nancestry;
		p->ancestry_shared = true;
		p->supervisor_kind = q->supervisor_kind;
		p->supervisor_pid = q->supervisor_pid;
		return 0;
	}
	int rc = ancestry_one(c, p);
	if (!rc && p->nancestry)
		rc = chain_pack(snap, p);
	if (!rc)
		*slot = (uint32_t)i + 1;
	return rc;
}

/* Processes of one parent (thousands of workers) share their chain: walked once, kept once. */
int lnx_ancestry(struct ps_snapshot *snap)
{
	struct anc_cache c;
	int rc = anc_cache_open(&c);
	if (rc)
		return rc;
	size_t size = 16;
	while (size < snap->nprocs * 2)
		size *= 2;
	uint32_t *idx = calloc(size, sizeof *idx);
	if (!idx)
		rc = -ENOMEM;
	for (size_t i = 0; i < snap->nprocs && !rc; i++) {
		struct ps_proc *p = &snap->procs[i];
		if (!p->vanished && !p->ancestry && p->ppid > 0)
			rc = ancestry_of(&c, snap, idx, size - 1, i);
	}
	free(idx);
	anc_cache_close(&c);
	return rc;
}

int lnx_activation(struct ps_snapshot *snap)
{
	struct anc_cache c;
	int rc = anc_cache_open(&c);
	if (rc)
		return rc;
	struct envinfo *ei = snap->nprocs ? calloc(snap->nprocs, sizeof *ei) : NULL;
	if (snap->nprocs && !ei)
		rc = -ENOMEM;
	if (!rc)
		rc = env_prefetch(&c, snap, ei);
	for (size_t i = 0; i < snap->nsocks && !rc; i++) {
		const struct ps_socket *k = &snap->socks[i];
		if (!listening(k))
			continue;
		for (size_t j = 0; j < k->owner_count && !rc; j++) {
			const struct ps_owner *o = snap_owner(snap, k, j);
			rc = activation_one(&c, snap, o->proc, o->fd, &ei[o->proc]);
		}
	}
	for (size_t i = 0; ei && i < snap->nprocs; i++) {
		free(ei[i].names);
		free(ei[i].code_env);
	}
	free(ei);
	if (!rc)
		rc = sdbus_socket_units(snap);
	anc_cache_close(&c);
	return rc;
}

int lnx_socket_cgroups(struct ps_snapshot *snap)
{
	struct buf b = {0};
	int rc = socket_cgroups(snap, &b);
	buf_free(&b);
	return rc;
}
