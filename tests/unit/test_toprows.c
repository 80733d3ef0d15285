/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_toprows.c — top's rows: new, changed and closed marks that fade, rates between refreshes. */
#include <arpa/inet.h>
#include <string.h>

#include "../../src/output/conns_out.h"
#include "../../src/output/toprows.h"
#include "test.h"

static struct ps_socket *add(struct ps_snapshot *s, uint16_t lport, uint16_t rport, uint8_t state,
			     uint64_t inode)
{
	struct ps_socket *k = snap_add_socket(s);
	k->proto = PS_TCP;
	k->state = state;
	k->local.addr.family = k->remote.addr.family = PS_INET;
	k->local.addr.bytes[0] = k->remote.addr.bytes[0] = 127;
	k->local.addr.bytes[3] = k->remote.addr.bytes[3] = 1;
	k->local.port = lport;
	k->remote.port = rport;
	k->inode = inode;
	return k;
}

static const struct top_row *row_of(const struct top_table *t, const char *local)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(top_text(t, &t->rows[i], 2), local) == 0)
			return &t->rows[i];
	return NULL;
}

/* The column titled `title` of t. */
static size_t col(const struct top_table *t, const char *title)
{
	for (size_t c = 0; c < t->ncols; c++)
		if (strcmp(t->cols[c].title, title) == 0)
			return c;
	return 99;
}

static void refresh(struct top_table *prev, struct top_table *now, const struct ps_snapshot *s,
		    bool first)
{
	struct top_table t = {0};
	CHECK_INT(top_build(&t, TOP_SOCKETS, s, NULL), 0);
	CHECK_INT(top_track(&t, first ? NULL : now, 2.0, first), 0);
	top_table_free(prev);
	*prev = *now;
	*now = t;
}

TEST(toprows_marks_and_rates)
{
	struct ps_snapshot a = {0}, b = {0};
	add(&a, 80, 0, PS_ST_LISTEN, 11);
	CHECK_INT(snap_set_tcp(&a, add(&a, 5000, 80, PS_ST_ESTABLISHED, 12),
			       &(struct ps_tcp_stats){.bytes_sent = 1000, .valid = true}),
		  0);
	CHECK_INT(
	    snap_set_tcp(&b, add(&b, 5000, 80, PS_ST_ESTABLISHED, 12),
			 &(struct ps_tcp_stats){.bytes_sent = 2000, .retrans = 7, .valid = true}),
	    0);
	add(&b, 443, 0, PS_ST_LISTEN, 13);
	struct top_table prev = {0}, now = {0};
	refresh(&prev, &now, &a, true);
	CHECK_INT(now.n, 2);
	CHECK_INT(row_of(&now, "127.0.0.1:80")->mark, TOP_MARK_NONE); /* the first screen */
	refresh(&prev, &now, &b, false);
	CHECK_INT(now.n, 3); /* the closed listener stays */
	CHECK_INT(row_of(&now, "127.0.0.1:80")->mark, TOP_MARK_GONE);
	CHECK_INT(row_of(&now, "127.0.0.1:443")->mark, TOP_MARK_NEW);
	const struct top_row *c = row_of(&now, "127.0.0.1:5000");
	CHECK_INT(c->mark, TOP_MARK_NONE);
	CHECK_STR(top_text(&now, c, col(&now, "TX/s")), "500"); /* 1000 bytes in 2 s */
	CHECK_STR(top_text(&now, c, col(&now, "SENT")), "2.0K");
	CHECK_STR(top_text(&now, c, col(&now, "RETR")), "7"); /* tcpi_total_retrans */
	CHECK_STR(top_text(&now, row_of(&now, "127.0.0.1:443"), col(&now, "RETR")), "-");
	/* marks last TOP_MARK_TTL refreshes, then the closed row goes */
	for (int i = 1; i < TOP_MARK_TTL; i++) {
		refresh(&prev, &now, &b, false);
		CHECK_INT(row_of(&now, "127.0.0.1:80")->mark, TOP_MARK_GONE);
		CHECK_INT(row_of(&now, "127.0.0.1:443")->mark, TOP_MARK_NEW);
	}
	refresh(&prev, &now, &b, false);
	CHECK(row_of(&now, "127.0.0.1:80") == NULL);
	CHECK_INT(row_of(&now, "127.0.0.1:443")->mark, TOP_MARK_NONE);
	/* a state change is a change */
	b.socks[0].state = PS_ST_CLOSE_WAIT;
	refresh(&prev, &now, &b, false);
	CHECK_INT(row_of(&now, "127.0.0.1:5000")->mark, TOP_MARK_CHANGED);
	CHECK_STR(top_text(&now, row_of(&now, "127.0.0.1:5000"), 1), "CLOSE-WAIT");
	/* sorted by SENT: counted rows first, largest first */
	top_sort(&now, col(&now, "SENT"), false);
	CHECK_STR(top_text(&now, &now.rows[0], 2), "127.0.0.1:5000");
	top_table_free(&prev);
	top_table_free(&now);
	snap_free(&a);
	snap_free(&b);
}

