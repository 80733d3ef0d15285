/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_verdict.c — registry parsing and layering, address classification, reachability, each
 * finding. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/core/regload.h"
#include "../../src/enrich/verdict.h"
#include "../../src/model/exposure.h"
#include "../../src/util/buf.h"
#include "test.h"
#include "testutil.h"

/* ---------------------------------------------------------------- registry */

static int user_text(struct registry *r, const char *path, const char *text)
{
	size_t n = strlen(text);
	char *in = tu_exact(text, n);
	int rc = registry_add_user_text(r, path, in, n);
	free(in);
	return rc;
}

/* The field test's gaps (issue 20): the stock daemons' ports are known, risks fit the protocol,
 * and a risk that depends on a configuration never read does not make a warning. */
TEST(registry_stock_daemon_ports)
{
	struct registry r;
	memset(&r, 0, sizeof r);
	struct port_info pi;
	CHECK(registry_lookup(&r, 953, PS_TCP, &pi) && registry_owner_matches(pi.owners, "named"));
	CHECK(registry_lookup(&r, 323, PS_UDP, &pi) &&
	      registry_owner_matches(pi.owners, "chronyd"));
	CHECK(registry_lookup(&r, 3350, PS_TCP, &pi) &&
	      registry_owner_matches(pi.owners, "xrdp-sesman"));
	CHECK(registry_lookup(&r, 11211, PS_TCP, &pi) && pi.risk && !strstr(pi.risk, "UDP"));
	CHECK(registry_lookup(&r, 11211, PS_UDP, &pi) && pi.risk && strstr(pi.risk, "UDP"));
	/* ftp's clear text is pop3's and imap's: a notice from public addresses */
	CHECK(registry_lookup(&r, 21, PS_TCP, &pi));
	CHECK_INT(exposure_severity(pi.svc_class, pi.risk != NULL, PS_EXPO_ALL), SEV_NOTICE);
	CHECK(registry_lookup(&r, 110, PS_TCP, &pi));
	CHECK_INT(exposure_severity(pi.svc_class, pi.risk != NULL, PS_EXPO_ALL), SEV_NOTICE);
	/* an open proxy is a configuration: at most a notice */
	static const unsigned proxies[] = {1080, 3128, 9050};
	for (size_t i = 0; i < sizeof proxies / sizeof proxies[0]; i++) {
		CHECK(registry_lookup(&r, (uint16_t)proxies[i], PS_TCP, &pi));
		CHECK(exposure_severity(pi.svc_class, pi.risk != NULL, PS_EXPO_ALL) <= SEV_NOTICE);
	}
}

TEST(registry_knowledge_base_is_big_and_sorted)
{
	CHECK(kb_nports >= 150);
	for (size_t i = 1; i < kb_nports; i++)
		CHECK(kb_ports[i - 1].port <= kb_ports[i].port);
	struct registry r;
	memset(&r, 0, sizeof r);
	struct port_info pi;
	CHECK(registry_lookup(&r, 22, PS_TCP, &pi));
	CHECK_STR(pi.name, "ssh");
	CHECK_STR(pi.source, "portsleuth");
	CHECK_STR(pi.owners, "sshd,dropbear");
	CHECK(pi.risk != NULL);
	CHECK(!pi.dynamic);
	CHECK(registry_lookup(&r, 53, PS_UDP, &pi));
	CHECK(registry_owner_matches(pi.owners, "systemd-resolve")); /* comm cut to 15 bytes */
	CHECK(registry_owner_matches(pi.owners, "dnsmasq"));
	CHECK(!registry_owner_matches(pi.owners, "dnsmas"));
	CHECK(registry_lookup(&r, 631, PS_TCP, &pi) && registry_owner_matches(pi.owners, "cupsd"));
	CHECK(registry_lookup(&r, 5353, PS_UDP, &pi) &&
	      registry_owner_matches(pi.owners, "avahi-daemon"));
	/* risky ones the issue names */
	static const unsigned risky[] = {137, 138, 139, 445, 6379, 11211, 27017, 9200, 2375, 3389};
	for (size_t i = 0; i < sizeof risky / sizeof risky[0]; i++) {
		bool any = registry_lookup(&r, (uint16_t)risky[i], PS_TCP, &pi) && pi.risk;
		struct port_info pu;
		any = any || (registry_lookup(&r, (uint16_t)risky[i], PS_UDP, &pu) && pu.risk);
		if (!any)
			fprintf(stderr, "no risk for %u\n", risky[i]);
		CHECK(any);
	}
	/* backdoor numbers, with names */
	static const unsigned bd[] = {31337, 12345, 27374, 5000};
	for (size_t i = 0; i < 4; i++)
		CHECK(registry_lookup(&r, (uint16_t)bd[i], PS_TCP, &pi) && pi.backdoor);
	CHECK(registry_lookup(&r, 5000, PS_TCP, &pi));
	CHECK_STR(pi.backdoor, "Sockets de Trois,Blazer5");
	/* 443 is listed per protocol */
	CHECK(registry_lookup(&r, 443, PS_UDP, &pi) && strstr(pi.desc, "QUIC"));
	CHECK(!registry_lookup(&r, 4999, PS_TCP, &pi));
	CHECK(pi.name == NULL && pi.source == NULL);
	registry_free(&r);
}

TEST(registry_dynamic_ports)
{
	struct registry r;
	memset(&r, 0, sizeof r);
	r.eph_lo = 32768;
	r.eph_hi = 60999;
	struct port_info pi;
	CHECK(registry_lookup(&r, 40000, PS_TCP, &pi));
	CHECK(pi.dynamic && pi.name == NULL && pi.source == NULL);
	CHECK(registry_lookup(&r, 65000, PS_TCP, &pi)); /* IANA dynamic, in the kb as a backdoor */
	CHECK(pi.dynamic && pi.name == NULL && pi.backdoor != NULL);
	CHECK_STR(pi.source, "portsleuth");
	CHECK(registry_lookup(&r, 32767, PS_TCP, &pi) == false || !pi.dynamic);
	CHECK(registry_lookup(&r, 31337, PS_TCP, &pi) && !pi.dynamic && pi.name);
	r.eph_lo = r.eph_hi = 0; /* unknown kernel range: IANA's only */
	CHECK(!registry_lookup(&r, 40000, PS_TCP, &pi));
	CHECK(registry_lookup(&r, 49152, PS_UDP, &pi) && pi.dynamic);
	/* a user file names even a dynamic port */
	CHECK_INT(user_text(&r, "/u", "50000\ttcp\tmine\n"), 0);
	CHECK(registry_lookup(&r, 50000, PS_TCP, &pi));
	CHECK_STR(pi.name, "mine");
	CHECK_STR(pi.source, "/u");
	CHECK(pi.dynamic);
	registry_free(&r);
}

TEST(registry_user_file_parsing_and_malformed_lines)
{
	struct registry r;
	memset(&r, 0, sizeof r);
	static const char text[] = "# comment\n"
				   "\n"
				   "8080\ttcp\tmyapp\tjava,node\tadmin console\t-\tour app\r\n"
				   "70000\ttcp\tbig\n"		    /* 4: port */
				   "22\tsctp\tx\n"		    /* 5: protocol */
				   "23 tcp telnet\n"		    /* 6: spaces, not tabs */
				   "24\ttcp\t\n"		    /* 7: empty name */
				   "1\t2\t3\t4\t5\t6\t7\t8\n"	    /* 8: too many fields */
				   "0\ttcp\tzero\n"		    /* 9: port 0 */
				   "9\ttcp/udp\tdisc\t-\t-\tEvil\n" /* ok, 6 fields */
				   "8080\ttcp\tsecond\n" /* later duplicate: the first wins */
				   "53\tudp\tdns";	 /* no final newline */
	CHECK_INT(user_text(&r, "/etc/portsleuth/ports", text), 0);
	CHECK_INT(r.nwarnings, 6);
	static const size_t lines[] = {4, 5, 6, 7, 8, 9};
	for (size_t i = 0; i < r.nwarnings && i < 6; i++) {
		CHECK_INT(r.warnings[i].line, lines[i]);
		CHECK_STR(r.warnings[i].path, "/etc/portsleuth/ports");
		CHECK(r.warnings[i].user_file);
		CHECK(r.warnings[i].why && *r.warnings[i].why);
	}
	CHECK_STR(r.warnings[1].why, "the protocols are not tcp, udp or tcp/udp");
	struct port_info pi;
	CHECK(registry_lookup(&r, 8080, PS_TCP, &pi));
	CHECK_STR(pi.name, "myapp");
	CHECK_STR(pi.owners, "java,node");
	CHECK_STR(pi.risk, "admin console");
	CHECK(pi.backdoor == NULL);
	CHECK_STR(pi.desc, "our app");
	CHECK(registry_lookup(&r, 9, PS_UDP, &pi) && strcmp(pi.name, "disc") == 0);
	CHECK_STR(pi.backdoor, "Evil");
	CHECK(pi.desc == NULL);
	CHECK(registry_lookup(&r, 53, PS_UDP, &pi) && strcmp(pi.name, "dns") == 0);
	CHECK(pi.owners == NULL); /* the user's entry replaces the knowledge base's */
	CHECK(registry_lookup(&r, 53, PS_TCP, &pi) && strcmp(pi.source, "portsleuth") == 0);
	registry_free(&r);
}

