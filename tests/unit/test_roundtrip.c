/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_roundtrip.c — a judged model rendered as JSON and loaded back is the same model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/model/snapload.h"
#include "../../src/output/output.h"
#include "test.h"

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

static void set_v4(struct ps_addr *a, uint8_t b0, uint8_t b1, uint8_t b2, uint8_t b3)
{
	memset(a, 0, sizeof *a);
	a->family = PS_INET;
	a->bytes[0] = b0;
	a->bytes[1] = b1;
	a->bytes[2] = b2;
	a->bytes[3] = b3;
}

/* A finding with copies of its texts, appended to l. */
static void push_finding(struct finding_list *l, unsigned sev, const char *code, int pid,
			 const char *reason, const char *evidence)
{
	struct finding *f = realloc(l->f, (l->n + 1) * sizeof *f);
	if (!f)
		abort();
	l->f = f;
	l->cap = l->n + 1;
	l->f[l->n++] = (struct finding){.sev = (uint8_t)sev,
					.code = code,
					.reason = xstrdup(reason),
					.evidence = evidence ? xstrdup(evidence) : NULL,
					.pid = pid};
}

/*
 * Socket 0: tcp 0.0.0.0:2222 listen, uid 0, inode 501, held by pid 300 (fd 3, "sshd",
 * /tmp/sshd, two arguments, uid 0, ppid 1, unit ssh.service) and pid 301 (fd 4, "sshd",
 * uid 1000), with three findings. Socket 1: udp 10.0.0.5:53 unconnected, uid 101, inode 777,
 * held by pid 400 ("dnsmasq"), no finding. Socket 2: tcp 10.0.0.5:40000 -> 192.0.2.9:443
 * established, queues 7/9, no owner (kernel), no verdict.
 */
static void build(struct ps_snapshot *s)
{
	memset(s, 0, sizeof *s);
	for (int i = 0; i < 3; i++)
		if (!snap_add_socket(s))
			abort();
	struct ps_socket *a = &s->socks[0], *b = &s->socks[1], *c = &s->socks[2];
	a->proto = PS_TCP;
	a->state = PS_ST_LISTEN;
	set_v4(&a->local.addr, 0, 0, 0, 0);
	set_v4(&a->remote.addr, 0, 0, 0, 0);
	a->local.port = 2222;
	a->inode = 501;
	a->owner_status = PS_OWN_OK;
	b->proto = PS_UDP;
	b->state = PS_ST_CLOSE;
	set_v4(&b->local.addr, 10, 0, 0, 5);
	set_v4(&b->remote.addr, 0, 0, 0, 0);
	b->local.port = 53;
	b->uid = 101;
	b->inode = 777;
	b->owner_status = PS_OWN_OK;
	c->proto = PS_TCP;
	c->state = PS_ST_ESTABLISHED;
	set_v4(&c->local.addr, 10, 0, 0, 5);
	set_v4(&c->remote.addr, 192, 0, 2, 9);
	c->local.port = 40000;
	c->remote.port = 443;
	c->recv_q = 7;
	c->send_q = 9;
	c->owner_status = PS_OWN_KERNEL;

	static const struct {
		int pid;
		const char *name, *exe;
		uint32_t uid;
	} procs[] = {{300, "sshd", "/tmp/sshd", 0},
		     {301, "sshd", "/tmp/sshd", 1000},
		     {400, "dnsmasq", "/usr/sbin/dnsmasq", 101}};
	for (size_t i = 0; i < 3; i++) {
		if (snap_add_proc(s, procs[i].pid) != (long)i)
			abort();
		struct ps_proc *p = &s->procs[i];
		p->name = xstrdup(procs[i].name);
		p->exe = xstrdup(procs[i].exe);
		p->uid = procs[i].uid;
		p->have_uid = true;
		p->ppid = 1;
	}
	static const char cmd[] = "sshd\0-p\0002222";
	s->procs[0].cmdline = malloc(sizeof cmd - 1);
	if (!s->procs[0].cmdline)
		abort();
	memcpy(s->procs[0].cmdline, cmd, sizeof cmd - 1);
	s->procs[0].cmdline_len = sizeof cmd - 1;
	s->procs[0].cgroup = xstrdup("/system.slice/ssh.service");
	s->procs[0].unit = xstrdup("ssh.service");
	if (snap_add_owner(s, 0, 0, 3) || snap_add_owner(s, 0, 1, 4) || snap_add_owner(s, 1, 2, 5))
		abort();
	snap_group_owners(s);
	snap_count_status(s);
	s->procs_scanned = 12;
	s->procs_denied = 2;
	s->procs_vanished = 1;
	s->source = "netlink";

	/* verdicts: the listener with findings, the UDP socket with none */
	struct verdicts *vs = s->verdicts = calloc(1, sizeof *vs);
	if (!vs || verdicts_add(vs) != 0 || verdicts_add(vs) != 1)
		abort();
	struct sock_verdict *v = &vs->v[0];
	v->listener = true;
	v->svc_port = 2222;
	v->scope = v->bound = v->widest = PS_EXPO_PUBLIC;
	push_finding(&v->findings, SEV_ALERT, "unexpected-owner", 300,
		     "port 2222/tcp is normally held by sshd; from no package",
		     "pid 300 sshd, executable /tmp/sshd, from no package");
	push_finding(&v->findings, SEV_WARNING, "exe-temp-dir", 300,
		     "the executable lives in a temporary directory", "/tmp/sshd");
	push_finding(&v->findings, SEV_NOTICE, "backdoor-port", -1,
		     "port 2222/tcp is one that backdoors use \"quoted\"\n", NULL);
	a->verdict = 1;
	vs->v[1].listener = true;
	vs->v[1].svc_port = 53;
	vs->v[1].scope = vs->v[1].bound = vs->v[1].widest = PS_EXPO_PRIVATE;
	b->verdict = 2;
	verdicts_count(s);
}

