/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_win11_host.c — the owner findings of a typical Windows 11 host, judged by
 * the portable rules on any build (Linux included): svchost.exe groups, lsass and
 * spoolsv from System32 signed by Microsoft, a signed third-party service, an
 * unsigned tool in %APPDATA%, and a fake svchost.exe. The findings are the ones
 * an administrator wants, and no others.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/enrich/registry.h"
#include "../../src/enrich/rules.h"
#include "../../src/model/exposure.h"
#include "../../src/model/snapload.h"
#include "../../src/util/json_parse.h"
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

#define WIN11 "tests/fixtures/win11/snapshot.json"

/* The stated findings of socket i of f as "code (reason; evidence),..." ("" none) into buf. */
static const char *stated(const struct snapfile *f, size_t i, char *buf, size_t n)
{
	size_t at = 0;
	buf[0] = 0;
	for (size_t j = 0; f->findings && i < f->findings_n && j < f->findings[i].n; j++)
		at += (size_t)snprintf(buf + at, at < n ? n - at : 0, "%s%s (%s; %s)", j ? "," : "",
				       f->findings[i].f[j].code, f->findings[i].f[j].reason,
				       f->findings[i].f[j].evidence);
	return buf;
}

/*
 * The widest class of address that reaches socket i of the document through the firewall
 * (what the severity policy sees: verdict.c), from its "exposure.reachable".
 */
static enum ps_exposure widest_of(const struct json *doc, size_t i)
{
	const struct json *socks = json_get(doc, "sockets");
	const struct json *e = socks && i < socks->n ? json_get(socks->items[i], "exposure") : NULL;
	const struct json *r = e ? json_get(e, "reachable") : NULL;
	enum ps_exposure w = PS_EXPO_LOOPBACK;
	for (size_t j = 0; r && j < r->n; j++) {
		const struct json *fw = json_get(r->items[j], "firewall");
		const char *verdict = fw ? json_get_str(fw, "verdict") : NULL;
		const char *addr = json_get_str(r->items[j], "addr");
		struct ps_addr a = {.family = addr && strchr(addr, ':') ? PS_INET6 : PS_INET};
		if (!addr || !verdict || !strcmp(verdict, "none") ||
		    inet_pton(a.family == PS_INET ? AF_INET : AF_INET6, addr, a.bytes) != 1)
			continue;
		if (exposure_classify(&a) > w)
			w = exposure_classify(&a);
	}
	return w;
}

/*
 * What the rules find now on listener i of the loaded snapshot, with the Windows words, from the
 * facts the snapshot states: the owner's program, signature verdict ("package") and user, the
 * port's registry entry, and its exposure after the firewall. Socket-level findings first, as the
 * document lists them.
 */
static const char *judged(const struct registry *reg, const struct snapfile *f,
			  enum ps_exposure widest, size_t i, char *buf, size_t n)
{
	const struct ps_socket *k = &f->snap.socks[i];
	static struct port_info pi;
	memset(&pi, 0, sizeof pi);
	bool known = registry_lookup(reg, k->local.port, k->proto, &pi);
	struct finding_input in = {.port = k->local.port,
				   .proto = k->proto,
				   .svc = known ? &pi : NULL,
				   .scope = (enum ps_exposure)f->exposure[i],
				   .widest = widest,
				   .words = &test_windows_words};
	struct finding_list l = {0};
	int rc = findings_for_socket(&in, &l);
	for (uint32_t o = 0; o < k->owner_count && !rc; o++) {
		const struct ps_proc *p = &f->snap.procs[f->snap.owners[k->owner_first + o].proc];
		const char *base = strrchr(p->exe, '\\') ? strrchr(p->exe, '\\') + 1 : p->exe;
		in.has_owner = true;
		in.pid = p->pid;
		in.name = base;
		in.exe = in.exe_path = p->exe;
		in.have_uid = p->have_uid;
		in.uid = p->uid;
		in.exe_checked = true;
		in.pkg = (enum pkg_status)p->pkg;
		in.pkg_name = p->pkg_name;
		rc = findings_for_owner(&in, &l);
	}
	size_t at = 0;
	buf[0] = 0;
	for (size_t j = 0; j < l.n && !rc; j++)
		at += (size_t)snprintf(buf + at, at < n ? n - at : 0, "%s%s (%s; %s)", j ? "," : "",
				       l.f[j].code, l.f[j].reason, l.f[j].evidence);
	findings_free(&l);
	return rc ? "ENOMEM" : buf;
}