/* Hostile process names reach the screen escaped. */
TEST(toprows_escapes_names)
{
	struct ps_snapshot s = {0};
	add(&s, 80, 0, PS_ST_LISTEN, 11);
	long p = snap_add_proc(&s, 42);
	CHECK(p >= 0);
	s.procs[p].name = strdup("\x1b[31mEV\nIL");
	CHECK_INT(snap_add_owner(&s, 0, (uint32_t)p, 3), 0);
	snap_group_owners(&s);
	struct top_table t = {0};
	CHECK_INT(top_build(&t, TOP_SOCKETS, &s, NULL), 0);
	CHECK_STR(top_text(&t, &t.rows[0], 4), "\\x1b[31mEV\\x0aIL");
	struct conn_table g;
	CHECK_INT(conns_group(NULL, &s, 0, &g), 0);
	CHECK_INT(top_build(&t, TOP_PROCESSES, &s, &g), 0);
	CHECK_STR(top_text(&t, &t.rows[0], 0), "\\x1b[31mEV\\x0aIL");
	CHECK_STR(top_text(&t, &t.rows[0], 8), "tcp/80");
	conns_free(&g);
	top_table_free(&t);
	snap_free(&s);
}

/* With -N the sockets view has the namespace first (its name, else its inode), and the counters
 * and their rates land in their own columns all the same. */
TEST(toprows_every_namespace_column)
{
	struct ps_snapshot a = {0}, b = {0};
	for (int i = 0; i < 2; i++) {
		struct ps_snapshot *s = i ? &b : &a;
		s->all_netns = true;
		struct ps_socket *k = add(s, 5000, 80, PS_ST_ESTABLISHED, 12);
		k->netns = 4026531840u;
		CHECK_INT(
		    snap_set_tcp(
			s, k, &(struct ps_tcp_stats){.bytes_sent = i ? 3000 : 1000, .valid = true}),
		    0);
	}
	struct top_table prev = {0}, now = {0};
	struct top_table t = {0};
	CHECK_INT(top_build(&t, TOP_SOCKETS, &a, NULL), 0);
	CHECK_STR(t.cols[0].title, "NETNS");
	CHECK_INT(top_find_col(&t, "LOCAL"), 3);
	CHECK_STR(top_text(&t, &t.rows[0], 0), "4026531840");
	CHECK_STR(top_text(&t, &t.rows[0], 3), "127.0.0.1:5000");
	CHECK_STR(top_text(&t, &t.rows[0], (size_t)top_find_col(&t, "SENT")), "1000");
	top_table_free(&t);
	refresh(&prev, &now, &a, true);
	refresh(&prev, &now, &b, false);
	CHECK_STR(top_text(&now, &now.rows[0], (size_t)top_find_col(&now, "TX/s")),
		  "1000"); /* 2000 bytes in 2 s */
	top_table_free(&prev);
	top_table_free(&now);
	snap_free(&a);
	snap_free(&b);
}

