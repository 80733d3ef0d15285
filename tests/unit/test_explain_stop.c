/* test_explain_stop.c — explain's stop advice: a unit is stopped now and disabled for good; a
 * process in no unit is killed (issue 21). */
#include <stdlib.h>
#include <string.h>

#include "../../src/enrich/registry.h"
#include "../../src/enrich/verdict.h"
#include "../../src/output/explain.h"
#include "test.h"
#include "testutil.h"

static void add(struct ps_snapshot *s, int pid, const char *unit, const char *type, uint16_t port)
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

TEST(explain_stop_for_good)
{
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	s.os = &test_linux_words;
	add(&s, 40, "nginx.service", "system", 80);
	add(&s, 41, "app.service", "user", 80);
	add(&s, 42, NULL, NULL, 80);
	snap_group_owners(&s);
	struct registry reg;
	memset(&reg, 0, sizeof reg);
	if (verdicts_compute(&s, &reg, NULL))
		abort();
	char *t = explain(&s, false);
	if (getenv("SHOW"))
		fputs(t, stderr);
	CHECK(strstr(
	    t, "to stop it: systemctl stop nginx.service (for now: an enabled unit starts again at "
	       "boot)\n    to stop it for good: systemctl disable --now nginx.service\n"));
	CHECK(strstr(t, "to stop it for good: systemctl --user disable --now app.service\n"));
	CHECK(strstr(t, "to stop it: kill 42\n"));
	CHECK(!strstr(t, "disable --now 42") && !strstr(t, "kill 40"));
	free(t);
	t = explain(&s, true);
	CHECK(strstr(t, "{\"pid\":40,\"command\":\"systemctl stop nginx.service\",\"for_good\":"
			"\"systemctl disable --now nginx.service\"}"));
	CHECK(strstr(t, "{\"pid\":42,\"command\":\"kill 42\"}"));
	free(t);
	snap_free(&s);
	registry_free(&reg);
}
