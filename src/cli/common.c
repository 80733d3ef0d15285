/* common.c — option parsing, messages and rendering setup shared by every subcommand. */
#include "common.h"

#include <errno.h>
#include <langinfo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../model/exposure.h"
#include "../model/fwmodel.h"
#include "../model/verdict.h"
#include "../platform/platform.h"
#include "../util/buf.h"
#include "cli.h"
#include "msg.h"

/* "portsleuth: WHAT 'ARG': WHY" and a pointer to --help; arg and why may be NULL. */
void cli_usage_error(const char *what, const char *arg, const char *why)
{
	cli_msg("%s%s%s%s%s%s", what, arg ? " '" : "", arg ? arg : "", arg ? "'" : "",
		why ? ": " : "", why ? why : "");
	fputs("Try 'portsleuth --help' for more information.\n", stderr);
}

int cli_parse_mode(const char *arg, unsigned *mode)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(arg, &end, 8);
	if (errno || end == arg || *end || *arg == '-' || *arg == '+' || v > 0777) {
		cli_usage_error("invalid --mode", arg, "octal permissions such as 0600 or 0644");
		return EXIT_USAGE;
	}
	*mode = (unsigned)v;
	return 0;
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

/* Help passages that describe Linux machinery, and what a platform without it says instead. */
enum usage_need { NEED_NAMESPACES, NEED_FD_SCAN, NEED_DESTROY_EVENTS };
static const struct {
	enum usage_need need;
	const char *linux_text, *other;
} usage_alt[] = {
    {NEED_NAMESPACES,
     "  -N, --all-ns           every network namespace, not only this one (root)\n",
     "  -N, --all-ns           network namespaces: not supported on this platform\n"},
    {NEED_FD_SCAN,
     "      --attribution HOW  find owners with bpf (one kernel pass; fails if it\n"
     "                         cannot load), proc (/proc scan) or auto (default)\n",
     "      --attribution HOW  no effect on this platform: the system's socket tables\n"
     "                         name each socket's process\n"},
    {NEED_DESTROY_EVENTS,
     "Sockets that\nopen and close between two polls are caught from the kernel's sock_diag "
     "destroy\nnotifications; when they are unavailable, the first line says such sockets "
     "are\nnot seen.\n",
     "Sockets that\nopen and close between two polls are not seen: this system does not report\n"
     "closed sockets, and the first line says so.\n"},
    {NEED_DESTROY_EVENTS,
     "      --poll-only        do not subscribe to destroy notifications (with -a on a\n"
     "                         busy host every closed connection sends one)\n",
     "      --poll-only        no effect on this platform (it only polls)\n"},
};

static bool usage_has(const struct platform_caps *caps, enum usage_need n)
{
	return n == NEED_NAMESPACES ? caps->namespaces
	       : n == NEED_FD_SCAN  ? !caps->owners_from_collect
				    : caps->destroy_events;
}

int cli_usage_for(const char *usage, const struct platform_caps *caps, struct buf *out)
{
	const char *p = usage;
	int rc = 0;
	while (*p && !rc) {
		const char *next = NULL, *with = NULL;
		size_t skip = 0;
		for (size_t i = 0; i < sizeof usage_alt / sizeof usage_alt[0]; i++) {
			const char *at = usage_has(caps, usage_alt[i].need)
					     ? NULL
					     : strstr(p, usage_alt[i].linux_text);
			if (at && (!next || at < next)) {
				next = at;
				with = usage_alt[i].other;
				skip = strlen(usage_alt[i].linux_text);
			}
		}
		if (!next)
			return buf_puts(out, p);
		rc = buf_append(out, p, (size_t)(next - p));
		if (!rc)
			rc = buf_puts(out, with);
		p = next + skip;
	}
	return rc;
}

/* The help text in the platform's own terms. */
static void print_usage(const char *usage)
{
	struct buf b = {0};
	if (cli_usage_for(usage, platform_caps(), &b) == 0)
		fwrite(b.data, 1, b.len, stdout);
	else
		fputs(usage, stdout);
	buf_free(&b);
}