/* An IPv4 or IPv6 socket of pid `pid` on local address `addr` (text), port `port`. */
static void add_at(struct ps_snapshot *s, const char *addr, uint16_t port, int pid)
{
	struct ps_socket *k = add(s, port, 0, PS_ST_LISTEN, 0);
	bool v6 = strchr(addr, ':') != NULL;
	k->local.addr.family = v6 ? PS_INET6 : PS_INET;
	memset(k->local.addr.bytes, 0, sizeof k->local.addr.bytes);
	CHECK_INT(inet_pton(v6 ? AF_INET6 : AF_INET, addr, k->local.addr.bytes), 1);
	long p = snap_add_proc(s, pid);
	CHECK(p >= 0);
	s->procs[p].name = strdup("x");
	CHECK_INT(snap_add_owner(s, (uint32_t)(s->nsocks - 1), (uint32_t)p, 3), 0);
}

static void order_is(const struct top_table *t, size_t c, const char *const *want, size_t n)
{
	CHECK_INT(t->n, n);
	for (size_t i = 0; i < n && i < t->n; i++)
		CHECK_STR(top_text(t, &t->rows[i], c), want[i]);
}

/* PID sorts as a number, smallest first; LOCAL by address (IPv4 numerically, then IPv6), then
 * port as a number, not as text (where 10.0.0.2 < 9.0.0.1 and :4721 < :80). */
TEST(toprows_sort_pid_and_address)
{
	struct ps_snapshot s = {0};
	add_at(&s, "10.0.0.2", 80, 900);
	add_at(&s, "9.0.0.1", 4721, 10000);
	add_at(&s, "::1", 22, 12);
	add_at(&s, "9.0.0.1", 80, 1000);
	add_at(&s, "2001:db8::1", 22, 7);
	snap_group_owners(&s);
	struct top_table t = {0};
	CHECK_INT(top_build(&t, TOP_SOCKETS, &s, NULL), 0);
	size_t pid = col(&t, "PID"), local = col(&t, "LOCAL");
	top_sort(&t, pid, false);
	order_is(&t, pid, (const char *const[]){"7", "12", "900", "1000", "10000"}, 5);
	top_sort(&t, pid, true);
	order_is(&t, pid, (const char *const[]){"10000", "1000", "900", "12", "7"}, 5);
	top_sort(&t, local, false);
	order_is(&t, local,
		 (const char *const[]){"9.0.0.1:80", "9.0.0.1:4721", "10.0.0.2:80", "[::1]:22",
				       "[2001:db8::1]:22"},
		 5);
	top_sort(&t, local, true);
	order_is(&t, local,
		 (const char *const[]){"[2001:db8::1]:22", "[::1]:22", "10.0.0.2:80",
				       "9.0.0.1:4721", "9.0.0.1:80"},
		 5);
	top_table_free(&t);
	snap_free(&s);
}

/* A connection that closed since its last sample: its closed row takes the counters its close
 * carried (read as it closed), the rate over the interval from the sample before. */
TEST(toprows_final_counters_of_a_close)
{
	struct ps_snapshot a = {0}, b = {0};
	CHECK_INT(snap_set_tcp(&a, add(&a, 5000, 80, PS_ST_ESTABLISHED, 12),
			       &(struct ps_tcp_stats){.bytes_sent = 1000, .valid = true}),
		  0);
	add(&a, 80, 0, PS_ST_LISTEN, 11);
	add(&b, 80, 0, PS_ST_LISTEN, 11);
	struct top_table prev = {0}, now = {0};
	refresh(&prev, &now, &a, true);
	refresh(&prev, &now, &b, false);
	const struct top_row *r = row_of(&now, "127.0.0.1:5000");
	CHECK_INT(r->mark, TOP_MARK_GONE);
	CHECK_STR(top_text(&now, r, col(&now, "SENT")), "1000"); /* the last sample */
	struct ps_sockchange c = {
	    .local = a.socks[0].local,
	    .remote = a.socks[0].remote,
	    .proto = PS_TCP,
	    .from = PS_ST_FIN_WAIT2,
	    .to = PS_ST_CLOSE,
	    .last = {.bytes_sent = 20 << 20, .bytes_received = 5, .valid = true}};
	c.netns = a.socks[0].netns;
	CHECK_INT(top_final_counters(&now, &c, 1), 0);
	r = row_of(&now, "127.0.0.1:5000");
	CHECK_STR(top_text(&now, r, col(&now, "SENT")), "20.0M");
	CHECK_STR(top_text(&now, r, col(&now, "RECV")), "5");
	CHECK_STR(top_text(&now, r, col(&now, "TX/s")), "-"); /* closed: it moves no more */
	CHECK_STR(top_text(&now, r, col(&now, "STATE")), "TIME-WAIT"); /* it closed first */
	/* the next refresh keeps them on the closed row */
	refresh(&prev, &now, &b, false);
	CHECK_STR(top_text(&now, row_of(&now, "127.0.0.1:5000"), col(&now, "SENT")), "20.0M");
	top_table_free(&prev);
	top_table_free(&now);
	snap_free(&a);
	snap_free(&b);
}

