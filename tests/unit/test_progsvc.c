/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_progsvc.c — a listener's service follows its program (registry_program_home and the
 * verdict): redis-server on 6380 is redis, judged never-internet, for a proven packaged holder. */
#include <stdlib.h>
#include <string.h>

#include "../../src/enrich/registry.h"
#include "../../src/enrich/verdict.h"
#include "../../src/model/model.h"
#include "../../src/model/verdict.h"
#include "../../src/output/verdict_out.h"
#include "test.h"

TEST(progsvc_registry_home)
{
	struct registry reg = {0};
	struct port_info pi;
	uint16_t port;
	CHECK(registry_program_home(&reg, "redis-server", PS_TCP, &pi, &port));
	CHECK_INT(port, 6379);
	CHECK_STR(pi.name, "redis");
	CHECK_INT(pi.svc_class, SVC_NEVER_INTERNET);
	CHECK(registry_program_home(&reg, "postgres", PS_TCP, &pi, &port) && port == 5432);
	CHECK(registry_program_home(&reg, "mariadbd", PS_TCP, &pi, &port) && port == 3306);
	CHECK(registry_program_home(&reg, "memcached", PS_UDP, &pi, &port) && port == 11211);
	CHECK(registry_program_home(&reg, "mongod", PS_TCP, &pi, &port) && port == 27017);
	CHECK(registry_program_home(&reg, "smbd", PS_TCP, &pi, &port) &&
	      pi.svc_class == SVC_LAN_ONLY);
	/* no home over the other protocol, for runtimes, hosts of many services, or a daemon the
	 * knowledge base also lists for a port meant to face networks (named: DNS and rndc) */
	CHECK(!registry_program_home(&reg, "redis-server", PS_UDP, &pi, &port));
	CHECK(!registry_program_home(&reg, "java", PS_TCP, &pi, &port));
	CHECK(!registry_program_home(&reg, "python3", PS_TCP, &pi, &port));
	CHECK(!registry_program_home(&reg, "busybox", PS_TCP, &pi, &port));
	CHECK(!registry_program_home(&reg, "LSASS.EXE", PS_TCP, &pi, &port));
	CHECK(!registry_program_home(&reg, "named", PS_TCP, &pi, &port));
	CHECK(!registry_program_home(&reg, "dnsmasq", PS_UDP, &pi, &port));
	CHECK(!registry_program_home(&reg, "sshd", PS_TCP, &pi, &port));
	/* a user file that says redis-server serves a public-ok port is believed */
	static const char user[] = "7777\ttcp\tmyredis\tredis-server\t-\t-\t-\tpublic-ok\n";
	CHECK_INT(registry_add_user_text(&reg, "/etc/portsleuth/ports", user, sizeof user - 1), 0);
	CHECK(!registry_program_home(&reg, "redis-server", PS_TCP, &pi, &port));
	registry_free(&reg);
}

/* tcp 0.0.0.0:port LISTEN held by pid 42, "redis-server" running /usr/bin/redis-check-rdb
 * (package redis-tools) through the packaged link /usr/bin/redis-server, proven. */
static void build(struct ps_snapshot *s, uint16_t port)
{
	memset(s, 0, sizeof *s);
	struct ps_socket *k = snap_add_socket(s);
	CHECK(k != NULL);
	k->proto = PS_TCP;
	k->state = PS_ST_LISTEN;
	k->local.addr.family = PS_INET;
	k->local.port = port;
	k->inode = 77;
	CHECK_INT(snap_add_proc(s, 42), 0);
	struct ps_proc *p = &s->procs[0];
	p->name = strdup("redis-server");
	p->exe = strdup("/usr/bin/redis-check-rdb");
	p->exe_path = strdup("/usr/bin/redis-check-rdb");
	proc_more_get(p)->exe_alias = strdup("/usr/bin/redis-server");
	proc_more_get(p)->alias_pkg = PKG_OWNED;
	p->pkg = PKG_OWNED;
	p->pkg_name = strdup("redis-tools");
	p->exe_checked = true;
	p->exe_check.proof = PS_PROOF_MAPPED;
	p->exe_check.ino = 9;
	CHECK_INT(snap_add_owner(s, 0, 0, 6), 0);
	snap_group_owners(s);
}

/* The verdict of build(port) after p's facts are changed by `edit` (NULL: none); the SERVICE
 * cell into cell. */
