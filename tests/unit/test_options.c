/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_options.c — the option table (cli_options()) and the parser it drives: ss flag groups,
 * lsof's -p PID, suggestions, and --help made from the table. */
#include <string.h>

#include "../../src/cli/cli.h"
#include "../../src/cli/common.h"
#include "test.h"

TEST(options_table_is_consistent)
{
	size_t n;
	const struct cli_opt *t = cli_options(&n);
	CHECK(n > 20);
	for (size_t i = 0; i < n; i++) {
		CHECK(t[i].long_name || t[i].short_name);
		CHECK(t[i].subcommands != 0);
		CHECK((t[i].arg == CLI_ARG_REQUIRED) == (t[i].arg_name != NULL));
		for (size_t j = i + 1; j < n; j++) { /* no name twice for one subcommand */
			bool both = (t[i].subcommands & t[j].subcommands) != 0;
			CHECK(!both || !t[i].long_name || !t[j].long_name ||
			      strcmp(t[i].long_name, t[j].long_name) != 0);
			CHECK(!both || !t[i].short_name || t[i].short_name != t[j].short_name);
		}
	}
	/* --help of the listing shows every option of the listing that has a help text */
	const char *usage = cli_list_usage();
	for (size_t i = 0; i < n; i++) {
		if (!(t[i].subcommands & CLI_SUB_LIST) || !t[i].help || !t[i].long_name)
			continue;
		char want[64];
		snprintf(want, sizeof want, "--%s", t[i].long_name);
		CHECK(strstr(usage, want) != NULL);
	}
}

static int parse(struct cli_options *o, const char *const *args)
{
	char *argv[16];
	int argc = 0;
	for (; args[argc]; argc++)
		argv[argc] = (char *)args[argc];
	argv[argc] = NULL;
	memset(o, 0, sizeof *o);
	struct cli_extra extra = {.positional_ports = true};
	return cli_parse_options(argc, argv, o, &extra, "usage\n");
}

TEST(options_ss_groups_and_pid)
{
	struct cli_options o;
	static const char *const tulpn[] = {"portsleuth", "-tulpn", NULL};
	CHECK_INT(parse(&o, tulpn), -1);
	CHECK_INT(o.filter.protos, (1u << PS_TCP) | (1u << PS_UDP));
	CHECK(o.numeric && o.filter.npids == 0);
	CHECK_INT(o.filter.states[PS_TCP], 1u << PS_ST_LISTEN);
	cli_options_free(&o);
	static const char *const antp[] = {"portsleuth", "-antp", "sport", "=", ":443", NULL};
	CHECK_INT(parse(&o, antp), -1);
	CHECK(o.all && o.filter.protos == (1u << PS_TCP) && o.filter.expr != NULL);
	CHECK(o.filter.nports == 1 && o.filter.ports[0].lo == 443); /* the kernel's cover */
	cli_options_free(&o);
	static const char *const pid[] = {"portsleuth", "-p", "712,1033", "-4tl", NULL};
	CHECK_INT(parse(&o, pid), -1);
	CHECK(o.filter.npids == 2 && o.filter.pids[1] == 1033 && o.filter.families == 1);
	cli_options_free(&o);
	static const char *const lpid[] = {"portsleuth", "--pid=7", "-p8", "ssh", ":8080", NULL};
	CHECK_INT(parse(&o, lpid), -1);
	CHECK(o.filter.npids == 2 && o.filter.pids[0] == 7 && o.filter.pids[1] == 8);
	CHECK(o.filter.nports == 2 && o.filter.ports[0].lo == 22 && o.filter.ports[1].lo == 8080);
	CHECK(o.filter.expr == NULL);
	cli_options_free(&o);
	static const char *const bad[] = {"portsleuth", "--help=foo", NULL};
	CHECK_INT(parse(&o, bad), EXIT_USAGE);
	cli_options_free(&o);
	static const char *const abbrev[] = {"portsleuth", "--expo", "public", "--no-h", NULL};
	CHECK_INT(parse(&o, abbrev), -1);
	CHECK(o.exposure == CLI_EXPO_PUBLIC && o.no_header);
	cli_options_free(&o);
}

TEST(options_suggest)
{
	CHECK_STR(cli_suggest_option("jsno", CLI_SUB_LIST), "json");
	CHECK_STR(cli_suggest_option("servcies", CLI_SUB_LIST), "services");
	CHECK_STR(cli_suggest_option("baselin", CLI_SUB_CHECK), "baseline");
	CHECK(cli_suggest_option("baselin", CLI_SUB_LIST) == NULL); /* not an option of list */
	CHECK(cli_suggest_option("xyzzy", CLI_SUB_LIST) == NULL);
	static const char *const cmds[] = {"list", "explain", "snapshot", "diff", "watch", "check"};
	CHECK_STR(cli_suggest("explian", cmds, 6), "explain");
	CHECK_STR(cli_suggest("snapshto", cmds, 6), "snapshot");
	CHECK(cli_suggest("nginx", cmds, 6) == NULL);
}
