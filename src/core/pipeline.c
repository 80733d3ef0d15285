/* pipeline.c — the fixed order of stages every command runs its query through. */
#include "pipeline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../enrich/verdict.h"
#include "../model/verdict.h"
#include "../platform/platform.h"
#include "../util/str.h"

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
	if (!(p->pkg = pkgdb_new(NULL))) /* the platform's own (PORTSLEUTH_DPKG_INFO for tests) */
		return -ENOMEM;
	return 0;
}

void pipeline_close(struct pipeline *p)
{
	registry_free(&p->reg);
	pkgdb_free(p->pkg);
	users_free(p->users);
	memset(p, 0, sizeof *p);
}

static int run_collect(struct pipeline *p, struct ps_snapshot *s)
{
	return p->c.filter->all_netns && platform_caps()->namespaces ? platform_collect_all_netns(s, p->c.filter) : platform_collect(s, p->c.filter);
}

static int run_attribute(struct pipeline *p, struct ps_snapshot *s)
{
	return s->nsocks ? platform_attribute(s, p->c.filter) : 0;
}

static int run_describe(struct pipeline *p, struct ps_snapshot *s)
{
	(void)p;
	return platform_describe(s);
}

static int run_services(struct pipeline *p, struct ps_snapshot *s)
{
	(void)p;
	int rc;
	if ((rc = platform_ancestry(s)) || (rc = platform_activation(s)) || (rc = platform_socket_cgroups(s)))
		return rc;
	return 0;
}

static int run_units(struct pipeline *p, struct ps_snapshot *s)
{
	(void)p;
	return platform_units(s);
}

static bool keep_owner_match(const struct ps_snapshot *s, const struct ps_socket *k, const void *f)
{
	return filter_match_owners(f, s, k);
}

static int run_owner_filter(struct pipeline *p, struct ps_snapshot *s)
{
	return filter_needs_owners(p->c.filter) ? snap_retain(s, keep_owner_match, p->c.filter) : 0;
}

