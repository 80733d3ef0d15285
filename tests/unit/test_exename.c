/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_exename.c — proc_exe_name: the packaged link a process is started by names its program,
 * only when a package made it and the running image is proven. */
#include <string.h>

#include "../../src/model/model.h"
#include "test.h"

/* redis-server running /usr/bin/redis-check-rdb through Debian's packaged link. */
static struct ps_proc redis(void)
{
	struct ps_proc p;
	memset(&p, 0, sizeof p);
	p.name = "redis-server";
	p.exe = p.exe_path = "/usr/bin/redis-check-rdb";
	static struct ps_proc_more more;
	more = (struct ps_proc_more){.exe_alias = "/usr/bin/redis-server", .alias_pkg = PKG_OWNED};
	p.more = &more;
	p.exe_checked = true;
	p.exe_check.proof = PS_PROOF_MAPPED;
	return p;
}

TEST(exe_name_packaged_link)
{
	struct ps_proc p = redis();
	CHECK_STR(proc_exe_name(&p), "/usr/bin/redis-server");
	/* a link no package made (by hand, or an alternative: shown as "named by") */
	p.more->alias_pkg = PKG_UNOWNED;
	CHECK_STR(proc_exe_name(&p), "/usr/bin/redis-check-rdb");
	p = redis();
	p.more->alias_pkg = PKG_UNKNOWN;
	p.more->alias_alternatives = true;
	CHECK_STR(proc_exe_name(&p), "/usr/bin/redis-check-rdb");
	/* an image not proven, or seen through a view of its own: the kernel's path */
	p = redis();
	p.exe_check.proof = PS_PROOF_UNMAPPED;
	CHECK_STR(proc_exe_name(&p), "/usr/bin/redis-check-rdb");
	p = redis();
	p.exe_check.foreign = true;
	CHECK_STR(proc_exe_name(&p), "/usr/bin/redis-check-rdb");
	p = redis();
	p.exe_checked = false;
	CHECK_STR(proc_exe_name(&p), "/usr/bin/redis-check-rdb");
	/* no link: the executable, NULL when unreadable */
	p = redis();
	p.more->exe_alias = NULL;
	CHECK_STR(proc_exe_name(&p), "/usr/bin/redis-check-rdb");
	p.exe = NULL;
	CHECK(proc_exe_name(&p) == NULL);
}