static char *render_doc(const struct ps_snapshot *s, size_t *len)
{
	struct render_ctx ctx;
	memset(&ctx, 0, sizeof ctx);
	ctx.snap = s;
	ctx.o.ellipsis = "...";
	char *text = NULL;
	*len = 0;
	FILE *fp = open_memstream(&text, len);
	if (!fp)
		abort();
	CHECK_INT(render_json(fp, &ctx), 0);
	fclose(fp);
	return text;
}

/* The process of x's owner with pid `pid`, or NULL. */
static const struct ps_proc *owner_pid(const struct ps_snapshot *s, const struct ps_socket *k,
				       int pid, int *fd)
{
	for (size_t j = 0; j < k->owner_count; j++) {
		const struct ps_owner *o = snap_owner(s, k, j);
		if (s->procs[o->proc].pid == pid) {
			*fd = o->fd;
			return &s->procs[o->proc];
		}
	}
	return NULL;
}

static void check_socket(const struct ps_snapshot *x, const struct ps_snapshot *y, size_t i)
{
	const struct ps_socket *a = &x->socks[i], *b = &y->socks[i];
	CHECK_INT(b->proto, a->proto);
	CHECK_INT(b->state, a->state);
	CHECK(memcmp(&b->local.addr, &a->local.addr, sizeof a->local.addr) == 0);
	CHECK(memcmp(&b->remote.addr, &a->remote.addr, sizeof a->remote.addr) == 0);
	CHECK_INT(b->local.port, a->local.port);
	CHECK_INT(b->remote.port, a->remote.port);
	CHECK_INT(b->uid, a->uid);
	CHECK_INT(b->inode, a->inode);
	CHECK_INT(b->recv_q, a->recv_q);
	CHECK_INT(b->send_q, a->send_q);
	CHECK_INT(b->owner_status, a->owner_status);
	CHECK_INT(b->owner_count, a->owner_count);
	for (size_t j = 0; j < a->owner_count; j++) {
		const struct ps_owner *o = snap_owner(x, a, j);
		const struct ps_proc *p = &x->procs[o->proc];
		int fd = -1;
		const struct ps_proc *q = owner_pid(y, b, p->pid, &fd);
		CHECK(q != NULL);
		if (!q)
			continue;
		CHECK_INT(fd, o->fd);
		CHECK_STR(q->name, p->name);
		CHECK_STR(q->exe, p->exe);
		CHECK_INT(q->cmdline_len, p->cmdline_len);
		CHECK(p->cmdline_len == q->cmdline_len &&
		      (!p->cmdline_len || memcmp(q->cmdline, p->cmdline, p->cmdline_len) == 0));
		CHECK_INT(q->have_uid, p->have_uid);
		CHECK_INT(q->uid, p->uid);
		CHECK_INT(q->ppid, p->ppid);
		CHECK((!p->cgroup && !q->cgroup) ||
		      (p->cgroup && q->cgroup && !strcmp(p->cgroup, q->cgroup)));
		CHECK((!p->unit && !q->unit) || (p->unit && q->unit && !strcmp(p->unit, q->unit)));
	}
}

