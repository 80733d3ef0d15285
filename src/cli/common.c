/* SPDX-License-Identifier: GPL-2.0-or-later */
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

void cli_usage_error_in(const char *cmd, const char *what, const char *arg, const char *why)
{
	cli_msg("%s%s%s%s%s%s", what, arg ? " '" : "", arg ? arg : "", arg ? "'" : "",
		why ? ": " : "", why ? why : "");
	fprintf(stderr, "Try 'portsleuth help %s' for more information.\n", cmd);
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
void cli_print_usage(const char *usage)
{
	struct buf b = {0};
	if (cli_usage_for(usage, platform_caps(), &b) == 0)
		fwrite(b.data, 1, b.len, stdout);
	else
		fputs(usage, stdout);
	buf_free(&b);
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
	return 0; /* not a terminal (a pipe, a file) and no COLUMNS: never cut, as ps and ss do */
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
	ctx->o.no_header = o->no_header;
	ctx->o.color = o->format == FMT_TABLE && want_color(o->color);
	ctx->o.width = o->format == FMT_TABLE ? terminal_width() : 0;
	ctx->o.ellipsis = cli_ellipsis();
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

int cli_write_file(const char *path, unsigned mode, const struct buf *b, const char **why)
{
	struct platform_file *f;
	int rc = platform_file_open_write(path, 0, mode, &f, why);
	if (!rc && b->len)
		rc = platform_file_write(f, b->data, b->len);
	if (rc) {
		platform_file_abort(f);
		return rc;
	}
	return platform_file_commit(f);
}

const char *cli_ellipsis(void)
{
	const char *cs = nl_langinfo(CODESET);
	return cs && strcmp(cs, "UTF-8") == 0 ? "\xE2\x80\xA6" : "+";
}
