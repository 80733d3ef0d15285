/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_rules.c — each findings rule alone: a hand-made owner and port, one rule run, its finding.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/enrich/rules.h"
#include "test.h"
#include "testutil.h"

/* sshd from its package, as root, on 22/tcp reachable from public addresses: no finding. */
static struct finding_input sshd(const struct port_info *svc)
{
	struct finding_input in;
	memset(&in, 0, sizeof in);
	in.port = 22;
	in.proto = PS_TCP;
	in.svc = svc;
	in.scope = PS_EXPO_ALL;
	in.widest = PS_EXPO_PUBLIC;
	in.reach_text = "eth0 203.0.113.7";
	in.has_owner = true;
	in.pid = 42;
	in.name = "sshd";
	in.exe = "/usr/sbin/sshd";
	in.exe_path = "/usr/sbin/sshd";
	in.exe_checked = true;
	in.have_uid = true;
	in.uid = 0;
	in.pkg = PKG_OWNED;
	in.pkg_name = "openssh-server";
	in.words = &test_linux_words;
	return in;
}

static const struct port_info ssh = {.name = "ssh",
				     .desc = "Secure Shell",
				     .source = "portsleuth",
				     .owners = "sshd,dropbear",
				     .svc_class = SVC_UNCLASSIFIED};
static const struct port_info bo = {
    .name = "eleet", .source = "portsleuth", .backdoor = "Back Orifice,Elite"};
static const struct port_info redis = {.name = "redis",
				       .source = "portsleuth",
				       .owners = "redis-server",
				       .risk = "no password by default",
				       .svc_class = SVC_NEVER_INTERNET};

/* Run rule `name` of `level` alone; the list it made (to be freed), checked to hold at most one. */
static struct finding_list one(const char *name, enum rule_level level,
			       const struct finding_input *in)
{
	struct finding_list l = {0};
	CHECK_INT(findings_rule(name, level, in, &l), 0);
	CHECK(l.n <= 1);
	return l;
}

/* The one finding of l is (sev, code, pid, evidence). */
static void check_finding(const struct finding_list *l, unsigned sev, const char *code, int pid,
			  const char *evidence)
{
	CHECK_INT(l->n, 1);
	if (l->n != 1)
		return;
	CHECK_INT(l->f[0].sev, sev);
	CHECK_STR(l->f[0].code, code);
	CHECK_INT(l->f[0].pid, pid);
	CHECK_STR(l->f[0].evidence, evidence);
}

/* Rule `name` makes nothing for in. */
static void check_none(const char *name, enum rule_level level, const struct finding_input *in)
{
	struct finding_list l = one(name, level, in);
	CHECK_INT(l.n, 0);
	findings_free(&l);
}

TEST(rules_clean_owner_none)
{
	struct finding_input in = sshd(&ssh);
	struct finding_list l = {0};
	CHECK_INT(findings_for_socket(&in, &l), 0);
	CHECK_INT(findings_for_owner(&in, &l), 0);
	CHECK_INT(l.n, 0);
	findings_free(&l);
}

TEST(rules_unknown_name)
{
	struct finding_input in = sshd(&ssh);
	struct finding_list l = {0};
	CHECK_INT(findings_rule("no-such-rule", RULE_OWNER, &in, &l), -ENOENT);
	CHECK_INT(findings_rule("root-public", RULE_SOCKET, &in, &l), -ENOENT);
	CHECK_INT(l.n, 0);
}

TEST(rule_exposure)
{
	struct finding_input in = sshd(&redis);
	in.port = 6379;
	in.widest = PS_EXPO_PRIVATE;
	in.reach_text = "eth1 10.0.0.5";
	struct finding_list l = one("exposure", RULE_SOCKET, &in);
	check_finding(&l, SEV_WARNING, "private-exposure", -1,
		      "bound to all-interfaces addresses; reachable now on: eth1 10.0.0.5");
	CHECK_STR(l.f[0].reason,
		  "redis on 6379/tcp is reachable from a private network; allow only "
		  "the hosts that need it: no password by default");
	findings_free(&l);
	in.widest = PS_EXPO_LOOPBACK; /* loopback is never a finding */
	check_none("exposure", RULE_SOCKET, &in);
}