static int run_exposure(struct pipeline *p, struct ps_snapshot *s)
{
	(void)p;
	struct ps_ifaddr *a = NULL;
	size_t n = 0;
	s->addrs_err = platform_local_addrs(&a, &n);
	if (s->addrs_err)
		return s->addrs_err == -ENOMEM ? -ENOMEM : 0; /* otherwise: nothing is reachable now, and why */
	/* the model keeps its own copy: the platform's allocation is the platform's to free */
	int rc = n && !(s->addrs = calloc(n, sizeof *s->addrs)) ? -ENOMEM : 0;
	for (size_t i = 0; i < n && !rc; i++) {
		s->addrs[i] = (struct ps_ifaddr){a[i].ifindex, NULL, a[i].addr};
		if (a[i].ifname && !(s->addrs[i].ifname = strdup(a[i].ifname)))
			rc = -ENOMEM;
		s->naddrs = i + 1;
	}
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

static int run_exe_facts(struct pipeline *p, struct ps_snapshot *s)
{
	(void)p;
	bool *wanted = listener_owners(s);
	if (!wanted)
		return -ENOMEM;
	for (size_t i = 0; i < s->nprocs; i++) {
		struct ps_proc *q = &s->procs[i];
		if (wanted[i] && q->exe && !q->vanished)
			q->exe_checked = platform_exe_check(q->pid, q->exe, &q->exe_check) == 0;
	}
	free(wanted);
	return 0;
}

static int run_packages(struct pipeline *p, struct ps_snapshot *s)
{
	bool *wanted = listener_owners(s);
	char **clean = calloc(s->nprocs + 1, sizeof *clean);
	const char **paths = calloc(s->nprocs + 1, sizeof *paths);
	int rc = wanted && clean && paths ? 0 : -ENOMEM;
	size_t n = 0;
	for (size_t i = 0; i < s->nprocs && !rc; i++) {
		const struct ps_proc *q = &s->procs[i];
		if (!wanted[i] || !q->exe || q->vanished)
			continue;
		if (!(clean[i] = str_dup_n(q->exe, exe_path_len(q->exe))))
			rc = -ENOMEM;
		else
			paths[n++] = clean[i];
	}
	if (!rc && p->pkg && n)
		rc = pkgdb_want(p->pkg, paths, n);
	const char *why = p->pkg ? pkgdb_reason(p->pkg) : "package checks are off";
	if (!rc && why && !(s->pkg_reason = strdup(why)))
		rc = -ENOMEM;
	s->pkg_kind = p->pkg && !why ? pkgdb_kind(p->pkg) : NULL;
	for (size_t i = 0; i < s->nprocs && !rc; i++) {
		struct ps_proc *q = &s->procs[i];
		const char *pkg = NULL;
		if (!clean[i])
			continue;
		q->pkg = p->pkg ? (uint8_t)pkgdb_status(p->pkg, clean[i], &pkg) : PKG_UNKNOWN;
		if (q->pkg == PKG_OWNED && pkg && !(q->pkg_name = strdup(pkg)))
			rc = -ENOMEM;
	}
	for (size_t i = 0; clean && i < s->nprocs; i++)
		free(clean[i]);
	free(clean);
	free(paths);
	free(wanted);
	return rc;
}

static int run_findings(struct pipeline *p, struct ps_snapshot *s)
{
	return verdicts_compute(s, &p->reg);
}

/* Add uid to the sorted-later list in s->usernames unless it is there. 0 or -ENOMEM. */
static int add_uid(struct ps_snapshot *s, size_t *cap, uint32_t uid)
{
	for (size_t i = s->nusernames; i-- > 0;)
		if (s->usernames[i].uid == uid)
			return 0;
	if (s->nusernames == *cap) {
		size_t nc = *cap ? *cap * 2 : 8;
		struct ps_username *nu = realloc(s->usernames, nc * sizeof *nu);
		if (!nu)
			return -ENOMEM;
		s->usernames = nu;
		*cap = nc;
	}
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
	if (s->nusernames > 1)
		qsort(s->usernames, s->nusernames, sizeof *s->usernames, cmp_username);
	for (size_t i = 0; i < s->nusernames && !rc; i++) {
		const char *name = users_name(p->users, s->usernames[i].uid);
		if (name && !(s->usernames[i].name = strdup(name)))
			rc = -ENOMEM;
	}
	return rc;
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
	verdicts_count(s);
	return 0;
}

static const struct stage {
	int (*run)(struct pipeline *, struct ps_snapshot *);
	unsigned want;	/* 0: always runs */
	bool tolerant;	/* a failure (other than out of memory) is noted, not fatal */
	const char *text; /* what failed */
} stages[STAGE__COUNT] = {
	[STAGE_COLLECT] = {run_collect, 0, false, "cannot list sockets"},
	[STAGE_ATTRIBUTE] = {run_attribute, 0, false, "cannot find socket owners in /proc"},
	[STAGE_DESCRIBE] = {run_describe, 0, false, "cannot read process details"},
	[STAGE_SERVICES] = {run_services, 0, true, "cannot trace parents, socket activation and socket cgroups"},
	[STAGE_UNITS] = {run_units, 0, true, "cannot name units and containers"},
	[STAGE_OWNER_FILTER] = {run_owner_filter, 0, false, "cannot filter the result"},
	[STAGE_EXPOSURE] = {run_exposure, PIPE_JUDGE, true, "cannot read the interface addresses"},
	[STAGE_EXE_FACTS] = {run_exe_facts, PIPE_JUDGE, true, "cannot check the executables"},
	[STAGE_PACKAGES] = {run_packages, PIPE_JUDGE, true, "cannot read the package database"},
	[STAGE_FINDINGS] = {run_findings, PIPE_JUDGE, false, "cannot judge the sockets"},
	[STAGE_USERS] = {run_users, PIPE_USERS, true, "cannot look up user names"},
	[STAGE_FILTER] = {run_filter, 0, false, "cannot filter the result"},
	[STAGE_SORT] = {run_sort, 0, false, "cannot sort the result"},
};

int pipeline_run(struct pipeline *p, struct ps_snapshot *snap, enum pipeline_stage *stage)
{
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
		/* the rest goes on; what this stage would have filled stays empty, and the output says so */
		snap->partial = true;
		if (snap->nnotes < sizeof snap->notes / sizeof snap->notes[0])
			snap->notes[snap->nnotes++] = (struct ps_stage_note){st->text, rc};
	}
	return 0;
}

int pipeline_netns_census(struct ps_snapshot *snap)
{
	return platform_caps()->namespaces ? platform_netns_census(snap) : 0;
}

const char *pipeline_stage_text(enum pipeline_stage stage)
{
	return stage < STAGE__COUNT ? stages[stage].text : "failed";
}
