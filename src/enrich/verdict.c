/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verdict.c — judge each socket: its service, its reach, and the findings rules about its owners.
 */
#include "verdict.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/buf.h"
#include "../util/str.h"
#include "fwstage.h"
#include "ocache.h"
#include "vcache.h"

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

/*
 * The daemon name holder p is proven to run under: the packaged link the system starts it by
 * (redis-server for redis-check-rdb), else its file's name; NULL unless p is a packaged program
 * whose running image is that file (DESIGN.md §8), and for a runtime (python3, java), whose
 * name says nothing of what it serves.
 */
static const char *proven_daemon_name(const struct ps_proc *p)
{
	if (!p || p->vanished || !p->exe_checked || exe_unproven(&p->exe_check) ||
	    p->exe_check.foreign || p->pkg != PKG_OWNED || !p->exe_path)
		return NULL;
	const struct ps_proc_more *m = proc_more(p);
	const char *path = m->exe_alias && (m->alias_alternatives || m->alias_pkg == PKG_OWNED)
			       ? m->exe_alias
			       : p->exe_path;
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	return registry_owner_generic(b) ? NULL : b;
}

/* How strictly a class keeps a service from networks: never-internet the most. */
static int class_rank(unsigned cls)
{
	return cls == SVC_NEVER_INTERNET ? 3 : cls == SVC_LAN_ONLY ? 2 : 0;
}

/*
 * The service follows the program. A packaged daemon the port's entry does not name, named by
 * the same number's entry of the other protocol, serves that (rsyslogd on 514/tcp, which is BSD
 * rsh's, is syslog as on 514/udp). Else a packaged daemon of a never-internet or lan-only
 * service on another port (redis-server on 6380) is that service there, unless the port's own
 * entry is as strict. pi: the port's lookup, replaced (keeping its backdoor names); *home says
 * whose service it is then.
 */
static void service_of_program(const struct registry *reg, uint16_t port, unsigned proto,
			       const struct ps_proc *p, bool *known, struct port_info *pi,
			       struct svc_home *home)
{
	const char *prog = proven_daemon_name(p);
	struct port_info h;
	uint16_t at = port;
	unsigned over = !proto;
	if (!prog || (*known && registry_owner_matches(pi->owners, prog)))
		return;
	if (!*known || proto >= PS_PROTO_COUNT || !registry_lookup(reg, port, over, &h) ||
	    !registry_owner_matches(h.owners, prog)) {
		over = proto;
		if (!registry_program_home(reg, prog, proto, &h, &at) ||
		    (*known && class_rank(pi->svc_class) >= class_rank(h.svc_class)))
			return;
	}
	h.backdoor = pi->backdoor;
	h.dynamic = pi->dynamic;
	*pi = h;
	*known = true;
	home->prog = prog;
	home->port = at;
	home->proto = (uint8_t)over;
}

/* The service: all a connection gets, and where a listener's verdict goes on (risk for holder p).
 */
