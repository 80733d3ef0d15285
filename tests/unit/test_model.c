/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_model.c — inode index, owner grouping, sorting, retaining, names and addresses. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/model/model.h"
#include "test.h"
#include "testutil.h"

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		abort();
	return d;
}

static struct ps_socket *add_sock(struct ps_snapshot *s, unsigned proto, unsigned family,
				  uint16_t lport, uint64_t inode)
{
	struct ps_socket *k = snap_add_socket(s);
	CHECK(k != NULL);
	if (!k)
		abort();
	k->proto = (uint8_t)proto;
	k->local.addr.family = k->remote.addr.family = (uint8_t)family;
	k->local.port = lport;
	k->state = proto == PS_TCP ? PS_ST_LISTEN : PS_ST_CLOSE;
	k->inode = inode;
	return k;
}

/* ---------------------------------------------------------------- inode index */

TEST(inode_index_many)
{
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	const size_t n = 20000;
	for (size_t i = 0; i < n; i++) {
		/* every 7th socket has no file (inode 0); the others spread over 64 bits */
		uint64_t ino = i % 7 == 3 ? 0 : (uint64_t)(i + 1) * 0x9E3779B97F4A7C15ULL;
		add_sock(&s, PS_TCP, PS_INET, (uint16_t)i, ino);
	}
	struct ps_inode_index ix;
	CHECK_INT(inode_index_build(&ix, &s), 0);
	size_t bad = 0;
	for (size_t i = 0; i < n; i++) {
		if (!s.socks[i].inode)
			continue;
		if (inode_index_find(&ix, s.socks[i].inode) != (long)i)
			bad++;
	}
	CHECK_INT(bad, 0);
	/* absent inodes, and 0 which is never indexed */
	CHECK_INT(inode_index_find(&ix, 0), -1);
	CHECK_INT(inode_index_find(&ix, 1), -1);
	CHECK_INT(inode_index_find(&ix, 0x9E3779B97F4A7C15ULL * (n + 5)), -1);
	CHECK_INT(inode_index_find(&ix, UINT64_MAX), -1);
	/* the table stays at most three quarters full, so lookups of absent keys end soon */
	CHECK(4 * n <= 3 * (ix.mask + 1));
	inode_index_free(&ix);
	CHECK(ix.keys == NULL && ix.vals == NULL);
	CHECK_INT(inode_index_find(&ix, s.socks[0].inode), -1); /* freed index finds nothing */
	snap_free(&s);
}

/* The same mixer as model.c, to build keys that land in the same slot. */
static size_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x;
}

TEST(inode_index_collisions)
{
	/* 7 sockets give a 16-slot table; pick 7 inodes hashing to slot 5 */
	uint64_t keys[7];
	size_t nk = 0;
	for (uint64_t ino = 1; nk < 7; ino++)
		if ((mix(ino) & 15) == 5)
			keys[nk++] = ino;
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	for (size_t i = 0; i < 7; i++)
		add_sock(&s, PS_TCP, PS_INET, 1, keys[i]);
	struct ps_inode_index ix;
	CHECK_INT(inode_index_build(&ix, &s), 0);
	CHECK_INT(ix.mask, 15);
	for (size_t i = 0; i < 7; i++)
		CHECK_INT(inode_index_find(&ix, keys[i]), (long)i);
	/* another key for the same slot, not in the table: probing stops at a free slot */
	uint64_t other = keys[6] + 1;
	while ((mix(other) & 15) != 5)
		other++;
	CHECK_INT(inode_index_find(&ix, other), -1);
	/* keys that hash to the end of the table wrap around */
	inode_index_free(&ix);
	snap_free(&s);

	memset(&s, 0, sizeof s);
	nk = 0;
	for (uint64_t ino = 1; nk < 5; ino++)
		if ((mix(ino) & 15) == 15)
			keys[nk++] = ino;
	for (size_t i = 0; i < 5; i++)
		add_sock(&s, PS_UDP, PS_INET6, 2, keys[i]);
	CHECK_INT(inode_index_build(&ix, &s), 0);
	for (size_t i = 0; i < 5; i++)
		CHECK_INT(inode_index_find(&ix, keys[i]), (long)i);
	inode_index_free(&ix);
	snap_free(&s);
}