/* A process named `name` holding socket i of s (fd 3). */
static long hold(struct ps_snapshot *s, size_t i, int pid, const char *name)
{
	long p = -1;
	for (size_t j = 0; j < s->nprocs; j++)
		if (s->procs[j].pid == pid)
			p = (long)j;
	if (p < 0) {
		p = snap_add_proc(s, pid);
		CHECK(p >= 0);
		s->procs[p].name = strdup(name);
	}
	CHECK_INT(snap_add_owner(s, (uint32_t)i, (uint32_t)p, 3), 0);
	return p;
}

/* Connections that opened and closed between two refreshes (the state changes saw them, no table
 * had them): closed rows, with the state the close left them in, the counters the close carried,
 * no rates; the accepted one under the program of its pre-forked listener (every holder "nginx":
 * the name, no pid); kept marked for TOP_MARK_TTL refreshes. A close of a row already shown adds
 * nothing. */
TEST(toprows_connection_opened_and_closed_unseen)
{
	struct ps_snapshot s = {0};
	add(&s, 80, 0, PS_ST_LISTEN, 11);
	hold(&s, 0, 100, "nginx");
	hold(&s, 0, 101, "nginx");
	snap_group_owners(&s);
	struct top_table prev = {0}, now = {0};
	refresh(&prev, &now, &s, true);
	refresh(&prev, &now, &s, false);
	struct ps_sockchange c[3] = {
	    {.proto = PS_TCP, /* accepted on :80, closed by the client first: CLOSE */
	     .from = PS_ST_LAST_ACK,
	     .to = PS_ST_CLOSE,
	     .last = {.bytes_sent = 20 << 20, .bytes_received = 80, .valid = true}},
	    {.proto = PS_TCP, /* the client's end, which closed first */
	     .from = PS_ST_FIN_WAIT2,
	     .to = PS_ST_CLOSE,
	     .pid = 555,
	     .comm = "curl",
	     .last = {.bytes_sent = 80, .bytes_received = 20 << 20, .valid = true}},
	    {.proto = PS_TCP, /* the listener, shown already */
	     .from = PS_ST_LISTEN,
	     .to = PS_ST_CLOSE,
	     .last = {.valid = true}},
	};
	c[0].local = c[1].remote = s.socks[0].local;
	c[0].remote.addr = c[0].local.addr;
	c[0].remote.port = 40000;
	c[1].local = c[0].remote;
	c[2].local = s.socks[0].local;
	c[2].remote = s.socks[0].remote;
	size_t before = now.n;
	CHECK_INT(top_add_closed(&now, &s, c, 3, NULL, NULL), 0);
	CHECK_INT(now.n, before + 2);
	const struct top_row *srv = row_of(&now, "127.0.0.1:80"),
			     *cli = row_of(&now, "127.0.0.1:40000");
	for (size_t i = 0; i < now.n; i++)
		if (now.rows[i].mark == TOP_MARK_GONE && now.rows[i].port == 80)
			srv = &now.rows[i];
	CHECK(srv && cli);
	CHECK_INT(srv->mark, TOP_MARK_GONE);
	CHECK_STR(top_text(&now, srv, col(&now, "STATE")), "CLOSE");
	CHECK_STR(top_text(&now, srv, col(&now, "SENT")), "20.0M");
	CHECK_STR(top_text(&now, srv, col(&now, "TX/s")), "-");
	CHECK_STR(top_text(&now, srv, col(&now, "PROCESS")), "nginx");
	CHECK_STR(top_text(&now, srv, col(&now, "PID")), "-"); /* master or worker: not known */
	CHECK_INT(cli->mark, TOP_MARK_GONE);
	CHECK_STR(top_text(&now, cli, col(&now, "STATE")), "TIME-WAIT");
	CHECK_STR(top_text(&now, cli, col(&now, "RECV")), "20.0M");
	CHECK_STR(top_text(&now, cli, col(&now, "PROCESS")), "curl");
	CHECK_STR(top_text(&now, cli, col(&now, "PID")), "555");
	/* the next refreshes keep them marked, then they go */
	for (int i = 1; i < TOP_MARK_TTL; i++) {
		refresh(&prev, &now, &s, false);
		cli = row_of(&now, "127.0.0.1:40000");
		CHECK(cli && cli->mark == TOP_MARK_GONE);
		CHECK_STR(top_text(&now, cli, col(&now, "RECV")), "20.0M");
	}
	refresh(&prev, &now, &s, false);
	CHECK(row_of(&now, "127.0.0.1:40000") == NULL);
	top_table_free(&prev);
	top_table_free(&now);
	snap_free(&s);
}

