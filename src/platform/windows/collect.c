/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * collect.c — sockets and their owning pids from the owner-module tables
 * (GetExtendedTcpTable / GetExtendedUdpTable, IPv4 and IPv6, every state), and
 * for a socket a service opened (its row carries a service tag) the service's
 * name, from the socket's owning module (GetOwnerModuleFrom*Entry), asked once
 * per (pid, tag).
 */
/* <windows.h> comes before the headers that use its types: keep this order */
/* clang-format off */
#undef gethostname /* compat.h renames it; Winsock declares its own */
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <iphlpapi.h>
/* clang-format on */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../platform.h"
#include "backend.h"
#include "optional.h"
#include "win.h"

struct collect {
	struct ps_snapshot *snap;
	const struct ps_filter *f;
	enum win_table kind;
	struct win_proc_cache cache;
	struct win_tag_cache tags; /* service names per (pid, tag): one lookup each */
	uint32_t ft_pid;	   /* the last process whose creation time was read */
	uint64_t ft;		   /* its creation time (FILETIME), 0 when unreadable */
};

/* When process pid started (FILETIME), 0 when it cannot be read. */
static uint64_t process_created(uint32_t pid)
{
	HANDLE h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, pid);
	FILETIME c, e, k, u;
	uint64_t ft = 0;
	if (h && GetProcessTimes(h, &c, &e, &k, &u))
		ft = (uint64_t)c.dwHighDateTime << 32 | c.dwLowDateTime;
	if (h)
		CloseHandle(h);
	return ft;
}

/* Whether the row's socket is older than the process now holding its pid (a reused pid). */
static bool stale_owner(struct collect *c, uint32_t pid, const void *row)
{
	uint64_t created = win_row_created(c->kind, row);
	if (pid <= WIN_PID_SYSTEM || !created)
		return false; /* Wine gives no creation time */
	if (c->ft_pid != pid)
		c->ft_pid = pid, c->ft = process_created(pid);
	return win_pid_reused(created, c->ft);
}

typedef DWORD(WINAPI *owner_module_fn)(const void *row, TCPIP_OWNER_MODULE_INFO_CLASS cls,
				       void *buf, DWORD *size);

/* GetOwnerModuleFrom*Entry, per table kind: looked up at run time (Wine 8 lacks them). */
static struct win_optional module_fns[] = {
    {"iphlpapi.dll", "GetOwnerModuleFromTcpEntry",
     "the service behind each service's TCP socket was not read: "
     "IPHLPAPI.DLL GetOwnerModuleFromTcpEntry is missing here",
     NULL, 0},
    {"iphlpapi.dll", "GetOwnerModuleFromTcp6Entry",
     "the service behind each service's TCP socket was not read: "
     "IPHLPAPI.DLL GetOwnerModuleFromTcp6Entry is missing here",
     NULL, 0},
    {"iphlpapi.dll", "GetOwnerModuleFromUdpEntry",
     "the service behind each service's UDP socket was not read: "
     "IPHLPAPI.DLL GetOwnerModuleFromUdpEntry is missing here",
     NULL, 0},
    {"iphlpapi.dll", "GetOwnerModuleFromUdp6Entry",
     "the service behind each service's UDP socket was not read: "
     "IPHLPAPI.DLL GetOwnerModuleFromUdp6Entry is missing here",
     NULL, 0},
};

/* The owning module of a tagged socket row: its service's name. 0 or -errno (-ENOSYS: the
 * function is missing). */
static int owner_module(void *ctx, enum win_table kind, const void *row, char **name)
{
	(void)ctx;
	*name = NULL;
	owner_module_fn fn = (owner_module_fn)win_optional_get(&module_fns[kind]);
	if (!fn)
		return -ENOSYS;
	DWORD size = 1024;
	for (int tries = 0; tries < 4; tries++) {
		void *buf = malloc(size);
		if (!buf)
			return -ENOMEM;
		DWORD err = fn(row, TCPIP_OWNER_MODULE_INFO_BASIC, buf, &size);
		if (err == ERROR_INSUFFICIENT_BUFFER) {
			free(buf);
			continue;
		}
		char *path = NULL;
		int rc = err == NO_ERROR ? win_decode_module_info(buf, size, name, &path)
			 : err == ERROR_ACCESS_DENIED ? -EACCES
						      : -ENOENT;
		free(path);
		free(buf);
		return rc;
	}
	return -EAGAIN;
}

static int on_row(void *ctx, const struct ps_socket *k, uint32_t pid, const void *row)
{
	struct collect *c = ctx;
	if (!filter_match_socket(c->f, k))
		return 0;
	bool stale = stale_owner(c, pid, row);
	long idx =
	    stale ? win_snap_add_stale(c->snap, k, pid) : win_snap_add(c->snap, k, pid, &c->cache);
	if (idx < 0)
		return (int)idx;
	if (snap_set_created(c->snap, &c->snap->socks[idx], win_row_created_unix(c->kind, row)))
		return -ENOMEM;
	if (stale)
		return 0;
	const char *svc = NULL;
	int rc = win_tag_service(&c->tags, pid, c->kind, row, owner_module, NULL, &svc);
	if (rc == -ENOMEM)
		return rc;
	if (rc == -ENOSYS && win_optional_missing(&module_fns[c->kind]))
		snap_note(c->snap, module_fns[c->kind].note, 0);
	struct ps_socket *s = &c->snap->socks[idx];
	if (!rc && svc && !(s->sockcg = win_sockcg(c->snap, svc, "service", "service-tag")))
		return -ENOMEM;
	return 0; /* a module that cannot be named leaves the process's services */
}