TEST(rule_exposure_program_home)
{
	/* redis-server on 6380: the class and the words come from the program's own port */
	struct finding_input in = sshd(&redis);
	in.home = (struct svc_home){"redis-server", 6379, PS_TCP};
	in.port = 6380;
	struct finding_list l = one("exposure", RULE_SOCKET, &in);
	check_finding(&l, SEV_ALERT, "public-exposure", -1,
		      "redis-server normally serves redis on 6379/tcp; here on 6380/tcp; bound to "
		      "all-interfaces addresses; reachable now on: eth0 203.0.113.7");
	CHECK_STR(l.f[0].reason, "redis on 6380/tcp is reachable from public addresses, and must "
				 "never face the Internet: no password by default");
	findings_free(&l);
	in.widest = PS_EXPO_LOOPBACK;
	check_none("exposure", RULE_SOCKET, &in);
}

TEST(rule_backdoor_unowned)
{
	struct finding_input in = sshd(&bo);
	in.port = 31337;
	in.has_owner = false;
	struct finding_list l = one("backdoor-port", RULE_SOCKET, &in);
	check_finding(&l, SEV_NOTICE, "backdoor-port", -1,
		      "no process holding the socket could be seen");
	CHECK_STR(l.f[0].reason,
		  "port 31337/tcp is one that backdoors are known to use (Back "
		  "Orifice, Elite); no owning process is visible, so it cannot be judged");
	findings_free(&l);
	in.has_owner = true; /* then the owner rule judges it */
	check_none("backdoor-port", RULE_SOCKET, &in);
}

TEST(rule_exe_replaced)
{
	struct finding_input in = sshd(&ssh);
	in.exe = "/usr/sbin/sshd (deleted)";
	in.exe_check.deleted = in.exe_check.replaced = true;
	struct finding_list l = one("exe-replaced", RULE_OWNER, &in);
	check_finding(&l, SEV_WARNING, "exe-replaced", 42,
		      "/proc/42/exe and /usr/sbin/sshd are different files");
	findings_free(&l);
	in.exe_check.replacement_sound = true; /* an upgrade: restart */
	l = one("exe-replaced", RULE_OWNER, &in);
	check_finding(&l, SEV_NOTICE, "exe-replaced", 42,
		      "/proc/42/exe is the file /usr/sbin/sshd was when it started; package "
		      "openssh-server now has another file there");
	findings_free(&l);
	in.file_judged = true; /* said for an earlier owner running the same file */
	check_none("exe-replaced", RULE_OWNER, &in);
}

TEST(rule_exe_deleted)
{
	struct finding_input in = sshd(&ssh);
	in.exe = "/usr/sbin/sshd (deleted)";
	in.exe_check.deleted = true;
	struct finding_list l = one("exe-deleted", RULE_OWNER, &in);
	check_finding(&l, SEV_WARNING, "exe-deleted", 42,
		      "/proc/42/exe -> /usr/sbin/sshd (deleted)");
	findings_free(&l);
	in.exe_check.replaced = true; /* exe-replaced's, not this rule's */
	check_none("exe-deleted", RULE_OWNER, &in);
	in.exe_check.replaced = false;
	in.exe_checked = false; /* only the kernel's fact counts, not the link's text */
	check_none("exe-deleted", RULE_OWNER, &in);
}