static char *write_tmp(const char *text)
{
	char *path = strdup("/tmp/portsleuth-ut-XXXXXX");
	int fd = mkstemp(path);
	if (fd < 0)
		abort();
	size_t n = strlen(text);
	if (write(fd, text, n) != (ssize_t)n)
		abort();
	close(fd);
	return path;
}

TEST(registry_layers_most_specific_first)
{
	char *user1 = write_tmp("22\ttcp\tcustom-ssh\tmysshd\n");
	char *user2 = write_tmp("22\ttcp\tnever\n4000\ttcp\tuser2-svc\nbad\n");
	char *iana = write_tmp("ssh\t\t22/tcp/udp/sctp\t# The Secure Shell\n"
			       "ianasvc\t4001/tcp/udp\t# From IANA\n"
			       "broken\n");
	char *nmap = write_tmp("unknown\t4002/tcp\t0.000100\n"
			       "nmapsvc\t4003/tcp\t0.001000\t# nmap's\n"
			       "ianasvc2\t4001/tcp\t0.5\n");
	char *etc = write_tmp("etcsvc 4004/tcp # etc\nunknown 4002/udp\nx y\nz w\n");
	struct registry_paths p = {
	    {user1, user2, "/nonexistent/ports"}, iana, nmap, etc, {false, false, false}};
	struct registry r;
	memset(&r, 0, sizeof r);
	CHECK_INT(registry_load(&r, &p), 0);
	struct port_info pi;
	CHECK(registry_lookup(&r, 22, PS_TCP, &pi));
	CHECK_STR(pi.name, "custom-ssh");
	CHECK_STR(pi.source, user1);
	CHECK_STR(pi.owners, "mysshd");
	CHECK(registry_lookup(&r, 22, PS_UDP,
			      &pi)); /* not in the user files: the knowledge base? no: IANA */
	CHECK_STR(pi.name, "ssh");
	CHECK_STR(pi.source, "iana");
	CHECK_STR(pi.desc, "The Secure Shell");
	CHECK(registry_lookup(&r, 4000, PS_TCP, &pi) && strcmp(pi.source, user2) == 0);
	CHECK(registry_lookup(&r, 4001, PS_TCP, &pi));
	CHECK_STR(pi.name, "ianasvc"); /* IANA before nmap */
	CHECK_STR(pi.source, "iana");
	CHECK(!registry_lookup(&r, 4002, PS_TCP, &pi)); /* nmap's "unknown" is no name */
	CHECK(registry_lookup(&r, 4003, PS_TCP, &pi) && strcmp(pi.source, "nmap") == 0);
	CHECK_STR(pi.name, "nmapsvc");
	CHECK(registry_lookup(&r, 4004, PS_TCP, &pi) && strcmp(pi.source, etc) == 0);
	CHECK_STR(pi.name, "etcsvc");
	CHECK(registry_lookup(&r, 31337, PS_TCP, &pi) && strcmp(pi.source, "portsleuth") == 0);
	/* warnings: user2 line 3, iana line 3, /etc/services line 3 (+1 more) */
	CHECK_INT(r.nwarnings, 3);
	if (r.nwarnings == 3) {
		CHECK_STR(r.warnings[0].path, user2);
		CHECK_INT(r.warnings[0].line, 3);
		CHECK_STR(r.warnings[1].path, iana);
		CHECK_INT(r.warnings[1].line, 3);
		CHECK(!r.warnings[1].user_file);
		CHECK_STR(r.warnings[2].path, etc);
		CHECK_INT(r.warnings[2].line, 3);
		CHECK_INT(r.warnings[2].more, 1);
	}
	registry_free(&r);
	/* the file the user named must exist; the default ones may not */
	struct registry_paths q = {{"/nonexistent/mine", NULL, "/nonexistent/ports"},
				   NULL,
				   NULL,
				   NULL,
				   {false, false, false}};
	memset(&r, 0, sizeof r);
	CHECK_INT(registry_load(&r, &q), -ENOENT);
	registry_free(&r);
	q.user[0] = NULL;
	CHECK_INT(registry_load(&r, &q), 0);
	registry_free(&r);
	/* found through the environment: not used when others may write it, or not a regular file
	 */
	q.user[1] = user1;
	q.user_from_env[1] = true;
	chmod(user1, 0644);
	struct stat st;
	if (stat(user1, &st) == 0 && (st.st_mode & S_IWOTH)) {
		/* Windows' C runtime copies the owner's bits to group and others: the rule there
		 * is the file's owner and access list (tests/unit/windows/test_trust.c); a file we
		 * just made is ours and nobody else's to write, so it is used */
		CHECK_INT(registry_load(&r, &q), 0);
		CHECK_INT((int)r.nusers, 1);
		CHECK(r.ignored_path == NULL);
		registry_free(&r);
	} else {
		chmod(user1, 0666);
		CHECK_INT(registry_load(&r, &q), 0);
		CHECK_INT((int)r.nusers, 0);
		CHECK_STR(r.ignored_path, user1);
		CHECK_STR(r.ignored_why, "writable by group or others");
		registry_free(&r);
		chmod(user1, 0644);
		CHECK_INT(registry_load(&r, &q), 0);
		CHECK_INT((int)r.nusers, 1);
		CHECK(r.ignored_path == NULL);
		registry_free(&r);
		q.user[1] = "/dev/null";
		CHECK_INT(registry_load(&r, &q), 0);
		CHECK_STR(r.ignored_why, "not a regular file");
		registry_free(&r);
	}
	q.user[0] = "/tmp";
	CHECK_INT(registry_load(&r, &q), -EISDIR);
	registry_free(&r);
	char *files[] = {user1, user2, iana, nmap, etc};
	for (size_t i = 0; i < 5; i++) {
		unlink(files[i]);
		free(files[i]);
	}
}

TEST(registry_owner_matching)
{
	CHECK(registry_owner_matches("sshd,dropbear", "sshd"));
	CHECK(registry_owner_matches("sshd,dropbear", "dropbear"));
	CHECK(!registry_owner_matches("sshd,dropbear", "ssh"));
	CHECK(!registry_owner_matches("sshd,dropbear", "sshd2"));
	CHECK(!registry_owner_matches("sshd,dropbear", ""));
	CHECK(!registry_owner_matches(NULL, "sshd"));
	CHECK(registry_owner_matches("Plex Media Server", "Plex Media Serv"));
}

/* ---------------------------------------------------------------- exposure */

static struct ps_addr v4(unsigned a, unsigned b, unsigned c, unsigned d)
{
	struct ps_addr x = {PS_INET, {(uint8_t)a, (uint8_t)b, (uint8_t)c, (uint8_t)d}};
	return x;
}

static struct ps_addr v6(const char *hex32)
{
	struct ps_addr x = {PS_INET6, {0}};
	for (int i = 0; i < 16; i++) {
		unsigned v;
		sscanf(hex32 + 2 * i, "%2x", &v);
		x.bytes[i] = (uint8_t)v;
	}
	return x;
}

static enum ps_exposure cls4(unsigned a, unsigned b, unsigned c, unsigned d)
{
	struct ps_addr x = v4(a, b, c, d);
	return exposure_classify(&x);
}

static enum ps_exposure cls6(const char *hex)
{
	struct ps_addr x = v6(hex);
	return exposure_classify(&x);
}

