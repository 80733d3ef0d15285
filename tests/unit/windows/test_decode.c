/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_decode.c — the Windows decoders from buffers laid out as the documented
 * APIs write them (GetExtendedTcpTable / GetExtendedUdpTable *_OWNER_MODULE_ALL,
 * GetOwnerModuleFromTcpEntry, GetAdaptersAddresses, EnumServicesStatusEx,
 * NtQueryInformationProcess ProcessCommandLineInformation). Rows are written at
 * the byte offsets the SDK documents (checked against mingw-w64's headers), not
 * through the structs the decoder reads.
 */
/* <windows.h> comes before the headers that use its types: keep this order */
/* clang-format off */
#define WIN32_LEAN_AND_MEAN
#undef gethostname
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <iphlpapi.h>
#include <winternl.h>
#include <http.h>
/* clang-format on */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../../src/platform/platform.h"
#include "../../../src/platform/windows/decode.h"
#include "../../../src/util/buf.h"
#include "../../../src/util/escape.h"
#include "../test.h"
#include "../testutil.h"

static void put32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, 4); /* little-endian host, as Windows */
}

/* A port as the tables store it: network byte order in the low 16 bits of a DWORD. */
static void putport(unsigned char *p, uint16_t port)
{
	p[0] = (unsigned char)(port >> 8), p[1] = (unsigned char)port, p[2] = p[3] = 0;
}

static void put4(unsigned char *p, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	p[0] = a, p[1] = b, p[2] = c, p[3] = d;
}

/* The documented layouts (tcpmib.h / udpmib.h): offsets and sizes the writer below uses. */
TEST(win_row_layouts_match_sdk)
{
	CHECK_INT(offsetof(MIB_TCPTABLE_OWNER_MODULE, table), 8);
	CHECK_INT(sizeof(MIB_TCPROW_OWNER_MODULE), 160);
	CHECK_INT(offsetof(MIB_TCPROW_OWNER_MODULE, dwOwningPid), 20);
	CHECK_INT(offsetof(MIB_TCPROW_OWNER_MODULE, OwningModuleInfo), 32);
	CHECK_INT(offsetof(MIB_TCP6TABLE_OWNER_MODULE, table), 8);
	CHECK_INT(sizeof(MIB_TCP6ROW_OWNER_MODULE), 192);
	CHECK_INT(offsetof(MIB_TCP6ROW_OWNER_MODULE, dwState), 48);
	CHECK_INT(offsetof(MIB_TCP6ROW_OWNER_MODULE, dwOwningPid), 52);
	CHECK_INT(offsetof(MIB_UDPTABLE_OWNER_MODULE, table), 8);
	CHECK_INT(sizeof(MIB_UDPROW_OWNER_MODULE), 160);
	CHECK_INT(offsetof(MIB_UDPROW_OWNER_MODULE, dwOwningPid), 8);
	CHECK_INT(sizeof(MIB_UDP6ROW_OWNER_MODULE), 176);
	CHECK_INT(offsetof(MIB_UDP6ROW_OWNER_MODULE, dwOwningPid), 24);
}

struct rows {
	struct ps_socket k[8];
	uint32_t pid[8];
	const void *row[8];
	size_t n;
};

static int collect_row(void *ctx, const struct ps_socket *k, uint32_t pid, const void *row)
{
	struct rows *r = ctx;
	if (r->n >= 8)
		return -E2BIG;
	r->k[r->n] = *k, r->pid[r->n] = pid, r->row[r->n] = row;
	r->n++;
	return 0;
}

/* MIB_TCPTABLE_OWNER_MODULE: a listener of pid 1234, a time-wait (pid 0), a connection. */
static size_t tcp4_table(unsigned char *b)
{
	memset(b, 0, 8 + 3 * 160);
	put32(b, 3);
	unsigned char *r = b + 8;
	put32(r + 0, MIB_TCP_STATE_LISTEN), put4(r + 4, 0, 0, 0, 0), putport(r + 8, 3389),
	    put32(r + 20, 1234);
	r += 160;
	put32(r + 0, MIB_TCP_STATE_TIME_WAIT), put4(r + 4, 10, 0, 0, 5), putport(r + 8, 49700);
	put4(r + 12, 93, 184, 216, 34), putport(r + 16, 443), put32(r + 20, 0);
	r += 160;
	put32(r + 0, MIB_TCP_STATE_ESTAB), put4(r + 4, 10, 0, 0, 5), putport(r + 8, 49701);
	put4(r + 12, 93, 184, 216, 34), putport(r + 16, 443), put32(r + 20, 4321);
	return 8 + 3 * 160;
}

TEST(win_tcp4_owner_table)
{
	unsigned char b[8 + 3 * 160];
	size_t len = tcp4_table(b);
	char *buf = tu_exact(b, len);
	struct rows r = {0};
	CHECK_INT(win_decode_owner_table(buf, len, WIN_TCP4, collect_row, &r), 0);
	CHECK_INT(r.n, 3);
	CHECK_INT(r.k[0].proto, PS_TCP);
	CHECK_INT(r.k[0].state, PS_ST_LISTEN);
	CHECK_INT(r.k[0].local.port, 3389);
	CHECK_INT(r.k[0].local.addr.family, PS_INET);
	CHECK(addr_is_any(&r.k[0].local.addr));
	CHECK_INT(r.pid[0], 1234);
	CHECK(r.row[0] == buf + 8); /* the API's own row, for GetOwnerModuleFromTcpEntry */
	CHECK_INT(r.k[1].state, PS_ST_TIME_WAIT);
	CHECK_INT(r.pid[1], 0);
	char a[64];
	CHECK_STR(addr_format(&r.k[2].local.addr, a, sizeof a), "10.0.0.5");
	CHECK_INT(r.k[2].local.port, 49701);
	CHECK_STR(addr_format(&r.k[2].remote.addr, a, sizeof a), "93.184.216.34");
	CHECK_INT(r.k[2].remote.port, 443);
	CHECK_INT(r.k[2].state, PS_ST_ESTABLISHED);
	CHECK_INT(r.pid[2], 4321);
	/* a row count the buffer cannot hold is refused, not read past */
	CHECK_INT(win_decode_owner_table(buf, len - 1, WIN_TCP4, collect_row, &(struct rows){0}),
		  -EBADMSG);
	CHECK_INT(win_decode_owner_table(buf, 3, WIN_TCP4, collect_row, &(struct rows){0}),
		  -EBADMSG);
	put32((unsigned char *)buf, 0xFFFFFFFFu);
	CHECK_INT(win_decode_owner_table(buf, len, WIN_TCP4, collect_row, &(struct rows){0}),
		  -EBADMSG);
	put32((unsigned char *)buf, 0);
	struct rows none = {0};
	CHECK_INT(win_decode_owner_table(buf, 4, WIN_TCP4, collect_row, &none), 0);
	CHECK_INT(none.n, 0);
	free(buf);
}

