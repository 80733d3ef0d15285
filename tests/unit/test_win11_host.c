/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_win11_host.c — the owner findings of a typical Windows 11 host, judged by
 * the portable rules on any build (Linux included): svchost.exe groups, lsass and
 * spoolsv from System32 signed by Microsoft, a signed third-party service, an
 * unsigned tool in %APPDATA%, and a fake svchost.exe. The findings are the ones
 * an administrator wants, and no others.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/enrich/registry.h"
#include "../../src/enrich/rules.h"
#include "test.h"
#include "testutil.h"


struct owner {
	uint16_t port;
	unsigned proto;
	int pid;
	const char *exe;
	uint32_t uid;
	enum pkg_status pkg;
	const char *signer;
	enum ps_exposure widest;
	const char *want; /* the finding codes wanted, "code,code" in rule order; "" none */
};

/* The codes findings_for_owner gives o, comma-separated, into buf. */
static const char *codes(const struct registry *reg, const struct owner *o, char *buf, size_t n)
{
	static struct port_info pi;
	memset(&pi, 0, sizeof pi);
	bool known = registry_lookup(reg, o->port, o->proto, &pi);
	const char *base = strrchr(o->exe, '\\') ? strrchr(o->exe, '\\') + 1 : o->exe;
	struct finding_input in = {.port = o->port,
				   .proto = o->proto,
				   .svc = known ? &pi : NULL,
				   .scope = PS_EXPO_ALL,
				   .widest = o->widest,
				   .has_owner = true,
				   .pid = o->pid,
				   .name = base,
				   .exe = o->exe,
				   .have_uid = true,
				   .uid = o->uid,
				   .exe_checked = true,
				   .exe_path = o->exe,
				   .pkg = o->pkg,
				   .pkg_name = o->signer,
				   .words = &test_windows_words};
	struct finding_list l = {0};
	buf[0] = 0;
	if (findings_for_owner(&in, &l))
		return "ENOMEM";
	size_t at = 0;
	for (size_t i = 0; i < l.n; i++)
		at += (size_t)snprintf(buf + at, at < n ? n - at : 0, "%s%s", i ? "," : "",
				       l.f[i].code);
	findings_free(&l);
	return buf;
}

TEST(win11_host_owner_findings)
{
	static const struct owner host[] = {
	    /* Windows itself: nothing to say */
	    {135, PS_TCP, 1044, "C:\\Windows\\System32\\svchost.exe", 20, PKG_OWNED,
	     "Microsoft Windows Publisher", PS_EXPO_PRIVATE, ""},
	    {3389, PS_TCP, 1372, "C:\\Windows\\System32\\svchost.exe", 20, PKG_OWNED,
	     "Microsoft Windows Publisher", PS_EXPO_PRIVATE, ""},
	    {5353, PS_UDP, 2280, "C:\\Windows\\System32\\svchost.exe", 19, PKG_OWNED,
	     "Microsoft Windows Publisher", PS_EXPO_PRIVATE, ""},
	    {49664, PS_TCP, 812, "C:\\Windows\\System32\\lsass.exe", 0, PKG_OWNED,
	     "Microsoft Windows", PS_EXPO_PRIVATE, ""},
	    {49668, PS_TCP, 3020, "C:\\Windows\\System32\\spoolsv.exe", 0, PKG_OWNED,
	     "Microsoft Windows", PS_EXPO_PRIVATE, ""},
	    /* a signed third-party service on its own port: its signer vouches for it */
	    {7070, PS_TCP, 4120, "C:\\Program Files\\Contoso\\Agent\\agent.exe", 0, PKG_OWNED,
	     "Contoso Ltd", PS_EXPO_PRIVATE, ""},
	    /* an unsigned tool under %APPDATA% listening on a LAN */
	    {28000, PS_TCP, 6160, "C:\\Users\\bob\\AppData\\Roaming\\SyncTool\\synctool.exe", 1001,
	     PKG_UNOWNED, NULL, PS_EXPO_PRIVATE, "exe-temp-dir,exe-unpackaged"},
	    /* svchost.exe that is not Windows' (unsigned, or not Microsoft's: the backend says
	       unowned) on RDP: the alert */
	    {3389, PS_TCP, 7000, "C:\\tools\\svchost.exe", 0, PKG_UNOWNED, NULL, PS_EXPO_PRIVATE,
	     "exe-unpackaged,unexpected-owner"},
	};
	struct registry reg;
	memset(&reg, 0, sizeof reg);
	char buf[256];
	for (size_t i = 0; i < sizeof host / sizeof host[0]; i++) {
		const char *got = codes(&reg, &host[i], buf, sizeof buf);
		if (strcmp(got, host[i].want) != 0) {
			printf("  %s on %u: got \"%s\", want \"%s\"\n", host[i].exe, host[i].port,
			       got, host[i].want);
			CHECK(strcmp(got, host[i].want) == 0);
		}
	}
}
