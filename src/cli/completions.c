/* SPDX-License-Identifier: GPL-2.0-or-later */
/* completions.c — `portsleuth completions bash|zsh|fish`: shell completion scripts from the
 * options. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/buf.h"
#include "cli.h"
#include "common.h"

/* What an option's argument (or a command's positional argument) is completed with. */
enum comp_value {
	CV_FLAG = 0, /* no argument */
	CV_FREE,     /* an argument with nothing to offer (a number, a mode) */
	CV_WORDS,    /* one of a fixed list */
	CV_LIST,     /* a comma-separated list of words (columns, states) */
	CV_FILE,
	CV_SNAPSHOT, /* a snapshot file (*.json) */
	CV_PID,	     /* live: the pids holding sockets */
	CV_PORT,     /* live: the ports in use */
	CV_PROGRAM,  /* live: the programs holding sockets */
	CV_UNIT,     /* live: the units holding sockets */
	CV_USER,     /* the system's users */
	CV_COMMAND,  /* a command's name (after help) */
};

struct comp_opt {
	char shrt;     /* 0: none */
	char lng[32];  /* without the dashes; "" when none */
	uint8_t value; /* enum comp_value */
	char words[256];
	char desc[320]; /* the whole help, its lines joined */
};

struct comp_cmd {
	char name[16]; /* "list" is also the command when none is named */
	char desc[96];
	uint8_t positional; /* enum comp_value */
	struct comp_opt opt[48];
	size_t n;
};

enum { MAX_CMDS = 12 };

/* Every command's name, space-separated (what `help <TAB>` offers). */
static char command_words[160];

/* ------------------------------------------------------------------ the adapter
 * The model is read from the one option table (cli_options(): the same entries that drive
 * parsing and --help), so the scripts cannot drift from what the program accepts. */

/* What fn(argv) prints on standard output, appended to out. 0 or -1. */
static int capture(int (*fn)(int, char **), char **argv, int argc, struct buf *out)
{
	FILE *tmp = tmpfile();
	int saved = dup(STDOUT_FILENO);
	if (!tmp || saved < 0 || fflush(stdout) || dup2(fileno(tmp), STDOUT_FILENO) < 0) {
		if (tmp)
			fclose(tmp);
		if (saved >= 0)
			close(saved);
		return -1;
	}
	optind = 0; /* each command parses its options from the start */
	fn(argc, argv);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
	rewind(tmp);
	char chunk[4096];
	size_t n;
	int rc = 0;
	while (!rc && (n = fread(chunk, 1, sizeof chunk, tmp)) > 0)
		rc = buf_append(out, chunk, n);
	fclose(tmp);
	return rc ? -1 : 0;
}

static void copy_word(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* An option's fixed values from the table (the parser's own list), space-separated. */
static void value_words(struct comp_opt *o, const char *const *values)
{
	o->words[0] = '\0';
	for (; *values; values++)
		if (strlen(o->words) + strlen(*values) + 2 < sizeof o->words) {
			strcat(o->words, o->words[0] ? " " : "");
			strcat(o->words, *values);
		}
}

/* The words of a comma list: the states the --state help names (after its "states:"
 * or its first line), one per word of [a-z0-9-]. */
static void list_words(char *out, size_t cap, const char *text)
{
	out[0] = '\0';
	const char *p = strchr(text, ':');
	for (p = p ? p + 1 : text; *p;) {
		size_t l = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789-");
		if (l && strlen(out) + l + 2 < cap)
			strncat(out, p, l), strcat(out, " ");
		p += l ? l : 1;
	}
}

/* The value kind of an option from its fixed values, long name and metavariable. */
static void classify(struct comp_opt *o, const struct cli_opt *e)
{
	const char *meta = e->arg == CLI_ARG_NONE ? NULL : e->arg_name, *help = e->help;
	if (!meta)
		o->value = CV_FLAG;
	else if (cli_option_values(e)) {
		o->value = CV_WORDS;
		value_words(o, cli_option_values(e));
	} else if (strcmp(o->lng, "pid") == 0 || strncmp(meta, "PID", 3) == 0)
		o->value = CV_PID;
	else if (strcmp(o->lng, "command") == 0)
		o->value = CV_PROGRAM;
	else if (strcmp(meta, "UNIT") == 0 || strcmp(o->lng, "unit") == 0)
		o->value = CV_UNIT;
	else if (strncmp(meta, "USER", 4) == 0)
		o->value = CV_USER;
	else if (strcmp(meta, "FILE") == 0 || strcmp(meta, "DIR") == 0)
		o->value = CV_FILE;
	else if (strcmp(o->lng, "state") == 0) {
		o->value = CV_LIST;
		list_words(o->words, sizeof o->words, help);
	} else if (strcmp(o->lng, "columns") == 0)
		o->value = CV_LIST; /* the words: the column table's names (fill_columns) */
	else
		o->value = CV_FREE;
}

