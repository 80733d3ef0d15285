/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sockdiag.c — socket listing through NETLINK_SOCK_DIAG, with state and port filters in the kernel.
 */
#include "sockdiag.h"

#include "ext.h"
#include "nldump.h"

#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void put_op(uint8_t *out, size_t at, uint8_t code, uint8_t yes, uint16_t no)
{
	struct inet_diag_bc_op op = {.code = code, .yes = yes, .no = no};
	memcpy(out + at, &op, sizeof op);
}

static void put_port(uint8_t *out, size_t at, uint16_t port)
{
	struct inet_diag_bc_op op = {.code = 0, .yes = 0, .no = port};
	memcpy(out + at, &op, sizeof op);
}

/*
 * "local port in range OR remote port in range", laid out the way the kernel's
 * verifier (inet_diag_bc_audit) wants it: it walks only the "yes" chain, and every
 * "no" target must be an op on that chain. An OR therefore needs a JMP between
 * the halves (a JMP always takes its "no" branch when run). Running ends in
 * accept when len reaches exactly 0, in reject when a jump overshoots the end.
 *    0: S_GE lo   yes -> 8     no -> 20 (try remote)
 *    8: S_LE hi   yes -> 16    no -> 20
 *   16: JMP       yes -> 20    no -> 36 = end: accept
 *   20: D_GE lo   yes -> 28    no -> 40: reject
 *   28: D_LE hi   yes -> 36 = end: accept   no -> 40: reject
 * Comparisons take 8 bytes: the op, then an op whose "no" holds the port.
 */
size_t sockdiag_port_bytecode(const struct ps_portspec *p, uint8_t *out, size_t cap)
{
	const size_t len = 36;
	if (cap < len)
		return 0;
	put_op(out, 0, INET_DIAG_BC_S_GE, 8, 20);
	put_port(out, 4, p->lo);
	put_op(out, 8, INET_DIAG_BC_S_LE, 8, 12);
	put_port(out, 12, p->hi);
	put_op(out, 16, INET_DIAG_BC_JMP, 4, 20);
	put_op(out, 20, INET_DIAG_BC_D_GE, 8, 20);
	put_port(out, 24, p->lo);
	put_op(out, 28, INET_DIAG_BC_D_LE, 8, 12);
	put_port(out, 32, p->hi);
	return len;
}

static int fill_addr(struct ps_addr *a, uint8_t family, const __be32 *words)
{
	memset(a, 0, sizeof *a);
	if (family == AF_INET) {
		a->family = PS_INET;
		memcpy(a->bytes, words, 4);
	} else if (family == AF_INET6) {
		a->family = PS_INET6;
		memcpy(a->bytes, words, 16);
	} else {
		return -EBADMSG;
	}
	return 0;
}

void sockdiag_parse_tcp_info(const void *data, size_t n, struct ps_tcp_stats *out)
{
	struct tcp_info ti;
	memset(&ti, 0, sizeof ti);
	memset(out, 0, sizeof *out);
	/* older kernels send a shorter struct, newer ones a longer one: take what both know */
	if (n < offsetof(struct tcp_info, tcpi_total_retrans) + sizeof ti.tcpi_total_retrans)
		return;
	memcpy(&ti, data, n < sizeof ti ? n : sizeof ti);
	out->rtt_us = ti.tcpi_rtt;
	out->retrans = ti.tcpi_total_retrans;
	if (n >= offsetof(struct tcp_info, tcpi_bytes_received) + sizeof ti.tcpi_bytes_received) {
		out->bytes_sent = ti.tcpi_bytes_acked;
		out->bytes_received = ti.tcpi_bytes_received;
	}
	/* bytes_acked counts our SYN (a connection we opened) and, once acknowledged, our FIN:
	 * never more than the distinct data bytes we sent (4.19+: sent less retransmitted) */
	if (n >= offsetof(struct tcp_info, tcpi_bytes_retrans) + sizeof ti.tcpi_bytes_retrans &&
	    ti.tcpi_bytes_sent >= ti.tcpi_bytes_retrans &&
	    out->bytes_sent > ti.tcpi_bytes_sent - ti.tcpi_bytes_retrans)
		out->bytes_sent = ti.tcpi_bytes_sent - ti.tcpi_bytes_retrans;
	out->valid = true;
}

