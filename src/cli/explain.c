/* SPDX-License-Identifier: GPL-2.0-or-later */
/* explain.c — `portsleuth explain PORT[/PROTO]`: the whole story of one port, as text or JSON. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../model/verdict.h"
#include "../output/explain.h"
#include "../util/buf.h"
#include "../util/escape.h"
#include "cli.h"
#include "common.h"
#include "msg.h"
#include "pipe.h"

static const char explain_usage_head[] =
    "Usage: portsleuth explain PORT[/tcp|/udp] [--json] [-4|-6] [--ports-file FILE]\n"
    "Tell the whole story of one port: who holds it (process, command line, parent\n"
    "chain, unit or container), what the number is registered for and what normally\n"
    "owns it, where it is reachable, every finding with its evidence, and how to\n"
    "stop it. A port nobody holds is explained too.\n";
static const char explain_usage_tail[] =
    "\n"
    "Exit status: 0 something holds the port, 1 nothing does, 2 usage error,\n"
    "3 failure.\n";

static bool keep_local_port(const struct ps_snapshot *s, const struct ps_socket *k,
			    const void *port)
{
	(void)s;
	return k->local.port == *(const uint16_t *)port && socket_is_listener(k);
}

/*
 * Where the programs named in `names` (comma-separated, as -c matches them) listen now, into
 * out: "sshd listens on 2222/tcp, nginx on 80/tcp and 443/tcp". The number of listeners;
 * 0 when none (or the system could not be read: then nothing is said).
 */
static size_t programs_listening(const char *names, struct buf *out)
{
	struct cli_options o = {.format = FMT_TABLE};
	filter_init(&o.filter);
	o.exposure = -1;
	char *list = strdup(names), *save = NULL;
	int rc = list ? 0 : -ENOMEM;
	for (char *w = list ? strtok_r(list, ", ", &save) : NULL; w && !rc;
	     w = strtok_r(NULL, ", ", &save))
		rc = filter_add_command(&o.filter, w);
	free(list);
	struct ps_snapshot snap = {0};
	struct pipeline pipe;
	size_t n = 0;
	bool quiet = cli_quiet;
	cli_quiet = true; /* an aside: its own notes would only confuse */
	if (!rc && cli_pipeline_open(&o, 0, NULL, NULL, &pipe) < 0) {
		if (cli_pipeline_run(&pipe, &snap) == 0)
			for (size_t i = 0; i < snap.nsocks; i++) {
				const struct ps_socket *k = &snap.socks[i];
				if (!k->owner_count || !socket_is_listener(k))
					continue;
				const struct ps_proc *p =
				    &snap.procs[snap_owner(&snap, k, 0)->proc];
				buf_puts(out, n ? ", " : "");
				esc_text(out, p->name ? p->name : "?",
					 strlen(p->name ? p->name : "?"));
				buf_printf(out, "%s %u/%s", n ? " on" : " listens on",
					   k->local.port, k->proto == PS_UDP ? "udp" : "tcp");
				n++;
			}
		pipeline_close(&pipe);
	}
	cli_quiet = quiet;
	snap_free(&snap);
	cli_options_free(&o);
	return n;
}

/* `explain sshd`: the word is no port or service but a running program's name. An exit code
 * after saying so, or -1 (not a program: the usual checks say what is wrong). */
static int program_word(int argc, char **argv)
{
	int at = cli_first_word(argc, argv);
	uint16_t port;
	if (at < 0 || !isalpha((unsigned char)argv[at][0]) || strchr(argv[at], '/') ||
	    strchr(argv[at], ',') || cli_service_port(argv[at], &port) == 0)
		return -1;
	struct buf where = {0};
	size_t n = programs_listening(argv[at], &where);
	if (n) {
		cli_msg("explain takes a port; '%s' is a running program: %s now", argv[at],
			where.data);
		cli_msg("'portsleuth -c %s' lists its sockets; 'portsleuth explain PORT' tells one "
			"port's story.",
			argv[at]);
	}
	buf_free(&where);
	return n ? EXIT_USAGE : -1;
}

/* Nothing holds the port: where a program that normally holds it listens now ("sshd listens
 * on 2222/tcp"), from the registry's usual owners. */
static void owners_elsewhere(const struct explain_port *e)
{
	for (unsigned pr = 0; e && pr < PS_PROTO_COUNT; pr++) {
		if ((e->proto >= 0 && (unsigned)e->proto != pr) || !e->known[pr] ||
		    !e->info[pr].owners)
			continue;
		struct buf where = {0};
		if (programs_listening(e->info[pr].owners, &where))
			printf("  Elsewhere: %s.\n", where.data);
		buf_free(&where);
		return; /* the owners of one protocol: the other's are the same programs */
	}
}

int cmd_explain(int argc, char **argv)
{
	int word = program_word(argc, argv);
	if (word >= 0)
		return word;
	struct cli_options o = {.format = FMT_TABLE};
	struct cli_extra extra = {NULL, NULL, NULL, true};
	int code = cli_parse_options(
	    argc, argv, &o, &extra,
	    cli_sub_usage(CLI_SUB_EXPLAIN, explain_usage_head, explain_usage_tail));
	if (code >= 0) {
		cli_options_free(&o);
		return code;
	}
	if (o.filter.nports == 1 && o.filter.ports[0].lo == 0 && o.filter.ports[0].hi == 0) {
		cli_usage_error_in(
		    "explain", "explain: invalid port", "0",
		    "port 0 is not a port anything listens on (binding it asks the kernel for a "
		    "free port); give a port from 1 to 65535");
		cli_options_free(&o);
		return EXIT_USAGE;
	}
	if (o.filter.nports != 1 || o.filter.ports[0].lo != o.filter.ports[0].hi) {
		cli_usage_error_in(
		    "explain", "explain needs exactly one port, such as 22 or 53/udp", NULL, NULL);
		cli_options_free(&o);
		return EXIT_USAGE;
	}
	uint16_t port = o.filter.ports[0].lo;
	uint8_t protos = o.filter.ports[0].protos;
	int proto = protos == (1u << PS_TCP) ? PS_TCP : protos == (1u << PS_UDP) ? PS_UDP : -1;
	if (o.all) {
		cli_usage_error_in(
		    "explain", "explain looks at the sockets that hold a port; -a does not apply",
		    NULL, NULL);
		cli_options_free(&o);
		return EXIT_USAGE;
	}

	struct ps_snapshot snap = {0};
	struct pipeline pipe;
	int rc = 0;
	if ((code = cli_pipeline_open(&o, PIPE_JUDGE | PIPE_USERS, keep_local_port, &port,
				      &pipe)) >= 0) {
		cli_options_free(&o);
		return code;
	}
	pipe.c.explain = true; /* the registry's answer comes in snap.explain */
	pipe.c.explain_port = port;
	pipe.c.explain_proto = proto;
	if ((code = cli_pipeline_run(&pipe, &snap)))
		goto out;
	rc = o.format == FMT_JSON ? render_explain_json(stdout, &snap, snap.explain)
				  : render_explain_text(stdout, &snap, snap.explain);
	if (!rc && o.format != FMT_JSON && !snap.nsocks)
		owners_elsewhere(snap.explain);
	if (fflush(stdout) && !rc)
		rc = -errno;
	if (rc) {
		cli_err(rc, "cannot write output");
		code = EXIT_FAILURE_;
		goto out;
	}
	if (o.format != FMT_JSON)
		cli_print_notes(&snap);
	code = snap.nsocks ? EXIT_OK : EXIT_NOMATCH;
out:
	pipeline_close(&pipe);
	snap_free(&snap);
	cli_options_free(&o);
	return code;
}