/* The column names, from `-o help` (the column table's own listing). */
static void fill_columns(struct comp_cmd *cmds, size_t n)
{
	struct buf cols = {0};
	char *argv[] = {"portsleuth", "-o", "help", NULL};
	capture(cmd_list, argv, 3, &cols);
	char colw[256] = "";
	for (const char *l = cols.data; l && *l; l = strchr(l, '\n'), l += !!l)
		if (l[0] == ' ' && l[1] == ' ' && islower((unsigned char)l[2]) &&
		    strlen(colw) + 20 < sizeof colw)
			strncat(colw, l + 2, strcspn(l + 2, " \n")), strcat(colw, " ");
	buf_free(&cols);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < cmds[i].n; j++)
			if (strcmp(cmds[i].opt[j].lng, "columns") == 0)
				snprintf(cmds[i].opt[j].words, sizeof cmds[i].opt[j].words, "%s",
					 colw);
}

/* The options of the command whose CLI_SUB_* bit is `bit`, from the table. */
static void command_options(struct comp_cmd *c, unsigned bit)
{
	size_t n;
	const struct cli_opt *t = cli_options(&n);
	for (size_t i = 0; i < n && c->n < sizeof c->opt / sizeof c->opt[0]; i++) {
		if (!(t[i].subcommands & bit))
			continue; /* another command's */
		if (!t[i].help) {
			/* an alias --help does not list; a short one (-p) completes as the
			 * option documented just before it (--pid) */
			if (t[i].short_name && c->n && !c->opt[c->n - 1].shrt && i &&
			    t[i - 1].help && (t[i - 1].subcommands & bit))
				c->opt[c->n - 1].shrt = t[i].short_name;
			continue;
		}
		struct comp_opt *o = &c->opt[c->n++];
		memset(o, 0, sizeof *o);
		o->shrt = t[i].short_name;
		if (t[i].long_name)
			copy_word(o->lng, sizeof o->lng, t[i].long_name, strlen(t[i].long_name));
		copy_word(o->desc, sizeof o->desc, t[i].help, strlen(t[i].help));
		for (char *nl = o->desc; (nl = strchr(nl, '\n'));)
			*nl = ' '; /* one line: the help's lines joined */
		classify(o, &t[i]);
	}
}

/* The commands' descriptions: "  portsleuth NAME ...   description" in the listing's help. */
static void command_desc(struct comp_cmd *c)
{
	const char *usage = cli_list_usage();
	char key[32];
	snprintf(key, sizeof key, "\n  portsleuth %.15s", c->name);
	const char *at = strstr(usage, key);
	if (!at && strcmp(c->name, "list") == 0)
		at = strstr(usage, "\n  portsleuth [list]");
	if (!at)
		return;
	at += 1;
	const char *eol = strchr(at, '\n');
	const char *d = at + 2;
	while (d < eol && !(d[0] == ' ' && d[1] == ' ' && d[2] != ' '))
		d++;
	d += strspn(d, " ");
	if (d < eol)
		copy_word(c->desc, sizeof c->desc, d, (size_t)(eol - d));
}

/* What a command's positional arguments are: a port, snapshot files, a command, or nothing. */
static uint8_t command_positional(const char *name)
{
	if (strcmp(name, "list") == 0 || strcmp(name, "explain") == 0)
		return CV_PORT;
	if (strcmp(name, "help") == 0)
		return CV_COMMAND;
	return strcmp(name, "diff") == 0 ? CV_SNAPSHOT : CV_FLAG;
}

/* The adapter: every command, its options and positional arguments. Number of commands. */
static size_t comp_collect(struct comp_cmd *cmds)
{
	size_t n = 0;
	for (size_t i = 0; cli_subcommand_name(i) && n < MAX_CMDS; i++) {
		struct comp_cmd *c = &cmds[n++];
		memset(c, 0, sizeof *c);
		snprintf(c->name, sizeof c->name, "%s", cli_subcommand_name(i));
		c->positional = command_positional(c->name);
		command_options(c, 1u << i);
		command_desc(c);
	}
	command_words[0] = '\0';
	for (size_t i = 0; i < n; i++)
		if (strlen(command_words) + strlen(cmds[i].name) + 2 < sizeof command_words)
			strcat(strcat(command_words, cmds[i].name), " ");
	struct comp_cmd *h = &cmds[n++]; /* `help CMD`: no options, a command's name */
	memset(h, 0, sizeof *h);
	snprintf(h->name, sizeof h->name, "help");
	snprintf(h->desc, sizeof h->desc, "a command's help (portsleuth help CMD)");
	h->positional = CV_COMMAND;
	fill_columns(cmds, n);
	return n;
}