TEST(exposure_classify_every_range)
{
	CHECK_INT(cls4(0, 0, 0, 0), PS_EXPO_ALL);
	CHECK_INT(cls4(127, 0, 0, 1), PS_EXPO_LOOPBACK);
	CHECK_INT(cls4(127, 0, 0, 53), PS_EXPO_LOOPBACK);
	CHECK_INT(cls4(127, 255, 255, 255), PS_EXPO_LOOPBACK);
	CHECK_INT(cls4(169, 254, 1, 1), PS_EXPO_LINK_LOCAL);
	CHECK_INT(cls4(169, 253, 1, 1), PS_EXPO_PUBLIC);
	CHECK_INT(cls4(10, 0, 0, 1), PS_EXPO_PRIVATE);
	CHECK_INT(cls4(10, 255, 255, 255), PS_EXPO_PRIVATE);
	CHECK_INT(cls4(172, 16, 0, 1), PS_EXPO_PRIVATE);
	CHECK_INT(cls4(172, 31, 255, 255), PS_EXPO_PRIVATE);
	CHECK_INT(cls4(172, 15, 0, 1), PS_EXPO_PUBLIC);
	CHECK_INT(cls4(172, 32, 0, 1), PS_EXPO_PUBLIC);
	CHECK_INT(cls4(192, 168, 1, 1), PS_EXPO_PRIVATE);
	CHECK_INT(cls4(192, 169, 1, 1), PS_EXPO_PUBLIC);
	CHECK_INT(cls4(100, 64, 0, 1), PS_EXPO_PRIVATE); /* CGNAT 100.64/10 */
	CHECK_INT(cls4(100, 127, 255, 255), PS_EXPO_PRIVATE);
	CHECK_INT(cls4(100, 63, 255, 255), PS_EXPO_PUBLIC);
	CHECK_INT(cls4(100, 128, 0, 0), PS_EXPO_PUBLIC);
	CHECK_INT(cls4(203, 0, 113, 7), PS_EXPO_PUBLIC);
	CHECK_INT(cls4(8, 8, 8, 8), PS_EXPO_PUBLIC);
	/* IPv6 */
	CHECK_INT(cls6("00000000000000000000000000000000"), PS_EXPO_ALL);
	CHECK_INT(cls6("00000000000000000000000000000001"), PS_EXPO_LOOPBACK);
	CHECK_INT(cls6("fe800000000000000000000000000001"), PS_EXPO_LINK_LOCAL);
	CHECK_INT(cls6("febf0000000000000000000000000001"), PS_EXPO_LINK_LOCAL);
	CHECK_INT(cls6("fec00000000000000000000000000001"), PS_EXPO_PUBLIC);
	CHECK_INT(cls6("fc000000000000000000000000000001"), PS_EXPO_PRIVATE); /* ULA fc00::/7 */
	CHECK_INT(cls6("fd123456789a00000000000000000001"), PS_EXPO_PRIVATE);
	CHECK_INT(cls6("fb000000000000000000000000000001"), PS_EXPO_PUBLIC);
	CHECK_INT(cls6("20010db8000000000000000000000001"), PS_EXPO_PUBLIC);
	/* IPv4-mapped IPv6: classified as the IPv4 address */
	CHECK_INT(cls6("00000000000000000000ffff7f000001"), PS_EXPO_LOOPBACK);
	CHECK_INT(cls6("00000000000000000000ffff0a000001"), PS_EXPO_PRIVATE);
	CHECK_INT(cls6("00000000000000000000ffffa9fe0101"), PS_EXPO_LINK_LOCAL);
	CHECK_INT(cls6("00000000000000000000ffff644000ff"), PS_EXPO_PRIVATE);
	CHECK_INT(cls6("00000000000000000000ffffcb007107"), PS_EXPO_PUBLIC);
	CHECK_INT(cls6("00000000000000000000ffff00000000"), PS_EXPO_ALL);
	/* names round-trip */
	for (int e = 0; e < PS_EXPO__COUNT; e++)
		CHECK_INT(exposure_parse(exposure_name((enum ps_exposure)e)), e);
	CHECK_STR(exposure_name(PS_EXPO_ALL), "all-interfaces");
	CHECK_INT(exposure_parse("nowhere"), -1);
}

static struct ps_ifaddr ifa(uint32_t idx, const char *name, struct ps_addr a)
{
	struct ps_ifaddr x = {idx, (char *)name, a, {0}, 0};
	return x;
}

TEST(exposure_reach_wildcards_dual_stack_mapped)
{
	struct ps_ifaddr a[5] = {
	    ifa(1, "lo", v4(127, 0, 0, 1)),
	    ifa(2, "eth0", v4(203, 0, 113, 7)),
	    ifa(1, "lo", v6("00000000000000000000000000000001")),
	    ifa(2, "eth0", v6("fe800000000000000000000000000001")),
	    ifa(3, "wg0", v4(10, 0, 0, 1)),
	};
	struct ps_socket k;
	struct reach *r;
	size_t n;
	memset(&k, 0, sizeof k);
	k.local.addr = v4(0, 0, 0, 0);
	CHECK_INT(exposure_reach(&k, a, 5, NULL, 0, &r, &n), 0);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(r[0].ifname, "lo");
		CHECK_STR(r[1].ifname, "eth0");
		CHECK(r[1].addr.bytes[0] == 203);
		CHECK_STR(r[2].ifname, "wg0");
	}
	free(r);
	/* a v6 wildcard: dual-stack (or unknown) covers both families, v6only only IPv6 */
	k.local.addr = v6("00000000000000000000000000000000");
	k.v6only = PS_V6ONLY_NO;
	CHECK_INT(exposure_reach(&k, a, 5, NULL, 0, &r, &n), 0);
	CHECK_INT(n, 5);
	free(r);
	k.v6only = PS_V6ONLY_YES;
	CHECK_INT(exposure_reach(&k, a, 5, NULL, 0, &r, &n), 0);
	CHECK_INT(n, 2);
	CHECK(n == 2 && r[0].addr.family == PS_INET6 && r[1].addr.family == PS_INET6);
	free(r);
	/* bound to a device: only its addresses */
	k.ifindex = 2;
	CHECK_INT(exposure_reach(&k, a, 5, NULL, 0, &r, &n), 0);
	CHECK(n == 1 && strcmp(r[0].ifname, "eth0") == 0);
	free(r);
	k.ifindex = 0;
	/* a specific address: the interface holding it; a mapped one matches IPv4 */
	k.local.addr = v6("00000000000000000000ffffcb007107");
	k.v6only = PS_V6ONLY_NO;
	CHECK_INT(exposure_reach(&k, a, 5, NULL, 0, &r, &n), 0);
	CHECK(n == 1 && strcmp(r[0].ifname, "eth0") == 0 && r[0].addr.family == PS_INET);
	free(r);
	k.local.addr = v4(127, 0, 0, 53); /* any 127/8 address lives on lo */
	CHECK_INT(exposure_reach(&k, a, 5, NULL, 0, &r, &n), 0);
	CHECK(n == 1 && strcmp(r[0].ifname, "lo") == 0 && r[0].addr.bytes[3] == 53);
	free(r);
	k.local.addr = v4(192, 0, 2, 1); /* nobody holds it (freebind): reachable nowhere now */
	CHECK_INT(exposure_reach(&k, a, 5, NULL, 0, &r, &n), 0);
	CHECK_INT(n, 0);
	free(r);
}

/* ---------------------------------------------------------------- findings */

static struct finding_input base_input(const struct port_info *svc)
{
	struct finding_input in;
	memset(&in, 0, sizeof in);
	in.port = 22;
	in.proto = PS_TCP;
	in.svc = svc;
	in.scope = PS_EXPO_LOOPBACK;
	in.has_owner = true;
	in.pid = 42;
	in.name = "sshd";
	in.exe = in.exe_path = "/usr/sbin/sshd";
	in.have_uid = true;
	in.uid = 0;
	in.exe_checked = true;
	in.exe_path = "/usr/sbin/sshd";
	in.pkg = PKG_OWNED;
	in.pkg_name = "openssh-server";
	in.words = &test_linux_words;
	return in;
}

static const struct finding *find_code(const struct finding_list *l, const char *code)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->f[i].code, code) == 0)
			return &l->f[i];
	return NULL;
}

static const struct port_info ssh = {"ssh",	 "Secure Shell", "portsleuth", "sshd,dropbear",
				     "guessing", NULL,		 false,	       SVC_UNCLASSIFIED};
static const struct port_info bo = {
    "eleet", NULL, "portsleuth", NULL, NULL, "Back Orifice,Elite", false, SVC_UNCLASSIFIED};

TEST(findings_clean_owner_has_none)
{
	struct finding_list l = {0};
	struct finding_input in = base_input(&ssh);
	CHECK_INT(findings_for_owner(&in, &l), 0);
	CHECK_INT(findings_for_socket(&in, &l), 0);
	CHECK_INT(l.n, 0);
	findings_free(&l);
}

TEST(findings_deleted_and_replaced)
{
	struct finding_list l = {0};
	struct finding_input in = base_input(&ssh);
	in.exe = "/usr/sbin/sshd (deleted)";
	in.exe_check.deleted = true; /* the kernel's fact: nothing is at /usr/sbin/sshd now */
	CHECK_INT(findings_for_owner(&in, &l), 0);
	const struct finding *f = find_code(&l, "exe-deleted");
	CHECK(f && f->sev == SEV_WARNING && f->pid == 42);
	CHECK(f && strcmp(f->evidence, "/proc/42/exe -> /usr/sbin/sshd (deleted)") == 0);
	CHECK(find_code(&l, "exe-replaced") == NULL);
	CHECK(find_code(&l, "unexpected-owner") == NULL); /* packaged path, expected name */
	CHECK(find_code(&l, "name-mismatch") == NULL);
	CHECK_INT(l.n, 1);
	findings_free(&l);
	/* upgraded: the package's path now holds another sound file: one notice that says restart
	 */
	in.exe_check.replaced = in.exe_check.replacement_sound = true;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	f = find_code(&l, "exe-replaced");
	CHECK(f && f->sev == SEV_NOTICE && strstr(f->reason, "upgraded on disk") &&
	      strstr(f->reason, "restart"));
	CHECK(f && strcmp(f->evidence,
			  "/proc/42/exe is the file /usr/sbin/sshd was when it started; package "
			  "openssh-server now has another file there") == 0);
	CHECK_INT(l.n, 1);
	findings_free(&l);
	/* replaced by a file others could write, or at an unpackaged path: a warning */
	in.exe_check.replacement_sound = false;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	f = find_code(&l, "exe-replaced");
	CHECK(f && f->sev == SEV_WARNING);
	CHECK(f && strcmp(f->evidence, "/proc/42/exe and /usr/sbin/sshd are different files") == 0);
	CHECK_INT(l.n, 1);
	findings_free(&l);
	in.exe_check.replacement_sound = true;
	in.pkg = PKG_UNOWNED;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	f = find_code(&l, "exe-replaced");
	CHECK(f && f->sev == SEV_WARNING);
	findings_free(&l);
	/* the same file as an earlier holder of the socket: nothing said twice */
	in.file_judged = true;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	CHECK(find_code(&l, "exe-replaced") == NULL && find_code(&l, "exe-unpackaged") == NULL);
	findings_free(&l);
}