TEST(inode_index_empty_and_zero)
{
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	struct ps_inode_index ix;
	CHECK_INT(inode_index_build(&ix, &s), 0);
	CHECK_INT(inode_index_find(&ix, 5), -1);
	inode_index_free(&ix);
	/* only inode-0 sockets: nothing indexed, and 0 is never found */
	for (int i = 0; i < 40; i++)
		add_sock(&s, PS_TCP, PS_INET, 1, 0);
	CHECK_INT(inode_index_build(&ix, &s), 0);
	CHECK_INT(inode_index_find(&ix, 0), -1);
	size_t used = 0;
	for (size_t i = 0; i <= ix.mask; i++)
		used += ix.keys[i] != 0;
	CHECK_INT(used, 0);
	inode_index_free(&ix);
	inode_index_free(&ix); /* twice is harmless */
	snap_free(&s);
}

/* ---------------------------------------------------------------- owners */

TEST(snap_group_owners_orders_and_counts)
{
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	for (int i = 0; i < 4; i++)
		add_sock(&s, PS_TCP, PS_INET, (uint16_t)(100 + i), (uint64_t)(10 + i));
	long a = snap_add_proc(&s, 300), b = snap_add_proc(&s, 20), c = snap_add_proc(&s, 1000);
	CHECK(a == 0 && b == 1 && c == 2);
	CHECK_INT(s.procs[0].ppid, -1);
	CHECK_INT(s.procs[0].start_time, -1);
	/* added in a scrambled order */
	CHECK_INT(snap_add_owner(&s, 3, 0, 9), 0);
	CHECK_INT(snap_add_owner(&s, 0, 0, 5), 0);
	CHECK_INT(snap_add_owner(&s, 3, 1, 4), 0);
	CHECK_INT(snap_add_owner(&s, 0, 2, 3), 0);
	CHECK_INT(snap_add_owner(&s, 0, 0, 1), 0);
	CHECK_INT(snap_add_owner(&s, 3, 0, 2), 0);
	CHECK_INT(s.owners[0].pid, 300); /* the pid is copied in */
	snap_group_owners(&s);
	/* socket 0: pid 300 fd 1, pid 300 fd 5, pid 1000 fd 3 */
	CHECK_INT(s.socks[0].owner_count, 3);
	CHECK_INT(s.socks[0].owner_first, 0);
	CHECK_INT(snap_owner(&s, &s.socks[0], 0)->fd, 1);
	CHECK_INT(snap_owner(&s, &s.socks[0], 1)->fd, 5);
	CHECK_INT(snap_owner(&s, &s.socks[0], 2)->pid, 1000);
	CHECK_INT(s.socks[1].owner_count, 0);
	CHECK_INT(s.socks[2].owner_count, 0);
	/* socket 3: pid 20 fd 4, pid 300 fd 2, pid 300 fd 9 */
	CHECK_INT(s.socks[3].owner_count, 3);
	CHECK_INT(s.socks[3].owner_first, 3);
	CHECK_INT(snap_owner(&s, &s.socks[3], 0)->pid, 20);
	CHECK_INT(snap_owner(&s, &s.socks[3], 1)->fd, 2);
	CHECK_INT(snap_owner(&s, &s.socks[3], 2)->fd, 9);
	for (size_t i = 0; i < s.nowners; i++)
		CHECK_INT(s.procs[s.owners[i].proc].pid, s.owners[i].pid);
	/* grouping again changes nothing */
	snap_group_owners(&s);
	CHECK_INT(s.socks[3].owner_first, 3);
	CHECK_INT(s.socks[0].owner_count, 3);
	snap_free(&s);
}

/* ---------------------------------------------------------------- sorting */

/* Every owner's fd encodes the inode of the socket it was added for. */
static void check_owners_follow(const struct ps_snapshot *s)
{
	for (size_t i = 0; i < s->nsocks; i++) {
		const struct ps_socket *k = &s->socks[i];
		for (size_t j = 0; j < k->owner_count; j++) {
			const struct ps_owner *o = snap_owner(s, k, j);
			CHECK_INT(o->sock, i);
			CHECK_INT(o->fd / 10, k->inode);
		}
	}
}

