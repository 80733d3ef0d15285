/* SPDX-License-Identifier: GPL-2.0-or-later */
/* parse.c — the command line read against the option table: bundled flags, long options, values,
 * filters. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../model/fexpr.h"
#include "../platform/platform.h"
#include "common.h"
#include "msg.h"

/* What the words read so far said, before it is checked as a whole. */
struct pstate {
	struct cli_options *o;
	const struct cli_extra *extra;
	const char *usage;
	unsigned sub;
	bool tcp, udp, v4, v6, states, listening;
	char **pos; /* the words that are not options */
	int npos;
};

#define GO_ON (-1)

/* "portsleuth: option -o (--output) needs a value: FILE" and the pointer to --help. */
static int value_missing(const char *name, const struct cli_opt *e)
{
	bool alias = name[1] != '-' && e->long_name;
	cli_msg("option %s%s%s%s needs a value: %s", name, alias ? " (--" : "",
		alias ? e->long_name : "", alias ? ")" : "", e->arg_name ? e->arg_name : "VALUE");
	fputs("Try 'portsleuth --help' for more information.\n", stderr);
	return EXIT_USAGE;
}

static int parse_user(struct ps_filter *f, const char *s)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (*s && *end == '\0' && errno == 0 && v <= UINT32_MAX && *s != '-')
		return filter_add_uid(f, (uint32_t)v);
	uint32_t uid;
	int rc = platform_user_uid(s, &uid);
	return rc ? rc : filter_add_uid(f, uid);
}

/* One line per column: its -o name, padded to the longest name, and what it holds. */
static void list_columns(void)
{
	int w = 0;
	for (int c = 0; c < COL__COUNT; c++)
		if ((int)strlen(columns[c].key) > w)
			w = (int)strlen(columns[c].key);
	for (int c = 0; c < COL__COUNT; c++)
		printf("  %-*s  %s\n", w, columns[c].key, columns[c].doc);
}

/* A word among `words` (NULL-terminated) into *out (its index); else a usage error. */
static int pick(const char *opt, const char *arg, const char *const *words, const char *hint,
		int *out)
{
	for (int i = 0; words[i]; i++)
		if (strcmp(arg, words[i]) == 0) {
			*out = i;
			return GO_ON;
		}
	cli_usage_error(opt, arg, hint);
	return EXIT_USAGE;
}

static int apply_state(struct pstate *st, const char *arg)
{
	uint32_t s[PS_PROTO_COUNT];
	const char *why = NULL;
	if (filter_parse_states(arg, s, &why)) {
		cli_usage_error("invalid state list", arg, why);
		return EXIT_USAGE;
	}
	struct ps_filter *f = &st->o->filter;
	if (!st->states)
		f->states[PS_TCP] = f->states[PS_UDP] = 0;
	f->states[PS_TCP] |= s[PS_TCP];
	f->states[PS_UDP] |= s[PS_UDP];
	st->states = true;
	return GO_ON;
}

static int apply_pids(struct pstate *st, const char *arg)
{
	const char *why = NULL;
	struct ps_filter *f = &st->o->filter;
	int rc = filter_parse_pids(arg, &f->pids, &f->npids, &why);
	if (rc == -ENOMEM)
		return EXIT_FAILURE_;
	if (rc) {
		cli_usage_error("invalid process id list", arg, why);
		return EXIT_USAGE;
	}
	return GO_ON;
}

static int apply_user(struct pstate *st, const char *arg)
{
	int rc = parse_user(&st->o->filter, arg);
	if (rc == -ENOENT) {
		cli_usage_error("no such user", arg, NULL);
		return EXIT_USAGE;
	}
	return rc ? EXIT_FAILURE_ : GO_ON;
}

static int apply_command(struct pstate *st, const char *arg)
{
	if (!*arg) {
		cli_usage_error("empty command name", NULL, NULL);
		return EXIT_USAGE;
	}
	return filter_add_command(&st->o->filter, arg) ? EXIT_FAILURE_ : GO_ON;
}