TEST(win_tcp4_every_state)
{
	static const struct {
		uint32_t mib;
		unsigned ps;
	} m[] = {{MIB_TCP_STATE_CLOSED, PS_ST_CLOSE},
		 {MIB_TCP_STATE_LISTEN, PS_ST_LISTEN},
		 {MIB_TCP_STATE_SYN_SENT, PS_ST_SYN_SENT},
		 {MIB_TCP_STATE_SYN_RCVD, PS_ST_SYN_RECV},
		 {MIB_TCP_STATE_ESTAB, PS_ST_ESTABLISHED},
		 {MIB_TCP_STATE_FIN_WAIT1, PS_ST_FIN_WAIT1},
		 {MIB_TCP_STATE_FIN_WAIT2, PS_ST_FIN_WAIT2},
		 {MIB_TCP_STATE_CLOSE_WAIT, PS_ST_CLOSE_WAIT},
		 {MIB_TCP_STATE_CLOSING, PS_ST_CLOSING},
		 {MIB_TCP_STATE_LAST_ACK, PS_ST_LAST_ACK},
		 {MIB_TCP_STATE_TIME_WAIT, PS_ST_TIME_WAIT},
		 {MIB_TCP_STATE_DELETE_TCB, PS_ST_CLOSING},
		 {100, PS_ST_BOUND}}; /* MIB_TCP_STATE_RESERVED: Get-NetTCPConnection's Bound */
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
		CHECK_INT(win_tcp_state(m[i].mib), m[i].ps);
	CHECK_INT(win_tcp_state(99), 0);
}

TEST(win_tcp6_udp_owner_tables)
{
	unsigned char b[8 + 192];
	memset(b, 0, sizeof b);
	put32(b, 1);
	unsigned char *r = b + 8;
	r[15] = 1;			     /* ::1 */
	putport(r + 20, 5985);		     /* dwLocalPort */
	put32(r + 48, MIB_TCP_STATE_LISTEN); /* dwState */
	put32(r + 52, 880);		     /* dwOwningPid */
	char *buf = tu_exact(b, sizeof b);
	struct rows t = {0};
	CHECK_INT(win_decode_owner_table(buf, sizeof b, WIN_TCP6, collect_row, &t), 0);
	CHECK_INT(t.n, 1);
	char a[64];
	CHECK_INT(t.k[0].local.addr.family, PS_INET6);
	CHECK_STR(addr_format(&t.k[0].local.addr, a, sizeof a), "::1");
	CHECK_INT(t.k[0].local.port, 5985);
	CHECK_INT(t.k[0].state, PS_ST_LISTEN);
	CHECK_INT(t.pid[0], 880);
	CHECK_INT(t.k[0].v6only, PS_V6ONLY_YES); /* Windows: IPV6_V6ONLY on by default; a
						    dual-mode socket's IPv4 side is an IPv4 row */
	free(buf);

	unsigned char u[8 + 2 * 160];
	memset(u, 0, sizeof u);
	put32(u, 2);
	put4(u + 8, 0, 0, 0, 0), putport(u + 8 + 4, 5353), put32(u + 8 + 8, 2200);
	put4(u + 168, 127, 0, 0, 1), putport(u + 168 + 4, 53), put32(u + 168 + 8, 0);
	buf = tu_exact(u, sizeof u);
	struct rows d = {0};
	CHECK_INT(win_decode_owner_table(buf, sizeof u, WIN_UDP4, collect_row, &d), 0);
	CHECK_INT(d.n, 2);
	CHECK_INT(d.k[0].proto, PS_UDP);
	CHECK_INT(d.k[0].state, PS_ST_CLOSE);
	CHECK_INT(d.k[0].local.port, 5353);
	CHECK_INT(d.pid[0], 2200);
	CHECK_INT(d.k[0].v6only, PS_V6ONLY_UNKNOWN); /* an IPv4 row: not asked */
	CHECK_STR(addr_format(&d.k[1].local.addr, a, sizeof a), "127.0.0.1");
	free(buf);

	unsigned char u6[8 + 176];
	memset(u6, 0, sizeof u6);
	put32(u6, 1);
	u6[8] = 0xfe, u6[9] = 0x80, u6[8 + 15] = 7;
	put32(u6 + 8 + 16, 12); /* scope id: interface 12 */
	putport(u6 + 8 + 20, 546), put32(u6 + 8 + 24, 1300);
	buf = tu_exact(u6, sizeof u6);
	struct rows d6 = {0};
	CHECK_INT(win_decode_owner_table(buf, sizeof u6, WIN_UDP6, collect_row, &d6), 0);
	CHECK_INT(d6.n, 1);
	CHECK_STR(addr_format(&d6.k[0].local.addr, a, sizeof a), "fe80::7");
	CHECK_INT(d6.k[0].ifindex, 12);
	CHECK_INT(d6.k[0].local.port, 546);
	CHECK_INT(d6.pid[0], 1300);
	free(buf);
}

struct add_ctx {
	struct ps_snapshot *snap;
	struct win_proc_cache cache;
};

static int add_row(void *ctx, const struct ps_socket *k, uint32_t pid, const void *row)
{
	(void)row;
	struct add_ctx *c = ctx;
	long r = win_snap_add(c->snap, k, pid, &c->cache);
	return r < 0 ? (int)r : 0;
}

/* Pid 0 and 4 are explained, never shown as programs; pid 0 on a listener (Wine) is "unreported".
 */
