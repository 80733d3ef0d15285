/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_procparse.c — /proc/PID/stat, status, /proc/stat, cgroup, fd links, /proc/net lines. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../src/platform/linux/procparse.h"
#include "../test.h"
#include "../testutil.h"

/* ---------------------------------------------------------------- proc_parse_stat */

/* Parse an exact-size heap copy of lit (no NUL after it). */
static int stat_n(const char *lit, size_t n, char **comm, int *ppid, uint64_t *start)
{
	char *in = tu_exact(lit, n);
	*comm = NULL;
	*ppid = -12345;
	*start = 0xABCDEF;
	int rc = proc_parse_stat(in, n, comm, ppid, start);
	free(in);
	return rc;
}
#define STAT(lit, comm, ppid, start) stat_n(lit, sizeof(lit) - 1, comm, ppid, start)

/* 19 numeric fields after the state: ppid ... starttime, then the rest of a real line. */
#define TAIL_FIELDS " 1 1234 1234 0 -1 4194560 1234 0 12 0 5 3 0 0 20 0 1 0 4567"
#define TAIL_REST " 12345678 416 18446744073709551615 94618063486976 0 0 0 17 1 0 0\n"

TEST(proc_parse_stat_normal)
{
	char *comm;
	int ppid;
	uint64_t start;
	CHECK_INT(STAT("1234 (sshd) S" TAIL_FIELDS TAIL_REST, &comm, &ppid, &start), 0);
	CHECK_STR(comm, "sshd");
	CHECK_INT(ppid, 1);
	CHECK_INT(start, 4567);
	free(comm);
	/* a real line, as read from this kernel's /proc/self/stat */
	static const char real[] =
	    "7753 (cat) R 7751 7751 2726 0 -1 4194304 102 0 0 0 0 0 0 0 20 0 1 0 52986 "
	    "3133440 416 18446744073709551615 94618063486976 94618063506857 140732257575088 "
	    "0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 94618063522864 94618063524480 94618410946560 "
	    "140732257581510 140732257581530 140732257581530 140732257583083 0\n";
	int rc = STAT(real, &comm, &ppid, &start);
	CHECK_INT(rc, 0);
	CHECK_STR(comm, "cat");
	CHECK_INT(ppid, 7751);
	CHECK_INT(start, 52986);
	free(comm);
	/* exactly the needed fields, no newline */
	CHECK_INT(
	    STAT("1 (init) S 0 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 99", &comm, &ppid, &start),
	    0);
	CHECK_STR(comm, "init");
	CHECK_INT(ppid, 0);
	CHECK_INT(start, 99);
	free(comm);
}

/* The code's start and end (fields 26, 27): 0 0 while an exec has not loaded its program. */
TEST(proc_parse_stat_code_fields)
{
	uint64_t start = 7, end = 7;
	static const char real[] =
	    "7753 (cat) R 7751 7751 2726 0 -1 4194304 102 0 0 0 0 0 0 0 20 0 1 0 52986 "
	    "3133440 416 18446744073709551615 94618063486976 94618063506857 140732257575088 "
	    "0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 94618063522864 94618063524480 94618410946560 "
	    "140732257581510 140732257581530 140732257581530 140732257583083 0\n";
	CHECK_INT(proc_parse_stat_code(real, sizeof real - 1, &start, &end), 0);
	CHECK(start == 94618063486976ull && end == 94618063506857ull);
	/* a name with ") " in it, and an exec under way (no code yet) */
	static const char loading[] =
	    "9 (a) b) R" TAIL_FIELDS " 3133440 416 18446744073709551615 0 0 1\n";
	CHECK_INT(proc_parse_stat_code(loading, sizeof loading - 1, &start, &end), 0);
	CHECK(start == 0 && end == 0);
	/* cut before the fields: no answer */
	CHECK_INT(proc_parse_stat_code(real, 120, &start, &end), -EBADMSG);
	CHECK_INT(proc_parse_stat_code("9 (x R", 6, &start, &end), -EBADMSG);
}

