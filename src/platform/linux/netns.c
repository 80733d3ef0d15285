/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netns.c — every network namespace: find them (/proc/PID/ns/net, /run/netns), enter each, dump it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
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
#include "attr_bpf.h"
#include "backend.h"
#include "procparse.h"
#include "roots.h"

struct ns {
	uint64_t inode;
	char *name; /* /run/netns name */
	char *path; /* what to open to enter it */
	int pid;
};

struct nslist {
	struct ns *v;
	size_t n, cap;
};

static void nslist_free(struct nslist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].path);
	}
	free(l->v);
}

static int nslist_add(struct nslist *l, uint64_t inode, const char *path, const char *name, int pid)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].inode == inode) {
			if (name && !l->v[i].name && !(l->v[i].name = str_dup(name)))
				return -ENOMEM;
			if (pid && !l->v[i].pid)
				l->v[i].pid = pid;
			return 0;
		}
	if (util_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v))
		return -ENOMEM;
	struct ns *x = &l->v[l->n];
	memset(x, 0, sizeof *x);
	x->inode = inode;
	x->pid = pid;
	x->path = str_dup(path);
	x->name = name ? str_dup(name) : NULL;
	if (!x->path || (name && !x->name)) {
		free(x->path);
		free(x->name);
		return -ENOMEM;
	}
	l->n++;
	return 0;
}

/* What the BPF pass saw of each process's network namespace (lnx_census_hint). */
static struct census_hint {
	struct attr_seen *v;
	size_t n;
} hint;

void lnx_census_hint(struct attr_seen *v, size_t n)
{
	free(hint.v);
	hint = (struct census_hint){v, n};
}

/* The namespace of pid from the hint (h, NULL: none): 0 when it has none to give. */
static uint64_t hinted_netns(const struct census_hint *h, long pid)
{
	struct attr_seen key = {.pid = (int32_t)pid};
	const struct attr_seen *s =
	    h && h->n ? bsearch(&key, h->v, h->n, sizeof key, attr_seen_cmp) : NULL;
	return s ? s->netns : 0;
}

/*
 * Named namespaces first (so they keep their name), then one stat per process: the inode the
 * BPF pass recorded for it (h, NULL: none) instead where there is one, which is what the stat
 * gives.
 */
static int enumerate(struct nslist *l, const struct census_hint *h)
{
	const struct platform_roots *r = roots_get();
	struct buf path = {0};
	int rc = 0;
	char *netns = roots_join(r->run, "netns");
	if (!netns)
		return -ENOMEM;
	DIR *d = opendir(netns);
	struct dirent *de;
	struct stat dir;
	if (d && stat(netns, &dir) != 0) {
		closedir(d);
		d = NULL;
	}
	while (!rc && d && (de = readdir(d))) {
		struct stat st;
		if (de->d_name[0] == '.')
			continue;
		buf_clear(&path);
		/* a name whose bind mount is gone is a plain file of /run's own fs: skip it */
		if (!(rc = buf_printf(&path, "%s/%s", netns, de->d_name)) &&
		    stat(path.data, &st) == 0 && dir.st_dev != st.st_dev)
			rc = nslist_add(l, (uint64_t)st.st_ino, path.data, de->d_name, 0);
	}
	if (d)
		closedir(d);
	free(netns);
	d = rc ? NULL : opendir(r->proc);
	while (!rc && d && (de = readdir(d))) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || pid > 0x7fffffff)
			continue;
		struct stat st;
		buf_clear(&path);
		uint64_t ino = hinted_netns(h, pid);
		if (!(rc = buf_printf(&path, "%s/%ld/ns/net", r->proc, pid)) &&
		    (ino || stat(path.data, &st) == 0))
			rc = nslist_add(l, ino ? ino : (uint64_t)st.st_ino, path.data, NULL,
					(int)pid);
	}
	if (d)
		closedir(d);
	buf_free(&path);
	return rc;
}

static int enter(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = setns(fd, CLONE_NEWNET) ? -errno : 0;
	close(fd);
	return rc;
}

/* Dump namespace `ns` into tmp, then come back to `self` (an open fd of our own). */
static int dump_in(const struct ns *ns, int self, struct ps_snapshot *tmp,
		   const struct ps_filter *f)
{
	int rc = enter(ns->path);
	if (rc)
		return rc;
	rc = platform_collect(tmp, f);
	if (setns(self, CLONE_NEWNET))
		abort(); /* staying in a foreign namespace would mislabel everything after */
	return rc;
}