static int verdict_service(struct verdicts *vs, const struct registry *reg, unsigned proto,
			   const struct ps_proc *p, struct sock_verdict *v)
{
	struct port_info pi;
	v->svc_known = registry_lookup(reg, v->svc_port, proto, &pi);
	struct svc_home home = {0};
	if (v->listener)
		service_of_program(reg, v->svc_port, proto, p, &v->svc_known, &pi, &home);
	v->home.port = home.port;
	v->home.proto = home.proto;
	/* the model outlives the registry: keep copies (shared through the pool) */
	struct port_info svc = {.dynamic = pi.dynamic, .svc_class = pi.svc_class};
	int rc = 0;
	if (v->svc_known) {
		rc = verdicts_intern(vs, pi.name, &svc.name);
		if (!rc)
			rc = verdicts_intern(vs, pi.desc, &svc.desc);
		if (!rc)
			rc = verdicts_intern(vs, pi.source, &svc.source);
		if (!rc)
			rc = verdicts_intern(vs, pi.owners, &svc.owners);
		if (!rc)
			rc = verdict_risk(vs, pi.risk, p, &svc.risk);
		if (!rc)
			rc = verdicts_intern(vs, pi.backdoor, &svc.backdoor);
		if (!rc)
			rc = verdicts_intern(vs, home.prog, &v->home.prog);
	}
	return rc ? rc : verdicts_intern_svc(vs, &svc, &v->svc);
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

/*
 * When v's widest class is reached only at addresses whose firewall verdict is not
 * known (unknown, not-read), what would decide it into *out (interned in vs): the
 * why and the rule of the first of them. NULL when the reach is known. 0 or -ENOMEM.
 */
static int reach_undecided(const struct sock_verdict *v, struct verdicts *vs, const char **out)
{
	*out = NULL;
	const struct ps_fw_at *first = NULL;
	for (size_t r = 0; r < v->nreach; r++) {
		const struct ps_fw_at *at = &v->fw[r];
		if (at->reach_class < v->widest || at->verdict == PS_FW_NONE)
			continue;
		if (at->verdict != PS_FW_UNKNOWN && at->verdict != PS_FW_NOT_READ)
			return 0; /* a known verdict lets this class in */
		if (!first)
			first = at;
	}
	if (!first || v->widest <= PS_EXPO_LOOPBACK)
		return 0;
	struct buf b = {0};
	int rc = buf_printf(&b, "%s", first->why ? first->why : "it could not be judged");
	if (!rc && first->rule.text)
		rc = buf_printf(&b, " (%s)", first->rule.text);
	if (!rc)
		rc = verdicts_intern(vs, b.data, out);
	buf_free(&b);
	return rc;
}

/* Reachability of listener k through its own namespace's interfaces, narrowed by the
 * firewall; rt gets the evidence text of the widest class, *undecided what would decide a
 * reach the firewall's verdict leaves open (reach_undecided). 0 or -ENOMEM. */
static int judge_reach(const struct ps_snapshot *snap, const struct ps_socket *k,
		       struct verdicts *vs, struct sock_verdict *v, struct buf *rt,
		       const struct fw_context *fw, struct ns_view *ns, const char **undecided)
{
	*undecided = NULL;
	int rc;
	ns_view_of(snap, k->netns ? k->netns : snap->netns, ns);
	size_t nreach = 0;
	rc = exposure_reach(k, ns->a, ns->n, ns->g, ns->ng, &v->reach, &nreach);
	v->nreach = (uint32_t)nreach; /* addresses of one namespace */
	if (rc)
		return rc;
	v->widest = exposure_widest(k, v->reach, v->nreach, ns->unknown);
	if ((rc = reach_format(rt, v->reach, v->nreach, v->widest)))
		return rc;
	/* the firewall narrows the scope: a port it drops is not reachable beyond localhost */
	if (fw && (rc = fw_judge_listener(fw, snap, k, vs, v)))
		return rc;
	if (!v->fw)
		return reach_fold(v);
	/* the severity policy sees only the addresses the firewall lets through */
	enum ps_exposure w = PS_EXPO_LOOPBACK;
	for (size_t r = 0; r < v->nreach; r++)
		if (v->fw[r].verdict != PS_FW_NONE && v->fw[r].reach_class > w)
			w = (enum ps_exposure)v->fw[r].reach_class;
	if (w < v->widest)
		v->widest = w;
	if ((rc = reach_undecided(v, vs, undecided)))
		return rc;
	rc = reach_format_fw(rt, v, v->widest);
	return rc ? rc : reach_fold(v);
}

/* The facts earlier stages stored on process p, as the rules' input. */
static void owner_input(const struct ps_proc *p, struct finding_input *in)
{
	in->has_owner = true;
	in->pid = p->pid;
	in->name = p->name;
	in->exe = p->exe;
	in->cmdline = p->cmdline;
	in->cmdline_len = p->cmdline_len;
	in->have_uid = p->have_uid;
	in->uid = p->uid;
	in->exe_checked = p->exe_checked;
	in->in_container = p->container != NULL;
	in->exe_check = p->exe_check;
	in->exe_path = p->exe_path;
	in->pkg = (enum pkg_status)p->pkg;
	in->pkg_name = p->pkg_name;
	const struct ps_proc_more *m = proc_more(p);
	in->alias = m->exe_alias;
	in->alias_alternatives = m->alias_alternatives;
	in->alias_pkg = (enum pkg_status)m->alias_pkg;
	in->name_holder = m->name_holder;
	in->holder_pkg = (enum pkg_status)m->holder_pkg;
	in->holder_pkg_name = m->holder_pkg_name;
	in->argv0_other = m->argv0_other;
	in->code_env = m->code_env;
	in->argv0_pkg = (enum pkg_status)m->argv0_pkg;
	in->argv0_pkg_name = m->argv0_pkg_name;
	in->script = m->script.path;
	in->script_dir_world_writable = m->script.dir_world_writable;
	in->script_pkg = (enum pkg_status)m->script.pkg;
	in->xlibs = p->xlibs;
	in->nxlibs = p->nxlibs;
	in->script_pkg_name = m->script.pkg_name;
}

/*
 * Whether an earlier owner (before index j) of k runs the same file as p: what is wrong with
 * a file is said once per socket, however many of its holders run it (inode 0: the file is
 * not known, so never the same).
 */
static bool file_judged_before(const struct ps_snapshot *snap, const struct ps_socket *k, size_t j,
			       const struct ps_proc *p)
{
	for (size_t e = 0; e < j && p->exe_checked && p->exe_check.ino; e++) {
		const struct ps_proc *q = &snap->procs[snap_owner(snap, k, e)->proc];
		if (q != p && !q->vanished && q->exe_checked &&
		    q->exe_check.dev == p->exe_check.dev && q->exe_check.ino == p->exe_check.ino)
			return true;
	}
	return false;
}

/* Whether the workers of p's group that hold k (which serve its connections) all run as
 * another user than root. */
static bool workers_unprivileged(const struct ps_snapshot *snap, const struct ps_socket *k,
				 const struct ps_proc *p)
{
	size_t workers = 0, unprivileged = 0;
	for (size_t w = 0; w < k->owner_count; w++) {
		const struct ps_owner *wo = snap_owner(snap, k, w);
		const struct ps_proc *wp = &snap->procs[wo->proc];
		if (wo->lead != p->pid || wp->vanished)
			continue;
		workers++;
		unprivileged += wp->have_uid && wp->uid != 0;
	}
	return workers > 0 && unprivileged == workers;
}

/* Append the n findings f to l, grown to fit. 0 or -ENOMEM. */
static int list_append(struct finding_list *l, const struct finding *f, size_t n)
{
	if (!n)
		return 0;
	if (l->n + n > l->cap) {
		struct finding *nf = realloc(l->f, (l->n + n) * sizeof *nf);
		if (!nf)
			return -ENOMEM;
		l->f = nf;
		l->cap = (uint32_t)(l->n + n);
	}
	memcpy(l->f + l->n, f, n * sizeof *f);
	l->n += (uint32_t)n;
	return 0;
}

/*
 * The findings about the owner in describes (process index proc), their texts pooled, appended
 * to out: made once per question (findings_owner_question) and copied for every listener that
 * asks it again (oc; NULL: made each time). 0 or -ENOMEM.
 */
static int owner_findings(struct verdicts *vs, struct ocache *oc, uint32_t proc,
			  const struct finding_input *in, struct finding_list *out)
{
	struct owner_question q;
	findings_owner_question(in, &q);
	uint64_t h = ocache_hash(proc, &q);
	const struct ocache_ent *e = oc ? ocache_get(oc, proc, &q, h) : NULL;
	if (e)
		return list_append(out, oc->f + e->first, e->n);
	struct finding_list mine = {0};
	int rc = findings_for_owner(in, &mine);
	if (!rc)
		rc = verdicts_intern_findings(vs, &mine);
	if (!rc)
		rc = list_append(out, mine.f, mine.n);
	if (!rc && oc)
		rc = ocache_put(oc, proc, &q, h, mine.f, mine.n);
	findings_free(&mine); /* pooled texts stay with the pool */
	return rc;
}

/* The findings about each visible owner of k (a pre-forking group judged as its root), their
 * texts pooled. */
static int judge_owners(const struct ps_snapshot *snap, const struct ps_socket *k,
			struct verdicts *vs, struct ocache *oc, struct finding_input *in,
			struct finding_list *out)
{
	long last = -1;
	int rc = 0;
	for (size_t j = 0; j < k->owner_count && !rc; j++) {
		const struct ps_owner *o = snap_owner(snap, k, j);
		const struct ps_proc *p = &snap->procs[o->proc];
		if ((long)o->proc == last || p->vanished || o->lead)
			continue; /* a worker of a pre-forking server is judged with its group's
				     root */
		last = (long)o->proc;
		owner_input(p, in);
		in->file_judged = file_judged_before(snap, k, j, p);
		in->workers_unprivileged = workers_unprivileged(snap, k, p);
		rc = owner_findings(vs, oc, o->proc, in, out);
	}
	return rc;
}

/* The sources the firewall alone lets in wherever v's widest class reaches the listener, or NULL
 * when an address of that class takes every source (or no firewall was looked at). */
static const char *widest_sources(const struct sock_verdict *v)
{
	if (!v->fw || v->widest <= PS_EXPO_LOOPBACK)
		return NULL;
	bool any = false;
	for (size_t r = 0; r < v->nreach; r++) {
		const struct ps_fw_at *at = &v->fw[r];
		if (at->verdict == PS_FW_NONE || at->reach_class != v->widest)
			continue;
		if (at->verdict != PS_FW_SOME)
			return NULL;
		any = true;
	}
	return any ? (v->fw_sources ? v->fw_sources : "some sources") : NULL;
}

/* A listener's findings, its reach judged (rt its text, undecided what would decide it). */
static int judge_findings(const struct ps_snapshot *snap, const struct ps_socket *k,
			  struct verdicts *vs, struct ocache *oc, struct sock_verdict *v,
			  const char *rt, const char *undecided)
{
	struct finding_input in = {.port = k->local.port,
				   .proto = k->proto,
				   .svc = v->svc_known ? verdict_svc(v) : NULL,
				   .home = v->home,
				   .scope = v->scope,
				   .widest = v->widest,
				   .reach_text = rt,
				   .reach_undecided = undecided,
				   .widest_sources = widest_sources(v),
				   .pid = -1,
				   .words = snap_words(snap)};
	size_t visible = 0;
	for (size_t j = 0; j < k->owner_count; j++)
		visible += !snap->procs[snap_owner(snap, k, j)->proc].vanished;
	in.has_owner = visible > 0;
	in.held_by_none = !k->owner_count && k->inode && k->owner_status == PS_OWN_KERNEL;
	in.sock_inode = k->inode;
	in.sock_uid = k->uid;
	uint32_t suspects;
	in.ring_suspect = snap_ring_suspect(snap, k, &suspects);
	in.ring_suspects = suspects;
	in.queue_full = PS_ACCEPT_QUEUE_FULL(k);
	in.accept_queue = k->recv_q;
	in.backlog = k->send_q;
	int rc = findings_for_socket(&in, &v->findings);
	if (!rc)
		rc = verdicts_intern_findings(vs, &v->findings);
	if (rc)
		return rc;
	v->findings.interned = true; /* the owners' findings come pooled too */
	rc = judge_owners(snap, k, vs, oc, &in, &v->findings);
	sort_findings(&v->findings);
	v->findings.interned = v->findings.n > 0;
	return rc;
}

/* What listener caches are keyed by: whole verdicts, and reaches alone. */
struct listener_caches {
	struct vcache whole, reach;
	struct ocache owners; /* the findings about an owner, per question */
	/* listeners not judged yet per first owner's process and protocol: a whole verdict is
	 * kept only for a later listener that may ask the same question (NULL: always kept;
	 * thousands of processes of one listener each would keep thousands of misses) */
	uint32_t *left;
	/* findings lists by content (1 + verdict index), open addressing, half full at most:
	 * listeners with equal findings (a process's, about it) share one list */
	uint32_t *lists;
	size_t lists_mask, nlists;
};

static uint64_t list_hash(const struct finding_list *l)
{
	uint64_t h = l->n;
	for (size_t i = 0; i < l->n; i++) {
		const struct finding *f = &l->f[i];
		h = (h ^ (uint64_t)(uintptr_t)f->reason ^ (uint64_t)(uintptr_t)f->evidence << 17 ^
		     (uint64_t)(unsigned)f->pid << 40) *
		    0x9e3779b97f4a7c15ull;
	}
	h ^= h >> 33; /* murmur3's finalizer: every bit reaches the low bits the mask keeps */
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 33);
}

