/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_sockdiag.c — port bytecode (layout, kernel verifier, kernel interpreter) and reply parsing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../../../src/platform/linux/ext.h"
#include "../../../src/platform/linux/nldump.h"
#include "../../../src/platform/linux/sockdiag.h"
#include "../test.h"
#include "../testutil.h"

/* ---------------------------------------------------------------- bytecode */

static struct inet_diag_bc_op op_at(const uint8_t *bc, int at)
{
	struct inet_diag_bc_op op;
	memcpy(&op, bc + at, sizeof op);
	return op;
}

/*
 * The kernel's interpreter (net/ipv4/inet_diag.c, inet_diag_bc_run) for the ops the
 * port filter may use: run while len > 0; a true condition jumps op->yes, a false
 * one op->no; JMP is always false. Accept iff len ends at exactly 0. Returns -1 when
 * the program would read outside itself or loop (the verifier must prevent both).
 */
static int bc_run(const uint8_t *bc, int bclen, uint16_t sport, uint16_t dport)
{
	int len = bclen, at = 0, steps = 0;
	while (len > 0) {
		if (at < 0 || at + 4 > bclen || ++steps > 1000)
			return -1;
		struct inet_diag_bc_op op = op_at(bc, at);
		int yes = 1;
		switch (op.code) {
		case INET_DIAG_BC_NOP:
			break;
		case INET_DIAG_BC_JMP:
			yes = 0;
			break;
		case INET_DIAG_BC_S_GE:
		case INET_DIAG_BC_S_LE:
		case INET_DIAG_BC_D_GE:
		case INET_DIAG_BC_D_LE:
		case INET_DIAG_BC_S_EQ:
		case INET_DIAG_BC_D_EQ: {
			if (at + 8 > bclen)
				return -1;
			uint16_t v = op_at(bc, at + 4).no;
			uint16_t p = (op.code == INET_DIAG_BC_S_GE ||
				      op.code == INET_DIAG_BC_S_LE || op.code == INET_DIAG_BC_S_EQ)
					 ? sport
					 : dport;
			if (op.code == INET_DIAG_BC_S_GE || op.code == INET_DIAG_BC_D_GE)
				yes = p >= v;
			else if (op.code == INET_DIAG_BC_S_LE || op.code == INET_DIAG_BC_D_LE)
				yes = p <= v;
			else
				yes = p == v;
			break;
		}
		default:
			return -1;
		}
		int j = yes ? op.yes : op.no;
		if (j <= 0)
			return -1;
		len -= j;
		at += j;
	}
	return len == 0;
}

/* The kernel's valid_cc(): is `cc` (bytes left at the target) an op on the yes chain? */
static bool bc_valid_cc(const uint8_t *bc, int len, int cc)
{
	int at = 0;
	while (len >= 0) {
		if (cc > len)
			return false;
		if (cc == len)
			return true;
		struct inet_diag_bc_op op = op_at(bc, at);
		if (op.yes < 4 || (op.yes & 3))
			return false;
		len -= op.yes;
		at += op.yes;
	}
	return false;
}

/* The kernel's verifier (inet_diag_bc_audit) for the same ops: walks the yes chain only. */
static bool bc_audit(const uint8_t *bc, int bclen)
{
	int len = bclen, at = 0;
	while (len > 0) {
		if (len < 4)
			return false;
		struct inet_diag_bc_op op = op_at(bc, at);
		int min_len = 4;
		switch (op.code) {
		case INET_DIAG_BC_S_GE:
		case INET_DIAG_BC_S_LE:
		case INET_DIAG_BC_D_GE:
		case INET_DIAG_BC_D_LE:
		case INET_DIAG_BC_S_EQ:
		case INET_DIAG_BC_D_EQ:
			if (len < 8) /* valid_port_comparison */
				return false;
			min_len = 8;
			break;
		case INET_DIAG_BC_AUTO:
		case INET_DIAG_BC_JMP:
		case INET_DIAG_BC_NOP:
			break;
		default:
			return false;
		}
		if (op.code != INET_DIAG_BC_NOP) {
			if (op.no < min_len || op.no > len + 4 || (op.no & 3))
				return false;
			if (op.no < len && !bc_valid_cc(bc, bclen, len - op.no))
				return false;
		}
		if (op.yes < min_len || op.yes > len + 4 || (op.yes & 3))
			return false;
		at += op.yes;
		len -= op.yes;
	}
	return len == 0;
}

static void put(uint8_t *bc, int at, uint8_t code, uint8_t yes, uint16_t no)
{
	struct inet_diag_bc_op op = {.code = code, .yes = yes, .no = no};
	memcpy(bc + at, &op, sizeof op);
}