TEST(win_pids_0_and_4)
{
	unsigned char b[8 + 4 * 160];
	memset(b, 0, sizeof b);
	put32(b, 4);
	unsigned char *r = b + 8;
	put32(r, MIB_TCP_STATE_LISTEN), putport(r + 8, 445), put32(r + 20, 4); /* System: SMB */
	put32(r + 160, MIB_TCP_STATE_TIME_WAIT), putport(r + 160 + 8, 50000);  /* System Idle */
	put32(r + 320, MIB_TCP_STATE_LISTEN), putport(r + 320 + 8, 8080);      /* Wine: pid 0 */
	put32(r + 480, MIB_TCP_STATE_LISTEN), putport(r + 480 + 8, 3389), put32(r + 480 + 20, 1234);
	struct ps_snapshot snap = {0};
	struct add_ctx c = {&snap, {.last_proc = -1}};
	CHECK_INT(win_decode_owner_table(b, sizeof b, WIN_TCP4, add_row, &c), 0);
	snap_group_owners(&snap);
	snap_count_status(&snap);
	CHECK_INT(snap.nsocks, 4);
	CHECK_INT(snap.nprocs, 1); /* only pid 1234 is a process */
	CHECK_INT(snap.procs[0].pid, 1234);
	const struct ps_socket *s = snap.socks;
	CHECK_INT(s[0].owner_status, PS_OWN_KERNEL);
	CHECK_INT(s[0].owner_count, 0);
	CHECK(s[0].sockcg && strcmp(snap.sockcgs[s[0].sockcg - 1].unit, "System") == 0);
	CHECK_INT(s[1].owner_status, PS_OWN_KERNEL);
	CHECK(s[1].sockcg &&
	      strcmp(snap.sockcgs[s[1].sockcg - 1].unit, "System Idle Process") == 0);
	CHECK_INT(s[2].owner_status, PS_OWN_UNREPORTED);
	CHECK_INT(s[2].owner_count, 0);
	CHECK_INT(s[2].sockcg, 0);
	CHECK_STR(owner_status_name(s[2].owner_status), "unreported");
	CHECK_INT(s[3].owner_status, PS_OWN_OK);
	CHECK_INT(s[3].owner_count, 1);
	CHECK_INT(snap_owner(&snap, &s[3], 0)->pid, 1234);
	CHECK_INT(snap_owner(&snap, &s[3], 0)->fd, -1);
	CHECK(snap.partial);
	CHECK_INT(snap.unattributed[PS_OWN_UNREPORTED], 1);
	CHECK_INT(snap.unattributed[PS_OWN_KERNEL], 2);
	CHECK_INT(snap.nsockcgs, 2); /* one label each, shared by every socket it names */
	snap_free(&snap);
}

/*
 * The bound-TCP tables (InternalGetBoundTcpEndpointTable: MIB_TCPTABLE2 of 28-byte
 * MIB_TCPROW2; the IPv6 one: MIB_TCP6TABLE2 of 60-byte MIB_TCP6ROW2): bound rows become
 * BOUND sockets of their pid, never listeners; a listener's row (listed by the owner table)
 * is not repeated; pid 0 on a bound socket is an unreported owner.
 */
TEST(win_bound_tcp_tables)
{
	CHECK_INT(sizeof(MIB_TCPROW2), 28);
	CHECK_INT(offsetof(MIB_TCPTABLE2, table), 4);
	CHECK_INT(sizeof(MIB_TCP6ROW2), 60);
	CHECK_INT(offsetof(MIB_TCP6ROW2, State), 48);
	CHECK_INT(offsetof(MIB_TCP6ROW2, dwOwningPid), 52);
	unsigned char b[4 + 3 * 28];
	memset(b, 0, sizeof b);
	put32(b, 3);
	unsigned char *r = b + 4;
	put32(r, 100), put4(r + 4, 0, 0, 0, 0), putport(r + 8, 50123), put32(r + 20, 2000);
	put32(r + 28, MIB_TCP_STATE_LISTEN), putport(r + 28 + 8, 8080), put32(r + 28 + 20, 2000);
	put32(r + 56, 100), put4(r + 56 + 4, 10, 0, 0, 5), putport(r + 56 + 8, 50124);
	struct ps_snapshot snap = {0};
	struct add_ctx c = {&snap, {.last_proc = -1}};
	char *buf = tu_exact(b, sizeof b);
	CHECK_INT(win_decode_bound_table(buf, sizeof b, false, add_row, &c), 0);
	snap_group_owners(&snap);
	snap_count_status(&snap);
	CHECK_INT(snap.nsocks, 2);
	CHECK_INT(snap.socks[0].state, PS_ST_BOUND);
	CHECK_INT(snap.socks[0].proto, PS_TCP);
	CHECK_INT(snap.socks[0].local.port, 50123);
	CHECK_INT(snap.socks[0].owner_count, 1);
	CHECK_INT(snap_owner(&snap, &snap.socks[0], 0)->pid, 2000);
	CHECK_STR(state_label(PS_TCP, snap.socks[0].state), "BOUND");
	char a[64];
	CHECK_STR(addr_format(&snap.socks[1].local.addr, a, sizeof a), "10.0.0.5");
	CHECK_INT(snap.socks[1].owner_status, PS_OWN_UNREPORTED);
	CHECK_INT(win_decode_bound_table(buf, sizeof b - 1, false, add_row, &c), -EBADMSG);
	free(buf);
	snap_free(&snap);

	unsigned char b6[4 + 60];
	memset(b6, 0, sizeof b6);
	put32(b6, 1);
	b6[4 + 15] = 1; /* ::1 */
	putport(b6 + 4 + 20, 50200), put32(b6 + 4 + 48, 100), put32(b6 + 4 + 52, 3000);
	struct rows got = {0};
	CHECK_INT(win_decode_bound_table(b6, sizeof b6, true, collect_row, &got), 0);
	CHECK_INT(got.n, 1);
	CHECK_INT(got.k[0].state, PS_ST_BOUND);
	CHECK_INT(got.k[0].local.addr.family, PS_INET6);
	CHECK_STR(addr_format(&got.k[0].local.addr, a, sizeof a), "::1");
	CHECK_INT(got.k[0].local.port, 50200);
	CHECK_INT(got.pid[0], 3000);
	CHECK(got.row[0] == NULL);
	/* the default listing (listeners) leaves them out; -a and --state bound show them */
	struct ps_filter f;
	filter_init(&f);
	CHECK(!filter_match_socket(&f, &got.k[0]));
	filter_all_states(&f);
	CHECK(filter_match_socket(&f, &got.k[0]));
}