static void check_findings(const struct finding_list *want, const struct finding_list *got)
{
	CHECK_INT(got->n, want->n);
	for (size_t j = 0; j < want->n && j < got->n; j++) {
		const struct finding *w = &want->f[j], *g = &got->f[j];
		CHECK_INT(g->sev, w->sev);
		CHECK_STR(g->code, w->code);
		CHECK_STR(g->reason, w->reason);
		CHECK(w->evidence ? g->evidence && !strcmp(g->evidence, w->evidence)
				  : !g->evidence);
		CHECK_INT(g->pid, w->pid);
	}
}

TEST(roundtrip_json_snapload_equal_model)
{
	struct ps_snapshot s;
	build(&s);
	size_t n;
	char *doc = render_doc(&s, &n);
	struct snapfile f;
	struct snapload_error err;
	int rc = snapload_parse(doc, n, NULL, &f, &err);
	CHECK_INT(rc, 0);
	if (rc) {
		fprintf(stderr, "  snapload: %s: %s\n", err.path, err.msg);
		free(doc);
		snap_free(&s);
		return;
	}
	CHECK_INT(f.snap.nsocks, s.nsocks);
	for (size_t i = 0; i < s.nsocks && i < f.snap.nsocks; i++)
		check_socket(&s, &f.snap, i);
	CHECK_INT(f.snap.procs_scanned, s.procs_scanned);
	CHECK_INT(f.snap.procs_denied, s.procs_denied);
	CHECK_INT(f.snap.procs_vanished, s.procs_vanished);
	CHECK_STR(f.snap.source, s.source);
	/* findings, per socket: the listener's three in order, none for the others */
	CHECK(f.findings != NULL);
	for (size_t i = 0; f.findings && i < s.nsocks; i++) {
		const struct sock_verdict *v = verdict_of(&s, &s.socks[i]);
		struct finding_list none = {0};
		check_findings(v ? &v->findings : &none, i < f.findings_n ? &f.findings[i] : &none);
	}
	CHECK_INT(f.exposure[0], PS_EXPO_PUBLIC);
	CHECK_INT(f.exposure[1], PS_EXPO_PRIVATE);
	snapfile_free(&f);
	free(doc);
	snap_free(&s);
}

/* A file that states no findings loads none (and no array for them). */
TEST(roundtrip_without_findings)
{
	struct ps_snapshot s;
	build(&s);
	verdicts_free(s.verdicts);
	s.verdicts = NULL;
	for (size_t i = 0; i < s.nsocks; i++)
		s.socks[i].verdict = 0;
	size_t n;
	char *doc = render_doc(&s, &n);
	struct snapfile f;
	CHECK_INT(snapload_parse(doc, n, NULL, &f, NULL), 0);
	CHECK(f.findings == NULL);
	CHECK_INT(f.snap.nsocks, 3);
	snapfile_free(&f);
	free(doc);
	snap_free(&s);
}
