/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conns_out.c — render the grouped connection view (conns): table, JSON, CSV. */
#include "conns_out.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../model/exposure.h"
#include "../util/escape.h"
#include "jsonw.h"

char *conns_human_bytes(double v, char *out, size_t cap)
{
	static const char units[] = "KMGTP";
	if (v < 1024) {
		snprintf(out, cap, "%.0f", v);
		return out;
	}
	size_t u = 0;
	v /= 1024;
	while (v >= 1024 && u + 1 < sizeof units - 1) {
		v /= 1024;
		u++;
	}
	snprintf(out, cap, "%.1f%c", v, units[u]);
	return out;
}

char *conns_human_rtt(double us, char *out, size_t cap)
{
	if (us < 50)
		snprintf(out, cap, "%.0fus", us);
	else
		snprintf(out, cap, "%.1f", us / 1000.0);
	return out;
}

char *conns_endpoint(const struct ps_endpoint *e, char *out, size_t cap)
{
	char a[64];
	addr_format(&e->addr, a, sizeof a);
	if (e->addr.family == PS_INET6)
		snprintf(out, cap, "[%s]:%u", a, e->port);
	else
		snprintf(out, cap, "%s:%u", a, e->port);
	return out;
}

static const char *process_of(const struct conn_group *g)
{
	return g->process ? g->process : "-";
}

int render_conns_table(struct buf *out, const struct conn_table *t, bool no_header)
{
	int rc = 0;
	if (!no_header)
		rc = buf_printf(
		    out,
		    "%-15s %7s %-6s %-5s %-22s %-14s %5s %4s %4s %7s %7s %7s %7s %7s %5s %9s\n",
		    "PROCESS", "PID", "DIR", "PROTO", "SERVER", "CLASS", "COUNT", "NEW", "GONE",
		    "SENT", "RECV", "TX/s", "RX/s", "RTT-ms", "RETR", "QUEUE");
	for (size_t i = 0; i < t->n && !rc; i++) {
		const struct conn_group *g = &t->v[i];
		struct buf name = {0};
		const char *p = process_of(g);
		size_t plen = text_prefix(p, strlen(p), 15);
		rc = esc_text(&name, p, plen);
		char srv[64], s[16], r[16], ts[16], tr[16], q[24] = "-", rtt[16] = "-",
							    pid[16] = "-";
		if (g->pid > 0) /* 0: no owner, or its pid not known yet */
			snprintf(pid, sizeof pid, "%d", g->pid);
		conns_endpoint(&g->server, srv, sizeof srv);
		if (g->dir == CONN_LISTEN && g->proto == PS_TCP)
			snprintf(q, sizeof q, "%u/%u", g->queue, g->backlog);
		if (g->have_tcp && g->count && g->dir != CONN_LISTEN) /* a listener has no RTT */
			conns_human_rtt(g->rtt_us_avg, rtt, sizeof rtt);
		if (!rc)
			rc = buf_printf(
			    out,
			    "%-15.*s %7s %-6s %-5s %-22s %-14s %5zu %4zu %4zu %7s %7s %7s %7s %7s "
			    "%5llu %9s\n",
			    (int)name.len, name.data ? name.data : "", pid, conn_dir_name(g->dir),
			    proto_name(g->proto), srv, exposure_name(g->rclass), g->count,
			    g->opened, g->closed,
			    conns_human_bytes((double)g->bytes_sent, s, sizeof s),
			    conns_human_bytes((double)g->bytes_received, r, sizeof r),
			    t->seconds > 0 ? conns_human_bytes(g->rate_sent, ts, sizeof ts) : "-",
			    t->seconds > 0 ? conns_human_bytes(g->rate_received, tr, sizeof tr)
					   : "-",
			    rtt, (unsigned long long)g->retrans, q);
		buf_free(&name);
	}
	return rc;
}