TEST(rule_exe_memfd)
{
	struct finding_input in = sshd(&ssh);
	in.exe = "/memfd:sshd (deleted)";
	in.exe_path = "/memfd:sshd";
	in.pkg = PKG_UNOWNED;
	in.exe_check.deleted = in.exe_check.memfd = true;
	struct finding_list l = one("exe-memfd", RULE_OWNER, &in);
	check_finding(&l, SEV_ALERT, "exe-memfd", 42, "/proc/42/exe -> /memfd:sshd (deleted)");
	CHECK(strstr(l.f[0].reason, "never existed as a file on disk") != NULL);
	CHECK(strstr(l.f[0].reason, "(memfd_create)") != NULL);
	findings_free(&l);
	check_none("exe-deleted", RULE_OWNER, &in); /* one finding for one fact */
	in.widest = PS_EXPO_LOOPBACK; /* only this host reaches it: still worth a look */
	l = one("exe-memfd", RULE_OWNER, &in);
	check_finding(&l, SEV_WARNING, "exe-memfd", 42, "/proc/42/exe -> /memfd:sshd (deleted)");
	findings_free(&l);
	in.exe_check.memfd = false; /* an ordinary deleted file: not this rule's */
	check_none("exe-memfd", RULE_OWNER, &in);
	in.exe_check.memfd = true;
	in.file_judged = true; /* said for an earlier owner running the same file */
	check_none("exe-memfd", RULE_OWNER, &in);
}

TEST(rule_script_inline)
{
	static const char cmd[] = "python3\0-c\0import socket";
	struct finding_input in = sshd(NULL);
	in.port = 8000;
	in.name = "python3";
	in.exe = in.exe_path = "/usr/bin/python3.11";
	in.uid = 1000;
	in.cmdline = cmd;
	in.cmdline_len = sizeof cmd - 1;
	struct finding_list l = one("script-inline", RULE_OWNER, &in);
	check_finding(&l, SEV_WARNING, "script-inline", 42,
		      "/proc/42/exe runs /usr/bin/python3.11 with code from its command line (see "
		      "its command line)");
	CHECK(strstr(l.f[0].reason, "no file to check") != NULL);
	findings_free(&l);
	in.widest = PS_EXPO_LOOPBACK; /* a developer's loopback server never turns red */
	check_none("script-inline", RULE_OWNER, &in);
	in.widest = PS_EXPO_PRIVATE;
	static const char stdin_cmd[] = "python3\0-";
	in.cmdline = stdin_cmd;
	in.cmdline_len = sizeof stdin_cmd - 1;
	l = one("script-inline", RULE_OWNER, &in);
	CHECK(l.n == 1 && strstr(l.f[0].reason, "its standard input") != NULL);
	findings_free(&l);
	static const char script[] = "python3\0/opt/app/run.py";
	in.cmdline = script;
	in.cmdline_len = sizeof script - 1;
	check_none("script-inline", RULE_OWNER, &in);
	in = sshd(&ssh); /* sshd -c: not an interpreter */
	static const char sshd_cmd[] = "/usr/sbin/sshd\0-c\0x";
	in.cmdline = sshd_cmd;
	in.cmdline_len = sizeof sshd_cmd - 1;
	check_none("script-inline", RULE_OWNER, &in);
}

TEST(rule_argv_masquerade)
{
	struct finding_input in = sshd(&ssh);
	in.name = "python3";
	in.exe = in.exe_path = "/usr/bin/python3.11";
	in.pkg_name = "python3.11-minimal";
	in.argv0_other = "/usr/sbin/sshd";
	in.argv0_pkg = PKG_OWNED;
	in.argv0_pkg_name = "openssh-server";
	struct finding_list l = one("argv-masquerade", RULE_OWNER, &in);
	check_finding(&l, SEV_ALERT, "argv-masquerade", 42,
		      "argv[0] /usr/sbin/sshd is another file than /proc/42/exe -> "
		      "/usr/bin/python3.11");
	CHECK(strstr(l.f[0].reason, "(package openssh-server)") != NULL);
	findings_free(&l);
	in.widest = PS_EXPO_LOOPBACK; /* a lie about what runs: as bad on loopback */
	l = one("argv-masquerade", RULE_OWNER, &in);
	CHECK(l.n == 1 && l.f[0].sev == SEV_ALERT);
	findings_free(&l);
	in.argv0_pkg = PKG_UNKNOWN; /* no database: a daemon's path still claims */
	l = one("argv-masquerade", RULE_OWNER, &in);
	CHECK(l.n == 1 && l.f[0].sev == SEV_WARNING);
	findings_free(&l);
	in.argv0_other = "/home/u/bin/tool"; /* a user's own path, no package's */
	in.argv0_pkg = PKG_UNOWNED;
	check_none("argv-masquerade", RULE_OWNER, &in);
	in.argv0_other = NULL; /* argv[0] names the running file (the platform's fact) */
	check_none("argv-masquerade", RULE_OWNER, &in);
}