int sockdiag_parse_msg(const void *msg, size_t len, unsigned proto, struct ps_socket *k)
{
	return sockdiag_parse_msg_tcp(msg, len, proto, k, NULL);
}

int sockdiag_parse_msg_tcp(const void *msg, size_t len, unsigned proto, struct ps_socket *k,
			   struct ps_tcp_stats *tcp)
{
	if (tcp)
		memset(tcp, 0, sizeof *tcp);
	struct nlmsghdr h;
	struct inet_diag_msg d;
	if (len < NLMSG_LENGTH(sizeof d))
		return -EBADMSG;
	memcpy(&h, msg, sizeof h);
	if (h.nlmsg_len < NLMSG_LENGTH(sizeof d) || h.nlmsg_len > len)
		return -EBADMSG;
	memcpy(&d, (const char *)msg + NLMSG_HDRLEN, sizeof d);
	memset(k, 0, sizeof *k);
	if (fill_addr(&k->local.addr, d.idiag_family, d.id.idiag_src) ||
	    fill_addr(&k->remote.addr, d.idiag_family, d.id.idiag_dst))
		return -EBADMSG;
	k->local.port = ntohs(d.id.idiag_sport);
	k->remote.port = ntohs(d.id.idiag_dport);
	k->ifindex = d.id.idiag_if;
	k->proto = (uint8_t)proto;
	k->state = d.idiag_state < PS_ST_MAX ? d.idiag_state : 0;
	k->recv_q = d.idiag_rqueue;
	k->send_q = d.idiag_wqueue;
	k->uid = d.idiag_uid;
	k->inode = d.idiag_inode;
	/* Attributes: INET_DIAG_SKV6ONLY (sent for listening and unconnected IPv6
	 * sockets) tells whether a :: bind also takes IPv4; INET_DIAG_CGROUP_ID names
	 * the cgroup the socket was created in (kernels with cgroup support); INET_DIAG_INFO
	 * (when asked for) a TCP socket's counters. */
	struct nl_attrs it = nl_attrs_of(msg, h.nlmsg_len, sizeof d);
	uint16_t type;
	const char *data;
	size_t n;
	while (nl_attrs_next(&it, &type, &data, &n)) {
		if (type == INET_DIAG_SKV6ONLY && n >= 1 && d.idiag_family == AF_INET6)
			k->v6only = data[0] ? PS_V6ONLY_YES : PS_V6ONLY_NO;
		if (type == INET_DIAG_CGROUP_ID && n >= 8) {
			uint64_t id;
			memcpy(&id, data, 8);
			lnx_sock_set_cgroup_id(k, id);
		}
		if (type == INET_DIAG_INFO && proto == PS_TCP && tcp)
			sockdiag_parse_tcp_info(data, n, tcp);
	}
	return 0;
}

int sockdiag_parse_batch(const void *buf, size_t len, unsigned proto, const struct ps_filter *f,
			 struct ps_snapshot *snap)
{
	struct nl_msgs it = nl_msgs_of(buf, len);
	struct nlmsghdr h;
	const char *p;
	while (nl_msgs_next(&it, &h, &p)) {
		int st = nl_msg_status(&h, p);
		if (st)
			return st;
		if (h.nlmsg_type == SOCK_DIAG_BY_FAMILY) {
			struct ps_socket k;
			struct ps_tcp_stats t;
			int rc = sockdiag_parse_msg_tcp(p, h.nlmsg_len, proto, &k, &t);
			if (rc)
				return rc;
			if (filter_match_socket(f, &k)) {
				struct ps_socket *dst = snap_add_socket(snap);
				if (!dst)
					return -ENOMEM;
				*dst = k;
				if (t.valid && snap_set_tcp(snap, dst, &t))
					return -ENOMEM;
			}
		}
	}
	return it.err;
}

