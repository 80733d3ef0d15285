/* SPDX-License-Identifier: GPL-2.0-or-later */
/* filterargs.c — the words after the options: ports (80 :8080 8000-8100 ssh 53/udp), or an ss
 * filter expression (sport = :80 and not dst 10.0.0.0/8). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../enrich/registry.h"
#include "../model/fexpr.h"
#include "../util/buf.h"
#include "common.h"
#include "msg.h"

int cli_service_port(const char *name, uint16_t *port)
{
	for (size_t i = 0; i < kb_nports; i++)
		if (strcasecmp(kb_ports[i].name, name) == 0) {
			*port = kb_ports[i].port;
			return 0;
		}
	return -ENOENT;
}

/* A word that is a port on its own: "80", ":80", "8000-8100", "ssh", "53/udp", ":dns/udp". */
static int simple_port(const char *w, struct ps_portspec *p, const char **why)
{
	const char *s = w[0] == ':' && w[1] != ':' ? w + 1 : w;
	if (filter_parse_port(s, p, why) == 0)
		return 0;
	if (*s >= '0' && *s <= '9')
		return -EINVAL; /* a number that is not a port: *why says why */
	char name[64];
	size_t n = strcspn(s, "/");
	if (n == 0 || n >= sizeof name ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyz"
		      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != n)
		return -EINVAL;
	memcpy(name, s, n);
	name[n] = '\0';
	uint16_t port;
	if (cli_service_port(name, &port)) {
		*why = "unknown service name";
		return -EINVAL;
	}
	char num[16];
	snprintf(num, sizeof num, "%u%s", port, s + n);
	return filter_parse_port(num, p, why);
}

/* The kernel is asked for the ports the expression needs (when few), the model does the rest. */
static int push_cover(struct ps_filter *f)
{
	struct fexpr_range r[16];
	size_t n = fexpr_port_cover(f->expr, r, sizeof r / sizeof r[0]);
	for (size_t i = 0; i < n; i++) {
		struct ps_portspec p = {r[i].lo, r[i].hi, (1u << PS_TCP) | (1u << PS_UDP)};
		if (filter_add_port(f, &p))
			return -ENOMEM;
	}
	return 0;
}

static int parse_expression(struct cli_options *o, char **w, int n)
{
	struct buf text = {0};
	int rc = 0;
	for (int i = 0; i < n && !rc; i++)
		rc = buf_printf(&text, "%s%s", i ? " " : "", w[i]);
	const char *why = NULL;
	size_t at = 0;
	if (!rc)
		rc = fexpr_parse(text.data, cli_service_port, &o->filter.expr, &why, &at);
	if (rc == -EINVAL) {
		char where[96];
		snprintf(where, sizeof where, "%s (at '%.40s')", why, text.data + at);
		cli_usage_error("invalid filter", text.data, at < text.len ? where : why);
	}
	if (!rc)
		rc = push_cover(&o->filter);
	buf_free(&text);
	return rc == -EINVAL ? EXIT_USAGE : rc ? EXIT_FAILURE_ : -1;
}

int cli_parse_filter_words(struct cli_options *o, char **w, int n)
{
	struct ps_portspec p;
	const char *why = NULL;
	int i = 0;
	while (i < n && simple_port(w[i], &p, &why) == 0)
		i++;
	if (i < n) {
		/* one number that is no port ("70000", "5-3"): say what a port is */
		if (n == 1 && w[0][0] >= '0' && w[0][0] <= '9' && !strchr(w[0], '.')) {
			cli_usage_error("invalid port", w[0], why);
			return EXIT_USAGE;
		}
		return parse_expression(o, w, n);
	}
	for (i = 0; i < n; i++) /* ports alone: any of them, as always */
		if (simple_port(w[i], &p, &why) || filter_add_port(&o->filter, &p))
			return EXIT_FAILURE_;
	return -1;
}

int cli_exposure_expr(struct cli_options *o)
{
	if (o->exposure < 0)
		return 0;
	char text[48];
	const char *why = NULL;
	size_t at = 0;
	struct fexpr *e = NULL;
	snprintf(text, sizeof text, "exposure %s", cli_exposure_words[o->exposure]);
	int rc = fexpr_parse(text, NULL, &e, &why, &at);
	if (rc)
		return rc;
	o->filter.expr = fexpr_and(o->filter.expr, e);
	o->exposure = -1;
	return o->filter.expr ? 0 : -ENOMEM;
}

void cli_filter_words_text(int argc, char **argv, char *out, size_t cap)
{
	size_t len = 0;
	out[0] = '\0';
	for (int at = cli_first_word(argc, argv), base = 0; at > 0 && len < cap;) {
		base += at;
		len += (size_t)snprintf(out + len, cap - len, "%s%s", len ? " " : "", argv[base]);
		at = cli_first_word(argc - base, argv + base);
	}
}