TEST(rule_exe_temp_dir)
{
	struct finding_input in = sshd(&ssh);
	in.exe = in.exe_path = "/tmp/x/sshd";
	struct finding_list l = one("exe-temp-dir", RULE_OWNER, &in);
	check_finding(&l, SEV_WARNING, "exe-temp-dir", 42, "/tmp/x/sshd");
	findings_free(&l);
	in.file_judged = true;
	check_none("exe-temp-dir", RULE_OWNER, &in);
	in.file_judged = false;
	in.exe = in.exe_path = "/srv/bin/sshd";
	check_none("exe-temp-dir", RULE_OWNER, &in);
	in.exe_check.dir_world_writable = true;
	l = one("exe-temp-dir", RULE_OWNER, &in);
	check_finding(&l, SEV_WARNING, "exe-temp-dir", 42,
		      "/srv/bin/sshd (its directory is world-writable)");
	findings_free(&l);
}

TEST(rule_exe_unpackaged)
{
	struct finding_input in = sshd(&ssh);
	in.exe = in.exe_path = "/usr/local/sbin/sshd";
	in.pkg = PKG_UNOWNED;
	in.pkg_name = NULL;
	struct finding_list l = one("exe-unpackaged", RULE_OWNER, &in);
	check_finding(&l, SEV_INFO, "exe-unpackaged", 42,
		      "/usr/local/sbin/sshd is not listed in the dpkg database");
	findings_free(&l);
	in.file_judged = true; /* said for an earlier owner running the same file */
	check_none("exe-unpackaged", RULE_OWNER, &in);
	in.file_judged = false;
	in.pkg = PKG_UNKNOWN; /* no database: no say */
	check_none("exe-unpackaged", RULE_OWNER, &in);
}

static struct finding_input python_script(const char *script)
{
	struct finding_input in = sshd(NULL);
	in.port = 8000;
	in.name = "python3";
	in.exe = in.exe_path = "/usr/bin/python3.11";
	in.pkg_name = "python3.11-minimal";
	in.script = script;
	in.script_pkg = PKG_UNOWNED;
	return in;
}

TEST(rule_script_temp_dir)
{
	struct finding_input in = python_script("/dev/shm/x.py");
	struct finding_list l = one("script-temp-dir", RULE_OWNER, &in);
	check_finding(&l, SEV_WARNING, "script-temp-dir", 42,
		      "/dev/shm/x.py run by /usr/bin/python3.11");
	findings_free(&l);
	in.script = "/srv/app/x.py";
	check_none("script-temp-dir", RULE_OWNER, &in);
	in.script_dir_world_writable = true;
	l = one("script-temp-dir", RULE_OWNER, &in);
	check_finding(&l, SEV_WARNING, "script-temp-dir", 42,
		      "/srv/app/x.py run by /usr/bin/python3.11 (its directory is world-writable)");
	findings_free(&l);
}

TEST(rule_script_unpackaged)
{
	struct finding_input in = python_script("/srv/app/x.py");
	struct finding_list l = one("script-unpackaged", RULE_OWNER, &in);
	check_finding(&l, SEV_INFO, "script-unpackaged", 42,
		      "/srv/app/x.py is not listed in the dpkg database");
	findings_free(&l);
	in.script_pkg = PKG_OWNED;
	check_none("script-unpackaged", RULE_OWNER, &in);
}