/* A row that closed shows CLOSE, not the state it had, and no rate. */
TEST(toprows_closed_row_state_and_rate)
{
	struct ps_snapshot a = {0}, b = {0};
	CHECK_INT(snap_set_tcp(&a, add(&a, 5000, 80, PS_ST_ESTABLISHED, 12),
			       &(struct ps_tcp_stats){.bytes_sent = 1000, .valid = true}),
		  0);
	struct top_table prev = {0}, now = {0};
	refresh(&prev, &now, &a, true);
	CHECK_INT(snap_set_tcp(&a, &a.socks[0],
			       &(struct ps_tcp_stats){.bytes_sent = 3000, .valid = true}),
		  0);
	refresh(&prev, &now, &a, false);
	CHECK_STR(top_text(&now, row_of(&now, "127.0.0.1:5000"), col(&now, "TX/s")), "1000");
	refresh(&prev, &now, &b, false);
	const struct top_row *r = row_of(&now, "127.0.0.1:5000");
	CHECK_INT(r->mark, TOP_MARK_GONE);
	CHECK_STR(top_text(&now, r, col(&now, "STATE")), "CLOSE");
	CHECK_STR(top_text(&now, r, col(&now, "TX/s")), "-");
	CHECK_STR(top_text(&now, r, col(&now, "SENT")), "2.9K"); /* its last counters stay */
	top_table_free(&prev);
	top_table_free(&now);
	snap_free(&a);
	snap_free(&b);
}

/* The processes view: every process holding a listener (a pre-forked server's master and worker)
 * lists its port; a time-wait socket (no owner) is no connection of "(no owner)". */
TEST(toprows_processes_prefork_and_time_wait)
{
	struct ps_snapshot s = {0};
	add(&s, 80, 0, PS_ST_LISTEN, 11);
	hold(&s, 0, 100, "master");
	hold(&s, 0, 101, "worker");
	add(&s, 80, 40000, PS_ST_ESTABLISHED, 12);
	hold(&s, 1, 101, "worker");
	add(&s, 80, 40001, PS_ST_TIME_WAIT, 0);
	snap_group_owners(&s);
	struct conn_table g;
	CHECK_INT(conns_group(NULL, &s, 0, &g), 0);
	struct top_table t = {0};
	CHECK_INT(top_build(&t, TOP_PROCESSES, &s, &g), 0);
	CHECK_INT(t.n, 2); /* master and worker, no "(no owner)" */
	for (size_t i = 0; i < t.n; i++) {
		const struct top_row *r = &t.rows[i];
		bool worker = strcmp(top_text(&t, r, 0), "worker") == 0;
		CHECK_STR(top_text(&t, r, col(&t, "PORTS")), "tcp/80");
		CHECK_STR(top_text(&t, r, col(&t, "LISTEN")), "1");
		CHECK_STR(top_text(&t, r, col(&t, "CONNS")), worker ? "1" : "0");
	}
	conns_free(&g);
	top_table_free(&t);
	snap_free(&s);
}

/* conns over an interval: a connection that opened and closed inside it (only the kernel's close
 * notification names it) counts as opened and closed with its bytes, under the listener's
 * program; a connection of the first sample that closed takes the counters its close carried. */
