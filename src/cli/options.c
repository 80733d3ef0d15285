/* SPDX-License-Identifier: GPL-2.0-or-later */
/* options.c — the one table of command-line options: it drives parsing, --help, "did you mean" and
 * completions. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "../util/buf.h"
#include "common.h"

#define Q                                                                                          \
	(CLI_SUB_LIST | CLI_SUB_EXPLAIN | CLI_SUB_SNAPSHOT | CLI_SUB_DIFF | CLI_SUB_WATCH |        \
	 CLI_SUB_CHECK | CLI_SUB_CONNS | CLI_SUB_TOP)
#define ALL Q
#define NONE CLI_ARG_NONE
#define VAL CLI_ARG_REQUIRED

/* The fixed values of options, in the order of the enum each one sets (parse.c). */
const char *const cli_exposure_words[] = {"loopback", "link-local",	     "private",
					  "public",   "any-beyond-loopback", NULL};
const char *const cli_attribution_words[] = {"auto", "bpf", "proc", NULL};
const char *const cli_color_words[] = {"auto", "always", "never", NULL};

/*
 * Every option of every subcommand. `id` is the short letter, a CLI_OPT_* code for
 * the options every subcommand shares, or the subcommand's own code (512 and up, in
 * the order of the enum in its file) passed to its on_extra. A help text's later
 * lines start after '\n' and are indented to the help column.
 */