/*
 * A Windows 11 host's snapshot as the Windows build writes it (tests/fixtures/win11: svchost.exe
 * groups with service tags, System on 139, 445, 2869 and 5985, lsass, wininit and services on the
 * RPC dynamic ports, a signed vendor service and Delivery Optimization reachable on the LAN, an
 * unsigned tool in %APPDATA% on 0.0.0.0 that the firewall lets in, Edge's connections) loads on
 * any build (issue 22): its signature facts come back, and the findings it states are the ones
 * the rules give on those facts today, the unsigned tool's and no other.
 */
TEST(win11_snapshot_loads_and_its_findings_hold)
{
	char *data;
	size_t len;
	CHECK_INT(snapload_read_file(WIN11, &data, &len), 0);
	struct snapfile f = {0};
	struct snapload_error err;
	CHECK_INT(snapload_parse(data, len, NULL, &f, &err), 0);
	struct json *doc = NULL;
	struct json_error jerr;
	CHECK_INT(json_parse(data, len, &doc, &jerr), 0);
	free(data);
	CHECK_INT(f.snap.nsocks, 26);
	CHECK_STR(f.host, "DESKTOP-7Q2K4MN");
	struct registry reg;
	memset(&reg, 0, sizeof reg);
	size_t flagged = 0;
	for (size_t i = 0; i < f.snap.nsocks; i++) {
		const struct ps_socket *k = &f.snap.socks[i];
		char want[1024], got[1024];
		stated(&f, i, want, sizeof want);
		bool tool = k->local.port == 28000 && socket_is_listener(k);
		if (tool ? strncmp(want, "exe-temp-dir (", 14) != 0 ||
			       !strstr(want, "),exe-unpackaged (")
			 : *want != 0) {
			printf("  %u/%s states \"%s\"\n", k->local.port, proto_name(k->proto),
			       want);
			CHECK(0);
		}
		flagged += *want != 0;
		if (!socket_is_listener(k))
			continue;
		if (strcmp(judged(&reg, &f, widest_of(doc, i), i, got, sizeof got), want) != 0) {
			printf("  %u/%s: the rules find \"%s\", the snapshot states \"%s\"\n",
			       k->local.port, proto_name(k->proto), got, want);
			CHECK(0);
		}
	}
	CHECK_INT(flagged, 1);
	/* the Windows facts the Linux build reads back: signatures, services, System */
	size_t signed_ms = 0, unsigned_n = 0, services = 0;
	for (size_t i = 0; i < f.snap.nprocs; i++) {
		const struct ps_proc *p = &f.snap.procs[i];
		signed_ms += proc_more(p)->sig.state &&
			     !strcmp(proc_more(p)->sig.state, "signed") &&
			     proc_more(p)->sig.os_vendor && proc_more(p)->sig.source &&
			     !strcmp(proc_more(p)->sig.source, "catalog");
		unsigned_n +=
		    proc_more(p)->sig.state && !strcmp(proc_more(p)->sig.state, "unsigned");
		services += p->unit_type && !strcmp(p->unit_type, "service");
		if (p->pid == 4120)
			CHECK(proc_more(p)->sig.signer &&
			      !strcmp(proc_more(p)->sig.signer, "Contoso Ltd") &&
			      !proc_more(p)->sig.os_vendor &&
			      !strcmp(proc_more(p)->sig.source, "embedded") && p->pkg == PKG_OWNED);
		if (p->pid == 6160)
			CHECK(p->pkg == PKG_UNOWNED && !proc_more(p)->sig.signer);
	}
	CHECK(signed_ms >= 10);
	CHECK_INT(unsigned_n, 2); /* the tool: its listener and its connection */
	CHECK(services >= 10);
	json_free(doc);
	snapfile_free(&f);
}