/* A wide string into b at off; returns the offset after its NUL. */
static size_t put_wstr(unsigned char *b, size_t off, const wchar_t *w)
{
	size_t n = (wcslen(w) + 1) * 2;
	memcpy(b + off, w, n);
	return off + n;
}

TEST(win_owner_module_info)
{
	/* TCPIP_OWNER_MODULE_BASIC_INFO: two pointers into the same buffer, then the strings */
	unsigned char *b = calloc(1, 256);
	size_t end = put_wstr(b, 16, L"TermService");
	size_t path = end;
	end = put_wstr(b, path, L"C:\\Windows\\System32\\termsrv.dll");
	void *p1 = b + 16, *p2 = b + path;
	memcpy(b, &p1, 8), memcpy(b + 8, &p2, 8);
	char *name, *mpath;
	CHECK_INT(win_decode_module_info(b, end, &name, &mpath), 0);
	CHECK_STR(name, "TermService");
	CHECK_STR(mpath, "C:\\Windows\\System32\\termsrv.dll");
	free(name);
	free(mpath);
	/* the string does not end inside the buffer */
	CHECK_INT(win_decode_module_info(b, end - 2, &name, &mpath), -EBADMSG);
	CHECK(!name && !mpath);
	/* a pointer outside the buffer */
	void *out = b + 4096;
	memcpy(b, &out, 8);
	CHECK_INT(win_decode_module_info(b, end, &name, &mpath), -EBADMSG);
	/* no module name (the API may give only a path) */
	void *null = NULL;
	memcpy(b, &null, 8);
	CHECK_INT(win_decode_module_info(b, end, &name, &mpath), 0);
	CHECK(name == NULL);
	free(mpath);
	CHECK_INT(win_decode_module_info(b, 15, &name, &mpath), -EBADMSG);
	free(b);
}

TEST(win_adapters_addresses)
{
	/* Two adapters as GetAdaptersAddresses chains them inside its one buffer. */
	size_t len = 4096;
	unsigned char *b = calloc(1, len);
	IP_ADAPTER_ADDRESSES *eth = (void *)b, *lo = (void *)(b + 512);
	IP_ADAPTER_UNICAST_ADDRESS *u1 = (void *)(b + 1024), *u2 = (void *)(b + 1200),
				   *u3 = (void *)(b + 1400);
	struct sockaddr_in *s1 = (void *)(b + 2048), *s3 = (void *)(b + 2200);
	struct sockaddr_in6 *s2 = (void *)(b + 2100);
	eth->Length = sizeof *eth, eth->IfIndex = 12, eth->Ipv6IfIndex = 12, eth->Next = lo;
	eth->FirstUnicastAddress = u1;
	eth->FriendlyName = (PWCHAR)(b + 3000);
	put_wstr(b, 3000,
		 L"Ethernet \x202e"
		 L"0");
	u1->Next = u2, u1->Address.lpSockaddr = (LPSOCKADDR)s1,
	u1->Address.iSockaddrLength = sizeof *s1;
	s1->sin_family = AF_INET, memcpy(&s1->sin_addr, "\xc0\xa8\x01\x0a", 4);
	u2->Address.lpSockaddr = (LPSOCKADDR)s2, u2->Address.iSockaddrLength = sizeof *s2;
	s2->sin6_family = AF_INET6,
	memcpy(&s2->sin6_addr, "\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	lo->Length = sizeof *lo, lo->IfIndex = 1, lo->Ipv6IfIndex = 1, lo->FirstUnicastAddress = u3;
	lo->FriendlyName = (PWCHAR)(b + 3200);
	put_wstr(b, 3200, L"Loopback Pseudo-Interface 1");
	u3->Address.lpSockaddr = (LPSOCKADDR)s3, u3->Address.iSockaddrLength = sizeof *s3;
	s3->sin_family = AF_INET, memcpy(&s3->sin_addr, "\x7f\0\0\x01", 4);

	struct ps_ifaddr *a;
	size_t n;
	CHECK_INT(win_decode_adapters(b, len, &a, &n), 0);
	CHECK_INT(n, 3);
	char t[64];
	if (n == 3) {
		CHECK_STR(addr_format(&a[0].addr, t, sizeof t), "192.168.1.10");
		CHECK_INT(a[0].ifindex, 12);
		CHECK_STR(a[0].ifname, "Ethernet \xe2\x80\xae"
				       "0"); /* raw here; the output escapes it */
		CHECK_STR(addr_format(&a[1].addr, t, sizeof t), "fe80::1");
		CHECK_STR(addr_format(&a[2].addr, t, sizeof t), "127.0.0.1");
		CHECK_STR(a[2].ifname, "Loopback Pseudo-Interface 1");
		CHECK_INT(a[2].ifindex, 1);
	}
	platform_ifaddrs_free(a, n);

	/* a cycle in the chain ends with an error, not a hang */
	lo->Next = eth;
	CHECK_INT(win_decode_adapters(b, len, &a, &n), -EBADMSG);
	CHECK(a == NULL && n == 0);
	lo->Next = NULL;
	/* a sockaddr outside the buffer */
	u3->Address.lpSockaddr = (LPSOCKADDR)(b + len);
	CHECK_INT(win_decode_adapters(b, len, &a, &n), -EBADMSG);
	free(b);
}

TEST(win_services_from_enum)
{
	/* ENUM_SERVICE_STATUS_PROCESSW records, their strings after them (SC_ENUM_PROCESS_INFO) */
	size_t len = 1024;
	unsigned char *b = calloc(1, len);
	ENUM_SERVICE_STATUS_PROCESSW *e = (void *)b;
	size_t off = 3 * sizeof *e;
	const wchar_t *names[3] = {L"Dnscache", L"LanmanWorkstation", L"TermService"};
	const DWORD pids[3] = {1000, 1000, 1100};
	for (int i = 0; i < 3; i++) {
		e[i].lpServiceName = (LPWSTR)(b + off);
		off = put_wstr(b, off, names[i]);
		e[i].lpDisplayName = i == 2 ? (LPWSTR)(b + off) : NULL;
		if (i == 2)
			off = put_wstr(b, off, L"Remote Desktop Services");
		e[i].ServiceStatusProcess.dwProcessId = pids[i];
		e[i].ServiceStatusProcess.dwCurrentState = SERVICE_RUNNING;
	}
	struct win_service *s;
	size_t n;
	CHECK_INT(win_decode_services(b, off, 3, &s, &n), 0);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_STR(s[0].name, "Dnscache");
		CHECK_INT(s[0].pid, 1000);
		CHECK_STR(s[1].name, "LanmanWorkstation");
		CHECK_INT(s[2].pid, 1100);
		CHECK_STR(s[2].display, "Remote Desktop Services");
		CHECK(s[0].display == NULL);
	}
	win_services_free(s, n);
	CHECK_INT(win_decode_services(b, 2 * sizeof *e, 3, &s, &n),
		  -EBADMSG); /* more records than bytes */
	CHECK_INT(win_decode_services(b, off - 4, 3, &s, &n), -EBADMSG); /* last string cut */
	e[1].lpServiceName = NULL;
	CHECK_INT(win_decode_services(b, off, 3, &s, &n), -EBADMSG); /* a service without a name */
	free(b);
}