TEST(findings_deleted_is_the_kernels_word_not_the_text)
{
	/* a file really named "sshd (deleted)": the kernel says it is where its link says */
	struct finding_list l = {0};
	struct finding_input in = base_input(&ssh);
	in.name = "sshd (deleted)";
	in.exe = in.exe_path = "/usr/sbin/sshd (deleted)";
	in.pkg = PKG_UNOWNED;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	CHECK(find_code(&l, "exe-deleted") == NULL);
	CHECK(find_code(&l, "exe-unpackaged") != NULL);
	const struct finding *f = find_code(&l, "unexpected-owner");
	CHECK(f && f->sev == SEV_ALERT);
	CHECK(
	    f &&
	    strcmp(f->evidence,
		   "pid 42 sshd (deleted), executable /usr/sbin/sshd (deleted), from no package") ==
		0);
	findings_free(&l);
	/* without the kernel's facts the text proves nothing either way */
	in = base_input(&ssh);
	in.exe = "/usr/sbin/sshd (deleted)";
	in.exe_checked = false;
	in.exe_path = NULL;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	CHECK(find_code(&l, "exe-deleted") == NULL);
	findings_free(&l);
}

TEST(findings_temp_dir_and_unpackaged)
{
	static const char *const temps[] = {"/tmp/x", "/var/tmp/a/b", "/dev/shm/x", "/run/shm/y"};
	for (size_t i = 0; i < 4; i++)
		CHECK(path_in_temp_dir(temps[i]));
	CHECK(!path_in_temp_dir("/tmpfoo/x"));
	CHECK(!path_in_temp_dir("/usr/bin/tmp"));
	/* Windows: anywhere in the path, whatever the case */
	CHECK(path_in_temp_dir("C:\\Users\\bob\\AppData\\Local\\Temp\\x.exe"));
	CHECK(path_in_temp_dir("d:\\users\\BOB\\appdata\\roaming\\t\\t.exe"));
	CHECK(path_in_temp_dir("C:\\WINDOWS\\TEMP\\a.dll"));
	CHECK(path_in_temp_dir("c:\\users\\public\\x.exe"));
	CHECK(!path_in_temp_dir("C:\\Windows\\System32\\svchost.exe"));
	CHECK(!path_in_temp_dir("C:\\Users\\bob\\AppData\\Local\\Tempo\\x.exe"));
	struct finding_list l = {0};
	struct finding_input in = base_input(NULL);
	in.port = 4000;
	in.name = "x";
	in.exe = in.exe_path = "/opt/app/x";
	in.exe_check.dir_world_writable = true;
	in.pkg = PKG_UNOWNED;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	const struct finding *f = find_code(&l, "exe-temp-dir");
	CHECK(f && f->sev == SEV_WARNING &&
	      strcmp(f->evidence, "/opt/app/x (its directory is world-writable)") == 0);
	f = find_code(&l, "exe-unpackaged");
	CHECK(f && f->sev == SEV_INFO &&
	      strcmp(f->evidence, "/opt/app/x is not listed in the dpkg database") == 0);
	CHECK_INT(l.n, 2);
	findings_free(&l);
	in.pkg = PKG_UNKNOWN; /* no database: no finding */
	in.exe_check.dir_world_writable = false;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	CHECK_INT(l.n, 0);
	findings_free(&l);
}

TEST(findings_name_mismatch)
{
	struct finding_list l = {0};
	struct finding_input in = base_input(NULL);
	in.port = 4000;
	in.name = "sshd";
	in.exe = in.exe_path = "/usr/bin/python3.11";
	static const char cmd[] = "python3\0-m\0http.server";
	in.cmdline = cmd;
	in.cmdline_len = sizeof cmd - 1;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	const struct finding *f = find_code(&l, "name-mismatch");
	CHECK(f && f->sev == SEV_NOTICE);
	CHECK(f &&
	      strcmp(f->reason, "the process calls itself sshd but runs /usr/bin/python3.11") == 0);
	findings_free(&l);
	/* on a port whose normal owner it names: a warning */
	in.port = 22;
	in.svc = &ssh;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	f = find_code(&l, "name-mismatch");
	CHECK(f && f->sev == SEV_WARNING);
	findings_free(&l);
	/* things that are fine: a symlink name, a script, a cut comm, busybox */
	in.svc = NULL;
	in.port = 4000;
	static const struct {
		const char *comm, *exe, *script;
	} ok[] = {
	    {"python3", "/usr/bin/python3.11", NULL},
	    {"myscript", "/usr/bin/python3.11", "/srv/myscript"},
	    {"systemd-resolve", "/usr/lib/systemd/systemd-resolved", NULL},
	    {"httpd", "/usr/bin/busybox", NULL},
	};
	for (size_t i = 0; i < 4; i++) {
		in.name = ok[i].comm;
		in.exe = in.exe_path = ok[i].exe;
		in.script = ok[i].script;
		CHECK_INT(findings_for_owner(&in, &l), 0);
		CHECK(find_code(&l, "name-mismatch") == NULL);
		findings_free(&l);
	}
	/* a script's name is no longer taken from any argument: only from the script found */
	in.name = "myscript";
	in.exe = in.exe_path = "/usr/bin/python3.11";
	in.script = NULL;
	static const char cmd2[] = "/usr/bin/python3\0/srv/myscript";
	in.cmdline = cmd2;
	in.cmdline_len = sizeof cmd2 - 1;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	CHECK(find_code(&l, "name-mismatch") != NULL);
	findings_free(&l);
}

static const struct port_info redis = {"redis",
				       "Redis",
				       "portsleuth",
				       "redis-server,redis-sentinel,valkey-server",
				       "no authentication",
				       NULL,
				       false,
				       SVC_NEVER_INTERNET};

TEST(findings_packaged_link_names_the_program)
{
	/* Debian's /usr/bin/redis-server -> redis-check-rdb: the name, the link and the target
	 * agree */
	struct finding_list l = {0};
	struct finding_input in = base_input(&redis);
	in.port = 6379;
	in.uid = 100;
	in.name = "redis-server";
	in.exe = in.exe_path = "/usr/bin/redis-check-rdb";
	in.pkg_name = "redis-tools";
	in.alias = "/usr/bin/redis-server";
	in.alias_pkg = PKG_OWNED;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	CHECK_INT(findings_for_socket(&in, &l), 0);
	CHECK_INT(l.n, 0);
	findings_free(&l);
	/* an /etc/alternatives link (no package lists it) counts as the system's too */
	in.alias_pkg = PKG_UNOWNED;
	in.alias_alternatives = true;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	CHECK_INT(l.n, 0);
	findings_free(&l);
	/* a link someone made by hand does not name the program */
	in.alias_alternatives = false;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	const struct finding *f = find_code(&l, "name-mismatch");
	CHECK(f && f->sev == SEV_WARNING);
	CHECK(find_code(&l, "unexpected-owner") &&
	      find_code(&l, "unexpected-owner")->sev == SEV_NOTICE);
	findings_free(&l);
	/* without the link: the old false alarm is still a mismatch (nothing proves the name) */
	in.alias = NULL;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	CHECK(find_code(&l, "name-mismatch") != NULL);
	findings_free(&l);
}

