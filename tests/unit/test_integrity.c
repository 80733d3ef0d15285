/* test_integrity.c — the integrity rules (src/enrich/integrity.c) on hand-made owners and sockets.
 */
#include <stdlib.h>
#include <string.h>

#include "../../src/enrich/integrity.h"
#include "test.h"
#include "testutil.h"

/* A snapshot of one listener on 22/tcp held (or not, pid 0) by a process running `exe`. */
static void build(struct ps_snapshot *s, int pid, const char *exe, uint32_t uid)
{
	memset(s, 0, sizeof *s);
	struct ps_socket *k = snap_add_socket(s);
	CHECK(k != NULL);
	k->local.port = 22;
	k->inode = 5555;
	k->uid = uid;
	k->state = PS_ST_LISTEN;
	k->owner_status = pid ? PS_OWN_OK : PS_OWN_KERNEL;
	if (!pid)
		return;
	long i = snap_add_proc(s, pid);
	CHECK(i >= 0);
	struct ps_proc *p = &s->procs[i];
	p->name = strdup("sshd");
	p->exe = strdup(exe);
	p->exe_path = strdup(exe);
	p->exe_checked = true;
	p->exe_check.dev = 0xfe00;
	p->exe_check.ino = 4242;
	p->exe_check.proof = PS_PROOF_MAPPED;
	CHECK_INT(snap_add_owner(s, 0, (uint32_t)i, 3), 0);
	snap_group_owners(s);
}

static struct finding_list run(struct ps_snapshot *s, enum ps_exposure widest)
{
	static const struct port_info ssh = {.name = "ssh", .owners = "sshd"};
	struct finding_input in = {
	    .port = 22, .svc = &ssh, .widest = widest, .words = &test_linux_words};
	struct finding_list l = {0};
	CHECK_INT(integrity_findings(s, &s->socks[0], &in, &l), 0);
	return l;
}

static void expect(const struct finding_list *l, const char *code, unsigned sev, const char *ev)
{
	CHECK_INT(l->n, 1);
	if (l->n != 1)
		return;
	CHECK_STR(l->f[0].code, code);
	CHECK_INT(l->f[0].sev, sev);
	CHECK(ev == NULL || (l->f[0].evidence && strstr(l->f[0].evidence, ev)));
}

TEST(integrity_proven_owner_none)
{
	struct ps_snapshot s;
	build(&s, 42, "/usr/sbin/sshd", 0);
	struct finding_list l = run(&s, PS_EXPO_PUBLIC);
	CHECK_INT(l.n, 0);
	findings_free(&l);
	snap_free(&s);
}

TEST(integrity_unmapped_alert)
{
	struct ps_snapshot s;
	build(&s, 42, "/usr/sbin/sshd", 1001);
	s.procs[0].exe_check.proof = PS_PROOF_UNMAPPED;
	s.procs[0].exe_check.userns = true;
	struct finding_list l = run(&s, PS_EXPO_LOOPBACK);
	expect(&l, "exe-unmapped", SEV_ALERT, "/proc/42/exe is the file 254:0 inode 4242");
	CHECK(l.n == 1 && strstr(l.f[0].reason, "/usr/sbin/sshd") &&
	      strstr(l.f[0].evidence, "user namespace of its own"));
	findings_free(&l);
	snap_free(&s);
}

TEST(integrity_userns_claim_alert_tool_notice)
{
	struct ps_snapshot s;
	build(&s, 42, "/usr/sbin/sshd", 1001);
	s.procs[0].exe_check.userns = true;
	struct finding_list l = run(&s, PS_EXPO_LOOPBACK);
	expect(&l, "exe-userns", SEV_ALERT, "its user namespace is not ours");
	findings_free(&l);
	snap_free(&s);
	/* a user's own helper there, named for itself: worth knowing, no alarm */
	build(&s, 43, "/usr/lib/podman/rootlessport", 1001);
	free(s.procs[0].name);
	s.procs[0].name = strdup("rootlessport");
	s.procs[0].exe_check.userns = true;
	l = run(&s, PS_EXPO_PUBLIC);
	expect(&l, "exe-userns", SEV_NOTICE, NULL);
	findings_free(&l);
	snap_free(&s);
}

TEST(integrity_other_file_names_both)
{
	struct ps_snapshot s;
	build(&s, 42, "/usr/sbin/sshd", 1001);
	s.procs[0].exe_check.other_file = true;
	s.procs[0].exe_check.host_dev = 0xfe00;
	s.procs[0].exe_check.host_ino = 933903;
	struct finding_list l = run(&s, PS_EXPO_LOOPBACK);
	expect(&l, "exe-other-file", SEV_ALERT,
	       "inode 4242; /usr/sbin/sshd on the host is the file "
	       "254:0 inode 933903");
	findings_free(&l);
	snap_free(&s);
}

TEST(integrity_no_holder)
{
	static const struct {
		uint32_t uid;
		enum ps_exposure widest;
		unsigned sev;
	} cases[] = {{1001, PS_EXPO_PRIVATE, SEV_WARNING},
		     {1001, PS_EXPO_LOOPBACK, SEV_NOTICE},
		     {0, PS_EXPO_PUBLIC, SEV_NOTICE},
		     {0, PS_EXPO_LOOPBACK, SEV_INFO}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct ps_snapshot s;
		build(&s, 0, NULL, cases[i].uid);
		struct finding_list l = run(&s, cases[i].widest);
		expect(&l, "no-holder", cases[i].sev, "socket inode 5555");
		findings_free(&l);
		snap_free(&s);
	}
	/* time-wait and the like have no file: not this finding */
	struct ps_snapshot s;
	build(&s, 0, NULL, 1001);
	s.socks[0].inode = 0;
	struct finding_list l = run(&s, PS_EXPO_PRIVATE);
	CHECK_INT(l.n, 0);
	findings_free(&l);
	snap_free(&s);
}

TEST(integrity_own_root_container_or_not)
{
	struct ps_snapshot s;
	build(&s, 42, "/usr/sbin/sshd", 1001);
	s.procs[0].exe_check.other_file = true;
	s.procs[0].exe_check.own_root = true;
	s.procs[0].exe_check.host_ino = 933903;
	struct finding_list l = run(&s, PS_EXPO_LOOPBACK);
	expect(&l, "exe-other-file", SEV_ALERT, "on the host is the file 0:0 inode 933903");
	findings_free(&l);
	/* a rootless container (known by its cgroup) runs its own programs at the usual paths */
	s.procs[0].container =
	    strdup("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	l = run(&s, PS_EXPO_LOOPBACK);
	CHECK_INT(l.n, 0);
	findings_free(&l);
	snap_free(&s);
}
