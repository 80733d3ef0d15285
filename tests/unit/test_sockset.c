/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_sockset.c — top's socket set kept from TCP state changes: a recorded sequence (what the
 * sock:inet_sock_set_state tracepoint gave for a listen, a connect, an accept and a close on
 * loopback), owners of added sockets, closes, the filter, and counters merged by socket. */
#include <stdlib.h>
#include <string.h>

#include "../../src/model/sockset.h"
#include "test.h"

#define NS 4026531840ull

static struct ps_endpoint ep(uint16_t port)
{
	struct ps_endpoint e = {.addr = {.family = PS_INET, .bytes = {127, 0, 0, 1}}, .port = port};
	return e;
}

static struct ps_endpoint any(void)
{
	struct ps_endpoint e = {.addr = {.family = PS_INET}};
	return e;
}

/* A listing: one listener on 127.0.0.1:4720 held by pid 100 (srv). */
static void listing(struct ps_snapshot *s)
{
	struct ps_socket *k = snap_add_socket(s);
	k->proto = PS_TCP;
	k->state = PS_ST_LISTEN;
	k->local = ep(4720);
	k->remote = any();
	k->netns = NS;
	k->inode = 77;
	long p = snap_add_proc(s, 100);
	s->procs[p].name = strdup("srv");
	CHECK_INT(snap_add_owner(s, 0, (uint32_t)p, 3), 0);
	snap_group_owners(s);
}

static struct ps_sockchange chg(struct ps_endpoint l, struct ps_endpoint r, uint8_t from,
				uint8_t to, int32_t pid, const char *comm)
{
	struct ps_sockchange c = {.netns = NS,
				  .local = l,
				  .remote = r,
				  .pid = pid,
				  .proto = PS_TCP,
				  .from = from,
				  .to = to};
	if (comm)
		strcpy(c.comm, comm);
	return c;
}

static const struct ps_socket *find(const struct ps_snapshot *s, uint16_t lport, uint16_t rport)
{
	for (size_t i = 0; i < s->nsocks; i++)
		if (s->socks[i].local.port == lport && s->socks[i].remote.port == rport)
			return &s->socks[i];
	return NULL;
}

static const char *owner_name(const struct ps_snapshot *s, const struct ps_socket *k)
{
	return k && k->owner_count ? s->procs[snap_owner(s, k, 0)->proc].name : NULL;
}

/* As recorded: connect() sets SYN-SENT before its port is chosen (local port 0). */
static const struct {
	uint16_t lport, rport;
	uint8_t from, to;
	int32_t pid;
	const char *comm;
} recorded[] = {
    {0, 4720, PS_ST_CLOSE, PS_ST_SYN_SENT, 200, "cli"},
    {4720, 5555, PS_ST_CLOSE, PS_ST_SYN_RECV, 0, NULL}, /* the accepted child, in softirq */
    {5555, 4720, PS_ST_SYN_SENT, PS_ST_ESTABLISHED, 200, "cli"},
    {4720, 5555, PS_ST_SYN_RECV, PS_ST_ESTABLISHED, 0, NULL},
};

