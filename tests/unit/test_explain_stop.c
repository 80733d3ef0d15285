/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_explain_stop.c — explain's stop advice: a unit stopped now and disabled for good, a
 * user's unit through that user's manager, names quoted for the shell or refused, every
 * member of a pre-forking group (issues 19 and 21). */
#include <stdlib.h>
#include <string.h>

#include "../../src/enrich/oswords.h"
#include "../../src/enrich/registry.h"
#include "../../src/enrich/verdict.h"
#include "../../src/output/explain.h"
#include "test.h"
#include "testutil.h"

static long add(struct ps_snapshot *s, int pid, const char *unit, const char *type, uint16_t port)
{
	long i = snap_add_proc(s, pid);
	struct ps_socket *k = snap_add_socket(s);
	if (i < 0 || !k)
		abort();
	s->procs[i].name = strdup("srv");
	s->procs[i].unit = unit ? strdup(unit) : NULL;
	s->procs[i].unit_type = type;
	k->proto = PS_TCP;
	k->state = PS_ST_LISTEN;
	k->local.addr.family = k->remote.addr.family = PS_INET;
	k->local.port = port;
	k->inode = 100 + s->nsocks;
	k->owner_status = PS_OWN_OK;
	if (snap_add_owner(s, (uint32_t)(s->nsocks - 1), (uint32_t)i, 3))
		abort();
	return i;
}

static char *explain(const struct ps_snapshot *s, bool json)
{
	char *text = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&text, &n);
	struct explain_port e = {.port = 80, .proto = -1};
	if (!fp)
		abort();
	CHECK_INT(json ? render_explain_json(fp, s, &e) : render_explain_text(fp, s, &e), 0);
	fclose(fp);
	return text;
}

static void judge(struct ps_snapshot *s)
{
	struct registry reg;
	memset(&reg, 0, sizeof reg);
	snap_group_owners(s);
	if (verdicts_compute(s, &reg, NULL))
		abort();
	registry_free(&reg);
}

TEST(explain_stop_for_good)
{
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	s.os = &test_linux_words;
	static struct ps_username users[] = {{1001, (char *)"alice"}};
	s.usernames = users;
	s.nusernames = 1;
	add(&s, 40, "nginx.service", "system", 80);
	long u = add(&s, 41, "app.service", "user", 80);
	s.procs[u].unit_uid = 1001;
	s.procs[u].have_unit_uid = true;
	add(&s, 42, NULL, NULL, 80);
	judge(&s);
	char *t = explain(&s, false);
	if (getenv("SHOW"))
		fputs(t, stderr);
	CHECK(strstr(
	    t, "to stop it: systemctl stop nginx.service (for now: an enabled unit starts again at "
	       "boot)\n    to stop it for good: systemctl disable --now nginx.service\n"));
	/* another user's unit: root's --user would talk to root's own manager */
	CHECK(strstr(t, "unit:     app.service (a user unit: run by the service manager of user "
			"alice, not the system's)\n"));
	CHECK(strstr(t, "to stop it: systemctl --user -M alice@ stop app.service"));
	CHECK(strstr(
	    t, "to stop it for good: systemctl --user -M alice@ disable --now app.service\n"));
	CHECK(strstr(t, "to stop it: kill 42\n"));
	CHECK(!strstr(t, "disable --now 42") && !strstr(t, "kill 40"));
	free(t);
	t = explain(&s, true);
	CHECK(strstr(t, "{\"pid\":40,\"command\":\"systemctl stop nginx.service\",\"for_good\":"
			"\"systemctl disable --now nginx.service\"}"));
	CHECK(strstr(t, "{\"pid\":42,\"command\":\"kill 42\"}"));
	free(t);
	s.usernames = NULL; /* not ours to free */
	s.nusernames = 0;
	snap_free(&s);
}

