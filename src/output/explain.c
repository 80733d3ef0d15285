/* SPDX-License-Identifier: GPL-2.0-or-later */
/* explain.c — `portsleuth explain`: the whole story of one port, as text or JSON, from the model.
 */
#include "explain.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../enrich/oswords.h"
#include "../enrich/registry.h"
#include "../model/policy.h"
#include "../util/escape.h"
#include "../util/timefmt.h"
#include "fw_out.h"
#include "jsonw.h"
#include "verdict_out.h"

/* Untrusted text for the terminal. */
static void put(FILE *fp, const char *s)
{
	struct buf b = {0};
	if (s && esc_text(&b, s, strlen(s)) == 0 && b.data)
		fputs(b.data, fp);
	buf_free(&b);
}

/*
 * A command to paste (stop advice): shown exactly as built, since its names are shell words
 * already (shq_word: printable ASCII only) and escaping could change what runs (a backslash
 * before "x41" in a quoted name is doubled); anything else is escaped as usual.
 */
static void put_command(FILE *fp, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p > 0x7e) {
			put(fp, s);
			return;
		}
	fputs(s, fp);
}

/* Untrusted lines: each escaped, the line ends kept. Consumes (frees) b. */
static void put_lines(FILE *fp, struct buf *b)
{
	for (char *p = b->data, *nl; p && *p; p = nl + 1) {
		if ((nl = strchr(p, '\n')))
			*nl = '\0';
		put(fp, p);
		fputc('\n', fp);
		if (!nl)
			break;
	}
	buf_free(b);
}

/* A comma-separated list from a ports file, shown ", "-separated: untrusted text too. */
static void put_list(FILE *fp, const char *list)
{
	struct buf b = {0};
	int rc = 0;
	for (const char *p = list; *p && !rc; p++)
		rc = *p == ',' ? buf_puts(&b, ", ") : buf_putc(&b, *p);
	if (!rc && b.data)
		put(fp, b.data);
	buf_free(&b);
}

/* The port's usual holders, without the other system's names (oswords_programs). */
static void put_usual_holders(FILE *fp, const struct ps_snapshot *snap, const char *list)
{
	struct buf b = {0};
	if (oswords_programs(snap_words(snap), &b, list) == 0 && b.data) {
		fputs("  Normally held by: ", fp);
		put(fp, b.data);
		fputc('\n', fp);
	}
	buf_free(&b);
}

/* The process with `pid` in snap, or NULL. */
static const struct ps_proc *proc_of(const struct ps_snapshot *snap, int pid)
{
	for (size_t i = 0; i < snap->nprocs; i++)
		if (snap->procs[i].pid == pid)
			return &snap->procs[i];
	return NULL;
}

/* A runtime's stop of a container: name, else the id's first 12 digits (as docker ps shows). */
static int container_stop(const struct ps_os_words *w, struct buf *out, const char *runtime,
			  const char *name, const char *id)
{
	char shortid[13];
	if (!name) {
		snprintf(shortid, sizeof shortid, "%s", id);
		name = shortid;
	}
	struct buf b = {0};
	int rc = buf_printf(&b, "%s stop ", runtime);
	if (!rc)
		rc = oswords_word(w, &b, name);
	if (!rc)
		rc = buf_puts(out, b.data);
	buf_free(&b);
	return rc;
}

/*
 * The unit or container command that stops p (holding socket k, or NULL): 0 when written (or,
 * for_good, when stopping is for good already: a container), 1 when p is in none, -EINVAL when
 * a name cannot be given to the shell, -ESRCH when a user unit's user has no name, -ENOENT
 * when the system has no for_good command. Units come from the cgroup and .socket units from
 * systemd itself (pid 1 over D-Bus), never from the process's environment, which anyone can set.
 */
static int unit_stop(const struct ps_snapshot *snap, const struct ps_socket *k,
		     const struct ps_proc *p, bool for_good, struct buf *out)
{
	const struct ps_os_words *w = snap_words(snap);
	if (p->published && (p->published->name || p->published->id))
		return for_good ? 0
				: container_stop(w, out, p->published->runtime, p->published->name,
						 p->published->id);
	if (p->container && p->container_runtime &&
	    (strcmp(p->container_runtime, "docker") == 0 ||
	     strcmp(p->container_runtime, "podman") == 0))
		return for_good ? 0
				: container_stop(w, out, p->container_runtime, p->container_name,
						 p->container);
	const struct ps_activation *a = p->activation;
	for (size_t i = 0; w->service_ctl && k && p->pid == 1 && a && i < a->nunits; i++)
		if (a->units[i].inode == k->inode && a->units[i].socket_unit) {
			const char *u[2] = {a->units[i].socket_unit, a->units[i].service_unit};
			return oswords_stop_units(w, out, for_good, NULL, u, u[1] ? 2 : 1);
		}
	size_t ul = p->unit ? strlen(p->unit) : 0;
	size_t sl = w->service_suffix ? strlen(w->service_suffix) : 0;
	if (!w->service_ctl || !sl || ul <= sl || strcmp(p->unit + ul - sl, w->service_suffix) ||
	    p->pid == 1)
		return 1;
	const char *user = NULL; /* a user unit: its user's own manager, not the caller's */
	if (p->unit_type && strcmp(p->unit_type, "user") == 0 &&
	    !(p->have_unit_uid && (user = snap_user_name(snap, p->unit_uid))))
		return -ESRCH;
	const char *u = p->unit;
	return oswords_stop_units(w, out, for_good, user, &u, 1);
}