TEST(win_cmdline_and_utf16)
{
	/* UNICODE_STRING then its text: ESC, a right-to-left override, an emoji pair, a lone
	 * surrogate */
	static const uint16_t text[] = {'a', '.', 'e',	  'x',	  'e',	  ' ', 0x1b,   '[',
					'2', 'J', 0x202E, 0xD83D, 0xDE00, ' ', 0xDC00, 'z'};
	size_t len = sizeof(UNICODE_STRING) + sizeof text;
	unsigned char *b = calloc(1, len);
	UNICODE_STRING us = {.Length = sizeof text,
			     .MaximumLength = sizeof text,
			     .Buffer = (PWSTR)(b + sizeof(UNICODE_STRING))};
	memcpy(b, &us, sizeof us);
	memcpy(b + sizeof us, text, sizeof text);
	char *cl;
	size_t cllen;
	CHECK_INT(win_decode_cmdline(b, len, &cl, &cllen), 0);
	/* the lone surrogate kept as WTF-8 (ED B0 80), not replaced by U+FFFD */
	const char want[] = "a.exe \x1b[2J\xe2\x80\xae\xf0\x9f\x98\x80 \xed\xb0\x80z";
	CHECK_STR(cl, want);
	CHECK_INT(cllen, sizeof want);
	/* and back to the same UTF-16 units: a path with a lone surrogate names the same file */
	uint16_t *back;
	CHECK_INT(win_utf8_to_utf16(cl, &back), 0);
	CHECK(memcmp(back, text, sizeof text) == 0 && back[sizeof text / 2] == 0);
	free(back);
	CHECK_INT(win_utf8_to_utf16("J\xc3\xbcrgen \xff", &back), -EILSEQ); /* not UTF-8 */
	CHECK_INT(win_utf8_to_utf16("J\xc3\xbcrgen", &back), 0);
	CHECK(back[1] == 0xFC && back[6] == 0);
	free(back);
	/* what the user sees: no raw escape or bidi control in text or JSON */
	struct buf t = {0}, j = {0};
	CHECK_INT(esc_text(&t, cl, cllen - 1), 0);
	CHECK_INT(esc_json(&j, cl, cllen - 1), 0);
	CHECK(t.data && !memchr(t.data, 0x1b, t.len) && !strstr(t.data, "\xe2\x80\xae"));
	CHECK(j.data && !memchr(j.data, 0x1b, j.len));
	CHECK(tu_valid_utf8((const unsigned char *)j.data, j.len)); /* JSON stays UTF-8 */
	CHECK(t.data && strstr(t.data, "\\xed\\xb0\\x80z")); /* the surrogate shown escaped */
	buf_free(&t);
	buf_free(&j);
	free(cl);
	/* a Buffer pointing past the end, an odd length */
	us.Length = (USHORT)(sizeof text + 2);
	memcpy(b, &us, sizeof us);
	CHECK_INT(win_decode_cmdline(b, len, &cl, &cllen), -EBADMSG);
	us.Length = 3;
	memcpy(b, &us, sizeof us);
	CHECK_INT(win_decode_cmdline(b, len, &cl, &cllen), -EBADMSG);
	us.Length = 0;
	memcpy(b, &us, sizeof us);
	CHECK_INT(win_decode_cmdline(b, len, &cl, &cllen), 0);
	CHECK_STR(cl, "");
	free(cl);
	free(b);
}

TEST(win_filetime)
{
	CHECK_INT(win_filetime_to_unix(116444736000000000ull), 0);
	CHECK_INT(win_filetime_to_unix(116444736000000000ull + 17000000000ull * 10000000ull),
		  17000000000ll);
	CHECK_INT(win_filetime_to_unix(1), -1);
}

/* What the module lookup answered, per tag, and how often it was asked. */
struct fake_modules {
	int calls;
};

static int fake_module(void *ctx, enum win_table kind, const void *row, char **name)
{
	struct fake_modules *f = ctx;
	f->calls++;
	uint64_t tag = win_row_tag(kind, row);
	const char *n = tag == 0x10 ? "TermService" : tag == 0x20 ? "RpcSs" : NULL;
	if (!n)
		return -ENOENT;
	*name = strdup(n);
	return *name ? 0 : -ENOMEM;
}

/*
 * Only a row with a service tag (OwningModuleInfo[0]) names a service; untagged
 * rows (an own-process service such as sqlservr.exe, or an untagged svchost
 * socket) get none, and each (pid, tag) is asked once.
 */