static const struct cli_opt table[] = {
    {'a', "all", NONE, NULL, "sockets in every state, not only listening ones", Q, 'a',
     CLI_G_WHICH},
    {'l', "listening", NONE, NULL,
     "only listening sockets (the port table's default;\nconns and top show every state)", Q, 'l',
     CLI_G_WHICH},
    {0, "state", VAL, "LIST",
     "only these states: listen, established, connected,\nsyn-sent, syn-recv, fin-wait-1, "
     "fin-wait-2, time-wait,\nclose, close-wait, last-ack, closing, bound, unconn,\nall",
     Q, CLI_OPT_STATE, CLI_G_WHICH},
    {'t', "tcp", NONE, NULL, "TCP only", Q, 't', CLI_G_WHICH},
    {'u', "udp", NONE, NULL, "UDP only", Q, 'u', CLI_G_WHICH},
    {'4', "ipv4", NONE, NULL, "IPv4 only", Q, '4', CLI_G_WHICH},
    {'6', "ipv6", NONE, NULL, "IPv6 only", Q, '6', CLI_G_WHICH},
    {0, "pid", VAL, "PID[,PID]",
     "sockets held by these processes (-p PID too; in a\ngroup of flags such as -tulpn, -p is "
     "ss's: owners\nare always shown)",
     Q, CLI_OPT_PID, CLI_G_WHICH},
    {'p', NULL, NONE, NULL, NULL, Q, 'p', CLI_G_WHICH}, /* ss's -p, or -p PID: see parse.c */
    {'c', "command", VAL, "NAME",
     "sockets held by a process whose name or executable\nstarts with NAME (repeatable)", Q, 'c',
     CLI_G_WHICH},
    {0, "user", VAL, "USER|UID", "sockets created by or held by this user (repeatable)", Q,
     CLI_OPT_USER, CLI_G_WHICH},
    {0, "exposure", VAL, "CLASS",
     "only sockets reachable from: public, private,\nlink-local, loopback (only there) or\n"
     "any-beyond-loopback (conns and top: by the local\naddress alone, the firewall unread)",
     CLI_SUB_LIST | CLI_SUB_CONNS | CLI_SUB_TOP, CLI_OPT_EXPOSURE, CLI_G_WHICH},
    {'N', "all-ns", NONE, NULL, "every network namespace, not only this one (root)", Q, 'N',
     CLI_G_WHICH},
    {0, "attribution", VAL, "HOW",
     "find owners with bpf (one kernel pass; fails if it\ncannot load), proc (/proc scan) or "
     "auto (default)",
     Q, CLI_OPT_ATTRIBUTION, CLI_G_WHICH},
    {0, "json", NONE, NULL,
     "JSON document (schema 1), see portsleuth(1) (top is\na screen: use conns)", ALL, CLI_OPT_JSON,
     CLI_G_OUTPUT},
    {0, "csv", NONE, NULL,
     "CSV, one record per socket and owner (conns: per\ngroup; top is a screen: use conns)", ALL,
     CLI_OPT_CSV, CLI_G_OUTPUT},
    {'o', "columns", VAL, "LIST",
     "table/CSV columns, e.g. proto,local,pid,fd,command\n(-o help lists them)",
     ALL & ~(CLI_SUB_SNAPSHOT | CLI_SUB_CONNS | CLI_SUB_TOP), 'o', CLI_G_OUTPUT},
    {'n', "numeric", NONE, NULL, "no service names", ALL, 'n', CLI_G_OUTPUT},
    {'w', "wide", NONE, NULL,
     "never cut columns to the terminal width (a pipe or\nfile is cut only to a COLUMNS that is "
     "set)",
     ALL, 'w', CLI_G_OUTPUT},
    {0, "color", VAL, "WHEN",
     "auto (default: only on a terminal, never with\nNO_COLOR), always or never", ALL,
     CLI_OPT_COLOR, CLI_G_OUTPUT},
    {0, "colour", VAL, "WHEN", NULL, ALL, CLI_OPT_COLOR, CLI_G_OUTPUT},
    {0, "services", VAL, "FILE",
     "a services(5) file instead of /etc/services: the last\nlayer, for ports nothing else "
     "knows (--ports-file\noverrides the built-in knowledge)",
     ALL, CLI_OPT_SERVICES, CLI_G_OUTPUT},
    {0, "ports-file", VAL, "FILE",
     "port knowledge (PORT TAB tcp|udp|tcp/udp TAB NAME ...)\nthat overrides everything else, "
     "see portsleuth(1)",
     ALL, CLI_OPT_PORTS_FILE, CLI_G_OUTPUT},
    {0, "policy", VAL, "FILE", "acknowledge findings with the policy's `ack` lines", ALL,
     CLI_OPT_POLICY, CLI_G_OUTPUT},
    {0, "findings", NONE, NULL, "only sockets with findings (exit 4 on a warning\nor an alert)",
     CLI_SUB_LIST, CLI_OPT_FINDINGS, CLI_G_OUTPUT},
    {0, "no-header", NONE, NULL, "no header line in the table or CSV", CLI_SUB_LIST,
     CLI_OPT_NO_HEADER, CLI_G_SCRIPT},
    {0, "pids", NONE, NULL,
     "only the process ids, one per line, every holder,\neach once (as lsof -t): kill $(portsleuth "
     "--pids 8080)",
     CLI_SUB_LIST, CLI_OPT_PIDS, CLI_G_SCRIPT},
    {'q', "quiet", NONE, NULL, "no notes on stderr (errors are still printed)", ALL, 'q',
     CLI_G_SCRIPT},
    {'h', "help", NONE, NULL, "this help (portsleuth help CMD: a command's)", ALL, 'h',
     CLI_G_SCRIPT},
    {'V', "version", NONE, NULL, "version", ALL, 'V', CLI_G_SCRIPT},
    /* snapshot: enum { OPT_OUTPUT = 512, OPT_FORMAT, OPT_MODE } */
    {'o', "output", VAL, "FILE",
     "write to FILE instead of standard output: a new file\nrenamed over FILE (never through "
     "another user's\nsymbolic link); a device or FIFO is written to",
     CLI_SUB_SNAPSHOT, 512, CLI_G_SUB},
    {0, "format", VAL, "FMT", "json (default) or prometheus (node_exporter textfile\ncollector)",
     CLI_SUB_SNAPSHOT, 513, CLI_G_SUB},
    {0, "mode", VAL, "MODE", "permissions of the file -o creates (default 0600)", CLI_SUB_SNAPSHOT,
     514, CLI_G_SUB},
    /* check: enum { OPT_BASELINE = 512, OPT_MISSING, OPT_FORMAT } */
    {'b', "baseline", VAL, "FILE", "the snapshot or policy to check against (required)",
     CLI_SUB_CHECK, 512, CLI_G_SUB},
    {0, "missing", NONE, NULL, "also report every baseline listener that is gone", CLI_SUB_CHECK,
     513, CLI_G_SUB},
    {0, "format", VAL, "FMT",
     "table (default), json or prometheus (node_exporter\ntextfile collector)", CLI_SUB_CHECK, 514,
     CLI_G_SUB},
    /* watch: enum { OPT_INTERVAL = 512, OPT_COUNT, OPT_DURATION, OPT_LOG, OPT_POLL_ONLY } */
    {'i', "interval", VAL, "SEC", "seconds between polls (default 1, fractions allowed)",
     CLI_SUB_WATCH, 512, CLI_G_SUB},
    {0, "count", VAL, "N", "stop after N polls", CLI_SUB_WATCH, 513, CLI_G_SUB},
    {0, "duration", VAL, "SEC", "stop after SEC seconds", CLI_SUB_WATCH, 514, CLI_G_SUB},
    {0, "log", VAL, "FILE",
     "also append the events to FILE (no colour; created\n0600; never through another user's "
     "symbolic link)",
     CLI_SUB_WATCH, 515, CLI_G_SUB},
    {0, "poll-only", NONE, NULL,
     "do not subscribe to destroy notifications (with -a\non a busy host every closed connection "
     "sends one)",
     CLI_SUB_WATCH, 516, CLI_G_SUB},
    /* conns: enum { OPT_INTERVAL = 512 } */
    {'i', "interval", VAL, "SEC",
     "seconds between the two samples the rates come from\n(default 1; 0: one sample, no rates)",
     CLI_SUB_CONNS, 512, CLI_G_SUB},
    /* top: enum { OPT_DELAY = 512, OPT_TIMING, OPT_EVENTS } */
    {'d', "delay", VAL, "SEC", "seconds between refreshes (default 1, fractions allowed)",
     CLI_SUB_TOP, 512, CLI_G_SUB},
    {0, "timing", VAL, "FILE",
     "when top ends, write to FILE how many refreshes and full\nlistings it made, the longest "
     "time between two refreshes\nand how many sockets' counters were asked",
     CLI_SUB_TOP, 513, CLI_G_SUB},
    {0, "events", VAL, "HOW",
     "how the set is kept between full listings: auto (BPF,\nelse sock_diag), diag "
     "(sock_diag's destroy notifications\nand a dump each refresh), none (list everything)",
     CLI_SUB_TOP, 514, CLI_G_SUB},
};