struct dump_ctx {
	unsigned proto;
	const struct ps_filter *f;
	struct ps_snapshot *snap;
	size_t before; /* sockets the snapshot had before this dump */
};

static int dump_batch(const void *buf, size_t n, void *arg)
{
	struct dump_ctx *c = arg;
	return sockdiag_parse_batch(buf, n, c->proto, c->f, c->snap);
}

static void dump_reset(void *arg)
{
	struct dump_ctx *c = arg;
	c->snap->nsocks = c->before;
}

int sockdiag_dump(int fd, unsigned family, unsigned proto, const struct ps_filter *f,
		  bool port_bytecode, struct ps_snapshot *snap)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
		struct nlattr bc_attr;
		uint8_t bc[36];
	} req;
	memset(&req, 0, sizeof req);
	size_t bclen = 0;
	if (port_bytecode && f->nports == 1 && (f->ports[0].protos & (1u << proto)))
		bclen = sockdiag_port_bytecode(&f->ports[0], req.bc, sizeof req.bc);
	req.nlh.nlmsg_len = NLMSG_LENGTH(sizeof req.r);
	if (bclen) {
		req.bc_attr.nla_type = INET_DIAG_REQ_BYTECODE;
		req.bc_attr.nla_len = (uint16_t)(NLA_HDRLEN + bclen);
		req.nlh.nlmsg_len += NLA_ALIGN(req.bc_attr.nla_len);
	}
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nlh.nlmsg_seq = 1;
	req.r.sdiag_family = family == PS_INET ? AF_INET : AF_INET6;
	req.r.sdiag_protocol = proto == PS_TCP ? IPPROTO_TCP : IPPROTO_UDP;
	/* bound-only TCP sockets (TCP_BOUND_INACTIVE, Linux 6.5) are not listed on Linux yet */
	req.r.idiag_states = f->states[proto] & ~(1u << PS_ST_BOUND);
	if (f->tcp_info && proto == PS_TCP)
		req.r.idiag_ext = 1u << (INET_DIAG_INFO - 1);

	struct dump_ctx ctx = {proto, f, snap, snap->nsocks};
	char name[32];
	snprintf(name, sizeof name, "sockdiag-%s%d", proto == PS_TCP ? "tcp" : "udp",
		 family == PS_INET ? 4 : 6);
	int rc = nl_dump_retry(fd, name, &req, req.nlh.nlmsg_len, dump_batch, dump_reset, &ctx);
	if (rc == NL_DUMP_INTERRUPTED) {
		snap_note(snap, SOCKDIAG_INTR_NOTE, 0);
		rc = 0;
	}
	return rc;
}

/* A request for the one TCP socket k (by addresses, ports and device), of type `type`. */
struct one_req {
	struct nlmsghdr nlh;
	struct inet_diag_req_v2 r;
};

static void one_request(struct one_req *req, const struct ps_socket *k, uint16_t type,
			uint16_t flags)
{
	memset(req, 0, sizeof *req);
	req->nlh.nlmsg_len = sizeof *req;
	req->nlh.nlmsg_type = type;
	req->nlh.nlmsg_flags = flags;
	req->nlh.nlmsg_seq = 2;
	req->r.sdiag_family = k->local.addr.family == PS_INET ? AF_INET : AF_INET6;
	req->r.sdiag_protocol = IPPROTO_TCP;
	req->r.idiag_states = ~0u;
	req->r.idiag_ext = type == SOCK_DIAG_BY_FAMILY ? 1u << (INET_DIAG_INFO - 1) : 0;
	req->r.id.idiag_sport = htons(k->local.port);
	req->r.id.idiag_dport = htons(k->remote.port);
	memcpy(req->r.id.idiag_src, k->local.addr.bytes, k->local.addr.family == PS_INET ? 4 : 16);
	memcpy(req->r.id.idiag_dst, k->remote.addr.bytes,
	       k->remote.addr.family == PS_INET ? 4 : 16);
	req->r.id.idiag_if = k->ifindex;
	req->r.id.idiag_cookie[0] = req->r.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
}

