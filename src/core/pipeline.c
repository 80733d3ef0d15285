/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pipeline.c — the fixed order of stages every command runs its query through. */
#include "pipeline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../enrich/identity.h"
#include "../enrich/verdict.h"
#include "../model/verdict.h"
#include "../platform/platform.h"
#include "../util/buf.h"
#include "../util/grow.h"

int pipeline_open(struct pipeline *p, const struct pipeline_config *c)
{
	memset(p, 0, sizeof *p);
	p->c = *c;
	if ((c->want & PIPE_USERS) && !(p->users = users_new()))
		return -ENOMEM;
	if (!(c->want & PIPE_JUDGE))
		return 0;
	struct registry_paths paths;
	char home[4096];
	registry_default_paths(&paths, c->ports_file, c->services_file, home, sizeof home);
	int rc = registry_load(&p->reg, &paths);
	if (rc)
		return rc;
	uint16_t lo, hi;
	if (platform_ephemeral_range(&lo, &hi) == 0) {
		p->reg.eph_lo = lo;
		p->reg.eph_hi = hi;
	}
	/* the platform's own (PORTSLEUTH_DPKG_INFO for tests); none where the platform has none */
	if (platform_caps()->package_db && !(p->pkg = pkgdb_new(NULL)))
		return -ENOMEM;
	return 0;
}

void pipeline_close(struct pipeline *p)
{
	registry_free(&p->reg);
	pkgdb_free(p->pkg);
	users_free(p->users);
	if (p->fw)
		fw_context_free(p->fw);
	free(p->fw);
	memset(p, 0, sizeof *p);
}

static int run_collect(struct pipeline *p, struct ps_snapshot *s)
{
	return p->c.filter->all_netns && platform_caps()->namespaces
		   ? platform_collect_all_netns(s, p->c.filter)
		   : platform_collect(s, p->c.filter);
}

static int run_attribute(struct pipeline *p, struct ps_snapshot *s)
{
	int rc = s->nsocks ? platform_attribute(s, p->c.filter) : 0;
	snap_compact(s); /* sockets and owners are all there: what they grew beyond is waste */
	return rc;
}

static int run_describe(struct pipeline *p, struct ps_snapshot *s)
{
	(void)p;
	int rc = platform_describe(s);
	return rc ? rc : snap_pool_texts(s);
}

static int run_services(struct pipeline *p, struct ps_snapshot *s)
{
	(void)p;
	int rc;
	if ((rc = platform_ancestry(s)) || (rc = platform_activation(s)) ||
	    (rc = platform_socket_cgroups(s)))
		return rc;
	return 0;
}

static int run_units(struct pipeline *p, struct ps_snapshot *s)
{
	(void)p;
	return platform_units(s);
}

static int run_forks(struct pipeline *p, struct ps_snapshot *s)
{
	(void)p;
	return snap_group_forks(s);
}

static bool keep_owner_match(const struct ps_snapshot *s, const struct ps_socket *k, const void *f)
{
	return filter_match_owners(f, s, k);
}

static int run_owner_filter(struct pipeline *p, struct ps_snapshot *s)
{
	return filter_needs_owners(p->c.filter) ? snap_retain(s, keep_owner_match, p->c.filter) : 0;
}

/* Append a platform list to the model's (the platform's allocation is the platform's to free),
 * each entry tagged with namespace netns. 0 or -ENOMEM. */
static int append_ifaddrs(const struct ps_ifaddr *a, size_t n, uint64_t netns,
			  struct ps_ifaddr **out, size_t *nout)
{
	if (!n)
		return 0;
	struct ps_ifaddr *x = realloc(*out, (*nout + n) * sizeof *x);
	if (!x)
		return -ENOMEM;
	*out = x;
	for (size_t i = 0; i < n; i++) {
		x[*nout] = (struct ps_ifaddr){a[i].ifindex, NULL, a[i].addr, a[i].broadcast, netns};
		if (a[i].ifname && !(x[*nout].ifname = strdup(a[i].ifname)))
			return -ENOMEM;
		++*nout; /* released with the rest even when half made */
	}
	return 0;
}

static const char addrs_changing[] =
    "the interface addresses kept changing while the kernel listed them, try after try: who can "
    "reach a port is judged from a list that may miss one";

