/* cli.c — entry point: picks the subcommand; the default lists ports. */
#include "cli.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

const char cli_usage_text[] =
    "Usage: portsleuth [list] [OPTIONS] [PORT[-PORT][/tcp|/udp]]...\n"
    "List active ports and every process, program, command line, user and unit\n"
    "behind each one. Without options: all listening TCP and bound UDP sockets.\n"
    "\n"
    "Which sockets (options combine with AND; several ports combine with OR):\n"
    "  -a, --all              sockets in every state, not only listening ones\n"
    "  -l, --listening        only listening sockets (the default)\n"
    "      --state LIST       only these states: listen, established, syn-sent,\n"
    "                         syn-recv, fin-wait-1, fin-wait-2, time-wait, close,\n"
    "                         close-wait, last-ack, closing, unconn, connected, all\n"
    "  -t, --tcp              TCP only          -u, --udp   UDP only\n"
    "  -4, --ipv4             IPv4 only         -6, --ipv6  IPv6 only\n"
    "  -p, --pid PID[,PID]    sockets held by these processes\n"
    "  -c, --command NAME     sockets held by a process whose name or executable\n"
    "                         starts with NAME (repeatable)\n"
    "      --user USER|UID    sockets created by or held by this user (repeatable)\n"
    "  -N, --all-ns           every network namespace, not only this one (root)\n"
    "      --attribution HOW  find owners with bpf (one kernel pass; fails if it\n"
    "                         cannot load), proc (/proc scan) or auto (default)\n"
    "  PORT                   local or remote port, a range, optionally /tcp or /udp\n"
    "\n"
    "Output:\n"
    "      --json             JSON document (schema 1), see portsleuth(1)\n"
    "      --csv              CSV, one record per socket and owner\n"
    "  -o, --columns LIST     table/CSV columns, e.g. proto,local,pid,fd,command\n"
    "                         (-o help lists them)\n"
    "  -n, --numeric          no service names\n"
    "  -w, --wide             never cut columns to the terminal width\n"
    "      --color WHEN       auto (default: only on a terminal, never with\n"
    "                         NO_COLOR), always or never\n"
    "      --services FILE    a services(5) file instead of /etc/services: the last\n"
    "                         layer, for ports nothing else knows (--ports-file\n"
    "                         overrides the built-in knowledge)\n"
    "      --ports-file FILE  port knowledge (PORT TAB tcp|udp|tcp/udp TAB NAME ...)\n"
    "                         that overrides everything else, see portsleuth(1)\n"
    "      --policy FILE      acknowledge findings with the policy's `ack` lines\n"
    "      --findings         only sockets with findings (exit 4 on a warning or alert)\n"
    "  -h, --help             this help          -V, --version  version\n"
    "\n"
    "Commands (each has --help):\n"
    "  portsleuth [list]      the ports (this help)\n"
    "  portsleuth explain PORT[/tcp|/udp]   the whole story of one port\n"
    "  portsleuth snapshot    save the state (JSON) for diff and check\n"
    "  portsleuth diff BEFORE [AFTER]       what changed between snapshots (or now)\n"
    "  portsleuth watch       print changes live\n"
    "  portsleuth check       listeners against a baseline (policy or snapshot)\n"
    "\n"
    "Exit status: 0 sockets listed, 1 nothing matched, 2 usage error, 3 failure,\n"
    "4 (with --findings) a warning or an alert was found.\n";

/* Subcommands: `portsleuth NAME ...`; anything else is the port listing. */
static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
    {"list", cmd_list},
    {"explain", cmd_explain},
    {"snapshot", cmd_snapshot},
    {"diff", cmd_diff},
    {"watch", cmd_watch},
    {"check", cmd_check},
    {"completions", cmd_completions},
};

int cli_main(int argc, char **argv)
{
	setlocale(LC_CTYPE, "");
	/* Big writes to a pipe or file: tens of thousands of rows otherwise cost a
	 * write per 4 KiB. A terminal keeps its line buffering. */
	static char outbuf[64 * 1024];
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	if (argc > 1)
		for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
			if (strcmp(argv[1], commands[i].name) == 0)
				return commands[i].run(argc - 1, argv + 1);
	return cmd_list(argc, argv);
}
