/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rules.c — the findings rules: a table of small functions, one per finding code. */
#include "rules.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util/buf.h"
#include "identity.h"
#include "oswords.h"

/* Whether sub occurs in s, ASCII case-insensitively. */
static bool has_ci(const char *s, const char *sub)
{
	for (size_t n = strlen(sub); *s; s++)
		if (strncasecmp(s, sub, n) == 0)
			return true;
	return false;
}

bool path_in_temp_dir(const char *path)
{
	static const char *const dirs[] = {"/tmp/",	 "/var/tmp/",	 "/dev/shm/",
					   "/run/shm/",	 "/dev/mqueue/", "/var/crash/",
					   "/run/lock/", "/var/lock/"};
	/* Windows: the per-user temp and roaming folders, the system's temp, the shared Public
	   profile (matched anywhere, case-insensitively: the drive and profile vary) */
	static const char *const win_dirs[] = {"\\AppData\\Local\\Temp\\", "\\AppData\\Roaming\\",
					       "\\Windows\\Temp\\", ":\\Users\\Public\\"};
	if (!path)
		return false;
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		if (strncmp(path, dirs[i], strlen(dirs[i])) == 0)
			return true;
	/* each has a backslash: a path with none (every path of a POSIX system) is in none; this
	 * runs for every library of every listener's owner */
	bool backslash = strchr(path, '\\') != NULL;
	for (size_t i = 0; backslash && i < sizeof win_dirs / sizeof win_dirs[0]; i++)
		if (has_ci(path, win_dirs[i]))
			return true;
	return false;
}

/*
 * Where software is installed by hand, outside the package manager: /usr/local, /opt, home
 * directories, and the per-user and bundle managers (pyenv, conda, venv, nvm, cargo and go
 * installs live in homes; snap, flatpak, Nix, Guix have their own trees).
 */
static bool path_in_user_place(const char *path)
{
	static const char *const dirs[] = {"/usr/local/",
					   "/opt/",
					   "/home/",
					   "/root/",
					   "/snap/",
					   "/var/lib/snapd/snap/",
					   "/var/lib/flatpak/",
					   "/nix/store/",
					   "/gnu/store/",
					   "/app/"};
	if (!path)
		return false;
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		if (strncmp(path, dirs[i], strlen(dirs[i])) == 0)
			return true;
	return false;
}

/* Whether a path is among the package manager's own directories (/usr/bin, /usr/sbin, /lib...). */
static bool path_in_system_dir(const char *path)
{
	static const char *const dirs[] = {"/usr/bin/", "/usr/sbin/",	 "/bin/",
					   "/sbin/",	"/usr/lib/",	 "/lib/",
					   "/lib64/",	"/usr/libexec/", "/usr/lib64/"};
	if (!path)
		return false;
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++)
		if (strncmp(path, dirs[i], strlen(dirs[i])) == 0)
			return true;
	return false;
}

/* Where rules put their findings; the first error stops every later addition. */
struct finding_sink {
	struct finding_list *list;
	int rc;	      /* 0 or -ENOMEM (-EINVAL for a format that cannot be made) */
	unsigned cap; /* the most severe a finding of the running rule may be */
};

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

