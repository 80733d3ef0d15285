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
};

struct comp_opt {
	char shrt;     /* 0: none */
	char lng[32];  /* without the dashes; "" when none */
	uint8_t value; /* enum comp_value */
	char words[256];
	char desc[96];
};

struct comp_cmd {
	char name[16]; /* "list" is also the command when none is named */
	char desc[96];
	uint8_t positional; /* enum comp_value */
	struct comp_opt opt[48];
	size_t n;
};

enum { MAX_CMDS = 12 };

/* ------------------------------------------------------------------ the adapter
 * Today the options live in each command's getopt table and its --help; the help is what
 * users see, so the model is read from it (every option line, its metavariable and the
 * first line of its description). Re-pointed at one option table, only this part changes. */

static const struct {
	const char *name;
	int (*run)(int argc, char **argv);
} sub[] = {
    {"explain", cmd_explain}, {"snapshot", cmd_snapshot}, {"diff", cmd_diff},
    {"watch", cmd_watch},     {"check", cmd_check},
};

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
	optind = 0; /* each command parses its options from the start (getopt's full reset) */
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

/* The words a metavariable's description names (format names, colour modes, methods). */
static void desc_words(struct comp_opt *o, const char *from)
{
	/* the description: up to the next option line or the end of the paragraph */
	char line_rest[400];
	size_t n = 0;
	while (from[n] && n + 1 < sizeof line_rest && strncmp(from + n, "\n\n", 2) != 0 &&
	       !(from[n] == '\n' && from[n + 1 + strspn(from + n + 1, " ")] == '-'))
		n++;
	copy_word(line_rest, sizeof line_rest, from, n);
	static const char *const known[] = {"table",  "json",  "prometheus", "csv", "auto",
					    "always", "never", "bpf",	     "proc"};
	o->words[0] = '\0';
	for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
		const char *at = strstr(line_rest, known[i]);
		size_t l = strlen(known[i]);
		if (at && !isalnum((unsigned char)at[l]) && at[l] != '-' &&
		    (at == line_rest || !isalnum((unsigned char)at[-1])) &&
		    strlen(o->words) + l + 2 < sizeof o->words) {
			strcat(o->words, o->words[0] ? " " : "");
			strcat(o->words, known[i]);
		}
	}
}

/* The value kind of an option from its long name and metavariable. */
static void classify(struct comp_opt *o, const char *meta, const char *rest)
{
	if (!*meta)
		o->value = CV_FLAG;
	else if (strcmp(o->lng, "pid") == 0 || strncmp(meta, "PID", 3) == 0)
		o->value = CV_PID;
	else if (strcmp(o->lng, "command") == 0)
		o->value = CV_PROGRAM;
	else if (strcmp(meta, "UNIT") == 0 || strcmp(o->lng, "unit") == 0)
		o->value = CV_UNIT;
	else if (strncmp(meta, "USER", 4) == 0)
		o->value = CV_USER;
	else if (strcmp(meta, "FILE") == 0 || strcmp(meta, "DIR") == 0)
		o->value = CV_FILE;
	else if (strcmp(o->lng, "columns") == 0 || strcmp(o->lng, "state") == 0)
		o->value = CV_LIST; /* the words: filled from the listing's help (fill_lists) */
	else if (strcmp(meta, "FMT") == 0 || strcmp(meta, "WHEN") == 0 ||
		 strcmp(meta, "HOW") == 0) {
		o->value = CV_WORDS;
		desc_words(o, rest);
	} else
		o->value = CV_FREE;
}

static struct comp_opt *find_opt(struct comp_cmd *c, char shrt, const char *lng)
{
	for (size_t i = 0; i < c->n; i++)
		if ((*lng && strcmp(c->opt[i].lng, lng) == 0) ||
		    (!*lng && shrt && c->opt[i].shrt == shrt))
			return &c->opt[i];
	return NULL;
}

/* One option group at *p ("-p, --pid PID[,PID]", "--json", "-a,"); advances *p. */
static struct comp_opt *parse_group(struct comp_cmd *c, const struct comp_cmd *list, const char **p,
				    bool *chained)
{
	struct comp_opt o = {0};
	char meta[32] = "";
	const char *s = *p;
	if (s[1] != '-') {
		o.shrt = s[1];
		s += 2;
		/* "-p, --pid": one option; "-c, --user" in a list of the listing's options: two */
		char next[32] = "";
		if (s[0] == ',' && s[1] == ' ' && s[2] == '-' && s[3] == '-')
			copy_word(next, sizeof next, s + 4,
				  strspn(s + 4, "abcdefghijklmnopqrstuvwxyz0123456789-"));
		const struct comp_opt *mine =
		    list ? find_opt((struct comp_cmd *)list, o.shrt, "") : NULL;
		const struct comp_opt *its =
		    list && *next ? find_opt((struct comp_cmd *)list, 0, next) : NULL;
		if (*next && !(mine && its && mine != its))
			s += 2;
	}
	if (s[0] == '-' && s[1] == '-') {
		size_t l = strspn(s + 2, "abcdefghijklmnopqrstuvwxyz0123456789-");
		copy_word(o.lng, sizeof o.lng, s + 2, l);
		s += 2 + l;
		if (s[0] == ' ' && isupper((unsigned char)s[1])) {
			l = strcspn(s + 1, " \n");
			copy_word(meta, sizeof meta, s + 1, l);
			s += 1 + l;
		}
	}
	*chained = *s == ',';
	s += *chained;
	*p = s;
	struct comp_opt *have = find_opt(c, o.shrt, o.lng);
	if (have)
		return have;
	const struct comp_opt *common =
	    list && list != c ? find_opt((struct comp_cmd *)list, o.shrt, o.lng) : NULL;
	if (c->n == sizeof c->opt / sizeof c->opt[0] || (!o.shrt && !*o.lng))
		return NULL;
	if (common && !*meta) /* named the way the listing's help does: the same option */
		o = *common;
	else
		classify(&o, meta, s);
	c->opt[c->n] = o;
	return &c->opt[c->n++];
}

