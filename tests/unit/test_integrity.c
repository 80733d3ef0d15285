/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_integrity.c — the identity rules of rules.c (exe-unmapped, exe-userns, exe-other-file,
 * no-holder), each run alone on a hand-made owner or socket. */
#include <stdlib.h>
#include <string.h>

#include "../../src/enrich/rules.h"
#include "test.h"
#include "testutil.h"

static const struct port_info ssh = {.name = "ssh", .owners = "sshd"};

/* uid 1001's process 42 "sshd" on 22/tcp whose exe link names `exe`, proven by a mapping. */
static struct finding_input owner(const char *exe, enum ps_exposure widest)
{
	struct finding_input in = {.port = 22,
				   .svc = &ssh,
				   .widest = widest,
				   .words = &test_linux_words,
				   .has_owner = true,
				   .pid = 42,
				   .name = "sshd",
				   .exe = exe,
				   .exe_path = exe,
				   .exe_checked = true,
				   .have_uid = true,
				   .uid = 1001};
	in.exe_check.dev = 0xfe00;
	in.exe_check.ino = 4242;
	in.exe_check.proof = PS_PROOF_MAPPED;
	return in;
}

/* Run rule `name` of level alone. */
static struct finding_list run(const char *name, enum rule_level level,
			       const struct finding_input *in)
{
	struct finding_list l = {0};
	CHECK_INT(findings_rule(name, level, in, &l), 0);
	return l;
}

/* l holds one finding: code, sev, and (when given) that text in its reason and its evidence. */
static void expect(const struct finding_list *l, const char *code, unsigned sev, const char *reason,
		   const char *ev)
{
	CHECK_INT(l->n, 1);
	if (l->n != 1)
		return;
	CHECK_STR(l->f[0].code, code);
	CHECK_INT(l->f[0].sev, sev);
	CHECK(reason == NULL || strstr(l->f[0].reason, reason));
	CHECK(ev == NULL || (l->f[0].evidence && strstr(l->f[0].evidence, ev)));
}

/* Every identity rule on in makes nothing. */
static void expect_none(const struct finding_input *in)
{
	static const char *const owner_rules[] = {"exe-unmapped", "exe-userns", "exe-other-file"};
	for (size_t i = 0; i < sizeof owner_rules / sizeof owner_rules[0]; i++) {
		struct finding_list l = run(owner_rules[i], RULE_OWNER, in);
		CHECK_INT(l.n, 0);
		findings_free(&l);
	}
}

TEST(integrity_proven_owner_none)
{
	struct finding_input in = owner("/usr/sbin/sshd", PS_EXPO_PUBLIC);
	expect_none(&in);
	/* facts the kernel did not give prove nothing either way: no finding */
	in.exe_checked = false;
	in.exe_check.proof = PS_PROOF_UNMAPPED;
	in.exe_check.userns = in.exe_check.other_file = true;
	expect_none(&in);
}

TEST(integrity_unmapped_alert)
{
	struct finding_input in = owner("/usr/sbin/sshd", PS_EXPO_LOOPBACK);
	in.exe_check.proof = PS_PROOF_UNMAPPED;
	in.exe_check.userns = true;
	struct finding_list l = run("exe-unmapped", RULE_OWNER, &in);
	expect(&l, "exe-unmapped", SEV_ALERT,
	       "exe link names /usr/sbin/sshd but no mapping of the process is that file: the link "
	       "was set after the program started (prctl PR_SET_MM_EXE_FILE), and what runs is "
	       "another program",
	       "/proc/42/exe is the file 254:0 inode 4242; no memory mapping of the process is "
	       "that file; the process runs in a user namespace of its own");
	findings_free(&l);
	/* said once: not again as exe-userns */
	l = run("exe-userns", RULE_OWNER, &in);
	CHECK_INT(l.n, 0);
	findings_free(&l);
	/* words of a system without the call: the sentence stands without the parenthesis */
	in.words = NULL;
	l = run("exe-unmapped", RULE_OWNER, &in);
	expect(&l, "exe-unmapped", SEV_ALERT, "the program started, and what runs",
	       "private privilege scope of its own");
	CHECK(l.n == 1 && !strstr(l.f[0].reason, "prctl") && !strstr(l.f[0].evidence, "/proc/"));
	findings_free(&l);
}

TEST(integrity_userns_claim_alert_tool_notice)
{
	struct finding_input in = owner("/usr/sbin/sshd", PS_EXPO_LOOPBACK);
	in.exe_check.userns = true;
	struct finding_list l = run("exe-userns", RULE_OWNER, &in);
	expect(&l, "exe-userns", SEV_ALERT,
	       "but the process runs in a user namespace of its own, where any user",
	       "its user namespace is not ours; /proc/42/exe -> /usr/sbin/sshd");
	findings_free(&l);
	/* a user's own helper there, named for itself: worth knowing, no alarm */
	in = owner("/usr/lib/podman/rootlessport", PS_EXPO_PUBLIC);
	in.name = "rootlessport";
	in.exe_check.userns = true;
	l = run("exe-userns", RULE_OWNER, &in);
	expect(&l, "exe-userns", SEV_NOTICE, NULL, NULL);
	findings_free(&l);
	/* the port owner's name claimed from there, wherever the file is */
	in.name = "sshd";
	l = run("exe-userns", RULE_OWNER, &in);
	expect(&l, "exe-userns", SEV_ALERT, NULL, NULL);
	findings_free(&l);
}