__attribute__((format(printf, 5, 6))) static void
add(struct finding_sink *s, unsigned sev, const char *code, int pid, const char *fmt, ...)
{
	if (s->rc)
		return;
	if (sev > s->cap)
		sev = s->cap;
	va_list ap;
	va_start(ap, fmt);
	s->rc = vadd(s->list, sev, code, pid, fmt, ap);
	va_end(ap);
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

/*
 * What the rules about one owner share: the facts of finding_input, worked out
 * once (which file it runs, whether that is suspicious, what its names claim).
 */
struct rule_ctx {
	const struct finding_input *in;
	const struct port_info *svc;
	const char *path;  /* the file's own name: the kernel's facts when known, else the link */
	const char *base;  /* path's last component, NULL without a path */
	const char *name;  /* comm, "?" when unknown */
	const char *alias; /* the system link's name when the system made it, else NULL */
	const char *pkgtxt, *pkgname; /* "from package " + name, "from no package", ... */
	bool deleted, replaced;	      /* the kernel's facts, unless said for an earlier owner */
	bool memfd;		      /* it runs a memory-only file (then not "deleted") */
	bool temp;		      /* the executable is in a temporary or world-writable dir */
	bool unowned;		      /* the executable belongs to no package */
	bool script_bad;	      /* a script from a temporary directory or no package */
	bool owner_named;  /* the file's or its link's name is one of the port's owners */
	bool claims;	   /* only the comm claims an owner's name */
	bool fits;	   /* the comm fits the file, its link or its script */
	bool borrowed;	   /* the comm is an installed program's from another package */
	bool daemon_named; /* the file or its link has a port's owner's name that is no runtime's */
	bool user_place;   /* installed by hand where people do (/usr/local, /opt, homes...) */
	bool deceptive; /* takes a daemon's name it has no right to, or sits where anyone writes */
	bool suspicious;
	unsigned cap;	   /* the most severe its name, package and port findings may be */
	char exe_link[64]; /* oswords_exe_link(pid) */
	struct buf ev;	   /* "executable P, from package X[; script S ...]" */
};

static const char *pkg_text(enum pkg_status s)
{
	return s == PKG_OWNED	  ? "from package "
	       : s == PKG_UNOWNED ? "from no package"
				  : "package unknown";
}

/* The evidence about what the owner runs: a finding about the owner is about its script too. */
static int owner_evidence(struct rule_ctx *c)
{
	const struct finding_input *in = c->in;
	int rc = buf_printf(&c->ev, "executable %s, %s%s", c->path ? c->path : "unreadable",
			    c->pkgtxt, c->pkgname);
	if (!rc && in->script)
		rc = buf_printf(
		    &c->ev, "; script %s (from its arguments), %s%s", in->script,
		    pkg_text(in->script_pkg),
		    in->script_pkg == PKG_OWNED && in->script_pkg_name ? in->script_pkg_name : "");
	return rc;
}

/*
 * The names that are the program's: its file's, and the system's link to it. The comm and a
 * script's name are the process's own choice: they can claim an owner's name, never prove it.
 */
static void owner_names(struct rule_ctx *c)
{
	const struct finding_input *in = c->in;
	const struct port_info *svc = c->svc;
	const char *owners = svc ? svc->owners : NULL;
	bool by_base = owners && c->base && registry_owner_matches(owners, c->base);
	bool by_alias = owners && c->alias && registry_owner_matches(owners, c->alias);
	c->owner_named = by_base || by_alias;
	c->daemon_named = (by_base && !registry_owner_generic(c->base)) ||
			  (by_alias && !registry_owner_generic(c->alias));
	/* a runtime's name (python3, node) is everyone's: calling oneself that claims nothing */
	c->claims = owners && c->base && in->name && registry_owner_matches(owners, in->name) &&
		    !c->owner_named && !registry_owner_generic(in->name);
	c->fits =
	    !c->base || !in->name || name_fits_exe(in->name, c->base) ||
	    (c->alias && comm_eq(in->name, c->alias, strlen(c->alias))) ||
	    (in->script && comm_eq(in->name, base_of(in->script), strlen(base_of(in->script))));
	/* an installed program's name on another program: /tmp/x/sshd, or a script called sshd */
	c->borrowed = in->name_holder && in->holder_pkg == PKG_OWNED && in->holder_pkg_name &&
		      in->name && !registry_owner_generic(in->name) &&
		      !(in->pkg == PKG_OWNED && in->pkg_name &&
			strcmp(in->pkg_name, in->holder_pkg_name) == 0);
}

/*
 * How far the owner's name, package and port can raise a finding. A hand install in the usual
 * places (/opt/app, a venv's python running ~/app.py) is at most info unless it takes a system
 * daemon's name; a listener only loopback reaches is reachable by no one else: at most a notice
 * unless the owner deceives (a daemon's name it has no right to, a file where anyone writes).
 */
static void owner_trust(struct rule_ctx *c)
{
	const struct finding_input *in = c->in;
	bool script_temp =
	    in->script && (path_in_temp_dir(in->script) || in->script_dir_world_writable);
	bool exe_user = c->path && path_in_user_place(c->path);
	bool script_user = in->script && path_in_user_place(in->script);
	c->user_place =
	    !c->temp && !script_temp &&
	    ((exe_user && (!in->script || script_user || in->script_pkg == PKG_OWNED)) ||
	     (in->pkg == PKG_OWNED && script_user));
	/* a file no package installed among the package manager's own files passes for one */
	/* a hand install whose own file has the name (/opt/redis/bin/redis-server) borrows none */
	bool own_name = c->user_place && c->base && name_fits_exe(c->name, c->base);
	c->deceptive = c->temp || script_temp || c->claims || (c->borrowed && !own_name) ||
		       (c->unowned && path_in_system_dir(c->path)) ||
		       (c->daemon_named && c->unowned && !c->user_place);
	c->cap = SEV_ALERT;
	if (c->user_place && !c->daemon_named && !c->claims && !c->borrowed)
		c->cap = SEV_INFO;
	else if (in->widest <= PS_EXPO_LOOPBACK && !c->deceptive)
		c->cap = SEV_NOTICE;
}

/* The shared facts of owner in into *c (c->ev to be freed). 0 or -ENOMEM. */
static int rule_ctx_init(struct rule_ctx *c, const struct finding_input *in)
{
	*c = (struct rule_ctx){.in = in, .svc = in->svc};
	c->path = in->exe_checked && in->exe_path ? in->exe_path : in->exe;
	c->base = c->path ? base_of(c->path) : NULL;
	c->name = in->name ? in->name : "?";
	c->memfd = in->exe_checked && in->exe_check.memfd && !in->file_judged;
	/* a memory-only file was never on disk: exe-memfd says so, not "deleted" */
	c->deleted = in->exe_checked && in->exe_check.deleted && !in->file_judged && !c->memfd;
	c->replaced = c->deleted && in->exe_check.replaced;
	c->temp = c->path && (path_in_temp_dir(c->path) ||
			      (in->exe_checked && in->exe_check.dir_world_writable));
	c->unowned = in->pkg == PKG_UNOWNED;
	c->script_bad =
	    in->script && (path_in_temp_dir(in->script) || in->script_dir_world_writable ||
			   in->script_pkg == PKG_UNOWNED);
	c->pkgtxt = pkg_text(in->pkg);
	c->pkgname = in->pkg == PKG_OWNED && in->pkg_name ? in->pkg_name : "";
	/* a link names the program only when the system made it: a package's, or an alternative */
	if (in->alias && (in->alias_pkg != PKG_UNOWNED || in->alias_alternatives))
		c->alias = base_of(in->alias);
	owner_names(c);
	/* Not "deleted": after a package upgrade every running daemon's executable is. */
	c->suspicious = c->temp || c->unowned || c->script_bad || c->memfd;
	owner_trust(c);
	oswords_exe_link(in->words, in->pid, c->exe_link, sizeof c->exe_link);
	return owner_evidence(c);
}

/* The socket-level rules see only the port, its service and its reach: no owner facts. */
static void rule_ctx_socket(struct rule_ctx *c, const struct finding_input *in)
{
	*c = (struct rule_ctx){.in = in, .svc = in->svc};
}

/* ---- socket rules ---- */

/* public-exposure, private-exposure, link-local-exposure: the severity policy's table. */
static void rule_exposure(const struct rule_ctx *c, struct finding_sink *s)
{
	const struct finding_input *in = c->in;
	const struct port_info *svc = c->svc;
	int sev = svc ? exposure_severity(svc->svc_class, svc->risk != NULL, in->widest) : -1;
	if (sev < 0)
		return;
	if (in->reach_undecided && sev == SEV_ALERT)
		sev = SEV_WARNING; /* "look today" needs a reach that is known */
	static const char *const from[PS_EXPO__COUNT] = {"", "the local link", "a private network",
							 "public addresses", "public addresses"};
	bool internet = in->widest >= PS_EXPO_PUBLIC;
	/* on a LAN the firewall already lets only some hosts in: what the advice asks for */
	bool limited = in->widest_sources && !internet;
	if (limited && sev > SEV_NOTICE)
		sev = SEV_NOTICE;
	const char *rule = "";
	char only[160];
	if (limited) {
		snprintf(only, sizeof only, " (the firewall lets in only %.100s%s)",
			 in->widest_sources, strlen(in->widest_sources) > 100 ? "..." : "");
		rule = only;
	} else if (svc->svc_class == SVC_NEVER_INTERNET || svc->svc_class == SVC_LAN_ONLY) {
		rule = internet ? ", and must never face the Internet"
		       : svc->svc_class == SVC_NEVER_INTERNET
			   ? "; allow only the hosts that need it"
			   : "";
	}
	const char *risk = svc->risk ? svc->risk : "";
	const char *undecided = in->reach_undecided ? in->reach_undecided : "";
	/* the class came from the program: say whose service it is and where it normally is */
	char home[160] = "";
	if (in->home.prog)
		snprintf(home, sizeof home, "%s normally serves %s on %u/%s; here on %u/%s; ",
			 in->home.prog, svc->name ? svc->name : "?", in->home.port,
			 proto_txt(in->home.proto), in->port, proto_txt(in->proto));
	add(s, (unsigned)sev, exposure_code(in->widest), -1,
	    "%s on %u/%s is %sreachable from %s%s%s%s" SEP
	    "%sbound to %s addresses; reachable now on: %s%s%s",
	    svc->name ? svc->name : "the service", in->port, proto_txt(in->proto),
	    *undecided ? "perhaps " : "", from[in->widest], rule, *risk ? ": " : "", risk, home,
	    exposure_name(in->scope), in->reach_text && *in->reach_text ? in->reach_text : "none",
	    *undecided ? "; the firewall's verdict there is not known: " : "", undecided);
}

/* backdoor-port with no visible owner: a notice that it cannot be judged. */
static void rule_backdoor_unowned(const struct rule_ctx *c, struct finding_sink *s)
{
	const struct finding_input *in = c->in;
	if (!c->svc || !c->svc->backdoor || in->has_owner)
		return;
	struct buf names = {0};
	if ((s->rc = list_text(&names, c->svc->backdoor)) == 0)
		add(s, SEV_NOTICE, "backdoor-port", -1,
		    "port %u/%s is one that backdoors are known to use (%s); no "
		    "owning process is "
		    "visible, so it cannot be judged" SEP
		    "no process holding the socket could be seen",
		    in->port, proto_txt(in->proto), names.data);
	buf_free(&names);
}

/*
 * no-holder: a socket with a file that no file table holds. A user's socket kept by no process
 * hides its owner; the kernel's own services (nfsd, WireGuard) hold theirs as uid 0.
 */
static void rule_no_holder(const struct rule_ctx *c, struct finding_sink *s)
{
	const struct finding_input *in = c->in;
	if (!in->held_by_none)
		return;
	bool beyond = in->widest > PS_EXPO_LOOPBACK;
	unsigned sev = in->sock_uid == 0 ? (beyond ? SEV_NOTICE : SEV_INFO)
		       : beyond		 ? SEV_WARNING
					 : SEV_NOTICE;
	char suspect[200] = "";
	if (in->ring_suspect)
		snprintf(suspect, sizeof suspect,
			 "; deduced, not proven: pid %d%s maps an io_uring ring that none of its "
			 "file descriptors is (registered and closed), whose files cannot be read "
			 "here, so it may hold it",
			 in->ring_suspect, in->ring_suspects > 1 ? " (and others)" : "");
	add(s, sev, "no-holder", -1,
	    "no process holds this socket in a file table: it is kept by the kernel, in a "
	    "message in flight (SCM_RIGHTS), or by a holder that cannot be seen; uid %" PRIu32
	    " made it" SEP "socket inode %" PRIu64 " of uid %" PRIu32
	    " is in no process's file table (its threads' and io_uring rings' included)%s",
	    in->sock_uid, in->sock_inode, in->sock_uid, suspect);
}

/*
 * accept-queue-full: a listener whose owner does not accept as fast as connections come
 * (stuck, overloaded, or a backlog too small): the next clients wait for a retransmitted
 * handshake or fail. An availability problem, not a sign of compromise: a warning.
 */
static void rule_accept_queue_full(const struct rule_ctx *c, struct finding_sink *s)
{
	const struct finding_input *in = c->in;
	if (!in->queue_full)
		return;
	add(s, SEV_WARNING, "accept-queue-full", -1,
	    "the accept queue of %u/%s is full (%" PRIu32 " connections waiting, backlog %" PRIu32
	    "): new connections are dropped until its owner accepts; a stuck or overloaded "
	    "server, or a backlog too small" SEP "the kernel's accept queue holds %" PRIu32
	    " connections; listen() backlog %" PRIu32,
	    in->port, proto_txt(in->proto), in->accept_queue, in->backlog, in->accept_queue,
	    in->backlog);
}

/* ---- owner rules: the file it runs ---- */

/* exe-replaced: a notice to restart after a package upgrade, else a warning. */
static void rule_exe_replaced(const struct rule_ctx *c, struct finding_sink *s)
{
	const struct finding_input *in = c->in;
	if (!c->replaced)
		return;
	if (in->exe_check.replacement_sound && in->pkg == PKG_OWNED)
		add(s, SEV_NOTICE, "exe-replaced", in->pid,
		    "the executable was upgraded on disk: restart the program to run the new "
		    "version" SEP "%s is the file %s was when it started; package "
		    "%s now has another file there",
		    c->exe_link, c->path, in->pkg_name ? in->pkg_name : "?");
	else
		add(s, SEV_WARNING, "exe-replaced", in->pid,
		    "the executable was replaced after the process started: the program "
		    "running is not the "
		    "file now at its path" SEP "%s and %s are different files",
		    c->exe_link, c->path);
}

/* exe-deleted: what runs is no longer on disk (and nothing replaced it). */
static void rule_exe_deleted(const struct rule_ctx *c, struct finding_sink *s)
{
	if (c->deleted && !c->replaced)
		add(s, SEV_WARNING, "exe-deleted", c->in->pid,
		    "the program's executable was deleted after it started: what runs is no "
		    "longer on disk" SEP "%s -> %s",
		    c->exe_link, c->in->exe);
}

/*
 * exe-memfd: the program runs from a memory-only file that never existed on disk (fileless
 * execution): no package, no path, nothing to check. Alert once others reach the listener.
 */
static void rule_exe_memfd(const struct rule_ctx *c, struct finding_sink *s)
{
	const struct finding_input *in = c->in;
	if (!c->memfd)
		return;
	const char *call = oswords_mem_file(in->words);
	add(s, in->widest > PS_EXPO_LOOPBACK ? SEV_ALERT : SEV_WARNING, "exe-memfd", in->pid,
	    "the program runs from a file that exists only in memory%s%s%s: it never existed as "
	    "a file on disk, so nothing on disk or in a package can vouch for it (how fileless "
	    "malware runs)" SEP "%s -> %s",
	    call ? " (" : "", call ? call : "", call ? ")" : "", c->exe_link,
	    in->exe ? in->exe : "?");
}

/* A file under a temporary directory: a warning where anyone can put programs (its directory
 * is world-writable, or not known), where others reach the socket, or where the owner takes a
 * daemon's name; a developer's own scratch directory (/tmp/x, go run's build directory)
 * behind loopback only is a notice. */
static unsigned temp_dir_sev(const struct rule_ctx *c, bool open_dir)
{
	bool dev = !open_dir && c->in->widest <= PS_EXPO_LOOPBACK && !c->claims && !c->borrowed &&
		   !c->daemon_named;
	return dev ? SEV_NOTICE : SEV_WARNING;
}

/* exe-temp-dir: the executable is where anyone can put programs. */
static void rule_exe_temp_dir(const struct rule_ctx *c, struct finding_sink *s)
{
	const struct finding_input *in = c->in;
	bool open_dir = !in->exe_checked || in->exe_check.dir_world_writable;
	if (c->temp && !in->file_judged)
		add(s, temp_dir_sev(c, open_dir), "exe-temp-dir", in->pid,
		    "the executable lives in a temporary or world-writable directory, where "
		    "anyone can put programs" SEP "%s%s",
		    c->path,
		    in->exe_checked && in->exe_check.dir_world_writable
			? " (its directory is world-writable)"
			: "");
}

/* exe-unpackaged: information, the package database does not list the executable. */
static void rule_exe_unpackaged(const struct rule_ctx *c, struct finding_sink *s)
{
	if (c->unowned && !c->in->file_judged)
		add(s, SEV_INFO, "exe-unpackaged", c->in->pid,
		    "the executable belongs to no installed package" SEP
		    "%s is not listed in the %s",
		    c->path, oswords_pkg_db(c->in->words));
}

/* script-temp-dir: an interpreter runs a script from where anyone can put programs. */
static void rule_script_temp_dir(const struct rule_ctx *c, struct finding_sink *s)
{
	const struct finding_input *in = c->in;
	if (in->script && (path_in_temp_dir(in->script) || in->script_dir_world_writable))
		add(s, temp_dir_sev(c, in->script_dir_world_writable), "script-temp-dir", in->pid,
		    "the script this interpreter runs lives in a temporary or world-writable "
		    "directory, where anyone can put programs" SEP "%s run by %s%s",
		    in->script, c->path ? c->path : "?",
		    in->script_dir_world_writable ? " (its directory is world-writable)" : "");
}

/* script-unpackaged: information, the package database does not list the script. */
static void rule_script_unpackaged(const struct rule_ctx *c, struct finding_sink *s)
{
	const struct finding_input *in = c->in;
	if (in->script && in->script_pkg == PKG_UNOWNED)
		add(s, SEV_INFO, "script-unpackaged", in->pid,
		    "the script this interpreter runs belongs to no installed package" SEP
		    "%s is not listed in the %s",
		    in->script, oswords_pkg_db(in->words));
}

/*
 * script-inline: the interpreter runs code given on its command line (python3 -c, perl -e, sh -c,
 * node -e) or on its standard input (python3 - < file): no file to check. A warning when others
 * reach the listener; nothing on loopback (a developer's quick server, reachable by no one else:
 * a deceptive one is told by its other findings, argv-masquerade, exe-memfd, name-mismatch).
 */
static void rule_script_inline(const struct rule_ctx *c, struct finding_sink *s)
{
	const struct finding_input *in = c->in;
	const char *arg;
	size_t len;
	enum identity_code k = identity_code_of(c->base, in->cmdline, in->cmdline_len, &arg, &len);
	if ((k != IDENT_INLINE && k != IDENT_STDIN) || in->widest <= PS_EXPO_LOOPBACK)
		return;
	const char *from =
	    k == IDENT_INLINE ? "its command line" : "its standard input or an open file";
	add(s, SEV_WARNING, "script-inline", in->pid,
	    "the interpreter runs code given on %s: there is no file to check" SEP
	    "%s runs %s with code from %s (see its command line)",
	    from, c->exe_link, c->path ? c->path : "?", from);
}

/*
 * script-env: the interpreter's environment makes it load code from a directory another user may
 * write, or load modules by option (PYTHONPATH=/tmp/x, PERL5OPT=-Mevil): what runs is not only
 * its script, packaged or not. A warning when others reach the listener, information on loopback
 * (a developer's PYTHONPATH).
 */
static void rule_script_env(const struct rule_ctx *c, struct finding_sink *s)
{
	const struct finding_input *in = c->in;
	if (!in->code_env || !identity_is_interpreter(c->base))
		return;
	bool beyond = in->widest > PS_EXPO_LOOPBACK;
	add(s, beyond ? SEV_WARNING : SEV_INFO, "script-env", in->pid,
	    "the interpreter's environment loads code from outside its script%s: what runs is not "
	    "only %s" SEP "%s (its environment)",
	    beyond ? "" : " (loopback only)", in->script ? in->script : "its command line",
	    in->code_env);
}

/* ---- owner rules: whether the exe link proves what runs (DESIGN.md §8) ---- */

/* The device as ls shows it (major:minor), from the kernel's encoding of dev_t. */
static void dev_text(uint64_t dev, char *out, size_t cap)
{
	unsigned maj = (unsigned)(((dev >> 32) & 0xfffff000u) | ((dev >> 8) & 0xfffu));
	unsigned min = (unsigned)(((dev >> 12) & 0xffffff00u) | (dev & 0xffu));
	snprintf(out, cap, "%u:%u", maj, min);
}

/* Whether path is in a directory of system daemons: what a masquerade claims to be. */
static bool daemon_dir(const char *path)
{
	static const char *const dirs[] = {"/usr/sbin/", "/sbin/", "/usr/local/sbin/"};
	for (size_t i = 0; path && i < sizeof dirs / sizeof dirs[0]; i++)
		if (strncmp(path, dirs[i], strlen(dirs[i])) == 0)
			return true;
	return false;
}

/* Whether the owner claims to be the port's owner: a daemon's path, or the owner's name. */
static bool claims_daemon(const struct rule_ctx *c)
{
	return daemon_dir(c->path) || (c->svc && c->svc->owners && c->in->name &&
				       registry_owner_matches(c->svc->owners, c->in->name));
}

/* exe-unmapped: the exe link names a file no mapping of the process is. */
static void rule_exe_unmapped(const struct rule_ctx *c, struct finding_sink *s)
{
	const struct finding_input *in = c->in;
	const struct ps_exe_check *x = &in->exe_check;
	if (!in->exe_checked || x->proof != PS_PROOF_UNMAPPED)
		return;
	char run[32];
	dev_text(x->dev, run, sizeof run);
	const char *call = oswords_exe_set_call(in->words);
	add(s, SEV_ALERT, "exe-unmapped", in->pid,
	    "exe link names %s but no mapping of the process is that file: the link was set "
	    "after the program started%s%s%s, and what runs is another program" SEP
	    "%s is the file %s inode %" PRIu64 "; no memory mapping of the process is that "
	    "file%s%s%s",
	    c->path ? c->path : "?", call ? " (" : "", call ? call : "", call ? ")" : "",
	    c->exe_link, run, x->ino, x->userns ? "; the process runs in a " : "",
	    x->userns ? oswords_priv_scope(in->words) : "", x->userns ? " of its own" : "");
}

/* exe-userns: the owner runs in a user namespace of its own, where any user sets the link. */
static void rule_exe_userns(const struct rule_ctx *c, struct finding_sink *s)
{
	const struct finding_input *in = c->in;
	const struct ps_exe_check *x = &in->exe_check;
	if (!in->exe_checked || !x->userns || x->proof == PS_PROOF_UNMAPPED)
		return; /* unmapped says it already, with the stronger proof */
	const char *path = c->path ? c->path : "?";
	const char *scope = oswords_priv_scope(in->words);
	/* a daemon's name or path claimed from there is a masquerade until shown otherwise; else
	 * a user's own tool there (rootless Podman's rootlessport, slirp4netns) */
	add(s, claims_daemon(c) ? SEV_ALERT : SEV_NOTICE, "exe-userns", in->pid,
	    "exe link names %s, but the process runs in a %s of its own, where any user can "
	    "point that link at any file: that it runs %s is not proven" SEP
	    "its %s is not ours; %s -> %s",
	    path, scope, path, scope, c->exe_link, in->exe ? in->exe : "?");
}

/* exe-other-file: the owner's path names another file in its own view than on the host. */
static void rule_exe_other_file(const struct rule_ctx *c, struct finding_sink *s)
{
	const struct finding_input *in = c->in;
	const struct ps_exe_check *x = &in->exe_check;
	if (!in->exe_checked || !x->other_file)
		return;
	/* a rootless container runs its own programs at the usual paths: its own business */
	if (x->own_root && (in->in_container || !claims_daemon(c)))
		return;
	const char *path = c->path ? c->path : "?";
	char run[32], host[32];
	dev_text(x->dev, run, sizeof run);
	dev_text(x->host_dev, host, sizeof host);
	if (!x->host_ino && !x->own_root) {
		if (in->in_container)
			return;
		/* a daemon's name, or a port others reach: a masquerade until shown otherwise */
		bool owners_name = c->svc && c->svc->owners && in->name &&
				   registry_owner_matches(c->svc->owners, in->name);
		bool wide = c->daemon_named || owners_name || in->scope > PS_EXPO_LOOPBACK ||
			    in->widest > PS_EXPO_LOOPBACK; /* bound beyond loopback, or reached */
		add(s, wide ? SEV_ALERT : SEV_NOTICE, "exe-other-file", in->pid,
		    "path %s is not on the host: its program is seen only through a private %s of "
		    "an unprivileged user, so what it runs is not proven" SEP
		    "%s is the file %s inode %" PRIu64 "; %s names no file on the host; the "
		    "process runs in a %s of its own",
		    path, oswords_mount_view(in->words), c->exe_link, run, x->ino, path,
		    oswords_priv_scope(in->words));
	} else if (x->own_root)
		add(s, SEV_ALERT, "exe-other-file", in->pid,
		    "path %s names another file in this process's own root than on the host, a "
		    "root it made in a %s of its own (no known container): it runs a program of "
		    "its own under that program's name" SEP "%s is the file %s inode %" PRIu64
		    "; %s on the host is the file %s inode %" PRIu64,
		    path, oswords_priv_scope(in->words), c->exe_link, run, x->ino, path, host,
		    x->host_ino);
	else
		add(s, SEV_ALERT, "exe-other-file", in->pid,
		    "path %s names another file in this process's %s than on the host: it runs "
		    "a program of its own under that program's name" SEP
		    "%s is the file %s inode %" PRIu64 "; %s on the host is the file %s inode "
		    "%" PRIu64 "; the process has our root but its own mounts",
		    path, oswords_mount_view(in->words), c->exe_link, run, x->ino, path, host,
		    x->host_ino);
}

/*
 * foreign-library: code of no package mapped executable into the owner, from a temporary or
 * world-writable directory, or into a packaged program (LD_PRELOAD, the loader's --preload):
 * the packaged program runs someone else's code.
 */
static void rule_foreign_library(const struct rule_ctx *c, struct finding_sink *s)
{
	const struct finding_input *in = c->in;
	if (!in->exe_checked || in->exe_check.foreign)
		return;
	const struct ps_xlib *bad = NULL;
	size_t nbad = 0;
	for (size_t i = 0; i < in->nxlibs; i++) {
		const struct ps_xlib *x = &in->xlibs[i];
		bool temp = path_in_temp_dir(x->path) || x->dir_world_writable;
		if (x->pkg == PKG_OWNED ||
		    !(temp || (in->pkg == PKG_OWNED && x->pkg == PKG_UNOWNED)))
			continue;
		nbad++;
		if (!bad)
			bad = x;
	}
	if (!bad)
		return;
	const char *path = c->path ? c->path : "?";
	/* a daemon's identity, or a port others reach: someone else's code behind that name */
	bool alert = in->pkg == PKG_OWNED || claims_daemon(c) || in->scope > PS_EXPO_LOOPBACK ||
		     in->widest > PS_EXPO_LOOPBACK;
	char more[48] = "";
	if (nbad > 1)
		snprintf(more, sizeof more, " (and %zu more)", nbad - 1);
	add(s, alert ? SEV_ALERT : SEV_WARNING, "foreign-library", in->pid,
	    "%s runs code of no package: library %s%s is mapped executable into it%s" SEP
	    "%s, %s; executable %s %s%s",
	    path, bad->path, more,
	    in->pkg == PKG_OWNED ? ", so it is not only the packaged program that runs" : "",
	    bad->path, bad->pkg == PKG_UNOWNED ? "from no package" : "package unknown", path,
	    c->pkgtxt ? c->pkgtxt : "", c->pkgname ? c->pkgname : "");
}

/*
 * argv-masquerade: argv[0] names a program's path that is not the running image (exec -a
 * /usr/sbin/sshd python3 ...): what ps and logs show is a lie. An alert when that path is an
 * installed package's program; a warning for a daemon's (sbin) path the package database could
 * not vouch for.
 */
static void rule_argv_masquerade(const struct rule_ctx *c, struct finding_sink *s)
{
	const struct finding_input *in = c->in;
	if (!in->argv0_other)
		return;
	if (in->argv0_other[0] == '[') { /* a kernel thread has no program and holds no socket */
		add(s, SEV_ALERT, "argv-masquerade", in->pid,
		    "the process calls itself the kernel thread %s, but it runs %s: kernel threads "
		    "have no program" SEP "argv[0] %s; %s -> %s",
		    in->argv0_other, c->path ? c->path : "?", in->argv0_other, c->exe_link,
		    in->exe ? in->exe : "?");
		return;
	}
	bool packaged = in->argv0_pkg == PKG_OWNED;
	if (!packaged && !(in->argv0_pkg == PKG_UNKNOWN && daemon_dir(in->argv0_other)))
		return;
	add(s, packaged ? SEV_ALERT : SEV_WARNING, "argv-masquerade", in->pid,
	    "the process's argv[0] claims to be %s%s%s%s, but it runs %s: it calls itself another "
	    "program" SEP "argv[0] %s is another file than %s -> %s",
	    in->argv0_other, packaged ? " (package " : "",
	    packaged && in->argv0_pkg_name ? in->argv0_pkg_name : "", packaged ? ")" : "",
	    c->path ? c->path : "?", in->argv0_other, c->exe_link, in->exe ? in->exe : "?");
}

/* ---- owner rules: its names and its port ---- */

/* name-mismatch: the process calls itself what its file is not (a warning when it claims). */
static void rule_name_mismatch(const struct rule_ctx *c, struct finding_sink *s)
{
	const struct finding_input *in = c->in;
	if (c->fits && !c->claims && !c->borrowed)
		return;
	bool owners_name = c->svc && c->svc->owners && in->name &&
			   registry_owner_matches(c->svc->owners, in->name);
	struct buf why = {0};
	int rc = 0;
	if (owners_name)
		rc = buf_puts(&why, ", the name of the program that normally holds this port");
	if (!rc && c->borrowed)
		rc = buf_printf(&why, ", the name of the installed program %s (package %s)",
				in->name_holder, in->holder_pkg_name);
	if (rc)
		s->rc = rc;
	add(s, c->claims || (c->borrowed && owners_name) ? SEV_WARNING : SEV_NOTICE,
	    "name-mismatch", in->pid,
	    "the process calls itself %s%s%s runs %s%s%s" SEP "comm %s, %s -> %s%s%s", c->name,
	    why.data ? why.data : "", why.len ? ", but" : " but", c->path,
	    in->script ? " with the script " : "", in->script ? in->script : "", c->name,
	    c->exe_link, in->exe, in->script ? "; script from its arguments: " : "",
	    in->script ? in->script : "");
	buf_free(&why);
}

/* Why a process with the owner's name is not the owner: "(in a temporary directory, ...)". */
static int not_installed_why(const struct rule_ctx *c, struct buf *why)
{
	const char *parts[3];
	size_t np = 0;
	if (c->temp)
		parts[np++] = "in a temporary directory";
	if (c->unowned)
		parts[np++] = "from no package";
	if (c->script_bad)
		parts[np++] = "running a script from no package or a temporary directory";
	int rc = buf_puts(why, "; this process has that name but is not an installed one (");
	for (size_t i = 0; i < np && !rc; i++)
		rc = buf_printf(why, "%s%s", i ? ", " : "", parts[i]);
	return rc ? rc : buf_putc(why, ')');
}

/* unexpected-owner: a port known to be some programs' is held by another, or a fake. */
static void rule_unexpected_owner(const struct rule_ctx *c, struct finding_sink *s)
{
	const struct finding_input *in = c->in;
	const struct port_info *svc = c->svc;
	if (!svc || !svc->owners)
		return;
	bool named = c->base ? c->owner_named : registry_owner_matches(svc->owners, in->name);
	bool daemon = c->base ? c->daemon_named : !registry_owner_generic(in->name);
	/* a runtime the port's list names (python3 on 5000) is what is expected there, wherever
	 * it was installed: only a system daemon's name makes a holder unexpected */
	if (named && (!c->suspicious || !daemon))
		return;
	/* python3.12 calling itself python3 on a port python3 holds: what is expected there */
	if (!named && in->name && registry_owner_generic(in->name) &&
	    registry_owner_matches(svc->owners, in->name) && c->fits)
		return;
	/* no name of the list, on a port anyone may bind: just another program there (a dev
	 * server on 8080 or 5000) unless it is itself suspect (no package outside the places
	 * people install by hand, a temporary directory); the name a daemon holds is what makes
	 * an ordinary program unexpected */
	if (!named && !c->claims && in->port >= 1024 && !(c->suspicious && !c->user_place))
		return;
	unsigned sev = c->suspicious ? SEV_ALERT : in->port < 1024 ? SEV_WARNING : SEV_NOTICE;
	struct buf why = {0};
	int rc = oswords_programs(in->words, &why, svc->owners);
	if (!rc && named)
		rc = not_installed_why(c, &why);
	else if (!rc && c->claims)
		rc = buf_printf(&why, "; this process calls itself %s but runs %s%s%s", c->name,
				c->path, in->script ? " with the script " : "",
				in->script ? in->script : "");
	else if (!rc)
		rc = buf_printf(&why, ", not by %s", c->name);
	if (rc)
		s->rc = rc;
	add(s, sev, "unexpected-owner", in->pid,
	    "port %u/%s (%s) is normally held by %s" SEP "pid %d %s, %s", in->port,
	    proto_txt(in->proto), svc->name ? svc->name : "?", why.data, in->pid, c->name,
	    c->ev.data);
	buf_free(&why);
}

/* backdoor-port with an owner: judged by whether the owner is an installed program. */
static void rule_backdoor_owner(const struct rule_ctx *c, struct finding_sink *s)
{
	const struct finding_input *in = c->in;
	if (!c->svc || !c->svc->backdoor)
		return;
	bool hand = c->user_place && !c->deceptive;
	unsigned sev = hand		      ? SEV_INFO
		       : c->suspicious	      ? SEV_ALERT
		       : in->pkg == PKG_OWNED ? SEV_NOTICE
					      : SEV_WARNING;
	const char *judge =
	    hand ? "but its owner is installed by hand where people install software, so it is "
		   "most likely legitimate"
	    : c->suspicious
		? "and its owner is not an installed program, which is how backdoors run"
	    : in->pkg == PKG_OWNED ? "but its owner is an installed program from a package, "
				     "so it is most likely legitimate"
				   : "and whether its owner is an installed program is unknown";
	struct buf why = {0};
	if ((s->rc = list_text(&why, c->svc->backdoor)) == 0)
		add(s, sev, "backdoor-port", in->pid,
		    "port %u/%s is one that backdoors are known to use (%s), %s" SEP
		    "pid %d %s, %s",
		    in->port, proto_txt(in->proto), why.data, judge, in->pid, c->name, c->ev.data);
	buf_free(&why);
}

/*
 * root-public: root on a public port is news only where an administrator can change it: not
 * for a packaged program run as its package runs it (sshd, smbd: root by design), nor for a
 * pre-forking master whose workers, which serve the connections, run unprivileged (nginx).
 * What is left is a program from no package, or one that is not what it says.
 */
static void rule_root_public(const struct rule_ctx *c, struct finding_sink *s)
{
	const struct finding_input *in = c->in;
	const struct port_info *svc = c->svc;
	bool as_packaged = in->pkg == PKG_OWNED && !c->suspicious && !c->claims && !c->borrowed;
	bool own = svc && svc->owners && !c->suspicious &&
		   (registry_owner_matches(svc->owners, in->name) ||
		    (c->base && registry_owner_matches(svc->owners, c->base)));
	bool unjudged = in->pkg == PKG_UNKNOWN && own; /* no package database: no say */
	if (in->have_uid && in->uid == 0 && in->widest >= PS_EXPO_PUBLIC &&
	    !in->workers_unprivileged && !as_packaged && !unjudged)
		add(s, SEV_NOTICE, "root-public", in->pid,
		    "a process running as root listens on a port reachable from public "
		    "addresses, and a flaw in it gives away the whole machine: run it as an "
		    "unprivileged user (User= in its service unit, or its own user option) or "
		    "bind it to the addresses that need it" SEP
		    "pid %d %s runs as uid 0, executable %s%s; reachable now on: %s",
		    in->pid, c->name, c->pkgtxt, c->pkgname,
		    in->reach_text && *in->reach_text ? in->reach_text : "none");
}

/* The rules in the order their findings are listed (sorting keeps it within a severity). */
static const struct rule {
	const char *name; /* the finding code; "exposure" for the three exposure codes */
	enum rule_level level;
	void (*fn)(const struct rule_ctx *, struct finding_sink *);
	bool trust_capped; /* about the owner's name, package or port: bounded by owner_trust */
} rules[] = {
    {"exposure", RULE_SOCKET, rule_exposure, false},
    {"backdoor-port", RULE_SOCKET, rule_backdoor_unowned, false},
    {"no-holder", RULE_SOCKET, rule_no_holder, false},
    {"accept-queue-full", RULE_SOCKET, rule_accept_queue_full, false},
    {"exe-replaced", RULE_OWNER, rule_exe_replaced, false},
    {"exe-deleted", RULE_OWNER, rule_exe_deleted, false},
    {"exe-memfd", RULE_OWNER, rule_exe_memfd, false},
    {"exe-temp-dir", RULE_OWNER, rule_exe_temp_dir, false},
    {"exe-unpackaged", RULE_OWNER, rule_exe_unpackaged, true},
    {"script-temp-dir", RULE_OWNER, rule_script_temp_dir, false},
    {"script-unpackaged", RULE_OWNER, rule_script_unpackaged, true},
    {"script-inline", RULE_OWNER, rule_script_inline, false},
    {"argv-masquerade", RULE_OWNER, rule_argv_masquerade, false},
    {"script-env", RULE_OWNER, rule_script_env, false},
    {"name-mismatch", RULE_OWNER, rule_name_mismatch, true},
    {"unexpected-owner", RULE_OWNER, rule_unexpected_owner, true},
    {"backdoor-port", RULE_OWNER, rule_backdoor_owner, true},
    {"root-public", RULE_OWNER, rule_root_public, true},
    {"exe-unmapped", RULE_OWNER, rule_exe_unmapped, false},
    {"exe-userns", RULE_OWNER, rule_exe_userns, false},
    {"exe-other-file", RULE_OWNER, rule_exe_other_file, false},
    {"foreign-library", RULE_OWNER, rule_foreign_library, false},
};

/* Run the rules of level (only the one named `only` when not NULL). 0, -ENOENT or -ENOMEM. */
static int run_rules(enum rule_level level, const char *only, const struct finding_input *in,
		     struct finding_list *out)
{
	struct rule_ctx c;
	struct finding_sink s = {.list = out};
	if (level == RULE_OWNER)
		s.rc = rule_ctx_init(&c, in);
	else
		rule_ctx_socket(&c, in);
	bool ran = false;
	for (size_t i = 0; i < sizeof rules / sizeof rules[0] && !s.rc; i++) {
		if (rules[i].level != level || (only && strcmp(only, rules[i].name) != 0))
			continue;
		s.cap = level == RULE_OWNER && rules[i].trust_capped ? c.cap : SEV_ALERT;
		rules[i].fn(&c, &s);
		ran = true;
	}
	if (level == RULE_OWNER)
		buf_free(&c.ev);
	return s.rc ? s.rc : ran || !only ? 0 : -ENOENT;
}

int findings_for_socket(const struct finding_input *in, struct finding_list *out)
{
	return run_rules(RULE_SOCKET, NULL, in, out);
}

int findings_for_owner(const struct finding_input *in, struct finding_list *out)
{
	return run_rules(RULE_OWNER, NULL, in, out);
}

void findings_owner_question(const struct finding_input *in, struct owner_question *q)
{
	const struct port_info *svc = in->svc;
	*q = (struct owner_question){.reach_text = in->reach_text,
				     .scope = (uint8_t)in->scope,
				     .widest = (uint8_t)in->widest,
				     .file_judged = in->file_judged,
				     .workers_unprivileged = in->workers_unprivileged};
	if (svc && (svc->owners || svc->backdoor)) {
		q->owners = svc->owners;
		q->backdoor = svc->backdoor;
		q->name = svc->name;
		q->port = in->port;
		q->proto = (uint8_t)in->proto;
	}
}

int findings_rule(const char *name, enum rule_level level, const struct finding_input *in,
		  struct finding_list *out)
{
	return run_rules(level, name, in, out);
}