/* The sockets asked in one datagram of requests, by sequence number, and how many were answered. */
struct stats_ctx {
	struct ps_snapshot *snap;
	const size_t *idx;
	size_t n, answered;
};

/* One reply datagram of a batch of requests: a socket's counters, or an error for one (-ENOENT:
 * closed since the listing; it keeps what it had). 1 once every request is answered. */
static int stats_batch(const void *buf, size_t len, void *arg)
{
	struct stats_ctx *c = arg;
	struct nl_msgs it = nl_msgs_of(buf, len);
	struct nlmsghdr h;
	const char *p;
	while (nl_msgs_next(&it, &h, &p)) {
		if (h.nlmsg_type == NLMSG_ERROR) {
			int err;
			if (h.nlmsg_len < NLMSG_LENGTH(sizeof err))
				return -EBADMSG;
			memcpy(&err, p + NLMSG_HDRLEN, sizeof err);
			if (err && err != -ENOENT)
				return err;
			c->answered++;
		} else if (h.nlmsg_type == SOCK_DIAG_BY_FAMILY) {
			struct ps_socket k;
			struct ps_tcp_stats t;
			c->answered++;
			if (h.nlmsg_seq < c->n &&
			    sockdiag_parse_msg_tcp(p, h.nlmsg_len, PS_TCP, &k, &t) == 0 &&
			    t.valid &&
			    snap_set_tcp(c->snap, &c->snap->socks[c->idx[h.nlmsg_seq]], &t))
				return -ENOMEM;
		}
	}
	if (it.err)
		return it.err;
	return c->answered >= c->n ? 1 : 0;
}

/* Requests sent in one datagram: the kernel answers each on its own, and the answers of this many
 * (about 1 KB each) fit the receive buffer lnx_tcp_stats sets with room to spare. */
#define STATS_BATCH 64

int sockdiag_tcp_stats(int fd, struct ps_snapshot *snap, const size_t *idx, size_t n)
{
	struct one_req *req = malloc(STATS_BATCH * sizeof *req);
	size_t *ask = malloc(STATS_BATCH * sizeof *ask);
	int rc = req && ask ? 0 : -ENOMEM;
	for (size_t i = 0; i < n && !rc;) {
		size_t m = 0;
		for (; i < n && m < STATS_BATCH; i++) {
			if (idx[i] >= snap->nsocks)
				continue;
			const struct ps_socket *k = &snap->socks[idx[i]];
			if (k->proto != PS_TCP || k->state == PS_ST_TIME_WAIT)
				continue; /* a time-wait socket has no counters left */
			one_request(&req[m], k, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST);
			req[m].nlh.nlmsg_seq = (uint32_t)m;
			ask[m++] = idx[i];
		}
		struct stats_ctx c = {snap, ask, m, 0};
		if (m)
			rc = nl_dump(fd, "sockdiag-stats", req, m * sizeof *req, stats_batch, &c);
	}
	free(req);
	free(ask);
	return rc;
}

static int ack_batch(const void *buf, size_t len, void *arg)
{
	(void)arg;
	struct nl_msgs it = nl_msgs_of(buf, len);
	struct nlmsghdr h;
	const char *p;
	while (nl_msgs_next(&it, &h, &p))
		if (h.nlmsg_type == NLMSG_ERROR) {
			/* error 0 is the acknowledgement (nl_msg_status takes it for a bad dump) */
			int err;
			if (h.nlmsg_len < NLMSG_LENGTH(sizeof err))
				return -EBADMSG;
			memcpy(&err, p + NLMSG_HDRLEN, sizeof err);
			return err < 0 ? err : 1;
		}
	return it.err;
}

int sockdiag_destroy(int fd, const struct ps_socket *k)
{
	if (k->proto != PS_TCP)
		return -EOPNOTSUPP;
	struct one_req req;
	one_request(&req, k, SOCK_DESTROY, NLM_F_REQUEST | NLM_F_ACK);
	return nl_dump(fd, "sockdiag-destroy", &req, sizeof req, ack_batch, NULL);
}