TEST(rule_name_mismatch)
{
	struct finding_input in = sshd(NULL);
	in.name = "kworker";
	struct finding_list l = one("name-mismatch", RULE_OWNER, &in);
	check_finding(&l, SEV_NOTICE, "name-mismatch", 42,
		      "comm kworker, /proc/42/exe -> /usr/sbin/sshd");
	CHECK_STR(l.f[0].reason, "the process calls itself kworker but runs /usr/sbin/sshd");
	findings_free(&l);
	/* a port owner's name on another file: a claim, a warning */
	in = sshd(&ssh);
	in.exe = in.exe_path = "/usr/bin/nc.openbsd";
	in.pkg_name = "netcat-openbsd";
	l = one("name-mismatch", RULE_OWNER, &in);
	check_finding(&l, SEV_WARNING, "name-mismatch", 42,
		      "comm sshd, /proc/42/exe -> /usr/bin/nc.openbsd");
	CHECK_STR(l.f[0].reason, "the process calls itself sshd, the name of the program that "
				 "normally holds this port, but runs /usr/bin/nc.openbsd");
	findings_free(&l);
	in = sshd(&ssh); /* python3 runs /usr/bin/python3.11: a prefix fits */
	in.name = "python3";
	in.exe = in.exe_path = "/usr/bin/python3.11";
	check_none("name-mismatch", RULE_OWNER, &in);
}

TEST(rule_unexpected_owner)
{
	struct finding_input in = sshd(&ssh);
	in.name = "nc";
	in.exe = in.exe_path = "/usr/bin/nc.openbsd";
	in.pkg_name = "netcat-openbsd";
	struct finding_list l = one("unexpected-owner", RULE_OWNER, &in);
	check_finding(&l, SEV_WARNING, "unexpected-owner", 42,
		      "pid 42 nc, executable /usr/bin/nc.openbsd, from package netcat-openbsd");
	CHECK_STR(l.f[0].reason, "port 22/tcp (ssh) is normally held by sshd, dropbear, not by nc");
	findings_free(&l);
	in.port = 2222; /* above 1024, and nc takes no name of the list: anyone's port */
	check_none("unexpected-owner", RULE_OWNER, &in);
	in.name = "sshd"; /* calling itself sshd there is a claim: a notice on a high port */
	l = one("unexpected-owner", RULE_OWNER, &in);
	CHECK(l.n == 1 && l.f[0].sev == SEV_NOTICE);
	findings_free(&l);
	/* the right name from no package: an alert that says why */
	in = sshd(&ssh);
	in.exe = in.exe_path = "/opt/x/sshd";
	in.pkg = PKG_UNOWNED;
	l = one("unexpected-owner", RULE_OWNER, &in);
	check_finding(&l, SEV_ALERT, "unexpected-owner", 42,
		      "pid 42 sshd, executable /opt/x/sshd, from no package");
	CHECK_STR(l.f[0].reason,
		  "port 22/tcp (ssh) is normally held by sshd, dropbear; this process "
		  "has that name but is not an installed one (from no package)");
	findings_free(&l);
	in = sshd(&ssh);
	check_none("unexpected-owner", RULE_OWNER, &in);
}

TEST(rule_backdoor_owned)
{
	struct finding_input in = sshd(&bo);
	in.port = 31337;
	in.name = "inetd";
	in.exe = in.exe_path = "/usr/sbin/inetd";
	in.pkg_name = "openbsd-inetd";
	struct finding_list l = one("backdoor-port", RULE_OWNER, &in);
	check_finding(&l, SEV_NOTICE, "backdoor-port", 42,
		      "pid 42 inetd, executable /usr/sbin/inetd, from package openbsd-inetd");
	findings_free(&l);
	in.exe = in.exe_path = "/tmp/inetd";
	in.pkg = PKG_UNOWNED;
	l = one("backdoor-port", RULE_OWNER, &in);
	check_finding(&l, SEV_ALERT, "backdoor-port", 42,
		      "pid 42 inetd, executable /tmp/inetd, from no package");
	CHECK_STR(l.f[0].reason,
		  "port 31337/tcp is one that backdoors are known to use (Back "
		  "Orifice, Elite), and its owner is not an installed program, which "
		  "is how backdoors run");
	findings_free(&l);
	in.pkg = PKG_UNKNOWN;
	in.exe = in.exe_path = "/usr/sbin/inetd";
	l = one("backdoor-port", RULE_OWNER, &in);
	CHECK(l.n == 1 && l.f[0].sev == SEV_WARNING);
	findings_free(&l);
}

