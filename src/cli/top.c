/* SPDX-License-Identifier: GPL-2.0-or-later */
/* top.c — `portsleuth top`: the live full-screen view (ncurses), or why this build has none. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "common.h"
#include "msg.h"
#include "top.h"

static const char usage_head[] =
    "Usage: portsleuth top [OPTIONS] [FILTER]...\n"
    "A live full-screen view of every port and connection, refreshed every second:\n"
    "new rows are marked + (green), changed ones * (yellow), closed ones - (red, kept\n"
    "three refreshes). Bytes, rates and RTT come from the kernel's TCP counters,\n"
    "asked only for the rows on screen in the sockets, processes and listeners\n"
    "views. A full listing (every 30 s) runs beside the screen; between them the\n"
    "kernel's TCP state changes keep the set current (BPF, as root), else\n"
    "sock_diag's destroy notifications and a dump without owners each refresh.\n"
    "Keys: Tab or 1-4 switch the view (sockets, processes, listeners with their\n"
    "inbound connections, remotes by address and class); < > choose the sort\n"
    "column, r reverses it; / filters with an expression (sport = :443 and dst\n"
    "10.0.0.0/8, exposure public); ? searches, n finds the next; space pauses;\n"
    "arrows move; Enter shows what `explain` says for\n"
    "the row; K closes the selected TCP connection (asks first; as ss -K); S stops\n"
    "the row's owner with the command explain advises (shown, run on y); c copies\n"
    "the row (OSC 52 clipboard); w writes the view to a file here (else in $HOME)\n"
    "and names it; q quits (Ctrl-C: exit 130).\n";
static const char usage_tail[] =
    "\n"
    "Exit status: 0 quit, 2 usage error, 3 failure (no terminal, or built without\n"
    "ncurses), 128+N stopped by signal N (130: Ctrl-C).\n";

enum { OPT_DELAY = 512, OPT_TIMING, OPT_EVENTS };

static int on_extra(int val, const char *arg, void *ctx)
{
	struct top_opts *to = ctx;
	if (val == OPT_TIMING) {
		to->timing = arg;
		return 0;
	}
	if (val == OPT_EVENTS) {
		static const char *const names[] = {"auto", "diag", "none"};
		for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
			if (!strcmp(arg, names[i])) {
				to->events = (enum top_events)i;
				return 0;
			}
		cli_usage_error("invalid --events", arg, "auto, diag or none");
		return EXIT_USAGE;
	}
	char *end;
	errno = 0;
	bool decimal = arg[0] && arg[strspn(arg, "0123456789.")] == '\0';
	double v = strtod(arg, &end);
	if (!decimal || errno || end == arg || *end || !isfinite(v) || v < 0.1 || v > 3600) {
		cli_usage_error("invalid --delay", arg, "a number of seconds from 0.1 to 3600");
		return EXIT_USAGE;
	}
	to->delay = v;
	return 0;
}

int cmd_top(int argc, char **argv)
{
	struct top_opts to = {.delay = 1.0};
	struct cli_extra extra = {NULL, on_extra, &to, true};
	struct cli_options o = {.format = FMT_TABLE};
	int n;
	char **av = cli_argv_every_state(argc, argv, &n);
	if (!av)
		return EXIT_FAILURE_;
	int code = cli_parse_options(n, av, &o, &extra,
				     cli_sub_usage(CLI_SUB_TOP, usage_head, usage_tail));
	if (code < 0 && o.format != FMT_TABLE) {
		cli_usage_error("top is a screen; for JSON or CSV use `portsleuth conns`", NULL,
				NULL);
		code = EXIT_USAGE;
	}
	char words[128];
	cli_filter_words_text(n, av, words, sizeof words);
	if (code < 0 && o.exposure >= 0) /* shown as the expression's term it becomes */
		snprintf(words + strlen(words), sizeof words - strlen(words), "%sexposure %s",
			 words[0] ? " " : "", cli_exposure_words[o.exposure]);
	to.filter_text = words;
	if (code < 0 && cli_exposure_expr(&o))
		code = EXIT_FAILURE_;
	if (code < 0)
		code = top_run(&o, &to);
	cli_options_free(&o);
	free(av);
	return code;
}