TEST(explain_stop_quotes_or_refuses_names)
{
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	s.os = &test_linux_words;
	add(&s, 50, "$(touch /x)'.service", "system", 80);
	add(&s, 51, "a\x1b]0;b.service", "system", 80);
	long u = add(&s, 52, "app.service", "user", 80); /* its user has no name: no manager */
	s.procs[u].unit_uid = 4242;
	s.procs[u].have_unit_uid = true;
	judge(&s);
	char *t = explain(&s, true);
	if (getenv("SHOW"))
		fputs(t, stderr);
	CHECK(strstr(t, "\"command\":\"systemctl stop '$(touch /x)'\\\\''.service'\""));
	CHECK(strstr(t, "{\"pid\":51,\"command\":\"kill 51\",\"not_the_unit\":"));
	CHECK(strstr(t, "{\"pid\":52,\"command\":\"kill 52\",\"not_the_unit\":"));
	free(t);
	t = explain(&s, false);
	CHECK(strstr(t, "to stop it: kill 51 (a name in the unit's command cannot be given to a "
			"shell safely: not its unit)\n"));
	CHECK(!strstr(t, "disable --now a"));
	/* shown as it must be pasted: the quote's backslash is not doubled by the escaping */
	CHECK(strstr(t, "to stop it: systemctl stop '$(touch /x)'\\''.service' (for now"));
	free(t);
	snap_free(&s);
}

TEST(explain_stop_whole_group)
{
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	s.os = &test_linux_words;
	add(&s, 60, NULL, NULL, 80);
	long w1 = add(&s, 61, NULL, NULL, 81), w2 = add(&s, 62, NULL, NULL, 82);
	s.procs[w1].group_root = s.procs[w2].group_root = 60;
	judge(&s);
	char *t = explain(&s, true);
	CHECK(strstr(t, "\"stop\":[{\"pid\":60,\"command\":\"kill 60 61 62\"}]"));
	free(t);
	snap_free(&s);
}

/* A socket whose table said when it was made (Windows) says so; one without says nothing. */
TEST(explain_socket_created)
{
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	add(&s, 40, NULL, NULL, 80);
	add(&s, 41, NULL, NULL, 80);
	CHECK_INT(snap_set_created(&s, &s.socks[0], 1777627812), 0);
	judge(&s);
	proc_more_get(&s.procs[0])->file_description = strdup("Demo\x1b[2J server");
	proc_more_get(&s.procs[0])->file_company = strdup("Contoso");
	proc_more_get(&s.procs[0])->file_version = strdup("1.2.3.4");
	char *t = explain(&s, false);
	CHECK(strstr(t,
		     "    says:     Demo\\x1b[2J server, by Contoso, version 1.2.3.4 (its version "
		     "resource: what the file claims, not who signed it)\n"));
	CHECK(!strstr(strstr(t, "    says:") + 1, "    says:")); /* pid 41 says nothing */
	CHECK(strstr(t, "  Created: 2026-05-01 09:30:12 UTC (the socket table says when it was "
			"opened)\n"));
	CHECK(!strstr(strstr(t, "Created:") + 1, "Created:"));
	free(t);
	t = explain(&s, true);
	CHECK(strstr(t, "\"created\":\"2026-05-01T09:30:12Z\""));
	CHECK(!strstr(strstr(t, "\"created\"") + 1, "\"created\""));
	free(t);
	snap_free(&s);
}

/* A kernel (pid 4) listener says which http.sys URL reservations are on its port, and that
 * which process registered them is not known; a process's listener and other ports do not. */
TEST(explain_http_sys_reservations)
{
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	add(&s, 40, NULL, NULL, 80);
	struct ps_socket *k = snap_add_socket(&s); /* pid 4's: no process */
	CHECK(k != NULL);
	k->proto = PS_TCP, k->state = PS_ST_LISTEN, k->owner_status = PS_OWN_KERNEL;
	k->local.addr.family = k->remote.addr.family = PS_INET, k->local.port = 80;
	s.urlacls = calloc(2, sizeof *s.urlacls);
	CHECK(s.urlacls != NULL);
	s.nurlacls = 2;
	s.urlacls[0] = (struct ps_urlacl){strdup("http://+:80/Temporary_Listen_Addresses/"),
					  strdup("D:(A;;GX;;;WD)"), 80};
	s.urlacls[1] = (struct ps_urlacl){strdup("http://+:5985/wsman/"), NULL, 5985};
	judge(&s);
	char *t = explain(&s, false);
	if (getenv("SHOW"))
		fputs(t, stderr);
	CHECK(strstr(t, "  http.sys URL reservations on this port (who may register them; which "
			"process did is told by no documented call):\n    "
			"http://+:80/Temporary_Listen_Addresses/  D:(A;;GX;;;WD)\n"));
	CHECK(!strstr(t, "5985"));
	CHECK(!strstr(strstr(t, "http.sys URL") + 1, "http.sys URL")); /* not for pid 40's */
	free(t);
	t = explain(&s, true);
	CHECK(strstr(t, "\"http_reservations\":[{\"url\":\"http://+:80/Temporary_Listen_Addresses/"
			"\",\"sddl\":\"D:(A;;GX;;;WD)\"}]"));
	CHECK(!strstr(strstr(t, "http_reservations") + 1, "http_reservations"));
	free(t);
	snap_free(&s);
}