/* Per namespace s lists (-N): whether one of s's listeners lives in it. NULL when out of memory. */
static bool *namespaces_listening(const struct ps_snapshot *s)
{
	bool *w = calloc(s->nnets + 1, sizeof *w);
	uint64_t last = s->netns; /* sockets come namespace by namespace: one lookup per run */
	for (size_t i = 0; w && i < s->nsocks; i++) {
		const struct ps_socket *k = &s->socks[i];
		if (!k->netns || k->netns == last || !socket_is_listener(k))
			continue;
		last = k->netns;
		for (size_t j = 0; j < s->nnets; j++)
			w[j] = w[j] || s->nets[j].inode == k->netns;
	}
	return w;
}

/*
 * The addresses (and joined groups) of every other namespace holding a listener, read
 * inside it: a socket there is reached through that namespace's interfaces, not ours.
 * A namespace whose addresses cannot be read keeps the reason (its sockets are judged
 * as ours are when ours cannot be read). 0 or -ENOMEM.
 */
static int other_namespaces(struct ps_snapshot *s)
{
	bool *want = namespaces_listening(s);
	if (!want)
		return -ENOMEM;
	int rc = 0;
	for (size_t i = 0; i < s->nnets && !rc; i++) {
		struct ps_netns *ns = &s->nets[i];
		if (!want[i] || ns->inode == s->netns)
			continue;
		struct ps_ifaddr *a = NULL, *g = NULL;
		size_t n = 0, ng = 0;
		int got = platform_netns_addrs(ns, &a, &n, &g, &ng);
		if (got == PS_ADDRS_CHANGING)
			snap_note(s, addrs_changing, 0);
		ns->addrs_read = got >= 0;
		ns->addrs_err = got < 0 ? got : 0;
		if (got == -ENOMEM)
			rc = got;
		if (!rc)
			rc = append_ifaddrs(a, n, ns->inode, &s->addrs, &s->naddrs);
		if (!rc)
			rc = append_ifaddrs(g, ng, ns->inode, &s->groups, &s->ngroups);
		platform_ifaddrs_free(a, n);
		platform_ifaddrs_free(g, ng);
	}
	free(want);
	return rc;
}

static int run_exposure(struct pipeline *p, struct ps_snapshot *s)
{
	(void)p;
	struct ps_ifaddr *a = NULL;
	size_t n = 0;
	int got = platform_local_addrs(&a, &n);
	if (got == PS_ADDRS_CHANGING)
		snap_note(s, addrs_changing, 0);
	s->addrs_err = got < 0 ? got : 0;
	int rc = got == -ENOMEM ? got : append_ifaddrs(a, n, s->netns, &s->addrs, &s->naddrs);
	platform_ifaddrs_free(a, n);
	if (!rc && s->all_netns)
		rc = other_namespaces(s);
	return rc; /* ours unread (not out of memory): nothing is reachable now, addrs_err says why
		    */
}

static int run_groups(struct pipeline *p, struct ps_snapshot *s)
{
	(void)p;
	struct ps_ifaddr *a = NULL;
	size_t n = 0;
	int rc = platform_mcast_groups(&a, &n);
	if (rc == -ENOSYS)
		return 0; /* a platform without them: sockets bound to a group are reachable nowhere
			     we know */
	if (!rc)
		rc = append_ifaddrs(a, n, s->netns, &s->groups, &s->ngroups);
	platform_ifaddrs_free(a, n);
	return rc;
}

/* Per process: whether it holds a listener, the only sockets whose owners are judged. */
static bool *listener_owners(const struct ps_snapshot *s)
{
	bool *w = calloc(s->nprocs + 1, sizeof *w);
	for (size_t i = 0; w && i < s->nsocks; i++) {
		const struct ps_socket *k = &s->socks[i];
		if (socket_is_listener(k))
			for (size_t j = 0; j < k->owner_count; j++)
				w[snap_owner(s, k, j)->proc] = true;
	}
	return w;
}

