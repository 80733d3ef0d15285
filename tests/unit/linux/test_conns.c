/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_conns.c — TCP counters from recorded sock_diag replies, and the grouping and rates over
 * them.
 */
/*
 * tests/fixtures/conns/{before,after} were recorded by tests/fixtures/record_conns.py (its
 * docstring tells the story): every number below follows from that story. The kernel counts
 * the SYN in bytes_acked, so a client that sent N bytes has N + 1 acknowledged.
 */
#include <errno.h>
#include <linux/sock_diag.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../../src/model/conns.h"
#include "../../../src/model/exposure.h"
#include "../../../src/platform/linux/nldump.h"
#include "../../../src/platform/linux/sockdiag.h"
#include "../../../src/platform/platform.h"
#include "../test.h"

#define CONNS "tests/fixtures/conns/"

/* Replay one recorded TCP IPv4 dump (with tcp_info) into s. */
static int load(const char *dir, struct ps_snapshot *s)
{
	struct ps_filter f;
	filter_init(&f);
	filter_all_states(&f);
	f.families = PS_FAM_BIT(PS_INET);
	f.protos = 1u << PS_TCP;
	f.tcp_info = true;
	nl_replay_set(dir);
	int rc = platform_collect(s, &f);
	nl_replay_set(NULL);
	filter_free(&f);
	return rc;
}

static const struct ps_socket *find(const struct ps_snapshot *s, uint16_t lport, uint16_t rport)
{
	for (size_t i = 0; i < s->nsocks; i++)
		if (s->socks[i].local.port == lport && s->socks[i].remote.port == rport)
			return &s->socks[i];
	return NULL;
}

/* Every socket of the first sample with its counters, as the story says. */
TEST(conns_tcp_info_from_recorded_dump)
{
	struct ps_snapshot s = {0};
	CHECK_INT(load(CONNS "before", &s), 0);
	CHECK_INT(s.nsocks, 5); /* listener, A and B from both ends */
	const struct ps_socket *l = find(&s, 5000, 0);
	CHECK(l != NULL);
	CHECK_INT(l->state, PS_ST_LISTEN);
	CHECK_INT(l->send_q, 7); /* the backlog listen() was given */
	CHECK_INT(l->recv_q, 0); /* nothing waits to be accepted */
	size_t sent100k = 0, recv100k = 0, syn_only = 0;
	for (size_t i = 0; i < s.nsocks; i++) {
		const struct ps_socket *k = &s.socks[i];
		const struct ps_tcp_stats *t = snap_tcp(&s, k);
		CHECK(t != NULL);
		if (!t || k->state == PS_ST_LISTEN)
			continue;
		sent100k +=
		    k->local.port != 5000 && t->bytes_sent == 100000; /* the SYN not counted */
		recv100k += k->local.port == 5000 && t->bytes_received == 100000;
		syn_only += k->local.port != 5000 && t->bytes_sent == 0 && t->bytes_received == 0;
		CHECK(t->rtt_us > 0);
		CHECK_INT(t->retrans, 0);
	}
	CHECK_INT(sent100k, 1);
	CHECK_INT(recv100k, 1);
	CHECK_INT(syn_only, 1); /* B: connected, nothing sent */
	snap_free(&s);
}

