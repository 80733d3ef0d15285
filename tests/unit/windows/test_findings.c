/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_findings.c — Authenticode provenance in the shared findings: a signed
 * svchost.exe on 3389 is expected; an unsigned file with a Microsoft program's
 * name, or an unsigned program on a well-known port, is an alert. Windows paths
 * (backslashes, drive letters) name the executable.
 */
#include <string.h>

#include "../../../src/enrich/registry.h"
#include "../../../src/enrich/rules.h"
#include "../../../src/enrich/verdict.h"
#include "../test.h"

/* 3389 as data/ports.tsv describes it (owners include Windows' svchost.exe). */
static const struct port_info rdp = {"ms-wbt-server",
				     "Remote Desktop Protocol",
				     "portsleuth",
				     "xrdp,gnome-remote-de,svchost,svchost.exe",
				     "brute-force target",
				     NULL,
				     false,
				     SVC_NEVER_INTERNET};

static struct finding_input rdp_owner(const char *name, const char *exe, enum pkg_status pkg,
				      const char *signer)
{
	struct finding_input in;
	memset(&in, 0, sizeof in);
	in.port = 3389, in.proto = PS_TCP, in.svc = &rdp, in.scope = PS_EXPO_ALL;
	in.widest = PS_EXPO_PUBLIC; /* beyond loopback: the owner's facts weigh in full */
	in.has_owner = true, in.pid = 1100, in.name = name, in.exe = exe;
	in.cmdline = "C:\\Windows\\system32\\svchost.exe -k NetworkService -s TermService";
	in.cmdline_len = strlen(in.cmdline) + 1;
	in.have_uid = true, in.uid = 20; /* NETWORK SERVICE */
	in.exe_checked = true, in.exe_path = exe, in.pkg = pkg, in.pkg_name = signer;
	return in;
}

static const struct finding *code(const struct finding_list *l, const char *c)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->f[i].code, c) == 0)
			return &l->f[i];
	return NULL;
}

TEST(win_signed_svchost_on_rdp_is_expected)
{
	struct finding_list l = {0};
	struct finding_input in = rdp_owner("svchost.exe", "C:\\Windows\\System32\\svchost.exe",
					    PKG_OWNED, "Microsoft Windows Publisher");
	CHECK_INT(findings_for_owner(&in, &l), 0);
	CHECK(code(&l, "unexpected-owner") == NULL);
	CHECK(code(&l, "name-mismatch") == NULL); /* the base name of a backslashed path */
	CHECK(code(&l, "exe-unpackaged") == NULL);
	findings_free(&l);
}

TEST(win_unsigned_file_with_a_microsoft_name)
{
	struct finding_list l = {0};
	struct finding_input in = rdp_owner(
	    "svchost.exe", "C:\\Users\\bob\\AppData\\Roaming\\svchost.exe", PKG_UNOWNED, NULL);
	CHECK_INT(findings_for_owner(&in, &l), 0);
	const struct finding *f = code(&l, "unexpected-owner");
	CHECK(f && f->sev == SEV_ALERT);
	CHECK(code(&l, "exe-unpackaged") != NULL);
	findings_free(&l);
}

TEST(win_unsigned_program_on_a_well_known_port)
{
	struct finding_list l = {0};
	struct finding_input in =
	    rdp_owner("rdpwrap.exe", "C:\\ProgramData\\rdpwrap.exe", PKG_UNOWNED, NULL);
	in.cmdline = NULL, in.cmdline_len = 0;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	const struct finding *f = code(&l, "unexpected-owner");
	CHECK(f && f->sev == SEV_ALERT);
	findings_free(&l);
	/* the same program, signed: not the usual owner, but a program on a port anyone may
	 * bind that claims no daemon's name: no alert (issue 20: no finding at all) */
	in.pkg = PKG_OWNED, in.pkg_name = "Some Vendor";
	CHECK_INT(findings_for_owner(&in, &l), 0);
	f = code(&l, "unexpected-owner");
	CHECK(!f || f->sev < SEV_ALERT);
	findings_free(&l);
}

/* Where anyone (or any program of the user) can drop programs on Windows: %TEMP%, %APPDATA%,
 * C:\Windows\Temp, C:\Users\Public — an exe-temp-dir warning, matched case-insensitively. */
TEST(win_temp_places)
{
	CHECK(path_in_temp_dir("C:\\Users\\bob\\AppData\\Local\\Temp\\x\\tool.exe"));
	CHECK(path_in_temp_dir("C:\\Users\\bob\\AppData\\Roaming\\tool.exe"));
	CHECK(path_in_temp_dir("c:\\windows\\temp\\a.exe"));
	CHECK(path_in_temp_dir("D:\\USERS\\PUBLIC\\Downloads\\a.exe"));
	CHECK(!path_in_temp_dir("C:\\Users\\bob\\AppData\\Local\\Programs\\app\\app.exe"));
	CHECK(!path_in_temp_dir("C:\\Windows\\System32\\svchost.exe"));
	CHECK(!path_in_temp_dir("C:\\Program Files\\Temp Tools\\a.exe"));
	struct finding_list l = {0};
	struct finding_input in =
	    rdp_owner("tool.exe", "C:\\Users\\bob\\AppData\\Roaming\\tool.exe", PKG_UNOWNED, NULL);
	in.port = 4444, in.svc = NULL;
	CHECK_INT(findings_for_owner(&in, &l), 0);
	const struct finding *f = code(&l, "exe-temp-dir");
	CHECK(f && f->sev == SEV_WARNING);
	findings_free(&l);
}

/* Windows names ignore case: SVCHOST.EXE in System32, signed by Microsoft, is 3389's usual owner.
 */
TEST(win_owner_names_ignore_case)
{
	CHECK(registry_owner_matches("xrdp,svchost.exe", "SVCHOST.EXE"));
	CHECK(registry_owner_matches("xrdp,svchost.exe", "SvcHost.exe"));
	CHECK(!registry_owner_matches("xrdp,svchost.exe", "XRDP")); /* not a Windows name */
	struct finding_list l = {0};
	struct finding_input in = rdp_owner("SVCHOST.EXE", "C:\\WINDOWS\\System32\\SVCHOST.EXE",
					    PKG_OWNED, "Microsoft Windows Publisher");
	CHECK_INT(findings_for_owner(&in, &l), 0);
	CHECK(code(&l, "unexpected-owner") == NULL);
	findings_free(&l);
}