/* The emulated verifier has teeth: layouts the real kernel refuses are refused. */
TEST(sockdiag_bc_audit_emulation_is_strict)
{
	uint8_t bc[40] = {0};
	/* the first layout this tool shipped: the remote half is off the yes chain (EINVAL) */
	put(bc, 0, INET_DIAG_BC_S_GE, 8, 16);
	put(bc, 4, 0, 0, 1);
	put(bc, 8, INET_DIAG_BC_S_LE, 24, 8);
	put(bc, 12, 0, 0, 100);
	put(bc, 16, INET_DIAG_BC_D_GE, 8, 20);
	put(bc, 20, 0, 0, 1);
	put(bc, 24, INET_DIAG_BC_D_LE, 8, 12);
	put(bc, 28, 0, 0, 100);
	CHECK(!bc_audit(bc, 32));
	CHECK_INT(bc_run(bc, 32, 50, 0), 1); /* it would have run correctly, though */
	/* a comparison with no room for its operand */
	memset(bc, 0, sizeof bc);
	put(bc, 0, INET_DIAG_BC_S_GE, 8, 12);
	CHECK(!bc_audit(bc, 4));
	/* an unaligned jump */
	put(bc, 0, INET_DIAG_BC_S_GE, 8, 10);
	put(bc, 4, 0, 0, 1);
	CHECK(!bc_audit(bc, 8));
	/* a jump too far */
	put(bc, 0, INET_DIAG_BC_S_GE, 8, 16);
	CHECK(!bc_audit(bc, 8));
	/* and the minimal valid program passes */
	put(bc, 0, INET_DIAG_BC_S_GE, 8, 12);
	CHECK(bc_audit(bc, 8));
}

TEST(sockdiag_port_bytecode_layout)
{
	struct ps_portspec p = {.lo = 8000, .hi = 8100, .protos = 3};
	uint8_t bc[64];
	memset(bc, 0xAA, sizeof bc);
	size_t n = sockdiag_port_bytecode(&p, bc, sizeof bc);
	CHECK_INT(n, 36);
	/* struct inet_diag_bc_op { u8 code; u8 yes; u16 no; } in host order (little endian here);
	 * a comparison is followed by an op whose "no" holds the port. 8000 = 0x1f40, 8100 =
	 * 0x1fa4. */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* clang-format off */
	static const uint8_t want[36] = {
		INET_DIAG_BC_S_GE, 8,  20, 0, /*  0: sport >= lo ? ->8 : ->20 */
		0,                 0,  0x40, 0x1f,
		INET_DIAG_BC_S_LE, 8,  12, 0, /*  8: sport <= hi ? ->16 : ->20 */
		0,                 0,  0xa4, 0x1f,
		INET_DIAG_BC_JMP,  4,  20, 0, /* 16: always ->36 (end: accept) */
		INET_DIAG_BC_D_GE, 8,  20, 0, /* 20: dport >= lo ? ->28 : ->40 (reject) */
		0,                 0,  0x40, 0x1f,
		INET_DIAG_BC_D_LE, 8,  12, 0, /* 28: dport <= hi ? ->36 (accept) : ->40 (reject) */
		0,                 0,  0xa4, 0x1f,
	};
	/* clang-format on */
	CHECK(memcmp(bc, want, sizeof want) == 0);
	for (size_t i = 0; i < sizeof want; i++)
		if (bc[i] != want[i]) {
			char m[64];
			snprintf(m, sizeof m, "byte %zu is %u, want %u", i, bc[i], want[i]);
			test_fail(__FILE__, __LINE__, m);
		}
#endif
	/* nothing written past the program */
	for (size_t i = 36; i < sizeof bc; i++)
		CHECK_INT(bc[i], 0xAA);
	/* the same through the struct, independent of byte order */
	CHECK_INT(op_at(bc, 0).code, INET_DIAG_BC_S_GE);
	CHECK_INT(op_at(bc, 4).no, 8000);
	CHECK_INT(op_at(bc, 12).no, 8100);
	CHECK_INT(op_at(bc, 16).code, INET_DIAG_BC_JMP);
	CHECK_INT(op_at(bc, 24).no, 8000);
	CHECK_INT(op_at(bc, 32).no, 8100);
}

TEST(sockdiag_port_bytecode_small_buffer)
{
	struct ps_portspec p = {.lo = 1, .hi = 2, .protos = 3};
	uint8_t bc[64];
	memset(bc, 0x55, sizeof bc);
	CHECK_INT(sockdiag_port_bytecode(&p, bc, 35), 0);
	CHECK_INT(sockdiag_port_bytecode(&p, bc, 0), 0);
	for (size_t i = 0; i < sizeof bc; i++)
		CHECK_INT(bc[i], 0x55); /* untouched */
	CHECK_INT(sockdiag_port_bytecode(&p, bc, 36), 36);
}

static bool in_range(uint16_t v, const struct ps_portspec *p)
{
	return v >= p->lo && v <= p->hi;
}

/* Accepts exactly the sockets with the local or the remote port in range, and passes the verifier.
 */