TEST(proc_parse_stat_hostile_comm)
{
	char *comm;
	int ppid;
	uint64_t start;
	/* spaces */
	CHECK_INT(STAT("42 (tmux: server) S" TAIL_FIELDS TAIL_REST, &comm, &ppid, &start), 0);
	CHECK_STR(comm, "tmux: server");
	CHECK_INT(start, 4567);
	free(comm);
	/* parentheses, including a closing one followed by what looks like fields */
	CHECK_INT(STAT("42 (a) (b) S" TAIL_FIELDS TAIL_REST, &comm, &ppid, &start), 0);
	CHECK_STR(comm, "a) (b");
	CHECK_INT(ppid, 1);
	free(comm);
	CHECK_INT(STAT("42 (x) S 99 99 99 9) R 7 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 31337\n",
		       &comm, &ppid, &start),
		  0);
	CHECK_STR(comm, "x) S 99 99 99 9");
	CHECK_INT(ppid, 7);
	CHECK_INT(start, 31337);
	free(comm);
	CHECK_INT(STAT("42 ()) S" TAIL_FIELDS TAIL_REST, &comm, &ppid, &start), 0);
	CHECK_STR(comm, ")");
	free(comm);
	CHECK_INT(STAT("42 (() S" TAIL_FIELDS TAIL_REST, &comm, &ppid, &start), 0);
	CHECK_STR(comm, "(");
	free(comm);
	/* newline and escape inside the name */
	CHECK_INT(STAT("42 (a\nb\x1b[0m) S" TAIL_FIELDS TAIL_REST, &comm, &ppid, &start), 0);
	CHECK_STR(comm, "a\nb\x1b[0m");
	free(comm);
	/* empty name */
	CHECK_INT(STAT("42 () S" TAIL_FIELDS TAIL_REST, &comm, &ppid, &start), 0);
	CHECK_STR(comm, "");
	free(comm);
	/* 15-byte name, the kernel maximum */
	CHECK_INT(STAT("42 (0123456789abcde) S" TAIL_FIELDS TAIL_REST, &comm, &ppid, &start), 0);
	CHECK_STR(comm, "0123456789abcde");
	free(comm);
}

TEST(proc_parse_stat_malformed)
{
	static const char *const bad[] = {
	    "",
	    "42",
	    "42 (sshd",			    /* no closing parenthesis */
	    "42 sshd) S 1 2 3",		    /* no opening parenthesis */
	    "42 )sshd( S" TAIL_FIELDS,	    /* closing before opening */
	    "42 (sshd)",		    /* nothing after the name */
	    "42 (sshd) ",		    /* only a space */
	    "42 (sshd) S",		    /* no fields */
	    "42 (sshd) S 1 1234 1234 0 -1", /* truncated */
	    "42 (sshd) S 1 1234 1234 0 -1 4194560 1234 0 12 0 5 3 0 0 20 0 1 0", /* 18 fields */
	    "42 (sshd) S 1 1234 1234 0 -1 4194560 1234 0 12 0 5 3 0 0 20 0 1 0 \n",
	    "42 (sshd) S x 1234 1234 0 -1 4194560 1234 0 12 0 5 3 0 0 20 0 1 0 4567",
	    "42 (sshd) S 1 1234 1234 0 - 4194560 1234 0 12 0 5 3 0 0 20 0 1 0 4567",
	    "42 (sshd) S 1 1234 1234 0 -1 4194560 1234 0 12 0 5 3 0 0 20 0 1 0 "
	    "18446744073709551616",
	    "42 (sshd) S 1\n1234 1234 0 -1 4194560 1234 0 12 0 5 3 0 0 20 0 1 0 4567",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *comm;
		int ppid;
		uint64_t start;
		int rc = stat_n(bad[i], strlen(bad[i]), &comm, &ppid, &start);
		if (rc != -EBADMSG) {
			char m[64];
			snprintf(m, sizeof m, "bad stat line %zu gave %d", i, rc);
			test_fail(__FILE__, __LINE__, m);
		}
		CHECK(comm == NULL);
		free(comm);
	}
}

