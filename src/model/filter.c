/* SPDX-License-Identifier: GPL-2.0-or-later */
/* filter.c — parsing and matching of the user's query. */
#include "filter.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fexpr.h"
#include "fwmodel.h"

void filter_init(struct ps_filter *f)
{
	memset(f, 0, sizeof *f);
	f->protos = (1u << PS_TCP) | (1u << PS_UDP);
	f->families = 3;
	f->states[PS_TCP] = 1u << PS_ST_LISTEN;
	f->states[PS_UDP] = 1u << PS_ST_CLOSE;
}

void filter_all_states(struct ps_filter *f)
{
	f->states[PS_TCP] = PS_STATES_ALL;
	f->states[PS_UDP] = PS_STATES_ALL;
}

/* Strict decimal in [lo, hi]; no sign, no spaces, no trailing bytes. */
static int parse_num(const char *s, size_t n, unsigned long lo, unsigned long hi,
		     unsigned long *out)
{
	if (n == 0 || n > 10)
		return -EINVAL;
	unsigned long long v = 0; /* ten digits overflow a 32-bit long (Windows) */
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned long long)(s[i] - '0');
	}
	if (v < lo || v > hi)
		return -ERANGE;
	*out = (unsigned long)v;
	return 0;
}

int filter_parse_port(const char *s, struct ps_portspec *out, const char **why)
{
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	out->protos = (1u << PS_TCP) | (1u << PS_UDP);
	if (slash) {
		if (strcasecmp(slash + 1, "tcp") == 0)
			out->protos = 1u << PS_TCP;
		else if (strcasecmp(slash + 1, "udp") == 0)
			out->protos = 1u << PS_UDP;
		else {
			*why = "protocol after '/' must be tcp or udp";
			return -EINVAL;
		}
	}
	const char *dash = memchr(s, '-', n);
	unsigned long lo = 0, hi = 0;
	int rc;
	if (dash) {
		rc = parse_num(s, (size_t)(dash - s), 0, 65535, &lo);
		if (!rc)
			rc = parse_num(dash + 1, n - (size_t)(dash - s) - 1, 0, 65535, &hi);
	} else {
		rc = parse_num(s, n, 0, 65535, &lo);
		hi = lo;
	}
	if (rc) {
		*why = rc == -ERANGE
			   ? "port must be between 0 and 65535"
			   : "expected PORT, PORT-PORT, optionally followed by /tcp or /udp";
		return -EINVAL;
	}
	if (lo > hi) {
		*why = "port range is reversed (first port is above the last)";
		return -EINVAL;
	}
	out->lo = (uint16_t)lo;
	out->hi = (uint16_t)hi;
	return 0;
}

static const struct {
	const char *name;
	uint32_t tcp, udp;
} state_words[] = {
    {"listen", 1u << PS_ST_LISTEN, 1u << PS_ST_CLOSE}, /* UDP "listening" = bound */
    {"listening", 1u << PS_ST_LISTEN, 1u << PS_ST_CLOSE},
    {"established", 1u << PS_ST_ESTABLISHED, 1u << PS_ST_ESTABLISHED},
    {"estab", 1u << PS_ST_ESTABLISHED, 1u << PS_ST_ESTABLISHED},
    {"connected",
     PS_STATES_ALL & ~((1u << PS_ST_LISTEN) | (1u << PS_ST_CLOSE) | (1u << PS_ST_BOUND)),
     1u << PS_ST_ESTABLISHED},
    {"syn-sent", 1u << PS_ST_SYN_SENT, 0},
    {"syn-recv", (1u << PS_ST_SYN_RECV) | (1u << PS_ST_NEW_SYN_RECV), 0},
    {"fin-wait-1", 1u << PS_ST_FIN_WAIT1, 0},
    {"fin-wait-2", 1u << PS_ST_FIN_WAIT2, 0},
    {"time-wait", 1u << PS_ST_TIME_WAIT, 0},
    {"close", 1u << PS_ST_CLOSE, 0},
    {"closed", 1u << PS_ST_CLOSE, 0},
    {"unconn", 0, 1u << PS_ST_CLOSE},
    {"close-wait", 1u << PS_ST_CLOSE_WAIT, 0},
    {"last-ack", 1u << PS_ST_LAST_ACK, 0},
    {"closing", 1u << PS_ST_CLOSING, 0},
    {"bound", 1u << PS_ST_BOUND, 0},
    {"all", PS_STATES_ALL, PS_STATES_ALL},
};

int filter_parse_states(const char *s, uint32_t states[PS_PROTO_COUNT], const char **why)
{
	states[PS_TCP] = states[PS_UDP] = 0;
	const char *p = s;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		size_t i;
		for (i = 0; i < sizeof state_words / sizeof state_words[0]; i++) {
			if (strlen(state_words[i].name) == n &&
			    strncasecmp(p, state_words[i].name, n) == 0)
				break;
		}
		if (i == sizeof state_words / sizeof state_words[0]) {
			*why = "unknown state (one of listen, established, connected, syn-sent, "
			       "syn-recv, fin-wait-1, fin-wait-2, time-wait, close, close-wait, "
			       "last-ack, closing, bound, unconn, all)";
			return -EINVAL;
		}
		states[PS_TCP] |= state_words[i].tcp;
		states[PS_UDP] |= state_words[i].udp;
		if (!end)
			break;
		p = end + 1;
	}
	return 0;
}

int filter_parse_pids(const char *s, int **pids, size_t *npids, const char **why)
{
	const char *p = s;
	for (;;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		unsigned long v;
		if (parse_num(p, n, 1, 0x7fffffff, &v)) {
			*why = "expected a list of process ids such as 712,1033";
			return -EINVAL;
		}
		int *np = realloc(*pids, (*npids + 1) * sizeof **pids);
		if (!np)
			return -ENOMEM;
		*pids = np;
		(*pids)[(*npids)++] = (int)v;
		if (!end)
			break;
		p = end + 1;
	}
	return 0;
}