/* ------------------------------------------------------------------ the scripts */

/* The shell commands that print the live values, one per line (portsleuth on PATH). */
static const char *live_cmd(unsigned v)
{
	switch (v) {
	case CV_PID:
		return "portsleuth -a -n --csv -o pid 2>/dev/null | tail -n +2 | grep . | sort -un";
	case CV_PORT:
		return "portsleuth -a -n --csv -o local 2>/dev/null | tail -n +2 | sed 's/.*://' | "
		       "grep . | sort -un";
	case CV_PROGRAM:
		return "portsleuth -a -n --csv -o program 2>/dev/null | tail -n +2 | grep . | sort "
		       "-u";
	case CV_UNIT:
		return "portsleuth -a -n --csv -o unit 2>/dev/null | tail -n +2 | grep . | sort -u";
	default:
		return NULL;
	}
}

static const char *const live_fn[] = {
    [CV_PID] = "pids", [CV_PORT] = "ports", [CV_PROGRAM] = "programs", [CV_UNIT] = "units"};

static void sh_live_functions(const char *prefix)
{
	for (unsigned v = CV_PID; v <= CV_UNIT; v++)
		printf("%s_%s() {\n\t%s\n}\n", prefix, live_fn[v], live_cmd(v));
}

/* bash: what the argument of a value kind completes to (COMPREPLY from $cur). */
static void bash_value(const struct comp_opt *o, unsigned v)
{
	switch (v) {
	case CV_WORDS:
		printf("COMPREPLY=($(compgen -W '%s' -- \"$cur\"))", o->words);
		break;
	case CV_LIST: /* complete the word after the last comma */
		printf("local pre=; [[ $cur == *,* ]] && pre=${cur%%,*},; "
		       "COMPREPLY=($(compgen -P \"$pre\" -W '%s' -- \"${cur##*,}\"))",
		       o->words);
		break;
	case CV_FILE:
		printf("COMPREPLY=($(compgen -f -- \"$cur\"))");
		break;
	case CV_SNAPSHOT:
		printf(
		    "COMPREPLY=($(compgen -d -- \"$cur\") $(compgen -f -X '!*.json' -- \"$cur\"))");
		break;
	case CV_USER:
		printf("COMPREPLY=($(compgen -u -- \"$cur\"))");
		break;
	case CV_COMMAND:
		printf("COMPREPLY=($(compgen -W '%s' -- \"$cur\"))", command_words);
		break;
	case CV_PID:
	case CV_PORT:
	case CV_PROGRAM:
	case CV_UNIT:
		printf("COMPREPLY=($(compgen -W \"$(_portsleuth_%s)\" -- \"$cur\"))", live_fn[v]);
		break;
	default:
		printf("COMPREPLY=()");
	}
}

static void bash_command(const struct comp_cmd *c, const struct comp_cmd *cmds, size_t n)
{
	printf("\t%s)\n\t\tcase $prev in\n", c->name);
	for (size_t i = 0; i < c->n; i++) {
		const struct comp_opt *o = &c->opt[i];
		if (o->value == CV_FLAG)
			continue;
		printf("\t\t");
		if (o->shrt)
			printf("-%c%s", o->shrt, o->lng[0] ? "|" : "");
		if (o->lng[0])
			printf("--%s", o->lng);
		printf(")\n\t\t\t");
		bash_value(o, o->value);
		printf("\n\t\t\treturn ;;\n");
	}
	printf("\t\tesac\n\t\tif [[ $cur == -* ]]; then\n\t\t\tCOMPREPLY=($(compgen -W '");
	for (size_t i = 0; i < c->n; i++)
		printf("%s%s%s", i ? " " : "", c->opt[i].lng[0] ? "--" : "-",
		       c->opt[i].lng[0] ? c->opt[i].lng : (char[]){c->opt[i].shrt, 0});
	printf("' -- \"$cur\"))\n\t\t\treturn\n\t\tfi\n\t\t");
	bash_value(NULL, c->positional);
	if (c == cmds) { /* the listing: the commands too, as the first word */
		printf("\n\t\t((COMP_CWORD == 1)) && COMPREPLY+=($(compgen -W '");
		for (size_t i = 0; i < n; i++)
			printf("%s%s", i ? " " : "", cmds[i].name);
		printf("' -- \"$cur\"))");
	}
	printf("\n\t\t;;\n");
}