static int apply_all_ns(struct pstate *st)
{
	/* said, not refused: the same command line works on every platform */
	if (platform_caps()->namespaces)
		st->o->filter.all_netns = true;
	else
		cli_note("-N: network namespaces are not supported on this platform (%s); listing "
			 "this system's sockets.",
			 platform_caps()->name);
	return GO_ON;
}

/* The options that choose sockets. */
static int apply_which(struct pstate *st, int id, const char *arg)
{
	int v = 0, rc = GO_ON;
	switch (id) {
	case 'a':
		st->o->all = true;
		return GO_ON;
	case 'l':
		st->listening = true;
		return GO_ON;
	case 't':
		st->tcp = true;
		return GO_ON;
	case 'u':
		st->udp = true;
		return GO_ON;
	case '4':
		st->v4 = true;
		return GO_ON;
	case '6':
		st->v6 = true;
		return GO_ON;
	case 'p': /* ss's -p: owners are always shown */
		return GO_ON;
	case CLI_OPT_PID:
		return apply_pids(st, arg);
	case 'c':
		return apply_command(st, arg);
	case CLI_OPT_USER:
		return apply_user(st, arg);
	case CLI_OPT_STATE:
		return apply_state(st, arg);
	case 'N':
		return apply_all_ns(st);
	case CLI_OPT_ATTRIBUTION:
		rc = pick("invalid --attribution", arg, cli_attribution_words,
			  "use auto, bpf or proc", &v);
		st->o->filter.attribution = (uint8_t)v; /* the order of enum ps_attr_method */
		return rc;
	case CLI_OPT_EXPOSURE:
		rc = pick("invalid --exposure", arg, cli_exposure_words,
			  "use public, private, link-local, loopback or any-beyond-loopback", &v);
		st->o->exposure = v; /* the order of enum cli_exposure */
		return rc;
	}
	return 0; /* not one of these */
}

/* The options that choose how the result is shown. */
static int apply_output(struct pstate *st, int id, const char *arg)
{
	struct cli_options *o = st->o;
	int v = 0, rc = GO_ON;
	switch (id) {
	case CLI_OPT_JSON:
		o->format = FMT_JSON;
		return GO_ON;
	case CLI_OPT_CSV:
		o->format = FMT_CSV;
		return GO_ON;
	case 'o':
		if (strcmp(arg, "help") == 0) {
			list_columns();
			return EXIT_OK;
		}
		o->columns = arg;
		return GO_ON;
	case 'n':
		o->numeric = true;
		return GO_ON;
	case 'w':
		o->wide = true;
		return GO_ON;
	case CLI_OPT_COLOR:
		rc = pick("invalid --color", arg, cli_color_words, "use auto, always or never", &v);
		o->color = (enum color_mode)v; /* the order of enum color_mode */
		return rc;
	case CLI_OPT_SERVICES:
		o->services_file = arg;
		return GO_ON;
	case CLI_OPT_PORTS_FILE:
		o->ports_file = arg;
		return GO_ON;
	case CLI_OPT_POLICY:
		o->policy_file = arg;
		return GO_ON;
	case CLI_OPT_FINDINGS:
		o->findings_only = true;
		return GO_ON;
	case CLI_OPT_NO_HEADER:
		o->no_header = true;
		return GO_ON;
	case CLI_OPT_PIDS:
		o->pids_only = true;
		return GO_ON;
	case 'q':
		cli_quiet = true;
		return GO_ON;
	}
	return 0;
}

/* Act on one option; GO_ON, or an exit code. */
#ifndef PS_BUILD_FEATURES
#define PS_BUILD_FEATURES ""
#endif

/* The version and the optional features this binary was built with (+name built,
 * -name left out), as `curl -V` lists them: what a bug report needs first. */