TEST(sockset_recorded_connect_and_accept)
{
	struct ps_snapshot s = {0};
	listing(&s);
	struct ps_sockchange c[4];
	for (size_t i = 0; i < 4; i++)
		c[i] = chg(recorded[i].lport ? ep(recorded[i].lport) : any(), ep(recorded[i].rport),
			   recorded[i].from, recorded[i].to, recorded[i].pid, recorded[i].comm);
	c[0].local.addr.bytes[0] = 0; /* 0.0.0.0:0 */
	struct sockset_stats st;
	CHECK_INT(sockset_apply(&s, c, 4, NULL, NULL, &st), 0);
	CHECK_INT((long)st.added, 2);
	CHECK_INT((long)st.changed, 1);
	CHECK_INT((long)st.skipped, 1);
	CHECK_INT((long)s.nsocks, 3);
	const struct ps_socket *out = find(&s, 5555, 4720), *in = find(&s, 4720, 5555);
	CHECK(out && out->state == PS_ST_ESTABLISHED && out->inode == 0 && out->netns == NS);
	CHECK(in && in->state == PS_ST_ESTABLISHED);
	/* the connecting process by its pid and name; the accepted one by its listener's owner */
	CHECK_STR(owner_name(&s, out), "cli");
	CHECK_INT(out->owner_status, PS_OWN_OK);
	CHECK_STR(owner_name(&s, in), "srv");
	CHECK_INT((long)snap_owner(&s, in, 0)->pid, 100);
	CHECK_STR(owner_name(&s, find(&s, 4720, 0)), "srv");

	/* the client closes first: FIN-WAIT1, FIN-WAIT2, then CLOSE into TIME-WAIT (the kernel
	 * keeps its ends until its timer: it stays, in that state, with its owner) */
	struct ps_sockchange d[] = {
	    chg(ep(5555), ep(4720), PS_ST_ESTABLISHED, PS_ST_FIN_WAIT1, 200, "cli"),
	    chg(ep(4720), ep(5555), PS_ST_ESTABLISHED, PS_ST_CLOSE_WAIT, 0, NULL),
	    chg(ep(5555), ep(4720), PS_ST_FIN_WAIT1, PS_ST_FIN_WAIT2, 200, "cli"),
	    chg(ep(4720), ep(5555), PS_ST_CLOSE_WAIT, PS_ST_LAST_ACK, 0, NULL),
	    chg(ep(4720), ep(5555), PS_ST_LAST_ACK, PS_ST_CLOSE, 0, NULL),
	    chg(ep(5555), ep(4720), PS_ST_FIN_WAIT2, PS_ST_CLOSE, 200, "cli"),
	};
	CHECK_INT(sockset_apply(&s, d, sizeof d / sizeof d[0], NULL, NULL, &st), 0);
	CHECK_INT((long)st.removed, 1);
	CHECK_INT((long)s.nsocks, 2);
	CHECK(find(&s, 4720, 0) && !find(&s, 4720, 5555));
	out = find(&s, 5555, 4720);
	CHECK(out && out->state == PS_ST_TIME_WAIT);
	CHECK_STR(owner_name(&s, out), "cli");
	CHECK_STR(owner_name(&s, find(&s, 4720, 0)), "srv");

	/* a new connection on the same ends (time-wait reuse) replaces it: not its owner */
	struct ps_sockchange e = chg(ep(5555), ep(4720), PS_ST_CLOSE, PS_ST_SYN_SENT, 300, "new");
	CHECK_INT(sockset_apply(&s, &e, 1, NULL, NULL, &st), 0);
	CHECK_INT((long)st.removed, 1);
	CHECK_INT((long)st.added, 1);
	out = find(&s, 5555, 4720);
	CHECK(out && out->state == PS_ST_SYN_SENT);
	CHECK_STR(owner_name(&s, out), "new");
	CHECK_INT((long)s.nsocks, 2);
	snap_free(&s);
}

static bool no_5556(const struct ps_snapshot *s, const struct ps_socket *k, const void *ctx)
{
	(void)s;
	(void)ctx;
	return k->local.port != 5556;
}

TEST(sockset_filter_and_unknown_owner)
{
	struct ps_snapshot s = {0};
	listing(&s);
	struct ps_sockchange c[] = {
	    chg(ep(5556), ep(9), PS_ST_SYN_SENT, PS_ST_ESTABLISHED, 300, "x"),
	    chg(ep(5557), ep(9), PS_ST_SYN_SENT, PS_ST_ESTABLISHED, 0, NULL),
	    chg(ep(4720), any(), PS_ST_LISTEN, PS_ST_LISTEN, 0, NULL),	   /* known: nothing */
	    chg(ep(6000), ep(1), PS_ST_ESTABLISHED, PS_ST_CLOSE, 0, NULL), /* unknown close */
	};
	c[1].netns = NS + 1; /* another namespace: not the listener's either */
	struct sockset_stats st;
	CHECK_INT(sockset_apply(&s, c, 4, no_5556, NULL, &st), 0);
	CHECK_INT((long)st.added, 1);
	CHECK_INT((long)st.removed, 0);
	CHECK_INT((long)s.nsocks, 2);
	const struct ps_socket *k = find(&s, 5557, 9);
	CHECK(k && k->owner_count == 0 && k->owner_status == PS_OWN_UNREPORTED);
	CHECK(!find(&s, 5556, 9));
	CHECK_INT((long)s.nprocs, 1); /* pid 300's record went with its refused socket */
	snap_free(&s);
}