const char *cli_sub_usage(unsigned sub, const char *head, const char *tail)
{
	static struct buf texts[8]; /* one per CLI_SUB_* bit, built once */
	static const struct {
		unsigned group;
		const char *title;
	} parts[] = {
	    {CLI_G_SUB, "Options of this command:\n"},
	    {CLI_G_WHICH, "Which sockets (as in `portsleuth --help`):\n"},
	    {CLI_G_OUTPUT, "Output:\n"},
	    {CLI_G_SCRIPT, "Scripting and help:\n"},
	};
	size_t i = 0;
	while (i < 8 && !(sub & (1u << i)))
		i++;
	if (i == 8)
		return head;
	struct buf *text = &texts[i];
	if (text->len)
		return text->data;
	int rc = buf_puts(text, head);
	for (size_t p = 0; p < sizeof parts / sizeof parts[0] && !rc; p++) {
		struct buf lines = {0};
		rc = cli_usage_group(&lines, sub, parts[p].group);
		bool blank = text->len >= 2 && !memcmp(text->data + text->len - 2, "\n\n", 2);
		if (!rc && lines.len)
			rc = buf_printf(text, "%s%s%.*s", blank ? "" : "\n", parts[p].title,
					(int)lines.len, lines.data);
		buf_free(&lines);
	}
	rc = rc ? rc : buf_puts(text, tail);
	if (rc) { /* out of memory: the passages at least */
		buf_free(text);
		return head;
	}
	return text->data;
}

const char *const *cli_option_values(const struct cli_opt *o)
{
	static const char *const snapshot_formats[] = {"json", "prometheus", NULL};
	static const char *const check_formats[] = {"table", "json", "prometheus", NULL};
	switch (o->id) {
	case CLI_OPT_EXPOSURE:
		return cli_exposure_words;
	case CLI_OPT_ATTRIBUTION:
		return cli_attribution_words;
	case CLI_OPT_COLOR:
		return cli_color_words;
	}
	if (o->long_name && strcmp(o->long_name, "format") == 0)
		return o->subcommands == CLI_SUB_SNAPSHOT ? snapshot_formats : check_formats;
	return NULL;
}

const struct cli_opt *cli_options(size_t *n)
{
	*n = sizeof table / sizeof table[0];
	return table;
}