TEST(sockdiag_port_bytecode_semantics)
{
	static const struct ps_portspec specs[] = {
	    {8000, 8100, 3}, {22, 22, 1},	{0, 0, 3},     {0, 10, 3},
	    {1, 65535, 2},   {65535, 65535, 3}, {0, 65535, 3},
	};
	for (size_t s = 0; s < sizeof specs / sizeof specs[0]; s++) {
		const struct ps_portspec *p = &specs[s];
		uint8_t bc[64];
		int n = (int)sockdiag_port_bytecode(p, bc, sizeof bc);
		CHECK_INT(n, 36);
		CHECK(bc_audit(bc, n));
		/* ports around both edges, on both sides */
		uint16_t probe[12];
		size_t np = 0;
		probe[np++] = 0;
		probe[np++] = 1;
		probe[np++] = 65535;
		probe[np++] = 65534;
		probe[np++] = p->lo;
		probe[np++] = p->hi;
		probe[np++] = (uint16_t)(p->lo - 1);
		probe[np++] = (uint16_t)(p->hi + 1);
		probe[np++] = (uint16_t)(p->lo + (p->hi - p->lo) / 2);
		probe[np++] = 443;
		probe[np++] = 8050;
		probe[np++] = 40000;
		for (size_t i = 0; i < np; i++)
			for (size_t j = 0; j < np; j++) {
				int got = bc_run(bc, n, probe[i], probe[j]);
				int want = in_range(probe[i], p) || in_range(probe[j], p);
				if (got != want) {
					char m[128];
					snprintf(m, sizeof m,
						 "range %u-%u sport %u dport %u: run %d, want %d",
						 p->lo, p->hi, probe[i], probe[j], got, want);
					test_fail(__FILE__, __LINE__, m);
				}
			}
	}
	/* the named cases, spelled out */
	struct ps_portspec p = {8000, 8100, 3};
	uint8_t bc[64];
	int n = (int)sockdiag_port_bytecode(&p, bc, sizeof bc);
	CHECK_INT(bc_run(bc, n, 8000, 0), 1);	  /* local, low edge */
	CHECK_INT(bc_run(bc, n, 8100, 0), 1);	  /* local, high edge */
	CHECK_INT(bc_run(bc, n, 7999, 0), 0);	  /* local below */
	CHECK_INT(bc_run(bc, n, 8101, 0), 0);	  /* local above */
	CHECK_INT(bc_run(bc, n, 40000, 8050), 1); /* remote inside */
	CHECK_INT(bc_run(bc, n, 40000, 7999), 0); /* remote below */
	CHECK_INT(bc_run(bc, n, 40000, 8101), 0); /* remote above */
	CHECK_INT(bc_run(bc, n, 7999, 8000), 1);  /* local out, remote in */
	CHECK_INT(bc_run(bc, n, 8101, 9000), 0);  /* both out, local above */
}

/* ---------------------------------------------------------------- message building */

struct diag {
	uint8_t family, state;
	uint8_t src[16], dst[16];
	uint16_t sport, dport;
	uint32_t ifindex, rq, wq, uid, inode;
};

/* Append one SOCK_DIAG_BY_FAMILY message at `at`; returns the next aligned offset. */
static size_t put_diag(uint8_t *buf, size_t at, const struct diag *x)
{
	struct nlmsghdr h = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct inet_diag_msg)),
			     .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			     .nlmsg_flags = NLM_F_MULTI,
			     .nlmsg_seq = 1};
	struct inet_diag_msg d;
	memset(&d, 0, sizeof d);
	d.idiag_family = x->family;
	d.idiag_state = x->state;
	d.id.idiag_sport = htons(x->sport);
	d.id.idiag_dport = htons(x->dport);
	memcpy(d.id.idiag_src, x->src, sizeof x->src);
	memcpy(d.id.idiag_dst, x->dst, sizeof x->dst);
	d.id.idiag_if = x->ifindex;
	d.idiag_rqueue = x->rq;
	d.idiag_wqueue = x->wq;
	d.idiag_uid = x->uid;
	d.idiag_inode = x->inode;
	memcpy(buf + at, &h, sizeof h);
	memcpy(buf + at + NLMSG_HDRLEN, &d, sizeof d);
	return at + NLMSG_ALIGN(h.nlmsg_len);
}

static size_t put_done(uint8_t *buf, size_t at, int err)
{
	struct nlmsghdr h = {.nlmsg_len = NLMSG_LENGTH(sizeof(int)),
			     .nlmsg_type = NLMSG_DONE,
			     .nlmsg_flags = NLM_F_MULTI,
			     .nlmsg_seq = 1};
	memcpy(buf + at, &h, sizeof h);
	memcpy(buf + at + NLMSG_HDRLEN, &err, sizeof err);
	return at + NLMSG_ALIGN(h.nlmsg_len);
}

static size_t put_error(uint8_t *buf, size_t at, int err)
{
	struct nlmsghdr h = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct nlmsgerr)),
			     .nlmsg_type = NLMSG_ERROR,
			     .nlmsg_seq = 1};
	struct nlmsgerr e;
	memset(&e, 0, sizeof e);
	e.error = err;
	e.msg.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	memcpy(buf + at, &h, sizeof h);
	memcpy(buf + at + NLMSG_HDRLEN, &e, sizeof e);
	return at + NLMSG_ALIGN(h.nlmsg_len);
}

static const struct diag LISTEN4 = {
    .family = AF_INET,
    .state = PS_ST_LISTEN,
    .src = {127, 0, 0, 1},
    .sport = 8080,
    .ifindex = 0,
    .rq = 3,
    .wq = 128,
    .uid = 1000,
    .inode = 4242,
};
static const struct diag ESTAB4 = {
    .family = AF_INET,
    .state = PS_ST_ESTABLISHED,
    .src = {10, 1, 2, 3},
    .dst = {93, 184, 216, 34},
    .sport = 51000,
    .dport = 443,
    .ifindex = 2,
    .rq = 0,
    .wq = 17,
    .uid = 0,
    .inode = 777,
};
static const struct diag LISTEN6 = {
    .family = AF_INET6,
    .state = PS_ST_LISTEN,
    .src = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1},
    .sport = 22,
    .ifindex = 3,
    .uid = 0,
    .inode = 0xFFFFFFFFu,
};