TEST(findings_script_in_tmp_named_like_a_daemon)
{
	/* #!/usr/bin/python3 in /tmp/x/sshd on port 22: the kernel names the process sshd */
	struct finding_list l = {0};
	struct finding_input in = base_input(&ssh);
	in.exe = in.exe_path = "/usr/bin/python3.11";
	in.pkg_name = "python3.11-minimal";
	in.script = "/tmp/x/sshd";
	in.script_pkg = PKG_UNOWNED;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	const struct finding *f = find_code(&l, "unexpected-owner");
	CHECK(f && f->sev == SEV_ALERT);
	CHECK(f &&
	      strcmp(
		  f->reason,
		  "port 22/tcp (ssh) is normally held by sshd, dropbear; this process calls itself "
		  "sshd but runs /usr/bin/python3.11 with the script /tmp/x/sshd") == 0);
	CHECK(
	    f &&
	    strcmp(f->evidence,
		   "pid 42 sshd, executable /usr/bin/python3.11, from package python3.11-minimal; "
		   "script /tmp/x/sshd (from its arguments), from no package") == 0);
	f = find_code(&l, "name-mismatch");
	CHECK(f && f->sev == SEV_WARNING);
	f = find_code(&l, "script-temp-dir");
	CHECK(f && f->sev == SEV_WARNING &&
	      strcmp(f->evidence, "/tmp/x/sshd run by /usr/bin/python3.11") == 0);
	f = find_code(&l, "script-unpackaged");
	CHECK(f && f->sev == SEV_INFO);
	CHECK(find_code(&l, "exe-temp-dir") == NULL && find_code(&l, "exe-unpackaged") == NULL);
	CHECK_INT(l.n, 4);
	findings_free(&l);
	/* the same script hidden (arguments rewritten): still not taken for sshd */
	in.script = NULL;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	f = find_code(&l, "unexpected-owner");
	CHECK(f && f->sev == SEV_WARNING);
	CHECK(find_code(&l, "name-mismatch") != NULL);
	findings_free(&l);
	/* a script can make things worse, never better: a packaged script named sshd is still
	 * python */
	in.script = "/usr/share/x/sshd";
	in.script_pkg = PKG_OWNED;
	in.script_pkg_name = "x";
	CHECK_INT(findings_for_owner(&in, &l), 0);
	f = find_code(&l, "unexpected-owner");
	CHECK(f && f->sev == SEV_WARNING);
	CHECK(find_code(&l, "name-mismatch") != NULL);
	findings_free(&l);
	/* python3 /var/tmp/app.py on a port nobody owns: the script's place is what matters */
	in = base_input(NULL);
	in.port = 8000;
	in.name = "python3";
	in.exe = in.exe_path = "/usr/bin/python3.11";
	in.script = "/srv/app/app.py";
	in.script_dir_world_writable = true;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	f = find_code(&l, "script-temp-dir");
	CHECK(f &&
	      strcmp(
		  f->evidence,
		  "/srv/app/app.py run by /usr/bin/python3.11 (its directory is world-writable)") ==
		  0);
	CHECK_INT(l.n, 1);
	findings_free(&l);
}

TEST(findings_unexpected_owner)
{
	struct finding_list l = {0};
	struct finding_input in = base_input(&ssh);
	in.name = "python3";
	in.exe = in.exe_path = "/usr/bin/python3.11";
	in.pkg_name = "python3.11-minimal";
	/* only loopback reaches it: the port's number alone makes no more than a notice */
	CHECK_INT(findings_for_owner(&in, &l), 0);
	const struct finding *f = find_code(&l, "unexpected-owner");
	CHECK(f && f->sev == SEV_NOTICE);
	findings_free(&l);
	in.widest = PS_EXPO_PRIVATE;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	f = find_code(&l, "unexpected-owner");
	CHECK(f && f->sev == SEV_WARNING); /* packaged, below 1024 */
	CHECK(f &&
	      strcmp(f->reason,
		     "port 22/tcp (ssh) is normally held by sshd, dropbear, not by python3") == 0);
	CHECK(f && strcmp(f->evidence, "pid 42 python3, executable /usr/bin/python3.11, from "
				       "package python3.11-minimal") == 0);
	findings_free(&l);
	in.port = 2222; /* a high port anyone may bind, and python3 is no name of the list */
	CHECK_INT(findings_for_owner(&in, &l), 0);
	CHECK(find_code(&l, "unexpected-owner") == NULL);
	findings_free(&l);
	/* calls itself sshd, runs from /tmp, no package: an alert */
	in = base_input(&ssh);
	in.exe = in.exe_path = "/tmp/x/sshd";
	in.pkg = PKG_UNOWNED;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	f = find_code(&l, "unexpected-owner");
	CHECK(f && f->sev == SEV_ALERT);
	CHECK(f &&
	      strcmp(
		  f->reason,
		  "port 22/tcp (ssh) is normally held by sshd, dropbear; this process has that "
		  "name but is not an installed one (in a temporary directory, from no package)") ==
		  0);
	CHECK(find_code(&l, "exe-temp-dir") && find_code(&l, "exe-unpackaged"));
	CHECK(find_code(&l, "name-mismatch") == NULL);
	findings_free(&l);
}

TEST(findings_backdoor_port)
{
	struct finding_list l = {0};
	struct finding_input in = base_input(&bo);
	in.port = 31337;
	in.name = "python3.11";
	in.exe = in.exe_path = "/usr/bin/python3.11";
	in.pkg_name = "python3.11-minimal";
	CHECK_INT(findings_for_owner(&in, &l), 0);
	const struct finding *f = find_code(&l, "backdoor-port");
	CHECK(f && f->sev == SEV_NOTICE);
	CHECK(f && strstr(f->reason, "(Back Orifice, Elite)"));
	findings_free(&l);
	in.pkg = PKG_UNKNOWN;
	CHECK_INT(findings_for_owner(&in, &l), 0); /* loopback only: the number alone, a notice */
	CHECK(find_code(&l, "backdoor-port") && find_code(&l, "backdoor-port")->sev == SEV_NOTICE);
	findings_free(&l);
	in.widest = PS_EXPO_PRIVATE;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	CHECK(find_code(&l, "backdoor-port") && find_code(&l, "backdoor-port")->sev == SEV_WARNING);
	findings_free(&l);
	in.pkg = PKG_UNOWNED;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	CHECK(find_code(&l, "backdoor-port") && find_code(&l, "backdoor-port")->sev == SEV_ALERT);
	findings_free(&l);
	in.pkg = PKG_OWNED;
	in.exe = in.exe_path = "/dev/shm/python3.11";
	CHECK_INT(findings_for_owner(&in, &l), 0);
	CHECK(find_code(&l, "backdoor-port") && find_code(&l, "backdoor-port")->sev == SEV_ALERT);
	findings_free(&l);
	/* no visible owner: a socket-level notice */
	in.has_owner = false;
	CHECK_INT(findings_for_socket(&in, &l), 0);
	f = find_code(&l, "backdoor-port");
	CHECK(f && f->sev == SEV_NOTICE && f->pid == -1);
	findings_free(&l);
}

TEST(exposure_classify_groups_and_broadcast)
{
	CHECK_INT(cls4(224, 0, 0, 251), PS_EXPO_LINK_LOCAL); /* mDNS: never forwarded */
	CHECK_INT(cls4(224, 0, 0, 1), PS_EXPO_LINK_LOCAL);
	CHECK_INT(cls4(239, 255, 255, 250), PS_EXPO_PRIVATE); /* SSDP: administratively scoped */
	CHECK_INT(cls4(224, 0, 1, 1), PS_EXPO_PUBLIC);	      /* a global group */
	CHECK_INT(cls4(255, 255, 255, 255), PS_EXPO_LINK_LOCAL);
	CHECK_INT(cls4(10, 77, 0, 255), PS_EXPO_PRIVATE); /* a subnet broadcast is in its subnet */
	CHECK_INT(cls6("ff010000000000000000000000000001"), PS_EXPO_LOOPBACK);
	CHECK_INT(cls6("ff0200000000000000000000000000fb"), PS_EXPO_LINK_LOCAL);
	CHECK_INT(cls6("ff050000000000000000000000000002"), PS_EXPO_PRIVATE);
	CHECK_INT(cls6("ff0e0000000000000000000000000101"), PS_EXPO_PUBLIC);
	CHECK_INT(cls6("00000000000000000000ffffe00000fb"), PS_EXPO_LINK_LOCAL);
}

