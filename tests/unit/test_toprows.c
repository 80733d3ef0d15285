/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_toprows.c — top's rows: new, changed and closed marks that fade, rates between refreshes. */
#include <string.h>

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