static void print_version(void)
{
	printf("portsleuth %s\n", PORTSLEUTH_VERSION);
	if (PS_BUILD_FEATURES[0])
		printf("Features: %s\n", PS_BUILD_FEATURES);
}

static int apply(struct pstate *st, const struct cli_opt *e, const char *arg)
{
	if (e->id >= 512) {
		int code = st->extra && st->extra->on_extra
			       ? st->extra->on_extra(e->id, arg, st->extra->ctx)
			       : 0;
		return code ? code : GO_ON;
	}
	if (e->id == 'h') {
		cli_print_usage(st->usage);
		return EXIT_OK;
	}
	if (e->id == 'V') {
		print_version();
		return EXIT_OK;
	}
	int rc = apply_which(st, e->id, arg);
	return rc ? rc : apply_output(st, e->id, arg);
}

/* The table's entry for --name (exact, else the one option it abbreviates) in st->sub. */
static const struct cli_opt *find_long(const struct pstate *st, const char *name, size_t len)
{
	size_t n;
	const struct cli_opt *t = cli_options(&n), *hit = NULL;
	int hits = 0;
	for (size_t i = 0; i < n; i++) {
		if (!t[i].long_name || !(t[i].subcommands & st->sub) ||
		    strncmp(t[i].long_name, name, len) != 0)
			continue;
		if (t[i].long_name[len] == '\0')
			return &t[i];
		if (!hit || hit->id != t[i].id)
			hits++;
		hit = &t[i];
	}
	return hits == 1 ? hit : NULL;
}

static const struct cli_opt *find_short(const struct pstate *st, char c)
{
	size_t n;
	const struct cli_opt *t = cli_options(&n);
	for (size_t i = 0; i < n; i++)
		if (t[i].short_name == c && (t[i].subcommands & st->sub))
			return &t[i];
	return NULL;
}

static int unknown_long(const struct pstate *st, const char *word, size_t len)
{
	char name[64];
	snprintf(name, sizeof name, "%.*s", (int)(len < 60 ? len : 60), word);
	const char *near = cli_suggest_option(name, st->sub);
	char why[96];
	if (near)
		snprintf(why, sizeof why, "did you mean --%s?", near);
	cli_usage_error("unknown option", word - 2, near ? why : NULL);
	return EXIT_USAGE;
}

/* argv[*i] is "--name" or "--name=value". */
static int parse_long(struct pstate *st, int argc, char **argv, int *i)
{
	const char *word = argv[*i] + 2, *eq = strchr(word, '=');
	size_t len = eq ? (size_t)(eq - word) : strlen(word);
	const struct cli_opt *e = find_long(st, word, len);
	if (!e)
		return unknown_long(st, word, len);
	char shown[80];
	snprintf(shown, sizeof shown, "--%s", e->long_name);
	if (e->arg == CLI_ARG_NONE && eq) {
		char why[96];
		snprintf(why, sizeof why, "takes no value (given '%.60s')", eq + 1);
		cli_usage_error("option", shown, why);
		return EXIT_USAGE;
	}
	const char *arg = eq ? eq + 1 : NULL;
	if (e->arg == CLI_ARG_REQUIRED && !arg) {
		if (*i + 1 >= argc)
			return value_missing(shown, e);
		arg = argv[++*i];
	}
	return apply(st, e, arg);
}

/* Whether a word after a lone -p is its process id list (lsof's -p PID), not a filter. */
static bool pid_word(const char *w)
{
	return *w == '\0' || (*w >= '0' && *w <= '9' && !strchr(w, ':') && !strchr(w, '-'));
}

