/* cli.c — options, help, messages and the pipeline collect → attribute → enrich → filter → render. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../enrich/cgroup.h"
#include "../enrich/services.h"
#include "../enrich/users.h"
#include "../model/filter.h"
#include "../model/model.h"
#include "../output/output.h"
#include "../platform/platform.h"

enum out_format { FMT_TABLE, FMT_JSON, FMT_CSV };
enum color_mode { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

struct options {
	struct ps_filter filter;
	enum out_format format;
	enum color_mode color;
	bool all, numeric, wide;
	const char *columns; /* -o */
	const char *services_file;
};

static const char usage_text[] =
	"Usage: portsleuth [OPTIONS] [PORT[-PORT][/tcp|/udp]]...\n"
	"List active ports and every process, program, command line, user and unit\n"
	"behind each one. Without options: all listening TCP and bound UDP sockets.\n"
	"\n"
	"Which sockets (options combine with AND; several ports combine with OR):\n"
	"  -a, --all              sockets in every state, not only listening ones\n"
	"  -l, --listening        only listening sockets (the default)\n"
	"      --state LIST       only these states: listen, established, syn-sent,\n"
	"                         syn-recv, fin-wait-1, fin-wait-2, time-wait, close,\n"
	"                         close-wait, last-ack, closing, unconn, connected, all\n"
	"  -t, --tcp              TCP only          -u, --udp   UDP only\n"
	"  -4, --ipv4             IPv4 only         -6, --ipv6  IPv6 only\n"
	"  -p, --pid PID[,PID]    sockets held by these processes\n"
	"  -c, --command NAME     sockets held by a process whose name or executable\n"
	"                         starts with NAME (repeatable)\n"
	"      --user USER|UID    sockets created by or held by this user (repeatable)\n"
	"  PORT                   local or remote port, a range, optionally /tcp or /udp\n"
	"\n"
	"Output:\n"
	"      --json             JSON document (schema 1), see portsleuth(1)\n"
	"      --csv              CSV, one record per socket and owner\n"
	"  -o, --columns LIST     table/CSV columns, e.g. proto,local,pid,fd,command\n"
	"                         (-o help lists them)\n"
	"  -n, --numeric          no service names\n"
	"  -w, --wide             never cut columns to the terminal width\n"
	"      --color WHEN       auto (default: only on a terminal, never with\n"
	"                         NO_COLOR), always or never\n"
	"      --services FILE    read service names from FILE instead of /etc/services\n"
	"  -h, --help             this help          -V, --version  version\n"
	"\n"
	"Exit status: 0 sockets listed, 1 nothing matched, 2 usage error, 3 failure.\n";

/* "portsleuth: WHAT 'ARG': WHY" and a pointer to --help; arg and why may be NULL. */
static void usage_error(const char *what, const char *arg, const char *why)
{
	fprintf(stderr, "portsleuth: %s", what);
	if (arg)
		fprintf(stderr, " '%s'", arg);
	if (why)
		fprintf(stderr, ": %s", why);
	fprintf(stderr, "\nTry 'portsleuth --help' for more information.\n");
}

static int parse_user(struct ps_filter *f, const char *s)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (*s && *end == '\0' && errno == 0 && v <= UINT32_MAX && *s != '-')
		return filter_add_uid(f, (uint32_t)v);
	struct passwd *pw = getpwnam(s);
	if (!pw)
		return -ENOENT;
	return filter_add_uid(f, (uint32_t)pw->pw_uid);
}

static void list_columns(void)
{
	for (int c = 0; c < COL__COUNT; c++)
		printf("  %-10s %s\n", columns[c].key, columns[c].doc);
}

/* Returns -1 to continue, or an exit code. */
static int parse_args(int argc, char **argv, struct options *o)
{
	enum { OPT_JSON = 256, OPT_CSV, OPT_USER, OPT_STATE, OPT_COLOR, OPT_SERVICES };
	static const struct option longopts[] = {
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
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct ps_filter *f = &o->filter;
	bool tcp = false, udp = false, v4 = false, v6 = false, states = false, listening = false;
	const char *why = NULL;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":altu46p:c:o:nwhV", longopts, NULL)) != -1) {
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
				usage_error("invalid process id list", optarg, why);
				return EXIT_USAGE;
			}
			break;
		case 'c':
			if (!*optarg) {
				usage_error("empty command name", NULL, NULL);
				return EXIT_USAGE;
			}
			if (filter_add_command(f, optarg))
				return EXIT_FAILURE_;
			break;
		case OPT_USER: {
			int rc = parse_user(f, optarg);
			if (rc == -ENOENT) {
				usage_error("no such user", optarg, NULL);
				return EXIT_USAGE;
			}
			if (rc)
				return EXIT_FAILURE_;
			break;
		}
		case OPT_STATE: {
			uint32_t st[PS_PROTO_COUNT];
			if (filter_parse_states(optarg, st, &why)) {
				usage_error("invalid state list", optarg, why);
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
				usage_error("invalid --color", optarg, "use auto, always or never");
				return EXIT_USAGE;
			}
			break;
		case OPT_SERVICES:
			o->services_file = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return EXIT_OK;
		case 'V':
			printf("portsleuth %s\n", PORTSLEUTH_VERSION);
			return EXIT_OK;
		case ':':
			usage_error("option needs a value", argv[optind - 1], NULL);
			return EXIT_USAGE;
		default:
			usage_error("unknown option", argv[optind - 1], NULL);
			return EXIT_USAGE;
		}
	}
	if (o->all && (states || listening)) {
		usage_error("-a shows every state; it cannot be combined with --state or -l", NULL, NULL);
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
		if (filter_parse_port(argv[i], &p, &why)) {
			usage_error("invalid port", argv[i], why);
			return EXIT_USAGE;
		}
		if (filter_add_port(f, &p))
			return EXIT_FAILURE_;
	}
	return -1;
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
	return 0; /* not a terminal: never cut */
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