TEST(rule_root_public)
{
	struct finding_input in = sshd(NULL);
	in.name = "myd";
	in.exe = in.exe_path = "/srv/bin/myd";
	in.pkg = PKG_UNOWNED;
	in.port = 7000;
	struct finding_list l = one("root-public", RULE_OWNER, &in);
	check_finding(
	    &l, SEV_NOTICE, "root-public", 42,
	    "pid 42 myd runs as uid 0, executable from no package; reachable now on: eth0 "
	    "203.0.113.7");
	findings_free(&l);
	/* installed by hand where people install software: context, at most info */
	in.exe = in.exe_path = "/usr/local/bin/myd";
	l = one("root-public", RULE_OWNER, &in);
	CHECK(l.n == 1 && l.f[0].sev == SEV_INFO);
	findings_free(&l);
	in.workers_unprivileged = true; /* nginx-like: its workers serve, unprivileged */
	check_none("root-public", RULE_OWNER, &in);
	in.workers_unprivileged = false;
	in.widest = PS_EXPO_PRIVATE;
	check_none("root-public", RULE_OWNER, &in);
	in = sshd(&ssh); /* packaged and what it says: root by design */
	check_none("root-public", RULE_OWNER, &in);
}

/* The most severe finding findings_for_owner makes for in (-1: none); none has code `absent`. */
static int worst_owner(const struct finding_input *in, const char *absent)
{
	struct finding_list l = {0};
	CHECK_INT(findings_for_owner(in, &l), 0);
	int worst = -1;
	for (size_t i = 0; i < l.n; i++) {
		if ((int)l.f[i].sev > worst)
			worst = l.f[i].sev;
		if (absent)
			CHECK(strcmp(l.f[i].code, absent) != 0);
	}
	findings_free(&l);
	return worst;
}

static const struct port_info flask = {.name = "upnp",
				       .source = "portsleuth",
				       .owners = "python3,flask,gunicorn,registry",
				       .risk = "development servers are rarely hardened",
				       .backdoor = "Sockets de Trois,Blazer5"};

/* A developer's machine: hand installs in the usual places, runtimes a port's list names. */
TEST(rules_developer_installs_are_context)
{
	/* a pyenv python running flask on 127.0.0.1:5000: no unexpected owner, at most info */
	struct finding_input in = sshd(&flask);
	in.port = 5000;
	in.uid = 1000;
	in.widest = in.scope = PS_EXPO_LOOPBACK;
	in.name = "python3";
	in.exe = in.exe_path = "/home/dev/.pyenv/versions/3.12.1/bin/python3.12";
	in.pkg = PKG_UNOWNED;
	in.name_holder = "/usr/bin/python3"; /* the system's python has the same name */
	in.holder_pkg = PKG_OWNED;
	in.holder_pkg_name = "python3-minimal";
	CHECK_INT(worst_owner(&in, "unexpected-owner"), SEV_INFO);
	CHECK_INT(worst_owner(&in, "name-mismatch"), SEV_INFO);
	in.widest = PS_EXPO_PUBLIC; /* even where others reach it: the exposure rule speaks */
	CHECK_INT(worst_owner(&in, "unexpected-owner"), SEV_INFO);
	/* the packaged python running ~/app/app.py from no package */
	in.exe = in.exe_path = "/usr/bin/python3.11";
	in.pkg = PKG_OWNED;
	in.pkg_name = "python3.11-minimal";
	in.script = "/home/dev/app/app.py";
	in.script_pkg = PKG_UNOWNED;
	CHECK_INT(worst_owner(&in, "unexpected-owner"), SEV_INFO);
	/* node from nvm on another runtime's port */
	in = sshd(&flask);
	in.port = 5000;
	in.name = "node";
	in.exe = in.exe_path = "/root/.nvm/versions/node/v20.1.0/bin/node";
	in.pkg = PKG_UNOWNED;
	CHECK(worst_owner(&in, NULL) <= SEV_INFO);
	/* a static binary in /usr/local/bin on loopback, a port with no list */
	in = sshd(NULL);
	in.port = 8080;
	in.widest = PS_EXPO_LOOPBACK;
	in.name = "mytool";
	in.exe = in.exe_path = "/usr/local/bin/mytool";
	in.pkg = PKG_UNOWNED;
	CHECK_INT(worst_owner(&in, NULL), SEV_INFO);
}