static int cmp_pid(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

/* `kill` (with `force`, its second step: -ENOENT when the system has none) of p and every
 * worker of its pre-forking group (a worker can outlive its master). */
static int kill_group(const struct ps_snapshot *snap, const struct ps_proc *p, bool force,
		      struct buf *out)
{
	int *pids = malloc((snap->nprocs + 1) * sizeof *pids);
	size_t n = 0;
	if (!pids)
		return -ENOMEM;
	pids[n++] = p->pid;
	for (size_t i = 0; i < snap->nprocs; i++)
		if (snap->procs[i].group_root == p->pid && snap->procs[i].pid != p->pid)
			pids[n++] = snap->procs[i].pid;
	qsort(pids + 1, n - 1, sizeof *pids, cmp_pid);
	int rc = force ? oswords_kill_force(snap_words(snap), out, pids, n)
		       : oswords_kill(snap_words(snap), out, pids, n);
	free(pids);
	return rc;
}

/* The advice that stops one process, as text and JSON show it. */
struct stop_advice {
	struct buf cmd;	     /* the command; empty when none can be given */
	struct buf good;     /* the one that also keeps it from starting at boot; empty: none */
	struct buf alt;	     /* cmd in the system's second shell (PowerShell); empty: none */
	struct buf force;    /* the second step when the process does not end; empty: none */
	const char *why;     /* why the advice is not the unit's (static), NULL */
	const char *service; /* a hosted service: the one the command stops, NULL */
	const char *several; /* the services of a process that hosts more than one, NULL */
};

static void stop_advice_free(struct stop_advice *a)
{
	buf_free(&a->cmd);
	buf_free(&a->good);
	buf_free(&a->alt);
	buf_free(&a->force);
}

/*
 * A process that hosts services by name (Windows): the service that holds socket k (its tag),
 * else the one service it runs. A process that runs several is never to be ended (a shared
 * svchost.exe: every service in it would stop), so when which one holds the port is not known
 * there is no command. 1 when the process is to be ended instead (its one service's name
 * cannot be given to a shell), else 0 or -ENOMEM.
 */
static int hosted_stop(const struct ps_snapshot *snap, const struct ps_socket *k,
		       const struct ps_proc *p, struct stop_advice *a)
{
	const struct ps_os_words *w = snap_words(snap);
	const char *name = NULL;
	if (k && k->sockcg && k->sockcg <= snap->nsockcgs) {
		const struct ps_sockcg *c = &snap->sockcgs[k->sockcg - 1];
		if (c->source && w->hosted_source && strcmp(c->source, w->hosted_source) == 0)
			name = c->unit;
	}
	bool several = strchr(p->unit, ',') != NULL;
	a->several = several ? p->unit : NULL;
	if (!name && !several)
		name = p->unit;
	if (!name)
		return 0;
	int rc = oswords_stop_hosted(w, &a->cmd, false, name);
	if (!rc && (rc = oswords_stop_hosted(w, &a->alt, true, name)) == -ENOENT)
		rc = 0;
	if (rc == -EINVAL || rc == -ENOENT) {
		buf_free(&a->cmd);
		buf_free(&a->alt);
		a->why = "the service's name cannot be given to a shell safely";
		return several ? 0 : 1;
	}
	a->service = name;
	return rc;
}

/*
 * How to stop process p (holding socket k, or NULL), into a: a hosted service by its own
 * name; else its unit's command, and the one that also keeps it from starting again at boot
 * (systemctl disable --now; nothing when stopping is already for good: a container); else
 * ending the process (`kill`, and where the system has one the forced second step). A
 * pre-forking group is stopped whole: its root's unit, else every member. When a unit's
 * advice cannot be given safely, a->why says why and the advice is to end the process. The
 * commands are the system's (snap_words). 0 or -ENOMEM.
 */
static int stop_hint(const struct ps_snapshot *snap, const struct ps_socket *k,
		     const struct ps_proc *p, struct stop_advice *a)
{
	const struct ps_proc *root = p->group_root ? proc_of(snap, p->group_root) : NULL;
	if (root)
		p = root;
	int rc;
	if (oswords_hosts_services(snap_words(snap), p)) {
		if ((rc = hosted_stop(snap, k, p, a)) <= 0)
			return rc;
	} else if ((rc = unit_stop(snap, k, p, false, &a->cmd)) == 0) {
		rc = unit_stop(snap, k, p, true, &a->good);
		return rc == -ENOMEM ? rc : 0;
	} else if (rc == -EINVAL) {
		a->why = "a name in the unit's command cannot be given to a shell safely";
	} else if (rc == -ESRCH) {
		a->why = "the user whose manager runs the unit has no name here";
	} else if (rc == -ENOMEM) {
		return rc;
	}
	buf_free(&a->cmd);
	if ((rc = kill_group(snap, p, false, &a->cmd)))
		return rc;
	rc = kill_group(snap, p, true, &a->force);
	return rc == -ENOENT ? 0 : rc;
}

int explain_stop_command(const struct ps_snapshot *snap, const struct ps_socket *k,
			 const struct ps_proc *p, struct buf *out, const char **why)
{
	struct stop_advice a = {0};
	int rc = stop_hint(snap, k, p, &a);
	if (why)
		*why = a.why;
	if (!rc && a.cmd.len) {
		*out = a.cmd; /* the buffer moves to the caller */
		a.cmd = (struct buf){0};
	}
	stop_advice_free(&a);
	return rc ? rc : out->data && out->len ? 0 : 1;
}

/* What the risk line says: whether the port is held, and reachable beyond loopback now. */
struct risk_ctx {
	bool held, beyond;
	const char *risk; /* the holder's alternative when held, else the whole field in words */
};

static void text_service(FILE *fp, const struct ps_snapshot *snap, uint16_t port, unsigned proto,
			 bool known, const struct port_info *s, const struct risk_ctx *rk)
{
	static const char *const class_text[SVC__COUNT] = {
	    NULL, "public-ok — meant to face networks",
	    "lan-only — local-network infrastructure that must never face the Internet",
	    "never-internet — must never face the Internet; on a private network only for the "
	    "hosts that need it"};
	fprintf(fp, "Port %u/%s: ", port, proto == PS_UDP ? "udp" : "tcp");
	if (!known) {
		fprintf(fp, "no registry knows this number.\n");
		return;
	}
	if (s->name) {
		put(fp, s->name);
		if (s->desc) {
			fputs(" — ", fp);
			put(fp, s->desc);
		}
		fputs(" (source: ", fp);
		put(fp, s->source);
		fputs(")\n", fp);
	} else if (s->dynamic) {
		fprintf(fp, "%s.\n", verdict_dynamic_text);
	} else {
		fprintf(fp, "no registered name.\n");
	}
	if (s->owners)
		put_usual_holders(fp, snap, s->owners);
	if (s->svc_class && s->svc_class < SVC__COUNT)
		fprintf(fp, "  Class: %s\n", class_text[s->svc_class]);
	if (rk->risk) {
		fputs(!rk->held	   ? "  Risk if reachable beyond this machine: "
		      : rk->beyond ? "  Risk, as it is reachable beyond this machine: "
				   : "  Risk if it were reachable beyond this machine (it is not: "
				     "loopback only): ",
		      fp);
		put(fp, rk->risk);
		fputc('\n', fp);
	}
	if (s->backdoor) {
		fputs("  Backdoors known to use it: ", fp);
		put_list(fp, s->backdoor);
		fprintf(fp, ".\n  Caveat: %s.\n", registry_backdoor_caveat);
	}
}

static void text_parents(FILE *fp, const struct ps_snapshot *snap, const struct ps_proc *p)
{
	fputs("    parents:  ", fp);
	if (p->nancestry) {
		for (size_t i = 0; i < p->nancestry; i++) {
			fprintf(fp, "%s%d ", i ? " <- " : "", p->ancestry[i].pid);
			put(fp, p->ancestry[i].name ? p->ancestry[i].name : "?");
		}
	} else if (p->ppid == 0) { /* the kernel's answer for a parent we cannot see */
		fprintf(fp,
			p->pid == 1 ? "none (the first process of this %s)"
				    : "parent outside this %s",
			snap_words(snap)->pid_scope);
	} else if (p->ppid >= 0) {
		const char *pname = NULL;
		for (size_t i = 0; i < snap->nprocs; i++)
			if (snap->procs[i].pid == p->ppid)
				pname = snap->procs[i].name;
		fprintf(fp, "%d", p->ppid);
		if (pname) {
			fputc(' ', fp);
			put(fp, pname);
		}
		fputs(" (parent; its own parents were not traced)", fp);
	} else {
		fputs("unknown", fp);
	}
	fputc('\n', fp);
}

/* ", user www-data": the users the workers of `lead` run as, when one is not the lead's (nginx's
 * master is root, its workers www-data); up to four are named. */
static void text_group_users(FILE *fp, const struct ps_snapshot *snap, const struct ps_socket *sk,
			     const struct ps_owner *lead)
{
	const struct ps_proc *lp = &snap->procs[lead->proc];
	uint32_t uids[4];
	size_t n = 0;
	bool other = false;
	for (size_t j = 0; j < sk->owner_count; j++) {
		const struct ps_owner *o = snap_owner(snap, sk, j);
		const struct ps_proc *p = &snap->procs[o->proc];
		if (o->lead != lead->pid || o->pid == lead->pid || !p->have_uid)
			continue;
		other = other || !lp->have_uid || p->uid != lp->uid;
		size_t k = 0;
		while (k < n && uids[k] != p->uid)
			k++;
		if (k == n && n < sizeof uids / sizeof uids[0])
			uids[n++] = p->uid;
	}
	for (size_t k = 0; other && k < n; k++) {
		const char *u = snap_user_name(snap, uids[k]);
		fputs(k ? ", " : n > 1 ? ", users " : ", user ", fp);
		if (u)
			put(fp, u);
		else
			fprintf(fp, "%u", uids[k]);
	}
}

/* The workers folded into owner i of sk (a pre-forking server's group), as " + N workers: PID,
 * ...". */
static void text_group(FILE *fp, const struct ps_snapshot *snap, const struct ps_socket *sk,
		       size_t i)
{
	size_t n = snap_owner_members(snap, sk, i);
	if (!n)
		return;
	const struct ps_owner *lead = snap_owner(snap, sk, i);
	fprintf(fp, " + %zu worker%s (", n, n == 1 ? "" : "s");
	int last = 0;
	const char *sep = "";
	const struct ps_proc *lp = &snap->procs[lead->proc];
	bool helpers = false; /* a packaged daemon's helpers of another program (imap-login) */
	for (size_t j = 0; j < sk->owner_count; j++) {
		const struct ps_owner *o = snap_owner(snap, sk, j);
		if (o->lead == lead->pid && o->pid != last) {
			const struct ps_proc *wp = &snap->procs[o->proc];
			bool other = wp->exe && lp->exe && strcmp(wp->exe, lp->exe) != 0;
			fprintf(fp, "%s%d", sep, o->pid);
			if (other && wp->name) {
				fputc(' ', fp);
				put(fp, wp->name);
			}
			helpers = helpers || other;
			sep = ", ";
		}
		last = o->pid;
	}
	fputs(helpers ? ": its own helpers from its package, forked by it"
		      : ": the same executable, forked by it",
	      fp);
	text_group_users(fp, snap, sk, lead);
	fputc(')', fp);
}

/* Whose unit a user unit is: that user's own manager runs it (root's `--user` is another). */
static void text_unit_user(FILE *fp, const struct ps_snapshot *snap, const struct ps_proc *p)
{
	if (!p->unit_type || strcmp(p->unit_type, "user") != 0)
		return;
	const char *u = p->have_unit_uid ? snap_user_name(snap, p->unit_uid) : NULL;
	fputs(" (a user unit: run by the service manager of user ", fp);
	if (u)
		put(fp, u);
	else if (p->have_unit_uid)
		fprintf(fp, "%u", p->unit_uid);
	else
		fputs("?", fp);
	fputs(", not the system's)", fp);
}

/* A process that runs several services: ending it would stop them all (a shared svchost.exe). */
static void text_shared(FILE *fp, const struct ps_snapshot *snap, const struct ps_proc *p,
			const struct stop_advice *a)
{
	if (!a->several)
		return;
	if (!a->service) {
		fputs("    to stop it: its process runs several services (", fp);
		put_list(fp, a->several);
		fputs(a->why
			  ? ") and the name of the one that holds this port cannot be given to a "
			    "shell safely: stop that one"
			  : ") and the system did not say which one holds this port: stop that one",
		      fp);
		if (snap_words(snap)->hosted_stop)
			fprintf(fp, " (%s NAME)", snap_words(snap)->hosted_stop);
		fputs(", never the process\n", fp);
		return;
	}
	fputs("    shared:   ", fp);
	put(fp, p->name ? p->name : "the process");
	fprintf(fp, " (pid %d) runs the services ", p->pid);
	put_list(fp, a->several);
	fputs(": ending that process would stop every one of them; stop the service, never the "
	      "process\n",
	      fp);
}

/* "to stop it" (and "for good" where stopping lasts only until the next boot). */
static void text_stop(FILE *fp, const struct ps_snapshot *snap, const struct ps_socket *sk,
		      const struct ps_proc *p)
{
	struct stop_advice a = {0};
	if (stop_hint(snap, sk, p, &a) == 0 && a.cmd.data) {
		fputs("    to stop it: ", fp);
		put_command(fp, a.cmd.data);
		if (a.alt.data) {
			fprintf(fp, " (%s: ", snap_words(snap)->second_shell);
			put_command(fp, a.alt.data);
			fputc(')', fp);
		}
		if (a.force.data) {
			fputs(" (if it does not end: ", fp);
			put_command(fp, a.force.data);
			fputc(')', fp);
		}
		if (a.why) {
			fputs(" (", fp);
			put(fp, a.why);
			fputs(": not its unit)", fp);
		}
		fputs(a.good.data ? " (for now: an enabled unit starts again at boot)\n" : "\n",
		      fp);
	}
	if (a.good.data) {
		fputs("    to stop it for good: ", fp);
		put_command(fp, a.good.data);
		fputc('\n', fp);
	}
	text_shared(fp, snap, p, &a);
	stop_advice_free(&a);
}

/* Where the system proves files by their signature (Windows): what the file's signature is,
 * after its path. */
static void text_signature(FILE *fp, const struct ps_proc *p)
{
	const struct ps_signature *g = &proc_more(p)->sig;
	if (strcmp(g->state, "signed") != 0) {
		fputs(strcmp(g->state, "unsigned") == 0	    ? " (unsigned)"
		      : strcmp(g->state, "unreadable") == 0 ? " (signature not checked: the file "
							      "could not be read)"
							    : " (its signature does not verify)",
		      fp);
		return;
	}
	fputs(" (signed by ", fp);
	put(fp, g->signer ? g->signer : "?");
	if (g->source)
		fputs(strcmp(g->source, "catalog") == 0 ? ", in a system catalog" : ", embedded",
		      fp);
	if (p->pkg == PKG_UNOWNED)
		fputs("; not the system's own program: a system program's name needs the system "
		      "maker's signature and the system directory",
		      fp);
	fputc(')', fp);
}

/* The program line (the packaged link it is started by first, then its file), what is not
 * known of it, and the system link that names it. */
/* What a Windows executable's version resource says of it (the file's own claim, not proof). */
static void text_file_info(FILE *fp, const struct ps_proc *p)
{
	const struct ps_proc_more *m = proc_more(p);
	if (!m->file_description && !m->file_company && !m->file_version)
		return;
	fputs("    says:     ", fp);
	put(fp, m->file_description ? m->file_description : "(no description)");
	if (m->file_company) {
		fputs(", by ", fp);
		put(fp, m->file_company);
	}
	if (m->file_version) {
		fputs(", version ", fp);
		put(fp, m->file_version);
	}
	fputs(" (its version resource: what the file claims, not who signed it)\n", fp);
}

static void text_program(FILE *fp, const struct ps_proc *p)
{
	const struct ps_proc_more *m = proc_more(p);
	fputs("    program:  ", fp);
	const char *shown = proc_exe_name(p);
	if (shown && shown != p->exe) {
		/* the packaged link it is started by: "/usr/bin/redis-server (package redis-server,
		 * a link to redis-check-rdb)", then the file itself */
		const char *to = p->exe_path ? p->exe_path : p->exe;
		const char *slash = strrchr(to, '/');
		put(fp, shown);
		fputs(" (package ", fp);
		put(fp, m->alias_pkg_name ? m->alias_pkg_name : "?");
		/* the file's name, or its path when the link has that name too (/usr/sbin/tor, a
		 * link to /usr/bin/tor) */
		const char *own = strrchr(shown, '/');
		bool same = slash && own && strcmp(slash, own) == 0;
		fputs(", a link to ", fp);
		put(fp, slash && !same ? slash + 1 : to);
		fputs(")\n    file:     ", fp);
	}
	put(fp, p->exe ? p->exe : "(unreadable)");
	if (p->exe && m->sig.state) {
		text_signature(fp, p);
	} else if (p->exe && p->pkg == PKG_OWNED) {
		fputs(" (package ", fp);
		put(fp, p->pkg_name ? p->pkg_name : "?");
		fputc(')', fp);
	} else if (p->exe && p->pkg == PKG_UNOWNED) {
		fputs(" (from no installed package)", fp);
	}
	fputc('\n', fp);
	text_file_info(fp, p);
	if (p->exe_checked && p->exe_check.unknown) {
		fputs("    not known: ", fp);
		put(fp, p->exe_check.unknown);
		fputc('\n', fp);
	}
	/* only a link the system made names the program (as for the findings): a package's, or an
	 * alternative; one made by hand proves nothing and is not shown as a name */
	if (m->exe_alias && (m->alias_alternatives || m->alias_pkg == PKG_OWNED) &&
	    shown == p->exe) {
		fputs("    named by: ", fp);
		put(fp, m->exe_alias);
		if (m->alias_alternatives) {
			fputs(" (through /etc/alternatives)\n", fp);
		} else {
			fputs(" (a link a package installed)\n", fp);
		}
	}
}

static void text_owner(FILE *fp, const struct ps_snapshot *snap, const struct ps_socket *sk,
		       size_t oi)
{
	const struct ps_owner *o = snap_owner(snap, sk, oi);
	const struct ps_proc *p = &snap->procs[o->proc];
	fprintf(fp, "  Held by pid %d (", p->pid);
	put(fp, p->name ? p->name : "?");
	fputc(')', fp);
	text_group(fp, snap, sk, oi);
	if (p->have_uid) {
		const char *u = snap_user_name(snap, p->uid);
		fputs(", user ", fp);
		if (u)
			put(fp, u);
		else
			fprintf(fp, "%u", p->uid);
	}
	if (owner_fd_is_fixed(o->fd))
		fprintf(fp, ", io_uring fixed file %u (no file descriptor of its own%s)%s\n",
			owner_fixed_index(o->fd),
			owner_fd_ring_registered(o->fd)
			    ? "; its ring has none either: found through the process's registered "
			      "ring table"
			    : "",
			p->vanished ? " — the process has exited since" : "");
	else
		fprintf(fp, ", %s %d%s\n", snap_words(snap)->handle_word, o->fd,
			p->vanished ? " — the process has exited since" : "");
	text_program(fp, p);
	const struct ps_script *sc = &proc_more(p)->script;
	if (sc->path) {
		/* named by the process's own arguments: shown, and judged only to its detriment */
		fputs("    script:   ", fp);
		put(fp, sc->path);
		fputs(sc->pkg == PKG_OWNED     ? " (package "
		      : sc->pkg == PKG_UNOWNED ? " (from no installed package"
					       : " (package unknown",
		      fp);
		if (sc->pkg == PKG_OWNED)
			put(fp, sc->pkg_name ? sc->pkg_name : "?");
		fputs("; from its arguments)\n", fp);
	}
	if (p->cmdline) {
		struct buf b = {0};
		fputs("    command:  ", fp);
		if (cmdline_format(&b, p) == 0 && b.data)
			put(fp, b.data);
		fputc('\n', fp);
		buf_free(&b);
	}
	char ts[32];
	if (time_utc_text(p->start_time, true, ts, sizeof ts))
		fprintf(fp, "    started:  %s\n", ts);
	text_parents(fp, snap, p);
	if (p->unit) {
		fputs("    unit:     ", fp);
		put(fp, p->unit);
		text_unit_user(fp, snap, p);
		fputc('\n', fp);
	}
	if (p->container) {
		fputs("    container: ", fp);
		put(fp, p->container_runtime ? p->container_runtime : "?");
		fputc(' ', fp);
		put(fp, p->container_name ? p->container_name : p->container);
		fputc('\n', fp);
	}
	text_stop(fp, snap, sk, p);
}

/* ", and N more (X private, Y public)": the addresses a wildcard's list leaves out. */
static void text_reach_folded(FILE *fp, const struct sock_verdict *v)
{
	fprintf(fp, ", and %zu more (of %zu:", (size_t)(v->nreach_all - v->nreach),
		(size_t)v->nreach_all);
	const char *sep = " ";
	for (int c = PS_EXPO_LOOPBACK; c < PS_EXPO_ALL; c++)
		if (v->reach_by_class[c]) {
			fprintf(fp, "%s%zu %s", sep, (size_t)v->reach_by_class[c],
				exposure_name((enum ps_exposure)c));
			sep = ", ";
		}
	fputc(')', fp);
}

/* The namespace a socket of another one is in: its name (ip netns, container) and inode. */
static void text_netns(FILE *fp, const struct ps_snapshot *snap, uint64_t inode)
{
	const char *name = NULL;
	bool host = false;
	for (size_t i = 0; i < snap->nnets; i++)
		if (snap->nets[i].inode == inode) {
			name = snap->nets[i].name;
			host = snap->nets[i].initial;
		}
	fputs("  Namespace: ", fp);
	if (name) {
		put(fp, name);
		fprintf(fp, " (network namespace %" PRIu64 ")\n", inode);
	} else {
		fprintf(fp, "network namespace %" PRIu64 "%s\n", inode,
			host ? " (the host's)" : "");
	}
}

/* One entry of explain's "stop" list: the keys beyond pid and command only where they apply. */
static void json_stop(struct jw *w, const struct ps_snapshot *snap, const struct ps_proc *p,
		      const struct stop_advice *a)
{
	jw_obj(w);
	jw_kint(w, "pid", p->pid);
	jw_kstr(w, "command", a->cmd.data);
	if (a->good.data)
		jw_kstr(w, "for_good", a->good.data);
	if (a->alt.data) {
		jw_kstr(w, "alt_shell", snap_words(snap)->second_shell);
		jw_kstr(w, "alt_command", a->alt.data);
	}
	if (a->force.data)
		jw_kstr(w, "force_command", a->force.data);
	if (a->why)
		jw_kstr(w, "not_the_unit", a->why);
	if (oswords_hosts_services(snap_words(snap), p))
		jw_kstr(w, "service", a->service);
	if (a->several) {
		jw_key(w, "shared_services");
		jw_arr(w);
		for (const char *s = a->several, *e; *s; s = *e ? e + 1 : e) {
			e = strchr(s, ',');
			e = e ? e : s + strlen(s);
			jw_strn(w, s, (size_t)(e - s));
		}
		jw_arr_end(w);
	}
	jw_obj_end(w);
}

/* Whether the interface addresses of namespace inode (0: ours) were read. */
static bool netns_addrs_known(const struct ps_snapshot *snap, uint64_t inode)
{
	if (!inode || inode == snap->netns)
		return snap->addrs_err == 0;
	for (size_t i = 0; i < snap->nnets; i++)
		if (snap->nets[i].inode == inode)
			return snap->nets[i].addrs_read;
	return false;
}

/* A Windows listener that a netsh interface portproxy rule is served by: where it relays to. */
static void text_relays(FILE *fp, const struct ps_snapshot *snap, const struct ps_socket *sk)
{
	char a[64];
	addr_format(&sk->local.addr, a, sizeof a);
	for (size_t i = 0; snap->firewall && sk->proto == PS_TCP && i < snap->firewall->nfwd; i++) {
		const struct ps_forward *f = &snap->firewall->fwd[i];
		if (strcmp(f->kind, "portproxy") != 0 || f->port != sk->local.port ||
		    f->family != (sk->local.addr.family == PS_INET6 ? 6 : 4) ||
		    (f->addr && strcasecmp(f->addr, a) != 0))
			continue;
		fputs("  Relays to: ", fp);
		fputs(f->family == 6 && strchr(f->to_addr, ':') ? "[" : "", fp);
		put(fp, f->to_addr);
		fprintf(fp, "%s:%u (netsh interface portproxy ",
			f->family == 6 && strchr(f->to_addr, ':') ? "]" : "", f->to_port);
		put(fp, f->rule_chain);
		fputs(": the IP Helper service accepts and relays each connection)\n", fp);
	}
}

/* A kernel (pid 4) listener's http.sys URL reservations: who may register URLs on its port. */
static void text_http(FILE *fp, const struct ps_snapshot *snap, const struct ps_socket *sk)
{
	bool any = false;
	for (size_t i = 0; i < snap->nurlacls; i++) {
		const struct ps_urlacl *a = &snap->urlacls[i];
		if (!urlacl_serves(a, sk))
			continue;
		if (!any)
			fputs("  http.sys URL reservations on this port (who may register them; "
			      "which "
			      "process did is told by no documented call):\n",
			      fp);
		any = true;
		fputs("    ", fp);
		put(fp, a->url);
		fputs("  ", fp);
		put(fp, a->sddl ? a->sddl : "(no security descriptor)");
		fputc('\n', fp);
	}
}

/* Whether b is held by the same processes as a, each by a file descriptor of its own. */
static bool same_holders(const struct ps_snapshot *snap, const struct ps_socket *a,
			 const struct ps_socket *b)
{
	if (!a || !a->owner_count || a->owner_count != b->owner_count)
		return false;
	for (size_t j = 0; j < a->owner_count; j++) {
		const struct ps_owner *x = snap_owner(snap, a, j), *y = snap_owner(snap, b, j);
		if (x->proc != y->proc || x->lead != y->lead || owner_fd_is_fixed(x->fd) ||
		    owner_fd_is_fixed(y->fd) || snap->procs[y->proc].vanished)
			return false;
	}
	return true;
}

/* The holders of sk, in full, or in one line each when `above` (the socket shown before) has
 * the same ones (nginx's IPv4 and IPv6 listeners). */
static void text_holders(FILE *fp, const struct ps_snapshot *snap, const struct ps_socket *sk,
			 const struct ps_socket *above)
{
	if (!sk->owner_count)
		fprintf(fp, "  Held by no visible process (%s)\n",
			owner_status_name(sk->owner_status));
	bool brief = same_holders(snap, above, sk);
	long last = -1;
	for (size_t j = 0; j < sk->owner_count; j++) {
		const struct ps_owner *o = snap_owner(snap, sk, j);
		if ((long)o->proc == last || o->lead)
			continue; /* a worker is shown in its group's line */
		last = (long)o->proc;
		if (!brief) {
			text_owner(fp, snap, sk, j);
			continue;
		}
		const struct ps_proc *p = &snap->procs[o->proc];
		fprintf(fp, "  Held by pid %d (", p->pid);
		put(fp, p->name ? p->name : "?");
		fputc(')', fp);
		text_group(fp, snap, sk, j);
		fprintf(fp, ", %s %d: shown above\n", snap_words(snap)->handle_word, o->fd);
	}
}

/* Socket i in full; returns the socket shown last (`above` when i is not shown). */
static const struct ps_socket *text_socket(FILE *fp, const struct ps_snapshot *snap, size_t i,
					   const struct ps_socket *above)
{
	const struct ps_socket *sk = &snap->socks[i];
	const struct sock_verdict *v = verdict_of(snap, sk);
	if (!v)
		return above;
	char a[64];
	addr_format(&sk->local.addr, a, sizeof a);
	fprintf(fp, "\n%s%s %s%s%s:%u %s\n", proto_name(sk->proto),
		sk->local.addr.family == PS_INET6 ? "6" : "",
		sk->local.addr.family == PS_INET6 ? "[" : "", a,
		sk->local.addr.family == PS_INET6 ? "]" : "", sk->local.port,
		state_label(sk->proto, sk->state));
	if (sk->netns && sk->netns != snap->netns) /* -N: the socket is not where we run */
		text_netns(fp, snap, sk->netns);
	char ct[40];
	int64_t created = snap_created(snap, sk);
	if (created && time_utc_text(created, true, ct, sizeof ct))
		fprintf(fp, "  Created: %s (the socket table says when it was opened)\n", ct);
	text_relays(fp, snap, sk);
	text_http(fp, snap, sk);
	if (v->home.prog) {
		/* the port is not the service's own: its program says what it serves */
		fputs("  Service: ", fp);
		put(fp, verdict_svc(v)->name ? verdict_svc(v)->name : "?");
		fputs(", as its program ", fp);
		put(fp, v->home.prog);
		fprintf(fp, " normally serves it on %u/%s; judged as %s here\n", v->home.port,
			proto_name(v->home.proto),
			verdict_svc(v)->svc_class ? svc_class_name(verdict_svc(v)->svc_class)
						  : "unclassified");
	}
	fprintf(fp, "  Reachable: %s", exposure_name(v->scope));
	if (sk->local.addr.family == PS_INET6 && addr_is_any(&sk->local.addr))
		fputs(sk->v6only == PS_V6ONLY_YES  ? " (IPv6 only)"
		      : sk->v6only == PS_V6ONLY_NO ? " (IPv6 and IPv4)"
						   : "",
		      fp);
	fputs("; right now on: ", fp);
	for (size_t r = 0; r < v->nreach; r++) {
		char ra[64];
		addr_format(&v->reach[r].addr, ra, sizeof ra);
		fputs(r ? ", " : "", fp);
		put(fp, v->reach[r].ifname ? v->reach[r].ifname : "?");
		fprintf(fp, " %s", ra);
	}
	if (v->nreach_all > v->nreach) /* folded: the first few of each class were listed */
		text_reach_folded(fp, v);
	if (v->nreach)
		fputc('\n', fp);
	else if (!netns_addrs_known(snap, sk->netns))
		fputs("not known (the namespace's addresses could not be read)\n", fp);
	else
		fputs("no local address (not reachable now)\n", fp);
	struct buf fwt = {0};
	if (explain_fw_text(v, &fwt) == 0)
		put_lines(fp, &fwt);
	buf_free(&fwt);
	text_holders(fp, snap, sk, above);
	if (!v->findings.n) {
		fputs("  Findings: none\n", fp);
		return sk;
	}
	fputs("  Findings:\n", fp);
	for (size_t f = 0; f < v->findings.n; f++) {
		const struct finding *x = &v->findings.f[f];
		fprintf(fp, "    [%s] %s: ", finding_sev_name(x->sev), x->code);
		put(fp, x->reason);
		if (x->evidence) {
			fputs("\n      evidence: ", fp);
			put(fp, x->evidence);
		}
		const struct policy_ack *ack = x->ack ? x->ack : x->ack_expired;
		if (ack) {
			fprintf(fp, "\n      %s %s (policy line %zu): ",
				x->ack ? "acknowledged until" : "acknowledgement EXPIRED on",
				ack->until_text, ack->line);
			put(fp, ack->reason);
		}
		fputc('\n', fp);
	}
	return sk;
}

int render_explain_text(FILE *fp, const struct ps_snapshot *snap, const struct explain_port *e)
{
	bool any = false;
	unsigned shown = 0; /* the protocols whose sockets followed their heading */
	const struct ps_socket *above = NULL; /* the socket shown last */
	for (unsigned pr = 0; pr < PS_PROTO_COUNT; pr++) {
		if (e->proto >= 0 && (unsigned)e->proto != pr)
			continue;
		struct risk_ctx rk = {false, false, e->info[pr].risk};
		for (size_t i = 0; i < snap->nsocks; i++) {
			const struct sock_verdict *v =
			    snap->socks[i].proto == pr ? verdict_of(snap, &snap->socks[i]) : NULL;
			if (!v)
				continue;
			if (!rk.held)
				rk.risk =
				    verdict_svc(v)->risk; /* the alternative that fits its holder */
			rk.held = true;
			rk.beyond = rk.beyond || v->widest > PS_EXPO_LOOPBACK;
		}
		bool held = rk.held;
		for (size_t i = 0; i < snap->nsocks; i++)
			held = held || snap->socks[i].proto == pr;
		if (!held && e->proto < 0 && !e->known[pr])
			continue;
		any = true;
		text_service(fp, snap, e->port, pr, e->known[pr], &e->info[pr], &rk);
		if (!held)
			fprintf(fp, "  Nothing listens on %u/%s now.\n", e->port,
				pr == PS_UDP ? "udp" : "tcp");
		/* each protocol's sockets under its own heading, before the next protocol's */
		for (size_t i = 0; i < snap->nsocks; i++)
			if (snap->socks[i].proto == pr)
				above = text_socket(fp, snap, i, above);
		shown |= 1u << pr;
	}
	if (!any)
		fprintf(fp,
			"Port %u: no registry knows this number, and nothing listens on it now.\n",
			e->port);
	if (e->proto >= 0 && e->known[!e->proto] &&
	    e->info[!e->proto].name) { /* 137/tcp asked, 137/udp known */
		unsigned other = !e->proto;
		fprintf(fp, "  %u/%s is known: ", e->port, other == PS_UDP ? "udp" : "tcp");
		put(fp, e->info[other].name);
		fprintf(fp, " (portsleuth explain %u/%s).\n", e->port,
			other == PS_UDP ? "udp" : "tcp");
	}
	for (size_t i = 0; i < snap->nsocks; i++)
		if (snap->socks[i].proto >= PS_PROTO_COUNT || !(shown & 1u << snap->socks[i].proto))
			above = text_socket(fp, snap, i, above);
	struct buf fwd = {0};
	if (explain_forwards_text(snap, &fwd) == 0)
		put_lines(fp, &fwd);
	buf_free(&fwd);
	if (snap->pkg_reason && snap->nsocks) {
		fputs("\nPackage checks were not made: ", fp);
		put(fp, snap->pkg_reason); /* may name a path */
		fputs(".\n", fp);
	}
	return ferror(fp) ? -EIO : 0;
}

int render_explain_json(FILE *fp, const struct ps_snapshot *snap, const struct explain_port *e)
{
	struct render_ctx ctx = {.snap = snap};
	struct jw w;
	jw_init(&w, fp);
	jw_obj(&w);
	jw_kuint(&w, "schema", 1);
	jw_kuint(&w, "port", e->port);
	jw_kstr(&w, "proto", e->proto < 0 ? NULL : proto_name((unsigned)e->proto));
	jw_kbool(&w, "held", snap->nsocks > 0);
	jw_key(&w, "registry");
	jw_arr(&w);
	for (unsigned pr = 0; pr < PS_PROTO_COUNT; pr++)
		if ((e->proto < 0 || (unsigned)e->proto == pr) && e->known[pr])
			json_service(&w, e->port, pr, true, &e->info[pr], NULL);
	jw_arr_end(&w);
	jw_key(&w, "sockets");
	jw_arr(&w);
	for (size_t i = 0; i < snap->nsocks; i++)
		render_json_socket(&w, &ctx, &snap->socks[i]);
	jw_arr_end(&w);
	jw_key(&w, "stop");
	jw_arr(&w);
	for (size_t i = 0; i < snap->nprocs && !w.err; i++) {
		if (snap->procs[i].group_root)
			continue; /* one entry per pre-forking group: its root's */
		struct stop_advice a = {0};
		const struct ps_socket *held =
		    NULL; /* the first socket it holds, for pid 1's .socket units */
		for (size_t j = 0; j < snap->nowners && !held; j++)
			if (snap->owners[j].proc == i)
				held = &snap->socks[snap->owners[j].sock];
		if (stop_hint(snap, held, &snap->procs[i], &a))
			w.err = -ENOMEM;
		json_stop(&w, snap, &snap->procs[i], &a);
		stop_advice_free(&a);
	}
	jw_arr_end(&w);
	json_verdict_summary(&w, snap);
	json_fw_document(&w, snap); /* "firewall", "forwards" */
	return jw_end_document(&w);
}
