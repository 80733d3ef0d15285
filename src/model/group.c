/* SPDX-License-Identifier: GPL-2.0-or-later */
/* group.c — pre-forking servers and packaged daemons' helpers: a master and the processes it
 * forked are one group, judged and stopped once. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

struct pid_ix {
	int pid;
	uint32_t proc;
};

static int cmp_pid(const void *a, const void *b)
{
	int x = ((const struct pid_ix *)a)->pid, y = ((const struct pid_ix *)b)->pid;
	return (x > y) - (x < y);
}

/* Index of the process with `pid` through the pid-sorted index, or -1. */
static long find_pid(const struct pid_ix *by_pid, size_t n, int pid)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int m = by_pid[mid].pid;
		if (m == pid)
			return (long)by_pid[mid].proc;
		if (m < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Whether two processes run the same program: the same executable path, or the same name when
 * neither is readable. */
static bool same_program(const struct ps_proc *a, const struct ps_proc *b)
{
	if (a->vanished || b->vanished)
		return false;
	if (a->exe || b->exe)
		return a->exe && b->exe && strcmp(a->exe, b->exe) == 0;
	return a->name && b->name && strcmp(a->name, b->name) == 0;
}

/* Whether `path` lies in a directory named after the program `base` in the system's library
 * directories (/usr/lib/dovecot/imap-login for dovecot): where a package keeps its helpers. */
static bool in_helper_dir(const char *path, const char *base)
{
	static const char *const libs[] = {"/usr/lib/", "/usr/libexec/", "/lib/"};
	size_t bl = strlen(base);
	for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++) {
		size_t ll = strlen(libs[i]);
		if (strncmp(path, libs[i], ll) == 0 && strncmp(path + ll, base, bl) == 0 &&
		    path[ll + bl] == '/')
			return true;
	}
	return false;
}

/*
 * Whether child c is a packaged daemon's own helper of another name (dovecot's imap-login,
 * postfix's smtpd): both executables from packages (so known once the package stage ran), and
 * from the same package or kept in the daemon's own library directory. Names prove nothing:
 * the package database does.
 */
static bool packaged_helper(const struct ps_proc *m, const struct ps_proc *c)
{
	if (m->vanished || c->vanished || m->pkg != PKG_OWNED || c->pkg != PKG_OWNED || !m->exe ||
	    !c->exe || !m->pkg_name || !c->pkg_name)
		return false;
	if (strcmp(m->pkg_name, c->pkg_name) == 0)
		return true;
	const char *mb = strrchr(m->exe, '/');
	return mb && mb[1] && in_helper_dir(c->exe, mb + 1);
}

/* Whether socket k has an owner with `pid` (owners of a socket are sorted by pid). */
static bool holds(const struct ps_snapshot *s, const struct ps_socket *k, int pid)
{
	size_t lo = 0, hi = k->owner_count;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int m = snap_owner(s, k, mid)->pid;
		if (m == pid)
			return true;
		if (m < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

int snap_group_forks(struct ps_snapshot *s)
{
	struct pid_ix *by_pid = s->nprocs ? malloc(s->nprocs * sizeof *by_pid) : NULL;
	if (s->nprocs && !by_pid)
		return -ENOMEM;
	for (size_t i = 0; i < s->nprocs; i++)
		by_pid[i] = (struct pid_ix){s->procs[i].pid, (uint32_t)i};
	if (s->nprocs > 1)
		qsort(by_pid, s->nprocs, sizeof *by_pid, cmp_pid);
	for (size_t i = 0; i < s->nprocs; i++) {
		struct ps_proc *p = &s->procs[i];
		p->group_root = 0;
		/* up the chain of parents running the same program; bounded by nprocs against ppid
		 * loops */
		const struct ps_proc *at = p;
		for (size_t step = 0; step < s->nprocs && at->ppid > 0 && at->ppid != at->pid;
		     step++) {
			long up = find_pid(by_pid, s->nprocs, at->ppid);
			if (up < 0 ||
			    !(same_program(&s->procs[up], p) || packaged_helper(&s->procs[up], at)))
				break;
			at = &s->procs[up];
			if (at == p)
				break;
			p->group_root = at->pid;
		}
	}
	for (size_t i = 0; i < s->nowners; i++) {
		struct ps_owner *o = &s->owners[i];
		int root = s->procs[o->proc].group_root;
		o->lead = root && holds(s, &s->socks[o->sock], root) ? root : 0;
	}
	free(by_pid);
	return 0;
}

size_t snap_owner_members(const struct ps_snapshot *s, const struct ps_socket *k, size_t i)
{
	int pid = snap_owner(s, k, i)->pid;
	size_t n = 0;
	int last = 0;
	for (size_t j = 0; j < k->owner_count; j++) {
		const struct ps_owner *o = snap_owner(s, k, j);
		if (o->lead == pid && o->pid != last)
			n++; /* a worker holding the socket twice (two fds) counts once */
		last = o->pid;
	}
	return n;
}