/* The listener that serves a netsh interface portproxy rule (the IP Helper service's) says where
 * it relays to, and the forwards list says it is a port proxy, not a NAT rule. */
TEST(explain_portproxy_listener_relays)
{
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	add(&s, 40, "iphlpsvc", "service", 80);
	judge(&s);
	s.firewall = calloc(1, sizeof *s.firewall);
	CHECK(s.firewall != NULL);
	s.firewall->fwd = calloc(1, sizeof *s.firewall->fwd);
	CHECK(s.firewall->fwd != NULL);
	s.firewall->nfwd = 1;
	struct ps_forward *f = s.firewall->fwd;
	f->proto = "tcp", f->family = 4, f->port = f->port_end = 80, f->kind = "portproxy";
	f->to_addr = strdup("172.20.1.2"), f->to_port = f->to_port_end = 8080;
	f->rule_family = strdup("netsh"), f->rule_table = strdup("interface portproxy");
	f->rule_chain = strdup("v4tov4");
	char *t = explain(&s, false);
	if (getenv("SHOW"))
		fputs(t, stderr);
	CHECK(strstr(t, "  Relays to: 172.20.1.2:8080 (netsh interface portproxy v4tov4: the IP "
			"Helper service accepts and relays each connection)\n"));
	CHECK(strstr(t, "\nForwarded by netsh interface portproxy (the IP Helper service listens "
			"there and relays):\n  tcp  *:80  forwarded to 172.20.1.2:8080  by netsh "
			"interface portproxy v4tov4"));
	CHECK(!strstr(t, "NAT"));
	free(t);
	f->port = f->port_end = 81; /* another port's proxy: not this listener's */
	t = explain(&s, false);
	CHECK(!strstr(t, "Relays to"));
	free(t);
	snap_free(&s);
}

/* The service that holds a socket of a Windows service process, named by the socket's tag. */
static void tag(struct ps_snapshot *s, const char *service)
{
	size_t n = s->nsockcgs + 1;
	s->sockcgs = realloc(s->sockcgs, n * sizeof *s->sockcgs);
	if (!s->sockcgs)
		abort();
	s->sockcgs[n - 1] = (struct ps_sockcg){
	    .unit = strdup(service), .unit_type = "service", .source = "service-tag"};
	s->nsockcgs = n;
	s->socks[s->nsocks - 1].sockcg = (uint32_t)n;
}

/*
 * Windows (issue 22): a service by its own name for cmd.exe and PowerShell, quoted for each; the
 * service of a shared svchost.exe named by the socket's tag, with the warning that ending the
 * process would stop every service in it, and no command at all when the tag is not known (never
 * taskkill of a shared svchost); taskkill /PID for a plain process, /F only as the second step;
 * nothing for pid 4 (System).
 */