/* The cgroup of process `pid` into *out (left NULL when unreadable). 0 or -ENOMEM. */
static int read_cgroup(int pid, char **out)
{
	char rel[48];
	snprintf(rel, sizeof rel, "%d/cgroup", pid);
	int dirfd = open(roots_get()->proc, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return 0;
	struct buf b = {0};
	bool cut;
	int rc = read_file_at(dirfd, rel, &b, 64 * 1024, 0, &cut);
	close(dirfd);
	size_t len;
	const char *cg = rc ? NULL : proc_parse_cgroup(b.data, b.len, &len);
	rc = rc == -ENOMEM ? rc : 0;
	if (cg && !(*out = str_dup_n(cg, len)))
		rc = -ENOMEM;
	buf_free(&b);
	return rc;
}

static bool listening(const struct ps_socket *k)
{
	return k->state == PS_ST_LISTEN || (k->proto == PS_UDP && k->state == PS_ST_CLOSE);
}

/* Record every namespace in snap->nets (names, a pid, its cgroup, how many listeners). */
static int record(struct ps_snapshot *snap, const struct nslist *l)
{
	snap->nets = calloc(l->n ? l->n : 1, sizeof *snap->nets);
	if (!snap->nets)
		return -ENOMEM;
	struct buf init = {0};
	struct stat st;
	uint64_t host = 0;
	if (buf_printf(&init, "%s/1/ns/net", roots_get()->proc))
		return -ENOMEM;
	if (stat(init.data, &st) == 0)
		host = (uint64_t)st.st_ino;
	buf_free(&init);
	for (size_t i = 0; i < l->n; i++) {
		struct ps_netns *x = &snap->nets[snap->nnets++];
		x->inode = l->v[i].inode;
		x->initial = host && x->inode == host;
		x->pid = l->v[i].pid;
		if (l->v[i].name && !(x->name = str_dup(l->v[i].name)))
			return -ENOMEM;
		if (!x->name && x->pid) {
			int rc = read_cgroup(x->pid, &x->cgroup);
			if (rc)
				return rc;
		}
	}
	return 0;
}

static void count_listeners(struct ps_snapshot *snap, const struct ps_snapshot *tmp, uint64_t ino)
{
	for (size_t i = 0; i < snap->nnets; i++)
		if (snap->nets[i].inode == ino)
			for (size_t k = 0; k < tmp->nsocks; k++)
				if (listening(&tmp->socks[k]))
					snap->nets[i].listeners++;
}

int lnx_collect_all_netns(struct ps_snapshot *snap, const struct ps_filter *f)
{
	int rc = platform_collect(snap, f);
	if (rc)
		return rc;
	snap->all_netns = true;
	struct nslist l = {0};
	if ((rc = enumerate(&l, NULL)) || (rc = record(snap, &l))) {
		nslist_free(&l);
		return rc;
	}
	count_listeners(snap, snap, snap->netns);
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0) {
		rc = -errno;
		nslist_free(&l);
		return rc;
	}
	for (size_t i = 0; i < l.n && !rc; i++) {
		if (l.v[i].inode == snap->netns)
			continue;
		struct ps_snapshot tmp = {0};
		int e = dump_in(&l.v[i], self, &tmp, f);
		if (e == -EPERM || e == -EACCES || e == -ENOENT || e == -EINVAL) {
			/* not root, or the namespace went away: the others still count */
			if (e == -EPERM || e == -EACCES)
				snap->netns_error = e;
			snap->partial = true;
		} else if (e) {
			rc = e;
		}
		/* a table that kept changing in there: the listing is partial, and says why */
		for (size_t j = 0; j < tmp.nnotes; j++)
			snap_note(snap, tmp.notes[j].stage, tmp.notes[j].err);
		snap->partial |= tmp.partial;
		count_listeners(snap, &tmp, l.v[i].inode);
		for (size_t k = 0; k < tmp.nsocks && !rc; k++)
			rc = snap_add_socket_copy(snap, &tmp, &tmp.socks[k]);
		snap_free(&tmp);
	}
	close(self);
	nslist_free(&l);
	return rc;
}

/*
 * A count only: entering and dumping every namespace here made each plain listing's
 * cost grow with the number of namespaces (35 ms with 200); -N says what is inside.
 */
int lnx_netns_census(struct ps_snapshot *snap)
{
	struct nslist l = {0};
	int rc = enumerate(&l, &hint);
	lnx_census_hint(NULL, 0);
	struct stat st;
	uint64_t own = snap->netns;
	if (!own && stat("/proc/self/ns/net", &st) == 0)
		own = (uint64_t)st.st_ino;
	for (size_t i = 0; i < l.n && !rc; i++)
		snap->netns_other += l.v[i].inode != own;
	nslist_free(&l);
	return rc;
}