TEST(exposure_reach_broadcast_and_groups)
{
	struct ps_ifaddr a[4] = {
	    ifa(1, "lo", v4(127, 0, 0, 1)), ifa(2, "pub0", v4(203, 0, 113, 7)),
	    ifa(3, "lan0", v4(10, 77, 0, 5)),
	    ifa(3, "lan0", v4(10, 77, 0, 6)), /* a second address in the same subnet */
	};
	a[1].broadcast = v4(203, 0, 113, 255);
	a[2].broadcast = v4(10, 77, 0, 255);
	a[3].broadcast = v4(10, 77, 0, 255);
	struct ps_ifaddr g[3] = {
	    ifa(2, "pub0", v4(224, 0, 0, 251)),
	    ifa(3, "lan0", v4(239, 255, 255, 250)),
	    ifa(3, "lan0", v6("ff0200000000000000000000000000fb")),
	};
	struct ps_socket k;
	struct reach *r;
	size_t n;
	memset(&k, 0, sizeof k);
	k.proto = PS_UDP;
	k.local.addr = v4(10, 77, 0, 255); /* nmbd: every broadcast on lan0's subnet, once */
	CHECK_INT(exposure_reach(&k, a, 4, g, 3, &r, &n), 0);
	CHECK(n == 1 && strcmp(r[0].ifname, "lan0") == 0 && r[0].addr.bytes[3] == 255);
	CHECK_INT(exposure_widest(&k, r, n, false), PS_EXPO_PRIVATE);
	free(r);
	k.local.addr = v4(255, 255, 255,
			  255); /* the limited broadcast: every interface that has a broadcast */
	CHECK_INT(exposure_reach(&k, a, 4, g, 3, &r, &n), 0);
	CHECK(n == 2 && strcmp(r[0].ifname, "pub0") == 0 && strcmp(r[1].ifname, "lan0") == 0);
	free(r);
	k.ifindex = 3; /* bound to lan0 as well */
	CHECK_INT(exposure_reach(&k, a, 4, g, 3, &r, &n), 0);
	CHECK(n == 1 && strcmp(r[0].ifname, "lan0") == 0);
	free(r);
	k.ifindex = 0;
	k.local.addr = v4(10, 78, 0, 255); /* no subnet of ours: reachable nowhere now */
	CHECK_INT(exposure_reach(&k, a, 4, g, 3, &r, &n), 0);
	CHECK_INT(n, 0);
	free(r);
	k.local.addr = v4(239, 255, 255, 250); /* a group: where it is joined */
	CHECK_INT(exposure_reach(&k, a, 4, g, 3, &r, &n), 0);
	CHECK(n == 1 && strcmp(r[0].ifname, "lan0") == 0 && r[0].addr.bytes[0] == 239);
	CHECK_INT(exposure_widest(&k, r, n, false), PS_EXPO_PRIVATE);
	free(r);
	k.local.addr = v4(224, 0, 0, 251);
	CHECK_INT(exposure_reach(&k, a, 4, g, 3, &r, &n), 0);
	CHECK(n == 1 && strcmp(r[0].ifname, "pub0") == 0);
	CHECK_INT(exposure_widest(&k, r, n, false),
		  PS_EXPO_LINK_LOCAL); /* the link only, even a public one */
	free(r);
	k.local.addr = v6("ff0200000000000000000000000000fb");
	CHECK_INT(exposure_reach(&k, a, 4, g, 3, &r, &n), 0);
	CHECK(n == 1 && strcmp(r[0].ifname, "lan0") == 0);
	free(r);
	k.local.addr = v4(224, 0, 0, 9); /* joined nowhere */
	CHECK_INT(exposure_reach(&k, a, 4, g, 3, &r, &n), 0);
	CHECK_INT(n, 0);
	free(r);
}

TEST(exposure_widest_of_binds)
{
	struct ps_ifaddr a[3] = {ifa(1, "lo", v4(127, 0, 0, 1)), ifa(2, "lan0", v4(10, 77, 0, 5)),
				 ifa(3, "pub0", v4(203, 0, 113, 7))};
	struct ps_socket k;
	struct reach *r;
	size_t n;
	memset(&k, 0, sizeof k);
	k.local.addr = v4(0, 0, 0, 0);
	CHECK_INT(exposure_reach(&k, a, 1, NULL, 0, &r, &n), 0); /* only lo configured: loopback */
	CHECK_INT(exposure_widest(&k, r, n, false), PS_EXPO_LOOPBACK);
	free(r);
	CHECK_INT(exposure_reach(&k, a, 2, NULL, 0, &r, &n), 0); /* a LAN address: private */
	CHECK_INT(exposure_widest(&k, r, n, false), PS_EXPO_PRIVATE);
	free(r);
	CHECK_INT(exposure_reach(&k, a, 3, NULL, 0, &r, &n), 0); /* and a public one: public */
	CHECK_INT(exposure_widest(&k, r, n, false), PS_EXPO_PUBLIC);
	free(r);
	CHECK_INT(exposure_widest(&k, NULL, 0, true),
		  PS_EXPO_PUBLIC); /* addresses unknown: assume the worst */
	k.local.addr =
	    v4(203, 0, 113, 9); /* bound to a public address not configured now (freebind) */
	CHECK_INT(exposure_widest(&k, NULL, 0, false), PS_EXPO_PUBLIC);
	k.local.addr = v4(127, 0, 0, 1);
	CHECK_INT(exposure_widest(&k, NULL, 0, true), PS_EXPO_LOOPBACK);
}

/* ---------------------------------------------------------------- the policy */