/* Parse from an exact-size heap copy. */
static int parse_msg(const uint8_t *buf, size_t len, unsigned proto, struct ps_socket *k)
{
	char *in = tu_exact(buf, len);
	int rc = sockdiag_parse_msg(in, len, proto, k);
	free(in);
	return rc;
}

static int parse_batch(const uint8_t *buf, size_t len, unsigned proto, const struct ps_filter *f,
		       struct ps_snapshot *s)
{
	char *in = tu_exact(buf, len);
	int rc = sockdiag_parse_batch(in, len, proto, f, s);
	free(in);
	return rc;
}

/* ---------------------------------------------------------------- sockdiag_parse_msg */

TEST(sockdiag_parse_msg_inet)
{
	uint8_t buf[256];
	size_t n = put_diag(buf, 0, &ESTAB4);
	struct ps_socket k;
	memset(&k, 0xEE, sizeof k);
	CHECK_INT(parse_msg(buf, n, PS_TCP, &k), 0);
	static const uint8_t src[16] = {10, 1, 2, 3}, dst[16] = {93, 184, 216, 34};
	CHECK_INT(k.local.addr.family, PS_INET);
	CHECK_INT(k.remote.addr.family, PS_INET);
	CHECK(memcmp(k.local.addr.bytes, src, 16) == 0); /* bytes 4..15 cleared */
	CHECK(memcmp(k.remote.addr.bytes, dst, 16) == 0);
	CHECK_INT(k.local.port, 51000);
	CHECK_INT(k.remote.port, 443);
	CHECK_INT(k.ifindex, 2);
	CHECK_INT(k.proto, PS_TCP);
	CHECK_INT(k.state, PS_ST_ESTABLISHED);
	CHECK_INT(k.recv_q, 0);
	CHECK_INT(k.send_q, 17);
	CHECK_INT(k.uid, 0);
	CHECK_INT(k.inode, 777);
	CHECK_INT(k.owner_count, 0);
	CHECK_INT(k.owner_status, 0);
}

TEST(sockdiag_parse_msg_inet6)
{
	uint8_t buf[256];
	size_t n = put_diag(buf, 0, &LISTEN6);
	struct ps_socket k;
	CHECK_INT(parse_msg(buf, n, PS_UDP, &k), 0);
	CHECK_INT(k.local.addr.family, PS_INET6);
	CHECK(memcmp(k.local.addr.bytes, LISTEN6.src, 16) == 0);
	static const uint8_t zero[16] = {0};
	CHECK(memcmp(k.remote.addr.bytes, zero, 16) == 0);
	CHECK_INT(k.local.port, 22);
	CHECK_INT(k.remote.port, 0);
	CHECK_INT(k.proto, PS_UDP);
	CHECK_INT(k.ifindex, 3);
	CHECK(k.inode == 0xFFFFFFFFu);
}

TEST(sockdiag_parse_msg_bad)
{
	uint8_t buf[256];
	struct ps_socket k;
	size_t n = put_diag(buf, 0, &LISTEN4);
	/* short buffers, down to nothing */
	CHECK_INT(parse_msg(buf, n - 1, PS_TCP, &k), -EBADMSG);
	CHECK_INT(parse_msg(buf, NLMSG_HDRLEN, PS_TCP, &k), -EBADMSG);
	CHECK_INT(parse_msg(buf, 4, PS_TCP, &k), -EBADMSG);
	CHECK_INT(parse_msg(buf, 0, PS_TCP, &k), -EBADMSG);
	/* nlmsg_len claiming more than the buffer */
	struct nlmsghdr h;
	memcpy(&h, buf, sizeof h);
	h.nlmsg_len = (uint32_t)n + 4;
	memcpy(buf, &h, sizeof h);
	CHECK_INT(parse_msg(buf, n, PS_TCP, &k), -EBADMSG);
	/* nlmsg_len too short for an inet_diag_msg, though the buffer is long */
	h.nlmsg_len = NLMSG_LENGTH(sizeof(struct inet_diag_msg)) - 1;
	memcpy(buf, &h, sizeof h);
	CHECK_INT(parse_msg(buf, n, PS_TCP, &k), -EBADMSG);
	h.nlmsg_len = 0;
	memcpy(buf, &h, sizeof h);
	CHECK_INT(parse_msg(buf, n, PS_TCP, &k), -EBADMSG);
	/* unknown families */
	static const uint8_t fams[] = {AF_UNIX, AF_UNSPEC, AF_NETLINK, AF_PACKET, 255};
	for (size_t i = 0; i < sizeof fams; i++) {
		struct diag x = LISTEN4;
		x.family = fams[i];
		n = put_diag(buf, 0, &x);
		CHECK_INT(parse_msg(buf, n, PS_TCP, &k), -EBADMSG);
	}
}

TEST(sockdiag_parse_msg_state_out_of_range)
{
	uint8_t buf[256];
	struct ps_socket k;
	struct diag x = LISTEN4;
	x.state = PS_ST_MAX;
	CHECK_INT(parse_msg(buf, put_diag(buf, 0, &x), PS_TCP, &k), 0);
	CHECK_INT(k.state, 0);
	x.state = 255;
	CHECK_INT(parse_msg(buf, put_diag(buf, 0, &x), PS_TCP, &k), 0);
	CHECK_INT(k.state, 0);
	x.state = PS_ST_NEW_SYN_RECV;
	CHECK_INT(parse_msg(buf, put_diag(buf, 0, &x), PS_TCP, &k), 0);
	CHECK_INT(k.state, PS_ST_NEW_SYN_RECV);
}