TEST(proc_parse_stat_limits)
{
	char *comm;
	int ppid;
	uint64_t start;
	/* starttime at UINT64_MAX parses; a ppid that does not fit an int becomes -1 */
	CHECK_INT(
	    STAT("5 (x) S 4294967296 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 18446744073709551615",
		 &comm, &ppid, &start),
	    0);
	CHECK_INT(ppid, -1);
	CHECK(start == UINT64_MAX);
	free(comm);
	CHECK_INT(STAT("5 (x) S 2147483647 1 1 0 -1 0 0 0 0 0 0 0 0 0 -100 -20 1 0 7", &comm, &ppid,
		       &start),
		  0);
	CHECK_INT(ppid, 2147483647);
	CHECK_INT(start, 7);
	free(comm);
	/* the length bounds the parse: the same line cut short is an error */
	const char *line = "1 (a) S 1 1 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 123";
	CHECK_INT(stat_n(line, strlen(line) - 4, &comm, &ppid, &start), -EBADMSG);
	free(comm);
	CHECK_INT(stat_n(line, strlen(line) - 1, &comm, &ppid, &start), 0);
	CHECK_INT(start, 12);
	free(comm);
}

/* ---------------------------------------------------------------- proc_parse_status_uid */

static int uid_of(const char *lit, uint32_t *uid)
{
	size_t n = strlen(lit);
	char *in = tu_exact(lit, n);
	*uid = 0xFEEDFACE;
	int rc = proc_parse_status_uid(in, n, uid);
	free(in);
	return rc;
}

TEST(proc_parse_status_uid_cases)
{
	uint32_t uid;
	CHECK_INT(
	    uid_of("Name:\tnginx\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t100\nPid:\t100\n"
		   "PPid:\t1\nTracerPid:\t0\nUid:\t1000\t33\t33\t33\nGid:\t1000\t33\t33\t33\n",
		   &uid),
	    0);
	CHECK_INT(uid, 33); /* the effective uid, the second number */
	CHECK_INT(uid_of("Uid:\t0\t0\t0\t0\n", &uid), 0);
	CHECK_INT(uid, 0);
	CHECK_INT(uid_of("Name:\tx\nUid:\t1\t4294967295\t1\t1", &uid),
		  0); /* last line, no newline */
	CHECK(uid == 4294967295u);
	CHECK_INT(uid_of("Uid: 7 8 9 10\n", &uid), 0);
	CHECK_INT(uid, 8);
	/* a hostile name that mimics the line is not at a line start */
	CHECK_INT(uid_of("Name:\tUid:\t0\t0\nUid:\t1000\t1000\t1000\t1000\n", &uid), 0);
	CHECK_INT(uid, 1000);

	CHECK_INT(uid_of("", &uid), -EBADMSG);
	CHECK_INT(uid_of("Name:\tx\nGid:\t0\t0\t0\t0\n", &uid), -EBADMSG);
	CHECK_INT(uid_of("Uid:\t1000\n", &uid), -EBADMSG);
	CHECK_INT(uid_of("Uid:\t1000\t\nGid:\t5\t5\n", &uid), -EBADMSG);
	CHECK_INT(uid_of("Uid:\tx\t1\n", &uid), -EBADMSG);
	CHECK_INT(uid_of("Uid:\t1\t4294967296\t1\t1\n", &uid), -EBADMSG);
	CHECK_INT(uid_of("Uid:\t1\t-1\n", &uid), -EBADMSG);
	CHECK_INT(uid_of("Uid:", &uid), -EBADMSG);
	CHECK_INT(uid_of(" Uid:\t1\t2\n", &uid), -EBADMSG);
}

/* ---------------------------------------------------------------- proc_parse_btime */

static int btime_of(const char *lit, int64_t *bt)
{
	size_t n = strlen(lit);
	char *in = tu_exact(lit, n);
	*bt = -77;
	int rc = proc_parse_btime(in, n, bt);
	free(in);
	return rc;
}

TEST(proc_parse_btime_cases)
{
	int64_t bt;
	CHECK_INT(btime_of("cpu  10132153 290696 3084719 46828483 16683 0 25195 0 0 0\n"
			   "cpu0 1393280 32966 572056 13343292 6130 0 17875 0 0 0\n"
			   "intr 1462898 0 0\nctxt 3392\nbtime 1700000000\nprocesses 2915\n"
			   "procs_running 1\n",
			   &bt),
		  0);
	CHECK_INT(bt, 1700000000);
	CHECK_INT(btime_of("btime 5", &bt), 0);
	CHECK_INT(bt, 5);
	CHECK_INT(btime_of("btime 9223372036854775807\n", &bt), 0);
	CHECK_INT(bt, INT64_MAX);

	CHECK_INT(btime_of("", &bt), -EBADMSG);
	CHECK_INT(btime_of("cpu 1 2 3\nctxt 5\n", &bt), -EBADMSG);
	CHECK_INT(btime_of("btime\n", &bt), -EBADMSG);
	CHECK_INT(btime_of("btime x\n", &bt), -EBADMSG);
	CHECK_INT(btime_of("btime -5\n", &bt), -EBADMSG);
	CHECK_INT(btime_of("btimex 5\n", &bt), -EBADMSG);
	CHECK_INT(btime_of("xbtime 5\n", &bt), -EBADMSG);
	CHECK_INT(btime_of("btime 9223372036854775808\n", &bt), -EBADMSG);
	CHECK_INT(btime_of("btime 99999999999999999999\n", &bt), -EBADMSG);
	CHECK_INT(bt, -77); /* untouched on error */
}