int render_conns_json(struct buf *out, const struct conn_table *t)
{
	struct jw w;
	jw_init(&w, NULL);
	jw_obj(&w);
	jw_kuint(&w, "schema", 1);
	jw_key(&w, "interval");
	jw_double(&w, t->seconds);
	jw_key(&w, "groups");
	jw_arr(&w);
	for (size_t i = 0; i < t->n; i++) {
		const struct conn_group *g = &t->v[i];
		char a[64];
		jw_newline_item(&w);
		jw_obj(&w);
		jw_kstr(&w, "process", g->process);
		jw_key(&w, "pid");
		if (g->pid > 0)
			jw_int(&w, g->pid);
		else
			jw_null(&w);
		jw_kstr(&w, "direction", conn_dir_name(g->dir));
		jw_kstr(&w, "proto", proto_name(g->proto));
		jw_kstr(&w, "server_address", addr_format(&g->server.addr, a, sizeof a));
		jw_kuint(&w, "server_port", g->server.port);
		jw_kstr(&w, "address_class", exposure_name(g->rclass));
		jw_kuint(&w, "count", g->count);
		jw_kuint(&w, "opened", g->opened);
		jw_kuint(&w, "closed", g->closed);
		jw_kbool(&w, "counters", g->have_tcp);
		jw_kuint(&w, "bytes_sent", g->bytes_sent);
		jw_kuint(&w, "bytes_received", g->bytes_received);
		jw_key(&w, "rate_sent");
		jw_double(&w, g->rate_sent);
		jw_key(&w, "rate_received");
		jw_double(&w, g->rate_received);
		jw_kuint(&w, "rtt_us_avg", g->rtt_us_avg);
		jw_kuint(&w, "rtt_us_max", g->rtt_us_max);
		jw_kuint(&w, "retransmits", g->retrans);
		if (g->dir == CONN_LISTEN && g->proto == PS_TCP) {
			jw_kuint(&w, "accept_queue", g->queue);
			jw_kuint(&w, "backlog", g->backlog);
		}
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_obj_end(&w);
	int rc = jw_finish(&w);
	if (!rc)
		rc = buf_append(out, w.b.data, w.b.len);
	if (!rc)
		rc = buf_putc(out, '\n');
	jw_free(&w);
	return rc;
}

int render_conns_csv(struct buf *out, const struct conn_table *t, bool no_header)
{
	int rc = 0;
	if (!no_header)
		rc = buf_puts(out, "process,pid,direction,proto,server_address,server_port,"
				   "address_class,count,opened,closed,bytes_sent,bytes_received,"
				   "rate_sent,rate_received,rtt_us_avg,rtt_us_max,retransmits,"
				   "accept_queue,backlog\n");
	for (size_t i = 0; i < t->n && !rc; i++) {
		const struct conn_group *g = &t->v[i];
		char a[64];
		if (g->process)
			rc = esc_csv(out, g->process, strlen(g->process));
		if (!rc && g->pid > 0)
			rc = buf_printf(out, ",%d", g->pid);
		else if (!rc)
			rc = buf_putc(out, ',');
		if (!rc)
			rc = buf_printf(
			    out, ",%s,%s,%s,%u,%s,%zu,%zu,%zu,%llu,%llu,%.0f,%.0f,%u,%u,%llu,",
			    conn_dir_name(g->dir), proto_name(g->proto),
			    addr_format(&g->server.addr, a, sizeof a), g->server.port,
			    exposure_name(g->rclass), g->count, g->opened, g->closed,
			    (unsigned long long)g->bytes_sent,
			    (unsigned long long)g->bytes_received, g->rate_sent, g->rate_received,
			    g->rtt_us_avg, g->rtt_us_max, (unsigned long long)g->retrans);
		if (!rc && g->dir == CONN_LISTEN && g->proto == PS_TCP)
			rc = buf_printf(out, "%u,%u", g->queue, g->backlog);
		else if (!rc)
			rc = buf_putc(out, ',');
		if (!rc)
			rc = buf_putc(out, '\n');
	}
	return rc;
}