TEST(snap_sort_keeps_owners_attached)
{
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	/* inode: proto, port, family */
	add_sock(&s, PS_UDP, PS_INET, 53, 1);
	add_sock(&s, PS_TCP, PS_INET6, 22, 2);
	add_sock(&s, PS_TCP, PS_INET, 443, 3);
	add_sock(&s, PS_TCP, PS_INET, 22, 4);
	struct ps_socket *e = add_sock(&s, PS_TCP, PS_INET, 22, 5); /* established, same local */
	e->state = PS_ST_ESTABLISHED;
	e->remote.addr.bytes[0] = 10;
	e->remote.port = 50000;
	add_sock(&s, PS_UDP, PS_INET, 5, 6);
	struct ps_socket *l = add_sock(&s, PS_TCP, PS_INET, 22, 7); /* 127.0.0.1:22 */
	l->local.addr.bytes[0] = 127;
	l->local.addr.bytes[3] = 1;
	long p1 = snap_add_proc(&s, 100), p2 = snap_add_proc(&s, 200);
	CHECK(p1 == 0 && p2 == 1);
	/* owners: fd = inode * 10 + n */
	CHECK_INT(snap_add_owner(&s, 0, 0, 10), 0);
	CHECK_INT(snap_add_owner(&s, 1, 1, 20), 0);
	CHECK_INT(snap_add_owner(&s, 1, 0, 21), 0);
	CHECK_INT(snap_add_owner(&s, 3, 0, 40), 0);
	CHECK_INT(snap_add_owner(&s, 4, 1, 50), 0);
	CHECK_INT(snap_add_owner(&s, 6, 1, 70), 0);
	CHECK_INT(snap_add_owner(&s, 6, 0, 71), 0);
	snap_group_owners(&s);
	snap_sort(&s);
	/*
	 * TCP first, by local port, then family and addresses:
	 *   22 v4 0.0.0.0 listen (4), 22 v4 0.0.0.0 -> 10.0.0.0:50000 estab (5),
	 *   22 v4 127.0.0.1 (7), 22 v6 (2), 443 (3); then UDP 5 (6), 53 (1).
	 */
	static const uint64_t want[] = {4, 5, 7, 2, 3, 6, 1};
	CHECK_INT(s.nsocks, 7);
	for (size_t i = 0; i < 7; i++)
		CHECK_INT(s.socks[i].inode, want[i]);
	check_owners_follow(&s);
	CHECK_INT(s.socks[0].owner_count, 1);		     /* inode 4 */
	CHECK_INT(s.socks[1].owner_count, 1);		     /* inode 5 */
	CHECK_INT(s.socks[2].owner_count, 2);		     /* inode 7 */
	CHECK_INT(s.socks[3].owner_count, 2);		     /* inode 2 */
	CHECK_INT(s.socks[4].owner_count, 0);		     /* inode 3 */
	CHECK_INT(snap_owner(&s, &s.socks[2], 0)->pid, 100); /* pid order within a socket */
	CHECK_INT(snap_owner(&s, &s.socks[2], 1)->pid, 200);
	snap_free(&s);
}

TEST(snap_sort_listen_before_established_and_big)
{
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	/* many sockets in reverse order, each with one owner */
	long p = snap_add_proc(&s, 1);
	CHECK_INT(p, 0);
	const size_t n = 3000;
	for (size_t i = 0; i < n; i++) {
		add_sock(&s, PS_TCP, PS_INET, (uint16_t)(n - i), (uint64_t)(i + 1));
		CHECK_INT(snap_add_owner(&s, (uint32_t)i, 0, (int32_t)((i + 1) * 10)), 0);
	}
	snap_group_owners(&s);
	snap_sort(&s);
	bool ordered = true;
	for (size_t i = 1; i < n; i++)
		ordered = ordered && s.socks[i - 1].local.port < s.socks[i].local.port;
	CHECK(ordered);
	check_owners_follow(&s);
	snap_free(&s);

	/* same endpoints: a listener sorts before other states */
	memset(&s, 0, sizeof s);
	struct ps_socket *a = add_sock(&s, PS_TCP, PS_INET, 80, 1);
	a->state = PS_ST_TIME_WAIT;
	add_sock(&s, PS_TCP, PS_INET, 80, 2);
	snap_sort(&s);
	CHECK_INT(s.socks[0].state, PS_ST_LISTEN);
	CHECK_INT(s.socks[1].state, PS_ST_TIME_WAIT);
	snap_free(&s);

	/* nothing, or one socket: nothing to do */
	memset(&s, 0, sizeof s);
	snap_sort(&s);
	add_sock(&s, PS_TCP, PS_INET, 80, 1);
	snap_sort(&s);
	CHECK_INT(s.socks[0].inode, 1);
	snap_free(&s);
}

/* ---------------------------------------------------------------- retain */

static bool keep_inode_set(const struct ps_snapshot *s, const struct ps_socket *k, const void *ctx)
{
	(void)s;
	for (const uint64_t *p = ctx; *p; p++)
		if (*p == k->inode)
			return true;
	return false;
}

static void named_proc(struct ps_snapshot *s, int pid, const char *name)
{
	long i = snap_add_proc(s, pid);
	CHECK(i >= 0);
	if (i < 0)
		abort();
	s->procs[i].name = xstrdup(name);
	s->procs[i].exe = xstrdup("/usr/bin/x");
	s->procs[i].cmdline = xstrdup("x");
	s->procs[i].cmdline_len = 1;
	s->procs[i].cgroup = xstrdup("/system.slice/x.service");
}