TEST(conns_closes_inside_the_interval)
{
	struct ps_snapshot a = {0}, b = {0}, gone = {0};
	add(&a, 80, 0, PS_ST_LISTEN, 11);
	hold(&a, 0, 100, "nginx");
	hold(&a, 0, 101, "nginx");
	add(&a, 80, 50000, PS_ST_ESTABLISHED, 12);
	hold(&a, 1, 101, "nginx");
	CHECK_INT(snap_set_tcp(&a, &a.socks[1],
			       &(struct ps_tcp_stats){.bytes_sent = 1000, .valid = true}),
		  0);
	snap_group_owners(&a);
	add(&b, 80, 0, PS_ST_LISTEN, 11);
	hold(&b, 0, 100, "nginx");
	hold(&b, 0, 101, "nginx");
	snap_group_owners(&b);
	CHECK_INT(snap_set_tcp(&gone, add(&gone, 80, 40000, PS_ST_CLOSE, 13),
			       &(struct ps_tcp_stats){.bytes_sent = 20 << 20, .valid = true}),
		  0);
	CHECK_INT(snap_set_tcp(&gone, add(&gone, 80, 50000, PS_ST_CLOSE, 12),
			       &(struct ps_tcp_stats){.bytes_sent = 5000, .valid = true}),
		  0);
	add(&gone, 81, 0, PS_ST_CLOSE, 14); /* never connected: no group */
	struct conn_table g;
	CHECK_INT(conns_group_closed(&a, &b, &gone, 2.0, &g), 0);
	const struct conn_group *in = NULL;
	for (size_t i = 0; i < g.n; i++)
		if (g.v[i].dir == CONN_IN)
			in = &g.v[i];
	CHECK_INT(g.n, 2); /* the listener, and one inbound group */
	CHECK(in != NULL);
	if (in) {
		CHECK_STR(in->process, "nginx");
		CHECK_INT(in->count, 0);
		CHECK_INT(in->opened, 1);
		CHECK_INT(in->closed, 2);
		CHECK_INT(in->bytes_sent, (20 << 20) + 5000);
		CHECK_INT(in->delta_sent, (20 << 20) + 4000);
	}
	conns_free(&g);
	/* without the notifications: the closed one keeps its first sample, the other is unseen */
	CHECK_INT(conns_group(&a, &b, 2.0, &g), 0);
	CHECK_INT(g.n, 2);
	for (size_t i = 0; i < g.n; i++)
		if (g.v[i].dir == CONN_IN)
			CHECK_INT(g.v[i].bytes_sent, 1000);
	conns_free(&g);
	snap_free(&a);
	snap_free(&b);
	snap_free(&gone);
}

/* A socket of process `name` (pid) from local 127.0.0.1:lport to remote 127.0.0.rr:rport. */
static struct ps_socket *owned(struct ps_snapshot *s, uint16_t lport, uint16_t rport, uint8_t state,
			       int pid, const char *name)
{
	struct ps_socket *k = add(s, lport, rport, state, s->nsocks + 100);
	if (!name)
		return k;
	long p = -1;
	for (size_t i = 0; i < s->nprocs; i++)
		if (s->procs[i].pid == pid)
			p = (long)i;
	if (p < 0) {
		p = snap_add_proc(s, pid);
		CHECK(p >= 0);
		s->procs[p].name = strdup(name);
	}
	CHECK_INT(snap_add_owner(s, (uint32_t)(s->nsocks - 1), (uint32_t)p, 3), 0);
	return k;
}

/* The listeners view: each listener first, then the groups accepted on its port, whatever the
 * processes' names; a listener's CONNS counts its connections (none: 0, not itself). */