TEST(sockset_counters_by_socket)
{
	struct ps_snapshot s = {0}, dump = {0};
	listing(&s);
	CHECK_INT(snap_add_socket_copy(&dump, &s, &s.socks[0]), 0);
	struct ps_socket *k = &dump.socks[0];
	k->owner_count = 0;
	k->recv_q = 129;
	k->send_q = 128;
	CHECK_INT(
	    snap_set_tcp(&dump, k,
			 &(struct ps_tcp_stats){.bytes_sent = 5, .retrans = 2, .valid = true}),
	    0);
	struct ps_socket *other = snap_add_socket(&dump);
	other->proto = PS_TCP;
	other->local = ep(1);
	CHECK_INT(snap_set_tcp(&dump, other, &(struct ps_tcp_stats){.valid = true}), 0);
	CHECK_INT(sockset_merge_counters(&s, &dump), 0);
	CHECK_INT((long)s.nsocks, 1);
	const struct ps_tcp_stats *c = snap_tcp(&s, &s.socks[0]);
	CHECK(c && c->retrans == 2 && s.socks[0].recv_q == 129 && s.socks[0].send_q == 128);
	snap_free(&s);
	snap_free(&dump);
}

static void add_tcp(struct ps_snapshot *s, struct ps_endpoint l, struct ps_endpoint r,
		    uint8_t state, uint64_t inode)
{
	struct ps_socket *k = snap_add_socket(s);
	k->proto = PS_TCP;
	k->state = state;
	k->local = l;
	k->remote = r;
	k->netns = NS;
	k->inode = inode;
}

/* Two dumps without owners and the destroy notifications between them: the changes that make
 * the kept set the second dump (sock_diag's way, where BPF does not load). */
/* A listener closed and bound again by another socket between two dumps, its destroy notice lost:
 * the same addresses and state are a close of the old socket and an open of the new one, so its
 * owner is looked for again instead of kept (another user's listener on a port a service left). */
TEST(sockset_diff_rebound_socket)
{
	struct ps_snapshot was = {0}, now = {0}, s = {0};
	add_tcp(&was, ep(4723), any(), PS_ST_LISTEN, 79);
	add_tcp(&now, ep(4723), any(), PS_ST_LISTEN, 92);
	struct ps_sockchange *v = NULL;
	size_t n = 0, cap = 0;
	CHECK_INT(sockset_diff(&was, &now, NULL, &v, &n, &cap), 0);
	CHECK_INT((long)n, 2);
	CHECK(n == 2 && v[0].inode == 79 && v[0].to == PS_ST_CLOSE);
	CHECK(n == 2 && v[1].inode == 92 && v[1].from == PS_ST_CLOSE && v[1].to == PS_ST_LISTEN);
	listing(&s);
	add_tcp(&s, ep(4723), any(), PS_ST_LISTEN, 79);
	CHECK_INT(snap_add_owner(&s, 1, 0, 4), 0); /* srv held the old one */
	snap_group_owners(&s);
	struct sockset_stats st;
	CHECK_INT(sockset_apply(&s, v, n, NULL, NULL, &st), 0);
	const struct ps_socket *k = find(&s, 4723, 0);
	CHECK(k && k->inode == 92 && !k->owner_count); /* not srv's: its owner is found later */
	free(v);
	snap_free(&was);
	snap_free(&now);
	snap_free(&s);
}