TEST(snap_retain_drops_sockets_owners_procs)
{
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	for (int i = 0; i < 5; i++)
		add_sock(&s, PS_TCP, PS_INET, (uint16_t)(1000 + i), (uint64_t)(i + 1));
	named_proc(&s, 10, "a"); /* holds 1 and 4 */
	named_proc(&s, 20, "b"); /* holds 2 only */
	named_proc(&s, 30, "c"); /* holds 4 and 5 */
	named_proc(&s, 40, "d"); /* holds nothing at all */
	CHECK_INT(snap_add_owner(&s, 0, 0, 10), 0);
	CHECK_INT(snap_add_owner(&s, 3, 0, 40), 0);
	CHECK_INT(snap_add_owner(&s, 1, 1, 20), 0);
	CHECK_INT(snap_add_owner(&s, 3, 2, 41), 0);
	CHECK_INT(snap_add_owner(&s, 4, 2, 50), 0);
	snap_group_owners(&s);

	/* keep inodes 4 and 3: socket 2 (inode 3) has no owner */
	static const uint64_t keep[] = {4, 3, 0};
	CHECK_INT(snap_retain(&s, keep_inode_set, keep), 0);
	CHECK_INT(s.nsocks, 2);
	CHECK_INT(s.socks[0].inode, 3); /* order kept */
	CHECK_INT(s.socks[1].inode, 4);
	CHECK_INT(s.nowners, 2);
	CHECK_INT(s.socks[0].owner_count, 0);
	CHECK_INT(s.socks[1].owner_count, 2);
	check_owners_follow(&s);
	/* a and c stay (in their order), b and d are gone (and freed: LeakSanitizer) */
	CHECK_INT(s.nprocs, 2);
	CHECK_STR(s.procs[0].name, "a");
	CHECK_STR(s.procs[1].name, "c");
	CHECK_STR(s.procs[snap_owner(&s, &s.socks[1], 0)->proc].name, "a");
	CHECK_STR(s.procs[snap_owner(&s, &s.socks[1], 1)->proc].name, "c");
	for (size_t i = 0; i < s.nowners; i++)
		CHECK_INT(s.procs[s.owners[i].proc].pid, s.owners[i].pid);

	/* keep nothing */
	static const uint64_t none[] = {0};
	CHECK_INT(snap_retain(&s, keep_inode_set, none), 0);
	CHECK_INT(s.nsocks, 0);
	CHECK_INT(s.nowners, 0);
	CHECK_INT(s.nprocs, 0);
	snap_free(&s);

	/* on an empty snapshot */
	memset(&s, 0, sizeof s);
	CHECK_INT(snap_retain(&s, keep_inode_set, keep), 0);
	CHECK_INT(s.nsocks, 0);
	snap_free(&s);
}

static bool keep_all(const struct ps_snapshot *s, const struct ps_socket *k, const void *ctx)
{
	(void)s, (void)k, (void)ctx;
	return true;
}

TEST(snap_retain_keep_all_is_identity_for_owned)
{
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	for (int i = 0; i < 3; i++)
		add_sock(&s, PS_UDP, PS_INET6, (uint16_t)i, (uint64_t)(i + 1));
	named_proc(&s, 7, "p");
	named_proc(&s, 8, "q");
	CHECK_INT(snap_add_owner(&s, 2, 1, 30), 0);
	CHECK_INT(snap_add_owner(&s, 0, 0, 10), 0);
	snap_group_owners(&s);
	CHECK_INT(snap_retain(&s, keep_all, NULL), 0);
	CHECK_INT(s.nsocks, 3);
	CHECK_INT(s.nprocs, 2);
	CHECK_INT(s.nowners, 2);
	check_owners_follow(&s);
	CHECK_STR(s.procs[snap_owner(&s, &s.socks[2], 0)->proc].name, "q");
	snap_free(&s);
}

TEST(snap_count_status_counts)
{
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	add_sock(&s, PS_TCP, PS_INET, 1, 1)->owner_status = PS_OWN_KERNEL;
	add_sock(&s, PS_TCP, PS_INET, 2, 2)->owner_status = PS_OWN_KERNEL;
	add_sock(&s, PS_TCP, PS_INET, 3, 3)->owner_status = PS_OWN_NOPERM;
	add_sock(&s, PS_TCP, PS_INET, 4, 4)->owner_status = PS_OWN_OK;
	s.unattributed[PS_OWN_VANISHED] = 99;
	snap_count_status(&s);
	CHECK_INT(s.unattributed[PS_OWN_OK], 1);
	CHECK_INT(s.unattributed[PS_OWN_NOPERM], 1);
	CHECK_INT(s.unattributed[PS_OWN_KERNEL], 2);
	CHECK_INT(s.unattributed[PS_OWN_VANISHED], 0);
	snap_free(&s);
}