/* One owner table into the snapshot. 0 or -errno. */
static int read_table(struct collect *c, enum win_table kind)
{
	ULONG af = kind == WIN_TCP4 || kind == WIN_UDP4 ? AF_INET : AF_INET6;
	DWORD size = 16384, err = ERROR_INSUFFICIENT_BUFFER;
	void *buf = NULL;
	for (int tries = 0; tries < 8 && err == ERROR_INSUFFICIENT_BUFFER; tries++) {
		free(buf);
		size += size / 4; /* the table grows between the two calls */
		if (!(buf = malloc(size)))
			return -ENOMEM;
		DWORD want = size;
		err =
		    kind == WIN_TCP4 || kind == WIN_TCP6
			? GetExtendedTcpTable(buf, &want, FALSE, af, TCP_TABLE_OWNER_MODULE_ALL, 0)
			: GetExtendedUdpTable(buf, &want, FALSE, af, UDP_TABLE_OWNER_MODULE, 0);
		if (err == ERROR_INSUFFICIENT_BUFFER)
			size = want;
	}
	int rc = 0;
	if (err == NO_ERROR) {
		c->kind = kind;
		rc = win_decode_owner_table(buf, size, kind, on_row, c);
	} else if (err == ERROR_NOT_SUPPORTED || err == ERROR_INVALID_PARAMETER) {
		rc = 0; /* no such stack (IPv6 disabled) */
	} else {
		rc = err == ERROR_INSUFFICIENT_BUFFER ? -EAGAIN : -EIO;
	}
	free(buf);
	return rc;
}

typedef ULONG(WINAPI *bound_table_fn)(void **table, HANDLE heap, ULONG flags);

/* The bound-TCP tables (`netstat -q`): exports Microsoft does not document, so looked up at run
 * time; Windows before 10 and Wine lack them, and then bound sockets are not listed (no note: a
 * listing never had them). */
static struct win_optional bound_fns[] = {
    {"iphlpapi.dll", "InternalGetBoundTcpEndpointTable", NULL, NULL, 0},
    {"iphlpapi.dll", "InternalGetBoundTcp6EndpointTable", NULL, NULL, 0},
};

static int on_bound(void *ctx, const struct ps_socket *k, uint32_t pid, const void *row)
{
	struct collect *c = ctx;
	(void)row;
	if (!filter_match_socket(c->f, k))
		return 0;
	long idx = win_snap_add(c->snap, k, pid, &c->cache);
	return idx < 0 ? (int)idx : 0;
}

/* TCP sockets bound but neither listening nor connected, of one family. 0 or -errno. */
static int read_bound(struct collect *c, bool v6)
{
	bound_table_fn fn = (bound_table_fn)win_optional_get(&bound_fns[v6]);
	void *table = NULL;
	HANDLE heap = GetProcessHeap();
	if (!fn)
		return 0;
	ULONG err = fn(&table, heap, 0);
	if (err != NO_ERROR || !table)
		return err == ERROR_NOT_ENOUGH_MEMORY ? -ENOMEM : 0; /* none to show */
	SIZE_T size = HeapSize(heap, 0, table);
	int rc = size == (SIZE_T)-1 ? -EIO : win_decode_bound_table(table, size, v6, on_bound, c);
	HeapFree(heap, 0, table);
	return rc;
}

/* Whether we run elevated (an administrator's full token): other users' process details need it. */
static bool elevated(void)
{
	HANDLE tok;
	TOKEN_ELEVATION e = {0};
	DWORD size = sizeof e;
	if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok))
		return false;
	BOOL ok = GetTokenInformation(tok, TokenElevation, &e, sizeof e, &size);
	CloseHandle(tok);
	return ok && e.TokenIsElevated;
}

int win_collect(struct ps_snapshot *snap, const struct ps_filter *f)
{
	snap->privileged = elevated();
	struct collect c = {.snap = snap, .f = f, .cache = {.last_proc = -1}};
	uint8_t protos = filter_dump_protos(f);
	static const enum win_table tables[] = {WIN_TCP4, WIN_TCP6, WIN_UDP4, WIN_UDP6};
	int rc = 0, any = 0;
	for (size_t i = 0; i < 4 && rc != -ENOMEM; i++) {
		bool tcp = tables[i] == WIN_TCP4 || tables[i] == WIN_TCP6;
		bool v4 = tables[i] == WIN_TCP4 || tables[i] == WIN_UDP4;
		if (!(protos & (1u << (tcp ? PS_TCP : PS_UDP))) ||
		    (f->families && !(f->families & PS_FAM_BIT(v4 ? PS_INET : PS_INET6))))
			continue;
		int r = read_table(&c, tables[i]);
		if (!r && tcp && (f->states[PS_TCP] & (1u << PS_ST_BOUND)))
			r = read_bound(&c, !v4);
		if (r && !rc)
			rc = r;
		any += !r;
	}
	win_tag_cache_free(&c.tags);
	snap->source = "iphlpapi";
	return rc == -ENOMEM || !any ? rc : 0;
}

int win_attribute(struct ps_snapshot *snap, const struct ps_filter *f)
{
	(void)f; /* owners came with the tables */
	snap_group_owners(snap);
	snap_count_status(snap);
	return 0;
}
