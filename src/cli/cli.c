/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli.c — entry point: picks the subcommand; the default lists ports. */
#include "cli.h"

#include <locale.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../util/buf.h"
#include "common.h"
#include "msg.h"

/* The --help of the port listing: these passages around the option table's lines. */
static const char usage_head[] =
    "Usage: portsleuth [list] [OPTIONS] [FILTER]...\n"
    "List active ports and every process, program, command line, user and unit\n"
    "behind each one. Without options: all listening TCP and bound UDP sockets.\n"
    "ss habits work: portsleuth -tulpn, -antp, sport = :443, dst 10.0.0.0/8.\n"
    "\n"
    "Which sockets (options combine with AND; several ports combine with OR):\n";
static const char usage_filter[] =
    "  FILTER                 a port, range or service (80, :8080, 8000-8100, ssh,\n"
    "                         53/udp) matching the local or remote port, an address\n"
    "                         (203.0.113.50, 10.0.0.0/8), or an ss expression:\n"
    "                         sport = :80, dport > :1024, src ADDR[/LEN][:PORT],\n"
    "                         dst ADDR, state established, and, or, not, ( );\n"
    "                         see portsleuth(1)\n"
    "\n"
    "Output:\n";
static const char usage_script[] = "\nScripting and help:\n";
static const char usage_tail[] =
    "\n"
    "Commands (each has --help; portsleuth help CMD shows it):\n"
    "  portsleuth [list]      the ports (this help)\n"
    "  portsleuth explain PORT[/tcp|/udp]   the whole story of one port\n"
    "  portsleuth snapshot    save the state (JSON) for diff and check\n"
    "  portsleuth diff BEFORE [AFTER]       what changed between snapshots (or now)\n"
    "  portsleuth watch       print changes live\n"
    "  portsleuth check       listeners against a baseline (policy or snapshot)\n"
    "  portsleuth conns       connections grouped, with bytes, rates and RTT\n"
    "  portsleuth top         a live full-screen view\n"
    "\n"
    "Exit status: 0 sockets listed, 1 nothing matched, 2 usage error, 3 failure,\n"
    "4 (with --findings) a warning or an alert was found.\n";

const char *cli_list_usage(void)
{
	static struct buf text;
	if (text.len)
		return text.data;
	int rc = buf_puts(&text, usage_head);
	rc = rc ? rc : cli_usage_group(&text, CLI_SUB_LIST, CLI_G_WHICH);
	rc = rc ? rc : buf_puts(&text, usage_filter);
	rc = rc ? rc : cli_usage_group(&text, CLI_SUB_LIST, CLI_G_OUTPUT);
	rc = rc ? rc : buf_puts(&text, usage_script);
	rc = rc ? rc : cli_usage_group(&text, CLI_SUB_LIST, CLI_G_SCRIPT);
	rc = rc ? rc : buf_puts(&text, usage_tail);
	if (rc) { /* out of memory: the passages at least */
		buf_free(&text);
		return usage_head;
	}
	return text.data;
}

/* Subcommands: `portsleuth NAME ...`; anything else is the port listing. */
static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} commands[] = {
    {"list", cmd_list},	  {"explain", cmd_explain}, {"snapshot", cmd_snapshot},
    {"diff", cmd_diff},	  {"watch", cmd_watch},	    {"check", cmd_check},
    {"conns", cmd_conns}, {"top", cmd_top},	    {"completions", cmd_completions},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

/* `portsleuth help [CMD]`: the help of the listing or of CMD (options around CMD, such as
 * `portsleuth -q help explain`, change nothing). */
static int help(int argc, char **argv)
{
	int at = 1;
	while (at < argc && argv[at][0] == '-')
		at++;
	if (at >= argc) {
		cli_print_usage(cli_list_usage());
		return EXIT_OK;
	}
	char *av[] = {argv[at], "--help", NULL};
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[at], commands[i].name) == 0)
			return commands[i].run(2, av);
	if (strcmp(argv[at], "help") == 0) {
		cli_print_usage(cli_list_usage());
		return EXIT_OK;
	}
	char names[256] = "the commands are ";
	for (size_t i = 0; i < NCOMMANDS; i++) /* completions is for scripts: not offered */
		if (strcmp(commands[i].name, "completions") != 0 &&
		    strlen(names) + strlen(commands[i].name) + 3 < sizeof names)
			strcat(strcat(names, commands[i].name), ", ");
	cli_usage_error("no such command", argv[at], strcat(names, "help"));
	return EXIT_USAGE;
}