/* ---------------------------------------------------------------- proc_parse_cgroup */

/* The path as a malloc'd string, or NULL. */
static char *cgroup_of(const char *lit)
{
	size_t n = strlen(lit), len = 12345;
	char *in = tu_exact(lit, n);
	const char *p = proc_parse_cgroup(in, n, &len);
	char *r = NULL;
	if (p) {
		CHECK(p >= in && len <= n && p + len <= in + n);
		r = malloc(len + 1);
		memcpy(r, p, len);
		r[len] = '\0';
	}
	free(in);
	return r;
}

#define CGROUP(lit, want)                                                                          \
	do {                                                                                       \
		char *got_ = cgroup_of(lit);                                                       \
		if ((want) == NULL)                                                                \
			CHECK(got_ == NULL);                                                       \
		else                                                                               \
			CHECK_STR(got_, want);                                                     \
		free(got_);                                                                        \
	} while (0)

TEST(proc_parse_cgroup_v2)
{
	CGROUP("0::/user.slice/user-1000.slice/session-3.scope\n",
	       "/user.slice/user-1000.slice/session-3.scope");
	CGROUP("0::/system.slice/ssh.service", "/system.slice/ssh.service"); /* no final newline */
	CGROUP("0::/\n", "/");
	CGROUP("0::/a b\n", "/a b");
}

TEST(proc_parse_cgroup_v1_and_hybrid)
{
	/* pure v1: the name=systemd hierarchy */
	CGROUP("12:pids:/system.slice/ssh.service\n"
	       "11:cpu,cpuacct:/system.slice/ssh.service\n"
	       "1:name=systemd:/system.slice/ssh.service\n",
	       "/system.slice/ssh.service");
	CGROUP("4:memory:/x\n1:name=systemd:/user.slice/user-0.slice/session-1.scope",
	       "/user.slice/user-0.slice/session-1.scope");
	/* hybrid: the unified line wins wherever it is */
	CGROUP("9:name=systemd:/system.slice/a.service\n8:pids:/\n0::/system.slice/b.service\n",
	       "/system.slice/b.service");
	/* as seen on this kernel */
	CGROUP("9:name=systemd:/\n8:pids:/\n4:memory:/process_api/2ccc\n0::/\n", "/");
	/* "name=systemd" must be the whole controller field */
	CGROUP("1:name=systemd2:/x\n", NULL);
	CGROUP("1:xname=systemd:/x\n", NULL);
}

TEST(proc_parse_cgroup_absent)
{
	CGROUP("", NULL);
	CGROUP("\n", NULL);
	CGROUP("5:cpu:/foo\n4:memory:/bar\n", NULL);
	CGROUP("10::/x\n", NULL); /* hierarchy 10, not 0 */
	CGROUP("x0::/x\n", NULL);
	CGROUP("1:name=systemd:\n", NULL); /* empty v1 path */
	CGROUP("garbage without colons", NULL);
}

/* ---------------------------------------------------------------- proc_parse_socket_link */

static bool link_of(const char *lit, size_t n, uint64_t *ino)
{
	char *in = tu_exact(lit, n);
	*ino = 424242;
	bool r = proc_parse_socket_link(in, n, ino);
	free(in);
	return r;
}