static void gen_bash(const struct comp_cmd *cmds, size_t n)
{
	printf("# bash completion for portsleuth -*- shell-script -*-\n"
	       "# Generated by `portsleuth completions bash` from its options; do not edit.\n\n");
	sh_live_functions("_portsleuth");
	/* the command: the first word that is no option (portsleuth -q explain ...) */
	printf("_portsleuth() {\n"
	       "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd=list i\n"
	       "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n\t\tcase ${COMP_WORDS[i]} in\n\t\t");
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? "|" : "", cmds[i].name);
	printf(") cmd=${COMP_WORDS[i]}; break ;;\n\t\t-*) ;;\n\t\t*) break ;;\n\t\tesac\n"
	       "\tdone\n\tcase $cmd in\n");
	for (size_t i = 0; i < n; i++)
		bash_command(&cmds[i], cmds, n);
	printf("\tesac\n}\ncomplete -F _portsleuth portsleuth\n");
}

/* s inside single quotes: ' becomes '\'' */
static void sq(const char *s)
{
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*s);
}

/* zsh: what the argument of a value kind completes to. */
static void zsh_value(const struct comp_opt *o, unsigned v)
{
	switch (v) {
	case CV_WORDS:
		printf("compadd -- %s", o->words);
		break;
	case CV_LIST:
		printf("compset -P '*,'; compadd -S '' -q -- %s", o->words);
		break;
	case CV_FILE:
		printf("_files");
		break;
	case CV_SNAPSHOT:
		printf("_files -g '*.json'");
		break;
	case CV_USER:
		printf("_users");
		break;
	case CV_COMMAND:
		printf("compadd -- %s", command_words);
		break;
	case CV_PID:
	case CV_PORT:
	case CV_PROGRAM:
	case CV_UNIT:
		printf("compadd -- ${(f)\"$(_portsleuth_%s)\"}", live_fn[v]);
		break;
	default:
		printf("_message 'a value'");
	}
}

static void zsh_command(const struct comp_cmd *c, const struct comp_cmd *cmds, size_t n)
{
	printf("\t(%s)\n\t\tcase $prev in\n", c->name);
	for (size_t i = 0; i < c->n; i++) {
		const struct comp_opt *o = &c->opt[i];
		if (o->value == CV_FLAG)
			continue;
		printf("\t\t(");
		if (o->shrt)
			printf("-%c%s", o->shrt, o->lng[0] ? "|" : "");
		if (o->lng[0])
			printf("--%s", o->lng);
		printf(") ");
		zsh_value(o, o->value);
		printf("; return ;;\n");
	}
	printf("\t\tesac\n\t\tif [[ $cur == -* ]]; then\n\t\t\tlocal -a opts=(\n");
	for (size_t i = 0; i < c->n; i++) {
		const struct comp_opt *o = &c->opt[i];
		printf("\t\t\t\t'");
		if (o->lng[0])
			printf("--%s", o->lng);
		else
			printf("-%c", o->shrt);
		printf(":");
		sq(o->desc);
		printf("'\n");
		if (o->lng[0] && o->shrt) {
			printf("\t\t\t\t'-%c:", o->shrt);
			sq(o->desc);
			printf("'\n");
		}
	}
	printf("\t\t\t)\n\t\t\t_describe -t options option opts\n\t\t\treturn\n\t\tfi\n");
	if (c == cmds) {
		printf("\t\tif ((CURRENT == 2)); then\n\t\t\tlocal -a cmds=(\n");
		for (size_t i = 0; i < n; i++) {
			printf("\t\t\t\t'%s:", cmds[i].name);
			sq(cmds[i].desc);
			printf("'\n");
		}
		printf("\t\t\t)\n\t\t\t_describe -t commands command cmds\n\t\tfi\n");
	}
	if (c->positional != CV_FLAG) {
		printf("\t\t");
		zsh_value(NULL, c->positional);
		printf("\n");
	}
	printf("\t\t;;\n");
}

