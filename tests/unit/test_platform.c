/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_platform.c — the platform contract: caps follow the ops present; advice speaks the backend's
 * words. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/enrich/registry.h"
#include "../../src/enrich/verdict.h"
#include "../../src/output/explain.h"
#include "../../src/platform/platform.h"
#include "test.h"
#include "testutil.h"

static int fake_collect(struct ps_snapshot *snap, const struct ps_filter *f)
{
	(void)snap;
	(void)f;
	return 0;
}

static int fake_sockevents_open(struct platform_sockevents **out)
{
	*out = NULL;
	return 0;
}

static struct pkgdb *fake_pkgdb_new(const char *where)
{
	(void)where;
	return NULL;
}

TEST(platform_caps_follow_the_ops_present)
{
	struct platform_ops ops = {.name = "bsd", .collect = fake_collect};
	struct platform_caps c = platform_caps_of(&ops);
	CHECK_STR(c.name, "bsd");
	CHECK(!c.namespaces && !c.destroy_events && !c.package_db && !c.owners_from_collect);

	ops.collect_all_netns = fake_collect;
	ops.sockevents_open = fake_sockevents_open;
	ops.pkgdb_new = fake_pkgdb_new;
	ops.owners_from_collect = true;
	c = platform_caps_of(&ops);
	CHECK(c.namespaces && c.destroy_events && c.package_db && c.owners_from_collect);

	/* the running platform's caps are the same derivation of its own table */
	c = platform_caps_of(&platform_ops);
	const struct platform_caps *run = platform_caps();
	CHECK_STR(run->name, c.name);
	CHECK(run->namespaces == c.namespaces && run->destroy_events == c.destroy_events &&
	      run->package_db == c.package_db && run->owners_from_collect == c.owners_from_collect);
}

/* One listener on 8080/tcp held by pid 42 as handle 3, in unit `u` (may be NULL). */
static void one_listener(struct ps_snapshot *s, const char *unit)
{
	memset(s, 0, sizeof *s);
	struct ps_socket *k = snap_add_socket(s);
	k->proto = PS_TCP;
	k->state = PS_ST_LISTEN;
	k->local.addr.family = k->remote.addr.family = PS_INET;
	k->local.port = 8080;
	CHECK_INT(snap_add_proc(s, 42), 0);
	s->procs[0].name = strdup("web");
	s->procs[0].ppid = -1;
	s->procs[0].unit = unit ? strdup(unit) : NULL;
	s->procs[0].unit_type = unit ? "system" : NULL;
	CHECK_INT(snap_add_owner(s, 0, 0, 3), 0);
	snap_group_owners(s);
	struct registry reg = {0}; /* explain shows judged sockets: judge it against nothing */
	CHECK_INT(verdicts_compute(s, &reg, NULL), 0);
}

static char *explain_text(const struct ps_snapshot *s)
{
	struct explain_port e = {.port = 8080, .proto = PS_TCP};
	char *text = NULL;
	size_t n = 0;
	FILE *fp = open_memstream(&text, &n);
	if (!fp)
		return NULL;
	CHECK_INT(render_explain_text(fp, s, &e), 0);
	fclose(fp);
	return text;
}

TEST(explain_advice_speaks_the_backends_words)
{
	static const struct ps_os_words win = {
	    .exe_link_pre = "the process image of ",
	    .exe_link_post = "",
	    .pkgdb_name = "installed programs",
	    .handle_word = "handle",
	    .pid_scope = "session",
	    .kill_cmd = "taskkill /PID",
	};
	struct ps_snapshot s;
	one_listener(&s, "web.service");
	s.os = &win; /* a unit name that looks like systemd's is no reason to say systemctl */
	char *t = explain_text(&s);
	CHECK(t && strstr(t, "taskkill /PID 42") && strstr(t, "handle 3"));
	CHECK(t && !strstr(t, "systemctl") && !strstr(t, "file descriptor"));
	free(t);

	s.os = &test_linux_words;
	t = explain_text(&s);
	CHECK(t && strstr(t, "systemctl stop web.service") && strstr(t, "file descriptor 3"));
	free(t);
	snap_free(&s);

	one_listener(&s, NULL);
	s.os = &test_linux_words;
	t = explain_text(&s);
	CHECK(t && strstr(t, "kill 42") && !strstr(t, "systemctl"));
	free(t);
	s.os = NULL; /* no backend filled the words: none of a system's own */
	t = explain_text(&s);
	CHECK(t && strstr(t, "kill 42") && strstr(t, "handle 3") && !strstr(t, "descriptor"));
	free(t);
	snap_free(&s);
}