TEST(proc_parse_socket_link_cases)
{
	uint64_t ino;
	CHECK(link_of("socket:[123]", 12, &ino));
	CHECK_INT(ino, 123);
	CHECK(link_of("socket:[1]", 10, &ino));
	CHECK_INT(ino, 1);
	CHECK(link_of("socket:[18446744073709551615]", 29, &ino));
	CHECK(ino == UINT64_MAX);

	static const char *const bad[] = {
	    "pipe:[1]",
	    "socket:[]",
	    "socket:[12x]",
	    "socket:[x12]",
	    "socket:[-1]",
	    "socket:[ 1]",
	    "socket:[1 ]",
	    "socket:[123",
	    "socket:123]",
	    "socket[123]",
	    "Socket:[123]",
	    "socket:[18446744073709551616]", /* 2^64 */
	    "socket:[99999999999999999999999]",
	    "anon_inode:[eventpoll]",
	    "/dev/null",
	    "socket:[1]]",
	    "",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (link_of(bad[i], strlen(bad[i]), &ino)) {
			char m[96];
			snprintf(m, sizeof m, "\"%s\" taken as a socket", bad[i]);
			test_fail(__FILE__, __LINE__, m);
		}
		CHECK_INT(ino, 424242);
	}
	/* the length is what counts: a valid link cut short is not one */
	CHECK(!link_of("socket:[123]", 11, &ino));
	CHECK(!link_of("socket:[123]", 9, &ino));
}

/* ---------------------------------------------------------------- procnet_parse_line */

static const uint8_t V4_LOOPBACK[4] = {127, 0, 0, 1};
static const uint8_t ANY16[16] = {0};

/*
 * The kernel prints an address in /proc/net/{tcp,udp}{,6} as 32-bit words, each the host's
 * integer in hex: 127.0.0.1 is "0100007F" on a little-endian host and "7F000001" on a
 * big-endian one. The lines are built from the address bytes, so each test runs on both.
 */
static const char *hexaddr(const uint8_t *b, size_t n, bool lower, char *out)
{
	for (size_t i = 0; i < n; i += 4) {
		uint32_t w;
		memcpy(&w, b + i, 4);
		snprintf(out + 2 * i, 9, lower ? "%08" PRIx32 : "%08" PRIX32, w);
	}
	return out;
}

TEST(procnet_parse_tcp_lines)
{
	struct ps_socket k;
	char line[256], lh[40], rh[40];
	static const uint8_t a15[4] = {10, 0, 2, 15}, a2[4] = {10, 0, 2, 2};
	memset(&k, 0xEE, sizeof k);
	snprintf(line, sizeof line,
		 "   0: %s:0277 %s:0000 0A 00000000:00000000 00:00000000 "
		 "00000000     0        0 23456 1 0000000000000000 100 0 0 10 0        ",
		 hexaddr(V4_LOOPBACK, 4, false, lh), hexaddr(ANY16, 4, false, rh));
	CHECK_INT(procnet_parse_line(line, PS_INET, PS_TCP, &k), 0);
	CHECK_INT(k.local.addr.family, PS_INET);
	CHECK(memcmp(k.local.addr.bytes, V4_LOOPBACK, 4) == 0);
	CHECK(memcmp(k.local.addr.bytes + 4, ANY16, 12) == 0); /* rest zeroed */
	CHECK_INT(k.local.port, 631);
	CHECK_INT(k.remote.addr.family, PS_INET);
	CHECK(memcmp(k.remote.addr.bytes, ANY16, 16) == 0);
	CHECK_INT(k.remote.port, 0);
	CHECK_INT(k.state, PS_ST_LISTEN);
	CHECK_INT(k.proto, PS_TCP);
	CHECK_INT(k.uid, 0);
	CHECK_INT(k.inode, 23456);
	CHECK_INT(k.send_q, 0);
	CHECK_INT(k.recv_q, 0);
	CHECK_INT(k.owner_count, 0);
	CHECK_INT(k.ifindex, 0);

	/* established 10.0.2.15:22 <-> 10.0.2.2:50000, queues tx 0x24 rx 0x10, uid 1000 */
	snprintf(line, sizeof line,
		 "   1: %s:0016 %s:C350 01 00000024:00000010 01:00000014 "
		 "00000000  1000        0 98765 4 0000000000000000 20 4 30 10 -1",
		 hexaddr(a15, 4, false, lh), hexaddr(a2, 4, false, rh));
	CHECK_INT(procnet_parse_line(line, PS_INET, PS_TCP, &k), 0);
	CHECK(memcmp(k.local.addr.bytes, a15, 4) == 0);
	CHECK(memcmp(k.remote.addr.bytes, a2, 4) == 0);
	CHECK_INT(k.local.port, 22);
	CHECK_INT(k.remote.port, 50000);
	CHECK_INT(k.state, PS_ST_ESTABLISHED);
	CHECK_INT(k.send_q, 0x24);
	CHECK_INT(k.recv_q, 0x10);
	CHECK_INT(k.uid, 1000);
	CHECK_INT(k.inode, 98765);

	/* time-wait: inode 0, lower-case hex */
	snprintf(line, sizeof line,
		 "  12: %s:1f90 %s:ffff 06 00000000:00000000 03:00001770 "
		 "00000000     0        0 0 3 0000000000000000",
		 hexaddr(V4_LOOPBACK, 4, true, lh), hexaddr(V4_LOOPBACK, 4, true, rh));
	CHECK_INT(procnet_parse_line(line, PS_INET, PS_TCP, &k), 0);
	CHECK(memcmp(k.local.addr.bytes, V4_LOOPBACK, 4) == 0);
	CHECK_INT(k.local.port, 8080);
	CHECK_INT(k.remote.port, 65535);
	CHECK_INT(k.state, PS_ST_TIME_WAIT);
	CHECK_INT(k.inode, 0);
}

