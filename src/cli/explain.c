/* explain.c — `portsleuth explain PORT[/PROTO]`: the whole story of one port, as text or JSON. */
#include <errno.h>
#include <stdio.h>

#include "../output/explain.h"
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

int cmd_explain(int argc, char **argv)
{
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