static const char *base_of(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static int run_exe_facts(struct pipeline *p, struct ps_snapshot *s)
{
	(void)p;
	bool *wanted = listener_owners(s);
	if (!wanted)
		return -ENOMEM;
	int rc = platform_exe_facts(s, wanted);
	if (rc != -ENOMEM)
		rc = 0;
	for (size_t i = 0; i < s->nprocs && !rc; i++) {
		struct ps_proc *q = &s->procs[i];
		if (!wanted[i])
			continue;
		const char *arg;
		size_t len;
		/* an interpreter is judged by its script too (named by its arguments: worse, never
		 * better) */
		if (!rc && q->exe_checked && q->exe_path &&
		    identity_script_arg(base_of(q->exe_path), q->cmdline, q->cmdline_len, &arg,
					&len))
			rc = platform_script_facts(q, arg, len);
	}
	free(wanted);
	return rc ? rc : snap_pool_texts(s); /* the executables' paths */
}

/* Ask the database about path unless NULL; *n counts. */
static void want_path(const char **paths, size_t *n, const char *path)
{
	if (path)
		paths[(*n)++] = path;
}

/* The status of path (NULL: unknown), its package into *name when owned. 0 or -ENOMEM. */
static int status_of(const struct pkgdb *db, const char *path, uint8_t *status, char **name)
{
	const char *pkg = NULL;
	*status = db && path ? (uint8_t)pkgdb_status(db, path, &pkg) : PKG_UNKNOWN;
	if (*status == PKG_OWNED && pkg && !(*name = strdup(pkg)))
		return -ENOMEM;
	return 0;
}

/* The signature of q's executable, where the platform checks them (kept with its rare facts).
 * 0 or -ENOMEM. */
static int signature_of(const struct pkgdb *db, struct ps_proc *q)
{
	struct ps_signature sig = {0};
	int rc = pkgdb_signature(db, q->exe_path, &sig);
	if (rc || (!sig.state && !sig.source && !sig.signer && !sig.os_vendor))
		return rc;
	struct ps_proc_more *m = proc_more_get(q);
	if (!m) {
		free(sig.signer);
		return -ENOMEM;
	}
	free(m->sig.signer);
	m->sig = sig;
	return 0;
}

/* Why no listener's executable could be looked up in the package database. */
static const char *no_exe_reason(const struct ps_snapshot *s, const bool *wanted)
{
	bool any = false, foreign = false;
	for (size_t i = 0; i < s->nprocs; i++) {
		any |= wanted[i];
		foreign |= wanted[i] && s->procs[i].exe_checked && s->procs[i].exe_check.foreign;
	}
	if (foreign) /* read, but their paths are not ours to look up (DESIGN.md §8) */
		return "the listeners' programs are seen only through views of their own (a "
		       "container, or a mount or user namespace of their own), which the host's "
		       "package database does not describe";
	if (any)
		return "the executables of the listeners' processes could not be read";
	for (size_t i = 0; i < s->nsocks && !s->privileged; i++)
		if (s->socks[i].owner_status == PS_OWN_NOPERM && socket_is_listener(&s->socks[i]))
			return "the processes that hold the listeners are not visible without root";
	return "no listener's process to check";
}

static int run_packages(struct pipeline *p, struct ps_snapshot *s)
{
	bool *wanted = listener_owners(s);
	size_t nlibs = 0;
	for (size_t i = 0; i < s->nprocs; i++)
		nlibs += s->procs[i].nxlibs;
	const char **paths = calloc(5 * s->nprocs + nlibs + 1, sizeof *paths);
	int rc = wanted && paths ? 0 : -ENOMEM;
	size_t n = 0;
	/* A path is looked up in our package database only when it names, in our view, the file the
	 * process runs (exe_check.foreign: a container's /usr/bin/x is not our /usr/bin/x). */
	for (size_t i = 0; i < s->nprocs && !rc; i++) {
		const struct ps_proc *q = &s->procs[i];
		if (!wanted[i] || !q->exe_checked || q->vanished || q->exe_check.foreign)
			continue;
		want_path(paths, &n, q->exe_path);
		want_path(paths, &n, proc_more(q)->exe_alias);
		want_path(paths, &n, proc_more(q)->name_holder);
		want_path(paths, &n, proc_more(q)->argv0_other);
		if (!proc_more(q)->script.foreign)
			want_path(paths, &n, proc_more(q)->script.path);
		for (size_t j = 0; j < q->nxlibs; j++)
			want_path(paths, &n, q->xlibs[j].path);
	}
	if (!rc && p->pkg && n)
		rc = pkgdb_want(p->pkg, paths, n);
	bool no_db = !platform_caps()->package_db;
	const char *why = p->pkg  ? pkgdb_reason(p->pkg)
			  : no_db ? "this platform has no package database"
				  : "package checks are off";
	if ((p->pkg || no_db) && !n &&
	    why) /* nothing was asked: say why rather than "not consulted" */
		why = no_exe_reason(s, wanted);
	if (!rc && why && !(s->pkg_reason = strdup(why)))
		rc = -ENOMEM;
	s->pkg_kind = p->pkg && !why ? pkgdb_kind(p->pkg) : NULL;
	for (size_t i = 0; i < s->nprocs && !rc; i++) {
		struct ps_proc *q = &s->procs[i];
		if (!wanted[i] || !q->exe_checked || q->vanished || q->exe_check.foreign)
			continue;
		struct ps_proc_more *m = q->more; /* NULL: none of the other paths */
		if (!(rc = status_of(p->pkg, q->exe_path, &q->pkg, &q->pkg_name)) && m &&
		    !(rc = status_of(p->pkg, m->exe_alias, &m->alias_pkg, &m->alias_pkg_name)) &&
		    !(rc =
			  status_of(p->pkg, m->name_holder, &m->holder_pkg, &m->holder_pkg_name)) &&
		    !(rc = status_of(p->pkg, m->argv0_other, &m->argv0_pkg, &m->argv0_pkg_name)) &&
		    !m->script.foreign)
			rc = status_of(p->pkg, m->script.path, &m->script.pkg, &m->script.pkg_name);
		if (!rc && p->pkg && q->exe_path)
			rc = signature_of(p->pkg, q);
		for (size_t j = 0; j < q->nxlibs && !rc; j++) {
			char *name = NULL; /* the library's package: not shown */
			rc = status_of(p->pkg, q->xlibs[j].path, &q->xlibs[j].pkg, &name);
			free(name);
		}
	}
	free(paths);
	free(wanted);
	return rc;
}

/*
 * The addresses of the namespaces s lists whose addresses the exposure stage did
 * not read, into *out (each tagged with its namespace): where a forwarded port's
 * target may live. A namespace that cannot be entered is passed over (a list read
 * while it changed still places the target: a best guess). 0 or -ENOMEM.
 */
static int unread_namespace_addrs(const struct ps_snapshot *s, struct ps_ifaddr **out, size_t *n)
{
	int rc = 0;
	for (size_t i = 0; i < s->nnets && !rc; i++) {
		const struct ps_netns *ns = &s->nets[i];
		if (ns->inode == s->netns || ns->addrs_read)
			continue;
		struct ps_ifaddr *a = NULL;
		size_t na = 0;
		if (platform_netns_addrs(ns, &a, &na, NULL, NULL) >= 0)
			rc = append_ifaddrs(a, na, ns->inode, out, n);
		platform_ifaddrs_free(a, na);
	}
	return rc;
}

/*
 * The firewall of every other namespace holding a listener (-N), read inside it: its
 * listeners are judged by its rules, not ours. One that cannot be read is recorded
 * with why (its listeners' verdicts are "not-read"). 0 or -ENOMEM.
 */
static int other_firewalls(struct fw_context *fw, const struct ps_snapshot *s)
{
	bool *want = namespaces_listening(s);
	if (!want)
		return -ENOMEM;
	int rc = 0;
	for (size_t i = 0; i < s->nnets && !rc; i++) {
		if (!want[i] || s->nets[i].inode == s->netns)
			continue;
		struct ps_fw_source src = {0};
		rc = platform_firewall_read(&(struct ps_fw_request){.ns = &s->nets[i]}, &src);
		if (!rc)
			rc = fw_context_add_netns(fw, s->nets[i].inode, &src);
		fwsource_free(&src);
	}
	free(want);
	return rc;
}

/* Read once per run, before the findings, which judge every listener against it. */
static int run_firewall(struct pipeline *p, struct ps_snapshot *s)
{
	if (!p->fw && !(p->fw = calloc(1, sizeof *p->fw)))
		return -ENOMEM;
	fw_context_free(p->fw);
	struct ps_fw_source src = {0};
	int rc = platform_firewall_read(&(struct ps_fw_request){.ns = NULL}, &src);
	if (!rc)
		rc = fw_context_open(p->fw, &src, s);
	fwsource_free(&src); /* empty unless it was not taken over */
	if (!rc)
		rc = other_firewalls(p->fw, s);
	if (!rc)
		rc = fw_forwards_model(p->fw, s, p->c.filter);
	if (rc || !fw_forwards_unplaced(p->fw, s))
		return rc;
	struct ps_ifaddr *more = NULL;
	size_t n = 0;
	rc = unread_namespace_addrs(s, &more, &n);
	if (!rc)
		rc = fw_forwards_place(p->fw, s, more, n);
	platform_ifaddrs_free(more, n);
	return rc;
}

/*
 * Whether q, which the units stage took for a runtime's port holder by its name (docker-proxy,
 * conmon: a name anyone can give a process), is that runtime's program: its running image proven
 * (a mapping of it, our view) to be the packaged file of that name, run by root as a rootful
 * runtime's is. Otherwise no container is named and its advice is not a runtime's.
 */
static bool published_proven(const struct ps_proc *q)
{
	const char *want = strcmp(q->published->runtime, "docker") == 0 ? "docker-proxy" : "conmon";
	const struct ps_exe_check *x = &q->exe_check;
	return q->exe_checked && !q->vanished && q->exe_path && x->proof == PS_PROOF_MAPPED &&
	       !exe_unproven(x) && !x->foreign && !x->deleted && q->pkg == PKG_OWNED &&
	       q->have_uid && q->uid == 0 && strcmp(base_of(q->exe_path), want) == 0;
}

static void drop_unproven_published(struct ps_snapshot *s)
{
	for (size_t i = 0; i < s->nprocs; i++) {
		struct ps_proc *q = &s->procs[i];
		if (!q->published || published_proven(q))
			continue;
		free(q->published->id);
		free(q->published->name);
		free(q->published);
		q->published = NULL;
	}
}

static int run_findings(struct pipeline *p, struct ps_snapshot *s)
{
	drop_unproven_published(s); /* with the packages known */
	/* with the packages known, a daemon's helpers of other names join its group */
	int rc = snap_group_forks(s);
	if (!rc)
		rc = verdicts_compute(s, &p->reg, p->fw && s->firewall ? p->fw : NULL);
	if (p->fw)
		fw_context_free(p->fw); /* what the model needs of the rules is in it now */
	return rc;
}

static int run_acks(struct pipeline *p, struct ps_snapshot *s)
{
	return p->c.acks ? policy_ack_findings(p->c.acks, s, p->c.now) : 0;
}

/* Add uid to the sorted-later list in s->usernames unless it is there. 0 or -ENOMEM. */
static int add_uid(struct ps_snapshot *s, size_t *cap, uint32_t uid)
{
	for (size_t i = s->nusernames; i-- > 0;)
		if (s->usernames[i].uid == uid)
			return 0;
	if (util_grow((void **)&s->usernames, cap, s->nusernames + 1, sizeof *s->usernames))
		return -ENOMEM;
	s->usernames[s->nusernames++] = (struct ps_username){uid, NULL};
	return 0;
}

static int cmp_username(const void *a, const void *b)
{
	uint32_t x = ((const struct ps_username *)a)->uid, y = ((const struct ps_username *)b)->uid;
	return (x > y) - (x < y);
}

static int run_users(struct pipeline *p, struct ps_snapshot *s)
{
	size_t cap = 0;
	int rc = 0;
	uint32_t last = 0;
	bool have_last = false;
	for (size_t i = 0; i < s->nsocks && !rc; i++) {
		if (have_last && s->socks[i].uid == last)
			continue; /* most sockets share a few uids */
		last = s->socks[i].uid;
		have_last = true;
		rc = add_uid(s, &cap, last);
	}
	for (size_t i = 0; i < s->nprocs && !rc; i++)
		if (s->procs[i].have_uid)
			rc = add_uid(s, &cap, s->procs[i].uid);
	for (size_t i = 0; i < s->nprocs && !rc; i++) /* whose manager runs a user unit */
		if (s->procs[i].have_unit_uid)
			rc = add_uid(s, &cap, s->procs[i].unit_uid);
	if (s->nusernames > 1)
		qsort(s->usernames, s->nusernames, sizeof *s->usernames, cmp_username);
	for (size_t i = 0; i < s->nusernames && !rc; i++) {
		const char *name = users_name(p->users, s->usernames[i].uid);
		if (name && !(s->usernames[i].name = strdup(name)))
			rc = -ENOMEM;
	}
	return rc;
}

static int run_explain(struct pipeline *p, struct ps_snapshot *s)
{
	if (!p->c.explain)
		return 0;
	struct explain_port *e = calloc(1, sizeof *e);
	if (!e)
		return -ENOMEM;
	s->explain = e;
	e->port = p->c.explain_port;
	e->proto = p->c.explain_proto;
	for (unsigned pr = 0; pr < PS_PROTO_COUNT; pr++) {
		e->known[pr] = registry_lookup(&p->reg, e->port, pr, &e->info[pr]);
		/* owner-specific alternatives in words: the port is told about for any holder */
		if (!e->info[pr].risk)
			continue;
		struct buf risk = {0};
		if (registry_risk_describe(e->info[pr].risk, &risk)) {
			buf_free(&risk);
			return -ENOMEM;
		}
		e->info[pr].risk = e->risk_words[pr] = risk.data;
	}
	return 0;
}

static int run_filter(struct pipeline *p, struct ps_snapshot *s)
{
	return p->c.keep ? snap_retain(s, p->c.keep, p->c.keep_ctx) : 0;
}

static int run_sort(struct pipeline *p, struct ps_snapshot *s)
{
	(void)p;
	snap_sort(s);
	snap_count_status(s);
	snap_settle_partial(s);
	verdicts_count(s);
	return 0;
}

/* The namespaces besides ours, counted without entering them: only a note, so a failure
 * leaves snap->netns_other 0 and says nothing. */
static int run_census(struct pipeline *p, struct ps_snapshot *s)
{
	if (p->c.filter->all_netns || !platform_caps()->namespaces)
		return 0; /* listed, or none to count */
	(void)platform_netns_census(s);
	return 0;
}

static const struct stage {
	int (*run)(struct pipeline *, struct ps_snapshot *);
	unsigned want;	  /* 0: always runs */
	bool tolerant;	  /* a failure (other than out of memory) is noted, not fatal */
	const char *text; /* what failed */
} stages[STAGE__COUNT] = {
    [STAGE_COLLECT] = {run_collect, 0, false, "cannot list sockets"},
    [STAGE_ATTRIBUTE] = {run_attribute, 0, false, "cannot find socket owners"},
    [STAGE_DESCRIBE] = {run_describe, 0, false, "cannot read process details"},
    [STAGE_SERVICES] = {run_services, 0, true,
			"cannot trace parents, socket activation and socket cgroups"},
    [STAGE_UNITS] = {run_units, 0, true, "cannot name units and containers"},
    [STAGE_FORKS] = {run_forks, 0, false, "cannot group pre-forking servers"},
    [STAGE_OWNER_FILTER] = {run_owner_filter, 0, false, "cannot filter the result"},
    [STAGE_EXPOSURE] = {run_exposure, PIPE_JUDGE, true, "cannot read the interface addresses"},
    [STAGE_GROUPS] = {run_groups, PIPE_JUDGE, true, "cannot read the joined multicast groups"},
    [STAGE_EXE_FACTS] = {run_exe_facts, PIPE_JUDGE, true, "cannot check the executables"},
    [STAGE_PACKAGES] = {run_packages, PIPE_JUDGE, true, "cannot read the package database"},
    [STAGE_FIREWALL] = {run_firewall, PIPE_JUDGE, true, "cannot read the firewall's rules"},
    [STAGE_FINDINGS] = {run_findings, PIPE_JUDGE, false, "cannot judge the sockets"},
    [STAGE_EXPLAIN] = {run_explain, PIPE_JUDGE, false, "cannot look the port up"},
    [STAGE_ACKS] = {run_acks, PIPE_JUDGE, false, "cannot apply the acknowledgements"},
    [STAGE_USERS] = {run_users, PIPE_USERS, true, "cannot look up user names"},
    [STAGE_FILTER] = {run_filter, 0, false, "cannot filter the result"},
    [STAGE_SORT] = {run_sort, 0, false, "cannot sort the result"},
    [STAGE_CENSUS] = {run_census, PIPE_CENSUS, true, "cannot count the network namespaces"},
};

int pipeline_run(struct pipeline *p, struct ps_snapshot *snap, enum pipeline_stage *stage)
{
	snap->os = platform_ops.words; /* findings and advice speak the backend's words */
	for (int i = 0; i < STAGE__COUNT; i++) {
		const struct stage *st = &stages[i];
		if (st->want && !(p->c.want & st->want))
			continue;
		*stage = (enum pipeline_stage)i;
		int rc = st->run(p, snap);
		if (!rc)
			continue;
		if (!st->tolerant || rc == -ENOMEM)
			return rc;
		/* the rest goes on; what this stage would have filled stays empty, and the output
		 * says so */
		snap_note(snap, st->text, rc);
	}
	return 0;
}

const char *pipeline_stage_text(enum pipeline_stage stage)
{
	return stage < STAGE__COUNT ? stages[stage].text : "failed";
}