/* The option lines of a help text: "  -x, --long META   description  -y, --other ...". */
static void parse_options(struct comp_cmd *c, const struct comp_cmd *list, const char *help)
{
	for (const char *line = help; line && *line; line = strchr(line, '\n'), line += !!line) {
		const char *p = line + strspn(line, " ");
		if (p - line < 2 || *p != '-')
			continue;
		struct comp_opt *last = NULL;
		bool chained = false;
		while (*p && *p != '\n') {
			p += strspn(p, " ");
			if (*p == '-') {
				last = parse_group(c, list, &p, &chained);
				continue;
			}
			/* text up to two spaces and a dash: the description of the option before */
			const char *end = p;
			while (*end && *end != '\n' &&
			       !(end[0] == ' ' && end[1] == ' ' &&
				 end[2 + strspn(end + 2, " ")] == '-'))
				end++;
			size_t l = (size_t)(end - p);
			while (l && strchr(" ,;(", p[l - 1])) /* a sentence cut at the line's end */
				l--;
			if (last && !chained)
				copy_word(last->desc, sizeof last->desc, p, l);
			last = NULL;
			p = end;
		}
	}
}

/* The words of a list option: columns from `-o help`, states from the listing's help. */
static void fill_lists(struct comp_cmd *cmds, size_t n)
{
	struct buf cols = {0};
	char *argv[] = {"portsleuth", "-o", "help", NULL};
	capture(cmd_list, argv, 3, &cols);
	char colw[256] = "", statew[256] = "";
	for (const char *l = cols.data; l && *l; l = strchr(l, '\n'), l += !!l)
		if (l[0] == ' ' && l[1] == ' ' && islower((unsigned char)l[2]) &&
		    strlen(colw) + 20 < sizeof colw)
			strncat(colw, l + 2, strcspn(l + 2, " \n")), strcat(colw, " ");
	const char *st = strstr(cli_usage_text, "states:");
	const char *end = st ? strstr(st, "\n  -") : NULL;
	for (const char *p = st ? st + 7 : NULL; p && p < end;) {
		size_t l = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789-");
		if (l && strlen(statew) + l + 2 < sizeof statew)
			strncat(statew, p, l), strcat(statew, " ");
		p += l ? l : 1;
	}
	buf_free(&cols);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < cmds[i].n; j++) {
			struct comp_opt *o = &cmds[i].opt[j];
			if (o->value == CV_LIST)
				snprintf(o->words, sizeof o->words, "%s",
					 strcmp(o->lng, "state") == 0 ? statew : colw);
		}
}

static void parse_usage_line(struct comp_cmd *c, const char *help)
{
	size_t l = strcspn(help, "\n");
	char line[160];
	copy_word(line, sizeof line, help, l);
	c->positional = strstr(line, "PORT")				     ? CV_PORT
			: strstr(line, "SNAPSHOT") || strstr(line, "BEFORE") ? CV_SNAPSHOT
									     : CV_FLAG;
}

/* The commands' descriptions: "  portsleuth NAME ...   description" in the listing's help. */
static void command_desc(struct comp_cmd *c)
{
	char key[32];
	snprintf(key, sizeof key, "\n  portsleuth %s", c->name);
	const char *at = strstr(cli_usage_text, key);
	if (!at && strcmp(c->name, "list") == 0)
		at = strstr(cli_usage_text, "\n  portsleuth [list]");
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

/* The adapter: every command, its options and positional arguments. Number of commands. */
static size_t comp_collect(struct comp_cmd *cmds)
{
	size_t n = 0;
	struct comp_cmd *list = &cmds[n++];
	snprintf(list->name, sizeof list->name, "list");
	parse_usage_line(list, cli_usage_text);
	parse_options(list, NULL, cli_usage_text);
	command_desc(list);
	for (size_t i = 0; i < sizeof sub / sizeof *sub && n < MAX_CMDS; i++) {
		struct comp_cmd *c = &cmds[n++];
		struct buf help = {0};
		char *argv[] = {(char *)sub[i].name, "--help", NULL};
		snprintf(c->name, sizeof c->name, "%s", sub[i].name);
		if (capture(sub[i].run, argv, 2, &help) == 0 && help.data) {
			const char *u = strstr(help.data, "Usage:");
			parse_usage_line(c, u ? u : help.data);
			parse_options(c, list, help.data);
		}
		command_desc(c);
		buf_free(&help);
	}
	fill_lists(cmds, n);
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
	printf("_portsleuth() {\n"
	       "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd=list\n"
	       "\tcase ${COMP_WORDS[1]} in\n\t");
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? "|" : "", cmds[i].name);
	printf(") ((COMP_CWORD > 1)) && cmd=${COMP_WORDS[1]} ;;\n\tesac\n\tcase $cmd in\n");
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
	       "\tlocal cur=${words[CURRENT]} prev=${words[CURRENT-1]} cmd=list\n"
	       "\tcase ${words[2]} in\n\t(");
	for (size_t i = 0; i < n; i++)
		printf("%s%s", i ? "|" : "", cmds[i].name);
	printf(") ((CURRENT > 2)) && cmd=${words[2]} ;;\n\tesac\n\tcase $cmd in\n");
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