TEST(toprows_listener_first_and_counts_connections)
{
	struct ps_snapshot s = {0};
	owned(&s, 80, 0, PS_ST_LISTEN, 10, "zz-master");
	owned(&s, 80, 5001, PS_ST_ESTABLISHED, 11, "aa-worker");
	owned(&s, 80, 5002, PS_ST_ESTABLISHED, 11, "aa-worker");
	owned(&s, 6379, 0, PS_ST_LISTEN, 20, "redis");
	owned(&s, 6379, 5003, PS_ST_ESTABLISHED, 20, "redis");
	owned(&s, 22, 0, PS_ST_LISTEN, 30, "sshd");
	snap_group_owners(&s);
	struct conn_table g = {0};
	CHECK_INT(conns_group(NULL, &s, 0, &g), 0);
	struct top_table t = {0};
	CHECK_INT(top_build(&t, TOP_LISTENERS, &s, &g), 0);
	top_sort(&t, 0, false); /* by SERVER, the default */
	size_t from = col(&t, "FROM"), conns = col(&t, "CONNS"), proc = col(&t, "PROCESS");
	CHECK_INT(t.n, 5);
	static const char *const want[][3] = {
	    {"listen", "0", "sshd"},	       {"listen", "2", "zz-master"},
	    {"<- loopback", "2", "aa-worker"}, {"listen", "1", "redis"},
	    {"<- loopback", "1", "redis"},
	};
	for (size_t i = 0; i < t.n && i < 5; i++) {
		CHECK_STR(top_text(&t, &t.rows[i], from), want[i][0]);
		CHECK_STR(top_text(&t, &t.rows[i], conns), want[i][1]);
		CHECK_STR(top_text(&t, &t.rows[i], proc), want[i][2]);
	}
	top_table_free(&t);
	conns_free(&g);
	snap_free(&s);
}

/* The remotes view: a group without an owner (a closed or hidden one) beside curl's to the same
 * remote shows curl, never "- +"; RTT under 0.05 ms in microseconds. */
TEST(toprows_remote_owner_and_small_rtt)
{
	struct ps_snapshot s = {0};
	owned(&s, 5001, 443, PS_ST_ESTABLISHED, 0, NULL);
	owned(&s, 5002, 443, PS_ST_ESTABLISHED, 40, "curl");
	snap_group_owners(&s);
	CHECK_INT(
	    snap_set_tcp(&s, &s.socks[0], &(struct ps_tcp_stats){.rtt_us = 42, .valid = true}), 0);
	struct conn_table g = {0};
	CHECK_INT(conns_group(NULL, &s, 0, &g), 0);
	struct top_table t = {0};
	CHECK_INT(top_build(&t, TOP_REMOTES, &s, &g), 0);
	CHECK(t.n >= 1);
	CHECK_STR(top_text(&t, &t.rows[0], col(&t, "REMOTE")), "tcp 127.0.0.1:443");
	CHECK_STR(top_text(&t, &t.rows[0], col(&t, "PROCESS")), "curl");
	CHECK_STR(top_text(&t, &t.rows[0], col(&t, "RTT-ms")), "42us");
	top_table_free(&t);
	CHECK_INT(top_build(&t, TOP_SOCKETS, &s, NULL), 0);
	const struct top_row *r = row_of(&t, "127.0.0.1:5001");
	CHECK(r != NULL);
	if (r)
		CHECK_STR(top_text(&t, r, col(&t, "RTT-ms")), "42us");
	top_table_free(&t);
	conns_free(&g);
	snap_free(&s);
}

/* A group whose owner's pid is not known (a pre-forked listener's accepted connections, or no
 * owner at all): "-" in the table, null in JSON, empty in CSV; never pid 0 as if it were one. */
TEST(conns_unknown_pid_is_no_pid)
{
	struct conn_group g = {.process = "nginx", .pid = 0, .proto = PS_TCP, .dir = CONN_IN};
	g.server.addr.family = PS_INET;
	g.server.port = 80;
	struct conn_table t = {.v = &g, .n = 1};
	struct buf b = {0};
	CHECK_INT(render_conns_table(&b, &t, true), 0);
	CHECK(b.data && strncmp(b.data, "nginx                 - in ", 27) == 0);
	buf_free(&b);
	CHECK_INT(render_conns_json(&b, &t), 0);
	CHECK(b.data && strstr(b.data, "\"pid\":null") != NULL);
	buf_free(&b);
	CHECK_INT(render_conns_csv(&b, &t, true), 0);
	CHECK(b.data && strncmp(b.data, "nginx,,in,", 10) == 0);
	buf_free(&b);
	g.pid = 42;
	CHECK_INT(render_conns_csv(&b, &t, true), 0);
	CHECK(b.data && strncmp(b.data, "nginx,42,in,", 12) == 0);
	buf_free(&b);
}