static void gen_zsh(const struct comp_cmd *cmds, size_t n)
{
	printf(
	    "#compdef portsleuth\n"
	    "# zsh completion for portsleuth, generated by `portsleuth completions zsh` from its\n"
	    "# options; do not edit.\n\n");
	sh_live_functions("_portsleuth");
	printf("_portsleuth() {\n"
	       "\tlocal cur=${words[CURRENT]} prev=${words[CURRENT-1]} cmd=list i\n"
	       "\tfor ((i = 2; i < CURRENT; i++)); do\n\t\tcase ${words[i]} in\n\t\t(");
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? "|" : "", cmds[i].name);
	printf(") cmd=${words[i]}; break ;;\n\t\t(-*) ;;\n\t\t(*) break ;;\n\t\tesac\n"
	       "\tdone\n\tcase $cmd in\n");
	for (size_t i = 0; i < n; i++)
		zsh_command(&cmds[i], cmds, n);
	printf("\tesac\n}\n\n"
	       "if [[ $funcstack[1] == _portsleuth ]]; then\n\t_portsleuth \"$@\"\nelse\n"
	       "\tcompdef _portsleuth portsleuth\nfi\n");
}

/* fish: the flags that say what an option's argument completes to. */
static void fish_value(const struct comp_opt *o, unsigned v)
{
	switch (v) {
	case CV_FLAG:
		break;
	case CV_WORDS:
	case CV_LIST:
		printf(" -x -a '%s'", o->words);
		break;
	case CV_FILE:
	case CV_SNAPSHOT:
		printf(" -r -F");
		break;
	case CV_USER:
		printf(" -x -a '(__fish_complete_users)'");
		break;
	case CV_PID:
	case CV_PORT:
	case CV_PROGRAM:
	case CV_UNIT:
		printf(" -x -a '(__portsleuth_%s)'", live_fn[v]);
		break;
	default:
		printf(" -x");
	}
}

static void gen_fish(const struct comp_cmd *cmds, size_t n)
{
	printf("# fish completion for portsleuth, generated by `portsleuth completions fish` from "
	       "its\n"
	       "# options; do not edit.\n\n");
	for (unsigned v = CV_PID; v <= CV_UNIT; v++)
		printf("function __portsleuth_%s\n\t%s\nend\n", live_fn[v], live_cmd(v));
	printf("\ncomplete -c portsleuth -f\n");
	char others[160] = "";
	for (size_t i = 1; i < n; i++)
		snprintf(others + strlen(others), sizeof others - strlen(others), " %s",
			 cmds[i].name);
	for (size_t i = 0; i < n; i++) {
		printf("complete -c portsleuth -n 'not __fish_seen_subcommand_from%s' -a %s -d '",
		       others, cmds[i].name);
		sq(cmds[i].desc);
		printf("'\n");
	}
	for (size_t i = 0; i < n; i++) {
		const struct comp_cmd *c = &cmds[i];
		char cond[200];
		if (i == 0)
			snprintf(cond, sizeof cond, "not __fish_seen_subcommand_from%s", others);
		else
			snprintf(cond, sizeof cond, "__fish_seen_subcommand_from %s", c->name);
		printf("\n# %s\n", c->name);
		for (size_t j = 0; j < c->n; j++) {
			const struct comp_opt *o = &c->opt[j];
			printf("complete -c portsleuth -n '%s'", cond);
			if (o->shrt)
				printf(" -s %c", o->shrt);
			if (o->lng[0])
				printf(" -l %s", o->lng);
			fish_value(o, o->value);
			printf(" -d '");
			sq(o->desc);
			printf("'\n");
		}
		if (c->positional == CV_PORT)
			printf("complete -c portsleuth -n '%s' -a '(__portsleuth_ports)'\n", cond);
		else if (c->positional == CV_SNAPSHOT)
			printf("complete -c portsleuth -n '%s' -F\n", cond);
		else if (c->positional == CV_COMMAND)
			printf("complete -c portsleuth -n '%s' -a '%s'\n", cond, command_words);
	}
}

int cmd_completions(int argc, char **argv)
{
	static struct comp_cmd cmds[MAX_CMDS];
	void (*gen)(const struct comp_cmd *, size_t) = NULL;
	if (argc == 2 && strcmp(argv[1], "bash") == 0)
		gen = gen_bash;
	else if (argc == 2 && strcmp(argv[1], "zsh") == 0)
		gen = gen_zsh;
	else if (argc == 2 && strcmp(argv[1], "fish") == 0)
		gen = gen_fish;
	if (!gen) {
		cli_usage_error("completions needs one shell", argc > 1 ? argv[1] : NULL,
				"use bash, zsh or fish");
		return EXIT_USAGE;
	}
	gen(cmds, comp_collect(cmds));
	return fflush(stdout) ? EXIT_FAILURE_ : EXIT_OK;
}