TEST(win_service_tag_per_row)
{
	static const struct {
		uint32_t pid;
		uint16_t port;
		uint64_t tag;
		const char *want;
	} rows[] = {
	    {900, 3389, 0x10, "TermService"},
	    {900, 3390, 0x10, "TermService"},
	    {900, 8080, 0, NULL},
	    {4, 445, 0x7, NULL}, /* System: never asked */
	    {900, 135, 0x20, "RpcSs"},
	    {1500, 1433, 0, NULL}, /* own-process service */
	    {1500, 5000, 0x99, NULL},
	    {1500, 5001, 0x99, NULL},
	};
	enum { N = sizeof rows / sizeof rows[0] };
	unsigned char b[8 + N * 160];
	memset(b, 0, sizeof b);
	put32(b, N);
	for (size_t i = 0; i < N; i++) {
		unsigned char *r = b + 8 + i * 160;
		put32(r, MIB_TCP_STATE_LISTEN), putport(r + 8, rows[i].port),
		    put32(r + 20, rows[i].pid);
		memcpy(r + 32, &rows[i].tag, 8); /* OwningModuleInfo[0] */
		uint64_t created = 133000000000000000ull + i;
		memcpy(r + 24, &created, 8); /* liCreateTimestamp */
	}
	struct rows got = {0};
	CHECK_INT(win_decode_owner_table(b, sizeof b, WIN_TCP4, collect_row, &got), 0);
	CHECK_INT(got.n, 8);
	struct win_tag_cache cache = {0};
	struct fake_modules f = {0};
	for (size_t i = 0; i < N; i++) {
		const char *name = (const char *)1;
		int rc = win_tag_service(&cache, got.pid[i], WIN_TCP4, got.row[i], fake_module, &f,
					 &name);
		CHECK_INT(rc, rows[i].tag == 0x99 ? -ENOENT : 0);
		if (rows[i].want)
			CHECK_STR(name, rows[i].want);
		else
			CHECK(name == NULL);
		CHECK(win_row_created(WIN_TCP4, got.row[i]) == 133000000000000000ull + i);
	}
	CHECK_INT(f.calls, 3); /* (900,0x10), (900,0x20), (1500,0x99): a failure is remembered */
	CHECK_INT(cache.lookups, 3);
	win_tag_cache_free(&cache);
}

/* liCreateTimestamp (a FILETIME) becomes the socket's creation time; Wine's 0 leaves it unknown. */
TEST(win_socket_created_from_row)
{
	unsigned char b[8 + 2 * 160];
	memset(b, 0, sizeof b);
	put32(b, 2);
	unsigned char *r = b + 8;
	/* 2026-05-01T09:30:12Z: 1777627812 s after 1970, in 100 ns units after 1601 */
	uint64_t ft = 116444736000000000ull + 1777627812ull * 10000000ull + 4567;
	put32(r, MIB_TCP_STATE_LISTEN), putport(r + 8, 5985), put32(r + 20, 4);
	memcpy(r + 24, &ft, 8);
	put32(r + 160, MIB_TCP_STATE_LISTEN), putport(r + 168, 8080), put32(r + 180, 1234);
	struct rows got = {0};
	CHECK_INT(win_decode_owner_table(b, sizeof b, WIN_TCP4, collect_row, &got), 0);
	CHECK_INT(got.n, 2);
	CHECK_INT(win_row_created_unix(WIN_TCP4, got.row[0]), 1777627812LL);
	CHECK_INT(win_row_created_unix(WIN_TCP4, got.row[1]), 0);
	/* the IPv6 and UDP rows keep it at their own offsets */
	unsigned char u[8 + 176];
	memset(u, 0, sizeof u);
	put32(u, 1);
	put32(u + 8 + 24, 1234), putport(u + 8 + 20, 5353);
	memcpy(u + 8 + 32, &ft, 8); /* MIB_UDP6ROW_OWNER_MODULE.liCreateTimestamp */
	struct rows g6 = {0};
	CHECK_INT(win_decode_owner_table(u, sizeof u, WIN_UDP6, collect_row, &g6), 0);
	CHECK_INT(g6.n, 1);
	CHECK_INT(g6.k[0].local.port, 5353);
	CHECK_INT(win_row_created_unix(WIN_UDP6, g6.row[0]), 1777627812LL);
}

/* A reused pid: a row's socket older than the process now holding its pid is not that
 * process's (liCreateTimestamp against the process's creation time). */
TEST(win_pid_reuse_from_create_timestamps)
{
	const uint64_t t = 133800000000000000ull, sec = 10000000ull;
	CHECK(!win_pid_reused(t + 60 * sec, t));   /* opened a minute after the process started */
	CHECK(!win_pid_reused(t - 1 * sec, t));	   /* within the clock's slack */
	CHECK(win_pid_reused(t - 3600 * sec, t));  /* an hour before the process existed */
	CHECK(!win_pid_reused(0, t));		   /* Wine: no creation time, no judgement */
	CHECK(!win_pid_reused(t - 3600 * sec, 0)); /* the process's time unreadable */
	struct ps_snapshot snap = {0};
	struct ps_socket k = {.proto = PS_TCP, .state = PS_ST_LISTEN};
	k.local.port = 8443;
	CHECK_INT(win_snap_add_stale(&snap, &k, 5120), 0);
	snap_count_status(&snap);
	CHECK_INT(snap.nprocs, 0); /* the pid's present program is not blamed */
	CHECK_INT(snap.socks[0].owner_status, PS_OWN_VANISHED);
	CHECK_INT(snap.socks[0].owner_count, 0);
	CHECK(snap.partial && snap.nnotes == 1 &&
	      strstr(snap.notes[0].stage, "belongs to another"));
	snap_free(&snap);
}

/* ------------------------------------------------------------------ version resources */

/* Begin a version-resource block at off (wLength patched by vb_end): key, then the value (text:
 * a UTF-16 string with its NUL, wValueLength in characters; binary: vlen bytes). Returns the
 * offset of its first child. */