/* Equal lists: their texts are pooled (one copy per distinct text), so equal pointers. */
static bool same_list(const struct finding_list *a, const struct finding_list *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		const struct finding *x = &a->f[i], *y = &b->f[i];
		if (x->sev != y->sev || x->pid != y->pid || x->code != y->code ||
		    x->reason != y->reason || x->evidence != y->evidence || x->ack != y->ack ||
		    x->ack_expired != y->ack_expired)
			return false;
	}
	return true;
}

/* The slot of l's content in lc->lists: its entry, or the empty one to fill. */
static uint32_t *list_slot(const struct listener_caches *lc, const struct verdicts *vs,
			   const struct finding_list *l)
{
	for (size_t at = (size_t)list_hash(l) & lc->lists_mask;; at = (at + 1) & lc->lists_mask)
		if (!lc->lists[at] || same_list(&vs->v[lc->lists[at] - 1].findings, l))
			return &lc->lists[at];
}

/* Room for one more list in lc->lists. 0 or -ENOMEM. */
static int lists_room(struct listener_caches *lc, const struct verdicts *vs)
{
	if (lc->lists && (lc->nlists + 1) * 2 <= lc->lists_mask + 1)
		return 0;
	size_t size = lc->lists ? (lc->lists_mask + 1) * 2 : 256, old_size = lc->lists_mask + 1;
	uint32_t *old = lc->lists;
	if (!(lc->lists = calloc(size, sizeof *lc->lists))) {
		lc->lists = old;
		return -ENOMEM;
	}
	lc->lists_mask = size - 1;
	for (size_t i = 0; old && i < old_size; i++)
		if (old[i])
			*list_slot(lc, vs, &vs->v[old[i] - 1].findings) = old[i];
	free(old);
	return 0;
}

