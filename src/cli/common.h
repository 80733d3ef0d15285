/* common.h — what every subcommand shares: query and output options, messages, rendering setup. */
#ifndef PS_CLI_COMMON_H
#define PS_CLI_COMMON_H

#include <getopt.h>
#include <stdbool.h>

#include "../model/filter.h"
#include "../model/model.h"
#include "../model/policy.h"
#include "../output/output.h"

enum out_format { FMT_TABLE, FMT_JSON, FMT_CSV };
enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

struct cli_options {
	struct ps_filter filter;
	enum out_format format;
	enum color_mode color;
	bool all, numeric, wide;
	const char *columns;	      /* -o, as given */
	enum col_id cols[COL__COUNT]; /* -o, parsed (ncols == 0: the default set) */
	size_t ncols;
	const char *services_file;
	const char *ports_file;	 /* --ports-file: the most specific port registry layer */
	const char *policy_file; /* --policy: its `ack` lines acknowledge findings */
	struct policy *acks;	 /* that policy, once loaded (cli_pipeline_open) */
	char **args;		 /* positional arguments that are not ports (when allowed) */
	int nargs;
};

/*
 * Options a subcommand adds to the common ones: getopt_long entries whose `val`
 * is >= 512, handled by on_extra (returns 0, or an exit code to stop with).
 */
struct cli_extra {
	const struct option *longopts;
	int (*on_extra)(int val, const char *arg, void *ctx);
	void *ctx;
	bool positional_ports; /* positional arguments are ports (else kept in args) */
};

/*
 * Parse the common query and output options (see `portsleuth --help`) into o,
 * which must be zeroed. Returns -1 to go on, or an exit code (help, version,
 * usage error). `usage` is printed for --help.
 */
int cli_parse_options(int argc, char **argv, struct cli_options *o, const struct cli_extra *extra,
		      const char *usage);
void cli_options_free(struct cli_options *o);

/* "portsleuth: WHAT 'ARG': WHY" and a pointer to --help; arg and why may be NULL. */
void cli_usage_error(const char *what, const char *arg, const char *why);

struct platform_caps;
struct buf;
/* A --help text in the terms of a platform: passages about Linux machinery it lacks
 * (namespaces, the /proc and bpf owner scans, sock_diag destroy notifications) replaced by
 * what it does instead. Appended to out. 0 or -ENOMEM. */
int cli_usage_for(const char *usage, const struct platform_caps *caps, struct buf *out);

/*
 * Parse a file mode given as octal (--mode 0640) into *mode, at most 0777.
 * 0, or EXIT_USAGE with the message printed.
 */
int cli_parse_mode(const char *arg, unsigned *mode);

/* Prepare rendering for o: columns, width, colour, ellipsis. 0, or an exit code. */
int cli_render_setup(const struct cli_options *o, struct render_ctx *ctx);

/* One line per thing that could not be seen (no permission, vanished, fallback source). */
void cli_print_notes(const struct ps_snapshot *s);
/* The notes about other network namespaces and socket cgroups (src/cli/netns_notes.c). */
void cli_print_netns_notes(const struct ps_snapshot *s);

/* The subcommands. Each returns the process exit code. */
int cmd_list(int argc, char **argv);
int cmd_explain(int argc, char **argv);	 /* src/cli/explain.c */
int cmd_snapshot(int argc, char **argv); /* src/cli/snapshot.c */
int cmd_diff(int argc, char **argv);	 /* src/cli/diff.c */
int cmd_watch(int argc, char **argv);	 /* src/cli/watch.c */
int cmd_check(int argc, char **argv);	 /* src/cli/check.c */
/* `completions bash|zsh|fish`, not in --help (src/cli/completions.c) */
int cmd_completions(int argc, char **argv);

#endif
