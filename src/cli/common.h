/* SPDX-License-Identifier: GPL-2.0-or-later */
/* common.h — what every subcommand shares: query and output options, messages, rendering setup. */
#ifndef PS_CLI_COMMON_H
#define PS_CLI_COMMON_H

#include <getopt.h>
#include <stdbool.h>

#include "../model/filter.h"
#include "../model/model.h"
#include "../model/policy.h"
#include "../output/output.h"
#include "cli.h"

struct buf;

enum out_format { FMT_TABLE, FMT_JSON, FMT_CSV };
enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

struct cli_options {
	struct ps_filter filter;
	enum out_format format;
	enum color_mode color;
	bool all, numeric, wide;
	bool findings_only;	      /* --findings */
	bool no_header;		      /* --no-header */
	bool pids_only;		      /* --pids */
	int exposure;		      /* --exposure: enum cli_exposure, -1 when not given */
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

/* Where an option is accepted (struct cli_opt.subcommands). */
enum {
	CLI_SUB_LIST = 1u << 0,
	CLI_SUB_EXPLAIN = 1u << 1,
	CLI_SUB_SNAPSHOT = 1u << 2,
	CLI_SUB_DIFF = 1u << 3,
	CLI_SUB_WATCH = 1u << 4,
	CLI_SUB_CHECK = 1u << 5,
	CLI_SUB_CONNS = 1u << 6,
	CLI_SUB_TOP = 1u << 7,
};
enum cli_arg { CLI_ARG_NONE, CLI_ARG_REQUIRED };
/* Sections of --help. */
enum { CLI_G_WHICH, CLI_G_OUTPUT, CLI_G_SCRIPT, CLI_G_SUB };
/* Codes of the options every subcommand shares that have no short letter. */
enum {
	CLI_OPT_JSON = 256,
	CLI_OPT_CSV,
	CLI_OPT_USER,
	CLI_OPT_STATE,
	CLI_OPT_COLOR,
	CLI_OPT_SERVICES,
	CLI_OPT_PORTS_FILE,
	CLI_OPT_ATTRIBUTION,
	CLI_OPT_POLICY,
	CLI_OPT_PID,
	CLI_OPT_EXPOSURE,
	CLI_OPT_FINDINGS,
	CLI_OPT_NO_HEADER,
	CLI_OPT_PIDS,
};
/* --exposure: the reach classes asked for. */
enum cli_exposure {
	CLI_EXPO_LOOPBACK,
	CLI_EXPO_LINK_LOCAL,
	CLI_EXPO_PRIVATE,
	CLI_EXPO_PUBLIC,
	CLI_EXPO_BEYOND_LOOPBACK
};

/*
 * Options a subcommand adds to the common ones: entries of the option table
 * (cli_options(), src/cli/options.c) whose `id` is >= 512, handled by on_extra
 * (returns 0, or an exit code to stop with). longopts is no longer read: the table
 * is where options are declared.
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

/* The fixed values of --exposure (enum cli_exposure's order), --attribution (enum
 * ps_attr_method's) and --color (enum color_mode's), NULL-terminated. */
extern const char *const cli_exposure_words[];
extern const char *const cli_attribution_words[];
extern const char *const cli_color_words[];
/* The fixed values option o accepts (NULL-terminated; what the parser takes and what the
 * completions offer), NULL when they are not a fixed set. */
const char *const *cli_option_values(const struct cli_opt *o);
/* The index in argv of the first word that is neither an option nor an option's value (the
 * table says which options take one), -1 when there is none. */
int cli_first_word(int argc, char **argv);
/* The CLI_SUB_* bit of a subcommand's name, 0 when it is none. */
unsigned cli_subcommand_bit(const char *name);
/* The name of subcommand number i (bit 1 << i), NULL past the last. */
const char *cli_subcommand_name(size_t i);
/* Append the --help lines of the options of `group` accepted by `sub`. 0 or -ENOMEM. */
int cli_usage_group(struct buf *out, unsigned sub, unsigned group);
/* The closest of `n` words to `word` by edit distance, NULL when none is close. */
const char *cli_suggest(const char *word, const char *const *words, size_t n);
/* The long option closest to "--word" accepted by `sub`, NULL when none is close. */
const char *cli_suggest_option(const char *word, unsigned sub);
/* The --help of subcommand `sub` (a CLI_SUB_* bit): head, then its options from the table
 * by group (its own, which sockets, output, scripting), then tail; built once. */
const char *cli_sub_usage(unsigned sub, const char *head, const char *tail);
/* The full --help text of the port listing (built from the option table once). */
const char *cli_list_usage(void);
/* Print a --help text in the platform's terms. */
void cli_print_usage(const char *usage);

/*
 * The filter words after the options (src/cli/filterargs.c): ports alone (any of
 * them matches, local or remote), else one ss-style expression. -1 to go on, or an
 * exit code after the message.
 */
int cli_parse_filter_words(struct cli_options *o, char **words, int n);
/* conns and top: --exposure CLASS as the expression's "exposure CLASS" (the local address's
 * class; the listing judges it after the firewall), and'ed to the filter; o->exposure is then -1.
 * 0 or -ENOMEM. */
int cli_exposure_expr(struct cli_options *o);
/* The filter words of argv (what is not an option nor its value), joined by spaces into out. */
void cli_filter_words_text(int argc, char **argv, char *out, size_t cap);
/* A service name's port from the built-in knowledge: 0, or -ENOENT. */
int cli_service_port(const char *name, uint16_t *port);

/* "portsleuth: WHAT 'ARG': WHY" and a pointer to --help; arg and why may be NULL. */
void cli_usage_error(const char *what, const char *arg, const char *why);
/* The same, pointing to `portsleuth help CMD` (an error about that command's own arguments). */
void cli_usage_error_in(const char *cmd, const char *what, const char *arg, const char *why);

struct platform_caps;
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

/* Whether the words choose states themselves (-l, --state, or -a already): conns and top
 * show every state unless they do (src/cli/conns.c). */
bool cli_states_given(int argc, char **argv);
/* argv with -a put first unless the words choose states (cli_states_given): conns and top
 * show every state by default. A new array for free() of *n words, or NULL. */
char **cli_argv_every_state(int argc, char **argv, int *n);

/* Write the whole of b to `path` with the platform's safe writer (replaced atomically; see
 * platform_file_open_write, whose *why says a refusal). 0 or -errno. */
int cli_write_file(const char *path, unsigned mode, const struct buf *b, const char **why);

/* The subcommands. Each returns the process exit code. */
int cmd_list(int argc, char **argv);
int cmd_explain(int argc, char **argv);	 /* src/cli/explain.c */
int cmd_snapshot(int argc, char **argv); /* src/cli/snapshot.c */
int cmd_diff(int argc, char **argv);	 /* src/cli/diff.c */
int cmd_watch(int argc, char **argv);	 /* src/cli/watch.c */
int cmd_check(int argc, char **argv);	 /* src/cli/check.c */
int cmd_conns(int argc, char **argv);	 /* src/cli/conns.c */
int cmd_top(int argc, char **argv);	 /* src/cli/top.c */
/* `completions bash|zsh|fish`, not in --help (src/cli/completions.c) */
int cmd_completions(int argc, char **argv);

/* What marks a cut cell: an ellipsis where the terminal's charset is UTF-8, else "+". */
const char *cli_ellipsis(void);

#endif