/* ---------------------------------------------------------------- sockdiag_parse_batch */

TEST(sockdiag_parse_batch_messages_then_done)
{
	uint8_t buf[1024];
	size_t n = 0;
	n = put_diag(buf, n, &LISTEN4);
	n = put_diag(buf, n, &ESTAB4);
	n = put_diag(buf, n, &LISTEN6);
	n = put_done(buf, n, 0);
	struct ps_filter f;
	filter_init(&f);
	filter_all_states(&f);
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	CHECK_INT(parse_batch(buf, n, PS_TCP, &f, &s), 1);
	CHECK_INT(s.nsocks, 3);
	if (s.nsocks == 3) {
		CHECK_INT(s.socks[0].inode, 4242);
		CHECK_INT(s.socks[0].local.port, 8080);
		CHECK_INT(s.socks[0].recv_q, 3);
		CHECK_INT(s.socks[0].send_q, 128);
		CHECK_INT(s.socks[0].uid, 1000);
		CHECK_INT(s.socks[1].inode, 777);
		CHECK_INT(s.socks[1].remote.port, 443);
		CHECK_INT(s.socks[2].local.addr.family, PS_INET6);
		CHECK_INT(s.socks[2].proto, PS_TCP);
	}
	snap_free(&s);

	/* the default (listening) view drops the established one */
	filter_free(&f);
	filter_init(&f);
	CHECK_INT(parse_batch(buf, n, PS_TCP, &f, &s), 1);
	CHECK_INT(s.nsocks, 2);
	if (s.nsocks == 2) {
		CHECK_INT(s.socks[0].inode, 4242);
		CHECK_INT(s.socks[1].inode, 0xFFFFFFFFu);
	}
	snap_free(&s);
	filter_free(&f);
}

TEST(sockdiag_parse_batch_more_to_come)
{
	uint8_t buf[1024];
	size_t n = put_diag(buf, 0, &LISTEN4);
	n = put_diag(buf, n, &LISTEN6);
	struct ps_filter f;
	filter_init(&f);
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	CHECK_INT(parse_batch(buf, n, PS_TCP, &f, &s), 0); /* no NLMSG_DONE yet */
	CHECK_INT(s.nsocks, 2);
	/* the next recv() brings the end */
	size_t m = put_done(buf, 0, 0);
	CHECK_INT(parse_batch(buf, m, PS_TCP, &f, &s), 1);
	CHECK_INT(s.nsocks, 2);
	/* an empty read is not the end either */
	CHECK_INT(parse_batch(buf, 0, PS_TCP, &f, &s), 0);
	/* a message type we do not know is skipped */
	struct nlmsghdr noop = {.nlmsg_len = NLMSG_HDRLEN, .nlmsg_type = NLMSG_NOOP};
	memcpy(buf, &noop, sizeof noop);
	n = put_diag(buf, NLMSG_HDRLEN, &ESTAB4);
	n = put_done(buf, n, 0);
	filter_all_states(&f);
	CHECK_INT(parse_batch(buf, n, PS_TCP, &f, &s), 1);
	CHECK_INT(s.nsocks, 3);
	snap_free(&s);
	filter_free(&f);
}

TEST(sockdiag_parse_batch_kernel_errors)
{
	uint8_t buf[512];
	struct ps_filter f;
	filter_init(&f);
	filter_all_states(&f);
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	size_t n = put_error(buf, 0, -EPERM);
	CHECK_INT(parse_batch(buf, n, PS_TCP, &f, &s), -EPERM);
	n = put_error(buf, 0, -ENOENT);
	CHECK_INT(parse_batch(buf, n, PS_TCP, &f, &s), -ENOENT);
	/* an error after some sockets still fails the batch */
	n = put_diag(buf, 0, &LISTEN4);
	n = put_error(buf, n, -EINVAL);
	CHECK_INT(parse_batch(buf, n, PS_TCP, &f, &s), -EINVAL);
	/* an "error" of 0 (an ACK) or a positive one is not a dump reply */
	n = put_error(buf, 0, 0);
	CHECK_INT(parse_batch(buf, n, PS_TCP, &f, &s), -EBADMSG);
	n = put_error(buf, 0, 5);
	CHECK_INT(parse_batch(buf, n, PS_TCP, &f, &s), -EBADMSG);
	/* an error message too short to hold the code */
	struct nlmsghdr h = {.nlmsg_len = NLMSG_HDRLEN + 2, .nlmsg_type = NLMSG_ERROR};
	memset(buf, 0, sizeof buf);
	memcpy(buf, &h, sizeof h);
	CHECK_INT(parse_batch(buf, NLMSG_ALIGN(h.nlmsg_len), PS_TCP, &f, &s), -EBADMSG);
	/* NLMSG_DONE carrying an error (a dump interrupted in the kernel) */
	n = put_done(buf, 0, -EINTR);
	CHECK_INT(parse_batch(buf, n, PS_TCP, &f, &s), -EINTR);
	/* a bare NLMSG_DONE without the error word */
	struct nlmsghdr d = {.nlmsg_len = NLMSG_HDRLEN, .nlmsg_type = NLMSG_DONE};
	memcpy(buf, &d, sizeof d);
	CHECK_INT(parse_batch(buf, NLMSG_HDRLEN, PS_TCP, &f, &s), 1);
	snap_free(&s);
	filter_free(&f);
}

