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

/* The --help text of the port listing. */
extern const char cli_usage_text[];

/* Parse argv, run the query, print the result. Returns the process exit code. */
int cli_main(int argc, char **argv);

#endif