static size_t vb_begin(unsigned char *b, size_t off, const char *key, bool text, const void *val,
		       size_t vlen)
{
	size_t p = off + 6;
	for (const char *k = key;; k++) {
		b[p] = (unsigned char)*k, b[p + 1] = 0, p += 2;
		if (!*k)
			break;
	}
	p = (p + 3) & ~(size_t)3;
	uint16_t wvlen = 0;
	if (text && val) {
		const char *s = val;
		size_t n = strlen(s) + 1;
		for (size_t i = 0; i < n; i++)
			b[p + 2 * i] = (unsigned char)s[i], b[p + 2 * i + 1] = 0;
		p += 2 * n, wvlen = (uint16_t)n;
	} else if (val) {
		memcpy(b + p, val, vlen);
		p += vlen, wvlen = (uint16_t)vlen;
	}
	b[off + 2] = (unsigned char)wvlen, b[off + 3] = (unsigned char)(wvlen >> 8);
	b[off + 4] = text, b[off + 5] = 0;
	return (p + 3) & ~(size_t)3;
}

static size_t vb_end(unsigned char *b, size_t start, size_t end)
{
	b[start] = (unsigned char)(end - start), b[start + 1] = (unsigned char)((end - start) >> 8);
	return (end + 3) & ~(size_t)3;
}

static size_t vb_string(unsigned char *b, size_t off, const char *key, const char *val)
{
	return vb_end(b, off, vb_begin(b, off, key, true, val, 0)); /* wLength with the padding */
}

/* A StringTable of key lang with a description and, when given, company and version. */
static size_t vb_table(unsigned char *b, size_t off, const char *lang, const char *desc,
		       const char *company, const char *version)
{
	size_t p = vb_begin(b, off, lang, true, NULL, 0);
	p = vb_string(b, p, "FileDescription", desc);
	if (company)
		p = vb_string(b, p, "CompanyName", company);
	if (version)
		p = vb_string(b, p, "FileVersion", version);
	return vb_end(b, off, p);
}

/* VS_VERSIONINFO as GetFileVersionInfoW returns it: fixed info (unless !fixed), a German and an
 * English string table, and VarFileInfo naming English (0409, 04b0) first. */
static size_t version_resource(unsigned char *b, bool fixed)
{
	memset(b, 0, 2048);
	uint32_t ffi[13] = {0xFEEF04BDu, 0x10000, 10u << 16 | 0, 22621u << 16 | 2506};
	size_t p = vb_begin(b, 0, "VS_VERSION_INFO", false, fixed ? ffi : NULL, fixed ? 52 : 0);
	size_t sfi = p;
	p = vb_begin(b, p, "StringFileInfo", true, NULL, 0);
	p = vb_table(b, p, "040704B0", "Hostprozess", NULL, NULL);
	p = vb_table(b, p, "040904b0", "Host Process for Windows Services  ",
		     "Microsoft Corporation", "10.0.22621.1 (WinBuild.160101.0800)");
	p = vb_end(b, sfi, p);
	size_t var = p;
	p = vb_begin(b, p, "VarFileInfo", true, NULL, 0);
	uint16_t tr[2] = {0x0409, 0x04b0};
	size_t t = p;
	p = vb_end(b, t, vb_begin(b, p, "Translation", false, tr, 4));
	p = vb_end(b, var, p);
	return vb_end(b, 0, p);
}

TEST(win_version_resource)
{
	unsigned char b[2048];
	size_t len = version_resource(b, true);
	char *buf = tu_exact(b, len);
	struct win_file_version v;
	CHECK_INT(win_decode_version_info(buf, len, &v), 0);
	CHECK_STR(v.description, "Host Process for Windows Services"); /* English: Translation */
	CHECK_STR(v.company, "Microsoft Corporation");
	CHECK_STR(v.version, "10.0.22621.2506"); /* VS_FIXEDFILEINFO, not the string */
	win_file_version_free(&v);
	/* a length past the buffer, a cut buffer, another root: refused */
	CHECK_INT(win_decode_version_info(buf, len - 1, &v), -EBADMSG);
	CHECK(v.description == NULL && v.version == NULL);
	CHECK_INT(win_decode_version_info(buf, 5, &v), -EBADMSG);
	buf[6] = 'X';
	CHECK_INT(win_decode_version_info(buf, len, &v), -EBADMSG);
	free(buf);
	/* no fixed info: the FileVersion string */
	len = version_resource(b, false);
	buf = tu_exact(b, len);
	CHECK_INT(win_decode_version_info(buf, len, &v), 0);
	CHECK_STR(v.version, "10.0.22621.1 (WinBuild.160101.0800)");
	win_file_version_free(&v);
	/* a table whose length runs past its parent's end: no string is read past it, none
	 * claimed */
	unsigned char *tbl = (unsigned char *)buf + 40 + 36; /* the German table */
	CHECK(tbl[6] == '0' && tbl[8] == '4');		     /* its key, "040704B0" */
	tbl[0] = 0xFF, tbl[1] = 0x0F;
	CHECK_INT(win_decode_version_info(buf, len, &v), 0);
	CHECK(v.description == NULL && v.company == NULL);
	CHECK(v.version == NULL);
	win_file_version_free(&v);
	free(buf);
}

/* HTTP_SERVICE_CONFIG_URLACL_SET as HttpQueryServiceConfiguration writes it: two string
 * pointers into the same buffer. A pointer outside it, or a string without its NUL inside it,
 * is refused. */
TEST(win_http_urlacl_set)
{
	CHECK_INT(sizeof(HTTP_SERVICE_CONFIG_URLACL_SET), 16);
	unsigned char *b = calloc(1, 256);
	CHECK(b != NULL);
	size_t end = put_wstr(b, 16, L"http://+:5985/wsman/");
	size_t sd = end;
	end = put_wstr(b, sd, L"D:(A;;GX;;;S-1-5-80-569256582-2953403351)");
	HTTP_SERVICE_CONFIG_URLACL_SET set = {{(PWSTR)(b + 16)}, {(PWSTR)(b + sd)}};
	memcpy(b, &set, sizeof set);
	char *url, *sddl;
	CHECK_INT(win_decode_urlacl(b, end, &url, &sddl), 0);
	CHECK_STR(url, "http://+:5985/wsman/");
	CHECK_STR(sddl, "D:(A;;GX;;;S-1-5-80-569256582-2953403351)");
	free(url), free(sddl);
	CHECK_INT(win_decode_urlacl(b, end - 2, &url, &sddl), -EBADMSG); /* no NUL inside */
	CHECK(url == NULL && sddl == NULL);
	set.ParamDesc.pStringSecurityDescriptor = NULL; /* none: allowed */
	memcpy(b, &set, sizeof set);
	CHECK_INT(win_decode_urlacl(b, end, &url, &sddl), 0);
	CHECK(sddl == NULL);
	free(url);
	set.KeyDesc.pUrlPrefix = (PWSTR)(b + 512); /* past the buffer */
	memcpy(b, &set, sizeof set);
	CHECK_INT(win_decode_urlacl(b, end, &url, &sddl), -EBADMSG);
	CHECK_INT(win_decode_urlacl(b, 8, &url, &sddl), -EBADMSG);
	free(b);
}