static void judge(uint16_t port, void (*edit)(struct ps_proc *), struct sock_verdict *out,
		  char *cell, size_t cap)
{
	struct ps_snapshot s;
	struct registry reg = {0};
	build(&s, port);
	if (edit)
		edit(&s.procs[0]);
	CHECK_INT(verdicts_compute(&s, &reg, NULL), 0);
	const struct sock_verdict *v = verdict_of(&s, &s.socks[0]);
	CHECK(v != NULL);
	*out = *v;
	struct buf b = {0};
	CHECK_INT(column_verdict(&s, &s.socks[0], COL_SERVICE, false, &b), 0);
	snprintf(cell, cap, "%s", b.data ? b.data : "");
	buf_free(&b);
	/* the strings live in the snapshot's pool: keep what the checks need as plain facts */
	static struct port_info svc; /* the checks' copy: the pool's goes with the snapshot */
	svc = *verdict_svc(v);
	svc.name = svc.name && strcmp(svc.name, "redis") == 0 ? "redis" : NULL;
	svc.desc = svc.source = svc.owners = svc.risk = svc.backdoor = NULL;
	out->svc = &svc;
	out->home.prog =
	    out->home.prog && strcmp(out->home.prog, "redis-server") == 0 ? "redis-server" : NULL;
	out->findings = (struct finding_list){0};
	out->reach = NULL;
	out->fw = NULL;
	snap_free(&s);
}

static void unpackaged(struct ps_proc *p)
{
	p->pkg = PKG_UNOWNED;
}
static void unmapped(struct ps_proc *p)
{
	p->exe_check.proof = PS_PROOF_UNMAPPED;
}
static void runtime(struct ps_proc *p)
{
	free(proc_more(p)->exe_alias);
	proc_more_get(p)->exe_alias = NULL;
	free(p->exe_path);
	p->exe_path = strdup("/usr/bin/python3.11");
}

TEST(progsvc_verdict_follows_program)
{
	struct sock_verdict v;
	char cell[64];
	judge(6380, NULL, &v, cell, sizeof cell);
	CHECK(v.svc_known);
	CHECK_STR(v.svc->name, "redis");
	CHECK_STR(v.home.prog, "redis-server");
	CHECK_INT(v.home.port, 6379);
	CHECK_INT(v.svc->svc_class, SVC_NEVER_INTERNET);
	CHECK_STR(cell, "redis*");
	/* on its own port nothing changes */
	judge(6379, NULL, &v, cell, sizeof cell);
	CHECK(v.home.prog == NULL && v.home.port == 0);
	CHECK_STR(cell, "redis");
	/* only a proven packaged daemon's name says what it serves */
	void (*const no[])(struct ps_proc *) = {unpackaged, unmapped, runtime};
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
		judge(6380, no[i], &v, cell, sizeof cell);
		CHECK(v.home.prog == NULL);
		CHECK(v.svc->svc_class != SVC_NEVER_INTERNET);
		CHECK_STR(cell, "");
	}
}

static void rsyslogd(struct ps_proc *p)
{
	free(proc_more(p)->exe_alias);
	proc_more_get(p)->exe_alias = NULL;
	free(p->exe_path);
	p->exe_path = strdup("/usr/sbin/rsyslogd");
}
static void rsyslogd_unpackaged(struct ps_proc *p)
{
	rsyslogd(p);
	p->pkg = PKG_UNOWNED;
}

/* The SERVICE cell and the home's protocol of 514/tcp held as `edit` makes the holder. */
static void judge_514(void (*edit)(struct ps_proc *), char *cell, size_t cap, int *home_proto,
		      unsigned *cls)
{
	struct ps_snapshot s;
	struct registry reg = {0};
	build(&s, 514);
	edit(&s.procs[0]);
	CHECK_INT(verdicts_compute(&s, &reg, NULL), 0);
	const struct sock_verdict *v = verdict_of(&s, &s.socks[0]);
	CHECK(v != NULL);
	struct buf b = {0};
	CHECK_INT(column_verdict(&s, &s.socks[0], COL_SERVICE, false, &b), 0);
	snprintf(cell, cap, "%s", b.data ? b.data : "");
	buf_free(&b);
	*home_proto = v->home.prog ? v->home.proto : -1;
	*cls = verdict_svc(v)->svc_class;
	snap_free(&s);
}

/* rsyslogd's TCP input on 514/tcp (BSD rsh's number) is syslog, as the same number over UDP
 * names it: lan-only, not rsh's never-internet; an unpackaged rsyslogd stays rsh's. */
TEST(progsvc_other_protocol_of_the_number)
{
	char cell[64];
	int proto;
	unsigned cls;
	judge_514(rsyslogd, cell, sizeof cell, &proto, &cls);
	CHECK_STR(cell, "syslog*");
	CHECK_INT(proto, PS_UDP);
	CHECK_INT(cls, SVC_LAN_ONLY);
	judge_514(rsyslogd_unpackaged, cell, sizeof cell, &proto, &cls);
	CHECK_STR(cell, "shell");
	CHECK_INT(proto, -1);
	CHECK_INT(cls, SVC_NEVER_INTERNET);
}