TEST(rules_loopback_is_at_most_notice_unless_deceptive)
{
	/* a dev database copied into /opt on loopback: the daemon's name, honest place */
	struct finding_input in = sshd(&redis);
	in.port = 6379;
	in.widest = PS_EXPO_LOOPBACK;
	in.name = "redis-server";
	in.exe = in.exe_path = "/opt/redis/bin/redis-server";
	in.pkg = PKG_UNOWNED;
	CHECK_INT(worst_owner(&in, NULL), SEV_NOTICE);
	/* the same where others reach it: a daemon's name from no package is an alert */
	in.widest = PS_EXPO_PRIVATE;
	CHECK_INT(worst_owner(&in, NULL), SEV_ALERT);
	/* on loopback, deceit stays loud: unpackaged among the system's files, a claimed name,
	 * a temporary directory */
	in.widest = PS_EXPO_LOOPBACK;
	in.exe = in.exe_path = "/usr/sbin/redis-server";
	CHECK_INT(worst_owner(&in, NULL), SEV_ALERT);
	in.exe = in.exe_path = "/tmp/x/redis-server";
	CHECK_INT(worst_owner(&in, NULL), SEV_ALERT);
	in.exe = in.exe_path = "/usr/bin/nc.openbsd"; /* calls itself redis-server */
	in.pkg = PKG_OWNED;
	in.pkg_name = "netcat-openbsd";
	CHECK_INT(worst_owner(&in, NULL), SEV_WARNING);
	/* a packaged program on another's port (above 1024) that takes no daemon's name: nothing */
	in.name = "nc";
	CHECK_INT(worst_owner(&in, NULL), -1);
	/* below 1024, loopback only: the number alone, a notice */
	in = sshd(&ssh);
	in.widest = PS_EXPO_LOOPBACK;
	in.name = "nc";
	in.exe = in.exe_path = "/usr/bin/nc.openbsd";
	in.pkg_name = "netcat-openbsd";
	CHECK_INT(worst_owner(&in, NULL), SEV_NOTICE);
}

/* The table's order is the findings' order (sorting by severity keeps it within one). */
TEST(rules_run_in_table_order)
{
	struct finding_input in = sshd(&ssh);
	in.exe = in.exe_path = "/tmp/sshd";
	in.pkg = PKG_UNOWNED;
	struct finding_list l = {0};
	CHECK_INT(findings_for_owner(&in, &l), 0);
	static const char *const want[] = {"exe-temp-dir", "exe-unpackaged", "unexpected-owner",
					   "root-public"};
	CHECK_INT(l.n, 4);
	for (size_t i = 0; i < l.n && i < 4; i++)
		CHECK_STR(l.f[i].code, want[i]);
	findings_free(&l);
}

TEST(rule_accept_queue_full)
{
	struct finding_input in = {.port = 8080, .proto = PS_TCP, .pid = -1};
	check_none("accept-queue-full", RULE_SOCKET, &in);
	in.queue_full = true;
	in.accept_queue = 3;
	in.backlog = 2;
	struct finding_list l = one("accept-queue-full", RULE_SOCKET, &in);
	check_finding(&l, SEV_WARNING, "accept-queue-full", -1,
		      "the kernel's accept queue holds 3 connections; listen() backlog 2");
	CHECK(l.n == 1 &&
	      strstr(l.f[0].reason, "8080/tcp is full (3 connections waiting, backlog 2)"));
	findings_free(&l);
	/* the model's test: at its backlog, not below it, listeners only */
	struct ps_socket k = {.proto = PS_TCP, .state = PS_ST_LISTEN, .recv_q = 2, .send_q = 2};
	CHECK(PS_ACCEPT_QUEUE_FULL(&k));
	k.recv_q = 1;
	CHECK(!PS_ACCEPT_QUEUE_FULL(&k));
	k.recv_q = 5;
	k.state = PS_ST_ESTABLISHED;
	CHECK(!PS_ACCEPT_QUEUE_FULL(&k));
}
