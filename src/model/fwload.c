/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fwload.c — the firewall part of a snapshot file: whether the rules were read, and the forwarded
 * ports. */
#include "fwload.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "fwmodel.h"

/* The protocol names a forward may have, as static strings (anything else: "other"). */
static const char *static_proto(const char *s)
{
	static const char *const names[] = {"tcp", "udp", "sctp"};
	if (!s)
		return NULL;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (!strcmp(s, names[i]))
			return names[i];
	return "other";
}

static int dup_opt(const struct json *v, const char *key, char **out)
{
	const char *s = json_get_str(v, key);
	return s && !(*out = strdup(s)) ? -ENOMEM : 0;
}

static uint16_t port_of(const struct json *v, const char *key)
{
	int64_t n = 0;
	return json_get_int(v, key, &n) && n > 0 && n <= 65535 ? (uint16_t)n : 0;
}

/* One forward object; malformed values are left empty (a forward is still a forward). */
static int forward_obj(const struct json *v, struct ps_forward *f)
{
	memset(f, 0, sizeof *f);
	f->proto = static_proto(json_get_str(v, "proto"));
	int64_t fam = 4;
	f->family = json_get_int(v, "family", &fam) && fam == 6 ? 6 : 4;
	f->port = port_of(v, "port");
	f->port_end = port_of(v, "port_end");
	const char *kind = json_get_str(v, "kind");
	f->kind = kind && !strcmp(kind, "redirect")    ? "redirect"
		  : kind && !strcmp(kind, "portproxy") ? "portproxy" /* Windows */
						       : "dnat";
	const struct json *to = json_get(v, "to");
	const struct json *rule = json_get(v, "rule");
	int rc = dup_opt(v, "addr", &f->addr);
	if (!rc && to && to->type == JSON_OBJECT) {
		f->to_port = port_of(to, "port");
		f->to_port_end = port_of(to, "port_end");
		rc = dup_opt(to, "addr", &f->to_addr);
	}
	if (!rc && rule && rule->type == JSON_OBJECT &&
	    ((rc = dup_opt(rule, "family", &f->rule_family)) ||
	     (rc = dup_opt(rule, "table", &f->rule_table)) ||
	     (rc = dup_opt(rule, "chain", &f->rule_chain))))
		return rc;
	return rc;
}

int fwload_parse(const struct json *doc, const struct ps_filter *flt, struct ps_snapshot *s)
{
	const struct json *fw = json_get(doc, "firewall");
	const struct json *fwd = json_get(doc, "forwards");
	if (!fw || fw->type != JSON_OBJECT)
		return 0; /* written without the firewall (or before portsleuth looked at it) */
	struct ps_firewall *m = s->firewall = calloc(1, sizeof *m);
	if (!m)
		return -ENOMEM;
	const struct json *read = json_get(fw, "read");
	m->read = read && read->type == JSON_BOOL && read->boolean;
	int rc = dup_opt(fw, "why", &m->why);
	if (!rc)
		rc = dup_opt(fw, "legacy", &m->legacy);
	if (rc || !fwd || fwd->type != JSON_ARRAY || !fwd->n)
		return rc;
	if (!(m->fwd = calloc(fwd->n, sizeof *m->fwd)))
		return -ENOMEM;
	for (size_t i = 0; i < fwd->n && !rc; i++) {
		if (fwd->items[i]->type != JSON_OBJECT)
			continue;
		rc = forward_obj(fwd->items[i], &m->fwd[m->nfwd]);
		if (!rc && flt && !filter_match_forward(flt, &m->fwd[m->nfwd]))
			forward_free(&m->fwd[m->nfwd]);
		else
			m->nfwd++; /* released with the rest even when half made */
	}
	return rc;
}