int cli_parse_options(int argc, char **argv, struct cli_options *o, const struct cli_extra *extra,
		      const char *usage)
{
	enum {
		OPT_JSON = 256,
		OPT_CSV,
		OPT_USER,
		OPT_STATE,
		OPT_COLOR,
		OPT_SERVICES,
		OPT_PORTS_FILE,
		OPT_ATTRIBUTION,
		OPT_POLICY
	};
	static const struct option common[] = {
	    {"all", no_argument, NULL, 'a'},
	    {"listening", no_argument, NULL, 'l'},
	    {"tcp", no_argument, NULL, 't'},
	    {"udp", no_argument, NULL, 'u'},
	    {"ipv4", no_argument, NULL, '4'},
	    {"ipv6", no_argument, NULL, '6'},
	    {"pid", required_argument, NULL, 'p'},
	    {"command", required_argument, NULL, 'c'},
	    {"user", required_argument, NULL, OPT_USER},
	    {"state", required_argument, NULL, OPT_STATE},
	    {"json", no_argument, NULL, OPT_JSON},
	    {"csv", no_argument, NULL, OPT_CSV},
	    {"columns", required_argument, NULL, 'o'},
	    {"numeric", no_argument, NULL, 'n'},
	    {"wide", no_argument, NULL, 'w'},
	    {"color", required_argument, NULL, OPT_COLOR},
	    {"colour", required_argument, NULL, OPT_COLOR},
	    {"services", required_argument, NULL, OPT_SERVICES},
	    {"ports-file", required_argument, NULL, OPT_PORTS_FILE},
	    {"policy", required_argument, NULL, OPT_POLICY},
	    {"all-ns", no_argument, NULL, 'N'},
	    {"attribution", required_argument, NULL, OPT_ATTRIBUTION},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {NULL, 0, NULL, 0},
	};
	struct option longopts[64];
	size_t nl = 0;
	for (const struct option *x = common; x->name; x++)
		longopts[nl++] = *x;
	for (const struct option *x = extra ? extra->longopts : NULL; x && x->name && nl < 63; x++)
		longopts[nl++] = *x;
	longopts[nl] = (struct option){NULL, 0, NULL, 0};
	filter_init(&o->filter);
	struct ps_filter *f = &o->filter;
	bool tcp = false, udp = false, v4 = false, v6 = false, states = false, listening = false;
	const char *why = NULL;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":altu46p:c:o:nwhVN", longopts, NULL)) != -1) {
		switch (c) {
		case 'a':
			o->all = true;
			break;
		case 'l':
			listening = true;
			break;
		case 't':
			tcp = true;
			break;
		case 'u':
			udp = true;
			break;
		case '4':
			v4 = true;
			break;
		case '6':
			v6 = true;
			break;
		case 'p':
			if (filter_parse_pids(optarg, &f->pids, &f->npids, &why)) {
				cli_usage_error("invalid process id list", optarg, why);
				return EXIT_USAGE;
			}
			break;
		case 'c':
			if (!*optarg) {
				cli_usage_error("empty command name", NULL, NULL);
				return EXIT_USAGE;
			}
			if (filter_add_command(f, optarg))
				return EXIT_FAILURE_;
			break;
		case OPT_USER: {
			int rc = parse_user(f, optarg);
			if (rc == -ENOENT) {
				cli_usage_error("no such user", optarg, NULL);
				return EXIT_USAGE;
			}
			if (rc)
				return EXIT_FAILURE_;
			break;
		}
		case OPT_STATE: {
			uint32_t st[PS_PROTO_COUNT];
			if (filter_parse_states(optarg, st, &why)) {
				cli_usage_error("invalid state list", optarg, why);
				return EXIT_USAGE;
			}
			if (!states)
				f->states[PS_TCP] = f->states[PS_UDP] = 0;
			f->states[PS_TCP] |= st[PS_TCP];
			f->states[PS_UDP] |= st[PS_UDP];
			states = true;
			break;
		}
		case OPT_JSON:
			o->format = FMT_JSON;
			break;
		case OPT_CSV:
			o->format = FMT_CSV;
			break;
		case 'o':
			if (strcmp(optarg, "help") == 0) {
				list_columns();
				return EXIT_OK;
			}
			o->columns = optarg;
			break;
		case 'n':
			o->numeric = true;
			break;
		case 'N':
			/* said, not refused: the same command line works on every platform */
			if (platform_caps()->namespaces)
				f->all_netns = true;
			else
				cli_msg("-N: network namespaces are not supported on this platform "
					"(%s); listing this system's sockets.",
					platform_caps()->name);
			break;
		case 'w':
			o->wide = true;
			break;
		case OPT_COLOR:
			if (strcmp(optarg, "auto") == 0)
				o->color = COLOR_AUTO;
			else if (strcmp(optarg, "always") == 0)
				o->color = COLOR_ALWAYS;
			else if (strcmp(optarg, "never") == 0)
				o->color = COLOR_NEVER;
			else {
				cli_usage_error("invalid --color", optarg,
						"use auto, always or never");
				return EXIT_USAGE;
			}
			break;
		case OPT_ATTRIBUTION:
			if (strcmp(optarg, "auto") == 0)
				f->attribution = PS_ATTRIB_AUTO;
			else if (strcmp(optarg, "bpf") == 0)
				f->attribution = PS_ATTRIB_BPF;
			else if (strcmp(optarg, "proc") == 0)
				f->attribution = PS_ATTRIB_PROC;
			else {
				cli_usage_error("invalid --attribution", optarg,
						"use auto, bpf or proc");
				return EXIT_USAGE;
			}
			break;
		case OPT_SERVICES:
			o->services_file = optarg;
			break;
		case OPT_PORTS_FILE:
			o->ports_file = optarg;
			break;
		case OPT_POLICY:
			o->policy_file = optarg;
			break;
		case 'h':
			print_usage(usage);
			return EXIT_OK;
		case 'V':
			printf("portsleuth %s\n", PORTSLEUTH_VERSION);
			return EXIT_OK;
		case ':':
		case '?': {
			/* optind may still point at the group ("-Za"): name the option itself */
			char shortopt[3] = {'-', (char)optopt, '\0'};
			bool is_short = optopt > ' ' && optopt < 127;
			const char *name = is_short ? shortopt : argv[optind - 1];
			cli_usage_error(c == ':' ? "option needs a value" : "unknown option", name,
					NULL);
			return EXIT_USAGE;
		}
		default:
			if (c >= 512 && extra && extra->on_extra) {
				int code = extra->on_extra(c, optarg, extra->ctx);
				if (code)
					return code;
				break;
			}
			cli_usage_error("unknown option", argv[optind - 1], NULL);
			return EXIT_USAGE;
		}
	}
	if (listening && states) {
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
	if (o->all && (states || listening)) {
		cli_usage_error("-a shows every state; it cannot be combined with --state or -l",
				NULL, NULL);
		return EXIT_USAGE;
	}
	if (o->all)
		filter_all_states(f);
	if (tcp || udp)
		f->protos = (uint8_t)((tcp ? 1u << PS_TCP : 0) | (udp ? 1u << PS_UDP : 0));
	if (v4 || v6)
		f->families = (uint8_t)((v4 ? 1u : 0) | (v6 ? 2u : 0));
	for (int i = optind; i < argc; i++) {
		struct ps_portspec p;
		if (extra && !extra->positional_ports) {
			char **na = realloc(o->args, (size_t)(o->nargs + 1) * sizeof *na);
			if (!na)
				return EXIT_FAILURE_;
			o->args = na;
			o->args[o->nargs++] = argv[i];
			continue;
		}
		if (filter_parse_port(argv[i], &p, &why)) {
			cli_usage_error("invalid port", argv[i], why);
			return EXIT_USAGE;
		}
		if (filter_add_port(f, &p))
			return EXIT_FAILURE_;
	}
	return -1;
}