/* Without INET_DIAG_INFO asked for, nothing claims to be counted; a short attribute is no data. */
TEST(conns_tcp_info_short_attribute)
{
	struct ps_tcp_stats t;
	unsigned char raw[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	sockdiag_parse_tcp_info(raw, sizeof raw, &t);
	CHECK(!t.valid);
	CHECK_INT(t.bytes_sent, 0);
}

/* Owners by hand: the server holds every socket on port 5000, the client the others. */
static void own(struct ps_snapshot *s)
{
	long srv = snap_add_proc(s, 10), cli = snap_add_proc(s, 20);
	CHECK(srv >= 0 && cli >= 0);
	s->procs[srv].name = strdup("server");
	s->procs[cli].name = strdup("client");
	for (size_t i = 0; i < s->nsocks; i++)
		CHECK_INT(snap_add_owner(s, (uint32_t)i, s->socks[i].local.port == 5000 ? srv : cli,
					 (int32_t)(3 + i)),
			  0);
	snap_group_owners(s);
}

TEST(conns_group_two_samples)
{
	struct ps_snapshot a = {0}, b = {0};
	CHECK_INT(load(CONNS "before", &a), 0);
	CHECK_INT(load(CONNS "after", &b), 0);
	CHECK_INT(b.nsocks, 5); /* listener, A and C from both ends */
	own(&a);
	own(&b);
	struct conn_table t;
	CHECK_INT(conns_group(&a, &b, 2.0, &t), 0);
	CHECK_INT(t.n, 3);
	const struct conn_group *out = &t.v[0], *lst = &t.v[1], *in = &t.v[2];
	CHECK_STR(out->process, "client");
	CHECK_INT(out->dir, CONN_OUT);
	CHECK_INT(out->server.port, 5000);
	CHECK_INT(out->rclass, PS_EXPO_LOOPBACK);
	CHECK_INT(out->count, 2);		   /* A and C */
	CHECK_INT(out->opened, 1);		   /* C */
	CHECK_INT(out->closed, 1);		   /* B, keeping its last counters */
	CHECK_INT(out->bytes_sent, 150000 + 1000); /* SYNs not counted */
	CHECK_INT(out->delta_sent, 50000 + 1000);
	CHECK(out->rate_sent > 25500.0 - 0.01 && out->rate_sent < 25500.0 + 0.01);
	CHECK_STR(lst->process, "server");
	CHECK_INT(lst->dir, CONN_LISTEN);
	CHECK_INT(lst->count, 1);
	CHECK_INT(lst->backlog, 7);
	CHECK_STR(in->process, "server");
	CHECK_INT(in->dir, CONN_IN);
	CHECK_INT(in->server.port, 5000);
	CHECK_INT(in->count, 2);
	CHECK_INT(in->opened, 1);
	CHECK_INT(in->closed, 1);
	CHECK_INT(in->bytes_received, 150000 + 1000);
	CHECK_INT(in->delta_received, 51000);
	CHECK_INT(in->delta_sent, 0);
	CHECK(in->rtt_us_avg > 0 && in->rtt_us_avg <= in->rtt_us_max);
	conns_free(&t);
	/* one sample: totals, no rates, nothing opened or closed */
	CHECK_INT(conns_group(NULL, &b, 0, &t), 0);
	CHECK_INT(t.n, 3);
	CHECK_INT(t.v[0].closed, 0);
	CHECK_INT(t.v[0].opened, 0);
	CHECK_INT(t.v[0].bytes_sent, 150000 + 1000);
	CHECK(t.v[0].rate_sent == 0);
	conns_free(&t);
	snap_free(&a);
	snap_free(&b);
}

/* A connection to a port no listener here serves is outbound; a wildcard listener serves any. */
TEST(conns_direction_wildcard)
{
	struct ps_snapshot s = {0};
	struct ps_socket *l = snap_add_socket(&s), *c = snap_add_socket(&s),
			 *o = snap_add_socket(&s);
	CHECK(l && c && o);
	l = &s.socks[0];
	c = &s.socks[1];
	o = &s.socks[2];
	l->proto = c->proto = o->proto = PS_TCP;
	l->state = PS_ST_LISTEN;
	l->local.addr.family = c->local.addr.family = o->local.addr.family = PS_INET;
	c->remote.addr.family = o->remote.addr.family = PS_INET;
	l->local.port = 22;
	c->state = o->state = PS_ST_ESTABLISHED;
	c->local.port = 22;
	memcpy(c->local.addr.bytes, (uint8_t[]){10, 0, 0, 1}, 4);
	memcpy(c->remote.addr.bytes, (uint8_t[]){203, 0, 113, 9}, 4);
	c->remote.port = 40000;
	o->local.port = 40001;
	memcpy(o->remote.addr.bytes, (uint8_t[]){192, 168, 1, 1}, 4);
	o->remote.port = 22;
	struct conn_listeners *ls = conns_listeners(&s);
	const struct ps_socket *by;
	CHECK_INT(conns_dir_of(ls, c, &by), CONN_IN);
	CHECK(by == l);
	CHECK_INT(conns_dir_of(ls, o, &by), CONN_OUT);
	CHECK_INT(conns_dir_of(ls, l, &by), CONN_LISTEN);
	conns_listeners_free(ls);
	struct conn_table t;
	CHECK_INT(conns_group(NULL, &s, 0, &t), 0);
	CHECK_INT(t.n, 3);
	CHECK_INT(t.v[1].rclass, PS_EXPO_PUBLIC);  /* in from 203.0.113.9 */
	CHECK_INT(t.v[2].rclass, PS_EXPO_PRIVATE); /* out to 192.168.1.1 */
	conns_free(&t);
	snap_free(&s);
}

/* The messages of a recorded dump file (4-byte lengths, datagrams), each copied to v[i]. */
static size_t fixture_msgs(const char *path, char v[][1024], size_t *len, size_t cap)
{
	FILE *f = fopen(path, "rb");
	size_t n = 0;
	uint32_t dlen;
	static char d[65536];
	while (f && fread(&dlen, sizeof dlen, 1, f) == 1 && dlen <= sizeof d &&
	       fread(d, 1, dlen, f) == dlen) {
		struct nl_msgs it = nl_msgs_of(d, dlen);
		struct nlmsghdr h;
		const char *p;
		while (nl_msgs_next(&it, &h, &p) && n < cap)
			if (h.nlmsg_type == SOCK_DIAG_BY_FAMILY && h.nlmsg_len <= 1024) {
				memcpy(v[n], p, h.nlmsg_len);
				len[n++] = h.nlmsg_len;
			}
	}
	if (f)
		fclose(f);
	return n;
}

/* One replayed datagram: the messages m[0..n) (each with its sequence number set) in a row. */
static void put_datagram(FILE *f, char m[][1024], const size_t *len, const uint32_t *seq, size_t n)
{
	uint32_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += (uint32_t)NLMSG_ALIGN(len[i]);
	fwrite(&total, sizeof total, 1, f);
	for (size_t i = 0; i < n; i++) {
		struct nlmsghdr *h = (struct nlmsghdr *)m[i];
		h->nlmsg_seq = seq[i];
		char pad[4] = {0};
		fwrite(m[i], 1, len[i], f);
		fwrite(pad, 1, NLMSG_ALIGN(len[i]) - len[i], f);
	}
}

/*
 * The counters of several sockets are asked in one datagram of requests, the answers matched by
 * sequence number: two sockets' counters come (one datagram holding an answer and an error, then
 * one more), a socket gone (-ENOENT) keeps what it had, one not asked is left alone.
 */
TEST(conns_tcp_stats_batched_answers)
{
	struct ps_snapshot s = {0};
	CHECK_INT(load(CONNS "before", &s), 0);
	char m[8][1024];
	size_t len[8];
	size_t nm = fixture_msgs(CONNS "before/sockdiag-tcp4.nl", m, len, 8);
	CHECK(nm >= 3);
	/* which sockets of s the first and third recorded answers are */
	long at[3] = {-1, -1, -1};
	for (size_t j = 0; j < 3 && nm >= 3; j += 2) {
		struct ps_socket k;
		CHECK_INT(sockdiag_parse_msg(m[j], len[j], PS_TCP, &k), 0);
		for (size_t i = 0; i < s.nsocks; i++)
			if (s.socks[i].local.port == k.local.port &&
			    s.socks[i].remote.port == k.remote.port)
				at[j] = (long)i;
	}
	CHECK(at[0] >= 0 && at[2] >= 0 && at[0] != at[2]);
	for (size_t i = 0; i < s.nsocks && at[1] < 0; i++)
		if ((long)i != at[0] && (long)i != at[2])
			at[1] = (long)i;
	CHECK(snap_tcp(&s, &s.socks[at[0]]) && snap_tcp(&s, &s.socks[at[2]]));
	struct ps_tcp_stats want0 = *snap_tcp(&s, &s.socks[at[0]]),
			    want2 = *snap_tcp(&s, &s.socks[at[2]]);
	snap_clear_tcp(&s);
	/* what the one gone had */
	CHECK_INT(
	    snap_set_tcp(&s, &s.socks[at[1]], &(struct ps_tcp_stats){.retrans = 42, .valid = true}),
	    0);

	char dir[] = "/tmp/ps-stats-XXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char path[64];
	snprintf(path, sizeof path, "%s/sockdiag-stats.nl", dir);
	FILE *f = fopen(path, "wb");
	CHECK(f != NULL);
	/* datagram 1: request 2's answer (answers are matched by sequence number, not by order);
	 * datagram 2: the answer to request 0 and the error of request 1 */
	struct {
		struct nlmsghdr h;
		struct nlmsgerr e;
	} err = {{.nlmsg_len = sizeof err, .nlmsg_type = NLMSG_ERROR}, {.error = -ENOENT}};
	char two[2][1024];
	size_t two_len[2] = {len[0], sizeof err};
	memcpy(two[0], m[0], len[0]);
	memcpy(two[1], &err, sizeof err);
	uint32_t seq01[2] = {0, 1}, seq2[1] = {2};
	put_datagram(f, &m[2], &len[2], seq2, 1);
	put_datagram(f, two, two_len, seq01, 2);
	fclose(f);

	size_t idx[3] = {(size_t)at[0], (size_t)at[1], (size_t)at[2]};
	nl_replay_set(dir);
	CHECK_INT(sockdiag_tcp_stats(-1, &s, idx, 3), 0);
	nl_replay_set(NULL);
	unlink(path);
	rmdir(dir);
	const struct ps_tcp_stats *t0 = snap_tcp(&s, &s.socks[at[0]]),
				  *t1 = snap_tcp(&s, &s.socks[at[1]]),
				  *t2 = snap_tcp(&s, &s.socks[at[2]]);
	CHECK(t0 && t1 && t2);
	CHECK_INT(t0 ? t0->bytes_sent : 0, want0.bytes_sent);
	CHECK_INT(t2 ? t2->bytes_received : 0, want2.bytes_received);
	CHECK_INT(t1 ? t1->retrans : 0, 42); /* closed since: it keeps what it had */
	for (size_t i = 0; i < s.nsocks; i++)
		if ((long)i != at[0] && (long)i != at[1] && (long)i != at[2])
			CHECK(!snap_tcp(&s, &s.socks[i]));
	snap_free(&s);
}