static const char *const sub_names[] = {"list",	 "explain", "snapshot", "diff",
					"watch", "check",   "conns",	"top"};

unsigned cli_subcommand_bit(const char *name)
{
	for (size_t i = 0; i < sizeof sub_names / sizeof sub_names[0]; i++)
		if (name && strcmp(name, sub_names[i]) == 0)
			return 1u << i;
	return 0;
}

const char *cli_subcommand_name(size_t i)
{
	return i < sizeof sub_names / sizeof sub_names[0] ? sub_names[i] : NULL;
}

/* Whether the option word w ("--name", "-xyz") takes the next word as its value: some option
 * of that name, in any subcommand, takes a value and w does not hold it already. */
static bool takes_next(const char *w)
{
	if (w[1] == '-') {
		size_t len = strcspn(w + 2, "=");
		if (w[2 + len] == '=')
			return false;
		for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
			if (table[i].long_name && strncmp(table[i].long_name, w + 2, len) == 0 &&
			    table[i].arg == CLI_ARG_REQUIRED)
				return true;
		return false;
	}
	for (const char *c = w + 1; *c; c++)
		for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
			if (table[i].short_name == *c && table[i].arg == CLI_ARG_REQUIRED)
				return c[1] == '\0'; /* -oLIST holds its value */
	return false;
}

int cli_first_word(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *w = argv[i];
		if (strcmp(w, "--") == 0)
			return i + 1 < argc ? i + 1 : -1;
		if (w[0] != '-' || w[1] == '\0')
			return i;
		if (takes_next(w))
			i++;
		else if (strcmp(w, "-p") == 0 && i + 1 < argc && argv[i + 1][0] >= '0' &&
			 argv[i + 1][0] <= '9')
			i++; /* -p PID */
	}
	return -1;
}

#define HELP_COL 25

/* One option as --help shows it: "  -a, --all              sockets in every state...". */
static int usage_line(struct buf *out, const struct cli_opt *o)
{
	char name[64];
	snprintf(name, sizeof name, "%s%c%s--%s%s%s", o->short_name ? "-" : " ",
		 o->short_name ? o->short_name : ' ', o->short_name ? ", " : "  ", o->long_name,
		 o->arg_name ? " " : "", o->arg_name ? o->arg_name : "");
	int rc = buf_printf(out, "  %-*s", HELP_COL - 2 - 2, name);
	if (!rc && strlen(name) > HELP_COL - 4)
		rc = buf_printf(out, "\n%*s", HELP_COL - 2, "");
	for (const char *h = o->help; !rc && h;) {
		const char *nl = strchr(h, '\n');
		size_t n = nl ? (size_t)(nl - h) : strlen(h);
		rc = buf_printf(out, "  %.*s\n", (int)n, h);
		h = nl ? nl + 1 : NULL;
		if (!rc && h)
			rc = buf_printf(out, "%*s", HELP_COL - 2, "");
	}
	return rc;
}

int cli_usage_group(struct buf *out, unsigned sub, unsigned group)
{
	int rc = 0;
	for (size_t i = 0; i < sizeof table / sizeof table[0] && !rc; i++)
		if (table[i].group == group && (table[i].subcommands & sub) && table[i].help &&
		    table[i].long_name)
			rc = usage_line(out, &table[i]);
	return rc;
}

/* Levenshtein distance of a and b, capped: words longer than 63 bytes are never close. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	if (na > 63 || nb > 63)
		return 64;
	size_t row[64];
	for (size_t j = 0; j <= nb; j++)
		row[j] = j;
	for (size_t i = 1; i <= na; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= nb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[nb];
}

const char *cli_suggest(const char *word, const char *const *words, size_t n)
{
	const char *best = NULL;
	size_t bd = 64, len = strlen(word);
	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(word, words[i]);
		if (d < bd) {
			bd = d;
			best = words[i];
		}
	}
	/* close: a third of the word's letters at most (two typos in "--servcies") */
	return best && bd <= (len + 2) / 3 ? best : NULL;
}

const char *cli_suggest_option(const char *word, unsigned sub)
{
	const char *names[sizeof table / sizeof table[0]];
	size_t n = 0;
	for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].long_name && (table[i].subcommands & sub))
			names[n++] = table[i].long_name;
	return cli_suggest(word, names, n);
}