TEST(integrity_other_file_names_both)
{
	struct finding_input in = owner("/usr/sbin/sshd", PS_EXPO_LOOPBACK);
	in.exe_check.other_file = true;
	in.exe_check.host_dev = 0xfe00;
	in.exe_check.host_ino = 933903;
	struct finding_list l = run("exe-other-file", RULE_OWNER, &in);
	expect(&l, "exe-other-file", SEV_ALERT,
	       "names another file in this process's mount namespace than on the host",
	       "/proc/42/exe is the file 254:0 inode 4242; /usr/sbin/sshd on the host is the file "
	       "254:0 inode 933903; the process has our root but its own mounts");
	findings_free(&l);
}

TEST(integrity_private_mount_only)
{
	/* its path names no file on the host: seen only through a user's private mount namespace */
	struct finding_input in = owner("/usr/local/sbin/mytool", PS_EXPO_LOOPBACK);
	in.name = "mytool";
	in.exe_check.other_file = true;
	struct finding_list l = run("exe-other-file", RULE_OWNER, &in);
	expect(&l, "exe-other-file", SEV_NOTICE,
	       "its program is seen only through a private mount namespace of an unprivileged user",
	       "/usr/local/sbin/mytool names no file on the host; the process runs in a user "
	       "namespace of its own");
	findings_free(&l);
	in.widest = PS_EXPO_PRIVATE; /* reachable beyond loopback */
	l = run("exe-other-file", RULE_OWNER, &in);
	expect(&l, "exe-other-file", SEV_ALERT, NULL, NULL);
	findings_free(&l);
	in.widest = PS_EXPO_LOOPBACK;
	in.name = "sshd"; /* the port's daemon's name */
	l = run("exe-other-file", RULE_OWNER, &in);
	expect(&l, "exe-other-file", SEV_ALERT, NULL, NULL);
	findings_free(&l);
	in.in_container = true; /* a recognised container's own mounts: its business */
	l = run("exe-other-file", RULE_OWNER, &in);
	CHECK_INT(l.n, 0);
	findings_free(&l);
}

TEST(integrity_foreign_library)
{
	struct ps_xlib libs[] = {{(char *)"/usr/lib/x86_64-linux-gnu/libc.so.6", false, PKG_OWNED},
				 {(char *)"/tmp/w/evil.so", false, PKG_UNOWNED}};
	struct finding_input in = owner("/usr/local/bin/tool", PS_EXPO_LOOPBACK);
	in.name = "tool";
	in.xlibs = libs;
	in.nxlibs = 1; /* packaged libraries only: nothing */
	struct finding_list l = run("foreign-library", RULE_OWNER, &in);
	CHECK_INT(l.n, 0);
	findings_free(&l);
	in.nxlibs = 2; /* one from /tmp, into a user's tool on loopback: a warning */
	l = run("foreign-library", RULE_OWNER, &in);
	expect(&l, "foreign-library", SEV_WARNING, "library /tmp/w/evil.so is mapped executable",
	       NULL);
	findings_free(&l);
	/* a library of no package outside /tmp, into a packaged program: an alert */
	libs[1].path = (char *)"/srv/x/evil.so";
	in.pkg = PKG_OWNED;
	in.pkg_name = "openssh-server";
	in.exe = in.exe_path = "/usr/sbin/sshd";
	in.name = "sshd";
	l = run("foreign-library", RULE_OWNER, &in);
	expect(&l, "foreign-library", SEV_ALERT, "it is not only the packaged program that runs",
	       NULL);
	findings_free(&l);
	in.pkg = PKG_UNOWNED; /* a hand-built program's own library outside temp dirs: its own */
	in.pkg_name = NULL;
	l = run("foreign-library", RULE_OWNER, &in);
	CHECK_INT(l.n, 0);
	findings_free(&l);
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
		struct finding_input in = {.port = 22,
					   .svc = &ssh,
					   .widest = cases[i].widest,
					   .pid = -1,
					   .held_by_none = true,
					   .sock_inode = 5555,
					   .sock_uid = cases[i].uid};
		struct finding_list l = run("no-holder", RULE_SOCKET, &in);
		expect(&l, "no-holder", cases[i].sev, "no process holds this socket",
		       "socket inode 5555 of uid");
		findings_free(&l);
	}
	/* a socket someone holds (or a time-wait without a file): not this finding */
	struct finding_input in = {.port = 22, .widest = PS_EXPO_PRIVATE, .sock_inode = 5555};
	struct finding_list l = run("no-holder", RULE_SOCKET, &in);
	CHECK_INT(l.n, 0);
	findings_free(&l);
	/* a process maps a ring of no fd: named, as a deduction, in the evidence */
	in.held_by_none = true;
	in.sock_uid = 1001;
	in.ring_suspect = 77;
	in.ring_suspects = 2;
	l = run("no-holder", RULE_SOCKET, &in);
	CHECK_INT(l.n, 1);
	CHECK(l.n == 1 && l.f[0].sev == SEV_WARNING &&
	      strstr(l.f[0].evidence, "; deduced, not proven: pid 77 (and others) maps an io_uring "
				      "ring") != NULL);
	findings_free(&l);
}

TEST(integrity_own_root_container_or_not)
{
	struct finding_input in = owner("/usr/sbin/sshd", PS_EXPO_LOOPBACK);
	in.exe_check.other_file = true;
	in.exe_check.own_root = true;
	in.exe_check.host_ino = 933903;
	struct finding_list l = run("exe-other-file", RULE_OWNER, &in);
	expect(&l, "exe-other-file", SEV_ALERT, "a root it made in a user namespace of its own",
	       "on the host is the file 0:0 inode 933903");
	findings_free(&l);
	/* a rootless container (known by its cgroup) runs its own programs at the usual paths */
	in.in_container = true;
	expect_none(&in);
	/* and a user's own root with its own tool, claiming no daemon: its business */
	in.in_container = false;
	in.exe = in.exe_path = "/usr/bin/mytool";
	in.name = "mytool";
	expect_none(&in);
}