TEST(explain_stop_windows_services)
{
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	s.os = &test_windows_words;
	add(&s, 2280, "Dnscache,nsi,LanmanWorkstation", "service", 80);
	tag(&s, "Dnscache");
	add(&s, 1044, "RpcSs,RpcEptMapper", "service", 80); /* no tag */
	add(&s, 4120, "Contoso Update", "service", 80);
	add(&s, 4200, "MSSQL$SQLEXPRESS", "service", 80);
	add(&s, 4300, "bad\"%name", "service", 80); /* cmd cannot take it: end the process */
	add(&s, 6160, NULL, NULL, 80);
	add(&s, 1500, "Themes,bad%tag", "service", 80); /* its tag names what cmd cannot take */
	tag(&s, "bad%tag");
	struct ps_socket *k = snap_add_socket(&s); /* System: SMB, http.sys */
	k->proto = PS_TCP;
	k->state = PS_ST_LISTEN;
	k->local.addr.family = k->remote.addr.family = PS_INET;
	k->local.port = 80;
	k->owner_status = PS_OWN_KERNEL;
	judge(&s);
	char *t = explain(&s, false);
	if (getenv("SHOW"))
		fputs(t, stderr);
	CHECK(strstr(t, "to stop it: sc.exe stop Dnscache (PowerShell: Stop-Service -Name "
			"Dnscache)\n    shared:   srv (pid 2280) runs the services Dnscache, nsi, "
			"LanmanWorkstation: ending that process would stop every one of them; stop "
			"the service, never the process\n"));
	CHECK(strstr(t, "to stop it: its process runs several services (RpcSs, RpcEptMapper) "
			"and the system did not say which one holds this port: stop that one "
			"(sc.exe stop NAME), never the process\n"));
	CHECK(strstr(t, "to stop it: sc.exe stop \"Contoso Update\" (PowerShell: Stop-Service "
			"-Name 'Contoso Update')\n"));
	CHECK(strstr(t, "to stop it: sc.exe stop MSSQL$SQLEXPRESS (PowerShell: Stop-Service -Name "
			"'MSSQL$SQLEXPRESS')\n"));
	CHECK(strstr(t, "to stop it: taskkill /PID 4300 (if it does not end: taskkill /F /PID "
			"4300) (the service's name cannot be given to a shell safely: not its "
			"unit)\n"));
	CHECK(strstr(t, "to stop it: taskkill /PID 6160 (if it does not end: taskkill /F /PID "
			"6160)\n"));
	CHECK(strstr(t, "to stop it: its process runs several services (Themes, bad%tag) and the "
			"name of the one that holds this port cannot be given to a shell safely: "
			"stop that one (sc.exe stop NAME), never the process\n"));
	CHECK(!strstr(t, "taskkill /PID 2280") && !strstr(t, "taskkill /PID 1044") &&
	      !strstr(t, "/PID 1500") && !strstr(t, "/PID 4\n") && !strstr(t, "for good") &&
	      !strstr(t, "kill 6160"));
	free(t);
	t = explain(&s, true);
	if (getenv("SHOW"))
		fputs(t, stderr);
	CHECK(strstr(t,
		     "{\"pid\":2280,\"command\":\"sc.exe stop Dnscache\",\"alt_shell\":"
		     "\"PowerShell\",\"alt_command\":\"Stop-Service -Name Dnscache\",\"service\":"
		     "\"Dnscache\",\"shared_services\":[\"Dnscache\",\"nsi\","
		     "\"LanmanWorkstation\"]}"));
	CHECK(strstr(t, "{\"pid\":1044,\"command\":null,\"service\":null,\"shared_services\":"
			"[\"RpcSs\",\"RpcEptMapper\"]}"));
	CHECK(strstr(t, "{\"pid\":4120,\"command\":\"sc.exe stop \\\"Contoso Update\\\"\","));
	CHECK(strstr(t, "{\"pid\":6160,\"command\":\"taskkill /PID 6160\",\"force_command\":"
			"\"taskkill /F /PID 6160\"}"));
	CHECK(!strstr(t, "\"pid\":4,"));
	free(t);
	snap_free(&s);
}

/* A port's usual holders on Linux leave out the port list's Windows names; on Windows and in
 * a loaded snapshot (plain words) every name stays. */
TEST(usual_holders_of_this_system)
{
	const char *list = "nginx,System,IIS.EXE,httpd";
	struct {
		const struct ps_os_words *w;
		const char *want;
	} c[] = {{&test_linux_words, "nginx, httpd"},
		 {&test_windows_words, "nginx, System, IIS.EXE, httpd"},
		 {NULL, "nginx, System, IIS.EXE, httpd"}};
	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		struct buf b = {0};
		CHECK_INT(oswords_programs(c[i].w, &b, list), 0);
		CHECK_STR(b.data, c[i].want);
		buf_free(&b);
	}
	struct buf b = {0};
	CHECK_INT(oswords_programs(&test_linux_words, &b, "System,svc.exe"), 0);
	CHECK(b.data == NULL);
	buf_free(&b);
}