TEST(win_interface_profiles)
{
	/* GetAdaptersAddresses: Wi-Fi (one IPv4 /24 address and a link-local IPv6 /64) and
	 * Ethernet (one IPv4 /22); INetworkListManager: Wi-Fi's network public, Ethernet's
	 * domain-authenticated; a third adapter no connection names */
	size_t len = 4096;
	unsigned char *b = calloc(1, len);
	IP_ADAPTER_ADDRESSES *wifi = (void *)b, *eth = (void *)(b + 512), *vpn = (void *)(b + 3400);
	IP_ADAPTER_UNICAST_ADDRESS *u1 = (void *)(b + 1024), *u2 = (void *)(b + 1200),
				   *u3 = (void *)(b + 1400), *u4 = (void *)(b + 1600);
	struct sockaddr_in *s1 = (void *)(b + 2048), *s3 = (void *)(b + 2200),
			   *s4 = (void *)(b + 2300);
	struct sockaddr_in6 *s2 = (void *)(b + 2100);
	wifi->Length = sizeof *wifi, wifi->Next = eth, wifi->FirstUnicastAddress = u1;
	wifi->AdapterName = (PCHAR)(b + 2600);
	strcpy((char *)b + 2600, "{5b3c8e0a-1d2f-4a6b-9c7d-0e1f2a3b4c5d}");
	wifi->FriendlyName = (PWCHAR)(b + 3000);
	put_wstr(b, 3000, L"Wi-Fi");
	u1->Next = u2, u1->OnLinkPrefixLength = 24;
	u1->Address.lpSockaddr = (LPSOCKADDR)s1, u1->Address.iSockaddrLength = sizeof *s1;
	s1->sin_family = AF_INET, memcpy(&s1->sin_addr, "\xcb\x00\x71\x07", 4);
	u2->OnLinkPrefixLength = 64;
	u2->Address.lpSockaddr = (LPSOCKADDR)s2, u2->Address.iSockaddrLength = sizeof *s2;
	s2->sin6_family = AF_INET6,
	memcpy(&s2->sin6_addr, "\xfe\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	eth->Length = sizeof *eth, eth->FirstUnicastAddress = u3, eth->Next = vpn;
	eth->AdapterName = (PCHAR)(b + 2700);
	strcpy((char *)b + 2700, "{A1B2C3D4-E5F6-4789-ABCD-EF0123456789}");
	u3->OnLinkPrefixLength = 22;
	u3->Address.lpSockaddr = (LPSOCKADDR)s3, u3->Address.iSockaddrLength = sizeof *s3;
	s3->sin_family = AF_INET, memcpy(&s3->sin_addr, "\xc0\xa8\x01\x05", 4);
	vpn->Length = sizeof *vpn, vpn->FirstUnicastAddress = u4;
	vpn->AdapterName = (PCHAR)(b + 2800);
	strcpy((char *)b + 2800, "{00000000-0000-0000-0000-00000000000A}");
	u4->OnLinkPrefixLength = 32;
	u4->Address.lpSockaddr = (LPSOCKADDR)s4, u4->Address.iSockaddrLength = sizeof *s4;
	s4->sin_family = AF_INET, memcpy(&s4->sin_addr, "\x0a\x08\x00\x02", 4);
	/* StringFromGUID2 writes upper case; AdapterName may be either */
	const struct win_netcat cats[] = {{"{5B3C8E0A-1D2F-4A6B-9C7D-0E1F2A3B4C5D}", 0},
					  {"{A1B2C3D4-E5F6-4789-ABCD-EF0123456789}", 2}};
	CHECK_INT((int)win_nlm_profile(1), WFW_PRIVATE);
	CHECK_INT((int)win_nlm_profile(7), 0);
	struct wfw_ifaddr *a;
	size_t n;
	CHECK_INT(win_decode_ifprofiles(b, len, cats, 2, &a, &n), 0);
	CHECK_INT(n, 4);
	char t[64];
	if (n == 4) {
		CHECK_STR(addr_format(&a[0].addr, t, sizeof t), "203.0.113.7");
		CHECK_INT(a[0].prefix, 24);
		CHECK_INT((int)a[0].profile, WFW_PUBLIC);
		CHECK_STR(a[0].ifname, "Wi-Fi");
		CHECK_STR(a[0].ifid, "{5b3c8e0a-1d2f-4a6b-9c7d-0e1f2a3b4c5d}");
		CHECK_INT(a[1].prefix, 64);
		CHECK_INT((int)a[1].profile, WFW_PUBLIC);
		CHECK_STR(addr_format(&a[2].addr, t, sizeof t), "192.168.1.5");
		CHECK_INT(a[2].prefix, 22);
		CHECK_INT((int)a[2].profile, WFW_DOMAIN);
		CHECK(a[2].ifname == NULL);
		CHECK_INT((int)a[3].profile, 0); /* no connection names it: not known */
		CHECK_INT(a[3].prefix, 32);
	}
	win_ifprofiles_free(a, n);
	/* the network list not read: the prefixes, no profile */
	CHECK_INT(win_decode_ifprofiles(b, len, NULL, 0, &a, &n), 0);
	CHECK(n == 4 && a[0].profile == 0 && a[0].prefix == 24);
	win_ifprofiles_free(a, n);
	/* an adapter name that does not end inside the buffer */
	memset(b + len - 4, 'x', 4);
	wifi->AdapterName = (PCHAR)(b + len - 4);
	CHECK_INT(win_decode_ifprofiles(b, len, cats, 2, &a, &n), -EBADMSG);
	CHECK(a == NULL && n == 0);
	free(b);
}