TEST(sockdiag_parse_batch_truncated)
{
	uint8_t buf[1024];
	size_t one = put_diag(buf, 0, &LISTEN4);
	size_t n = put_diag(buf, one, &LISTEN6);
	struct ps_filter f;
	filter_init(&f);
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	/* the second message cut anywhere: its header says more than there is */
	for (size_t cut = one + NLMSG_HDRLEN; cut < n; cut += 7) {
		CHECK_INT(parse_batch(buf, cut, PS_TCP, &f, &s), -EBADMSG);
		snap_free(&s);
	}
	/* cut inside the second header: a truncated message too */
	for (size_t cut = one + 1; cut < one + NLMSG_HDRLEN; cut++) {
		CHECK_INT(parse_batch(buf, cut, PS_TCP, &f, &s), -EBADMSG);
		snap_free(&s);
	}
	/* a lone partial header */
	CHECK_INT(parse_batch(buf, 8, PS_TCP, &f, &s), -EBADMSG);
	/* a header whose length cannot even hold itself (would loop forever) */
	struct nlmsghdr h = {.nlmsg_len = 0, .nlmsg_type = SOCK_DIAG_BY_FAMILY};
	memcpy(buf, &h, sizeof h);
	CHECK_INT(parse_batch(buf, 64, PS_TCP, &f, &s), -EBADMSG);
	h.nlmsg_len = NLMSG_HDRLEN - 1;
	memcpy(buf, &h, sizeof h);
	CHECK_INT(parse_batch(buf, 64, PS_TCP, &f, &s), -EBADMSG);
	/* a diag message too short for its payload */
	h.nlmsg_len = NLMSG_LENGTH(8);
	memcpy(buf, &h, sizeof h);
	CHECK_INT(parse_batch(buf, NLMSG_ALIGN(h.nlmsg_len), PS_TCP, &f, &s), -EBADMSG);
	CHECK_INT(s.nsocks, 0);
	snap_free(&s);
	filter_free(&f);
}

TEST(sockdiag_parse_batch_unknown_family)
{
	uint8_t buf[1024];
	struct diag x = LISTEN4;
	x.family = AF_UNIX;
	size_t n = put_diag(buf, 0, &LISTEN4);
	n = put_diag(buf, n, &x);
	n = put_done(buf, n, 0);
	struct ps_filter f;
	filter_init(&f);
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	CHECK_INT(parse_batch(buf, n, PS_TCP, &f, &s), -EBADMSG);
	snap_free(&s);
	filter_free(&f);
}

TEST(sockdiag_parse_batch_all_filtered_out)
{
	uint8_t buf[1024];
	size_t n = put_diag(buf, 0, &LISTEN4); /* port 8080, v4 */
	n = put_diag(buf, n, &ESTAB4);	       /* 51000 -> 443 */
	n = put_diag(buf, n, &LISTEN6);	       /* port 22, v6 */
	n = put_done(buf, n, 0);
	struct ps_filter f;
	filter_init(&f);
	filter_all_states(&f);
	struct ps_portspec p;
	const char *why;
	CHECK_INT(filter_parse_port("9000-9100", &p, &why), 0);
	CHECK_INT(filter_add_port(&f, &p), 0);
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	CHECK_INT(parse_batch(buf, n, PS_TCP, &f, &s), 1);
	CHECK_INT(s.nsocks, 0);
	/* a UDP-only port spec drops the TCP dump's sockets even on a matching port */
	filter_free(&f);
	filter_init(&f);
	filter_all_states(&f);
	CHECK_INT(filter_parse_port("8080/udp", &p, &why), 0);
	CHECK_INT(filter_add_port(&f, &p), 0);
	CHECK_INT(parse_batch(buf, n, PS_TCP, &f, &s), 1);
	CHECK_INT(s.nsocks, 0);
	/* the family filter */
	filter_free(&f);
	filter_init(&f);
	f.families = PS_FAM_BIT(PS_INET6);
	CHECK_INT(parse_batch(buf, n, PS_TCP, &f, &s), 1);
	CHECK_INT(s.nsocks, 1);
	if (s.nsocks == 1)
		CHECK_INT(s.socks[0].local.port, 22);
	/* the remote side counts for ports */
	filter_free(&f);
	filter_init(&f);
	filter_all_states(&f);
	CHECK_INT(filter_parse_port("443", &p, &why), 0);
	CHECK_INT(filter_add_port(&f, &p), 0);
	CHECK_INT(parse_batch(buf, n, PS_TCP, &f, &s), 1);
	CHECK_INT(s.nsocks, 2);
	if (s.nsocks == 2)
		CHECK_INT(s.socks[1].inode, 777);
	snap_free(&s);
	filter_free(&f);
}