TEST(procnet_parse_tcp6_lines)
{
	struct ps_socket k;
	char line[256], lh[40], rh[40];
	static const uint8_t lo6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	static const uint8_t mapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
	static const uint8_t ll[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	static const uint8_t doc[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0,    0,
					0,    0,    0,	  0,	0, 0, 0xab, 0xcd};
	snprintf(line, sizeof line,
		 "   0: %s:0016 %s:0000 "
		 "0A 00000000:00000000 00:00000000 00000000     0        0 34567 1 "
		 "0000000000000000 100 0 0 10 0",
		 hexaddr(ANY16, 16, false, lh), hexaddr(ANY16, 16, false, rh));
	CHECK_INT(procnet_parse_line(line, PS_INET6, PS_TCP, &k), 0);
	CHECK_INT(k.local.addr.family, PS_INET6);
	CHECK(memcmp(k.local.addr.bytes, ANY16, 16) == 0);
	CHECK_INT(k.local.port, 22);
	CHECK_INT(k.state, PS_ST_LISTEN);
	CHECK_INT(k.inode, 34567);

	/* ::1 port 8080 <-> ::ffff:127.0.0.1 port 80 */
	snprintf(line, sizeof line,
		 "   1: %s:1F90 %s:0050 "
		 "01 00000000:00000000 00:00000000 00000000  1000        0 777 1 "
		 "0000000000000000 20 4 30 10 -1",
		 hexaddr(lo6, 16, false, lh), hexaddr(mapped, 16, false, rh));
	CHECK_INT(procnet_parse_line(line, PS_INET6, PS_TCP, &k), 0);
	CHECK(memcmp(k.local.addr.bytes, lo6, 16) == 0);
	CHECK(memcmp(k.remote.addr.bytes, mapped, 16) == 0);
	CHECK_INT(k.local.port, 8080);
	CHECK_INT(k.remote.port, 80);
	CHECK_INT(k.uid, 1000);

	/* fe80::1 and 2001:db8::abcd */
	snprintf(line, sizeof line,
		 "   2: %s:0222 %s:0035 "
		 "01 00000000:00000000 00:00000000 00000000     0        0 1 1 0",
		 hexaddr(ll, 16, false, lh), hexaddr(doc, 16, false, rh));
	CHECK_INT(procnet_parse_line(line, PS_INET6, PS_TCP, &k), 0);
	CHECK(memcmp(k.local.addr.bytes, ll, 16) == 0);
	CHECK(memcmp(k.remote.addr.bytes, doc, 16) == 0);
	CHECK_INT(k.local.port, 546);
	CHECK_INT(k.remote.port, 53);
}

TEST(procnet_parse_udp_lines)
{
	struct ps_socket k;
	char line[256], lh[40], rh[40];
	static const uint8_t resolved[4] = {127, 0, 0, 53};
	CHECK_INT(procnet_parse_line(
		      "  123: 00000000:0044 00000000:0000 07 00000000:00000000 00:00000000 "
		      "00000000     0        0 12345 2 0000000000000000 0",
		      PS_INET, PS_UDP, &k),
		  0);
	CHECK_INT(k.proto, PS_UDP);
	CHECK_INT(k.state, PS_ST_CLOSE);
	CHECK_INT(k.local.port, 68);
	CHECK_INT(k.inode, 12345);
	CHECK(memcmp(k.local.addr.bytes, ANY16, 4) == 0);

	snprintf(line, sizeof line,
		 " 4711: %s:0035 %s:0000 07 00000000:00000D80 00:00000000 "
		 "00000000   101        0 20001 2 0000000000000000 0",
		 hexaddr(resolved, 4, false, lh), hexaddr(ANY16, 4, false, rh));
	CHECK_INT(procnet_parse_line(line, PS_INET, PS_UDP, &k), 0);
	CHECK(memcmp(k.local.addr.bytes, resolved, 4) == 0);
	CHECK_INT(k.local.port, 53);
	CHECK_INT(k.recv_q, 0xD80);
	CHECK_INT(k.uid, 101);

	CHECK_INT(
	    procnet_parse_line("  100: 00000000000000000000000000000000:14E9 "
			       "00000000000000000000000000000000:0000 "
			       "07 00000000:00000000 00:00000000 00000000   104        0 3141 2 "
			       "0000000000000000 0",
			       PS_INET6, PS_UDP, &k),
	    0);
	CHECK_INT(k.local.port, 5353);
	CHECK_INT(k.local.addr.family, PS_INET6);
	CHECK_INT(k.uid, 104);
}

TEST(procnet_parse_rejects_header_and_garbage)
{
	static const struct {
		const char *line;
		unsigned family;
	} bad[] = {
	    {"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
	     "timeout inode",
	     PS_INET},
	    {"  sl  local_address                         remote_address                        st "
	     "tx_queue "
	     "rx_queue tr tm->when retrnsmt   uid  timeout inode",
	     PS_INET6},
	    {"", PS_INET},
	    {"   ", PS_INET},
	    {"   0:", PS_INET},
	    {"   0 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
	     PS_INET},
	    {"   0: zz00007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
	     PS_INET},
	    {"   0: 0100007F:0277", PS_INET},
	    {"   0: 0100007F 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
	     PS_INET},
	    {"   0: 0100007F:0277 00000000:0000", PS_INET},
	    {"   0: 0100007F:0277 00000000:0000 0A", PS_INET},
	    {"   0: 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0",
	     PS_INET}, /* no inode */
	    {"   0: 0100007F:0277 00000000:0000 0A 00000000 00:00000000 00000000 0 0 1", PS_INET},
	    {"   0: 0100007F:0277 00000000:0000 FF 00000000:00000000 00:00000000 00000000 0 0 1",
	     PS_INET},
	    {"   0: 0100007F:0277 00000000:0000 0D 00000000:00000000 00:00000000 00000000 0 0 1",
	     PS_INET},
	    {"   0: 0100007F:0277 00000000:0000 10A 00000000:00000000 00:00000000 00000000 0 0 1",
	     PS_INET},
	    {"   0: 0100007F:12345 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
	     PS_INET},
	    {"   0: 0100007F: 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
	     PS_INET},
	    {"   0: 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000 "
	     "4294967296 0 1",
	     PS_INET},
	    {"   0: 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000 -1 0 1",
	     PS_INET},
	    {"   0: 0100007F:0277 00000000:0000 0A 000000000:00000000 00:00000000 00000000 0 0 1",
	     PS_INET},
	    {"   0: 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 x",
	     PS_INET},
	    /* a tcp6 line read as IPv4 and a tcp line read as IPv6 */
	    {"   0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A "
	     "00000000:00000000 00:00000000 00000000 0 0 1",
	     PS_INET},
	    {"   0: 0100007F:0277 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1",
	     PS_INET6},
	    {"   0: 0000000000000000000000000100000:0016 00000000000000000000000000000000:0000 0A "
	     "00000000:00000000 00:00000000 00000000 0 0 1",
	     PS_INET6}, /* 31 hex digits */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct ps_socket k;
		/* an exact-size copy, so that a read past the NUL is caught */
		size_t n = strlen(bad[i].line) + 1;
		char *in = tu_exact(bad[i].line, n);
		int rc = procnet_parse_line(in, bad[i].family, PS_TCP, &k);
		free(in);
		if (rc != -EBADMSG) {
			char m[64];
			snprintf(m, sizeof m, "bad /proc/net line %zu gave %d", i, rc);
			test_fail(__FILE__, __LINE__, m);
		}
	}
}

/* Every data line of this machine's own /proc/net files parses (when they exist). */
TEST(procnet_parse_live_files)
{
	static const struct {
		const char *path;
		unsigned family, proto;
	} files[] = {
	    {"/proc/net/tcp", PS_INET, PS_TCP},
	    {"/proc/net/tcp6", PS_INET6, PS_TCP},
	    {"/proc/net/udp", PS_INET, PS_UDP},
	    {"/proc/net/udp6", PS_INET6, PS_UDP},
	};
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		FILE *fp = fopen(files[i].path, "r");
		if (!fp)
			continue;
		char line[512];
		int n = 0;
		while (fgets(line, sizeof line, fp)) {
			struct ps_socket k;
			int rc = procnet_parse_line(line, files[i].family, files[i].proto, &k);
			if (n++ == 0) {
				CHECK_INT(rc, -EBADMSG); /* the header */
				continue;
			}
			CHECK_INT(rc, 0);
			CHECK_INT(k.local.addr.family, files[i].family);
		}
		fclose(fp);
	}
}