/* ---------------------------------------------------------------- names */

TEST(state_names_and_labels)
{
	CHECK_STR(state_name(PS_TCP, PS_ST_LISTEN), "listen");
	CHECK_STR(state_label(PS_TCP, PS_ST_LISTEN), "LISTEN");
	CHECK_STR(state_name(PS_TCP, PS_ST_ESTABLISHED), "established");
	CHECK_STR(state_label(PS_TCP, PS_ST_ESTABLISHED), "ESTAB");
	CHECK_STR(state_name(PS_UDP, PS_ST_CLOSE), "unconn");
	CHECK_STR(state_label(PS_UDP, PS_ST_CLOSE), "UNCONN");
	CHECK_STR(state_name(PS_TCP, PS_ST_CLOSE), "close");
	CHECK_STR(state_label(PS_TCP, PS_ST_CLOSE), "CLOSE");
	CHECK_STR(state_name(PS_UDP, PS_ST_ESTABLISHED), "established");
	CHECK_STR(state_label(PS_UDP, PS_ST_ESTABLISHED), "ESTAB");
	CHECK_STR(state_name(PS_TCP, PS_ST_TIME_WAIT), "time-wait");
	CHECK_STR(state_label(PS_TCP, PS_ST_TIME_WAIT), "TIME-WAIT");
	CHECK_STR(state_name(PS_TCP, PS_ST_SYN_SENT), "syn-sent");
	CHECK_STR(state_name(PS_TCP, PS_ST_SYN_RECV), "syn-recv");
	CHECK_STR(state_name(PS_TCP, PS_ST_NEW_SYN_RECV), "syn-recv");
	CHECK_STR(state_name(PS_TCP, PS_ST_BOUND), "bound");
	CHECK_STR(state_label(PS_TCP, PS_ST_BOUND), "BOUND");
	CHECK_STR(state_label(PS_TCP, PS_ST_NEW_SYN_RECV), "SYN-RECV");
	CHECK_STR(state_name(PS_TCP, PS_ST_FIN_WAIT1), "fin-wait-1");
	CHECK_STR(state_label(PS_TCP, PS_ST_FIN_WAIT2), "FIN-WAIT-2");
	CHECK_STR(state_name(PS_TCP, PS_ST_CLOSE_WAIT), "close-wait");
	CHECK_STR(state_name(PS_TCP, PS_ST_LAST_ACK), "last-ack");
	CHECK_STR(state_label(PS_TCP, PS_ST_CLOSING), "CLOSING");
	CHECK_STR(state_name(PS_TCP, 0), "unknown");
	CHECK_STR(state_name(PS_TCP, PS_ST_MAX), "unknown");
	CHECK_STR(state_label(PS_UDP, 255), "UNKNOWN");
	CHECK_STR(state_name(7, 1000000), "unknown");
	/* every state has a name and a label */
	for (unsigned st = 0; st < PS_ST_MAX; st++) {
		CHECK(state_name(PS_TCP, st) != NULL && state_name(PS_TCP, st)[0]);
		CHECK(state_label(PS_TCP, st) != NULL && state_label(PS_TCP, st)[0]);
	}
	CHECK_STR(proto_name(PS_TCP), "tcp");
	CHECK_STR(proto_name(PS_UDP), "udp");
	CHECK_STR(proto_name(9), "?");
	CHECK_STR(owner_status_name(PS_OWN_OK), "ok");
	CHECK_STR(owner_status_name(PS_OWN_NOPERM), "no-permission");
	CHECK_STR(owner_status_name(PS_OWN_KERNEL), "kernel");
	CHECK_STR(owner_status_name(PS_OWN_VANISHED), "vanished");
	CHECK_STR(owner_status_name(PS_OWN__COUNT), "?");
}

/* ---------------------------------------------------------------- addresses */

static const char *fmt(unsigned family, const char *text, char *out, size_t outlen)
{
	struct ps_addr a;
	memset(&a, 0, sizeof a);
	a.family = (uint8_t)family;
	if (inet_pton(family == PS_INET ? AF_INET : AF_INET6, text, a.bytes) != 1)
		return "(bad test address)";
	return addr_format(&a, out, outlen);
}