/* Listener vs->v[at]'s findings, the list of an earlier listener with equal ones when there is
 * one (its own freed). 0 or -ENOMEM. */
static int share_findings(struct listener_caches *lc, struct verdicts *vs, size_t at)
{
	struct finding_list *l = &vs->v[at].findings;
	if (!l->n || !l->interned || l->shared)
		return 0;
	int rc = lists_room(lc, vs);
	if (rc)
		return rc;
	uint32_t *slot = list_slot(lc, vs, l);
	if (!*slot) {
		*slot = (uint32_t)at + 1;
		lc->nlists++;
		return 0;
	}
	free(l->f);
	l->f = vs->v[*slot - 1].findings.f;
	l->cap = l->n;
	l->shared = true;
	return 0;
}

/* Count listener k in left (lc->left, NULL: kept always). */
static void count_left(const struct ps_snapshot *snap, const struct ps_socket *k, uint32_t *left)
{
	if (left && k->owner_count && k->proto < PS_PROTO_COUNT)
		left[snap_owner(snap, k, 0)->proc * PS_PROTO_COUNT + k->proto]++;
}

/* Whether a listener after k may have k's owners and protocol (k is judged: counted off). */
static bool more_alike(const struct ps_snapshot *snap, const struct ps_socket *k,
		       struct listener_caches *lc)
{
	if (!lc->left || !k->owner_count || k->proto >= PS_PROTO_COUNT)
		return true;
	uint32_t *n = &lc->left[snap_owner(snap, k, 0)->proc * PS_PROTO_COUNT + k->proto];
	return *n && --*n > 0;
}