int filter_add_port(struct ps_filter *f, const struct ps_portspec *p)
{
	struct ps_portspec *np = realloc(f->ports, (f->nports + 1) * sizeof *np);
	if (!np)
		return -ENOMEM;
	f->ports = np;
	f->ports[f->nports++] = *p;
	return 0;
}

int filter_add_command(struct ps_filter *f, const char *name)
{
	char **nc = realloc(f->commands, (f->ncommands + 1) * sizeof *nc);
	if (!nc)
		return -ENOMEM;
	f->commands = nc;
	if (!(f->commands[f->ncommands] = strdup(name)))
		return -ENOMEM;
	f->ncommands++;
	return 0;
}

int filter_add_uid(struct ps_filter *f, uint32_t uid)
{
	uint32_t *nu = realloc(f->uids, (f->nuids + 1) * sizeof *nu);
	if (!nu)
		return -ENOMEM;
	f->uids = nu;
	f->uids[f->nuids++] = uid;
	return 0;
}

uint8_t filter_dump_protos(const struct ps_filter *f)
{
	uint8_t p = f->protos;
	if (f->nports) {
		uint8_t any = 0;
		for (size_t i = 0; i < f->nports; i++)
			any |= f->ports[i].protos;
		p &= any;
	}
	for (unsigned i = 0; i < PS_PROTO_COUNT; i++)
		if (!f->states[i])
			p &= (uint8_t) ~(1u << i);
	return p;
}

bool filter_match_socket(const struct ps_filter *f, const struct ps_socket *k)
{
	if (!(f->protos & (1u << k->proto)))
		return false;
	if (!(f->families & PS_FAM_BIT(k->local.addr.family)))
		return false;
	if (!(f->states[k->proto] & (1u << k->state)))
		return false;
	if (f->expr && !fexpr_match(f->expr, k))
		return false;
	if (!f->nports)
		return true;
	for (size_t i = 0; i < f->nports; i++) {
		const struct ps_portspec *p = &f->ports[i];
		if (!(p->protos & (1u << k->proto)))
			continue;
		if ((k->local.port >= p->lo && k->local.port <= p->hi) ||
		    (k->remote.port >= p->lo && k->remote.port <= p->hi && k->remote.port != 0))
			return true;
	}
	return false;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

static bool command_matches(const struct ps_filter *f, const struct ps_proc *p)
{
	for (size_t i = 0; i < f->ncommands; i++) {
		size_t n = strlen(f->commands[i]);
		if (p->name && strncmp(p->name, f->commands[i], n) == 0)
			return true;
		if (p->exe && strncmp(base_name(p->exe), f->commands[i], n) == 0)
			return true;
	}
	return false;
}

bool filter_needs_owners(const struct ps_filter *f)
{
	return f->npids || f->ncommands || f->nuids;
}

bool filter_match_owners(const struct ps_filter *f, const struct ps_snapshot *s,
			 const struct ps_socket *k)
{
	if (f->nuids) {
		bool ok = false;
		for (size_t u = 0; u < f->nuids && !ok; u++) {
			if (k->uid == f->uids[u])
				ok = true;
			for (size_t i = 0; i < k->owner_count && !ok; i++) {
				const struct ps_proc *p = &s->procs[snap_owner(s, k, i)->proc];
				ok = p->have_uid && p->uid == f->uids[u];
			}
		}
		if (!ok)
			return false;
	}
	if (f->npids) {
		bool ok = false;
		for (size_t i = 0; i < k->owner_count && !ok; i++)
			for (size_t j = 0; j < f->npids && !ok; j++)
				ok = snap_owner(s, k, i)->pid == f->pids[j];
		if (!ok)
			return false;
	}
	if (f->ncommands) {
		bool ok = false;
		for (size_t i = 0; i < k->owner_count && !ok; i++)
			ok = command_matches(f, &s->procs[snap_owner(s, k, i)->proc]);
		if (!ok)
			return false;
	}
	return true;
}

static bool port_overlap(uint16_t lo, uint16_t hi, const struct ps_portspec *p)
{
	return p->lo <= hi && lo <= p->hi;
}

bool filter_match_forward(const struct ps_filter *flt, const struct ps_forward *f)
{
	bool tcp = f->proto && !strcmp(f->proto, "tcp"), udp = f->proto && !strcmp(f->proto, "udp");
	if (f->proto && !tcp && !udp)
		return false; /* sctp and the like: portsleuth lists neither */
	if ((tcp && !(flt->protos & (1u << PS_TCP))) || (udp && !(flt->protos & (1u << PS_UDP))))
		return false;
	if (!(flt->families & PS_FAM_BIT(f->family == 6 ? PS_INET6 : PS_INET)))
		return false;
	if (!flt->nports)
		return true;
	bool any = !f->port && !f->port_end;
	for (size_t i = 0; i < flt->nports; i++) {
		const struct ps_portspec *p = &flt->ports[i];
		if ((tcp && !(p->protos & (1u << PS_TCP))) ||
		    (udp && !(p->protos & (1u << PS_UDP))))
			continue;
		if (any || port_overlap(f->port, f->port_end, p) ||
		    (f->to_port && port_overlap(f->to_port, f->to_port_end, p)))
			return true;
	}
	return false;
}

void filter_free(struct ps_filter *f)
{
	fexpr_free(f->expr);
	free(f->ports);
	free(f->pids);
	for (size_t i = 0; i < f->ncommands; i++)
		free(f->commands[i]);
	free(f->commands);
	free(f->uids);
	memset(f, 0, sizeof *f);
}