static bool keep_owner_match(const struct ps_snapshot *s, const struct ps_socket *k, const void *f)
{
	return filter_match_owners(f, s, k);
}

/* What could not be seen, in one line each, after the table. */
static void print_notes(const struct ps_snapshot *s)
{
	size_t np = s->unattributed[PS_OWN_NOPERM];
	if (np && !s->privileged)
		fprintf(stderr,
			"portsleuth: %zu socket%s without a visible owner: the file descriptors of %zu "
			"process%s of other users could not be read. Run as root (sudo portsleuth) or "
			"with CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH to see them.\n",
			np, np == 1 ? "" : "s", s->procs_denied, s->procs_denied == 1 ? "" : "es");
	else if (np)
		fprintf(stderr,
			"portsleuth: %zu socket%s without a visible owner: even as root, %zu process%s "
			"refused access to their file descriptors (they hold capabilities or sit under a "
			"security policy this process lacks, as in some sandboxes and containers). Run "
			"portsleuth from the host or with the same privileges to see them.\n",
			np, np == 1 ? "" : "s", s->procs_denied, s->procs_denied == 1 ? "" : "es");
	size_t nv = s->unattributed[PS_OWN_VANISHED];
	if (nv)
		fprintf(stderr, "portsleuth: %zu socket%s lost %s owner while we looked (the process exited).\n",
			nv, nv == 1 ? "" : "s", nv == 1 ? "its" : "their");
	if (s->source && strcmp(s->source, "netlink") != 0)
		fprintf(stderr, "portsleuth: the kernel's sock_diag interface is missing; sockets were "
				"read from /proc/net instead.\n");
}

static int run(struct options *o)
{
	struct ps_snapshot snap = {0};
	struct services svc = {0};
	struct users *users = users_new();
	int code = EXIT_FAILURE_;
	int rc = platform_collect(&snap, &o->filter);
	if (rc) {
		fprintf(stderr, "portsleuth: cannot list sockets: %s\n", strerror(-rc));
		goto out;
	}
	if (snap.nsocks && (rc = platform_attribute(&snap, &o->filter))) {
		fprintf(stderr, "portsleuth: cannot find socket owners in /proc: %s\n", strerror(-rc));
		goto out;
	}
	if ((rc = platform_describe(&snap)) || (rc = cgroup_enrich(&snap))) {
		fprintf(stderr, "portsleuth: cannot read process details: %s\n", strerror(-rc));
		goto out;
	}
	if (filter_needs_owners(&o->filter) && snap_retain(&snap, keep_owner_match, &o->filter)) {
		fprintf(stderr, "portsleuth: out of memory\n");
		goto out;
	}
	snap_sort(&snap);
	snap_count_status(&snap);

	struct render_ctx ctx = {.snap = &snap, .users = users};
	bool need_names = !o->numeric && o->format != FMT_JSON;
	if (need_names) {
		const char *path = o->services_file ? o->services_file : "/etc/services";
		rc = services_load(&svc, path);
		if (rc && o->services_file) {
			fprintf(stderr, "portsleuth: cannot read %s: %s\n", path, strerror(-rc));
			code = EXIT_USAGE;
			goto out;
		}
		if (svc.malformed)
			fprintf(stderr, "portsleuth: %s: skipped %zu malformed line%s (first: line %zu)\n",
				path, svc.malformed, svc.malformed == 1 ? "" : "s", svc.first_bad_line);
		ctx.svc = &svc;
	}
	ctx.o.numeric = o->numeric;
	ctx.o.wide = o->wide;
	ctx.o.color = o->format == FMT_TABLE && want_color(o->color);
	ctx.o.width = o->format == FMT_TABLE ? terminal_width() : 0;
	const char *cs = nl_langinfo(CODESET);
	ctx.o.ellipsis = cs && strcmp(cs, "UTF-8") == 0 ? "\xE2\x80\xA6" : "+";
	if (o->columns) {
		char why[80];
		if (columns_parse(o->columns, ctx.o.cols, &ctx.o.ncols, why, sizeof why)) {
			usage_error("invalid column list", o->columns, why);
			code = EXIT_USAGE;
			goto out;
		}
	} else {
		columns_default(ctx.o.cols, &ctx.o.ncols, o->all || o->filter.states[PS_TCP] &
			~(1u << PS_ST_LISTEN), o->numeric);
	}

	if (o->format == FMT_JSON)
		rc = render_json(stdout, &ctx);
	else if (o->format == FMT_CSV)
		rc = render_csv(stdout, &ctx);
	else if (snap.nsocks)
		rc = render_table(stdout, &ctx);
	if (fflush(stdout) && !rc)
		rc = -errno;
	if (rc) {
		fprintf(stderr, "portsleuth: cannot write output: %s\n", strerror(-rc));
		goto out;
	}
	if (o->format == FMT_TABLE)
		print_notes(&snap);
	code = snap.nsocks ? EXIT_OK : EXIT_NOMATCH;
out:
	services_free(&svc);
	users_free(users);
	snap_free(&snap);
	return code;
}

int cli_main(int argc, char **argv)
{
	setlocale(LC_CTYPE, "");
	struct options o = {.format = FMT_TABLE};
	filter_init(&o.filter);
	int code = parse_args(argc, argv, &o);
	if (code < 0)
		code = run(&o);
	filter_free(&o.filter);
	return code;
}