void cli_options_free(struct cli_options *o)
{
	filter_free(&o->filter);
	if (o->acks)
		policy_free(o->acks);
	free(o->acks);
	o->acks = NULL;
	free(o->args);
	o->args = NULL;
	o->nargs = 0;
}

static size_t terminal_width(void)
{
	const char *cols = getenv("COLUMNS");
	if (cols && *cols) {
		long v = strtol(cols, NULL, 10);
		if (v > 0 && v < 100000)
			return (size_t)v;
	}
	struct winsize ws;
	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 0; /* not a terminal (a pipe, a file): never cut, as ps and ss do */
}

static bool want_color(enum color_mode m)
{
	if (m != COLOR_AUTO)
		return m == COLOR_ALWAYS;
	const char *nc = getenv("NO_COLOR");
	const char *term = getenv("TERM");
	if (nc && *nc)
		return false;
	if (term && strcmp(term, "dumb") == 0)
		return false;
	return isatty(STDOUT_FILENO);
}

int cli_render_setup(const struct cli_options *o, struct render_ctx *ctx)
{
	ctx->o.numeric = o->numeric;
	ctx->o.wide = o->wide;
	ctx->o.color = o->format == FMT_TABLE && want_color(o->color);
	ctx->o.width = o->format == FMT_TABLE ? terminal_width() : 0;
	const char *cs = nl_langinfo(CODESET);
	ctx->o.ellipsis = cs && strcmp(cs, "UTF-8") == 0 ? "\xE2\x80\xA6" : "+";
	if (o->ncols) {
		memcpy(ctx->o.cols, o->cols, o->ncols * sizeof o->cols[0]);
		ctx->o.ncols = o->ncols;
	} else {
		columns_default(ctx->o.cols, &ctx->o.ncols,
				o->all || o->filter.states[PS_TCP] & ~(1u << PS_ST_LISTEN),
				o->numeric);
		ctx->o.hide_empty = true;
		ctx->o.may_drop = true;
		if (o->filter.all_netns &&
		    ctx->o.ncols < COL__COUNT) { /* --all-ns: say where, first */
			memmove(ctx->o.cols + 1, ctx->o.cols, ctx->o.ncols * sizeof ctx->o.cols[0]);
			ctx->o.cols[0] = COL_NETNS;
			ctx->o.ncols++;
		}
	}
	ctx->o.fw_mark = o->format == FMT_TABLE;
	for (size_t i = 0; i < ctx->o.ncols; i++)
		ctx->o.fw_mark = ctx->o.fw_mark && ctx->o.cols[i] != COL_FIREWALL;

	return 0;
}

