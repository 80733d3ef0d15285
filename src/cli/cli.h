/* SPDX-License-Identifier: GPL-2.0-or-later */
/* cli.h — command-line front end: the only place that prints messages or picks exit codes. */
#ifndef PS_CLI_H
#define PS_CLI_H

#define PORTSLEUTH_VERSION "0.1.0"

/* Exit codes, documented in the README and the man page. */
enum {
	EXIT_OK = 0,
	EXIT_NOMATCH = 1,
	EXIT_USAGE = 2,
	EXIT_FAILURE_ = 3,
	EXIT_FINDINGS = 4,   /* --findings: a warning or an alert was found; check: violated */
	EXIT_UNVERIFIED = 5, /* check: no violation, but some owners could not be seen */
};

#include <stddef.h>

/*
 * One command-line option, as the table in src/cli/options.c declares it: the one
 * list that parsing, --help, "did you mean" and shell completions read.
 */
struct cli_opt {
	char short_name;       /* 0: none */
	const char *long_name; /* without "--"; NULL: a short option only */
	int arg;	       /* enum cli_arg: CLI_ARG_NONE or CLI_ARG_REQUIRED */
	const char *arg_name;  /* the value's name in --help ("FILE"), NULL without one */
	const char *help;      /* --help text, lines separated by '\n'; NULL: an alias */
	unsigned subcommands;  /* CLI_SUB_* bits (common.h): list, explain, snapshot, ... */
	int id;		       /* the code the parser acts on */
	unsigned group;	       /* section of --help */
};

/* Every option of every subcommand; *n is set to their number. */
const struct cli_opt *cli_options(size_t *n);

/* Parse argv, run the query, print the result. Returns the process exit code. */
int cli_main(int argc, char **argv);

#endif