/* argv[*i] is a group of short options: "-tulpn", "-o LIST", "-oLIST", "-p 712". */
static int parse_shorts(struct pstate *st, int argc, char **argv, int *i)
{
	const char *g = argv[*i] + 1;
	for (size_t k = 0; g[k]; k++) {
		const struct cli_opt *e = find_short(st, g[k]);
		char shown[3] = {'-', g[k], '\0'};
		if (!e) {
			cli_usage_error("unknown option", shown, NULL);
			return EXIT_USAGE;
		}
		if (e->id == 'p' && k == 0 && g[1] >= '0' && g[1] <= '9') /* -p712 */
			return apply_pids(st, g + 1);
		if (e->id == 'p' && k == 0 && !g[1] && *i + 1 < argc && pid_word(argv[*i + 1]))
			return apply_pids(st, argv[++*i]); /* -p 712: lsof's */
		if (e->arg == CLI_ARG_NONE) {
			int rc = apply(st, e, NULL);
			if (rc != GO_ON)
				return rc;
			continue;
		}
		if (g[k + 1]) /* -oLIST */
			return apply(st, e, g + k + 1);
		if (*i + 1 >= argc)
			return value_missing(shown, e);
		return apply(st, e, argv[++*i]);
	}
	return GO_ON;
}

static int keep_word(struct pstate *st, char *w)
{
	char **np = realloc(st->pos, (size_t)(st->npos + 1) * sizeof *np);
	if (!np)
		return EXIT_FAILURE_;
	st->pos = np;
	st->pos[st->npos++] = w;
	return GO_ON;
}

/* The checks of the options as a whole, then the filter words. */
static int finish(struct pstate *st)
{
	struct cli_options *o = st->o;
	struct ps_filter *f = &o->filter;
	if (st->listening && st->states) {
		cli_usage_error("-l shows listening sockets; use --state listen,... to add others",
				NULL, NULL);
		return EXIT_USAGE;
	}
	if (o->columns) {
		char cwhy[80];
		if (columns_parse(o->columns, o->cols, &o->ncols, cwhy, sizeof cwhy)) {
			cli_usage_error("invalid column list", o->columns, cwhy);
			return EXIT_USAGE;
		}
	}
	if (o->all && (st->states || st->listening)) {
		cli_usage_error("-a shows every state; it cannot be combined with --state or -l",
				NULL, NULL);
		return EXIT_USAGE;
	}
	if (o->all)
		filter_all_states(f);
	if (st->tcp || st->udp)
		f->protos = (uint8_t)((st->tcp ? 1u << PS_TCP : 0) | (st->udp ? 1u << PS_UDP : 0));
	if (st->v4 || st->v6)
		f->families = (uint8_t)((st->v4 ? 1u : 0) | (st->v6 ? 2u : 0));
	if (st->extra && !st->extra->positional_ports) {
		o->args = st->pos;
		o->nargs = st->npos;
		st->pos = NULL;
		return GO_ON;
	}
	int code = cli_parse_filter_words(o, st->pos, st->npos);
	/* dport = :6379, dst ADDR, state established: only a connection meets it; as ss, every
	 * state unless a state option said which (a bare port stays listening-only) */
	if (code == GO_ON && !o->all && !st->states && !st->listening &&
	    fexpr_wants_connections(f->expr))
		filter_all_states(f);
	return code;
}

int cli_parse_options(int argc, char **argv, struct cli_options *o, const struct cli_extra *extra,
		      const char *usage)
{
	struct pstate st = {.o = o, .extra = extra, .usage = usage};
	st.sub = argc > 0 ? cli_subcommand_bit(argv[0]) : 0;
	if (!st.sub)
		st.sub = CLI_SUB_LIST;
	filter_init(&o->filter);
	o->exposure = -1;
	int code = GO_ON;
	bool rest = false;
	for (int i = 1; i < argc && code == GO_ON; i++) {
		char *a = argv[i];
		if (rest || a[0] != '-' || a[1] == '\0')
			code = keep_word(&st, a);
		else if (strcmp(a, "--") == 0)
			rest = true;
		else if (a[1] == '-')
			code = parse_long(&st, argc, argv, &i);
		else
			code = parse_shorts(&st, argc, argv, &i);
	}
	if (code == GO_ON)
		code = finish(&st);
	free(st.pos);
	return code;
}