/* What could not be seen, in one line each, after the table. */
/*
 * Exposure without the firewall's rules: said once, when a listener is bound beyond
 * loopback (where the rules could narrow what the addresses say).
 */
static void print_firewall_note(const struct ps_snapshot *s)
{
	const struct ps_firewall *fw = s->firewall;
	if (!fw || fw->read)
		return;
	for (size_t i = 0; i < s->nsocks; i++) {
		const struct ps_socket *k = &s->socks[i];
		if (socket_is_listener(k) &&
		    exposure_classify(&k->local.addr) != PS_EXPO_LOOPBACK) {
			cli_note("exposure is judged from the addresses alone: %s.",
				 fw->why ? fw->why : "the firewall's rules were not read");
			return;
		}
	}
}

void cli_print_notes(const struct ps_snapshot *s)
{
	size_t np = s->unattributed[PS_OWN_NOPERM];
	if (np && !s->privileged)
		cli_note(
		    "%zu socket%s without a visible owner: the file descriptors of %zu process%s "
		    "of other users "
		    "could not be read. Run as root (sudo portsleuth) or with CAP_SYS_PTRACE and "
		    "CAP_DAC_READ_SEARCH to see them.",
		    np, np == 1 ? "" : "s", s->procs_denied, s->procs_denied == 1 ? "" : "es");
	else if (np)
		cli_note("%zu socket%s without a visible owner: even with root privileges, %zu "
			 "process%s refused access "
			 "to %s file descriptors (holding capabilities or under a security policy "
			 "this process lacks, "
			 "as in some sandboxes and containers). Run portsleuth from the host or "
			 "with the same "
			 "privileges to see them.",
			 np, np == 1 ? "" : "s", s->procs_denied, s->procs_denied == 1 ? "" : "es",
			 s->procs_denied == 1 ? "its" : "their");
	size_t nv = s->unattributed[PS_OWN_VANISHED];
	if (nv)
		cli_note("%zu socket%s lost %s owner while we looked (the process exited).", nv,
			 nv == 1 ? "" : "s", nv == 1 ? "its" : "their");
	size_t nu = s->unattributed[PS_OWN_UNREPORTED];
	if (nu)
		cli_note("%zu live socket%s without a reported owner: the system's socket table "
			 "gave process id 0 "
			 "(Wine reports no owners; on Windows only time-wait sockets have none).",
			 nu, nu == 1 ? "" : "s");
	if (s->procs_denied && platform_caps()->owners_from_collect)
		cli_note("the details of %zu process%s were refused%s", s->procs_denied,
			 s->procs_denied == 1 ? "" : "es",
			 s->privileged
			     ? ": protected processes (lsass and other PPL) refuse them "
			       "even to administrators."
			     : "; run portsleuth as Administrator (an elevated prompt) to "
			       "see them (protected "
			       "processes such as lsass refuse them even then).");
	cli_print_netns_notes(s);
	print_firewall_note(s);
	if (s->source && strstr(s->source, "procfs"))
		cli_note("the kernel's sock_diag interface is missing%s; those sockets were read "
			 "from /proc/net "
			 "instead.",
			 strcmp(s->source, "procfs") == 0 ? "" : " for some protocols");
}