TEST(sockset_diff_of_two_dumps)
{
	struct ps_snapshot was = {0}, now = {0}, closed = {0}, s = {0};
	add_tcp(&was, ep(4720), any(), PS_ST_LISTEN, 77);	  /* stays */
	add_tcp(&was, ep(4721), any(), PS_ST_LISTEN, 78);	  /* closes, no notification */
	add_tcp(&was, ep(5555), ep(4720), PS_ST_SYN_SENT, 80);	  /* becomes established */
	add_tcp(&was, ep(5560), ep(4720), PS_ST_ESTABLISHED, 81); /* closed and opened again */
	add_tcp(&now, ep(4720), any(), PS_ST_LISTEN, 77);
	add_tcp(&now, ep(5555), ep(4720), PS_ST_ESTABLISHED, 80);
	add_tcp(&now, ep(5560), ep(4720), PS_ST_ESTABLISHED, 90);
	add_tcp(&now, ep(4722), any(), PS_ST_LISTEN, 91); /* new */
	struct ps_socket *u = snap_add_socket(&now);	  /* UDP: the full listing's */
	u->proto = PS_UDP;
	u->local = ep(53);
	add_tcp(&closed, ep(5560), ep(4720), PS_ST_ESTABLISHED, 0);
	struct ps_sockchange *v = NULL;
	size_t n = 0, cap = 0;
	CHECK_INT(sockset_diff(&was, &now, &closed, &v, &n, &cap), 0);
	CHECK_INT((long)n, 5);
	CHECK(n == 5 && v[0].local.port == 5560 && v[0].to == PS_ST_CLOSE);
	CHECK(n == 5 && v[1].local.port == 5555 && v[1].to == PS_ST_ESTABLISHED &&
	      v[1].from == PS_ST_SYN_SENT);
	CHECK(n == 5 && v[2].local.port == 5560 && v[2].to == PS_ST_ESTABLISHED &&
	      v[2].inode == 90);
	CHECK(n == 5 && v[3].local.port == 4722 && v[3].to == PS_ST_LISTEN && v[3].inode == 91 &&
	      v[3].from == PS_ST_CLOSE);
	CHECK(n == 5 && v[4].local.port == 4721 && v[4].to == PS_ST_CLOSE);
	/* applied to a set that was the first dump, it is the second one */
	listing(&s);
	add_tcp(&s, ep(4721), any(), PS_ST_LISTEN, 78);
	add_tcp(&s, ep(5555), ep(4720), PS_ST_SYN_SENT, 80);
	add_tcp(&s, ep(5560), ep(4720), PS_ST_ESTABLISHED, 81);
	struct sockset_stats st;
	CHECK_INT(sockset_apply(&s, v, n, NULL, NULL, &st), 0);
	CHECK_INT((long)s.nsocks, 4);
	CHECK(!find(&s, 4721, 0) && find(&s, 4722, 0) && find(&s, 4722, 0)->inode == 91);
	CHECK(find(&s, 5560, 4720) && find(&s, 5560, 4720)->inode == 90);
	CHECK(find(&s, 5555, 4720) && find(&s, 5555, 4720)->state == PS_ST_ESTABLISHED);
	CHECK(find(&s, 5560, 4720) && !find(&s, 5560, 4720)->owner_count); /* found later */
	free(v);
	snap_free(&was);
	snap_free(&now);
	snap_free(&closed);
	snap_free(&s);
}

/* A listener two processes hold (a pre-forked server: master and worker): a connection accepted
 * on it (softirq: no pid) gets no owner, not the master's name; one process alone holding its
 * listener names it (sockset_recorded_connect_and_accept). */
TEST(sockset_accepted_on_shared_listener)
{
	struct ps_snapshot s = {0};
	listing(&s); /* srv, pid 100 */
	long w = snap_add_proc(&s, 101);
	s.procs[w].name = strdup("worker");
	CHECK_INT(snap_add_owner(&s, 0, (uint32_t)w, 3), 0);
	snap_group_owners(&s);
	CHECK_INT(sockset_sole_proc(&s, &s.socks[0]), -1);
	struct ps_sockchange c =
	    chg(ep(4720), ep(5555), PS_ST_SYN_RECV, PS_ST_ESTABLISHED, 0, NULL);
	struct sockset_stats st;
	CHECK_INT(sockset_apply(&s, &c, 1, NULL, NULL, &st), 0);
	const struct ps_socket *in = find(&s, 4720, 5555);
	CHECK(in && in->owner_count == 0);
	CHECK_INT(in->owner_status, PS_OWN_UNREPORTED);
	snap_free(&s);
}