TEST(addr_format_and_any)
{
	char b[64];
	CHECK_STR(fmt(PS_INET, "127.0.0.1", b, sizeof b), "127.0.0.1");
	CHECK_STR(fmt(PS_INET, "0.0.0.0", b, sizeof b), "0.0.0.0");
	CHECK_STR(fmt(PS_INET, "255.255.255.255", b, sizeof b), "255.255.255.255");
	CHECK_STR(fmt(PS_INET6, "::", b, sizeof b), "::");
	CHECK_STR(fmt(PS_INET6, "::1", b, sizeof b), "::1");
	CHECK_STR(fmt(PS_INET6, "2001:db8::1", b, sizeof b), "2001:db8::1");
	CHECK_STR(fmt(PS_INET6, "fe80::1:2", b, sizeof b), "fe80::1:2");
	CHECK_STR(fmt(PS_INET6, "::ffff:10.0.0.1", b, sizeof b), "::ffff:10.0.0.1");
	CHECK_STR(fmt(PS_INET6, "2001:db8:1:2:3:4:5:6", b, sizeof b), "2001:db8:1:2:3:4:5:6");
	/* the longest form fits INET6_ADDRSTRLEN */
	CHECK_STR(
	    fmt(PS_INET6, "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", b, INET6_ADDRSTRLEN),
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	/* too small a buffer: "?" rather than a cut address */
	char small[4];
	CHECK_STR(fmt(PS_INET, "127.0.0.1", small, sizeof small), "?");
	/* bytes beyond the first 4 do not leak into an IPv4 address */
	struct ps_addr a;
	memset(&a, 0xAB, sizeof a);
	a.family = PS_INET;
	a.bytes[0] = 1, a.bytes[1] = 2, a.bytes[2] = 3, a.bytes[3] = 4;
	CHECK_STR(addr_format(&a, b, sizeof b), "1.2.3.4");

	memset(&a, 0, sizeof a);
	a.family = PS_INET;
	CHECK(addr_is_any(&a));
	a.family = PS_INET6;
	CHECK(addr_is_any(&a));
	a.bytes[15] = 1;
	CHECK(!addr_is_any(&a));
	a.family = PS_INET; /* only the first 4 bytes count for IPv4 */
	CHECK(addr_is_any(&a));
	a.bytes[0] = 127;
	CHECK(!addr_is_any(&a));
}

TEST(owner_status_decides_why_there_is_no_owner)
{
	struct ps_socket k = {0};
	k.owner_count = 2;
	CHECK_INT(owner_status_of(&k, true, -1), PS_OWN_OK);
	k.owner_count = 0; /* time-wait: no inode, no file, nobody can hold it */
	CHECK_INT(owner_status_of(&k, true, -1), PS_OWN_KERNEL);
	k.inode = 4242;
	/* a process that could hold it (its uid's) refused its fd table */
	CHECK_INT(owner_status_of(&k, true, -1), PS_OWN_NOPERM);
	CHECK_INT(owner_status_of(&k, true, 1), PS_OWN_NOPERM);
	CHECK_INT(owner_status_of(&k, true, 0),
		  PS_OWN_VANISHED); /* gone on recheck: no holder left */
	/* nobody who could hold it refused (refusals elsewhere do not count) */
	CHECK_INT(owner_status_of(&k, false, -1), PS_OWN_VANISHED); /* before the recheck */
	CHECK_INT(owner_status_of(&k, false, 0), PS_OWN_VANISHED);  /* gone on recheck */
	CHECK_INT(owner_status_of(&k, false, 1), PS_OWN_KERNEL);    /* still there: kernel-held */
}

TEST(cmdline_shown_len_drops_trailing_empty_arguments)
{
	/* title rewriting: "title" then NUL padding up to the end of the argument area */
	static const char title[] = "redis-server 127.0.0.1:6379\0\0\0\0";
	CHECK_INT(cmdline_shown_len(title, sizeof title - 1), 27);
	/* empty arguments in the middle stay */
	static const char mid[] = "a\0\0b\0";
	CHECK_INT(cmdline_shown_len(mid, sizeof mid - 1), 4);
	static const char none[] = "\0\0\0";
	CHECK_INT(cmdline_shown_len(none, sizeof none - 1), 0);
	CHECK_INT(cmdline_shown_len("", 0), 0);
}

/* ---------------------------------------------------------------- pre-fork groups */

static long add_proc(struct ps_snapshot *s, int pid, int ppid, const char *exe)
{
	long i = snap_add_proc(s, pid);
	CHECK(i >= 0);
	if (i < 0)
		abort();
	s->procs[i].ppid = ppid;
	s->procs[i].exe = exe ? xstrdup(exe) : NULL;
	s->procs[i].name = xstrdup("x");
	return i;
}

TEST(snap_group_forks_master_and_workers)
{
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	/* nginx master 100 and workers 101, 102 on port 80; an unrelated python child 103 of the
	 * master; 104 a worker's child with the same exe holding only its own socket */
	add_sock(&s, PS_TCP, PS_INET, 80, 1);
	add_sock(&s, PS_TCP, PS_INET, 81, 2);
	long m = add_proc(&s, 100, 1, "/usr/sbin/nginx");
	long w1 = add_proc(&s, 101, 100, "/usr/sbin/nginx");
	long w2 = add_proc(&s, 102, 100, "/usr/sbin/nginx");
	long py = add_proc(&s, 103, 100, "/usr/bin/python3");
	long gc = add_proc(&s, 104, 101, "/usr/sbin/nginx");
	CHECK(snap_add_owner(&s, 0, (uint32_t)w2, 7) == 0);
	CHECK(snap_add_owner(&s, 0, (uint32_t)m, 6) == 0);
	CHECK(snap_add_owner(&s, 0, (uint32_t)w1, 6) == 0);
	CHECK(snap_add_owner(&s, 0, (uint32_t)w1, 9) == 0); /* held twice: counted once */
	CHECK(snap_add_owner(&s, 0, (uint32_t)py, 3) == 0);
	CHECK(snap_add_owner(&s, 1, (uint32_t)gc, 3) == 0);
	snap_group_owners(&s);
	CHECK(snap_group_forks(&s) == 0);
	CHECK(s.procs[m].group_root == 0);
	CHECK(s.procs[w1].group_root == 100 && s.procs[w2].group_root == 100);
	CHECK(s.procs[py].group_root == 0);   /* another executable: its own */
	CHECK(s.procs[gc].group_root == 100); /* through 101 up to the topmost */
	const struct ps_socket *k = &s.socks[0];
	CHECK(k->owner_count == 5);
	for (size_t i = 0; i < k->owner_count; i++) {
		const struct ps_owner *o = snap_owner(&s, k, i);
		CHECK(o->lead == (o->pid == 101 || o->pid == 102 ? 100 : 0));
		CHECK(snap_owner_members(&s, k, i) == (o->pid == 100 ? 2u : 0u));
	}
	/* the root does not hold port 81: its holder leads its own row there */
	CHECK(snap_owner(&s, &s.socks[1], 0)->lead == 0);
	snap_free(&s);
}

static void set_pkg(struct ps_snapshot *s, long i, const char *pkg)
{
	s->procs[i].pkg = pkg ? PKG_OWNED : PKG_UNOWNED;
	s->procs[i].pkg_name = pkg ? xstrdup(pkg) : NULL;
}

TEST(snap_group_forks_packaged_helpers)
{
	/* dovecot's master and its login processes (another package of dovecot's, in
	 * /usr/lib/dovecot) on 143; postfix's master and smtpd (one package) on 25; a packaged
	 * shell, an unpackaged file in /usr/lib/dovecot and one not yet judged are not helpers */
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	add_sock(&s, PS_TCP, PS_INET, 143, 1);
	add_sock(&s, PS_TCP, PS_INET, 25, 2);
	long m = add_proc(&s, 100, 1, "/usr/sbin/dovecot");
	long login = add_proc(&s, 101, 100, "/usr/lib/dovecot/imap-login");
	long shell = add_proc(&s, 102, 100, "/usr/bin/dash");
	long fake = add_proc(&s, 103, 100, "/usr/lib/dovecot/evil");
	long unjudged = add_proc(&s, 104, 100, "/usr/lib/dovecot/pop3-login");
	long pm = add_proc(&s, 200, 1, "/usr/lib/postfix/sbin/master");
	long smtpd = add_proc(&s, 201, 200, "/usr/lib/postfix/sbin/smtpd");
	set_pkg(&s, m, "dovecot-core");
	set_pkg(&s, login, "dovecot-imapd");
	set_pkg(&s, shell, "dash");
	set_pkg(&s, fake, NULL);
	set_pkg(&s, pm, "postfix");
	set_pkg(&s, smtpd, "postfix");
	long holders[] = {m, login, shell, fake, unjudged};
	for (size_t i = 0; i < sizeof holders / sizeof holders[0]; i++)
		CHECK(snap_add_owner(&s, 0, (uint32_t)holders[i], 5) == 0);
	CHECK(snap_add_owner(&s, 1, (uint32_t)pm, 5) == 0);
	CHECK(snap_add_owner(&s, 1, (uint32_t)smtpd, 5) == 0);
	snap_group_owners(&s);
	CHECK(snap_group_forks(&s) == 0);
	CHECK(s.procs[login].group_root == 100);
	CHECK(s.procs[shell].group_root == 0 && s.procs[fake].group_root == 0);
	CHECK(s.procs[unjudged].group_root == 0);
	CHECK(s.procs[smtpd].group_root == 200);
	const struct ps_socket *k = &s.socks[0];
	for (size_t i = 0; i < k->owner_count; i++) {
		const struct ps_owner *o = snap_owner(&s, k, i);
		CHECK(o->lead == (o->pid == 101 ? 100 : 0));
	}
	snap_free(&s);
}

TEST(snap_group_forks_ppid_loop_and_unreadable)
{
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	add_sock(&s, PS_TCP, PS_INET, 80, 1);
	long a = add_proc(&s, 10, 11, NULL); /* a ppid loop (a stale or hostile view) ends */
	long b = add_proc(&s, 11, 10, NULL);
	long c = add_proc(&s, 12, 11, "/bin/x"); /* exe readable on one side only: not the same */
	CHECK(snap_add_owner(&s, 0, (uint32_t)a, 3) == 0);
	CHECK(snap_add_owner(&s, 0, (uint32_t)b, 3) == 0);
	CHECK(snap_add_owner(&s, 0, (uint32_t)c, 3) == 0);
	snap_group_owners(&s);
	CHECK(snap_group_forks(&s) == 0);
	CHECK(s.procs[c].group_root == 0);
	CHECK(s.procs[a].group_root != 0 || s.procs[b].group_root != 0);
	snap_free(&s);
}

/* The port of an http.sys URL prefix (netsh http show urlacl): given, or the scheme's. */
TEST(url_prefix_ports)
{
	CHECK_INT(url_prefix_port("http://+:5985/wsman/"), 5985);
	CHECK_INT(url_prefix_port("HTTPS://*:443/"), 443);
	CHECK_INT(url_prefix_port("http://+:80/Temporary_Listen_Addresses/"), 80);
	CHECK_INT(url_prefix_port("https://host.example/"), 443);
	CHECK_INT(url_prefix_port("http://localhost/x:9/"), 80);
	CHECK_INT(url_prefix_port("http://[::1]:8080/"), 8080);
	CHECK_INT(url_prefix_port("http://[fe80::1]/"), 80);
	CHECK_INT(url_prefix_port("http://+:0/"), 0);
	CHECK_INT(url_prefix_port("http://+:65536/"), 0);
	CHECK_INT(url_prefix_port("http://+:/"), 0);
	CHECK_INT(url_prefix_port("http://+:80x/"), 0);
	CHECK_INT(url_prefix_port("http://[::1/"), 0);
	CHECK_INT(url_prefix_port("ftp://+:21/"), 0);
	CHECK_INT(url_prefix_port(""), 0);
}

/* Processes of one cgroup and unit keep one copy of each text, pooled in two passes (the
 * units come after the first), and the snapshot frees each once. */
TEST(snap_pool_texts_shares_cgroup_unit_slice)
{
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	for (int i = 0; i < 3; i++) {
		long at = snap_add_proc(&s, 100 + i);
		CHECK(at == i);
		s.procs[at].name = xstrdup("worker");
		s.procs[at].cgroup = xstrdup("/system.slice/web.service");
	}
	s.procs[2].cgroup[1] = 'S'; /* another cgroup: its own copy */
	CHECK(snap_pool_texts(&s) == 0);
	CHECK(s.procs[0].cgroup == s.procs[1].cgroup);
	CHECK(s.procs[0].cgroup != s.procs[2].cgroup);
	CHECK_STR(s.procs[2].cgroup, "/System.slice/web.service");
	CHECK(s.procs[0].name == s.procs[2].name);
	for (int i = 0; i < 3; i++) {
		s.procs[i].unit = xstrdup("web.service");
		s.procs[i].slice = xstrdup("system.slice");
	}
	CHECK(snap_pool_texts(&s) == 0);
	CHECK(s.procs[0].unit == s.procs[2].unit && s.procs[1].slice == s.procs[2].slice);
	CHECK_STR(s.procs[1].unit, "web.service");
	CHECK_STR(s.procs[0].slice, "system.slice");
	CHECK_STR(s.procs[0].cgroup, "/system.slice/web.service");
	CHECK((s.procs[1].pooled & (PS_POOLED_CGROUP | PS_POOLED_UNIT | PS_POOLED_SLICE)) ==
	      (PS_POOLED_CGROUP | PS_POOLED_UNIT | PS_POOLED_SLICE));
	snap_free(&s);
}