/*
 * Listener k's verdict vs->v[at] (its service set): reachability (through its own
 * namespace's interfaces) and findings, each judged or copied from a listener that
 * asked the same question (thousands of listeners of a few programs ask a few).
 * 0 or -ENOMEM.
 */
static int judge_listener(const struct ps_snapshot *snap, const struct ps_socket *k,
			  struct verdicts *vs, size_t at, struct buf *rt,
			  const struct fw_context *fw, struct ns_view *ns,
			  struct listener_caches *lc)
{
	struct sock_verdict *v = &vs->v[at];
	struct vcache_key whole, reach;
	bool keep = more_alike(snap, k, lc);
	/* a firewall's rules may match the port; a known service's port is in the texts */
	bool blind = fw_port_blind(fw, k);
	/* the reach and the firewall judge addresses and ports: shared by every owner, unless
	 * the firewall judges programs */
	if (!vcache_key_of(snap, k, !blind || v->svc_known, true, &whole) ||
	    !vcache_key_of(snap, k, !blind, !fw_owner_blind(fw, k), &reach)) {
		const char *undecided;
		int rc = judge_reach(snap, k, vs, v, rt, fw, ns, &undecided);
		return rc ? rc : judge_findings(snap, k, vs, &lc->owners, v, rt->data, undecided);
	}
	/* a full accept queue is this listener's own state: judged alone, never shared */
	bool full = PS_ACCEPT_QUEUE_FULL(k);
	const struct vcache_ent *e = full ? NULL : vcache_get(&lc->whole, snap, &whole);
	if (e)
		return vcache_copy_judged(v, &vs->v[e->verdict - 1], true);
	const char *text, *undecided;
	int rc;
	if ((e = vcache_get(&lc->reach, snap, &reach))) {
		text = e->text;
		undecided = e->undecided;
		rc = vcache_copy_judged(v, &vs->v[e->verdict - 1], false);
	} else {
		rc = judge_reach(snap, k, vs, v, rt, fw, ns, &undecided);
		text = rt->data;
		rc = rc ? rc : vcache_put(&lc->reach, &reach, (uint32_t)at + 1, text, undecided);
	}
	rc = rc ? rc : judge_findings(snap, k, vs, &lc->owners, v, text, undecided);
	return rc || full || !keep ? rc
				   : vcache_put(&lc->whole, &whole, (uint32_t)at + 1, NULL, NULL);
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
 * Connections of services the registry does not know share one verdict per answer
 * (protocol, exposure classes, the pooled service answer), whatever their port: their
 * verdicts differ only in svc_port, which nothing shows for an unknown service (thousands
 * of ephemeral ports took a verdict each). At most CONN_ANSWERS answers: past them,
 * a verdict per port as before.
 */
enum { CONN_ANSWERS = 64 };
struct conn_answers {
	uint32_t slot[CONN_ANSWERS]; /* 1 + verdict index */
	uint8_t proto[CONN_ANSWERS];
	size_t n;
};

static bool same_answer(const struct sock_verdict *a, const struct sock_verdict *b)
{
	return !a->listener && !b->listener && !a->svc_known && !b->svc_known && a->svc == b->svc &&
	       a->scope == b->scope && a->bound == b->bound && a->widest == b->widest &&
	       a->fw_summary == b->fw_summary && a->home.prog == b->home.prog &&
	       a->home.port == b->home.port && a->home.proto == b->home.proto;
}

/* The verdict connection verdict vs->v[at] (just made, the last) shares: an earlier one of
 * the same answer (vs->v[at] dropped), else at itself. 1 + its index. */
static uint32_t conn_share(struct conn_answers *ca, struct verdicts *vs, size_t at, unsigned proto)
{
	const struct sock_verdict *v = &vs->v[at];
	if (v->svc_known)
		return (uint32_t)at + 1;
	for (size_t i = 0; i < ca->n; i++)
		if (ca->proto[i] == proto && same_answer(&vs->v[ca->slot[i] - 1], v)) {
			vs->n--; /* at is the last one made: nothing points at it yet */
			return ca->slot[i];
		}
	if (ca->n < CONN_ANSWERS) {
		ca->slot[ca->n] = (uint32_t)at + 1;
		ca->proto[ca->n++] = (uint8_t)proto;
	}
	return (uint32_t)at + 1;
}

/*
 * How many verdicts s needs: one per listener, one per connection key. The keys
 * are entered as pending, so the verdicts array is allocated once at its size
 * (it was doubled through reallocations that touched twice its memory).
 */
static int count_verdicts(struct ps_snapshot *snap, struct light_index *li, uint32_t *left,
			  size_t *n)
{
	*n = 0;
	for (size_t i = 0; i < snap->nsocks; i++) {
		struct sock_verdict tmp = {0};
		verdict_start(&snap->socks[i], &tmp);
		if (tmp.listener) {
			count_left(snap, &snap->socks[i], left);
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
	struct listener_caches lc = {0};
	struct conn_answers ca = {0};
	size_t need;
	/* listeners' owners counted (lc.left) while counting the verdicts; NULL when out of
	 * memory: whole verdicts are kept always */
	if (snap->nprocs)
		lc.left = calloc(snap->nprocs * PS_PROTO_COUNT, sizeof *lc.left);
	int rc = count_verdicts(snap, &li, lc.left, &need);
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
			*shared = k->verdict = conn_share(&ca, vs, (size_t)at, k->proto);
		else if (!(rc = judge_listener(snap, k, vs, (size_t)at, &rt, fw, &ns, &lc)))
			rc = share_findings(&lc, vs, (size_t)at);
	}
	buf_free(&rt);
	free(li.e);
	vcache_free(&lc.whole);
	vcache_free(&lc.reach);
	ocache_free(&lc.owners);
	free(lc.left);
	free(lc.lists);
	verdicts_count(snap);
	return rc;
}