/* Many sockets in one read: the snapshot grows past its first allocation. */
TEST(sockdiag_parse_batch_large)
{
	size_t per = NLMSG_ALIGN(NLMSG_LENGTH(sizeof(struct inet_diag_msg)));
	size_t count = 600;
	uint8_t *buf = calloc(count + 1, per);
	CHECK(buf != NULL);
	if (!buf)
		return;
	size_t n = 0;
	for (size_t i = 0; i < count; i++) {
		struct diag x = LISTEN4;
		x.sport = (uint16_t)(1000 + i);
		x.inode = (uint32_t)(i + 1);
		n = put_diag(buf, n, &x);
	}
	n = put_done(buf, n, 0);
	struct ps_filter f;
	filter_init(&f);
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	CHECK_INT(parse_batch(buf, n, PS_TCP, &f, &s), 1);
	CHECK_INT(s.nsocks, count);
	bool ok = true;
	for (size_t i = 0; i < s.nsocks; i++)
		ok = ok && s.socks[i].inode == i + 1 && s.socks[i].local.port == 1000 + i;
	CHECK(ok);
	snap_free(&s);
	filter_free(&f);
	free(buf);
}

/* ---------------------------------------------------------------- attributes */

/* One SOCK_DIAG_BY_FAMILY message followed by `alen` bytes of attributes. */
static size_t put_diag_attrs(uint8_t *buf, const struct diag *x, const uint8_t *attrs, size_t alen)
{
	size_t n = put_diag(buf, 0, x);
	memcpy(buf + n, attrs, alen);
	struct nlmsghdr h;
	memcpy(&h, buf, sizeof h);
	h.nlmsg_len = (uint32_t)(n + alen);
	memcpy(buf, &h, sizeof h);
	return n + alen;
}

static size_t put_attr(uint8_t *a, size_t at, uint16_t type, const void *data, size_t len)
{
	struct nlattr h = {.nla_len = (uint16_t)(NLA_HDRLEN + len), .nla_type = type};
	memcpy(a + at, &h, sizeof h);
	memset(a + at + NLA_HDRLEN, 0, NLA_ALIGN(len));
	memcpy(a + at + NLA_HDRLEN, data, len);
	return at + NLA_HDRLEN + NLA_ALIGN(len);
}

TEST(sockdiag_parse_msg_attributes)
{
	uint8_t buf[512], a[128];
	struct ps_socket k;
	uint8_t one = 1, zero = 0;
	uint64_t cg = 0x0123456789abcdefULL;
	uint32_t mark = 7;

	/* IPv6 listener: v6only set, cgroup id, and an attribute we do not use */
	size_t al = put_attr(a, 0, INET_DIAG_MARK, &mark, 4);
	al = put_attr(a, al, INET_DIAG_SKV6ONLY, &one, 1);
	al = put_attr(a, al, INET_DIAG_CGROUP_ID, &cg, 8);
	size_t n = put_diag_attrs(buf, &LISTEN6, a, al);
	CHECK_INT(parse_msg(buf, n, PS_TCP, &k), 0);
	CHECK_INT(k.v6only, PS_V6ONLY_YES);
	CHECK(lnx_sock_cgroup_id(&k) == cg);
	CHECK_INT(k.local.port, 22);

	al = put_attr(a, 0, INET_DIAG_SKV6ONLY, &zero, 1);
	n = put_diag_attrs(buf, &LISTEN6, a, al);
	CHECK_INT(parse_msg(buf, n, PS_TCP, &k), 0);
	CHECK_INT(k.v6only, PS_V6ONLY_NO);
	CHECK(lnx_sock_cgroup_id(&k) == 0);

	/* no attribute: unknown */
	n = put_diag(buf, 0, &LISTEN6);
	CHECK_INT(parse_msg(buf, n, PS_TCP, &k), 0);
	CHECK_INT(k.v6only, PS_V6ONLY_UNKNOWN);

	/* v6only means nothing for IPv4 */
	al = put_attr(a, 0, INET_DIAG_SKV6ONLY, &one, 1);
	n = put_diag_attrs(buf, &LISTEN4, a, al);
	CHECK_INT(parse_msg(buf, n, PS_TCP, &k), 0);
	CHECK_INT(k.v6only, PS_V6ONLY_UNKNOWN);

	/* a cgroup id too short to hold one is ignored */
	uint32_t half = 5;
	al = put_attr(a, 0, INET_DIAG_CGROUP_ID, &half, 4);
	n = put_diag_attrs(buf, &LISTEN6, a, al);
	CHECK_INT(parse_msg(buf, n, PS_TCP, &k), 0);
	CHECK(lnx_sock_cgroup_id(&k) == 0);
	/* an empty v6only attribute is ignored */
	al = put_attr(a, 0, INET_DIAG_SKV6ONLY, &one, 0);
	n = put_diag_attrs(buf, &LISTEN6, a, al);
	CHECK_INT(parse_msg(buf, n, PS_TCP, &k), 0);
	CHECK_INT(k.v6only, PS_V6ONLY_UNKNOWN);
}