/* sock_diag's destroy notifications name the last counters: the close sockset_diff says for a
 * socket the kernel destroyed carries them. */
TEST(sockset_diff_close_carries_last_counters)
{
	struct ps_snapshot was = {0}, now = {0}, gone = {0};
	struct ps_socket *k = snap_add_socket(&was);
	k->proto = PS_TCP;
	k->state = PS_ST_ESTABLISHED;
	k->local = ep(5555);
	k->remote = ep(4720);
	k->netns = NS;
	struct ps_socket *g = snap_add_socket(&gone);
	*g = was.socks[0];
	g->state = PS_ST_CLOSE;
	CHECK_INT(
	    snap_set_tcp(&gone, g, &(struct ps_tcp_stats){.bytes_sent = 20 << 20, .valid = true}),
	    0);
	struct ps_sockchange *v = NULL;
	size_t n = 0, cap = 0;
	CHECK_INT(sockset_diff(&was, &now, &gone, &v, &n, &cap), 0);
	CHECK_INT((long)n, 1);
	CHECK(v && v[0].to == PS_ST_CLOSE && v[0].last.valid && v[0].last.bytes_sent == 20 << 20);
	free(v);
	snap_free(&was);
	snap_free(&now);
	snap_free(&gone);
}

/* An accepted connection on a listener two processes hold has no owner until its holder closes it:
 * that close (ESTAB -> FIN-WAIT-1, or CLOSE-WAIT -> LAST-ACK, in the holder's own syscall) names
 * the process, which then owns it; the connecting end's owner stays the one that connected. */
TEST(sockset_holder_named_by_its_close)
{
	struct ps_snapshot s = {0};
	listing(&s); /* srv, pid 100 */
	long w = snap_add_proc(&s, 101);
	s.procs[w].name = strdup("worker");
	CHECK_INT(snap_add_owner(&s, 0, (uint32_t)w, 3), 0);
	snap_group_owners(&s);
	struct ps_sockchange c[] = {
	    chg(ep(4720), ep(5555), PS_ST_SYN_RECV, PS_ST_ESTABLISHED, 0, NULL),
	    chg(ep(5555), ep(4720), PS_ST_CLOSE, PS_ST_SYN_SENT, 200, "cli"),
	    chg(ep(5555), ep(4720), PS_ST_SYN_SENT, PS_ST_ESTABLISHED, 200, "cli"),
	};
	struct sockset_stats st;
	CHECK_INT(sockset_apply(&s, c, 3, NULL, NULL, &st), 0);
	CHECK(owner_name(&s, find(&s, 4720, 5555)) == NULL);
	struct ps_sockchange d[] = {
	    chg(ep(5555), ep(4720), PS_ST_ESTABLISHED, PS_ST_CLOSE_WAIT, 0, NULL),
	    chg(ep(4720), ep(5555), PS_ST_ESTABLISHED, PS_ST_FIN_WAIT1, 101, "worker"),
	    chg(ep(5555), ep(4720), PS_ST_CLOSE_WAIT, PS_ST_LAST_ACK, 200, "cli"),
	};
	CHECK_INT(sockset_apply(&s, d, 3, NULL, NULL, &st), 0);
	const struct ps_socket *in = find(&s, 4720, 5555);
	CHECK_STR(owner_name(&s, in), "worker");
	CHECK_INT(in->owner_status, PS_OWN_OK);
	CHECK_INT(snap_owner(&s, in, 0)->pid, 101);
	CHECK_STR(owner_name(&s, find(&s, 5555, 4720)), "cli");
	CHECK_INT(s.nprocs, 3); /* srv, worker, cli: no process twice */
	snap_free(&s);
}