TEST(policy_table_every_row)
{
	/* columns: loopback, link-local, private, public, all-interfaces (counted as public) */
	static const struct {
		unsigned cls;
		bool risk;
		int sev[PS_EXPO__COUNT];
	} rows[] = {
	    {SVC_NEVER_INTERNET, true, {-1, SEV_NOTICE, SEV_WARNING, SEV_ALERT, SEV_ALERT}},
	    {SVC_NEVER_INTERNET, false, {-1, SEV_NOTICE, SEV_WARNING, SEV_ALERT, SEV_ALERT}},
	    {SVC_LAN_ONLY, true, {-1, -1, SEV_NOTICE, SEV_ALERT, SEV_ALERT}},
	    {SVC_LAN_ONLY, false, {-1, -1, SEV_NOTICE, SEV_ALERT, SEV_ALERT}},
	    {SVC_UNCLASSIFIED, true, {-1, SEV_INFO, SEV_NOTICE, SEV_WARNING, SEV_WARNING}},
	    {SVC_UNCLASSIFIED, false, {-1, -1, -1, -1, -1}},
	    {SVC_PUBLIC_OK, true, {-1, -1, -1, SEV_NOTICE, SEV_NOTICE}},
	    {SVC_PUBLIC_OK, false, {-1, -1, -1, -1, -1}},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		for (int e = 0; e < PS_EXPO__COUNT; e++) {
			int got = exposure_severity(rows[i].cls, rows[i].risk, (enum ps_exposure)e);
			if (got != rows[i].sev[e])
				fprintf(stderr, "class %s risk %d reach %s: %d, want %d\n",
					svc_class_name(rows[i].cls), rows[i].risk,
					exposure_name((enum ps_exposure)e), got, rows[i].sev[e]);
			CHECK_INT(got, rows[i].sev[e]);
		}
	CHECK_INT(exposure_severity(SVC__COUNT, true, PS_EXPO_PUBLIC), -1);
	CHECK_STR(exposure_code(PS_EXPO_PUBLIC), "public-exposure");
	CHECK_STR(exposure_code(PS_EXPO_PRIVATE), "private-exposure");
	CHECK_STR(exposure_code(PS_EXPO_LINK_LOCAL), "link-local-exposure");
}

TEST(policy_knowledge_base_classes)
{
	struct registry r;
	memset(&r, 0, sizeof r);
	struct port_info pi;
	/* what the issue names: SMB/NetBIOS, RDP, telnet, VNC, databases, caches, container APIs
	 * never face the Internet; SMB file sharing is what a LAN server is for (lan-only: a
	 * notice on a LAN, an alert from the Internet) */
	static const struct {
		uint16_t port;
		unsigned proto, cls;
	} want[] = {
	    {445, PS_TCP, SVC_LAN_ONLY},	 {139, PS_TCP, SVC_LAN_ONLY},
	    {137, PS_UDP, SVC_LAN_ONLY},	 {138, PS_UDP, SVC_LAN_ONLY},
	    {3389, PS_TCP, SVC_NEVER_INTERNET},	 {23, PS_TCP, SVC_NEVER_INTERNET},
	    {5900, PS_TCP, SVC_NEVER_INTERNET},	 {5432, PS_TCP, SVC_NEVER_INTERNET},
	    {3306, PS_TCP, SVC_NEVER_INTERNET},	 {1433, PS_TCP, SVC_NEVER_INTERNET},
	    {1521, PS_TCP, SVC_NEVER_INTERNET},	 {27017, PS_TCP, SVC_NEVER_INTERNET},
	    {9200, PS_TCP, SVC_NEVER_INTERNET},	 {9042, PS_TCP, SVC_NEVER_INTERNET},
	    {5984, PS_TCP, SVC_NEVER_INTERNET},	 {6379, PS_TCP, SVC_NEVER_INTERNET},
	    {11211, PS_TCP, SVC_NEVER_INTERNET}, {11211, PS_UDP, SVC_NEVER_INTERNET},
	    {2375, PS_TCP, SVC_NEVER_INTERNET},	 {111, PS_TCP, SVC_LAN_ONLY},
	    {111, PS_UDP, SVC_LAN_ONLY},	 {161, PS_UDP, SVC_LAN_ONLY},
	    {2049, PS_TCP, SVC_LAN_ONLY},	 {6000, PS_TCP, SVC_NEVER_INTERNET},
	    {389, PS_TCP, SVC_LAN_ONLY},	 {10250, PS_TCP, SVC_NEVER_INTERNET},
	    {2379, PS_TCP, SVC_NEVER_INTERNET},	 {22, PS_TCP, SVC_PUBLIC_OK},
	    {80, PS_TCP, SVC_PUBLIC_OK},	 {443, PS_TCP, SVC_PUBLIC_OK},
	    {25, PS_TCP, SVC_PUBLIC_OK},	 {53, PS_UDP, SVC_PUBLIC_OK},
	    {123, PS_UDP, SVC_PUBLIC_OK},	 {5353, PS_UDP, SVC_PUBLIC_OK},
	    {8080, PS_TCP, SVC_UNCLASSIFIED},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		CHECK(registry_lookup(&r, want[i].port, want[i].proto, &pi));
		if (pi.svc_class != want[i].cls)
			fprintf(stderr, "%u/%u: class %u, want %u\n", want[i].port, want[i].proto,
				pi.svc_class, want[i].cls);
		CHECK_INT(pi.svc_class, want[i].cls);
	}
	/* every entry that must stay off the Internet says why, and only why: where it may be
	 * reached is the class's to say, and a finding from the local link must not talk of the
	 * Internet */
	for (size_t i = 0; i < kb_nports; i++) {
		const char *risk = kb_ports[i].risk;
		if (kb_ports[i].svc_class == SVC_NEVER_INTERNET ||
		    kb_ports[i].svc_class == SVC_LAN_ONLY)
			CHECK(risk != NULL);
		if (risk && (strstr(risk, "Internet") || strstr(risk, "never expose"))) {
			fprintf(stderr, "%u: risk text says where: %s\n", kb_ports[i].port, risk);
			CHECK(false);
		}
	}
	/* a user file's class (field 8), and a bad one */
	CHECK_INT(user_text(&r, "/u",
			    "6380\ttcp\tmyredis\tredis-server\tno auth\t-\tours\tnever-internet\n"
			    "6381\ttcp\tx\t-\t-\t-\tx\tsometimes\n"
			    "6382\ttcp\ty\t-\t-\t-\ty\t-\n"),
		  0);
	CHECK(registry_lookup(&r, 6380, PS_TCP, &pi) && pi.svc_class == SVC_NEVER_INTERNET);
	CHECK(registry_lookup(&r, 6382, PS_TCP, &pi) && pi.svc_class == SVC_UNCLASSIFIED);
	CHECK_INT(r.nwarnings, 1);
	if (r.nwarnings == 1) {
		CHECK_INT(r.warnings[0].line, 2);
		CHECK_STR(r.warnings[0].why,
			  "the class is not never-internet, lan-only, public-ok or -");
	}
	CHECK_INT(svc_class_parse("lan-only", 8), SVC_LAN_ONLY);
	CHECK_INT(svc_class_parse("-", 1), SVC_UNCLASSIFIED);
	CHECK_INT(svc_class_parse("public", 6), -1);
	CHECK(svc_class_name(SVC_UNCLASSIFIED) == NULL);
	registry_free(&r);
}

TEST(policy_link_local_smb_speaks_of_the_link)
{
	/* the review's case: smbd's [::]:445 reached only from fe80:: addresses: SMB is what a
	 * LAN server is for (no finding from the link), and a never-internet service's finding
	 * from there speaks of the link */
	struct registry r;
	memset(&r, 0, sizeof r);
	struct port_info pi, kv;
	CHECK(registry_lookup(&r, 445, PS_TCP, &pi));
	CHECK(registry_lookup(&r, 6379, PS_TCP, &kv));
	struct finding_list l = {0};
	struct finding_input in = base_input(&pi);
	in.port = 445;
	in.scope = PS_EXPO_ALL;
	in.widest = PS_EXPO_LINK_LOCAL;
	in.reach_text = "eth0 fe80::1";
	CHECK_INT(findings_for_socket(&in, &l), 0);
	CHECK(find_code(&l, "link-local-exposure") == NULL);
	findings_free(&l);
	in.svc = &kv;
	in.port = 6379;
	CHECK_INT(findings_for_socket(&in, &l), 0);
	const struct finding *f = find_code(&l, "link-local-exposure");
	CHECK(f && f->sev == SEV_NOTICE);
	CHECK(f && strncmp(f->reason,
			   "redis on 6379/tcp is reachable from the local link; allow only the "
			   "hosts that need it: ",
			   80) == 0);
	findings_free(&l);
	/* the knowledge base's Windows note is for Windows: SMB on Linux is smbd, not pid 4 */
#ifdef _WIN32
	CHECK_STR(pi.desc, "SMB file sharing over TCP (Windows: the kernel, pid 4 System)");
#else
	CHECK_STR(pi.desc, "SMB file sharing over TCP");
#endif
	registry_free(&r);
}

TEST(policy_risk_fits_the_owner)
{
	const char *t;
	size_t n;
	static const char ntp[] = "{ntpd} monlist queries make old ntpd servers a flood amplifier";
	CHECK(registry_risk_select(ntp, "ntpd", "ntpd", &t, &n) && strncmp(t, "monlist", 7) == 0 &&
	      n == strlen(ntp) - 7);
	CHECK(!registry_risk_select(ntp, "chronyd", "chronyd", &t, &n) &&
	      t == NULL); /* chrony has no monlist */
	CHECK(!registry_risk_select(ntp, NULL, NULL, &t, &n));
	static const char web[] =
	    "{java,jenkins} admin consoles live here|{registry} images|anything";
	CHECK(registry_risk_select(web, "nginx", "nginx", &t, &n) && n == 8 &&
	      strncmp(t, "anything", 8) == 0);
	CHECK(registry_risk_select(web, "java", "java", &t, &n) && n == 24 &&
	      strncmp(t, "admin consoles live here", n) == 0);
	CHECK(registry_risk_select(web, "x", "registry", &t, &n) &&
	      n == 6); /* by the executable's name too */
	CHECK(registry_risk_select("plain text", NULL, NULL, &t, &n) && n == 10);
	struct buf b = {0};
	CHECK_INT(registry_risk_describe(web, &b), 0);
	CHECK_STR(b.data, "when held by java or jenkins: admin consoles live here; when held by "
			  "registry: images; anything");
	buf_free(&b);
	/* the knowledge base says so for ntpd and Tomcat only */
	struct registry r;
	memset(&r, 0, sizeof r);
	struct port_info pi;
	CHECK(registry_lookup(&r, 123, PS_UDP, &pi));
	CHECK(!registry_risk_select(pi.risk, "chronyd", "chronyd", &t, &n));
	CHECK(registry_risk_select(pi.risk, "ntpd", "ntpd", &t, &n));
	CHECK(registry_lookup(&r, 8080, PS_TCP, &pi));
	CHECK(!registry_risk_select(pi.risk, "nginx", "nginx", &t, &n));
	CHECK(registry_risk_select(pi.risk, "java", "java", &t, &n) && strstr(t, "admin consoles"));
	registry_free(&r);
}

static const struct port_info smb = {
    "microsoft-ds",	    "SMB", "portsleuth", "smbd,samba",
    "SMB is a worm target", NULL,  false,	 SVC_NEVER_INTERNET};
static const struct port_info nbns = {"netbios-ns",  NULL, "portsleuth", "nmbd",
				      "leaks names", NULL, false,	 SVC_LAN_ONLY};
static const struct port_info web = {"http", NULL, "portsleuth", "nginx",
				     NULL,   NULL, false,	 SVC_PUBLIC_OK};

TEST(findings_exposure_follows_the_policy)
{
	struct finding_list l = {0};
	struct finding_input in = base_input(&smb);
	in.port = 445;
	in.name = "smbd";
	in.exe = "/usr/sbin/smbd";
	in.scope = PS_EXPO_ALL;
	in.widest = PS_EXPO_LOOPBACK; /* a wildcard on a machine with loopback only: nothing */
	CHECK_INT(findings_for_socket(&in, &l), 0);
	CHECK_INT(l.n, 0);
	in.widest = PS_EXPO_PUBLIC;
	in.reach_text = "pub0 203.0.113.7";
	CHECK_INT(findings_for_socket(&in, &l), 0);
	const struct finding *f = find_code(&l, "public-exposure");
	CHECK(f && f->sev == SEV_ALERT && f->pid == -1);
	CHECK(f && strcmp(f->reason, "microsoft-ds on 445/tcp is reachable from public addresses, "
				     "and must never face the "
				     "Internet: SMB is a worm target") == 0);
	CHECK(f &&
	      strcmp(f->evidence,
		     "bound to all-interfaces addresses; reachable now on: pub0 203.0.113.7") == 0);
	findings_free(&l);
	in.widest = PS_EXPO_PRIVATE;
	in.reach_text = "lan0 10.77.0.5";
	CHECK_INT(findings_for_socket(&in, &l), 0);
	f = find_code(&l, "private-exposure");
	CHECK(f && f->sev == SEV_WARNING);
	CHECK(
	    f &&
	    strcmp(
		f->reason,
		"microsoft-ds on 445/tcp is reachable from a private network; allow only the hosts "
		"that need it: SMB is a worm target") == 0);
	findings_free(&l);
	/* NetBIOS names on a LAN: a notice; on the Internet: an alert */
	in.svc = &nbns;
	in.port = 137;
	in.proto = PS_UDP;
	CHECK_INT(findings_for_socket(&in, &l), 0);
	CHECK(l.n == 1 && l.f[0].sev == SEV_NOTICE && strcmp(l.f[0].code, "private-exposure") == 0);
	findings_free(&l);
	in.widest = PS_EXPO_PUBLIC;
	CHECK_INT(findings_for_socket(&in, &l), 0);
	CHECK(l.n == 1 && l.f[0].sev == SEV_ALERT);
	findings_free(&l);
	/* ssh from the Internet: a notice with its risk; http: nothing */
	in = base_input(&ssh);
	in.svc = &(struct port_info){"ssh",	 NULL, "portsleuth", "sshd",
				     "guessing", NULL, false,	     SVC_PUBLIC_OK};
	in.scope = PS_EXPO_ALL;
	in.widest = PS_EXPO_PUBLIC;
	CHECK_INT(findings_for_socket(&in, &l), 0);
	CHECK(l.n == 1 && l.f[0].sev == SEV_NOTICE &&
	      strcmp(l.f[0].reason, "ssh on 22/tcp is reachable from public addresses: guessing") ==
		  0);
	findings_free(&l);
	in.widest = PS_EXPO_PRIVATE;
	CHECK_INT(findings_for_socket(&in, &l), 0);
	CHECK_INT(l.n, 0);
	in.svc = &web;
	in.widest = PS_EXPO_PUBLIC;
	CHECK_INT(findings_for_socket(&in, &l), 0);
	CHECK_INT(l.n, 0);
	findings_free(&l);
}

TEST(findings_root_public)
{
	struct finding_list l = {0};
	/* packaged sshd run as root, as its package runs it: nothing an administrator can change */
	struct finding_input in = base_input(&ssh);
	in.widest = PS_EXPO_PUBLIC;
	in.reach_text = "eth0 203.0.113.7";
	CHECK_INT(findings_for_owner(&in, &l), 0);
	CHECK(find_code(&l, "root-public") == NULL);
	findings_free(&l);
	/* the same program from no package: a notice that says what to do */
	in.pkg = PKG_UNOWNED;
	in.pkg_name = NULL;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	const struct finding *f = find_code(&l, "root-public");
	CHECK(f && f->sev == SEV_NOTICE);
	CHECK(f && strstr(f->reason, "run it as an unprivileged user") != NULL);
	CHECK(f && strcmp(f->evidence, "pid 42 sshd runs as uid 0, executable from no package; "
				       "reachable now on: eth0 203.0.113.7") == 0);
	findings_free(&l);
	/* ... unless the workers of its pre-fork group, which serve the connections, are not root
	 */
	in.workers_unprivileged = true;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	CHECK(find_code(&l, "root-public") == NULL);
	findings_free(&l);
	in.workers_unprivileged = false;
	/* a packaged interpreter running a script from no package: the admin can act */
	in = base_input(&ssh);
	in.widest = PS_EXPO_PUBLIC;
	in.name = "python3";
	in.exe = in.exe_path = "/usr/bin/python3.11";
	in.pkg_name = "python3.11-minimal";
	in.script = "/srv/app/serve.py";
	in.script_pkg = PKG_UNOWNED;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	f = find_code(&l, "root-public");
	CHECK(f && f->sev == SEV_NOTICE);
	findings_free(&l);
	/* no package database: the port's own daemon cannot be judged, another program can */
	in = base_input(&ssh);
	in.widest = PS_EXPO_PUBLIC;
	in.pkg = PKG_UNKNOWN;
	in.pkg_name = NULL;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	CHECK(find_code(&l, "root-public") == NULL);
	findings_free(&l);
	in.name = "myd";
	in.exe = in.exe_path = "/opt/myd/bin/myd";
	CHECK_INT(findings_for_owner(&in, &l), 0);
	CHECK(find_code(&l, "root-public") != NULL);
	findings_free(&l);
	/* no public address reaches it, or not root: nothing */
	in = base_input(&ssh);
	in.pkg = PKG_UNOWNED;
	in.widest = PS_EXPO_PRIVATE;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	CHECK(find_code(&l, "root-public") == NULL);
	findings_free(&l);
	in.widest = PS_EXPO_PUBLIC;
	in.uid = 1000;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	CHECK(find_code(&l, "root-public") == NULL);
	findings_free(&l);
}

TEST(findings_installed_programs_name_on_another)
{
	/* a copy of something called sshd in /tmp while openssh-server's /usr/sbin/sshd is
	 * installed */
	struct finding_list l = {0};
	struct finding_input in = base_input(&ssh);
	in.exe = in.exe_path = "/tmp/x/sshd";
	in.pkg = PKG_UNOWNED;
	in.name_holder = "/usr/sbin/sshd";
	in.holder_pkg = PKG_OWNED;
	in.holder_pkg_name = "openssh-server";
	CHECK_INT(findings_for_owner(&in, &l), 0);
	const struct finding *f = find_code(&l, "name-mismatch");
	CHECK(f && f->sev == SEV_WARNING);
	CHECK(f &&
	      strcmp(
		  f->reason,
		  "the process calls itself sshd, the name of the program that normally holds this "
		  "port, the name of the installed program /usr/sbin/sshd (package "
		  "openssh-server), but runs /tmp/x/sshd") == 0);
	CHECK(find_code(&l, "unexpected-owner") &&
	      find_code(&l, "unexpected-owner")->sev == SEV_ALERT);
	findings_free(&l);
	/* on a port nobody owns: a notice */
	in.svc = NULL;
	in.port = 4000;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	f = find_code(&l, "name-mismatch");
	CHECK(f && f->sev == SEV_NOTICE);
	findings_free(&l);
	/* the same package's other file (a second binary of one package) is no borrowing */
	in.pkg = PKG_OWNED;
	in.pkg_name = "openssh-server";
	CHECK_INT(findings_for_owner(&in, &l), 0);
	CHECK(find_code(&l, "name-mismatch") == NULL);
	findings_free(&l);
	/* nor is a name whose holder no package installed */
	in.pkg = PKG_UNOWNED;
	in.holder_pkg = PKG_UNOWNED;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	CHECK(find_code(&l, "name-mismatch") == NULL);
	findings_free(&l);
}

/* redis reached from a private network through a firewall that lets in only one host (ufw's
 * "allow from 10.77.0.2 to any port 6379"): the advice followed, a notice naming it; from
 * public addresses the same restriction stays an alert. */
TEST(policy_firewall_sources_only)
{
	struct registry r;
	memset(&r, 0, sizeof r);
	struct port_info kv;
	CHECK(registry_lookup(&r, 6379, PS_TCP, &kv));
	struct finding_list l = {0};
	struct finding_input in = base_input(&kv);
	in.port = 6379;
	in.scope = PS_EXPO_ALL;
	in.widest = PS_EXPO_PRIVATE;
	in.reach_text = "eth0 10.77.0.1 from 10.77.0.2";
	CHECK_INT(findings_for_socket(&in, &l), 0);
	const struct finding *f = find_code(&l, "private-exposure");
	CHECK(f && f->sev == SEV_WARNING);
	findings_free(&l);
	in.widest_sources = "10.77.0.2";
	CHECK_INT(findings_for_socket(&in, &l), 0);
	f = find_code(&l, "private-exposure");
	CHECK(f && f->sev == SEV_NOTICE);
	CHECK(f && strstr(f->reason, "reachable from a private network (the firewall lets in only "
				     "10.77.0.2): ") != NULL);
	findings_free(&l);
	in.widest = PS_EXPO_PUBLIC;
	in.widest_sources = "198.51.100.0/24";
	CHECK_INT(findings_for_socket(&in, &l), 0);
	f = find_code(&l, "public-exposure");
	CHECK(f && f->sev == SEV_ALERT);
	findings_free(&l);
	registry_free(&r);
}

/* node /tmp/x/server.js on 127.0.0.1:3000 (a developer's scratch directory, not world-writable):
 * a notice; the same from a world-writable directory, or reachable beyond loopback, a warning;
 * go run's binary under /tmp/go-build... likewise. */
TEST(findings_dev_server_under_tmp)
{
	struct port_info none;
	memset(&none, 0, sizeof none);
	struct finding_list l = {0};
	struct finding_input in = base_input(&none);
	in.port = 3000;
	in.name = "node";
	in.exe = in.exe_path = "/usr/bin/node";
	in.pkg_name = "nodejs";
	in.script = "/tmp/x/server.js";
	in.script_pkg = PKG_UNOWNED;
	in.widest = PS_EXPO_LOOPBACK;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	const struct finding *f = find_code(&l, "script-temp-dir");
	CHECK(f && f->sev == SEV_NOTICE);
	findings_free(&l);
	in.script_dir_world_writable = true;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	f = find_code(&l, "script-temp-dir");
	CHECK(f && f->sev == SEV_WARNING);
	findings_free(&l);
	in.script_dir_world_writable = false;
	in.widest = PS_EXPO_PRIVATE;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	f = find_code(&l, "script-temp-dir");
	CHECK(f && f->sev == SEV_WARNING);
	findings_free(&l);
	in.widest = PS_EXPO_LOOPBACK;
	in.script = NULL;
	in.name = "main";
	in.exe = in.exe_path = "/tmp/go-build1234/b001/exe/main";
	in.pkg = PKG_UNOWNED;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	f = find_code(&l, "exe-temp-dir");
	CHECK(f && f->sev == SEV_NOTICE);
	findings_free(&l);
	in.exe_check.dir_world_writable = true;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	f = find_code(&l, "exe-temp-dir");
	CHECK(f && f->sev == SEV_WARNING);
	findings_free(&l);
}