TEST(sockdiag_parse_msg_hostile_attributes)
{
	uint8_t buf[512], a[128];
	struct ps_socket k;
	uint8_t one = 1;
	/* nla_len 0 first: must stop, not loop forever; later attributes are not trusted */
	memset(a, 0, sizeof a);
	size_t al = put_attr(a, 8, INET_DIAG_SKV6ONLY, &one, 1);
	size_t n = put_diag_attrs(buf, &LISTEN6, a, al);
	CHECK_INT(parse_msg(buf, n, PS_TCP, &k), 0);
	CHECK_INT(k.v6only, PS_V6ONLY_UNKNOWN);
	CHECK_INT(k.local.port, 22);
	/* nla_len beyond the message */
	struct nlattr big = {.nla_len = 200, .nla_type = INET_DIAG_SKV6ONLY};
	memcpy(a, &big, sizeof big);
	a[4] = 1;
	n = put_diag_attrs(buf, &LISTEN6, a, 8);
	CHECK_INT(parse_msg(buf, n, PS_TCP, &k), 0);
	CHECK_INT(k.v6only, PS_V6ONLY_UNKNOWN);
	/* a cgroup id attribute claiming 8 bytes with only 4 in the message */
	uint64_t cg = 99;
	al = put_attr(a, 0, INET_DIAG_CGROUP_ID, &cg, 8);
	n = put_diag_attrs(buf, &LISTEN6, a, al - 4);
	CHECK_INT(parse_msg(buf, n, PS_TCP, &k), 0);
	CHECK(lnx_sock_cgroup_id(&k) == 0);
	/* a partial attribute header at the end */
	al = put_attr(a, 0, INET_DIAG_SKV6ONLY, &one, 1);
	n = put_diag_attrs(buf, &LISTEN6, a, al + 2);
	CHECK_INT(parse_msg(buf, n, PS_TCP, &k), 0);
	CHECK_INT(k.v6only, PS_V6ONLY_YES);
	/* random attribute bytes never crash nor read outside the message */
	uint64_t st = 5;
	for (int t = 0; t < 3000; t++) {
		size_t len = tu_rand(&st) % 64;
		for (size_t i = 0; i < len; i++)
			a[i] = (uint8_t)tu_rand(&st);
		if (len >= 2 && (tu_rand(&st) & 1))
			a[0] = (uint8_t)(len - (tu_rand(&st) % 3)),
			a[1] = 0; /* plausible nla_len */
		n = put_diag_attrs(buf, &LISTEN6, a, len);
		CHECK_INT(parse_msg(buf, n, PS_TCP, &k), 0);
		CHECK(k.v6only <= PS_V6ONLY_NO);
	}
}

/* INET_DIAG_CGROUP_ID in a dump reply lands in the socket's cgroup id (ext.h), after any other
 * attribute. */
TEST(sockdiag_cgroup_id_attribute)
{
	unsigned char msg[NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct inet_diag_msg)) + 8 + 12];
	memset(msg, 0, sizeof msg);
	struct nlmsghdr h = {.nlmsg_len = sizeof msg, .nlmsg_type = SOCK_DIAG_BY_FAMILY};
	memcpy(msg, &h, sizeof h);
	struct inet_diag_msg d = {.idiag_family = AF_INET, .idiag_state = 10, .idiag_inode = 77};
	memcpy(msg + NLMSG_HDRLEN, &d, sizeof d);
	size_t at = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof d);
	struct nlattr a = {.nla_len = NLA_HDRLEN + 1,
			   .nla_type = INET_DIAG_SKV6ONLY}; /* first, padded to 8 */
	memcpy(msg + at, &a, sizeof a);
	at += 8;
	a = (struct nlattr){.nla_len = NLA_HDRLEN + 8, .nla_type = INET_DIAG_CGROUP_ID};
	memcpy(msg + at, &a, sizeof a);
	uint64_t id = 0x1234567890ULL;
	memcpy(msg + at + NLA_HDRLEN, &id, 8);
	char *in = tu_exact(msg, sizeof msg);
	struct ps_socket k;
	CHECK_INT(sockdiag_parse_msg(in, sizeof msg, PS_TCP, &k), 0);
	CHECK(lnx_sock_cgroup_id(&k) == id);
	CHECK_INT(k.inode, 77);
	/* an attribute claiming more than the message holds is ignored, not read */
	a.nla_len = NLA_HDRLEN + 64;
	memcpy(in + at, &a, sizeof a);
	CHECK_INT(sockdiag_parse_msg(in, sizeof msg, PS_TCP, &k), 0);
	CHECK(lnx_sock_cgroup_id(&k) == 0);
	free(in);
}

/* A loop that is not nl_dump's (the firewall's, through libmnl) learns of NLM_F_DUMP_INTR from
 * nl_take_dump_intr, which clears it on every message (libmnl would stop there) and nowhere else.
 */
TEST(nldump_take_dump_intr)
{
	uint8_t buf[1024], clean[1024];
	size_t n = put_diag(buf, 0, &LISTEN4);
	size_t second = n;
	n = put_diag(buf, n, &ESTAB4);
	n = put_done(buf, n, 0);
	memcpy(clean, buf, n);
	CHECK(!nl_take_dump_intr(buf, n));
	CHECK(memcmp(buf, clean, n) == 0);

	struct nlmsghdr h;
	memcpy(&h, buf + second, sizeof h);
	h.nlmsg_flags |= NLM_F_DUMP_INTR;
	memcpy(buf + second, &h, sizeof h);
	CHECK(nl_take_dump_intr(buf, n));
	CHECK(memcmp(buf, clean, n) == 0); /* cleared, and nothing else touched */
	CHECK(!nl_take_dump_intr(buf, n));

	/* a truncated datagram: the whole messages before the cut are still looked at */
	memcpy(&h, buf, sizeof h);
	h.nlmsg_flags |= NLM_F_DUMP_INTR;
	memcpy(buf, &h, sizeof h);
	CHECK(nl_take_dump_intr(buf, second + 3));
	CHECK(memcmp(buf, clean, n) == 0);
}