/* A first word that is no command, port, address or expression but close to a command's name. */
static int near_command(const char *word)
{
	const char *names[NCOMMANDS + 1];
	for (size_t i = 0; i < NCOMMANDS; i++)
		names[i] = commands[i].name;
	names[NCOMMANDS] = "help";
	uint16_t port;
	if (!word || word[0] == '-' || (word[0] >= '0' && word[0] <= '9') || strchr(word, ':') ||
	    strchr(word, '.') || cli_service_port(word, &port) == 0)
		return -1;
	const char *near = cli_suggest(word, names, NCOMMANDS + 1);
	if (!near)
		return -1;
	char why[64];
	snprintf(why, sizeof why, "did you mean '%s'?", near);
	cli_usage_error("unknown command", word, why);
	return EXIT_USAGE;
}

/*
 * `portsleuth -q explain 8080`: options before the command. The command word is moved first,
 * the options after it (where its parser reads them), in argv itself. Whether it is a command
 * is decided by the first word that is no option nor an option's value: "portsleuth -o
 * explain" stays a column list.
 */
static void command_first(int argc, char **argv)
{
	int at = cli_first_word(argc, argv);
	if (at <= 1 || (argv[at - 1][0] == '-' && strcmp(argv[at - 1], "--") == 0))
		return;
	bool known = strcmp(argv[at], "help") == 0;
	for (size_t i = 0; i < NCOMMANDS && !known; i++)
		known = strcmp(argv[at], commands[i].name) == 0;
	if (!known)
		return;
	char *cmd = argv[at];
	memmove(argv + 2, argv + 1, (size_t)(at - 1) * sizeof *argv);
	argv[1] = cmd;
}

/*
 * A listing's peak memory, under glibc. A fixed mmap threshold: glibc raises its own after
 * each large block it frees, and then grows the big arrays (sockets, processes, verdicts,
 * the table's cells) inside the heap by copying, where the copies they leave stay resident;
 * above it a block is mapped, grown in place (mremap) and returned when freed. One arena:
 * what the reading threads free (process details, lists kept once) is reused by the verdicts
 * and the table, where each thread's arena kept it. Not for the views that list again and
 * again (top, watch): they would map and fault their arrays anew each time.
 */
static void lean_malloc(const char *cmd)
{
#ifdef __GLIBC__
	if (strcmp(cmd, "top") == 0 || strcmp(cmd, "watch") == 0)
		return;
	mallopt(M_MMAP_THRESHOLD, 64 * 1024);
	mallopt(M_ARENA_MAX, 1);
#else
	(void)cmd;
#endif
}

int cli_main(int argc, char **argv)
{
	setlocale(LC_CTYPE, "");
	/* Big writes to a pipe or file: tens of thousands of rows otherwise cost a
	 * write per 4 KiB. A terminal keeps its line buffering. */
	static char outbuf[64 * 1024];
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
	command_first(argc, argv);
	lean_malloc(argc > 1 ? argv[1] : "");
	if (argc > 1)
		for (size_t i = 0; i < NCOMMANDS; i++)
			if (strcmp(argv[1], commands[i].name) == 0)
				return commands[i].run(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "help") == 0)
		return help(argc - 1, argv + 1);
	int code = argc > 1 ? near_command(argv[1]) : -1;
	return code >= 0 ? code : cmd_list(argc, argv);
}