TEST(procnet_parse_igmp_groups)
{
	/* /proc/net/igmp prints each group's network-order word as a host integer */
	uint32_t mdns, ssdp;
	memcpy(&mdns, (const uint8_t[]){224, 0, 0, 251}, 4);
	memcpy(&ssdp, (const uint8_t[]){239, 255, 255, 250}, 4);
	char v4[512];
	snprintf(
	    v4, sizeof v4,
	    "Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n"
	    "1\tlo        :     1      V3\n"
	    "\t\t\t\t010000E0     1 0:00000000\t\t0\n"
	    "3\tlan0      :     2      V3\n"
	    "\t\t\t\t%08X     1 0:00000000\t\t0\n"
	    "\t\t\t\t%08X     1 0:00000000\t\t0\n"
	    "\t\t\t\tnothex!!     1 0:00000000\t\t0\n"
	    "4\tveryveryveryveryveryveryveryveryveryveryveryveryveryveryveryverylongname :  1 V3\n"
	    "\t\t\t\t%08X     1 0:00000000\t\t0\n",
	    mdns, ssdp, mdns);
	static const char v6[] =
	    "1    lo              ff020000000000000000000000000001     1 0000000C 0\n"
	    "3    lan0            ff0200000000000000000000000000fb     1 00000004 0\n"
	    "3    lan0            ff02zz                                1 00000004 0\n";
	struct ps_ifaddr *g = NULL;
	size_t n = 0, cap = 0;
	char *in = tu_exact(v4, strlen(v4));
	CHECK_INT(procnet_parse_igmp(in, strlen(v4), false, &g, &n, &cap), 0);
	free(in);
	CHECK_INT(n,
		  3); /* the bad group line and the group of an unnameable interface are skipped */
	if (n == 3) {
		CHECK(g[0].ifindex == 1 && strcmp(g[0].ifname, "lo") == 0 &&
		      g[0].addr.family == PS_INET);
		CHECK(memcmp(g[0].addr.bytes, (const uint8_t[]){224, 0, 0, 1}, 4) == 0);
		CHECK(g[1].ifindex == 3 && strcmp(g[1].ifname, "lan0") == 0);
		CHECK(memcmp(g[1].addr.bytes, (const uint8_t[]){224, 0, 0, 251}, 4) == 0);
		CHECK(memcmp(g[2].addr.bytes, (const uint8_t[]){239, 255, 255, 250}, 4) == 0);
	}
	in = tu_exact(v6, sizeof v6 - 1);
	CHECK_INT(procnet_parse_igmp(in, sizeof v6 - 1, true, &g, &n, &cap), 0);
	free(in);
	CHECK_INT(n, 5);
	if (n == 5) {
		CHECK(g[4].ifindex == 3 && strcmp(g[4].ifname, "lan0") == 0 &&
		      g[4].addr.family == PS_INET6);
		CHECK(g[4].addr.bytes[0] == 0xff && g[4].addr.bytes[1] == 0x02 &&
		      g[4].addr.bytes[15] == 0xfb);
	}
	for (size_t i = 0; i < n; i++)
		free(g[i].ifname);
	free(g);
}
